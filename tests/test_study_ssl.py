"""Study 3's decision logic on synthetic numbers: every outcome and gate."""

import math

import numpy as np
import pytest

from studies import rules as sr
from studies import ssl_fmnist as ssl
from studies import trends

R, N, I = sr.REPRODUCED, sr.NOT_REPRODUCED, sr.INCONCLUSIVE
STEPS = np.arange(100, 1100, 100)  # 10 evaluations.


def test_rules_are_distinct_and_name_all_three_outcomes():
  ids = [r.id for r in ssl.RULES]
  assert len(set(ids)) == len(ids) == 6
  for rule in ssl.RULES:
    for word in ("Reproduced", "not reproduced", "inconclusive"):
      assert word in rule.rule, (rule.id, word)


def test_mean_curve_keeps_common_steps_only():
  a = (np.array([1, 2, 3]), np.array([1.0, 2.0, 3.0]))
  b = (np.array([2, 3, 4]), np.array([4.0, 6.0, 8.0]))
  steps, mean = ssl.mean_curve([a, b])
  assert steps.tolist() == [2, 3]
  assert mean.tolist() == [3.0, 4.5]


@pytest.mark.parametrize("curve,higher,tol,relative,expected", [
    # Lower is better: last-3 best 9.0 vs earlier 10.0: 10% > 2% -> improving.
    ([20, 15, 12, 10, 9.5, 9.2, 9.0], False, 0.02, True, True),
    # 9.9 vs 10.0 is 1% < 2%: levelled off.
    ([20, 15, 12, 10, 10.3, 9.9, 10.1], False, 0.02, True, False),
    # Higher is better, absolute: 0.806 - 0.800 = 0.006 > 0.005.
    ([0.5, 0.7, 0.8, 0.79, 0.806, 0.8], True, 0.005, False, True),
    ([0.5, 0.7, 0.8, 0.79, 0.804, 0.8], True, 0.005, False, False),
    # A late collapse is not improvement.
    ([0.5, 0.7, 0.8, 0.6, 0.5, 0.4], True, 0.005, False, False),
    # Too short to see a plateau: counts as improving.
    ([3.0, 2.0, 1.0], False, 0.02, True, True),
])
def test_new_best_in_window(curve, higher, tol, relative, expected):
  assert trends.new_best_in_window(np.array(curve, float), higher, tol,
                                   relative, ssl.PLATEAU_WINDOW)[0] is expected
  series = [(np.arange(len(curve)), np.array(curve, float))] * 2
  assert ssl.mean_still_improving(series, higher, tol, relative)[0] is \
      expected


def _stats(mean, std, n=3):
  # n values with exactly this mean and sample std.
  offsets = np.linspace(-1.0, 1.0, n)
  offsets = offsets / offsets.std(ddof=1) if n > 1 else offsets
  return sr.SeedStats.of(mean + std * offsets)


@pytest.mark.parametrize("claimed,other,expected", [
    # Lower is better, limit 1.1 x 10 = 11: margin 11 - 9.5 = 1.5 > 1.0.
    ((9.5, 0.5), (10.0, 0.5), R),
    # 10.5: 0.5 < 1.0 -> spread covers the margin.
    ((10.5, 0.5), (10.0, 0.5), I),
    # 12.5 is past 11 by 1.5 > 1.0.
    ((12.5, 0.5), (10.0, 0.5), N),
    # Much better than the other is still "not worse".
    ((5.0, 0.5), (10.0, 0.5), R),
])
def test_not_worse_relative_lower_is_better(claimed, other, expected):
  d = ssl.not_worse(ssl.RULE_FD, _stats(*claimed), _stats(*other),
                    higher_is_better=False, margin=0.1, relative=True)
  assert d.verdict == expected
  assert d.rule is ssl.RULE_FD


@pytest.mark.parametrize("claimed,expected", [
    (0.80, R),   # limit 0.78; gap 0.02 > 0.01
    (0.785, I),  # gap 0.005 < 0.01
    (0.76, N),   # gap -0.02
])
def test_not_worse_absolute_higher_is_better(claimed, expected):
  d = ssl.not_worse(ssl.RULE_VALIDATION, _stats(claimed, 0.005),
                    _stats(0.80, 0.005), higher_is_better=True, margin=0.02,
                    relative=False)
  assert d.verdict == expected


def test_not_worse_gates_and_seed_count():
  good, other = _stats(9.0, 0.1), _stats(10.0, 0.1)
  ok = ssl.not_worse(ssl.RULE_FD, good, other, False, 0.1, True)
  assert ok.verdict == R
  gated = ssl.not_worse(ssl.RULE_FD, good, other, False, 0.1, True,
                        gates=[(False, "fine"), (True, "still improving")])
  assert gated.verdict == I and "still improving" in gated.evidence
  few = ssl.not_worse(ssl.RULE_FD, _stats(9.0, 0.1, n=2), other, False, 0.1,
                      True)
  assert few.verdict == I and "fewer than 3 seeds" in few.evidence
  assert ssl.not_worse(ssl.RULE_FD, _stats(9.0, 0.1, n=2),
                       _stats(10.0, 0.1, n=2), False, 0.1, True,
                       min_seeds=2).verdict == R


def test_both_above():
  flat = (False, "levelled off")
  rising = (True, "still improving")
  arms = lambda a, b: {"MHGAN-SSL": _stats(*a), "ACGAN-SSL": _stats(*b)}
  imp = {"MHGAN-SSL": flat, "ACGAN-SSL": flat}
  assert ssl.both_above(ssl.RULE_SELF, arms((0.9, 0.02), (0.95, 0.01)), 0.8,
                        imp).verdict == R
  assert ssl.both_above(ssl.RULE_SELF, arms((0.7, 0.02), (0.95, 0.01)), 0.8,
                        imp).verdict == N
  # Short but still rising: it might still get there.
  assert ssl.both_above(ssl.RULE_SELF, arms((0.7, 0.02), (0.95, 0.01)), 0.8,
                        {"MHGAN-SSL": rising, "ACGAN-SSL": flat}
                        ).verdict == I
  # Within one std of the level.
  assert ssl.both_above(ssl.RULE_SELF, arms((0.81, 0.02), (0.95, 0.01)),
                        0.8, imp).verdict == I
  assert ssl.both_above(ssl.RULE_SELF, {"MHGAN-SSL": _stats(0.9, 0.0, n=2),
                                        "ACGAN-SSL": _stats(0.9, 0.0)},
                        0.8, imp).verdict == I


def test_minutes_to_target():
  series = (np.array([100, 200, 300]), np.array([30.0, 12.0, 8.0]))
  assert ssl.minutes_to_target(series, 0.6, 12.0) == pytest.approx(2.0)
  assert math.isnan(ssl.minutes_to_target(series, 0.6, 5.0))


def _curve(start, end, rate=100.0):
  """An exponential approach from `start` to `end` over STEPS."""
  return start + (end - start) * (1 - np.exp(-(STEPS - 100) / rate))


def _series(fd_end, fd_rate, score_end, sample, val, self_acc, jitter):
  """Three seeds of every metric; all but FD level off (rate 100 steps)."""
  rng = np.random.default_rng(int(jitter * 1000))
  out = {m: [] for m in ("fid", "is", "sample_accuracy",
                         "validation_accuracy", "self_accuracy")}
  for k in range(3):
    e = (k - 1) * jitter
    out["fid"].append((STEPS, _curve(60.0, fd_end + e, fd_rate)))
    out["is"].append((STEPS, _curve(2.0, score_end + e)))
    for m, level in (("sample_accuracy", sample),
                     ("validation_accuracy", val),
                     ("self_accuracy", self_acc)):
      out[m].append((STEPS, _curve(0.1, level + e / 100)
                     + rng.normal(0, 1e-4, STEPS.size)))
  return out


def test_decide_on_synthetic_runs_reaches_every_rule():
  similar = {
      "MHGAN-SSL": _series(10.0, 100.0, 7.0, 0.80, 0.78, 0.90, 0.2),
      "ACGAN-SSL": _series(10.2, 100.0, 7.1, 0.81, 0.79, 0.97, 0.2)}
  # Both reach the FD target at step 500; MHGAN-SSL's steps are cheaper.
  sec = {"MHGAN-SSL": [0.2, 0.2, 0.21], "ACGAN-SSL": [0.33, 0.34, 0.33]}
  verdicts = {d.rule.id: d.verdict for d in ssl.decide(similar, sec)}
  assert verdicts == {r.id: R for r in ssl.RULES}

  worse = {
      "MHGAN-SSL": _series(16.0, 100.0, 5.0, 0.60, 0.60, 0.70, 0.2),
      "ACGAN-SSL": _series(10.0, 100.0, 7.0, 0.80, 0.80, 0.97, 0.2)}
  slow = {"MHGAN-SSL": [0.5, 0.5, 0.5], "ACGAN-SSL": [0.2, 0.2, 0.2]}
  verdicts = {d.rule.id: d.verdict for d in ssl.decide(worse, slow)}
  assert verdicts == {r.id: N for r in ssl.RULES}


def test_decide_gates_make_rules_inconclusive():
  # MHGAN-SSL's FD still falls at the end (rate 600 steps: 28.4 at step 700,
  # 21.2 at 1000), though below 0.8 x its first value.
  rising = {
      "MHGAN-SSL": _series(10.0, 600.0, 7.0, 0.80, 0.78, 0.9, 0.2),
      "ACGAN-SSL": _series(10.0, 100.0, 7.0, 0.80, 0.78, 0.9, 0.2)}
  sec = {"MHGAN-SSL": [0.2] * 3, "ACGAN-SSL": [0.3] * 3}
  d = {x.rule.id: x for x in ssl.decide(rising, sec)}
  assert d["ssl_fd_similar"].verdict == I
  assert "MHGAN-SSL fid still improving" in d["ssl_fd_similar"].evidence
  assert "training failed" not in d["ssl_fd_similar"].evidence

  # No classifier learned: validation accuracy at chance in one arm.
  chance = {
      "MHGAN-SSL": _series(10.0, 100.0, 7.0, 0.80, 0.10, 0.9, 0.2),
      "ACGAN-SSL": _series(10.0, 100.0, 7.0, 0.80, 0.10, 0.9, 0.2)}
  d = {x.rule.id: x for x in ssl.decide(chance, sec)}
  assert d["ssl_validation_accuracy_similar"].verdict == I
  assert "no classifier learned" in d[
      "ssl_validation_accuracy_similar"].evidence

  # Training failed: FD never falls below 0.8 x its first evaluation's 60.
  failed = {n: _series(50.0, 100.0, 7.0, 0.8, 0.78, 0.9, 0.2)
            for n in ("MHGAN-SSL", "ACGAN-SSL")}
  d = {x.rule.id: x for x in ssl.decide(failed, sec)}
  assert d["ssl_fd_similar"].verdict == I
  assert "training failed" in d["ssl_fd_similar"].evidence


def test_decide_speed_inconclusive_when_seeds_miss_the_target():
  runs = {"MHGAN-SSL": _series(10.0, 100.0, 7.0, 0.8, 0.78, 0.9, 0.2),
          "ACGAN-SSL": _series(10.0, 100.0, 7.0, 0.8, 0.78, 0.9, 6.0)}
  # ACGAN-SSL's seeds end at 4, 10, 16: the target 1.1 x 10 = 11 is missed
  # by one seed, leaving 2 < 3.
  sec = {"MHGAN-SSL": [0.2] * 3, "ACGAN-SSL": [0.3] * 3}
  d = {x.rule.id: x for x in ssl.decide(runs, sec)}["ssl_faster"]
  assert d.verdict == I
  assert "ACGAN-SSL 2/3 seeds" in d.evidence
