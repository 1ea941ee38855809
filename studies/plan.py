"""Which studies `python -m studies.report` runs, and in what order: the
report order, or two concurrent streams of about equal length."""

from __future__ import annotations

from concurrent import futures
from typing import Callable, Sequence

# (module, results key), in report order.
STUDIES = (("studies.aw_ring8", "aw_ring8"),
           ("studies.conditional_fmnist", "conditional_fmnist"),
           ("studies.ssl_fmnist", "ssl_fmnist"),
           ("studies.magan_fmnist", "magan_fmnist"),
           ("studies.sqd_fmnist", "sqd_fmnist"),
           ("studies.aw_sngan_fmnist", "aw_sngan_fmnist"))

# --streams=2: two sequences of studies about equally long by the job logs'
# wall times (study 1 ~108 min, 2 ~172, 3 ~134, 4 ~21, 5 ~68; plus the 16px
# and 28px domain classifiers) and the estimate of study 6 (aw_sngan_fmnist,
# not run in full yet): 6 runs of 1,000 G steps (5,000 D steps) at ~0.44
# (SN-GAN) / ~0.52 (aw) s per G step with the cores to itself (measured
# 3.1x / 3.7x the 16px SAGAN step, 0.14 s quiet) plus ~3 min of graph
# building per job (5-10 min at load 6-10): ~63 min; domain evals ~6 min;
# Inception FIDs of the 6 final checkpoints, 5,000 samples each, plus 5,000
# reference images once: 35,000 images at ~13.5 images/s (9 quiet x 1.5
# with oneDNN) ~45 min. Total ~2 h alone, ~2 h 45 min beside the other
# stream (its Inception share slows ~2x when another job holds a core).
# Streams: 4 + 3 + 6 ~275-320 min, 2 + 5 + 1 ~348 min. Study 2 comes first
# in its stream and study 4 (28px classifier) in the other, so both
# classifiers train at once and the 16px one exists before studies 3 and 6
# need it (ensure_classifier also locks).
STREAMS = (("studies.magan_fmnist", "studies.ssl_fmnist",
            "studies.aw_sngan_fmnist"),
           ("studies.conditional_fmnist", "studies.sqd_fmnist",
            "studies.aw_ring8"))

# The scripts' names before they moved to studies/ (experiments/study_*.py),
# still accepted by --only.
FORMER_NAMES = {"study_aw_ring8": "studies.aw_ring8",
                "study_conditional": "studies.conditional_fmnist",
                "study_ssl": "studies.ssl_fmnist",
                "study_magan": "studies.magan_fmnist",
                "study_sqd": "studies.sqd_fmnist"}


def stream_plan(streams: int, only: Sequence[str] = ()) -> list[list[str]]:
  """The study modules to run, as `streams` sequences (report order when
  1), keeping those named in `only` (module, short name = results key, or
  former name; all if empty)."""
  modules = [m for m, _ in STUDIES]
  short = {**FORMER_NAMES, **{m.rsplit(".", 1)[-1]: m for m in modules}}
  unknown = [n for n in only if n not in modules and n not in short]
  if unknown:
    raise ValueError(f"Unknown study {unknown[0]!r} in --only: use one of "
                     f"{', '.join(k for _, k in STUDIES)}.")
  keep = {short.get(n, n) for n in only} or set(modules)
  if not 1 <= streams <= len(STREAMS):
    raise ValueError(f"streams must be 1..{len(STREAMS)}, got {streams}.")
  plan = [modules] if streams == 1 else [list(s) for s in STREAMS]
  return [s for s in ([m for m in p if m in keep] for p in plan) if s]


def run_streams(plan: Sequence[Sequence[str]],
                run_one: Callable[[str], object]) -> None:
  """Calls run_one on each module, the sequences of `plan` concurrently and
  each in its order. A failure stops only its own sequence; the first one
  is raised once every sequence has ended."""
  def run_all(modules):
    for module in modules:
      run_one(module)
  with futures.ThreadPoolExecutor(max(1, len(plan))) as pool:
    jobs = [pool.submit(run_all, modules) for modules in plan]
    failures = [j.exception() for j in jobs if j.exception() is not None]
  if failures:
    raise failures[0]
