"""Study 5: SQD measures for four losses with and without GP on digits.

Trains configs/sqd_digits_<loss>[_gp].cfg (small DCGAN on 16x16 digits;
non-saturating, least-squares, hinge and Wasserstein losses, each with no
penalty and with the WGAN-GP penalty) with the train binary's SQD monitor:
weight angles of G and D every step, Q and D from the offline digits
classifier once per epoch, and the turning-point rule. Reads everything
back from the runs' TensorBoard logs and sqd_turning_points.jsonl.

  python -m experiments.study_sqd [--epochs=40]
"""

from __future__ import annotations

import json
import os

from absl import app
from absl import flags
import numpy as np

from experiments import study_common as sc
from tfgan_ext.monitors import TURNING_POINTS_FILE

FLAGS = flags.FLAGS
flags.DEFINE_integer("epochs", 40, "Epochs per run (22 G steps each).")
flags.DEFINE_integer("seed", 0, "Seed of every run.")
flags.DEFINE_integer("sqd_samples", 500, "Generated samples per Q / D.")
flags.DEFINE_string("runs_root", sc.RUNS_ROOT, "Where the runs are written.")

KEY = "sqd_digits"
LOSSES = ("nonsaturating", "least_squares", "hinge", "wasserstein")
STEPS_PER_EPOCH = sc.DIGITS_STEPS_PER_EPOCH
SUMMARY_EVERY = 5
SPIKE_FACTOR = sc.SPIKE_FACTOR


def _name(loss: str, gp: bool) -> str:
  return f"{loss}{'_gp' if gp else ''}"


def _turning_points(model_dir: str) -> list[dict]:
  path = os.path.join(model_dir, TURNING_POINTS_FILE)
  if not os.path.exists(path):
    return []
  with open(path, encoding="utf8") as f:
    return [json.loads(line) for line in f if line.strip()]


def _plot(runs, path: str) -> None:
  plt = sc.pyplot()
  fig, axes = plt.subplots(2, 2, figsize=(13, 7.5))
  panels = (("sqd/angle_g", "S: angle between consecutive G weights (rad)",
             True), ("sqd/angle_d", "S: angle between consecutive D "
                     "weights (rad)", True),
            ("sqd/quality", "Q: mean max class probability", False),
            ("sqd/diversity", "D: James-Stein mode entropy (nats)", False))
  colors = dict(zip(LOSSES, ("tab:blue", "tab:orange", "tab:green",
                             "tab:red")))
  for ax, (tag, title, log) in zip(axes.flat, panels):
    for (loss, gp), r in runs.items():
      steps, values = sc.train_series(r.model_dir, tag)
      ax.plot(steps / STEPS_PER_EPOCH, values, color=colors[loss],
              ls="--" if gp else "-", lw=0.8 if log else 1.2,
              label=_name(loss, gp))
      if not log:
        for point in _turning_points(r.model_dir):
          ax.axvline(point["step"] / STEPS_PER_EPOCH, color=colors[loss],
                     ls=":" if gp else "-.", lw=0.8)
    if log:
      ax.set_yscale("log")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel("epoch")
    ax.grid(alpha=0.3)
  axes[0, 0].legend(fontsize=7, ncol=2)
  fig.tight_layout()
  sc.save_figure(fig, path)


def main(argv):
  del argv
  root = sc.study_dirs(KEY, FLAGS.runs_root)
  classifier, info = sc.ensure_classifier("digits", 16)
  steps = FLAGS.epochs * STEPS_PER_EPOCH
  runs = {}
  for loss in LOSSES:
    for gp in (False, True):
      name = _name(loss, gp)
      runs[(loss, gp)] = sc.train(
          name, os.path.join(root, name), f"sqd_digits_{name}", dict(
              seed=FLAGS.seed, max_steps=steps, save_every=steps,
              image_every=steps, summary_every=SUMMARY_EVERY, sqd=True,
              sqd_every=STEPS_PER_EPOCH, sqd_samples=FLAGS.sqd_samples,
              classifier_path=classifier))
  section = sc.Section(
      key=KEY, title="Study 5: SQD on digits, four losses with and without "
      "GP", paper="SQD (measuring stability, quality and diversity), Sec. 4-5",
      script="experiments.study_sqd", protocol=[], claims=[], body=[],
      runs=list(runs.values()))
  _plot(runs, os.path.join(section.results_dir, "sqd.png"))

  window = 100 // SUMMARY_EVERY
  rows, per = [], {}
  for (loss, gp), r in runs.items():
    a_g = sc.train_series(r.model_dir, "sqd/angle_g")[1]
    a_d = sc.train_series(r.model_dir, "sqd/angle_d")[1]
    q = sc.train_series(r.model_dir, "sqd/quality")[1]
    d = sc.train_series(r.model_dir, "sqd/diversity")[1]
    tenth = max(1, len(a_g) // 10)
    half = len(q) // 2
    points = _turning_points(r.model_dir)
    per[(loss, gp)] = dict(
        settle_g=np.median(a_g[-tenth:]) / np.median(a_g[:tenth]),
        settle_d=np.median(a_d[-tenth:]) / np.median(a_d[:tenth]),
        spikes=sc.angle_spikes(a_g, window) + sc.angle_spikes(a_d, window),
        q_late=float(np.mean(q[half:])), d_late=float(np.mean(d[half:])),
        q_best=float(q.max()), q_last=float(q[-1]), d_last=float(d[-1]),
        angle_cv=float(np.std(a_g[len(a_g) // 2:])
                       / np.mean(a_g[len(a_g) // 2:])),
        d_std=float(np.std(d[half:])),
        points=points)
    p = per[(loss, gp)]
    rows.append((
        _name(loss, gp), f"{p['settle_g']:.2f} / {p['settle_d']:.2f}",
        p["spikes"], f"{p['q_best']:.3f} / {p['q_last']:.3f}",
        f"{p['q_late']:.3f}", f"{p['d_late']:.3f} / {p['d_last']:.3f}",
        ", ".join(f"epoch {pt['step'] / STEPS_PER_EPOCH:.0f} "
                  f"({pt['network'].upper()} ×{pt['angle_ratio']:.1f})"
                  for pt in points) or "none"))
  table = sc.markdown_table(
      ["run", "angle last 10% / first 10% (G / D medians)",
       f"angle spikes (> {SPIKE_FACTOR:g}x median of previous "
       f"{window * SUMMARY_EVERY} steps, G + D)", "Q best / last",
       "Q mean, 2nd half", "D mean 2nd half / last", "turning points"],
      rows)

  with_tp = {gp: sum(bool(per[(l, gp)]["points"]) for l in LOSSES)
             for gp in (False, True)}
  c1 = sc.Claim(
      "Every GAN without GP shows a turning point (angles jump while Q and "
      "D fall); with GP none does",
      sc.REPRODUCED if with_tp[False] >= 3 and with_tp[True] <= 1 else
      sc.NOT_REPRODUCED if with_tp[False] <= with_tp[True] else
      sc.INCONCLUSIVE,
      f"runs with a detected turning point: {with_tp[False]}/4 without GP, "
      f"{with_tp[True]}/4 with GP; rule: reproduced at >= 3 vs <= 1")
  q_better = sum(per[(l, True)]["q_late"] > per[(l, False)]["q_late"]
                 for l in LOSSES)
  d_better = sum(per[(l, True)]["d_late"] > per[(l, False)]["d_late"]
                 for l in LOSSES)
  c2 = sc.Claim(
      "GP improves visual quality Q and mode diversity D",
      sc.REPRODUCED if q_better >= 3 and d_better >= 3 else
      sc.NOT_REPRODUCED if q_better <= 1 and d_better <= 1 else
      sc.INCONCLUSIVE,
      f"GP run higher over the second half in Q for {q_better}/4 losses, in "
      f"D for {d_better}/4; rule: reproduced at >= 3/4 on both, not "
      "reproduced at <= 1/4 on both")
  spikes_fewer = sum(per[(l, True)]["spikes"] < per[(l, False)]["spikes"]
                     for l in LOSSES)
  settle = sum(per[(l, True)]["settle_g"] < 1 and per[(l, True)]["settle_d"]
               < 1 for l in LOSSES)
  c3 = sc.Claim(
      "With GP the weight angles converge smoothly toward 0; without GP "
      "they jump",
      sc.REPRODUCED if spikes_fewer >= 3 and settle >= 3 else
      sc.NOT_REPRODUCED if spikes_fewer <= 1 else sc.INCONCLUSIVE,
      f"GP run has fewer angle spikes for {spikes_fewer}/4 losses; GP "
      f"angles shrink (last/first 10% medians < 1 for G and D) for "
      f"{settle}/4; rule: reproduced at >= 3/4 on both")
  plain = {l: per[(l, False)] for l in LOSSES}
  cv_top = max(plain, key=lambda l: plain[l]["angle_cv"])
  d_top = max(plain, key=lambda l: plain[l]["d_std"])
  c4 = sc.Claim(
      "Without GP, WGAN is the least stable of the four losses",
      sc.REPRODUCED if cv_top == d_top == "wasserstein" else
      sc.NOT_REPRODUCED if "wasserstein" not in (cv_top, d_top) else
      sc.INCONCLUSIVE,
      "second half, no GP: G-angle coefficient of variation "
      + ", ".join(f"{l} {plain[l]['angle_cv']:.2f}" for l in LOSSES)
      + "; std of D " + ", ".join(f"{l} {plain[l]['d_std']:.3f}"
                                  for l in LOSSES)
      + "; rule: reproduced if WGAN is highest on both")
  section.claims = [c1, c2, c3, c4]
  section.protocol = [
      ("data", "digits 16x16, 1,437 train images (22 steps per epoch at "
       "batch 64), unconditional"),
      ("flagfiles", "sqd_digits_{nonsaturating,least_squares,hinge,"
       "wasserstein}[_gp].cfg: DCGAN G/D width 16 without SN, z 32, Adam "
       "2e-4 beta1 0.5; GP = WGAN-GP penalty, lambda 10"),
      ("length", f"{FLAGS.epochs} epochs ({steps} G steps), seed "
       f"{FLAGS.seed}; the paper's turning points came at epochs 40-110 "
       "of 300 (CelebA), so a longer run may still show them"),
      ("S", f"angle between consecutive weight vectors of G and of D "
       f"(all weights), every step; logged every {SUMMARY_EVERY} steps"),
      ("Q, D", f"every epoch on {FLAGS.sqd_samples} samples with fixed "
       "latents, offline digits classifier "
       f"({info.test_accuracy:.3f} held-out accuracy): Q = mean max class "
       "probability, D = James-Stein entropy of nearest class-centroid "
       "assignments (max log 10 = 2.30)"),
      ("turning point", "the monitor's rule: an angle > 3x its running "
       "median over 100 steps while Q and D both fall > 10% below their "
       "best (train binary defaults)"),
  ]
  section.body = [
      table,
      section.figure("sqd.png", "S (log scale), Q and D per epoch; solid "
                     "lines without GP, dashed with GP; vertical lines mark "
                     "detected turning points."),
  ]
  section.write()


if __name__ == "__main__":
  app.run(main)
