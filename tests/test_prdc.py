"""Precision / recall / density / coverage: a brute-force NumPy version,
hand-made cases, tie handling, k, bad input."""

import numpy as np
import pytest

from tfgan_ext.metrics import knn_sq_radii
from tfgan_ext.metrics import precision_recall_density_coverage as prdc

NAMES = ("precision", "recall", "density", "coverage")


def brute_force(real, fake, k):
  """The papers' definitions on full distance matrices (float64)."""
  real = np.asarray(real, np.float64)
  fake = np.asarray(fake, np.float64)

  def radii(x):
    dist = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    return np.sort(dist, axis=1)[:, k - 1]

  r_real, r_fake = radii(real), radii(fake)
  dist = np.sqrt(((fake[:, None, :] - real[None, :, :]) ** 2).sum(-1))
  return {"precision": np.mean((dist <= r_real[None, :]).any(axis=1)),
          "recall": np.mean((dist <= r_fake[:, None]).any(axis=0)),
          "density": (dist < r_real[None, :]).sum() / (k * len(fake)),
          "coverage": np.mean((dist < r_real[None, :]).any(axis=0))}


def assert_same(got, want, tol=0.0):
  for name in NAMES:
    assert got[name] == pytest.approx(want[name], abs=tol), name


@pytest.mark.parametrize("chunk", [7, 50, 4096])
def test_matches_brute_force_for_any_chunk(chunk):
  rng = np.random.default_rng(0)
  real = rng.standard_normal((203, 6))
  fake = 0.8 * rng.standard_normal((157, 6)) + 0.3
  want = brute_force(real, fake, 3)
  # Mid-range values, so the comparison means something.
  assert all(0.2 < want[n] < 0.95 for n in ("precision", "recall",
                                            "coverage"))
  assert_same(prdc(real, fake, chunk_size=chunk, dtype=np.float64), want)
  # float32 products: a pair this close to a boundary could flip; none does
  # here, and one flip would move a value by 1/157 at most.
  assert_same(prdc(real.astype(np.float32), fake.astype(np.float32),
                   chunk_size=chunk), want, tol=1.5 / 157)


def test_real_radii_reused_and_k_handled():
  rng = np.random.default_rng(1)
  real = rng.standard_normal((60, 4))
  fake = rng.standard_normal((45, 4)) + 0.2
  for k in (1, 2, 5):
    radii = knn_sq_radii(real, k, chunk_size=16, dtype=np.float64)
    dist = ((real[:, None] - real[None]) ** 2).sum(-1)
    np.fill_diagonal(dist, np.inf)
    np.testing.assert_allclose(radii, np.sort(dist, 1)[:, k - 1], rtol=1e-12)
    want = brute_force(real, fake, k)
    assert_same(prdc(real, fake, k=k, chunk_size=16, dtype=np.float64,
                     real_sq_radii=radii), want)
    assert_same(prdc(real, fake, k=k, chunk_size=16, dtype=np.float64), want)
  # Larger k: bigger balls, so precision and recall cannot fall.
  small, large = prdc(real, fake, k=1), prdc(real, fake, k=5)
  assert large["precision"] >= small["precision"]
  assert large["recall"] >= small["recall"]


def test_identical_sets():
  rng = np.random.default_rng(2)
  real = rng.standard_normal((120, 5))
  got = prdc(real, real.copy(), chunk_size=32, dtype=np.float64)
  assert (got["precision"], got["recall"], got["coverage"]) == (1.0, 1.0, 1.0)
  # Each open ball holds its centre and its k - 1 nearest neighbours; the
  # k-th lies on the boundary, and rounding decides a few of those ties.
  assert 1.0 <= got["density"] <= 1.0 + 10 / 360
  # Exact arithmetic (integers, all distances from a point distinct): the
  # boundary points stay out, density is exactly 1.
  points = np.array([[0.0], [1.0], [3.0], [7.0], [15.0], [31.0], [63.0]])
  for k in (1, 3, 5):
    for dtype in (np.float32, np.float64):
      assert prdc(points, points.copy(), k=k, chunk_size=3, dtype=dtype) == (
          dict.fromkeys(NAMES, 1.0))


def test_far_apart_sets_score_zero():
  rng = np.random.default_rng(3)
  real = rng.standard_normal((50, 3))
  fake = rng.standard_normal((40, 3)) + 100.0
  assert prdc(real, fake, chunk_size=16) == dict.fromkeys(NAMES, 0.0)


def test_one_dimensional_example_by_hand():
  # Gaps 1, 2, 4, 8: all distances from a point differ, so radii have no
  # ties. k = 1: radius = distance to the nearest other point.
  real = np.array([[0.0], [1.0], [3.0], [7.0], [15.0]])
  # real radii: 1, 1, 2, 4, 8.
  fake = np.array([[0.5], [2.0], [30.0]])
  # fake radii: 0.5 -> 1.5, 2 -> 1.5, 30 -> 28.
  # precision: 0.5 is within 1 of 0 (and 1); 2 is within 1 of 1 and 2 of 3;
  #   30 is 15 from 15 > 8: 2/3.
  # recall: 0 and 1 are within 1.5 of 0.5; 3 within 1.5 of 2; 7 and 15 are
  #   within 28 of 30: 5/5.
  # density: balls holding 0.5: {0, 1}; 2: {1 (|2-1| = 1 is not < 1),
  #   3 (1 < 2)} -> {3}; 30: none. (2 + 1) / (1 * 3) = 1.
  # coverage: balls of 0, 1 (0.5 at 0.5 < 1) and 3 (2 at 1 < 2): 3/5.
  got = prdc(real, fake, k=1, chunk_size=2, dtype=np.float64)
  assert got == {"precision": 2 / 3, "recall": 1.0, "density": 1.0,
                 "coverage": 3 / 5}
  assert got == pytest.approx(brute_force(real, fake, 1))
  # float32 is exact on these small integers and halves.
  assert prdc(real, fake, k=1, chunk_size=3) == got


def test_duplicates_and_boundary_ties():
  # Closed balls for precision / recall, open ones for density / coverage:
  # a fake exactly on a real ball's boundary counts for precision only.
  real = np.array([[0.0], [2.0], [10.0], [10.0]])   # radii 2, 2, 0, 0 (k=1)
  fake = np.array([[4.0], [10.0], [20.0], [21.0]])  # radii 6, 6, 1, 1
  got = prdc(real, fake, k=1, dtype=np.float64)
  # 4: 2 from real 2 (= its radius 2): inside the closed ball, not the open.
  # 10: 0 from the duplicates, whose radius is 0: closed only.
  assert got["precision"] == 2 / 4
  assert got["density"] == 0.0 and got["coverage"] == 0.0
  # recall: 0 and 2 within 6 of 4; the 10s within 6 of 10: all four.
  assert got["recall"] == 1.0
  assert got == pytest.approx(brute_force(real, fake, 1))


def test_progress_and_bad_input():
  rng = np.random.default_rng(4)
  real, fake = rng.standard_normal((30, 2)), rng.standard_normal((20, 2))
  calls = []
  prdc(real, fake, chunk_size=8, progress=lambda d, t: calls.append((d, t)))
  # Tiles: real radii 4*5/2 = 10, fake radii 3*4/2 = 6, fake-real 3*4 = 12.
  assert calls == [(i, 28) for i in range(1, 29)]
  with pytest.raises(ValueError, match="more than k"):
    prdc(real[:3], fake)
  with pytest.raises(ValueError, match="more than k"):
    prdc(real, fake[:3])
  with pytest.raises(ValueError, match="dimensions differ"):
    prdc(real, rng.standard_normal((20, 3)))
  with pytest.raises(ValueError, match="k must be"):
    prdc(real, fake, k=0)
  with pytest.raises(ValueError, match="NaN"):
    prdc(real, np.full((20, 2), np.nan))
  with pytest.raises(ValueError, match="real_sq_radii"):
    prdc(real, fake, real_sq_radii=np.ones(29))
  with pytest.raises(ValueError, match="dtype"):
    prdc(real, fake, dtype=np.float16)
