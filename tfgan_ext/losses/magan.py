"""MAGAN: margin adaptation for auto-encoder GANs (Wang et al., 2017).

Wang, Cully, Chang and Demiris, "MAGAN: Margin Adaptation for Generative
Adversarial Networks". With a fixed margin the losses are EBGAN's (Zhao et
al.).

D is an auto-encoder and the energy of x is its reconstruction error. Losses
follow eq. 3-4; the margin rule is line 23 of Algorithm 1 and the convergence
measure eq. 9. All functions accept Python floats, NumPy arrays or tensors
and return float32 tensors (`float(t)` gives a Python number in eager mode).
"""

from __future__ import annotations

import tensorflow as tf

TensorLike = tf.types.experimental.TensorLike


def _f32(x: TensorLike) -> tf.Tensor:
  return tf.cast(tf.convert_to_tensor(x), tf.float32)


def reconstruction_energy(x: TensorLike, x_reconstructed: TensorLike
                          ) -> tf.Tensor:
  """Per-sample sum of squared errors over non-batch axes, shape [B].

  The energy D(x) of MAGAN's eq. 1 for an auto-encoder D. Eq. 1 writes a
  norm; like the public code we use the squared-error sum.

  Args:
    x: inputs, shape [B, ...].
    x_reconstructed: D's reconstruction, the same shape.
  Returns:
    float32 energies, shape [B].
  """
  diff = _f32(x_reconstructed) - _f32(x)
  flat = tf.reshape(diff, [tf.shape(diff)[0], -1])
  return tf.reduce_sum(tf.square(flat), axis=1)


def magan_discriminator_loss(real_energy: TensorLike, fake_energy: TensorLike,
                             margin: TensorLike
                             ) -> tuple[tf.Tensor, tf.Tensor]:
  """(mean D(x), mean max(0, m - D(G(z)))), the two terms of eq. 3.

  Args:
    real_energy: energies D(x) of the real batch, shape [B].
    fake_energy: energies D(G(z)) of the generated batch, shape [B'].
    margin: the margin m, a scalar (0 while MAGAN pre-trains D).
  Returns:
    (loss_real, loss_fake): float32 scalars; D minimizes their sum.
  """
  return (tf.reduce_mean(_f32(real_energy)),
          tf.reduce_mean(tf.nn.relu(_f32(margin) - _f32(fake_energy))))


def magan_generator_loss(fake_energy: TensorLike) -> tf.Tensor:
  """mean D(G(z)), eq. 4: G's loss. `fake_energy`: [B]; a float32 scalar."""
  return tf.reduce_mean(_f32(fake_energy))


def margin_update_condition(margin: TensorLike, real_energy: TensorLike,
                            fake_energy: TensorLike,
                            prev_fake_energy: TensorLike) -> tf.Tensor:
  """Bool: E_r < m and E_r < E_f and E_f > E_f(previous epoch) (Alg. 1, l. 23).

  All arguments are scalars; energies are epoch means (S_r / N, S_f / N in
  MAGAN's Algorithm 1). Returns a bool scalar tensor. Use prev_fake_energy = inf for the first epoch
  after pre-training (the algorithm's S_f^0 = infinity), so it never fires.
  """
  m, e_r = _f32(margin), _f32(real_energy)
  e_f, e_f_prev = _f32(fake_energy), _f32(prev_fake_energy)
  return (e_r < m) & (e_r < e_f) & (e_f > e_f_prev)


def update_margin(margin: TensorLike, real_energy: TensorLike,
                  fake_energy: TensorLike,
                  prev_fake_energy: TensorLike) -> tf.Tensor:
  """New margin: E_r when `margin_update_condition` holds, else `margin`.

  MAGAN's Algorithm 1, line 23, called once per epoch after pre-training
  (which sets the first margin to the mean real energy). Scalar arguments
  as `margin_update_condition`.

  Returns a float32 scalar tensor whatever the input types. The margin never
  rises (it moves only to a value below itself); NaN energies leave it as is.
  """
  condition = margin_update_condition(margin, real_energy, fake_energy,
                                      prev_fake_energy)
  return tf.where(condition, _f32(real_energy), _f32(margin))


def convergence_measure(real_energy: TensorLike,
                        fake_energy: TensorLike) -> tf.Tensor:
  """L = E_r + |E_r - E_f| of epoch-mean energies, eq. 9.

  MAGAN's convergence measure (lower is better); scalar epoch means in, a
  float32 scalar out.
  """
  e_r = _f32(real_energy)
  return e_r + tf.abs(e_r - _f32(fake_energy))
