"""The model_dir Trainer: one run's networks, data, checkpoints and logs.

`Trainer(config, model_dir)` trains a library architecture on a named
dataset, as the train binary does; `Trainer(config, model_dir,
generator=G, discriminator=D, dataset=ds)` trains the caller's own networks
(Keras-contract or native, `tfgan_ext.contract`) and/or the caller's own
`tf.data.Dataset` of single examples, with the same checkpoints, exact
resume, logs and eval-job support. Either way `train()` leaves the same
model_dir (`tfgan_ext.workspace`).

It knows nothing of particular losses: an `Objective` supplies the loss
terms, a `GradientCombiner` turns D's terms into gradients, and
`train.step.AdversarialStep` (shared with `tfgan_ext.GAN`) applies them.
The jobs around it live in their own modules:

  checks.py       the inputs against each other (nothing written)
  resolve.py      the config's data- and network-dependent fields
  pipeline.py     the batch stream (noise, label share, exact resume)
  build.py        G, D and the EMA generator; optimizers.py their optimizers
  checkpoints.py  writing and restoring checkpoints; exports.py the
                  generator exports of "custom" runs
  finite.py       the NaN / Inf guard on losses and weights
  samples.py      sample grids
  hooks.py        callbacks, step monitors, StopTraining

Everything that can be wrong with the inputs is checked in
`Trainer.__init__` before anything is written to the model_dir.
"""

from __future__ import annotations

import dataclasses
import os
import time
from typing import Any, Optional, Sequence

from absl import logging
import keras
import numpy as np
import tensorflow as tf

from tfgan_ext import contract
from tfgan_ext import hparams
from tfgan_ext import workspace
from tfgan_ext.config import TrainConfig
from tfgan_ext.data.base import DatasetInfo
from tfgan_ext.errors import InputError
from tfgan_ext.nn import normalization
from tfgan_ext.objectives import (GradientCombiner, Objective, build_combiner,
                                  build_objective)
from tfgan_ext.tensor_utils import check_finite_weights
from tfgan_ext.train import build as build_lib
from tfgan_ext.train import checks, exports, finite, run_lock, warm_start
from tfgan_ext.train import ema as ema_lib
from tfgan_ext.train import loss_scale as loss_scale_lib
from tfgan_ext.train import samples as samples_lib
from tfgan_ext.train.checkpoints import CheckpointWriter, restore_latest
from tfgan_ext.train.hooks import Callback, StepMonitor, StopTraining
from tfgan_ext.train.optimizers import ADAM_EPSILON, OPTIMIZERS, make_optimizer
from tfgan_ext.train.pipeline import (FAKE_LABELS, InputPipeline, _add_noise,
                                      _in_labelled_share, describe_dataset)
from tfgan_ext.train.resolve import (CUSTOM_ARCHITECTURE, custom_data_config,
                                     custom_model_config, dataset_info_for,
                                     resolve_config)
from tfgan_ext.train.step import AdversarialStep
from tfgan_ext.train.strategies import (is_chief, make_strategy,
                                        replica_batch_size)

# Names other modules, tests and benchmarks import from here.
DONE_FILE = workspace.DONE_FILE
ensure_writable = checks.ensure_writable
NonFiniteError = finite.NonFiniteError
NonFiniteLossError = finite.NonFiniteLossError

__all__ = ["ADAM_EPSILON", "Callback", "DONE_FILE", "FAKE_LABELS",
           "NonFiniteError", "NonFiniteLossError", "OPTIMIZERS", "StepMonitor",
           "StopTraining", "TrainResult", "Trainer", "_add_noise",
           "_in_labelled_share", "ensure_writable", "resolve_config", "train"]


@dataclasses.dataclass
class TrainResult:
  """How `Trainer.train` ended.

  Attributes:
    step: the G step reached.
    logs: the last logged scalars (means over the last compiled call).
    checkpoint: the newest checkpoint's path.
    stopped_early: the reason when a callback ended the run with
      `StopTraining` (TRAINING_DONE records it too), else None.
  """
  step: int
  logs: dict[str, float]
  checkpoint: Optional[str]
  stopped_early: Optional[str] = None


class Trainer:
  """Owns networks, optimizers, data, checkpoints and summaries for one run.

  Args:
    config: the run's settings. Dataset-dependent fields are resolved here
      (`resolve.resolve_config`: num_classes=-1, the channels of point
      data); with the caller's networks or dataset, the model / dataset
      fields that config.json records are theirs (`resolve`'s docstring).
    model_dir: the run's directory (created; resumed when it has
      checkpoints).
    generator, discriminator: the caller's networks (both or neither):
      Keras-contract or native (`tfgan_ext.contract`), checked and built
      here (in the strategy's scope: under a distribution strategy, pass
      unbuilt models). config.model.num_classes says whether they are
      conditional (0: no); the noise size is read from G's input shape
      (else config.model.z_dim). Without them, config.model's architecture
      is built; architecture "custom" then is an error.
    dataset: the caller's `tf.data.Dataset` of single examples (images
      [H, W, C] in [-1, 1], or points [d]; alone or as (example, label)
      pairs); shuffled (seeded by config.seed), repeated, batched and
      positioned for resume like a named dataset. None reads
      config.dataset.
    objective, combiner: replace the ones config.objective builds.
    callbacks: `hooks.Callback`s, run on the host at loop boundaries.
    monitors: `hooks.StepMonitor`s, run inside the compiled step.

  Raises:
    UserError subclasses (InputError, UnwritableError, ...): bad inputs,
      before anything is written.
  """

  def __init__(self, config: TrainConfig, model_dir: str, *,
               generator: Any = None, discriminator: Any = None,
               dataset: Optional[tf.data.Dataset] = None,
               objective: Optional[Objective] = None,
               combiner: Optional[GradientCombiner] = None,
               callbacks: Sequence[Callback] = (),
               monitors: Sequence[StepMonitor] = ()):
    self.model_dir = model_dir
    # --- Validation: nothing is written before all of this passes. ---
    checks.ensure_writable(model_dir)
    checks.check_settings(config)
    user_networks = generator is not None or discriminator is not None
    if user_networks and (generator is None or discriminator is None):
      raise InputError("Pass both generator= and discriminator= (your own "
                       "networks), or neither (config.model's).")
    if not user_networks and config.model.architecture == CUSTOM_ARCHITECTURE:
      raise InputError(
          "config.model.architecture 'custom' is a run with your own "
          "networks: pass generator= and discriminator= to the Trainer.")
    self.strategy = make_strategy(config.strategy, tpu=config.tpu)
    self.is_chief = is_chief(self.strategy)
    if self.is_chief:  # Other workers share the chief's model_dir.
      run_lock.check_free(model_dir)  # A second train job stops here.
    self.replicas = self.strategy.num_replicas_in_sync
    checks.check_replicas(config, self.replicas)
    replica_batch_size(config.batch_size, self.strategy)
    self.info = self._data_info(config, dataset)
    config = resolve_config(config, self.info)
    if dataset is not None:
      config = custom_data_config(config, self.info)
    if config.deterministic:
      tf.config.experimental.enable_op_determinism()
      # Grappler's arithmetic optimizer rewrites float arithmetic of a
      # graph-loop body differently from a single step's (1-ulp changes),
      # so without this an N-step loop would not reproduce N single steps.
      tf.config.optimizer.set_experimental_options(
          {"arithmetic_optimization": False})
    keras.utils.set_random_seed(config.seed)
    self._feature_dim = 0
    if user_networks:
      config = self._check_user_networks(config, generator, discriminator)
    else:
      checks.check_data_matches_model(config, self.info)
    self.config = config
    workspace.check_resume_compatible(config, model_dir)
    workspace.check_checkpoint_index(model_dir)
    mc = config.model
    checks.check_label_share(config, self.info)
    self.objective = objective or build_objective(
        config.objective, mc.num_classes, seed=config.seed)
    checks.check_objective_data(config, self.objective, self.info)
    self.combiner = combiner or build_combiner(config.objective)
    self.combiner.check(self.objective)
    self.callbacks = list(self.objective.callbacks()) + list(callbacks)
    self.monitors = list(monitors)
    self.pipeline = InputPipeline(config, self.strategy, self.info, dataset)
    self._build(generator, discriminator)
    self.init_plan = None  # What init_from restores, if it applies.
    if config.init_from and not self.manager.checkpoints:
      self.init_plan = self._plan_warm_start()
    for cb in self.callbacks:
      if hasattr(cb, "check"):
        cb.check(self)

  # ------------------------------------------------------------ validation
  @staticmethod
  def _data_info(config: TrainConfig,
                 dataset: Optional[tf.data.Dataset]) -> DatasetInfo:
    if dataset is None:
      return dataset_info_for(config)
    return describe_dataset(dataset, config.model.num_classes)

  def _check_user_networks(self, config: TrainConfig, generator: Any,
                           discriminator: Any) -> TrainConfig:
    """Checks (and builds, in the strategy's scope) the caller's networks;
    returns `config` with the "custom" ModelConfig they imply."""
    latent_dim = contract.infer_latent_dim(generator) or config.model.z_dim
    with self.strategy.scope():
      spec = contract.check_networks(
          generator, discriminator, latent_dim=latent_dim,
          num_classes=config.model.num_classes,
          needs_features=config.objective.has_aux_head)
    checks.check_user_networks(config, spec.sample_shape, self.info,
                               spec.native_discriminator)
    if config.strategy != "default":
      self._check_variables_in_scope(config.strategy, generator,
                                     discriminator)
    self._feature_dim = spec.feature_dim
    return custom_model_config(config, spec)

  def _check_variables_in_scope(self, strategy: str, *networks: Any) -> None:
    """Under a distribution strategy, the caller's networks must have been
    built here, in its scope (their variables are then distributed)."""
    for net in networks:
      for v in net.variables:
        v = v.value if isinstance(v, keras.Variable) else v
        if not self.strategy.extended.variable_created_in_scope(v):
          raise InputError(
              f"The variables of {getattr(net, 'name', 'a network')!r} were "
              f"created before the Trainer made its {strategy!r} "
              "strategy (a functional model creates them at construction). "
              "Pass networks whose variables do not exist yet (a "
              "keras.Sequential without an Input, or a subclassed "
              "keras.Model): the Trainer builds them in the strategy's "
              "scope.")

  @property
  def custom(self) -> bool:
    """Whether the run trains the caller's networks (architecture
    "custom"): its checkpoints come with generator exports."""
    return self.config.model.architecture == CUSTOM_ARCHITECTURE

  # ----------------------------------------------------------------- build
  def _build(self, generator: Any, discriminator: Any) -> None:
    c = self.config
    with self.strategy.scope():
      nets = build_lib.build_networks(c, generator, discriminator,
                                      self._feature_dim)
      self.networks = nets
      self.generator_model = nets.generator_model
      self.discriminator_model = nets.discriminator_model
      self.generator, self.discriminator = nets.generator, nets.discriminator
      self.loss_scaling = (loss_scale_lib.LossScaling()
                           if c.precision == "float16" else None)
      self.objective.build(self.discriminator)
      self.g_optimizer = make_optimizer(c, c.g_lr, c.max_steps)
      self.d_optimizer = make_optimizer(c, c.d_lr, c.max_steps * c.d_steps)
      self.g_vars = list(self.generator_model.trainable_variables)
      self.d_vars = (list(self.discriminator_model.trainable_variables)
                     + list(self.objective.discriminator_variables))
      self.g_optimizer.build(self.g_vars)
      self.d_optimizer.build(self.d_vars)
      self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
      for monitor in self.monitors:
        monitor.build(self)
      # Built last, so the other networks' initial values are the same
      # with and without it.
      self.ema_generator_model, self.ema_generator = (
          build_lib.build_ema_generator(c, nets))
      self.ema = None
      if self.ema_generator_model is not None:
        self.ema = ema_lib.GeneratorAverage(
            self.generator_model, self.ema_generator_model, c.ema_decay,
            c.ema_start)
        self.ema.copy()
    self.step_fn = AdversarialStep(
        self.generator, self.discriminator, self.objective, self.combiner,
        self.g_optimizer, self.d_optimizer, self.g_vars, self.d_vars,
        replicas=self.replicas, loss_scaling=self.loss_scaling)
    self.dataset, self.iterator = self._make_iterator(start_batch=0)
    roots = dict(
        step=self.step, generator=self.generator_model,
        discriminator=self.discriminator_model, objective=self.objective,
        g_optimizer=self.g_optimizer, d_optimizer=self.d_optimizer)
    if self.ema is not None:
      roots[ema_lib.CHECKPOINT_KEY] = self.ema_generator_model
    self.checkpoint = tf.train.Checkpoint(**roots)
    saved = self.checkpoint
    if self.loss_scaling is not None:  # Restored apart: see restore().
      saved = tf.train.Checkpoint(**roots, **{
          loss_scale_lib.LossScaling.CHECKPOINT_KEY: self.loss_scaling})
    self.checkpoints = CheckpointWriter(
        saved, self.model_dir, c.keep_checkpoints, self.is_chief,
        before_save=self._export_generator if self.custom else None,
        after_save=self._prune_exports if self.custom else None)
    self.manager = self.checkpoints.manager
    self._weights = (list(self.generator_model.variables),
                     list(self.discriminator_model.variables))
    # XLA covers the per-replica step computations; next() stays outside.
    self._d_step_run = tf.function(self._d_step, jit_compile=True) \
        if c.jit_compile else self._d_step
    self._g_step_run = tf.function(self._g_step, jit_compile=True) \
        if c.jit_compile else self._g_step
    self._train_step = tf.function(self._train_step_fn)
    # The loop count is a tensor argument: one trace serves every call,
    # including a shorter last one.
    self._train_loop = tf.function(self._train_loop_fn)

  def _make_iterator(self, start_batch: int):
    """The distributed batch stream positioned at batch `start_batch`
    (`pipeline.InputPipeline.stream`)."""
    return self.pipeline.stream(start_batch)

  def training_images_once(self) -> tf.data.Dataset:
    """Batches of the images the training stream draws from, each example
    once, in order (`pipeline.InputPipeline.images_once`)."""
    return self.pipeline.images_once()

  def current_step(self) -> int:
    """The number of G steps taken (works for mirrored step variables)."""
    return int(self.step.numpy())

  # ------------------------------------------------------------ warm start
  def _warm_start_roots(self) -> dict[str, Any]:
    return dict(generator=self.generator_model,
                discriminator=self.discriminator_model,
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

  # ------------------------------------------------------------------ step
  def _d_step(self, batch):
    return self.step_fn.d_step(batch)

  def _g_step(self, batch):
    return self.step_fn.g_step(batch)

  def _step(self, iterator) -> dict[str, tf.Tensor]:
    """d_steps D updates (a fresh batch each) and a G update; the logs."""
    for _ in range(self.config.d_steps):
      batch = next(iterator)
      # G's batch-norm averages move in its own step only (as in TF-GAN).
      with normalization.moving_statistics_frozen(self.generator_model):
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

  def _train_step_fn(self, iterator):
    """One train step (compiled as `_train_step`): its logs and the
    weights' non-finite flags (`finite.WEIGHTS_NONFINITE`)."""
    logs = self._step(iterator)
    logs.update(finite.nonfinite_flags(*self._weights))
    return logs

  def _train_loop_fn(self, iterator, steps: tf.Tensor):
    """`steps` train steps in one call (a graph loop); returns each logged
    scalar's mean over those steps, and the weights' non-finite flags after
    the last. The structure of the logs comes from tracing the single step
    (no extra step runs)."""
    spec = self._train_step.get_concrete_function(iterator).structured_outputs
    flags = set(finite.WEIGHTS_NONFINITE.values())
    zeros = {k: tf.zeros(v.shape, v.dtype) for k, v in spec.items()
             if k not in flags}

    def body(i, sums):
      logs = self._step(iterator)
      return i + 1, {k: sums[k] + tf.cast(logs[k], sums[k].dtype)
                     for k in sums}

    _, sums = tf.while_loop(lambda i, _: i < steps, body,
                            (tf.constant(0, steps.dtype), zeros))
    logs = {k: v / tf.cast(steps, v.dtype) for k, v in sums.items()}
    logs.update(finite.nonfinite_flags(*self._weights))
    return logs

  def loop_periods(self) -> dict[str, int]:
    """summary_every, image_every and save_every rounded up to multiples of
    steps_per_loop (host work happens only at loop boundaries)."""
    c, n = self.config, self.config.steps_per_loop
    return {name: -(-max(1, getattr(c, name)) // n) * n
            for name in ("summary_every", "image_every", "save_every")}

  # ----------------------------------------------------------- checkpoints
  def restore(self) -> Optional[str]:
    """Restores the newest readable checkpoint; returns its path or None."""
    path = restore_latest(self.checkpoint, self.manager)
    if path:
      self._apply_learning_rates()  # The config's, which may have changed.
      step = self.current_step()
      logging.info("Resumed from %s at step %d.", path, step)
      start = step * self.config.d_steps
      if self.loss_scaling is not None:  # Skipped steps read batches too.
        start = self.loss_scaling.restore(path, start)
      self.dataset, self.iterator = self._make_iterator(start_batch=start)
    return path

  def _save(self, step: int) -> None:
    """Writes checkpoint ckpt-<step> (and, for a "custom" run, the
    generator export before it)."""
    self.checkpoints.save(step)

  def _export_generator(self, step: int) -> None:
    mc = self.config.model
    exports.export_for_checkpoint(
        self.sample_generator, self.model_dir, step, z_dim=mc.z_dim,
        num_classes=mc.num_classes, sample_shape=self.info.sample_shape,
        metadata=dict(
            checkpoint=os.path.join(self.model_dir, f"ckpt-{step}"),
            dataset=self.config.dataset, architecture=mc.architecture,
            ema=self.sample_generator is not self.generator))

  def _prune_exports(self, kept_steps: list[int]) -> None:
    exports.prune_exports(self.model_dir, kept_steps)

  def _save_final(self, step: int) -> None:
    """Makes sure the run ends with a checkpoint at `step` (and its
    export), after checking that the weights are finite."""
    latest = self.checkpoints.latest_step()
    if self.checkpoints.last_saved == step or latest == step:
      if (self.custom and self.is_chief
          and step not in workspace.generator_exports(self.model_dir)):
        self._export_generator(step)
      return
    flags = {k: float(v) for k, v in
             finite.nonfinite_flags(*self._weights).items()}
    finite.check(step, {}, finite.pop_flags(flags),
                 self.manager.latest_checkpoint)
    self._save(step)

  # ------------------------------------------------------------------ loop
  def train(self) -> TrainResult:
    """Trains up to config.max_steps G steps, resuming if possible. The
    chief holds the model_dir's lock (run_lock) until it returns or raises.

    Returns:
      A TrainResult; `stopped_early` is set when a callback raised
      StopTraining (the run then ends as a finished one: a checkpoint at
      the step and TRAINING_DONE with the reason).

    Raises:
      finite.NonFiniteError (also importable as NonFiniteLossError): a loss
        or weight became NaN or Inf; nothing was saved after it.
    """
    created = not os.path.lexists(self.model_dir)
    os.makedirs(self.model_dir, exist_ok=True)
    try:
      with run_lock.hold(self.model_dir, enabled=self.is_chief):
        return self._train()
    except BaseException:
      if created:  # Refused before writing anything: no empty run left.
        try:
          os.rmdir(self.model_dir)
        except OSError:
          pass  # Not empty: the run got as far as writing.
      raise

  def _train(self) -> TrainResult:
    c = self.config
    # Restored (read only) before config.json is written: a checkpoint that
    # cannot be used leaves the model_dir as it was.
    source = self.restore()
    if source is None and self.init_plan is not None:
      self._warm_start(self.init_plan)
      source = self.init_plan.path
    if source is not None:
      check_finite_weights(
          self._weights[0] + self._weights[1],
          f"the networks restored from {source}")
    if self.is_chief:
      workspace.save_config(c, self.model_dir)
    if self.is_chief and self.current_step() < c.max_steps:
      workspace.remove_training_done(self.model_dir)
    logging.info("Training %s for %d steps in %s (objective: %s; D "
                 "gradient: %s; %d replica(s), global batch %d).",
                 c.model.architecture, c.max_steps, self.model_dir,
                 self.objective.describe(), self.combiner.describe(),
                 self.replicas, c.batch_size)
    writer = (tf.summary.create_file_writer(
        workspace.train_logs_dir(self.model_dir)) if self.is_chief
              else tf.summary.create_noop_writer())
    if self.is_chief:
      hparams.write_train_session(c, self.model_dir, writer)
    for cb in self.callbacks:
      if hasattr(cb, "on_train_begin"):
        cb.on_train_begin(self)
    self._last_logs: dict[str, float] = {}
    stopped = None
    with writer.as_default():
      try:
        self._loop()
      except StopTraining as stop:
        stopped = stop
        logging.warning("%s", stop)
      writer.flush()
    step = self.current_step()
    self._save_final(step)
    self.checkpoints.close()
    latest = self.manager.latest_checkpoint
    if self.is_chief:
      workspace.write_training_done(
          self.model_dir, step, latest,
          stopped_early=stopped.reason if stopped else None)
    return TrainResult(step, self._last_logs, latest,
                       stopped.reason if stopped else None)

  def _loop(self) -> None:
    """The host loop: compiled calls until max_steps, with the finite
    check, callbacks, summaries, grids and checkpoints at loop
    boundaries."""
    c, n = self.config, self.config.steps_per_loop
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
      bad_networks = finite.pop_flags(logs)
      step = self.current_step()
      interval_steps += count
      finite.check(step, logs, bad_networks, self.manager.latest_checkpoint)
      self._last_logs = logs
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

  # --------------------------------------------------------------- samples
  def sample_inputs(self, per_class: int = 10, count: int = 64,
                    seed: int = 1234) -> tuple[tf.Tensor, tf.Tensor, int]:
    """Fixed (z, labels, rows) for sample grids (`samples.sample_inputs`)."""
    mc = self.config.model
    return samples_lib.sample_inputs(mc.num_classes, mc.z_dim, per_class,
                                     count, seed)

  @property
  def sample_generator(self) -> Any:
    """The generator of the sample grids and exports (native call): the
    EMA one when the run has it and config.use_ema, else G."""
    if self.ema_generator is not None and self.config.use_ema:
      return self.ema_generator
    return self.generator

  def generate(self, z: tf.Tensor, labels: tf.Tensor) -> np.ndarray:
    """`sample_generator`(z, labels) in inference mode (no spectral-norm or
    batch-norm state updates; batch-norm moments as config.bn_inference
    says)."""
    return np.asarray(self.sample_generator(z, labels, training=False))

  def write_samples(self, step: int) -> str:
    """Writes the sample grid (or scatter plot) PNG and a TensorBoard image."""
    mc = self.config.model
    return samples_lib.write_samples(
        self.generate, self.model_dir, step, is_image=self.info.is_image,
        z_dim=mc.z_dim, num_classes=mc.num_classes)


def train(config: TrainConfig, model_dir: str,
          callbacks: Sequence[Callback] = (), **kwargs: Any) -> TrainResult:
  """Builds a Trainer for `config` (keyword arguments as `Trainer`'s:
  generator, discriminator, dataset, ...) and runs it to config.max_steps."""
  return Trainer(config, model_dir, callbacks=callbacks, **kwargs).train()
