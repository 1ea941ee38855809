"""The Trainer's extension points: host callbacks, in-step monitors, an early
stop.

A `Callback` runs on the host at loop boundaries (after every call of the
compiled step: every step, or every `steps_per_loop` steps); a `StepMonitor`
adds scalars computed inside the compiled step. A callback ends a run early
by raising `StopTraining`: `Trainer.train` then saves a checkpoint at the
current step (unless one is there), writes TRAINING_DONE with the reason
and returns a `TrainResult` whose `stopped_early` holds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import tensorflow as tf

if TYPE_CHECKING:
  from tfgan_ext.train.trainer import Trainer

__all__ = ["Callback", "StepMonitor", "StopTraining"]


class Callback(Protocol):
  """Hook into the loop; each method is optional. `check` runs at the end of
  `Trainer.__init__` and raises for settings the callback cannot handle."""

  def check(self, trainer: "Trainer") -> None: ...

  def on_train_begin(self, trainer: "Trainer") -> None: ...

  def on_step_end(self, trainer: "Trainer", step: int,
                  logs: dict[str, float]) -> None: ...


class StepMonitor(Protocol):
  """Computes extra statistics inside the compiled train step.

  `build` runs once in the strategy scope after the models exist (create any
  state variables there); `update` runs inside the tf.function after each G
  step, in cross-replica context, and returns scalars to log.
  """

  def build(self, trainer: "Trainer") -> None: ...

  def update(self, trainer: "Trainer") -> dict[str, tf.Tensor]: ...


class StopTraining(Exception):
  """Raised by a callback to end the run early at `step` for `reason`.

  `Trainer.train` catches it: the run ends as a finished one (checkpoint at
  the step, TRAINING_DONE with "stopped_early": reason).
  """

  def __init__(self, step: int, reason: str):
    super().__init__(f"Stopped at step {step}: {reason}")
    self.step = step
    self.reason = reason
