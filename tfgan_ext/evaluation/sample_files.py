"""Generated samples written to files that other tools read.

Two formats, both uint8 NHWC pixels from `visualize.to_uint8` (the rounding
the PNG grids use: floor(clip((x + 1) * 127.5 + 0.5, 0, 255))):

* "npz": one file with `arr_0` uint8 [N, H, W, C] (the key FID tools read)
  and, for a class-conditional run, `labels` int32 [N]. It is streamed to
  disk batch by batch, so N is not limited by memory.
* "png": a directory with one PNG per sample, `NNNNNN_classK.png`
  (`NNNNNN.png` when unconditional), and `labels.csv` (file,label) for a
  conditional run.

Labels are class-balanced (`sampling.balanced_labels`) and latent vectors
come from `sampling.latent_vectors(N, z_dim, seed)`, as in the eval job.
Single-channel images keep C = 1 unless `rgb=True` repeats the channel three
times (what Inception-based FID tools expect). A JSON record of how the
samples were made is written beside them (`<out>.json` for npz,
`<out>/samples.json` for png). Output goes to a unique temporary name
first and is renamed when complete (`tfgan_ext.fileio`); a failure leaves
nothing behind.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import zipfile
from typing import Callable, Optional

import numpy as np
import tensorflow as tf

from tfgan_ext import fileio
from tfgan_ext import visualize
from tfgan_ext.config_checks import require_int
from tfgan_ext.errors import InputError
from tfgan_ext.evaluation.sampling import (balanced_labels, latent_vectors,
                                           stream_outputs)

__all__ = ["FORMATS", "SampleSpec", "check_output", "record_path",
           "write_samples"]

FORMATS = ("npz", "png")
CONVERSION = "uint8 = floor(clip((x + 1) * 127.5 + 0.5, 0, 255))"


@dataclasses.dataclass(frozen=True)
class SampleSpec:
  """Which samples to write, and how."""
  num_samples: int
  z_dim: int
  num_classes: int          # 0: unconditional (no labels written).
  image_shape: tuple        # (H, W, C) that G produces.
  seed: int = 0
  batch_size: int = 100
  rgb: bool = False         # Repeat a single channel to three.

  def validate(self) -> None:
    """Raises InputError (naming eval.sample's flags) for a count or batch
    size below 1, a negative seed, or shapes that are not images."""
    require_int("--num_samples", self.num_samples, 1)
    require_int("--batch_size", self.batch_size, 1)
    require_int("--seed", self.seed, 0, 2 ** 63 - 1)
    if len(self.image_shape) != 3:
      raise InputError(f"Samples of shape {tuple(self.image_shape)} are not "
                       "images; only image generators can be written as "
                       "npz / png.")
    if self.rgb and self.image_shape[-1] not in (1, 3):
      raise InputError(f"rgb needs 1- or 3-channel images; G makes "
                       f"{self.image_shape[-1]} channels.")

  @property
  def out_shape(self) -> tuple:
    h, w, c = self.image_shape
    return (h, w, 3 if self.rgb else c)


def record_path(out: str, fmt: str) -> str:
  """Where the JSON record of a sample set goes."""
  if fmt == "npz":
    return out[:-len(".npz")] + ".json"
  return os.path.join(out, "samples.json")


def check_output(out: str, fmt: str) -> None:
  """Raises InputError (UnwritableError for a read-only location) when `out`
  does not suit `fmt`, already holds samples or cannot be written; nothing
  is written."""
  if fmt not in FORMATS:
    raise InputError(f"format must be one of {FORMATS}; got {fmt!r}.")
  fileio.check_output_path(out, "file" if fmt == "npz" else "dir",
                           flag="--out")
  if fmt == "npz":
    if not out.endswith(".npz"):
      raise InputError(f"An npz output must end in .npz; got {out!r}.")
    if os.path.exists(out):
      raise InputError(f"{out} exists; remove it or choose another --out.")
  elif os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
    raise InputError(f"{out} exists and is not an empty directory; remove it "
                     "or choose another --out.")
  if fmt == "npz":
    fileio.check_output_path(record_path(out, fmt), "file", flag="--out")


class _NpzStream:
  """Writes `arr_0` into an .npz (a zip of .npy files) batch by batch."""

  def __init__(self, path: str, shape: tuple):
    self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_STORED,
                                allowZip64=True)
    self._entry = self._zip.open("arr_0.npy", "w", force_zip64=True)
    np.lib.format.write_array_header_1_0(self._entry, {
        "descr": np.lib.format.dtype_to_descr(np.dtype(np.uint8)),
        "fortran_order": False, "shape": tuple(int(s) for s in shape)})
    self.count = 0

  def write(self, pixels: np.ndarray) -> None:
    self._entry.write(np.ascontiguousarray(pixels, np.uint8).tobytes())
    self.count += len(pixels)

  def close(self, extra: dict[str, np.ndarray]) -> None:
    self._entry.close()
    for name, array in extra.items():
      with self._zip.open(f"{name}.npy", "w", force_zip64=True) as f:
        np.lib.format.write_array(f, np.asarray(array), allow_pickle=False)
    self._zip.close()

  def abandon(self) -> None:
    """Releases the file after a failure (its content is discarded)."""
    for handle in (self._entry, self._zip):
      try:
        handle.close()
      except Exception:  # pylint: disable=broad-except
        pass


def _pixels(images: tf.Tensor, rgb: bool) -> np.ndarray:
  pixels = visualize.to_uint8(np.asarray(images))
  if rgb and pixels.shape[-1] == 1:
    pixels = np.repeat(pixels, 3, axis=-1)
  return pixels


def write_samples(generate: Callable[[tf.Tensor, tf.Tensor], tf.Tensor],
                  spec: SampleSpec, out: str, fmt: str, *,
                  record: Optional[dict] = None,
                  progress: Optional[Callable[[int], None]] = None) -> str:
  """Generates spec.num_samples samples with `generate(z, labels)` and writes
  them to `out` in format `fmt` ("npz" or "png"); returns `out`.

  `record` (e.g. model_dir, checkpoint, step) is merged into the JSON
  record; `progress` is called with the running sample count.
  """
  spec.validate()
  check_output(out, fmt)
  labels = balanced_labels(spec.num_samples, spec.num_classes)
  z = latent_vectors(spec.num_samples, spec.z_dim, spec.seed)
  conditional = spec.num_classes > 0
  info = dict(record or {}, format=fmt, num_samples=spec.num_samples,
              seed=spec.seed, batch_size=spec.batch_size,
              num_classes=spec.num_classes,
              labels="i mod num_classes" if conditional else None,
              latents=f"np.random.default_rng({spec.seed}).standard_normal("
                      f"({spec.num_samples}, {spec.z_dim})) float32",
              generator_shape=list(spec.image_shape),
              shape=[spec.num_samples, *spec.out_shape], rgb=spec.rgb,
              conversion=CONVERSION)

  def record_text() -> str:
    return json.dumps(dict(info, time=time.strftime("%Y-%m-%dT%H:%M:%S")),
                      indent=2, sort_keys=True)

  if fmt == "npz":
    # Both files appear at the end (the record first), or neither does.
    with fileio.atomic_path(out) as tmp, \
        fileio.atomic_path(record_path(out, fmt)) as tmp_record:
      stream = _NpzStream(tmp, (spec.num_samples,) + spec.out_shape)
      try:
        stream_outputs(generate, {"files": _npz_consumer(stream, spec.rgb)},
                       labels, z, spec.batch_size, progress)
      except BaseException:
        stream.abandon()
        raise
      stream.close({"labels": labels} if conditional else {})
      with open(tmp_record, "w", encoding="utf8") as f:
        f.write(record_text())
    return out

  with fileio.atomic_dir(out) as tmp:  # Renamed to `out` when complete.
    names: list[str] = []

    def consume(images, batch_labels):
      for pixels, label in zip(_pixels(images, spec.rgb),
                               np.asarray(batch_labels)):
        name = (f"{len(names):06d}_class{label}.png" if conditional
                else f"{len(names):06d}.png")
        visualize.save_png(pixels, os.path.join(tmp, name), atomic=False)
        names.append(name)
      return {}

    stream_outputs(generate, {"files": consume}, labels, z, spec.batch_size,
                   progress)
    if conditional:
      with open(os.path.join(tmp, "labels.csv"), "w", encoding="utf8") as f:
        f.write("file,label\n")
        f.writelines(f"{n},{y}\n" for n, y in zip(names, labels))
    with open(os.path.join(tmp, os.path.basename(record_path(out, fmt))), "w",
              encoding="utf8") as f:
      f.write(record_text())
  return out


def _npz_consumer(stream: "_NpzStream", rgb: bool):
  def consume(images, batch_labels):
    del batch_labels
    stream.write(_pixels(images, rgb))
    return {}
  return consume
