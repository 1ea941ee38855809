"""A run's generator as a SavedModel that needs nothing of tfgan_ext to run.

`export_generator` writes a TF2 SavedModel directory that loads with
`tf.saved_model.load(DIR)` or `tensorflow_hub.load(DIR)`:

  obj.signatures["serving_default"](z=<float32 [B, z_dim]>,
                                    labels=<int32 [B]>)
      -> {"images": float32 [B, H, W, C] in [-1, 1],
          "images_uint8": uint8 [B, H, W, C]}
  obj(z, labels)                 the float images (positional call)
  obj.z_dim, obj.num_classes, obj.image_shape, obj.step, obj.checkpoint
                                 metadata (tf.Variable constants)
  DIR/assets/generator.json      the metadata as JSON

The generator runs in inference mode (`training=False`): whatever the
network does then (spectral norm without power-iteration updates, batch-norm
statistics, ...) is what the export does, and the export holds every one of
its variables. An unconditional generator ignores `labels`; a conditional
one rejects labels outside [0, num_classes). `images_uint8` uses the rounding
of the PNG grids (`visualize.to_uint8`).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Optional, Sequence

import tensorflow as tf

from tfgan_ext import fileio
from tfgan_ext.errors import InputError

__all__ = ["METADATA_FILE", "SERVING_SIGNATURE", "check_export_dir",
           "export_generator", "uint8_images"]

SERVING_SIGNATURE = "serving_default"
METADATA_FILE = "generator.json"


def uint8_images(images: tf.Tensor) -> tf.Tensor:
  """floor(clip((x + 1) * 127.5 + 0.5, 0, 255)) as uint8, in float32 (the
  TensorFlow twin of `visualize.to_uint8`)."""
  scaled = (tf.cast(images, tf.float32) + 1.0) * 127.5 + 0.5
  return tf.cast(tf.clip_by_value(scaled, 0.0, 255.0), tf.uint8)


def check_export_dir(out: str) -> None:
  """Raises InputError (UnwritableError for a read-only place) unless `out`
  is a new or empty directory that can be written
  (`fileio.check_output_path`)."""
  fileio.check_output_path(out, "dir", flag="--out")
  if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
    raise InputError(f"{out} exists and is not an empty directory; remove it "
                     "or choose another --out.")


def export_generator(generator, out: str, *, z_dim: int, num_classes: int,
                     image_shape: Sequence[int],
                     metadata: Optional[dict[str, Any]] = None,
                     replace: bool = False) -> str:
  """Saves `generator` (G(z, labels, training=False)) as a SavedModel in
  `out` (see the module docstring); returns `out`.

  `metadata` (e.g. step, checkpoint, dataset) is stored with z_dim,
  num_classes and image_shape in the JSON asset; `step` and `checkpoint`
  also become constants. The SavedModel is written to a temporary folder
  beside `out` and renamed to `out` when complete (`fileio.atomic_dir`); a
  failure leaves nothing. `out` must be new or empty unless `replace`
  (then an existing export there is replaced as a whole).
  """
  if replace:
    fileio.check_output_path(out, "dir", flag="--out")
  else:
    check_export_dir(out)
  image_shape = [int(s) for s in image_shape]
  if len(image_shape) != 3:
    raise InputError(f"Samples of shape {image_shape} are not images; only "
                     "image generators are exported.")
  meta = dict(metadata or {}, z_dim=int(z_dim), num_classes=int(num_classes),
              image_shape=image_shape, signature=SERVING_SIGNATURE,
              inputs={"z": f"float32 [batch, {int(z_dim)}]",
                      "labels": "int32 [batch]"},
              outputs={"images": "float32 in [-1, 1]",
                       "images_uint8": "uint8, floor(clip((x + 1) * 127.5 + "
                                       "0.5, 0, 255))"})
  spec = (tf.TensorSpec([None, z_dim], tf.float32, name="z"),
          tf.TensorSpec([None], tf.int32, name="labels"))

  # The functions close over the Keras model instead of making it a child of
  # the module: Keras layers add their own serving function when tracked.
  @tf.function(input_signature=spec)
  def images(z, labels):
    if num_classes > 0:
      tf.debugging.assert_non_negative(labels, "labels must be >= 0")
      tf.debugging.assert_less(labels, num_classes,
                               f"labels must be < {num_classes}")
    return tf.cast(generator(z, labels, training=False), tf.float32)

  @tf.function(input_signature=spec)
  def serve(z, labels):
    x = images(z, labels)
    return {"images": x, "images_uint8": uint8_images(x)}

  module = tf.Module()
  module.generator_variables = list(generator.variables)
  module.__call__ = images
  module.serve = serve
  module.z_dim = tf.Variable(int(z_dim), trainable=False, name="z_dim")
  module.num_classes = tf.Variable(int(num_classes), trainable=False,
                                   name="num_classes")
  module.image_shape = tf.Variable(image_shape, trainable=False,
                                   name="image_shape")
  module.step = tf.Variable(int(meta.get("step", -1)), dtype=tf.int64,
                            trainable=False, name="step")
  module.checkpoint = tf.Variable(str(meta.get("checkpoint", "")),
                                  trainable=False, name="checkpoint")
  with fileio.atomic_dir(out, replace=replace) as tmp, \
      tempfile.TemporaryDirectory(prefix="tfgan_ext_export_") as scratch:
    # The asset's source file (the SavedModel keeps a copy under assets/).
    asset = os.path.join(scratch, METADATA_FILE)
    with open(asset, "w", encoding="utf8") as f:
      json.dump(meta, f, indent=2, sort_keys=True)
    module.metadata_file = tf.saved_model.Asset(asset)
    tf.saved_model.save(module, tmp, signatures={SERVING_SIGNATURE: serve})
  return out
