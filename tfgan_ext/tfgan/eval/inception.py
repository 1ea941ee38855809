"""TF-GAN's Inception metrics (tensorflow_gan 2.1.0,
`tfgan.eval.inception_metrics`), offline.

`classifier_fn_from_tfhub(module, output_fields, return_tensor)` returns a
classifier function for a TF-Hub module given as
* a local directory (an extracted module / SavedModel), or
* a URL, served from the TF-Hub cache only (`TFHUB_CACHE_DIR`, else
  `<tmp>/tfhub_modules`, in the sub-folder named by the SHA-1 of the URL):
  nothing is downloaded; a missing module raises MissingInputError saying
  how to get a local copy (`tfgan_ext.metrics.feature_networks`'
  resolution). A directory written by `tfgan-ext-import-inception` (the
  imported FID Inception) is served too: it has `pool_3` and no `logits`.

The Inception functions (`inception_score`, `frechet_inception_distance`,
...) are TF-GAN's classifier functions with `classifier_fn` defaulting to
the module at `INCEPTION_TFHUB`; pass `classifier_fn=` to use another
network, as with TF-GAN's `functools.partial` objects (whose other
parameters are keyword-only, as here). When the TF-Hub module is not in the
cache, the pool-feature functions (`frechet_inception_distance`,
`kernel_inception_distance*`, `classifier_fn_from_tfhub(INCEPTION_TFHUB,
INCEPTION_FINAL_POOL, ...)`) use the imported FID Inception
(`tfgan_ext.metrics.fid_inception.FIDInceptionNetwork`, the same 2015
Inception-v3 graph, rebuilt from pytorch-fid's weights) and log that once;
select it explicitly with `classifier_fn=classifier_fn_from_fid_inception()`.
The Inception Score needs the module's logits, so it has no such fallback.

Images go in as TF-GAN takes them: float32 [N, 299, 299, 3] in [-1, 1]
(TF-GAN's examples resize with tf.image.resize first). The FID Inception
resizes other sizes itself (bilinear, no antialiasing); TF-Hub modules get
the images as given. Modules are loaded once per process and cached.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Optional, Sequence, Union

import tensorflow as tf
from absl import logging

from tfgan_ext.errors import InputError, MissingInputError
from tfgan_ext.metrics import feature_networks
from tfgan_ext.metrics import fid_inception
from tfgan_ext.tfgan.eval import scores as _score
from tfgan_ext.tfgan.eval import frechet as _frechet
from tfgan_ext.tfgan.eval import kernel as _kernel
from tfgan_ext.tfgan.eval import running as _running
from tfgan_ext.tfgan.eval import streaming as _streaming

__all__ = [
    "INCEPTION_DEFAULT_IMAGE_SIZE",
    "INCEPTION_FINAL_POOL",
    "INCEPTION_OUTPUT",
    "INCEPTION_TFHUB",
    "classifier_fn_from_fid_inception",
    "classifier_fn_from_tfhub",
    "frechet_inception_distance",
    "frechet_inception_distance_streaming",
    "inception_score",
    "inception_score_streaming",
    "kernel_inception_distance",
    "kernel_inception_distance_and_std",
    "run_inception",
    "sample_and_run_inception",
]

INCEPTION_TFHUB = feature_networks.DEFAULT_INCEPTION_URL
INCEPTION_OUTPUT = "logits"
INCEPTION_FINAL_POOL = "pool_3"
INCEPTION_DEFAULT_IMAGE_SIZE = 299
_DEFAULT_DTYPES = {INCEPTION_OUTPUT: tf.float32,
                   INCEPTION_FINAL_POOL: tf.float32}

_Outputs = Dict[str, tf.Tensor]
_LOADED: Dict[str, Callable[[tf.Tensor], Any]] = {}


def _fid_inception_caller(path: Optional[str]) -> Callable[[tf.Tensor],
                                                           _Outputs]:
  """The imported FID Inception at `path` as {INCEPTION_FINAL_POOL: ...}."""
  key = "fid_inception:" + (path or fid_inception.default_fid_inception_dir())
  if key not in _LOADED:
    with tf.init_scope():
      try:
        network = fid_inception.FIDInceptionNetwork(path)
      except FileNotFoundError as err:
        raise MissingInputError(str(err)) from None
    _LOADED[key] = lambda images: {INCEPTION_FINAL_POOL:
                                   network(images)["pool"]}
  return _LOADED[key]


def _is_fid_inception_dir(module: str) -> bool:
  return (not re.match(r"^https?://", module)
          and fid_inception.read_metadata(module) is not None)


def _hub_caller(module: str) -> Callable[[tf.Tensor], Any]:
  """The loaded TF-Hub module / SavedModel `module`, offline, cached."""
  if _is_fid_inception_dir(module):
    return _fid_inception_caller(module)
  if module not in _LOADED:
    path = feature_networks.resolve_module_path(module)
    with tf.init_scope():
      import tensorflow_hub as hub  # pylint: disable=g-import-not-at-top
      loaded = hub.load(path)
    # The TF 1 Hub format's "default" signature, else the module's __call__.
    caller = feature_networks._module_caller  # pylint: disable=protected-access
    _LOADED[module] = caller(loaded)
  return _LOADED[module]


def _pool_fallback_available(module: str,
                             fields: Optional[Sequence[str]]) -> bool:
  return (module == INCEPTION_TFHUB and fields is not None
          and set(fields) <= {INCEPTION_FINAL_POOL}
          and fid_inception.is_imported_fid_inception(
              fid_inception.default_fid_inception_dir()))


def _caller_for(module: str, fields: Optional[Sequence[str]]):
  try:
    return _hub_caller(module)
  except MissingInputError:
    if not _pool_fallback_available(module, fields):
      raise
    logging.log_first_n(
        logging.INFO, "TF-Hub module %s is not cached; pool_3 features come "
        "from the imported FID Inception at %s.", 1, module,
        fid_inception.default_fid_inception_dir())
    return _fid_inception_caller(None)


def _flatten(x: tf.Tensor) -> tf.Tensor:
  """[B, ...] -> [B, features] (TF-GAN flattens every output)."""
  x = tf.convert_to_tensor(x)
  if x.shape.rank is not None and x.shape.rank <= 2:
    return x if x.shape.rank == 2 else tf.reshape(x, [-1, 1])
  if x.shape[1:].is_fully_defined():
    return tf.reshape(x, [-1, x.shape[1:].num_elements()])
  return tf.reshape(x, [tf.shape(x)[0], -1])


def classifier_fn_from_tfhub(tfhub_module: str,
                             output_fields: Union[str, Sequence[str], None],
                             return_tensor: bool = False
                             ) -> Callable[[tf.Tensor], Any]:
  """A classifier function running a TF-Hub module, loaded at first call.

  Args:
    tfhub_module: a local module directory or a URL in the TF-Hub cache (see
      the module docstring); `INCEPTION_TFHUB` falls back to the imported FID
      Inception for `INCEPTION_FINAL_POOL` alone.
    output_fields: a name, a list of names, or None: the module's outputs
      (a dict) are cut to these.
    return_tensor: return the single selected output as a tensor instead of
      a dict.

  Returns:
    `fn(images)`: the selected outputs, each flattened to [batch, -1].

  Raises (at the first call):
    MissingInputError: the module is not available offline.
    InputError: a requested output does not exist; return_tensor with more
      than one output.
  """
  fields = [output_fields] if isinstance(output_fields, str) else (
      None if output_fields is None else list(output_fields))

  def classifier_fn(images):
    output = _caller_for(tfhub_module, fields)(images)
    if fields is not None:
      missing = [f for f in fields if f not in output]
      if missing:
        raise InputError(
            f"{tfhub_module!r} has no output {missing} (it has "
            f"{sorted(output)})." + (
                " The imported FID Inception has pool_3 only; the Inception"
                " Score needs the TF-Hub module's logits."
                if INCEPTION_OUTPUT in missing else ""))
      output = {f: output[f] for f in fields}
    if return_tensor:
      if isinstance(output, dict):
        if len(output) != 1:
          raise InputError(f"return_tensor=True needs one output, got "
                           f"{sorted(output)}.")
        output = next(iter(output.values()))
    return tf.nest.map_structure(_flatten, output)

  return classifier_fn


def classifier_fn_from_fid_inception(path: Optional[str] = None
                                     ) -> Callable[[tf.Tensor], tf.Tensor]:
  """A classifier function giving the imported FID Inception's pool_3
  features [batch, 2048] (this library's addition; no TF-Hub module needed).

  Args:
    path: the import's directory; default `$TFGAN_EXT_FID_INCEPTION`, else
      `~/.cache/tfgan_ext/fid_inception_v3` (created by `make inception` /
      `tfgan-ext-import-inception`).
  """
  def classifier_fn(images):
    return _fid_inception_caller(path)(images)[INCEPTION_FINAL_POOL]
  return classifier_fn


def _pool_fn() -> Callable[[tf.Tensor], tf.Tensor]:
  return classifier_fn_from_tfhub(INCEPTION_TFHUB, INCEPTION_FINAL_POOL, True)


def _logits_fn() -> Callable[[tf.Tensor], tf.Tensor]:
  return classifier_fn_from_tfhub(INCEPTION_TFHUB, INCEPTION_OUTPUT, True)


def run_inception(input_tensor: Any, *,
                  classifier_fn: Optional[Callable] = None,
                  num_batches: int = 1, dtypes: Any = _DEFAULT_DTYPES,
                  name: str = "RunClassifierFn") -> Any:
  """`run_classifier_fn` with the Inception module (all outputs:
  {"logits": [N, 1008], "pool_3": [N, 2048]})."""
  return _running.run_classifier_fn(
      input_tensor, classifier_fn or classifier_fn_from_tfhub(
          INCEPTION_TFHUB, None), num_batches, dtypes, name)


def sample_and_run_inception(sample_fn: Callable, sample_inputs: Sequence,
                             *, classifier_fn: Optional[Callable] = None,
                             dtypes: Any = _DEFAULT_DTYPES,
                             name: str = "SampleAndRunClassifierFn") -> Any:
  """`sample_and_run_classifier_fn` with the Inception module."""
  return _running.sample_and_run_classifier_fn(
      sample_fn, sample_inputs, classifier_fn or classifier_fn_from_tfhub(
          INCEPTION_TFHUB, None), dtypes, name)


def inception_score(input_tensor: Any, *,
                    classifier_fn: Optional[Callable] = None,
                    num_batches: int = 1) -> tf.Tensor:
  """`classifier_score` with the Inception module's logits."""
  return _score.classifier_score(input_tensor, classifier_fn or _logits_fn(),
                                 num_batches)


def inception_score_streaming(input_tensor: Any, *,
                              classifier_fn: Optional[Callable] = None,
                              num_batches: int = 1,
                              state: Optional[_streaming.StreamingState] = None
                              ):
  """`classifier_score_streaming` with the Inception module's logits."""
  return _streaming.classifier_score_streaming(
      input_tensor, classifier_fn or _logits_fn(), num_batches, state=state)


def frechet_inception_distance(input_tensor1: Any, input_tensor2: Any, *,
                               classifier_fn: Optional[Callable] = None,
                               num_batches: int = 1) -> tf.Tensor:
  """`frechet_classifier_distance` with the Inception pool_3 features."""
  return _frechet.frechet_classifier_distance(
      input_tensor1, input_tensor2, classifier_fn or _pool_fn(), num_batches)


def frechet_inception_distance_streaming(
    input_tensor1: Any, input_tensor2: Any, *,
    classifier_fn: Optional[Callable] = None, num_batches: int = 1,
    state: Optional[_streaming.StreamingState] = None):
  """`frechet_classifier_distance_streaming` with the Inception pool_3
  features."""
  return _streaming.frechet_classifier_distance_streaming(
      input_tensor1, input_tensor2, classifier_fn or _pool_fn(), num_batches,
      state=state)


def kernel_inception_distance(input_tensor1: Any, input_tensor2: Any, *,
                              classifier_fn: Optional[Callable] = None,
                              num_batches: int = 1, max_block_size: int = 1024,
                              dtype: Any = None) -> tf.Tensor:
  """`kernel_classifier_distance` with the Inception pool_3 features."""
  return _kernel.kernel_classifier_distance(
      input_tensor1, input_tensor2, classifier_fn or _pool_fn(), num_batches,
      max_block_size, dtype)


def kernel_inception_distance_and_std(
    input_tensor1: Any, input_tensor2: Any, *,
    classifier_fn: Optional[Callable] = None, num_batches: int = 1,
    max_block_size: int = 1024, dtype: Any = None):
  """`kernel_classifier_distance_and_std` with the Inception pool_3
  features."""
  return _kernel.kernel_classifier_distance_and_std(
      input_tensor1, input_tensor2, classifier_fn or _pool_fn(), num_batches,
      max_block_size, dtype)
