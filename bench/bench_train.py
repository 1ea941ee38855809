"""Train-step speed: steps/s and model FLOP/s as a fraction of matmul peak.

python -m bench.bench_train [--quick]

Measures, in one run: this machine's dense float32 matmul FLOP/s, then for
the demo config and the 32x32 width-64 SAGAN at batch 64 the median time of
one D+G step and the FLOPs of that step (TF profiler on the step's graph).
"""

from __future__ import annotations

import argparse
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # pylint: disable=g-import-not-at-top

from bench.common import (CASES, best_time, graph_flops,
                          matmul_flops_per_second)
from tfgan_ext.train.trainer import Trainer



def step_flops(trainer: Trainer) -> int:
  """FLOPs of one D step plus one G step on one batch."""
  batch = next(iter(trainer.dataset))
  spec = tf.nest.map_structure(lambda t: tf.TensorSpec(t.shape, t.dtype), batch)

  def step(b):
    trainer._d_step(b)  # pylint: disable=protected-access
    return trainer._g_step(b)  # pylint: disable=protected-access

  return graph_flops(tf.function(step).get_concrete_function(spec))


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--repeats", type=int, default=5)
  args = parser.parse_args()
  peak = matmul_flops_per_second()
  print(f"matmul peak (2048^3 float32): {peak / 1e9:.1f} GFLOP/s")
  print(f"{'config':45s} {'s/step':>8s} {'steps/s':>8s} {'GFLOP/step':>11s} "
        f"{'GFLOP/s':>8s} {'of peak':>8s}")
  for name, config in CASES.items():
    with tempfile.TemporaryDirectory() as model_dir:
      trainer = Trainer(config, model_dir)
      seconds = best_time(
          lambda: float(trainer._train_step(trainer.iterator)["d_loss"]),  # pylint: disable=protected-access
          args.repeats, warmup=2)
      flops = step_flops(trainer)
    rate = flops / seconds
    print(f"{name:45s} {seconds:8.3f} {1 / seconds:8.2f} {flops / 1e9:11.1f} "
          f"{rate / 1e9:8.1f} {rate / peak:8.1%}")


if __name__ == "__main__":
  main()
