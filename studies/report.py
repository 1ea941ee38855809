"""Runs the paper studies and gathers their sections into REPORT.md.

  python -m studies.report            # run every study, then write
  python -m studies.report --streams=2  # two studies at a time
  python -m studies.report --norun    # only write REPORT.md
  python -m studies.report --quick    # the short version,
                                                # into REPORT_quick.md

Each study runs in its own process (python -m experiments.study_<name>) and
writes results/<key>/section.md and summary.json; finished runs are reused,
so an interrupted invocation continues where it stopped. With --streams=2
the studies run in two concurrent sequences (sc.STREAMS), which on 2 cores
gets more work done per hour than one: a tiny-model TF job does not keep
both cores busy.
"""

from __future__ import annotations

import os
import time

from absl import app
from absl import flags

from studies import common as sc

FLAGS = flags.FLAGS
flags.DEFINE_bool("run", True, "Run the studies before writing the report.")
flags.DEFINE_list("only", [], "Run only these study modules (default all).")
flags.DEFINE_string("out", "", "Report path (default REPORT.md; with "
                    "--quick REPORT_quick.md, beside the committed report).")
flags.DEFINE_integer("streams", 1, "Studies run at a time (1 or 2; "
                     "`make studies` uses 2 on its 2 cores).", lower_bound=1,
                     upper_bound=len(sc.STREAMS))


def _run_study(module: str) -> None:
  print(f"=== {module}", flush=True)
  args = ["--quick"] if FLAGS.quick else []
  sc.run_module(module, args, os.path.join(
      sc.runs_root(), module.rsplit(".", 1)[-1] + ".log"))


def main(argv):
  del argv
  if FLAGS.run:
    try:
      plan = sc.stream_plan(FLAGS.streams, FLAGS.only)
    except ValueError as e:
      raise app.UsageError(str(e)) from e
    start = time.time()
    try:
      sc.run_streams(plan, _run_study)
    finally:
      print(f"studies took {(time.time() - start) / 60:.1f} min", flush=True)
  out = FLAGS.out or ("REPORT_quick.md" if FLAGS.quick else "REPORT.md")
  print(f"wrote {sc.write_report(out, quick=FLAGS.quick)}")


if __name__ == "__main__":
  app.run(main)
