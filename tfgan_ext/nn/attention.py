"""SAGAN's non-local (self-attention) block with spectrally normalized 1x1 convs."""

from __future__ import annotations

import keras
import tensorflow as tf

from tfgan_ext.nn.spectral import SNConv2D


class NonLocalBlock(keras.layers.Layer):
  """x + sigma * attention(x), with the gate sigma initialized to 0.

  theta and phi project to C/8 channels, g to C/2; phi and g are 2x2
  max-pooled, so every position attends to a quarter as many keys. As in
  TF-GAN, the four 1x1 convs are equality-constrained (always W / sigma).
  At initialization sigma = 0 and the block is the identity. The softmax is
  taken in float32 under any precision policy.
  """

  def build(self, input_shape):
    channels = int(input_shape[-1])
    self.channels = channels
    key_dim = max(1, channels // 8)
    value_dim = max(1, channels // 2)
    def conv1x1(filters, name):
      return SNConv2D(filters, 1, use_bias=False, equality_constrained=True,
                      name=name)
    self.theta = conv1x1(key_dim, "theta")
    self.phi = conv1x1(key_dim, "phi")
    self.g = conv1x1(value_dim, "g")
    self.out = conv1x1(channels, "attn_out")
    self.theta.build(input_shape)
    self.phi.build(input_shape)
    self.g.build(input_shape)
    self.out.build(tuple(input_shape[:-1]) + (value_dim,))
    self.sigma = self.add_weight(name="sigma", shape=(), initializer="zeros")

  def call(self, x, training=False):
    height, width = x.shape[1], x.shape[2]
    theta = self.theta(x, training=training)
    theta = tf.reshape(theta, [-1, height * width, theta.shape[-1]])
    phi = tf.nn.max_pool2d(self.phi(x, training=training), 2, 2, "VALID")
    phi = tf.reshape(phi, [-1, (height // 2) * (width // 2), phi.shape[-1]])
    scores = tf.matmul(theta, phi, transpose_b=True)
    with tf.name_scope("float32_softmax"):
      attention = tf.nn.softmax(tf.cast(scores, tf.float32))
    attention = tf.cast(attention, theta.dtype)
    g = tf.nn.max_pool2d(self.g(x, training=training), 2, 2, "VALID")
    g = tf.reshape(g, [-1, (height // 2) * (width // 2), g.shape[-1]])
    attended = tf.reshape(tf.matmul(attention, g),
                          [-1, height, width, g.shape[-1]])
    return x + self.sigma * self.out(attended, training=training)
