"""2-D Gaussian mixtures used in the papers: rings of 8 and a 5x5 grid.

`ring8`: the aw paper's (Sec. 5.3) eight Gaussians on the unit circle;
`ring8_r2`: the unrolled-GAN paper's (Metz et al. 2017, appendix) eight on a
circle of radius 2; both with per-axis std 0.02. `grid25`: SQD's 5x5 grid.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from tfgan_ext.data.base import DatasetInfo
from tfgan_ext.errors import InputError

RING_RADIUS = 1.0   # aw paper 5.3: eight Gaussians on the unit circle.
RING_STD = 0.02
RING_RADII = {"ring8": RING_RADIUS, "ring8_r2": 2.0}
GRID_SPACING = 2.0  # Centres at {-4, -2, 0, 2, 4}^2.
GRID_STD = 0.05
NUM_TEST = 10_000
MIXTURES = (*RING_RADII, "grid25")


def mixture_centers(name: str) -> tuple[np.ndarray, float]:
  """Returns (centres [modes, 2], per-axis standard deviation)."""
  if name in RING_RADII:
    angles = 2 * np.pi * np.arange(8) / 8
    return (RING_RADII[name] * np.stack([np.cos(angles), np.sin(angles)], 1),
            RING_STD)
  if name == "grid25":
    ticks = GRID_SPACING * (np.arange(5) - 2)
    xs, ys = np.meshgrid(ticks, ticks, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], 1), GRID_STD
  raise InputError(f"Unknown mixture {name!r}; use one of {MIXTURES}.")


def sample_mixture(name: str, n: int, seed: int
                   ) -> tuple[np.ndarray, np.ndarray]:
  """n points (float32 [n, 2]) and their mode ids, modes chosen uniformly."""
  centers, std = mixture_centers(name)
  rng = np.random.RandomState(seed)
  modes = rng.randint(len(centers), size=n).astype(np.int32)
  points = centers[modes] + std * rng.randn(n, 2)
  return points.astype(np.float32), modes


def mixture_source(name: str, split: str, seed: int
                   ) -> tuple[tf.data.Dataset, DatasetInfo]:
  """Endless fresh samples for 'train'; a fixed set of 10,000 for 'test'."""
  centers, _ = mixture_centers(name)
  if split == "train":
    # Chunks of fresh points from a stateless RNG keyed by (seed, chunk
    # index): repeatable, and the iterator position can be checkpointed.
    chunk = 1024
    table = tf.constant(centers, tf.float32)
    _, std = mixture_centers(name)

    def make_chunk(index):
      key = tf.stack([tf.cast(seed, tf.int64), index])
      modes = tf.random.stateless_uniform([chunk], key, 0, len(centers),
                                          dtype=tf.int32)
      noise = tf.random.stateless_normal([chunk, 2], key + [0, 1 << 40])
      return tf.gather(table, modes) + std * noise, modes

    ds = tf.data.Dataset.range(1 << 40).map(make_chunk).unbatch()
    return ds, DatasetInfo(name, len(centers), (2,), None)
  if split in ("test", "validation"):
    points, modes = sample_mixture(name, NUM_TEST, seed=10_000_019)
    ds = tf.data.Dataset.from_tensor_slices((points, modes))
    return ds, DatasetInfo(name, len(centers), (2,), NUM_TEST)
  raise InputError(f"{name} has splits 'train' and 'test'; got {split!r}.")
