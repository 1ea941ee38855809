"""Bad input rows of README's table not covered elsewhere (each fails before
any state is written), and how the binaries report bad input: the message
alone on stderr, exit code 2, no traceback; a bug keeps its traceback."""

import ast
import concurrent.futures
import dataclasses
import os
import subprocess
import sys

import pytest

from tfgan_ext import errors
from tfgan_ext.data import DatasetUnavailableError
from tfgan_ext.models import ModelConfig
from tfgan_ext.train.config import TrainConfig, save_config
from tfgan_ext.train.strategies import (StrategyUnavailableError,
                                        replica_batch_size)
from tests.tree import tree_contents

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _TwoReplicas:
  num_replicas_in_sync = 2


def test_batch_not_divisible_by_replicas():
  assert replica_batch_size(16, _TwoReplicas()) == 8
  with pytest.raises(ValueError, match="not divisible by the 2 replicas"):
    replica_batch_size(15, _TwoReplicas())


def test_flagfile_with_unknown_flag_fails_before_writing(tmp_path):
  flagfile = tmp_path / "bad.cfg"
  flagfile.write_text("--dataset=digits\n--learning_rat=0.1\n")
  model_dir = tmp_path / "run"
  proc = subprocess.run(
      [sys.executable, "-m", "experiments.train", f"--flagfile={flagfile}",
       f"--model_dir={model_dir}"], cwd=ROOT, capture_output=True, text=True,
      timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
  assert proc.returncode != 0
  assert "learning_rat" in proc.stderr
  assert not model_dir.exists()


# -------------------------------------------- how the binaries report them
def test_error_classes_keep_the_built_in_types():
  assert issubclass(errors.InputError, ValueError)
  assert issubclass(errors.MissingInputError, FileNotFoundError)
  assert issubclass(errors.UnwritableError, PermissionError)
  assert issubclass(errors.UnavailableError, RuntimeError)
  assert issubclass(DatasetUnavailableError, errors.UnavailableError)
  assert issubclass(StrategyUnavailableError, errors.UnavailableError)
  for cls in (errors.InputError, errors.MissingInputError,
              errors.UnwritableError, errors.UnavailableError):
    assert issubclass(cls, errors.UserError)
  assert str(errors.MissingInputError("no such file; train one")) == (
      "no such file; train one")


def test_reports_input_errors_prints_the_message_and_returns_2(capsys):
  def main(argv):
    if argv[1] == "bad":
      raise errors.MissingInputError("Run `make x` first.")
    if argv[1] == "bug":
      raise KeyError("a bug")
    return 0

  wrapped = errors.reports_input_errors("prog")(main)
  assert wrapped(["prog", "ok"]) == 0
  assert wrapped(["prog", "bad"]) == errors.EXIT_BAD_INPUT == 2
  assert capsys.readouterr().err == "prog: Run `make x` first.\n"
  with pytest.raises(KeyError, match="a bug"):
    wrapped(["prog", "bug"])


def test_train_main_reports_bad_input_and_propagates_bugs(monkeypatch,
                                                           capsys):
  from tfgan_ext.cli import train

  def bad_input():
    raise errors.InputError("Unknown dataset 'x'.")

  def bug():
    raise RuntimeError("injected bug")

  monkeypatch.setattr(train.train_flags, "config_from_flags", bad_input)
  assert train.main(["train"]) == errors.EXIT_BAD_INPUT
  assert capsys.readouterr().err == "experiments.train: Unknown dataset 'x'.\n"
  monkeypatch.setattr(train.train_flags, "config_from_flags", bug)
  with pytest.raises(RuntimeError, match="injected bug"):
    train.main(["train"])  # app.run prints its traceback.


BINARIES = ("train", "demo", "run", "sample", "export_generator",
            "write_stats", "import_inception", "train_classifier", "report")


@pytest.mark.parametrize("name", BINARIES)
def test_every_binary_reports_input_errors_and_has_run(name):
  path = os.path.join(ROOT, "tfgan_ext", "cli", f"{name}.py")
  with open(path, encoding="utf8") as f:
    tree = ast.parse(f.read())
  functions = {node.name: node for node in tree.body
               if isinstance(node, ast.FunctionDef)}
  decorators = [ast.unparse(d) for d in functions["main"].decorator_list]
  assert decorators == ["reports_input_errors(PROGRAM)"], decorators
  assert "launch.run(main, PROGRAM" in ast.unparse(functions["run"])
  # No absl UsageError: it prints the docstring and every flag.
  assert "app.UsageError" not in ast.unparse(tree)


def _digits_config(gf: int = 8) -> TrainConfig:
  return TrainConfig(model=ModelConfig("sagan", image_size=16, channels=1,
                                       num_classes=10, z_dim=16, gf=gf, df=8),
                     dataset="digits", batch_size=16)


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory):
  """Each binary on a bad input (run two at a time), with the directories
  it must leave as they were."""
  tmp = tmp_path_factory.mktemp("bad")
  started = tmp / "started"  # A run's config.json, nothing else.
  started.mkdir()
  save_config(_digits_config(), str(started))
  demo_cwd = tmp / "demo"  # Holds a previous demo_run, kept on bad flags.
  (demo_cwd / "demo_run").mkdir(parents=True)
  save_config(_digits_config(), str(demo_cwd / "demo_run"))
  (demo_cwd / "demo_run" / "images").mkdir()
  (demo_cwd / "demo_run" / "images" / "grid.png").write_bytes(b"not a png")
  home = tmp / "home"
  home.mkdir()
  env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "HOME": str(home),
         "TFHUB_CACHE_DIR": str(home / "tfhub")}
  cases = {
      "unknown_dataset": (
          ["experiments.train", "--dataset=no_such_dataset",
           f"--model_dir={tmp / 'new_run'}"], tmp / "new_run"),
      "refused_resume": (
          ["experiments.train", "--dataset=digits", "--image_size=16",
           "--channels=1", "--z_dim=16", "--gf=16", "--df=8",
           f"--model_dir={started}"], started),
      "no_inception": (
          ["eval.run", f"--model_dir={started}", "--metrics=fid", "--once",
           "--num_samples=20"], started),
      "classifier_unknown_dataset": (
          ["eval.train_classifier", "--dataset=no_such_dataset",
           f"--out={tmp / 'classifier'}"], tmp / "classifier"),
      "report_missing_run": (
          ["eval.report", f"--model_dirs={tmp / 'no_run'}",
           f"--out={tmp / 'report'}"], tmp / "report"),
      # Usage errors: one line and a pointer to --helpshort, exit 2.
      "stray_argument": (
          ["experiments.train", "--dataset=digits", "--aw", "true",
           f"--model_dir={tmp / 'stray'}"], tmp / "stray"),
      "checkpoint_without_once": (
          ["eval.run", f"--model_dir={started}", "--checkpoint=ckpt-1"],
          started),
      "two_feature_networks": (
          ["eval.write_stats", f"--model_dir={started}",
           "--classifier_path=a", "--inception_path=b",
           f"--out={tmp / 'stats.npz'}"], tmp / "stats.npz"),
      # The demo checks every flag before it replaces ./demo_run.
      "demo_unknown_loss": (["experiments.demo", "--loss=bogus"], demo_cwd),
  }
  before = {name: tree_contents(path) for name, (_, path) in cases.items()}

  def run(args):
    cwd = demo_cwd if args[0] == "experiments.demo" else tmp
    return subprocess.run([sys.executable, "-m", *args], cwd=str(cwd),
                          env={**env, "PYTHONPATH": ROOT},
                          capture_output=True, text=True, timeout=300)

  with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    procs = dict(zip(cases, pool.map(run, [a for a, _ in cases.values()])))
  return {name: (procs[name], before[name], tree_contents(path))
          for name, (_, path) in cases.items()}


@pytest.mark.parametrize("case, message", [
    ("unknown_dataset", "experiments.train: Unknown dataset "
     "'no_such_dataset': it is neither built in"),
    ("refused_resume", "holds a run with a different architecture "
     "(model.gf: saved 8, now 16)"),
    ("no_inception", "eval.run: TF-Hub module "
     "'https://tfhub.dev/tensorflow/tfgan/eval/inception/1' is not available "
     "offline"),
    ("classifier_unknown_dataset", "eval.train_classifier: Unknown dataset "
     "'no_such_dataset'"),
    ("report_missing_run", "is not a directory"),
    ("stray_argument", "experiments.train: Unexpected argument(s) 'true': "
     "this binary takes only flags, written --name=value. Try --helpshort."),
    ("checkpoint_without_once", "eval.run: --checkpoint needs --once. Try "
     "--helpshort."),
    ("two_feature_networks", "eval.write_stats: Give --classifier_path or "
     "--inception_path, not both. Try --helpshort."),
    ("demo_unknown_loss", "experiments.demo: Unknown adversarial loss "
     "'bogus': --loss must be one of "),
])
def test_binary_prints_only_the_message(bad_runs, case, message):
  proc, before, after = bad_runs[case]
  assert proc.returncode == errors.EXIT_BAD_INPUT, proc.stderr[-3000:]
  assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
  assert message in proc.stderr, proc.stderr[-3000:]
  assert after == before  # Nothing written (or created) where it points.


@pytest.mark.parametrize("case, program", [
    ("stray_argument", "experiments.train"),
    ("checkpoint_without_once", "eval.run"),
    ("two_feature_networks", "eval.write_stats"),
])
def test_usage_error_is_one_line_not_absls_help(bad_runs, case, program):
  proc, _, _ = bad_runs[case]
  ours = [line for line in proc.stderr.splitlines()
          if line.startswith(f"{program}:")]
  assert len(ours) == 1 and ours[0].endswith(" Try --helpshort."), (
      proc.stderr[-3000:])
  # Not absl's usage dump: the module docstring and every flag.
  assert "flags:" not in proc.stderr and "--model_dir:" not in proc.stderr
  assert proc.stdout == ""


def test_eval_without_inception_names_the_offline_classifier(bad_runs):
  proc, _, _ = bad_runs["no_inception"]
  hint = proc.stderr.strip().splitlines()[-1]
  assert hint == (
      "'digits' has an offline domain classifier: pass "
      "--classifier_path=classifiers/digits_16px instead (train it first with "
      "`python -m eval.train_classifier --dataset=digits --image_size=16 "
      "--channels=1 --out=classifiers/digits_16px`).")


# ------------------------------------- the demo replaces ./demo_run safely
class _FakeTrainer:
  """Stands in for Trainer in demo.fresh_trainer: writes into model_dir,
  then refuses seed 13 (a stand-in for any refusal: invalid values are
  refused when the config is made; the real Trainer writes nothing first;
  the demo_unknown_loss run above checks that path end to end)."""

  def __init__(self, config, model_dir):
    os.makedirs(model_dir, exist_ok=True)
    with open(os.path.join(model_dir, "partial"), "w") as f:
      f.write("written before the check")
    if config.seed == 13:
      raise errors.InputError("seed 13 is refused by the stand-in")
    self.model_dir = model_dir


def test_demo_replaces_its_run_only_once_the_trainer_is_built(tmp_path,
                                                              monkeypatch):
  from tfgan_ext.cli import demo
  from tfgan_ext.train import run_lock
  monkeypatch.setattr(demo, "Trainer", _FakeTrainer)
  model_dir = str(tmp_path / "demo_run")
  os.mkdir(model_dir)
  save_config(_digits_config(), model_dir)  # An older demo.
  before = tree_contents(model_dir)
  bad = dataclasses.replace(_digits_config(), seed=13)
  with pytest.raises(errors.InputError, match="seed 13"):
    demo.fresh_trainer(bad, model_dir)
  assert tree_contents(model_dir) == before  # Put back as it was.
  assert os.listdir(tmp_path) == ["demo_run"]  # Nothing left aside.
  # A run dir a live train job holds is refused and left alone.
  lock = run_lock.acquire(model_dir)
  try:
    with pytest.raises(run_lock.ModelDirLockedError):
      demo.fresh_trainer(_digits_config(), model_dir)
  finally:
    lock.release()
  assert tree_contents(model_dir) == before
  trainer = demo.fresh_trainer(_digits_config(), model_dir)
  assert trainer.model_dir == model_dir
  assert os.listdir(tmp_path) == ["demo_run"]
  assert tree_contents(model_dir) == {"partial": b"written before the check"}
