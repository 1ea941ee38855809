"""Semi-supervised MHGAN-SSL / ACGAN-SSL (MHGAN eq. 8 and 9).

Unlabelled images x_u go through the projection discriminator with the
co-trained classifier's pseudo-label y~ = argmax_k C_k(x_u):

  L_D = (L_real + L_unlab) / 2 + L_fake + L_aux,   L_unlab = real part of the
  adversarial loss on D(x_u, y~); no classification target for x_u.

The pseudo-labelled logits use that a projection D is linear in the class
embedding: D(x, k) = D(x, 0) - P_0(x) + P_k(x), with P = `class_scores`. One
pass of x_u through D therefore gives D(x_u, y~) for whatever y~ the
classifier picks. That pass runs with training=False: it reads the
spectral-norm state the real batch's pass has just refreshed (gradients
still flow) so that P and D(x, 0) use the same normalized table.
"""

from __future__ import annotations

import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.objectives.auxiliary import AuxiliaryObjective
from tfgan_ext.objectives.base import (UNLABELLED_IMAGE, Batch, LossOutput,
                                       fake_labels)


def pseudo_labelled_logits(discriminator, images: tf.Tensor, classifier_fn
                           ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
  """Returns (D(x, y~) [B], y~ [B], features [B, F]) with y~ = argmax of
  `classifier_fn(features)` (no gradient flows through the argmax)."""
  anchor = tf.zeros([tf.shape(images)[0]], tf.int32)
  anchor_logits, features = discriminator(images, anchor, training=False)
  projection = discriminator.class_scores(features, training=False)
  pseudo = tf.argmax(tf.stop_gradient(classifier_fn(features)), axis=1,
                     output_type=tf.int32)
  logits = (anchor_logits
            - tf.gather(projection, anchor, axis=1, batch_dims=1)
            + tf.gather(projection, pseudo, axis=1, batch_dims=1))
  return logits, pseudo, features


class SemiSupervisedObjective(AuxiliaryObjective):
  """AuxiliaryObjective whose D also sees pseudo-labelled unlabelled images.

  The "real" term is (L_real + L_unlab) / 2, so aw-loss treats both kinds of
  real images as its real part.
  """

  requires_unlabelled = True

  def build(self, discriminator) -> None:
    super().build(discriminator)
    if not hasattr(discriminator, "class_scores"):
      raise InputError(
          f"--ssl needs a projection discriminator with class_scores; "
          f"{type(discriminator).__name__} has none.")

  def discriminator_loss(self, discriminator, batch: Batch,
                         fake: tf.Tensor) -> LossOutput:
    real_logits, real_h, fake_logits, fake_h = self.discriminator_logits(
        discriminator, batch, fake)
    unlab_logits, _, _ = pseudo_labelled_logits(
        discriminator, batch[UNLABELLED_IMAGE],
        lambda h: self.class_scores(discriminator, h))
    loss_real, loss_fake = self.loss.discriminator_fn(real_logits, fake_logits)
    loss_unlab, _ = self.loss.discriminator_fn(unlab_logits, fake_logits)
    aux, aux_stats = self.aux_discriminator_terms(
        discriminator, real_h, fake_h, batch["label"], fake_labels(batch))
    stats = self.score_stats(tf.concat([real_logits, unlab_logits], 0),
                             fake_logits)
    stats.update(aux_stats)
    stats.update({"loss_labelled": loss_real, "loss_unlabelled": loss_unlab,
                  "unlabelled_logit": tf.reduce_mean(unlab_logits)})
    return LossOutput(
        terms={"real": (loss_real + loss_unlab) / 2.0, "fake": loss_fake,
               "aux": aux},
        stats=stats)

  def describe(self) -> str:
    return ("semi-supervised (unlabelled images pseudo-labelled by the "
            "classifier's argmax through the projection): "
            + super().describe())
