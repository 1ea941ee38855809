"""A local folder of images with one sub-folder per class."""

from __future__ import annotations

import os
from typing import Iterable, Iterator

import keras
import tensorflow as tf

from tfgan_ext.data.base import DatasetInfo, to_unit_range
from tfgan_ext.errors import InputError


# The files keras.utils.image_dataset_from_directory reads.
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


def _holds_images(folder: str) -> bool:
  """Whether `folder` or a folder under it holds an image file."""
  for _, _, files in os.walk(folder):
    if any(f.lower().endswith(IMAGE_EXTENSIONS) for f in files):
      return True
  return False


def _image_files(folder: str) -> Iterator[str]:
  """The image files under `folder`, as keras reads them (by extension)."""
  for root, _, files in os.walk(folder):
    for name in sorted(files):
      if name.lower().endswith(IMAGE_EXTENSIONS):
        yield os.path.join(root, name)


def _unreadable_images(folders: Iterable[str], limit: int = 3
                       ) -> list[tuple[str, str]]:
  """Up to `limit` (path, reason) of image files under `folders` that are
  not readable images: PIL's `verify` (the file's structure and checksums,
  without decoding the pixels) fails on a truncated or mislabelled file,
  which would otherwise stop training midway with a TensorFlow error."""
  from PIL import Image  # pylint: disable=import-outside-toplevel
  bad = []
  for folder in folders:
    for path in _image_files(folder):
      try:
        with Image.open(path) as image:
          image.verify()
      except Exception as err:  # pylint: disable=broad-except
        # PIL raises many types (OSError, SyntaxError, struct.error, ...).
        bad.append((path, f"{type(err).__name__}: {err}"[:120]))
        if len(bad) >= limit:
          return bad
  return bad


def folder_source(path: str, image_size: int, channels: int
                  ) -> tuple[tf.data.Dataset, DatasetInfo]:
  """Unbatched (image in [-1, 1], label) pairs; labels follow sorted sub-folders.

  Each image is cropped to its largest central square and resized (bilinear).
  Raises InputError for a folder without class sub-folders, a class folder
  without images, or image files that are not readable images.
  """
  if not os.path.isdir(path):
    raise InputError(f"Image folder {path!r} does not exist.")
  classes = sorted(d for d in os.listdir(path)
                   if os.path.isdir(os.path.join(path, d)))
  if not classes:
    raise InputError(f"Image folder {path!r} has no class sub-folders; put "
                     "each class's images in a sub-folder of its own.")
  if channels not in (1, 3):
    raise InputError(f"Images of a folder are read with 1 (grayscale) or 3 "
                     f"(RGB) channels; got channels={channels}.")
  empty = [c for c in classes if not _holds_images(os.path.join(path, c))]
  if empty:
    raise InputError(
        f"Class folder(s) {empty} of {path!r} hold no images "
        f"({', '.join(IMAGE_EXTENSIONS)}); put images in every class "
        "folder, or remove the empty ones.")
  bad = _unreadable_images(os.path.join(path, c) for c in classes)
  if bad:
    listed = "; ".join(f"{p} ({why})" for p, why in bad)
    raise InputError(
        f"Image folder {path!r} holds files that are not readable images: "
        f"{listed}. Replace or remove them (they may be truncated, or not "
        "the format their extension says).")
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
