"""Every flagfile parses with the train binary's real flags and composes.

Parse-only: no data is read except for the offline (built-in) datasets, whose
full TrainConfig is also resolved.
"""

import glob
import os

import pytest

from tfgan_ext.cli import train_flags
from tfgan_ext import data as data_lib
from tfgan_ext.train import resolve
from tfgan_ext import models as models_lib
from tfgan_ext.objectives import build_combiner, build_objective

CONFIG_DIR = os.path.join(os.path.dirname(__file__), os.pardir, "experiments",
                          "configs")
FLAGFILES = sorted(glob.glob(os.path.join(CONFIG_DIR, "*.cfg")))
FLAGS = train_flags.FLAGS


@pytest.fixture
def parse():
  # Parsing absl flags sets the absl logger's level from --verbosity; restore
  # it so later tests that read INFO logs are unaffected.
  from absl import logging as absl_logging
  level = absl_logging.get_verbosity()

  def fn(path):
    FLAGS.unparse_flags()
    FLAGS(["train", f"--flagfile={path}", "--model_dir=/tmp/unused"])
    if FLAGS.init_from_continue and not FLAGS.init_from:
      # Fine-tuning flagfiles leave --init_from to the command line (and a
      # config with --init_from_continue alone is refused).
      FLAGS(["train", f"--flagfile={path}", "--model_dir=/tmp/unused",
             "--init_from=/tmp/unused_source_run"])
  yield fn
  FLAGS.unparse_flags()
  absl_logging.set_verbosity(level)


def test_paper_configurations_have_flagfiles():
  names = {os.path.basename(p)[:-4] for p in FLAGFILES}
  expected = {"sagan_imagenet128", "sagan_imagenet64", "mhgan_imagenet128",
              "mhgan_imagenet64", "acgan_imagenet128", "acgan_imagenet64",
              "mhgan_ssl_imagenet128", "acgan_ssl_imagenet128",
              "mhshared_finetune_imagenet128", "aw_sngan_cifar10_cond",
              "aw_sngan_cifar10_uncond", "magan_mnist", "ebgan_mnist",
              "magan_cifar10", "ebgan_cifar10", "mhgan_digits", "acgan_digits",
              "mhgan_ssl_digits", "acgan_ssl_digits",
              "mhshared_finetune_digits", "aw_digits_cond", "aw_ring8_uncond",
              "magan_digits", "ebgan_digits"}
  for loss in ("hinge", "nonsaturating", "least_squares", "wasserstein"):
    for suffix in ("", "_gp"):
      expected |= {f"sqd_celeba_{loss}{suffix}", f"sqd_grid25_{loss}{suffix}"}
  assert expected <= names, sorted(expected - names)


@pytest.mark.parametrize("path", FLAGFILES, ids=os.path.basename)
def test_flagfile_parses_and_its_objective_composes(path, parse, monkeypatch):
  parse(path)  # Raises UnrecognizedFlagError for unknown flags.
  objective_config = train_flags.objective_config_from_flags()
  build_objective(objective_config, num_classes=10)  # Validates the combo.
  build_combiner(objective_config)
  if FLAGS.dataset in data_lib.BUILTIN:
    config = train_flags.config_from_flags()
    info = data_lib.dataset_info(config.dataset,
                                 image_size=config.model.image_size,
                                 channels=config.model.channels)
    assert models_lib.sample_shape(config.model) == info.sample_shape
  else:  # Datasets not on this machine: their facts stood in for.
    def offline_info(name, split="train", image_size=32, channels=3,
                     **unused):
      del split, unused
      return data_lib.DatasetInfo(name, 10, (image_size, image_size,
                                             channels), None)
    # The library resolves dataset-dependent fields (train/resolve.py).
    monkeypatch.setattr(resolve.data_lib, "dataset_info", offline_info)
    config = train_flags.config_from_flags()  # Every config checks itself.
  assert config.objective == objective_config


def test_flagfiles_carry_the_papers_settings(parse):
  parse(os.path.join(CONFIG_DIR, "acgan_ssl_imagenet128.cfg"))
  assert (FLAGS.d_steps, FLAGS.z_dim, FLAGS.d_lr) == (2, 120, 5e-4)
  assert FLAGS.ssl and FLAGS.dataset == "imagenet2012_subset/10pct"
  parse(os.path.join(CONFIG_DIR, "magan_mnist.cfg"))
  assert (FLAGS.optimizer, FLAGS.d_lr, FLAGS.beta1, FLAGS.batch_size) == (
      "adamax", 5e-4, 0.5, 64)
  for name, margin in (("magan_fmnist", 10.0), ("ebgan_fmnist", 120.0)):
    parse(os.path.join(CONFIG_DIR, f"{name}.cfg"))
    assert (FLAGS.architecture, FLAGS.image_size, FLAGS.z_dim, FLAGS.gf,
            FLAGS.df, FLAGS.margin) == ("magan_mnist", 28, 50, 64, 256, margin)
  parse(os.path.join(CONFIG_DIR, "mhgan_imagenet128.cfg"))
  config = train_flags.objective_config_from_flags()
  assert (config.aux, config.aux_g_weight, config.aux_on_fake) == (
      "multi_hinge", 0.1, True)


def test_demo_flagfile_shipped_in_the_package_is_the_checkouts():
  # The demo reads the copy inside the package (package data, so the
  # installed console script finds it); it must not drift from the one
  # users read in experiments/configs/.
  from tfgan_ext.cli import demo
  with open(os.path.join(CONFIG_DIR, "demo_digits.cfg"), "rb") as f:
    checkout = f.read()
  with open(demo.CONFIG, "rb") as f:
    shipped = f.read()
  assert shipped == checkout, ("tfgan_ext/cli/demo_digits.cfg differs from "
                               "experiments/configs/demo_digits.cfg: edit both")
