"""tfgan_ext.GAN: the Keras-native GAN on keras.io-style networks."""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from tests import gan_nets
from tfgan_ext.errors import InputError
from tfgan_ext.gan import GAN, NonFiniteWeightsError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _sgd(lr=0.1):
  return keras.optimizers.SGD(lr)


def _gan(conditional=False, features=False, **options):
  keras.utils.set_random_seed(0)
  return GAN(discriminator=gan_nets.discriminator(conditional, features),
             generator=gan_nets.generator(conditional),
             num_classes=gan_nets.CLASSES if conditional else 0, **options)


class _Points(keras.Model):
  """A subclassed G with no input shape to read latent_dim from."""

  def __init__(self):
    super().__init__()
    self.dense = keras.layers.Dense(2)

  def call(self, z, training=False):
    return self.dense(z)


def _two_outputs():
  z = keras.Input((4,))
  return keras.Model(z, [keras.layers.Dense(2)(z), keras.layers.Dense(2)(z)])


def _wide_logits():
  x = keras.Input((8, 8, 1))
  return keras.Model(x, keras.layers.Dense(2)(keras.layers.Flatten()(x)))


@pytest.mark.parametrize("make, message", [
    (lambda: GAN(gan_nets.discriminator(), gan_nets.generator(), los="x"),
     "Unknown objective option"),
    (lambda: GAN(gan_nets.discriminator(), gan_nets.generator(),
                 loss="hnge"), "hnge"),
    (lambda: GAN(gan_nets.discriminator(), gan_nets.generator(),
                 aux="multi_hinge", num_classes=3), "Calling the generator"),
    (lambda: GAN(gan_nets.discriminator(True), gan_nets.generator(True),
                 num_classes=3, aux="multi_hinge"), "features"),
    (lambda: GAN(_wide_logits(), gan_nets.generator()), "one logit"),
    (lambda: GAN(gan_nets.discriminator(), _two_outputs()), "one tensor"),
    (lambda: GAN(gan_nets.discriminator(), _Points()), "latent_dim"),
    (lambda: GAN(gan_nets.discriminator(), gan_nets.generator(),
                 ssl=True, aux="acgan"), "Trainer"),
    (lambda: GAN(gan_nets.discriminator(), gan_nets.generator(),
                 fake_labels="mine"), "fake_labels"),
])
def test_contract_and_options_are_checked_at_construction(make, message):
  with pytest.raises(InputError, match=message):
    make()


def test_compile_and_fit_refuse_what_does_not_apply():
  gan = _gan()
  with pytest.raises(InputError, match="no 'loss'"):
    gan.compile(d_optimizer=_sgd(), g_optimizer=_sgd(), loss="mse")
  with pytest.raises(InputError, match="d_steps"):
    gan.compile(d_optimizer=_sgd(), g_optimizer=_sgd(), d_steps=0)
  conditional = _gan(conditional=True)
  conditional.compile(d_optimizer=_sgd(), g_optimizer=_sgd(),
                      run_eagerly=True)
  with pytest.raises(InputError, match="conditional"):
    conditional.fit(gan_nets.dataset(labelled=False), epochs=1, verbose=0)


def test_one_step_is_the_hand_written_hinge_step(monkeypatch):
  """One train_step equals a hinge D step then a G step written out here
  (SGD, so each update is w - lr * grad)."""
  gan = _gan(loss="hinge")
  gan.compile(d_optimizer=_sgd(0.1), g_optimizer=_sgd(0.05))
  g_ref = keras.models.clone_model(gan.generator)
  d_ref = keras.models.clone_model(gan.discriminator)
  g_ref.set_weights(gan.generator.get_weights())
  d_ref.set_weights(gan.discriminator.get_weights())
  rng = np.random.RandomState(3)
  z_d = rng.randn(8, gan_nets.LATENT).astype(np.float32)
  z_g = rng.randn(8, gan_nets.LATENT).astype(np.float32)
  draws = {0: z_d, 1: z_g}
  monkeypatch.setattr(gan, "_draws", lambda purpose, size: (
      tf.constant(draws[purpose]), tf.zeros([8], tf.int32)))
  images = gan_nets.data(8)[0]
  gan.train_step(tf.constant(images))

  with tf.GradientTape() as tape:
    real = tf.reshape(d_ref(images, training=True), [-1])
    fake = tf.reshape(d_ref(g_ref(z_d, training=True), training=True), [-1])
    d_loss = (tf.reduce_mean(tf.nn.relu(1.0 - real))
              + tf.reduce_mean(tf.nn.relu(1.0 + fake)))
  grads = tape.gradient(d_loss, d_ref.trainable_variables)
  for v, g in zip(d_ref.trainable_variables, grads):
    v.assign_sub(0.1 * g)
  with tf.GradientTape() as tape:
    fake = tf.reshape(d_ref(g_ref(z_g, training=True), training=True), [-1])
    g_loss = -tf.reduce_mean(fake)
  grads = tape.gradient(g_loss, g_ref.trainable_variables)
  for v, g in zip(g_ref.trainable_variables, grads):
    v.assign_sub(0.05 * g)
  for ours, ref in ((gan.discriminator, d_ref), (gan.generator, g_ref)):
    for a, b in zip(ours.get_weights(), ref.get_weights()):
      np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
  assert int(gan.train_steps.numpy()) == 1


def test_fit_with_keras_callbacks_and_steps_per_execution(tmp_path):
  gan = _gan()
  gan.compile(d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0),
              g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.0),
              steps_per_execution=2, jit_compile=False)
  weights = str(tmp_path / "gan.weights.h5")
  history = gan.fit(gan_nets.dataset(), epochs=2, verbose=0, callbacks=[
      keras.callbacks.TensorBoard(str(tmp_path / "tb")),
      keras.callbacks.ModelCheckpoint(weights, save_weights_only=True)])
  assert int(gan.train_steps.numpy()) == 8  # 2 epochs x 4 batches.
  for key in ("d_loss", "g_loss", "d/s_real", "d/s_fake"):
    assert len(history.history[key]) == 2
    assert np.all(np.isfinite(history.history[key]))
  assert any(name.startswith("events")
             for _, _, names in os.walk(tmp_path / "tb") for name in names)
  restored = _gan()
  restored.compile(d_optimizer=keras.optimizers.Adam(),
                   g_optimizer=keras.optimizers.Adam())
  restored.load_weights(weights)
  np.testing.assert_array_equal(restored.sample(4), gan.sample(4))
  assert int(restored.train_steps.numpy()) == 8


@pytest.mark.parametrize("options, features", [
    (dict(aux="multi_hinge"), True),
    (dict(aw=True), False),
    (dict(aux="acgan", aw=True), True),
])
def test_projection_d_with_a_plain_embedding_trains(options, features):
  """A conditional projection D built from keras.layers.Embedding (sparse
  gradients) trains through fit with hinge, MHGAN and aw-loss."""
  gan = _gan(conditional=True, features=features, **options)
  gan.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0),
              g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0),
              jit_compile=False)
  table = [v for v in gan.discriminator.weights if "embedding" in v.path][0]
  before = table.numpy().copy()
  history = gan.fit(gan_nets.dataset(labelled=True), epochs=1, verbose=0)
  for key, values in history.history.items():
    assert np.all(np.isfinite(values)), key
  if "aux" in options:
    assert "d/aux_real_accuracy" in history.history
  if options.get("aw"):
    assert "d/aw_w_real" in history.history
  assert not np.allclose(table.numpy(), before)
  labels = np.array([0, 1, 2, 0])
  assert gan.sample(4, labels=labels).shape == (4, 8, 8, 1)


def test_non_finite_weights_stop_fit():
  gan = _gan()
  gan.compile(d_optimizer=_sgd(), g_optimizer=_sgd(), jit_compile=False)
  kernel = gan.generator.trainable_variables[0]
  kernel.assign(tf.fill(kernel.shape, float("nan")))
  with pytest.raises(NonFiniteWeightsError, match="step 1"):
    gan.fit(gan_nets.dataset(), epochs=1, verbose=0)


def test_ema_generator_follows_the_closed_form():
  gan = _gan()
  gan.compile(d_optimizer=_sgd(), g_optimizer=_sgd(0.5), ema_decay=0.75,
              jit_compile=False)
  start = [w.copy() for w in gan.generator.get_weights()]
  np.testing.assert_array_equal(gan.ema_generator.get_weights()[0], start[0])
  gan.fit(gan_nets.dataset(count=8), epochs=1, verbose=0)  # One step.
  after = gan.generator.get_weights()
  for w0, w1, ema in zip(start, after, gan.ema_generator.get_weights()):
    np.testing.assert_allclose(ema, 0.75 * w0 + 0.25 * w1, rtol=1e-5,
                               atol=1e-7)
  assert not np.allclose(after[0], start[0])


def _worker(*args):
  proc = subprocess.run(
      [sys.executable, "-m", "tests.gan_worker", *map(str, args)],
      cwd=ROOT, capture_output=True, text=True, timeout=600,
      env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
  return proc


def test_fit_in_a_mirrored_strategy_scope(tmp_path):
  proc = _worker("mirrored", tmp_path)
  assert proc.returncode == 0, proc.stderr[-3000:]
  out = json.loads(proc.stdout.strip().splitlines()[-1])
  assert out["replicas"] == 2 and out["train_steps"] == 4
  assert out["replica_copies_equal"]
  assert all(np.isfinite(out["d_loss"]))


def test_backup_and_restore_resumes_after_kill(tmp_path):
  reference = _worker("backup", tmp_path / "ref", -1)
  assert reference.returncode == 0, reference.stderr[-3000:]
  killed = _worker("backup", tmp_path / "run", 1)
  assert killed.returncode == -9, killed.stderr[-3000:]
  resumed = _worker("backup", tmp_path / "run", -1)
  assert resumed.returncode == 0, resumed.stderr[-3000:]
  epochs = (tmp_path / "run" / "epochs.txt").read_text().split()
  assert epochs == ["0", "1", "2", "3"]  # Epoch 2 on in the second process.
  with np.load(tmp_path / "ref" / "final.npz") as a, \
      np.load(tmp_path / "run" / "final.npz") as b:
    assert sorted(a) == sorted(b)
    for key in a:
      np.testing.assert_allclose(b[key], a[key], rtol=1e-6, atol=1e-7)
