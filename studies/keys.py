"""Reuse keys of the studies' train and eval jobs, independent of file paths.

Beside each run's model_dir a study records what the run was trained with
(`<model_dir>.key`) and what its last complete evaluation asked for
(`<model_dir>.eval.key`), so a study started again reuses finished work.
A key describes the job's settings only:

- train: the sha1 of the flagfile's settings (its lines as absl reads
  them: comments and blank lines left out, each line stripped) and the
  flags the study passes (sorted, values as on the command line), without
  the flagfile's path, the binary that runs the job or the model_dir;
- eval: the flags the study passes (metrics included), without the
  model_dir and the harness's polling flags (--timeout, --poll_interval,
  --progress_every), which do not change the results.

A flag whose value is a path (`is_path_flag`: --init_from, --*_path,
--*_dir) is recorded by what it names, not where: a path inside the run's
own runs folder (the model_dir's parent: another run of the study, e.g. the
checkpoint a fork starts from) as "<runs>/" and its path from there; any
other path (e.g. the domain classifier's folder) as "<elsewhere>/" and its
last component.

Moving the flagfiles, the runs folder or the binaries, or editing a
flagfile's comments, therefore retrains nothing. Keys are written as JSON
(format 2). Keys of the first format (the whole command line, then for
train jobs the sha1 of the flagfile's bytes on a second line) are still
read: `parse` reduces them to the same settings, so a run recorded with one
is reused when its settings match, and the study then rewrites its key in
the current format. A first-format key's sha1 is of the flagfile's bytes:
it matches the current flagfile when the bytes are the same, or when they
are a version listed in flagfile_history.json (earlier versions' bytes and
settings sha1) whose settings are the same.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from typing import Mapping, Optional

from tfgan_ext import fileio

KEY_FORMAT = 2
TRAIN, EVAL = "train", "eval"
# Command-line flags of a format-1 key that do not describe the settings:
# paths, and the eval job's polling (the harness always passes the same).
_NOT_SETTINGS = {
    TRAIN: ("flagfile", "model_dir"),
    EVAL: ("model_dir", "timeout", "poll_interval", "progress_every"),
}
# Earlier versions of the studies' flagfiles: {bytes sha1: settings sha1}.
HISTORY_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "flagfile_history.json")
# Flags a finished run may change when it is lengthened (see `lengthens`).
LENGTH_FLAGS = ("max_steps", "keep_checkpoints", "image_every")


def flagfile_settings(flagfile_bytes: bytes) -> str:
  """The lines of a flagfile that absl reads as flags, stripped, one per
  line: lines of whitespace and lines starting with '#' or '//' are
  comments (absl's FlagValues.read_flags_from_files rule)."""
  lines = flagfile_bytes.decode("utf8").splitlines(keepends=True)
  return "\n".join(line.strip() for line in lines
                   if not line.isspace()
                   and not line.startswith(("#", "//")))


def settings_sha1(flagfile_bytes: bytes) -> str:
  """sha1 hex digest of `flagfile_settings`: the flagfile's identity in a
  train key."""
  return hashlib.sha1(flagfile_settings(flagfile_bytes).encode("utf8")
                      ).hexdigest()


def _settings_of_earlier_version(bytes_sha1: str,
                                 history_file: str) -> Optional[str]:
  """The settings sha1 of the flagfile version whose bytes have
  `bytes_sha1`, from `history_file`; None when it is not listed."""
  if not os.path.exists(history_file):
    return None
  with open(history_file, encoding="utf8") as f:
    history = json.load(f)["flagfiles"]
  for versions in history.values():
    for version in versions:
      if version["bytes_sha1"] == bytes_sha1:
        return version["settings_sha1"]
  return None


def is_path_flag(name: str) -> bool:
  """Whether flag `name` takes a path: --init_from, --*_path, --*_dir."""
  return name == "init_from" or name.endswith(("_path", "_dir"))


def path_identity(value: str, model_dir: str) -> str:
  """What a path-valued flag names, independent of where the runs and the
  checkout live: "<runs>/<path from model_dir's parent>" for a path inside
  that folder, else "<elsewhere>/<last component>"."""
  runs = os.path.dirname(os.path.normpath(os.path.abspath(model_dir)))
  path = os.path.normpath(os.path.abspath(value))
  if path.startswith(runs + os.sep):
    return "<runs>/" + os.path.relpath(path, runs).replace(os.sep, "/")
  return "<elsewhere>/" + os.path.basename(path)


def _settings(flags: Mapping[str, object], model_dir: str) -> dict[str, str]:
  """{name: value as on the command line}, path values by `path_identity`."""
  return {k: (path_identity(flag_value(v), model_dir) if is_path_flag(k)
              else flag_value(v)) for k, v in flags.items()}


def flag_value(value: object) -> str:
  """A flag's value as the command line spells it (bools: true / false)."""
  if isinstance(value, bool):
    return "true" if value else "false"
  return str(value)


def flag_args(flags: Mapping[str, object]) -> list[str]:
  """`--name=value` arguments of `flags`, in their order."""
  return [f"--{k}={flag_value(v)}" for k, v in flags.items()]


@dataclasses.dataclass(frozen=True)
class JobKey:
  """The settings of one train or eval job.

  kind: TRAIN or EVAL; flags: {name: value as on the command line, or
  `path_identity` for a path};
  flagfile_sha1: `settings_sha1` of the flagfile (train jobs; "" for eval
  jobs).
  """
  kind: str
  flags: Mapping[str, str]
  flagfile_sha1: str = ""

  def __post_init__(self):
    if self.kind not in (TRAIN, EVAL):
      raise ValueError(f"kind must be {TRAIN!r} or {EVAL!r}, got "
                       f"{self.kind!r}.")
    object.__setattr__(self, "flags", dict(sorted(self.flags.items())))

  def text(self) -> str:
    """The key file's content (format 2: sorted JSON)."""
    record = {"format": KEY_FORMAT, "job": self.kind, "flags": self.flags}
    if self.kind == TRAIN:
      record["flagfile_sha1"] = self.flagfile_sha1
    return json.dumps(record, indent=1, sort_keys=True) + "\n"


def train_key(flagfile_bytes: bytes, flags: Mapping[str, object],
              model_dir: str) -> JobKey:
  """The key of the train job of `model_dir`: its flagfile's settings and
  its extra flags."""
  return JobKey(TRAIN, _settings(flags, model_dir),
                settings_sha1(flagfile_bytes))


def eval_key(metrics: str, flags: Mapping[str, object],
             model_dir: str) -> JobKey:
  """The key of the eval job of `model_dir`: its metrics and its extra
  flags."""
  return JobKey(EVAL, _settings({**flags, "metrics": metrics}, model_dir))


def _command_flags(command: str) -> dict[str, str]:
  """{name: value} of the `--name=value` words of a command line."""
  return dict(word[2:].split("=", 1) for word in command.split()
              if word.startswith("--") and "=" in word)


def parse(text: str, kind: str, flagfile_bytes: Optional[bytes] = None,
          history_file: str = HISTORY_FILE) -> Optional[JobKey]:
  """The settings recorded in a key file of either format; None when the
  text is neither (an unreadable key matches no settings).

  A first-format train key records the sha1 of the flagfile's bytes. The
  parsed key carries the settings sha1 of those bytes when it is known:
  from `flagfile_bytes` (the flagfile the job uses now) when they have that
  sha1, else from `history_file` (earlier versions); otherwise it carries
  the recorded sha1, which equals no current key.
  """
  stripped = text.strip()
  if stripped.startswith("{"):
    try:
      record = json.loads(stripped)
      if record.get("format") != KEY_FORMAT or record.get("job") != kind:
        return None
      return JobKey(kind, {str(k): str(v) for k, v in
                           record["flags"].items()},
                    str(record.get("flagfile_sha1", "")))
    except (ValueError, KeyError, TypeError, AttributeError):
      return None
  # Format 1: "python -m <module> --flagfile=<path> --model_dir=<dir> ..."
  # and, for a train job, the flagfile's sha1 on the last line.
  command, sha1 = stripped, ""
  if kind == TRAIN:
    command, _, sha1 = stripped.rpartition("\n")
    if not command or not sha1:
      return None
  if not command.startswith("python -m "):
    return None
  recorded = _command_flags(command)
  flags = _settings({k: v for k, v in recorded.items()
                     if k not in _NOT_SETTINGS[kind]},
                    recorded.get("model_dir", ""))
  sha1 = sha1.strip()
  if not sha1:
    return JobKey(kind, flags)
  if (flagfile_bytes is not None
      and hashlib.sha1(flagfile_bytes).hexdigest() == sha1):
    return JobKey(kind, flags, settings_sha1(flagfile_bytes))
  earlier = _settings_of_earlier_version(sha1, history_file)
  return JobKey(kind, flags, earlier or sha1)


def read(path: str) -> Optional[str]:
  """A key file's text, or None when there is none."""
  if not os.path.exists(path):
    return None
  with open(path, encoding="utf8") as f:
    return f.read()


def write(path: str, key: JobKey) -> None:
  """Writes `key` to `path` (atomically) in the current format."""
  fileio.atomic_write_text(path, key.text())


def lengthens(previous: JobKey, key: JobKey) -> bool:
  """True when `key` asks for the train job of `previous` with only more G
  steps: the same flagfile settings and flags except a larger --max_steps
  (and with it --keep_checkpoints / --image_every). Whether the run's
  learning rates allow resuming is the caller's check."""
  if previous.kind != TRAIN or key.kind != TRAIN:
    return False
  if previous.flagfile_sha1 != key.flagfile_sha1:
    return False
  old, new = previous.flags, key.flags
  strip = lambda f: {k: v for k, v in f.items() if k not in LENGTH_FLAGS}
  if strip(old) != strip(new) or "max_steps" not in old.keys() & new.keys():
    return False
  return int(new["max_steps"]) > int(old["max_steps"])
