"""Evaluates one checkpoint of a model_dir and appends its result rows.

The metrics are those of a `MetricRegistry` (default
`builtin_metrics.REGISTRY`; its docstring lists them and the groups
`parse_metrics` also accepts). Each states the inputs it needs
(`metric_registry`); per checkpoint the evaluator computes each of those
once (one pass of the generator and the feature network over the shared
samples, real-data features cached for the job, D on a real split) and hands
it to the metrics that asked, visiting the data sources in the order of
`metric_registry.SOURCES` and appending the rows of each source together.

With `reference_stats` (a TTUR / pytorch-fid .npz of mu and sigma), FID
compares against that file instead of the reference split; the metrics that
need real features (REFERENCE_FEATURE_METRICS) cannot use it.

A run with user-built networks (architecture "custom") is scored from the
generator its train job exported with each checkpoint
(`exported_generator`); metrics of its discriminator are refused.
"""

from __future__ import annotations

import os
import time
import types
from typing import Any, Callable, Optional, Sequence, Union

from absl import logging
import numpy as np
import tensorflow as tf

from tfgan_ext import data as data_lib
from tfgan_ext import fileio
from tfgan_ext import workspace
from tfgan_ext.config_checks import require_number
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation import conditioning as cond
from tfgan_ext.evaluation import metric_registry as mr
# GROUPS and the metric lists are re-exported (names from before the registry).
from tfgan_ext.evaluation.builtin_metrics import (CONDITIONING_METRICS,
                                                  GROUPS, PRDC_METRICS,
                                                  REFERENCE_FEATURE_METRICS,
                                                  REGISTRY, SAMPLE_METRICS)
from tfgan_ext.evaluation.checkpoint_errors import CheckpointUnavailable
from tfgan_ext.evaluation.exported_generator import (check_generator_kind,
                                                     load_exported_generator)
from tfgan_ext.evaluation.metric_checks import (check_metrics,
                                                check_statistics_file_use)
from tfgan_ext.evaluation.progress import Progress
from tfgan_ext.evaluation.protocol import EvalProtocol
from tfgan_ext.evaluation.real_data import (default_validation_split,
                                            split_arrays)
from tfgan_ext.evaluation.reference import ReferenceData
from tfgan_ext.evaluation.restore import (generator_kind,
                                          restore_ema_generator,
                                          restore_networks)
from tfgan_ext.evaluation.results import (GENERATOR_FREE_METRICS, ResultsFile,
                                          row_key)
from tfgan_ext.evaluation.sampling import (balanced_labels, generator_fn,
                                           latent_vectors, stream_outputs)
from tfgan_ext.evaluation.stats_file import load_reference_stats
from tfgan_ext.metrics import prdc as prdc_lib
from tfgan_ext.nn.normalization import set_inference_statistics
from tfgan_ext.tensor_utils import check_finite_weights

__all__ = ["CONDITIONING_METRICS", "CheckpointUnavailable", "Evaluator",
           "PRDC_METRICS", "REFERENCE_FEATURE_METRICS", "SAMPLE_METRICS",
           "parse_metrics"]

# What the rows of metrics of the run's D name as their network.
DISCRIMINATOR = "discriminator"


def parse_metrics(spec: Union[str, Sequence[str]],
                  registry: mr.MetricRegistry = REGISTRY) -> tuple[str, ...]:
  """Metric names from "fid,is,conditioning" (groups expanded, order kept)."""
  return registry.parse(spec)


class _CheckpointValues:
  """The needs of one checkpoint's metrics, each computed on first use.

  `providers` maps a need to fn(values) -> its value; a provider gets the
  needs it is computed from through `values.get`. `wanted` holds every need
  (with inputs) of the checkpoint's pending metrics; `scratch` keeps what
  several providers share (the pass over the shared samples).
  """

  def __init__(self, providers: dict, wanted: Sequence[mr.Need], step: int):
    self._providers = providers
    self._values: dict = {}
    self.wanted = frozenset(wanted)
    self.step = step
    self.scratch: dict = {}

  def get(self, need: mr.Need) -> Any:
    if need not in self._values:
      if need not in self._providers:  # The constructor checked the metrics'.
        raise KeyError(f"No provider computes need {need.name!r}.")
      self._values[need] = self._providers[need](self)
    return self._values[need]


class Evaluator:
  """Evaluates checkpoints of one model_dir with one feature network.

  Everything is validated in the constructor, before any file is written.

  Args:
    model_dir: the training run's directory.
    metrics: names or groups (see `builtin_metrics`).
    protocol: sample counts and reference data.
    network: feature network, needed by the sample metrics.
    cache_dir: where real-data features and statistics are cached.
    data_dir: TFDS data directory.
    class_scores_fn: images -> [B, K] class scores for the validation and
      self accuracy; default: the run's auxiliary classifier if it has one,
      else the projection classification argmax_k D(x, k).
    progress_every: seconds between progress lines.
    reference_stats: a .npz with mu and sigma of the network's features;
      FID then compares against it (its path and sha256 go in the rows).
    registry: the metrics to choose from (default: the built-in ones).
  """

  def __init__(self, model_dir: str, metrics: Union[str, Sequence[str]],
               protocol: EvalProtocol = EvalProtocol(), network=None, *,
               cache_dir: Optional[str] = None,
               data_dir: Optional[str] = None,
               class_scores_fn: Optional[Callable] = None,
               progress_every: float = 10.0,
               reference_stats: Optional[str] = None,
               registry: mr.MetricRegistry = REGISTRY):
    protocol.validate()
    require_number("progress_every", progress_every, low=0.0,
                   hint="It is the seconds between progress lines.")
    if cache_dir:  # Written at the first evaluation: checked now.
      fileio.check_output_path(cache_dir, "dir", flag="--stats_cache_dir")
    self.model_dir = model_dir
    self.registry = registry
    self.metrics = parse_metrics(metrics, registry)
    self.protocol = protocol
    self.network = network
    self.cache_dir = cache_dir
    self.data_dir = data_dir
    self.progress_every = progress_every
    self.config = workspace.load_config(model_dir)
    self.results = ResultsFile(model_dir)
    # The rows go into the run's folder: refused now, not after the work,
    # as are rows already there that are not eval results.
    fileio.check_output_path(self.results.path, "file")
    self.results.rows()
    mc = self.config.model
    self.num_classes = mc.num_classes
    self.custom = workspace.is_custom(self.config)
    self.info = data_lib.dataset_info(
        self.config.dataset, split=self.config.split, image_size=mc.image_size,
        channels=mc.channels, data_dir=data_dir)
    check_metrics(registry, self.metrics, config=self.config, info=self.info,
                  network=network, has_discriminator=not self.custom)
    self._chosen = {m: registry.get(m) for m in self.metrics}
    self._needs = {m: metric.all_needs(network)
                   for m, metric in self._chosen.items()}
    self._providers = self._need_providers()
    self._check_providers()
    if self.custom and protocol.bn_inference != "moving":
      raise InputError(
          f"bn_inference {protocol.bn_inference!r} cannot be applied to the "
          f"exported generator of a run with user-built networks (it runs "
          f"as exported, in inference mode); use bn_inference 'moving'.")
    self.reference_stats = (self._load_reference_stats(reference_stats)
                            if reference_stats else None)
    self.validation_split = (protocol.validation_split or
                             default_validation_split(self.config.dataset))
    # "ema": the EMA generator's weights are loaded into self.generator.
    self.generator_kind = generator_kind(self.config, protocol.use_ema)
    if protocol.use_ema and self.generator_kind == "raw":
      logging.info("%s has no EMA generator (ema_decay 0): scoring the raw "
                   "generator.", model_dir)
    if self.custom:  # The checkpoint's exported generator, in _restore.
      self.generator = self.discriminator = self.generate = None
    else:
      _, self.generator, self.discriminator = workspace.build_models_for(
          model_dir)
      set_inference_statistics(self.generator, protocol.bn_inference)
      self.generate = generator_fn(self.generator, mc.z_dim)
    self.objective = None
    self.scorer = self._projection = None
    if self._uses(mr.GENERATED_CLASS_SCORES, mr.DISCRIMINATOR_ON_VALIDATION,
                  mr.DISCRIMINATOR_ON_TRAIN):
      self._projection = cond.projection_scorer(self.discriminator,
                                                self.info.sample_shape)
      self.scorer = self._class_scorer(class_scores_fn)
    self._reference = None
    self._real = {}
    self._real_sq_radii = None

  # -------------------------------------------------------------- checking
  def _uses(self, *needs: mr.Need) -> bool:
    """Whether a chosen metric is computed from one of `needs`."""
    return any(set(needs) & set(n) for n in self._needs.values())

  def _check_providers(self) -> None:
    for name, needs in self._needs.items():
      missing = [n.name for n in needs if n not in self._providers]
      if missing:
        raise InputError(f"Metric {name!r} needs {missing}, which the "
                         f"evaluator does not compute.")

  def _load_reference_stats(self, path: str):
    check_statistics_file_use(self.registry, self.metrics, self.network)
    return load_reference_stats(path, feature_dim=self.network.feature_dim)

  def _class_scorer(self, class_scores_fn) -> cond.ClassScorer:
    if class_scores_fn is not None:
      return cond.ClassScorer(class_scores_fn, "given")
    scorer = None
    if self.config.objective.aux != "none":
      from tfgan_ext.objectives import build_objective
      self.objective = build_objective(self.config.objective,
                                       self.num_classes, seed=self.config.seed)
      self.objective.build(self.discriminator)
      scorer = cond.find_head_scorer(self.objective, self.discriminator,
                                     self.info.sample_shape)
    if scorer is None:
      logging.info("No auxiliary classifier in this run: validation and self "
                   "accuracy use the projection classification argmax_k "
                   "D(x, k).")
      scorer = self._projection
    return scorer

  # ---------------------------------------------------------------- state
  def pending(self, step: int) -> list[str]:
    """Metrics not yet in the results file for `step` under this protocol."""
    done = self.results.done_keys()
    return [m for m in self.metrics
            if row_key(self._row(step, m, None, "")) not in done]

  def _restore(self, path: str) -> None:
    if not tf.io.gfile.exists(path + ".index"):
      raise CheckpointUnavailable(f"{path} does not exist (rotated away?).")
    if self.custom:
      self._load_export(workspace.checkpoint_step(path))
    else:
      try:
        restore_networks(path, self.generator, self.discriminator,
                         self.objective)
        if self.generator_kind == "ema":
          restore_ema_generator(path, self.generator)
      except (tf.errors.OpError, ValueError, AssertionError, IndexError,
              OSError) as err:  # IndexError: a truncated data file.
        raise CheckpointUnavailable(
            f"{path} could not be read ({type(err).__name__}: "
            f"{str(err).splitlines()[0][:200]}).") from err
    # No number is computed from a diverged (or damaged) network.
    check_finite_weights(self.generator.variables,
                         f"the generator of {path}")
    if self._projection is not None:
      check_finite_weights(self.discriminator.variables,
                           f"the discriminator of {path}")

  def _load_export(self, step: int) -> None:
    """The generator a run with user-built networks exported at `step`."""
    self.generator = load_exported_generator(self.model_dir, step,
                                             self.config)
    check_generator_kind(self.generator, self.generator_kind, self.config)
    self.generate = generator_fn(self.generator, self.config.model.z_dim)

  def reference(self) -> ReferenceData:
    if self._reference is None:
      p, mc = self.protocol, self.config.model
      self._reference = ReferenceData(
          self.network, self.config.dataset, p.reference_split,
          image_size=mc.image_size, channels=mc.channels,
          num_samples=p.reference_samples or p.num_samples,
          cache_dir=self.cache_dir, data_dir=self.data_dir,
          batch_size=p.batch_size)
    return self._reference

  def _reference_count(self) -> dict:
    """The real examples used as reference, and the count asked for when the
    split's size capped it (row details)."""
    ref = self.reference()
    out = {"reference_samples": ref.num_examples}
    if ref.requested_samples != ref.num_examples:
      out["reference_samples_requested"] = ref.requested_samples
    return out

  def real_examples(self, split: str) -> tuple[np.ndarray, np.ndarray]:
    if split not in self._real:
      mc = self.config.model
      cap = self.protocol.conditioning_samples or None
      info = data_lib.dataset_info(self.config.dataset, split=split,
                                   image_size=mc.image_size,
                                   channels=mc.channels,
                                   data_dir=self.data_dir)
      if info.num_examples is None and cap is None:
        cap = 10_000
      self._real[split] = split_arrays(
          self.config.dataset, split, image_size=mc.image_size,
          channels=mc.channels, max_examples=cap, data_dir=self.data_dir)
    return self._real[split]

  # ----------------------------------------------------------------- rows
  def _row(self, step: int, metric: str, value, checkpoint: str, std=None,
           details: Optional[dict] = None) -> dict:
    p = self.protocol
    spec = self._chosen[metric]
    if spec.requires("discriminator", self.network):
      network = DISCRIMINATOR
    else:
      network = self.network.name if self.network is not None else None
    split = {"reference": p.reference_split,
             "validation": self.validation_split,
             "train": self.config.split,
             "none": "none"}[spec.real_split]
    details = dict(details or {})
    reference_samples = details.pop("reference_samples",
                                    details.pop("real_examples", None))
    extra = {}
    if (self.reference_stats is not None
        and mr.REFERENCE_STATISTICS in self._needs[metric]):
      stats = self.reference_stats
      # A file, not a split: its content hash keeps the row key apart.
      split = f"file:{os.path.basename(stats.path)}@{stats.sha256[:12]}"
      reference_samples = stats.num_examples
      extra["reference_stats"] = stats.protocol()
    return dict(step=int(step), metric=metric, value=value, std=std,
                feature_network=network, num_samples=p.num_samples,
                num_groups=p.num_groups, reference_split=split,
                reference_samples=reference_samples, batch_size=p.batch_size,
                bn_inference=p.bn_inference,
                generator=(None if metric in GENERATOR_FREE_METRICS
                           else self.generator_kind),
                dataset=self.config.dataset, checkpoint=checkpoint,
                details=details, **extra)

  # ------------------------------------------------------------- evaluate
  def evaluate(self, checkpoint_path: str) -> list[dict]:
    """Computes the pending metrics of one checkpoint and appends their rows.

    Each need of the pending metrics is computed once and handed to the
    metrics that asked for it; the rows of the metrics whose last source
    (`metric_registry.SOURCES`) is the same are appended together, in the
    order of the sources. Raises CheckpointUnavailable when the checkpoint
    cannot be read.
    """
    step = workspace.checkpoint_step(checkpoint_path)
    pending = self.pending(step)
    if not pending:
      logging.info("Step %d already evaluated; skipped.", step)
      return []
    self._restore(checkpoint_path)
    start = time.monotonic()
    name = os.path.basename(checkpoint_path)
    values = _CheckpointValues(
        self._providers, [n for m in pending for n in self._needs[m]], step)
    context = mr.Context(
        step=step, protocol=self.protocol, network=self.network,
        num_classes=self.num_classes, z_dim=self.config.model.z_dim,
        classifier=types.MappingProxyType(
            self._classifier_details() if self.scorer else {}),
        progress=lambda label, total: self._progress(label, total).update)
    rows: list[dict] = []
    for source in mr.SOURCES:
      new_rows = []
      for metric in pending:
        spec = self._chosen[metric]
        if spec.source(self.network) != source:
          continue
        inputs = {need: values.get(need)
                  for need in spec.needs_for(self.network)}
        result = spec.compute(types.MappingProxyType(inputs), context)
        new_rows.append(self._row(step, metric, result.value, name,
                                  result.std, result.details))
      if new_rows:
        self.results.append(new_rows)
        rows.extend(new_rows)
    seconds = time.monotonic() - start
    logging.info("Step %d evaluated in %.1f s: %s", step, seconds, ", ".join(
        f"{r['metric']}={r['value']:.4f}" for r in rows
        if r["value"] is not None))
    return rows

  def _progress(self, label: str, total: Optional[int]) -> Progress:
    return Progress(label, total, every=self.progress_every)

  def _classifier_details(self) -> dict:
    details = {"classifier": self.scorer.source}
    if self.scorer.source == cond.PROJECTION:
      details["note"] = ("no auxiliary classifier in this run: projection "
                         "classification argmax_k D(x, k)")
    return details

  # ------------------------------------------------------------ the needs
  def _need_providers(self) -> dict:
    """need -> fn(values) -> its value at the checkpoint being evaluated."""
    return {
        mr.SAMPLE_LABELS: lambda values: self._sample_labels(),
        mr.GENERATED_FEATURES: lambda values: self._shared_pass(values)["net"],
        mr.GENERATED_LOGITS:
            lambda values: values.get(mr.GENERATED_FEATURES)["logits"],
        mr.GENERATED_CLASS_SCORES:
            lambda values: self._shared_pass(values)["head"]["scores"],
        mr.REFERENCE_STATISTICS: lambda values: self._reference_moments(),
        mr.REFERENCE_FEATURES:
            lambda values: self.reference().features()["pool"],
        mr.REFERENCE_LABELS:
            lambda values: self.reference().features()["labels"],
        mr.REFERENCE_COUNT: lambda values: self._reference_count(),
        mr.CLASS_CENTROIDS: lambda values: self.reference().class_centroids(
            self.info.num_classes),
        mr.PRDC: lambda values: self._prdc(
            values.step, values.get(mr.GENERATED_FEATURES)["pool"]),
        mr.GENERATOR: lambda values: self.generate,
        mr.DISCRIMINATOR_ON_VALIDATION: lambda values: self._d_on_real(
            self.validation_split, self.scorer),
        mr.DISCRIMINATOR_ON_TRAIN: lambda values: self._d_on_real(
            self.config.split, self._projection),
    }

  def _sample_labels(self) -> np.ndarray:
    return balanced_labels(self.protocol.num_samples, self.num_classes)

  def _shared_pass(self, values: _CheckpointValues) -> dict:
    """One pass of G over the shared latent vectors, each batch going to
    every consumer a pending metric needs: the feature network ("net") and
    the run's class scorer ("head")."""
    if "shared" not in values.scratch:
      p, mc = self.protocol, self.config.model
      labels = self._sample_labels()
      z = latent_vectors(p.num_samples, mc.z_dim, p.seed)
      consumers = {}
      if mr.GENERATED_FEATURES in values.wanted:
        consumers["net"] = lambda x, y: self.network(x)
      if mr.GENERATED_CLASS_SCORES in values.wanted:
        consumers["head"] = lambda x, y: {"scores": self.scorer.fn(x)}
      progress = self._progress(f"step {values.step}: samples",
                                p.num_samples)
      values.scratch["shared"] = stream_outputs(
          self.generate, consumers, labels, z, p.batch_size, progress.update)
    return values.scratch["shared"]

  def _reference_moments(self) -> mr.RealMoments:
    if self.reference_stats is not None:
      stats = self.reference_stats
      return mr.RealMoments(stats.mu, stats.sigma)
    mu, sigma = self.reference().statistics()
    return mr.RealMoments(mu, sigma, self._reference_count())

  def _prdc(self, step: int, pool: np.ndarray) -> dict:
    """Precision, recall, density, coverage of the generated features; the
    real k-NN radii are computed once per job."""
    real = self.reference().features()["pool"]
    if self._real_sq_radii is None:
      progress = self._progress("PR/DC real k-NN radii (distance tiles)", None)
      self._real_sq_radii = prdc_lib.knn_sq_radii(real,
                                                  progress=progress.update)
    progress = self._progress(f"step {step}: PR/DC distance tiles", None)
    return prdc_lib.precision_recall_density_coverage(
        real, pool, real_sq_radii=self._real_sq_radii,
        progress=progress.update)

  def _d_on_real(self, split: str, scorer: cond.ClassScorer) -> dict:
    """The run's class scorer and D on real examples of `split`."""
    x, y = self.real_examples(split)
    res = cond.conditioning_on_real(self.discriminator, scorer, x, y,
                                    self.protocol.batch_size,
                                    self._projection)
    return dict(res, real_examples=len(y))
