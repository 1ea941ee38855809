"""Atomic outputs: a file or folder appears complete, or not at all.

Every writer of the library (checkpoints aside, which TensorFlow writes)
goes through this module:

* `atomic_path(path)` yields a unique temporary name in `path`'s folder for
  a writer that wants a name (NumPy, PIL, zipfile); on success it is renamed
  to `path` (`os.replace`, atomic on POSIX), on failure it is removed.
* `atomic_open(path, mode)` does the same for a file object;
  `atomic_write_text` / `atomic_write_bytes` write a whole file at once.
* `atomic_create_text(path, text)` creates `path` only if it does not exist
  yet (a lock file: of racing writers, one wins).
* `atomic_dir(path)` yields a unique temporary folder beside `path` and
  renames it to `path` at the end; on failure it is deleted with everything
  in it.
* `check_output_path(path, kind)` refuses, before any work starts, an
  output that cannot be written: a read-only or missing-and-uncreatable
  parent, a folder where a file is wanted (or the other way round), a name
  longer than the file system allows.

Temporary names are hidden (`.<name>.<random>.tmp<ext>`), keep the final
name's extension (NumPy and PIL choose the format by it), are created with
O_EXCL so that concurrent writers never share one, and get the same
permissions (umask) as a file created directly. Folders created for an
output are removed again when the write fails.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from typing import IO, Iterator, Optional

from tfgan_ext.errors import InputError, UnwritableError

__all__ = ["atomic_create_text", "atomic_dir", "atomic_open", "atomic_path",
           "atomic_write_bytes", "atomic_write_text", "check_output_path"]

_DEFAULT_NAME_MAX = 255
_DEFAULT_PATH_MAX = 4096
_MAX_EXT = 16  # Longer "extensions" are not kept in temporary names.
_ATTEMPTS = 100


def _existing_ancestor(path: str) -> str:
  """The nearest ancestor of absolute `path` (or itself) that exists."""
  probe = path
  while not os.path.lexists(probe):
    parent = os.path.dirname(probe)
    if parent == probe:
      break
    probe = parent
  return probe


def _limits(folder: str) -> tuple[int, int]:
  """(NAME_MAX, PATH_MAX) of the file system holding existing `folder`."""
  limits = []
  for name, default in (("PC_NAME_MAX", _DEFAULT_NAME_MAX),
                        ("PC_PATH_MAX", _DEFAULT_PATH_MAX)):
    try:
      value = os.pathconf(folder, name)
    except (OSError, ValueError, AttributeError):
      value = -1
    limits.append(value if value and value > 0 else default)
  return limits[0], limits[1]


def _describe(path: str, flag: Optional[str]) -> str:
  return f"{flag} {path!r}" if flag else repr(path)


def check_output_path(path: str, kind: str = "file", *,
                      flag: Optional[str] = None) -> str:
  """Fails early when `path` cannot be written as a `kind` ("file" or "dir").

  Nothing is created. Refused: an empty path; a name (any component) or a
  whole path longer than the file system allows; an existing folder where a
  file is wanted, or an existing file where a folder is wanted; a parent
  that is a file; a nearest existing ancestor that is not writable.
  An existing file (kind "file") or folder (kind "dir") is accepted: whether
  it may be replaced or added to is the caller's decision. Checked for
  writing: the folder of a file, an existing folder itself, else the
  nearest existing ancestor (where the missing folders will be created).

  Args:
    path: the output.
    kind: "file" or "dir".
    flag: the flag or argument that named it (e.g. "--out"), for messages.

  Returns:
    The absolute, normalized path.

  Raises:
    InputError: the path is empty, too long, or of the wrong kind.
    UnwritableError: its folder cannot be written.
  """
  if kind not in ("file", "dir"):
    raise ValueError(f"kind must be 'file' or 'dir'; got {kind!r}.")
  what = "a file" if kind == "file" else "a folder"
  if not path:
    raise InputError(f"{flag or 'The output path'} is empty: name {what} to "
                     "write.")
  full = os.path.abspath(path)
  ancestor = _existing_ancestor(full)
  name_max, path_max = _limits(ancestor if os.path.isdir(ancestor)
                               else os.path.dirname(ancestor))
  too_long = [part for part in full.split(os.sep)
              if len(os.fsencode(part)) > name_max]
  if too_long:
    raise InputError(
        f"{_describe(path, flag)}: the name {too_long[0][:40]!r}... has "
        f"{len(os.fsencode(too_long[0]))} bytes; this file system allows "
        f"{name_max}. Choose a shorter name.")
  if len(os.fsencode(full)) >= path_max:
    raise InputError(f"{_describe(path, flag)} is {len(os.fsencode(full))} "
                     f"bytes long; this file system allows {path_max - 1}. "
                     "Choose a shorter path.")
  if os.path.lexists(full):
    if kind == "file" and os.path.isdir(full):
      raise InputError(f"{_describe(path, flag)} is a folder; {what} is "
                       "written there. Name a file (or remove the folder).")
    if kind == "dir" and not os.path.isdir(full):
      raise InputError(f"{_describe(path, flag)} is a file; {what} is "
                       "written there. Name a folder (or remove the file).")
  if os.path.lexists(full):
    # A file is replaced by a rename in its folder; a folder is written in.
    folder = full if kind == "dir" else os.path.dirname(full)
  elif not os.path.isdir(ancestor):
    raise InputError(f"{_describe(path, flag)} cannot be created: "
                     f"{ancestor!r} is a file, not a folder.")
  else:
    folder = ancestor  # Missing folders are created in it.
  if not os.access(folder, os.W_OK | os.X_OK):
    raise UnwritableError(
        f"Cannot write {_describe(path, flag)}: {folder!r} is not a writable "
        "folder (read-only, or no permission). Choose a location you can "
        "write to.")
  return full


def _token() -> str:
  return secrets.token_hex(4)


def _temp_name(folder: str, base: str, tag: str) -> str:
  """A hidden name in `folder` for `base`'s temporary, keeping its
  extension, short enough for the file system."""
  name_max, _ = _limits(folder)
  ext = os.path.splitext(base)[1]
  if len(ext) > _MAX_EXT:
    ext = ""
  token = _token()
  room = max(0, name_max - len(os.fsencode(ext)) - len(token) - len(tag) - 4)
  stem = os.fsencode(base)[:room].decode("utf8", "ignore")
  return os.path.join(folder, f".{stem}.{token}.{tag}{ext}")


def _make_parents(folder: str) -> list[str]:
  """Creates `folder` and its missing parents; returns those it created,
  deepest first."""
  created = []
  probe = folder
  while not os.path.exists(probe):
    created.append(probe)
    parent = os.path.dirname(probe)
    if parent == probe:
      break
    probe = parent
  os.makedirs(folder, exist_ok=True)
  return created


def _remove_created(created: list[str]) -> None:
  for folder in created:  # Deepest first; only if still empty.
    try:
      os.rmdir(folder)
    except OSError:
      return


def _remove(path: str) -> None:
  try:
    if os.path.isdir(path) and not os.path.islink(path):
      shutil.rmtree(path, ignore_errors=True)
    else:
      os.remove(path)
  except FileNotFoundError:
    pass


def _reserve_file(folder: str, base: str) -> str:
  """Creates an empty, unique temporary file (mode 0666 & ~umask)."""
  for _ in range(_ATTEMPTS):
    tmp = _temp_name(folder, base, "tmp")
    try:
      fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except FileExistsError:
      continue
    os.close(fd)
    return tmp
  raise FileExistsError(f"No free temporary name for {base!r} in {folder}.")


def _reserve_dir(folder: str, base: str, tag: str = "tmp") -> str:
  """Creates an empty, unique temporary folder (mode 0777 & ~umask)."""
  for _ in range(_ATTEMPTS):
    tmp = _temp_name(folder, base, tag)
    try:
      os.mkdir(tmp, 0o777)
    except FileExistsError:
      continue
    return tmp
  raise FileExistsError(f"No free temporary name for {base!r} in {folder}.")


def _split(path: str) -> tuple[str, str]:
  if not path:
    raise InputError("The output path is empty: name a file or folder.")
  full = os.path.abspath(path)
  base = os.path.basename(full)
  if not base:
    raise InputError(f"{path!r} names no file.")
  return os.path.dirname(full), base


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
  """Yields a unique temporary file name beside `path` (the file exists,
  empty); when the block ends without an exception it is renamed to `path`
  (replacing a file there), otherwise it is removed together with any
  folders created for it.

  Example:
    with atomic_path("stats.npz") as tmp:
      np.savez(tmp, mu=mu, sigma=sigma)
  """
  folder, base = _split(path)
  created = _make_parents(folder)
  try:
    tmp = _reserve_file(folder, base)
  except BaseException:
    _remove_created(created)
    raise
  try:
    yield tmp
    os.replace(tmp, os.path.join(folder, base))
  except BaseException:
    _remove(tmp)
    _remove_created(created)
    raise


@contextlib.contextmanager
def atomic_open(path: str, mode: str = "w",
                encoding: Optional[str] = "utf8") -> Iterator[IO]:
  """Opens a unique temporary file beside `path` for writing (`mode` "w" or
  "wb"); on success it is flushed to disk and renamed to `path`, on failure
  nothing is left."""
  if mode not in ("w", "wb"):
    raise ValueError(f"mode must be 'w' or 'wb'; got {mode!r}.")
  with atomic_path(path) as tmp:
    with open(tmp, mode, encoding=None if "b" in mode else encoding) as f:
      yield f
      f.flush()
      os.fsync(f.fileno())


def atomic_write_text(path: str, text: str, encoding: str = "utf8") -> str:
  """Writes `text` to `path` atomically; returns `path`."""
  with atomic_open(path, "w", encoding=encoding) as f:
    f.write(text)
  return path


def atomic_write_bytes(path: str, data: bytes) -> str:
  """Writes `data` to `path` atomically; returns `path`."""
  with atomic_open(path, "wb") as f:
    f.write(data)
  return path


def atomic_create_text(path: str, text: str, encoding: str = "utf8") -> bool:
  """Creates `path` holding `text` only if nothing is there yet, atomically:
  readers see no file or the complete one, and of writers racing for the
  same `path` exactly one succeeds (a lock file). The text goes to a unique
  temporary first, which is hard-linked to `path` (a file system without
  hard links falls back to an O_EXCL create). Returns False, writing
  nothing, when `path` exists.
  """
  folder, base = _split(path)
  final = os.path.join(folder, base)
  tmp = _reserve_file(folder, base)
  try:
    with open(tmp, "w", encoding=encoding) as f:
      f.write(text)
      f.flush()
      os.fsync(f.fileno())
    try:
      os.link(tmp, final)
      return True
    except FileExistsError:
      return False
    except OSError:  # No hard links here.
      try:
        fd = os.open(final, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
      except FileExistsError:
        return False
      with os.fdopen(fd, "w", encoding=encoding) as f:
        f.write(text)
      return True
  finally:
    _remove(tmp)


@contextlib.contextmanager
def atomic_dir(path: str, *, replace: bool = False) -> Iterator[str]:
  """Yields a unique, empty temporary folder beside `path`; when the block
  ends without an exception it is renamed to `path`, otherwise it is deleted
  with its contents (and any parent folders created for it).

  `path` may be missing or an empty folder. A non-empty folder is refused
  (InputError, before the block runs) unless `replace`: then it is moved
  aside, the new folder renamed in, and the old one deleted.
  """
  folder, base = _split(path)
  final = os.path.join(folder, base)
  if os.path.lexists(final):
    if not os.path.isdir(final) or os.path.islink(final):
      raise InputError(f"{path!r} exists and is not a folder; remove it or "
                       "choose another name.")
    if os.listdir(final) and not replace:
      raise InputError(f"{path!r} exists and is not empty; remove it or "
                       "choose another name.")
  created = _make_parents(folder)
  try:
    tmp = _reserve_dir(folder, base)
  except BaseException:
    _remove_created(created)
    raise
  try:
    yield tmp
    if replace and os.path.isdir(final) and os.listdir(final):
      old = _reserve_dir(folder, base, "old")
      os.replace(final, old)  # Onto the empty reserved folder.
      os.replace(tmp, final)
      shutil.rmtree(old, ignore_errors=True)
    else:
      os.replace(tmp, final)  # Onto a missing or empty folder.
  except BaseException:
    _remove(tmp)
    _remove_created(created)
    raise
