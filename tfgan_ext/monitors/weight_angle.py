"""SQD's S: angles between consecutive weight vectors of G and of D."""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

import tensorflow as tf

from tfgan_ext.metrics import weight_angle

__all__ = ["WeightAngleMonitor", "WeightAngleTracker"]


class WeightAngleTracker:
  """The angle each group of variables moved since the last update.

  Keeps a non-trainable copy of every variable of each named group (e.g.
  {"g": G's trainable variables, "d": D's}); `update` returns, per group,
  the angle in radians between the copy and the current values, all of the
  group's variables flattened together (SQD's S), then moves the copy to
  the current values. Works eagerly and inside a tf.function; create it
  where the variables live (e.g. in a strategy's scope).

  Args:
    groups: name -> variables (tf or Keras variables); order matters only
      for the returned keys.
    prefix: the returned keys are f"{prefix}/angle_{name}" (default "sqd").
  """

  def __init__(self, groups: Mapping[str, Sequence], prefix: str = "sqd"):
    self.prefix = prefix
    self.groups = {name: list(variables) for name, variables in groups.items()}
    empty = [name for name, variables in self.groups.items() if not variables]
    if empty:
      raise ValueError(f"No variables to track for {empty}.")
    self.previous = {
        name: [tf.Variable(tf.zeros(v.shape, v.dtype), trainable=False,
                           name=f"{prefix}_prev_{name}_{i}")
               for i, v in enumerate(variables)]
        for name, variables in self.groups.items()}
    self.reset()

  def key(self, name: str) -> str:
    """The log key of group `name`'s angle."""
    return f"{self.prefix}/angle_{name}"

  def _pairs(self):
    for name, variables in self.groups.items():
      yield from zip(self.previous[name], variables)

  def reset(self) -> None:
    """Sets the copies to the current weights (after a restore, say)."""
    for prev, var in self._pairs():
      prev.assign(var)

  def update(self) -> dict[str, tf.Tensor]:
    """{key(name): float32 angle} to the previous weights; then the copies
    move forward."""
    angles = {self.key(name): weight_angle(self.previous[name], variables)
              for name, variables in self.groups.items()}
    with tf.control_dependencies(list(angles.values())):
      for prev, var in self._pairs():
        prev.assign(var)
    return angles


class WeightAngleMonitor:
  """Logs `sqd/angle_g` and `sqd/angle_d` (radians) after every G step.

  The model_dir Trainer's adapter of `WeightAngleTracker`: a `StepMonitor`
  (pass it in `monitors=`) tracking G's trainable variables and D's
  (including the objective's head), as the trainer lists them in `g_vars`
  and `d_vars`. Also a `Callback` (pass it in `callbacks=` too):
  `on_train_begin` refreshes the copies after a checkpoint was restored, so
  the first angle of a resumed run is not measured against the initial
  weights. Without a trainer, call `track(g_vars, d_vars)` instead of
  `build` and `update()` / `reset()` directly.
  """

  def __init__(self, prefix: str = "sqd"):
    self.prefix = prefix
    self.tracker: Optional[WeightAngleTracker] = None

  def build(self, trainer) -> None:
    """Creates the copies (runs in the trainer's strategy scope)."""
    self.track(trainer.g_vars, trainer.d_vars)

  def track(self, g_vars: Sequence, d_vars: Sequence) -> None:
    """Starts tracking these G and D variables (creates the copies)."""
    self.tracker = WeightAngleTracker({"g": g_vars, "d": d_vars}, self.prefix)

  @property
  def g_vars(self) -> list:
    return self.tracker.groups["g"]

  @property
  def d_vars(self) -> list:
    return self.tracker.groups["d"]

  def reset(self) -> None:
    """Sets the copies to the current weights."""
    self.tracker.reset()

  def on_train_begin(self, trainer=None) -> None:
    del trainer
    self.reset()

  def update(self, trainer=None) -> dict[str, tf.Tensor]:
    """Angles to the previous weights, then the copies move forward."""
    del trainer
    return self.tracker.update()
