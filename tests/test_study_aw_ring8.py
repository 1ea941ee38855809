"""Study 1's decision rules on synthetic numbers, its mode-set helpers, and
the check that both arms of a seed start from the same weights."""

import numpy as np
import pytest

from studies import aw_ring8 as s1
from studies import rules as sr
from tfgan_ext.data.mixtures import mixture_centers
from tfgan_ext.models import ModelConfig
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.train.config import TrainConfig

S = sr.SeedStats.of


def test_coverage_all_outcomes_and_gate():
  assert s1.decide_coverage(S([8, 8, 8]), S([2, 3, 2])).verdict == \
      sr.REPRODUCED
  assert s1.decide_coverage(S([1, 2, 1]), S([5, 6, 5])).verdict == \
      sr.NOT_REPRODUCED
  assert s1.decide_coverage(S([8, 3, 6]), S([2, 6, 3])).verdict == \
      sr.INCONCLUSIVE  # The spread covers the gap.
  # Gate: plain covers 7-8 modes in 2 of 3 seeds -> the collapse did not
  # occur, even though aw is far ahead.
  gated = s1.decide_coverage(S([8, 8, 8]), S([8, 7, 2]))
  assert gated.verdict == sr.INCONCLUSIVE and "did not occur" in \
      gated.evidence
  # aw clearly better but short of all 8 modes.
  short = s1.decide_coverage(S([6, 6, 6]), S([2, 2, 2]))
  assert short.verdict == sr.INCONCLUSIVE and "all 8" in short.evidence


def test_amended_coverage_rule_all_outcomes():
  amended = s1.decide_coverage_amended
  # aw collapsed as well (the runs' case): the original rule is
  # inconclusive, the amendment says not reproduced.
  assert s1.decide_coverage(S([0, 0, 0]), S([1, 0, 0])).verdict == \
      sr.INCONCLUSIVE
  assert amended(S([0, 0, 0]), S([1, 0, 0])).verdict == sr.NOT_REPRODUCED
  assert amended(S([8, 8, 7]), S([2, 3, 2])).verdict == sr.REPRODUCED
  # aw near 7 (mean + std reaches 7, mean - std does not): inconclusive.
  assert amended(S([8, 6, 6]), S([2, 3, 2])).verdict == sr.INCONCLUSIVE
  # aw at 8 but not ahead of plain beyond the summed std (2 vs 0 + 2).
  assert amended(S([8, 8, 8]), S([4, 8, 6])).verdict == sr.INCONCLUSIVE
  gated = amended(S([0, 0, 0]), S([8, 7, 2]))
  assert gated.verdict == sr.INCONCLUSIVE and "did not occur" in \
      gated.evidence
  assert amended(S([0, 0]), S([1, 0])).verdict == sr.INCONCLUSIVE
  assert s1.RULE_COVERAGE_AMENDED.amends == s1.RULE_COVERAGE.id


def test_covered_modes_and_changes():
  centers, std = mixture_centers("ring8_r2")
  rng = np.random.RandomState(0)
  # 600 points at modes 0 and 3, 5 (0.5%) at mode 5, 100 far from all.
  points = np.concatenate([centers[0] + std * rng.randn(300, 2),
                           centers[3] + std * rng.randn(300, 2),
                           centers[5] + std * rng.randn(5, 2),
                           np.zeros((100, 2))])
  assert s1.covered_modes(points, centers, std) == frozenset({0, 3})
  assert s1.mode_changes([frozenset({0, 3}), frozenset({0, 3}),
                          frozenset({1, 3}), frozenset({0, 3})]) == 2
  assert s1.mode_changes([frozenset(range(8))] * 5) == 0


def test_wandering_outcomes_and_gate():
  assert s1.decide_wandering(S([0, 0, 0]), S([3, 4, 3])).verdict == \
      sr.REPRODUCED
  assert s1.decide_wandering(S([4, 4, 3]), S([1, 1, 1])).verdict == \
      sr.NOT_REPRODUCED
  assert s1.decide_wandering(S([0, 2, 1]), S([1, 3, 1])).verdict == \
      sr.INCONCLUSIVE
  gated = s1.decide_wandering(S([0, 0, 0]), S([0, 1, 0]))
  assert gated.verdict == sr.INCONCLUSIVE and "did not wander" in \
      gated.evidence


def test_real_scores_outcomes():
  assert s1.decide_real_higher(S([1.0, 1.2, 1.1]), S([-0.5, -0.4, -0.6])
                               ).verdict == sr.REPRODUCED
  assert s1.decide_real_higher(S([-0.5, -0.4, -0.6]), S([1.0, 1.2, 1.1])
                               ).verdict == sr.NOT_REPRODUCED
  assert s1.decide_real_higher(S([0.1, 0.5, 0.3]), S([0.2, 0.0, 0.4])
                               ).verdict == sr.INCONCLUSIVE


def test_plain_near_zero_outcomes():
  near, far = S([0.05, 0.1, 0.08]), S([1.5, 1.7, 1.6])
  uneven, even = S([0.6, 0.7, 0.65]), S([0.1, 0.12, 0.11])
  assert s1.decide_plain_near_zero(near, uneven, even).verdict == \
      sr.REPRODUCED
  assert s1.decide_plain_near_zero(far, uneven, even).verdict == \
      sr.NOT_REPRODUCED
  assert s1.decide_plain_near_zero(near, even, uneven).verdict == \
      sr.NOT_REPRODUCED
  # Near 0 but the spreads overlap.
  assert s1.decide_plain_near_zero(near, S([0.1, 0.5, 0.3]),
                                   S([0.2, 0.3, 0.4])).verdict == \
      sr.INCONCLUSIVE


def test_angles_outcomes_and_gate():
  obtuse = S([130.0, 140.0, 135.0])
  assert s1.decide_angles(obtuse, S([0.0, 0.02, 0.01]),
                          S([0.5, 0.6, 0.55])).verdict == sr.REPRODUCED
  assert s1.decide_angles(obtuse, S([0.5, 0.6, 0.55]),
                          S([0.0, 0.02, 0.01])).verdict == sr.NOT_REPRODUCED
  assert s1.decide_angles(obtuse, S([0.1, 0.3, 0.2]),
                          S([0.2, 0.3, 0.1])).verdict == sr.INCONCLUSIVE
  gated = s1.decide_angles(S([60.0, 80.0, 70.0]), S([0.0, 0.0, 0.0]),
                           S([0.5, 0.6, 0.55]))
  assert gated.verdict == sr.INCONCLUSIVE and "90" in gated.evidence


def test_fewer_than_three_seeds_is_inconclusive():
  assert s1.decide_real_higher(S([1.0, 1.1]), S([-1.0, -1.1])).verdict == \
      sr.INCONCLUSIVE


def test_fig6_steps():
  assert s1.fig6_steps(25_000, 2500) == [5000, 10000, 15000, 20000, 25000]
  assert s1.fig6_steps(20, 10) == [20]
  with pytest.raises(ValueError, match="divisor"):
    s1.fig6_steps(10_000, 3000)


def test_rules_name_three_outcomes():
  for rule in s1.RULES:
    text = rule.rule.lower()
    assert "reproduced" in text and "not reproduced" in text
    assert "inconclusive" in text


def _config(seed: int, **objective) -> TrainConfig:
  # The flagfile's networks, tiny.
  model = ModelConfig(architecture="mlp", channels=2, num_classes=0, z_dim=8,
                      gf=8, df=8, spectral_norm=False, mlp_d_layers=1,
                      mlp_d_activation="relu", mlp_d_input_scale=0.25,
                      mlp_orthogonal_gain=0.8)
  return TrainConfig(model=model, objective=ObjectiveConfig(
      loss="minimax", **objective), dataset="ring8_r2", batch_size=8,
      max_steps=1, seed=seed)


def test_arms_of_a_seed_start_from_the_same_weights():
  plain = s1.initial_weights(_config(3, gradient_angles=True))
  aw = s1.initial_weights(_config(3, aw=True))
  other = s1.initial_weights(_config(4, aw=True))
  assert len(plain) == len(aw) > 0
  assert all(np.array_equal(a, b) for a, b in zip(plain, aw))
  assert not all(np.array_equal(a, b) for a, b in zip(aw, other))
