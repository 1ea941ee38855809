"""Metrics of generated samples from a feature network's outputs.

All of them take NumPy outputs of the same network on generated and real
data, so Inception, a domain classifier or the 2-D mixture give the same
metrics; only the network differs.
"""

from __future__ import annotations

from typing import Callable, Mapping, Optional, Sequence

import numpy as np

from tfgan_ext.evaluation.sampling import latent_vectors, stream_outputs
from tfgan_ext.metrics import (activation_statistics,
                               frechet_distance_from_stats, inception_score,
                               intra_fid, james_stein_entropy,
                               kernel_inception_distance,
                               nearest_centroid_assignments)
from tfgan_ext.metrics.domain_networks import max_probability

__all__ = ["chunked_intra_fid", "fid_from_reference", "mode_diversity",
           "quality_score", "sample_accuracy", "score_and_spread"]


def score_and_spread(logits: np.ndarray, num_groups: int,
                     seed: int = 0) -> tuple[float, float]:
  """IS (or classifier score): mean and std over `num_groups` groups."""
  return inception_score(logits, num_groups, seed=seed)


def fid_from_reference(pool: np.ndarray, reference_stats) -> float:
  """Fréchet distance of all generated features to the real (mu, sigma)."""
  mu, sigma = activation_statistics(pool)
  return frechet_distance_from_stats(mu, sigma, *reference_stats)


def kid(pool: np.ndarray, reference_pool: np.ndarray,
        seed: int = 0) -> tuple[float, float]:
  """KID mean and std over 100 subsets of up to 1000 per side."""
  return kernel_inception_distance(pool, reference_pool, seed=seed)


def sample_accuracy(logits: np.ndarray, labels: np.ndarray) -> float:
  """Fraction of samples the network classifies as their conditioning label."""
  return float(np.mean(np.argmax(logits, axis=1) == labels))


def quality_score(network, outputs: Mapping[str, np.ndarray]) -> float:
  """SQD's Q: mean per-sample domain probability (the network's `quality`
  if it has one, else its largest softmax probability)."""
  if hasattr(network, "quality"):
    return float(np.mean(network.quality(outputs)))
  return float(np.mean(max_probability(outputs["logits"])))


def mode_diversity(pool: np.ndarray, centroids: np.ndarray
                   ) -> tuple[float, float]:
  """SQD's D: James-Stein entropy (nats) of nearest-centroid assignments,
  and its maximum log(num modes)."""
  assignments = nearest_centroid_assignments(pool, centroids)
  return (james_stein_entropy(assignments, len(centroids)),
          float(np.log(len(centroids))))


def within_class_spread(pool: np.ndarray, labels: np.ndarray,
                        real_pool: np.ndarray, real_labels: np.ndarray
                        ) -> tuple[float, dict[int, float]]:
  """Diversity inside each class: mean over classes k of
  tr Cov(generated features of k) / tr Cov(real features of k).

  1 means each class is as spread as the real one; it falls toward 0 as a
  class collapses onto fewer images. Classes with fewer than 2 samples on
  either side are skipped. Returns (mean ratio, {class: ratio}).
  """
  ratios = {}
  for k in np.unique(labels):
    gen, real = pool[labels == k], real_pool[real_labels == k]
    if len(gen) < 2 or len(real) < 2:
      continue
    real_spread = float(np.trace(np.atleast_2d(np.cov(real, rowvar=False))))
    if real_spread <= 0:
      continue
    ratios[int(k)] = float(
        np.trace(np.atleast_2d(np.cov(gen, rowvar=False)))) / real_spread
  if not ratios:
    raise ValueError("within_class_spread: no class has >= 2 samples on "
                     "both sides.")
  return float(np.mean(list(ratios.values()))), ratios


def chunked_intra_fid(generate: Callable, network, real_pool: np.ndarray,
                      real_labels: np.ndarray, classes: Sequence[int], *,
                      per_class: int, chunk: int, z_dim: int, seed: int,
                      batch_size: int,
                      progress: Optional[Callable[[int], None]] = None
                      ) -> tuple[float, dict[int, float]]:
  """Intra-FID over `classes`, generating `chunk` classes at a time.

  Each chunk's samples are conditioned on the chunk's own class ids (not
  ids shifted by the chunk's offset, the public MHGAN code's bug), with
  latent vectors seeded by (seed, chunk index).
  """
  classes = list(classes)
  per_class_fid: dict[int, float] = {}
  done = 0
  for index, start in enumerate(range(0, len(classes), chunk)):
    ids = np.asarray(classes[start:start + chunk], np.int32)
    labels = np.repeat(ids, per_class)
    z = latent_vectors(len(labels), z_dim, seed=seed + 1 + index)
    outputs = stream_outputs(generate, {"net": lambda x, y: network(x)},
                             labels, z, batch_size)["net"]
    _, part = intra_fid(real_pool, real_labels, outputs["pool"], labels,
                        classes=ids.tolist())
    per_class_fid.update(part)
    done += len(labels)
    if progress is not None:
      progress(done)
  return float(np.mean(list(per_class_fid.values()))), per_class_fid
