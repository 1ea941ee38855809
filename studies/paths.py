"""Where the studies read and write: the training flagfiles, the runs and
the committed results, all relative to the checkout's root (the working
directory of `make studies`), except the flagfiles, found beside this
package."""

from __future__ import annotations

import os
from typing import Optional

from studies import options

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The train binary's flagfiles (shared with the README's commands).
CONFIGS = os.path.join(ROOT, "experiments", "configs")
RUNS_ROOT = options.RUNS_ROOT
QUICK_RUNS_ROOT = options.QUICK_RUNS_ROOT
# Each study's committed section, summary, figures and frozen rules.
RESULTS_ROOT = os.path.join("studies", "results")
# Hand-written section on what changed since the previous report and why;
# the report puts it right after the introduction.
CHANGES_FILE = os.path.join(RESULTS_ROOT, "CHANGES.md")


def config_path(name: str) -> str:
  """Path of experiments/configs/<name>.cfg; fails if it does not exist."""
  path = os.path.join(CONFIGS, f"{name}.cfg")
  if not os.path.exists(path):
    raise FileNotFoundError(f"No flagfile {path}.")
  return path


def runs_root(default_root: Optional[str] = None) -> str:
  """Where a study writes its runs: `default_root` (a study's --runs_root),
  else runs/studies, or runs/studies_quick with --quick."""
  if default_root and default_root != RUNS_ROOT:
    return default_root
  return QUICK_RUNS_ROOT if options.flag("quick") else RUNS_ROOT


def study_dirs(key: str, runs_root_dir: str) -> str:
  """runs_root_dir/<key>, created: the folder of one study's runs."""
  path = os.path.join(runs_root_dir, key)
  os.makedirs(path, exist_ok=True)
  return path


def results_dir(key: str, quick: bool = False) -> str:
  """studies/results/<key> (with `quick`: its quick/ subfolder), where a
  study writes its section, summary and figures."""
  path = os.path.join(RESULTS_ROOT, key)
  return os.path.join(path, "quick") if quick else path
