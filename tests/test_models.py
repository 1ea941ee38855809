"""SAGAN and small-model shapes, projection and conditioning."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext.models import ModelConfig, build_models, sample_shape
from tfgan_ext.models.sagan import SaganDiscriminator, SaganGenerator


@pytest.mark.parametrize("size", [8, 16, 32, 64, 128])
@pytest.mark.parametrize("num_classes", [0, 5])
def test_sagan_output_shapes(size, num_classes):
  g = SaganGenerator(image_size=size, channels=3, gf=2, z_dim=8,
                     num_classes=num_classes)
  d = SaganDiscriminator(image_size=size, df=2, num_classes=num_classes)
  labels = tf.constant([0, 4]) if num_classes else None
  images = g(tf.random.normal([2, 8]), labels, training=True)
  assert images.shape == (2, size, size, 3)
  assert float(tf.reduce_max(tf.abs(images))) <= 1.0
  logits, features = d(images, labels, training=True)
  assert logits.shape == (2,)
  assert features.shape == (2, d.feature_dim)


def test_sagan_128_matches_tf_gan_block_widths():
  g = SaganGenerator(image_size=128, channels=3, gf=2, z_dim=8)
  d = SaganDiscriminator(image_size=128, df=2)
  g(tf.zeros([1, 8]))
  d(tf.zeros([1, 128, 128, 3]))
  assert [b.conv2.filters for b in g.blocks] == [32, 16, 8, 4, 2]
  assert [b.channels for b in d.blocks] == [2, 4, 8, 16, 32, 32]
  assert g.attention_after == 2  # After the block that reaches 32x32.
  assert d.attention_after == 1  # After the block that reaches 32x32.


def test_sagan_32_is_the_cifar10_resnet():
  g = SaganGenerator(image_size=32, channels=3, gf=2, z_dim=8)
  d = SaganDiscriminator(image_size=32, df=2)
  x = g(tf.zeros([1, 8]))
  d(x)
  assert g.base_channels == 8
  assert [b.conv2.filters for b in g.blocks] == [8, 8, 8]
  assert g.attention_after == 1 and g.attention.channels == 8  # At 16x16.
  assert [(b.channels, b.downsample) for b in d.blocks] == [
      (4, True), (4, True), (4, False), (4, False)]
  assert [b.shortcut is not None for b in d.blocks] == [True, True, False,
                                                        False]
  assert d.attention_after == 0 and d.attention.channels == 4  # At 16x16.
  assert d.feature_dim == 4


def _trainable_count(model):
  return sum(int(np.prod(v.shape)) for v in model.trainable_variables)


def test_sagan_32_parameter_counts_equal_studiogans_cifar10_sagan():
  """gf = df = 64, z 128, 10 classes; StudioGAN's CIFAR-10 SAGAN has G
  4,386,308 and D 1,075,586 trainable parameters. Its conditional BN maps a
  one-hot label through two bias-free linears (10 x C weights each), as many
  as this project's per-class gamma/beta tables; every conv, G's first
  linear and D's linear have biases in both, the attention convs none."""
  g, d = build_models(ModelConfig("sagan", image_size=32, channels=3,
                                  num_classes=10, z_dim=128, gf=64, df=64))
  labels = tf.constant([3])
  d(g(tf.zeros([1, 128]), labels), labels)
  assert _trainable_count(g) == 4_386_308
  assert _trainable_count(d) == 1_075_586


def test_attention_resolution_moves_the_block_and_defaults_per_size():
  def positions(size, resolution):
    config = ModelConfig("sagan", image_size=size, gf=1, df=1,
                         attention_resolution=resolution)
    g, d = build_models(config)
    return g.attention_after, d.attention_after
  assert positions(32, 0) == positions(32, 16) == (1, 0)
  assert positions(32, 32) == (2, 0)
  assert positions(32, 8) == (0, 1)
  assert positions(128, 0) == positions(128, 32) == (2, 1)
  assert positions(16, 0) == positions(16, 32) == (1, 0)


def test_default_attention_resolution_is_stored_as_zero():
  """Configs saved when the default was 32 everywhere still equal today's
  defaults, except at SAGAN 32x32, whose network is new."""
  assert ModelConfig("sagan", image_size=128, attention_resolution=32) == (
      ModelConfig("sagan", image_size=128))
  assert ModelConfig("sagan", image_size=32, attention_resolution=16) == (
      ModelConfig("sagan", image_size=32))
  assert ModelConfig("sagan", image_size=32,
                     attention_resolution=32).attention_resolution == 32
  assert ModelConfig("dcgan", image_size=32,
                     attention_resolution=32).attention_resolution == 0


@pytest.mark.parametrize("size", [6, 12, 4])
def test_unsupported_sizes_raise(size):
  with pytest.raises(ValueError, match="power-of-2"):
    build_models(ModelConfig("sagan", image_size=size))


def test_projection_term_equals_inner_product_with_embedding():
  d = SaganDiscriminator(image_size=16, df=4, num_classes=6)
  x = tf.random.normal([3, 16, 16, 3], seed=5)
  labels = tf.constant([5, 0, 2])
  logits, h = d(x, labels, training=False)
  linear = tf.squeeze(d.linear(h, training=False), 1).numpy()
  table = d.embedding.normalized_table(training=False).numpy()
  expected = linear + np.sum(h.numpy() * table[labels.numpy()], axis=1)
  np.testing.assert_allclose(logits.numpy(), expected, rtol=1e-5, atol=1e-4)
  scores = d.class_scores(h).numpy()
  np.testing.assert_allclose(scores[np.arange(3), labels.numpy()],
                             logits.numpy() - linear, rtol=1e-5, atol=1e-4)


def test_generator_depends_on_label():
  g = SaganGenerator(image_size=16, channels=1, gf=4, z_dim=8, num_classes=3)
  z = tf.random.normal([4, 8], seed=6)
  g(z, tf.zeros([4], tf.int32))
  for block in g.blocks:
    block.bn0.gamma.assign(tf.random.normal(block.bn0.gamma.shape, seed=7))
  a = g(z, tf.constant([0, 0, 0, 0])).numpy()
  b = g(z, tf.constant([0, 1, 2, 0])).numpy()
  assert np.abs(a[1] - b[1]).max() > 1e-4


@pytest.mark.parametrize("arch, shape", [("dcgan", (16, 16, 1)),
                                         ("mlp", (2,))])
def test_small_models(arch, shape):
  config = ModelConfig(arch, image_size=16, channels=shape[-1],
                       num_classes=4, z_dim=3, gf=8, df=8)
  g, d = build_models(config)
  labels = tf.constant([0, 3])
  samples = g(tf.random.normal([2, 3]), labels, training=True)
  assert samples.shape == (2,) + shape == (2,) + sample_shape(config)
  logits, features = d(samples, labels, training=True)
  assert logits.shape == (2,) and features.shape[0] == 2
