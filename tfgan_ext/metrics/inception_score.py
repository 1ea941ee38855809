"""Inception Score from classifier logits (Salimans et al. 2016)."""

from __future__ import annotations

from typing import Tuple

import numpy as np
import scipy.special

__all__ = ["inception_score", "split_scores"]


# Rows per block: a block's float64 buffers (about 8 MB at 1,008 classes)
# are reused between blocks instead of mapping fresh [n, K] arrays.
_BLOCK_ROWS = 1024


def _row_terms(logits: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
  """Per-row softmax terms of `logits` [b, K], in float64, in one exp pass.

  With s = logits - rowmax and Z = sum_k exp(s): p = exp(s) / Z, and since
  sum_k p = 1, sum_k p log p = sum_k p s - log Z, so no [b, K] logarithm and
  no normalized [b, K] array is formed (finite logits give finite s).

  Returns:
    (unnormalized exp(s) [b, K], Z [b], sum_k p log p [b]).
  """
  shifted = np.array(logits, dtype=np.float64)
  shifted -= shifted.max(axis=1, keepdims=True)
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
  scipy's xlogy). The rows are processed in blocks; a block adds to every
  split's marginal through one matrix product of per-row weights
  1 / (Z n_j) with its unnormalized exp(s).

  Args:
    logits: [n, K] classifier logits (any float dtype; computed in float64).
    num_splits: number of splits, 1 <= num_splits <= n.
    seed: seed of the row permutation.

  Returns:
    float64 [num_splits] scores.

  Raises:
    ValueError: logits not 2-D, not finite, or num_splits out of range.
  """
  logits = np.asarray(logits)
  if logits.ndim != 2:
    raise ValueError(f"logits must be [num_samples, num_classes], got "
                     f"{logits.shape}.")
  if not np.all(np.isfinite(logits)):
    raise ValueError("logits contain NaN or infinite values.")
  n, classes = logits.shape
  if not 1 <= num_splits <= n:
    raise ValueError(f"num_splits must be in [1, {n}], got {num_splits}.")
  split_of_row = np.zeros(n, dtype=np.int64)
  if num_splits > 1:
    order = np.random.default_rng(seed).permutation(n)
    for j, rows in enumerate(np.array_split(order, num_splits)):
      split_of_row[rows] = j
  counts = np.bincount(split_of_row, minlength=num_splits).astype(np.float64)
  marginals = np.zeros((num_splits, classes))
  neg_entropy_sums = np.zeros(num_splits)
  for start in range(0, n, _BLOCK_ROWS):
    unnormalized, total, neg_entropy = _row_terms(
        logits[start:start + _BLOCK_ROWS])
    split = split_of_row[start:start + _BLOCK_ROWS]
    weights = np.zeros((num_splits, split.size))
    weights[split, np.arange(split.size)] = 1.0 / (total * counts[split])
    marginals += weights @ unnormalized
    neg_entropy_sums += np.bincount(split, weights=neg_entropy,
                                    minlength=num_splits)
  return np.exp(neg_entropy_sums / counts
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
