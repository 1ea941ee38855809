"""Precision, recall (Kynkäänniemi et al. 2019), density, coverage (Naeem et
al. 2020) of generated features against real ones.

Real features X_1..X_N, fake features Y_1..Y_M, neighbourhood size k (3 in
both papers). r(X_i) is the distance from X_i to its k-th nearest neighbour
among the other reals (the point itself is excluded by index; a duplicate
counts as a neighbour at distance 0); r(Y_j) likewise among the fakes.

  precision = 1/M  #{j : |Y_j - X_i| <= r(X_i) for some i}
  recall    = 1/N  #{i : |X_i - Y_j| <= r(Y_j) for some j}
  density   = 1/(kM) sum_j #{i : |Y_j - X_i| < r(X_i)}
  coverage  = 1/N  #{i : |Y_j - X_i| < r(X_i) for some j}

Ball boundaries follow each paper's public code: closed (<=) for precision
and recall, open (<) for density and coverage. They differ only at exact ties
(duplicated points); with open balls a fake set equal to the real set has
density 1 (each ball holds its centre and k - 1 neighbours; the k-th sits on
the boundary, and unless the arithmetic is exact, e.g. small integers,
rounding can put a few of those inside).

Computation: squared distances |a|^2 + |b|^2 - 2 a.b in tiles of
chunk_size x chunk_size, compared with squared radii (no square roots). The
N x N and M x N distance matrices are never formed: besides the inputs
(copied once when their dtype differs from `dtype`) and O(N + M) vectors, a
step holds one tile in `dtype` and a partitioned copy of it or a boolean
tile, at most about chunk_size^2 * (2 * itemsize + 1) bytes, independent of
N and M (2048 in float32: 36 MiB, measured by bench/bench_prdc.py). The k-NN
radii use each tile of the symmetric real-real (fake-fake) matrix for both
its rows and its columns, so they cost half a full pass; precomputed real
radii (`knn_sq_radii`) can be passed in.

Precision: the products run in `dtype`. float32 (the default; about twice as
fast) has a relative error of order 1e-7 * |a| |b| in a squared distance, so
only pairs that close to a ball's boundary can flip: on 10k x 10k x 2048
(bench/bench_prdc.py) one density count in 30,000 differs from float64.
float64 gives about 1e-16. Features with a large common offset lose accuracy
to the |a|^2 + |b|^2 cancellation: centre them first (distances do not
change) or use float64.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np

__all__ = ["DEFAULT_CHUNK", "DEFAULT_K", "knn_sq_radii",
           "precision_recall_density_coverage"]

DEFAULT_K = 3
DEFAULT_CHUNK = 2048
Progress = Optional[Callable[[int, int], None]]


def _features(x, name: str, dtype) -> np.ndarray:
  x = np.asarray(x)
  if x.ndim != 2 or x.shape[0] == 0:
    raise ValueError(f"{name} must be 2-D [num_samples, dim], got shape "
                     f"{x.shape}.")
  return x.astype(dtype, copy=False)


def _check(k: int, chunk_size: int, dtype) -> np.dtype:
  if not isinstance(k, (int, np.integer)) or k < 1:
    raise ValueError(f"k must be a positive integer, got {k!r}.")
  if chunk_size < 1:
    raise ValueError(f"chunk_size must be positive, got {chunk_size}.")
  dtype = np.dtype(dtype)
  if dtype not in (np.float32, np.float64):
    raise ValueError(f"dtype must be float32 or float64, got {dtype}.")
  return dtype


def _sq_norms(x: np.ndarray, name: str) -> np.ndarray:
  """|x_i|^2 summed in float64 (64 rows at a time), returned in x's dtype.
  A NaN or infinite entry makes its row's norm non-finite: checked here,
  without a full-size boolean mask."""
  out = np.empty(len(x), np.float64)
  for start in range(0, len(x), 64):
    part = x[start:start + 64].astype(np.float64)
    out[start:start + 64] = np.einsum("ij,ij->i", part, part)
  if not np.all(np.isfinite(out)):
    raise ValueError(f"{name} contains NaN or infinite values.")
  return out.astype(x.dtype)


def _sq_distances(a, a_sq, b, b_sq) -> np.ndarray:
  """Tile [len(a), len(b)] of |a_i|^2 + |b_j|^2 - 2 a_i.b_j in a's dtype."""
  tile = a @ b.T
  tile *= -2
  tile += a_sq[:, None]
  tile += b_sq[None, :]
  return tile


def _chunks(n: int, chunk_size: int) -> list[tuple[int, int]]:
  return [(s, min(s + chunk_size, n)) for s in range(0, n, chunk_size)]


class _Ticker:
  """Counts finished tiles and reports them to `progress(done, total)`."""

  def __init__(self, total: int, progress: Progress):
    self.total, self.done, self.progress = total, 0, progress

  def tick(self) -> None:
    self.done += 1
    if self.progress is not None:
      self.progress(self.done, self.total)


def _radius_tiles(n: int, chunk_size: int) -> int:
  blocks = len(_chunks(n, chunk_size))
  return blocks * (blocks + 1) // 2


def _row_smallest(rows: np.ndarray, k: int) -> np.ndarray:
  """The k smallest entries of each row (unordered). A transposed tile is
  taken in strips of 64 rows, which partition about 3x faster than whole."""
  if rows.shape[1] <= k:
    return rows
  if rows.flags.c_contiguous:
    return np.partition(rows, k - 1, axis=1)[:, :k]
  return np.concatenate([np.partition(rows[s:s + 64], k - 1, axis=1)[:, :k]
                         for s in range(0, len(rows), 64)])


def _keep_smallest(best: np.ndarray, candidates: np.ndarray, k: int) -> None:
  """best[r] <- the k smallest of best[r] and candidates[r] (row-wise)."""
  merged = np.concatenate([best, _row_smallest(candidates, k)], axis=1)
  best[...] = np.partition(merged, k - 1, axis=1)[:, :k]


def _sq_radii(x: np.ndarray, x_sq: np.ndarray, k: int, chunk_size: int,
              ticker: _Ticker) -> np.ndarray:
  n = len(x)
  if n <= k:
    raise ValueError(f"k = {k} nearest neighbours need more than k samples "
                     f"per set; got {n}.")
  best = np.full((n, k), np.inf, x.dtype)
  blocks = _chunks(n, chunk_size)
  for index, (i0, i1) in enumerate(blocks):
    for j0, j1 in blocks[index:]:
      tile = _sq_distances(x[i0:i1], x_sq[i0:i1], x[j0:j1], x_sq[j0:j1])
      if i0 == j0:
        np.fill_diagonal(tile, np.inf)  # Exclude each point itself.
      _keep_smallest(best[i0:i1], tile, k)
      if i0 != j0:
        _keep_smallest(best[j0:j1], tile.T, k)
      ticker.tick()
  return best.max(axis=1)


def knn_sq_radii(features, k: int = DEFAULT_K, *,
                 chunk_size: int = DEFAULT_CHUNK, dtype=np.float32,
                 progress: Progress = None) -> np.ndarray:
  """Squared distance of each row [n, d] to its k-th nearest other row.

  Returned in `dtype` as computed, ready for
  `precision_recall_density_coverage(real_sq_radii=...)`.
  `progress(done, total)` is called after each distance tile.
  """
  dtype = _check(k, chunk_size, dtype)
  x = _features(features, "features", dtype)
  ticker = _Ticker(_radius_tiles(len(x), chunk_size), progress)
  return _sq_radii(x, _sq_norms(x, "features"), k, chunk_size,
                  ticker)


def precision_recall_density_coverage(
    real, fake, *, k: int = DEFAULT_K, chunk_size: int = DEFAULT_CHUNK,
    dtype=np.float32, real_sq_radii: Optional[np.ndarray] = None,
    progress: Progress = None) -> dict[str, float]:
  """Precision, recall, density and coverage of `fake` [M, d] w.r.t. `real`
  [N, d] (module docstring: definitions, memory, precision).

  Args:
    real, fake: feature arrays; both need more than k rows.
    k: neighbourhood size of the k-NN balls.
    chunk_size: side of the distance tiles (memory, not results).
    dtype: float32 or float64, the precision of the distance products.
    real_sq_radii: `knn_sq_radii(real, k, dtype=dtype)`, to reuse across
      calls with the same real features.
    progress: `progress(done, total)` after each distance tile.

  Returns:
    {"precision", "recall", "density", "coverage"} as Python floats.
  """
  dtype = _check(k, chunk_size, dtype)
  x = _features(real, "real", dtype)
  y = _features(fake, "fake", dtype)
  if x.shape[1] != y.shape[1]:
    raise ValueError(f"Feature dimensions differ: real {x.shape[1]}, fake "
                     f"{y.shape[1]}.")
  n, m = len(x), len(y)
  if real_sq_radii is not None and np.shape(real_sq_radii) != (n,):
    raise ValueError(f"real_sq_radii has shape {np.shape(real_sq_radii)}; "
                     f"need one radius per real row ({n},).")
  cross = len(_chunks(m, chunk_size)) * len(_chunks(n, chunk_size))
  total = cross + _radius_tiles(m, chunk_size) + (
      _radius_tiles(n, chunk_size) if real_sq_radii is None else 0)
  ticker = _Ticker(total, progress)
  x_sq, y_sq = _sq_norms(x, "real"), _sq_norms(y, "fake")
  if real_sq_radii is None:
    r_real = _sq_radii(x, x_sq, k, chunk_size, ticker)
  else:
    if n <= k:
      raise ValueError(f"k = {k} nearest neighbours need more than k "
                       f"samples per set; got {n}.")
    r_real = np.asarray(real_sq_radii).astype(dtype, copy=False)
  r_fake = _sq_radii(y, y_sq, k, chunk_size, ticker)

  fake_in_real = np.zeros(m, bool)      # precision (closed balls)
  real_in_fake = np.zeros(n, bool)      # recall (closed balls)
  real_covered = np.zeros(n, bool)      # coverage (open balls)
  inside = 0                            # density (open balls)
  for f0, f1 in _chunks(m, chunk_size):
    fake_radii = r_fake[f0:f1, None]
    for r0, r1 in _chunks(n, chunk_size):
      tile = _sq_distances(y[f0:f1], y_sq[f0:f1], x[r0:r1], x_sq[r0:r1])
      real_radii = r_real[None, r0:r1]
      fake_in_real[f0:f1] |= (tile <= real_radii).any(axis=1)
      real_in_fake[r0:r1] |= (tile <= fake_radii).any(axis=0)
      strictly = tile < real_radii
      inside += int(np.count_nonzero(strictly))
      real_covered[r0:r1] |= strictly.any(axis=0)
      ticker.tick()
  return {"precision": float(fake_in_real.mean()),
          "recall": float(real_in_fake.mean()),
          "density": inside / (k * m),
          "coverage": float(real_covered.mean())}
