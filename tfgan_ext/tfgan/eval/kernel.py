"""TF-GAN's kernel classifier distances (KID; tensorflow_gan 2.1.0,
`tfgan.eval.classifier_metrics`; Binkowski et al. 2018,
https://arxiv.org/abs/1801.01401).

TF-GAN's estimator is the block estimator of https://arxiv.org/abs/1307.1954:
both sets are cut, in their given order, into n_blocks = ceil(max(N1, N2) /
max_block_size) contiguous blocks of near-equal size (the first blocks one
row shorter when N does not divide); the unbiased MMD^2 with the cubic kernel
(x.y / d + 1)^3 is taken for each block pair, and the result is the mean over
blocks with the standard error sqrt(var / n_blocks) (var with Bessel's
correction; NaN for one block). The per-block MMD^2 is the library's
`tfgan_ext.metrics.kid.unbiased_mmd2`; only the blocking (TF-GAN's option,
unlike the library's random subsets) lives here. As in TF-GAN, the kernels
are computed in the activations' dtype (or `dtype`).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Tuple

import numpy as np
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.metrics import kid as library_kid
from tfgan_ext.tfgan.eval import _adapt
from tfgan_ext.tfgan.eval import running

__all__ = [
    "kernel_classifier_distance",
    "kernel_classifier_distance_and_std",
    "kernel_classifier_distance_and_std_from_activations",
    "kernel_classifier_distance_from_activations",
]


def _block_starts(n: int, n_blocks: int) -> np.ndarray:
  """Boundaries of n_blocks contiguous blocks: the last n mod n_blocks blocks
  hold one extra row (TF-GAN's split)."""
  base, extra = divmod(n, n_blocks)
  sizes = [base] * (n_blocks - extra) + [base + 1] * extra
  return np.concatenate([[0], np.cumsum(sizes)])


def _check_block_size(max_block_size: Any) -> int:
  if isinstance(max_block_size, bool) or not isinstance(
      max_block_size, (int, np.integer)) or max_block_size < 1:
    raise InputError(f"max_block_size must be a positive int, got "
                     f"{max_block_size!r}.")
  return int(max_block_size)


def _check_blocks(n_a: int, n_b: int, max_block_size: int) -> int:
  """The number of blocks; InputError when a block would hold < 2 rows."""
  n_blocks = math.ceil(max(n_a, n_b) / max_block_size)
  smallest = min(n_a, n_b) // n_blocks
  if smallest < 2:
    raise InputError(
        f"{n_blocks} block(s) of at most max_block_size={max_block_size} rows "
        f"leave blocks of {smallest} sample(s) from the {min(n_a, n_b)}-sample "
        f"set; the unbiased estimate needs >= 2 per block. Pass more samples "
        f"or a larger max_block_size.")
  return n_blocks


def block_estimate(a: np.ndarray, b: np.ndarray,
                   max_block_size: int) -> Tuple[float, float]:
  """(mean, standard error) of the block MMD^2 estimates of a and b."""
  if a.shape[1] != b.shape[1]:
    raise InputError(f"The activations differ in dimension: {a.shape} vs "
                     f"{b.shape}.")
  n_blocks = _check_blocks(a.shape[0], b.shape[0], max_block_size)
  starts_a = _block_starts(a.shape[0], n_blocks)
  starts_b = _block_starts(b.shape[0], n_blocks)
  estimates = np.array([
      library_kid.unbiased_mmd2(a[starts_a[i]:starts_a[i + 1]],
                                b[starts_b[i]:starts_b[i + 1]])
      for i in range(n_blocks)])
  mean = estimates.mean()
  if n_blocks == 1:
    return float(mean), float("nan")
  variance = np.square(estimates - mean).sum() / (n_blocks - 1)
  return float(mean), float(np.sqrt(variance / n_blocks))


@_adapt.not_converted
def kernel_classifier_distance_and_std_from_activations(
    activations1: Any, activations2: Any, max_block_size: int = 1024,
    dtype: Optional[Any] = None) -> Tuple[tf.Tensor, tf.Tensor]:
  """KID and its standard error from activations (TF-GAN's block estimator).

  Args:
    activations1, activations2: activations [N1, D] and [N2, D], in random
      order (blocks are contiguous).
    max_block_size: largest block; smaller blocks give a better standard
      error, larger ones a lower-variance estimate.
    dtype: None (both sets must then share a dtype) or the float dtype the
      activations are cast to before computing.

  Returns:
    (distance, standard error): scalar tensors of the compute dtype; the
    error is NaN when there is a single block.
  """
  max_block_size = _check_block_size(max_block_size)
  a = _adapt.activations_tensor(activations1, "activations1")
  b = _adapt.activations_tensor(activations2, "activations2")
  if dtype is None:
    if a.dtype != b.dtype:
      raise InputError(f"The activations differ in dtype ({a.dtype.name} vs "
                       f"{b.dtype.name}); pass dtype= to cast both.")
    dtype = a.dtype
  else:
    dtype = _adapt.float_dtype(dtype)
    a, b = tf.cast(a, dtype), tf.cast(b, dtype)
  if not a.shape[1:].is_compatible_with(b.shape[1:]):
    raise InputError(f"The activations differ in dimension: {a.shape} vs "
                     f"{b.shape}.")
  if a.shape[0] is not None and b.shape[0] is not None:
    _check_blocks(a.shape[0], b.shape[0], max_block_size)
  return _adapt.numpy_call(
      lambda x, y: block_estimate(x, y, max_block_size), [a, b],
      [dtype, dtype])


@_adapt.not_converted
def kernel_classifier_distance_from_activations(
    activations1: Any, activations2: Any, max_block_size: int = 1024,
    dtype: Optional[Any] = None) -> tf.Tensor:
  """KID from activations; see
  `kernel_classifier_distance_and_std_from_activations`."""
  return kernel_classifier_distance_and_std_from_activations(
      activations1, activations2, max_block_size, dtype)[0]


def kernel_classifier_distance_and_std(
    input_tensor1: Any, input_tensor2: Any,
    classifier_fn: Callable[[tf.Tensor], tf.Tensor], num_batches: int = 1,
    max_block_size: int = 1024,
    dtype: Optional[Any] = None) -> Tuple[tf.Tensor, tf.Tensor]:
  """KID and its standard error of the classifier activations of two input
  sets (each run in `num_batches` equal batches)."""
  return kernel_classifier_distance_and_std_from_activations(
      running.run_classifier_fn(input_tensor1, classifier_fn, num_batches),
      running.run_classifier_fn(input_tensor2, classifier_fn, num_batches),
      max_block_size, dtype)


def kernel_classifier_distance(input_tensor1: Any, input_tensor2: Any,
                               classifier_fn: Callable[[tf.Tensor],
                                                       tf.Tensor],
                               num_batches: int = 1,
                               max_block_size: int = 1024,
                               dtype: Optional[Any] = None) -> tf.Tensor:
  """KID of the classifier activations of two input sets; see
  `kernel_classifier_distance_and_std`."""
  return kernel_classifier_distance_and_std(
      input_tensor1, input_tensor2, classifier_fn, num_batches,
      max_block_size, dtype)[0]
