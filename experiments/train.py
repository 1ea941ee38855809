"""Train binary: python -m experiments.train --flagfile=... --model_dir=..."""

from __future__ import annotations

from absl import app
from absl import logging

from experiments import train_flags
from tfgan_ext.train.trainer import Trainer


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  config = train_flags.config_from_flags()
  result = Trainer(config, train_flags.FLAGS.model_dir).train()
  logging.info("Finished at step %d; checkpoint %s.", result.step,
               result.checkpoint)


if __name__ == "__main__":
  app.run(main)
