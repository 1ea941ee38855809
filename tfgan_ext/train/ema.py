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

Nothing here needs a trainer: `GeneratorAverage` works on any two built
Keras models of one architecture, and `clone_average` also makes the copy
(the model_dir Trainer, `tfgan_ext.GAN` and the Keras callback
`tfgan_ext.callbacks.EMAGenerator` use them).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import keras
import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = ["AVERAGED_STATE", "CHECKPOINT_KEY", "GeneratorAverage",
           "check_settings", "clone_average"]

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

  Args:
    source: the trained generator (any object with Keras `variables`).
    target: the average, built with the same architecture.
    decay: in [0, 1); BigGAN uses 0.9999.
    start: the step from which the average moves (it copies before), >= 0.
  """

  def __init__(self, source: Any, target: Any, decay: float,
               start: int = 0):
    check_settings(decay, start)
    self.source = source
    self.target = target
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


def clone_average(generator: Any, build: Callable[[Any], Any], decay: float,
                  start: int = 0, clone: Optional[Callable[[Any], Any]] = None
                  ) -> GeneratorAverage:
  """A new average of `generator`: a copy of its architecture holding its
  current values (`.target` of the result).

  Args:
    generator: the trained generator, built.
    build: called once with the fresh copy to create its variables, e.g.
      `lambda g: g(tf.zeros([2, latent_dim]), training=False)`.
    decay, start: as `GeneratorAverage`.
    clone: makes the fresh copy; default `keras.models.clone_model`
      (functional and sequential models, and subclassed models whose
      `get_config` gives their constructor arguments).
  Raises:
    InputError: for bad settings, or when the copy cannot be made.
  """
  check_settings(decay, start)
  try:
    copy = (clone or keras.models.clone_model)(generator)
  except Exception as err:  # pylint: disable=broad-except
    raise InputError(
        f"The EMA generator is a copy of G made with "
        f"{getattr(clone, '__name__', 'keras.models.clone_model')}, which "
        f"failed: {type(err).__name__}: {err}. Give the generator a "
        "get_config (or build it as a functional model), or pass a clone "
        "function that builds a new instance.") from err
  build(copy)
  average = GeneratorAverage(generator, copy, decay, start)
  average.copy()
  return average


def _tf_variable(variable):
  """The tf.Variable (or distributed variable) behind a Keras variable."""
  return variable.value if isinstance(variable, keras.Variable) else variable


def _average(target, source, decay):
  # decay * ema + (1 - decay) * w: with decay 0 exactly the copy.
  d = tf.cast(decay, target.dtype)
  return target.assign(d * target + (1.0 - d) * source)


def _copy(target, source):
  return target.assign(source)
