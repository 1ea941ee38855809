"""Data pipelines: value ranges, shapes, labels, errors, TFDS and folders."""

import os

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from tfgan_ext import data as data_lib
from tfgan_ext.data import DatasetUnavailableError, make_dataset
from tfgan_ext.data.digits import load_digits_arrays
from tfgan_ext.data.mixtures import mixture_centers
from tfgan_ext.errors import InputError


def test_digits_range_shape_labels_and_heldout_split():
  ds, info = make_dataset("digits", "train", 32, image_size=16, channels=1)
  images, labels = next(iter(ds))
  assert images.shape == (32, 16, 16, 1) and labels.dtype == tf.int32
  assert -1.0 <= float(tf.reduce_min(images)) and float(tf.reduce_max(images)) <= 1.0
  assert info.num_classes == 10 and info.num_examples == 1437
  train_x, train_y = load_digits_arrays("train")
  test_x, _ = load_digits_arrays("test")
  assert len(train_y) + len(test_x) == 1797
  # Held-out images are not in the training split.
  train_set = {x.tobytes() for x in train_x}
  overlap = sum(x.tobytes() in train_set for x in test_x)
  assert overlap <= 2  # sklearn's digits hold a couple of exact duplicates.


def test_digits_pixel_mapping_at_native_size():
  ds, _ = make_dataset("digits", "test", 360, image_size=8, channels=1,
                       training=False)
  images, labels = next(iter(ds))
  raw, raw_labels = load_digits_arrays("test")
  np.testing.assert_allclose(images.numpy()[..., 0], raw / 8.0 - 1.0,
                             atol=1e-6)
  np.testing.assert_array_equal(labels.numpy(), raw_labels)


def test_training_pipeline_repeats_and_drops_remainder():
  ds, _ = make_dataset("digits", "test", 100, image_size=8, channels=3)
  shapes = [x.shape for x, _ in ds.take(5)]  # 500 > 360: must repeat.
  assert shapes == [(100, 8, 8, 3)] * 5


@pytest.mark.parametrize("name, modes", [("ring8", 8), ("grid25", 25)])
def test_mixtures_points_sit_near_their_mode(name, modes):
  ds, info = make_dataset(name, "train", 512)
  points, labels = next(iter(ds))
  centers, std = mixture_centers(name)
  assert info.sample_shape == (2,) and info.num_classes == modes
  dist = np.linalg.norm(points.numpy() - centers[labels.numpy()], axis=1)
  assert dist.max() < 6 * std
  assert len(np.unique(labels.numpy())) == modes


def test_unknown_dataset_fails_with_clear_message():
  with pytest.raises(ValueError, match="Unknown dataset 'no_such_data'"):
    make_dataset("no_such_data", "train", 8)


def test_missing_tfds_dataset_offline_names_dataset_and_data_dir(tmp_path):
  with pytest.raises(DatasetUnavailableError) as err:
    make_dataset("mnist", "train", 8, data_dir=str(tmp_path))
  assert "mnist" in str(err.value) and str(tmp_path) in str(err.value)
  assert "download_and_prepare" in str(err.value)


def test_data_dir_that_is_a_file_is_refused(tmp_path):
  path = tmp_path / "notes.txt"
  path.write_text("a file, not a folder\n")
  for name in ("fashion_mnist", "mnist"):  # IDX files, and TFDS.
    with pytest.raises(InputError, match="--data_dir=.*is a file"):
      make_dataset(name, "train", 8, data_dir=str(path))


class TinyShapes(tfds.core.GeneratorBasedBuilder):
  """A real TFDS dataset the test prepares offline: 12 RGB rectangles."""
  VERSION = tfds.core.Version("1.0.0")

  def _info(self):
    return tfds.core.DatasetInfo(
        builder=self,
        features=tfds.features.FeaturesDict({
            "image": tfds.features.Image(shape=(12, 20, 3)),
            "label": tfds.features.ClassLabel(num_classes=3)}))

  def _split_generators(self, dl_manager):
    return {"train": self._generate_examples()}

  def _generate_examples(self):
    for i in range(12):
      image = np.zeros((12, 20, 3), np.uint8)
      image[:, 4:16] = 255  # The central 12x12 square is white.
      yield i, {"image": image, "label": i % 3}


def test_tfds_dataset_on_disk_is_cropped_resized_and_scaled(tmp_path):
  TinyShapes(data_dir=str(tmp_path)).download_and_prepare()
  ds, info = make_dataset("tiny_shapes", "train", 4, image_size=6, channels=3,
                          data_dir=str(tmp_path), training=False)
  images, labels = next(iter(ds))
  assert info.num_classes == 3 and info.num_examples == 12
  assert images.shape == (4, 6, 6, 3)
  # Largest central square of a 12x20 image is the white 12x12 block.
  np.testing.assert_allclose(images.numpy(), 1.0, atol=1e-5)
  assert set(labels.numpy()) <= {0, 1, 2}


def test_tfds_mock_data_path():
  with tfds.testing.mock_data(num_examples=8):
    ds, info = make_dataset("mnist", "train", 4, image_size=16, channels=1,
                            download=True)
    images, labels = next(iter(ds))
  assert images.shape == (4, 16, 16, 1) and info.num_classes == 10
  assert float(tf.reduce_min(images)) >= -1.0
  assert float(tf.reduce_max(images)) <= 1.0


def test_folder_of_class_subfolders(tmp_path):
  from PIL import Image
  for c, value in (("cats", 0), ("dogs", 255)):
    os.makedirs(tmp_path / c)
    for i in range(3):
      Image.fromarray(np.full((10, 14, 3), value, np.uint8)).save(
          tmp_path / c / f"{i}.png")
  ds, info = make_dataset(f"folder:{tmp_path}", "train", 6, image_size=4,
                          channels=3, training=False)
  images, labels = next(iter(ds))
  assert info.num_classes == 2 and info.num_examples == 6
  by_label = {int(l): float(tf.reduce_mean(x)) for x, l in zip(images, labels)}
  np.testing.assert_allclose([by_label[0], by_label[1]], [-1.0, 1.0],
                             atol=1e-5)


def test_folder_with_a_damaged_image_is_refused_up_front(tmp_path):
  from PIL import Image
  for c in ("cats", "dogs"):
    os.makedirs(tmp_path / c)
    Image.fromarray(np.zeros((6, 6, 3), np.uint8)).save(tmp_path / c / "0.png")
  good = (tmp_path / "dogs" / "0.png").read_bytes()
  (tmp_path / "dogs" / "1.png").write_bytes(good[:len(good) // 2])
  (tmp_path / "cats" / "1.jpg").write_bytes(good)  # A PNG named .jpg: fine.
  with pytest.raises(InputError, match=r"dogs/1\.png"):
    make_dataset(f"folder:{tmp_path}", "train", 2, image_size=4, channels=3)
  os.remove(tmp_path / "dogs" / "1.png")
  _, info = make_dataset(f"folder:{tmp_path}", "train", 2, image_size=4,
                         channels=3)
  assert info.num_examples == 3


@pytest.mark.parametrize("name, split, size, channels, match", [
    ("", "train", 16, 1, "dataset name is empty"),
    ("digits", "", 16, 1, "split of 'digits' is empty"),
    ("digits", "train", 65536, 1, "--image_size must be <= 1024"),
    ("digits", "train", 0, 1, "--image_size must be >= 1"),
    ("cifar10", "train", 32, 2, "--channels must be one of"),
])
def test_a_bad_request_is_refused_before_data_is_read(name, split, size,
                                                      channels, match):
  with pytest.raises(InputError, match=match):
    data_lib.dataset_info(name, split=split, image_size=size,
                          channels=channels)


def test_bad_batch_size():
  with pytest.raises(ValueError, match="batch_size"):
    make_dataset("digits", "train", 0)


def test_dataset_info_without_pipeline():
  info = data_lib.dataset_info("digits", image_size=32, channels=1)
  assert info.sample_shape == (32, 32, 1) and info.is_image
