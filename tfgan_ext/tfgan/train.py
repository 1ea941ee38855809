"""TF-GAN's `train` functions: not ported (TF 1 graphs, variable scopes and
session hooks). Each name raises `NotPortedError` naming the replacement;
see `unported`.

Native replacements: `tfgan_ext.GAN` (a `keras.Model`: your Keras G and D,
the loss by name, `compile(d_optimizer, g_optimizer, d_steps)`, `fit`) for
`gan_model` + `gan_loss` + `gan_train_ops` + `gan_train`; `d_steps` for
`GANTrainSteps` / `get_sequential_train_hooks`; `tfgan_ext.Trainer` and the
`tfgan-ext-train` binary for checkpointed, resumable runs. To keep a custom
loop, call the `tfgan_ext.tfgan.losses` functions in your own
`tf.GradientTape` step.
"""

from __future__ import annotations

from tfgan_ext.tfgan.unported import GAN_REPLACEMENT
from tfgan_ext.tfgan.unported import GRAPH_TRAIN
from tfgan_ext.tfgan.unported import unported_class
from tfgan_ext.tfgan.unported import unported_function

__all__ = [
    "gan_model",
    "infogan_model",
    "acgan_model",
    "cyclegan_model",
    "stargan_model",
    "gan_loss",
    "cyclegan_loss",
    "stargan_loss",
    "gan_train_ops",
    "gan_train",
    "get_sequential_train_hooks",
    "get_joint_train_hooks",
    "get_sequential_train_steps",
    "RunTrainOpsHook",
]

_MODEL = ("Keras models for G and D wrapped in " + GAN_REPLACEMENT)
_LOSS = ("GAN(loss=..., aux=..., penalty=...), or the "
         "tfgan_ext.tfgan.losses functions called in your own "
         "tf.GradientTape step")
_TRAIN = GAN_REPLACEMENT

gan_model = unported_function("gan_model", GRAPH_TRAIN, _MODEL)
infogan_model = unported_function("infogan_model", GRAPH_TRAIN, _MODEL)
acgan_model = unported_function(
    "acgan_model", GRAPH_TRAIN,
    _MODEL + " (num_classes=K, aux='acgan' for ACGAN's auxiliary loss)")
cyclegan_model = unported_function("cyclegan_model", GRAPH_TRAIN, _MODEL)
stargan_model = unported_function("stargan_model", GRAPH_TRAIN, _MODEL)
gan_loss = unported_function("gan_loss", GRAPH_TRAIN, _LOSS)
cyclegan_loss = unported_function("cyclegan_loss", GRAPH_TRAIN, _LOSS)
stargan_loss = unported_function("stargan_loss", GRAPH_TRAIN, _LOSS)
gan_train_ops = unported_function("gan_train_ops", GRAPH_TRAIN, _TRAIN)
gan_train = unported_function("gan_train", GRAPH_TRAIN, _TRAIN)
get_sequential_train_hooks = unported_function(
    "get_sequential_train_hooks", GRAPH_TRAIN,
    "GAN.compile(..., d_steps=N) (N discriminator steps per generator step)")
get_joint_train_hooks = unported_function(
    "get_joint_train_hooks", GRAPH_TRAIN,
    "GAN.compile(..., d_steps=1) (one D step, then one G step)")
get_sequential_train_steps = unported_function(
    "get_sequential_train_steps", GRAPH_TRAIN,
    "GAN.compile(..., d_steps=N) (N discriminator steps per generator step)")
RunTrainOpsHook = unported_class("RunTrainOpsHook", GRAPH_TRAIN, _TRAIN)
