"""What the studies read from a finished run: TRAINING_DONE's step, the
eval job's rows (eval_results.jsonl) and the train job's TensorBoard
scalars, as (steps, values) series, and per-seed values over several runs
(`final_stats`, `best_stats`: one value per run, as rules.SeedStats)."""

from __future__ import annotations

import os
from typing import Callable, Optional, Sequence

import numpy as np

from studies import rules
from tfgan_ext import evaluation
from tfgan_ext import workspace
from tfgan_ext.evaluation.report import read_scalars


def done_step(model_dir: str) -> Optional[int]:
  """The step in model_dir's TRAINING_DONE; None if the run has not
  finished, -1 if the file is unreadable (workspace.read_done_step)."""
  return workspace.read_done_step(model_dir)


def eval_series(model_dir: str, metric: str,
                where: Optional[Callable[[dict], bool]] = None
                ) -> tuple[np.ndarray, np.ndarray]:
  """(steps [T] int64, values [T] float64) of one metric from the run's
  eval_results.jsonl, by step (rows without a value left out; with `where`,
  only the rows for which where(row) is true, e.g. one feature network's:
  a run evaluated by two networks has two rows per step, and the later one
  would win)."""
  rows = [r for r in evaluation.read_rows(
      os.path.join(model_dir, evaluation.RESULTS_FILE))
          if r["metric"] == metric and r["value"] is not None
          and (where is None or where(r))]
  by_step = {int(r["step"]): float(r["value"]) for r in rows}
  steps = np.array(sorted(by_step), dtype=np.int64)
  return steps, np.array([by_step[s] for s in steps], dtype=np.float64)


def train_series(model_dir: str, tag: str) -> tuple[np.ndarray, np.ndarray]:
  """(steps [T] int64, values [T] float64) of one TensorBoard scalar of the
  train job; KeyError naming the tags there when `tag` is not one."""
  scalars = read_scalars(os.path.join(model_dir, workspace.TRAIN_LOGS))
  if tag not in scalars:
    raise KeyError(f"No scalar {tag!r} in {model_dir}; have "
                   f"{sorted(scalars)}.")
  points = sorted(scalars[tag])
  return (np.array([p[0] for p in points], np.int64),
          np.array([p[1] for p in points], np.float64))


def final_stats(model_dirs: Sequence[str], metric: str) -> rules.SeedStats:
  """A metric's value at each run's last evaluated step (NaN for a run
  without one), one value per run in `model_dirs`' order."""
  values = []
  for d in model_dirs:
    _, v = eval_series(d, metric)
    values.append(v[-1] if v.size else float("nan"))
  return rules.SeedStats.of(values)


def best_stats(model_dirs: Sequence[str], metric: str, lower: bool
               ) -> rules.SeedStats:
  """A metric's best value (the minimum if `lower`) over each run's
  evaluated steps, one value per run in `model_dirs`' order."""
  values = []
  for d in model_dirs:
    _, v = eval_series(d, metric)
    values.append((v.min() if lower else v.max()) if v.size
                  else float("nan"))
  return rules.SeedStats.of(values)
