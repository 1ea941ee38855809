"""The eval job's metrics, registered with the needs they are computed from.

From a feature network (Inception, a domain classifier, the 2-D mixture) on
the n shared generated samples (class-balanced labels) and real data of the
reference split:
  is                   IS (with a classifier: the classifier score), mean
                       and std over num_groups groups.
  fid, kid             Fréchet / kernel distance to the real features.
  intra_fid            mean over classes of the FID of each class's own
                       samples (conditional runs).
  sample_accuracy      share of samples the network classifies as their
                       label (conditional runs).
  quality, diversity   SQD's Q (mean domain probability) and D (entropy of
                       nearest-centroid classes).
  modes_covered        2-D mixtures' modes with enough samples near them.
  within_class_spread  tr Cov of each class's samples over the real one's.
  precision, recall, density, coverage
                       k-NN PR/DC (k = 3, `metrics.prdc`), one computation.
From the run's discriminator (MHGAN section 3.2, `conditioning`):
  validation_accuracy, self_accuracy, projection_accuracy,
  d_real_accuracy_train, d_real_accuracy_validation.
Groups: "conditioning" (the five D metrics), "sqd" (quality, diversity),
"prdc" (precision, recall, density, coverage).
"""

from __future__ import annotations

from tfgan_ext.errors import InputError
from tfgan_ext.evaluation import conditioning as cond
from tfgan_ext.evaluation import sample_metrics as sm
from tfgan_ext.evaluation.metric_registry import (
    CLASS_CENTROIDS, DISCRIMINATOR_ON_TRAIN, DISCRIMINATOR_ON_VALIDATION,
    GENERATED_CLASS_SCORES, GENERATED_FEATURES, GENERATED_LOGITS, GENERATOR,
    PRDC, REFERENCE_COUNT, REFERENCE_FEATURES, REFERENCE_LABELS,
    REFERENCE_STATISTICS, SAMPLE_LABELS, Metric, MetricRegistry,
    MetricResult)
from tfgan_ext.metrics import prdc as prdc_lib
from tfgan_ext.metrics.domain_networks import COVERED_SHARE

__all__ = ["CONDITIONING_METRICS", "GROUPS", "PRDC_METRICS",
           "REFERENCE_FEATURE_METRICS", "REGISTRY", "SAMPLE_METRICS"]

REGISTRY = MetricRegistry()
_register = REGISTRY.register


# ------------------------------------------------- feature-network metrics
@_register("is", needs=(GENERATED_LOGITS,),
           description="Inception Score (or classifier score)")
def _inception_score(values, context) -> MetricResult:
  p = context.protocol
  mean, std = sm.score_and_spread(values[GENERATED_LOGITS], p.num_groups,
                                  p.seed)
  return MetricResult(mean, std, {"group_size": p.num_samples // p.num_groups})


@_register("fid", needs=(GENERATED_FEATURES, REFERENCE_STATISTICS),
           description="Fréchet distance to the real features")
def _fid(values, context) -> MetricResult:
  del context  # Unused.
  real = values[REFERENCE_STATISTICS]
  value = sm.fid_from_reference(values[GENERATED_FEATURES]["pool"],
                                (real.mu, real.sigma))
  return MetricResult(value, details=real.details)


@_register("kid", needs=(GENERATED_FEATURES, REFERENCE_FEATURES,
                         REFERENCE_COUNT),
           description="kernel distance to the real features")
def _kid(values, context) -> MetricResult:
  mean, std = sm.kid(values[GENERATED_FEATURES]["pool"],
                     values[REFERENCE_FEATURES], context.protocol.seed)
  return MetricResult(mean, std, dict(values[REFERENCE_COUNT]))


@_register("intra_fid", needs=(GENERATOR, REFERENCE_FEATURES,
                               REFERENCE_LABELS, REFERENCE_COUNT),
           conditional=True, description="mean per-class FID")
def _intra_fid(values, context) -> MetricResult:
  p, num_classes = context.protocol, context.num_classes
  per_class = p.per_class(num_classes)
  progress = context.progress(f"step {context.step}: intra-FID samples",
                              per_class * num_classes)
  mean, per = sm.chunked_intra_fid(
      values[GENERATOR], context.network, values[REFERENCE_FEATURES],
      values[REFERENCE_LABELS], range(num_classes), per_class=per_class,
      chunk=p.class_chunk, z_dim=context.z_dim, seed=p.seed,
      batch_size=p.batch_size, progress=progress)
  return MetricResult(mean, details={
      "per_class": {str(k): v for k, v in per.items()},
      "per_class_samples": per_class, **values[REFERENCE_COUNT]})


def _classifies_the_run_classes(network, config) -> None:
  num_classes = config.model.num_classes
  if getattr(network, "num_classes", 0) < num_classes:
    raise InputError(
        f"sample_accuracy needs a network that classifies the run's "
        f"{num_classes} classes ({network.name!r} is not one); use a domain "
        "classifier trained on this dataset (--classifier_path).")


@_register("sample_accuracy", needs=(GENERATED_LOGITS, SAMPLE_LABELS),
           conditional=True, check=_classifies_the_run_classes,
           description="share of samples classified as their label")
def _sample_accuracy(values, context) -> MetricResult:
  del context  # Unused.
  return MetricResult(sm.sample_accuracy(values[GENERATED_LOGITS],
                                         values[SAMPLE_LABELS]))


def _quality_needs(network):
  """A network's own domain probability (`quality`), else its logits."""
  if hasattr(network, "quality"):
    return (GENERATED_FEATURES,)
  return (GENERATED_FEATURES, GENERATED_LOGITS)


@_register("quality", needs=_quality_needs,
           description="SQD's Q, mean per-sample domain probability")
def _quality(values, context) -> MetricResult:
  return MetricResult(sm.quality_score(context.network,
                                       values[GENERATED_FEATURES]))


@_register("diversity", needs=(GENERATED_FEATURES, CLASS_CENTROIDS,
                               REFERENCE_COUNT),
           description="SQD's D, entropy of nearest-centroid classes")
def _diversity(values, context) -> MetricResult:
  del context  # Unused.
  centroids = values[CLASS_CENTROIDS]
  value, log_modes = sm.mode_diversity(values[GENERATED_FEATURES]["pool"],
                                       centroids)
  return MetricResult(value, details=dict(
      values[REFERENCE_COUNT], log_num_modes=log_modes,
      num_modes=len(centroids)))


def _has_modes(network, config) -> None:
  del config  # Unused.
  if not hasattr(network, "modes_covered"):
    raise InputError(
        f"modes_covered counts samples near the known modes of a 2-D "
        f"mixture (ring8, ring8_r2, grid25); {network.name!r} has no such "
        "modes. Use diversity (SQD's D) for image data.")


@_register("modes_covered", needs=(GENERATED_FEATURES,), check=_has_modes,
           description="modes of a 2-D mixture with enough samples")
def _modes_covered(values, context) -> MetricResult:
  outputs, network = values[GENERATED_FEATURES], context.network
  counts = network.mode_counts(outputs)
  return MetricResult(network.modes_covered(outputs), details=dict(
      mode_counts=[int(c) for c in counts], min_share=COVERED_SHARE,
      num_modes=len(counts)))


@_register("within_class_spread",
           needs=(GENERATED_FEATURES, SAMPLE_LABELS, REFERENCE_FEATURES,
                  REFERENCE_LABELS, REFERENCE_COUNT),
           conditional=True,
           description="generated over real within-class spread")
def _within_class_spread(values, context) -> MetricResult:
  del context  # Unused.
  value, per_class = sm.within_class_spread(
      values[GENERATED_FEATURES]["pool"], values[SAMPLE_LABELS],
      values[REFERENCE_FEATURES], values[REFERENCE_LABELS])
  return MetricResult(value, details=dict(values[REFERENCE_COUNT],
                                          per_class=per_class))


PRDC_METRICS = ("precision", "recall", "density", "coverage")


def _prdc_part(name: str):
  def compute(values, context) -> MetricResult:
    del context  # Unused.
    return MetricResult(values[PRDC][name], details=dict(
        values[REFERENCE_COUNT], k=prdc_lib.DEFAULT_K))
  return compute


for _name in PRDC_METRICS:
  REGISTRY.add(Metric(_name, _prdc_part(_name), (PRDC, REFERENCE_COUNT),
                      description=f"k-NN {_name} (PR/DC, k = 3)"))


# ----------------------------------------------- the run's discriminator
@_register("validation_accuracy", needs=(DISCRIMINATOR_ON_VALIDATION,),
           conditional=True, real_split="validation",
           description="the run's classifier on real validation data")
def _validation_accuracy(values, context) -> MetricResult:
  res = values[DISCRIMINATOR_ON_VALIDATION]
  return MetricResult(res["classifier_accuracy"], details={
      "real_examples": res["real_examples"], **context.classifier})


@_register("self_accuracy", needs=(GENERATED_CLASS_SCORES, SAMPLE_LABELS),
           conditional=True, real_split="none",
           description="the run's classifier on its own samples")
def _self_accuracy(values, context) -> MetricResult:
  return MetricResult(
      cond.accuracy(values[GENERATED_CLASS_SCORES], values[SAMPLE_LABELS]),
      details=dict(context.classifier))


@_register("projection_accuracy", needs=(DISCRIMINATOR_ON_VALIDATION,),
           conditional=True, real_split="validation",
           description="argmax_k D(x, k) on real validation data")
def _projection_accuracy(values, context) -> MetricResult:
  del context  # Unused.
  res = values[DISCRIMINATOR_ON_VALIDATION]
  return MetricResult(res["projection_accuracy"],
                      details={"real_examples": res["real_examples"]})


@_register("d_real_accuracy_train", needs=(DISCRIMINATOR_ON_TRAIN,),
           conditional=True, real_split="train",
           description="share of real training (x, y) with D(x, y) > 0")
def _d_real_accuracy_train(values, context) -> MetricResult:
  del context  # Unused.
  res = values[DISCRIMINATOR_ON_TRAIN]
  return MetricResult(res["d_real_accuracy"],
                      details={"real_examples": res["real_examples"]})


@_register("d_real_accuracy_validation", needs=(DISCRIMINATOR_ON_VALIDATION,),
           conditional=True, real_split="validation",
           description="share of real validation (x, y) with D(x, y) > 0")
def _d_real_accuracy_validation(values, context) -> MetricResult:
  del context  # Unused.
  res = values[DISCRIMINATOR_ON_VALIDATION]
  return MetricResult(res["d_real_accuracy"],
                      details={"real_examples": res["real_examples"]})


SAMPLE_METRICS = REGISTRY.requiring("feature_network")
CONDITIONING_METRICS = REGISTRY.requiring("discriminator")
# Metrics that compare with real features, not only their mean/covariance.
REFERENCE_FEATURE_METRICS = REGISTRY.requiring("real_features")

REGISTRY.add_group("conditioning", CONDITIONING_METRICS)
REGISTRY.add_group("sqd", ("quality", "diversity"))
REGISTRY.add_group("prdc", PRDC_METRICS)
GROUPS = REGISTRY.groups
