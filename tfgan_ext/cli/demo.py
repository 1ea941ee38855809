"""`make demo`: trains the small conditional SAGAN on the embedded digits,
then evaluates its final checkpoint.

Writes the run to ./demo_run (started afresh each time, once every flag has
been checked: a bad flag leaves an existing ./demo_run as it was; with another
--model_dir it resumes or refuses as the train binary does) and prints where
the sample grid, checkpoints and TensorBoard logs are. Then trains (or reuses)
the digits domain classifier in ./classifiers/digits_16px, evaluates the final
checkpoint once (classifier score, FID and intra-FID in the classifier's
feature space, sample accuracy, SQD quality / diversity, and the conditioning
metrics of D) into demo_run/eval_results.jsonl, and prints them.

Precision: bfloat16 only where the CPU computes it natively (avx512_bf16 or
amx_bf16 in /proc/cpuinfo) AND bfloat16's demo quality has been shown to lie
within float32's seed spread (BF16_QUALITY_VERIFIED; not yet: no machine of
this project with native bfloat16 has run that check), else float32; it
prints which and why. --precision=float32|bfloat16|float16 overrides.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import shutil
import sys
import time

from absl import flags
from absl import logging

from tfgan_ext import device_info
from tfgan_ext import evaluation
from tfgan_ext.cli import common
from tfgan_ext.cli import launch
from tfgan_ext.cli import train_flags
from tfgan_ext.errors import reports_input_errors
from tfgan_ext.evaluation import domain_classifier
from tfgan_ext.metrics.domain_networks import ClassifierNetwork
from tfgan_ext.train import run_lock
from tfgan_ext.train.trainer import Trainer

FLAGS = flags.FLAGS
PROGRAM = "experiments.demo"  # Name in messages; see launch.invoked_name.
# The demo's flagfile, shipped inside the package (package data) so the
# installed console script finds it; a copy of experiments/configs/
# demo_digits.cfg (tests/test_flagfiles.py checks they are the same).
CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "demo_digits.cfg")
DEMO_DIR = "demo_run"
# Set once the demo's FD and score at bfloat16 (3 seeds) are shown to lie
# within float32's seed spread on a CPU with native bfloat16 (README).
BF16_QUALITY_VERIFIED = False
EVAL_METRICS = "is,fid,intra_fid,sample_accuracy,sqd,conditioning"
EVAL_PROTOCOL = evaluation.EvalProtocol(num_samples=1000, num_groups=10,
                                        reference_split="train",
                                        reference_samples=1437)


def evaluate_final(model_dir: str, checkpoint: str, config) -> str:
  """Trains or reuses the classifier, evaluates `checkpoint`, prints the
  table and the time it took; returns the classifier's path."""
  start = time.time()
  mc = config.model
  path, info, trained = domain_classifier.ensure_classifier(
      config.dataset, mc.image_size, mc.channels,
      domain_classifier.default_classifier_dir(
          config.dataset, mc.image_size, common.CLASSIFIERS_DIR))
  print(f"\ndomain classifier: {os.path.abspath(path)} "
        f"({'trained now' if trained else 'reused'}; held-out accuracy "
        f"{info.test_accuracy:.3f} on {info.test_examples} {info.test_split} "
        f"images)")
  evaluator = evaluation.Evaluator(
      model_dir, EVAL_METRICS, EVAL_PROTOCOL, ClassifierNetwork(path),
      cache_dir=common.STATS_CACHE_DIR, progress_every=30.0)
  rows = evaluation.evaluate_once(evaluator, checkpoint)
  print(f"metrics of {os.path.basename(checkpoint)} "
        f"({os.path.join(model_dir, evaluation.RESULTS_FILE)}):")
  print(evaluation.format_table(rows))
  print(f"classifier + evaluation took {time.time() - start:.0f} s")
  return path


def fresh_trainer(config, model_dir: str) -> Trainer:
  """A Trainer for `model_dir` started afresh, built before an old run
  there is deleted.

  An existing `model_dir` is moved aside (renamed) while the Trainer checks
  the config (it raises before writing anything on bad input); it is put
  back when that raises, and deleted once it succeeds. A run dir another
  train job holds is refused (ModelDirLockedError) and left alone.
  """
  if not os.path.lexists(model_dir):
    return Trainer(config, model_dir)
  run_lock.check_free(model_dir)
  aside = f"{os.path.normpath(model_dir)}.replaced-{os.getpid()}"
  os.rename(model_dir, aside)
  try:
    trainer = Trainer(config, model_dir)
  except BaseException:
    if os.path.lexists(model_dir):  # Whatever the failed attempt created.
      shutil.rmtree(model_dir)
    os.rename(aside, model_dir)
    raise
  shutil.rmtree(aside)
  return trainer


@reports_input_errors(PROGRAM)
def main(argv):
  launch.check_command_line(argv)
  start = time.time()
  config = train_flags.config_from_flags()
  if FLAGS["precision"].present:
    why = "set by --precision"
  else:
    choice, why = device_info.preferred_precision()
    if choice == "bfloat16" and not BF16_QUALITY_VERIFIED:
      choice, why = "float32", (
          f"{why}, but the demo's quality at bfloat16 is not verified yet; "
          "--precision=bfloat16 to use it")
    config = dataclasses.replace(config, precision=choice)
  same_dir = os.path.abspath(FLAGS.model_dir) == os.path.abspath(DEMO_DIR)
  trainer = (fresh_trainer(config, FLAGS.model_dir) if same_dir
             else Trainer(config, FLAGS.model_dir))
  print(f"precision: {config.precision} ({why})", flush=True)
  result = trainer.train()
  minutes = (time.time() - start) / 60
  grids = sorted(glob.glob(os.path.join(FLAGS.model_dir, "images", "*.png")))
  print("\n=== tfgan_ext demo: conditional SAGAN on digits (16x16) ===")
  print(f"trained {result.step} steps in {minutes:.1f} min "
        f"({config.precision}); final losses: "
        f"D {result.logs.get('d_loss', float('nan')):.3f}, "
        f"G {result.logs.get('g_loss', float('nan')):.3f}")
  print(f"sample grid (one row per class 0-9): {os.path.abspath(grids[-1])}")
  print(f"checkpoint: {os.path.abspath(result.checkpoint)}")
  print(f"TensorBoard: tensorboard --logdir {os.path.abspath(FLAGS.model_dir)}")
  path = evaluate_final(FLAGS.model_dir, result.checkpoint, config)
  installed = launch.invoked_name(PROGRAM).startswith("tfgan-ext")
  eval_job = "tfgan-ext-eval" if installed else "python -m eval.run"
  print(f"The eval job does the same: {eval_job} --model_dir="
        f"{FLAGS.model_dir} --metrics={EVAL_METRICS} --num_samples=1000 "
        f"--reference_samples=1437 --classifier_path={path} --once")


def run() -> None:
  """Entry point of `python -m experiments.demo` and the console script
  tfgan-ext-demo: the demo's flagfile and --model_dir=demo_run come first,
  so flags on the command line override them; then runs `main`."""
  logging.set_verbosity(logging.INFO)
  sys.argv[1:1] = [f"--flagfile={CONFIG}", f"--model_dir={DEMO_DIR}"]
  launch.run(main, PROGRAM, sys.modules[__name__], [train_flags])


if __name__ == "__main__":
  run()
