"""REPORT.md: what the studies found first, then the evidence.

The report opens with "What we found" (the hand-written page
studies/results/FINDINGS.md, whose every number must appear in the
generated part below it: `findings.missing_numbers`), then a summary table
per paper (each claim under the rule registered before the runs and under
the t rule, `studies.redecide`), the tallies, the mechanism checks and the
claims this budget cannot test, then each study's verdicts and results;
rules, protocols, run commands, the note on changes (CHANGES.md) and the
compute times close it as an appendix. Everything but FINDINGS.md and
CHANGES.md is generated from the committed results folders, without runs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from typing import Optional, Sequence

from studies import appendix
from studies import findings
from studies import papers
from studies import paths
from studies import plan
from studies import redecide as rd
from studies import rules as sr
from studies import stats as st
from studies import verdicts as vd
from studies.sections import markdown_table
from tfgan_ext import fileio
from tfgan_ext.errors import UserError

_NUMBERS = ("No", "One", "Two", "Three", "Four", "Five", "Six", "Seven",
            "Eight", "Nine")


def intro(views: Sequence[StudyView]) -> str:
  """The title and the paragraph that says what the report is."""
  if not views:
    return ("# tfgan_ext: the papers' findings at laptop scale\n\nNo study "
            "has run yet: `make studies` runs them.\n")
  names = [name for name, _, _ in papers.group([v.key for v in views])]
  if len(names) >= len(_NUMBERS):
    raise ValueError(f"{len(names)} papers: extend _NUMBERS.")
  count = (_NUMBERS[len(views)] if len(views) < len(_NUMBERS)
           else str(len(views)))
  return "\n".join([
      "# tfgan_ext: the papers' findings at laptop scale", "",
      f"{count} studies test claims of {_NUMBERS[len(names)].lower()} GAN "
      "papers "
      f"({', '.join(names)}) with this library on a 2-core CPU, at a scale "
      "far below the papers' (small images or a 2-D mixture, hundreds to "
      "tens of thousands of steps, 3 to 5 seeds per arm): a verdict says "
      "what happened at this scale, not whether a paper is right. Each "
      "claim was decided by a rule frozen before its runs; every comparison "
      "was decided again, on the same per-seed values, by a 95% t interval "
      "(rule `t_rule_95`, registered as an amendment after the runs). Both "
      "verdicts are shown; the tallies use the t rule's. The appendix holds "
      "the rules, protocols, run commands and compute times. Everything but "
      "the first page is generated from `studies/results/` by "
      "`python -m studies.report --norun`.", ""])


@dataclasses.dataclass
class StudyView:
  """One study's committed files as the report reads them."""
  key: str
  folder: str
  summary: dict
  section: appendix.SplitSection
  registered: list[dict]
  rows: list[vd.Row]
  redecided: bool

  @property
  def number(self) -> str:
    """"1" of "Study 1: ..." (the key if the title has no number)."""
    hit = re.match(r"Study (\w+)", self.summary.get("title", ""))
    return hit.group(1) if hit else self.key


def _read_json(path: str, default):
  if not os.path.exists(path):
    return default
  with open(path, encoding="utf8") as f:
    return json.load(f)


def load_study(key: str, quick: bool = False) -> Optional[StudyView]:
  """The study's section, summary, rules and verdict rows (its quick
  section first with `quick`, else the full one); None when it has not
  run. A study redecide cannot read gets its own verdicts (decided_by
  "study")."""
  full, short = paths.results_dir(key), paths.results_dir(key, True)
  for folder in ((short, full) if quick else (full, short)):
    if os.path.exists(os.path.join(folder, "section.md")):
      break
  else:
    return None
  with open(os.path.join(folder, "section.md"), encoding="utf8") as f:
    section = appendix.split_section(f.read())
  summary = _read_json(os.path.join(folder, "summary.json"), {})
  rules_path = os.path.join(full, sr.RULES_FILE)
  registered = _read_json(rules_path, {"rules": []})["rules"]
  try:
    redecided = rd.redecide_study(folder, key, rules_path)
    rows = vd.rows_of(key, redecided, registered,
                      vd.old_evidence_of(summary))
    ok = True
  except (UserError, KeyError, ValueError, IndexError) as e:
    print(f"{key}: not re-decided ({e}); its own verdicts are shown")
    rows, ok = vd.rows_from_summary(key, summary), False
  return StudyView(key, folder, summary, section, registered, rows, ok)


# ------------------------------------------------------------ summary
def _verdict(text: str) -> str:
  return f"**{text}**" if text in st.VERDICTS else text


def _claim_cell(row: vd.Row) -> str:
  tag = ", registered before the runs, superseded" if (
      row.kind == vd.SUPERSEDED) else ""
  return f"{row.claim} ({row.label}{tag})"


def _why_cell(row: vd.Row) -> str:
  if row.kind == vd.SUPERSEDED:
    return f"not counted: {row.note}"
  if row.decided_by != "t rule":
    return "decided by the study's own rule"
  return row.why


def summary_table(views: Sequence[StudyView]) -> str:
  """One table of the counted claims (and superseded rules) of `views`."""
  rows = []
  for v in views:
    for r in v.rows:
      if r.kind not in (vd.CLAIM, vd.SUPERSEDED):
        continue
      rows.append((v.number, _claim_cell(r), r.paper, r.ours, r.effect,
                   r.old or "n/a", _verdict(r.new), _why_cell(r)))
  return markdown_table(["study", "claim", "paper", "ours (means)",
                         "effect, 95% CI", "registered rule", "t rule",
                         "why inconclusive"], rows)


def _tally_row(label: str, t: vd.Tally, apart: bool = True) -> tuple:
  dash = "–"
  return (label, t.reproduced, t.not_reproduced, t.inconclusive,
          t.mechanism if apart else dash, t.untestable if apart else dash,
          t.counted + (t.mechanism + t.untestable if apart else 0))


def tally_section(views: Sequence[StudyView]) -> str:
  """The tallies: as first reported, and under the t rule per paper and in
  all, with the reasons of the inconclusive verdicts."""
  first = vd.first_report_tally([v.summary for v in views])
  rows = [_tally_row("as first reported (every registered rule, nothing "
                     "set apart)", first, apart=False)]
  all_rows = [r for v in views for r in v.rows]
  for name, _, keys in papers.group([v.key for v in views]):
    rows.append(_tally_row(f"t rule: {name}", vd.tally(
        [r for r in all_rows if r.key in keys])))
  total = vd.tally(all_rows)
  rows.append(_tally_row("**t rule: all papers**", total))
  why = ", ".join(f"{w} {n}" for w, n in total.why)
  table = markdown_table(["verdicts", "reproduced", "not reproduced",
                          "inconclusive", "mechanism checks",
                          "not testable", "rows"], rows)
  return (f"{table}\n\nUnder the t rule a row is one claim, or one part of "
          "a claim that makes two (split); a rule amended after the runs "
          "counts once, as amended; mechanism checks and claims this budget "
          "cannot test are listed below and not counted. Why the "
          f"{total.inconclusive} inconclusive ones are: {why}.\n")


def _apart(views: Sequence[StudyView], kind: str) -> str:
  """The rows of one kind as a list; rows that share their reason (the
  untestable claims of one study) list it once, after them."""
  lines, reasons = [], {}
  for v in views:
    for r in v.rows:
      if r.kind != kind:
        continue
      if kind == vd.MECHANISM:
        note = r.note[:1].upper() + r.note[1:]
        lines.append(f"- Study {v.number}, {r.label}: {r.claim}. {note}. "
                     f"Registered rule: {r.old} ({r.old_evidence}).")
      else:
        reasons.setdefault(r.note, []).append(
            f"- Study {v.number}, {r.label}: {r.claim} (registered rule: "
            f"{r.old}; t rule: {r.new}).")
  for note, items in reasons.items():
    lines += items + ["", f"Why: {note}.", ""]
  return "\n".join(lines) + "\n"


def summary_part(views: Sequence[StudyView]) -> str:
  """## Summary by paper: a table per paper, the tallies, the mechanism
  checks and the untestable claims."""
  out = ["## Summary by paper", "",
         "Each row: the claim (rule id), what the paper reports, the seed "
         "means the t rule compared, the difference with its 95% interval "
         "(paired where the arms share seeds, weights and data, else "
         "Welch; a one-sample t against a level), the verdict under the "
         "rule registered before the runs and under the t rule, and why an "
         "inconclusive verdict is one: *spread* (the interval contains 0 or "
         "the margin), *still improving* (a registered condition: an arm "
         "was still improving or changing at the end), *effect absent* (the "
         "effect the claim is about did not occur).", ""]
  for name, reference, keys in papers.group([v.key for v in views]):
    mine = [v for v in views if v.key in keys]
    studies = ", ".join(f"study {v.number}" for v in mine)
    out += [f"### {name} ({studies})", "",
            f"{reference}." if reference else "", "", summary_table(mine), ""]
  out += ["### Tallies", "", tally_section(views),
          "### Mechanism checks (not counted)", "",
          "Rules that check that an algorithm is wired as specified: they "
          "hold by construction, so they say nothing about the paper's "
          "claim.", "", _apart(views, vd.MECHANISM),
          "### Not testable on this budget (not counted)", "",
          _apart(views, vd.UNTESTABLE)]
  return "\n".join(out)


# ------------------------------------------------------------ studies
def verdict_table(view: StudyView) -> str:
  """A study's every rule under both rules, then the evidence of each."""
  rows = []
  for r in view.rows:
    kind = "" if r.kind == vd.CLAIM else f" ({r.kind})"
    why = r.why if r.kind == vd.CLAIM else (
        r.note if r.kind == vd.SUPERSEDED else r.why or "")
    rows.append((r.label + kind, r.claim, r.old or "n/a", _verdict(r.new),
                 r.effect, why))
  table = markdown_table(["rule", "claim", "registered rule", "t rule",
                          "effect, 95% CI", "why inconclusive / note"], rows)
  bullets = []
  for r in view.rows:
    text = [f"- {r.label}:"]
    if r.old_evidence:
      text.append(f"registered rule: {r.old_evidence}.")
    if r.kind == vd.MECHANISM:
      text.append(f"Mechanism check: {r.note}.")
    elif r.new_evidence:
      text.append(f"t rule: {r.new_evidence}.")
    if r.note and r.kind not in (vd.MECHANISM,):
      text.append(f"Note: {r.note}.")
    bullets.append(" ".join(text))
  return table + "\n\nEvidence:\n\n" + "\n".join(bullets) + "\n"


def study_part(view: StudyView) -> str:
  """A study's title, verdicts and results (its rules, protocol and runs
  are in the appendix)."""
  head = sr.reword_evidence(view.section.head)
  results = sr.reword_evidence(view.section.part("Results"))
  intro = ("Verdicts under the rule registered before the runs and under its "
           "t-rule amendment (`<rule>_t95`); the rule texts are in the "
           "appendix." if view.redecided else
           "Verdicts under the study's own rules (no re-decision entry).")
  return "\n".join([head, "", "### Verdicts", "", intro, "",
                    verdict_table(view), "### Results", "", results, ""])


# ------------------------------------------------------------ appendix
def _demote(text: str) -> str:
  """Markdown headings one level down (## -> ###)."""
  return re.sub(r"^(#+) ", r"#\1 ", text, flags=re.M)


def method_part() -> str:
  """How claims are decided: both rules, the kinds of rows, the wording."""
  return "\n".join([
      "### A. How the claims are decided", "",
      "**The rules registered before the runs.** Each study states its "
      "claims and the rule deciding each in its script and freezes them in "
      "`studies/results/<study>/rules.json` before its first run; a "
      "registered rule is never edited, only amended by a new rule listed "
      "beside it. A comparison was reproduced when the arms' means differed "
      "in the claimed direction by more than the sum of their per-seed "
      "sample stds, not reproduced when they differed the other way by "
      "that much, and inconclusive otherwise, or when the effect did not "
      "occur, or when an arm was still improving (each rule states its "
      "conditions).", "",
      "**The t rule** (`t_rule_95`, registered after every run as an "
      "amendment `<rule>_t95` of each comparison claim; its text, frozen in "
      "each rules.json):", "", f"> {st.RULE_TEXT}", "",
      "Each amendment names the per-seed quantity, the arms, paired or "
      "Welch, and the claimed side (`studies.amendments`). The per-seed "
      "values come from each study's summary.json when it records them "
      "(studies run after this amendment); the committed summaries were "
      "written before that record, so they are read from the sections' "
      "tables, and where a section prints only mean ± std (n), d is tested "
      "from those moments "
      "(Welch's t or a one-sample t), as the amendment states.", "",
      "**Rows that are not counted.** A *mechanism check* tests that an "
      "algorithm is wired as specified (aw's Algorithm 1 pins D's mean real "
      "score at 0.75, logit ln 3; MAGAN's margin update can only lower the "
      "margin): it cannot fail while the code is right. A claim *not "
      "testable on this budget* needs an effect the runs are far too short "
      "to reach. A claim that makes two claims in one sentence is *split*: "
      "each part gets its own verdict under both rules and is counted.", "",
      "**Wording.** The evidence of the registered rules is shown with the "
      "direction words the rules write now (above / below, higher / lower, "
      "as claimed / against the claim) instead of the first ones (beyond / "
      "short of, better / worse), by `rules.reword_evidence`; every number "
      "is as committed.", ""])


def compute_part(views: Sequence[StudyView]) -> str:
  """Compute time per study and per stream of `make studies`."""
  minutes = {v.key: (v.summary.get("train_seconds", 0.0) / 60,
                     v.summary.get("eval_seconds", 0.0) / 60) for v in views}
  rows = [(v.summary.get("title", v.key), f"{minutes[v.key][0]:.1f}",
           f"{minutes[v.key][1]:.1f}") for v in views]
  rows.append(("**total**", f"{sum(t for t, _ in minutes.values()):.1f}",
               f"{sum(e for _, e in minutes.values()):.1f}"))
  keys = dict(plan.STUDIES)
  streams = []
  for i, stream in enumerate(plan.STREAMS, 1):
    mine = [keys[m] for m in stream if keys.get(m) in minutes]
    total = sum(sum(minutes[k]) for k in mine)
    streams.append(f"stream {i} ({', '.join(mine)}) {total:.1f} min")
  return "\n".join([
      "### C. Compute time", "",
      "Wall time of each study's runs on this machine, from the job logs, "
      "while other jobs shared its 2 cores (the studies ran two at a time, "
      "as `make studies` runs them; runs reused by a later invocation keep "
      "the time they took):", "",
      markdown_table(["study", "training (min)", "evaluation (min)"], rows),
      "", "Training plus evaluation per stream of `make studies` "
      "(`--streams=2`): " + "; ".join(streams) + ".", ""])


def runs_part(view: StudyView) -> str:
  """A study's registered rules, protocol and run commands."""
  commands = appendix.grouped_commands(view.section.part("Runs"))
  tail = [line for line in view.section.part("Runs").splitlines()
          if line.startswith("Compute time")]
  return "\n".join([
      f"#### {view.summary.get('title', view.key)}", "",
      f"Rules (`{paths.results_dir(view.key)}/{sr.RULES_FILE}`):", "",
      appendix.rules_table(view.registered) if view.registered else
      view.section.part("Rules"), "",
      "Protocol:", "", view.section.part("Protocol"), "",
      "Runs, one command per arm (`{0,1,2}`: one run per seed, the same "
      "seed in every brace of a command):", "",
      markdown_table(["runs", "command"], commands) if commands else
      view.section.part("Runs"), "", *tail, ""])


def write_report(path: str, quick: bool = False) -> str:
  """Writes the report to `path` from the committed results (the quick
  sections first with `quick`). Prints the findings' numbers the generated
  part does not show, if any."""
  views, missing = [], []
  for module, key in plan.STUDIES:
    view = load_study(key, quick)
    if view is None:
      missing.append(f"## {key}\n\nNot run yet on the current code: "
                     f"`python -m {module}` (or `make studies`).\n")
    else:
      views.append(view)
  changes = ""
  if os.path.exists(paths.CHANGES_FILE):
    with open(paths.CHANGES_FILE, encoding="utf8") as f:
      changes = _demote(f.read().strip())
  generated = "\n".join([
      summary_part(views),
      *(study_part(v) for v in views), *missing,
      "## Appendix", "", method_part(),
      "### B. What changed since the previous report", "",
      re.sub(r"^### What changed since the previous report, and why\n+", "",
             changes), "",
      compute_part(views),
      "### D. Rules, protocol and runs of each study", "",
      *(runs_part(v) for v in views)])
  total = vd.tally([r for v in views for r in v.rows])
  plural = lambda n, word: f"{n} {word}" + ("" if n == 1 else "s")  # noqa
  counts = (f"{plural(total.reproduced, 'claim')} reproduced, "
            f"{total.not_reproduced} not reproduced, {total.inconclusive} "
            f"inconclusive; {plural(total.mechanism, 'mechanism check')} and "
            f"{plural(total.untestable, 'untestable claim')} are not counted")
  if quick:  # FINDINGS.md is about the full studies.
    page = (f"Quick version (fewer seeds and steps): {counts}. What the full "
            "studies found is on the first page of REPORT.md.\n")
  else:
    page = findings.render(findings.read(), {"tally": counts})
  absent = findings.missing_numbers(page, generated)
  if absent:
    print(f"warning: {paths.RESULTS_ROOT}/FINDINGS.md states numbers the "
          f"report does not show: {', '.join(absent)}")
  text = "\n".join([intro(views), "## What we found", "",
                    page or "*(studies/results/FINDINGS.md not written yet)*",
                    generated])
  text = re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"
  fileio.atomic_write_text(path, text)
  return path
