"""TF-GAN's `instance_norm` and `group_norm` (from tf.contrib.layers) on
TensorFlow 2, as functions.

The math is TF-GAN's: instance norm (Ulyanov et al.) normalizes each
example and channel over the spatial axes; group norm (Wu & He) each example
and group of channels over `reduction_axes` and the group. Both then apply
gamma and beta per channel, then `activation_fn`.

State in TF 2: TF-GAN creates beta / gamma with `tf.get_variable` in a
variable scope. Here they are explicit keyword arguments (`beta=`,
`gamma=`: tensors or variables of shape [channels], e.g. your model's
variables); when not given they take their initial values, from
`param_initializers` ({"beta": init, "gamma": init}, each init called as
init(shape, dtype)) or zeros / ones, so the output equals TF-GAN's at
initialization. For trainable parameters in a Keras model, use
`keras.layers.GroupNormalization` (groups=C for instance norm).
`reuse`, `outputs_collections`, `trainable` and `scope` are accepted and
ignored.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = ["group_norm", "instance_norm"]

TensorLike = tf.types.experimental.TensorLike
# Plain Python inside tf.function (no autograph conversion on first trace).
_no_autograph = tf.autograph.experimental.do_not_convert
DATA_FORMAT_NCHW = "NCHW"
DATA_FORMAT_NHWC = "NHWC"


def _param(value: TensorLike | None, enabled: bool, key: str,
           initializers: dict[str, Callable] | None, default: float,
           channels: int, dtype: tf.DType) -> tf.Tensor | None:
  if not enabled:
    return None
  if value is not None:
    return tf.cast(tf.convert_to_tensor(value), dtype)
  init = (initializers or {}).get(key)
  if init is None:
    return tf.fill([channels], tf.cast(default, dtype))
  return tf.cast(tf.convert_to_tensor(init([channels], dtype=dtype)), dtype)


@_no_autograph
def instance_norm(inputs: TensorLike, center: bool = True, scale: bool = True,
                  epsilon: float = 1e-6,
                  activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = None,
                  param_initializers: dict[str, Callable] | None = None,
                  reuse: Any = None, outputs_collections: Any = None,
                  trainable: bool = True,
                  data_format: str = DATA_FORMAT_NHWC,
                  scope: str | None = None, *,
                  beta: TensorLike | None = None,
                  gamma: TensorLike | None = None) -> tf.Tensor:
  """Instance normalization (TF-GAN's `features.instance_norm`).

  Args:
    inputs: [B, ..., C] (NHWC) or [B, C, ...] (NCHW), rank >= 2.
    center, scale: add beta / multiply by gamma.
    epsilon: added to the variance (default 1e-6).
    activation_fn: applied to the output, if given.
    param_initializers: {"beta": init, "gamma": init} initial values.
    reuse, outputs_collections, trainable, scope: ignored (TF 1 scopes).
    data_format: "NHWC" (default) or "NCHW".
    beta, gamma: explicit [C] parameters (not in TF-GAN; module docstring).
  Returns:
    The normalized tensor, `inputs`' shape and dtype.
  """
  del reuse, outputs_collections, trainable, scope
  inputs = tf.convert_to_tensor(inputs)
  rank = inputs.shape.rank
  if rank is None:
    raise InputError("instance_norm needs inputs of known rank.")
  if data_format not in (DATA_FORMAT_NCHW, DATA_FORMAT_NHWC):
    raise InputError("data_format has to be either NCHW or NHWC; got "
                     f"{data_format!r}.")
  channel_axis = 1 if data_format == DATA_FORMAT_NCHW else rank - 1
  channels = inputs.shape[channel_axis]
  if channels is None:
    raise InputError(f"instance_norm needs a known channel dimension; got "
                     f"shape {inputs.shape}.")
  axes = [a for a in range(1, rank) if a != channel_axis]
  broadcast = [1] * rank
  broadcast[channel_axis] = channels
  with tf.name_scope("InstanceNorm"):
    beta_t = _param(beta, center, "beta", param_initializers, 0.0, channels,
                    inputs.dtype)
    gamma_t = _param(gamma, scale, "gamma", param_initializers, 1.0, channels,
                     inputs.dtype)
    if beta_t is not None:
      beta_t = tf.reshape(beta_t, broadcast)
    if gamma_t is not None:
      gamma_t = tf.reshape(gamma_t, broadcast)
    mean, variance = tf.nn.moments(inputs, axes=axes, keepdims=True)
    outputs = tf.nn.batch_normalization(inputs, mean, variance, beta_t,
                                        gamma_t, epsilon)
  if activation_fn is not None:
    outputs = activation_fn(outputs)
  return outputs


@_no_autograph
def group_norm(inputs: TensorLike, groups: int = 32, channels_axis: int = -1,
               reduction_axes: Sequence[int] = (-3, -2), center: bool = True,
               scale: bool = True, epsilon: float = 1e-6,
               activation_fn: Callable[[tf.Tensor], tf.Tensor] | None = None,
               param_initializers: dict[str, Callable] | None = None,
               reuse: Any = None, outputs_collections: Any = None,
               trainable: bool = True, scope: str | None = None,
               mean_close_to_zero: bool = False, *,
               beta: TensorLike | None = None,
               gamma: TensorLike | None = None) -> tf.Tensor:
  """Group normalization (TF-GAN's `features.group_norm`).

  Args:
    inputs: rank >= 2 with a channel axis; non-batch dims must be known.
    groups: number of channel groups (must divide the channels; default 32).
    channels_axis: the channel axis (default -1: NHWC; -3 for NCHW).
    reduction_axes: axes the statistics also run over (default (-3, -2);
      (-2, -1) for NCHW); exclusive of `channels_axis`.
    center, scale, epsilon, activation_fn, param_initializers: as
      instance_norm.
    reuse, outputs_collections, trainable, scope: ignored (TF 1 scopes).
    mean_close_to_zero: compute the variance from sums of squares
      (tf.nn.sufficient_statistics), as TF-GAN does with this flag.
    beta, gamma: explicit [C] parameters (not in TF-GAN; module docstring).
  Returns:
    The normalized tensor, `inputs`' shape and dtype.
  """
  del reuse, outputs_collections, trainable, scope
  inputs = tf.convert_to_tensor(inputs)
  rank = inputs.shape.rank
  if rank is None:
    raise InputError("group_norm needs inputs of known rank.")
  if channels_axis > rank - 1:
    raise InputError(f"channels_axis {channels_axis} is out of bounds for "
                     f"rank {rank}.")
  channels_axis %= rank
  channels = inputs.shape[channels_axis]
  if channels is None:
    raise InputError(f"group_norm needs a known channel dimension; got "
                     f"shape {inputs.shape}.")
  axes = [a % rank for a in reduction_axes]
  for a in axes:
    if inputs.shape[a] is None:
      raise InputError(f"group_norm needs known dimensions on the reduction "
                       f"axes; got shape {inputs.shape}.")
    if a == channels_axis:
      raise InputError("reduction_axes must not contain channels_axis.")
  if groups > channels:
    raise InputError(f"Invalid groups {groups} for {channels} channels.")
  if channels % groups:
    raise InputError(f"{channels} channels is not commensurate with {groups} "
                     "groups.")
  dynamic = tf.shape(inputs)
  shape = [dim if dim is not None else dynamic[i]
           for i, dim in enumerate(inputs.shape)]
  per_group = channels // groups
  grouped_shape = (shape[:channels_axis] + [groups, per_group]
                   + shape[channels_axis + 1:])
  params_shape = ([1] * channels_axis + [groups, per_group]
                  + [1] * (rank - channels_axis - 1))
  moments_axes = [channels_axis + 1] + [a + 1 if a > channels_axis else a
                                        for a in axes]
  with tf.name_scope("GroupNorm"):
    x = tf.reshape(inputs, grouped_shape)
    if mean_close_to_zero:
      counts, mean_ss, variance_ss, _ = tf.nn.sufficient_statistics(
          x, moments_axes, keepdims=True)
      mean, variance = tf.nn.normalize_moments(counts, mean_ss, variance_ss,
                                               shift=None)
    else:
      mean, variance = tf.nn.moments(x, axes=moments_axes, keepdims=True)
    gain = tf.math.rsqrt(variance + epsilon)
    offset = -mean * gain
    gamma_t = _param(gamma, scale, "gamma", param_initializers, 1.0, channels,
                     inputs.dtype)
    beta_t = _param(beta, center, "beta", param_initializers, 0.0, channels,
                    inputs.dtype)
    if gamma_t is not None:
      gamma_t = tf.reshape(gamma_t, params_shape)
      gain *= gamma_t
      offset *= gamma_t
    if beta_t is not None:
      offset += tf.reshape(beta_t, params_shape)
    outputs = tf.reshape(x * gain + offset, shape)
  if activation_fn is not None:
    outputs = activation_fn(outputs)
  return outputs
