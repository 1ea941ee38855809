"""TF-GAN's weight clipping (WGAN's K-Lipschitz constraint, Arjovsky et
al.) for Keras optimizers.

`clip_variables(optimizer, variables, c)` returns a
`VariableClippingOptimizer` that applies the wrapped optimizer's update and
then clips each listed variable with `tf.clip_by_norm` over its clip
dimensions (none, for `clip_variables`: every element is clipped to
[-c, c]), as TF-GAN's. TF-GAN wraps a `tf.compat.v1.train.Optimizer`; here
the wrapped optimizer is a Keras 3 optimizer and the wrapper forwards
`apply_gradients(grads_and_vars)`, `apply(grads, variables)` and every other
attribute to it. It is not itself a `keras.optimizers.Optimizer`, so use it
in your own `tf.GradientTape` loop; with `tfgan_ext.GAN` use a
`keras.constraints` on D's weights instead.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = [
    "clip_variables",
    "clip_discriminator_weights",
    "VariableClippingOptimizer",
]


def _key(variable) -> Any:
  """A hashable key for a variable (TF 2 variables are unhashable)."""
  return variable.ref() if hasattr(variable, "ref") else id(variable)


def _variable(key) -> Any:
  """The variable of a `vars_to_clip_dims` key: a variable or its ref()."""
  return key.deref() if hasattr(key, "deref") else key


class VariableClippingOptimizer:
  """Applies `opt`'s update, then clips the norm of the listed variables.

  Args:
    opt: a Keras optimizer.
    vars_to_clip_dims: {variable.ref(): list of dimensions} (or pairs
      (variable, dimensions)) to take the L2 norm over (see
      `tf.clip_by_norm`); [] clips each element. TF-GAN keyed the dict by
      the variables, which TF 2 variables do not allow.
    max_norm: the norm to clip to.
    use_locking, colocate_clip_ops_with_vars: accepted, ignored (TF 1).
    name: a name for the wrapper.
  """

  def __init__(self, opt: Any,
               vars_to_clip_dims: Mapping[Any, Sequence[int]] | Iterable,
               max_norm: float, use_locking: bool = False,
               colocate_clip_ops_with_vars: bool = False,
               name: str = "VariableClipping"):
    del use_locking, colocate_clip_ops_with_vars
    self._opt = opt
    items = (vars_to_clip_dims.items()
             if isinstance(vars_to_clip_dims, Mapping) else vars_to_clip_dims)
    self._clip = {}
    for key, dims in items:
      var = _variable(key)
      self._clip[_key(var)] = (var, list(dims))
    self._max_norm = max_norm
    self._name = name

  def _clip_all(self, variables: Iterable[Any]) -> None:
    for var in variables:
      entry = self._clip.get(_key(var))
      if entry is None:
        continue
      value = tf.convert_to_tensor(var)
      max_norm = tf.cast(self._max_norm, value.dtype)
      dims = entry[1]
      if dims:
        var.assign(tf.clip_by_norm(value, max_norm, dims))
      else:  # the norm of one element is its magnitude
        var.assign(tf.clip_by_value(value, -max_norm, max_norm))

  def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Any]],
                      *args: Any, **kwargs: Any) -> Any:
    """The wrapped optimizer's `apply_gradients`, then the clipping of the
    listed variables that had a gradient."""
    pairs = list(grads_and_vars)
    result = self._opt.apply_gradients(pairs, *args, **kwargs)
    self._clip_all(var for grad, var in pairs if grad is not None)
    return result

  def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Any],
            *args: Any, **kwargs: Any) -> Any:
    """The wrapped optimizer's `apply`, then the clipping."""
    result = self._opt.apply(grads, trainable_variables, *args, **kwargs)
    self._clip_all(var for grad, var in zip(grads, trainable_variables)
                   if grad is not None)
    return result

  def __getattr__(self, name: str) -> Any:
    return getattr(self._opt, name)


def clip_variables(optimizer: Any, variables: Sequence[Any],
                   weight_clip: float) -> VariableClippingOptimizer:
  """An optimizer that clips each element of `variables` to
  [-weight_clip, weight_clip] after every update (TF-GAN's
  `features.clip_variables`).

  Raises:
    InputError: `weight_clip` < 0.
  """
  if weight_clip < 0:
    raise InputError(f"`discriminator_weight_clip` must be positive. "
                     f"Instead, was {weight_clip}")
  return VariableClippingOptimizer(
      optimizer, [(var, []) for var in variables], max_norm=weight_clip)


def clip_discriminator_weights(optimizer: Any, model: Any,
                               weight_clip: float
                               ) -> VariableClippingOptimizer:
  """`clip_variables(optimizer, model.discriminator_variables, weight_clip)`
  for a GANModel (TF-GAN's `features.clip_discriminator_weights`)."""
  return clip_variables(optimizer, model.discriminator_variables,
                        weight_clip)
