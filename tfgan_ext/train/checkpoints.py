"""A run's checkpoints: writing them (`CheckpointWriter`) and restoring the
newest readable one, falling back to older ones (`restore_latest`)."""

from __future__ import annotations

import shutil
import tempfile
from typing import Callable, Optional

from absl import logging
import tensorflow as tf

from tfgan_ext.errors import InputError


def restore_latest(checkpoint: tf.train.Checkpoint,
                   manager: tf.train.CheckpointManager) -> Optional[str]:
  """Restores the newest checkpoint that reads back; returns its path.

  A checkpoint that cannot be read (truncated or corrupt files) is skipped
  with a warning and the previous one is tried, so a crash while a checkpoint
  was being written loses at most the steps since the one before it.
  """
  for path in reversed(manager.checkpoints):
    try:
      # expect_partial: a float16 run's extra state (train.loss_scale) may
      # be in the file; everything this run has must be there.
      checkpoint.restore(path).expect_partial(
      ).assert_existing_objects_matched()
      return path
    except (tf.errors.OpError, ValueError, AssertionError, IndexError,
            OSError) as err:  # IndexError: a truncated data file.
      logging.warning("Checkpoint %s is unreadable (%s: %s); trying the "
                      "previous one.", path, type(err).__name__,
                      str(err).splitlines()[0][:200])
  if manager.checkpoints:
    raise InputError(
        f"No checkpoint in {manager.directory} could be read (all are "
        "damaged or incomplete, or of another run). Move the directory "
        "aside to start afresh.")
  return None


class CheckpointWriter:
  """Writes a run's checkpoints ckpt-<step> into model_dir (the chief) and
  keeps the newest `keep`.

  Under multi-worker training every worker must take part in saving; only
  the chief writes to model_dir, the others to a scratch directory that
  `close` removes. `before_save(step)` runs on the chief before each
  checkpoint is written (the generator export of a "custom" run, so that
  it exists when the checkpoint appears), `after_save(kept_steps)` after
  (removing exports of deleted checkpoints).
  """

  def __init__(self, checkpoint: tf.train.Checkpoint, model_dir: str,
               keep: int, is_chief: bool,
               before_save: Optional[Callable[[int], None]] = None,
               after_save: Optional[Callable[[list[int]], None]] = None):
    self.checkpoint = checkpoint
    self.is_chief = is_chief
    self.manager = tf.train.CheckpointManager(
        checkpoint, model_dir, max_to_keep=keep, checkpoint_name="ckpt")
    self.before_save = before_save
    self.after_save = after_save
    self.last_saved: Optional[int] = None
    self._scratch_dir: Optional[str] = None
    self._scratch = None

  def kept_steps(self) -> list[int]:
    """Steps of the checkpoints the manager keeps."""
    return [int(p.rsplit("-", 1)[-1]) for p in self.manager.checkpoints]

  def latest_step(self) -> Optional[int]:
    """Step of the newest checkpoint, or None."""
    steps = self.kept_steps()
    return steps[-1] if steps else None

  def save(self, step: int) -> None:
    """Writes checkpoint ckpt-<step> (see the class docstring)."""
    self.last_saved = step
    if self.is_chief:
      if self.before_save is not None:
        self.before_save(step)
      self.manager.save(checkpoint_number=step)
      if self.after_save is not None:
        self.after_save(self.kept_steps())
      return
    if self._scratch_dir is None:
      self._scratch_dir = tempfile.mkdtemp(prefix="tfgan_ext_worker_")
      self._scratch = tf.train.CheckpointManager(
          self.checkpoint, self._scratch_dir, max_to_keep=1)
    self._scratch.save(checkpoint_number=step)

  def close(self) -> None:
    """Removes a non-chief worker's scratch directory."""
    if self._scratch_dir is not None:
      shutil.rmtree(self._scratch_dir, ignore_errors=True)
      self._scratch_dir = None
