"""Adds an input-gradient penalty on D (SQD's GP / DRAGAN / 0-GP / Lipschitz)
to any objective, as an extra discriminator term "penalty" (weight included)."""

from __future__ import annotations

from typing import Sequence

import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.losses import PENALTY_KINDS, gradient_penalty
from tfgan_ext.objectives.adversarial import conditioning
from tfgan_ext.objectives.base import Batch, LossOutput, Objective, fake_labels


class PenalizedObjective(Objective):
  """`inner`'s losses plus weight * gradient_penalty(D, real, fake, kind).

  D is evaluated at the penalty points with training=False (the spectral-norm
  state was refreshed by the inner objective's passes). A conditional D sees
  the real labels at DRAGAN's perturbed real points and the generated
  images' labels (`fake_labels`) at the real-fake interpolates, as TF-GAN's
  gradient penalty conditions them on the generator's inputs. The random
  points come from a `tf.random.Generator` owned here, so they are
  checkpointed.
  """

  def __init__(self, inner: Objective, kind: str, weight: float,
               seed: int = 0, name: str = "objective"):
    super().__init__(name=name)
    if kind not in PENALTY_KINDS:
      raise InputError(f"Unknown penalty {kind!r}; choose none or one of "
                       f"{list(PENALTY_KINDS)}.")
    self.inner = inner
    self.kind = kind
    self.weight = weight
    self.seed = seed
    self.rng = None
    self.requires_labels = inner.requires_labels
    self.requires_unlabelled = inner.requires_unlabelled
    self.discriminator_terms = tuple(inner.discriminator_terms) + ("penalty",)

  def build(self, discriminator) -> None:
    self.inner.build(discriminator)
    if self.rng is None:
      self.rng = tf.random.Generator.from_seed(self.seed)

  @property
  def discriminator_variables(self) -> Sequence[tf.Variable]:
    return self.inner.discriminator_variables

  def callbacks(self):
    return self.inner.callbacks()

  def discriminator_loss(self, discriminator, batch: Batch,
                         fake: tf.Tensor) -> LossOutput:
    out = self.inner.discriminator_loss(discriminator, batch, fake)
    labels = conditioning(discriminator, batch["label"] if self.kind ==
                          "dragan" else fake_labels(batch))

    def logits_fn(images):
      return discriminator(images, labels, training=False)[0]

    penalty = gradient_penalty(logits_fn, batch["image"], fake, self.kind,
                               rng=self.rng)
    terms = dict(out.terms)
    terms["penalty"] = self.weight * penalty
    stats = dict(out.stats)
    stats["penalty_unweighted"] = penalty
    return LossOutput(terms=terms, stats=stats)

  def generator_loss(self, discriminator, batch: Batch,
                     fake: tf.Tensor) -> LossOutput:
    return self.inner.generator_loss(discriminator, batch, fake)

  def describe(self) -> str:
    return f"{self.inner.describe()} + {self.weight:g} x {self.kind} penalty"
