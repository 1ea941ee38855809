"""The eval job's outputs: `eval_results.jsonl` rows and `eval/` TensorBoard.

One JSON object per line and per (step, metric):

  {"step": 1000, "metric": "fid", "value": 12.3, "std": null,
   "feature_network": "classifier_digits_16px_1a2b3c4d",
   "num_samples": 10240, "num_groups": 10, "reference_split": "train",
   "reference_samples": 1437, "batch_size": 100, "bn_inference": "moving",
   "generator": "raw", "checkpoint": "ckpt-1000", "time": "2025-01-01T12:00:00", "details": {...}}

A row is identified by (step, metric, feature_network, num_samples,
reference_split, bn_inference, generator); a restarted job skips those
already present. Rows without bn_inference predate the generator's moving
batch-norm statistics and count as "moving": their checkpoints have no moving
statistics, so evaluating them again would use batch statistics as they did.
`generator` is "ema" (the run's averaged generator) or "raw"; rows without
it predate EMA generators and count as "raw". Rows of GENERATOR_FREE_METRICS
(D on real data) have generator null, and the key ignores it.

TensorBoard (`eval/`): `<metric>/<network>/n<N>[/bn_batch][/ema]` (and
`/std`) at each
checkpoint's step; for metrics with a direction also `best/<tag>` and
`best/<tag>/step`, the best value so far and its step. With the first
results the run's HParams record is written too (`tfgan_ext.hparams`).
"""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any, Iterable, Iterator, Optional

from absl import logging
import tensorflow as tf

from tfgan_ext import hparams
from tfgan_ext.errors import InputError
from tfgan_ext.workspace import EVAL_LOGS

RESULTS_FILE = "eval_results.jsonl"
# Metrics with a direction; `best/<tag>` follows their best value so far.
LOWER_IS_BETTER = ("fid", "kid", "intra_fid")
HIGHER_IS_BETTER = ("is", "sample_accuracy", "quality", "diversity",
                    "modes_covered", "validation_accuracy", "self_accuracy",
                    "projection_accuracy")

__all__ = ["GENERATOR_FREE_METRICS", "HIGHER_IS_BETTER", "LOWER_IS_BETTER",
           "RESULTS_FILE", "ROW_FIELDS", "ResultsFile", "best_rows",
           "check_row", "row_generator", "row_key", "tensorboard_tag"]

# Metrics that score the run's D on real data only: no generator is involved.
GENERATOR_FREE_METRICS = ("validation_accuracy", "projection_accuracy",
                          "d_real_accuracy_train",
                          "d_real_accuracy_validation")


# What every row holds (the report's plots and table, a restarted job's
# skip keys read these).
ROW_FIELDS = ("step", "metric", "value", "feature_network", "num_samples",
              "reference_split")


def check_row(row: Any, path: str, index: int) -> None:
  """Raises InputError, naming `path` and the row's number `index`, unless
  `row` is an eval result row: a JSON object with ROW_FIELDS, an integer
  step and sample count, and a numeric (or null) value."""
  missing = ([f for f in ROW_FIELDS if f not in row]
             if isinstance(row, dict) else list(ROW_FIELDS))
  if not missing:
    try:
      int(row["step"])
      int(row["num_samples"])
      if row["value"] is not None:
        float(row["value"])
      return
    except (TypeError, ValueError):
      missing = ["a numeric step, sample count and value"]
  raise InputError(
      f"{path}: row {index} is not an eval result (it lacks "
      f"{', '.join(missing)}): {str(row)[:80]}. The eval job writes these "
      "rows; remove or fix that line.")


def row_key(row: dict) -> tuple:
  """What makes two rows the same measurement."""
  return (int(row["step"]), row["metric"], row["feature_network"],
          int(row["num_samples"]), row["reference_split"],
          row.get("bn_inference", "moving"), row_generator(row))


def row_generator(row: dict) -> Optional[str]:
  """The generator a row scored: "ema" or "raw" (rows from before EMA
  generators: "raw"); None for GENERATOR_FREE_METRICS."""
  if row["metric"] in GENERATOR_FREE_METRICS:
    return None
  return row.get("generator") or "raw"


def tensorboard_tag(row: dict) -> str:
  """`metric/feature_network/nNUM` (e.g. `fid/classifier_digits.../n10240`),
  plus `/bn_batch` for samples made with batch-norm batch statistics and
  `/ema` for samples of the EMA generator."""
  tag = f"{row['metric']}/{row['feature_network']}/n{row['num_samples']}"
  tag += "/bn_batch" if row.get("bn_inference") == "batch" else ""
  return tag + ("/ema" if row_generator(row) == "ema" else "")


def best_rows(rows: Iterable[dict]) -> dict[str, dict]:
  """tensorboard_tag -> the row with the best value under that tag, for
  metrics with a direction (ties: the earliest step)."""
  best: dict[str, dict] = {}
  for row in sorted(rows, key=lambda r: int(r["step"])):
    metric, value = row["metric"], row.get("value")
    if value is None or metric not in LOWER_IS_BETTER + HIGHER_IS_BETTER:
      continue
    tag = tensorboard_tag(row)
    sign = -1.0 if metric in LOWER_IS_BETTER else 1.0
    if tag not in best or sign * value > sign * best[tag]["value"]:
      best[tag] = row
  return best


def _clean(value: Any) -> Any:
  """JSON-safe copy: NaN / inf become None, NumPy scalars plain numbers."""
  if isinstance(value, dict):
    return {str(k): _clean(v) for k, v in value.items()}
  if isinstance(value, (list, tuple)):
    return [_clean(v) for v in value]
  if hasattr(value, "item") and not isinstance(value, (str, bytes)):
    value = value.item()
  if isinstance(value, float) and not math.isfinite(value):
    return None
  return value


class ResultsFile:
  """Appends rows to `model_dir/eval_results.jsonl` and mirrors their values
  to TensorBoard scalars in `model_dir/eval/`."""

  def __init__(self, model_dir: str):
    self.model_dir = model_dir
    self.path = os.path.join(model_dir, RESULTS_FILE)
    self._writer = None

  def rows(self) -> list[dict]:
    """Every readable row; a torn last line (crash mid-write) is skipped.
    Raises InputError for a line that holds JSON but not an eval result
    (`check_row`)."""
    rows = list(read_rows(self.path))
    for index, row in enumerate(rows, 1):
      check_row(row, self.path, index)
    return rows

  def done_keys(self) -> set:
    return {row_key(r) for r in self.rows()}

  def append(self, rows: Iterable[dict]) -> None:
    """Writes rows (one flushed line each) and their TensorBoard scalars."""
    rows = [_clean(dict(r)) for r in rows]
    if not rows:
      return
    with open(self.path, "a+", encoding="utf8") as f:
      if f.tell() > 0:
        f.seek(f.tell() - 1)
        if f.read(1) != "\n":
          f.write("\n")  # End a line torn by a crash before appending.
      for row in rows:
        row.setdefault("time", time.strftime("%Y-%m-%dT%H:%M:%S"))
        f.write(json.dumps(row, sort_keys=True) + "\n")
        f.flush()
    self._write_scalars(rows)

  def _write_scalars(self, rows: list[dict]) -> None:
    if self._writer is None:
      self._writer = tf.summary.create_file_writer(
          os.path.join(self.model_dir, EVAL_LOGS))
      hparams.write_eval_session(self.model_dir, self._writer)
    best = best_rows(self.rows())
    with self._writer.as_default():
      for row in rows:
        if row.get("value") is None:
          continue
        tag = tensorboard_tag(row)
        tf.summary.scalar(tag, row["value"], step=int(row["step"]))
        if row.get("std") is not None:
          tf.summary.scalar(tag + "/std", row["std"], step=int(row["step"]))
        if tag in best:
          tf.summary.scalar(f"best/{tag}", best[tag]["value"],
                            step=int(row["step"]))
          tf.summary.scalar(f"best/{tag}/step", best[tag]["step"],
                            step=int(row["step"]))
    self._writer.flush()


def read_rows(path: str) -> Iterator[dict]:
  """Rows of a results file (none if it does not exist)."""
  if not os.path.exists(path):
    return
  with open(path, encoding="utf8") as f:
    for number, line in enumerate(f, 1):
      line = line.strip()
      if not line:
        continue
      try:
        yield json.loads(line)
      except json.JSONDecodeError:
        logging.warning("%s line %d is not JSON (torn write?); skipped.",
                        path, number)


def latest_value(rows: Iterable[dict], metric: str) -> Optional[float]:
  """The value of `metric` at the largest step, or None."""
  matching = [r for r in rows if r["metric"] == metric]
  return max(matching, key=lambda r: r["step"])["value"] if matching else None


def format_table(rows: Iterable[dict]) -> str:
  """A fixed-width text table of rows: step, metric, value (+- std), network,
  samples / groups, reference split and size."""
  lines = [f"{'step':>7}  {'metric':<34} {'value':>19}  {'network':<34} "
           f"{'n/groups':>10}  reference"]
  for r in rows:
    value = "n/a" if r.get("value") is None else f"{r['value']:.4f}"
    if r.get("std") is not None:
      value += f" +- {r['std']:.4f}"
    ref = r.get("reference_split", "")
    if r.get("reference_samples"):
      ref += f" ({r['reference_samples']})"
    note = (r.get("details") or {}).get("classifier")
    metric = r["metric"] + (f" [{note}]" if note else "")
    metric += " (ema)" if row_generator(r) == "ema" else ""
    lines.append(f"{r['step']:>7}  {metric:<34} {value:>19}  "
                 f"{r['feature_network']:<34} "
                 f"{str(r['num_samples']) + '/' + str(r['num_groups']):>10}  "
                 f"{ref}")
  return "\n".join(lines)
