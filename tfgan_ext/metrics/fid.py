"""FID of two image sets in one call, with the offline FID Inception.

`fid(real, generated)` runs both sets through a feature network (by default
the imported FID Inception, `FIDInceptionNetwork`: the pool features of
pytorch-fid's network, created once by `make inception` /
`tfgan-ext-import-inception`) and returns the Fréchet distance between the
Gaussians fitted to the two feature sets (Heusel et al., 2017, eq. 6).

FID is biased upwards at small sample counts: compare numbers only at the
same count (papers use 10,000-50,000 samples).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from tfgan_ext.metrics.feature_networks import compute_activations
from tfgan_ext.metrics.frechet import frechet_distance

__all__ = ["fid"]


def fid(real: Any, generated: Any, network: Optional[Any] = None,
        batch_size: int = 50) -> float:
  """Fréchet Inception Distance between two image sets.

  Args:
    real, generated: float images [N, H, W, C] in [-1, 1] (C = 1 or 3, any
      size: the network resizes), as arrays or batched tf.data.Datasets.
    network: a feature network returning {"pool": [B, D]}; default the
      imported FID Inception (2,048 pool features).
    batch_size: images per network call for arrays.

  Returns:
    The distance (float >= 0).

  Raises:
    FileNotFoundError: the default network has not been imported yet (the
      message says how).
    ValueError: non-finite images or features.
  """
  if network is None:
    from tfgan_ext.metrics.fid_inception import FIDInceptionNetwork
    network = FIDInceptionNetwork()
  features = []
  for images in (real, generated):
    if isinstance(images, np.ndarray) and not np.all(np.isfinite(images)):
      raise ValueError("The images hold NaN or Inf: no FID of them.")
    features.append(compute_activations(network, images, batch_size)["pool"])
  return frechet_distance(features[0], features[1])
