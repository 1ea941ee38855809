"""Study 2: MHGAN vs SAGAN vs ACGAN on digits, and the MHShared fine-tune.

Trains configs/demo_digits.cfg (SAGAN), mhgan_digits.cfg and acgan_digits.cfg
(16x16 digits, width 32) for --steps each; then, from the SAGAN run's last
checkpoint, mhshared_finetune_digits.cfg (MHShared) and, as the control, the
SAGAN config itself for --finetune_steps more steps. Both continue the SAGAN
run (--init_from with --init_from_continue: optimizers, step counter and
data stream carried on, as the paper switches the loss in the middle of
SAGAN training), so they differ only in the loss. Every checkpoint is
evaluated by eval.run with the offline digits classifier as the feature
network.

  python -m experiments.study_conditional [--steps=600] [--finetune_steps=200]
"""

from __future__ import annotations

import os

from absl import app
from absl import flags
import numpy as np

from experiments import study_common as sc

FLAGS = flags.FLAGS
flags.DEFINE_integer("steps", 600, "G steps of the three main runs.")
flags.DEFINE_integer("save_every", 100, "Checkpoint (and eval) interval.")
flags.DEFINE_integer("finetune_steps", 200, "G steps of the fine-tunes.")
flags.DEFINE_integer("finetune_save_every", 50, "Fine-tune eval interval.")
flags.DEFINE_integer("seed", 0, "Seed of every run.")
flags.DEFINE_integer("num_samples", 1000, "Generated samples per evaluation.")
flags.DEFINE_string("runs_root", sc.RUNS_ROOT, "Where the runs are written.")

KEY = "conditional_digits"
MAIN = {"SAGAN": "demo_digits", "MHGAN": "mhgan_digits",
        "ACGAN": "acgan_digits"}
FINETUNE = {"MHShared fine-tune": "mhshared_finetune_digits",
            "SAGAN continued (control)": "demo_digits"}
METRICS = sc.DIGITS_METRICS
PANELS = (("fid", "Fréchet distance (classifier features) ↓"),
          ("is", "classifier score ↑ (max 10)"),
          ("intra_fid", "intra-class Fréchet distance ↓"),
          ("self_accuracy", "self accuracy (D's classifier on G(z, y))"),
          ("validation_accuracy", "validation accuracy (D's classifier, "
           "held-out real)"),
          ("sample_accuracy", "sample accuracy (offline classifier)"),
          ("diversity", "mode entropy D (nats; log 10 = 2.30)"),
          ("within_class_spread", "within-class spread (1 = real)"),
          ("projection_accuracy", "projection argmax_k D(x, k) accuracy"))


def _run(name: str, cfg: str, root: str, flags_: dict, classifier: str
         ) -> sc.RunRecord:
  record = sc.train(name, os.path.join(root, _slug(name)), cfg, flags_)
  sc.evaluate(record, METRICS,
              sc.digits_eval_flags(classifier, FLAGS.num_samples))
  return record


def _slug(name: str) -> str:
  return "".join(c if c.isalnum() else "_" for c in name.lower()).strip("_")


def _best(model_dir: str, metric: str, lower: bool) -> tuple[float, int]:
  steps, values = sc.eval_series(model_dir, metric)
  i = int(np.argmin(values) if lower else np.argmax(values))
  return float(values[i]), int(steps[i])


def main(argv):
  del argv
  root = sc.study_dirs(KEY, FLAGS.runs_root)
  classifier, info = sc.ensure_classifier("digits", 16)
  common = dict(seed=FLAGS.seed, max_steps=FLAGS.steps,
                save_every=FLAGS.save_every,
                keep_checkpoints=FLAGS.steps // FLAGS.save_every + 2,
                image_every=FLAGS.steps, summary_every=FLAGS.save_every)
  runs = {name: _run(name, cfg, root, common, classifier)
          for name, cfg in MAIN.items()}
  start = os.path.join(runs["SAGAN"].model_dir, f"ckpt-{FLAGS.steps}")
  # Continued runs count steps on from the SAGAN checkpoint's.
  end = FLAGS.steps + FLAGS.finetune_steps
  tune = dict(common, max_steps=end, save_every=FLAGS.finetune_save_every,
              keep_checkpoints=FLAGS.finetune_steps // FLAGS.finetune_save_every
              + 2, image_every=FLAGS.finetune_steps,
              summary_every=FLAGS.finetune_save_every, init_from=start,
              init_from_continue=True)
  tuned = {name: _run(name, cfg, root, tune, classifier)
           for name, cfg in FINETUNE.items()}
  section = sc.Section(
      key=KEY, title="Study 2: MHGAN vs SAGAN vs ACGAN on digits, and the "
      "MHShared fine-tune", paper="MHGAN (multi-hinge loss) Sec. 3, Fig. 7, "
      "Fig. 8 and Sec. 3.4 / 7.1", script="experiments.study_conditional",
      protocol=[], claims=[], body=[], runs=[*runs.values(),
                                              *tuned.values()])
  res = section.results_dir

  # ------------------------------------------------------------ main runs
  panels = []
  for metric, title in PANELS:
    panels.append((title, {n: sc.eval_series(r.model_dir, metric)
                           for n, r in runs.items()}))
  sc.plot_metric_grid(os.path.join(res, "curves.png"), panels)
  final = FLAGS.steps
  cols = ("fid", "is", "intra_fid", "sample_accuracy", "self_accuracy",
          "validation_accuracy", "projection_accuracy", "diversity",
          "within_class_spread")
  table_rows = []
  best = {}
  for name, r in runs.items():
    best[name] = dict(fid=_best(r.model_dir, "fid", True),
                      is_=_best(r.model_dir, "is", False),
                      intra=_best(r.model_dir, "intra_fid", True))
    table_rows.append((
        name, f"{best[name]['fid'][0]:.2f} @{best[name]['fid'][1]}",
        f"{best[name]['is_'][0]:.2f} @{best[name]['is_'][1]}",
        f"{best[name]['intra'][0]:.1f} @{best[name]['intra'][1]}",
        *(sc.fmt(sc.value_at(r.model_dir, m, final)) for m in cols)))
  main_table = sc.markdown_table(
      ["run", "best FD @step", "best score @step", "best intra-FD @step",
       *(f"{m} @{final}" for m in cols)], table_rows)

  early = FLAGS.save_every
  acc_rows = [(n, *(sc.fmt(sc.value_at(r.model_dir, "self_accuracy", s))
                    for s in range(early, final + 1, FLAGS.save_every)))
              for n, r in runs.items()]
  acc_table = sc.markdown_table(
      ["self accuracy at step", *(str(s) for s in range(
          early, final + 1, FLAGS.save_every))], acc_rows)

  # ------------------------------------------------------------ fine-tune
  tune_panels = []
  base = runs["SAGAN"].model_dir
  for metric, title in (("is", "classifier score ↑"),
                        ("fid", "Fréchet distance ↓"),
                        ("diversity", "mode entropy D (nats)"),
                        ("within_class_spread", "within-class spread"),
                        ("self_accuracy", "self accuracy"),
                        ("intra_fid", "intra-class FD ↓")):
    curves = {}
    for name, r in tuned.items():
      s, v = sc.eval_series(r.model_dir, metric)
      curves[name] = (np.concatenate([[0], s - final]),
                      np.concatenate([[sc.value_at(base, metric, final)], v]))
    tune_panels.append((title, curves))
  sc.plot_metric_grid(os.path.join(res, "finetune.png"), tune_panels,
                      xlabel=f"fine-tune step (0 = SAGAN step {final})")
  tune_cols = ("is", "fid", "intra_fid", "diversity", "within_class_spread",
               "self_accuracy", "sample_accuracy")
  ft = FLAGS.finetune_steps
  tune_rows = [(f"SAGAN step {final} (start)",
                *(sc.fmt(sc.value_at(base, m, final)) for m in tune_cols))]
  tune_rows += [(f"{name}, +{ft} steps",
                 *(sc.fmt(sc.value_at(r.model_dir, m, end)) for m in tune_cols))
                for name, r in tuned.items()]
  tune_table = sc.markdown_table(["checkpoint", *tune_cols], tune_rows)

  # ------------------------------------------------------------- verdicts
  fd = {n: best[n]["fid"][0] for n in runs}
  score = {n: best[n]["is_"][0] for n in runs}
  others = ("SAGAN", "ACGAN")
  mh_best = all(fd["MHGAN"] < fd[o] and score["MHGAN"] > score[o]
                for o in others)
  mh_worst = fd["MHGAN"] > fd["SAGAN"] and score["MHGAN"] < score["SAGAN"]
  c1 = sc.Claim(
      "MHGAN beats SAGAN and ACGAN on quality (IS / FID)",
      sc.REPRODUCED if mh_best else sc.NOT_REPRODUCED if mh_worst
      else sc.INCONCLUSIVE,
      "best FD " + ", ".join(f"{n} {fd[n]:.2f}" for n in runs)
      + "; best score " + ", ".join(f"{n} {score[n]:.2f}" for n in runs)
      + f" (one seed, {FLAGS.steps} steps); rule: reproduced if MHGAN is "
      "best on both, not reproduced if worse than SAGAN on both")
  sagan_proj = sc.value_at(runs["SAGAN"].model_dir, "validation_accuracy", final)
  aux_val = {n: sc.value_at(runs[n].model_dir, "validation_accuracy", final)
             for n in ("MHGAN", "ACGAN")}
  c2 = sc.Claim(
      "SAGAN's projection cannot be used as a classifier (accuracy near "
      "1 / classes); the aux heads of MHGAN and ACGAN reach similar "
      "validation accuracy",
      sc.REPRODUCED if sagan_proj < 0.2 and abs(
          aux_val["MHGAN"] - aux_val["ACGAN"]) <= 0.05 and min(
              aux_val.values()) > 0.5
      else sc.NOT_REPRODUCED if sagan_proj >= 0.3 else sc.INCONCLUSIVE,
      f"validation accuracy at step {final}: SAGAN (projection argmax) "
      f"{sagan_proj:.3f}, MHGAN {aux_val['MHGAN']:.3f}, ACGAN "
      f"{aux_val['ACGAN']:.3f}; rule: reproduced if SAGAN < 0.2 and the aux "
      "heads are > 0.5 and within 0.05; not reproduced if SAGAN >= 0.3")
  self_curves = {n: sc.eval_series(runs[n].model_dir, "self_accuracy")[1]
                 for n in ("MHGAN", "ACGAN")}
  mh_self, ac_self = (float(np.mean(self_curves[n])) for n in ("MHGAN",
                                                                "ACGAN"))
  c3 = sc.Claim(
      "The multi-hinge loss brings class information into G more gradually "
      "than ACGAN's cross-entropy (Fig. 7a)",
      sc.REPRODUCED if mh_self < ac_self - 0.05 else
      sc.NOT_REPRODUCED if mh_self > ac_self + 0.05 else sc.INCONCLUSIVE,
      f"self accuracy averaged over the checkpoints {early}-{final}: MHGAN "
      f"{mh_self:.3f}, ACGAN {ac_self:.3f} (at step {early}: "
      f"{self_curves['MHGAN'][0]:.3f} vs {self_curves['ACGAN'][0]:.3f}); "
      "rule: a 0.05 gap in the average either way decides (the first rule, "
      f"comparing step {early} alone, caught both at chance and was "
      "replaced after the first run)")
  start_is = sc.value_at(base, "is", final)
  start_div = sc.value_at(base, "diversity", final)
  start_spread = sc.value_at(base, "within_class_spread", final)
  mhs = tuned["MHShared fine-tune"].model_dir
  ctl = tuned["SAGAN continued (control)"].model_dir
  ft_is, ft_div, ft_spread = (sc.value_at(mhs, m, end) for m in (
      "is", "diversity", "within_class_spread"))
  ctl_is = sc.value_at(ctl, "is", end)
  quality_up = ft_is > start_is and ft_is > ctl_is
  diversity_down = ft_spread < start_spread or ft_div < start_div
  c4 = sc.Claim(
      "MHShared fine-tuning from a SAGAN checkpoint raises quality (score) "
      "at the cost of diversity",
      sc.REPRODUCED if quality_up and diversity_down else
      sc.NOT_REPRODUCED if not quality_up else sc.INCONCLUSIVE,
      f"score {start_is:.2f} -> {ft_is:.2f} (control {ctl_is:.2f}); mode "
      f"entropy {start_div:.3f} -> {ft_div:.3f}; within-class spread "
      f"{start_spread:.3f} -> {ft_spread:.3f}; rule: reproduced if the score "
      "beats both the start and the control and either diversity measure "
      "falls")
  section.claims = [c1, c2, c3, c4]
  section.protocol = [
      ("data", "scikit-learn digits resized to 16x16, 1,437 train / 360 "
       "held-out images"),
      ("flagfiles", "demo_digits.cfg (SAGAN), mhgan_digits.cfg, "
       "acgan_digits.cfg (2 D steps), mhshared_finetune_digits.cfg; SAGAN "
       "16x16, width 32, z 64, batch 64, G lr 2e-4, D lr 4e-4, hinge; aux "
       "weights D 1.0 / G 0.1 on real + fake"),
      ("steps", f"{FLAGS.steps} G steps per main run (seed {FLAGS.seed}); "
       f"fine-tunes {FLAGS.finetune_steps} more steps continuing SAGAN ckpt-"
       f"{FLAGS.steps} (--init_from --init_from_continue: weights, both "
       "optimizers' state, step counter and data stream carried on; the "
       "MHShared run and the SAGAN control differ only in the loss)"),
      ("evaluation", f"eval.run on every checkpoint ({FLAGS.save_every} / "
       f"{FLAGS.finetune_save_every} steps): {FLAGS.num_samples} samples "
       "with balanced labels (10 groups for the score), fixed latents; "
       "reference: the 1,437 train images"),
      ("feature network", f"offline digits classifier ({info.test_accuracy:.3f} "
       f"held-out accuracy on {info.test_examples} images): its logits give "
       "the score (IS analogue, max 10) and sample accuracy, its penultimate "
       "features the FD, intra-FD, mode entropy and within-class spread"),
      ("conditioning metrics", "D's own classifier: the aux head for MHGAN "
       "/ ACGAN / MHShared's shared table, argmax_k D(x, k) for SAGAN; "
       "validation = the 360 held-out images"),
      ("diversity", "mode entropy = SQD's D (James-Stein entropy of "
       "nearest class-centroid assignments); within-class spread = mean "
       "over classes of tr Cov(generated) / tr Cov(real) in classifier "
       "features"),
  ]
  at_end = sum(best[n][k][1] >= final - FLAGS.save_every
               for n in runs for k in ("fid", "is_", "intra"))
  note = (f"One seed per run. {at_end} of the {3 * len(runs)} best values "
          f"(FD, score, intra-FD per run) fall on one of the last two "
          f"checkpoints: the runs are still improving at step {final}, so "
          "this compares early training, not converged models.")
  section.body = [
      note,
      main_table,
      section.figure("curves.png", "Metrics over training, every "
                     f"{FLAGS.save_every} steps."),
      acc_table,
      "MHShared fine-tune against the control that continues SAGAN training "
      "for the same number of steps:",
      tune_table,
      section.figure("finetune.png", "Fine-tunes from SAGAN's last "
                     "checkpoint (step 0 = the starting checkpoint)."),
  ]
  section.write()


if __name__ == "__main__":
  app.run(main)
