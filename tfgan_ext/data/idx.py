"""IDX files (the MNIST family's format) and the datasets stored in them.

An IDX file is two zero bytes, a type code, the number of dimensions, one
big-endian uint32 per dimension, then the values in row-major order, big
endian; the files are often gzip-compressed. A dataset of this kind is an
`IdxSpec`: per split, one file of uint8 images [N, H, W] and one of uint8
labels [N], found in `data_dir` or else in a default folder.

Images are mapped to the model's size as follows. At the native size (28 for
Fashion-MNIST) the pixels are used as they are. At every other size the image
is first zero-padded (black, the background) to the spec's `canvas` (32: two
pixels on each side, the usual framing of the 28x28 MNIST family in 32x32
models), which is the result at size 32; other sizes then resize that canvas
(bilinear, antialiased when shrinking). Every non-native size thus shows the
same framing, so images at 16, 32 or 64 pixels are rescaled copies of each
other and a classifier trained at one size sees the same objects when its
adapter resizes samples of another.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import os
import zlib
from typing import Optional

import numpy as np
import tensorflow as tf

from tfgan_ext.data.base import DatasetInfo, to_unit_range
from tfgan_ext.data.tfds_source import DatasetUnavailableError
from tfgan_ext.errors import InputError

# Type codes of the IDX format and the big-endian NumPy types they denote.
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4",
             0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1000  # Images preprocessed together.

__all__ = ["FASHION_MNIST", "IDX_DATASETS", "IDX_TYPES", "IdxSpec",
           "idx_source", "load_idx_split", "read_idx"]


@dataclasses.dataclass(frozen=True)
class IdxSpec:
  """A labelled image dataset stored as IDX files, one pair per split."""
  name: str
  default_dir: str
  files: dict[str, tuple[str, str]]  # split -> (images, labels) file stem.
  class_names: tuple[str, ...]
  install_hint: str  # How to obtain the files, for the missing-data error.
  native_size: int = 28
  canvas: int = 32

  @property
  def num_classes(self) -> int:
    return len(self.class_names)


FASHION_MNIST = IdxSpec(
    name="fashion_mnist",
    default_dir="/usr/share/datasets/fashion-mnist",
    files={"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
           "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")},
    class_names=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
    install_hint=(
        "On Debian or Ubuntu install them with `sudo apt-get install "
        "dataset-fashion-mnist` (into /usr/share/datasets/fashion-mnist), or "
        "put the four files train-images-idx3-ubyte.gz, "
        "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and "
        "t10k-labels-idx1-ubyte.gz (gzip-compressed or not) from "
        "https://github.com/zalandoresearch/fashion-mnist in one folder and "
        "pass it as --data_dir."))

# Name -> spec. Another dataset in the same files is one more line here.
IDX_DATASETS = {FASHION_MNIST.name: FASHION_MNIST}


def read_idx(path: str) -> np.ndarray:
  """Reads an IDX file, gzip-compressed or plain (told by its first bytes).

  Returns an array of the file's shape in native byte order.
  Raises:
    ValueError: not an IDX file, unknown type code, or a size that does not
      match the header (e.g. a truncated download).
  """
  with open(path, "rb") as f:
    raw = f.read()
  if raw[:2] == _GZIP_MAGIC:
    try:
      raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
      raise InputError(f"{path}: damaged gzip data ({err}); download or "
                       "install the file again.") from None
  if len(raw) < 4 or raw[:2] != b"\0\0":
    raise InputError(f"{path} is not an IDX file (its first bytes are "
                     f"{raw[:4].hex() or 'missing'}, an IDX file starts with "
                     "two zero bytes, a type code and the number of "
                     "dimensions).")
  code, ndim = raw[2], raw[3]
  if code not in IDX_TYPES:
    raise InputError(f"{path}: unknown IDX type code 0x{code:02x}; known "
                     f"codes are {[f'0x{c:02x}' for c in IDX_TYPES]}.")
  header = 4 + 4 * ndim
  if ndim < 1 or len(raw) < header:
    raise InputError(f"{path}: IDX header with {ndim} dimensions is "
                     f"incomplete ({len(raw)} bytes).")
  shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", ndim, offset=4))
  dtype = np.dtype(IDX_TYPES[code])
  expected = int(np.prod(shape)) * dtype.itemsize
  if len(raw) - header != expected:
    raise InputError(f"{path}: the header promises shape {shape} "
                     f"({expected} bytes of data) but the file holds "
                     f"{len(raw) - header}; it is truncated or damaged, "
                     "download or install it again.")
  return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(
      dtype.newbyteorder("="))


def _find(folder: str, stem: str) -> Optional[str]:
  for candidate in (stem + ".gz", stem):
    path = os.path.join(folder, candidate)
    if os.path.isfile(path):
      return path
  return None


def _locate(spec: IdxSpec, split: str, data_dir: Optional[str]
            ) -> tuple[str, str]:
  """(images path, labels path) of a split: data_dir first, then the default."""
  stems = spec.files[split]
  folders = [os.path.expanduser(d) for d in (data_dir, spec.default_dir) if d]
  for folder in folders:
    found = [_find(folder, stem) for stem in stems]
    if all(found):
      return found[0], found[1]
    if any(found):
      missing = [s for s, p in zip(stems, found) if p is None]
      raise DatasetUnavailableError(
          f"{spec.name}: folder {folder} holds only part of the {split!r} "
          f"split; {missing[0]}[.gz] is missing. {spec.install_hint}")
  raise DatasetUnavailableError(
      f"{spec.name}: the {split!r} split's files {stems[0]}[.gz] and "
      f"{stems[1]}[.gz] are in none of the folders searched "
      f"({', '.join(folders)}). {spec.install_hint}")


@functools.lru_cache(maxsize=8)
def _load_pair(images_path: str, labels_path: str, stamp: tuple,
               num_classes: int) -> tuple[np.ndarray, np.ndarray]:
  """Decoded, checked arrays; cached per process (keyed by the files' stamp)."""
  del stamp  # Only part of the cache key: a changed file is read again.
  images, labels = read_idx(images_path), read_idx(labels_path)
  if images.ndim != 3 or images.dtype != np.uint8:
    raise InputError(f"{images_path}: expected uint8 images [N, H, W], got "
                     f"{images.dtype} {images.shape}.")
  if labels.ndim != 1 or labels.dtype != np.uint8:
    raise InputError(f"{labels_path}: expected uint8 labels [N], got "
                     f"{labels.dtype} {labels.shape}.")
  if len(images) != len(labels):
    raise InputError(f"{images_path} holds {len(images)} images but "
                     f"{labels_path} {len(labels)} labels.")
  if len(labels) and labels.max() >= num_classes:
    raise InputError(f"{labels_path}: label {labels.max()} is outside "
                     f"[0, {num_classes}).")
  labels = labels.astype(np.int32)
  for array in (images, labels):  # Shared by every caller of the cache.
    array.setflags(write=False)
  return images, labels


def load_idx_split(spec: IdxSpec, split: str, data_dir: Optional[str] = None
                   ) -> tuple[np.ndarray, np.ndarray]:
  """(uint8 images [N, H, W], int32 labels [N]) of one split, as stored.

  Raises:
    ValueError: unknown split, or files that are not what the spec says.
    DatasetUnavailableError: the files are in none of the folders searched.
  """
  if split == "validation":
    split = "test"
  if split not in spec.files:
    raise InputError(f"{spec.name} has splits {sorted(spec.files)}; got "
                     f"{split!r}.")
  images_path, labels_path = _locate(spec, split, data_dir)
  stats = [os.stat(p) for p in (images_path, labels_path)]
  stamp = tuple((s.st_ino, s.st_mtime_ns, s.st_size) for s in stats)
  images, labels = _load_pair(os.path.abspath(images_path),
                              os.path.abspath(labels_path), stamp,
                              spec.num_classes)
  if images.shape[1:] != (spec.native_size, spec.native_size):
    raise InputError(f"{images_path}: expected {spec.native_size}x"
                     f"{spec.native_size} images, got {images.shape[1:]}.")
  return images, labels


def fit_to_size(images: tf.Tensor, spec: IdxSpec, image_size: int
                ) -> tf.Tensor:
  """uint8 images [..., native, native, 1] -> float32 in [-1, 1] at
  image_size (see the module docstring)."""
  x = to_unit_range(images)
  if image_size == spec.native_size:
    return x
  margin = spec.canvas - spec.native_size
  before = margin // 2
  pads = [[0, 0]] * (len(x.shape) - 3) + [[before, margin - before]] * 2 + [
      [0, 0]]
  x = tf.pad(x, pads, constant_values=-1.0)
  if image_size != spec.canvas:
    x = tf.image.resize(x, [image_size, image_size], method="bilinear",
                        antialias=True)
    x = tf.clip_by_value(x, -1.0, 1.0)
  return x


def idx_source(spec: IdxSpec, split: str, image_size: int, channels: int,
               data_dir: Optional[str]) -> tuple[tf.data.Dataset, DatasetInfo]:
  """Unbatched (image in [-1, 1] of [size, size, channels], label) pairs,
  in the files' order; gray images are repeated for channels=3."""
  images, labels = load_idx_split(spec, split, data_dir)

  def preprocess(image, label):
    x = fit_to_size(image[..., None], spec, image_size)
    if channels != 1:
      x = tf.repeat(x, channels, axis=-1)
    return x, label

  # Preprocessing chunks of images is several times faster than one by one.
  ds = tf.data.Dataset.from_tensor_slices((images, labels)).batch(_CHUNK)
  ds = ds.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE).unbatch()
  info = DatasetInfo(spec.name, spec.num_classes,
                     (image_size, image_size, channels), len(labels))
  return ds, info
