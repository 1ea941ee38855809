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

from tfgan_ext.errors import InputError
from tfgan_ext.losses import (PENALTY_KINDS, get_adversarial_loss,
                              get_classification_loss)
from tfgan_ext.objectives.adversarial import AdversarialObjective
from tfgan_ext.objectives.auxiliary import AuxiliaryObjective
from tfgan_ext.objectives.aw_combiner import AngleProbeCombiner, AwCombiner
from tfgan_ext.objectives.base import (FAKE_LABEL, UNLABELLED_IMAGE, Batch,
                                       GradientCombiner, LossOutput, Objective,
                                       fake_labels)
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.objectives.energy import EnergyObjective
from tfgan_ext.objectives.penalized import PenalizedObjective
from tfgan_ext.objectives.ssl import SemiSupervisedObjective

__all__ = ["FAKE_LABEL", "UNLABELLED_IMAGE", "Batch", "fake_labels",
           "GradientCombiner", "LossOutput", "Objective", "ObjectiveConfig",
           "AdversarialObjective", "AngleProbeCombiner",
           "AuxiliaryObjective", "AwCombiner", "EnergyObjective", "PenalizedObjective",
           "SemiSupervisedObjective", "build_objective", "build_combiner",
           "validate_objective_config"]

AUX_CHOICES = ("none", "multi_hinge", "acgan")
CRITIC_CHOICES = ("projection", "shared")
ENERGY_CHOICES = ("none", "magan", "ebgan")
PENALTY_CHOICES = ("none",) + tuple(PENALTY_KINDS)


def _choice(field: str, value: str, choices) -> None:
  if value not in choices:
    raise InputError(f"Unknown {field} {value!r}; choose one of "
                     f"{list(choices)}.")


def validate_objective_config(config: ObjectiveConfig) -> None:
  """Raises ValueError, saying which option to change, for invalid combos."""
  _choice("aux", config.aux, AUX_CHOICES)
  _choice("critic", config.critic, CRITIC_CHOICES)
  _choice("energy model", config.energy, ENERGY_CHOICES)
  _choice("penalty", config.penalty, PENALTY_CHOICES)
  if config.energy == "none":
    get_adversarial_loss(config.loss)  # Raises for unknown names.
  elif config.aux != "none" or config.ssl or config.critic != "projection":
    raise InputError(
        f"The {config.energy} energy model has no class-conditional critic: "
        "drop --aux, --ssl and --critic shared.")
  if config.critic == "shared" and config.aux == "none":
    raise InputError(
        "--critic shared uses the projection table as the classifier of an "
        "auxiliary loss: add --aux multi_hinge (MHShared) or --aux acgan.")
  if config.ssl and config.aux == "none":
    raise InputError(
        "--ssl pseudo-labels unlabelled images with the auxiliary classifier: "
        "add --aux multi_hinge (MHGAN-SSL) or --aux acgan (ACGAN-SSL).")
  if config.penalty != "none" and config.penalty_weight <= 0:
    raise InputError(f"--penalty_weight must be > 0 with --penalty "
                     f"{config.penalty}; got {config.penalty_weight}.")


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
