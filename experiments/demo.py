"""`make demo`: trains the small conditional SAGAN on the embedded digits.

Writes everything to ./demo_run (started afresh each time) and prints where
the sample grid, checkpoints and TensorBoard logs are.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
import time

from absl import app
from absl import flags
from absl import logging

from experiments import train_flags
from tfgan_ext.train.trainer import Trainer

FLAGS = flags.FLAGS
CONFIG = os.path.join(os.path.dirname(__file__), "configs", "demo_digits.cfg")
DEMO_DIR = "demo_run"


def main(argv):
  del argv
  if os.path.isdir(DEMO_DIR):
    shutil.rmtree(DEMO_DIR)
  start = time.time()
  config = train_flags.config_from_flags()
  result = Trainer(config, FLAGS.model_dir).train()
  minutes = (time.time() - start) / 60
  grids = sorted(glob.glob(os.path.join(FLAGS.model_dir, "images", "*.png")))
  print("\n=== tfgan_ext demo: conditional SAGAN on digits (16x16) ===")
  print(f"trained {result.step} steps in {minutes:.1f} min; final losses: "
        f"D {result.logs.get('d_loss', float('nan')):.3f}, "
        f"G {result.logs.get('g_loss', float('nan')):.3f}")
  print(f"sample grid (one row per class 0-9): {os.path.abspath(grids[-1])}")
  print(f"checkpoint: {os.path.abspath(result.checkpoint)}")
  print(f"TensorBoard: tensorboard --logdir {os.path.abspath(FLAGS.model_dir)}")


if __name__ == "__main__":
  logging.set_verbosity(logging.INFO)
  sys.argv[1:1] = [f"--flagfile={CONFIG}", f"--model_dir={DEMO_DIR}"]
  app.run(main)
