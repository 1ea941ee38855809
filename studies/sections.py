"""What a study writes: its section of REPORT.md (studies/results/<key>/
section.md, or quick/section.md) and summary.json, with the markdown tables
and number formatting the sections share."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from typing import Iterable, Mapping, Optional, Sequence

import numpy as np

from studies import paths
from studies import rules
from studies.runner import RunRecord
from tfgan_ext import fileio


def fmt(value: Optional[float], digits: int = 3) -> str:
  """`value` with `digits` decimals; "n/a" for None, NaN or inf."""
  if value is None or not np.isfinite(value):
    return "n/a"
  return f"{value:.{digits}f}"


def _cell(value: object) -> str:
  """A table cell's text with its own '|' escaped (e.g. |mean logit|)."""
  return re.sub(r"(?<!\\)\|", r"\\|", str(value))


def markdown_table(headers: Sequence[str],
                   rows: Iterable[Sequence[object]]) -> str:
  """A GitHub markdown table: a header row, a rule, one line per row."""
  lines = ["| " + " | ".join(map(_cell, headers)) + " |",
           "|" + "|".join("---" for _ in headers) + "|"]
  lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
  return "\n".join(lines)


def per_seed_record(seeds: Sequence[int],
                    values: Mapping[str, Mapping[str, Iterable[float]]]
                    ) -> dict[str, dict[str, dict[str, Optional[float]]]]:
  """summary.json's per-seed record: arm -> metric -> seed -> value.

  Args:
    seeds: the seeds, in the order of every value list.
    values: arm -> metric -> one value per seed (a SeedStats' values, a
      list), in `seeds`' order.

  Returns:
    The record with string seeds (JSON keys) and None for a non-finite value
    (a run without one, e.g. a seed that never reached a target).

  Raises:
    ValueError: a value list whose length is not the number of seeds.
  """
  out: dict[str, dict[str, dict[str, Optional[float]]]] = {}
  for arm, metrics in values.items():
    for metric, per in metrics.items():
      per = [float(v) for v in per]
      if len(per) != len(seeds):
        raise ValueError(f"{arm} / {metric}: {len(per)} values for the "
                         f"{len(seeds)} seeds {list(seeds)}.")
      out.setdefault(arm, {})[metric] = {
          str(s): (v if np.isfinite(v) else None) for s, v in zip(seeds, per)}
  return out


def json_safe(value: object) -> object:
  """`value` with tuples as lists, numpy scalars as Python numbers and
  non-finite floats as None (strict JSON), recursively."""
  if isinstance(value, dict):
    return {str(k): json_safe(v) for k, v in value.items()}
  if isinstance(value, (list, tuple)):
    return [json_safe(v) for v in value]
  if isinstance(value, (bool, np.bool_)):
    return bool(value)
  if isinstance(value, (int, np.integer)):
    return int(value)
  if isinstance(value, (float, np.floating)):
    return float(value) if np.isfinite(value) else None
  return value


@dataclasses.dataclass
class Claim:
  """One paper claim, its verdict and the evidence (numbers, in words)."""
  text: str
  verdict: str
  evidence: str

  @classmethod
  def decided(cls, decision: rules.Decision) -> "Claim":
    """The claim of a pre-registered rule's decision."""
    rule = decision.rule
    label = f"rule `{rule.id}`" + (
        f", amending `{rule.amends}` after the runs" if rule.amends else "")
    return cls(f"{rule.claim} ({label})", decision.verdict,
               decision.evidence)


@dataclasses.dataclass
class Section:
  """What a study writes into REPORT.md."""
  key: str
  title: str
  paper: str
  script: str
  protocol: list[tuple[str, str]]
  claims: list[Claim]
  body: list[str]  # Markdown paragraphs, tables and figure links.
  runs: list[RunRecord]
  # The rules registered before the runs (rules.register), shown
  # with their text; empty for a section without registered rules.
  rules: Sequence[rules.Rule] = ()
  quick: bool = False
  # The per-seed values the claims were decided on (`per_seed_record`), and
  # what the rules' other conditions read (e.g. "stopping", "plateau"):
  # written to summary.json, where studies.redecide reads them.
  per_seed: dict = dataclasses.field(default_factory=dict)
  conditions: dict = dataclasses.field(default_factory=dict)

  @property
  def train_seconds(self) -> float:
    """Wall seconds of the runs' train jobs, summed."""
    return sum(r.train_seconds for r in self.runs)

  @property
  def eval_seconds(self) -> float:
    """Wall seconds of the runs' eval jobs, summed."""
    return sum(r.eval_seconds for r in self.runs)

  @property
  def results_dir(self) -> str:
    """studies/results/<key>, or its quick/ subfolder for the quick version
    (whose figures and section never overwrite the full study's)."""
    return paths.results_dir(self.key, self.quick)

  def figure(self, file_name: str, caption: str) -> str:
    """Markdown for a figure in this study's results folder."""
    return f"![{caption}]({self.results_dir}/{file_name})\n\n*{caption}*"

  def markdown(self) -> str:
    """The section's markdown: paper, script, rules, claims, protocol,
    results and runs."""
    out = [f"## {self.title}", "",
           f"Paper: {self.paper}. Script: `python -m {self.script}"
           + (" --quick`" if self.quick else "`") + ".", ""]
    if self.quick:
      out += ["**Quick version** (`--quick`): fewer seeds and steps than "
              "the full study; verdicts from it are weaker.", ""]
    if self.rules:
      out += ["### Rules (registered before the runs)", "",
              "Frozen in `" + os.path.join(paths.results_dir(self.key),
                                           rules.RULES_FILE)
              + "` when the study first ran; a rule is never edited after "
              "its runs (an amended one is listed beside it).", "",
              markdown_table(["rule", "claim", "decided by"],
                             rules.rules_table(self.rules)), ""]
    out += ["### Claims", "",
            markdown_table(["claim", "verdict", "evidence"],
                           [(c.text, f"**{c.verdict}**", c.evidence)
                            for c in self.claims]), "",
            "### Protocol", "",
            markdown_table(["setting", "value"], self.protocol), ""]
    out += ["### Results", ""]
    for part in self.body:
      out += [part, ""]
    reused = sum(r.reused for r in self.runs)
    out += ["### Runs", "",
            markdown_table(["run", "command"],
                           [(r.name, f"`{r.command}`") for r in self.runs]),
            "", f"Compute time of these runs, from their job logs: training "
            f"{self.train_seconds / 60:.1f} min, evaluation "
            f"{self.eval_seconds / 60:.1f} min"
            + (f" ({reused} finished runs reused by the last invocation)."
               if reused else "."), ""]
    return "\n".join(out)

  def write(self) -> str:
    """Writes section.md and summary.json to `results_dir`; returns the
    section's path."""
    os.makedirs(self.results_dir, exist_ok=True)
    path = os.path.join(self.results_dir, "section.md")
    fileio.atomic_write_text(path, self.markdown())
    summary = dict(key=self.key, title=self.title, quick=self.quick,
                   claims=[dataclasses.asdict(c) for c in self.claims],
                   train_seconds=self.train_seconds,
                   eval_seconds=self.eval_seconds)
    if self.per_seed:
      summary.update(per_seed=json_safe(self.per_seed),
                     conditions=json_safe(self.conditions))
    fileio.atomic_write_text(os.path.join(self.results_dir, "summary.json"),
                             json.dumps(summary, indent=2))
    print(f"wrote {path}", flush=True)
    return path
