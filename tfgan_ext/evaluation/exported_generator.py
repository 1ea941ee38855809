"""The generator of a checkpoint of a run with user-built networks.

Such a run (config.model.architecture "custom") cannot be rebuilt from its
config.json, so its train job exports the generator at every checkpoint as
a SavedModel (the format of `export.export_generator`) to
`workspace.generator_export_dir(model_dir, step)`, i.e.
`<model_dir>/generators/ckpt-<step>/`. `ExportedGenerator` calls such an
export like the Keras generator, G(z, labels, training=False), so the eval
job and the sample binaries use it as they use a rebuilt generator.

The export records which generator it holds in its metadata
(`assets/generator.json`, key "generator": "ema" or "raw"); without that
key it is taken to be the one the run draws its sample grids with (the EMA
generator when the run has one and `use_ema` is set).
"""

from __future__ import annotations

import json
import os
from typing import Optional

import tensorflow as tf

from tfgan_ext import workspace
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation.checkpoint_errors import (CheckpointUnavailable,
                                                    GeneratorExportMissing)
from tfgan_ext.export import METADATA_FILE
from tfgan_ext.train.config import TrainConfig

__all__ = ["ExportedGenerator", "check_generator_kind",
           "load_exported_generator"]

SAVED_MODEL_FILE = "saved_model.pb"


class ExportedGenerator:
  """A generator SavedModel of `export.export_generator`, called like the
  Keras generator (inference mode only).

  Attributes:
    path: the export directory.
    metadata: its assets/generator.json ({} when unreadable).
    z_dim, num_classes: the latent size and classes (0: unconditional).
    image_shape: (H, W, C) of the samples.
    step: the checkpoint step it records (-1 when none).
  """

  def __init__(self, path: str):
    self.path = path
    self._module = tf.saved_model.load(path)
    self.metadata = _read_metadata(path)
    self.z_dim = int(self._module.z_dim.numpy())
    self.num_classes = int(self._module.num_classes.numpy())
    self.image_shape = tuple(int(s) for s in self._module.image_shape.numpy())
    self.step = int(self._module.step.numpy())

  @property
  def kind(self) -> Optional[str]:
    """"ema" or "raw" as the export records it; None when it does not."""
    return self.metadata.get("generator")

  @property
  def variables(self) -> list[tf.Variable]:
    """The generator's variables held by the export."""
    return list(self._module.generator_variables)

  def __call__(self, z, labels=None, training: bool = False) -> tf.Tensor:
    """Images float32 [B, H, W, C] in [-1, 1] of z [B, z_dim] and labels
    int32 [B] (default zeros; ignored by an unconditional generator)."""
    if training:
      raise ValueError("An exported generator runs in inference mode only.")
    z = tf.convert_to_tensor(z, tf.float32)
    if labels is None:
      labels = tf.zeros(tf.shape(z)[:1], tf.int32)
    return self._module(z, tf.cast(labels, tf.int32))


def _read_metadata(path: str) -> dict:
  try:
    with open(os.path.join(path, "assets", METADATA_FILE),
              encoding="utf8") as f:
      metadata = json.load(f)
  except (OSError, ValueError):
    return {}
  return metadata if isinstance(metadata, dict) else {}


def load_exported_generator(model_dir: str, step: int,
                            config: TrainConfig) -> ExportedGenerator:
  """The exported generator of checkpoint ckpt-<step> of `model_dir`.

  Raises GeneratorExportMissing (a MissingInputError and a
  CheckpointUnavailable) naming the path when the export is not there,
  CheckpointUnavailable when it cannot be loaded (e.g. still being
  written), and InputError when its z_dim, classes or image shape differ
  from the run's config.
  """
  path = workspace.generator_export_dir(model_dir, step)
  if not tf.io.gfile.exists(os.path.join(path, SAVED_MODEL_FILE)):
    raise GeneratorExportMissing(
        f"No exported generator for checkpoint ckpt-{step}: {path} has no "
        f"{SAVED_MODEL_FILE}. A run with user-built networks (architecture "
        f"{config.model.architecture!r}) is evaluated from the generator "
        f"its train job exports there at every checkpoint; write it with "
        f"tfgan_ext.export.export_generator(generator, {path!r}, ...) if "
        f"the train job did not.")
  try:
    generator = ExportedGenerator(path)
  except (tf.errors.OpError, ValueError, OSError, AttributeError) as err:
    raise CheckpointUnavailable(
        f"{path} could not be loaded as an exported generator "
        f"({type(err).__name__}: {str(err).splitlines()[0][:200]})."
    ) from err
  mc = config.model
  want = (mc.z_dim, mc.num_classes)
  got = (generator.z_dim, generator.num_classes)
  if got != want:
    raise InputError(f"The generator exported in {path} has (z_dim, "
                     f"num_classes) {got}; the run's config.json says "
                     f"{want}.")
  if generator.image_shape != (mc.image_size, mc.image_size, mc.channels):
    raise InputError(f"The generator exported in {path} makes "
                     f"{generator.image_shape} images; the run's config.json "
                     f"says {mc.image_size}x{mc.image_size}x{mc.channels}.")
  return generator


def check_generator_kind(generator: ExportedGenerator, wanted: str,
                         config: TrainConfig) -> None:
  """Raises InputError when the export holds another generator ("ema" /
  "raw") than `wanted`; an export that does not say is taken to hold the
  one the run's sample grids use."""
  held = generator.kind or ("ema" if config.use_ema and config.ema_decay > 0
                            else "raw")
  if held != wanted:
    raise InputError(
        f"{generator.path} holds the {held} generator, but the {wanted} one "
        f"was asked for; a run with user-built networks exports one "
        f"generator per checkpoint. Pass --use_ema={held == 'ema'} to score "
        f"it.")
