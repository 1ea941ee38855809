"""The eval job's metrics by name, and the inputs ("needs") they compute from.

A `Metric` names the `Need`s it is computed from: the feature network's
outputs on the generated samples, the labels those samples were drawn for,
real features of the reference split, the run's discriminator on a real
split, and so on. The evaluator computes each need at most once per
checkpoint and hands it to every metric that asked for it, so that, for
example, IS, FID, KID and PR/DC share one pass of the generator and the
feature network. A need may be computed from other needs (`Need.inputs`).

What a metric requires of the job (a feature network, class logits, real
per-example features, labelled real data, the run's discriminator) follows
from its needs and their inputs (`Metric.requires`); the evaluator checks
it before anything is written.

`builtin_metrics.REGISTRY` holds the metrics of the eval job. A registry
takes new ones with `MetricRegistry.register`:

  registry = builtin_metrics.REGISTRY.copy()

  @registry.register("mean_pool", needs=(GENERATED_FEATURES,))
  def mean_pool(values, context):
    return MetricResult(float(values[GENERATED_FEATURES]["pool"].mean()))
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

from tfgan_ext.errors import InputError

__all__ = [
    "CLASS_CENTROIDS", "Context", "DISCRIMINATOR_ON_TRAIN",
    "DISCRIMINATOR_ON_VALIDATION", "GENERATED_CLASS_SCORES",
    "GENERATED_FEATURES", "GENERATED_LOGITS", "GENERATOR", "Metric",
    "MetricRegistry", "MetricResult", "NEED_KINDS", "Need", "OWN_SAMPLES",
    "PRDC", "REAL_SPLITS", "REFERENCE", "REFERENCE_COUNT",
    "REFERENCE_FEATURES", "REFERENCE_LABELS", "REFERENCE_STATISTICS",
    "REQUIREMENTS", "RealMoments", "SAMPLE_LABELS", "SHARED_SAMPLES",
    "SOURCES", "TRAIN_SPLIT", "VALIDATION_SPLIT", "closure",
]

# Where a need's data comes from, in the order the evaluator visits them at
# each checkpoint. A metric is computed once the last source it depends on
# has been visited, and the rows of one source are appended together.
REFERENCE = "reference"            # Real data of the reference split.
SHARED_SAMPLES = "shared_samples"  # One pass over the n class-balanced samples.
OWN_SAMPLES = "own_samples"        # Samples a metric draws itself.
VALIDATION_SPLIT = "validation_split"  # The run's D on the validation split.
TRAIN_SPLIT = "train_split"        # The run's D on its training split.
SOURCES = (REFERENCE, SHARED_SAMPLES, OWN_SAMPLES, VALIDATION_SPLIT,
           TRAIN_SPLIT)

# The real split a metric's rows name ("reference_split" of the row): the
# protocol's reference split, the validation split, the run's training
# split, or none (the metric uses no real data).
REAL_SPLITS = ("reference", "validation", "train", "none")

# What a need can require of the job (boolean fields of `Need`).
REQUIREMENTS = ("feature_network", "logits", "real_features",
                "labelled_real", "discriminator")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _check_name(kind: str, name: Any) -> None:
  if not isinstance(name, str):
    raise TypeError(f"A {kind} name must be a str, got {type(name).__name__}.")
  if not _NAME.match(name):
    raise InputError(f"Bad {kind} name {name!r}: use lower-case letters, "
                     f"digits and '_', starting with a letter.")


@dataclasses.dataclass(frozen=True, eq=False)
class Need:
  """An input some metrics compute from; computed once per checkpoint.

  Needs compare by identity: use the module's constants (or your own).

  Attributes:
    name: unique name (lower case, digits, '_').
    description: what the value is (type and shape).
    source: where its data comes from (one of SOURCES).
    inputs: needs it is computed from (their requirements are its own).
    feature_network: computed with the job's feature network.
    logits: needs the feature network's class logits.
    real_features: needs per-example features of the reference split (a
      statistics file of mu and sigma is not enough).
    labelled_real: needs real data with class labels.
    discriminator: needs the run's discriminator.
  """
  name: str
  description: str
  source: str
  inputs: tuple["Need", ...] = ()
  feature_network: bool = False
  logits: bool = False
  real_features: bool = False
  labelled_real: bool = False
  discriminator: bool = False

  def __post_init__(self):
    _check_name("need", self.name)
    if self.source not in SOURCES:
      raise InputError(f"Need {self.name!r}: source {self.source!r} is not "
                       f"one of {SOURCES}.")
    inputs = tuple(self.inputs)
    for need in inputs:
      if not isinstance(need, Need):
        raise TypeError(f"Need {self.name!r}: inputs must be Needs, got "
                        f"{type(need).__name__}.")
    object.__setattr__(self, "inputs", inputs)

  def __repr__(self) -> str:
    return f"Need({self.name!r})"


def closure(needs: Iterable[Need]) -> tuple[Need, ...]:
  """`needs` and, recursively, their inputs; inputs before the needs that
  use them, each once."""
  out: list[Need] = []

  def visit(need: Need) -> None:
    if need in out:
      return
    for inner in need.inputs:
      visit(inner)
    out.append(need)

  for need in needs:
    visit(need)
  return tuple(out)


@dataclasses.dataclass(frozen=True)
class RealMoments:
  """The real features' mean mu [d] and covariance sigma [d, d], and what
  the row records about where they came from (`details`)."""
  mu: Any
  sigma: Any
  details: dict = dataclasses.field(default_factory=dict)


NEED_KINDS: dict[str, Need] = {}


def _kind(need: Need) -> Need:
  if need.name in NEED_KINDS:
    raise InputError(f"Need {need.name!r} is defined twice.")
  NEED_KINDS[need.name] = need
  return need


# --------------------------------------------------------- the need kinds
SAMPLE_LABELS = _kind(Need(
    "sample_labels", "int32 [n]: the class each shared sample was generated "
    "for (0, 1, ..., K-1, 0, ...; zeros when unconditional)",
    SHARED_SAMPLES))
GENERATED_FEATURES = _kind(Need(
    "generated_features", "the feature network's outputs on the n shared "
    "samples: {'pool': [n, d], 'logits': [n, K] when it has them, ...}",
    SHARED_SAMPLES, feature_network=True))
GENERATED_LOGITS = _kind(Need(
    "generated_logits", "float [n, K]: the feature network's class logits "
    "of the shared samples", SHARED_SAMPLES, inputs=(GENERATED_FEATURES,),
    logits=True))
GENERATED_CLASS_SCORES = _kind(Need(
    "generated_class_scores", "float [n, K]: the run's class scores (its "
    "auxiliary classifier, else the projection argmax_k D(x, k)) of the "
    "shared samples", SHARED_SAMPLES, discriminator=True))
REFERENCE_STATISTICS = _kind(Need(
    "reference_statistics", "RealMoments: mu and sigma of the real "
    "features, from the reference split or a statistics file",
    REFERENCE, feature_network=True))
REFERENCE_FEATURES = _kind(Need(
    "reference_features", "float32 [m, d]: the feature network's pool "
    "features of the reference split's examples", REFERENCE,
    feature_network=True, real_features=True))
REFERENCE_LABELS = _kind(Need(
    "reference_labels", "int32 [m]: the classes of those examples",
    REFERENCE, inputs=(REFERENCE_FEATURES,), labelled_real=True))
REFERENCE_COUNT = _kind(Need(
    "reference_count", "dict: reference_samples (the real examples used) "
    "and, when the split capped it, reference_samples_requested",
    REFERENCE, inputs=(REFERENCE_FEATURES,)))
CLASS_CENTROIDS = _kind(Need(
    "class_centroids", "float [K, d]: the mean reference feature of each "
    "class of the dataset", REFERENCE,
    inputs=(REFERENCE_FEATURES, REFERENCE_LABELS)))
PRDC = _kind(Need(
    "prdc", "{'precision', 'recall', 'density', 'coverage'}: k-NN PR/DC "
    "(k = 3) of the generated features against the reference features",
    SHARED_SAMPLES, inputs=(GENERATED_FEATURES, REFERENCE_FEATURES)))
GENERATOR = _kind(Need(
    "generator", "(z float32 [B, z_dim], labels int32 [B]) -> samples: the "
    "checkpoint's generator, for metrics that draw their own samples",
    OWN_SAMPLES))
DISCRIMINATOR_ON_VALIDATION = _kind(Need(
    "discriminator_on_validation", "{'classifier_accuracy', "
    "'projection_accuracy', 'd_real_accuracy', 'real_examples'}: the run's "
    "class scorer and D on the validation split", VALIDATION_SPLIT,
    discriminator=True))
DISCRIMINATOR_ON_TRAIN = _kind(Need(
    "discriminator_on_train", "{'d_real_accuracy', 'real_examples', ...}: "
    "the run's D on its training split", TRAIN_SPLIT, discriminator=True))


# ------------------------------------------------------------ the metrics
@dataclasses.dataclass(frozen=True)
class MetricResult:
  """A metric's value at one checkpoint, its spread (or None) and details
  for the row (`reference_samples` / `real_examples` become the row's
  reference_samples)."""
  value: float
  std: Optional[float] = None
  details: Optional[dict] = None


@dataclasses.dataclass(frozen=True)
class Context:
  """What a metric may read besides its needs (fixed for one checkpoint).

  Attributes:
    step: the checkpoint's step.
    protocol: the job's `EvalProtocol`.
    network: the feature network (None when no metric needs one).
    num_classes: the run's classes (0: unconditional).
    z_dim: the generator's latent size.
    classifier: how the run's class scores are computed, for rows'
      details ({} when no metric needs them).
    progress: progress(label, total) -> update(done), for long loops.
  """
  step: int
  protocol: Any
  network: Any
  num_classes: int
  z_dim: int
  classifier: Mapping[str, Any]
  progress: Callable[[str, Optional[int]], Callable[[int], None]]


NeedsSpec = Union[Sequence[Need], Callable[[Any], Sequence[Need]]]
ComputeFn = Callable[[Mapping[Need, Any], Context], MetricResult]


@dataclasses.dataclass(frozen=True)
class Metric:
  """A named metric: what it needs and how it is computed from that.

  Attributes:
    name: the name in --metrics and in the rows.
    compute: compute(values, context) -> MetricResult; `values` maps each
      of the metric's needs (only those) to its value.
    needs: the needs, or a function of the feature network giving them
      (when what it uses depends on the network).
    conditional: compares samples with the classes they were drawn for,
      so the run must be class-conditional.
    real_split: the real split its rows name (one of REAL_SPLITS).
    check: check(network, config) raises InputError when the feature
      network or the run does not suit the metric in a way its needs do not
      express; None: nothing more to check.
    description: one line for listings.
  """
  name: str
  compute: ComputeFn
  needs: NeedsSpec
  conditional: bool = False
  real_split: str = "reference"
  check: Optional[Callable[[Any, Any], None]] = None
  description: str = ""

  def __post_init__(self):
    _check_name("metric", self.name)
    if not callable(self.compute):
      raise TypeError(f"Metric {self.name!r}: compute must be callable.")
    if not callable(self.needs):
      object.__setattr__(self, "needs", self._checked_needs(self.needs))
    if not isinstance(self.conditional, bool):
      raise TypeError(f"Metric {self.name!r}: conditional must be a bool.")
    if self.real_split not in REAL_SPLITS:
      raise InputError(f"Metric {self.name!r}: real_split "
                       f"{self.real_split!r} is not one of {REAL_SPLITS}.")
    if self.check is not None and not callable(self.check):
      raise TypeError(f"Metric {self.name!r}: check must be callable or "
                      f"None.")

  def _checked_needs(self, needs) -> tuple[Need, ...]:
    if isinstance(needs, (str, bytes)) or not isinstance(
        needs, (list, tuple)):
      raise TypeError(f"Metric {self.name!r}: needs must be a sequence of "
                      f"Needs (or a function of the network giving one), "
                      f"got {type(needs).__name__}.")
    for need in needs:
      if not isinstance(need, Need):
        raise TypeError(f"Metric {self.name!r}: needs must be Needs, got "
                        f"{type(need).__name__}.")
    if not needs:
      raise InputError(f"Metric {self.name!r} needs nothing; name at least "
                       f"one Need to compute it from.")
    return tuple(dict.fromkeys(needs))

  def needs_for(self, network) -> tuple[Need, ...]:
    """The needs with this feature network (None: no network)."""
    if callable(self.needs):
      return self._checked_needs(self.needs(network))
    return self.needs

  def all_needs(self, network) -> tuple[Need, ...]:
    """The needs and, recursively, their inputs."""
    return closure(self.needs_for(network))

  def requires(self, requirement: str, network) -> bool:
    """Whether a need or an input of one has `requirement` (REQUIREMENTS)."""
    if requirement not in REQUIREMENTS:
      raise ValueError(f"Unknown requirement {requirement!r}; choose from "
                       f"{REQUIREMENTS}.")
    return any(getattr(n, requirement) for n in self.all_needs(network))

  def source(self, network) -> str:
    """The last of SOURCES its needs come from."""
    return max((n.source for n in self.all_needs(network)),
               key=SOURCES.index)


class MetricRegistry:
  """Metrics and groups of metrics by name, in registration order."""

  def __init__(self):
    self._metrics: dict[str, Metric] = {}
    self._groups: dict[str, tuple[str, ...]] = {}

  def copy(self) -> "MetricRegistry":
    """A registry with the same metrics and groups, to extend separately."""
    other = MetricRegistry()
    other._metrics = dict(self._metrics)
    other._groups = dict(self._groups)
    return other

  def add(self, metric: Metric) -> Metric:
    """Registers `metric` under its name; returns it.

    Raises TypeError for anything but a `Metric` and InputError when its
    name is taken by a metric or a group.
    """
    if not isinstance(metric, Metric):
      raise TypeError(f"Only Metric objects can be registered, got "
                      f"{type(metric).__name__}.")
    self._check_free(metric.name)
    self._metrics[metric.name] = metric
    return metric

  def register(self, name: str, *, needs: NeedsSpec, **attributes
               ) -> Callable[[ComputeFn], ComputeFn]:
    """Decorator: registers compute(values, context) as metric `name`
    (further `Metric` fields as keywords); returns the function."""
    def decorate(compute: ComputeFn) -> ComputeFn:
      self.add(Metric(name, compute, needs, **attributes))
      return compute
    return decorate

  def add_group(self, name: str, members: Sequence[str]) -> None:
    """A name standing for several registered metrics in --metrics."""
    self._check_free(name)
    if isinstance(members, str) or not members:
      raise TypeError(f"Group {name!r}: members must be a non-empty "
                      f"sequence of metric names.")
    unknown = [m for m in members if m not in self._metrics]
    if unknown:
      raise InputError(f"Group {name!r}: {unknown} are not registered "
                       f"metrics.")
    self._groups[name] = tuple(members)

  def _check_free(self, name: str) -> None:
    _check_name("metric", name)
    if name in self._metrics or name in self._groups:
      kind = "metric" if name in self._metrics else "group"
      raise InputError(f"{name!r} is already registered as a {kind}.")

  def __contains__(self, name: str) -> bool:
    return name in self._metrics

  def get(self, name: str) -> Metric:
    """The metric registered as `name` (KeyError if none)."""
    return self._metrics[name]

  @property
  def names(self) -> tuple[str, ...]:
    return tuple(self._metrics)

  @property
  def groups(self) -> dict[str, tuple[str, ...]]:
    return dict(self._groups)

  def requiring(self, requirement: str, network=None,
                names: Optional[Iterable[str]] = None) -> tuple[str, ...]:
    """The metrics (of `names`, default all), in registration order, that
    have `requirement` (see `Metric.requires`) with this network."""
    chosen = self.names if names is None else set(names)
    return tuple(n for n in self.names if n in chosen
                 and self._metrics[n].requires(requirement, network))

  def using(self, need: Need, network=None) -> tuple[str, ...]:
    """The metrics, in registration order, computed from `need`."""
    return tuple(n for n, m in self._metrics.items()
                 if need in m.all_needs(network))

  def parse(self, spec: Union[str, Sequence[str]]) -> tuple[str, ...]:
    """Metric names from "fid,is,conditioning" (groups expanded, order
    kept, duplicates dropped); InputError for unknown names or none."""
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for name in (n.strip() for n in names):
      if not name:
        continue
      for metric in self._groups.get(name, (name,)):
        if metric not in self._metrics:
          raise InputError(
              f"Unknown metric {metric!r}; choose from {list(self.names)} "
              f"or the groups {sorted(self._groups)}.")
        if metric not in out:
          out.append(metric)
    if not out:
      raise InputError("No metrics given.")
    return tuple(out)
