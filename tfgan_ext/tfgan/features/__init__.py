"""`tfgan.features`: TF-GAN 2.1.0's features on TensorFlow 2.

Spectral normalization, instance / group normalization, virtual batch
normalization, conditioning, the tensor pool and weight clipping, with
TF-GAN's names, arguments and numbers. Where TF-GAN kept state in TF 1
variable scopes or graph queues, the state is explicit here (see each
module's docstring): a `u_variable` (or the weight variable itself) for
spectral norm, `beta=` / `gamma=` for the normalizations, a `layer=` for
conditioning, a `pool=` for the tensor pool. The state holders
(`ConditionTensor`, `ConditionTensorFromOnehot`, `TensorPool`,
`spectral_norm_u_variable`) are exported too; they are not TF-GAN names.
"""

from tfgan_ext.tfgan.features.clip_weights import VariableClippingOptimizer
from tfgan_ext.tfgan.features.clip_weights import clip_discriminator_weights
from tfgan_ext.tfgan.features.clip_weights import clip_variables
from tfgan_ext.tfgan.features.conditioning_utils import ConditionTensor
from tfgan_ext.tfgan.features.conditioning_utils import (
    ConditionTensorFromOnehot)
from tfgan_ext.tfgan.features.conditioning_utils import condition_tensor
from tfgan_ext.tfgan.features.conditioning_utils import (
    condition_tensor_from_onehot)
from tfgan_ext.tfgan.features.normalization import group_norm
from tfgan_ext.tfgan.features.normalization import instance_norm
from tfgan_ext.tfgan.features.random_tensor_pool import TensorPool
from tfgan_ext.tfgan.features.random_tensor_pool import tensor_pool
from tfgan_ext.tfgan.features.spectral_normalization import (
    compute_spectral_norm)
from tfgan_ext.tfgan.features.spectral_normalization import (
    spectral_norm_regularizer)
from tfgan_ext.tfgan.features.spectral_normalization import (
    spectral_norm_u_variable)
from tfgan_ext.tfgan.features.spectral_normalization import (
    spectral_normalization_custom_getter)
from tfgan_ext.tfgan.features.spectral_normalization import spectral_normalize
from tfgan_ext.tfgan.features.virtual_batchnorm import VBN

# TF-GAN's names (its `tfgan.features.__all__`).
__all__ = [
    "VBN",
    "VariableClippingOptimizer",
    "clip_discriminator_weights",
    "clip_variables",
    "compute_spectral_norm",
    "condition_tensor",
    "condition_tensor_from_onehot",
    "group_norm",
    "instance_norm",
    "spectral_norm_regularizer",
    "spectral_normalization_custom_getter",
    "spectral_normalize",
    "tensor_pool",
]
