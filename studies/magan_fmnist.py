"""Study 4: MAGAN vs EBGAN on Fashion-MNIST (MAGAN paper Sec. 3-4.5, Fig. 1).

Trains configs/magan_fmnist.cfg (adaptive margin) and ebgan_fmnist.cfg
(fixed margin, the paper's MNIST baseline m = 30 in our [-1, 1] units) at
the native 28x28 with the paper's MNIST networks, several seeds per arm;
reads the per-epoch real / fake energies, the margin and the convergence
measure from the train jobs' TensorBoard logs, evaluates the checkpoints
with eval.run and the offline 28x28 Fashion-MNIST classifier, and decides
the rules below, which were written before any run.

A second arm set on fresh seeds (3-5; --fresh_seeds) trains both arms at the
paper's epoch length (the 60,000-image split, 937 G steps per epoch) for 10
G epochs and decides the rules of studies.magan_paper_epoch, registered
after the first runs' results were seen and before any run of this set,
over a window that leaves out the start-up transient (G epochs 3-10).

  python -m studies.magan_fmnist [--quick] [--g_epochs=7] [--seeds=0,1,2]
      [--fresh_seeds=3,4,5] [--fresh_g_epochs=10] [--fresh_train_split=train]
"""

from __future__ import annotations

import math
import os
from typing import Optional, Sequence

from absl import app
from absl import flags
import numpy as np
from scipy import stats

from studies import amendments
from studies import figures
from studies import magan_paper_epoch as pe
from studies import paths
from studies import readers
from studies import runner
from studies import sections
from studies import rules as sr
from studies.rules import Rule, SeedStats

FLAGS = flags.FLAGS


def define_flags() -> None:
  """This script's flags; defined only when it runs (tests import
  several study scripts into one process)."""
  flags.DEFINE_integer("g_epochs", None, "Epochs with G training per run "
                       "(MAGAN adds its pre-training epochs). Default 7, "
                       "--quick 2.")
  flags.DEFINE_integer("save_every_epochs", 1, "Checkpoint (and eval) "
                       "interval in epochs (--quick: final checkpoint only).")
  flags.DEFINE_list("seeds", None, "Seeds, one run per arm each. Default "
                    "0,1,2; --quick 0,1.")
  flags.DEFINE_integer("num_samples", 1000, "Generated samples per evaluation.")
  flags.DEFINE_string("train_split", "test", "Fashion-MNIST split G and D "
                      "train on (see PROTOCOL: 'test' has 10,000 images, 156 "
                      "steps per epoch; 'train' 60,000, 937).")
  flags.DEFINE_list("fresh_seeds", None, "Seeds of the paper-epoch arm set "
                    "(rules of studies.magan_paper_epoch), none of them in "
                    "--seeds. Default 3,4,5; --quick 3,4.")
  flags.DEFINE_integer("fresh_g_epochs", None, "G epochs per run of the "
                       "paper-epoch arm set (window: G epoch 3 to the last). "
                       "Default 10; --quick 5.")
  flags.DEFINE_string("fresh_train_split", None, "Split the paper-epoch arm "
                      "set trains on, which sets its epoch length. Default "
                      "'train' (937 G steps per epoch, the paper's); --quick "
                      "'test' (156, a pipeline check).")



KEY = "magan_fmnist"
PRETRAIN_EPOCHS = 2
SPLIT_SIZES = {"test": 10000, "train": 60000}
BATCH = 64
EBGAN_MARGIN = 120.0  # ebgan_fmnist.cfg: the paper's m = 30 on [0, 1] pixels.
METRICS = "is,fid,quality,diversity"
LOG10 = math.log(10.0)
BALANCED_ENTROPY = 0.9 * LOG10  # Rule `balanced_classes`.
FAIL_ENTROPY = math.log(5.0)    # Rule `stability_vs_ebgan`.
FAIL_FD_RATIO = 1.5             # Rule `stability_vs_ebgan`.

# ------------------------------------------------------------------ rules
# Written before any run of this study; see studies/rules.py. The frozen
# texts name its functions by the module's former name, study_rules.
# "G epoch k" is the k-th epoch in which G trains (MAGAN: epoch 2 + k).
EBGAN_DIVERGE = Rule(
    "ebgan_diverge",
    "Fig. 1, Sec. 3.2: with EBGAN's fixed margin, once G's energy has "
    "stalled near the margin, the real energy keeps falling while the fake "
    "energy rises, so E_fake - E_real widens",
    "Per EBGAN seed, from G epoch ceil(E/2) to the last G epoch E: gap "
    "widening w = change of (E_fake - E_real) and fake rise r = change of "
    "E_fake (epoch means). Reproduced if the means of w and r are both > 0 "
    "by more than their std over seeds; not reproduced if either mean is "
    "< 0 by more than its std; inconclusive otherwise, or if in no seed "
    "E_fake at G epoch ceil(E/2) lay within [0.5 m, 2 m] (G never stalled "
    "near the margin: the premise did not occur).")
MAGAN_TANDEM = Rule(
    "magan_tandem",
    "Fig. 1, Sec. 4.5: with MAGAN the real and the fake energies both fall "
    "(in tandem) and converge to low values",
    "Per MAGAN seed, change of E_real and of E_fake from G epoch 1 to the "
    "last. Reproduced if both means are < 0 by more than their std over "
    "seeds; not reproduced if either mean is > 0 by more than its std; "
    "inconclusive otherwise, or if the margin was never lowered after its "
    "first value in any seed (the mechanism did not occur).")
MARGIN_MONOTONE = Rule(
    "margin_monotone",
    "Sec. 3.3.1: the margin adapts, decreases monotonically and does not "
    "oscillate",
    "Per MAGAN seed, from the first margin (end of pre-training) on: the "
    "number of epochs where the margin rose, and the number where it was "
    "lowered. Reproduced if it never rose in any seed and was lowered at "
    "least once in every seed; not reproduced if it rose in any seed; "
    "inconclusive otherwise (it never moved in some seed: the adaptation "
    "did not occur there).")
CONVERGENCE_FALLS = Rule(
    "convergence_falls",
    "Sec. 3.4, Fig. 4: MAGAN's convergence measure E_real + |E_real - "
    "E_fake| decreases over training",
    "Per MAGAN seed, relative change (L_last - L_1) / L_1 of the measure "
    "from G epoch 1 to the last. Reproduced if its mean is < 0 by more than "
    "its std over seeds; not reproduced if > 0 by more than its std; "
    "inconclusive otherwise, or if the margin was never lowered in any "
    "seed (the mechanism did not occur).")
CONVERGENCE_TRACKS_QUALITY = Rule(
    "convergence_tracks_quality",
    "Sec. 3.4, 4.5: the convergence measure tracks sample quality (energy "
    "measure and visual quality improve together)",
    "Per MAGAN seed, Spearman correlation between the measure at the "
    "checkpoints' epochs and the domain-classifier FD there (over >= 3 "
    "checkpoints after pre-training). Reproduced if the mean is > 0 by "
    "more than its std over seeds; not reproduced if < 0 by more than its "
    "std; inconclusive otherwise, or if the FD never fell below 0.9 x its "
    "first value in any seed (quality did not change, nothing to track).")
FD_VS_EBGAN = Rule(
    "fd_vs_ebgan",
    "Sec. 4.5, 5: the adaptive margin improves the generator over EBGAN's "
    "fixed margin (Sec. 4.2 on MNIST: no visible difference)",
    "Domain-classifier FD (28x28 Fashion-MNIST classifier) of the final "
    "checkpoints, study_rules.compare, lower is better: reproduced if "
    "MAGAN's mean is lower than EBGAN's by more than the summed std, not "
    "reproduced if higher by more than it, inconclusive otherwise.")
SCORE_VS_EBGAN = Rule(
    "score_vs_ebgan",
    "Sec. 4.4 (Table 1, inception score) and 4.5: MAGAN scores higher than "
    "its EBGAN baseline",
    "Classifier score (inception-score formula on the 28x28 Fashion-MNIST "
    "classifier) of the final checkpoints, study_rules.compare, higher is "
    "better: reproduced if MAGAN's mean is higher than EBGAN's by more than "
    "the summed std, not reproduced if lower by more than it, inconclusive "
    "otherwise.")
BALANCED_CLASSES = Rule(
    "balanced_classes",
    "Sec. 4.2: MAGAN does not suffer from mode collapse; all 10 classes "
    "appear, with relatively balanced counts",
    "MAGAN's final mode entropy (eval 'diversity': entropy of the samples' "
    "nearest class centroids in classifier features, at most ln 10 = 2.30 "
    "nats), study_rules.threshold at 0.9 ln 10 = 2.07: reproduced if the "
    "mean exceeds it by more than the std over seeds, not reproduced if it "
    "falls short by more than the std, inconclusive otherwise.")
STABILITY_VS_EBGAN = Rule(
    "stability_vs_ebgan",
    "Abstract, Sec. 1, 5: MAGAN trains more stably than EBGAN, whose fixed "
    "margin lets D overpower and stall G",
    "A run fails if its final FD exceeds 1.5 x its best FD over its "
    "checkpoints (quality broke down) or its final mode entropy is below "
    "ln 5 (collapse to about 5 classes or fewer). Reproduced if MAGAN has "
    "at least 2 fewer failed seeds than EBGAN; not reproduced if at least 2 "
    "more; inconclusive otherwise, and always if no run of either arm "
    "failed (the instability did not occur).")
FIRST_EPOCH_SENSIBLE = Rule(
    "first_epoch_sensible",
    "Fig. 5(b): after one epoch of training MAGAN already generates "
    "sensible samples",
    "Per MAGAN seed, ratio of the FD at the end of G epoch 1 to the final "
    "FD; study_rules.threshold at 2, lower is better: reproduced if the "
    "mean ratio is below 2 by more than its std, not reproduced if above 2 "
    "by more than its std, inconclusive otherwise, without a checkpoint at "
    "G epoch 1, or if in no seed the final FD is below 0.5 x the FD of the "
    "untrained G (end of pre-training): quality never improved, so "
    "'sensible' cannot be told from noise.")
RULES = (EBGAN_DIVERGE, MAGAN_TANDEM, MARGIN_MONOTONE, CONVERGENCE_FALLS,
         CONVERGENCE_TRACKS_QUALITY, FD_VS_EBGAN, SCORE_VS_EBGAN,
         BALANCED_CLASSES, STABILITY_VS_EBGAN, FIRST_EPOCH_SENSIBLE)
# Registered after the runs (issue 22): the t rule and its amendment of
# each comparison claim above, decided by studies.redecide from the
# per-seed values; the report shows both verdicts.
REGISTERED = RULES + amendments.for_study(KEY, RULES)
# Registered after those results were seen and before the runs that decide
# them (issue 22): five claims again at the paper's epoch length, on fresh
# seeds, over a window without the start-up transient; t rules from the
# start (no `_t95` amendment).
ALL_RULES = REGISTERED + pe.RULES

ARMS = {"MAGAN": "magan_fmnist", "EBGAN": "ebgan_fmnist"}
PRETRAIN = {"MAGAN": PRETRAIN_EPOCHS, "EBGAN": 0}


# --------------------------------------------------------------- decisions
def _both(rule: Rule, a: sr.Decision, b: sr.Decision, extra: str = ""
          ) -> sr.Decision:
  """Reproduced if both parts are, not reproduced if either is not."""
  verdicts = (a.verdict, b.verdict)
  if sr.NOT_REPRODUCED in verdicts:
    verdict = sr.NOT_REPRODUCED
  elif verdicts == (sr.REPRODUCED, sr.REPRODUCED):
    verdict = sr.REPRODUCED
  else:
    verdict = sr.INCONCLUSIVE
  return sr.Decision(rule, verdict, f"{a.evidence}; {b.evidence}{extra}")


def decide_ebgan_diverge(widening: Sequence[float], rise: Sequence[float],
                         fake_mid: Sequence[float], margin: float,
                         min_seeds: int = sr.MIN_SEEDS) -> sr.Decision:
  stalled = sum(0.5 * margin <= f <= 2.0 * margin for f in fake_mid)
  occurred = (stalled > 0, f"E_fake at mid-run within [0.5 m, 2 m] in no "
              f"seed (values {[round(f, 1) for f in fake_mid]}, m = "
              f"{margin:g}): G never stalled near the margin")
  a = sr.threshold(EBGAN_DIVERGE, SeedStats.of(widening), 0.0, True,
                   "gap widening", occurred, min_seeds)
  b = sr.threshold(EBGAN_DIVERGE, SeedStats.of(rise), 0.0, True,
                   "fake-energy rise", occurred, min_seeds)
  if not occurred[0]:
    return sr.Decision(EBGAN_DIVERGE, sr.INCONCLUSIVE, a.evidence)
  return _both(EBGAN_DIVERGE, a, b,
               f"; stalled near the margin in {stalled}/{len(fake_mid)}")


def _adapted(updates: Sequence[int]) -> tuple[bool, str]:
  return (max(updates, default=0) > 0,
          "the margin was never lowered in any seed (no adaptation)")


def decide_magan_tandem(real_change: Sequence[float],
                        fake_change: Sequence[float], updates: Sequence[int],
                        min_seeds: int = sr.MIN_SEEDS) -> sr.Decision:
  occurred = _adapted(updates)
  a = sr.threshold(MAGAN_TANDEM, SeedStats.of(real_change), 0.0, False,
                   "change of E_real", occurred, min_seeds)
  b = sr.threshold(MAGAN_TANDEM, SeedStats.of(fake_change), 0.0, False,
                   "change of E_fake", occurred, min_seeds)
  if not occurred[0]:
    return sr.Decision(MAGAN_TANDEM, sr.INCONCLUSIVE, a.evidence)
  return _both(MAGAN_TANDEM, a, b)


def decide_margin_monotone(rises: Sequence[int], updates: Sequence[int],
                           min_seeds: int = sr.MIN_SEEDS) -> sr.Decision:
  text = (f"rises per seed {list(rises)}, lowerings per seed "
          f"{list(updates)}")
  if len(updates) < min_seeds:
    return sr.Decision(MARGIN_MONOTONE, sr.INCONCLUSIVE,
                       f"{text}; fewer than {min_seeds} seeds")
  if any(r > 0 for r in rises):
    return sr.Decision(MARGIN_MONOTONE, sr.NOT_REPRODUCED,
                       f"{text}: the margin rose")
  if all(u > 0 for u in updates):
    return sr.Decision(MARGIN_MONOTONE, sr.REPRODUCED,
                       f"{text}: never rose, lowered in every seed")
  return sr.Decision(MARGIN_MONOTONE, sr.INCONCLUSIVE,
                     f"{text}: never lowered in some seed")


def decide_convergence_falls(relative_change: Sequence[float],
                             updates: Sequence[int],
                             min_seeds: int = sr.MIN_SEEDS) -> sr.Decision:
  return sr.threshold(CONVERGENCE_FALLS, SeedStats.of(relative_change), 0.0,
                      False, "relative change of the measure",
                      _adapted(updates), min_seeds)


def decide_convergence_tracks(rhos: Sequence[float],
                              fd_fell: Sequence[bool],
                              min_seeds: int = sr.MIN_SEEDS) -> sr.Decision:
  occurred = (any(fd_fell), "the FD never fell below 0.9 x its first value "
              "in any seed (quality did not change)")
  return sr.threshold(CONVERGENCE_TRACKS_QUALITY, SeedStats.of(rhos), 0.0,
                      True, "Spearman(measure, FD)", occurred, min_seeds)


def run_failed(final_fd: float, best_fd: float, final_entropy: float
               ) -> bool:
  """Rule `stability_vs_ebgan`'s failure of one run."""
  return bool(final_fd > FAIL_FD_RATIO * best_fd
              or final_entropy < FAIL_ENTROPY)


def decide_stability(magan_failed: Sequence[bool],
                     ebgan_failed: Sequence[bool],
                     min_seeds: int = sr.MIN_SEEDS) -> sr.Decision:
  m, e = sum(magan_failed), sum(ebgan_failed)
  text = (f"failed runs MAGAN {m}/{len(magan_failed)}, EBGAN "
          f"{e}/{len(ebgan_failed)}")
  if min(len(magan_failed), len(ebgan_failed)) < min_seeds:
    return sr.Decision(STABILITY_VS_EBGAN, sr.INCONCLUSIVE,
                       f"{text}; fewer than {min_seeds} seeds in an arm")
  if m + e == 0:
    return sr.Decision(STABILITY_VS_EBGAN, sr.INCONCLUSIVE,
                       f"{text}: no run failed (the instability did not "
                       "occur)")
  if m <= e - 2:
    return sr.Decision(STABILITY_VS_EBGAN, sr.REPRODUCED,
                       f"{text}: MAGAN at least 2 fewer")
  if m >= e + 2:
    return sr.Decision(STABILITY_VS_EBGAN, sr.NOT_REPRODUCED,
                       f"{text}: MAGAN at least 2 more")
  return sr.Decision(STABILITY_VS_EBGAN, sr.INCONCLUSIVE,
                     f"{text}: differ by less than 2")


def decide_first_epoch(ratios: Sequence[float], improved: Sequence[bool],
                       min_seeds: int = sr.MIN_SEEDS) -> sr.Decision:
  have = (any(np.isfinite(ratios)) and any(improved),
          "no checkpoint at G epoch 1" if not any(np.isfinite(ratios)) else
          "the final FD is below 0.5 x the untrained G's FD in no seed "
          "(quality never improved)")
  return sr.threshold(FIRST_EPOCH_SENSIBLE, SeedStats.of(ratios), 2.0, False,
                      "FD(G epoch 1) / final FD", have, min_seeds)


# ------------------------------------------------------------------ series
def _energies(model_dir: str, pretrain: int) -> dict[str, np.ndarray]:
  """Per-epoch series with the G epoch (epoch - pre-training epochs)."""
  steps, epoch = readers.train_series(model_dir, "energy/epoch")
  out = {"step": steps, "g_epoch": epoch - pretrain}
  for key in ("epoch_real", "epoch_fake", "margin", "convergence"):
    out[key] = readers.train_series(model_dir, f"energy/{key}")[1]
  return out


def _per_run(model_dir: str, pretrain: int, steps_per_epoch: int
             ) -> dict[str, float]:
  """The numbers the rules use, for one run."""
  e = _energies(model_dir, pretrain)
  g = e["g_epoch"] >= 1
  gep, real, fake = e["g_epoch"][g], e["epoch_real"][g], e["epoch_fake"][g]
  conv, margin = e["convergence"][g], e["margin"][e["g_epoch"] >= 0]
  last = len(gep) - 1
  mid = int(np.searchsorted(gep, math.ceil(gep[-1] / 2)))
  gap = fake - real
  diffs = np.diff(margin)
  fd_steps, fd = readers.eval_series(model_dir, "fid")
  _, entropy = readers.eval_series(model_dir, "diversity")
  _, score = readers.eval_series(model_dir, "is")
  fd_epoch = fd_steps / steps_per_epoch - pretrain
  after = fd_epoch >= 1 - 1e-9
  rho = float("nan")
  if after.sum() >= 3:
    conv_at = np.interp(fd_epoch[after], gep, conv)
    rho = float(stats.spearmanr(conv_at, fd[after]).statistic)
  at_one = np.isclose(fd_epoch, 1.0)
  at_zero = np.isclose(fd_epoch, 0.0)
  nan = float("nan")
  return dict(
      widening=float(gap[last] - gap[mid]),
      rise=float(fake[last] - fake[mid]), fake_mid=float(fake[mid]),
      real_change=float(real[last] - real[0]),
      fake_change=float(fake[last] - fake[0]),
      real_first=float(real[0]), real_last=float(real[last]),
      fake_first=float(fake[0]), fake_last=float(fake[last]),
      conv_first=float(conv[0]), conv_last=float(conv[last]),
      conv_rel=float((conv[last] - conv[0]) / conv[0]),
      rises=int(np.sum(diffs > 1e-6)), updates=int(np.sum(diffs < -1e-6)),
      margin_first=float(margin[0]), margin_last=float(margin[-1]),
      rho=rho,
      fd_fell=bool(fd.size > 0 and fd[after].size > 0
                   and fd[after].min() < 0.9 * fd[after][0]),
      final_fd=float(fd[-1]) if fd.size else nan,
      best_fd=float(fd.min()) if fd.size else nan,
      final_entropy=float(entropy[-1]) if entropy.size else nan,
      final_score=float(score[-1]) if score.size else nan,
      fd_ratio_epoch1=(float(fd[at_one][0] / fd[-1]) if at_one.any()
                       else nan),
      improved=bool(at_zero.any() and fd[-1] < 0.5 * fd[at_zero][0]),
      fd_last_two_vs_best=(float(fd[-2:].min() / fd.min()) if fd.size
                           else nan))


# The per-seed quantities summary.json records, by studies.redecide's name,
# from the keys of `_per_run`.
PER_SEED = {"e_real_change": "real_change", "e_fake_change": "fake_change",
            "gap_widening": "widening", "fake_rise": "rise",
            "convergence_rel_change": "conv_rel", "margin_lowered": "updates",
            "margin_rose": "rises", "spearman": "rho", "final FD": "final_fd",
            "best FD": "best_fd", "final score": "final_score",
            "final mode entropy": "final_entropy",
            "FD(G epoch 1) / final FD": "fd_ratio_epoch1"}


def summary_record(per: dict[tuple[str, int], dict], seeds: Sequence[int]
                   ) -> tuple[dict, dict]:
  """summary.json's per-seed record and conditions from `_per_run`'s
  numbers, per[(arm, seed)]: the values of PER_SEED per arm, and the
  per-seed inputs of the rules' other conditions (E_fake at mid-run, FD
  fell, quality improved)."""
  arms = sorted({name for name, _ in per})
  record = sections.per_seed_record(seeds, {
      name: {metric: [per[(name, s)][key] for s in seeds]
             for metric, key in PER_SEED.items()} for name in arms})
  conditions = {"inputs": {name: {
      key: {str(s): per[(name, s)][key] for s in seeds}
      for key in ("fake_mid", "fd_fell", "improved")} for name in arms}}
  return record, conditions


# --------------------------------------------------- the paper-epoch set
def fresh_settings(seeds: Sequence[int], quick: bool,
                   fresh_seeds: Optional[Sequence[str]] = None,
                   g_epochs: Optional[int] = None,
                   split: Optional[str] = None
                   ) -> tuple[list[int], int, str]:
  """(fresh seeds, G epochs, train split) of the paper-epoch arm set from
  the values of --fresh_seeds, --fresh_g_epochs and --fresh_train_split
  (None: their defaults, the quick ones with `quick`).

  Raises:
    app.UsageError: a fresh seed is also in `seeds` (its rules are decided
      on seeds the first rules do not use), fewer than WINDOW_FIRST G
      epochs (the window would be empty) or an unknown split.
  """
  fresh = [int(s) for s in (fresh_seeds or (
      pe.QUICK_SEEDS if quick else pe.SEEDS))]
  shared = sorted(set(fresh) & set(seeds))
  if shared:
    raise app.UsageError(
        f"--fresh_seeds and --seeds share {shared}: the rules "
        f"{', '.join(r.id for r in pe.RULES)} are decided on seeds the first "
        "rules do not use; pick other fresh seeds.")
  g_epochs = g_epochs or (pe.QUICK_G_EPOCHS if quick else pe.G_EPOCHS)
  if g_epochs < pe.WINDOW_FIRST:
    raise app.UsageError(f"--fresh_g_epochs must be >= {pe.WINDOW_FIRST} "
                         f"(the window starts at G epoch {pe.WINDOW_FIRST}); "
                         f"got {g_epochs}.")
  split = split or (pe.QUICK_SPLIT if quick else pe.SPLIT)
  if split not in SPLIT_SIZES:
    raise app.UsageError(f"--fresh_train_split must be one of "
                         f"{sorted(SPLIT_SIZES)}; got {split!r}.")
  return fresh, g_epochs, split


def _fresh_per_run(model_dir: str, pretrain: int, steps_per_epoch: int,
                   last: int) -> dict[str, float]:
  """The numbers the paper-epoch rules use, for one run whose last G epoch
  is `last` (window: G epochs pe.WINDOW_FIRST..last)."""
  e = _energies(model_dir, pretrain)
  g, first = e["g_epoch"], pe.WINDOW_FIRST
  fd_steps, fd = readers.eval_series(model_dir, "fid")
  _, entropy = readers.eval_series(model_dir, "diversity")
  _, score = readers.eval_series(model_dir, "is")
  fd_epoch = fd_steps / steps_per_epoch - pretrain
  lowered, rose = pe.margin_moves(g, e["margin"], last)
  ratio, improved = pe.first_epoch_ratio(fd_epoch, fd, last)
  real, fake, conv = e["epoch_real"], e["epoch_fake"], e["convergence"]
  nan = float("nan")
  return dict(
      real_slope=pe.window_slope(g, real, first, last),
      fake_slope=pe.window_slope(g, fake, first, last),
      gap_slope=pe.window_slope(g, fake - real, first, last),
      conv_rel_slope=pe.relative_slope(g, conv, first, last),
      fake_at_start=pe.at_epoch(g, fake, first),
      lowered=lowered, rose=rose,
      rho=pe.window_rho(g, conv, fd_epoch, fd, first, last),
      fd_fell=pe.fd_fell(fd_epoch, fd, first, last),
      fd_ratio_epoch1=ratio, improved=improved,
      real_start=pe.at_epoch(g, real, first),
      real_end=pe.at_epoch(g, real, last),
      fake_end=pe.at_epoch(g, fake, last),
      conv_start=pe.at_epoch(g, conv, first),
      conv_end=pe.at_epoch(g, conv, last),
      margin_first=pe.at_epoch(g, e["margin"], 0 if pretrain else 1),
      margin_last=pe.at_epoch(g, e["margin"], last),
      final_fd=pe.at_epoch(fd_epoch, fd, last),
      best_fd=float(fd.min()) if fd.size else nan,
      final_score=float(score[-1]) if score.size else nan,
      final_entropy=float(entropy[-1]) if entropy.size else nan)


# The paper-epoch set's per-seed quantities in summary.json (arms
# pe.ARMS), by studies.redecide's name, from the keys of `_fresh_per_run`;
# the last four are the inputs of the rules' gates.
FRESH_PER_SEED = {
    "gap_slope": "gap_slope", "fake_slope": "fake_slope",
    "real_slope": "real_slope", "convergence_rel_slope": "conv_rel_slope",
    "spearman_window": "rho", "FD(G epoch 1) / final FD": "fd_ratio_epoch1",
    "final FD": "final_fd", "final score": "final_score",
    "final mode entropy": "final_entropy", "margin_rose": "rose",
    "margin_lowered": "lowered", "fake_at_window_start": "fake_at_start",
    "fd_fell_in_window": "fd_fell", "quality_improved": "improved"}


def fresh_record(per: dict[tuple[str, int], dict], seeds: Sequence[int]
                 ) -> dict:
  """summary.json's per-seed record of the paper-epoch set from
  `_fresh_per_run`'s numbers, per[(arm, seed)] with arm "MAGAN" / "EBGAN",
  under the arm names pe.ARMS."""
  return sections.per_seed_record(seeds, {
      pe.ARMS[name]: {metric: [float(per[(name, s)][key]) for s in seeds]
                      for metric, key in FRESH_PER_SEED.items()}
      for name in sorted({n for n, _ in per})})


def fresh_decisions(per: dict[tuple[str, int], dict], seeds: Sequence[int]
                    ) -> list[sr.Decision]:
  """The paper-epoch rules' decisions from `_fresh_per_run`'s numbers."""
  def arm(name, key):
    return [per[(name, s)][key] for s in seeds]
  return [
      pe.decide_ebgan_diverge(arm("EBGAN", "gap_slope"),
                              arm("EBGAN", "fake_slope"),
                              arm("EBGAN", "fake_at_start"), EBGAN_MARGIN,
                              seeds),
      pe.decide_magan_tandem(arm("MAGAN", "real_slope"),
                             arm("MAGAN", "fake_slope"),
                             arm("MAGAN", "lowered"), seeds),
      pe.decide_convergence_falls(arm("MAGAN", "conv_rel_slope"),
                                  arm("MAGAN", "lowered"), seeds),
      pe.decide_convergence_tracks(arm("MAGAN", "rho"), arm("EBGAN", "rho"),
                                   arm("MAGAN", "fd_fell"), seeds),
      pe.decide_first_epoch(arm("MAGAN", "fd_ratio_epoch1"),
                            arm("MAGAN", "improved"), seeds),
  ]


def _fresh_table(per: dict[tuple[str, int], dict], last: int) -> str:
  """Per seed and arm, the window's numbers the rules use."""
  w = f"G epochs {pe.WINDOW_FIRST}-{last}"
  rows = []
  for (name, seed), p in sorted(per.items(), key=lambda kv: (kv[0][1],
                                                             kv[0][0])):
    rows.append((
        pe.ARMS[name], seed,
        f"{p['real_start']:.1f} → {p['real_end']:.1f}",
        f"{p['fake_at_start']:.1f} → {p['fake_end']:.1f}",
        f"{p['real_slope']:+.2f} / {p['fake_slope']:+.2f} / "
        f"{p['gap_slope']:+.2f}",
        f"{p['conv_start']:.1f} → {p['conv_end']:.1f} "
        f"({100 * p['conv_rel_slope']:+.1f}%)",
        f"{p['margin_first']:.1f} → {p['margin_last']:.1f} "
        f"({p['lowered']} lowered, {p['rose']} rose)",
        sections.fmt(p["rho"], 2), sections.fmt(p["fd_ratio_epoch1"], 2),
        sections.fmt(p["final_fd"], 2), sections.fmt(p["best_fd"], 2),
        sections.fmt(p["final_score"], 2),
        sections.fmt(p["final_entropy"], 2)))
  return sections.markdown_table(
      ["arm", "seed", f"E_real {w}", f"E_fake {w}",
       f"slopes per G epoch, {w}: E_real / E_fake / E_fake - E_real",
       f"convergence measure {w} (relative slope per G epoch)",
       f"margin G epoch 0 → {last}",
       f"Spearman(measure, FD), {w}", "FD(G epoch 1) / final FD",
       "final FD", "best FD", "final score", "final mode entropy"], rows)


# ------------------------------------------------------------------ figures
def _energy_figure(runs, seeds, path: str) -> None:
  """MAGAN Fig. 1 / 4 layout over G epochs: (a) real and fake energies,
  (b) MAGAN's margin with its fake energy, (c) the convergence measure;
  one thin line per seed."""
  plt = figures.pyplot()
  fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
  colors = {"MAGAN": ("tab:blue", "tab:cyan"),
            "EBGAN": ("tab:orange", "tab:green")}
  for name in ARMS:
    for i, seed in enumerate(seeds):
      e = _energies(runs[(name, seed)].model_dir, PRETRAIN[name])
      real_c, fake_c = colors[name]
      label = (lambda s: s) if i == 0 else (lambda s: None)
      x = e["g_epoch"]
      axes[0].plot(x, e["epoch_real"], color=real_c, lw=1,
                   label=label(f"{name} real"))
      axes[0].plot(x, e["epoch_fake"], color=fake_c, ls="--", lw=1,
                   label=label(f"{name} fake"))
      axes[1].plot(x, e["epoch_fake"], color=fake_c, ls="--", lw=1,
                   label=label(f"{name} fake energy"))
      axes[1].plot(x, e["margin"], color=real_c, lw=2,
                   label=label(f"{name} margin"))
      axes[2].plot(x, e["convergence"], color=real_c, lw=1,
                   label=label(name))
  titles = ("(a) mean energy per epoch (sum of squared errors)",
            "(b) fake energy and margin", "convergence measure "
            "E_real + |E_real - E_fake|")
  for ax, title in zip(axes, titles):
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("G epoch (MAGAN's pre-training: <= 0)")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
  fig.tight_layout()
  figures.save_figure(fig, path)


def _quality_figure(runs, steps_per_epoch: int, path: str) -> None:
  """FD, classifier score and mode entropy over G epochs, every run."""
  panels = []
  for metric, title in (("fid", "FD (28x28 Fashion-MNIST classifier) ↓"),
                        ("is", "classifier score ↑"),
                        ("diversity", "mode entropy (nats, max 2.30)")):
    curves = {}
    for (n, s), r in runs.items():
      steps, v = readers.eval_series(r.model_dir, metric)
      curves[f"{n} s{s}"] = (steps / steps_per_epoch - PRETRAIN[n], v)
    panels.append((title, curves))
  figures.plot_metric_grid(path, panels, xlabel="G epoch")


# --------------------------------------------------------------------- main
def _stats_row(label: str, values: Sequence[float], digits: int = 3):
  return (label, SeedStats.of(values).format(digits))


def main(argv):
  del argv
  if not runner.register_rules(KEY, ALL_RULES):
    return
  quick = FLAGS.quick
  g_epochs = FLAGS.g_epochs or (2 if quick else 7)
  seeds = [int(s) for s in (FLAGS.seeds or (["0", "1"] if quick
                                            else ["0", "1", "2"]))]
  min_seeds = 2 if quick else sr.MIN_SEEDS
  if FLAGS.train_split not in SPLIT_SIZES:
    raise ValueError(f"--train_split must be one of {sorted(SPLIT_SIZES)}.")
  fresh_seeds, fresh_epochs, fresh_split = fresh_settings(
      seeds, quick, FLAGS.fresh_seeds, FLAGS.fresh_g_epochs,
      FLAGS.fresh_train_split)
  steps_per_epoch = SPLIT_SIZES[FLAGS.train_split] // BATCH
  root = paths.study_dirs(KEY, paths.runs_root(FLAGS.runs_root))
  classifier, info = runner.ensure_classifier("fashion_mnist", 28)
  eval_flags = {"classifier_path": classifier,
                "num_samples": FLAGS.num_samples, "num_groups": 10,
                "reference_split": "train", "reference_samples": 10000,
                "seed": 0}
  runs, per = {}, {}
  for seed in seeds:
    for name, cfg in ARMS.items():
      epochs = PRETRAIN[name] + g_epochs
      steps = epochs * steps_per_epoch
      every = (steps if quick else
               FLAGS.save_every_epochs * steps_per_epoch)
      run = f"{name.lower()}_seed{seed}"
      record = runner.train(run, os.path.join(root, run), cfg, dict(
          seed=seed, split=FLAGS.train_split, max_steps=steps,
          save_every=every, keep_checkpoints=steps // every + 2,
          image_every=steps, summary_every=steps_per_epoch))
      runner.evaluate(record, METRICS, eval_flags)
      runs[(name, seed)] = record
      per[(name, seed)] = _per_run(record.model_dir, PRETRAIN[name],
                                   steps_per_epoch)
  # The paper-epoch set: a checkpoint and evaluation at every epoch end, FD
  # against images of the split it does not train on.
  fresh_every = SPLIT_SIZES[fresh_split] // BATCH
  fresh_eval = dict(eval_flags, reference_split=(
      "test" if fresh_split == "train" else "train"))
  fresh_runs, fresh_per = {}, {}
  for seed in fresh_seeds:
    for name, cfg in ARMS.items():
      steps = (PRETRAIN[name] + fresh_epochs) * fresh_every
      run = f"{name.lower()}_paper_epoch_seed{seed}"
      record = runner.train(run, os.path.join(root, run), cfg, dict(
          seed=seed, split=fresh_split, max_steps=steps,
          save_every=fresh_every, keep_checkpoints=steps // fresh_every + 2,
          image_every=steps, summary_every=fresh_every))
      runner.evaluate(record, METRICS, fresh_eval)
      fresh_runs[(name, seed)] = record
      fresh_per[(name, seed)] = _fresh_per_run(
          record.model_dir, PRETRAIN[name], fresh_every, fresh_epochs)

  section = sections.Section(
      key=KEY, title="Study 4: MAGAN vs EBGAN on Fashion-MNIST",
      paper="MAGAN (margin adaptation), Sec. 3.2-4.5, Fig. 1, 4, 5",
      script="studies.magan_fmnist", protocol=[], claims=[], body=[],
      runs=list(runs.values()) + list(fresh_runs.values()),
      rules=ALL_RULES, quick=quick)
  res = section.results_dir
  _energy_figure(runs, seeds, os.path.join(res, "energies.png"))
  _quality_figure(runs, steps_per_epoch, os.path.join(res, "quality.png"))
  _energy_figure(fresh_runs, fresh_seeds,
                 os.path.join(res, "energies_paper_epoch.png"))
  _quality_figure(fresh_runs, fresh_every,
                  os.path.join(res, "quality_paper_epoch.png"))

  def arm(name, key):
    return [per[(name, s)][key] for s in seeds]

  decisions = [
      decide_ebgan_diverge(arm("EBGAN", "widening"), arm("EBGAN", "rise"),
                           arm("EBGAN", "fake_mid"), EBGAN_MARGIN,
                           min_seeds),
      decide_magan_tandem(arm("MAGAN", "real_change"),
                          arm("MAGAN", "fake_change"),
                          arm("MAGAN", "updates"), min_seeds),
      decide_margin_monotone(arm("MAGAN", "rises"), arm("MAGAN", "updates"),
                             min_seeds),
      decide_convergence_falls(arm("MAGAN", "conv_rel"),
                               arm("MAGAN", "updates"), min_seeds),
      decide_convergence_tracks(arm("MAGAN", "rho"), arm("MAGAN", "fd_fell"),
                                min_seeds),
      sr.compare(FD_VS_EBGAN, SeedStats.of(arm("MAGAN", "final_fd")),
                 SeedStats.of(arm("EBGAN", "final_fd")), False,
                 ("MAGAN", "EBGAN"), min_seeds=min_seeds),
      sr.compare(SCORE_VS_EBGAN, SeedStats.of(arm("MAGAN", "final_score")),
                 SeedStats.of(arm("EBGAN", "final_score")), True,
                 ("MAGAN", "EBGAN"), min_seeds=min_seeds),
      sr.threshold(BALANCED_CLASSES,
                   SeedStats.of(arm("MAGAN", "final_entropy")),
                   BALANCED_ENTROPY, True, "MAGAN mode entropy",
                   min_seeds=min_seeds),
      decide_stability(
          [run_failed(p["final_fd"], p["best_fd"], p["final_entropy"])
           for p in (per[("MAGAN", s)] for s in seeds)],
          [run_failed(p["final_fd"], p["best_fd"], p["final_entropy"])
           for p in (per[("EBGAN", s)] for s in seeds)], min_seeds),
      decide_first_epoch(arm("MAGAN", "fd_ratio_epoch1"),
                         arm("MAGAN", "improved"), min_seeds),
  ] + fresh_decisions(fresh_per, fresh_seeds)
  section.claims = [sections.Claim.decided(d) for d in decisions]
  section.per_seed, section.conditions = summary_record(per, seeds)
  section.per_seed.update(fresh_record(fresh_per, fresh_seeds))

  rows = []
  for (name, seed), p in per.items():
    rows.append((name, seed,
                 f"{p['real_first']:.1f} → {p['real_last']:.1f}",
                 f"{p['fake_first']:.1f} → {p['fake_last']:.1f}",
                 f"{p['widening']:+.1f} / {p['rise']:+.1f}",
                 f"{p['margin_first']:.1f} → {p['margin_last']:.1f} "
                 f"({p['updates']} lowered, {p['rises']} rose)",
                 f"{p['conv_first']:.1f} → {p['conv_last']:.1f}",
                 sections.fmt(p["rho"], 2), sections.fmt(p["final_fd"], 2),
                 sections.fmt(p["best_fd"], 2),
                 sections.fmt(p["final_score"], 2),
                 sections.fmt(p["final_entropy"], 2),
                 sections.fmt(p["fd_last_two_vs_best"], 2)))
  table = sections.markdown_table(
      ["arm", "seed", "E_real G epoch 1 → last", "E_fake G epoch 1 → last",
       "gap widening / fake rise, 2nd half", "margin (MAGAN)",
       "convergence measure 1 → last", "Spearman(measure, FD)", "final FD",
       "best FD", "final score", "final mode entropy",
       "min FD of last 2 checkpoints / best"], rows)
  summary = sections.markdown_table(
      ["quantity", "MAGAN", "EBGAN"],
      [(q, SeedStats.of(arm("MAGAN", k)).format(3),
        SeedStats.of(arm("EBGAN", k)).format(3))
       for q, k in (("final FD", "final_fd"), ("best FD", "best_fd"),
                    ("final classifier score", "final_score"),
                    ("final mode entropy (nats)", "final_entropy"),
                    ("E_real, last G epoch", "real_last"),
                    ("E_fake, last G epoch", "fake_last"),
                    ("convergence measure, last G epoch", "conv_last"))])
  n_img = SPLIT_SIZES[FLAGS.train_split]
  section.protocol = [
      ("data", f"Fashion-MNIST at its native 28x28 (no padding), the "
       f"{n_img:,}-image '{FLAGS.train_split}' split as training set "
       f"({steps_per_epoch} G steps per epoch at batch {BATCH}); the paper "
       "trains on MNIST's 60,000. Epochs of 60,000 images (937 steps, about "
       "2.3 min per epoch at the measured ~0.15 s per step) leave room for "
       "only ~1.5 epochs per run (6 runs) in the study's 30-minute budget, "
       "less than MAGAN's 2 pre-training epochs; the 10,000-image split "
       "gives the same per-epoch margin rule 6x more epochs. FD references "
       "come from the 60,000-image train split (held out from training)"),
      ("flagfiles", "magan_fmnist.cfg, ebgan_fmnist.cfg: the paper's MNIST "
       "networks (FC auto-encoder D 784-256-256-784, G "
       "(128)7c1s-(64)4c2s-(1)4c2s without batch norm, z 50), Adamax lr "
       "5e-4 beta1 0.5, batch 64; pixels in [-1, 1] with tanh outputs (the "
       "paper: [0, 1] with sigmoids, so energies here are 4x the paper's)"),
      ("arms", f"MAGAN: {PRETRAIN_EPOCHS} pre-training epochs with m = 0, "
       "first margin from a pass over the training images, then the "
       f"per-epoch rule of Algorithm 1; EBGAN: fixed m = {EBGAN_MARGIN:g}, "
       "the paper's MNIST baseline m = 30 (Sec. 4.5) in [-1, 1] units; "
       "its other baseline m = 70 (280 here) is not run (budget)"),
      ("length and stopping", f"a stated budget of {g_epochs} G epochs per "
       f"run (MAGAN {PRETRAIN_EPOCHS + g_epochs} epochs in all), both arms "
       "the same number of G updates; seeds "
       f"{', '.join(map(str, seeds))}. Whether the FD had stopped improving "
       "is reported per run (min FD of the last two checkpoints / best FD; "
       "1.00 = the best was at the end, so longer runs might still gain)"),
      ("energies", "epoch means logged by the objective (real energy from "
       "the D steps, fake from the G steps), as in Algorithm 1"),
      ("evaluation", ("final checkpoint only" if quick else
                      f"every {FLAGS.save_every_epochs} epochs")
       + f", {FLAGS.num_samples} samples, eval.run metrics {METRICS}; "
       "feature network: the offline 28x28 Fashion-MNIST classifier "
       f"({info.test_accuracy:.3f} held-out accuracy); no Inception FID "
       "(budget)"),
      ("verdicts", f"pre-registered rules above, over seeds (at least "
       f"{min_seeds} per arm)"),
      ("paper-epoch set", f"seeds {', '.join(map(str, fresh_seeds))} (rules "
       + ", ".join(f"`{r.id}`" for r in pe.RULES) + "): the same flagfiles "
       f"on the {SPLIT_SIZES[fresh_split]:,}-image '{fresh_split}' split "
       f"({fresh_every} G steps per epoch), {fresh_epochs} G epochs per run "
       f"(MAGAN {PRETRAIN_EPOCHS + fresh_epochs} epochs in all), a "
       "checkpoint and evaluation at every epoch end, FD references from "
       f"the '{fresh_eval['reference_split']}' split (not trained on); the "
       f"window of the rules is G epochs {pe.WINDOW_FIRST}-{fresh_epochs}; "
       "decided by 95% t intervals (studies.stats)"
       + ("" if fresh_split == pe.SPLIT and fresh_epochs == pe.G_EPOCHS
          else f". Not the registered {pe.STEPS_PER_EPOCH}-step epochs and "
          f"{pe.G_EPOCHS} G epochs: a pipeline check, its verdicts say "
          "nothing about the claims")),
  ]
  fresh_summary = sections.markdown_table(
      ["quantity"] + [pe.ARMS[n] for n in ARMS],
      [(q, *(SeedStats.of(fresh_per[(n, s)][k] for s in fresh_seeds
                          ).format(3) for n in ARMS))
       for q, k in (("final FD", "final_fd"), ("best FD", "best_fd"),
                    ("final classifier score", "final_score"),
                    ("final mode entropy (nats)", "final_entropy"),
                    ("slope of E_real per G epoch (window)", "real_slope"),
                    ("slope of E_fake per G epoch (window)", "fake_slope"),
                    ("slope of E_fake - E_real per G epoch (window)",
                     "gap_slope"),
                    ("relative slope of the convergence measure (window)",
                     "conv_rel_slope"),
                    ("Spearman(measure, FD) (window)", "rho"))])
  section.body = [
      summary, table,
      section.figure("energies.png", "Epoch energies, margins and the "
                     "convergence measure over G epochs, every seed (cf. "
                     "MAGAN Fig. 1 and 4)."),
      section.figure("quality.png", "Sample quality over training, every "
                     "seed."),
      f"Paper-epoch set (seeds {', '.join(map(str, fresh_seeds))}, "
      f"{fresh_every} G steps per epoch): means ± sample std over seeds; "
      f"the window is G epochs {pe.WINDOW_FIRST}-{fresh_epochs}.",
      fresh_summary, _fresh_table(fresh_per, fresh_epochs),
      section.figure("energies_paper_epoch.png", "Paper-epoch set: epoch "
                     "energies, margins and the convergence measure over G "
                     "epochs, every seed."),
      section.figure("quality_paper_epoch.png", "Paper-epoch set: sample "
                     "quality over training, every seed."),
  ]
  section.write()


if __name__ == "__main__":
  define_flags()
  app.run(main)
