"""The generic GAN train loop: D steps and a G step per call, checkpoints, logs.

It knows nothing of particular losses: an `Objective` supplies the loss terms
and a `GradientCombiner` turns D's terms into gradients. Everything that can
be wrong with the inputs is checked in `Trainer.__init__` before anything is
written to the model_dir.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from typing import Any, Optional, Protocol, Sequence

from absl import logging
import keras
import numpy as np
import tensorflow as tf

from tfgan_ext import data as data_lib
from tfgan_ext import hparams
from tfgan_ext import models as models_lib
from tfgan_ext import visualize
from tfgan_ext.data.base import finish_pipeline
from tfgan_ext.errors import InputError, UnwritableError
from tfgan_ext.nn import normalization
from tfgan_ext.nn import precision as precision_lib
from tfgan_ext.workspace import DONE_FILE, IMAGES_DIR, TRAIN_LOGS
from tfgan_ext.objectives import (FAKE_LABEL, UNLABELLED_IMAGE,
                                  GradientCombiner, Objective, build_combiner,
                                  build_objective)
from tfgan_ext.train import checkpoints, run_lock, warm_start
from tfgan_ext.train import loss_scale as loss_scale_lib
from tfgan_ext.train import ema as ema_lib
from tfgan_ext.train.config import (TrainConfig, check_resume_compatible,
                                    save_config)
from tfgan_ext.train.step import FAKE_LABEL_G, AdversarialStep
from tfgan_ext.train.strategies import (is_chief, make_strategy,
                                        replica_batch_size)

OPTIMIZERS = {"adam": keras.optimizers.Adam, "adamax": keras.optimizers.Adamax}
ADAM_EPSILON = 1e-8


class Callback(Protocol):
  """Hook into the loop; each method is optional. `check` runs at the end of
  `Trainer.__init__` and raises for settings the callback cannot handle."""

  def check(self, trainer: "Trainer") -> None: ...

  def on_train_begin(self, trainer: "Trainer") -> None: ...

  def on_step_end(self, trainer: "Trainer", step: int,
                  logs: dict[str, float]) -> None: ...


class StepMonitor(Protocol):
  """Computes extra statistics inside the compiled train step.

  `build` runs once in the strategy scope after the models exist (create any
  state variables there); `update` runs inside the tf.function after each G
  step, in cross-replica context, and returns scalars to log.
  """

  def build(self, trainer: "Trainer") -> None: ...

  def update(self, trainer: "Trainer") -> dict[str, tf.Tensor]: ...


class NonFiniteLossError(FloatingPointError):
  """A loss became NaN or Inf; nothing was saved for the bad step."""


@dataclasses.dataclass
class TrainResult:
  step: int
  logs: dict[str, float]
  checkpoint: Optional[str]


def ensure_writable(model_dir: str) -> None:
  """Fails early when model_dir cannot be created or written."""
  probe_dir = model_dir
  while not os.path.exists(probe_dir):
    parent = os.path.dirname(os.path.abspath(probe_dir))
    if parent == probe_dir:
      break
    probe_dir = parent
  if not os.path.isdir(probe_dir) or not os.access(probe_dir, os.W_OK | os.X_OK):
    raise UnwritableError(
        f"model_dir {model_dir!r} is not writable ({probe_dir!r} is not a "
        "writable directory). Choose a --model_dir you can write to.")


FAKE_LABELS = ("uniform", "real")


def _add_noise(seed: int, z_dim: int, num_classes: int = 0,
               fake_labels: str = "uniform"):
  """Attaches G's inputs for the D step and the G step to batch number i:
  noise "z" / "z_g" and labels FAKE_LABEL / FAKE_LABEL_G, keyed by (seed, i).

  Labels: with `fake_labels` "uniform" and a conditional model, separate
  uniform draws over the `num_classes` classes for the two steps,
  independent of the real batch (as TF-GAN); with "real" (or an
  unconditional model), the real batch's labels. Drawing in the input
  pipeline, on the global batch, makes them the same whatever the number
  of replicas and lets a resumed run continue the same stream.
  """
  def fn(index, batch):
    size = tf.shape(batch["image"])[0]
    key = tf.stack([tf.constant(seed, tf.int64), index])
    noise = tf.random.stateless_normal([2, size, z_dim], key)
    out = {**batch, "z": noise[0], "z_g": noise[1]}
    if num_classes > 0 and fake_labels == "uniform":
      label_key = tf.random.experimental.stateless_fold_in(key, 1)
      drawn = tf.random.stateless_uniform(
          [2, size], label_key, minval=0, maxval=num_classes,
          dtype=batch["label"].dtype)
      out[FAKE_LABEL], out[FAKE_LABEL_G] = drawn[0], drawn[1]
    else:
      out[FAKE_LABEL] = out[FAKE_LABEL_G] = batch["label"]
    return out
  return fn


def _in_labelled_share(index: tf.Tensor, fraction: float) -> tf.Tensor:
  """True for an evenly spread `fraction` of example indices: i is kept when
  floor((i + 1) f) > floor(i f)."""
  i = tf.cast(index, tf.float64)
  return tf.floor((i + 1.0) * fraction) > tf.floor(i * fraction)


class Trainer:
  """Owns models, optimizers, data, checkpoints and summaries for one run."""

  def __init__(self, config: TrainConfig, model_dir: str,
               objective: Optional[Objective] = None,
               combiner: Optional[GradientCombiner] = None,
               callbacks: Sequence[Callback] = (),
               monitors: Sequence[StepMonitor] = ()):
    self.config = config
    self.model_dir = model_dir
    # --- Validation: nothing is written before all of this passes. ---
    ensure_writable(model_dir)
    check_resume_compatible(config, model_dir)
    if config.d_steps < 1 or config.max_steps < 0:
      raise InputError("d_steps must be >= 1 and max_steps >= 0.")
    if config.lr_decay not in ("none", "linear"):
      raise InputError(f"lr_decay must be 'none' or 'linear'; got "
                       f"{config.lr_decay!r}.")
    if config.fake_labels not in FAKE_LABELS:
      raise InputError(f"fake_labels must be one of {list(FAKE_LABELS)}; got "
                       f"{config.fake_labels!r}.")
    if config.optimizer not in OPTIMIZERS:
      raise InputError(f"optimizer must be one of {sorted(OPTIMIZERS)}; got "
                       f"{config.optimizer!r}.")
    if config.init_from_continue and not config.init_from:
      raise InputError("--init_from_continue continues the training of the "
                       "run given by --init_from: set --init_from too.")
    if config.bn_inference not in normalization.INFERENCE_STATISTICS:
      raise InputError(f"bn_inference must be one of "
                       f"{normalization.INFERENCE_STATISTICS}; got "
                       f"{config.bn_inference!r}.")
    if config.steps_per_loop < 1:
      raise InputError(f"steps_per_loop must be >= 1; got "
                       f"{config.steps_per_loop}.")
    if config.jit_compile and config.deterministic:
      raise InputError(
          "--jit_compile cannot be combined with --deterministic: TF has no "
          "deterministic XLA kernel for some gradients (e.g. the MaxPool "
          "gradient in SAGAN's attention). Drop one of the two.")
    precision_lib.check_precision(config.precision)
    ema_lib.check_settings(config.ema_decay, config.ema_start)
    if not 0.0 < config.label_fraction <= 1.0:
      raise InputError(f"label_fraction must be in (0, 1]; got "
                       f"{config.label_fraction}.")
    self.strategy = make_strategy(config.strategy, tpu=config.tpu)
    self.is_chief = is_chief(self.strategy)
    if self.is_chief:  # Other workers share the chief's model_dir.
      run_lock.check_free(model_dir)  # A second train job stops here.
    self.replicas = self.strategy.num_replicas_in_sync
    if config.precision == "float16" and self.replicas > 1:
      raise InputError(
          f"--precision=float16 (loss scaling) runs on one replica; this "
          f"strategy has {self.replicas}. Use --precision=bfloat16 or "
          "float32 with several replicas.")
    replica_batch_size(config.batch_size, self.strategy)
    mc = config.model
    self.info = data_lib.dataset_info(
        config.dataset, split=config.split, image_size=mc.image_size,
        channels=mc.channels, data_dir=config.data_dir,
        download=config.download)
    self._check_data_matches_model()
    labelled = int((self.info.num_examples or 0) * config.label_fraction)
    if self.info.num_examples and labelled < config.batch_size:
      raise InputError(
          f"label_fraction {config.label_fraction} keeps {labelled} of "
          f"{self.info.num_examples} examples, fewer than one batch of "
          f"{config.batch_size}. Raise --label_fraction or lower "
          "--batch_size.")
    if config.deterministic:
      tf.config.experimental.enable_op_determinism()
      # Grappler's arithmetic optimizer rewrites float arithmetic of a
      # graph-loop body differently from a single step's (1-ulp changes),
      # so without this an N-step loop would not reproduce N single steps.
      tf.config.optimizer.set_experimental_options(
          {"arithmetic_optimization": False})
    keras.utils.set_random_seed(config.seed)
    self.objective = objective or build_objective(
        config.objective, mc.num_classes, seed=config.seed)
    if self.objective.requires_labels and mc.num_classes < 1:
      raise InputError(
          f"{self.objective.describe()} needs class labels, but the model is "
          f"unconditional (dataset {config.dataset!r} has "
          f"{self.info.num_classes} classes). Use a labelled dataset and a "
          "conditional model, or an unconditional loss.")
    self._check_unlabelled_data()
    self.combiner = combiner or build_combiner(config.objective)
    self.combiner.check(self.objective)
    self.callbacks = list(self.objective.callbacks()) + list(callbacks)
    self.monitors = list(monitors)
    self._build()
    self.init_plan = None  # What init_from restores, if it applies.
    if config.init_from and not self.manager.checkpoints:
      self.init_plan = self._plan_warm_start()
    for cb in self.callbacks:
      if hasattr(cb, "check"):
        cb.check(self)

  def _check_unlabelled_data(self) -> None:
    c = self.config
    needs = self.objective.requires_unlabelled
    if needs and not c.unlabelled_dataset:
      raise InputError(
          f"{self.objective.describe()} needs unlabelled images: set "
          "--unlabelled_dataset (e.g. the same dataset with --label_fraction="
          "0.1, or imagenet2012 beside imagenet2012_subset/10pct).")
    if c.unlabelled_dataset and not needs:
      raise InputError(
          f"--unlabelled_dataset is only used by semi-supervised objectives; "
          f"{self.objective.describe()} is not one. Add --ssl or drop "
          "--unlabelled_dataset.")
    if c.unlabelled_dataset:
      mc = c.model
      info = data_lib.dataset_info(
          c.unlabelled_dataset, split=c.unlabelled_split,
          image_size=mc.image_size, channels=mc.channels,
          data_dir=c.data_dir, download=c.download)
      if tuple(info.sample_shape) != tuple(self.info.sample_shape):
        raise InputError(
            f"Unlabelled dataset {info.name!r} yields samples of shape "
            f"{info.sample_shape}, the labelled one {self.info.sample_shape}.")

  def _check_data_matches_model(self) -> None:
    mc, info = self.config.model, self.info
    expected = models_lib.sample_shape(mc)
    if tuple(info.sample_shape) != tuple(expected):
      raise InputError(
          f"Dataset {info.name!r} yields samples of shape {info.sample_shape} "
          f"but the {mc.architecture!r} model expects {expected}. Choose a "
          "matching architecture / image_size / channels.")
    if mc.num_classes > info.num_classes:
      raise InputError(
          f"The model is conditioned on {mc.num_classes} classes but dataset "
          f"{info.name!r} has {info.num_classes}. Use num_classes <= "
          f"{info.num_classes} (0 for an unconditional model).")
    models_lib.build_models(mc)  # Raises for unsupported sizes.

  # ------------------------------------------------------------------ build
  def _build(self) -> None:
    c, mc = self.config, self.config.model
    with self.strategy.scope():
      self.generator, self.discriminator = models_lib.build_models(mc)
      normalization.set_inference_statistics(self.generator, c.bn_inference)
      z = tf.zeros([2, mc.z_dim])
      labels = tf.zeros([2], tf.int32)
      sample = self.generator(z, labels, training=False)
      self.discriminator(sample, labels if mc.num_classes else None,
                         training=False)
      # Built in float32; the compute dtype changes, the variables do not.
      precision_lib.apply_precision(self.generator, c.precision)
      precision_lib.apply_precision(self.discriminator, c.precision)
      self.loss_scaling = (loss_scale_lib.LossScaling()
                           if c.precision == "float16" else None)
      self.objective.build(self.discriminator)
      self.g_optimizer = self._make_optimizer(c.g_lr, c.max_steps)
      self.d_optimizer = self._make_optimizer(c.d_lr, c.max_steps * c.d_steps)
      self.g_vars = list(self.generator.trainable_variables)
      self.d_vars = (list(self.discriminator.trainable_variables)
                     + list(self.objective.discriminator_variables))
      self.g_optimizer.build(self.g_vars)
      self.d_optimizer.build(self.d_vars)
      self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
      for monitor in self.monitors:
        monitor.build(self)
      self._build_ema(z, labels)
    self.step_fn = AdversarialStep(
        self.generator, self.discriminator, self.objective, self.combiner,
        self.g_optimizer, self.d_optimizer, self.g_vars, self.d_vars,
        replicas=self.replicas, loss_scaling=self.loss_scaling)
    self.dataset, self.iterator = self._make_iterator(start_batch=0)
    roots = dict(
        step=self.step, generator=self.generator,
        discriminator=self.discriminator, objective=self.objective,
        g_optimizer=self.g_optimizer, d_optimizer=self.d_optimizer)
    if self.ema is not None:
      roots[ema_lib.CHECKPOINT_KEY] = self.ema_generator
    self.checkpoint = tf.train.Checkpoint(**roots)
    saved = self.checkpoint
    if self.loss_scaling is not None:  # Restored apart: see restore().
      saved = tf.train.Checkpoint(**roots, **{
          loss_scale_lib.LossScaling.CHECKPOINT_KEY: self.loss_scaling})
    self.manager = tf.train.CheckpointManager(
        saved, self.model_dir, max_to_keep=c.keep_checkpoints,
        checkpoint_name="ckpt")
    self._scratch_dir = None
    self._last_saved = None
    # XLA covers the per-replica step computations; next() stays outside.
    self._d_step_run = tf.function(self._d_step, jit_compile=True) \
        if c.jit_compile else self._d_step
    self._g_step_run = tf.function(self._g_step, jit_compile=True) \
        if c.jit_compile else self._g_step
    self._train_step = tf.function(self._train_step_fn)
    # The loop count is a tensor argument: one trace serves every call,
    # including a shorter last one.
    self._train_loop = tf.function(self._train_loop_fn)

  def _build_ema(self, z: tf.Tensor, labels: tf.Tensor) -> None:
    """The EMA generator (with ema_decay > 0), a copy of G to start with;
    built last, so the other networks' initial values are the same with
    and without it."""
    c = self.config
    self.ema = self.ema_generator = None
    if c.ema_decay <= 0:
      return
    self.ema_generator = models_lib.build_models(c.model)[0]
    normalization.set_inference_statistics(self.ema_generator, c.bn_inference)
    self.ema_generator(z, labels, training=False)
    precision_lib.apply_precision(self.ema_generator, c.precision)
    self.ema = ema_lib.GeneratorAverage(
        self.generator, self.ema_generator, c.ema_decay, c.ema_start)
    self.ema.copy()

  def _make_iterator(self, start_batch: int):
    """The distributed batch stream positioned at batch `start_batch`.

    With `deterministic`, the stream is the run's one fixed sequence and
    resuming skips the batches already consumed (step x d_steps), so a
    resumed run sees exactly the batches and noise an uninterrupted one
    would. Otherwise the shuffle seed moves on with the position (no costly
    skipping through large datasets); the noise keys always continue.
    """
    c = self.config
    seed = c.seed if c.deterministic else c.seed + start_batch
    batches = self._input_pipeline(seed)
    if c.deterministic and start_batch:
      batches = batches.skip(start_batch)
    dataset = batches.enumerate(start=start_batch).map(
        _add_noise(c.seed, c.model.z_dim, c.model.num_classes, c.fake_labels))
    dataset = self.strategy.experimental_distribute_dataset(dataset)
    return dataset, iter(dataset)

  def current_step(self) -> int:
    """The number of G steps taken (works for mirrored step variables)."""
    return int(self.step.numpy())

  def _save(self, step: int) -> None:
    """Writes a checkpoint. Under multi-worker training every worker must
    take part in saving; only the chief writes to model_dir, the others to
    a scratch directory that is removed at the end."""
    self._last_saved = step
    if self.is_chief:
      self.manager.save(checkpoint_number=step)
      return
    if self._scratch_dir is None:
      import tempfile
      self._scratch_dir = tempfile.mkdtemp(prefix="tfgan_ext_worker_")
      self._scratch = tf.train.CheckpointManager(
          self.checkpoint, self._scratch_dir, max_to_keep=1)
    self._scratch.save(checkpoint_number=step)

  def _batches(self, name: str, split: str, share: Optional[bool] = None,
               seed: int = 0, training: bool = True) -> tf.data.Dataset:
    """Batches of (images, labels): shuffled and endless when `training`,
    else one ordered pass. With `share` True (False), only the examples
    inside (outside) the label_fraction share are read; with None, all."""
    c, mc = self.config, self.config.model
    kwargs = dict(image_size=mc.image_size, channels=mc.channels,
                  seed=seed, data_dir=c.data_dir, download=c.download)
    if share is None or c.label_fraction >= 1.0:
      return data_lib.make_dataset(name, split, c.batch_size,
                                   training=training, **kwargs)[0]
    ordered = data_lib.make_dataset(name, split, 1, training=False,
                                    **kwargs)[0].unbatch()
    fraction = c.label_fraction
    kept = ordered.enumerate().filter(
        lambda i, ex: tf.equal(_in_labelled_share(i, fraction), share))
    return finish_pipeline(kept.map(lambda i, ex: ex), c.batch_size,
                           training=training, seed=seed)

  def training_images_once(self) -> tf.data.Dataset:
    """Batches of the images the training stream draws from, each example
    once, in order (last batch partial): a separate finite pipeline, so
    reading it leaves the training stream's position (and exact resume)
    untouched. For statistics over the training data (MAGAN's margin)."""
    c = self.config
    return self._batches(c.dataset, c.split, share=True,
                         training=False).map(lambda x, y: x)

  def _input_pipeline(self, seed: int) -> tf.data.Dataset:
    """Dict batches {"image", "label"} (+ "unlabelled_image" when an
    unlabelled source is configured: every example of that dataset and
    split, so with the labelled dataset and split the unlabelled stream is
    all of the training images, the labelled share included, as ImageNet
    holds its 10% subset in the MHGAN-SSL set-up)."""
    c = self.config
    labelled = self._batches(c.dataset, c.split, share=True, seed=seed).map(
        lambda x, y: {"image": x, "label": y})
    if not c.unlabelled_dataset:
      return labelled
    unlabelled = self._batches(c.unlabelled_dataset, c.unlabelled_split,
                               seed=seed + 1)
    return tf.data.Dataset.zip(labelled, unlabelled.map(lambda x, y: x)).map(
        lambda batch, images: {**batch, UNLABELLED_IMAGE: images})

  def _warm_start_roots(self) -> dict[str, Any]:
    return dict(generator=self.generator, discriminator=self.discriminator,
                objective=self.objective)

  def _plan_warm_start(self) -> warm_start.WarmStart:
    """Checks what init_from will restore (raises before anything is
    written). With init_from_continue, the optimizers and step as well;
    max_steps then counts from the source's step like a resume."""
    c = self.config
    plan = warm_start.plan(c.init_from, self._warm_start_roots())
    if not c.init_from_continue:
      return plan
    plan = warm_start.plan_continuation(
        plan, self._warm_start_roots(),
        dict(g_optimizer=self.g_optimizer, d_optimizer=self.d_optimizer))
    if plan.start_step >= c.max_steps:
      raise InputError(
          f"--init_from_continue: {plan.path} is at step {plan.start_step} "
          f"and max_steps is the step to stop at (counted from 0, as on "
          f"resume), so max_steps={c.max_steps} trains nothing. Pass "
          f"--max_steps={plan.start_step} + the steps to add.")
    return plan

  def _warm_start(self, plan: warm_start.WarmStart) -> None:
    """Applies a planned init_from; a continued run also takes over the
    optimizers and step, keeps its own constant learning rates and reads
    the data stream from step x d_steps on, as a resumed run would."""
    roots = self._warm_start_roots()
    if plan.continues:
      roots.update(step=self.step, g_optimizer=self.g_optimizer,
                   d_optimizer=self.d_optimizer)
    warm_start.restore(plan, roots)
    if self.ema is not None:  # The average starts from the copied G.
      self.ema.copy()
    if plan.continues:
      self._apply_learning_rates()
      start = self.current_step() * self.config.d_steps
      if self.loss_scaling is not None:
        self.loss_scaling.data_position.assign(start)
      self.dataset, self.iterator = self._make_iterator(start_batch=start)
    logging.info("%s", plan.summary())

  def _apply_learning_rates(self) -> None:
    """Constant learning rates back to this run's config (a checkpoint
    restores the saved values; schedules depend only on the step)."""
    if self.config.lr_decay == "none":
      self.g_optimizer.learning_rate = self.config.g_lr
      self.d_optimizer.learning_rate = self.config.d_lr

  def _make_optimizer(self, lr: float, decay_steps: int):
    c = self.config
    schedule = lr
    if c.lr_decay == "linear":
      schedule = keras.optimizers.schedules.PolynomialDecay(
          lr, max(1, decay_steps), end_learning_rate=0.0, power=1.0)
    # epsilon 1e-8 as TF 1's AdamOptimizer (TF-GAN) and MAGAN's Adamax; Keras
    # defaults to 1e-7. Keras applies it the same way (to sqrt(v_hat) with
    # the bias correction folded into the step size).
    return OPTIMIZERS[c.optimizer](schedule, beta_1=c.beta1, beta_2=c.beta2,
                                   epsilon=ADAM_EPSILON)

  # ------------------------------------------------------------------- step
  def _d_step(self, batch):
    return self.step_fn.d_step(batch)

  def _g_step(self, batch):
    return self.step_fn.g_step(batch)

  def _train_step_fn(self, iterator):
    for _ in range(self.config.d_steps):
      batch = next(iterator)
      # G's batch-norm averages move in its own step only (as in TF-GAN).
      with normalization.moving_statistics_frozen(self.generator):
        d_logs = self.strategy.run(self._d_step_run, args=(batch,))
    g_logs = self.strategy.run(self._g_step_run, args=(batch,))
    if self.loss_scaling is None:
      self.step.assign_add(1)
    else:  # A skipped G update is no step; its batches are read all the same.
      self.loss_scaling.data_position.assign_add(self.config.d_steps)
      self.step.assign_add(tf.cast(g_logs["precision/g_skipped"] == 0.0,
                                   tf.int64))
    if self.ema is not None:  # (After a skipped float16 update too: G's
      # weights did not change, so the average moves toward the same ones.)
      self.ema.update(self.step, self.strategy)
    logs = {**d_logs, **g_logs}
    logs = {k: self.strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
            for k, v in logs.items()}
    for monitor in self.monitors:
      logs.update(monitor.update(self))
    return logs

  def _train_loop_fn(self, iterator, steps: tf.Tensor):
    """`steps` train steps in one call (a graph loop); returns each logged
    scalar's mean over those steps. The structure of the logs comes from
    tracing the single step (no extra step runs)."""
    spec = self._train_step.get_concrete_function(iterator).structured_outputs
    zeros = {k: tf.zeros(v.shape, v.dtype) for k, v in spec.items()}

    def body(i, sums):
      logs = self._train_step_fn(iterator)
      return i + 1, {k: sums[k] + tf.cast(logs[k], sums[k].dtype)
                     for k in sums}

    _, sums = tf.while_loop(lambda i, _: i < steps, body,
                            (tf.constant(0, steps.dtype), zeros))
    return {k: v / tf.cast(steps, v.dtype) for k, v in sums.items()}

  def loop_periods(self) -> dict[str, int]:
    """summary_every, image_every and save_every rounded up to multiples of
    steps_per_loop (host work happens only at loop boundaries)."""
    c, n = self.config, self.config.steps_per_loop
    return {name: -(-max(1, getattr(c, name)) // n) * n
            for name in ("summary_every", "image_every", "save_every")}

  # ------------------------------------------------------------------- loop
  def restore(self) -> Optional[str]:
    """Restores the newest readable checkpoint; returns its path or None."""
    path = checkpoints.restore_latest(self.checkpoint, self.manager)
    if path:
      self._apply_learning_rates()  # The config's, which may have changed.
      step = self.current_step()
      logging.info("Resumed from %s at step %d.", path, step)
      start = step * self.config.d_steps
      if self.loss_scaling is not None:  # Skipped steps read batches too.
        start = self.loss_scaling.restore(path, start)
      self.dataset, self.iterator = self._make_iterator(start_batch=start)
    return path

  def train(self) -> TrainResult:
    """Trains up to config.max_steps G steps, resuming if possible. The
    chief holds the model_dir's lock (run_lock) until it returns or raises."""
    os.makedirs(self.model_dir, exist_ok=True)
    with run_lock.hold(self.model_dir, enabled=self.is_chief):
      return self._train()

  def _train(self) -> TrainResult:
    c = self.config
    if self.is_chief:
      save_config(c, self.model_dir)
    if self.restore() is None and self.init_plan is not None:
      self._warm_start(self.init_plan)
    done_path = os.path.join(self.model_dir, DONE_FILE)
    if (self.is_chief and self.current_step() < c.max_steps
        and os.path.exists(done_path)):
      os.remove(done_path)
    logging.info("Training %s for %d steps in %s (objective: %s; D "
                 "gradient: %s; %d replica(s), global batch %d).",
                 c.model.architecture, c.max_steps, self.model_dir,
                 self.objective.describe(), self.combiner.describe(),
                 self.replicas, c.batch_size)
    writer = (tf.summary.create_file_writer(
        os.path.join(self.model_dir, TRAIN_LOGS)) if self.is_chief
              else tf.summary.create_noop_writer())
    if self.is_chief:
      hparams.write_train_session(c, self.model_dir, writer)
    for cb in self.callbacks:
      if hasattr(cb, "on_train_begin"):
        cb.on_train_begin(self)
    logs: dict[str, float] = {}
    n = c.steps_per_loop
    periods = self.loop_periods()
    if n > 1:
      changed = [f"{k} {getattr(c, k)} -> {v}" for k, v in periods.items()
                 if v != getattr(c, k)]
      if changed:
        logging.warning("steps_per_loop=%d: periods rounded up to multiples "
                        "of it: %s.", n, ", ".join(changed))
      logging.info("steps_per_loop=%d: logged scalars are means over each "
                   "call's steps.", n)
    interval_start, interval_steps = time.perf_counter(), 0
    with writer.as_default():
      while self.current_step() < c.max_steps:
        step = self.current_step()
        # Calls end at multiples of n (and at max_steps), also after a
        # resume from a step that is not one.
        count = min(n - step % n, c.max_steps - step)
        if n == 1:
          out = self._train_step(self.iterator)
        else:
          out = self._train_loop(self.iterator, tf.constant(count, tf.int64))
        logs = {k: float(v) for k, v in out.items()}
        step = self.current_step()
        interval_steps += count
        self._check_finite(step, logs)
        for cb in self.callbacks:
          if hasattr(cb, "on_step_end"):
            cb.on_step_end(self, step, logs)
        if step % periods["summary_every"] == 0 or step == c.max_steps:
          rate = interval_steps / (time.perf_counter() - interval_start)
          self._write_scalars(step, logs, rate)
          interval_start, interval_steps = time.perf_counter(), 0
        if self.is_chief and (step % periods["image_every"] == 0
                              or step == c.max_steps):
          self.write_samples(step)
        if step % periods["save_every"] == 0 or step == c.max_steps:
          self._save(step)
      writer.flush()
    step = self.current_step()
    if self._last_saved != step and (
        self.manager.latest_checkpoint or "").rsplit("-", 1)[-1] != str(step):
      self._save(step)
    if self._scratch_dir is not None:
      import shutil
      shutil.rmtree(self._scratch_dir, ignore_errors=True)
    if self.is_chief:
      with open(done_path + ".tmp", "w") as f:
        json.dump({"step": step,
                   "checkpoint": self.manager.latest_checkpoint}, f)
      os.replace(done_path + ".tmp", done_path)
    return TrainResult(step, logs, self.manager.latest_checkpoint)

  def _check_finite(self, step: int, logs: dict[str, float]) -> None:
    bad = sorted(k for k, v in logs.items() if not np.isfinite(v))
    if bad:
      raise NonFiniteLossError(
          f"Non-finite values at step {step}: {', '.join(bad)}. Nothing was "
          f"saved for this step; the last good checkpoint is "
          f"{self.manager.latest_checkpoint}. Lower the learning rates or "
          "check the data, then resume.")

  def _write_scalars(self, step: int, logs: dict[str, float],
                     steps_per_sec: float) -> None:
    for k, v in logs.items():
      tf.summary.scalar(k if "/" in k else f"losses/{k}", v, step=step)
    tf.summary.scalar("train/steps_per_sec", steps_per_sec, step=step)
    for name, opt in (("g", self.g_optimizer), ("d", self.d_optimizer)):
      lr = tf.convert_to_tensor(opt.learning_rate)
      tf.summary.scalar(f"train/{name}_learning_rate", float(lr.numpy()),
                        step=step)
    logging.info("step %d: %s (%.2f steps/s)", step, ", ".join(
        f"{k}={v:.4f}" for k, v in sorted(logs.items())
        if "/" not in k), steps_per_sec)

  # ---------------------------------------------------------------- samples
  def sample_inputs(self, per_class: int = 10, count: int = 64,
                    seed: int = 1234) -> tuple[tf.Tensor, tf.Tensor, int]:
    """Fixed (z, labels, rows) for sample grids: one row per class (at most
    10 classes) when conditional, else an 8x8 grid."""
    mc = self.config.model
    rng = np.random.RandomState(seed)
    if mc.num_classes > 0:
      rows = min(mc.num_classes, 10)
      labels = np.repeat(np.arange(rows), per_class).astype(np.int32)
    else:
      rows = int(np.sqrt(count))
      labels = np.zeros(rows * rows, np.int32)
    z = rng.randn(len(labels), mc.z_dim).astype(np.float32)
    return tf.constant(z), tf.constant(labels), rows

  @property
  def sample_generator(self) -> keras.Model:
    """The generator of the sample grids: the EMA one when the run has it
    and config.use_ema, else G."""
    if self.ema_generator is not None and self.config.use_ema:
      return self.ema_generator
    return self.generator

  def generate(self, z: tf.Tensor, labels: tf.Tensor) -> np.ndarray:
    """`sample_generator`(z, labels) in inference mode (no spectral-norm or
    batch-norm state updates; batch-norm moments as config.bn_inference
    says)."""
    return self.sample_generator(z, labels, training=False).numpy()

  def write_samples(self, step: int) -> str:
    """Writes the sample grid (or scatter plot) PNG and a TensorBoard image."""
    path = os.path.join(self.model_dir, IMAGES_DIR, f"step_{step:07d}.png")
    if self.info.is_image:
      z, labels, rows = self.sample_inputs()
      grid = visualize.image_grid(self.generate(z, labels), rows)
      scale = max(1, 512 // grid.shape[0])
      visualize.save_png(grid, path, upscale=scale)
      tf.summary.image("samples", grid[None].astype(np.float32) / 255.0,
                       step=step)
    else:
      rng = np.random.RandomState(1234)
      z = tf.constant(rng.randn(1000, self.config.model.z_dim), tf.float32)
      labels = tf.constant(rng.randint(max(1, self.info.num_classes),
                                       size=1000), tf.int32)
      visualize.save_scatter(self.generate(z, labels), path,
                             title=f"step {step}")
    return path


def train(config: TrainConfig, model_dir: str,
          callbacks: Sequence[Callback] = ()) -> TrainResult:
  """Builds a Trainer for `config` and runs it to config.max_steps."""
  return Trainer(config, model_dir, callbacks=callbacks).train()
