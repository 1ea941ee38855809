"""What every data source returns, and the shared batching pipeline."""

from __future__ import annotations

import dataclasses
from typing import Optional

import tensorflow as tf

SHUFFLE_BUFFER = 10_000


@dataclasses.dataclass(frozen=True)
class DatasetInfo:
  """Static facts about a data source that shape the models."""
  name: str
  num_classes: int              # 0 when the data has no labels.
  sample_shape: tuple[int, ...]  # (size, size, channels) or (dims,).
  num_examples: Optional[int]   # None for an endless sampler.

  @property
  def is_image(self) -> bool:
    return len(self.sample_shape) == 3

  @property
  def channels(self) -> int:
    return self.sample_shape[-1]


@dataclasses.dataclass(frozen=True)
class Shard:
  """Which part of the data one input pipeline reads (for multi-worker runs)."""
  num_shards: int = 1
  index: int = 0


def finish_pipeline(ds: tf.data.Dataset, batch_size: int, training: bool,
                    seed: int, shard: Shard = Shard(),
                    num_examples: Optional[int] = None) -> tf.data.Dataset:
  """Shards, then shuffle(10000)+repeat for training, batches, prefetches.

  Training batches drop the remainder so every step sees `batch_size` samples.
  Evaluation keeps the last partial batch and reads the data once.
  """
  if shard.num_shards > 1:
    ds = ds.shard(shard.num_shards, shard.index)
  if training:
    buffer = SHUFFLE_BUFFER if num_examples is None else min(
        SHUFFLE_BUFFER, num_examples)
    ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True).repeat()
  ds = ds.batch(batch_size, drop_remainder=training)
  return ds.prefetch(tf.data.AUTOTUNE)


def to_unit_range(images: tf.Tensor, max_value: float = 255.0) -> tf.Tensor:
  """Maps pixel values in [0, max_value] to float32 in [-1, 1]."""
  return tf.cast(images, tf.float32) / (max_value / 2.0) - 1.0


def central_square_resize(image: tf.Tensor, size: int) -> tf.Tensor:
  """Crops the largest central square and resizes it (bilinear, antialiased)."""
  shape = tf.shape(image)
  side = tf.minimum(shape[0], shape[1])
  top = (shape[0] - side) // 2
  left = (shape[1] - side) // 2
  image = tf.image.crop_to_bounding_box(image, top, left, side, side)
  return tf.image.resize(tf.cast(image, tf.float32), [size, size],
                         method="bilinear", antialias=True)
