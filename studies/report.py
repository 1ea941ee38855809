"""Runs the paper studies and gathers their sections into REPORT.md.

  python -m studies.report              # run every study, then write
  python -m studies.report --streams=2  # two studies at a time
  python -m studies.report --norun      # only write REPORT.md
  python -m studies.report --quick      # the short version, into
                                        # REPORT_quick.md
  python -m studies.report --only=ssl_fmnist,sqd_fmnist

Each study runs in its own process (python -m studies.<key>) and writes
studies/results/<key>/section.md and summary.json; finished runs are
reused, so an interrupted invocation continues where it stopped. With
--streams=2 the studies run in two concurrent sequences (plan.STREAMS),
which on 2 cores gets more work done per hour than one: a tiny-model TF job
does not keep both cores busy.
"""

from __future__ import annotations

import os
import time

from absl import app
from absl import flags

from studies import options
from studies import paths
from studies import plan
from studies import report_md
from studies import runner

FLAGS = flags.FLAGS
flags.DEFINE_bool("run", True, "Run the studies before writing the report.")
flags.DEFINE_list("only", [], "Run only these studies, by results key "
                  "(e.g. ssl_fmnist) or module (default all).")
flags.DEFINE_string("out", "", "Report path (default REPORT.md; with "
                    "--quick REPORT_quick.md, beside the committed report).")
flags.DEFINE_integer("streams", 1, "Studies run at a time (1 or 2; "
                     "`make studies` uses 2 on its 2 cores).", lower_bound=1,
                     upper_bound=len(plan.STREAMS))


def _run_study(module: str) -> None:
  print(f"=== {module}", flush=True)
  args = ["--quick"] if options.flag("quick") else []
  runner.run_module(module, args, os.path.join(
      paths.runs_root(), module.rsplit(".", 1)[-1] + ".log"))


def main(argv):
  del argv
  if FLAGS.run:
    try:
      streams = plan.stream_plan(FLAGS.streams, FLAGS.only)
    except ValueError as e:
      raise app.UsageError(str(e)) from e
    start = time.time()
    try:
      plan.run_streams(streams, _run_study)
    finally:
      print(f"studies took {(time.time() - start) / 60:.1f} min", flush=True)
  quick = options.flag("quick")
  out = FLAGS.out or ("REPORT_quick.md" if quick else "REPORT.md")
  print(f"wrote {report_md.write_report(out, quick=quick)}")


if __name__ == "__main__":
  app.run(main)
