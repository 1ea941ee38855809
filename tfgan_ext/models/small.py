"""Small generators and discriminators for tiny images and 2-D points.

They share the SAGAN models' interface: G(z, labels, training) -> samples and
D(x, labels, training) -> (logits [B], features [B, F]), with a projection
term when conditional, so every loss and monitor works on them unchanged.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.models.sagan import track_layers
from tfgan_ext.nn.precision import keep_float32
from tfgan_ext.nn.normalization import (DEFAULT_DECAY, BatchNorm,
                                        ConditionalBatchNorm)
from tfgan_ext.nn.spectral import SNConv2D, SNDense, SNEmbedding


MLP_ACTIVATIONS = ("leaky_relu", "relu")


def _kernel_initializer(orthogonal_gain: float):
  """A fresh initializer: Glorot uniform for gain 0, else orthogonal with
  that gain (an orthogonal matrix times the gain, as tf.orthogonal_initializer
  in the unrolled-GAN code)."""
  if orthogonal_gain:
    return keras.initializers.Orthogonal(gain=orthogonal_gain)
  return keras.initializers.GlorotUniform()


def _dense(units: int, spectral_norm: bool, name: str,
           orthogonal_gain: float = 0.0) -> keras.layers.Layer:
  if spectral_norm:
    if orthogonal_gain:
      raise InputError("The orthogonal initialization of the MLPs is for "
                       "plain dense layers: turn spectral_norm off, or set "
                       "the orthogonal gain to 0.")
    return SNDense(units, name=name)
  return keras.layers.Dense(
      units, kernel_initializer=_kernel_initializer(orthogonal_gain),
      name=name)


def check_mlp_options(depth: int, activation: str = "leaky_relu",
                      orthogonal_gain: float = 0.0,
                      input_scale: float = 1.0) -> None:
  """Raises InputError for MLP options no network can be built with."""
  if depth < 1:
    raise InputError(f"An MLP needs at least one hidden layer; got {depth}.")
  if activation not in MLP_ACTIVATIONS:
    raise InputError(f"MLP activation must be one of {MLP_ACTIVATIONS}; got "
                     f"{activation!r}.")
  if orthogonal_gain < 0:
    raise InputError(f"The orthogonal gain must be >= 0 (0 = Glorot "
                     f"uniform); got {orthogonal_gain}.")
  if input_scale <= 0:
    raise InputError(f"The discriminator's input scale must be > 0; got "
                     f"{input_scale}.")


class _Projection(keras.layers.Layer):
  """Linear(1) plus <h, embed(y)> when conditional."""

  def __init__(self, num_classes: int, feature_dim: int, spectral_norm: bool,
               orthogonal_gain: float = 0.0, **kwargs):
    super().__init__(**kwargs)
    self.linear = _dense(1, spectral_norm, "linear", orthogonal_gain)
    self.embedding = None
    if num_classes > 0:
      self.embedding = (SNEmbedding(num_classes, feature_dim, name="embedding")
                        if spectral_norm else
                        keras.layers.Embedding(num_classes, feature_dim,
                                               name="embedding"))

  def call(self, h, labels, training=False):
    logits = tf.squeeze(self.linear(h, training=training), axis=1)
    if self.embedding is not None:
      if labels is None:
        raise ValueError("This discriminator is conditional: pass labels.")
      logits += tf.reduce_sum(h * self.embedding(labels, training=training), 1)
    return logits

  def class_scores(self, h, training=False):
    if self.embedding is None:
      raise ValueError("An unconditional discriminator has no class scores.")
    if isinstance(self.embedding, SNEmbedding):
      table = self.embedding.normalized_table(training=training)
    else:
      table = self.embedding.embeddings
    return tf.matmul(h, table, transpose_b=True)


class MlpGenerator(keras.Model):
  """z -> `hidden` x `depth` ReLU layers -> `output_dim` linear outputs.

  orthogonal_gain: 0 initializes the kernels Glorot uniform, g > 0
  orthogonal times g (the unrolled-GAN paper's mixture G uses 0.8).
  """

  def __init__(self, output_dim: int = 2, hidden: int = 128, depth: int = 2,
               z_dim: int = 2, num_classes: int = 0,
               orthogonal_gain: float = 0.0, **kwargs):
    super().__init__(**kwargs)
    check_mlp_options(depth, orthogonal_gain=orthogonal_gain)
    self.z_dim = z_dim
    self.num_classes = num_classes
    self.hidden = [keras.layers.Dense(
        hidden, activation="relu",
        kernel_initializer=_kernel_initializer(orthogonal_gain),
        name=f"h{i}") for i in range(depth)]
    track_layers(self, "hidden", self.hidden)
    self.embedding = (keras.layers.Embedding(num_classes, z_dim, name="embed")
                      if num_classes > 0 else None)
    self.out = keras.layers.Dense(
        output_dim, kernel_initializer=_kernel_initializer(orthogonal_gain),
        name="out")

  def call(self, z, labels=None, training=False):
    h = z
    if self.embedding is not None:
      h = tf.concat([z, self.embedding(labels)], axis=1)
    for layer in self.hidden:
      h = layer(h)
    return tf.cast(self.out(h), tf.float32)


class MlpDiscriminator(keras.Model):
  """x * `input_scale` -> `hidden` x `depth` layers of `activation`
  (LeakyReLU 0.2 or ReLU) -> logits, features.

  The unrolled-GAN paper's mixture D: input_scale 1/4, depth 1, ReLU,
  orthogonal_gain 0.8 (see MlpGenerator).
  """

  def __init__(self, hidden: int = 128, depth: int = 2, num_classes: int = 0,
               spectral_norm: bool = False, activation: str = "leaky_relu",
               input_scale: float = 1.0, orthogonal_gain: float = 0.0,
               **kwargs):
    super().__init__(**kwargs)
    check_mlp_options(depth, activation, orthogonal_gain, input_scale)
    self.num_classes = num_classes
    self.feature_dim = hidden
    self.activation = activation
    self.input_scale = input_scale
    self.hidden = [_dense(hidden, spectral_norm, f"h{i}", orthogonal_gain)
                   for i in range(depth)]
    track_layers(self, "hidden", self.hidden)
    self.head = keep_float32(_Projection(num_classes, hidden, spectral_norm,
                                         orthogonal_gain, name="head"))

  def features(self, x, training=False):
    h = tf.reshape(x, [tf.shape(x)[0], -1])
    if self.input_scale != 1.0:
      h = h * self.input_scale
    for layer in self.hidden:
      h = layer(h, training=training)
      h = (tf.nn.relu(h) if self.activation == "relu"
           else tf.nn.leaky_relu(h, 0.2))
    return tf.cast(h, tf.float32)

  def class_scores(self, features, training=False):
    return self.head.class_scores(features, training=training)

  def call(self, x, labels=None, training=False):
    h = self.features(x, training=training)
    return self.head(h, labels, training=training), h


class DcganGenerator(keras.Model):
  """z -> dense to (size/4)^2 x 2w -> two nearest-up + conv stages -> tanh."""

  def __init__(self, image_size: int = 16, channels: int = 1, gf: int = 32,
               z_dim: int = 32, num_classes: int = 0,
               bn_decay: float = DEFAULT_DECAY, bn_zero_debias: bool = True,
               **kwargs):
    super().__init__(**kwargs)
    if image_size % 4:
      raise InputError(f"DCGAN needs an image size divisible by 4; got "
                       f"{image_size}.")
    self.z_dim = z_dim
    self.num_classes = num_classes
    self.start = image_size // 4
    self.width = 2 * gf
    self.linear = keras.layers.Dense(self.start * self.start * self.width,
                                     name="linear")
    bn = dict(decay=bn_decay, zero_debias=bn_zero_debias)
    norm = ((lambda n: ConditionalBatchNorm(num_classes, name=n, **bn))
            if num_classes > 0 else (lambda n: BatchNorm(name=n, **bn)))
    self.bn0, self.bn1, self.bn2 = norm("bn0"), norm("bn1"), norm("bn2")
    self.conv1 = keras.layers.Conv2D(2 * gf, 3, padding="same", name="conv1")
    self.conv2 = keras.layers.Conv2D(gf, 3, padding="same", name="conv2")
    self.out = keras.layers.Conv2D(channels, 3, padding="same", name="out")

  def _bn(self, layer, h, labels, training):
    if self.num_classes > 0:
      return layer(h, labels, training=training)
    return layer(h, training=training)

  def call(self, z, labels=None, training=False):
    h = tf.reshape(self.linear(z), [-1, self.start, self.start, self.width])
    h = tf.nn.relu(self._bn(self.bn0, h, labels, training))
    h = self.conv1(tf.repeat(tf.repeat(h, 2, 1), 2, 2))
    h = tf.nn.relu(self._bn(self.bn1, h, labels, training))
    h = self.conv2(tf.repeat(tf.repeat(h, 2, 1), 2, 2))
    h = tf.nn.relu(self._bn(self.bn2, h, labels, training))
    return tf.cast(tf.tanh(self.out(h)), tf.float32)


class DcganDiscriminator(keras.Model):
  """Three strided 3x3 convs (LeakyReLU 0.2), sum pooling, projection head."""

  def __init__(self, image_size: int = 16, df: int = 32, num_classes: int = 0,
               spectral_norm: bool = True, **kwargs):
    super().__init__(**kwargs)
    del image_size  # Any size works: features are sum-pooled.
    self.num_classes = num_classes
    self.feature_dim = 4 * df

    def conv(filters, strides, name):
      if spectral_norm:
        return SNConv2D(filters, 3, strides=strides, name=name)
      return keras.layers.Conv2D(filters, 3, strides=strides, padding="same",
                                 name=name)

    self.convs = [conv(df, 2, "conv0"), conv(2 * df, 2, "conv1"),
                  conv(4 * df, 1, "conv2")]
    track_layers(self, "conv", self.convs)
    self.head = keep_float32(_Projection(num_classes, 4 * df, spectral_norm,
                                         name="head"))

  def features(self, images, training=False):
    h = images
    for layer in self.convs:
      h = tf.nn.leaky_relu(layer(h, training=training), 0.2)
    return tf.reduce_sum(tf.cast(h, tf.float32), axis=[1, 2])

  def class_scores(self, features, training=False):
    return self.head.class_scores(features, training=training)

  def call(self, images, labels=None, training=False):
    h = self.features(images, training=training)
    return self.head(h, labels, training=training), h
