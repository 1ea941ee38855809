"""Sample grids and scatter plots written as PNG files."""

from __future__ import annotations

import numpy as np

from tfgan_ext import fileio


def to_uint8(images: np.ndarray) -> np.ndarray:
  """Samples in [-1, 1] -> uint8 pixels floor(clip((x + 1) * 127.5 + 0.5,
  0, 255)), i.e. (x + 1) * 127.5 rounded half up; float32 arithmetic."""
  scaled = (np.asarray(images, np.float32) + 1.0) * 127.5 + 0.5
  return np.clip(scaled, 0, 255).astype(np.uint8)


def image_grid(images: np.ndarray, rows: int) -> np.ndarray:
  """Tiles [N, H, W, C] images in [-1, 1] into a uint8 [rows*H, cols*W, C'] grid.

  N must be a multiple of `rows`; each row holds N // rows images with a
  1-pixel gap. Single-channel images stay grayscale (C' = 1).
  """
  images = np.asarray(images, np.float32)
  n, h, w, c = images.shape
  if n % rows:
    raise ValueError(f"{n} images do not fill {rows} rows evenly.")
  cols = n // rows
  pixels = to_uint8(images)
  grid = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1, c), 255, np.uint8)
  for i in range(n):
    r, col = divmod(i, cols)
    grid[r * (h + 1):r * (h + 1) + h, col * (w + 1):col * (w + 1) + w] = pixels[i]
  return grid


def save_png(grid: np.ndarray, path: str, upscale: int = 1,
             atomic: bool = True) -> str:
  """Writes a uint8 [H, W, C] array as PNG (nearest upscaling); returns path.

  `atomic`: through a temporary name (`fileio.atomic_path`); False writes
  `path` directly (for files inside a folder that is itself renamed in).
  """
  from PIL import Image
  if upscale > 1:
    grid = grid.repeat(upscale, axis=0).repeat(upscale, axis=1)
  if grid.shape[-1] == 1:
    grid = grid[..., 0]
  if not atomic:
    Image.fromarray(grid).save(path)
    return path
  with fileio.atomic_path(path) as tmp:
    Image.fromarray(grid).save(tmp, format="PNG")
  return path


def save_scatter(points: np.ndarray, path: str, reference: np.ndarray = None,
                 title: str = "", limit: float = None) -> str:
  """Scatter plot of 2-D samples (blue) over reference points (grey)."""
  import matplotlib
  matplotlib.use("Agg")
  import matplotlib.pyplot as plt
  fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
  if reference is not None:
    ax.scatter(reference[:, 0], reference[:, 1], s=2, c="0.7")
  ax.scatter(points[:, 0], points[:, 1], s=2, c="tab:blue")
  if limit:
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
  ax.set_aspect("equal")
  ax.set_title(title)
  try:
    with fileio.atomic_path(path) as tmp:
      fig.savefig(tmp, format="png")
  finally:
    plt.close(fig)
  return path
