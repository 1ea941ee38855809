"""TF-GAN's Fréchet classifier distances (tensorflow_gan 2.1.0,
`tfgan.eval.classifier_metrics`; Heusel et al. 2017,
https://arxiv.org/abs/1706.08500).

`frechet_classifier_distance(_from_activations)` is the library's
`tfgan_ext.metrics.frechet.frechet_distance` (means, unbiased covariances and
the result in float64; float32 activations have their Gram product formed in
float32, see that module) with TF-GAN's conventions around it: any float
input, the result cast to the first activations' dtype. Where TF-GAN and the
library differ: TF-GAN forms sqrt(A sigma_w A) with A = sqrtm(sigma) by two
SVDs (singular values below 1e-10 left unrooted); the library takes the
eigenvalues of sigma sigma_w from a generalized eigenproblem and clips the
result at 0. The numbers agree to float32 precision (tests/
test_tfgan_compat_eval.py); for identical inputs TF-GAN returns rounding
noise of either sign, the library 0 or a small positive number.

`mean_only_...` (|m - m_w|^2) and `diagonal_only_...` (the Fréchet distance of
Gaussians with diagonal covariances, with TF-GAN's biased variances from
tf.nn.moments) have no counterpart in the library; they are closed forms in
float64 TF ops here.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.metrics import frechet as library_frechet
from tfgan_ext.tfgan.eval import _adapt
from tfgan_ext.tfgan.eval import running

__all__ = [
    "diagonal_only_frechet_classifier_distance_from_activations",
    "frechet_classifier_distance",
    "frechet_classifier_distance_from_activations",
    "mean_only_frechet_classifier_distance_from_activations",
]


def _pair(activations1: Any, activations2: Any):
  a = _adapt.activations_tensor(activations1, "activations1")
  b = _adapt.activations_tensor(activations2, "activations2")
  if not a.shape[1:].is_compatible_with(b.shape[1:]):
    raise InputError(f"The activations differ in dimension: {a.shape} vs "
                     f"{b.shape}.")
  return a, b


def _compute_pair(a: tf.Tensor, b: tf.Tensor):
  """Both in float32 when both are float32, else both in float64."""
  if a.dtype == tf.float32 and b.dtype == tf.float32:
    return a, b
  return tf.cast(a, tf.float64), tf.cast(b, tf.float64)


def _frechet_of_activations(a: np.ndarray, b: np.ndarray):
  return (library_frechet.frechet_distance(a, b),)


@_adapt.not_converted
def frechet_classifier_distance_from_activations(activations1: Any,
                                                 activations2: Any
                                                 ) -> tf.Tensor:
  """Fréchet distance between Gaussians fitted to two activation sets.

  |m - m_w|^2 + Tr(C + C_w - 2 (C C_w)^(1/2)) with unbiased covariances.

  Args:
    activations1, activations2: float activations [N1, D] and [N2, D]
      (N >= 2; the sets may differ in size and dtype).

  Returns:
    A scalar tensor of activations1's dtype (computed in float64).
  """
  a, b = _pair(activations1, activations2)
  (value,) = _adapt.numpy_call(_frechet_of_activations, _compute_pair(a, b),
                               [a.dtype])
  return value


def frechet_classifier_distance(input_tensor1: Any, input_tensor2: Any,
                                classifier_fn: Callable[[tf.Tensor],
                                                        tf.Tensor],
                                num_batches: int = 1) -> tf.Tensor:
  """Fréchet distance of the classifier activations of two input sets.

  Args:
    input_tensor1, input_tensor2: classifier inputs [N, ...] (same N).
    classifier_fn: one-argument function returning activations [batch, D].
    num_batches: number of equal batches each set is run in (divides N).

  Returns:
    A scalar tensor of the activations' dtype.
  """
  return frechet_classifier_distance_from_activations(
      running.run_classifier_fn(input_tensor1, classifier_fn, num_batches),
      running.run_classifier_fn(input_tensor2, classifier_fn, num_batches))


def _float64_pair(activations1: Any, activations2: Any):
  a, b = _pair(activations1, activations2)
  return a.dtype, tf.cast(a, tf.float64), tf.cast(b, tf.float64)


@_adapt.not_converted
def mean_only_frechet_classifier_distance_from_activations(
    activations1: Any, activations2: Any) -> tf.Tensor:
  """|m - m_w|^2 of the two activation sets' means, in float64.

  Returns:
    A scalar tensor of activations1's dtype.
  """
  dtype, a, b = _float64_pair(activations1, activations2)
  diff = tf.reduce_mean(a, axis=0) - tf.reduce_mean(b, axis=0)
  return tf.cast(tf.reduce_sum(tf.square(diff)), dtype)


@_adapt.not_converted
def diagonal_only_frechet_classifier_distance_from_activations(
    activations1: Any, activations2: Any) -> tf.Tensor:
  """The Fréchet distance with the covariances cut to their diagonals.

  sum_i (m_i - m_w,i)^2 + v_i + v_w,i - 2 sqrt(v_i v_w,i), with the biased
  (divide-by-N) variances v of `tf.nn.moments`, as TF-GAN computes them.
  O(N D) instead of O(N D^2). Computed in float64.

  Returns:
    A scalar tensor of activations1's dtype.
  """
  dtype, a, b = _float64_pair(activations1, activations2)
  mean_a, var_a = tf.nn.moments(a, axes=[0])
  mean_b, var_b = tf.nn.moments(b, axes=[0])
  value = (tf.reduce_sum(var_a + var_b - 2.0 * tf.sqrt(var_a * var_b))
           + tf.reduce_sum(tf.square(mean_a - mean_b)))
  return tf.cast(value, dtype)
