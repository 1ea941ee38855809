"""Dynamic loss scaling for float16 training, outside the optimizers.

The backward pass is seeded with the loss scale S instead of 1
(`tape.gradient(..., output_gradients=S)`), so small float16 gradients do
not underflow, and each gradient is divided by S as soon as it is taken:
`ScaledTape` hands every caller (the default combiner, aw-loss's split
real / fake gradients) unscaled float32 gradients, so aw-loss's angles and
weights never see S. An update whose gradients are not all finite is
skipped and S is halved; after `growth_interval` finite updates in a row S
doubles (Keras LossScaleOptimizer's defaults: 2**15 and 2000).

Keeping S out of the optimizers leaves their checkpointed state identical
in every precision, so checkpoints load across precisions.

A sparse `tf.IndexedSlices` gradient (an embedding table's) stays sparse:
its values are checked and divided by S.
"""

from __future__ import annotations

from typing import Sequence

import tensorflow as tf

from tfgan_ext import tensor_utils

INITIAL_SCALE = 2.0 ** 15
GROWTH_INTERVAL = 2000


class DynamicLossScale(tf.Module):
  """The scale S and the count of finite updates since it last changed."""

  def __init__(self, initial: float = INITIAL_SCALE,
               growth_interval: int = GROWTH_INTERVAL, name: str = "loss_scale"):
    super().__init__(name=name)
    if initial <= 0 or growth_interval < 1:
      raise ValueError("Loss scale must be > 0 and growth_interval >= 1.")
    self.growth_interval = int(growth_interval)
    self.scale = tf.Variable(float(initial), dtype=tf.float32,
                             trainable=False, name="scale")
    self.good_steps = tf.Variable(0, dtype=tf.int64, trainable=False,
                                  name="good_steps")

  def update(self, finite: tf.Tensor) -> None:
    """After an update (`finite`) or a skipped one (not `finite`)."""
    good = self.good_steps + 1
    grow = tf.logical_and(finite, good >= self.growth_interval)
    new_scale = tf.where(finite, tf.where(grow, self.scale * 2.0, self.scale),
                         tf.maximum(self.scale * 0.5, 1.0))
    self.scale.assign(new_scale)
    self.good_steps.assign(tf.where(finite & ~grow, good,
                                    tf.zeros_like(good)))


def all_finite(grads: Sequence) -> tf.Tensor:
  """True when every (non-None) gradient is free of NaN and Inf (for an
  IndexedSlices, its values)."""
  checks = [tf.reduce_all(tf.math.is_finite(
      g.values if isinstance(g, tf.IndexedSlices) else g))
            for g in grads if g is not None]
  return tf.reduce_all(tf.stack(checks)) if checks else tf.constant(True)


class ScaledTape:
  """A GradientTape view whose `gradient` back-propagates S and returns
  gradients divided by S; `finite()` says whether all were finite."""

  def __init__(self, tape: tf.GradientTape, scale: tf.Tensor):
    self._tape = tape
    self._scale = tf.convert_to_tensor(scale, tf.float32)
    self._checks: list[tf.Tensor] = []

  def gradient(self, target, sources):
    targets = tf.nest.flatten(target)
    seeds = [tf.fill(tf.shape(t), tf.cast(self._scale, t.dtype))
             for t in targets]
    grads = self._tape.gradient(targets, sources, output_gradients=seeds)
    single = not isinstance(sources, (list, tuple))
    flat = [grads] if single else list(grads)
    self._checks.append(all_finite(flat))
    unscaled = [tensor_utils.map_values(
        g, lambda v: v / tf.cast(self._scale, v.dtype)) for g in flat]
    return unscaled[0] if single else unscaled

  def finite(self) -> tf.Tensor:
    return (tf.reduce_all(tf.stack(self._checks)) if self._checks
            else tf.constant(True))


class LossScaling(tf.Module):
  """A float16 run's extra resume state: one loss scale per network and
  the data position (batches read), which differs from step x d_steps once
  a G update was skipped (skipped updates do not advance the step counter,
  but their batches are consumed)."""

  CHECKPOINT_KEY = "loss_scaling"

  def __init__(self, initial: float = INITIAL_SCALE,
               growth_interval: int = GROWTH_INTERVAL):
    super().__init__(name="loss_scaling")
    self.g = DynamicLossScale(initial, growth_interval, name="g_loss_scale")
    self.d = DynamicLossScale(initial, growth_interval, name="d_loss_scale")
    self.data_position = tf.Variable(0, dtype=tf.int64, trainable=False,
                                     name="data_position")

  def restore(self, path: str, fallback_position: int) -> int:
    """Restores this state from checkpoint `path` if it holds it (a float16
    run wrote it) and returns the data position to resume from; otherwise
    (a checkpoint of another precision) keeps the initial scales and sets
    the position to `fallback_position`."""
    keys = [name for name, _ in tf.train.list_variables(path)]
    if any(k.startswith(self.CHECKPOINT_KEY + "/") for k in keys):
      tf.train.Checkpoint(**{self.CHECKPOINT_KEY: self}).restore(
          path).expect_partial()
    else:
      self.data_position.assign(fallback_position)
    return int(self.data_position.numpy())
