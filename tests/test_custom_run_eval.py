"""Eval of a run trained with user-built networks (architecture "custom"):
it is scored from the generator SavedModel its train job exports with every
checkpoint, without any architecture code; each need of the metrics is
computed once per checkpoint; a metric registered by the user is scored next
to the built-in ones."""

import os
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import evaluation, export, metrics, models, workspace
from tfgan_ext.errors import InputError, MissingInputError
from tfgan_ext.evaluation import builtin_metrics
from tfgan_ext.evaluation import metric_registry as mr
from tfgan_ext.evaluation.real_data import split_arrays
from tfgan_ext.evaluation.restore import restore_generator
from tfgan_ext.evaluation.sampling import latent_vectors
from tfgan_ext.models import ModelConfig
from tfgan_ext.train.config import TrainConfig

MODEL = ModelConfig(architecture="custom", image_size=8, channels=1, z_dim=4,
                    num_classes=0)
PROTOCOL = evaluation.EvalProtocol(num_samples=40, num_groups=2,
                                   reference_samples=200, batch_size=20)
EXPORTED, NOT_EXPORTED = 5, 6


class TinyGenerator(keras.Model):
  """z [B, 4] -> tanh(dense(z)) as [B, 8, 8, 1] images; labels unused."""

  def __init__(self):
    super().__init__()
    self.dense = keras.layers.Dense(64, activation="tanh")

  def call(self, z, labels=None, training=False):
    return tf.reshape(self.dense(z), [-1, 8, 8, 1])


class CountingNetwork:
  """Fixed projections of the pixels (10 logits, 6 ReLU pool features);
  records the batch size of every call."""
  name = "counting_net"
  feature_dim = 6
  num_classes = 10

  def __init__(self):
    rng = np.random.default_rng(0)
    self.proj = tf.constant(rng.standard_normal((64, 16)), tf.float32)
    self.calls = []

  def __call__(self, images):
    self.calls.append(int(images.shape[0]))
    h = tf.matmul(tf.reshape(tf.cast(images, tf.float32), [-1, 64]),
                  self.proj)
    return {"logits": h[:, :10], "pool": tf.nn.relu(h[:, 10:])}


def _write_config(model_dir, model=MODEL):
  os.makedirs(model_dir, exist_ok=True)
  with open(os.path.join(model_dir, "config.json"), "w") as f:
    f.write(TrainConfig(model=model, dataset="digits").to_json())


@pytest.fixture(scope="module")
def custom_run(tmp_path_factory):
  """Checkpoints ckpt-5 (exported, as the train job does) and ckpt-6 (its
  export missing) of a user-built generator."""
  model_dir = str(tmp_path_factory.mktemp("custom") / "run")
  _write_config(model_dir)
  generator = TinyGenerator()
  generator(tf.zeros([1, 4]))
  manager = tf.train.CheckpointManager(
      tf.train.Checkpoint(generator=generator), model_dir, max_to_keep=5,
      checkpoint_name="ckpt")
  for step in (EXPORTED, NOT_EXPORTED):
    kernel = generator.dense.kernel
    kernel.assign(tf.random.stateless_normal(kernel.shape, [step, 0]))
    manager.save(checkpoint_number=step)
    if step == EXPORTED:
      export.export_generator(
          generator, workspace.generator_export_dir(model_dir, step),
          z_dim=4, num_classes=0, image_shape=(8, 8, 1),
          metadata={"step": step, "generator": "raw"})
  return model_dir


def _copy(model_dir, tmp_path):
  target = str(tmp_path / "run")
  shutil.copytree(model_dir, target)
  return target


def _exported_samples(model_dir, num_samples):
  """The export's own serving signature on the job's latent vectors."""
  loaded = tf.saved_model.load(
      workspace.generator_export_dir(model_dir, EXPORTED))
  z = latent_vectors(num_samples, MODEL.z_dim, PROTOCOL.seed)
  return loaded.signatures["serving_default"](
      z=tf.constant(z), labels=tf.zeros([num_samples], tf.int32))["images"]


def test_export_dir_layout():
  assert workspace.GENERATORS_DIR == "generators"
  assert workspace.generator_export_dir("runs/a", 1200) == os.path.join(
      "runs/a", "generators", "ckpt-1200")


def test_custom_run_is_scored_from_its_exported_generator(
    custom_run, tmp_path, monkeypatch):
  def no_architecture(config):
    raise AssertionError(f"build_models called for {config.architecture}")
  monkeypatch.setattr(models, "build_models", no_architecture)
  with pytest.raises(InputError, match="user-built networks"):
    workspace.build_models_for(custom_run)
  model_dir = _copy(custom_run, tmp_path)
  network = CountingNetwork()
  evaluator = evaluation.Evaluator(model_dir, "is,fid,kid", PROTOCOL,
                                   network)
  evaluator.reference().features()       # 10 batches of 20 real digits
  network.calls.clear()
  rows = {r["metric"]: r for r in evaluator.evaluate(
      os.path.join(model_dir, f"ckpt-{EXPORTED}"))}
  assert network.calls == [20, 20]       # one pass shared by IS, FID, KID
  fake = CountingNetwork()(_exported_samples(custom_run, 40))
  real, _ = split_arrays("digits", "train", image_size=8, channels=1,
                         max_examples=200)
  real_pool = CountingNetwork()(real)["pool"].numpy()
  fake_pool = fake["pool"].numpy()
  assert rows["fid"]["value"] == pytest.approx(
      metrics.frechet_distance(fake_pool, real_pool), rel=1e-4)
  kid, _ = metrics.kernel_inception_distance(fake_pool, real_pool, seed=0)
  assert rows["kid"]["value"] == pytest.approx(kid, rel=1e-4)
  score, _ = metrics.inception_score(fake["logits"].numpy(), 2, seed=0)
  assert rows["is"]["value"] == pytest.approx(score, rel=1e-4)
  assert rows["fid"]["value"] > 0
  for row in rows.values():
    assert (row["generator"], row["feature_network"], row["step"]) == (
        "raw", "counting_net", EXPORTED)
  # The missing export: a clear error naming the path for a one-off
  # evaluation; the polling job skips that checkpoint.
  missing = workspace.generator_export_dir(model_dir, NOT_EXPORTED)
  with pytest.raises(MissingInputError, match=missing) as caught:
    evaluator.evaluate(os.path.join(model_dir, f"ckpt-{NOT_EXPORTED}"))
  assert isinstance(caught.value, evaluation.CheckpointUnavailable)
  summary = evaluation.poll(evaluator, timeout=0, poll_interval=0,
                            max_attempts=1)
  assert (summary.evaluated, summary.skipped) == ([], [NOT_EXPORTED])


def test_custom_run_sample_binaries_and_refusals(custom_run, tmp_path):
  restored = restore_generator(custom_run, f"ckpt-{EXPORTED}")
  assert (restored.kind, restored.step) == ("raw", EXPORTED)
  z = latent_vectors(3, MODEL.z_dim, PROTOCOL.seed)
  np.testing.assert_array_equal(
      restored.generator(z, np.zeros(3, np.int32)).numpy(),
      _exported_samples(custom_run, 3).numpy())
  with pytest.raises(MissingInputError, match="generators"):
    restore_generator(custom_run)          # the newest has no export
  ema_run = str(tmp_path / "ema")             # says it keeps an EMA G
  shutil.copytree(custom_run, ema_run)
  with open(os.path.join(ema_run, "config.json"), "w") as f:
    f.write(TrainConfig(model=MODEL, dataset="digits",
                        ema_decay=0.99).to_json())
  with pytest.raises(InputError, match="holds the raw generator"):
    restore_generator(ema_run, f"ckpt-{EXPORTED}")
  with pytest.raises(InputError, match="--use_ema=False"):
    evaluation.Evaluator(ema_run, "fid", PROTOCOL, CountingNetwork()).evaluate(
        os.path.join(ema_run, f"ckpt-{EXPORTED}"))
  assert restore_generator(ema_run, f"ckpt-{EXPORTED}",
                           use_ema=False).kind == "raw"
  with pytest.raises(InputError, match="bn_inference"):
    evaluation.Evaluator(custom_run, "fid", evaluation.EvalProtocol(
        bn_inference="batch"), CountingNetwork())
  conditional = str(tmp_path / "conditional")
  _write_config(conditional, ModelConfig(
      architecture="custom", image_size=8, channels=1, z_dim=4,
      num_classes=10))
  with pytest.raises(InputError, match=r"\['self_accuracy', "
                     r"'validation_accuracy'\] need the run's discriminator"):
    evaluation.Evaluator(conditional, "fid,validation_accuracy,self_accuracy",
                         PROTOCOL, CountingNetwork())
  # The model registry builds nothing from a "custom" ModelConfig.
  with pytest.raises(InputError, match="nothing to build"):
    models.build_models(MODEL)


def test_a_registered_metric_shares_the_needs(custom_run, tmp_path):
  registry = builtin_metrics.REGISTRY.copy()
  seen = {}

  @registry.register("pool_mean", needs=(mr.GENERATED_FEATURES,))
  def pool_mean(values, context):
    seen["needs"] = set(values)
    seen["step"] = context.step
    return mr.MetricResult(float(values[mr.GENERATED_FEATURES]["pool"].mean()),
                           details={"note": "mean pool feature"})

  assert "pool_mean" not in builtin_metrics.REGISTRY
  model_dir = _copy(custom_run, tmp_path)
  network = CountingNetwork()
  evaluator = evaluation.Evaluator(model_dir, "pool_mean,fid", PROTOCOL,
                                   network, registry=registry)
  evaluator.reference().features()
  network.calls.clear()
  rows = {r["metric"]: r for r in evaluator.evaluate(
      os.path.join(model_dir, f"ckpt-{EXPORTED}"))}
  assert network.calls == [20, 20]
  assert seen == {"needs": {mr.GENERATED_FEATURES}, "step": EXPORTED}
  fake = CountingNetwork()(_exported_samples(custom_run, 40))["pool"]
  assert rows["pool_mean"]["value"] == pytest.approx(
      float(np.mean(fake.numpy())), rel=1e-5)
  assert rows["pool_mean"]["details"] == {"note": "mean pool feature"}
  assert evaluation.ResultsFile(model_dir).done_keys() >= {
      (EXPORTED, "pool_mean", "counting_net", 40, "train", "moving", "raw")}
