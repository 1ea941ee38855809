"""Report: python -m eval.report --model_dirs=a,b --out=DIR

Writes DIR/eval_*.png and DIR/train_*.png (every metric against step, runs
overlaid) and DIR/report.md (best and last values with their protocol).
"""

from __future__ import annotations

import sys

from absl import flags

from tfgan_ext import fileio
from tfgan_ext.cli import launch
from tfgan_ext.errors import reports_input_errors
from tfgan_ext.evaluation import report

FLAGS = flags.FLAGS
PROGRAM = "eval.report"  # Name in messages; see launch.invoked_name.

flags.DEFINE_list("model_dirs", None, "Comma-separated run directories.")
flags.DEFINE_string("out", None, "Output directory.")
flags.mark_flags_as_required(["model_dirs", "out"])


@reports_input_errors(PROGRAM)
def main(argv):
  launch.check_command_line(argv)
  fileio.check_output_path(FLAGS.out, "dir", flag="--out")
  written = report.write_report(FLAGS.model_dirs, FLAGS.out)
  print(f"{len(written['plots'])} plots and {written['table']}")
  return 0


def run() -> None:
  """Entry point of `python -m eval.report` and the console script
  tfgan-ext-report: parses the flags, then runs `main`."""
  launch.run(main, PROGRAM, sys.modules[__name__])


if __name__ == "__main__":
  run()
