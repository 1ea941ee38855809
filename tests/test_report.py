"""eval.report: plots of every metric and the best / last markdown table."""

import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.evaluation import ResultsFile
from tfgan_ext.evaluation import report

ROOT = os.path.join(os.path.dirname(__file__), os.pardir)


def _run(path, fids, angles):
  os.makedirs(path)
  rows = []
  for step, fid in fids:
    base = dict(step=step, feature_network="net", num_samples=100,
                num_groups=10, reference_split="train", reference_samples=50)
    rows += [dict(base, metric="fid", value=fid),
             dict(base, metric="is", value=10.0 / fid, std=0.1)]
  ResultsFile(str(path)).append(rows)
  writer = tf.summary.create_file_writer(os.path.join(path, "train"))
  with writer.as_default():
    for step, angle in angles:
      tf.summary.scalar("sqd/angle_g", angle, step=step)
  writer.close()


def test_report_plots_every_metric_and_tables_best_and_last(tmp_path):
  a, b = str(tmp_path / "runA"), str(tmp_path / "runB")
  _run(a, [(100, 30.0), (200, 12.0), (300, 15.0)], [(1, 0.5), (2, 0.25)])
  _run(b, [(100, 40.0), (200, 35.0)], [(1, 0.7)])
  assert report.read_scalars(os.path.join(a, "train"))["sqd/angle_g"] == [
      (1, 0.5), (2, 0.25)]
  out = str(tmp_path / "out")
  done = subprocess.run([sys.executable, "-m", "eval.report",
                         f"--model_dirs={a},{b}", f"--out={out}"], cwd=ROOT,
                        capture_output=True, text=True, timeout=300)
  assert done.returncode == 0, done.stderr[-2000:]
  pngs = sorted(f for f in os.listdir(out) if f.endswith(".png"))
  assert pngs == ["eval_fid_net_n_100_train.png", "eval_is_net_n_100_train.png",
                  "train_sqd_angle_g.png"]
  for name in pngs:
    with open(os.path.join(out, name), "rb") as f:
      assert f.read(8) == b"\x89PNG\r\n\x1a\n"
  with open(os.path.join(out, "report.md")) as f:
    table = f.read()
  lines = {tuple(c.strip() for c in line.split("|")[1:3]): line
           for line in table.splitlines() if line.startswith("| run")}
  fid_a = lines[("runA", "fid")]
  assert ("| 12 (step 200) | 15 (step 300) | net | 100 / 10 | train (50) |"
          in fid_a)
  is_a = lines[("runA", "is")]      # higher is better: 10 / 12 at step 200.
  assert "0.8333 ± 0.1 (step 200)" in is_a
  assert "0.6667 ± 0.1 (step 300)" in is_a
  assert "| 35 (step 200) | 35 (step 200) |" in lines[("runB", "fid")]
  assert np.all([f"![{p}]({p})" in table for p in pngs])


def test_a_run_listed_twice_is_refused_before_anything_is_written(tmp_path):
  a = str(tmp_path / "runA")
  _run(a, [(100, 30.0)], [])
  out = tmp_path / "out"
  for dirs in ([a, a], [a, os.path.join(a, os.pardir, "runA")]):
    with pytest.raises(InputError, match="twice"):
      report.write_report(dirs, str(out))
  assert not out.exists()
