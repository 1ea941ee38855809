"""Dependencies between packages run one way: train uses objectives, which
use losses; never the reverse."""

import ast
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _imported_modules(source: str, package: str) -> set[str]:
  """Every module a source file of `package` imports (relative imports
  resolved; `from a import b` counts as a and a.b)."""
  found = set()
  for node in ast.walk(ast.parse(source)):
    if isinstance(node, ast.Import):
      found.update(alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
      base = node.module or ""
      if node.level:
        parts = package.split(".")[:len(package.split(".")) - node.level + 1]
        base = ".".join(parts + ([base] if base else []))
      found.add(base)
      found.update(f"{base}.{alias.name}" for alias in node.names)
  return found


def _uses_train(modules: set[str]) -> list[str]:
  return sorted(m for m in modules
                if m == "tfgan_ext.train" or m.startswith("tfgan_ext.train."))


def test_finder_sees_every_import_form():
  source = ("import tfgan_ext.train.config\n"
            "from tfgan_ext import train\n"
            "from ..train.config import TrainConfig\n"
            "from tfgan_ext.training_utils import x\n")
  assert _uses_train(_imported_modules(source, "tfgan_ext.objectives")) == [
      "tfgan_ext.train", "tfgan_ext.train.config",
      "tfgan_ext.train.config.TrainConfig"]


def test_objectives_do_not_import_train():
  directory = os.path.join(ROOT, "tfgan_ext", "objectives")
  names = sorted(n for n in os.listdir(directory) if n.endswith(".py"))
  assert "config.py" in names and "__init__.py" in names
  for name in names:
    with open(os.path.join(directory, name), encoding="utf8") as f:
      modules = _imported_modules(f.read(), "tfgan_ext.objectives")
    assert not _uses_train(modules), (name, _uses_train(modules))


def test_importing_objectives_loads_no_train_module():
  code = ("import sys, tfgan_ext.objectives as o; "
          "print(o.ObjectiveConfig().loss); "
          "print(sorted(m for m in sys.modules "
          "if m.startswith('tfgan_ext.train')))")
  out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                       capture_output=True, text=True,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
  assert out.stdout.split() == ["hinge", "[]"]


# tfgan_ext.losses holds pure functions: it may use only these modules of the
# library (so objectives, models and the train loop can all import it).
LOSSES_MAY_IMPORT = ("tfgan_ext.losses", "tfgan_ext.tensor_utils",
                     "tfgan_ext.errors")


def _library_imports(modules: set[str]) -> list[str]:
  """The library modules among `modules` (`from tfgan_ext import x` lists
  tfgan_ext.x, which is what counts)."""
  return sorted(m for m in modules if m.startswith("tfgan_ext."))


def test_losses_import_only_losses_and_helpers():
  directory = os.path.join(ROOT, "tfgan_ext", "losses")
  names = sorted(n for n in os.listdir(directory) if n.endswith(".py"))
  assert {"aw.py", "magan.py", "__init__.py"} <= set(names)
  assert _library_imports(_imported_modules(
      "from tfgan_ext import objectives\nimport tfgan_ext.train.ema\n",
      "tfgan_ext.losses")) == ["tfgan_ext.objectives", "tfgan_ext.train.ema"]
  for name in names:
    with open(os.path.join(directory, name), encoding="utf8") as f:
      modules = _imported_modules(f.read(), "tfgan_ext.losses")
    bad = [m for m in _library_imports(modules)
           if not any(m == ok or m.startswith(ok + ".")
                      for ok in LOSSES_MAY_IMPORT)]
    assert not bad, (name, bad)


def test_importing_losses_loads_no_objective_model_or_train_module():
  code = ("import sys, tfgan_ext.losses as l; "
          "print(l.aw.aw_weights is l.aw_weights); "
          "print(sorted(m for m in sys.modules if m.startswith(("
          "'tfgan_ext.train', 'tfgan_ext.objectives', 'tfgan_ext.models', "
          "'tfgan_ext.monitors'))))")
  out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                       capture_output=True, text=True,
                       env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
  assert out.stdout.split() == ["True", "[]"]
