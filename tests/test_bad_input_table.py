"""README's bad-input table, binary by binary: each of the nine binaries on
a sample of bad values of every category (names, sizes, rates, NaN,
conflicting flags, files where folders belong, damaged inputs, unwritable
outputs, empty values) exits with 2 and one clean `<binary>: <message>`
line on stderr (absl's own flag-parse errors: exit 1 in absl's format), and
leaves every watched path as it was.

The cases (`tests/bad_input_worker.CASES`) run in one subprocess that
imports TensorFlow once and calls each binary's `run()` per case (see the
worker's docstring); the fixtures are built there once, without training.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest

from scripts.bad_input_sweep import message_lines
from tests import bad_input_worker as worker

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# Root writes anywhere: as root, the worker runs without capabilities
# (setpriv), for which the read-only folder holds.
_DROP_CAPS = os.geteuid() == 0 and shutil.which("setpriv") is not None
_READ_ONLY_HOLDS = os.geteuid() != 0 or _DROP_CAPS


def _command(work: str, out: str) -> list[str]:
  command = [sys.executable, os.path.join(ROOT, "tests", "bad_input_worker.py"),
             work, out]
  if _DROP_CAPS:
    command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", *command]
  return command


@pytest.fixture(scope="module")
def results(tmp_path_factory):
  tmp = tmp_path_factory.mktemp("bad_table")
  home = tmp / "home"
  home.mkdir()
  out = tmp / "results.json"
  env = {k: v for k, v in os.environ.items()
         if not k.startswith(("TF_CONFIG", "TFGAN_EXT_"))}
  env.update(TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="",
             PYTHONPATH=ROOT, HOME=str(home), PIP_NO_INDEX="1",
             TFHUB_CACHE_DIR=str(home / "tfhub"),
             MPLCONFIGDIR=str(home / "mpl"))
  proc = subprocess.run(_command(str(tmp / "work"), str(out)), cwd=ROOT,
                        env=env, capture_output=True, text=True, timeout=600)
  assert proc.returncode == 0, proc.stderr[-3000:]
  with open(out, encoding="utf8") as f:
    return json.load(f)


def test_every_binary_has_every_category_that_applies():
  covered = {(case[0], case[1]) for case in worker.CASES}
  # Binaries without number flags have no sizes / rates / NaN rows.
  numbers = {"experiments.train", "experiments.demo", "eval.run",
             "eval.sample", "eval.train_classifier"}
  for binary in worker.MODULES:
    wanted = set(worker.CATEGORIES) - {"sizes", "rates", "nan"}
    if binary in numbers:
      wanted |= {"sizes", "rates", "nan"}
    if binary == "eval.write_stats":
      wanted |= {"sizes"}
    missing = wanted - {c for b, c in covered if b == binary}
    assert not missing, (binary, missing)


@pytest.mark.parametrize("case", worker.CASES, ids=worker.case_id)
def test_bad_input_is_refused_cleanly(results, case):
  binary, _, _, args, expected = case
  if any("{ro}" in arg for arg in args) and not _READ_ONLY_HOLDS:
    pytest.skip("running as root without setpriv: no folder is read-only")
  texts = (expected,) if isinstance(expected, str) else tuple(expected)
  result = results[worker.case_id(case)]
  detail = json.dumps(result, indent=1)[-3000:]
  assert not result["traceback"], detail
  assert result["changed"] == [], detail  # Nothing written or deleted.
  assert result["stdout"] == "", detail
  if texts[0] == "absl":  # absl's own flag parsing: its format, exit 1.
    assert result["code"] == 1, detail
    assert "FATAL Flags parsing error" in result["stderr"], detail
    assert all(text in result["stderr"] for text in texts[1:]), detail
    return
  assert result["code"] == 2, detail
  ours, other = message_lines(result["stderr"], binary, noise=())
  assert len(ours) == 1 and not other, detail  # Not absl's usage dump.
  assert all(text in ours[0] for text in texts), detail
