"""REPORT.md from the committed results: the findings page backed by the
generated numbers, the rows the tallies count, grouped run commands."""

import os

import pytest

from studies import appendix
from studies import findings
from studies import paths
from studies import redecide as rd
from studies import report_md
from studies import stats as st
from studies import verdicts as vd


@pytest.fixture(autouse=True)
def _at_the_checkout_root(monkeypatch):
  """The report reads studies/results/ relative to the working directory."""
  monkeypatch.chdir(paths.ROOT)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
  """The report of the committed results."""
  path = str(tmp_path_factory.mktemp("report") / "REPORT.md")
  here = os.getcwd()
  os.chdir(paths.ROOT)
  try:
    with open(report_md.write_report(path), encoding="utf8") as f:
      return f.read()
  finally:
    os.chdir(here)


def _findings_and_rest(text):
  start = text.index("## What we found")
  end = text.index("## Summary by paper")
  return text[start:end], text[end:]


def test_every_number_of_the_findings_appears_below_it(report):
  page, rest = _findings_and_rest(report)
  assert findings.numbers(page)  # It states numbers.
  assert findings.missing_numbers(page, rest) == []
  # The check can fail: a number the report does not show is caught.
  assert findings.missing_numbers(page + " 12345.6 and 0.4321", rest) == [
      "12345.6", "0.4321"]


def test_findings_come_first_and_fit_a_page(report):
  page, _ = _findings_and_rest(report)
  lines = report.splitlines()
  first = next(i for i, line in enumerate(lines)
               if "reproduced" in line or "inconclusive" in line)
  assert first < 12
  assert len(page.splitlines()) <= 66 and len(page.split()) <= 750


def test_committed_report_is_the_generators_output(report):
  with open("REPORT.md", encoding="utf8") as f:
    assert f.read() == report, ("REPORT.md differs from `python -m "
                                "studies.report --norun`: regenerate it")


def test_number_parsing_and_fields():
  assert findings.numbers("MHGAN 53.5 ± 3.86, Fig. 6 rows 2 and 4, −0.496, "
                          "+0.0524, 1,500 steps, 127k, rule `a_1`, "
                          "[1.81, 17.8]") == [
                              "53.5", "3.86", "2", "4", "-0.496", "0.0524",
                              "1,500", "127k", "1.81", "17.8"]
  assert findings.missing_numbers("-1.5 and 1500", "1.5 and 1,500") == []
  assert findings.render("a {{x}} b", {"x": "7"}) == "a 7 b"
  with pytest.raises(KeyError, match="tally"):
    findings.render("{{nope}}", {"tally": ""})


def test_mechanism_checks_and_untestable_claims_are_not_counted():
  rows = [r for _, key in report_md.plan.STUDIES
          for r in report_md.load_study(key).rows]
  kinds = {}
  for r in rows:
    kinds.setdefault(r.kind, []).append(r.label)
  assert sorted(kinds[vd.MECHANISM]) == ["`margin_monotone`",
                                         "`real_scores_higher`"]
  assert len(kinds[vd.UNTESTABLE]) == 5
  assert kinds[vd.SUPERSEDED] == ["`coverage_final`", "`gp_improves_quality`",
                                  "`gp_improves_diversity`"]
  assert "`gp_improves_quality_every_loss`" in kinds[vd.CLAIM]
  # Split claims count each part.
  assert kinds[vd.CLAIM].count("`plain_real_near_zero` (near 0)") == 1
  t = vd.tally(rows)
  # Study 6 is counted from its committed quick section (5 inconclusive
  # claims decided by the study itself) until its full run is committed.
  assert (t.reproduced, t.not_reproduced, t.inconclusive, t.mechanism,
          t.untestable) == (9, 7, 25, 2, 5)
  assert t.counted == len(kinds[vd.CLAIM])
  first = vd.first_report_tally([report_md.load_study(k).summary
                                 for _, k in report_md.plan.STUDIES])
  assert (first.reproduced, first.not_reproduced, first.inconclusive) == (
      11, 7, 27)


def test_tally_counts_by_kind():
  def row(kind, new, why=""):
    return vd.Row("k", "r", "", "c", "", "", "", "", new, why, kind)
  rows = [row(vd.CLAIM, st.REPRODUCED), row(vd.CLAIM, st.INCONCLUSIVE,
                                            "spread, still improving"),
          row(vd.MECHANISM, vd.MECHANISM), row(vd.UNTESTABLE, st.INCONCLUSIVE),
          row(vd.SUPERSEDED, st.REPRODUCED),
          row(vd.SUPPLEMENTARY, st.REPRODUCED)]
  t = vd.tally(rows)
  assert (t.reproduced, t.inconclusive, t.mechanism, t.untestable) == (
      1, 1, 1, 1)
  assert dict(t.why) == {"spread": 1, "still improving": 1}


def test_coverage_rules_are_told_apart(report):
  summary = report[report.index("## Summary by paper"):
                   report.index("### Tallies")]
  assert ("(`coverage_final`, registered before the runs, superseded)"
          in summary)
  assert "`coverage_final_aw_short` (aw covers >= 7)" in summary


def test_run_commands_one_per_arm_pattern():
  table = """| run | command |
|---|---|
| SAGAN seed 0 | `python -m t --model_dir=r/sagan_s0 --seed=0` |
| SAGAN seed 1 | `python -m t --model_dir=r/sagan_s1 --seed=1` |
| fork seed 0 | `python -m t --init_from=r/sagan_s0/ckpt-10 --seed=0` |
| fork seed 1 | `python -m t --init_from=r/sagan_s1/ckpt-10 --seed=1` |
| once | `python -m c --seed=<seed>` |
"""
  assert appendix.grouped_commands(table) == [
      ("SAGAN seed {0,1}", "`python -m t --model_dir=r/sagan_s{0,1} "
                           "--seed={0,1}`"),
      ("fork seed {0,1}", "`python -m t --init_from=r/sagan_s{0,1}/ckpt-10 "
                          "--seed={0,1}`"),
      ("once", "`python -m c --seed=<seed>`")]
  split = appendix.split_section("## T\n\nhead\n\n### Runs\n\nx\n\n### B\n"
                                 "y\n")
  assert split.head == "## T\n\nhead" and split.part("Ru") == "x"


def test_untestable_reason_is_computed_from_the_section():
  data, _ = rd.read_study(os.path.join("studies", "results", "sqd_fmnist"))
  rd.LOADERS["sqd_fmnist"](data)
  reason = rd.REACH["sqd_fmnist"]["gp_prevents_turning_points"](data)
  # 40 of 300 epochs of ~950,000 steps: 126,667 steps; runs of 1,500.
  assert "about 127k G steps" in reason and "84x sooner" in reason
  assert "1.76 (S_D: 1.87)" in reason and "24 runs" in reason
