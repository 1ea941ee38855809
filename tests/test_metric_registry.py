"""The metric registry: registration checks names and types, groups expand,
requirements follow from the needs and their inputs, and the checks the
evaluator runs before writing anything are derived from them."""

import types

import pytest

from tfgan_ext.errors import InputError
from tfgan_ext.evaluation import builtin_metrics as bm
from tfgan_ext.evaluation import metric_registry as mr
from tfgan_ext.evaluation.metric_checks import (check_metrics,
                                                check_statistics_file_use)
from tfgan_ext.models import ModelConfig
from tfgan_ext.train.config import TrainConfig


def _compute(values, context):
  return mr.MetricResult(1.0)


def test_registration_checks_name_and_type():
  registry = mr.MetricRegistry()
  metric = registry.add(mr.Metric("ok_1", _compute, (mr.GENERATED_FEATURES,)))
  assert registry.names == ("ok_1",) and registry.get("ok_1") is metric
  with pytest.raises(TypeError, match="Only Metric objects"):
    registry.add(_compute)
  with pytest.raises(InputError, match="already registered as a metric"):
    registry.add(mr.Metric("ok_1", _compute, (mr.PRDC,)))
  for bad in ("Bad", "1st", "has-dash", ""):
    with pytest.raises(InputError, match="Bad metric name"):
      mr.Metric(bad, _compute, (mr.PRDC,))
  with pytest.raises(TypeError, match="must be a str"):
    mr.Metric(3, _compute, (mr.PRDC,))
  with pytest.raises(TypeError, match="compute must be callable"):
    mr.Metric("x", 1.0, (mr.PRDC,))
  with pytest.raises(TypeError, match="needs must be Needs"):
    mr.Metric("x", _compute, ("generated_features",))
  with pytest.raises(TypeError, match="sequence of Needs"):
    mr.Metric("x", _compute, mr.PRDC)
  with pytest.raises(InputError, match="needs nothing"):
    mr.Metric("x", _compute, ())
  with pytest.raises(InputError, match="real_split"):
    mr.Metric("x", _compute, (mr.PRDC,), real_split="test")
  with pytest.raises(TypeError, match="conditional"):
    mr.Metric("x", _compute, (mr.PRDC,), conditional="yes")
  # A needs function is checked when it is resolved.
  lazy = mr.Metric("lazy", _compute, lambda network: ["pool"])
  with pytest.raises(TypeError, match="needs must be Needs"):
    lazy.needs_for(None)
  with pytest.raises(InputError, match="source"):
    mr.Need("mine", "?", "somewhere")
  with pytest.raises(TypeError, match="inputs must be Needs"):
    mr.Need("mine", "?", mr.REFERENCE, inputs=("reference_features",))


def test_groups_and_parsing():
  registry = mr.MetricRegistry()
  for name in ("a", "b", "c"):
    registry.register(name, needs=(mr.GENERATED_FEATURES,))(_compute)
  registry.add_group("ab", ("a", "b"))
  assert registry.parse("c, ab,a") == ("c", "a", "b")
  assert registry.parse(["b", "ab"]) == ("b", "a")
  with pytest.raises(InputError, match=r"Unknown metric 'd'; choose from "
                     r"\['a', 'b', 'c'\] or the groups \['ab'\]"):
    registry.parse("a,d")
  with pytest.raises(InputError, match="No metrics"):
    registry.parse(" , ")
  with pytest.raises(InputError, match="already registered as a group"):
    registry.register("ab", needs=(mr.PRDC,))(_compute)
  with pytest.raises(InputError, match="not registered"):
    registry.add_group("cd", ("c", "d"))
  with pytest.raises(TypeError, match="non-empty"):
    registry.add_group("cd", "c")
  copy = registry.copy()
  copy.register("d", needs=(mr.PRDC,))(_compute)
  assert "d" in copy and "d" not in registry


def test_requirements_follow_needs_and_inputs():
  assert mr.closure([mr.PRDC, mr.GENERATED_LOGITS]) == (
      mr.GENERATED_FEATURES, mr.REFERENCE_FEATURES, mr.PRDC,
      mr.GENERATED_LOGITS)
  diversity = bm.REGISTRY.get("diversity")
  assert diversity.requires("labelled_real", None)     # via the centroids
  assert diversity.requires("real_features", None)
  assert not diversity.requires("logits", None)
  assert diversity.source(None) == mr.SHARED_SAMPLES
  assert bm.REGISTRY.get("intra_fid").source(None) == mr.OWN_SAMPLES
  assert bm.REGISTRY.get("d_real_accuracy_train").source(None) == (
      mr.TRAIN_SPLIT)
  quality = bm.REGISTRY.get("quality")
  with_own_quality = types.SimpleNamespace(quality=lambda outputs: 1.0)
  assert quality.requires("logits", None)
  assert not quality.requires("logits", with_own_quality)
  with pytest.raises(ValueError, match="Unknown requirement"):
    quality.requires("gpu", None)
  # The built-in lists are what the needs say.
  assert bm.SAMPLE_METRICS == (
      "is", "fid", "kid", "intra_fid", "sample_accuracy", "quality",
      "diversity", "modes_covered", "within_class_spread") + bm.PRDC_METRICS
  assert bm.CONDITIONING_METRICS == (
      "validation_accuracy", "self_accuracy", "projection_accuracy",
      "d_real_accuracy_train", "d_real_accuracy_validation")
  assert bm.REFERENCE_FEATURE_METRICS == (
      "kid", "intra_fid", "diversity", "within_class_spread") + (
          bm.PRDC_METRICS)
  assert bm.REGISTRY.using(mr.REFERENCE_STATISTICS) == ("fid",)
  assert sorted(bm.GROUPS) == ["conditioning", "prdc", "sqd"]


class _Net:
  name = "net"
  num_classes = 10
  provides_logits = False


def test_checks_derived_from_needs():
  info = types.SimpleNamespace(is_image=True, num_classes=0)
  conditional = TrainConfig(model=ModelConfig(num_classes=10))

  def check(names, config=conditional, network=_Net(), **kwargs):
    check_metrics(bm.REGISTRY, bm.REGISTRY.parse(names), config=config,
                  info=info, network=network, **kwargs)

  check("fid,kid")
  with pytest.raises(InputError, match=r"\['is'\] need class logits"):
    check("fid,is")
  with pytest.raises(InputError, match="^diversity need labelled real"):
    check("fid,diversity", network=type("N", (_Net,), {
        "provides_logits": True})())
  with pytest.raises(InputError, match=r"\['fid'\] need a feature network"):
    check("fid", network=None)
  check("conditioning", network=None)
  with pytest.raises(InputError, match="need the run's discriminator"):
    check("projection_accuracy", network=None, has_discriminator=False)
  with pytest.raises(InputError, match=r"\['intra_fid'\] need a "
                     r"class-conditional model"):
    check("intra_fid", config=TrainConfig())
  check_statistics_file_use(bm.REGISTRY, ["fid", "is"])
  with pytest.raises(InputError, match="used only by fid; add fid"):
    check_statistics_file_use(bm.REGISTRY, ["is"])
  with pytest.raises(InputError, match=r"enough for fid alone; \['diversity'"):
    check_statistics_file_use(bm.REGISTRY, ["fid", "diversity"])
