"""Samples for other tools: python -m eval.sample --model_dir=DIR
    --num_samples=N --format=npz|png --out=PATH [--checkpoint=ckpt-K]
    [--use_ema=false]

Class-balanced labels (0, 1, ..., K-1, 0, ...) and latent vectors from
--seed, as in the eval job. npz: one file with `arr_0` uint8 [N, H, W, C]
(and `labels` int32 [N] for a conditional run); png: a directory of
NNNNNN_classK.png files with labels.csv. --rgb repeats a single channel to
three, for FID tools that expect RGB. A JSON record of the protocol is
written beside the samples. See tfgan_ext/evaluation/sample_files.py.
"""

from __future__ import annotations

import sys

from absl import flags
from absl import logging

from tfgan_ext import models
from tfgan_ext import workspace
from tfgan_ext.cli import generator_flags
from tfgan_ext.cli import launch
from tfgan_ext.config_checks import require_number
from tfgan_ext.errors import reports_input_errors
from tfgan_ext.evaluation import sample_files
from tfgan_ext.evaluation.progress import Progress
from tfgan_ext.evaluation.restore import restore_generator
from tfgan_ext.evaluation.sampling import generator_fn

FLAGS = flags.FLAGS
PROGRAM = "eval.sample"  # Name in messages; see launch.invoked_name.

flags.DEFINE_integer("num_samples", None, "How many samples.")
flags.DEFINE_enum("format", "npz", list(sample_files.FORMATS),
                  "npz: one .npz file (arr_0 uint8 NHWC, labels); png: a "
                  "directory of PNG files and labels.csv.")
flags.DEFINE_integer("seed", 0, "Seed of the latent vectors.")
flags.DEFINE_integer("batch_size", 100, "Generation batch size.")
flags.DEFINE_bool("rgb", False, "Repeat the channel of 1-channel images to "
                  "3 (FID tools built on Inception expect RGB).")
flags.DEFINE_float("progress_every", 10.0, "Seconds between progress lines.")
flags.mark_flag_as_required("num_samples")


@reports_input_errors(PROGRAM)
def main(argv):
  launch.check_command_line(argv)
  require_number("--progress_every", FLAGS.progress_every, low=0.0,
                 hint="It is the seconds between progress lines.")
  mc = workspace.load_config(FLAGS.model_dir).model
  spec = sample_files.SampleSpec(
      num_samples=FLAGS.num_samples, z_dim=mc.z_dim,
      num_classes=mc.num_classes, image_shape=models.sample_shape(mc),
      seed=FLAGS.seed, batch_size=FLAGS.batch_size, rgb=FLAGS.rgb)
  spec.validate()
  sample_files.check_output(FLAGS.out, FLAGS.format)
  restored = restore_generator(FLAGS.model_dir, FLAGS.checkpoint,
                               use_ema=FLAGS.use_ema)
  if spec.out_shape[-1] == 1:
    logging.info("Writing 1-channel images (C = 1); pass --rgb for tools "
                 "that expect 3 channels.")
  progress = Progress(f"{restored.checkpoint}: samples", spec.num_samples,
                      every=FLAGS.progress_every)
  out = sample_files.write_samples(
      generator_fn(restored.generator, mc.z_dim), spec, FLAGS.out,
      FLAGS.format, progress=progress.update,
      record=dict(model_dir=FLAGS.model_dir, checkpoint=restored.checkpoint,
                  step=restored.step, dataset=restored.config.dataset,
                  generator=restored.kind))
  logging.info("Wrote %d samples of step %d (%s generator) to %s (record: "
               "%s).", spec.num_samples, restored.step, restored.kind, out,
               sample_files.record_path(out, FLAGS.format))
  return 0


def run() -> None:
  """Entry point of `python -m eval.sample` and the console script
  tfgan-ext-sample: parses the flags, then runs `main`."""
  launch.run(main, PROGRAM, sys.modules[__name__],
             [generator_flags])


if __name__ == "__main__":
  run()
