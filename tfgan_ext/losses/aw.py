"""Adaptive weights of the aw-loss (Zadorozhnyy et al., Algorithm 1).

L_D^aw = w_r L_r + w_f L_f (eq. 2), with w_r, w_f recomputed every D step from
the gradients g_r, g_f of the real and fake parts with respect to all of D's
variables (flattened together) and the mean sigmoid scores s_r, s_f.

The paper states Algorithm 1 for losses that D *ascends*; this library
minimizes their negatives. Every quantity used (<g_r, g_f>, ||g_r||, ||g_f||)
is unchanged when both gradients flip sign, so the descent gradients of the
minimized parts can be passed as they are.

Branches (`case`), with obtuse meaning <g_r, g_f> < 0 (angle > 90 degrees):

  favour real:  s_r < s_f - delta  or  s_r < alpha1
    1 obtuse  w_r = 1/|g_r|                 w_f = -<g_r,g_f> / (|g_f|^2 |g_r|)
    2 acute   w_r = 1/|g_r|                 w_f = 0
  favour fake:  otherwise, if s_r > s_f - delta  and  s_r > alpha2
    3 obtuse  w_r = -<g_r,g_f> / (|g_r|^2 |g_f|)   w_f = 1/|g_f|
    4 acute   w_r = 0                       w_f = 1/|g_f|
  otherwise:
    5 bisector  w_r = 1/|g_r|               w_f = 1/|g_f|

epsilon is then added to both weights. Case 1 trains along the component of
g_r orthogonal to g_f (Theorem 2, case 2), case 3 along the component of g_f
orthogonal to g_r. With `normalized=False` (the paper's ablation, "Algorithm
2" of the public code) every 1/|g| factor above becomes 1. As in the public
code, 1e-4 is added to both squared norms |g_r|^2 and |g_f|^2 (never to the
cross term) to avoid division by zero; at <g_r, g_f> = 0 the obtuse and acute
formulas give the same weights, so the tie rule only affects `case`.

Under `tf.distribute` the functions run per replica on whatever they are
given; pass all-reduced (mean) gradients and scores so that every replica
picks the same branch and weights.
"""

from __future__ import annotations

from typing import Sequence

import tensorflow as tf

from tfgan_ext import tensor_utils

TensorLike = tf.types.experimental.TensorLike
Gradients = Sequence[tf.Tensor | tf.IndexedSlices | None]
SQUARED_NORM_OFFSET = 1e-4


def _dense(g: tf.Tensor | tf.IndexedSlices) -> tf.Tensor:
  return tf.cast(tensor_utils.to_dense(g), tf.float32)


def _paired_dense(grads_real: Gradients, grads_fake: Gradients
                  ) -> tuple[list[tf.Tensor], list[tf.Tensor]]:
  """Dense float32 pairs; a None beside a gradient counts as zeros."""
  if len(grads_real) != len(grads_fake):
    raise ValueError(f"Gradient lists differ in length: {len(grads_real)} "
                     f"vs {len(grads_fake)}.")
  real, fake = [], []
  for g_r, g_f in zip(grads_real, grads_fake):
    if g_r is None and g_f is None:
      continue
    g_r = None if g_r is None else _dense(g_r)
    g_f = None if g_f is None else _dense(g_f)
    real.append(tf.zeros_like(g_f) if g_r is None else g_r)
    fake.append(tf.zeros_like(g_r) if g_f is None else g_f)
  if not real:
    raise ValueError("aw weights need at least one non-None gradient.")
  return real, fake


def mean_score(logits: TensorLike) -> tf.Tensor:
  """s = mean sigmoid(D(.)) over a batch of logits (Algorithm 1, line 4).

  `logits`: D's logits, any shape ([B] or [B, 1]); returns a float32 scalar
  (s_r for the real batch, s_f for the generated one).
  """
  return tf.reduce_mean(tf.sigmoid(tf.cast(tf.convert_to_tensor(logits),
                                           tf.float32)))


def aw_weights_and_case(grads_real: Gradients, grads_fake: Gradients,
                        s_real: TensorLike, s_fake: TensorLike, *,
                        alpha1: float = 0.5, alpha2: float = 0.75,
                        delta: float = 0.05, epsilon: float = 0.05,
                        normalized: bool = True
                        ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
  """Returns (w_real, w_fake, case) of Algorithm 1; see the module docstring.

  Zadorozhnyy et al., "Adaptive Weighted Discriminator for Training
  Generative Adversarial Networks", Algorithm 1; the weights of eq. 2.

  Args:
    grads_real, grads_fake: per-variable gradients of L_r and L_f for the same
      variable list, each entry a dense tensor of the variable's shape, a
      `tf.IndexedSlices` (densified here: the norms need every entry) or
      None (zeros; both None: the variable is skipped).
    s_real, s_fake: mean sigmoid of D's logits on the real / fake batch
      (`mean_score`), scalars.
    alpha1, alpha2, delta, epsilon: the paper's thresholds and offset,
      defaults 0.5, 0.75, 0.05 and 0.05.
    normalized: True for Algorithm 1's unit-norm weights; False for the
      un-normalized ablation.
  Returns:
    float32 scalar weights (gradient-stopped) and the int32 branch id 1..5.
  """
  g_r, g_f = _paired_dense(grads_real, grads_fake)
  rr = tensor_utils.global_dot(g_r, g_r) + SQUARED_NORM_OFFSET
  ff = tensor_utils.global_dot(g_f, g_f) + SQUARED_NORM_OFFSET
  rf = tensor_utils.global_dot(g_r, g_f)
  if normalized:
    inv_r, inv_f = tf.math.rsqrt(rr), tf.math.rsqrt(ff)
  else:
    inv_r = inv_f = tf.constant(1.0)
  zero = tf.constant(0.0)
  w_r_cases = tf.stack([inv_r, inv_r, -rf / rr * inv_f, zero, inv_r])
  w_f_cases = tf.stack([-rf / ff * inv_r, zero, inv_f, inv_f, inv_f])

  s_r = tf.cast(tf.convert_to_tensor(s_real), tf.float32)
  s_f = tf.cast(tf.convert_to_tensor(s_fake), tf.float32)
  favour_real = (s_r < s_f - delta) | (s_r < alpha1)
  favour_fake = (s_r > s_f - delta) & (s_r > alpha2)
  obtuse = rf < 0.0
  case = tf.where(
      favour_real, tf.where(obtuse, 1, 2),
      tf.where(favour_fake, tf.where(obtuse, 3, 4), 5))
  case = tf.cast(case, tf.int32)
  w_real = tf.stop_gradient(tf.gather(w_r_cases, case - 1) + epsilon)
  w_fake = tf.stop_gradient(tf.gather(w_f_cases, case - 1) + epsilon)
  return w_real, w_fake, tf.stop_gradient(case)


def aw_weights(grads_real: Gradients, grads_fake: Gradients,
               s_real: TensorLike, s_fake: TensorLike, *,
               alpha1: float = 0.5, alpha2: float = 0.75, delta: float = 0.05,
               epsilon: float = 0.05, normalized: bool = True
               ) -> tuple[tf.Tensor, tf.Tensor]:
  """(w_real, w_fake) of Algorithm 1 (Zadorozhnyy et al.), float32 scalars;
  arguments and defaults as `aw_weights_and_case`."""
  w_real, w_fake, _ = aw_weights_and_case(
      grads_real, grads_fake, s_real, s_fake, alpha1=alpha1, alpha2=alpha2,
      delta=delta, epsilon=epsilon, normalized=normalized)
  return w_real, w_fake


def combine_gradients(grads_real: Gradients, grads_fake: Gradients,
                      w_real: TensorLike, w_fake: TensorLike
                      ) -> list[tf.Tensor | tf.IndexedSlices | None]:
  """Per-variable w_r g_r + w_f g_f, the gradient of eq. 2 (Zadorozhnyy et
  al.: L_D^aw = w_r L_r + w_f L_f).

  Args:
    grads_real, grads_fake: equal-length lists; each entry a tensor of its
      variable's shape, a `tf.IndexedSlices` or None.
    w_real, w_fake: scalar weights (`aw_weights`).
  Returns:
    One entry per variable. A None side contributes nothing; None when both
    are None. Two IndexedSlices stay sparse (their slices are concatenated;
    duplicate rows sum when applied or densified); an IndexedSlices beside a
    dense tensor is densified.
  """
  if len(grads_real) != len(grads_fake):
    raise ValueError(f"Gradient lists differ in length: {len(grads_real)} "
                     f"vs {len(grads_fake)}.")
  w_real = tf.convert_to_tensor(w_real)
  w_fake = tf.convert_to_tensor(w_fake)
  combined = []
  for g_r, g_f in zip(grads_real, grads_fake):
    if g_r is None or g_f is None:
      present = g_f if g_r is None else g_r
      combined.append(None if present is None else
                      tensor_utils.scale(present,
                                         w_fake if g_r is None else w_real))
      continue
    a, b = tensor_utils.scale(g_r, w_real), tensor_utils.scale(g_f, w_fake)
    if isinstance(a, tf.IndexedSlices) and isinstance(b, tf.IndexedSlices):
      combined.append(tf.IndexedSlices(
          tf.concat([a.values, b.values], axis=0),
          tf.concat([a.indices, b.indices], axis=0), a.dense_shape))
    else:
      combined.append(tensor_utils.to_dense(a) + tensor_utils.to_dense(b))
  return combined
