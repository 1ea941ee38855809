"""Whether an eval job's metrics suit its run, data and feature network.

The checks follow from what each metric needs (`metric_registry`): a
class-conditional run, the run's discriminator, a feature network that fits
the data, class logits, labelled real data, real per-example features
(which a statistics file does not hold), plus each metric's own `check`.
They raise InputError saying what to do, before the job writes anything.
"""

from __future__ import annotations

from typing import Any, Sequence

from tfgan_ext.errors import InputError
from tfgan_ext.evaluation.metric_registry import (REFERENCE_STATISTICS,
                                                  MetricRegistry)
from tfgan_ext.metrics.domain_networks import MixtureNetwork

__all__ = ["check_metrics", "check_statistics_file_use"]


def check_metrics(registry: MetricRegistry, names: Sequence[str], *, config,
                  info, network: Any, has_discriminator: bool = True
                  ) -> None:
  """Raises InputError when a chosen metric cannot be computed for this run.

  Args:
    registry: where the metrics are registered.
    names: the chosen metric names (registered).
    config: the run's TrainConfig.
    info: `data.dataset_info` of the run's dataset.
    network: the feature network (None: none given).
    has_discriminator: whether the job can rebuild the run's D (not for
      runs with user-built networks, which export only their generator).
  """
  chosen = set(names)
  mc = config.model
  conditional = {n for n in chosen if registry.get(n).conditional}
  if conditional and mc.num_classes < 1:
    raise InputError(
        f"{sorted(conditional)} need a class-conditional model; this run is "
        f"unconditional.")
  uses_d = registry.requiring("discriminator", network, chosen)
  if uses_d and not has_discriminator:
    raise InputError(
        f"{sorted(uses_d)} need the run's discriminator; a run with "
        f"user-built networks (architecture {mc.architecture!r}) leaves the "
        f"eval job only its exported generator. Choose metrics of the "
        f"samples (e.g. fid, kid, is).")
  sample = registry.requiring("feature_network", network, chosen)
  if not sample:
    return
  if network is None:
    raise InputError(f"{sorted(sample)} need a feature network (Inception "
                     f"or a domain classifier).")
  if info.is_image == isinstance(network, MixtureNetwork):
    kind = "images" if info.is_image else "2-D points"
    raise InputError(f"Feature network {network.name!r} does not fit this "
                     f"run's data ({kind}).")
  trained_on = getattr(getattr(network, "info", None), "dataset", None)
  if trained_on is not None and trained_on != config.dataset:
    raise InputError(f"The classifier {network.name!r} was trained on "
                     f"{trained_on!r}, the run on {config.dataset!r}.")
  for name in registry.names:
    check = registry.get(name).check if name in chosen else None
    if check is not None:
      check(network, config)
  needs_logits = registry.requiring("logits", network, chosen)
  if needs_logits and not getattr(network, "provides_logits", True):
    raise InputError(
        f"{sorted(needs_logits)} need class logits; {network.name!r} gives "
        f"only pool features (FID, KID). The Inception Score needs the "
        f"TF-Hub classifier module tfgan/eval/inception/1 (--inception_path "
        f"DIR of the extracted module).")
  labelled = registry.requiring("labelled_real", network, chosen)
  if labelled and info.num_classes < 1:
    raise InputError(f"{' and '.join(labelled)} need labelled real data.")


def check_statistics_file_use(registry: MetricRegistry, names: Sequence[str],
                              network: Any = None) -> None:
  """Raises InputError unless a reference statistics file (mu and sigma
  only) is used by a chosen metric and no chosen metric needs real
  per-example features."""
  users = registry.using(REFERENCE_STATISTICS, network)
  described = " and ".join(users)
  chosen = set(names)
  if not chosen & set(users):
    raise InputError(f"Reference statistics (--reference_stats) are used "
                     f"only by {described}; add {described} to the metrics "
                     f"or drop the file.")
  needs_features = sorted(registry.requiring("real_features", network,
                                             chosen))
  if needs_features:
    raise InputError(
        f"A statistics file holds only mu and sigma, enough for "
        f"{described} alone; {needs_features} need real features. Evaluate "
        f"them in a separate job without --reference_stats (they then use "
        f"the reference split's features).")
