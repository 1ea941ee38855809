"""One entry point from a dataset name to a tf.data pipeline of batches.

Names: `digits` (scikit-learn's embedded 8x8 digits), `ring8` / `ring8_r2`
/ `grid25` (2-D Gaussian mixtures, data/mixtures.py), `fashion_mnist` (IDX files in `data_dir` or
/usr/share/datasets/fashion-mnist), `folder:<path>` or an existing directory
(one sub-folder per class), anything else a TFDS dataset name (e.g. `cifar10`,
`imagenet2012`, `imagenet2012_subset/10pct`). Batches are
`(samples, labels)`: images in [-1, 1] or 2-D points, int32 labels.
"""

from __future__ import annotations

import os
from typing import Optional

import tensorflow as tf

from tfgan_ext.data.base import DatasetInfo, Shard, finish_pipeline
from tfgan_ext.data.digits import digits_source
from tfgan_ext.data.folder import folder_source
from tfgan_ext.data.idx import IDX_DATASETS, idx_source
from tfgan_ext.data.mixtures import MIXTURES, mixture_source
from tfgan_ext.data.tfds_source import DatasetUnavailableError, tfds_source
from tfgan_ext.config_checks import (MAX_IMAGE_SIZE, require_choice,
                                     require_int)
from tfgan_ext.errors import InputError

BUILTIN = ("digits", *MIXTURES)

__all__ = ["BUILTIN", "DatasetInfo", "DatasetUnavailableError",
           "IDX_DATASETS", "MIXTURES", "Shard", "make_dataset",
           "dataset_info"]


def _check_request(name: str, split: str, image_size: int,
                   channels: int) -> None:
  """Raises InputError, before any data is read, for an empty dataset name
  or split, and (images) an image side outside [1, MAX_IMAGE_SIZE] or
  channels other than 1 and 3."""
  if not isinstance(name, str) or not name:
    raise InputError("The dataset name is empty: name a dataset (e.g. "
                     "--dataset=digits).")
  if not isinstance(split, str) or not split:
    raise InputError(f"The split of {name!r} is empty: name one (e.g. "
                     "train).")
  if name not in MIXTURES:
    require_int("--image_size", image_size, 1, MAX_IMAGE_SIZE,
                hint="It is the side the images are resized to.")
    require_choice("--channels", channels, (1, 3),
                   hint="Images are read as grayscale (1) or RGB (3).")


def _check_data_dir(data_dir: Optional[str]) -> None:
  """Raises InputError for a local `data_dir` that exists but is no folder
  (a missing one may still be made by TFDS; a URL such as gs://... is left
  to TFDS)."""
  if (data_dir and "://" not in data_dir
      and os.path.exists(os.path.expanduser(data_dir))
      and not os.path.isdir(os.path.expanduser(data_dir))):
    raise InputError(f"--data_dir={data_dir} is a file, not a folder: pass "
                     "the folder that holds the dataset (TFDS's data_dir, "
                     "or the folder of the IDX files), or drop the flag.")


def _source(name: str, split: str, image_size: int, channels: int,
            data_dir: Optional[str], download: bool, seed: int):
  _check_request(name, split, image_size, channels)
  _check_data_dir(data_dir)
  if name == "digits":
    return digits_source(split, image_size, channels)
  if name in MIXTURES:
    return mixture_source(name, split, seed)
  if name in IDX_DATASETS:
    return idx_source(IDX_DATASETS[name], split, image_size, channels,
                      data_dir)
  if name.startswith("folder:"):
    return folder_source(name[len("folder:"):], image_size, channels)
  if os.path.isdir(name):
    return folder_source(name, image_size, channels)
  return tfds_source(name, split, image_size, channels, data_dir, download)


def make_dataset(name: str, split: str, batch_size: int, *,
                 image_size: int = 32, channels: int = 3,
                 training: bool = True, seed: int = 0,
                 data_dir: Optional[str] = None, download: bool = False,
                 shard: Shard = Shard()) -> tuple[tf.data.Dataset, DatasetInfo]:
  """Returns (batched dataset, info) for a dataset name.

  Args:
    name: see the module docstring.
    split: e.g. "train", "test"; TFDS split strings such as "train[:10%]".
    batch_size: examples per batch of this pipeline (per replica when a
      strategy builds one pipeline per replica).
    image_size, channels: target image shape (ignored by 2-D mixtures).
    training: shuffle(10000) + repeat + drop_remainder when True; one pass in
      order otherwise.
    seed: shuffle / sampling seed.
    data_dir: TFDS data directory, or the folder of an IDX dataset's files.
    download: let TFDS download and prepare a missing dataset.
    shard: the part of the data this input pipeline reads.
  Raises:
    ValueError: unknown dataset or split, bad sizes.
    DatasetUnavailableError: a TFDS dataset is not on disk (and could not be
      downloaded), or an IDX dataset's files are missing; the message names
      the dataset, the folders searched and how to get it.
  """
  require_int("--batch_size", batch_size, 1)
  ds, info = _source(name, split, image_size, channels, data_dir, download,
                     seed)
  return finish_pipeline(ds, batch_size, training, seed, shard,
                         info.num_examples), info


def dataset_info(name: str, *, split: str = "train", image_size: int = 32,
                 channels: int = 3, data_dir: Optional[str] = None,
                 download: bool = False) -> DatasetInfo:
  """The DatasetInfo of a dataset without building a training pipeline."""
  _, info = _source(name, split, image_size, channels, data_dir, download, 0)
  return info
