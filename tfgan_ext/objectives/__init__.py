"""Builds the objective (and D-gradient combiner) a run's config asks for."""

from __future__ import annotations

from tfgan_ext.losses import get_adversarial_loss
from tfgan_ext.objectives.adversarial import AdversarialObjective
from tfgan_ext.objectives.base import (Batch, GradientCombiner, LossOutput,
                                       Objective)
from tfgan_ext.train.config import ObjectiveConfig

__all__ = ["Batch", "GradientCombiner", "LossOutput", "Objective",
           "AdversarialObjective", "build_objective", "build_combiner"]


def build_objective(config: ObjectiveConfig, num_classes: int) -> Objective:
  """Returns the objective for `config` on data with `num_classes` classes."""
  del num_classes  # Used by conditional variants.
  return AdversarialObjective(get_adversarial_loss(config.loss))


def build_combiner(config: ObjectiveConfig) -> GradientCombiner:
  """Returns how D's loss terms become one gradient (plain sum by default)."""
  del config
  return GradientCombiner()
