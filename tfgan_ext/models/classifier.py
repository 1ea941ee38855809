"""A small CNN domain classifier: the offline stand-in for Inception.

Trained on a labelled dataset's training split (`eval.train_classifier`), it
serves as the feature network of the eval job and the SQD monitor: its
logits give a classifier score (the IS formula) and sample accuracy, its
penultimate ReLU layer (`pool`) the space for Fréchet distances and class
centroids. Saved as `<dir>/classifier.keras` plus `<dir>/classifier.json`
(ClassifierInfo: dataset, image size, classes, held-out accuracy).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from typing import Optional

import keras
import numpy as np

from tfgan_ext import fileio
from tfgan_ext.errors import InputError, MissingInputError

MODEL_FILE = "classifier.keras"
INFO_FILE = "classifier.json"

__all__ = ["ClassifierInfo", "INFO_FILE", "MODEL_FILE", "build_classifier",
           "classifier_digest", "load_classifier", "save_classifier",
           "train_classifier"]


@dataclasses.dataclass(frozen=True)
class ClassifierInfo:
  """What a saved classifier was trained on and how well it does."""
  dataset: str
  image_size: int
  channels: int
  num_classes: int
  embedding_dim: int
  train_split: str
  test_split: str
  train_examples: int
  test_examples: int
  test_accuracy: float
  epochs: int
  seed: int


def build_classifier(image_size: int, channels: int, num_classes: int, *,
                     width: int = 32, embedding_dim: int = 64) -> keras.Model:
  """Images in [-1, 1] -> {"logits": [B, classes], "pool": [B, embedding]}.

  Four 3x3 ReLU convolutions (width, width/2 stride 2, 2 width, 2 width
  stride 2), global average pooling, a ReLU dense embedding, a linear layer.
  """
  if image_size < 4 or channels not in (1, 3) or num_classes < 2:
    raise InputError(f"Need image_size >= 4, channels 1 or 3 and >= 2 "
                     f"classes; got {image_size}, {channels}, {num_classes}.")
  conv = lambda f, s, n: keras.layers.Conv2D(f, 3, strides=s, padding="same",
                                             activation="relu", name=n)
  inputs = keras.Input((image_size, image_size, channels), name="images")
  h = conv(width, 1, "conv1")(inputs)
  h = conv(width, 2, "conv2")(h)
  h = conv(2 * width, 1, "conv3")(h)
  h = conv(2 * width, 2, "conv4")(h)
  h = keras.layers.GlobalAveragePooling2D(name="gap")(h)
  pool = keras.layers.Dense(embedding_dim, activation="relu", name="pool")(h)
  logits = keras.layers.Dense(num_classes, name="logits")(pool)
  return keras.Model(inputs, {"logits": logits, "pool": pool},
                     name="domain_classifier")


def _check_arrays(x: np.ndarray, y: np.ndarray, name: str) -> None:
  if x.ndim != 4 or y.shape != (x.shape[0],) or x.shape[0] == 0:
    raise ValueError(f"{name}: need images [N, H, W, C] and labels [N], got "
                     f"{x.shape} and {y.shape}.")


def train_classifier(train: tuple[np.ndarray, np.ndarray],
                     test: tuple[np.ndarray, np.ndarray], *, dataset: str,
                     num_classes: int, train_split: str = "train",
                     test_split: str = "test", epochs: int = 20,
                     batch_size: int = 32, learning_rate: float = 2e-3,
                     seed: int = 0, verbose: int = 0
                     ) -> tuple[keras.Model, ClassifierInfo]:
  """Trains on `train` = (images, labels), measures accuracy on `test`.

  Adam with a cosine learning-rate decay, cross-entropy on the logits,
  random shifts of up to 1/8 of the image side as augmentation.
  """
  (x_train, y_train), (x_test, y_test) = train, test
  _check_arrays(x_train, y_train, "train")
  _check_arrays(x_test, y_test, "test")
  if (x_train.shape[1:] != x_test.shape[1:]
      or x_train.shape[1] != x_train.shape[2]):
    raise ValueError(f"Train and test images must be square and alike; got "
                     f"{x_train.shape[1:]} and {x_test.shape[1:]}.")
  if max(y_train.max(), y_test.max()) >= num_classes or min(
      y_train.min(), y_test.min()) < 0:
    raise ValueError(f"Labels must lie in [0, {num_classes}).")
  keras.utils.set_random_seed(seed)
  size, channels = int(x_train.shape[1]), int(x_train.shape[3])
  model = build_classifier(size, channels, num_classes)
  shift = 1.0 / 8.0
  augment = keras.layers.RandomTranslation(shift, shift, fill_mode="constant",
                                           fill_value=-1.0, seed=seed)
  inputs = keras.Input(x_train.shape[1:])
  trainer = keras.Model(inputs, model(augment(inputs))["logits"])
  steps = epochs * int(np.ceil(len(x_train) / batch_size))
  trainer.compile(
      optimizer=keras.optimizers.Adam(
          keras.optimizers.schedules.CosineDecay(learning_rate, steps)),
      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
  trainer.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
              shuffle=True, verbose=verbose)
  logits = model.predict(x_test, batch_size=256, verbose=0)["logits"]
  accuracy = float(np.mean(np.argmax(logits, axis=1) == y_test))
  info = ClassifierInfo(
      dataset=dataset, image_size=size, channels=channels,
      num_classes=num_classes,
      embedding_dim=int(model.output["pool"].shape[-1]),
      train_split=train_split, test_split=test_split,
      train_examples=len(x_train), test_examples=len(x_test),
      test_accuracy=accuracy, epochs=epochs, seed=seed)
  return model, info


def save_classifier(model: keras.Model, info: ClassifierInfo,
                    out_dir: str) -> str:
  """Writes classifier.keras and classifier.json into `out_dir`; returns it."""
  fileio.check_output_path(out_dir, "dir")
  with fileio.atomic_path(os.path.join(out_dir, MODEL_FILE)) as tmp:
    model.save(tmp)  # The temporary keeps the .keras extension.
  record = dict(dataclasses.asdict(info),
                saved=time.strftime("%Y-%m-%d %H:%M:%S"))
  fileio.atomic_write_text(os.path.join(out_dir, INFO_FILE),
                           json.dumps(record, indent=2, sort_keys=True))
  return out_dir


def load_classifier(path: str) -> tuple[keras.Model, ClassifierInfo]:
  """Loads a directory written by `save_classifier` (or its .keras file)."""
  directory = os.path.dirname(path) if path.endswith(".keras") else path
  model_path = os.path.join(directory, MODEL_FILE)
  info_path = os.path.join(directory, INFO_FILE)
  missing = [p for p in (model_path, info_path) if not os.path.exists(p)]
  if missing:
    raise MissingInputError(
        f"No saved classifier at {path!r} (missing {missing}). Train one "
        f"with `python -m eval.train_classifier --dataset=... --out={path}`.")
  damaged = (f"Train it again with `python -m eval.train_classifier "
             f"--dataset=... --out={directory}` (or restore it from a copy).")
  try:
    with open(info_path, encoding="utf8") as f:
      record = json.load(f)
    fields = {f.name for f in dataclasses.fields(ClassifierInfo)}
    info = ClassifierInfo(**{k: v for k, v in record.items() if k in fields})
  except (OSError, ValueError, TypeError, AttributeError) as err:
    # Not JSON, not an object, or missing fields.
    raise InputError(f"{info_path} is not a classifier record ("
                     f"{type(err).__name__}: {_first_line(err)}). "
                     f"{damaged}") from err
  try:
    model = keras.models.load_model(model_path, compile=False)
  except Exception as err:  # pylint: disable=broad-except
    # Keras raises many types for a damaged archive (zipfile.BadZipFile,
    # ValueError, OSError, KeyError, ...).
    raise InputError(f"{model_path} cannot be loaded ({type(err).__name__}: "
                     f"{_first_line(err)}). {damaged}") from err
  return model, info


def _first_line(err: BaseException) -> str:
  text = str(err).strip()
  return text.splitlines()[0][:200] if text else "no details"


def classifier_digest(path: str, length: int = 8) -> Optional[str]:
  """Short SHA-1 of the saved model file (changes when it is retrained)."""
  directory = os.path.dirname(path) if path.endswith(".keras") else path
  model_path = os.path.join(directory, MODEL_FILE)
  if not os.path.exists(model_path):
    return None
  digest = hashlib.sha1()
  with open(model_path, "rb") as f:
    for chunk in iter(lambda: f.read(1 << 20), b""):
      digest.update(chunk)
  return digest.hexdigest()[:length]
