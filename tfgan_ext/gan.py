"""`GAN`: a Keras model that trains your generator and discriminator.

keras.io's convention: build G and D, wrap them, `compile` with two
optimizers, `fit` on a `tf.data.Dataset`::

  gan = tfgan_ext.GAN(discriminator=d, generator=g, loss="hinge")
  gan.compile(d_optimizer=keras.optimizers.Adam(4e-4, beta_1=0.0),
              g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.0))
  gan.fit(dataset, epochs=10, callbacks=[...])

The objective options are `ObjectiveConfig`'s fields, with its defaults,
under the train binary's flag names (`loss`, `aux`, `aw`, `penalty`, ...):
one vocabulary for flags, configs and this class. `train_step` runs the
same `AdversarialStep` (D steps, then a G step) as the model_dir
`Trainer`, so the math is one implementation.

What the networks must be: `tfgan_ext.contract` (checked here, at
construction). The dataset yields images [B, ...], or (images, labels)
with labels int [B] (conditional models, `num_classes > 0`). Noise and
the labels of generated images are drawn inside the step from
(seed, step, replica, purpose) with stateless ops: every replica draws
its own, and a run restored from a checkpoint continues the same stream.
With `d_steps > 1`, each D step sees the same real batch with fresh noise
(as keras.io's WGAN-GP); the Trainer draws a new real batch per D step.

Under a `tf.distribute` strategy, build the networks and the GAN inside
`strategy.scope()` and call `fit` as usual: per-replica gradients are
scaled by 1 / replicas and summed by the optimizers.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional, Sequence

import keras
import numpy as np
import tensorflow as tf

from tfgan_ext import contract
from tfgan_ext.errors import InputError
from tfgan_ext.nn import precision as precision_lib
from tfgan_ext.tensor_utils import NonFiniteWeightsError
from tfgan_ext.objectives import (FAKE_LABEL, ObjectiveConfig, build_combiner,
                                  build_objective, validate_objective_config)
from tfgan_ext.train import ema as ema_lib
from tfgan_ext.train import loss_scale as loss_scale_lib
from tfgan_ext.train.step import FAKE_LABEL_G, AdversarialStep

__all__ = ["FAKE_LABEL_CHOICES", "GAN", "NonFiniteWeightsError"]

FAKE_LABEL_CHOICES = ("uniform", "real")
_OBJECTIVE_FIELDS = tuple(f.name for f in dataclasses.fields(ObjectiveConfig))


def objective_config(**options: Any) -> ObjectiveConfig:
  """An `ObjectiveConfig` from keyword options (the train flags' names);
  unknown names are an `InputError` listing the valid ones."""
  unknown = sorted(set(options) - set(_OBJECTIVE_FIELDS))
  if unknown:
    raise InputError(f"Unknown objective option(s) {unknown}; the options "
                     f"are {list(_OBJECTIVE_FIELDS)}.")
  config = ObjectiveConfig(**options)
  validate_objective_config(config)
  return config


def _keras_layers(obj: Any, seen: Optional[set] = None) -> list:
  """Keras layers held (directly or in nested objectives) by `obj`, so that
  the GAN's weights include an objective's own layers (an aux head)."""
  seen = set() if seen is None else seen
  found = []
  for value in vars(obj).values():
    if id(value) in seen:
      continue
    seen.add(id(value))
    if isinstance(value, keras.layers.Layer):
      found.append(value)
    elif isinstance(value, tf.Module):
      found.extend(_keras_layers(value, seen))
  return found


def _all_finite(variables: Sequence[tf.Variable]) -> tf.Tensor:
  values = [tf.convert_to_tensor(v) for v in variables]
  checks = [tf.reduce_all(tf.math.is_finite(v)) for v in values
            if v.dtype.is_floating]
  return tf.reduce_all(tf.stack(checks)) if checks else tf.constant(True)


class GAN(keras.Model):
  """A generator and a discriminator trained with one of the library's
  objectives through Keras' `fit`.

  Args:
    discriminator: the user's D (`tfgan_ext.contract`).
    generator: the user's G.
    latent_dim: noise size; None reads it from G's input shape.
    num_classes: 0 for an unconditional GAN; else the classes G and D are
      conditioned on (the dataset then yields (images, labels)).
    fake_labels: labels of generated images in a conditional GAN:
      "uniform" draws (TF-GAN) or "real" (the real batch's labels).
    seed: seeds the noise, the generated labels and the objective's own
      random numbers.
    **objective: `ObjectiveConfig` fields, e.g. loss="hinge",
      aux="multi_hinge", aw=True, penalty="gp", penalty_weight=10.0.

  Raises:
    InputError: unknown options, invalid combinations, networks that break
      the contract, or an objective this class cannot run (semi-supervised
      and energy objectives train with the model_dir Trainer).
  """

  def __init__(self, discriminator: Any, generator: Any,
               latent_dim: Optional[int] = None, num_classes: int = 0, *,
               fake_labels: str = "uniform", seed: int = 0,
               name: str = "gan", **objective: Any):
    super().__init__(name=name)
    config = objective_config(**objective)
    if fake_labels not in FAKE_LABEL_CHOICES:
      raise InputError(f"fake_labels must be one of {list(FAKE_LABEL_CHOICES)}"
                       f"; got {fake_labels!r}.")
    if config.ssl or config.energy != "none":
      raise InputError(
          "Semi-supervised (ssl) and energy (magan / ebgan) objectives need "
          "the model_dir Trainer (extra unlabelled data, per-epoch margin "
          "updates): use tfgan_ext.Trainer or the train binary.")
    spec = contract.check_networks(
        generator, discriminator, latent_dim=latent_dim,
        num_classes=num_classes, needs_features=config.has_aux_head)
    self.objective_config = config
    self.latent_dim = spec.latent_dim
    self.num_classes = spec.num_classes
    self.sample_shape = spec.sample_shape
    self.fake_labels = fake_labels
    self.seed = int(seed)
    self.generator = generator
    self.discriminator = discriminator
    self._g = contract.adapt_generator(generator, num_classes)
    self._d = contract.adapt_discriminator(discriminator, num_classes,
                                           spec.feature_dim)
    self.objective = build_objective(config, num_classes, seed=seed)
    if self.objective.requires_labels and num_classes < 1:
      raise InputError(
          f"{self.objective.describe()} needs class labels: pass "
          "num_classes > 0 and a dataset of (images, labels).")
    self.objective.build(self._d)
    if self.objective.callbacks():
      raise InputError(f"{self.objective.describe()} needs train-loop "
                       "callbacks: use tfgan_ext.Trainer.")
    self.combiner = build_combiner(config)
    self.combiner.check(self.objective)
    self.objective_layers = _keras_layers(self.objective)
    self.train_steps = keras.Variable(
        0, dtype="int64", trainable=False, name="train_steps",
        aggregation="only_first_replica")
    self._first_nonfinite = keras.Variable(
        -1, dtype="int64", trainable=False, name="first_nonfinite_step",
        aggregation="only_first_replica")
    self.ema_generator = None
    self.step_fn = None
    self.built = True  # check_networks built G and D (Keras callbacks ask).

  # --------------------------------------------------------------- compile
  def compile(self, d_optimizer: keras.optimizers.Optimizer,
              g_optimizer: keras.optimizers.Optimizer, *, d_steps: int = 1,
              ema_decay: float = 0.0, ema_start: int = 0,
              precision: str = "float32", **kwargs: Any) -> None:
    """Sets the optimizers and the step's options.

    Args:
      d_optimizer, g_optimizer: Keras optimizers (e.g. TF-GAN's SAGAN:
        Adam(4e-4, beta_1=0.0) and Adam(1e-4, beta_1=0.0)).
      d_steps: D updates per G update (>= 1).
      ema_decay: > 0 keeps `ema_generator`, an exponential moving average
        of G (`tfgan_ext.train.ema`); needs a G that
        `keras.models.clone_model` can copy. 0: none.
      ema_start: the G step from which the average moves (it copies G
        before).
      precision: "float32", "bfloat16" or "float16" (loss-scaled) compute
        type; variables stay float32.
      **kwargs: passed to `keras.Model.compile` (`steps_per_execution`,
        `jit_compile`, `run_eagerly`, ...). `loss` and `metrics` do not
        apply (the objective is the loss).
    """
    for key in ("loss", "metrics", "optimizer"):
      if key in kwargs:
        raise InputError(f"GAN.compile takes no {key!r}: the objective is "
                         "set in GAN(...), the optimizers as d_optimizer / "
                         "g_optimizer.")
    if int(d_steps) < 1:
      raise InputError(f"d_steps must be >= 1; got {d_steps}.")
    precision_lib.check_precision(precision)
    ema_lib.check_settings(ema_decay, ema_start)
    super().compile(**kwargs)
    self.d_steps = int(d_steps)
    self.precision = precision
    self.d_optimizer = d_optimizer
    self.g_optimizer = g_optimizer
    if precision != "float32":
      for net in (self.generator, self.discriminator):
        precision_lib.apply_precision(net, precision)
    g_vars = list(self.generator.trainable_variables)
    d_vars = (list(self.discriminator.trainable_variables)
              + list(self.objective.discriminator_variables))
    g_optimizer.build(g_vars)
    d_optimizer.build(d_vars)
    self.loss_scaling = (loss_scale_lib.LossScaling()
                         if precision == "float16" else None)
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    self.step_fn = AdversarialStep(
        self._g, self._d, self.objective, self.combiner, g_optimizer,
        d_optimizer, g_vars, d_vars, replicas=replicas,
        loss_scaling=self.loss_scaling)
    self._build_ema(ema_decay, ema_start)

  def _build_ema(self, decay: float, start: int) -> None:
    self.ema = None
    if decay <= 0:
      self.ema_generator = None
      return
    try:
      copy = keras.models.clone_model(self.generator)
    except Exception as err:  # pylint: disable=broad-except
      raise InputError(
          f"ema_decay > 0 keeps a copy of G made with keras.models."
          f"clone_model, which failed: {err}. Give the generator a "
          "get_config (or build it as a functional model), or drop "
          "ema_decay.") from err
    z = tf.zeros([2, self.latent_dim])
    contract.adapt_generator(copy, self.num_classes)(
        z, tf.zeros([2], tf.int32), training=False)
    if self.precision != "float32":
      precision_lib.apply_precision(copy, self.precision)
    self.ema_generator = copy
    self.ema = ema_lib.GeneratorAverage(self.generator, copy, decay, start)
    self.ema.copy()

  # ------------------------------------------------------------------ data
  def _unpack(self, data: Any) -> tuple[tf.Tensor, Optional[tf.Tensor]]:
    if isinstance(data, dict):
      images, labels = data.get("image"), data.get("label")
    elif isinstance(data, (tuple, list)):
      images = data[0]
      labels = data[1] if len(data) > 1 else None
    else:
      images, labels = data, None
    if images is None:
      raise InputError("The dataset must yield images, (images, labels) or "
                       "{'image': ..., 'label': ...}.")
    if self.num_classes > 0 and labels is None:
      raise InputError(
          f"This GAN is conditional ({self.num_classes} classes): the "
          "dataset must yield (images, labels) with int labels [B].")
    if labels is not None:
      labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
    return tf.cast(images, tf.float32), labels

  def _draws(self, purpose: int, batch_size: tf.Tensor):
    """Noise [B, latent_dim] and labels [B] for one purpose (D step i, or
    the G step), from (seed, step, replica, purpose)."""
    context = tf.distribute.get_replica_context()
    replica = (context.replica_id_in_sync_group if context is not None
               else 0)
    key = tf.stack([tf.constant(self.seed, tf.int64),
                    tf.convert_to_tensor(self.train_steps)])
    key = tf.random.experimental.stateless_fold_in(
        key, tf.cast(replica, tf.int64) * 1000 + purpose)
    z = tf.random.stateless_normal([batch_size, self.latent_dim], key)
    labels = tf.random.stateless_uniform(
        [batch_size], tf.random.experimental.stateless_fold_in(key, 7),
        minval=0, maxval=max(1, self.num_classes), dtype=tf.int32)
    return z, labels

  # ------------------------------------------------------------------ step
  def train_step(self, data: Any) -> dict[str, tf.Tensor]:
    """D steps then a G step on one batch (see the module docstring);
    returns the step's logs: d_loss, g_loss, their terms and statistics."""
    if self.step_fn is None:
      raise InputError("Call GAN.compile(d_optimizer=..., g_optimizer=...) "
                       "before fit.")
    images, labels = self._unpack(data)
    size = tf.shape(images)[0]
    if labels is None:
      labels = tf.zeros([size], tf.int32)
    batch = {"image": images, "label": labels}
    logs = {}
    for i in range(self.d_steps):
      z, drawn = self._draws(i, size)
      fake = drawn if (self.num_classes and self.fake_labels == "uniform") \
          else labels
      logs.update(self.step_fn.d_step({**batch, "z": z, FAKE_LABEL: fake}))
    z_g, drawn = self._draws(self.d_steps, size)
    fake_g = drawn if (self.num_classes and self.fake_labels == "uniform") \
        else labels
    logs.update(self.step_fn.g_step({**batch, "z_g": z_g,
                                     FAKE_LABEL_G: fake_g}))
    self.train_steps.assign_add(1)
    finite = _all_finite(self.step_fn.g_vars + self.step_fn.d_vars)
    self._first_nonfinite.assign(tf.where(
        tf.logical_and(tf.logical_not(finite), self._first_nonfinite < 0),
        tf.convert_to_tensor(self.train_steps),
        tf.convert_to_tensor(self._first_nonfinite)))
    if self.ema is not None:
      ema, step = self.ema, self.train_steps
      tf.distribute.get_replica_context().merge_call(
          lambda strategy: ema.update(tf.convert_to_tensor(step), strategy))
    return logs

  def fit(self, *args: Any, **kwargs: Any):
    """`keras.Model.fit`, with a guard that stops with
    `NonFiniteWeightsError` at the first batch after which a G or D weight
    is NaN or Inf (before any later callback sees the weights)."""
    callbacks = list(kwargs.pop("callbacks", None) or [])
    kwargs["callbacks"] = [_NonFiniteGuard()] + callbacks
    return super().fit(*args, **kwargs)

  # --------------------------------------------------------------- samples
  def generate(self, z: Any, labels: Any = None,
               use_ema: bool = True) -> tf.Tensor:
    """Samples [B, *sample_shape] for noise z [B, latent_dim] (and labels
    [B] int when conditional), in inference mode; from `ema_generator`
    when the GAN keeps one and `use_ema`."""
    z = tf.convert_to_tensor(z, tf.float32)
    if self.num_classes > 0:
      if labels is None:
        raise InputError("This GAN is conditional: pass labels [B].")
      labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
    net = (self.ema_generator if (use_ema and self.ema_generator is not None)
           else self.generator)
    out = contract.adapt_generator(net, self.num_classes)(
        z, labels, training=False)
    return tf.cast(out, tf.float32)

  def sample(self, count: int, labels: Any = None, seed: int = 0,
             use_ema: bool = True) -> np.ndarray:
    """`count` samples from fixed noise (a NumPy array); conditional GANs
    cycle through the classes unless `labels` are given."""
    rng = np.random.RandomState(seed)
    z = rng.randn(count, self.latent_dim).astype(np.float32)
    if self.num_classes > 0 and labels is None:
      labels = np.arange(count) % self.num_classes
    return self.generate(z, labels, use_ema=use_ema).numpy()

  def call(self, inputs: Any, training: bool = False):
    """G's samples for noise `inputs` (or [noise, labels]), so that the GAN
    can be called like a Keras model."""
    if isinstance(inputs, (tuple, list)):
      return self.generate(inputs[0], inputs[1])
    return self.generate(inputs)


class _NonFiniteGuard(keras.callbacks.Callback):
  """Raises NonFiniteWeightsError at the batch end after which GAN's
  weights hold NaN or Inf."""

  def on_train_batch_end(self, batch, logs=None):
    step = int(keras.ops.convert_to_numpy(self.model._first_nonfinite))  # pylint: disable=protected-access
    if step >= 0:
      raise NonFiniteWeightsError(
          f"A generator or discriminator weight became NaN or Inf at train "
          f"step {step}. Lower the learning rates, check the data, or "
          "restore the last good checkpoint (BackupAndRestore / "
          "ModelCheckpoint keep those written before this step).")
