"""Input-gradient penalties on D compared in SQD's Table 3 (without lambda).

`gp` is WGAN-GP's (Gulrajani et al.; TF-GAN's `wasserstein_gradient_penalty`
with its defaults: target 1, one interpolation coefficient per sample),
`dragan` Kodali et al.'s, `zero_gp` the zero-centred penalty of Thanh-Tung
et al. and `lipschitz` the one-sided penalty of Petzka et al.

For each sample the gradient g of D at a point x_hat is taken with respect to
x_hat, and ||g|| is the L2 norm over all non-batch axes. Kinds:

* `gp` (WGAN-GP): x_hat = a x + (1 - a) G(z), a ~ U[0, 1) per sample;
  penalty mean (||g|| - 1)^2.
* `dragan`: x_hat = x + 0.5 std(x) u, u ~ U[0, 1) per element, std over the
  whole real batch (the DRAGAN public code's perturbation; SQD's table writes
  a Gaussian delta); penalty mean (||g|| - 1)^2. `fake` is not used.
* `zero_gp` (0-GP): interpolates as `gp`; penalty mean ||g||^2.
* `lipschitz` (one-sided): interpolates as `gp`; mean max(0, ||g|| - 1)^2.

The inner gradient is recorded by any enclosing `tf.GradientTape`, so the
penalty can be differentiated again with respect to D's variables.
"""

from __future__ import annotations

from typing import Callable

import tensorflow as tf

TensorLike = tf.types.experimental.TensorLike
PENALTY_KINDS = ("gp", "dragan", "zero_gp", "lipschitz")
# Keeps sqrt differentiable at a zero gradient; moves a norm by at most 1e-6.
_SQRT_EPS = 1e-12


def _uniform(shape: tf.Tensor, rng: tf.random.Generator | None) -> tf.Tensor:
  if rng is None:
    return tf.random.uniform(shape, dtype=tf.float32)
  return rng.uniform(shape, dtype=tf.float32)


def penalty_points(real: TensorLike, fake: TensorLike, kind: str, *,
                   rng: tf.random.Generator | None = None) -> tf.Tensor:
  """The points x_hat at which `kind` evaluates D's input gradient.

  Args:
    real: real images x, shape [B, ...] (any rank >= 1).
    fake: generated images G(z), the same shape (unused by "dragan").
    kind: one of PENALTY_KINDS (see the module docstring).
    rng: optional `tf.random.Generator` for the random numbers; default the
      global `tf.random` stream.
  Returns:
    float32 points of real's shape.
  """
  if kind not in PENALTY_KINDS:
    raise ValueError(f"Unknown penalty kind {kind!r}; valid kinds: "
                     f"{list(PENALTY_KINDS)}.")
  real = tf.cast(tf.convert_to_tensor(real), tf.float32)
  if kind == "dragan":
    noise = _uniform(tf.shape(real), rng)
    return real + 0.5 * tf.math.reduce_std(real) * noise
  fake = tf.cast(tf.convert_to_tensor(fake), tf.float32)
  # One mixing coefficient per sample, broadcast over the other axes.
  alpha_shape = tf.concat(
      [tf.shape(real)[:1], tf.ones([tf.rank(real) - 1], tf.int32)], axis=0)
  alpha = _uniform(alpha_shape, rng)
  return alpha * real + (1.0 - alpha) * fake


def input_gradient_norms_squared(discriminator_fn: Callable[[tf.Tensor],
                                                            tf.Tensor],
                                 points: tf.Tensor) -> tf.Tensor:
  """Per-sample ||d D(x)/d x||^2 over the non-batch axes, shape [B].

  `discriminator_fn` maps `points` [B, ...] to logits [B] or [B, 1]; a
  point D does not depend on gets 0. Recorded by an enclosing tape.
  """
  with tf.GradientTape() as tape:
    tape.watch(points)
    # Samples are independent, so d(sum_i D(x_i))/d x_j = d D(x_j)/d x_j.
    total = tf.reduce_sum(tf.cast(discriminator_fn(points), tf.float32))
  grads = tape.gradient(total, points,
                        unconnected_gradients=tf.UnconnectedGradients.ZERO)
  flat = tf.reshape(grads, [tf.shape(grads)[0], -1])
  return tf.reduce_sum(tf.square(flat), axis=1)


def gradient_penalty(discriminator_fn: Callable[[tf.Tensor], tf.Tensor],
                     real: TensorLike, fake: TensorLike, kind: str, *,
                     rng: tf.random.Generator | None = None) -> tf.Tensor:
  """Batch-mean penalty of `kind` (module docstring; SQD Table 3, no lambda).

  Args:
    discriminator_fn: images -> logits of shape [B] or [B, 1].
    real, fake: image batches of the same shape (`fake` unused by `dragan`).
    kind: one of PENALTY_KINDS.
    rng: optional generator for the random points; default `tf.random`.
  Returns:
    A float32 scalar (multiply by the weight lambda yourself; SQD and
    WGAN-GP use 10).
  """
  points = penalty_points(real, fake, kind, rng=rng)
  sq_norms = input_gradient_norms_squared(discriminator_fn, points)
  if kind == "zero_gp":
    return tf.reduce_mean(sq_norms)
  norms = tf.sqrt(sq_norms + _SQRT_EPS)
  if kind == "lipschitz":
    return tf.reduce_mean(tf.square(tf.nn.relu(norms - 1.0)))
  return tf.reduce_mean(tf.square(norms - 1.0))
