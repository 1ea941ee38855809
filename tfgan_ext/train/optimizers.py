"""The Trainer's optimizers: Adam or Adamax with TF 1's epsilon, constant
or linearly decaying learning rates."""

from __future__ import annotations

import keras

from tfgan_ext.config import TrainConfig

__all__ = ["ADAM_EPSILON", "OPTIMIZERS", "make_optimizer"]

OPTIMIZERS = {"adam": keras.optimizers.Adam, "adamax": keras.optimizers.Adamax}
# epsilon 1e-8 as TF 1's AdamOptimizer (TF-GAN) and MAGAN's Adamax; Keras
# defaults to 1e-7. Keras applies it the same way (to sqrt(v_hat) with the
# bias correction folded into the step size).
ADAM_EPSILON = 1e-8


def make_optimizer(config: TrainConfig, lr: float, decay_steps: int):
  """config.optimizer with learning rate `lr` (constant, or with
  lr_decay="linear" falling to 0 over `decay_steps` updates), beta1 /
  beta2 from the config and epsilon ADAM_EPSILON."""
  schedule = lr
  if config.lr_decay == "linear":
    schedule = keras.optimizers.schedules.PolynomialDecay(
        lr, max(1, decay_steps), end_learning_rate=0.0, power=1.0)
  return OPTIMIZERS[config.optimizer](schedule, beta_1=config.beta1,
                                      beta_2=config.beta2,
                                      epsilon=ADAM_EPSILON)
