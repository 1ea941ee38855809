"""Running a study's jobs: each train and eval job in its own process
(exactly the commands a user would type), with its output and wall time in
a log beside the run, and the reuse of finished work.

Runs live in runs/studies/<study>/<run> (runs/studies_quick with --quick).
A study started again reuses a run that finished (TRAINING_DONE at the
requested step) with the same settings as recorded in <run>.key, and skips
an evaluation recorded as complete in <run>.eval.key (studies.keys: the
keys describe settings, not file paths or binaries, so moving files retrains
nothing). The eval job itself skips the rows already in the run's
eval_results.jsonl.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import time
from typing import Mapping, Optional, Sequence

from studies import keys
from studies import options
from studies import paths
from studies import rules
from studies.readers import done_step
from tfgan_ext.cli.common import CLASSIFIERS_DIR
from tfgan_ext.evaluation import domain_classifier
from tfgan_ext.train.config import TrainConfig, load_saved_config

# The binaries the jobs run (`python -m`): the console scripts
# tfgan-ext-train and tfgan-ext-eval. The keys do not depend on them.
TRAIN_MODULE = "tfgan_ext.cli.train"
EVAL_MODULE = "tfgan_ext.cli.run"
CLASSIFIER_MODULE = "tfgan_ext.cli.train_classifier"
# Eval flags the harness always passes: poll once, no waiting for new
# checkpoints (training has finished), progress lines every 10 minutes.
EVAL_POLLING = ("--timeout=0", "--poll_interval=1", "--progress_every=600")

FOOTER = "# finished in"
_ABSL_TIME = re.compile(r"^[IWEF]\d{4} (\d\d):(\d\d):(\d\d\.\d+) ")


def run_module(module: str, args: Sequence[str], log_path: str,
               extra_env: Optional[Mapping[str, str]] = None) -> float:
  """Runs `python -m module args` with its output in log_path; returns the
  wall seconds. `extra_env`: variables set for this job only, on top of
  this process's environment (studies running concurrently as threads must
  not change os.environ). Raises RuntimeError with the log's tail on
  failure."""
  os.makedirs(os.path.dirname(log_path) or ".", exist_ok=True)
  env = dict(os.environ, PYTHONPATH=os.getcwd(), TF_CPP_MIN_LOG_LEVEL="2",
             **(extra_env or {}))
  start = time.time()
  with open(log_path, "a", encoding="utf8") as log:
    log.write(f"\n$ python -m {module} {' '.join(args)}\n")
    if extra_env:
      log.write("# with " + " ".join(f"{k}={v}" for k, v in
                                     sorted(extra_env.items())) + "\n")
    log.flush()
    proc = subprocess.run([sys.executable, "-m", module, *args], stdout=log,
                          stderr=subprocess.STDOUT, env=env)
    log.write(f"{FOOTER} {time.time() - start:.1f} s (exit "
              f"{proc.returncode})\n")
  if proc.returncode:
    with open(log_path, encoding="utf8") as f:
      tail = "".join(f.readlines()[-30:])
    raise RuntimeError(f"python -m {module} failed (exit {proc.returncode}); "
                       f"log {log_path}:\n{tail}")
  return time.time() - start


def logged_seconds(log_path: str) -> float:
  """Wall seconds of every job recorded in a run_module log: the footer's
  time, or for jobs without one the span of their absl log timestamps
  (which misses the few seconds of Python and TensorFlow start-up)."""
  if not os.path.exists(log_path):
    return 0.0
  total, first, last = 0.0, None, None
  with open(log_path, encoding="utf8", errors="replace") as f:
    for line in f:
      if line.startswith("$ python -m"):
        if first is not None:
          total += max(0.0, last - first)
        first = last = None
      elif line.startswith(FOOTER):
        total += float(line[len(FOOTER):].split()[0])
        first = last = None
      else:
        match = _ABSL_TIME.match(line)
        if match:
          h, m, sec = match.groups()
          t = 3600 * int(h) + 60 * int(m) + float(sec)
          first = t if first is None else first
          last = t
  if first is not None:
    total += max(0.0, last - first)
  return total


@dataclasses.dataclass
class RunRecord:
  """One training run of a study and what it cost: its name in the report,
  model_dir, the train command shown in the report, the wall seconds of its
  train and eval jobs (from their logs) and whether a finished run was
  reused."""
  name: str
  model_dir: str
  command: str
  train_seconds: float = 0.0
  eval_seconds: float = 0.0
  reused: bool = False


def _lengthens(previous: keys.JobKey, key: keys.JobKey,
               model_dir: str) -> bool:
  """True when `key` asks for the run of `previous` with only more G steps
  (keys.lengthens) and the run's learning rates do not depend on
  max_steps: the trainer then resumes it, which gives the same weights as
  the longer run trained at once (exact resume)."""
  if not keys.lengthens(previous, key):
    return False
  saved = load_saved_config(model_dir)
  return saved is not None and TrainConfig.from_dict(saved).lr_decay == "none"


def train(name: str, model_dir: str, flagfile: str, flags: dict) -> RunRecord:
  """Trains (or resumes, or reuses) one run with the train binary, flagfile
  experiments/configs/<flagfile>.cfg and `flags` on top of it.

  A run whose TRAINING_DONE is at the requested --max_steps is reused when
  its key (studies.keys: the flagfile's settings and the flags, not their
  paths) matches, or when it has no key; a key of the first format that
  matches is rewritten in the current one. A run recorded with other
  settings is refused unless only its length grows (`_lengthens`)."""
  path = paths.config_path(flagfile)
  args = [f"--flagfile={os.path.relpath(path)}", f"--model_dir={model_dir}",
          *keys.flag_args(flags)]
  command = f"python -m {TRAIN_MODULE} " + " ".join(args)
  record = RunRecord(name, model_dir, command)
  wanted = flags.get("max_steps")
  log = model_dir + ".train.log"
  key_path = model_dir + ".key"
  with open(path, "rb") as f:
    flagfile_bytes = f.read()
  key = keys.train_key(flagfile_bytes, flags, model_dir)
  recorded = keys.read(key_path)
  previous = (None if recorded is None
              else keys.parse(recorded, keys.TRAIN, flagfile_bytes))
  if (wanted is not None and done_step(model_dir) == int(wanted)
      and (recorded is None or previous == key)):
    if recorded != key.text():  # No key yet, or one of the first format.
      keys.write(key_path, key)
    record.reused = True
    print(f"[{name}] reusing finished run {model_dir}", flush=True)
  else:
    if recorded is not None and previous != key:
      if previous is None or not _lengthens(previous, key, model_dir):
        raise ValueError(
            f"{model_dir} was trained with other settings (see {key_path}); "
            "remove it (and its .key / .log files) to train it afresh.")
      print(f"[{name}] lengthening the run from step "
            f"{done_step(model_dir)} to {wanted}", flush=True)
    print(f"[{name}] training: {command}", flush=True)
    seconds = run_module(TRAIN_MODULE, args, log)
    keys.write(key_path, key)
    print(f"[{name}] trained in {seconds:.0f} s", flush=True)
  record.train_seconds = logged_seconds(log)
  return record


def evaluate(record: RunRecord, metrics: str, flags: dict) -> None:
  """Evaluates every checkpoint of the run with the eval binary (stops when
  training is done and every checkpoint is evaluated). A reused run whose
  last evaluation with the same settings (keys.eval_key) completed is
  not evaluated again."""
  args = [f"--model_dir={record.model_dir}", f"--metrics={metrics}",
          *EVAL_POLLING, *keys.flag_args(flags)]
  command = f"python -m {EVAL_MODULE} " + " ".join(args)
  log = record.model_dir + ".eval.log"
  key_path = record.model_dir + ".eval.key"
  key = keys.eval_key(metrics, flags, record.model_dir)
  recorded = keys.read(key_path)
  done = (recorded is not None
          and keys.parse(recorded, keys.EVAL) == key)
  if record.reused and done:
    # The same evaluation finished on this unchanged run: a new eval job
    # would only skip every row, and its start-up would count as eval time.
    if recorded != key.text():  # A key of the first format.
      keys.write(key_path, key)
    print(f"[{record.name}] evaluation already complete", flush=True)
  else:
    print(f"[{record.name}] evaluating: {command}", flush=True)
    run_module(EVAL_MODULE, args, log)
    keys.write(key_path, key)
  record.eval_seconds = logged_seconds(log)


def ensure_classifier(dataset: str, image_size: int, channels: int = 1
                      ) -> tuple[str, object]:
  """The domain classifier (trained once, offline) and its info. Studies
  running at once (--streams) wait for each other's training of it (the
  library's ensure_classifier locks)."""
  path, info, _ = domain_classifier.ensure_classifier(
      dataset, image_size, channels, domain_classifier.default_classifier_dir(
          dataset, image_size, CLASSIFIERS_DIR))
  return path, info


def register_rules(key: str, study_rules: Sequence[rules.Rule]) -> bool:
  """Freezes (or checks) a study's rules before any of its runs; returns
  False when the study should stop there (--register_only)."""
  rules.register(paths.results_dir(key), study_rules)
  return not options.flag("register_only")
