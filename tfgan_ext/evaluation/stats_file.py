"""FID reference statistics in the TTUR / pytorch-fid `.npz` format.

A file holds `mu` [d] and `sigma` [d, d] (pytorch-fid writes float64; TTUR's
published files are float32; both load, as float64). Files written here add
`num_examples` (int) and `key` (JSON: dataset, split, image size, channels,
sample count, feature network, feature_dim); readers of the plain format
ignore them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from typing import Optional

import numpy as np

from tfgan_ext import fileio
from tfgan_ext.errors import InputError, MissingInputError
from tfgan_ext.evaluation.reference import ReferenceData

__all__ = ["ReferenceStats", "file_sha256", "load_reference_stats",
           "save_reference_stats", "write_split_stats"]


@dataclasses.dataclass(frozen=True)
class ReferenceStats:
  """Statistics read from a file, with what identifies the file."""
  path: str                # absolute path
  sha256: str              # hex digest of the file's bytes
  mu: np.ndarray           # float64 [d]
  sigma: np.ndarray        # float64 [d, d]
  num_examples: Optional[int] = None   # when the file records it
  key: Optional[dict] = None           # when the file records it

  def protocol(self) -> dict:
    """What a result row records about the reference."""
    return {"path": self.path, "sha256": self.sha256,
            "num_examples": self.num_examples}


def file_sha256(path: str) -> str:
  digest = hashlib.sha256()
  with open(path, "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
      digest.update(block)
  return digest.hexdigest()


def load_reference_stats(path: str,
                         feature_dim: Optional[int] = None) -> ReferenceStats:
  """Reads and checks `mu` and `sigma` from `path`.

  Raises FileNotFoundError for a missing file and ValueError (saying what is
  wrong and what is needed) for missing keys, bad shapes, non-finite values,
  or a dimension other than `feature_dim` (the feature network's).
  """
  if not os.path.isfile(path):
    raise MissingInputError(f"Reference statistics file {path!r} does not "
                            f"exist (write one with eval.write_stats).")
  try:
    data = np.load(path, allow_pickle=False)
  except (OSError, EOFError, ValueError) as err:
    raise InputError(f"{path} is not a NumPy .npz file ({err}).") from err
  if not isinstance(data, np.lib.npyio.NpzFile):
    raise InputError(f"{path} holds a single array, not an .npz archive with "
                     f"'mu' and 'sigma'.")
  with data:
    files = set(data.files)
    if not {"mu", "sigma"} <= files:
      raise InputError(
          f"{path} holds {sorted(files)}; reference statistics need 'mu' [d] "
          f"and 'sigma' [d, d] (the TTUR / pytorch-fid .npz format).")
    mu, sigma = data["mu"], data["sigma"]
    count = int(data["num_examples"]) if "num_examples" in files else None
    key = json.loads(str(data["key"])) if "key" in files else None
  if mu.ndim != 1 or sigma.shape != (mu.shape[0], mu.shape[0]):
    raise InputError(f"{path}: need mu [d] and sigma [d, d]; got mu "
                     f"{mu.shape} and sigma {sigma.shape}.")
  if feature_dim is not None and mu.shape[0] != feature_dim:
    raise InputError(
        f"{path} has {mu.shape[0]}-dimensional statistics, but the feature "
        f"network gives {feature_dim} features; use statistics of the same "
        f"network (e.g. 2048 for Inception pool_3) or the matching "
        f"--classifier_path / --inception_path.")
  if not (np.issubdtype(mu.dtype, np.floating)
          and np.issubdtype(sigma.dtype, np.floating)):
    raise InputError(f"{path}: mu and sigma must be floating point; got "
                     f"{mu.dtype} and {sigma.dtype}.")
  mu, sigma = mu.astype(np.float64), sigma.astype(np.float64)
  if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sigma))):
    raise InputError(f"{path}: mu or sigma contains NaN or infinite values.")
  return ReferenceStats(os.path.abspath(path), file_sha256(path), mu, sigma,
                        count, key)


def save_reference_stats(path: str, mu: np.ndarray, sigma: np.ndarray, *,
                         num_examples: int, key: dict) -> str:
  """Writes float64 `mu`, `sigma`, `num_examples` and `key` (JSON) to `path`
  atomically (the name is kept as given); returns the file's sha256."""
  mu = np.asarray(mu, np.float64)
  sigma = np.asarray(sigma, np.float64)
  if mu.ndim != 1 or sigma.shape != (mu.shape[0], mu.shape[0]):
    raise InputError(f"Need mu [d] and sigma [d, d]; got {mu.shape} and "
                     f"{sigma.shape}.")
  fileio.check_output_path(path, "file")
  with fileio.atomic_open(path, "wb") as f:
    np.savez(f, mu=mu, sigma=sigma, num_examples=np.int64(num_examples),
             key=json.dumps(dict(key, feature_dim=int(mu.shape[0])),
                            sort_keys=True))
  return file_sha256(path)


def write_split_stats(path: str, network, dataset: str, split: str, *,
                      image_size: int, channels: int, num_samples: int,
                      cache_dir: Optional[str] = None,
                      data_dir: Optional[str] = None,
                      batch_size: int = 100) -> ReferenceStats:
  """Statistics of the first `num_samples` examples of a split, through the
  eval job's reference pipeline (`ReferenceData`, same features cache),
  written to `path`; returns them as read back from the file. An output
  that cannot be written is refused before any feature is computed."""
  fileio.check_output_path(path, "file")
  reference = ReferenceData(network, dataset, split, image_size=image_size,
                            channels=channels, num_samples=num_samples,
                            cache_dir=cache_dir, data_dir=data_dir,
                            batch_size=batch_size)
  mu, sigma = reference.statistics()
  save_reference_stats(path, mu, sigma, num_examples=reference.num_examples,
                       key=reference.key)
  return load_reference_stats(path, feature_dim=mu.shape[0])
