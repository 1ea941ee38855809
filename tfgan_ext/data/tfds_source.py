"""Any TFDS image dataset by name, read from `data_dir` (or TFDS's default)."""

from __future__ import annotations

from typing import Optional

import tensorflow as tf

from tfgan_ext.data.base import DatasetInfo, central_square_resize, to_unit_range
from tfgan_ext.errors import InputError, UnavailableError


class DatasetUnavailableError(UnavailableError):
  """The dataset is not on disk and could not be obtained."""


def _how_to_obtain(name: str, data_dir: Optional[str]) -> str:
  where = data_dir or "TFDS's default data_dir (~/tensorflow_datasets)"
  return (f"TFDS dataset {name!r} is not prepared in {where}. On a machine "
          f"with network access run `python -c \"import tensorflow_datasets as "
          f"tfds; tfds.builder('{name}', data_dir='{data_dir or '~/tensorflow_datasets'}')"
          f".download_and_prepare()\"` (datasets with manual downloads, such as "
          f"imagenet2012, need their archives in <data_dir>/downloads/manual "
          f"first), then copy the prepared folder here and pass --data_dir.")


def load_builder(name: str, data_dir: Optional[str], download: bool):
  """Returns a prepared TFDS builder or raises a clear error at once."""
  import tensorflow_datasets as tfds
  try:
    builder = tfds.builder(name, data_dir=data_dir)
  except tfds.core.registered.DatasetNotFoundError as err:
    raise InputError(
        f"Unknown dataset {name!r}: it is neither built in (digits, ring8, "
        f"grid25, fashion_mnist), a folder, nor a TFDS dataset. "
        f"({err.__class__.__name__})"
    ) from None
  if not builder.is_prepared():
    if not download:
      raise DatasetUnavailableError(_how_to_obtain(name, data_dir))
    try:
      builder.download_and_prepare()
    except Exception as err:  # Network, manual-download or disk errors.
      raise DatasetUnavailableError(
          f"{_how_to_obtain(name, data_dir)} (Download failed: "
          f"{type(err).__name__}: {str(err)[:300]})") from err
  return builder


def tfds_source(name: str, split: str, image_size: int, channels: int,
                data_dir: Optional[str], download: bool
                ) -> tuple[tf.data.Dataset, DatasetInfo]:
  """Unbatched (image in [-1, 1], label) pairs from a TFDS image dataset.

  Images are cropped to their largest central square and resized; datasets
  without a `label` feature yield label 0 and report 0 classes.
  """
  builder = load_builder(name, data_dir, download)
  features = builder.info.features
  if "image" not in features:
    raise InputError(f"TFDS dataset {name!r} has no 'image' feature; its "
                     f"features are {list(features.keys())}.")
  known_splits = list(builder.info.splits.keys())
  base_split = split.split("[")[0].split("+")[0]
  if known_splits and base_split not in known_splits:
    raise InputError(f"TFDS dataset {name!r} has splits {known_splits}; got "
                     f"{split!r}.")
  label_feature = features["label"] if "label" in features else None
  num_classes = getattr(label_feature, "num_classes", 0) or 0

  def preprocess(example):
    image = central_square_resize(example["image"], image_size)
    if image.shape[-1] != channels:
      image = (tf.image.rgb_to_grayscale(image) if channels == 1
               else tf.repeat(image[..., :1], channels, axis=-1))
    label = (tf.cast(example["label"], tf.int32) if num_classes
             else tf.zeros([], tf.int32))
    return to_unit_range(image), label

  ds = builder.as_dataset(split=split, shuffle_files=False)
  ds = ds.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)
  try:
    num_examples = builder.info.splits[split].num_examples
  except (KeyError, ValueError):  # Splits unknown to the metadata.
    num_examples = None
  info = DatasetInfo(name, num_classes, (image_size, image_size, channels),
                     num_examples)
  return ds, info
