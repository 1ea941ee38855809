"""Keras callbacks for `tfgan_ext.GAN`: sample grids, SQD, weight angles and
an EMA generator.

Each is a `keras.callbacks.Callback` for `GAN.fit(..., callbacks=[...])` and
reads the GAN through `self.model`: `generator`, `discriminator`,
`generate(z, labels)`, `latent_dim`, `num_classes`, and, when the GAN has
one, `objective.discriminator_variables` (an auxiliary head's weights, which
count as D's). Any object with those attributes that Keras' `fit` runs works.

Values a callback adds to `logs` are seen by the callbacks listed after it
(e.g. `keras.callbacks.TensorBoard`, `CSVLogger`) and, for epoch logs, by
the `History` that `fit` returns. A "step" is one `train_step` (one G
update): Keras calls `on_train_batch_end` once per `steps_per_execution`
steps, and per-step quantities (weight angles, the EMA update) are then
taken once per call, over that many steps.
"""

from __future__ import annotations

import math
import os
from typing import Any, Callable, Optional

import keras
import numpy as np
import tensorflow as tf

from tfgan_ext import contract, visualize
from tfgan_ext.errors import InputError, UnwritableError
from tfgan_ext.monitors.domain import Domain
from tfgan_ext.monitors.sqd_callback import SqdMeter
from tfgan_ext.monitors.turning_point import TurningPointDetector
from tfgan_ext.monitors.weight_angle import WeightAngleTracker
from tfgan_ext.nn import precision as precision_lib
from tfgan_ext.train import ema as ema_lib

__all__ = ["EMAGenerator", "SQDMonitor", "SampleGrid", "WeightAngles",
           "grid_inputs"]


def _make_folder(folder: str) -> None:
  try:
    os.makedirs(folder, exist_ok=True)
  except OSError as err:
    raise UnwritableError(f"Cannot create the folder {folder!r} ({err}); "
                          "choose a folder you can write to.") from err
  if not os.access(folder, os.W_OK | os.X_OK):
    raise UnwritableError(f"The folder {folder!r} is not writable; choose a "
                          "folder you can write to.")


def _generator_fn(gan: Any) -> Callable[[tf.Tensor, tf.Tensor], tf.Tensor]:
  """The trained G (not an EMA copy) as (z, labels) -> samples, in
  inference mode; labels are ignored by an unconditional GAN."""
  net = contract.adapt_generator(gan.generator, gan.num_classes)
  conditional = gan.num_classes > 0

  def generate(z, labels):
    return net(z, labels if conditional else None, training=False)
  return generate


def _discriminator_variables(gan: Any) -> list:
  """D's trainable variables plus the objective's (an aux head), if any."""
  extra = getattr(getattr(gan, "objective", None),
                  "discriminator_variables", None) or []
  return list(gan.discriminator.trainable_variables) + list(extra)


def grid_inputs(latent_dim: int, num_classes: int, *, per_class: int = 10,
                count: int = 64, seed: int = 1234
                ) -> tuple[np.ndarray, np.ndarray, int]:
  """Fixed (z [N, latent_dim] float32, labels [N] int32, rows) of a sample
  grid: one row of `per_class` samples for each of the first (at most) 10
  classes when `num_classes` > 0, else floor(sqrt(count)) rows of as many
  (zero labels). z is standard normal from np.random.RandomState(seed), as
  the model_dir Trainer's grids."""
  rng = np.random.RandomState(seed)
  if num_classes > 0:
    rows = min(num_classes, 10)
    labels = np.repeat(np.arange(rows), per_class).astype(np.int32)
  else:
    rows = max(1, int(math.isqrt(count)))
    labels = np.zeros(rows * rows, np.int32)
  z = rng.randn(len(labels), latent_dim).astype(np.float32)
  return z, labels, rows


class SampleGrid(keras.callbacks.Callback):
  """Writes fixed-noise samples of the GAN as a PNG every `every_n_epochs`
  epochs, to folder/epoch_<epoch>.png (epochs counted from 1, 4 digits).

  Images [B, H, W, C] in [-1, 1] become a grid (`visualize.image_grid`):
  one row per class (the first 10, `per_class` samples each) for a
  conditional GAN, else an 8 x 8 grid for `count` 64; upscaled to about 512
  pixels unless `upscale` is given. 2-D points become a scatter plot of
  `points` samples (labels cycling over the classes). Samples come from
  `gan.generate` (the GAN's EMA generator when it keeps one).

  Args:
    folder: output directory (created at train begin).
    every_n_epochs: >= 1, default 1.
    per_class, count: grid size (see above); defaults 10 and 64.
    points: samples of a scatter plot, default 1000.
    seed: seed of the fixed noise, default 1234.
    upscale: nearest-neighbour factor; None: max(1, 512 // grid height).
  """

  def __init__(self, folder: str, every_n_epochs: int = 1, *,
               per_class: int = 10, count: int = 64, points: int = 1000,
               seed: int = 1234, upscale: Optional[int] = None):
    super().__init__()
    if every_n_epochs < 1 or per_class < 1 or count < 1 or points < 1:
      raise InputError(
          f"SampleGrid needs every_n_epochs, per_class, count and points "
          f">= 1; got {every_n_epochs}, {per_class}, {count}, {points}.")
    if upscale is not None and upscale < 1:
      raise InputError(f"upscale must be >= 1 (or None); got {upscale}.")
    self.folder = folder
    self.every_n_epochs = every_n_epochs
    self.per_class = per_class
    self.count = count
    self.points = points
    self.seed = seed
    self.upscale = upscale
    self.paths: list[str] = []

  def on_train_begin(self, logs=None) -> None:
    _make_folder(self.folder)

  def on_epoch_end(self, epoch: int, logs=None) -> None:
    if (epoch + 1) % self.every_n_epochs == 0:
      self.write(epoch + 1)

  def _generate(self, z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    gan = self.model
    out = gan.generate(tf.constant(z),
                       tf.constant(labels) if gan.num_classes > 0 else None)
    return np.asarray(out)

  def write(self, epoch: int) -> str:
    """Writes the PNG for `epoch` now; returns its path."""
    gan = self.model
    path = os.path.join(self.folder, f"epoch_{epoch:04d}.png")
    z, labels, rows = grid_inputs(gan.latent_dim, gan.num_classes,
                                  per_class=self.per_class, count=self.count,
                                  seed=self.seed)
    samples = self._generate(z, labels)
    if samples.ndim == 4:
      grid = visualize.image_grid(samples, rows)
      scale = self.upscale or max(1, 512 // grid.shape[0])
      visualize.save_png(grid, path, upscale=scale)
    elif samples.ndim == 2 and samples.shape[1] == 2:
      rng = np.random.RandomState(self.seed)
      z = rng.randn(self.points, gan.latent_dim).astype(np.float32)
      labels = (np.arange(self.points) % max(1, gan.num_classes)).astype(
          np.int32)
      visualize.save_scatter(self._generate(z, labels), path,
                             title=f"epoch {epoch}")
    else:
      raise InputError(
          f"SampleGrid draws images [B, H, W, C] or 2-D points [B, 2]; the "
          f"generator gives samples of shape {samples.shape[1:]}.")
    self.paths.append(path)
    return path


class WeightAngles(keras.callbacks.Callback):
  """SQD's S: how far G's and D's weights turn at each step.

  After every `on_train_batch_end`, the angle in radians between each
  network's weights (all trainable variables flattened together; D's
  include an auxiliary head) before and after the step(s), as
  `monitors.WeightAngleTracker` computes it. Logged as `<prefix>_angle_g`
  and `<prefix>_angle_d` in the batch logs and, as the mean over the
  epoch's steps (the SQD paper's per-epoch S), in the epoch logs.
  `history` keeps (step, angle_g, angle_d) for every call; `step` counts
  train steps from the first `fit` this callback saw.

  Args:
    prefix: log-key prefix, default "sqd".
  """

  def __init__(self, prefix: str = "sqd"):
    super().__init__()
    self.prefix = prefix
    self.tracker: Optional[WeightAngleTracker] = None
    self.history: list[tuple[int, float, float]] = []
    self.step = 0
    self._begin = 0
    self._epoch_angles: list[tuple[float, float]] = []

  def key(self, name: str) -> str:
    """The log key of `name` ("angle_g", "quality", ...)."""
    return f"{self.prefix}_{name}"

  def on_train_begin(self, logs=None) -> None:
    gan = self.model
    self.tracker = WeightAngleTracker(
        {"g": gan.generator.trainable_variables,
         "d": _discriminator_variables(gan)}, prefix=self.prefix)

  def on_epoch_begin(self, epoch: int, logs=None) -> None:
    self._epoch_angles = []

  def on_train_batch_begin(self, batch: int, logs=None) -> None:
    self._begin = batch

  def on_train_batch_end(self, batch: int, logs=None) -> None:
    self.step += max(1, batch - self._begin + 1)
    angles = self.tracker.update()
    angle_g = float(angles[self.tracker.key("g")])
    angle_d = float(angles[self.tracker.key("d")])
    self.history.append((self.step, angle_g, angle_d))
    self._epoch_angles.append((angle_g, angle_d))
    if logs is not None:
      logs[self.key("angle_g")] = angle_g
      logs[self.key("angle_d")] = angle_d

  def on_epoch_end(self, epoch: int, logs=None) -> None:
    if self._epoch_angles and logs is not None:
      mean_g, mean_d = np.mean(np.asarray(self._epoch_angles), axis=0)
      logs[self.key("angle_g")] = float(mean_g)
      logs[self.key("angle_d")] = float(mean_d)


class SQDMonitor(WeightAngles):
  """SQD's stability (S), quality (Q) and diversity (D) while `fit` runs.

  S: the weight angles of `WeightAngles` (every step). Q and D: the
  domain network's quality score and the James-Stein entropy of the
  samples' nearest modes (`monitors.Domain.measure`) for `num_samples`
  samples of the trained generator from fixed noise and class-balanced
  labels, measured at the end of every `every_n_epochs`-th epoch (and,
  with `every_n_steps` > 0, every that many steps). Logged as
  `<prefix>_quality`, `<prefix>_diversity`, `<prefix>_log_num_modes` and
  `<prefix>_turning_point` (1 at a detected turning point, else 0) in the
  epoch (or batch) logs. `epochs` keeps one dict per measured epoch
  (epoch, step, angle_g, angle_d, quality, diversity, ...), the input of
  `monitors.epoch_turning_points` (the paper's per-epoch rule).

  Turning points (optional): with a `monitors.TurningPointDetector` the
  per-step angles and each measurement go through its live rule; a turning
  point is logged, appended to folder/sqd_turning_points.jsonl when
  `folder` is set, and with `stop_at_turning_point` ends `fit`
  (`model.stop_training`).

  Args:
    domain: a `monitors.Domain` (`mixture_domain`, `classifier_domain`).
    every_n_epochs: Q/D period in epochs, default 1 (0: none).
    every_n_steps: Q/D period in steps, default 0 (none).
    num_samples, seed, batch_size: as `monitors.SqdMeter` (500, 0, 250).
    detector: optional `TurningPointDetector`.
    stop_at_turning_point: stop `fit` at a turning point (needs detector).
    folder: where turning-point rows are written, or None.
    prefix: log-key prefix, default "sqd".
  """

  def __init__(self, domain: Domain, every_n_epochs: int = 1, *,
               every_n_steps: int = 0, num_samples: int = 500, seed: int = 0,
               batch_size: int = 250,
               detector: Optional[TurningPointDetector] = None,
               stop_at_turning_point: bool = False,
               folder: Optional[str] = None, prefix: str = "sqd"):
    super().__init__(prefix=prefix)
    if every_n_epochs < 0 or every_n_steps < 0 or not (every_n_epochs
                                                       or every_n_steps):
      raise InputError(
          f"SQDMonitor needs every_n_epochs >= 0 and every_n_steps >= 0, not "
          f"both 0; got {every_n_epochs} and {every_n_steps}.")
    if stop_at_turning_point and detector is None:
      raise InputError("stop_at_turning_point needs a detector: pass "
                       "detector=monitors.TurningPointDetector(...).")
    self.every_n_epochs = every_n_epochs
    self.every_n_steps = every_n_steps
    self.stop_at_turning_point = stop_at_turning_point
    self.meter = SqdMeter(domain, num_samples=num_samples, seed=seed,
                          batch_size=batch_size, detector=detector,
                          folder=folder)
    self.epochs: list[dict] = []
    self.turning_points: list = []

  def on_train_begin(self, logs=None) -> None:
    if self.meter.folder is not None:
      _make_folder(self.meter.folder)
    super().on_train_begin(logs)
    gan = self.model
    self.meter.start(_generator_fn(gan), gan.latent_dim, gan.num_classes)

  def _measure(self, logs) -> dict[str, float]:
    values, point = self.meter.measure(self.step)
    if logs is not None:
      logs.update({self.key(k): v for k, v in values.items()})
    if point is not None:
      self.turning_points.append(point)
      if self.stop_at_turning_point:
        self.model.stop_training = True
    return values

  def on_train_batch_end(self, batch: int, logs=None) -> None:
    super().on_train_batch_end(batch, logs)
    _, angle_g, angle_d = self.history[-1]
    self.meter.observe_angles(self.step, angle_g, angle_d)
    if self.every_n_steps and self.step % self.every_n_steps == 0:
      self._measure(logs)

  def on_epoch_end(self, epoch: int, logs=None) -> None:
    super().on_epoch_end(epoch, logs)
    if not self.every_n_epochs or (epoch + 1) % self.every_n_epochs:
      return
    values = self._measure(logs)
    angles = (np.mean(np.asarray(self._epoch_angles), axis=0)
              if self._epoch_angles else (math.nan, math.nan))
    self.epochs.append(dict(values, epoch=epoch, step=self.step,
                            angle_g=float(angles[0]),
                            angle_d=float(angles[1])))


class EMAGenerator(keras.callbacks.Callback):
  """Keeps `generator`, an exponential moving average of `gan.generator`.

  At the first train begin, a copy of G is made (`ema.clone_average`:
  `keras.models.clone_model`, or `clone`) holding G's values; after each
  train step t (t = 1, 2, ... counted by this callback over all its fits)
  its variables become

      ema_t = w_t                                   while t < start,
      ema_t = decay * ema_{t-1} + (1 - decay) * w_t from t = start on,

  `tfgan_ext.train.ema`'s rule (trainable weights and batch-norm moving
  statistics averaged, other state copied). With `steps_per_execution` N >
  1 the update runs once per N steps (t advancing by N); use N = 1, or
  `GAN.compile(ema_decay=...)`, which averages inside the train step.

  Args:
    decay: in [0, 1), e.g. 0.999 (BigGAN: 0.9999).
    start: the step from which the average moves, >= 0 (default 0).
    clone: optional function making a fresh, unbuilt copy of G.
  """

  def __init__(self, decay: float, start: int = 0,
               clone: Optional[Callable[[Any], Any]] = None):
    super().__init__()
    ema_lib.check_settings(decay, start)
    self.decay = float(decay)
    self.start = int(start)
    self.clone = clone
    self.average: Optional[ema_lib.GeneratorAverage] = None
    self.generator = None
    self.step = 0
    self._begin = 0
    self._update = None

  def on_train_begin(self, logs=None) -> None:
    gan = self.model
    if self.average is not None and self.average.source is gan.generator:
      return
    latent_dim, num_classes = gan.latent_dim, gan.num_classes

    def build(copy):
      contract.adapt_generator(copy, num_classes)(
          tf.zeros([2, latent_dim]), tf.zeros([2], tf.int32), training=False)

    self.average = ema_lib.clone_average(gan.generator, build, self.decay,
                                         self.start, self.clone)
    precision = getattr(gan, "precision", "float32")
    if precision != "float32":
      precision_lib.apply_precision(self.average.target, precision)
    self.generator = self.average.target
    average, strategy = self.average, gan.distribute_strategy
    self._update = tf.function(lambda step: average.update(step, strategy))

  def on_train_batch_begin(self, batch: int, logs=None) -> None:
    self._begin = batch

  def on_train_batch_end(self, batch: int, logs=None) -> None:
    self.step += max(1, batch - self._begin + 1)
    self._update(tf.constant(self.step, tf.int64))

  def generate(self, z: Any, labels: Any = None) -> tf.Tensor:
    """Samples of the average for noise z [B, latent_dim] (and labels [B]
    when conditional), in inference mode."""
    gan = self.model
    labels = None if labels is None else tf.cast(labels, tf.int32)
    return contract.adapt_generator(self.generator, gan.num_classes)(
        tf.convert_to_tensor(z, tf.float32), labels, training=False)
