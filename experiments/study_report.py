"""Runs the paper studies and gathers their sections into REPORT.md.

  python -m experiments.study_report            # run every study, then write
  python -m experiments.study_report --norun    # only write REPORT.md
  python -m experiments.study_report --quick    # the one-hour version

Each study runs in its own process (python -m experiments.study_<name>) and
writes results/<key>/section.md and summary.json; finished runs are reused,
so an interrupted invocation continues where it stopped.
"""

from __future__ import annotations

import os
import time

from absl import app
from absl import flags

from experiments import study_common as sc

FLAGS = flags.FLAGS
flags.DEFINE_bool("run", True, "Run the studies before writing the report.")
flags.DEFINE_list("only", [], "Run only these study modules (default all).")
flags.DEFINE_string("out", "REPORT.md", "Report path.")


def main(argv):
  del argv
  if FLAGS.run:
    start = time.time()
    for module, _ in sc.STUDIES:
      if FLAGS.only and module.rsplit(".", 1)[-1] not in FLAGS.only and (
          module not in FLAGS.only):
        continue
      print(f"=== {module}", flush=True)
      args = ["--quick"] if FLAGS.quick else []
      sc.run_module(module, args, os.path.join(
          sc.runs_root(), module.rsplit(".", 1)[-1] + ".log"))
    print(f"studies took {(time.time() - start) / 60:.1f} min", flush=True)
  print(f"wrote {sc.write_report(FLAGS.out)}")


if __name__ == "__main__":
  app.run(main)
