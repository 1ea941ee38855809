"""SQD's Q and D from a domain network and class centroids of real data."""

from __future__ import annotations

from typing import Callable, Optional, Union

import numpy as np

from tfgan_ext import fileio
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation.reference import ReferenceData, network_outputs
from tfgan_ext.evaluation.sample_metrics import mode_diversity, quality_score
from tfgan_ext.metrics.domain_networks import ClassifierNetwork, MixtureNetwork

__all__ = ["Domain", "classifier_domain", "mixture_domain"]


class Domain:
  """A feature network (with `quality`) and the mode centroids [m, e] in its
  `pool` embedding.

  Args:
    network: the feature network.
    centroids: float [m, e], or a function returning them: it is called
      once, when they are first needed (`classifier_domain` so reads real
      data and writes its features cache only when training starts, not
      for a run the trainer's checks refuse).
  """

  def __init__(self, network: object,
               centroids: Union[np.ndarray, Callable[[], np.ndarray]]):
    self.network = network
    self._centroids = centroids

  @property
  def centroids(self) -> np.ndarray:
    if callable(self._centroids):
      self._centroids = np.asarray(self._centroids())
    return self._centroids

  @property
  def name(self) -> str:
    return self.network.name

  def measure(self, samples: np.ndarray, batch_size: int = 250
              ) -> dict[str, float]:
    """{"quality": Q, "diversity": D (nats), "log_num_modes": log m}."""
    outputs = network_outputs(self.network, samples, batch_size)
    diversity, log_modes = mode_diversity(outputs["pool"], self.centroids)
    return {"quality": quality_score(self.network, outputs),
            "diversity": diversity, "log_num_modes": log_modes}


def classifier_domain(classifier_path: str, dataset: str, *, image_size: int,
                      channels: int, split: str = "train",
                      real_samples: int = 0, cache_dir: Optional[str] = None,
                      data_dir: Optional[str] = None) -> Domain:
  """A domain classifier and its class centroids on `real_samples` real
  examples of `split` (0: the whole split)."""
  network = ClassifierNetwork(classifier_path)
  if network.info.dataset != dataset:
    raise InputError(f"Classifier {classifier_path!r} was trained on "
                     f"{network.info.dataset!r}, the run uses {dataset!r}.")
  if cache_dir:
    fileio.check_output_path(cache_dir, "dir")
  reference = ReferenceData(network, dataset, split, image_size=image_size,
                            channels=channels, num_samples=real_samples,
                            cache_dir=cache_dir, data_dir=data_dir)
  # Computed (and cached) when first needed: SqdCallback.on_train_begin.
  return Domain(network,
                lambda: reference.class_centroids(network.num_classes))


def mixture_domain(dataset: str) -> Domain:
  """The 2-D mixture: modes are its centres."""
  network = MixtureNetwork(dataset)
  return Domain(network, np.asarray(network.centers, np.float64))
