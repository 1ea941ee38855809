"""`tfgan.tpu`: not ported (its batch norm creates TF 1 variables in
variable scopes). Both names raise `NotPortedError`; the replacement is
`tfgan_ext.nn.normalization.BatchNorm` / `ConditionalBatchNorm`, TF-GAN's
`tpu.batch_norm` semantics as Keras layers (cross-replica moments with
`sync=True`, epsilon 1e-3, decay 0.999).
"""

from __future__ import annotations

from tfgan_ext.tfgan.unported import unported_function

__all__ = ["batch_norm", "standardize_batch"]

_REASON = "it creates its moving averages with TF 1 variable scopes"
_REPLACEMENT = ("tfgan_ext.nn.normalization.BatchNorm (or "
                "ConditionalBatchNorm), a Keras layer with TF-GAN's "
                "tpu.batch_norm semantics")

batch_norm = unported_function("tpu.batch_norm", _REASON, _REPLACEMENT)
standardize_batch = unported_function("tpu.standardize_batch", _REASON,
                                      _REPLACEMENT)
