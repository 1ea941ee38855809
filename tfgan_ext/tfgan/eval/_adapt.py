"""Argument handling shared by the TF-GAN eval adapters.

TF-GAN's eval functions take tensors (or anything `tf.convert_to_tensor`
accepts) and return tensors; the library's metric cores are NumPy functions.
`numpy_call` bridges the two: eagerly it calls the core on the tensors'
arrays; while tracing (`tf.function`, a TF 1 graph) it inserts the call as a
`tf.numpy_function` node, so the same adapter works in both modes. The
results come back as tensors of TF-GAN's result dtype.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence, Tuple

import numpy as np
import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = ["activations_tensor", "float_dtype", "not_converted", "numpy_call"]


def not_converted(fn: Callable[..., Any]) -> Callable[..., Any]:
  """Marks a function that AutoGraph need not convert inside a tf.function.

  The metric functions have no tensor-dependent Python control flow; leaving
  them (and everything they call) unconverted saves seconds of tracing per
  function. Not used where a user's callable is called (AutoGraph converts
  user code called from converted code, as TF-GAN's `tf.map_fn` did).
  """
  return tf.autograph.experimental.do_not_convert(fn)


def activations_tensor(value: Any, name: str) -> tf.Tensor:
  """`value` as a float tensor of rank 2 ([num_samples, dim]).

  Raises InputError for a known rank other than 2 or a non-float dtype
  (TF-GAN raises ValueError from its shape assertion; InputError is one).
  """
  tensor = tf.convert_to_tensor(value)
  if tensor.shape.rank is not None and tensor.shape.rank != 2:
    raise InputError(f"{name} must be 2-D [num_samples, dim], got shape "
                     f"{tensor.shape}.")
  if not tensor.dtype.is_floating:
    raise InputError(f"{name} must be a float tensor, got {tensor.dtype.name}; "
                     f"cast the activations / logits to float32 or float64.")
  return tensor


def float_dtype(dtype: Any) -> tf.DType:
  """A TF float dtype from a tf.DType, NumPy dtype or name (TF-GAN's `dtype`
  arguments accept these)."""
  dtype = tf.as_dtype(dtype)
  if not dtype.is_floating:
    raise InputError(f"dtype must be a float type, got {dtype.name}.")
  return dtype


def _numpy_compute_dtype(dtype: tf.DType) -> tf.DType:
  """float16 / bfloat16 have no fast NumPy path: they go in as float64, as
  TF-GAN's float64 computations take them."""
  return dtype if dtype in (tf.float32, tf.float64) else tf.float64


def numpy_call(fn: Callable[..., Any], tensors: Sequence[tf.Tensor],
               out_dtypes: Sequence[tf.DType], *,
               stateful: bool = False) -> Tuple[tf.Tensor, ...]:
  """Runs the NumPy function `fn(*arrays) -> tuple of scalars`.

  Inputs of a dtype without a NumPy compute path (float16, bfloat16) are cast
  to float64 first. Each result is returned as a scalar tensor of the
  matching `out_dtypes` entry. Eagerly `fn` runs directly on the arrays;
  inside a traced function it runs as a `tf.numpy_function` node (not
  XLA-compilable, like TF-GAN's own `py_func` uses).
  """
  tensors = [tf.cast(t, _numpy_compute_dtype(t.dtype)) if t.dtype.is_floating
             else t for t in tensors]
  np_dtypes = [d.as_numpy_dtype for d in out_dtypes]

  def run(*arrays):
    values = fn(*arrays)
    return tuple(np.asarray(v, dtype=d) for v, d in zip(values, np_dtypes))

  if tf.executing_eagerly():
    arrays = [t.numpy() for t in tensors]
    return tuple(tf.constant(v) for v in run(*arrays))
  outputs = tf.numpy_function(run, list(tensors), list(out_dtypes),
                              stateful=stateful)
  for output in outputs:
    output.set_shape([])
  return tuple(outputs)
