"""The flags every study script shares (--runs_root, --quick,
--register_only), and `flag` to read them in code that also runs before
absl parses the command line (tests import the study modules)."""

from __future__ import annotations

import os

from absl import flags

RUNS_ROOT = os.path.join("runs", "studies")
# Quick runs (fewer seeds, fewer steps) live apart from the full ones, so the
# two never collide in one model_dir.
QUICK_RUNS_ROOT = os.path.join("runs", "studies_quick")

flags.DEFINE_string("runs_root", RUNS_ROOT,
                    "Where a study writes its runs (with --quick: "
                    "runs/studies_quick unless given).")
flags.DEFINE_bool(
    "register_only", False,
    "Only freeze the study's rules in studies/results/<key>/rules.json (to "
    "commit them before any run), then stop.")
flags.DEFINE_bool(
    "quick", False,
    "The short version of a study: fewer seeds and steps, its own runs "
    "under runs/studies_quick; the report says so.")


def flag(name: str):
  """A shared flag's value, or its default before flags are parsed."""
  values = flags.FLAGS
  return values[name].value if values.is_parsed() else values[name].default
