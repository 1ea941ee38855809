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
from tfgan_ext.train.strategies import configure_cpu_devices

FLAGS = flags.FLAGS

flags.DEFINE_string("model_dir", None, "Run directory: checkpoints, logs, "
                    "images, config (see WORKSPACE.md).")
# Data.
flags.DEFINE_string("dataset", "digits", "digits | ring8 | grid25 | "
                    "fashion_mnist | folder:<path> | any TFDS image dataset "
                    "name.")
flags.DEFINE_string("split", "train", "Split to train on.")
flags.DEFINE_string("data_dir", None, "TFDS data_dir, or the folder of "
                    "the fashion_mnist IDX files.")
flags.DEFINE_bool("download", False, "Let TFDS download a missing dataset.")
flags.DEFINE_float("label_fraction", 1.0, "Keep the labels of this evenly "
                   "spread share of the training examples (e.g. 0.1).")
flags.DEFINE_string("unlabelled_dataset", None, "Unlabelled images for --ssl "
                    "(same names as --dataset): every image of it, so with the "
                    "same dataset and split all training images, the "
                    "--label_fraction share included.")
flags.DEFINE_string("unlabelled_split", "train", "Split of "
                    "--unlabelled_dataset.")
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
flags.DEFINE_integer("attention_resolution", 0, "SAGAN's non-local block "
                     "resolution; 0 = the default: 16 at 32x32, else 32.")
flags.DEFINE_bool("spectral_norm", True, "Spectral norm in small nets' D.")
flags.DEFINE_float("bn_decay", DEFAULT_DECAY, "Decay of the generator's "
                   "batch-norm moving averages (TF-GAN: 0.999).")
flags.DEFINE_integer("mlp_g_layers", 2, "Hidden ReLU layers of the MLP "
                     "generator (--architecture=mlp).")
flags.DEFINE_integer("mlp_d_layers", 2, "Hidden layers of the MLP "
                     "discriminator (--architecture=mlp).")
flags.DEFINE_enum("mlp_d_activation", "leaky_relu", ["leaky_relu", "relu"],
                  "Hidden activation of the MLP discriminator (LeakyReLU "
                  "slope 0.2, or ReLU).")
flags.DEFINE_float("mlp_d_input_scale", 1.0, "The MLP discriminator "
                   "multiplies its input by this first (unrolled GAN: 0.25).")
flags.DEFINE_float("mlp_orthogonal_gain", 0.0, "MLP kernels: 0 = Glorot "
                   "uniform, g > 0 = orthogonal times g (unrolled GAN: 0.8).")
flags.DEFINE_bool("bn_zero_debias", True, "Zero-debiased moving averages "
                  "(divided by 1 - decay^t, as Adam's moments); false = "
                  "TF-GAN's plain averages started at mean 0 / variance 1.")
flags.DEFINE_enum("bn_inference", "moving", list(INFERENCE_STATISTICS),
                  "Batch-norm moments of the generator in the sample grids: "
                  "moving averages (TF-GAN) or the grid batch's own.")
# Objective.
flags.DEFINE_string("loss", "hinge", "Adversarial loss: hinge | "
                    "nonsaturating | minimax | least_squares | wasserstein.")
flags.DEFINE_enum("penalty", "none", list(objectives.PENALTY_CHOICES),
                  "Gradient penalty on D (SQD): gp (WGAN-GP), dragan, zero_gp, "
                  "lipschitz (one-sided).")
flags.DEFINE_float("penalty_weight", 10.0, "Penalty coefficient lambda.")
flags.DEFINE_enum("aux", "none", list(objectives.AUX_CHOICES), "Auxiliary "
                  "classifier loss: multi_hinge (MHGAN) | acgan.")
flags.DEFINE_float("aux_d_weight", 1.0, "Weight of D's auxiliary term, the "
                   "sum of its real and generated halves (public MHGAN code).")
flags.DEFINE_float("aux_g_weight", 0.1, "Weight lambda of G's auxiliary term.")
flags.DEFINE_enum("fake_labels", "uniform", ["uniform", "real"], "Labels "
                  "G is given in training (D's fake term, the aux and penalty "
                  "fake sides and G's loss use them): uniform = drawn "
                  "uniformly over the classes, independent of the real batch, "
                  "separately for the D and G steps (TF-GAN); real = the real "
                  "batch's labels.")
flags.DEFINE_bool("aux_on_fake", True, "D's auxiliary term also classifies "
                  "generated images into their conditioning class (public "
                  "MHGAN code); false = real images only (paper eq. 4).")
flags.DEFINE_enum("critic", "projection", list(objectives.CRITIC_CHOICES),
                  "Classifier of --aux: projection = extra SN dense head; "
                  "shared = the projection embedding table (MHShared).")
flags.DEFINE_bool("ssl", False, "Semi-supervised MHGAN-SSL / ACGAN-SSL: "
                  "needs --aux and --unlabelled_dataset.")
flags.DEFINE_string("init_from", None, "Checkpoint prefix or run directory "
                    "to start from (fine-tune); networks must match.")
flags.DEFINE_bool("init_from_continue", False, "With --init_from: also take "
                  "over both optimizers' state and the step counter, so the "
                  "run continues that run's training (data stream and LR "
                  "schedule go on from its step; --max_steps is the step to "
                  "stop at, e.g. its step + 5000). Refused when the "
                  "optimizers cannot be matched (e.g. a new aux head adds D "
                  "variables).")
flags.DEFINE_bool("aw", False, "aw-loss: adaptive weights of D's real and "
                  "fake loss parts (Algorithm 1).")
flags.DEFINE_bool("aw_normalized", True, "aw-loss with the 1/|g| factors "
                  "(the paper's main variant); false = ablation.")
flags.DEFINE_bool("gradient_angles", False, "Without --aw: log the angles "
                  "between D's real-loss, fake-loss and applied gradients "
                  "(aw paper Fig. 4; --aw always logs them). Costs a second "
                  "backward pass per D step.")
flags.DEFINE_enum("model", "gan", ["gan", "magan", "ebgan"], "gan: "
                  "adversarial --loss; magan / ebgan: energy objective on an "
                  "auto-encoder D (--architecture ae_mlp or ae_conv).")
flags.DEFINE_float("margin", 10.0, "EBGAN's fixed margin, in energy units "
                   "(per-sample sum of squared errors).")
flags.DEFINE_integer("pretrain_epochs", 2, "MAGAN: D pre-training epochs "
                     "with margin 0 (G frozen).")
# Optimization.
flags.DEFINE_integer("batch_size", 64, "Global batch size.")
flags.DEFINE_integer("d_steps", 1, "D steps per G step.")
flags.DEFINE_float("g_lr", 1e-4, "Generator learning rate.")
flags.DEFINE_float("d_lr", 4e-4, "Discriminator learning rate.")
flags.DEFINE_enum("optimizer", "adam", ["adam", "adamax"], "Optimizer of "
                  "both networks.")
flags.DEFINE_float("beta1", 0.0, "Adam / Adamax beta1.")
flags.DEFINE_float("beta2", 0.999, "Adam / Adamax beta2.")
flags.DEFINE_enum("lr_decay", "none", ["none", "linear"], "LR schedule.")
flags.DEFINE_integer("max_steps", 1000, "G steps to train.")
flags.DEFINE_integer("save_every", 500, "Checkpoint period in steps.")
flags.DEFINE_integer("summary_every", 50, "Scalar summary period.")
flags.DEFINE_integer("image_every", 500, "Sample grid period.")
flags.DEFINE_integer("keep_checkpoints", 5, "Checkpoints to keep.")
flags.DEFINE_integer("seed", 0, "Random seed.")
flags.DEFINE_enum("strategy", "default",
                  ["default", "mirrored", "multi_worker", "tpu"],
                  "tf.distribute strategy: one device, all local GPUs (or "
                  "--cpu_devices logical CPUs), MultiWorkerMirrored from "
                  "TF_CONFIG, or TPUStrategy on --tpu.")
flags.DEFINE_string("tpu", None, "TPU name or grpc:// address ('local' on a "
                    "TPU VM) for --strategy=tpu.")
flags.DEFINE_integer("cpu_devices", 1, "Split the CPU into this many logical "
                     "devices (for --strategy=mirrored without GPUs).")
flags.DEFINE_integer("steps_per_loop", 1, "G steps (each with its D steps) "
                     "per compiled call, as TPUEstimator's "
                     "iterations_per_loop. Logged scalars are the means over "
                     "the call's steps; summaries, images, checkpoints, NaN "
                     "checks and callbacks run at call boundaries, and "
                     "periods are rounded up to multiples of it.")
flags.DEFINE_bool("jit_compile", False, "Compile the per-replica D and G "
                  "steps with XLA.")
flags.DEFINE_string("precision", "float32", "Compute type: float32 | "
                    "bfloat16 | float16 (Keras mixed policies: variables and "
                    "checkpoints stay float32; spectral norm, batch-norm "
                    "statistics, the attention softmax, D's head and logits, "
                    "losses and gradient statistics stay float32). float16 "
                    "uses dynamic loss scaling: an update with non-finite "
                    "gradients is skipped, and a skipped G update does not "
                    "count as a step.")
flags.DEFINE_float("ema_decay", 0.0, "> 0: keep an exponential moving "
                   "average of G's weights and batch-norm statistics (the EMA "
                   "generator; e.g. 0.999, BigGAN 0.9999), checkpointed "
                   "beside G; sample grids, the eval job and exports use it "
                   "by default. 0 = none.")
flags.DEFINE_integer("ema_start", 0, "G step from which the EMA generator "
                     "averages; before it, it copies G after every step "
                     "(BigGAN's start_itr).")
flags.DEFINE_bool("use_ema", True, "Sample grids from the EMA generator when "
                  "--ema_decay > 0; false = the raw G (the eval binaries have "
                  "their own --use_ema).")
flags.DEFINE_bool("deterministic", False, "Op determinism and the data "
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
      energy="none" if FLAGS.model == "gan" else FLAGS.model,
      margin=FLAGS.margin, pretrain_epochs=FLAGS.pretrain_epochs)


def config_from_flags() -> TrainConfig:
  """Builds the immutable run config; resolves dataset-dependent fields."""
  if not FLAGS.model_dir:
    raise InputError("--model_dir is required.")
  check_precision(FLAGS.precision)
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
