"""Every GAN loss of the library, as pure functions on tensors.

* `elementwise`: the per-element terms of the adversarial and ACGAN losses
  (unreduced, dtype kept); the batch-mean losses below and TF-GAN's
  weighted forms (`tfgan_ext.tfgan.losses`) reduce them.
* `adversarial`: the standard unconditional losses (TF-GAN's set, in SQD's
  Table 1 per-term form).
* `classification`: auxiliary classifier losses, MHGAN's multi-hinge
  (Kavalerov et al.) and ACGAN's cross-entropy.
* `penalties`: input-gradient penalties on D (WGAN-GP, DRAGAN, 0-GP, LP).
* `aw`: the adaptive real / fake weights of aw-loss (Zadorozhnyy et al.,
  Algorithm 1, eq. 2).
* `magan`: MAGAN's energies, losses and margin adaptation (Wang et al.).

Nothing here imports the objectives or the train loop.
"""

from tfgan_ext.losses import aw
from tfgan_ext.losses import elementwise
from tfgan_ext.losses import magan
from tfgan_ext.losses.adversarial import ADVERSARIAL_LOSSES
from tfgan_ext.losses.adversarial import AdversarialLoss
from tfgan_ext.losses.adversarial import get_adversarial_loss
from tfgan_ext.losses.adversarial import hinge_discriminator_loss
from tfgan_ext.losses.adversarial import hinge_generator_loss
from tfgan_ext.losses.adversarial import least_squares_discriminator_loss
from tfgan_ext.losses.adversarial import least_squares_generator_loss
from tfgan_ext.losses.adversarial import minimax_generator_loss
from tfgan_ext.losses.adversarial import nonsaturating_discriminator_loss
from tfgan_ext.losses.adversarial import nonsaturating_generator_loss
from tfgan_ext.losses.adversarial import wasserstein_discriminator_loss
from tfgan_ext.losses.adversarial import wasserstein_generator_loss
from tfgan_ext.losses.aw import aw_weights
from tfgan_ext.losses.aw import aw_weights_and_case
from tfgan_ext.losses.aw import combine_gradients
from tfgan_ext.losses.aw import mean_score
from tfgan_ext.losses.classification import CLASSIFICATION_LOSSES
from tfgan_ext.losses.classification import ClassificationLoss
from tfgan_ext.losses.classification import acgan_loss
from tfgan_ext.losses.classification import get_classification_loss
from tfgan_ext.losses.classification import multi_hinge_loss
from tfgan_ext.losses.magan import convergence_measure
from tfgan_ext.losses.magan import magan_discriminator_loss
from tfgan_ext.losses.magan import magan_generator_loss
from tfgan_ext.losses.magan import margin_update_condition
from tfgan_ext.losses.magan import reconstruction_energy
from tfgan_ext.losses.magan import update_margin
from tfgan_ext.losses.penalties import PENALTY_KINDS
from tfgan_ext.losses.penalties import gradient_penalty
from tfgan_ext.losses.penalties import input_gradient_norms_squared
from tfgan_ext.losses.penalties import penalty_points

__all__ = [
    "ADVERSARIAL_LOSSES",
    "AdversarialLoss",
    "CLASSIFICATION_LOSSES",
    "ClassificationLoss",
    "PENALTY_KINDS",
    "acgan_loss",
    "aw",
    "aw_weights",
    "aw_weights_and_case",
    "combine_gradients",
    "convergence_measure",
    "elementwise",
    "get_adversarial_loss",
    "get_classification_loss",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "input_gradient_norms_squared",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "magan",
    "magan_discriminator_loss",
    "magan_generator_loss",
    "margin_update_condition",
    "mean_score",
    "minimax_generator_loss",
    "multi_hinge_loss",
    "nonsaturating_discriminator_loss",
    "nonsaturating_generator_loss",
    "penalty_points",
    "reconstruction_energy",
    "update_margin",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]
