"""How an evaluation is run: sample counts, groups, reference data.

Every result row records these fields, since the numbers depend on them
(FID on sample count and reference split, IS on the group size).
"""

from __future__ import annotations

import dataclasses

from tfgan_ext.config_checks import (check_field_types, require_choice,
                                     require_int)
from tfgan_ext.errors import InputError
from tfgan_ext.nn.normalization import INFERENCE_STATISTICS

__all__ = ["EvalProtocol", "PRESETS", "preset"]


@dataclasses.dataclass(frozen=True)
class EvalProtocol:
  """Sample counts and reference data of one evaluation.

  Attributes:
    num_samples: generated samples for IS / FID / KID / quality / diversity /
      sample accuracy / self accuracy (labels class-balanced).
    num_groups: IS is the mean and std over this many shuffled groups; FID
      and KID use all samples at once.
    reference_split: real split whose features FID / KID / intra-FID /
      class centroids compare against.
    reference_samples: real examples from it (0: as many as num_samples,
      capped by the split's size).
    validation_split: real split for validation, projection and D real
      accuracy ("" = the dataset's test / validation split).
    conditioning_samples: cap on real examples per split for the
      conditioning metrics (0: the whole split).
    per_class_samples: generated samples per class for intra-FID (0:
      num_samples // classes, at least 2).
    class_chunk: classes generated together for intra-FID.
    batch_size: generator / network batch size (with bn_inference "batch"
      the samples depend on it).
    seed: seed of the latent vectors (the same at every checkpoint).
    bn_inference: the generator's batch-norm moments: "moving" averages
      from training (TF-GAN; a sample does not depend on its batch) or
      each generated "batch"'s own (for comparison).
    use_ema: score the run's EMA generator when it has one (rows record
      "generator": "ema"); False, or a run without one: the raw generator.
  """
  num_samples: int = 10 * 1024
  num_groups: int = 10
  reference_split: str = "train"
  reference_samples: int = 0
  validation_split: str = ""
  conditioning_samples: int = 0
  per_class_samples: int = 0
  class_chunk: int = 10
  batch_size: int = 100
  seed: int = 0
  bn_inference: str = "moving"
  use_ema: bool = True

  def __post_init__(self):
    self.validate()

  def validate(self) -> None:
    """Raises InputError naming the bad field's flag (runs when the
    protocol is made)."""
    check_field_types(self)
    require_int("--num_samples", self.num_samples, 2)
    require_int("--num_groups", self.num_groups, 1, self.num_samples,
                hint="The Inception Score needs at most one group per "
                "sample.")
    for name in ("reference_samples", "conditioning_samples",
                 "per_class_samples"):
      require_int(f"--{name}", getattr(self, name), 0, hint="Use 0 for automatic.")
    if self.per_class_samples == 1:
      raise InputError("--per_class_samples must be 0 (automatic) or >= 2.")
    require_int("--class_chunk", self.class_chunk, 1)
    require_int("--batch_size", self.batch_size, 1)
    require_int("--seed", self.seed, 0, 2 ** 63 - 1)
    require_choice("--bn_inference", self.bn_inference, INFERENCE_STATISTICS)
    if not self.reference_split:
      raise InputError("--reference_split is empty: name a split.")

  def per_class(self, num_classes: int) -> int:
    return self.per_class_samples or max(2, self.num_samples // num_classes)


# MHGAN / TF-GAN: ten groups of 1024 while training, 50k for final numbers.
PRESETS = {
    "train": dict(num_samples=10 * 1024, num_groups=10),
    "final": dict(num_samples=50_000, num_groups=10),
}


def preset(name: str, **overrides) -> EvalProtocol:
  """The named protocol ("train" or "final") with `overrides` applied."""
  if name not in PRESETS:
    raise InputError(f"Unknown protocol {name!r}; choose one of "
                     f"{sorted(PRESETS)}.")
  fields = dict(PRESETS[name])
  fields.update({k: v for k, v in overrides.items() if v is not None})
  return EvalProtocol(**fields)  # Checks itself.
