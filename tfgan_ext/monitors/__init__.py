"""Live training monitors: SQD's S (weight angles), Q and D, turning points.

The cores take plain objects (`WeightAngleTracker`: variables; `SqdMeter`:
a generator callable, a domain, an output folder); `WeightAngleMonitor` and
`SqdCallback` adapt them to the model_dir Trainer, `tfgan_ext.callbacks`
to Keras' `fit`.
"""

from tfgan_ext.monitors.domain import Domain, classifier_domain, mixture_domain
from tfgan_ext.monitors.sqd_callback import (TURNING_POINTS_FILE, SqdCallback,
                                             SqdMeter, StopTraining,
                                             check_domain_fits,
                                             finish_stopped_run)
from tfgan_ext.monitors.turning_point import (EpochTurningPoint, TurningPoint,
                                              TurningPointDetector,
                                              angle_jump_ratios,
                                              epoch_turning_points)
from tfgan_ext.monitors.weight_angle import (WeightAngleMonitor,
                                             WeightAngleTracker)

__all__ = ["Domain", "EpochTurningPoint", "SqdCallback", "SqdMeter",
           "StopTraining", "TURNING_POINTS_FILE", "TurningPoint",
           "TurningPointDetector", "WeightAngleMonitor", "WeightAngleTracker",
           "angle_jump_ratios", "check_domain_fits", "classifier_domain",
           "epoch_turning_points", "finish_stopped_run", "mixture_domain"]
