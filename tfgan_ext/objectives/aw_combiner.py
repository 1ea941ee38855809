"""aw-loss as a GradientCombiner: D's update is w_r g_r + w_f g_f + g_other.

`AngleProbeCombiner` is the same machinery with w_r = w_f = 1: the plain
GAN update, with the aw paper's Fig. 4 gradient angles logged.

g_r and g_f are the gradients of the "real" and "fake" terms, taken from one
persistent tape (the objective runs D on the two batches separately, so each
backward pass only visits its own half); w_r, w_f come from Algorithm 1
(`tfgan_ext.losses.aw`) on the gradients of all of D's variables and the mean sigmoid
scores s_r, s_f. Any other terms (aux classifier, penalty) are added with
weight 1.

Under a multi-replica strategy the three gradient lists and the scores are
all-reduced (SUM, then divided by the replica count, i.e. the global-batch
mean) before the weights are computed, so every replica picks the same case
and weights. The Keras optimizer sums gradients over replicas once more in
`apply_gradients`; to apply the mean exactly once, the returned gradients are
the reduced ones multiplied by `scale` = 1 / replicas.

A sparse `tf.IndexedSlices` gradient (an embedding table read by a gather)
is densified as soon as it is taken: the weights and angles need its norm
and dot products, and the all-reduce a dense tensor; the applied gradient of
such a variable is therefore dense (the same numbers as the sparse sum).
"""

from __future__ import annotations

import math
from typing import Sequence

import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.losses import aw
from tfgan_ext.objectives.base import (GradientCombiner, LossOutput, Objective,
                                       scale_gradients)
from tfgan_ext.tensor_utils import angle_between, to_dense

SPLIT_TERMS = ("real", "fake")


def _dense(grads: Sequence, variables: Sequence[tf.Variable]) -> list:
  """Dense tensors (IndexedSlices densified); a None gradient becomes zeros
  of the variable."""
  return [tf.zeros_like(v) if g is None else to_dense(g)
          for g, v in zip(grads, variables)]


def _all_reduce_mean(values: list) -> list:
  ctx = tf.distribute.get_replica_context()
  if ctx is None or ctx.num_replicas_in_sync == 1:
    return values
  summed = ctx.all_reduce(tf.distribute.ReduceOp.SUM, values)
  return [s / ctx.num_replicas_in_sync for s in summed]


def gradient_angles(g_real: Sequence[tf.Tensor], g_fake: Sequence[tf.Tensor],
                    applied: Sequence[tf.Tensor]) -> dict[str, tf.Tensor]:
  """The aw paper's Fig. 4 angles, in degrees, between the real-loss, the
  fake-loss and the applied D gradients (all of D's variables at once)."""
  degrees = 180.0 / math.pi
  return {
      "angle_real_fake": angle_between(g_real, g_fake) * degrees,
      "angle_real_applied": angle_between(g_real, applied) * degrees,
      "angle_fake_applied": angle_between(g_fake, applied) * degrees,
  }


class SplitGradientCombiner(GradientCombiner):
  """D's update w_r g_r + w_f g_f + g_other from separate real / fake
  gradients; subclasses choose the weights. Logs the Fig. 4 angles."""

  persistent_tape = True

  def check(self, objective: Objective) -> None:
    terms = tuple(objective.discriminator_terms)
    if not all(t in terms for t in SPLIT_TERMS):
      raise InputError(
          f"{self.flag} needs D's loss split into real and fake parts, but "
          f"{objective.describe()} has terms {list(terms)}. Drop {self.flag} "
          "or use an objective with real/fake parts.")

  flag = "this gradient combiner"

  def weights(self, g_real: list, g_fake: list, s_real: tf.Tensor,
              s_fake: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor,
                                          dict[str, tf.Tensor]]:
    """(w_real, w_fake, extra statistics) for the reduced gradients."""
    raise NotImplementedError

  def gradients(self, tape: tf.GradientTape, output: LossOutput,
                variables: Sequence[tf.Variable], scale: float
                ) -> tuple[list[tf.Tensor], dict[str, tf.Tensor]]:
    n = len(variables)
    others = [v for k, v in output.terms.items() if k not in SPLIT_TERMS]
    g_real = _dense(tape.gradient(output.terms["real"], variables), variables)
    g_fake = _dense(tape.gradient(output.terms["fake"], variables), variables)
    g_other = (_dense(tape.gradient(others, variables), variables) if others
               else [])
    reduced = _all_reduce_mean(g_real + g_fake + g_other
                               + [output.stats["s_real"],
                                  output.stats["s_fake"]])
    g_real, g_fake = reduced[:n], reduced[n:2 * n]
    g_other = reduced[2 * n:2 * n + len(g_other)]
    w_real, w_fake, stats = self.weights(g_real, g_fake, reduced[-2],
                                         reduced[-1])
    applied = aw.combine_gradients(g_real, g_fake, w_real, w_fake)
    if g_other:
      applied = [a + o for a, o in zip(applied, g_other)]
    stats = {**stats, **gradient_angles(g_real, g_fake, applied)}
    return scale_gradients(applied, scale), stats


class AwCombiner(SplitGradientCombiner):
  """Adaptive real/fake weights of the aw paper (Algorithm 1)."""

  flag = "--aw"

  def __init__(self, normalized: bool = True, **aw_kwargs):
    self.normalized = normalized
    self.aw_kwargs = aw_kwargs

  def describe(self) -> str:
    kind = "normalized" if self.normalized else "un-normalized"
    return f"aw-loss ({kind} Algorithm 1 weights on the real/fake terms)"

  def weights(self, g_real, g_fake, s_real, s_fake):
    w_real, w_fake, case = aw.aw_weights_and_case(
        g_real, g_fake, s_real, s_fake, normalized=self.normalized,
        **self.aw_kwargs)
    return w_real, w_fake, {"aw_w_real": w_real, "aw_w_fake": w_fake,
                            "aw_case": tf.cast(case, tf.float32)}


class AngleProbeCombiner(SplitGradientCombiner):
  """The plain sum (weights 1, 1), computed from separate real / fake
  gradients so that the Fig. 4 angles of an ordinary GAN can be logged."""

  flag = "--gradient_angles"

  def describe(self) -> str:
    return ("sum of the discriminator's loss terms (real / fake gradients "
            "taken apart to log their angles)")

  def weights(self, g_real, g_fake, s_real, s_fake):
    del g_real, g_fake, s_real, s_fake
    one = tf.constant(1.0)
    return one, one, {}
