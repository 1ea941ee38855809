"""Detecting SQD's turning points: angles jump while Q and D fall.

Two detectors. `TurningPointDetector` runs live, step by step, with the
project's own rule:

1. Angle jump: at a step, the G or D angle exceeds `angle_factor` (3) times
   the median of that network's previous `window` (100) angles. Jumps are
   looked for only once `min_history` (20) angles have been seen.
2. Quality and diversity drop: at a Q/D measurement, Q is below
   (1 - `drop`) times the best Q measured before, and D below (1 - `drop`)
   times the best D before (`drop` = 0.1, i.e. both fell by more than 10%).
3. A turning point is a Q/D measurement where (2) holds and an angle jump
   (1) happened within the last `horizon` steps (the Q/D period by default)
   up to and including this step. It is reported at the measurement's step,
   with the jump's step. After one is reported, a new jump is needed for
   the next.

`epoch_turning_points` reads them afterwards off per-epoch curves, as the
SQD paper does (its Figures 3-5): S per epoch is the mean angle over the
epoch's steps, Q and D are measured once at each epoch's end. Epoch e is a
turning point when

1. G's angle jumps: S_G[e] >= `angle_factor` (2) x the median of S_G over
   the previous `window` (10) epochs, with at least `warmup` (5) previous
   epochs;
2. D's angle jumps the same way at an epoch within `pair` (1) of e; and
3. within epochs e .. e + `horizon` (2), Q or D falls below (1 - `drop`)
   (0.8) x its best over the epochs before e.

Epochs up to e + horizon after a turning point cannot start the next one.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Optional

import numpy as np

from tfgan_ext.config_checks import require_int, require_number
from tfgan_ext.errors import InputError

__all__ = ["EpochTurningPoint", "TurningPoint", "TurningPointDetector",
           "angle_jump_ratios", "epoch_turning_points"]


@dataclasses.dataclass(frozen=True)
class TurningPoint:
  step: int               # the Q/D measurement that confirmed it
  jump_step: int          # the step of the angle jump
  network: str            # "g" or "d": whose angle jumped
  angle_ratio: float      # jump angle / running median
  quality: float
  best_quality: float
  diversity: float
  best_diversity: float

  def describe(self) -> str:
    return (f"turning point at step {self.step}: the {self.network.upper()} "
            f"angle jumped to {self.angle_ratio:.1f}x its running median at "
            f"step {self.jump_step}; Q fell to {self.quality:.3f} (best "
            f"{self.best_quality:.3f}), D to {self.diversity:.3f} (best "
            f"{self.best_diversity:.3f})")


class TurningPointDetector:
  """Feed it angles every step and Q/D when measured (see module rule)."""

  def __init__(self, *, angle_factor: float = 3.0, window: int = 100,
               min_history: int = 20, drop: float = 0.1,
               horizon: int = 100):
    # Named by the train binary's flags; NaN and infinity are refused.
    require_number("--turning_angle_factor (angle_factor)", angle_factor,
                   low=1.0, low_open=True)
    require_number("--turning_drop (drop)", drop, low=0.0, high=1.0,
                   low_open=True, high_open=True)
    require_int("--turning_window (window)", window, 1)
    require_int("min_history", min_history, 1, window,
                hint="It must lie in [1, window].")
    require_int("horizon", horizon, 0)
    self.angle_factor = angle_factor
    self.drop = drop
    self.min_history = min_history
    self.horizon = horizon
    self._angles = {"g": collections.deque(maxlen=window),
                    "d": collections.deque(maxlen=window)}
    self._jump = None   # (step, network, ratio) of the latest jump
    self._best_q = self._best_d = None
    self.turning_points: list[TurningPoint] = []

  def observe_angles(self, step: int, angle_g: Optional[float],
                     angle_d: Optional[float]) -> bool:
    """Records one step's angles; returns True when one of them jumped."""
    jumped = False
    for network, angle in (("g", angle_g), ("d", angle_d)):
      if angle is None:
        continue
      history = self._angles[network]
      if len(history) >= self.min_history:
        median = float(np.median(history))
        if median > 0.0 and angle > self.angle_factor * median:
          ratio = angle / median
          if (self._jump is None or self._jump[0] != step
              or ratio > self._jump[2]):
            self._jump = (step, network, ratio)
          jumped = True
      history.append(float(angle))
    return jumped

  def observe_quality(self, step: int, quality: float,
                      diversity: float) -> Optional[TurningPoint]:
    """Records one Q/D measurement; returns a TurningPoint if it is one."""
    found = None
    if (self._best_q is not None and self._jump is not None
        and 0 <= step - self._jump[0] <= self.horizon
        and quality < (1.0 - self.drop) * self._best_q
        and diversity < (1.0 - self.drop) * self._best_d):
      jump_step, network, ratio = self._jump
      found = TurningPoint(step, jump_step, network, ratio, quality,
                           self._best_q, diversity, self._best_d)
      self.turning_points.append(found)
      self._jump = None
    self._best_q = quality if self._best_q is None else max(self._best_q,
                                                             quality)
    self._best_d = diversity if self._best_d is None else max(self._best_d,
                                                               diversity)
    return found


# ------------------------------------------------------ per-epoch (paper) rule
@dataclasses.dataclass(frozen=True)
class EpochTurningPoint:
  epoch: int              # index of G's jump epoch in the per-epoch arrays
  d_epoch: int            # index of D's jump epoch (within `pair` of it)
  ratio_g: float          # S_G[epoch] / median of its previous epochs
  ratio_d: float          # S_D[d_epoch] / median of its previous epochs
  quality_drop: float     # 1 - min Q over the horizon / best Q before
  diversity_drop: float   # 1 - min D over the horizon / best D before

  def describe(self, first_epoch: int = 1) -> str:
    return (f"epoch {self.epoch + first_epoch}: G angle x{self.ratio_g:.1f}, "
            f"D angle x{self.ratio_d:.1f} (epoch "
            f"{self.d_epoch + first_epoch}); Q -{100 * self.quality_drop:.0f}"
            f"%, D -{100 * self.diversity_drop:.0f}%")


def angle_jump_ratios(angles, *, window: int = 10, warmup: int = 5
                      ) -> np.ndarray:
  """Each per-epoch angle over the median of its previous `window` epochs
  (NaN for the first `warmup` epochs and where that median is not > 0)."""
  a = np.asarray(angles, np.float64)
  if a.ndim != 1:
    raise InputError(f"Need a 1-D per-epoch angle series; got shape "
                     f"{a.shape}.")
  if window < 1 or not 1 <= warmup <= window:
    raise InputError(f"Need 1 <= warmup <= window; got warmup {warmup}, "
                     f"window {window}.")
  out = np.full(a.shape, np.nan)
  for e in range(warmup, a.size):
    median = float(np.median(a[max(0, e - window):e]))
    if median > 0.0:
      out[e] = a[e] / median
  return out


def _drop(values: np.ndarray, e: int, horizon: int) -> float:
  best = float(np.max(values[:e]))
  if best <= 0.0:
    return 0.0
  return 1.0 - float(np.min(values[e:e + horizon + 1])) / best


def epoch_turning_points(angle_g, angle_d, quality, diversity, *,
                         angle_factor: float = 2.0, window: int = 10,
                         warmup: int = 5, pair: int = 1, drop: float = 0.2,
                         horizon: int = 2) -> list[EpochTurningPoint]:
  """Turning points of per-epoch S_G, S_D, Q, D (equal-length 1-D arrays);
  see the module docstring for the rule."""
  series = [np.asarray(x, np.float64) for x in (angle_g, angle_d, quality,
                                                 diversity)]
  if len({x.shape for x in series}) != 1 or series[0].ndim != 1:
    raise InputError("angle_g, angle_d, quality and diversity must be 1-D "
                     "per-epoch arrays of one length; got shapes "
                     f"{[x.shape for x in series]}.")
  if (not 1.0 < angle_factor < float("inf") or not 0.0 < drop < 1.0
      or pair < 0 or horizon < 0):
    raise InputError(f"Need angle_factor > 1, 0 < drop < 1, pair >= 0 and "
                     f"horizon >= 0; got {angle_factor}, {drop}, {pair}, "
                     f"{horizon}.")
  g, d, q, div = series
  ratio_g = angle_jump_ratios(g, window=window, warmup=warmup)
  ratio_d = angle_jump_ratios(d, window=window, warmup=warmup)
  jump_d = np.nan_to_num(ratio_d, nan=0.0) >= angle_factor
  points, free_from = [], warmup
  for e in range(warmup, g.size):
    if e < free_from or not ratio_g[e] >= angle_factor:
      continue
    near = [k for k in range(max(0, e - pair), min(g.size, e + pair + 1))
            if jump_d[k]]
    if not near:
      continue
    q_drop, d_drop = _drop(q, e, horizon), _drop(div, e, horizon)
    if max(q_drop, d_drop) <= drop:
      continue
    k = max(near, key=lambda i: ratio_d[i])
    points.append(EpochTurningPoint(e, k, float(ratio_g[e]),
                                    float(ratio_d[k]), q_drop, d_drop))
    free_from = e + horizon + 1
  return points
