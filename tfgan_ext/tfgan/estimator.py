"""`tfgan.estimator`: not ported (TensorFlow 2.16 removed `tf.estimator`).

`SummaryType` is kept as TF-GAN defines it; every estimator name raises
`NotPortedError` naming the replacement (`tfgan_ext.GAN`, `tfgan_ext.Trainer`,
the `tfgan-ext-train` binary).
"""

from __future__ import annotations

import enum

from tfgan_ext.tfgan.unported import ESTIMATOR
from tfgan_ext.tfgan.unported import GAN_REPLACEMENT
from tfgan_ext.tfgan.unported import unported_class
from tfgan_ext.tfgan.unported import unported_function

__all__ = [
    "GANEstimator",
    "SummaryType",
    "StarGANEstimator",
    "TPUGANEstimator",
    "get_latent_gan_estimator",
    "stargan_prediction_input_fn_wrapper",
]


class SummaryType(enum.IntEnum):
  """TF-GAN's estimator summary kinds (same members and values)."""
  NONE = 0
  VARIABLES = 1
  IMAGES = 2
  IMAGE_COMPARISON = 3


GANEstimator = unported_class("estimator.GANEstimator", ESTIMATOR,
                              GAN_REPLACEMENT)
TPUGANEstimator = unported_class(
    "estimator.TPUGANEstimator", ESTIMATOR,
    GAN_REPLACEMENT + " (under a tf.distribute.TPUStrategy scope)")
StarGANEstimator = unported_class("estimator.StarGANEstimator", ESTIMATOR,
                                  GAN_REPLACEMENT)
get_latent_gan_estimator = unported_function(
    "estimator.get_latent_gan_estimator", ESTIMATOR,
    "a tf.GradientTape loop that optimizes the latent input of your Keras "
    "generator (tfgan_ext.GAN.generator)")
stargan_prediction_input_fn_wrapper = unported_function(
    "estimator.stargan_prediction_input_fn_wrapper", ESTIMATOR,
    "your Keras generator called directly on the input batch")
