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
from tfgan_ext import models as models_lib
from tfgan_ext import visualize
from tfgan_ext.workspace import DONE_FILE, IMAGES_DIR, TRAIN_LOGS
from tfgan_ext.objectives import (GradientCombiner, Objective, build_combiner,
                                  build_objective)
from tfgan_ext.train import checkpoints
from tfgan_ext.train.config import (TrainConfig, check_resume_compatible,
                                    save_config)
from tfgan_ext.train.strategies import make_strategy, replica_batch_size



class Callback(Protocol):
  """Hook into the loop; each method is optional."""

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
    raise PermissionError(
        f"model_dir {model_dir!r} is not writable ({probe_dir!r} is not a "
        "writable directory). Choose a --model_dir you can write to.")


def _add_noise(seed: int, z_dim: int):
  """Attaches D-step and G-step noise to batch number i, keyed by (seed, i).

  Drawing noise in the input pipeline, on the global batch, makes it the
  same whatever the number of replicas and lets checkpoints save its
  position with the data iterator.
  """
  def fn(index, example):
    images, labels = example
    batch = tf.shape(images)[0]
    key = tf.stack([tf.constant(seed, tf.int64), index])
    noise = tf.random.stateless_normal([2, batch, z_dim], key)
    return {"image": images, "label": labels, "z": noise[0], "z_g": noise[1]}
  return fn


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
      raise ValueError("d_steps must be >= 1 and max_steps >= 0.")
    if config.lr_decay not in ("none", "linear"):
      raise ValueError(f"lr_decay must be 'none' or 'linear'; got "
                       f"{config.lr_decay!r}.")
    self.strategy = make_strategy(config.strategy)
    self.replicas = self.strategy.num_replicas_in_sync
    replica_batch_size(config.batch_size, self.strategy)
    mc = config.model
    self.info = data_lib.dataset_info(
        config.dataset, split=config.split, image_size=mc.image_size,
        channels=mc.channels, data_dir=config.data_dir,
        download=config.download)
    self._check_data_matches_model()
    if config.deterministic:
      tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(config.seed)
    self.objective = objective or build_objective(config.objective,
                                                  mc.num_classes)
    if self.objective.requires_labels and mc.num_classes < 1:
      raise ValueError(
          f"{self.objective.describe()} needs class labels, but the model is "
          f"unconditional (dataset {config.dataset!r} has "
          f"{self.info.num_classes} classes). Use a labelled dataset and a "
          "conditional model, or an unconditional loss.")
    self.combiner = combiner or build_combiner(config.objective)
    self.callbacks = list(self.objective.callbacks()) + list(callbacks)
    self.monitors = list(monitors)
    self._build()

  def _check_data_matches_model(self) -> None:
    mc, info = self.config.model, self.info
    expected = models_lib.sample_shape(mc)
    if tuple(info.sample_shape) != tuple(expected):
      raise ValueError(
          f"Dataset {info.name!r} yields samples of shape {info.sample_shape} "
          f"but the {mc.architecture!r} model expects {expected}. Choose a "
          "matching architecture / image_size / channels.")
    if mc.num_classes > info.num_classes:
      raise ValueError(
          f"The model is conditioned on {mc.num_classes} classes but dataset "
          f"{info.name!r} has {info.num_classes}. Use num_classes <= "
          f"{info.num_classes} (0 for an unconditional model).")
    models_lib.build_models(mc)  # Raises for unsupported sizes.

  # ------------------------------------------------------------------ build
  def _build(self) -> None:
    c, mc = self.config, self.config.model
    with self.strategy.scope():
      self.generator, self.discriminator = models_lib.build_models(mc)
      z = tf.zeros([2, mc.z_dim])
      labels = tf.zeros([2], tf.int32)
      sample = self.generator(z, labels, training=False)
      self.discriminator(sample, labels if mc.num_classes else None,
                         training=False)
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
    dataset, _ = data_lib.make_dataset(
        c.dataset, c.split, c.batch_size, image_size=mc.image_size,
        channels=mc.channels, training=True, seed=c.seed,
        data_dir=c.data_dir, download=c.download)
    dataset = dataset.enumerate().map(_add_noise(c.seed, mc.z_dim))
    self.dataset = self.strategy.experimental_distribute_dataset(dataset)
    self.iterator = iter(self.dataset)
    tracked = dict(step=self.step, generator=self.generator,
                   discriminator=self.discriminator, objective=self.objective,
                   g_optimizer=self.g_optimizer, d_optimizer=self.d_optimizer)
    if c.deterministic:
      tracked["data"] = self.iterator
    self.checkpoint = tf.train.Checkpoint(**tracked)
    self.manager = tf.train.CheckpointManager(
        self.checkpoint, self.model_dir, max_to_keep=c.keep_checkpoints,
        checkpoint_name="ckpt")
    self._train_step = tf.function(self._train_step_fn)

  def _make_optimizer(self, lr: float, decay_steps: int):
    c = self.config
    schedule = lr
    if c.lr_decay == "linear":
      schedule = keras.optimizers.schedules.PolynomialDecay(
          lr, max(1, decay_steps), end_learning_rate=0.0, power=1.0)
    return keras.optimizers.Adam(schedule, beta_1=c.beta1, beta_2=c.beta2)

  # ------------------------------------------------------------------- step
  def _d_step(self, batch):
    scale = 1.0 / self.replicas
    fake = self.generator(batch["z"], batch["label"], training=True)
    with tf.GradientTape(persistent=self.combiner.persistent_tape) as tape:
      out = self.objective.discriminator_loss(self.discriminator, batch, fake)
    grads, extra = self.combiner.gradients(tape, out, self.d_vars, scale)
    del tape
    self.d_optimizer.apply_gradients(zip(grads, self.d_vars))
    logs = {"d_loss": out.total()}
    logs.update({f"d_{k}": v for k, v in out.terms.items()})
    logs.update({f"d/{k}": v for k, v in out.stats.items()})
    logs.update({f"d/{k}": v for k, v in extra.items()})
    return logs

  def _g_step(self, batch):
    scale = 1.0 / self.replicas
    with tf.GradientTape() as tape:
      fake = self.generator(batch["z_g"], batch["label"], training=True)
      out = self.objective.generator_loss(self.discriminator, batch, fake)
      loss = out.total() * scale
    grads = tape.gradient(loss, self.g_vars)
    self.g_optimizer.apply_gradients(zip(grads, self.g_vars))
    logs = {"g_loss": out.total()}
    logs.update({f"g_{k}": v for k, v in out.terms.items()})
    logs.update({f"g/{k}": v for k, v in out.stats.items()})
    return logs

  def _train_step_fn(self, iterator):
    for _ in range(self.config.d_steps):
      batch = next(iterator)
      d_logs = self.strategy.run(self._d_step, args=(batch,))
    g_logs = self.strategy.run(self._g_step, args=(batch,))
    self.step.assign_add(1)
    logs = {**d_logs, **g_logs}
    logs = {k: self.strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None)
            for k, v in logs.items()}
    for monitor in self.monitors:
      logs.update(monitor.update(self))
    return logs

  # ------------------------------------------------------------------- loop
  def restore(self) -> Optional[str]:
    """Restores the newest readable checkpoint; returns its path or None."""
    path = checkpoints.restore_latest(self.checkpoint, self.manager)
    if path:
      logging.info("Resumed from %s at step %d.", path, int(self.step))
    return path

  def train(self) -> TrainResult:
    """Trains up to config.max_steps G steps, resuming if possible."""
    c = self.config
    os.makedirs(self.model_dir, exist_ok=True)
    save_config(c, self.model_dir)
    self.restore()
    done_path = os.path.join(self.model_dir, DONE_FILE)
    if int(self.step) < c.max_steps and os.path.exists(done_path):
      os.remove(done_path)
    logging.info("Training %s for %d steps in %s (objective: %s, %d "
                 "replica(s), global batch %d).", c.model.architecture,
                 c.max_steps, self.model_dir, self.objective.describe(),
                 self.replicas, c.batch_size)
    writer = tf.summary.create_file_writer(
        os.path.join(self.model_dir, TRAIN_LOGS))
    for cb in self.callbacks:
      if hasattr(cb, "on_train_begin"):
        cb.on_train_begin(self)
    logs: dict[str, float] = {}
    interval_start, interval_steps = time.perf_counter(), 0
    with writer.as_default():
      while int(self.step) < c.max_steps:
        logs = {k: float(v) for k, v in self._train_step(self.iterator).items()}
        step = int(self.step)
        interval_steps += 1
        self._check_finite(step, logs)
        for cb in self.callbacks:
          if hasattr(cb, "on_step_end"):
            cb.on_step_end(self, step, logs)
        if step % c.summary_every == 0 or step == c.max_steps:
          rate = interval_steps / (time.perf_counter() - interval_start)
          self._write_scalars(step, logs, rate)
          interval_start, interval_steps = time.perf_counter(), 0
        if step % c.image_every == 0 or step == c.max_steps:
          self.write_samples(step)
        if step % c.save_every == 0 or step == c.max_steps:
          self.manager.save(checkpoint_number=step)
      writer.flush()
    step = int(self.step)
    if self.manager.latest_checkpoint is None or not self.manager.latest_checkpoint.endswith(f"-{step}"):
      self.manager.save(checkpoint_number=step)
    with open(done_path + ".tmp", "w") as f:
      json.dump({"step": step, "checkpoint": self.manager.latest_checkpoint}, f)
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
      tf.summary.scalar(f"train/{name}_learning_rate",
                        float(opt.learning_rate), step=step)
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

  def generate(self, z: tf.Tensor, labels: tf.Tensor) -> np.ndarray:
    """G(z, labels) in inference mode (no spectral-norm state updates)."""
    return self.generator(z, labels, training=False).numpy()

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
