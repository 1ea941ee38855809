"""Pure-function GAN losses, classifier losses and gradient penalties."""

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
from tfgan_ext.losses.classification import CLASSIFICATION_LOSSES
from tfgan_ext.losses.classification import ClassificationLoss
from tfgan_ext.losses.classification import acgan_loss
from tfgan_ext.losses.classification import get_classification_loss
from tfgan_ext.losses.classification import multi_hinge_loss
from tfgan_ext.losses.penalties import PENALTY_KINDS
from tfgan_ext.losses.penalties import gradient_penalty
from tfgan_ext.losses.penalties import penalty_points

__all__ = [
    "ADVERSARIAL_LOSSES",
    "AdversarialLoss",
    "CLASSIFICATION_LOSSES",
    "ClassificationLoss",
    "PENALTY_KINDS",
    "acgan_loss",
    "get_adversarial_loss",
    "get_classification_loss",
    "gradient_penalty",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_generator_loss",
    "multi_hinge_loss",
    "nonsaturating_discriminator_loss",
    "nonsaturating_generator_loss",
    "penalty_points",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]
