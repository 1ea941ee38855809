"""absl flags of the train binary and their conversion to a TrainConfig.

Flags are read here, at the binary's edge, and nowhere in the library.
"""

from __future__ import annotations

from absl import flags

from tfgan_ext import objectives
from tfgan_ext.errors import InputError
from tfgan_ext.models import ARCHITECTURES, ModelConfig
from tfgan_ext.nn.normalization import DEFAULT_DECAY, INFERENCE_STATISTICS
from tfgan_ext.nn.precision import check_precision
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.resolve import resolve_config
from tfgan_ext.train.strategies import (check_cpu_devices,
                                        configure_cpu_devices)

FLAGS = flags.FLAGS
# Every flag of a config field takes that field's default: one name and one
# default per option for the binary, the configs and the Python API.
_TRAIN = TrainConfig()
_MODEL = ModelConfig()
_OBJECTIVE = ObjectiveConfig()

flags.DEFINE_string("model_dir", None, "Run directory: checkpoints, logs, "
                    "images, config (see WORKSPACE.md).")
# Data.
flags.DEFINE_string("dataset", _TRAIN.dataset, "digits | ring8 | grid25 | "
                    "fashion_mnist | folder:<path> | any TFDS image dataset "
                    "name.")
flags.DEFINE_string("split", _TRAIN.split, "Split to train on.")
flags.DEFINE_string("data_dir", _TRAIN.data_dir, "TFDS data_dir, or the folder of "
                    "the fashion_mnist IDX files.")
flags.DEFINE_bool("download", _TRAIN.download, "Let TFDS download a missing dataset.")
flags.DEFINE_float("label_fraction", _TRAIN.label_fraction, "Keep the labels of this evenly "
                   "spread share of the training examples (e.g. 0.1).")
flags.DEFINE_string("unlabelled_dataset", _TRAIN.unlabelled_dataset, "Unlabelled images for --ssl "
                    "(same names as --dataset): every image of it, so with the "
                    "same dataset and split all training images, the "
                    "--label_fraction share included.")
flags.DEFINE_string("unlabelled_split", _TRAIN.unlabelled_split, "Split of "
                    "--unlabelled_dataset.")
# Model.
flags.DEFINE_enum("architecture", _MODEL.architecture, list(ARCHITECTURES), "Networks.")
flags.DEFINE_integer("image_size", _MODEL.image_size, "Square image side (power of 2 for "
                     "SAGAN).")
flags.DEFINE_integer("channels", _MODEL.channels, "Image channels (1 or 3); for 2-D data "
                     "this is set to the point dimension.")
flags.DEFINE_integer("num_classes", -1, "Classes to condition on: -1 = all "
                     "of the dataset's classes, 0 = unconditional.")
flags.DEFINE_integer("z_dim", _MODEL.z_dim, "Noise dimension.")
flags.DEFINE_integer("gf", _MODEL.gf, "Generator width.")
flags.DEFINE_integer("df", _MODEL.df, "Discriminator width.")
flags.DEFINE_integer("attention_resolution", _MODEL.attention_resolution, "SAGAN's non-local block "
                     "resolution; 0 = the default: 16 at 32x32, else 32.")
flags.DEFINE_bool("spectral_norm", _MODEL.spectral_norm, "Spectral norm in small nets' D.")
flags.DEFINE_float("bn_decay", _MODEL.bn_decay, "Decay of the generator's "
                   "batch-norm moving averages (TF-GAN: 0.999).")
flags.DEFINE_integer("mlp_g_layers", _MODEL.mlp_g_layers, "Hidden ReLU layers of the MLP "
                     "generator (--architecture=mlp).")
flags.DEFINE_integer("mlp_d_layers", _MODEL.mlp_d_layers, "Hidden layers of the MLP "
                     "discriminator (--architecture=mlp).")
flags.DEFINE_enum("mlp_d_activation", _MODEL.mlp_d_activation, ["leaky_relu", "relu"],
                  "Hidden activation of the MLP discriminator (LeakyReLU "
                  "slope 0.2, or ReLU).")
flags.DEFINE_float("mlp_d_input_scale", _MODEL.mlp_d_input_scale, "The MLP discriminator "
                   "multiplies its input by this first (unrolled GAN: 0.25).")
flags.DEFINE_float("mlp_orthogonal_gain", _MODEL.mlp_orthogonal_gain, "MLP kernels: 0 = Glorot "
                   "uniform, g > 0 = orthogonal times g (unrolled GAN: 0.8).")
flags.DEFINE_bool("bn_zero_debias", _MODEL.bn_zero_debias, "Zero-debiased moving averages "
                  "(divided by 1 - decay^t, as Adam's moments); false = "
                  "TF-GAN's plain averages started at mean 0 / variance 1.")
flags.DEFINE_enum("bn_inference", _TRAIN.bn_inference, list(INFERENCE_STATISTICS),
                  "Batch-norm moments of the generator in the sample grids: "
                  "moving averages (TF-GAN) or the grid batch's own.")
# Objective.
flags.DEFINE_string("loss", _OBJECTIVE.loss, "Adversarial loss: hinge | "
                    "nonsaturating | minimax | least_squares | wasserstein.")
flags.DEFINE_enum("penalty", _OBJECTIVE.penalty, list(objectives.PENALTY_CHOICES),
                  "Gradient penalty on D (SQD): gp (WGAN-GP), dragan, zero_gp, "
                  "lipschitz (one-sided).")
flags.DEFINE_float("penalty_weight", _OBJECTIVE.penalty_weight, "Penalty coefficient lambda.")
flags.DEFINE_enum("aux", _OBJECTIVE.aux, list(objectives.AUX_CHOICES), "Auxiliary "
                  "classifier loss: multi_hinge (MHGAN) | acgan.")
flags.DEFINE_float("aux_d_weight", _OBJECTIVE.aux_d_weight, "Weight of D's auxiliary term, the "
                   "sum of its real and generated halves (public MHGAN code).")
flags.DEFINE_float("aux_g_weight", _OBJECTIVE.aux_g_weight, "Weight lambda of G's auxiliary term.")
flags.DEFINE_enum("fake_labels", _TRAIN.fake_labels, ["uniform", "real"], "Labels "
                  "G is given in training (D's fake term, the aux and penalty "
                  "fake sides and G's loss use them): uniform = drawn "
                  "uniformly over the classes, independent of the real batch, "
                  "separately for the D and G steps (TF-GAN); real = the real "
                  "batch's labels.")
flags.DEFINE_bool("aux_on_fake", _OBJECTIVE.aux_on_fake, "D's auxiliary term also classifies "
                  "generated images into their conditioning class (public "
                  "MHGAN code); false = real images only (paper eq. 4).")
flags.DEFINE_enum("critic", _OBJECTIVE.critic, list(objectives.CRITIC_CHOICES),
                  "Classifier of --aux: projection = extra SN dense head; "
                  "shared = the projection embedding table (MHShared).")
flags.DEFINE_bool("ssl", _OBJECTIVE.ssl, "Semi-supervised MHGAN-SSL / ACGAN-SSL: "
                  "needs --aux and --unlabelled_dataset.")
flags.DEFINE_string("init_from", _TRAIN.init_from, "Checkpoint prefix or run directory "
                    "to start from (fine-tune); networks must match.")
flags.DEFINE_bool("init_from_continue", _TRAIN.init_from_continue, "With --init_from: also take "
                  "over both optimizers' state and the step counter, so the "
                  "run continues that run's training (data stream and LR "
                  "schedule go on from its step; --max_steps is the step to "
                  "stop at, e.g. its step + 5000). Refused when the "
                  "optimizers cannot be matched (e.g. a new aux head adds D "
                  "variables).")
flags.DEFINE_bool("aw", _OBJECTIVE.aw, "aw-loss: adaptive weights of D's real and "
                  "fake loss parts (Algorithm 1).")
flags.DEFINE_bool("aw_normalized", _OBJECTIVE.aw_normalized, "aw-loss with the 1/|g| factors "
                  "(the paper's main variant); false = ablation.")
flags.DEFINE_bool("gradient_angles", _OBJECTIVE.gradient_angles, "Without --aw: log the angles "
                  "between D's real-loss, fake-loss and applied gradients "
                  "(aw paper Fig. 4; --aw always logs them). Costs a second "
                  "backward pass per D step.")
flags.DEFINE_enum("energy", _OBJECTIVE.energy, ["none", "magan", "ebgan"],
                  "none: the adversarial --loss; magan / ebgan: the energy "
                  "objective of an auto-encoder D (--architecture ae_mlp or "
                  "ae_conv; MAGAN's adaptive margin, EBGAN's fixed --margin).")
flags.DEFINE_float("margin", _OBJECTIVE.margin, "EBGAN's fixed margin, in energy units "
                   "(per-sample sum of squared errors).")
flags.DEFINE_integer("pretrain_epochs", _OBJECTIVE.pretrain_epochs, "MAGAN: D pre-training epochs "
                     "with margin 0 (G frozen).")
# Optimization.
flags.DEFINE_integer("batch_size", _TRAIN.batch_size, "Global batch size.")
flags.DEFINE_integer("d_steps", _TRAIN.d_steps, "D steps per G step.")
flags.DEFINE_float("g_lr", _TRAIN.g_lr, "Generator learning rate.")
flags.DEFINE_float("d_lr", _TRAIN.d_lr, "Discriminator learning rate.")
flags.DEFINE_enum("optimizer", _TRAIN.optimizer, ["adam", "adamax"], "Optimizer of "
                  "both networks.")
flags.DEFINE_float("beta1", _TRAIN.beta1, "Adam / Adamax beta1.")
flags.DEFINE_float("beta2", _TRAIN.beta2, "Adam / Adamax beta2.")
flags.DEFINE_enum("lr_decay", _TRAIN.lr_decay, ["none", "linear"], "LR schedule.")
flags.DEFINE_integer("max_steps", _TRAIN.max_steps, "G steps to train.")
flags.DEFINE_integer("save_every", _TRAIN.save_every, "Checkpoint period in steps.")
flags.DEFINE_integer("summary_every", _TRAIN.summary_every, "Scalar summary period.")
flags.DEFINE_integer("image_every", _TRAIN.image_every, "Sample grid period.")
flags.DEFINE_integer("keep_checkpoints", _TRAIN.keep_checkpoints, "Checkpoints to keep.")
flags.DEFINE_integer("seed", _TRAIN.seed, "Random seed.")
flags.DEFINE_enum("strategy", _TRAIN.strategy,
                  ["default", "mirrored", "multi_worker", "tpu"],
                  "tf.distribute strategy: one device, all local GPUs (or "
                  "--cpu_devices logical CPUs), MultiWorkerMirrored from "
                  "TF_CONFIG, or TPUStrategy on --tpu.")
flags.DEFINE_string("tpu", _TRAIN.tpu, "TPU name or grpc:// address ('local' on a "
                    "TPU VM) for --strategy=tpu.")
flags.DEFINE_integer("cpu_devices", 1, "Split the CPU into this many logical "
                     "devices (for --strategy=mirrored without GPUs).")
flags.DEFINE_integer("steps_per_loop", _TRAIN.steps_per_loop, "G steps (each with its D steps) "
                     "per compiled call, as TPUEstimator's "
                     "iterations_per_loop. Logged scalars are the means over "
                     "the call's steps; summaries, images, checkpoints, NaN "
                     "checks and callbacks run at call boundaries, and "
                     "periods are rounded up to multiples of it.")
flags.DEFINE_bool("jit_compile", _TRAIN.jit_compile, "Compile the per-replica D and G "
                  "steps with XLA.")
flags.DEFINE_string("precision", _TRAIN.precision, "Compute type: float32 | "
                    "bfloat16 | float16 (Keras mixed policies: variables and "
                    "checkpoints stay float32; spectral norm, batch-norm "
                    "statistics, the attention softmax, D's head and logits, "
                    "losses and gradient statistics stay float32). float16 "
                    "uses dynamic loss scaling: an update with non-finite "
                    "gradients is skipped, and a skipped G update does not "
                    "count as a step.")
flags.DEFINE_float("ema_decay", _TRAIN.ema_decay, "> 0: keep an exponential moving "
                   "average of G's weights and batch-norm statistics (the EMA "
                   "generator; e.g. 0.999, BigGAN 0.9999), checkpointed "
                   "beside G; sample grids, the eval job and exports use it "
                   "by default. 0 = none.")
flags.DEFINE_integer("ema_start", _TRAIN.ema_start, "G step from which the EMA generator "
                     "averages; before it, it copies G after every step "
                     "(BigGAN's start_itr).")
flags.DEFINE_bool("use_ema", _TRAIN.use_ema, "Sample grids from the EMA generator when "
                  "--ema_decay > 0; false = the raw G (the eval binaries have "
                  "their own --use_ema).")
flags.DEFINE_bool("deterministic", _TRAIN.deterministic, "Op determinism and the data "
                  "position in checkpoints (exact resume).")


def objective_config_from_flags() -> ObjectiveConfig:
  """The ObjectiveConfig part of the flags (no data access)."""
  return ObjectiveConfig(
      loss=FLAGS.loss, penalty=FLAGS.penalty,
      penalty_weight=FLAGS.penalty_weight, aux=FLAGS.aux,
      aux_d_weight=FLAGS.aux_d_weight, aux_g_weight=FLAGS.aux_g_weight,
      aux_on_fake=FLAGS.aux_on_fake, critic=FLAGS.critic, ssl=FLAGS.ssl,
      aw=FLAGS.aw, aw_normalized=FLAGS.aw_normalized,
      gradient_angles=FLAGS.gradient_angles,
      energy=FLAGS.energy,
      margin=FLAGS.margin, pretrain_epochs=FLAGS.pretrain_epochs)


def config_from_flags() -> TrainConfig:
  """Builds the immutable run config; resolves dataset-dependent fields."""
  if not FLAGS.model_dir:
    raise InputError("--model_dir is required.")
  check_precision(FLAGS.precision)
  check_cpu_devices(FLAGS.cpu_devices, FLAGS.strategy)
  if FLAGS.cpu_devices > 1:  # Before TensorFlow runs its first op.
    configure_cpu_devices(FLAGS.cpu_devices)
  model = ModelConfig(
      architecture=FLAGS.architecture, image_size=FLAGS.image_size,
      channels=FLAGS.channels, num_classes=FLAGS.num_classes,
      z_dim=FLAGS.z_dim,
      gf=FLAGS.gf, df=FLAGS.df,
      attention_resolution=FLAGS.attention_resolution,
      spectral_norm=FLAGS.spectral_norm, bn_decay=FLAGS.bn_decay,
      bn_zero_debias=FLAGS.bn_zero_debias,
      mlp_g_layers=FLAGS.mlp_g_layers, mlp_d_layers=FLAGS.mlp_d_layers,
      mlp_d_activation=FLAGS.mlp_d_activation,
      mlp_d_input_scale=FLAGS.mlp_d_input_scale,
      mlp_orthogonal_gain=FLAGS.mlp_orthogonal_gain)
  # num_classes=-1 and the channels of point data: from the dataset, as
  # for any caller of the library (tfgan_ext.train.resolve).
  return resolve_config(TrainConfig(
      model=model, objective=objective_config_from_flags(),
      dataset=FLAGS.dataset, split=FLAGS.split, data_dir=FLAGS.data_dir,
      download=FLAGS.download, batch_size=FLAGS.batch_size,
      d_steps=FLAGS.d_steps, g_lr=FLAGS.g_lr, d_lr=FLAGS.d_lr,
      beta1=FLAGS.beta1, beta2=FLAGS.beta2, lr_decay=FLAGS.lr_decay,
      max_steps=FLAGS.max_steps, save_every=FLAGS.save_every,
      summary_every=FLAGS.summary_every, image_every=FLAGS.image_every,
      keep_checkpoints=FLAGS.keep_checkpoints, seed=FLAGS.seed,
      strategy=FLAGS.strategy, tpu=FLAGS.tpu,
      deterministic=FLAGS.deterministic,
      optimizer=FLAGS.optimizer, fake_labels=FLAGS.fake_labels,
      init_from=FLAGS.init_from, init_from_continue=FLAGS.init_from_continue,
      label_fraction=FLAGS.label_fraction,
      unlabelled_dataset=FLAGS.unlabelled_dataset,
      unlabelled_split=FLAGS.unlabelled_split,
      bn_inference=FLAGS.bn_inference, steps_per_loop=FLAGS.steps_per_loop,
      jit_compile=FLAGS.jit_compile, precision=FLAGS.precision,
      ema_decay=FLAGS.ema_decay, ema_start=FLAGS.ema_start,
      use_ema=FLAGS.use_ema))
