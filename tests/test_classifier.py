"""The offline domain classifier: accuracy on digits, saving, the adapter."""

import json
import os

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext.evaluation import domain_classifier
from tfgan_ext.evaluation.real_data import split_arrays
from tfgan_ext.metrics.domain_networks import ClassifierNetwork, max_probability
from tfgan_ext.models import classifier as classifier_lib


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
  out = str(tmp_path_factory.mktemp("classifiers") / "digits_8px")
  info = domain_classifier.train_and_save("digits", 8, 1, out, epochs=12)
  return out, info


def test_digits_classifier_is_accurate_and_saved(trained):
  out, info = trained
  assert info.test_accuracy >= 0.95
  assert (info.dataset, info.image_size, info.channels, info.num_classes,
          info.train_examples, info.test_examples) == ("digits", 8, 1, 10,
                                                       1437, 360)
  with open(os.path.join(out, classifier_lib.INFO_FILE)) as f:
    assert json.load(f)["test_accuracy"] == info.test_accuracy
  # The adapter reproduces the recorded accuracy from the saved file.
  network = ClassifierNetwork(out)
  x, y = split_arrays("digits", "test", image_size=8, channels=1)
  outputs = network(x)
  assert outputs["logits"].shape == (360, 10)
  assert outputs["pool"].shape == (360, network.feature_dim)
  accuracy = np.mean(np.argmax(outputs["logits"], 1) == y)
  assert accuracy == pytest.approx(info.test_accuracy)
  assert network.name.startswith("classifier_digits_8px_")
  assert len(network.name.rsplit("_", 1)[1]) == 8


def test_adapter_resizes_and_converts_channels(trained):
  out, _ = trained
  network = ClassifierNetwork(out)
  x, _ = split_arrays("digits", "test", image_size=16, channels=1,
                      max_examples=20)
  small = tf.image.resize(x, [8, 8], method="bilinear", antialias=True)
  direct = network.model(small, training=False)
  np.testing.assert_allclose(network(x)["logits"], direct["logits"],
                             rtol=1e-4, atol=1e-5)
  rgb = np.repeat(x, 3, axis=-1)
  np.testing.assert_allclose(network(rgb)["pool"], network(x)["pool"],
                             rtol=1e-4, atol=1e-5)
  q = network.quality(network(small))
  assert np.all((q >= 0.1) & (q <= 1.0))
  np.testing.assert_allclose(max_probability([[0.0, np.log(3.0)]]), [0.75])


def test_ensure_classifier_reuses_a_matching_one(trained):
  out, info = trained
  path, again, trained_now = domain_classifier.ensure_classifier(
      "digits", 8, 1, out)
  assert path == out and not trained_now and again == info


def test_bad_inputs_fail_clearly(tmp_path):
  with pytest.raises(FileNotFoundError, match="eval.train_classifier"):
    classifier_lib.load_classifier(str(tmp_path / "missing"))
  x = np.zeros((4, 8, 8, 1), np.float32)
  with pytest.raises(ValueError, match="Labels"):
    classifier_lib.train_classifier((x, np.array([0, 1, 2, 12])),
                                    (x, np.zeros(4, int)), dataset="d",
                                    num_classes=10)
  with pytest.raises(ValueError, match="not a labelled image dataset"):
    domain_classifier.train_and_save("ring8", 8, 1, str(tmp_path / "r"))
  assert not os.path.exists(tmp_path / "r")


def test_offline_classifier_hint(tmp_path):
  root = str(tmp_path / "classifiers")
  path = os.path.join(root, "digits_16px")
  assert domain_classifier.offline_classifier_hint("digits", 16, 1, root) == (
      f"'digits' has an offline domain classifier: pass --classifier_path="
      f"{path} instead (train it first with `python -m eval.train_classifier "
      f"--dataset=digits --image_size=16 --channels=1 --out={path}`).")
  os.makedirs(path)
  assert domain_classifier.offline_classifier_hint("digits", 16, 1, root) == (
      f"'digits' has an offline domain classifier: pass --classifier_path="
      f"{path} instead ({path} exists).")
  assert domain_classifier.offline_classifier_hint("cifar10", 32, 3, root) == ""
