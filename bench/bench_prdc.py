"""Times precision / recall / density / coverage on n x d feature sets.

python -m bench.bench_prdc [--n 10000] [--d 2048] [--chunk 2048] [--float64]
                           [--quick]

Two sets of n Inception-like features (ReLU of a low-rank Gaussian plus
noise; the fakes slightly less spread), k = 3. Prints the wall time of the
whole metric (real radii, fake radii, fake-real pass) and of one eval-job
checkpoint (real radii precomputed once per job), the distance-product rate
in GFLOP/s, the peak memory the call allocates beyond its inputs
(tracemalloc; NumPy reports its buffers to it), and with --float64 how far
float32 results are from float64 ones. --quick: n 2000.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc

import numpy as np

from tfgan_ext.metrics import prdc as prdc_lib


def _features(rng, mix, n, spread):
  """ReLU of latent codes (std `spread`) through a shared mix, plus noise."""
  acts = spread * rng.standard_normal((n, mix.shape[0])) @ mix
  acts += 0.5 * rng.standard_normal((n, mix.shape[1]))
  return np.maximum(acts, 0.0).astype(np.float32)


def _timed(fn):
  tracemalloc.start()
  start = time.perf_counter()
  value = fn()
  seconds = time.perf_counter() - start
  peak = tracemalloc.get_traced_memory()[1]
  tracemalloc.stop()
  return seconds, peak, value


def _flops(n, m, d, chunk, with_real_radii):
  """2 * multiply-adds of the distance products computed (the radii use the
  tiles on and above the diagonal)."""
  def radii(count):
    sizes = [min(chunk, count - s) for s in range(0, count, chunk)]
    return sum(a * b for i, a in enumerate(sizes) for b in sizes[i:])
  pairs = n * m + radii(m) + (radii(n) if with_real_radii else 0)
  return 2.0 * d * pairs


def _show(label, seconds, peak, flops, value):
  print(f"  {label:44s} {seconds:6.1f} s  {flops / seconds / 1e9:5.1f} GFLOP/s"
        f"  peak {peak / 2**20:6.0f} MiB  " + "  ".join(
            f"{k} {v:.4f}" for k, v in value.items()), flush=True)


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--n", type=int, default=10_000)
  parser.add_argument("--d", type=int, default=2048)
  parser.add_argument("--chunk", type=int, default=prdc_lib.DEFAULT_CHUNK)
  parser.add_argument("--float64", action="store_true",
                      help="also time float64 and compare with float32")
  parser.add_argument("--quick", action="store_true", help="n = 2000")
  args = parser.parse_args()
  n = 2000 if args.quick else args.n
  rng = np.random.default_rng(0)
  mix = rng.standard_normal((args.d // 8, args.d)) / np.sqrt(args.d // 8)
  real = _features(rng, mix, n, 1.0)
  fake = _features(rng, mix, n, 0.99)  # Slightly less diverse fakes.
  print(f"PR/DC (k = {prdc_lib.DEFAULT_K}), {n} real x {n} fake x {args.d} "
        f"features, tiles of {args.chunk}; {os.cpu_count()} CPUs; load "
        f"average {os.getloadavg()[0]:.2f} before (other jobs inflate the "
        f"times); inputs {2 * real.nbytes / 2**20:.0f} MiB", flush=True)
  chunk = args.chunk
  metric = prdc_lib.precision_recall_density_coverage
  seconds, peak, full = _timed(lambda: metric(real, fake, chunk_size=chunk))
  _show("float32, whole metric", seconds, peak,
        _flops(n, n, args.d, chunk, True), full)
  seconds, peak, radii = _timed(
      lambda: prdc_lib.knn_sq_radii(real, chunk_size=chunk))
  print(f"  {'float32, real radii alone (once per job)':44s} {seconds:6.1f} s")
  seconds, peak, per_ckpt = _timed(
      lambda: metric(real, fake, chunk_size=chunk, real_sq_radii=radii))
  _show("float32, per checkpoint (real radii given)", seconds, peak,
        _flops(n, n, args.d, chunk, False), per_ckpt)
  if args.float64:
    seconds, peak, exact = _timed(
        lambda: metric(real, fake, chunk_size=chunk, dtype=np.float64))
    _show("float64, whole metric", seconds, peak,
          _flops(n, n, args.d, chunk, True), exact)
    print("  float32 - float64: " + "  ".join(
        f"{k} {full[k] - exact[k]:+.1e}" for k in full))


if __name__ == "__main__":
  main()
