"""The guard against NaN / Inf: losses and weights, checked before any save.

The compiled step adds two flags to its logs, `WEIGHTS_NONFINITE["g"]` and
`["d"]`: 1.0 when some variable of G (of D) holds a NaN or Inf, else 0.0
(computed on the device, so the host reads two scalars). At every loop
boundary the host calls `check` before callbacks, summaries or checkpoints
see the step: a non-finite loss or weight raises `NonFiniteError`, so
nothing is saved after it and no TRAINING_DONE is written.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np
import tensorflow as tf

from tfgan_ext.errors import UserError

__all__ = ["NonFiniteError", "NonFiniteLossError", "WEIGHTS_NONFINITE",
           "all_finite", "check", "nonfinite_flags", "pop_flags"]

WEIGHTS_NONFINITE = {"g": "nonfinite_weights/g", "d": "nonfinite_weights/d"}
_NAMES = {"g": "generator", "d": "discriminator"}


class NonFiniteError(UserError, FloatingPointError):
  """A loss or a G / D weight became NaN or Inf; nothing was saved for the
  bad step. `networks` names the networks whose weights are affected ("g",
  "d"; empty when only losses are).

  A `UserError`: the settings (learning rates, precision) or the data made
  the run diverge, and the message says what to change, so the binaries
  print it as one line and exit 2. Unlike other bad input it is found
  while training: the run's config, logs and checkpoints of earlier steps
  stay; no checkpoint and no TRAINING_DONE are written after it.
  """

  def __init__(self, message: str, networks: Sequence[str] = ()):
    super().__init__(message)
    self.networks = tuple(networks)


NonFiniteLossError = NonFiniteError  # Its earlier name.


def all_finite(variables: Sequence[tf.Variable]) -> tf.Tensor:
  """Scalar bool: every floating value of `variables` is finite."""
  values = [tf.convert_to_tensor(v) for v in variables]
  checks = [tf.reduce_all(tf.math.is_finite(v)) for v in values
            if v.dtype.is_floating]
  return tf.reduce_all(tf.stack(checks)) if checks else tf.constant(True)


def nonfinite_flags(g_variables: Sequence[tf.Variable],
                    d_variables: Sequence[tf.Variable]
                    ) -> dict[str, tf.Tensor]:
  """The two flags of the module docstring, float32 scalars."""
  return {WEIGHTS_NONFINITE[k]: 1.0 - tf.cast(all_finite(v), tf.float32)
          for k, v in (("g", g_variables), ("d", d_variables))}


def pop_flags(logs: dict[str, float]) -> list[str]:
  """Removes the flags from the host's `logs`; returns the networks ("g",
  "d") whose weights are not all finite."""
  return [k for k, key in WEIGHTS_NONFINITE.items()
          if logs.pop(key, 0.0) != 0.0]


def check(step: int, logs: dict[str, float], bad_networks: Sequence[str],
          last_checkpoint: Optional[str]) -> None:
  """Raises NonFiniteError when a logged value is not finite or
  `bad_networks` is not empty (see `pop_flags`)."""
  bad_logs = sorted(k for k, v in logs.items() if not np.isfinite(v))
  if not bad_logs and not bad_networks:
    return
  parts = []
  if bad_networks:
    names = " and ".join(f"the {_NAMES[k]}'s" for k in bad_networks)
    parts.append(f"{names} weights hold NaN or Inf")
  if bad_logs:
    parts.append(f"non-finite values of {', '.join(bad_logs)}")
  if last_checkpoint:
    saved = (f"the last good checkpoint is {last_checkpoint}", ", then "
             "resume from that checkpoint")
  else:
    saved = ("no checkpoint was saved before it", ", then train again")
  raise NonFiniteError(
      f"At step {step}: {'; '.join(parts)}. Nothing was saved for this step; "
      f"{saved[0]}. Lower the learning rates (--g_lr / --d_lr), check the "
      "data (finite, in [-1, 1]) or use --precision=float32"
      f"{saved[1]}.", networks=bad_networks)
