"""Comparisons of per-seed study results whose power grows with the seeds.

The studies' first rules called a claim reproduced when two arms' means
differed by more than the sum of their per-seed sample stds. That margin does
not shrink with the number of seeds n, so an effect smaller than about two
per-seed stds can never be decided, however many seeds are run. The tests
here compare the mean difference with its standard error, which falls like
1 / sqrt(n): the same effect that is undecidable with 3 seeds is decided with
enough of them.

Rule (to register as an amendment of every comparison and level rule):

  Each claim is decided on the per-seed values its registered rule defines
  (one value per seed and arm), at a 95% level fixed in advance. Arms that
  share seeds, data order and initial weights are compared paired: the mean
  of the per-seed differences A - B with its Student t interval (n - 1
  degrees of freedom); study 1's plain vs aw, study 2's MHShared fork vs its
  SAGAN control and study 5's GP vs no GP (per seed) are paired. Other arms
  are compared with Welch's t (Welch-Satterthwaite degrees of freedom), and
  one arm against a stated level with a one-sample t interval. A claim that
  A is lower (higher) than B is reproduced when the 95% interval of A - B
  lies below (above) 0, not reproduced when it lies on the other side, and
  inconclusive ("spread") when it contains 0. A claim that A is not worse
  than B by more than a margin m is reproduced when the 95% interval clears
  the margin, not reproduced when it lies wholly beyond it; a claim that A
  and B are similar within +-m is decided by TOST at alpha = 0.05 (the 90%
  interval inside (-m, m): reproduced; wholly outside: not reproduced).
  Fewer than 2 seeds in an arm (2 pairs): inconclusive, "too few seeds".
  When every per-seed difference is the same the interval has width 0 and
  decides by its sign ("no difference" if it is 0: inconclusive). A
  non-finite per-seed value is an error, never a verdict: the failed run is
  reported as such. A claim of several parts is reproduced when every part
  is, not reproduced when any part is, else inconclusive. The registered
  rules' other conditions (the effect did not occur; a trailing arm still
  improving) apply unchanged, and a verdict they make inconclusive names
  them. Every verdict is shown with A - B, its interval, df, p, the effect
  size (d_z paired, Hedges' g unpaired, d against a level) and n.

Why t intervals and not the bootstrap: with the studies' 3 seeds per arm a
bootstrap of a mean has only C(5, 3) = 10 distinct resamples (multisets of 3
of 3 values), so its percentile interval is coarse and too narrow (it cannot
reach beyond the sample's range). The t interval is exact when the per-seed
values are normal, an assumption no method can check with 3 seeds (the
report should say so); `bootstrap_interval` is offered as a check from
`BOOTSTRAP_MIN_SEEDS` = 8 seeds per arm on.

References: Student, "The probable error of a mean", Biometrika 6 (1908);
F. E. Satterthwaite, "An approximate distribution of estimates of variance
components", Biometrics Bulletin 2 (1946); B. L. Welch, "The generalization
of Student's problem when several different population variances are
involved", Biometrika 34 (1947); L. V. Hedges, "Distribution theory for
Glass's estimator of effect size and related estimators", J. Educational
Statistics 6 (1981); D. J. Schuirmann, "A comparison of the two one-sided
tests procedure and the power approach for assessing the equivalence of
average bioavailability", J. Pharmacokinetics and Biopharmaceutics 15
(1987); B. Efron and R. Tibshirani, "An Introduction to the Bootstrap"
(1993), ch. 13 (percentile intervals).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Optional, Sequence

import numpy as np
from scipy import stats as scipy_stats

from tfgan_ext.errors import InputError

LEVEL = 0.95
MIN_SEEDS = 2
BOOTSTRAP_MIN_SEEDS = 8

REPRODUCED = "reproduced"
NOT_REPRODUCED = "not reproduced"
INCONCLUSIVE = "inconclusive"
VERDICTS = (REPRODUCED, NOT_REPRODUCED, INCONCLUSIVE)

# Claims about d = mean(A) - mean(B) (or mean(A) - level).
LOWER = "a < b"          # A lower than B: d < 0.
HIGHER = "a > b"         # A higher than B: d > 0.
EQUIVALENT = "a ~= b"    # A within +-margin of B (TOST).
AT_MOST = "a <= b + m"   # A not above B by more than margin (lower is better).
AT_LEAST = "a >= b - m"  # A not below B by more than margin (higher is better).
CLAIMS = (LOWER, HIGHER, EQUIVALENT, AT_MOST, AT_LEAST)
MARGIN_CLAIMS = (EQUIVALENT, AT_MOST, AT_LEAST)

PAIRED = "paired"
WELCH = "Welch"
ONE_SAMPLE = "one-sample t"


def _registered_rule(doc: str) -> str:
  """The rule paragraph of this module's docstring, joined into one line."""
  body = doc[doc.index("Rule (to register"):].split(":\n", 1)[1]
  return " ".join(body.split("\n\n", 1)[0].split())


# The rule text to register (the paragraph in the module docstring).
RULE_TEXT = _registered_rule(__doc__)


def seed_values(values: Sequence[float], name: str = "values") -> np.ndarray:
  """Per-seed values as a float64 vector, shape [n].

  Args:
    values: one number per seed.
    name: the arm, for messages.

  Returns:
    The values, shape [n].

  Raises:
    InputError (a ValueError): not a flat sequence of numbers, or a value is
      NaN or infinite (a failed run is reported, never averaged).
  """
  try:
    x = np.asarray(values, dtype=np.float64)
  except (TypeError, ValueError) as e:
    raise InputError(f"{name}: per-seed values must be numbers; got "
                     f"{values!r}.") from e
  if x.ndim != 1:
    raise InputError(f"{name}: per-seed values must be a flat sequence "
                     f"(shape [n]); got shape {x.shape}.")
  bad = np.flatnonzero(~np.isfinite(x))
  if bad.size:
    i = int(bad[0])
    raise InputError(
        f"{name}: the value of seed position {i} is {x[i]}, not finite. A "
        "run that failed must be reported as failed (or its seed excluded "
        "by a stated rule), not decided on.")
  return x


def _check_level(level: float) -> float:
  if not (isinstance(level, (int, float)) and 0.5 < level < 1.0):
    raise InputError(f"level must be in (0.5, 1); got {level!r}.")
  return float(level)


def _t_stat(diff: float, se: float) -> float:
  """diff / se, with the limits of zero spread (+-inf, or 0 for 0 / 0)."""
  if se > 0.0:
    return diff / se
  return 0.0 if diff == 0.0 else math.copysign(math.inf, diff)


def _ratio(num: float, den: float) -> float:
  """num / den with the same limits as `_t_stat` (an effect size)."""
  return _t_stat(num, den)


def _fmt(x: float, digits: int = 3) -> str:
  """A number to `digits` significant digits, without an exponent between
  1e-4 and 1e6 ("-1.02", "-290", "0.00883", "inf")."""
  if math.isinf(x):
    return "inf" if x > 0 else "-inf"
  if x == 0 or not 1e-4 <= abs(x) < 1e6:
    return f"{x:.{digits}g}"
  decimals = max(digits - 1 - math.floor(math.log10(abs(x))), 0)
  text = f"{x:.{decimals}f}"
  return text.rstrip("0").rstrip(".") if "." in text else text


def _fmt_df(df: float) -> str:
  return f"{df:.1f}".rstrip("0").rstrip(".")


def _fmt_p(p: float) -> str:
  return "p<0.001" if p < 0.001 else f"p={p:.2g}"


@dataclasses.dataclass(frozen=True)
class Comparison:
  """Mean difference d = A - B (or A - level) with its t distribution.

  Attributes:
    test: PAIRED, WELCH or ONE_SAMPLE.
    names: (A, B); for ONE_SAMPLE, B is the level's label.
    diff: the mean difference d.
    se: its standard error (0 when every value, or every pair, is equal).
    df: degrees of freedom of the t distribution of (d - delta) / se.
    n: (pairs,) for PAIRED, (n_A, n_B) for WELCH, (n,) for ONE_SAMPLE.
    effect: d_z = d / sd(differences) (PAIRED), Hedges' g (WELCH), or
      d / sd (ONE_SAMPLE); +-inf when the spread is 0 and d is not.
    effect_name: "d_z", "g" or "d".
    level: two-sided confidence level of `low` / `high` (default 0.95).
    unit: unit of the metric for the evidence string ("" or e.g. "FD").
  """
  test: str
  names: tuple[str, str]
  diff: float
  se: float
  df: float
  n: tuple[int, ...]
  effect: float
  effect_name: str
  level: float = LEVEL
  unit: str = ""

  @property
  def t(self) -> float:
    """t statistic d / se of the test of d = 0."""
    return _t_stat(self.diff, self.se)

  @property
  def p(self) -> float:
    """Two-sided p-value of d = 0: 2 P(T_df > |t|)."""
    return float(2.0 * scipy_stats.t.sf(abs(self.t), self.df))

  def interval(self, level: Optional[float] = None) -> tuple[float, float]:
    """Two-sided t interval d +- t_{(1 + level) / 2, df} se (Student 1908).

    Args:
      level: confidence level; default `self.level`.

    Returns:
      (low, high); (d, d) when se is 0.
    """
    level = self.level if level is None else _check_level(level)
    half = float(scipy_stats.t.ppf(0.5 + level / 2.0, self.df)) * self.se
    return self.diff - half, self.diff + half

  @property
  def low(self) -> float:
    return self.interval()[0]

  @property
  def high(self) -> float:
    return self.interval()[1]

  def n_text(self) -> str:
    if self.test == PAIRED:
      return f"n={self.n[0]} pairs"
    return "n=" + "/".join(str(k) for k in self.n)

  def evidence(self, level: Optional[float] = None, p: Optional[float] = None,
               note: str = "") -> str:
    """One line, the difference written the way round it was taken.

    E.g. "MHGAN - SAGAN = -1.02 FD, 95% CI [-7.37, 5.33] (Welch, df 3.2,
    p=0.66, g=-0.32, n=3/3)".

    Args:
      level: the interval's level (default `self.level`).
      p: the p-value to show (default the two-sided p of d = 0).
      note: inserted before df (e.g. the margin of a margin claim).
    """
    level = self.level if level is None else level
    low, high = self.interval(level)
    unit = f" {self.unit}" if self.unit else ""
    pct = f"{100 * level:.4g}%"
    details = [self.test]
    if note:
      details.append(note)
    details += [f"df {_fmt_df(self.df)}", _fmt_p(self.p if p is None else p),
                f"{self.effect_name}={_fmt(self.effect, 2)}", self.n_text()]
    return (f"{self.names[0]} - {self.names[1]} = {_fmt(self.diff)}{unit}, "
            f"{pct} CI [{_fmt(low)}, {_fmt(high)}] ({', '.join(details)})")


def hedges_g(mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float,
             n_b: int) -> float:
  """Hedges' g: the standardized mean difference, corrected for small n.

  g = J(m) (mean_a - mean_b) / s_p with the pooled sd
  s_p = sqrt(((n_a - 1) sd_a^2 + (n_b - 1) sd_b^2) / m), m = n_a + n_b - 2,
  and J(m) = Gamma(m / 2) / (sqrt(m / 2) Gamma((m - 1) / 2)) (Hedges 1981,
  the exact form of ~ 1 - 3 / (4 m - 1)). +-inf when s_p = 0 and the means
  differ, 0 when they do not.

  Args:
    mean_a, sd_a, n_a: arm A's mean, sample sd (ddof 1) and seed count.
    mean_b, sd_b, n_b: the same for B; n_a, n_b >= 2.
  """
  m = n_a + n_b - 2
  pooled = math.sqrt(((n_a - 1) * sd_a ** 2 + (n_b - 1) * sd_b ** 2) / m)
  j = math.exp(math.lgamma(m / 2.0) - math.lgamma((m - 1) / 2.0)) / math.sqrt(
      m / 2.0)
  return j * _ratio(mean_a - mean_b, pooled)


def _check_n(n: int, name: str) -> None:
  if n < MIN_SEEDS:
    raise InputError(f"{name}: {n} seed(s); a t interval needs at least "
                     f"{MIN_SEEDS} (use `decide`, which calls this "
                     "inconclusive: too few seeds).")


def paired(a: Sequence[float], b: Sequence[float], level: float = LEVEL,
           names: tuple[str, str] = ("A", "B"), unit: str = "") -> Comparison:
  """Paired t: per-seed differences of two arms that share seeds.

  With d_i = a_i - b_i (i = 1..n, the same seed in both arms), mean d, sample
  sd s_d (ddof 1): se = s_d / sqrt(n), df = n - 1, t = mean / se, effect size
  d_z = mean / s_d (Student 1908).

  Args:
    a, b: per-seed values, shape [n] each, in the same seed order.
    level: confidence level of the interval.
    names: the arms' names (A, B) for the evidence.
    unit: the metric's unit for the evidence.

  Raises:
    InputError: non-finite values, different lengths, or n < 2.
  """
  a, b = seed_values(a, names[0]), seed_values(b, names[1])
  if a.shape != b.shape:
    raise InputError(f"paired comparison of {names[0]} and {names[1]} needs "
                     f"one value per seed in both; got {a.size} and {b.size}.")
  _check_n(a.size, f"{names[0]} - {names[1]}")
  d = a - b
  n = d.size
  mean, sd = float(d.mean()), float(d.std(ddof=1))
  return Comparison(PAIRED, names, mean, sd / math.sqrt(n), n - 1.0, (n,),
                    _ratio(mean, sd), "d_z", _check_level(level), unit)


def welch_from_moments(mean_a: float, sd_a: float, n_a: int, mean_b: float,
                       sd_b: float, n_b: int, level: float = LEVEL,
                       names: tuple[str, str] = ("A", "B"),
                       unit: str = "") -> Comparison:
  """Welch's unequal-variance t from each arm's mean, sample sd and n.

  se^2 = v_a + v_b with v = sd^2 / n; df = se^4 / (v_a^2 / (n_a - 1) +
  v_b^2 / (n_b - 1)) (Welch 1947; Satterthwaite 1946). When both sds are 0
  the df is taken as n_a + n_b - 2 (the interval has width 0 anyway).
  Effect size: Hedges' g.

  Args:
    mean_a, sd_a, n_a: arm A's mean, sample sd (ddof 1) and seed count.
    mean_b, sd_b, n_b: the same for arm B.
    level, names, unit: as `paired`.

  Raises:
    InputError: a non-finite or negative moment, or n < 2 in an arm.
  """
  for value, what in ((mean_a, "mean"), (sd_a, "sd"), (mean_b, "mean"),
                      (sd_b, "sd")):
    if not math.isfinite(value) or (what == "sd" and value < 0):
      raise InputError(f"Welch comparison of {names[0]} and {names[1]}: "
                       f"{what} {value!r} must be finite"
                       + (" and >= 0." if what == "sd" else "."))
  _check_n(int(n_a), names[0])
  _check_n(int(n_b), names[1])
  va, vb = sd_a ** 2 / n_a, sd_b ** 2 / n_b
  se2 = va + vb
  if se2 > 0.0:
    df = se2 ** 2 / (va ** 2 / (n_a - 1) + vb ** 2 / (n_b - 1))
  else:
    df = float(n_a + n_b - 2)
  return Comparison(WELCH, names, float(mean_a - mean_b), math.sqrt(se2),
                    float(df), (int(n_a), int(n_b)),
                    hedges_g(mean_a, sd_a, n_a, mean_b, sd_b, n_b), "g",
                    _check_level(level), unit)


def welch(a: Sequence[float], b: Sequence[float], level: float = LEVEL,
          names: tuple[str, str] = ("A", "B"), unit: str = "") -> Comparison:
  """Welch's t on two independent arms' per-seed values.

  Args:
    a, b: per-seed values, shapes [n_a] and [n_b].
    level, names, unit: as `paired`.

  Returns:
    `welch_from_moments` of the arms' means and sample sds (ddof 1).
  """
  a, b = seed_values(a, names[0]), seed_values(b, names[1])
  _check_n(a.size, names[0])
  _check_n(b.size, names[1])
  return welch_from_moments(float(a.mean()), float(a.std(ddof=1)), a.size,
                            float(b.mean()), float(b.std(ddof=1)), b.size,
                            level, names, unit)


def one_sample_from_moments(mean: float, sd: float, n: int, value: float,
                            level: float = LEVEL,
                            names: tuple[str, str] = ("A", "level"),
                            unit: str = "") -> Comparison:
  """One-sample t of an arm against a stated level, from its mean, sd, n.

  d = mean - value, se = sd / sqrt(n), df = n - 1, effect size d / sd
  (Student 1908).

  Args:
    mean, sd, n: the arm's mean, sample sd (ddof 1) and seed count.
    value: the level the claim names.
    level: confidence level of the interval.
    names: (the arm's quantity, the level's label).
    unit: the metric's unit.

  Raises:
    InputError: a non-finite moment or level value, sd < 0, or n < 2.
  """
  for x, what in ((mean, "mean"), (sd, "sd"), (value, "level value")):
    if not math.isfinite(x) or (what == "sd" and x < 0):
      raise InputError(f"{names[0]}: {what} {x!r} must be finite"
                       + (" and >= 0." if what == "sd" else "."))
  _check_n(int(n), names[0])
  diff = float(mean - value)
  return Comparison(ONE_SAMPLE, names, diff, sd / math.sqrt(n), n - 1.0,
                    (int(n),), _ratio(diff, sd), "d", _check_level(level),
                    unit)


def one_sample(x: Sequence[float], value: float, level: float = LEVEL,
               names: tuple[str, str] = ("A", "level"),
               unit: str = "") -> Comparison:
  """One-sample t of an arm's per-seed values against a stated level.

  Args:
    x: per-seed values, shape [n].
    value, level, names, unit: as `one_sample_from_moments`.

  Returns:
    `one_sample_from_moments` of x's mean and sample sd (ddof 1).
  """
  x = seed_values(x, names[0])
  _check_n(x.size, names[0])
  return one_sample_from_moments(float(x.mean()), float(x.std(ddof=1)),
                                 x.size, value, level, names, unit)


@dataclasses.dataclass(frozen=True)
class Decision:
  """A verdict with its reason (in words) and evidence (the numbers).

  Attributes:
    verdict: REPRODUCED, NOT_REPRODUCED or INCONCLUSIVE.
    reason: why, naming the arms the right way round.
    evidence: `Comparison.evidence`, or the seed counts when too few.
    comparison: the test behind it (None with too few seeds).
  """
  verdict: str
  reason: str
  evidence: str
  comparison: Optional[Comparison] = None

  def line(self) -> str:
    """"verdict: reason; evidence"."""
    return f"{self.verdict}: {self.reason}; {self.evidence}"


def _check_claim(claim: str, margin: float) -> float:
  if claim not in CLAIMS:
    raise InputError(f"claim must be one of {CLAIMS}; got {claim!r}.")
  if not (isinstance(margin, (int, float)) and math.isfinite(margin)
          and margin >= 0):
    raise InputError(f"margin must be a finite number >= 0; got {margin!r}.")
  if claim in (LOWER, HIGHER) and margin != 0:
    raise InputError(f"claim {claim!r} takes no margin (use {AT_MOST!r} or "
                     f"{AT_LEAST!r}); got margin {margin}.")
  if claim == EQUIVALENT and margin <= 0:
    raise InputError("an equivalence claim needs a margin > 0.")
  return float(margin)


def verdict(c: Comparison, claim: str, margin: float = 0.0) -> Decision:
  """Decides a claim about d = A - B from its interval (see the module doc).

  LOWER / HIGHER: the `c.level` interval below / above 0 -> REPRODUCED, on
  the other side -> NOT_REPRODUCED, containing 0 -> INCONCLUSIVE (spread).
  AT_MOST (d <= +margin) / AT_LEAST (d >= -margin): the `c.level` interval
  clears the margin -> REPRODUCED, lies wholly beyond it -> NOT_REPRODUCED.
  EQUIVALENT (|d| < margin): TOST at alpha = 1 - c.level (Schuirmann 1987),
  i.e. the (2 c.level - 1) interval inside (-margin, margin) -> REPRODUCED,
  wholly outside -> NOT_REPRODUCED; p is the larger one-sided p.

  Args:
    c: the comparison.
    claim: one of CLAIMS.
    margin: >= 0; > 0 for EQUIVALENT; 0 for LOWER / HIGHER.

  Returns:
    The Decision.
  """
  m = _check_claim(claim, margin)
  a, b = c.names
  level = c.level
  if claim == EQUIVALENT:
    level = 2.0 * level - 1.0
  low, high = c.interval(level)
  pct = f"{100 * level:.4g}%"
  m_text = _fmt(m)
  if claim in (LOWER, HIGHER):
    sign = -1.0 if claim == LOWER else 1.0
    better, worse = ("lower", "higher") if claim == LOWER else ("higher",
                                                                "lower")
    claimed_low, claimed_high = sorted((sign * low, sign * high))
    evidence = c.evidence()
    if claimed_low > 0:
      return Decision(REPRODUCED, f"{a} {better} than {b}, as claimed: the "
                      f"{pct} interval of the difference excludes 0",
                      evidence, c)
    if claimed_high < 0:
      return Decision(NOT_REPRODUCED, f"{a} {worse} than {b}, against the "
                      f"claim: the {pct} interval of the difference "
                      "excludes 0", evidence, c)
    if c.se == 0.0:
      return Decision(INCONCLUSIVE, f"no difference: {a} and {b} are equal "
                      "in every seed", evidence, c)
    return Decision(INCONCLUSIVE, f"spread: the {pct} interval of {a} - {b} "
                    "contains 0", evidence, c)
  sf, cdf = scipy_stats.t.sf, scipy_stats.t.cdf
  if claim == AT_MOST:
    p = float(cdf(_t_stat(c.diff - m, c.se), c.df))
    evidence = c.evidence(p=p, note=f"claim {a} - {b} < {m_text}")
    if high < m:
      return Decision(REPRODUCED, f"{a} above {b} by less than {m_text}, as "
                      f"claimed: the {pct} interval lies below {m_text}",
                      evidence, c)
    if low > m:
      return Decision(NOT_REPRODUCED, f"{a} above {b} by more than "
                      f"{m_text}: the {pct} interval lies above it", evidence,
                      c)
    return Decision(INCONCLUSIVE, f"spread: the {pct} interval contains "
                    f"the margin {m_text}", evidence, c)
  if claim == AT_LEAST:
    p = float(sf(_t_stat(c.diff + m, c.se), c.df))
    evidence = c.evidence(p=p, note=f"claim {a} - {b} > -{m_text}")
    if low > -m:
      return Decision(REPRODUCED, f"{a} below {b} by less than {m_text}, as "
                      f"claimed: the {pct} interval lies above -{m_text}",
                      evidence, c)
    if high < -m:
      return Decision(NOT_REPRODUCED, f"{a} below {b} by more than "
                      f"{m_text}: the {pct} interval lies below -{m_text}",
                      evidence, c)
    return Decision(INCONCLUSIVE, f"spread: the {pct} interval contains "
                    f"the margin -{m_text}", evidence, c)
  p = max(float(sf(_t_stat(c.diff + m, c.se), c.df)),
          float(cdf(_t_stat(c.diff - m, c.se), c.df)))
  evidence = c.evidence(level=level, p=p, note=f"TOST, margin +-{m_text}")
  if -m < low and high < m:
    return Decision(REPRODUCED, f"{a} within +-{m_text} of {b}, as claimed: "
                    f"the {pct} interval lies inside the margin", evidence, c)
  if low > m or high < -m:
    return Decision(NOT_REPRODUCED, f"{a} differs from {b} by more than "
                    f"{m_text}: the {pct} interval lies outside the margin",
                    evidence, c)
  return Decision(INCONCLUSIVE, f"spread: the {pct} interval crosses the "
                  f"margin +-{m_text}", evidence, c)


def _too_few(names: Sequence[str], counts: Sequence[int]) -> Decision:
  seeds = ", ".join(f"{name} n={k}" for name, k in zip(names, counts))
  return Decision(INCONCLUSIVE, f"too few seeds (fewer than {MIN_SEEDS} per "
                  "arm)", seeds)


def decide(a: Sequence[float], b: Sequence[float], claim: str, *,
           is_paired: bool, margin: float = 0.0, level: float = LEVEL,
           names: tuple[str, str] = ("A", "B"), unit: str = "") -> Decision:
  """Decides a claim about two arms' per-seed values.

  Args:
    a, b: per-seed values, shapes [n_a], [n_b]; in the same seed order and
      n_a = n_b when `is_paired`.
    claim: one of CLAIMS, about d = mean(a) - mean(b).
    is_paired: paired t (the arms share seeds, data order and initial
      weights) or Welch's t.
    margin: for the margin claims (see `verdict`).
    level: the fixed level (0.95).
    names: (A, B) for the evidence.
    unit: the metric's unit for the evidence.

  Returns:
    INCONCLUSIVE "too few seeds" with fewer than 2 values in an arm, else
    `verdict` of the paired or Welch comparison.

  Raises:
    InputError (a ValueError): a NaN / inf value, unequal lengths when
      paired, an unknown claim or a bad margin.
  """
  _check_claim(claim, margin)
  x, y = seed_values(a, names[0]), seed_values(b, names[1])
  if is_paired and x.shape != y.shape:
    raise InputError(f"paired comparison of {names[0]} and {names[1]} needs "
                     f"one value per seed in both; got {x.size} and {y.size}.")
  if min(x.size, y.size) < MIN_SEEDS:
    return _too_few(names, (x.size, y.size))
  test = paired if is_paired else welch
  return verdict(test(x, y, level, names, unit), claim, margin)


def decide_value(x: Sequence[float], value: float, claim: str, *,
                 margin: float = 0.0, level: float = LEVEL,
                 names: tuple[str, str] = ("A", "level"),
                 unit: str = "") -> Decision:
  """Decides a claim about one arm's per-seed values against a level.

  Args:
    x: per-seed values, shape [n].
    value: the level (e.g. 0.5, 7 modes).
    claim: one of CLAIMS about d = mean(x) - value.
    margin, level, unit: as `decide`.
    names: (the arm's quantity, the level's label).

  Returns:
    INCONCLUSIVE "too few seeds" with n < 2, else `verdict` of `one_sample`.
  """
  _check_claim(claim, margin)
  x = seed_values(x, names[0])
  if x.size < MIN_SEEDS:
    return _too_few(names[:1], (x.size,))
  return verdict(one_sample(x, value, level, names, unit), claim, margin)


def all_of(verdicts: Sequence[str]) -> str:
  """A claim of several parts: NOT_REPRODUCED if any part is, REPRODUCED if
  every part is (and there is one), else INCONCLUSIVE."""
  if NOT_REPRODUCED in verdicts:
    return NOT_REPRODUCED
  if verdicts and all(v == REPRODUCED for v in verdicts):
    return REPRODUCED
  return INCONCLUSIVE


def bootstrap_interval(a: Sequence[float], b: Sequence[float], *,
                       is_paired: bool, level: float = LEVEL,
                       resamples: int = 10_000,
                       seed: int = 0) -> tuple[float, float]:
  """Percentile bootstrap interval of mean(a) - mean(b) (Efron & Tibshirani
  1993, ch. 13).

  Paired: resamples the per-seed differences; unpaired: resamples each arm
  on its own. Only from `BOOTSTRAP_MIN_SEEDS` values per arm: below that the
  resamples are too few to be distinct (10 for 3 seeds; see the module doc),
  and `decide`'s t interval is the rule.

  Args:
    a, b: per-seed values, shapes [n_a], [n_b] (equal when paired).
    is_paired: resample pairs (True) or each arm (False).
    level: two-sided level.
    resamples: number of bootstrap resamples.
    seed: seed of the resampling generator (the interval is deterministic).

  Returns:
    (low, high), the (1 - level) / 2 and (1 + level) / 2 quantiles.

  Raises:
    InputError: non-finite values, fewer than 8 values in an arm, unequal
      lengths when paired, or resamples < 100.
  """
  x, y = seed_values(a, "A"), seed_values(b, "B")
  level = _check_level(level)
  if min(x.size, y.size) < BOOTSTRAP_MIN_SEEDS:
    raise InputError(
        f"a bootstrap interval needs at least {BOOTSTRAP_MIN_SEEDS} seeds per "
        f"arm; got {x.size} and {y.size}. With fewer, use the t interval "
        "(`decide`): 3 seeds give only 10 distinct resamples.")
  if is_paired and x.shape != y.shape:
    raise InputError(f"a paired bootstrap needs one value per seed in both "
                     f"arms; got {x.size} and {y.size}.")
  if resamples < 100:
    raise InputError(f"resamples must be >= 100; got {resamples}.")
  rng = np.random.default_rng(seed)
  if is_paired:
    d = x - y
    means = d[rng.integers(0, d.size, (resamples, d.size))].mean(axis=1)
  else:
    means = (x[rng.integers(0, x.size, (resamples, x.size))].mean(axis=1)
             - y[rng.integers(0, y.size, (resamples, y.size))].mean(axis=1))
  low, high = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
  return float(low), float(high)
