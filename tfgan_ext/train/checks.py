"""Checks of a run's inputs against each other; nothing is written here.

`Trainer.__init__` runs these before it writes anything to the model_dir,
each raising a `UserError` (InputError, UnwritableError) that says what to
change: the settings on their own (`check_settings`), the model_dir
(`ensure_writable`, `workspace.check_resume_compatible`), the strategy
(`check_replicas`), and the data against the model and the objective.
"""

from __future__ import annotations

from typing import Any

from tfgan_ext import data as data_lib
from tfgan_ext import fileio
from tfgan_ext import models as models_lib
from tfgan_ext.config import TrainConfig
from tfgan_ext.data.base import DatasetInfo
from tfgan_ext.errors import InputError
from tfgan_ext.nn import normalization
from tfgan_ext.nn import precision as precision_lib
from tfgan_ext.train import ema as ema_lib
from tfgan_ext.train.optimizers import OPTIMIZERS
from tfgan_ext.train.pipeline import CUSTOM_DATASET, FAKE_LABELS

__all__ = ["check_data_matches_model", "check_label_share",
           "check_objective_data", "check_replicas", "check_settings",
           "check_user_networks", "ensure_writable"]


def ensure_writable(model_dir: str) -> None:
  """Fails early when model_dir cannot be created or written: empty, a
  file, under a file, a name or path longer than the file system allows
  (InputError), or in a read-only place (UnwritableError); see
  `fileio.check_output_path`."""
  fileio.check_output_path(model_dir, "dir", flag="--model_dir")


def check_settings(config: TrainConfig) -> None:
  """The settings that can be checked on their own."""
  if config.d_steps < 1 or config.max_steps < 0:
    raise InputError("d_steps must be >= 1 and max_steps >= 0.")
  if config.lr_decay not in ("none", "linear"):
    raise InputError(f"lr_decay must be 'none' or 'linear'; got "
                     f"{config.lr_decay!r}.")
  if config.fake_labels not in FAKE_LABELS:
    raise InputError(f"fake_labels must be one of {list(FAKE_LABELS)}; got "
                     f"{config.fake_labels!r}.")
  if config.optimizer not in OPTIMIZERS:
    raise InputError(f"optimizer must be one of {sorted(OPTIMIZERS)}; got "
                     f"{config.optimizer!r}.")
  if config.init_from_continue and not config.init_from:
    raise InputError("--init_from_continue continues the training of the "
                     "run given by --init_from: set --init_from too.")
  if config.bn_inference not in normalization.INFERENCE_STATISTICS:
    raise InputError(f"bn_inference must be one of "
                     f"{normalization.INFERENCE_STATISTICS}; got "
                     f"{config.bn_inference!r}.")
  if config.steps_per_loop < 1:
    raise InputError(f"steps_per_loop must be >= 1; got "
                     f"{config.steps_per_loop}.")
  if config.jit_compile and config.deterministic:
    raise InputError(
        "--jit_compile cannot be combined with --deterministic: TF has no "
        "deterministic XLA kernel for some gradients (e.g. the MaxPool "
        "gradient in SAGAN's attention). Drop one of the two.")
  precision_lib.check_precision(config.precision)
  ema_lib.check_settings(config.ema_decay, config.ema_start)
  if not 0.0 < config.label_fraction <= 1.0:
    raise InputError(f"label_fraction must be in (0, 1]; got "
                     f"{config.label_fraction}.")


def check_replicas(config: TrainConfig, replicas: int) -> None:
  """Settings that depend on the number of replicas."""
  if config.precision == "float16" and replicas > 1:
    raise InputError(
        f"--precision=float16 (loss scaling) runs on one replica; this "
        f"strategy has {replicas}. Use --precision=bfloat16 or "
        "float32 with several replicas.")


def check_data_matches_model(config: TrainConfig, info: DatasetInfo) -> None:
  """A library architecture (config.model) fits the data: same sample
  shape, no more classes than the data has, a size it supports."""
  mc = config.model
  expected = models_lib.sample_shape(mc)
  if tuple(info.sample_shape) != tuple(expected):
    raise InputError(
        f"Dataset {info.name!r} yields samples of shape {info.sample_shape} "
        f"but the {mc.architecture!r} model expects {expected}. Choose a "
        "matching architecture / image_size / channels.")
  check_class_count(config, info)
  models_lib.build_models(mc)  # Raises for unsupported sizes.


def check_class_count(config: TrainConfig, info: DatasetInfo) -> None:
  """The model is conditioned on no more classes than the data has."""
  mc = config.model
  if mc.num_classes > info.num_classes:
    raise InputError(
        f"The model is conditioned on {mc.num_classes} classes but dataset "
        f"{info.name!r} has {info.num_classes}. Use num_classes <= "
        f"{info.num_classes} (0 for an unconditional model).")


def check_user_networks(config: TrainConfig, sample_shape: tuple[int, ...],
                        info: DatasetInfo, native_discriminator: bool) -> None:
  """The caller's networks fit the data and the objective: G's samples have
  the data's shape, and objectives that call D's own methods
  (class_scores, energy) get a native D that has them."""
  if tuple(sample_shape) != tuple(info.sample_shape):
    hint = ""
    if info.name != CUSTOM_DATASET and len(info.sample_shape) == 3:
      hint = (f" A named dataset is read at ModelConfig's image_size and "
              f"channels: set them to the generator's ({sample_shape}).")
    raise InputError(
        f"The generator makes samples of shape {tuple(sample_shape)}, the "
        f"dataset {info.name!r} yields {tuple(info.sample_shape)}.{hint}")
  check_class_count(config, info)
  oc = config.objective
  needs = [name for name, used in (
      ("energy", oc.energy != "none"), ("ssl", oc.ssl),
      ("critic='shared'", oc.aux != "none" and oc.critic == "shared"))
           if used]
  if needs and not native_discriminator:
    raise InputError(
        f"The objective option(s) {', '.join(needs)} call methods of a "
        "native discriminator (class_scores / energy; see "
        "tfgan_ext.contract): use a native D, or drop the option(s).")


def check_label_share(config: TrainConfig, info: DatasetInfo) -> None:
  """The label_fraction share of the data holds at least one batch."""
  labelled = int((info.num_examples or 0) * config.label_fraction)
  if info.num_examples and labelled < config.batch_size:
    raise InputError(
        f"label_fraction {config.label_fraction} keeps {labelled} of "
        f"{info.num_examples} examples, fewer than one batch of "
        f"{config.batch_size}. Raise --label_fraction or lower "
        "--batch_size.")


def check_objective_data(config: TrainConfig, objective: Any,
                         info: DatasetInfo) -> None:
  """The objective gets the data it needs: labels for a conditional loss,
  unlabelled images (of the labelled data's shape) for a semi-supervised
  one, and no unlabelled source otherwise."""
  c, mc = config, config.model
  if objective.requires_labels and mc.num_classes < 1:
    raise InputError(
        f"{objective.describe()} needs class labels, but the model is "
        f"unconditional (dataset {c.dataset!r} has {info.num_classes} "
        "classes). Use a labelled dataset and a conditional model, or an "
        "unconditional loss.")
  needs = objective.requires_unlabelled
  if needs and not c.unlabelled_dataset:
    raise InputError(
        f"{objective.describe()} needs unlabelled images: set "
        "--unlabelled_dataset (e.g. the same dataset with --label_fraction="
        "0.1, or imagenet2012 beside imagenet2012_subset/10pct).")
  if c.unlabelled_dataset and not needs:
    raise InputError(
        f"--unlabelled_dataset is only used by semi-supervised objectives; "
        f"{objective.describe()} is not one. Add --ssl or drop "
        "--unlabelled_dataset.")
  if c.unlabelled_dataset:
    other = data_lib.dataset_info(
        c.unlabelled_dataset, split=c.unlabelled_split,
        image_size=mc.image_size, channels=mc.channels,
        data_dir=c.data_dir, download=c.download)
    if tuple(other.sample_shape) != tuple(info.sample_shape):
      raise InputError(
          f"Unlabelled dataset {other.name!r} yields samples of shape "
          f"{other.sample_shape}, the labelled one {info.sample_shape}.")
