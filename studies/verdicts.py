"""The verdict rows of the report: every registered claim of a study under
its first rule and under the t rule (studies.redecide), with the means
compared, the effect and its interval, and why a verdict is inconclusive;
and the tallies.

A row is one claim, or one part of a claim split into parts (redecide's
`Claim.split`). Its kind says whether the tallies count it:

- CLAIM: a paper claim decided by the runs (counted);
- MECHANISM: a rule that checks that an algorithm is wired as specified
  (listed apart, not counted);
- UNTESTABLE: a claim this budget cannot test (listed apart with the
  reason, not counted);
- SUPERSEDED: a rule amended after the runs by another registered rule
  (shown beside it, not counted: its amendment is);
- SUPPLEMENTARY: rows shown beside a claim (study 2's Inception FID), not
  counted.
"""

from __future__ import annotations

import dataclasses
import math
import re
from typing import Optional, Sequence

from studies import papers
from studies import redecide as rd
from studies import rules as sr
from studies import stats as st

CLAIM = "claim"
MECHANISM = "mechanism check"
UNTESTABLE = "not testable on this budget"
SUPERSEDED = "superseded"
SUPPLEMENTARY = "supplementary"
DEFINITION = "definition"

_RULE_ID = re.compile(r"\(rule `([^`]+)`")


@dataclasses.dataclass(frozen=True)
class Row:
  """One claim (or part of one) of a study, under both rules.

  Attributes:
    key: the study's results key.
    rule: the registered rule id (a supplementary row's own label).
    part: the part's label for a split claim, else "".
    claim: the short claim (papers.CLAIMS), with the part's label.
    paper: what the paper reports ("" if not listed).
    ours: the means the t rule compared, or the old evidence.
    effect: the difference with its interval ("" without one).
    old: the verdict under the rule registered before the runs.
    new: the verdict under the t rule (the rule's own verdict for a study
      without a re-decision entry, see `decided_by`).
    why: why the new verdict is inconclusive ("" if it is not).
    kind: CLAIM, MECHANISM, UNTESTABLE, SUPERSEDED or SUPPLEMENTARY.
    note: the reason of a mechanism check / untestable claim, what
      supersedes a rule, or redecide's note.
    old_evidence: the registered rule's evidence (reworded to above /
      below, `rules.reword_evidence`).
    new_evidence: the t rule's reason and evidence.
    t_rule: the registered amendment's id, or "".
    decided_by: "t rule" when redecide decided the row, else "study".
  """
  key: str
  rule: str
  part: str
  claim: str
  paper: str
  ours: str
  effect: str
  old: str
  new: str
  why: str
  kind: str
  note: str = ""
  old_evidence: str = ""
  new_evidence: str = ""
  t_rule: str = ""
  decided_by: str = "t rule"

  @property
  def counted(self) -> bool:
    return self.kind == CLAIM

  @property
  def label(self) -> str:
    """`rule` or `rule` (part)."""
    return f"`{self.rule}`" + (f" ({self.part})" if self.part else "")


def fmt(x: Optional[float]) -> str:
  """3 significant digits, as the t rule's evidence prints them."""
  if x is None or (isinstance(x, float) and math.isnan(x)):
    return "n/a"
  return st._fmt(float(x))  # pylint: disable=protected-access


def ours(parts: Sequence[dict], unit: str = "") -> str:
  """The means a claim's parts compared: "A 14.4 vs B 15.4"; parts
  with the same means are shown once. A part with a trend (redecide's
  `Part.trend`) shows it in place of the means: "A: peak 0.5 → 0.28 at the
  end, ..."."""
  seen, out = set(), []
  for p in parts:
    means = p.get("means") or {}
    text = " vs ".join(f"{name} {fmt(m)}" for name, m in means.items())
    unit = p.get("unit") or ""
    text += f" {unit}" if unit and text else ""
    if p.get("trend"):
      text = f"{' vs '.join(means)}: {p['trend']}"
    if text and text not in seen:
      seen.add(text)
      out.append(text)
  return "; ".join(out)


def effect(p: dict) -> str:
  """"d [low, high]" (with the unit; "90%" marked for an equivalence
  test), or "" for a part without an interval."""
  if "diff" not in p:
    return ""
  unit = f" {p['unit']}" if p.get("unit") else ""
  level = "" if abs(p["level"] - st.LEVEL) < 1e-9 else (
      f" ({100 * p['level']:.0f}%)")
  return f"{fmt(p['diff'])}{unit} [{fmt(p['low'])}, {fmt(p['high'])}]{level}"


def _effects(parts: Sequence[dict]) -> str:
  texts = [effect(p) for p in parts]
  if len(parts) == 1:
    return texts[0]
  return "; ".join(f"{p['what']}: {t}" for p, t in zip(parts, texts) if t)


def superseded_by(registered: Sequence[dict]) -> dict[str, str]:
  """rule id -> the id of the rule registered to amend it after the runs
  (the t rule's own amendments left out: they are the new verdicts)."""
  return {r["amends"]: r["id"] for r in registered
          if r.get("amends") and not r["id"].endswith(rd.T_SUFFIX)}


def old_evidence_of(summary: dict) -> dict[str, str]:
  """rule id -> the registered rule's evidence in summary.json, reworded
  to above / below (`rules.reword_evidence`)."""
  out = {}
  for c in summary.get("claims", []):
    hit = _RULE_ID.search(c["text"])
    if hit:
      out[hit.group(1)] = sr.reword_evidence(c["evidence"])
  return out


def rows_of(key: str, redecided: Sequence[dict],
            registered: Sequence[dict],
            old_evidence: Optional[dict[str, str]] = None) -> list[Row]:
  """The rows of one study from its redecide records, rules.json entries
  and (`old_evidence_of`) the registered rules' evidence."""
  replaced = superseded_by(registered)
  old_evidence = old_evidence or {}
  out = []
  for r in redecided:
    if r["status"] in (rd.DEFINITION, rd.NOT_RUN):
      continue
    base = r.get("supplementary_of") or r["rule"]
    short, paper = papers.claim(base, base)
    old_text = old_evidence.get(r["rule"], "")
    common = dict(key=key, rule=r["rule"], paper=paper,
                  old=r.get("old_verdict") or "",
                  t_rule=r.get("t_rule") or "", old_evidence=old_text)
    if r["status"] == rd.MECHANISM:
      out.append(Row(part="", claim=short, ours=old_text, effect="",
                     new=MECHANISM, why="", kind=MECHANISM, note=r["reason"],
                     **common))
      continue
    kind = CLAIM
    note = r.get("note") or ""
    if r["status"] == "supplementary":
      kind = SUPPLEMENTARY
      tail = r["rule"][len(base):].strip("[]")
      short = f"{short}: {tail}" if tail else short
    elif r.get("reach"):
      kind, note = UNTESTABLE, r["reach"]
    elif r["rule"] in replaced:
      kind = SUPERSEDED
      note = "; ".join(n for n in (
          f"registered before the runs; amended after them by "
          f"`{replaced[r['rule']]}` (the row counted)", note) if n)
    new_evidence = (f"{r['reason']}; {r['evidence']}" if r.get("evidence")
                    and r["status"] != rd.UNCHANGED else r["reason"])
    if r["status"] == rd.UNCHANGED:
      new_evidence = f"not re-decided ({r['reason']}): the registered verdict"
    why = (UNTESTABLE if kind == UNTESTABLE and r["new_verdict"] ==
           st.INCONCLUSIVE else r.get("why") or "")
    parts = r.get("parts") or []
    if r.get("split") and kind == CLAIM:
      for p in parts:
        out.append(Row(part=p["what"], claim=f"{short}: {p['what']}",
                       ours=ours([p]), effect=effect(p),
                       new=p["verdict"], why=p.get("why") or "",
                       kind=kind, note=note,
                       new_evidence=f"{p['reason']}; {p['evidence']}",
                       **dict(common, old=p.get("old_verdict")
                              or common["old"])))
      continue
    out.append(Row(part="", claim=short,
                   ours=ours(parts) or old_text, effect=_effects(parts),
                   new=r["new_verdict"] or "", why=why if r["new_verdict"] ==
                   st.INCONCLUSIVE else "", kind=kind, note=note,
                   new_evidence=new_evidence, **common))
  return out


def rows_from_summary(key: str, summary: dict) -> list[Row]:
  """Rows of a study redecide has no entry for: each claim under the
  study's own rule (`decided_by` "study"), counted as the study decided
  it."""
  out = []
  for c in summary.get("claims", []):
    hit = _RULE_ID.search(c["text"])
    rule = hit.group(1) if hit else c["text"]
    short, paper = papers.claim(rule, c["text"])
    out.append(Row(key=key, rule=rule, part="", claim=short, paper=paper,
                   ours=sr.reword_evidence(c["evidence"]), effect="",
                   old=c["verdict"], new=c["verdict"], why="", kind=CLAIM,
                   old_evidence=sr.reword_evidence(c["evidence"]),
                   decided_by="study"))
  return out


@dataclasses.dataclass(frozen=True)
class Tally:
  """Counts of one set of rows."""
  reproduced: int = 0
  not_reproduced: int = 0
  inconclusive: int = 0
  mechanism: int = 0
  untestable: int = 0
  why: tuple[tuple[str, int], ...] = ()

  @property
  def counted(self) -> int:
    return self.reproduced + self.not_reproduced + self.inconclusive


def tally(rows: Sequence[Row]) -> Tally:
  """Counted rows by their t-rule verdict (and the inconclusive ones by
  why), mechanism checks and untestable claims apart."""
  counted = [r for r in rows if r.counted]
  why: dict[str, int] = {}
  for r in counted:
    if r.new == st.INCONCLUSIVE:
      default = "not re-decided" if r.decided_by != "t rule" else "unstated"
      for w in (r.why or default).split(", "):
        why[w] = why.get(w, 0) + 1
  return Tally(
      reproduced=sum(r.new == st.REPRODUCED for r in counted),
      not_reproduced=sum(r.new == st.NOT_REPRODUCED for r in counted),
      inconclusive=sum(r.new == st.INCONCLUSIVE for r in counted),
      mechanism=sum(r.kind == MECHANISM for r in rows),
      untestable=sum(r.kind == UNTESTABLE for r in rows),
      why=tuple(sorted(why.items())))


def first_report_tally(summaries: Sequence[dict]) -> Tally:
  """The verdicts as the studies first reported them: every claim of every
  summary.json under its registered rule, nothing set apart."""
  verdicts = [c["verdict"] for s in summaries for c in s.get("claims", [])]
  return Tally(reproduced=verdicts.count(st.REPRODUCED),
               not_reproduced=verdicts.count(st.NOT_REPRODUCED),
               inconclusive=verdicts.count(st.INCONCLUSIVE))
