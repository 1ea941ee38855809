"""Restoring the newest readable checkpoint, falling back to older ones."""

from __future__ import annotations

from typing import Optional

from absl import logging
import tensorflow as tf


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
    raise RuntimeError(
        f"No checkpoint in {manager.directory} could be read. Move the "
        "directory aside to start afresh.")
  return None
