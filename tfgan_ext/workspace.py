"""A run's model_dir: the one reader and writer of its files.

Layout (see WORKSPACE.md):
  config.json          the run's TrainConfig (written before training starts)
  checkpoint, ckpt-N.* tf.train.CheckpointManager checkpoints
  train/               TensorBoard events of the train job
  eval/                TensorBoard events of the eval job
  images/step_N.png    sample grids (one row per class)
  generators/ckpt-N/   the generator of checkpoint N as a SavedModel (runs
                       with architecture "custom": the user's own networks)
  TRAINING_DONE        JSON {step, checkpoint[, stopped_early]}: the train
                       job has finished
  TRAINING_LOCK        JSON {host, pid, ...}: the train job running in it

Every path of a model_dir is built here, and the files the jobs exchange
(config.json, TRAINING_DONE) are read and written here, atomically (a
temporary file renamed into place). This module depends on the config
dataclasses (`tfgan_ext.config`) and the architectures only, so the train and
eval packages can both use it.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Optional

import tensorflow as tf

from tfgan_ext import fileio
from tfgan_ext import models as models_lib
from tfgan_ext.config import TrainConfig, shaping_fields
from tfgan_ext.errors import InputError, MissingInputError

CONFIG_FILE = "config.json"
DONE_FILE = "TRAINING_DONE"
LOCK_FILE = "TRAINING_LOCK"  # See train/run_lock.py.
IMAGES_DIR = "images"
TRAIN_LOGS = "train"
EVAL_LOGS = "eval"
GENERATORS_DIR = "generators"
CHECKPOINT_INDEX = "checkpoint"  # The list tf.train.CheckpointManager keeps.
# config.model.architecture of a run trained with user-built networks: the
# model registry cannot rebuild them, so the train job exports its generator
# at every checkpoint (see `generator_export_dir`).
CUSTOM_ARCHITECTURE = models_lib.CUSTOM
_EXPORT_NAME = re.compile(r"^ckpt-(\d+)$")


# ------------------------------------------------------------------ paths
def config_path(model_dir: str) -> str:
  """<model_dir>/config.json."""
  return os.path.join(model_dir, CONFIG_FILE)


def done_path(model_dir: str) -> str:
  """<model_dir>/TRAINING_DONE."""
  return os.path.join(model_dir, DONE_FILE)


def lock_path(model_dir: str) -> str:
  """<model_dir>/TRAINING_LOCK."""
  return os.path.join(model_dir, LOCK_FILE)


def train_logs_dir(model_dir: str) -> str:
  """<model_dir>/train: the train job's TensorBoard events."""
  return os.path.join(model_dir, TRAIN_LOGS)


def eval_logs_dir(model_dir: str) -> str:
  """<model_dir>/eval: the eval job's TensorBoard events."""
  return os.path.join(model_dir, EVAL_LOGS)


def sample_grid_path(model_dir: str, step: int) -> str:
  """<model_dir>/images/step_<step, 7 digits>.png."""
  return os.path.join(model_dir, IMAGES_DIR, f"step_{int(step):07d}.png")


def generators_dir(model_dir: str) -> str:
  """<model_dir>/generators: the per-checkpoint generator exports."""
  return os.path.join(model_dir, GENERATORS_DIR)


def generator_export_dir(model_dir: str, step: int) -> str:
  """<model_dir>/generators/ckpt-<step>: the SavedModel (tfgan_ext.export's
  format) of checkpoint ckpt-<step>'s generator, written by the train job
  of a run with architecture "custom"."""
  return os.path.join(model_dir, GENERATORS_DIR, f"ckpt-{int(step)}")


def generator_exports(model_dir: str) -> dict[int, str]:
  """step -> export directory of every complete generator export (names
  ckpt-<N>; staging directories are ignored)."""
  root = generators_dir(model_dir)
  if not os.path.isdir(root):
    return {}
  found = {}
  for name in os.listdir(root):
    match = _EXPORT_NAME.match(name)
    if match and os.path.isdir(os.path.join(root, name)):
      found[int(match.group(1))] = os.path.join(root, name)
  return dict(sorted(found.items()))


# ----------------------------------------------------------- config.json
_DAMAGED = ("If you edited it, restore the value; if it is damaged, restore "
            "it from a copy or train in a new --model_dir (the train job "
            "writes config.json when a run starts).")


def save_config(config: TrainConfig, model_dir: str) -> None:
  """Writes `config` as the run's config.json (atomically)."""
  fileio.atomic_write_text(config_path(model_dir), config.to_json())


def load_saved_config(model_dir: str) -> Optional[dict[str, Any]]:
  """The JSON object in model_dir/config.json; None when there is none.

  Raises InputError naming the file when it cannot be read or is not a JSON
  object (a folder, not UTF-8, not JSON, truncated, ...).
  """
  path = config_path(model_dir)
  if not os.path.lexists(path):
    return None
  try:
    with open(path, encoding="utf8") as f:
      saved = json.load(f)
  except (OSError, UnicodeDecodeError, ValueError) as err:
    raise InputError(f"{path} cannot be read as a run config "
                     f"({type(err).__name__}: {err}). {_DAMAGED}") from None
  if not isinstance(saved, dict):
    raise InputError(f"{path} is not a valid run config: it holds a JSON "
                     f"{type(saved).__name__}, not an object. {_DAMAGED}")
  return saved


def load_train_config(model_dir: str) -> Optional[TrainConfig]:
  """The TrainConfig saved in model_dir/config.json, checked like a new one;
  None when the model_dir has none. Raises InputError naming the file for a
  damaged or invalid one."""
  saved = load_saved_config(model_dir)
  if saved is None:
    return None
  return TrainConfig.from_dict(saved, source=config_path(model_dir))


def load_config(model_dir: str) -> TrainConfig:
  """The TrainConfig saved by the run in `model_dir`."""
  config = load_train_config(model_dir)  # InputError names a bad file.
  if config is None:
    raise MissingInputError(
        f"{model_dir} has no config.json: it is not a tfgan_ext model_dir (or "
        "its train job has not started yet).")
  return config


def is_custom(config: TrainConfig) -> bool:
  """Whether the run was trained with user-built networks."""
  return config.model.architecture == CUSTOM_ARCHITECTURE


def check_resume_compatible(config: TrainConfig, model_dir: str) -> None:
  """Refuses to resume a model_dir whose run had a different architecture
  (any field of `config.shaping_fields` differs), or that holds checkpoints
  but no config.json (the train job writes config.json before its first
  checkpoint: it was deleted, and the architecture cannot be checked)."""
  saved = load_train_config(model_dir)
  if saved is None:
    index = os.path.join(model_dir, CHECKPOINT_INDEX)
    if tf.io.gfile.exists(index):
      raise InputError(
          f"model_dir {model_dir} holds checkpoints ({index}) but no "
          f"{os.path.basename(config_path(model_dir))}, so its architecture "
          "cannot be checked against this run's. Restore its config.json, "
          "or use a new --model_dir.")
    return
  previous = shaping_fields(saved)
  current = shaping_fields(config)
  diffs = [f"{k}: saved {previous.get(k)!r}, now {v!r}"
           for k, v in current.items() if previous.get(k) != v]
  if diffs:
    raise InputError(
        f"model_dir {model_dir} holds a run with a different architecture "
        f"({'; '.join(diffs)}). Use a new --model_dir, or restore the saved "
        f"values (see {config_path(model_dir)}).")


# --------------------------------------------------------- TRAINING_DONE
def write_training_done(model_dir: str, step: int,
                        checkpoint: Optional[str],
                        stopped_early: Optional[str] = None) -> str:
  """Writes TRAINING_DONE: {"step", "checkpoint"} and, for a run a callback
  ended early, "stopped_early" (the reason). Returns its path."""
  record: dict[str, Any] = {"step": int(step), "checkpoint": checkpoint}
  if stopped_early is not None:
    record["stopped_early"] = stopped_early
  path = done_path(model_dir)
  fileio.atomic_write_text(path, json.dumps(record))
  return path


def remove_training_done(model_dir: str) -> None:
  """Removes TRAINING_DONE (a run restarted to train further)."""
  try:
    os.remove(done_path(model_dir))
  except FileNotFoundError:
    pass


def training_done(model_dir: str) -> bool:
  """Whether the train job of `model_dir` has finished."""
  return os.path.exists(done_path(model_dir))


def read_done_step(model_dir: str) -> Optional[int]:
  """The final step from TRAINING_DONE, -1 if unreadable, None if absent."""
  path = done_path(model_dir)
  if not os.path.exists(path):
    return None
  try:
    with open(path, encoding="utf8") as f:
      return int(json.load(f)["step"])
  except (OSError, ValueError, KeyError, TypeError):
    return -1


# ------------------------------------------------------------ checkpoints
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


def check_checkpoint_index(model_dir: str) -> None:
  """Raises InputError naming `model_dir`'s checkpoint index when the file
  is there but cannot be read as one (not text, not the index format, no
  checkpoint in it). TensorFlow would raise a UnicodeDecodeError for some
  of these and, for others, act as if the run had no checkpoint (a resumed
  run would then start again from step 0)."""
  path = os.path.join(model_dir, CHECKPOINT_INDEX)
  if not tf.io.gfile.exists(path):
    return
  try:
    state = tf.train.get_checkpoint_state(model_dir)
    why = "not a checkpoint index"
  except (UnicodeDecodeError, ValueError) as err:
    state, why = None, f"{type(err).__name__}: {str(err)[:120]}"
  if state is None or not state.model_checkpoint_path:
    raise InputError(
        f"The checkpoint index {path} cannot be read ({why}): it is damaged. "
        "Restore it from a copy, or delete it (the run's ckpt-<N> files stay; "
        "name one with --checkpoint, or train in a new --model_dir).")


def latest_checkpoint(model_dir: str) -> Optional[str]:
  """The newest checkpoint listed in `model_dir`, or None; InputError for a
  damaged index (`check_checkpoint_index`)."""
  check_checkpoint_index(model_dir)
  return tf.train.latest_checkpoint(model_dir)
