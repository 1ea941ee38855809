"""How every binary starts: absl's `app.run` under the name the user typed.

A binary can be started three ways: `python -m experiments.train` (the
checkout's shim), `python -m tfgan_ext.cli.train`, or the console script
`tfgan-ext-train` of an installed package. `run` makes all three behave the
same: errors are printed as `<name>: <message>` with the name the user
typed, `--helpshort` lists the binary's own flags (absl lists the flags of
the module named by `sys.argv[0]`, which for a shim or a console script
defines none), and `--help` shows the binary's docstring.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from types import ModuleType
from typing import Callable, Sequence

from absl import app
from absl import flags

from tfgan_ext.errors import (EXIT_BAD_INPUT, UsageError,
                              reports_input_errors)

__all__ = ["check_command_line", "check_no_arguments", "check_no_empty_flags",
           "invoked_name", "run"]

FLAGS = flags.FLAGS


def invoked_name(default: str) -> str:
  """The name the binary was started by.

  Args:
    default: the name used when neither rule below applies, e.g.
      "experiments.train" (the module path the documentation uses).

  Returns:
    The module path given to `python -m` (`__main__.__spec__.name`, e.g.
    "experiments.train" or "tfgan_ext.cli.train"); else the file name of
    `sys.argv[0]` when it is a console script (e.g. "tfgan-ext-train",
    without a ".exe"); else `default` (a `.py` file, `python -c`, or an
    embedding program).
  """
  spec = getattr(sys.modules.get("__main__"), "__spec__", None)
  if spec is not None and spec.name and spec.name != "__main__":
    return spec.name
  name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
  if name.lower().endswith(".exe"):
    name = name[:-4]
  if not name or name.endswith(".py") or name.startswith("-"):
    return default
  return name


def check_no_arguments(argv: Sequence[str]) -> None:
  """Raises `UsageError` when the command line has positional arguments
  (`argv[1:]` after absl took the flags): the binaries take flags only. A
  common cause is a value after a space, e.g. `--once true`."""
  if len(argv) > 1:
    listed = " ".join(repr(arg) for arg in argv[1:])
    raise UsageError(f"Unexpected argument(s) {listed}: this binary takes "
                     "only flags, written --name=value.")


def check_no_empty_flags() -> None:
  """Raises `UsageError` when a flag whose default is None (a name, a path,
  a list: "not given") is given with an empty value, e.g. `--out=` or
  `--checkpoint=`: leaving a flag out takes its default; an empty value is
  a mistake (often a shell variable that was not set)."""
  for name in sorted(FLAGS):
    flag = FLAGS[name]
    if (flag.present and flag.default is None
        and flag.value in ("", [], ())):
      raise UsageError(f"--{name} is empty: give it a value, or leave the "
                       "flag out for its default.")


def check_command_line(argv: Sequence[str]) -> None:
  """What every binary's `main` checks first: no positional arguments
  (`check_no_arguments`) and no empty value of a flag whose default is None
  (`check_no_empty_flags`)."""
  check_no_arguments(argv)
  check_no_empty_flags()


def _absl_usage_errors_as_ours(main: Callable) -> Callable:
  """`main` with absl's `app.UsageError` raised as our `UsageError`, so it
  too is one line, not absl's dump of the docstring and every flag."""
  @functools.wraps(main)
  def wrapped(argv):
    try:
      return main(argv)
    except app.UsageError as err:
      raise UsageError(str(err)) from None
  return wrapped


def _flagfiles(argv: Sequence[str]) -> list[str]:
  """The --flagfile values of a command line (both spellings)."""
  files, expect_value = [], False
  for arg in argv[1:]:
    if expect_value:
      files.append(arg)
      expect_value = False
    elif arg in ("--flagfile", "-flagfile"):
      expect_value = True
    elif arg.startswith(("--flagfile=", "-flagfile=")):
      files.append(arg.split("=", 1)[1])
  return files


def _undecodable(path: str) -> bool:
  try:
    with open(path, encoding="utf8") as f:
      f.read()
  except UnicodeDecodeError:
    return True
  except OSError:
    return False
  return False


def _flags_parser(program: str) -> Callable:
  """absl's `parse_flags_with_usage`, plus two cases it does not report: an
  empty --flagfile (absl ignores it) and a --flagfile that is not text
  (absl lets its UnicodeDecodeError through as a traceback). These are
  printed as `<program>: <message>` and exit with `EXIT_BAD_INPUT`; absl's
  own parse errors keep absl's format and exit 1."""
  def parse(argv):
    if "" in _flagfiles(argv):  # absl would read no file and go on.
      print(f"{program}: --flagfile is empty: name a flagfile, or leave the "
            f"flag out. {UsageError.hint}", file=sys.stderr)
      sys.exit(EXIT_BAD_INPUT)
    try:
      return app.parse_flags_with_usage(argv)
    except UnicodeDecodeError as err:
      bad = [f for f in _flagfiles(argv) if _undecodable(f)]
      named = f"--flagfile {bad[0]!r}" if bad else "A --flagfile"
      print(f"{program}: {named} is not a text file ({err.reason} at byte "
            f"{err.start}); a flagfile holds one --name=value per line, in "
            "UTF-8.", file=sys.stderr)
      sys.exit(EXIT_BAD_INPUT)
  return parse


def run(main: Callable, program: str, module: ModuleType,
        flag_modules: Sequence[ModuleType] = ()) -> None:
  """Runs `main` with `absl.app.run` (which parses the flags and exits; a
  --flagfile that is not text is reported as bad input, see `_flags_parser`).

  Args:
    main: the binary's `main(argv)`; when it is decorated with
      `reports_input_errors(program)`, the undecorated function is wrapped
      again with the name the user typed (`invoked_name(program)`), and
      absl's `app.UsageError` is reported as a `UsageError`.
    program: the name used in messages when the binary is not started by
      `python -m` or a console script.
    module: the binary's module: its docstring becomes `__main__`'s (absl
      prints that for `--help`) and its flags are listed by `--helpshort`.
    flag_modules: further modules whose flags `--helpshort` lists (e.g.
      tfgan_ext.cli.train_flags).
  """
  main_module = sys.modules.get("__main__")
  if main_module is not None and main_module is not module:
    main_module.__doc__ = module.__doc__
  key_flags = []
  for flag_module in (module, *flag_modules):
    key_flags += FLAGS.get_key_flags_for_module(flag_module.__name__)
  for flag in key_flags:
    FLAGS.register_key_flag_for_module(sys.argv[0], flag)
  name = invoked_name(program)
  reported = reports_input_errors(name)
  app.run(reported(_absl_usage_errors_as_ours(inspect.unwrap(main))),
          flags_parser=_flags_parser(name))
