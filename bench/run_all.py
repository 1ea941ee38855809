"""`make bench`: runs every benchmark in bench/ in turn and prints its output."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

BENCHMARKS = ("bench_train", "bench_aw", "bench_sqd", "bench_frechet",
              "bench_prdc", "bench_loop", "bench_precision", "bench_ema",
              "bench_features", "bench_inception_cpu", "bench_demo",
              "bench_streams")


def main() -> int:
  failures = 0
  for name in BENCHMARKS:
    if importlib.util.find_spec(f"bench.{name}") is None:
      continue
    print(f"\n===== bench.{name} =====", flush=True)
    failures += subprocess.call([sys.executable, "-m", f"bench.{name}"]) != 0
  return 1 if failures else 0


if __name__ == "__main__":
  sys.exit(main())
