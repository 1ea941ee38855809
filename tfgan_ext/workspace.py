"""What a model_dir holds, and how other jobs read a training run from it.

Layout (see WORKSPACE.md):
  config.json          the run's TrainConfig (written before training starts)
  checkpoint, ckpt-N.* tf.train.CheckpointManager checkpoints
  train/               TensorBoard events of the train job
  eval/                TensorBoard events of the eval job
  images/step_N.png    sample grids (one row per class)
  generators/ckpt-N/   the generator of ckpt-N as a SavedModel (runs with
                       user-built networks, architecture "custom")
  TRAINING_DONE        JSON {step, checkpoint}: the train job has finished
  TRAINING_LOCK        JSON {host, pid, ...}: the train job running in it
"""

from __future__ import annotations

import os
from typing import Optional

import tensorflow as tf

from tfgan_ext import models as models_lib
from tfgan_ext.errors import InputError, MissingInputError
from tfgan_ext.train.config import TrainConfig, load_train_config

DONE_FILE = "TRAINING_DONE"
LOCK_FILE = "TRAINING_LOCK"  # See train/run_lock.py.
IMAGES_DIR = "images"
TRAIN_LOGS = "train"
EVAL_LOGS = "eval"
GENERATORS_DIR = "generators"
# config.model.architecture of a run trained with user-built networks: the
# model registry cannot rebuild them, so the train job exports its generator
# at every checkpoint (see `generator_export_dir`).
CUSTOM_ARCHITECTURE = "custom"


def load_config(model_dir: str) -> TrainConfig:
  """The TrainConfig saved by the run in `model_dir`."""
  config = load_train_config(model_dir)  # InputError names a bad file.
  if config is None:
    raise MissingInputError(
        f"{model_dir} has no config.json: it is not a tfgan_ext model_dir (or "
        "its train job has not started yet).")
  return config


def training_done(model_dir: str) -> bool:
  return os.path.exists(os.path.join(model_dir, DONE_FILE))


def is_custom(config: TrainConfig) -> bool:
  """Whether the run was trained with user-built networks."""
  return config.model.architecture == CUSTOM_ARCHITECTURE


def generator_export_dir(model_dir: str, step: int) -> str:
  """`<model_dir>/generators/ckpt-<step>`: where the train job of a run with
  user-built networks exports the generator of checkpoint ckpt-<step>, as a
  SavedModel in the format of `export.export_generator`."""
  return os.path.join(model_dir, GENERATORS_DIR, f"ckpt-{int(step)}")


def build_models_for(model_dir: str):
  """(config, generator, discriminator) built to the saved run's shapes.

  Raises InputError for a run with user-built networks (architecture
  "custom"): config.json cannot rebuild them; use the generators the train
  job exported (`generator_export_dir`).
  """
  config = load_config(model_dir)
  if is_custom(config):
    raise InputError(
        f"{model_dir} was trained with user-built networks (architecture "
        f"{CUSTOM_ARCHITECTURE!r}), which config.json cannot rebuild. Its "
        f"generator is exported at every checkpoint to "
        f"{os.path.join(model_dir, GENERATORS_DIR, 'ckpt-<step>')} (a "
        f"SavedModel: tf.saved_model.load, or "
        f"tfgan_ext.evaluation.exported_generator).")
  generator, discriminator = models_lib.build_models(config.model)
  mc = config.model
  labels = tf.zeros([1], tf.int32)
  sample = generator(tf.zeros([1, mc.z_dim]), labels)
  discriminator(sample, labels if mc.num_classes else None)
  return config, generator, discriminator


def restore_models(checkpoint_path: str, generator=None, discriminator=None
                   ) -> None:
  """Restores the given networks from a train checkpoint (other state, such
  as optimizers, is ignored)."""
  parts = {}
  if generator is not None:
    parts["generator"] = generator
  if discriminator is not None:
    parts["discriminator"] = discriminator
  tf.train.Checkpoint(**parts).restore(checkpoint_path).expect_partial() \
      .assert_existing_objects_matched()


def checkpoint_step(checkpoint_path: str) -> int:
  """The global step a `ckpt-N` checkpoint was written at."""
  return int(os.path.basename(checkpoint_path).rsplit("-", 1)[-1])


def latest_checkpoint(model_dir: str) -> Optional[str]:
  return tf.train.latest_checkpoint(model_dir)
