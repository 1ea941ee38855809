"""Study 1's decision rules on synthetic numbers, its mode-set helpers, the
blob measures on hand-made point sets, and the check that both arms of a
seed start from the same weights."""

import json
import os
import shutil

import numpy as np
import pytest

from studies import aw_ring8 as s1
from studies import paths
from studies import redecide as rd
from studies import rules as sr
from studies import stats as st
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
  for rule in s1.RULES + s1.FRESH_RULES:
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


# ------------------------------------------------ blob measures (issue 22)
CENTERS, STD = mixture_centers("ring8_r2")
# A 0.3-wide square blob of 7 x 7 points, 0.05 apart.
BLOB = np.stack(np.meshgrid(np.linspace(-0.15, 0.15, 7),
                            np.linspace(-0.15, 0.15, 7)), -1).reshape(-1, 2)


def _blob_beside(mode, offset=0.3):
  """BLOB centred `offset` radially outside the centre of `mode`: no point
  within 3 std (0.06) of it, every point within 0.48."""
  return CENTERS[mode] * (1 + offset / 2.0) + BLOB


def test_assignment_radius_is_half_the_neighbour_spacing():
  # Neighbours on the ring of radius 2 are 2 * 2 sin(pi / 8) apart.
  assert s1.assignment_radius(CENTERS) == pytest.approx(2 * np.sin(np.pi / 8))
  assert s1.assignment_radius(np.array([[0.0, 0.0], [3.0, 4.0],
                                        [0.0, 1.0]])) == 0.5


def test_a_blob_beside_a_mode_covers_it_by_share_only():
  points = _blob_beside(2)
  assert np.array_equal(s1.assign_modes(points, CENTERS), np.full(49, 2))
  shares = s1.assigned_shares(points, CENTERS)
  assert np.array_equal(shares, [0, 0, 1, 0, 0, 0, 0, 0])
  assert s1.modes_by_share(shares) == 1 and s1.dominant_mode(shares) == 2
  # The first rules' measure sees nothing there.
  assert s1.covered_modes(points, CENTERS, STD) == frozenset()


def test_a_moving_blob_hops_where_the_covered_set_does_not_change():
  path = [0, 0, 1, 3, 3, 0]
  checkpoints = [_blob_beside(m) for m in path]
  dominant = [s1.dominant_mode(s1.assigned_shares(p, CENTERS))
              for p in checkpoints]
  assert dominant == path and s1.dominant_hops(dominant) == 3
  sets = [s1.covered_modes(p, CENTERS, STD) for p in checkpoints]
  assert s1.mode_changes(sets) == 0  # All empty: the flicker metric's 0.


def test_uniform_coverage_threshold_and_unassigned_points():
  uniform = np.repeat(CENTERS, 20, axis=0)
  shares = s1.assigned_shares(uniform, CENTERS)
  assert np.allclose(shares, 1 / 8) and s1.modes_by_share(shares) == 8
  assert s1.dominant_mode(shares) == 0  # A tie: the lowest index.
  # 160 points: 10 at mode 0 (exactly 1/16, covered), 9 at mode 1 (< 1/16),
  # 100 at mode 4, 41 at the ring's centre (2 from every mode: no mode).
  points = np.concatenate([np.repeat(CENTERS[[0]], 10, 0),
                           np.repeat(CENTERS[[1]], 9, 0),
                           np.repeat(CENTERS[[4]], 100, 0),
                           np.zeros((41, 2))])
  modes = s1.assign_modes(points, CENTERS)
  assert (modes == s1.NO_MODE).sum() == 41
  shares = s1.assigned_shares(points, CENTERS)
  assert np.allclose(shares, np.array([10, 9, 0, 0, 100, 0, 0, 0]) / 160)
  assert s1.modes_by_share(shares) == 2 and s1.dominant_mode(shares) == 4


def test_a_blob_straddling_two_modes_covers_both():
  # 3 points each at 17.5 and 27.5 deg on the ring: 0.61 from modes 0 / 1.
  angles = np.deg2rad([17.5] * 3 + [27.5] * 3)
  points = 2 * np.stack([np.cos(angles), np.sin(angles)], 1)
  assert list(s1.assign_modes(points, CENTERS)) == [0, 0, 0, 1, 1, 1]
  shares = s1.assigned_shares(points, CENTERS)
  assert s1.modes_by_share(shares) == 2 and s1.dominant_mode(shares) == 0


def test_no_assigned_sample_has_no_dominant_mode():
  shares = s1.assigned_shares(np.zeros((5, 2)), CENTERS)
  assert s1.dominant_mode(shares) == s1.NO_MODE
  assert s1.dominant_hops([s1.NO_MODE, 2, 2]) == 1
  assert s1.dominant_hops([4]) == 0 and s1.dominant_hops([]) == 0
  with pytest.raises(ValueError, match="at least one"):
    s1.assigned_shares(np.zeros((0, 2)), CENTERS)
  with pytest.raises(ValueError, match="shape"):
    s1.assign_modes(np.zeros((3, 3)), CENTERS)


def test_saved_steps():
  assert s1.saved_steps(25_000, 2500) == list(range(2500, 25_001, 2500))
  assert s1.saved_steps(5000, 2500) == [2500, 5000]
  assert s1.saved_steps(7000, 2500) == [2500, 5000, 7000]
  assert s1.saved_steps(20, 100) == [20]


# Two-sided 97.5% quantile of Student's t with 4 degrees of freedom.
T4 = 2.7764451051977987


def test_coverage_assigned_all_outcomes_and_gate():
  decide = s1.decide_coverage_assigned
  d = decide(S([8, 8, 8, 8, 7]), S([1, 2, 1, 1, 2]))
  assert d.verdict == sr.REPRODUCED and d.rule is s1.RULE_COVERAGE_ASSIGNED
  # Paired differences 7 6 7 7 5: mean 6.4, sd sqrt(0.8), se 0.4.
  low, high = 6.4 - T4 * 0.4, 6.4 + T4 * 0.4
  assert f"[{low:.3g}, {high:.3g}]" in d.evidence
  # aw - 7 = 1 1 1 1 0: mean 0.8, se sqrt(0.2 / 5) = 0.2.
  assert f"[{0.8 - T4 * 0.2:.3g}, {0.8 + T4 * 0.2:.3g}]" in d.evidence
  # aw not above plain and far below 7 modes.
  assert decide(S([1, 1, 2, 1, 1]), S([1, 2, 1, 1, 2])).verdict == \
      sr.NOT_REPRODUCED
  # Far above plain, but aw - 7 = 1 1 -1 1 -2 has mean 0.
  assert decide(S([8, 8, 6, 8, 5]), S([1, 1, 1, 1, 1])).verdict == \
      sr.INCONCLUSIVE
  # Plain covers 7-8 modes in 3 of 5 seeds: the collapse did not occur.
  gated = decide(S([8, 8, 8, 8, 8]), S([8, 8, 7, 2, 2]))
  assert gated.verdict == sr.INCONCLUSIVE and "did not occur" in \
      gated.evidence
  assert decide(S([8]), S([1])).verdict == sr.INCONCLUSIVE  # One pair.


def test_dominant_hops_all_outcomes_and_gate():
  decide = s1.decide_dominant_hops
  d = decide(S([0, 1, 0, 0, 1]), S([4, 5, 3, 4, 6]))
  # Differences -4 -4 -3 -4 -5: mean -4, sd sqrt(0.5), se sqrt(0.1).
  half = T4 * np.sqrt(0.1)
  assert d.verdict == sr.REPRODUCED
  assert f"[{-4 - half:.3g}, {-4 + half:.3g}]" in d.evidence
  assert decide(S([4, 5, 3, 4, 6]), S([1, 2, 1, 1, 2])).verdict == \
      sr.NOT_REPRODUCED
  assert decide(S([3, 4, 2, 5, 3]), S([4, 3, 3, 4, 3])).verdict == \
      sr.INCONCLUSIVE
  gated = decide(S([0, 0, 0, 0, 0]), S([0, 1, 0, 0, 1]))
  assert gated.verdict == sr.INCONCLUSIVE and "did not wander" in \
      gated.evidence


def _fresh_data(aw_modes, plain_modes, aw_hops, plain_hops, verdicts=None):
  """redecide's view of a summary.json holding the blob rules' values."""
  seeds = list(range(5, 5 + len(aw_modes)))
  record = s1.add_fresh_record({}, seeds, {
      "aw": {"modes_assigned": S(aw_modes), "dominant_hops": S(aw_hops)},
      "plain": {"modes_assigned": S(plain_modes),
                "dominant_hops": S(plain_hops)}})
  data = rd.StudyData(s1.KEY, [])
  assert rd.load_summary_seeds(data, {"per_seed": record})
  for rule, verdict in (verdicts or {}).items():
    data.old[rule] = (verdict, "")
  return data


@pytest.mark.parametrize("aw_modes,plain_modes,aw_hops,plain_hops", [
    ([8, 8, 8, 8, 7], [1, 2, 1, 1, 2], [0, 1, 0, 0, 1], [4, 5, 3, 4, 6]),
    ([1, 1, 2, 1, 1], [1, 2, 1, 1, 2], [4, 5, 3, 4, 6], [1, 2, 1, 1, 2]),
    ([8, 8, 6, 8, 5], [1, 1, 1, 1, 1], [3, 4, 2, 5, 3], [4, 3, 3, 4, 3]),
    ([8, 8, 8, 8, 8], [8, 8, 7, 2, 2], [0, 0, 0, 0, 0], [0, 1, 0, 0, 1]),
])
def test_redecide_decides_the_blob_rules_as_the_study(aw_modes, plain_modes,
                                                      aw_hops, plain_hops):
  data = _fresh_data(aw_modes, plain_modes, aw_hops, plain_hops)
  specs = {s.rule: s for s in rd.SPECS[s1.KEY]}
  for rule, study in (
      ("coverage_assigned", s1.decide_coverage_assigned(S(aw_modes),
                                                        S(plain_modes))),
      ("dominant_mode_hops", s1.decide_dominant_hops(S(aw_hops),
                                                      S(plain_hops)))):
    spec = specs[rule]
    assert spec.registered_t and not spec.split
    row = rd.decide_claim(data, spec)
    assert row["new_verdict"] == study.verdict, (rule, row["reason"])
    for part in row["parts"]:  # The same t intervals, to the digit.
      assert part["evidence"] in study.evidence


def test_blob_rules_not_run_in_an_older_section_and_then_decided():
  ids = [r.id for r in s1.FRESH_RULES]
  specs = [s for s in rd.SPECS[s1.KEY] if s.rule in ids]
  data = _fresh_data([8] * 3, [1] * 3, [0] * 3, [3] * 3)
  rows = rd.redecide(data, specs, ids)
  assert [r["status"] for r in rows] == [rd.NOT_RUN] * 2
  decided = rd.redecide(_fresh_data([8] * 3, [1] * 3, [0] * 3, [3] * 3, {
      i: sr.REPRODUCED for i in ids}), specs, ids)
  assert [(r["status"], r["new_verdict"], r["t_rule"]) for r in decided] == [
      (rd.REDECIDED, st.REPRODUCED, None)] * 2


def test_add_fresh_record_keeps_the_first_seeds():
  record = s1.summary_record([0, 1], {v: {m: S([1, 2]) for m in s1.PER_SEED}
                                      for v in s1.VARIANTS})
  s1.add_fresh_record(record, [5, 6], {v: {
      "modes_assigned": S([3, 4]), "dominant_hops": S([0, 9])}
                                       for v in s1.VARIANTS})
  assert record["aw"]["modes_final"] == {"0": 1.0, "1": 2.0}
  assert record["aw"]["modes_assigned"] == {"5": 3.0, "6": 4.0}
  assert record["plain"]["dominant_hops"] == {"5": 0.0, "6": 9.0}


def test_blob_rules_are_registered_after_the_t_amendments(tmp_path):
  folder = tmp_path / s1.KEY
  shutil.copytree(os.path.join(paths.ROOT, paths.results_dir(s1.KEY)),
                  folder)
  before = (folder / sr.RULES_FILE).read_text()
  sr.register(str(folder), s1.ALL_RULES)  # The code's text: no change.
  assert (folder / sr.RULES_FILE).read_text() == before
  stored = {r["id"]: r for r in json.loads(before)["rules"]}
  last = max(stored[r.id]["registered"] for r in s1.REGISTERED)
  for rule in s1.FRESH_RULES:
    assert stored[rule.id]["registered"] > last
    assert rule.amends is None and "fresh seeds 5-9" in rule.rule
    assert "`t_rule_95`" in rule.rule and "paired t" in rule.rule
  assert [int(s) for s in s1.FRESH_SEEDS] == [5, 6, 7, 8, 9]
  assert not set(s1.FRESH_SEEDS) & set(s1.FULL_SEEDS)
  assert not set(s1.QUICK_FRESH_SEEDS) & set(s1.QUICK_SEEDS)
