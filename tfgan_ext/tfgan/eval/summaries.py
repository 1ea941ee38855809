"""TF-GAN's summary helpers in TensorFlow 2 (tensorflow_gan 2.1.0,
`tfgan.eval.summaries`).

They write `tf.summary` events to the default writer at the default step,
so call them under `with writer.as_default(step=step):` (or after
`tf.summary.experimental.set_step`); without a default writer they write
nothing. That is what TF-GAN's TF 1 summary calls do under TF 2 (they are
forwarded to TensorBoard's v2 ops): the same tags ("real_data",
"generated_data", "image_comparison", ...), and float images clipped to
[0, 1] by `tf.summary.image` (map [-1, 1] images to [0, 1] first to see
them whole).

The models are duck-typed TF-GAN namedtuples (`GANModel`, `CycleGANModel`,
`StarGANModel`): only the fields used are read. Two TF 1 parts have TF 2
replacements: `add_stargan_image_summaries` calls `generator_fn` directly
(TF-GAN re-entered `generator_scope` to reuse the variables, so
`generator_fn` must reuse its weights itself, as a Keras model does), and
`add_regularization_loss_summaries` sums the Keras `losses` of
`generator_fn` / `discriminator_fn` (TF 1 collected them per variable
scope; a network given only as a TF 1 scope raises UnavailableError).
"""

from __future__ import annotations

from typing import Any, List

import tensorflow as tf

from tfgan_ext.errors import InputError, UnavailableError
from tfgan_ext.tfgan.eval import images as _images

__all__ = [
    "add_cyclegan_image_summaries",
    "add_gan_model_image_summaries",
    "add_gan_model_summaries",
    "add_image_comparison_summaries",
    "add_regularization_loss_summaries",
    "add_stargan_image_summaries",
]


def _write_image(name: str, images: tf.Tensor, max_outputs: int) -> None:
  tf.summary.image(name, images, max_outputs=max_outputs)


def _check_image(data: Any, field: str) -> tf.Tensor:
  data = tf.convert_to_tensor(data)
  if data.shape.rank != 4 or not data.shape[1:].is_fully_defined():
    raise InputError(f"{field} must be images [N, H, W, C] with H, W, C "
                     f"known, got shape {data.shape}.")
  return data


def _is_cyclegan(model: Any) -> bool:
  return hasattr(model, "model_x2y") and hasattr(model, "model_y2x")


def add_gan_model_image_summaries(gan_model: Any, grid_size: int = 4,
                                  model_summaries: bool = True) -> None:
  """Grids of the first grid_size^2 real and generated images ("real_data",
  "generated_data"); also `add_gan_model_summaries` if `model_summaries`.

  Raises:
    InputError: a CycleGANModel (use add_cyclegan_image_summaries), data that
      are not images, or fewer than grid_size^2 images.
  """
  if _is_cyclegan(gan_model):
    raise InputError("add_gan_model_image_summaries does not take "
                     "CycleGANModels; use add_cyclegan_image_summaries.")
  count = grid_size ** 2
  for name, field in (("real_data", "real_data"),
                      ("generated_data", "generated_data")):
    data = _check_image(getattr(gan_model, field), field)[:count]
    _write_image(name, _images.image_grid(
        data, grid_shape=(grid_size, grid_size),
        image_shape=tuple(data.shape[1:3]), num_channels=data.shape[3]), 1)
  if model_summaries:
    add_gan_model_summaries(gan_model)


def add_cyclegan_image_summaries(cyclegan_model: Any) -> None:
  """For each direction, input | output | reconstruction of the first
  example ("x2y_image_comparison_summaries/image_comparison", ...)."""
  if not _is_cyclegan(cyclegan_model):
    raise InputError(f"cyclegan_model was not a CycleGANModel. Instead, was "
                     f"{type(cyclegan_model).__name__}.")
  for scope, model, reconstructed in (
      ("x2y_image_comparison_summaries", cyclegan_model.model_x2y,
       cyclegan_model.reconstructed_x),
      ("y2x_image_comparison_summaries", cyclegan_model.model_y2x,
       cyclegan_model.reconstructed_y)):
    parts = [_check_image(model.generator_inputs, "generator_inputs"),
             _check_image(model.generated_data, "generated_data"),
             _check_image(reconstructed, "reconstructed data")]
    row = [image for part in parts for image in tf.unstack(part[:1])]
    with tf.name_scope(scope):
      _write_image("image_comparison",
                   _images.image_reshaper(row, num_cols=len(row)), 1)


def add_image_comparison_summaries(gan_model: Any, num_comparisons: int = 2,
                                   display_diffs: bool = False) -> None:
  """Columns of (generator input, generated, real[, |generated - real|]) for
  the first `num_comparisons` examples ("image_comparison")."""
  inputs = _check_image(gan_model.generator_inputs, "generator_inputs")
  generated = _check_image(gan_model.generated_data, "generated_data")
  real = _check_image(gan_model.real_data, "real_data")
  if not (generated.shape.is_compatible_with(inputs.shape)
          and real.shape.is_compatible_with(generated.shape)):
    raise InputError(f"generator_inputs {inputs.shape}, generated_data "
                     f"{generated.shape} and real_data {real.shape} must "
                     f"have the same shape.")
  image_list: List[tf.Tensor] = []
  for part in (inputs, generated, real):
    image_list.extend(tf.unstack(part[:num_comparisons]))
  if display_diffs:
    image_list.extend(tf.unstack(tf.abs(
        tf.cast(generated[:num_comparisons], tf.float32)
        - tf.cast(real[:num_comparisons], tf.float32))))
  _write_image("image_comparison",
               _images.image_reshaper(image_list, num_cols=num_comparisons), 1)


def add_stargan_image_summaries(stargan_model: Any, num_images: int = 2,
                                display_diffs: bool = False) -> None:
  """Per example: the input, then its translation to every domain (and a
  second row of differences with `display_diffs`)
  ("stargan_image_generation").

  `stargan_model.generator_fn(images, one_hot_targets)` is called directly;
  it must reuse its weights (e.g. a Keras model).
  """
  inputs = _check_image(stargan_model.input_data, "input_data")
  labels = tf.convert_to_tensor(stargan_model.input_data_domain_label)
  if labels.shape.rank != 2 or labels.shape[1] is None:
    raise InputError(f"input_data_domain_label must be [N, num_domains] with "
                     f"num_domains known, got {labels.shape}.")
  domains = int(labels.shape[1])
  targets = tf.one_hot(list(range(domains)), domains)

  def panel(image: tf.Tensor) -> tf.Tensor:
    tiled = tf.tile(image[tf.newaxis], [domains, 1, 1, 1])
    generated = stargan_model.generator_fn(tiled, targets)
    tiles = [image] + tf.unstack(generated)
    if display_diffs:
      tiles += [tf.zeros_like(image)] + tf.unstack(generated - tiled)
    return _images.image_reshaper(tiles, num_cols=domains + 1)[0]

  panels = tf.stack([panel(image) for image in tf.unstack(inputs[:num_images])])
  _write_image("stargan_image_generation", panels, num_images)


def _variable_name(variable: Any) -> str:
  name = getattr(variable, "path", None) or variable.name
  return name.split(":")[0]


def add_gan_model_summaries(gan_model: Any) -> None:
  """Histograms of the generator's and discriminator's variables (both
  directions of a CycleGANModel)."""
  if _is_cyclegan(gan_model):
    with tf.name_scope("cyclegan_x2y_summaries"):
      add_gan_model_summaries(gan_model.model_x2y)
    with tf.name_scope("cyclegan_y2x_summaries"):
      add_gan_model_summaries(gan_model.model_y2x)
    return
  for scope, variables in (
      ("generator_variables", gan_model.generator_variables),
      ("discriminator_variables", gan_model.discriminator_variables)):
    with tf.name_scope(scope):
      for variable in variables or []:
        tf.summary.histogram(_variable_name(variable), variable)


def _regularization_loss(network: Any, scope: Any, role: str):
  """The summed Keras regularization losses of `network`, or None."""
  losses = getattr(network, "losses", None)
  if isinstance(losses, (list, tuple)):
    if not losses:
      return tf.constant(0.0)
    return tf.add_n([tf.cast(loss, tf.float32) for loss in losses])
  if scope:
    raise UnavailableError(
        f"add_regularization_loss_summaries: the {role} is given as a TF 1 "
        f"variable scope, whose regularization-loss collection does not "
        f"exist in TF 2. Pass the {role} network as a Keras model "
        f"({role}_fn), whose .losses are summed, or write "
        f"tf.summary.scalar('{role}_regularization_loss', "
        f"tf.add_n(model.losses)) yourself.")
  return None


def add_regularization_loss_summaries(gan_model: Any) -> None:
  """Scalars "generator_regularization_loss" and
  "discriminator_regularization_loss": the sums of the networks' Keras
  `losses` (both directions of a CycleGANModel)."""
  if _is_cyclegan(gan_model):
    with tf.name_scope("cyclegan_x2y_regularization_loss_summaries"):
      add_regularization_loss_summaries(gan_model.model_x2y)
    with tf.name_scope("cyclegan_y2x_regularization_loss_summaries"):
      add_regularization_loss_summaries(gan_model.model_y2x)
    return
  for role in ("generator", "discriminator"):
    loss = _regularization_loss(getattr(gan_model, f"{role}_fn", None),
                                getattr(gan_model, f"{role}_scope", None),
                                role)
    if loss is not None:
      tf.summary.scalar(f"{role}_regularization_loss", loss)
