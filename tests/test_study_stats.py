"""studies.stats (t comparisons and verdicts) and studies.redecide (the
re-decision of the committed claims): hand-computed values, scipy's own
tests as an independent implementation, and the growth of power with n."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
from scipy import stats as scipy_stats

from studies import redecide as rd
from studies import stats as st

# Student t closed forms (the test's own, not scipy's): for df = 2,
# F(t) = 1/2 + t / (2 sqrt(2 + t^2)) and q(p) = (2p - 1) / sqrt(2p (1 - p));
# for df = 4, F(t) = 1/2 + 3/8 u (1 - t^2 / (12 (1 + t^2 / 4))) with
# u = t / sqrt(1 + t^2 / 4), and q(p) = 2 sqrt(cos(acos(sqrt(a)) / 3) /
# sqrt(a) - 1) with a = 4p (1 - p), for p > 1/2.


def _p_df2(t):
  return 1.0 - abs(t) / math.sqrt(2.0 + t * t)


def _q_df2(p):
  return (2 * p - 1) / math.sqrt(2 * p * (1 - p))


def _p_df4(t):
  x = abs(t)
  f = 0.5 + 3 / 8 * (x / math.sqrt(1 + x * x / 4)) * (
      1 - x * x / (12 * (1 + x * x / 4)))
  return 2 * (1 - f)


def _q_df4(p):
  a = 4 * p * (1 - p)
  return 2 * math.sqrt(math.cos(math.acos(math.sqrt(a)) / 3) / math.sqrt(a)
                       - 1)


def test_paired_hand_computed():
  # Differences 2, 3, 4: mean 3, sd 1, se 1 / sqrt(3), df 2, t = 3 sqrt(3).
  c = st.paired([3, 5, 7], [1, 2, 3], names=("A", "B"))
  assert c.diff == pytest.approx(3.0)
  assert c.se == pytest.approx(1 / math.sqrt(3))
  assert c.df == 2
  assert c.t == pytest.approx(3 * math.sqrt(3))
  assert c.p == pytest.approx(_p_df2(3 * math.sqrt(3)))  # 0.0351
  assert c.p == pytest.approx(0.035098, abs=1e-6)
  half = _q_df2(0.975) / math.sqrt(3)  # 4.30265 / 1.73205 = 2.48414
  assert c.interval() == pytest.approx((3 - half, 3 + half))
  assert c.low == pytest.approx(0.51586, abs=1e-5)
  assert c.effect == pytest.approx(3.0)  # d_z = 3 / 1
  ref = scipy_stats.ttest_rel([3, 5, 7], [1, 2, 3])
  assert c.t == pytest.approx(ref.statistic)
  assert c.p == pytest.approx(ref.pvalue)


def test_welch_hand_computed_equal_variances():
  # Means 2 and 5, variances 1 and 1, n 3 and 3: se^2 = 1/3 + 1/3 = 2/3,
  # df = (2/3)^2 / (2 (1/3)^2 / 2) = 4, t = -3 / sqrt(2/3).
  c = st.welch([1, 2, 3], [4, 5, 6])
  assert c.diff == pytest.approx(-3.0)
  assert c.df == pytest.approx(4.0)
  assert c.t == pytest.approx(-3 / math.sqrt(2 / 3))
  assert c.p == pytest.approx(_p_df4(c.t))  # 0.0213
  half = _q_df4(0.975) * math.sqrt(2 / 3)  # 2.77645 x 0.81650
  assert c.interval() == pytest.approx((-3 - half, -3 + half))
  # Hedges' g: pooled sd 1, d = -3, J(4) = Gamma(2) / (sqrt(2) Gamma(3/2))
  # = 1 / (sqrt(2) sqrt(pi) / 2) = sqrt(2 / pi).
  assert c.effect == pytest.approx(-3 * math.sqrt(2 / math.pi))
  ref = scipy_stats.ttest_ind([1, 2, 3], [4, 5, 6], equal_var=False)
  assert c.t == pytest.approx(ref.statistic)
  assert c.p == pytest.approx(ref.pvalue)


def test_welch_unequal_variances_df():
  # Variances 1 and 4 (n 3 each): v = 1/3, 4/3; df = (5/3)^2 /
  # ((1/9 + 16/9) / 2) = (25/9) / (17/18) = 50/17.
  c = st.welch([1, 2, 3], [2, 4, 6])
  assert c.df == pytest.approx(50 / 17)
  assert c.se == pytest.approx(math.sqrt(5 / 3))
  ref = scipy_stats.ttest_ind([1, 2, 3], [2, 4, 6], equal_var=False)
  assert c.t == pytest.approx(ref.statistic)
  assert c.p == pytest.approx(ref.pvalue)


def test_one_sample_hand_computed():
  # 1, 2, 3 against 0: mean 2, sd 1, t = 2 sqrt(3), df 2, d = 2.
  c = st.one_sample([1, 2, 3], 0.0)
  assert c.t == pytest.approx(2 * math.sqrt(3))
  assert c.p == pytest.approx(_p_df2(2 * math.sqrt(3)))  # 0.0742
  assert c.effect == pytest.approx(2.0)
  ref = scipy_stats.ttest_1samp([1, 2, 3], 0.0)
  assert c.p == pytest.approx(ref.pvalue)


def test_intervals_invert_scipys_tests():
  """At each bound of the 95% interval, scipy's test of the shifted data
  gives p = 0.05 (the interval is the set of shifts the test keeps)."""
  rng = np.random.default_rng(3)
  a, b = rng.normal(1.0, 2.0, 5), rng.normal(0.0, 0.5, 7)
  for bound in st.welch(a, b).interval():
    p = scipy_stats.ttest_ind(a - bound, b, equal_var=False).pvalue
    assert p == pytest.approx(0.05, abs=1e-9)
  b5 = b[:5]
  for bound in st.paired(a, b5).interval():
    assert scipy_stats.ttest_rel(a - bound, b5).pvalue == pytest.approx(
        0.05, abs=1e-9)
  for bound in st.one_sample(a, 0.3).interval():
    assert scipy_stats.ttest_1samp(a, 0.3 + bound).pvalue == pytest.approx(
        0.05, abs=1e-9)


def test_power_grows_with_seeds():
  """Same effect (mean gap 1, per-seed sd 1.5), more seeds: the interval
  narrows and the verdict flips from inconclusive to reproduced, while the
  old rule (gap > summed std = 3) never decides."""
  widths, verdicts = [], []
  for n in (3, 5, 10, 20, 40):
    z = np.linspace(-1.0, 1.0, n)
    z = (z - z.mean()) / z.std(ddof=1)  # mean 0, sd 1 exactly
    a, b = 1.0 + 1.5 * z, 1.5 * z[::-1]
    d = st.decide(a, b, st.HIGHER, is_paired=False)
    widths.append(d.comparison.high - d.comparison.low)
    verdicts.append(d.verdict)
    assert a.mean() - b.mean() < a.std(ddof=1) + b.std(ddof=1)  # old rule
  assert all(w1 > w2 for w1, w2 in zip(widths, widths[1:]))
  assert verdicts[0] == st.INCONCLUSIVE
  assert verdicts[-1] == st.REPRODUCED


def test_verdicts_read_the_right_way_round():
  lower = st.decide([1, 2, 3], [4, 5, 6], st.LOWER, is_paired=False,
                    names=("MHGAN", "SAGAN"), unit="FD")
  assert lower.verdict == st.REPRODUCED
  assert lower.reason.startswith("MHGAN lower than SAGAN, as claimed")
  assert lower.evidence.startswith("MHGAN - SAGAN = -3 FD, 95% CI [-5.27, ")
  assert "(Welch, df 4, p=0.021, g=-2.4, n=3/3)" in lower.evidence
  against = st.decide([1, 2, 3], [4, 5, 6], st.HIGHER, is_paired=False,
                      names=("MHGAN", "SAGAN"))
  assert against.verdict == st.NOT_REPRODUCED
  assert against.reason.startswith("MHGAN lower than SAGAN, against the claim")
  spread = st.decide([1, 2, 3], [1.5, 2.5, 3.5], st.LOWER, is_paired=False)
  assert spread.verdict == st.INCONCLUSIVE
  assert spread.reason.startswith("spread")
  paired = st.decide([3, 5, 7], [1, 2, 3], st.HIGHER, is_paired=True,
                     names=("fork", "control"))
  assert paired.verdict == st.REPRODUCED
  assert "(paired, df 2, p=0.035, d_z=3, n=3 pairs)" in paired.evidence


def test_margin_claims_match_one_sided_tests():
  """TOST reproduced exactly when both of scipy's one-sided Welch tests
  against the margins reject at 5%; the non-inferiority claims at the 95%
  interval's side."""
  rng = np.random.default_rng(0)
  outcomes = set()
  for shift, margin in zip(rng.uniform(-2, 2, 24), rng.uniform(0.2, 1.5, 24)):
    a, b = rng.normal(shift, 0.5, 6), rng.normal(0.0, 0.5, 6)
    d = st.decide(a, b, st.EQUIVALENT, is_paired=False, margin=margin)
    p_low = scipy_stats.ttest_ind(a + margin, b, equal_var=False,
                                  alternative="greater").pvalue
    p_high = scipy_stats.ttest_ind(a - margin, b, equal_var=False,
                                   alternative="less").pvalue
    assert (d.verdict == st.REPRODUCED) == (max(p_low, p_high) < 0.05)
    # Not equivalent: the one-sided test of "beyond the margin" rejects.
    beyond = min(scipy_stats.ttest_ind(a - margin, b, equal_var=False,
                                       alternative="greater").pvalue,
                 scipy_stats.ttest_ind(a + margin, b, equal_var=False,
                                       alternative="less").pvalue)
    assert (d.verdict == st.NOT_REPRODUCED) == (beyond < 0.05)
    outcomes.add(d.verdict)
  assert outcomes == set(st.VERDICTS)
  # By hand: d = 0, se = 1, df 10: the 90% interval is +-1.8125 (the 95% one
  # +-2.2281), so a margin of 2 is met by TOST at alpha = 0.05, with p =
  # P(T_10 > 2) = 0.0367.
  c = st.Comparison(st.WELCH, ("A", "B"), 0.0, 1.0, 10.0, (6, 6), 0.0, "g")
  tost = st.verdict(c, st.EQUIVALENT, margin=2.0)
  assert tost.verdict == st.REPRODUCED
  assert "90% CI [-1.81, 1.81]" in tost.evidence
  assert "p=0.037" in tost.evidence
  assert st.verdict(c, st.EQUIVALENT, margin=1.5).verdict == st.INCONCLUSIVE
  # A - B = -3 with 95% interval [-5.27, -0.73] (above): below B by less than
  # 6 (reproduced), by more than 0.5 (not reproduced), 2 (inconclusive).
  for margin, want in ((6.0, st.REPRODUCED), (0.5, st.NOT_REPRODUCED),
                       (2.0, st.INCONCLUSIVE)):
    assert st.decide([1, 2, 3], [4, 5, 6], st.AT_LEAST, is_paired=False,
                     margin=margin).verdict == want
  assert st.decide([4, 5, 6], [1, 2, 3], st.AT_MOST, is_paired=False,
                   margin=6.0).verdict == st.REPRODUCED


def test_too_few_seeds_zero_spread_and_bad_input():
  few = st.decide([1.0], [2.0, 3.0], st.LOWER, is_paired=False)
  assert few.verdict == st.INCONCLUSIVE and "too few seeds" in few.reason
  assert st.decide_value([], 0.5, st.LOWER).verdict == st.INCONCLUSIVE
  same = st.decide([1, 1, 1], [2, 2, 2], st.LOWER, is_paired=True)
  assert same.verdict == st.REPRODUCED  # zero spread: decided by the sign
  assert same.comparison.interval() == (-1.0, -1.0)
  equal = st.decide([0, 0, 0], [0, 0, 0], st.LOWER, is_paired=True)
  assert equal.verdict == st.INCONCLUSIVE and "no difference" in equal.reason
  for bad in (math.nan, math.inf):
    with pytest.raises(ValueError, match="not finite"):
      st.decide([1, bad, 2], [1, 2, 3], st.LOWER, is_paired=False)
    with pytest.raises(ValueError, match="not finite"):
      st.decide([1.0], [bad], st.LOWER, is_paired=False)  # even with n=1
    with pytest.raises(ValueError):
      st.welch_from_moments(1.0, bad, 3, 0.0, 1.0, 3)
  with pytest.raises(ValueError, match="one value per seed"):
    st.decide([1, 2, 3], [1, 2], st.LOWER, is_paired=True)
  with pytest.raises(ValueError, match="claim"):
    st.decide([1, 2], [1, 2], "better", is_paired=False)
  with pytest.raises(ValueError, match="margin"):
    st.decide([1, 2], [1, 2], st.LOWER, is_paired=False, margin=0.1)
  with pytest.raises(ValueError, match="margin"):
    st.decide([1, 2], [1, 2], st.EQUIVALENT, is_paired=False)


def test_bootstrap_interval():
  with pytest.raises(ValueError, match="10 distinct resamples"):
    st.bootstrap_interval([1, 2, 3], [4, 5, 6], is_paired=False)
  rng = np.random.default_rng(1)
  a, b = rng.normal(1.0, 1.0, 200), rng.normal(0.0, 1.0, 200)
  for is_paired, c in ((False, st.welch(a, b)), (True, st.paired(a, b))):
    low, high = st.bootstrap_interval(a, b, is_paired=is_paired,
                                      resamples=2000)
    assert low == pytest.approx(c.low, abs=0.1 * (c.high - c.low))
    assert high == pytest.approx(c.high, abs=0.1 * (c.high - c.low))
  assert st.bootstrap_interval(a[:8], b[:8], is_paired=True, resamples=500
                               ) == st.bootstrap_interval(
                                   a[:8], b[:8], is_paired=True, resamples=500)


def test_rule_text_names_the_rule():
  for words in ("95%", "paired", "Welch", "TOST", "too few seeds",
                "never a verdict"):
    assert words in st.RULE_TEXT


# ------------------------------------------------------------ redecide
_SECTION = """## Study 2

| rule | claim | decided by |
|---|---|---|
| `x` | a \\| b | c |

Per seed, at the final step:

| arm | seed | fid | is | intra_fid | within_class_spread | validation_accuracy | projection_accuracy |
|---|---|---|---|---|---|---|---|
| SAGAN | 0 | 10.0 | 5 | 1 | 1 | 1 | 0.1 |
| SAGAN | 1 | 12.0 | 5 | 1 | 1 | 1 | 0.1 |
| SAGAN | 2 | 14.0 | 5 | 1 | 1 | 1 | 0.1 |
| MHShared switch | 0 | 8.0 | 5 | 1 | 1 | 1 | 0.1 |
| MHShared switch | 1 | 9.0 | 5 | 1 | 1 | 1 | 0.1 |
| MHShared switch | 2 | 10.0 | 5 | 1 | 1 | 1 | 0.1 |

| self accuracy (seed mean) at step | 200 | 400 |
|---|---|---|
| SAGAN | 0.1 | 0.2 |

| metric | arm | change of the seed mean over the last 3 evaluations | final seed std | still improving / moving? |
|---|---|---|---|---|
| fid | SAGAN | {change} | 2 | x |
| fid | MHShared switch | -0.5 | 1 | no |
"""


def _study(tmp_path, change: str) -> str:
  folder = tmp_path / "conditional_fmnist"
  folder.mkdir()
  (folder / "section.md").write_text(_SECTION.replace("{change}", change))
  (folder / "rules.json").write_text(json.dumps(
      {"rules": [{"id": "mhshared_fd"}, {"id": "new_rule"}]}))
  (folder / "summary.json").write_text(json.dumps({"claims": [
      {"text": "Switching lowers the FID (rule `mhshared_fd`)",
       "verdict": "inconclusive", "evidence": "old words"}]}))
  return str(folder)


def test_table_parser():
  tables = rd.parse_tables(_SECTION.replace("{change}", "-0.1"))
  assert [t.caption for t in tables] == [
      "## Study 2", "Per seed, at the final step:", "", ""]
  assert tables[0].rows[0] == ("`x`", "a | b", "c")  # escaped bar kept
  assert tables[1].caption == "Per seed, at the final step:"
  assert tables[1].records()[3]["arm"] == "MHShared switch"
  assert rd.numbers("63.4 → 58.9") == [63.4, 58.9]
  assert rd.numbers("13.610 @1700") == [13.61, 1700.0]
  assert rd.numbers("-6.2 / -6.3") == [-6.2, -6.3]
  assert rd.moments("curve average ACGAN 0.603 ± 0.00482 (n=3) vs MHGAN "
                    "0.483 ± 0.00834 (n=3)", "MHGAN") == (0.483, 0.00834, 3)


def test_redecide_paired_claim(tmp_path):
  # Fork - control per seed: -2, -3, -4: mean -3, sd 1, 95% interval
  # -3 +- 4.30265 / sqrt(3) = [-5.484, -0.516]: lower, reproduced.
  rows = rd.redecide_study(_study(tmp_path, "-0.1"))
  by_rule = {r["rule"]: r for r in rows}
  fd = by_rule["mhshared_fd"]
  assert fd["old_verdict"] == "inconclusive"
  assert fd["new_verdict"] == "reproduced"
  assert fd["evidence"].startswith(
      "MHShared switch - SAGAN (control) = -3 FD, 95% CI [-5.48, -0.516] "
      "(paired, df 2")
  assert by_rule["new_rule"]["status"] == "not in the re-decision table"


def test_redecide_applies_the_still_improving_gate(tmp_path):
  # The control (behind) improved by 3 > its final seed std 2.
  fd = rd.redecide_study(_study(tmp_path, "-3"))[0]
  assert fd["new_verdict"] == "inconclusive"
  assert fd["reason"].startswith("SAGAN still improving")
  assert "by the interval alone: reproduced" in fd["reason"]


def test_every_committed_rule_has_an_entry():
  results = rd.default_results_dir()
  result = rd.redecide_all(results)
  for key, rows in result["studies"].items():
    with open(os.path.join(results, key, "rules.json")) as f:
      ids = [r["id"] for r in json.load(f)["rules"]]
    amendments = {i for i in ids if i == rd.T_RULE_ID
                  or (i.endswith(rd.T_SUFFIX) and i[:-len(rd.T_SUFFIX)] in ids)}
    assert [r["rule"] for r in rows if r["status"] != "supplementary"] == [
        i for i in ids if i not in amendments]
    # Every re-decided rule's amendment is registered (issue 22); a rule
    # registered after the runs with the t rule itself (study 5's
    # `*_every_loss`) is its own, and has no verdict of a rule before it;
    # the rules registered as t rules before their runs have none.
    native = {s.rule for s in rd.SPECS[key]
              if isinstance(s, rd.Claim) and s.registered_t}
    for r in rows:
      if r["status"] == rd.REDECIDED and r["rule"] in native:
        assert r["t_rule"] is None
      elif r["status"] == rd.REDECIDED:
        assert r["t_rule"] == (r["rule"] if r["amends"]
                               else r["rule"] + rd.T_SUFFIX)
        assert r["t_rule"] in ids
        assert r["amends"] is None or r["amends"] in ids
    for r in rows:
      assert r["status"] != "not in the re-decision table", r["rule"]
      if r["status"] == rd.REDECIDED:
        assert r["new_verdict"] in st.VERDICTS
        assert r["old_verdict"] in (st.VERDICTS if not r["amends"]
                                    else (None,))
  assert sorted(r["rule"] for rows in result["studies"].values()
                for r in rows if r.get("amends")) == [
                    "gp_improves_diversity_every_loss",
                    "gp_improves_quality_every_loss"]
  mechanism = sorted(r["rule"] for rows in result["studies"].values()
                     for r in rows if r["status"] == rd.MECHANISM)
  assert mechanism == ["margin_monotone", "real_scores_higher"]
  # Committed summaries predate the per-seed record: the sections decide.
  assert {r.get("values_from") for rows in result["studies"].values()
          for r in rows if r["status"] == rd.REDECIDED} == {
              "section.md", "printed mean ± std"}
