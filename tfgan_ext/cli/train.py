"""Train binary: python -m experiments.train --flagfile=... --model_dir=...

Flags: tfgan_ext/cli/train_flags.py; the monitor flags (--sqd,
--stop_at_turning_point, ...): tfgan_ext/cli/monitor_flags.py.
"""

from __future__ import annotations

import sys

from absl import logging

from tfgan_ext.cli import launch
from tfgan_ext.cli import monitor_flags
from tfgan_ext.cli import train_flags
from tfgan_ext.errors import reports_input_errors
from tfgan_ext.train.trainer import Trainer

PROGRAM = "experiments.train"  # Name in messages; see launch.invoked_name.


@reports_input_errors(PROGRAM)
def main(argv):
  launch.check_command_line(argv)
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


def run() -> None:
  """Entry point of `python -m experiments.train` and the console script
  tfgan-ext-train: parses the flags, then runs `main`."""
  launch.run(main, PROGRAM, sys.modules[__name__],
             [train_flags, monitor_flags])


if __name__ == "__main__":
  run()
