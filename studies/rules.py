"""Pre-registered decision rules of the paper studies, with three outcomes.

A study declares its rules as module-level `Rule` constants, before any of
its runs. `register(results_dir, rules)` (runner.register_rules for a
study key) freezes their text in studies/results/<key>/rules.json the first
time the study runs, each with its registration time (UTC); later
invocations check the rules against that file, so a rule edited after its
results were seen is refused. A rule found wrong afterwards is kept, and a
new rule with `amends=<old id>` (and the reason) is added beside it: the
report shows both verdicts.

Verdicts compare means over seeds against the seed spread:
- `compare`: the claimed arm is better than the other when the intervals
  mean +- std of the two arms are disjoint in the claimed direction
  (REPRODUCED), worse when they are disjoint the other way
  (NOT_REPRODUCED), and INCONCLUSIVE when they overlap, when either arm
  has fewer than `min_seeds` finite values, or when the effect the claim is
  about did not occur in either arm (`occurred=False`).
- `threshold`: one arm's mean against a stated level, with the same
  spread rule.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
import re
from typing import Iterable, Optional, Sequence

import numpy as np

from tfgan_ext import fileio

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
INCONCLUSIVE = "inconclusive"
VERDICTS = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE)
RULES_FILE = "rules.json"
MIN_SEEDS = 3


@dataclasses.dataclass(frozen=True)
class Rule:
  """A claim and the rule that decides it, fixed before the runs.

  id: short stable name; claim: the paper's claim in words; rule: how the
  measured numbers decide it, naming all three outcomes; amends: the id of
  a registered rule this one replaces after it was found wrong, and why.
  """
  id: str
  claim: str
  rule: str
  amends: Optional[str] = None
  why_amended: Optional[str] = None

  def record(self) -> dict:
    return {k: v for k, v in dataclasses.asdict(self).items()
            if v is not None}


class RuleChangedError(RuntimeError):
  """A registered rule's text differs from the study's code."""


def register(results_dir: str, rules: Sequence[Rule]) -> dict:
  """Freezes `rules` in results_dir/rules.json (first call) or checks them
  against it. New rules are appended with their registration time; a
  registered rule whose text changed raises RuleChangedError. Returns the
  file's content."""
  ids = [r.id for r in rules]
  if len(set(ids)) != len(ids):
    raise ValueError(f"Duplicate rule ids in {ids}.")
  for r in rules:
    if r.amends is not None and (r.amends not in ids or not r.why_amended):
      raise ValueError(f"Rule {r.id!r} amends {r.amends!r}: the amended "
                       "rule must stay listed and why_amended be given.")
  path = os.path.join(results_dir, RULES_FILE)
  registry = {"rules": []}
  if os.path.exists(path):
    with open(path, encoding="utf8") as f:
      registry = json.load(f)
  known = {r["id"]: r for r in registry["rules"]}
  now = datetime.datetime.now(datetime.timezone.utc).isoformat(
      timespec="seconds")
  changed = False
  for rule in rules:
    entry = known.get(rule.id)
    if entry is None:
      registry["rules"].append(dict(rule.record(), registered=now))
      changed = True
      continue
    frozen = {k: v for k, v in entry.items() if k != "registered"}
    if frozen != rule.record():
      raise RuleChangedError(
          f"Rule {rule.id!r} differs from the text registered on "
          f"{entry['registered']} in {path}. Registered rules do not change "
          "after their runs: keep it, and add a new Rule with "
          f"amends={rule.id!r} and why_amended.")
  if changed:
    fileio.atomic_write_text(path, json.dumps(registry, indent=2))
  return registry


@dataclasses.dataclass(frozen=True)
class SeedStats:
  """One quantity over seeds: the finite values, mean and sample std."""
  values: tuple[float, ...]

  @classmethod
  def of(cls, values: Iterable[float]) -> "SeedStats":
    return cls(tuple(float(v) for v in values))

  @property
  def finite(self) -> np.ndarray:
    v = np.asarray(self.values, np.float64)
    return v[np.isfinite(v)]

  @property
  def n(self) -> int:
    return int(self.finite.size)

  @property
  def mean(self) -> float:
    return float(self.finite.mean()) if self.n else math.nan

  @property
  def std(self) -> float:
    """Sample standard deviation (ddof 1); 0 for a single value."""
    if self.n == 0:
      return math.nan
    return float(self.finite.std(ddof=1)) if self.n > 1 else 0.0

  def format(self, digits: int = 3) -> str:
    if self.n == 0:
      return "n/a"
    return f"{self.mean:.{digits}g} ± {self.std:.{digits}g} (n={self.n})"

  __str__ = format


@dataclasses.dataclass(frozen=True)
class Decision:
  """A rule's verdict and the numbers behind it, in words."""
  rule: Rule
  verdict: str
  evidence: str


def compare(rule: Rule, claimed: SeedStats, other: SeedStats,
            higher_is_better: bool, names: tuple[str, str] = ("A", "B"),
            occurred: Optional[tuple[bool, str]] = None,
            min_seeds: int = MIN_SEEDS, digits: int = 3) -> Decision:
  """Claimed arm better than the other? See the module docstring."""
  a, b = names
  text = f"{a} {claimed.format(digits)} vs {b} {other.format(digits)}"
  if occurred is not None and not occurred[0]:
    return Decision(rule, INCONCLUSIVE, f"{text}; {occurred[1]}")
  if min(claimed.n, other.n) < min_seeds:
    return Decision(rule, INCONCLUSIVE,
                    f"{text}; fewer than {min_seeds} seeds in an arm")
  sign = 1.0 if higher_is_better else -1.0
  gap = sign * (claimed.mean - other.mean)
  spread = claimed.std + other.std
  side = "higher" if claimed.mean > other.mean else "lower"
  if gap > spread:
    verdict, why = REPRODUCED, (f"{a} {side} than {b} by more than the "
                                "summed std, as claimed")
  elif gap < -spread:
    verdict, why = NOT_REPRODUCED, (f"{a} {side} than {b} by more than the "
                                    "summed std, against the claim")
  else:
    verdict, why = INCONCLUSIVE, "the seed spread covers the difference"
  return Decision(rule, verdict,
                  f"{text}: {why} ({abs(gap):.{digits}g} vs "
                  f"{spread:.{digits}g})")


def threshold(rule: Rule, arm: SeedStats, level: float,
              higher_is_better: bool, name: str = "A",
              occurred: Optional[tuple[bool, str]] = None,
              min_seeds: int = MIN_SEEDS, digits: int = 3) -> Decision:
  """One arm's mean past `level` in the claimed direction by more than its
  std (REPRODUCED), past it the other way by more than its std
  (NOT_REPRODUCED), otherwise INCONCLUSIVE. The evidence says above or
  below, and whether that is as claimed."""
  text = f"{name} {arm.format(digits)} against {level:.{digits}g}"
  if occurred is not None and not occurred[0]:
    return Decision(rule, INCONCLUSIVE, f"{text}; {occurred[1]}")
  if arm.n < min_seeds:
    return Decision(rule, INCONCLUSIVE,
                    f"{text}; fewer than {min_seeds} seeds")
  gap = (arm.mean - level) * (1.0 if higher_is_better else -1.0)
  side = "above" if arm.mean > level else "below"
  if gap > arm.std:
    return Decision(rule, REPRODUCED, f"{text}: {side} it by more than "
                    "the std, as claimed")
  if gap < -arm.std:
    return Decision(rule, NOT_REPRODUCED, f"{text}: {side} it by more "
                    "than the std, against the claim")
  return Decision(rule, INCONCLUSIVE, f"{text}: within one std")


_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_OLD_THRESHOLD = re.compile(
    rf"(?P<head>(?P<m>{_NUM}) ± {_NUM} \(n=\d+\) against (?P<l>{_NUM}): )"
    r"(?P<w>beyond|short of) it by more than the std")
_OLD_COMPARE = re.compile(
    rf"(?P<head>(?P<a>[^;:|]+?) (?P<ma>{_NUM}) ± {_NUM} \(n=\d+\) vs "
    rf"(?P<b>[^;:|]+?) (?P<mb>{_NUM}) ± {_NUM} \(n=\d+\): )(?P=a) "
    r"(?P<w>better|worse) by more than the summed std")


def reword_evidence(text: str) -> str:
  """Evidence written by `threshold` and `compare` before they said above /
  below (they said "beyond it" / "short of it" and "A better" / "A worse",
  relative to the claimed direction), in the current words: the side is
  read from the printed mean and level (or the two means), and "as claimed"
  / "against the claim" from the old word. Numbers are left as they are;
  text in any other form is returned unchanged."""
  def threshold_words(m: re.Match) -> str:
    side = "above" if float(m["m"]) > float(m["l"]) else "below"
    how = "as claimed" if m["w"] == "beyond" else "against the claim"
    return f"{m['head']}{side} it by more than the std, {how}"

  def compare_words(m: re.Match) -> str:
    side = "higher" if float(m["ma"]) > float(m["mb"]) else "lower"
    how = "as claimed" if m["w"] == "better" else "against the claim"
    return (f"{m['head']}{m['a']} {side} than {m['b']} by more than the "
            f"summed std, {how}")

  lines = text.split("\n")
  for i, line in enumerate(lines):  # Only lines with the old words.
    if " it by more than the std" in line:
      line = _OLD_THRESHOLD.sub(threshold_words, line)
    if ("better by more than the summed" in line
        or "worse by more than the summed" in line):
      line = _OLD_COMPARE.sub(compare_words, line)
    lines[i] = line
  return "\n".join(lines)


def all_of(verdicts: Sequence[str]) -> str:
  """A claim made of several parts (e.g. "better than each baseline"): not
  reproduced if any part is, reproduced if every part is, else
  inconclusive."""
  if NOT_REPRODUCED in verdicts:
    return NOT_REPRODUCED
  if verdicts and all(v == REPRODUCED for v in verdicts):
    return REPRODUCED
  return INCONCLUSIVE


def rules_table(rules: Sequence[Rule]) -> list[tuple[str, str, str]]:
  """(id, claim, rule) rows for a markdown table."""
  rows = []
  for r in rules:
    text = r.rule
    if r.amends:
      text += f" *(amends `{r.amends}`: {r.why_amended})*"
    rows.append((f"`{r.id}`", r.claim, text))
  return rows
