"""TF-GAN's losses taking a model namedtuple (`tfgan.losses.<name>(gan_model,
...)`), built from the individual-argument forms in `wargs`.

`args_to_gan_model(fn)` reads each argument of `fn` whose name is a field
of the tuple from the tuple (e.g. `discriminator_real_outputs`,
`discriminator_gen_classification_logits`, `discriminator_fn`), with TF-GAN's
rules: a required argument that is not a field must be passed as a keyword;
a field may not also be passed as a keyword; an optional argument takes the
tuple's value when it is not None, else the keyword's, else its default.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import tensorflow as tf

from tfgan_ext.errors import InputError
from tfgan_ext.tfgan import namedtuples
from tfgan_ext.tfgan.losses import wargs

__all__ = [
    "acgan_discriminator_loss",
    "acgan_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "modified_discriminator_loss",
    "modified_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "relativistic_discriminator_loss",
    "relativistic_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_hinge_discriminator_loss",
    "wasserstein_hinge_generator_loss",
    "wasserstein_generator_loss",
    "wasserstein_gradient_penalty",
    "mutual_information_penalty",
    "combine_adversarial_loss",
    "cycle_consistency_loss",
    "stargan_generator_loss_wrapper",
    "stargan_discriminator_loss_wrapper",
    "stargan_gradient_penalty_wrapper",
]


def _renamed(new_fn: Callable[..., Any], loss_fn: Callable[..., Any],
             doc: str) -> Callable[..., Any]:
  new_fn.__name__ = loss_fn.__name__
  new_fn.__qualname__ = loss_fn.__name__
  new_fn.__doc__ = doc
  return new_fn


def args_to_gan_model(loss_fn: Callable[..., tf.Tensor]
                      ) -> Callable[..., tf.Tensor]:
  """`loss_fn(arg, ...)` -> `new_fn(gan_model, **kwargs)` (module docstring).

  Works with any namedtuple (GANModel, ACGANModel, InfoGANModel, ...).
  """
  params = inspect.signature(loss_fn).parameters
  required = {name for name, p in params.items()
              if p.default is inspect.Parameter.empty}
  defaults = {name: p.default for name, p in params.items()
              if p.default is not inspect.Parameter.empty}

  @tf.autograph.experimental.do_not_convert
  def new_loss_fn(gan_model, **kwargs):
    fields = set(gan_model._fields)
    from_tuple = set(params) & fields
    missing = sorted(name for name in required - from_tuple
                     if name not in kwargs)
    if missing:
      raise InputError(f"{loss_fn.__name__} needs {missing} as keyword "
                       f"arguments: {type(gan_model).__name__} has no such "
                       "field.")
    ambiguous = sorted(fields & set(kwargs))
    if ambiguous:
      raise InputError(f"{ambiguous} are fields of the "
                       f"{type(gan_model).__name__} passed to "
                       f"{loss_fn.__name__}; do not pass them as keywords too.")
    call = dict(kwargs)
    for name in required & from_tuple:
      call[name] = getattr(gan_model, name)
    for name, default in defaults.items():
      tuple_value = getattr(gan_model, name) if name in fields else None
      if tuple_value is not None:
        call[name] = tuple_value
      elif kwargs.get(name) is None:
        call[name] = default
    return loss_fn(**call)

  return _renamed(
      new_loss_fn, loss_fn,
      f"The gan_model form of `wargs.{loss_fn.__name__}`: arguments named "
      "like the tuple's fields are read from `gan_model`; pass the others as "
      "keywords.\n\n" + (loss_fn.__doc__ or ""))


wasserstein_generator_loss = args_to_gan_model(
    wargs.wasserstein_generator_loss)
wasserstein_discriminator_loss = args_to_gan_model(
    wargs.wasserstein_discriminator_loss)
wasserstein_hinge_generator_loss = args_to_gan_model(
    wargs.wasserstein_hinge_generator_loss)
wasserstein_hinge_discriminator_loss = args_to_gan_model(
    wargs.wasserstein_hinge_discriminator_loss)
wasserstein_gradient_penalty = args_to_gan_model(
    wargs.wasserstein_gradient_penalty)
acgan_discriminator_loss = args_to_gan_model(wargs.acgan_discriminator_loss)
acgan_generator_loss = args_to_gan_model(wargs.acgan_generator_loss)
minimax_discriminator_loss = args_to_gan_model(
    wargs.minimax_discriminator_loss)
minimax_generator_loss = args_to_gan_model(wargs.minimax_generator_loss)
modified_discriminator_loss = args_to_gan_model(
    wargs.modified_discriminator_loss)
modified_generator_loss = args_to_gan_model(wargs.modified_generator_loss)
least_squares_generator_loss = args_to_gan_model(
    wargs.least_squares_generator_loss)
least_squares_discriminator_loss = args_to_gan_model(
    wargs.least_squares_discriminator_loss)
mutual_information_penalty = args_to_gan_model(
    wargs.mutual_information_penalty)
relativistic_generator_loss = args_to_gan_model(
    wargs.relativistic_generator_loss)
relativistic_discriminator_loss = args_to_gan_model(
    wargs.relativistic_discriminator_loss)


def combine_adversarial_loss(gan_loss: namedtuples.GANLoss,
                             gan_model: namedtuples.GANModel,
                             non_adversarial_loss: tf.Tensor,
                             weight_factor: float | None = None,
                             gradient_ratio: float | None = None,
                             gradient_ratio_epsilon: float = 1e-6,
                             scalar_summaries: bool = True,
                             gradient_summaries: bool = True,
                             tape: tf.GradientTape | None = None
                             ) -> namedtuples.GANLoss:
  """`gan_loss` with its generator loss replaced by
  `wargs.combine_adversarial_loss(non_adversarial_loss,
  gan_loss.generator_loss, ..., variables=gan_model.generator_variables)`.

  `tape` (not in TF-GAN) is passed on: needed eagerly when gradients are
  taken (see `wargs.combine_adversarial_loss`).
  """
  combined = wargs.combine_adversarial_loss(
      non_adversarial_loss, gan_loss.generator_loss, weight_factor,
      gradient_ratio, gradient_ratio_epsilon, gan_model.generator_variables,
      scalar_summaries, gradient_summaries, tape=tape)
  return gan_loss._replace(generator_loss=combined)


def cycle_consistency_loss(cyclegan_model: namedtuples.CycleGANModel,
                           scope: str | None = None,
                           add_summaries: bool = False) -> tf.Tensor:
  """`wargs.cycle_consistency_loss` of a CycleGANModel: X is
  `model_x2y.generator_inputs`, Y is `model_y2x.generator_inputs`."""
  if not isinstance(cyclegan_model, namedtuples.CycleGANModel):
    raise InputError("cyclegan_model must be a tfgan.CycleGANModel; got "
                     f"{type(cyclegan_model)}.")
  return wargs.cycle_consistency_loss(
      cyclegan_model.model_x2y.generator_inputs,
      cyclegan_model.reconstructed_x,
      cyclegan_model.model_y2x.generator_inputs,
      cyclegan_model.reconstructed_y, scope, add_summaries)


def stargan_generator_loss_wrapper(loss_fn: Callable[..., tf.Tensor]
                                   ) -> Callable[..., tf.Tensor]:
  """`loss_fn(D(G(x)) source logits, **kw)` -> `fn(stargan_model, **kw)`."""
  def new_loss_fn(stargan_model, **kwargs):
    return loss_fn(
        stargan_model.discriminator_generated_data_source_predication,
        **kwargs)
  return _renamed(new_loss_fn, loss_fn,
                  f"The stargan_model form of {loss_fn.__name__}.")


def stargan_discriminator_loss_wrapper(loss_fn: Callable[..., tf.Tensor]
                                       ) -> Callable[..., tf.Tensor]:
  """`loss_fn(real source logits, generated source logits, **kw)` ->
  `fn(stargan_model, **kw)`."""
  def new_loss_fn(stargan_model, **kwargs):
    return loss_fn(
        stargan_model.discriminator_input_data_source_predication,
        stargan_model.discriminator_generated_data_source_predication,
        **kwargs)
  return _renamed(new_loss_fn, loss_fn,
                  f"The stargan_model form of {loss_fn.__name__}.")


def stargan_gradient_penalty_wrapper(loss_fn: Callable[..., tf.Tensor]
                                     ) -> Callable[..., tf.Tensor]:
  """A gradient penalty taking (real_data, generated_data, generator_inputs,
  discriminator_fn, discriminator_scope) -> `fn(stargan_model, **kw)`; the
  discriminator's conditioning input is the number of domains (the last
  dimension of `input_data_domain_label`), as in TF-GAN."""
  def new_loss_fn(stargan_model, **kwargs):
    num_domains = stargan_model.input_data_domain_label.shape[-1]
    return loss_fn(
        real_data=stargan_model.input_data,
        generated_data=stargan_model.generated_data,
        generator_inputs=num_domains,
        discriminator_fn=stargan_model.discriminator_fn,
        discriminator_scope=stargan_model.discriminator_scope,
        **kwargs)
  return _renamed(new_loss_fn, loss_fn,
                  f"The stargan_model form of {loss_fn.__name__}.")
