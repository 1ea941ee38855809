"""Generator batch norm: moving statistics at inference, debiased averages,
checkpoints, old checkpoints without them, batch statistics on request."""

import logging

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext.evaluation import EvalProtocol
from tfgan_ext.evaluation.restore import restore_networks
from tfgan_ext.models import ModelConfig, build_models
from tfgan_ext.nn import normalization
from tfgan_ext.nn.normalization import (BatchNorm, ConditionalBatchNorm,
                                        batch_norm_layers,
                                        moving_statistics_frozen,
                                        set_inference_statistics)
from tfgan_ext.train import warm_start
from tfgan_ext.train.config import TrainConfig

EPS = 1e-3
CHANNELS = 4


def _batches(count, size=8, seed=0):
  """Batches [size, 2, 2, C] whose channel means and scales drift."""
  rng = np.random.default_rng(seed)
  return [(rng.normal(size=(size, 2, 2, CHANNELS)) * (1.0 + 0.5 * t)
           + 2.0 * t - 1.0).astype(np.float32) for t in range(count)]


def _np_moments(x):
  x = x.astype(np.float64)
  return x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))


def _layer(kind, **kwargs):
  if kind == "plain":
    return BatchNorm(**kwargs), lambda layer, x, y, **kw: layer(x, **kw)
  return (ConditionalBatchNorm(3, **kwargs),
          lambda layer, x, y, **kw: layer(x, y, **kw))


def _labels(n):
  return tf.constant(np.arange(n) % 3, tf.int32)


def _set_affine(layer):
  shape = layer.gamma.shape
  layer.gamma.assign(1.0 + 0.1 * np.arange(np.prod(shape)).reshape(shape))
  layer.beta.assign(-0.2 * np.arange(np.prod(shape)).reshape(shape))


@pytest.mark.parametrize("kind", ["plain", "conditional"])
def test_inference_uses_moving_statistics_not_the_batch(kind):
  layer, call = _layer(kind, decay=0.9)
  for x in _batches(4):
    call(layer, tf.constant(x), _labels(8), training=True)
  _set_affine(layer)
  x = _batches(1, size=6, seed=1)[0]
  y = _labels(6)
  full = call(layer, tf.constant(x), y).numpy()
  alone = call(layer, tf.constant(x[:1]), y[:1]).numpy()
  np.testing.assert_allclose(alone, full[:1], rtol=1e-6, atol=1e-6)
  # Hand-computed from the stored averages, epsilon 1e-3.
  gamma, beta = layer.gamma.numpy(), layer.beta.numpy()
  if kind == "conditional":
    gamma, beta = gamma[y.numpy()], beta[y.numpy()]
    gamma, beta = gamma[:, None, None, :], beta[:, None, None, :]
  mean = layer.moving_mean.numpy().astype(np.float64)
  var = layer.moving_variance.numpy().astype(np.float64)
  expected = gamma * (x - mean) / np.sqrt(var + EPS) + beta
  np.testing.assert_allclose(full, expected, rtol=1e-5, atol=1e-5)

  # Batch statistics on request: the sample then depends on its batch.
  set_inference_statistics(layer, "batch")
  full_batch = call(layer, tf.constant(x), y).numpy()
  b_mean, b_var = _np_moments(x)
  expected = gamma * (x - b_mean) / np.sqrt(b_var + EPS) + beta
  np.testing.assert_allclose(full_batch, expected, rtol=1e-5, atol=1e-5)
  alone_batch = call(layer, tf.constant(x[:2]), y[:2]).numpy()
  assert np.abs(alone_batch - full_batch[:2]).max() > 1e-2


@pytest.mark.parametrize("decay, zero_debias", [(0.9, True), (0.999, True),
                                                (0.9, False)])
def test_moving_averages_follow_the_closed_form_ema(decay, zero_debias):
  layer = BatchNorm(decay=decay, zero_debias=zero_debias)
  moments = []
  for t, x in enumerate(_batches(6), start=1):
    out = layer(tf.constant(x), training=True).numpy()
    mean, var = _np_moments(x)
    moments.append((mean, var))
    # Training normalizes with the batch (gamma 1, beta 0).
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + EPS),
                               rtol=1e-4, atol=1e-4)
    weights = (1 - decay) * decay ** (t - np.arange(1, t + 1))
    ema_mean = sum(w * m for w, (m, _) in zip(weights, moments))
    ema_var = sum(w * v for w, (_, v) in zip(weights, moments))
    if zero_debias:
      expected_mean = ema_mean / (1 - decay ** t)
      expected_var = ema_var / (1 - decay ** t)
    else:  # TF-GAN: started at mean 0, variance 1.
      expected_mean = ema_mean
      expected_var = decay ** t * 1.0 + ema_var
    np.testing.assert_allclose(layer.moving_mean.numpy(), expected_mean,
                               rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(layer.moving_variance.numpy(), expected_var,
                               rtol=2e-5, atol=1e-6)
    assert float(layer.moving_updates) == t
  if zero_debias and decay == 0.999:
    # Six batches at decay 0.999: nearly their plain average, no start value.
    np.testing.assert_allclose(
        layer.moving_mean.numpy(), np.mean([m for m, _ in moments], 0),
        rtol=0, atol=0.01)


def test_no_update_before_training_and_while_frozen():
  layer = BatchNorm()
  x = _batches(1)[0]
  inference = layer(tf.constant(x)).numpy()  # No average yet: the batch's.
  mean, var = _np_moments(x)
  np.testing.assert_allclose(inference, (x - mean) / np.sqrt(var + EPS),
                             rtol=1e-4, atol=1e-4)
  with moving_statistics_frozen(layer):
    layer(tf.constant(x), training=True)
  layer(tf.constant(x), training=False)
  assert float(layer.moving_updates) == 0.0
  np.testing.assert_array_equal(layer.moving_mean.numpy(), 0.0)
  np.testing.assert_array_equal(layer.moving_variance.numpy(), 1.0)
  assert layer.update_moving  # Restored on leaving the block.
  layer(tf.constant(x), training=True)
  assert float(layer.moving_updates) == 1.0
  assert [len(layer.trainable_weights), len(layer.non_trainable_weights)] == [
      2, 3]


def _tiny(arch, **kwargs):
  size = 8 if arch == "sagan" else 16
  config = ModelConfig(arch, image_size=size, channels=1, num_classes=3,
                       z_dim=8, gf=4, df=4, **kwargs)
  return build_models(config)


@pytest.mark.parametrize("arch", ["sagan", "dcgan"])
def test_generator_sample_does_not_depend_on_its_batch(arch):
  g, _ = _tiny(arch, bn_decay=0.9)
  rng = np.random.default_rng(3)
  for _ in range(3):
    g(tf.constant(rng.normal(size=(8, 8)), tf.float32), _labels(8),
      training=True)
  layers = batch_norm_layers(g)
  assert len(layers) == 3
  assert all(l.decay == 0.9 and float(l.moving_updates) == 3 for l in layers)
  z = tf.constant(rng.normal(size=(6, 8)), tf.float32)
  y = _labels(6)
  full = g(z, y).numpy()
  other = tf.concat([z[:1], -3.0 * z[1:]], 0)  # Same first sample.
  np.testing.assert_allclose(g(other, y).numpy()[0], full[0], atol=1e-5)
  np.testing.assert_allclose(g(z[:1], y[:1]).numpy()[0], full[0], atol=1e-5)
  set_inference_statistics(g, "batch")
  assert np.abs(g(other, y).numpy()[0] - full[0]).max() > 1e-3
  set_inference_statistics(g, "moving")
  np.testing.assert_allclose(g(z, y).numpy(), full, atol=1e-6)


def test_checkpoint_round_trip_carries_moving_statistics(tmp_path):
  g, _ = _tiny("sagan")
  z = tf.random.normal([4, 8], seed=1)
  for _ in range(2):
    g(z * 2.0, _labels(4), training=True)
  moving = [v for v in g.variables if v.path.rsplit("/", 1)[-1]
            in normalization.MOVING_VARIABLES]
  assert len(moving) == 9 and not set(map(id, moving)) & set(
      map(id, g.trainable_variables))
  path = tf.train.Checkpoint(generator=g).save(str(tmp_path / "ckpt"))
  g2, _ = _tiny("sagan")
  g2(z, _labels(4))
  tf.train.Checkpoint(generator=g2).restore(
      path).assert_existing_objects_matched()
  restored = {v.path: v.numpy() for v in g2.variables}
  for v in moving:
    np.testing.assert_array_equal(restored[v.path], v.numpy())
  assert float(g2.final_bn.moving_updates) == 2.0
  np.testing.assert_array_equal(g2(z, _labels(4)).numpy(),
                                g(z, _labels(4)).numpy())


def _old_style_checkpoint(tmp_path):
  """A train checkpoint as written before the moving statistics existed."""
  g, d = _tiny("dcgan")
  x = g(tf.zeros([2, 8]), _labels(2))
  d(x, _labels(2))
  for layer in batch_norm_layers(g):
    for name in normalization.MOVING_VARIABLES:
      delattr(layer, name)

  def holder(variables):
    module = tf.Module()
    module._trainable_variables = list(variables)
    return module
  return tf.train.Checkpoint(
      generator=g, discriminator=d,
      g_optimizer=holder(g.trainable_variables),
      d_optimizer=holder(d.trainable_variables)).save(str(tmp_path / "old"))


def test_old_checkpoint_without_moving_statistics(tmp_path, caplog):
  path = _old_style_checkpoint(tmp_path)
  g, d = _tiny("dcgan")
  z = tf.random.normal([4, 8], seed=2)
  d(g(z, _labels(4), training=True), _labels(4))  # Averages now set.
  with caplog.at_level(logging.WARNING):
    restore_networks(path, g, d)
  assert "no batch-norm moving statistics" in caplog.text
  for layer in batch_norm_layers(g):  # Reset: batch statistics, as then.
    assert float(layer.moving_updates) == 0.0
  inference = g(z, _labels(4)).numpy()
  set_inference_statistics(g, "batch")
  np.testing.assert_allclose(inference, g(z, _labels(4)).numpy(), atol=1e-6)
  # A warm start from it keeps the new averages as fresh variables.
  plan = warm_start.plan(path, dict(generator=g, discriminator=d))
  assert len(plan.new) == 9 and all(
      k.rsplit("/", 1)[-1] in normalization.MOVING_VARIABLES
      for k in plan.new)


def test_settings_load_from_old_configs_and_bad_values_fail():
  old = TrainConfig.from_dict({"model": {"architecture": "sagan",
                                         "image_size": 16}})
  assert (old.model.bn_decay, old.model.bn_zero_debias) == (0.999, True)
  assert old.bn_inference == "moving"
  with pytest.raises(ValueError, match="decay must be in"):
    _tiny("sagan", bn_decay=1.0)
  with pytest.raises(ValueError, match="moving"):
    set_inference_statistics(BatchNorm(), "ema")
  with pytest.raises(ValueError, match="bn_inference"):
    EvalProtocol(bn_inference="running").validate()
