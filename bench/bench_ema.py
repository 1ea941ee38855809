"""Cost of the EMA generator's update per train step (--ema_decay).

python -m bench.bench_ema [--pairs 30] [--update_calls 200]

On the demo config (bench.common.CASES), two trainers in one process, one
without and one with --ema_decay=0.999, each warmed up, then timed step by
step in alternation (A B A B ...: a shared machine's load drifts, and
interleaving spreads it over both arms). Each step's wall time and the
process's CPU time (all threads; less exposed to other jobs' load) are
taken; the overhead is the median over pairs of (EMA step / plain step).
Also the EMA update alone (the same `GeneratorAverage.update` in a
tf.function, median over calls) as a share of the plain step.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # pylint: disable=g-import-not-at-top

from bench.bench_loop import DEMO, cpu_flags
from tfgan_ext.train.trainer import Trainer


def _step_seconds(trainer: Trainer) -> tuple[float, float]:
  """(wall, CPU) seconds of one train step, with the host fetch of its
  logs that Trainer.train does."""
  wall, cpu = time.perf_counter(), time.process_time()
  out = trainer._train_step(trainer.iterator)  # pylint: disable=protected-access
  {k: float(v) for k, v in out.items()}
  return time.perf_counter() - wall, time.process_time() - cpu


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--pairs", type=int, default=30)
  parser.add_argument("--update_calls", type=int, default=200)
  args = parser.parse_args()
  print(f"cpu flags: {cpu_flags()}; load average before: {os.getloadavg()}")
  with tempfile.TemporaryDirectory() as root:
    arms = {
        "plain": Trainer(DEMO, os.path.join(root, "plain")),
        "ema": Trainer(dataclasses.replace(DEMO, ema_decay=0.999),
                       os.path.join(root, "ema")),
    }
    generator_vars = sum(int(tf.size(v)) for v in
                         arms["ema"].generator.variables)
    for trainer in arms.values():
      for _ in range(3):  # Trace, warm up.
        _step_seconds(trainer)
    times = {name: [] for name in arms}
    for _ in range(args.pairs):
      for name, trainer in arms.items():
        times[name].append(_step_seconds(trainer))
    average = arms["ema"].ema
    update = tf.function(lambda: average.update(arms["ema"].step))
    update()
    calls = []
    for _ in range(args.update_calls):
      start = time.perf_counter()
      update()
      calls.append(time.perf_counter() - start)
  update_seconds = statistics.median(calls)
  print(f"demo config; G: {generator_vars} values; {args.pairs} step pairs, "
        "ABAB")
  plain_wall = statistics.median(w for w, _ in times["plain"])
  for k, clock in enumerate(("wall", "cpu")):
    medians = {n: statistics.median(t[k] for t in times[n]) for n in arms}
    ratio = statistics.median(e[k] / p[k] for e, p in
                              zip(times["ema"], times["plain"]))
    print(f"{clock:4s}: plain {medians['plain'] * 1e3:7.1f} ms/step, ema "
          f"{medians['ema'] * 1e3:7.1f} ms/step; median pair ratio "
          f"ema/plain {ratio:.4f}")
  print(f"EMA update alone: {update_seconds * 1e3:.3f} ms = "
        f"{100 * update_seconds / plain_wall:.2f}% of the plain step (wall)")
  print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
  main()
