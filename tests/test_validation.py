"""Bad values are refused where they enter: the config dataclasses check
their own fields, a run's config.json is checked like a new config, and the
evaluation refuses statistics and samples that would give a wrong number.
Fast: no training, no dataset reads."""

import dataclasses
import json
import math
import os
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import evaluation, tensor_utils
from tfgan_ext.errors import InputError, MissingInputError
from tfgan_ext.evaluation import sample_files, sampling, stats_file
from tfgan_ext.metrics import frechet
from tfgan_ext.models import ModelConfig, build_models, sagan
from tfgan_ext.objectives.config import ObjectiveConfig
from tfgan_ext.train import config as config_lib
from tfgan_ext.train.config import TrainConfig

NAN, INF = float("nan"), float("inf")


# ------------------------------------------------------------------ configs
MODEL_CASES = [  # (field, bad value, what the message must name)
    ("architecture", "resnet", "--architecture"),
    ("architecture", 3, "--architecture"),
    ("image_size", 0, "--image_size"),
    ("image_size", 12, "power-of-2"),  # SAGAN
    ("image_size", 32.0, "--image_size must be an integer"),
    ("channels", 0, "--channels"),
    ("num_classes", -2, "--num_classes"),
    ("z_dim", 0, "--z_dim"),
    ("z_dim", True, "--z_dim must be an integer"),
    ("gf", 0, "--gf"),
    ("df", -8, "--df"),
    ("attention_resolution", 7, "--attention_resolution=7"),
    ("attention_resolution", 64, "--attention_resolution=64"),
    ("attention_resolution", -16, "--attention_resolution"),
    ("spectral_norm", "yes", "--spectral_norm must be true or false"),
    ("bn_decay", 1.0, "--bn_decay"),
    ("bn_decay", -0.1, "--bn_decay"),
    ("bn_decay", NAN, "--bn_decay"),
    ("mlp_g_layers", 0, "--mlp_g_layers"),
    ("mlp_d_layers", 0, "--mlp_d_layers"),
    ("mlp_d_activation", "tanh", "--mlp_d_activation"),
    ("mlp_d_input_scale", 0.0, "--mlp_d_input_scale"),
    ("mlp_d_input_scale", INF, "--mlp_d_input_scale"),
    ("mlp_orthogonal_gain", -1.0, "--mlp_orthogonal_gain"),
]


@pytest.mark.parametrize("field, value, flag", MODEL_CASES)
def test_model_config_refuses_a_bad_field(field, value, flag):
  base = dict(architecture="sagan", image_size=32, channels=3)
  with pytest.raises(InputError, match=flag):
    ModelConfig(**{**base, field: value})


@pytest.mark.parametrize("kwargs, match", [
    (dict(architecture="dcgan", image_size=18), "divisible by 4"),
    (dict(architecture="ae_conv", image_size=12), "divisible by 8"),
    (dict(architecture="magan_mnist", image_size=28, num_classes=10),
     "unconditional"),
    (dict(architecture="dcgan", image_size=16, attention_resolution=16),
     "has none"),
    (dict(architecture="mlp", channels=2, mlp_orthogonal_gain=0.8),
     "spectral_norm"),
])
def test_model_config_refuses_what_its_architecture_cannot_build(kwargs,
                                                                 match):
  with pytest.raises(InputError, match=match):
    ModelConfig(**kwargs)


def test_each_allowed_attention_resolution_builds_a_non_local_block():
  for size in (8, 16, 32, 64, 128):
    assert sagan.attention_resolutions(size)[-1] == size
    for resolution in [0] + sagan.attention_resolutions(size):
      g, d = build_models(ModelConfig("sagan", image_size=size, gf=1, df=1,
                                      attention_resolution=resolution))
      assert g.attention_after is not None and d.attention_after is not None


def test_custom_architecture_checks_only_the_sample_fields():
  custom = ModelConfig("custom", image_size=28, channels=1, num_classes=10,
                       z_dim=64, gf=0, df=0, attention_resolution=7)
  assert custom.architecture == "custom"
  with pytest.raises(InputError, match="--z_dim"):
    ModelConfig("custom", z_dim=0)
  with pytest.raises(InputError, match="nothing to build"):
    build_models(custom)


OBJECTIVE_CASES = [
    ("loss", "hnge", "--loss"),
    ("penalty", "r1", "--penalty"),
    ("aux", "softmax", "--aux"),
    ("critic", "shared_table", "--critic"),
    ("energy", "began", "--energy"),
    ("penalty_weight", -1.0, "--penalty_weight"),
    ("penalty_weight", NAN, "--penalty_weight"),
    ("aux_d_weight", -0.5, "--aux_d_weight"),
    ("aux_g_weight", INF, "--aux_g_weight"),
    ("margin", 0.0, "--margin"),
    ("margin", NAN, "--margin"),
    ("pretrain_epochs", -1, "--pretrain_epochs"),
    ("ssl", 1, "--ssl must be true or false"),
]


@pytest.mark.parametrize("field, value, flag", OBJECTIVE_CASES)
def test_objective_config_refuses_a_bad_field(field, value, flag):
  with pytest.raises(InputError, match=flag):
    ObjectiveConfig(**{field: value})


@pytest.mark.parametrize("kwargs, match", [
    (dict(penalty="gp", penalty_weight=0.0), "--penalty_weight must be > 0"),
    (dict(critic="shared"), "add --aux"),
    (dict(ssl=True), "add --aux"),
    (dict(energy="ebgan", aux="acgan"), "drop --aux"),
    (dict(energy="magan", pretrain_epochs=0), "--pretrain_epochs >= 1"),
])
def test_objective_config_refuses_combinations(kwargs, match):
  with pytest.raises(InputError, match=match):
    ObjectiveConfig(**kwargs)
  assert ObjectiveConfig(penalty_weight=0.0).penalty_weight == 0.0  # Unused.


TRAIN_CASES = [
    ("dataset", "", "--dataset"),
    ("split", "", "--split"),
    ("batch_size", 0, "--batch_size"),
    ("d_steps", 0, "--d_steps"),
    ("max_steps", -1, "--max_steps"),
    ("g_lr", 0.0, "--g_lr"),
    ("g_lr", NAN, "--g_lr"),
    ("d_lr", -1.0, "--d_lr"),
    ("d_lr", INF, "--d_lr"),
    ("beta1", 1.5, "--beta1"),
    ("beta1", -0.1, "--beta1"),
    ("beta2", 1.0, "--beta2"),
    ("lr_decay", "cosine", "--lr_decay"),
    ("save_every", 0, "--save_every"),
    ("summary_every", 0, "--summary_every"),
    ("image_every", -5, "--image_every"),
    ("steps_per_loop", 0, "--steps_per_loop"),
    ("keep_checkpoints", 0, "--keep_checkpoints"),
    ("seed", -1, "--seed"),
    ("strategy", "horovod", "--strategy"),
    ("tpu", "local", "--tpu=local"),
    ("optimizer", "sgd", "--optimizer"),
    ("fake_labels", "balanced", "--fake_labels"),
    ("init_from", "", "--init_from"),
    ("init_from_continue", True, "--init_from_continue"),
    ("label_fraction", 0.0, "--label_fraction"),
    ("label_fraction", 1.5, "--label_fraction"),
    ("unlabelled_dataset", "", "--unlabelled_dataset"),
    ("bn_inference", "running", "--bn_inference"),
    ("precision", "float64", "--precision"),
    ("jit_compile", True, "--jit_compile"),  # With deterministic below.
    ("ema_decay", 1.0, "--ema_decay"),
    ("ema_decay", NAN, "--ema_decay"),
    ("ema_start", -1, "--ema_start"),
    ("batch_size", "64", "--batch_size must be an integer"),
    ("model", {"architecture": "sagan"}, "--model must be ModelConfig"),
]


@pytest.mark.parametrize("field, value, flag", TRAIN_CASES)
def test_train_config_refuses_a_bad_field(field, value, flag):
  with pytest.raises(InputError, match=flag):
    TrainConfig(**{field: value, "deterministic": field == "jit_compile"})


def test_default_configs_are_valid_and_the_trainer_uses_the_same_names():
  from tfgan_ext.train import trainer
  config = TrainConfig()
  assert TrainConfig.from_dict(json.loads(config.to_json())) == config
  assert set(trainer.OPTIMIZERS) == set(config_lib.OPTIMIZERS)
  assert tuple(trainer.FAKE_LABELS) == config_lib.FAKE_LABELS
  # A TPU with the TPU strategy, init_from_continue with init_from: valid.
  TrainConfig(strategy="tpu", tpu="local")
  TrainConfig(init_from="/runs/a", init_from_continue=True)
  TrainConfig(g_lr=1, beta1=0, ema_decay=0)  # Ints where floats go.


@pytest.mark.parametrize("count, strategy, match", [
    (0, "mirrored", "--cpu_devices=0"), (-2, "default", "--cpu_devices=-2"),
    (True, "mirrored", "--cpu_devices=True"),
    (2, "default", "--strategy=mirrored"), (4, "tpu", "--strategy=mirrored"),
])
def test_cpu_devices_are_checked_with_the_strategy(count, strategy, match):
  from tfgan_ext.train.strategies import check_cpu_devices
  with pytest.raises(InputError, match=match):
    check_cpu_devices(count, strategy)
  for good in ((1, "default"), (2, "mirrored"), (2, "multi_worker")):
    check_cpu_devices(*good)


EVAL_CASES = [
    ("num_samples", 1, "--num_samples"),
    ("num_groups", 0, "--num_groups"),
    ("num_groups", 20_000, "--num_groups"),
    ("reference_samples", -1, "--reference_samples"),
    ("conditioning_samples", -1, "--conditioning_samples"),
    ("per_class_samples", 1, "--per_class_samples"),
    ("class_chunk", 0, "--class_chunk"),
    ("batch_size", 0, "--batch_size"),
    ("seed", -3, "--seed"),
    ("bn_inference", "ema", "--bn_inference"),
    ("reference_split", "", "--reference_split"),
    ("use_ema", "no", "--use_ema"),
]


@pytest.mark.parametrize("field, value, flag", EVAL_CASES)
def test_eval_protocol_refuses_a_bad_field(field, value, flag):
  with pytest.raises(InputError, match=flag):
    evaluation.EvalProtocol(**{field: value})
  with pytest.raises(InputError, match=flag):
    evaluation.preset("train", **{field: value})


@pytest.mark.parametrize("timeout, poll_interval, match", [
    (NAN, 1.0, "--timeout"), (-1.0, 1.0, "--timeout"),
    (10.0, -1.0, "--poll_interval"), (10.0, NAN, "--poll_interval"),
    (None, INF, "--poll_interval"),
])
def test_poll_settings_are_refused_before_anything_is_evaluated(
    timeout, poll_interval, match):
  class NeverCalled:
    model_dir = "/nonexistent"

    def pending(self, step):
      raise AssertionError("nothing may be evaluated")

  with pytest.raises(InputError, match=match):
    evaluation.poll(NeverCalled(), timeout=timeout,
                    poll_interval=poll_interval)


def test_timeout_flag():
  assert evaluation.timeout_from_flag(0.0) is None
  assert evaluation.timeout_from_flag(-5.0) is None
  assert evaluation.timeout_from_flag(INF) is None
  assert evaluation.timeout_from_flag(30) == 30.0
  with pytest.raises(InputError, match="--timeout"):
    evaluation.timeout_from_flag(NAN)


# -------------------------------------------------------------- config.json
def _write_config(model_dir, text):
  os.makedirs(model_dir, exist_ok=True)
  path = os.path.join(model_dir, config_lib.CONFIG_FILE)
  with open(path, "w", encoding="utf8") as f:
    f.write(text)
  return path


@pytest.mark.parametrize("text, match", [
    ('{"batch_size": 64,', "cannot be read as a run config"),
    ("\x00\x01binary", "cannot be read as a run config"),
    ("[1, 2]", "JSON list, not an object"),
    ('{"batch_size": "64"}', "--batch_size must be an integer"),
    ('{"batch_size": 0}', "--batch_size must be >= 1"),
    ('{"learning_rat": 0.1}', r"unknown field\(s\) \['learning_rat'\]"),
    ('{"model": {"z_dim": 0}}', "--z_dim must be >= 1"),
    ('{"model": {"widht": 3}}', r"\['model.widht'\]"),
    ('{"model": [1]}', '"model" must be a JSON object'),
    ('{"objective": {"loss": "hnge"}}', "--loss must be one of"),
])
def test_a_damaged_config_json_names_the_file_and_what_to_do(tmp_path, text,
                                                             match):
  from tfgan_ext import workspace
  model_dir = str(tmp_path / "run")
  path = _write_config(model_dir, text)
  for load in (workspace.load_config,
               lambda d: config_lib.check_resume_compatible(TrainConfig(), d)):
    with pytest.raises(InputError, match=match) as err:
      load(model_dir)
    assert path in str(err.value)
    assert "new --model_dir" in str(err.value)


def test_old_config_json_files_still_load(tmp_path):
  from tfgan_ext import workspace
  # Written before the objective, EMA, precision, ... fields existed, with
  # the attention block at 32 everywhere (now stored as 0 where default).
  old = {"model": {"architecture": "sagan", "image_size": 128,
                   "channels": 3, "num_classes": 10, "z_dim": 128, "gf": 64,
                   "df": 64, "attention_resolution": 32},
         "objective": {"loss": "hinge"}, "dataset": "digits",
         "split": "train", "data_dir": None, "download": False,
         "batch_size": 64, "d_steps": 1, "g_lr": 0.0001, "d_lr": 0.0004,
         "beta1": 0.0, "beta2": 0.999, "lr_decay": "none", "max_steps": 1000,
         "save_every": 500, "summary_every": 50, "image_every": 500,
         "keep_checkpoints": 5, "seed": 0, "strategy": "default",
         "deterministic": False}
  model_dir = str(tmp_path / "old")
  _write_config(model_dir, json.dumps(old))
  config = workspace.load_config(model_dir)
  assert config.model.attention_resolution == 0
  assert (config.ema_decay, config.precision) == (0.0, "float32")
  dcgan = dict(old, model=dict(old["model"], architecture="dcgan",
                               image_size=16))
  _write_config(model_dir, json.dumps(dcgan))
  assert workspace.load_config(model_dir).model.attention_resolution == 0
  with pytest.raises(MissingInputError, match="no config.json"):
    workspace.load_config(str(tmp_path / "empty"))


# ------------------------------------------------------- statistics files
def _save(path, **arrays):
  np.savez(path, **arrays)
  return str(path)


def test_a_negative_definite_covariance_is_refused_not_scored_zero(tmp_path):
  """sigma = -5 I: the Fréchet formula clips the eigenvalues of the product
  and the distance to 0 (a perfect score); it must be refused instead."""
  d = 6
  path = _save(tmp_path / "neg.npz", mu=np.zeros(d), sigma=-5.0 * np.eye(d))
  with pytest.raises(InputError, match=f"{path}.*negative variance"):
    stats_file.load_reference_stats(path, feature_dim=d)
  rng = np.random.default_rng(0)
  acts = rng.standard_normal((50, d))
  mu, sigma = frechet.activation_statistics(acts)
  with pytest.raises(ValueError, match="negative variance"):
    frechet.frechet_distance_from_stats(mu, sigma, np.zeros(d),
                                        -5.0 * np.eye(d))


def test_covariance_checks_against_hand_made_matrices():
  # [[1, 2], [2, 1]] has eigenvalues 3 and -1 but a positive diagonal.
  indefinite = np.array([[1.0, 2.0], [2.0, 1.0]])
  assert "smallest eigenvalue is -1" in frechet.covariance_problem(indefinite)
  assert frechet.covariance_problem(indefinite, eigenvalues=False) is None
  assert "not symmetric" in frechet.covariance_problem(
      np.array([[1.0, 0.5], [0.4, 1.0]]))
  assert "NaN" in frechet.covariance_problem(np.array([[np.nan]]))
  # Singular but PSD (rank 1), and rounding just inside the tolerance.
  v = np.array([[1.0], [2.0], [-1.0]])
  singular = v @ v.T  # Eigenvalues 6, 0, 0.
  assert frechet.covariance_problem(singular) is None
  row_sum = np.abs(singular).sum(axis=1).max()  # 8.
  inside = singular - 0.5e-6 * row_sum * np.eye(3) / 2
  outside = singular - 2e-6 * row_sum * np.eye(3)
  assert frechet.covariance_problem(inside) is None
  assert "not positive semi-definite" in frechet.covariance_problem(outside)


@pytest.mark.parametrize("arrays, match", [
    (dict(mu=np.zeros(4), sigma=np.array([[1.0, 2, 0, 0], [2, 1, 0, 0],
                                          [0, 0, 1, 0], [0, 0, 0, 1]])),
     "not positive semi-definite"),
    (dict(mu=np.zeros(4), sigma=np.eye(4) + np.triu(np.ones((4, 4)), 1)),
     "not symmetric"),
    (dict(mu=np.zeros(4), sigma=np.diag([1.0, np.inf, 1, 1])), "NaN or inf"),
    (dict(mu=np.array([0, np.nan, 0, 0]), sigma=np.eye(4)), "mu holds NaN"),
    (dict(mu=np.zeros(4), sigma=np.eye(3)), r"sigma \(3, 3\)"),
    (dict(mu=np.zeros((2, 2)), sigma=np.eye(2)), "need mu"),
    (dict(mu=np.zeros(4, int), sigma=np.eye(4, dtype=int)), "floating"),
    (dict(mu=np.array([0.0, 1, 2, 3], dtype=object), sigma=np.eye(4)),
     "cannot be read"),
    (dict(mu=np.zeros(4), sigma=np.eye(4), key=np.array("{not json")),
     "'key' entry"),
    (dict(mu=np.zeros(4), sigma=np.eye(4), num_examples=np.float64(2.5)),
     "num_examples"),
])
def test_statistics_files_that_would_give_wrong_numbers_are_refused(
    tmp_path, arrays, match):
  path = str(tmp_path / "stats.npz")
  if any(a.dtype == object for a in arrays.values()):
    np.savez(path, allow_pickle=True, **arrays)
  else:
    _save(path, **arrays)
  with pytest.raises(InputError, match=match) as err:
    stats_file.load_reference_stats(path)
  assert path in str(err.value)


def test_statistics_files_that_are_not_zips_or_truncated_are_refused(tmp_path):
  good = _save(tmp_path / "good.npz", mu=np.zeros(3), sigma=np.eye(3))
  data = open(good, "rb").read()
  cases = {"text.npz": b"mu sigma", "single.npz": None,
           "truncated.npz": data[:len(data) // 2]}
  np.save(tmp_path / "single.npz", np.zeros(3))  # Writes single.npz.npy.
  os.replace(tmp_path / "single.npz.npy", tmp_path / "single.npz")
  for name, content in cases.items():
    path = str(tmp_path / name)
    if content is not None:
      open(path, "wb").write(content)
    with pytest.raises(InputError, match="not a NumPy .npz|cannot be read"):
      stats_file.load_reference_stats(path)
  broken = str(tmp_path / "broken.npz")  # A zip with a corrupt member.
  with zipfile.ZipFile(broken, "w") as z:
    z.writestr("mu.npy", b"\x93NUMPY garbage")
    z.writestr("sigma.npy", b"")
  with pytest.raises(InputError, match="cannot be read"):
    stats_file.load_reference_stats(broken)
  with pytest.raises(InputError, match="is a folder"):
    stats_file.load_reference_stats(str(tmp_path))
  with pytest.raises(MissingInputError, match="does not exist"):
    stats_file.load_reference_stats(str(tmp_path / "none.npz"))


def test_float32_singular_statistics_still_load(tmp_path):
  """TTUR's files are float32; a rank-deficient covariance rounded to
  float32 has eigenvalues a little below 0, within the tolerance."""
  rng = np.random.default_rng(3)
  factor = rng.standard_normal((256, 16))
  sigma = (factor @ factor.T).astype(np.float32)
  assert np.linalg.eigvalsh(sigma.astype(np.float64))[0] < 0  # Rounding.
  path = _save(tmp_path / "ttur.npz", mu=np.zeros(256, np.float32),
               sigma=sigma)
  loaded = stats_file.load_reference_stats(path, feature_dim=256)
  assert loaded.sigma.dtype == np.float64
  assert stats_file.covariance_tolerance(np.float32) == pytest.approx(
      64 * np.finfo(np.float32).eps)


def test_bad_statistics_are_not_written(tmp_path):
  out = str(tmp_path / "s.npz")
  with pytest.raises(InputError, match="not written: sigma has a negative"):
    stats_file.save_reference_stats(out, np.zeros(2), -np.eye(2),
                                    num_examples=2, key={})
  with pytest.raises(InputError, match="is a folder"):
    stats_file.save_reference_stats(str(tmp_path), np.zeros(2), np.eye(2),
                                    num_examples=2, key={})
  assert os.listdir(tmp_path) == []


# ------------------------------------------------- samples and weights
def _generator_with_nan_in_batch(bad_batch: int, batch_size: int):
  calls = []

  def generate(z, labels):
    calls.append(len(calls))
    x = tf.tanh(tf.reshape(tf.tile(z[:, :1], [1, 16]), [-1, 4, 4, 1]))
    if len(calls) - 1 == bad_batch:
      x = tf.tensor_scatter_nd_update(x, [[1, 2, 3, 0]], [math.nan])
    return x
  return generate, calls


def test_non_finite_samples_are_refused_before_any_consumer_sees_them():
  generate, calls = _generator_with_nan_in_batch(1, 4)
  seen = []
  consumers = {"net": lambda x, y: seen.append(int(tf.shape(x)[0])) or {}}
  z = np.zeros((12, 2), np.float32)
  with pytest.raises(evaluation.NonFiniteSamplesError,
                     match=r"1 of the 4 samples 4\.\.7, first sample 5"):
    sampling.stream_outputs(generate, consumers, np.zeros(12, np.int32), z, 4)
  assert seen == [4] and calls == [0, 1]
  assert issubclass(evaluation.NonFiniteSamplesError, InputError)


@pytest.mark.parametrize("fmt, name", [("npz", "s.npz"), ("png", "pngs")])
def test_samples_of_a_diverged_generator_are_not_written(tmp_path, fmt, name):
  generate, _ = _generator_with_nan_in_batch(1, 4)
  spec = sample_files.SampleSpec(num_samples=12, z_dim=2, num_classes=3,
                                 image_shape=(4, 4, 1), batch_size=4)
  with pytest.raises(evaluation.NonFiniteSamplesError):
    sample_files.write_samples(generate, spec, str(tmp_path / name), fmt)
  assert os.listdir(tmp_path) == []  # No temporary, no record, no folder.
  good, _ = _generator_with_nan_in_batch(-1, 4)
  out = sample_files.write_samples(good, spec, str(tmp_path / name), fmt)
  assert sorted(os.listdir(tmp_path)) == (
      ["s.json", "s.npz"] if fmt == "npz" else ["pngs"])
  if fmt == "png":
    assert len(os.listdir(out)) == 12 + 2  # PNGs, labels.csv, samples.json.


def test_check_finite_weights_names_the_bad_variables():
  good = tf.Variable([1.0, 2.0], name="good")
  bad = tf.Variable([[1.0, math.inf]], name="kernel")
  counter = tf.Variable(3, name="step")  # Integers are not checked.
  tensor_utils.check_finite_weights([good, counter], "the generator")
  assert tensor_utils.non_finite_variables([good, bad, counter]) == [
      bad.name]
  with pytest.raises(tensor_utils.NonFiniteWeightsError,
                     match=r"1 of 3 variables of the generator of ckpt-5 "
                           r"hold NaN or infinite values \(kernel"):
    tensor_utils.check_finite_weights([good, bad, counter],
                                      "the generator of ckpt-5")
  assert issubclass(tensor_utils.NonFiniteWeightsError, InputError)
  assert issubclass(tensor_utils.NonFiniteWeightsError, FloatingPointError)


def test_dataclasses_replace_is_checked_too():
  config = TrainConfig()
  with pytest.raises(InputError, match="--g_lr"):
    dataclasses.replace(config, g_lr=-1e-4)
  with pytest.raises(InputError, match="--gf"):
    dataclasses.replace(config.model, gf=0)


def test_check_finite_weights_reads_keras_variables():
  """Keras variables (str dtypes), as every network of the library holds."""
  layer = keras.layers.Dense(2)
  layer.build((None, 3))
  counter = keras.Variable(0, dtype="int64", trainable=False)
  assert tensor_utils.non_finite_variables(layer.variables + [counter]) == []
  layer.kernel.assign(np.full((3, 2), np.nan, np.float32))
  assert tensor_utils.non_finite_variables(layer.variables + [counter]) == [
      layer.kernel.path]


@pytest.mark.parametrize("content", [
    b"\x00\xffnot a checkpoint index {{",       # Not text.
    b"model_checkpoint_path: {{ garbage",        # Not the index format.
    b'all_model_checkpoint_paths: "ckpt-1"\n',  # No newest checkpoint.
])
def test_a_damaged_checkpoint_index_is_an_input_error(tmp_path, content):
  from tfgan_ext import workspace
  (tmp_path / "checkpoint").write_bytes(content)
  with pytest.raises(InputError, match="checkpoint index .* is damaged"):
    workspace.latest_checkpoint(str(tmp_path))
  (tmp_path / "checkpoint").write_bytes(
      b'model_checkpoint_path: "ckpt-1"\n'
      b'all_model_checkpoint_paths: "ckpt-1"\n')
  workspace.check_checkpoint_index(str(tmp_path))  # A readable index.
  os.remove(tmp_path / "checkpoint")
  assert workspace.latest_checkpoint(str(tmp_path)) is None


def test_init_from_a_checkpoint_with_non_finite_weights_is_refused(tmp_path):
  from tfgan_ext.tensor_utils import NonFiniteWeightsError
  from tfgan_ext.train import warm_start
  generator, discriminator = tf.Module(), tf.Module()
  generator.kernel = tf.Variable([[1.0, NAN], [0.0, 1.0]])
  generator.steps = tf.Variable(3)  # Integers are not weights.
  discriminator.kernel = tf.Variable([1.0, INF])
  other = tf.Module()
  other.value = tf.Variable([NAN])  # Not a network: not checked.
  prefix = tf.train.Checkpoint(generator=generator, discriminator=discriminator,
                               g_optimizer=other).write(str(tmp_path / "ckpt-1"))
  bad = warm_start.non_finite_saved_weights(prefix)
  assert [key.split("/")[0] for key in bad] == ["discriminator", "generator"]
  with pytest.raises(NonFiniteWeightsError, match="2 weights of its networks"):
    warm_start.plan(prefix, {})
  discriminator.kernel.assign([1.0, 2.0])
  generator.kernel.assign([[1.0, 2.0], [0.0, 1.0]])
  prefix = tf.train.Checkpoint(generator=generator, discriminator=discriminator,
                               g_optimizer=other).write(str(tmp_path / "ckpt-2"))
  assert warm_start.non_finite_saved_weights(prefix) == []


def test_checkpoints_without_config_json_are_not_resumed(tmp_path):
  from tfgan_ext import workspace
  workspace.check_resume_compatible(TrainConfig(), str(tmp_path))  # Empty.
  (tmp_path / "checkpoint").write_text('model_checkpoint_path: "ckpt-1"\n')
  with pytest.raises(InputError, match="holds checkpoints .* but no "
                     "config.json"):
    workspace.check_resume_compatible(TrainConfig(), str(tmp_path))


def test_results_rows_that_are_not_eval_results_are_refused(tmp_path):
  results = evaluation.ResultsFile(str(tmp_path))
  good = dict(step=5, metric="fid", value=2.5, feature_network="net",
              num_samples=10, reference_split="train")
  with open(results.path, "w") as f:
    f.write(json.dumps(good) + "\n" + '{"step": 5, "metric": "fid", '
            '"value": 1.0, "feature_network": "net", "num_samples": "ten", '
            '"reference_split": "train"}\n')
  with pytest.raises(InputError, match="row 2 is not an eval result"):
    results.rows()
  for bad in ("[1, 2]", '"fid"', json.dumps(dict(good, step="two"))):
    with open(results.path, "w") as f:
      f.write(json.dumps(good) + "\n" + bad + "\n")
    with pytest.raises(InputError, match=r"eval_results.jsonl: row 2"):
      results.done_keys()
  with open(results.path, "w") as f:
    f.write(json.dumps(good) + "\n" + '{"step": 6, "torn')  # A torn line.
  assert results.rows() == [good]
