"""Model architectures and the factory that builds a (G, D) pair from a config."""

from __future__ import annotations

import dataclasses
from typing import Callable

import keras

from tfgan_ext.errors import InputError
from tfgan_ext.models import sagan, small
from tfgan_ext.nn.normalization import DEFAULT_DECAY

ARCHITECTURES = ("sagan", "dcgan", "mlp")


@dataclasses.dataclass(frozen=True)
class ModelConfig:
  """Everything that shapes the networks' variables.

  A resumed run must match the saved ModelConfig exactly. (The batch-norm
  moving-average settings shape no variables but decide what they hold.)
  """
  architecture: str = "sagan"
  image_size: int = 32          # Side of square images (ignored by "mlp").
  channels: int = 3             # Image channels, or point dimension for "mlp".
  num_classes: int = 0          # 0 = unconditional.
  z_dim: int = 128
  gf: int = 64                  # Generator width (MLP hidden units).
  df: int = 64                  # Discriminator width (MLP hidden units).
  attention_resolution: int = 0  # SAGAN's non-local block; 0 = the default.
  spectral_norm: bool = True    # Small nets only; SAGAN always uses it.
  bn_decay: float = DEFAULT_DECAY  # G's batch-norm moving averages.
  bn_zero_debias: bool = True   # Debiased averages (False: TF-GAN's plain).
  # "mlp" only (defaults: the networks built before these options existed).
  mlp_g_layers: int = 2         # G's hidden ReLU layers.
  mlp_d_layers: int = 2         # D's hidden layers.
  mlp_d_activation: str = "leaky_relu"  # D's hidden activation, or "relu".
  mlp_d_input_scale: float = 1.0  # D multiplies its input by this first.
  mlp_orthogonal_gain: float = 0.0  # 0: Glorot uniform; g: orthogonal * g.

  def __post_init__(self):
    # The default position is stored as 0, also when asked for by value, so
    # configs saved when the default was always 32 match where it builds the
    # same network (all sizes but SAGAN's 32x32, which is a new network).
    default = (sagan.default_attention_resolution(self.image_size)
               if self.architecture == "sagan" else 32)
    if self.attention_resolution == default:
      object.__setattr__(self, "attention_resolution", 0)


def _build_sagan(c: ModelConfig):
  sagan.num_blocks(c.image_size)  # Validates the size up front.
  return (sagan.SaganGenerator(c.image_size, c.channels, c.gf, c.z_dim,
                               c.num_classes, c.attention_resolution,
                               bn_decay=c.bn_decay,
                               bn_zero_debias=c.bn_zero_debias,
                               name="generator"),
          sagan.SaganDiscriminator(c.image_size, c.df, c.num_classes,
                                   c.attention_resolution,
                                   name="discriminator"))


def _build_dcgan(c: ModelConfig):
  return (small.DcganGenerator(c.image_size, c.channels, c.gf, c.z_dim,
                               c.num_classes, bn_decay=c.bn_decay,
                               bn_zero_debias=c.bn_zero_debias,
                               name="generator"),
          small.DcganDiscriminator(c.image_size, c.df, c.num_classes,
                                   c.spectral_norm, name="discriminator"))


def _build_mlp(c: ModelConfig):
  return (small.MlpGenerator(c.channels, c.gf, c.mlp_g_layers, c.z_dim,
                             c.num_classes,
                             orthogonal_gain=c.mlp_orthogonal_gain,
                             name="generator"),
          small.MlpDiscriminator(c.df, c.mlp_d_layers, c.num_classes,
                                 c.spectral_norm,
                                 activation=c.mlp_d_activation,
                                 input_scale=c.mlp_d_input_scale,
                                 orthogonal_gain=c.mlp_orthogonal_gain,
                                 name="discriminator"))


_BUILDERS: dict[str, Callable[[ModelConfig], tuple]] = {
    "sagan": _build_sagan, "dcgan": _build_dcgan, "mlp": _build_mlp}

# Extra architectures (e.g. auto-encoder discriminators) register here.
def register_architecture(name: str,
                          builder: Callable[[ModelConfig], tuple]) -> None:
  """Adds a builder mapping a ModelConfig to a (generator, discriminator)."""
  _BUILDERS[name] = builder


def build_models(config: ModelConfig) -> tuple[keras.Model, keras.Model]:
  """Returns an unbuilt (generator, discriminator) pair for `config`."""
  if config.architecture not in _BUILDERS:
    raise InputError(f"Unknown architecture {config.architecture!r}; choose "
                     f"one of {sorted(_BUILDERS)}.")
  return _BUILDERS[config.architecture](config)


def sample_shape(config: ModelConfig) -> tuple[int, ...]:
  """Shape of one sample (without batch) that G produces and D consumes."""
  if config.architecture == "mlp":
    return (config.channels,)
  return (config.image_size, config.image_size, config.channels)


# Auto-encoder discriminators (MAGAN / EBGAN): tfgan_ext.models.autoencoder.
from tfgan_ext.models import autoencoder  # pylint: disable=g-import-not-at-top
for _name, _builder in autoencoder.BUILDERS.items():
  register_architecture(_name, _builder)
ARCHITECTURES = ARCHITECTURES + tuple(autoencoder.BUILDERS)
