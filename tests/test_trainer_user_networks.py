"""The model_dir Trainer with the caller's own Keras networks and dataset.

Tiny 8x8x1 images, widths of 16 and a few steps, so each test takes
seconds. Checked: exact resume, the run directory (config.json records
architecture "custom"; generator exports per checkpoint that reproduce G),
the same D and G updates as `tfgan_ext.GAN` on the same weights and batch,
the NaN / Inf guard on weights, the early stop, and bad input.
"""

import dataclasses
import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import workspace
from tfgan_ext.errors import InputError
from tfgan_ext.gan import GAN
from tfgan_ext.models import ModelConfig
from tfgan_ext.objectives import FAKE_LABEL, ObjectiveConfig
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.hooks import StopTraining
from tfgan_ext.train.resolve import resolve_config
from tfgan_ext.train.step import FAKE_LABEL_G
from tfgan_ext.train.trainer import NonFiniteLossError, Trainer

SIZE, Z_DIM, CLASSES = 8, 8, 4


def _networks(num_classes=CLASSES, batch_norm=False, seed=0):
  """A Keras-contract (G, D) as keras.io writes them: functional models,
  conditioned by a one-hot of the labels."""
  keras.utils.set_random_seed(seed)
  z = keras.Input((Z_DIM,))
  g_inputs, h = [z], z
  if num_classes:
    labels = keras.Input((), dtype="int32")
    g_inputs.append(labels)
    onehot = keras.layers.CategoryEncoding(num_classes, "one_hot")(labels)
    h = keras.layers.Concatenate()([z, onehot])
  h = keras.layers.Dense(16, activation="relu")(h)
  if batch_norm:
    h = keras.layers.BatchNormalization()(h)
  h = keras.layers.Dense(SIZE * SIZE, activation="tanh")(h)
  g = keras.Model(g_inputs if num_classes else z,
                  keras.layers.Reshape((SIZE, SIZE, 1))(h))
  x = keras.Input((SIZE, SIZE, 1))
  d_inputs, h = [x], keras.layers.Flatten()(x)
  if num_classes:
    labels = keras.Input((), dtype="int32")
    d_inputs.append(labels)
    onehot = keras.layers.CategoryEncoding(num_classes, "one_hot")(labels)
    h = keras.layers.Concatenate()([h, onehot])
  h = keras.layers.LeakyReLU(0.2)(keras.layers.Dense(16)(h))
  d = keras.Model(d_inputs if num_classes else x, keras.layers.Dense(1)(h))
  return g, d


def _dataset(num_classes=CLASSES, count=64):
  rng = np.random.RandomState(0)
  images = np.tanh(rng.randn(count, SIZE, SIZE, 1)).astype(np.float32)
  if not num_classes:
    return tf.data.Dataset.from_tensor_slices(images)
  labels = rng.randint(num_classes, size=count).astype(np.int32)
  return tf.data.Dataset.from_tensor_slices((images, labels))


def _config(**overrides):
  base = dict(model=ModelConfig(num_classes=CLASSES), batch_size=8,
              max_steps=4, save_every=2, summary_every=2, image_every=100,
              keep_checkpoints=1, seed=5, deterministic=True)
  base.update(overrides)
  return TrainConfig(**base)


def _trainer(model_dir, config, num_classes=CLASSES, **kwargs):
  g, d = _networks(num_classes)
  return Trainer(config, str(model_dir), generator=g, discriminator=d,
                 dataset=_dataset(num_classes), **kwargs)


def _weights(trainer):
  return [v.numpy() for v in (trainer.generator_model.variables
                                + trainer.discriminator_model.variables
                                + trainer.ema_generator_model.variables)]


# ------------------------------------------------------------------ resume
def test_resume_is_exact_and_the_run_dir_serves_the_eval_job(tmp_path):
  config = _config(ema_decay=0.5)
  resumed = tmp_path / "resumed"
  first = _trainer(resumed, dataclasses.replace(config, max_steps=2)).train()
  assert first.step == 2 and first.stopped_early is None
  second = _trainer(resumed, config)
  assert second.train().step == 4
  straight = _trainer(tmp_path / "straight", config)
  straight.train()
  for a, b in zip(_weights(second), _weights(straight)):
    np.testing.assert_array_equal(a, b)  # Bitwise, EMA G included.
  # config.json describes what was trained.
  saved = workspace.load_config(str(resumed))
  assert saved.model == ModelConfig(architecture="custom", image_size=SIZE,
                                    channels=1, num_classes=CLASSES,
                                    z_dim=Z_DIM)
  assert saved.dataset == "custom"
  with open(resumed / "TRAINING_DONE") as f:
    assert json.load(f)["step"] == 4
  # One export per kept checkpoint (keep_checkpoints=1: ckpt-2's is gone).
  for run in (resumed, tmp_path / "straight"):
    assert workspace.latest_checkpoint(str(run)).endswith("ckpt-4")
    assert list(workspace.generator_exports(str(run))) == [4]
    assert sorted(os.listdir(run / "generators")) == ["ckpt-4"]
  # The export is the sample generator (EMA here) and needs no tfgan_ext.
  assert straight.sample_generator is straight.ema_generator
  loaded = tf.saved_model.load(workspace.generator_export_dir(
      str(resumed), 4))
  z = tf.constant(np.random.RandomState(1).randn(6, Z_DIM), tf.float32)
  labels = tf.constant([0, 1, 2, 3, 0, 1], tf.int32)
  out = loaded.signatures["serving_default"](z=z, labels=labels)["images"]
  expected = second.ema_generator_model([z, labels], training=False)
  np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=1e-6)
  assert not np.allclose(  # G and its average differ after 4 steps.
      expected.numpy(), second.generator_model([z, labels]).numpy(),
      atol=1e-4)
  assert int(loaded.step.numpy()) == 4


# ------------------------------------------------- one step implementation
def test_gan_aw_gives_the_trainers_d_and_g_updates(tmp_path):
  config = _config(objective=ObjectiveConfig(aw=True), g_lr=3e-3,
                   d_lr=5e-3, beta1=0.5, beta2=0.9, deterministic=False)
  trainer = _trainer(tmp_path, config)
  g, d = _networks(seed=9)  # Other initial values, then the Trainer's.
  g.set_weights(trainer.generator_model.get_weights())
  d.set_weights(trainer.discriminator_model.get_weights())
  gan = GAN(discriminator=d, generator=g, num_classes=CLASSES, aw=True)

  def adam(lr):
    return keras.optimizers.Adam(lr, beta_1=0.5, beta_2=0.9, epsilon=1e-8)

  gan.compile(d_optimizer=adam(5e-3), g_optimizer=adam(3e-3))
  batch = next(iter(trainer.dataset))
  assert {"image", "label", "z", "z_g", FAKE_LABEL, FAKE_LABEL_G} <= set(batch)
  before = [v.numpy() for v in trainer.discriminator_model.variables]
  logs_t = trainer._d_step(batch)  # pylint: disable=protected-access
  logs_g = gan.step_fn.d_step(batch)
  for a, b, old in zip(trainer.discriminator_model.variables, d.variables,
                       before):
    np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)
  assert max(np.abs(a.numpy() - o).max() for a, o in zip(
      trainer.discriminator_model.variables, before)) > 1e-4  # It moved.
  np.testing.assert_allclose(float(logs_t["d_loss"]), float(logs_g["d_loss"]),
                             rtol=1e-6)
  trainer._g_step(batch)  # pylint: disable=protected-access
  gan.step_fn.g_step(batch)
  for a, b in zip(trainer.generator_model.variables, g.variables):
    np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


# ------------------------------------------------------ NaN / Inf weights
class _PoisonMovingMean:
  """NaN into G's batch-norm moving mean after the restore: the training
  losses stay finite (training-mode BN uses batch moments), so only the
  weight check can see it."""

  def on_train_begin(self, trainer):
    for v in trainer.generator_model.variables:
      if "moving_mean" in v.path:
        v.assign(tf.fill(v.shape, np.nan))
        return
    raise AssertionError("no moving mean")


def test_nonfinite_weights_stop_before_any_save(tmp_path):
  config = _config(max_steps=2, save_every=2, keep_checkpoints=5,
                   deterministic=False)

  def trainer(config, **kwargs):
    g, d = _networks(batch_norm=True)
    return Trainer(config, str(tmp_path), generator=g, discriminator=d,
                   dataset=_dataset(), **kwargs)

  trainer(config).train()
  assert workspace.training_done(str(tmp_path))
  more = trainer(dataclasses.replace(config, max_steps=4, save_every=1),
                 callbacks=[_PoisonMovingMean()])
  with pytest.raises(NonFiniteLossError,
                     match=r"step 3: the generator's weights.*ckpt-2") as err:
    more.train()
  assert err.value.networks == ("g",)
  assert workspace.latest_checkpoint(str(tmp_path)).endswith("ckpt-2")
  assert list(workspace.generator_exports(str(tmp_path))) == [2]
  assert not workspace.training_done(str(tmp_path))


# ---------------------------------------------------------------- early stop
class _StopAt2:
  def on_step_end(self, trainer, step, logs):
    if step == 2:
      raise StopTraining(step, "enough")


def test_stop_training_ends_the_run_with_checkpoint_export_and_done(tmp_path):
  config = _config(model=ModelConfig(num_classes=0), max_steps=5,
                   save_every=100, deterministic=False)
  result = _trainer(tmp_path, config, num_classes=0,
                    callbacks=[_StopAt2()]).train()
  assert (result.step, result.stopped_early) == (2, "enough")
  assert result.checkpoint.endswith("ckpt-2")
  assert list(workspace.generator_exports(str(tmp_path))) == [2]
  with open(tmp_path / "TRAINING_DONE") as f:
    assert json.load(f) == {"step": 2, "checkpoint": result.checkpoint,
                            "stopped_early": "enough"}


# ----------------------------------------------------------------- bad input
def test_bad_user_inputs_are_refused_before_anything_is_written(tmp_path):
  target = tmp_path / "run"
  g, d = _networks()
  uint8 = _dataset().map(lambda x, y: (tf.cast(x > 0, tf.uint8), y))
  cases = [
      (dict(generator=g), "both generator= and discriminator="),
      (dict(generator=g, discriminator=d, dataset=uint8), "uint8"),
      (dict(generator=g, discriminator=d, dataset=_dataset(0)),
       "yields no labels"),
      (dict(generator=g, discriminator=d, dataset=_dataset().batch(4)),
       "single examples"),
      (dict(generator=g, discriminator=d, dataset=[1, 2]),
       "tf.data.Dataset"),
      # The named dataset is read at 32x32x3, G makes 8x8x1.
      (dict(generator=g, discriminator=d), r"shape \(8, 8, 1\).*image_size"),
      (dict(generator=g, discriminator=d, dataset=_dataset(),
            config=_config(model=ModelConfig(num_classes=-1))),
       "num_classes=-1"),
      (dict(config=_config(model=ModelConfig(architecture="custom"))),
       "generator= and discriminator="),
      (dict(generator=g, discriminator=d, dataset=_dataset(),
            config=_config(objective=ObjectiveConfig(aux="multi_hinge",
                                                     critic="shared"))),
       "native discriminator"),
  ]
  for kwargs, message in cases:
    config = kwargs.pop("config", _config(dataset="digits"))
    with pytest.raises(InputError, match=message):
      Trainer(config, str(target), **kwargs)
    assert not target.exists()


def test_resolve_config_fills_classes_and_point_channels():
  config = TrainConfig(model=ModelConfig(image_size=8, channels=1,
                                         num_classes=-1), dataset="digits")
  assert resolve_config(config).model.num_classes == 10
  assert resolve_config(resolve_config(config)) == resolve_config(config)
  points = TrainConfig(model=ModelConfig("mlp", num_classes=0),
                       dataset="ring8")
  assert resolve_config(points).model.channels == 2
