"""Tests for tfgan_ext.losses against hand-computed and NumPy references."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import losses

REAL = np.array([2.0, 0.5, -1.0], np.float32)
FAKE = np.array([-2.0, 0.0, 0.5], np.float32)
TOL = dict(rtol=1e-6, atol=1e-6)


def _softplus_np(x):
  x = np.asarray(x, np.float64)
  return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


# --- Adversarial losses (SQD Table 1) --------------------------------------


def test_hinge_hand_values():
  # max(0, 1 - [2, .5, -1]) = [0, .5, 2]; max(0, 1 + [-2, 0, .5]) = [0, 1, 1.5].
  loss_real, loss_fake = losses.hinge_discriminator_loss(REAL, FAKE)
  np.testing.assert_allclose(loss_real.numpy(), 2.5 / 3, **TOL)
  np.testing.assert_allclose(loss_fake.numpy(), 2.5 / 3, **TOL)
  np.testing.assert_allclose(losses.hinge_generator_loss(FAKE).numpy(), 0.5,
                             **TOL)


def test_least_squares_hand_values():
  # (x - 1)^2 = [1, .25, 4]; y^2 = [4, 0, .25]; (y - 1)^2 = [9, 1, .25].
  loss_real, loss_fake = losses.least_squares_discriminator_loss(REAL, FAKE)
  np.testing.assert_allclose(loss_real.numpy(), 5.25 / 3, **TOL)
  np.testing.assert_allclose(loss_fake.numpy(), 4.25 / 3, **TOL)
  np.testing.assert_allclose(
      losses.least_squares_generator_loss(FAKE).numpy(), 10.25 / 3, **TOL)


def test_wasserstein_hand_values():
  loss_real, loss_fake = losses.wasserstein_discriminator_loss(REAL, FAKE)
  np.testing.assert_allclose(loss_real.numpy(), -0.5, **TOL)
  np.testing.assert_allclose(loss_fake.numpy(), -0.5, **TOL)
  np.testing.assert_allclose(losses.wasserstein_generator_loss(FAKE).numpy(),
                             0.5, **TOL)


def test_nonsaturating_matches_log_sigmoid():
  sig = lambda t: 1.0 / (1.0 + np.exp(-np.asarray(t, np.float64)))
  loss_real, loss_fake = losses.nonsaturating_discriminator_loss(REAL, FAKE)
  np.testing.assert_allclose(loss_real.numpy(), np.mean(-np.log(sig(REAL))),
                             rtol=1e-6)
  np.testing.assert_allclose(loss_fake.numpy(),
                             np.mean(-np.log(1.0 - sig(FAKE))), rtol=1e-6)
  np.testing.assert_allclose(
      losses.nonsaturating_generator_loss(FAKE).numpy(),
      np.mean(-np.log(sig(FAKE))), rtol=1e-6)


def test_nonsaturating_is_stable_for_large_logits():
  big = np.array([100.0, -100.0], np.float32)
  loss_real, loss_fake = losses.nonsaturating_discriminator_loss(big, big)
  # softplus(-100) ~ 3.7e-44 and softplus(100) = 100 (up to 3.7e-44).
  np.testing.assert_allclose(loss_real.numpy(), 50.0, rtol=1e-6)
  np.testing.assert_allclose(loss_fake.numpy(), 50.0, rtol=1e-6)
  np.testing.assert_allclose(
      losses.nonsaturating_generator_loss(big).numpy(), 50.0, rtol=1e-6)
  with tf.GradientTape() as tape:
    x = tf.constant(big)
    tape.watch(x)
    loss = losses.nonsaturating_generator_loss(x)
  # d/dx mean softplus(-x) = -sigmoid(-x) / B.
  np.testing.assert_allclose(tape.gradient(loss, x).numpy(), [0.0, -0.5],
                             atol=1e-7)


def test_minimax_generator_is_log_one_minus_sigmoid():
  sig = lambda t: 1.0 / (1.0 + np.exp(-np.asarray(t, np.float64)))
  np.testing.assert_allclose(losses.minimax_generator_loss(FAKE).numpy(),
                             np.mean(np.log(1.0 - sig(FAKE))), rtol=1e-6)
  minimax = losses.get_adversarial_loss("minimax")
  assert minimax.discriminator_fn is losses.nonsaturating_discriminator_loss
  # Saturating: for a confident D (fake logit -20) the gradient vanishes,
  # d/dx -mean softplus(x) = -sigmoid(x) / B, where NSGAN's stays ~ -1/B.
  with tf.GradientTape() as tape:
    x = tf.constant([-20.0, 0.0])
    tape.watch(x)
    loss = losses.minimax_generator_loss(x)
  np.testing.assert_allclose(tape.gradient(loss, x).numpy(),
                             [-0.5 / (1.0 + np.exp(20.0)), -0.25], rtol=1e-5)


@pytest.mark.parametrize("name", sorted(losses.ADVERSARIAL_LOSSES))
def test_column_logits_and_float64_accepted(name):
  loss = losses.get_adversarial_loss(name)
  flat = loss.discriminator_fn(REAL, FAKE)
  column = loss.discriminator_fn(REAL[:, None].astype(np.float64),
                                 tf.constant(FAKE[:, None]))
  for a, b in zip(flat, column):
    assert b.dtype == tf.float32 and b.shape == ()
    np.testing.assert_allclose(a.numpy(), b.numpy(), **TOL)
  np.testing.assert_allclose(loss.generator_fn(FAKE).numpy(),
                             loss.generator_fn(FAKE[:, None]).numpy(), **TOL)


def test_adversarial_registry():
  assert sorted(losses.ADVERSARIAL_LOSSES) == [
      "hinge", "least_squares", "minimax", "nonsaturating", "wasserstein"]
  hinge = losses.get_adversarial_loss("hinge")
  assert hinge.name == "hinge"
  assert hinge.discriminator_fn is losses.hinge_discriminator_loss
  assert hinge.generator_fn is losses.hinge_generator_loss
  with pytest.raises(ValueError, match="hinge.*least_squares.*nonsaturating"):
    losses.get_adversarial_loss("lsgan")
  with pytest.raises(TypeError):
    losses.ADVERSARIAL_LOSSES["x"] = hinge  # read-only mapping


# --- Classification losses --------------------------------------------------


def _multi_hinge_np(logits, labels, margin):
  total = 0.0
  for row, y in zip(np.asarray(logits, np.float64), labels):
    others = [row[k] for k in range(len(row)) if k != y]
    total += max(0.0, margin - row[y] + max(others))
  return total / len(labels)


def test_multi_hinge_hand_values():
  logits = np.array([[3.0, 1.0, 2.0], [0.0, 2.0, 1.5], [1.0, 1.0, 1.0]],
                    np.float32)
  labels = np.array([0, 1, 2])
  # Per sample 1 - C_y + max_other: [0, .5, 1].
  np.testing.assert_allclose(
      losses.multi_hinge_loss(logits, labels).numpy(), 0.5, **TOL)
  # margin 2: [1, 1.5, 2].
  np.testing.assert_allclose(
      losses.multi_hinge_loss(logits, labels, margin=2.0).numpy(), 1.5, **TOL)


def test_multi_hinge_random_against_loop():
  rng = np.random.default_rng(0)
  logits = rng.normal(size=(16, 5)).astype(np.float32)
  labels = rng.integers(0, 5, size=16)
  np.testing.assert_allclose(
      losses.multi_hinge_loss(tf.constant(logits), tf.constant(labels),
                              margin=0.7).numpy(),
      _multi_hinge_np(logits, labels, 0.7), rtol=1e-5)


def test_multi_hinge_gradient_only_on_true_and_best_other():
  logits = tf.constant([[0.5, 0.2, 0.4]])
  with tf.GradientTape() as tape:
    tape.watch(logits)
    loss = losses.multi_hinge_loss(logits, [0])
  # Active hinge: d/dC = -1 on C_0, +1 on argmax of the others (C_2).
  np.testing.assert_allclose(tape.gradient(loss, logits).numpy(),
                             [[-1.0, 0.0, 1.0]], atol=1e-7)


def test_acgan_loss_against_log_softmax():
  rng = np.random.default_rng(1)
  logits = rng.normal(size=(8, 4))
  labels = rng.integers(0, 4, size=8)
  log_p = logits - np.log(np.sum(np.exp(logits), axis=1, keepdims=True))
  expected = -np.mean(log_p[np.arange(8), labels])
  np.testing.assert_allclose(losses.acgan_loss(logits, labels).numpy(),
                             expected, rtol=1e-5)


def test_classification_registry():
  assert sorted(losses.CLASSIFICATION_LOSSES) == ["acgan", "multi_hinge"]
  assert losses.get_classification_loss("acgan").fn is losses.acgan_loss
  assert (losses.get_classification_loss("multi_hinge").fn
          is losses.multi_hinge_loss)
  with pytest.raises(ValueError, match="acgan.*multi_hinge"):
    losses.get_classification_loss("hinge")


# --- Gradient penalties (SQD Table 3) ---------------------------------------

SHAPE = (3, 2, 2, 1)
W2 = np.array([1.0, 1.0, 1.0, 1.0], np.float32).reshape(2, 2, 1)  # ||w|| = 2
W_HALF = W2 / 4.0  # ||w|| = 0.5


def _linear_d(w):
  w = tf.constant(w)
  return lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3])


def _images(seed):
  return np.random.default_rng(seed).normal(size=SHAPE).astype(np.float32)


@pytest.mark.parametrize("kind, w, expected", [
    ("gp", W2, 1.0), ("dragan", W2, 1.0), ("zero_gp", W2, 4.0),
    ("lipschitz", W2, 1.0), ("gp", W_HALF, 0.25), ("dragan", W_HALF, 0.25),
    ("zero_gp", W_HALF, 0.25), ("lipschitz", W_HALF, 0.0)])
def test_penalty_linear_discriminator(kind, w, expected):
  # Input gradient of <w, x> is w at every point: (2-1)^2, 2^2, (.5-1)^2, ...
  value = losses.gradient_penalty(_linear_d(w), _images(0), _images(1), kind)
  assert value.dtype == tf.float32 and value.shape == ()
  np.testing.assert_allclose(value.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_penalty_column_logits():
  w = tf.constant(W2)
  d_fn = lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3])[:, None]  # [B, 1]
  np.testing.assert_allclose(
      losses.gradient_penalty(d_fn, _images(0), _images(1), "zero_gp"), 4.0,
      rtol=1e-5)


@pytest.mark.parametrize("kind", ["gp", "zero_gp", "lipschitz"])
def test_penalty_quadratic_discriminator(kind):
  # D(x) = 0.5 ||x||^2 has input gradient x; with real == fake every
  # interpolate is the real sample itself, so ||g|| = ||x_i||.
  x = _images(2) * np.array([0.1, 1.0, 3.0], np.float32)[:, None, None, None]
  d_fn = lambda t: 0.5 * tf.reduce_sum(tf.square(t), axis=[1, 2, 3])
  norms = np.linalg.norm(x.reshape(3, -1).astype(np.float64), axis=1)
  expected = {"gp": np.mean((norms - 1.0) ** 2),
              "zero_gp": np.mean(norms ** 2),
              "lipschitz": np.mean(np.maximum(norms - 1.0, 0.0) ** 2)}[kind]
  np.testing.assert_allclose(
      losses.gradient_penalty(d_fn, x, x, kind).numpy(), expected, rtol=1e-5)


def test_interpolates_lie_on_segments():
  real, fake = _images(3), _images(4)
  points = losses.penalty_points(real, fake, "gp",
                                 rng=tf.random.Generator.from_seed(5)).numpy()
  ratio = (points - fake) / (real - fake)  # alpha, one per sample
  alpha = ratio.reshape(3, -1)[:, :1]
  np.testing.assert_allclose(ratio.reshape(3, -1),
                             np.broadcast_to(alpha, (3, 4)), atol=1e-4)
  np.testing.assert_array_equal((alpha >= 0) & (alpha < 1), True)
  # One random coefficient per sample, not one shared or fixed value.
  np.testing.assert_equal(len(np.unique(np.round(alpha, 4))), 3)


def test_dragan_points_perturb_real_by_half_std_uniform():
  real = _images(6)
  points = losses.penalty_points(real, None, "dragan",
                                 rng=tf.random.Generator.from_seed(7)).numpy()
  unit = (points - real) / (0.5 * np.std(real.astype(np.float64)))
  np.testing.assert_array_equal((unit >= -1e-5) & (unit < 1.0 + 1e-5), True)
  # Distinct per element (not one draw per sample).
  assert len(np.unique(np.round(unit, 5))) == unit.size


def _smooth_d_np(x, w):
  flat = x.reshape(x.shape[0], -1)
  return np.sum(np.tanh(flat) * w, axis=1) + 0.3 * np.sum(flat, axis=1) ** 2


@pytest.mark.parametrize("kind", ["gp", "dragan", "zero_gp", "lipschitz"])
def test_penalty_matches_finite_differences(kind):
  w = np.array([0.9, -0.4, 0.3, 0.7])
  w_tf = tf.constant(w, tf.float32)

  def d_fn(x):
    flat = tf.reshape(x, [tf.shape(x)[0], -1])
    return (tf.reduce_sum(tf.tanh(flat) * w_tf, axis=1)
            + 0.3 * tf.reduce_sum(flat, axis=1) ** 2)

  real, fake = 0.5 * _images(8), 0.5 * _images(9)
  points = losses.penalty_points(
      real, fake, kind, rng=tf.random.Generator.from_seed(11)).numpy()
  points = points.astype(np.float64)
  h = 1e-5
  grads = np.zeros_like(points)
  for idx in np.ndindex(*points.shape[1:]):
    step = np.zeros_like(points)
    step[(slice(None),) + idx] = h
    grads[(slice(None),) + idx] = (
        _smooth_d_np(points + step, w)
        - _smooth_d_np(points - step, w)) / (2 * h)
  norms = np.linalg.norm(grads.reshape(3, -1), axis=1)
  expected = {"gp": np.mean((norms - 1) ** 2),
              "dragan": np.mean((norms - 1) ** 2),
              "zero_gp": np.mean(norms ** 2),
              "lipschitz": np.mean(np.maximum(norms - 1, 0) ** 2)}[kind]
  value = losses.gradient_penalty(d_fn, real, fake, kind,
                                  rng=tf.random.Generator.from_seed(11))
  np.testing.assert_allclose(value.numpy(), expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("kind", ["gp", "zero_gp"])
def test_penalty_second_order_gradient(kind):
  w = tf.Variable(W2 * 0.75)  # ||w|| = 1.5
  d_fn = lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3])
  with tf.GradientTape() as tape:
    value = losses.gradient_penalty(d_fn, _images(0), _images(1), kind)
  grad = tape.gradient(value, w).numpy()
  w_np, norm = w.numpy(), 1.5
  # d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w||;  d/dw ||w||^2 = 2 w.
  expected = (2 * (norm - 1) * w_np / norm) if kind == "gp" else 2 * w_np
  np.testing.assert_allclose(grad, expected, rtol=1e-5)


def test_penalty_in_tf_function_matches_eager():
  x = _images(12)
  d_fn = lambda t: 0.5 * tf.reduce_sum(tf.square(t), axis=[1, 2, 3])
  graph_fn = tf.function(
      lambda a, b: losses.gradient_penalty(d_fn, a, b, "gp"))
  np.testing.assert_allclose(graph_fn(tf.constant(x), tf.constant(x)).numpy(),
                             losses.gradient_penalty(d_fn, x, x, "gp").numpy(),
                             rtol=1e-6)


def test_losses_in_tf_function_match_eager():
  graph_hinge = tf.function(losses.hinge_discriminator_loss)
  for a, b in zip(graph_hinge(tf.constant(REAL), tf.constant(FAKE)),
                  losses.hinge_discriminator_loss(REAL, FAKE)):
    np.testing.assert_allclose(a.numpy(), b.numpy(), **TOL)
  logits = np.array([[3.0, 1.0, 2.0], [0.0, 2.0, 1.5]], np.float32)
  graph_mh = tf.function(losses.multi_hinge_loss)
  np.testing.assert_allclose(
      graph_mh(tf.constant(logits), tf.constant([0, 1])).numpy(), 0.25, **TOL)


def test_penalty_and_loss_in_replica_context():
  strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
  x = tf.constant(_images(13))
  d_fn = lambda t: tf.reduce_sum(t * tf.constant(W2), axis=[1, 2, 3])

  @tf.function
  def step(a):
    penalty = losses.gradient_penalty(d_fn, a, a, "zero_gp")
    loss_real, _ = losses.hinge_discriminator_loss(d_fn(a), d_fn(a))
    return penalty, loss_real

  penalty, loss_real = strategy.run(step, args=(x,))
  np.testing.assert_allclose(penalty.numpy(), 4.0, rtol=1e-5)
  logits = np.sum(x.numpy() * W2, axis=(1, 2, 3))
  np.testing.assert_allclose(loss_real.numpy(),
                             np.mean(np.maximum(0, 1 - logits)), rtol=1e-5)


def test_unknown_penalty_kind():
  with pytest.raises(ValueError, match="gp.*dragan.*zero_gp.*lipschitz"):
    losses.gradient_penalty(_linear_d(W2), _images(0), _images(1), "r1")


def test_every_public_loss_function_is_documented():
  import inspect
  names = [n for n in losses.__all__
           if inspect.isfunction(getattr(losses, n))]
  assert {"aw_weights", "update_margin", "multi_hinge_loss"} <= set(names)
  for name in names:
    doc = inspect.getdoc(getattr(losses, name)) or ""
    assert len(doc.splitlines()) >= 2 or len(doc) > 60, name
