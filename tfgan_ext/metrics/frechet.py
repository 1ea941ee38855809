"""Fréchet distance between Gaussians fitted to two sets of activations.

FD = |mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr sqrt(S_a S_b).

No matrix square root is formed. The eigenvalues of S_a S_b are real and
non-negative (a product of two PSD matrices), so tr sqrt(S_a S_b) is the sum of
the square roots of those eigenvalues, obtained one of two ways:

* both sets larger than the feature dimension d (and the stats-only entry
  point): the symmetric-definite generalized eigenproblem S_a S_b x = l x
  (LAPACK ?sygvx, itype 2: Cholesky of S_b, then the symmetric L^T S_a L; no
  inverse of L is formed, so an ill-conditioned S_b is harmless). When neither
  covariance is numerically positive definite (dead features, constant
  columns) the factor comes from an eigendecomposition instead.
* a set with n <= d samples: its covariance is X^T X / (n - 1) for the centred
  data X, so the square roots of the eigenvalues are the singular values of
  F_a^T F_b, with F = X^T / sqrt(n - 1) for that side (and a covariance factor
  for a large side). Exact for rank-deficient covariances, and cheap.

Precision: means, covariances and the result are float64. For float32 input
(network activations) the centred Gram product X^T X runs in float32, about
twice as fast; bench/bench_frechet.py measures the effect (FID 757.54 differs
from the float64 route by 2e-5). Float64 input stays float64 throughout.
Covariances with exactly-zero eigenvalues limit the eigenvalue routes to about
sqrt(eps) * scale per null direction (rounding of l ~ 0 before the sqrt); the
n <= d data route has no such loss.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
import scipy.linalg

# Relative tolerance of `covariance_problem` (asymmetry and negative
# eigenvalues; rounding of float64 statistics stays far below it).
PSD_RTOL = 1e-6

__all__ = [
    "PSD_RTOL",
    "activation_statistics",
    "covariance_problem",
    "frechet_distance",
    "frechet_distance_from_stats",
    "trace_sqrt_product",
]


def _check_activations(acts: np.ndarray, name: str) -> np.ndarray:
  acts = np.asarray(acts)
  if acts.ndim != 2:
    raise ValueError(f"{name} must be 2-D [num_samples, dim], got shape "
                     f"{acts.shape}.")
  if acts.shape[0] < 2:
    raise ValueError(f"{name} needs at least 2 samples, got {acts.shape[0]}.")
  if not np.issubdtype(acts.dtype, np.floating):
    acts = acts.astype(np.float64)
  if not np.all(np.isfinite(acts)):
    raise ValueError(f"{name} contains NaN or infinite values.")
  return acts


def _statistics(acts: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
  """Mean and covariance; the Gram product runs in the input's precision.

  Rows are centred in the Gram dtype with the float64 mean rounded to it; the
  rounding offset r = mean(x - mu') is then removed exactly
  (sum (x_i - mu')(x_i - mu')^T = S + n r r^T), so float32 input costs only
  the float32 rounding of the products and sums.
  """
  dtype = np.float32 if acts.dtype == np.float32 else np.float64
  mu = acts.mean(axis=0, dtype=np.float64)
  x = acts.astype(dtype, copy=False) - mu.astype(dtype)
  gram = (x.T @ x).astype(np.float64, copy=False)
  offset = x.mean(axis=0, dtype=np.float64)
  gram -= x.shape[0] * np.outer(offset, offset)
  return mu, gram / (x.shape[0] - 1)


def activation_statistics(acts: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
  """Mean [d] and unbiased covariance [d, d] (both float64) of `acts` [n, d]."""
  return _statistics(_check_activations(acts, "acts"))


def _sqrt_sum(eigenvalues: np.ndarray) -> float:
  # Tiny negative eigenvalues are rounding noise around an exact zero.
  return float(np.sqrt(np.clip(eigenvalues, 0.0, None)).sum())


def _psd_factor(sigma: np.ndarray) -> np.ndarray:
  """F with F F^T = sigma, for a PSD sigma that may be singular."""
  w, v = np.linalg.eigh(sigma)
  return v * np.sqrt(np.clip(w, 0.0, None))


def _cholesky_or_none(sigma: np.ndarray):
  try:
    return scipy.linalg.cholesky(sigma, lower=True, check_finite=False)
  except np.linalg.LinAlgError:
    return None


def trace_sqrt_product(sigma_a: np.ndarray, sigma_b: np.ndarray) -> float:
  """tr sqrt(sigma_a sigma_b) for two symmetric PSD matrices."""
  for a, b in ((sigma_a, sigma_b), (sigma_b, sigma_a)):
    try:
      w = scipy.linalg.eigh(a, b, type=2, eigvals_only=True, driver="gvx",
                            check_finite=False)
      return _sqrt_sum(w)
    except np.linalg.LinAlgError:  # b is not numerically positive definite.
      continue
  factor = _psd_factor(sigma_b)
  inner = factor.T @ sigma_a @ factor
  return _sqrt_sum(np.linalg.eigvalsh((inner + inner.T) / 2))


def covariance_problem(sigma: np.ndarray, rtol: float = PSD_RTOL,
                       eigenvalues: bool = True) -> Optional[str]:
  """Why `sigma` [d, d] is not a covariance matrix, or None if it is one.

  With scale = max(1, max |sigma_ij|), refused are: NaN / Inf entries;
  asymmetry max |sigma - sigma^T| > rtol * scale; a variance (diagonal
  entry) < -rtol * scale; and, with `eigenvalues`, a smallest eigenvalue of
  the symmetric part below -rtol * max(1, ||sigma||_inf) (the largest
  absolute row sum, an upper bound of the largest |eigenvalue|): not
  positive semi-definite. The eigenvalue test is a Cholesky factorization of
  sigma + rtol * max(1, ||sigma||_inf) * I (O(d^3 / 3)); only a refused
  matrix gets an eigendecomposition, for the message.
  """
  sigma = np.asarray(sigma)
  if sigma.ndim != 2 or sigma.shape[0] != sigma.shape[1]:
    return f"is not a square matrix (shape {sigma.shape})"
  if not np.all(np.isfinite(sigma)):
    return "holds NaN or infinite values"
  sigma = sigma.astype(np.float64, copy=False)
  scale = max(1.0, float(np.max(np.abs(sigma), initial=0.0)))
  asymmetry = float(np.max(np.abs(sigma - sigma.T), initial=0.0))
  if asymmetry > rtol * scale:
    return (f"is not symmetric (max |sigma - sigma^T| = {asymmetry:.3g} > "
            f"{rtol:g} x {scale:.3g})")
  lowest = float(np.min(np.diag(sigma), initial=0.0))
  if lowest < -rtol * scale:
    return (f"has a negative variance ({lowest:.4g} on its diagonal), so it "
            "is not positive semi-definite")
  if not eigenvalues or not sigma.size:
    return None
  symmetric = (sigma + sigma.T) / 2
  bound = rtol * max(1.0, float(np.max(np.abs(symmetric).sum(axis=1))))
  try:
    np.linalg.cholesky(symmetric + bound * np.eye(len(symmetric)))
    return None
  except np.linalg.LinAlgError:
    smallest = float(np.linalg.eigvalsh(symmetric)[0])
    return (f"is not positive semi-definite: its smallest eigenvalue is "
            f"{smallest:.4g}, below -{bound:.3g} (= -{rtol:g} x max(1, "
            "largest absolute row sum))")


def _check_stats(mu: np.ndarray, sigma: np.ndarray, name: str):
  mu = np.asarray(mu, dtype=np.float64)
  sigma = np.asarray(sigma, dtype=np.float64)
  if mu.ndim != 1 or sigma.shape != (mu.shape[0], mu.shape[0]):
    raise ValueError(f"{name}: need mu [d] and sigma [d, d], got "
                     f"{mu.shape} and {sigma.shape}.")
  if not (np.all(np.isfinite(mu)) and np.all(np.isfinite(sigma))):
    raise ValueError(f"{name}: statistics contain NaN or infinite values.")
  problem = covariance_problem(sigma, eigenvalues=False)
  if problem:
    raise ValueError(f"{name}: sigma {problem}.")
  return mu, (sigma + sigma.T) / 2


def frechet_distance_from_stats(mu_a: np.ndarray, sigma_a: np.ndarray,
                                mu_b: np.ndarray, sigma_b: np.ndarray) -> float:
  """Fréchet distance between N(mu_a, sigma_a) and N(mu_b, sigma_b).

  Raises ValueError for statistics with NaN / Inf values, mismatched shapes,
  or a covariance that is not symmetric or has a negative variance (the
  cheap parts of `covariance_problem`; statistics files are checked fully,
  eigenvalues included, when they are read).
  """
  mu_a, sigma_a = _check_stats(mu_a, sigma_a, "a")
  mu_b, sigma_b = _check_stats(mu_b, sigma_b, "b")
  if mu_a.shape != mu_b.shape:
    raise ValueError(f"Dimensions differ: {mu_a.shape[0]} vs {mu_b.shape[0]}.")
  diff = mu_a - mu_b
  value = (diff @ diff + np.trace(sigma_a) + np.trace(sigma_b)
           - 2.0 * trace_sqrt_product(sigma_a, sigma_b))
  return max(float(value), 0.0)


def _side_factor(acts: np.ndarray):
  """(mu, F, tr S) with F F^T = S; F = centred data^T / sqrt(n-1) if n <= d."""
  n, d = acts.shape
  if n <= d:
    mu = acts.mean(axis=0, dtype=np.float64)
    centred = acts - mu
    trace = float(np.einsum("ij,ij->", centred, centred)) / (n - 1)
    return mu, centred.T / np.sqrt(n - 1), trace
  mu, sigma = _statistics(acts)
  chol = _cholesky_or_none(sigma)
  factor = chol if chol is not None else _psd_factor(sigma)
  return mu, factor, float(np.trace(sigma))


def frechet_distance(activations_a: np.ndarray,
                     activations_b: np.ndarray) -> float:
  """Fréchet distance between Gaussians fitted to two activation sets [n, d].

  The sets may differ in size; either may have fewer samples than dimensions.
  Returns a Python float (computed in float64, clipped at 0).
  """
  a = _check_activations(activations_a, "activations_a")
  b = _check_activations(activations_b, "activations_b")
  if a.shape[1] != b.shape[1]:
    raise ValueError(f"Dimensions differ: {a.shape[1]} vs {b.shape[1]}.")
  d = a.shape[1]
  if min(a.shape[0], b.shape[0]) > d:
    mu_a, sigma_a = _statistics(a)
    mu_b, sigma_b = _statistics(b)
    diff = mu_a - mu_b
    value = (diff @ diff + np.trace(sigma_a) + np.trace(sigma_b)
             - 2.0 * trace_sqrt_product(sigma_a, sigma_b))
    return max(float(value), 0.0)
  mu_a, factor_a, trace_a = _side_factor(a)
  mu_b, factor_b, trace_b = _side_factor(b)
  diff = mu_a - mu_b
  singular = np.linalg.svd(factor_a.T @ factor_b, compute_uv=False)
  value = diff @ diff + trace_a + trace_b - 2.0 * float(singular.sum())
  return max(float(value), 0.0)
