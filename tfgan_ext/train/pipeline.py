"""The Trainer's batch stream: real batches, G's noise and labels, position.

One stream of dict batches per run (see `objectives.base`): "image" [B, ...]
and "label" [B] int32 from the data, "z" / "z_g" [B, z_dim] and FAKE_LABEL /
FAKE_LABEL_G [B] for the D and G steps (`_add_noise`), and
"unlabelled_image" when an unlabelled source is configured.

The data is a named dataset (`tfgan_ext.data`) or the caller's own
`tf.data.Dataset` of single examples: images [H, W, C] (or points [d]), or
(image, label) pairs, or {"image", "label"} dicts. Both go through the same
steps: keep the label_fraction share, shuffle(10000, seed) + repeat, batch to
`batch_size` (dropping the remainder), attach the noise keyed by (seed, batch
index). With `deterministic` the stream is one fixed sequence and a resumed
run skips the batches already consumed, so it sees exactly the batches and
noise of an uninterrupted run.
"""

from __future__ import annotations

from typing import Any, Optional

import tensorflow as tf

from tfgan_ext import data as data_lib
from tfgan_ext.config import TrainConfig
from tfgan_ext.data.base import DatasetInfo, finish_pipeline
from tfgan_ext.errors import InputError
from tfgan_ext.objectives import FAKE_LABEL, UNLABELLED_IMAGE
from tfgan_ext.train.step import FAKE_LABEL_G

__all__ = ["CUSTOM_DATASET", "FAKE_LABELS", "InputPipeline",
           "describe_dataset"]

FAKE_LABELS = ("uniform", "real")
CUSTOM_DATASET = "custom"  # config.dataset of a run on the caller's dataset.


def _add_noise(seed: int, z_dim: int, num_classes: int = 0,
               fake_labels: str = "uniform"):
  """Attaches G's inputs for the D step and the G step to batch number i:
  noise "z" / "z_g" and labels FAKE_LABEL / FAKE_LABEL_G, keyed by (seed, i).

  Labels: with `fake_labels` "uniform" and a conditional model, separate
  uniform draws over the `num_classes` classes for the two steps,
  independent of the real batch (as TF-GAN); with "real" (or an
  unconditional model), the real batch's labels. Drawing in the input
  pipeline, on the global batch, makes them the same whatever the number
  of replicas and lets a resumed run continue the same stream.
  """
  def fn(index, batch):
    size = tf.shape(batch["image"])[0]
    key = tf.stack([tf.constant(seed, tf.int64), index])
    noise = tf.random.stateless_normal([2, size, z_dim], key)
    out = {**batch, "z": noise[0], "z_g": noise[1]}
    if num_classes > 0 and fake_labels == "uniform":
      label_key = tf.random.experimental.stateless_fold_in(key, 1)
      drawn = tf.random.stateless_uniform(
          [2, size], label_key, minval=0, maxval=num_classes,
          dtype=batch["label"].dtype)
      out[FAKE_LABEL], out[FAKE_LABEL_G] = drawn[0], drawn[1]
    else:
      out[FAKE_LABEL] = out[FAKE_LABEL_G] = batch["label"]
    return out
  return fn


def _in_labelled_share(index: tf.Tensor, fraction: float) -> tf.Tensor:
  """True for an evenly spread `fraction` of example indices: i is kept when
  floor((i + 1) f) > floor(i f)."""
  i = tf.cast(index, tf.float64)
  return tf.floor((i + 1.0) * fraction) > tf.floor(i * fraction)


# ------------------------------------------------------ the caller's data
def _split_element(spec: Any) -> tuple[Any, Any]:
  """(sample spec, label spec or None) of a dataset element's spec."""
  if isinstance(spec, dict):
    if "image" not in spec:
      raise InputError(
          f"The dataset yields dicts with keys {sorted(spec)}; it needs an "
          "'image' key (and 'label' for a conditional model).")
    return spec["image"], spec.get("label")
  if isinstance(spec, (tuple, list)):
    if len(spec) != 2:
      raise InputError(
          f"The dataset yields tuples of {len(spec)} items; yield an image "
          "alone or (image, label).")
    return spec[0], spec[1]
  return spec, None


def describe_dataset(dataset: Any, num_classes: int) -> DatasetInfo:
  """Checks the caller's dataset (module docstring) and describes it.

  Args:
    dataset: a `tf.data.Dataset` of single examples.
    num_classes: the model's classes (0: unconditional; -1 is refused, the
      count cannot be read from a dataset).

  Returns:
    DatasetInfo(name="custom", num_classes, sample_shape, num_examples: the
    dataset's cardinality when finite and known, else None).

  Raises:
    InputError: not a dataset, batched or shapeless samples, non-float
      samples, labels missing for a conditional model.
  """
  if not isinstance(dataset, tf.data.Dataset):
    raise InputError(f"dataset must be a tf.data.Dataset; got "
                     f"{type(dataset).__name__}.")
  sample, label = _split_element(dataset.element_spec)
  if not isinstance(sample, tf.TensorSpec):
    raise InputError(f"The dataset's samples must be tensors; got {sample}.")
  shape = sample.shape
  if shape.rank not in (1, 3) or not shape.is_fully_defined():
    raise InputError(
        f"The dataset yields samples of shape {shape}; yield single examples "
        "of a fixed shape: images [H, W, C] or points [d] (unbatch a batched "
        "dataset; give a static shape with tf.ensure_shape).")
  if not sample.dtype.is_floating:
    raise InputError(
        f"The dataset yields {sample.dtype.name} samples; yield floats, "
        "images scaled to [-1, 1] (e.g. tf.cast(x, tf.float32) / 127.5 - 1).")
  if label is not None and (not isinstance(label, tf.TensorSpec) or
                            not label.dtype.is_integer or
                            label.shape.num_elements() not in (1, None)):
    raise InputError(f"The dataset's labels must be integer scalars; got "
                     f"{label}.")
  if num_classes < 0:
    raise InputError(
        "num_classes=-1 (all of the dataset's classes) needs a named "
        "dataset; with your own dataset, set ModelConfig(num_classes=...) to "
        "its number of classes (0: unconditional).")
  if num_classes > 0 and label is None:
    raise InputError(
        f"The model is conditional ({num_classes} classes), but the dataset "
        "yields no labels: yield (image, label) pairs, or set num_classes=0.")
  size = int(dataset.cardinality())
  return DatasetInfo(name=CUSTOM_DATASET,
                     num_classes=num_classes if label is not None else 0,
                     sample_shape=tuple(int(s) for s in shape),
                     num_examples=size if size >= 0 else None)


def _pairs(dataset: tf.data.Dataset) -> tf.data.Dataset:
  """The caller's examples as (float32 sample, int32 label) pairs (label 0
  when it yields none)."""
  def to_pair(*element):
    element = element[0] if len(element) == 1 else element
    if isinstance(element, dict):
      sample, label = element["image"], element.get("label")
    elif isinstance(element, (tuple, list)):
      sample, label = element
    else:
      sample, label = element, None
    label = (tf.zeros([], tf.int32) if label is None
             else tf.cast(tf.reshape(label, []), tf.int32))
    return tf.cast(sample, tf.float32), label
  return dataset.map(to_pair)


# ------------------------------------------------------------- the stream
class InputPipeline:
  """The run's batch stream (module docstring).

  Args:
    config: the run's resolved TrainConfig (batch_size, seed, the data's
      name, split and shape, label_fraction, unlabelled source, noise).
    strategy: distributes the stream over the replicas.
    info: the labelled data's DatasetInfo.
    dataset: the caller's dataset of single examples, or None to read
      `config.dataset`.
  """

  def __init__(self, config: TrainConfig, strategy: tf.distribute.Strategy,
               info: DatasetInfo, dataset: Optional[tf.data.Dataset] = None):
    self.config = config
    self.strategy = strategy
    self.info = info
    self.user_dataset = dataset

  def _examples(self, seed: int) -> tf.data.Dataset:
    """The labelled source as ordered single (sample, label) examples
    (`seed` seeds a sampler such as the 2-D mixtures)."""
    if self.user_dataset is not None:
      return _pairs(self.user_dataset)
    c, mc = self.config, self.config.model
    return data_lib.make_dataset(
        c.dataset, c.split, 1, training=False, image_size=mc.image_size,
        channels=mc.channels, seed=seed, data_dir=c.data_dir,
        download=c.download)[0].unbatch()

  def _batches(self, name: str, split: str, share: Optional[bool] = None,
               seed: int = 0, training: bool = True) -> tf.data.Dataset:
    """Batches of (samples, labels): shuffled and endless when `training`,
    else one ordered pass. With `share` True (False), only the examples
    inside (outside) the label_fraction share are read; with None, all.
    `name` / `split` name a dataset; None is the labelled source."""
    c, mc = self.config, self.config.model
    fraction = c.label_fraction
    if name is not None and (share is None or fraction >= 1.0):
      return data_lib.make_dataset(
          name, split, c.batch_size, training=training,
          image_size=mc.image_size, channels=mc.channels, seed=seed,
          data_dir=c.data_dir, download=c.download)[0]
    examples = self._examples(seed)
    if share is not None and fraction < 1.0:
      examples = examples.enumerate().filter(
          lambda i, ex: tf.equal(_in_labelled_share(i, fraction), share)
      ).map(lambda i, ex: ex)
    size = self.info.num_examples if self.user_dataset is not None else None
    return finish_pipeline(examples, c.batch_size, training=training,
                           seed=seed, num_examples=size)

  def _labelled(self, seed: int, training: bool = True) -> tf.data.Dataset:
    c = self.config
    if self.user_dataset is not None:
      return self._batches(None, "", share=True, seed=seed,
                           training=training)
    return self._batches(c.dataset, c.split, share=True, seed=seed,
                         training=training)

  def batches(self, seed: int) -> tf.data.Dataset:
    """Endless dict batches {"image", "label"} (+ "unlabelled_image" when
    an unlabelled source is configured: every example of that dataset and
    split, so with the labelled dataset and split the unlabelled stream is
    all of the training images, the labelled share included, as ImageNet
    holds its 10% subset in the MHGAN-SSL set-up)."""
    c = self.config
    labelled = self._labelled(seed).map(
        lambda x, y: {"image": x, "label": y})
    if not c.unlabelled_dataset:
      return labelled
    unlabelled = self._batches(c.unlabelled_dataset, c.unlabelled_split,
                               seed=seed + 1)
    return tf.data.Dataset.zip(labelled, unlabelled.map(lambda x, y: x)).map(
        lambda batch, images: {**batch, UNLABELLED_IMAGE: images})

  def stream(self, start_batch: int):
    """(distributed dataset, its iterator) positioned at batch
    `start_batch`, with the noise attached.

    With `deterministic`, the stream is the run's one fixed sequence and
    resuming skips the batches already consumed (step x d_steps), so a
    resumed run sees exactly the batches and noise an uninterrupted one
    would. Otherwise the shuffle seed moves on with the position (no costly
    skipping through large datasets); the noise keys always continue.
    """
    c, mc = self.config, self.config.model
    seed = c.seed if c.deterministic else c.seed + start_batch
    batches = self.batches(seed)
    if c.deterministic and start_batch:
      batches = batches.skip(start_batch)
    dataset = batches.enumerate(start=start_batch).map(
        _add_noise(c.seed, mc.z_dim, mc.num_classes, c.fake_labels))
    dataset = self.strategy.experimental_distribute_dataset(dataset)
    return dataset, iter(dataset)

  def images_once(self) -> tf.data.Dataset:
    """Batches of the images the training stream draws from, each example
    once, in order (last batch partial): a separate finite pipeline, so
    reading it leaves the training stream's position (and exact resume)
    untouched. For statistics over the training data (MAGAN's margin)."""
    return self._labelled(0, training=False).map(lambda x, y: x)
