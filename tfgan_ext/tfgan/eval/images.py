"""TF-GAN's image layout helpers (tensorflow_gan 2.1.0,
`tfgan.eval.eval_utils`): `image_grid`, `python_image_grid`,
`image_reshaper`. Pure reshapes and concatenations: any dtype, eagerly or
inside a `tf.function` (shapes must be static, as in TF-GAN).
"""

from __future__ import annotations

import math
from typing import Any, List, Optional, Sequence

import numpy as np
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.tfgan.eval import _adapt

__all__ = ["image_grid", "image_reshaper", "python_image_grid"]


def _tile(x: Any, grid_shape: Sequence[int], image_shape: Sequence[int],
          channels: int, reshape, transpose):
  """[rows * cols, h, w, c] -> [rows * h, cols * w, c], row-major tiles."""
  rows, cols = grid_shape
  height, width = image_shape
  x = reshape(x, (rows, cols, height, width, channels))
  x = transpose(x, (0, 2, 1, 3, 4))  # rows, h, cols, w, c
  return reshape(x, (rows * height, cols * width, channels))


@_adapt.not_converted
def image_grid(input_tensor: Any, grid_shape: Sequence[int],
               image_shape: Sequence[int] = (32, 32),
               num_channels: int = 3) -> tf.Tensor:
  """A batch of images laid out as one image, row by row.

  Args:
    input_tensor: [grid_h * grid_w, H, W, C] or flattened [grid_h * grid_w,
      H * W * C].
    grid_shape: (grid_h, grid_w).
    image_shape: (H, W).
    num_channels: C.

  Returns:
    [1, grid_h * H, grid_w * W, C], same dtype.

  Raises:
    InputError (a ValueError): the batch size is not grid_h * grid_w, or the
      image shape / channels do not match the input.
  """
  tensor = tf.convert_to_tensor(input_tensor)
  grid_shape = tuple(int(g) for g in grid_shape)
  image_shape = tuple(int(s) for s in image_shape)
  if tensor.shape.rank is None or tensor.shape[0] is None:
    raise InputError("image_grid needs a static batch size.")
  if grid_shape[0] * grid_shape[1] != tensor.shape[0]:
    raise InputError(f"Grid shape {grid_shape} incompatible with minibatch "
                     f"size {tensor.shape[0]}.")
  if tensor.shape.rank == 2:
    if tensor.shape[1] != image_shape[0] * image_shape[1] * num_channels:
      raise InputError(f"Image shape {image_shape} and {num_channels} "
                       f"channels incompatible with input shape "
                       f"{tensor.shape}.")
  elif tensor.shape.rank == 4:
    if tuple(tensor.shape[1:]) != image_shape + (num_channels,):
      raise InputError(f"Image shape and number of channels incompatible "
                       f"with input tensor: {tensor.shape} vs "
                       f"{image_shape + (num_channels,)}.")
  else:
    raise InputError(f"Unrecognized input tensor format: shape "
                     f"{tensor.shape} (need [N, H, W, C] or [N, H*W*C]).")
  grid = _tile(tensor, grid_shape, image_shape, num_channels, tf.reshape,
               tf.transpose)
  return grid[tf.newaxis]


def python_image_grid(input_array: np.ndarray,
                      grid_shape: Sequence[int]) -> np.ndarray:
  """NumPy `image_grid` for a 4-D array [grid_h * grid_w, H, W, C].

  Returns:
    [grid_h * H, grid_w * W, C] (no leading batch axis, as TF-GAN).
  """
  array = np.asarray(input_array)
  if grid_shape[0] * grid_shape[1] != int(array.shape[0]):
    raise InputError(f"Grid shape {tuple(grid_shape)} incompatible with "
                     f"minibatch size {array.shape[0]}.")
  if array.ndim != 4:
    raise InputError(f"Unrecognized input array format: shape {array.shape} "
                     f"(need [N, H, W, C]).")
  return _tile(array, grid_shape, array.shape[1:3], array.shape[3],
               np.reshape, np.transpose)


def _check_image(image: tf.Tensor) -> None:
  if image.shape.rank != 3 or not image.shape.is_fully_defined():
    raise InputError(f"image_reshaper needs images of static shape [H, W, C], "
                     f"got {image.shape}.")
  if image.shape[-1] not in (1, 3):
    raise InputError("image_reshaper only supports 1 or 3 channel images.")


@_adapt.not_converted
def image_reshaper(images: Any, num_cols: Optional[int] = None) -> tf.Tensor:
  """Images tiled in a nearly square grid, empty tiles zero.

  Args:
    images: a tensor [N, H, W, C] or a list of [H, W, C] tensors (C = 1 or
      3).
    num_cols: columns of the grid; default ceil(sqrt(N)) (11 images give a
      3 x 4 grid).

  Returns:
    [1, rows * H, num_cols * W, C].
  """
  if isinstance(images, (list, tuple)):
    image_list: List[tf.Tensor] = [tf.convert_to_tensor(i) for i in images]
  else:
    image_list = tf.unstack(tf.convert_to_tensor(images))
  if not image_list:
    raise InputError("image_reshaper got no images.")
  for image in image_list:
    _check_image(image)
  count = len(image_list)
  columns = num_cols if num_cols else int(math.ceil(math.sqrt(count)))
  rows = int(math.ceil(count / columns))
  image_list = image_list + [tf.zeros_like(image_list[-1])] * (
      rows * columns - count)
  grid_rows = [tf.concat(image_list[r * columns:(r + 1) * columns], axis=1)
               for r in range(rows)]
  return tf.concat(grid_rows, axis=0)[tf.newaxis]
