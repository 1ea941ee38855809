"""Steps/s with --steps_per_loop 1 vs 50, and with --jit_compile vs not.

python -m bench.bench_loop [--ring_steps 500] [--demo_steps 50]

Rows, from one run: the ring-of-8 MLP (experiments/configs/aw_ring8_uncond.cfg:
width 128, batch 256, aw-loss, non-saturating) with steps_per_loop 1 and 50;
the demo config (bench.common.CASES) with steps_per_loop 1 and 50 (a demo
step takes ~0.4 s, so fewer steps: one timed call of 50), and with XLA on
and off. Each row times
whole calls as `Trainer.train` makes them, including the fetch of every
logged scalar to the host, after one warm-up call (tracing / compiling).
Prints the CPU's bf16/AMX flags and the load average, since the machine is
shared.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # pylint: disable=g-import-not-at-top

from bench.common import CASES
from tfgan_ext.models import ModelConfig
from tfgan_ext.train.config import ObjectiveConfig, TrainConfig
from tfgan_ext.train.trainer import Trainer

RING8 = TrainConfig(
    model=ModelConfig("mlp", channels=2, num_classes=0, z_dim=2, gf=128,
                      df=128, spectral_norm=False),
    objective=ObjectiveConfig(loss="nonsaturating", aw=True),
    dataset="ring8", batch_size=256, g_lr=1e-4, d_lr=1e-4, beta1=0.5,
    lr_decay="linear", max_steps=25000)
DEMO = next(v for k, v in CASES.items() if k.startswith("demo"))


def steps_per_second(config: TrainConfig, steps: int) -> tuple[float, int]:
  """G steps per second over `steps` steps (rounded down to whole calls),
  and the number of timed calls."""
  n = config.steps_per_loop
  with tempfile.TemporaryDirectory() as model_dir:
    trainer = Trainer(config, model_dir)

    def call():
      if n == 1:
        out = trainer._train_step(trainer.iterator)  # pylint: disable=protected-access
      else:
        out = trainer._train_loop(trainer.iterator,  # pylint: disable=protected-access
                                  tf.constant(n, tf.int64))
      return {k: float(v) for k, v in out.items()}

    call()  # Warm-up: trace (and compile).
    calls = max(1, steps // n)
    start = time.perf_counter()
    for _ in range(calls):
      call()
    seconds = time.perf_counter() - start
  return calls * n / seconds, calls


def cpu_flags() -> str:
  try:
    with open("/proc/cpuinfo") as f:
      flags = next(l for l in f if l.startswith("flags")).split()
  except (OSError, StopIteration):
    return "unknown"
  wanted = [f for f in flags if f in ("avx512_bf16", "amx_bf16", "amx_tile",
                                      "amx_int8", "avx512f")]
  return " ".join(wanted) or "none of avx512f/avx512_bf16/amx"


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--ring_steps", type=int, default=500)
  parser.add_argument("--demo_steps", type=int, default=50)
  args = parser.parse_args()
  print(f"cpu flags: {cpu_flags()}; load average before: {os.getloadavg()}")
  rows = [
      ("ring8 MLP, steps_per_loop=1", RING8, args.ring_steps),
      ("ring8 MLP, steps_per_loop=50",
       dataclasses.replace(RING8, steps_per_loop=50), args.ring_steps),
      ("demo, steps_per_loop=1", DEMO, args.demo_steps),
      ("demo, steps_per_loop=50",
       dataclasses.replace(DEMO, steps_per_loop=50), args.demo_steps),
      ("demo, jit_compile", dataclasses.replace(DEMO, jit_compile=True),
       args.demo_steps),
  ]
  rates = {}
  print(f"{'config':32s} {'steps/s':>8s} {'fetches/step':>13s}")
  for name, config, steps in rows:
    rate, calls = steps_per_second(config, steps)
    rates[name] = rate
    fetches = 1 / config.steps_per_loop  # One host fetch per call.
    print(f"{name:32s} {rate:8.2f} {fetches:13.3f}", flush=True)
  print(f"ratio ring8 50/1: {rates[rows[1][0]] / rates[rows[0][0]]:.2f}x; "
        f"demo 50/1: {rates[rows[3][0]] / rates[rows[2][0]]:.2f}x; "
        f"demo XLA/plain: {rates[rows[4][0]] / rates[rows[2][0]]:.2f}x")
  print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
  main()
