"""The package installs on its own: `pip install <checkout>` into a fresh
venv (no network; the dependencies are this interpreter's, reached through a
.pth file) installs the tfgan_ext package and nothing else at top level, and
its console scripts run from a directory outside the checkout."""

import ast
import concurrent.futures
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = {
    "tfgan-ext-train": "tfgan_ext.cli.train:run",
    "tfgan-ext-eval": "tfgan_ext.cli.run:run",
    "tfgan-ext-sample": "tfgan_ext.cli.sample:run",
    "tfgan-ext-export": "tfgan_ext.cli.export_generator:run",
    "tfgan-ext-write-stats": "tfgan_ext.cli.write_stats:run",
    "tfgan-ext-import-inception": "tfgan_ext.cli.import_inception:run",
    "tfgan-ext-train-classifier": "tfgan_ext.cli.train_classifier:run",
    "tfgan-ext-demo": "tfgan_ext.cli.demo:run",
    "tfgan-ext-report": "tfgan_ext.cli.report:run",
}


def _checkout_version() -> str:
  with open(os.path.join(ROOT, "tfgan_ext", "__init__.py"),
            encoding="utf8") as f:
    for node in ast.parse(f.read()).body:
      if (isinstance(node, ast.Assign)
          and [t.id for t in node.targets] == ["__version__"]):
        return node.value.value
  raise AssertionError("tfgan_ext/__init__.py sets no __version__")


def _copy_checkout(dest: str) -> None:
  """The checkout's top-level files and its Python packages (tfgan_ext and
  the ones that must not be installed: eval, experiments, tests, ...), so
  pip's in-tree build writes its build/ and egg-info here, not in ROOT."""
  ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build",
                                  "*.egg-info")
  os.makedirs(dest)
  for name in os.listdir(ROOT):
    path = os.path.join(ROOT, name)
    if os.path.isfile(path):
      shutil.copy2(path, dest)
    elif (not name.startswith(".") and name not in ("build", "dist")
          and os.path.isfile(os.path.join(path, "__init__.py"))):
      shutil.copytree(path, os.path.join(dest, name), ignore=ignore)


def _env() -> dict:
  """No PYTHONPATH (the checkout must not be importable) and no pip
  configuration from the user."""
  env = {k: v for k, v in os.environ.items()
         if k != "PYTHONPATH" and not k.startswith("PIP_")}
  env.update(TF_CPP_MIN_LOG_LEVEL="2", PIP_CONFIG_FILE=os.devnull,
             PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
  return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
  """(venv dir, its site-packages, names there before the install)."""
  tmp = tmp_path_factory.mktemp("packaging")
  src, venv = str(tmp / "src"), str(tmp / "venv")
  _copy_checkout(src)
  subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv],
                 check=True, timeout=120)
  python = os.path.join(venv, "bin", "python")
  purelib = subprocess.run(
      [python, "-c", "import sysconfig; print(sysconfig.get_paths()"
       "['purelib'])"], check=True, capture_output=True, text=True,
      env=_env()).stdout.strip()
  # The running interpreter's site-packages (pip, setuptools and every
  # dependency), appended to the new venv's path.
  ours = [p for p in site.getsitepackages() + [sysconfig.get_paths()[
      "purelib"]] if os.path.isdir(p)]
  with open(os.path.join(purelib, "_dependencies.pth"), "w") as f:
    f.write("\n".join(dict.fromkeys(ours)) + "\n")
  before = set(os.listdir(purelib))
  start = time.perf_counter()
  proc = subprocess.run(
      [python, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
       "--no-index", "--no-cache-dir", src], capture_output=True, text=True,
      env=_env(), timeout=300)
  seconds = time.perf_counter() - start
  assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
  print(f"\npip install --no-deps --no-build-isolation of the checkout: "
        f"{seconds:.1f} s")
  return venv, purelib, before


def test_only_tfgan_ext_is_installed_at_top_level(installed):
  _, purelib, before = installed
  version = _checkout_version()
  dist_info = f"tfgan_ext-{version}.dist-info"
  assert set(os.listdir(purelib)) - before == {"tfgan_ext", dist_info}
  with open(os.path.join(purelib, dist_info, "top_level.txt")) as f:
    assert f.read().split() == ["tfgan_ext"]
  with open(os.path.join(purelib, dist_info, "RECORD")) as f:
    paths = [line.split(",")[0] for line in f if line.strip()]
  tops = {p.split("/")[0] for p in paths if not p.startswith("..")}
  assert tops == {"tfgan_ext", dist_info}
  assert "tfgan_ext/cli/demo_digits.cfg" in paths  # Package data.
  assert "tfgan_ext/cli/train.py" in paths
  # Every subpackage of the checkout's tfgan_ext is in the wheel.
  for directory, _, files in os.walk(os.path.join(ROOT, "tfgan_ext")):
    if "__init__.py" in files:
      relative = os.path.relpath(directory, ROOT).replace(os.sep, "/")
      assert f"{relative}/__init__.py" in paths, relative


def test_console_scripts_are_declared(installed):
  venv, purelib, _ = installed
  dist_info = f"tfgan_ext-{_checkout_version()}.dist-info"
  with open(os.path.join(purelib, dist_info, "entry_points.txt")) as f:
    lines = [line.strip() for line in f]
  section = lines[lines.index("[console_scripts]") + 1:]
  declared = dict(line.split(" = ") for line in section if " = " in line)
  assert declared == SCRIPTS
  for name in SCRIPTS:
    assert os.access(os.path.join(venv, "bin", name), os.X_OK), name


def test_installed_package_runs_outside_the_checkout(installed, tmp_path):
  venv, purelib, _ = installed
  elsewhere = tmp_path / "elsewhere"
  elsewhere.mkdir()

  def run(command):
    return subprocess.run(command, cwd=str(elsewhere), capture_output=True,
                          text=True, env=_env(), timeout=300)

  code = ("import tfgan_ext, tfgan_ext.cli.launch; "
          "print(tfgan_ext.__version__); print(tfgan_ext.__file__)")
  bin_dir = os.path.join(venv, "bin")
  commands = [
      [os.path.join(bin_dir, "python"), "-c", code],
      # absl prints the binary's flags and exits with 1.
      [os.path.join(bin_dir, "tfgan-ext-train"), "--helpshort"],
      # The demo reads its flagfile from the package, then stops at the
      # stray argument before anything is written.
      [os.path.join(bin_dir, "tfgan-ext-demo"), "stray"],
  ]
  with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    imported, helpshort, demo = pool.map(run, commands)

  assert imported.returncode == 0, imported.stderr[-3000:]
  version, path = imported.stdout.split()
  assert version == _checkout_version()
  assert path == os.path.join(purelib, "tfgan_ext", "__init__.py")

  assert helpshort.returncode == 1, helpshort.stderr[-3000:]
  assert helpshort.stdout.startswith("Train binary:")  # Its docstring.
  for flag in ("--model_dir:", "--dataset:", "--[no]sqd:"):
    assert flag in helpshort.stdout, flag

  assert demo.returncode == 2, demo.stderr[-3000:]
  ours = [line for line in demo.stderr.splitlines()
          if line.startswith("tfgan-ext-demo:")]
  assert ours == ["tfgan-ext-demo: Unexpected argument(s) 'stray': this "
                  "binary takes only flags, written --name=value. Try "
                  "--helpshort."], demo.stderr[-3000:]
  assert "Traceback" not in demo.stderr
  assert os.listdir(elsewhere) == []
