"""SQD monitors: weight angles vs NumPy, Q/D callback, turning-point rule."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import monitors
from tfgan_ext.evaluation.report import read_scalars
from tfgan_ext.evaluation.sampling import balanced_labels, latent_vectors
from tfgan_ext.metrics.domain_networks import MixtureNetwork
from tfgan_ext.models import ModelConfig
from tfgan_ext.monitors.turning_point import TurningPoint
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.trainer import Trainer

TINY = ModelConfig("sagan", image_size=8, channels=1, num_classes=10,
                   z_dim=8, gf=4, df=4)


def _config(**overrides):
  base = dict(model=TINY, dataset="digits", batch_size=16, max_steps=4,
              save_every=2, summary_every=1, image_every=100, seed=5)
  base.update(overrides)
  return TrainConfig(**base)


def _numpy_angle(a, b):
  """Angle between two weight lists, flattened, by arccos in float64."""
  u = np.concatenate([np.ravel(x) for x in a]).astype(np.float64)
  v = np.concatenate([np.ravel(x) for x in b]).astype(np.float64)
  cos = u @ v / (np.linalg.norm(u) * np.linalg.norm(v))
  return float(np.arccos(np.clip(cos, -1.0, 1.0)))


# ----------------------------------------------------------------------- S
def test_weight_angles_match_numpy_over_two_steps(tmp_path):
  monitor = monitors.WeightAngleMonitor()
  trainer = Trainer(_config(), str(tmp_path), monitors=[monitor],
                    callbacks=[monitor])
  # Move the weights away from the copies taken at build time: the reset in
  # on_train_begin must make the first angle start from these weights.
  trainer.g_vars[0].assign(trainer.g_vars[0] * 1.5)
  monitor.on_train_begin(trainer)
  snap = lambda: ([v.numpy().copy() for v in trainer.g_vars],
                  [v.numpy().copy() for v in trainer.d_vars])
  weights, angles = [snap()], []
  for _ in range(2):
    logs = trainer._train_step(trainer.iterator)
    angles.append((float(logs["sqd/angle_g"]), float(logs["sqd/angle_d"])))
    weights.append(snap())
  for step in range(2):
    (g0, d0), (g1, d1) = weights[step], weights[step + 1]
    expected = (_numpy_angle(g0, g1), _numpy_angle(d0, d1))
    assert expected[0] > 1e-5 and expected[1] > 1e-5
    np.testing.assert_allclose(angles[step], expected, rtol=2e-3)
  # Step 2's angle is measured from step 1's weights, not the initial ones.
  assert abs(angles[1][0] - _numpy_angle(weights[0][0], weights[2][0])) > 1e-6


# -------------------------------------------------------------- turning points
def _feed(detector, angles, measurements, every):
  """angles: per-step G angles (D constant); measurements: {step: (q, d)}."""
  found = []
  for step, angle in enumerate(angles, start=1):
    detector.observe_angles(step, angle, 0.01)
    if step % every == 0:
      point = detector.observe_quality(step, *measurements[step])
      if point:
        found.append(point)
  return found


def _series(jump_at=None, drop_at=None, drop=0.3, steps=400, every=50):
  rng = np.random.default_rng(0)
  angles = 0.01 * (1.0 + 0.1 * rng.random(steps))
  if jump_at:
    angles[jump_at - 1] = 0.05            # 5x the running median.
  measurements = {}
  for step in range(every, steps + 1, every):
    q, d = 0.5 + step / 2000, 1.0 + step / 1000   # slowly improving
    if drop_at and step >= drop_at:
      q, d = q * (1 - drop), d * (1 - drop)
    measurements[step] = (q, d)
  return angles, measurements


def test_turning_point_needs_jump_and_both_drops():
  every = 50
  make = lambda: monitors.TurningPointDetector(angle_factor=3.0, window=100,
                                               drop=0.1, horizon=every)
  angles, meas = _series(jump_at=230, drop_at=250)
  found = _feed(make(), angles, meas, every)
  assert len(found) == 1
  point = found[0]
  assert (point.step, point.jump_step, point.network) == (250, 230, "g")
  assert point.angle_ratio > 4.0
  q_best, d_best = meas[200]
  assert point.best_quality == pytest.approx(q_best)
  assert point.best_diversity == pytest.approx(d_best)
  # No jump, or no drop, or too small a drop, or a jump long before: none.
  assert not _feed(make(), *_series(drop_at=250), every)
  assert not _feed(make(), *_series(jump_at=230), every)
  assert not _feed(make(), *_series(jump_at=230, drop_at=250, drop=0.05),
                   every)
  assert not _feed(make(), *_series(jump_at=130, drop_at=250), every)


def test_turning_point_only_one_drop_is_not_enough():
  detector = monitors.TurningPointDetector(window=10, min_history=5,
                                           horizon=10)
  for step in range(1, 11):
    detector.observe_angles(step, 0.01, 0.01)
  detector.observe_quality(10, 0.9, 2.0)
  detector.observe_angles(11, 0.01, 0.2)      # D's angle jumps.
  assert detector.observe_quality(12, 0.5, 1.95) is None  # D fell only 2.5%.
  detector.observe_angles(13, 0.01, 0.2)
  point = detector.observe_quality(14, 0.5, 1.5)
  assert point is not None and point.network == "d" and point.jump_step == 13


def test_turning_point_ignores_jumps_before_min_history():
  detector = monitors.TurningPointDetector(window=50, min_history=20)
  assert not any(detector.observe_angles(s, 0.01 * s, 0.01)
                 for s in range(1, 20))
  with pytest.raises(ValueError):
    monitors.TurningPointDetector(angle_factor=0.5)
  with pytest.raises(ValueError):
    monitors.TurningPointDetector(drop=1.5)
  with pytest.raises(ValueError, match="angle_factor"):
    monitors.TurningPointDetector(angle_factor=float("nan"))
  with pytest.raises(ValueError, match="min_history"):
    monitors.TurningPointDetector(window=5, min_history=6)


# ------------------------------------------------------------------- Q and D
def test_mixture_domain_quality_and_diversity_closed_forms():
  domain = monitors.mixture_domain("ring8")
  centers = domain.network.centers
  far = centers * 1.5                       # 0.5 from any centre: > 3 std.
  points = np.concatenate([np.repeat(centers, 5, 0), far]).astype(np.float32)
  values = domain.measure(points)
  assert values["quality"] == pytest.approx(40 / 48)
  outputs = domain.network(points)
  assert np.array_equal(np.argmax(outputs["logits"], 1),
                        np.concatenate([np.repeat(np.arange(8), 5),
                                        np.arange(8)]))
  # Every mode equally often: the James-Stein entropy is log 8 exactly.
  assert values["diversity"] == pytest.approx(np.log(8))
  assert values["log_num_modes"] == pytest.approx(np.log(8))
  collapsed = domain.measure(np.repeat(centers[:1], 40, 0).astype(np.float32))
  assert collapsed["diversity"] < 0.1


class _FakeImageNetwork:
  """Q = sigmoid of the image mean; embedding = [mean, 0]."""
  name = "fake_domain"
  feature_dim = 2
  num_classes = 2

  def __call__(self, images):
    mean = tf.reduce_mean(tf.cast(images, tf.float32), axis=[1, 2, 3])
    return {"logits": tf.stack([mean, -mean], 1),
            "pool": tf.stack([mean, tf.zeros_like(mean)], 1)}

  def quality(self, outputs):
    return 1.0 / (1.0 + np.exp(-np.asarray(outputs["logits"])[:, 0]))


class _StopAtStep4(monitors.TurningPointDetector):
  def observe_quality(self, step, quality, diversity):
    if step == 4:
      return TurningPoint(4, 3, "g", 5.0, quality, 1.0, diversity, 1.0)
    return None


def test_sqd_callback_logs_q_d_and_stops_at_turning_point(tmp_path):
  domain = monitors.Domain(_FakeImageNetwork(), np.array([[-1.0, 0.0],
                                                          [1.0, 0.0]]))
  callback = monitors.SqdCallback(domain, every=2, num_samples=30, seed=7)
  stopper = monitors.SqdCallback(domain, every=1, num_samples=10,
                                 detector=_StopAtStep4(),
                                 stop_at_turning_point=True)
  run = str(tmp_path)
  trainer = Trainer(_config(max_steps=6, save_every=100), run,
                    callbacks=[callback, stopper])
  result = trainer.train()  # The Trainer ends the stopped run itself.
  assert result.step == 4 and int(trainer.step) == 4
  assert "turning point" in result.stopped_early
  assert [h["step"] for h in callback.history] == [2, 4]
  # Independent: the same fixed inputs through the generator at step 4.
  z = latent_vectors(30, TINY.z_dim, 7)
  labels = balanced_labels(30, TINY.num_classes)
  samples = trainer.generator(z, labels, training=False).numpy()
  mean = samples.mean(axis=(1, 2, 3))
  expected_q = np.mean(1 / (1 + np.exp(-mean)))
  assert callback.history[-1]["quality"] == pytest.approx(expected_q, rel=1e-5)
  scalars = read_scalars(os.path.join(run, "train"))
  assert [s for s, _ in scalars["sqd/quality"]][:2] == [1, 2]
  assert scalars["sqd/turning_point"][-1] == (4, 1.0)
  assert "sqd/diversity" in scalars and "sqd/log_num_modes" in scalars
  # The stop: a checkpoint at step 4, a turning-point row, TRAINING_DONE.
  assert tf.train.latest_checkpoint(run).endswith("ckpt-4")
  with open(os.path.join(run, "TRAINING_DONE")) as f:
    done = json.load(f)
  assert done["step"] == 4 and "turning point" in done["stopped_early"]
  with open(os.path.join(run, monitors.TURNING_POINTS_FILE)) as f:
    rows = [json.loads(line) for line in f]
  assert [(r["step"], r["jump_step"]) for r in rows] == [(4, 3)]


def test_sqd_callback_rejects_bad_settings(tmp_path):
  domain = monitors.mixture_domain("ring8")
  with pytest.raises(ValueError, match="every"):
    monitors.SqdCallback(domain, every=0)
  with pytest.raises(ValueError, match="TurningPointDetector"):
    monitors.SqdCallback(domain, stop_at_turning_point=True)
  with pytest.raises(ValueError, match="does not fit"):
    Trainer(_config(), str(tmp_path), callbacks=[monitors.SqdCallback(domain)])
  assert not os.path.exists(tmp_path / "config.json")


# ------------------------------------------------------------ train flags
@pytest.fixture
def parse_flags(monkeypatch, tmp_path):
  import logging as std_logging
  from tfgan_ext.cli import monitor_flags, train_flags  # noqa: F401
  monkeypatch.chdir(tmp_path)          # no classifiers/ here
  flags = train_flags.FLAGS
  absl_logger = std_logging.getLogger("absl")
  level = absl_logger.level

  def parse(*args):
    flags.unparse_flags()
    flags(["train", "--model_dir=unused", *args])
    return monitor_flags.monitors_from_flags
  yield parse
  flags.unparse_flags()
  # unparse_flags leaves absl's logger at WARNING; later tests read INFO logs.
  absl_logger.setLevel(level)


def test_monitor_flags_build_monitors_or_refuse(parse_flags):
  digits = _config()
  assert parse_flags()(digits) == ([], [])
  step_monitors, callbacks = parse_flags("--sqd")(digits)
  assert len(step_monitors) == 1 and callbacks == step_monitors
  assert isinstance(step_monitors[0], monitors.WeightAngleMonitor)
  with pytest.raises(ValueError, match="--sqd"):
    parse_flags("--stop_at_turning_point")(digits)
  with pytest.raises(ValueError, match="needs Q and D"):
    parse_flags("--sqd", "--stop_at_turning_point")(digits)
  with pytest.raises(ValueError, match="sqd_every"):
    parse_flags("--sqd", "--sqd_every=0")(digits)
  ring = TrainConfig(model=ModelConfig("mlp", channels=2, z_dim=2),
                     dataset="ring8")
  _, callbacks = parse_flags("--sqd", "--sqd_every=7",
                             "--stop_at_turning_point")(ring)
  sqd = callbacks[-1]
  assert isinstance(sqd, monitors.SqdCallback) and sqd.every == 7
  assert isinstance(sqd.domain.network, MixtureNetwork)
  assert sqd.stop_at_turning_point and sqd.detector.horizon == 7
  # Settings that only act with --sqd, and non-finite or out-of-range ones,
  # are refused before any data is read.
  with pytest.raises(ValueError, match="--turning_drop belong"):
    parse_flags("--turning_drop=0.2")(ring)
  for bad, flag in (("--turning_angle_factor=nan", "--turning_angle_factor"),
                    ("--turning_angle_factor=inf", "--turning_angle_factor"),
                    ("--turning_drop=1.5", "--turning_drop"),
                    ("--turning_window=0", "--turning_window"),
                    ("--sqd_real_samples=-1", "--sqd_real_samples")):
    with pytest.raises(ValueError, match=flag):
      parse_flags("--sqd", bad)(ring)
