"""One-off: TF-GAN 2.1.0's own outputs for every loss and feature that
`tfgan_ext.tfgan` ports, and TF-GAN's public names.

Not part of the project's environment or test suite (`tensorflow-gan` is no
project dependency and does not import on TensorFlow >= 2.16). Run it in a
separate venv with TensorFlow 2.15:

  python3 -m venv /tmp/tfgan_ref_venv
  /tmp/tfgan_ref_venv/bin/pip install "tensorflow==2.15.*" "tf-keras==2.15.*" \
      "tensorflow-probability==0.23.*" "tensorflow-gan==2.1.0" "numpy<2" scipy
  /tmp/tfgan_ref_venv/bin/python scripts/make_tfgan_golden_losses.py \
      --out=tests/data/tfgan_golden_losses.npz \
      --names_out=tests/data/tfgan_public_names.json

Every TF-GAN call runs in a TF 1 graph and session (as TF-GAN was written;
several of its functions refuse eager mode), each case in a fresh graph.
Inputs are seeded NumPy arrays stored in the .npz under `in/<name>`; outputs
under `out/<case>`. The JSON string `cases` lists, per case, the function,
its keyword arguments (a string "@name" is the input `in/<name>`,
"@name:float64" the same array cast to float64), the output dtype and, for
`add_summaries=True`, the scalar summaries TF-GAN wrote ({last tag component:
value}). Cases that need more than tensors (gradient penalty, mutual
information, combine_adversarial_loss, the features) are built by hand
below; `tests/test_tfgan_compat_losses.py` rebuilds the same set-ups.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import tensorflow as tf
import tensorflow_gan as tfgan
import tensorflow_probability as tfp

tf1 = tf.compat.v1
REDUCTIONS = ("none", "weighted_sum", "weighted_mean",
              "weighted_sum_over_batch_size",
              "weighted_sum_by_nonzero_weights")


def make_inputs() -> dict[str, np.ndarray]:
  rng = np.random.default_rng(20210)
  f32 = lambda a: np.asarray(a, np.float32)
  ins = {
      "d_real": f32(rng.normal(0.0, 2.0, (4, 3))),
      "d_gen": f32(rng.normal(0.0, 2.0, (4, 3))),
      "w_col": f32([[1.0], [0.0], [2.0], [0.5]]),
      "w_full": f32(rng.uniform(0.0, 2.0, (4, 3)) * (rng.uniform(size=(4, 3))
                                                    > 0.3)),
      "w_b": f32([1.0, 0.0, 2.0, 0.5]),
      "cls_real": f32(rng.normal(0.0, 2.0, (4, 5))),
      "cls_gen": f32(rng.normal(0.0, 2.0, (4, 5))),
      "one_hot": f32(np.eye(5)[[0, 3, 3, 1]]),
      "x": f32(rng.uniform(-1, 1, (2, 4, 4, 3))),
      "rx": f32(rng.uniform(-1, 1, (2, 4, 4, 3))),
      "y": f32(rng.uniform(-1, 1, (2, 4, 4, 3))),
      "ry": f32(rng.uniform(-1, 1, (2, 4, 4, 3))),
  }
  ins["d_real1"] = ins["d_real"][:, 0].copy()
  ins["d_gen1"] = ins["d_gen"][:, 0].copy()
  # Gradient penalty: D(x) = sum(x * gp_w) per sample, so the input gradient
  # of sample i is gp_w[i] whatever the (random) interpolation point; row
  # norms straddle 1 so that `one_sided` and `target` matter.
  gp_w = rng.normal(size=(4, 2, 2, 3))
  gp_w /= np.linalg.norm(gp_w.reshape(4, -1), axis=1)[:, None, None, None]
  ins["gp_w"] = f32(gp_w * np.array([0.5, 0.9, 1.3, 2.0])[:, None, None, None])
  ins["gp_real"] = f32(rng.normal(size=(4, 2, 2, 3)))
  ins["gp_gen"] = f32(rng.normal(size=(4, 2, 2, 3)))
  # Mutual information: a Normal and a Categorical predicted distribution.
  ins["mi_cont"] = f32(rng.normal(size=(6, 2)))
  ins["mi_loc"] = f32(rng.normal(size=(6, 2)))
  ins["mi_scale"] = f32(rng.uniform(0.5, 2.0, (6, 2)))
  ins["mi_cat"] = rng.integers(0, 4, 6).astype(np.int32)
  ins["mi_logits"] = f32(rng.normal(size=(6, 4)))
  # combine_adversarial_loss: losses of two variables (see combine_losses).
  ins["ca_v1"] = f32(rng.normal(size=(3,)))
  ins["ca_v2"] = f32(rng.normal(size=(2, 2)))
  ins["ca_x"] = f32(rng.normal(size=(5, 3)))
  # Features.
  ins["sn_conv"] = f32(rng.normal(size=(3, 3, 4, 5)))
  ins["sn_conv_u"] = f32(rng.normal(size=(36, 1)))
  ins["sn_mat"] = f32(rng.normal(0.0, 0.05, (6, 4)))
  ins["sn_mat_u"] = f32(rng.normal(size=(6, 1)))
  ins["ct_tensor"] = f32(rng.normal(size=(3, 2, 2, 2)))
  ins["ct_cond"] = f32(rng.normal(size=(3, 5)))
  ins["ct_kernel"] = f32(rng.normal(0.0, 0.3, (5, 8)))
  ins["ct_bias"] = f32(rng.normal(0.0, 0.3, (8,)))
  ins["ct_onehot"] = f32(np.eye(4)[[2, 0, 3]])
  ins["ct_embedding"] = f32(rng.normal(size=(4, 6)))
  ins["ct_kernel_oh"] = f32(rng.normal(0.0, 0.3, (6, 8)))
  ins["ct_bias_oh"] = f32(rng.normal(0.0, 0.3, (8,)))
  ins["norm_x"] = f32(rng.normal(1.0, 3.0, (2, 3, 3, 4)))
  ins["norm_gamma"] = f32(rng.uniform(0.5, 1.5, (4,)))
  ins["norm_beta"] = f32(rng.normal(size=(4,)))
  ins["vbn_ref"] = f32(rng.normal(0.5, 2.0, (6, 3, 3, 4)))
  ins["vbn_x"] = f32(rng.normal(-0.5, 1.0, (2, 3, 3, 4)))
  ins["vbn_ref2"] = f32(rng.normal(0.5, 2.0, (6, 4)))
  ins["vbn_x2"] = f32(rng.normal(-0.5, 1.0, (3, 4)))
  return ins


def loss_cases() -> list[dict]:
  """(case id, wargs function name, kwargs) for the tensor-only losses."""
  cases = []

  def add(case_id, fn, **kwargs):
    cases.append({"id": case_id, "fn": fn, "kwargs": kwargs})

  pair = {"discriminator_real_outputs": "@d_real",
          "discriminator_gen_outputs": "@d_gen"}
  pair64 = {"discriminator_real_outputs": "@d_real:float64",
            "discriminator_gen_outputs": "@d_gen:float64"}
  pair1 = {"discriminator_real_outputs": "@d_real1",
           "discriminator_gen_outputs": "@d_gen1"}
  d_losses = ("wasserstein_discriminator_loss",
              "wasserstein_hinge_discriminator_loss",
              "least_squares_discriminator_loss",
              "minimax_discriminator_loss", "modified_discriminator_loss")
  for fn in d_losses:
    add(f"{fn}/default", fn, **pair)
    add(f"{fn}/rank1", fn, **pair1)
    add(f"{fn}/float64", fn, **pair64)
    add(f"{fn}/weights", fn, real_weights="@w_col", generated_weights=0.5,
        **pair)
    add(f"{fn}/zero_weights", fn, real_weights=0.0, generated_weights=0.0,
        **pair)
    for reduction in REDUCTIONS:
      add(f"{fn}/{reduction}", fn, real_weights="@w_full",
          generated_weights="@w_col", reduction=reduction, **pair)
    add(f"{fn}/summaries", fn, add_summaries=True, **pair)
  add("wasserstein_hinge_discriminator_loss/hinges",
      "wasserstein_hinge_discriminator_loss", real_hinge=0.5,
      generated_hinge=2.0, **pair)
  add("least_squares_discriminator_loss/labels",
      "least_squares_discriminator_loss", real_label=0.8, fake_label=-0.3,
      **pair)
  for fn in ("minimax_discriminator_loss", "modified_discriminator_loss"):
    add(f"{fn}/no_smoothing", fn, label_smoothing=0.0, **pair)
    add(f"{fn}/smoothing_0.6", fn, label_smoothing=0.6,
        real_weights="@w_col", **pair)

  gen = {"discriminator_gen_outputs": "@d_gen"}
  g_losses = ("wasserstein_generator_loss", "wasserstein_hinge_generator_loss",
              "least_squares_generator_loss", "minimax_generator_loss",
              "modified_generator_loss")
  for fn in g_losses:
    add(f"{fn}/default", fn, **gen)
    add(f"{fn}/rank1", fn, discriminator_gen_outputs="@d_gen1")
    add(f"{fn}/float64", fn, discriminator_gen_outputs="@d_gen:float64")
    add(f"{fn}/weights", fn, weights="@w_col", **gen)
    for reduction in REDUCTIONS:
      add(f"{fn}/{reduction}", fn, weights="@w_full", reduction=reduction,
          **gen)
    add(f"{fn}/summaries", fn, add_summaries=True, **gen)
  add("least_squares_generator_loss/label", "least_squares_generator_loss",
      real_label=0.9, **gen)
  for fn in ("minimax_generator_loss", "modified_generator_loss"):
    add(f"{fn}/smoothing_0.2", fn, label_smoothing=0.2, weights="@w_col",
        **gen)

  for fn in ("relativistic_discriminator_loss",
             "relativistic_generator_loss"):
    add(f"{fn}/default", fn, **pair)
    add(f"{fn}/rank1", fn, **pair1)
    add(f"{fn}/float64", fn, **pair64)

  ac_d = {"discriminator_real_classification_logits": "@cls_real",
          "discriminator_gen_classification_logits": "@cls_gen",
          "one_hot_labels": "@one_hot"}
  fn = "acgan_discriminator_loss"
  add(f"{fn}/default", fn, **ac_d)
  add(f"{fn}/float64", fn,
      discriminator_real_classification_logits="@cls_real:float64",
      discriminator_gen_classification_logits="@cls_gen:float64",
      one_hot_labels="@one_hot")
  add(f"{fn}/smoothing", fn, label_smoothing=0.3, real_weights="@w_b",
      generated_weights=0.7, **ac_d)
  for reduction in REDUCTIONS:
    add(f"{fn}/{reduction}", fn, real_weights="@w_b", reduction=reduction,
        **ac_d)
  add(f"{fn}/summaries", fn, add_summaries=True, **ac_d)
  ac_g = {"discriminator_gen_classification_logits": "@cls_gen",
          "one_hot_labels": "@one_hot"}
  fn = "acgan_generator_loss"
  add(f"{fn}/default", fn, **ac_g)
  add(f"{fn}/float64", fn,
      discriminator_gen_classification_logits="@cls_gen:float64",
      one_hot_labels="@one_hot")
  for reduction in REDUCTIONS:
    add(f"{fn}/{reduction}", fn, weights="@w_b", reduction=reduction, **ac_g)
  add(f"{fn}/summaries", fn, add_summaries=True, **ac_g)

  cyc = {"data_x": "@x", "reconstructed_data_x": "@rx", "data_y": "@y",
         "reconstructed_data_y": "@ry"}
  fn = "cycle_consistency_loss"
  add(f"{fn}/default", fn, **cyc)
  add(f"{fn}/float64", fn, **{k: v + ":float64" for k, v in cyc.items()})
  add(f"{fn}/summaries", fn, add_summaries=True, **cyc)
  return cases


def resolve(value, ins):
  if isinstance(value, str) and value.startswith("@"):
    name, _, dtype = value[1:].partition(":")
    return tf.constant(ins[name].astype(dtype or ins[name].dtype))
  return value


def summaries_of(sess) -> dict[str, float]:
  """{last tag component: value} of the graph's scalar summaries."""
  ops = tf1.get_collection(tf1.GraphKeys.SUMMARIES)
  out = {}
  for serialized in sess.run(ops):
    for value in tf1.Summary.FromString(serialized).value:
      out[value.tag.split("/")[-1]] = float(value.simple_value)
  return out


def run_case(build, seed: int = 0):
  """Builds `build()` in a fresh graph; returns (outputs, summaries)."""
  with tf.Graph().as_default():
    tf1.set_random_seed(seed)
    result = build()
    with tf1.Session() as sess:
      sess.run(tf1.global_variables_initializer())
      if callable(result):  # set variables after initialization, then run
        result = result(sess)
      outputs = sess.run(result)
      summaries = summaries_of(sess)
  return outputs, summaries


def gradient_penalty_cases(ins, golden, cases):
  def discriminator_fn(data, generator_inputs):
    del generator_inputs
    return tf.reduce_sum(data * tf.constant(ins["gp_w"]), axis=[1, 2, 3])

  variants = {
      "default": {},
      "epsilon": {"epsilon": 0.25},
      "target": {"target": 1.5},
      "one_sided": {"one_sided": True},
      "weights": {"weights": "@w_b"},
      "sum": {"weights": "@w_b", "reduction": "weighted_sum"},
      "none": {"reduction": "none"},
      "summaries": {"add_summaries": True},
  }
  for name, kwargs in variants.items():
    def build(kwargs=kwargs):
      resolved = {k: resolve(v, ins) for k, v in kwargs.items()}
      return tfgan.losses.wargs.wasserstein_gradient_penalty(
          tf.constant(ins["gp_real"]), tf.constant(ins["gp_gen"]), None,
          discriminator_fn, "discriminator", **resolved)
    out, summaries = run_case(build)
    case_id = f"wasserstein_gradient_penalty/{name}"
    golden[f"out/{case_id}"] = out
    cases.append({"id": case_id, "fn": "wasserstein_gradient_penalty",
                  "kwargs": kwargs, "dtype": str(out.dtype),
                  "summaries": summaries})


def mutual_information_cases(ins, golden, cases):
  variants = {"default": {}, "weights": {"weights": [0.3, 2.0]},
              "sum": {"reduction": "weighted_sum"},
              "summaries": {"add_summaries": True}}
  for name, kwargs in variants.items():
    def build(kwargs=kwargs):
      dists = [tfp.distributions.Normal(ins["mi_loc"], ins["mi_scale"]),
               tfp.distributions.Categorical(logits=ins["mi_logits"])]
      noise = [tf.constant(ins["mi_cont"]), tf.constant(ins["mi_cat"])]
      return tfgan.losses.wargs.mutual_information_penalty(noise, dists,
                                                           **kwargs)
    out, summaries = run_case(build)
    case_id = f"mutual_information_penalty/{name}"
    golden[f"out/{case_id}"] = out
    cases.append({"id": case_id, "fn": "mutual_information_penalty",
                  "kwargs": kwargs, "dtype": str(out.dtype),
                  "summaries": summaries})


def combine_losses(v1, v2, x):
  """The losses combine_adversarial_loss is tested on (the test has a copy):
  main [5] = (x v1 + sum v2)^2, adversarial [5] = sin(x v1) * v2[0, 1] + 3."""
  xv = tf.linalg.matvec(x, v1)
  main = tf.square(xv + tf.reduce_sum(v2))
  adversarial = tf.sin(xv) * v2[0, 1] + 3.0
  return main, adversarial


def combine_cases(ins, golden, cases):
  variants = {
      "weight_factor": {"weight_factor": 0.5},
      "weight_factor_zero": {"weight_factor": 0.0},
      "gradient_ratio": {"gradient_ratio": 2.0},
      "gradient_ratio_epsilon": {"gradient_ratio": 0.5,
                                 "gradient_ratio_epsilon": 0.1},
      "rank_mismatch": {"weight_factor": 1.5, "main_rank2": True},
  }
  for name, kwargs in variants.items():
    def build(kwargs=dict(kwargs)):
      v1 = tf1.get_variable("v1", initializer=ins["ca_v1"])
      v2 = tf1.get_variable("v2", initializer=ins["ca_v2"])
      main, adversarial = combine_losses(v1, v2, tf.constant(ins["ca_x"]))
      if kwargs.pop("main_rank2", False):
        main = tf.stack([main, 2.0 * main], axis=1)  # [5, 2] vs [5]
      return tfgan.losses.wargs.combine_adversarial_loss(
          main, adversarial, variables=[v1, v2], **kwargs)
    out, summaries = run_case(build)
    case_id = f"combine_adversarial_loss/{name}"
    golden[f"out/{case_id}"] = out
    cases.append({"id": case_id, "fn": "combine_adversarial_loss",
                  "kwargs": kwargs, "dtype": str(out.dtype),
                  "summaries": summaries})


def assign_and_run(variables_by_suffix, ins, output):
  """A `run_case` callback: assigns inputs to the graph's variables whose
  names end with the given suffixes, then evaluates `output`."""
  def run(sess):
    for var in tf1.global_variables():
      for suffix, key in variables_by_suffix.items():
        if var.op.name.endswith(suffix):
          var.load(ins[key], sess)
    return output
  return run


def feature_cases(ins, golden, cases):
  def add(case_id, build, **extra):
    out, summaries = run_case(build)
    if isinstance(out, (list, tuple)):
      for i, part in enumerate(out):
        golden[f"out/{case_id}/{i}"] = part
      dtype = str(out[0].dtype)
    else:
      golden[f"out/{case_id}"] = out
      dtype = str(out.dtype)
    cases.append({"id": case_id, "fn": case_id.split("/")[0], "kwargs": extra,
                  "dtype": dtype, "summaries": summaries})

  feats = tfgan.features
  for w_key in ("sn_conv", "sn_mat"):
    for rounds in (1, 3):
      for training in (True, False):
        def build(w_key=w_key, rounds=rounds, training=training):
          w = tf.constant(ins[w_key])
          sigma = feats.compute_spectral_norm(w, rounds, training)
          u_var = [v for v in tf1.global_variables()
                   if v.op.name.endswith("spectral_norm_u")][0]
          def run(sess):
            u_var.load(ins[w_key + "_u"], sess)
            value = sess.run(sigma)
            return [tf.constant(value), u_var.read_value()]
          return run
        add(f"compute_spectral_norm/{w_key}/{rounds}/{training}", build,
            w=w_key, power_iteration_rounds=rounds, training=training)
    for equality in (True, False):
      def build(w_key=w_key, equality=equality):
        w = tf.constant(ins[w_key])
        normalized = feats.spectral_normalize(
            w, power_iteration_rounds=2, equality_constrained=equality)
        return assign_and_run({"spectral_norm_u": w_key + "_u"}, ins,
                              normalized)
      add(f"spectral_normalize/{w_key}/{equality}", build, w=w_key,
          power_iteration_rounds=2, equality_constrained=equality)
    def build(w_key=w_key):
      reg = feats.spectral_norm_regularizer(0.3, power_iteration_rounds=2)
      return assign_and_run({"spectral_norm_u": w_key + "_u"}, ins,
                            reg(tf.constant(ins[w_key])))
    add(f"spectral_norm_regularizer/{w_key}", build, w=w_key, scale=0.3,
        power_iteration_rounds=2)

  def build():
    out = feats.condition_tensor(tf.constant(ins["ct_tensor"]),
                                 tf.constant(ins["ct_cond"]))
    return assign_and_run({"dense/kernel": "ct_kernel",
                           "dense/bias": "ct_bias"}, ins, out)
  add("condition_tensor/default", build)

  def build():
    out = feats.condition_tensor_from_onehot(
        tf.constant(ins["ct_tensor"]), tf.constant(ins["ct_onehot"]),
        embedding_size=6)
    return assign_and_run({"embedding": "ct_embedding",
                           "dense/kernel": "ct_kernel_oh",
                           "dense/bias": "ct_bias_oh"}, ins, out)
  add("condition_tensor_from_onehot/default", build, embedding_size=6)

  norm_params = {"gamma": tf1.constant_initializer(ins["norm_gamma"]),
                 "beta": tf1.constant_initializer(ins["norm_beta"])}
  x = ins["norm_x"]
  x_nchw = np.transpose(x, (0, 3, 1, 2))
  instance_variants = {
      "default": (x, {}),
      "params": (x, {"param_initializers": norm_params, "epsilon": 0.1}),
      "nchw": (x_nchw, {"data_format": "NCHW",
                        "param_initializers": norm_params}),
      "no_center_scale": (x, {"center": False, "scale": False}),
      "relu": (x, {"activation_fn": "relu",
                   "param_initializers": norm_params}),
      "float64": (x.astype(np.float64), {}),
  }
  for name, (data, kwargs) in instance_variants.items():
    def build(data=data, kwargs=kwargs):
      call = dict(kwargs)
      if call.get("activation_fn") == "relu":
        call["activation_fn"] = tf.nn.relu
      return feats.instance_norm(tf.constant(data), **call)
    add(f"instance_norm/{name}", build, **{
        k: ("@norm_params" if k == "param_initializers" else v)
        for k, v in kwargs.items()})

  group_variants = {
      "default": (x, {"groups": 2}),
      "params": (x, {"groups": 4, "param_initializers": norm_params,
                     "epsilon": 0.1}),
      "nchw": (x_nchw, {"groups": 2, "channels_axis": -3,
                        "reduction_axes": (-2, -1),
                        "param_initializers": norm_params}),
      "one_group": (x, {"groups": 1, "center": False}),
      "mean_close_to_zero": (x, {"groups": 2, "mean_close_to_zero": True}),
      "float64": (x.astype(np.float64), {"groups": 2}),
  }
  for name, (data, kwargs) in group_variants.items():
    def build(data=data, kwargs=kwargs):
      return feats.group_norm(tf.constant(data), **kwargs)
    add(f"group_norm/{name}", build, **{
        k: ("@norm_params" if k == "param_initializers" else
            (list(v) if isinstance(v, tuple) else v))
        for k, v in kwargs.items()})

  vbn_variants = {
      "default": ("vbn_ref", "vbn_x", {}),
      "params": ("vbn_ref", "vbn_x", {"epsilon": 0.01, "params": True}),
      "axis1": ("vbn_ref2", "vbn_x2", {"axis": 1}),
      "nchw": ("vbn_ref", "vbn_x", {"axis": 1, "nchw": True}),
  }
  for name, (ref_key, x_key, kwargs) in vbn_variants.items():
    def build(ref_key=ref_key, x_key=x_key, kwargs=kwargs):
      call = dict(kwargs)
      ref, data = ins[ref_key], ins[x_key]
      if call.pop("nchw", False):
        ref = np.transpose(ref, (0, 3, 1, 2))
        data = np.transpose(data, (0, 3, 1, 2))
      if call.pop("params", False):
        call["gamma_initializer"] = tf1.constant_initializer(
            ins["norm_gamma"])
        call["beta_initializer"] = tf1.constant_initializer(ins["norm_beta"])
      vbn = feats.VBN(tf.constant(ref), **call)
      return [vbn(tf.constant(data)), vbn.reference_batch_normalization()]
    add(f"VBN/{name}", build, ref=ref_key, x=x_key, **kwargs)


def public_names() -> dict[str, list[str]]:
  import tensorflow_gan.python as top  # the names `import *` exports
  return {
      "tensorflow_gan": sorted(top.__all__),
      "tensorflow_gan.losses": sorted(tfgan.losses.__all__),
      "tensorflow_gan.losses.wargs": sorted(tfgan.losses.wargs.__all__),
      "tensorflow_gan.eval": sorted(tfgan.eval.__all__),
      "tensorflow_gan.features": sorted(tfgan.features.__all__),
      "tensorflow_gan.estimator": sorted(set(tfgan.estimator.__all__)),
      "tensorflow_gan.tpu": sorted(tfgan.tpu.__all__),
  }


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--out", default="tests/data/tfgan_golden_losses.npz")
  parser.add_argument("--names_out",
                      default="tests/data/tfgan_public_names.json")
  args = parser.parse_args()
  tf1.disable_eager_execution()
  ins = make_inputs()
  golden = {f"in/{k}": v for k, v in ins.items()}
  cases = []
  for case in loss_cases():
    fn = getattr(tfgan.losses.wargs, case["fn"])
    def build(case=case, fn=fn):
      return fn(**{k: resolve(v, ins) for k, v in case["kwargs"].items()})
    out, summaries = run_case(build)
    golden[f"out/{case['id']}"] = out
    cases.append(dict(case, dtype=str(out.dtype), summaries=summaries))
  gradient_penalty_cases(ins, golden, cases)
  mutual_information_cases(ins, golden, cases)
  combine_cases(ins, golden, cases)
  feature_cases(ins, golden, cases)
  for key, value in golden.items():  # keep the file small: float32 inputs
    if value.dtype == np.float64 and key.startswith("in/"):
      golden[key] = value.astype(np.float32)
  golden["cases"] = np.array(json.dumps(cases))
  golden["versions"] = np.array(json.dumps(
      {"tensorflow": tf.__version__, "tensorflow_gan": tfgan.__version__,
       "tensorflow_probability": tfp.__version__}))
  np.savez_compressed(args.out, **golden)
  names = public_names()
  names["_versions"] = {"tensorflow_gan": tfgan.__version__,
                        "tensorflow": tf.__version__}
  with open(args.names_out, "w") as f:
    json.dump(names, f, indent=1, sort_keys=True)
    f.write("\n")
  print(f"Wrote {len(cases)} cases to {args.out} and "
        f"{sum(len(v) for k, v in names.items() if not k.startswith('_'))} "
        f"names to {args.names_out}.")


if __name__ == "__main__":
  main()
