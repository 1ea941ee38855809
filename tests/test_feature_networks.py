"""Tests for feature-network loading, activation extraction and the stats cache.

Stand-ins for the TF-Hub Inception module are built inside the tests and loaded
through the same InceptionNetwork code path (hub.load on a local directory).
Every test runs with socket connections disabled.
"""

import hashlib
import json
import os
import shutil

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_hub as hub

from tfgan_ext import metrics
from tfgan_ext.metrics import feature_networks as fn

ROW = 150  # the stand-ins report channel 0 of this row of what they receive


pytestmark = pytest.mark.usefixtures("no_network")  # conftest.py


def _standin_outputs(images):
  """pool_3: [H, W, mean, row ROW of channel 0 (299 values), 0...]."""
  shape = tf.shape(images)
  batch = shape[0]
  size = tf.cast(shape[1:3], tf.float32)
  mean = tf.reduce_mean(images, axis=[1, 2, 3])
  row = images[:, ROW, :, 0]
  head = tf.concat([tf.fill([batch, 1], size[0]), tf.fill([batch, 1], size[1]),
                    mean[:, None], row], axis=1)
  pool = tf.pad(head, [[0, 0], [0, 2048 - 3 - 299]])
  logits = mean[:, None] * tf.range(1008, dtype=tf.float32)[None, :]
  return logits, pool


def _save_tf1_hub_standin(path):
  """A TF1 Hub-format module: empty tag set, 'default' signature, 4-D pool_3."""
  graph = tf.Graph()
  with graph.as_default():
    images = tf.compat.v1.placeholder(tf.float32, [None, None, None, 3],
                                      name="images")
    scale = tf.compat.v1.get_variable("scale", initializer=tf.constant(1.0))
    logits, pool = _standin_outputs(images)
    outputs = {"logits": logits * scale,
               "pool_3": tf.reshape(pool, [-1, 1, 1, 2048])}
    with tf.compat.v1.Session() as sess:
      sess.run(tf.compat.v1.global_variables_initializer())
      builder = tf.compat.v1.saved_model.Builder(str(path))
      signature = tf.compat.v1.saved_model.predict_signature_def(
          {"images": images}, outputs)
      builder.add_meta_graph_and_variables(
          sess, tags=[], signature_def_map={"default": signature})
      builder.save()
  # ModuleDef{format: FORMAT_V3}: what marks a directory as TF1 Hub format.
  with open(os.path.join(path, "tfhub_module.pb"), "wb") as f:
    f.write(b"\x08\x03")


class _TF2StandIn(tf.Module):

  @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3],
                                              tf.float32)])
  def __call__(self, images):
    logits, pool = _standin_outputs(images)
    return {"logits": logits, "pool_3": pool}


@pytest.fixture(scope="module")
def tf1_module_dir(tmp_path_factory):
  path = tmp_path_factory.mktemp("standin") / "tf1_hub"
  _save_tf1_hub_standin(path)
  return str(path)


@pytest.fixture(scope="module")
def tf2_module_dir(tmp_path_factory):
  path = str(tmp_path_factory.mktemp("standin") / "tf2")
  tf.saved_model.save(_TF2StandIn(), path)
  return path


def _check_outputs(net, images):
  out = net(images)
  n = images.shape[0]
  assert set(out) == {"logits", "pool"}
  assert out["logits"].shape == (n, 1008)
  assert out["pool"].shape == (n, 2048)
  pool = out["pool"].numpy()
  np.testing.assert_array_equal(pool[:, :2], np.full((n, 2), 299.0))
  return out


@pytest.mark.parametrize("module_fixture", ["tf1_module_dir", "tf2_module_dir"])
def test_standin_loads_and_sees_299(module_fixture, request):
  net = metrics.InceptionNetwork(request.getfixturevalue(module_fixture))
  assert net.feature_dim == 2048 and net.name == "tfgan_inception_v1"
  out = _check_outputs(net, np.full((3, 32, 24, 3), 0.5, np.float32))
  # A constant image stays constant under bilinear resizing.
  np.testing.assert_allclose(out["pool"].numpy()[:, 2], 0.5, atol=1e-6)
  np.testing.assert_allclose(out["logits"].numpy()[:, 2], 1.0, atol=1e-5)


def test_resize_is_bilinear_without_antialias(tf1_module_dir):
  net = metrics.InceptionNetwork(tf1_module_dir)
  rng = np.random.default_rng(0)
  for size in [(40, 56), (400, 380)]:  # upsampling and downsampling
    images = rng.uniform(-1, 1, (2,) + size + (3,)).astype(np.float32)
    seen = net(images)["pool"].numpy()[:, 3:3 + 299]
    want = tf.image.resize(images, [299, 299], method="bilinear",
                           antialias=False)[:, ROW, :, 0].numpy()
    np.testing.assert_allclose(seen, want, atol=1e-6)
  # The downsampling case does discriminate: antialiasing would differ.
  other = tf.image.resize(images, [299, 299], method="bilinear",
                          antialias=True)[:, ROW, :, 0].numpy()
  assert np.abs(other - want).max() > 0.05


def test_grayscale_inputs_are_repeated_to_rgb(tf2_module_dir):
  net = metrics.InceptionNetwork(tf2_module_dir)
  out = _check_outputs(net, np.full((2, 28, 28, 1), -0.25))  # float64 in
  np.testing.assert_allclose(out["pool"].numpy()[:, 2], -0.25, atol=1e-6)


def test_missing_local_path_fails_fast(tmp_path, monkeypatch):
  monkeypatch.setattr(hub, "load", _forbidden_hub_load)
  missing = str(tmp_path / "no_such_module")
  with pytest.raises(FileNotFoundError, match="no_such_module"):
    metrics.InceptionNetwork(missing)
  empty = tmp_path / "empty"
  empty.mkdir()
  with pytest.raises(FileNotFoundError, match="saved_model.pb"):
    metrics.InceptionNetwork(str(empty))


def _forbidden_hub_load(*args, **kwargs):
  raise AssertionError(f"hub.load must not be called here: {args}")


def test_uncached_url_fails_fast_with_instructions(tmp_path, monkeypatch):
  cache = tmp_path / "tfhub_cache"
  cache.mkdir()
  monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
  monkeypatch.setattr(hub, "load", _forbidden_hub_load)
  url = metrics.DEFAULT_INCEPTION_URL
  digest = hashlib.sha1(url.encode("utf8")).hexdigest()
  with pytest.raises(FileNotFoundError) as info:
    metrics.InceptionNetwork(url)
  message = str(info.value)
  for part in (url, digest, str(cache), "TFHUB_CACHE_DIR", "SHA-1",
               "tf-hub-format=compressed", "--inception_path"):
    assert part in message
  assert url == "https://tfhub.dev/tensorflow/tfgan/eval/inception/1"


def test_cached_url_is_served_from_sha1_folder(tf1_module_dir, tmp_path,
                                               monkeypatch):
  cache = tmp_path / "tfhub_cache"
  url = metrics.DEFAULT_INCEPTION_URL
  folder = cache / hashlib.sha1(url.encode("utf8")).hexdigest()
  shutil.copytree(tf1_module_dir, folder)
  monkeypatch.setenv("TFHUB_CACHE_DIR", str(cache))
  calls = []
  real_load = hub.load
  def spy(handle, *args, **kwargs):
    calls.append(handle)
    return real_load(handle, *args, **kwargs)
  monkeypatch.setattr(hub, "load", spy)
  net = metrics.InceptionNetwork(url)
  assert calls == [str(folder)]
  assert metrics.hub_cache_folder(url) == str(folder)
  _check_outputs(net, np.zeros((2, 16, 16, 3), np.float32))


# ----------------------------------------------------------------------------
# compute_activations and the protocol.

class _MeanNetwork:
  """A minimal feature network: per-channel means as features."""
  name = "channel_means"
  feature_dim = 3

  def __call__(self, images):
    pool = tf.reduce_mean(images, axis=[1, 2])
    return {"logits": tf.concat([pool, -pool], axis=1), "pool": pool}


def test_compute_activations_from_array_with_progress():
  images = np.arange(5, dtype=np.float32)[:, None, None, None] * np.ones(
      (5, 4, 4, 3), np.float32) / 10
  seen = []
  out = metrics.compute_activations(_MeanNetwork(), images, batch_size=2,
                                    progress=lambda d, t: seen.append((d, t)))
  assert seen == [(2, 5), (4, 5), (5, 5)]
  assert set(out) == {"logits", "pool"}
  np.testing.assert_allclose(out["pool"][:, 0], np.arange(5) / 10, atol=1e-7)
  assert out["logits"].shape == (5, 6)


@pytest.mark.parametrize("structure", ["tuple", "dict", "images"])
def test_compute_activations_from_dataset(structure):
  images = np.random.default_rng(1).uniform(-1, 1, (7, 4, 4, 3)).astype(
      np.float32)
  labels = np.array([3, 1, 4, 1, 5, 9, 2])
  if structure == "tuple":
    ds = tf.data.Dataset.from_tensor_slices((images, labels)).batch(3)
  elif structure == "dict":
    ds = tf.data.Dataset.from_tensor_slices({"image": images,
                                             "label": labels}).batch(3)
  else:
    ds = tf.data.Dataset.from_tensor_slices(images).batch(3)
  out = metrics.compute_activations(_MeanNetwork(), ds)
  np.testing.assert_allclose(out["pool"], images.mean(axis=(1, 2)), atol=1e-6)
  if structure == "images":
    assert "labels" not in out
  else:
    np.testing.assert_array_equal(out["labels"], labels)


def test_inception_standin_through_compute_activations(tf1_module_dir):
  net = metrics.InceptionNetwork(tf1_module_dir)
  out = metrics.compute_activations(net, np.zeros((5, 8, 8, 3), np.float32),
                                    batch_size=2)
  assert out["logits"].shape == (5, 1008) and out["pool"].shape == (5, 2048)


# ----------------------------------------------------------------------------
# Statistics cache.

KEY = {"dataset": "cifar10", "split": "train", "image_size": 32,
       "num_samples": 50, "network": "channel_means"}


def test_cached_statistics_computes_once(tmp_path):
  rng = np.random.default_rng(2)
  acts = rng.standard_normal((50, 3))
  calls = []
  def compute():
    calls.append(1)
    return acts
  mu, sigma = metrics.cached_statistics(str(tmp_path), KEY, compute)
  np.testing.assert_allclose(mu, acts.mean(0), rtol=1e-12)
  np.testing.assert_allclose(sigma, np.cov(acts, rowvar=False), rtol=1e-12)
  npz, side = fn.statistics_cache_paths(str(tmp_path), KEY)
  assert os.path.basename(npz).startswith(
      "cifar10-train-32px-n50-channel_means-")
  with open(side, encoding="utf8") as f:
    assert json.load(f)["key"] == KEY
  mu2, sigma2 = metrics.cached_statistics(str(tmp_path), dict(KEY), compute)
  assert len(calls) == 1
  np.testing.assert_array_equal(mu2, mu)
  np.testing.assert_array_equal(sigma2, sigma)
  # Any different field (extra fields too) is a different entry.
  metrics.cached_statistics(str(tmp_path), {**KEY, "resize": "bilinear"},
                            compute)
  assert len(calls) == 2


def test_cached_statistics_accepts_ready_stats_and_checks_key(tmp_path):
  mu, sigma = metrics.cached_statistics(
      str(tmp_path), KEY, lambda: (np.ones(3), np.eye(3)))
  np.testing.assert_array_equal(mu, np.ones(3))
  np.testing.assert_array_equal(sigma, np.eye(3))
  with pytest.raises(ValueError, match="num_samples"):
    metrics.cached_statistics(str(tmp_path), {**KEY, "split": "test"},
                              lambda: np.zeros((49, 3)))
  partial = {k: v for k, v in KEY.items() if k != "network"}
  with pytest.raises(ValueError, match="network"):
    metrics.cached_statistics(str(tmp_path), partial, lambda: np.zeros((50, 3)))


def test_integer_images_are_rejected():
  with pytest.raises(ValueError, match="float images"):
    metrics.compute_activations(_MeanNetwork(),
                                np.zeros((2, 4, 4, 3), np.uint8))
