"""Errors of checkpoints the eval job cannot read, now or at all.

`CheckpointUnavailable`: a checkpoint that could not be read (rotated away,
or still being written); the polling job skips it, or retries it while it
exists. `GeneratorExportMissing`: a checkpoint of a run with user-built
networks whose exported generator is not there; also a `MissingInputError`,
so a one-off evaluation reports it as bad input, naming the path.
"""

from __future__ import annotations

from tfgan_ext.errors import MissingInputError

__all__ = ["CheckpointUnavailable", "GeneratorExportMissing"]


class CheckpointUnavailable(RuntimeError):
  """A checkpoint could not be read (rotated away, or still being written)."""


class GeneratorExportMissing(MissingInputError, CheckpointUnavailable):
  """A checkpoint's exported generator (runs with user-built networks) is
  not in `<model_dir>/generators/ckpt-<N>/`."""
