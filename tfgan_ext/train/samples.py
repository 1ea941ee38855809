"""The train job's sample grids (images) and scatter plots (points).

Fixed inputs, so successive grids differ only through G: an 8x8 grid of
fixed noise for an unconditional model, else one row per class (at most
10 classes) of `per_class` samples. Point data is drawn as a scatter plot
of 1,000 samples. Files go to `workspace.sample_grid_path(model_dir, step)`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import tensorflow as tf

from tfgan_ext import visualize
from tfgan_ext import workspace

__all__ = ["sample_inputs", "write_samples"]


def sample_inputs(num_classes: int, z_dim: int, per_class: int = 10,
                  count: int = 64, seed: int = 1234
                  ) -> tuple[tf.Tensor, tf.Tensor, int]:
  """Fixed (z [N, z_dim], labels [N] int32, rows) for a grid: one row per
  class (at most 10 classes) when num_classes > 0, else sqrt(count) rows
  of unconditional samples (labels 0)."""
  rng = np.random.RandomState(seed)
  if num_classes > 0:
    rows = min(num_classes, 10)
    labels = np.repeat(np.arange(rows), per_class).astype(np.int32)
  else:
    rows = int(np.sqrt(count))
    labels = np.zeros(rows * rows, np.int32)
  z = rng.randn(len(labels), z_dim).astype(np.float32)
  return tf.constant(z), tf.constant(labels), rows


def write_samples(generate: Callable[[tf.Tensor, tf.Tensor], np.ndarray],
                  model_dir: str, step: int, *, is_image: bool, z_dim: int,
                  num_classes: int) -> str:
  """Writes the PNG of `generate(z, labels)` (a grid of images, or a
  scatter plot of points) and, for images, a TensorBoard image "samples"
  to the default summary writer; returns the PNG's path."""
  path = workspace.sample_grid_path(model_dir, step)
  if is_image:
    z, labels, rows = sample_inputs(num_classes, z_dim)
    grid = visualize.image_grid(generate(z, labels), rows)
    scale = max(1, 512 // grid.shape[0])
    visualize.save_png(grid, path, upscale=scale)
    tf.summary.image("samples", grid[None].astype(np.float32) / 255.0,
                     step=step)
  else:
    rng = np.random.RandomState(1234)
    z = tf.constant(rng.randn(1000, z_dim), tf.float32)
    labels = tf.constant(rng.randint(max(1, num_classes), size=1000),
                         tf.int32)
    visualize.save_scatter(generate(z, labels), path, title=f"step {step}")
  return path
