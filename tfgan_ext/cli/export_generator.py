"""Generator export: python -m eval.export_generator --model_dir=DIR
    --out=EXPORT_DIR [--checkpoint=ckpt-K] [--use_ema=false]

Writes a SavedModel that loads without tfgan_ext (tf.saved_model.load or
tensorflow_hub.load): signature "serving_default" (z float32 [B, z_dim],
labels int32 [B]) -> {"images": float32 in [-1, 1], "images_uint8"}; see
tfgan_ext/export.py.
"""

from __future__ import annotations

import sys

from absl import flags
from absl import logging

from tfgan_ext import export
from tfgan_ext import models
from tfgan_ext import workspace
from tfgan_ext.cli import generator_flags
from tfgan_ext.cli import launch
from tfgan_ext.errors import InputError, reports_input_errors
from tfgan_ext.evaluation.restore import restore_generator

FLAGS = flags.FLAGS
PROGRAM = "eval.export_generator"  # Name in messages; see launch.invoked_name.


@reports_input_errors(PROGRAM)
def main(argv):
  launch.check_command_line(argv)
  mc = workspace.load_config(FLAGS.model_dir).model
  shape = models.sample_shape(mc)
  if len(shape) != 3:
    raise InputError(f"This run's generator makes {shape}-shaped points, "
                     "not images; only image generators are exported.")
  export.check_export_dir(FLAGS.out)
  restored = restore_generator(FLAGS.model_dir, FLAGS.checkpoint,
                               use_ema=FLAGS.use_ema)
  export.export_generator(
      restored.generator, FLAGS.out, z_dim=mc.z_dim,
      num_classes=mc.num_classes, image_shape=shape,
      metadata=dict(step=restored.step, checkpoint=restored.checkpoint,
                    dataset=restored.config.dataset,
                    architecture=mc.architecture, generator=restored.kind))
  logging.info("Exported the %s generator of %s (step %d) to %s.",
               restored.kind, restored.checkpoint, restored.step, FLAGS.out)
  return 0


def run() -> None:
  """Entry point of `python -m eval.export_generator` and the console script
  tfgan-ext-export: parses the flags, then runs `main`."""
  launch.run(main, PROGRAM, sys.modules[__name__],
             [generator_flags])


if __name__ == "__main__":
  run()
