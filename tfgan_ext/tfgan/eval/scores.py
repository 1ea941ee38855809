"""TF-GAN's `classifier_score` and `classifier_score_from_logits`
(tensorflow_gan 2.1.0, `tfgan.eval.classifier_metrics`; Salimans et al.
2016, https://arxiv.org/abs/1606.03498).

exp(E_x KL(p(y|x) || p(y))) over all samples in one split, in float64, cast
to the logits' dtype. The number comes from the library's
`tfgan_ext.metrics.inception_score` with `num_splits=1`; the adapter only
converts arguments and results.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import tensorflow as tf

from tfgan_ext.metrics.inception_score import (
    inception_score as library_inception_score)
from tfgan_ext.tfgan.eval import _adapt
from tfgan_ext.tfgan.eval import running

__all__ = ["classifier_score", "classifier_score_from_logits"]


def _score_of_logits(logits: np.ndarray):
  return (library_inception_score(logits, num_splits=1)[0],)


@_adapt.not_converted
def classifier_score_from_logits(logits: Any) -> tf.Tensor:
  """Classifier score of `logits` [N, num_classes].

  Args:
    logits: float logits (float16/32/64), a tensor or array.

  Returns:
    A scalar tensor of the logits' dtype (computed in float64).

  Raises:
    InputError: logits not 2-D or not float.
    ValueError: (when run) NaN or infinite logits.
  """
  logits = _adapt.activations_tensor(logits, "logits")
  (score,) = _adapt.numpy_call(_score_of_logits, [logits], [logits.dtype])
  return score


def classifier_score(input_tensor: Any,
                     classifier_fn: Callable[[tf.Tensor], tf.Tensor],
                     num_batches: int = 1) -> tf.Tensor:
  """Classifier score of the inputs under `classifier_fn`.

  Args:
    input_tensor: classifier inputs [N, ...].
    classifier_fn: one-argument function returning logits [batch, classes].
    num_batches: number of equal batches the inputs are run in (divides N).

  Returns:
    A scalar tensor of the classifier output's dtype.
  """
  return classifier_score_from_logits(
      running.run_classifier_fn(input_tensor, classifier_fn, num_batches))
