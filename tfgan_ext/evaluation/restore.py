"""Restoring a train checkpoint's networks for evaluation.

The train checkpoint (see `Trainer`) tracks `generator`, `discriminator`,
`objective` and the two optimizers. Restoring is done in two parts:

1. Every trainable weight, strictly, through the optimizers' variable lists
   (`g_optimizer/_trainable_variables/i`, `d_optimizer/...`: D's weights then
   the objective's). Every train checkpoint has these, including those
   written before the networks exposed layers kept in Python lists to
   `tf.train.Checkpoint` (Keras 3 does not do so by itself).
2. The rest (spectral-norm power-iteration vectors, batch-norm moving
   statistics) through the networks' own edges where the checkpoint has
   them. Vectors a checkpoint lacks (such older checkpoints) are
   re-estimated by converged power iteration from the restored weights,
   which is what training drives them to, and a warning says how many.
   Batch norms without moving statistics in the checkpoint (written before
   they existed) are reset so that they normalize with batch statistics,
   as that run did, with a warning.

A run trained with an EMA generator (`ema_decay` > 0) also has the averaged
generator under `ema_generator` (all of its variables, strictly).
`restore_generator` and the eval job use it by default (`use_ema`); a run
without one gives its raw generator. Which one was used is recorded as
"ema" or "raw" (`generator_kind`).

A run with user-built networks (architecture "custom") has no
architecture to rebuild: `restore_generator` gives the generator its train
job exported with the checkpoint (`exported_generator`).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Optional, Sequence

from absl import logging
import keras
import numpy as np
import tensorflow as tf

from tfgan_ext import workspace
from tfgan_ext.errors import InputError, MissingInputError
from tfgan_ext.evaluation.exported_generator import (check_generator_kind,
                                                     load_exported_generator)
from tfgan_ext.nn.normalization import MOVING_VARIABLES, batch_norm_layers
from tfgan_ext.tensor_utils import check_finite_weights
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.ema import CHECKPOINT_KEY as EMA_KEY

__all__ = ["GENERATOR_KINDS", "RestoredGenerator", "generator_kind",
           "refresh_power_iterations", "resolve_checkpoint",
           "restore_ema_generator", "restore_generator", "restore_networks"]

GENERATOR_KINDS = ("ema", "raw")


def refresh_power_iterations(networks: Sequence[keras.Layer],
                             only: Sequence[tf.Variable],
                             iterations: int = 50) -> int:
  """Re-estimates the spectral-norm vectors `sn_u` listed in `only` by power
  iteration on their layers' weights; returns how many were refreshed."""
  wanted = {id(v) for v in only}
  count = 0
  for network in networks:
    # Keras has no public recursive walk over nested layers.
    for layer in network._flatten_layers(  # pylint: disable=protected-access
        include_self=False):
      u = getattr(layer, "sn_u", None)
      if u is None or id(u) not in wanted or not hasattr(layer, "_sn_matrix"):
        continue
      matrix = layer._sn_matrix()  # pylint: disable=protected-access
      vec = tf.convert_to_tensor(u)
      if not np.all(np.isfinite(vec.numpy())):
        vec = tf.random.stateless_normal(vec.shape, [count, 0])
      for _ in range(iterations):
        v = tf.math.l2_normalize(tf.linalg.matvec(matrix, vec))
        vec = tf.math.l2_normalize(tf.linalg.matvec(matrix, v,
                                                    transpose_a=True))
      u.assign(vec)
      count += 1
  return count


def _variable_list(variables) -> tf.Module:
  """Stands in for an optimizer: only its `_trainable_variables` list."""
  holder = tf.Module()
  # pylint: disable-next=protected-access
  holder._trainable_variables = list(variables)
  return holder


def _reset_missing_moving_statistics(path: str, networks, stale: list
                                     ) -> list:
  """Resets batch norms whose moving statistics the checkpoint lacks (it was
  written before they existed) so that they use batch statistics, as that
  run did; returns the other stale variables."""
  stale_ids = {id(v) for v in stale}
  reset = []
  for network in networks:
    for layer in batch_norm_layers(network):
      moving = [getattr(layer, name, None) for name in MOVING_VARIABLES]
      if any(id(v) in stale_ids for v in moving if v is not None):
        layer.reset_moving_statistics()
        stale_ids -= {id(v) for v in moving}
        reset.append(layer.path)
  if reset:
    logging.warning("%s has no batch-norm moving statistics for %s (written "
                    "before they existed); these layers normalize with batch "
                    "statistics at inference.", path, reset)
  return [v for v in stale if id(v) in stale_ids]


def restore_networks(path: str, generator, discriminator,
                     objective=None) -> int:
  """Restores G, D (and the objective's head) from a train checkpoint.

  Returns the number of power-iteration vectors the checkpoint lacked and
  that were re-estimated. Raises tf.errors.OpError / ValueError /
  AssertionError when the checkpoint cannot be read or does not match.
  """
  d_vars = list(discriminator.trainable_variables)
  parts = dict(generator=generator, discriminator=discriminator)
  if objective is not None:
    parts["objective"] = objective
    d_vars += list(getattr(objective, "discriminator_variables", []))
  weights = tf.train.Checkpoint(
      g_optimizer=_variable_list(generator.trainable_variables),
      d_optimizer=_variable_list(d_vars))
  weights.restore(path).expect_partial().assert_existing_objects_matched()
  # NaN marks state the checkpoint does not overwrite.
  state = [v for v in list(generator.variables) + list(discriminator.variables)
           if not v.trainable and tf.as_dtype(v.dtype).is_floating]
  for v in state:
    v.assign(tf.fill(v.shape, float("nan")))
  tf.train.Checkpoint(**parts).restore(path).expect_partial()
  stale = [v for v in state if np.all(np.isnan(v.numpy()))]
  stale = _reset_missing_moving_statistics(path, [generator, discriminator],
                                           stale)
  other = [v.path for v in stale if not v.path.endswith("sn_u")]
  if other:
    logging.warning("%s: state variables not in the checkpoint (kept as "
                    "initialized): %s", path, other)
  if not stale:
    return 0
  refreshed = refresh_power_iterations([generator, discriminator], stale)
  logging.warning("%d spectral-norm vectors are not in %s (a checkpoint "
                  "written before the networks exposed all their layers to "
                  "tf.train.Checkpoint); re-estimated them by power "
                  "iteration.", refreshed, path)
  return refreshed


def generator_kind(config: TrainConfig, use_ema: bool = True) -> str:
  """"ema" when `use_ema` and the run keeps an EMA generator, else "raw"."""
  return "ema" if use_ema and config.ema_decay > 0 else "raw"


def restore_ema_generator(path: str, generator) -> None:
  """Loads a checkpoint's EMA generator into `generator` (built, same
  architecture): every variable, or tf.errors.OpError / AssertionError."""
  tf.train.Checkpoint(**{EMA_KEY: generator}).restore(path) \
      .expect_partial().assert_existing_objects_matched()


@dataclasses.dataclass
class RestoredGenerator:
  """A run's generator with its weights from one checkpoint."""
  config: TrainConfig    # The run's saved config.
  generator: Any         # keras.Model; ExportedGenerator (user-built nets).
  checkpoint: str        # Path prefix of the checkpoint it came from.
  step: int              # G step of that checkpoint.
  kind: str = "raw"      # "ema" (the averaged generator) or "raw".


def resolve_checkpoint(model_dir: str, checkpoint: Optional[str] = None
                       ) -> str:
  """The checkpoint path for `checkpoint` (a path, or a name such as
  "ckpt-500" inside model_dir; default: the newest). Raises
  FileNotFoundError with what to do when there is none."""
  if not checkpoint:
    path = workspace.latest_checkpoint(model_dir)
    if path is None:
      raise MissingInputError(
          f"{model_dir} has no checkpoint yet (no 'checkpoint' index); wait "
          "for the train job to save one.")
    return path
  for path in (checkpoint, os.path.join(model_dir, checkpoint)):
    if tf.io.gfile.exists(path + ".index"):
      return path
  listed = tf.train.get_checkpoint_state(model_dir)
  names = [os.path.basename(p) for p in
           (listed.all_model_checkpoint_paths if listed else [])]
  raise MissingInputError(
      f"Checkpoint {checkpoint!r} not found (as a path or in {model_dir}); "
      f"available: {names or 'none'}.")


def restore_generator(model_dir: str, checkpoint: Optional[str] = None,
                      use_ema: bool = True) -> RestoredGenerator:
  """Builds a run's networks from config.json and restores them from
  `checkpoint` (see `resolve_checkpoint`); returns the generator: the EMA
  one when `use_ema` and the run has one, else the raw one.

  A run with user-built networks gives the generator exported with that
  checkpoint (MissingInputError naming the path when it is not there).
  """
  config = workspace.load_config(model_dir)  # A clear error if no model_dir.
  path = resolve_checkpoint(model_dir, checkpoint)
  step = workspace.checkpoint_step(path)
  kind = generator_kind(config, use_ema)
  if workspace.is_custom(config):
    generator = load_exported_generator(model_dir, step, config)
    check_generator_kind(generator, kind, config)
  else:
    config, generator, discriminator = workspace.build_models_for(model_dir)
    if use_ema and kind == "raw":
      logging.info("%s has no EMA generator (ema_decay 0); using the raw "
                   "generator.", model_dir)
    _restore_checkpoint(path, generator, discriminator, kind)
  # Nothing is sampled or exported from a diverged (or damaged) generator.
  check_finite_weights(generator.variables, f"the generator of {path}")
  return RestoredGenerator(config, generator, path, step, kind)


def _restore_checkpoint(path: str, generator, discriminator,
                        kind: str) -> None:
  """Restores the `kind` generator of checkpoint `path`; a checkpoint that
  cannot be read (truncated, damaged, of another architecture) is an
  InputError naming it."""
  try:
    if kind == "ema":
      restore_ema_generator(path, generator)
    else:
      restore_networks(path, generator, discriminator)
  except (tf.errors.OpError, ValueError, AssertionError, IndexError,
          OSError) as err:  # IndexError: a truncated data file.
    raise InputError(
        f"Checkpoint {path} could not be read ({type(err).__name__}: "
        f"{str(err).splitlines()[0][:200]}). It is damaged or incomplete, "
        "or of another run; pass another --checkpoint (e.g. an earlier "
        "one).") from err
