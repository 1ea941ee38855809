"""TF-GAN 2.1.0's public API on current TensorFlow: `from tfgan_ext import
tfgan` instead of `import tensorflow_gan as tfgan`.

* `tfgan.losses` (namedtuple forms) and `tfgan.losses.wargs` (tensor forms):
  every TF-GAN loss and penalty, with its names, arguments, defaults and
  numbers, computed by the library's own loss terms.
* `tfgan.eval`: the evaluation metrics (imported on first use).
* `tfgan.features`: spectral / instance / group / virtual batch
  normalization, conditioning, the tensor pool, weight clipping.
* The namedtuples `GANModel`, `InfoGANModel`, `ACGANModel`, `CycleGANModel`,
  `StarGANModel`, `GANLoss`, `CycleGANLoss`, `GANTrainOps`, `GANTrainSteps`.
* What needs `tf.estimator`, TF 1 variable scopes or sessions (`gan_model`,
  `gan_loss`, `gan_train`, the estimators, `tfgan.tpu`) keeps its name and
  raises `NotPortedError` naming the native replacement (`tfgan_ext.GAN`,
  `tfgan_ext.Trainer`, the `tfgan-ext-train` binary).

See docs/migrating-from-tf-gan.md for the mapping and the differences.
"""

from __future__ import annotations

import importlib
from typing import Any

from tfgan_ext import __version__
from tfgan_ext.tfgan import estimator
from tfgan_ext.tfgan import features
from tfgan_ext.tfgan import losses
from tfgan_ext.tfgan import tpu
from tfgan_ext.tfgan.namedtuples import ACGANModel
from tfgan_ext.tfgan.namedtuples import CycleGANLoss
from tfgan_ext.tfgan.namedtuples import CycleGANModel
from tfgan_ext.tfgan.namedtuples import GANLoss
from tfgan_ext.tfgan.namedtuples import GANModel
from tfgan_ext.tfgan.namedtuples import GANTrainOps
from tfgan_ext.tfgan.namedtuples import GANTrainSteps
from tfgan_ext.tfgan.namedtuples import InfoGANModel
from tfgan_ext.tfgan.namedtuples import StarGANModel
from tfgan_ext.tfgan.train import RunTrainOpsHook
from tfgan_ext.tfgan.train import acgan_model
from tfgan_ext.tfgan.train import cyclegan_loss
from tfgan_ext.tfgan.train import cyclegan_model
from tfgan_ext.tfgan.train import gan_loss
from tfgan_ext.tfgan.train import gan_model
from tfgan_ext.tfgan.train import gan_train
from tfgan_ext.tfgan.train import gan_train_ops
from tfgan_ext.tfgan.train import get_joint_train_hooks
from tfgan_ext.tfgan.train import get_sequential_train_hooks
from tfgan_ext.tfgan.train import get_sequential_train_steps
from tfgan_ext.tfgan.train import infogan_model
from tfgan_ext.tfgan.train import stargan_loss
from tfgan_ext.tfgan.train import stargan_model
from tfgan_ext.tfgan.unported import NotPortedError
from tfgan_ext.tfgan import namedtuples as _namedtuples
from tfgan_ext.tfgan import train as _train

__all__ = (["estimator", "eval", "features", "losses", "tpu", "__version__"]
           + list(_namedtuples.__all__) + list(_train.__all__))


def __getattr__(name: str) -> Any:
  # `eval` (which loads the evaluation networks' code) is imported on first
  # use; `from tfgan_ext.tfgan import eval` works as well.
  if name == "eval":
    module = importlib.import_module("tfgan_ext.tfgan.eval")
    globals()[name] = module
    return module
  raise AttributeError(f"module 'tfgan_ext.tfgan' has no attribute {name!r}")


def __dir__() -> list[str]:
  return sorted(set(globals()) | set(__all__))
