"""One adversarial update: the D step and the G step, shared by every loop.

`AdversarialStep` is the only implementation of the step math. The
model_dir `Trainer` and the Keras `tfgan_ext.GAN` both call it, per replica:

  d_step(batch)  G(z, fake labels) -> fakes; the objective's D loss terms;
                 the combiner turns them into gradients (the plain sum, or
                 aw-loss's weights); D's optimizer applies them.
  g_step(batch)  G(z_g, fake labels for G) -> fakes; the objective's G loss;
                 G's optimizer applies its gradient.

A batch is a dict (see `objectives.base`): "image" [B, ...], "label" [B]
int, "z" [B, z_dim] and FAKE_LABEL [B] for the D step, "z_g" [B, z_dim] and
FAKE_LABEL_G [B] for the G step, plus objective extras ("unlabelled_image").

The step never names a loss: it sees only the `Objective` and
`GradientCombiner` interfaces. Under a `tf.distribute` strategy, each
replica's gradients are scaled by 1 / replicas before the optimizer sums
them over replicas (a mean over the global batch). With `loss_scaling`
(float16), gradients are taken through a loss-scaled tape and an update
whose gradients are not all finite is skipped.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

import tensorflow as tf

from tfgan_ext.objectives import FAKE_LABEL, GradientCombiner, Objective
from tfgan_ext.train import loss_scale as loss_scale_lib

__all__ = ["FAKE_LABEL_G", "AdversarialStep"]

FAKE_LABEL_G = "fake_label_g"  # The G step's labels; the D step's: FAKE_LABEL.


class AdversarialStep:
  """The D and G updates of one GAN (see the module docstring).

  Args:
    generator: callable `(z [B, z_dim], labels [B] int, training) -> fakes`.
    discriminator: callable `(images, labels or None, training) ->
      (logits [B], features [B, F])` (the native contract; user networks
      are adapted by `tfgan_ext.contract`).
    objective: what D and G minimize.
    combiner: how D's loss terms become gradients.
    g_optimizer, d_optimizer: Keras optimizers, built on the variables.
    g_vars, d_vars: the variables each optimizer updates (D's include the
      objective's own trainable variables, such as an aux head).
    replicas: replicas in sync; each replica's gradients are divided by it.
    loss_scaling: a `train.loss_scale.LossScaling` for float16, else None.
  """

  def __init__(self, generator: Callable, discriminator: Callable,
               objective: Objective, combiner: GradientCombiner,
               g_optimizer: Any, d_optimizer: Any,
               g_vars: Sequence[tf.Variable], d_vars: Sequence[tf.Variable],
               replicas: int = 1,
               loss_scaling: Optional[loss_scale_lib.LossScaling] = None):
    self.generator = generator
    self.discriminator = discriminator
    self.objective = objective
    self.combiner = combiner
    self.g_optimizer = g_optimizer
    self.d_optimizer = d_optimizer
    self.g_vars = list(g_vars)
    self.d_vars = list(d_vars)
    self.replicas = int(replicas)
    self.loss_scaling = loss_scaling

  def _apply_update(self, network: str, tape, compute_grads, variables):
    """Takes gradients with `compute_grads(tape)` -> (grads, stats) and
    applies them with `network`'s ("g" / "d") optimizer. Under float16 the
    tape is a loss-scaled view (gradients come back unscaled) and an update
    whose gradients are not all finite is skipped: its gradient statistics
    are logged as 0 and precision/{network}_skipped as 1."""
    optimizer = getattr(self, f"{network}_optimizer")
    if self.loss_scaling is None:
      grads, stats = compute_grads(tape)
      optimizer.apply_gradients(zip(grads, variables))
      return stats, {}
    loss_scale = getattr(self.loss_scaling, network)
    view = loss_scale_lib.ScaledTape(tape, loss_scale.scale)
    grads, stats = compute_grads(view)
    finite = view.finite() & loss_scale_lib.all_finite(grads)

    def apply():
      optimizer.apply_gradients(zip(grads, variables))
      return tf.constant(True)

    tf.cond(finite, apply, lambda: tf.constant(False))
    logs = {f"precision/{network}_loss_scale": tf.identity(loss_scale.scale),
            f"precision/{network}_skipped": 1.0 - tf.cast(finite, tf.float32)}
    loss_scale.update(finite)
    stats = {k: tf.where(finite, v, tf.zeros_like(v)) for k, v in stats.items()}
    return stats, logs

  def d_step(self, batch) -> dict[str, tf.Tensor]:
    """One D update on `batch` (per replica); returns its scalar logs:
    d_loss, d_<term> per loss term, d/<stat> per statistic."""
    scale = 1.0 / self.replicas
    fake = self.generator(batch["z"], batch[FAKE_LABEL], training=True)
    with tf.GradientTape(persistent=self.combiner.persistent_tape) as tape:
      out = self.objective.discriminator_loss(self.discriminator, batch, fake)
    extra, precision_logs = self._apply_update(
        "d", tape, lambda t: self.combiner.gradients(t, out, self.d_vars,
                                                     scale), self.d_vars)
    del tape
    logs = {"d_loss": out.total(), **precision_logs}
    logs.update({f"d_{k}": v for k, v in out.terms.items()})
    logs.update({f"d/{k}": v for k, v in out.stats.items()})
    logs.update({f"d/{k}": v for k, v in extra.items()})
    return logs

  def g_step(self, batch) -> dict[str, tf.Tensor]:
    """One G update on `batch` (per replica), with its "z_g" noise and
    FAKE_LABEL_G labels; returns g_loss, g_<term> and g/<stat> logs."""
    scale = 1.0 / self.replicas
    # The objective reads the labels of the fakes under FAKE_LABEL.
    batch = {**batch, FAKE_LABEL: batch[FAKE_LABEL_G]}
    with tf.GradientTape() as tape:
      fake = self.generator(batch["z_g"], batch[FAKE_LABEL], training=True)
      out = self.objective.generator_loss(self.discriminator, batch, fake)
      loss = out.total() * scale
    _, precision_logs = self._apply_update(
        "g", tape, lambda t: (t.gradient(loss, self.g_vars), {}), self.g_vars)
    logs = {"g_loss": out.total(), **precision_logs}
    logs.update({f"g_{k}": v for k, v in out.terms.items()})
    logs.update({f"g/{k}": v for k, v in out.stats.items()})
    return logs
