"""Sparse (tf.IndexedSlices) gradients through every combiner and the loss
scaling: a projection D whose class table is a plain keras.layers.Embedding
gets the same D gradients as the same weights read through a one-hot matmul
(dense gradients), computed independently here."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import tensor_utils
from tfgan_ext.losses import (aw_weights, get_adversarial_loss,
                              get_classification_loss)
from tfgan_ext.objectives import (FAKE_LABEL, AdversarialObjective,
                                  AngleProbeCombiner, AuxiliaryObjective,
                                  AwCombiner, GradientCombiner)
from tfgan_ext.objectives.base import scale_gradients
from tfgan_ext.train.loss_scale import ScaledTape, all_finite

CLASSES, FEATURES, BATCH, DIM = 4, 6, 5, 3
HINGE = get_adversarial_loss("hinge")


class EmbeddingD(keras.Model):
  """logits = w . h + <h, E[y]>, h = leaky_relu(W x): SNGAN's projection D
  in miniature. `one_hot` reads E[y] as one_hot(y) @ E (dense gradient)
  instead of through the Embedding layer's gather (IndexedSlices)."""

  num_classes = CLASSES
  feature_dim = FEATURES

  def __init__(self):
    super().__init__()
    self.body = keras.layers.Dense(FEATURES, name="body")
    self.linear = keras.layers.Dense(1, name="linear")
    self.embedding = keras.layers.Embedding(CLASSES, FEATURES, name="embed")
    self.one_hot = False

  def call(self, x, labels=None, training=False):
    h = tf.nn.leaky_relu(self.body(x), 0.2)
    if self.one_hot:
      e = tf.matmul(tf.one_hot(labels, CLASSES), self.embedding.embeddings)
    else:
      e = self.embedding(labels)
    logits = tf.squeeze(self.linear(h), 1) + tf.reduce_sum(h * e, 1)
    return logits, h


@pytest.fixture(scope="module")
def setup():
  keras.utils.set_random_seed(3)
  d = EmbeddingD()
  d(tf.zeros([1, DIM]), tf.zeros([1], tf.int32))
  rng = np.random.default_rng(0)
  batch = {"image": tf.constant(rng.normal(size=(BATCH, DIM)), tf.float32),
           # Class 1 twice in a batch: duplicate rows of the sparse gradient.
           "label": tf.constant([1, 0, 1, 3, 1], tf.int32),
           FAKE_LABEL: tf.constant([2, 1, 2, 0, 3], tf.int32)}
  fake = tf.constant(rng.normal(size=(BATCH, DIM)), tf.float32)
  return d, batch, fake


def _through_combiner(d, objective, combiner, batch, fake, loss_scale=None,
                      compiled=False):
  """Gradients (as returned) and stats of `combiner` on the Embedding
  layer's gather path; `compiled`: in a tf.function, as the train step."""
  d.one_hot = False
  variables = list(d.trainable_variables) + list(
      objective.discriminator_variables)

  def step():
    with tf.GradientTape(persistent=combiner.persistent_tape) as tape:
      out = objective.discriminator_loss(d, batch, fake)
    view = tape if loss_scale is None else ScaledTape(tape, loss_scale)
    grads, stats = combiner.gradients(view, out, variables, 0.5)
    finite = (tf.constant(True) if loss_scale is None
              else view.finite() & all_finite(grads))
    return grads, stats, finite

  grads, stats, finite = (tf.function(step) if compiled else step)()
  assert bool(finite)
  return variables, grads, stats


def _dense_terms(d, objective, batch, fake, variables):
  """Per-term dense gradients of the one-hot network (eager, no combiner)."""
  d.one_hot = True
  with tf.GradientTape(persistent=True) as tape:
    out = objective.discriminator_loss(d, batch, fake)
  grads = {}
  for name, term in out.terms.items():
    grads[name] = [tf.zeros_like(v) if g is None else g
                   for g, v in zip(tape.gradient(term, variables), variables)]
  d.one_hot = False
  for gs in grads.values():
    assert not any(isinstance(g, tf.IndexedSlices) for g in gs)
  return grads, out


def _assert_close(got, want):
  assert len(got) == len(want)
  for g, w in zip(got, want):
    np.testing.assert_allclose(tensor_utils.to_dense(g).numpy(),
                               np.asarray(w), rtol=1e-6, atol=1e-6)


def _embedding_index(d, variables):
  index = [i for i, v in enumerate(variables)
           if v is d.embedding.embeddings]
  assert len(index) == 1
  return index[0]


def test_the_embedding_really_gives_indexed_slices(setup):
  d, batch, fake = setup
  with tf.GradientTape() as tape:
    loss = tf.reduce_sum(d(batch["image"], batch["label"])[0])
  g = tape.gradient(loss, d.embedding.embeddings)
  assert isinstance(g, tf.IndexedSlices)
  with pytest.raises(TypeError):
    g * 0.5  # What scale_gradients used to do.
  halved = scale_gradients([g, None], 0.5)
  assert isinstance(halved[0], tf.IndexedSlices) and halved[1] is None
  np.testing.assert_allclose(tensor_utils.to_dense(halved[0]).numpy(),
                             0.5 * tf.convert_to_tensor(g).numpy())


@pytest.mark.parametrize("loss_scale,compiled", [(None, True),
                                                 (1024.0, False)])
def test_hinge_sum_combiner_keeps_the_table_gradient_sparse(setup,
                                                            loss_scale,
                                                            compiled):
  d, batch, fake = setup
  objective = AdversarialObjective(HINGE)
  variables, grads, _ = _through_combiner(d, objective, GradientCombiner(),
                                          batch, fake, loss_scale, compiled)
  assert isinstance(grads[_embedding_index(d, variables)], tf.IndexedSlices)
  dense, _ = _dense_terms(d, objective, batch, fake, variables)
  want = [0.5 * (r + f) for r, f in zip(dense["real"], dense["fake"])]
  _assert_close(grads, want)


def test_multi_hinge_aux_objective_matches_dense(setup):
  d, batch, fake = setup
  objective = AuxiliaryObjective(HINGE, get_classification_loss("multi_hinge"),
                                 CLASSES)
  objective.build(d)
  # The head's spectral-norm vector moves at every training call: both runs
  # start from the same one.
  state = [v.numpy() for v in objective.head.non_trainable_variables]
  variables, grads, _ = _through_combiner(d, objective, GradientCombiner(),
                                          batch, fake)
  assert len(variables) == len(d.trainable_variables) + 2  # + head W, b.
  assert isinstance(grads[_embedding_index(d, variables)], tf.IndexedSlices)
  for v, value in zip(objective.head.non_trainable_variables, state):
    v.assign(value)
  dense, out = _dense_terms(d, objective, batch, fake, variables)
  assert float(out.terms["aux"]) > 0.0
  want = [0.5 * sum(parts) for parts in zip(*dense.values())]
  _assert_close(grads, want)


@pytest.mark.parametrize("loss_scale", [None, 1024.0])
def test_aw_combiner_matches_dense(setup, loss_scale):
  d, batch, fake = setup
  objective = AdversarialObjective(HINGE)
  variables, grads, stats = _through_combiner(
      d, objective, AwCombiner(), batch, fake, loss_scale)
  dense, out = _dense_terms(d, objective, batch, fake, variables)
  # The weights from the dense one-hot gradients, then eq. 2 by hand.
  w_r, w_f = aw_weights(dense["real"], dense["fake"],
                        out.stats["s_real"], out.stats["s_fake"])
  np.testing.assert_allclose(float(stats["aw_w_real"]), float(w_r), rtol=1e-6)
  np.testing.assert_allclose(float(stats["aw_w_fake"]), float(w_f), rtol=1e-6)
  want = [0.5 * (float(w_r) * r + float(w_f) * f)
          for r, f in zip(dense["real"], dense["fake"])]
  _assert_close(grads, want)
  # The table's gradient is not zero: the check covers its numbers.
  assert np.abs(want[_embedding_index(d, variables)]).max() > 1e-3


def test_angle_probe_combiner_matches_dense(setup):
  d, batch, fake = setup
  objective = AdversarialObjective(HINGE)
  variables, grads, stats = _through_combiner(
      d, objective, AngleProbeCombiner(), batch, fake)
  dense, _ = _dense_terms(d, objective, batch, fake, variables)
  want = [0.5 * (r + f) for r, f in zip(dense["real"], dense["fake"])]
  _assert_close(grads, want)
  flat = lambda gs: np.concatenate([np.ravel(g) for g in gs]).astype(
      np.float64)
  r, f = flat(dense["real"]), flat(dense["fake"])
  cos = r @ f / (np.linalg.norm(r) * np.linalg.norm(f))
  np.testing.assert_allclose(float(stats["angle_real_fake"]),
                             np.degrees(np.arccos(cos)), atol=1e-3)


def test_all_finite_and_unscaling_look_at_sparse_values():
  slices = tf.IndexedSlices(tf.constant([[1.0, np.inf]]), tf.constant([2]),
                            tf.constant([4, 2]))
  assert not bool(all_finite([tf.ones([2]), slices]))
  assert bool(all_finite([None, tf.IndexedSlices(
      tf.constant([[1.0, 2.0]]), tf.constant([2]), tf.constant([4, 2]))]))
  v = tf.Variable(tf.ones([4, 2]))
  with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.gather(v, [1, 1, 3]))
  g = ScaledTape(tape, 8.0).gradient(loss, v)
  assert isinstance(g, tf.IndexedSlices)
  np.testing.assert_array_equal(tf.convert_to_tensor(g).numpy(),
                                [[0, 0], [2, 2], [0, 0], [1, 1]])
