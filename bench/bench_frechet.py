"""Times Fréchet-distance formulations on two sets of n x d activations.

python -m bench.bench_frechet [--n 10000] [--d 2048] [--repeats 3] [--sqrtm]
                              [--blas-threads N] [--quick]

Target: tfgan_ext.metrics.frechet_distance on two 10k x 2048 float32 sets in
<= 2 s on 2 CPU cores. Prints the best-of-repeats wall time of each route, its
ratio to the 2 s target, and its FID next to the float64 reference value.
When other jobs load the cores, OpenBLAS threads wait on each other and the
times balloon; --blas-threads 1 (via threadpoolctl) shows the difference.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import scipy.linalg

from tfgan_ext.metrics import frechet

TARGET_SECONDS = 2.0


def _activations(rng, n, d, shift):
  """ReLU features of a low-rank Gaussian plus noise: PSD, full rank, skewed."""
  mix = rng.standard_normal((d // 4, d)) / np.sqrt(d // 4)
  acts = rng.standard_normal((n, d // 4)) @ mix
  acts += 0.2 * rng.standard_normal((n, d)) + 0.3 + shift
  return np.maximum(acts, 0.0).astype(np.float32)


def _best_time(fn, repeats):
  best, value = float("inf"), None
  for _ in range(repeats):
    start = time.perf_counter()
    value = fn()
    best = min(best, time.perf_counter() - start)
  return best, value


def _fd_with(trace_fn):
  """FID with the library's statistics and another tr sqrt(S_a S_b) routine.

  The Gram product runs in the input dtype, as in the library.
  """
  def run(a, b):
    mu_a, s_a = frechet.activation_statistics(a)
    mu_b, s_b = frechet.activation_statistics(b)
    diff = mu_a - mu_b
    return float(diff @ diff + np.trace(s_a) + np.trace(s_b)
                 - 2.0 * trace_fn(s_a, s_b))
  return run


def _trace_eigh_sqrt(s_a, s_b):
  w, v = np.linalg.eigh(s_a)
  root = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
  inner = np.linalg.eigvalsh(root @ s_b @ root)
  return float(np.sqrt(np.clip(inner, 0, None)).sum())


def _trace_gvd(s_a, s_b):
  w = scipy.linalg.eigh(s_a, s_b, type=2, eigvals_only=True, driver="gvd",
                        check_finite=False)
  return float(np.sqrt(np.clip(w, 0, None)).sum())


def _trace_cholesky_svd(s_a, s_b):
  l_a = np.linalg.cholesky(s_a)
  l_b = np.linalg.cholesky(s_b)
  return float(np.linalg.svd(l_a.T @ l_b, compute_uv=False).sum())


def _trace_sqrtm(s_a, s_b):
  return float(np.trace(scipy.linalg.sqrtm(s_a @ s_b)).real)


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--n", type=int, default=10_000)
  parser.add_argument("--d", type=int, default=2048)
  parser.add_argument("--repeats", type=int, default=3)
  parser.add_argument("--sqrtm", action="store_true",
                      help="also time scipy.linalg.sqrtm (slow)")
  parser.add_argument("--quick", action="store_true",
                      help="time only the library's default route")
  parser.add_argument("--blas-threads", type=int, default=None,
                      help="limit BLAS threads (default: library default)")
  args = parser.parse_args()
  if args.blas_threads:
    from threadpoolctl import threadpool_limits  # installed with scikit-learn
    with threadpool_limits(limits=args.blas_threads, user_api="blas"):
      run(args)
  else:
    run(args)


def run(args):
  """Runs every route once the thread setting is in place."""

  rng = np.random.default_rng(0)
  a32 = _activations(rng, args.n, args.d, 0.0)
  b32 = _activations(rng, args.n, args.d, 0.05)
  a64, b64 = a32.astype(np.float64), b32.astype(np.float64)
  print(f"Fréchet distance, two sets of {args.n} x {args.d} activations; "
        f"{os.cpu_count()} CPUs; best of {args.repeats}; target "
        f"{TARGET_SECONDS:.1f} s; BLAS threads {args.blas_threads or 'default'}"
        f"; load average {os.getloadavg()[0]:.2f} before (other jobs inflate "
        f"the times)")

  routes = [
      ("library, float32 input (f32 Gram + sygvx)  [default]",
       lambda: frechet.frechet_distance(a32, b32)),
      ("library, float64 input (f64 Gram + sygvx)",
       lambda: frechet.frechet_distance(a64, b64)),
      ("f32 Gram + sygvd (generalized, divide&conquer)",
       lambda: _fd_with(_trace_gvd)(a32, b32)),
      ("f32 Gram + eigh sqrt(S_a), eigvalsh(R S_b R)",
       lambda: _fd_with(_trace_eigh_sqrt)(a32, b32)),
      ("f32 Gram + Cholesky both, SVD(L_a^T L_b)",
       lambda: _fd_with(_trace_cholesky_svd)(a32, b32)),
  ]
  if args.quick:
    routes = routes[:1]
  if args.sqrtm:
    routes.append(("f64 Gram + scipy.linalg.sqrtm (reference)",
                   lambda: _fd_with(_trace_sqrtm)(a64, b64)))

  reference = frechet.frechet_distance(a64, b64)
  for label, fn in routes:
    seconds, value = _best_time(fn, args.repeats)
    ratio = seconds / TARGET_SECONDS
    print(f"  {label:55s} {seconds:6.2f} s  ratio {ratio:4.2f}  FID "
          f"{value:.6f}  (diff vs f64 {value - reference:+.1e})")

  mu_a, s_a = frechet.activation_statistics(a32)
  mu_b, s_b = frechet.activation_statistics(b32)
  seconds, _ = _best_time(
      lambda: frechet.frechet_distance_from_stats(mu_a, s_a, mu_b, s_b),
      args.repeats)
  print(f"  {'from cached stats (sygvx only)':55s} {seconds:6.2f} s  ratio "
        f"{seconds / TARGET_SECONDS:4.2f}")
  small = args.d // 2
  seconds, _ = _best_time(
      lambda: frechet.frechet_distance(a32[:small], b32[:small]), args.repeats)
  print(f"  {f'n <= d data route, {small} x {args.d} per side':55s} "
        f"{seconds:6.2f} s")


if __name__ == "__main__":
  main()
