"""Pre-registered study rules: registration, the three-outcome decisions."""

import json
import math
import os

import pytest

from studies import rules as sr

RULE = sr.Rule("r1", "A beats B", "A's mean above B's by more than the "
               "summed std: reproduced; below: not reproduced; else "
               "inconclusive")


def test_register_freezes_rules_and_refuses_edits(tmp_path):
  folder = str(tmp_path / "res")
  sr.register(folder, [RULE])
  stored = json.load(open(os.path.join(folder, sr.RULES_FILE)))
  assert [r["id"] for r in stored["rules"]] == ["r1"]
  first_time = stored["rules"][0]["registered"]
  sr.register(folder, [RULE])          # Same text: accepted, unchanged.
  again = json.load(open(os.path.join(folder, sr.RULES_FILE)))
  assert again["rules"][0]["registered"] == first_time
  edited = sr.Rule("r1", "A beats B", "A above B")
  with pytest.raises(sr.RuleChangedError, match="amends='r1'"):
    sr.register(folder, [edited])
  amended = sr.Rule("r1b", "A beats B", "A above B", amends="r1",
                    why_amended="r1 ignored ties")
  sr.register(folder, [RULE, amended])
  assert [r["id"] for r in json.load(
      open(os.path.join(folder, sr.RULES_FILE)))["rules"]] == ["r1", "r1b"]
  with pytest.raises(ValueError, match="must stay listed"):
    sr.register(str(tmp_path / "other"), [amended])


def test_seed_stats_mean_and_sample_std_ignore_nan():
  stats = sr.SeedStats.of([1.0, 2.0, float("nan"), 4.0])
  assert stats.n == 3
  assert stats.mean == pytest.approx(7.0 / 3.0)
  # Sample std by hand: deviations -4/3, -1/3, 5/3 -> (16+1+25)/9/2.
  assert stats.std == pytest.approx(math.sqrt(42.0 / 18.0))
  assert sr.SeedStats.of([5.0]).std == 0.0
  assert sr.SeedStats.of([]).format() == "n/a"


@pytest.mark.parametrize("a,b,higher,verdict", [
    ([10, 11, 12], [5, 6, 7], True, sr.REPRODUCED),        # gap 5 > 2
    ([10, 11, 12], [5, 6, 7], False, sr.NOT_REPRODUCED),   # lower is better
    ([10, 11, 12], [9, 10, 11], True, sr.INCONCLUSIVE),    # gap 1 <= 2
    ([10, 11, 12], [8, 9, 10], True, sr.INCONCLUSIVE),     # gap 2 == 2
])
def test_compare_uses_the_summed_seed_std(a, b, higher, verdict):
  decision = sr.compare(RULE, sr.SeedStats.of(a), sr.SeedStats.of(b),
                        higher_is_better=higher, names=("aw", "plain"))
  assert decision.verdict == verdict
  assert decision.evidence.startswith("aw 11 ± 1 (n=3) vs plain")


def test_compare_is_inconclusive_without_the_effect_or_seeds():
  a, b = sr.SeedStats.of([10, 11, 12]), sr.SeedStats.of([0, 0, 0])
  none = sr.compare(RULE, a, b, True, occurred=(False, "no collapse"))
  assert none.verdict == sr.INCONCLUSIVE and "no collapse" in none.evidence
  few = sr.compare(RULE, sr.SeedStats.of([10, 11]), b, True)
  assert few.verdict == sr.INCONCLUSIVE and "fewer than 3" in few.evidence


def test_threshold_three_outcomes():
  arm = sr.SeedStats.of([0.8, 0.9, 1.0])   # mean 0.9, std 0.1
  assert sr.threshold(RULE, arm, 0.7, True).verdict == sr.REPRODUCED
  assert sr.threshold(RULE, arm, 1.1, True).verdict == sr.NOT_REPRODUCED
  assert sr.threshold(RULE, arm, 0.85, True).verdict == sr.INCONCLUSIVE
  assert sr.threshold(RULE, arm, 1.1, False).verdict == sr.REPRODUCED


def test_all_of_needs_every_part():
  assert sr.all_of([sr.REPRODUCED, sr.REPRODUCED]) == sr.REPRODUCED
  assert sr.all_of([sr.REPRODUCED, sr.INCONCLUSIVE]) == sr.INCONCLUSIVE
  assert sr.all_of([sr.INCONCLUSIVE, sr.NOT_REPRODUCED]) == sr.NOT_REPRODUCED
  assert sr.all_of([]) == sr.INCONCLUSIVE


def test_evidence_says_above_or_below_and_whether_as_claimed():
  low = sr.SeedStats.of([0.1, 0.2, 0.3])   # mean 0.2, std 0.1
  # Lower is better and the mean is below the level: reproduced, "below".
  d = sr.threshold(RULE, low, 0.5, higher_is_better=False, name="x")
  assert d.verdict == sr.REPRODUCED
  assert d.evidence.endswith("against 0.5: below it by more than the std, "
                             "as claimed")
  d = sr.threshold(RULE, low, 0.5, higher_is_better=True, name="x")
  assert d.verdict == sr.NOT_REPRODUCED
  assert "below it by more than the std, against the claim" in d.evidence
  d = sr.compare(RULE, sr.SeedStats.of([0.5, 0.6, 0.7]), low,
                 higher_is_better=False, names=("A", "B"))
  assert d.verdict == sr.NOT_REPRODUCED
  assert ("A higher than B by more than the summed std, against the claim "
          "(0.4 vs 0.2)") in d.evidence


def test_reword_evidence_rewrites_the_old_direction_words_only():
  old = ("plain |mean logit| 0.00383 ± 0.00135 (n=5) against 0.5: beyond it "
         "by more than the std; SAGAN 0.283 ± 0.0435 (n=3) against 0.2: "
         "short of it by more than the std (peak 0.516); MHShared switch "
         "0.518 ± 0.026 (n=3) vs SAGAN (control) 0.757 ± 0.0255 (n=3): "
         "MHShared switch better by more than the summed std (0.239 vs "
         "0.0515)")
  assert sr.reword_evidence(old) == (
      "plain |mean logit| 0.00383 ± 0.00135 (n=5) against 0.5: below it by "
      "more than the std, as claimed; SAGAN 0.283 ± 0.0435 (n=3) against "
      "0.2: above it by more than the std, against the claim (peak 0.516); "
      "MHShared switch 0.518 ± 0.026 (n=3) vs SAGAN (control) 0.757 ± "
      "0.0255 (n=3): MHShared switch lower than SAGAN (control) by more than "
      "the summed std, as claimed (0.239 vs 0.0515)")
  # Text the current rules write, and other text, is left alone.
  new = sr.threshold(RULE, sr.SeedStats.of([1, 2, 3]), 0.0, True).evidence
  assert sr.reword_evidence(new) == new
  assert sr.reword_evidence("within one std") == "within one std"
