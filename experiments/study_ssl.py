"""Study 3: MHGAN-SSL vs ACGAN-SSL on digits with 10% of the labels.

Trains configs/mhgan_ssl_digits.cfg and acgan_ssl_digits.cfg (labels kept
for an evenly spread 10% of the 1,437 training images, all images used
unlabelled) for --steps each and evaluates every checkpoint with eval.run
and the offline digits classifier. If study 2 left a fully labelled MHGAN
run of the same length, its numbers are shown for reference.

  python -m experiments.study_ssl [--steps=600]
"""

from __future__ import annotations

import os

from absl import app
from absl import flags
import numpy as np

from experiments import study_common as sc

FLAGS = flags.FLAGS
flags.DEFINE_integer("steps", 600, "G steps per run.")
flags.DEFINE_integer("save_every", 100, "Checkpoint (and eval) interval.")
flags.DEFINE_integer("seed", 0, "Seed of both runs.")
flags.DEFINE_integer("num_samples", 1000, "Generated samples per evaluation.")
flags.DEFINE_string("runs_root", sc.RUNS_ROOT, "Where the runs are written.")

KEY = "ssl_digits"
RUNS = {"MHGAN-SSL": "mhgan_ssl_digits", "ACGAN-SSL": "acgan_ssl_digits"}
PANELS = (("fid", "Fréchet distance (classifier features) ↓"),
          ("is", "classifier score ↑"),
          ("intra_fid", "intra-class FD ↓"),
          ("self_accuracy", "self accuracy"),
          ("validation_accuracy", "validation accuracy (held-out real)"),
          ("sample_accuracy", "sample accuracy (offline classifier)"))


def _seconds_per_step(model_dir: str) -> float:
  """Median wall seconds per G step from the train job's steps/s log."""
  _, rate = sc.train_series(model_dir, "train/steps_per_sec")
  return float(1.0 / np.median(rate[1:] if len(rate) > 1 else rate))


def main(argv):
  del argv
  root = sc.study_dirs(KEY, FLAGS.runs_root)
  classifier, info = sc.ensure_classifier("digits", 16)
  common = dict(seed=FLAGS.seed, max_steps=FLAGS.steps,
                save_every=FLAGS.save_every,
                keep_checkpoints=FLAGS.steps // FLAGS.save_every + 2,
                image_every=FLAGS.steps, summary_every=FLAGS.save_every // 2)
  runs = {}
  for name, cfg in RUNS.items():
    record = sc.train(name, os.path.join(root, name.lower().replace("-", "_")),
                      cfg, common)
    sc.evaluate(record, sc.DIGITS_METRICS,
                sc.digits_eval_flags(classifier, FLAGS.num_samples))
    runs[name] = record
  section = sc.Section(
      key=KEY, title="Study 3: MHGAN-SSL vs ACGAN-SSL on digits, 10% labels",
      paper="MHGAN (multi-hinge loss) Sec. 3.3, eq. 8 / 9",
      script="experiments.study_ssl", protocol=[], claims=[], body=[],
      runs=list(runs.values()))
  res = section.results_dir
  sec_per_step = {n: _seconds_per_step(r.model_dir) for n, r in runs.items()}
  panels = [(title, {n: sc.eval_series(r.model_dir, m)
                     for n, r in runs.items()}) for m, title in PANELS]
  time_curves = {}
  for n, r in runs.items():
    steps, fd = sc.eval_series(r.model_dir, "fid")
    time_curves[n] = (steps * sec_per_step[n] / 60.0, fd)
  panels.append(("Fréchet distance against training wall time",
                 time_curves))
  sc.plot_metric_grid(os.path.join(res, "curves.png"), panels[:6])
  sc.plot_metric_grid(os.path.join(res, "fd_vs_time.png"), panels[6:],
                      columns=1, xlabel="training minutes (median s/step x "
                      "steps)")

  reference = os.path.join(FLAGS.runs_root, "conditional_digits", "mhgan")
  final = FLAGS.steps
  cols = ("fid", "is", "intra_fid", "sample_accuracy", "self_accuracy",
          "validation_accuracy", "d_real_accuracy_train")
  rows = []
  best_fd = {}
  for n, r in runs.items():
    steps, fd = sc.eval_series(r.model_dir, "fid")
    best_fd[n] = (float(fd.min()), int(steps[fd.argmin()]))
    rows.append((n, f"{sec_per_step[n]:.3f}",
                 f"{best_fd[n][0]:.2f} @{best_fd[n][1]}",
                 *(sc.fmt(sc.value_at(r.model_dir, m, final)) for m in cols)))
  if sc.done_step(reference) == final:
    steps, fd = sc.eval_series(reference, "fid")
    rows.append(("MHGAN, 100% labels (study 2)", "n/a",
                 f"{fd.min():.2f} @{int(steps[fd.argmin()])}",
                 *(sc.fmt(sc.value_at(reference, m, final)) for m in cols)))
  table = sc.markdown_table(["run", "s / G step", "best FD @step",
                             *(f"{m} @{final}" for m in cols)], rows)

  mh, ac = best_fd["MHGAN-SSL"][0], best_fd["ACGAN-SSL"][0]
  rel = abs(mh - ac) / min(mh, ac)
  c1 = sc.Claim(
      "MHGAN-SSL reaches about the same quality as ACGAN-SSL",
      sc.REPRODUCED if rel <= 0.2 else
      sc.NOT_REPRODUCED if mh > ac else sc.INCONCLUSIVE,
      f"best FD MHGAN-SSL {mh:.2f}, ACGAN-SSL {ac:.2f} ({rel:.0%} apart, one "
      "seed); rule: reproduced within 20%, not reproduced if MHGAN-SSL is "
      "more than 20% worse, inconclusive if it is more than 20% better")
  # Time for MHGAN-SSL to reach ACGAN-SSL's best FD (or its own best).
  target = ac * 1.05
  mh_steps, mh_fd = sc.eval_series(runs["MHGAN-SSL"].model_dir, "fid")
  reached = mh_steps[mh_fd <= target]
  mh_time = (float(reached[0]) * sec_per_step["MHGAN-SSL"] / 60
             if len(reached) else float("inf"))
  ac_time = best_fd["ACGAN-SSL"][1] * sec_per_step["ACGAN-SSL"] / 60
  mh_total = final * sec_per_step["MHGAN-SSL"] / 60
  ac_steps, ac_fd = sc.eval_series(runs["ACGAN-SSL"].model_dir, "fid")
  ac_at_mh_total = float(np.interp(
      mh_total, ac_steps * sec_per_step["ACGAN-SSL"] / 60, ac_fd))
  first_to_target = mh_time < ac_time
  ahead_at_equal_time = mh_fd[-1] < ac_at_mh_total
  reached_text = (f"after {mh_time:.1f} min" if np.isfinite(mh_time) else
                  f"never in its {final} steps ({mh_total:.1f} min)")
  c2 = sc.Claim(
      "MHGAN-SSL trains faster than ACGAN-SSL (1 D step instead of 2)",
      sc.REPRODUCED if first_to_target and ahead_at_equal_time else
      sc.NOT_REPRODUCED if not (first_to_target or ahead_at_equal_time) else
      sc.INCONCLUSIVE,
      f"{sec_per_step['MHGAN-SSL']:.3f} vs {sec_per_step['ACGAN-SSL']:.3f} "
      f"s per G step; MHGAN-SSL comes within 5% of ACGAN-SSL's best FD "
      f"{reached_text}, ACGAN-SSL reaches it in {ac_time:.1f} min; after "
      f"MHGAN-SSL's {mh_total:.1f} min ACGAN-SSL's FD is {ac_at_mh_total:.2f} "
      f"(interpolated) against MHGAN-SSL's final {mh_fd[-1]:.2f}; rule: "
      "reproduced if MHGAN-SSL both gets within 5% of ACGAN-SSL's best FD "
      "first and has the lower FD at equal wall time, not reproduced if "
      "neither, inconclusive if one (the equal-time test was added after "
      "the first run showed the two disagree)")
  selfs = {n: sc.value_at(r.model_dir, "self_accuracy", final)
           for n, r in runs.items()}
  vals = {n: sc.value_at(r.model_dir, "validation_accuracy", final)
          for n, r in runs.items()}
  ok = all(selfs[n] >= 0.8 and selfs[n] > vals[n] for n in runs)
  c3 = sc.Claim(
      "Both reach high self accuracy (> 80%) above their validation accuracy",
      sc.REPRODUCED if ok else sc.NOT_REPRODUCED,
      "; ".join(f"{n}: self {selfs[n]:.3f}, validation {vals[n]:.3f}"
                for n in runs) + f" at step {final}")
  section.claims = [c1, c2, c3]
  section.protocol = [
      ("data", "digits 16x16; labels kept for 10% of the 1,437 training "
       "images (every 10th by index, 143 labelled), all 1,437 (the "
       "labelled 10% included) as unlabelled images; held-out 360 for "
       "validation"),
      ("flagfiles", "mhgan_ssl_digits.cfg (1 D step, D lr 4e-4), "
       "acgan_ssl_digits.cfg (2 D steps, D lr 5e-4); SAGAN 16x16 width 32, "
       "z 64, batch 64, hinge; unlabelled images projected with the "
       "pseudo-label argmax_k C_k(x), D loss (L_real + L_unlab) / 2 + L_fake "
       "+ L_aux"),
      ("steps", f"{FLAGS.steps} G steps each, seed {FLAGS.seed}"),
      ("evaluation", f"eval.run every {FLAGS.save_every} steps, "
       f"{FLAGS.num_samples} class-balanced samples, offline digits "
       f"classifier ({info.test_accuracy:.3f} held-out accuracy) as the "
       "feature network; reference: the 1,437 train images"),
      ("wall time", "median of the train job's logged steps/s on this "
       "2-core CPU (other jobs may have shared it)"),
  ]
  last = [n for n in runs if best_fd[n][1] == final]
  note = (f"One seed per run. Best FD at the last checkpoint (step {final}) "
          f"for {', '.join(last) or 'neither run'}: "
          + ("still improving when the study stops, so this compares early "
             "training." if last else "both runs had levelled off."))
  section.body = [note, table,
                  section.figure("curves.png", "Metrics over training."),
                  section.figure("fd_vs_time.png", "FD against training "
                                 "wall time.")]
  section.write()


if __name__ == "__main__":
  app.run(main)
