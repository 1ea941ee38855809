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
  got = block(x, training=False).numpy()

  def weight(conv):  # Normalized 1x1 kernel as an [in, out] matrix.
    w = conv.kernel.numpy()[0, 0]
    return w / max(float(conv.spectral_norm()), 1.0)

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
