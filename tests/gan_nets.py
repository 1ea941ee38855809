"""Small keras.io-style networks for the GAN tests (8x8x1 images).

They follow the Keras contract of tfgan_ext.contract: functional models,
G(z) / G([z, labels]) -> images in [-1, 1], D(x) / D([x, labels]) ->
logits [B, 1], or (logits, features) for an auxiliary head.
"""

import keras
import numpy as np
import tensorflow as tf

LATENT = 8
SIZE = 8
CLASSES = 3


def generator(conditional: bool = False) -> keras.Model:
  z = keras.Input((LATENT,), name="z")
  inputs, h = [z], z
  if conditional:
    y = keras.Input((), dtype="int32", name="label")
    inputs.append(y)
    h = keras.layers.Concatenate()([z, keras.layers.Embedding(CLASSES, 4)(y)])
  h = keras.layers.Dense(4 * 4 * 8, activation="relu")(h)
  h = keras.layers.Reshape((4, 4, 8))(h)
  h = keras.layers.Conv2DTranspose(8, 4, 2, padding="same",
                                   activation="relu")(h)
  x = keras.layers.Conv2D(1, 3, padding="same", activation="tanh")(h)
  return keras.Model(inputs if conditional else z, x, name="g")


def discriminator(conditional: bool = False, features: bool = False
                  ) -> keras.Model:
  """With `conditional`: a projection D whose class embedding is a plain
  keras.layers.Embedding (sparse gradients)."""
  x = keras.Input((SIZE, SIZE, 1), name="x")
  h = keras.layers.Conv2D(8, 3, 2, padding="same")(x)
  h = keras.layers.LeakyReLU(0.2)(h)
  h = keras.layers.GlobalAveragePooling2D()(h)
  logits = keras.layers.Dense(1)(h)
  inputs = x
  if conditional:
    y = keras.Input((), dtype="int32", name="label")
    inputs = [x, y]
    embedded = keras.layers.Embedding(CLASSES, 8)(y)
    logits = logits + keras.ops.sum(embedded * h, axis=1, keepdims=True)
  return keras.Model(inputs, [logits, h] if features else logits, name="d")


def data(count: int = 32, seed: int = 0):
  """(images [count, 8, 8, 1] in [-1, 1], labels [count] int32): a bright
  square whose position is the class."""
  rng = np.random.RandomState(seed)
  labels = rng.randint(0, CLASSES, count).astype(np.int32)
  images = np.full((count, SIZE, SIZE, 1), -1.0, np.float32)
  for i, label in enumerate(labels):
    images[i, 2 * label:2 * label + 3, 2:5, 0] = 1.0
  images += 0.05 * rng.randn(*images.shape).astype(np.float32)
  return np.clip(images, -1, 1), labels


def dataset(batch: int = 8, count: int = 32, labelled: bool = False):
  images, labels = data(count)
  ds = tf.data.Dataset.from_tensor_slices(
      (images, labels) if labelled else images)
  return ds.batch(batch, drop_remainder=True)
