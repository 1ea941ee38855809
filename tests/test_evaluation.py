"""Eval job: polling with checkpoints appearing, restarts, unreadable
checkpoints, conditioning metrics on hand-built cases, results files, FID
against a statistics file, the PR/DC rows."""

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import evaluation, metrics, workspace
from tfgan_ext.evaluation import conditioning as cond
from tfgan_ext.evaluation import sample_metrics as sm
from tfgan_ext.evaluation import stats_file
from tfgan_ext.evaluation.progress import Progress
from tfgan_ext.evaluation.real_data import split_arrays
from tfgan_ext.evaluation.reference import ReferenceData
from tfgan_ext.evaluation.report import read_scalars
from tfgan_ext.evaluation.sampling import (balanced_labels, latent_vectors,
                                           stream_outputs)
from tfgan_ext.models import ModelConfig
from tfgan_ext.nn.spectral import spectral_norm_estimate
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.trainer import Trainer

TINY = ModelConfig("sagan", image_size=8, channels=1, num_classes=10,
                   z_dim=8, gf=4, df=4)
METRICS = ("is,fid,kid,intra_fid,sample_accuracy,quality,diversity,"
           "within_class_spread,conditioning")
PROTOCOL = evaluation.EvalProtocol(num_samples=100, num_groups=5,
                                   reference_samples=300,
                                   conditioning_samples=200,
                                   per_class_samples=10, class_chunk=4,
                                   batch_size=50)
ROOT = os.path.join(os.path.dirname(__file__), os.pardir)


class FakeNetwork:
  """Deterministic stand-in for Inception: 10 logits, 6 pool features."""
  name = "fake_net"
  feature_dim = 6
  num_classes = 10

  def __init__(self):
    rng = np.random.default_rng(0)
    self.proj = tf.constant(rng.standard_normal((64, 16)), tf.float32)

  def __call__(self, images):
    flat = tf.reshape(tf.cast(images, tf.float32), [-1, 64])
    h = tf.matmul(flat, self.proj)
    return {"logits": h[:, :10], "pool": tf.nn.relu(h[:, 10:])}


@pytest.fixture(scope="module")
def source_run(tmp_path_factory):
  """A 3-step tiny run with a checkpoint at every step, and its trainer."""
  model_dir = str(tmp_path_factory.mktemp("source"))
  config = TrainConfig(model=TINY, dataset="digits", batch_size=16,
                       max_steps=3, save_every=1, summary_every=1,
                       image_every=100, seed=2)
  trainer = Trainer(config, model_dir)
  trainer.train()
  return model_dir, trainer


def _copy_checkpoint(source, target, step, listed):
  for name in os.listdir(source):
    if name.startswith(f"ckpt-{step}."):
      shutil.copy(os.path.join(source, name), os.path.join(target, name))
  listed.append(os.path.join(target, f"ckpt-{step}"))
  tf.compat.v1.train.update_checkpoint_state(target, listed[-1],
                                             all_model_checkpoint_paths=listed)


def _empty_run(source, target):
  os.makedirs(target)
  shutil.copy(os.path.join(source, "config.json"), target)
  return target


# ------------------------------------------------------------ polling job
def test_poll_evaluates_checkpoints_as_they_appear_and_restart_skips(
    source_run, tmp_path):
  source, trainer = source_run
  model_dir = _empty_run(source, str(tmp_path / "run"))
  evaluator = evaluation.Evaluator(model_dir, METRICS, PROTOCOL, FakeNetwork(),
                                   cache_dir=str(tmp_path / "cache"))

  def writer():
    listed = []
    for step in (1, 2, 3):
      time.sleep(0.3)
      _copy_checkpoint(source, model_dir, step, listed)
    with open(os.path.join(model_dir, workspace.DONE_FILE), "w") as f:
      json.dump({"step": 3}, f)

  thread = threading.Thread(target=writer)
  thread.start()
  summary = evaluation.poll(evaluator, timeout=60, poll_interval=0.05)
  thread.join()
  assert summary.evaluated == [1, 2, 3] and summary.stopped_by == "done"
  results = evaluation.ResultsFile(model_dir)
  rows = results.rows()
  names = evaluation.parse_metrics(METRICS)
  assert len(rows) == 3 * len(names)
  assert {(r["step"], r["metric"]) for r in rows} == {
      (s, m) for s in (1, 2, 3) for m in names}
  fid = [r for r in rows if r["metric"] == "fid" and r["step"] == 3][0]
  assert (fid["num_samples"], fid["num_groups"], fid["feature_network"],
          fid["reference_split"], fid["reference_samples"],
          fid["bn_inference"]) == (100, 5, "fake_net", "train", 300, "moving")

  # The restored networks are the trained ones (step 3 was restored last).
  for mine, trained in ((evaluator.generator, trainer.generator),
                        (evaluator.discriminator, trainer.discriminator)):
    for a, b in zip(mine.variables, trained.variables):
      np.testing.assert_array_equal(a.numpy(), b.numpy())
  # FID recomputed from the trainer's own generator and raw activations (no
  # statistics cache).
  z = latent_vectors(100, TINY.z_dim, PROTOCOL.seed)
  labels = balanced_labels(100, 10)
  net = FakeNetwork()
  # G's batch norm uses its moving statistics, so one batch of 100 gives the
  # job's two batches of 50.
  fake = net(trainer.generator(z, labels, training=False))["pool"].numpy()
  real, _ = split_arrays("digits", "train", image_size=8, channels=1,
                         max_examples=300)
  expected = metrics.frechet_distance(fake, net(real)["pool"].numpy())
  assert fid["value"] == pytest.approx(expected, rel=1e-4)
  scalars = read_scalars(os.path.join(model_dir, "eval"))
  assert [s for s, _ in scalars["fid/fake_net/n100"]] == [1, 2, 3]

  # Restart: nothing is evaluated again.
  again = evaluation.Evaluator(model_dir, METRICS, PROTOCOL, FakeNetwork(),
                               cache_dir=str(tmp_path / "cache"))
  summary = evaluation.poll(again, timeout=5, poll_interval=0.05)
  assert summary.evaluated == [] and summary.stopped_by == "done"
  assert len(results.rows()) == len(rows)
  # A metric missing for one step (e.g. killed mid-step) is all that is redone.
  kept = [r for r in rows if not (r["step"] == 2 and r["metric"] == "is")]
  with open(results.path, "w") as f:
    f.writelines(json.dumps(r) + "\n" for r in kept)
    f.write('{"step": 2, "metr')           # a torn last line
  assert again.pending(2) == ["is"] and again.pending(3) == []
  summary = evaluation.poll(again, timeout=5, poll_interval=0.05)
  assert summary.evaluated == [2]
  new = [r for r in results.rows() if r["step"] == 2 and r["metric"] == "is"]
  old = [r for r in rows if r["step"] == 2 and r["metric"] == "is"]
  assert len(new) == 1 and new[0]["value"] == pytest.approx(old[0]["value"])


def test_poll_survives_rotated_and_unreadable_checkpoints(source_run,
                                                          tmp_path):
  source, _ = source_run
  model_dir = _empty_run(source, str(tmp_path / "run"))
  listed = []
  for step in (1, 2, 3):
    _copy_checkpoint(source, model_dir, step, listed)
  for name in os.listdir(model_dir):
    if name.startswith("ckpt-1."):          # rotated away, still listed
      os.remove(os.path.join(model_dir, name))
    if name.startswith("ckpt-2.data"):      # truncated (mid-write)
      with open(os.path.join(model_dir, name), "r+b") as f:
        f.truncate(100)
  evaluator = evaluation.Evaluator(model_dir, "is,validation_accuracy",
                                   PROTOCOL, FakeNetwork())
  with pytest.raises(evaluation.CheckpointUnavailable):
    evaluator.evaluate(os.path.join(model_dir, "ckpt-2"))
  with open(os.path.join(model_dir, workspace.DONE_FILE), "w") as f:
    json.dump({"step": 3}, f)
  summary = evaluation.poll(evaluator, timeout=30, poll_interval=0.01,
                            max_attempts=2)
  assert summary.evaluated == [3] and sorted(summary.skipped) == [1, 2]
  assert {r["step"] for r in evaluator.results.rows()} == {3}


def test_poll_times_out_without_new_checkpoints(source_run, tmp_path,
                                               monkeypatch):
  source, _ = source_run
  monkeypatch.chdir(tmp_path)
  model_dir = _empty_run(source, "run")     # a relative model_dir
  _copy_checkpoint(source, model_dir, 1, [])
  evaluator = evaluation.Evaluator(model_dir, "is", PROTOCOL, FakeNetwork())
  now = [0.0]
  summary = evaluation.poll(evaluator, timeout=10, poll_interval=4,
                            sleep=lambda s: now.__setitem__(0, now[0] + s),
                            clock=lambda: now[0])
  assert summary.evaluated == [1] and summary.stopped_by == "timeout"
  assert 10 < now[0] <= 14


def test_evaluator_rejects_bad_input_before_writing(source_run, tmp_path):
  source, _ = source_run
  model_dir = _empty_run(source, str(tmp_path / "run"))
  results = os.path.join(model_dir, evaluation.RESULTS_FILE)
  with pytest.raises(ValueError, match="Unknown metric"):
    evaluation.Evaluator(model_dir, "fid,sharpness", PROTOCOL, FakeNetwork())
  with pytest.raises(ValueError, match="feature network"):
    evaluation.Evaluator(model_dir, "fid", PROTOCOL, None)

  class ThreeClasses(FakeNetwork):
    num_classes = 3
  with pytest.raises(ValueError, match="sample_accuracy"):
    evaluation.Evaluator(model_dir, "sample_accuracy", PROTOCOL,
                         ThreeClasses())
  with pytest.raises(ValueError, match="num_groups"):
    evaluation.Evaluator(model_dir, "is", evaluation.EvalProtocol(
        num_samples=10, num_groups=20), FakeNetwork())
  with pytest.raises(ValueError, match="modes_covered"):
    evaluation.Evaluator(model_dir, "modes_covered", PROTOCOL, FakeNetwork())
  with pytest.raises(FileNotFoundError, match="config.json"):
    evaluation.Evaluator(str(tmp_path), "is", PROTOCOL, FakeNetwork())
  assert not os.path.exists(results)
  assert not os.path.exists(os.path.join(model_dir, "eval"))


def test_reference_data_count_is_capped_by_the_split(tmp_path):
  net = FakeNetwork()
  kwargs = dict(image_size=8, channels=1, cache_dir=str(tmp_path))
  real, _ = split_arrays("digits", "test", image_size=8, channels=1)
  assert len(real) == 360
  for asked, used in ((0, 360), (100, 100), (10_000, 360)):
    ref = ReferenceData(net, "digits", "test", num_samples=asked, **kwargs)
    assert (ref.requested_samples, ref.num_samples, ref.key["num_samples"],
            ref.num_examples) == (asked, used, used, used)
  # The statistics (cached under n360) are those of the whole split.
  mu, sigma = ref.statistics()
  pool = net(real)["pool"].numpy().astype(np.float64)
  np.testing.assert_allclose(mu, pool.mean(0), rtol=1e-5, atol=1e-5)
  np.testing.assert_allclose(sigma, np.cov(pool, rowvar=False), rtol=1e-4,
                             atol=1e-5)
  assert len(glob.glob(str(tmp_path / "digits-test-8px-n360-fake_net-*"))) == 3


def test_rows_record_the_reference_count_used(source_run, tmp_path):
  source, trainer = source_run
  model_dir = _empty_run(source, str(tmp_path / "run"))
  _copy_checkpoint(source, model_dir, 3, [])
  protocol = evaluation.EvalProtocol(num_samples=20, num_groups=2,
                                     reference_samples=5000, batch_size=20)
  evaluator = evaluation.Evaluator(model_dir, "is,fid,kid", protocol,
                                   FakeNetwork(),
                                   cache_dir=str(tmp_path / "cache"))
  rows = {r["metric"]: r for r in evaluation.evaluate_once(evaluator)}
  for metric in ("fid", "kid"):  # The digits' train split has 1,437.
    assert rows[metric]["reference_samples"] == 1437
    assert rows[metric]["details"] == {"reference_samples_requested": 5000}
  assert rows["is"]["reference_samples"] is None
  net = FakeNetwork()
  z = latent_vectors(20, TINY.z_dim, protocol.seed)
  fake = net(trainer.generator(z, balanced_labels(20, 10), training=False))
  real, _ = split_arrays("digits", "train", image_size=8, channels=1)
  expected = metrics.frechet_distance(fake["pool"].numpy(),
                                      net(real)["pool"].numpy())
  assert rows["fid"]["value"] == pytest.approx(expected, rel=1e-4)


class PoolOnlyNetwork(FakeNetwork):
  """FakeNetwork without logits, like the imported FID Inception."""
  name = "fake_pool_only"
  provides_logits = False

  def __call__(self, images):
    return {"pool": super().__call__(images)["pool"]}


def test_pool_only_network_gives_fid_kid_and_refuses_is(source_run, tmp_path):
  source, _ = source_run
  model_dirs = {}
  for name in ("pool_only", "with_logits"):
    model_dirs[name] = _empty_run(source, str(tmp_path / name))
    _copy_checkpoint(source, model_dirs[name], 3, [])
  for chosen in ("is", "quality", "fid,sqd"):
    with pytest.raises(ValueError, match="need class logits"):
      evaluation.Evaluator(model_dirs["pool_only"], chosen, PROTOCOL,
                           PoolOnlyNetwork())
  assert not os.path.exists(os.path.join(model_dirs["pool_only"],
                                         evaluation.RESULTS_FILE))
  values = {}
  for name, network in (("pool_only", PoolOnlyNetwork()),
                        ("with_logits", FakeNetwork())):
    evaluator = evaluation.Evaluator(model_dirs[name], "fid,kid", PROTOCOL,
                                     network, cache_dir=str(tmp_path / name))
    rows = evaluation.evaluate_once(evaluator)
    values[name] = {r["metric"]: (r["value"], r["std"]) for r in rows}
  # Same pool features: the missing logits change nothing.
  assert set(values["pool_only"]) == {"fid", "kid"}
  assert values["pool_only"] == values["with_logits"]
  assert values["pool_only"]["fid"][0] > 0


def test_restore_from_weights_only_reestimates_power_iterations(source_run,
                                                                 tmp_path):
  """A checkpoint with the weights (optimizer lists) but no spectral-norm
  vectors, as written before the networks tracked all their layers."""
  from tfgan_ext.evaluation import restore
  source, trainer = source_run
  path = tf.train.Checkpoint(
      g_optimizer=restore._variable_list(trainer.generator.trainable_variables),
      d_optimizer=restore._variable_list(
          trainer.discriminator.trainable_variables)).save(
              str(tmp_path / "weights"))
  _, g, d = workspace.build_models_for(source)
  assert restore.restore_networks(path, g, d) == len(
      [v for v in g.variables + d.variables if v.path.endswith("sn_u")])
  for a, b in zip(g.trainable_variables + d.trainable_variables,
                  trainer.generator.trainable_variables
                  + trainer.discriminator.trainable_variables):
    np.testing.assert_array_equal(a.numpy(), b.numpy())
  conv = d.blocks[0].conv1       # sigma from u is the top singular value
  matrix = conv._sn_matrix().numpy()
  sigma, _ = spectral_norm_estimate(matrix, conv.sn_u.value, update=False)
  assert float(sigma) == pytest.approx(
      np.linalg.svd(matrix, compute_uv=False)[0], rel=1e-3)
  unrelated = tf.train.Checkpoint(x=tf.Variable(1.0)).save(
      str(tmp_path / "other"))
  with pytest.raises(AssertionError):       # no weights: an error, not junk
    restore.restore_networks(unrelated, g, d)


# ------------------------------------------------------ conditioning metrics
class FakeProjectionD:
  """x = [a_0, a_1, a_2, b]: features h = a, D(x, y) = b + a_y."""
  num_classes = 3

  def features(self, x, training=False):
    return tf.constant(x)[:, :3]

  def class_scores(self, h, training=False):
    return h

  def __call__(self, x, labels, training=False):
    x = tf.cast(x, tf.float32)
    h = x[:, :3]
    return x[:, 3] + tf.gather(h, labels, axis=1, batch_dims=1), h


REAL = np.array([[3., 1., 0., -1.],    # label 0: argmax 0, D = 2 > 0
                 [0., 2., 1., -3.],    # label 1: argmax 1, D = -1
                 [1., 0., 2., 0.5],    # label 0: argmax 2, D = 1.5 > 0
                 [0., 5., 1., -0.5]],  # label 2: argmax 1, D = 0.5 > 0
                np.float32)
REAL_LABELS = np.array([0, 1, 0, 2])


def test_projection_logits_closed_form():
  logits = cond.projection_logits(FakeProjectionD(), tf.constant(REAL))
  np.testing.assert_allclose(logits, REAL[:, :3] + REAL[:, 3:], rtol=1e-6)


def test_conditioning_on_real_with_projection_and_with_a_head():
  d = FakeProjectionD()
  res = cond.conditioning_on_real(d, cond.projection_scorer(d), REAL,
                                  REAL_LABELS, batch_size=3)
  assert res == {"classifier_accuracy": 0.5, "projection_accuracy": 0.5,
                 "d_real_accuracy": 0.75}
  # A head that scores by -a: argmax = argmin a -> rows 1, 2, 3 -> 0, 0, 0.
  head = cond.ClassScorer(lambda x: -tf.constant(x)[:, :3], "aux_head")
  res = cond.conditioning_on_real(d, head, REAL, REAL_LABELS, batch_size=2)
  assert res["classifier_accuracy"] == 0.0
  assert res["projection_accuracy"] == 0.5
  with pytest.raises(ValueError):
    cond.projection_scorer(type("Uncond", (), {"num_classes": 0})())


def test_projection_logits_match_direct_calls_on_sagan():
  from tfgan_ext.models import build_models
  _, d = build_models(TINY)
  x = tf.random.stateless_uniform([5, 8, 8, 1], [1, 2], -1, 1)
  d(x, tf.zeros([5], tf.int32))
  direct = np.stack([d(x, tf.fill([5], k))[0].numpy() for k in range(10)], 1)
  np.testing.assert_allclose(cond.projection_logits(d, x), direct, rtol=1e-4,
                             atol=1e-5)


def test_head_scorer_found_through_wrappers():
  from tfgan_ext.models import build_models
  from tfgan_ext.objectives import build_objective
  _, d = build_models(TINY)
  x = tf.random.stateless_uniform([4, 8, 8, 1], [3, 4], -1, 1)
  d(x, tf.zeros([4], tf.int32))
  objective = build_objective(
      ObjectiveConfig(aux="multi_hinge", penalty="gp"), 10)
  objective.build(d)
  scorer = cond.find_head_scorer(objective, d, (8, 8, 1))
  assert scorer.source == "aux_head"
  head = objective.inner.head
  np.testing.assert_allclose(scorer.fn(x), head(d.features(x)), rtol=1e-5)
  shared = build_objective(ObjectiveConfig(aux="multi_hinge",
                                           critic="shared"), 10)
  shared.build(d)
  assert cond.find_head_scorer(shared, d).source == "shared_table"
  plain = build_objective(ObjectiveConfig(), 10)
  assert cond.find_head_scorer(plain, d) is None


# ----------------------------------------------------------- sample metrics
def test_chunked_intra_fid_uses_true_labels_and_matches_unchunked():
  calls = []

  def generate(z, labels):
    calls.append(labels.numpy().tolist())
    return z + 3.0 * tf.cast(labels, tf.float32)[:, None]

  class Identity:
    def __call__(self, x):
      return {"pool": x}

  rng = np.random.default_rng(1)
  real_labels = np.repeat(np.arange(5), 30)
  real = rng.standard_normal((150, 3)) + 3.0 * real_labels[:, None]
  mean, per = sm.chunked_intra_fid(
      generate, Identity(), real, real_labels, range(5), per_class=8,
      chunk=2, z_dim=3, seed=4, batch_size=100)
  assert calls == [[0] * 8 + [1] * 8, [2] * 8 + [3] * 8, [4] * 8]
  for index, ids in enumerate(([0, 1], [2, 3], [4])):
    labels = np.repeat(ids, 8)
    fake = latent_vectors(len(labels), 3, 4 + 1 + index) + 3.0 * labels[:, None]
    for k in ids:
      expected = metrics.frechet_distance(real[real_labels == k],
                                          fake[labels == k])
      assert per[k] == pytest.approx(expected, rel=1e-5)
  assert mean == pytest.approx(np.mean([per[k] for k in range(5)]))


def test_within_class_spread_hand_computed():
  # Class 0: generated points +-1 on axis 0 (trace of the sample covariance
  # 2 * 1 / 1 = 2); real points +-2 (trace 8): ratio 1/4. Class 1: the same
  # spread on both sides: ratio 1. Class 2 has one generated sample: skipped.
  gen = np.array([[1, 0], [-1, 0], [0, 3], [0, 5], [9, 9]], np.float64)
  gen_labels = np.array([0, 0, 1, 1, 2])
  real = np.array([[2, 0], [-2, 0], [1, 1], [1, 3], [0, 0], [1, 1]],
                  np.float64)
  real_labels = np.array([0, 0, 1, 1, 2, 2])
  mean, per_class = sm.within_class_spread(gen, gen_labels, real, real_labels)
  assert per_class == {0: pytest.approx(0.25), 1: pytest.approx(1.0)}
  assert mean == pytest.approx(0.625)
  with pytest.raises(ValueError, match="no class"):
    sm.within_class_spread(gen[:1], gen_labels[:1], real, real_labels)


def test_sample_metric_closed_forms():
  labels = balanced_labels(23, 10)
  assert np.bincount(labels).tolist() == [3, 3, 3] + [2] * 7
  logits = np.log(np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]))
  assert sm.quality_score(object(), {"logits": logits}) == pytest.approx(0.75)
  assert sm.sample_accuracy(logits, np.array([0, 1])) == 0.5
  centroids = np.eye(4)
  pool = np.repeat(centroids, 3, axis=0) + 0.01
  entropy, log_modes = sm.mode_diversity(pool, centroids)
  assert entropy == pytest.approx(np.log(4)) and log_modes == pytest.approx(
      np.log(4))


def test_stream_outputs_batches_and_order():
  seen = []
  out = stream_outputs(lambda z, y: z * 2.0,
                       {"a": lambda x, y: {"x": x, "y": y}},
                       np.arange(5, dtype=np.int32),
                       np.arange(10, dtype=np.float32).reshape(5, 2), 2,
                       progress=seen.append)
  np.testing.assert_array_equal(out["a"]["x"],
                                2 * np.arange(10).reshape(5, 2))
  np.testing.assert_array_equal(out["a"]["y"], np.arange(5))
  assert seen == [2, 4, 5]


# ------------------------------------------------------------- small pieces
def test_results_file_rows_keys_and_tensorboard(tmp_path):
  results = evaluation.ResultsFile(str(tmp_path))
  row = dict(step=5, metric="fid", value=np.float32(2.5), std=float("nan"),
             feature_network="net", num_samples=10, num_groups=2,
             reference_split="train")
  results.append([row, dict(row, step=6, value=3.5)])
  rows = results.rows()
  assert [r["value"] for r in rows] == [2.5, 3.5] and rows[0]["std"] is None
  assert (5, "fid", "net", 10, "train", "moving", "raw") in results.done_keys()
  # Samples made with batch statistics are another measurement.
  results.append([dict(row, value=4.5, bn_inference="batch")])
  assert (5, "fid", "net", 10, "train", "batch", "raw") in results.done_keys()
  scalars = read_scalars(str(tmp_path / "eval"))
  assert scalars["fid/net/n10"] == [(5, 2.5), (6, 3.5)]
  assert scalars["fid/net/n10/bn_batch"] == [(5, 4.5)]


def test_progress_lines_are_throttled():
  lines, now = [], [0.0]
  progress = Progress("gen", 100, every=10, log=lines.append,
                      clock=lambda: now[0])
  for done, t in ((10, 1), (20, 11), (30, 12), (100, 13)):
    now[0] = t
    progress.update(done)
  assert len(lines) == 2
  assert lines[0].startswith("gen: 20/100 (20%") and "100/100" in lines[1]


def test_parse_metrics_expands_groups():
  assert evaluation.parse_metrics("fid, conditioning,fid") == (
      ("fid",) + evaluation.CONDITIONING_METRICS)
  with pytest.raises(ValueError):
    evaluation.parse_metrics(" , ")


def test_eval_binary_once_prints_conditioning_metrics(source_run, tmp_path):
  source, _ = source_run
  model_dir = _empty_run(source, str(tmp_path / "run"))
  _copy_checkpoint(source, model_dir, 3, [])
  cmd = [sys.executable, "-m", "eval.run", f"--model_dir={model_dir}",
         "--metrics=conditioning", "--num_samples=50", "--once",
         "--conditioning_samples=100"]
  done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                        timeout=300)
  assert done.returncode == 0, done.stderr[-2000:]
  assert "self_accuracy [projection]" in done.stdout
  rows = evaluation.ResultsFile(model_dir).rows()
  assert {r["metric"] for r in rows} == set(evaluation.CONDITIONING_METRICS)


# ------------------------------------- statistics files, PR/DC rows
def _run_with_checkpoint(source, tmp_path, name="run"):
  model_dir = _empty_run(source, str(tmp_path / name))
  _copy_checkpoint(source, model_dir, 3, [])
  return model_dir, os.path.join(model_dir, "ckpt-3")


def _sha256(path):
  with open(path, "rb") as f:
    return hashlib.sha256(f.read()).hexdigest()


def test_fid_against_a_statistics_file_round_trip(source_run, tmp_path):
  source, _ = source_run
  model_dir, ckpt = _run_with_checkpoint(source, tmp_path)
  cache = str(tmp_path / "cache")
  usual = evaluation.Evaluator(model_dir, "fid", PROTOCOL, FakeNetwork(),
                               cache_dir=cache).evaluate(ckpt)[0]
  path = str(tmp_path / "stats" / "digits_train.npz")
  written = stats_file.write_split_stats(
      path, FakeNetwork(), "digits", "train", image_size=TINY.image_size,
      channels=TINY.channels, num_samples=PROTOCOL.reference_samples,
      cache_dir=cache)
  with np.load(path) as data:
    assert (data["mu"].dtype, data["sigma"].dtype) == (np.float64,
                                                        np.float64)
    assert (data["mu"].shape, data["sigma"].shape) == ((6,), (6, 6))
    assert int(data["num_examples"]) == 300
  assert written.sha256 == _sha256(path)

  # Same job, same checkpoint: the file's FID is a new row (another key).
  with_file = evaluation.Evaluator(model_dir, "is,fid", PROTOCOL,
                                   FakeNetwork(), cache_dir=cache,
                                   reference_stats=path)
  rows = {r["metric"]: r for r in with_file.evaluate(ckpt)}
  assert set(rows) == {"is", "fid"}
  fid = rows["fid"]
  assert fid["value"] == pytest.approx(usual["value"], rel=1e-12)
  assert fid["reference_stats"] == {"path": os.path.abspath(path),
                                    "sha256": _sha256(path),
                                    "num_examples": 300}
  assert fid["reference_split"] == f"file:digits_train.npz@{_sha256(path)[:12]}"
  assert fid["reference_samples"] == 300
  assert "reference_stats" not in usual and usual["reference_split"] == "train"
  stored = evaluation.ResultsFile(model_dir).rows()
  assert sorted(r["reference_split"] for r in stored
                if r["metric"] == "fid") == sorted(
                    ["train", fid["reference_split"]])



def test_statistics_files_are_checked_before_anything_is_written(
    source_run, tmp_path):
  source, _ = source_run
  model_dir, _ = _run_with_checkpoint(source, tmp_path)
  rng = np.random.default_rng(0)

  def evaluator(path, metrics_spec="fid"):
    return evaluation.Evaluator(model_dir, metrics_spec, PROTOCOL,
                                FakeNetwork(), reference_stats=path)

  five = str(tmp_path / "five.npz")
  np.savez(five, mu=np.zeros(5), sigma=np.eye(5))
  with pytest.raises(ValueError, match="5-dimensional statistics, but the "
                     "feature network gives 6"):
    evaluator(five)
  six = str(tmp_path / "six.npz")
  np.savez(six, mu=rng.standard_normal(6), sigma=np.eye(6))
  with pytest.raises(ValueError, match=r"\['kid', 'precision'\] need real "
                     "features"):
    evaluator(six, "fid,kid,precision,is")
  with pytest.raises(ValueError, match="only by fid"):
    evaluator(six, "is")
  keys = str(tmp_path / "keys.npz")
  np.savez(keys, m=np.zeros(6), s=np.eye(6))
  with pytest.raises(ValueError, match="need 'mu'"):
    evaluator(keys)
  bad = str(tmp_path / "bad.npz")
  np.savez(bad, mu=np.zeros(6), sigma=np.eye(5))
  with pytest.raises(ValueError, match=r"sigma \(5, 5\)"):
    evaluator(bad)
  nan = str(tmp_path / "nan.npz")
  np.savez(nan, mu=np.full(6, np.nan), sigma=np.eye(6))
  with pytest.raises(ValueError, match="NaN"):
    evaluator(nan)
  text = str(tmp_path / "text.npz")
  with open(text, "w") as f:
    f.write("mu sigma")
  with pytest.raises(ValueError, match="not a NumPy .npz"):
    evaluator(text)
  with pytest.raises(FileNotFoundError, match="eval.write_stats"):
    evaluator(str(tmp_path / "missing.npz"))
  assert not os.path.exists(os.path.join(model_dir, evaluation.RESULTS_FILE))
  assert not os.path.exists(os.path.join(model_dir, "eval"))


def test_pytorch_fid_and_ttur_files_load(tmp_path):
  rng = np.random.default_rng(1)
  mu = rng.standard_normal(2048)
  factor = rng.standard_normal((2048, 64))
  sigma = factor @ factor.T
  torch_style = str(tmp_path / "pytorch_fid.npz")
  np.savez(torch_style, mu=mu, sigma=sigma)
  loaded = stats_file.load_reference_stats(torch_style, feature_dim=2048)
  assert loaded.mu.dtype == loaded.sigma.dtype == np.float64
  np.testing.assert_array_equal(loaded.sigma, sigma)
  assert (loaded.num_examples, loaded.key) == (None, None)
  ttur_style = str(tmp_path / "ttur.npz")  # float32 arrays
  np.savez(ttur_style, mu=mu.astype(np.float32),
           sigma=sigma.astype(np.float32))
  loaded = stats_file.load_reference_stats(ttur_style, feature_dim=2048)
  assert loaded.sigma.dtype == np.float64
  np.testing.assert_array_equal(loaded.mu, mu.astype(np.float32))
  with pytest.raises(ValueError, match="2048-dimensional"):
    stats_file.load_reference_stats(ttur_style, feature_dim=64)


def test_write_stats_binary_matches_the_eval_job(source_run, tmp_path):
  from tfgan_ext.evaluation import domain_classifier
  from tfgan_ext.metrics.domain_networks import ClassifierNetwork
  source, _ = source_run
  model_dir, ckpt = _run_with_checkpoint(source, tmp_path)
  classifier = str(tmp_path / "classifier")
  domain_classifier.train_and_save("digits", 8, 1, classifier, epochs=1)
  out = str(tmp_path / "real.npz")
  cmd = [sys.executable, "-m", "eval.write_stats", f"--model_dir={model_dir}",
         f"--classifier_path={classifier}", "--num_samples=300",
         f"--batch_size={PROTOCOL.batch_size}",
         f"--out={out}", f"--stats_cache_dir={tmp_path / 'cache'}"]
  done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                        timeout=300)
  assert done.returncode == 0, done.stderr[-2000:]
  assert f"sha256 {_sha256(out)}" in done.stdout
  network = ClassifierNetwork(classifier)
  usual = evaluation.Evaluator(model_dir, "fid", PROTOCOL,
                               network).evaluate(ckpt)[0]   # no cache
  via_file = evaluation.Evaluator(model_dir, "fid", PROTOCOL, network,
                                  reference_stats=out).evaluate(ckpt)[0]
  assert via_file["value"] == pytest.approx(usual["value"], rel=1e-9)
  assert via_file["reference_stats"]["sha256"] == _sha256(out)
  with np.load(out) as data:
    assert data["mu"].shape == (network.feature_dim,)


def test_prdc_rows_of_the_eval_job(source_run, tmp_path):
  source, _ = source_run
  model_dir, ckpt = _run_with_checkpoint(source, tmp_path)
  evaluator = evaluation.Evaluator(model_dir, "prdc,fid", PROTOCOL,
                                   FakeNetwork())
  # The 3-step generator is far from the data (all four would be 0): let
  # held-out digits stand in for its samples, in the job's two batches.
  held_out, _ = split_arrays("digits", "test", image_size=8, channels=1,
                             max_examples=100)
  batches = iter(np.split(held_out, 2))
  evaluator.generate = lambda z, y: tf.constant(next(batches))
  rows = {r["metric"]: r for r in evaluator.evaluate(ckpt)}
  assert set(rows) == {"precision", "recall", "density", "coverage", "fid"}
  net = FakeNetwork()
  real, _ = split_arrays("digits", "train", image_size=8, channels=1,
                         max_examples=300)
  want = metrics.precision_recall_density_coverage(
      net(real)["pool"].numpy(), net(held_out)["pool"].numpy())
  assert all(0 < want[n] < 1 for n in ("precision", "recall", "coverage"))
  for name in ("precision", "recall", "density", "coverage"):
    row = rows[name]
    assert row["value"] == pytest.approx(want[name], abs=1e-12), name
    assert row["details"] == {"k": 3}
    assert (row["reference_samples"], row["reference_split"],
            row["num_samples"]) == (300, "train", 100)
  assert evaluator._real_sq_radii.shape == (300,)   # kept for the next step
  assert evaluation.parse_metrics("prdc") == evaluation.PRDC_METRICS
