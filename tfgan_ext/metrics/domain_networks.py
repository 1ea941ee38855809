"""Feature networks besides Inception: a domain classifier, 2-D mixtures.

Both follow the `FeatureNetwork` protocol of `feature_networks` (call on a
float32 batch in [-1, 1], get {"logits", "pool"}; attributes `name` and
`feature_dim`), so IS / FID / KID / intra-FID code runs on them unchanged.
They add `num_classes` and `quality(outputs)`: the per-sample probability
that a sample is a valid member of the domain (SQD's Q).
"""

from __future__ import annotations

from typing import Dict, Mapping

import numpy as np
import tensorflow as tf

from tfgan_ext.data.mixtures import mixture_centers

__all__ = ["ClassifierNetwork", "MixtureNetwork", "max_probability"]


def max_probability(logits) -> np.ndarray:
  """Largest softmax probability of each row of `logits` [n, K]."""
  logits = np.asarray(logits, dtype=np.float64)
  shifted = logits - logits.max(axis=1, keepdims=True)
  probs = np.exp(shifted)
  return probs.max(axis=1) / probs.sum(axis=1)


class ClassifierNetwork:
  """A classifier saved by `tfgan_ext.models.classifier` as a feature network.

  Images whose side differs from the classifier's are resized with
  `tf.image.resize(method="bilinear", antialias=True)`; 3-channel images are
  averaged to 1 channel and 1-channel images repeated to 3 when the
  classifier expects the other. `logits` are the class logits, `pool` the
  penultimate ReLU embedding. `name` includes a digest of the saved weights,
  so cached statistics of a retrained classifier are not reused.
  """

  def __init__(self, path: str):
    from tfgan_ext.models import classifier as classifier_lib
    self.path = path
    self.model, self.info = classifier_lib.load_classifier(path)
    digest = classifier_lib.classifier_digest(path)
    self.name = (f"classifier_{self.info.dataset}_{self.info.image_size}px_"
                 f"{digest}")
    self.feature_dim = int(self.info.embedding_dim)
    self.num_classes = int(self.info.num_classes)
    self.image_size = int(self.info.image_size)
    self.channels = int(self.info.channels)
    self._compiled = {}  # (H, W, C) -> tf.function for any batch size.

  def _forward_impl(self, images: tf.Tensor) -> Dict[str, tf.Tensor]:
    if images.shape[-1] != self.channels:
      if self.channels == 1:
        images = tf.reduce_mean(images, axis=-1, keepdims=True)
      else:
        images = tf.tile(images, [1, 1, 1, self.channels])
    if images.shape[1] != self.image_size or images.shape[2] != self.image_size:
      images = tf.image.resize(images, [self.image_size, self.image_size],
                               method="bilinear", antialias=True)
    outputs = self.model(images, training=False)
    return {"logits": outputs["logits"], "pool": outputs["pool"]}

  def __call__(self, images) -> Dict[str, tf.Tensor]:
    images = tf.cast(tf.convert_to_tensor(images), tf.float32)
    if images.shape.rank != 4 or images.shape[-1] not in (1, 3):
      raise ValueError(f"{self.name} takes NHWC images with 1 or 3 channels; "
                       f"got shape {images.shape}.")
    shape = tuple(images.shape[1:])
    if shape not in self._compiled:
      spec = tf.TensorSpec([None, *shape], tf.float32)
      self._compiled[shape] = tf.function(self._forward_impl,
                                          input_signature=[spec])
    return self._compiled[shape](images)

  def quality(self, outputs: Mapping[str, np.ndarray]) -> np.ndarray:
    """SQD's Q per sample: the classifier's largest class probability."""
    return max_probability(outputs["logits"])


COVERED_SHARE = 0.01  # A mode is covered by >= 1% of the samples.


class MixtureNetwork:
  """The known 2-D Gaussian mixture (`ring8`, `grid25`) as a feature network.

  `pool` is the point itself; `logits` are each mode's log-density up to a
  shared constant, -|x - c_k|^2 / (2 std^2), so softmax gives the posterior
  over modes. Quality is 1 for points within 3 standard deviations of their
  nearest centre (the usual "high-quality sample" test), else 0.
  """

  feature_dim = 2

  def __init__(self, dataset: str):
    self.centers, self.std = mixture_centers(dataset)
    self.name = f"mixture_{dataset}"
    self.num_classes = len(self.centers)

  def __call__(self, points) -> Dict[str, tf.Tensor]:
    points = tf.cast(tf.convert_to_tensor(points), tf.float32)
    if points.shape.rank != 2 or points.shape[-1] != 2:
      raise ValueError(f"{self.name} takes 2-D points [B, 2]; got shape "
                       f"{points.shape}.")
    centers = tf.constant(self.centers, tf.float32)
    sq = tf.reduce_sum(tf.square(points[:, None, :] - centers[None]), axis=-1)
    return {"logits": -sq / (2.0 * self.std ** 2), "pool": points}

  def _nearest(self, outputs: Mapping[str, np.ndarray]
               ) -> tuple[np.ndarray, np.ndarray]:
    """(nearest mode id, whether within 3 std of it) per point."""
    points = np.asarray(outputs["pool"], dtype=np.float64)
    dist = np.linalg.norm(points[:, None, :] - self.centers[None], axis=-1)
    return dist.argmin(axis=1), dist.min(axis=1) <= 3.0 * self.std

  def quality(self, outputs: Mapping[str, np.ndarray]) -> np.ndarray:
    return self._nearest(outputs)[1].astype(np.float64)

  def mode_counts(self, outputs: Mapping[str, np.ndarray]) -> np.ndarray:
    """High-quality points per mode [modes]: a point counts for its
    nearest centre when it lies within 3 standard deviations of it."""
    nearest, close = self._nearest(outputs)
    return np.bincount(nearest[close], minlength=len(self.centers))

  def modes_covered(self, outputs: Mapping[str, np.ndarray],
                    min_share: float = COVERED_SHARE) -> int:
    """Modes holding at least `min_share` of all points as high-quality
    points (1% of 2,000 samples is 20 points; a uniform generator puts
    12.5% on each of 8 modes)."""
    counts = self.mode_counts(outputs)
    needed = max(1, int(np.ceil(min_share * len(outputs["pool"]))))
    return int(np.sum(counts >= needed))
