"""The objective's configuration: which losses a run optimizes.

It lives with the objectives so that dependencies run one way: the train
package uses the objectives (its TrainConfig holds an ObjectiveConfig), the
objectives never use the train package.
"""

from __future__ import annotations

import dataclasses

from tfgan_ext.config_checks import (check_field_types, flag_name,
                                     require_choice, require_int,
                                     require_number)
from tfgan_ext.errors import InputError
from tfgan_ext.losses import (ADVERSARIAL_LOSSES, CLASSIFICATION_LOSSES,
                              PENALTY_KINDS)

AUX_CHOICES = ("none",) + tuple(CLASSIFICATION_LOSSES)
CRITIC_CHOICES = ("projection", "shared")
ENERGY_CHOICES = ("none", "magan", "ebgan")
PENALTY_CHOICES = ("none",) + tuple(PENALTY_KINDS)
# Fields set by a train flag of another name.
FLAGS: dict[str, str] = {}  # Every field has the flag of its own name.


@dataclasses.dataclass(frozen=True)
class ObjectiveConfig:
  """Which losses the run optimizes (composed by `objectives.build_objective`).

  SHAPING_FIELDS names the fields (or derived properties) that decide which
  variables the objective creates; they must match on resume. The fields
  and their combinations are checked when the config is made (`validate`).
  """
  loss: str = "hinge"             # hinge | nonsaturating | least_squares |
                                  # wasserstein (ignored by energy models).
  penalty: str = "none"           # none | gp | dragan | zero_gp | lipschitz.
  penalty_weight: float = 10.0
  aux: str = "none"               # none | multi_hinge | acgan (MHGAN / ACGAN).
  aux_d_weight: float = 1.0       # D aux weight (on real + fake halves' sum).
  aux_g_weight: float = 0.1       # G aux term weight (lambda).
  aux_on_fake: bool = True        # D aux term also on generated images.
  critic: str = "projection"      # projection | shared (MHShared: class
                                  # scores from the projection table).
  ssl: bool = False               # MHGAN-SSL / ACGAN-SSL (needs unlabelled
                                  # images and an aux classifier).
  aw: bool = False                # aw-loss adaptive real/fake weights.
  aw_normalized: bool = True      # 1/|g| factors of Algorithm 1.
  gradient_angles: bool = False   # Log aw Fig. 4 angles without aw.
  energy: str = "none"            # none | magan | ebgan (auto-encoder D).
  margin: float = 10.0            # EBGAN's fixed margin (energy units).
  pretrain_epochs: int = 2        # MAGAN's D pre-training epochs (m = 0).

  SHAPING_FIELDS = ("has_aux_head", "has_penalty", "energy")

  def __post_init__(self):
    self.validate()

  def validate(self) -> None:
    """Raises InputError, naming the flag to change, for an unknown name, a
    weight out of range or a combination no objective is built from."""
    check_field_types(self, FLAGS)
    if self.loss not in ADVERSARIAL_LOSSES:
      raise InputError(f"Unknown adversarial loss {self.loss!r}: --loss must "
                       f"be one of {sorted(ADVERSARIAL_LOSSES)}.")
    if self.penalty not in PENALTY_CHOICES:
      raise InputError(f"Unknown penalty {self.penalty!r}: --penalty must be "
                       f"one of {list(PENALTY_CHOICES)}.")
    require_choice("--aux", self.aux, AUX_CHOICES)
    require_choice("--critic", self.critic, CRITIC_CHOICES)
    if self.energy not in ENERGY_CHOICES:
      raise InputError(
          f"{flag_name('energy', FLAGS)} must be one of "
          f"{list(ENERGY_CHOICES)}; got {self.energy!r}.")
    require_number("--penalty_weight", self.penalty_weight, low=0.0,
                   low_open=self.penalty != "none")
    require_number("--aux_d_weight", self.aux_d_weight, low=0.0)
    require_number("--aux_g_weight", self.aux_g_weight, low=0.0)
    require_number("--margin", self.margin, low=0.0, low_open=True,
                   hint="It is EBGAN's margin, in energy units.")
    require_int("--pretrain_epochs", self.pretrain_epochs, 0)
    if self.energy != "none" and (self.aux != "none" or self.ssl
                                  or self.critic != "projection"):
      raise InputError(
          f"The {self.energy} energy model has no class-conditional critic: "
          "drop --aux, --ssl and --critic shared.")
    if self.energy == "magan" and self.pretrain_epochs < 1:
      raise InputError("MAGAN sets its first margin from pre-training: use "
                       f"--pretrain_epochs >= 1 (got {self.pretrain_epochs}).")
    if self.critic == "shared" and self.aux == "none":
      raise InputError(
          "--critic shared uses the projection table as the classifier of an "
          "auxiliary loss: add --aux multi_hinge (MHShared) or --aux acgan.")
    if self.ssl and self.aux == "none":
      raise InputError(
          "--ssl pseudo-labels unlabelled images with the auxiliary "
          "classifier: add --aux multi_hinge (MHGAN-SSL) or --aux acgan "
          "(ACGAN-SSL).")

  @property
  def has_aux_head(self) -> bool:
    """Whether an extra classification head is created on D's features."""
    return self.aux != "none" and self.critic == "projection"

  @property
  def has_penalty(self) -> bool:
    """Whether a gradient penalty (and its random generator) is used."""
    return self.penalty != "none"
