"""Times tfgan_ext.tfgan.eval against TF-GAN 2.1.0 on the same inputs.

python -m bench.bench_tfgan_compat [--tfgan-python PATH] [--n 10000]
                                   [--d 2048] [--classes 1008] [--repeats 3]
                                   [--settle 1.0]

In one run: this process times the compat functions (this project's venv,
current TensorFlow) and starts `--tfgan-python` (a venv with TensorFlow
2.15 and tensorflow-gan 2.1.0, see scripts/make_tfgan_golden_eval.py) on this
same file with `--worker`, which times TF-GAN's functions on the same arrays
(passed through a temporary .npz) and answers one timed call at a time, so
that the repeats interleave (compat, TF-GAN, compat, ...) and both sides see
the same load. Timed, eagerly, each the median of `--repeats` calls after
one warm-up call:
  * frechet_classifier_distance_from_activations, two n x d float32 sets;
  * kernel_classifier_distance_and_std_from_activations (max_block_size
    1024), the same sets;
  * classifier_score_from_logits, n x classes float32 logits.
Prints seconds, the ratio compat / TF-GAN (< 1: the compat function is
faster) and both values. Other jobs on the machine inflate both sides'
times; compare ratios from one run. Each timed call starts after a pause of
--settle seconds, so that neither side is timed while the other process's
thread pools are still spinning after its call.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

DEFAULT_TFGAN_PYTHON = "/work/tfgan_ref_venv/bin/python"
CASES = ("frechet_distance", "kernel_distance", "classifier_score")


def _activations(rng, n, d, shift):
  """ReLU features of a low-rank Gaussian plus noise (as bench_frechet)."""
  mix = rng.standard_normal((d // 4, d)) / np.sqrt(d // 4)
  acts = rng.standard_normal((n, d // 4)) @ mix
  acts += 0.2 * rng.standard_normal((n, d)) + 0.3 + shift
  return np.maximum(acts, 0.0).astype(np.float32)


def _cases(ev, arrays):
  """{case: zero-argument call} with the eval module `ev` (ours or TF-GAN's)."""
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  a = tf.constant(arrays["a"])
  b = tf.constant(arrays["b"])
  logits = tf.constant(arrays["logits"])
  return {
      "frechet_distance": lambda: float(
          ev.frechet_classifier_distance_from_activations(a, b)),
      "kernel_distance": lambda: [float(v) for v in (
          ev.kernel_classifier_distance_and_std_from_activations(a, b))],
      "classifier_score": lambda: float(
          ev.classifier_score_from_logits(logits)),
  }


def _timed(fn, settle=0.0):
  time.sleep(settle)
  start = time.perf_counter()
  value = fn()
  return time.perf_counter() - start, value


def _worker(args):
  """Runs in the TF-GAN venv: times one TF-GAN call per case named on stdin.

  Prints a JSON line per request: {"seconds": ..., "value": ...}.
  """
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  import tensorflow_gan as tfgan  # pylint: disable=g-import-not-at-top
  with np.load(args.data) as data:
    calls = _cases(tfgan.eval, {k: data[k] for k in data.files})
  print(json.dumps({"tensorflow": tf.__version__}), flush=True)
  for line in sys.stdin:
    seconds, value = _timed(calls[line.strip()], args.settle)
    print(json.dumps({"seconds": seconds, "value": value}), flush=True)


def _cpu_flags():
  try:
    with open("/proc/cpuinfo", encoding="utf8") as f:
      flags = next(line for line in f if line.startswith("flags")).split()
  except (OSError, StopIteration):
    return "unknown"
  wanted = sorted(f for f in flags if f == "avx2" or f.startswith("avx512"))
  return " ".join(wanted) or "no avx2/avx512"


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--tfgan-python", default=DEFAULT_TFGAN_PYTHON)
  parser.add_argument("--n", type=int, default=10_000)
  parser.add_argument("--d", type=int, default=2048)
  parser.add_argument("--classes", type=int, default=1008)
  parser.add_argument("--repeats", type=int, default=3)
  parser.add_argument("--settle", type=float, default=1.0)
  parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
  parser.add_argument("--data", help=argparse.SUPPRESS)
  args = parser.parse_args()
  if args.worker:
    _worker(args)
    return
  if not os.path.exists(args.tfgan_python):
    raise SystemExit(f"No TF-GAN interpreter at {args.tfgan_python}; pass "
                     f"--tfgan-python (a venv with tensorflow-gan==2.1.0).")

  rng = np.random.default_rng(0)
  arrays = {"a": _activations(rng, args.n, args.d, 0.0),
            "b": _activations(rng, args.n, args.d, 0.05),
            "logits": (3.0 * rng.standard_normal(
                (args.n, args.classes))).astype(np.float32)}
  print(f"tfgan_ext.tfgan.eval vs tensorflow_gan 2.1.0: {args.n} x {args.d} "
        f"activations, {args.n} x {args.classes} logits (float32, eager); "
        f"median of {args.repeats} after a warm-up, each after a "
        f"{args.settle:g} s pause")
  machine = platform.processor() or platform.machine()
  print(f"date {time.strftime('%Y-%m-%d %H:%M %Z')}; {machine}, "
        f"{os.cpu_count()} CPUs ({_cpu_flags()}); load average "
        f"{os.getloadavg()[0]:.2f} at start")

  # Imported here: the --worker process runs in TF-GAN's venv without it.
  import tensorflow as tf  # pylint: disable=g-import-not-at-top
  from tfgan_ext.tfgan import eval as compat_eval  # pylint: disable=g-import-not-at-top
  ours = _cases(compat_eval, arrays)

  with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "arrays.npz")
    np.savez(data, **arrays)
    worker = subprocess.Popen(
        [args.tfgan_python, os.path.abspath(__file__), "--worker",
         f"--data={data}", f"--settle={args.settle}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
    header = worker.stdout.readline()
    if not header:
      raise SystemExit(f"The TF-GAN worker ({args.tfgan_python}) did not "
                       f"start; is tensorflow-gan installed there?")
    reference_tf = json.loads(header)["tensorflow"]

    def theirs(case):
      worker.stdin.write(case + "\n")
      worker.stdin.flush()
      reply = json.loads(worker.stdout.readline())
      return reply["seconds"], reply["value"]

    # Warm-up, then the repeats interleaved (compat, TF-GAN, compat, ...) so
    # that both sides see the same load on a shared machine.
    times = {case: ([], []) for case in CASES}
    values = {}
    for case in CASES:
      _timed(ours[case])
      theirs(case)
    for _ in range(args.repeats):
      for case in CASES:
        seconds, value_ours = _timed(ours[case], args.settle)
        times[case][0].append(seconds)
        seconds, value_theirs = theirs(case)
        times[case][1].append(seconds)
        values[case] = (value_ours, value_theirs)
    worker.stdin.close()
    worker.wait()

  print(f"compat: TensorFlow {tf.__version__}; TF-GAN: TensorFlow "
        f"{reference_tf}; load average {os.getloadavg()[0]:.2f} at end")
  print(f"  {'function':18s} {'compat s':>9s} {'TF-GAN s':>9s} "
        f"{'ratio':>6s}   compat value / TF-GAN value")
  for case in CASES:
    ours_s = statistics.median(times[case][0])
    theirs_s = statistics.median(times[case][1])
    print(f"  {case:18s} {ours_s:9.3f} {theirs_s:9.3f} "
          f"{ours_s / theirs_s:6.2f}   {values[case][0]} / "
          f"{values[case][1]}")


if __name__ == "__main__":
  sys.exit(main())
