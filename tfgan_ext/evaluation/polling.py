"""The eval job's loop: evaluate each new checkpoint of a model_dir.

Like TF-GAN's `checkpoints_iterator(model_dir, timeout)` job, but it
evaluates every checkpoint in the index (oldest first), not only the newest,
and it is restartable: steps whose rows are in eval_results.jsonl are skipped.
It stops when TRAINING_DONE exists and no listed checkpoint is left, or when
no new checkpoint appeared for `timeout` seconds. A checkpoint that cannot be
read (rotated away, or still being written) is skipped with a warning; one
that still exists is retried on later polls, up to `max_attempts` times.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import time
from typing import Callable, Optional

from absl import logging
import tensorflow as tf

from tfgan_ext import workspace
from tfgan_ext.config_checks import require_int, require_number
from tfgan_ext.errors import InputError, UserError
from tfgan_ext.evaluation.checkpoint_errors import CheckpointUnavailable
from tfgan_ext.evaluation.restore import resolve_checkpoint

__all__ = ["PollSummary", "check_poll_settings", "evaluate_once",
           "list_checkpoints", "poll", "read_done_step", "timeout_from_flag"]


@dataclasses.dataclass
class PollSummary:
  evaluated: list[int] = dataclasses.field(default_factory=list)
  skipped: list[int] = dataclasses.field(default_factory=list)
  stopped_by: str = ""   # "done", "timeout"


def list_checkpoints(model_dir: str) -> list[tuple[int, str]]:
  """(step, path) of the checkpoints in the index, oldest first; [] when the
  index is missing or unreadable (e.g. caught mid-write)."""
  try:
    state = tf.train.get_checkpoint_state(model_dir)
  except Exception as err:  # pylint: disable=broad-except
    logging.warning("Checkpoint index of %s unreadable (%s); will retry.",
                    model_dir, err)
    return []
  if state is None:
    return []
  found = {}
  for path in state.all_model_checkpoint_paths:  # Already joined to dir.
    try:
      found[workspace.checkpoint_step(path)] = path
    except ValueError:
      logging.warning("Ignoring checkpoint %s: no step in its name.", path)
  return sorted(found.items())


def read_done_step(model_dir: str) -> Optional[int]:
  """The final step from TRAINING_DONE, -1 if unreadable, None if absent
  (`workspace.read_done_step`)."""
  return workspace.read_done_step(model_dir)


def timeout_from_flag(seconds: float) -> Optional[float]:
  """`poll`'s timeout from the eval binary's --timeout: <= 0 (or +inf)
  means none (wait for TRAINING_DONE); NaN is refused (InputError)."""
  if (isinstance(seconds, bool) or not isinstance(seconds, numbers.Real)
      or math.isnan(seconds)):
    raise InputError(f"--timeout must be a number of seconds (<= 0: wait for "
                     f"TRAINING_DONE); got {seconds!r}.")
  if seconds <= 0 or math.isinf(seconds):
    return None
  return float(seconds)


def check_poll_settings(timeout: Optional[float], poll_interval: float,
                        max_attempts: int = 3) -> None:
  """Raises InputError unless timeout is None or finite >= 0 seconds,
  poll_interval finite >= 0 seconds and max_attempts an integer >= 1
  (`poll` checks them before it evaluates anything)."""
  if timeout is not None:
    require_number("--timeout", timeout, low=0.0,
                   hint="Use seconds without a new checkpoint (None: wait "
                   "for TRAINING_DONE).")
  require_number("--poll_interval", poll_interval, low=0.0,
                 hint="It is the seconds between looks at the checkpoints.")
  require_int("max_attempts", max_attempts, 1)


def evaluate_once(evaluator, checkpoint: Optional[str] = None) -> list[dict]:
  """Evaluates `checkpoint` and returns its rows.

  Args:
    evaluator: an `Evaluator`.
    checkpoint: a checkpoint path, or a name in the evaluator's model_dir
      such as "ckpt-500" (default: the newest; `restore.resolve_checkpoint`).

  Raises:
    MissingInputError: there is no such checkpoint.
    InputError: it cannot be read (truncated, damaged, of another run):
      unlike `poll`, which skips such a checkpoint, a one-off evaluation
      reports it.
  """
  path = resolve_checkpoint(evaluator.model_dir, checkpoint)
  try:
    return evaluator.evaluate(path)
  except CheckpointUnavailable as err:
    if isinstance(err, UserError):  # Already says what to do.
      raise
    raise InputError(f"{err} Evaluate another checkpoint (--checkpoint, "
                     "e.g. an earlier one).") from err


def poll(evaluator, *, timeout: Optional[float] = None,
         poll_interval: float = 10.0, max_attempts: int = 3,
         sleep: Callable[[float], None] = time.sleep,
         clock: Callable[[], float] = time.monotonic) -> PollSummary:
  """Evaluates checkpoints as they appear until done (see module docstring).

  Args:
    evaluator: an `Evaluator` (anything with model_dir, pending(step) and
      evaluate(path) raising CheckpointUnavailable).
    timeout: stop after this many seconds without a new checkpoint (None:
      wait until TRAINING_DONE).
    poll_interval: seconds between looks at the index.
  """
  check_poll_settings(timeout, poll_interval, max_attempts)
  model_dir = evaluator.model_dir
  summary = PollSummary()
  settled: set[int] = set()
  attempts: dict[int, int] = {}
  last_progress = clock()
  while True:
    settled_before = len(settled)
    for step, path in list_checkpoints(model_dir):
      if step in settled:
        continue
      if not evaluator.pending(step):
        settled.add(step)
        logging.info("Step %d already in the results; skipped.", step)
        continue
      try:
        evaluator.evaluate(path)
      except CheckpointUnavailable as err:
        attempts[step] = attempts.get(step, 0) + 1
        gone = not tf.io.gfile.exists(path + ".index")
        if gone or attempts[step] >= max_attempts:
          logging.warning("Skipping step %d: %s", step, err)
          settled.add(step)
          summary.skipped.append(step)
        else:
          logging.warning("Step %d not readable yet (%s); will retry.", step,
                          err)
        continue
      settled.add(step)
      summary.evaluated.append(step)
    if len(settled) > settled_before:
      last_progress = clock()
    listed = {step for step, _ in list_checkpoints(model_dir)}
    if read_done_step(model_dir) is not None and listed <= settled:
      summary.stopped_by = "done"
      logging.info("Training is done and every checkpoint is evaluated.")
      return summary
    if timeout is not None and clock() - last_progress > timeout:
      summary.stopped_by = "timeout"
      logging.warning("No new checkpoint for %.0f s; stopping.", timeout)
      return summary
    sleep(poll_interval)
