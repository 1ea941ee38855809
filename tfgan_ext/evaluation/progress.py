"""A periodic progress line for long evaluations."""

from __future__ import annotations

import time
from typing import Callable, Optional

from absl import logging

__all__ = ["Progress"]


class Progress:
  """Logs `label: done/total (rate/s, ETA)` at most every `every` seconds,
  and once when the total is reached.

  Call `update(done)` with the running count (`done` is cumulative).
  """

  def __init__(self, label: str, total: Optional[int], *,
               every: float = 10.0,
               log: Callable[[str], None] = lambda msg: logging.info("%s", msg),
               clock: Callable[[], float] = time.monotonic):
    self.label = label
    self.total = total
    self.every = every
    self.log = log
    self.clock = clock
    self.start = clock()
    self.last = self.start

  def update(self, done: int, total: Optional[int] = None) -> None:
    total = total if total is not None else self.total
    now = self.clock()
    finished = total is not None and done >= total
    if not finished and now - self.last < self.every:
      return
    self.last = now
    elapsed = max(now - self.start, 1e-9)
    rate = done / elapsed
    if total:
      eta = (total - done) / rate if rate > 0 else float("inf")
      self.log(f"{self.label}: {done}/{total} ({100.0 * done / total:.0f}%, "
               f"{rate:.1f}/s, {elapsed:.0f} s elapsed, ETA {eta:.0f} s)")
    else:
      self.log(f"{self.label}: {done} ({rate:.1f}/s, {elapsed:.0f} s)")

  def callback(self) -> Callable[[int, Optional[int]], None]:
    """`progress(done, total)` for `compute_activations`."""
    return self.update
