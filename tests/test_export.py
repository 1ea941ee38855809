"""Samples and generators that leave the project (eval.sample,
eval.export_generator), and runs in TensorBoard's HParams tab."""

import csv
import dataclasses
import json
import os
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest
import tensorflow as tf
from tensorboard.plugins.hparams import metadata as hp_metadata

from tfgan_ext import export
from tfgan_ext import hparams
from tfgan_ext.errors import EXIT_BAD_INPUT, InputError
from tfgan_ext.evaluation import ResultsFile, sample_files
from tfgan_ext.models import ModelConfig
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.trainer import Trainer

TINY = ModelConfig("sagan", image_size=16, channels=1, num_classes=10,
                   z_dim=16, gf=8, df=8)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
  """A 2-step digits run (checkpoints at steps 1 and 2) and its trainer,
  whose in-memory generator holds the step-2 weights."""
  model_dir = str(tmp_path_factory.mktemp("runs") / "digits_tiny")
  config = TrainConfig(model=TINY, dataset="digits", batch_size=16,
                       max_steps=2, save_every=1, summary_every=1,
                       image_every=100, seed=3)
  trainer = Trainer(config, model_dir)
  trainer.train()
  return model_dir, config, trainer


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _main(module: str, **values) -> subprocess.CompletedProcess:
  """Runs a binary (`python -m module --flag=value ...`) in a subprocess: its
  flags (--model_dir, --seed, ...) would clash with other binaries' in the
  test process."""
  args = [f"--{k}={v}" for k, v in values.items() if v is not None]
  return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT,
                        capture_output=True, text=True, timeout=300)


def _expected_pixels(generator, z, labels, batch_size):
  """uint8 of G(z, y) batch by batch, rounded here independently."""
  out = []
  for i in range(0, len(z), batch_size):
    x = generator(z[i:i + batch_size], labels[i:i + batch_size],
                  training=False).numpy()
    scaled = (x + np.float32(1)) * np.float32(127.5) + np.float32(0.5)
    out.append(np.floor(np.clip(scaled, 0, 255)).astype(np.uint8))
  return np.concatenate(out)


def test_sample_files_decode_to_generator_pixels(run, tmp_path):
  model_dir, _, trainer = run
  n, seed, batch = 25, 7, 10
  z = np.random.default_rng(seed).standard_normal((n, 16)).astype(np.float32)
  labels = np.arange(n, dtype=np.int32) % 10
  expected = _expected_pixels(trainer.generator, z, labels, batch)
  assert len(np.unique(expected)) > 10  # Not a blank image.
  common = dict(model_dir=model_dir, num_samples=n, seed=seed,
                batch_size=batch, progress_every=0.0)

  npz = str(tmp_path / "samples.npz")
  proc = _main("eval.sample", out=npz, format="npz", **common)
  assert proc.returncode == 0, proc.stderr
  with np.load(npz) as f:
    assert f.files == ["arr_0", "labels"]
    assert f["arr_0"].dtype == np.uint8 and f["arr_0"].shape == (n, 16, 16, 1)
    np.testing.assert_array_equal(f["arr_0"], expected)
    np.testing.assert_array_equal(f["labels"], labels)
    assert np.bincount(f["labels"]).tolist() == [3] * 5 + [2] * 5
  with open(str(tmp_path / "samples.json")) as f:
    record = json.load(f)
  assert record["step"] == 2 and record["checkpoint"].endswith("ckpt-2")
  assert record["seed"] == seed and record["shape"] == [n, 16, 16, 1]
  progress = [line for line in proc.stderr.splitlines() if "samples: " in line]
  assert [p.split("samples: ")[1].split(" ")[0] for p in progress] == [
      "10/25", "20/25", "25/25"]

  # The library with the trainer's (unrestored) G: PNG files, and RGB.
  generate = lambda z, y: trainer.generator(z, y, training=False)
  spec = sample_files.SampleSpec(num_samples=n, z_dim=16, num_classes=10,
                                 image_shape=(16, 16, 1), seed=seed,
                                 batch_size=batch)
  rgb = sample_files.write_samples(
      generate, dataclasses.replace(spec, rgb=True), str(tmp_path / "rgb.npz"),
      "npz")
  with np.load(rgb) as f:
    np.testing.assert_array_equal(f["arr_0"], np.repeat(expected, 3, -1))
  png = sample_files.write_samples(generate, spec, str(tmp_path / "png"),
                                   "png")
  with open(os.path.join(png, "labels.csv")) as f:
    rows = list(csv.DictReader(f))
  assert [r["file"] for r in rows] == [f"{i:06d}_class{i % 10}.png"
                                       for i in range(n)]
  assert [int(r["label"]) for r in rows] == labels.tolist()
  decoded = np.stack([np.asarray(Image.open(os.path.join(png, r["file"])))
                      for r in rows])
  np.testing.assert_array_equal(decoded, expected[..., 0])
  assert sorted(os.listdir(tmp_path)) == ["png", "rgb.json", "rgb.npz",
                                          "samples.json", "samples.npz"]


def test_unconditional_samples_have_no_labels(tmp_path):
  spec = sample_files.SampleSpec(num_samples=3, z_dim=16, num_classes=0,
                                 image_shape=(4, 4, 1), batch_size=2)
  generate = lambda z, y: tf.reshape(tf.tanh(z), [-1, 4, 4, 1])
  npz = sample_files.write_samples(generate, spec, str(tmp_path / "u.npz"),
                                   "npz")
  png = sample_files.write_samples(generate, spec, str(tmp_path / "u"), "png")
  z = np.random.default_rng(0).standard_normal((3, 16)).astype(np.float32)
  scaled = (tf.tanh(z).numpy() + np.float32(1)) * np.float32(127.5) + 0.5
  with np.load(npz) as f:
    assert f.files == ["arr_0"]
    np.testing.assert_array_equal(f["arr_0"].reshape(3, 16),
                                  np.floor(np.clip(scaled, 0, 255)))
  assert sorted(os.listdir(png)) == ["000000.png", "000001.png", "000002.png",
                                     "samples.json"]


def test_sample_bad_input_writes_nothing(run, tmp_path):
  model_dir = run[0]
  out = str(tmp_path / "s.npz")
  proc = _main("eval.sample", model_dir=model_dir, out=out, format="npz",
               num_samples=4, checkpoint="ckpt-99")
  assert proc.returncode == EXIT_BAD_INPUT
  assert "'ckpt-99' not found" in proc.stderr
  assert "Traceback" not in proc.stderr
  with pytest.raises(InputError, match="must end in .npz"):
    sample_files.check_output(str(tmp_path / "s"), "npz")
  spec = sample_files.SampleSpec(num_samples=0, z_dim=16, num_classes=10,
                                 image_shape=(16, 16, 1), seed=0,
                                 batch_size=10)
  with pytest.raises(InputError, match="--num_samples must be >= 1; got 0"):
    spec.validate()
  with pytest.raises(InputError, match="--seed must be >= 0"):
    dataclasses.replace(spec, num_samples=4, seed=-1).validate()
  assert os.listdir(tmp_path) == []


# Runs in a fresh interpreter (-I: no PYTHONPATH, no script directory) from a
# directory outside the project, so tfgan_ext cannot be imported there.
_LOADER = r"""
import json, sys
try:
  import tfgan_ext
except ModuleNotFoundError:
  pass
else:
  raise SystemExit("tfgan_ext is importable in the fresh process")
import numpy as np
import tensorflow as tf
import tensorflow_hub as hub

export_dir, io_dir = sys.argv[1:]
z = tf.constant(np.load(io_dir + "/z.npy"))
labels = tf.constant(np.load(io_dir + "/labels.npy"))
out, meta = {}, {}
for name, obj in (("tf", tf.saved_model.load(export_dir)),
                  ("hub", hub.load(export_dir))):
  served = obj.signatures["serving_default"](z=z, labels=labels)
  out[name + "_images"] = served["images"].numpy()
  out[name + "_uint8"] = served["images_uint8"].numpy()
  out[name + "_call"] = obj(z, labels).numpy()
  meta[name] = dict(z_dim=int(obj.z_dim.numpy()),
                    num_classes=int(obj.num_classes.numpy()),
                    image_shape=obj.image_shape.numpy().tolist(),
                    step=int(obj.step.numpy()),
                    checkpoint=obj.checkpoint.numpy().decode())
try:
  obj(z[:1], tf.constant([10], tf.int32))
  meta["bad_label"] = "accepted"
except tf.errors.InvalidArgumentError:
  meta["bad_label"] = "rejected"
meta["tfgan_ext_loaded"] = any(m.startswith("tfgan_ext") for m in sys.modules)
np.savez(io_dir + "/out.npz", **out)
with open(io_dir + "/meta.json", "w") as f:
  json.dump(meta, f)
"""


def test_exported_generator_runs_without_the_project(run, tmp_path):
  model_dir, _, trainer = run
  export_dir = str(tmp_path / "export")
  proc = _main("eval.export_generator", model_dir=model_dir, out=export_dir)
  assert proc.returncode == 0, proc.stderr
  with open(os.path.join(export_dir, "assets", "generator.json")) as f:
    asset = json.load(f)
  assert (asset["z_dim"], asset["num_classes"], asset["image_shape"],
          asset["step"]) == (16, 10, [16, 16, 1], 2)

  io_dir = tmp_path / "io"
  io_dir.mkdir()
  z = np.random.default_rng(5).standard_normal((12, 16)).astype(np.float32)
  labels = np.arange(12, dtype=np.int32) % 10
  np.save(io_dir / "z.npy", z)
  np.save(io_dir / "labels.npy", labels)
  env = {"PATH": os.environ.get("PATH", ""), "TF_CPP_MIN_LOG_LEVEL": "2",
         "CUDA_VISIBLE_DEVICES": "", "HOME": str(tmp_path)}
  proc = subprocess.run(
      [sys.executable, "-I", "-c", _LOADER, export_dir, str(io_dir)],
      cwd=str(io_dir), env=env, capture_output=True, text=True, timeout=300)
  assert proc.returncode == 0, proc.stderr[-3000:]

  with open(io_dir / "meta.json") as f:
    meta = json.load(f)
  assert not meta["tfgan_ext_loaded"] and meta["bad_label"] == "rejected"
  for name in ("tf", "hub"):
    assert meta[name] == dict(z_dim=16, num_classes=10,
                              image_shape=[16, 16, 1], step=2,
                              checkpoint=os.path.join(model_dir, "ckpt-2"))
  reference = trainer.generator(z, labels, training=False).numpy()
  out = np.load(io_dir / "out.npz")
  for name in ("tf", "hub"):
    images = out[name + "_images"]
    assert images.shape == (12, 16, 16, 1) and images.dtype == np.float32
    np.testing.assert_allclose(images, reference, rtol=0, atol=1e-5)
    np.testing.assert_array_equal(out[name + "_call"], images)
    scaled = (images + np.float32(1)) * np.float32(127.5) + np.float32(0.5)
    np.testing.assert_array_equal(
        out[name + "_uint8"], np.floor(np.clip(scaled, 0, 255)).astype(np.uint8))


def test_export_refuses_a_non_empty_dir(tmp_path):
  (tmp_path / "x").mkdir()
  (tmp_path / "x" / "keep").write_text("")
  with pytest.raises(InputError, match="not an empty directory"):
    export.check_export_dir(str(tmp_path / "x"))
  assert os.listdir(tmp_path / "x") == ["keep"]


def _sessions(logdir):
  """(group name, {hparam: value}) of every HParams session record."""
  found = []
  for name in sorted(os.listdir(logdir)):
    for record in tf.data.TFRecordDataset(os.path.join(logdir, name)):
      event = tf.compat.v1.Event.FromString(record.numpy())
      for value in event.summary.value:
        if value.tag == hp_metadata.SESSION_START_INFO_TAG:
          info = hp_metadata.parse_session_start_info_plugin_data(
              value.metadata.plugin_data.content)
          found.append((info.group_name, {
              k: getattr(v, v.WhichOneof("kind"))
              for k, v in info.hparams.items()}))
  return found


def _row(step, metric, value):
  return dict(step=step, metric=metric, value=value, std=None,
              feature_network="net", num_samples=100, num_groups=1,
              reference_split="train", reference_samples=100, batch_size=50,
              dataset="digits", checkpoint=f"ckpt-{step}", details={})


def _session_groups(logdir, sort_tag):
  """What the HParams tab lists for `logdir`: TensorBoard's own backend."""
  from tensorboard import context
  from tensorboard.backend.event_processing import data_provider
  from tensorboard.backend.event_processing import plugin_event_multiplexer
  from tensorboard.plugins import base_plugin
  from tensorboard.plugins.hparams import (api_pb2, backend_context,
                                           get_experiment, list_session_groups)
  mux = plugin_event_multiplexer.EventMultiplexer()
  mux.AddRunsFromDirectory(logdir)
  mux.Reload()
  ctx = backend_context.Context(base_plugin.TBContext(
      data_provider=data_provider.MultiplexerDataProvider(mux, logdir),
      logdir=logdir))
  request_context = context.RequestContext()
  experiment = get_experiment.Handler(
      request_context, ctx, "", api_pb2.GetExperimentRequest()).run()
  request = api_pb2.ListSessionGroupsRequest(
      allowed_statuses=[api_pb2.STATUS_UNKNOWN], start_index=0,
      slice_size=10, col_params=[api_pb2.ColParams(
          metric=api_pb2.MetricName(tag=sort_tag), order=api_pb2.ORDER_ASC)])
  groups = list_session_groups.Handler(request_context, ctx, "",
                                       request).run().session_groups
  return experiment, groups


def test_hparams_join_train_and_eval_per_run(run, tmp_path):
  model_dir, config, _ = run
  train_logs = os.path.join(model_dir, "train")
  # A restarted train job adds no second record.
  writer = tf.summary.create_file_writer(train_logs)
  hparams.write_train_session(config, model_dir, writer)
  writer.close()
  (trial, settings), = _sessions(train_logs)
  assert trial.startswith("digits_tiny-") and len(trial) == 12 + 8
  assert (settings["model.gf"], settings["g_lr"], settings["batch_size"],
          settings["objective.loss"], settings["init_from"],
          settings["deterministic"]) == (8, pytest.approx(1e-4), 16,
                                         "hinge", "None", False)
  nested = {"model": ModelConfig, "objective": ObjectiveConfig}
  assert set(settings) == (
      {f.name for f in dataclasses.fields(TrainConfig)} - set(nested)
      | {f"{p}.{f.name}" for p, cls in nested.items()
         for f in dataclasses.fields(cls)})

  # The eval job: final FID 40 (step 2), best 30 (step 1); IS best 3.
  results = ResultsFile(model_dir)
  results.append([_row(1, "fid", 30.0), _row(1, "is", 2.0)])
  results.append([_row(2, "fid", 40.0), _row(2, "is", 3.0),
                  _row(2, "d_real_accuracy_train", 0.5)])
  assert _sessions(os.path.join(model_dir, "eval")) == [(trial, settings)]

  # A second run with only eval results: its record comes from config.json.
  other = str(tmp_path / "other_run")
  os.makedirs(other)
  with open(os.path.join(other, "config.json"), "w") as f:
    f.write(TrainConfig(model=TINY, g_lr=2e-4).to_json())
  ResultsFile(other).append([_row(5, "fid", 20.0)])
  (other_trial, other_settings), = _sessions(os.path.join(other, "eval"))
  assert other_trial.startswith("other_run-")
  assert other_settings["g_lr"] == pytest.approx(2e-4)

  logdir = str(tmp_path / "compare")  # tensorboard --logdir=compare
  for run_dir, name in ((model_dir, "a"), (other, "b")):
    for sub in ("train", "eval"):
      if os.path.isdir(os.path.join(run_dir, sub)):
        shutil.copytree(os.path.join(run_dir, sub),
                        os.path.join(logdir, name, sub))
  experiment, groups = _session_groups(logdir, "fid/net/n100")
  metric_tags = {m.name.tag for m in experiment.metric_infos}
  assert {"fid/net/n100", "best/fid/net/n100", "best/fid/net/n100/step",
          "is/net/n100", "best/is/net/n100", "losses/d_loss",
          "d_real_accuracy_train/net/n100"} <= metric_tags
  assert "best/d_real_accuracy_train/net/n100" not in metric_tags
  assert {h.name for h in experiment.hparam_infos} == set(settings)
  # One row per run, sorted by final FID; train and eval sessions joined.
  assert [g.name for g in groups] == [other_trial, trial]
  assert [s.name for s in groups[1].sessions] == ["a/eval", "a/train"]
  values = {m.name.tag: m.value for m in groups[1].metric_values}
  assert (values["fid/net/n100"], values["best/fid/net/n100"],
          values["best/fid/net/n100/step"], values["is/net/n100"],
          values["best/is/net/n100"]) == (40.0, 30.0, 1.0, 3.0, 3.0)
  assert "losses/d_loss" in values
  assert groups[1].hparams["g_lr"].number_value == pytest.approx(1e-4)
  assert groups[0].hparams["g_lr"].number_value == pytest.approx(2e-4)
