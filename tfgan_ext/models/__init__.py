"""Model architectures and the factory that builds a (G, D) pair from a config."""

from __future__ import annotations

import dataclasses
from typing import Callable, Optional

import keras

from tfgan_ext.config_checks import (MAX_IMAGE_SIZE, check_field_types,
                                     require_choice, require_int,
                                     require_number)
from tfgan_ext.errors import InputError
from tfgan_ext.models import sagan, small
from tfgan_ext.nn.normalization import DEFAULT_DECAY

ARCHITECTURES = ("sagan", "dcgan", "mlp")
CUSTOM = "custom"  # ModelConfig.architecture of networks the caller builds.


@dataclasses.dataclass(frozen=True)
class ModelConfig:
  """Everything that shapes the networks' variables.

  A resumed run must match the saved ModelConfig exactly. (The batch-norm
  moving-average settings shape no variables but decide what they hold.)
  The fields are checked when the config is made (`validate`); with
  architecture "custom" (networks built by the caller) only image_size,
  channels, num_classes and z_dim are.
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
    self.validate()

  def validate(self) -> None:
    """Raises InputError, naming the flag, for a field no network can be
    built with (runs when the config is made)."""
    check_field_types(self)
    known = sorted(_BUILDERS) + [CUSTOM]
    require_choice("--architecture", self.architecture, known,
                   f"Use {CUSTOM!r} for networks built by the caller.")
    require_int("--image_size", self.image_size, 1)
    require_int("--channels", self.channels, 1)
    require_int("--num_classes", self.num_classes, -1,
                hint="Use 0 for an unconditional model, -1 for all of the "
                "dataset's classes (resolved by the Trainer before the run's "
                "config.json is written: tfgan_ext.train.resolve).")
    require_int("--z_dim", self.z_dim, 1)
    if self.architecture == CUSTOM:
      return  # The other fields describe built-in networks only.
    require_int("--image_size", self.image_size, 1, MAX_IMAGE_SIZE,
                hint="The built-in architectures are meant for sides up to "
                f"{MAX_IMAGE_SIZE}.")
    require_int("--gf", self.gf, 1)
    require_int("--df", self.df, 1)
    require_int("--attention_resolution", self.attention_resolution, 0)
    require_number("--bn_decay", self.bn_decay, low=0.0, high=1.0,
                   high_open=True, hint="Batch-norm decay must be in [0, 1): "
                   "e.g. --bn_decay=0.999 (TF-GAN) or 0.99.")
    require_int("--mlp_g_layers", self.mlp_g_layers, 1,
                hint="An MLP needs at least one hidden layer.")
    require_int("--mlp_d_layers", self.mlp_d_layers, 1,
                hint="An MLP needs at least one hidden layer.")
    require_choice("--mlp_d_activation", self.mlp_d_activation,
                   small.MLP_ACTIVATIONS)
    require_number("--mlp_d_input_scale", self.mlp_d_input_scale, low=0.0,
                   low_open=True, hint="It is the MLP discriminator's input scale.")
    require_number("--mlp_orthogonal_gain", self.mlp_orthogonal_gain,
                   low=0.0, hint="Use 0 for Glorot uniform initialization.")
    if self.architecture != "sagan" and self.attention_resolution:
      raise InputError(
          f"--attention_resolution={self.attention_resolution} places "
          f"SAGAN's non-local block; --architecture={self.architecture} has "
          "none. Drop --attention_resolution (or use --architecture=sagan).")
    check = _CHECKS.get(self.architecture)
    if check is not None:
      check(self)


def _check_sagan(c: ModelConfig) -> None:
  sagan.num_blocks(c.image_size)  # Power-of-2 sizes >= 8 only.
  sagan.check_attention_resolution(c.image_size, c.attention_resolution)


def _check_mlp(c: ModelConfig) -> None:
  if c.mlp_orthogonal_gain and c.spectral_norm:
    raise InputError("--mlp_orthogonal_gain initializes plain dense layers: "
                     "add --nospectral_norm, or set the orthogonal gain to "
                     "0.")


def _image_size_divisible_by(divisor: int) -> Callable[[ModelConfig], None]:
  def check(c: ModelConfig) -> None:
    if c.image_size % divisor:
      raise InputError(
          f"--architecture={c.architecture} needs an --image_size divisible "
          f"by {divisor}; got {c.image_size}.")
  return check


def _check_magan_mnist(c: ModelConfig) -> None:
  _image_size_divisible_by(4)(c)
  if c.num_classes:
    raise InputError("magan_mnist's generator is unconditional: use "
                     f"--num_classes=0 (got {c.num_classes}).")


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

# Checks a ModelConfig of the architecture runs when it is made.
_CHECKS: dict[str, Callable[[ModelConfig], None]] = {
    "sagan": _check_sagan, "dcgan": _image_size_divisible_by(4),
    "mlp": _check_mlp}


# Extra architectures (e.g. auto-encoder discriminators) register here.
def register_architecture(
    name: str, builder: Callable[[ModelConfig], tuple],
    check: Optional[Callable[[ModelConfig], None]] = None) -> None:
  """Adds a builder mapping a ModelConfig to a (generator, discriminator),
  and optionally a check of the config (raising InputError) that runs when
  a ModelConfig of this architecture is made."""
  if name == CUSTOM:
    raise InputError(f"{CUSTOM!r} is reserved for networks built by the "
                     "caller; register the architecture under another name.")
  _BUILDERS[name] = builder
  if check is not None:
    _CHECKS[name] = check


def build_models(config: ModelConfig) -> tuple[keras.Model, keras.Model]:
  """Returns an unbuilt (generator, discriminator) pair for `config`."""
  if config.architecture == CUSTOM:
    raise InputError(f"A {CUSTOM!r} ModelConfig describes networks built by "
                     "the caller; there is nothing to build from it.")
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
_AE_CHECKS = {"ae_mlp": _image_size_divisible_by(4),  # DCGAN's generator.
              "ae_conv": _image_size_divisible_by(8),
              "magan_mnist": _check_magan_mnist}
for _name, _builder in autoencoder.BUILDERS.items():
  register_architecture(_name, _builder, _AE_CHECKS.get(_name))
ARCHITECTURES = ARCHITECTURES + tuple(autoencoder.BUILDERS)
