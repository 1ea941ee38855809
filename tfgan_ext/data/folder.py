"""A local folder of images with one sub-folder per class."""

from __future__ import annotations

import os

import keras
import tensorflow as tf

from tfgan_ext.data.base import DatasetInfo, to_unit_range
from tfgan_ext.errors import InputError


def folder_source(path: str, image_size: int, channels: int
                  ) -> tuple[tf.data.Dataset, DatasetInfo]:
  """Unbatched (image in [-1, 1], label) pairs; labels follow sorted sub-folders.

  Each image is cropped to its largest central square and resized (bilinear).
  """
  if not os.path.isdir(path):
    raise InputError(f"Image folder {path!r} does not exist.")
  classes = sorted(d for d in os.listdir(path)
                   if os.path.isdir(os.path.join(path, d)))
  if not classes:
    raise InputError(f"Image folder {path!r} has no class sub-folders; put "
                     "each class's images in a sub-folder of its own.")
  ds = keras.utils.image_dataset_from_directory(
      path, labels="inferred", label_mode="int", class_names=classes,
      color_mode="grayscale" if channels == 1 else "rgb",
      batch_size=None, image_size=(image_size, image_size), shuffle=False,
      crop_to_aspect_ratio=True, verbose=False)
  count = int(ds.cardinality())
  ds = ds.map(lambda x, y: (to_unit_range(x), tf.cast(y, tf.int32)))
  name = "folder:" + os.path.abspath(path)
  return ds, DatasetInfo(name, len(classes),
                         (image_size, image_size, channels), count)
