"""Running a classifier over inputs in batches: TF-GAN's `run_classifier_fn`
and `sample_and_run_classifier_fn` (tensorflow_gan 2.1.0,
`tfgan.eval.classifier_metrics`).

TF-GAN runs the batches with `tf.map_fn(parallel_iterations=1)`, which needs
`dtypes` whenever the classifier's output differs from its input in structure
or dtype. Here the batches run in a Python loop, one after the other (inside
a traced function each batch's call waits for the previous batch's outputs,
so at most one batch is in flight, as with TF-GAN's map_fn); `dtypes` is
optional and, when given, the outputs are checked against its structure and
cast to its dtypes. Outputs are concatenated along axis 0.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence

import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = ["run_classifier_fn", "sample_and_run_classifier_fn",
           "split_batches"]


def split_batches(input_tensor: Any, num_batches: int) -> List[tf.Tensor]:
  """`input_tensor` cut into `num_batches` equal parts along axis 0."""
  if isinstance(num_batches, bool) or not isinstance(num_batches, int):
    raise InputError(f"num_batches must be a Python int, got "
                     f"{num_batches!r}.")
  if num_batches < 1:
    raise InputError(f"num_batches must be >= 1, got {num_batches}.")
  tensor = tf.convert_to_tensor(input_tensor)
  if tensor.shape.rank == 0:
    raise InputError("The classifier input must have a batch axis, got a "
                     "scalar.")
  size = tensor.shape[0] if tensor.shape.rank is not None else None
  if size is not None and size % num_batches:
    raise InputError(f"num_batches={num_batches} does not divide the "
                     f"{size} inputs; pass a divisor of {size}.")
  if num_batches == 1:
    return [tensor]
  return tf.split(tensor, num_or_size_splits=num_batches)


def _run_in_sequence(fn: Callable[[Any], Any],
                     inputs: Sequence[Any]) -> List[Any]:
  """[fn(x) for x in inputs], each call ordered after the previous outputs."""
  outputs: List[Any] = []
  for x in inputs:
    previous = tf.nest.flatten(outputs[-1]) if outputs else []
    with tf.control_dependencies(
        [] if tf.executing_eagerly() else previous):
      outputs.append(tf.nest.map_structure(tf.convert_to_tensor, fn(x)))
  return outputs


def _concat(outputs: Sequence[Any]) -> Any:
  return tf.nest.map_structure(lambda *parts: tf.concat(parts, 0), *outputs)


def _cast_to(outputs: Any, dtypes: Any) -> Any:
  if dtypes is None:
    return outputs
  try:
    tf.nest.assert_same_structure(outputs, dtypes)
  except (ValueError, TypeError) as err:
    raise InputError(f"dtypes must have the structure of the classifier's "
                     f"output: {err}") from None
  return tf.nest.map_structure(lambda x, d: tf.cast(x, d), outputs, dtypes)


def run_classifier_fn(input_tensor: Any,
                      classifier_fn: Callable[[tf.Tensor], Any],
                      num_batches: int = 1,
                      dtypes: Optional[Any] = None,
                      name: str = "RunClassifierFn") -> Any:
  """Runs `classifier_fn` over `input_tensor` in `num_batches` batches.

  Args:
    input_tensor: the inputs [N, ...].
    classifier_fn: one-argument function returning a tensor or a structure
      of tensors, each [batch, ...].
    num_batches: must divide N. With 1, the result is `classifier_fn`'s
      output as returned; otherwise the batches' outputs concatenated.
    dtypes: None or the output structure with dtypes (TF-GAN needs it for
      num_batches > 1; here it is optional and casts when given).
    name: name scope.

  Returns:
    The classifier's output(s) for all N inputs.
  """
  batches = split_batches(input_tensor, num_batches)
  with tf.name_scope(name):
    if num_batches == 1:
      return classifier_fn(batches[0])
    return _cast_to(_concat(_run_in_sequence(classifier_fn, batches)), dtypes)


def sample_and_run_classifier_fn(sample_fn: Callable[[Any], Any],
                                 sample_inputs: Sequence[Any],
                                 classifier_fn: Callable[[tf.Tensor], Any],
                                 dtypes: Optional[Any] = None,
                                 name: str = "SampleAndRunClassifierFn"
                                 ) -> Any:
  """classifier_fn(sample_fn(x)) for each x in `sample_inputs`, concatenated.

  Args:
    sample_fn: one-argument function returning a batch (e.g. a generator
      applied to noise).
    sample_inputs: a non-empty list of inputs to `sample_fn`, one per batch.
    classifier_fn: as in `run_classifier_fn`.
    dtypes: as in `run_classifier_fn`.
    name: name scope.

  Returns:
    With one sample input, the classifier's output as returned; otherwise the
    outputs concatenated along axis 0.
  """
  sample_inputs = list(sample_inputs)
  if not sample_inputs:
    raise InputError("sample_inputs is empty; pass a list with one input "
                     "per batch.")

  def sample_and_classify(x):
    return classifier_fn(sample_fn(x))

  with tf.name_scope(name):
    if len(sample_inputs) == 1:
      return sample_and_classify(sample_inputs[0])
    return _cast_to(_concat(_run_in_sequence(sample_and_classify,
                                             sample_inputs)), dtypes)
