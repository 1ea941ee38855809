"""Batch normalization as TF-GAN's SAGAN uses it, optionally class-conditional.

TF-GAN's SAGAN normalizes with the statistics of the current batch in every
mode (it keeps no moving averages), epsilon 1e-5. Under a `tf.distribute`
strategy with several replicas, the moments are all-reduced across replicas
(`sync=True`), so a global batch is normalized as one batch.
"""

from __future__ import annotations

import keras
import tensorflow as tf

_EPSILON = 1e-5


def batch_moments(x: tf.Tensor, sync: bool) -> tuple[tf.Tensor, tf.Tensor]:
  """Per-channel mean and variance over all but the last axis.

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


class BatchNorm(keras.layers.Layer):
  """Unconditional batch norm with learned per-channel scale and offset."""

  def __init__(self, sync: bool = True, **kwargs):
    super().__init__(**kwargs)
    self.sync = sync

  def build(self, input_shape):
    channels = int(input_shape[-1])
    self.gamma = self.add_weight(name="gamma", shape=(channels,),
                                 initializer="ones")
    self.beta = self.add_weight(name="beta", shape=(channels,),
                                initializer="zeros")

  def call(self, x):
    mean, variance = batch_moments(x, self.sync)
    return tf.nn.batch_normalization(x, mean, variance, self.beta, self.gamma,
                                     _EPSILON)


class ConditionalBatchNorm(keras.layers.Layer):
  """Batch norm whose scale and offset are looked up by class label."""

  def __init__(self, num_classes: int, sync: bool = True, **kwargs):
    super().__init__(**kwargs)
    if num_classes < 1:
      raise ValueError("ConditionalBatchNorm needs num_classes >= 1; use "
                       "BatchNorm for an unconditional model.")
    self.num_classes = num_classes
    self.sync = sync

  def build(self, input_shape):
    channels = int(input_shape[-1])
    self.gamma = self.add_weight(name="gamma",
                                 shape=(self.num_classes, channels),
                                 initializer="ones")
    self.beta = self.add_weight(name="beta",
                                shape=(self.num_classes, channels),
                                initializer="zeros")

  def call(self, x, labels):
    mean, variance = batch_moments(x, self.sync)
    expand = [-1] + [1] * (len(x.shape) - 2) + [x.shape[-1]]
    gamma = tf.reshape(tf.gather(self.gamma, labels), expand)
    beta = tf.reshape(tf.gather(self.beta, labels), expand)
    return tf.nn.batch_normalization(x, mean, variance, beta, gamma, _EPSILON)
