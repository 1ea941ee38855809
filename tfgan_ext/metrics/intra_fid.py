"""Intra-class FID (MHGAN's per-class Fréchet distance).

Each class's distance uses that class's real mean and covariance against the
generated mean and covariance of the same class. (The public MHGAN code used
the real covariance on both sides; that is not repeated here.)
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from tfgan_ext.metrics.frechet import frechet_distance

__all__ = ["intra_fid"]


def _check_labels(acts: np.ndarray, labels: np.ndarray, name: str):
  acts = np.asarray(acts)
  labels = np.asarray(labels)
  if labels.ndim != 1 or acts.ndim != 2 or labels.shape[0] != acts.shape[0]:
    raise ValueError(f"{name}: need activations [n, d] and labels [n], got "
                     f"{acts.shape} and {labels.shape}.")
  if not np.issubdtype(labels.dtype, np.integer):
    raise ValueError(f"{name}: labels must be integers, got {labels.dtype}.")
  return acts, labels


def _describe(classes) -> str:
  shown = sorted(int(c) for c in classes)
  more = f" and {len(shown) - 10} more" if len(shown) > 10 else ""
  return f"{shown[:10]}{more}"


def intra_fid(real_activations: np.ndarray, real_labels: np.ndarray,
              fake_activations: np.ndarray, fake_labels: np.ndarray, *,
              classes: Optional[Sequence[int]] = None
              ) -> Tuple[float, Dict[int, float]]:
  """Mean over classes of the per-class Fréchet distance, and per-class map.

  Args:
    real_activations, real_labels: real features [n, d] and their classes [n].
    fake_activations, fake_labels: generated features [m, d] and the classes
      they were conditioned on [m].
    classes: classes to evaluate; default every class present on either side.

  Raises:
    ValueError: a class is missing (or has fewer than 2 samples) on a side.
  """
  real_acts, real_labels = _check_labels(real_activations, real_labels, "real")
  fake_acts, fake_labels = _check_labels(fake_activations, fake_labels, "fake")
  real_set = set(np.unique(real_labels).tolist())
  fake_set = set(np.unique(fake_labels).tolist())
  wanted = (real_set | fake_set) if classes is None else set(
      int(c) for c in classes)
  if not wanted:
    raise ValueError("No classes to evaluate.")
  for side, present in (("real", real_set), ("generated", fake_set)):
    missing = wanted - present
    if missing:
      raise ValueError(f"Classes missing from the {side} activations: "
                       f"{_describe(missing)}.")
  per_class = {}
  for c in sorted(wanted):
    real_c = real_acts[real_labels == c]
    fake_c = fake_acts[fake_labels == c]
    if min(len(real_c), len(fake_c)) < 2:
      raise ValueError(f"Class {c} needs at least 2 samples per side, got "
                       f"{len(real_c)} real and {len(fake_c)} generated.")
    per_class[int(c)] = frechet_distance(real_c, fake_c)
  return float(np.mean(list(per_class.values()))), per_class
