"""MAGAN: margin adaptation for auto-encoder GANs (Wang et al., 2017).

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

  Eq. 1 writes a norm; like the public code we use the squared-error sum.
  """
  diff = _f32(x_reconstructed) - _f32(x)
  flat = tf.reshape(diff, [tf.shape(diff)[0], -1])
  return tf.reduce_sum(tf.square(flat), axis=1)


def magan_discriminator_loss(real_energy: TensorLike, fake_energy: TensorLike,
                             margin: TensorLike
                             ) -> tuple[tf.Tensor, tf.Tensor]:
  """(mean D(x), mean max(0, m - D(G(z)))), the two terms of eq. 3."""
  return (tf.reduce_mean(_f32(real_energy)),
          tf.reduce_mean(tf.nn.relu(_f32(margin) - _f32(fake_energy))))


def magan_generator_loss(fake_energy: TensorLike) -> tf.Tensor:
  """mean D(G(z)), eq. 4."""
  return tf.reduce_mean(_f32(fake_energy))


def margin_update_condition(margin: TensorLike, real_energy: TensorLike,
                            fake_energy: TensorLike,
                            prev_fake_energy: TensorLike) -> tf.Tensor:
  """Bool: E_r < m and E_r < E_f and E_f > E_f(previous epoch) (Alg. 1, l. 23).

  Energies are epoch means. Use prev_fake_energy = inf for the first epoch
  after pre-training (the algorithm's S_f^0 = infinity), so it never fires.
  """
  m, e_r = _f32(margin), _f32(real_energy)
  e_f, e_f_prev = _f32(fake_energy), _f32(prev_fake_energy)
  return (e_r < m) & (e_r < e_f) & (e_f > e_f_prev)


def update_margin(margin: TensorLike, real_energy: TensorLike,
                  fake_energy: TensorLike,
                  prev_fake_energy: TensorLike) -> tf.Tensor:
  """New margin: E_r when `margin_update_condition` holds, else `margin`.

  Returns a float32 scalar tensor whatever the input types. The margin never
  rises (it moves only to a value below itself); NaN energies leave it as is.
  """
  condition = margin_update_condition(margin, real_energy, fake_energy,
                                      prev_fake_energy)
  return tf.where(condition, _f32(real_energy), _f32(margin))


def convergence_measure(real_energy: TensorLike,
                        fake_energy: TensorLike) -> tf.Tensor:
  """L = E_r + |E_r - E_f| of epoch-mean energies, eq. 9."""
  e_r = _f32(real_energy)
  return e_r + tf.abs(e_r - _f32(fake_energy))
