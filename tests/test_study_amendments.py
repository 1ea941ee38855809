"""The t rule's registered amendments (studies.amendments) and the per-seed
record each study writes into summary.json, read back by studies.redecide."""

import json
import math
import os
import shutil

import numpy as np
import pytest

from studies import amendments as am
from studies import aw_ring8 as s1
from studies import conditional_fmnist as s2
from studies import magan_fmnist as s4
from studies import paths
from studies import redecide as rd
from studies import rules as sr
from studies import sections
from studies import sqd_fmnist as s5
from studies import ssl_fmnist as s3
from studies import stats as st
from studies import verdicts as vd

MODULES = {m.KEY: m for m in (s1, s2, s3, s4, s5)}
SEEDS = [0, 1, 2]
# Two-sided 97.5% quantile of Student's t with 2 degrees of freedom.
T2 = 4.302652729911275


# ------------------------------------------------------------ registration
@pytest.mark.parametrize("key", sorted(MODULES))
def test_every_comparison_claim_has_a_registered_t_amendment(key, tmp_path):
  module = MODULES[key]
  specs = [s for s in rd.SPECS[key] if isinstance(s, rd.Claim)]
  # Rules registered as t rules before their runs have no amendment.
  claims = [s.rule for s in specs if not s.amends and not s.registered_t]
  amending = [s for s in specs if s.amends]
  assert module.REGISTERED[:len(module.RULES)] == module.RULES
  added = module.REGISTERED[len(module.RULES):]
  assert added[0] == am.T_RULE and am.T_RULE.rule == st.RULE_TEXT
  # The `<rule>_t95` amendments, then the claims SPECS decides in another
  # way than their registered rule (study 5's `*_every_loss`).
  assert [r.id for r in added[1:]] == [c + "_t95" for c in claims] + [
      s.rule for s in amending]
  by_id = {r.id: r for r in module.RULES}
  for rule in added[1:]:
    amended = rule.id[:-4] if rule.id.endswith("_t95") else next(
        s.amends for s in amending if s.rule == rule.id)
    assert rule.amends == amended and rule.claim == by_id[amended].claim
    assert rule.rule.startswith("Rule `t_rule_95` (95%)")
    assert "not reproduced" in rule.rule and "inconclusive" in rule.rule
  # The committed rules.json holds every one of them, registered after the
  # study's first rules (UTC), with the text the code builds: registering
  # them again changes nothing.
  folder = tmp_path / key
  shutil.copytree(os.path.join(paths.ROOT, paths.results_dir(key)), folder)
  before = (folder / sr.RULES_FILE).read_text()
  sr.register(str(folder), module.REGISTERED)
  assert (folder / sr.RULES_FILE).read_text() == before
  stored = {r["id"]: r for r in json.loads(before)["rules"]}
  first = max(stored[r.id]["registered"] for r in module.RULES)
  for rule in added:
    assert stored[rule.id]["registered"] > first
    assert stored[rule.id]["registered"].endswith("+00:00")


def test_amendment_text_follows_the_design_and_freezes_it(tmp_path):
  by_id = {r.id: r for r in s1.REGISTERED}
  # Study 1's arms share seeds, weights and data: paired, also the angles
  # (the committed section prints only their moments: the text says so).
  assert "paired t" in by_id["angles_early_t95"].rule
  assert "printed mean ± std" in by_id["angles_early_t95"].rule
  assert "Welch" in {r.id: r for r in s2.REGISTERED}["mhgan_fd_t95"].rule
  near = by_id["plain_real_near_zero_t95"].rule
  assert "(1) near 0:" in near and "separate claims" in near
  # A changed mapping changes the text, which a registered folder refuses.
  spec = next(s for s in rd.SPECS["aw_ring8"] if s.rule == "mode_changes")
  unpaired = rd.Claim(spec.rule, tuple(
      rd.dataclasses.replace(p, is_paired=False) for p in spec.parts))
  assert "Welch's t" in am.describe(unpaired)
  sr.register(str(tmp_path), s1.REGISTERED)
  edited = [sr.Rule(r.id, r.claim, am.describe(unpaired), r.amends,
                    r.why_amended) if r.id == "mode_changes_t95" else r
            for r in s1.REGISTERED]
  with pytest.raises(sr.RuleChangedError, match="mode_changes_t95"):
    sr.register(str(tmp_path), edited)


# ------------------------------------------------------------ per seed
def _redecided(key, record, conditions=None):
  """Rows of redecide on a summary holding `record`, with the study's
  registered rule ids; every decided part must have read summary.json."""
  data = rd.StudyData(key, [])
  assert rd.load_summary_seeds(data, {"per_seed": record,
                                      "conditions": conditions or {}})
  rows = rd.redecide(data, rd.SPECS[key],
                     [r.id for r in MODULES[key].REGISTERED])
  decided = {r["rule"]: r for r in rows if r["status"] == rd.REDECIDED}
  assert decided and all(r["values_from"] == "summary.json"
                         for r in decided.values())
  return decided


def _stats(values):
  return sr.SeedStats.of(values)


def test_record_keeps_seeds_and_writes_strict_json(tmp_path, monkeypatch):
  record = sections.per_seed_record([3, 5], {"A": {"x": [1.0, math.nan]}})
  assert record == {"A": {"x": {"3": 1.0, "5": None}}}
  with pytest.raises(ValueError, match="2 seeds"):
    sections.per_seed_record([3, 5], {"A": {"x": [1.0]}})
  monkeypatch.chdir(tmp_path)
  section = sections.Section(
      key="k", title="t", paper="p", script="s", protocol=[], claims=[],
      body=[], runs=[], per_seed=record,
      conditions={"stopping": {"fid": {"A": (np.float64(-1.5), math.inf)}}})
  section.write()
  text = open(os.path.join(paths.RESULTS_ROOT, "k", "summary.json")).read()
  summary = json.loads(text)  # Strict: no NaN / Infinity tokens.
  assert "NaN" not in text and "Infinity" not in text
  assert summary["per_seed"] == record
  assert summary["conditions"]["stopping"]["fid"]["A"] == [-1.5, None]


def test_study1_record_decides_paired_from_summary():
  modes = {"aw": [8, 8, 7], "plain": [1, 2, 0]}
  per_arm = {v: {"modes_final": _stats(modes[v]),
                 "mode_changes": _stats([1, 2, 1]),
                 "lowest_logit": _stats([0.1, 0.2, 0.3]),
                 "abs_mean_logit": _stats([0.01, 0.02, 0.03]),
                 "logit_spread": _stats([0.05, 0.04, 0.06]),
                 "share>90/angle_real_applied": _stats(
                     [0.0, 0.1, 0.0] if v == "aw" else [0.6, 0.7, 0.8]),
                 "median/angle_real_fake": _stats([150, 140, 160])}
             for v in ("plain", "aw")}
  rows = _redecided("aw_ring8", s1.summary_record(SEEDS, per_arm))
  # aw - plain = 7, 6, 7: mean 20/3, sd 1/sqrt(3) -> half width T2 / 3.
  coverage = rows["coverage_final"]
  assert coverage["new_verdict"] == st.REPRODUCED
  assert coverage["parts"][0]["low"] == pytest.approx(20 / 3 - T2 / 3)
  # The angles are paired once the per-seed values are recorded.
  assert "(paired, df 2" in rows["angles_early"]["evidence"]
  assert rows["angles_early"]["note"] == ""


def _curves(name, finals, change=0.0):
  """Curves over 4 evaluations ending at `finals`, each seed moving by
  `change` over the last 3 (a straight line)."""
  finals = np.asarray(finals, float)
  ramp = np.array([-1.5, -1.0, -0.5, 0.0]) * change
  return s2.Curves(name, np.arange(4), finals[:, None] + ramp[None])


def test_study2_record_carries_the_stopping_check_to_the_gates():
  fd = {"SAGAN": [15, 16, 17], "MHGAN": [14, 15, 16], "ACGAN": [11, 12, 13],
        "MHShared switch": [13, 14, 15]}
  finals = {n: {m: _curves(n, fd[n] if m == "fid" else [0.1, 0.1, 0.1])
                for m in s2.PER_SEED} for n in fd}
  self_acc = {n: _curves(n, [0.8, 0.85, 0.9]) for n in ("MHGAN", "ACGAN")}
  # SAGAN's FD still fell by 3 over the last 3 evaluations (> its std 1).
  stopping = {m: {n: _curves(n, fd.get(n, fd["SAGAN"]),
                            change=-3.0 if "SAGAN" in n else 0)
                  for n in (*fd, s2.CONTROL)} for m in s2.STOPPING}
  record, conditions = s2.summary_record(
      SEEDS, finals, self_acc, stopping,
      inception={"MHGAN": [50, 52, 54], "SAGAN": [40, 41, 42],
                 "ACGAN": [44, 45, 46]})
  assert conditions["stopping"]["fid"]["SAGAN"] == [-3.0, 1.0]
  assert conditions["final_self_accuracy"]["ACGAN"] == pytest.approx(0.85)
  rows = _redecided("conditional_fmnist", record,
                    json.loads(json.dumps(conditions)))
  # Fork - control = -2 in every seed: decisive by the interval, but the
  # control (behind) was still improving: the registered gate holds it.
  fork = rows["mhshared_fd"]
  assert fork["parts"][0]["diff"] == pytest.approx(-2.0)
  assert fork["new_verdict"] == st.INCONCLUSIVE
  assert fork["why"] == rd.STILL_IMPROVING
  assert rows["acgan_faster_class_info"]["parts"][0]["means"] == {
      "ACGAN": pytest.approx(0.85), "MHGAN": pytest.approx(0.85)}
  data = rd.StudyData("conditional_fmnist", [])
  rd.load_summary_seeds(data, {"per_seed": record})
  extra = rd.SUPPLEMENTARY["conditional_fmnist"](data)
  assert [p.b for p in extra[0].parts] == ["SAGAN", "ACGAN"]


def test_study2_projection_trend_peak_to_final():
  data = rd.StudyData("conditional_fmnist", [])
  for seed, (sagan, acgan) in enumerate(((0.25, 0.07), (0.26, 0.07),
                                         (0.33, 0.05))):
    data.put("SAGAN", seed, "projection_accuracy", sagan)
    data.put("ACGAN", seed, "projection_accuracy", acgan)
  data.put("MHGAN", 0, "projection_accuracy", 0.2)
  data.old["projection_chance"] = (
      st.NOT_REPRODUCED,
      "SAGAN 0.28 ± 0.04 (n=3) against 0.2: above it; still changing "
      "(SAGAN moved +0.05 over the last 3 evaluations (std 0.04)) (peak "
      "seed mean 0.516); MHGAN 0.2 ± 0 (n=1) against 0.2: within; ACGAN "
      "0.0633 ± 0.01 (n=3) against 0.2: below it (peak seed mean 0.457)")
  data.extra["stopping"] = {("projection_accuracy", "SAGAN"): (0.05, 0.04),
                            ("projection_accuracy", "MHGAN"): (-0.04, 0.0),
                            ("projection_accuracy", "ACGAN"): (-0.01, 0.0115)}
  spec = next(s for s in rd.SPECS["conditional_fmnist"]
              if s.rule == "projection_chance")
  record = rd.decide_claim(data, spec)
  trends = {p["what"]: p.get("trend") for p in record["parts"]}
  # SAGAN's mean (0.25 + 0.26 + 0.33) / 3 = 0.28; moved 0.05 > std 0.04.
  assert trends["SAGAN"] == ("peak 0.516 → 0.28 at the end, +0.05 over the "
                             "last 3 evaluations (final seed std 0.04): "
                             "still rising")
  assert trends["ACGAN"] == ("peak 0.457 → 0.0633 at the end, -0.01 over "
                             "the last 3 evaluations (final seed std "
                             "0.0115): within the seed std")
  # No peak in the evidence: the end and the change only.
  assert trends["MHGAN"] == ("0.2 at the end, -0.04 over the last 3 "
                             "evaluations (final seed std 0): still falling")
  assert "trend of the seed means: SAGAN: peak 0.516 →" in record["note"]
  # The summary table shows the trend in place of the bare mean.
  assert vd.ours(record["parts"][:1]) == (
      "SAGAN projection accuracy: " + trends["SAGAN"])
  # The verdicts do not depend on it.
  plain = rd.Claim(spec.rule, tuple(rd.dataclasses.replace(p, trend=None)
                                    for p in spec.parts))
  assert rd.decide_claim(data, plain)["new_verdict"] == record["new_verdict"]


def test_study3_record_from_the_series_decide_reads():
  steps = np.arange(100, 1100, 100)

  def run(fd_end, acc):
    fd = fd_end + 30.0 * np.exp(-steps / 300.0)
    flat = np.full(steps.size, acc)
    return {"fid": (steps, fd), "is": (steps, 10.0 - fd / 10.0),
            "sample_accuracy": (steps, flat),
            "validation_accuracy": (steps, flat),
            "self_accuracy": (steps, flat)}

  series = {n: {m: [run(fd_end + s, 0.9)[m] for s in (0.0, 0.5, 1.0)]
                for m in ("fid", "is", "sample_accuracy",
                          "validation_accuracy", "self_accuracy")}
            for n, fd_end in (("MHGAN-SSL", 10.0), ("ACGAN-SSL", 12.0))}
  sec = {"MHGAN-SSL": [0.3, 0.3, 0.3], "ACGAN-SSL": [0.6, 0.6, 0.6]}
  record, conditions = s3.summary_record(series, sec, SEEDS)
  assert record["MHGAN-SSL"]["best FD @step"]["1"] == pytest.approx(
      10.5 + 30.0 * np.exp(-1000 / 300.0))
  assert record["ACGAN-SSL"]["s / G step"] == {"0": 0.6, "1": 0.6, "2": 0.6}
  assert set(conditions["plateau"]) == {m for m, *_ in s3.GATES}
  rows = _redecided("ssl_fmnist", record, json.loads(json.dumps(conditions)))
  assert rows["ssl_faster"]["parts"][0]["test"] == st.WELCH


def test_study4_record_names_what_redecide_reads():
  def run(arm, s):
    return dict(real_change=-5.0 - s, fake_change=50.0 + s, widening=-18.0,
                rise=-9.0 - s, conv_rel=-0.5 + 0.01 * s,
                updates=1 if arm == "MAGAN" else 0, rises=0, rho=0.6 + 0.1 * s,
                final_fd=77.0 + s, best_fd=74.0, final_score=2.4,
                final_entropy=1.2 + 0.1 * s, fd_ratio_epoch1=8.0 + s,
                fake_mid=50.0, fd_fell=True, improved=True)
  per = {(a, s): run(a, s) for a in ("MAGAN", "EBGAN") for s in SEEDS}
  record, conditions = s4.summary_record(per, SEEDS)
  assert set(record["MAGAN"]) == set(s4.PER_SEED)
  assert conditions["inputs"]["EBGAN"]["fd_fell"]["2"] is True
  rows = _redecided("magan_fmnist", record)
  # The first-epoch ratio is per seed now: 8, 9, 10 against 2.
  first = rows["first_epoch_sensible"]["parts"][0]
  assert first["diff"] == pytest.approx(7.0) and first["test"] == st.ONE_SAMPLE


def test_study5_record_is_pooled_over_losses_by_redecide():
  per = {(loss, gp, s): dict(points=[], jumps=0, q_tail=0.6 + 0.1 * gp,
                             d_tail=2.0, cv_g=0.3 if loss == "wasserstein"
                             else 0.1 + 0.01 * s, max_ratio_g=1.2,
                             max_ratio_d=1.3)
         for loss in s5.LOSSES for gp in (False, True) for s in SEEDS}
  record = s5.summary_record(per, SEEDS, s5.LOSSES)
  assert set(record) == {s5.LABELS[l] + g for l in s5.LOSSES
                         for g in ("", " + GP")}
  rows = _redecided("sqd_fmnist", record)
  quality = rows["gp_improves_quality"]["parts"][0]
  assert quality["diff"] == pytest.approx(0.1)
  # WGAN's CV 0.3 minus the largest other 0.1 + 0.01 s.
  assert rows["wgan_least_stable"]["parts"][0]["diff"] == pytest.approx(0.19)
  assert rows["gp_prevents_turning_points"]["premise"]


# ------------------------------------------------------------ every loss
def _sqd_rows(q_gain, d_gain):
  """redecide's rows on a study-5 record whose no-GP runs have Q = 0.6 +
  0.01 s and D = 2 + 0.02 s, and whose GP runs add q_gain[label][s] /
  d_gain[label][s] (label: NSGAN, LSGAN, Hinge, WGAN)."""
  per = {}
  for loss in s5.LOSSES:
    label = s5.LABELS[loss]
    for gp in (False, True):
      for s in SEEDS:
        per[(loss, gp, s)] = dict(
            points=[], jumps=0, cv_g=0.1, max_ratio_g=1.2, max_ratio_d=1.3,
            q_tail=0.6 + 0.01 * s + (q_gain[label][s] if gp else 0.0),
            d_tail=2.0 + 0.02 * s + (d_gain[label][s] if gp else 0.0))
  return _redecided("sqd_fmnist", s5.summary_record(per, SEEDS, s5.LOSSES))


def _interval(diffs):
  """The paired 95% interval of the mean per-seed difference, by scipy."""
  from scipy import stats as sps  # pylint: disable=g-import-not-at-top
  diffs = np.asarray(diffs, float)
  half = sps.t.ppf(0.975, diffs.size - 1) * diffs.std(ddof=1) / np.sqrt(
      diffs.size)
  return diffs.mean() - half, diffs.mean() + half


UP = [0.09, 0.10, 0.11]     # mean 0.1, sd 0.01: [0.0752, 0.125], above 0.
DOWN = [-0.09, -0.10, -0.11]
WIDE = [-0.1, 0.0, 0.2]     # mean 0.0333, sd 0.153: contains 0.


def test_study5_every_loss_decides_each_loss_apart():
  assert rd.SQD_LOSSES == tuple(s5.LABELS[l] for l in s5.LOSSES)
  # By hand: UP's half width is T2 * 0.01 / sqrt(3) = 0.024841.
  assert _interval(UP) == pytest.approx((0.1 - T2 * 0.01 / math.sqrt(3),
                                         0.1 + T2 * 0.01 / math.sqrt(3)))
  # (a) Every loss higher with GP: reproduced.
  rows = _sqd_rows({l: UP for l in rd.SQD_LOSSES},
                   {l: UP for l in rd.SQD_LOSSES})
  every = rows["gp_improves_quality_every_loss"]
  assert every["new_verdict"] == st.REPRODUCED
  assert every["t_rule"] == "gp_improves_quality_every_loss"
  assert every["old_verdict"] is None
  assert [p["what"] for p in every["parts"]] == list(rd.SQD_LOSSES)
  for p in every["parts"]:
    assert (p["low"], p["high"]) == pytest.approx(_interval(UP))
    assert p["test"] == st.PAIRED and p["verdict"] == st.REPRODUCED
  assert rows["gp_improves_diversity_every_loss"]["new_verdict"] == (
      st.REPRODUCED)
  # (b) LSGAN significantly lower with GP, WGAN's large gain carrying the
  # pooled mean: per seed (0.09 + 0.09 - 0.09 + 0.9) / 4 = 0.2475, then
  # 0.275, 0.3025; the pooled t95 rule calls it reproduced, the every-loss
  # rule not reproduced.
  gains = {"NSGAN": UP, "LSGAN": DOWN, "Hinge": UP,
           "WGAN": [0.9, 1.0, 1.1]}
  rows = _sqd_rows(gains, gains)
  pooled = rows["gp_improves_quality"]["parts"][0]
  assert (pooled["low"], pooled["high"]) == pytest.approx(
      _interval([0.2475, 0.275, 0.3025]))
  assert rows["gp_improves_quality"]["new_verdict"] == st.REPRODUCED
  every = rows["gp_improves_quality_every_loss"]
  assert every["new_verdict"] == st.NOT_REPRODUCED
  verdicts = {p["what"]: p["verdict"] for p in every["parts"]}
  assert verdicts == {"NSGAN": st.REPRODUCED, "LSGAN": st.NOT_REPRODUCED,
                      "Hinge": st.REPRODUCED, "WGAN": st.REPRODUCED}
  lsgan = every["parts"][1]
  assert (lsgan["low"], lsgan["high"]) == pytest.approx(
      (-_interval(UP)[1], -_interval(UP)[0]))
  # (c) Mixed: Q has one loss whose interval contains 0 (none below);
  # D has one loss lower but not significantly: inconclusive both.
  rows = _sqd_rows({"NSGAN": WIDE, "LSGAN": UP, "Hinge": UP, "WGAN": UP},
                   {"NSGAN": UP, "LSGAN": UP, "Hinge": [-0.2, 0.0, 0.1],
                    "WGAN": UP})
  for rule, loss, diffs in (("gp_improves_quality_every_loss", "NSGAN",
                             WIDE),
                            ("gp_improves_diversity_every_loss", "Hinge",
                             [-0.2, 0.0, 0.1])):
    every = rows[rule]
    assert every["new_verdict"] == st.INCONCLUSIVE and every["why"] == (
        rd.SPREAD)
    part = next(p for p in every["parts"] if p["what"] == loss)
    low, high = _interval(diffs)
    assert low < 0 < high
    assert (part["low"], part["high"]) == pytest.approx((low, high))
    assert part["verdict"] == st.INCONCLUSIVE


def test_every_loss_amendment_text_and_registration(tmp_path):
  by_id = {r.id: r for r in s5.REGISTERED}
  rule = by_id["gp_improves_quality_every_loss"]
  assert rule.amends == "gp_improves_quality" and "_t95" not in rule.id
  assert "gp_improves_quality_every_loss_t95" not in by_id
  assert "(4) WGAN: d = mean `Q` of WGAN + GP - WGAN per seed, paired t" in (
      rule.rule)
  assert "reproduced when every part is, not reproduced when any" in (
      rule.rule)
  assert "one loss can decide alone" in rule.why_amended
  # Registered like any amendment: a changed text is refused.
  sr.register(str(tmp_path), s5.REGISTERED)
  edited = [sr.Rule(r.id, r.claim, r.rule + " Edited.", r.amends,
                    r.why_amended) if r.id == rule.id else r
            for r in s5.REGISTERED]
  with pytest.raises(sr.RuleChangedError, match=rule.id):
    sr.register(str(tmp_path), edited)


def test_per_seed_lists_follow_the_summary_seeds():
  data = rd.StudyData("k", [])
  assert rd.load_summary_seeds(data, {"seeds": [3, 7], "per_seed": {
      "A": {"x": [1.5, None]}}})
  assert data.series("A", "x") == {3: 1.5}
  with pytest.raises(rd.InputError, match="one seed per value"):
    rd.load_summary_seeds(rd.StudyData("k", []), {"seeds": [3], "per_seed": {
        "A": {"x": [1.5, 2.5]}}})
