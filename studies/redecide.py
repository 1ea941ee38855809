"""Re-decides the studies' committed claims under the registered t rule.

  python -m studies.redecide                    # print old -> new verdicts
  python -m studies.redecide --out=redecide.json
  python -m studies.redecide --results_dir=results --studies=aw_ring8

For each study folder of --results_dir (default studies/results, or results/
where the studies have not moved yet) this reads summary.json (the old
verdicts, and since issue 22 the per-seed values the study decided on),
rules.json (the registered rule ids) and section.md, and decides every
comparison and level claim again with `studies.stats` (paired t, Welch's t
or a one-sample t at 95%; the rule text is `studies.stats.RULE_TEXT`,
registered in every study as rule `t_rule_95` with one `<rule>_t95`
amendment per claim, see `studies.amendments`). The per-seed values come
from summary.json's per_seed record when it has one; summaries written
before it have none, and then they are read from section.md's tables.
Which metric, arms, claimed direction and design each rule compares is
written out below (SPECS), one entry per rule id, from the rule's text in
rules.json and the study's protocol:

- paired: study 1's plain vs aw (the script checks both arms build the same
  initial weights and read the same data and noise per seed), study 2's
  MHShared fork vs the SAGAN run it was forked from (same weights and data
  stream up to the switch, --deterministic), study 5's GP vs no GP per seed
  (identical flagfiles but the penalty, same seed);
- Welch: every other pair of arms (different networks, heads, z sizes or D
  steps, so no shared initial weights: study 2's MHGAN / SAGAN / ACGAN,
  study 3, study 4's MAGAN vs EBGAN, whose pre-training shifts the data
  stream).

Rules that check that an algorithm is wired as specified (aw's real logits
pinned by Algorithm 1; MAGAN's margin never rising) are listed as mechanism
checks and not re-decided. Claims whose parts are different claims in one
sentence (`Claim.split`) keep a verdict per part. Claims this budget cannot
test (study 5's turning points, REACH) carry the reason, computed from the
study's files. A rule whose per-seed values section.md does not print is
decided from the printed mean ± std (n) with Welch's or a one-sample t, and
says so; a rule with no values at all keeps its old verdict ("unchanged").
Study 1's blob rules (`coverage_assigned`, `dominant_mode_hops`) and
study 4's paper-epoch rules (`*_paper_epoch`) were registered as t rules
before their runs (issue 22): they are decided here as their studies
decide them, without a `_t95` amendment, and are listed as not run yet
(left out of the report) in a section written before them.
The registered rules' other conditions (the effect did not occur; a
trailing arm still improving) are applied from summary.json's conditions,
else from the section's own tables (study 2's stopping check, study 3's
plateau gate), otherwise from the old evidence text.

Numbers come only from the committed files; the constants below are the
registered rules' own levels and margins.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import sys
from typing import Callable, Iterator, Optional, Sequence, Union

import numpy as np

from studies import rules as sr
from studies import stats as st
from tfgan_ext.errors import InputError, MissingInputError, UsageError

REDECIDED = "re-decided"
MECHANISM = "mechanism check"
UNCHANGED = "unchanged"
DEFINITION = "definition"
NOT_RUN = "not run yet"

# The registered t rule (studies.amendments.T_RULE) and the suffix of its
# amendment of each re-decided rule (`<rule>_t95`).
T_RULE_ID = "t_rule_95"
T_SUFFIX = "_t95"

STUDIES = ("aw_ring8", "conditional_fmnist", "ssl_fmnist", "magan_fmnist",
           "sqd_fmnist")

_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
_MOMENTS = re.compile(r"(%s) ± (%s) \(n=(\d+)\)" % (_NUMBER.pattern,
                                                    _NUMBER.pattern))
_SEPARATOR = re.compile(r"^\|(\s*:?-{3,}:?\s*\|)+$")
_RULE_ID = re.compile(r"\(rule `([^`]+)`")


# ------------------------------------------------------------ tables
@dataclasses.dataclass(frozen=True)
class Table:
  """A markdown table: the line above it, its header and its rows."""
  caption: str
  header: tuple[str, ...]
  rows: tuple[tuple[str, ...], ...]

  def column(self, prefix: str) -> str:
    """The header that equals `prefix`, else the one starting with it."""
    if prefix in self.header:
      return prefix
    hits = [h for h in self.header if h.startswith(prefix)]
    if len(hits) != 1:
      raise InputError(f"table under {self.caption!r}: expected one column "
                       f"starting with {prefix!r}; found {hits}.")
    return hits[0]

  def has(self, prefix: str) -> bool:
    return any(h == prefix or h.startswith(prefix) for h in self.header)

  def records(self) -> list[dict[str, str]]:
    """One dict per row, keyed by the header."""
    return [dict(zip(self.header, row)) for row in self.rows]


def split_row(line: str) -> list[str]:
  """Cells of a markdown table row; `\\|` is a literal bar inside a cell."""
  body = line.strip()
  if body.startswith("|"):
    body = body[1:]
  if body.endswith("|") and not body.endswith("\\|"):
    body = body[:-1]
  cells, cell, i = [], [], 0
  while i < len(body):
    if body.startswith("\\|", i):
      cell.append("|")
      i += 2
      continue
    if body[i] == "|":
      cells.append("".join(cell).strip())
      cell = []
    else:
      cell.append(body[i])
    i += 1
  cells.append("".join(cell).strip())
  return cells


def parse_tables(text: str) -> list[Table]:
  """Every markdown table of `text`, with the last non-blank line above it
  (e.g. "Per seed, at the final step:"; "" when that is another table)."""
  lines = text.splitlines()
  tables, caption, i = [], "", 0
  while i < len(lines):
    line = lines[i].strip()
    if (line.startswith("|") and i + 1 < len(lines)
        and _SEPARATOR.match(lines[i + 1].strip())):
      header = tuple(split_row(line))
      rows = []
      i += 2
      while i < len(lines) and lines[i].strip().startswith("|"):
        row = split_row(lines[i])
        if len(row) != len(header):
          raise InputError(f"table under {caption!r}: a row has {len(row)} "
                           f"cells, the header {len(header)}: {lines[i]!r}.")
        rows.append(tuple(row))
        i += 1
      tables.append(Table(caption, header, tuple(rows)))
      caption = ""  # a table right below another has no caption
      continue
    if line:
      caption = line
    i += 1
  return tables


def numbers(cell: str) -> list[float]:
  """The numbers of a cell in order: "63.4 → 58.9" -> [63.4, 58.9];
  "13.610 @1700" -> [13.61, 1700.0]; "1 / 0 / 0" -> [1.0, 0.0, 0.0]."""
  return [float(x) for x in _NUMBER.findall(cell)]


def moments(text: str, name: str = "") -> tuple[float, float, int]:
  """Mean, std and n of the first "m ± s (n=k)" in `text` after `name`
  (e.g. "ACGAN 0.603 ± 0.00482 (n=3)")."""
  start = 0
  if name:
    start = text.find(name + " ")
    if start < 0:
      raise InputError(f"no {name!r} in {text!r}.")
  hit = _MOMENTS.search(text, start)
  if hit is None:
    raise InputError(f"no 'mean ± std (n=k)' for {name or 'the value'} in "
                     f"{text!r}.")
  return float(hit.group(1)), float(hit.group(2)), int(hit.group(3))


def find_table(tables: Sequence[Table], what: str, columns: Sequence[str],
               caption: str = "") -> Table:
  """The first table under a caption starting with `caption` that has a
  column for each prefix of `columns`."""
  for t in tables:
    if t.caption.startswith(caption) and all(t.has(c) for c in columns):
      return t
  raise InputError(f"section.md has no {what} table (caption {caption!r}, "
                   f"columns {list(columns)}): was it written by another "
                   "version of the study?")


# ------------------------------------------------------------ study data
@dataclasses.dataclass
class StudyData:
  """What one study's committed files say.

  Attributes:
    key: the study folder's name.
    tables: section.md's tables.
    seeds: arm -> seed -> metric -> per-seed value.
    moments: arm -> metric -> (mean, std, n) as printed.
    old: rule id -> (old verdict, old evidence) from summary.json.
    extra: the tables the rules' other conditions read (per study).
    source: where the per-seed values came from: "summary.json" (its
      per_seed record, written by the studies since issue 22) or
      "section.md" (the tables of a section written before).
  """
  key: str
  tables: list[Table]
  seeds: dict[str, dict[int, dict[str, float]]] = dataclasses.field(
      default_factory=dict)
  moments: dict[str, dict[str, tuple[float, float, int]]] = (
      dataclasses.field(default_factory=dict))
  old: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
  extra: dict[str, dict] = dataclasses.field(default_factory=dict)
  source: str = "section.md"

  def put(self, arm: str, seed: int, metric: str, value: float) -> None:
    self.seeds.setdefault(arm, {}).setdefault(seed, {})[metric] = value

  def series(self, arm: str, metric: str) -> dict[int, float]:
    """seed -> value of `metric` for `arm` (seeds without it left out)."""
    return {s: m[metric] for s, m in sorted(self.seeds.get(arm, {}).items())
            if metric in m}

  def values(self, arm: str, metric: str) -> list[float]:
    return list(self.series(arm, metric).values())

  def mean(self, arm: str, metric: str) -> float:
    v = self.values(arm, metric)
    return float(np.mean(v)) if v else math.nan


def _long(table: Table, arm_column: str = "arm"
          ) -> Iterator[tuple[str, int, dict[str, str]]]:
  for r in table.records():
    yield r[arm_column], int(numbers(r["seed"])[0]), r


def _first(cell: str) -> float:
  found = numbers(cell)
  if not found:
    raise InputError(f"no number in cell {cell!r}.")
  return found[0]


def _load_aw_ring8(data: StudyData) -> None:
  """Study 1: modes covered and mode-set changes per seed (slash lists in
  the per-arm table), the Fig. 6 per-mode real logits per seed and step,
  and the printed moments of the angle table."""
  t = find_table(data.tables, "per-arm results",
                 ("arm", "modes covered at", "mode-set changes"))
  modes_col = t.column("modes covered at")
  hit = re.search(r"per seed \[([^\]]*)\]", modes_col)
  if hit is None:
    raise InputError(f"column {modes_col!r} does not name its seeds "
                     "('per seed [0, 1, ...]').")
  seeds = [int(s) for s in hit.group(1).split(",")]
  for r in t.records():
    for col, metric in ((modes_col, "modes_final"),
                        (t.column("mode-set changes"), "mode_changes")):
      vals = numbers(r[col])
      if len(vals) != len(seeds):
        raise InputError(f"{col!r} of {r['arm']}: {len(vals)} values for "
                         f"seeds {seeds}.")
      for s, v in zip(seeds, vals):
        data.put(r["arm"], s, metric, v)
  logits = find_table(data.tables, "Fig. 6 real logits",
                      ("seed", "arm", "step", "mean D logit"))
  col = logits.column("mean D logit")
  per: dict[tuple[str, int], list[list[float]]] = {}
  for arm, seed, r in _long(logits):
    per.setdefault((arm, seed), []).append(numbers(r[col]))
  for (arm, seed), rows in per.items():
    v = np.asarray(rows)  # [checkpoints, modes]
    data.put(arm, seed, "abs_mean_logit", float(np.abs(v.mean(1)).mean()))
    data.put(arm, seed, "logit_spread", float(v.std(axis=1).mean()))
    data.put(arm, seed, "lowest_logit", float(v.min(axis=1).mean()))
  angles = find_table(data.tables, "angles",
                      ("arm", "angle", "share > 90 deg, first 500",
                       "median, first 500"))
  for r in angles.records():
    m = data.moments.setdefault(r["arm"], {})
    m["share>90/" + r["angle"]] = moments(
        r[angles.column("share > 90 deg, first 500")])
    m["median/" + r["angle"]] = moments(r[angles.column("median, first 500")])


def _load_conditional(data: StudyData) -> None:
  """Study 2: the per-seed table at the final step, the stopping check
  (change of each arm's seed mean over the last 3 evaluations, final seed
  std) and the final seed-mean self accuracy."""
  t = find_table(data.tables, "per-seed", ("arm", "seed"),
                 caption="Per seed, at the final step")
  for arm, seed, r in _long(t):
    for col in t.header[2:]:
      data.put(arm, seed, col, _first(r[col]))
  stop = find_table(data.tables, "stopping check",
                    ("metric", "arm", "change of the seed mean",
                     "final seed std"))
  data.extra["stopping"] = {
      (r["metric"], r["arm"]): (_first(r[stop.column("change of the seed")]),
                                _first(r["final seed std"]))
      for r in stop.records()}
  self_acc = find_table(data.tables, "self accuracy curve",
                        ("self accuracy (seed mean)",))
  data.extra["final_self_accuracy"] = {
      row[0]: _first(row[-1]) for row in self_acc.rows}
  inception = [t for t in data.tables if t.has("Inception FID")]
  if inception:  # Only in sections run with --inception_fid.
    col = inception[0].column("Inception FID")
    for r in inception[0].records():
      data.moments.setdefault(r["arm"], {})["inception_fid"] = moments(r[col])


def _load_ssl(data: StudyData) -> None:
  """Study 3: the per-seed table and the plateau gate of the mean curves."""
  t = find_table(data.tables, "per-seed", ("arm", "seed", "best FD"),
                 caption="Per seed")
  for arm, seed, r in _long(t):
    for col in t.header[2:]:
      data.put(arm, seed, col, _first(r[col]))
  plateau = find_table(data.tables, "plateau gate",
                       ("metric", "arm", "end of the mean curve"))
  data.extra["plateau"] = {
      (r["metric"], r["arm"]):
          r["end of the mean curve"].startswith("still improving")
      for r in plateau.records()}


def _load_magan(data: StudyData) -> None:
  """Study 4: the per-seed table (first -> last epoch pairs and the
  second-half changes)."""
  t = find_table(data.tables, "per-seed", ("arm", "seed", "final FD",
                                           "gap widening"))
  for arm, seed, r in _long(t):
    e_real = numbers(r[t.column("E_real")])
    e_fake = numbers(r[t.column("E_fake")])
    gap = numbers(r[t.column("gap widening")])
    conv = numbers(r[t.column("convergence measure")])
    margin = numbers(r[t.column("margin")])  # first, last, lowered, rose
    per_seed = {"e_real_change": e_real[1] - e_real[0],
                "e_fake_change": e_fake[1] - e_fake[0],
                "gap_widening": gap[0], "fake_rise": gap[1],
                "convergence_rel_change": (conv[1] - conv[0]) / conv[0],
                "margin_lowered": margin[2],
                "spearman": _first(r[t.column("Spearman")])}
    for col in ("final FD", "best FD", "final score", "final mode entropy"):
      per_seed[col] = _first(r[col])
    for metric, value in per_seed.items():
      data.put(arm, seed, metric, value)


def _load_sqd(data: StudyData) -> None:
  """Study 5: every run's row; per seed, the arms "no GP" / "GP" pool the
  four losses as the rules do, and "WGAN" holds the CV margin."""
  t = find_table(data.tables, "every run", ("run", "seed", "turning points",
                                            "Q, last sixth"),
                 caption="Every run")
  runs: dict[tuple[str, int], dict[str, float]] = {}
  for run, seed, r in _long(t, "run"):
    tp = r[t.column("turning points")]
    runs[(run, seed)] = {
        "turning_points": 0.0 if tp == "none" else float(len(tp.split("; "))),
        "angle_jumps": _first(r["angle jumps"]),
        "Q": _first(r["Q, last sixth"]), "D": _first(r["D, last sixth"]),
        "cv": _first(r[t.column("S_G CV")])}
    ratios = numbers(r[t.column("largest S_G / S_D ratio")])
    runs[(run, seed)].update(max_ratio_g=ratios[0], max_ratio_d=ratios[1])
    for metric, value in runs[(run, seed)].items():
      data.put(run, seed, metric, value)
  _pool_sqd(data)


def _pool_sqd(data: StudyData) -> None:
  """Study 5's arms as the rules define them, from every run's per-seed
  values (arm = run name, e.g. "WGAN + GP"): per seed, "no GP" and "GP"
  pool the four losses, and "WGAN" holds the CV margin."""
  runs = {(arm, seed): metrics for arm, by_seed in data.seeds.items()
          for seed, metrics in by_seed.items()}
  losses = sorted({run for run, _ in runs if not run.endswith(" + GP")})
  for seed in sorted({s for _, s in runs}):
    for arm, suffix in (("no GP", ""), ("GP", " + GP")):
      rows = [runs[(loss + suffix, seed)] for loss in losses]
      data.put(arm, seed, "Q", float(np.mean([r["Q"] for r in rows])))
      data.put(arm, seed, "D", float(np.mean([r["D"] for r in rows])))
      data.put(arm, seed, "losses_with_turning_point",
               float(sum(r["turning_points"] > 0 for r in rows)))
      data.put(arm, seed, "share_with_turning_point",
               float(np.mean([r["turning_points"] > 0 for r in rows])))
      data.put(arm, seed, "angle_jumps",
               float(sum(r["angle_jumps"] for r in rows)))
    if "WGAN" in losses:
      others = [runs[(loss, seed)]["cv"] for loss in losses if loss != "WGAN"]
      data.put("WGAN", seed, "cv_margin",
               runs[("WGAN", seed)]["cv"] - max(others))


def load_summary_seeds(data: StudyData, summary: dict) -> bool:
  """Fills `data` from summary.json's per-seed record when it has one.

  summary["per_seed"]: arm -> metric -> seed (a string) -> value (None for
  a seed without one, e.g. a run that never reached a target), or arm ->
  metric -> a list of values in the order of summary["seeds"] (study 6);
  summary["conditions"]: what the registered rules' other conditions read
  ("stopping": metric -> arm -> [change over the last 3 evaluations, final
  seed std]; "plateau": metric -> arm -> still improving; anything else as
  it is). Returns False (and leaves `data` alone) without a per_seed
  record: summaries written before issue 22 have none."""
  per_seed = summary.get("per_seed")
  if not per_seed:
    return False
  for arm, metrics in per_seed.items():
    for metric, by_seed in metrics.items():
      if isinstance(by_seed, list):  # In the order of summary["seeds"].
        seeds = summary.get("seeds")
        if seeds is None or len(seeds) != len(by_seed):
          raise InputError(f"summary.json: per_seed[{arm!r}][{metric!r}] is "
                           f"a list of {len(by_seed)} values but 'seeds' is "
                           f"{seeds!r}: a list needs one seed per value.")
        by_seed = dict(zip(seeds, by_seed))
      for seed, value in by_seed.items():
        if value is not None:
          data.put(arm, int(seed), metric, float(value))
  for name, value in summary.get("conditions", {}).items():
    if name in ("stopping", "plateau"):
      value = {(metric, arm): (tuple(v) if isinstance(v, list) else v)
               for metric, arms in value.items() for arm, v in arms.items()}
    data.extra[name] = value
  data.source = "summary.json"
  if data.key in DERIVED:
    DERIVED[data.key](data)
  return True


# Arms a study's rules define from its runs' per-seed values (study 5 pools
# its losses), applied to the values from either source.
DERIVED: dict[str, Callable[[StudyData], None]] = {
    "sqd_fmnist": _pool_sqd,
}

LOADERS: dict[str, Callable[[StudyData], None]] = {
    "aw_ring8": _load_aw_ring8,
    "conditional_fmnist": _load_conditional,
    "ssl_fmnist": _load_ssl,
    "magan_fmnist": _load_magan,
    "sqd_fmnist": _load_sqd,
}


# ------------------------------------------------------------ claim specs
Gate = Callable[[StudyData, "Part", st.Decision], Optional[str]]
Premise = Callable[[StudyData, str], Optional[str]]
Trend = Callable[[StudyData, str, "Part"], Optional[str]]


@dataclasses.dataclass(frozen=True)
class Versus:
  """Arm `a` against arm `b` on `metric` (claim about mean(a) - mean(b)).

  source "seeds": per-seed values (paired on the seeds both arms have);
  "table": the printed mean ± std (n) in `StudyData.moments` (Welch);
  "evidence": the printed mean ± std (n) in the old evidence (Welch). The
  last two are fallbacks for sections that print no per-seed values: when
  the per-seed values are there (summary.json), they are used.
  margin_of_b: the margin is this fraction of |mean(b)| (e.g. 10%).
  gate: a registered condition (None, or the text that makes a decisive
  verdict inconclusive).
  trend: how the compared values moved before the end, in words, from the
  study data and the rule id (shown beside the means; no verdict depends on
  it), or None.
  """
  metric: str
  a: str
  b: str
  claim: str
  is_paired: bool
  unit: str = ""
  margin: float = 0.0
  margin_of_b: float = 0.0
  source: str = "seeds"
  names: tuple[str, ...] = ()
  gate: Optional[Gate] = None
  what: str = ""
  trend: Optional[Trend] = None


@dataclasses.dataclass(frozen=True)
class Level:
  """One arm's `metric` against a stated level (claim about mean - value);
  the fields as in `Versus`."""
  metric: str
  arm: str
  value: float
  claim: str
  unit: str = ""
  name: str = ""
  value_label: str = ""
  source: str = "seeds"
  gate: Optional[Gate] = None
  what: str = ""
  trend: Optional[Trend] = None


Part = Union[Versus, Level]


@dataclasses.dataclass(frozen=True)
class Claim:
  """A registered rule re-decided from its parts (all must hold).

  split: the parts are different claims made in one sentence (e.g. "near 0
  and uneven"); the report shows each with its own verdict and counts them
  apart. note: shown with the verdict; section_note: shown only when the
  values were read from section.md (how they were recovered there).
  amends: set for a rule registered after the runs in place of the rule
  `amends` (not of its `<rule>_t95` form), decided by the t rule from the
  start: `studies.amendments.for_study` registers it with `why_amended`,
  `note` says how it reads the amended rule's values differently, and the
  report counts it instead of the amended rule.
  registered_t: the rule was registered as a t rule before its runs (study
  1's blob rules and study 4's paper-epoch rules, issue 22): it has no
  `_t95` amendment, its study decides it as here, and a section that has
  no verdict for it (written before it was registered) lists it as
  NOT_RUN.
  """
  rule: str
  parts: tuple[Part, ...]
  premise: Optional[Premise] = None
  note: str = ""
  supplementary_of: str = ""
  split: bool = False
  section_note: str = ""
  amends: str = ""
  why_amended: str = ""
  registered_t: bool = False


@dataclasses.dataclass(frozen=True)
class Skip:
  """A rule not re-decided: MECHANISM, UNCHANGED or DEFINITION, and why
  (why_inconclusive: the category of an UNCHANGED inconclusive verdict)."""
  rule: str
  status: str
  why: str
  why_inconclusive: Optional[str] = None


Spec = Union[Claim, Skip]


def _old_says(phrase: str) -> Premise:
  """The premise as the registered rule found it (its evidence names it)."""
  def premise(data: StudyData, rule: str) -> Optional[str]:
    evidence = data.old.get(rule, ("", ""))[1]
    return (f"as the registered rule found: {phrase!r} in its evidence"
            if phrase in evidence else None)
  return premise


def _any_premise(*premises: Premise) -> Premise:
  def premise(data: StudyData, rule: str) -> Optional[str]:
    found = [p(data, rule) for p in premises]
    return "; ".join(f for f in found if f) or None
  return premise


# Study 1 (aw_ring8) -------------------------------------------------------
def _collapse_occurred(data: StudyData, rule: str) -> Optional[str]:
  plain = data.values("plain", "modes_final")
  collapsed = sum(v <= 6 for v in plain)
  if collapsed < len(plain) / 2:
    return (f"only {collapsed} of {len(plain)} plain seeds cover <= 6 modes "
            "at the end: the collapse did not occur")
  return None


def _plain_wandered(data: StudyData, rule: str) -> Optional[str]:
  mean = data.mean("plain", "mode_changes")
  if not mean >= 1:
    return (f"plain's mean count of mode-set changes is {mean:.3g} < 1: "
            "plain did not wander")
  return None


def _collapse_assigned(data: StudyData, rule: str) -> Optional[str]:
  plain = data.values("plain", "modes_assigned")
  collapsed = sum(v <= 6 for v in plain)
  if collapsed < len(plain) / 2:
    return (f"only {collapsed} of {len(plain)} plain seeds cover <= 6 modes "
            "by assigned share at the end: the collapse did not occur")
  return None


def _plain_hopped(data: StudyData, rule: str) -> Optional[str]:
  mean = data.mean("plain", "dominant_hops")
  if not mean >= 1:
    return (f"plain's mean count of dominant-mode hops is {mean:.3g} < 1: "
            "plain did not wander")
  return None


def _obtuse(data: StudyData, rule: str) -> Optional[str]:
  medians = data.values("plain", "median/angle_real_fake")
  mean = (float(np.mean(medians)) if medians
          else data.moments["plain"]["median/angle_real_fake"][0])
  if not mean > 90:
    return (f"plain's median angle(grad Lr, grad Lf) is {mean:.3g} <= 90 deg:"
            " the situation aw addresses did not occur")
  return None


def _aw_reaches_7(data: StudyData, part: Part, d: st.Decision
                  ) -> Optional[str]:
  mean = data.mean("aw", "modes_final")
  if d.verdict == st.REPRODUCED and not mean >= 7:
    return f"aw better than plain but its mean {mean:.3g} is short of 7 modes"
  return None


_MODES_PAIRED = Versus("modes_final", "aw", "plain", st.HIGHER, True,
                       "modes", what="aw above plain")
AW_RING8: tuple[Spec, ...] = (
    Claim("coverage_final",
          (dataclasses.replace(_MODES_PAIRED, gate=_aw_reaches_7),),
          premise=_collapse_occurred),
    Claim("mode_changes",
          (Versus("mode_changes", "aw", "plain", st.LOWER, True, "changes"),),
          premise=_plain_wandered),
    Skip("real_scores_higher", MECHANISM,
         "Algorithm 1 switches D to the fake loss once s_r > 0.75, which "
         "pins aw's real logits near ln 3; the rule checks that wiring"),
    Claim("plain_real_near_zero",
          (Level("abs_mean_logit", "plain", 0.5, st.LOWER,
                 name="plain |mean real logit|", what="near 0"),
           Versus("logit_spread", "plain", "aw", st.HIGHER, True,
                  names=("plain spread over modes", "aw spread over modes"),
                  what="uneven across modes")),
          split=True,
          section_note="per-seed values recomputed from the 2-decimal "
                       "per-mode logits of the Fig. 6 table"),
    Claim("angles_early",
          (Versus("share>90/angle_real_applied", "aw", "plain", st.LOWER,
                  True, source="table",
                  names=("aw share > 90 deg", "plain share > 90 deg")),),
          premise=_obtuse,
          section_note="section.md prints no per-seed shares: Welch from "
                       "the printed mean ± std (the arms share seeds, but "
                       "the pairing needs the per-seed values)"),
    Claim("coverage_final_aw_short",
          (Level("modes_final", "aw", 7.0, st.HIGHER, "modes",
                 name="aw modes covered", what="aw covers >= 7"),
           _MODES_PAIRED),
          premise=_collapse_occurred, split=True),
    # Registered as t rules before their runs on the fresh seeds (issue
    # 22); decided here exactly as studies.aw_ring8 decides them.
    Claim("coverage_assigned",
          (Versus("modes_assigned", "aw", "plain", st.HIGHER, True, "modes",
                  what="aw above plain"),
           Level("modes_assigned", "aw", 7.0, st.HIGHER, "modes",
                 name="aw modes covered", what="aw covers >= 7")),
          premise=_collapse_assigned, registered_t=True),
    Claim("dominant_mode_hops",
          (Versus("dominant_hops", "aw", "plain", st.LOWER, True, "hops"),),
          premise=_plain_hopped, registered_t=True),
)


# Study 2 (conditional_fmnist) ---------------------------------------------
def _stopping(data: StudyData, metric: str, arm: str) -> tuple[float, float]:
  return data.extra["stopping"][(metric, arm)]


def _behind_still_improving(lower: bool) -> Gate:
  """Registered: a decisive pair is inconclusive while the arm behind at
  the last evaluation still improved by more than its final seed std over
  the last 3 evaluations."""
  def gate(data: StudyData, part: Part, d: st.Decision) -> Optional[str]:
    if d.verdict == st.INCONCLUSIVE:
      return None
    ma, mb = data.mean(part.a, part.metric), data.mean(part.b, part.metric)
    behind = part.a if (ma > mb) == lower else part.b
    change, std = _stopping(data, part.metric, behind)
    if (-change if lower else change) > std:
      return (f"{behind} still improving ({part.metric} seed mean moved "
              f"{change:+.3g} over the last 3 evaluations, final seed std "
              f"{std:.3g})")
    return None
  return gate


def _still_moving(arms: Callable[[Part], Sequence[str]]) -> Gate:
  """Registered: an arm whose seed mean moved either way by more than its
  final seed std over the last 3 evaluations is still changing."""
  def gate(data: StudyData, part: Part, d: st.Decision) -> Optional[str]:
    texts = []
    for arm in arms(part):
      change, std = _stopping(data, part.metric, arm)
      if abs(change) > std:
        texts.append(f"{arm} still changing ({part.metric} moved "
                     f"{change:+.3g}, final seed std {std:.3g})")
    return "; ".join(texts) or None
  return gate


def _aux_gate(data: StudyData, part: Part, d: st.Decision) -> Optional[str]:
  texts = [f"{arm}'s mean {data.mean(arm, part.metric):.3g} is below 0.2: no "
           "classifier was learned" for arm in (part.a, part.b)
           if not data.mean(arm, part.metric) >= 0.2]
  moving = _still_moving(lambda p: (p.a, p.b))(data, part, d)
  return "; ".join(texts + ([moving] if moving else [])) or None


def _class_info_entered(data: StudyData, rule: str) -> Optional[str]:
  low = [f"{arm} {v if v is None else format(v, '.3g')}" for arm, v in
         data.extra["final_self_accuracy"].items()
         if arm in ("ACGAN", "MHGAN") and (v is None or not v >= 0.5)]
  if low:
    return ("final self accuracy below 0.5 (" + ", ".join(low) +
            "): class information did not enter G")
  return None


def _peak_to_final(data: StudyData, rule: str, part: Part) -> Optional[str]:
  """A Level part's seed mean from its peak (as the registered rule's
  evidence prints it: "(peak seed mean x)" after the arm's values) to the
  end, and its change over the last 3 evaluations against the final seed
  std (the stopping check); None without a stopping entry."""
  change, std = data.extra.get("stopping", {}).get((part.metric, part.arm),
                                                   (None, None))
  if change is None or std is None:
    return None
  final = data.mean(part.arm, part.metric)
  evidence = data.old.get(rule, ("", ""))[1]
  head = re.search(re.escape(part.arm) + " " + _MOMENTS.pattern, evidence)
  peak = None
  if head:  # Its "(peak ...)" comes before the next arm's mean ± std.
    after = _MOMENTS.search(evidence, head.end())
    peak = re.compile(r"\(peak seed mean (%s)\)" % _NUMBER.pattern).search(
        evidence, head.end(), after.start() if after else len(evidence))
  start = f"peak {peak.group(1)} → " if peak else ""
  if abs(change) > std:
    moving = "still rising" if change > 0 else "still falling"
  else:
    moving = "within the seed std"
  return (f"{start}{st._fmt(final)} at the end, {change:+.3g} over the last "
          f"3 evaluations (final seed std {std:.3g}): {moving}")


_FD_GATE = _behind_still_improving(lower=True)
_IS_GATE = _behind_still_improving(lower=False)
_CONTROL = ("MHShared switch", "SAGAN (control)")
CONDITIONAL: tuple[Spec, ...] = (
    Claim("mhgan_fd",
          (Versus("fid", "MHGAN", "SAGAN", st.LOWER, False, "FD",
                  gate=_FD_GATE),
           Versus("fid", "MHGAN", "ACGAN", st.LOWER, False, "FD",
                  gate=_FD_GATE))),
    Claim("mhgan_score",
          (Versus("is", "MHGAN", "SAGAN", st.HIGHER, False, "score",
                  gate=_IS_GATE),
           Versus("is", "MHGAN", "ACGAN", st.HIGHER, False, "score",
                  gate=_IS_GATE))),
    Claim("mhgan_intra_fd",
          (Versus("intra_fid", "MHGAN", "SAGAN", st.LOWER, False, "intra-FD",
                  gate=_FD_GATE),)),
    Claim("acgan_below_sagan",
          (Versus("fid", "ACGAN", "SAGAN", st.HIGHER, False, "FD",
                  gate=_FD_GATE),)),
    Claim("acgan_faster_class_info",
          (Versus("self_accuracy_average", "ACGAN", "MHGAN", st.HIGHER,
                  False, source="evidence"),),
          premise=_class_info_entered,
          section_note="section.md prints no per-seed curve averages: "
                       "Welch from the mean ± std printed in the old "
                       "evidence"),
    Claim("aux_validation_similar",
          (Versus("validation_accuracy", "MHGAN", "ACGAN", st.EQUIVALENT,
                  False, margin=0.05, gate=_aux_gate),)),
    Claim("projection_chance",
          tuple(Level("projection_accuracy", arm, 0.2, st.LOWER,
                      name=f"{arm} projection accuracy",
                      gate=_still_moving(lambda p: (p.arm,)), what=arm,
                      trend=_peak_to_final)
                for arm in ("SAGAN", "MHGAN", "ACGAN"))),
    Claim("mhshared_score",
          (Versus("is", "MHShared switch", "SAGAN", st.HIGHER, True, "score",
                  names=_CONTROL, gate=_IS_GATE),)),
    Claim("mhshared_fd",
          (Versus("fid", "MHShared switch", "SAGAN", st.LOWER, True, "FD",
                  names=_CONTROL, gate=_FD_GATE),)),
    Claim("mhshared_diversity",
          (Versus("within_class_spread", "MHShared switch", "SAGAN",
                  st.LOWER, True, names=_CONTROL,
                  gate=_behind_still_improving(lower=True)),)),
)


# Study 3 (ssl_fmnist) -----------------------------------------------------
_SSL = ("MHGAN-SSL", "ACGAN-SSL")


def _plateau(curve: str, floor: Optional[float] = None,
             label: str = "") -> Gate:
  """Registered: inconclusive if either arm's mean curve was still
  improving at the end (the section's plateau gate), or its mean is not
  above `floor`."""
  def gate(data: StudyData, part: Part, d: st.Decision) -> Optional[str]:
    texts = []
    for arm in (part.a, part.b):
      if floor is not None and not data.mean(arm, part.metric) > floor:
        texts.append(f"{arm}'s mean {data.mean(arm, part.metric):.3g} is not "
                     f"above {floor:g}")
      if data.extra["plateau"][(curve, arm)]:
        texts.append(f"{arm}'s mean {label or curve} curve still improving "
                     "at the end")
    return "; ".join(texts) or None
  return gate


def _short_but_improving(data: StudyData, part: Part, d: st.Decision
                         ) -> Optional[str]:
  if (d.verdict == st.NOT_REPRODUCED
      and data.extra["plateau"][("self_accuracy", part.arm)]):
    return (f"{part.arm} short of 0.8 but its mean self-accuracy curve "
            "still improving")
  return None


SSL: tuple[Spec, ...] = (
    Claim("ssl_fd_similar",
          (Versus("best FD @step", *_SSL, st.AT_MOST, False, "FD",
                  margin_of_b=0.1, gate=_plateau("fid")),),
          premise=_old_says("training failed"),
          note="margin: 10% of ACGAN-SSL's mean best FD"),
    Claim("ssl_score_similar",
          (Versus("best score @step", *_SSL, st.AT_LEAST, False, "score",
                  margin_of_b=0.1, gate=_plateau("is", label="score")),),
          premise=_old_says("training failed"),
          note="margin: 10% of ACGAN-SSL's mean best score"),
    Claim("ssl_sample_accuracy_similar",
          (Versus("sample acc.", *_SSL, st.AT_LEAST, False, margin=0.02,
                  gate=_plateau("sample_accuracy", 0.3)),)),
    Claim("ssl_validation_accuracy_similar",
          (Versus("validation acc.", *_SSL, st.AT_LEAST, False, margin=0.02,
                  gate=_plateau("validation_accuracy", 0.2)),)),
    Claim("ssl_self_accuracy_80",
          tuple(Level("self acc.", arm, 0.8, st.HIGHER,
                      name=f"{arm} self accuracy", gate=_short_but_improving,
                      what=arm) for arm in _SSL)),
    Claim("ssl_faster",
          (Versus("minutes", *_SSL, st.LOWER, False, "min",
                  source="evidence"),),
          section_note="section.md prints no per-seed minutes: Welch from "
                       "the mean ± std printed in the old evidence"),
)


# Study 4 (magan_fmnist) ---------------------------------------------------
def _margin_lowered(data: StudyData, rule: str) -> Optional[str]:
  if not any(v > 0 for v in data.values("MAGAN", "margin_lowered")):
    return ("the margin was never lowered in any seed: the mechanism did not "
            "occur")
  return None


# Study 4's paper-epoch set (issue 22): studies.magan_paper_epoch.ARMS and
# its constants (redecide does not import the study scripts).
_PE_MAGAN, _PE_EBGAN = "MAGAN (paper epoch)", "EBGAN (paper epoch)"
_PE_MARGIN = 120.0
_PE_FIRST = 3


def _pe_failed(arm: str, metrics: Sequence[str]) -> Premise:
  """A seed of `arm` (one with any recorded value) without a finite value
  of one of `metrics`: summary.json writes those as null."""
  def premise(data: StudyData, rule: str) -> Optional[str]:
    seeds = sorted(data.seeds.get(arm, {}))
    bad = [f"{m} of seed {s}" for m in metrics for s in seeds
           if s not in data.series(arm, m)]
    return (", ".join(bad) + " not finite (failed run): reported, not "
            "decided") if bad else None
  return premise


def _pe_stalled(data: StudyData, rule: str) -> Optional[str]:
  fake = data.values(_PE_EBGAN, "fake_at_window_start")
  if not any(0.5 * _PE_MARGIN <= f <= 2.0 * _PE_MARGIN for f in fake):
    return (f"E_fake at G epoch {_PE_FIRST} within [0.5 m, 2 m] in no seed "
            f"(m = {_PE_MARGIN:g}): G never stalled near the margin")
  return None


def _pe_lowered(data: StudyData, rule: str) -> Optional[str]:
  if not any(v > 0 for v in data.values(_PE_MAGAN, "margin_lowered")):
    return "the margin was never lowered in any seed (no adaptation)"
  return None


def _pe_fd_fell(data: StudyData, rule: str) -> Optional[str]:
  if not any(v > 0 for v in data.values(_PE_MAGAN, "fd_fell_in_window")):
    return (f"MAGAN's FD never fell below 0.9 x its value at G epoch "
            f"{_PE_FIRST} within the window in any seed (quality did not "
            "change there)")
  return None


def _pe_improved(data: StudyData, rule: str) -> Optional[str]:
  improved = data.series(_PE_MAGAN, "quality_improved")
  stuck = [f"seed {s}" for s, v in improved.items() if not v > 0]
  if stuck or not improved:
    return ("the final FD is not below 0.5 x the untrained G's FD in "
            f"{', '.join(stuck) or 'any seed'} (quality did not improve "
            "there)")
  return None


MAGAN: tuple[Spec, ...] = (
    Claim("ebgan_diverge",
          (Level("gap_widening", "EBGAN", 0.0, st.HIGHER,
                 name="EBGAN gap widening", what="gap widens"),
           Level("fake_rise", "EBGAN", 0.0, st.HIGHER,
                 name="EBGAN fake-energy rise", what="fake energy rises")),
          premise=_old_says("never stalled"), split=True,
          section_note="per-seed second-half changes as printed (1 "
                       "decimal)"),
    Claim("magan_tandem",
          (Level("e_real_change", "MAGAN", 0.0, st.LOWER,
                 name="MAGAN change of E_real", what="E_real falls"),
           Level("e_fake_change", "MAGAN", 0.0, st.LOWER,
                 name="MAGAN change of E_fake", what="E_fake falls")),
          premise=_margin_lowered, split=True,
          section_note="changes from the printed G epoch 1 -> last "
                       "energies (1 decimal)"),
    Skip("margin_monotone", MECHANISM,
         "the margin update of Algorithm 1 can only lower the margin; the "
         "rule checks that wiring"),
    Claim("convergence_falls",
          (Level("convergence_rel_change", "MAGAN", 0.0, st.LOWER,
                 name="MAGAN relative change of the convergence measure"),),
          premise=_margin_lowered,
          section_note="from the printed G epoch 1 -> last measure (1 "
                       "decimal)"),
    Claim("convergence_tracks_quality",
          (Level("spearman", "MAGAN", 0.0, st.HIGHER,
                 name="MAGAN Spearman(measure, FD)"),),
          premise=_old_says("never fell below")),
    Claim("fd_vs_ebgan",
          (Versus("final FD", "MAGAN", "EBGAN", st.LOWER, False, "FD"),)),
    Claim("score_vs_ebgan",
          (Versus("final score", "MAGAN", "EBGAN", st.HIGHER, False,
                  "score"),)),
    Claim("balanced_classes",
          (Level("final mode entropy", "MAGAN", 0.9 * math.log(10),
                 st.HIGHER, "nats", name="MAGAN mode entropy",
                 value_label="0.9 ln 10"),)),
    Skip("stability_vs_ebgan", UNCHANGED,
         "a count rule (failed runs per arm, at least 2 apart), not a "
         "comparison of means; every run of both arms failed",
         why_inconclusive="effect absent"),
    Claim("first_epoch_sensible",
          (Level("FD(G epoch 1) / final FD", "MAGAN", 2.0, st.LOWER,
                 name="MAGAN FD(G epoch 1) / final FD", source="evidence"),),
          premise=_any_premise(_old_says("no checkpoint at G epoch 1"),
                               _old_says("quality never improved")),
          section_note="section.md prints no per-seed ratios: one-sample t "
                       "from the mean ± std printed in the old evidence"),
    # Registered as t rules before their runs on fresh seeds (issue 22);
    # decided here exactly as studies.magan_fmnist decides them.
    Claim("ebgan_diverge_paper_epoch",
          (Level("gap_slope", _PE_EBGAN, 0.0, st.HIGHER, "/epoch",
                 name=f"{_PE_EBGAN} slope of E_fake - E_real",
                 what="gap widens"),
           Level("fake_slope", _PE_EBGAN, 0.0, st.HIGHER, "/epoch",
                 name=f"{_PE_EBGAN} slope of E_fake",
                 what="fake energy rises")),
          premise=_any_premise(
              _pe_failed(_PE_EBGAN, ("gap_slope", "fake_slope")),
              _pe_stalled), registered_t=True),
    Claim("magan_tandem_paper_epoch",
          (Level("real_slope", _PE_MAGAN, 0.0, st.LOWER, "/epoch",
                 name=f"{_PE_MAGAN} slope of E_real", what="E_real falls"),
           Level("fake_slope", _PE_MAGAN, 0.0, st.LOWER, "/epoch",
                 name=f"{_PE_MAGAN} slope of E_fake", what="E_fake falls")),
          premise=_any_premise(
              _pe_failed(_PE_MAGAN, ("real_slope", "fake_slope")),
              _pe_lowered), registered_t=True),
    Claim("convergence_falls_paper_epoch",
          (Level("convergence_rel_slope", _PE_MAGAN, 0.0, st.LOWER,
                 "/epoch",
                 name=f"{_PE_MAGAN} relative slope of the measure",
                 what="measure falls"),),
          premise=_any_premise(
              _pe_failed(_PE_MAGAN, ("convergence_rel_slope",)),
              _pe_lowered), registered_t=True),
    Claim("convergence_tracks_quality_paper_epoch",
          (Versus("spearman_window", _PE_MAGAN, _PE_EBGAN, st.HIGHER, False,
                  names=(f"{_PE_MAGAN} rho", f"{_PE_EBGAN} rho"),
                  what="above EBGAN"),
           Level("spearman_window", _PE_MAGAN, 0.0, st.HIGHER,
                 name=f"{_PE_MAGAN} rho", what="positive")),
          premise=_any_premise(
              _pe_failed(_PE_MAGAN, ("spearman_window",)),
              _pe_failed(_PE_EBGAN, ("spearman_window",)), _pe_fd_fell),
          registered_t=True),
    Claim("first_epoch_sensible_paper_epoch",
          (Level("FD(G epoch 1) / final FD", _PE_MAGAN, 2.0, st.LOWER,
                 name=f"{_PE_MAGAN} FD(G epoch 1) / final FD",
                 what="within 2x the final FD"),),
          premise=_any_premise(
              _pe_failed(_PE_MAGAN, ("FD(G epoch 1) / final FD",)),
              _pe_improved), registered_t=True),
)


# Study 5 (sqd_fmnist) -----------------------------------------------------
def _none_in(metric: str, arms: Sequence[str], what: str) -> Premise:
  def premise(data: StudyData, rule: str) -> Optional[str]:
    if not any(v > 0 for arm in arms for v in data.values(arm, metric)):
      return (f"no run of {' or '.join(arms)} had {what}: the effect did not "
              "occur")
    return None
  return premise


_GP = ("GP", "no GP")
# studies.sqd_fmnist.LABELS in its LOSSES order: the run names of the
# section's table and of summary.json (redecide does not import the study
# scripts, which import it).
SQD_LOSSES = ("NSGAN", "LSGAN", "Hinge", "WGAN")


def _every_loss(rule: str, metric: str, unit: str) -> Claim:
  """`rule` decided per loss (registered after the runs, issue 22): per
  loss, the paired t of the per-seed value with GP minus without GP;
  reproduced when every loss's part is, not reproduced when any is."""
  return Claim(
      f"{rule}_every_loss",
      tuple(Versus(metric, f"{loss} + GP", loss, st.HIGHER, True, unit,
                   what=loss) for loss in SQD_LOSSES),
      note="each loss apart instead of their mean over the "
           f"{len(SQD_LOSSES)} losses",
      amends=rule,
      why_amended=(
          f"registered after the runs (issue 22): the paper claims GP "
          f"raises {metric} for every loss (Table 2), but `{rule}` decides on "
          f"the per-seed mean over the {len(SQD_LOSSES)} losses, which one "
          "loss can decide alone (in these runs WGAN's gain with GP drives "
          "the mean, while none of the other three losses rises "
          "significantly); this rule decides each loss apart by the 95% t "
          "interval, and the report shows both verdicts"))


SQD: tuple[Spec, ...] = (
    Skip("turning_point_rule", DEFINITION,
         "defines a turning point for the rules below; not a claim"),
    Claim("gp_prevents_turning_points",
          (Versus("losses_with_turning_point", *_GP, st.LOWER, True,
                  "losses"),),
          premise=_none_in("losses_with_turning_point", _GP,
                           "a turning point")),
    Claim("turning_points_without_gp",
          (Level("share_with_turning_point", "no GP", 0.5, st.HIGHER,
                 name="share of no-GP losses with a turning point"),),
          premise=_none_in("losses_with_turning_point", ("no GP",),
                           "a turning point")),
    Skip("wgan_quality_collapses", UNCHANGED,
         "its per-seed ratio needs the per-epoch Q curves after a turning "
         "point; no WGAN run without GP had one, so the rule has no values"),
    Skip("diversity_stays_low_after_turning_point", UNCHANGED,
         "its per-seed ratio needs the per-epoch D curves after a turning "
         "point; no run had one, so the rule has no values"),
    Claim("gp_improves_quality",
          (Versus("Q", *_GP, st.HIGHER, True, "Q"),),
          note="per seed the mean over the 4 losses, as registered"),
    Claim("gp_improves_diversity",
          (Versus("D", *_GP, st.HIGHER, True, "nats"),),
          note="per seed the mean over the 4 losses, as registered"),
    Claim("gp_fewer_angle_jumps",
          (Versus("angle_jumps", *_GP, st.LOWER, True, "jumps"),),
          premise=_none_in("angle_jumps", _GP, "an angle jump")),
    Claim("wgan_least_stable",
          (Level("cv_margin", "WGAN", 0.0, st.HIGHER,
                 name="WGAN S_G CV minus the largest other"),),
          section_note="from the printed 2-decimal CVs"),
    _every_loss("gp_improves_quality", "Q", "Q"),
    _every_loss("gp_improves_diversity", "D", "nats"),
)


SPECS: dict[str, tuple[Spec, ...]] = {
    "aw_ring8": AW_RING8,
    "conditional_fmnist": CONDITIONAL,
    "ssl_fmnist": SSL,
    "magan_fmnist": MAGAN,
    "sqd_fmnist": SQD,
}


def _inception_fid(data: StudyData) -> tuple[Claim, ...]:
  """Study 2's Inception FID of the final checkpoints (no rule uses it)
  beside `mhgan_fd`, when the section has it: MHGAN against each
  baseline, Welch (per seed from summary.json, else the printed mean ±
  std)."""
  if not (data.values("MHGAN", "inception_fid")
          or "inception_fid" in data.moments.get("MHGAN", {})):
    return ()
  return (Claim("mhgan_fd[Inception FID]", tuple(
      Versus("inception_fid", "MHGAN", other, st.LOWER, False,
             "Inception FID", source="table") for other in ("SAGAN", "ACGAN")),
                supplementary_of="mhgan_fd",
                note="the imported FID Inception at the final checkpoints, "
                     "1,000 samples against 1,000 training images (used by "
                     "no rule; small-sample FID is biased upwards)"),)


SUPPLEMENTARY: dict[str, Callable[[StudyData], tuple[Claim, ...]]] = {
    "conditional_fmnist": _inception_fid,
}


# ------------------------------------------------------------ reach
def _sqd_budget(data: StudyData) -> str:
  """Why study 5's turning-point claims cannot be tested on its budget, in
  numbers from its own section: the paper's first turning point in G steps
  against the runs' length, and the largest angle ratio of any run."""
  protocol = find_table(data.tables, "protocol", ("setting", "value"))
  length = dict(protocol.rows)["length"]
  runs = re.search(r"(\d+) epochs \((\d+) G steps\)", length)
  paper = re.search(r"ran (\d+) CelebA epochs \(~([\d,]+) steps\) and "
                    r"saw turning points at epochs (\d+)-(\d+)", length)
  if runs is None or paper is None:
    raise InputError(f"study 5's protocol 'length' row is not in the "
                     f"expected form: {length!r}.")
  steps = int(runs.group(2))
  epochs, total = int(paper.group(1)), int(paper.group(2).replace(",", ""))
  first = int(paper.group(3)) * total / epochs
  arms = [a for a in data.seeds if a not in ("GP", "no GP")
          and data.values(a, "max_ratio_g")]
  ratio_g = max(v for a in arms for v in data.values(a, "max_ratio_g"))
  ratio_d = max(v for a in arms for v in data.values(a, "max_ratio_d"))
  count = sum(len(data.values(a, "max_ratio_g")) for a in arms)
  return (f"the paper's first turning points "
          f"came at CelebA epoch {paper.group(3)} of {epochs}, about "
          f"{first / 1000:.0f}k G steps; these runs end at {steps:,} G "
          f"steps, {first / steps:.0f}x sooner, and the largest S_G ratio "
          f"to its median in the {count} runs is {ratio_g:.2f} (S_D: "
          f"{ratio_d:.2f}) against the 2x a turning point needs")


# Claims this budget cannot test: listed apart in the report and left out
# of its tallies, with the reason (computed from the study's files).
REACH: dict[str, dict[str, Callable[[StudyData], str]]] = {
    "sqd_fmnist": {rule: _sqd_budget for rule in (
        "gp_prevents_turning_points", "turning_points_without_gp",
        "wgan_quality_collapses", "diversity_stays_low_after_turning_point",
        "gp_fewer_angle_jumps")},
}


# ------------------------------------------------------------ deciding
def _part_moments(data: StudyData, rule: str, part: Part, arm: str
                  ) -> tuple[float, float, int]:
  """Printed (mean, std, n): from a section table (source "table"), or
  from the old evidence after the arm's name (Versus) or after the metric's
  label (Level)."""
  if part.source == "table":
    return data.moments[arm][part.metric]
  label = part.metric if isinstance(part, Level) else arm
  return moments(data.old[rule][1], label)


def uses_seeds(data: StudyData, part: Part) -> bool:
  """Whether the part is decided on per-seed values: always for source
  "seeds", and for the printed-moments sources when summary.json records
  the per-seed values (an arm without any is then "too few seeds")."""
  return part.source == "seeds" or data.source == "summary.json"


def decide_part(data: StudyData, rule: str, part: Part
                ) -> tuple[st.Decision, dict[str, float]]:
  """The part's decision under the t rule, before its registered gate, and
  the means it compared (name -> mean; a Level's value under its label)."""
  if isinstance(part, Level):
    names = (part.name or f"{part.arm} {part.metric}",
             part.value_label or f"{part.value:g}")
    if uses_seeds(data, part):
      x = data.values(part.arm, part.metric)
      means = {names[0]: float(np.mean(x)) if x else math.nan}
      return (st.decide_value(x, part.value, part.claim, names=names,
                              unit=part.unit), means)
    mean, sd, n = _part_moments(data, rule, part, part.arm)
    means = {names[0]: mean}
    if n < st.MIN_SEEDS:
      return st._too_few(names[:1], (n,)), means
    c = st.one_sample_from_moments(mean, sd, n, part.value, names=names,
                                   unit=part.unit)
    return st.verdict(c, part.claim), means
  names = part.names or (part.a, part.b)
  if uses_seeds(data, part):
    a, b = data.series(part.a, part.metric), data.series(part.b, part.metric)
    note = ""
    if part.is_paired:
      common = sorted(set(a) & set(b))
      if len(common) < max(len(a), len(b)):
        note = (f" [paired on the {len(common)} seeds both arms have, of "
                f"{len(a)} and {len(b)}]")
      a, b = {s: a[s] for s in common}, {s: b[s] for s in common}
    xa, xb = list(a.values()), list(b.values())
    means = {names[0]: float(np.mean(xa)) if xa else math.nan,
             names[1]: float(np.mean(xb)) if xb else math.nan}
    margin = part.margin + part.margin_of_b * (abs(float(np.mean(xb)))
                                               if xb else 0.0)
    d = st.decide(xa, xb, part.claim, is_paired=part.is_paired,
                  margin=margin, names=names, unit=part.unit)
    return dataclasses.replace(d, evidence=d.evidence + note), means
  ma, sa, na = _part_moments(data, rule, part, part.a)
  mb, sb, nb = _part_moments(data, rule, part, part.b)
  means = {names[0]: ma, names[1]: mb}
  if min(na, nb) < st.MIN_SEEDS:
    return st._too_few(names, (na, nb)), means
  c = st.welch_from_moments(ma, sa, na, mb, sb, nb, names=names,
                            unit=part.unit)
  margin = part.margin + part.margin_of_b * abs(mb)
  return st.verdict(c, part.claim, margin), means


def old_rule_part(data: StudyData, rule: str, part: Part) -> Optional[str]:
  """A part's verdict under the registered summed-std rule
  (`studies.rules.threshold` / `compare` on the same per-seed values), for
  the parts of a split claim; None when the part has no per-seed values or
  its claim is a margin claim (those rules were not of this form)."""
  if not uses_seeds(data, part) or part.claim not in (st.LOWER, st.HIGHER):
    return None
  stub = sr.Rule(rule, "", "")
  higher = part.claim == st.HIGHER
  if isinstance(part, Level):
    return sr.threshold(stub, sr.SeedStats.of(data.values(part.arm,
                                                          part.metric)),
                        part.value, higher).verdict
  return sr.compare(stub, sr.SeedStats.of(data.values(part.a, part.metric)),
                    sr.SeedStats.of(data.values(part.b, part.metric)),
                    higher).verdict


def _gated(data: StudyData, part: Part, d: st.Decision
           ) -> tuple[st.Decision, Optional[str]]:
  text = part.gate(data, part, d) if part.gate else None
  if not text:
    return d, None
  if d.verdict != st.INCONCLUSIVE:
    return dataclasses.replace(
        d, verdict=st.INCONCLUSIVE,
        reason=f"{text} (registered condition; by the interval alone: "
               f"{d.verdict}, {d.reason})"), text
  return dataclasses.replace(d, reason=f"{d.reason}; also {text}"), text


# Why a verdict is inconclusive, in the report's words.
SPREAD = "spread"
STILL_IMPROVING = "still improving"
EFFECT_ABSENT = "effect absent"
TOO_FEW = "too few seeds"
UNTESTABLE = "untestable"


def why_inconclusive(reason: str, gate: Optional[str] = None,
                     premise: Optional[str] = None) -> str:
  """The category of an inconclusive verdict: a registered condition that
  found the effect absent (premise), an arm still improving or changing
  (gate), the interval containing 0 or the margin (spread), or too few
  seeds."""
  if premise:
    return EFFECT_ABSENT
  if gate:
    return STILL_IMPROVING if "still" in gate else EFFECT_ABSENT
  if reason.startswith("too few"):
    return TOO_FEW
  if reason.startswith("no difference"):
    return EFFECT_ABSENT
  return SPREAD


def _comparison_fields(d: st.Decision) -> dict:
  """The difference, its interval (the level the verdict used: 90% for an
  equivalence claim) and the test, for the report's tables."""
  c = d.comparison
  if c is None:
    return {}
  level = c.level
  if "TOST" in d.evidence:
    level = 2.0 * c.level - 1.0
  low, high = c.interval(level)
  return {"diff": c.diff, "low": low, "high": high, "level": level,
          "test": c.test, "unit": c.unit, "n": list(c.n)}


def decide_claim(data: StudyData, claim: Claim) -> dict:
  """One claim's record: new verdict, reason, evidence and its parts (each
  with its verdict, reason, evidence, the means compared, the difference
  and its interval, and why it is inconclusive if it is)."""
  parts, interval_verdicts = [], []
  premise = claim.premise(data, claim.rule) if claim.premise else None
  used_moments = False
  for part in claim.parts:
    raw, means = decide_part(data, claim.rule, part)
    used_moments |= not uses_seeds(data, part)
    d, gate = _gated(data, part, raw)
    interval_verdicts.append(d.verdict)
    what = part.what or (f"vs {part.b}" if isinstance(part, Versus)
                         else part.name or part.arm)
    verdict = st.INCONCLUSIVE if premise else d.verdict
    record = {"what": what, "verdict": verdict, "reason": d.reason,
              "evidence": d.evidence, "gate": gate, "means": means,
              **_comparison_fields(d)}
    trend = part.trend(data, claim.rule, part) if part.trend else None
    if trend:
      record["trend"] = trend
    if verdict == st.INCONCLUSIVE:
      record["why"] = why_inconclusive(d.reason, gate, premise)
    if claim.split:
      old = old_rule_part(data, claim.rule, part)
      record["old_verdict"] = st.INCONCLUSIVE if premise and old else old
    parts.append(record)
  verdict = st.all_of(interval_verdicts)
  if len(parts) == 1:
    reason = parts[0]["reason"]
  else:
    reason = "; ".join(f"{p['what']}: {v} ({p['reason']})"
                       for p, v in zip(parts, interval_verdicts))
  if premise:
    reason = f"{premise} (registered condition; by the interval: {verdict})"
    verdict = st.INCONCLUSIVE
  old = data.old.get(claim.supplementary_of or claim.rule)
  trends = "; ".join(f"{p['what']}: {p['trend']}" for p in parts
                     if p.get("trend"))
  notes = [claim.note] + ([claim.section_note] if claim.section_note and (
      data.source == "section.md") else []) + (
          [f"trend of the seed means: {trends}"] if trends else [])
  why = sorted({p["why"] for p in parts if p.get("why")})
  return {"rule": claim.rule,
          "status": "supplementary" if claim.supplementary_of else REDECIDED,
          "supplementary_of": claim.supplementary_of or None,
          "old_verdict": None if claim.supplementary_of or old is None
                         else old[0],
          "new_verdict": verdict, "reason": reason,
          "why": ", ".join(why) if verdict == st.INCONCLUSIVE else None,
          "evidence": "; ".join(p["evidence"] for p in parts),
          "note": "; ".join(n for n in notes if n),
          "values_from": ("printed mean ± std" if used_moments
                          else data.source),
          "split": claim.split, "premise": premise, "parts": parts,
          "amends": claim.amends or None}


def redecide(data: StudyData, specs: Sequence[Spec],
             rule_ids: Sequence[str]) -> list[dict]:
  """Every registered rule of a study, in rules.json's order, plus the
  supplementary rows; a rule missing from `specs` is reported as such."""
  by_id = {s.rule: s for s in specs}
  registered = set(rule_ids)
  out = []
  for rule in rule_ids:
    if rule == T_RULE_ID or (rule.endswith(T_SUFFIX)
                             and rule[:-len(T_SUFFIX)] in registered):
      continue  # The t rule and its amendments: the rows below decide them.
    spec = by_id.get(rule)
    old = data.old.get(rule)
    if isinstance(spec, Claim) and spec.registered_t and old is None:
      row = {"rule": rule, "status": NOT_RUN, "old_verdict": None,
             "new_verdict": None, "reason": "registered after this section "
             "was written: its study has not decided it yet",
             "evidence": "", "note": "", "premise": None, "parts": [],
             "t_rule": None}
      out.append(row)
      continue
    if spec is None:
      row = {"rule": rule, "status": "not in the re-decision table",
             "old_verdict": old and old[0], "new_verdict": None,
             "reason": "add an entry to studies/redecide.py",
             "evidence": "", "note": "", "premise": None, "parts": []}
    elif isinstance(spec, Skip):
      new = None
      if spec.status == UNCHANGED and old is not None:
        new = old[0]
      elif spec.status == MECHANISM:
        new = MECHANISM
      row = {"rule": rule, "status": spec.status,
             "old_verdict": old and old[0], "new_verdict": new,
             "reason": spec.why, "evidence": old[1] if old else "",
             "why": spec.why_inconclusive if new == st.INCONCLUSIVE else None,
             "note": "", "premise": None, "parts": []}
    else:
      row = decide_claim(data, spec)
    amendment = rule + T_SUFFIX
    if isinstance(spec, Claim) and spec.amends:
      amendment = rule  # Registered after the runs with the t rule itself.
    row["t_rule"] = amendment if amendment in registered else None
    out.append(row)
  return out


def read_study(study_dir: str, key: Optional[str] = None,
               rules_path: Optional[str] = None
               ) -> tuple[StudyData, list[str]]:
  """A study folder's section.md tables, old verdicts, rule ids and (when
  summary.json records them) per-seed values. `rules_path`: the rules.json
  to read (default the folder's own; a quick section's rules are its
  study's)."""
  key = key or os.path.basename(os.path.normpath(study_dir))
  paths = {name: os.path.join(study_dir, name)
           for name in ("section.md", "rules.json", "summary.json")}
  if rules_path:
    paths["rules.json"] = rules_path
  for path in paths.values():
    if not os.path.isfile(path):
      raise MissingInputError(f"{path} is missing: run the study "
                              f"({key}) or point --results_dir at its "
                              "results folder.")
  with open(paths["section.md"], encoding="utf8") as f:
    data = StudyData(key, parse_tables(f.read()))
  with open(paths["rules.json"], encoding="utf8") as f:
    rule_ids = [r["id"] for r in json.load(f)["rules"]]
  with open(paths["summary.json"], encoding="utf8") as f:
    summary = json.load(f)
  for claim in summary["claims"]:
    hit = _RULE_ID.search(claim["text"])
    if hit:
      data.old[hit.group(1)] = (claim["verdict"], claim["evidence"])
  load_summary_seeds(data, summary)
  return data, rule_ids


def redecide_study(study_dir: str, key: Optional[str] = None,
                   rules_path: Optional[str] = None) -> list[dict]:
  """Reads a study folder and re-decides its rules (see `redecide`): from
  summary.json's per-seed values when it records them, else from
  section.md's tables."""
  data, rule_ids = read_study(study_dir, key, rules_path)
  if data.key not in LOADERS:
    raise InputError(f"no re-decision table for study {data.key!r}; known: "
                     f"{sorted(LOADERS)}.")
  if data.source != "summary.json":
    LOADERS[data.key](data)
  rows = redecide(data, SPECS[data.key], rule_ids)
  extra = SUPPLEMENTARY.get(data.key)
  if extra:
    rows += [decide_claim(data, c) for c in extra(data)]
  for row in rows:
    reach = REACH.get(data.key, {}).get(row["rule"])
    row["reach"] = reach(data) if reach else None
  return rows


def default_results_dir(root: Optional[str] = None) -> str:
  """studies/results if it exists, else results/ (before the move)."""
  root = root or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  for sub in (os.path.join("studies", "results"), "results"):
    if os.path.isdir(os.path.join(root, sub)):
      return os.path.join(root, sub)
  raise MissingInputError(f"neither studies/results nor results/ under "
                          f"{root}: pass --results_dir.")


def redecide_all(results_dir: str, keys: Sequence[str] = STUDIES) -> dict:
  """{"level", "rule", "results_dir", "studies": {key: [records]}}."""
  return {"level": st.LEVEL, "rule": st.RULE_TEXT,
          "results_dir": results_dir,
          "studies": {k: redecide_study(os.path.join(results_dir, k), k)
                      for k in keys}}


def format_text(result: dict) -> str:
  """A plain listing: rule: old -> new, reason, evidence."""
  lines = []
  for key, rows in result["studies"].items():
    lines.append(f"== {key}")
    for r in rows:
      lines.append(f"{r['rule']} [{r['status']}]: {r['old_verdict']} -> "
                   f"{r['new_verdict']}")
      lines.append(f"    why: {r['reason']}")
      if r["status"] != MECHANISM and r["evidence"]:
        lines.append(f"    evidence: {r['evidence']}")
  return "\n".join(lines) + "\n"


def main(argv: Sequence[str]) -> None:
  from absl import flags  # pylint: disable=g-import-not-at-top
  from tfgan_ext import fileio  # pylint: disable=g-import-not-at-top
  flags_ = flags.FLAGS
  if len(argv) > 1:
    raise UsageError(f"unexpected arguments {list(argv[1:])}.")
  results_dir = flags_.results_dir or default_results_dir()
  keys = flags_.studies or STUDIES
  if flags_.out:
    out = fileio.check_output_path(flags_.out, "file", flag="--out")
  result = redecide_all(results_dir, keys)
  sys.stdout.write(format_text(result))
  if flags_.out:
    fileio.atomic_write_text(out, json.dumps(result, indent=1,
                                             ensure_ascii=False) + "\n")
    print(f"wrote {out}")


def _define_flags() -> None:
  from absl import flags  # pylint: disable=g-import-not-at-top
  flags.DEFINE_string("results_dir", None, "Folder of the studies' results "
                      "(default studies/results, else results/).")
  flags.DEFINE_string("out", None, "Also write the re-decisions as JSON here.")
  flags.DEFINE_list("studies", [], f"Only these studies (default all: "
                    f"{', '.join(STUDIES)}).")


if __name__ == "__main__":
  from absl import app  # pylint: disable=g-import-not-at-top
  from tfgan_ext import errors  # pylint: disable=g-import-not-at-top
  _define_flags()
  app.run(errors.reports_input_errors("studies.redecide")(main))
