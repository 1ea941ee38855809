"""Training, saving and reusing the offline domain classifier of a dataset."""

from __future__ import annotations

import contextlib
import os
from typing import Iterator, Optional

try:
  import fcntl
except ImportError:  # Not POSIX (Windows): no lock between processes.
  fcntl = None

from tfgan_ext import data as data_lib
from tfgan_ext import fileio
from tfgan_ext.config_checks import (MAX_IMAGE_SIZE, require_choice,
                                     require_int)
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation.real_data import (default_validation_split,
                                            split_arrays)
from tfgan_ext.models import classifier as classifier_lib

__all__ = ["OFFLINE_CLASSIFIER_DATASETS", "check_settings",
           "default_classifier_dir",
           "ensure_classifier", "offline_classifier_hint", "train_and_save"]

# Datasets whose domain classifier is the offline stand-in for Inception
# (labelled, on disk everywhere, quick to train on). Add a dataset here and
# the eval job's "Inception is not available" error suggests its classifier.
OFFLINE_CLASSIFIER_DATASETS = ("digits",)


def default_classifier_dir(dataset: str, image_size: int,
                           root: str = "classifiers") -> str:
  """<root>/<dataset>_<size>px, with '/' in TFDS names replaced by '_'."""
  return os.path.join(root, f"{dataset.replace('/', '_')}_{image_size}px")


def offline_classifier_hint(dataset: str, image_size: int, channels: int,
                            root: str = "classifiers") -> str:
  """How to evaluate a `dataset` run without Inception, or "" when the
  dataset has no offline domain classifier."""
  if dataset not in OFFLINE_CLASSIFIER_DATASETS:
    return ""
  path = default_classifier_dir(dataset, image_size, root)
  where = (f"{path} exists" if os.path.isdir(path) else
           f"train it first with `python -m eval.train_classifier "
           f"--dataset={dataset} --image_size={image_size} "
           f"--channels={channels} --out={path}`")
  return (f"{dataset!r} has an offline domain classifier: pass "
          f"--classifier_path={path} instead ({where}).")


def check_settings(*, image_size: int, channels: int, epochs: int,
                   batch_size: int, max_train_examples: int = 0,
                   seed: int = 0) -> None:
  """Raises InputError, naming the flag of eval.train_classifier, unless
  image_size, epochs and batch_size are >= 1, channels is 1 or 3,
  max_train_examples >= 0 (0: the whole split) and seed >= 0."""
  require_int("--image_size", image_size, 1, MAX_IMAGE_SIZE)
  require_choice("--channels", channels, (1, 3))
  require_int("--epochs", epochs, 1)
  require_int("--batch_size", batch_size, 1)
  require_int("--max_train_examples", max_train_examples, 0,
              hint="0 trains on the whole split.")
  require_int("--seed", seed, 0, 2 ** 63 - 1)


def train_and_save(dataset: str, image_size: int, channels: int, out: str, *,
                   train_split: str = "train", test_split: str = "",
                   max_train_examples: int = 0, epochs: int = 20,
                   batch_size: int = 32, seed: int = 0,
                   data_dir: Optional[str] = None
                   ) -> classifier_lib.ClassifierInfo:
  """Trains a classifier on a labelled split, saves it to `out`.

  `test_split` defaults to the dataset's test (ImageNet: validation) split.
  The settings and `out` are checked before any data is read (InputError,
  UnwritableError).
  """
  check_settings(image_size=image_size, channels=channels, epochs=epochs,
                 batch_size=batch_size, max_train_examples=max_train_examples,
                 seed=seed)
  if test_split and test_split == train_split:
    raise InputError(f"--test_split={test_split!r} is the training split: "
                     "the held-out accuracy would be measured on training "
                     "examples. Name another split (or leave --test_split "
                     "out for the dataset's test split).")
  fileio.check_output_path(out, "dir")
  info = data_lib.dataset_info(dataset, split=train_split,
                               image_size=image_size, channels=channels,
                               data_dir=data_dir)
  if not info.is_image or info.num_classes < 2:
    raise InputError(f"{dataset!r} is not a labelled image dataset.")
  test_split = test_split or default_validation_split(dataset)
  kwargs = dict(image_size=image_size, channels=channels, data_dir=data_dir)
  train = split_arrays(dataset, train_split,
                       max_examples=max_train_examples or None, **kwargs)
  test = split_arrays(dataset, test_split, **kwargs)
  model, result = classifier_lib.train_classifier(
      train, test, dataset=dataset, num_classes=info.num_classes,
      train_split=train_split, test_split=test_split, epochs=epochs,
      batch_size=batch_size, seed=seed)
  classifier_lib.save_classifier(model, result, out)
  return result


def ensure_classifier(dataset: str, image_size: int, channels: int,
                      out: str = "", **kwargs):
  """(path, info, trained_now): the classifier at `out` (default
  `default_classifier_dir`) if it was trained on this dataset, size and
  channel count, else a newly trained one (kwargs go to train_and_save)."""
  out = out or default_classifier_dir(dataset, image_size)
  with _exclusive(out + ".lock"):  # Jobs at once: one trains, others wait.
    try:
      _, info = classifier_lib.load_classifier(out)
      if (info.dataset, info.image_size, info.channels) == (
          dataset, image_size, channels):
        return out, info, False
    except FileNotFoundError:
      pass
    return (out, train_and_save(dataset, image_size, channels, out, **kwargs),
            True)


@contextlib.contextmanager
def _exclusive(lock_path: str) -> Iterator[None]:
  """Holds an exclusive lock on `lock_path` (created if needed) meanwhile."""
  os.makedirs(os.path.dirname(lock_path) or ".", exist_ok=True)
  with open(lock_path, "w", encoding="utf8") as lock:
    if fcntl is not None:
      fcntl.flock(lock, fcntl.LOCK_EX)  # Released when the file closes.
    yield
