"""tfgan_ext.fileio: outputs appear complete or not at all; bad output paths
are refused before any work."""

import os
import stat

import numpy as np
import pytest

from tfgan_ext import fileio
from tfgan_ext.errors import InputError, UnwritableError


def _listing(root) -> list[str]:
  """Every file and folder under `root`, hidden ones included."""
  out = []
  for folder, dirs, files in os.walk(root):
    rel = os.path.relpath(folder, root)
    out += [os.path.normpath(os.path.join(rel, n)) for n in dirs + files]
  return sorted(out)


class _Boom(Exception):
  pass


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
  path = tmp_path / "config.json"
  fileio.atomic_write_text(str(path), "old")
  fileio.atomic_write_text(str(path), "new ü")
  assert path.read_text(encoding="utf8") == "new ü"
  fileio.atomic_write_bytes(str(tmp_path / "b.bin"), b"\x00\x01")
  assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
  assert _listing(tmp_path) == ["b.bin", "config.json"]


def test_new_files_get_the_umask_permissions(tmp_path):
  old = os.umask(0o022)
  try:
    fileio.atomic_write_text(str(tmp_path / "a.txt"), "x")
    with fileio.atomic_dir(str(tmp_path / "d")):
      pass
  finally:
    os.umask(old)
  assert stat.S_IMODE(os.stat(tmp_path / "a.txt").st_mode) == 0o644
  assert stat.S_IMODE(os.stat(tmp_path / "d").st_mode) == 0o755


def test_a_failed_write_leaves_the_old_file_and_nothing_else(tmp_path):
  path = tmp_path / "stats.npz"
  path.write_bytes(b"old")
  with pytest.raises(_Boom):
    with fileio.atomic_open(str(path), "wb") as f:
      f.write(b"half")
      raise _Boom()
  assert path.read_bytes() == b"old"
  assert _listing(tmp_path) == ["stats.npz"]


def test_a_failed_write_removes_the_folders_it_created(tmp_path):
  (tmp_path / "keep").mkdir()
  with pytest.raises(_Boom):
    with fileio.atomic_path(str(tmp_path / "keep" / "a" / "b" / "x.npz")):
      raise _Boom()
  with pytest.raises(_Boom):
    with fileio.atomic_dir(str(tmp_path / "c" / "d" / "out")) as tmp:
      with open(os.path.join(tmp, "part.png"), "wb") as f:
        f.write(b"x")
      raise _Boom()
  assert _listing(tmp_path) == ["keep"]


def test_temporary_names_are_unique_hidden_and_keep_the_extension(tmp_path):
  target = str(tmp_path / "step_5.png")
  with fileio.atomic_path(target) as a, fileio.atomic_path(target) as b:
    assert a != b
    for name in (a, b):
      assert os.path.dirname(name) == str(tmp_path)
      assert os.path.basename(name).startswith(".step_5.png.")
      assert name.endswith(".png")
    with open(a, "wb") as f:
      f.write(b"first")
  assert _listing(tmp_path) == ["step_5.png"]
  assert (tmp_path / "step_5.png").read_bytes() == b"first"  # a exits last.


def test_numpy_writes_through_atomic_path_keep_the_npz_name(tmp_path):
  path = tmp_path / "s.npz"
  with fileio.atomic_path(str(path)) as tmp:
    np.savez(tmp, mu=np.arange(3.0))  # Would append .npz to other names.
  with np.load(path) as data:
    np.testing.assert_array_equal(data["mu"], [0.0, 1.0, 2.0])
  assert _listing(tmp_path) == ["s.npz"]


def test_atomic_dir_renames_at_the_end(tmp_path):
  out = tmp_path / "samples"
  with fileio.atomic_dir(str(out)) as tmp:
    assert not out.exists()
    (tmp_path / "x").mkdir()  # Other things in the folder are untouched.
    with open(os.path.join(tmp, "000000.png"), "wb") as f:
      f.write(b"png")
  assert _listing(tmp_path) == ["samples", "samples/000000.png", "x"]
  out2 = tmp_path / "empty"
  out2.mkdir()
  with fileio.atomic_dir(str(out2)) as tmp:  # An empty folder is replaced.
    open(os.path.join(tmp, "a"), "w").close()
  assert os.listdir(out2) == ["a"]


def test_atomic_dir_refuses_a_full_folder_unless_replacing(tmp_path):
  out = tmp_path / "model"
  out.mkdir()
  (out / "old.txt").write_text("old")
  with pytest.raises(InputError, match="not empty"):
    with fileio.atomic_dir(str(out)):
      raise AssertionError("the block must not run")
  with fileio.atomic_dir(str(out), replace=True) as tmp:
    open(os.path.join(tmp, "new.txt"), "w").close()
  assert _listing(tmp_path) == ["model", "model/new.txt"]
  (tmp_path / "file").write_text("x")
  with pytest.raises(InputError, match="not a folder"):
    with fileio.atomic_dir(str(tmp_path / "file")):
      pass


@pytest.mark.parametrize("kind, make, match", [
    ("file", "dir", "is a folder"),
    ("dir", "file", "is a file"),
])
def test_check_output_path_refuses_the_wrong_kind(tmp_path, kind, make,
                                                  match):
  path = tmp_path / "out"
  if make == "dir":
    path.mkdir()
  else:
    path.write_text("x")
  with pytest.raises(InputError, match=match):
    fileio.check_output_path(str(path), kind, flag="--out")


def test_check_output_path_accepts_what_can_be_written(tmp_path):
  (tmp_path / "f").write_text("x")
  (tmp_path / "d").mkdir()
  assert fileio.check_output_path(str(tmp_path / "f")) == str(tmp_path / "f")
  fileio.check_output_path(str(tmp_path / "d"), "dir")
  fileio.check_output_path(str(tmp_path / "new" / "deeper" / "x.npz"))
  assert _listing(tmp_path) == ["d", "f"]  # Nothing created.


def test_check_output_path_refuses_empty_too_long_and_file_parents(tmp_path):
  with pytest.raises(InputError, match="--out is empty"):
    fileio.check_output_path("", flag="--out")
  name_max = os.pathconf(str(tmp_path), "PC_NAME_MAX")
  long_name = "r" * (name_max + 1)
  with pytest.raises(InputError, match=f"{name_max + 1} bytes.*allows "
                                       f"{name_max}"):
    fileio.check_output_path(str(tmp_path / long_name / "config.json"),
                             flag="--model_dir")
  fileio.check_output_path(str(tmp_path / ("r" * name_max)))  # Just fits.
  with fileio.atomic_path(str(tmp_path / ("r" * name_max))) as tmp:
    assert len(os.path.basename(tmp)) <= name_max  # Its temporary, too.
  (tmp_path / "plain").write_text("x")
  with pytest.raises(InputError, match="is a file, not a folder"):
    fileio.check_output_path(str(tmp_path / "plain" / "sub" / "x.npz"))


def test_check_output_path_refuses_a_read_only_parent(tmp_path, monkeypatch):
  locked = tmp_path / "locked"
  locked.mkdir()
  real_access = os.access

  def access(path, mode):  # As a non-root user sees a 0500 folder.
    if os.path.abspath(path) == str(locked) and mode & os.W_OK:
      return False
    return real_access(path, mode)

  monkeypatch.setattr(os, "access", access)
  with pytest.raises(UnwritableError, match="not a writable folder"):
    fileio.check_output_path(str(locked / "new" / "x.npz"), flag="--out")
  with pytest.raises(UnwritableError, match="--out"):
    fileio.check_output_path(str(locked), "dir", flag="--out")
  fileio.check_output_path(str(tmp_path / "elsewhere"), "dir")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_writers_fail_at_once_in_a_read_only_folder(tmp_path):
  locked = tmp_path / "locked"
  locked.mkdir()
  locked.chmod(0o500)
  try:
    with pytest.raises(PermissionError):
      with fileio.atomic_path(str(locked / "x.npz")):
        raise AssertionError("the block must not run")
    with pytest.raises(PermissionError):
      with fileio.atomic_dir(str(locked / "d")):
        raise AssertionError("the block must not run")
  finally:
    locked.chmod(0o700)
  assert _listing(locked) == []


def test_atomic_create_text_writes_once_and_leaves_no_temporary(tmp_path):
  path = str(tmp_path / "LOCK")
  assert fileio.atomic_create_text(path, "first")
  assert not fileio.atomic_create_text(path, "second")  # Already there.
  assert open(path).read() == "first"
  assert os.listdir(tmp_path) == ["LOCK"]
