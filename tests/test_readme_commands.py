"""Every command in README.md's code blocks works as written.

Each command runs in bash, unchanged except for the flags its COMMANDS entry
appends (sizes only: --once, step and sample counts, widths), inside a
sandbox: a temporary directory holding symlinks to the project's sources, so
relative outputs (demo_run/, classifiers/, eval_cache/, report/) land there,
and `/tmp/...` paths are moved into it. HOME and TFHUB_CACHE_DIR are empty
directories, so nothing a developer's machine holds (TFDS data, TF-Hub
modules) changes the outcome. `python` is this interpreter, `tensorboard`
the one installed beside it.

The commands of one code block run in order in one sandbox (a later one
uses what an earlier one wrote); blocks run two at a time, longest first.
`make` lines get `-n` (the target must exist; nothing is built);
`tensorboard` lines get `--inspect` (it reads the logdir's events and
exits).

To cover a new README command, add one line to COMMANDS: its leading text
(the longest matching prefix wins), the flags appended here, and the
expected outcome, success or the fragment of its clear offline error (exit
code EXIT_BAD_INPUT, no traceback). A README command without an entry fails
test_readme_command.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import re
import shutil
import subprocess
import sys
from typing import Callable, Optional

import pytest

from tfgan_ext.errors import EXIT_BAD_INPUT
from tfgan_ext.models import ModelConfig
from tfgan_ext.train.config import TrainConfig, save_config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
SOURCES = ("Makefile", "requirements.txt", "tfgan_ext", "eval", "experiments",
           "bench", "tests")  # What the sandbox links to.
TIMEOUT = 600


# ------------------------------------------------------------ sandbox set-up
def demo_run(sandbox: str, trained: str) -> None:
  """./demo_run: the tiny digits run the module trains (as `make demo`
  leaves it, at a smaller size)."""
  target = os.path.join(sandbox, "demo_run")
  if not os.path.exists(target):  # Once per block.
    shutil.copytree(trained, target)


def started_cifar10_run(sandbox: str, trained: str) -> None:
  """/tmp/sagan_cifar10 as the README's train command leaves it once started
  on a machine with the data: its config.json (no data is needed to read
  it)."""
  del trained
  model_dir = os.path.join(sandbox, "tmp", "sagan_cifar10")
  os.makedirs(model_dir)
  save_config(TrainConfig(
      model=ModelConfig("sagan", image_size=32, channels=3, num_classes=10),
      dataset="cifar10"), model_dir)


def run_logs(sandbox: str, trained: str) -> None:
  """/tmp/sagan_cifar10 holding a run's TensorBoard logs (the tiny run's)."""
  shutil.copytree(trained, os.path.join(sandbox, "tmp", "sagan_cifar10"))


def runs_a_b(sandbox: str, trained: str) -> None:
  """run_a and run_b: the evaluated demo run under two names."""
  del trained
  for name in ("run_a", "run_b"):
    os.symlink(os.path.join(sandbox, "demo_run"), os.path.join(sandbox, name))


@dataclasses.dataclass(frozen=True)
class Way:
  """How a README command runs here and what it must do."""
  extra: str = ""                 # Appended to the command.
  error: Optional[str] = None     # None: succeeds; else in its error message.
  shows: str = ""                 # On success, in its stdout.
  setup: Optional[Callable[[str, str], None]] = None  # (sandbox, trained run)


TRAIN = "python -m experiments.train --flagfile=experiments/configs/"
COMMANDS = {
    "make ": Way("-n"),
    "tensorboard --logdir /tmp/sagan_cifar10": Way(
        "--inspect", shows="Event statistics", setup=run_logs),
    "python -m eval.train_classifier": Way(
        "--epochs=1 --max_train_examples=200", shows="Saved to"),
    # 1,500 samples > the 1,437 digits: the reference count is capped.
    "python -m eval.run --model_dir=demo_run": Way(
        "--once --num_samples=1500", shows="train (1437)", setup=demo_run),
    "python -m eval.run --model_dir=/tmp/sagan_cifar10": Way(
        "--once --num_samples=100", error="'/path/to/inception' does not exist",
        setup=started_cifar10_run),
    "python -m eval.report": Way(shows="report.md", setup=runs_a_b),
    # HOME is empty in the sandbox: no imported FID Inception there.
    "python -m eval.run --model_dir=demo_run --inception_path": Way(
        error="does not exist", setup=demo_run),
    "python -m eval.sample --model_dir=demo_run": Way(setup=demo_run),
    "python -m eval.export_generator --model_dir=demo_run": Way(
        setup=demo_run),
    TRAIN + "demo_digits.cfg --model_dir=runs/demo_ema": Way(
        "--max_steps=4 --save_every=2 --ema_start=2 --gf=8 --df=8"),
    # Runs after the EMA training above, in the same block and sandbox.
    "python -m eval.sample --model_dir=runs/demo_ema": Way(),
    TRAIN + "sagan_cifar10.cfg": Way(
        "--max_steps=2 --gf=8 --df=8",
        error="TFDS dataset 'cifar10' is not prepared"),
}


# ------------------------------------------------------------------ parsing
def readme_blocks(text: str) -> list[list[str]]:
  """The commands of each shell code block (``` or ```sh / bash / shell),
  continuation lines joined, comments and blank lines dropped."""
  blocks, current, language = [], None, ""
  for line in text.splitlines():
    fence = re.match(r"^\s*```\s*(\S*)", line)
    if fence and current is None:
      current, language = [], fence.group(1)
    elif fence:
      if language in ("", "sh", "bash", "shell", "console"):
        blocks.append(_commands(current))
      current = None
    elif current is not None:
      current.append(line)
  return [b for b in blocks if b]


def _commands(lines: list[str]) -> list[str]:
  joined = re.sub(r"\\\n\s*", "", "\n".join(lines))
  out = []
  for line in joined.splitlines():
    line = re.sub(r"(^|\s)#\s.*$", "", line).strip()  # A trailing comment.
    if line:
      out.append(re.sub(r"\s+", " ", line))
  return out


def way_for(command: str) -> Optional[Way]:
  prefixes = [p for p in COMMANDS if command.startswith(p)]
  return COMMANDS[max(prefixes, key=len)] if prefixes else None


BLOCKS = readme_blocks(open(README, encoding="utf8").read())
README_COMMANDS = [c for block in BLOCKS for c in block]


def test_parser_joins_continuations_and_drops_comments():
  text = ("prose\n```\nmake demo   # builds it\n\npython -m a --x=1 \\\n"
          "    --y=2\n```\n```json\n{\"a\": 1}\n```\n```bash\n# only a comment"
          "\necho '#1'\n```\n")
  assert readme_blocks(text) == [["make demo", "python -m a --x=1 --y=2"],
                                 ["echo '#1'"]]


# ---------------------------------------------------------------- running
def _sandbox(path: str) -> dict:
  """Creates the sandbox at `path`; returns the environment to run in."""
  os.makedirs(os.path.join(path, "bin"))
  os.makedirs(os.path.join(path, "home"))
  for name in SOURCES:
    os.symlink(os.path.join(ROOT, name), os.path.join(path, name))
  tensorboard = os.path.join(os.path.dirname(sys.executable), "tensorboard")
  tensorboard = (tensorboard if os.path.exists(tensorboard)
                 else shutil.which("tensorboard") or "tensorboard")
  for name, target in (("python", sys.executable),
                       ("tensorboard", tensorboard)):
    shim = os.path.join(path, "bin", name)
    with open(shim, "w") as f:
      f.write(f'#!/bin/sh\nexec "{target}" "$@"\n')
    os.chmod(shim, 0o755)
  env = {k: v for k, v in os.environ.items()
         if k not in ("TFDS_DATA_DIR", "TFHUB_CACHE_DIR", "PYTHONPATH")}
  # Reuse matplotlib's font cache (a fresh one takes seconds to build).
  env.setdefault("MPLCONFIGDIR", os.path.join(
      os.path.expanduser("~"), ".config", "matplotlib"))
  env.update(HOME=os.path.join(path, "home"),
             TFHUB_CACHE_DIR=os.path.join(path, "home", "tfhub"),
             PATH=os.path.join(path, "bin") + os.pathsep + env["PATH"],
             TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")
  return env


def _run_block(block: list[str], sandbox: str, trained: str) -> dict:
  env = _sandbox(sandbox)
  results = {}
  for command in block:
    way = way_for(command)
    if way is None:
      continue
    if way.setup:
      way.setup(sandbox, trained)
    line = re.sub(r"(?<![\w.~/-])/tmp/", os.path.join(sandbox, "tmp") + "/",
                  f"{command} {way.extra}".strip())
    results[command] = subprocess.run(
        ["bash", "-c", line], cwd=sandbox, env=env, capture_output=True,
        text=True, timeout=TIMEOUT)
  return results


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory) -> str:
  """A 2-step conditional SAGAN on 16x16 digits (the demo's shapes, tiny)."""
  from tfgan_ext.train.trainer import Trainer
  model_dir = str(tmp_path_factory.mktemp("trained") / "run")
  config = TrainConfig(
      model=ModelConfig("sagan", image_size=16, channels=1, num_classes=10,
                        z_dim=16, gf=8, df=8),
      dataset="digits", batch_size=16, max_steps=2, save_every=2,
      summary_every=1, image_every=2, g_lr=2e-4)
  Trainer(config, model_dir).train()
  return model_dir


@pytest.fixture(scope="module")
def outcomes(trained_run, tmp_path_factory) -> dict:
  root = tmp_path_factory.mktemp("readme")
  with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    # Longest blocks first: the two workers finish at about the same time.
    order = sorted(range(len(BLOCKS)), key=lambda i: -len(BLOCKS[i]))
    jobs = [pool.submit(_run_block, BLOCKS[i], str(root / f"block{i}"),
                        trained_run) for i in order]
    results = {}
    for job in jobs:
      results.update(job.result())
  return results


@pytest.mark.parametrize("command", README_COMMANDS)
def test_readme_command(command, outcomes):
  way = way_for(command)
  assert way is not None, (
      f"README command {command!r} is not covered: add an entry for it to "
      f"COMMANDS in {__file__} (how it runs here, and its expected outcome).")
  done = outcomes[command]
  output = f"\nstdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}"
  assert "Traceback" not in done.stderr, output
  if way.error is None:
    assert done.returncode == 0, output
    assert way.shows in done.stdout, output
  else:
    assert done.returncode == EXIT_BAD_INPUT, output
    assert way.error in done.stderr, output
