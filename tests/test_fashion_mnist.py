"""Fashion-MNIST from IDX files the tests write (never the installed package)."""

import dataclasses
import gzip
import os
import struct

import numpy as np
import pytest

from tfgan_ext import data as data_lib
from tfgan_ext.data import DatasetUnavailableError, make_dataset
from tfgan_ext.data import idx as idx_lib
from tfgan_ext.evaluation import domain_classifier
from tfgan_ext.evaluation.real_data import split_arrays

NUM_TRAIN, NUM_TEST = 7, 5


def write_idx(path, array, compress):
  """An IDX file written from the format's definition, big-endian."""
  codes = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
           np.float32: 0x0D, np.float64: 0x0E}
  array = np.asarray(array)
  header = struct.pack(">BBBB", 0, 0, codes[array.dtype.type], array.ndim)
  header += struct.pack(f">{array.ndim}I", *array.shape)
  raw = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
  with open(path, "wb") as f:
    f.write(gzip.compress(raw) if compress else raw)


def tiny_arrays(n, seed):
  rng = np.random.RandomState(seed)
  images = rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8)
  images[0] = 255  # One all-white image: its padding is easy to see.
  labels = (np.arange(n) * 3 % 10).astype(np.uint8)
  return images, labels


@pytest.fixture(autouse=True)
def no_installed_copy(tmp_path_factory, monkeypatch):
  """The default folder points at an empty one: tests never see the package."""
  empty = str(tmp_path_factory.mktemp("no_default"))
  spec = dataclasses.replace(idx_lib.FASHION_MNIST, default_dir=empty)
  monkeypatch.setitem(idx_lib.IDX_DATASETS, "fashion_mnist", spec)
  return empty


@pytest.fixture
def folder(tmp_path):
  """Train files gzip-compressed, test files plain, as both occur."""
  arrays = {"train": tiny_arrays(NUM_TRAIN, 1), "test": tiny_arrays(NUM_TEST, 2)}
  for split, compress in (("train", True), ("test", False)):
    stems = idx_lib.FASHION_MNIST.files[split]
    suffix = ".gz" if compress else ""
    for stem, array in zip(stems, arrays[split]):
      write_idx(str(tmp_path / (stem + suffix)), array, compress)
  return str(tmp_path), arrays


def load(split, size, channels, data_dir):
  return split_arrays("fashion_mnist", split, image_size=size,
                      channels=channels, data_dir=data_dir)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.float32])
def test_read_idx_round_trip_any_type(tmp_path, dtype):
  values = (np.arange(24).reshape(2, 3, 4) * 37 - 300).astype(dtype)
  if dtype == np.uint8:
    values = np.arange(24, dtype=np.uint8).reshape(2, 3, 4) * 10
  for compress in (True, False):
    path = str(tmp_path / f"a{compress}")
    write_idx(path, values, compress)
    read = idx_lib.read_idx(path)
    assert read.shape == (2, 3, 4) and read.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(read, values)


def test_native_size_keeps_pixels_and_labels(folder):
  data_dir, arrays = folder
  for split in ("train", "test"):
    x, y = load(split, 28, 1, data_dir)
    images, labels = arrays[split]
    assert x.shape == (len(labels), 28, 28, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x[..., 0], images / 127.5 - 1.0, atol=1e-6)
    np.testing.assert_array_equal(y, labels)


def test_size_32_pads_two_black_pixels_and_tiles_channels(folder):
  data_dir, arrays = folder
  x, y = load("test", 32, 3, data_dir)
  images, labels = arrays["test"]
  expected = np.full((NUM_TEST, 32, 32), -1.0, np.float32)
  expected[:, 2:30, 2:30] = images / 127.5 - 1.0
  assert x.shape == (NUM_TEST, 32, 32, 3)
  for c in range(3):
    np.testing.assert_allclose(x[..., c], expected, atol=1e-6)
  np.testing.assert_array_equal(y, labels)


def triangle_resize_matrix(size_in, size_out):
  """Rows of weights of a half-pixel-centred triangle filter, widened by the
  shrink factor and renormalised at the borders (antialiased bilinear)."""
  scale = size_in / size_out
  radius = max(1.0, scale)
  matrix = np.zeros((size_out, size_in))
  for i in range(size_out):
    centre = (i + 0.5) * scale
    for j in range(size_in):
      matrix[i, j] = max(0.0, 1.0 - abs(j + 0.5 - centre) / radius)
    matrix[i] /= matrix[i].sum()
  return matrix


@pytest.mark.parametrize("size", [16, 64])
def test_other_sizes_resize_the_padded_canvas(folder, size):
  data_dir, arrays = folder
  x, _ = load("train", size, 1, data_dir)
  canvas = np.full((NUM_TRAIN, 32, 32), -1.0)
  canvas[:, 2:30, 2:30] = arrays["train"][0] / 127.5 - 1.0
  m = triangle_resize_matrix(32, size)
  expected = np.einsum("ij,njk,lk->nil", m, canvas, m)
  assert x.shape == (NUM_TRAIN, size, size, 1)
  np.testing.assert_allclose(x[..., 0], expected, atol=2e-5)
  if size == 16:  # All-white image: border rows by hand, weights 1,3,3,1 / 8.
    np.testing.assert_allclose(x[0, :3, 8, 0], [-5 / 7, 0.75, 1.0], atol=1e-5)


def test_info_counts_training_pipeline_and_validation_alias(folder):
  data_dir, arrays = folder
  info = data_lib.dataset_info("fashion_mnist", image_size=32, channels=1,
                               data_dir=data_dir)
  assert (info.name, info.num_classes, info.sample_shape,
          info.num_examples) == ("fashion_mnist", 10, (32, 32, 1), NUM_TRAIN)
  test_info = data_lib.dataset_info("fashion_mnist", split="test",
                                    image_size=8, channels=3,
                                    data_dir=data_dir)
  assert (test_info.sample_shape, test_info.num_examples) == ((8, 8, 3),
                                                              NUM_TEST)
  ds, _ = make_dataset("fashion_mnist", "train", 4, image_size=32, channels=1,
                       data_dir=data_dir)
  batches = list(ds.take(4))  # 16 > 7 examples: shuffled, repeated.
  assert [b[0].shape for b in batches] == [(4, 32, 32, 1)] * 4
  seen = np.concatenate([b[1].numpy() for b in batches])
  assert set(seen) == set(arrays["train"][1])
  _, y = load("validation", 28, 1, data_dir)
  np.testing.assert_array_equal(y, arrays["test"][1])
  assert len(idx_lib.FASHION_MNIST.class_names) == 10


def test_missing_files_name_the_folders_and_the_package(tmp_path,
                                                        no_installed_copy):
  with pytest.raises(DatasetUnavailableError) as err:
    make_dataset("fashion_mnist", "train", 8, data_dir=str(tmp_path))
  message = str(err.value)
  assert str(tmp_path) in message and no_installed_copy in message
  assert "apt-get install dataset-fashion-mnist" in message
  assert "train-images-idx3-ubyte" in message


def test_half_a_split_is_an_error_not_a_fallback(folder):
  data_dir, _ = folder
  os.remove(os.path.join(data_dir, "t10k-labels-idx1-ubyte"))
  with pytest.raises(DatasetUnavailableError,
                     match="t10k-labels-idx1-ubyte.* is missing"):
    load("test", 28, 1, data_dir)


def test_falls_back_to_the_default_folder(folder, monkeypatch):
  data_dir, arrays = folder
  spec = dataclasses.replace(idx_lib.FASHION_MNIST, default_dir=data_dir)
  monkeypatch.setitem(idx_lib.IDX_DATASETS, "fashion_mnist", spec)
  _, y = load("test", 28, 1, data_dir=None)
  np.testing.assert_array_equal(y, arrays["test"][1])


def test_damaged_files_fail_clearly(tmp_path):
  stems = idx_lib.FASHION_MNIST.files["train"]
  images, labels = tiny_arrays(3, 0)
  write_idx(str(tmp_path / stems[1]), labels, False)
  path = str(tmp_path / stems[0])

  def fails(match):
    with pytest.raises(ValueError, match=match):
      load("train", 28, 1, str(tmp_path))

  with open(path, "wb") as f:
    f.write(b"PK\x03\x04" + bytes(100))  # A zip, not IDX.
  fails("is not an IDX file")
  write_idx(path, images, False)
  with open(path, "r+b") as f:
    f.truncate(16 + 3 * 784 - 10)
  fails(r"promises shape \(3, 28, 28\).*truncated")
  write_idx(path, images, True)
  with open(path, "rb") as f:
    raw = f.read()
  with open(path, "wb") as f:
    f.write(raw[:len(raw) // 2])
  fails("damaged gzip data")
  write_idx(path, images.astype(np.int16), False)
  fails("expected uint8 images")
  write_idx(path, images[:2], False)
  fails("holds 2 images but")
  write_idx(path, images, False)
  write_idx(str(tmp_path / stems[1]), labels + 10, False)
  fails(r"outside \[0, 10\)")
  with pytest.raises(ValueError, match="has splits"):
    load("extra", 28, 1, str(tmp_path))


def test_domain_classifier_trains_on_the_files(folder, tmp_path):
  data_dir, _ = folder
  out = str(tmp_path / "fashion_8px")
  info = domain_classifier.train_and_save("fashion_mnist", 8, 1, out,
                                          epochs=1, data_dir=data_dir)
  assert (info.dataset, info.num_classes, info.train_examples,
          info.test_examples, info.test_split) == ("fashion_mnist", 10,
                                                   NUM_TRAIN, NUM_TEST,
                                                   "test")
  assert os.path.exists(os.path.join(out, "classifier.keras"))


def test_flagfile_resolves_against_the_files(folder):
  from tfgan_ext.cli import train_flags
  from tfgan_ext import models as models_lib
  from absl import logging as absl_logging
  data_dir, _ = folder
  flagfile = os.path.join(os.path.dirname(__file__), os.pardir, "experiments",
                          "configs", "sagan_fashion_mnist.cfg")
  level = absl_logging.get_verbosity()
  flags = train_flags.FLAGS
  try:
    flags.unparse_flags()
    flags(["train", f"--flagfile={flagfile}", "--model_dir=/tmp/unused",
           f"--data_dir={data_dir}"])
    config = train_flags.config_from_flags()
  finally:
    flags.unparse_flags()
    absl_logging.set_verbosity(level)
  assert (config.dataset, config.model.num_classes,
          config.model.channels) == ("fashion_mnist", 10, 1)
  assert models_lib.sample_shape(config.model) == (32, 32, 1)


def test_decoded_arrays_are_cached_until_a_file_changes(folder):
  data_dir, arrays = folder
  spec = idx_lib.IDX_DATASETS["fashion_mnist"]
  first = idx_lib.load_idx_split(spec, "test", data_dir)
  again = idx_lib.load_idx_split(spec, "test", data_dir)
  assert first[0] is again[0] and not first[0].flags.writeable
  images, labels = arrays["test"]
  path = os.path.join(data_dir, "t10k-labels-idx1-ubyte")
  write_idx(path + ".new", (labels + 1) % 10, False)
  os.replace(path + ".new", path)
  _, new_labels = idx_lib.load_idx_split(spec, "test", data_dir)
  np.testing.assert_array_equal(new_labels, (labels + 1) % 10)
