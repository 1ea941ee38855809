"""tfgan_ext: GANs for TensorFlow 2 / Keras 3.

TF-GAN's SAGAN baseline reproduced natively, the losses and monitors of
four papers on top (MHGAN's multi-hinge loss, aw-loss, MAGAN, SQD), offline
FID and exact resume.

Entry points (imported on first use, so `import tfgan_ext` stays cheap):

  GAN                 a keras.Model: your G and D, `compile`, `fit`
  Trainer, train      the model_dir trainer (checkpoints, resume, logs)
  TrainConfig, ModelConfig, ObjectiveConfig   the run's settings
  check_networks      the network contract check (tfgan_ext.contract)
  losses, metrics, callbacks, contract, models, monitors, objectives
                      the modules behind them
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

_ATTRIBUTES = {
    "GAN": ("tfgan_ext.gan", "GAN"),
    "NonFiniteWeightsError": ("tfgan_ext.gan", "NonFiniteWeightsError"),
    "Trainer": ("tfgan_ext.train.trainer", "Trainer"),
    "TrainResult": ("tfgan_ext.train.trainer", "TrainResult"),
    "train": ("tfgan_ext.train.trainer", "train"),
    "TrainConfig": ("tfgan_ext.train.config", "TrainConfig"),
    "ModelConfig": ("tfgan_ext.models", "ModelConfig"),
    "ObjectiveConfig": ("tfgan_ext.objectives.config", "ObjectiveConfig"),
    "build_models": ("tfgan_ext.models", "build_models"),
    "check_networks": ("tfgan_ext.contract", "check_networks"),
}
_MODULES = ("callbacks", "contract", "data", "errors", "evaluation", "export",
            "losses", "metrics", "models", "monitors", "objectives", "workspace")

__all__ = sorted(_ATTRIBUTES) + list(_MODULES) + ["__version__"]


def __getattr__(name: str) -> Any:
  if name in _ATTRIBUTES:
    module, attribute = _ATTRIBUTES[name]
    value = getattr(importlib.import_module(module), attribute)
  elif name in _MODULES:
    value = importlib.import_module(f"tfgan_ext.{name}")
  else:
    raise AttributeError(f"module 'tfgan_ext' has no attribute {name!r}")
  globals()[name] = value
  return value


def __dir__() -> list[str]:
  return sorted(set(globals()) | set(__all__))
