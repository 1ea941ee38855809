"""What the report moves out of the studies' sections into its appendix:
a section.md split at its `###` headings, the registered rules of a study
(rules.json, with their registration times) and its run commands, one per
arm pattern (`--seed={0,1,2}`) instead of one per seed."""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from studies import redecide as rd
from studies.sections import markdown_table

# A seed inside a run's command (--seed=3, .../sagan_s3/..., aw_seed3) and
# at the end of a run's name ("SAGAN seed 3", "MHGAN-SSL s3", "aw_seed3").
_SEED = re.compile(r"(--seed=|_seed|_s)(\d+)(?=\b|_|/)")
_NAME_SEED = re.compile(r"(seed ?|s)(\d+)$")


@dataclasses.dataclass(frozen=True)
class SplitSection:
  """A study's section.md: the text above its first `###` heading (title,
  paper, script) and the body under each `###` heading, by title."""
  head: str
  parts: dict[str, str]

  def part(self, prefix: str) -> str:
    """The body under the heading that starts with `prefix` ("" if none)."""
    for title, body in self.parts.items():
      if title.startswith(prefix):
        return body
    return ""


def split_section(text: str) -> SplitSection:
  """Splits a section at its `### ` headings (in order)."""
  chunks = re.split(r"^### (.+)$", text, flags=re.M)
  head, parts = chunks[0].strip(), {}
  for title, body in zip(chunks[1::2], chunks[2::2]):
    parts[title.strip()] = body.strip()
  return SplitSection(head, parts)


def _pattern(command: str) -> tuple[str, tuple[int, ...]]:
  """The command with every seed replaced by {} and the seeds found."""
  seeds = tuple(int(m.group(2)) for m in _SEED.finditer(command))
  return _SEED.sub(lambda m: m.group(1) + "{}", command), seeds


def grouped_commands(runs_table: str) -> list[tuple[str, str]]:
  """(runs, command) per arm pattern from a section's Runs table: commands
  that differ only in the seed become one, with the seeds as a brace list
  (`--seed={0,1,2}`), in the order each pattern first appears.

  Raises:
    InputError: a runs table not of the sections' form.
  """
  tables = rd.parse_tables(runs_table)
  if not tables or not tables[0].has("command"):
    return []
  groups: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
  for row in tables[0].records():
    command = row["command"].strip("`")
    pattern, seeds = _pattern(command)
    if len(set(seeds)) > 1:  # Not one seed throughout: keep as it is.
      pattern, seeds = command, ()
    groups.setdefault(pattern, []).append((row["run"], seeds))
  out = []
  for pattern, members in groups.items():
    seeds = [s[0] for _, s in members if s]
    if len(seeds) == len(members) and len(members) > 1:
      brace = "{" + ",".join(str(s) for s in seeds) + "}"
      command = pattern.replace("{}", brace)
      runs = _NAME_SEED.sub(lambda m: m.group(1) + brace, members[0][0])
    else:
      command = pattern.replace("{}", str(members[0][1][0])) if members[0][
          1] else pattern
      runs = ", ".join(name for name, _ in members)
    out.append((runs, f"`{command}`"))
  return out


def rules_table(registered: Sequence[dict]) -> str:
  """rules.json as a table: id, claim, rule text (with what it amends and
  why), registration time (UTC)."""
  rows = []
  for r in registered:
    text = r["rule"]
    if r["id"] == rd.T_RULE_ID:
      text = "the text of `studies.stats.RULE_TEXT`, quoted in A above"
    if r.get("amends"):
      text += f" *(amends `{r['amends']}`: {r['why_amended']})*"
    rows.append((f"`{r['id']}`", r["claim"], text,
                 r["registered"].replace("+00:00", "Z")))
  return markdown_table(["rule", "claim", "decided by", "registered (UTC)"],
                        rows)
