"""absl flags of the train binary and their conversion to a TrainConfig.

Flags are read here, at the binary's edge, and nowhere in the library.
"""

from __future__ import annotations

from absl import flags

from tfgan_ext import data as data_lib
from tfgan_ext.models import ARCHITECTURES, ModelConfig
from tfgan_ext.train.config import ObjectiveConfig, TrainConfig

FLAGS = flags.FLAGS

flags.DEFINE_string("model_dir", None, "Run directory: checkpoints, logs, "
                    "images, config (see WORKSPACE.md).")
# Data.
flags.DEFINE_string("dataset", "digits", "digits | ring8 | grid25 | "
                    "folder:<path> | any TFDS image dataset name.")
flags.DEFINE_string("split", "train", "Split to train on.")
flags.DEFINE_string("data_dir", None, "TFDS data_dir.")
flags.DEFINE_bool("download", False, "Let TFDS download a missing dataset.")
# Model.
flags.DEFINE_enum("architecture", "sagan", list(ARCHITECTURES), "Networks.")
flags.DEFINE_integer("image_size", 32, "Square image side (power of 2 for "
                     "SAGAN).")
flags.DEFINE_integer("channels", 3, "Image channels (1 or 3); for 2-D data "
                     "this is set to the point dimension.")
flags.DEFINE_integer("num_classes", -1, "Classes to condition on: -1 = all "
                     "of the dataset's classes, 0 = unconditional.")
flags.DEFINE_integer("z_dim", 128, "Noise dimension.")
flags.DEFINE_integer("gf", 64, "Generator width.")
flags.DEFINE_integer("df", 64, "Discriminator width.")
flags.DEFINE_integer("attention_resolution", 32, "Non-local block "
                     "resolution.")
flags.DEFINE_bool("spectral_norm", True, "Spectral norm in small nets' D.")
# Objective.
flags.DEFINE_string("loss", "hinge", "Adversarial loss: hinge | "
                    "nonsaturating | least_squares | wasserstein.")
# Optimization.
flags.DEFINE_integer("batch_size", 64, "Global batch size.")
flags.DEFINE_integer("d_steps", 1, "D steps per G step.")
flags.DEFINE_float("g_lr", 1e-4, "Generator learning rate.")
flags.DEFINE_float("d_lr", 4e-4, "Discriminator learning rate.")
flags.DEFINE_float("beta1", 0.0, "Adam beta1.")
flags.DEFINE_float("beta2", 0.999, "Adam beta2.")
flags.DEFINE_enum("lr_decay", "none", ["none", "linear"], "LR schedule.")
flags.DEFINE_integer("max_steps", 1000, "G steps to train.")
flags.DEFINE_integer("save_every", 500, "Checkpoint period in steps.")
flags.DEFINE_integer("summary_every", 50, "Scalar summary period.")
flags.DEFINE_integer("image_every", 500, "Sample grid period.")
flags.DEFINE_integer("keep_checkpoints", 5, "Checkpoints to keep.")
flags.DEFINE_integer("seed", 0, "Random seed.")
flags.DEFINE_string("strategy", "default", "tf.distribute strategy: default "
                    "| mirrored.")
flags.DEFINE_bool("deterministic", False, "Op determinism and the data "
                  "position in checkpoints (exact resume).")


def config_from_flags() -> TrainConfig:
  """Builds the immutable run config; resolves dataset-dependent fields."""
  if not FLAGS.model_dir:
    raise flags.ValidationError("--model_dir is required.")
  info = data_lib.dataset_info(
      FLAGS.dataset, split=FLAGS.split, image_size=FLAGS.image_size,
      channels=FLAGS.channels, data_dir=FLAGS.data_dir,
      download=FLAGS.download)
  num_classes = info.num_classes if FLAGS.num_classes < 0 else FLAGS.num_classes
  channels = FLAGS.channels if info.is_image else info.sample_shape[-1]
  model = ModelConfig(
      architecture=FLAGS.architecture, image_size=FLAGS.image_size,
      channels=channels, num_classes=num_classes, z_dim=FLAGS.z_dim,
      gf=FLAGS.gf, df=FLAGS.df,
      attention_resolution=FLAGS.attention_resolution,
      spectral_norm=FLAGS.spectral_norm)
  return TrainConfig(
      model=model, objective=ObjectiveConfig(loss=FLAGS.loss),
      dataset=FLAGS.dataset, split=FLAGS.split, data_dir=FLAGS.data_dir,
      download=FLAGS.download, batch_size=FLAGS.batch_size,
      d_steps=FLAGS.d_steps, g_lr=FLAGS.g_lr, d_lr=FLAGS.d_lr,
      beta1=FLAGS.beta1, beta2=FLAGS.beta2, lr_decay=FLAGS.lr_decay,
      max_steps=FLAGS.max_steps, save_every=FLAGS.save_every,
      summary_every=FLAGS.summary_every, image_every=FLAGS.image_every,
      keep_checkpoints=FLAGS.keep_checkpoints, seed=FLAGS.seed,
      strategy=FLAGS.strategy, deterministic=FLAGS.deterministic)
