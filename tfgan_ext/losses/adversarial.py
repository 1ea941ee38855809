"""Unconditional adversarial losses of SQD's Table 1, as pure functions.

Every discriminator loss returns `(loss_real, loss_fake)`, the batch means of
its real and fake parts, so callers can weight them (aw-loss) or log them
separately; the total is their sum. Every generator loss returns one scalar.
All are minimized. Inputs are logits D(.) of shape [B] or [B, 1] as TF tensors
or NumPy arrays; outputs are float32 scalar tensors. Means are per call (per
replica under `tf.distribute`); global-batch scaling is the caller's job.
"""

from __future__ import annotations

import dataclasses
import types
from typing import Callable, Mapping

import tensorflow as tf

from tfgan_ext.errors import InputError

TensorLike = tf.types.experimental.TensorLike
DiscriminatorLossFn = Callable[[TensorLike, TensorLike],
                               tuple[tf.Tensor, tf.Tensor]]
GeneratorLossFn = Callable[[TensorLike], tf.Tensor]


def _f32(x: TensorLike) -> tf.Tensor:
  return tf.cast(tf.convert_to_tensor(x), tf.float32)


def hinge_discriminator_loss(real_logits: TensorLike, fake_logits: TensorLike
                             ) -> tuple[tf.Tensor, tf.Tensor]:
  """(mean max(0, 1 - D(x)), mean max(0, 1 + D(G(z)))), SQD Table 1 "Hinge"."""
  return (tf.reduce_mean(tf.nn.relu(1.0 - _f32(real_logits))),
          tf.reduce_mean(tf.nn.relu(1.0 + _f32(fake_logits))))


def hinge_generator_loss(fake_logits: TensorLike) -> tf.Tensor:
  """-mean D(G(z)), SQD Table 1 "Hinge" (same as WGAN's)."""
  return -tf.reduce_mean(_f32(fake_logits))


def nonsaturating_discriminator_loss(real_logits: TensorLike,
                                     fake_logits: TensorLike
                                     ) -> tuple[tf.Tensor, tf.Tensor]:
  """(mean -log sigma(D(x)), mean -log(1 - sigma(D(G(z))))), SQD Table 1 NSGAN.

  Written as softplus(-D(x)) and softplus(D(G(z))), stable for any logit.
  """
  return (tf.reduce_mean(tf.nn.softplus(-_f32(real_logits))),
          tf.reduce_mean(tf.nn.softplus(_f32(fake_logits))))


def nonsaturating_generator_loss(fake_logits: TensorLike) -> tf.Tensor:
  """mean -log sigma(D(G(z))) = mean softplus(-D(G(z))), SQD Table 1 NSGAN."""
  return tf.reduce_mean(tf.nn.softplus(-_f32(fake_logits)))


def minimax_generator_loss(fake_logits: TensorLike) -> tf.Tensor:
  """mean log(1 - sigma(D(G(z)))) = -mean softplus(D(G(z))): the saturating
  generator loss of the original minimax game (Goodfellow et al. 2014), as
  the unrolled-GAN paper's mixture experiment uses it. D's loss is NSGAN's."""
  return -tf.reduce_mean(tf.nn.softplus(_f32(fake_logits)))


def least_squares_discriminator_loss(real_logits: TensorLike,
                                     fake_logits: TensorLike
                                     ) -> tuple[tf.Tensor, tf.Tensor]:
  """(mean (D(x) - 1)^2, mean D(G(z))^2), SQD Table 1 LSGAN.

  Targets: real 1, fake 0, on the raw output D (no sigmoid). As in SQD's
  table there is no 0.5 factor (Mao et al. write one; it only rescales).
  """
  return (tf.reduce_mean(tf.square(_f32(real_logits) - 1.0)),
          tf.reduce_mean(tf.square(_f32(fake_logits))))


def least_squares_generator_loss(fake_logits: TensorLike) -> tf.Tensor:
  """mean (D(G(z)) - 1)^2: the generator's target is 1 (SQD Table 1 LSGAN)."""
  return tf.reduce_mean(tf.square(_f32(fake_logits) - 1.0))


def wasserstein_discriminator_loss(real_logits: TensorLike,
                                   fake_logits: TensorLike
                                   ) -> tuple[tf.Tensor, tf.Tensor]:
  """(-mean D(x), mean D(G(z))), SQD Table 1 WGAN (WGAN-GP adds a penalty)."""
  return -tf.reduce_mean(_f32(real_logits)), tf.reduce_mean(_f32(fake_logits))


def wasserstein_generator_loss(fake_logits: TensorLike) -> tf.Tensor:
  """-mean D(G(z)), SQD Table 1 WGAN."""
  return -tf.reduce_mean(_f32(fake_logits))


@dataclasses.dataclass(frozen=True)
class AdversarialLoss:
  """A named pair of discriminator and generator losses."""
  name: str
  discriminator_fn: DiscriminatorLossFn
  generator_fn: GeneratorLossFn


ADVERSARIAL_LOSSES: Mapping[str, AdversarialLoss] = types.MappingProxyType({
    loss.name: loss for loss in (
        AdversarialLoss("hinge", hinge_discriminator_loss,
                        hinge_generator_loss),
        AdversarialLoss("nonsaturating", nonsaturating_discriminator_loss,
                        nonsaturating_generator_loss),
        AdversarialLoss("minimax", nonsaturating_discriminator_loss,
                        minimax_generator_loss),
        AdversarialLoss("least_squares", least_squares_discriminator_loss,
                        least_squares_generator_loss),
        AdversarialLoss("wasserstein", wasserstein_discriminator_loss,
                        wasserstein_generator_loss),
    )
})


def get_adversarial_loss(name: str) -> AdversarialLoss:
  """Looks up `name` in ADVERSARIAL_LOSSES; InputError (a ValueError) lists
  the valid names."""
  try:
    return ADVERSARIAL_LOSSES[name]
  except (KeyError, TypeError):
    raise InputError(f"Unknown adversarial loss {name!r}; valid names: "
                     f"{sorted(ADVERSARIAL_LOSSES)}.") from None
