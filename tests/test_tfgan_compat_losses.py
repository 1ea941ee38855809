"""tfgan_ext.tfgan (TF-GAN's API) against TF-GAN 2.1.0's own outputs.

tests/data/tfgan_golden_losses.npz was written by
scripts/make_tfgan_golden_losses.py with tensorflow-gan 2.1.0 on TensorFlow
2.15 (see that script): seeded inputs, TF-GAN's outputs and summaries per
case. Each ported loss and feature runs here eagerly and inside
`tf.function`, on float32 and (where TF-GAN accepts it) float64 inputs, and
must give TF-GAN's values and dtypes: float32 results within 2e-6 relative
(+ 1e-6 absolute: a few float32 ulps of the summed terms), float64 results
(computed by TF-GAN with float32 weighting) within the same.
tests/data/tfgan_public_names.json holds TF-GAN's public names; every one
must exist in tfgan_ext.tfgan.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import pathlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_ext import tfgan
from tfgan_ext.errors import InputError
from tfgan_ext.errors import UserError
from tfgan_ext.tfgan import NotPortedError

DATA = pathlib.Path(__file__).parent / "data"
GOLDEN = dict(np.load(DATA / "tfgan_golden_losses.npz"))
CASES = json.loads(str(GOLDEN["cases"]))
NAMES = json.loads((DATA / "tfgan_public_names.json").read_text())
RTOL, ATOL = 2e-6, 1e-6
SPECIAL = ("wasserstein_gradient_penalty", "mutual_information_penalty",
           "combine_adversarial_loss")
LOSS_CASES = [c for c in CASES
              if c["fn"] in tfgan.losses.wargs.__all__ and c["fn"] not in SPECIAL]


def _cases(fn: str) -> list[dict]:
  return [c for c in CASES if c["fn"] == fn]


def _input(ref):
  """A case argument: "@name[:dtype]" is an input tensor, else a literal."""
  if isinstance(ref, str) and ref.startswith("@"):
    name, _, dtype = ref[1:].partition(":")
    array = GOLDEN[f"in/{name}"]
    return tf.constant(array.astype(dtype or array.dtype))
  return ref


def _kwargs(case: dict) -> dict:
  return {k: _input(v) for k, v in case["kwargs"].items()}


def _mismatches(case_id: str, got, want, dtype: str | None = None) -> list:
  got = np.asarray(got)
  want = np.asarray(want)
  problems = []
  if dtype is not None and got.dtype != np.dtype(dtype):
    problems.append(f"{case_id}: dtype {got.dtype} != TF-GAN's {dtype}")
  if got.shape != want.shape or not np.allclose(got, want, rtol=RTOL,
                                                atol=ATOL):
    problems.append(f"{case_id}: {got.ravel()[:4]} != TF-GAN's "
                    f"{want.ravel()[:4]}")
  return problems


def _run(fn, mode: str):
  """fn() eagerly, or traced once inside tf.function."""
  if mode == "eager":
    return tf.nest.map_structure(lambda t: t.numpy(), fn())
  return tf.nest.map_structure(lambda t: t.numpy(), tf.function(fn)())


# --- Losses with tensor arguments (wargs) ----------------------------------------


# Eagerly every case; inside tf.function (building a graph costs tens of ms
# a case) each function's default and float64 cases and a few more.
FUNCTION_SUFFIXES = ("/default", "/float64", "/one_sided", "/nchw",
                     "sn_conv/3/True", "sn_mat/False", "regularizer/sn_mat")


def _in_mode(cases: list[dict], mode: str) -> list[dict]:
  if mode == "eager":
    return cases
  return [c for c in cases if c["id"].endswith(FUNCTION_SUFFIXES)]


@pytest.mark.parametrize("mode", ["eager", "function"])
def test_wargs_losses_match_tfgan(mode):
  cases = _in_mode(LOSS_CASES, mode)
  def compute():
    return {c["id"]: getattr(tfgan.losses.wargs, c["fn"])(**_kwargs(c))
            for c in cases}
  outputs = _run(compute, mode)
  problems = []
  for case in cases:
    problems += _mismatches(case["id"], outputs[case["id"]],
                            GOLDEN[f"out/{case['id']}"], case["dtype"])
  assert not problems, "\n".join(problems)
  # Every wargs function with tensor arguments is covered, with float64.
  covered = {c["fn"] for c in cases}
  assert covered == set(tfgan.losses.wargs.__all__) - set(SPECIAL)
  assert {c["fn"] for c in cases if "float64" in c["id"]} == covered


def _tuple_call(case: dict):
  """The case through the namedtuple form `tfgan.losses.<fn>(model, ...)`."""
  kwargs = _kwargs(case)
  fn = case["fn"]
  if fn == "cycle_consistency_loss":
    blank = tfgan.GANModel(*[None] * len(tfgan.GANModel._fields))
    model = tfgan.CycleGANModel(
        model_x2y=blank._replace(generator_inputs=kwargs.pop("data_x")),
        model_y2x=blank._replace(generator_inputs=kwargs.pop("data_y")),
        reconstructed_x=kwargs.pop("reconstructed_data_x"),
        reconstructed_y=kwargs.pop("reconstructed_data_y"))
    return getattr(tfgan.losses, fn)(model, **kwargs)
  tuple_type = tfgan.ACGANModel if fn.startswith("acgan") else tfgan.GANModel
  fields = {k: kwargs.pop(k) for k in list(kwargs) if k in tuple_type._fields}
  model = tuple_type(**{f: fields.get(f) for f in tuple_type._fields})
  return getattr(tfgan.losses, fn)(model, **kwargs)


def test_gan_model_forms_match_tfgan():
  problems = []
  for case in LOSS_CASES:
    problems += _mismatches(case["id"], _tuple_call(case).numpy(),
                            GOLDEN[f"out/{case['id']}"], case["dtype"])
  assert not problems, "\n".join(problems)


def test_several_functions_in_one_trace():
  by_id = {c["id"]: c for c in CASES}
  ids = ["minimax_discriminator_loss/weights",
         "acgan_discriminator_loss/smoothing",
         "least_squares_generator_loss/float64",
         "wasserstein_gradient_penalty/one_sided"]

  @tf.function
  def compute():
    out = {i: getattr(tfgan.losses.wargs, by_id[i]["fn"])(
        **_kwargs(by_id[i])) for i in ids[:-1]}
    out[ids[-1]] = _penalty(by_id[ids[-1]]["kwargs"])
    out["group_norm/nchw"] = tfgan.features.group_norm(
        _norm_input(by_id["group_norm/nchw"]),
        **_norm_kwargs(by_id["group_norm/nchw"]["kwargs"]))
    return out
  problems = []
  for case_id, got in compute().items():
    problems += _mismatches(case_id, got.numpy(), GOLDEN[f"out/{case_id}"],
                            by_id[case_id]["dtype"])
  assert not problems, "\n".join(problems)


def test_gan_model_form_argument_rules():
  model = tfgan.GANModel(*[None] * len(tfgan.GANModel._fields))._replace(
      discriminator_gen_outputs=tf.constant([1.0, -2.0]))
  # A field passed as a keyword too is ambiguous.
  with pytest.raises(InputError, match="discriminator_gen_outputs"):
    tfgan.losses.wasserstein_generator_loss(
        model, discriminator_gen_outputs=tf.constant([0.0]))
  # A required argument that is no field of the tuple must be a keyword.
  with pytest.raises(InputError, match="'one_hot_labels'"):
    tfgan.losses.acgan_generator_loss(model)
  # Optional arguments come from keywords, None meaning the default.
  loss = tfgan.losses.wasserstein_generator_loss(
      model, weights=tf.constant([1.0, 0.0]), reduction=None)
  np.testing.assert_allclose(loss.numpy(), -1.0)


def test_summaries_are_tfgan_scalars(tmp_path):
  cases = [c for c in CASES if c["summaries"]]
  assert {c["fn"] for c in cases} == set(tfgan.losses.wargs.__all__) - {
      "relativistic_discriminator_loss", "relativistic_generator_loss"}
  writer = tf.summary.create_file_writer(str(tmp_path))
  for step, case in enumerate(cases):
    with writer.as_default(step=step):
      if case["fn"] == "wasserstein_gradient_penalty":
        _penalty(case["kwargs"])
      elif case["fn"] == "mutual_information_penalty":
        _mutual_information(case["kwargs"])
      elif case["fn"] == "combine_adversarial_loss":
        _combine(case["kwargs"], tape_mode=True)
      else:
        getattr(tfgan.losses.wargs, case["fn"])(**_kwargs(case))
  writer.close()
  written = {}
  for path in tmp_path.iterdir():
    for event in tf.compat.v1.train.summary_iterator(str(path)):
      for value in event.summary.value:
        written.setdefault(event.step, {})[value.tag.split("/")[-1]] = float(
            tf.make_ndarray(value.tensor))
  problems = []
  for step, case in enumerate(cases):
    # TF 1 made graph-unique summary names ("..._1"); the tag is the name.
    want = {name.rsplit("_1", 1)[0] if name.endswith("_1") else name: value
            for name, value in case["summaries"].items()}
    got = written.get(step, {})
    if sorted(got) != sorted(want) or not np.allclose(
        [got[k] for k in sorted(got)], [want[k] for k in sorted(want)],
        rtol=RTOL, atol=ATOL):
      problems.append(f"{case['id']}: {got} != TF-GAN's {want}")
  assert not problems, "\n".join(problems)


def test_summaries_without_writer_are_no_ops():
  loss = tfgan.losses.wargs.modified_generator_loss(
      tf.constant([0.5, -1.0]), add_summaries=True)
  np.testing.assert_allclose(loss.numpy(), np.mean(np.log1p(np.exp(
      -np.array([0.5, -1.0])))), rtol=1e-6)


def test_weights_must_broadcast_and_reduction_must_be_known():
  with pytest.raises(InputError, match="weights"):
    tfgan.losses.wargs.wasserstein_generator_loss(
        tf.zeros([4, 3]), weights=tf.ones([3]))
  with pytest.raises(InputError, match="weighted_sum_by_nonzero_weights"):
    tfgan.losses.wargs.wasserstein_generator_loss(tf.zeros([4]),
                                                  reduction="mean")


# --- Gradient penalty, mutual information, combine_adversarial_loss -----------


def _penalty_discriminator(data, generator_inputs):
  del generator_inputs
  return tf.reduce_sum(data * GOLDEN["in/gp_w"], axis=[1, 2, 3])


def _penalty(kwargs, form="wargs"):
  kwargs = {k: _input(v) for k, v in kwargs.items()}
  real, fake = _input("@gp_real"), _input("@gp_gen")
  if form == "wargs":
    return tfgan.losses.wargs.wasserstein_gradient_penalty(
        real, fake, None, _penalty_discriminator, "discriminator", **kwargs)
  model = tfgan.GANModel(*[None] * len(tfgan.GANModel._fields))._replace(
      real_data=real, generated_data=fake,
      discriminator_fn=lambda x, g: (_penalty_discriminator(x, g), "aux"))
  return tfgan.losses.wasserstein_gradient_penalty(model, **kwargs)


@pytest.mark.parametrize("mode", ["eager", "function"])
def test_wasserstein_gradient_penalty_matches_tfgan(mode):
  cases = _cases("wasserstein_gradient_penalty")
  assert len(cases) == 8
  cases = _in_mode(cases, mode)
  outputs = _run(lambda: {c["id"]: (_penalty(c["kwargs"]),
                                    _penalty(c["kwargs"], "tuple"))
                          for c in cases}, mode)
  problems = []
  for case in cases:
    for got in outputs[case["id"]]:  # wargs, and tuple form with ACGAN's D
      problems += _mismatches(case["id"], got, GOLDEN[f"out/{case['id']}"],
                              case["dtype"])
  assert not problems, "\n".join(problems)


class _Normal:
  """A duck-typed distribution: the normal log-density in closed form."""

  def __init__(self, loc, scale):
    self.loc, self.scale = loc, scale

  def log_prob(self, x):
    z = (x - self.loc) / self.scale
    return -0.5 * z * z - tf.math.log(self.scale) - 0.5 * np.log(2 * np.pi)


class _Categorical:
  def __init__(self, logits):
    self.logits = logits

  def log_prob(self, k):
    return tf.gather(tf.nn.log_softmax(self.logits), k, batch_dims=1)


def _mi_inputs():
  noise = [_input("@mi_cont"), _input("@mi_cat")]
  dists = [_Normal(_input("@mi_loc"), _input("@mi_scale")),
           _Categorical(_input("@mi_logits"))]
  return noise, dists


def _mutual_information(kwargs):
  return tfgan.losses.wargs.mutual_information_penalty(*_mi_inputs(),
                                                       **kwargs)


@pytest.mark.parametrize("mode", ["eager", "function"])
def test_mutual_information_penalty_matches_tfgan(mode):
  cases = _cases("mutual_information_penalty")
  noise, dists = _mi_inputs()
  def compute():
    out = {}
    for case in cases:
      out[case["id"]] = tfgan.losses.wargs.mutual_information_penalty(
          noise, dists, **case["kwargs"])
      model = tfgan.InfoGANModel(
          *[None] * len(tfgan.InfoGANModel._fields))._replace(
              structured_generator_inputs=noise, predicted_distributions=dists)
      out[case["id"] + "/tuple"] = tfgan.losses.mutual_information_penalty(
          model, **case["kwargs"])
    return out
  outputs = _run(compute, mode)
  problems = []
  for case in cases:
    for suffix in ("", "/tuple"):
      problems += _mismatches(case["id"] + suffix,
                              outputs[case["id"] + suffix],
                              GOLDEN[f"out/{case['id']}"], case["dtype"])
  assert not problems, "\n".join(problems)
  with pytest.raises(InputError, match="match"):
    tfgan.losses.wargs.mutual_information_penalty(noise[:1], dists)


def _combine_losses(v1, v2):
  """The losses of the golden script's `combine_losses`."""
  xv = tf.linalg.matvec(_input("@ca_x"), v1)
  main = tf.square(xv + tf.reduce_sum(v2))
  adversarial = tf.sin(xv) * v2[0, 1] + 3.0
  return main, adversarial


def _combine(kwargs, tape_mode: bool):
  kwargs = dict(kwargs)
  v1 = tf.Variable(GOLDEN["in/ca_v1"])
  v2 = tf.Variable(GOLDEN["in/ca_v2"])
  with tf.GradientTape(persistent=True) as tape:
    main, adversarial = _combine_losses(v1, v2)
    if kwargs.pop("main_rank2", False):
      main = tf.stack([main, 2.0 * main], axis=1)
  return tfgan.losses.wargs.combine_adversarial_loss(
      main, adversarial, variables=[v1, v2],
      tape=tape if tape_mode else None, **kwargs)


def test_combine_adversarial_loss_matches_tfgan():
  cases = _cases("combine_adversarial_loss")
  assert len(cases) == 5
  problems = []
  for case in cases:
    want = GOLDEN[f"out/{case['id']}"]
    # Eagerly with the tape that recorded the losses.
    problems += _mismatches(case["id"] + "/tape",
                            _combine(case["kwargs"], True), want)
  # Inside tf.function, with tf.gradients as TF-GAN (variables made once).
  v1 = tf.Variable(GOLDEN["in/ca_v1"])
  v2 = tf.Variable(GOLDEN["in/ca_v2"])

  @tf.function
  def in_graph(kwargs):
    main, adversarial = _combine_losses(v1, v2)
    if kwargs.pop("main_rank2", False):
      main = tf.stack([main, 2.0 * main], axis=1)
    return tfgan.losses.wargs.combine_adversarial_loss(
        main, adversarial, variables=[v1, v2], **kwargs)
  for case in cases[2:3]:  # gradient_ratio
    problems += _mismatches(case["id"] + "/function",
                            in_graph(dict(case["kwargs"])),
                            GOLDEN[f"out/{case['id']}"])
  assert not problems, "\n".join(problems)
  # Eagerly without a tape: a fixed weight works, a gradient ratio cannot.
  np.testing.assert_allclose(
      _combine({"weight_factor": 0.5}, False).numpy(),
      GOLDEN["out/combine_adversarial_loss/weight_factor"], rtol=RTOL)
  with pytest.raises(InputError, match="tape"):
    _combine({"gradient_ratio": 2.0}, False)
  with pytest.raises(InputError, match="not both"):
    tfgan.losses.wargs.combine_adversarial_loss(1.0, 1.0, 1.0, 1.0)


def test_combine_adversarial_loss_gan_model_form():
  v1 = tf.Variable(GOLDEN["in/ca_v1"])
  v2 = tf.Variable(GOLDEN["in/ca_v2"])
  with tf.GradientTape(persistent=True) as tape:
    main, adversarial = _combine_losses(v1, v2)
  model = tfgan.GANModel(*[None] * len(tfgan.GANModel._fields))._replace(
      generator_variables=[v1, v2])
  gan_loss = tfgan.GANLoss(generator_loss=adversarial,
                           discriminator_loss=tf.constant(7.0))
  combined = tfgan.losses.combine_adversarial_loss(
      gan_loss, model, main, gradient_ratio=2.0, tape=tape)
  np.testing.assert_allclose(
      combined.generator_loss.numpy(),
      GOLDEN["out/combine_adversarial_loss/gradient_ratio"], rtol=RTOL)
  assert float(combined.discriminator_loss) == 7.0


# --- Features ------------------------------------------------------------------


def _spectral(case, mode):
  kw = case["kwargs"]
  w = _input("@" + kw["w"])
  u = tf.Variable(GOLDEN[f"in/{kw['w']}_u"])
  fn = case["fn"]
  def compute():
    if fn == "compute_spectral_norm":
      sigma = tfgan.features.compute_spectral_norm(
          w, kw["power_iteration_rounds"], kw["training"], u_variable=u)
      return [sigma]
    if fn == "spectral_normalize":
      return tfgan.features.spectral_normalize(
          w, kw["power_iteration_rounds"], kw["equality_constrained"],
          u_variable=u)
    regularizer = tfgan.features.spectral_norm_regularizer(
        kw["scale"], kw["power_iteration_rounds"])
    return regularizer(w, u_variable=u)
  out = _run(compute, mode)
  if fn == "compute_spectral_norm":
    return [out[0], u.numpy()]
  return out


@pytest.mark.parametrize("mode", ["eager", "function"])
def test_spectral_norm_functions_match_tfgan(mode):
  cases = [c for c in CASES if c["fn"] in (
      "compute_spectral_norm", "spectral_normalize",
      "spectral_norm_regularizer")]
  assert len(cases) == 14
  cases = _in_mode(cases, mode)
  problems = []
  for case in cases:
    got = _spectral(case, mode)
    if case["fn"] == "compute_spectral_norm":
      for i, part in enumerate(got):  # sigma, and u after the call
        problems += _mismatches(f"{case['id']}/{i}", part,
                                GOLDEN[f"out/{case['id']}/{i}"])
    else:
      problems += _mismatches(case["id"], got, GOLDEN[f"out/{case['id']}"],
                              case["dtype"])
  assert not problems, "\n".join(problems)


def test_spectral_norm_of_a_variable_keeps_its_own_state():
  matrix = np.random.default_rng(3).normal(size=(5, 3)).astype(np.float32)
  w = tf.Variable(matrix)
  for _ in range(30):
    sigma = tfgan.features.compute_spectral_norm(w)
  np.testing.assert_allclose(sigma.numpy(),
                             np.linalg.svd(matrix, compute_uv=False)[0],
                             rtol=1e-5)
  normalized = tf.function(tfgan.features.spectral_normalize)(w)
  np.testing.assert_allclose(np.linalg.svd(normalized.numpy(),
                                           compute_uv=False)[0], 1.0,
                             rtol=1e-5)
  with pytest.raises(InputError, match="u_variable"):
    tfgan.features.compute_spectral_norm(tf.constant(matrix))
  with pytest.raises(InputError, match="integer"):
    tfgan.features.spectral_norm_regularizer(1)
  assert tfgan.features.spectral_norm_regularizer(0.0)(w) is None


def _norm_kwargs(kwargs):
  out = dict(kwargs)
  if out.get("param_initializers") == "@norm_params":
    out["param_initializers"] = {
        "gamma": tf.constant_initializer(GOLDEN["in/norm_gamma"]),
        "beta": tf.constant_initializer(GOLDEN["in/norm_beta"])}
  if out.get("activation_fn") == "relu":
    out["activation_fn"] = tf.nn.relu
  return out


def _norm_input(case):
  x = GOLDEN["in/norm_x"].astype(case["dtype"])
  if case["id"].endswith("nchw"):
    x = np.transpose(x, (0, 3, 1, 2))
  return tf.constant(x)


@pytest.mark.parametrize("mode", ["eager", "function"])
def test_normalization_functions_match_tfgan(mode):
  cases = [c for c in CASES if c["fn"] in ("instance_norm", "group_norm")]
  assert len(cases) == 12
  cases = _in_mode(cases, mode)
  outputs = _run(lambda: {
      c["id"]: getattr(tfgan.features, c["fn"])(
          _norm_input(c), **_norm_kwargs(c["kwargs"])) for c in cases}, mode)
  problems = []
  for case in cases:
    problems += _mismatches(case["id"], outputs[case["id"]],
                            GOLDEN[f"out/{case['id']}"], case["dtype"])
  assert not problems, "\n".join(problems)
  # Explicit parameters equal the same initial values.
  gamma, beta = GOLDEN["in/norm_gamma"], GOLDEN["in/norm_beta"]
  np.testing.assert_allclose(
      tfgan.features.group_norm(_input("@norm_x"), groups=4, epsilon=0.1,
                                gamma=gamma, beta=beta).numpy(),
      GOLDEN["out/group_norm/params"], rtol=RTOL, atol=ATOL)
  with pytest.raises(InputError, match="commensurate"):
    tfgan.features.group_norm(_input("@norm_x"), groups=3)


def _vbn(case):
  kw = dict(case["kwargs"])
  ref, x = GOLDEN[f"in/{kw.pop('ref')}"], GOLDEN[f"in/{kw.pop('x')}"]
  if kw.pop("nchw", False):
    ref, x = np.transpose(ref, (0, 3, 1, 2)), np.transpose(x, (0, 3, 1, 2))
  if kw.pop("params", False):
    kw["gamma_initializer"] = tf.constant_initializer(GOLDEN["in/norm_gamma"])
    kw["beta_initializer"] = tf.constant_initializer(GOLDEN["in/norm_beta"])
  vbn = tfgan.features.VBN(tf.constant(ref), **kw)
  return vbn, tf.constant(x)


@pytest.mark.parametrize("mode", ["eager", "function"])
def test_vbn_matches_tfgan(mode):
  cases = _cases("VBN")
  assert len(cases) == 4
  problems = []
  for case in cases:
    vbn, x = _vbn(case)
    got = _run(lambda: [vbn(x), vbn.reference_batch_normalization()], mode)
    for i, part in enumerate(got):
      problems += _mismatches(f"{case['id']}/{i}", part,
                              GOLDEN[f"out/{case['id']}/{i}"])
  assert not problems, "\n".join(problems)
  vbn, _ = _vbn(cases[0])
  assert len(vbn.trainable_variables) == 2


@pytest.mark.parametrize("mode", ["eager", "function"])
def test_conditioning_matches_tfgan(mode):
  plain = tfgan.features.ConditionTensor()
  onehot = tfgan.features.ConditionTensorFromOnehot(embedding_size=6)
  tensor = _input("@ct_tensor")
  plain(tensor, _input("@ct_cond"))
  onehot(tensor, _input("@ct_onehot"))
  plain.kernel.assign(GOLDEN["in/ct_kernel"])
  plain.bias.assign(GOLDEN["in/ct_bias"])
  onehot.embedding.assign(GOLDEN["in/ct_embedding"])
  onehot.projection.kernel.assign(GOLDEN["in/ct_kernel_oh"])
  onehot.projection.bias.assign(GOLDEN["in/ct_bias_oh"])
  got = _run(lambda: [
      tfgan.features.condition_tensor(tensor, _input("@ct_cond"),
                                      layer=plain),
      tfgan.features.condition_tensor_from_onehot(
          tensor, _input("@ct_onehot"), 6, layer=onehot)], mode)
  problems = _mismatches("condition_tensor", got[0],
                         GOLDEN["out/condition_tensor/default"])
  problems += _mismatches("condition_tensor_from_onehot", got[1],
                          GOLDEN["out/condition_tensor_from_onehot/default"])
  assert not problems, "\n".join(problems)
  with pytest.raises(InputError, match="layer="):
    tfgan.features.condition_tensor(tensor, _input("@ct_cond"))


@pytest.mark.parametrize("mode", ["eager", "function"])
def test_tensor_pool_follows_tfgan_semantics(mode):
  pool = tfgan.features.TensorPool(pool_size=3, seed=1)
  step = (tfgan.features.tensor_pool if mode == "eager"
          else tf.function(tfgan.features.tensor_pool))
  # Filling: each input is stored and returned.
  for i in range(3):
    out = step({"x": tf.fill([2], float(i))}, 3, tf.constant(0.5),
               pool=pool)
    np.testing.assert_array_equal(out["x"].numpy(), [i, i])
  # Full, probability 1: a stored value comes out and the input goes in.
  seen = []
  for i in range(3, 9):
    seen.append(float(step({"x": tf.fill([2], float(i))}, 3,
                           tf.constant(1.0), pool=pool)["x"][0]))
  assert all(v < i for v, i in zip(seen, range(3, 9)))
  assert set(seen[:3]) <= {0.0, 1.0, 2.0} | set(range(3, 6))
  # Probability 0: the input comes back.
  out = step({"x": tf.fill([2], 99.0)}, 3, tf.constant(0.0), pool=pool)
  np.testing.assert_array_equal(out["x"].numpy(), [99.0, 99.0])
  assert int(pool.size) == 3
  x = tf.ones([2])
  assert tfgan.features.tensor_pool(x, pool_size=0) is x
  with pytest.raises(InputError, match="pool="):
    tfgan.features.tensor_pool(x)


def test_clip_variables_clips_after_the_update():
  var = tf.Variable([0.5, -0.2, 0.05])
  other = tf.Variable([3.0])
  opt = tfgan.features.clip_variables(keras.optimizers.SGD(1.0), [var], 0.1)
  opt.apply_gradients([(tf.constant([0.0, 0.5, 0.02]), var),
                       (tf.constant([-1.0]), other)])
  np.testing.assert_allclose(var.numpy(), [0.1, -0.1, 0.03], rtol=1e-6)
  np.testing.assert_allclose(other.numpy(), [4.0])  # not clipped
  assert opt.learning_rate is not None  # other attributes forwarded
  with pytest.raises(InputError, match="positive"):
    tfgan.features.clip_variables(keras.optimizers.SGD(), [var], -1.0)


# --- Public names and the stand-ins for what is not ported -----------------------

MODULES = {
    "tensorflow_gan": "tfgan_ext.tfgan",
    "tensorflow_gan.losses": "tfgan_ext.tfgan.losses",
    "tensorflow_gan.losses.wargs": "tfgan_ext.tfgan.losses.wargs",
    "tensorflow_gan.eval": "tfgan_ext.tfgan.eval",
    "tensorflow_gan.features": "tfgan_ext.tfgan.features",
    "tensorflow_gan.estimator": "tfgan_ext.tfgan.estimator",
    "tensorflow_gan.tpu": "tfgan_ext.tfgan.tpu",
}


@pytest.mark.parametrize("tfgan_module", sorted(MODULES))
def test_every_tfgan_public_name_exists(tfgan_module):
  ours = MODULES[tfgan_module]
  if importlib.util.find_spec(ours) is None:
    pytest.skip(f"{ours} is not in this tree yet")
  module = importlib.import_module(ours)
  names = NAMES[tfgan_module]
  if importlib.util.find_spec("tfgan_ext.tfgan.eval") is None:
    names = [n for n in names if n != "eval"]  # not in this tree yet
  missing = [n for n in names if not hasattr(module, n)]
  assert not missing, f"{ours} lacks TF-GAN's {missing}"
  if tfgan_module == "tensorflow_gan.eval":
    assert tfgan.eval is module
  else:
    assert set(NAMES[tfgan_module]) <= set(module.__all__)


STUBS = {
    "gan_model": "tfgan_ext.GAN", "infogan_model": "tfgan_ext.GAN",
    "acgan_model": "aux='acgan'", "cyclegan_model": "tfgan_ext.GAN",
    "stargan_model": "tfgan_ext.GAN", "gan_loss": "GAN(loss=",
    "cyclegan_loss": "GAN(loss=", "stargan_loss": "GAN(loss=",
    "gan_train_ops": "tfgan-ext-train", "gan_train": "tfgan-ext-train",
    "get_sequential_train_hooks": "d_steps=N",
    "get_joint_train_hooks": "d_steps=1",
    "get_sequential_train_steps": "d_steps=N",
    "RunTrainOpsHook": "tfgan_ext.Trainer",
    "estimator.GANEstimator": "tf.estimator",
    "estimator.TPUGANEstimator": "TPUStrategy",
    "estimator.StarGANEstimator": "tfgan_ext.GAN",
    "estimator.get_latent_gan_estimator": "GradientTape",
    "estimator.stargan_prediction_input_fn_wrapper": "generator",
    "tpu.batch_norm": "tfgan_ext.nn.normalization.BatchNorm",
    "tpu.standardize_batch": "tfgan_ext.nn.normalization.BatchNorm",
    "features.spectral_normalization_custom_getter": "SNConv2D",
}


@pytest.mark.parametrize("name", sorted(STUBS))
def test_unported_names_raise_with_the_replacement(name):
  obj = tfgan
  for part in name.split("."):
    obj = getattr(obj, part)
  with pytest.raises(NotPortedError) as raised:
    obj("anything", keyword=1)
  message = str(raised.value)
  assert f"tfgan.{name} is not available" in message
  assert STUBS[name] in message
  assert "docs/migrating-from-tf-gan.md" in message
  assert isinstance(raised.value, NotImplementedError)
  assert isinstance(raised.value, UserError)


def test_summary_type_and_namedtuples_as_tfgan():
  assert [(m.name, m.value) for m in tfgan.estimator.SummaryType] == [
      ("NONE", 0), ("VARIABLES", 1), ("IMAGES", 2), ("IMAGE_COMPARISON", 3)]
  assert tfgan.GANTrainOps(1, 2, 3).train_hooks == ()
  assert tfgan.ACGANModel._fields[-3:] == (
      "one_hot_labels", "discriminator_real_classification_logits",
      "discriminator_gen_classification_logits")
  assert len(tfgan.StarGANModel._fields) == 15
