"""Decision logic of studies/magan_fmnist.py on synthetic numbers."""

import math

import pytest

from studies import magan_fmnist as sm
from studies import rules as sr

R, N, I = sr.REPRODUCED, sr.NOT_REPRODUCED, sr.INCONCLUSIVE


@pytest.mark.parametrize("widening, rise, fake_mid, expected", [
    ([5, 6, 7], [3, 4, 5], [100, 130, 150], R),
    ([-5, -6, -7], [3, 4, 5], [100, 130, 150], N),   # Gap narrows.
    ([5, 6, 7], [-3, -4, -5], [100, 130, 150], N),   # Fake energy falls.
    ([5, -6, 1], [3, 4, 5], [100, 130, 150], I),     # Spread covers it.
    ([5, 6, 7], [3, 4, 5], [10, 20, 30], I),         # Never near m = 120.
    ([5, 6, 7], [3, 4, 5], [500, 600, 59], I),       # 59 < 0.5 m.
    ([5, 6, 7], [3, 4, 5], [500, 600, 60], R),       # 60 = 0.5 m counts.
])
def test_ebgan_diverge(widening, rise, fake_mid, expected):
  d = sm.decide_ebgan_diverge(widening, rise, fake_mid, 120.0)
  assert d.verdict == expected, d.evidence


@pytest.mark.parametrize("real, fake, updates, expected", [
    ([-10, -12, -11], [-20, -25, -22], [3, 2, 4], R),
    ([-10, -12, -11], [20, 25, 22], [3, 2, 4], N),
    ([10, 12, 11], [-20, -25, -22], [3, 2, 4], N),
    ([-10, 12, -11], [-20, -25, -22], [3, 2, 4], I),
    ([-10, -12, -11], [-20, -25, -22], [0, 0, 0], I),  # Margin never moved.
    ([-10, -12], [-20, -25], [3, 2], I),                # Too few seeds.
])
def test_magan_tandem(real, fake, updates, expected):
  assert sm.decide_magan_tandem(real, fake, updates).verdict == expected


@pytest.mark.parametrize("rises, updates, expected", [
    ([0, 0, 0], [2, 1, 3], R), ([0, 1, 0], [2, 1, 3], N),
    ([0, 0, 0], [2, 0, 3], I), ([0, 0], [2, 1], I)])
def test_margin_monotone(rises, updates, expected):
  assert sm.decide_margin_monotone(rises, updates).verdict == expected


def test_margin_monotone_quick_seed_count():
  assert sm.decide_margin_monotone([0, 0], [1, 1], 2).verdict == R


@pytest.mark.parametrize("change, updates, expected", [
    ([-0.5, -0.6, -0.4], [1, 1, 1], R), ([0.5, 0.6, 0.4], [1, 1, 1], N),
    ([-0.5, 0.6, -0.4], [1, 1, 1], I), ([-0.5, -0.6, -0.4], [0, 0, 0], I)])
def test_convergence_falls(change, updates, expected):
  assert sm.decide_convergence_falls(change, updates).verdict == expected


@pytest.mark.parametrize("rhos, fell, expected", [
    ([0.8, 0.9, 0.7], [True, True, False], R),
    ([-0.8, -0.9, -0.7], [True, True, True], N),
    ([0.8, -0.9, 0.1], [True, True, True], I),
    ([0.8, 0.9, 0.7], [False, False, False], I),     # FD never changed.
    ([0.8, float("nan"), 0.7], [True, True, True], I)])  # n = 2 < 3.
def test_convergence_tracks(rhos, fell, expected):
  assert sm.decide_convergence_tracks(rhos, fell).verdict == expected


def test_run_failed():
  assert not sm.run_failed(10.0, 10.0, 2.2)
  assert not sm.run_failed(15.0, 10.0, 2.2)        # 1.5 x best: not above.
  assert sm.run_failed(15.01, 10.0, 2.2)
  assert sm.run_failed(10.0, 10.0, math.log(5) - 1e-3)
  assert not sm.run_failed(10.0, 10.0, math.log(5))


@pytest.mark.parametrize("magan, ebgan, expected", [
    ([False] * 3, [True, True, False], R),
    ([True, True, True], [True, False, False], N),
    ([False] * 3, [False] * 3, I),                  # Nothing failed.
    ([False, True, False], [True, True, False], I),  # Differ by 1.
    ([False] * 2, [True] * 2, I)])                  # Too few seeds.
def test_stability(magan, ebgan, expected):
  assert sm.decide_stability(magan, ebgan).verdict == expected


@pytest.mark.parametrize("ratios, improved, expected", [
    ([1.2, 1.1, 1.3], [True, False, False], R),
    ([3.0, 3.5, 4.0], [True, True, True], N),
    ([1.0, 3.0, 2.5], [True, True, True], I),
    ([1.0, 1.0, 1.0], [False] * 3, I),     # Quality never improved.
    ([float("nan")] * 3, [True] * 3, I)])  # No checkpoint at G epoch 1.
def test_first_epoch(ratios, improved, expected):
  assert sm.decide_first_epoch(ratios, improved).verdict == expected


def test_rules_name_three_outcomes():
  for rule in sm.RULES:
    text = rule.rule.lower()
    assert "not reproduced" in text and "inconclusive" in text, rule.id
    assert text.replace("not reproduced", "").count("reproduced") >= 1


# ---------------------------------------------- the paper-epoch set (issue 22)
from studies import magan_paper_epoch as pe  # noqa: E402
from studies import redecide as rd  # noqa: E402

# Two-sided 97.5% quantiles of Student's t with 2 and 4 degrees of freedom.
T2, T4 = 4.302652729911275, 2.7764451051977987


def test_window_slope_and_relative_slope_by_hand():
  g = [1, 2, 3, 4, 5]
  # G epochs 1-2 (the transient) are left out: (3, 2), (4, 4), (5, 6).
  assert pe.window_slope(g, [10, 0, 2, 4, 6], 3, 5) == pytest.approx(2.0)
  assert pe.relative_slope(g, [10, 0, 2, 4, 6], 3, 5) == pytest.approx(0.5)
  # dx = -1, 0, 1; dy = -1, 1, 0: slope = 1 / 2.
  assert pe.window_slope(g, [0, 0, 1, 3, 2], 3, 5) == pytest.approx(0.5)
  assert math.isnan(pe.window_slope(g, [0, 0, 1, 3, 2], 5, 9))


def test_window_rho_fd_fell_and_first_epoch_ratio_by_hand():
  g = [-1, 0, 1, 2, 3, 4, 5]
  measure = [0, 9, 9, 9, 5, 4, 3]
  fd_epochs = [0, 1, 3, 4, 5]
  fd = [100.0, 30.0, 30.0, 20.0, 25.0]
  # Ranks in the window 3-5: measure 3, 2, 1; FD 3, 1, 2; sum d^2 = 2,
  # rho = 1 - 6 * 2 / (3 * 8) = 0.5. Epochs 0 and 1 are outside it.
  assert pe.window_rho(g, measure, fd_epochs, fd, 3, 5) == pytest.approx(0.5)
  assert math.isnan(pe.window_rho(g, measure, fd_epochs, fd, 4, 5))
  assert math.isnan(pe.window_rho(g, [0, 9, 9, 9, 1, 1, 1], fd_epochs, fd,
                                  3, 5))  # A constant measure.
  assert pe.fd_fell(fd_epochs, fd, 3, 5)          # 20 < 0.9 x 30.
  assert not pe.fd_fell(fd_epochs, [100, 30, 30, 28, 29], 3, 5)  # 28 > 27.
  ratio, improved = pe.first_epoch_ratio(fd_epochs, fd, 5)
  assert ratio == pytest.approx(30 / 25) and improved   # 25 < 0.5 x 100.
  assert not pe.first_epoch_ratio(fd_epochs, [100, 30, 30, 20, 50], 5)[1]
  assert math.isnan(pe.first_epoch_ratio([0, 2, 5], [100, 30, 25], 5)[0])


def test_margin_moves_count_from_the_first_margin():
  # Pre-training's m = 0 -> first margin 60 is not a rise.
  assert pe.margin_moves([-1, 0, 1, 2, 3], [0, 60, 60, 55, 55], 3) == (1, 0)
  assert pe.margin_moves([-1, 0, 1, 2, 3], [0, 60, 55, 58, 50], 3) == (2, 1)
  assert pe.margin_moves([1, 2, 3], [120, 120, 120], 3) == (0, 0)  # EBGAN.


@pytest.mark.parametrize("gap, fake, start, expected", [
    ([2, 3, 4], [2, 3, 4], [100, 130, 150], R),
    ([-2, -3, -4], [2, 3, 4], [100, 130, 150], N),   # The gap narrows.
    ([2, 3, 4], [-2, -3, -4], [100, 130, 150], N),   # E_fake falls.
    ([1, 2, 3], [2, 3, 4], [100, 130, 150], I),      # Interval holds 0.
    ([2, 3, 4], [2, 3, 4], [10, 20, 59], I),         # Never near m = 120.
    ([2, 3, 4], [2, 3, 4], [10, 20, 60], R),         # 60 = 0.5 m counts.
    ([2, 3, 4], [2, 3, 4], [241, 300, 400], I),      # Above 2 m.
])
def test_ebgan_diverge_paper_epoch(gap, fake, start, expected):
  d = pe.decide_ebgan_diverge(gap, fake, start, 120.0)
  assert d.rule is pe.EBGAN_DIVERGE and d.verdict == expected, d.evidence


def test_paper_epoch_one_sample_interval_by_hand():
  # Slopes 2, 3, 4: mean 3, sd 1, half width T2 / sqrt(3) = 2.484.
  d = pe.decide_ebgan_diverge([2, 3, 4], [1, 2, 3], [100] * 3, 120.0)
  low, high = 3 - T2 / math.sqrt(3), 3 + T2 / math.sqrt(3)
  assert (low, high) == pytest.approx((0.51586, 5.48414), abs=1e-5)
  assert "= 3 /epoch, 95% CI [0.516, 5.48] (one-sample t, df 2" in d.evidence
  # Fake slopes 1, 2, 3: [2 - 2.484, 2 + 2.484] holds 0.
  assert d.verdict == I and "fake energy rises: inconclusive" in d.evidence


@pytest.mark.parametrize("real, fake, lowered, expected", [
    ([-2, -3, -4], [-2, -3, -4], [1, 0, 0], R),
    ([-2, -3, -4], [2, 3, 4], [1, 1, 1], N),
    ([2, 3, 4], [-2, -3, -4], [1, 1, 1], N),
    ([-1, -2, -3], [-2, -3, -4], [1, 1, 1], I),      # [-4.48, 0.48].
    ([-2, -3, -4], [-2, -3, -4], [0, 0, 0], I),      # Margin never moved.
    ([-2], [-3], [1], I),                            # Too few seeds.
])
def test_magan_tandem_paper_epoch(real, fake, lowered, expected):
  d = pe.decide_magan_tandem(real, fake, lowered)
  assert d.verdict == expected, d.evidence


def test_convergence_falls_paper_epoch():
  # -0.02, -0.03, -0.04 per G epoch: -0.03 +- T2 x 0.01 / sqrt(3), below 0.
  d = pe.decide_convergence_falls([-0.02, -0.03, -0.04], [1, 1, 1])
  assert d.verdict == R
  assert f"[{-0.03 - T2 * 0.01 / math.sqrt(3):.4f}" in d.evidence
  assert pe.decide_convergence_falls([0.02, 0.03, 0.04],
                                     [1, 1, 1]).verdict == N
  assert pe.decide_convergence_falls([-0.02, -0.03, -0.04],
                                     [0, 0, 0]).verdict == I


def test_convergence_tracks_needs_more_than_ebgan():
  magan, ebgan = [0.8, 0.9, 0.7], [0.1, 0.2, 0.0]
  d = pe.decide_convergence_tracks(magan, ebgan, [True, False, False])
  # Welch: d = 0.7, se^2 = 2 x 0.01 / 3, df = 4: 0.7 +- T4 x 0.0816.
  half = T4 * math.sqrt(0.02 / 3)
  assert d.verdict == R
  assert f"[{0.7 - half:.3f}, {0.7 + half:.3f}] (Welch, df 4" in d.evidence
  # Both arms' measures trend down with the FD alike: MAGAN's rho is high
  # (the first rule's evidence) but no higher than EBGAN's.
  same = pe.decide_convergence_tracks(magan, magan, [True] * 3)
  assert same.verdict == I
  assert "above EBGAN: inconclusive" in same.evidence
  assert "positive: reproduced" in same.evidence
  assert pe.decide_convergence_tracks(ebgan, magan,
                                      [True] * 3).verdict == N
  # Quality did not change in the window in any seed: nothing to track.
  assert pe.decide_convergence_tracks(magan, ebgan,
                                      [False] * 3).verdict == I
  failed = pe.decide_convergence_tracks([0.8, math.nan, 0.7], ebgan,
                                        [True] * 3, seeds=[3, 4, 5])
  assert failed.verdict == I and "MAGAN rho of seed 4 not finite" in (
      failed.evidence)


@pytest.mark.parametrize("ratios, improved, expected", [
    ([1.0, 1.1, 1.2], [True] * 3, R),     # 1.1 +- 0.248, below 2.
    ([3.0, 3.5, 4.0], [True] * 3, N),     # 3.5 +- 1.242, above 2.
    ([1.0, 3.0, 2.5], [True] * 3, I),
    ([1.0, 1.1, 1.2], [True, False, True], I),  # One seed never improved.
    ([1.0, math.nan, 1.2], [True] * 3, I),      # No checkpoint at epoch 1.
])
def test_first_epoch_paper_epoch(ratios, improved, expected):
  d = pe.decide_first_epoch(ratios, improved, seeds=[3, 4, 5])
  assert d.verdict == expected, d.evidence
  if improved[1] is False:
    assert "in seed 4 (quality did not improve" in d.evidence


def test_fresh_settings_keep_the_seeds_apart():
  from absl import app
  assert sm.fresh_settings([0, 1, 2], False) == ([3, 4, 5], 10, "train")
  assert sm.fresh_settings([0, 1], True) == ([3, 4], 5, "test")
  assert sm.fresh_settings([0], False, ["6"], 4, "test") == ([6], 4, "test")
  with pytest.raises(app.UsageError, match=r"share \[2\]"):
    sm.fresh_settings([0, 1, 2], False, ["2", "7"])
  with pytest.raises(app.UsageError, match=">= 3"):
    sm.fresh_settings([0], False, g_epochs=2)
  with pytest.raises(app.UsageError, match="--fresh_train_split"):
    sm.fresh_settings([0], False, split="validation")


def _fresh_run(arm, seed):
  """_fresh_per_run's keys: MAGAN's energies fall and its rho beats
  EBGAN's; EBGAN's gap widens."""
  magan = arm == "MAGAN"
  return dict(
      real_slope=(-2.0 - seed) if magan else -1.0,
      fake_slope=(-1.0 - seed) if magan else 1.0 + seed,
      gap_slope=0.5 if magan else 2.0 + seed,
      conv_rel_slope=-0.02 - 0.01 * seed, rho=(0.8 if magan else 0.1)
      + 0.05 * seed, fd_ratio_epoch1=1.0 + 0.1 * seed, final_fd=20.0 + seed,
      final_score=3.0, final_entropy=2.0, rose=0,
      lowered=2 if magan else 0, fake_at_start=100.0 + seed,
      fd_fell=True, improved=seed != 5)


def test_redecide_agrees_with_the_study_on_the_paper_epoch_rules():
  seeds = [3, 4, 5]
  per = {(a, s): _fresh_run(a, s) for a in ("MAGAN", "EBGAN") for s in seeds}
  record = sm.fresh_record(per, seeds)
  assert set(record) == set(pe.ARMS.values())
  decisions = {d.rule.id: d for d in sm.fresh_decisions(per, seeds)}
  assert [d.verdict for d in decisions.values()] == [R, R, R, R, I]
  data = rd.StudyData(sm.KEY, [])
  assert rd.load_summary_seeds(data, {"per_seed": record})
  ids = [r.id for r in pe.RULES]
  # A section written before the rules has no verdict: not run yet.
  assert {r["status"] for r in rd.redecide(data, rd.SPECS[sm.KEY], ids)} == {
      rd.NOT_RUN}
  data.old = {i: (d.verdict, d.evidence) for i, d in decisions.items()}
  rows = {r["rule"]: r for r in rd.redecide(data, rd.SPECS[sm.KEY], ids)}
  for rule_id, d in decisions.items():
    assert rows[rule_id]["status"] == rd.REDECIDED
    assert rows[rule_id]["new_verdict"] == d.verdict, rule_id
    assert rows[rule_id]["t_rule"] is None
    for part in rows[rule_id]["parts"]:
      assert part["evidence"] in d.evidence  # The same interval and names.
  assert "seed 5" in rows["first_epoch_sensible_paper_epoch"]["premise"]


def test_paper_epoch_rules_registered_before_their_runs(tmp_path):
  import json
  import os
  import shutil
  from studies import paths
  folder = tmp_path / sm.KEY
  shutil.copytree(os.path.join(paths.ROOT, paths.results_dir(sm.KEY)),
                  folder)
  before = (folder / sr.RULES_FILE).read_text()
  sr.register(str(folder), sm.ALL_RULES)   # The committed text: unchanged.
  assert (folder / sr.RULES_FILE).read_text() == before
  stored = {r["id"]: r for r in json.loads(before)["rules"]}
  latest = max(stored[r.id]["registered"] for r in sm.REGISTERED)
  for rule in pe.RULES:
    assert stored[rule.id]["registered"] > latest
    assert "G epochs 3 to 10" in rule.rule and "t_rule_95" in rule.rule
    assert "not reproduced" in rule.rule and "inconclusive" in rule.rule
  assert pe.STEPS_PER_EPOCH == 937 and pe.REDECIDES[
      "convergence_tracks_quality_paper_epoch"] == "convergence_tracks_quality"
