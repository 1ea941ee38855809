"""The feature-network flags the eval binaries share, and the network they
choose: --classifier_path (a domain classifier from eval.train_classifier),
--inception_path (a local TF-Hub Inception, or the FID Inception imported by
eval.import_inception: FID / KID only), else the TF-Hub Inception URL from the
TF-Hub cache; 2-D mixture datasets use the known mixture."""

from __future__ import annotations

from absl import flags

from tfgan_ext.data.mixtures import MIXTURES
from tfgan_ext.errors import InputError, UsageError
from tfgan_ext.evaluation.evaluator import SAMPLE_METRICS
from tfgan_ext.metrics import DEFAULT_INCEPTION_URL, inception_network
from tfgan_ext.metrics import fid_inception
from tfgan_ext.metrics.domain_networks import ClassifierNetwork, MixtureNetwork

FLAGS = flags.FLAGS

flags.DEFINE_string("classifier_path", None, "Domain classifier directory "
                    "(eval.train_classifier --out).")
flags.DEFINE_string("inception_path", None, "Local extracted TF-Hub Inception "
                    "module, a TF-Hub URL present in TFHUB_CACHE_DIR, or the "
                    "directory eval.import_inception wrote (FID Inception "
                    "without logits: FID / KID, not IS).")


def feature_network(metrics, dataset: str):
  """The network the flags choose (None when no metric needs one)."""
  if FLAGS.classifier_path and FLAGS.inception_path:
    raise UsageError("Give --classifier_path or --inception_path, not "
                         "both.")
  if not set(metrics) & set(SAMPLE_METRICS):
    return None
  if dataset in MIXTURES:
    return MixtureNetwork(dataset)
  if FLAGS.classifier_path:
    return ClassifierNetwork(FLAGS.classifier_path)
  path = FLAGS.inception_path or DEFAULT_INCEPTION_URL
  needs_logits = sorted(set(metrics) & {"is", "quality"})
  if needs_logits and fid_inception.read_metadata(path) is not None:
    raise InputError(
        f"{needs_logits} need class logits, which the imported FID Inception "
        f"at {FLAGS.inception_path} does not have (pool features only). Use "
        f"--metrics=fid,kid with it, or pass the extracted TF-Hub module "
        f"tfgan/eval/inception/1 as --inception_path for the Inception "
        f"Score.")
  return inception_network(path)
