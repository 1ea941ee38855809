"""Inception Score from classifier logits (Salimans et al. 2016)."""

from __future__ import annotations

from typing import Tuple

import numpy as np
import scipy.special

__all__ = ["inception_score", "split_scores"]


def _row_terms(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """Softmax rows p [n, K] of `logits` [n, K] and their negative entropies
  sum_k p log p [n], with one exp pass and no [n, K] logarithm: with
  s = logits - max and Z = sum_k exp(s), log p = s - log Z and sum_k p = 1,
  so sum_k p log p = sum_k p s - log Z (finite logits give finite s)."""
  shifted = logits - logits.max(axis=1, keepdims=True)
  unnormalized = np.exp(shifted)
  total = unnormalized.sum(axis=1)
  p = unnormalized / total[:, None]
  return p, np.einsum("ij,ij->i", p, shifted) - np.log(total)


def _score(p: np.ndarray, neg_entropy: np.ndarray) -> float:
  """exp(E_x KL(p(y|x) || p(y))) for one split: probabilities p [n, K] and
  their rows' sum_k p log p [n]. E_x KL = E_x sum_k p log p - sum_k m log m
  with the marginal m = E_x p (0 log 0 = 0, scipy's xlogy)."""
  marginal = p.mean(axis=0)
  return float(np.exp(neg_entropy.mean()
                      - scipy.special.xlogy(marginal, marginal).sum()))


def split_scores(logits: np.ndarray, num_splits: int = 10, *,
                 seed: int = 0) -> np.ndarray:
  """The per-split scores behind `inception_score`, in split order."""
  logits = np.asarray(logits, dtype=np.float64)
  if logits.ndim != 2:
    raise ValueError(f"logits must be [num_samples, num_classes], got "
                     f"{logits.shape}.")
  if not np.all(np.isfinite(logits)):
    raise ValueError("logits contain NaN or infinite values.")
  n = logits.shape[0]
  if not 1 <= num_splits <= n:
    raise ValueError(f"num_splits must be in [1, {n}], got {num_splits}.")
  p, neg_entropy = _row_terms(logits)
  if num_splits > 1:  # One split's score does not depend on the row order.
    order = np.random.default_rng(seed).permutation(n)
    p, neg_entropy = p[order], neg_entropy[order]
  return np.array([_score(a, b) for a, b in zip(
      np.array_split(p, num_splits), np.array_split(neg_entropy, num_splits))])


def inception_score(logits: np.ndarray, num_splits: int = 10, *,
                    seed: int = 0) -> Tuple[float, float]:
  """Mean and standard deviation (ddof 0) of the score over shuffled splits.

  Softmax is applied to `logits` [n, K] in float64. The rows are shuffled with
  `np.random.default_rng(seed).permutation(n)` and cut into `num_splits`
  contiguous parts with `np.array_split` (sizes differ by at most one when n
  is not divisible). num_splits=1 gives the plain score of all samples (std 0).
  """
  scores = split_scores(logits, num_splits, seed=seed)
  return float(scores.mean()), float(scores.std())
