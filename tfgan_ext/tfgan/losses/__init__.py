"""`tfgan.losses`: TF-GAN 2.1.0's losses and penalties on TensorFlow 2.

`tfgan.losses.<name>(gan_model, ...)` takes a model namedtuple
(`tuple_losses`); `tfgan.losses.wargs.<name>(tensors, ...)` takes the tensors
(`wargs`). Both have TF-GAN's names, arguments, defaults and numbers.
"""

from tfgan_ext.tfgan.losses import wargs
from tfgan_ext.tfgan.losses.tuple_losses import acgan_discriminator_loss
from tfgan_ext.tfgan.losses.tuple_losses import acgan_generator_loss
from tfgan_ext.tfgan.losses.tuple_losses import combine_adversarial_loss
from tfgan_ext.tfgan.losses.tuple_losses import cycle_consistency_loss
from tfgan_ext.tfgan.losses.tuple_losses import (
    least_squares_discriminator_loss)
from tfgan_ext.tfgan.losses.tuple_losses import least_squares_generator_loss
from tfgan_ext.tfgan.losses.tuple_losses import minimax_discriminator_loss
from tfgan_ext.tfgan.losses.tuple_losses import minimax_generator_loss
from tfgan_ext.tfgan.losses.tuple_losses import modified_discriminator_loss
from tfgan_ext.tfgan.losses.tuple_losses import modified_generator_loss
from tfgan_ext.tfgan.losses.tuple_losses import mutual_information_penalty
from tfgan_ext.tfgan.losses.tuple_losses import (
    relativistic_discriminator_loss)
from tfgan_ext.tfgan.losses.tuple_losses import relativistic_generator_loss
from tfgan_ext.tfgan.losses.tuple_losses import (
    stargan_discriminator_loss_wrapper)
from tfgan_ext.tfgan.losses.tuple_losses import stargan_generator_loss_wrapper
from tfgan_ext.tfgan.losses.tuple_losses import (
    stargan_gradient_penalty_wrapper)
from tfgan_ext.tfgan.losses.tuple_losses import wasserstein_discriminator_loss
from tfgan_ext.tfgan.losses.tuple_losses import wasserstein_generator_loss
from tfgan_ext.tfgan.losses.tuple_losses import wasserstein_gradient_penalty
from tfgan_ext.tfgan.losses.tuple_losses import (
    wasserstein_hinge_discriminator_loss)
from tfgan_ext.tfgan.losses.tuple_losses import (
    wasserstein_hinge_generator_loss)
from tfgan_ext.tfgan.losses import tuple_losses as _tuple_losses

__all__ = ["wargs"] + list(_tuple_losses.__all__)
