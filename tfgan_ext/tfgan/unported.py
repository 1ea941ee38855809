"""Stand-ins for TF-GAN names that cannot work on TensorFlow 2.16+.

TF-GAN's estimators, its train-op builders and its custom getters need
`tf.estimator` (removed in TensorFlow 2.16), TF 1 variable scopes or
sessions. Their names exist in `tfgan_ext.tfgan` so that code importing them
still imports; calling one (or instantiating a class) raises
`NotPortedError` with the native replacement.
"""

from __future__ import annotations

from typing import Any, Callable, NoReturn

from tfgan_ext.errors import UserError


class NotPortedError(UserError, NotImplementedError):
  """A TF-GAN function or class that has no TF 2 port; the message names
  the replacement. A `NotImplementedError` (and a `UserError`)."""


def _message(name: str, reason: str, replacement: str) -> str:
  return (f"tfgan.{name} is not available in tfgan_ext.tfgan: {reason}. "
          f"Use {replacement} instead (docs/migrating-from-tf-gan.md).")


def unported_function(name: str, reason: str,
                      replacement: str) -> Callable[..., NoReturn]:
  """A function called `name` that raises NotPortedError when called."""
  message = _message(name, reason, replacement)

  def stub(*args: Any, **kwargs: Any) -> NoReturn:
    del args, kwargs
    raise NotPortedError(message)

  stub.__name__ = stub.__qualname__ = name.rsplit(".", 1)[-1]
  stub.__doc__ = f"Not ported; raises NotPortedError. {message}"
  return stub


def unported_class(name: str, reason: str, replacement: str) -> type:
  """A class called `name` whose construction raises NotPortedError."""
  message = _message(name, reason, replacement)

  def __init__(self, *args: Any, **kwargs: Any) -> NoReturn:
    del self, args, kwargs
    raise NotPortedError(message)

  short = name.rsplit(".", 1)[-1]
  return type(short, (), {
      "__init__": __init__,
      "__doc__": f"Not ported; raises NotPortedError. {message}",
      "__module__": __name__,
  })


ESTIMATOR = "it is a tf.estimator, and TensorFlow 2.16 removed tf.estimator"
GRAPH_TRAIN = ("it builds TF 1 graph ops in variable scopes and trains with "
               "tf.compat.v1 sessions and hooks")
GAN_REPLACEMENT = ("tfgan_ext.GAN(discriminator=D, generator=G, loss=...) "
                   "with GAN.compile(d_optimizer=..., g_optimizer=..., "
                   "d_steps=...) and GAN.fit, or tfgan_ext.Trainer / the "
                   "`tfgan-ext-train` binary for checkpointed runs")
