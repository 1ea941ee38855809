"""Study 5's decision logic on synthetic numbers (no training)."""

import numpy as np
import pytest

from studies import sqd_fmnist as study
from studies.rules import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED
from tfgan_ext.monitors import EpochTurningPoint

LOSSES = study.LOSSES
SEEDS = (0, 1, 2)
POINT = EpochTurningPoint(8, 8, 3.0, 3.0, 0.1, 0.4)


def _per(tp=lambda loss, gp, s: False, jumps=lambda loss, gp, s: 0,
         q=lambda loss, gp, s: 0.8, d=lambda loss, gp, s: 2.0,
         cv=lambda loss, gp, s: 0.1, q_collapse=lambda loss, gp, s: np.nan,
         d_after=lambda loss, gp, s: np.nan, seeds=SEEDS):
  return {(l, gp, s): dict(points=[POINT] if tp(l, gp, s) else [],
                           jumps=jumps(l, gp, s), q_tail=q(l, gp, s),
                           d_tail=d(l, gp, s), cv_g=cv(l, gp, s),
                           q_collapse=q_collapse(l, gp, s),
                           d_after=d_after(l, gp, s))
          for l in LOSSES for gp in (False, True) for s in seeds}


def _verdicts(per, seeds=SEEDS):
  return {d.rule.id: (d.verdict, d.evidence)
          for d in study.decide(per, seeds, LOSSES)}


def test_nothing_happened_gives_inconclusive_not_failure():
  v = _verdicts(_per())
  for rule in ("gp_prevents_turning_points", "turning_points_without_gp",
               "wgan_quality_collapses",
               "diversity_stays_low_after_turning_point",
               "gp_fewer_angle_jumps"):
    assert v[rule][0] == INCONCLUSIVE, rule
  assert "did not occur" in v["gp_prevents_turning_points"][1]
  assert "did not occur" in v["gp_fewer_angle_jumps"][1]
  # Equal Q, D and CV: the spread (0) does not cover a 0 gap either way.
  assert v["gp_improves_quality"][0] == INCONCLUSIVE
  assert v["wgan_least_stable"][0] == INCONCLUSIVE


def test_the_paper_s_picture_is_reproduced():
  per = _per(tp=lambda l, gp, s: not gp,
             jumps=lambda l, gp, s: 0 if gp else 2 + s % 2,
             q=lambda l, gp, s: (0.9 if gp else 0.7) + 0.01 * s,
             d=lambda l, gp, s: (2.2 if gp else 1.5) + 0.02 * s,
             cv=lambda l, gp, s: 0.6 + 0.05 * s if l == "wasserstein"
             else 0.1,
             q_collapse=lambda l, gp, s: 0.2 + 0.05 * s,
             d_after=lambda l, gp, s: 0.6 + 0.05 * s)
  v = _verdicts(per)
  assert {k: x[0] for k, x in v.items()} == {k: REPRODUCED for k in v}
  assert len(v) == 8


def test_the_opposite_picture_is_not_reproduced():
  per = _per(tp=lambda l, gp, s: gp or l == "hinge",  # 1 of 4 without GP
             jumps=lambda l, gp, s: 3 if gp else 0,
             q=lambda l, gp, s: (0.7 if gp else 0.9) + 0.01 * s,
             d=lambda l, gp, s: (1.5 if gp else 2.2) + 0.02 * s,
             cv=lambda l, gp, s: 0.05 if l == "wasserstein" else 0.3,
             q_collapse=lambda l, gp, s: 0.9 + 0.01 * s,
             d_after=lambda l, gp, s: 1.3 + 0.05 * s)
  v = _verdicts(per)
  assert {k: x[0] for k, x in v.items()} == {k: NOT_REPRODUCED for k in v}


def test_seed_spread_and_missing_seeds_give_inconclusive():
  # GP has fewer turning points on average, but the seeds spread widely.
  per = _per(tp=lambda l, gp, s: (not gp and s != 2) or (gp and s == 2
                                                         and l != "hinge"),
             q=lambda l, gp, s: 0.85 + 0.1 * (s - 1) if gp else 0.8,
             # WGAN's Q collapses in two seeds only: fewer than 3 values.
             q_collapse=lambda l, gp, s: 0.1 if s < 2 else np.nan)
  v = _verdicts(per)
  assert v["gp_prevents_turning_points"][0] == INCONCLUSIVE
  assert "spread covers" in v["gp_prevents_turning_points"][1]
  assert v["gp_improves_quality"][0] == INCONCLUSIVE
  assert v["wgan_quality_collapses"][0] == INCONCLUSIVE
  assert "fewer than 3" in v["wgan_quality_collapses"][1]


def test_one_seed_quick_run_is_inconclusive_everywhere():
  per = _per(tp=lambda l, gp, s: not gp, jumps=lambda l, gp, s: 1 - gp,
             q=lambda l, gp, s: 0.9 if gp else 0.5,
             q_collapse=lambda l, gp, s: 0.1,
             d_after=lambda l, gp, s: 0.5, seeds=(0,))
  v = _verdicts(per, seeds=(0,))
  assert {x[0] for x in v.values()} == {INCONCLUSIVE}


def test_per_epoch_means_and_analyse_by_hand():
  # Steps 10, 20 in epoch 1 (E = 20), 30, 40 in epoch 2; epoch 3 missing.
  np.testing.assert_allclose(
      study.per_epoch(np.array([10, 20, 30, 40]), np.array([1., 3., 5., 9.]),
                      20, 3), [2.0, 7.0, np.nan])
  n = 16
  g, d = np.full(n, 0.1), np.full(n, 0.1)
  g[9] = d[9] = 0.3                       # both jump 3x at epoch index 9
  q = np.full(n, 0.8)
  q[10:] = 0.3                            # Q collapses from 0.8 to 0.3
  div = np.full(n, 2.0)
  div[9:] = 1.0
  out = study.analyse(dict(angle_g=g, angle_d=d, quality=q, diversity=div))
  assert [p.epoch for p in out["points"]] == [9]
  assert out["jumps"] == 1
  assert out["q_collapse"] == pytest.approx(0.3 / 0.8)
  # D after epoch 9 + 2 is 1.0, before it (5 epochs) 2.0.
  assert out["d_after"] == pytest.approx(0.5)
  assert out["q_tail"] == pytest.approx(0.3)  # last round(16/6) = 3 epochs
  assert out["max_ratio_g"] == pytest.approx(3.0)
