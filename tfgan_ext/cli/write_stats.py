"""Writes FID reference statistics of real data in the TTUR / pytorch-fid
format: python -m eval.write_stats --out=FILE.npz ...

  python -m eval.write_stats --dataset=digits --split=train \
      --classifier_path=classifiers/digits_16px --out=digits_train.npz
  python -m eval.write_stats --model_dir=RUN --out=stats.npz  # RUN's data

The real examples go through the eval job's pipeline (`ReferenceData`: the
split in its fixed order, preprocessed as for training, at the run's image
size, then the feature network, with the same features cache), so
`eval.run --reference_stats=FILE.npz` gives the same FID as the job's own
reference. The file holds float64 `mu` [d] and `sigma` [d, d] (as pytorch-fid
writes them), plus `num_examples` and `key` (JSON: what was measured).
Feature network flags as in eval.run (--classifier_path, --inception_path).
"""

from __future__ import annotations

import sys

from absl import flags

from tfgan_ext import data as data_lib
from tfgan_ext import fileio
from tfgan_ext import workspace
from tfgan_ext.cli import common
from tfgan_ext.cli import launch
from tfgan_ext.cli import network_flags
from tfgan_ext.config_checks import (MAX_IMAGE_SIZE, require_choice,
                                     require_int)
from tfgan_ext.errors import InputError, UsageError, reports_input_errors
from tfgan_ext.evaluation.stats_file import write_split_stats
from tfgan_ext.metrics.domain_networks import ClassifierNetwork

FLAGS = flags.FLAGS
PROGRAM = "eval.write_stats"  # Name in messages; see launch.invoked_name.

flags.DEFINE_string("out", None, "Output .npz file.")
flags.DEFINE_string("model_dir", None, "Take dataset, image size and channels "
                    "from this training run's config.")
flags.DEFINE_string("dataset", None, "Dataset (without --model_dir).")
flags.DEFINE_string("split", "train", "Real split.")
flags.DEFINE_integer("image_size", None, "Image side the real images are "
                     "brought to before the feature network, as the eval job "
                     "does for a run of this size (default: the classifier's "
                     "size).")
flags.DEFINE_integer("channels", None, "Image channels (default: the "
                     "classifier's).")
flags.DEFINE_integer("num_samples", 0, "First N examples of the split (0: "
                     "the whole split).")
flags.DEFINE_integer("batch_size", 100, "Feature network batch size.")
flags.DEFINE_string("stats_cache_dir", common.STATS_CACHE_DIR, "Cache of "
                    "real-data features (shared with eval.run; empty: no cache).")
flags.DEFINE_string("data_dir", None, "TFDS data_dir.")
flags.mark_flag_as_required("out")


def _image_shape(config, network) -> tuple[int, int]:
  """(image size, channels): the run's, else the flags, else a classifier's."""
  if config is not None:
    if FLAGS.dataset or FLAGS.image_size or FLAGS.channels:
      raise UsageError("Give --model_dir or --dataset / --image_size / "
                           "--channels, not both.")
    return config.model.image_size, config.model.channels
  classifier = network if isinstance(network, ClassifierNetwork) else None
  size = FLAGS.image_size or (classifier.image_size if classifier else None)
  channels = FLAGS.channels or (classifier.channels if classifier else None)
  if not (size and channels):
    raise UsageError("Give --image_size and --channels: the resolution "
                         "of the GAN whose samples will be compared (or "
                         "--model_dir).")
  return size, channels


@reports_input_errors(PROGRAM)
def main(argv):
  launch.check_command_line(argv)
  # Checked before anything is read or computed.
  fileio.check_output_path(FLAGS.out, "file", flag="--out")
  if FLAGS.stats_cache_dir:  # Empty: no cache.
    fileio.check_output_path(FLAGS.stats_cache_dir, "dir",
                             flag="--stats_cache_dir")
  require_int("--num_samples", FLAGS.num_samples, 0,
              hint="0 takes the whole split.")
  require_int("--batch_size", FLAGS.batch_size, 1)
  if FLAGS.image_size is not None:
    require_int("--image_size", FLAGS.image_size, 1, MAX_IMAGE_SIZE)
  if FLAGS.channels is not None:
    require_choice("--channels", FLAGS.channels, (1, 3))
  config = workspace.load_config(FLAGS.model_dir) if FLAGS.model_dir else None
  dataset = config.dataset if config else FLAGS.dataset
  if not dataset:
    raise UsageError("Give --dataset (or --model_dir).")
  network = network_flags.feature_network(("fid",), dataset)
  size, channels = _image_shape(config, network)
  trained_on = getattr(getattr(network, "info", None), "dataset", None)
  if trained_on is not None and trained_on != dataset:
    raise InputError(f"The classifier {network.name!r} was trained on "
                     f"{trained_on!r}, not {dataset!r}.")
  info = data_lib.dataset_info(dataset, split=FLAGS.split, image_size=size,
                               channels=channels, data_dir=FLAGS.data_dir)
  count = FLAGS.num_samples or info.num_examples
  if not count:
    raise UsageError(f"Split {FLAGS.split!r} of {dataset!r} is endless; "
                         f"give --num_samples.")
  if info.num_examples is not None and count > info.num_examples:
    raise InputError(f"--num_samples={count}, but {dataset}/{FLAGS.split} "
                     f"has {info.num_examples} examples.")
  stats = write_split_stats(
      FLAGS.out, network, dataset, FLAGS.split, image_size=size,
      channels=channels, num_samples=count, cache_dir=FLAGS.stats_cache_dir,
      data_dir=FLAGS.data_dir, batch_size=FLAGS.batch_size)
  d = stats.mu.shape[0]
  print(f"Wrote {FLAGS.out}: mu [{d}], sigma [{d}, {d}] (float64) of "
        f"{stats.num_examples} {dataset}/{FLAGS.split} examples at {size}px "
        f"through {network.name}; sha256 {stats.sha256}.")
  return 0


def run() -> None:
  """Entry point of `python -m eval.write_stats` and the console script
  tfgan-ext-write-stats: parses the flags, then runs `main`."""
  launch.run(main, PROGRAM, sys.modules[__name__],
             [network_flags])


if __name__ == "__main__":
  run()
