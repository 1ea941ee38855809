"""What a user's generator and discriminator must be: the one statement.

`tfgan_ext.GAN` and the model_dir `Trainer` accept two kinds of networks.

**Keras networks** (keras.io's GAN examples), any `keras.Model` or layer:

  generator      unconditional: ``G(z, training=...)``
                 conditional:   ``G([z, labels], training=...)``
                 z: float32 [B, latent_dim]; labels: int32 [B] in
                 [0, num_classes). Returns one float tensor [B, *sample_shape]:
                 images [B, H, W, C] in [-1, 1] (tanh), or points [B, d].
  discriminator  unconditional: ``D(x, training=...)``
                 conditional:   ``D([x, labels], training=...)``
                 Returns the logits, [B] or [B, 1], or
                 ``(logits, features)`` (a tuple or list) or
                 ``{"logits": ..., "features": ...}`` with features [B, F].

  The features (D's penultimate activations) are needed only by an
  auxiliary classifier head (``aux="multi_hinge"`` / ``"acgan"``). A
  conditional D decides itself how it uses the labels (a projection
  ``keras.layers.Embedding``, a concatenated one-hot, ...). ``training`` is
  passed on every call (True in the train step, False for samples), as
  batch norm and dropout need.

**Native networks** (`tfgan_ext.models`, or your own following them): the
call takes the labels as a separate argument, ``G(z, labels=None,
training=False)`` and ``D(x, labels=None, training=False) -> (logits [B],
features [B, F])``, and D has the attributes ``num_classes`` and
``feature_dim``. They are used as they are; they are also what
``critic="shared"`` (D's ``class_scores(features)``), ``ssl=True`` and
the energy objectives (D's ``energy(x)``, an auto-encoder D from
`tfgan_ext.models.autoencoder`) need. A network is native when its
``call`` has a parameter named ``labels``.

`check_networks` calls both networks once on a batch of 2 (which also
builds them) and raises `InputError` saying which rule is broken.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Optional

import keras
import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = ["DiscriminatorAdapter", "GeneratorAdapter", "NetworkSpec",
           "adapt_discriminator", "adapt_generator", "check_networks",
           "infer_latent_dim", "is_native"]

CONTRACT = ("see tfgan_ext.contract (docs/python-api.md, 'Your networks')")


def is_native(network: Any) -> bool:
  """Whether `network` follows the native contract (its call takes
  `labels`)."""
  call = getattr(network, "call", None)
  if call is None:
    return False
  try:
    return "labels" in inspect.signature(call).parameters
  except (TypeError, ValueError):
    return False


def infer_latent_dim(generator: Any) -> Optional[int]:
  """The noise size of `generator`: its `z_dim` attribute (native), else
  the last dimension of a functional model's first input; None if
  unknown."""
  z_dim = getattr(generator, "z_dim", None)
  if isinstance(z_dim, int) and z_dim > 0:
    return z_dim
  try:
    inputs = generator.inputs
  except (AttributeError, ValueError):
    return None
  if not inputs:
    return None
  size = inputs[0].shape[-1]
  return int(size) if size is not None else None


def _to_float32(x: tf.Tensor) -> tf.Tensor:
  return x if x.dtype == tf.float32 else tf.cast(x, tf.float32)


class GeneratorAdapter:
  """A Keras-contract generator seen through the native call
  ``(z, labels=None, training=False) -> samples``."""

  def __init__(self, model: Any, num_classes: int):
    self.model = model
    self.num_classes = int(num_classes)

  def __call__(self, z, labels=None, training=False):
    if self.num_classes > 0:
      return self.model([z, labels], training=training)
    return self.model(z, training=training)

  @property
  def variables(self):
    return self.model.variables

  @property
  def trainable_variables(self):
    return self.model.trainable_variables


class DiscriminatorAdapter:
  """A Keras-contract discriminator seen through the native call
  ``(x, labels=None, training=False) -> (logits [B], features or None)``,
  with the attributes `num_classes` and `feature_dim` (0 without
  features)."""

  def __init__(self, model: Any, num_classes: int, feature_dim: int = 0):
    self.model = model
    self.num_classes = int(num_classes)
    self.feature_dim = int(feature_dim)

  def __call__(self, images, labels=None, training=False):
    if self.num_classes > 0:
      out = self.model([images, labels], training=training)
    else:
      out = self.model(images, training=training)
    logits, features = split_outputs(out)
    logits = _to_float32(logits)
    if logits.shape.rank == 2 and logits.shape[1] == 1:
      logits = tf.squeeze(logits, axis=1)
    if features is not None:
      features = _to_float32(features)
    return logits, features

  @property
  def variables(self):
    return self.model.variables

  @property
  def trainable_variables(self):
    return self.model.trainable_variables


def split_outputs(out: Any) -> tuple[tf.Tensor, Optional[tf.Tensor]]:
  """(logits, features or None) of a Keras-contract D's output."""
  if isinstance(out, dict):
    if "logits" not in out:
      raise InputError(
          f"The discriminator returned a dict with keys {sorted(out)}; it "
          f"needs a 'logits' key (and 'features' for an aux head); "
          f"{CONTRACT}.")
    return out["logits"], out.get("features")
  if isinstance(out, (tuple, list)):
    if len(out) != 2:
      raise InputError(
          f"The discriminator returned {len(out)} outputs; return the "
          f"logits alone or (logits, features); {CONTRACT}.")
    return out[0], out[1]
  return out, None


def adapt_generator(generator: Any, num_classes: int) -> Any:
  """`generator` itself when native, else a `GeneratorAdapter`."""
  return generator if is_native(generator) else GeneratorAdapter(
      generator, num_classes)


def adapt_discriminator(discriminator: Any, num_classes: int,
                        feature_dim: int = 0) -> Any:
  """`discriminator` itself when native, else a `DiscriminatorAdapter`."""
  if is_native(discriminator):
    return discriminator
  return DiscriminatorAdapter(discriminator, num_classes, feature_dim)


@dataclasses.dataclass(frozen=True)
class NetworkSpec:
  """What `check_networks` learned: noise size, one sample's shape, the
  number of classes, D's feature size (0: none) and whether each network
  is native."""
  latent_dim: int
  sample_shape: tuple[int, ...]
  num_classes: int
  feature_dim: int
  native_generator: bool
  native_discriminator: bool


def _call(what: str, fn, *args, **kwargs):
  try:
    return fn(*args, **kwargs)
  except InputError:
    raise
  except Exception as err:  # The user's network: report it as input.
    raise InputError(
        f"Calling the {what} failed: {type(err).__name__}: {err}. "
        f"{CONTRACT}.") from err


def check_networks(generator: Any, discriminator: Any, *,
                   latent_dim: Optional[int] = None, num_classes: int = 0,
                   needs_features: bool = False) -> NetworkSpec:
  """Checks that G and D meet the contract (module docstring) by calling
  them once on a batch of 2 in inference mode, which also builds them.

  Args:
    generator, discriminator: Keras-contract or native networks.
    latent_dim: noise size; None infers it (`infer_latent_dim`).
    num_classes: 0 for unconditional networks, else the number of classes
      both networks are conditioned on.
    needs_features: whether the objective needs D's features [B, F].

  Returns:
    A `NetworkSpec`.

  Raises:
    InputError: naming the rule that is broken and what to do.
  """
  for what, net in (("generator", generator), ("discriminator", discriminator)):
    if not callable(net):
      raise InputError(f"The {what} must be a callable Keras model or layer; "
                       f"got {type(net).__name__}.")
  if num_classes < 0:
    raise InputError(f"num_classes must be >= 0 (0: unconditional); got "
                     f"{num_classes}.")
  latent_dim = latent_dim if latent_dim is not None else infer_latent_dim(
      generator)
  if latent_dim is None:
    raise InputError(
        "latent_dim is not given and the generator does not show it (no "
        "functional input shape or z_dim attribute): pass latent_dim=.")
  if int(latent_dim) < 1:
    raise InputError(f"latent_dim must be >= 1; got {latent_dim}.")
  latent_dim = int(latent_dim)
  g = adapt_generator(generator, num_classes)
  d = adapt_discriminator(discriminator, num_classes)
  z = tf.zeros([2, latent_dim])
  labels = tf.zeros([2], tf.int32)
  samples = _call("generator", g, z, labels, training=False)
  if not isinstance(samples, (tf.Tensor, tf.Variable)) and not (
      keras.ops.is_tensor(samples)):
    raise InputError(
        f"The generator returned {type(samples).__name__}; it must return "
        f"one tensor of samples [B, ...]; {CONTRACT}.")
  samples = tf.convert_to_tensor(samples)
  if samples.shape.rank is None or samples.shape.rank < 2 or (
      samples.shape[0] != 2) or not samples.dtype.is_floating:
    raise InputError(
        f"The generator mapped z [2, {latent_dim}] to {samples.dtype.name} "
        f"{samples.shape}; it must return float samples [2, ...]; "
        f"{CONTRACT}.")
  out = _call("discriminator", d, samples, labels if num_classes else None,
              training=False)
  logits, features = out
  if logits.shape.rank not in (1,) or logits.shape[0] != 2:
    raise InputError(
        f"The discriminator returned logits of shape {logits.shape} for 2 "
        f"samples; it must return one logit per sample, [B] or [B, 1]; "
        f"{CONTRACT}.")
  native_d = is_native(discriminator)
  if native_d:
    feature_dim = int(getattr(discriminator, "feature_dim", 0) or 0)
  else:
    feature_dim = 0
    if features is not None:
      if features.shape.rank != 2 or features.shape[0] != 2:
        raise InputError(
            f"The discriminator's features have shape {features.shape}; "
            f"they must be [B, F]; {CONTRACT}.")
      feature_dim = int(features.shape[1])
  if needs_features and feature_dim < 1:
    raise InputError(
        "This objective's auxiliary classifier reads D's features, but the "
        "discriminator returns logits only: return (logits, features) with "
        f"features [B, F] (e.g. D's penultimate layer); {CONTRACT}.")
  return NetworkSpec(latent_dim, tuple(int(s) for s in samples.shape[1:]),
                     int(num_classes), feature_dim, is_native(generator),
                     native_d)
