"""--precision: mixed bfloat16 / float16 with float32 islands, float16 loss
scaling (skipped steps, exact resume), checkpoints across precisions, and
the demo's CPU check (tfgan_ext.device_info)."""

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import device_info
from tfgan_ext.errors import InputError
from tfgan_ext.models import ModelConfig, build_models
from tfgan_ext.nn import precision
from tfgan_ext.objectives import build_objective
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.train import loss_scale
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.trainer import Trainer

# Train / resume tests: a spectrally normalized MLP pair on 2-D points
# (quick to trace); the islands test builds the SAGAN.
TINY = ModelConfig("mlp", channels=2, num_classes=0, z_dim=2, gf=8, df=8,
                   spectral_norm=True)
SAGAN = ModelConfig("sagan", image_size=8, channels=1, num_classes=10,
                    z_dim=8, gf=4, df=4)


def _config(**overrides):
  base = dict(model=TINY, dataset="ring8", batch_size=16, max_steps=4,
              save_every=1000, summary_every=1000, image_every=1000, seed=3,
              deterministic=True)
  base.update(overrides)
  return TrainConfig(**base)


def _trainables(trainer):
  return [v.numpy() for v in trainer.g_vars + trainer.d_vars]


def _state(trainer):
  return [v.numpy() for v in trainer.generator.weights
          + trainer.discriminator.weights
          + trainer.g_optimizer.variables + trainer.d_optimizer.variables]


# ------------------------------------------------------------ device_info
CPUINFO = """processor\t: 0
vendor_id\t: {vendor}
flags\t\t: fpu sse2 avx avx2 fma {extra}
bogomips\t: 4000

processor\t: 1
flags\t\t: fpu sse2
"""


@pytest.mark.parametrize("extra, expected", [
    ("", "float32"), ("avx512f avx512_bf16", "bfloat16"),
    ("amx_tile amx_bf16", "bfloat16"), ("avx512f amx_int8", "float32")])
def test_demo_precision_follows_the_first_cpus_bf16_flags(extra, expected):
  text = CPUINFO.format(vendor="AuthenticAMD", extra=extra)
  choice, why = device_info.preferred_precision(text)
  assert choice == expected
  assert ("native" in why) == (expected == "bfloat16")
  assert device_info.cpu_flags(text) == frozenset(
      "fpu sse2 avx avx2 fma".split() + extra.split())


def test_unreadable_cpuinfo_means_float32():
  assert device_info.cpu_flags("no flags here") == frozenset()
  choice, why = device_info.preferred_precision("")
  assert choice == "float32" and "could be read" in why


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad", ["fp16", "bf16", "mixed_bfloat16", ""])
def test_bad_precision_is_refused_before_writing(bad, tmp_path):
  model_dir = tmp_path / "run"
  with pytest.raises(InputError, match="precision must be one of"):
    Trainer(_config(precision=bad), str(model_dir))
  assert not model_dir.exists()


# -------------------------------------------------------- float32 islands
def _graph_float_dtypes(fn, *args):
  """{op type: set of float output dtypes} and the same for ops whose
  name scope contains 'spectral_norm' / 'float32_' in fn's graph."""
  graph = tf.function(fn).get_concrete_function(*args).graph
  by_type, islands = {}, {}
  for op in graph.get_operations():
    dtypes = {o.dtype for o in op.outputs if o.dtype.is_floating}
    if not dtypes:
      continue
    by_type.setdefault(op.type, set()).update(dtypes)
    if "spectral_norm" in op.name or "float32_" in op.name:
      islands.setdefault(op.type, set()).update(dtypes)
  return by_type, islands


def test_float32_islands_under_bfloat16():
  g, d = build_models(SAGAN)
  z, y = tf.zeros([4, SAGAN.z_dim]), tf.zeros([4], tf.int32)
  d(g(z, y), y)
  for model in (g, d):
    precision.apply_precision(model, "bfloat16")
  assert all(v.dtype == tf.float32 for v in g.weights + d.weights)
  images = tf.random.normal([4, 8, 8, 1])
  logits, features = d(images, y, training=True)
  assert logits.dtype == tf.float32 and features.dtype == tf.float32
  assert g(z, y, training=True).dtype == tf.float32
  d_ops, d_islands = _graph_float_dtypes(
      lambda x: d(x, y, training=True), images)
  g_ops, g_islands = _graph_float_dtypes(
      lambda z: g(z, y, training=True), z)
  # The heavy ops really run in bfloat16 ...
  assert d_ops["Conv2D"] == {tf.bfloat16} == g_ops["Conv2D"]
  # ... the islands in float32 (BN's debiasing weight in float64): softmax,
  # power iteration, BN moments and moving statistics.
  assert d_ops["Softmax"] == {tf.float32} == g_ops["Softmax"]
  for islands in (d_islands, g_islands):
    assert islands and all(t <= {tf.float32, tf.float64}
                           for t in islands.values()), islands
  assert {"MatMul", "Sqrt", "Rsqrt"} & set(d_islands)  # power iteration
  assert "Mean" in g_islands  # batch moments
  # sigma, the losses and their gradients.
  for layer in d._flatten_layers():
    if hasattr(layer, "spectral_norm"):
      assert layer.spectral_norm().dtype == tf.float32
  objective = build_objective(ObjectiveConfig(), SAGAN.num_classes)
  batch = {"image": images, "label": y}
  with tf.GradientTape() as tape:
    out = objective.discriminator_loss(d, batch, g(z, y, training=True))
  assert all(t.dtype == tf.float32 for t in out.terms.values())
  grads = tape.gradient(out.total(), d.trainable_variables)
  assert all(gr.dtype == tf.float32 for gr in grads if gr is not None)


def test_float32_policy_is_a_no_op():
  g, d = build_models(TINY)
  z, y = tf.random.normal([4, TINY.z_dim], seed=1), None
  before = d(g(z, y), y)[0].numpy()
  for model in (g, d):
    precision.apply_precision(model, "float32")
  np.testing.assert_array_equal(before, d(g(z, y), y)[0].numpy())


# ------------------------------------------------------------ loss scale
def test_dynamic_loss_scale_halves_on_overflow_and_grows_after_interval():
  ls = loss_scale.DynamicLossScale(8.0, growth_interval=2)
  expected = []
  for finite in (True, True, True, False, True):
    ls.update(tf.constant(finite))
    expected.append(float(ls.scale.numpy()))
  assert expected == [8.0, 16.0, 16.0, 8.0, 8.0]
  assert int(ls.good_steps.numpy()) == 1


def test_scaled_tape_returns_unscaled_gradients_and_flags_overflow():
  x = tf.Variable([1e-3, 2.0])
  with tf.GradientTape(persistent=True) as tape:
    loss = tf.reduce_sum(tf.cast(x, tf.float16) ** 2)
    loss32 = tf.cast(loss, tf.float32)
  view = loss_scale.ScaledTape(tape, 1024.0)
  (g,) = view.gradient(loss32, [x])
  np.testing.assert_allclose(g.numpy(), [2e-3, 4.0], rtol=1e-3)
  assert bool(view.finite())
  huge = loss_scale.ScaledTape(tape, 1e30)
  huge.gradient(loss32, [x])
  assert not bool(huge.finite())


# ------------------------------------------------------ training, resume
@pytest.mark.parametrize("prec", ["bfloat16", "float16"])
def test_low_precision_resume_equals_uninterrupted_run(prec, tmp_path):
  full = Trainer(_config(precision=prec), str(tmp_path / "full"))
  full.train()
  assert full.current_step() == 4
  Trainer(_config(precision=prec, max_steps=2), str(tmp_path / "cut")).train()
  resumed = Trainer(_config(precision=prec), str(tmp_path / "cut"))
  resumed.train()
  for a, b in zip(_state(full), _state(resumed)):
    np.testing.assert_array_equal(a, b)
  if prec == "float16":
    for net in ("g", "d"):
      assert (getattr(full.loss_scaling, net).scale.numpy()
              == getattr(resumed.loss_scaling, net).scale.numpy())


def test_float16_aw_weights_follow_float32_on_the_first_steps(tmp_path):
  """Two aw-loss steps, float16 (loss scale 2**10, no overflow) vs float32:
  the aw weights agree to 1e-2 relative and the trained variables to 2e-3
  absolute (float16 has 11 significant bits)."""
  config = _config(objective=ObjectiveConfig(loss="nonsaturating", aw=True),
                   max_steps=2)
  logs = {}
  weights = {}
  for prec in ("float32", "float16"):
    trainer = Trainer(_config(**{**config.__dict__, "precision": prec}),
                      str(tmp_path / prec))
    if trainer.loss_scaling is not None:
      trainer.loss_scaling.d.scale.assign(2.0 ** 10)
      trainer.loss_scaling.g.scale.assign(2.0 ** 10)
    logs[prec] = [trainer._train_step(trainer.iterator) for _ in range(2)]  # pylint: disable=protected-access
    weights[prec] = _trainables(trainer)
  for l32, l16 in zip(logs["float32"], logs["float16"]):
    assert float(l16["precision/d_skipped"]) == 0.0
    for key in ("d/aw_w_real", "d/aw_w_fake"):
      np.testing.assert_allclose(float(l16[key]), float(l32[key]), rtol=1e-2)
  for a, b in zip(weights["float32"], weights["float16"]):
    np.testing.assert_allclose(b, a, atol=2e-3)


class _ResetScale:
  """Forces an overflow on the first train step (huge loss scales), then
  sets sane ones."""

  first = None

  def on_train_begin(self, trainer):
    if trainer.current_step() == 0:
      trainer.loss_scaling.g.scale.assign(1e30)
      trainer.loss_scaling.d.scale.assign(1e30)
      self.before = _trainables(trainer)

  def on_step_end(self, trainer, step, logs):
    if self.first is None and hasattr(self, "before"):
      self.first = dict(
          logs=dict(logs), step=step, before=self.before,
          after=_trainables(trainer),
          g_iterations=int(trainer.g_optimizer.iterations.numpy()),
          data_position=int(trainer.loss_scaling.data_position.numpy()),
          g_scale=float(trainer.loss_scaling.g.scale.numpy()))
    if float(logs["precision/g_skipped"]) == 1.0:
      trainer.loss_scaling.g.scale.assign(2.0 ** 10)
      trainer.loss_scaling.d.scale.assign(2.0 ** 10)


def test_float16_overflowed_step_is_skipped_and_resume_stays_exact(tmp_path):
  """The first step overflows (loss scales 1e30): no update, no step, the
  scales halve, its batch is read. 3 applied steps take 4 batches; a run cut
  after step 1 and resumed equals the uninterrupted one."""
  record = _ResetScale()
  full = Trainer(_config(precision="float16", max_steps=3),
                 str(tmp_path / "full"), callbacks=[record])
  full.train()
  first = record.first
  assert first["logs"]["precision/g_skipped"] == 1.0
  assert first["logs"]["precision/d_skipped"] == 1.0
  assert np.isfinite(first["logs"]["d_loss"])
  assert first["step"] == 0 and first["g_iterations"] == 0
  assert first["data_position"] == 1
  assert first["g_scale"] == float(np.float32(1e30) * np.float32(0.5))
  for a, b in zip(first["before"], first["after"]):
    np.testing.assert_array_equal(a, b)
  assert full.current_step() == 3
  assert int(full.loss_scaling.data_position.numpy()) == 4
  Trainer(_config(precision="float16", max_steps=1), str(tmp_path / "cut"),
          callbacks=[_ResetScale()]).train()
  resumed = Trainer(_config(precision="float16", max_steps=3),
                    str(tmp_path / "cut"), callbacks=[_ResetScale()])
  resumed.train()
  assert int(resumed.loss_scaling.data_position.numpy()) == 4
  for a, b in zip(_state(full), _state(resumed)):
    np.testing.assert_array_equal(a, b)


def test_checkpoints_are_float32_and_load_across_precisions(tmp_path):
  model_dir = str(tmp_path)
  previous = None
  # bfloat16 -> float16 (no loss-scaling state saved: initial scales, data
  # position step x d_steps) -> float32 (ignores float16's extra state).
  for step, prec in enumerate(["bfloat16", "float16", "float32"], start=1):
    trainer = Trainer(_config(precision=prec, max_steps=step), model_dir)
    result = trainer.train()
    assert result.step == step  # Resumed from the previous precision's.
    assert np.isfinite(result.logs["d_loss"])
    reader = tf.train.load_checkpoint(result.checkpoint)
    dtypes = set(reader.get_variable_to_dtype_map().values())
    assert dtypes <= {tf.float32, tf.int64, tf.string}, dtypes
    if previous is not None:
      assert previous != result.checkpoint
    previous = result.checkpoint
