"""SQD's S: angles between consecutive weight vectors of G and of D."""

from __future__ import annotations

import tensorflow as tf

from tfgan_ext.metrics import weight_angle

__all__ = ["WeightAngleMonitor"]


class WeightAngleMonitor:
  """Logs `sqd/angle_g` and `sqd/angle_d` (radians) after every G step.

  A `StepMonitor` (pass it in `monitors=`) that keeps a non-trainable copy
  of the previous step's weights (all trainable variables of G, and of D
  including the objective's head) and returns the angle between the copy
  and the new weights, all flattened together, then updates the copy. Also
  a `Callback` (pass it in `callbacks=` too): `on_train_begin` refreshes the
  copies after a checkpoint was restored, so the first angle of a resumed
  run is not measured against the initial weights.
  """

  def __init__(self, prefix: str = "sqd"):
    self.prefix = prefix
    self.g_vars = self.d_vars = None
    self.prev_g = self.prev_d = None

  @staticmethod
  def _copies(variables, name: str) -> list[tf.Variable]:
    return [tf.Variable(tf.zeros(v.shape, v.dtype), trainable=False,
                        name=f"{name}_{i}") for i, v in enumerate(variables)]

  def build(self, trainer) -> None:
    """Creates the copies (runs in the trainer's strategy scope)."""
    self.g_vars = list(trainer.g_vars)
    self.d_vars = list(trainer.d_vars)
    self.prev_g = self._copies(self.g_vars, "sqd_prev_g")
    self.prev_d = self._copies(self.d_vars, "sqd_prev_d")
    self.reset()

  def reset(self) -> None:
    """Sets the copies to the current weights."""
    for prev, var in zip(self.prev_g + self.prev_d, self.g_vars + self.d_vars):
      prev.assign(var)

  def on_train_begin(self, trainer) -> None:
    del trainer
    self.reset()

  def update(self, trainer) -> dict[str, tf.Tensor]:
    """Angles to the previous weights, then the copies move forward."""
    del trainer
    angle_g = weight_angle(self.prev_g, self.g_vars)
    angle_d = weight_angle(self.prev_d, self.d_vars)
    with tf.control_dependencies([angle_g, angle_d]):
      for prev, var in zip(self.prev_g + self.prev_d,
                           self.g_vars + self.d_vars):
        prev.assign(var)
    return {f"{self.prefix}/angle_g": angle_g,
            f"{self.prefix}/angle_d": angle_d}
