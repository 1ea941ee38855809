"""A run's settings in TensorBoard's HParams tab, with its eval metrics.

Each run writes one HParams session start record (`hp.hparams`) into
`train/` (train job, chief, at its first start) and the same record into
`eval/` (eval job, with its first results). Both carry the run's trial id,
`<model_dir basename>-<hash of the settings>`, so the HParams tab joins the
two into one row (session group) per run; its metric columns are the last
value of every scalar in those two directories: train losses and
statistics, and the eval job's `<metric>/<network>/n<N>` (final) and
`best/...` (best so far) scalars.

The settings are the scalar fields of TrainConfig, flattened with dotted
names (`g_lr`, `model.gf`, `objective.loss`, ...); None becomes "None".
TensorBoard keeps the first record of a directory, so the values are those
of the run's first start; a restarted eval job copies `train/`'s record.
No `hparams_config` (experiment summary) is written: TensorBoard uses only
one for a whole log directory, so runs evaluated with other metrics would
lose their columns; without it the plugin infers hparams and metrics from
all runs.
"""

from __future__ import annotations

import dataclasses
import glob
import hashlib
import json
import os
from typing import Optional, Union

from absl import logging
import tensorflow as tf
from tensorboard.plugins.hparams import api as hp
from tensorboard.plugins.hparams import metadata as hp_metadata

from tfgan_ext import workspace
from tfgan_ext.config import TrainConfig

__all__ = ["Settings", "flat_settings", "read_session", "trial_id",
           "write_eval_session", "write_train_session"]

Settings = dict[str, Union[bool, int, float, str]]
# Records read per events file when looking for a session: it is written
# right after the writer is created.
_SCAN_RECORDS = 100


def flat_settings(config: TrainConfig) -> Settings:
  """TrainConfig's scalar fields, nested ones as `model.gf`; None -> "None"."""
  out: Settings = {}

  def add(prefix: str, value) -> None:
    if isinstance(value, dict):
      for key, item in value.items():
        add(f"{prefix}{key}.", item)
      return
    name = prefix[:-1]
    if value is None:
      out[name] = "None"
    elif isinstance(value, (bool, int, float, str)):
      out[name] = value

  add("", dataclasses.asdict(config))
  return out


def trial_id(model_dir: str, settings: Settings) -> str:
  """`<basename of model_dir>-<first 8 hex of SHA-1 of the settings>`."""
  name = os.path.basename(os.path.normpath(os.path.abspath(model_dir)))
  digest = hashlib.sha1(json.dumps(settings, sort_keys=True).encode())
  return f"{name}-{digest.hexdigest()[:8]}"


def read_session(logdir: str) -> Optional[tuple[str, Settings]]:
  """(trial id, settings) of the first HParams session record in `logdir`'s
  events files (oldest first), or None."""
  for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents*"))):
    try:
      for record in tf.data.TFRecordDataset(path).take(_SCAN_RECORDS):
        event = tf.compat.v1.Event.FromString(record.numpy())
        for value in event.summary.value:
          if value.tag != hp_metadata.SESSION_START_INFO_TAG:
            continue
          info = hp_metadata.parse_session_start_info_plugin_data(
              value.metadata.plugin_data.content)
          return info.group_name, {
              k: getattr(v, v.WhichOneof("kind"))
              for k, v in info.hparams.items()}
    except tf.errors.DataLossError:  # A torn last record: nothing after it.
      continue
  return None


def _write(writer, trial: str, settings: Settings) -> None:
  with writer.as_default():
    hp.hparams(settings, trial_id=trial)
  writer.flush()


def write_train_session(config: TrainConfig, model_dir: str, writer) -> None:
  """Writes the run's settings to `writer` (the train job's, for
  model_dir/train) unless that directory already has them."""
  if read_session(workspace.train_logs_dir(model_dir)) is not None:
    return
  settings = flat_settings(config)
  _write(writer, trial_id(model_dir, settings), settings)


def write_eval_session(model_dir: str, writer) -> None:
  """Writes the run's settings to `writer` (the eval job's, for
  model_dir/eval) unless that directory already has them: a copy of
  `train/`'s record, else built from config.json (runs without one); no-op
  for a directory with neither."""
  if read_session(workspace.eval_logs_dir(model_dir)) is not None:
    return
  session = read_session(workspace.train_logs_dir(model_dir))
  if session is None:
    saved = workspace.load_train_config(model_dir)
    if saved is None:
      logging.info("%s has no config.json: no HParams record for eval/.",
                   model_dir)
      return
    settings = flat_settings(saved)
    session = trial_id(model_dir, settings), settings
  _write(writer, *session)
