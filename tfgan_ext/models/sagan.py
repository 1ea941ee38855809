"""SAGAN generators and projection discriminators for power-of-2 image sizes.

128x128 is exactly TF-GAN's: the generator maps z to 4x4x16gf and up-samples
through blocks of 16, 8, 4, 2, 1 x gf channels with a non-local block at
32x32; the discriminator goes df, 2df (non-local at 32x32), 4, 8, 16 and
16 x df.

32x32 is the CIFAR-10 ResNet of the SN-GAN / SAGAN line (as in
PyTorch-StudioGAN's CIFAR-10 SAGAN): the generator maps z to 4x4x4gf and
up-samples through three blocks of 4gf with a non-local block after the
second (16x16); the discriminator has an optimized block and three more
blocks, all 2df wide, down-sampling in the first two only (to 8x8), with a
non-local block after the first (16x16).

Other sizes scale the 128x128 network: smaller images drop its widest,
lowest-resolution blocks (64x64: G 8, 4, 2, 1 x gf, D df, 2, 4, 8, 8 x df;
16x16: G 2, 1 x gf, D df, 2df, 2df; 8x8: G gf, D df, df), so the
full-resolution layers keep width gf / df; larger images add blocks of
16 x gf / df. The non-local block sits at `attention_resolution` (default:
16 at 32x32, 32 at every other size), or at the nearest resolution the
model has.
"""

from __future__ import annotations

import math

import keras
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.nn.attention import NonLocalBlock
from tfgan_ext.nn.precision import keep_float32
from tfgan_ext.nn.normalization import (DEFAULT_DECAY, BatchNorm,
                                        ConditionalBatchNorm)
from tfgan_ext.nn.spectral import SNConv2D, SNDense, SNEmbedding

_WIDTHS = (16, 8, 4, 2, 1)  # G multipliers of the 128x128 model's blocks.
MIN_SIZE = 8
CIFAR_SIZE = 32  # Built as the CIFAR-10 ResNet, not scaled from 128x128.
# At 32x32: G block multipliers (x gf); D blocks as (x df, down-sample).
_CIFAR_G_WIDTHS = (4, 4, 4)
_CIFAR_D_BLOCKS = ((2, True), (2, True), (2, False), (2, False))


def num_blocks(image_size: int) -> int:
  """Number of resolution-changing blocks for a square image of this size."""
  if image_size < MIN_SIZE or image_size & (image_size - 1):
    raise InputError(
        f"SAGAN supports square power-of-2 image sizes >= {MIN_SIZE} "
        f"(e.g. 16, 32, 64, 128); got {image_size}. Choose --image_size "
        "accordingly.")
  return int(math.log2(image_size)) - 2


def default_attention_resolution(image_size: int) -> int:
  """Resolution of the non-local block when none is asked for."""
  return 16 if image_size == CIFAR_SIZE else 32


def attention_resolutions(image_size: int) -> list[int]:
  """Resolutions at which the non-local block can sit: those of G's blocks,
  8, 16, ..., image_size (D places it at the first resolution <= it)."""
  return [2 ** k for k in range(3, int(math.log2(image_size)) + 1)]


def check_attention_resolution(image_size: int, resolution: int) -> None:
  """Raises InputError unless `resolution` is 0 (the default) or one of
  `attention_resolutions(image_size)`."""
  choices = attention_resolutions(image_size)
  if resolution and resolution not in choices:
    raise InputError(
        f"--attention_resolution={resolution} is not a resolution of the "
        f"{image_size}x{image_size} SAGAN; choose 0 (the default, "
        f"{min(default_attention_resolution(image_size), image_size)}) or "
        f"one of {choices}.")


def _width_multipliers(image_size: int) -> list[int]:
  """Generator block widths (x gf), lowest resolution first."""
  n = num_blocks(image_size)
  if image_size == CIFAR_SIZE:
    return list(_CIFAR_G_WIDTHS)
  if n <= len(_WIDTHS):
    return list(_WIDTHS[-n:])
  return [_WIDTHS[0]] * (n - len(_WIDTHS)) + list(_WIDTHS)


def _discriminator_blocks(image_size: int) -> list[tuple[int, bool]]:
  """(width x df, down-samples) per discriminator block, input side first.

  The first block is the optimized one and always down-samples.
  """
  if image_size == CIFAR_SIZE:
    return list(_CIFAR_D_BLOCKS)
  multipliers = list(reversed(_width_multipliers(image_size)))
  return [(m, True) for m in multipliers] + [(multipliers[-1], False)]


def _upsample(x: tf.Tensor) -> tf.Tensor:
  return tf.repeat(tf.repeat(x, 2, axis=1), 2, axis=2)


def _downsample(x: tf.Tensor) -> tf.Tensor:
  return tf.nn.avg_pool2d(x, 2, 2, "VALID")


def track_layers(owner: keras.layers.Layer, prefix: str,
                 layers: list) -> None:
  """Makes layers held in a Python list visible to tf.train.Checkpoint.

  Keras 3 tracks list members for its own weight lists, but tf.train
  checkpoints only follow attributes; without this, restoring a network on
  its own (eval jobs, warm starts) would silently skip these layers.
  """
  for i, layer in enumerate(layers):
    setattr(owner, f"{prefix}_{i}", layer)


def _norm(num_classes: int, sync: bool, name: str,
          decay: float = DEFAULT_DECAY,
          zero_debias: bool = True) -> keras.layers.Layer:
  if num_classes > 0:
    return ConditionalBatchNorm(num_classes, sync=sync, decay=decay,
                                zero_debias=zero_debias, name=name)
  return BatchNorm(sync=sync, decay=decay, zero_debias=zero_debias, name=name)


class GeneratorBlock(keras.layers.Layer):
  """BN-ReLU-up-conv3-BN-ReLU-conv3 plus an up-sampled 1x1 shortcut."""

  def __init__(self, channels: int, num_classes: int, sync_bn: bool = True,
               bn_decay: float = DEFAULT_DECAY, bn_zero_debias: bool = True,
               **kwargs):
    super().__init__(**kwargs)
    self.num_classes = num_classes
    self.bn0 = _norm(num_classes, sync_bn, "bn0", bn_decay, bn_zero_debias)
    self.bn1 = _norm(num_classes, sync_bn, "bn1", bn_decay, bn_zero_debias)
    self.conv1 = SNConv2D(channels, 3, name="conv1")
    self.conv2 = SNConv2D(channels, 3, name="conv2")
    self.shortcut = SNConv2D(channels, 1, name="shortcut")

  def _bn(self, layer, x, labels, training):
    if self.num_classes > 0:
      return layer(x, labels, training=training)
    return layer(x, training=training)

  def call(self, x, labels, training=False):
    h = tf.nn.relu(self._bn(self.bn0, x, labels, training))
    h = self.conv1(_upsample(h), training=training)
    h = tf.nn.relu(self._bn(self.bn1, h, labels, training))
    h = self.conv2(h, training=training)
    return self.shortcut(_upsample(x), training=training) + h


class DiscriminatorBlock(keras.layers.Layer):
  """ReLU-conv3-ReLU-conv3 (-avgpool) plus a 1x1 shortcut when shapes change.

  The `optimized` first block skips the leading ReLU and pools before its
  shortcut convolution, as in TF-GAN.
  """

  def __init__(self, channels: int, downsample: bool = True,
               optimized: bool = False, **kwargs):
    super().__init__(**kwargs)
    self.channels = channels
    self.downsample = downsample
    self.optimized = optimized
    self.conv1 = SNConv2D(channels, 3, name="conv1")
    self.conv2 = SNConv2D(channels, 3, name="conv2")
    self.shortcut = None

  def build(self, input_shape):
    if self.optimized or self.downsample or int(input_shape[-1]) != self.channels:
      self.shortcut = SNConv2D(self.channels, 1, name="shortcut")

  def call(self, x, training=False):
    h = x if self.optimized else tf.nn.relu(x)
    h = self.conv1(h, training=training)
    h = self.conv2(tf.nn.relu(h), training=training)
    if self.downsample:
      h = _downsample(h)
    skip = x
    if self.optimized:
      skip = self.shortcut(_downsample(x), training=training)
    elif self.shortcut is not None:
      skip = self.shortcut(x, training=training)
      if self.downsample:
        skip = _downsample(skip)
    return skip + h


class SaganGenerator(keras.Model):
  """z (and class labels) -> images in [-1, 1] of shape [size, size, channels]."""

  def __init__(self, image_size: int = 128, channels: int = 3, gf: int = 64,
               z_dim: int = 128, num_classes: int = 0,
               attention_resolution: int = 0, sync_bn: bool = True,
               bn_decay: float = DEFAULT_DECAY, bn_zero_debias: bool = True,
               **kwargs):
    super().__init__(**kwargs)
    self.image_size = image_size
    self.z_dim = z_dim
    self.num_classes = num_classes
    multipliers = _width_multipliers(image_size)
    self.base_channels = gf * multipliers[0]
    self.linear = SNDense(4 * 4 * self.base_channels, name="linear")
    attention_resolution = (attention_resolution
                            or default_attention_resolution(image_size))
    attention_at = min(attention_resolution, image_size)
    self.blocks = []
    self.attention_after = None
    resolution = 4
    for i, mult in enumerate(multipliers):
      self.blocks.append(
          GeneratorBlock(gf * mult, num_classes, sync_bn, bn_decay,
                         bn_zero_debias, name=f"block{i}"))
      resolution *= 2
      if resolution == attention_at:
        self.attention_after = i
    track_layers(self, "block", self.blocks)
    self.attention = NonLocalBlock(name="attention")
    self.final_bn = BatchNorm(sync=sync_bn, decay=bn_decay,
                              zero_debias=bn_zero_debias, name="final_bn")
    self.final_conv = SNConv2D(channels, 3, name="final_conv")

  def call(self, z, labels=None, training=False):
    if self.num_classes > 0 and labels is None:
      raise ValueError("This generator is conditional: pass class labels.")
    h = tf.reshape(self.linear(z, training=training),
                   [-1, 4, 4, self.base_channels])
    for i, block in enumerate(self.blocks):
      h = block(h, labels, training=training)
      if i == self.attention_after:
        h = self.attention(h, training=training)
    h = tf.nn.relu(self.final_bn(h, training=training))
    # Images are float32 under any precision policy (nn.precision).
    return tf.cast(tf.tanh(self.final_conv(h, training=training)), tf.float32)


class SaganDiscriminator(keras.Model):
  """Images (and labels) -> (logits [B], penultimate features [B, feature_dim]).

  Logits are SN-linear(h) plus, when conditional, the projection term
  <h, SN-embedding(y)>, with h the ReLU'd last block globally sum-pooled.
  """

  def __init__(self, image_size: int = 128, df: int = 64, num_classes: int = 0,
               attention_resolution: int = 0, **kwargs):
    super().__init__(**kwargs)
    self.image_size = image_size
    self.num_classes = num_classes
    plan = _discriminator_blocks(image_size)
    self.feature_dim = df * plan[-1][0]
    attention_resolution = (attention_resolution
                            or default_attention_resolution(image_size))
    self.blocks = []
    self.attention_after = None
    resolution = image_size
    for i, (mult, downsample) in enumerate(plan):
      self.blocks.append(DiscriminatorBlock(df * mult, downsample=downsample,
                                            optimized=(i == 0),
                                            name=f"block{i}"))
      if downsample:
        resolution //= 2
      if self.attention_after is None and resolution <= attention_resolution:
        self.attention_after = i
    track_layers(self, "block", self.blocks)
    self.attention = NonLocalBlock(name="attention")
    # The head stays float32 under any precision policy (nn.precision).
    self.linear = keep_float32(SNDense(1, name="linear"))
    self.embedding = (keep_float32(SNEmbedding(num_classes, self.feature_dim,
                                               name="embedding"))
                      if num_classes > 0 else None)

  def features(self, images, training=False) -> tf.Tensor:
    """Penultimate features: ReLU of the last block, summed over space (in
    float32)."""
    h = images
    for i, block in enumerate(self.blocks):
      h = block(h, training=training)
      if i == self.attention_after:
        h = self.attention(h, training=training)
    return tf.reduce_sum(tf.nn.relu(tf.cast(h, tf.float32)), axis=[1, 2])

  def class_scores(self, features, training=False) -> tf.Tensor:
    """Projection scores <h, SN-embedding(k)> for every class k: [B, classes]."""
    if self.embedding is None:
      raise ValueError("An unconditional discriminator has no class scores.")
    table = self.embedding.normalized_table(training=training)
    return tf.matmul(features, table, transpose_b=True)

  def call(self, images, labels=None, training=False):
    h = self.features(images, training=training)
    logits = tf.squeeze(self.linear(h, training=training), axis=1)
    if self.embedding is not None:
      if labels is None:
        raise ValueError("This discriminator is conditional: pass labels.")
      logits += tf.reduce_sum(h * self.embedding(labels, training=training),
                              axis=1)
    return logits, h
