"""The report's opening page, "What we found": hand-written prose in
studies/results/FINDINGS.md that the report includes, with its
`{{name}}` fields filled from the results (e.g. `{{tally}}`, the counts of
verdicts), and the check that every number it states appears in the
generated part of the report (the summary tables and the studies'
sections), so that no sentence rests on a number the report does not
show."""

from __future__ import annotations

import os
import re

from studies import paths

FINDINGS_FILE = os.path.join(paths.RESULTS_ROOT, "FINDINGS.md")
# A number as the report prints it: "53.5", "-0.496", "1,500", "0.0067",
# "25k"; not the digits inside identifiers (rule ids, file names).
_NUMBER = re.compile(
    r"(?<![\w.])[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?k?(?![\w])")
# References to the papers' own figures, tables, sections and equations,
# and the study numbers: names, not results.
_NAMES = re.compile(r"\b(?:Fig\.|Figs\.|Figure|Figures|Tables?|Sec\.|eq\.|"
                    r"Study|study|studies|Algorithm)\s+[\d, and-]+(?:\(\w\))?")


def read(path: str = FINDINGS_FILE) -> str:
  """The findings page ("" when the file does not exist)."""
  if not os.path.exists(path):
    return ""
  with open(path, encoding="utf8") as f:
    return f.read().strip() + "\n"


def render(text: str, fields: dict[str, str]) -> str:
  """`text` with each `{{name}}` replaced by fields[name].

  Raises:
    KeyError: a field the report does not provide.
  """
  def value(m: re.Match) -> str:
    if m.group(1) not in fields:
      raise KeyError(f"FINDINGS.md asks for {{{{{m.group(1)}}}}}; the report "
                     f"provides {sorted(fields)}.")
    return fields[m.group(1)]
  return re.sub(r"\{\{(\w+)\}\}", value, text)


def numbers(text: str) -> list[str]:
  """The numbers a text states, as written (a leading "+" and the minus
  sign "−" normalized to "-"; references such as "Fig. 6" left out)."""
  text = _NAMES.sub(" ", text)
  text = re.sub(r"`[^`]*`", " ", text)  # Rule ids and commands.
  return [n.replace("−", "-").lstrip("+") for n in _NUMBER.findall(text)]


def _variants(number: str) -> set[str]:
  """How a number may appear in the generated text: as written, without
  its sign, without thousands commas."""
  out = {number, number.lstrip("-"), number.replace(",", ""),
         number.lstrip("-").replace(",", "")}
  return out


def missing_numbers(findings: str, generated: str) -> list[str]:
  """The numbers of `findings` that `generated` (the report without the
  findings page) does not state, in order of appearance."""
  shown = set()
  for n in numbers(generated):
    shown |= _variants(n)
  return [n for n in numbers(findings) if not _variants(n) & shown]
