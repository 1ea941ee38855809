"""An exponential moving average of the generator (BigGAN's "EMA G").

A second generator of the same architecture holds the averages. It starts
as a copy of the trained generator, and after G step t (t = 1, 2, ...; the
step counter after that update) each averaged variable becomes

    ema_t = w_t                                   while t < start,
    ema_t = decay * ema_{t-1} + (1 - decay) * w_t from t = start on,

where w_t is the trained generator's value after the step: BigGAN-PyTorch's
and StudioGAN's rule (a copy before the start step, then a plain average,
not zero-debiased; with the copy, the average starts from the weights at
step start - 1 rather than from zero). Averaged are the trainable weights
and the batch-norm moving mean and variance (BigGAN and StudioGAN average
their batch-norm buffers too). Copied at every step are the batch-norm
update counts (as they copy `num_batches_tracked`) and the spectral-norm
power-iteration vectors: at inference sigma is |W u| for the stored `u`,
which must stay a unit vector, and the trained generator's `u` estimates
the averaged weight's top singular vector as well as any.

The update runs in cross-replica context, one `strategy.extended.update`
per variable, so under a mirrored strategy every replica updates its own
copy from its own (identical) copy of the weights: no communication.
"""

from __future__ import annotations

from typing import Optional

import keras
import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = ["AVERAGED_STATE", "CHECKPOINT_KEY", "GeneratorAverage",
           "check_settings"]

CHECKPOINT_KEY = "ema_generator"  # The averaged generator in checkpoints.
# Non-trainable variables that are averaged; the others are copied.
AVERAGED_STATE = ("moving_mean", "moving_variance")


def check_settings(decay: float, start: int) -> None:
  """Raises InputError unless 0 <= decay < 1 and start >= 0."""
  if not 0.0 <= decay < 1.0:
    raise InputError(f"ema_decay must be in [0, 1) (0: no EMA generator); "
                     f"got {decay}. BigGAN uses 0.9999, short runs e.g. "
                     "0.999.")
  if start < 0:
    raise InputError(f"ema_start must be >= 0 (the G step from which on the "
                     f"average moves; before it, it copies G); got {start}.")


class GeneratorAverage:
  """Keeps `target`'s variables the moving average of `source`'s.

  Both must be built, with the same architecture (variables matched by
  position; their names and shapes are checked).
  """

  def __init__(self, source: keras.Model, target: keras.Model,
               decay: float, start: int = 0):
    check_settings(decay, start)
    self.decay = float(decay)
    self.start = int(start)
    sources, targets = list(source.variables), list(target.variables)
    if len(sources) != len(targets):
      raise ValueError(f"The average has {len(targets)} variables, the "
                       f"generator {len(sources)}.")
    self.averaged, self.copied = [], []
    for s, t in zip(sources, targets):
      if s.name != t.name or tuple(s.shape) != tuple(t.shape):
        raise ValueError(f"Variables do not match: {s.path} {s.shape} vs "
                         f"{t.path} {t.shape}.")
      averaged = s.trainable or s.name in AVERAGED_STATE
      (self.averaged if averaged else self.copied).append(
          (_tf_variable(t), _tf_variable(s)))

  def copy(self) -> None:
    """Sets every average to the generator's current value."""
    for t, s in self.averaged + self.copied:
      t.assign(s)

  def update(self, step: tf.Tensor,
             strategy: Optional[tf.distribute.Strategy] = None) -> None:
    """One update after the G step that made the step counter `step`.
    Call in cross-replica context (inside or outside a tf.function)."""
    strategy = strategy or tf.distribute.get_strategy()
    step = tf.convert_to_tensor(step)
    decay = tf.where(step >= tf.cast(self.start, step.dtype),
                     tf.constant(self.decay, tf.float32), 0.0)
    for t, s in self.averaged:
      strategy.extended.update(t, _average, args=(s, decay))
    for t, s in self.copied:
      strategy.extended.update(t, _copy, args=(s,))


def _tf_variable(variable):
  """The tf.Variable (or distributed variable) behind a Keras variable."""
  return variable.value if isinstance(variable, keras.Variable) else variable


def _average(target, source, decay):
  # decay * ema + (1 - decay) * w: with decay 0 exactly the copy.
  d = tf.cast(decay, target.dtype)
  return target.assign(d * target + (1.0 - d) * source)


def _copy(target, source):
  return target.assign(source)
