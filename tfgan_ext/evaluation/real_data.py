"""Real examples of a dataset split as NumPy arrays, for evaluation."""

from __future__ import annotations

from typing import Optional

import numpy as np

from tfgan_ext import data as data_lib
from tfgan_ext.errors import InputError

__all__ = ["default_validation_split", "split_arrays"]


def default_validation_split(dataset: str) -> str:
  """The held-out split a dataset calls its validation data."""
  return "validation" if dataset.startswith("imagenet") else "test"


def split_arrays(dataset: str, split: str, *, image_size: int, channels: int,
                 max_examples: Optional[int] = None,
                 data_dir: Optional[str] = None, batch_size: int = 256
                 ) -> tuple[np.ndarray, np.ndarray]:
  """(samples, int32 labels) of the first `max_examples` examples of a split,
  in the split's fixed order, preprocessed exactly as for training.

  Raises ValueError when the split is empty, and for endless splits (the
  2-D mixtures' 'train') when `max_examples` is not given.
  """
  ds, info = data_lib.make_dataset(dataset, split, batch_size,
                                   image_size=image_size, channels=channels,
                                   training=False, data_dir=data_dir)
  if info.num_examples is None and not max_examples:
    raise InputError(f"Split {split!r} of {dataset!r} is endless; give "
                     f"max_examples.")
  samples, labels, count = [], [], 0
  for x, y in ds:
    samples.append(x.numpy())
    labels.append(y.numpy())
    count += len(samples[-1])
    if max_examples and count >= max_examples:
      break
  if not samples:
    raise InputError(f"Split {split!r} of {dataset!r} has no examples.")
  x = np.concatenate(samples)[:max_examples or None]
  y = np.concatenate(labels)[:max_examples or None].astype(np.int32)
  return x, y
