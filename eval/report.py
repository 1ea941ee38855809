"""Report: python -m eval.report --model_dirs=a,b --out=DIR

Writes DIR/eval_*.png and DIR/train_*.png (every metric against step, runs
overlaid) and DIR/report.md (best and last values with their protocol).
"""

from __future__ import annotations

from absl import app
from absl import flags

from tfgan_ext.errors import reports_input_errors
from tfgan_ext.evaluation import report

FLAGS = flags.FLAGS

flags.DEFINE_list("model_dirs", None, "Comma-separated run directories.")
flags.DEFINE_string("out", None, "Output directory.")
flags.mark_flags_as_required(["model_dirs", "out"])


@reports_input_errors("eval.report")
def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  written = report.write_report(FLAGS.model_dirs, FLAGS.out)
  print(f"{len(written['plots'])} plots and {written['table']}")
  return 0


if __name__ == "__main__":
  app.run(main)
