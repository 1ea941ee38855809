"""Shared pieces of the benchmarks: timing, matmul peak and step FLOPs."""

from __future__ import annotations

import time
from typing import Callable

import tensorflow as tf

from tfgan_ext.models import ModelConfig
from tfgan_ext.train.config import TrainConfig

# The train-step configs every speed benchmark measures.
CASES = {
    "demo (digits 16x16, width 32, batch 64)": TrainConfig(
        model=ModelConfig("sagan", 16, 1, 10, 64, 32, 32), dataset="digits",
        batch_size=64),
    "SAGAN 32x32, width 64, batch 64": TrainConfig(
        model=ModelConfig("sagan", 32, 3, 10, 128, 64, 64), dataset="digits",
        batch_size=64),
}


def best_time(fn: Callable[[], object], repeats: int, warmup: int = 1) -> float:
  """Median seconds per call of `fn` (which must block until done)."""
  for _ in range(warmup):
    fn()
  times = []
  for _ in range(repeats):
    start = time.perf_counter()
    fn()
    times.append(time.perf_counter() - start)
  times.sort()
  return times[len(times) // 2]


def matmul_flops_per_second(n: int = 2048, repeats: int = 5) -> float:
  """Measured dense float32 matmul FLOP/s of this machine (n x n x n)."""
  a = tf.random.normal([n, n])
  b = tf.random.normal([n, n])

  @tf.function
  def chain():
    x = a
    for _ in range(4):
      x = tf.matmul(x, b) * (1.0 / n)
    return tf.reduce_sum(x)

  seconds = best_time(lambda: float(chain()), repeats)
  return 4 * 2 * n ** 3 / seconds


def graph_flops(concrete_function) -> int:
  """Floating-point operations in a concrete function's graph, as counted by
  TF's profiler (ops with registered FLOP statistics: convolutions and their
  gradients, matmuls, element-wise arithmetic)."""
  from tensorflow.python.profiler import model_analyzer
  from tensorflow.python.profiler import option_builder
  opts = (option_builder.ProfileOptionBuilder(
      option_builder.ProfileOptionBuilder.float_operation())
          .with_empty_output().build())
  profile = model_analyzer.profile(graph=concrete_function.graph,
                                   options=opts)
  return int(profile.total_float_ops)
