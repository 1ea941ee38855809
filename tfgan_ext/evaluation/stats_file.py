"""FID reference statistics in the TTUR / pytorch-fid `.npz` format.

A file holds `mu` [d] and `sigma` [d, d] (pytorch-fid writes float64; TTUR's
published files are float32; both load, as float64). Files written here add
`num_examples` (int) and `key` (JSON: dataset, split, image size, channels,
sample count, feature network, feature_dim); readers of the plain format
ignore them.

Reading refuses (InputError naming the file) anything that would give a
wrong number rather than an error: a file that is not a zip, object arrays,
wrong shapes, NaN / Inf, a covariance that is not symmetric or not positive
semi-definite within `covariance_tolerance` (e.g. sigma = -5 I, whose FID
against anything would be clipped to 0).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import zipfile
import zlib
from typing import Optional

import numpy as np

from tfgan_ext import fileio
from tfgan_ext.errors import InputError, MissingInputError
from tfgan_ext.evaluation.reference import ReferenceData
from tfgan_ext.metrics.frechet import PSD_RTOL, covariance_problem

__all__ = ["ReferenceStats", "covariance_tolerance", "file_sha256",
           "load_reference_stats",
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


def covariance_tolerance(dtype: np.dtype) -> float:
  """Relative tolerance of the covariance checks for a file storing sigma as
  `dtype`: max(PSD_RTOL, 64 eps(dtype)), i.e. 1e-6 for float64 and 7.6e-6
  for float32 (rounding to float32 moves the eigenvalues by a few eps times
  the matrix's norm)."""
  if not np.issubdtype(dtype, np.floating):
    return PSD_RTOL
  return max(PSD_RTOL, 64.0 * float(np.finfo(dtype).eps))


def _refuse(path: str, problem: str) -> InputError:
  return InputError(f"{path}: {problem}. Reference statistics must be the "
                    "mean and covariance of real features; write them again "
                    "with eval.write_stats (or use the split's own, without "
                    "--reference_stats).")


def load_reference_stats(path: str,
                         feature_dim: Optional[int] = None) -> ReferenceStats:
  """Reads and checks `mu` and `sigma` from `path`.

  Raises MissingInputError for a missing file and InputError (naming the
  file, saying what is wrong and what is needed) for a file that is not an
  .npz (zip) archive or cannot be read, missing keys, object or
  non-floating arrays, bad shapes, NaN / Inf values, a covariance that is not
  symmetric or not positive semi-definite (within `covariance_tolerance`;
  see `metrics.frechet.covariance_problem`), unreadable `num_examples` /
  `key` entries, or a dimension other than `feature_dim` (the feature
  network's).
  """
  if os.path.isdir(path):
    raise InputError(f"Reference statistics file {path!r} is a folder; name "
                     "the .npz file (eval.write_stats writes one).")
  if not os.path.isfile(path):
    raise MissingInputError(f"Reference statistics file {path!r} does not "
                            f"exist (write one with eval.write_stats).")
  if not zipfile.is_zipfile(path):
    raise InputError(f"{path} is not a NumPy .npz file (a zip archive); "
                     "reference statistics are an .npz with 'mu' [d] and "
                     "'sigma' "
                     "[d, d] (the TTUR / pytorch-fid format, as "
                     "eval.write_stats writes).")
  try:
    with np.load(path, allow_pickle=False) as data:
      files = set(data.files)
      if not {"mu", "sigma"} <= files:
        raise InputError(
            f"{path} holds {sorted(files)}; reference statistics need 'mu' "
            "[d] and 'sigma' [d, d] (the TTUR / pytorch-fid .npz format).")
      mu, sigma = data["mu"], data["sigma"]
      count = data["num_examples"] if "num_examples" in files else None
      key = data["key"] if "key" in files else None
  except InputError:
    raise
  except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile,
          zlib.error) as err:  # Truncated, or object arrays (pickles).
    raise InputError(f"{path} cannot be read as reference statistics "
                     f"({type(err).__name__}: {err}). Write it again with "
                     "eval.write_stats.") from None
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
  if mu.shape[0] < 1:
    raise _refuse(path, "mu and sigma are empty (0 features)")
  if not np.all(np.isfinite(mu)):
    raise _refuse(path, "mu holds NaN or infinite values")
  problem = covariance_problem(
      sigma, rtol=covariance_tolerance(sigma.dtype))
  if problem:
    raise _refuse(path, f"sigma {problem}")
  mu, sigma = mu.astype(np.float64), sigma.astype(np.float64)
  try:
    count = None if count is None else _count(count)
    key = None if key is None else json.loads(str(key))
  except (TypeError, ValueError) as err:
    raise InputError(f"{path}: its 'num_examples' or 'key' entry cannot be "
                     f"read ({err}); write the file again with "
                     "eval.write_stats.") from None
  return ReferenceStats(os.path.abspath(path), file_sha256(path), mu, sigma,
                        count, key)


def _count(value: np.ndarray) -> int:
  """A non-negative integer from a 0-d array; ValueError otherwise."""
  value = np.asarray(value)
  if value.shape != () or not np.issubdtype(value.dtype, np.integer) or \
      int(value) < 0:
    raise ValueError(f"num_examples must be a non-negative integer; got "
                     f"{value!r}")
  return int(value)


def save_reference_stats(path: str, mu: np.ndarray, sigma: np.ndarray, *,
                         num_examples: int, key: dict) -> str:
  """Writes float64 `mu`, `sigma`, `num_examples` and `key` (JSON) to `path`
  atomically (the name is kept as given); returns the file's sha256."""
  mu = np.asarray(mu, np.float64)
  sigma = np.asarray(sigma, np.float64)
  if mu.ndim != 1 or sigma.shape != (mu.shape[0], mu.shape[0]):
    raise InputError(f"Need mu [d] and sigma [d, d]; got {mu.shape} and "
                     f"{sigma.shape}.")
  if not np.all(np.isfinite(mu)):
    raise InputError(f"Statistics for {path} not written: mu holds NaN or "
                     "infinite values.")
  problem = covariance_problem(sigma, eigenvalues=False)
  if problem:
    raise InputError(f"Statistics for {path} not written: sigma {problem}.")
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
