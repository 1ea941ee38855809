"""tf.distribute strategies by name, and batch arithmetic across replicas.

- `default`: one device.
- `mirrored`: every local GPU; on a machine without GPUs, every logical CPU
  device (split the CPU into N of them with `configure_cpu_devices(N)` before
  TensorFlow runs any op — the way to test multi-replica code on a laptop).
- `multi_worker`: MultiWorkerMirroredStrategy; the cluster comes from the
  TF_CONFIG environment variable of each worker process.
- `tpu`: TPUStrategy on the TPU named by `tpu` (a name, a grpc:// address,
  or "local" on a TPU VM).
"""

from __future__ import annotations

import json
import os
from typing import Optional

import tensorflow as tf

from tfgan_ext.config import STRATEGIES
from tfgan_ext.errors import InputError, UnavailableError



class StrategyUnavailableError(UnavailableError):
  """The requested strategy cannot be built on this machine."""


def configure_cpu_devices(count: int) -> None:
  """Splits the physical CPU into `count` logical devices.

  Must run before TensorFlow initializes its devices (before any op).
  """
  if count < 1:
    raise InputError(f"count must be >= 1; got {count}.")
  cpu = tf.config.list_physical_devices("CPU")[0]
  try:
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * count)
  except RuntimeError as err:
    raise RuntimeError(
        "configure_cpu_devices must be called before TensorFlow runs any "
        f"op ({err}).") from None


def check_cpu_devices(count: int, strategy: str) -> None:
  """Raises InputError unless `count` logical CPU devices (the train
  binary's --cpu_devices) make sense with `strategy`: at least 1, and more
  than 1 only for "mirrored" or "multi_worker" (the strategies that use
  several local devices; the others would leave all but one idle)."""
  if isinstance(count, bool) or not isinstance(count, int) or count < 1:
    raise InputError(f"--cpu_devices={count}: it is the number of logical "
                     "CPU devices, at least 1.")
  if count > 1 and strategy not in ("mirrored", "multi_worker"):
    raise InputError(f"--cpu_devices={count} splits the CPU into replicas "
                     "for --strategy=mirrored (or multi_worker); this run "
                     f"uses --strategy={strategy}. Add --strategy=mirrored "
                     "or drop --cpu_devices.")


_MIRRORED: dict = {}


def _mirrored() -> tf.distribute.Strategy:
  """One MirroredStrategy per process: several in one process would mix up
  their collective-op instance keys."""
  gpus = [d.name for d in tf.config.list_logical_devices("GPU")]
  devices = tuple(gpus or [d.name for d in
                           tf.config.list_logical_devices("CPU")])
  if devices not in _MIRRORED:
    _MIRRORED[devices] = tf.distribute.MirroredStrategy(devices=list(devices))
  return _MIRRORED[devices]


def _multi_worker() -> tf.distribute.Strategy:
  spec = os.environ.get("TF_CONFIG")
  if not spec:
    raise StrategyUnavailableError(
        "--strategy=multi_worker needs the TF_CONFIG environment variable on "
        "every worker, e.g. {\"cluster\": {\"worker\": [\"host1:port\", "
        "\"host2:port\"]}, \"task\": {\"type\": \"worker\", \"index\": 0}}.")
  try:
    json.loads(spec)
  except json.JSONDecodeError as err:
    raise StrategyUnavailableError(f"TF_CONFIG is not valid JSON: {err}.") \
        from None
  return tf.distribute.MultiWorkerMirroredStrategy()


def _tpu(tpu: Optional[str]) -> tf.distribute.Strategy:
  if not tpu:
    raise StrategyUnavailableError(
        "--strategy=tpu needs --tpu: the TPU name, a grpc:// address, or "
        "'local' on a TPU VM.")
  try:
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver(
        tpu="" if tpu == "local" else tpu)
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
  except (ValueError, RuntimeError, tf.errors.OpError) as err:
    raise StrategyUnavailableError(
        f"No TPU reachable as {tpu!r} ({type(err).__name__}: "
        f"{str(err).splitlines()[0][:200]}). Run on a TPU VM or pass the "
        "name of a TPU this machine can reach.") from None
  return tf.distribute.TPUStrategy(resolver)


def make_strategy(name: str, tpu: Optional[str] = None
                  ) -> tf.distribute.Strategy:
  """Returns the strategy for `name`; see the module docstring."""
  if name == "default":
    return tf.distribute.get_strategy()
  if name == "mirrored":
    return _mirrored()
  if name == "multi_worker":
    return _multi_worker()
  if name == "tpu":
    return _tpu(tpu)
  raise InputError(f"Unknown strategy {name!r}; choose one of {STRATEGIES}.")


def is_chief(strategy: tf.distribute.Strategy) -> bool:
  """Whether this process writes checkpoints and summaries."""
  resolver = getattr(strategy, "cluster_resolver", None)
  if resolver is None or not getattr(resolver, "task_type", None):
    return True
  if resolver.task_type == "chief":
    return True
  has_chief = "chief" in resolver.cluster_spec().as_dict()
  return (not has_chief and resolver.task_type == "worker"
          and resolver.task_id == 0)


def replica_batch_size(global_batch: int, strategy: tf.distribute.Strategy
                       ) -> int:
  """Per-replica batch; the global batch must divide evenly."""
  replicas = strategy.num_replicas_in_sync
  if global_batch % replicas:
    raise InputError(
        f"batch_size {global_batch} is not divisible by the {replicas} "
        f"replicas of this strategy; use a multiple of {replicas}.")
  return global_batch // replicas
