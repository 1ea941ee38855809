"""SQD's Q and D during training, and turning-point detection (a Callback)."""

from __future__ import annotations

import json
import os
from typing import Optional

from absl import logging
import numpy as np
import tensorflow as tf

from tfgan_ext import workspace
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation.sampling import (balanced_labels, generator_fn,
                                           latent_vectors)
from tfgan_ext.monitors.domain import Domain
from tfgan_ext.monitors.turning_point import TurningPoint, TurningPointDetector
from tfgan_ext.train.hooks import StopTraining

__all__ = ["SqdCallback", "StopTraining", "TURNING_POINTS_FILE",
           "finish_stopped_run"]

TURNING_POINTS_FILE = "sqd_turning_points.jsonl"


class SqdCallback:
  """Every `every` steps: Q and D of `num_samples` generated samples.

  Samples use fixed latent vectors and class-balanced labels, so successive
  measurements differ only through G. Logs `sqd/quality`, `sqd/diversity`,
  `sqd/log_num_modes` (D's maximum) and `sqd/turning_point` (1 at a detected
  turning point, else 0) to the train job's TensorBoard. With a detector it
  feeds it the per-step angles from `WeightAngleMonitor` (logs
  `sqd/angle_g`, `sqd/angle_d`), appends each turning point to
  model_dir/sqd_turning_points.jsonl and, with `stop_at_turning_point`,
  raises StopTraining (the Trainer then saves a checkpoint at that step and
  writes TRAINING_DONE).
  """

  def __init__(self, domain: Domain, *, every: int = 100,
               num_samples: int = 500, seed: int = 0,
               detector: Optional[TurningPointDetector] = None,
               stop_at_turning_point: bool = False, batch_size: int = 250):
    if every < 1 or num_samples < 2:
      raise InputError(f"Need every >= 1 and num_samples >= 2; got {every} "
                       f"and {num_samples}.")
    if stop_at_turning_point and detector is None:
      raise ValueError("stop_at_turning_point needs a TurningPointDetector.")
    self.domain = domain
    self.every = every
    self.num_samples = num_samples
    self.seed = seed
    self.detector = detector
    self.stop_at_turning_point = stop_at_turning_point
    self.batch_size = batch_size
    self.history: list[dict] = []
    self._inputs = None
    self._generate = None

  def check(self, trainer) -> None:
    """The domain must take this run's samples (images vs 2-D points)."""
    from tfgan_ext.metrics.domain_networks import MixtureNetwork
    if trainer.info.is_image == isinstance(self.domain.network, MixtureNetwork):
      raise InputError(f"SQD domain {self.domain.name!r} does not fit the "
                       f"run's data {trainer.info.name!r}.")
    n = trainer.config.steps_per_loop
    if self.every % n:
      raise InputError(f"SQD measures every {self.every} steps, but with "
                       f"steps_per_loop={n} the host sees only multiples of "
                       f"{n}: choose an `every` that is one.")

  def on_train_begin(self, trainer) -> None:
    mc = trainer.config.model
    labels = balanced_labels(self.num_samples, mc.num_classes)
    z = latent_vectors(self.num_samples, mc.z_dim, self.seed)
    self._inputs = (z, labels)
    self._generate = generator_fn(trainer.generator, mc.z_dim)

  def samples(self) -> np.ndarray:
    z, labels = self._inputs
    size = self.batch_size
    parts = [np.asarray(self._generate(tf.constant(z[i:i + size]),
                                       tf.constant(labels[i:i + size])))
             for i in range(0, len(z), size)]
    return np.concatenate(parts)

  def on_step_end(self, trainer, step: int, logs: dict) -> None:
    if self.detector is not None:
      self.detector.observe_angles(step, logs.get("sqd/angle_g"),
                                   logs.get("sqd/angle_d"))
    if step % self.every:
      return
    values = self.domain.measure(self.samples())
    point = None
    if self.detector is not None:
      point = self.detector.observe_quality(step, values["quality"],
                                            values["diversity"])
    values["turning_point"] = float(point is not None)
    self.history.append(dict(values, step=step))
    for key, value in values.items():
      tf.summary.scalar(f"sqd/{key}", value, step=step)
    if point is not None:
      self._report(trainer, point)

  def _report(self, trainer, point: TurningPoint) -> None:
    logging.warning("SQD %s.", point.describe())
    path = os.path.join(trainer.model_dir, TURNING_POINTS_FILE)
    with open(path, "a", encoding="utf8") as f:
      f.write(json.dumps(dict(point.__dict__, domain=self.domain.name)) + "\n")
    if self.stop_at_turning_point:
      tf.summary.flush()
      raise StopTraining(point.step, point.describe())


def finish_stopped_run(trainer, stop: StopTraining) -> str:
  """Writes TRAINING_DONE for a run a callback stopped (so eval jobs finish);
  returns its path. A later run with a larger max_steps removes it.
  `Trainer.train` does this itself; this is for loops of your own."""
  return workspace.write_training_done(
      trainer.model_dir, stop.step, trainer.manager.latest_checkpoint,
      stopped_early=stop.reason)
