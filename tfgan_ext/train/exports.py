"""Per-checkpoint generator exports of runs with the caller's networks.

A run with architecture "custom" has no architecture code the eval job
could rebuild its generator from, so the train job writes, with every
checkpoint ckpt-N, the generator as a SavedModel (`tfgan_ext.export`'s
format) to `workspace.generator_export_dir(model_dir, N)`
(<model_dir>/generators/ckpt-N). Like compare_gan's TF-Hub module per
checkpoint, the eval job then needs only the SavedModel.

The export is the generator the run's samples come from: the EMA generator
when the run keeps one and config.use_ema, else G (its metadata says which,
under "ema"). Each export is written to a staging directory and renamed into
place, so a reader sees a complete export or none; exports of checkpoints
the CheckpointManager deleted are removed. Only image generators are
exported (`export.export_generator` takes images); for point data
`export_for_checkpoint` writes nothing and returns None.
"""

from __future__ import annotations

import os
import shutil
from typing import Any, Iterable, Optional, Sequence

from absl import logging

from tfgan_ext import export as export_lib
from tfgan_ext import workspace

__all__ = ["export_for_checkpoint", "prune_exports"]


def export_for_checkpoint(generator: Any, model_dir: str, step: int, *,
                          z_dim: int, num_classes: int,
                          sample_shape: Sequence[int],
                          metadata: Optional[dict[str, Any]] = None
                          ) -> Optional[str]:
  """Exports `generator` (native call, G(z, labels, training=False)) as the
  SavedModel of checkpoint `step`, replacing an earlier one; returns its
  directory, or None for point data."""
  if len(sample_shape) != 3:
    return None
  target = workspace.generator_export_dir(model_dir, step)
  meta = dict(metadata or {}, step=int(step))
  # Written beside `target` and renamed in when complete (fileio.atomic_dir):
  # an export of the same step written again replaces the old one whole.
  export_lib.export_generator(generator, target, z_dim=z_dim,
                              num_classes=num_classes,
                              image_shape=sample_shape, metadata=meta,
                              replace=True)
  logging.info("Exported the generator of step %d to %s.", step, target)
  return target


def prune_exports(model_dir: str, kept_steps: Iterable[int]) -> list[str]:
  """Removes the exports whose step is not in `kept_steps` (the steps of
  the checkpoints the CheckpointManager keeps) and leftover staging
  directories; returns the removed paths."""
  kept = set(int(s) for s in kept_steps)
  removed = []
  for step, path in workspace.generator_exports(model_dir).items():
    if step not in kept:
      shutil.rmtree(path, ignore_errors=True)
      removed.append(path)
  root = workspace.generators_dir(model_dir)
  if os.path.isdir(root):
    for name in os.listdir(root):
      # Hidden names: temporaries of an export a crash interrupted (those of
      # fileio, and the ".staging-" / ".old-" / ".export-" of earlier
      # versions). Only the one train job of the run writes here.
      if name.startswith("."):
        shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        removed.append(os.path.join(root, name))
  return removed
