"""Spectrally normalized dense, convolution and embedding layers.

As in TF-GAN's SAGAN: the weight is reshaped to a matrix W of shape
[-1, out], one power iteration per training call estimates its largest
singular value sigma, and the layer uses W / max(sigma, 1) (the constraint is
"norm <= 1", so weights already inside the unit ball are left alone). With
`equality_constrained=True` it uses W / sigma instead (spectral norm exactly
1), as TF-GAN's attention 1x1 convs do. The power-iteration vector is a
non-trainable variable, a unit vector from creation on; it is updated only
when `training=True`. At inference sigma is read off the stored vector
without updating it. Weights use Glorot-uniform initialization, biases zeros.

Under a mixed-precision policy (`nn.precision`) the layers do not autocast:
the power iteration and sigma use the float32 variables, and only the
normalized kernel (and bias) is cast to the compute dtype.
"""

from __future__ import annotations

import keras
import tensorflow as tf

_EPS = 1e-12


def _l2_normalize(x: tf.Tensor) -> tf.Tensor:
  return x * tf.math.rsqrt(tf.maximum(tf.reduce_sum(tf.square(x)), _EPS))


def spectral_norm_estimate(matrix: tf.Tensor, u: tf.Tensor,
                           update: bool) -> tuple[tf.Tensor, tf.Tensor]:
  """Returns (sigma, new_u) for `matrix` [m, n] and right vector `u` [n].

  With `update`, one power iteration refines `u` first; otherwise the stored
  `u` is used as is. No gradient flows through the vectors.
  """
  u = tf.stop_gradient(u)
  v = tf.stop_gradient(_l2_normalize(tf.linalg.matvec(matrix, u)))
  if update:
    u = tf.stop_gradient(
        _l2_normalize(tf.linalg.matvec(matrix, v, transpose_a=True)))
  sigma = tf.tensordot(v, tf.linalg.matvec(matrix, u), axes=1)
  return sigma, u


class UnitNormal(keras.initializers.Initializer):
  """A random direction: a N(0, 1) draw scaled to unit L2 norm.

  With a unit starting vector, |W u| <= sigma_max(W), so a layer used before
  any training call never overestimates its spectral norm.
  """

  def __init__(self, seed=None):
    self.seed = seed
    self._normal = keras.initializers.RandomNormal(stddev=1.0, seed=seed)

  def __call__(self, shape, dtype=None):
    return _l2_normalize(tf.convert_to_tensor(self._normal(shape, dtype)))

  def get_config(self) -> dict:
    return {"seed": self.seed}


class SpectralNormMixin:
  """Keeps the power-iteration state for one weight and normalizes it.

  Layers set `self.equality_constrained` (False: W / max(sigma, 1); True:
  W / sigma) before calling `_normalize_weight`.
  """

  equality_constrained: bool = False

  def _build_spectral_state(self, matrix_cols: int) -> None:
    self.sn_u = self.add_weight(
        name="sn_u", shape=(matrix_cols,), initializer=UnitNormal(),
        trainable=False, aggregation="only_first_replica")

  def _normalize_weight(self, weight: tf.Tensor, training: bool,
                        transpose: bool = False) -> tf.Tensor:
    """Returns weight / max(sigma, 1) (or / sigma) in the compute dtype,
    updating `sn_u` when training (all arithmetic in the weight's float32)."""
    with tf.name_scope("spectral_norm"):
      weight = tf.convert_to_tensor(weight)
      matrix = tf.transpose(weight) if transpose else weight
      matrix = tf.reshape(matrix, [-1, matrix.shape[-1]])
      sigma, new_u = spectral_norm_estimate(
          matrix, tf.convert_to_tensor(self.sn_u), update=bool(training))
      if training:
        self.sn_u.assign(new_u)
      if self.equality_constrained:
        normalized = weight / sigma
      else:
        normalized = weight / tf.maximum(sigma, 1.0)
    return tf.cast(normalized, self.compute_dtype)

  def spectral_norm(self) -> tf.Tensor:
    """The current estimate of the raw weight's largest singular value."""
    matrix = self._sn_matrix()
    sigma, _ = spectral_norm_estimate(
        matrix, tf.convert_to_tensor(self.sn_u), update=False)
    return sigma


class SNDense(SpectralNormMixin, keras.layers.Layer):
  """Dense layer with a spectrally normalized kernel."""

  def __init__(self, units: int, use_bias: bool = True,
               equality_constrained: bool = False, **kwargs):
    super().__init__(autocast=False, **kwargs)
    self.units = units
    self.use_bias = use_bias
    self.equality_constrained = equality_constrained

  def build(self, input_shape):
    self.kernel = self.add_weight(
        name="kernel", shape=(int(input_shape[-1]), self.units),
        initializer="glorot_uniform")
    self.bias = (self.add_weight(name="bias", shape=(self.units,),
                                 initializer="zeros")
                 if self.use_bias else None)
    self._build_spectral_state(self.units)

  def _sn_matrix(self) -> tf.Tensor:
    return tf.convert_to_tensor(self.kernel)

  def call(self, inputs, training=False):
    kernel = self._normalize_weight(self.kernel, training)
    outputs = tf.matmul(tf.cast(inputs, kernel.dtype), kernel)
    if self.bias is not None:
      outputs = outputs + tf.cast(self.bias, kernel.dtype)
    return outputs


class SNConv2D(SpectralNormMixin, keras.layers.Layer):
  """2-D convolution (NHWC, 'SAME' padding) with a spectrally normalized kernel."""

  def __init__(self, filters: int, kernel_size: int = 3, strides: int = 1,
               use_bias: bool = True, equality_constrained: bool = False,
               **kwargs):
    super().__init__(autocast=False, **kwargs)
    self.filters = filters
    self.kernel_size = kernel_size
    self.strides = strides
    self.use_bias = use_bias
    self.equality_constrained = equality_constrained

  def build(self, input_shape):
    k = self.kernel_size
    self.kernel = self.add_weight(
        name="kernel", shape=(k, k, int(input_shape[-1]), self.filters),
        initializer="glorot_uniform")
    self.bias = (self.add_weight(name="bias", shape=(self.filters,),
                                 initializer="zeros")
                 if self.use_bias else None)
    self._build_spectral_state(self.filters)

  def _sn_matrix(self) -> tf.Tensor:
    return tf.reshape(tf.convert_to_tensor(self.kernel), [-1, self.filters])

  def call(self, inputs, training=False):
    kernel = self._normalize_weight(self.kernel, training)
    outputs = tf.nn.conv2d(tf.cast(inputs, kernel.dtype), kernel,
                           strides=self.strides, padding="SAME")
    if self.bias is not None:
      outputs = tf.nn.bias_add(outputs, tf.cast(self.bias, kernel.dtype))
    return outputs


class SNEmbedding(SpectralNormMixin, keras.layers.Layer):
  """Class embedding whose [classes, dim] table is spectrally normalized.

  As in TF-GAN, the norm is taken of the transposed table ([dim, classes]).
  """

  def __init__(self, num_classes: int, embedding_dim: int,
               equality_constrained: bool = False, **kwargs):
    super().__init__(autocast=False, **kwargs)
    self.num_classes = num_classes
    self.embedding_dim = embedding_dim
    self.equality_constrained = equality_constrained

  def build(self, input_shape=None):
    self.embeddings = self.add_weight(
        name="embeddings", shape=(self.num_classes, self.embedding_dim),
        initializer="glorot_uniform")
    self._build_spectral_state(self.num_classes)

  def _sn_matrix(self) -> tf.Tensor:
    return tf.transpose(tf.convert_to_tensor(self.embeddings))

  def normalized_table(self, training: bool = False) -> tf.Tensor:
    """The spectrally normalized [classes, dim] table (compute dtype)."""
    return self._normalize_weight(self.embeddings, training, transpose=True)

  def call(self, labels, training=False):
    return tf.gather(self.normalized_table(training), labels)
