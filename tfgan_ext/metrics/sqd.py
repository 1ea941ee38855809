"""SQD monitors: weight angle (S) and mode diversity (D) pieces.

S: the angle between consecutive weight vectors of a network (all weights
flattened together). D: assign each sample to its nearest mode centroid in a
domain embedding, then the James-Stein shrinkage entropy of the assignments
(Hausser & Strimmer 2009), as in the SQD paper's Algorithm 1.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import tensorflow as tf

from tfgan_ext import tensor_utils

__all__ = ["james_stein_entropy", "nearest_centroid_assignments",
           "weight_angle"]


def weight_angle(weights_a: Sequence[tf.Tensor],
                 weights_b: Sequence[tf.Tensor]) -> tf.Tensor:
  """Angle in radians between two weight lists, each flattened together.

  A float32 scalar tensor; 0 when either side is all zeros. Works eagerly and
  inside tf.function (see tensor_utils.angle_between for the formula).
  """
  return tensor_utils.angle_between(list(weights_a), list(weights_b))


def james_stein_entropy(assignments: np.ndarray, num_modes: int) -> float:
  """Entropy (nats) of mode assignments under James-Stein shrinkage.

  p_ml = counts / n over `num_modes` bins; shrink toward the uniform target
  1/m with lambda = (1 - sum p_ml^2) / ((n - 1) sum (1/m - p_ml)^2), clipped
  to [0, 1] (lambda = 1 when the denominator is 0, e.g. n = 1 or p_ml already
  uniform); p = lambda / m + (1 - lambda) p_ml; H = -sum p log p (0 log 0 = 0).
  """
  assignments = np.asarray(assignments)
  if num_modes < 1:
    raise ValueError(f"num_modes must be positive, got {num_modes}.")
  if assignments.ndim != 1 or assignments.size == 0:
    raise ValueError("assignments must be a non-empty 1-D array of mode ids.")
  if not np.issubdtype(assignments.dtype, np.integer):
    raise ValueError(f"assignments must be integers, got {assignments.dtype}.")
  if assignments.min() < 0 or assignments.max() >= num_modes:
    raise ValueError(f"assignments must lie in [0, {num_modes}), got range "
                     f"[{assignments.min()}, {assignments.max()}].")
  n = assignments.size
  p_ml = np.bincount(assignments, minlength=num_modes) / n
  target = 1.0 / num_modes
  denominator = (n - 1) * np.sum((target - p_ml) ** 2)
  if denominator > 0.0:
    lam = float(np.clip((1.0 - np.sum(p_ml ** 2)) / denominator, 0.0, 1.0))
  else:
    lam = 1.0
  p = lam * target + (1.0 - lam) * p_ml
  nonzero = p[p > 0.0]
  return float(-np.sum(nonzero * np.log(nonzero)))


def nearest_centroid_assignments(embeddings: np.ndarray,
                                 centroids: np.ndarray, *,
                                 chunk_size: int = 4096) -> np.ndarray:
  """Index of the Euclidean-nearest centroid [m, e] for each embedding [n, e].

  Ties go to the lowest centroid index. Computed in float64, in row chunks.
  """
  x = np.asarray(embeddings, dtype=np.float64)
  c = np.asarray(centroids, dtype=np.float64)
  if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1]:
    raise ValueError(f"Need embeddings [n, e] and centroids [m, e], got "
                     f"{x.shape} and {c.shape}.")
  if c.shape[0] == 0:
    raise ValueError("Need at least one centroid.")
  c_sq = np.einsum("ij,ij->i", c, c)
  out = np.empty(x.shape[0], dtype=np.int64)
  for start in range(0, x.shape[0], chunk_size):
    part = x[start:start + chunk_size]
    # |x|^2 is the same for every centroid, so it does not change the argmin.
    out[start:start + len(part)] = np.argmin(c_sq - 2.0 * part @ c.T, axis=1)
  return out
