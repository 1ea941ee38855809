"""Plots and a markdown table comparing runs, from their model_dirs.

Sources: each run's eval_results.jsonl (one series per metric, feature
network and sample count) and the scalars of its train/ TensorBoard events
(losses, statistics, SQD angles / Q / D).
"""

from __future__ import annotations

import dataclasses
import glob
import os
import re
from typing import Iterable, Sequence

import numpy as np
import tensorflow as tf

from tfgan_ext import fileio
from tfgan_ext.errors import InputError, MissingInputError
from tfgan_ext.evaluation.results import (RESULTS_FILE, ResultsFile,
                                          row_generator)
from tfgan_ext.workspace import TRAIN_LOGS

__all__ = ["RunData", "load_run", "markdown_table", "read_scalars",
           "write_report"]

LOWER_IS_BETTER = ("fid", "kid", "intra_fid")


@dataclasses.dataclass
class RunData:
  name: str
  eval_rows: list[dict]
  train_scalars: dict[str, list[tuple[int, float]]]

  def eval_series(self) -> dict[str, list[dict]]:
    """'metric [network, n=N, ref]' -> its rows, by step (last row wins)."""
    series: dict[str, dict[int, dict]] = {}
    for row in self.eval_rows:
      series.setdefault(series_name(row), {})[int(row["step"])] = row
    return {k: [v[s] for s in sorted(v)] for k, v in series.items()}


def series_name(row: dict) -> str:
  bn = ", bn=batch" if row.get("bn_inference") == "batch" else ""
  bn += ", ema" if row_generator(row) == "ema" else ""
  return (f"{row['metric']} [{row['feature_network']}, "
          f"n={row['num_samples']}, {row['reference_split']}{bn}]")


def read_scalars(logdir: str) -> dict[str, list[tuple[int, float]]]:
  """Scalar summaries of every event file in `logdir`: tag -> [(step, v)]."""
  out: dict[str, dict[int, float]] = {}
  for path in sorted(glob.glob(os.path.join(logdir, "events.out.tfevents*"))):
    try:
      for record in tf.data.TFRecordDataset(path):
        event = tf.compat.v1.Event.FromString(record.numpy())
        for value in event.summary.value:
          if value.HasField("simple_value"):
            number = value.simple_value
          elif value.HasField("tensor"):
            array = tf.make_ndarray(value.tensor)
            if array.ndim != 0 or array.dtype.kind not in "fiu":
              continue
            number = float(array)
          else:
            continue
          out.setdefault(value.tag, {})[int(event.step)] = float(number)
    except tf.errors.DataLossError:
      continue  # A file still being written ends in a partial record.
  return {tag: sorted(points.items()) for tag, points in out.items()}


def _has_run_data(folder: str) -> bool:
  return (os.path.isfile(os.path.join(folder, RESULTS_FILE))
          or bool(glob.glob(os.path.join(folder, TRAIN_LOGS,
                                         "events.out.tfevents*"))))


def load_run(model_dir: str) -> RunData:
  """The eval rows and training scalars of a run folder.

  Raises MissingInputError when it is not a folder, InputError when it
  holds neither eval results nor training logs (the message names the
  runs in its subfolders, if any) or a row that is not an eval result.
  """
  if not os.path.isdir(model_dir):
    raise MissingInputError(f"{model_dir!r} is not a directory.")
  if not _has_run_data(model_dir):
    runs = sorted(os.path.join(model_dir, d) for d in os.listdir(model_dir)
                  if _has_run_data(os.path.join(model_dir, d)))
    hint = (f" It holds runs: pass --model_dirs={','.join(runs)}." if runs
            else " Train and evaluate a run first (python -m "
            "experiments.train, python -m eval.run).")
    raise InputError(
        f"{model_dir!r} holds no eval results ({RESULTS_FILE}) and no "
        f"training logs ({TRAIN_LOGS}/): nothing to report.{hint}")
  rows = ResultsFile(model_dir).rows()  # InputError for a damaged row.
  name = os.path.basename(os.path.normpath(model_dir))
  return RunData(name, rows, read_scalars(os.path.join(model_dir, TRAIN_LOGS)))


def _best(rows: list[dict]) -> dict:
  valid = [r for r in rows if r.get("value") is not None]
  if not valid:
    return {}
  pick = min if rows[0]["metric"] in LOWER_IS_BETTER else max
  return pick(valid, key=lambda r: r["value"])


def _fmt(row: dict) -> str:
  if not row or row.get("value") is None:
    return "n/a"
  text = f"{row['value']:.4g}"
  if row.get("std") is not None:
    text += f" ± {row['std']:.2g}"
  return f"{text} (step {row['step']})"


def markdown_table(runs: Sequence[RunData]) -> str:
  """Best and last value of every eval series of every run, with protocol."""
  lines = ["| run | metric | best | last | feature network | samples / "
           "groups | reference (examples) |",
           "|---|---|---|---|---|---|---|"]
  for run in runs:
    for _, rows in sorted(run.eval_series().items()):
      last = rows[-1]
      ref = last["reference_split"]
      if last.get("reference_samples"):
        ref += f" ({last['reference_samples']})"
      metric = last["metric"]
      classifier = (last.get("details") or {}).get("classifier")
      if classifier:
        metric += f" ({classifier})"
      lines.append(f"| {run.name} | {metric} | {_fmt(_best(rows))} | "
                   f"{_fmt(last)} | {last['feature_network']} | "
                   f"{last['num_samples']} / {last['num_groups']} | {ref} |")
  if len(lines) == 2:
    lines.append("| (no eval results) | | | | | | |")
  return "\n".join(lines)


def _file_name(title: str) -> str:
  return re.sub(r"[^A-Za-z0-9._-]+", "_", title).strip("_")[:150] + ".png"


def _plot(title: str, curves: Iterable[tuple[str, list, list, list]],
          path: str) -> None:
  import matplotlib
  matplotlib.use("Agg")
  from matplotlib import pyplot as plt
  fig, ax = plt.subplots(figsize=(6, 3.6))
  for label, steps, values, stds in curves:
    ax.plot(steps, values, marker="o" if len(steps) < 30 else None,
            markersize=3, label=label)
    if stds is not None and any(s is not None for s in stds):
      low = [v - (s or 0) for v, s in zip(values, stds)]
      high = [v + (s or 0) for v, s in zip(values, stds)]
      ax.fill_between(steps, low, high, alpha=0.2)
  ax.set_title(title, fontsize=9)
  ax.set_xlabel("step")
  ax.grid(alpha=0.3)
  ax.legend(fontsize=8)
  fig.tight_layout()
  try:
    with fileio.atomic_path(path) as tmp:
      fig.savefig(tmp, dpi=90, format="png")
  finally:
    plt.close(fig)


def write_report(model_dirs: Sequence[str], out_dir: str) -> dict:
  """Writes one PNG per metric (runs overlaid) and report.md into `out_dir`.

  Returns {"plots": [paths], "table": path}.
  """
  if not model_dirs:
    raise InputError("No model_dirs given.")
  seen = {}
  for directory in model_dirs:
    key = os.path.realpath(directory)
    if key in seen:
      raise InputError(f"--model_dirs lists the run {directory!r} twice (as "
                       f"{seen[key]!r} too); list each run once.")
    seen[key] = directory
  fileio.check_output_path(out_dir, "dir")  # Before reading the runs.
  runs = [load_run(d) for d in model_dirs]
  names = [r.name for r in runs]
  if len(set(names)) != len(names):
    for run, directory in zip(runs, model_dirs):
      run.name = os.path.normpath(directory).replace(os.sep, "/")
  os.makedirs(out_dir, exist_ok=True)
  plots = []
  eval_titles = sorted({t for r in runs for t in r.eval_series()})
  for title in eval_titles:
    curves = []
    for run in runs:
      rows = run.eval_series().get(title)
      if rows:
        curves.append((run.name, [r["step"] for r in rows],
                       [np.nan if r["value"] is None else r["value"]
                        for r in rows], [r.get("std") for r in rows]))
    path = os.path.join(out_dir, "eval_" + _file_name(title))
    _plot(title, curves, path)
    plots.append(path)
  train_tags = sorted({t for r in runs for t in r.train_scalars})
  for tag in train_tags:
    curves = [(run.name, [s for s, _ in run.train_scalars[tag]],
               [v for _, v in run.train_scalars[tag]], None)
              for run in runs if tag in run.train_scalars]
    path = os.path.join(out_dir, "train_" + _file_name(tag))
    _plot(f"train: {tag}", curves, path)
    plots.append(path)
  table = os.path.join(out_dir, "report.md")
  with fileio.atomic_open(table, "w") as f:
    f.write(f"# Runs: {', '.join(r.name for r in runs)}\n\n")
    f.write("Best and last value of each eval metric (lower is better for "
            f"{', '.join(LOWER_IS_BETTER)}; higher for the rest).\n\n")
    f.write(markdown_table(runs) + "\n\n## Plots\n\n")
    for path in plots:
      f.write(f"![{os.path.basename(path)}]({os.path.basename(path)})\n")
  return {"plots": plots, "table": table}
