"""The interface between the generic train loop and whatever a run optimizes.

The train loop never names a loss. It asks an `Objective` for the
discriminator's and generator's loss terms, sums them (or lets a
`GradientCombiner` such as aw-loss weight them), and applies the gradients.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import tensorflow as tf

from tfgan_ext import tensor_utils

Batch = Mapping[str, tf.Tensor]  # "image", "label", FAKE_LABEL, "z", extras.
UNLABELLED_IMAGE = "unlabelled_image"  # Batch key of semi-supervised runs.
# Batch key of the classes the step's generated images were generated for
# (the train loop fills it for each D and G step; see `fake_labels`).
FAKE_LABEL = "fake_label"


def fake_labels(batch: Batch) -> tf.Tensor:
  """The labels G was given for this step's generated images.

  The train loop draws them independently of the real batch (or copies the
  real labels, as configured) and stores them under FAKE_LABEL; a batch
  built without that key (e.g. by hand) uses its real labels.
  """
  return batch[FAKE_LABEL] if FAKE_LABEL in batch else batch["label"]


@dataclasses.dataclass
class LossOutput:
  """Loss terms (summed into the loss) and statistics (logged only).

  Discriminator terms named "real" and "fake" are the two parts that
  aw-loss reweights; any other terms (aux classifier, penalty) are added
  with weight 1.
  """
  terms: dict[str, tf.Tensor]
  stats: dict[str, tf.Tensor] = dataclasses.field(default_factory=dict)

  def total(self) -> tf.Tensor:
    return tf.add_n(list(self.terms.values()))


class Objective(tf.Module):
  """Base class. Subclasses own any extra variables (heads, margins), which
  the trainer checkpoints and, when trainable, updates with D's optimizer."""

  #: Whether the objective needs class labels in the data.
  requires_labels: bool = False
  #: Whether batches must carry "unlabelled_image" (semi-supervised runs).
  requires_unlabelled: bool = False
  #: Names of the terms `discriminator_loss` returns ("real" and "fake" mark
  #: the two parts aw-loss reweights; such objectives also report the mean
  #: sigmoid scores as stats "s_real" and "s_fake").
  discriminator_terms: tuple[str, ...] = ()

  def discriminator_loss(self, discriminator, batch: Batch,
                         fake: tf.Tensor) -> LossOutput:
    raise NotImplementedError

  def generator_loss(self, discriminator, batch: Batch,
                     fake: tf.Tensor) -> LossOutput:
    raise NotImplementedError

  def build(self, discriminator) -> None:
    """Creates extra variables once D is built (called in strategy scope)."""

  @property
  def discriminator_variables(self) -> Sequence[tf.Variable]:
    """Extra trainable variables updated together with D's."""
    return []

  def callbacks(self) -> Sequence["object"]:
    """Train-loop callbacks the objective needs (e.g. per-epoch updates)."""
    return []

  def describe(self) -> str:
    """One line for the log saying exactly what is optimized."""
    return type(self).__name__


class GradientCombiner:
  """Turns D's loss terms into gradients. The default sums the terms."""

  persistent_tape = False

  def check(self, objective: Objective) -> None:
    """Raises ValueError if this combiner cannot work with `objective`."""
    del objective

  def describe(self) -> str:
    """One line for the log."""
    return "sum of the discriminator's loss terms"

  def gradients(self, tape: tf.GradientTape, output: LossOutput,
                variables: Sequence[tf.Variable], scale: float
                ) -> tuple[list[tf.Tensor], dict[str, tf.Tensor]]:
    """Returns (gradients, extra statistics); `scale` = 1 / replicas.

    `output` was computed under `tape`; arithmetic on it here would not be
    recorded, so the gradient of the sum is taken as the gradient of the
    list of terms (which TF sums) and the scale is applied to the gradients.
    A variable read through a gather (an embedding table) gets a sparse
    `tf.IndexedSlices` gradient, which stays sparse.
    """
    grads = tape.gradient(list(output.terms.values()), variables)
    return scale_gradients(grads, scale), {}


def scale_gradients(grads: Sequence[tensor_utils.Gradient | None],
                    scale: float) -> list:
  """Multiplies every (non-None) gradient by `scale`; an IndexedSlices
  gradient stays sparse (its values are scaled)."""
  return [tensor_utils.scale(g, scale) for g in grads]
