"""Decision logic of study 2 (studies/conditional_fmnist.py) on synthetic
numbers: every outcome of every rule shape, and the stopping gates."""

import json

import numpy as np
import pytest

from studies import conditional_fmnist as s2
from studies.rules import INCONCLUSIVE, NOT_REPRODUCED, REPRODUCED

RULE = s2.R_FD
STEPS = np.array([100, 200, 300, 400])


def _flat(name, finals, spread=None, path=None):
  """Curves with the given final per-seed values; earlier evaluations follow
  `path` (offsets of the seed mean from the final, oldest first)."""
  finals = np.asarray(finals, np.float64)
  path = np.zeros(len(STEPS) - 1) if path is None else np.asarray(path)
  values = np.stack([np.concatenate([f + path, [f]]) for f in finals])
  return s2.Curves(name, STEPS, values)


def test_every_rule_names_its_three_outcomes():
  assert len({r.id for r in s2.RULES}) == len(s2.RULES) == 10
  for rule in s2.RULES:
    for outcome in ("Reproduced", "not reproduced", "inconclusive"):
      assert outcome.lower() in rule.rule.lower(), (rule.id, outcome)


def test_curve_summaries():
  c = s2.Curves("A", STEPS, np.array([[4., 3., 2., 1.], [6., 5., 4., 3.]]))
  assert c.final.mean == 2.0 and c.final.std == pytest.approx(np.sqrt(2))
  assert c.average.values == (2.5, 4.5)
  # Seed mean 5, 4, 3, 2: last minus third-last = 2 - 4.
  assert c.recent_change() == -2.0
  assert c.improving(lower=True)       # gain 2 > std 1.41
  assert not c.improving(lower=False)  # it got worse
  assert c.moving()
  # The same seed mean with final values -1 and 5 (std sqrt(18) = 4.24 > 2):
  # neither improving nor moving beyond the spread.
  wide = s2.Curves("W", STEPS, np.array([[4., 3., 2., -1.], [4., 5., 4., 5.]]))
  assert wide.recent_change() == -2.0 and wide.final.std == pytest.approx(
      np.sqrt(18))
  assert not wide.improving(lower=True) and not wide.moving()
  short = s2.Curves("B", STEPS[:2], np.ones((2, 2)))
  assert short.improving(True) and short.moving()


def test_beats_all_outcomes():
  mh = _flat("MHGAN", [10, 11, 12])
  better = s2.beats(RULE, mh, [_flat("SAGAN", [20, 21, 22]),
                               _flat("ACGAN", [30, 31, 32])], lower=True)
  assert better.verdict == REPRODUCED
  # Better than one, worse than the other: the claim "beats both" fails.
  mixed = s2.beats(RULE, mh, [_flat("SAGAN", [20, 21, 22]),
                              _flat("ACGAN", [5, 6, 7])], lower=True)
  assert mixed.verdict == NOT_REPRODUCED
  # Better than one, overlapping the other (gap 1 < summed std 2).
  overlap = s2.beats(RULE, mh, [_flat("SAGAN", [20, 21, 22]),
                                _flat("ACGAN", [11, 12, 13])], lower=True)
  assert overlap.verdict == INCONCLUSIVE
  assert "spread covers" in overlap.evidence
  # Higher is better (score): the same numbers flip.
  assert s2.beats(RULE, mh, [_flat("SAGAN", [20, 21, 22])],
                  lower=False).verdict == NOT_REPRODUCED


def test_beats_gate_only_for_the_trailing_arm():
  # SAGAN behind (higher FD), still falling by 3 > its std 1 over the last
  # three evaluations: the gap could close -> inconclusive.
  closing = _flat("SAGAN", [20, 21, 22], path=[8, 3, 1])
  d = s2.beats(RULE, _flat("MHGAN", [10, 11, 12]), [closing], lower=True)
  assert d.verdict == INCONCLUSIVE and "still improving" in d.evidence
  # The leader still improving does not gate the verdict.
  d = s2.beats(RULE, _flat("MHGAN", [10, 11, 12], path=[8, 3, 1]),
               [_flat("SAGAN", [20, 21, 22])], lower=True)
  assert d.verdict == REPRODUCED
  # The trailing arm improving by less than its std: no gate.
  d = s2.beats(RULE, _flat("MHGAN", [10, 11, 12]),
               [_flat("SAGAN", [20, 21, 22], path=[0.5, 0.5, 0.5])],
               lower=True)
  assert d.verdict == REPRODUCED
  # Not reproduced, but MHGAN (behind) still improving -> inconclusive.
  d = s2.beats(RULE, _flat("MHGAN", [30, 31, 32], path=[9, 5, 2]),
               [_flat("SAGAN", [20, 21, 22])], lower=True)
  assert d.verdict == INCONCLUSIVE


def test_beats_needs_enough_seeds():
  d = s2.beats(RULE, _flat("MHGAN", [10, 11]), [_flat("SAGAN", [20, 21])],
               lower=True)
  assert d.verdict == INCONCLUSIVE and "fewer than 3" in d.evidence
  d = s2.beats(RULE, _flat("MHGAN", [10, 11]), [_flat("SAGAN", [20, 21])],
               lower=True, min_seeds=2)
  assert d.verdict == REPRODUCED


def test_faster_rise_outcomes_and_occurrence_gate():
  fast = s2.Curves("ACGAN", STEPS, np.array([[.5, .9, .95, .95]] * 3)
                   + np.array([[0], [.01], [.02]]))
  slow = s2.Curves("MHGAN", STEPS, np.array([[.1, .3, .7, .9]] * 3)
                   + np.array([[0], [.01], [.02]]))
  assert s2.faster_rise(s2.R_GRADUAL, fast, slow).verdict == REPRODUCED
  swapped = s2.faster_rise(s2.R_GRADUAL, slow, fast)
  assert swapped.verdict == NOT_REPRODUCED
  # MHGAN never reaches 0.5 self accuracy: no rise to compare.
  flat = s2.Curves("MHGAN", STEPS, np.full((3, 4), 0.1))
  d = s2.faster_rise(s2.R_GRADUAL, fast, flat)
  assert d.verdict == INCONCLUSIVE and "did not enter G" in d.evidence


def test_similar_all_outcomes():
  r = s2.R_VALIDATION
  assert s2.similar(r, _flat("MHGAN", [.80, .81, .82]),
                    _flat("ACGAN", [.81, .82, .83])).verdict == REPRODUCED
  far = s2.similar(r, _flat("MHGAN", [.60, .61, .62]),
                   _flat("ACGAN", [.80, .81, .82]))
  assert far.verdict == NOT_REPRODUCED
  # |d| 0.05, summed std 0.04: neither inside nor outside the margin.
  mid = s2.similar(r, _flat("MHGAN", [.74, .76, .78]),
                   _flat("ACGAN", [.79, .81, .83]))
  assert mid.verdict == INCONCLUSIVE and "covers the margin" in mid.evidence
  low = s2.similar(r, _flat("MHGAN", [.10, .11, .12]),
                   _flat("ACGAN", [.11, .12, .13]))
  assert low.verdict == INCONCLUSIVE and "no classifier" in low.evidence
  moving = s2.similar(r, _flat("MHGAN", [.80, .81, .82], path=[-.3, -.2, -.1]),
                      _flat("ACGAN", [.81, .82, .83]))
  assert moving.verdict == INCONCLUSIVE and "still changing" in moving.evidence


def test_all_below_outcomes_and_moving_gate():
  r = s2.R_PROJECTION
  chance = [_flat(n, [.09, .10, .11]) for n in ("SAGAN", "MHGAN", "ACGAN")]
  assert s2.all_below(r, chance).verdict == REPRODUCED
  one_high = chance[:2] + [_flat("ACGAN", [.6, .7, .8])]
  assert s2.all_below(r, one_high).verdict == NOT_REPRODUCED
  edge = chance[:2] + [_flat("ACGAN", [.15, .2, .25])]
  assert s2.all_below(r, edge).verdict == INCONCLUSIVE
  # Issue 13's case: low at the end but still falling fast.
  falling = chance[:2] + [_flat("SAGAN", [.09, .10, .11],
                                path=[.75, .5, .2])]
  d = s2.all_below(r, falling)
  assert d.verdict == INCONCLUSIVE and "still changing" in d.evidence
  assert "peak seed mean 0.850" in d.evidence


def test_series_keeps_networks_apart(tmp_path):
  rows = [dict(step=100, metric="fid", value=5.0,
               feature_network="classifier_fashion_mnist_16px_ab"),
          dict(step=200, metric="fid", value=4.0,
               feature_network="classifier_fashion_mnist_16px_ab"),
          dict(step=200, metric="fid", value=90.0,
               feature_network="fid_inception_v3"),
          dict(step=200, metric="self_accuracy", value=0.5,
               feature_network="discriminator")]
  (tmp_path / "eval_results.jsonl").write_text(
      "".join(json.dumps(r) + "\n" for r in rows))
  steps, values = s2.series(str(tmp_path), "fid")
  assert steps.tolist() == [100, 200] and values.tolist() == [5.0, 4.0]
  steps, values = s2.series(str(tmp_path), "fid", inception=True)
  assert steps.tolist() == [200] and values.tolist() == [90.0]
  c = s2.curves("A", [str(tmp_path)] * 2, "fid", start=150)
  assert c.steps.tolist() == [200] and c.values.tolist() == [[4.0], [4.0]]


def test_unevaluated_arm_is_inconclusive():
  empty = s2.Curves("SAGAN", np.zeros(0, np.int64), np.zeros((3, 0)))
  assert empty.final.n == 0
  d = s2.beats(RULE, _flat("MHGAN", [10, 11, 12]), [empty], lower=True)
  assert d.verdict == INCONCLUSIVE
  assert s2.all_below(s2.R_PROJECTION, [empty]).verdict == INCONCLUSIVE
