"""Bad input rows of the bad-input table (docs/fault-tolerance.md) not
covered elsewhere (each fails before any state is written), and how the
binaries report bad input: the message alone on stderr, exit code 2, no
traceback; a bug keeps its traceback."""

import ast
import dataclasses
import os

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


# The binaries' one-line messages on bad input, usage errors included (one
# line and a pointer to --helpshort, not absl's dump of every flag), are
# checked binary by binary in tests/test_bad_input_table.py.


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
