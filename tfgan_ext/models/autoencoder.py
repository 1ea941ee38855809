"""Auto-encoder discriminators for MAGAN / EBGAN, and their architectures.

D(x) keeps the common interface (logits [B], features [B, F]) with
logits = -energy (low energy = real) and features = the code, so monitors and
penalties work unchanged; `energy(x)` is the per-sample sum of squared
reconstruction errors that the energy objectives use. D is unconditional
(labels are ignored); the generator is the DCGAN one (conditional if asked).

* `ae_mlp`: flatten -> df -> df -> pixels, ReLU inside, tanh output (MAGAN's
  MNIST 784-256-256-784 with df = 256).
* `ae_conv`: three 4x4 stride-2 convolutions (df, 2df, 4df; LeakyReLU 0.2)
  and three 4x4 stride-2 transposed convolutions (2df, df, channels; ReLU,
  tanh output), MAGAN's CIFAR-10 design with df = 128. Needs a size
  divisible by 8; features are the code summed over space.
* `magan_mnist`: `ae_mlp`'s D with MAGAN's MNIST generator
  (`DeconvGenerator`, no batch norm) instead of the DCGAN one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import keras
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.losses.magan import reconstruction_energy
from tfgan_ext.models import small

if TYPE_CHECKING:
  from tfgan_ext.models import ModelConfig


class _AutoEncoderDiscriminator(keras.Model):
  """Shared call/energy logic; subclasses define encode and decode."""

  num_classes = 0  # Unconditional: labels are ignored.

  def encode(self, x, training=False):
    raise NotImplementedError

  def decode(self, code, training=False):
    raise NotImplementedError

  def energy(self, x, training=False) -> tf.Tensor:
    """Per-sample reconstruction energy, shape [B]."""
    return reconstruction_energy(x, self.decode(self.encode(x, training),
                                                training))

  def features(self, x, training=False) -> tf.Tensor:
    return self._pool(self.encode(x, training))

  @staticmethod
  def _pool(code):
    code = tf.cast(code, tf.float32)  # Float32 under any precision policy.
    return code if len(code.shape) == 2 else tf.reduce_sum(code, axis=[1, 2])

  def class_scores(self, features, training=False):
    raise ValueError("An auto-encoder discriminator has no class scores.")

  def call(self, x, labels=None, training=False):
    del labels
    code = self.encode(x, training)
    energy = reconstruction_energy(x, self.decode(code, training))
    return -energy, self._pool(code)


class MlpAutoEncoder(_AutoEncoderDiscriminator):
  """flatten -> hidden (ReLU) -> hidden (ReLU, the code) -> pixels (tanh)."""

  def __init__(self, sample_shape: tuple[int, ...], hidden: int = 256,
               **kwargs):
    super().__init__(**kwargs)
    self.sample_shape = tuple(sample_shape)
    self.feature_dim = hidden
    pixels = 1
    for d in self.sample_shape:
      pixels *= d
    # Layers are attributes (not a list) so tf.train.Checkpoint tracks them.
    self.enc1 = keras.layers.Dense(hidden, activation="relu", name="enc1")
    self.enc2 = keras.layers.Dense(hidden, activation="relu", name="enc2")
    self.dec = keras.layers.Dense(pixels, activation="tanh", name="dec")

  def encode(self, x, training=False):
    flat = tf.reshape(x, [tf.shape(x)[0], -1])
    return self.enc2(self.enc1(flat))

  def decode(self, code, training=False):
    return tf.reshape(self.dec(code), (-1,) + self.sample_shape)


class ConvAutoEncoder(_AutoEncoderDiscriminator):
  """Strided-conv encoder and transposed-conv decoder (see module)."""

  def __init__(self, image_size: int, channels: int, df: int = 128, **kwargs):
    super().__init__(**kwargs)
    if image_size % 8:
      raise InputError(f"ae_conv needs an image size divisible by 8; got "
                       f"{image_size}. Use ae_mlp for other sizes.")
    self.feature_dim = 4 * df
    conv = keras.layers.Conv2D
    deconv = keras.layers.Conv2DTranspose
    self.enc1 = conv(df, 4, strides=2, padding="same", name="enc1")
    self.enc2 = conv(2 * df, 4, strides=2, padding="same", name="enc2")
    self.enc3 = conv(4 * df, 4, strides=2, padding="same", name="enc3")
    self.dec1 = deconv(2 * df, 4, strides=2, padding="same", name="dec1")
    self.dec2 = deconv(df, 4, strides=2, padding="same", name="dec2")
    self.dec3 = deconv(channels, 4, strides=2, padding="same", name="dec3")

  def encode(self, x, training=False):
    h = x
    for layer in (self.enc1, self.enc2, self.enc3):
      h = tf.nn.leaky_relu(layer(h), 0.2)
    return h

  def decode(self, code, training=False):
    h = tf.nn.relu(self.dec1(code))
    h = tf.nn.relu(self.dec2(h))
    return tf.tanh(self.dec3(h))


class DeconvGenerator(keras.Model):
  """MAGAN's MNIST G, (2gf)7c1s-(gf)4c2s-(channels)4c2s: z -> dense to
  (size/4)^2 x 2gf (a 7x7 stride-1 transposed convolution of a 1x1 input),
  two 4x4 stride-2 transposed convolutions; ReLU inside, tanh output (the
  paper's sigmoid on [0, 1] pixels, rescaled to [-1, 1]); no batch norm.
  With gf = 64 at 28x28 this is the paper's (128)7c1s-(64)4c2s-(1)4c2s.
  Unconditional."""

  def __init__(self, image_size: int = 28, channels: int = 1, gf: int = 64,
               z_dim: int = 50, num_classes: int = 0, **kwargs):
    super().__init__(**kwargs)
    if image_size % 4:
      raise InputError(f"magan_mnist needs an image size divisible by 4; got "
                       f"{image_size}.")
    if num_classes:
      raise InputError("magan_mnist's generator is unconditional: use "
                       f"--num_classes=0 (got {num_classes}).")
    self.z_dim = z_dim
    self.num_classes = 0
    self.start = image_size // 4
    self.width = 2 * gf
    self.linear = keras.layers.Dense(self.start * self.start * self.width,
                                     activation="relu", name="linear")
    deconv = keras.layers.Conv2DTranspose
    self.deconv1 = deconv(gf, 4, strides=2, padding="same",
                          activation="relu", name="deconv1")
    self.deconv2 = deconv(channels, 4, strides=2, padding="same",
                          activation="tanh", name="deconv2")

  def call(self, z, labels=None, training=False):
    del labels, training
    h = tf.reshape(self.linear(z), [-1, self.start, self.start, self.width])
    return self.deconv2(self.deconv1(h))


def _generator(c: "ModelConfig") -> keras.Model:
  return small.DcganGenerator(c.image_size, c.channels, c.gf, c.z_dim,
                              c.num_classes, bn_decay=c.bn_decay,
                              bn_zero_debias=c.bn_zero_debias,
                              name="generator")


def build_ae_mlp(c: "ModelConfig") -> tuple[keras.Model, keras.Model]:
  """DCGAN generator + fully connected auto-encoder discriminator."""
  shape = (c.image_size, c.image_size, c.channels)
  return _generator(c), MlpAutoEncoder(shape, c.df, name="discriminator")


def build_ae_conv(c: "ModelConfig") -> tuple[keras.Model, keras.Model]:
  """DCGAN generator + convolutional auto-encoder discriminator."""
  return _generator(c), ConvAutoEncoder(c.image_size, c.channels, c.df,
                                        name="discriminator")


def build_magan_mnist(c: "ModelConfig") -> tuple[keras.Model, keras.Model]:
  """MAGAN's MNIST pair: `DeconvGenerator` + fully connected auto-encoder."""
  shape = (c.image_size, c.image_size, c.channels)
  return (DeconvGenerator(c.image_size, c.channels, c.gf, c.z_dim,
                          c.num_classes, name="generator"),
          MlpAutoEncoder(shape, c.df, name="discriminator"))


BUILDERS = {"ae_mlp": build_ae_mlp, "ae_conv": build_ae_conv,
            "magan_mnist": build_magan_mnist}
