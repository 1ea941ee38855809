"""Tests for tfgan_ext.losses.aw (aw-loss Algorithm 1)."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext.losses import aw

OFF = 1e-4  # added to squared norms, as in the public code
EPS = 0.05


def _split(v):
  """A flat 3-vector as two 'variables' of shapes [2] and [1, 1]."""
  v = np.asarray(v, np.float32)
  return [tf.constant(v[:2]), tf.constant(v[2:].reshape(1, 1))]


G_R = [3.0, 4.0, 0.0]            # |g_r|^2 = 25
G_F_OBTUSE = [-4.0, 0.0, 0.0]    # <g_r, g_f> = -12, |g_f|^2 = 16
G_F_ACUTE = [4.0, 0.0, 0.0]      # <g_r, g_f> = +12
NR, NF = np.sqrt(25 + OFF), np.sqrt(16 + OFF)

# (s_real, s_fake) pairs selecting each score condition of Algorithm 1.
FAVOUR_REAL = [(0.3, 0.2),     # s_r < alpha1
               (0.6, 0.7),     # s_r < s_f - delta, s_r >= alpha1
               (0.8, 0.9)]     # s_r > alpha2 but s_r < s_f - delta
FAVOUR_FAKE = [(0.9, 0.2), (0.8, 0.83)]   # s_r > alpha2 and s_r > s_f - delta
BISECTOR = [(0.6, 0.4), (0.7, 0.1), (0.75, 0.3)]  # alpha1 <= s_r <= alpha2

# Hand-computed weights (before epsilon) per case, normalized / not.
HAND = {
    (1, True): (1 / NR, 12 / ((16 + OFF) * NR)),
    (2, True): (1 / NR, 0.0),
    (3, True): (12 / ((25 + OFF) * NF), 1 / NF),
    (4, True): (0.0, 1 / NF),
    (5, True): (1 / NR, 1 / NF),
    (1, False): (1.0, 12 / (16 + OFF)),
    (2, False): (1.0, 0.0),
    (3, False): (12 / (25 + OFF), 1.0),
    (4, False): (0.0, 1.0),
    (5, False): (1.0, 1.0),
}


def _cases():
  for scores in FAVOUR_REAL:
    yield scores, G_F_OBTUSE, 1
    yield scores, G_F_ACUTE, 2
  for scores in FAVOUR_FAKE:
    yield scores, G_F_OBTUSE, 3
    yield scores, G_F_ACUTE, 4
  for scores in BISECTOR:
    yield scores, G_F_OBTUSE, 5
    yield scores, G_F_ACUTE, 5


@pytest.mark.parametrize("normalized", [True, False])
@pytest.mark.parametrize("scores, g_f, case", list(_cases()))
def test_each_branch_hand_values(scores, g_f, case, normalized):
  w_r, w_f, got_case = aw.aw_weights_and_case(
      _split(G_R), _split(g_f), *scores, normalized=normalized)
  assert got_case.dtype == tf.int32
  np.testing.assert_equal(int(got_case), case)
  expected = np.array(HAND[(case, normalized)]) + EPS
  np.testing.assert_allclose([w_r.numpy(), w_f.numpy()], expected, rtol=1e-6)
  w_r2, w_f2 = aw.aw_weights(_split(G_R), _split(g_f), *scores,
                             normalized=normalized)
  np.testing.assert_allclose([w_r2.numpy(), w_f2.numpy()], expected, rtol=1e-6)


def _algorithm1_np(g_r, g_f, s_r, s_f, alpha1=0.5, alpha2=0.75, delta=0.05,
                   eps=0.05, normalized=True):
  """Slow transcription of Algorithm 1 in float64."""
  g_r, g_f = np.asarray(g_r, np.float64), np.asarray(g_f, np.float64)
  rr, ff, rf = g_r @ g_r + OFF, g_f @ g_f + OFF, g_r @ g_f
  n_r = np.sqrt(rr) if normalized else 1.0
  n_f = np.sqrt(ff) if normalized else 1.0
  if s_r < s_f - delta or s_r < alpha1:
    if rf < 0:
      return 1 / n_r + eps, -rf / (ff * n_r) + eps, 1
    return 1 / n_r + eps, eps, 2
  if s_r > s_f - delta and s_r > alpha2:
    if rf < 0:
      return -rf / (rr * n_f) + eps, 1 / n_f + eps, 3
    return eps, 1 / n_f + eps, 4
  return 1 / n_r + eps, 1 / n_f + eps, 5


def test_random_draws_against_numpy_transcription():
  rng = np.random.default_rng(0)
  seen = set()
  for _ in range(150):
    g_r = rng.normal(size=3) * rng.uniform(0.01, 10)
    g_f = rng.normal(size=3) * rng.uniform(0.01, 10)
    s_r, s_f = rng.uniform(size=2)
    normalized = bool(rng.integers(2))
    kwargs = dict(alpha1=0.4, alpha2=0.7, delta=0.1, normalized=normalized)
    w_r, w_f, case = aw.aw_weights_and_case(_split(g_r), _split(g_f), s_r, s_f,
                                            epsilon=0.02, **kwargs)
    ref = _algorithm1_np(
        _split_np(g_r), _split_np(g_f), np.float32(s_r), np.float32(s_f),
        eps=0.02, **kwargs)
    np.testing.assert_allclose([w_r.numpy(), w_f.numpy()], ref[:2],
                               rtol=2e-5, atol=1e-6)
    np.testing.assert_equal(int(case), ref[2])
    seen.add(ref[2])
  assert seen == {1, 2, 3, 4, 5}


def _split_np(v):
  return np.asarray(v, np.float32).astype(np.float64)


def test_epsilon_is_added_to_every_weight():
  for scores, g_f, _ in _cases():
    for normalized in (True, False):
      w0 = aw.aw_weights(_split(G_R), _split(g_f), *scores, epsilon=0.0,
                         normalized=normalized)
      w1 = aw.aw_weights(_split(G_R), _split(g_f), *scores, epsilon=0.3,
                         normalized=normalized)
      np.testing.assert_allclose(np.array(w1) - np.array(w0), [0.3, 0.3],
                                 rtol=1e-6)


def test_geometry_of_combined_direction():
  g_r, g_f = np.array(G_R), np.array(G_F_OBTUSE)
  directions = {}
  for case, scores in ((1, FAVOUR_REAL[0]), (3, FAVOUR_FAKE[0]),
                       (5, BISECTOR[0])):
    w_r, w_f = aw.aw_weights(_split(g_r), _split(g_f), *scores, epsilon=0.0)
    directions[case] = w_r.numpy() * g_r + w_f.numpy() * g_f
  # Case 1 is orthogonal to g_f, case 3 to g_r (Theorem 2), up to the 1e-4
  # offset in the squared norms: residual <g_r,g_f>/|g_r| * 1e-4/(16 + 1e-4)
  # = -1.5e-5 for case 1 and -12/4 * 1e-4/(25 + 1e-4) = -1.2e-5 for case 3.
  np.testing.assert_allclose(directions[1] @ g_f, 0.0, atol=3e-5)
  np.testing.assert_allclose(directions[3] @ g_r, 0.0, atol=3e-5)
  # ... while still ascending g_r: |g_r| - <g_r,g_f>^2 / (|g_f|^2 |g_r|).
  np.testing.assert_allclose(directions[1] @ g_r, 5.0 - 12 * 12 / (16 * 5),
                             rtol=1e-4)
  # Case 5 bisects: equal cosines with g_r and g_f.
  cos = lambda a, b: a @ b / np.linalg.norm(a) / np.linalg.norm(b)
  np.testing.assert_allclose(cos(directions[5], g_r), cos(directions[5], g_f),
                             atol=1e-5)


def test_weights_carry_no_gradient():
  v_r = [tf.Variable(t) for t in _split(G_R)]
  v_f = [tf.Variable(t) for t in _split(G_F_OBTUSE)]
  s_r, s_f = tf.Variable(0.3), tf.Variable(0.2)
  with tf.GradientTape() as tape:
    w_r, w_f = aw.aw_weights(v_r, v_f, s_r, s_f)
    total = w_r + w_f
  grads = tape.gradient(total, v_r + v_f + [s_r, s_f],
                        unconnected_gradients=tf.UnconnectedGradients.ZERO)
  for g in grads:
    np.testing.assert_allclose(g.numpy(), np.zeros_like(g.numpy()), atol=0)
  np.testing.assert_allclose(total.numpy(), 1 / NR + 12 / ((16 + OFF) * NR)
                             + 2 * EPS, rtol=1e-6)


def test_none_gradients_count_as_zero():
  extra = tf.constant([[2.0, 0.0]])
  grads_r = _split(G_R) + [None, None]
  grads_f = _split(G_F_OBTUSE) + [extra, None]
  w_r, w_f, case = aw.aw_weights_and_case(grads_r, grads_f, 0.3, 0.2)
  ff = 16 + 4 + OFF
  np.testing.assert_equal(int(case), 1)
  np.testing.assert_allclose([w_r.numpy(), w_f.numpy()],
                             [1 / NR + EPS, 12 / (ff * NR) + EPS], rtol=1e-6)
  with pytest.raises(ValueError, match="non-None"):
    aw.aw_weights([None], [None], 0.3, 0.2)
  with pytest.raises(ValueError, match="length"):
    aw.aw_weights(_split(G_R), _split(G_R)[:1], 0.3, 0.2)


def test_combine_gradients():
  a, b = tf.constant([1.0, 2.0]), tf.constant([[3.0]])
  c, d = tf.constant([-1.0, 0.5]), tf.constant([[4.0]])
  out = aw.combine_gradients([a, b, None, None], [c, None, d, None], 2.0, 0.5)
  np.testing.assert_allclose(out[0].numpy(), [1.5, 4.25])
  np.testing.assert_allclose(out[1].numpy(), [[6.0]])
  np.testing.assert_allclose(out[2].numpy(), [[2.0]])
  assert out[3] is None


def test_combine_gradients_indexed_slices():
  shape = tf.constant([4, 2], tf.int64)
  s_r = tf.IndexedSlices(tf.constant([[1.0, 1.0]]), tf.constant([0]), shape)
  s_f = tf.IndexedSlices(tf.constant([[2.0, 0.0]]), tf.constant([0]), shape)
  dense = tf.ones([4, 2])
  both, mixed = aw.combine_gradients([s_r, s_r], [s_f, dense], 3.0, 0.5)
  assert isinstance(both, tf.IndexedSlices)
  np.testing.assert_allclose(
      tf.math.unsorted_segment_sum(both.values, both.indices, 4).numpy(),
      [[4.0, 3.0], [0, 0], [0, 0], [0, 0]])
  np.testing.assert_allclose(mixed.numpy(),
                             [[3.5, 3.5], [0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])


def test_weights_from_a_real_discriminator_in_tf_function():
  w = tf.Variable([[0.5], [-1.0]])
  b = tf.Variable([0.1])
  d_fn = lambda x: tf.matmul(x, w)[:, 0] + b
  real = tf.constant([[1.0, 0.0], [0.5, 0.5]])
  fake = tf.constant([[0.0, 1.0], [1.0, 1.0]])

  def weights():
    with tf.GradientTape(persistent=True) as tape:
      real_logits, fake_logits = d_fn(real), d_fn(fake)
      loss_r = tf.reduce_mean(tf.nn.relu(1.0 - real_logits))
      loss_f = tf.reduce_mean(tf.nn.relu(1.0 + fake_logits))
    g_r = tape.gradient(loss_r, [w, b])
    g_f = tape.gradient(loss_f, [w, b])
    return aw.aw_weights_and_case(g_r, g_f, aw.mean_score(real_logits),
                                  aw.mean_score(fake_logits))

  eager = weights()
  graph = tf.function(weights)()
  for e, g in zip(eager, graph):
    np.testing.assert_allclose(e.numpy(), g.numpy(), rtol=1e-6)
  # Hand: real logits [0.6, -0.15], fake logits [-0.9, -0.4].
  # g_r: d/dw mean(1 - x.w - b) = -mean(x) = [-0.75, -0.25], d/db = -1.
  # g_f: d/dw mean(1 + y.w + b) = mean(y) = [0.5, 1.0], d/db = 1.
  sig = lambda t: 1 / (1 + np.exp(-np.array(t)))
  ref = _algorithm1_np([-0.75, -0.25, -1.0], [0.5, 1.0, 1.0],
                       sig([0.6, -0.15]).mean(), sig([-0.9, -0.4]).mean())
  np.testing.assert_allclose([eager[0].numpy(), eager[1].numpy()], ref[:2],
                             rtol=1e-5)
  np.testing.assert_equal(int(eager[2]), ref[2])
  np.testing.assert_equal(ref[2], 5)  # s_r ~ 0.55 in [alpha1, alpha2]


def test_mean_score():
  np.testing.assert_allclose(aw.mean_score(np.array([0.0, np.log(3.0)])),
                             (0.5 + 0.75) / 2, rtol=1e-6)


@pytest.mark.parametrize("scores, case", [(FAVOUR_REAL[0], 2),
                                          (FAVOUR_FAKE[0], 4)])
def test_right_angle_counts_as_acute(scores, case):
  # Algorithm 1 tests angle > 90 degrees; at exactly 90 both formulas agree.
  w_r, w_f, got = aw.aw_weights_and_case(_split(G_R), _split([0, 0, 2.0]),
                                         *scores)
  np.testing.assert_equal(int(got), case)
  nf = np.sqrt(4 + OFF)
  expected = {2: (1 / NR, 0.0), 4: (0.0, 1 / nf)}[case]
  np.testing.assert_allclose([w_r.numpy(), w_f.numpy()],
                             np.array(expected) + EPS, rtol=1e-6)
