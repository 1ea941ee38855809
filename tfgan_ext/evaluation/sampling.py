"""Generating evaluation samples in batches and streaming them to consumers.

Samples are never all held in memory: each batch of G(z, y) is passed to
every consumer (a feature network, D's classifier, ...) and only the
consumers' outputs are kept.
"""

from __future__ import annotations

from typing import Callable, Mapping, Optional

import numpy as np
import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = ["NonFiniteSamplesError", "balanced_labels", "check_finite_samples",
           "generator_fn", "latent_vectors", "stream_outputs"]


class NonFiniteSamplesError(InputError, FloatingPointError):
  """The generator produced NaN or Inf values: nothing is computed or
  written from them."""


def check_finite_samples(samples: tf.Tensor, first: int = 0) -> None:
  """Raises NonFiniteSamplesError if floating-point `samples` (a batch whose
  first sample has index `first`) hold NaN or Inf."""
  samples = tf.convert_to_tensor(samples)
  if not samples.dtype.is_floating:
    return
  finite = tf.reshape(tf.math.is_finite(samples), [tf.shape(samples)[0], -1])
  per_sample = tf.reduce_all(finite, axis=1).numpy()
  if per_sample.all():
    return
  bad = np.flatnonzero(~per_sample)
  raise NonFiniteSamplesError(
      f"The generator produced NaN or infinite values ({len(bad)} of the "
      f"{len(per_sample)} samples {first}..{first + len(per_sample) - 1}, "
      f"first sample {first + int(bad[0])}): its weights are probably "
      "non-finite (the run diverged). Use an earlier checkpoint, or train "
      "again, e.g. with lower learning rates; no result is recorded.")

Consumer = Callable[[tf.Tensor, tf.Tensor], Mapping[str, tf.Tensor]]


def balanced_labels(num_samples: int, num_classes: int) -> np.ndarray:
  """Labels 0, 1, ..., K-1, 0, 1, ... (int32 [n]); zeros if unconditional.

  Every class gets floor(n / K) or one more sample.
  """
  if num_classes < 1:
    return np.zeros(num_samples, np.int32)
  return (np.arange(num_samples) % num_classes).astype(np.int32)


def latent_vectors(num_samples: int, z_dim: int, seed: int) -> np.ndarray:
  """Standard normal float32 [n, z_dim] from np.random.default_rng(seed)."""
  rng = np.random.default_rng(seed)
  return rng.standard_normal((num_samples, z_dim)).astype(np.float32)


def generator_fn(generator, z_dim: int
                 ) -> Callable[[tf.Tensor, tf.Tensor], tf.Tensor]:
  """Compiled G(z, labels) in inference mode (no spectral-norm state
  updates), traced once for any batch size."""
  @tf.function(input_signature=[tf.TensorSpec([None, z_dim], tf.float32),
                                tf.TensorSpec([None], tf.int32)])
  def generate(z, labels):
    return generator(z, labels, training=False)
  return generate


def stream_outputs(generate: Callable[[tf.Tensor, tf.Tensor], tf.Tensor],
                   consumers: Mapping[str, Consumer], labels: np.ndarray,
                   z: np.ndarray, batch_size: int,
                   progress: Optional[Callable[[int], None]] = None
                   ) -> dict[str, dict[str, np.ndarray]]:
  """Runs G batch by batch and hands each batch to every consumer.

  Args:
    generate: (z, labels) -> samples.
    consumers: name -> fn(samples, labels) -> dict of [B, ...] tensors.
    labels, z: int32 [n] and float32 [n, z_dim].
    progress: called with the number of samples done after each batch.

  Returns:
    name -> key -> the consumer's outputs for all n samples.

  Raises:
    NonFiniteSamplesError: a batch of samples holds NaN or Inf (before any
      consumer sees it).
  """
  if len(labels) != len(z):
    raise ValueError(f"{len(labels)} labels for {len(z)} latent vectors.")
  collected = {name: {} for name in consumers}
  for start in range(0, len(z), batch_size):
    z_batch = tf.constant(z[start:start + batch_size])
    y_batch = tf.constant(labels[start:start + batch_size])
    samples = generate(z_batch, y_batch)
    check_finite_samples(samples, start)
    for name, consumer in consumers.items():
      for key, value in consumer(samples, y_batch).items():
        collected[name].setdefault(key, []).append(np.asarray(value))
    if progress is not None:
      progress(min(start + batch_size, len(z)))
  return {name: {k: np.concatenate(v) for k, v in parts.items()}
          for name, parts in collected.items()}
