"""Feature extraction speed through Inception networks at 299x299.

python -m bench.bench_features [--num_images 64] [--batch_size 32]
    [--fid_inception DIR]

Two networks, each run through `metrics.compute_activations` on 32x32 images
in [-1, 1] resized to 299x299 inside the feature network:
* the real FID Inception imported by `python -m eval.import_inception`
  (default location, or --fid_inception DIR; skipped with a note when absent);
* keras.applications.InceptionV3(weights=None): random weights, the shape
  and cost of TF-GAN's TF-Hub Inception (2048 pool features and logits).
Prints images/s and the time 50k samples (the final-number protocol) would
take; also the digits domain classifier's images/s at 16x16 for comparison.
Fréchet-distance timing: bench/bench_frechet.py.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # pylint: disable=g-import-not-at-top
import numpy as np
import tensorflow as tf

from tfgan_ext.metrics import compute_activations
from tfgan_ext.metrics import fid_inception
from tfgan_ext.models.classifier import build_classifier


class RandomInception:
  """InceptionV3 with random weights, shaped like TF-GAN's feature network."""
  name = "inception_v3_random"
  feature_dim = 2048

  def __init__(self):
    base = keras.applications.InceptionV3(weights=None,
                                          classifier_activation=None)
    self.model = keras.Model(base.input, {
        "logits": base.output, "pool": base.get_layer("avg_pool").output})
    self._forward = tf.function(
        self._forward_impl,
        input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32)])

  def _forward_impl(self, images):
    images = tf.image.resize(images, [299, 299], method="bilinear",
                             antialias=False)
    return self.model(images, training=False)

  def __call__(self, images):
    return self._forward(tf.cast(images, tf.float32))


class SmallClassifier:
  """The digits domain classifier's architecture (random weights)."""
  name = "classifier_random"
  feature_dim = 64

  def __init__(self):
    self.model = build_classifier(16, 1, 10)
    self._forward = tf.function(
        lambda x: self.model(x, training=False),
        input_signature=[tf.TensorSpec([None, 16, 16, 1], tf.float32)])

  def __call__(self, images):
    return self._forward(tf.cast(images, tf.float32))


def images_per_second(network, images: np.ndarray, batch_size: int) -> float:
  compute_activations(network, images[:batch_size], batch_size)  # warm-up
  start = time.perf_counter()
  out = compute_activations(network, images, batch_size)
  seconds = time.perf_counter() - start
  assert out["pool"].shape == (len(images), network.feature_dim)
  return len(images) / seconds


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--num_images", type=int, default=64)
  parser.add_argument("--batch_size", type=int, default=32)
  parser.add_argument("--fid_inception",
                      default=fid_inception.default_fid_inception_dir())
  parser.add_argument("--skip_random", action="store_true",
                      help="Only the real FID Inception.")
  args = parser.parse_args()
  rng = np.random.default_rng(0)
  images = rng.uniform(-1, 1, (args.num_images, 32, 32, 3)).astype(np.float32)
  print(f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} "
        f"(other jobs slow this down)")
  if fid_inception.is_imported_fid_inception(args.fid_inception):
    network = fid_inception.FIDInceptionNetwork(args.fid_inception)
    rate = images_per_second(network, images, args.batch_size)
    print(f"  FID Inception (imported), 299x299, batch {args.batch_size}: "
          f"{rate:8.1f} images/s (50k samples: {50_000 / rate / 60:.0f} min)")
  else:
    print(f"  FID Inception: not imported at {args.fid_inception} (run "
          f"`make inception`); skipped")
  if args.skip_random:
    return
  rate = images_per_second(RandomInception(), images, args.batch_size)
  print(f"  InceptionV3 shape (random weights), 299x299, batch "
        f"{args.batch_size}: {rate:8.1f} images/s (50k samples: "
        f"{50_000 / rate / 60:.0f} min)")
  digits = rng.uniform(-1, 1, (2000, 16, 16, 1)).astype(np.float32)
  rate = images_per_second(SmallClassifier(), digits, 250)
  print(f"  digits classifier, 16x16, batch 250:    {rate:8.1f} images/s")


if __name__ == "__main__":
  main()
