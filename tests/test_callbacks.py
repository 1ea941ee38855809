"""The Keras callbacks (tfgan_ext.callbacks) on tiny GAN-shaped stand-in
models fitted for a few steps, against independent NumPy computations."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tfgan_ext import callbacks, monitors
from tfgan_ext.errors import InputError
from tfgan_ext.monitors.turning_point import TurningPoint

LATENT = 3
STEPS, EPOCHS = 3, 2
DECAY, START = 0.5, 2


class PointsGAN(keras.Model):
  """A GAN-shaped stand-in: functional G (z -> 2-D points) and D, plain
  SGD on the non-saturating losses, eager (no tracing cost)."""

  def __init__(self):
    super().__init__()
    self.latent_dim, self.num_classes = LATENT, 0
    z = keras.Input((LATENT,))
    self.generator = keras.Model(
        z, keras.layers.Dense(2)(keras.layers.Dense(8, "relu")(z)))
    x = keras.Input((2,))
    self.discriminator = keras.Model(
        x, keras.layers.Dense(1)(keras.layers.Dense(8, "relu")(x)))
    self.g_optimizer = keras.optimizers.SGD(0.2)
    self.d_optimizer = keras.optimizers.SGD(0.2)
    self.rng = tf.random.Generator.from_seed(1)

  def train_step(self, real):
    z = self.rng.normal([tf.shape(real)[0], LATENT])
    g_vars = self.generator.trainable_variables
    d_vars = self.discriminator.trainable_variables
    with tf.GradientTape(persistent=True) as tape:
      fake = self.generator(z, training=True)
      d_fake = self.discriminator(fake, training=True)
      d_loss = (tf.reduce_mean(tf.nn.softplus(-self.discriminator(real)))
                + tf.reduce_mean(tf.nn.softplus(d_fake)))
      g_loss = tf.reduce_mean(tf.nn.softplus(-d_fake))
    d_grads = tape.gradient(d_loss, d_vars)
    g_grads = tape.gradient(g_loss, g_vars)
    self.d_optimizer.apply_gradients(zip(d_grads, d_vars))
    self.g_optimizer.apply_gradients(zip(g_grads, g_vars))
    return {"d_loss": d_loss, "g_loss": g_loss}

  def generate(self, z, labels=None):
    del labels
    return self.generator(z, training=False)


class Recorder(keras.callbacks.Callback):
  """G's and D's weights before training and after each step, and the
  batch logs the callbacks listed before this one wrote."""

  def __init__(self):
    super().__init__()
    self.weights, self.batch_logs = [], []

  def _snap(self):
    return ([v.numpy().copy() for v in self.model.generator.variables],
            [v.numpy().copy() for v in self.model.discriminator.variables])

  def on_train_begin(self, logs=None):
    self.weights.append(self._snap())

  def on_train_batch_end(self, batch, logs=None):
    self.weights.append(self._snap())
    self.batch_logs.append(dict(logs))


def _ring_data():
  angles = np.linspace(0, 2 * np.pi, 64, endpoint=False)
  points = np.stack([np.cos(angles), np.sin(angles)], 1).astype(np.float32)
  return tf.data.Dataset.from_tensor_slices(points * 2).batch(8).repeat()


def _numpy_angle(a, b):
  u = np.concatenate([np.ravel(x) for x in a]).astype(np.float64)
  v = np.concatenate([np.ravel(x) for x in b]).astype(np.float64)
  cos = u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
  return float(np.arccos(np.clip(cos, -1.0, 1.0)))


@pytest.fixture(scope="module")
def run():
  keras.utils.set_random_seed(4)
  gan = PointsGAN()
  gan.compile(run_eagerly=True)
  domain = monitors.mixture_domain("ring8")
  angles = callbacks.WeightAngles(prefix="wa")
  sqd = callbacks.SQDMonitor(domain, every_n_steps=2, num_samples=40, seed=7,
                             batch_size=16)
  ema = callbacks.EMAGenerator(DECAY, start=START)
  record = Recorder()
  history = gan.fit(_ring_data(), epochs=EPOCHS, steps_per_epoch=STEPS,
                    verbose=0, callbacks=[angles, sqd, ema, record])
  return dict(gan=gan, domain=domain, angles=angles, sqd=sqd, ema=ema,
              record=record, history=history.history)


def test_weight_angles_are_the_arccos_of_consecutive_weights(run):
  weights, angles = run["record"].weights, run["angles"]
  assert [s for s, _, _ in angles.history] == list(range(1, 7))
  expected = [(_numpy_angle(weights[t][0], weights[t + 1][0]),
               _numpy_angle(weights[t][1], weights[t + 1][1]))
              for t in range(STEPS * EPOCHS)]
  got = [(g, d) for _, g, d in angles.history]
  assert min(min(e) for e in expected) > 1e-4
  np.testing.assert_allclose(got, expected, rtol=2e-3)
  # Batch logs carry each step's angle; epoch logs their mean (SQD's S).
  assert [b["wa_angle_g"] for b in run["record"].batch_logs] == [
      g for g, _ in got]
  per_epoch = np.reshape(expected, (EPOCHS, STEPS, 2)).mean(axis=1)
  np.testing.assert_allclose(run["history"]["wa_angle_g"], per_epoch[:, 0],
                             rtol=2e-3)
  np.testing.assert_allclose(run["history"]["wa_angle_d"], per_epoch[:, 1],
                             rtol=2e-3)
  # The SQD monitor measures the same angles.
  assert run["sqd"].history == angles.history


def test_sqd_monitor_logs_quality_and_diversity_of_fixed_noise(run):
  gan, sqd, domain = run["gan"], run["sqd"], run["domain"]
  # Independent: the same fixed noise through the final generator.
  z = np.random.default_rng(7).standard_normal((40, LATENT)).astype(
      np.float32)
  final = domain.measure(gan.generator(z, training=False).numpy())
  assert run["history"]["sqd_quality"][-1] == pytest.approx(
      final["quality"], rel=1e-5)
  assert run["history"]["sqd_diversity"][-1] == pytest.approx(
      final["diversity"], rel=1e-5)
  assert run["history"]["sqd_turning_point"] == [0.0, 0.0]
  # Measured at steps 2 and 4 (every_n_steps) and at each epoch end (3, 6).
  assert [h["step"] for h in sqd.meter.history] == [2, 3, 4, 6, 6]
  logged = [("sqd_quality" in b) for b in run["record"].batch_logs]
  assert logged == [False, True, False, True, False, True]
  assert [e["epoch"] for e in sqd.epochs] == [0, 1]
  assert sqd.epochs[1]["angle_g"] == pytest.approx(
      run["history"]["sqd_angle_g"][1])


def test_ema_generator_is_the_closed_form_of_g_after_each_step(run):
  gan, ema = run["gan"], run["ema"]
  history = [g for g, _ in run["record"].weights]
  assert ema.step == STEPS * EPOCHS
  d = np.float32(DECAY)
  expected = [np.array(w) for w in history[0]]
  for t, weights in enumerate(history[1:], 1):
    for i, w in enumerate(weights):
      expected[i] = w if t < START else d * expected[i] + (1 - d) * w
  for v, e in zip(ema.generator.variables, expected):
    np.testing.assert_allclose(v.numpy(), e, rtol=1e-6, atol=1e-7)
  assert not np.allclose(expected[0], history[-1][0])
  assert ema.generator is not gan.generator
  z = np.zeros([2, LATENT], np.float32)
  np.testing.assert_allclose(ema.generate(z).numpy(),
                             ema.generator(z).numpy())


def test_sqd_monitor_stops_fit_at_a_turning_point(tmp_path):
  class FiresAtStep2(monitors.TurningPointDetector):
    def observe_quality(self, step, quality, diversity):
      if step == 2:
        return TurningPoint(2, 1, "g", 4.0, quality, 1.0, diversity, 1.0)
      return None

  keras.utils.set_random_seed(5)
  gan = PointsGAN()
  gan.compile(run_eagerly=True)
  domain = monitors.mixture_domain("ring8")
  sqd = callbacks.SQDMonitor(
      domain, every_n_epochs=0, every_n_steps=1,
      num_samples=10, detector=FiresAtStep2(), stop_at_turning_point=True,
      folder=str(tmp_path / "sqd"))
  record = Recorder()
  gan.fit(_ring_data(), epochs=1, steps_per_epoch=5, verbose=0,
          callbacks=[sqd, record])
  assert sqd.step == 2 and len(record.batch_logs) == 2
  assert [b["sqd_turning_point"] for b in record.batch_logs] == [0.0, 1.0]
  with open(tmp_path / "sqd" / monitors.TURNING_POINTS_FILE) as f:
    rows = [json.loads(line) for line in f]
  assert [(r["step"], r["jump_step"], r["domain"]) for r in rows] == [
      (2, 1, domain.name)]


def test_callbacks_refuse_bad_settings(tmp_path):
  domain = monitors.mixture_domain("ring8")
  with pytest.raises(InputError, match="not both 0"):
    callbacks.SQDMonitor(domain, every_n_epochs=0)
  with pytest.raises(InputError, match="detector"):
    callbacks.SQDMonitor(domain, stop_at_turning_point=True)
  with pytest.raises(InputError, match="ema_decay"):
    callbacks.EMAGenerator(1.0)
  with pytest.raises(InputError, match="every_n_epochs"):
    callbacks.SampleGrid(str(tmp_path), every_n_epochs=0)


class ImagesGAN(keras.Model):
  """A conditional stand-in: G([z, labels]) -> 4x4x1 tanh images; its
  train step changes nothing."""

  def __init__(self):
    super().__init__()
    self.latent_dim, self.num_classes = LATENT, 3
    z = keras.Input((LATENT,))
    y = keras.Input((), dtype="int32")
    e = keras.layers.Embedding(3, LATENT)(y)
    h = keras.layers.Dense(16)(keras.layers.Concatenate()([z, e]))
    images = keras.layers.Reshape((4, 4, 1))(keras.layers.Activation(
        "tanh")(h))
    self.generator = keras.Model([z, y], images)
    self.discriminator = keras.Sequential([keras.layers.Dense(1)])

  def train_step(self, data):
    del data
    return {"loss": tf.constant(0.0)}

  def generate(self, z, labels=None):
    return self.generator([z, labels], training=False)


def test_sample_grid_writes_one_row_per_class(tmp_path):
  keras.utils.set_random_seed(6)
  gan = ImagesGAN()
  gan.compile(run_eagerly=True)
  folder = str(tmp_path / "grids")
  grid = callbacks.SampleGrid(folder, every_n_epochs=2, per_class=2,
                              upscale=1)
  data = tf.data.Dataset.from_tensors(tf.zeros([2, 4, 4, 1])).repeat()
  gan.fit(data, epochs=4, steps_per_epoch=1, verbose=0, callbacks=[grid])
  assert grid.paths == [os.path.join(folder, "epoch_0002.png"),
                        os.path.join(folder, "epoch_0004.png")]
  png = np.asarray(Image.open(grid.paths[-1]))
  # Independent: the grid of the same noise by hand, 1-pixel white gaps.
  z = np.random.RandomState(1234).randn(6, LATENT).astype(np.float32)
  labels = np.array([0, 0, 1, 1, 2, 2], np.int32)
  images = gan.generator([z, labels]).numpy()[..., 0]
  pixels = np.floor(np.clip((images + np.float32(1)) * np.float32(127.5)
                            + np.float32(0.5), 0, 255)).astype(np.uint8)
  expected = np.full((3 * 5 - 1, 2 * 5 - 1), 255, np.uint8)
  for i in range(6):
    r, c = divmod(i, 2)
    expected[5 * r:5 * r + 4, 5 * c:5 * c + 4] = pixels[i]
  np.testing.assert_array_equal(png, expected)
  # Rows differ by class: the label reaches the generator.
  assert not np.array_equal(pixels[0], pixels[2])
