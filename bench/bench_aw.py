"""aw-loss overhead: train-step time with --aw over the same step without it.

python -m bench.bench_aw [--repeats 5] [--rounds 5] [--quick]

For each configuration, builds two trainers that differ only in
`objective.aw` and times one D+G step of each: `rounds` times the median of
`repeats` steps of one trainer then of the other, so that machine load
affects both alike. Prints the median times and the median per-round ratio
aw/plain (target <= 1.05). `--quick` skips the 32x32 width-64 case.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.common import CASES, best_time  # pylint: disable=g-import-not-at-top
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.trainer import Trainer



def _step_fn(trainer: Trainer):
  return lambda: float(trainer._train_step(trainer.iterator)["d_loss"])  # pylint: disable=protected-access


def measure(config: TrainConfig, repeats: int, rounds: int
            ) -> tuple[float, float, float]:
  """(s/step without aw, s/step with aw, aw/plain ratio): per round, the
  median of `repeats` steps of each trainer back to back; the medians over
  rounds of the times and of the per-round ratios (robust to load drift)."""
  with_aw = dataclasses.replace(
      config, objective=dataclasses.replace(config.objective, aw=True))
  with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
    plain_step = _step_fn(Trainer(config, a))
    aw_step = _step_fn(Trainer(with_aw, b))
    plain_step(), aw_step()  # Trace and compile both first.
    times = []
    for _ in range(rounds):
      times.append((best_time(plain_step, repeats, warmup=1),
                    best_time(aw_step, repeats, warmup=1)))
  plain, weighted = (float(np.median(t)) for t in zip(*times))
  return plain, weighted, float(np.median([w / p for p, w in times]))


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--repeats", type=int, default=5)
  parser.add_argument("--rounds", type=int, default=5)
  parser.add_argument("--quick", action="store_true")
  args = parser.parse_args()
  print(f"{'config':46s} {'plain s':>8s} {'aw s':>8s} {'aw/plain':>9s}")
  for i, (name, config) in enumerate(CASES.items()):
    if args.quick and i > 0:
      break
    plain, weighted, ratio = measure(config, args.repeats, args.rounds)
    print(f"{name:46s} {plain:8.3f} {weighted:8.3f} {ratio:9.3f}",
          flush=True)


if __name__ == "__main__":
  main()
