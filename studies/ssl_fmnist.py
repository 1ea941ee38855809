"""Study 3: MHGAN-SSL vs ACGAN-SSL on Fashion-MNIST 16x16 with 10% labels.

Trains configs/mhgan_ssl_fmnist16.cfg (eq. 8) and acgan_ssl_fmnist16.cfg
(eq. 9) with the labels of an evenly spread 10% of the 60,000 training
images and every training image as the unlabelled stream, for --steps G
steps and over --seeds each, evaluates every checkpoint with eval.run (the
offline Fashion-MNIST 16px domain classifier as feature network, D's own
classifier on the 10,000 test images) and decides the pre-registered RULES
below from means and sample stds over seeds. As a reference point, the
domain classifier's architecture trained on 6,000 labelled images only
(eval.train_classifier --max_train_examples=6000) over the same seeds.

  python -m studies.ssl_fmnist            # 3 seeds x 2 arms
  python -m studies.ssl_fmnist --quick    # 2 seeds, fewer steps
"""

from __future__ import annotations

import json
import math
import os
from typing import Optional, Sequence

from absl import app
from absl import flags
import numpy as np

from studies import amendments
from studies import figures
from studies import paths
from studies import readers
from studies import runner
from studies import sections
from studies import trends
from studies import rules as sr

FLAGS = flags.FLAGS


def define_flags() -> None:
  """This script's flags; defined only when it runs (tests import
  several study scripts into one process)."""
  flags.DEFINE_integer("steps", None, "G steps per run (default 2000, "
                       "--quick 160).")
  flags.DEFINE_list("seeds", None, "Seeds of every arm (default 0,1,2; "
                    "--quick 0,1).")
  flags.DEFINE_integer("evaluations", None, "Evaluated checkpoints per run, "
                       "evenly spaced (save_every = steps / evaluations; "
                       "default 20, --quick 4).")
  flags.DEFINE_integer("steps_per_loop", 1, "G steps per compiled call of the "
                       "train job (must divide the checkpoint interval; 10 "
                       "gave no faster steps here and traces ~2x longer).")
  flags.DEFINE_integer("num_samples", 1000, "Generated samples per "
                       "evaluation (FD, score, sample and self accuracy).")
  flags.DEFINE_bool("supervised_baseline", None, "Also train the domain "
                    "classifier's architecture on 6,000 labelled images only "
                    "(default: yes, not with --quick).")
  flags.DEFINE_integer("baseline_epochs", 5, "Epochs of that baseline.")



KEY = "ssl_fmnist"
DATASET, IMAGE_SIZE = "fashion_mnist", 16
ARMS = {"MHGAN-SSL": "mhgan_ssl_fmnist16", "ACGAN-SSL": "acgan_ssl_fmnist16"}
CLAIMED, OTHER = "MHGAN-SSL", "ACGAN-SSL"
# Budgets: full 119 min training + 15 min evaluation by the job logs (two
# studies at a time on 2 cores); see the README text.
# The full runs were 700 steps at first; every metric's mean curve was still
# improving there, so they were lengthened to study 2's horizon (the 700-step
# runs resume: runner.train lengthens a finished run whose settings differ only
# in max_steps).
FULL = dict(steps=2000, evaluations=20, seeds=("0", "1", "2"), min_seeds=3,
            baseline=True)
QUICK = dict(steps=160, evaluations=4, seeds=("0", "1"), min_seeds=2,
             baseline=False)
LABELLED = 6000  # 10% of the 60,000 training images.
METRICS = "is,fid,sample_accuracy,validation_accuracy,self_accuracy"
# Gate: a metric is "still improving" when its mean curve over seeds sets a
# new best within the last PLATEAU_WINDOW evaluations that beats the best of
# the earlier ones by more than the tolerance.
PLATEAU_WINDOW = 3
REL_TOL = 0.02   # FD and score: 2% of the earlier best.
ABS_TOL = 0.005  # Accuracies: half a percentage point.
FD_MARGIN = 0.10     # "similar": within 10% of ACGAN-SSL's mean.
SCORE_MARGIN = 0.10
ACCURACY_MARGIN = 0.02  # Two percentage points.
SELF_ACCURACY_LEVEL = 0.8
TARGET_SLACK = 1.10  # Speed rule's FD target: 1.1 x the worse arm's mean.

_COMMON = (
    "Arms MHGAN-SSL (mhgan_ssl_fmnist16.cfg) and ACGAN-SSL "
    "(acgan_ssl_fmnist16.cfg), the same G steps and seeds; mean and sample "
    "std over seeds; s = the sum of the two arms' stds. Inconclusive also "
    "with fewer than 3 seeds per arm (2 in --quick)")
_GATE = (
    "or if either arm's mean curve of the metric was still improving at "
    "the end (a new best within its last 3 evaluations beating the best of "
    "the earlier ones by more than {tol})")

RULE_FD = sr.Rule(
    "ssl_fd_similar",
    "MHGAN-SSL reaches a sample quality similar to ACGAN-SSL's (paper: FID "
    "26.12 for both on ImageNet-128, 10% labels)",
    "Per seed the best domain-classifier FD over the run's evaluations (the "
    "paper reports each run's best FID). m, a = MHGAN-SSL's, ACGAN-SSL's "
    "mean; L = 1.1 a (10% margin). Reproduced if L - m > s (MHGAN-SSL at "
    "most 10% worse, beyond the seed spread); not reproduced if m - L > s; "
    "inconclusive otherwise. " + _COMMON + ", if training failed in either "
    "arm (its mean best FD not below 0.8 x its mean FD at the first "
    "evaluation), " + _GATE.format(tol="2%") + ".")
RULE_SCORE = sr.Rule(
    "ssl_score_similar",
    "MHGAN-SSL reaches a classifier score (IS analogue) similar to "
    "ACGAN-SSL's (paper: IS 32.40 vs 32.38)",
    "Per seed the best domain-classifier score over the run's evaluations. "
    "m, a = MHGAN-SSL's, ACGAN-SSL's mean; L = 0.9 a (10% margin). "
    "Reproduced if m - L > s; not reproduced if L - m > s; inconclusive "
    "otherwise. " + _COMMON + ", if training failed in either arm (its "
    "mean best score not above 1.2 x its mean score at the first "
    "evaluation), " + _GATE.format(tol="2%") + ".")
RULE_SAMPLE_ACCURACY = sr.Rule(
    "ssl_sample_accuracy_similar",
    "MHGAN-SSL's samples show their class as well as ACGAN-SSL's (sample "
    "quality in the conditional sense; the paper's self accuracy, measured "
    "by an independent classifier)",
    "Per seed the domain classifier's accuracy on G(z, y) against y at the "
    "last evaluation. m, a = MHGAN-SSL's, ACGAN-SSL's mean; L = a - 0.02 "
    "(2-point margin). Reproduced if m - L > s; not reproduced if L - m > s; "
    "inconclusive otherwise. " + _COMMON + ", if either arm's mean is not "
    "above 0.3 (3 x chance: conditioning not learned), "
    + _GATE.format(tol="0.5 points") + ".")
RULE_VALIDATION = sr.Rule(
    "ssl_validation_accuracy_similar",
    "MHGAN-SSL's classifier (D's auxiliary head, 10% labels + all images "
    "unlabelled) is as accurate on held-out real data as ACGAN-SSL's "
    "(paper: both reach about 40% validation accuracy)",
    "Per seed D's classifier accuracy on the 10,000 test images at the last "
    "evaluation. m, a = MHGAN-SSL's, ACGAN-SSL's mean; L = a - 0.02 "
    "(2-point margin). Reproduced if m - L > s; not reproduced if L - m > s; "
    "inconclusive otherwise. " + _COMMON + ", if either arm's mean is not "
    "above 0.2 (2 x chance: no classifier learned), "
    + _GATE.format(tol="0.5 points") + ".")
RULE_SELF = sr.Rule(
    "ssl_self_accuracy_80",
    "Both SSL GANs reach a self accuracy (D's classifier on G(z, y) "
    "against y) above 80%",
    "Per seed the self accuracy at the last evaluation. Per arm: above if "
    "its mean - 0.8 > its std, short if 0.8 - mean > its std. Reproduced if "
    "both arms are above; not reproduced if an arm is short and its mean "
    "self-accuracy curve was not still improving at the end (a new best "
    "within its last 3 evaluations beating the earlier best by more than "
    "0.5 points); inconclusive otherwise, and with fewer than 3 seeds per "
    "arm (2 in --quick).")
RULE_SPEED = sr.Rule(
    "ssl_faster",
    "MHGAN-SSL trains faster than ACGAN-SSL (1 D step per G step instead of "
    "2; paper Fig. 10: it reaches its best FID sooner)",
    "Target T = 1.1 x the larger of the two arms' mean best FD (a level both "
    "arms reach on average). Per seed the training wall minutes to the "
    "first evaluation with FD <= T (its step x the run's median logged "
    "seconds per G step). Reproduced if MHGAN-SSL's mean time is lower than "
    "ACGAN-SSL's by more than s, not reproduced if higher by more than s, "
    "inconclusive otherwise. " + _COMMON + " reaching T.")
RULES = (RULE_FD, RULE_SCORE, RULE_SAMPLE_ACCURACY, RULE_VALIDATION,
         RULE_SELF, RULE_SPEED)
# Registered after the runs (issue 22): the t rule and its amendment of
# each comparison claim above, decided by studies.redecide from the
# per-seed values; the report shows both verdicts.
REGISTERED = RULES + amendments.for_study(KEY, RULES)

PANELS = (("fid", "Fréchet distance (classifier features) ↓"),
          ("is", "classifier score ↑ (max 10)"),
          ("sample_accuracy", "sample accuracy (domain classifier on G(z, y))"),
          ("validation_accuracy", "validation accuracy (D's classifier, "
           "10,000 test images)"),
          ("self_accuracy", "self accuracy (D's classifier on G(z, y))"))


# ------------------------------------------------------------ decision logic
def mean_curve(series: Sequence[tuple[np.ndarray, np.ndarray]]
               ) -> tuple[np.ndarray, np.ndarray]:
  """(steps, mean over seeds) at the steps every seed has evaluated."""
  if not series:
    return np.zeros(0), np.zeros(0)
  common = set(series[0][0].tolist())
  for steps, _ in series[1:]:
    common &= set(steps.tolist())
  steps = np.array(sorted(common))
  values = [np.array([dict(zip(s.tolist(), v))[t] for t in steps])
            for s, v in series]
  return steps, (np.mean(values, axis=0) if steps.size else np.zeros(0))


def mean_still_improving(series: Sequence[tuple[np.ndarray, np.ndarray]],
                         higher_is_better: bool, tol: float, relative: bool
                         ) -> tuple[bool, str]:
  """(improving, why): the gate of the rules, trends.new_best_in_window on
  the seeds' mean curve over the last PLATEAU_WINDOW evaluations."""
  return trends.new_best_in_window(mean_curve(series)[1], higher_is_better,
                                   tol, relative, PLATEAU_WINDOW)


def not_worse(rule: sr.Rule, claimed: sr.SeedStats, other: sr.SeedStats,
              higher_is_better: bool, margin: float, relative: bool,
              names: tuple[str, str] = (CLAIMED, OTHER),
              gates: Sequence[tuple[bool, str]] = (),
              min_seeds: int = sr.MIN_SEEDS, digits: int = 3) -> sr.Decision:
  """The claimed arm no worse than the other by more than `margin`
  (`relative`: margin x the other's mean), beyond the summed std:
  REPRODUCED; worse than that limit by more than the summed std:
  NOT_REPRODUCED; else, or when a gate (blocked, why) is blocked, or with
  fewer than `min_seeds` finite values in an arm, INCONCLUSIVE."""
  a, b = names
  text = f"{a} {claimed.format(digits)} vs {b} {other.format(digits)}"
  if min(claimed.n, other.n) < min_seeds:
    return sr.Decision(rule, sr.INCONCLUSIVE,
                       f"{text}; fewer than {min_seeds} seeds in an arm")
  blocked = [why for stop, why in gates if stop]
  if blocked:
    return sr.Decision(rule, sr.INCONCLUSIVE, f"{text}; " + "; ".join(blocked))
  sign = 1.0 if higher_is_better else -1.0
  slack = margin * abs(other.mean) if relative else margin
  limit = other.mean - sign * slack  # The worst value still "similar".
  gap = sign * (claimed.mean - limit)  # > 0: better than the limit.
  spread = claimed.std + other.std
  if gap > spread:
    verdict, why = sr.REPRODUCED, "within the margin beyond the summed std"
  elif gap < -spread:
    verdict, why = sr.NOT_REPRODUCED, "past the margin by more than the " \
        "summed std"
  else:
    verdict, why = sr.INCONCLUSIVE, "the seed spread covers the margin"
  return sr.Decision(rule, verdict,
                     f"{text}; limit {limit:.{digits}g}: {a} {why} "
                     f"({abs(gap):.{digits}g} vs {spread:.{digits}g})")


def both_above(rule: sr.Rule, arms: dict[str, sr.SeedStats], level: float,
               improving: dict[str, tuple[bool, str]],
               min_seeds: int = sr.MIN_SEEDS, digits: int = 3) -> sr.Decision:
  """Every arm's mean above `level` by more than its std: REPRODUCED; an
  arm short of it by more than its std and no longer improving:
  NOT_REPRODUCED; else INCONCLUSIVE."""
  parts, states = [], {}
  for name, stats in arms.items():
    if stats.n < min_seeds:
      states[name] = "few"
    elif stats.mean - level > stats.std:
      states[name] = "above"
    elif level - stats.mean > stats.std:
      states[name] = "short"
    else:
      states[name] = "within"
    note = ({"few": f"fewer than {min_seeds} seeds",
             "above": "above", "within": "within one std"}.get(states[name])
            or ("short, " + improving[name][1]))
    parts.append(f"{name} {stats.format(digits)} ({note})")
  text = "; ".join(parts) + f" against {level:g}"
  if any(s == "few" for s in states.values()):
    return sr.Decision(rule, sr.INCONCLUSIVE, text)
  if all(s == "above" for s in states.values()):
    return sr.Decision(rule, sr.REPRODUCED, text)
  if any(s == "short" and not improving[n][0] for n, s in states.items()):
    return sr.Decision(rule, sr.NOT_REPRODUCED, text)
  return sr.Decision(rule, sr.INCONCLUSIVE, text)


def minutes_to_target(series: tuple[np.ndarray, np.ndarray],
                      seconds_per_step: float, target: float) -> float:
  """Wall minutes to the first evaluation with FD <= target (NaN: never)."""
  steps, fd = series
  hit = steps[fd <= target]
  return float(hit[0]) * seconds_per_step / 60.0 if hit.size else math.nan


def speed_minutes(fd: dict[str, list], sec_per_step: dict[str, list[float]]
                  ) -> tuple[float, dict[str, sr.SeedStats]]:
  """RULE_SPEED's target T (TARGET_SLACK x the larger mean best FD) and
  each arm's per-seed minutes to it (NaN for a seed that never reached
  it), from per-seed FD series and seconds per G step."""
  best = {n: sr.SeedStats.of([v.min() if v.size else math.nan
                              for _, v in fd[n]]) for n in fd}
  target = TARGET_SLACK * max(best[n].mean for n in fd)
  return target, {n: sr.SeedStats.of(minutes_to_target(s, t, target)
                                     for s, t in zip(fd[n], sec_per_step[n]))
                  for n in fd}


def speed_decision(rule: sr.Rule, fd: dict[str, list],
                   sec_per_step: dict[str, list[float]],
                   min_seeds: int = sr.MIN_SEEDS) -> sr.Decision:
  """RULE_SPEED from per-seed FD series and seconds per G step."""
  target, times = speed_minutes(fd, sec_per_step)
  decision = sr.compare(rule, times[CLAIMED], times[OTHER],
                        higher_is_better=False, names=(CLAIMED, OTHER),
                        min_seeds=min_seeds)
  reached = ", ".join(f"{n} {times[n].n}/{len(fd[n])} seeds"
                      for n in (CLAIMED, OTHER))
  return sr.Decision(rule, decision.verdict,
                     f"minutes to FD <= {target:.3g}: {decision.evidence}; "
                     f"reached by {reached}")


def decide(series: dict[str, dict[str, list]],
           sec_per_step: dict[str, list[float]],
           min_seeds: int = sr.MIN_SEEDS) -> list[sr.Decision]:
  """Every rule's decision from series[arm][metric] = per-seed (steps,
  values) and per-seed seconds per G step."""
  names = (CLAIMED, OTHER)

  def per_seed(metric, pick):
    return {n: sr.SeedStats.of(pick(v) if v.size else math.nan
                               for _, v in series[n][metric]) for n in names}

  def gate(metric, higher, tol, relative):
    out = []
    for n in names:
      improving, why = mean_still_improving(series[n][metric], higher, tol,
                                            relative)
      out.append((improving, f"{n} {metric} {why}"))
    return out

  def first_mean(n, metric):
    return float(np.mean([v[0] for _, v in series[n][metric] if v.size]
                         or [math.nan]))

  best_fd = per_seed("fid", np.min)
  fd_failed = [n for n in names
               if not best_fd[n].mean < 0.8 * first_mean(n, "fid")]
  fd = not_worse(RULE_FD, best_fd[CLAIMED], best_fd[OTHER], False,
                 FD_MARGIN, True, min_seeds=min_seeds, gates=[
                     (bool(fd_failed), f"training failed in {fd_failed}: "
                      "best FD not below 0.8 x the first evaluation's"),
                     *gate("fid", False, REL_TOL, True)])
  best_is = per_seed("is", np.max)
  is_failed = [n for n in names
               if not best_is[n].mean > 1.2 * first_mean(n, "is")]
  score = not_worse(RULE_SCORE, best_is[CLAIMED], best_is[OTHER], True,
                    SCORE_MARGIN, True, min_seeds=min_seeds, gates=[
                        (bool(is_failed), f"training failed in {is_failed}: "
                         "best score not above 1.2 x the first evaluation's"),
                        *gate("is", True, REL_TOL, True)])
  final = {m: per_seed(m, lambda v: v[-1]) for m in
           ("sample_accuracy", "validation_accuracy", "self_accuracy")}

  def accuracy_rule(rule, metric, floor, what):
    low = [n for n in names if not final[metric][n].mean > floor]
    return not_worse(rule, final[metric][CLAIMED], final[metric][OTHER],
                     True, ACCURACY_MARGIN, False, min_seeds=min_seeds,
                     gates=[(bool(low), f"mean not above {floor:g} in {low}: "
                             f"{what}"),
                            *gate(metric, True, ABS_TOL, False)])

  sample = accuracy_rule(RULE_SAMPLE_ACCURACY, "sample_accuracy", 0.3,
                         "conditioning not learned")
  validation = accuracy_rule(RULE_VALIDATION, "validation_accuracy", 0.2,
                             "no classifier learned")
  improving = {n: mean_still_improving(series[n]["self_accuracy"], True,
                                       ABS_TOL, False) for n in names}
  self_acc = both_above(RULE_SELF, final["self_accuracy"],
                        SELF_ACCURACY_LEVEL, improving, min_seeds=min_seeds)
  speed = speed_decision(RULE_SPEED, {n: series[n]["fid"] for n in names},
                         sec_per_step, min_seeds=min_seeds)
  return [fd, score, sample, validation, self_acc, speed]


# The rules' gates: metric, higher is better, tolerance, relative.
GATES = (("fid", False, REL_TOL, True), ("is", True, REL_TOL, True),
         ("sample_accuracy", True, ABS_TOL, False),
         ("validation_accuracy", True, ABS_TOL, False),
         ("self_accuracy", True, ABS_TOL, False))


def summary_record(series: dict[str, dict[str, list]],
                   sec_per_step: dict[str, list[float]], seeds: Sequence[int]
                   ) -> tuple[dict, dict]:
  """summary.json's per-seed record and conditions, from the inputs of
  `decide`: per arm the best FD and score, the final FD and accuracies,
  seconds per G step and minutes to RULE_SPEED's target (None when not
  reached), under the per-seed table's headers; conditions: whether each
  metric's mean curve was still improving at the end (the plateau gate)
  and the speed target."""
  def pick(arm, metric, fn):
    return [fn(v) if v.size else math.nan for _, v in series[arm][metric]]

  target, minutes = speed_minutes({n: series[n]["fid"] for n in series},
                                  sec_per_step)
  last = lambda v: v[-1]  # noqa: E731
  record = sections.per_seed_record(seeds, {n: {
      "best FD @step": pick(n, "fid", np.min),
      "best score @step": pick(n, "is", np.max),
      "final FD": pick(n, "fid", last),
      "sample acc.": pick(n, "sample_accuracy", last),
      "validation acc.": pick(n, "validation_accuracy", last),
      "self acc.": pick(n, "self_accuracy", last),
      "s / G step": sec_per_step[n], "minutes": minutes[n].values}
                                            for n in series})
  plateau = {m: {n: mean_still_improving(series[n][m], higher, tol, rel)[0]
                 for n in series} for m, higher, tol, rel in GATES}
  return record, {"plateau": plateau, "speed_target": target}


# ------------------------------------------------------------------- runs
def _seconds_per_step(model_dir: str) -> float:
  """Median wall seconds per G step from the train job's steps/s log (the
  first interval, with tracing, left out)."""
  _, rate = readers.train_series(model_dir, "train/steps_per_sec")
  return float(1.0 / np.median(rate[1:] if len(rate) > 1 else rate))


def supervised_baseline(root: str, seed: int, epochs: int
                        ) -> tuple[Optional[float], float]:
  """(held-out accuracy, wall seconds) of the domain classifier's
  architecture trained on the first 6,000 labelled training images."""
  out = os.path.join(root, f"supervised_10pct_s{seed}")
  info_path = os.path.join(out, "classifier.json")
  log = out + ".log"
  args = [f"--dataset={DATASET}", f"--image_size={IMAGE_SIZE}",
          "--channels=1", f"--max_train_examples={LABELLED}",
          f"--epochs={epochs}", f"--seed={seed}", f"--out={out}"]
  info = None
  if os.path.exists(info_path):
    with open(info_path, encoding="utf8") as f:
      info = json.load(f)
  if info is None or (info.get("epochs"), info.get("seed"),
                      info.get("train_examples")) != (epochs, seed, LABELLED):
    print(f"[supervised s{seed}] training", flush=True)
    runner.run_module(runner.CLASSIFIER_MODULE, args, log)
    with open(info_path, encoding="utf8") as f:
      info = json.load(f)
  return float(info["test_accuracy"]), runner.logged_seconds(log)


def _draw_bands(ax, curves: dict) -> None:
  """{label: [(steps, values) per seed]}: the mean over seeds with a +- std
  band."""
  for label, per_seed in curves.items():
    steps, mean = mean_curve(per_seed)
    if not steps.size:
      continue
    values = [np.interp(steps, s, v) for s, v in per_seed]
    std = np.std(values, axis=0, ddof=1) if len(values) > 1 else 0 * mean
    line, = ax.plot(steps, mean, marker=".", label=f"{label} "
                    f"(n={len(per_seed)})")
    ax.fill_between(steps, mean - std, mean + std, alpha=0.2,
                    color=line.get_color())


def _band_plot(path: str, panels: list[tuple[str, dict]],
               xlabel: str = "G step", columns: int = 3) -> str:
  """Mean over seeds with a +- std band, one panel per metric."""
  return figures.plot_metric_grid(path, panels, columns=columns,
                                  xlabel=xlabel, draw=_draw_bands)


def main(argv):
  del argv
  if not runner.register_rules(KEY, REGISTERED):
    return
  mode = QUICK if FLAGS.quick else FULL
  steps = FLAGS.steps or mode["steps"]
  seeds = [int(s) for s in (FLAGS.seeds or mode["seeds"])]
  evaluations = FLAGS.evaluations or mode["evaluations"]
  use_baseline = (mode["baseline"] if FLAGS.supervised_baseline is None
                  else FLAGS.supervised_baseline)
  save_every = steps // evaluations
  loop = FLAGS.steps_per_loop
  if save_every < 1 or save_every % loop or steps % save_every:
    raise app.UsageError(
        f"--steps={steps} / --evaluations={evaluations} must give a "
        f"whole checkpoint interval that --steps_per_loop={loop} divides "
        f"(got {steps / evaluations:g}).")
  root = paths.study_dirs(KEY, paths.runs_root(FLAGS.runs_root))
  classifier, info = runner.ensure_classifier(DATASET, IMAGE_SIZE)
  common = dict(max_steps=steps, save_every=save_every,
                keep_checkpoints=evaluations + 2, image_every=steps,
                summary_every=save_every // 2 // loop * loop or loop,
                steps_per_loop=loop)
  eval_flags = {"classifier_path": classifier,
                "num_samples": FLAGS.num_samples, "num_groups": 10,
                "reference_samples": 10000, "seed": 0}
  records, dirs = [], {n: [] for n in ARMS}
  for seed in seeds:  # Seed by seed: an interrupted study has whole pairs.
    for name, cfg in ARMS.items():
      slug = name.lower().replace("-", "_")
      record = runner.train(f"{name} s{seed}",
                            os.path.join(root, f"{slug}_s{seed}"), cfg,
                            dict(common, seed=seed))
      runner.evaluate(record, METRICS, eval_flags)
      records.append(record)
      dirs[name].append(record.model_dir)

  series = {n: {m: [readers.eval_series(d, m) for d in dirs[n]]
                for m, _ in PANELS} for n in ARMS}
  sec_per_step = {n: [_seconds_per_step(d) for d in dirs[n]] for n in ARMS}
  decisions = decide(series, sec_per_step, min_seeds=mode["min_seeds"])

  baseline, baseline_seconds = [], 0.0
  if use_baseline:
    for seed in seeds:
      acc, secs = supervised_baseline(root, seed, FLAGS.baseline_epochs)
      baseline.append(acc)
      baseline_seconds += secs
  section = sections.Section(
      key=KEY, title="Study 3: MHGAN-SSL vs ACGAN-SSL on Fashion-MNIST "
      "16x16, 10% labels",
      paper="MHGAN (multi-hinge loss) Sec. 2.2 eq. 8 / 9, Sec. 3.3, Fig. 10",
      script="studies.ssl_fmnist", protocol=[], claims=[], body=[],
      runs=records, rules=REGISTERED, quick=FLAGS.quick)
  if baseline:
    section.runs = records + [runner.RunRecord(
        "supervised 10% (classifier only)", os.path.join(root, "supervised"),
        f"python -m {runner.CLASSIFIER_MODULE} --dataset={DATASET} "
        f"--image_size={IMAGE_SIZE} --channels=1 --max_train_examples="
        f"{LABELLED} --epochs={FLAGS.baseline_epochs} --seed=<seed> "
        f"--out={root}/supervised_10pct_s<seed>",
        train_seconds=baseline_seconds)]
  res = section.results_dir
  panels = [(title, {n: series[n][m] for n in ARMS}) for m, title in PANELS]
  # Each arm's steps at its mean seconds per step (one time axis per arm).
  panels.append(("FD against training wall time", {
      n: [(s * float(np.mean(sec_per_step[n])) / 60.0, v)
          for s, v in series[n]["fid"]] for n in ARMS}))
  _band_plot(os.path.join(res, "curves.png"), panels[:5])
  _band_plot(os.path.join(res, "fd_vs_time.png"), panels[5:],
             xlabel="training minutes (steps x the arm's mean of the "
             "runs' median s/step)", columns=1)

  per_seed_rows, summary_rows = [], []
  cols = (("fid", "best FD", np.min), ("is", "best score", np.max),
          ("fid", "final FD", None), ("sample_accuracy", "sample acc.", None),
          ("validation_accuracy", "validation acc.", None),
          ("self_accuracy", "self acc.", None))
  for n in ARMS:
    for i, seed in enumerate(seeds):
      row = [n, seed, f"{sec_per_step[n][i]:.3f}"]
      for metric, _, pick in cols:
        s, v = series[n][metric][i]
        if not v.size:
          row.append("n/a")
        elif pick is None:
          row.append(sections.fmt(v[-1]))
        else:
          k = int(np.argmin(v) if pick is np.min else np.argmax(v))
          row.append(f"{v[k]:.3f} @{int(s[k])}")
      per_seed_rows.append(row)
    stats = [sr.SeedStats.of(sec_per_step[n]).format()]
    for metric, _, pick in cols:
      stats.append(sr.SeedStats.of(
          ((pick or (lambda x: x[-1]))(v) if v.size else math.nan)
          for _, v in series[n][metric]).format())
    summary_rows.append([n, *stats])
  if baseline:
    summary_rows.append(["supervised, 6,000 labels only (domain classifier "
                         "architecture)", "n/a", "n/a", "n/a", "n/a", "n/a",
                         sr.SeedStats.of(baseline).format(), "n/a"])
  headers = [title for _, title, _ in cols]
  summary = sections.markdown_table(["arm", "s / G step", *headers],
                                    summary_rows)
  per_seed = sections.markdown_table(
      ["arm", "seed", "s / G step",
       *[h + (" @step" if p is not None else "") for (_, h, p) in cols]],
      per_seed_rows)
  gates = []
  for m, higher, tol, rel in GATES:
    for n in ARMS:
      gates.append((m, n, mean_still_improving(series[n][m], higher, tol,
                                               rel)[1]))
  gate_table = sections.markdown_table(
      ["metric", "arm", "end of the mean curve"], gates)

  section.claims = [sections.Claim.decided(d) for d in decisions]
  section.per_seed, section.conditions = summary_record(series, sec_per_step,
                                                        seeds)
  section.protocol = [
      ("data", "Fashion-MNIST 28x28 resized to 16x16; labels kept for an "
       "evenly spread 10% of the 60,000 training images (6,000: index i "
       "with floor((i+1)/10) > floor(i/10)); all 60,000 (the labelled 10% "
       "included) as the unlabelled stream; the 10,000 test images held out "
       "for D's validation accuracy"),
      ("flagfiles", "mhgan_ssl_fmnist16.cfg (multi-hinge, 1 D step, D lr "
       "4e-4, z 128), acgan_ssl_fmnist16.cfg (cross-entropy, 2 D steps, D lr "
       "5e-4, z 120: the paper's ACGAN-SSL differences); SAGAN 16x16 widths "
       "16, batch 64, hinge, G lr 1e-4, Adam 0 / 0.999, aux weights D 1.0 / "
       "G 0.1 on real and generated, G batch-norm decay 0.99"),
      ("seeds", f"{', '.join(map(str, seeds))} per arm"
       + (" (quick: rules decide from 2 seeds)" if FLAGS.quick else "")),
      ("steps and stopping", f"a fixed budget of {steps} G steps per run "
       f"(the same for both arms; ACGAN-SSL's 2 D steps cost more wall "
       f"time), {loop} G step(s) per compiled call; a rule is inconclusive if "
       "its metric's mean curve was still improving at the end (a new best "
       "in the last 3 evaluations beating the earlier best by > 2% for FD "
       "and score, > 0.5 points for accuracies; table below)"),
      ("evaluation", f"eval.run every {save_every} steps ({evaluations}"
       f" checkpoints), {FLAGS.num_samples} class-balanced samples, the "
       f"offline Fashion-MNIST 16px domain classifier "
       f"({info.test_accuracy:.3f} test accuracy) as feature network (FD, "
       "score in 10 groups, sample accuracy), FD reference 10,000 training "
       "images; validation accuracy = D's auxiliary classifier on the 10,000 "
       "test images; self accuracy = D's classifier on G(z, y)"),
      ("supervised reference", (
          f"the domain classifier's architecture trained for "
          f"{FLAGS.baseline_epochs} epoch(s) on the first 6,000 training "
          "images with labels (eval.train_classifier --max_train_examples; "
          "the same count as, but not the same images as, the GANs' evenly "
          "spread 10%), one per seed; no rule uses it")
       if baseline else "not run" + (" in --quick" if FLAGS.quick else "")),
      ("wall time", "median of each train job's logged steps/s (other jobs "
       "on the 2-core CPU may have shared it)"),
  ]
  section.body = [
      "Mean ± sample std over seeds (best FD / score over each run's "
      "evaluations; the rest at the last evaluation):", summary,
      "Per seed:", per_seed,
      "Plateau gate (mean curve over seeds):", gate_table,
      section.figure("curves.png", "Metrics over training, mean ± std over "
                     "seeds."),
      section.figure("fd_vs_time.png", "FD against training wall time, mean "
                     "± std over seeds.")]
  section.write()


if __name__ == "__main__":
  define_flags()
  app.run(main)
