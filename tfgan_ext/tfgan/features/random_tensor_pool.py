"""TF-GAN's `tensor_pool` (a history of generated samples: Shrivastava et
al., Zhu et al.'s CycleGAN) on TensorFlow 2.

Semantics as TF-GAN's: while the pool holds fewer than `pool_size` values,
each call stores its input and returns it; once full, each call takes a
random stored value out, stores its input in its place, and returns the
taken value with probability `pooling_probability`, else the input.

State in TF 2: TF-GAN keeps the values in a graph `RandomShuffleQueue`; here
they live in a `TensorPool` (not a TF-GAN name) passed as `pool=`, created
once: its variables (one [pool_size, ...] buffer per input tensor and a
count) are made on the first call, which fixes the input structure, shapes
(fully defined) and dtypes. Works eagerly and inside `tf.function`.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = ["tensor_pool"]
# Plain Python inside tf.function (no autograph conversion on first trace).
_no_autograph = tf.autograph.experimental.do_not_convert


class TensorPool(tf.Module):
  """The stored values of one `tensor_pool` (module docstring).

  Args:
    pool_size: capacity, >= 1.
    seed: optional seed for the choice of stored value and the coin flip
      (a `tf.random.Generator`); default the global generator.
    name: module name.
  """

  def __init__(self, pool_size: int = 50, seed: int | None = None,
               name: str = "tensor_pool"):
    super().__init__(name=name)
    if int(pool_size) < 1:
      raise InputError(f"A TensorPool needs pool_size >= 1; got {pool_size}.")
    self.pool_size = int(pool_size)
    self._rng = (tf.random.Generator.from_seed(seed) if seed is not None
                 else tf.random.Generator.from_non_deterministic_state())
    self._buffers = None
    self._count = tf.Variable(0, dtype=tf.int32, trainable=False,
                              name="count")

  @property
  def size(self) -> tf.Tensor:
    """How many values the pool holds."""
    return tf.convert_to_tensor(self._count)

  def _build(self, flat: list[tf.Tensor]) -> None:
    for value in flat:
      if not value.shape.is_fully_defined():
        raise InputError("tensor_pool needs fully defined input shapes; got "
                         f"{value.shape}.")
    self._buffers = [
        tf.Variable(tf.zeros([self.pool_size] + value.shape.as_list(),
                             value.dtype), trainable=False,
                    name=f"buffer_{i}")
        for i, value in enumerate(flat)]

  @_no_autograph
  def __call__(self, input_values: Any,
               pooling_probability: Any = 0.5) -> Any:
    """One pool step on `input_values` (a nest of tensors); returns a nest
    of the same structure."""
    flat = [tf.convert_to_tensor(v) for v in tf.nest.flatten(input_values)]
    if self._buffers is None:
      self._build(flat)
    if len(flat) != len(self._buffers):
      raise InputError("tensor_pool got a different input structure than on "
                       "its first call.")
    count = tf.convert_to_tensor(self._count)
    filling = count < self.pool_size
    # Filling: store at `count`. Full: swap with a random stored value.
    index = tf.where(filling, count, self._rng.uniform(
        [], 0, self.pool_size, dtype=tf.int32))
    use_pooled = tf.logical_and(
        tf.logical_not(filling),
        self._rng.uniform([], dtype=tf.float32) < tf.cast(
            pooling_probability, tf.float32))
    outputs = []
    for value, buffer in zip(flat, self._buffers):
      stored = buffer[index]
      buffer.scatter_nd_update([[index]], value[tf.newaxis])
      outputs.append(tf.where(use_pooled, stored, value))
    self._count.assign(tf.minimum(count + 1, self.pool_size))
    return tf.nest.pack_sequence_as(input_values, outputs)


@_no_autograph
def tensor_pool(input_values: Any, pool_size: int = 50,
                pooling_probability: Any = 0.5, name: str = "tensor_pool",
                pool: TensorPool | None = None) -> Any:
  """TF-GAN's `features.tensor_pool` (module docstring).

  Args:
    input_values: a nest of tensors (e.g. a generated batch).
    pool_size: capacity; 0 returns `input_values` unchanged.
    pooling_probability: probability of returning a stored value once full.
    name: ignored (the pool has its own name).
    pool: the `TensorPool` holding the values (not in TF-GAN); its
      pool_size must equal `pool_size`.
  Returns:
    A nest of `input_values`' structure.
  """
  del name
  pool_size = int(pool_size)
  if pool_size < 0:
    raise InputError("`pool_size` is negative.")
  if pool_size == 0:
    return input_values
  if pool is None:
    raise InputError(
        "tensor_pool needs its storage: pass pool=tfgan.features.TensorPool("
        "pool_size) created once (outside the training step); TF 2 has no "
        "graph queue to keep the values in.")
  if pool.pool_size != pool_size:
    raise InputError(f"pool_size {pool_size} differs from the pool's "
                     f"{pool.pool_size}.")
  return pool(input_values, pooling_probability)
