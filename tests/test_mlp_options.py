"""The MLP options for the unrolled-GAN paper's mixture networks, and the
radius-2 ring of 8 (tfgan_ext.models.small, tfgan_ext.data.mixtures)."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext.data.mixtures import mixture_centers, sample_mixture
from tfgan_ext.errors import InputError
from tfgan_ext.models import ModelConfig, build_models
from tfgan_ext.models.small import MlpDiscriminator, MlpGenerator


def _build(net, dim):
  x = tf.zeros([1, dim])
  net(x) if isinstance(net, MlpDiscriminator) else net(x, None)
  return net


def test_orthogonal_gain_initializes_scaled_orthogonal_kernels():
  g = _build(MlpGenerator(2, hidden=16, depth=2, z_dim=16,
                          orthogonal_gain=0.8), 16)
  square = g.hidden[1].kernel.numpy()  # 16 x 16
  np.testing.assert_allclose(square.T @ square, 0.64 * np.eye(16), atol=1e-5)
  tall = g.out.kernel.numpy()  # 16 x 2: orthogonal columns
  np.testing.assert_allclose(tall.T @ tall, 0.64 * np.eye(2), atol=1e-5)
  assert not np.any(g.hidden[0].bias.numpy())
  # Gain 0 keeps Glorot uniform: entries within its limit, not orthogonal.
  glorot = _build(MlpGenerator(2, hidden=16, depth=2, z_dim=16), 16)
  k = glorot.hidden[1].kernel.numpy()
  assert np.abs(k).max() <= np.sqrt(6.0 / 32) + 1e-6
  assert not np.allclose(k.T @ k, (k.T @ k)[0, 0] * np.eye(16), atol=1e-2)


def test_discriminator_relu_depth_and_input_scale():
  tf.keras.utils.set_random_seed(0)
  d = _build(MlpDiscriminator(hidden=4, depth=1, activation="relu",
                              input_scale=0.25, spectral_norm=False), 2)
  assert len(d.hidden) == 1
  x = np.array([[2.0, -1.0], [0.5, 3.0]], np.float32)
  w, b = d.hidden[0].kernel.numpy(), d.hidden[0].bias.numpy()
  w_out = d.head.linear.kernel.numpy()
  b_out = d.head.linear.bias.numpy()
  h = np.maximum(0.0, (x / 4.0) @ w + b)  # Independent forward pass.
  logits, features = d(x)
  np.testing.assert_allclose(features.numpy(), h, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(logits.numpy(), (h @ w_out + b_out)[:, 0],
                             rtol=1e-5, atol=1e-6)


def test_model_config_builds_the_options_and_defaults_are_unchanged():
  c = ModelConfig(architecture="mlp", channels=2, z_dim=4, gf=8, df=8,
                  spectral_norm=False, mlp_g_layers=3, mlp_d_layers=1,
                  mlp_d_activation="relu", mlp_d_input_scale=0.25,
                  mlp_orthogonal_gain=0.8)
  g, d = build_models(c)
  assert len(g.hidden) == 3 and len(d.hidden) == 1
  assert d.activation == "relu" and d.input_scale == 0.25
  g0, d0 = build_models(ModelConfig(architecture="mlp", channels=2))
  assert len(g0.hidden) == 2 and len(d0.hidden) == 2
  assert d0.activation == "leaky_relu" and d0.input_scale == 1.0


@pytest.mark.parametrize("kwargs, match", [
    (dict(mlp_d_layers=0), "at least one hidden layer"),
    (dict(mlp_d_activation="tanh"), "activation"),
    (dict(mlp_orthogonal_gain=-1.0), "gain"),
    (dict(mlp_d_input_scale=0.0), "input scale"),
    (dict(mlp_orthogonal_gain=0.8, spectral_norm=True), "spectral_norm"),
])
def test_bad_mlp_options_raise(kwargs, match):
  kwargs = {"spectral_norm": False, **kwargs}
  with pytest.raises(InputError, match=match):
    build_models(ModelConfig(architecture="mlp", channels=2, **kwargs))


def test_ring8_r2_has_radius_two():
  centers, std = mixture_centers("ring8_r2")
  np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0)
  np.testing.assert_allclose(centers, 2.0 * mixture_centers("ring8")[0])
  assert std == 0.02
  points, modes = sample_mixture("ring8_r2", 4000, seed=1)
  err = points - centers[modes]
  assert abs(err.std() - 0.02) < 0.002
