"""Real-data features and statistics of a reference split, cached on disk.

Cache files live in `cache_dir`, named by (dataset, split, image size,
sample count, feature network) as in `metrics.cached_statistics`:
`<stem>.npz` / `.json` hold the FID statistics (mu, sigma) and
`<stem>.features.npz` the per-example features and labels (for intra-FID,
KID and class centroids).
"""

from __future__ import annotations

import json
import os
from typing import Optional

from absl import logging
import numpy as np

from tfgan_ext import data as data_lib
from tfgan_ext import fileio
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation.progress import Progress
from tfgan_ext.evaluation.real_data import split_arrays
from tfgan_ext.metrics import cached_statistics, compute_activations
from tfgan_ext.metrics.feature_networks import statistics_cache_paths

__all__ = ["ReferenceData", "network_outputs"]


def network_outputs(network, samples: np.ndarray, batch_size: int,
                    progress: Optional[Progress] = None) -> dict:
  """The network's outputs on an array of images ([N, H, W, C]) or points."""
  callback = progress.callback() if progress else None
  if samples.ndim == 4:
    return compute_activations(network, samples, batch_size,
                               progress=callback)
  parts: dict = {}
  for start in range(0, len(samples), batch_size):
    for key, value in network(samples[start:start + batch_size]).items():
      parts.setdefault(key, []).append(np.asarray(value))
    if callback:
      callback(min(start + batch_size, len(samples)), len(samples))
  return {k: np.concatenate(v) for k, v in parts.items()}


class ReferenceData:
  """Features of `num_samples` real examples (0: the whole split) of a split.

  A count above the split's size is capped by it: `num_samples` (and the
  cache key) hold the count used, `requested_samples` the one asked for.
  Computed once per process and per cache key; `features()` returns
  {"pool": float32 [n, d], "logits": float32 [n, K], "labels": int32 [n]}
  ("logits" only when the network has them).
  """

  def __init__(self, network, dataset: str, split: str, *, image_size: int,
               channels: int, num_samples: int = 0,
               cache_dir: Optional[str] = None,
               data_dir: Optional[str] = None, batch_size: int = 100):
    self.network = network
    self.dataset = dataset
    self.split = split
    self.image_size = image_size
    self.channels = channels
    self.requested_samples = num_samples
    size = data_lib.dataset_info(dataset, split=split, image_size=image_size,
                                 channels=channels,
                                 data_dir=data_dir).num_examples
    if size is not None:  # None: endless, or a size the metadata lacks.
      num_samples = min(num_samples or size, size)
    self.num_samples = num_samples
    self._count_known = size is not None
    self.cache_dir = cache_dir
    self.data_dir = data_dir
    self.batch_size = batch_size
    self._features = None
    self._set_key()

  def _set_key(self) -> None:
    self.key = dict(dataset=self.dataset, split=self.split,
                    image_size=self.image_size, channels=self.channels,
                    num_samples=self.num_samples, network=self.network.name)

  def _features_path(self) -> Optional[str]:
    if not self.cache_dir:
      return None
    npz, _ = statistics_cache_paths(self.cache_dir,
                                    dict(self.key, kind="features"))
    return npz[:-len(".npz")] + ".features.npz"

  def _load(self, path: Optional[str]) -> Optional[dict]:
    if not path or not os.path.exists(path):
      return None
    with np.load(path) as data:
      if json.loads(str(data["key"])) != self.key:
        return None
      return {k: data[k] for k in data.files if k != "key"}

  def _compute(self) -> dict:
    samples, labels = split_arrays(
        self.dataset, self.split, image_size=self.image_size,
        channels=self.channels, max_examples=self.num_samples or None,
        data_dir=self.data_dir)
    progress = Progress(f"reference features ({self.dataset}/{self.split}, "
                        f"{self.network.name})", len(samples))
    outputs = network_outputs(self.network, samples, self.batch_size,
                              progress)
    features = {"pool": outputs["pool"].astype(np.float32),
                "labels": labels.astype(np.int32)}
    if "logits" in outputs:  # Pool-only networks (FID's Inception) have none.
      features["logits"] = outputs["logits"].astype(np.float32)
    return features

  def features(self) -> dict:
    if self._features is None:
      path = self._features_path()
      self._features = self._load(path)
      if self._features is None:
        self._features = self._compute()
        count = len(self._features["labels"])
        if count != self.num_samples:  # The split was smaller than asked.
          self.num_samples = count
          self._set_key()
          path = self._features_path()
        if path:
          with fileio.atomic_open(path, "wb") as f:  # Concurrent evals: own
            np.savez(f, key=json.dumps(self.key, sort_keys=True),  # temps.
                     **self._features)
          logging.info("Cached reference features in %s.", path)
      self._count_known = True
    return self._features

  @property
  def num_examples(self) -> int:
    return int(len(self.features()["labels"]))

  def statistics(self) -> tuple[np.ndarray, np.ndarray]:
    """(mu, sigma) of the pool features, via `metrics.cached_statistics`."""
    if not self.cache_dir:
      from tfgan_ext.metrics import activation_statistics
      return activation_statistics(self.features()["pool"])
    if not self._count_known:  # The key needs the real count first.
      self.features()
    return cached_statistics(self.cache_dir, self.key,
                             lambda: self.features()["pool"])

  def class_centroids(self, num_classes: int) -> np.ndarray:
    """Mean pool feature of each class [K, d]; every class must occur."""
    feats = self.features()
    present = np.bincount(feats["labels"], minlength=num_classes)
    if len(present) > num_classes or not np.all(present[:num_classes] > 0):
      raise InputError(
          f"Class centroids need examples of all {num_classes} classes in "
          f"{self.dataset}/{self.split}; counts are {present.tolist()}.")
    return np.stack([feats["pool"][feats["labels"] == k].mean(axis=0)
                     for k in range(num_classes)])
