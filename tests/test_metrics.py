"""Tests for the pure metric functions in tfgan_ext.metrics."""

import importlib
import math

import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf

from tfgan_ext import metrics
# The package re-exports functions named like their modules; fetch the modules.
is_lib = importlib.import_module("tfgan_ext.metrics.inception_score")
kid_lib = importlib.import_module("tfgan_ext.metrics.kid")

# Tolerances. Routes through eigenvalues of S_a S_b (the stats-only entry point
# and the eigen references below) resolve an exactly-zero eigenvalue only to
# about eps * |S_a| |S_b|, i.e. its square root to ~1e-8 * scale: singular
# covariances are therefore checked to rel 1e-7. Non-singular cases, and the
# data-matrix route for n <= d against exact answers, are checked to 1e-9.
SINGULAR_REL = 1e-7


# ----------------------------------------------------------------------------
# Helpers.

def _rotation(rng, d):
  q, _ = np.linalg.qr(rng.standard_normal((d, d)))
  return q


def _commuting_fd(mu_a, eig_a, mu_b, eig_b):
  """Closed form when both covariances share eigenvectors (eigenvalues given):
  tr S_a + tr S_b - 2 tr sqrt(S_a S_b) = sum (sqrt(a_i) - sqrt(b_i))^2."""
  diff = np.asarray(mu_a) - np.asarray(mu_b)
  return float(diff @ diff
               + np.sum((np.sqrt(eig_a) - np.sqrt(eig_b)) ** 2))


def _exact_samples(rng, n, mu, sigma):
  """n samples whose sample mean / unbiased covariance equal mu / sigma."""
  d = len(mu)
  z = rng.standard_normal((n, d))
  z -= z.mean(axis=0)
  white = np.linalg.cholesky(np.cov(z, rowvar=False))
  z = scipy.linalg.solve_triangular(white, z.T, lower=True).T  # cov(z) = I.
  return z @ np.linalg.cholesky(sigma).T + mu


def _ref_fd_sqrtm(a, b):
  """Slow reference: scipy's general matrix square root of S_a S_b."""
  mu_a, mu_b = a.mean(0), b.mean(0)
  s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
  root = scipy.linalg.sqrtm(s_a @ s_b)
  return float(np.sum((mu_a - mu_b) ** 2) + np.trace(s_a) + np.trace(s_b)
               - 2 * np.trace(root).real)


def _ref_fd_eigh(a, b):
  """Reference through sqrt(S_a) from eigh: tr sqrt(S_a^1/2 S_b S_a^1/2)."""
  mu_a, mu_b = a.mean(0), b.mean(0)
  s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
  w, v = np.linalg.eigh(s_a)
  root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
  inner = np.linalg.eigvalsh(root_a @ s_b @ root_a)
  return float(np.sum((mu_a - mu_b) ** 2) + np.trace(s_a) + np.trace(s_b)
               - 2 * np.sqrt(np.clip(inner, 0, None)).sum())


# ----------------------------------------------------------------------------
# Fréchet distance.

def test_fd_from_stats_diagonal_closed_form():
  mu_a, mu_b = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.0])
  a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 9.0])
  # |dmu|^2 = 1 + 0 + 4 = 5; sum (sqrt a - sqrt b)^2 = 1 + 1 + 0 = 2.
  got = metrics.frechet_distance_from_stats(mu_a, np.diag(a), mu_b, np.diag(b))
  assert got == pytest.approx(7.0, rel=1e-12)


@pytest.mark.parametrize("eig_a,eig_b", [
    ([3.0, 0.5, 1.0, 2.0, 0.1], [0.2, 2.5, 1.0, 4.0, 0.3]),  # both PD
    ([3.0, 0.0, 1.0, 2.0, 0.0], [0.2, 2.5, 1.0, 4.0, 0.3]),  # S_a singular
    ([3.0, 0.0, 1.0, 0.0, 2.0], [0.0, 2.5, 1.0, 0.0, 5.0]),  # both singular
])
def test_fd_from_stats_commuting_closed_form(eig_a, eig_b):
  rng = np.random.default_rng(0)
  q = _rotation(rng, 5)
  eig_a, eig_b = np.array(eig_a), np.array(eig_b)
  mu_a, mu_b = rng.standard_normal(5), rng.standard_normal(5)
  got = metrics.frechet_distance_from_stats(
      mu_a, q @ np.diag(eig_a) @ q.T, mu_b, q @ np.diag(eig_b) @ q.T)
  singular = min(eig_a.min(), eig_b.min()) == 0.0
  assert got == pytest.approx(_commuting_fd(mu_a, eig_a, mu_b, eig_b),
                              rel=SINGULAR_REL if singular else 1e-9)


def test_fd_from_data_with_exact_statistics():
  rng = np.random.default_rng(1)
  d = 6
  q = _rotation(rng, d)
  eig_a, eig_b = rng.uniform(0.5, 3, d), rng.uniform(0.5, 3, d)
  mu_a, mu_b = rng.standard_normal(d), rng.standard_normal(d)
  a = _exact_samples(rng, 300, mu_a, q @ np.diag(eig_a) @ q.T)
  b = _exact_samples(rng, 200, mu_b, q @ np.diag(eig_b) @ q.T)
  assert metrics.frechet_distance(a, b) == pytest.approx(
      _commuting_fd(mu_a, eig_a, mu_b, eig_b), rel=1e-9)


def test_fd_matches_sqrtm_reference_for_general_covariances():
  rng = np.random.default_rng(2)
  d = 10
  a = rng.standard_normal((400, d)) @ rng.standard_normal((d, d))
  b = rng.standard_normal((250, d)) @ rng.standard_normal((d, d)) + 0.7
  want = _ref_fd_sqrtm(a, b)
  assert want > 1.0  # the case is not trivial
  assert metrics.frechet_distance(a, b) == pytest.approx(want, rel=1e-8)
  stats = metrics.activation_statistics(a) + metrics.activation_statistics(b)
  assert metrics.frechet_distance_from_stats(*stats) == pytest.approx(
      want, rel=1e-8)


def test_fd_fewer_samples_than_dimensions_exact():
  # d = 6; 3 points each. Centred points (x, y), (-x, y), (0, -2y) have mean 0
  # and covariance diag(x^2, 3 y^2). a lives in axes (0, 1), b in (1, 2):
  # S_a = diag(4, 3, 0, ...), S_b = diag(0, 12, 1, 0, ...) (commuting), so
  # FD = |dmu|^2 + (2 - 0)^2 + (sqrt 3 - sqrt 12)^2 + (0 - 1)^2 = |dmu|^2 + 8.
  base = np.array([[1.0, 1.0], [-1.0, 1.0], [0.0, -2.0]])
  a = np.zeros((3, 6))
  a[:, [0, 1]] = base * [2.0, 1.0]
  b = np.zeros((3, 6))
  b[:, [1, 2]] = base * [math.sqrt(12.0), 1.0 / math.sqrt(3)]
  shift = np.array([0.5, -1.0, 0.0, 0.0, 2.0, 0.0])
  want = float(shift @ shift) + 8.0
  assert metrics.frechet_distance(a + shift, b) == pytest.approx(want,
                                                                 rel=1e-12)
  assert metrics.frechet_distance(b, a + shift) == pytest.approx(want,
                                                                 rel=1e-12)


@pytest.mark.parametrize("n_a,n_b", [(5, 7), (6, 40), (40, 3), (2, 2)])
def test_fd_fewer_samples_than_dimensions(n_a, n_b):
  rng = np.random.default_rng(3)
  d = 12
  a = rng.standard_normal((n_a, d)) * rng.uniform(0.5, 2, d)
  b = rng.standard_normal((n_b, d)) + 0.3
  want = _ref_fd_eigh(a, b)
  assert metrics.frechet_distance(a, b) == pytest.approx(want,
                                                         rel=SINGULAR_REL)
  stats = metrics.activation_statistics(a) + metrics.activation_statistics(b)
  assert metrics.frechet_distance_from_stats(*stats) == pytest.approx(
      want, rel=SINGULAR_REL)


def test_fd_rank_deficient_with_many_samples():
  # Constant and duplicated columns: singular covariances although n > d.
  rng = np.random.default_rng(4)
  a = rng.standard_normal((60, 8))
  b = rng.standard_normal((50, 8)) * 2
  a[:, 3] = 1.5
  b[:, 5] = -1.0
  a[:, 6] = a[:, 0]
  b[:, 6] = b[:, 1]
  assert metrics.frechet_distance(a, b) == pytest.approx(_ref_fd_eigh(a, b),
                                                         rel=SINGULAR_REL)


def test_fd_identical_sets_is_zero():
  rng = np.random.default_rng(5)
  for n, d in [(100, 8), (5, 16)]:
    a = rng.standard_normal((n, d)) + 3.0
    assert metrics.frechet_distance(a, a.copy()) == pytest.approx(0.0,
                                                                  abs=1e-9)


def test_fd_order_independent_and_symmetric():
  rng = np.random.default_rng(6)
  for n_a, n_b, d in [(80, 60, 10), (7, 9, 20)]:
    a = rng.standard_normal((n_a, d)) @ rng.standard_normal((d, d))
    b = rng.standard_normal((n_b, d)) + 1.0
    base = metrics.frechet_distance(a, b)
    permuted = metrics.frechet_distance(a[rng.permutation(n_a)],
                                        b[rng.permutation(n_b)])
    assert permuted == pytest.approx(base, rel=1e-10)
    assert metrics.frechet_distance(b, a) == pytest.approx(base, rel=1e-10)


def test_fd_float32_fast_path_agrees_with_float64():
  rng = np.random.default_rng(7)
  mix = rng.standard_normal((64, 64)) / 8
  a = np.maximum(rng.standard_normal((3000, 64)) @ mix + 0.3, 0)
  b = np.maximum(rng.standard_normal((2000, 64)) @ mix + 0.35, 0)
  exact = metrics.frechet_distance(a, b)
  fast = metrics.frechet_distance(a.astype(np.float32), b.astype(np.float32))
  assert fast == pytest.approx(exact, rel=1e-5)


def test_activation_statistics_match_numpy():
  rng = np.random.default_rng(8)
  x = rng.standard_normal((50, 4)) * [1, 2, 3, 4] + [5, 6, 7, 8]
  mu, sigma = metrics.activation_statistics(x)
  np.testing.assert_allclose(mu, x.mean(0), rtol=1e-12)
  np.testing.assert_allclose(sigma, np.cov(x, rowvar=False), rtol=1e-12)


def test_fd_rejects_bad_inputs():
  with pytest.raises(ValueError, match="Dimensions differ"):
    metrics.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
  with pytest.raises(ValueError, match="at least 2 samples"):
    metrics.frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))
  with pytest.raises(ValueError, match="NaN"):
    metrics.frechet_distance(np.full((5, 3), np.nan), np.zeros((5, 3)))


# ----------------------------------------------------------------------------
# Inception Score.

def _ref_split_score(logits):
  p = np.exp(logits - logits.max(1, keepdims=True))
  p /= p.sum(1, keepdims=True)
  marginal = p.mean(0)
  return math.exp(np.mean([np.sum(row * np.log(row / marginal)) for row in p]))


def test_is_uniform_logits_is_one():
  for splits in (1, 4):
    mean, std = metrics.inception_score(np.zeros((40, 7)), num_splits=splits)
    assert mean == pytest.approx(1.0, abs=1e-12)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_is_confident_distinct_classes_equals_class_count():
  labels = np.repeat(np.arange(10), 20)
  logits = 50.0 * np.eye(10)[labels]
  mean, std = metrics.inception_score(logits, num_splits=1)
  assert mean == pytest.approx(10.0, abs=1e-9)
  assert std == 0.0


def test_is_matches_reference_over_shuffled_splits():
  rng = np.random.default_rng(9)
  logits = 3.0 * rng.standard_normal((103, 6))  # 103 is not divisible by 4.
  order = np.random.default_rng(5).permutation(103)
  parts = np.array_split(logits[order], 4)
  ref = np.array([_ref_split_score(part) for part in parts])
  mean, std = metrics.inception_score(logits, num_splits=4, seed=5)
  assert mean == pytest.approx(ref.mean(), rel=1e-10)
  assert std == pytest.approx(ref.std(), rel=1e-9)
  assert std > 1e-3  # splits really differ


def test_is_splits_are_shuffled():
  # Sorted by class: contiguous unshuffled splits would each hold one class
  # and score 1. Shuffled splits mix the classes.
  labels = np.repeat(np.arange(10), 30)
  logits = 50.0 * np.eye(10)[labels]
  scores = is_lib.split_scores(logits, num_splits=10, seed=0)
  order = np.random.default_rng(0).permutation(300)
  counts = [np.bincount(part, minlength=10) / len(part)
            for part in np.array_split(labels[order], 10)]
  # For one-hot predictions a split's score is exp(entropy of its labels).
  want = [math.exp(-np.sum(c[c > 0] * np.log(c[c > 0]))) for c in counts]
  np.testing.assert_allclose(scores, want, rtol=1e-9)
  assert 5.0 < np.mean(scores) <= 10.0
  other = is_lib.split_scores(logits, num_splits=10, seed=1)
  assert not np.allclose(other, scores)


def test_is_rejects_bad_splits():
  with pytest.raises(ValueError, match="num_splits"):
    metrics.inception_score(np.zeros((3, 2)), num_splits=4)


# ----------------------------------------------------------------------------
# Intra-class FID.

def _class_data(rng, spec, n):
  acts, labels = [], []
  for label, (mu, diag) in spec.items():
    acts.append(_exact_samples(rng, n, np.asarray(mu), np.diag(diag)))
    labels.append(np.full(n, label))
  return np.concatenate(acts), np.concatenate(labels)


def test_intra_fid_known_per_class_values():
  rng = np.random.default_rng(10)
  real = {0: ([0, 0, 0], [1, 1, 1]), 3: ([1, 2, 3], [4, 1, 9])}
  fake = {0: ([1, 0, 0], [1, 4, 1]), 3: ([1, 2, 3], [1, 1, 9])}
  real_x, real_y = _class_data(rng, real, 40)
  fake_x, fake_y = _class_data(rng, fake, 30)
  order = rng.permutation(len(fake_y))  # labels need not be grouped
  mean, per_class = metrics.intra_fid(real_x, real_y, fake_x[order],
                                      fake_y[order])
  # class 0: |dmu|^2 = 1, (1 - 2)^2 = 1 -> 2.  class 3: (2 - 1)^2 = 1 -> 1.
  assert set(per_class) == {0, 3}
  assert per_class[0] == pytest.approx(2.0, rel=1e-9)
  assert per_class[3] == pytest.approx(1.0, rel=1e-9)
  assert mean == pytest.approx(1.5, rel=1e-9)


def test_intra_fid_uses_generated_covariance():
  # Same means, generated covariance 4x the real one. The public MHGAN code's
  # real-covariance-on-both-sides formula would give 0 here.
  rng = np.random.default_rng(11)
  real_x, real_y = _class_data(rng, {1: ([2, 2], [1.0, 3.0])}, 25)
  fake_x, fake_y = _class_data(rng, {1: ([2, 2], [4.0, 12.0])}, 25)
  mean, per_class = metrics.intra_fid(real_x, real_y, fake_x, fake_y)
  # sum (sqrt(a) - sqrt(4a))^2 = sum a = 4.
  assert per_class[1] == pytest.approx(4.0, rel=1e-9)
  assert mean == pytest.approx(4.0, rel=1e-9)


def test_intra_fid_missing_class_raises():
  rng = np.random.default_rng(12)
  x = rng.standard_normal((20, 3))
  y = np.repeat([0, 1], 10)
  with pytest.raises(ValueError, match="missing from the generated"):
    metrics.intra_fid(x, y, x[:10], y[:10])
  with pytest.raises(ValueError, match="missing from the real"):
    metrics.intra_fid(x[:10], y[:10], x, y)
  with pytest.raises(ValueError, match=r"missing from the real.*\[7\]"):
    metrics.intra_fid(x, y, x, y, classes=[0, 7])


# ----------------------------------------------------------------------------
# James-Stein entropy.

def test_james_stein_hand_example():
  # assignments [0, 0, 0, 1], m = 3, n = 4: p_ml = (3/4, 1/4, 0).
  # 1 - sum p_ml^2 = 1 - (9 + 1)/16 = 3/8.
  # sum (1/3 - p_ml)^2 = (5/12)^2 + (1/12)^2 + (4/12)^2 = 42/144 = 7/24;
  # times (n - 1) = 3 gives 7/8, so lambda = (3/8) / (7/8) = 3/7.
  # p = (3/7)(1/3) + (4/7) p_ml = (1/7 + 3/7, 1/7 + 1/7, 1/7) = (4/7, 2/7, 1/7).
  p = np.array([4, 2, 1]) / 7
  want = -np.sum(p * np.log(p))  # 0.95564...
  got = metrics.james_stein_entropy(np.array([0, 0, 0, 1]), 3)
  assert got == pytest.approx(want, rel=1e-12)
  assert got == pytest.approx(0.9556998, abs=1e-6)


def test_james_stein_edge_cases():
  # Uniform counts: denominator 0 -> lambda = 1 -> log m.
  assert metrics.james_stein_entropy(np.array([0, 1, 2, 0, 1, 2]),
                                     3) == pytest.approx(math.log(3))
  # One sample: (n - 1) = 0 -> lambda = 1.
  assert metrics.james_stein_entropy(np.array([4]), 5) == pytest.approx(
      math.log(5))
  # All in one mode: 1 - sum p^2 = 0 -> lambda = 0 -> entropy 0.
  assert metrics.james_stein_entropy(np.array([1, 1, 1, 1]), 2) == 0.0
  with pytest.raises(ValueError, match="lie in"):
    metrics.james_stein_entropy(np.array([0, 3]), 3)


# ----------------------------------------------------------------------------
# Weight angle.

def test_weight_angle_basic_directions():
  a = [tf.ones([2, 2]), tf.zeros([3])]
  b = [tf.zeros([2, 2]), tf.ones([3])]
  angle = metrics.weight_angle
  assert float(angle(a, b)) == pytest.approx(math.pi / 2, abs=1e-6)
  assert float(angle(a, [3.0 * t for t in a])) == pytest.approx(0.0, abs=1e-6)
  assert float(angle(a, [-t for t in a])) == pytest.approx(math.pi, abs=1e-6)


def test_weight_angle_tiny_angle_and_tf_function():
  eps = 1e-5
  a = [tf.constant([1.0, 0.0]), tf.constant([[0.0]])]
  b = [tf.constant([1.0, eps]), tf.constant([[0.0]])]
  assert float(metrics.weight_angle(a, b)) == pytest.approx(math.atan(eps),
                                                            rel=1e-3)
  variables = [tf.Variable([1.0, 0.0]), tf.Variable([[0.0]])]
  compiled = tf.function(lambda: metrics.weight_angle(variables, b))
  assert float(compiled()) == pytest.approx(math.atan(eps), rel=1e-3)


# ----------------------------------------------------------------------------
# Kernel Inception Distance.

def _ref_mmd2(x, y):
  k = lambda u, v: (np.dot(u, v) / len(u) + 1.0) ** 3
  m, n = len(x), len(y)
  xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
  yy = sum(k(y[i], y[j]) for i in range(n) for j in range(n) if i != j)
  xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n))
  return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2 * xy / (m * n)


def test_kid_point_masses_exact():
  c, d = 0.5, 4
  # k(0,0) = 1, k(v,v) = (c^2 + 1)^3, k(0,v) = 1 -> MMD^2 = (c^2 + 1)^3 - 1.
  mean, std = metrics.kernel_inception_distance(
      np.zeros((10, d)), np.full((12, d), c), num_subsets=5, subset_size=6)
  assert mean == pytest.approx((c * c + 1) ** 3 - 1, rel=1e-12)
  assert std == pytest.approx(0.0, abs=1e-12)


def test_kid_matches_pairwise_reference():
  rng = np.random.default_rng(13)
  x = rng.standard_normal((15, 5))
  y = rng.standard_normal((15, 5)) + 0.5
  # subset_size = n uses every row once; only the order changes.
  mean, std = metrics.kernel_inception_distance(x, y, num_subsets=3,
                                                subset_size=15)
  assert mean == pytest.approx(_ref_mmd2(x, y), rel=1e-10)
  assert std == pytest.approx(0.0, abs=1e-12)
  assert kid_lib.unbiased_mmd2(x, y) == pytest.approx(_ref_mmd2(x, y),
                                                      rel=1e-10)


def test_kid_near_zero_for_same_distribution_positive_for_shift():
  rng = np.random.default_rng(14)
  d = 16
  x, y = rng.standard_normal((1500, d)), rng.standard_normal((1500, d))
  same, _ = metrics.kernel_inception_distance(x, y, num_subsets=20,
                                              subset_size=500)
  shifted_y = y + 0.5
  shifted, _ = metrics.kernel_inception_distance(x, shifted_y, num_subsets=20,
                                                 subset_size=500)
  full = kid_lib.unbiased_mmd2(x, shifted_y)  # all rows: the same target
  assert abs(same) < 0.01 * full
  assert shifted == pytest.approx(full, rel=0.1)


# ----------------------------------------------------------------------------
# Nearest-centroid assignment.

def test_nearest_centroid_hand_example():
  centroids = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
  points = np.array([[1, 1], [9, -1], [2, 7], [6, 5], [5, 0]], dtype=float)
  # Squared distances of (6, 5): 61, 41, 61 -> 1.  (5, 0) ties 25 / 25 with
  # centroids 0 and 1 -> the lower index, 0.
  got = metrics.nearest_centroid_assignments(points, centroids, chunk_size=2)
  np.testing.assert_array_equal(got, [0, 1, 2, 1, 0])
  assert got.dtype == np.int64
