"""Objectives and combiners against hand computations on tiny networks."""

import dataclasses
import math
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import objectives
from tfgan_ext.losses import get_adversarial_loss, get_classification_loss
from tfgan_ext.models import ModelConfig, build_models
from tfgan_ext.models.small import DcganDiscriminator
from tfgan_ext.objectives import (AuxiliaryObjective, AwCombiner,
                                  EnergyObjective, LossOutput,
                                  PenalizedObjective, SemiSupervisedObjective,
                                  build_combiner, build_objective)
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.objectives.ssl import pseudo_labelled_logits
from tfgan_ext.train import warm_start
from tfgan_ext.train.config import (TrainConfig, check_resume_compatible,
                                    save_config)

HINGE = get_adversarial_loss("hinge")


# --------------------------------------------------------- slow references
def ref_multi_hinge(scores, labels):
  out = []
  for row, y in zip(scores, labels):
    other = max(s for k, s in enumerate(row) if k != y)
    out.append(max(0.0, 1.0 - row[y] + other))
  return float(np.mean(out))


def ref_cross_entropy(scores, labels):
  out = []
  for row, y in zip(scores, labels):
    out.append(math.log(sum(math.exp(s) for s in row)) - row[y])
  return float(np.mean(out))


def ref_hinge_real(logits):
  return float(np.mean([max(0.0, 1 - r) for r in logits]))


def ref_hinge_fake(logits):
  return float(np.mean([max(0.0, 1 + f) for f in logits]))


def ref_sn_table(layer):
  """SAGAN's SN embedding at inference, recomputed from the raw variables."""
  table = layer.embeddings.numpy()
  u = layer.sn_u.numpy()
  wu = table.T @ u  # The norm is taken of the [dim, classes] matrix.
  sigma = float(np.linalg.norm(wu))
  return table / max(sigma, 1.0)


class LinearD(keras.Model):
  """logits = x . w + b (x flattened), features = x; for exact gradients."""

  num_classes = 0

  def __init__(self, dim):
    super().__init__()
    self.w = self.add_weight(shape=(dim,), initializer="random_normal")
    self.b = self.add_weight(shape=(), initializer="zeros")
    self.feature_dim = dim

  def call(self, x, labels=None, training=False):
    flat = tf.reshape(x, [tf.shape(x)[0], -1])
    return tf.linalg.matvec(flat, self.w) + self.b, flat


# --------------------------------------------------------------- MHShared
def test_shared_class_scores_equal_the_projection_for_every_class():
  mc = ModelConfig("sagan", image_size=8, channels=1, num_classes=5, z_dim=8,
                   gf=4, df=4)
  _, d = build_models(mc)
  x = tf.constant(np.random.RandomState(0).randn(3, 8, 8, 1), tf.float32)
  d(x, tf.zeros([3], tf.int32), training=True)  # Build; refresh SN state.
  obj = AuxiliaryObjective(HINGE, get_classification_loss("multi_hinge"), 5,
                           shared=True)
  obj.build(d)
  assert obj.discriminator_variables == []
  h = d.features(x)
  scores = obj.class_scores(d, h).numpy()
  # Independent: h . SN(E)_k from the raw table and power-iteration vector.
  np.testing.assert_allclose(scores, h.numpy() @ ref_sn_table(d.embedding).T,
                             rtol=1e-5, atol=1e-5)
  # And it is exactly D's projection term: D(x, k) - D(x, 0) = P_k - P_0.
  base = d(x, tf.zeros([3], tf.int32))[0].numpy()
  for k in range(5):
    logits_k = d(x, tf.fill([3], k))[0].numpy()
    np.testing.assert_allclose(logits_k - base, scores[:, k] - scores[:, 0],
                               rtol=1e-5, atol=1e-5)


# -------------------------------------------------------------- aux heads
class FixedD(tf.Module):
  """Conditional stub: logits and features given per image index."""

  num_classes = 3
  feature_dim = 2

  def __call__(self, x, labels=None, training=False):
    return x[:, 0] - 0.5 * x[:, 1], x


def _small_head(obj):
  kernel = np.array([[0.3, -0.2, 0.1], [0.0, 0.25, -0.3]], np.float32)
  obj.head.kernel.assign(kernel)  # Spectral norm < 1: used unscaled.
  obj.head.bias.assign([0.05, 0.0, -0.05])
  return kernel, np.array([0.05, 0.0, -0.05], np.float32)


@pytest.mark.parametrize("aux, ref, on_fake", [
    ("multi_hinge", ref_multi_hinge, True),
    ("multi_hinge", ref_multi_hinge, False),
    ("acgan", ref_cross_entropy, True)])
def test_aux_head_terms_match_hand_computation(aux, ref, on_fake):
  obj = AuxiliaryObjective(HINGE, get_classification_loss(aux), 3,
                           d_weight=0.7, g_weight=0.1, on_fake=on_fake)
  d = FixedD()
  obj.build(d)
  kernel, bias = _small_head(obj)
  real = np.array([[1.5, 0.2], [-0.3, 2.0], [0.4, -1.0], [2.0, 2.0]],
                  np.float32)
  fake = np.array([[0.1, 0.9], [-2.0, 0.5], [1.0, 1.0], [0.0, -0.4]],
                  np.float32)
  labels = np.array([0, 2, 1, 1], np.int32)
  batch = {"image": tf.constant(real), "label": tf.constant(labels)}
  out = obj.discriminator_loss(d, batch, tf.constant(fake))
  c_real, c_fake = real @ kernel + bias, fake @ kernel + bias
  aux_r, aux_f = ref(c_real, labels), ref(c_fake, labels)
  # The real and generated halves are summed (public MHGAN code), not
  # averaged: weight 0.7 on each.
  want_aux = 0.7 * (aux_r + aux_f) if on_fake else 0.7 * aux_r
  l_r = ref_hinge_real(real[:, 0] - 0.5 * real[:, 1])
  l_f = ref_hinge_fake(fake[:, 0] - 0.5 * fake[:, 1])
  np.testing.assert_allclose(out.terms["real"], l_r, rtol=1e-5)
  np.testing.assert_allclose(out.terms["fake"], l_f, rtol=1e-5)
  np.testing.assert_allclose(out.terms["aux"], want_aux, rtol=1e-5)
  acc = np.mean(np.argmax(c_real, 1) == labels)
  np.testing.assert_allclose(out.stats["aux_real_accuracy"], acc)
  g = obj.generator_loss(d, batch, tf.constant(fake))
  np.testing.assert_allclose(g.terms["aux"], 0.1 * aux_f, rtol=1e-5)
  np.testing.assert_allclose(g.terms["adversarial"],
                             -np.mean(fake[:, 0] - 0.5 * fake[:, 1]),
                             rtol=1e-5)
  assert ("real and generated" in obj.describe()) == on_fake
  assert [v.shape for v in obj.discriminator_variables] == [(2, 3), (3,)]


# ---------------------------------------------------- generated-image labels
class LabelD(tf.Module):
  """Conditional stub whose logit and input gradient depend on the label:
  D(x, y) = x . w_y (so grad_x D = w_y), features x."""

  num_classes = 3
  feature_dim = 2
  w = np.array([[1.0, 0.0], [0.0, 2.0], [-3.0, 1.0]], np.float32)

  def __call__(self, x, labels=None, training=False):
    rows = tf.gather(tf.constant(self.w), labels)
    return tf.reduce_sum(x * rows, axis=1), x


def test_fake_terms_use_the_generated_images_labels_real_terms_the_real():
  d = LabelD()
  real = np.array([[1.5, 0.2], [-0.3, 2.0], [0.4, -1.0], [2.0, 0.5]],
                  np.float32)
  fake = np.array([[0.1, 0.9], [-2.0, 0.5], [1.0, 1.0], [0.0, -0.4]],
                  np.float32)
  y = np.array([0, 1, 2, 1], np.int32)
  y_fake = np.array([2, 0, 0, 1], np.int32)
  batch = {"image": tf.constant(real), "label": tf.constant(y),
           objectives.FAKE_LABEL: tf.constant(y_fake)}
  real_logits = (real * d.w[y]).sum(1)
  fake_logits = (fake * d.w[y_fake]).sum(1)
  wrong = ref_hinge_fake((fake * d.w[y]).sum(1))  # Fakes with real labels.
  assert abs(ref_hinge_fake(fake_logits) - wrong) > 0.1  # Can fail.

  plain = objectives.AdversarialObjective(HINGE)
  out = plain.discriminator_loss(d, batch, tf.constant(fake))
  np.testing.assert_allclose(out.terms["real"], ref_hinge_real(real_logits),
                             rtol=1e-6)
  np.testing.assert_allclose(out.terms["fake"], ref_hinge_fake(fake_logits),
                             rtol=1e-6)
  np.testing.assert_allclose(
      plain.generator_loss(d, batch, tf.constant(fake)).terms["adversarial"],
      -fake_logits.mean(), rtol=1e-6)
  # A hand-built batch without generated labels falls back to the real ones.
  no_key = {"image": batch["image"], "label": batch["label"]}
  np.testing.assert_allclose(
      plain.discriminator_loss(d, no_key, tf.constant(fake)).terms["fake"],
      wrong, rtol=1e-6)

  aux = AuxiliaryObjective(HINGE, get_classification_loss("multi_hinge"), 3,
                           d_weight=1.0, g_weight=0.1)
  aux.build(d)
  kernel, bias = _small_head(aux)
  c_real, c_fake = real @ kernel + bias, fake @ kernel + bias
  out = aux.discriminator_loss(d, batch, tf.constant(fake))
  np.testing.assert_allclose(out.stats["aux_real_loss"],
                             ref_multi_hinge(c_real, y), rtol=1e-5)
  np.testing.assert_allclose(out.stats["aux_fake_loss"],
                             ref_multi_hinge(c_fake, y_fake), rtol=1e-5)
  np.testing.assert_allclose(out.terms["fake"], ref_hinge_fake(fake_logits),
                             rtol=1e-6)
  np.testing.assert_allclose(
      out.stats["aux_fake_accuracy"], np.mean(c_fake.argmax(1) == y_fake))
  g = aux.generator_loss(d, batch, tf.constant(fake))
  np.testing.assert_allclose(g.terms["aux"],
                             0.1 * ref_multi_hinge(c_fake, y_fake), rtol=1e-5)
  assert abs(ref_multi_hinge(c_fake, y_fake) - ref_multi_hinge(c_fake, y)) > 0.1

  # Penalties: |grad_x D(x, k)| = |w_k| at any point, so the GP is a closed
  # form of the labels D is given there: the generated labels at the
  # interpolates, the real labels at DRAGAN's perturbed real images.
  norms = np.linalg.norm(d.w, axis=1)
  for kind, labels in (("gp", y_fake), ("dragan", y)):
    pen = PenalizedObjective(objectives.AdversarialObjective(HINGE), kind,
                             1.0, seed=0)
    pen.build(d)
    got = pen.discriminator_loss(d, batch, tf.constant(fake)).terms["penalty"]
    np.testing.assert_allclose(got, np.mean((norms[labels] - 1) ** 2),
                               rtol=1e-5, err_msg=kind)
  assert abs(np.mean((norms[y_fake] - 1) ** 2)
             - np.mean((norms[y] - 1) ** 2)) > 0.2


# --------------------------------------------------------------------- SSL
def test_ssl_pseudo_labels_and_loss_formula():
  d = DcganDiscriminator(8, df=4, num_classes=3, spectral_norm=False)
  rng = np.random.RandomState(0)
  x = tf.constant(rng.randn(4, 8, 8, 1), tf.float32)
  d(x, tf.zeros([4], tf.int32))
  obj = SemiSupervisedObjective(HINGE, get_classification_loss("multi_hinge"),
                                3, on_fake=True)
  obj.build(d)
  obj.head.kernel.assign(obj.head.kernel * 0.01)  # Spectral norm < 1.
  unlab = tf.constant(rng.randn(4, 8, 8, 1), tf.float32)
  h_u = d.features(unlab)
  want_pseudo = np.argmax(obj.class_scores(d, h_u).numpy(), 1)
  logits, pseudo, _ = pseudo_labelled_logits(
      d, unlab, lambda h: obj.class_scores(d, h))
  np.testing.assert_array_equal(pseudo, want_pseudo)
  np.testing.assert_allclose(logits, d(unlab, pseudo)[0], rtol=1e-5,
                             atol=1e-5)

  fake = tf.constant(rng.randn(4, 8, 8, 1), tf.float32)
  labels = tf.constant([0, 1, 2, 1])
  batch = {"image": x, "label": labels, "unlabelled_image": unlab}
  out = obj.discriminator_loss(d, batch, fake)
  l_real = ref_hinge_real(d(x, labels)[0].numpy())
  l_unlab = ref_hinge_real(d(unlab, want_pseudo)[0].numpy())
  l_fake = ref_hinge_fake(d(fake, labels)[0].numpy())
  np.testing.assert_allclose(out.terms["real"], (l_real + l_unlab) / 2,
                             rtol=1e-5)
  np.testing.assert_allclose(out.terms["fake"], l_fake, rtol=1e-5)
  # No classification target for unlabelled images: aux as without them.
  plain = AuxiliaryObjective(HINGE, get_classification_loss("multi_hinge"), 3)
  plain.head = obj.head
  np.testing.assert_allclose(
      out.terms["aux"], plain.discriminator_loss(d, batch, fake).terms["aux"],
      rtol=1e-6)


# ---------------------------------------------------------------- aw-loss
def ref_aw(g_r, g_f, s_r, s_f, normalized=True):
  """Algorithm 1 of the aw paper written out with numpy vectors."""
  rr, ff = g_r @ g_r + 1e-4, g_f @ g_f + 1e-4
  rf = g_r @ g_f
  nr = math.sqrt(rr) if normalized else 1.0
  nf = math.sqrt(ff) if normalized else 1.0
  if s_r < s_f - 0.05 or s_r < 0.5:
    w = (1 / nr, -rf / ff / nr) if rf < 0 else (1 / nr, 0.0)
  elif s_r > s_f - 0.05 and s_r > 0.75:
    w = (-rf / rr / nf, 1 / nf) if rf < 0 else (0.0, 1 / nf)
  else:
    w = (1 / nr, 1 / nf)
  return w[0] + 0.05, w[1] + 0.05


class ThreeTerms:
  """real/fake hinge parts on LinearD plus an 'aux' term on w only."""

  discriminator_terms = ("real", "fake", "aux")

  def describe(self):
    return "three terms"

  def discriminator_loss(self, d, real, fake):
    lr_, lf_ = d(real)[0], d(fake)[0]
    l_real, l_fake = HINGE.discriminator_fn(lr_, lf_)
    return LossOutput(
        terms={"real": l_real, "fake": l_fake,
               "aux": 0.3 * tf.reduce_sum(tf.square(d.w))},
        stats={"s_real": tf.reduce_mean(tf.sigmoid(lr_)),
               "s_fake": tf.reduce_mean(tf.sigmoid(lf_))})


def _angle(a, b):
  return math.degrees(math.acos(np.clip(a @ b / np.linalg.norm(a)
                                        / np.linalg.norm(b), -1, 1)))


@pytest.mark.parametrize("shift, normalized", [
    (0.0, True), (1.5, True), (-1.0, False), (0.8, True)])
def test_aw_combiner_matches_direct_computation(shift, normalized):
  d = LinearD(3)
  d(tf.zeros([1, 3]))
  d.w.assign([0.5, -1.0, 0.25])
  d.b.assign(shift)  # Moves s_r, s_f to reach different cases.
  rng = np.random.RandomState(7)
  real = tf.constant(rng.randn(6, 3), tf.float32)
  fake = tf.constant(rng.randn(6, 3), tf.float32)
  obj = ThreeTerms()
  variables = [d.w, d.b]
  combiner = AwCombiner(normalized=normalized)
  combiner.check(obj)
  with tf.GradientTape(persistent=True) as tape:
    out = obj.discriminator_loss(d, real, fake)
  grads, stats = combiner.gradients(tape, out, variables, scale=0.5)

  def flat_grad(term):  # Independent tapes, one per term.
    with tf.GradientTape() as t:
      loss = obj.discriminator_loss(d, real, fake).terms[term]
    gw, gb = t.gradient(loss, variables)
    gw = np.zeros(3) if gw is None else gw.numpy()
    gb = 0.0 if gb is None else float(gb)
    return np.concatenate([gw, [gb]])

  g_r, g_f, g_a = flat_grad("real"), flat_grad("fake"), flat_grad("aux")
  w_r, w_f = ref_aw(g_r, g_f, float(out.stats["s_real"]),
                    float(out.stats["s_fake"]), normalized)
  applied = w_r * g_r + w_f * g_f + g_a
  got = np.concatenate([grads[0].numpy(), [float(grads[1])]])
  np.testing.assert_allclose(got, 0.5 * applied, rtol=1e-4, atol=1e-6)
  np.testing.assert_allclose(stats["aw_w_real"], w_r, rtol=1e-4)
  np.testing.assert_allclose(stats["aw_w_fake"], w_f, rtol=1e-4)
  np.testing.assert_allclose(stats["angle_real_fake"], _angle(g_r, g_f),
                             atol=1e-2)
  np.testing.assert_allclose(stats["angle_fake_applied"],
                             _angle(g_f, applied), atol=1e-2)


def test_angle_probe_applies_the_plain_sum_and_logs_fig4_angles():
  d = LinearD(3)
  d(tf.zeros([1, 3]))
  d.w.assign([0.5, -1.0, 0.25])
  rng = np.random.RandomState(3)
  real = tf.constant(rng.randn(5, 3), tf.float32)
  fake = tf.constant(rng.randn(5, 3), tf.float32)
  obj = ThreeTerms()
  variables = [d.w, d.b]
  with tf.GradientTape() as plain_tape:
    plain = obj.discriminator_loss(d, real, fake)
    total = plain.total()
  expected = plain_tape.gradient(total, variables)
  combiner = objectives.build_combiner(ObjectiveConfig(gradient_angles=True))
  assert isinstance(combiner, objectives.AngleProbeCombiner)
  combiner.check(obj)
  with tf.GradientTape(persistent=True) as tape:
    out = obj.discriminator_loss(d, real, fake)
  grads, stats = combiner.gradients(tape, out, variables, scale=1.0)
  for got, want in zip(grads, expected):
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5,
                               atol=1e-6)

  def flat(term_list):
    with tf.GradientTape() as t:
      loss = tf.add_n([obj.discriminator_loss(d, real, fake).terms[k]
                       for k in term_list])
    gw, gb = t.gradient(loss, variables)
    gw = np.zeros(3) if gw is None else gw.numpy()
    return np.concatenate([gw, [0.0 if gb is None else float(gb)]])

  g_r, g_f = flat(["real"]), flat(["fake"])
  applied = flat(["real", "fake", "aux"])
  np.testing.assert_allclose(stats["angle_real_fake"], _angle(g_r, g_f),
                             atol=1e-2)
  np.testing.assert_allclose(stats["angle_real_applied"],
                             _angle(g_r, applied), atol=1e-2)
  np.testing.assert_allclose(stats["angle_fake_applied"],
                             _angle(g_f, applied), atol=1e-2)
  assert not any(k.startswith("aw_") for k in stats)


def test_aw_refuses_objectives_without_a_real_fake_split():
  class Single:
    discriminator_terms = ("energy",)

    def describe(self):
      return "single-term objective"

  with pytest.raises(ValueError, match=r"Drop --aw.*|real and fake parts"):
    AwCombiner().check(Single())


def test_aw_under_two_replicas_applies_the_global_mean_once(tmp_path):
  """Runs in a fresh process: logical devices must be set before any op."""
  script = tmp_path / "mirrored_aw.py"
  script.write_text(MIRRORED_SCRIPT)
  import subprocess
  import sys
  env = dict(os.environ, PYTHONPATH=os.getcwd(), TF_CPP_MIN_LOG_LEVEL="3")
  proc = subprocess.run([sys.executable, str(script)], capture_output=True,
                        text=True, env=env, timeout=300)
  assert proc.returncode == 0, proc.stderr[-3000:]
  assert "MATCH" in proc.stdout, proc.stdout + proc.stderr[-2000:]


MIRRORED_SCRIPT = r'''
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras
from tfgan_ext.losses import get_adversarial_loss
from tfgan_ext.objectives import AwCombiner, LossOutput

HINGE = get_adversarial_loss("hinge")
rng = np.random.RandomState(1)
real = rng.randn(8, 3).astype(np.float32)
fake = rng.randn(8, 3).astype(np.float32) + 0.5


def loss_out(w, x_r, x_f):
  lr_, lf_ = tf.linalg.matvec(x_r, w), tf.linalg.matvec(x_f, w)
  l_r, l_f = HINGE.discriminator_fn(lr_, lf_)
  return LossOutput({"real": l_r, "fake": l_f},
                    {"s_real": tf.reduce_mean(tf.sigmoid(lr_)),
                     "s_fake": tf.reduce_mean(tf.sigmoid(lf_))})


def run(strategy):
  with strategy.scope():
    w = tf.Variable([0.4, -0.7, 0.2])
    opt = keras.optimizers.SGD(1.0)
    opt.build([w])
  replicas = strategy.num_replicas_in_sync
  def step(x_r, x_f):
    with tf.GradientTape(persistent=True) as tape:
      out = loss_out(w, x_r, x_f)
    grads, _ = AwCombiner().gradients(tape, out, [w], 1.0 / replicas)
    opt.apply_gradients(zip(grads, [w]))
  ds = tf.data.Dataset.from_tensors((real, fake))
  batch = next(iter(strategy.experimental_distribute_dataset(ds)))
  tf.function(lambda b: strategy.run(step, args=b))(batch)
  return w.numpy()

one = run(tf.distribute.get_strategy())
two = run(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))
print(one, two)
if np.allclose(one, two, rtol=1e-5, atol=1e-6) and not np.allclose(
    one, [0.4, -0.7, 0.2]):
  print("MATCH")
'''


# ---------------------------------------------------------------- penalty
def test_penalty_term_is_weight_times_gradient_penalty_of_linear_d():
  d = LinearD(4)
  d(tf.zeros([1, 4]))
  d.w.assign([0.5, 1.0, -2.0, 0.0])  # |grad_x D| = |w| at every point.
  inner = objectives.AdversarialObjective(HINGE)
  obj = PenalizedObjective(inner, "gp", 10.0, seed=3)
  obj.build(d)
  rng = np.random.RandomState(0)
  batch = {"image": tf.constant(rng.randn(5, 4), tf.float32),
           "label": tf.zeros([5], tf.int32)}
  out = obj.discriminator_loss(d, batch,
                               tf.constant(rng.randn(5, 4), tf.float32))
  norm = math.sqrt(0.25 + 1 + 4)
  np.testing.assert_allclose(out.terms["penalty"], 10 * (norm - 1) ** 2,
                             rtol=1e-4)
  assert set(out.terms) == {"real", "fake", "penalty"}
  assert obj.discriminator_terms == ("real", "fake", "penalty")


# ------------------------------------------------------ MAGAN / EBGAN epochs
class SquareAE:
  """Energy = per-sample sum of squares (an auto-encoder reconstructing 0)."""

  def __init__(self):
    self.modes = []

  def energy(self, x, training=False):
    self.modes.append(training)
    return tf.reduce_sum(tf.square(x), axis=1)


class _Trainer:
  """What the epoch callback reads from the trainer. The training data
  holds three examples of energy 10, 12 and 26 (mean 16) in batches of 2,
  so a mean of batch means would give (11 + 26) / 2 = 18.5."""

  def __init__(self, num_examples, batch_size):
    self.info = type("Info", (), {"num_examples": num_examples})()
    self.config = TrainConfig(batch_size=batch_size)
    self.discriminator = SquareAE()
    self.passes = 0

  def training_images_once(self):
    self.passes += 1
    x = np.array([[1.0, 3.0], [2.0, 2.0 * math.sqrt(2.0)], [1.0, 5.0]],
                 np.float32)
    return tf.data.Dataset.from_tensor_slices(x).batch(2)


def _run_epochs(obj, energies, steps_per_epoch=2):
  """Feeds per-step (real, fake) energies; returns the margin after each
  epoch, the G-active flag during each epoch and the fake trainer."""
  cb = obj.callbacks()[0]
  trainer = _Trainer(steps_per_epoch * 10, 10)
  cb.check(trainer)
  margins, active, step = [], [], 0
  for epoch_energies in energies:
    active.append(float(obj.generator_active()))
    for e_r, e_f in epoch_energies:
      step += 1
      cb.on_step_end(trainer, step, {"d/energy_real": e_r,
                                     "g/energy_fake": e_f})
    margins.append(float(obj.margin))
  return margins, active, trainer


def test_magan_pretrains_with_zero_margin_then_applies_the_rule():
  obj = EnergyObjective(adaptive=True, pretrain_epochs=2)
  obj.build(type("AE", (), {"energy": None})())
  epochs = [
      [(50.0, 30.0), (40.0, 30.0)],  # Pre-training 1.
      [(20.0, 30.0), (10.0, 30.0)],  # Pre-training 2 (logged mean 15): m <-
                                     # the pass's mean real energy, 16.
      [(12.0, 16.0), (12.0, 18.0)],  # E_f^prev = inf: no update.
      [(10.0, 20.0), (10.0, 20.0)],  # 10 < 16, 10 < 20, 20 > 17: m <- 10.
      [(8.0, 19.0), (8.0, 19.0)],    # Fake energy fell: keep 10.
      [(11.0, 25.0), (11.0, 25.0)],  # Real energy above margin: keep 10.
      [(9.0, 8.0), (9.0, 9.0)],      # Real above fake: keep 10.
  ]
  margins, active, trainer = _run_epochs(obj, epochs)
  np.testing.assert_allclose(margins, [0, 16, 16, 10, 10, 10, 10], rtol=1e-6)
  assert active == [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]
  # One pass, with D in inference mode, at the end of pre-training only.
  assert trainer.passes == 1
  assert trainer.discriminator.modes and not any(trainer.discriminator.modes)
  # Pre-training: D's loss is the real energy only (m = 0).
  fresh = EnergyObjective(adaptive=True, pretrain_epochs=2)

  class AE:
    def energy(self, x, training=False):
      return tf.reduce_sum(tf.square(x), axis=1)

  fresh.build(AE())
  x = tf.constant([[1.0, 2.0], [0.0, 1.0]])
  out = fresh.discriminator_loss(AE(), {"image": x}, 0.1 * x)
  np.testing.assert_allclose(out.terms["real"], 3.0)
  np.testing.assert_allclose(out.terms["fake"], 0.0)
  np.testing.assert_allclose(
      fresh.generator_loss(AE(), {}, x).terms["energy"], 0.0)


def test_ebgan_keeps_its_margin_and_trains_g_from_the_start():
  obj = EnergyObjective(adaptive=False, margin=7.0)
  obj.build(type("AE", (), {"energy": None})())
  margins, active, trainer = _run_epochs(obj, [[(1.0, 9.0)] * 2,
                                               [(1.0, 20.0)] * 2])
  assert margins == [7.0, 7.0] and active == [1.0, 1.0]
  assert trainer.passes == 0


def test_energy_objective_needs_an_autoencoder():
  with pytest.raises(ValueError, match="ae_mlp or ae_conv"):
    EnergyObjective(adaptive=True).build(LinearD(2))


def test_autoencoder_energy_is_sum_of_squared_reconstruction_errors():
  for arch in ("ae_mlp", "ae_conv"):
    _, d = build_models(ModelConfig(arch, image_size=8, channels=1, z_dim=4,
                                    gf=4, df=4))
    x = tf.constant(np.random.RandomState(0).uniform(-1, 1, (3, 8, 8, 1)),
                    tf.float32)
    logits, features = d(x)
    recon = d.decode(d.encode(x)).numpy()
    want = ((recon - x.numpy()) ** 2).reshape(3, -1).sum(1)
    np.testing.assert_allclose(d.energy(x), want, rtol=1e-5)
    np.testing.assert_allclose(logits, -want, rtol=1e-5)
    assert features.shape == (3, d.feature_dim)


# ---------------------------------------------------- checkpoints / init_from
def _pair(arch="ae_mlp", **kw):
  mc = ModelConfig(arch, image_size=8, channels=1, num_classes=kw.pop(
      "num_classes", 0), z_dim=4, gf=4, df=kw.pop("df", 4))
  g, d = build_models(mc)
  labels = tf.zeros([2], tf.int32)
  d(g(tf.zeros([2, 4]), labels), labels if mc.num_classes else None)
  return g, d


@pytest.mark.parametrize("arch", ["ae_mlp", "ae_conv", "dcgan", "mlp",
                                  "sagan"])
def test_checkpoint_tracks_every_network_variable(arch):
  g, d = _pair(arch, num_classes=0)
  keys = warm_start.checkpoint_variables({"generator": g, "discriminator": d})
  assert len(keys) == len(g.variables) + len(d.variables)


def test_init_from_plan_reports_new_variables_and_refuses_mismatches(tmp_path):
  g, d = _pair("dcgan", num_classes=3)
  prefix = tf.train.Checkpoint(generator=g, discriminator=d).write(
      str(tmp_path / "src" / "ckpt-1"))
  g2, d2 = _pair("dcgan", num_classes=3)
  obj = AuxiliaryObjective(HINGE, get_classification_loss("acgan"), 3)
  obj.build(d2)
  roots = {"generator": g2, "discriminator": d2, "objective": obj}
  plan = warm_start.plan(prefix, roots)
  assert plan.new == ["objective/head/bias", "objective/head/kernel",
                      "objective/head/sn_u"]
  assert any(k.startswith("discriminator/") for k in plan.restored)
  warm_start.restore(plan, roots)
  a = warm_start.checkpoint_variables({"generator": g, "discriminator": d})
  b = warm_start.checkpoint_variables({"generator": g2, "discriminator": d2})
  for key in a:
    np.testing.assert_array_equal(a[key].numpy(), b[key].numpy())
  assert "restored" in plan.summary() and "objective/head/kernel" in (
      plan.summary())
  g3, d3 = _pair("dcgan", num_classes=3, df=8)
  with pytest.raises(ValueError, match="does not match this run's networks"):
    warm_start.plan(prefix, {"generator": g3, "discriminator": d3})
  with pytest.raises(FileNotFoundError, match="no checkpoint found"):
    warm_start.plan(str(tmp_path / "nowhere"), roots)


# ------------------------------------------------------- config and selector
def test_selector_composes_variants_and_rejects_bad_combinations():
  def build(**kw):
    return build_objective(ObjectiveConfig(**kw), 10)

  assert type(build()) is objectives.AdversarialObjective
  assert type(build(aux="acgan")) is AuxiliaryObjective
  assert build(aux="multi_hinge", critic="shared").shared
  assert type(build(aux="acgan", ssl=True)) is SemiSupervisedObjective
  gp = build(aux="acgan", penalty="dragan", penalty_weight=5)
  assert isinstance(gp, PenalizedObjective) and gp.requires_labels
  assert "5 x dragan" in gp.describe()
  assert build(energy="magan").adaptive and not build(energy="ebgan").adaptive
  assert isinstance(build_combiner(ObjectiveConfig(aw=True)), AwCombiner)
  assert type(build_combiner(ObjectiveConfig())) is objectives.GradientCombiner
  for kw, message in [
      (dict(critic="shared"), "add --aux multi_hinge"),
      (dict(ssl=True), "add --aux multi_hinge"),
      (dict(energy="magan", aux="acgan"), "drop --aux"),
      (dict(loss="softmax"), "Unknown adversarial loss"),
      (dict(penalty="r1"), "Unknown penalty"),
      (dict(energy="magan", pretrain_epochs=0), "pretrain_epochs >= 1")]:
    with pytest.raises(ValueError, match=message):
      build(**kw)


def test_objective_variables_are_shaping_on_resume(tmp_path):
  base = TrainConfig(objective=ObjectiveConfig(aux="multi_hinge"))
  save_config(base, str(tmp_path))
  check_resume_compatible(dataclasses.replace(
      base, objective=ObjectiveConfig(aux="acgan", aux_g_weight=0.5)),
      str(tmp_path))  # Same head: allowed.
  for changed in (ObjectiveConfig(), ObjectiveConfig(aux="multi_hinge",
                                                     critic="shared"),
                  ObjectiveConfig(aux="multi_hinge", penalty="gp")):
    with pytest.raises(ValueError, match="objective.has_"):
      check_resume_compatible(dataclasses.replace(base, objective=changed),
                              str(tmp_path))
