"""Inception Score from classifier logits (Salimans et al. 2016)."""

from __future__ import annotations

from typing import Tuple

import numpy as np

__all__ = ["inception_score", "split_scores"]


def _softmax(logits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """(p, log p) of the rows of `logits` [n, K], with one exp pass."""
  shifted = logits - logits.max(axis=1, keepdims=True)
  unnormalized = np.exp(shifted)
  total = unnormalized.sum(axis=1, keepdims=True)
  return unnormalized / total, shifted - np.log(total)


def _score(p: np.ndarray, log_p: np.ndarray) -> float:
  """exp(E_x KL(p(y|x) || p(y))) for one split: probabilities p [n, K] and
  their logarithms."""
  marginal = p.mean(axis=0)
  with np.errstate(divide="ignore"):
    log_marginal = np.log(marginal)
  # p log(p / p(y)) is 0 wherever p is 0 (also where p(y) is 0).
  terms = np.where(p > 0.0, p * (log_p - log_marginal), 0.0)
  return float(np.exp(terms.sum(axis=1).mean()))


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
  p, log_p = _softmax(logits)
  if num_splits > 1:  # One split's score does not depend on the row order.
    order = np.random.default_rng(seed).permutation(n)
    p, log_p = p[order], log_p[order]
  return np.array([_score(a, b) for a, b in zip(
      np.array_split(p, num_splits), np.array_split(log_p, num_splits))])


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
