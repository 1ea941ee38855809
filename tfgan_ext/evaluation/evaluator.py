"""Evaluates one checkpoint of a model_dir and appends its result rows.

Metrics (`parse_metrics` also accepts the groups below):
  is, fid, kid, intra_fid, sample_accuracy, quality, diversity,
  modes_covered (2-D mixtures only), within_class_spread (conditional),
  precision, recall, density, coverage (k = 3, `metrics.prdc`)
      from a feature network (Inception, a domain classifier, the 2-D
      mixture) on generated samples with class-balanced labels; with a
      classifier, "is" is the classifier score.
  validation_accuracy, self_accuracy, projection_accuracy,
  d_real_accuracy_train, d_real_accuracy_validation
      conditioning metrics from the run's own D (MHGAN section 3.2).
Groups: "conditioning" (the five D metrics), "sqd" (quality, diversity),
"prdc" (precision, recall, density, coverage).

With `reference_stats` (a TTUR / pytorch-fid .npz of mu and sigma), FID
compares against that file instead of the reference split; the metrics that
need real features (REFERENCE_FEATURE_METRICS) cannot use it.
"""

from __future__ import annotations

import os
import time
from typing import Callable, Iterable, Optional, Sequence, Union

from absl import logging
import numpy as np
import tensorflow as tf

from tfgan_ext import data as data_lib
from tfgan_ext import workspace
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation import conditioning as cond
from tfgan_ext.evaluation import sample_metrics as sm
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
from tfgan_ext.metrics.domain_networks import COVERED_SHARE, MixtureNetwork
from tfgan_ext.nn.normalization import set_inference_statistics

__all__ = ["CONDITIONING_METRICS", "CheckpointUnavailable", "Evaluator",
           "PRDC_METRICS", "REFERENCE_FEATURE_METRICS", "SAMPLE_METRICS",
           "parse_metrics"]

PRDC_METRICS = ("precision", "recall", "density", "coverage")
SAMPLE_METRICS = ("is", "fid", "kid", "intra_fid", "sample_accuracy",
                  "quality", "diversity", "modes_covered",
                  "within_class_spread") + PRDC_METRICS
# Metrics that compare with real features, not only their mean/covariance.
REFERENCE_FEATURE_METRICS = ("kid", "intra_fid", "diversity",
                             "within_class_spread") + PRDC_METRICS
CONDITIONING_METRICS = ("validation_accuracy", "self_accuracy",
                        "projection_accuracy", "d_real_accuracy_train",
                        "d_real_accuracy_validation")
GROUPS = {"conditioning": CONDITIONING_METRICS, "sqd": ("quality", "diversity"),
          "prdc": PRDC_METRICS}
_NEEDS_LABELS = (("intra_fid", "sample_accuracy", "within_class_spread")
                 + CONDITIONING_METRICS)
_MAIN_PASS = ("is", "fid", "kid", "sample_accuracy", "quality", "diversity",
              "modes_covered", "within_class_spread",
              "self_accuracy") + PRDC_METRICS
DISCRIMINATOR = "discriminator"


class CheckpointUnavailable(RuntimeError):
  """A checkpoint could not be read (rotated away, or still being written)."""


def parse_metrics(spec: Union[str, Sequence[str]]) -> tuple[str, ...]:
  """Metric names from "fid,is,conditioning" (groups expanded, order kept)."""
  names = spec.split(",") if isinstance(spec, str) else list(spec)
  out: list[str] = []
  for name in (n.strip() for n in names):
    if not name:
      continue
    expanded = GROUPS.get(name, (name,))
    for metric in expanded:
      if metric not in SAMPLE_METRICS + CONDITIONING_METRICS:
        raise InputError(
            f"Unknown metric {metric!r}; choose from "
            f"{list(SAMPLE_METRICS + CONDITIONING_METRICS)} or the groups "
            f"{sorted(GROUPS)}.")
      if metric not in out:
        out.append(metric)
  if not out:
    raise InputError("No metrics given.")
  return tuple(out)


class Evaluator:
  """Evaluates checkpoints of one model_dir with one feature network.

  Everything is validated in the constructor, before any file is written.

  Args:
    model_dir: the training run's directory.
    metrics: names or groups (see module docstring).
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
  """

  def __init__(self, model_dir: str, metrics: Union[str, Sequence[str]],
               protocol: EvalProtocol = EvalProtocol(), network=None, *,
               cache_dir: Optional[str] = None,
               data_dir: Optional[str] = None,
               class_scores_fn: Optional[Callable] = None,
               progress_every: float = 10.0,
               reference_stats: Optional[str] = None):
    protocol.validate()
    self.model_dir = model_dir
    self.metrics = parse_metrics(metrics)
    self.protocol = protocol
    self.network = network
    self.cache_dir = cache_dir
    self.data_dir = data_dir
    self.progress_every = progress_every
    self.config = workspace.load_config(model_dir)
    mc = self.config.model
    self.num_classes = mc.num_classes
    self.info = data_lib.dataset_info(
        self.config.dataset, split=self.config.split, image_size=mc.image_size,
        channels=mc.channels, data_dir=data_dir)
    self._check_metrics()
    self.reference_stats = (self._load_reference_stats(reference_stats)
                            if reference_stats else None)
    self.validation_split = (protocol.validation_split or
                             default_validation_split(self.config.dataset))
    _, self.generator, self.discriminator = workspace.build_models_for(
        model_dir)
    set_inference_statistics(self.generator, protocol.bn_inference)
    # "ema": the EMA generator's weights are loaded into self.generator.
    self.generator_kind = generator_kind(self.config, protocol.use_ema)
    if protocol.use_ema and self.generator_kind == "raw":
      logging.info("%s has no EMA generator (ema_decay 0): scoring the raw "
                   "generator.", model_dir)
    self.generate = generator_fn(self.generator, mc.z_dim)
    self.objective = None
    self.scorer = self._projection = None
    if set(self.metrics) & set(CONDITIONING_METRICS):
      self._projection = cond.projection_scorer(self.discriminator,
                                                self.info.sample_shape)
      self.scorer = self._class_scorer(class_scores_fn)
    self.results = ResultsFile(model_dir)
    self._reference = None
    self._real = {}
    self._real_sq_radii = None

  # -------------------------------------------------------------- checking
  def _check_metrics(self) -> None:
    chosen = set(self.metrics)
    mc, net = self.config.model, self.network
    if chosen & set(_NEEDS_LABELS) and mc.num_classes < 1:
      raise InputError(
          f"{sorted(chosen & set(_NEEDS_LABELS))} need a class-conditional "
          f"model; this run is unconditional.")
    sample = chosen & set(SAMPLE_METRICS)
    if not sample:
      return
    if net is None:
      raise InputError(f"{sorted(sample)} need a feature network (Inception "
                       f"or a domain classifier).")
    if self.info.is_image == isinstance(net, MixtureNetwork):
      kind = "images" if self.info.is_image else "2-D points"
      raise InputError(f"Feature network {net.name!r} does not fit this run's "
                       f"data ({kind}).")
    trained_on = getattr(getattr(net, "info", None), "dataset", None)
    if trained_on is not None and trained_on != self.config.dataset:
      raise InputError(f"The classifier {net.name!r} was trained on "
                       f"{trained_on!r}, the run on {self.config.dataset!r}.")
    if "sample_accuracy" in chosen and getattr(
        net, "num_classes", 0) < mc.num_classes:
      raise InputError(
          f"sample_accuracy needs a network that classifies the run's "
          f"{mc.num_classes} classes ({net.name!r} is not one); use a domain "
          "classifier trained on this dataset (--classifier_path).")
    needs_logits = chosen & {"is"}
    if "quality" in chosen and not hasattr(net, "quality"):
      needs_logits.add("quality")
    if needs_logits and not getattr(net, "provides_logits", True):
      raise InputError(
          f"{sorted(needs_logits)} need class logits; {net.name!r} gives only "
          f"pool features (FID, KID). The Inception Score needs the TF-Hub "
          f"classifier module tfgan/eval/inception/1 (--inception_path "
          f"DIR of the extracted module).")
    if "modes_covered" in chosen and not hasattr(net, "modes_covered"):
      raise InputError(
          f"modes_covered counts samples near the known modes of a 2-D "
          f"mixture (ring8, ring8_r2, grid25); {net.name!r} has no such modes. Use "
          "diversity (SQD's D) for image data.")
    if chosen & {"intra_fid", "diversity"} and self.info.num_classes < 1:
      raise InputError("intra_fid and diversity need labelled real data.")

  def _load_reference_stats(self, path: str):
    chosen = set(self.metrics)
    if "fid" not in chosen:
      raise InputError("Reference statistics (--reference_stats) are used "
                       "only by fid; add fid to the metrics or drop the file.")
    needs_features = sorted(chosen & set(REFERENCE_FEATURE_METRICS))
    if needs_features:
      raise InputError(
          f"A statistics file holds only mu and sigma, enough for fid alone; "
          f"{needs_features} need real features. Evaluate them in a separate "
          f"job without --reference_stats (they then use the reference "
          f"split's features).")
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
    if metric in CONDITIONING_METRICS:
      network = DISCRIMINATOR
      split = {"d_real_accuracy_train": self.config.split,
               "self_accuracy": "none"}.get(metric, self.validation_split)
    else:
      network = self.network.name
      split = p.reference_split
    details = dict(details or {})
    reference_samples = details.pop("reference_samples",
                                    details.pop("real_examples", None))
    extra = {}
    if metric == "fid" and self.reference_stats is not None:
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

    Raises CheckpointUnavailable when the checkpoint cannot be read.
    """
    step = workspace.checkpoint_step(checkpoint_path)
    pending = self.pending(step)
    if not pending:
      logging.info("Step %d already evaluated; skipped.", step)
      return []
    self._restore(checkpoint_path)
    start = time.monotonic()
    name = os.path.basename(checkpoint_path)
    rows: list[dict] = []

    def emit(new_rows: Iterable[dict]) -> None:
      new_rows = list(new_rows)
      self.results.append(new_rows)
      rows.extend(new_rows)

    if set(pending) & set(_MAIN_PASS):
      emit(self._main_pass(step, name, pending))
    if "intra_fid" in pending:
      emit([self._intra_fid(step, name)])
    if set(pending) & set(CONDITIONING_METRICS) - {"self_accuracy"}:
      emit(self._real_conditioning(step, name, pending))
    seconds = time.monotonic() - start
    logging.info("Step %d evaluated in %.1f s: %s", step, seconds, ", ".join(
        f"{r['metric']}={r['value']:.4f}" for r in rows
        if r["value"] is not None))
    return rows

  def _progress(self, label: str, total: int) -> Progress:
    return Progress(label, total, every=self.progress_every)

  def _main_pass(self, step: int, name: str, pending: list[str]) -> list[dict]:
    p, mc = self.protocol, self.config.model
    labels = balanced_labels(p.num_samples, mc.num_classes)
    z = latent_vectors(p.num_samples, mc.z_dim, p.seed)
    consumers = {}
    if set(pending) & set(_MAIN_PASS) - {"self_accuracy"}:
      consumers["net"] = lambda x, y: self.network(x)
    if "self_accuracy" in pending:
      consumers["head"] = lambda x, y: {"scores": self.scorer.fn(x)}
    progress = self._progress(f"step {step}: samples", p.num_samples)
    out = stream_outputs(self.generate, consumers, labels, z, p.batch_size,
                         progress.update)
    rows = []
    net = out.get("net")
    ref_count = self._reference_count
    prdc_values = None  # All four from one computation.
    for metric in pending:
      if metric == "is":
        mean, std = sm.score_and_spread(net["logits"], p.num_groups, p.seed)
        rows.append(self._row(step, metric, mean, name, std, {
            "group_size": p.num_samples // p.num_groups}))
      elif metric == "fid" and self.reference_stats is not None:
        stats = self.reference_stats
        value = sm.fid_from_reference(net["pool"], (stats.mu, stats.sigma))
        rows.append(self._row(step, metric, value, name))
      elif metric == "fid":
        value = sm.fid_from_reference(net["pool"],
                                      self.reference().statistics())
        rows.append(self._row(step, metric, value, name, details=ref_count()))
      elif metric in PRDC_METRICS:
        if prdc_values is None:
          prdc_values = self._prdc(step, net["pool"])
        rows.append(self._row(step, metric, prdc_values[metric], name,
                              details=dict(ref_count(), k=prdc_lib.DEFAULT_K)))
      elif metric == "kid":
        mean, std = sm.kid(net["pool"], self.reference().features()["pool"],
                           p.seed)
        rows.append(self._row(step, metric, mean, name, std, ref_count()))
      elif metric == "sample_accuracy":
        rows.append(self._row(step, metric,
                              sm.sample_accuracy(net["logits"], labels), name))
      elif metric == "quality":
        rows.append(self._row(step, metric, sm.quality_score(self.network, net),
                              name))
      elif metric == "diversity":
        centroids = self.reference().class_centroids(self.info.num_classes)
        value, log_modes = sm.mode_diversity(net["pool"], centroids)
        rows.append(self._row(step, metric, value, name, details=dict(
            ref_count(), log_num_modes=log_modes, num_modes=len(centroids))))
      elif metric == "within_class_spread":
        ref = self.reference().features()
        value, per_class = sm.within_class_spread(
            net["pool"], labels, ref["pool"], ref["labels"])
        rows.append(self._row(step, metric, value, name, details=dict(
            ref_count(), per_class=per_class)))
      elif metric == "modes_covered":
        counts = self.network.mode_counts(net)
        rows.append(self._row(
            step, metric, self.network.modes_covered(net), name,
            details=dict(mode_counts=[int(c) for c in counts],
                         min_share=COVERED_SHARE, num_modes=len(counts))))
      elif metric == "self_accuracy":
        value = cond.accuracy(out["head"]["scores"], labels)
        rows.append(self._row(step, metric, value, name,
                              details=self._classifier_details()))
    return rows

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

  def _classifier_details(self) -> dict:
    details = {"classifier": self.scorer.source}
    if self.scorer.source == cond.PROJECTION:
      details["note"] = ("no auxiliary classifier in this run: projection "
                         "classification argmax_k D(x, k)")
    return details

  def _intra_fid(self, step: int, name: str) -> dict:
    p, mc = self.protocol, self.config.model
    ref = self.reference().features()
    per_class = p.per_class(mc.num_classes)
    progress = self._progress(f"step {step}: intra-FID samples",
                              per_class * mc.num_classes)
    mean, per = sm.chunked_intra_fid(
        self.generate, self.network, ref["pool"], ref["labels"],
        range(mc.num_classes), per_class=per_class, chunk=p.class_chunk,
        z_dim=mc.z_dim, seed=p.seed, batch_size=p.batch_size,
        progress=progress.update)
    return self._row(step, "intra_fid", mean, name, details={
        "per_class": {str(k): v for k, v in per.items()},
        "per_class_samples": per_class, **self._reference_count()})

  def _real_conditioning(self, step: int, name: str,
                         pending: list[str]) -> list[dict]:
    rows = []
    batch = self.protocol.batch_size
    wanted_val = {"validation_accuracy", "projection_accuracy",
                  "d_real_accuracy_validation"} & set(pending)
    if wanted_val:
      x, y = self.real_examples(self.validation_split)
      res = cond.conditioning_on_real(self.discriminator, self.scorer, x, y,
                                      batch, self._projection)
      values = {"validation_accuracy": res["classifier_accuracy"],
                "projection_accuracy": res["projection_accuracy"],
                "d_real_accuracy_validation": res["d_real_accuracy"]}
      for metric in [m for m in pending if m in wanted_val]:
        details = {"real_examples": len(y)}
        if metric == "validation_accuracy":
          details.update(self._classifier_details())
        rows.append(self._row(step, metric, values[metric], name,
                              details=details))
    if "d_real_accuracy_train" in pending:
      x, y = self.real_examples(self.config.split)
      res = cond.conditioning_on_real(self.discriminator, self._projection,
                                      x, y, batch, self._projection)
      rows.append(self._row(step, "d_real_accuracy_train",
                            res["d_real_accuracy"], name,
                            details={"real_examples": len(y)}))
    return rows
