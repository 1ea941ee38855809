"""The feature-network flags the eval binaries share, and the network they
choose: --classifier_path (a domain classifier from eval.train_classifier),
--inception_path (a local TF-Hub Inception), else the TF-Hub Inception URL
from the TF-Hub cache; 2-D mixture datasets use the known mixture."""

from __future__ import annotations

from absl import app
from absl import flags

from tfgan_ext.evaluation.evaluator import SAMPLE_METRICS
from tfgan_ext.metrics import DEFAULT_INCEPTION_URL, InceptionNetwork
from tfgan_ext.metrics.domain_networks import ClassifierNetwork, MixtureNetwork

FLAGS = flags.FLAGS

flags.DEFINE_string("classifier_path", None, "Domain classifier directory "
                    "(eval.train_classifier --out).")
flags.DEFINE_string("inception_path", None, "Local extracted TF-Hub Inception "
                    "module, or a TF-Hub URL present in TFHUB_CACHE_DIR.")


def feature_network(metrics, dataset: str):
  """The network the flags choose (None when no metric needs one)."""
  if FLAGS.classifier_path and FLAGS.inception_path:
    raise app.UsageError("Give --classifier_path or --inception_path, not "
                         "both.")
  if not set(metrics) & set(SAMPLE_METRICS):
    return None
  if dataset in ("ring8", "grid25"):
    return MixtureNetwork(dataset)
  if FLAGS.classifier_path:
    return ClassifierNetwork(FLAGS.classifier_path)
  return InceptionNetwork(FLAGS.inception_path or DEFAULT_INCEPTION_URL)
