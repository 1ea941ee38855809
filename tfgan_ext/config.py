"""Immutable run configuration, built once from flags at the binary's edge.

Only the dataclasses. Reading and writing config.json is
`tfgan_ext.workspace`'s job, filling the dataset-dependent fields
`tfgan_ext.train.resolve`'s. This module sits below both the train package
and the workspace (it imports neither), so their dependency runs one way:
train -> workspace -> config. (`tfgan_ext.train.config` re-exports it.)
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Optional

from tfgan_ext.models import ModelConfig
from tfgan_ext.objectives.config import ObjectiveConfig


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

  def to_json(self) -> str:
    return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True)

  @classmethod
  def from_dict(cls, d: dict[str, Any]) -> "TrainConfig":
    d = dict(d)
    d["model"] = ModelConfig(**d.get("model", {}))
    d["objective"] = ObjectiveConfig(**d.get("objective", {}))
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in d.items() if k in known})


def shaping_fields(config: TrainConfig) -> dict[str, Any]:
  """The settings that determine the checkpoint's variables."""
  out = {f"model.{k}": v for k, v in dataclasses.asdict(config.model).items()}
  for name in config.objective.SHAPING_FIELDS:
    out[f"objective.{name}"] = getattr(config.objective, name)
  out["ema generator (ema_decay > 0)"] = config.ema_decay > 0
  return out
