"""Field checks shared by the configuration dataclasses.

`ModelConfig`, `ObjectiveConfig`, `TrainConfig` and `EvalProtocol` check
their own fields when they are made (`__post_init__`), so the binaries, the
Python API and a config read back from a run's config.json all go through
the same rules. A failed check raises `InputError` naming the flag that sets
the field (`--<field>` unless a class maps it to another flag) and saying
what values are allowed.

The helpers take the flag name (as `flag_name` gives it) and the value; they
return nothing and raise on a bad value.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import types
import typing
from typing import Any, Iterable, Mapping, Optional

from tfgan_ext.errors import InputError

__all__ = ["MAX_IMAGE_SIZE", "check_field_types", "flag_name",
           "require_choice", "require_int", "require_number"]

# The largest image side tfgan_ext builds networks for or resizes data to
# (SAGAN's paper trains at 128, BigGAN at up to 512); larger sides are
# refused up front instead of running out of memory while data is resized.
MAX_IMAGE_SIZE = 1024


def flag_name(field: str, flags: Optional[Mapping[str, str]] = None) -> str:
  """`--<flag>` for `field`; a field set by a flag of another name is shown
  as `--<flag> (<field>)`."""
  flag = (flags or {}).get(field, field)
  return f"--{flag}" if flag == field else f"--{flag} ({field})"


def _with_hint(message: str, hint: str) -> str:
  return f"{message} {hint}" if hint else message


def _is_bool(value: Any) -> bool:
  return isinstance(value, bool) or type(value).__name__ == "bool_"


def _is_int(value: Any) -> bool:
  return isinstance(value, numbers.Integral) and not _is_bool(value)


def _is_real(value: Any) -> bool:
  return isinstance(value, numbers.Real) and not _is_bool(value)


def _matches(value: Any, hint: Any) -> bool:
  """Whether `value` fits the resolved annotation `hint`."""
  origin = typing.get_origin(hint)
  if origin is typing.Union or origin is getattr(types, "UnionType", None):
    return any(_matches(value, arg) for arg in typing.get_args(hint))
  if hint is type(None):
    return value is None
  if hint is bool:
    return _is_bool(value)
  if hint is int:
    return _is_int(value)
  if hint is float:
    return _is_real(value)
  if hint is str:
    return isinstance(value, str)
  if origin is not None:
    return isinstance(value, origin)
  if isinstance(hint, type):
    return isinstance(value, hint)
  return True  # An annotation this module does not know: not checked.


def _type_words(hint: Any) -> str:
  if typing.get_origin(hint) in (typing.Union,
                                 getattr(types, "UnionType", None)):
    words = [_type_words(a) for a in typing.get_args(hint)]
    return " or ".join(words)
  return {bool: "true or false", int: "an integer", float: "a number",
          str: "a string", type(None): "None"}.get(
              hint, getattr(hint, "__name__", str(hint)))


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
  return typing.get_type_hints(cls)


def check_field_types(config: Any,
                      flags: Optional[Mapping[str, str]] = None) -> None:
  """Raises InputError for a field whose value does not fit its annotation
  (bool, int, float, str, Optional[...] or a class).

  An int is accepted for a float field and a bool is accepted for no field
  but a bool one.
  """
  hints = _hints(type(config))
  for field in dataclasses.fields(config):
    value = getattr(config, field.name)
    hint = hints.get(field.name)
    if hint is not None and not _matches(value, hint):
      raise InputError(
          f"{flag_name(field.name, flags)} must be {_type_words(hint)}; got "
          f"{value!r} ({type(value).__name__}).")


def require_int(flag: str, value: int, minimum: Optional[int] = None,
                maximum: Optional[int] = None, hint: str = "") -> None:
  """Raises InputError unless `value` is an integer in [minimum, maximum]."""
  if not _is_int(value):
    raise InputError(_with_hint(
        f"{flag} must be an integer; got {value!r}.", hint))
  if minimum is not None and value < minimum:
    raise InputError(_with_hint(
        f"{flag} must be >= {minimum}; got {value}.", hint))
  if maximum is not None and value > maximum:
    raise InputError(_with_hint(
        f"{flag} must be <= {maximum}; got {value}.", hint))


def require_number(flag: str, value: float, *,
                   low: Optional[float] = None, high: Optional[float] = None,
                   low_open: bool = False, high_open: bool = False,
                   hint: str = "") -> None:
  """Raises InputError unless `value` is a finite number in the interval
  from `low` to `high` (each end closed unless `*_open`; None: unbounded)."""
  if not _is_real(value) or not math.isfinite(value):
    raise InputError(_with_hint(
        f"{flag} must be a finite number; got {value!r}.", hint))
  too_low = low is not None and (value <= low if low_open else value < low)
  too_high = high is not None and (value >= high if high_open
                                   else value > high)
  if too_low or too_high:
    if low is not None and high is not None:
      where = (f"in {'(' if low_open else '['}{low:g}, {high:g}"
               f"{')' if high_open else ']'}")
    elif low is not None:
      where = f"{'>' if low_open else '>='} {low:g}"
    else:
      where = f"{'<' if high_open else '<='} {high:g}"
    raise InputError(_with_hint(f"{flag} must be {where}; got {value}.",
                                hint))


def require_choice(flag: str, value: Any, choices: Iterable[Any],
                   hint: str = "") -> None:
  """Raises InputError unless `value` is one of `choices`."""
  choices = list(choices)
  if value not in choices:
    raise InputError(_with_hint(
        f"{flag} must be one of {choices}; got {value!r}.", hint))
