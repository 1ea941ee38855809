"""Inception Score from classifier logits (Salimans et al. 2016)."""

from __future__ import annotations

from typing import Tuple

import numpy as np
import scipy.special

__all__ = ["inception_score", "split_scores"]


def _row_terms(logits: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """Per-row softmax terms of float64 `logits` [n, K], in one exp pass.

  With s = logits - rowmax and Z = sum_k exp(s): p = exp(s) / Z, and since
  sum_k p = 1, sum_k p log p = sum_k p s - log Z, so no [n, K] logarithm and
  no normalized [n, K] array is formed (finite logits give finite s).

  Returns:
    (unnormalized exp(s) [n, K], Z [n], sum_k p log p [n]).
  """
  shifted = logits - logits.max(axis=1, keepdims=True)
  unnormalized = np.exp(shifted)
  total = unnormalized.sum(axis=1)
  neg_entropy = (np.einsum("ij,ij->i", unnormalized, shifted) / total
                 - np.log(total))
  return unnormalized, total, neg_entropy


def split_scores(logits: np.ndarray, num_splits: int = 10, *,
                 seed: int = 0) -> np.ndarray:
  """The per-split scores behind `inception_score`, in split order.

  Split j holds the rows `np.array_split(perm, num_splits)[j]` of the
  permutation perm = `np.random.default_rng(seed).permutation(n)` (no
  permutation for one split: its score does not depend on the row order).
  Its score is exp(E_x KL(p(y|x) || p(y))) = exp(mean_x sum_k p log p -
  sum_k m log m) with the split's marginal m = mean_x p (0 log 0 = 0,
  scipy's xlogy). The marginals of all splits come from one matrix product
  of per-row weights 1 / (Z n_j) with the unnormalized exp(s) [n, K].

  Args:
    logits: [n, K] classifier logits (any float dtype; computed in float64).
    num_splits: number of splits, 1 <= num_splits <= n.
    seed: seed of the row permutation.

  Returns:
    float64 [num_splits] scores.

  Raises:
    ValueError: logits not 2-D, not finite, or num_splits out of range.
  """
  logits = np.asarray(logits, dtype=np.float64)
  if logits.ndim != 2:
    raise ValueError(f"logits must be [num_samples, num_classes], got "
                     f"{logits.shape}.")
  if not np.all(np.isfinite(logits)):
    raise ValueError("logits contain NaN or infinite values.")
  n = logits.shape[0]
  if not 1 <= num_splits <= n:
    raise ValueError(f"num_splits must be in [1, {n}], got {num_splits}.")
  unnormalized, total, neg_entropy = _row_terms(logits)
  order = (np.arange(n) if num_splits == 1
           else np.random.default_rng(seed).permutation(n))
  parts = np.array_split(order, num_splits)
  weights = np.zeros((num_splits, n))
  for j, rows in enumerate(parts):
    weights[j, rows] = 1.0 / (total[rows] * len(rows))
  marginals = weights @ unnormalized  # [num_splits, K]
  mean_neg_entropy = np.array([neg_entropy[rows].mean() for rows in parts])
  return np.exp(mean_neg_entropy
                - scipy.special.xlogy(marginals, marginals).sum(axis=1))


def inception_score(logits: np.ndarray, num_splits: int = 10, *,
                    seed: int = 0) -> Tuple[float, float]:
  """Mean and standard deviation (ddof 0) of the score over shuffled splits.

  Softmax is applied to `logits` [n, K] in float64. The rows are shuffled with
  `np.random.default_rng(seed).permutation(n)` and cut into `num_splits`
  contiguous parts with `np.array_split` (sizes differ by at most one when n
  is not divisible). num_splits=1 gives the plain score of all samples (std 0).
  See `split_scores`.
  """
  scores = split_scores(logits, num_splits, seed=seed)
  return float(scores.mean()), float(scores.std())
