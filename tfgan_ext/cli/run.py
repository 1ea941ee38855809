"""Eval job: python -m eval.run --model_dir=DIR [--metrics=is,fid] ...

Evaluates every checkpoint of a model_dir as it appears (until TRAINING_DONE
and its checkpoint are done, or --timeout seconds without a new one), or one
checkpoint with --once. Results: DIR/eval_results.jsonl and DIR/eval/
(TensorBoard). Feature network: --classifier_path (a domain classifier from
eval.train_classifier), --inception_path (a local TF-Hub Inception, or the FID
Inception imported by eval.import_inception: FID / KID only), else the TF-Hub
Inception URL from the TF-Hub cache; 2-D mixture runs use the known mixture.
--protocol=train is 10 groups of 1024 samples, final 50k.
--reference_stats=FILE.npz (mu, sigma; e.g. from eval.write_stats or
pytorch-fid): FID against that file instead of the reference split.
"""

from __future__ import annotations

import sys

from absl import flags
from absl import logging

from tfgan_ext import evaluation
from tfgan_ext import workspace
from tfgan_ext.cli import common
from tfgan_ext.cli import launch
from tfgan_ext.cli import network_flags
from tfgan_ext.config_checks import require_number
from tfgan_ext.errors import (MissingInputError, UsageError,
                              reports_input_errors)
from tfgan_ext.evaluation import domain_classifier

FLAGS = flags.FLAGS
PROGRAM = "eval.run"  # Name in messages; see launch.invoked_name.

flags.DEFINE_string("model_dir", None, "Training run to evaluate.")
flags.DEFINE_string("metrics", "is,fid", "Comma-separated metrics or groups: "
                    "is, fid, kid, intra_fid, sample_accuracy, quality, "
                    "diversity, modes_covered (2-D mixtures), "
                    "within_class_spread, precision, recall, density, "
                    "coverage, validation_accuracy, self_accuracy, "
                    "projection_accuracy, d_real_accuracy_train, "
                    "d_real_accuracy_validation; groups conditioning, sqd, "
                    "prdc.")
flags.DEFINE_enum("protocol", "train", sorted(evaluation.PRESETS),
                  "train: 10 groups of 1024 samples; final: 50k samples in "
                  "10 groups.")
flags.DEFINE_integer("num_samples", None, "Overrides the protocol's count.")
flags.DEFINE_integer("num_groups", None, "Overrides the protocol's IS groups.")
flags.DEFINE_string("reference_split", "train", "Real split for FID / KID / "
                    "intra-FID / centroids.")
flags.DEFINE_integer("reference_samples", 0, "Real examples from it (0: "
                     "num_samples, capped by the split).")
flags.DEFINE_string("validation_split", "", "Split for validation metrics "
                    "(default test, or validation for ImageNet).")
flags.DEFINE_integer("conditioning_samples", 0, "Cap on real examples per "
                     "split for conditioning metrics (0: whole split).")
flags.DEFINE_integer("per_class_samples", 0, "Generated samples per class for "
                     "intra-FID (0: num_samples / classes).")
flags.DEFINE_integer("class_chunk", 10, "Classes generated at once for "
                     "intra-FID.")
flags.DEFINE_integer("batch_size", 100, "Generation / feature batch size.")
flags.DEFINE_integer("seed", 0, "Seed of the latent vectors.")
flags.DEFINE_enum("bn_inference", "moving", ["moving", "batch"], "Generator "
                  "batch-norm moments: the moving averages from training, or "
                  "each generated batch's own (for comparison).")
flags.DEFINE_bool("use_ema", True, "Score the run's EMA generator when it "
                  "has one (trained with --ema_decay > 0); false = the raw "
                  "generator. Rows record which (\"generator\": \"ema\" | "
                  "\"raw\").")
flags.DEFINE_string("reference_stats", None, "FID reference statistics: an "
                    ".npz with mu [d] and sigma [d, d] of this feature "
                    "network (TTUR / pytorch-fid format, or eval.write_stats)"
                    "; only fid can use it.")
flags.DEFINE_string("stats_cache_dir", common.STATS_CACHE_DIR, "Cache of "
                    "real-data features and statistics (empty: no cache).")
flags.DEFINE_string("data_dir", None, "TFDS data_dir, or the folder of "
                    "the fashion_mnist IDX files.")
flags.DEFINE_bool("once", False, "Evaluate one checkpoint and exit.")
flags.DEFINE_string("checkpoint", None, "With --once: this checkpoint, a "
                    "path or a name in --model_dir such as ckpt-500 "
                    "(default: the newest).")
flags.DEFINE_float("timeout", 3600.0, "Stop after this many seconds without a "
                   "new checkpoint (<= 0: wait for TRAINING_DONE).")
flags.DEFINE_float("poll_interval", 30.0, "Seconds between polls.")
flags.DEFINE_float("progress_every", 10.0, "Seconds between progress lines.")
flags.mark_flag_as_required("model_dir")


def protocol_from_flags() -> evaluation.EvalProtocol:
  return evaluation.preset(
      FLAGS.protocol, num_samples=FLAGS.num_samples,
      num_groups=FLAGS.num_groups, reference_split=FLAGS.reference_split,
      reference_samples=FLAGS.reference_samples,
      validation_split=FLAGS.validation_split,
      conditioning_samples=FLAGS.conditioning_samples,
      per_class_samples=FLAGS.per_class_samples,
      class_chunk=FLAGS.class_chunk, batch_size=FLAGS.batch_size,
      seed=FLAGS.seed, bn_inference=FLAGS.bn_inference,
      use_ema=FLAGS.use_ema)


def network_for_run(metrics, config):
  """`feature_network`; when Inception is not available here, the error also
  names the run's offline domain classifier if its dataset has one."""
  try:
    return network_flags.feature_network(metrics, config.dataset)
  except MissingInputError as err:
    mc = config.model
    hint = domain_classifier.offline_classifier_hint(
        config.dataset, mc.image_size, mc.channels, common.CLASSIFIERS_DIR)
    if FLAGS.classifier_path or not hint:
      raise
    raise MissingInputError(f"{err} {hint}") from None  # One line.


@reports_input_errors(PROGRAM)
def main(argv):
  launch.check_command_line(argv)
  if FLAGS.checkpoint and not FLAGS.once:
    raise UsageError("--checkpoint needs --once.")
  # Checked before anything is read or written (NaN must not hang).
  timeout = evaluation.timeout_from_flag(FLAGS.timeout)
  evaluation.check_poll_settings(timeout, FLAGS.poll_interval)
  require_number("--progress_every", FLAGS.progress_every, low=0.0,
                 hint="It is the seconds between progress lines.")
  metrics = evaluation.parse_metrics(FLAGS.metrics)
  config = workspace.load_config(FLAGS.model_dir)
  network = network_for_run(metrics, config)
  evaluator = evaluation.Evaluator(
      FLAGS.model_dir, metrics, protocol_from_flags(), network,
      cache_dir=FLAGS.stats_cache_dir, data_dir=FLAGS.data_dir,
      progress_every=FLAGS.progress_every,
      reference_stats=FLAGS.reference_stats)
  if FLAGS.once:
    rows = evaluation.evaluate_once(evaluator, FLAGS.checkpoint)
    if not rows:
      print("Already evaluated (see eval_results.jsonl).")
    else:
      print(evaluation.format_table(rows))
    return 0
  summary = evaluation.poll(evaluator, timeout=timeout,
                            poll_interval=FLAGS.poll_interval)
  logging.info("Evaluated steps %s; skipped %s; stopped by %s.",
               summary.evaluated, summary.skipped, summary.stopped_by)
  return 0


def run() -> None:
  """Entry point of `python -m eval.run` and the console script
  tfgan-ext-eval: parses the flags, then runs `main`."""
  launch.run(main, PROGRAM, sys.modules[__name__],
             [network_flags])


if __name__ == "__main__":
  run()
