"""TF-GAN's streaming metrics in TensorFlow 2 (tensorflow_gan 2.1.0:
`classifier_score_streaming`, `classifier_score_from_logits_streaming`,
`frechet_classifier_distance_streaming`,
`frechet_classifier_distance_from_activations_streaming`).

TF-GAN builds these for TF 1 graphs: each call creates local variables and
returns `(value, update_op)`; `sess.run(update_op)` adds the batch the graph
feeds and returns the new value. It raises under eager execution. Here the
state lives in a `StreamingState` (a `tf.Module` holding float64 variables)
and:

* the update happens when the call executes: eagerly at the call, inside a
  `tf.function` each time the function runs;
* `update_op` is the metric over every batch added so far, this one included
  (a scalar tensor; TF-GAN's update op also evaluates to the updated value),
  and `value` is the same tensor;
* `state=` names the accumulator. Eagerly, leaving it out gives a fresh state
  (the value of this batch alone); inside a `tf.function` the state must be
  created outside and passed in (a function may not create variables on every
  trace). `state.result()` reads the value without adding a batch,
  `state.reset()` starts over.

Accumulation is exact for any batch sizes: counts, float64 means and
centred scatter matrices merged by Chan et al.'s pairwise update (Fréchet),
counts and float64 sums of p and p log p (classifier score). TF-GAN averages
per-batch means, which is exact only when every batch has the same size; on
equal batches the two agree. The Fréchet value is the library's
`tfgan_ext.metrics.frechet.frechet_distance_from_stats`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.metrics import frechet as library_frechet
from tfgan_ext.tfgan.eval import _adapt
from tfgan_ext.tfgan.eval import running

__all__ = [
    "StreamingState",
    "classifier_score_from_logits_streaming",
    "classifier_score_streaming",
    "frechet_classifier_distance_from_activations_streaming",
    "frechet_classifier_distance_streaming",
]


class StreamingState(tf.Module):
  """The variables of one streaming metric (float64, created on first use).

  Create it outside any `tf.function` and pass it as `state=` to one
  streaming function, batch after batch. One state serves one metric with one
  feature width; using it for another raises InputError.

  Attributes:
    metric: the name of the metric it accumulates (None before first use).
  """

  def __init__(self, name: Optional[str] = None):
    super().__init__(name=name)
    self.metric: Optional[str] = None
    self.slots: Dict[str, tf.Variable] = {}
    self._value_fn: Optional[Callable[[], tf.Tensor]] = None

  def _bind(self, metric: str, shapes: Dict[str, Sequence[int]],
            value_fn: Callable[[], tf.Tensor]) -> Dict[str, tf.Variable]:
    """The variables for `metric` with `shapes`, created at the first call."""
    if self.metric is None:
      with tf.init_scope():
        for key, shape in shapes.items():
          self.slots[key] = tf.Variable(tf.zeros(shape, tf.float64),
                                        trainable=False, name=key)
      self.metric = metric
      self._value_fn = value_fn
    elif self.metric != metric:
      raise InputError(f"This StreamingState accumulates {self.metric}; use "
                       f"a new StreamingState for {metric}.")
    for key, shape in shapes.items():
      if tuple(self.slots[key].shape) != tuple(shape):
        raise InputError(f"This StreamingState holds {key} of shape "
                         f"{tuple(self.slots[key].shape)}, the batch needs "
                         f"{tuple(shape)}: the feature width changed.")
    return self.slots

  def result(self) -> tf.Tensor:
    """The metric over the batches added so far (float64 scalar)."""
    if self._value_fn is None:
      raise InputError("This StreamingState has no batches yet.")
    return self._value_fn()

  def reset(self) -> None:
    """Zeroes the accumulators (keeps the metric and shapes)."""
    for variable in self.slots.values():
      variable.assign(tf.zeros_like(variable))


def _state_or_new(state: Optional[StreamingState],
                  function: str) -> StreamingState:
  if state is not None:
    if not isinstance(state, StreamingState):
      raise InputError(f"state must be a tfgan.eval.StreamingState, got "
                       f"{type(state).__name__}.")
    return state
  if tf.inside_function():
    raise InputError(
        f"{function} inside a tf.function needs its state created outside: "
        f"state = tfgan.eval.StreamingState() before the function, then "
        f"{function}(..., state=state) inside it (TF-GAN's local variables "
        f"do not exist in TF 2).")
  return StreamingState(name=function)


def _static_width(tensor: tf.Tensor, name: str) -> int:
  width = tensor.shape[-1]
  if width is None:
    raise InputError(f"{name} needs a known last dimension for its state "
                     f"variables, got shape {tensor.shape}.")
  return int(width)


# ----------------------------------------------------------------------------
# Fréchet distance.

def _add_moments(slots: Dict[str, tf.Variable], side: str,
                 x: tf.Tensor) -> None:
  """Merges the batch x [b, d] into count / mean / scatter of `side`."""
  count, mean, scatter = (slots[f"count{side}"], slots[f"mean{side}"],
                          slots[f"scatter{side}"])
  size = tf.cast(tf.shape(x)[0], tf.float64)
  batch_mean = tf.math.divide_no_nan(tf.reduce_sum(x, axis=0), size)
  centred = x - batch_mean
  total = count + size
  delta = batch_mean - mean
  weight = tf.math.divide_no_nan(count * size, total)
  scatter.assign_add(tf.matmul(centred, centred, transpose_a=True)
                     + weight * tf.tensordot(delta, delta, axes=0))
  mean.assign_add(delta * tf.math.divide_no_nan(size, total))
  count.assign(total)


def _frechet_value(slots: Dict[str, tf.Variable], dtype: tf.DType):
  def covariance(side):
    return tf.math.divide_no_nan(slots[f"scatter{side}"],
                                 slots[f"count{side}"] - 1.0)

  def from_stats(mu_a, sigma_a, mu_b, sigma_b):
    return (library_frechet.frechet_distance_from_stats(
        mu_a, sigma_a, mu_b, sigma_b),)

  (value,) = _adapt.numpy_call(
      from_stats, [slots["mean1"].read_value(), covariance("1"),
                   slots["mean2"].read_value(), covariance("2")],
      [tf.float64])
  return tf.cast(value, dtype)


@_adapt.not_converted
def frechet_classifier_distance_from_activations_streaming(
    activations1: Any, activations2: Any, *,
    state: Optional[StreamingState] = None) -> Tuple[tf.Tensor, tf.Tensor]:
  """Adds a batch of each activation set; the Fréchet distance so far.

  Args:
    activations1, activations2: float activations [b1, D], [b2, D] (D known).
    state: the accumulator (see the module docstring).

  Returns:
    (value, update_op): both the distance over all batches added, a scalar
    of activations1's dtype.
  """
  a = _adapt.activations_tensor(activations1, "activations1")
  b = _adapt.activations_tensor(activations2, "activations2")
  width = _static_width(a, "activations1")
  if _static_width(b, "activations2") != width:
    raise InputError(f"The activations differ in dimension: {a.shape} vs "
                     f"{b.shape}.")
  state = _state_or_new(state, "frechet_classifier_distance_streaming")
  shapes = {"count1": [], "mean1": [width], "scatter1": [width, width],
            "count2": [], "mean2": [width], "scatter2": [width, width]}
  slots = state._bind(  # pylint: disable=protected-access
      "frechet_classifier_distance", shapes,
      lambda: _frechet_value(state.slots, tf.float64))
  _add_moments(slots, "1", tf.cast(a, tf.float64))
  _add_moments(slots, "2", tf.cast(b, tf.float64))
  value = _frechet_value(slots, a.dtype)
  return value, value


def frechet_classifier_distance_streaming(
    input_tensor1: Any, input_tensor2: Any,
    classifier_fn: Callable[[tf.Tensor], tf.Tensor], num_batches: int = 1,
    *, state: Optional[StreamingState] = None
) -> Tuple[tf.Tensor, tf.Tensor]:
  """Streaming Fréchet distance of the classifier activations of two input
  batches; see `frechet_classifier_distance_from_activations_streaming`."""
  return frechet_classifier_distance_from_activations_streaming(
      running.run_classifier_fn(input_tensor1, classifier_fn, num_batches),
      running.run_classifier_fn(input_tensor2, classifier_fn, num_batches),
      state=state)


# ----------------------------------------------------------------------------
# Classifier score.

def _score_value(slots: Dict[str, tf.Variable], dtype: tf.DType):
  """exp(mean_x sum_y p log p - sum_y q log q), q the mean of p."""
  count = slots["count"].read_value()
  q = tf.math.divide_no_nan(slots["sum_p"].read_value(), count)
  log_score = (tf.math.divide_no_nan(slots["sum_plogp"].read_value(), count)
               - tf.reduce_sum(tf.math.xlogy(q, q)))
  return tf.cast(tf.exp(log_score), dtype)


@_adapt.not_converted
def classifier_score_from_logits_streaming(
    logits: Any, *, state: Optional[StreamingState] = None
) -> Tuple[tf.Tensor, tf.Tensor]:
  """Adds a batch of logits; the classifier score so far.

  Args:
    logits: float logits [b, K] (K known).
    state: the accumulator (see the module docstring).

  Returns:
    (value, update_op): both the score over all batches added, a scalar of
    the logits' dtype (computed in float64).
  """
  logits = _adapt.activations_tensor(logits, "logits")
  classes = _static_width(logits, "logits")
  state = _state_or_new(state, "classifier_score_streaming")
  slots = state._bind(  # pylint: disable=protected-access
      "classifier_score", {"count": [], "sum_p": [classes], "sum_plogp": []},
      lambda: _score_value(state.slots, tf.float64))
  log_p = tf.nn.log_softmax(tf.cast(logits, tf.float64))
  p = tf.exp(log_p)
  slots["sum_p"].assign_add(tf.reduce_sum(p, axis=0))
  slots["sum_plogp"].assign_add(tf.reduce_sum(tf.math.multiply_no_nan(log_p,
                                                                      p)))
  slots["count"].assign_add(tf.cast(tf.shape(logits)[0], tf.float64))
  value = _score_value(slots, logits.dtype)
  return value, value


def classifier_score_streaming(
    input_tensor: Any, classifier_fn: Callable[[tf.Tensor], tf.Tensor],
    num_batches: int = 1, *, state: Optional[StreamingState] = None
) -> Tuple[tf.Tensor, tf.Tensor]:
  """Streaming classifier score of the classifier logits of an input batch;
  see `classifier_score_from_logits_streaming`."""
  return classifier_score_from_logits_streaming(
      running.run_classifier_fn(input_tensor, classifier_fn, num_batches),
      state=state)
