"""Spectral norm, non-local block and conditional batch norm (training
mode; moving statistics: test_batch_norm.py)."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext.nn.attention import NonLocalBlock
from tfgan_ext.nn.normalization import BatchNorm, ConditionalBatchNorm
from tfgan_ext.nn.spectral import SNConv2D, SNDense, SNEmbedding


def _largest_singular_value(matrix):
  return np.linalg.svd(np.asarray(matrix, np.float64), compute_uv=False)[0]


@pytest.mark.parametrize("make_layer, inputs, weight, as_matrix", [
    (lambda: SNDense(7), tf.ones([2, 5]), "kernel",
     lambda w: w),
    (lambda: SNConv2D(6, 3), tf.ones([2, 4, 4, 3]), "kernel",
     lambda w: w.reshape(-1, w.shape[-1])),
    (lambda: SNEmbedding(4, 9), tf.constant([0, 3]), "embeddings",
     lambda w: w.T),
])
def test_power_iteration_converges_to_true_sigma(make_layer, inputs, weight,
                                                 as_matrix):
  layer = make_layer()
  layer(inputs, training=False)
  raw = getattr(layer, weight)
  raw.assign(raw * 5.0)  # Make sure sigma > 1 so normalization applies.
  true_sigma = _largest_singular_value(as_matrix(raw.numpy()))
  for _ in range(200):
    layer(inputs, training=True)
  np.testing.assert_allclose(float(layer.spectral_norm()), true_sigma,
                             rtol=1e-4)
  normalized = raw.numpy() / max(float(layer.spectral_norm()), 1.0)
  np.testing.assert_allclose(_largest_singular_value(as_matrix(normalized)),
                             1.0, rtol=1e-4)


def test_small_weights_are_not_scaled_up():
  layer = SNDense(3, use_bias=False)
  x = tf.constant([[1.0, 2.0]])
  layer(x)
  layer.kernel.assign([[0.1, 0.0, 0.0], [0.0, 0.2, 0.0]])  # sigma = 0.2.
  for _ in range(20):
    out = layer(x, training=True)
  np.testing.assert_allclose(out.numpy(), [[0.1, 0.4, 0.0]], rtol=1e-6)


@pytest.mark.parametrize("equality", [False, True])
def test_equality_constraint_divides_small_weights_too(equality):
  layer = SNConv2D(2, 1, use_bias=False, equality_constrained=equality)
  x = tf.constant([[[[1.0, 2.0]]]])
  layer(x)
  layer.kernel.assign([[[[0.1, 0.0], [0.0, 0.25]]]])  # sigma = 0.25.
  for _ in range(20):
    out = layer(x, training=True)
  expected = [0.4, 2.0] if equality else [0.1, 0.5]  # W / 0.25 or W.
  np.testing.assert_allclose(out.numpy()[0, 0, 0], expected, rtol=1e-5)


def _sn_layers(network):
  return [layer for layer in network._flatten_layers(include_self=False)
          if hasattr(layer, "sn_u")]


def test_only_the_attention_convs_are_equality_constrained():
  from tfgan_ext.models.sagan import SaganDiscriminator, SaganGenerator
  g = SaganGenerator(image_size=8, channels=1, gf=8, z_dim=4, num_classes=2)
  d = SaganDiscriminator(image_size=8, df=8, num_classes=2)
  d(g(tf.zeros([1, 4]), tf.constant([1])), tf.constant([1]))
  for net in (g, d):
    attention = {id(c) for c in (net.attention.theta, net.attention.phi,
                                 net.attention.g, net.attention.out)}
    layers = _sn_layers(net)
    assert attention <= {id(layer) for layer in layers}
    for layer in layers:
      assert layer.equality_constrained == (id(layer) in attention)


def test_power_iteration_vector_is_a_unit_vector_at_creation():
  """|W u| <= sigma_max(W) for a unit u, so an untrained layer never
  overestimates; an unnormalized N(0, 1) start overestimated by about |u|
  (16 for this 3x3 128->256 conv)."""
  conv = SNConv2D(256, 3)
  conv(tf.zeros([1, 4, 4, 128]), training=False)
  np.testing.assert_allclose(np.linalg.norm(conv.sn_u.numpy()), 1.0,
                             rtol=1e-6)
  true_sigma = _largest_singular_value(conv._sn_matrix().numpy())
  assert 0.0 < float(conv.spectral_norm()) <= true_sigma * (1 + 1e-6)


@pytest.mark.parametrize("arch, size", [("sagan", 32), ("sagan", 8),
                                        ("dcgan", 16), ("mlp", 16)])
def test_sigma_estimates_after_build_are_at_most_the_true_norm(arch, size):
  from tfgan_ext.models import ModelConfig, build_models, sample_shape
  config = ModelConfig(arch, image_size=size, channels=2, num_classes=3,
                       z_dim=4, gf=4, df=4)
  g, d = build_models(config)
  labels = tf.constant([0, 2])
  samples = g(tf.random.normal([2, 4], seed=8), labels, training=False)
  assert samples.shape[1:] == sample_shape(config)
  d(samples, labels, training=False)
  layers = _sn_layers(g) + _sn_layers(d)
  assert len(layers) >= (20 if arch == "sagan" else 2)
  for layer in layers:
    np.testing.assert_allclose(np.linalg.norm(layer.sn_u.numpy()), 1.0,
                               rtol=1e-6, err_msg=layer.path)
    true_sigma = _largest_singular_value(layer._sn_matrix().numpy())
    estimate = float(layer.spectral_norm())
    assert 0.0 < estimate <= true_sigma * (1 + 1e-5), layer.path


def test_inference_does_not_update_state():
  layer = SNDense(4)
  x = tf.ones([1, 3])
  layer(x)
  before = layer.sn_u.numpy().copy()
  layer(x, training=False)
  np.testing.assert_array_equal(layer.sn_u.numpy(), before)
  layer(x, training=True)
  assert not np.allclose(layer.sn_u.numpy(), before)


def test_nonlocal_gate_starts_at_zero_and_block_is_identity():
  block = NonLocalBlock()
  x = tf.random.normal([2, 8, 8, 16], seed=1)
  y = block(x, training=True)
  assert float(block.sigma) == 0.0
  np.testing.assert_array_equal(y.numpy(), x.numpy())
  block.sigma.assign(1.0)
  assert np.abs(block(x).numpy() - x.numpy()).max() > 1e-3


def test_nonlocal_matches_slow_reference():
  block = NonLocalBlock()
  x = tf.random.normal([1, 4, 4, 16], seed=2)
  block(x)
  block.sigma.assign(0.7)
  convs = (block.theta, block.phi, block.g, block.out)
  for conv in convs:  # Inside the unit ball: / max(sigma, 1) would not scale.
    conv.kernel.assign(conv.kernel * 0.1)
  assert all(float(conv.spectral_norm()) < 0.5 for conv in convs)
  got = block(x, training=False).numpy()

  def weight(conv):  # Normalized 1x1 kernel as an [in, out] matrix.
    w = conv.kernel.numpy()[0, 0]
    return w / float(conv.spectral_norm())  # Equality-constrained.

  xs = x.numpy()[0]  # [4, 4, 16]
  theta = xs.reshape(16, 16) @ weight(block.theta)

  def pooled(conv):
    m = (xs.reshape(16, 16) @ weight(conv)).reshape(4, 4, -1)
    return np.stack([m[i:i + 2, j:j + 2].reshape(4, -1).max(0)
                     for i in (0, 2) for j in (0, 2)])

  phi, g = pooled(block.phi), pooled(block.g)
  logits = theta @ phi.T
  attn = np.exp(logits - logits.max(1, keepdims=True))
  attn /= attn.sum(1, keepdims=True)
  out = (attn @ g) @ weight(block.out)
  expected = xs + 0.7 * out.reshape(4, 4, 16)
  np.testing.assert_allclose(got[0], expected, rtol=1e-4, atol=1e-5)


def test_conditional_bn_uses_each_class_scale_and_shift():
  bn = ConditionalBatchNorm(3)
  x = tf.random.normal([6, 2, 2, 4], seed=3)
  labels = tf.constant([0, 1, 2, 2, 1, 0])
  bn(x, labels)
  gamma = np.arange(12, dtype=np.float32).reshape(3, 4) + 1.0
  beta = -np.arange(12, dtype=np.float32).reshape(3, 4)
  bn.gamma.assign(gamma)
  bn.beta.assign(beta)
  got = bn(x, labels, training=True).numpy()
  xs = x.numpy().astype(np.float64)
  mean = xs.mean(axis=(0, 1, 2))
  var = xs.var(axis=(0, 1, 2))
  normalized = (xs - mean) / np.sqrt(var + 1e-3)  # TF-GAN's epsilon.
  expected = (normalized * gamma[labels.numpy()][:, None, None, :]
              + beta[labels.numpy()][:, None, None, :])
  np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_batch_norm_trains_with_batch_statistics():
  bn = BatchNorm()
  x = 3.0 + 2.0 * tf.random.normal([64, 3, 3, 5], seed=4)
  y = bn(x, training=True).numpy()
  np.testing.assert_allclose(y.mean(axis=(0, 1, 2)), np.zeros(5), atol=1e-5)
  np.testing.assert_allclose(y.std(axis=(0, 1, 2)), np.ones(5), atol=1e-3)
