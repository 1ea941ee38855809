"""The Trainer's networks: G, D and the EMA generator, native or the caller's.

`Networks` holds each network twice:

  generator_model, discriminator_model, ema_generator_model
      the Keras models as built (a library architecture from
      `tfgan_ext.models`, or the caller's own); these are what checkpoints,
      precision policies and batch-norm settings apply to.
  generator, discriminator, ema_generator
      the same networks seen through the native call of `tfgan_ext.contract`
      (``G(z, labels, training)``, ``D(x, labels, training) -> (logits,
      features)``): the model itself for native networks, a
      `contract.GeneratorAdapter` / `DiscriminatorAdapter` for Keras-contract
      ones. Everything that runs the networks (the step, sample grids,
      monitors, exports) calls these.

Build in the strategy's scope. The EMA generator (ema_decay > 0) starts as a
copy of G: a second library generator of the same architecture, or for the
caller's G a `keras.models.clone_model` copy (as `tfgan_ext.GAN` makes).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

import keras
import tensorflow as tf

from tfgan_ext import contract
from tfgan_ext import models as models_lib
from tfgan_ext.config import TrainConfig
from tfgan_ext.errors import InputError
from tfgan_ext.nn import normalization
from tfgan_ext.nn import precision as precision_lib

__all__ = ["Networks", "build_ema_generator", "build_networks"]


@dataclasses.dataclass
class Networks:
  """G and D as models and as native-call views (module docstring)."""
  generator_model: Any
  discriminator_model: Any
  generator: Any
  discriminator: Any
  user_built: bool = False


def _inputs(config: TrainConfig) -> tuple[tf.Tensor, tf.Tensor]:
  return tf.zeros([2, config.model.z_dim]), tf.zeros([2], tf.int32)


def build_networks(config: TrainConfig, generator: Any = None,
                   discriminator: Any = None,
                   feature_dim: int = 0) -> Networks:
  """G and D for the run, built and set to config.precision.

  Args:
    config: the resolved TrainConfig (with the caller's networks, its
      model.architecture is "custom" and its shapes are theirs).
    generator, discriminator: the caller's networks, already checked (and
      built) by `contract.check_networks`; None builds config.model's.
    feature_dim: D's feature size as `check_networks` found it (the
      caller's Keras-contract D; 0 without features).
  """
  mc = config.model
  if generator is None:
    g, d = models_lib.build_models(mc)
    normalization.set_inference_statistics(g, config.bn_inference)
    z, labels = _inputs(config)
    sample = g(z, labels, training=False)
    d(sample, labels if mc.num_classes else None, training=False)
    # Built in float32; the compute dtype changes, the variables do not.
    precision_lib.apply_precision(g, config.precision)
    precision_lib.apply_precision(d, config.precision)
    return Networks(g, d, g, d)
  for model in (generator, discriminator):
    normalization.set_inference_statistics(model, config.bn_inference)
    if config.precision != "float32":
      precision_lib.apply_precision(model, config.precision)
  return Networks(
      generator, discriminator,
      contract.adapt_generator(generator, mc.num_classes),
      contract.adapt_discriminator(discriminator, mc.num_classes,
                                   feature_dim),
      user_built=True)


def build_ema_generator(config: TrainConfig, networks: Networks
                        ) -> tuple[Optional[Any], Optional[Any]]:
  """(model, native-call view) of the EMA generator, or (None, None) when
  config.ema_decay is 0. Its values are not set here (see
  `ema.GeneratorAverage.copy`)."""
  if config.ema_decay <= 0:
    return None, None
  mc = config.model
  z, labels = _inputs(config)
  if not networks.user_built:
    copy = models_lib.build_models(mc)[0]
    normalization.set_inference_statistics(copy, config.bn_inference)
    copy(z, labels, training=False)
    precision_lib.apply_precision(copy, config.precision)
    return copy, copy
  try:
    copy = keras.models.clone_model(networks.generator_model)
  except Exception as err:  # pylint: disable=broad-except
    raise InputError(
        f"ema_decay > 0 keeps a copy of G made with keras.models."
        f"clone_model, which failed: {err}. Give the generator a "
        "get_config (or build it as a functional model), or set "
        "ema_decay=0.") from err
  view = contract.adapt_generator(copy, mc.num_classes)
  view(z, labels, training=False)
  normalization.set_inference_statistics(copy, config.bn_inference)
  if config.precision != "float32":
    precision_lib.apply_precision(copy, config.precision)
  return copy, view
