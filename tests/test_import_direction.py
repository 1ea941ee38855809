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


# ------------------------------------------- no cycles among tfgan_ext's modules
def _module_files() -> dict[str, str]:
  """tfgan_ext module name -> file (a package is its __init__.py)."""
  found = {}
  for directory, _, names in os.walk(os.path.join(ROOT, "tfgan_ext")):
    for name in names:
      if not name.endswith(".py"):
        continue
      path = os.path.join(directory, name)
      module = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
      found[module[:-len(".__init__")] if name == "__init__.py"
            else module] = path
  return found


def _is_type_checking(node: ast.AST) -> bool:
  test = getattr(node, "test", None)
  return isinstance(node, ast.If) and (
      (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or
      (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _top_level_imports(tree: ast.Module) -> list[ast.AST]:
  """Import statements that run when the module is imported: at the top
  level or in a top-level if / try block, not under `if TYPE_CHECKING` and
  not inside functions or classes."""
  found, todo = [], list(tree.body)
  while todo:
    node = todo.pop()
    if isinstance(node, (ast.Import, ast.ImportFrom)):
      found.append(node)
    elif isinstance(node, ast.If) and not _is_type_checking(node):
      todo.extend(node.body + node.orelse)
    elif isinstance(node, ast.Try):
      todo.extend(node.body + node.orelse + node.finalbody +
                  [n for h in node.handlers for n in h.body])
  return found


def import_graph(files: dict[str, str]) -> dict[str, set[str]]:
  """module -> the tfgan_ext modules it imports at import time. `from a
  import b` is an edge to a.b when that is a module, else to a; a
  package's own __init__ running first is not counted as an edge."""
  graph = {}
  for module, path in files.items():
    package = module if path.endswith("__init__.py") else (
        module.rpartition(".")[0])
    with open(path, encoding="utf8") as f:
      tree = ast.parse(f.read())
    edges = set()
    for node in _top_level_imports(tree):
      if isinstance(node, ast.Import):
        edges.update(a.name for a in node.names if a.name in files)
        continue
      base = node.module or ""
      if node.level:
        parts = package.split(".")
        parts = parts[:len(parts) - node.level + 1]
        base = ".".join(parts + ([base] if base else []))
      for alias in node.names:
        if f"{base}.{alias.name}" in files:
          edges.add(f"{base}.{alias.name}")
        elif base in files:
          edges.add(base)
    edges.discard(module)
    graph[module] = edges
  return graph


def find_cycle(graph: dict[str, set[str]]):
  """One cycle [a, b, ..., a] of `graph`, or None (depth-first search)."""
  state, stack = {}, []

  def visit(node):
    state[node] = "open"
    stack.append(node)
    for nxt in sorted(graph.get(node, ())):
      if state.get(nxt) == "open":
        return stack[stack.index(nxt):] + [nxt]
      if nxt not in state:
        cycle = visit(nxt)
        if cycle:
          return cycle
    stack.pop()
    state[node] = "done"
    return None

  for node in sorted(graph):
    if node not in state:
      cycle = visit(node)
      if cycle:
        return cycle
  return None


def test_cycle_finder_sees_a_cycle_and_ignores_type_checking_and_functions():
  assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [
      "a", "b", "c", "a"]
  assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
  tree = ast.parse("from typing import TYPE_CHECKING\n"
                   "import x.y\n"
                   "if TYPE_CHECKING:\n  import x.z\n"
                   "try:\n  import x.w\nexcept ImportError:\n  pass\n"
                   "def f():\n  import x.v\n")
  names = sorted(a.name for n in _top_level_imports(tree)
                 if isinstance(n, ast.Import) for a in n.names)
  assert names == ["x.w", "x.y"]


def test_tfgan_ext_modules_import_each_other_without_cycles():
  graph = import_graph(_module_files())
  assert "tfgan_ext.train.trainer" in graph
  assert "tfgan_ext.workspace" in graph["tfgan_ext.train.trainer"]
  assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def _package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
  """The graph between tfgan_ext's top-level modules and subpackages
  (tfgan_ext.train.trainer counts as tfgan_ext.train)."""
  def top(module):
    return ".".join(module.split(".")[:2])
  out = {}
  for module, edges in graph.items():
    out.setdefault(top(module), set()).update(
        top(e) for e in edges if top(e) != top(module))
  return out


def test_tfgan_ext_packages_import_each_other_without_cycles():
  """Also between packages: train uses workspace and hparams, which never
  use train (the config dataclasses sit below all three)."""
  graph = _package_graph(import_graph(_module_files()))
  assert {"tfgan_ext.workspace", "tfgan_ext.hparams",
          "tfgan_ext.config"} <= graph["tfgan_ext.train"]
  for module in ("tfgan_ext.workspace", "tfgan_ext.hparams",
                 "tfgan_ext.config"):
    assert "tfgan_ext.train" not in graph[module], module
  assert not graph["tfgan_ext.config"] & {"tfgan_ext.workspace",
                                          "tfgan_ext.hparams"}
  assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))
