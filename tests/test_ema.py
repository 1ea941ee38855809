"""The EMA generator (--ema_decay, --ema_start, --use_ema): the closed-form
average on a toy network and through the trainer, exact resume, loops,
mirrored replicas, and the eval / sample / export side choosing it."""

import dataclasses
import json
import os
import shutil
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import evaluation
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation.restore import restore_generator
from tfgan_ext.evaluation.results import row_key, tensorboard_tag
from tfgan_ext.models import ModelConfig
from tfgan_ext.nn import normalization, spectral
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.ema import GeneratorAverage
from tfgan_ext.train.trainer import Trainer
from tests.tree import tree_contents

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ModelConfig("sagan", image_size=8, channels=1, num_classes=10,
                   z_dim=8, gf=4, df=4)
DECAY, START, STEPS = 0.5, 3, 5


def _config(**overrides):
  base = dict(model=TINY, dataset="digits", batch_size=16, max_steps=STEPS,
              save_every=STEPS, summary_every=STEPS, image_every=1000,
              seed=5, deterministic=True, ema_decay=DECAY, ema_start=START)
  base.update(overrides)
  return TrainConfig(**base)


def _values(model):
  return [v.numpy() for v in model.variables]


def _closed_form(history, decay, start, averaged):
  """NumPy EMA of a weight history [w_0, w_1, ...] (w_t after step t):
  e_0 = w_0; e_t = w_t for t < start, else decay e_{t-1} + (1 - decay) w_t;
  variables not `averaged` are copied."""
  d = np.float32(decay)
  ema = [np.array(w) for w in history[0]]
  for t, weights in enumerate(history[1:], 1):
    for i, w in enumerate(weights):
      if not averaged[i] or t < start:
        ema[i] = np.array(w)
      else:
        ema[i] = d * ema[i] + (np.float32(1) - d) * w
  return ema


def _is_averaged(model):
  return [v.trainable or v.name in ("moving_mean", "moving_variance")
          for v in model.variables]


class _Toy(keras.Model):
  def __init__(self):
    super().__init__()
    self.dense = spectral.SNDense(3)
    self.norm = normalization.BatchNorm()

  def call(self, x, training=False):
    return self.norm(self.dense(x, training=training), training=training)


def test_toy_network_average_is_the_closed_form_with_the_start_copy():
  source, target = _Toy(), _Toy()
  for model in (source, target):
    model(tf.zeros([2, 4]))
  average = GeneratorAverage(source, target, decay=0.9, start=3)
  average.copy()
  names = sorted(v.name for v in source.variables)
  assert names == ["beta", "bias", "gamma", "kernel", "moving_mean",
                   "moving_updates", "moving_variance", "sn_u"]
  copied = sorted(t.name.rsplit("/", 1)[-1] for t, _ in average.copied)
  assert copied == ["moving_updates:0", "sn_u:0"]
  update = tf.function(average.update)
  rng = np.random.default_rng(0)
  history = [_values(source)]
  for step in range(1, 7):
    for v in source.variables:
      v.assign(rng.standard_normal(v.shape).astype(np.float32))
    history.append(_values(source))
    update(tf.constant(step, tf.int64))
    expected = _closed_form(history, 0.9, 3, _is_averaged(source))
    for v, e in zip(target.variables, expected):
      np.testing.assert_allclose(v.numpy(), e, rtol=1e-6, atol=1e-7,
                                 err_msg=f"{v.name} step {step}")
    if step < 3:  # Before the start step: exactly G's values.
      for a, b in zip(_values(target), history[-1]):
        np.testing.assert_array_equal(a, b)
  # After three averaged steps the average is not the last value.
  assert not np.allclose(target.dense.kernel.numpy(),
                         source.dense.kernel.numpy())


class _Record:
  """G's variables before the first step and after each one."""

  def __init__(self):
    self.history = []

  def on_train_begin(self, trainer):
    self.history.append(_values(trainer.generator))

  def on_step_end(self, trainer, step, logs):
    assert step == len(self.history)
    self.history.append(_values(trainer.generator))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
  """5 EMA steps (decay 0.5 from step 3), checkpoint at 5, G's history."""
  model_dir = str(tmp_path_factory.mktemp("ema") / "run")
  record = _Record()
  trainer = Trainer(_config(), model_dir, callbacks=[record])
  trainer.train()
  return model_dir, trainer, record.history


def test_trainer_ema_is_the_closed_form_of_g_after_each_step(run):
  _, trainer, history = run
  assert len(history) == STEPS + 1
  expected = _closed_form(history, DECAY, START,
                          _is_averaged(trainer.generator))
  for v, e in zip(trainer.ema_generator.variables, expected):
    np.testing.assert_allclose(v.numpy(), e, rtol=1e-5, atol=1e-6,
                               err_msg=v.path)
  # Batch-norm averages are averaged too, not copied.
  bn = [i for i, v in enumerate(trainer.generator.variables)
        if v.name == "moving_mean"]
  assert bn and any(not np.allclose(expected[i], history[-1][i]) for i in bn)
  # The sample grids draw from the EMA generator (use_ema defaults to true).
  z, labels, _ = trainer.sample_inputs()
  ema_images = trainer.ema_generator(z, labels, training=False).numpy()
  np.testing.assert_array_equal(trainer.generate(z, labels), ema_images)
  raw = dataclasses.replace(trainer.config, use_ema=False)
  trainer.config, saved = raw, trainer.config
  try:
    raw_images = trainer.generate(z, labels)
  finally:
    trainer.config = saved
  assert np.abs(raw_images - ema_images).max() > 1e-4


def test_resume_in_loops_reproduces_the_uninterrupted_average(run, tmp_path):
  _, trainer, _ = run
  # Interrupted at step 2 (before the start step), resumed with two steps
  # per compiled call: calls end at 4 (the start step 3 inside the graph
  # loop) and 5. Bitwise the single-step run's average.
  Trainer(_config(max_steps=2, save_every=2), str(tmp_path)).train()
  resumed = Trainer(_config(steps_per_loop=2), str(tmp_path))
  resumed.train()
  for a, b in zip(_values(trainer.ema_generator),
                  _values(resumed.ema_generator)):
    np.testing.assert_array_equal(a, b)


class _Network:
  """A fixed random projection of 8x8 images: 10 logits, 6 pool features."""
  name, feature_dim, num_classes = "toy_net", 6, 10

  def __init__(self):
    self.proj = tf.constant(
        np.random.default_rng(0).standard_normal((64, 16)), tf.float32)

  def __call__(self, images):
    h = tf.matmul(tf.reshape(tf.cast(images, tf.float32), [-1, 64]),
                  self.proj)
    return {"logits": h[:, :10], "pool": tf.nn.relu(h[:, 10:])}


def test_restore_and_eval_rows_pick_ema_unless_told(run, tmp_path):
  model_dir, trainer, _ = run
  ema = restore_generator(model_dir)
  raw = restore_generator(model_dir, use_ema=False)
  assert (ema.kind, raw.kind) == ("ema", "raw")
  for a, b in zip(_values(ema.generator), _values(trainer.ema_generator)):
    np.testing.assert_array_equal(a, b)
  for a, b in zip(_values(raw.generator), _values(trainer.generator)):
    np.testing.assert_array_equal(a, b)

  run_dir = str(tmp_path / "run")
  shutil.copytree(model_dir, run_dir)
  protocol = evaluation.EvalProtocol(num_samples=40, num_groups=2,
                                     batch_size=20)
  path = os.path.join(run_dir, f"ckpt-{STEPS}")
  values = {}
  for use_ema in (True, False):
    evaluator = evaluation.Evaluator(
        run_dir, "is", dataclasses.replace(protocol, use_ema=use_ema),
        _Network())
    (row,) = evaluator.evaluate(path)
    source = trainer.ema_generator if use_ema else trainer.generator
    for a, b in zip(_values(evaluator.generator), _values(source)):
      np.testing.assert_array_equal(a, b)
    values[row["generator"]] = row["value"]
  assert sorted(values) == ["ema", "raw"] and values["ema"] != values["raw"]
  # Both rows are kept, the second job did not skip the first's; a restart
  # skips both.
  rows = evaluation.ResultsFile(run_dir).rows()
  assert [r["generator"] for r in rows] == ["ema", "raw"]
  assert tensorboard_tag(rows[0]).endswith("/n40/ema")
  assert not tensorboard_tag(rows[1]).endswith("/ema")
  again = evaluation.Evaluator(run_dir, "is", protocol, _Network())
  assert again.evaluate(path) == []

  # Rows from before EMA generators count as raw; D-on-real rows ignore it.
  old = dict(rows[1])
  del old["generator"]
  assert row_key(old) == row_key(rows[1])
  real = dict(old, metric="validation_accuracy")
  assert row_key(real) == row_key(dict(real, generator=None))
  assert row_key(real)[-1] is None


def test_a_run_without_ema_is_scored_raw_with_use_ema(run, tmp_path):
  model_dir, trainer, _ = run
  run_dir = str(tmp_path / "no_ema")
  shutil.copytree(model_dir, run_dir)
  config_path = os.path.join(run_dir, "config.json")
  with open(config_path) as f:
    saved = json.load(f)
  with open(config_path, "w") as f:
    json.dump(dict(saved, ema_decay=0.0), f)
  restored = restore_generator(run_dir)
  assert restored.kind == "raw"
  for a, b in zip(_values(restored.generator), _values(trainer.generator)):
    np.testing.assert_array_equal(a, b)
  evaluator = evaluation.Evaluator(
      run_dir, "is", evaluation.EvalProtocol(num_samples=40, num_groups=2,
                                             batch_size=20), _Network())
  (row,) = evaluator.evaluate(os.path.join(run_dir, f"ckpt-{STEPS}"))
  assert row["generator"] == "raw"


def _main(module, **values):
  args = [f"--{k}={v}" for k, v in values.items()]
  return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT,
                        capture_output=True, text=True, timeout=300)


def test_sample_and_export_binaries_use_ema_by_default(run, tmp_path):
  model_dir, trainer, _ = run
  out = str(tmp_path / "export")
  proc = _main("eval.export_generator", model_dir=model_dir, out=out)
  assert proc.returncode == 0, proc.stderr[-2000:]
  with open(os.path.join(out, "assets", "generator.json")) as f:
    assert json.load(f)["generator"] == "ema"
  loaded = tf.saved_model.load(out)
  z = tf.constant(np.random.default_rng(1).standard_normal((4, 8)),
                  tf.float32)
  labels = tf.constant([0, 1, 2, 3], tf.int32)
  np.testing.assert_allclose(
      loaded(z, labels).numpy(),
      trainer.ema_generator(z, labels, training=False).numpy(),
      rtol=1e-5, atol=1e-6)

  npz = str(tmp_path / "raw.npz")
  proc = _main("eval.sample", model_dir=model_dir, out=npz, num_samples=4,
               use_ema="false", progress_every=0.0)
  assert proc.returncode == 0, proc.stderr[-2000:]
  with open(npz[:-4] + ".json") as f:
    assert json.load(f)["generator"] == "raw"
  z = np.random.default_rng(0).standard_normal((4, 8)).astype(np.float32)
  with np.load(npz) as f:
    pixels, labels = f["arr_0"], f["labels"]
  for generator, same in ((trainer.generator, True),
                          (trainer.ema_generator, False)):
    x = generator(z, labels, training=False).numpy()
    expected = np.floor(np.clip((x + 1) * 127.5 + 0.5, 0, 255))
    assert np.array_equal(pixels, expected.astype(np.uint8)) == same


@pytest.mark.parametrize("overrides, match", [
    (dict(ema_decay=1.0), "ema_decay must be in"),
    (dict(ema_decay=-0.1), "ema_decay must be in"),
    (dict(ema_start=-1), "ema_start must be >= 0"),
])
def test_bad_ema_settings_are_refused_before_writing(tmp_path, overrides,
                                                     match):
  with pytest.raises(InputError, match=match):
    Trainer(_config(**overrides), str(tmp_path / "run"))
  assert tree_contents(str(tmp_path)) == {}


def test_resume_refuses_to_add_or_drop_the_ema_generator(run):
  model_dir, _, _ = run
  before = tree_contents(model_dir)
  with pytest.raises(InputError, match=r"ema generator .*saved True, now "
                                       r"False"):
    Trainer(_config(ema_decay=0.0, max_steps=10), model_dir)
  assert tree_contents(model_dir) == before


MIRRORED_WORKER = """
import json, numpy as np, sys
from tfgan_ext.train.strategies import configure_cpu_devices
configure_cpu_devices(2)
from tests import test_ema as t
record = t._Record()
trainer = t.Trainer(t._config(strategy="mirrored", deterministic=False,
                              max_steps=4), sys.argv[1], callbacks=[record])
trainer.train()
expected = t._closed_form(record.history, t.DECAY, t.START,
                          t._is_averaged(trainer.generator))
errors, spread = [], []
for v, e in zip(trainer.ema_generator.variables, expected):
  copies = [c.numpy() for c in v.value.values]
  spread.append(float(np.abs(copies[0] - copies[1]).max()))
  errors.append(float(np.abs(copies[0] - e).max() / (1 + np.abs(e).max())))
print(json.dumps({"replicas": len(v.value.values), "error": max(errors),
                  "spread": max(spread)}))
"""


def test_mirrored_replicas_keep_equal_copies_of_the_average(tmp_path):
  proc = subprocess.run(
      [sys.executable, "-c", MIRRORED_WORKER, str(tmp_path / "run")],
      cwd=ROOT, capture_output=True, text=True, timeout=600,
      env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
  assert proc.returncode == 0, proc.stderr[-3000:]
  out = json.loads(proc.stdout.strip().splitlines()[-1])
  assert out["replicas"] == 2 and out["spread"] == 0.0
  assert out["error"] < 1e-5
