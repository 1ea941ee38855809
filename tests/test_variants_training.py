"""Short offline runs of each training variant: summaries, data, bad input."""

import collections
import dataclasses
import glob
import logging
import os

import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import data as data_lib
from tfgan_ext.models import ModelConfig
from tfgan_ext.objectives import AwCombiner, LossOutput, Objective
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.train import warm_start
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.trainer import Trainer, _in_labelled_share

TINY = ModelConfig("dcgan", image_size=8, channels=1, num_classes=10, z_dim=8,
                   gf=4, df=4)
AE = ModelConfig("ae_mlp", image_size=8, channels=1, num_classes=0, z_dim=8,
                 gf=4, df=16)


def _config(**overrides):
  base = dict(model=TINY, dataset="digits", batch_size=16, max_steps=2,
              save_every=100, summary_every=1, image_every=100, seed=5)
  base.update(overrides)
  return TrainConfig(**base)


def read_scalars(model_dir):
  """{tag: {step: value}} from the train job's event files."""
  out = collections.defaultdict(dict)
  for path in glob.glob(os.path.join(model_dir, "train", "events.out.*")):
    for event in tf.compat.v1.train.summary_iterator(path):
      for value in event.summary.value:
        if value.HasField("tensor") and not value.tensor.string_val:
          array = tf.make_ndarray(value.tensor)
          if array.ndim == 0:  # Not the HParams record (an empty tensor).
            out[value.tag][event.step] = float(array)
  return out


@pytest.fixture(scope="module")
def source_run(tmp_path_factory):
  """A plain conditional run, the starting point of fine-tunes."""
  model_dir = str(tmp_path_factory.mktemp("source"))
  trainer = Trainer(_config(), model_dir)
  trainer.train()
  return model_dir, trainer


def test_aux_aw_and_penalty_run_writes_their_summaries(tmp_path, caplog):
  objective = ObjectiveConfig(aux="multi_hinge", aw=True, penalty="gp")
  with caplog.at_level(logging.INFO, logger="absl"):
    Trainer(_config(objective=objective), str(tmp_path)).train()
  tags = read_scalars(str(tmp_path))
  for tag in ("losses/d_aux", "losses/g_aux", "d/aux_real_loss",
              "d/aux_real_accuracy", "d/aux_fake_accuracy", "g/aux_accuracy",
              "d/aw_w_real", "d/aw_w_fake", "d/aw_case", "d/s_real",
              "d/s_fake", "d/angle_real_fake", "d/angle_real_applied",
              "d/angle_fake_applied", "losses/d_penalty"):
    assert set(tags[tag]) == {1, 2}, tag
  assert all(v in (1, 2, 3, 4, 5) for v in tags["d/aw_case"].values())
  assert all(0 <= v <= 1 for v in tags["d/aux_real_accuracy"].values())
  log = caplog.text
  assert "real and generated images" in log and "aw-loss" in log


def test_gradient_angles_probe_logs_fig4_angles_of_a_plain_run(tmp_path):
  objective = ObjectiveConfig(gradient_angles=True)
  Trainer(_config(objective=objective), str(tmp_path)).train()
  tags = read_scalars(str(tmp_path))
  for tag in ("d/angle_real_fake", "d/angle_real_applied",
              "d/angle_fake_applied"):
    assert set(tags[tag]) == {1, 2}, tag
    assert all(0 <= v <= 180 for v in tags[tag].values())
  assert "d/aw_case" not in tags


def test_ssl_unlabelled_stream_is_every_training_image(tmp_path):
  objective = ObjectiveConfig(aux="multi_hinge", ssl=True)
  trainer = Trainer(_config(objective=objective, label_fraction=0.1,
                            unlabelled_dataset="digits", batch_size=128),
                    str(tmp_path))
  labelled, unlabelled = set(), []
  for batch, _ in zip(iter(trainer.dataset), range(12)):  # 1,536 examples.
    labelled.update(x.tobytes() for x in batch["image"].numpy())
    unlabelled.extend(x.tobytes() for x in batch["unlabelled_image"].numpy())
  # Independently: the whole train split, read once in order.
  everything, _ = data_lib.make_dataset("digits", "train", 2000, image_size=8,
                                        channels=1, training=False)
  every = [x.tobytes() for x in next(iter(everything))[0].numpy()]
  assert len(every) == 1437
  # The first epoch of the unlabelled stream is a permutation of all 1,437
  # training images (the labelled 10% included), not only the other 90%.
  assert sorted(unlabelled[:1437]) == sorted(every)
  assert len(labelled) == 143 and labelled <= set(unlabelled[:1437])
  trainer.train()
  tags = read_scalars(str(tmp_path))
  for tag in ("d/loss_labelled", "d/loss_unlabelled", "losses/d_aux"):
    assert set(tags[tag]) == {1, 2}, tag


def test_labelled_share_is_an_even_fraction_and_its_complement():
  keep = _in_labelled_share(tf.range(1437, dtype=tf.int64), 0.1).numpy()
  assert keep.sum() == 143
  np.testing.assert_array_equal(np.flatnonzero(keep)[:3], [9, 19, 29])


def test_magan_run_sets_margin_from_pretraining_and_logs_epochs(tmp_path):
  # 1,437 digits / batch 256 = 5 steps per epoch; 1 pre-training epoch.
  config = _config(model=AE, batch_size=256, max_steps=10, optimizer="adamax",
                   objective=ObjectiveConfig(energy="magan",
                                             pretrain_epochs=1))
  images, _ = data_lib.make_dataset("digits", "train", 2000, image_size=8,
                                    channels=1, training=False)
  every = next(iter(images))[0].numpy()
  assert every.shape == (1437, 8, 8, 1)
  at_step5 = {}

  class MeanEnergyAfterPretraining:  # Runs after the objective's callback.
    def on_step_end(self, trainer, step, logs):
      if step == 5:
        d = trainer.discriminator
        recon = d.decode(d.encode(tf.constant(every))).numpy()
        energies = ((recon - every) ** 2).reshape(len(every), -1).sum(1)
        at_step5.update(want=energies.mean(),
                        margin=float(trainer.objective.margin))

  trainer = Trainer(config, str(tmp_path),
                    callbacks=[MeanEnergyAfterPretraining()])
  g_before = [v.numpy().copy() for v in trainer.generator.trainable_variables]
  trainer.train()
  tags = read_scalars(str(tmp_path))
  for tag in ("energy/margin", "energy/epoch_real", "energy/epoch_fake",
              "energy/convergence"):
    assert set(tags[tag]) == {5, 10}, tag
  # The first margin is the mean real energy of all 1,437 training images
  # under the pre-trained D, not the mean of the energies logged while D
  # was still being updated.
  np.testing.assert_allclose(at_step5["margin"], at_step5["want"], rtol=1e-5)
  np.testing.assert_allclose(tags["energy/margin"][5], at_step5["want"],
                             rtol=1e-5)
  real = tags["d/energy_real"]
  logged = np.mean([real[s] for s in range(1, 6)])
  assert abs(logged - at_step5["want"]) > 0.01 * at_step5["want"], logged
  assert tags["energy/margin"][10] <= tags["energy/margin"][5]
  assert all(v == 0.0 for s, v in tags["losses/g_energy"].items() if s <= 5)
  assert tags["losses/g_energy"][10] > 0
  assert not all(np.array_equal(a, b.numpy()) for a, b in zip(
      g_before, trainer.generator.trainable_variables))


def test_mhshared_fine_tune_starts_from_the_source_checkpoint(
    source_run, tmp_path, caplog):
  source_dir, source = source_run
  captured = {}

  class Capture:
    def on_train_begin(self, trainer):
      captured.update({k: v.numpy().copy() for k, v in
                       warm_start.checkpoint_variables(
                           trainer._warm_start_roots()).items()})

  config = _config(max_steps=1, init_from=source_dir,
                   objective=ObjectiveConfig(aux="multi_hinge",
                                             critic="shared"))
  with caplog.at_level(logging.INFO, logger="absl"):
    Trainer(config, str(tmp_path), callbacks=[Capture()]).train()
  want = warm_start.checkpoint_variables(dict(
      generator=source.generator, discriminator=source.discriminator))
  assert want and set(want) <= set(captured)
  for key, value in want.items():
    np.testing.assert_array_equal(captured[key], value.numpy(), err_msg=key)
  assert f"init_from {tf.train.latest_checkpoint(source_dir)}" in caplog.text
  tags = read_scalars(str(tmp_path))
  assert 1 in tags["d/aux_real_accuracy"] and 1 in tags["g/aux_accuracy"]


def _optimizer_state(trainer):
  """{name: value} of both optimizers' iteration counts and slots."""
  return {f"{name}/{i}": v.numpy().copy()
          for name in ("g_optimizer", "d_optimizer")
          for i, v in enumerate(getattr(trainer, name).variables)
          if not v.path.endswith("learning_rate")}


def test_init_from_continue_takes_over_optimizers_step_and_stream(
    source_run, tmp_path):
  source_dir, source = source_run
  want = _optimizer_state(source)
  assert int(source.g_optimizer.iterations) == 2 and len(want) > 10
  captured = {}

  class Capture:
    def on_train_begin(self, trainer):
      captured.update(state=_optimizer_state(trainer),
                      step=trainer.current_step(),
                      g_lr=float(trainer.g_optimizer.learning_rate))

  # MHShared adds no D variables, so D's slots line up with SAGAN's.
  config = _config(max_steps=3, init_from=source_dir, init_from_continue=True,
                   g_lr=3e-4, objective=ObjectiveConfig(aux="multi_hinge",
                                                        critic="shared"))
  result = Trainer(config, str(tmp_path), callbacks=[Capture()]).train()
  assert captured["step"] == 2 and result.step == 3
  assert captured["state"].keys() == want.keys()
  for key, value in want.items():
    np.testing.assert_array_equal(captured["state"][key], value, err_msg=key)
  np.testing.assert_allclose(captured["g_lr"], 3e-4)  # This run's LR.
  assert [os.path.basename(p) for p in tf.train.get_checkpoint_state(
      str(tmp_path)).all_model_checkpoint_paths] == ["ckpt-3"]


def test_continued_run_equals_the_uninterrupted_run(tmp_path):
  losses = {}

  def run(name, steps, **kw):
    record = []

    class Record:
      def on_step_end(self, trainer, step, logs):
        record.append((step, logs["d_loss"], logs["g_loss"]))

    Trainer(_config(max_steps=steps, deterministic=True, **kw),
            str(tmp_path / name), callbacks=[Record()]).train()
    losses[name] = record

  run("whole", 4, save_every=2)
  run("continued", 4, init_from=str(tmp_path / "whole" / "ckpt-2"),
      init_from_continue=True)
  assert [s for s, *_ in losses["continued"]] == [3, 4]
  np.testing.assert_allclose([l[1:] for l in losses["continued"]],
                             [l[1:] for l in losses["whole"][2:]], rtol=1e-6)


class _SingleTerm(Objective):
  discriminator_terms = ("total",)

  def describe(self):
    return "single-term objective"

  def discriminator_loss(self, discriminator, batch, fake):
    return LossOutput({"total": tf.reduce_mean(discriminator(fake)[0])})


def test_bad_variant_inputs_fail_before_anything_is_written(source_run,
                                                            tmp_path):
  source_dir, _ = source_run
  unconditional = dataclasses.replace(TINY, num_classes=0)
  cases = [
      (dict(model=unconditional, objective=ObjectiveConfig(aux="acgan")),
       ValueError, "needs class labels"),
      (dict(model=unconditional, objective=ObjectiveConfig(
          aux="multi_hinge", critic="shared")), ValueError,
       "needs class labels"),
      (dict(objective=ObjectiveConfig(aux="multi_hinge", ssl=True)),
       ValueError, "set --unlabelled_dataset"),
      (dict(unlabelled_dataset="digits"), ValueError, "Add --ssl"),
      (dict(objective=ObjectiveConfig(energy="ebgan")), ValueError,
       "--architecture ae_mlp or ae_conv"),
      (dict(optimizer="sgd"), ValueError, "optimizer must be one of"),
      (dict(label_fraction=0.0), ValueError, r"label_fraction must be in"),
      (dict(label_fraction=0.005), ValueError, "fewer than one batch"),
      (dict(init_from=str(tmp_path / "missing")), FileNotFoundError,
       "no checkpoint found"),
      (dict(init_from=source_dir, model=dataclasses.replace(TINY, df=8)),
       ValueError, "does not match this run's networks"),
      (dict(init_from_continue=True), ValueError, "set --init_from too"),
      # An MHGAN head adds D variables: D's slots would not line up.
      (dict(init_from=source_dir, init_from_continue=True, max_steps=5,
            objective=ObjectiveConfig(aux="multi_hinge")), ValueError,
       r"d_optimizer updates 11 variables, the saved one 9 \(this run also "
       r"updates objective/head"),
      (dict(init_from=source_dir, init_from_continue=True, max_steps=5,
            optimizer="adamax"), ValueError, "another optimizer class"),
      (dict(init_from=source_dir, init_from_continue=True, max_steps=2),
       ValueError, "is at step 2 .* trains nothing"),
      (dict(init_from=str(tmp_path / "weights_only" / "ckpt-1"),
            init_from_continue=True), ValueError, "has no step counter"),
  ]
  g, d = source_run[1].generator, source_run[1].discriminator
  tf.train.Checkpoint(generator=g, discriminator=d).write(
      str(tmp_path / "weights_only" / "ckpt-1"))
  target = tmp_path / "run"
  for overrides, error, message in cases:
    with pytest.raises(error, match=message):
      Trainer(_config(**overrides), str(target))
    assert not target.exists(), overrides
  with pytest.raises(ValueError, match="Drop --aw"):
    Trainer(_config(), str(target), objective=_SingleTerm(),
            combiner=AwCombiner())
  assert not target.exists()
