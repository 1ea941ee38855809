"""Per-element terms of the adversarial and auxiliary losses, unreduced.

The batch-mean losses of `adversarial` and `classification` are the means of
these terms; `tfgan_ext.tfgan` weights and reduces the same terms with
TF-GAN's `weights` / `reduction` semantics. Every function keeps its input's
shape and dtype (the callers decide on float32), accepts any rank (PatchGAN
outputs [B, ...] included) and returns non-reduced tensors.

Discriminator terms return `(real_terms, fake_terms)`, each minimized;
generator terms return one tensor. Inputs are logits D(.) (the raw output of
D, before any sigmoid).
"""

from __future__ import annotations

import tensorflow as tf

TensorLike = tf.types.experimental.TensorLike


def _tensor(x: TensorLike) -> tf.Tensor:
  return tf.convert_to_tensor(x)


def hinge_discriminator_terms(real_logits: TensorLike, fake_logits: TensorLike,
                              real_margin: TensorLike = 1.0,
                              fake_margin: TensorLike = 1.0
                              ) -> tuple[tf.Tensor, tf.Tensor]:
  """(max(0, m_r - D(x)), max(0, m_f + D(G(z)))), elementwise.

  The hinge loss of Lim & Ye / Miyato et al. (SAGAN's D loss); TF-GAN's
  `wasserstein_hinge_discriminator_loss` calls the margins `real_hinge` and
  `generated_hinge` (default 1, 1).
  """
  real, fake = _tensor(real_logits), _tensor(fake_logits)
  return (tf.nn.relu(tf.cast(real_margin, real.dtype) - real),
          tf.nn.relu(tf.cast(fake_margin, fake.dtype) + fake))


def hinge_generator_terms(fake_logits: TensorLike) -> tf.Tensor:
  """-D(G(z)), elementwise (the hinge loss's and WGAN's generator term)."""
  return -_tensor(fake_logits)


def nonsaturating_discriminator_terms(real_logits: TensorLike,
                                      fake_logits: TensorLike
                                      ) -> tuple[tf.Tensor, tf.Tensor]:
  """(-log sigma(D(x)), -log(1 - sigma(D(G(z))))) = (softplus(-D(x)),
  softplus(D(G(z)))), elementwise: the binary cross-entropy of D's logits
  against labels 1 (real) and 0 (fake), stable for any logit."""
  return tf.nn.softplus(-_tensor(real_logits)), tf.nn.softplus(
      _tensor(fake_logits))


def nonsaturating_generator_terms(fake_logits: TensorLike) -> tf.Tensor:
  """-log sigma(D(G(z))) = softplus(-D(G(z))), elementwise."""
  return tf.nn.softplus(-_tensor(fake_logits))


def minimax_generator_terms(fake_logits: TensorLike) -> tf.Tensor:
  """log(1 - sigma(D(G(z)))) = -softplus(D(G(z))), elementwise (saturating)."""
  return -tf.nn.softplus(_tensor(fake_logits))


def sigmoid_cross_entropy_terms(logits: TensorLike,
                                label: TensorLike) -> tf.Tensor:
  """Binary cross-entropy of `logits` against a (soft) label z in [0, 1].

  -z log sigma(x) - (1 - z) log(1 - sigma(x)), written as the mix
  z * softplus(-x) + (1 - z) * softplus(x) of the two non-saturating terms
  (both non-negative, so the sum loses no precision). `label` broadcasts
  against `logits`.
  """
  x = _tensor(logits)
  z = tf.cast(label, x.dtype)
  positive, negative = nonsaturating_discriminator_terms(x, x)
  return z * positive + (1.0 - z) * negative


def least_squares_discriminator_terms(real_logits: TensorLike,
                                      fake_logits: TensorLike,
                                      real_label: TensorLike = 1.0,
                                      fake_label: TensorLike = 0.0
                                      ) -> tuple[tf.Tensor, tf.Tensor]:
  """((D(x) - a)^2, (D(G(z)) - b)^2), elementwise, with targets a (real,
  default 1) and b (fake, default 0): LSGAN (Mao et al.) without its 1/2."""
  real, fake = _tensor(real_logits), _tensor(fake_logits)
  return (tf.math.squared_difference(real, tf.cast(real_label, real.dtype)),
          tf.math.squared_difference(fake, tf.cast(fake_label, fake.dtype)))


def least_squares_generator_terms(fake_logits: TensorLike,
                                  real_label: TensorLike = 1.0) -> tf.Tensor:
  """(D(G(z)) - c)^2, elementwise, with the generator's target c (default 1)."""
  fake = _tensor(fake_logits)
  return tf.math.squared_difference(fake, tf.cast(real_label, fake.dtype))


def wasserstein_discriminator_terms(real_logits: TensorLike,
                                    fake_logits: TensorLike
                                    ) -> tuple[tf.Tensor, tf.Tensor]:
  """(-D(x), D(G(z))), elementwise: the critic's terms (Arjovsky et al.)."""
  return -_tensor(real_logits), _tensor(fake_logits)


def wasserstein_generator_terms(fake_logits: TensorLike) -> tf.Tensor:
  """-D(G(z)), elementwise."""
  return -_tensor(fake_logits)


def softmax_cross_entropy_terms(class_logits: TensorLike,
                                labels: TensorLike) -> tf.Tensor:
  """Per-example softmax cross-entropy of class logits [..., K], shape [...].

  `labels` are either int class ids of shape [...] or (soft) label
  distributions of the logits' shape [..., K] (one-hot, or smoothed); the
  rank decides. ACGAN's auxiliary term (Odena et al.).
  """
  logits = _tensor(class_logits)
  labels = _tensor(labels)
  if labels.shape.rank is not None and labels.shape.rank == logits.shape.rank:
    return tf.nn.softmax_cross_entropy_with_logits(
        labels=tf.stop_gradient(tf.cast(labels, logits.dtype)), logits=logits)
  return tf.nn.sparse_softmax_cross_entropy_with_logits(
      labels=tf.cast(labels, tf.int32), logits=logits)
