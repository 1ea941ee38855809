"""Mixed precision: Keras dtype policies set per layer, and float32 islands.

`--precision=bfloat16` (or float16) keeps every variable in float32 and
computes in the low type, with Keras's "mixed_bfloat16" / "mixed_float16"
policies set on each layer of a built model (`apply_precision`), so no
global Keras state changes. What GAN training is sensitive to stays float32
in any precision:

- spectral norm: the power iteration and sigma (`nn.spectral`; the layers
  read their float32 kernels and cast only the normalized kernel),
- batch norm: moments, normalization and moving statistics
  (`nn.normalization`; outputs are cast to the compute type),
- the attention softmax (`nn.attention`),
- D's head: sum pooling, final linear layer, projection, and so the logits
  and every loss (layers marked with `keep_float32`), and G's output images,
- gradient statistics (aw-loss's dot products / norms / weights, the SQD
  angles, penalties' input-gradient norms): gradients of float32 variables
  and inputs are float32.
"""

from __future__ import annotations

from typing import Optional

import keras
import tensorflow as tf

from tfgan_ext.errors import InputError

PRECISIONS = ("float32", "bfloat16", "float16")
_POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16",
             "float16": "mixed_float16"}
_KEEP = "_tfgan_ext_keep_float32"


def check_precision(precision: str) -> None:
  """Raises InputError unless `precision` is one of PRECISIONS."""
  if precision not in PRECISIONS:
    raise InputError(f"precision must be one of {list(PRECISIONS)}; got "
                     f"{precision!r}. Use --precision=float32 (default), "
                     "bfloat16 or float16 (with loss scaling).")


def dtype_policy(precision: str) -> keras.DTypePolicy:
  """The Keras policy of `precision`: variables float32, compute low."""
  check_precision(precision)
  return keras.DTypePolicy(_POLICIES[precision])


def compute_dtype(precision: str) -> tf.DType:
  return tf.as_dtype(dtype_policy(precision).compute_dtype)


def keep_float32(layer: keras.layers.Layer) -> keras.layers.Layer:
  """Marks `layer` (and everything inside it) to stay float32 under
  `apply_precision`; returns it."""
  setattr(layer, _KEEP, True)
  return layer


def apply_precision(model: keras.layers.Layer, precision: str) -> None:
  """Sets `precision`'s policy on `model` and each nested layer, except
  those marked with `keep_float32`. Works on built models (variables keep
  their float32 dtype; only the compute dtype changes)."""
  policy = dtype_policy(precision)

  def visit(layer):
    if getattr(layer, _KEEP, False):
      return
    layer.dtype_policy = policy
    for child in layer._flatten_layers(  # pylint: disable=protected-access
        include_self=False, recursive=False):
      visit(child)

  visit(model)


def to_compute(x: tf.Tensor, layer: keras.layers.Layer) -> tf.Tensor:
  """`x` cast to `layer`'s compute dtype (a no-op in float32)."""
  return tf.cast(x, layer.compute_dtype)


def to_float32(x: Optional[tf.Tensor]) -> Optional[tf.Tensor]:
  return None if x is None else tf.cast(x, tf.float32)
