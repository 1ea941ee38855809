"""TF-GAN 2.1.0's losses with individual tensor arguments
(`tfgan.losses.wargs.<name>`), on TensorFlow 2.

Same names, argument names, defaults and numbers as
`tensorflow_gan.losses.wargs` (checked against TF-GAN's own outputs in
tests/test_tfgan_compat_losses.py). The per-element terms come from
`tfgan_ext.losses.elementwise` (the library's own losses are their batch
means); this module adds TF-GAN's argument handling:

* `weights` / `real_weights` / `generated_weights` and `reduction` as in
  `tf.compat.v1.losses` (see `weighting`); `label_smoothing` as in
  `tf.compat.v1.losses.sigmoid_cross_entropy` (real labels 1 become
  1 - label_smoothing / 2) and `softmax_cross_entropy` (one-hot labels
  become labels * (1 - s) + s / K).
* dtypes as TF-GAN: the Wasserstein, hinge and least-squares losses cast
  their inputs to float32; the cross-entropy, relativistic and ACGAN losses
  return the logits' dtype; `cycle_consistency_loss` returns float32.
* `add_summaries=True` writes TF-GAN's scalar summaries with `tf.summary`
  to the default writer, if any (`weighting.scalar_summary`).
* `scope` names a `tf.name_scope`; `loss_collection` is accepted and ignored
  (TF 2 has no graph collections).

TF-GAN's choices kept on purpose (the library's own losses differ): the
least-squares losses have a factor 1/2; `minimax_discriminator_loss` and
`modified_discriminator_loss` smooth the real labels by 0.25 by default;
`minimax_generator_loss` is minus the minimax discriminator loss with a
"real" logit of 1, so it includes the constant softplus(-1) ~ 0.313 term.

Every function runs eagerly and inside `tf.function` (as plain Python:
autograph does not convert them). Differences from
TF-GAN in TF 2: `wasserstein_gradient_penalty` also runs eagerly (it takes
the input gradient with a `tf.GradientTape`); `combine_adversarial_loss`
needs a `tape` to take gradients eagerly (module docstring of that
function).
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Sequence

import tensorflow as tf

from tfgan_ext import tensor_utils
from tfgan_ext.errors import InputError
from tfgan_ext.losses import elementwise
from tfgan_ext.losses import penalties
from tfgan_ext.tfgan.losses.weighting import Reduction
from tfgan_ext.tfgan.losses.weighting import compute_weighted_loss
from tfgan_ext.tfgan.losses.weighting import scalar_summary

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
    "wasserstein_hinge_generator_loss",
    "wasserstein_hinge_discriminator_loss",
    "wasserstein_generator_loss",
    "wasserstein_gradient_penalty",
    "mutual_information_penalty",
    "combine_adversarial_loss",
    "cycle_consistency_loss",
]

TensorLike = tf.types.experimental.TensorLike
# No tensor-dependent Python control flow here: inside a user's tf.function
# these run as they are instead of being converted by autograph (which
# would cost seconds per function on the first trace).
_no_autograph = tf.autograph.experimental.do_not_convert
LOSSES = "losses"  # tf.compat.v1.GraphKeys.LOSSES, TF-GAN's default
DEFAULT_REDUCTION = Reduction.SUM_BY_NONZERO_WEIGHTS


def _to_float(x: TensorLike) -> tf.Tensor:
  return tf.cast(tf.convert_to_tensor(x), tf.float32)


def _check_compatible(real: tf.Tensor, fake: tf.Tensor) -> None:
  if not real.shape.is_compatible_with(fake.shape):
    raise InputError(
        f"Discriminator outputs on real data {real.shape} and on generated "
        f"data {fake.shape} must have compatible shapes (as in TF-GAN).")


def _summaries(add: bool, **values: tf.Tensor) -> None:
  if add:
    for name, value in values.items():
      scalar_summary(name, value)


# --- Wasserstein (Arjovsky et al.) and its hinge variant (Miyato et al.) ----


@_no_autograph
def wasserstein_generator_loss(discriminator_gen_outputs: TensorLike,
                               weights: TensorLike = 1.0,
                               scope: str | None = None,
                               loss_collection: Any = LOSSES,
                               reduction: str = DEFAULT_REDUCTION,
                               add_summaries: bool = False) -> tf.Tensor:
  """-D(G(z)), weighted and reduced (TF-GAN's `wasserstein_generator_loss`).

  Args:
    discriminator_gen_outputs: D(G(z)), any shape [B, ...]; cast to float32.
    weights: scalar or broadcastable to the outputs (`weighting`).
    scope: optional name scope.
    loss_collection: ignored (no collections in TF 2).
    reduction: a `Reduction` string; default SUM_BY_NONZERO_WEIGHTS.
    add_summaries: write summary `generator_wass_loss`.
  Returns:
    float32: a scalar, or the outputs' shape for Reduction.NONE.
  """
  del loss_collection
  with tf.name_scope(scope or "generator_wasserstein_loss"):
    terms = elementwise.wasserstein_generator_terms(
        _to_float(discriminator_gen_outputs))
    loss = compute_weighted_loss(terms, weights, reduction)
    _summaries(add_summaries, generator_wass_loss=loss)
  return loss


@_no_autograph
def wasserstein_discriminator_loss(discriminator_real_outputs: TensorLike,
                                   discriminator_gen_outputs: TensorLike,
                                   real_weights: TensorLike = 1.0,
                                   generated_weights: TensorLike = 1.0,
                                   scope: str | None = None,
                                   loss_collection: Any = LOSSES,
                                   reduction: str = DEFAULT_REDUCTION,
                                   add_summaries: bool = False) -> tf.Tensor:
  """D(G(z)) - D(x), each part weighted and reduced on its own (TF-GAN's
  `wasserstein_discriminator_loss`).

  Args:
    discriminator_real_outputs: D(x), any shape; cast to float32.
    discriminator_gen_outputs: D(G(z)), a compatible shape.
    real_weights, generated_weights: weights of the two parts.
    scope, loss_collection, reduction: as `wasserstein_generator_loss`.
    add_summaries: write `discriminator_gen_wass_loss`,
      `discriminator_real_wass_loss` and `discriminator_wass_loss`.
  Returns:
    float32 loss_on_generated - loss_on_real (scalar unless NONE).
  """
  del loss_collection
  with tf.name_scope(scope or "discriminator_wasserstein_loss"):
    real = _to_float(discriminator_real_outputs)
    fake = _to_float(discriminator_gen_outputs)
    _check_compatible(real, fake)
    real_terms, fake_terms = elementwise.wasserstein_discriminator_terms(
        real, fake)
    loss_on_generated = compute_weighted_loss(fake_terms, generated_weights,
                                              reduction)
    # TF-GAN reduces D(x) and subtracts it; the real terms are -D(x).
    loss_on_real = -compute_weighted_loss(real_terms, real_weights, reduction)
    loss = loss_on_generated - loss_on_real
    _summaries(add_summaries, discriminator_gen_wass_loss=loss_on_generated,
               discriminator_real_wass_loss=loss_on_real,
               discriminator_wass_loss=loss)
  return loss


@_no_autograph
def wasserstein_hinge_generator_loss(discriminator_gen_outputs: TensorLike,
                                     weights: TensorLike = 1.0,
                                     scope: str | None = None,
                                     loss_collection: Any = LOSSES,
                                     reduction: str = DEFAULT_REDUCTION,
                                     add_summaries: bool = False
                                     ) -> tf.Tensor:
  """The same as `wasserstein_generator_loss` (TF-GAN aliases the two)."""
  return wasserstein_generator_loss(discriminator_gen_outputs, weights, scope,
                                    loss_collection, reduction, add_summaries)


@_no_autograph
def wasserstein_hinge_discriminator_loss(
    discriminator_real_outputs: TensorLike,
    discriminator_gen_outputs: TensorLike,
    real_weights: TensorLike = 1.0, generated_weights: TensorLike = 1.0,
    real_hinge: float = 1.0, generated_hinge: float = 1.0,
    scope: str | None = None, loss_collection: Any = LOSSES,
    reduction: str = DEFAULT_REDUCTION, add_summaries: bool = False
) -> tf.Tensor:
  """max(0, real_hinge - D(x)) + max(0, generated_hinge + D(G(z))), each part
  weighted and reduced (TF-GAN's `wasserstein_hinge_discriminator_loss`;
  Miyato et al.'s hinge loss).

  Args:
    discriminator_real_outputs, discriminator_gen_outputs: D(x), D(G(z)),
      compatible shapes; cast to float32.
    real_weights, generated_weights: weights of the two parts.
    real_hinge, generated_hinge: the margins (default 1, 1).
    scope, loss_collection, reduction: as `wasserstein_generator_loss`.
    add_summaries: write `discriminator_gen_wass_hinge_loss`,
      `discriminator_real_wass_hinge_loss`, `discriminator_wass_hinge_loss`.
  Returns:
    float32 loss (scalar unless NONE).
  """
  del loss_collection
  with tf.name_scope(scope or "discriminator_wasserstein_hinge_loss"):
    real = _to_float(discriminator_real_outputs)
    fake = _to_float(discriminator_gen_outputs)
    _check_compatible(real, fake)
    real_terms, fake_terms = elementwise.hinge_discriminator_terms(
        real, fake, real_hinge, generated_hinge)
    loss_on_real = compute_weighted_loss(real_terms, real_weights, reduction)
    loss_on_generated = compute_weighted_loss(fake_terms, generated_weights,
                                              reduction)
    loss = loss_on_generated + loss_on_real
    _summaries(add_summaries,
               discriminator_gen_wass_hinge_loss=loss_on_generated,
               discriminator_real_wass_hinge_loss=loss_on_real,
               discriminator_wass_hinge_loss=loss)
  return loss


# --- ACGAN (Odena et al.) ----------------------------------------------------


def _smoothed_one_hot(one_hot_labels: TensorLike, dtype: tf.DType,
                      label_smoothing: float) -> tf.Tensor:
  labels = tf.cast(one_hot_labels, dtype)
  if label_smoothing > 0:
    num_classes = tf.cast(tf.shape(labels)[-1], dtype)
    labels = labels * (1.0 - label_smoothing) + label_smoothing / num_classes
  return labels


@_no_autograph
def acgan_discriminator_loss(
    discriminator_real_classification_logits: TensorLike,
    discriminator_gen_classification_logits: TensorLike,
    one_hot_labels: TensorLike, label_smoothing: float = 0.0,
    real_weights: TensorLike = 1.0, generated_weights: TensorLike = 1.0,
    scope: str | None = None, loss_collection: Any = LOSSES,
    reduction: str = DEFAULT_REDUCTION, add_summaries: bool = False
) -> tf.Tensor:
  """Softmax cross-entropy of D's class logits on real and generated data
  against the labels, summed (TF-GAN's `acgan_discriminator_loss`).

  Args:
    discriminator_real_classification_logits: [B, K] logits on real data.
    discriminator_gen_classification_logits: [B, K] logits on generated data.
    one_hot_labels: [B, K] one-hot labels of the batch.
    label_smoothing: s in [0, 1]: the real part's labels become
      labels * (1 - s) + s / K (the generated part's are not smoothed).
    real_weights, generated_weights: per-example weights (scalar or [B]).
    scope, loss_collection, reduction: as `wasserstein_generator_loss`.
    add_summaries: write `discriminator_gen_ac_loss`,
      `discriminator_real_ac_loss` and `discriminator_ac_loss`.
  Returns:
    The logits' dtype (scalar unless NONE: [B]).
  """
  del loss_collection
  with tf.name_scope(scope or "acgan_discriminator_loss"):
    real = tf.convert_to_tensor(discriminator_real_classification_logits)
    fake = tf.convert_to_tensor(discriminator_gen_classification_logits)
    loss_on_generated = compute_weighted_loss(
        elementwise.softmax_cross_entropy_terms(
            fake, _smoothed_one_hot(one_hot_labels, fake.dtype, 0.0)),
        generated_weights, reduction)
    loss_on_real = compute_weighted_loss(
        elementwise.softmax_cross_entropy_terms(
            real, _smoothed_one_hot(one_hot_labels, real.dtype,
                                    label_smoothing)),
        real_weights, reduction)
    loss = loss_on_generated + loss_on_real
    _summaries(add_summaries, discriminator_gen_ac_loss=loss_on_generated,
               discriminator_real_ac_loss=loss_on_real,
               discriminator_ac_loss=loss)
  return loss


@_no_autograph
def acgan_generator_loss(discriminator_gen_classification_logits: TensorLike,
                         one_hot_labels: TensorLike,
                         weights: TensorLike = 1.0, scope: str | None = None,
                         loss_collection: Any = LOSSES,
                         reduction: str = DEFAULT_REDUCTION,
                         add_summaries: bool = False) -> tf.Tensor:
  """Softmax cross-entropy of D's class logits on generated data against the
  labels G was asked for (TF-GAN's `acgan_generator_loss`).

  Args:
    discriminator_gen_classification_logits: [B, K] logits.
    one_hot_labels: [B, K] one-hot labels.
    weights: per-example weights (scalar or [B]).
    scope, loss_collection, reduction: as `wasserstein_generator_loss`.
    add_summaries: write `generator_ac_loss`.
  Returns:
    The logits' dtype (scalar unless NONE: [B]).
  """
  del loss_collection
  with tf.name_scope(scope or "acgan_generator_loss"):
    fake = tf.convert_to_tensor(discriminator_gen_classification_logits)
    loss = compute_weighted_loss(
        elementwise.softmax_cross_entropy_terms(
            fake, _smoothed_one_hot(one_hot_labels, fake.dtype, 0.0)),
        weights, reduction)
    _summaries(add_summaries, generator_ac_loss=loss)
  return loss


# --- WGAN-GP (Gulrajani et al.) ------------------------------------------------


@_no_autograph
def wasserstein_gradient_penalty(real_data: TensorLike,
                                 generated_data: TensorLike,
                                 generator_inputs: Any,
                                 discriminator_fn: Callable[..., Any],
                                 discriminator_scope: Any,
                                 epsilon: float = 1e-10,
                                 target: float = 1.0,
                                 one_sided: bool = False,
                                 weights: TensorLike = 1.0,
                                 scope: str | None = None,
                                 loss_collection: Any = LOSSES,
                                 reduction: str = DEFAULT_REDUCTION,
                                 add_summaries: bool = False) -> tf.Tensor:
  """WGAN-GP's penalty (sqrt(||grad D(x_hat)||^2 + epsilon) / target - 1)^2
  at random interpolates x_hat of real and generated data (TF-GAN's
  `wasserstein_gradient_penalty`).

  x_hat = a x + (1 - a) G(z) with one a ~ U[0, 1) per sample
  (`tfgan_ext.losses.penalties.penalty_points`, kind "gp"; TF-GAN writes
  x + a' (G(z) - x), the same distribution), and the input gradient comes
  from `penalties.input_gradient_norms_squared` (a `tf.GradientTape`, so
  unlike TF-GAN this also runs eagerly). `discriminator_fn(x_hat,
  generator_inputs)` may return a tuple (ACGAN); its first element is used.
  `discriminator_scope` is accepted and ignored: in TF 2 the function reuses
  whatever variables (Keras layers) it closes over.

  Args:
    real_data, generated_data: [B, ...] batches of the same shape (float32).
    generator_inputs: passed to `discriminator_fn` as its second argument.
    discriminator_fn: (data, generator_inputs) -> logits [B] or [B, ...].
    discriminator_scope: ignored (TF 1 variable scopes).
    epsilon: added to the squared norm before the square root.
    target: the target gradient norm (default 1).
    one_sided: penalize only norms above the target (Petzka et al.).
    weights: per-sample weights (scalar or [B]).
    scope, loss_collection, reduction: as `wasserstein_generator_loss`.
    add_summaries: write `gradient_penalty_loss`.
  Returns:
    float32 penalty (scalar unless NONE: [B]).
  """
  del discriminator_scope, loss_collection
  with tf.name_scope(scope or "wasserstein_gradient_penalty"):
    real = tf.convert_to_tensor(real_data)
    fake = tf.convert_to_tensor(generated_data)
    if real.shape.rank is None or fake.shape.rank is None:
      raise InputError("wasserstein_gradient_penalty needs real_data and "
                       "generated_data of known rank.")
    points = penalties.penalty_points(real, fake, "gp")

    def critic(x: tf.Tensor) -> tf.Tensor:
      outputs = discriminator_fn(x, generator_inputs)
      return outputs[0] if isinstance(outputs, tuple) else outputs

    squares = penalties.input_gradient_norms_squared(critic, points)
    slopes = tf.sqrt(squares + epsilon)
    excess = slopes / target - 1.0
    if one_sided:
      excess = tf.maximum(0.0, excess)
    penalty = compute_weighted_loss(tf.square(excess), weights, reduction)
    _summaries(add_summaries, gradient_penalty_loss=penalty)
  return penalty


# --- Goodfellow et al.'s minimax and modified (non-saturating) losses ----------


@_no_autograph
def minimax_discriminator_loss(discriminator_real_outputs: TensorLike,
                               discriminator_gen_outputs: TensorLike,
                               label_smoothing: float = 0.25,
                               real_weights: TensorLike = 1.0,
                               generated_weights: TensorLike = 1.0,
                               scope: str | None = None,
                               loss_collection: Any = LOSSES,
                               reduction: str = DEFAULT_REDUCTION,
                               add_summaries: bool = False) -> tf.Tensor:
  """-log sigma(D(x)) - log(1 - sigma(D(G(z)))) with the real labels smoothed
  to 1 - label_smoothing / 2 (TF-GAN's `minimax_discriminator_loss`).

  Args:
    discriminator_real_outputs, discriminator_gen_outputs: D's logits on
      real and generated data, compatible shapes.
    label_smoothing: default 0.25 (TF-GAN's): real labels 0.875.
    real_weights, generated_weights: weights of the two parts.
    scope, loss_collection, reduction: as `wasserstein_generator_loss`.
    add_summaries: write `discriminator_gen_minimax_loss`,
      `discriminator_real_minimax_loss` and `discriminator_minimax_loss`.
  Returns:
    The logits' dtype (scalar unless NONE).
  """
  del loss_collection
  with tf.name_scope(scope or "discriminator_minimax_loss"):
    real = tf.convert_to_tensor(discriminator_real_outputs)
    fake = tf.convert_to_tensor(discriminator_gen_outputs)
    _check_compatible(real, fake)
    real_label = 1.0 - 0.5 * label_smoothing if label_smoothing > 0 else 1.0
    loss_on_real = compute_weighted_loss(
        elementwise.sigmoid_cross_entropy_terms(real, real_label),
        real_weights, reduction)
    loss_on_generated = compute_weighted_loss(
        elementwise.sigmoid_cross_entropy_terms(fake, 0.0),
        generated_weights, reduction)
    loss = loss_on_real + loss_on_generated
    _summaries(add_summaries, discriminator_gen_minimax_loss=loss_on_generated,
               discriminator_real_minimax_loss=loss_on_real,
               discriminator_minimax_loss=loss)
  return loss


@_no_autograph
def minimax_generator_loss(discriminator_gen_outputs: TensorLike,
                           label_smoothing: float = 0.0,
                           weights: TensorLike = 1.0,
                           scope: str | None = None,
                           loss_collection: Any = LOSSES,
                           reduction: str = DEFAULT_REDUCTION,
                           add_summaries: bool = False) -> tf.Tensor:
  """Minus `minimax_discriminator_loss(ones, D(G(z)), label_smoothing,
  weights, weights)`, exactly as TF-GAN defines `minimax_generator_loss`.

  The "real" part is the cross-entropy of a constant logit 1, so the loss is
  log(1 - sigma(D(G(z)))) minus a constant (softplus(-1) ~ 0.313 without
  smoothing); the library's `tfgan_ext.losses.minimax_generator_loss` has no
  such constant. Gradients are the same.

  Args:
    discriminator_gen_outputs: D(G(z)) logits, any shape.
    label_smoothing: smoothing of the constant "real" part (default 0).
    weights: weights of both parts.
    scope, loss_collection, reduction: as `wasserstein_generator_loss`.
    add_summaries: write `generator_minimax_loss`.
  Returns:
    The logits' dtype (scalar unless NONE).
  """
  with tf.name_scope(scope or "generator_minimax_loss"):
    fake = tf.convert_to_tensor(discriminator_gen_outputs)
    loss = -minimax_discriminator_loss(
        tf.ones_like(fake), fake, label_smoothing, weights, weights,
        None, loss_collection, reduction, add_summaries=False)
    _summaries(add_summaries, generator_minimax_loss=loss)
  return loss


@_no_autograph
def modified_discriminator_loss(discriminator_real_outputs: TensorLike,
                                discriminator_gen_outputs: TensorLike,
                                label_smoothing: float = 0.25,
                                real_weights: TensorLike = 1.0,
                                generated_weights: TensorLike = 1.0,
                                scope: str | None = None,
                                loss_collection: Any = LOSSES,
                                reduction: str = DEFAULT_REDUCTION,
                                add_summaries: bool = False) -> tf.Tensor:
  """The same as `minimax_discriminator_loss` (as in TF-GAN), including the
  0.25 default label smoothing of the real labels; the library's
  `nonsaturating_discriminator_loss` has no smoothing."""
  return minimax_discriminator_loss(
      discriminator_real_outputs, discriminator_gen_outputs, label_smoothing,
      real_weights, generated_weights, scope or "discriminator_modified_loss",
      loss_collection, reduction, add_summaries)


@_no_autograph
def modified_generator_loss(discriminator_gen_outputs: TensorLike,
                            label_smoothing: float = 0.0,
                            weights: TensorLike = 1.0,
                            scope: str | None = None,
                            loss_collection: Any = LOSSES,
                            reduction: str = DEFAULT_REDUCTION,
                            add_summaries: bool = False) -> tf.Tensor:
  """-log sigma(D(G(z))), the non-saturating generator loss, with the target
  label smoothed to 1 - label_smoothing / 2 (TF-GAN's
  `modified_generator_loss`).

  Args:
    discriminator_gen_outputs: D(G(z)) logits, any shape.
    label_smoothing: default 0.
    weights, scope, loss_collection, reduction: as
      `wasserstein_generator_loss`.
    add_summaries: write `generator_modified_loss`.
  Returns:
    The logits' dtype (scalar unless NONE).
  """
  del loss_collection
  with tf.name_scope(scope or "generator_modified_loss"):
    fake = tf.convert_to_tensor(discriminator_gen_outputs)
    label = 1.0 - 0.5 * label_smoothing if label_smoothing > 0 else 1.0
    loss = compute_weighted_loss(
        elementwise.sigmoid_cross_entropy_terms(fake, label), weights,
        reduction)
    _summaries(add_summaries, generator_modified_loss=loss)
  return loss


# --- LSGAN (Mao et al.) -------------------------------------------------------


@_no_autograph
def least_squares_generator_loss(discriminator_gen_outputs: TensorLike,
                                 real_label: float = 1,
                                 weights: TensorLike = 1.0,
                                 scope: str | None = None,
                                 loss_collection: Any = LOSSES,
                                 reduction: str = DEFAULT_REDUCTION,
                                 add_summaries: bool = False) -> tf.Tensor:
  """(D(G(z)) - real_label)^2 / 2, weighted and reduced (TF-GAN's
  `least_squares_generator_loss`; the library's has no 1/2).

  Args:
    discriminator_gen_outputs: D(G(z)), any shape; cast to float32.
    real_label: the generator's target (default 1).
    weights, scope, loss_collection, reduction: as
      `wasserstein_generator_loss`.
    add_summaries: write `generator_lsq_loss`.
  Returns:
    float32 (scalar unless NONE).
  """
  del loss_collection
  with tf.name_scope(scope or "lsq_generator_loss"):
    terms = elementwise.least_squares_generator_terms(
        _to_float(discriminator_gen_outputs), real_label)
    loss = compute_weighted_loss(terms / 2.0, weights, reduction)
    _summaries(add_summaries, generator_lsq_loss=loss)
  return loss


@_no_autograph
def least_squares_discriminator_loss(discriminator_real_outputs: TensorLike,
                                     discriminator_gen_outputs: TensorLike,
                                     real_label: float = 1,
                                     fake_label: float = 0,
                                     real_weights: TensorLike = 1.0,
                                     generated_weights: TensorLike = 1.0,
                                     scope: str | None = None,
                                     loss_collection: Any = LOSSES,
                                     reduction: str = DEFAULT_REDUCTION,
                                     add_summaries: bool = False
                                     ) -> tf.Tensor:
  """(D(x) - real_label)^2 / 2 + (D(G(z)) - fake_label)^2 / 2, each part
  weighted and reduced (TF-GAN's `least_squares_discriminator_loss`).

  Args:
    discriminator_real_outputs, discriminator_gen_outputs: compatible shapes;
      cast to float32.
    real_label, fake_label: D's targets (default 1, 0).
    real_weights, generated_weights: weights of the two parts.
    scope, loss_collection, reduction: as `wasserstein_generator_loss`.
    add_summaries: write `discriminator_gen_lsq_loss`,
      `discriminator_real_lsq_loss` and `discriminator_lsq_loss`.
  Returns:
    float32 (scalar unless NONE).
  """
  del loss_collection
  with tf.name_scope(scope or "lsq_discriminator_loss"):
    real = _to_float(discriminator_real_outputs)
    fake = _to_float(discriminator_gen_outputs)
    _check_compatible(real, fake)
    real_terms, fake_terms = elementwise.least_squares_discriminator_terms(
        real, fake, real_label, fake_label)
    loss_on_real = compute_weighted_loss(real_terms / 2.0, real_weights,
                                         reduction)
    loss_on_generated = compute_weighted_loss(fake_terms / 2.0,
                                              generated_weights, reduction)
    loss = loss_on_real + loss_on_generated
    _summaries(add_summaries, discriminator_gen_lsq_loss=loss_on_generated,
               discriminator_real_lsq_loss=loss_on_real,
               discriminator_lsq_loss=loss)
  return loss


# --- InfoGAN (Chen et al.) -----------------------------------------------------


@_no_autograph
def mutual_information_penalty(structured_generator_inputs: Sequence[Any],
                               predicted_distributions: Sequence[Any],
                               weights: TensorLike = 1.0,
                               scope: str | None = None,
                               loss_collection: Any = LOSSES,
                               reduction: str = DEFAULT_REDUCTION,
                               add_summaries: bool = False) -> tf.Tensor:
  """Minus the weighted mean log-likelihood of the structured noise under
  the recognizer's predicted distributions (TF-GAN's
  `mutual_information_penalty`, InfoGAN's L_I).

  Args:
    structured_generator_inputs: list of noise tensors c_i.
    predicted_distributions: list of the same length of objects with a
      `log_prob` method (e.g. `tfp.distributions`; any duck type works).
    weights: scalar or one weight per distribution.
    scope, loss_collection, reduction: as `wasserstein_generator_loss`.
    add_summaries: write `mutual_information_penalty`.
  Returns:
    float32 scalar: -reduce(mean log p_i(c_i)).
  """
  del loss_collection
  if not isinstance(predicted_distributions, (list, tuple)):
    raise InputError("predicted_distributions must be a list or tuple of "
                     f"distributions; got {type(predicted_distributions)}.")
  for dist in predicted_distributions:
    if not callable(getattr(dist, "log_prob", None)):
      raise InputError("predicted_distributions must hold distributions with "
                       f"a log_prob method; got {type(dist)}.")
  if len(structured_generator_inputs) != len(predicted_distributions):
    raise InputError(
        f"structured_generator_inputs has {len(structured_generator_inputs)}"
        f" tensors but predicted_distributions has "
        f"{len(predicted_distributions)}; they must match.")
  with tf.name_scope(scope or "mutual_information_loss"):
    log_probs = [tf.reduce_mean(dist.log_prob(noise)) for dist, noise in
                 zip(predicted_distributions, structured_generator_inputs)]
    loss = -compute_weighted_loss(tf.stack(log_probs), weights, reduction)
    _summaries(add_summaries, mutual_information_penalty=loss)
  return loss


# --- Combining a main loss with an adversarial one ---------------------------


def _stable_global_norm(tensors: Sequence[tf.Tensor | None]) -> tf.Tensor:
  """max|x| * ||x / max|x|||: TF-GAN's `numerically_stable_global_norm`."""
  present = [tf.cast(tensor_utils.to_dense(t), tf.float32)
             for t in tensors if t is not None]
  if not present:
    return tf.constant(0.0)
  largest = tf.reduce_max(tf.stack([tf.reduce_max(tf.abs(t))
                                    for t in present]))
  return largest * tensor_utils.global_norm([t / largest for t in present])


def _gradients(loss: tf.Tensor, variables: Sequence[tf.Variable],
               tape: tf.GradientTape | None) -> list[tf.Tensor | None]:
  if tape is not None:
    return tape.gradient(loss, variables)
  return tf.gradients(loss, variables)


def _has_default_writer() -> bool:
  """Whether summaries would be written now (eager only): False without a
  default writer."""
  return bool(tf.summary.should_record_summaries())


@_no_autograph
def combine_adversarial_loss(main_loss: TensorLike,
                             adversarial_loss: TensorLike,
                             weight_factor: float | None = None,
                             gradient_ratio: float | None = None,
                             gradient_ratio_epsilon: float = 1e-6,
                             variables: Sequence[tf.Variable] | None = None,
                             scalar_summaries: bool = True,
                             gradient_summaries: bool = True,
                             scope: str | None = None,
                             tape: tf.GradientTape | None = None
                             ) -> tf.Tensor:
  """main_loss + c * adversarial_loss, c fixed or set by a gradient ratio
  (TF-GAN's `combine_adversarial_loss`, as in pix2pix-style training).

  With `weight_factor`, c = weight_factor. With `gradient_ratio`,
  c = (|grad main| / (|grad adv| + gradient_ratio_epsilon)) / gradient_ratio,
  the gradient magnitudes being global norms over `variables`; c is a
  constant for back-propagation (stop_gradient), as in TF-GAN. Losses of
  incompatible shapes are first mean-reduced to their batch axis.

  Gradients in TF 2: TF-GAN used `tf.gradients`, which works only in a
  graph. Here, inside `tf.function` the same `tf.gradients` is used; eagerly,
  pass `tape=`, a persistent `tf.GradientTape` that recorded both losses
  (the gradients are then `tape.gradient`). Eagerly without a tape,
  `gradient_ratio` raises InputError, and `gradient_summaries` is skipped
  unless a default summary writer is set (then it raises too). `variables`
  must be given when gradients are needed (TF 2 has no global collection of
  trainable variables; pass e.g. `generator.trainable_variables`).

  Args:
    main_loss: float tensor, any shape with the batch size first.
    adversarial_loss: float tensor with the same first dimension.
    weight_factor: fixed coefficient; exactly one of this and
      `gradient_ratio` must be given.
    gradient_ratio: target ratio |grad main| / |grad adversarial|.
    gradient_ratio_epsilon: added to |grad adv| (default 1e-6).
    variables: the variables the gradients are taken with respect to.
    scalar_summaries: write `main_loss` and `adversarial_loss` (means).
    gradient_summaries: write `main_loss_gradients` and
      `adversarial_loss_gradients` (the gradient norms).
    scope: optional name scope.
    tape: a persistent GradientTape that recorded both losses (eager only).
  Returns:
    The combined loss: a scalar if both losses are scalars, else [B].
  """
  if weight_factor is None and gradient_ratio is None:
    raise InputError("combine_adversarial_loss needs weight_factor or "
                     "gradient_ratio; both are None.")
  if weight_factor is not None and gradient_ratio is not None:
    raise InputError("combine_adversarial_loss takes weight_factor or "
                     "gradient_ratio, not both.")
  main_loss = tf.convert_to_tensor(main_loss)
  adversarial_loss = tf.convert_to_tensor(adversarial_loss)
  with tf.name_scope(scope or "adversarial_loss"):
    if not main_loss.shape.is_compatible_with(adversarial_loss.shape):
      if main_loss.shape[0] != adversarial_loss.shape[0]:
        raise InputError(
            "main_loss and adversarial_loss must have the same first "
            f"dimension; got {main_loss.shape} and {adversarial_loss.shape}.")
      # Recorded by `tape` (re-entered) so that its gradients see the means.
      with tape if tape is not None else contextlib.nullcontext():
        main_loss = tf.reduce_mean(main_loss,
                                   axis=list(range(1, main_loss.shape.rank)))
        adversarial_loss = tf.reduce_mean(
            adversarial_loss,
            axis=list(range(1, adversarial_loss.shape.rank)))

    eager_without_tape = tf.executing_eagerly() and tape is None
    want_grad_summaries = gradient_summaries and not (
        eager_without_tape and not _has_default_writer())
    need_gradients = gradient_ratio is not None or want_grad_summaries
    if need_gradients:
      if eager_without_tape:
        raise InputError(
            "combine_adversarial_loss needs the losses' gradients (for "
            "gradient_ratio or gradient_summaries): call it inside "
            "tf.function, or eagerly pass tape=, a persistent GradientTape "
            "that recorded both losses.")
      if variables is None:
        raise InputError(
            "combine_adversarial_loss needs `variables` to take gradients "
            "with respect to (TF 2 has no global trainable-variables "
            "collection); pass e.g. generator.trainable_variables.")
      main_grad_norm = _stable_global_norm(
          _gradients(main_loss, variables, tape))
      adv_grad_norm = _stable_global_norm(
          _gradients(adversarial_loss, variables, tape))

    if scalar_summaries:
      scalar_summary("main_loss", tf.reduce_mean(main_loss))
      scalar_summary("adversarial_loss", tf.reduce_mean(adversarial_loss))
    if want_grad_summaries:
      scalar_summary("main_loss_gradients", main_grad_norm)
      scalar_summary("adversarial_loss_gradients", adv_grad_norm)

    used = weight_factor if weight_factor is not None else gradient_ratio
    if tf.get_static_value(tf.convert_to_tensor(used)) == 0:
      return main_loss
    if weight_factor is not None:
      coefficient = tf.cast(weight_factor, main_loss.dtype)
    else:
      coefficient = (main_grad_norm / (adv_grad_norm + gradient_ratio_epsilon)
                     / gradient_ratio)
      scalar_summary("adversarial_coefficient", coefficient)
      coefficient = tf.cast(coefficient, main_loss.dtype)
    return main_loss + tf.stop_gradient(coefficient) * adversarial_loss


# --- CycleGAN (Zhu et al.) ------------------------------------------------------


@_no_autograph
def cycle_consistency_loss(data_x: TensorLike,
                           reconstructed_data_x: TensorLike,
                           data_y: TensorLike,
                           reconstructed_data_y: TensorLike,
                           scope: str | None = None,
                           add_summaries: bool = False) -> tf.Tensor:
  """(mean |x - G(F(x))| + mean |y - F(G(y))|) / 2 (TF-GAN's
  `cycle_consistency_loss`: the L1 error normalized by the data size).

  Args:
    data_x, reconstructed_data_x: data X and its reconstruction, same shape.
    data_y, reconstructed_data_y: data Y and its reconstruction.
    scope: optional name scope.
    add_summaries: write `cycle_consistency_loss_x2x`,
      `cycle_consistency_loss_y2y` and `cycle_consistency_loss`.
  Returns:
    A float32 scalar.
  """
  with tf.name_scope(scope or "cycle_consistency_loss"):
    loss_x2x = compute_weighted_loss(
        tf.abs(_to_float(data_x) - _to_float(reconstructed_data_x)))
    loss_y2y = compute_weighted_loss(
        tf.abs(_to_float(data_y) - _to_float(reconstructed_data_y)))
    loss = (loss_x2x + loss_y2y) / 2.0
    _summaries(add_summaries, cycle_consistency_loss_x2x=loss_x2x,
               cycle_consistency_loss_y2y=loss_y2y,
               cycle_consistency_loss=loss)
  return loss


# --- Relativistic average GAN (Jolicoeur-Martineau) ----------------------------


def _relativistic_logits(real: tf.Tensor, fake: tf.Tensor
                         ) -> tuple[tf.Tensor, tf.Tensor]:
  return real - tf.reduce_mean(fake), fake - tf.reduce_mean(real)


@_no_autograph
def relativistic_discriminator_loss(discriminator_real_outputs: TensorLike,
                                    discriminator_gen_outputs: TensorLike,
                                    scope: str | None = None) -> tf.Tensor:
  """Relativistic average D loss: the non-saturating D loss of the logits
  D(x) - E[D(G(z))] (real) and D(G(z)) - E[D(x)] (fake), each a batch mean
  (TF-GAN's `relativistic_discriminator_loss`; no weights or reduction).

  Returns a scalar of the logits' dtype.
  """
  with tf.name_scope(scope or "relativistic_discriminator_loss"):
    real, fake = _relativistic_logits(
        tf.convert_to_tensor(discriminator_real_outputs),
        tf.convert_to_tensor(discriminator_gen_outputs))
    real_terms, fake_terms = elementwise.nonsaturating_discriminator_terms(
        real, fake)
    return tf.reduce_mean(real_terms) + tf.reduce_mean(fake_terms)


@_no_autograph
def relativistic_generator_loss(discriminator_real_outputs: TensorLike,
                                discriminator_gen_outputs: TensorLike,
                                scope: str | None = None) -> tf.Tensor:
  """Relativistic average G loss: the D loss with real and generated roles
  swapped (TF-GAN's `relativistic_generator_loss`). Returns a scalar of the
  logits' dtype."""
  with tf.name_scope(scope or "relativistic_generator_loss"):
    real, fake = _relativistic_logits(
        tf.convert_to_tensor(discriminator_real_outputs),
        tf.convert_to_tensor(discriminator_gen_outputs))
    fake_terms, real_terms = elementwise.nonsaturating_discriminator_terms(
        fake, real)
    return tf.reduce_mean(real_terms) + tf.reduce_mean(fake_terms)
