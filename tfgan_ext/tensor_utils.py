"""Small helpers on gradients and on lists of tensors taken as one vector,
and finiteness checks.

A gradient may be a dense tensor or a `tf.IndexedSlices` (what a gather,
e.g. `keras.layers.Embedding`, back-propagates to its table): `map_values`
and `scale` keep slices sparse, `to_dense` densifies them, and the
flat-vector functions below accept both.
"""

from __future__ import annotations

from typing import Callable, Sequence, Union

import tensorflow as tf

from tfgan_ext.errors import InputError


class NonFiniteWeightsError(InputError, FloatingPointError):
  """Network weights hold NaN or Inf (a diverged run, or a damaged
  checkpoint); no number may be computed from them."""


Gradient = Union[tf.Tensor, tf.IndexedSlices]


def to_dense(g: Gradient) -> tf.Tensor:
  """A dense tensor of `g` (IndexedSlices: rows scattered into zeros of
  `dense_shape`, duplicate indices summed); dense tensors pass through."""
  if isinstance(g, tf.IndexedSlices):
    return tf.convert_to_tensor(g)
  return g


def map_values(g: Gradient | None,
               fn: Callable[[tf.Tensor], tf.Tensor]) -> Gradient | None:
  """`fn` applied elementwise: to a dense tensor, or to an IndexedSlices'
  `values` (indices and dense_shape kept, so it stays sparse). `fn` must
  map 0 to 0 for the sparse result to equal fn of the dense tensor (e.g. a
  multiplication, not an addition). None stays None."""
  if g is None:
    return None
  if isinstance(g, tf.IndexedSlices):
    return tf.IndexedSlices(fn(g.values), g.indices, g.dense_shape)
  return fn(g)


def scale(g: Gradient | None, factor) -> Gradient | None:
  """g * factor (cast to g's dtype), sparse for IndexedSlices; None stays."""
  return map_values(g, lambda v: v * tf.cast(factor, v.dtype))


def flatten_concat(tensors: Sequence[tf.Tensor]) -> tf.Tensor:
  """Flattens every tensor and concatenates them into one float32 vector."""
  parts = [tf.reshape(tf.cast(to_dense(t), tf.float32), [-1])
           for t in tensors]
  if not parts:
    raise ValueError("flatten_concat needs at least one tensor.")
  return tf.concat(parts, axis=0)


def global_dot(a: Sequence[tf.Tensor], b: Sequence[tf.Tensor]) -> tf.Tensor:
  """Dot product of two lists of tensors as if each list were one flat vector
  (float32; IndexedSlices are densified)."""
  if len(a) != len(b):
    raise ValueError(f"Lists differ in length: {len(a)} vs {len(b)}.")
  return tf.add_n([
      tf.reduce_sum(tf.cast(to_dense(x), tf.float32)
                    * tf.cast(to_dense(y), tf.float32))
      for x, y in zip(a, b)
  ])


def global_norm(a: Sequence[tf.Tensor]) -> tf.Tensor:
  """Euclidean norm of a list of tensors taken as one flat vector."""
  return tf.sqrt(global_dot(a, a))


def angle_between(a: Sequence[tf.Tensor], b: Sequence[tf.Tensor]) -> tf.Tensor:
  """Angle in radians between two lists of tensors, each flattened together.

  Uses 2 * atan2(|u - v|, |u + v|) on the unit vectors u, v, which stays
  accurate for nearly parallel vectors where acos(cosine) loses all digits in
  float32. Returns 0 when either side is all zeros (no direction to compare).
  """
  if len(a) != len(b):
    raise ValueError(f"Lists differ in length: {len(a)} vs {len(b)}.")
  a = [to_dense(x) for x in a]
  b = [to_dense(y) for y in b]
  norm_a = global_norm(a)
  norm_b = global_norm(b)
  u = [tf.math.divide_no_nan(tf.cast(x, tf.float32), norm_a) for x in a]
  v = [tf.math.divide_no_nan(tf.cast(y, tf.float32), norm_b) for y in b]
  diff = global_norm([x - y for x, y in zip(u, v)])
  total = global_norm([x + y for x, y in zip(u, v)])
  angle = 2.0 * tf.atan2(diff, total)
  return tf.where((norm_a > 0.0) & (norm_b > 0.0), angle, tf.zeros_like(angle))


def non_finite_variables(variables: Sequence[tf.Variable]) -> list[str]:
  """Names (`.path`, else `.name`) of the floating-point variables that hold
  a NaN or an infinity, in the given order; [] when all are finite."""
  bad = []
  for variable in variables:
    if not tf.as_dtype(variable.dtype).is_floating:  # Keras: a str dtype.
      continue
    if not bool(tf.reduce_all(tf.math.is_finite(tf.convert_to_tensor(
        variable)))):
      bad.append(getattr(variable, "path", None) or variable.name)
  return bad


def check_finite_weights(variables: Sequence[tf.Variable], what: str) -> None:
  """Raises NonFiniteWeightsError when any floating-point variable of
  `variables` holds NaN or Inf.

  Args:
    variables: e.g. `generator.variables` after a restore or a train step.
    what: what they belong to, for the message (e.g. "the generator of
      run/ckpt-1000").
  """
  bad = non_finite_variables(variables)
  if bad:
    shown = ", ".join(bad[:3]) + (", ..." if len(bad) > 3 else "")
    raise NonFiniteWeightsError(
        f"{len(bad)} of {len(variables)} variables of {what} hold NaN or "
        f"infinite values ({shown}): the run diverged (or was given "
        "non-finite settings). Use an earlier checkpoint, or train again, "
        "e.g. with lower learning rates.")
