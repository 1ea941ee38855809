"""SQD's per-epoch turning-point rule (the paper's reading of its curves)."""

import numpy as np
import pytest

from tfgan_ext import monitors


def test_angle_jump_ratios_by_hand():
  ratios = monitors.angle_jump_ratios([1, 2, 3, 4, 5, 0, 0, 0, 7],
                                      window=3, warmup=2)
  assert np.isnan(ratios[:2]).all()
  # Medians of the previous (up to 3) epochs: 1.5, 2, 3, 4, 4, 0 (-> NaN).
  np.testing.assert_allclose(ratios[2:8], [2.0, 2.0, 5 / 3, 0.0, 0.0,
                                           np.nan])
  assert np.isnan(ratios[8])  # median of three zeros is not > 0
  with pytest.raises(ValueError, match="warmup"):
    monitors.angle_jump_ratios([1.0, 2.0], window=2, warmup=3)
  with pytest.raises(ValueError, match="1-D"):
    monitors.angle_jump_ratios([[1.0]])


def _curves(n=30, g_jump=None, d_jump=None, factor=3.0, d_drop_at=None,
            d_drop=0.3, q_drop_at=None, q_drop=0.3):
  """Flat angles 0.1 (jumps to factor x 0.1), Q 0.8 and D 2.0 with drops
  from the given epoch on."""
  g, d = np.full(n, 0.1), np.full(n, 0.1)
  q, div = np.full(n, 0.8), np.full(n, 2.0)
  for series, at in ((g, g_jump), (d, d_jump)):
    for e in np.atleast_1d(at if at is not None else []):
      series[e] = 0.1 * factor
  if d_drop_at is not None:
    div[d_drop_at:] = 2.0 * (1 - d_drop)
  if q_drop_at is not None:
    q[q_drop_at:] = 0.8 * (1 - q_drop)
  return g, d, q, div


def test_turning_point_needs_both_jumps_and_a_drop():
  points = monitors.epoch_turning_points(
      *_curves(g_jump=12, d_jump=13, d_drop_at=13))
  assert len(points) == 1
  p = points[0]
  assert (p.epoch, p.d_epoch) == (12, 13)
  assert p.ratio_g == pytest.approx(3.0) and p.ratio_d == pytest.approx(3.0)
  assert p.diversity_drop == pytest.approx(0.3)
  assert p.quality_drop == pytest.approx(0.0)
  assert p.describe().startswith("epoch 13: G angle x3.0")
  # Only G jumps, only D jumps, no drop: none.
  assert not monitors.epoch_turning_points(*_curves(g_jump=12, d_drop_at=12))
  assert not monitors.epoch_turning_points(*_curves(d_jump=12, d_drop_at=12))
  assert not monitors.epoch_turning_points(*_curves(g_jump=12, d_jump=12))


def test_q_drop_alone_is_enough_and_thresholds_are_strict():
  points = monitors.epoch_turning_points(
      *_curves(g_jump=10, d_jump=10, q_drop_at=11, q_drop=0.5))
  assert [p.epoch for p in points] == [10]
  assert points[0].quality_drop == pytest.approx(0.5)
  # A 15% drop or a 1.9x jump stays below the 20% / 2x thresholds.
  assert not monitors.epoch_turning_points(
      *_curves(g_jump=10, d_jump=10, d_drop_at=10, d_drop=0.15))
  assert not monitors.epoch_turning_points(
      *_curves(g_jump=10, d_jump=10, factor=1.9, d_drop_at=10))


def test_pairing_horizon_and_warmup_windows():
  # D's jump two epochs from G's: only with pair=2.
  curves = _curves(g_jump=12, d_jump=14, d_drop_at=12)
  assert not monitors.epoch_turning_points(*curves)
  assert [p.d_epoch for p in
          monitors.epoch_turning_points(*curves, pair=2)] == [14]
  # The drop three epochs after the jump is past the horizon of 2.
  curves = _curves(g_jump=12, d_jump=12, d_drop_at=15)
  assert not monitors.epoch_turning_points(*curves)
  assert len(monitors.epoch_turning_points(*curves, horizon=3)) == 1
  # A jump in the first `warmup` epochs is not judged.
  assert not monitors.epoch_turning_points(
      *_curves(g_jump=4, d_jump=4, d_drop_at=4))
  assert len(monitors.epoch_turning_points(
      *_curves(g_jump=5, d_jump=5, d_drop_at=5))) == 1


def test_one_turning_point_per_horizon_then_a_new_one():
  g, d, q, div = _curves(g_jump=[10, 11, 20], d_jump=[10, 11, 20],
                         d_drop_at=10)
  div[20:] = 1.0  # A second, deeper collapse at epoch 20.
  points = monitors.epoch_turning_points(g, d, q, div)
  assert [p.epoch for p in points] == [10, 20]
  assert points[1].diversity_drop == pytest.approx(0.5)  # vs best 2.0


def test_bad_input_is_refused():
  g, d, q, div = _curves()
  with pytest.raises(ValueError, match="one length"):
    monitors.epoch_turning_points(g, d[:-1], q, div)
  with pytest.raises(ValueError, match="angle_factor"):
    monitors.epoch_turning_points(g, d, q, div, angle_factor=1.0)
  with pytest.raises(ValueError, match="angle_factor"):
    monitors.epoch_turning_points(g, d, q, div, drop=1.0)
