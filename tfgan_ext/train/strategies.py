"""tf.distribute strategies by name."""

from __future__ import annotations

import tensorflow as tf

STRATEGIES = ("default", "mirrored")


def make_strategy(name: str) -> tf.distribute.Strategy:
  """Returns the strategy for `name` ("default" = one device)."""
  if name == "default":
    return tf.distribute.get_strategy()
  if name == "mirrored":
    return tf.distribute.MirroredStrategy()
  raise ValueError(f"Unknown strategy {name!r}; choose one of {STRATEGIES}.")


def replica_batch_size(global_batch: int, strategy: tf.distribute.Strategy
                       ) -> int:
  """Per-replica batch; the global batch must divide evenly."""
  replicas = strategy.num_replicas_in_sync
  if global_batch % replicas:
    raise ValueError(
        f"batch_size {global_batch} is not divisible by the {replicas} "
        f"replicas of this strategy; use a multiple of {replicas}.")
  return global_batch // replicas
