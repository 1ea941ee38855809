"""The plain GAN objective: one adversarial loss on D's logits (SAGAN: hinge)."""

from __future__ import annotations

import tensorflow as tf

from tfgan_ext.losses import AdversarialLoss
from tfgan_ext.objectives.base import Batch, LossOutput, Objective, fake_labels


def conditioning(discriminator, labels):
  """Labels for a conditional D, None for an unconditional one."""
  return labels if getattr(discriminator, "num_classes", 0) > 0 else None


class AdversarialObjective(Objective):
  """D: loss_real + loss_fake; G: the generator loss, from one registry entry."""

  discriminator_terms = ("real", "fake")

  def __init__(self, loss: AdversarialLoss, name: str = "objective"):
    super().__init__(name=name)
    self.loss = loss

  def discriminator_logits(self, discriminator, batch: Batch, fake: tf.Tensor):
    """Runs D on the real and fake batches separately (not concatenated),
    the real images with their labels, the fakes with the labels G was
    given (`fake_labels`)."""
    real_logits, real_features = discriminator(
        batch["image"], conditioning(discriminator, batch["label"]),
        training=True)
    fake_logits, fake_features = discriminator(
        fake, conditioning(discriminator, fake_labels(batch)), training=True)
    return real_logits, real_features, fake_logits, fake_features

  def discriminator_loss(self, discriminator, batch, fake) -> LossOutput:
    real_logits, _, fake_logits, _ = self.discriminator_logits(
        discriminator, batch, fake)
    loss_real, loss_fake = self.loss.discriminator_fn(real_logits, fake_logits)
    return LossOutput(
        terms={"real": loss_real, "fake": loss_fake},
        stats=self.score_stats(real_logits, fake_logits))

  def generator_loss(self, discriminator, batch, fake) -> LossOutput:
    labels = conditioning(discriminator, fake_labels(batch))
    fake_logits, _ = discriminator(fake, labels, training=True)
    return LossOutput(terms={"adversarial": self.loss.generator_fn(fake_logits)})

  @staticmethod
  def score_stats(real_logits, fake_logits) -> dict[str, tf.Tensor]:
    """Mean logits and mean sigmoid scores s_r, s_f of the two batches."""
    return {
        "real_logit": tf.reduce_mean(real_logits),
        "fake_logit": tf.reduce_mean(fake_logits),
        "s_real": tf.reduce_mean(tf.sigmoid(real_logits)),
        "s_fake": tf.reduce_mean(tf.sigmoid(fake_logits)),
    }

  def describe(self) -> str:
    return f"adversarial loss {self.loss.name!r}"
