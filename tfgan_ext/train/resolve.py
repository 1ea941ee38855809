"""Filling a TrainConfig's fields that depend on the data and the networks.

`resolve_config` does for every caller (the train binary, a Python script)
what a run needs before its config is saved:

  model.num_classes = -1   -> all of the dataset's classes
  model.channels           -> the point dimension for point data (the
                              2-D mixtures); images keep the config's

A run on the caller's own `tf.data.Dataset` records dataset "custom" and
the data's image size and channels (`custom_data_config`). A run with the
caller's own networks records `model.architecture = "custom"` and the
shapes read from the networks (`custom_model_config`): image_size (images:
the height of G's samples), channels (the samples' last dimension),
num_classes (as configured, after resolving -1) and z_dim (G's noise size);
the other ModelConfig fields keep their defaults, since they build nothing.
The saved config.json therefore describes what was trained.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

from tfgan_ext import data as data_lib
from tfgan_ext.config import TrainConfig
from tfgan_ext.contract import NetworkSpec
from tfgan_ext.data.base import DatasetInfo
from tfgan_ext.models import ModelConfig
from tfgan_ext.train.pipeline import CUSTOM_DATASET
from tfgan_ext.workspace import CUSTOM_ARCHITECTURE

__all__ = ["CUSTOM_ARCHITECTURE", "custom_data_config", "custom_model_config",
           "dataset_info_for", "resolve_config"]



def dataset_info_for(config: TrainConfig) -> DatasetInfo:
  """The DatasetInfo of config.dataset / split at the model's image size
  and channels."""
  mc = config.model
  return data_lib.dataset_info(
      config.dataset, split=config.split, image_size=mc.image_size,
      channels=mc.channels, data_dir=config.data_dir,
      download=config.download)


def resolve_config(config: TrainConfig,
                   info: Optional[DatasetInfo] = None) -> TrainConfig:
  """`config` with num_classes=-1 and the channels of point data resolved
  from the data (module docstring); unchanged when nothing is to resolve.

  Args:
    config: a TrainConfig, as built from flags or by hand.
    info: the labelled data's DatasetInfo; None looks up config.dataset.

  Raises:
    InputError / DatasetUnavailableError: the dataset cannot be read.
  """
  info = info if info is not None else dataset_info_for(config)
  mc = config.model
  num_classes = info.num_classes if mc.num_classes < 0 else mc.num_classes
  channels = mc.channels if info.is_image else int(info.sample_shape[-1])
  if (num_classes, channels) == (mc.num_classes, mc.channels):
    return config
  return dataclasses.replace(config, model=dataclasses.replace(
      mc, num_classes=num_classes, channels=channels))


def custom_data_config(config: TrainConfig, info: DatasetInfo) -> TrainConfig:
  """`config` for a run on the caller's dataset: dataset "custom" and the
  data's image size (height) and channels (or point dimension)."""
  mc = config.model
  shape = tuple(info.sample_shape)
  image_size = int(shape[0]) if len(shape) == 3 else mc.image_size
  return dataclasses.replace(
      config, dataset=CUSTOM_DATASET, model=dataclasses.replace(
          mc, image_size=image_size, channels=int(shape[-1])))


def custom_model_config(config: TrainConfig, spec: NetworkSpec) -> TrainConfig:
  """`config` for a run with the caller's networks: a ModelConfig with
  architecture "custom" and the networks' shapes (module docstring)."""
  mc = config.model
  shape = tuple(spec.sample_shape)
  image_size = int(shape[0]) if len(shape) == 3 else mc.image_size
  return dataclasses.replace(config, model=ModelConfig(
      architecture=CUSTOM_ARCHITECTURE, image_size=image_size,
      channels=int(shape[-1]), num_classes=spec.num_classes,
      z_dim=spec.latent_dim))
