"""The t rule as a registered amendment of every study's comparison claims.

The studies' first rules decided a comparison by the summed per-seed std of
the arms, a margin that does not shrink with the number of seeds (issue 22).
`studies.stats` decides the same per-seed values by a 95% t interval. This
module turns that rule into `rules.Rule` amendments, so that each study
registers them (rules.json, with their UTC registration time) like any rule
found wrong after its runs:

- `T_RULE` (id `t_rule_95`): the rule itself, `studies.stats.RULE_TEXT`, a
  definition the amendments refer to (not a claim);
- `for_study(key, rules)`: one amending rule per comparison claim of the
  study, id `<rule>_t95`, `amends=<rule>`, whose text is the t rule applied
  to that claim: the per-seed quantity, the arms and the sign of the
  difference, paired or Welch, the claimed direction and margin, as
  `studies.redecide.SPECS` decides it. Mechanism checks, count rules and
  definitions get none. A claim SPECS decides differently from its
  registered rule (`redecide.Claim.amends`: study 5's GP claims decided per
  loss, `<rule>_every_loss`) is registered under its own id with its own
  reason, its text built the same way.

The texts are generated from SPECS, so a later change of a mapping (e.g.
paired -> Welch) changes the text, and the study refuses to run until it is
registered as a new amendment (rules.register).
"""

from __future__ import annotations

from typing import Sequence

from studies import redecide as rd
from studies import rules as sr
from studies import stats as st

T_RULE_ID = rd.T_RULE_ID
SUFFIX = rd.T_SUFFIX

T_RULE = sr.Rule(
    T_RULE_ID,
    "Definition used by the `*_t95` amendments (not a claim)",
    st.RULE_TEXT)

WHY = ("registered after the runs (issue 22): the summed per-seed std of "
       "the arms does not shrink with the number of seeds, so an effect "
       f"below about two per-seed stds could never be decided; rule "
       f"`{T_RULE_ID}` decides the same per-seed values by a 95% t interval "
       "whose width falls like 1 / sqrt(n), and the report shows both "
       "verdicts")

_CLAIM_WORDS = {st.LOWER: "d < 0", st.HIGHER: "d > 0"}


def _margin(part: rd.Versus) -> str:
  text = []
  if part.margin:
    text.append(f"{part.margin:g}")
  if part.margin_of_b:
    text.append(f"{part.margin_of_b:g} x |mean of {part.b}|")
  return " + ".join(text) or "0"


def _claim(part) -> str:
  if part.claim in _CLAIM_WORDS:
    return _CLAIM_WORDS[part.claim]
  m = _margin(part)
  if part.claim == st.EQUIVALENT:
    return f"|d| < {m} (TOST, the 90% interval)"
  if part.claim == st.AT_MOST:
    return f"d < {m}"
  return f"d > -{m}" if " " not in m else f"d > -({m})"


def describe_part(part) -> str:
  """One part of a claim in words: its quantity, d, the test and the
  claimed side, e.g. "d = mean `fid` of MHGAN - SAGAN per seed, Welch's t,
  claim d < 0"."""
  if isinstance(part, rd.Level):
    level = part.value_label or f"{part.value:g}"
    return (f"d = mean of the per-seed `{part.metric}` of {part.arm} - "
            f"{level}, one-sample t, claim {_claim(part)}")
  test = "paired t (per-seed differences)" if part.is_paired else "Welch's t"
  return (f"d = mean `{part.metric}` of {part.a} - {part.b} per seed, {test}, "
          f"claim {_claim(part)}")


def describe(spec: rd.Claim) -> str:
  """The t rule applied to one registered claim (the amendment's text); for
  a claim that amends another rule (`spec.amends`), to that rule's values
  read as `spec.note` says."""
  source = spec.amends or spec.rule
  how = f", {spec.note}" if spec.amends and spec.note else ""
  parts = [describe_part(p) for p in spec.parts]
  if len(parts) > 1:
    parts = [f"({i}) {p.what + ': ' if p.what else ''}{text}"
             for i, (p, text) in enumerate(zip(spec.parts, parts), 1)]
  text = (f"Rule `{T_RULE_ID}` (95%) on the per-seed values of "
          f"`{source}`{how}: " + "; ".join(parts) + ". "
          + ("Each part is" if len(parts) > 1 else "It is") +
          " reproduced when the 95% interval of d (90% for TOST) lies wholly "
          "on the claimed side of 0 or of the margin, not reproduced when it "
          "lies wholly on the other side, inconclusive otherwise or with "
          "fewer than 2 seeds per arm.")
  if len(parts) > 1:
    text += (" The parts are separate claims, each reported with its own "
             "verdict." if spec.split else
             " The claim is reproduced when every part is, not reproduced "
             "when any part is, else inconclusive.")
  if any(p.source != "seeds" for p in spec.parts):
    text += (" Where the per-seed values were not recorded (sections "
             "written before summary.json held them), d is tested from the "
             "printed mean ± std (n) of each arm: Welch's t, or a one-sample "
             "t against a level.")
  return (text + f" The other conditions of `{source}` (whether the "
          "effect occurred, an arm still improving) apply unchanged.")


def for_study(key: str, rules: Sequence[sr.Rule]) -> tuple[sr.Rule, ...]:
  """`T_RULE` and the amendments of `rules` (a study's registered rules,
  in order) under it, one per claim `redecide.SPECS[key]` re-decides; then
  the claims of SPECS that amend one of `rules` in another way
  (`redecide.Claim.amends`, e.g. study 5's per-loss `*_every_loss`), as
  rules with their own ids, in SPECS' order.

  Raises:
    KeyError: a study without an entry in redecide.SPECS.
  """
  claims = [s for s in rd.SPECS[key] if isinstance(s, rd.Claim)]
  specs = {s.rule: s for s in claims if not s.amends}
  by_id = {r.id: r for r in rules}
  out = [T_RULE]
  for rule in rules:
    spec = specs.get(rule.id)
    if spec is not None:
      out.append(sr.Rule(rule.id + SUFFIX, rule.claim, describe(spec),
                         amends=rule.id, why_amended=WHY))
  for spec in claims:
    if spec.amends in by_id:
      out.append(sr.Rule(spec.rule, by_id[spec.amends].claim, describe(spec),
                         amends=spec.amends, why_amended=spec.why_amended))
  return tuple(out)
