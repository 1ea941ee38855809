"""Study 5: SQD's S, Q, D and turning points, four losses with and without
GP, on Fashion-MNIST 16x16 (SQD paper Sec. 4-5, Figures 3-5, Table 2).

Trains configs/sqd_fmnist_<loss>[_gp].cfg (DCGAN, non-saturating,
least-squares, hinge and Wasserstein losses, each without a penalty and with
WGAN-GP, lambda 10) for several seeds with the train binary's SQD monitor:
the weight angles of G and D at every step, Q and D from the Fashion-MNIST
domain classifier at the end of every study epoch. Reads the runs'
TensorBoard logs back into per-epoch curves (S = mean angle over the
epoch's steps), finds turning points on them with the rule registered
below (tfgan_ext.monitors.epoch_turning_points) and decides every claim by
its pre-registered rule over seeds.

  python -m studies.sqd_fmnist [--quick] [--sqd_seeds=0,1,2]
      [--sqd_epochs=30] [--sqd_epoch_steps=50] [--runs_root=...]
"""

from __future__ import annotations

import json
import os
from absl import app
from absl import flags
import numpy as np

from studies import amendments
from studies import figures
from studies import paths
from studies import readers
from studies import runner
from studies import sections
from studies.rules import Rule, SeedStats, compare, threshold
from tfgan_ext import fileio
from tfgan_ext.monitors import (TURNING_POINTS_FILE, angle_jump_ratios,
                                epoch_turning_points)

FLAGS = flags.FLAGS
# Study-specific names (sqd_*): the other study scripts define "epochs",
# "seeds" and friends, and tests import several studies into one process.


def define_flags() -> None:
  """This script's flags; defined only when it runs (tests import
  several study scripts into one process)."""
  flags.DEFINE_integer("sqd_epochs", 0, "Study epochs per run (0: 30, or 20 "
                       "with --quick).")
  flags.DEFINE_integer("sqd_epoch_steps", 50, "G steps per study epoch (a "
                       "multiple of the flagfiles' --steps_per_loop=10).")
  flags.DEFINE_list("sqd_seeds", [], "Seeds (empty: 0,1,2, or 0 with "
                    "--quick).")
  flags.DEFINE_integer("sqd_qd_samples", 500, "Generated samples per Q / D.")



KEY = "sqd_fmnist"
DATASET, IMAGE_SIZE = "fashion_mnist", 16
LOSSES = ("nonsaturating", "least_squares", "hinge", "wasserstein")
LABELS = {"nonsaturating": "NSGAN", "least_squares": "LSGAN",
          "hinge": "Hinge", "wasserstein": "WGAN"}
STEPS_PER_LOOP = 10            # as in the flagfiles
FULL_EPOCHS, QUICK_EPOCHS = 30, 20
FULL_SEEDS, QUICK_SEEDS = (0, 1, 2), (0,)

# The turning-point rule (see tfgan_ext/monitors/turning_point.py), fixed
# before the runs; where each number comes from is in TP_RULE below.
ANGLE_FACTOR = 2.0   # per-epoch angle >= 2x the median of previous epochs
WINDOW = 10          # ... over the previous 10 epochs
WARMUP = 5           # ... judged from the 6th epoch on
PAIR = 1             # G's and D's jumps at most 1 epoch apart
DROP = 0.2           # Q or D 20% below its best before the jump
HORIZON = 2          # ... within the jump epoch and the 2 after it
TAIL = 1 / 6         # "last 50 of 300 epochs" (Table 2): the last sixth

TP_RULE = (
    f"Per-epoch curves: S_G, S_D = mean angle over the epoch's G steps, Q and "
    f"D at the epoch's end. Epoch e is a turning point when (1) S_G[e] >= "
    f"{ANGLE_FACTOR:g} x the median of S_G over the previous {WINDOW} epochs "
    f"(judged from epoch {WARMUP + 1} on) and (2) S_D jumps the same way at an "
    f"epoch within {PAIR} of e (Sec. 4 'the weight parameter ... dramatically "
    f"changed direction at epoch 78'; Fig. 1(b) 'clear jumps of the angular "
    f"difference curves', both networks plotted; the factor is this study's "
    f"reading of 'dramatically': the figures' values are not legible in the "
    f"text of the paper, so {ANGLE_FACTOR:g}x, a doubling of an average over "
    f"a whole epoch of a curve that otherwise falls, is our number), and (3) "
    f"within epochs e..e+{HORIZON} Q or D falls more than {DROP:.0%} below "
    f"its best before e (Sec. 4: Q 'suddenly started to oscillate', D "
    f"'jumped at their turning points, indicating severe mode collapse'; "
    f"Table 2: without GP, D over the last 50 epochs is 41-75% below the GP "
    f"runs' and WGAN's Q 74% below: {DROP:.0%} is half the smallest D gap). "
    f"Epochs up to e+{HORIZON} cannot start another one.")

TP_PREVENTED = Rule(
    "gp_prevents_turning_points",
    "Each GAN without GP shows a turning point; with GP none does "
    "(Sec. 4, Figures 3-5)",
    "Per seed, count the losses (of 4) whose run has at least one turning "
    "point (rule `turning_point_rule`), without GP and with GP. Reproduced "
    "if the GP arm's mean count is lower than the no-GP arm's by more than "
    "the two stds summed (over >= 3 seeds); not reproduced if it is higher "
    "by more than that; inconclusive if the spread covers the difference, "
    "with fewer than 3 seeds, or when no run of either arm has a turning "
    "point (the effect did not occur).")
TP_WITHOUT_GP = Rule(
    "turning_points_without_gp",
    "Without GP, the GANs reach a turning point (all four losses in the "
    "paper)",
    "Per seed, the fraction of the 4 no-GP losses with a turning point. "
    "Reproduced if its mean over >= 3 seeds exceeds 0.5 by more than its "
    "std; not reproduced if it falls short of 0.5 by more than its std; "
    "inconclusive within one std, with fewer than 3 seeds, or when no "
    "no-GP run has a turning point within the step budget (the paper's "
    "came after 40-110 CelebA epochs, far beyond this budget).")
WGAN_Q = Rule(
    "wgan_quality_collapses",
    "WGAN without GP: after its turning point Q collapses (Q 'frequently "
    "hit zero', Sec. 4; Table 2: 0.243 vs 0.937 with GP)",
    "Per seed with a WGAN (no GP) turning point at epoch e: r = min Q over "
    "epochs >= e / best Q before e (seeds without one give no value). "
    "Q here is a 10-class max-softmax, whose floor is 0.1, not 0, so "
    "'collapses' is read as r < 0.5. Reproduced if mean r over >= 3 seeds "
    "is below 0.5 by more than its std; not reproduced if above 0.5 by more "
    "than its std; inconclusive within one std or with fewer than 3 seeds "
    "with a turning point (in particular when WGAN had none).")
D_AFTER_TP = Rule(
    "diversity_stays_low_after_turning_point",
    "After a turning point D (mode diversity) falls and barely recovers "
    "(Sec. 1 contributions; Sec. 4, Figure 5)",
    f"For each run (any loss, either arm) with a turning point at epoch e "
    f"and at least one epoch after e+{HORIZON}: ratio = mean D over epochs "
    f"> e+{HORIZON} / mean D over the {WARMUP} epochs before e; per seed "
    "the mean over such runs. Reproduced if the mean over >= 3 seeds is "
    "below 1 by more than its std; not reproduced if above 1 by more than "
    "its std; inconclusive within one std, or with fewer than 3 seeds "
    "having such a run (the effect did not occur).")
GP_Q = Rule(
    "gp_improves_quality",
    "GP improves visual quality Q (Table 2, every loss)",
    "Per run, Q averaged over the last sixth of the epochs (Table 2 "
    "averages epochs 250-300 of 300); per seed, the mean over the losses. "
    "Reproduced if the GP arm's mean over >= 3 seeds is higher than the "
    "no-GP arm's by more than the two stds summed; not reproduced if lower "
    "by more than that; otherwise (or with fewer than 3 seeds) "
    "inconclusive. Per-loss comparisons are shown beside it.")
GP_D = Rule(
    "gp_improves_diversity",
    "GP improves mode diversity D (Table 2, every loss)",
    "As `gp_improves_quality`, with D (James-Stein entropy of the class "
    "modes, nats) in place of Q.")
GP_JUMPS = Rule(
    "gp_fewer_angle_jumps",
    "With GP the weight angles converge smoothly; without GP they jump "
    "(Sec. 4 'Training Stability', Figure 3)",
    f"Per run, angle jumps = epochs (from epoch {WARMUP + 1}) where S_G or "
    f"S_D >= {ANGLE_FACTOR:g} x the median of its previous {WINDOW} epochs; "
    "per seed, the sum over the losses. Reproduced if the GP arm's mean "
    "over >= 3 seeds is lower than the no-GP arm's by more than the two "
    "stds summed; not reproduced if higher by more than that; inconclusive "
    "if the spread covers the difference, with fewer than 3 seeds, or when "
    "no run of either arm has a jump (the effect did not occur).")
WGAN_UNSTABLE = Rule(
    "wgan_least_stable",
    "Without GP, WGAN is the least stable of the four losses; its G keeps "
    "changing direction (Sec. 4, Figure 3(d))",
    "Per no-GP run, the coefficient of variation (std / mean) of the "
    "per-epoch S_G over the second half of the epochs; per seed, margin = "
    "WGAN's CV minus the largest CV of the other three losses. Reproduced "
    "if the mean margin over >= 3 seeds is above 0 by more than its std; "
    "not reproduced if below 0 by more than its std; inconclusive within "
    "one std or with fewer than 3 seeds.")
TURNING_POINT = Rule(
    "turning_point_rule", "Definition used by the rules below (not a claim)",
    TP_RULE)
RULES = (TURNING_POINT, TP_PREVENTED, TP_WITHOUT_GP, WGAN_Q, D_AFTER_TP,
         GP_Q, GP_D, GP_JUMPS, WGAN_UNSTABLE)
# Registered after the runs (issue 22): the t rule and its amendment of
# each comparison claim above, decided by studies.redecide from the
# per-seed values; the report shows both verdicts.
REGISTERED = RULES + amendments.for_study(KEY, RULES)

# Step times measured for the protocol (bench, 2 cores, DCGAN width 16,
# batch 64, WeightAngleMonitor on, 4 trainers timed in alternation under a
# load average of ~15 from other jobs): process CPU ms per G step.
MEASURED_CPU_MS = {(16, False): 72, (16, True): 89, (32, False): 259,
                   (32, True): 285}


# ------------------------------------------------------------- run analysis
def _name(loss: str, gp: bool) -> str:
  return f"{loss}{'_gp' if gp else ''}"


def per_epoch(steps: np.ndarray, values: np.ndarray, epoch_steps: int,
              epochs: int) -> np.ndarray:
  """Mean of the logged values in each epoch (steps (e-1)E+1 .. eE)."""
  out = np.full(epochs, np.nan)
  index = (np.asarray(steps) - 1) // epoch_steps
  for e in range(epochs):
    chosen = np.asarray(values)[index == e]
    if chosen.size:
      out[e] = chosen.mean()
  return out


def _nanmax(values: np.ndarray) -> float:
  finite = values[np.isfinite(values)]
  return float(finite.max()) if finite.size else float("nan")


def analyse(curves: dict[str, np.ndarray]) -> dict:
  """Turning points and summary numbers of one run's per-epoch curves
  (keys angle_g, angle_d, quality, diversity)."""
  g, d, q, div = (curves[k] for k in ("angle_g", "angle_d", "quality",
                                      "diversity"))
  n = g.size
  points = epoch_turning_points(g, d, q, div, angle_factor=ANGLE_FACTOR,
                                window=WINDOW, warmup=WARMUP, pair=PAIR,
                                drop=DROP, horizon=HORIZON)
  ratio_g = angle_jump_ratios(g, window=WINDOW, warmup=WARMUP)
  ratio_d = angle_jump_ratios(d, window=WINDOW, warmup=WARMUP)
  jumps = int(np.sum((np.nan_to_num(ratio_g) >= ANGLE_FACTOR)
                     | (np.nan_to_num(ratio_d) >= ANGLE_FACTOR)))
  tail = max(1, int(round(n * TAIL)))
  out = dict(points=points, jumps=jumps, max_ratio_g=_nanmax(ratio_g),
             max_ratio_d=_nanmax(ratio_d),
             q_tail=float(np.mean(q[-tail:])),
             d_tail=float(np.mean(div[-tail:])),
             q_trend=float(np.mean(q[-5:]) - np.mean(q[-10:-5]))
             if n >= 10 else float("nan"),
             cv_g=float(np.std(g[n // 2:]) / np.mean(g[n // 2:])),
             settle_g=float(np.mean(g[-5:]) / np.mean(g[:5])),
             settle_d=float(np.mean(d[-5:]) / np.mean(d[:5])),
             q_collapse=float("nan"), d_after=float("nan"))
  if points:
    e = points[0].epoch
    out["q_collapse"] = float(np.min(q[e:]) / np.max(q[:e]))
    if e + HORIZON + 1 < n:
      out["d_after"] = float(np.mean(div[e + HORIZON + 1:])
                             / np.mean(div[max(0, e - WARMUP):e]))
  return out


# ------------------------------------------------------------ decisions
def _count_stats(per, seeds, gp: bool, losses) -> SeedStats:
  return SeedStats.of(sum(bool(per[(l, gp, s)]["points"]) for l in losses)
                      for s in seeds)


def decide(per: dict, seeds, losses) -> list:
  """Decisions of every claim rule from per[(loss, gp, seed)] = analyse()."""
  any_tp = any(bool(p["points"]) for p in per.values())
  plain_tp = any(bool(per[(l, False, s)]["points"]) for l in losses
                 for s in seeds)
  out = [compare(TP_PREVENTED, _count_stats(per, seeds, True, losses),
                 _count_stats(per, seeds, False, losses),
                 higher_is_better=False,
                 names=("with GP (losses with a turning point)",
                        "without GP"),
                 occurred=(any_tp, "no run of either arm had a turning "
                           "point, so the effect did not occur"))]
  share = SeedStats.of(
      sum(bool(per[(l, False, s)]["points"]) for l in losses) / len(losses)
      for s in seeds)
  out.append(threshold(TP_WITHOUT_GP, share, 0.5, higher_is_better=True,
                       name="share of no-GP losses with a turning point",
                       occurred=(plain_tp, "no run without GP had a turning "
                                 "point within the budget")))
  if "wasserstein" in losses:
    r = SeedStats.of(per[("wasserstein", False, s)]["q_collapse"]
                     for s in seeds)
    out.append(threshold(
        WGAN_Q, r, 0.5, higher_is_better=False,
        name="WGAN min Q after its turning point / best Q before",
        occurred=(r.n > 0, "WGAN without GP had no turning point")))
  after = []
  for s in seeds:
    values = [per[(l, gp, s)]["d_after"] for l in losses for gp in
              (False, True)]
    values = [v for v in values if np.isfinite(v)]
    after.append(np.mean(values) if values else np.nan)
  after = SeedStats.of(after)
  out.append(threshold(D_AFTER_TP, after, 1.0, higher_is_better=False,
                       name="D after / D before the turning point",
                       occurred=(after.n > 0, "no run had a turning point "
                                 "with epochs after it")))
  for rule, key in ((GP_Q, "q_tail"), (GP_D, "d_tail")):
    arm = {gp: SeedStats.of(np.mean([per[(l, gp, s)][key] for l in losses])
                            for s in seeds) for gp in (False, True)}
    out.append(compare(rule, arm[True], arm[False], higher_is_better=True,
                       names=("with GP", "without GP")))
  jumps = {gp: SeedStats.of(sum(per[(l, gp, s)]["jumps"] for l in losses)
                            for s in seeds) for gp in (False, True)}
  out.append(compare(GP_JUMPS, jumps[True], jumps[False],
                     higher_is_better=False,
                     names=("with GP (angle jumps)", "without GP"),
                     occurred=(jumps[True].mean + jumps[False].mean > 0,
                               "no run of either arm had an angle jump, so "
                               "the effect did not occur")))
  others = [l for l in losses if l != "wasserstein"]
  if "wasserstein" in losses and others:
    margin = SeedStats.of(per[("wasserstein", False, s)]["cv_g"]
                          - max(per[(l, False, s)]["cv_g"] for l in others)
                          for s in seeds)
    out.append(threshold(WGAN_UNSTABLE, margin, 0.0, higher_is_better=True,
                         name="WGAN's S_G CV minus the largest other"))
  return out


def summary_record(per: dict, seeds, losses) -> dict:
  """summary.json's per-seed record from per[(loss, gp, seed)] = analyse():
  each run's turning points, angle jumps, Q and D of the last sixth, S_G's
  CV and largest angle ratios, under the run's name in the tables (e.g.
  "WGAN + GP"); studies.redecide pools the losses as the rules do."""
  return sections.per_seed_record(seeds, {
      LABELS[loss] + (" + GP" if gp else ""): {
          "turning_points": [len(per[(loss, gp, s)]["points"])
                             for s in seeds],
          "angle_jumps": [per[(loss, gp, s)]["jumps"] for s in seeds],
          "Q": [per[(loss, gp, s)]["q_tail"] for s in seeds],
          "D": [per[(loss, gp, s)]["d_tail"] for s in seeds],
          "cv": [per[(loss, gp, s)]["cv_g"] for s in seeds],
          "max_ratio_g": [per[(loss, gp, s)]["max_ratio_g"] for s in seeds],
          "max_ratio_d": [per[(loss, gp, s)]["max_ratio_d"] for s in seeds]}
      for loss in losses for gp in (False, True)})


# ------------------------------------------------------------ reading runs
def read_curves(model_dir: str, epoch_steps: int, epochs: int
                ) -> dict[str, np.ndarray]:
  curves = {}
  for key in ("angle_g", "angle_d", "quality", "diversity"):
    steps, values = readers.train_series(model_dir, f"sqd/{key}")
    curves[key] = per_epoch(steps, values, epoch_steps, epochs)
  return curves


def _old_rule_count(model_dir: str) -> int:
  path = os.path.join(model_dir, TURNING_POINTS_FILE)
  if not os.path.exists(path):
    return 0
  with open(path, encoding="utf8") as f:
    return sum(1 for line in f if line.strip())


# ------------------------------------------------------------ figures
def _plot(curves, per, seeds, losses, path: str) -> None:
  """One row per loss: S_G, S_D (log), Q, D per epoch; no GP red, GP blue,
  one thin line per seed; turning points marked with crosses."""
  plt = figures.pyplot()
  fig, axes = plt.subplots(len(losses), 4, figsize=(16, 3.0 * len(losses)),
                           squeeze=False)
  keys = (("angle_g", "S_G: mean angle per epoch (rad)"),
          ("angle_d", "S_D: mean angle per epoch (rad)"),
          ("quality", "Q: mean max class probability"),
          ("diversity", "D: James-Stein mode entropy (nats, max 2.30)"))
  for row, loss in zip(axes, losses):
    for ax, (key, title) in zip(row, keys):
      for gp, color in ((False, "tab:red"), (True, "tab:blue")):
        for s in seeds:
          y = curves[(loss, gp, s)][key]
          x = np.arange(1, y.size + 1)
          ax.plot(x, y, color=color, lw=1.0, alpha=0.8,
                  ls="-" if s == seeds[0] else (":" if s % 2 else "--"),
                  label=f"{'GP' if gp else 'no GP'} seed {s}")
          for p in per[(loss, gp, s)]["points"]:
            ax.plot(p.epoch + 1, y[p.epoch], "x", color="black", ms=8,
                    mew=2)
      if key.startswith("angle"):
        ax.set_yscale("log")
      ax.set_title(f"{LABELS[loss]}: {title}", fontsize=8)
      ax.set_xlabel("epoch")
      ax.grid(alpha=0.3)
  axes[0, 0].legend(fontsize=6, ncol=2)
  fig.tight_layout()
  figures.save_figure(fig, path)


# ------------------------------------------------------------ main
def main(argv):
  del argv
  if not runner.register_rules(KEY, REGISTERED):
    return
  quick = FLAGS.quick
  epochs = FLAGS.sqd_epochs or (QUICK_EPOCHS if quick else FULL_EPOCHS)
  seeds = tuple(int(s) for s in FLAGS.sqd_seeds) or (
      QUICK_SEEDS if quick else FULL_SEEDS)
  epoch_steps = FLAGS.sqd_epoch_steps
  if epoch_steps < 1 or epoch_steps % STEPS_PER_LOOP:
    raise ValueError(f"--sqd_epoch_steps must be a positive multiple of "
                     f"{STEPS_PER_LOOP} (the flagfiles' steps_per_loop): the "
                     f"SQD monitor measures Q and D at loop ends; got "
                     f"{epoch_steps}.")
  if epochs <= WARMUP + HORIZON:
    raise ValueError(f"--sqd_epochs must exceed {WARMUP + HORIZON} (the "
                     f"turning-point rule's warm-up and horizon); got "
                     f"{epochs}.")
  steps = epochs * epoch_steps
  root = paths.study_dirs(KEY, paths.runs_root(FLAGS.runs_root))
  classifier, info = runner.ensure_classifier(DATASET, IMAGE_SIZE)
  runs, curves, per = {}, {}, {}
  for seed in seeds:
    for loss in LOSSES:
      for gp in (False, True):
        name = f"{_name(loss, gp)}_s{seed}"
        r = runner.train(name, os.path.join(root, name),
                         f"sqd_fmnist_{_name(loss, gp)}", dict(
                             seed=seed, max_steps=steps, save_every=steps,
                         image_every=steps, summary_every=STEPS_PER_LOOP,
                         steps_per_loop=STEPS_PER_LOOP, sqd=True,
                         sqd_every=epoch_steps,
                         sqd_samples=FLAGS.sqd_qd_samples,
                         classifier_path=classifier))
        runs[(loss, gp, seed)] = r
        curves[(loss, gp, seed)] = read_curves(r.model_dir, epoch_steps,
                                               epochs)
        per[(loss, gp, seed)] = dict(analyse(curves[(loss, gp, seed)]),
                                     old=_old_rule_count(r.model_dir))

  section = sections.Section(
      key=KEY, title="Study 5: SQD on Fashion-MNIST, four losses with and "
      "without GP", paper="SQD (Measuring GAN Training in Real Time), Sec. "
      "4-5, Figures 3-5, Table 2", script="studies.sqd_fmnist",
      protocol=[], claims=[], body=[], runs=list(runs.values()),
      rules=REGISTERED, quick=quick)
  section.claims = [sections.Claim.decided(d)
                    for d in decide(per, seeds, LOSSES)]
  section.per_seed = summary_record(per, seeds, LOSSES)
  _plot(curves, per, seeds, LOSSES,
        os.path.join(section.results_dir, "sqd_curves.png"))

  rows = []
  for (loss, gp, seed), p in per.items():
    rows.append((
        LABELS[loss] + (" + GP" if gp else ""), seed,
        "; ".join(pt.describe() for pt in p["points"]) or "none",
        f"{p['max_ratio_g']:.2f} / {p['max_ratio_d']:.2f}", p["jumps"],
        f"{p['q_tail']:.3f}", f"{p['d_tail']:.3f}", f"{p['q_trend']:+.3f}",
        f"{p['settle_g']:.2f} / {p['settle_d']:.2f}", f"{p['cv_g']:.2f}",
        p["old"]))
  run_table = sections.markdown_table(
      ["run", "seed", "turning points (rule `turning_point_rule`)",
       "largest S_G / S_D ratio to its median", "angle jumps",
       "Q, last sixth", "D, last sixth", "Q: last 5 minus previous 5 epochs",
       "S last 5 / first 5 epochs (G / D)", "S_G CV, 2nd half",
       "old live rule (per step)"], rows)
  arm_rows = []
  for loss in LOSSES:
    for gp in (False, True):
      def stat(key):
        return SeedStats.of(per[(loss, gp, s)][key] for s in seeds).format()
      arm_rows.append((
          LABELS[loss] + (" + GP" if gp else ""),
          f"{sum(bool(per[(loss, gp, s)]['points']) for s in seeds)}"
          f"/{len(seeds)}", stat("jumps"), stat("q_tail"), stat("d_tail"),
          stat("cv_g")))
  arm_table = sections.markdown_table(
      ["arm", "seeds with a turning point", "angle jumps", "Q, last sixth",
       "D, last sixth", "S_G CV, 2nd half"], arm_rows)
  per_loss = []
  for loss in LOSSES:
    cells = [LABELS[loss]]
    for rule, key in ((GP_Q, "q_tail"), (GP_D, "d_tail")):
      d = compare(rule, SeedStats.of(per[(loss, True, s)][key]
                                     for s in seeds),
                  SeedStats.of(per[(loss, False, s)][key] for s in seeds),
                  higher_is_better=True, names=("GP", "no GP"))
      cells.append(f"{d.verdict}: {d.evidence}")
    per_loss.append(cells)
  per_loss_table = sections.markdown_table(
      ["loss", "Q: GP better? (same spread rule, per loss)", "D: GP better?"],
      per_loss)

  train_min = sum(r.train_seconds for r in runs.values()) / 60
  section.protocol = [
      ("data", f"Fashion-MNIST train split (60,000 images, the Debian "
       f"package's IDX files), 28x28 resized to {IMAGE_SIZE}x{IMAGE_SIZE}, "
       "one channel, unconditional (the paper: CelebA, 202,599 faces)"),
      ("image size", f"{IMAGE_SIZE}x{IMAGE_SIZE}: one G step (D step + G "
       "step, angle monitor on) took "
       f"{MEASURED_CPU_MS[(16, False)]} / {MEASURED_CPU_MS[(16, True)]} ms "
       "of CPU at 16x16 without / with GP and "
       f"{MEASURED_CPU_MS[(32, False)]} / {MEASURED_CPU_MS[(32, True)]} ms "
       "at 32x32 (~3.4x), measured side by side; at 32x32 the 60-minute "
       "budget would allow ~450 steps per run, too few for per-epoch curves"),
      ("flagfiles", "sqd_fmnist_{nonsaturating,least_squares,hinge,"
       "wasserstein}[_gp].cfg: DCGAN G/D width 16 without SN, z 32, batch "
       "64, one D step, Adam 2e-4 / beta1 0.5; GP = WGAN-GP penalty, "
       "lambda 10 (the paper's)"),
      ("epoch", f"a study epoch = {epoch_steps} G steps "
       f"({epoch_steps * 64:,} images, 1/{60000 / (epoch_steps * 64):.0f} of "
       "a pass over the train split): the paper's curves are per epoch, and "
       "a true epoch (937 steps) would give fewer than 2 points per run"),
      ("length", f"{epochs} epochs ({steps} G steps) per run, a fixed step "
       "budget (no early stop); the column 'Q: last 5 minus previous 5 "
       "epochs' shows whether Q was still rising at the end. The paper ran "
       "300 CelebA epochs (~950,000 steps) and saw turning points at epochs "
       "40-110"),
      ("seeds", f"{', '.join(map(str, seeds))}: {len(runs)} runs"
       + (" (fewer than 3 seeds: every rule is inconclusive by its "
          "3-seed gate)" if len(seeds) < 3 else "")),
      ("S", f"angle between consecutive weight vectors of G and of D (all "
       f"weights), every step; the train job logs 10-step means "
       f"(steps_per_loop {STEPS_PER_LOOP}); per epoch, their mean"),
      ("Q, D", f"at each epoch's end on {FLAGS.sqd_qd_samples} samples "
       f"with fixed latents, Fashion-MNIST {IMAGE_SIZE}px domain classifier "
       f"({info.test_accuracy:.3f} test accuracy): Q = mean largest class "
       "probability (the stand-in for MTCNN's face probability; floor 0.1), "
       "D = James-Stein entropy of nearest class-centroid assignments in its "
       "embedding, 10 modes (max ln 10 = 2.30)"),
      ("turning point", TP_RULE),
      ("old live rule", "the train binary's per-step detector (angle > 3x "
       "its running median of 100 host observations, Q and D both 10% "
       "below best), here fed 10-step mean angles; shown for comparison "
       "with the previous report, not used by any rule"),
      ("FID", "not computed: an eval job per run (~35 s start-up each) "
       "does not fit the budget; Q and D are the paper's measures"),
      ("compute", f"training {train_min:.1f} min over {len(runs)} runs "
       "(no eval jobs: Q, D and S come from the train jobs)"),
  ]
  section.body = [
      "Per-epoch curves of every run (the paper's Figures 3-5 layout); a "
      "reader can judge the turning points by eye:",
      section.figure("sqd_curves.png", "Per-epoch S_G, S_D (log), Q and D "
                     "for each loss; red without GP, blue with GP, one line "
                     "per seed; black crosses mark turning points found by "
                     "rule `turning_point_rule`."),
      "Per arm, over seeds (mean ± std):", arm_table,
      "GP against no GP for each loss, by the same spread rule "
      "(supporting the averaged rules above):", per_loss_table,
      "Every run:", run_table,
  ]
  section.write()
  fileio.atomic_write_text(
      os.path.join(section.results_dir, "curves.json"), json.dumps(
          {f"{l}|{'gp' if gp else 'none'}|{s}":
           {k: [None if not np.isfinite(v) else round(float(v), 6)
                for v in c[k]] for k in c}
           for (l, gp, s), c in curves.items()}))


if __name__ == "__main__":
  define_flags()
  app.run(main)
