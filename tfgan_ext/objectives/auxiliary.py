"""Auxiliary classifier objectives: MHGAN, ACGAN and MHShared.

D minimizes L_real + L_fake + aux_d_weight * L_aux and G minimizes
L_G + aux_g_weight * L_G_aux, where L_aux is a classification loss (the
multi-hinge of MHGAN or ACGAN's cross-entropy) on class scores C(x). The
scores come from one of two classifiers on D's penultimate features h:

* a head (`critic="projection"`): an extra spectrally normalized dense
  layer with one output per class, owned by this objective (MHGAN, ACGAN);
* the projection table itself (`critic="shared"`, MHShared): C_k(x) =
  <h, SN(E)_k>, D's own `class_scores`, so no variables are added.

By default the D aux term covers the real and the generated batch (fakes are
classified into the class they were generated for): it is the *sum* of the
classifier's batch-mean loss on the real half and on the generated half,
times aux_d_weight, as in the public MHGAN code (loss_on_generated +
loss_on_real, weight 1.0). With `on_fake=False` it is the real term only
(MHGAN's eq. 4).
"""

from __future__ import annotations

import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.losses import AdversarialLoss, ClassificationLoss
from tfgan_ext.nn.spectral import SNDense
from tfgan_ext.objectives.adversarial import AdversarialObjective, conditioning
from tfgan_ext.objectives.base import Batch, LossOutput, fake_labels


def batch_accuracy(class_scores: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
  """Fraction of rows whose highest score is at the label."""
  predicted = tf.argmax(class_scores, axis=1, output_type=tf.int32)
  return tf.reduce_mean(tf.cast(
      tf.equal(predicted, tf.cast(labels, tf.int32)), tf.float32))


class AuxiliaryObjective(AdversarialObjective):
  """Adversarial loss plus an auxiliary classification loss (see module)."""

  requires_labels = True
  discriminator_terms = ("real", "fake", "aux")

  def __init__(self, loss: AdversarialLoss, classifier: ClassificationLoss,
               num_classes: int, *, d_weight: float = 1.0,
               g_weight: float = 0.1, on_fake: bool = True,
               shared: bool = False, name: str = "objective"):
    super().__init__(loss, name=name)
    self.classifier = classifier
    self.num_classes = num_classes
    self.d_weight = d_weight
    self.g_weight = g_weight
    self.on_fake = on_fake
    self.shared = shared
    self.head = None

  def build(self, discriminator) -> None:
    """Creates the head from `discriminator.feature_dim` (not when shared)."""
    if getattr(discriminator, "num_classes", 0) < 1:
      raise InputError(
          f"{self.describe()} needs a class-conditional discriminator; this "
          "one is unconditional. Train on labelled data with num_classes > 0.")
    if self.shared:
      if not hasattr(discriminator, "class_scores"):
        raise InputError(
            f"--critic shared needs a projection discriminator with "
            f"class_scores; {type(discriminator).__name__} has none. Use "
            "--critic projection.")
      return
    if self.head is None:
      self.head = SNDense(self.num_classes, name="aux_head")
      self.head.build((None, int(discriminator.feature_dim)))

  @property
  def discriminator_variables(self):
    return [] if self.head is None else list(self.head.trainable_variables)

  def class_scores(self, discriminator, features: tf.Tensor,
                   training: bool = False) -> tf.Tensor:
    """C(x) for every class, [B, classes]. `training` updates the head's
    spectral-norm state (do it once per step); the shared table was already
    refreshed by D's own call, so it is always read without updating."""
    if self.shared:
      return discriminator.class_scores(features, training=False)
    return self.head(features, training=training)

  def classifier_loss(self, scores: tf.Tensor, labels: tf.Tensor) -> tf.Tensor:
    return self.classifier.fn(scores, labels)

  def aux_discriminator_terms(self, discriminator, real_features, fake_features,
                              labels, generated_labels
                              ) -> tuple[tf.Tensor, dict]:
    """(weighted D aux term, its stats) for the real batch (targets
    `labels`) and the generated one (targets `generated_labels`, the classes
    G was given)."""
    real_scores = self.class_scores(discriminator, real_features, training=True)
    fake_scores = self.class_scores(discriminator, fake_features)
    aux_real = self.classifier_loss(real_scores, labels)
    aux_fake = self.classifier_loss(fake_scores, generated_labels)
    aux = aux_real + aux_fake if self.on_fake else aux_real
    stats = {"aux_real_loss": aux_real, "aux_fake_loss": aux_fake,
             "aux_real_accuracy": batch_accuracy(real_scores, labels),
             "aux_fake_accuracy": batch_accuracy(fake_scores,
                                                 generated_labels)}
    return self.d_weight * aux, stats

  def discriminator_loss(self, discriminator, batch: Batch,
                         fake: tf.Tensor) -> LossOutput:
    real_logits, real_h, fake_logits, fake_h = self.discriminator_logits(
        discriminator, batch, fake)
    loss_real, loss_fake = self.loss.discriminator_fn(real_logits, fake_logits)
    aux, aux_stats = self.aux_discriminator_terms(
        discriminator, real_h, fake_h, batch["label"], fake_labels(batch))
    stats = self.score_stats(real_logits, fake_logits)
    stats.update(aux_stats)
    return LossOutput(terms={"real": loss_real, "fake": loss_fake, "aux": aux},
                      stats=stats)

  def generator_loss(self, discriminator, batch: Batch,
                     fake: tf.Tensor) -> LossOutput:
    labels = fake_labels(batch)
    fake_logits, fake_h = discriminator(
        fake, conditioning(discriminator, labels), training=True)
    scores = self.class_scores(discriminator, fake_h)
    aux = self.classifier_loss(scores, labels)
    return LossOutput(
        terms={"adversarial": self.loss.generator_fn(fake_logits),
               "aux": self.g_weight * aux},
        stats={"aux_loss": aux, "aux_accuracy": batch_accuracy(scores, labels)})

  def describe(self) -> str:
    source = ("the projection table (MHShared, no head)" if self.shared
              else "an SN dense head")
    images = ("real and generated images" if self.on_fake
              else "real images only")
    return (f"adversarial loss {self.loss.name!r} + {self.classifier.name} "
            f"auxiliary classifier on {source}; D aux weight {self.d_weight:g} "
            f"on {images}, G aux weight {self.g_weight:g}")
