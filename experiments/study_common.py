"""Shared plumbing of the paper studies (experiments/study_*.py).

A study trains runs with the train binary and evaluates them with the eval
binary, each in its own process (exactly the commands a user would type),
then reads the runs' eval_results.jsonl and TensorBoard scalars, draws PNG
plots and writes a markdown section to results/<study>/section.md that
`python -m experiments.study_report` gathers into REPORT.md.

Runs live in runs/studies/<study>/<run>; a study started again reuses the
runs that finished (TRAINING_DONE at the requested step, same command and
flagfile contents as recorded in <run>.key) and the rows already in their
eval_results.jsonl.
"""

from __future__ import annotations

from concurrent import futures
import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from typing import Callable, Iterable, Optional, Sequence

from absl import flags
import numpy as np

from tfgan_ext import evaluation
from tfgan_ext import fileio
from tfgan_ext.cli.common import CLASSIFIERS_DIR
from tfgan_ext.evaluation import domain_classifier
from tfgan_ext.evaluation.report import read_scalars
from tfgan_ext.train.config import TrainConfig, load_saved_config
from tfgan_ext.workspace import DONE_FILE, TRAIN_LOGS
from experiments import study_rules

CONFIGS = os.path.join(os.path.dirname(__file__), "configs")
RUNS_ROOT = os.path.join("runs", "studies")
RESULTS_ROOT = "results"
# Hand-written section on what changed since the previous report and why;
# write_report puts it right after the introduction.
CHANGES_FILE = os.path.join(RESULTS_ROOT, "CHANGES.md")
# G steps per epoch on the digits train split (1,437 images) at batch 64 with
# one D step, as the energy objective's epoch callback counts them.
DIGITS_STEPS_PER_EPOCH = 1437 // 64

REPRODUCED = study_rules.REPRODUCED
NOT_REPRODUCED = study_rules.NOT_REPRODUCED
INCONCLUSIVE = study_rules.INCONCLUSIVE
# Quick runs (fewer seeds, fewer steps) live apart from the full ones, so the
# two never collide in one model_dir.
QUICK_RUNS_ROOT = os.path.join("runs", "studies_quick")

flags.DEFINE_string("runs_root", RUNS_ROOT,
                    "Where a study writes its runs (with --quick: "
                    "runs/studies_quick unless given).")
flags.DEFINE_bool(
    "register_only", False,
    "Only freeze the study's rules in results/<key>/rules.json (to commit "
    "them before any run), then stop.")
flags.DEFINE_bool(
    "quick", False,
    "The short version of a study: fewer seeds and steps, its own runs "
    "under runs/studies_quick; the report says so.")


def _flag(name: str):
  """A study flag's value, or its default before flags are parsed (tests)."""
  values = flags.FLAGS
  return values[name].value if values.is_parsed() else values[name].default


def runs_root(default_root: Optional[str] = None) -> str:
  """Where a study writes its runs: `default_root` (a study's --runs_root),
  else runs/studies, or runs/studies_quick with --quick."""
  if default_root and default_root != RUNS_ROOT:
    return default_root
  return QUICK_RUNS_ROOT if _flag("quick") else RUNS_ROOT


def config_path(name: str) -> str:
  """Path of experiments/configs/<name>.cfg; fails if it does not exist."""
  path = os.path.join(CONFIGS, f"{name}.cfg")
  if not os.path.exists(path):
    raise FileNotFoundError(f"No flagfile {path}.")
  return path


def _flag_args(flags: dict) -> list[str]:
  out = []
  for key, value in flags.items():
    if isinstance(value, bool):
      value = "true" if value else "false"
    out.append(f"--{key}={value}")
  return out


FOOTER = "# finished in"
_ABSL_TIME = re.compile(r"^[IWEF]\d{4} (\d\d):(\d\d):(\d\d\.\d+) ")


def run_module(module: str, args: Sequence[str], log_path: str) -> float:
  """Runs `python -m module args` with its output in log_path; returns the
  wall seconds. Raises RuntimeError with the log's tail on failure."""
  os.makedirs(os.path.dirname(log_path) or ".", exist_ok=True)
  env = dict(os.environ, PYTHONPATH=os.getcwd(), TF_CPP_MIN_LOG_LEVEL="2")
  start = time.time()
  with open(log_path, "a", encoding="utf8") as log:
    log.write(f"\n$ python -m {module} {' '.join(args)}\n")
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


def done_step(model_dir: str) -> Optional[int]:
  """The step in model_dir's TRAINING_DONE, or None."""
  path = os.path.join(model_dir, DONE_FILE)
  if not os.path.exists(path):
    return None
  with open(path, encoding="utf8") as f:
    return int(json.load(f)["step"])


@dataclasses.dataclass
class RunRecord:
  """One training run of a study and what it cost."""
  name: str
  model_dir: str
  command: str
  train_seconds: float = 0.0
  eval_seconds: float = 0.0
  reused: bool = False


# Flags a finished run may change when it is lengthened (see `_lengthens`).
LENGTH_FLAGS = ("max_steps", "keep_checkpoints", "image_every")


def _command_flags(command: str) -> dict:
  return dict(a[2:].split("=", 1) for a in command.split()
              if a.startswith("--") and "=" in a)


def _lengthens(previous_key: str, key: str, model_dir: str) -> bool:
  """True when `key` asks for the run of `previous_key` with only more G
  steps (the same flagfile and flags but a larger --max_steps, and with it
  --keep_checkpoints / --image_every) and the run's learning rates do not
  depend on max_steps: the trainer then resumes it, which gives the same
  weights as the longer run trained at once (exact resume)."""
  old_command, _, old_hash = previous_key.rpartition("\n")
  new_command, _, new_hash = key.rpartition("\n")
  if old_hash != new_hash:
    return False
  old, new = _command_flags(old_command), _command_flags(new_command)
  strip = lambda f: {k: v for k, v in f.items() if k not in LENGTH_FLAGS}
  if strip(old) != strip(new) or "max_steps" not in old.keys() & new.keys():
    return False
  if int(new["max_steps"]) <= int(old["max_steps"]):
    return False
  saved = load_saved_config(model_dir)
  return saved is not None and TrainConfig.from_dict(saved).lr_decay == "none"


def train(name: str, model_dir: str, flagfile: str, flags: dict) -> RunRecord:
  """Trains (or resumes, or reuses) one run with experiments.train."""
  args = [f"--flagfile={os.path.relpath(config_path(flagfile))}",
          f"--model_dir={model_dir}",
          *_flag_args(flags)]
  command = "python -m experiments.train " + " ".join(args)
  record = RunRecord(name, model_dir, command)
  wanted = flags.get("max_steps")
  log = model_dir + ".train.log"
  key_path = model_dir + ".key"
  with open(config_path(flagfile), "rb") as f:
    key = command + "\n" + hashlib.sha1(f.read()).hexdigest()
  previous = None
  if os.path.exists(key_path):
    with open(key_path, encoding="utf8") as f:
      previous = f.read()
  if (wanted is not None and done_step(model_dir) == int(wanted)
      and previous in (key, None)):
    if previous is None:  # Finished before keys were recorded.
      fileio.atomic_write_text(key_path, key)
    record.reused = True
    print(f"[{name}] reusing finished run {model_dir}", flush=True)
  else:
    if previous is not None and previous != key:
      if not _lengthens(previous, key, model_dir):
        raise ValueError(
            f"{model_dir} was trained with other settings (see {key_path}); "
            "remove it (and its .key / .log files) to train it afresh.")
      print(f"[{name}] lengthening the run from step "
            f"{done_step(model_dir)} to {wanted}", flush=True)
    print(f"[{name}] training: {command}", flush=True)
    seconds = run_module("experiments.train", args, log)
    fileio.atomic_write_text(key_path, key)
    print(f"[{name}] trained in {seconds:.0f} s", flush=True)
  record.train_seconds = logged_seconds(log)
  return record


def evaluate(record: RunRecord, metrics: str, flags: dict) -> None:
  """Evaluates every checkpoint of the run with eval.run (stops when
  training is done and every checkpoint is evaluated). A reused run whose
  last evaluation with the same command completed is not evaluated again."""
  args = [f"--model_dir={record.model_dir}", f"--metrics={metrics}",
          "--timeout=0", "--poll_interval=1", "--progress_every=600",
          *_flag_args(flags)]
  command = "python -m eval.run " + " ".join(args)
  log = record.model_dir + ".eval.log"
  key_path = record.model_dir + ".eval.key"
  done = None
  if os.path.exists(key_path):
    with open(key_path, encoding="utf8") as f:
      done = f.read()
  if record.reused and done == command:
    # The same evaluation finished on this unchanged run: a new eval job
    # would only skip every row, and its start-up would count as eval time.
    print(f"[{record.name}] evaluation already complete", flush=True)
  else:
    print(f"[{record.name}] evaluating: {command}", flush=True)
    run_module("eval.run", args, log)
    fileio.atomic_write_text(key_path, command)
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


# Digits studies: eval.run metrics and flags (offline digits classifier).
DIGITS_METRICS = ("is,fid,intra_fid,sample_accuracy,quality,diversity,"
                  "within_class_spread,conditioning")


def digits_eval_flags(classifier: str, num_samples: int) -> dict:
  """eval.run flags shared by the digits studies."""
  return {"classifier_path": classifier, "num_samples": num_samples,
          "num_groups": 10, "reference_samples": 1437, "seed": 0}


# ------------------------------------------------------------------ reading
def eval_series(model_dir: str, metric: str
                ) -> tuple[np.ndarray, np.ndarray]:
  """(steps, values) of one metric from eval_results.jsonl, by step."""
  rows = [r for r in evaluation.read_rows(
      os.path.join(model_dir, evaluation.RESULTS_FILE))
          if r["metric"] == metric and r["value"] is not None]
  by_step = {int(r["step"]): float(r["value"]) for r in rows}
  steps = np.array(sorted(by_step), dtype=np.int64)
  return steps, np.array([by_step[s] for s in steps], dtype=np.float64)


def eval_row(model_dir: str, metric: str, step: int) -> Optional[dict]:
  """The eval row of `metric` at `step` (None if missing)."""
  for row in evaluation.read_rows(
      os.path.join(model_dir, evaluation.RESULTS_FILE)):
    if row["metric"] == metric and int(row["step"]) == step:
      return row
  return None


def value_at(model_dir: str, metric: str, step: int) -> float:
  """One metric's value at `step` (NaN when it was not evaluated)."""
  row = eval_row(model_dir, metric, step)
  return float("nan") if row is None else float(row["value"])


def train_series(model_dir: str, tag: str) -> tuple[np.ndarray, np.ndarray]:
  """(steps, values) of one TensorBoard scalar of the train job."""
  scalars = read_scalars(os.path.join(model_dir, TRAIN_LOGS))
  if tag not in scalars:
    raise KeyError(f"No scalar {tag!r} in {model_dir}; have "
                   f"{sorted(scalars)}.")
  points = sorted(scalars[tag])
  return (np.array([p[0] for p in points], np.int64),
          np.array([p[1] for p in points], np.float64))


SPIKE_FACTOR = 3.0


def angle_spikes(values: np.ndarray, window: int,
                 factor: float = SPIKE_FACTOR) -> int:
  """Logged angles above `factor` x the median of the previous `window`."""
  count = 0
  for i in range(window, len(values)):
    if values[i] > factor * np.median(values[i - window:i]):
      count += 1
  return count


# ------------------------------------------------------------------ writing
def fmt(value: Optional[float], digits: int = 3) -> str:
  if value is None or not np.isfinite(value):
    return "n/a"
  return f"{value:.{digits}f}"


def _cell(value: object) -> str:
  """A table cell's text with its own '|' escaped (e.g. |mean logit|)."""
  return re.sub(r"(?<!\\)\|", r"\\|", str(value))


def markdown_table(headers: Sequence[str],
                   rows: Iterable[Sequence[object]]) -> str:
  lines = ["| " + " | ".join(map(_cell, headers)) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
  lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
  return "\n".join(lines)


def pyplot():
  """matplotlib's pyplot on the file-only Agg backend."""
  import matplotlib
  matplotlib.use("Agg")
  from matplotlib import pyplot as plt
  return plt


def save_figure(fig, path: str) -> str:
  with fileio.atomic_path(path) as tmp:
    fig.savefig(tmp, dpi=90, bbox_inches="tight", format="png")
  pyplot().close(fig)
  return path


def _draw_lines(ax, curves: dict) -> None:
  for label, (x, y) in curves.items():
    ax.plot(x, y, label=label, marker="." if len(x) < 30 else None)


def plot_metric_grid(path: str, panels: Sequence[tuple[str, dict]],
                     columns: int = 3, xlabel: str = "step",
                     draw=_draw_lines) -> str:
  """One panel per (title, curves) in a grid; `draw(ax, curves)` draws a
  panel's curves (default: curves = {label: (steps, values)}, one line
  each)."""
  plt = pyplot()
  rows = int(np.ceil(len(panels) / columns))
  fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.2 * rows),
                           squeeze=False)
  for ax, (title, curves) in zip(axes.flat, panels):
    draw(ax, curves)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
  for ax in list(axes.flat)[len(panels):]:
    ax.axis("off")
  fig.tight_layout()
  return save_figure(fig, path)


@dataclasses.dataclass
class Claim:
  """One paper claim, its verdict and the evidence (numbers, in words)."""
  text: str
  verdict: str
  evidence: str

  @classmethod
  def decided(cls, decision: study_rules.Decision) -> "Claim":
    """The claim of a pre-registered rule's decision."""
    rule = decision.rule
    label = f"rule `{rule.id}`" + (
        f", amending `{rule.amends}` after the runs" if rule.amends else "")
    return cls(f"{rule.claim} ({label})", decision.verdict,
               decision.evidence)


@dataclasses.dataclass
class Section:
  """What a study writes into REPORT.md."""
  key: str
  title: str
  paper: str
  script: str
  protocol: list[tuple[str, str]]
  claims: list[Claim]
  body: list[str]  # Markdown paragraphs, tables and figure links.
  runs: list[RunRecord]
  # The rules registered before the runs (study_rules.register), shown
  # with their text; empty for a section without registered rules.
  rules: Sequence[study_rules.Rule] = ()
  quick: bool = False

  @property
  def train_seconds(self) -> float:
    return sum(r.train_seconds for r in self.runs)

  @property
  def eval_seconds(self) -> float:
    return sum(r.eval_seconds for r in self.runs)

  @property
  def results_dir(self) -> str:
    """results/<key>, or results/<key>/quick for the quick version (whose
    figures and section never overwrite the full study's)."""
    return results_dir(self.key, self.quick)

  def figure(self, file_name: str, caption: str) -> str:
    """Markdown for a figure in this study's results folder."""
    return f"![{caption}]({self.results_dir}/{file_name})\n\n*{caption}*"

  def markdown(self) -> str:
    out = [f"## {self.title}", "",
           f"Paper: {self.paper}. Script: `python -m {self.script}"
           + (" --quick`" if self.quick else "`") + ".", ""]
    if self.quick:
      out += ["**Quick version** (`--quick`): fewer seeds and steps than "
              "the full study; verdicts from it are weaker.", ""]
    if self.rules:
      out += ["### Rules (registered before the runs)", "",
              "Frozen in `" + os.path.join(results_dir(self.key),
                                           study_rules.RULES_FILE)
              + "` when the study first ran; a rule is never edited after "
              "its runs (an amended one is listed beside it).", "",
              markdown_table(["rule", "claim", "decided by"],
                             study_rules.rules_table(self.rules)), ""]
    out += ["### Claims", "",
           markdown_table(["claim", "verdict", "evidence"],
                          [(c.text, f"**{c.verdict}**", c.evidence)
                           for c in self.claims]), "",
           "### Protocol", "",
           markdown_table(["setting", "value"], self.protocol), ""]
    out += ["### Results", ""]
    for part in self.body:
      out += [part, ""]
    reused = sum(r.reused for r in self.runs)
    out += ["### Runs", "",
            markdown_table(["run", "command"],
                           [(r.name, f"`{r.command}`") for r in self.runs]),
            "", f"Compute time of these runs, from their job logs: training "
            f"{self.train_seconds / 60:.1f} min, evaluation "
            f"{self.eval_seconds / 60:.1f} min"
            + (f" ({reused} finished runs reused by the last invocation)."
               if reused else "."), ""]
    return "\n".join(out)

  def write(self) -> str:
    os.makedirs(self.results_dir, exist_ok=True)
    path = os.path.join(self.results_dir, "section.md")
    fileio.atomic_write_text(path, self.markdown())
    summary = dict(key=self.key, title=self.title, quick=self.quick,
                   claims=[dataclasses.asdict(c) for c in self.claims],
                   train_seconds=self.train_seconds,
                   eval_seconds=self.eval_seconds)
    fileio.atomic_write_text(os.path.join(self.results_dir, "summary.json"),
                             json.dumps(summary, indent=2))
    print(f"wrote {path}", flush=True)
    return path


def results_dir(key: str, quick: bool = False) -> str:
  """Where a study writes its section, summary and figures."""
  path = os.path.join(RESULTS_ROOT, key)
  return os.path.join(path, "quick") if quick else path


def register_rules(key: str, rules: Sequence[study_rules.Rule]) -> bool:
  """Freezes (or checks) a study's rules before any of its runs; returns
  False when the study should stop there (--register_only)."""
  study_rules.register(results_dir(key), rules)
  return not _flag("register_only")


def final_stats(model_dirs: Sequence[str], metric: str
                ) -> study_rules.SeedStats:
  """A metric's value at each run's last evaluated step, over runs."""
  values = []
  for d in model_dirs:
    _, v = eval_series(d, metric)
    values.append(v[-1] if v.size else float("nan"))
  return study_rules.SeedStats.of(values)


def best_stats(model_dirs: Sequence[str], metric: str, lower: bool
               ) -> study_rules.SeedStats:
  """A metric's best value over each run's evaluated steps, over runs."""
  values = []
  for d in model_dirs:
    _, v = eval_series(d, metric)
    values.append((v.min() if lower else v.max()) if v.size
                  else float("nan"))
  return study_rules.SeedStats.of(values)


def study_dirs(key: str, runs_root: str) -> str:
  path = os.path.join(runs_root, key)
  os.makedirs(path, exist_ok=True)
  return path


# ------------------------------------------------------------------ report
# (module, results key), in report order.
STUDIES = (("experiments.study_aw_ring8", "aw_ring8"),
           ("experiments.study_conditional", "conditional_fmnist"),
           ("experiments.study_ssl", "ssl_fmnist"),
           ("experiments.study_magan", "magan_fmnist"),
           ("experiments.study_sqd", "sqd_fmnist"))

# --streams=2: two sequences of studies about equally long by the job logs'
# wall times (study 1 + 3: ~242 min; 2 + 5 + 4: ~233 min, plus the 16px and
# 28px domain classifiers). Study 2 comes first in its stream, so the 16px
# classifier it trains exists before study 3 needs it (ensure_classifier
# also locks).
STREAMS = (("experiments.study_aw_ring8", "experiments.study_ssl"),
           ("experiments.study_conditional", "experiments.study_sqd",
            "experiments.study_magan"))


def stream_plan(streams: int, only: Sequence[str] = ()) -> list[list[str]]:
  """The study modules to run, as `streams` sequences (report order when
  1), keeping those named in `only` (module or short name; all if empty)."""
  modules = [m for m, _ in STUDIES]
  short = {m.rsplit(".", 1)[-1]: m for m in modules}
  unknown = [n for n in only if n not in modules and n not in short]
  if unknown:
    raise ValueError(f"Unknown study {unknown[0]!r} in --only: use one of "
                     f"{', '.join(short)}.")
  keep = {short.get(n, n) for n in only} or set(modules)
  if not 1 <= streams <= len(STREAMS):
    raise ValueError(f"streams must be 1..{len(STREAMS)}, got {streams}.")
  plan = [modules] if streams == 1 else [list(s) for s in STREAMS]
  return [s for s in ([m for m in p if m in keep] for p in plan) if s]


def run_streams(plan: Sequence[Sequence[str]],
                run_one: Callable[[str], object]) -> None:
  """Calls run_one on each module, the sequences of `plan` concurrently and
  each in its order. A failure stops only its own sequence; the first one
  is raised once every sequence has ended."""
  def run_all(modules):
    for module in modules:
      run_one(module)
  with futures.ThreadPoolExecutor(max(1, len(plan))) as pool:
    jobs = [pool.submit(run_all, modules) for modules in plan]
    failures = [j.exception() for j in jobs if j.exception() is not None]
  if failures:
    raise failures[0]

INTRO = """# tfgan_ext: the papers' findings at laptop scale

Each study below was run on this repository's 2-core CPU machine by one
committed script, with the library's own train binary, eval binary and
monitors. Everything here is regenerated by `make studies` (or
`python -m experiments.study_report`); the plots are under `results/`.
The scale is tiny next to the papers (Fashion-MNIST at 16x16 and 28x28,
a 2-D mixture, hundreds to tens of thousands of steps, 3 to 5 seeds per
arm), so a verdict says what happened at this scale, not whether the paper
is right. Every verdict follows a rule written in the study script and
frozen in `results/<study>/rules.json` before the study's runs; each rule
has three outcomes, and *inconclusive* covers every case where the effect
the claim is about did not occur in either arm or the seed spread covers
the difference.
"""


def _summary_table(summaries: list[dict]) -> str:
  rows = []
  for s in summaries:
    for c in s["claims"]:
      rows.append((s["title"].split(":")[0], c["text"], f"**{c['verdict']}**"))
  return markdown_table(["study", "claim", "verdict"], rows)


def write_report(path: str, quick: bool = False) -> str:
  """Gathers the studies' sections into `path`. Each study's full section,
  else its quick one; with `quick` the quick sections come first (the full
  ones are committed, and a quick run's report should show its own)."""
  summaries, sections = [], []
  for _, key in STUDIES:
    for folder in ((results_dir(key, True), results_dir(key)) if quick else
                   (results_dir(key), results_dir(key, True))):
      section = os.path.join(folder, "section.md")
      if os.path.exists(section):
        break
    else:
      module = next(m for m, k in STUDIES if k == key)
      sections.append(f"## {key}\n\nNot run yet on the current code: "
                      f"`python -m {module}` (or `make studies`).\n")
      continue
    with open(os.path.join(folder, "summary.json"), encoding="utf8") as f:
      summaries.append(json.load(f))
    with open(section, encoding="utf8") as f:
      sections.append(f.read())
  train_min = sum(s["train_seconds"] for s in summaries) / 60
  eval_min = sum(s["eval_seconds"] for s in summaries) / 60
  times = markdown_table(
      ["study", "training (min)", "evaluation (min)"],
      [(s["title"], f"{s['train_seconds'] / 60:.1f}",
        f"{s['eval_seconds'] / 60:.1f}") for s in summaries]
      + [("**total**", f"{train_min:.1f}", f"{eval_min:.1f}")])
  status = []
  if os.path.exists(CHANGES_FILE):
    with open(CHANGES_FILE, encoding="utf8") as f:
      status = [f.read()]
  text = "\n".join([INTRO, *status, "## Summary", "", _summary_table(summaries), "",
                    "Compute time of each study's runs (wall time on this "
                    "machine, from the job logs, while other jobs shared its "
                    "2 cores: the studies ran two at a time, as "
                    "`make studies` runs them; runs reused by a later "
                    "invocation keep the time they took):", "", times, "",
                    *sections])
  fileio.atomic_write_text(path, text)
  return path
