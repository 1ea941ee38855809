"""Feature networks for IS / FID / KID, activation extraction, stats cache.

A feature network is any callable `net(images) -> {"logits": [B, K],
"pool": [B, D]}` taking a float32 NHWC batch in [-1, 1] of any spatial size,
with attributes `name` (used in cache keys) and `feature_dim` (D). The
TF-GAN Inception module below and a domain classifier trained on the dataset
both fit, so the metric code does not care which one it gets.

The TF-Hub module `tensorflow/tfgan/eval/inception/1` is in the TF1 Hub format
(its tfhub.dev page says `format: hub`). `hub.load` in TF2 returns an object
that is not callable; its `signatures["default"]` takes one float32 input
(`images`, [B, 299, 299, 3] in [-1, 1]) and returns a dict with `logits`
[B, 1008] and `pool_3` (2048 features, flattened here to [B, 2048]). TF2
SavedModels exposing a callable with the same output keys also load.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from typing import (Any, Callable, Dict, Iterable, Mapping, Optional,
                    Protocol, Tuple)

import numpy as np
import tensorflow as tf

from tfgan_ext import fileio
from tfgan_ext.errors import MissingInputError
from tfgan_ext.metrics.frechet import activation_statistics

__all__ = [
    "DEFAULT_INCEPTION_URL",
    "INCEPTION_IMAGE_SIZE",
    "FeatureNetwork",
    "InceptionNetwork",
    "cached_statistics",
    "compute_activations",
    "hub_cache_folder",
    "inception_network",
    "resolve_module_path",
    "statistics_cache_paths",
]

DEFAULT_INCEPTION_URL = "https://tfhub.dev/tensorflow/tfgan/eval/inception/1"
INCEPTION_IMAGE_SIZE = 299
INCEPTION_NUM_CLASSES = 1008
INCEPTION_POOL_DIM = 2048


class FeatureNetwork(Protocol):
  """What the metric code needs from a feature extractor."""
  name: str
  feature_dim: int

  def __call__(self, images: tf.Tensor) -> Dict[str, tf.Tensor]:
    ...


# ----------------------------------------------------------------------------
# Locating a module without touching the network.

def _hub_cache_dir() -> str:
  """TFHUB_CACHE_DIR, else tensorflow_hub's default <tmp>/tfhub_modules."""
  return (os.environ.get("TFHUB_CACHE_DIR")
          or os.path.join(tempfile.gettempdir(), "tfhub_modules"))


def hub_cache_folder(url: str) -> str:
  """Where tensorflow_hub caches `url`: <cache>/<sha1 hex of the exact URL>."""
  return os.path.join(_hub_cache_dir(),
                      hashlib.sha1(url.encode("utf8")).hexdigest())


def _has_saved_model(path: str) -> bool:
  return any(tf.io.gfile.exists(os.path.join(path, name))
             for name in ("saved_model.pb", "saved_model.pbtxt"))


def _missing_url_message(url: str, folder: str) -> str:
  cache_env = os.environ.get("TFHUB_CACHE_DIR")
  cache_note = (f"TFHUB_CACHE_DIR={cache_env}" if cache_env else
                f"TFHUB_CACHE_DIR is unset, so the default {_hub_cache_dir()}")
  return (
      f"TF-Hub module {url!r} is not available offline, and no download is "
      f"attempted. TF-Hub serves a URL from the cache sub-folder named by the "
      f"SHA-1 hex digest of the exact URL string; looked for {folder!r} "
      f"({cache_note}). To get a local copy: on a machine with network "
      f"access, download {url + '?tf-hub-format=compressed'!r} (a .tar.gz; "
      f"tfhub.dev now redirects to Kaggle Models, which offers the same "
      f"archive), extract it into a directory (it must contain "
      f"saved_model.pb), then pass that directory instead of the URL (e.g. "
      f"--inception_path DIR), or extract it into {folder!r}.")


def resolve_module_path(path_or_url: str) -> str:
  """A local SavedModel directory for `path_or_url`, or a clear error.

  http(s) URLs are looked up only in the TF-Hub cache folder; nothing is
  downloaded. Raises FileNotFoundError naming what was looked for.
  """
  if re.match(r"^https?://", path_or_url):
    folder = hub_cache_folder(path_or_url)
    if tf.io.gfile.isdir(folder) and _has_saved_model(folder):
      return folder
    raise MissingInputError(_missing_url_message(path_or_url, folder))
  if not tf.io.gfile.isdir(path_or_url):
    raise MissingInputError(
        f"Feature network directory {path_or_url!r} does not exist. Pass a "
        f"directory holding the extracted TF-Hub module (saved_model.pb), or "
        f"the module URL with a populated TFHUB_CACHE_DIR.")
  if not _has_saved_model(path_or_url):
    raise MissingInputError(
        f"{path_or_url!r} holds neither saved_model.pb nor saved_model.pbtxt; "
        f"it is not an extracted TF-Hub module / SavedModel.")
  return path_or_url


# ----------------------------------------------------------------------------
# The TF-GAN Inception network.

def _float_images(images) -> tf.Tensor:
  images = tf.convert_to_tensor(images)
  if not images.dtype.is_floating:
    raise ValueError(f"Expected float images in [-1, 1], got {images.dtype}.")
  return tf.cast(images, tf.float32)


def _single_input_caller(signature) -> Callable[[tf.Tensor], Mapping]:
  inputs = signature.structured_input_signature[1]
  if len(inputs) != 1:
    raise ValueError(f"Expected a signature with one image input, got inputs "
                     f"{sorted(inputs)}.")
  (input_name,) = inputs
  return lambda images: signature(**{input_name: images})


def _module_caller(module: Any) -> Callable[[tf.Tensor], Mapping]:
  """How to call a loaded module: TF1 'default' signature, else __call__."""
  signatures = getattr(module, "signatures", {})
  if "default" in signatures:
    return _single_input_caller(signatures["default"])
  if callable(module):
    return module
  if "serving_default" in signatures:
    return _single_input_caller(signatures["serving_default"])
  raise ValueError(f"The module is not callable and has no 'default' or "
                   f"'serving_default' signature (has {sorted(signatures)}).")


def resize_for_inception(images: tf.Tensor) -> tf.Tensor:
  """Images resized to Inception's 299x299: bilinear, half-pixel centres, no
  antialiasing (as pytorch-fid's F.interpolate with align_corners=False)."""
  size = [INCEPTION_IMAGE_SIZE, INCEPTION_IMAGE_SIZE]
  return tf.image.resize(images, size, method="bilinear", antialias=False)


def _flatten(x: tf.Tensor) -> tf.Tensor:
  """[B, ...] -> [B, features], keeping the feature count static if known."""
  x = tf.cast(x, tf.float32)
  if x.shape[1:].is_fully_defined():
    return tf.reshape(x, [-1, int(np.prod(x.shape[1:]))])
  return tf.reshape(x, [tf.shape(x)[0], -1])


class InceptionNetwork:
  """TF-GAN's Inception (TF-Hub `tfgan/eval/inception/1`) as a feature network.

  Inputs: float32 NHWC images in [-1, 1], any size; 1-channel images are
  repeated to 3 channels. They are resized explicitly to 299x299 with
  `tf.image.resize(..., method="bilinear", antialias=False)` on the [-1, 1]
  values, as TF-GAN's evaluation does; skipping this resize gives wrong scores.
  Outputs: `logits` [B, 1008] (for the Inception Score) and `pool` [B, 2048]
  (pool_3, for FID / KID).

  Args:
    path_or_url: a local directory with the extracted module (or any TF2
      SavedModel returning `logits` and `pool_3`), or a TF-Hub URL already in
      the TF-Hub cache. Never downloads; fails fast with instructions.
    name: name used in statistics cache keys.
  """

  feature_dim = INCEPTION_POOL_DIM
  image_size = INCEPTION_IMAGE_SIZE

  def __init__(self, path_or_url: str = DEFAULT_INCEPTION_URL, *,
               name: str = "tfgan_inception_v1"):
    import tensorflow_hub as hub  # Deferred: only needed to load modules.
    self.path_or_url = path_or_url
    self.name = name
    self.module_path = resolve_module_path(path_or_url)
    self._module = hub.load(self.module_path)
    self._call_module = _module_caller(self._module)
    self._forward = tf.function(
        self._forward_impl,
        input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])

  def _forward_impl(self, images: tf.Tensor) -> Dict[str, tf.Tensor]:
    outputs = self._call_module(resize_for_inception(images))
    missing = {"logits", "pool_3"} - set(outputs)
    if missing:
      raise ValueError(f"Module outputs lack {sorted(missing)} (has "
                       f"{sorted(outputs)}).")
    return {"logits": _flatten(outputs["logits"]),
            "pool": _flatten(outputs["pool_3"])}

  def __call__(self, images: tf.Tensor) -> Dict[str, tf.Tensor]:
    images = _float_images(images)
    if images.shape.rank != 4:
      raise ValueError(f"Expected NHWC images, got shape {images.shape}.")
    if images.shape[-1] == 1:
      images = tf.tile(images, [1, 1, 1, 3])
    outputs = self._forward(images)
    dim = outputs["pool"].shape[-1]
    if dim is not None and dim != self.feature_dim:
      raise ValueError(f"pool_3 has {outputs['pool'].shape[-1]} features, "
                       f"expected {self.feature_dim}.")
    return outputs


def inception_network(path_or_url: str = DEFAULT_INCEPTION_URL):
  """The Inception feature network at `path_or_url`, chosen by its contents.

  A directory written by `python -m eval.import_inception` (it holds
  fid_inception.json) gives the imported FID Inception (pool features only:
  FID and KID); anything else goes to `InceptionNetwork` (the TF-Hub module,
  with logits for the Inception Score).
  """
  from tfgan_ext.metrics import fid_inception  # pylint: disable=g-import-not-at-top
  if (not re.match(r"^https?://", path_or_url)
      and fid_inception.read_metadata(path_or_url) is not None):
    return fid_inception.FIDInceptionNetwork(path_or_url)
  return InceptionNetwork(path_or_url)


# ----------------------------------------------------------------------------
# Running a feature network over data.

def _image_batches(images, batch_size: int) -> Iterable:
  """Yields (image batch, label batch or None)."""
  if isinstance(images, tf.data.Dataset):
    for element in images:
      if isinstance(element, Mapping):
        yield element["image"], element.get("label")
      elif isinstance(element, (tuple, list)):
        yield element[0], (element[1] if len(element) > 1 else None)
      else:
        yield element, None
    return
  images = np.asarray(images)
  if images.ndim != 4:
    raise ValueError(f"Expected NHWC images, got shape {images.shape}.")
  for start in range(0, images.shape[0], batch_size):
    yield images[start:start + batch_size], None


def compute_activations(
    network: FeatureNetwork, images, batch_size: int = 100, *,
    progress: Optional[Callable[[int, Optional[int]], None]] = None
) -> Dict[str, np.ndarray]:
  """Runs `network` over all images; returns the stacked outputs as NumPy.

  Args:
    network: a feature network (see `FeatureNetwork`).
    images: an array [N, H, W, C] in [-1, 1] (cut into `batch_size` batches),
      or a tf.data.Dataset of image batches, (image, label) batches or
      {"image", "label"} batches (used as batched; `batch_size` is ignored).
    progress: optional `progress(done, total)` called after every batch
      (total is None when unknown). Nothing is printed.

  Returns:
    {"logits": [N, K], "pool": [N, D]} (every key the network returns), plus
    "labels" [N] when the dataset yields labels.
  """
  if batch_size < 1:
    raise ValueError(f"batch_size must be positive, got {batch_size}.")
  total = (None if isinstance(images, tf.data.Dataset)
           else int(np.shape(images)[0]))
  collected: Dict[str, list] = {}
  done = 0
  for batch, labels in _image_batches(images, batch_size):
    outputs = network(_float_images(batch))
    for key, value in outputs.items():
      collected.setdefault(key, []).append(np.asarray(value))
    if labels is not None:
      collected.setdefault("labels", []).append(np.asarray(labels))
    done += int(np.shape(batch)[0])
    if progress is not None:
      progress(done, total)
  if not collected:
    raise ValueError("No images were given.")
  return {key: np.concatenate(parts, axis=0) for key, parts in
          collected.items()}


# ----------------------------------------------------------------------------
# Cached statistics of real data.

REQUIRED_KEY_FIELDS = ("dataset", "split", "image_size", "num_samples",
                       "network")


def _safe(value: Any) -> str:
  return re.sub(r"[^A-Za-z0-9._-]+", "_", str(value)).strip("_") or "x"


def statistics_cache_paths(cache_dir: str,
                           key_fields: Mapping[str, Any]) -> Tuple[str, str]:
  """(npz path, json path) for a statistics key; validates the key."""
  missing = [k for k in REQUIRED_KEY_FIELDS if k not in key_fields]
  if missing:
    raise ValueError(f"Statistics cache key lacks {missing}; required: "
                     f"{list(REQUIRED_KEY_FIELDS)}.")
  canonical = json.dumps(dict(key_fields), sort_keys=True)
  digest = hashlib.sha1(canonical.encode("utf8")).hexdigest()[:10]
  stem = "-".join([
      _safe(key_fields["dataset"]), _safe(key_fields["split"]),
      f"{_safe(key_fields['image_size'])}px",
      f"n{_safe(key_fields['num_samples'])}", _safe(key_fields["network"]),
      digest])
  base = os.path.join(cache_dir, stem)
  return base + ".npz", base + ".json"


def _load_cached(npz_path: str, json_path: str, key: dict):
  if not (os.path.exists(npz_path) and os.path.exists(json_path)):
    return None
  with open(json_path, encoding="utf8") as f:
    if json.load(f).get("key") != key:
      return None
  with np.load(npz_path) as data:
    return data["mu"], data["sigma"]


def cached_statistics(cache_dir: str, key_fields: Mapping[str, Any],
                      compute_fn: Callable[[], Any]
                      ) -> Tuple[np.ndarray, np.ndarray]:
  """(mu, sigma) of real-data features, computed once and cached on disk.

  Args:
    cache_dir: directory for `<dataset>-<split>-<size>px-n<N>-<network>-<hash>`
      .npz files and their .json sidecars (the full key, for humans and for
      checking). The hash covers every key field, extra fields included.
    key_fields: JSON-serialisable dict with at least dataset, split,
      image_size, num_samples and network (the feature network's name).
    compute_fn: called on a cache miss; returns activations [num_samples, D]
      or a ready (mu, sigma) pair.
  """
  key = json.loads(json.dumps(dict(key_fields), sort_keys=True))
  npz_path, json_path = statistics_cache_paths(cache_dir, key)
  cached = _load_cached(npz_path, json_path, key)
  if cached is not None:
    return cached
  result = compute_fn()
  if isinstance(result, (tuple, list)) and len(result) == 2:
    mu, sigma = (np.asarray(r, dtype=np.float64) for r in result)
  else:
    acts = np.asarray(result)
    if acts.ndim != 2 or acts.shape[0] != int(key["num_samples"]):
      raise ValueError(f"compute_fn returned activations of shape "
                       f"{acts.shape}; the key says num_samples="
                       f"{key['num_samples']}.")
    mu, sigma = activation_statistics(acts)
  with fileio.atomic_open(npz_path, "wb") as f:
    np.savez(f, mu=mu, sigma=sigma)
  fileio.atomic_write_text(json_path, json.dumps(
      {"key": key, "feature_dim": int(mu.shape[0]),
       "statistics": os.path.basename(npz_path)}, indent=2, sort_keys=True))
  return mu, sigma
