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
