"""Detecting SQD's turning points: angles jump while Q and D fall.

The rule, with its default thresholds:

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
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Optional

import numpy as np

from tfgan_ext.errors import InputError

__all__ = ["TurningPoint", "TurningPointDetector"]


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
    if angle_factor <= 1.0 or not 0.0 < drop < 1.0:
      raise InputError(f"Need angle_factor > 1 and 0 < drop < 1; got "
                       f"{angle_factor} and {drop}.")
    if window < 1 or min_history < 1 or min_history > window or horizon < 0:
      raise InputError("Need 1 <= min_history <= window and horizon >= 0.")
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
