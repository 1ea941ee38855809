"""Builds the objective (and D-gradient combiner) a run's config asks for.

This is the only place that maps config names to objectives; the train loop
only sees the `Objective` / `GradientCombiner` interfaces. Composition:

  energy (magan | ebgan)  -> EnergyObjective (auto-encoder D), else
  ssl                     -> SemiSupervisedObjective (needs an aux classifier)
  aux (multi_hinge|acgan) -> AuxiliaryObjective (head, or shared projection)
  otherwise               -> AdversarialObjective
  penalty != none         -> wrapped in PenalizedObjective
  aw                      -> AwCombiner; gradient_angles -> AngleProbeCombiner
                             (plain sum, angles logged); else the plain sum
"""

from __future__ import annotations

from tfgan_ext.losses import get_adversarial_loss, get_classification_loss
from tfgan_ext.objectives.adversarial import AdversarialObjective
from tfgan_ext.objectives.auxiliary import AuxiliaryObjective
from tfgan_ext.objectives.aw_combiner import AngleProbeCombiner, AwCombiner
from tfgan_ext.objectives.base import (FAKE_LABEL, UNLABELLED_IMAGE, Batch,
                                       GradientCombiner, LossOutput, Objective,
                                       fake_labels)
from tfgan_ext.objectives.config import (AUX_CHOICES, CRITIC_CHOICES,
                                         ENERGY_CHOICES, PENALTY_CHOICES,
                                         ObjectiveConfig)
from tfgan_ext.objectives.energy import EnergyObjective
from tfgan_ext.objectives.penalized import PenalizedObjective
from tfgan_ext.objectives.ssl import SemiSupervisedObjective

__all__ = ["AUX_CHOICES", "CRITIC_CHOICES", "ENERGY_CHOICES",
           "PENALTY_CHOICES", "FAKE_LABEL", "UNLABELLED_IMAGE", "Batch",
           "fake_labels",
           "GradientCombiner", "LossOutput", "Objective", "ObjectiveConfig",
           "AdversarialObjective", "AngleProbeCombiner",
           "AuxiliaryObjective", "AwCombiner", "EnergyObjective", "PenalizedObjective",
           "SemiSupervisedObjective", "build_objective", "build_combiner",
           "validate_objective_config"]


def validate_objective_config(config: ObjectiveConfig) -> None:
  """Raises InputError, saying which option to change, for invalid combos
  (`ObjectiveConfig.validate`, which also runs when a config is made)."""
  config.validate()


def build_objective(config: ObjectiveConfig, num_classes: int,
                    seed: int = 0) -> Objective:
  """Returns the objective for `config` on data with `num_classes` classes.

  `seed` seeds the objective's own random numbers (penalty points).
  """
  validate_objective_config(config)
  if config.energy != "none":
    objective = EnergyObjective(
        adaptive=config.energy == "magan", margin=config.margin,
        pretrain_epochs=config.pretrain_epochs)
  elif config.aux != "none":
    cls = SemiSupervisedObjective if config.ssl else AuxiliaryObjective
    objective = cls(
        get_adversarial_loss(config.loss),
        get_classification_loss(config.aux), num_classes,
        d_weight=config.aux_d_weight, g_weight=config.aux_g_weight,
        on_fake=config.aux_on_fake, shared=config.critic == "shared")
  else:
    objective = AdversarialObjective(get_adversarial_loss(config.loss))
  if config.penalty != "none":
    objective = PenalizedObjective(objective, config.penalty,
                                   config.penalty_weight, seed=seed)
  return objective


def build_combiner(config: ObjectiveConfig) -> GradientCombiner:
  """Returns how D's loss terms become one gradient (plain sum by default)."""
  if config.aw:
    return AwCombiner(normalized=config.aw_normalized)
  if config.gradient_angles:
    return AngleProbeCombiner()
  return GradientCombiner()
