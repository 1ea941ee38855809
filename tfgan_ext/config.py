"""Immutable run configuration, built once from flags at the binary's edge.

A TrainConfig checks its fields when it is made (`TrainConfig.validate`, with
the ModelConfig's and ObjectiveConfig's own checks), so the train binary, the
Python API and a run's config.json read back by a resumed run, the eval job
or a report all go through the same rules.

Only the dataclasses and their checks: reading and writing config.json is
`tfgan_ext.workspace`'s job, filling the dataset-dependent fields
`tfgan_ext.train.resolve`'s. This module imports neither, so the
dependency runs one way: train -> workspace -> config.
(`tfgan_ext.train.config` re-exports these names.)
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Mapping, Optional

from tfgan_ext.config_checks import (check_field_types, require_choice,
                                     require_int, require_number)
from tfgan_ext.errors import InputError
from tfgan_ext.models import ModelConfig
from tfgan_ext.nn.normalization import INFERENCE_STATISTICS
from tfgan_ext.nn.precision import PRECISIONS
from tfgan_ext.objectives.config import ObjectiveConfig

LR_DECAYS = ("none", "linear")
# tf.distribute strategies (train/strategies.py builds them).
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")
OPTIMIZERS = ("adam", "adamax")       # The trainer's optimizer classes.
FAKE_LABELS = ("uniform", "real")     # How G's training labels are drawn.
_DAMAGED = ("If you edited it, restore the value; if it is damaged, restore "
            "it from a copy or train in a new --model_dir (the train job "
            "writes config.json when a run starts).")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
  """Everything a training run needs besides its model_dir."""
  model: ModelConfig = ModelConfig()
  objective: ObjectiveConfig = ObjectiveConfig()
  dataset: str = "digits"
  split: str = "train"
  data_dir: Optional[str] = None
  download: bool = False
  batch_size: int = 64            # Global batch: per-replica x replicas.
  d_steps: int = 1                # D updates per G update.
  g_lr: float = 1e-4
  d_lr: float = 4e-4
  beta1: float = 0.0
  beta2: float = 0.999
  lr_decay: str = "none"          # "none" | "linear" (to 0 at max_steps).
  max_steps: int = 1000           # G steps.
  save_every: int = 500
  summary_every: int = 50
  image_every: int = 500
  keep_checkpoints: int = 5
  seed: int = 0
  strategy: str = "default"       # default | mirrored | multi_worker | tpu
  tpu: Optional[str] = None       # TPU name / address for strategy "tpu".
  deterministic: bool = False     # Op determinism + data position in ckpts.
  optimizer: str = "adam"         # "adam" | "adamax" (beta1/beta2 for both).
  fake_labels: str = "uniform"    # G's labels: "uniform" draws independent
                                  # of the real batch (TF-GAN) | "real" (the
                                  # real batch's labels).
  init_from: Optional[str] = None  # Checkpoint (or run dir) to start from.
  init_from_continue: bool = False  # Also take over init_from's optimizers,
                                    # step and data position (max_steps is
                                    # then the step to stop at, as on resume).
  label_fraction: float = 1.0     # Keep labels for this share of the data.
  unlabelled_dataset: Optional[str] = None  # Extra images without labels.
  unlabelled_split: str = "train"
  bn_inference: str = "moving"   # G's batch-norm moments in sample grids:
                                 # "moving" averages or the "batch"'s.
  steps_per_loop: int = 1         # G steps per compiled call (host work,
                                  # logs and checkpoints at loop boundaries).
  jit_compile: bool = False       # XLA for the per-replica D and G steps.
  precision: str = "float32"      # float32 | bfloat16 | float16: compute
                                  # type (variables and checkpoints stay
                                  # float32; float16 uses loss scaling).
  ema_decay: float = 0.0          # > 0: keep an EMA generator (train/ema.py).
  ema_start: int = 0              # G step from which the EMA averages (it
                                  # copies G before).
  use_ema: bool = True            # Sample grids from the EMA generator when
                                  # the run has one (False: the raw G).

  def __post_init__(self):
    self.validate()

  def validate(self) -> None:
    """Raises InputError, naming the flag to change, for a field out of
    range, an unknown name, or flags that only make sense together. (The
    model and objective checked themselves when they were made; what needs
    the dataset or the strategy is checked by the trainer.)"""
    check_field_types(self)
    if not self.dataset:
      raise InputError("--dataset is empty: name a dataset (e.g. digits).")
    if not self.split:
      raise InputError("--split is empty: name a split (e.g. train).")
    require_int("--batch_size", self.batch_size, 1)
    require_int("--d_steps", self.d_steps, 1)
    require_int("--max_steps", self.max_steps, 0)
    for flag, rate in (("--g_lr", self.g_lr), ("--d_lr", self.d_lr)):
      require_number(flag, rate, low=0.0, low_open=True,
                     hint="Use e.g. 1e-4.")
    for flag, beta in (("--beta1", self.beta1), ("--beta2", self.beta2)):
      require_number(flag, beta, low=0.0, high=1.0, high_open=True,
                     hint="Use e.g. --beta1=0.0 --beta2=0.999.")
    require_choice("--lr_decay", self.lr_decay, LR_DECAYS)
    for flag, period in (("--save_every", self.save_every),
                         ("--summary_every", self.summary_every),
                         ("--image_every", self.image_every),
                         ("--steps_per_loop", self.steps_per_loop)):
      require_int(flag, period, 1, hint="It is a period in G steps.")
    require_int("--keep_checkpoints", self.keep_checkpoints, 1)
    require_int("--seed", self.seed, 0, 2 ** 63 - 1)
    require_choice("--strategy", self.strategy, STRATEGIES)
    if self.tpu is not None and self.strategy != "tpu":
      raise InputError(f"--tpu={self.tpu} names a TPU for --strategy=tpu; "
                       f"this run uses --strategy={self.strategy}. Add "
                       "--strategy=tpu or drop --tpu.")
    require_choice("--optimizer", self.optimizer, OPTIMIZERS)
    require_choice("--fake_labels", self.fake_labels, FAKE_LABELS)
    if self.init_from is not None and not self.init_from:
      raise InputError("--init_from is empty: name a checkpoint or run "
                       "directory, or drop the flag.")
    if self.init_from_continue and not self.init_from:
      raise InputError("--init_from_continue continues the training of the "
                       "run given by --init_from: set --init_from too.")
    require_number("--label_fraction", self.label_fraction, low=0.0,
                   high=1.0, low_open=True,
                   hint="It is the labelled share of the examples, e.g. 0.1.")
    if self.unlabelled_dataset is not None and not self.unlabelled_dataset:
      raise InputError("--unlabelled_dataset is empty: name a dataset, or "
                       "drop the flag.")
    if not self.unlabelled_split:
      raise InputError("--unlabelled_split is empty: name a split.")
    require_choice("--bn_inference", self.bn_inference, INFERENCE_STATISTICS)
    if self.jit_compile and self.deterministic:
      raise InputError(
          "--jit_compile cannot be combined with --deterministic: TF has no "
          "deterministic XLA kernel for some gradients (e.g. the MaxPool "
          "gradient in SAGAN's attention). Drop one of the two.")
    require_choice("--precision", self.precision, PRECISIONS,
                   "Use --precision=float32 (default), bfloat16 or float16 "
                   "(with loss scaling).")
    require_number("--ema_decay", self.ema_decay, low=0.0, high=1.0,
                   high_open=True, hint="Use 0 for no EMA generator, else e.g. "
                   "0.999 (BigGAN: 0.9999).")
    require_int("--ema_start", self.ema_start, 0,
                hint="It is the G step from which the EMA generator "
                "averages.")

  def to_json(self) -> str:
    return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True)

  @classmethod
  def from_dict(cls, d: Mapping[str, Any],
                source: Optional[str] = None) -> "TrainConfig":
    """The config `to_json` wrote, as a dict (fields missing from configs of
    earlier versions take their defaults).

    Raises InputError for a value that is not a JSON object, an unknown
    field, a value of the wrong type or out of range; with `source` (the
    file it was read from) the message names the file and what to do.
    """
    try:
      return cls._from_dict(d)
    except InputError as err:
      if source is None:
        raise
      raise InputError(f"{source} is not a valid run config: {err} "
                       f"{_DAMAGED}") from None

  @classmethod
  def _from_dict(cls, d: Mapping[str, Any]) -> "TrainConfig":
    if not isinstance(d, Mapping):
      raise InputError(f"A run config is a JSON object; this one is a "
                       f"{type(d).__name__}.")
    d = dict(d)
    _check_known(d, cls, "")
    for name, part in (("model", ModelConfig), ("objective", ObjectiveConfig)):
      value = d.get(name, {})
      if not isinstance(value, Mapping):
        raise InputError(f'"{name}" must be a JSON object of {part.__name__} '
                         f"fields; got {value!r}.")
      _check_known(value, part, f"{name}.")
      d[name] = part(**value)
    return cls(**d)


def _check_known(fields: Mapping[str, Any], cls: type, prefix: str) -> None:
  """Raises InputError for keys that are not fields of dataclass `cls`."""
  known = {f.name for f in dataclasses.fields(cls)}
  unknown = sorted(f"{prefix}{k}" for k in fields if k not in known)
  if unknown:
    raise InputError(f"unknown field(s) {unknown} (written by another "
                     "version of tfgan_ext?). Remove them, or use the version "
                     "that wrote the run.")


def shaping_fields(config: TrainConfig) -> dict[str, Any]:
  """The settings that determine the checkpoint's variables."""
  out = {f"model.{k}": v for k, v in dataclasses.asdict(config.model).items()}
  for name in config.objective.SHAPING_FIELDS:
    out[f"objective.{name}"] = getattr(config.objective, name)
  out["ema generator (ema_decay > 0)"] = config.ema_decay > 0
  return out
