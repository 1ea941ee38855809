"""Train-step time at --precision float32, bfloat16 and float16.

python -m bench.bench_precision [--repeats 5] [--width 32]

For the demo config (bench.common.CASES) and the 32x32 SAGAN at batch 64
(width --width, reduced from 64 to keep the run short), the median time of
one D+G step (after two warm-up steps) at each precision, and the ratios to
float32 from the same run. Prints the CPU's bf16 flags: without avx512_bf16
/ amx_bf16, TensorFlow emulates bfloat16 and it is expected to be slower.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench.common import CASES, best_time  # pylint: disable=g-import-not-at-top
from tfgan_ext import device_info
from tfgan_ext.nn.precision import PRECISIONS
from tfgan_ext.train.trainer import Trainer


def step_seconds(config, repeats: int) -> float:
  with tempfile.TemporaryDirectory() as model_dir:
    trainer = Trainer(config, model_dir)
    return best_time(
        lambda: float(trainer._train_step(trainer.iterator)["d_loss"]),  # pylint: disable=protected-access
        repeats, warmup=2)


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--repeats", type=int, default=5)
  parser.add_argument("--width", type=int, default=32,
                      help="gf = df of the 32x32 SAGAN case.")
  args = parser.parse_args()
  native, why = device_info.native_bf16()
  print(f"cpu: {why}; load average before: {os.getloadavg()}")
  demo = next(v for k, v in CASES.items() if k.startswith("demo"))
  sagan = next(v for k, v in CASES.items() if k.startswith("SAGAN 32x32"))
  sagan = dataclasses.replace(sagan, model=dataclasses.replace(
      sagan.model, gf=args.width, df=args.width))
  cases = {"demo (digits 16x16, width 32, batch 64)": demo,
           f"SAGAN 32x32, width {args.width}, batch 64": sagan}
  print(f"{'config':42s} " + " ".join(f"{p + ' s/step':>17s}"
                                        for p in PRECISIONS)
        + f" {'bf16/f32':>9s} {'f16/f32':>8s}")
  for name, config in cases.items():
    seconds = {p: step_seconds(dataclasses.replace(config, precision=p),
                               args.repeats) for p in PRECISIONS}
    print(f"{name:42s} " + " ".join(f"{seconds[p]:17.3f}" for p in PRECISIONS)
          + f" {seconds['bfloat16'] / seconds['float32']:9.2f}"
          f" {seconds['float16'] / seconds['float32']:8.2f}", flush=True)
  print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
  main()
