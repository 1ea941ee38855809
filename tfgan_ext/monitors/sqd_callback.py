"""SQD's Q and D during training, and turning-point detection.

`SqdMeter` is the core on plain objects (a generator callable, a domain, an
output folder or None); `SqdCallback` adapts it to the model_dir Trainer
and `tfgan_ext.callbacks.SQDMonitor` to Keras' `fit`.
"""

from __future__ import annotations

import json
import os
from typing import Callable, Optional

from absl import logging
import numpy as np
import tensorflow as tf

from tfgan_ext import workspace
from tfgan_ext.config_checks import require_int
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation.sampling import (balanced_labels, generator_fn,
                                           latent_vectors)
from tfgan_ext.monitors.domain import Domain
from tfgan_ext.monitors.turning_point import TurningPoint, TurningPointDetector
from tfgan_ext.train.hooks import StopTraining

__all__ = ["SqdCallback", "SqdMeter", "StopTraining", "TURNING_POINTS_FILE",
           "check_domain_fits", "finish_stopped_run"]

TURNING_POINTS_FILE = "sqd_turning_points.jsonl"


def check_domain_fits(domain: Domain, is_image: bool, data_name: str) -> None:
  """Raises InputError unless `domain` takes the run's samples (images for
  a classifier domain, 2-D points for a mixture domain)."""
  from tfgan_ext.metrics.domain_networks import MixtureNetwork
  if is_image == isinstance(domain.network, MixtureNetwork):
    raise InputError(f"SQD domain {domain.name!r} does not fit the run's "
                     f"data {data_name!r}.")


class SqdMeter:
  """SQD's Q and D of a generator, and turning points: the core of the
  monitors, on plain objects (no trainer).

  Samples come from fixed latent vectors (`latent_vectors(num_samples,
  z_dim, seed)`) and class-balanced labels, so successive measurements
  differ only through G. With a `TurningPointDetector`, feed it every
  step's weight angles (`observe_angles`); `measure` then reports a turning
  point when the detector finds one, appends it as a JSON row to
  folder/sqd_turning_points.jsonl (when `folder` is set) and logs a warning.

  Args:
    domain: the `Domain` (feature network and mode centroids).
    num_samples: samples per measurement (>= 2), default 500.
    seed: seed of the fixed latent vectors, default 0.
    batch_size: generator batch size, default 250.
    detector: optional `TurningPointDetector`.
    folder: directory for the turning-point rows, or None (not written).
  """

  def __init__(self, domain: Domain, *, num_samples: int = 500,
               seed: int = 0, batch_size: int = 250,
               detector: Optional[TurningPointDetector] = None,
               folder: Optional[str] = None):
    require_int("--sqd_samples (num_samples)", num_samples, 2)
    require_int("batch_size", batch_size, 1)
    self.domain = domain
    self.num_samples = num_samples
    self.seed = seed
    self.batch_size = batch_size
    self.detector = detector
    self.folder = folder
    self.history: list[dict] = []
    self._inputs = None
    self._generate = None

  def start(self, generate: Callable[[tf.Tensor, tf.Tensor], tf.Tensor],
            z_dim: int, num_classes: int) -> None:
    """Sets the generator: `generate(z [B, z_dim], labels [B] int32) ->
    samples`, in inference mode (labels are zeros when `num_classes` is
    0)."""
    labels = balanced_labels(self.num_samples, num_classes)
    z = latent_vectors(self.num_samples, z_dim, self.seed)
    self._inputs = (z, labels)
    self._generate = generate

  def samples(self) -> np.ndarray:
    """The generator's samples for the fixed inputs, [num_samples, ...]."""
    if self._generate is None:
      raise ValueError("Call start(generate, z_dim, num_classes) first.")
    z, labels = self._inputs
    size = self.batch_size
    parts = [np.asarray(self._generate(tf.constant(z[i:i + size]),
                                       tf.constant(labels[i:i + size])))
             for i in range(0, len(z), size)]
    return np.concatenate(parts)

  def observe_angles(self, step: int, angle_g: Optional[float],
                     angle_d: Optional[float]) -> None:
    """Feeds one step's G and D weight angles to the detector (if any)."""
    if self.detector is not None:
      self.detector.observe_angles(step, angle_g, angle_d)

  def measure(self, step: int) -> tuple[dict[str, float],
                                        Optional[TurningPoint]]:
    """Q, D and the turning-point flag at `step`.

    Returns ({"quality", "diversity", "log_num_modes", "turning_point"
    (1.0 or 0.0)}, the TurningPoint or None); the values (with "step") are
    appended to `history`.
    """
    values = self.domain.measure(self.samples())
    point = None
    if self.detector is not None:
      point = self.detector.observe_quality(step, values["quality"],
                                            values["diversity"])
    values["turning_point"] = float(point is not None)
    self.history.append(dict(values, step=step))
    if point is not None:
      self._report(point)
    return values, point

  def _report(self, point: TurningPoint) -> None:
    logging.warning("SQD %s.", point.describe())
    if self.folder is None:
      return
    os.makedirs(self.folder, exist_ok=True)
    path = os.path.join(self.folder, TURNING_POINTS_FILE)
    with open(path, "a", encoding="utf8") as f:
      f.write(json.dumps(dict(point.__dict__, domain=self.domain.name)) + "\n")


class SqdCallback:
  """Every `every` steps: Q and D of `num_samples` generated samples.

  The model_dir Trainer's adapter of `SqdMeter`. Logs `sqd/quality`,
  `sqd/diversity`, `sqd/log_num_modes` (D's maximum) and
  `sqd/turning_point` (1 at a detected turning point, else 0) to the train
  job's TensorBoard. With a detector it feeds it the per-step angles from
  `WeightAngleMonitor` (logs `sqd/angle_g`, `sqd/angle_d`), appends each
  turning point to model_dir/sqd_turning_points.jsonl and, with
  `stop_at_turning_point`, raises StopTraining (the Trainer then saves a
  checkpoint at that step and writes TRAINING_DONE).
  """

  def __init__(self, domain: Domain, *, every: int = 100,
               num_samples: int = 500, seed: int = 0,
               detector: Optional[TurningPointDetector] = None,
               stop_at_turning_point: bool = False, batch_size: int = 250):
    require_int("--sqd_every (every)", every, 1,
                hint="It is a period in G steps.")
    require_int("--sqd_samples (num_samples)", num_samples, 2)
    if stop_at_turning_point and detector is None:
      raise ValueError("stop_at_turning_point needs a TurningPointDetector.")
    self.every = every
    self.stop_at_turning_point = stop_at_turning_point
    self.meter = SqdMeter(domain, num_samples=num_samples, seed=seed,
                          batch_size=batch_size, detector=detector)

  @property
  def domain(self) -> Domain:
    return self.meter.domain

  @property
  def detector(self) -> Optional[TurningPointDetector]:
    return self.meter.detector

  @property
  def history(self) -> list[dict]:
    """One dict per measurement: Q, D, log m, turning_point and step."""
    return self.meter.history

  def check(self, trainer) -> None:
    """The domain must take this run's samples (images vs 2-D points)."""
    check_domain_fits(self.domain, trainer.info.is_image, trainer.info.name)
    n = trainer.config.steps_per_loop
    if self.every % n:
      raise InputError(f"SQD measures every {self.every} steps, but with "
                       f"steps_per_loop={n} the host sees only multiples of "
                       f"{n}: choose an `every` that is one.")

  def on_train_begin(self, trainer) -> None:
    mc = trainer.config.model
    _ = self.domain.centroids  # A lazy domain computes them now.
    self.meter.folder = trainer.model_dir
    self.meter.start(generator_fn(trainer.generator, mc.z_dim), mc.z_dim,
                     mc.num_classes)

  def samples(self) -> np.ndarray:
    return self.meter.samples()

  def on_step_end(self, trainer, step: int, logs: dict) -> None:
    self.meter.observe_angles(step, logs.get("sqd/angle_g"),
                              logs.get("sqd/angle_d"))
    if step % self.every:
      return
    values, point = self.meter.measure(step)
    for key, value in values.items():
      tf.summary.scalar(f"sqd/{key}", value, step=step)
    if point is not None and self.stop_at_turning_point:
      tf.summary.flush()
      raise StopTraining(point.step, point.describe())


def finish_stopped_run(trainer, stop: StopTraining) -> str:
  """Writes TRAINING_DONE for a run a callback stopped (so eval jobs finish);
  returns its path. A later run with a larger max_steps removes it.
  `Trainer.train` does this itself; this is for loops of your own."""
  return workspace.write_training_done(
      trainer.model_dir, stop.step, trainer.manager.latest_checkpoint,
      stopped_early=stop.reason)
