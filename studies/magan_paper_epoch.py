"""Study 4's rules at the paper's epoch length, on fresh seeds (issue 22).

The study's first runs (studies/magan_fmnist.py, seeds 0-2) trained on the
10,000-image split, so an epoch there is 156 G steps, 1/6 of the paper's
MNIST epoch. Five of its rules were decided by what that leaves: the
start-up transient (MAGAN's fake energy starts near 0 after pre-training,
EBGAN's real energy from ~150) and a window of four short epochs. The rules
here decide the same claims on runs with the paper's epoch (the 60,000-image
split, 60,000 // 64 = 937 G steps), 10 G epochs, on seeds the first rules
never saw, and only over a window that leaves the transient out, fixed
before any of these runs: G epochs 3 to 10.

Each claim is decided by `studies.stats` (95% t intervals, rule
`t_rule_95`): a one-sample t of a per-seed value against a level, and for
the convergence measure's tracking of quality, Welch's t of MAGAN's rank
correlation against EBGAN's (the same correlation in the fixed-margin arm:
two series that both trend down correlate whether or not one tracks the
other, so only an excess over EBGAN counts).

This module holds the rules, the per-run window measures and the decision
functions; studies.magan_fmnist trains and evaluates the runs.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

import numpy as np
from scipy import stats as scipy_stats

from studies import rules as sr
from studies import stats as st
from studies.rules import Rule

# The arm set's settings, as the rules state them.
SPLIT = "train"            # Fashion-MNIST's 60,000 training images.
SPLIT_SIZE = 60000
BATCH = 64
STEPS_PER_EPOCH = SPLIT_SIZE // BATCH   # 937 G steps, the paper's epoch.
G_EPOCHS = 10
WINDOW_FIRST = 3           # The window: G epochs 3..G_EPOCHS.
SEEDS = (3, 4, 5)
QUICK_SEEDS = (3, 4)
QUICK_SPLIT = "test"       # --quick: 156-step epochs (a pipeline check).
QUICK_G_EPOCHS = 5         # --quick: window G epochs 3-5.
# FD references: held-out images (the runs train on the train split).
REFERENCE_SPLIT = "test"
FIRST_EPOCH_LEVEL = 2.0    # As `first_epoch_sensible`.
FD_FELL = 0.9              # As `convergence_tracks_quality`.
IMPROVED = 0.5             # As `first_epoch_sensible`.
# The report's names of the two arms (summary.json's per-seed record keeps
# them apart from the first runs' "MAGAN" / "EBGAN").
ARMS = {"MAGAN": "MAGAN (paper epoch)", "EBGAN": "EBGAN (paper epoch)"}

_RUNS = (
    "Registered before its runs (issue 22) and decided on fresh seeds 3, 4, "
    "5 only (the rules above keep seeds 0-2 and their results). Runs: "
    "magan_fmnist.cfg and ebgan_fmnist.cfg (m = 120) on Fashion-MNIST's "
    "60,000-image train split, so that an epoch is 60,000 // 64 = 937 G "
    "steps, the paper's MNIST epoch; 10 G epochs per run (MAGAN after its 2 "
    "pre-training epochs, 12 epochs in all; G epoch k is the k-th epoch in "
    "which G trains, G epoch 0 the end of MAGAN's pre-training); a "
    "checkpoint at the end of "
    "every epoch, its FD measured with 1,000 samples by the 28x28 domain "
    "classifier against 10,000 images of the held-out test split. The "
    "window is G epochs 3 to 10 (8 epochs), fixed before the runs: G epochs "
    "1 and 2 hold the start-up transient (G's first updates; MAGAN's fake "
    "energy starts near 0 after pre-training) and are left out. A slope is "
    "the least-squares slope, per G epoch, of a series of epoch means "
    "against the G epoch over the window. ")
_T = "by rule `t_rule_95` (studies.stats, 95%):"
_FAILED = (" A seed whose value is not finite (a failed run, or the rank "
           "correlation of a constant series) is reported and makes the "
           "claim inconclusive.")

EBGAN_DIVERGE = Rule(
    "ebgan_diverge_paper_epoch",
    "Fig. 1, Sec. 3.2: with EBGAN's fixed margin, once G's energy has "
    "stalled near the margin, the real energy keeps falling while the fake "
    "energy rises, so E_fake - E_real widens",
    _RUNS + "Per EBGAN seed, over the window: the slope of E_fake - E_real "
    "and the slope of E_fake. Gate: if in no seed E_fake at G epoch 3 lay "
    "within [0.5 m, 2 m], G never stalled near the margin -> inconclusive. "
    "Otherwise two parts, each " + _T + " (1) gap widens: d = mean slope of "
    "E_fake - E_real - 0, one-sample t, claim d > 0; (2) fake energy rises: "
    "d = mean slope of E_fake - 0, one-sample t, claim d > 0. Reproduced "
    "when both 95% intervals lie above 0; not reproduced when either lies "
    "wholly below 0; inconclusive otherwise (an interval containing 0, or "
    "fewer than 2 seeds)." + _FAILED)
MAGAN_TANDEM = Rule(
    "magan_tandem_paper_epoch",
    "Fig. 1, Sec. 4.5: with MAGAN the real and the fake energies both fall "
    "(in tandem) and converge to low values",
    _RUNS + "Per MAGAN seed, over the window: the slope of E_real and the "
    "slope of E_fake. Gate: if the margin was never lowered after its first "
    "value (end of pre-training) up to G epoch 10 in any seed, the "
    "mechanism did not occur -> inconclusive. Otherwise two parts, each "
    + _T + " (1) E_real falls: d = mean slope of E_real - 0, one-sample t, "
    "claim d < 0; (2) E_fake falls: d = mean slope of E_fake - 0, "
    "one-sample t, claim d < 0. Reproduced when both 95% intervals lie "
    "below 0; not reproduced when either lies wholly above 0; inconclusive "
    "otherwise (an interval containing 0, or fewer than 2 seeds)." + _FAILED)
CONVERGENCE_FALLS = Rule(
    "convergence_falls_paper_epoch",
    "Sec. 3.4, Fig. 4: MAGAN's convergence measure E_real + |E_real - "
    "E_fake| decreases over training",
    _RUNS + "Per MAGAN seed, the relative slope of the measure L = E_real + "
    "|E_real - E_fake| (epoch means) over the window: its slope divided by "
    "its mean over the window (a fraction per G epoch). Gate as "
    "`magan_tandem_paper_epoch` (the margin never lowered in any seed -> "
    "inconclusive). Otherwise " + _T + " d = mean relative slope - 0, "
    "one-sample t, claim d < 0. Reproduced when the 95% interval lies below "
    "0; not reproduced when it lies wholly above 0; inconclusive otherwise "
    "(it contains 0, or fewer than 2 seeds)." + _FAILED)
CONVERGENCE_TRACKS_QUALITY = Rule(
    "convergence_tracks_quality_paper_epoch",
    "Sec. 3.4, 4.5: the convergence measure tracks sample quality (energy "
    "measure and visual quality improve together)",
    _RUNS + "Per seed and arm, the Spearman correlation rho between the "
    "measure L = E_real + |E_real - E_fake| at the end of each G epoch of "
    "the window and the FD of the checkpoint there (8 pairs). EBGAN's rho is "
    "the baseline: its L and FD can both trend down with training without L "
    "tracking quality, so a positive rho alone is no evidence. Gate: if in "
    "no MAGAN seed the FD fell below 0.9 x its value at G epoch 3 within "
    "the window, quality did not change there (nothing to track) -> "
    "inconclusive. Otherwise two parts, each " + _T + " (1) above EBGAN: d "
    "= mean rho of MAGAN - EBGAN, Welch's t (the arms share no initial "
    "state: pre-training shifts MAGAN's data stream), claim d > 0; (2) "
    "positive: d = MAGAN's mean rho - 0, one-sample t, claim d > 0. "
    "Reproduced when both 95% intervals lie above 0; not reproduced when "
    "either lies wholly below 0; inconclusive otherwise (an interval "
    "containing 0, or fewer than 2 seeds per arm)." + _FAILED)
FIRST_EPOCH_SENSIBLE = Rule(
    "first_epoch_sensible_paper_epoch",
    "Fig. 5(b): after one epoch of training MAGAN already generates "
    "sensible samples",
    _RUNS + "Per MAGAN seed, the ratio r = FD at the end of G epoch 1 (937 "
    "G steps after pre-training) / FD at the end of G epoch 10. Gate: if in "
    "any seed the final FD is not below 0.5 x the FD of the untrained G "
    "(end of pre-training, G epoch 0), quality did not improve there and "
    "'sensible' cannot be told from noise -> inconclusive. Otherwise " + _T
    + " d = mean r - 2, one-sample t, claim d < 0 (after one epoch the FD "
    "is within 2x the final). Reproduced when the 95% interval lies below "
    "0; not reproduced when it lies wholly above 0; inconclusive otherwise "
    "(it contains 0, or fewer than 2 seeds)." + _FAILED)
RULES = (EBGAN_DIVERGE, MAGAN_TANDEM, CONVERGENCE_FALLS,
         CONVERGENCE_TRACKS_QUALITY, FIRST_EPOCH_SENSIBLE)
# The first rule each one decides again (the report shows both).
REDECIDES = {r.id: r.id[:-len("_paper_epoch")] for r in RULES}


# ------------------------------------------------------------ measures
def window_mask(g_epochs: np.ndarray, first: int, last: int) -> np.ndarray:
  """Which entries of a G-epoch series [T] lie in the window first..last
  (both included)."""
  g = np.asarray(g_epochs, np.float64)
  return (g >= first - 1e-9) & (g <= last + 1e-9)


def window_slope(g_epochs: Sequence[float], values: Sequence[float],
                 first: int, last: int) -> float:
  """Least-squares slope (per G epoch) of `values` [T] against `g_epochs`
  [T] over the window first..last; NaN with fewer than 2 points there.

  slope = sum((x - mean x)(y - mean y)) / sum((x - mean x)^2).
  """
  x, y = np.asarray(g_epochs, np.float64), np.asarray(values, np.float64)
  keep = window_mask(x, first, last)
  x, y = x[keep], y[keep]
  if x.size < 2:
    return math.nan
  dx = x - x.mean()
  return float(np.sum(dx * (y - y.mean())) / np.sum(dx * dx))


def relative_slope(g_epochs: Sequence[float], values: Sequence[float],
                   first: int, last: int) -> float:
  """`window_slope` divided by the mean of `values` over the window (a
  fraction per G epoch); NaN with fewer than 2 points or a zero mean."""
  x, y = np.asarray(g_epochs, np.float64), np.asarray(values, np.float64)
  mean = float(y[window_mask(x, first, last)].mean()) if np.any(
      window_mask(x, first, last)) else math.nan
  if not mean:
    return math.nan
  return window_slope(x, y, first, last) / mean


def at_epoch(g_epochs: Sequence[float], values: Sequence[float],
             epoch: int) -> float:
  """The value at G epoch `epoch`, NaN when the series has none there."""
  x, y = np.asarray(g_epochs, np.float64), np.asarray(values, np.float64)
  hit = np.flatnonzero(np.isclose(x, epoch))
  return float(y[hit[0]]) if hit.size else math.nan


def window_rho(measure_epochs: Sequence[float], measure: Sequence[float],
               fd_epochs: Sequence[float], fd: Sequence[float], first: int,
               last: int) -> float:
  """Spearman's rho between the measure and the FD at the G epochs of the
  window where both exist (NaN with fewer than 3 such epochs, or when
  either series is constant there)."""
  pairs = []
  for e, v in zip(np.asarray(fd_epochs, np.float64), np.asarray(fd)):
    m = at_epoch(measure_epochs, measure, int(round(e)))
    if window_mask(np.array([e]), first, last)[0] and math.isfinite(m):
      pairs.append((m, float(v)))
  if len(pairs) < 3:
    return math.nan
  a, b = np.array(pairs).T
  if np.all(a == a[0]) or np.all(b == b[0]):
    return math.nan
  return float(scipy_stats.spearmanr(a, b).statistic)


def fd_fell(fd_epochs: Sequence[float], fd: Sequence[float], first: int,
            last: int) -> bool:
  """Whether the FD fell below FD_FELL x its value at G epoch `first`
  within the window."""
  x, y = np.asarray(fd_epochs, np.float64), np.asarray(fd, np.float64)
  start = at_epoch(x, y, first)
  inside = y[window_mask(x, first, last)]
  return bool(math.isfinite(start) and inside.size
              and inside.min() < FD_FELL * start)


def first_epoch_ratio(fd_epochs: Sequence[float], fd: Sequence[float],
                      last: int) -> tuple[float, bool]:
  """(FD at G epoch 1 / FD at G epoch `last`, whether the FD at `last` is
  below IMPROVED x the FD at G epoch 0); NaN / False without those
  checkpoints."""
  one, zero = at_epoch(fd_epochs, fd, 1), at_epoch(fd_epochs, fd, 0)
  final = at_epoch(fd_epochs, fd, last)
  return (one / final if math.isfinite(one) and final else math.nan,
          bool(math.isfinite(zero) and final < IMPROVED * zero))


def margin_moves(g_epochs: Sequence[float], margin: Sequence[float],
                 last: int) -> tuple[int, int]:
  """(lowerings, rises) of the margin from its first value (G epoch 0, the
  end of pre-training) to G epoch `last`."""
  x, y = np.asarray(g_epochs, np.float64), np.asarray(margin, np.float64)
  steps = np.diff(y[window_mask(x, 0, last)])
  return int(np.sum(steps < -1e-6)), int(np.sum(steps > 1e-6))


# ------------------------------------------------------------ decisions
def _seed(i: int, seeds: Optional[Sequence[int]]) -> str:
  """The i-th seed's name: its number, or its 1-based position."""
  return f"seed {seeds[i]}" if seeds else f"seed #{i + 1}"


def _failed(values: dict[str, Sequence[float]],
            seeds: Optional[Sequence[int]]) -> Optional[str]:
  """Names the non-finite per-seed values, or None."""
  bad = [f"{name} of {_seed(i, seeds)}" for name, v in values.items()
         for i, x in enumerate(v) if not math.isfinite(float(x))]
  return (", ".join(bad) + " not finite (failed run): reported, not "
          "decided") if bad else None


def _part(d: st.Decision) -> str:
  return f"{d.verdict} ({d.reason}; {d.evidence})"


def _decide(rule: Rule, parts: dict[str, st.Decision],
            gate: Optional[str]) -> sr.Decision:
  """All parts must hold (st.all_of); a gate text makes it inconclusive."""
  text = "; ".join(f"{what}: {_part(d)}" for what, d in parts.items())
  if gate:
    return sr.Decision(rule, sr.INCONCLUSIVE, f"{gate}; {text}")
  return sr.Decision(rule, st.all_of([d.verdict for d in parts.values()]),
                     text)


def decide_ebgan_diverge(gap_slopes: Sequence[float],
                         fake_slopes: Sequence[float],
                         fake_at_start: Sequence[float], margin: float,
                         seeds: Optional[Sequence[int]] = None
                         ) -> sr.Decision:
  """EBGAN_DIVERGE from the per-seed slopes and E_fake at G epoch 3."""
  failed = _failed({"gap slope": gap_slopes, "fake slope": fake_slopes},
                   seeds)
  if failed:
    return sr.Decision(EBGAN_DIVERGE, sr.INCONCLUSIVE, failed)
  arm = ARMS["EBGAN"]
  parts = {
      "gap widens": st.decide_value(
          gap_slopes, 0.0, st.HIGHER, names=(f"{arm} slope of E_fake - "
                                             "E_real", "0"), unit="/epoch"),
      "fake energy rises": st.decide_value(
          fake_slopes, 0.0, st.HIGHER, names=(f"{arm} slope of E_fake",
                                              "0"), unit="/epoch")}
  near = sum(0.5 * margin <= f <= 2.0 * margin for f in fake_at_start)
  gate = None if near else (
      f"E_fake at G epoch {WINDOW_FIRST} within [0.5 m, 2 m] in no seed "
      f"(values {[round(float(f), 1) for f in fake_at_start]}, m = "
      f"{margin:g}): G never stalled near the margin")
  return _decide(EBGAN_DIVERGE, parts, gate)


def _margin_gate(lowered: Sequence[int]) -> Optional[str]:
  if max(lowered, default=0) > 0:
    return None
  return "the margin was never lowered in any seed (no adaptation)"


def decide_magan_tandem(real_slopes: Sequence[float],
                        fake_slopes: Sequence[float],
                        lowered: Sequence[int],
                        seeds: Optional[Sequence[int]] = None
                        ) -> sr.Decision:
  """MAGAN_TANDEM from the per-seed slopes and margin lowerings."""
  failed = _failed({"E_real slope": real_slopes, "E_fake slope": fake_slopes},
                   seeds)
  if failed:
    return sr.Decision(MAGAN_TANDEM, sr.INCONCLUSIVE, failed)
  arm = ARMS["MAGAN"]
  parts = {
      "E_real falls": st.decide_value(
          real_slopes, 0.0, st.LOWER, names=(f"{arm} slope of E_real", "0"),
          unit="/epoch"),
      "E_fake falls": st.decide_value(
          fake_slopes, 0.0, st.LOWER, names=(f"{arm} slope of E_fake", "0"),
          unit="/epoch")}
  return _decide(MAGAN_TANDEM, parts, _margin_gate(lowered))


def decide_convergence_falls(relative_slopes: Sequence[float],
                             lowered: Sequence[int],
                             seeds: Optional[Sequence[int]] = None
                             ) -> sr.Decision:
  """CONVERGENCE_FALLS from the per-seed relative slopes of the measure."""
  failed = _failed({"relative slope": relative_slopes}, seeds)
  if failed:
    return sr.Decision(CONVERGENCE_FALLS, sr.INCONCLUSIVE, failed)
  parts = {"measure falls": st.decide_value(
      relative_slopes, 0.0, st.LOWER,
      names=(f"{ARMS['MAGAN']} relative slope of the measure", "0"),
      unit="/epoch")}
  return _decide(CONVERGENCE_FALLS, parts, _margin_gate(lowered))


def decide_convergence_tracks(magan_rhos: Sequence[float],
                              ebgan_rhos: Sequence[float],
                              magan_fd_fell: Sequence[bool],
                              seeds: Optional[Sequence[int]] = None
                              ) -> sr.Decision:
  """CONVERGENCE_TRACKS_QUALITY from the per-seed rank correlations of
  both arms (in the same seed order) and whether MAGAN's FD fell in the
  window."""
  failed = _failed({"MAGAN rho": magan_rhos, "EBGAN rho": ebgan_rhos}, seeds)
  if failed:
    return sr.Decision(CONVERGENCE_TRACKS_QUALITY, sr.INCONCLUSIVE, failed)
  names = (f"{ARMS['MAGAN']} rho", f"{ARMS['EBGAN']} rho")
  parts = {
      "above EBGAN": st.decide(magan_rhos, ebgan_rhos, st.HIGHER,
                               is_paired=False, names=names),
      "positive": st.decide_value(magan_rhos, 0.0, st.HIGHER,
                                  names=(names[0], "0"))}
  gate = None if any(magan_fd_fell) else (
      f"MAGAN's FD never fell below {FD_FELL:g} x its value at G epoch "
      f"{WINDOW_FIRST} within the window in any seed (quality did not "
      "change there)")
  return _decide(CONVERGENCE_TRACKS_QUALITY, parts, gate)


def decide_first_epoch(ratios: Sequence[float], improved: Sequence[bool],
                       seeds: Optional[Sequence[int]] = None
                       ) -> sr.Decision:
  """FIRST_EPOCH_SENSIBLE from the per-seed FD ratios and whether each
  seed's final FD is below 0.5 x its untrained FD."""
  failed = _failed({"FD ratio": ratios}, seeds)
  if failed:
    return sr.Decision(FIRST_EPOCH_SENSIBLE, sr.INCONCLUSIVE, failed)
  parts = {"within 2x the final FD": st.decide_value(
      ratios, FIRST_EPOCH_LEVEL, st.LOWER,
      names=(f"{ARMS['MAGAN']} FD(G epoch 1) / final FD",
             f"{FIRST_EPOCH_LEVEL:g}"))}
  stuck = [_seed(i, seeds) for i, ok in enumerate(improved) if not ok]
  gate = None
  if stuck or not improved:
    gate = (f"the final FD is not below {IMPROVED:g} x the untrained G's FD "
            f"in {', '.join(stuck) or 'any seed'} (quality did not improve "
            "there)")
  return _decide(FIRST_EPOCH_SENSIBLE, parts, gate)
