"""Mode coverage on the 2-D mixtures (aw paper 5.3), against hand counts."""

import numpy as np
import pytest

from tfgan_ext.metrics.domain_networks import MixtureNetwork


def _points():
  net = MixtureNetwork("ring8")
  c, std = net.centers, net.std
  offset = np.array([2.0 * std, 0.0])          # Inside 3 std.
  outside = np.array([0.0, 3.5 * std])         # Just outside.
  points = np.concatenate([
      np.repeat(c[:1] + offset, 30, 0),        # mode 0: 30 good points
      np.repeat(c[1:2] - offset, 25, 0),       # mode 1: 25
      np.repeat(c[2:3], 5, 0),                 # mode 2: 5
      np.repeat(c[3:4] + outside, 10, 0),      # near mode 3, not counted
      np.zeros((30, 2)),                       # centre of the ring: far
  ]).astype(np.float32)
  return net, points


def test_mode_counts_use_nearest_centre_within_three_std():
  net, points = _points()
  outputs = {k: np.asarray(v) for k, v in net(points).items()}
  np.testing.assert_array_equal(net.mode_counts(outputs),
                                [30, 25, 5, 0, 0, 0, 0, 0])
  assert net.quality(outputs).mean() == pytest.approx(60 / 100)


@pytest.mark.parametrize("share, covered", [(0.01, 3), (0.05, 3), (0.06, 2),
                                            (0.26, 1), (0.31, 0)])
def test_modes_covered_counts_modes_above_the_share(share, covered):
  net, points = _points()
  outputs = {k: np.asarray(v) for k, v in net(points).items()}
  assert net.modes_covered(outputs, min_share=share) == covered
