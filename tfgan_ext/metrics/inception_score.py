"""Inception Score from classifier logits (Salimans et al. 2016)."""

from __future__ import annotations

from typing import Tuple

import numpy as np

__all__ = ["inception_score", "split_scores"]


def _log_softmax(logits: np.ndarray) -> np.ndarray:
  shifted = logits - logits.max(axis=1, keepdims=True)
  return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _score(log_p: np.ndarray) -> float:
  """exp(E_x KL(p(y|x) || p(y))) for one split of log-probabilities [n, K]."""
  p = np.exp(log_p)
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
  order = np.random.default_rng(seed).permutation(n)
  log_p = _log_softmax(logits)[order]
  return np.array([_score(part) for part in np.array_split(log_p, num_splits)])


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
