"""TF-GAN 2.1.0's namedtuples, with the same names and fields.

TF-GAN's train functions (`gan_model`, `gan_loss`, `gan_train_ops`, ...)
pass these between its four training steps; those functions are not ported
(they need TF 1 variable scopes and `tf.estimator`; see `tfgan_ext.tfgan.
train`), but the tuples are, so that code that builds them by hand and the
tuple forms of `tfgan_ext.tfgan.losses` keep working. In TF 2 the `*_scope`
fields have no use and may be None; `*_variables` are lists of variables
(e.g. a Keras model's `trainable_variables`) and `*_fn` plain callables.
"""

from __future__ import annotations

import collections

__all__ = [
    "GANModel",
    "InfoGANModel",
    "ACGANModel",
    "CycleGANModel",
    "StarGANModel",
    "GANLoss",
    "CycleGANLoss",
    "GANTrainOps",
    "GANTrainSteps",
]


class GANModel(collections.namedtuple("GANModel", (
    "generator_inputs",
    "generated_data",
    "generator_variables",
    "generator_scope",
    "generator_fn",
    "real_data",
    "discriminator_real_outputs",
    "discriminator_gen_outputs",
    "discriminator_variables",
    "discriminator_scope",
    "discriminator_fn",
))):
  """The pieces of one GAN (Goodfellow et al.): G's inputs, output,
  variables, scope and function; the real data; D's outputs on real and
  generated data, variables, scope and function
  (`discriminator_fn(data, generator_inputs)`)."""


class InfoGANModel(collections.namedtuple("InfoGANModel", GANModel._fields + (
    "structured_generator_inputs",
    "predicted_distributions",
    "discriminator_and_aux_fn",
))):
  """A GANModel plus InfoGAN's (Chen et al.) structured noise, the
  recognizer's predicted distributions and D's function returning
  (logits, distributions)."""


class ACGANModel(collections.namedtuple("ACGANModel", GANModel._fields + (
    "one_hot_labels",
    "discriminator_real_classification_logits",
    "discriminator_gen_classification_logits",
))):
  """A GANModel plus ACGAN's (Odena et al.) one-hot labels and D's class
  logits on real and generated data."""


class CycleGANModel(collections.namedtuple("CycleGANModel", (
    "model_x2y", "model_y2x", "reconstructed_x", "reconstructed_y"))):
  """Two GANModels (X -> Y and Y -> X) and the reconstructions G(F(X)),
  F(G(Y)) (Zhu et al.)."""


class StarGANModel(collections.namedtuple("StarGANModel", (
    "input_data",
    "input_data_domain_label",
    "generated_data",
    "generated_data_domain_target",
    "reconstructed_data",
    "discriminator_input_data_source_predication",
    "discriminator_generated_data_source_predication",
    "discriminator_input_data_domain_predication",
    "discriminator_generated_data_domain_predication",
    "generator_variables",
    "generator_scope",
    "generator_fn",
    "discriminator_variables",
    "discriminator_scope",
    "discriminator_fn",
))):
  """StarGAN's (Choi et al.) pieces; the field names keep TF-GAN's spelling
  ("predication")."""


class GANLoss(collections.namedtuple("GANLoss", (
    "generator_loss", "discriminator_loss"))):
  """The generator's and the discriminator's loss."""


class CycleGANLoss(collections.namedtuple("CycleGANLoss", (
    "loss_x2y", "loss_y2x"))):
  """The GANLoss of each direction of a CycleGANModel."""


class GANTrainOps(collections.namedtuple("GANTrainOps", (
    "generator_train_op",
    "discriminator_train_op",
    "global_step_inc_op",
    "train_hooks",
))):
  """TF-GAN's train ops; `train_hooks` defaults to ()."""

  def __new__(cls, generator_train_op, discriminator_train_op,
              global_step_inc_op, train_hooks=()):
    return super().__new__(cls, generator_train_op, discriminator_train_op,
                           global_step_inc_op, train_hooks)


class GANTrainSteps(collections.namedtuple("GANTrainSteps", (
    "generator_train_steps", "discriminator_train_steps"))):
  """How many G and D steps make one GAN step."""
