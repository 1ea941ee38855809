"""Short offline training runs on digits: checkpoints, resume, refusal, seeds."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext.models import ModelConfig
from tfgan_ext.objectives import FAKE_LABEL, fake_labels
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.step import FAKE_LABEL_G
from tfgan_ext.train.trainer import (DONE_FILE, NonFiniteLossError, Trainer,
                                     _add_noise)

TINY = ModelConfig("sagan", image_size=8, channels=1, num_classes=10,
                   z_dim=8, gf=4, df=4)


def _config(**overrides):
  base = dict(model=TINY, dataset="digits", batch_size=16, max_steps=4,
              save_every=2, summary_every=2, image_every=4, seed=3)
  base.update(overrides)
  return TrainConfig(**base)


class _RecordLosses:
  def __init__(self):
    self.losses = []

  def on_step_end(self, trainer, step, logs):
    self.losses.append((logs["d_loss"], logs["g_loss"]))


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
  """A 4-step run; its per-step losses are recorded."""
  model_dir = tmp_path_factory.mktemp("run")
  recorder = _RecordLosses()
  result = Trainer(_config(), str(model_dir), callbacks=[recorder]).train()
  return model_dir, result, recorder.losses


def test_run_writes_checkpoints_logs_images_and_done_marker(first_run):
  model_dir, result, losses = first_run
  assert result.step == 4 and len(losses) == 4
  files = os.listdir(model_dir)
  assert {"checkpoint", "config.json", DONE_FILE, "train", "images"} <= set(files)
  assert tf.train.latest_checkpoint(str(model_dir)).endswith("ckpt-4")
  assert os.path.exists(model_dir / "images" / "step_0000004.png")
  with open(model_dir / DONE_FILE) as f:
    assert json.load(f)["step"] == 4
  reader = tf.train.load_checkpoint(str(model_dir / "ckpt-4"))
  assert reader.get_tensor(
      "generator/final_bn/moving_updates/.ATTRIBUTES/VARIABLE_VALUE") == 4
  events = os.listdir(model_dir / "train")
  assert any(e.startswith("events.out.tfevents") for e in events)
  for key in ("d_loss", "g_loss", "d_real", "d_fake"):
    assert np.isfinite(result.logs[key])


def test_same_seed_gives_same_first_losses(first_run, tmp_path):
  _, _, losses = first_run
  again = Trainer(_config(max_steps=2), str(tmp_path / "a"))
  replay = [again._train_step(again.iterator) for _ in range(2)]
  replay = [(float(o["d_loss"]), float(o["g_loss"])) for o in replay]
  np.testing.assert_allclose(replay, losses[:2], rtol=1e-5)
  import dataclasses
  other = Trainer(dataclasses.replace(_config(max_steps=1), seed=4),
                  str(tmp_path / "b"))
  d_loss = float(other._train_step(other.iterator)["d_loss"])
  assert abs(d_loss - losses[0][0]) > 1e-4


def test_resume_continues_from_saved_step(tmp_path):
  first = Trainer(_config(max_steps=2), str(tmp_path))
  first.train()
  saved = [v.numpy().copy() for v in first.generator.trainable_variables]
  second = Trainer(_config(max_steps=4), str(tmp_path))
  path = second.restore()
  assert path.endswith("ckpt-2") and int(second.step) == 2
  for a, b in zip(saved, second.generator.trainable_variables):
    np.testing.assert_array_equal(a, b.numpy())
  result = second.train()
  assert result.step == 4
  assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-4")


def test_resume_applies_changed_learning_rates(first_run, tmp_path):
  import shutil
  shutil.copytree(first_run[0], tmp_path, dirs_exist_ok=True)
  trainer = Trainer(_config(g_lr=5e-4, d_lr=7e-4), str(tmp_path))
  assert trainer.restore().endswith("ckpt-4")
  assert int(trainer.g_optimizer.iterations) == 4  # The slots are restored,
  np.testing.assert_allclose(  # the saved rates (1e-4, 4e-4) are not.
      float(trainer.g_optimizer.learning_rate), 5e-4, rtol=1e-6)
  np.testing.assert_allclose(
      float(trainer.d_optimizer.learning_rate), 7e-4, rtol=1e-6)


def test_resume_with_changed_width_is_refused_before_writing(first_run):
  model_dir = first_run[0]
  before = sorted(os.listdir(model_dir))
  config_before = (model_dir / "config.json").read_text()
  wider = dataclass_replace_model(_config(), gf=8)
  with pytest.raises(ValueError, match=r"model.gf: saved 4, now 8"):
    Trainer(wider, str(model_dir))
  assert sorted(os.listdir(model_dir)) == before
  assert (model_dir / "config.json").read_text() == config_before


def dataclass_replace_model(config, **changes):
  import dataclasses
  return dataclasses.replace(config,
                             model=dataclasses.replace(config.model, **changes))


def test_d_steps_uses_a_fresh_batch_per_discriminator_step(tmp_path):
  trainer = Trainer(_config(d_steps=2, max_steps=1), str(tmp_path))
  trainer._train_step(trainer.iterator)
  assert int(trainer.step) == 1
  assert int(trainer.d_optimizer.iterations) == 2
  assert int(trainer.g_optimizer.iterations) == 1
  # G's batch-norm averages move once per G step, not in the D steps.
  assert float(trainer.generator.final_bn.moving_updates) == 1.0


def test_bad_inputs_fail_before_any_state_is_written(tmp_path):
  target = tmp_path / "run"
  # The config checks itself when built (ModelConfig's own validation) or
  # when the Trainer resolves it; either way nothing is written.
  cases = [
      (lambda: _config(dataset="nope_dataset"), ValueError, "Unknown dataset"),
      (lambda: _config(model=dataclass_replace_model(_config(), image_size=12)
                       .model), ValueError, "power-of-2"),
      (lambda: _config(model=dataclass_replace_model(_config(), num_classes=11)
                       .model), ValueError, "10"),
      (lambda: _config(lr_decay="cosine"), ValueError, "lr_decay"),
  ]
  for make_config, error, message in cases:
    with pytest.raises(error, match=message):
      Trainer(make_config(), str(target))
    assert not target.exists()


def test_unwritable_model_dir(tmp_path):
  locked = tmp_path / "locked"
  locked.mkdir()
  locked.chmod(0o500)
  try:
    if os.access(locked, os.W_OK):
      pytest.skip("running as a user who can write anywhere")
    with pytest.raises(PermissionError, match="not a writable folder"):
      Trainer(_config(), str(locked / "run"))
  finally:
    locked.chmod(0o700)


def test_nan_loss_stops_without_saving(first_run, tmp_path):
  import shutil
  shutil.copytree(first_run[0], tmp_path, dirs_exist_ok=True)

  class PoisonD:  # Runs after the restore, before step 5.
    def on_train_begin(self, trainer):
      for v in trainer.discriminator.trainable_variables:
        if "linear/kernel" in v.path:
          v.assign(tf.fill(v.shape, np.nan))

  trainer = Trainer(_config(max_steps=8, save_every=1), str(tmp_path),
                    callbacks=[PoisonD()])
  with pytest.raises(NonFiniteLossError, match="step 5.*ckpt-4"):
    trainer.train()
  assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-4")


def test_corrupt_latest_checkpoint_falls_back_to_previous(first_run, tmp_path,
                                                          caplog):
  import shutil
  shutil.copytree(first_run[0], tmp_path, dirs_exist_ok=True)
  data_file = next(p for p in os.listdir(tmp_path)
                   if p.startswith("ckpt-4.data"))
  with open(tmp_path / data_file, "r+b") as f:
    f.truncate(16)  # As if the process died while writing it.
  import logging
  trainer = Trainer(_config(max_steps=4), str(tmp_path))
  with caplog.at_level(logging.WARNING, logger="absl"):
    path = trainer.restore()
  assert path.endswith("ckpt-2") and trainer.current_step() == 2
  assert "ckpt-4 is unreadable" in caplog.text


# ------------------------------------------------ generated-image labels
def _stream(trainer, batches):
  return [{k: v.numpy() for k, v in b.items()}
          for b, _ in zip(iter(trainer.dataset), range(batches))]


def test_generated_labels_are_uniform_draws_independent_of_the_real(tmp_path):
  trainer = Trainer(_config(), str(tmp_path / "u"))
  stream = _stream(trainer, 40)  # 640 draws per step kind.
  real = np.concatenate([b["label"] for b in stream])
  for key in (FAKE_LABEL, FAKE_LABEL_G):
    drawn = np.concatenate([b[key] for b in stream])
    assert drawn.dtype == real.dtype and drawn.min() >= 0 and drawn.max() <= 9
    counts = np.bincount(drawn, minlength=10)
    chi2 = float(((counts - 64.0) ** 2 / 64.0).sum())
    assert chi2 < 27.9, counts  # Uniform at p = 0.001 (9 dof).
    # Independent of the real batch: equal to the real label ~1/10 of the
    # time (binomial sd 0.012), not always.
    assert abs(np.mean(drawn == real) - 0.1) < 0.04
  d_draw = np.concatenate([b[FAKE_LABEL] for b in stream])
  g_draw = np.concatenate([b[FAKE_LABEL_G] for b in stream])
  assert abs(np.mean(d_draw == g_draw) - 0.1) < 0.04  # Separate draws.
  # Keyed by (seed, batch index) only: batch 7 again, from its own images.
  fn = _add_noise(3, 8, 10, "uniform")
  again = fn(tf.constant(7, tf.int64), {"image": tf.constant(
      stream[7]["image"]), "label": tf.constant(stream[7]["label"])})
  for key in ("z", "z_g", FAKE_LABEL, FAKE_LABEL_G):
    np.testing.assert_array_equal(again[key].numpy(), stream[7][key])
  other = _add_noise(4, 8, 10, "uniform")(tf.constant(7, tf.int64), {
      "image": tf.constant(stream[7]["image"]),
      "label": tf.constant(stream[7]["label"])})
  assert not np.array_equal(other[FAKE_LABEL].numpy(), stream[7][FAKE_LABEL])
  # "real" reproduces the earlier behaviour: both steps use the real labels.
  copied = Trainer(_config(fake_labels="real"), str(tmp_path / "r"))
  for b in _stream(copied, 3):
    np.testing.assert_array_equal(b[FAKE_LABEL], b["label"])
    np.testing.assert_array_equal(b[FAKE_LABEL_G], b["label"])
  with pytest.raises(ValueError, match="fake_labels must be one of"):
    Trainer(_config(fake_labels="balanced"), str(tmp_path / "bad"))
  assert not (tmp_path / "bad").exists()


def test_generator_and_objective_get_each_steps_generated_labels(tmp_path):
  trainer = Trainer(_config(), str(tmp_path))
  seen = {}

  class SpyG:
    def __init__(self, inner):
      self.inner = inner

    def __call__(self, z, labels, training=False):
      seen.setdefault("g", []).append(labels.numpy())
      return self.inner(z, labels, training=training)

  class SpyObjective:
    def __init__(self, inner):
      self.inner = inner

    def discriminator_loss(self, d, batch, fake):
      seen["d_objective"] = fake_labels(batch).numpy()
      return self.inner.discriminator_loss(d, batch, fake)

    def generator_loss(self, d, batch, fake):
      seen["g_objective"] = fake_labels(batch).numpy()
      return self.inner.generator_loss(d, batch, fake)

  # The shared step (train/step.py) holds the networks and objective.
  trainer.step_fn.generator = SpyG(trainer.step_fn.generator)
  trainer.step_fn.objective = SpyObjective(trainer.step_fn.objective)
  batch = next(iter(trainer.dataset))
  trainer._d_step(batch)  # Eagerly, to read the labels.
  trainer._g_step(batch)
  d_labels, g_labels = batch[FAKE_LABEL].numpy(), batch[FAKE_LABEL_G].numpy()
  assert not np.array_equal(d_labels, g_labels)
  np.testing.assert_array_equal(seen["g"][0], d_labels)
  np.testing.assert_array_equal(seen["d_objective"], d_labels)
  np.testing.assert_array_equal(seen["g"][1], g_labels)
  np.testing.assert_array_equal(seen["g_objective"], g_labels)
