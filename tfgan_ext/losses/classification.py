"""Auxiliary classifier losses: MHGAN's multi-hinge and ACGAN's cross-entropy.

MHGAN: Kavalerov et al., "A Multi-Class Hinge Loss for Conditional GANs"
(the Crammer-Singer multi-class hinge on D's class scores). ACGAN: Odena et
al., as TF-GAN's `acgan_discriminator_loss` / `acgan_generator_loss` (softmax
cross-entropy of the class logits).

`class_logits` is [B, K] (class scores C_k(x)), `labels` int class ids [B];
both may be TF tensors or NumPy arrays. Results are float32 batch means.
"""

from __future__ import annotations

import dataclasses
import types
from typing import Callable, Mapping

import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.losses import elementwise

TensorLike = tf.types.experimental.TensorLike


def multi_hinge_loss(class_logits: TensorLike, labels: TensorLike,
                     margin: float = 1.0) -> tf.Tensor:
  """Crammer-Singer loss, MHGAN eq. 4: mean max(0, m - C_y + max_{k!=y} C_k).

  Kavalerov et al.'s multi-hinge (MHGAN) auxiliary loss, used for D on real
  (and, in their public code, generated) images and for G on generated ones.

  Args:
    class_logits: class scores C(x), shape [B, K] with K >= 2.
    labels: int class ids y, shape [B], in [0, K).
    margin: m, default 1.0 (MHGAN's).
  Returns:
    A float32 scalar, the batch mean.
  """
  logits = tf.cast(tf.convert_to_tensor(class_logits), tf.float32)
  labels = tf.cast(tf.convert_to_tensor(labels), tf.int32)
  is_label = tf.one_hot(labels, tf.shape(logits)[-1], on_value=True,
                        off_value=False, dtype=tf.bool)
  true_score = tf.gather(logits, labels, axis=1, batch_dims=1)
  lowest = tf.fill(tf.shape(logits), logits.dtype.min)
  best_other = tf.reduce_max(tf.where(is_label, lowest, logits), axis=1)
  return tf.reduce_mean(tf.nn.relu(margin - true_score + best_other))


def acgan_loss(class_logits: TensorLike, labels: TensorLike) -> tf.Tensor:
  """ACGAN auxiliary loss: mean softmax cross-entropy of C(x) against y.

  Odena et al.'s auxiliary-classifier loss (TF-GAN's `acgan_*_loss` with
  one-hot targets, no label smoothing).

  Args:
    class_logits: class logits C(x), shape [B, K].
    labels: int class ids y, shape [B], in [0, K).
  Returns:
    A float32 scalar, the batch mean.
  """
  logits = tf.cast(tf.convert_to_tensor(class_logits), tf.float32)
  labels = tf.cast(tf.convert_to_tensor(labels), tf.int32)
  return tf.reduce_mean(elementwise.softmax_cross_entropy_terms(logits, labels))


@dataclasses.dataclass(frozen=True)
class ClassificationLoss:
  """A named auxiliary loss `fn(class_logits, labels) -> scalar`."""
  name: str
  fn: Callable[[TensorLike, TensorLike], tf.Tensor]


CLASSIFICATION_LOSSES: Mapping[str, ClassificationLoss] = (
    types.MappingProxyType({
        "multi_hinge": ClassificationLoss("multi_hinge", multi_hinge_loss),
        "acgan": ClassificationLoss("acgan", acgan_loss),
    }))


def get_classification_loss(name: str) -> ClassificationLoss:
  """Looks up `name` ("multi_hinge", "acgan") in CLASSIFICATION_LOSSES;
  ValueError lists the valid names."""
  try:
    return CLASSIFICATION_LOSSES[name]
  except (KeyError, TypeError):
    raise InputError(f"Unknown classification loss {name!r}; valid names: "
                     f"{sorted(CLASSIFICATION_LOSSES)}.") from None
