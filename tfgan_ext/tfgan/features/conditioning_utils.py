"""TF-GAN's tensor conditioning (van den Oord et al., "Conditional Image
Generation with PixelCNN Decoders") on TensorFlow 2.

`condition_tensor(tensor, c)` adds a dense projection of the flattened c,
reshaped to `tensor`'s shape; `condition_tensor_from_onehot` first embeds
one-hot labels. TF-GAN creates the projection (glorot-uniform kernel, zero
bias) and the embedding in the caller's TF 1 variable scope. Here the state
is a Keras layer passed as `layer=` (`ConditionTensor` /
`ConditionTensorFromOnehot`, not TF-GAN names), created once (e.g. in your
model's `__init__`) so that its weights persist and train; calling without
`layer` raises `InputError`.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from tfgan_ext.errors import InputError

__all__ = ["condition_tensor", "condition_tensor_from_onehot"]

TensorLike = tf.types.experimental.TensorLike
# Plain Python inside tf.function (no autograph conversion on first trace).
_no_autograph = tf.autograph.experimental.do_not_convert


def _num_features(tensor: tf.Tensor) -> int:
  features = tensor.shape[1:]
  if not features.is_fully_defined():
    raise InputError("The tensor to condition needs fully defined non-batch "
                     f"dimensions; got shape {tensor.shape}.")
  return features.num_elements()


class ConditionTensor(keras.layers.Layer):
  """Holds `condition_tensor`'s projection: kernel [D_c, prod(tensor dims)]
  (glorot uniform) and bias (zeros), built on the first call. Call as
  `layer(tensor, conditioning)`."""

  def build(self, tensor_shape, conditioning_shape):
    cond_dims = tf.TensorShape(conditioning_shape)[1:].num_elements()
    features = tf.TensorShape(tensor_shape)[1:].num_elements()
    self.kernel = self.add_weight(name="kernel", shape=(cond_dims, features),
                                  initializer="glorot_uniform")
    self.bias = self.add_weight(name="bias", shape=(features,),
                                initializer="zeros")

  def call(self, tensor, conditioning):
    flat = tf.reshape(conditioning, [tf.shape(conditioning)[0], -1])
    mapped = tf.matmul(tf.cast(flat, self.kernel.dtype), self.kernel)
    mapped = mapped + self.bias
    return tensor + tf.cast(tf.reshape(mapped, tf.shape(tensor)),
                            tensor.dtype)


class ConditionTensorFromOnehot(keras.layers.Layer):
  """Holds `condition_tensor_from_onehot`'s embedding [K, embedding_size]
  (glorot uniform, as `tf.get_variable`'s default) and its projection (a
  `ConditionTensor`). Call as `layer(tensor, one_hot_labels)`."""

  def __init__(self, embedding_size: int = 256, **kwargs):
    super().__init__(**kwargs)
    self.embedding_size = int(embedding_size)
    self.projection = ConditionTensor(name="projection")

  def build(self, tensor_shape, one_hot_labels_shape):
    num_tokens = tf.TensorShape(one_hot_labels_shape)[1]
    self.embedding = self.add_weight(
        name="embedding", shape=(num_tokens, self.embedding_size),
        initializer="glorot_uniform")
    self.projection.build(tensor_shape, (None, self.embedding_size))

  def call(self, tensor, one_hot_labels):
    ids = tf.argmax(one_hot_labels, axis=1)
    embedded = tf.nn.embedding_lookup(self.embedding, ids)
    return self.projection(tensor, embedded)

  def get_config(self) -> dict:
    return dict(super().get_config(), embedding_size=self.embedding_size)


@_no_autograph
def condition_tensor(tensor: TensorLike, conditioning: TensorLike,
                     layer: ConditionTensor | None = None) -> tf.Tensor:
  """`tensor` + reshape(dense(flatten(conditioning))) (TF-GAN's
  `features.condition_tensor`).

  Args:
    tensor: [B, ...] with known non-batch dimensions.
    conditioning: [B, ...], rank >= 2.
    layer: the `ConditionTensor` holding the projection (not in TF-GAN).
  Returns:
    The conditioned tensor, `tensor`'s shape.
  """
  tensor = tf.convert_to_tensor(tensor)
  conditioning = tf.convert_to_tensor(conditioning)
  _num_features(tensor)
  if conditioning.shape.rank is None or conditioning.shape.rank < 2:
    raise InputError("conditioning must be at least 2D, but saw shape: "
                     f"{conditioning.shape}")
  if layer is None:
    raise InputError(
        "condition_tensor needs its projection weights: pass "
        "layer=tfgan.features.ConditionTensor() created once (e.g. in your "
        "model's __init__); TF 2 has no variable scopes to keep them in.")
  return layer(tensor, conditioning)


@_no_autograph
def condition_tensor_from_onehot(tensor: TensorLike,
                                 one_hot_labels: TensorLike,
                                 embedding_size: int = 256,
                                 layer: ConditionTensorFromOnehot | None = None
                                 ) -> tf.Tensor:
  """Conditions `tensor` on an embedding of `one_hot_labels` (TF-GAN's
  `features.condition_tensor_from_onehot`).

  Args:
    tensor: [B, ...] with known non-batch dimensions.
    one_hot_labels: [B, K] one-hot labels (K known).
    embedding_size: the embedding width (default 256); must equal the
      layer's.
    layer: the `ConditionTensorFromOnehot` holding the weights (not in
      TF-GAN).
  Returns:
    The conditioned tensor, `tensor`'s shape.
  """
  tensor = tf.convert_to_tensor(tensor)
  one_hot_labels = tf.convert_to_tensor(one_hot_labels)
  _num_features(tensor)
  if one_hot_labels.shape.rank != 2 or one_hot_labels.shape[1] is None:
    raise InputError("one_hot_labels must be [batch, num_classes] with a "
                     f"known num_classes; got shape {one_hot_labels.shape}.")
  if layer is None:
    raise InputError(
        "condition_tensor_from_onehot needs its embedding and projection "
        "weights: pass layer=tfgan.features.ConditionTensorFromOnehot("
        "embedding_size) created once (e.g. in your model's __init__); TF 2 "
        "has no variable scopes to keep them in.")
  if layer.embedding_size != embedding_size:
    raise InputError(f"embedding_size {embedding_size} differs from the "
                     f"layer's {layer.embedding_size}.")
  return layer(tensor, one_hot_labels)
