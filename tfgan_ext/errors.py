"""Errors for known bad input, and how the binaries report them.

Library code raises a `UserError` subclass when the user's input or set-up
is wrong and the message says what to do (an unknown dataset, a TFDS dataset
not prepared, a refused resume, ...). The binaries wrap their `main` with
`reports_input_errors`, which prints such an error as `<binary>: <message>`
on stderr and exits with `EXIT_BAD_INPUT`; any other exception is a bug and
keeps its traceback. A `UsageError` (a command line that cannot work: a
stray argument, flags that do not go together) gets the same one line plus
a pointer to `--helpshort`, instead of absl's dump of the docstring and
every flag.

Each subclass also derives from the built-in type the call sites raised
before (ValueError, FileNotFoundError, PermissionError, RuntimeError), so
callers that catch those keep working.
"""

from __future__ import annotations

import functools
import sys
from typing import Callable

__all__ = ["EXIT_BAD_INPUT", "InputError", "MissingInputError",
           "UnavailableError", "UnwritableError", "UsageError", "UserError",
           "reports_input_errors"]

EXIT_BAD_INPUT = 2


class UserError(Exception):
  """Known bad input or set-up; the message tells the user what to do."""


class InputError(UserError, ValueError):
  """A bad value: flag, configuration, dataset name, split, size, ..."""


class UsageError(InputError):
  """A command line that cannot work: a stray positional argument, flags
  that do not go together (`--checkpoint` without `--once`, two feature
  networks, ...). Raised by the binaries only, never by the library."""

  hint = "Try --helpshort."


class MissingInputError(UserError, FileNotFoundError):
  """A file or directory the user named (or must provide) is not there."""


class UnwritableError(UserError, PermissionError):
  """An output directory cannot be written."""


class UnavailableError(UserError, RuntimeError):
  """Something the run needs is not available on this machine (a dataset
  that is not prepared, a TPU, a cluster spec)."""


def reports_input_errors(program: str) -> Callable:
  """Decorates an absl `main(argv)`: a `UserError` is printed as one line
  `<program>: <message>` on stderr (a `UsageError` followed by
  `UsageError.hint` on that line) and `main` returns `EXIT_BAD_INPUT` (absl's
  `app.run` passes it to `sys.exit`); other exceptions propagate."""
  def decorate(main: Callable) -> Callable:
    @functools.wraps(main)
    def wrapped(argv):
      try:
        return main(argv)
      except UserError as err:
        hint = f" {err.hint}" if isinstance(err, UsageError) else ""
        print(f"{program}: {err}{hint}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return wrapped
  return decorate
