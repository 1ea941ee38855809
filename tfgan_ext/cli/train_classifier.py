"""Trains the offline domain classifier the eval job and SQD monitor use.

python -m eval.train_classifier --dataset=digits --image_size=16 --channels=1 \
    [--out=classifiers/digits_16px] [--epochs=20]

Prints the held-out accuracy and writes <out>/classifier.keras and
<out>/classifier.json (see WORKSPACE.md).
"""

from __future__ import annotations

import os
import sys
import time

from absl import flags
from absl import logging

from tfgan_ext import fileio
from tfgan_ext.cli import common
from tfgan_ext.cli import launch
from tfgan_ext.config_checks import require_number
from tfgan_ext.errors import reports_input_errors
from tfgan_ext.evaluation import domain_classifier

FLAGS = flags.FLAGS
PROGRAM = "eval.train_classifier"  # Name in messages; see launch.invoked_name.

flags.DEFINE_string("dataset", "digits", "Labelled dataset to train on.")
flags.DEFINE_integer("image_size", 16, "Square image side the GANs use.")
flags.DEFINE_integer("channels", 1, "Image channels (1 or 3).")
flags.DEFINE_string("out", None, "Output directory (default "
                    "classifiers/<dataset>_<size>px).")
flags.DEFINE_string("train_split", "train", "Split to train on.")
flags.DEFINE_string("test_split", None, "Held-out split (default: test, or "
                    "validation for ImageNet).")
flags.DEFINE_integer("max_train_examples", 0, "Cap on training examples "
                     "(0: the whole split).")
flags.DEFINE_integer("epochs", 20, "Training epochs.")
flags.DEFINE_integer("batch_size", 32, "Batch size.")
flags.DEFINE_integer("seed", 0, "Random seed.")
flags.DEFINE_string("data_dir", None, "TFDS data_dir, or the folder of "
                    "the fashion_mnist IDX files.")
flags.DEFINE_float("min_accuracy", 0.0, "Exit with status 1 below this "
                   "held-out accuracy.")


@reports_input_errors(PROGRAM)
def main(argv):
  launch.check_command_line(argv)
  out = FLAGS.out or domain_classifier.default_classifier_dir(
      FLAGS.dataset, FLAGS.image_size, common.CLASSIFIERS_DIR)
  # Checked before any data is read or any epoch trained.
  domain_classifier.check_settings(
      image_size=FLAGS.image_size, channels=FLAGS.channels,
      epochs=FLAGS.epochs, batch_size=FLAGS.batch_size,
      max_train_examples=FLAGS.max_train_examples, seed=FLAGS.seed)
  require_number("--min_accuracy", FLAGS.min_accuracy, low=0.0, high=1.0,
                 hint="It is a held-out accuracy, e.g. 0.9.")
  fileio.check_output_path(out, "dir", flag="--out")
  start = time.time()
  info = domain_classifier.train_and_save(
      FLAGS.dataset, FLAGS.image_size, FLAGS.channels, out,
      train_split=FLAGS.train_split, test_split=FLAGS.test_split or "",
      max_train_examples=FLAGS.max_train_examples, epochs=FLAGS.epochs,
      batch_size=FLAGS.batch_size, seed=FLAGS.seed, data_dir=FLAGS.data_dir)
  print(f"{info.dataset} classifier ({info.image_size}px, {info.channels} "
        f"channel(s), {info.num_classes} classes): held-out accuracy "
        f"{info.test_accuracy:.4f} on {info.test_examples} {info.test_split} "
        f"examples after {info.epochs} epochs on {info.train_examples} "
        f"({time.time() - start:.1f} s). Saved to {os.path.abspath(out)}.")
  if info.test_accuracy < FLAGS.min_accuracy:
    logging.error("Accuracy %.4f is below --min_accuracy %.4f.",
                  info.test_accuracy, FLAGS.min_accuracy)
    return 1
  return 0


def run() -> None:
  """Entry point of `python -m eval.train_classifier` and the console script
  tfgan-ext-train-classifier: parses the flags, then runs `main`."""
  launch.run(main, PROGRAM, sys.modules[__name__])


if __name__ == "__main__":
  run()
