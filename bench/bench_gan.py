"""GAN.fit's step time against the Trainer's and a minimal keras.io GAN.

python -m bench.bench_gan [--steps=40]

The same keras.io-style DCGAN networks (Keras contract), batch 64, hinge
loss, Adam, float32, no XLA, trained three ways in one process:

  trainer   tfgan_ext.Trainer with the user networks and a tf.data dataset
  gan_fit   tfgan_ext.GAN(...).fit
  keras_io  a keras.Model subclass with the hinge D and G steps written
            out in its own train_step (the convention of keras.io's
            examples), fit the same way

Each is timed over --steps steps after a warm-up call that traces it; the
printed ratios are gan_fit / trainer (the library's Keras path against its
own loop) and gan_fit / keras_io (what the library costs over a
hand-written step).
"""

from __future__ import annotations

import sys
import tempfile
import time

from absl import app
from absl import flags
import keras
import numpy as np
import tensorflow as tf

from tfgan_ext.gan import GAN
from tfgan_ext.models import ModelConfig
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.trainer import Trainer

FLAGS = flags.FLAGS
flags.DEFINE_integer("steps", 40, "Timed steps per way.")

BATCH = 64
LATENT = 128
CASES = {"16x16x1, width 32": (16, 1, 32), "32x32x3, width 64": (32, 3, 64)}


def generator(size: int, channels: int, width: int) -> keras.Model:
  z = keras.Input((LATENT,))
  start = size // 4
  h = keras.layers.Dense(start * start * 2 * width, activation="relu")(z)
  h = keras.layers.Reshape((start, start, 2 * width))(h)
  for filters in (2 * width, width):
    h = keras.layers.Conv2DTranspose(filters, 4, 2, padding="same")(h)
    h = keras.layers.BatchNormalization()(h)
    h = keras.layers.ReLU()(h)
  x = keras.layers.Conv2D(channels, 3, padding="same", activation="tanh")(h)
  return keras.Model(z, x)


def discriminator(size: int, channels: int, width: int) -> keras.Model:
  x = keras.Input((size, size, channels))
  h = x
  for filters in (width, 2 * width):
    h = keras.layers.Conv2D(filters, 4, 2, padding="same")(h)
    h = keras.layers.LeakyReLU(0.2)(h)
  h = keras.layers.Flatten()(h)
  return keras.Model(x, keras.layers.Dense(1)(h))


class KerasIoGAN(keras.Model):
  """The keras.io convention, hinge loss written out."""

  def __init__(self, d, g):
    super().__init__()
    self.d, self.g = d, g

  def compile(self, d_optimizer, g_optimizer):
    super().compile(jit_compile=False)
    self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

  def train_step(self, images):
    size = tf.shape(images)[0]
    z = tf.random.normal([size, LATENT])
    with tf.GradientTape() as tape:
      fake = self.g(z, training=True)
      real_logits = self.d(images, training=True)
      fake_logits = self.d(fake, training=True)
      d_loss = (tf.reduce_mean(tf.nn.relu(1.0 - real_logits))
                + tf.reduce_mean(tf.nn.relu(1.0 + fake_logits)))
    grads = tape.gradient(d_loss, self.d.trainable_variables)
    self.d_optimizer.apply_gradients(zip(grads, self.d.trainable_variables))
    z = tf.random.normal([size, LATENT])
    with tf.GradientTape() as tape:
      g_loss = -tf.reduce_mean(self.d(self.g(z, training=True), training=True))
    grads = tape.gradient(g_loss, self.g.trainable_variables)
    self.g_optimizer.apply_gradients(zip(grads, self.g.trainable_variables))
    return {"d_loss": d_loss, "g_loss": g_loss}


def _images(size: int, channels: int) -> np.ndarray:
  rng = np.random.RandomState(0)
  return rng.uniform(-1, 1, (BATCH * 8, size, size, channels)).astype(
      np.float32)


def _adam(lr: float) -> keras.optimizers.Optimizer:
  return keras.optimizers.Adam(lr, beta_1=0.0, beta_2=0.999, epsilon=1e-8)


def _time_fit(model: keras.Model, images: np.ndarray, steps: int) -> float:
  dataset = tf.data.Dataset.from_tensor_slices(images).repeat().batch(
      BATCH, drop_remainder=True).prefetch(2)
  model.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0)  # Trace.
  start = time.perf_counter()
  model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)
  return (time.perf_counter() - start) / steps


def _time_trainer(size, channels, width, images, steps) -> float:
  keras.utils.set_random_seed(0)
  config = TrainConfig(
      model=ModelConfig(architecture="custom", image_size=size,
                        channels=channels, num_classes=0, z_dim=LATENT),
      objective=ObjectiveConfig(loss="hinge"), batch_size=BATCH,
      g_lr=1e-4, d_lr=4e-4, max_steps=steps, summary_every=10 ** 6,
      image_every=10 ** 6, save_every=10 ** 6)
  with tempfile.TemporaryDirectory() as model_dir:
    trainer = Trainer(config, model_dir,
                      generator=generator(size, channels, width),
                      discriminator=discriminator(size, channels, width),
                      dataset=tf.data.Dataset.from_tensor_slices(images))
    trainer._train_step(trainer.iterator)  # pylint: disable=protected-access
    start = time.perf_counter()
    for _ in range(steps):
      out = trainer._train_step(trainer.iterator)  # pylint: disable=protected-access
    float(out["d_loss"])
    return (time.perf_counter() - start) / steps


def main(argv) -> int:
  del argv
  flags_line = sorted({f for f in open("/proc/cpuinfo").read().split()
                       if f.startswith(("avx512", "avx2", "amx"))})
  print(f"CPU flags: {' '.join(flags_line)}; TF {tf.__version__}, Keras "
        f"{keras.__version__}; {FLAGS.steps} timed steps per way.")
  for name, (size, channels, width) in CASES.items():
    images = _images(size, channels)
    keras.utils.set_random_seed(0)
    ours = GAN(discriminator=discriminator(size, channels, width),
               generator=generator(size, channels, width), loss="hinge")
    ours.compile(d_optimizer=_adam(4e-4), g_optimizer=_adam(1e-4),
                 jit_compile=False)
    gan_fit = _time_fit(ours, images, FLAGS.steps)
    keras.utils.set_random_seed(0)
    plain = KerasIoGAN(discriminator(size, channels, width),
                       generator(size, channels, width))
    plain.compile(_adam(4e-4), _adam(1e-4))
    keras_io = _time_fit(plain, images, FLAGS.steps)
    trainer = _time_trainer(size, channels, width, images, FLAGS.steps)
    print(f"{name}: trainer {1e3 * trainer:.1f} ms/step, GAN.fit "
          f"{1e3 * gan_fit:.1f}, keras.io-style {1e3 * keras_io:.1f}; "
          f"GAN.fit / trainer = {gan_fit / trainer:.3f}, GAN.fit / "
          f"keras.io = {gan_fit / keras_io:.3f}", flush=True)
  return 0


if __name__ == "__main__":
  sys.exit(app.run(main))
