"""The objective's configuration: which losses a run optimizes.

It lives with the objectives so that dependencies run one way: the train
package uses the objectives (its TrainConfig holds an ObjectiveConfig), the
objectives never use the train package.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class ObjectiveConfig:
  """Which losses the run optimizes (composed by `objectives.build_objective`).

  SHAPING_FIELDS names the fields (or derived properties) that decide which
  variables the objective creates; they must match on resume.
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

  @property
  def has_aux_head(self) -> bool:
    """Whether an extra classification head is created on D's features."""
    return self.aux != "none" and self.critic == "projection"

  @property
  def has_penalty(self) -> bool:
    """Whether a gradient penalty (and its random generator) is used."""
    return self.penalty != "none"
