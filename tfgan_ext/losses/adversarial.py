"""Unconditional adversarial losses of SQD's Table 1, as pure functions.

The standard GAN losses as TF-GAN names them (`tfgan.losses`: minimax,
modified = non-saturating, least squares, Wasserstein, Wasserstein hinge),
in the per-term form of the SQD paper's Table 1. Every discriminator loss
returns `(loss_real, loss_fake)`, the batch means of its real and fake
parts, so callers can weight them (aw-loss) or log them separately; the
total is their sum. Every generator loss returns one scalar.
All are minimized; each is the batch mean of the per-element terms in
`elementwise`. Inputs are logits D(.) of shape [B] or [B, 1] as TF tensors
or NumPy arrays; outputs are float32 scalar tensors. Means are per call (per
replica under `tf.distribute`); global-batch scaling is the caller's job.
"""

from __future__ import annotations

import dataclasses
import types
from typing import Callable, Mapping

import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.losses import elementwise

TensorLike = tf.types.experimental.TensorLike
DiscriminatorLossFn = Callable[[TensorLike, TensorLike],
                               tuple[tf.Tensor, tf.Tensor]]
GeneratorLossFn = Callable[[TensorLike], tf.Tensor]


def _f32(x: TensorLike) -> tf.Tensor:
  return tf.cast(tf.convert_to_tensor(x), tf.float32)


def _means(terms: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, tf.Tensor]:
  return tf.reduce_mean(terms[0]), tf.reduce_mean(terms[1])


def hinge_discriminator_loss(real_logits: TensorLike, fake_logits: TensorLike
                             ) -> tuple[tf.Tensor, tf.Tensor]:
  """(mean max(0, 1 - D(x)), mean max(0, 1 + D(G(z)))), SQD Table 1 "Hinge".

  TF-GAN's `wasserstein_hinge_discriminator_loss` with its default margins
  (1, 1), split into its real and fake parts; SAGAN's and MHGAN's D loss.

  Args:
    real_logits: D(x), shape [B] or [B, 1].
    fake_logits: D(G(z)), shape [B'] or [B', 1].
  Returns:
    (loss_real, loss_fake): float32 scalars.
  """
  return _means(elementwise.hinge_discriminator_terms(
      _f32(real_logits), _f32(fake_logits)))


def hinge_generator_loss(fake_logits: TensorLike) -> tf.Tensor:
  """-mean D(G(z)), SQD Table 1 "Hinge" (the same as WGAN's).

  TF-GAN's `wasserstein_hinge_generator_loss`. `fake_logits`: [B] or [B, 1];
  returns a float32 scalar.
  """
  return tf.reduce_mean(elementwise.hinge_generator_terms(_f32(fake_logits)))


def nonsaturating_discriminator_loss(real_logits: TensorLike,
                                     fake_logits: TensorLike
                                     ) -> tuple[tf.Tensor, tf.Tensor]:
  """(mean -log sigma(D(x)), mean -log(1 - sigma(D(G(z))))), SQD Table 1 NSGAN.

  The D loss of Goodfellow et al. 2014, TF-GAN's `modified_discriminator_loss`
  (= `minimax_discriminator_loss`) without label smoothing. Written as
  softplus(-D(x)) and softplus(D(G(z))), stable for any logit.

  Args:
    real_logits: D(x), shape [B] or [B, 1].
    fake_logits: D(G(z)), shape [B'] or [B', 1].
  Returns:
    (loss_real, loss_fake): float32 scalars.
  """
  return _means(elementwise.nonsaturating_discriminator_terms(
      _f32(real_logits), _f32(fake_logits)))


def nonsaturating_generator_loss(fake_logits: TensorLike) -> tf.Tensor:
  """mean -log sigma(D(G(z))) = mean softplus(-D(G(z))), SQD Table 1 NSGAN.

  TF-GAN's `modified_generator_loss`. `fake_logits`: [B] or [B, 1]; returns
  a float32 scalar.
  """
  return tf.reduce_mean(
      elementwise.nonsaturating_generator_terms(_f32(fake_logits)))


def minimax_generator_loss(fake_logits: TensorLike) -> tf.Tensor:
  """mean log(1 - sigma(D(G(z)))) = -mean softplus(D(G(z))): the saturating
  generator loss of the original minimax game (Goodfellow et al. 2014), as
  the unrolled-GAN paper's mixture experiment uses it; TF-GAN's
  `minimax_generator_loss`. D's loss is NSGAN's. `fake_logits`: [B] or
  [B, 1]; returns a float32 scalar."""
  return tf.reduce_mean(
      elementwise.minimax_generator_terms(_f32(fake_logits)))


def least_squares_discriminator_loss(real_logits: TensorLike,
                                     fake_logits: TensorLike
                                     ) -> tuple[tf.Tensor, tf.Tensor]:
  """(mean (D(x) - 1)^2, mean D(G(z))^2), SQD Table 1 LSGAN.

  Mao et al. (LSGAN) with targets real 1, fake 0, on the raw output D (no
  sigmoid). As in SQD's table there is no 0.5 factor (Mao et al. and
  TF-GAN's `least_squares_discriminator_loss` have one; it only rescales).

  Args:
    real_logits: D(x), shape [B] or [B, 1].
    fake_logits: D(G(z)), shape [B'] or [B', 1].
  Returns:
    (loss_real, loss_fake): float32 scalars.
  """
  return _means(elementwise.least_squares_discriminator_terms(
      _f32(real_logits), _f32(fake_logits)))


def least_squares_generator_loss(fake_logits: TensorLike) -> tf.Tensor:
  """mean (D(G(z)) - 1)^2: the generator's target is 1 (SQD Table 1 LSGAN).

  TF-GAN's `least_squares_generator_loss` times 2 (no 0.5 factor).
  `fake_logits`: [B] or [B, 1]; returns a float32 scalar.
  """
  return tf.reduce_mean(
      elementwise.least_squares_generator_terms(_f32(fake_logits)))


def wasserstein_discriminator_loss(real_logits: TensorLike,
                                   fake_logits: TensorLike
                                   ) -> tuple[tf.Tensor, tf.Tensor]:
  """(-mean D(x), mean D(G(z))), SQD Table 1 WGAN (WGAN-GP adds a penalty).

  Arjovsky et al.; TF-GAN's `wasserstein_discriminator_loss` split into its
  two terms.

  Args:
    real_logits: D(x), shape [B] or [B, 1].
    fake_logits: D(G(z)), shape [B'] or [B', 1].
  Returns:
    (loss_real, loss_fake): float32 scalars.
  """
  return _means(elementwise.wasserstein_discriminator_terms(
      _f32(real_logits), _f32(fake_logits)))


def wasserstein_generator_loss(fake_logits: TensorLike) -> tf.Tensor:
  """-mean D(G(z)), SQD Table 1 WGAN; TF-GAN's `wasserstein_generator_loss`.

  `fake_logits`: [B] or [B, 1]; returns a float32 scalar.
  """
  return tf.reduce_mean(
      elementwise.wasserstein_generator_terms(_f32(fake_logits)))


@dataclasses.dataclass(frozen=True)
class AdversarialLoss:
  """A named pair of losses: `discriminator_fn(real_logits, fake_logits) ->
  (loss_real, loss_fake)` and `generator_fn(fake_logits) -> loss`."""
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
  """Looks up `name` ("hinge", "nonsaturating", "minimax", "least_squares",
  "wasserstein") in ADVERSARIAL_LOSSES; InputError (a ValueError) lists the
  valid names."""
  try:
    return ADVERSARIAL_LOSSES[name]
  except (KeyError, TypeError):
    raise InputError(f"Unknown adversarial loss {name!r}; valid names: "
                     f"{sorted(ADVERSARIAL_LOSSES)}.") from None
