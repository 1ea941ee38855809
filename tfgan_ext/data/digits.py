"""scikit-learn's embedded 8x8 handwritten digits (1,797 real labelled images)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfgan_ext.data.base import DatasetInfo
from tfgan_ext.errors import InputError

NUM_TEST = 360  # Held-out images; the remaining 1,437 are the train split.
_SPLIT_SEED = 0


def load_digits_arrays(split: str) -> tuple[np.ndarray, np.ndarray]:
  """Returns (images [N, 8, 8] in [0, 16], labels [N]) of one split.

  The split is a fixed random permutation, the same on every machine.
  """
  from sklearn.datasets import load_digits  # Data ships inside the package.
  bunch = load_digits()
  order = np.random.RandomState(_SPLIT_SEED).permutation(len(bunch.target))
  images = bunch.images[order].astype(np.float32)
  labels = bunch.target[order].astype(np.int32)
  if split == "train":
    return images[NUM_TEST:], labels[NUM_TEST:]
  if split in ("test", "validation"):
    return images[:NUM_TEST], labels[:NUM_TEST]
  raise InputError(f"digits has splits 'train' and 'test'; got {split!r}.")


def digits_source(split: str, image_size: int, channels: int
                  ) -> tuple[tf.data.Dataset, DatasetInfo]:
  """Unbatched (image in [-1, 1] of [size, size, channels], label) pairs."""
  images, labels = load_digits_arrays(split)
  x = tf.convert_to_tensor(images[..., None])
  x = tf.image.resize(x, [image_size, image_size], method="bilinear")
  x = tf.clip_by_value(x / 8.0 - 1.0, -1.0, 1.0)
  if channels != 1:
    x = tf.repeat(x, channels, axis=-1)
  ds = tf.data.Dataset.from_tensor_slices((x, labels))
  info = DatasetInfo("digits", 10, (image_size, image_size, channels),
                     len(labels))
  return ds, info
