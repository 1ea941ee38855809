"""How class-conditional a GAN is (MHGAN paper, section 3.2).

* validation accuracy: a classifier C on real validation images;
* self accuracy: C on G(z, y) against y;
* D real accuracy: the fraction of real (x, y) with D(x, y) > 0;
* projection accuracy: the projection "classification" argmax_k D(x, k).

C is the run's auxiliary classifier (the objective's head, or MHShared's
projection table) when it has one, given as `class_scores_fn(images) ->
[B, K]`. A run without one falls back to the projection classification,
and every result says which classifier it used.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Optional, Sequence

import numpy as np
import tensorflow as tf

__all__ = ["ClassScorer", "accuracy", "conditioning_on_real",
           "find_head_scorer", "projection_logits", "projection_scorer"]

PROJECTION = "projection"


@dataclasses.dataclass(frozen=True)
class ClassScorer:
  """images -> class scores [B, K], and what computes them."""
  fn: Callable[[tf.Tensor], tf.Tensor]
  source: str   # "aux_head", "shared_table" or "projection".


def accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
  """Fraction of rows of `scores` [n, K] whose argmax equals `labels` [n]."""
  scores, labels = np.asarray(scores), np.asarray(labels)
  if scores.ndim != 2 or labels.shape != (scores.shape[0],) or not len(labels):
    raise ValueError(f"Need scores [n, K] and labels [n] with n > 0; got "
                     f"{scores.shape} and {labels.shape}.")
  return float(np.mean(np.argmax(scores, axis=1) == labels))


def projection_logits(discriminator, images: tf.Tensor) -> tf.Tensor:
  """D(x, k) for every class k, [B, K], from one pass of x through D.

  A projection D is linear(h) + <h, E_y>, so D(x, k) = D(x, 0) - P_0 + P_k
  with P = `discriminator.class_scores(h)` = <h, E_k>.
  """
  anchor = tf.zeros([tf.shape(images)[0]], tf.int32)
  logits, features = discriminator(images, anchor, training=False)
  scores = discriminator.class_scores(features, training=False)
  return logits[:, None] - scores[:, :1] + scores


def _compiled(fn, sample_shape: Optional[Sequence[int]]):
  """tf.function of fn(images); one trace for any batch size when the
  sample shape is given."""
  if sample_shape is None:
    return tf.function(fn, reduce_retracing=True)
  spec = tf.TensorSpec([None, *sample_shape], tf.float32)
  return tf.function(fn, input_signature=[spec])


def projection_scorer(discriminator,
                      sample_shape: Optional[Sequence[int]] = None
                      ) -> ClassScorer:
  """The projection "classification" scores D(x, k) as a ClassScorer."""
  if getattr(discriminator, "num_classes", 0) < 1 or not hasattr(
      discriminator, "class_scores"):
    raise ValueError(
        f"{type(discriminator).__name__} is not a class-conditional "
        "projection discriminator: it has no projection classification.")
  return ClassScorer(_compiled(lambda x: projection_logits(discriminator, x),
                               sample_shape), PROJECTION)


def find_head_scorer(objective, discriminator,
                     sample_shape: Optional[Sequence[int]] = None
                     ) -> Optional[ClassScorer]:
  """The objective's auxiliary classifier, if it has one (wrappers such as a
  gradient penalty are looked through via `.inner`); else None."""
  while objective is not None and not hasattr(objective, "class_scores"):
    objective = getattr(objective, "inner", None)
  if objective is None:
    return None
  shared = bool(getattr(objective, "shared", False))
  if not shared and getattr(objective, "head", None) is None:
    return None

  def fn(images):
    features = discriminator.features(images, training=False)
    return objective.class_scores(discriminator, features, training=False)
  return ClassScorer(_compiled(fn, sample_shape),
                     "shared_table" if shared else "aux_head")


def _batches(n: int, batch_size: int):
  for start in range(0, n, batch_size):
    yield slice(start, min(start + batch_size, n))


def conditioning_on_real(discriminator, scorer: ClassScorer,
                         images: np.ndarray, labels: np.ndarray,
                         batch_size: int = 100,
                         projection: Optional[ClassScorer] = None
                         ) -> dict[str, float]:
  """Accuracies on real labelled images.

  Returns {"classifier_accuracy": argmax of `scorer` == y,
  "projection_accuracy": argmax_k D(x, k) == y,
  "d_real_accuracy": fraction of D(x, y) > 0}. `projection` is a ready
  `projection_scorer` (saves a trace).
  """
  if len(images) != len(labels) or not len(labels):
    raise ValueError(f"Need as many labels as images (> 0); got "
                     f"{len(images)} images and {len(labels)} labels.")
  projection = projection or projection_scorer(discriminator,
                                               images.shape[1:])
  scores, proj = [], []
  for part in _batches(len(images), batch_size):
    x = tf.constant(images[part])
    proj.append(np.asarray(projection.fn(x)))
    scores.append(proj[-1] if scorer.source == PROJECTION
                  else np.asarray(scorer.fn(x)))
  scores, proj = np.concatenate(scores), np.concatenate(proj)
  at_label = proj[np.arange(len(labels)), labels]
  return {"classifier_accuracy": accuracy(scores, labels),
          "projection_accuracy": accuracy(proj, labels),
          "d_real_accuracy": float(np.mean(at_label > 0.0))}
