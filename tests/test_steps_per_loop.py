"""--steps_per_loop (N steps per compiled call) and --jit_compile (XLA)."""

import numpy as np
import pytest

from tfgan_ext.errors import InputError
from tfgan_ext.models import ModelConfig
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.trainer import Trainer

TINY = ModelConfig("sagan", image_size=8, channels=1, num_classes=10,
                   z_dim=8, gf=4, df=4)


def _config(**overrides):
  base = dict(model=TINY, dataset="digits", batch_size=16, max_steps=10,
              save_every=5, summary_every=5, image_every=1000, seed=4,
              deterministic=True)
  base.update(overrides)
  return TrainConfig(**base)


class _Record:
  def __init__(self):
    self.calls = []

  def on_step_end(self, trainer, step, logs):
    self.calls.append((step, dict(logs)))


def _weights(trainer):
  return [v.numpy() for v in trainer.generator.weights
          + trainer.discriminator.weights
          + trainer.g_optimizer.variables + trainer.d_optimizer.variables]


def _run(model_dir, **overrides):
  record = _Record()
  trainer = Trainer(_config(**overrides), str(model_dir), callbacks=[record])
  trainer.train()
  return trainer, record.calls


@pytest.fixture(scope="module")
def per_step(tmp_path_factory):
  return _run(tmp_path_factory.mktemp("n1"))


def test_loop_of_five_equals_single_steps_bitwise(per_step, tmp_path):
  single, single_calls = per_step
  looped, looped_calls = _run(tmp_path, steps_per_loop=5)
  assert looped.current_step() == 10
  # Callbacks and host work only at the two loop boundaries.
  assert [s for s, _ in looped_calls] == [5, 10]
  for a, b in zip(_weights(single), _weights(looped)):
    np.testing.assert_array_equal(a, b)
  # The fetched scalars are the means over each call's steps (float32 sums
  # in the loop; the host mean of float32 values agrees to rounding).
  for (step, logs), lo in zip(looped_calls, (0, 5)):
    for key in ("d_loss", "g_loss"):
      expected = np.mean([l[key] for _, l in single_calls[lo:lo + 5]])
      np.testing.assert_allclose(logs[key], expected, rtol=1e-5, atol=1e-6)


def test_resume_at_an_odd_step_with_loops_equals_uninterrupted(per_step,
                                                               tmp_path):
  single, _ = per_step
  # 3 single steps (checkpoint at 3), then a loop of 4 resumes: calls end
  # at 4 (aligning to multiples of 4), 8 and 10 (max_steps).
  _run(tmp_path, max_steps=3, save_every=3)
  resumed, calls = _run(tmp_path, steps_per_loop=4)
  assert [s for s, _ in calls] == [4, 8, 10]
  for a, b in zip(_weights(single), _weights(resumed)):
    np.testing.assert_array_equal(a, b)


def test_periods_round_up_to_multiples_of_the_loop(tmp_path):
  trainer = Trainer(_config(steps_per_loop=4, summary_every=5, save_every=8,
                            image_every=1), str(tmp_path))
  assert trainer.loop_periods() == {"summary_every": 8, "image_every": 4,
                                    "save_every": 8}


def test_bad_steps_per_loop_is_refused_before_writing(tmp_path):
  model_dir = tmp_path / "run"
  with pytest.raises(InputError, match="steps_per_loop"):
    Trainer(_config(steps_per_loop=0), str(model_dir))
  assert not model_dir.exists()


@pytest.fixture
def no_op_determinism():
  """Earlier deterministic runs in this process enabled op determinism,
  which XLA refuses for the MaxPool gradient; off for this test only."""
  from tensorflow.python.framework import config as tf_config
  was = tf_config.is_op_determinism_enabled()
  tf_config.disable_op_determinism()
  yield
  if was:
    tf_config.enable_op_determinism()


def test_jit_compile_with_deterministic_is_refused(tmp_path):
  with pytest.raises(InputError, match="jit_compile"):
    Trainer(_config(jit_compile=True), str(tmp_path / "run"))
  assert not (tmp_path / "run").exists()


def test_jit_compile_gives_the_plain_losses(per_step, tmp_path,
                                            no_op_determinism):
  # XLA fuses and reorders float32 arithmetic, so values differ by rounding;
  # over 4 steps of the tiny SAGAN (SN power iteration, conditional BN,
  # attention) the losses agree to 1e-4 relative. The plain losses are the
  # first 4 of the per-step run: without --deterministic the stream starts
  # from the same seed, so only rounding (op determinism) differs there.
  plain_calls = per_step[1][:4]
  xla, xla_calls = _run(tmp_path / "xla", max_steps=4, deterministic=False,
                        jit_compile=True)
  assert [s for s, _ in plain_calls] == [s for s, _ in xla_calls] == [
      1, 2, 3, 4]
  for (_, a), (_, b) in zip(plain_calls, xla_calls):
    for key in ("d_loss", "g_loss"):
      np.testing.assert_allclose(b[key], a[key], rtol=1e-4, atol=1e-5)


def test_per_step_callbacks_refuse_loops_before_writing(tmp_path):
  from tfgan_ext import monitors
  from tfgan_ext.train.config import ObjectiveConfig
  magan = TrainConfig(
      model=ModelConfig("ae_mlp", image_size=8, channels=1, num_classes=0,
                        z_dim=4, gf=8, df=8),
      objective=ObjectiveConfig(energy="magan"), dataset="digits",
      batch_size=16, steps_per_loop=2)
  with pytest.raises(InputError, match="steps_per_loop=1"):
    Trainer(magan, str(tmp_path / "magan"))
  domain = monitors.Domain(lambda x: x, np.zeros([2, 2], np.float32))
  with pytest.raises(InputError, match="every"):
    Trainer(_config(steps_per_loop=4), str(tmp_path / "sqd"),
            callbacks=[monitors.SqdCallback(domain, every=6)])
  assert not any(tmp_path.iterdir())
