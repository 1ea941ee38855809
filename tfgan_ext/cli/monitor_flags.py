"""absl flags of the train binary's live monitors (SQD), and the monitors
and callbacks they ask for."""

from __future__ import annotations

import os

from absl import flags
from absl import logging

from tfgan_ext import data as data_lib
from tfgan_ext import monitors
from tfgan_ext.config_checks import require_int
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation import domain_classifier
from tfgan_ext.train.config import TrainConfig

FLAGS = flags.FLAGS
MIXTURES = data_lib.MIXTURES

flags.DEFINE_bool("sqd", False, "SQD monitor: log the angle between "
                  "consecutive G weights and consecutive D weights every step "
                  "(sqd/angle_g, sqd/angle_d), and Q / D every --sqd_every "
                  "steps when a domain network is available (a domain "
                  "classifier, or the known 2-D mixture).")
flags.DEFINE_integer("sqd_every", 100, "Steps between Q / D measurements.")
flags.DEFINE_integer("sqd_samples", 500, "Generated samples per Q / D "
                     "measurement.")
flags.DEFINE_integer("sqd_real_samples", 0, "Real training examples for the "
                     "class centroids (0: the whole split).")
flags.DEFINE_string("classifier_path", None, "Domain classifier for Q / D "
                    "(python -m eval.train_classifier); default "
                    "classifiers/<dataset>_<image_size>px if it exists.")
flags.DEFINE_string("sqd_cache_dir", "eval_cache", "Cache of real-data "
                    "features (class centroids).")
flags.DEFINE_bool("stop_at_turning_point", False, "Stop the run (checkpoint, "
                  "TRAINING_DONE) at the first SQD turning point.")
flags.DEFINE_float("turning_angle_factor", 3.0, "Turning point: an angle above "
                   "this times its running median ...")
flags.DEFINE_integer("turning_window", 100, "... over this many previous "
                     "steps ...")
flags.DEFINE_float("turning_drop", 0.1, "... while Q and D both fall more "
                   "than this fraction below their best.")


# The flags that only act with --sqd.
_SQD_FLAGS = ("sqd_every", "sqd_samples", "sqd_real_samples",
              "classifier_path", "sqd_cache_dir", "stop_at_turning_point",
              "turning_angle_factor", "turning_window", "turning_drop")


def _default_classifier(config: TrainConfig):
  path = domain_classifier.default_classifier_dir(config.dataset,
                                                  config.model.image_size)
  return path if os.path.isdir(path) else None


def _domain(config: TrainConfig):
  """The SQD domain for this run, or None when there is none."""
  if config.dataset in MIXTURES:
    return monitors.mixture_domain(config.dataset)
  path = FLAGS.classifier_path or _default_classifier(config)
  if path is None:
    return None
  mc = config.model
  return monitors.classifier_domain(
      path, config.dataset, image_size=mc.image_size, channels=mc.channels,
      split=config.split, real_samples=FLAGS.sqd_real_samples,
      cache_dir=FLAGS.sqd_cache_dir, data_dir=config.data_dir)


def monitors_from_flags(config: TrainConfig) -> tuple[list, list]:
  """(step monitors, callbacks) for Trainer(..., monitors=, callbacks=).

  Raises ValueError for flag combinations that cannot work, before any
  file is written.
  """
  if not FLAGS.sqd:
    given = [f"--{name}" for name in _SQD_FLAGS if FLAGS[name].present]
    if given:
      raise InputError(f"{', '.join(given)} belong(s) to the SQD monitor: "
                       "add --sqd.")
    return [], []
  # The numbers first: the domain below may read data and write a cache.
  require_int("--sqd_every", FLAGS.sqd_every, 1,
              hint="It is a period in G steps.")
  require_int("--sqd_samples", FLAGS.sqd_samples, 2)
  require_int("--sqd_real_samples", FLAGS.sqd_real_samples, 0,
              hint="0 takes the whole split.")
  detector = monitors.TurningPointDetector(
      angle_factor=FLAGS.turning_angle_factor, window=FLAGS.turning_window,
      min_history=min(20, max(1, FLAGS.turning_window)),
      drop=FLAGS.turning_drop, horizon=FLAGS.sqd_every)
  info = data_lib.dataset_info(config.dataset, split=config.split,
                               image_size=config.model.image_size,
                               channels=config.model.channels,
                               data_dir=config.data_dir)
  if info.num_classes < 1 and config.dataset not in MIXTURES:
    logging.warning("%s has no labels: no class centroids, so SQD logs only "
                    "the angles.", config.dataset)
    domain = None
  else:
    domain = _domain(config)
  angles = monitors.WeightAngleMonitor()
  callbacks = [angles]
  if domain is None:
    if FLAGS.stop_at_turning_point:
      raise InputError("--stop_at_turning_point needs Q and D: pass "
                       "--classifier_path (python -m eval.train_classifier).")
    logging.info("SQD: angles only (no domain classifier for %s).",
                 config.dataset)
    return [angles], callbacks
  callbacks.append(monitors.SqdCallback(
      domain, every=FLAGS.sqd_every, num_samples=FLAGS.sqd_samples,
      seed=config.seed, detector=detector,
      stop_at_turning_point=FLAGS.stop_at_turning_point))
  logging.info("SQD: angles every step; Q and D every %d steps with %s.",
               FLAGS.sqd_every, domain.name)
  return [angles], callbacks
