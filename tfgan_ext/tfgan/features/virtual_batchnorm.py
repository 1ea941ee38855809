"""TF-GAN's virtual batch normalization (`VBN`, Salimans et al., "Improved
Techniques for Training GANs") on TensorFlow 2.

Each example is normalized with the statistics of the reference batch plus
itself: mean and mean square are (x_stats + R * ref_stats) / (R + 1) for a
reference batch of R examples, the variance their difference of squares;
then gamma and beta per feature. The reference statistics are computed
when the VBN is constructed, from the `reference_batch` tensor given (in TF 2
that tensor holds values; construct a new VBN for new reference activations
and pass `beta=` / `gamma=` of the old one to keep its parameters).

State in TF 2: TF-GAN creates beta / gamma with `tf.get_variable`; here the
VBN (a `tf.Module`) owns them as `tf.Variable`s (`vbn.trainable_variables`),
or uses the `beta=` / `gamma=` variables passed in (not in TF-GAN).
Regularizers, when given, are exposed as `vbn.losses` (TF-GAN added them to
a graph collection).
"""

from __future__ import annotations

from typing import Any, Callable

import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = ["VBN"]

TensorLike = tf.types.experimental.TensorLike
# Plain Python inside tf.function (no autograph conversion on first trace).
_no_autograph = tf.autograph.experimental.do_not_convert


def _statistics(x: tf.Tensor, axes: list[int]) -> tuple[tf.Tensor, tf.Tensor]:
  """Mean and mean square of `x` over `axes` (float16 computed in float32),
  the mean with TF-GAN's shift for accuracy."""
  y = tf.cast(x, tf.float32) if x.dtype == tf.float16 else x
  shift = tf.stop_gradient(tf.reduce_mean(y, axis=axes, keepdims=True))
  mean = tf.reduce_mean(y - shift, axis=axes, keepdims=True) + shift
  mean_sq = tf.reduce_mean(tf.square(y), axis=axes, keepdims=True)
  mean, mean_sq = tf.squeeze(mean, axes), tf.squeeze(mean_sq, axes)
  if x.dtype == tf.float16:
    return tf.cast(mean, tf.float16), tf.cast(mean_sq, tf.float16)
  return mean, mean_sq


def _axis(rank: int, axis: int) -> int:
  used = axis + rank if axis < 0 else axis
  if not 0 <= used < rank:
    raise InputError(f"Axis {axis} is out of range for input of rank "
                     f"{rank}.")
  return used


class VBN(tf.Module):
  """Virtual batch normalization (TF-GAN's `features.VBN`; module docstring).

  Args:
    reference_batch: [R, ...] reference examples (known rank).
    axis: the feature axis (default -1).
    epsilon: added to the variance (default 1e-3).
    center, scale: use beta / gamma.
    beta_initializer, gamma_initializer: initial values, each called as
      init(shape, dtype) (default zeros / ones).
    beta_regularizer, gamma_regularizer: optional; see `losses`.
    trainable: whether the created variables are trainable.
    name: the module name (default "VBN").
    batch_axis: the batch axis (default 0), not `axis`.
    beta, gamma: existing [features] variables to use (not in TF-GAN).
  """

  def __init__(self, reference_batch: TensorLike, axis: int = -1,
               epsilon: float = 1e-3, center: bool = True, scale: bool = True,
               beta_initializer: Callable[..., Any] = tf.zeros_initializer(),
               gamma_initializer: Callable[..., Any] = tf.ones_initializer(),
               beta_regularizer: Callable[..., Any] | None = None,
               gamma_regularizer: Callable[..., Any] | None = None,
               trainable: bool = True, name: str | None = None,
               batch_axis: int = 0, *, beta: tf.Variable | None = None,
               gamma: tf.Variable | None = None):
    super().__init__(name=name or "VBN")
    reference_batch = tf.convert_to_tensor(reference_batch)
    rank = reference_batch.shape.rank
    if rank is None:
      raise InputError("reference_batch has unknown rank.")
    axis = _axis(rank, axis)
    self._batch_axis = _axis(rank, batch_axis)
    if axis == self._batch_axis:
      raise InputError("axis and batch_axis cannot be the same.")
    self._epsilon = epsilon
    self._reference_batch = reference_batch
    self._rank = rank
    self._broadcast_shape = [1] * rank
    self._broadcast_shape[axis] = reference_batch.shape[axis]
    self._example_axes = [a for a in range(rank)
                          if a not in (axis, self._batch_axis)]
    self._needs_broadcasting = self._example_axes != list(range(rank))[:-2]
    self._ref_mean, self._ref_mean_sq = _statistics(
        reference_batch, [a for a in range(rank) if a != axis])
    self._ref_variance = self._ref_mean_sq - tf.square(self._ref_mean)
    ref_size = tf.cast(tf.shape(reference_batch)[self._batch_axis],
                       tf.float32)
    self._example_weight = 1.0 / (ref_size + 1.0)
    self._ref_weight = 1.0 - self._example_weight
    params_shape = (reference_batch.shape[axis],)
    dtype = reference_batch.dtype
    self._regularizers = []
    self._beta = 0
    self._gamma = 1
    if center:
      self._beta = beta if beta is not None else tf.Variable(
          beta_initializer(params_shape, dtype=dtype), trainable=trainable,
          name="beta")
      if beta_regularizer is not None:
        self._regularizers.append((beta_regularizer, self._beta))
    if scale:
      self._gamma = gamma if gamma is not None else tf.Variable(
          gamma_initializer(params_shape, dtype=dtype), trainable=trainable,
          name="gamma")
      if gamma_regularizer is not None:
        self._regularizers.append((gamma_regularizer, self._gamma))

  @property
  def beta(self):
    """The offset variable (0 without `center`)."""
    return self._beta

  @property
  def gamma(self):
    """The scale variable (1 without `scale`)."""
    return self._gamma

  @property
  def losses(self) -> list[tf.Tensor]:
    """The regularizers' values on beta / gamma (empty without any)."""
    return [regularizer(value) for regularizer, value in self._regularizers]

  def _broadcast(self, value, shape=None):
    if self._needs_broadcasting and not isinstance(value, (int, float)):
      return tf.reshape(value, shape or self._broadcast_shape)
    return value

  @_no_autograph
  def reference_batch_normalization(self) -> tf.Tensor:
    """The reference batch, batch-normalized with its own statistics."""
    return tf.nn.batch_normalization(
        self._reference_batch, self._broadcast(self._ref_mean),
        self._broadcast(self._ref_variance), self._broadcast(self._beta),
        self._broadcast(self._gamma), self._epsilon)

  @_no_autograph
  def __call__(self, inputs: TensorLike) -> tf.Tensor:
    """Virtual-batch-normalizes `inputs` (the reference's shape except on
    the batch axis)."""
    inputs = tf.convert_to_tensor(inputs)
    ref_shape = self._reference_batch.shape.as_list()
    in_shape = inputs.shape.as_list()
    del ref_shape[self._batch_axis]
    del in_shape[self._batch_axis]
    if not tf.TensorShape(in_shape).is_compatible_with(ref_shape):
      raise InputError(f"inputs of shape {inputs.shape} do not match the "
                       f"reference batch {self._reference_batch.shape} "
                       "outside the batch axis.")
    mean, mean_sq = _statistics(inputs, self._example_axes)
    weight = tf.cast(self._example_weight, mean.dtype)
    ref_weight = tf.cast(self._ref_weight, mean.dtype)
    vb_mean = weight * mean + ref_weight * self._ref_mean
    vb_mean_sq = weight * mean_sq + ref_weight * self._ref_mean_sq
    vb_variance = vb_mean_sq - tf.square(vb_mean)
    shape = list(self._broadcast_shape)
    shape[self._batch_axis] = tf.shape(inputs)[self._batch_axis]
    return tf.nn.batch_normalization(
        inputs, self._broadcast(vb_mean, shape),
        self._broadcast(vb_variance, shape), self._broadcast(self._beta),
        self._broadcast(self._gamma), self._epsilon)
