"""Study 1: aw-loss on the mixture of 8 Gaussians (aw paper Sec. 5.3, Fig. 6;
Fig. 4's angles measured on the same runs).

The aw paper trains "a plain GAN as in [33]" (the unrolled-GAN paper) on
[33]'s mixture of 8 Gaussians and plots samples and per-mode mean D logits on
real points every 5,000 iterations up to 25,000; aw-GAN is the same GAN with
aw-loss. configs/aw_ring8_unrolled.cfg is [33]'s setting (its comments give
the source of every value); the plain arm adds --gradient_angles=true (the
Fig. 4 angles, no effect on the updates), the aw arm --aw=true. Both arms of a
seed start from the same G and D weights (checked here) and see the same
data and noise. Every checkpoint is evaluated with eval.run (modes covered,
high-quality fraction, SQD diversity on 2,000 samples).

A second set of runs on fresh seeds (5-9; --fresh_seeds) decides the rules
registered after the first ones' results were seen (issue 22): both arms
collapse to one broad blob that hops between modes, which the first rules'
measure (>= 1% of the samples within 3 std = 0.06 of a centre) misses. These
rules measure the blob: each sample is assigned to its nearest mode, a mode
is covered by its assigned share, and the blob's moves are the changes of
the dominant mode across the saved checkpoints.

  python -m studies.aw_ring8 [--quick] [--steps=N] [--seeds=0,1]
      [--fresh_seeds=5,6]
"""

from __future__ import annotations

import os
import tempfile
from typing import Optional, Sequence

from absl import app
from absl import flags
import numpy as np
import tensorflow as tf

from studies import amendments
from studies import figures
from studies import paths
from studies import readers
from studies import runner
from studies import sections
from studies import rules as sr
from studies import stats as st
from tfgan_ext import workspace
from tfgan_ext.data.mixtures import mixture_centers, sample_mixture
from tfgan_ext.evaluation.restore import restore_networks
from tfgan_ext.metrics.domain_networks import COVERED_SHARE

FLAGS = flags.FLAGS


def define_flags() -> None:
  """This script's flags; defined only when it runs (tests import
  several study scripts into one process)."""
  flags.DEFINE_integer("steps", 0, "G steps per run; 0 = 25,000 (the paper's "
                       "horizon), 5,000 with --quick (one Fig. 6 "
                       "checkpoint: the mode-change rule cannot decide).")
  flags.DEFINE_list("seeds", [], "Seeds, one run per arm each; empty = 0-4, "
                    "0-2 with --quick.")
  flags.DEFINE_list("fresh_seeds", [], "Seeds of the runs that decide the "
                    "rules coverage_assigned and dominant_mode_hops, none of "
                    "them in --seeds; empty = 5-9, 5-7 with --quick.")
  flags.DEFINE_integer("save_every", 2500, "Checkpoint (and eval) interval; "
                       "the Fig. 6 steps (multiples of 5,000) must be among "
                       "them.")
  flags.DEFINE_integer("num_samples", 2000, "Generated points per evaluation "
                       "and per Fig. 6 panel.")
  flags.DEFINE_integer("summary_every", 10, "Steps between logged scalars "
                       "(the angles are single-step values at these steps).")



KEY = "aw_ring8"
FLAGFILE = "aw_ring8_unrolled"
FULL_STEPS, QUICK_STEPS = 25_000, 5_000
FULL_SEEDS, QUICK_SEEDS = ("0", "1", "2", "3", "4"), ("0", "1", "2")
# Seeds of the blob rules' runs, apart from the seeds the first rules were
# decided (and their results seen) on.
FRESH_SEEDS, QUICK_FRESH_SEEDS = ("5", "6", "7", "8", "9"), ("5", "6", "7")
FIG6_EVERY = 5000         # The paper's plotting interval.
ANGLE_STEPS = 500         # Fig. 4 looks at early iterations.
VARIANTS = {"plain": {"aw": False, "gradient_angles": True},
            "aw": {"aw": True}}
METRICS = "modes_covered,quality,diversity"
ANGLES = ("angle_real_fake", "angle_real_applied", "angle_fake_applied")
NUM_MODES = 8
COLLAPSED_MODES = 6       # "Collapsed": at most this many modes covered.
ALL_MODES_LEVEL = 7.0     # aw's mean must reach this to "cover all 8".
NEAR_ZERO = 0.5           # |mean real logit| below this is "near 0".
# A mode is covered by its assigned share when it holds at least half the
# share 1/8 that every mode has in the data.
ASSIGNED_SHARE = 1.0 / 16
NO_MODE = -1              # The dominant "mode" when no sample is assigned.

# ----------------------------------------------------------------- rules
# Registered before any run (studies/results/aw_ring8/rules.json); never
# edited after.
RULE_COVERAGE = sr.Rule(
    "coverage_final",
    "Plain GAN collapses to a few modes; aw-GAN covers all 8 (Fig. 6 rows 1 "
    "and 3)",
    "Per seed, modes covered at the last checkpoint (eval.run modes_covered "
    "on 2,000 samples: a mode is covered when >= 1% of the samples lie "
    "within 3 std of its centre). Gate: if fewer than half of the plain "
    "seeds cover <= 6 modes there, the collapse did not occur -> "
    "inconclusive. Otherwise, means +- sample std over seeds: reproduced if "
    "aw's mean exceeds plain's by more than the summed std and aw's mean is "
    ">= 7; not reproduced if aw's mean is below plain's by more than the "
    "summed std; inconclusive in every other case (overlap, or aw better "
    "but short of 7 modes, or < 3 seeds per arm).")
RULE_WANDERING = sr.Rule(
    "mode_changes",
    "Plain GAN's samples converge to some modes and then move off "
    "(instability); aw-GAN's do not",
    "Per seed, the set of covered modes (same definition, from 2,000 "
    "samples with a fixed latent seed) at every multiple of 5,000 steps; "
    "count the consecutive pairs of these checkpoints whose sets differ "
    "(0-4 changes over 5k..25k). Gate: if plain's mean count is < 1, plain "
    "did not wander -> inconclusive. Otherwise: reproduced if aw's mean "
    "count is below plain's by more than the summed std, not reproduced if "
    "above it by more than the summed std, else inconclusive.")
RULE_REAL_HIGHER = sr.Rule(
    "real_scores_higher",
    "aw-GAN's D keeps high scores on real data of all 8 modes, plain "
    "GAN's does not (Fig. 6 rows 2 and 4)",
    "Per seed and checkpoint (multiples of 5,000 steps), D's mean logit on "
    "100 fresh real points of each mode; the seed's value is the lowest of "
    "the 8 per-mode means, averaged over its checkpoints. Reproduced if "
    "aw's mean exceeds plain's by more than the summed std, not reproduced "
    "if it is below by more than the summed std, else inconclusive.")
RULE_PLAIN_NEAR_ZERO = sr.Rule(
    "plain_real_near_zero",
    "Plain GAN's real scores stay around 0 (probability 0.5) and are "
    "uneven across modes (Fig. 6 row 2)",
    "Per plain seed, |mean over the 8 modes of the per-mode mean real "
    "logit|, averaged over its 5k-multiple checkpoints. Reproduced if the "
    "mean over seeds plus its std is < 0.5 and the per-mode spread (std "
    "over modes, averaged likewise) of plain exceeds aw's by more than the "
    "summed std; not reproduced if the mean minus its std is > 0.5, or "
    "plain's spread is below aw's by more than the summed std; else "
    "inconclusive.")
RULE_ANGLES = sr.Rule(
    "angles_early",
    "Fig. 4: with the plain loss the angle between the real- and fake-loss "
    "gradients is obtuse and the applied D gradient often points against "
    "the real-loss gradient (angle > 90 deg); with aw-loss it rarely does",
    "Logged single-step angles over all of D's variables in the first 500 "
    "steps (every --summary_every steps), per seed. Gate: if plain's median "
    "angle(grad Lr, grad Lf), averaged over seeds, is <= 90 deg, the "
    "situation aw addresses did not occur -> inconclusive. Otherwise the "
    "share of logged steps with angle(grad Lr, applied) > 90 deg: "
    "reproduced if aw's mean share is below plain's by more than the summed "
    "std, not reproduced if above it by more than the summed std, else "
    "inconclusive. (The paper measures this on CIFAR-10 DCGAN; here it is "
    "the mixture's runs.)")
# Amended after the runs (both verdicts are reported).
RULE_COVERAGE_AMENDED = sr.Rule(
    "coverage_final_aw_short",
    RULE_COVERAGE.claim,
    "Same per-seed counts and gate as `coverage_final`. Not reproduced if "
    "aw's mean plus its std is below 7 modes (aw itself falls short of "
    "covering all 8 beyond its seed spread, whatever plain did); "
    "reproduced if aw's mean minus its std is >= 7 and aw's mean exceeds "
    "plain's by more than the summed std; inconclusive otherwise (or < 3 "
    "seeds per arm).",
    amends="coverage_final",
    why_amended="found after the runs: `coverage_final` returns "
    "inconclusive whenever aw is short of 7 modes but not worse than plain "
    "beyond the spread, even when aw covers no mode in any seed; the "
    "claim's second half (aw-GAN covers all 8) is then plainly not met")
RULES = (RULE_COVERAGE, RULE_WANDERING, RULE_REAL_HIGHER,
         RULE_PLAIN_NEAR_ZERO, RULE_ANGLES, RULE_COVERAGE_AMENDED)
# Registered after the runs (issue 22): the t rule and its amendment of
# each comparison claim above, decided by studies.redecide from the
# per-seed values; the report shows both verdicts.
REGISTERED = RULES + amendments.for_study(KEY, RULES)
# Registered after those results were seen and before the runs that decide
# them (issue 22): the same claims measured on the blob both arms collapse
# to, on fresh seeds. They are t rules from the start (no `_t95` amendment).
RULE_COVERAGE_ASSIGNED = sr.Rule(
    "coverage_assigned",
    RULE_COVERAGE.claim,
    "Registered before its runs (issue 22) and decided on fresh seeds 5-9 "
    "only (the rules above keep their seeds 0-4 and results), with the same "
    "arms, flagfile and 25,000 G steps. Per seed and arm, 2,000 samples of "
    "G at the last checkpoint (fixed latents, as Fig. 6). Each sample is "
    "assigned to its nearest mode centre if it lies within half the "
    "distance between neighbouring centres (0.765; these discs do not "
    "overlap), else to no mode; a mode is covered when its assigned share "
    "of all 2,000 samples is >= 1/16, half the 1/8 every mode has in the "
    "data (a mode holding 1/8 falls below 1/16 by sampling alone with "
    "negligible probability: 8.5 binomial std at n = 2,000). A broad blob "
    "on one mode covers that mode; a blob straddling two neighbours covers "
    "both. Gate: if fewer than half of the plain seeds cover <= 6 modes, "
    "the collapse did not occur -> inconclusive. Otherwise two parts, each "
    "by rule `t_rule_95` (studies.stats, 95%): (1) d = aw - plain covered "
    "modes per seed, paired t (the arms share seeds, initial weights and "
    "data), claim d > 0; (2) d = aw's covered modes - 7 (the level of "
    "`coverage_final` for covering all 8), one-sample t, claim d > 0. "
    "Reproduced when both 95% intervals lie above 0; not reproduced when "
    "either lies wholly below 0; inconclusive otherwise (an interval that "
    "contains 0, or fewer than 2 seeds per arm).")
RULE_DOMINANT_HOPS = sr.Rule(
    "dominant_mode_hops",
    RULE_WANDERING.claim,
    "Registered before its runs (issue 22) and decided on the runs of "
    "`coverage_assigned` (fresh seeds 5-9, 25,000 G steps). Per seed and "
    "arm, at every checkpoint the study saves (every 2,500 steps: 2,500 to "
    "25,000, 10 checkpoints), 2,000 samples of G (fixed latents) assigned "
    "to modes as in `coverage_assigned`; the dominant mode is the mode with "
    "the largest assigned share (the lowest index on a tie; no mode when no "
    "sample is assigned); the seed's hops are the consecutive checkpoint "
    "pairs whose dominant modes differ (0-9; no mode counts as a value). A "
    "blob that moves to another mode hops whether or not it lies within 3 "
    "std of a centre. Gate: if plain's mean hops is < 1, plain did not "
    "wander -> inconclusive. "
    "Otherwise, by rule `t_rule_95` (studies.stats, 95%): d = aw - plain "
    "hops per seed, paired t (the arms share seeds, initial weights and "
    "data), claim d < 0. Reproduced when the 95% interval of d lies below "
    "0, not reproduced when it lies above 0, inconclusive otherwise (it "
    "contains 0, or fewer than 2 seeds per arm).")
FRESH_RULES = (RULE_COVERAGE_ASSIGNED, RULE_DOMINANT_HOPS)
ALL_RULES = REGISTERED + FRESH_RULES


# ------------------------------------------------------- decision logic
def _plain_collapsed(plain: sr.SeedStats) -> tuple[bool, str]:
  """The coverage rules' gate: plain covers <= COLLAPSED_MODES modes in at
  least half of its seeds."""
  collapsed = int(np.sum(plain.finite <= COLLAPSED_MODES))
  return (plain.n > 0 and collapsed >= int(np.ceil(plain.n / 2)),
          f"plain collapsed (<= {COLLAPSED_MODES} modes) in only "
          f"{collapsed} of {plain.n} seeds: the effect did not occur")


def decide_coverage(aw: sr.SeedStats, plain: sr.SeedStats) -> sr.Decision:
  """RULE_COVERAGE on modes covered at the last checkpoint, per seed."""
  d = sr.compare(RULE_COVERAGE, aw, plain, higher_is_better=True,
                 names=("aw", "plain"), occurred=_plain_collapsed(plain))
  if d.verdict == sr.REPRODUCED and aw.mean < ALL_MODES_LEVEL:
    return sr.Decision(RULE_COVERAGE, sr.INCONCLUSIVE,
                       f"{d.evidence}; but aw's mean {aw.mean:.2f} < "
                       f"{ALL_MODES_LEVEL:g} modes: it does not cover all 8")
  return d


def decide_coverage_amended(aw: sr.SeedStats, plain: sr.SeedStats
                            ) -> sr.Decision:
  """RULE_COVERAGE_AMENDED: aw short of all modes decides against the
  claim."""
  rule = RULE_COVERAGE_AMENDED
  text = f"aw {aw.format()} vs plain {plain.format()}"
  occurred, why = _plain_collapsed(plain)
  if not occurred:
    return sr.Decision(rule, sr.INCONCLUSIVE, f"{text}; {why}")
  if min(aw.n, plain.n) < sr.MIN_SEEDS:
    return sr.Decision(rule, sr.INCONCLUSIVE,
                       f"{text}; fewer than {sr.MIN_SEEDS} seeds in an arm")
  if aw.mean + aw.std < ALL_MODES_LEVEL:
    return sr.Decision(rule, sr.NOT_REPRODUCED,
                       f"{text}: aw's mean + std {aw.mean + aw.std:.2f} < "
                       f"{ALL_MODES_LEVEL:g} modes")
  if (aw.mean - aw.std >= ALL_MODES_LEVEL
      and aw.mean - plain.mean > aw.std + plain.std):
    return sr.Decision(rule, sr.REPRODUCED,
                       f"{text}: aw covers >= {ALL_MODES_LEVEL:g} modes "
                       "beyond its spread and beats plain by more than the "
                       "summed std")
  return sr.Decision(rule, sr.INCONCLUSIVE,
                     f"{text}: aw near {ALL_MODES_LEVEL:g} modes or not "
                     "ahead of plain beyond the spread")


def covered_modes(points: np.ndarray, centers: np.ndarray, std: float,
                  share: float = COVERED_SHARE) -> frozenset:
  """Modes holding >= `share` of the points within 3 std of their centre
  (each point counts for its nearest centre), as eval's modes_covered."""
  dist = np.linalg.norm(points[:, None, :] - centers[None], axis=-1)
  nearest = dist.argmin(axis=1)
  close = dist[np.arange(len(points)), nearest] <= 3 * std
  counts = np.bincount(nearest[close], minlength=len(centers))
  return frozenset(int(m) for m in np.flatnonzero(counts >= share
                                                  * len(points)))


def mode_changes(sets: list) -> int:
  """Consecutive checkpoints whose covered-mode sets differ."""
  return sum(a != b for a, b in zip(sets, sets[1:]))


# ------------------------------------------ the blob measures (issue 22)
def assignment_radius(centers: np.ndarray) -> float:
  """Half the smallest distance between two centres [k, 2] (k >= 2): discs
  of this radius around the centres do not overlap (0.765 on the ring of
  radius 2)."""
  centers = np.asarray(centers, np.float64)
  if centers.ndim != 2 or len(centers) < 2:
    raise ValueError(f"centers must have shape [k >= 2, dims]; got "
                     f"{centers.shape}.")
  dist = np.linalg.norm(centers[:, None] - centers[None], axis=-1)
  return 0.5 * float(dist[~np.eye(len(centers), dtype=bool)].min())


def assign_modes(points: np.ndarray, centers: np.ndarray,
                 radius: Optional[float] = None) -> np.ndarray:
  """Each point's nearest mode, or NO_MODE when it is farther than `radius`
  from that mode's centre.

  Args:
    points: generated samples, shape [n, 2].
    centers: the mode centres, shape [k, 2].
    radius: the largest distance assigned; default `assignment_radius`
      (every point of the non-overlapping discs is assigned; points far
      from every mode, e.g. at the ring's centre, are not).

  Returns:
    int array [n] of mode indices in 0..k-1, or NO_MODE.
  """
  points = np.asarray(points, np.float64)
  centers = np.asarray(centers, np.float64)
  if points.ndim != 2 or points.shape[1] != centers.shape[1]:
    raise ValueError(f"points must have shape [n, {centers.shape[1]}]; got "
                     f"{points.shape}.")
  radius = assignment_radius(centers) if radius is None else radius
  dist = np.linalg.norm(points[:, None, :] - centers[None], axis=-1)
  nearest = dist.argmin(axis=1)
  close = dist[np.arange(len(points)), nearest] <= radius
  return np.where(close, nearest, NO_MODE)


def assigned_shares(points: np.ndarray, centers: np.ndarray,
                    radius: Optional[float] = None) -> np.ndarray:
  """Share of all the points assigned to each mode (`assign_modes`).

  Args:
    points: shape [n, 2], n >= 1.
    centers: shape [k, 2].
    radius: as `assign_modes`.

  Returns:
    float array [k]; it sums to 1 minus the share of unassigned points.
  """
  modes = assign_modes(points, centers, radius)
  if modes.size == 0:
    raise ValueError("assigned_shares needs at least one point.")
  return np.bincount(modes[modes != NO_MODE],
                     minlength=len(centers)) / modes.size


def modes_by_share(shares: np.ndarray,
                   threshold: float = ASSIGNED_SHARE) -> int:
  """Modes whose assigned share [k] is >= `threshold` (default 1/16)."""
  return int(np.sum(np.asarray(shares) >= threshold))


def dominant_mode(shares: np.ndarray) -> int:
  """The mode with the largest assigned share [k] (the lowest index on a
  tie), or NO_MODE when no point is assigned."""
  shares = np.asarray(shares)
  return NO_MODE if not np.any(shares > 0) else int(np.argmax(shares))


def dominant_hops(modes: Sequence[int]) -> int:
  """Consecutive checkpoints whose dominant modes differ (NO_MODE counts
  as a mode of its own)."""
  return sum(int(a != b) for a, b in zip(modes, modes[1:]))


def _t_part(d: st.Decision) -> str:
  return f"{d.verdict} ({d.reason}; {d.evidence})"


def decide_coverage_assigned(aw: sr.SeedStats, plain: sr.SeedStats
                             ) -> sr.Decision:
  """RULE_COVERAGE_ASSIGNED on the modes covered by assigned share at the
  last checkpoint, per seed (values in the same seed order in both arms)."""
  rule = RULE_COVERAGE_ASSIGNED
  ahead = st.decide(aw.values, plain.values, st.HIGHER, is_paired=True,
                    names=("aw", "plain"), unit="modes")
  level = st.decide_value(aw.values, ALL_MODES_LEVEL, st.HIGHER,
                          names=("aw modes covered", f"{ALL_MODES_LEVEL:g}"),
                          unit="modes")
  evidence = (f"aw above plain: {_t_part(ahead)}; aw covers >= "
              f"{ALL_MODES_LEVEL:g}: {_t_part(level)}")
  occurred, why = _plain_collapsed(plain)
  if not occurred:
    return sr.Decision(rule, sr.INCONCLUSIVE, f"{why}; {evidence}")
  return sr.Decision(rule, st.all_of([ahead.verdict, level.verdict]),
                     evidence)


def decide_dominant_hops(aw: sr.SeedStats, plain: sr.SeedStats
                         ) -> sr.Decision:
  """RULE_DOMINANT_HOPS on the dominant-mode hops per seed (values in the
  same seed order in both arms)."""
  rule = RULE_DOMINANT_HOPS
  d = st.decide(aw.values, plain.values, st.LOWER, is_paired=True,
                names=("aw", "plain"), unit="hops")
  if not (plain.n > 0 and plain.mean >= 1.0):
    return sr.Decision(rule, sr.INCONCLUSIVE,
                       f"plain's mean count of dominant-mode hops is "
                       f"{plain.mean:.2f} < 1: it did not wander; "
                       f"{_t_part(d)}")
  return sr.Decision(rule, d.verdict, f"{d.reason}; {d.evidence}")


def decide_wandering(aw: sr.SeedStats, plain: sr.SeedStats) -> sr.Decision:
  occurred = (plain.n > 0 and plain.mean >= 1.0,
              f"plain's mean count of mode-set changes is {plain.mean:.2f} "
              "< 1: it did not wander")
  return sr.compare(RULE_WANDERING, aw, plain, higher_is_better=False,
                    names=("aw", "plain"), occurred=occurred)


def decide_real_higher(aw: sr.SeedStats, plain: sr.SeedStats
                       ) -> sr.Decision:
  return sr.compare(RULE_REAL_HIGHER, aw, plain, higher_is_better=True,
                    names=("aw", "plain"))


def decide_plain_near_zero(plain_abs: sr.SeedStats, plain_spread: sr.SeedStats,
                           aw_spread: sr.SeedStats) -> sr.Decision:
  level = sr.threshold(RULE_PLAIN_NEAR_ZERO, plain_abs, NEAR_ZERO,
                       higher_is_better=False, name="plain |mean logit|")
  uneven = sr.compare(RULE_PLAIN_NEAR_ZERO, plain_spread, aw_spread,
                      higher_is_better=True,
                      names=("plain spread", "aw spread"))
  evidence = f"{level.evidence}; {uneven.evidence}"
  if sr.NOT_REPRODUCED in (level.verdict, uneven.verdict):
    verdict = sr.NOT_REPRODUCED
  elif level.verdict == uneven.verdict == sr.REPRODUCED:
    verdict = sr.REPRODUCED
  else:
    verdict = sr.INCONCLUSIVE
  return sr.Decision(RULE_PLAIN_NEAR_ZERO, verdict, evidence)


def decide_angles(plain_median_rf: sr.SeedStats, aw_share: sr.SeedStats,
                  plain_share: sr.SeedStats) -> sr.Decision:
  occurred = (plain_median_rf.n > 0 and plain_median_rf.mean > 90.0,
              f"plain's median angle(grad Lr, grad Lf) averages "
              f"{plain_median_rf.mean:.1f} deg <= 90")
  return sr.compare(RULE_ANGLES, aw_share, plain_share,
                    higher_is_better=False, names=("aw", "plain"),
                    occurred=occurred)


# ------------------------------------------------------------- settings
def _steps() -> int:
  return FLAGS.steps or (QUICK_STEPS if FLAGS.quick else FULL_STEPS)


def _seeds() -> list[int]:
  return [int(s) for s in (FLAGS.seeds or (QUICK_SEEDS if FLAGS.quick
                                           else FULL_SEEDS))]


def _fresh_seeds(seeds: Sequence[int]) -> list[int]:
  """--fresh_seeds (or its default); raises app.UsageError when one of them
  is also in `seeds` (the blob rules are decided on seeds of their own)."""
  fresh = [int(s) for s in (FLAGS.fresh_seeds or (
      QUICK_FRESH_SEEDS if FLAGS.quick else FRESH_SEEDS))]
  shared = sorted(set(fresh) & set(seeds))
  if shared:
    raise app.UsageError(
        f"--fresh_seeds and --seeds share {shared}: the rules "
        f"{', '.join(r.id for r in FRESH_RULES)} are decided on seeds the "
        "first rules do not use; pick other fresh seeds.")
  return fresh


def saved_steps(steps: int, save_every: int) -> list[int]:
  """The steps a run of `steps` G steps saves a checkpoint at: every
  `save_every` steps and the last one (the dominant-mode hops' steps)."""
  saved = list(range(save_every, steps + 1, save_every))
  return saved if saved and saved[-1] == steps else saved + [steps]


def fig6_steps(steps: int, save_every: int) -> list[int]:
  """The Fig. 6 checkpoints: multiples of 5,000 up to `steps` (the last
  step alone for runs shorter than 5,000); all must be saved."""
  fixed = list(range(FIG6_EVERY, steps + 1, FIG6_EVERY)) or [steps]
  bad = [s for s in fixed if s % save_every and s != steps]
  if bad:
    raise ValueError(f"--save_every={save_every} skips the Fig. 6 steps "
                     f"{bad}; use a divisor of {FIG6_EVERY}.")
  return fixed


# ------------------------------------------------------------- training
def _train_all(root: str, seeds: list[int], steps: int,
               evaluate: bool = True
               ) -> dict[tuple[str, int], runner.RunRecord]:
  """Trains both arms of every seed (reusing finished runs) and, with
  `evaluate`, evaluates every checkpoint with eval.run."""
  runs = {}
  for seed in seeds:
    for variant, extra in VARIANTS.items():
      name = f"{variant}_seed{seed}"
      flags_ = dict(extra, seed=seed, max_steps=steps,
                    save_every=FLAGS.save_every,
                    keep_checkpoints=steps // FLAGS.save_every + 2,
                    summary_every=FLAGS.summary_every, image_every=steps)
      record = runner.train(name, os.path.join(root, name), FLAGFILE, flags_)
      if evaluate:
        runner.evaluate(record, METRICS, {"num_samples": FLAGS.num_samples,
                                          "num_groups": 1, "seed": 0})
      runs[(variant, seed)] = record
  return runs


def initial_weights(config) -> list[np.ndarray]:
  """G's then D's variables right after a Trainer for `config` is built
  (nothing is trained; the Trainer writes only into a temporary folder)."""
  from tfgan_ext.train.trainer import Trainer  # Heavy; only when checking.
  with tempfile.TemporaryDirectory() as tmp:
    trainer = Trainer(config, tmp)
    return [v.numpy() for v in (trainer.generator.variables
                                + trainer.discriminator.variables)]


def check_same_start(model_dirs: tuple[str, str]) -> None:
  """Raises unless the two runs' saved configs build identical initial G
  and D weights (the arms of one seed must start from the same point)."""
  a, b = (initial_weights(workspace.load_config(d)) for d in model_dirs)
  if len(a) != len(b) or not all(np.array_equal(x, y) for x, y in zip(a, b)):
    raise AssertionError(f"{model_dirs[0]} and {model_dirs[1]} do not start "
                         "from the same weights.")


# ------------------------------------------------------------- analysis
def _samples(networks, model_dir: str, step: int, n: int) -> np.ndarray:
  """G's n samples [n, 2] at checkpoint `step` (fixed latents); restores G
  and D of `networks` = workspace.build_models_for(model_dir)."""
  config, g, d = networks
  restore_networks(os.path.join(model_dir, f"ckpt-{step}"), g, d)
  z = tf.random.stateless_normal([n, config.model.z_dim], [7, 7])
  return g(z, tf.zeros([n], tf.int32), training=False).numpy()


def _points_and_scores(networks, model_dir: str, step: int, n: int
                       ) -> tuple[np.ndarray, np.ndarray]:
  """G samples at `step` (fixed latents) and D's mean logit on 100 real
  points per mode; `networks` = workspace.build_models_for(model_dir)."""
  config, _, d = networks
  points = _samples(networks, model_dir, step, n)
  centers, std = mixture_centers(config.dataset)
  rng = np.random.RandomState(11)
  scores = []
  for c in centers:
    real = (c + std * rng.randn(100, 2)).astype(np.float32)
    logits, _ = d(real, None, training=False)
    scores.append(float(np.mean(logits.numpy())))
  return points, np.array(scores)


def _fig6(runs, seed: int, steps: list[int], path: str) -> dict:
  """Fig. 6 layout for one seed: per arm a row of samples and a row of
  per-mode mean real D logits. Returns {(variant, step): (points, scores)}."""
  plt = figures.pyplot()
  dataset = workspace.load_config(runs[("plain", seed)].model_dir).dataset
  centers, _ = mixture_centers(dataset)
  lim = 1.3 * np.abs(centers).max() + 0.2
  real, _ = sample_mixture(dataset, 1000, seed=3)
  fig, axes = plt.subplots(2 * len(VARIANTS), len(steps) + 1,
                           figsize=(2.2 * (len(steps) + 1),
                                    2.2 * 2 * len(VARIANTS)), squeeze=False)
  out = {}
  for r, variant in enumerate(VARIANTS):
    model_dir = runs[(variant, seed)].model_dir
    networks = workspace.build_models_for(model_dir)
    for c, step in enumerate(steps):
      points, scores = _points_and_scores(networks, model_dir, step,
                                          FLAGS.num_samples)
      out[(variant, step)] = (points, scores)
      ax = axes[2 * r, c]
      ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4)
      ax.scatter(centers[:, 0], centers[:, 1], s=12, c="red", marker="x")
      ax.set_xlim(-lim, lim)
      ax.set_ylim(-lim, lim)
      ax.set_xticks([])
      ax.set_yticks([])
      ax.set_title(f"{variant} step {step}", fontsize=8)
      ax = axes[2 * r + 1, c]
      ax.bar(np.arange(NUM_MODES), scores)
      ax.axhline(0, color="k", lw=0.5)
      ax.set_title("mean D logit per mode", fontsize=7)
      ax.tick_params(labelsize=6)
    axes[2 * r, -1].scatter(real[:, 0], real[:, 1], s=2, c="green")
    axes[2 * r, -1].set_title("real data", fontsize=8)
    axes[2 * r, -1].set_xlim(-lim, lim)
    axes[2 * r, -1].set_ylim(-lim, lim)
    axes[2 * r + 1, -1].axis("off")
  fig.tight_layout()
  figures.save_figure(fig, path)
  return out


def _blob_series(model_dir: str, steps: Sequence[int], n: int
                 ) -> tuple[np.ndarray, list]:
  """At each checkpoint of `steps`, n samples of G (fixed latents): their
  assigned shares, shape [len(steps), modes], and the modes the first
  rules' measure covers there (`covered_modes`), one set per step."""
  networks = workspace.build_models_for(model_dir)
  centers, std = mixture_centers(networks[0].dataset)
  shares, sets = [], []
  for step in steps:
    points = _samples(networks, model_dir, step, n)
    shares.append(assigned_shares(points, centers))
    sets.append(covered_modes(points, centers, std))
  return np.stack(shares), sets


def _share_figure(shares: dict, seeds: Sequence[int], steps: Sequence[int],
                  path: str) -> None:
  """Per fresh seed (rows) and arm (columns): the assigned share of each
  mode at each checkpoint, with the dominant mode marked."""
  plt = figures.pyplot()
  fig, axes = plt.subplots(len(seeds), len(VARIANTS),
                           figsize=(1.0 + 0.45 * len(steps) * len(VARIANTS),
                                    1.9 * len(seeds)), squeeze=False)
  for r, seed in enumerate(seeds):
    for c, variant in enumerate(VARIANTS):
      grid = shares[(variant, seed)].T  # [modes, checkpoints]
      ax = axes[r, c]
      image = ax.imshow(grid, aspect="auto", origin="lower", cmap="Blues",
                        vmin=0.0, vmax=1.0)
      dominant = [dominant_mode(x) for x in shares[(variant, seed)]]
      ax.plot(np.arange(len(steps)), dominant, "r.-", lw=0.8)
      ax.set_xticks(np.arange(len(steps)))
      ax.set_xticklabels([f"{t // 1000:g}k" if t % 1000 == 0 else str(t)
                          for t in steps], fontsize=6)
      ax.set_yticks(np.arange(grid.shape[0]))
      ax.tick_params(axis="y", labelsize=6)
      ax.set_title(f"{variant}, seed {seed}: {dominant_hops(dominant)} hops",
                   fontsize=8)
      if c == 0:
        ax.set_ylabel("mode", fontsize=7)
  fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.6,
               label="assigned share")
  figures.save_figure(fig, path)


def _angles(model_dir: str) -> dict[str, np.ndarray]:
  out = {}
  for name in ANGLES:
    steps, values = readers.train_series(model_dir, f"d/{name}")
    out["steps"], out[name] = steps, values
  return out


def _angle_figure(angles: dict, seed: int, path: str) -> None:
  plt = figures.pyplot()
  fig, axes = plt.subplots(len(VARIANTS), 2, figsize=(11, 3.2 * len(VARIANTS)),
                           squeeze=False)
  for r, variant in enumerate(VARIANTS):
    a = angles[(variant, seed)]
    early = a["steps"] <= ANGLE_STEPS
    for name in ANGLES:
      axes[r, 0].plot(a["steps"][early], a[name][early], label=name,
                      marker=".")
      axes[r, 1].plot(a["steps"], a[name], label=name, lw=0.4)
    for ax, span in zip(axes[r], (f"first {ANGLE_STEPS} steps",
                                  "whole run")):
      ax.axhline(90, color="k", ls="--", lw=0.8)
      ax.set_ylim(0, 180)
      ax.set_title(f"{variant}, seed {seed}: D-gradient angles (deg), "
                   f"{span}", fontsize=9)
      ax.set_xlabel("step")
      ax.legend(fontsize=7)
  fig.tight_layout()
  figures.save_figure(fig, path)


def _per_seed(fn, runs, variant: str, seeds) -> sr.SeedStats:
  return sr.SeedStats.of(fn(variant, s) for s in seeds)


def summary_record(seeds: list[int],
                   per_arm: dict[str, dict[str, sr.SeedStats]]) -> dict:
  """summary.json's per-seed record of the values the rules decide on.

  Args:
    seeds: the seeds, in the order of every SeedStats' values.
    per_arm: variant -> quantity -> SeedStats over `seeds`, with the
      quantities of PER_SEED (the names studies.redecide reads).

  Raises:
    KeyError: a quantity of PER_SEED missing for a variant.
  """
  return sections.per_seed_record(seeds, {
      v: {m: per_arm[v][m].values for m in PER_SEED} for v in per_arm})


# The per-seed quantities summary.json records (studies.redecide's names):
# modes covered at the last checkpoint, mode-set changes, the Fig. 6 real
# logits' lowest per-mode mean, |mean| and spread over modes (averaged over
# the checkpoints), and the early angles' share > 90 deg and median.
PER_SEED = ("modes_final", "mode_changes", "lowest_logit", "abs_mean_logit",
            "logit_spread", "share>90/angle_real_applied",
            "median/angle_real_fake")
# The blob rules' per-seed quantities, on the fresh seeds: modes covered by
# assigned share at the last checkpoint, and dominant-mode hops.
FRESH_PER_SEED = ("modes_assigned", "dominant_hops")


def add_fresh_record(record: dict, fresh_seeds: Sequence[int],
                     per_arm: dict[str, dict[str, sr.SeedStats]]) -> dict:
  """`record` (`summary_record`'s, seeds apart from `fresh_seeds`) with the
  blob rules' quantities FRESH_PER_SEED per fresh seed added under each arm.

  Raises:
    KeyError: a quantity of FRESH_PER_SEED missing for a variant.
  """
  fresh = sections.per_seed_record(fresh_seeds, {
      v: {m: per_arm[v][m].values for m in FRESH_PER_SEED} for v in per_arm})
  for variant, metrics in fresh.items():
    record.setdefault(variant, {}).update(metrics)
  return record


def main(argv):
  del argv
  steps, seeds = _steps(), _seeds()
  fresh_seeds = _fresh_seeds(seeds)
  fixed = fig6_steps(steps, FLAGS.save_every)
  saved = saved_steps(steps, FLAGS.save_every)
  if not runner.register_rules(KEY, ALL_RULES):
    return
  root = paths.study_dirs(KEY, paths.runs_root(FLAGS.runs_root))
  runs = _train_all(root, seeds, steps)
  # The blob rules' runs: G samples at every checkpoint, no eval.run.
  fresh_runs = _train_all(root, fresh_seeds, steps, evaluate=False)
  for seed in seeds:
    check_same_start((runs[("plain", seed)].model_dir,
                      runs[("aw", seed)].model_dir))
  for seed in fresh_seeds:
    check_same_start((fresh_runs[("plain", seed)].model_dir,
                      fresh_runs[("aw", seed)].model_dir))
  section = sections.Section(
      key=KEY, title="Study 1: aw-loss on the mixture of 8 Gaussians",
      paper="aw paper (adaptive weighted discriminator), Sec. 5.3 / Fig. 6 "
            "and Sec. 5.1 / Fig. 4; setting of the unrolled-GAN paper [33]",
      script="studies.aw_ring8", protocol=[], claims=[], body=[],
      runs=list(runs.values()) + list(fresh_runs.values()),
      rules=ALL_RULES, quick=FLAGS.quick)
  res = section.results_dir

  # Coverage curves from eval.run.
  panels, final = [], {}
  for metric, title in (("modes_covered", "modes covered (of 8)"),
                        ("quality", "high-quality fraction (within 3 std)"),
                        ("diversity", "SQD diversity D (nats; log 8 = 2.08)")):
    curves = {}
    for variant in VARIANTS:
      for seed in seeds:
        curves[f"{variant} s{seed}"] = readers.eval_series(
            runs[(variant, seed)].model_dir, metric)
    panels.append((title, curves))
  figures.plot_metric_grid(os.path.join(res, "coverage.png"), panels)
  for variant in VARIANTS:
    dirs = [runs[(variant, s)].model_dir for s in seeds]
    final[variant] = {m: readers.final_stats(dirs, m)
                      for m in ("modes_covered", "quality", "diversity")}

  # Fig. 6 samples and real scores.
  fig6 = {seed: _fig6(runs, seed, fixed, os.path.join(
      res, f"scatter_seed{seed}.png")) for seed in seeds}
  dataset = workspace.load_config(runs[("plain", seeds[0])].model_dir).dataset
  centers, std = mixture_centers(dataset)
  sets = {(v, s): [covered_modes(fig6[s][(v, t)][0], centers, std)
                   for t in fixed] for v in VARIANTS for s in seeds}
  changes = {v: sr.SeedStats.of(mode_changes(sets[(v, s)]) for s in seeds)
             for v in VARIANTS}
  scores = {(v, s): np.stack([fig6[s][(v, t)][1] for t in fixed])
            for v in VARIANTS for s in seeds}  # [checkpoints, modes]
  lowest = {v: sr.SeedStats.of(scores[(v, s)].min(axis=1).mean()
                               for s in seeds) for v in VARIANTS}
  level = {v: sr.SeedStats.of(np.abs(scores[(v, s)].mean(axis=1)).mean()
                              for s in seeds) for v in VARIANTS}
  spread = {v: sr.SeedStats.of(scores[(v, s)].std(axis=1).mean()
                               for s in seeds) for v in VARIANTS}

  # Fig. 4 angles.
  angles = {(v, s): _angles(runs[(v, s)].model_dir)
            for v in VARIANTS for s in seeds}
  _angle_figure(angles, seeds[0], os.path.join(res, "angles.png"))

  def early(v, s, name):
    a = angles[(v, s)]
    return a[name][a["steps"] <= ANGLE_STEPS]

  median_rf = sr.SeedStats.of(np.median(early("plain", s, "angle_real_fake"))
                              for s in seeds)
  share = {v: sr.SeedStats.of(np.mean(early(v, s, "angle_real_applied") > 90)
                              for s in seeds) for v in VARIANTS}

  # The blob measures on the fresh seeds, at every saved checkpoint.
  blob = {(v, s): _blob_series(fresh_runs[(v, s)].model_dir, saved,
                               FLAGS.num_samples)
          for v in VARIANTS for s in fresh_seeds}
  shares = {k: x[0] for k, x in blob.items()}  # [checkpoints, modes]
  dominant = {k: [dominant_mode(x) for x in sh] for k, sh in shares.items()}
  assigned = {v: sr.SeedStats.of(modes_by_share(shares[(v, s)][-1])
                                 for s in fresh_seeds) for v in VARIANTS}
  hops = {v: sr.SeedStats.of(dominant_hops(dominant[(v, s)])
                             for s in fresh_seeds) for v in VARIANTS}
  _share_figure(shares, fresh_seeds, saved,
                os.path.join(res, "assigned_shares.png"))

  decisions = [
      decide_coverage(final["aw"]["modes_covered"],
                      final["plain"]["modes_covered"]),
      decide_wandering(changes["aw"], changes["plain"]),
      decide_real_higher(lowest["aw"], lowest["plain"]),
      decide_plain_near_zero(level["plain"], spread["plain"], spread["aw"]),
      decide_angles(median_rf, share["aw"], share["plain"]),
      decide_coverage_amended(final["aw"]["modes_covered"],
                              final["plain"]["modes_covered"]),
      decide_coverage_assigned(assigned["aw"], assigned["plain"]),
      decide_dominant_hops(hops["aw"], hops["plain"]),
  ]
  section.claims = [sections.Claim.decided(d) for d in decisions]
  section.per_seed = add_fresh_record(summary_record(seeds, {v: {
      "modes_final": final[v]["modes_covered"], "mode_changes": changes[v],
      "lowest_logit": lowest[v], "abs_mean_logit": level[v],
      "logit_spread": spread[v], "share>90/angle_real_applied": share[v],
      "median/angle_real_fake": sr.SeedStats.of(
          np.median(early(v, s, "angle_real_fake")) for s in seeds)}
                                              for v in VARIANTS}),
      fresh_seeds, {v: {"modes_assigned": assigned[v],
                        "dominant_hops": hops[v]} for v in VARIANTS})

  # ---------------------------------------------------------------- tables
  ints = lambda xs: " / ".join(str(int(x)) for x in xs)
  rows = []
  for v in VARIANTS:
    f = final[v]
    rows.append((v, ints(f["modes_covered"].values), f["modes_covered"],
                 f["quality"], f["diversity"],
                 ints(changes[v].values), lowest[v], level[v], spread[v],
                 share[v]))
  table = sections.markdown_table(
      ["arm", f"modes covered at {steps} (per seed {seeds})",
       "modes covered", "high-quality fraction", "diversity D (nats)",
       "mode-set changes between 5k checkpoints (per seed)",
       "lowest per-mode real logit", "|mean real logit|",
       "spread of real logits over modes",
       f"share of angle(grad Lr, applied) > 90 deg, first {ANGLE_STEPS}"],
      rows)
  set_rows = [(s, v, " | ".join("{" + ",".join(map(str, sorted(x))) + "}"
                                for x in sets[(v, s)]))
              for s in seeds for v in VARIANTS]
  set_table = sections.markdown_table(
      ["seed", "arm", "covered modes at steps " + ", ".join(map(str, fixed))],
      set_rows)
  score_rows = [(s, v, t, " ".join(f"{x:+.2f}" for x in scores[(v, s)][i]),
                 f"{scores[(v, s)][i].mean():+.2f}",
                 f"{scores[(v, s)][i].min():+.2f}")
                for s in seeds for v in VARIANTS
                for i, t in enumerate(fixed)]
  score_table = sections.markdown_table(
      ["seed", "arm", "step", "mean D logit on 100 real points, modes 0-7",
       "mean", "min"], score_rows)
  angle_rows = []
  for v in VARIANTS:
    for name in ANGLES:
      med = sr.SeedStats.of(np.median(early(v, s, name)) for s in seeds)
      obt = sr.SeedStats.of(np.mean(early(v, s, name) > 90) for s in seeds)
      whole = sr.SeedStats.of(np.mean(angles[(v, s)][name] > 90)
                              for s in seeds)
      angle_rows.append((v, name, med, obt, whole))
  angle_table = sections.markdown_table(
      ["arm", "angle", f"median, first {ANGLE_STEPS} steps (deg)",
       f"share > 90 deg, first {ANGLE_STEPS}", "share > 90 deg, whole run"],
      angle_rows)
  # The fresh seeds: the blob measures beside the first rules' measure
  # (>= 1% within 3 std) on the same samples.
  near = {(v, s): x[1] for (v, s), x in blob.items()}
  near_final = {v: sr.SeedStats.of(len(near[(v, s)][-1]) for s in fresh_seeds)
                for v in VARIANTS}
  near_changes = {v: sr.SeedStats.of(mode_changes(near[(v, s)])
                                     for s in fresh_seeds) for v in VARIANTS}
  top = {v: sr.SeedStats.of(shares[(v, s)][-1].max() for s in fresh_seeds)
         for v in VARIANTS}
  blob_table = sections.markdown_table(
      ["arm", f"modes with assigned share >= 1/16 at {steps} (per seed "
       f"{fresh_seeds})", "modes by assigned share",
       "dominant-mode hops (per seed)", "dominant-mode hops",
       "largest assigned share at the end",
       "modes with >= 1% within 3 std at the end",
       "changes of that set (same checkpoints)"],
      [(v, ints(assigned[v].values), assigned[v], ints(hops[v].values),
        hops[v], top[v], near_final[v], near_changes[v]) for v in VARIANTS])
  mode_name = lambda m: "-" if m == NO_MODE else str(m)  # noqa: E731
  dominant_table = sections.markdown_table(
      ["seed", "arm", "dominant mode at steps " + ", ".join(map(str, saved)),
       "hops", "assigned shares at the end, modes 0-7"],
      [(s, v, " ".join(mode_name(m) for m in dominant[(v, s)]),
        dominant_hops(dominant[(v, s)]),
        " ".join(f"{x:.2f}" for x in shares[(v, s)][-1]))
       for s in fresh_seeds for v in VARIANTS])

  section.protocol = [
      ("flagfile", f"experiments/configs/{FLAGFILE}.cfg: [33]'s mixture "
       "(8 Gaussians, radius 2, std 0.02) and networks (G 2x128 ReLU, D "
       "x/4 then 1x128 ReLU, orthogonal init gain 0.8), z ~ N(0, I_256), "
       "batch 512, minimax loss, Adam 1e-4 / beta1 0.5 for both, one D then "
       "one G step, no LR decay"),
      ("arms", "plain: --aw=false --gradient_angles=true (angles logged, "
       "updates unchanged); aw: --aw=true (normalized Algorithm 1); nothing "
       "else differs"),
      ("same start", "per seed, the two arms' saved configs build "
       "bit-identical initial G and D weights (checked by the script) and "
       "draw the same data and noise"),
      ("steps", f"{steps} G steps per run, a fixed budget: the paper's "
       "25,000-iteration horizon" + (" cut for --quick" if steps
                                     < FULL_STEPS else "")),
      ("seeds", ", ".join(map(str, seeds))),
      ("evaluation", f"every {FLAGS.save_every} steps, {FLAGS.num_samples} "
       "samples (fixed latent seed 0), eval.run --metrics=" + METRICS +
       f"; a mode is covered when >= {COVERED_SHARE:.0%} of the samples lie "
       "within 3 std (0.06) of its centre"),
      ("Fig. 6", f"steps {fixed}: {FLAGS.num_samples} samples (fixed "
       "latents) and D's mean logit on 100 fresh real points per mode"),
      ("angles", f"single-step values every {FLAGS.summary_every} steps over "
       f"all of D's variables; rules use the first {ANGLE_STEPS} steps"),
      ("fresh seeds", ", ".join(map(str, fresh_seeds)) + ": the runs of "
       "rules `coverage_assigned` and `dominant_mode_hops` (same arms, "
       "flagfile and steps; not evaluated by eval.run)"),
      ("blob measures", f"{FLAGS.num_samples} samples (fixed latents) at "
       f"every saved checkpoint ({saved[0]}..{saved[-1]}, {len(saved)} "
       "checkpoints); a sample belongs to its nearest mode within "
       f"{assignment_radius(centers):.3f} (half the spacing of neighbouring "
       "centres), else to none; a mode is covered when its assigned share "
       f"is >= 1/{1 / ASSIGNED_SHARE:g}; the dominant mode has the largest "
       "share"),
  ]
  section.body = [
      "Means ± sample std over seeds (n = seeds).", table,
      section.figure("coverage.png", "Modes covered, high-quality fraction "
                     "and SQD diversity over training, every seed."),
      set_table,
      *(section.figure(f"scatter_seed{s}.png", f"Seed {s}, Fig. 6 layout: "
                       "samples (blue; red crosses are the centres) and "
                       "per-mode mean D logits on real points, plain (top "
                       "rows) and aw (bottom rows).") for s in seeds),
      score_table, angle_table,
      section.figure("angles.png", f"Fig. 4 on the mixture, seed "
                     f"{seeds[0]}: angles between D's real-loss, fake-loss "
                     "and applied gradients, plain (top) and aw (bottom)."),
      f"Fresh seeds {', '.join(map(str, fresh_seeds))} (rules "
      "`coverage_assigned` and `dominant_mode_hops`): means ± sample std "
      "over seeds; the last two columns are the first rules' measure on the "
      "same samples.", blob_table, dominant_table,
      section.figure("assigned_shares.png", "Fresh seeds: the share of the "
                     "samples assigned to each mode (rows) at each saved "
                     "checkpoint (columns), dominant mode in red; "
                     "- in the table: no sample assigned."),
  ]
  section.write()


if __name__ == "__main__":
  define_flags()
  app.run(main)
