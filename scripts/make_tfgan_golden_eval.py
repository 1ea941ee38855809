"""One-off: golden outputs of TF-GAN's own `tfgan.eval` functions.

Not part of the project's environment or test suite (tensorflow-gan is no
project dependency and does not import on TensorFlow >= 2.16). Run it in a
separate venv with TensorFlow 2.15 and tensorflow-gan 2.1.0:

  python3 -m venv /tmp/tfgan_ref
  /tmp/tfgan_ref/bin/pip install tensorflow==2.15.* tf-keras==2.15.* \
      tensorflow-probability==0.23.* tensorflow-hub tensorflow-gan==2.1.0
  /tmp/tfgan_ref/bin/python scripts/make_tfgan_golden_eval.py \
      --out=tests/data/tfgan_golden_eval.npz

It feeds every ported eval function fixed inputs made here from NumPy's
seeded generator and saves inputs and outputs, so that
tests/test_tfgan_compat_eval.py compares `tfgan_ext.tfgan.eval` with TF-GAN
without TF-GAN:
  * activations (n > d, a rank-deficient n <= d pair, sizes that do not
    divide into KID's blocks) and logits, in float32 and float64;
  * the classifier-running functions with small deterministic classifier /
    sample functions (matrices stored here; the test rebuilds the functions);
  * the Inception functions through `classifier_fn=` (the TF-Hub Inception
    cannot be fetched offline), `classifier_fn_from_tfhub` on a small local
    SavedModel (its weights stored here);
  * the streaming functions in a TF 1 graph (TF-GAN's streaming raises under
    eager execution), three equal batches fed through placeholders;
  * image_grid / python_image_grid / image_reshaper;
  * sliced_wasserstein_distance with use_svd=True after np.random.seed (its
    patch draws come from NumPy's global generator), and with random
    projections (TF's generator: compared statistically);
  * the image summaries TF-GAN writes under TF 2 (through TensorBoard's v2
    image op): decoded PNGs and tags read back from the event file;
  * TF-GAN's eval `__all__` and each function's signature.
"""

from __future__ import annotations

import argparse
import glob
import inspect
import json
import os
import tempfile

import numpy as np
import tensorflow as tf
import tensorflow_gan as tfgan

SEED = 20210601


def correlated(rng, n, d, shift, scale):
  """Rows of a Gaussian with a random full covariance, rounded to float32."""
  mix = rng.standard_normal((d, d)) * scale / np.sqrt(d)
  x = rng.standard_normal((n, d)) @ mix + shift
  return x.astype(np.float32).astype(np.float64)


def numpy_of(value):
  if isinstance(value, dict):
    return {k: numpy_of(v) for k, v in value.items()}
  if isinstance(value, (list, tuple)):
    return [numpy_of(v) for v in value]
  return np.asarray(value)


class Classifiers:
  """Deterministic stand-ins for a classifier and a sampler (TF ops)."""

  def __init__(self, rng):
    self.w_logits = rng.standard_normal((48, 10)).astype(np.float32) * 0.3
    self.w_pool = rng.standard_normal((48, 6)).astype(np.float32) * 0.5
    self.w_sample = rng.standard_normal((5, 48)).astype(np.float32)

  def logits(self, images):
    return tf.matmul(tf.reshape(images, [-1, 48]), self.w_logits)

  def pool(self, images):
    return tf.nn.relu(tf.matmul(tf.reshape(images, [-1, 48]), self.w_pool))

  def both(self, images):
    return {"logits": self.logits(images), "pool_3": self.pool(images)}

  def sample(self, z):
    return tf.reshape(tf.tanh(tf.matmul(z, self.w_sample)), [-1, 4, 4, 3])


class TinyModule(tf.Module):
  """A SavedModel with an Inception-like output dict (pool_3 is 4-D)."""

  def __init__(self, w):
    super().__init__()
    self.w = tf.Variable(w)

  @tf.function(input_signature=[tf.TensorSpec([None, 4, 4, 3], tf.float32)])
  def __call__(self, images):
    logits = tf.matmul(tf.reshape(images, [-1, 48]), self.w)
    return {"logits": logits,
            "pool_3": tf.reshape(tf.nn.relu(logits[:, :8]), [-1, 2, 2, 2])}


def streaming_golden(out, a, b, logits, images1, images2, clf):
  """TF-GAN's streaming functions over 3 equal batches, in a TF 1 graph."""
  graph = tf.Graph()
  with graph.as_default():
    pa = tf.compat.v1.placeholder(tf.float64, [None, a.shape[1]])
    pb = tf.compat.v1.placeholder(tf.float64, [None, b.shape[1]])
    pl = tf.compat.v1.placeholder(tf.float64, [None, logits.shape[1]])
    pi1 = tf.compat.v1.placeholder(tf.float32, [None, 4, 4, 3])
    pi2 = tf.compat.v1.placeholder(tf.float32, [None, 4, 4, 3])
    fid = tfgan.eval.frechet_classifier_distance_from_activations_streaming(
        pa, pb)
    score = tfgan.eval.classifier_score_from_logits_streaming(pl)
    fid_fn = tfgan.eval.frechet_classifier_distance_streaming(
        pi1, pi2, clf.pool, num_batches=2)
    score_fn = tfgan.eval.classifier_score_streaming(pi1, clf.logits,
                                                     num_batches=2)
    is_fn = tfgan.eval.inception_score_streaming(pi1,
                                                 classifier_fn=clf.logits)
    fid_inc = tfgan.eval.frechet_inception_distance_streaming(
        pi1, pi2, classifier_fn=clf.pool)
    with tf.compat.v1.Session(graph=graph) as sess:
      sess.run(tf.compat.v1.local_variables_initializer())
      for i in range(3):
        feed = {pa: a[i * 32:(i + 1) * 32], pb: b[i * 26:(i + 1) * 26],
                pl: logits[i * 40:(i + 1) * 40],
                pi1: images1[i * 8:(i + 1) * 8],
                pi2: images2[i * 8:(i + 1) * 8]}
        updates = sess.run([fid[1], score[1], fid_fn[1], score_fn[1],
                            is_fn[1], fid_inc[1]], feed)
      values = sess.run([fid[0], score[0], fid_fn[0], score_fn[0], is_fn[0],
                         fid_inc[0]])
  names = ["fid_acts", "score_logits", "fid_classifier", "score_classifier",
           "inception_score", "fid_inception"]
  for name, update, value in zip(names, updates, values):
    out[f"streaming_{name}"] = np.float64(value)
    out[f"streaming_{name}_update"] = np.float64(update)


def summaries_golden(out, rng):
  """Decoded images and tags TF-GAN's summaries write in TF 2 eager."""
  real = rng.uniform(-1, 1, (4, 4, 4, 3)).astype(np.float32)
  generated = rng.uniform(-1, 1, (4, 4, 4, 3)).astype(np.float32)
  inputs = rng.uniform(0, 1, (4, 4, 4, 3)).astype(np.float32)
  out["summary_real"], out["summary_generated"] = real, generated
  out["summary_inputs"] = inputs
  model = tfgan.GANModel(
      generator_inputs=tf.constant(inputs), generated_data=tf.constant(
          generated), generator_variables=[], generator_scope=None,
      generator_fn=None, real_data=tf.constant(real),
      discriminator_real_outputs=None, discriminator_gen_outputs=None,
      discriminator_variables=[], discriminator_scope=None,
      discriminator_fn=None)
  logdir = tempfile.mkdtemp()
  writer = tf.summary.create_file_writer(logdir)
  with writer.as_default(step=0):
    tfgan.eval.add_gan_model_image_summaries(model, grid_size=2,
                                             model_summaries=False)
    tfgan.eval.add_image_comparison_summaries(model, num_comparisons=2,
                                              display_diffs=True)
  writer.flush()
  tags = []
  for path in sorted(glob.glob(os.path.join(logdir, "events.*"))):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        # TF 2 writes TF 1 image summaries through TensorBoard's v2 image
        # op: a string tensor [width, height, png, ...].
        if value.metadata.plugin_data.plugin_name == "images":
          pngs = tf.make_ndarray(value.tensor)[2:]
          out["summary_png_" + value.tag] = np.stack(
              [tf.io.decode_png(png).numpy() for png in pngs])
          tags.append(value.tag)
  out["summary_tags"] = np.array(sorted(tags))


def main():
  parser = argparse.ArgumentParser()
  parser.add_argument("--out", default="tests/data/tfgan_golden_eval.npz")
  args = parser.parse_args()
  rng = np.random.default_rng(SEED)
  out = {}

  # Activations and logits (float32-representable float64 values).
  a = correlated(rng, 97, 12, 0.0, 1.0)
  b = correlated(rng, 83, 12, 0.4, 1.3)
  small_a = correlated(rng, 9, 12, 0.0, 1.0)
  small_b = correlated(rng, 7, 12, 0.2, 1.0)
  logits = (rng.standard_normal((120, 10)) * 2.0).astype(np.float32).astype(
      np.float64)
  out.update(acts_a=a, acts_b=b, small_a=small_a, small_b=small_b,
             logits=logits)
  ev = tfgan.eval
  for tag, dtype in (("f32", np.float32), ("f64", np.float64)):
    ta, tb = tf.constant(a.astype(dtype)), tf.constant(b.astype(dtype))
    out[f"fid_{tag}"] = ev.frechet_classifier_distance_from_activations(
        ta, tb).numpy()
    out[f"fid_small_{tag}"] = (
        ev.frechet_classifier_distance_from_activations(
            tf.constant(small_a.astype(dtype)),
            tf.constant(small_b.astype(dtype))).numpy())
    out[f"fid_same_{tag}"] = ev.frechet_classifier_distance_from_activations(
        ta, ta).numpy()
    out[f"mean_only_{tag}"] = (
        ev.mean_only_frechet_classifier_distance_from_activations(
            ta, tb).numpy())
    out[f"diagonal_only_{tag}"] = (
        ev.diagonal_only_frechet_classifier_distance_from_activations(
            ta, tb).numpy())
    out[f"score_{tag}"] = ev.classifier_score_from_logits(
        tf.constant(logits.astype(dtype))).numpy()
    for block in (1024, 30, 50):
      mean, std = ev.kernel_classifier_distance_and_std_from_activations(
          ta, tb, max_block_size=block)
      out[f"kid_{block}_{tag}"] = mean.numpy()
      out[f"kid_std_{block}_{tag}"] = std.numpy()
      out[f"kid_only_{block}_{tag}"] = (
          ev.kernel_classifier_distance_from_activations(
              ta, tb, max_block_size=block).numpy())
  mean, std = ev.kernel_classifier_distance_and_std_from_activations(
      tf.constant(a.astype(np.float32)), tf.constant(b.astype(np.float32)),
      max_block_size=30, dtype=tf.float64)
  out["kid_30_cast64"], out["kid_std_30_cast64"] = mean.numpy(), std.numpy()

  # Classifier-running functions with deterministic stand-ins.
  clf = Classifiers(rng)
  out.update(w_logits=clf.w_logits, w_pool=clf.w_pool,
             w_sample=clf.w_sample)
  images1 = rng.uniform(-1, 1, (24, 4, 4, 3)).astype(np.float32)
  images2 = (rng.uniform(-1, 1, (24, 4, 4, 3)) * 0.8 + 0.1).astype(
      np.float32)
  noise = [rng.standard_normal((8, 5)).astype(np.float32) for _ in range(3)]
  out.update(images1=images1, images2=images2, noise=np.stack(noise))
  dtypes = {"logits": tf.float32, "pool_3": tf.float32}
  for nb in (1, 3):
    run = ev.run_classifier_fn(tf.constant(images1), clf.both,
                               num_batches=nb, dtypes=dtypes)
    out[f"run_logits_{nb}"] = run["logits"].numpy()
    out[f"run_pool_{nb}"] = run["pool_3"].numpy()
  out["run_single"] = ev.run_classifier_fn(tf.constant(images1),
                                           clf.logits).numpy()
  sampled = ev.sample_and_run_classifier_fn(
      clf.sample, [tf.constant(z) for z in noise], clf.both, dtypes=dtypes)
  out["sample_logits"] = sampled["logits"].numpy()
  out["sample_pool"] = sampled["pool_3"].numpy()
  out["sample_single"] = ev.sample_and_run_classifier_fn(
      clf.sample, [tf.constant(noise[0])], clf.logits).numpy()
  out["classifier_score"] = ev.classifier_score(
      tf.constant(images1), clf.logits, num_batches=2).numpy()
  out["fcd"] = ev.frechet_classifier_distance(
      tf.constant(images1), tf.constant(images2), clf.pool,
      num_batches=3).numpy()
  kcd = ev.kernel_classifier_distance_and_std(
      tf.constant(images1), tf.constant(images2), clf.pool, num_batches=2,
      max_block_size=10)
  out["kcd"], out["kcd_std"] = kcd[0].numpy(), kcd[1].numpy()
  out["kcd_only"] = ev.kernel_classifier_distance(
      tf.constant(images1), tf.constant(images2), clf.pool,
      max_block_size=10).numpy()

  # Inception functions through classifier_fn injection.
  out["inception_score"] = ev.inception_score(
      tf.constant(images1), classifier_fn=clf.logits, num_batches=3).numpy()
  out["fid_inception"] = ev.frechet_inception_distance(
      tf.constant(images1), tf.constant(images2), classifier_fn=clf.pool,
      num_batches=2).numpy()
  kid = ev.kernel_inception_distance_and_std(
      tf.constant(images1), tf.constant(images2), classifier_fn=clf.pool,
      max_block_size=12)
  out["kid_inception"], out["kid_inception_std"] = (kid[0].numpy(),
                                                    kid[1].numpy())
  out["kid_inception_only"] = ev.kernel_inception_distance(
      tf.constant(images1), tf.constant(images2), classifier_fn=clf.pool,
      max_block_size=12).numpy()
  run = ev.run_inception(tf.constant(images1), classifier_fn=clf.both,
                         num_batches=3)
  out["run_inception_logits"] = run["logits"].numpy()
  out["run_inception_pool"] = run["pool_3"].numpy()
  sampled = ev.sample_and_run_inception(
      clf.sample, [tf.constant(z) for z in noise], classifier_fn=clf.both)
  out["sample_inception_pool"] = sampled["pool_3"].numpy()

  # classifier_fn_from_tfhub on a local SavedModel.
  w_module = rng.standard_normal((48, 10)).astype(np.float32) * 0.4
  out["w_module"] = w_module
  module_dir = tempfile.mkdtemp()
  tf.saved_model.save(TinyModule(w_module), module_dir)
  hub_pool = ev.classifier_fn_from_tfhub(module_dir, ev.INCEPTION_FINAL_POOL,
                                         True)(tf.constant(images1))
  hub_both = ev.classifier_fn_from_tfhub(
      module_dir, [ev.INCEPTION_OUTPUT, ev.INCEPTION_FINAL_POOL])(
          tf.constant(images1))
  out["hub_pool"] = hub_pool.numpy()
  out["hub_both_logits"] = hub_both["logits"].numpy()
  out["hub_both_pool"] = hub_both["pool_3"].numpy()

  streaming_golden(out, a, b, logits, images1, images2, clf)

  # Image layout.
  grid_in = rng.uniform(0, 1, (6, 3, 2, 2)).astype(np.float32)
  out["grid_in"] = grid_in
  out["grid"] = ev.image_grid(tf.constant(grid_in), (2, 3), (3, 2),
                              2).numpy()
  out["grid_flat"] = ev.image_grid(tf.constant(grid_in.reshape(6, -1)),
                                   (3, 2), (3, 2), 2).numpy()
  out["python_grid"] = ev.python_image_grid(grid_in, (3, 2))
  tiles = rng.uniform(0, 1, (5, 3, 2, 3)).astype(np.float32)
  out["tiles"] = tiles
  out["reshaped"] = ev.image_reshaper(tf.constant(tiles)).numpy()
  out["reshaped_2"] = ev.image_reshaper(
      [tf.constant(t) for t in tiles], num_cols=2).numpy()

  # Sliced Wasserstein distance.
  swd_real = rng.uniform(0, 255, (6, 32, 32, 3)).astype(np.float32)
  swd_fake = np.clip(swd_real[::-1] * 0.7 + rng.uniform(
      0, 60, (6, 32, 32, 3)), 0, 255).astype(np.float32)
  out.update(swd_real=swd_real, swd_fake=swd_fake)
  np.random.seed(1234)
  svd = ev.sliced_wasserstein_distance(
      tf.constant(swd_real), tf.constant(swd_fake), resolution_min=16,
      patches_per_image=16, use_svd=True)
  out["swd_svd"] = np.array([[r.numpy(), f.numpy()] for r, f in svd])
  np.random.seed(1234)
  tf.random.set_seed(99)
  rand = ev.sliced_wasserstein_distance(
      tf.constant(swd_real), tf.constant(swd_fake), resolution_min=16,
      patches_per_image=16, random_sampling_count=64)
  out["swd_random"] = np.array([[r.numpy(), f.numpy()] for r, f in rand])
  pyramid = tfgan.eval.sliced_wasserstein.laplacian_pyramid(
      tf.constant(swd_real[:2]), 2)
  out["pyramid_0"], out["pyramid_1"] = (pyramid[0].numpy(),
                                        pyramid[1].numpy())

  summaries_golden(out, rng)

  # Public names and signatures.
  out["eval_all"] = np.array(list(ev.__all__))
  signatures = {}
  for name in ev.__all__:
    obj = getattr(ev, name)
    if callable(obj):
      # [name, kind, repr(default) or None] per parameter.
      signatures[name] = [
          [p.name, p.kind.name,
           None if p.default is p.empty else repr(p.default)]
          for p in inspect.signature(obj).parameters.values()]
    else:
      signatures[name] = repr(obj)
  out["signatures_json"] = np.array(json.dumps(signatures, sort_keys=True))
  out["versions_json"] = np.array(json.dumps(
      {"tensorflow": tf.__version__, "tensorflow_gan": "2.1.0",
       "numpy": np.__version__, "seed": SEED}))
  np.savez_compressed(args.out, **{k: numpy_of(v) for k, v in out.items()})
  print(f"wrote {args.out}: {len(out)} arrays, "
        f"{os.path.getsize(args.out)} bytes")


if __name__ == "__main__":
  main()
