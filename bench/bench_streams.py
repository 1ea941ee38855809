"""Throughput of study-like train jobs one at a time vs two at once.

python -m bench.bench_streams [--steps=300] [--flagfile=...]

`make studies` runs two studies at a time (studies.report --streams=2). This
times the same pair of train jobs (the train binary in a subprocess, the
demo's digits SAGAN at the studies' 16x16 width 16 unless told) run one
after the other and then both at once, and prints the ratio of the two wall
times: above 1 means two streams finish the same work sooner.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

FLAGFILE = os.path.join("experiments", "configs", "demo_digits.cfg")


def _command(flagfile: str, model_dir: str, steps: int, seed: int,
             extra: list[str]) -> list[str]:
  return [sys.executable, "-m", "experiments.train", f"--flagfile={flagfile}",
          f"--model_dir={model_dir}", f"--max_steps={steps}",
          f"--save_every={steps}", f"--summary_every={steps}",
          f"--image_every={steps}", f"--seed={seed}", *extra]


def _run(commands: list[list[str]]) -> float:
  """Starts every command at once; the wall seconds until all have ended."""
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
  start = time.time()
  procs = [subprocess.Popen(c, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
           for c in commands]
  for proc in procs:
    _, err = proc.communicate()
    if proc.returncode:
      raise RuntimeError(f"train job failed:\n{err[-3000:]}")
  return time.time() - start


def main() -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--steps", type=int, default=300)
  parser.add_argument("--flagfile", default=FLAGFILE)
  parser.add_argument("--width", type=int, default=16,
                      help="gf = df (the studies' SAGAN runs use 16).")
  args = parser.parse_args()
  extra = [f"--gf={args.width}", f"--df={args.width}"]
  with tempfile.TemporaryDirectory() as root:
    def jobs(tag: str) -> list[list[str]]:
      return [_command(args.flagfile, os.path.join(root, f"{tag}{i}"),
                       args.steps, i, extra) for i in (0, 1)]
    one = sum(_run([c]) for c in jobs("serial"))
    two = _run(jobs("pair"))
  print(f"2 train jobs x {args.steps} steps ({os.path.basename(args.flagfile)}, "
        f"width {args.width}), {os.cpu_count()} CPUs")
  print(f"  one after the other: {one:7.1f} s")
  print(f"  both at once:        {two:7.1f} s")
  print(f"  two streams / one:   {one / two:7.2f}x the throughput")
  return 0


if __name__ == "__main__":
  sys.exit(main())
