"""TF-GAN's spectral normalization functions on TensorFlow 2 (Miyato et al.).

TF-GAN keeps the power-iteration vector u in a TF 1 variable created by
`tf.get_variable` under the caller's variable scope. TF 2 has no variable
scopes, so here the state is explicit:

* pass `u_variable=`, a `tf.Variable` of shape [rows, 1] (rows = the weight's
  size / its last dimension; `spectral_norm_u_variable(w)` makes one), or
* pass the weight as a variable (`tf.Variable` or `keras.Variable`): its u is
  created on first use (N(0, 1), as TF-GAN) and kept for that variable for
  as long as it lives, eagerly and across `tf.function` traces.

A plain tensor without `u_variable` raises `InputError`. The estimate is
TF-GAN's: the weight reshaped to W [rows, cols] (a conv kernel
[KH, KW, C_in, C_out] to [KH * KW * C_in, C_out]), `power_iteration_rounds`
rounds of v = normalize(W^T u), u = normalize(W v), sigma = u^T W v with no
gradient through u and v; `training=True` stores the new u. Each round is
the library's `tfgan_ext.nn.spectral.spectral_norm_estimate` (on W^T, whose
right vector is TF-GAN's u). The Keras layers `tfgan_ext.nn.spectral`
(SNDense, SNConv2D, SNEmbedding) are the native way to use this in a model.
"""

from __future__ import annotations

import numbers
import weakref
from typing import Callable

import keras
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.nn.spectral import spectral_norm_estimate
from tfgan_ext.tfgan.unported import unported_function

__all__ = [
    "compute_spectral_norm",
    "spectral_normalize",
    "spectral_norm_regularizer",
    "spectral_normalization_custom_getter",
]

TensorLike = tf.types.experimental.TensorLike
# Plain Python inside tf.function (no autograph conversion on first trace).
_no_autograph = tf.autograph.experimental.do_not_convert
_OK_DTYPES = (tf.float16, tf.float32, tf.float64)
# id(weight variable) -> (weak reference to it, its u variable).
_U_BY_VARIABLE: dict[int, tuple[weakref.ref, tf.Variable]] = {}


def _is_variable(w) -> bool:
  return isinstance(w, (tf.Variable, keras.Variable))


def _rows(w: TensorLike) -> int:
  shape = tf.TensorShape(w.shape)
  if shape.rank is None or shape.rank < 2 or not shape.is_fully_defined():
    raise InputError("Spectral normalization needs a weight of known shape "
                     f"with at least 2 dimensions; got shape {shape}.")
  return shape.num_elements() // shape[-1]


def spectral_norm_u_variable(w: TensorLike, seed: int | None = None,
                             name: str = "spectral_norm_u") -> tf.Variable:
  """A non-trainable [rows, 1] N(0, 1) variable holding the power-iteration
  vector for weight `w` (TF-GAN's `spectral_norm_u`); not a TF-GAN name."""
  rows = _rows(w)
  dtype = tf.as_dtype(w.dtype)
  return tf.Variable(tf.random.normal([rows, 1], dtype=dtype, seed=seed),
                     trainable=False, name=name)


def _u_for(w: TensorLike, u_variable: tf.Variable | None) -> tf.Variable:
  if u_variable is not None:
    return u_variable
  if not _is_variable(w):
    raise InputError(
        "Spectral normalization of a tensor needs its power-iteration state: "
        "pass u_variable=tfgan.features.spectral_norm_u_variable(w) (created "
        "once, outside the training step), or pass the weight variable "
        "itself (TF 2 has no variable scopes to keep the state in).")
  entry = _U_BY_VARIABLE.get(id(w))
  if entry is not None and entry[0]() is w:
    return entry[1]
  u = spectral_norm_u_variable(w)
  key = id(w)
  _U_BY_VARIABLE[key] = (weakref.ref(w, lambda _: _U_BY_VARIABLE.pop(
      key, None)), u)
  return u


@_no_autograph
def compute_spectral_norm(w_tensor: TensorLike,
                          power_iteration_rounds: int = 1,
                          training: bool = True, name: str | None = None,
                          u_variable: tf.Variable | None = None) -> tf.Tensor:
  """Estimates the largest singular value of `w_tensor` (module docstring).

  Args:
    w_tensor: weight of rank >= 2 (float16/32/64), output channels last.
    power_iteration_rounds: power-iteration rounds per call (default 1).
    training: store the refined u in the state (default True); with False
      the rounds still run but the state is left unchanged (as TF-GAN).
    name: optional name scope.
    u_variable: the [rows, 1] state (see module docstring); not in TF-GAN.
  Returns:
    sigma, a scalar of the weight's dtype.
  """
  dtype = tf.as_dtype(w_tensor.dtype)
  if dtype not in _OK_DTYPES:
    raise InputError(f"Spectral normalization supports float16/32/64 "
                     f"weights; got {dtype.name}.")
  u_var = _u_for(w_tensor, u_variable)
  with tf.name_scope(name or "spectral_norm"):
    w = tf.convert_to_tensor(w_tensor)
    w = tf.reshape(w, [-1, w.shape[-1]])
    # TF-GAN's u is the left vector of w; the library's estimate iterates
    # the right vector of its matrix argument, so it gets w^T.
    w_t = tf.transpose(w)
    u = tf.reshape(tf.convert_to_tensor(u_var), [-1])
    sigma = None
    for _ in range(max(int(power_iteration_rounds), 1)):
      sigma, u = spectral_norm_estimate(w_t, u, update=True)
    if training:
      u_var.assign(tf.reshape(u, [-1, 1]))
    return sigma


@_no_autograph
def spectral_normalize(w: TensorLike, power_iteration_rounds: int = 1,
                       equality_constrained: bool = True,
                       training: bool = True, name: str | None = None,
                       u_variable: tf.Variable | None = None) -> tf.Tensor:
  """`w / sigma` (equality_constrained, the default) or `w / max(1, sigma)`
  with sigma from `compute_spectral_norm` (TF-GAN's `spectral_normalize`).

  Args:
    w: weight of rank >= 2 (a variable, or a tensor with `u_variable`).
    power_iteration_rounds, training, u_variable: as compute_spectral_norm.
    equality_constrained: True: spectral norm 1; False: at most 1.
    name: optional name scope.
  Returns:
    The normalized weight, `w`'s shape and dtype.
  """
  with tf.name_scope(name or "spectral_normalize"):
    sigma = compute_spectral_norm(w, power_iteration_rounds, training,
                                  u_variable=u_variable)
    if not equality_constrained:
      sigma = tf.maximum(tf.cast(1.0, sigma.dtype), sigma)
    return tf.convert_to_tensor(w) / sigma


def spectral_norm_regularizer(scale: float, power_iteration_rounds: int = 1,
                              training: bool = True, scope: str | None = None
                              ) -> Callable[..., tf.Tensor | None]:
  """`sn(weights)` = scale * sigma(weights), a regularizer (TF-GAN's
  `spectral_norm_regularizer`); scale 0 gives `lambda _: None`.

  `sn(weights, name=None, u_variable=None)`: `weights` a variable, or a
  tensor with its `u_variable` (module docstring).

  Raises:
    InputError: `scale` is an integer or negative (as TF-GAN's ValueError).
  """
  if isinstance(scale, numbers.Integral):
    raise InputError(f"scale cannot be an integer: {scale}")
  if isinstance(scale, numbers.Real):
    if scale < 0.0:
      raise InputError(f"Setting a scale less than 0 on a regularizer: "
                       f"{scale}")
    if scale == 0.0:
      return lambda _: None

  @_no_autograph
  def sn(weights, name=None, u_variable=None):
    with tf.name_scope(name or scope or "SpectralNormRegularizer"):
      sigma = compute_spectral_norm(weights, power_iteration_rounds, training,
                                    u_variable=u_variable)
      return tf.cast(scale, sigma.dtype) * sigma

  return sn


spectral_normalization_custom_getter = unported_function(
    "features.spectral_normalization_custom_getter",
    "custom getters need TF 1 variable scopes",
    "the spectrally normalized Keras layers tfgan_ext.nn.spectral.SNDense / "
    "SNConv2D / SNEmbedding, or tfgan.features.spectral_normalize(kernel) on "
    "a layer's kernel variable")
