"""Live training monitors: SQD's S (weight angles), Q and D, turning points."""

from tfgan_ext.monitors.domain import Domain, classifier_domain, mixture_domain
from tfgan_ext.monitors.sqd_callback import (TURNING_POINTS_FILE, SqdCallback,
                                             StopTraining, finish_stopped_run)
from tfgan_ext.monitors.turning_point import (EpochTurningPoint, TurningPoint,
                                              TurningPointDetector,
                                              angle_jump_ratios,
                                              epoch_turning_points)
from tfgan_ext.monitors.weight_angle import WeightAngleMonitor

__all__ = ["Domain", "EpochTurningPoint", "SqdCallback", "StopTraining",
           "TURNING_POINTS_FILE", "TurningPoint", "TurningPointDetector",
           "WeightAngleMonitor", "angle_jump_ratios", "classifier_domain",
           "epoch_turning_points", "finish_stopped_run", "mixture_domain"]
