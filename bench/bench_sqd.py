"""Cost of SQD's S monitor (weight angles every step) on the train step.

python -m bench.bench_sqd [--rounds 15] [--steps 5]

In one run, builds the demo configuration (digits 16x16, width 32, batch 64)
twice, without and with `WeightAngleMonitor`, and alternates timing `--steps`
train steps of each for `--rounds` rounds (alternating cancels most of the
drift from other jobs on the machine). Prints the median step times, their
ratio (target <= 1.02) and, as a check on the ratio, the time of the
monitor's own update compiled alone, relative to a plain step.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # pylint: disable=g-import-not-at-top
import tensorflow as tf  # pylint: disable=g-import-not-at-top

from bench.common import best_time
from tfgan_ext.models import ModelConfig
from tfgan_ext.monitors import WeightAngleMonitor
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.trainer import Trainer

TARGET = 1.02
CONFIG = TrainConfig(model=ModelConfig("sagan", 16, 1, 10, 64, 32, 32),
                     dataset="digits", batch_size=64)


def _timed_steps(trainer: Trainer, steps: int) -> float:
  start = time.perf_counter()
  for _ in range(steps):
    logs = trainer._train_step(  # pylint: disable=protected-access
        trainer.iterator)
  float(logs["d_loss"])
  return (time.perf_counter() - start) / steps


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--rounds", type=int, default=15)
  parser.add_argument("--steps", type=int, default=5)
  args = parser.parse_args()
  with tempfile.TemporaryDirectory() as tmp:
    plain = Trainer(CONFIG, os.path.join(tmp, "plain"))
    monitor = WeightAngleMonitor()
    watched = Trainer(CONFIG, os.path.join(tmp, "sqd"), monitors=[monitor],
                      callbacks=[monitor])
    for trainer in (plain, watched):
      _timed_steps(trainer, 3)  # trace and warm up
    times = {"plain": [], "sqd": []}
    for _ in range(args.rounds):
      times["plain"].append(_timed_steps(plain, args.steps))
      times["sqd"].append(_timed_steps(watched, args.steps))
    update = tf.function(lambda: monitor.update(watched))
    alone = best_time(lambda: float(update()["sqd/angle_g"]), 20, warmup=2)
  base = float(np.median(times["plain"]))
  with_sqd = float(np.median(times["sqd"]))
  ratios = np.array(times["sqd"]) / np.array(times["plain"])
  params = sum(int(np.prod(v.shape)) for v in monitor.g_vars + monitor.d_vars)
  print(f"demo config (digits 16x16, width 32, batch 64), {params:,} weights "
        f"in G and D; {args.rounds} alternating rounds of {args.steps} steps; "
        f"load average {os.getloadavg()[0]:.2f}")
  print(f"  median step without S monitor: {base * 1e3:8.1f} ms")
  print(f"  median step with S monitor:    {with_sqd * 1e3:8.1f} ms")
  print(f"  ratio of medians:              {with_sqd / base:8.4f}  (target "
        f"<= {TARGET}; median of per-round ratios {np.median(ratios):.4f})")
  print(f"  monitor update alone:          {alone * 1e3:8.2f} ms = "
        f"{alone / base:.4f} of a plain step")


if __name__ == "__main__":
  main()
