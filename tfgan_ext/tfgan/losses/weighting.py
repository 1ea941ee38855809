"""TF 1 loss weighting and reduction (`tf.compat.v1.losses`) for the TF-GAN
compat losses, and their optional scalar summaries.

`compute_weighted_loss` follows `tf.compat.v1.losses.compute_weighted_loss`
(TensorFlow 1.x / 2.15): the per-element losses and the weights are cast to
float32, multiplied, reduced as `reduction` says and cast back to the
losses' dtype. `weights` is a scalar or has the losses' rank with each
dimension 1 or equal to the losses' (a static check raises `InputError`
otherwise). Reductions (the `Reduction` strings are TensorFlow's):

* NONE: the weighted losses, unreduced.
* SUM: their sum.
* MEAN: the sum divided by the sum of the weights broadcast to the losses.
* SUM_OVER_BATCH_SIZE: the sum divided by the number of loss elements.
* SUM_BY_NONZERO_WEIGHTS (= SUM_OVER_NONZERO_WEIGHTS, TF-GAN's default): the
  sum divided by the number of elements whose broadcast weight is non-zero.

A division by zero gives 0 (`tf.math.divide_no_nan`), as in TensorFlow.
Nothing is added to a loss collection (TF 2 has none).
"""

from __future__ import annotations

import tensorflow as tf

from tfgan_ext.errors import InputError

TensorLike = tf.types.experimental.TensorLike


class Reduction:
  """The reduction names of `tf.compat.v1.losses.Reduction` (same strings)."""

  NONE = "none"
  SUM = "weighted_sum"
  SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
  MEAN = "weighted_mean"
  SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
  SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

  @classmethod
  def all(cls) -> tuple[str, ...]:
    """Every valid reduction string."""
    return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
            cls.SUM_BY_NONZERO_WEIGHTS)

  @classmethod
  def validate(cls, key: str) -> None:
    """Raises InputError unless `key` is one of `all()`."""
    if key not in cls.all():
      raise InputError(f"Unknown loss reduction {key!r}; use one of "
                       f"{list(cls.all())} (tf.compat.v1.losses.Reduction).")


def _check_broadcastable(weights: tf.Tensor, losses: tf.Tensor) -> None:
  w_rank, l_rank = weights.shape.rank, losses.shape.rank
  if w_rank is None or l_rank is None or w_rank == 0:
    return
  if w_rank != l_rank:
    raise InputError(
        f"weights of shape {weights.shape} cannot weight losses of shape "
        f"{losses.shape}: weights must be a scalar or have the losses' rank "
        f"{l_rank}, each dimension 1 or equal to the losses'.")
  for w_dim, l_dim in zip(weights.shape, losses.shape):
    if w_dim is not None and l_dim is not None and w_dim not in (1, l_dim):
      raise InputError(
          f"weights of shape {weights.shape} cannot weight losses of shape "
          f"{losses.shape}: each weights dimension must be 1 or equal to the "
          "losses'.")


def compute_weighted_loss(losses: TensorLike, weights: TensorLike = 1.0,
                          reduction: str = Reduction.SUM_BY_NONZERO_WEIGHTS
                          ) -> tf.Tensor:
  """Weights and reduces per-element `losses` (module docstring).

  Args:
    losses: float tensor of any shape [B, d1, ..., dN].
    weights: scalar, or a tensor of the losses' rank whose dimensions are 1
      or the losses' (default 1.0).
    reduction: a `Reduction` string (default SUM_BY_NONZERO_WEIGHTS).
  Returns:
    The losses' dtype: a scalar, or the losses' shape for NONE.
  """
  Reduction.validate(reduction)
  nonzero_number = (isinstance(weights, (int, float))
                    and not isinstance(weights, bool) and weights != 0)
  losses = tf.convert_to_tensor(losses)
  input_dtype = losses.dtype
  losses = tf.cast(losses, tf.float32)
  weights = tf.cast(tf.convert_to_tensor(weights), tf.float32)
  _check_broadcastable(weights, losses)
  weighted = losses * weights
  if reduction == Reduction.NONE:
    return tf.cast(weighted, input_dtype)
  total = tf.reduce_sum(weighted)
  if reduction == Reduction.MEAN:
    total = tf.math.divide_no_nan(
        total, tf.reduce_sum(tf.ones_like(losses) * weights))
  elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS and nonzero_number:
    total = tf.math.divide_no_nan(total, tf.cast(tf.size(losses), tf.float32))
  elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
    present = tf.cast(tf.not_equal(weights, 0.0), tf.float32)
    count = tf.reduce_sum(tf.broadcast_to(present, tf.shape(losses)))
    total = tf.math.divide_no_nan(total, count)
  elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
    total = tf.math.divide_no_nan(total, tf.cast(tf.size(losses), tf.float32))
  return tf.cast(total, input_dtype)


def scalar_summary(name: str, value: TensorLike) -> None:
  """Writes `value` as scalar summary `name` to the default `tf.summary`
  writer, at `tf.summary.experimental.get_step()` (step 0 when none is
  set); a no-op without a default writer. Non-scalar values are averaged
  (TF-GAN only summarizes scalars)."""
  step = tf.summary.experimental.get_step()
  value = tf.convert_to_tensor(value)
  if value.shape.rank != 0:
    value = tf.reduce_mean(value)
  tf.summary.scalar(name, value, step=0 if step is None else step)
