"""Whether a training curve is still getting better when a study stops:
the two stopping checks the rules' gates use. They differ, and their names
say how:

- `improved_beyond_seed_std` (study 2): the seed mean improved between the
  third-last and the last evaluation by more than the seeds' std at the
  last one;
- `new_best_in_window` (study 3): the mean curve's best over its last
  `window` evaluations beats its best before them by more than a
  tolerance.
"""

from __future__ import annotations

import numpy as np

from studies import rules


def recent_change(values: np.ndarray) -> float:
  """values [seeds, T]: the seed mean (NaNs left out) at the last
  evaluation minus at the third-last; NaN with fewer than 3 evaluations."""
  values = np.asarray(values, np.float64)
  if values.shape[1] < 3:
    return float("nan")
  mean = np.nanmean(values, axis=0)
  return float(mean[-1] - mean[-3])


def final_seed_std(values: np.ndarray) -> float:
  """values [seeds, T]: the seeds' sample std at the last evaluation
  (rules.SeedStats: finite values, ddof 1; NaN without an evaluation)."""
  values = np.asarray(values, np.float64)
  if not values.shape[1]:
    return float("nan")
  return rules.SeedStats.of(values[:, -1]).std


def improved_beyond_seed_std(values: np.ndarray, lower: bool) -> bool:
  """values [seeds, T]: the seed mean improved (fell if `lower`, else rose)
  between the third-last and the last evaluation by more than the seed std
  at the last one. True with fewer than 3 evaluations (a rule cannot tell
  that the curve has stopped)."""
  change = recent_change(values)
  if not np.isfinite(change):
    return True
  gain = -change if lower else change
  return gain > final_seed_std(values)


def moved_beyond_seed_std(values: np.ndarray) -> bool:
  """values [seeds, T]: the seed mean changed either way over the last 3
  evaluations by more than the final seed std (True with fewer than 3)."""
  change = recent_change(values)
  return not np.isfinite(change) or abs(change) > final_seed_std(values)


def new_best_in_window(curve: np.ndarray, higher_is_better: bool, tol: float,
                       relative: bool, window: int = 3) -> tuple[bool, str]:
  """(improving, why) for a mean curve [T]: its best over the last `window`
  values beats the best of the earlier ones by more than `tol` (with
  `relative`: tol x |earlier best|). Fewer than window + 1 values cannot
  show a plateau and count as improving."""
  curve = np.asarray(curve, np.float64)
  if curve.size < window + 1:
    return True, (f"{curve.size} evaluations, fewer than {window + 1} "
                  "needed to see a plateau")
  best = np.max if higher_is_better else np.min
  before, last = float(best(curve[:-window])), float(best(curve[-window:]))
  gain = (last - before) * (1.0 if higher_is_better else -1.0)
  limit = tol * abs(before) if relative else tol
  word = "still improving" if gain > limit else "levelled off"
  return gain > limit, (f"{word}: best of the last {window} evaluations "
                        f"{last:.4g} vs {before:.4g} before")

