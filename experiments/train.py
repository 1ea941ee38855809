"""Train binary: python -m experiments.train --flagfile=... --model_dir=...

Monitor flags (--sqd, --stop_at_turning_point, ...): experiments/monitor_flags.
"""

from __future__ import annotations

from absl import app
from absl import logging

from experiments import monitor_flags
from experiments import train_flags
from tfgan_ext.errors import reports_input_errors
from tfgan_ext.train.trainer import Trainer


@reports_input_errors("experiments.train")
def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  config = train_flags.config_from_flags()
  step_monitors, callbacks = monitor_flags.monitors_from_flags(config)
  trainer = Trainer(config, train_flags.FLAGS.model_dir, callbacks=callbacks,
                    monitors=step_monitors)
  result = trainer.train()  # Also writes TRAINING_DONE on an early stop.
  if result.stopped_early:
    logging.warning("Stopped early at step %d: %s.", result.step,
                    result.stopped_early)
  logging.info("Finished at step %d; checkpoint %s.", result.step,
               result.checkpoint)
  return 0


if __name__ == "__main__":
  app.run(main)
