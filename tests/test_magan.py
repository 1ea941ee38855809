"""Tests for tfgan_ext.losses.magan (margin adaptation, losses, energies)."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext.losses import magan

# margin, real energy, fake energy, previous fake energy.
FIRES = (10.0, 5.0, 8.0, 7.0)


def test_margin_lowered_to_real_energy_when_all_conditions_hold():
  new = magan.update_margin(*FIRES)
  assert isinstance(new, tf.Tensor) and new.dtype == tf.float32
  np.testing.assert_allclose(new.numpy(), 5.0)
  np.testing.assert_equal(bool(magan.margin_update_condition(*FIRES)), True)


@pytest.mark.parametrize("args, reason", [
    ((10.0, 11.0, 12.0, 7.0), "real energy above margin"),
    ((10.0, 10.0, 12.0, 7.0), "real energy equal to margin"),
    ((10.0, 5.0, 4.0, 3.0), "real energy above fake energy"),
    ((10.0, 5.0, 5.0, 3.0), "real energy equal to fake energy"),
    ((10.0, 5.0, 8.0, 9.0), "fake energy fell"),
    ((10.0, 5.0, 8.0, 8.0), "fake energy unchanged"),
    ((10.0, 5.0, 8.0, np.inf), "first epoch after pre-training"),
    ((10.0, np.nan, 8.0, 7.0), "NaN real energy"),
])
def test_each_condition_blocks_the_update(args, reason):
  np.testing.assert_allclose(magan.update_margin(*args).numpy(), 10.0,
                             err_msg=reason)
  np.testing.assert_equal(bool(magan.margin_update_condition(*args)), False,
                          err_msg=reason)


def _reference_margins(margin, real, fake):
  """Slow transcription of Algorithm 1, line 23."""
  out, prev = [], np.inf
  for e_r, e_f in zip(real, fake):
    if e_r < margin and e_r < e_f and prev < e_f:
      margin = e_r
    out.append(margin)
    prev = e_f
  return np.array(out)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_margin_never_increases_over_random_sequences(seed):
  rng = np.random.default_rng(seed)
  real = rng.uniform(0.0, 10.0, size=60).astype(np.float32)
  fake = rng.uniform(0.0, 10.0, size=60).astype(np.float32)
  margin, prev, margins = tf.constant(8.0), np.inf, []
  for e_r, e_f in zip(real, fake):
    margin = magan.update_margin(margin, e_r, e_f, prev)
    margins.append(float(margin))
    prev = e_f
  margins = np.array(margins)
  np.testing.assert_array_equal(margins, np.minimum.accumulate(margins))
  expected = _reference_margins(np.float32(8.0), real, fake)
  np.testing.assert_allclose(margins, expected, rtol=0)
  # Non-vacuous: the sequence contains updates.
  np.testing.assert_equal(len(np.unique(expected)) > 1, True)


def test_update_margin_input_types_and_tf_function():
  as_floats = magan.update_margin(*FIRES)
  as_numpy = magan.update_margin(*(np.float64(v) for v in FIRES))
  as_tensors = magan.update_margin(*(tf.constant(v) for v in FIRES))
  graph = tf.function(magan.update_margin)(*(tf.constant(v) for v in FIRES))
  for value in (as_floats, as_numpy, as_tensors, graph):
    assert value.dtype == tf.float32 and value.shape == ()
    np.testing.assert_allclose(value.numpy(), 5.0)
  blocked = tf.function(magan.update_margin)(
      *(tf.constant(v) for v in (10.0, 5.0, 8.0, 9.0)))
  np.testing.assert_allclose(blocked.numpy(), 10.0)


@pytest.mark.parametrize("real, fake, expected", [
    (3.0, 5.0, 5.0), (3.0, 1.0, 5.0), (3.0, 3.0, 3.0), (0.5, 2.0, 2.0)])
def test_convergence_measure(real, fake, expected):
  np.testing.assert_allclose(
      magan.convergence_measure(real, fake).numpy(), expected, rtol=1e-7)


def test_losses_hand_values():
  real = np.array([1.0, 2.0, 3.0])
  fake = np.array([0.5, 2.0, 4.0])
  loss_real, loss_fake = magan.magan_discriminator_loss(real, fake, 2.5)
  # max(0, 2.5 - [0.5, 2, 4]) = [2, 0.5, 0].
  np.testing.assert_allclose(loss_real.numpy(), 2.0, rtol=1e-7)
  np.testing.assert_allclose(loss_fake.numpy(), 2.5 / 3, rtol=1e-6)
  np.testing.assert_allclose(magan.magan_generator_loss(fake).numpy(),
                             6.5 / 3, rtol=1e-6)
  # Pre-training uses m = 0: the fake term vanishes for non-negative energy.
  _, pretrain_fake = magan.magan_discriminator_loss(real, fake, 0.0)
  np.testing.assert_allclose(pretrain_fake.numpy(), 0.0, atol=0)


def test_reconstruction_energy_is_per_sample_sum_of_squares():
  x = np.zeros((2, 2, 2), np.float32)
  x_rec = np.array([[[1.0, 2.0], [0.0, 1.0]], [[-1.0, 0.0], [0.0, 3.0]]])
  energy = magan.reconstruction_energy(x, x_rec)
  assert energy.shape == (2,) and energy.dtype == tf.float32
  np.testing.assert_allclose(energy.numpy(), [6.0, 10.0], rtol=1e-7)
  rng = np.random.default_rng(3)
  a, b = rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 3, 5))
  np.testing.assert_allclose(
      magan.reconstruction_energy(tf.constant(a), b).numpy(),
      [np.sum((a[i] - b[i]) ** 2) for i in range(4)], rtol=1e-5)


def test_magan_mnist_generator_is_the_papers_mnist_g():
  """(128)7c1s-(64)4c2s-(1)4c2s with z 50, no batch norm, tanh output."""
  from tfgan_ext.errors import InputError
  from tfgan_ext.models import ModelConfig, build_models
  from tfgan_ext.models.autoencoder import DeconvGenerator, MlpAutoEncoder
  g, d = build_models(ModelConfig("magan_mnist", image_size=28, channels=1,
                                  num_classes=0, z_dim=50, gf=64, df=256))
  assert isinstance(g, DeconvGenerator) and isinstance(d, MlpAutoEncoder)
  x = g(tf.random.normal([3, 50]), training=True)
  assert x.shape == (3, 28, 28, 1)
  np.testing.assert_array_less(np.abs(x.numpy()), 1.0)
  # Hand-counted: dense 50 -> 7x7x128, 4x4 deconvs 128 -> 64 -> 1.
  sizes = sorted(int(np.prod(v.shape)) for v in g.variables)
  np.testing.assert_array_equal(
      sizes, sorted([50 * 7 * 7 * 128, 7 * 7 * 128, 4 * 4 * 64 * 128, 64,
                     4 * 4 * 1 * 64, 1]))
  d(x)
  assert sum(int(np.prod(v.shape)) for v in d.variables) == (
      784 * 256 + 256 + 256 * 256 + 256 + 256 * 784 + 784)
  with pytest.raises(InputError, match="unconditional"):
    DeconvGenerator(28, 1, 64, 50, num_classes=10)
  with pytest.raises(InputError, match="divisible by 4"):
    DeconvGenerator(30, 1, 64, 50)
