"""One train job per model_dir: a lock file that names the job holding it.

The train job (its chief, under multi-worker training) creates
`<model_dir>/TRAINING_LOCK` before it writes anything else and removes it
when it ends. The file holds the holder's host, pid, start time and, where
/proc is available, the process's start time (clock ticks since boot) and
the boot id, so a reused pid or a reboot is not mistaken for the holder.

A second job refuses to start while the holder is alive, naming it. A lock
whose holder is gone (killed with -9, machine rebooted) is taken over with
a warning. A lock written on another host cannot be checked from here, so
it is treated as alive: if that job has gone, delete the file. Eval jobs
only read the model_dir and never take the lock.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import json
import os
import socket
import uuid
from typing import Iterator, Optional

from absl import logging

from tfgan_ext.errors import UnavailableError
from tfgan_ext import fileio
from tfgan_ext import workspace

__all__ = ["Holder", "ModelDirLockedError", "RunLock", "acquire",
           "check_free", "hold", "holder_alive", "lock_path", "read_holder"]

_ATTEMPTS = 5  # Rounds of (read, take over, create) when jobs race.


class ModelDirLockedError(UnavailableError):
  """Another train job holds the model_dir."""


@dataclasses.dataclass(frozen=True)
class Holder:
  """The job that holds (or held) a model_dir's lock."""
  host: str
  pid: int
  started: str                    # ISO time the lock was taken.
  process_start: Optional[int]    # /proc/<pid>/stat starttime, if known.
  boot_id: Optional[str]          # The host's boot id, if known.
  token: str                      # Unique per acquisition.

  def describe(self) -> str:
    return f"pid {self.pid} on host {self.host} (since {self.started})"


def lock_path(model_dir: str) -> str:
  """<model_dir>/TRAINING_LOCK (`workspace.lock_path`)."""
  return workspace.lock_path(model_dir)


def _read_text(path: str) -> Optional[str]:
  try:
    with open(path, encoding="utf8") as f:
      return f.read()
  except OSError:
    return None


def _boot_id() -> Optional[str]:
  text = _read_text("/proc/sys/kernel/random/boot_id")
  return text.strip() if text else None


def _proc_stat(pid: int) -> Optional[tuple[str, int]]:
  """(state, starttime) of a process from /proc/<pid>/stat, or None when
  there is no such process (or no /proc)."""
  text = _read_text(f"/proc/{pid}/stat")
  if not text:
    return None
  # Fields after the parenthesized command name, which may hold spaces.
  fields = text.rsplit(")", 1)[1].split()
  return fields[0], int(fields[19])


def _has_proc() -> bool:
  return os.path.exists(f"/proc/{os.getpid()}/stat")


def this_process() -> Holder:
  pid = os.getpid()
  stat = _proc_stat(pid)
  return Holder(
      host=socket.gethostname(), pid=pid,
      started=datetime.datetime.now().isoformat(timespec="seconds"),
      process_start=stat[1] if stat else None, boot_id=_boot_id(),
      token=uuid.uuid4().hex)


def read_holder(path: str) -> Optional[Holder]:
  """The holder recorded in the lock file `path`; None if there is none."""
  try:
    with open(path, encoding="utf8") as f:
      text = f.read()
  except FileNotFoundError:
    return None
  try:
    record = json.loads(text)
    fields = {f.name for f in dataclasses.fields(Holder)}
    return Holder(**{k: v for k, v in record.items() if k in fields})
  except (ValueError, TypeError) as err:
    raise ModelDirLockedError(
        f"{path} exists but is not a readable train-job lock ({err}). If no "
        f"train job is using {os.path.dirname(path)}, delete {path} and "
        "start again.") from err


def holder_alive(holder: Holder) -> bool:
  """Whether the holding job may still be running. A holder on another
  host counts as alive (this host cannot tell)."""
  if holder.host != socket.gethostname():
    return True
  boot_id = _boot_id()
  if holder.boot_id and boot_id and holder.boot_id != boot_id:
    return False  # Written before the last reboot.
  if not _has_proc():
    try:
      os.kill(holder.pid, 0)
    except ProcessLookupError:
      return False
    except PermissionError:
      return True  # Exists, owned by another user.
    return True
  stat = _proc_stat(holder.pid)
  if stat is None or stat[0] in ("Z", "X"):
    return False  # Gone, or a zombie that has already exited.
  return holder.process_start is None or stat[1] == holder.process_start


def _refusal(model_dir: str, holder: Holder) -> ModelDirLockedError:
  path = lock_path(model_dir)
  if holder.host != socket.gethostname():
    what = (f"This host cannot check whether that job is still running; if "
            f"it is not, delete {path} and start again.")
  else:
    what = ("Wait for it to finish or stop it, or use another --model_dir "
            "(eval jobs may share it).")
  return ModelDirLockedError(
      f"model_dir {model_dir} is in use by another train job: "
      f"{holder.describe()}. Only one train job may run per model_dir. "
      f"{what}")


def check_free(model_dir: str) -> None:
  """Raises ModelDirLockedError if a live job holds `model_dir`; writes
  nothing (a dead holder's lock is left for `acquire` to take over)."""
  holder = read_holder(lock_path(model_dir))
  if holder is not None and holder_alive(holder):
    raise _refusal(model_dir, holder)


def _create(path: str, holder: Holder) -> bool:
  """Creates the lock file holding `holder`, atomically and complete
  (`fileio.atomic_create_text`); False if it already exists."""
  return fileio.atomic_create_text(
      path, json.dumps(dataclasses.asdict(holder), sort_keys=True))


def _remove_stale(path: str, stale: Holder, token: str) -> None:
  """Removes the lock of the dead holder `stale`, unless another job has
  replaced it since it was read."""
  moved = f"{path}.{token}.stale"
  try:
    os.rename(path, moved)
  except FileNotFoundError:
    return  # Another job took it over first.
  try:
    if read_holder(moved) != stale:  # Replaced meanwhile: put it back.
      with contextlib.suppress(FileExistsError):
        os.link(moved, path)
  finally:
    os.remove(moved)


class RunLock:
  """A held model_dir lock; `release` removes it if it is still ours."""

  def __init__(self, path: str, holder: Holder):
    self.path, self.holder = path, holder

  def release(self) -> None:
    try:
      current = read_holder(self.path)
    except ModelDirLockedError:
      current = None
    if current is not None and current.token == self.holder.token:
      os.remove(self.path)
    else:
      logging.warning("%s is no longer this job's lock; left as it is.",
                      self.path)


def acquire(model_dir: str) -> RunLock:
  """Takes `model_dir`'s lock for this process: refuses (raises
  ModelDirLockedError, writing nothing) if a live job holds it, takes it
  over with a warning if its holder is gone."""
  path = lock_path(model_dir)
  me = this_process()
  for _ in range(_ATTEMPTS):
    holder = read_holder(path)
    if holder is not None:
      if holder_alive(holder):
        raise _refusal(model_dir, holder)
      logging.warning(
          "Taking over %s from %s, which is no longer running (killed or "
          "crashed).", path, holder.describe())
      _remove_stale(path, holder, me.token)
    if _create(path, me):
      return RunLock(path, me)
  raise ModelDirLockedError(
      f"Could not take {path}: other jobs kept taking it. Run one train job "
      f"per model_dir.")


@contextlib.contextmanager
def hold(model_dir: str, enabled: bool = True) -> Iterator[None]:
  """Holds `model_dir`'s lock for the duration (released on exceptions
  too); does nothing when not `enabled` (non-chief workers)."""
  if not enabled:
    yield
    return
  lock = acquire(model_dir)
  try:
    yield
  finally:
    lock.release()
