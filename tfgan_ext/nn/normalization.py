"""Batch normalization as TF-GAN's SAGAN generator uses it, optionally
class-conditional.

Training calls (`training=True`) normalize with the current batch's moments
and update moving averages of them; inference calls normalize with the
moving averages, so a sample's output does not depend on the rest of its
batch. Epsilon is 1e-3 and the default decay 0.999, as in TF-GAN's
`tfgan.tpu.batch_norm`; the moving variance tracks the (biased) batch
variance that training normalizes with, and the conditional variant shares
one pair of moving averages across classes (only gamma / beta are per class).

Unlike TF-GAN (which starts its averages at mean 0 / variance 1 and keeps
`decay**t` of that start after t updates), the averages are zero-debiased by
default, as Adam corrects its moments: after t updates with batch moments
x_1..x_t they equal

    sum_i (1 - decay) decay**(t - i) x_i / (1 - decay**t),

stored directly in `moving_mean` / `moving_variance` with the update count
in `moving_updates`. The update m <- m + (x - m)(1 - decay) / (1 - decay**t)
becomes TF-GAN's m <- decay m + (1 - decay) x as decay**t -> 0, so long runs
give TF-GAN's numbers; `zero_debias=False` gives them exactly. A layer that
has had no update yet normalizes with the batch at inference too.

Under a `tf.distribute` strategy with several replicas, `sync=True`
all-reduces the moments, so a global batch is normalized as one batch and
every replica applies the same update to its copy of the moving averages.
`set_inference_statistics(model, "batch")` makes inference use batch
moments instead (for comparison), and `moving_statistics_frozen(model)`
suspends the updates (the trainer's D steps, which also run G in training
mode, so that the averages move once per G step as in TF-GAN).

Under a mixed-precision policy (`nn.precision`) the layers do not autocast:
moments, normalization and moving statistics are float32, and only the
output is cast to the compute dtype.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import keras
import tensorflow as tf

from tfgan_ext.errors import InputError

EPSILON = 1e-3
DEFAULT_DECAY = 0.999
INFERENCE_STATISTICS = ("moving", "batch")
# Names of the moving-statistics variables (checkpoints written before they
# existed lack them; see evaluation.restore and train.warm_start).
MOVING_VARIABLES = ("moving_mean", "moving_variance", "moving_updates")


def batch_moments(x: tf.Tensor, sync: bool) -> tuple[tf.Tensor, tf.Tensor]:
  """Per-channel mean and (biased) variance over all but the last axis.

  With `sync` and more than one replica in sync, sums are all-reduced so
  that every replica sees the global batch moments.
  """
  axes = list(range(len(x.shape) - 1))
  ctx = tf.distribute.get_replica_context()
  if sync and ctx is not None and ctx.num_replicas_in_sync > 1:
    count = tf.cast(tf.reduce_prod(tf.shape(x)[:-1]), x.dtype)
    local = [tf.reduce_sum(x, axes), tf.reduce_sum(tf.square(x), axes), count]
    total, total_sq, total_count = ctx.all_reduce(
        tf.distribute.ReduceOp.SUM, local)
    mean = total / total_count
    variance = tf.maximum(total_sq / total_count - tf.square(mean), 0.0)
    return mean, variance
  return tf.nn.moments(x, axes)


class _MovingMomentsNorm(keras.layers.Layer):
  """Moving averages of batch moments and the choice of moments per call.

  Attributes:
    inference_statistics: "moving" (default) or "batch": the moments used
      when `training` is False.
    update_moving: whether training calls update the moving averages.
  """

  def __init__(self, sync: bool = True, decay: float = DEFAULT_DECAY,
               zero_debias: bool = True, **kwargs):
    super().__init__(autocast=False, **kwargs)
    if not 0.0 <= decay < 1.0:
      raise InputError(f"Batch-norm decay must be in [0, 1); got {decay}. "
                       "Choose e.g. --bn_decay=0.999 (TF-GAN) or 0.99.")
    self.sync = sync
    self.decay = float(decay)
    self.zero_debias = bool(zero_debias)
    self.inference_statistics = "moving"
    self.update_moving = True

  def _build_moving(self, channels: int) -> None:
    # Synced moments are the same on every replica: take replica 0's update
    # verbatim. Unsynced ones differ: average the replicas' updates.
    aggregation = "only_first_replica" if self.sync else "mean"
    self.moving_mean = self.add_weight(
        name="moving_mean", shape=(channels,), initializer="zeros",
        trainable=False, aggregation=aggregation)
    self.moving_variance = self.add_weight(
        name="moving_variance", shape=(channels,), initializer="ones",
        trainable=False, aggregation=aggregation)
    self.moving_updates = self.add_weight(
        name="moving_updates", shape=(), initializer="zeros",
        trainable=False, aggregation="only_first_replica")

  def reset_moving_statistics(self) -> None:
    """Back to the state before any update (mean 0, variance 1, count 0)."""
    self.moving_mean.assign(tf.zeros_like(self.moving_mean))
    self.moving_variance.assign(tf.ones_like(self.moving_variance))
    self.moving_updates.assign(0.0)

  def _update_weight(self, updates: tf.Tensor) -> tf.Tensor:
    """Weight of the new batch in update number `updates` (1, 2, ...)."""
    if not self.zero_debias:
      return tf.constant(1.0 - self.decay, tf.float32)
    t = tf.cast(updates, tf.float64)
    decay = tf.constant(self.decay, tf.float64)
    return tf.cast((1.0 - decay) / (1.0 - tf.pow(decay, t)), tf.float32)

  def _moments(self, x: tf.Tensor, training) -> tuple[tf.Tensor, tf.Tensor]:
    if training:
      mean, variance = batch_moments(x, self.sync)
      if self.update_moving:
        updates = tf.convert_to_tensor(self.moving_updates) + 1.0
        weight = self._update_weight(updates)
        old_mean = tf.convert_to_tensor(self.moving_mean)
        old_variance = tf.convert_to_tensor(self.moving_variance)
        self.moving_mean.assign(old_mean + weight * (
            tf.stop_gradient(mean) - old_mean))
        self.moving_variance.assign(old_variance + weight * (
            tf.stop_gradient(variance) - old_variance))
        self.moving_updates.assign(updates)
      return mean, variance
    if self.inference_statistics == "batch":
      return batch_moments(x, self.sync)
    mean = tf.convert_to_tensor(self.moving_mean)
    variance = tf.convert_to_tensor(self.moving_variance)
    batch_mean, batch_variance = batch_moments(x, self.sync)
    ready = tf.convert_to_tensor(self.moving_updates) > 0.0
    return (tf.where(ready, mean, batch_mean),
            tf.where(ready, variance, batch_variance))


class BatchNorm(_MovingMomentsNorm):
  """Unconditional batch norm with learned per-channel scale and offset."""

  def build(self, input_shape):
    channels = int(input_shape[-1])
    self.gamma = self.add_weight(name="gamma", shape=(channels,),
                                 initializer="ones")
    self.beta = self.add_weight(name="beta", shape=(channels,),
                                initializer="zeros")
    self._build_moving(channels)

  def call(self, x, training=False):
    with tf.name_scope("float32_batch_norm"):
      x32 = tf.cast(x, tf.float32)
      mean, variance = self._moments(x32, training)
      out = tf.nn.batch_normalization(x32, mean, variance, self.beta,
                                      self.gamma, EPSILON)
    return tf.cast(out, self.compute_dtype)


class ConditionalBatchNorm(_MovingMomentsNorm):
  """Batch norm whose scale and offset are looked up by class label."""

  def __init__(self, num_classes: int, sync: bool = True,
               decay: float = DEFAULT_DECAY, zero_debias: bool = True,
               **kwargs):
    super().__init__(sync=sync, decay=decay, zero_debias=zero_debias,
                     **kwargs)
    if num_classes < 1:
      raise ValueError("ConditionalBatchNorm needs num_classes >= 1; use "
                       "BatchNorm for an unconditional model.")
    self.num_classes = num_classes

  def build(self, input_shape):
    channels = int(input_shape[-1])
    self.gamma = self.add_weight(name="gamma",
                                 shape=(self.num_classes, channels),
                                 initializer="ones")
    self.beta = self.add_weight(name="beta",
                                shape=(self.num_classes, channels),
                                initializer="zeros")
    self._build_moving(channels)

  def call(self, x, labels, training=False):
    with tf.name_scope("float32_batch_norm"):
      x32 = tf.cast(x, tf.float32)
      mean, variance = self._moments(x32, training)
      expand = [-1] + [1] * (len(x.shape) - 2) + [x.shape[-1]]
      gamma = tf.reshape(tf.gather(self.gamma, labels), expand)
      beta = tf.reshape(tf.gather(self.beta, labels), expand)
      out = tf.nn.batch_normalization(x32, mean, variance, beta, gamma,
                                      EPSILON)
    return tf.cast(out, self.compute_dtype)


def batch_norm_layers(model: keras.layers.Layer) -> list[_MovingMomentsNorm]:
  """The BatchNorm / ConditionalBatchNorm layers inside `model`."""
  # Keras has no public recursive walk over nested layers.
  layers = model._flatten_layers(  # pylint: disable=protected-access
      include_self=True)
  return [layer for layer in layers if isinstance(layer, _MovingMomentsNorm)]


def set_inference_statistics(model: keras.layers.Layer, which: str) -> None:
  """Makes `model`'s batch norms use "moving" or "batch" moments at
  inference. Call it before tracing a tf.function that runs the model."""
  if which not in INFERENCE_STATISTICS:
    raise InputError(f"Batch-norm inference statistics must be one of "
                     f"{INFERENCE_STATISTICS}; got {which!r}.")
  for layer in batch_norm_layers(model):
    layer.inference_statistics = which


@contextlib.contextmanager
def moving_statistics_frozen(model: keras.layers.Layer) -> Iterator[None]:
  """Training calls of `model` inside this block (or traced inside it) do
  not update the moving averages. Enter it outside `strategy.run`."""
  layers = batch_norm_layers(model)
  saved = [layer.update_moving for layer in layers]
  for layer in layers:
    layer.update_moving = False
  try:
    yield
  finally:
    for layer, value in zip(layers, saved):
      layer.update_moving = value
