"""TF-GAN's `sliced_wasserstein_distance` (tensorflow_gan 2.1.0,
`tfgan.eval.sliced_wasserstein`; Karras et al. 2018, "Progressive Growing of
GANs", https://arxiv.org/abs/1710.10196, section 5).

The library has no sliced Wasserstein distance, so the computation lives
here, following TF-GAN step by step:
1. a Laplacian pyramid of each image batch, from the full resolution down to
   `resolution_min` (5x5 binomial filter / 256 with reflected borders;
   down-sampling keeps even pixels, up-sampling puts pixels at even positions
   and filters with gain 4, as OpenCV's pyrDown / pyrUp);
2. per level, `patches_per_image` random 3-channel patches of
   `patch_size` x `patch_size` per image, centres drawn with NumPy's global
   generator (`np.random.randint`, so `np.random.seed` makes a run
   repeatable and gives TF-GAN's patches: the draws come in TF-GAN's order,
   real then a second real ("test") set per level, then fake), each patch
   normalised to zero mean and unit (biased) variance;
3. the distance between two patch sets: the mean over
   `random_sampling_count` random projections (`random_projection_dim`
   unit-norm Gaussian directions from `tf.random.normal`) of the mean
   absolute difference of the sorted projections (all projections drawn in
   one batch); with `use_svd`, projections
   onto the principal axes of both sets together instead.

Images are [N, H, H, 3] with static shapes; any value range (TF-GAN's tests
use [0, 255]). Works eagerly and inside a `tf.function` (the patch sampling is
a `tf.numpy_function`, as TF-GAN's is a `py_func`).
"""

from __future__ import annotations

from typing import Any, List, Tuple

import numpy as np
import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.tfgan.eval import _adapt

__all__ = ["laplacian_pyramid", "sliced_wasserstein_distance"]

_BINOMIAL = np.array([1.0, 4.0, 6.0, 4.0, 1.0], np.float32)
_FILTER = (np.outer(_BINOMIAL, _BINOMIAL) / 256.0).astype(np.float32)


def _blur(batch: tf.Tensor, gain: float) -> tf.Tensor:
  """Each channel filtered by the 5x5 binomial kernel times `gain`, with
  reflected borders; same size out."""
  channels = batch.shape[-1]
  padded = tf.pad(batch, [[0, 0], [2, 2], [2, 2], [0, 0]], mode="REFLECT")
  kernel = tf.constant(np.tile(_FILTER[:, :, None, None] * gain,
                               [1, 1, channels, 1]))
  return tf.nn.depthwise_conv2d(padded, kernel, strides=[1, 1, 1, 1],
                                padding="VALID")


def _down(batch: tf.Tensor) -> tf.Tensor:
  return _blur(batch, 1.0)[:, ::2, ::2]


def _up(batch: tf.Tensor) -> tf.Tensor:
  """Twice the size: pixels at even positions, zeros between, then blurred
  with gain 4."""
  zeros = tf.zeros_like(batch)
  spread = tf.nn.depth_to_space(
      tf.concat([batch, zeros, zeros, zeros], axis=-1), 2)
  return _blur(spread, 4.0)


@_adapt.not_converted
def laplacian_pyramid(batch: Any, num_levels: int) -> List[tf.Tensor]:
  """The Laplacian pyramid of float32 images, finest level first."""
  levels = [tf.cast(batch, tf.float32)]
  for _ in range(1, num_levels):
    coarser = _down(levels[-1])
    levels[-1] = levels[-1] - _up(coarser)
    levels.append(coarser)
  return levels


def _random_patches(level: tf.Tensor, patches_per_image: int,
                    patch_size: int) -> tf.Tensor:
  """patches_per_image random patches per image: [N * p, s, s, 3]."""
  half = patch_size // 2

  def sample(images: np.ndarray) -> np.ndarray:
    count = images.shape[0] * patches_per_image
    height, width = images.shape[1:3]
    owner = np.arange(count) // patches_per_image
    rows = np.random.randint(half, height - half, size=count)
    cols = np.random.randint(half, width - half, size=count)
    offsets = np.arange(-half, half + 1)
    y = rows[:, None, None] + offsets[None, :, None]
    x = cols[:, None, None] + offsets[None, None, :]
    return np.ascontiguousarray(
        images[owner[:, None, None], y, x][..., :3]).astype(images.dtype)

  patches = tf.numpy_function(sample, [level], level.dtype, stateful=True)
  patches.set_shape([None, patch_size, patch_size, 3])
  return patches


def _normalized(patches: tf.Tensor) -> tf.Tensor:
  """Each patch to zero mean and unit biased variance, flattened."""
  mean, variance = tf.nn.moments(patches, axes=[1, 2, 3], keepdims=True)
  normalized = (patches - mean) / tf.sqrt(variance)
  return tf.reshape(normalized, [tf.shape(normalized)[0], -1])


def _sorted_columns(matrix: tf.Tensor) -> tf.Tensor:
  return tf.sort(matrix, axis=0, direction="DESCENDING")


def _distance_random(a: tf.Tensor, b: tf.Tensor, count: int,
                     projection_dim: int) -> tf.Tensor:
  """Mean over `count` projections of `projection_dim` directions each.

  TF-GAN loops over the projections; all count * projection_dim directions
  are drawn and sorted at once here. Every projection has the same number of
  entries, so the mean of the per-projection means is the overall mean.
  """
  directions = tf.random.normal([tf.shape(a)[1], count * projection_dim])
  directions *= tf.math.rsqrt(
      tf.reduce_sum(tf.square(directions), axis=0, keepdims=True))
  return tf.reduce_mean(tf.abs(_sorted_columns(tf.matmul(a, directions))
                               - _sorted_columns(tf.matmul(b, directions))))


def _distance_svd(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
  singular, left = tf.linalg.svd(tf.concat([a, b], axis=0))[:2]
  projected_a, projected_b = tf.split(left * singular, 2, axis=0)
  return tf.reduce_mean(tf.abs(_sorted_columns(projected_a)
                               - _sorted_columns(projected_b)))


@_adapt.not_converted
def sliced_wasserstein_distance(real_images: Any, fake_images: Any,
                                resolution_min: int = 16,
                                patches_per_image: int = 64,
                                patch_size: int = 7,
                                random_sampling_count: int = 1,
                                random_projection_dim: int = 7 * 7 * 3,
                                use_svd: bool = False
                                ) -> List[Tuple[tf.Tensor, tf.Tensor]]:
  """Sliced Wasserstein distances of image patches at each pyramid level.

  Args:
    real_images: [N, H, H, 3] (static shape).
    fake_images: same shape as real_images.
    resolution_min: coarsest level's resolution (at most H).
    patches_per_image: patches per image and level.
    patch_size: patch width (odd).
    random_sampling_count: random projections averaged.
    random_projection_dim: directions per projection.
    use_svd: project onto principal axes instead (TF-GAN's experimental
      variant; deterministic given the patches).

  Returns:
    [(distance_real, distance_fake)] per level, finest first: float32
    scalars; distance_real compares two patch draws of the real images (the
    noise floor), distance_fake real against fake. Use 8,192 images for
    numbers comparable to the paper.

  Raises:
    InputError: shapes not static, not square, not 3 channels, or real and
      fake differ.
  """
  real = tf.convert_to_tensor(real_images)
  fake = tf.convert_to_tensor(fake_images)
  if (real.shape.rank != 4 or real.shape[1] is None
      or not real.shape.is_compatible_with([None, None, real.shape[1], 3])):
    raise InputError(f"real_images must be [N, H, H, 3] with H known, got "
                     f"{real.shape}.")
  if not fake.shape.is_compatible_with(real.shape):
    raise InputError(f"fake_images {fake.shape} do not match real_images "
                     f"{real.shape}.")
  full = int(real.shape[1])
  coarsest = min(resolution_min, full)
  resolutions = [2 ** i for i in range(int(np.log2(full)),
                                       int(np.log2(coarsest)) - 1, -1)]
  levels = len(resolutions)
  real_patches, test_patches = [], []
  for level in laplacian_pyramid(real, levels):
    real_patches.append(_random_patches(level, patches_per_image, patch_size))
    test_patches.append(_random_patches(level, patches_per_image, patch_size))
  fake_patches = [_random_patches(level, patches_per_image, patch_size)
                  for level in laplacian_pyramid(fake, levels)]
  scores = []
  for real_p, test_p, fake_p in zip(real_patches, test_patches, fake_patches):
    real_p, test_p, fake_p = (_normalized(p) for p in (real_p, test_p, fake_p))
    if use_svd:
      scores.append((_distance_svd(real_p, test_p),
                     _distance_svd(real_p, fake_p)))
    else:
      scores.append((
          _distance_random(real_p, test_p, random_sampling_count,
                           random_projection_dim),
          _distance_random(real_p, fake_p, random_sampling_count,
                           random_projection_dim)))
  return scores
