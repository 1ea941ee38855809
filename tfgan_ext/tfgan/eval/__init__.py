"""`tfgan.eval` of tensorflow_gan 2.1.0 on current TensorFlow.

Every public name of TF-GAN's eval module, with its argument names, defaults
and return values, computed by this library's metrics:

* Fréchet distance: `tfgan_ext.metrics.frechet`; kernel distance (per block):
  `tfgan_ext.metrics.kid`; classifier score: `tfgan_ext.metrics.
  inception_score`; TF-Hub resolution (offline) and the imported FID
  Inception: `tfgan_ext.metrics.feature_networks` / `fid_inception`.
* Eagerly and inside `tf.function`; the metric functions accept float16/32/64
  and return TF-GAN's dtype (the input's).
* Streaming variants keep their state in a `StreamingState` (see
  `tfgan_ext.tfgan.eval.streaming` for what the update op is in TF 2).
* Additions: `StreamingState`, `classifier_fn_from_fid_inception`.

Usage: `from tfgan_ext import tfgan` then `tfgan.eval.<name>`, as with
`import tensorflow_gan as tfgan`.
"""

from tfgan_ext.tfgan.eval.scores import (
    classifier_score, classifier_score_from_logits)
from tfgan_ext.tfgan.eval.frechet import (
    diagonal_only_frechet_classifier_distance_from_activations,
    frechet_classifier_distance, frechet_classifier_distance_from_activations,
    mean_only_frechet_classifier_distance_from_activations)
from tfgan_ext.tfgan.eval.images import (image_grid, image_reshaper,
                                         python_image_grid)
from tfgan_ext.tfgan.eval.inception import (
    INCEPTION_DEFAULT_IMAGE_SIZE, INCEPTION_FINAL_POOL, INCEPTION_OUTPUT,
    INCEPTION_TFHUB, classifier_fn_from_fid_inception,
    classifier_fn_from_tfhub, frechet_inception_distance,
    frechet_inception_distance_streaming, inception_score,
    inception_score_streaming, kernel_inception_distance,
    kernel_inception_distance_and_std, run_inception,
    sample_and_run_inception)
from tfgan_ext.tfgan.eval.kernel import (
    kernel_classifier_distance, kernel_classifier_distance_and_std,
    kernel_classifier_distance_and_std_from_activations,
    kernel_classifier_distance_from_activations)
from tfgan_ext.tfgan.eval.running import (run_classifier_fn,
                                          sample_and_run_classifier_fn)
from tfgan_ext.tfgan.eval.sliced_wasserstein import (
    sliced_wasserstein_distance)
from tfgan_ext.tfgan.eval.streaming import (
    StreamingState, classifier_score_from_logits_streaming,
    classifier_score_streaming,
    frechet_classifier_distance_from_activations_streaming,
    frechet_classifier_distance_streaming)
from tfgan_ext.tfgan.eval.summaries import (
    add_cyclegan_image_summaries, add_gan_model_image_summaries,
    add_gan_model_summaries, add_image_comparison_summaries,
    add_regularization_loss_summaries, add_stargan_image_summaries)

# tensorflow_gan 2.1.0's tfgan.eval.__all__, in its order.
TFGAN_NAMES = (
    "run_classifier_fn",
    "sample_and_run_classifier_fn",
    "classifier_score",
    "classifier_score_streaming",
    "classifier_score_from_logits",
    "classifier_score_from_logits_streaming",
    "frechet_classifier_distance",
    "frechet_classifier_distance_streaming",
    "frechet_classifier_distance_from_activations",
    "frechet_classifier_distance_from_activations_streaming",
    "mean_only_frechet_classifier_distance_from_activations",
    "diagonal_only_frechet_classifier_distance_from_activations",
    "kernel_classifier_distance",
    "kernel_classifier_distance_and_std",
    "kernel_classifier_distance_from_activations",
    "kernel_classifier_distance_and_std_from_activations",
    "image_grid",
    "image_reshaper",
    "python_image_grid",
    "classifier_fn_from_tfhub",
    "run_inception",
    "sample_and_run_inception",
    "inception_score",
    "inception_score_streaming",
    "frechet_inception_distance",
    "frechet_inception_distance_streaming",
    "kernel_inception_distance",
    "kernel_inception_distance_and_std",
    "INCEPTION_TFHUB",
    "INCEPTION_OUTPUT",
    "INCEPTION_FINAL_POOL",
    "INCEPTION_DEFAULT_IMAGE_SIZE",
    "sliced_wasserstein_distance",
    "add_gan_model_image_summaries",
    "add_image_comparison_summaries",
    "add_gan_model_summaries",
    "add_regularization_loss_summaries",
    "add_cyclegan_image_summaries",
    "add_stargan_image_summaries",
)

__all__ = list(TFGAN_NAMES) + ["StreamingState",
                               "classifier_fn_from_fid_inception"]
