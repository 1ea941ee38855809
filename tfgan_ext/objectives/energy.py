"""Energy-based objectives with an auto-encoder D: MAGAN and EBGAN.

Energy E(x) = per-sample sum of squared reconstruction errors (D's `energy`
method). L_D = mean E(x) + mean max(0, m - E(G(z))) (terms "real", "fake"),
L_G = mean E(G(z)).

* EBGAN keeps the margin m fixed.
* MAGAN pre-trains D for `pretrain_epochs` epochs with m = 0 while G is
  frozen (its loss is multiplied by 0, so Adam/Adamax leave it unchanged),
  then sets m to the mean real energy of one extra pass over the training
  data with the pre-trained D and no updates (as MAGAN's public code), and
  at every later epoch end applies `tfgan_ext.losses.magan.update_margin`.

The pass reads every training example once from a separate finite pipeline
(`Trainer.training_images_once`), so the training stream's position is
unaffected, and runs D with training=False: the pass must not change D, and
inference mode leaves all of its state alone (spectral-norm vectors,
BatchNorm moving statistics or dropout RNG, should an auto-encoder have
them; the ones here have none, so their energies are the same in either
mode). The mean is over examples (a partial last batch counts per example).

An epoch is floor(dataset examples / (batch size x D steps)) G steps. Epoch
means are accumulated from the step logs (real energy from the D step, fake
energy from the G step, as in MAGAN's Algorithm 1) in variables of this
objective, so a resumed run continues the same epoch.
"""

from __future__ import annotations

import math
from typing import Callable, Optional

from absl import logging
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.losses import magan
from tfgan_ext.objectives.base import Batch, LossOutput, Objective

REAL_LOG = "d/energy_real"
FAKE_LOG = "g/energy_fake"


class EnergyObjective(Objective):
  """MAGAN (`adaptive=True`) or EBGAN (fixed `margin`); see the module."""

  discriminator_terms = ("real", "fake")

  def __init__(self, adaptive: bool, margin: float = 10.0,
               pretrain_epochs: int = 2, name: str = "objective"):
    super().__init__(name=name)
    if adaptive and pretrain_epochs < 1:
      raise InputError("MAGAN sets its first margin from pre-training: use "
                       f"pretrain_epochs >= 1 (got {pretrain_epochs}).")
    if not adaptive and margin <= 0:
      raise InputError(f"EBGAN needs a margin > 0; got {margin}.")
    self.adaptive = adaptive
    self.initial_margin = 0.0 if adaptive else float(margin)
    self.pretrain_epochs = pretrain_epochs if adaptive else 0
    self.margin = None  # Variables are created in build().

  def build(self, discriminator) -> None:
    if not hasattr(discriminator, "energy"):
      raise InputError(
          f"{self.describe()} needs an auto-encoder discriminator with an "
          f"`energy` method; {type(discriminator).__name__} has none. Use "
          "--architecture ae_mlp or ae_conv.")
    if self.margin is None:
      def var(value, dtype=tf.float32, name=None):
        return tf.Variable(value, dtype=dtype, trainable=False, name=name)
      self.margin = var(self.initial_margin, name="margin")
      self.epoch = var(0, tf.int64, name="epoch")  # Completed epochs.
      self.prev_fake_energy = var(math.inf, name="prev_fake_energy")
      self.real_sum = var(0.0, tf.float64, name="real_sum")
      self.fake_sum = var(0.0, tf.float64, name="fake_sum")
      self.count = var(0, tf.int64, name="count")

  def generator_active(self) -> tf.Tensor:
    """1.0 once pre-training is over, else 0.0."""
    return tf.cast(self.epoch >= self.pretrain_epochs, tf.float32)

  def discriminator_loss(self, discriminator, batch: Batch,
                         fake: tf.Tensor) -> LossOutput:
    e_real = discriminator.energy(batch["image"], training=True)
    e_fake = discriminator.energy(fake, training=True)
    loss_real, loss_fake = magan.magan_discriminator_loss(e_real, e_fake,
                                                          self.margin)
    return LossOutput(
        terms={"real": loss_real, "fake": loss_fake},
        stats={"energy_real": tf.reduce_mean(e_real),
               "energy_fake": tf.reduce_mean(e_fake),
               "margin": tf.identity(self.margin),
               "s_real": tf.reduce_mean(tf.sigmoid(-e_real)),
               "s_fake": tf.reduce_mean(tf.sigmoid(-e_fake))})

  def generator_loss(self, discriminator, batch: Batch,
                     fake: tf.Tensor) -> LossOutput:
    e_fake = discriminator.energy(fake, training=True)
    loss = magan.magan_generator_loss(e_fake) * self.generator_active()
    return LossOutput(terms={"energy": loss},
                      stats={"energy_fake": tf.reduce_mean(e_fake)})

  # ---------------------------------------------------------- epoch updates
  def accumulate(self, real_energy: float, fake_energy: float) -> None:
    """Adds one step's mean energies to the running epoch sums."""
    self.real_sum.assign_add(real_energy)
    self.fake_sum.assign_add(fake_energy)
    self.count.assign_add(1)

  @staticmethod
  def mean_energy(discriminator, images: tf.data.Dataset) -> float:
    """Mean per-example energy of `discriminator` over a finite dataset of
    image batches, with training=False (no state changes)."""
    @tf.function
    def batch_sum(x):
      energy = discriminator.energy(x, training=False)
      return tf.reduce_sum(tf.cast(energy, tf.float64)), tf.size(energy)

    total, count = 0.0, 0
    for x in images:
      s, n = batch_sum(x)
      total, count = total + float(s), count + int(n)
    if not count:
      raise ValueError("The pass over the training data read no examples.")
    return total / count

  def end_epoch(self, real_energy_pass: Optional[Callable[[], float]] = None
                ) -> dict[str, float]:
    """Applies the epoch-end rule; returns the epoch's logged values.

    `real_energy_pass()` gives the mean real energy of a pass over the
    training data; MAGAN calls it once, at the end of pre-training, for the
    first margin.
    """
    count = max(1, int(self.count))
    e_real = float(self.real_sum) / count
    e_fake = float(self.fake_sum) / count
    self.epoch.assign_add(1)
    epoch = int(self.epoch)
    if self.adaptive and epoch == self.pretrain_epochs:
      if real_energy_pass is None:
        raise ValueError("MAGAN's first margin needs real_energy_pass, the "
                         "mean real energy of a pass over the training data.")
      first = float(real_energy_pass())
      logging.info("MAGAN's first margin: mean real energy %.6g over a pass "
                   "through the training data after pre-training (the "
                   "energies logged while D trained averaged %.6g).", first,
                   e_real)
      self.margin.assign(first)
      self.prev_fake_energy.assign(math.inf)
    elif self.adaptive and epoch > self.pretrain_epochs:
      self.margin.assign(magan.update_margin(
          self.margin, e_real, e_fake, self.prev_fake_energy))
      self.prev_fake_energy.assign(e_fake)
    self.real_sum.assign(0.0)
    self.fake_sum.assign(0.0)
    self.count.assign(0)
    return {"energy/margin": float(self.margin),
            "energy/epoch_real": e_real, "energy/epoch_fake": e_fake,
            "energy/convergence": float(magan.convergence_measure(e_real,
                                                                  e_fake)),
            "energy/epoch": float(epoch)}

  def callbacks(self):
    return [EpochCallback(self)]

  def describe(self) -> str:
    if self.adaptive:
      return (f"MAGAN energy loss (margin adapted per epoch after "
              f"{self.pretrain_epochs} pre-training epochs with m = 0; first "
              "margin from a pass over the training data)")
    return f"EBGAN energy loss (fixed margin {self.initial_margin:g})"


class EpochCallback:
  """Feeds step energies to an EnergyObjective and ends its epochs."""

  def __init__(self, objective: EnergyObjective):
    self.objective = objective
    self.steps_per_epoch = None

  def check(self, trainer) -> None:
    """Fails before training when the data has no epoch length."""
    n = trainer.info.num_examples
    if not n:
      raise InputError(
          f"{self.objective.describe()} works in epochs, but dataset "
          f"{trainer.config.dataset!r} is an endless sampler. Use a finite "
          "dataset.")
    c = trainer.config
    if c.steps_per_loop > 1:
      raise InputError(
          f"{self.objective.describe()} needs every step's energies and ends "
          f"epochs at exact steps; steps_per_loop={c.steps_per_loop} fetches "
          "only loop means. Use --steps_per_loop=1.")
    self.steps_per_epoch = max(1, n // (c.batch_size * c.d_steps))

  def on_train_begin(self, trainer) -> None:
    self.check(trainer)

  def on_step_end(self, trainer, step: int, logs: dict[str, float]) -> None:
    self.objective.accumulate(logs[REAL_LOG], logs[FAKE_LOG])
    if step % self.steps_per_epoch == 0:
      values = self.objective.end_epoch(
          lambda: self.objective.mean_energy(trainer.discriminator,
                                             trainer.training_images_once()))
      for name, value in values.items():
        tf.summary.scalar(name, value, step=step)
      logging.info("Epoch %d ended at step %d: %s", values["energy/epoch"],
                   step, ", ".join(f"{k.split('/')[1]}={v:.4g}"
                                   for k, v in values.items()))
