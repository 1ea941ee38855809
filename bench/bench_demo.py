"""Wall time of `make demo` once the environment is installed.

python -m bench.bench_demo

Runs the demo (python -m experiments.demo: 1,000 training steps, then the
domain classifier and one evaluation) in a subprocess and prints its wall
time and the split the demo itself reports. The classifier is reused when
classifiers/digits_16px already exists, as on a second `make demo`; pass
--fresh to remove it first and time the first-run path.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

CLASSIFIER = os.path.join("classifiers", "digits_16px")


def main() -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--fresh", action="store_true",
                      help="Delete the cached digits classifier first.")
  args = parser.parse_args()
  if args.fresh and os.path.isdir(CLASSIFIER):
    shutil.rmtree(CLASSIFIER)
  env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
  start = time.time()
  proc = subprocess.run([sys.executable, "-m", "experiments.demo"],
                        capture_output=True, text=True, env=env)
  wall = time.time() - start
  if proc.returncode:
    print(proc.stdout[-2000:], proc.stderr[-3000:], sep="\n")
    print(f"demo failed (exit {proc.returncode}) after {wall:.0f} s")
    return 1
  out = proc.stdout
  train = re.search(r"trained (\d+) steps in ([\d.]+) min", out)
  tail = re.search(r"classifier \+ evaluation took (\d+) s", out)
  print(f"make demo (installed environment): {wall:.0f} s wall = "
        f"{wall / 60:.1f} min")
  if train:
    print(f"  training: {train.group(1)} steps in {train.group(2)} min")
  if tail:
    print(f"  classifier + evaluation: {tail.group(1)} s")
  if train and tail:
    rest = wall - 60 * float(train.group(2)) - float(tail.group(1))
    print(f"  the rest (interpreter, TensorFlow import, set-up): {rest:.0f} s")
  return 0


if __name__ == "__main__":
  sys.exit(main())
