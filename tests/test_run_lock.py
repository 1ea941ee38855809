"""One train job per model_dir: the lock refuses a live holder, takes over a
dead one's, and Trainer refuses before writing anything."""

import json
import logging
import os
import socket
import subprocess
import sys
import time

import pytest

from tfgan_ext.errors import EXIT_BAD_INPUT, UserError
from tfgan_ext.models import ModelConfig
from tfgan_ext.train import run_lock
from tfgan_ext.train.config import TrainConfig
from tfgan_ext.train.trainer import Trainer
from tfgan_ext.workspace import LOCK_FILE
from tests.tree import tree_contents

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = ModelConfig("dcgan", image_size=8, channels=1, num_classes=10,
                   z_dim=8, gf=4, df=4)


def _start_time(pid):
  """Field 22 of /proc/<pid>/stat, read independently of run_lock."""
  with open(f"/proc/{pid}/stat") as f:
    after_name = f.read().split(") ")[-1].split(" ")
  return int(after_name[22 - 3])


def _write_lock(model_dir, **fields):
  record = dict(host=socket.gethostname(), pid=os.getpid(),
                started="2026-01-01T00:00:00", process_start=None,
                boot_id=None, token="t0")
  record.update(fields)
  path = os.path.join(model_dir, LOCK_FILE)
  with open(path, "w") as f:
    json.dump(record, f)
  return path


@pytest.fixture
def sleeper():
  """A live process on this host that is not us."""
  proc = subprocess.Popen(["sleep", "60"])
  yield proc
  proc.kill()
  proc.wait()


@pytest.fixture
def dead_pid():
  proc = subprocess.Popen(["true"])
  proc.wait()
  return proc.pid


def test_acquire_records_this_process_and_release_removes_it(tmp_path):
  lock = run_lock.acquire(str(tmp_path))
  assert os.listdir(tmp_path) == [LOCK_FILE]
  with open(tmp_path / LOCK_FILE) as f:
    record = json.load(f)
  assert record["pid"] == os.getpid()
  assert record["host"] == socket.gethostname()
  assert record["process_start"] == _start_time(os.getpid())
  assert record["token"] == lock.holder.token
  lock.release()
  assert os.listdir(tmp_path) == []
  run_lock.acquire(str(tmp_path)).release()  # Free again.


def test_live_holder_is_refused_by_name_and_lock_kept(tmp_path, sleeper):
  _write_lock(tmp_path, pid=sleeper.pid,
              process_start=_start_time(sleeper.pid))
  before = tree_contents(tmp_path)
  for attempt in (run_lock.acquire, run_lock.check_free):
    with pytest.raises(run_lock.ModelDirLockedError) as err:
      attempt(str(tmp_path))
    assert isinstance(err.value, UserError)
    message = str(err.value)
    assert f"pid {sleeper.pid} on host {socket.gethostname()}" in message
    assert "in use by another train job" in message
    assert tree_contents(tmp_path) == before


def test_second_acquire_in_the_same_process_is_refused(tmp_path):
  lock = run_lock.acquire(str(tmp_path))
  with pytest.raises(run_lock.ModelDirLockedError, match=f"pid {os.getpid()}"):
    run_lock.acquire(str(tmp_path))
  lock.release()


def test_dead_holder_is_taken_over_with_a_warning(tmp_path, dead_pid, caplog):
  _write_lock(tmp_path, pid=dead_pid, token="old")
  run_lock.check_free(str(tmp_path))  # Dead: not refused, nothing written.
  assert os.listdir(tmp_path) == [LOCK_FILE]
  with caplog.at_level(logging.WARNING):
    lock = run_lock.acquire(str(tmp_path))
  assert f"Taking over {tmp_path / LOCK_FILE} from pid {dead_pid}" in (
      caplog.text)
  assert os.listdir(tmp_path) == [LOCK_FILE]  # No stale / tmp files left.
  holder = run_lock.read_holder(str(tmp_path / LOCK_FILE))
  assert holder.pid == os.getpid() and holder.token != "old"
  lock.release()


def test_reused_pid_zombie_and_reboot_count_as_dead(sleeper):
  here = socket.gethostname()
  start = _start_time(sleeper.pid)
  holder = run_lock.Holder(here, sleeper.pid, "x", start, None, "t")
  assert run_lock.holder_alive(holder)
  # Same pid, another process start: the pid was reused.
  assert not run_lock.holder_alive(
      run_lock.Holder(here, sleeper.pid, "x", start + 1, None, "t"))
  with open("/proc/sys/kernel/random/boot_id") as f:
    boot = f.read().strip()
  assert run_lock.holder_alive(
      run_lock.Holder(here, sleeper.pid, "x", start, boot, "t"))
  assert not run_lock.holder_alive(
      run_lock.Holder(here, sleeper.pid, "x", start, "another-boot", "t"))
  zombie = subprocess.Popen(["true"])
  try:
    for _ in range(500):  # Until it has exited (not yet reaped).
      with open(f"/proc/{zombie.pid}/stat") as f:
        if f.read().split(") ")[-1][0] == "Z":
          break
      time.sleep(0.01)
    else:
      pytest.fail("`true` did not exit within 5 s")
    assert not run_lock.holder_alive(
        run_lock.Holder(here, zombie.pid, "x", None, None, "t"))
  finally:
    zombie.wait()


def test_lock_from_another_host_is_refused_with_how_to_remove(tmp_path,
                                                              dead_pid):
  path = _write_lock(tmp_path, host="other-host.example", pid=dead_pid)
  with pytest.raises(run_lock.ModelDirLockedError) as err:
    run_lock.acquire(str(tmp_path))
  message = str(err.value)
  assert f"pid {dead_pid} on host other-host.example" in message
  assert f"delete {path}" in message
  assert os.listdir(tmp_path) == [LOCK_FILE]


def test_unreadable_lock_is_refused(tmp_path):
  (tmp_path / LOCK_FILE).write_text("{not json")
  with pytest.raises(run_lock.ModelDirLockedError, match="delete"):
    run_lock.acquire(str(tmp_path))


def test_release_leaves_a_lock_another_job_took(tmp_path, sleeper):
  lock = run_lock.acquire(str(tmp_path))
  os.remove(tmp_path / LOCK_FILE)
  _write_lock(tmp_path, pid=sleeper.pid, token="theirs")
  lock.release()
  assert run_lock.read_holder(str(tmp_path / LOCK_FILE)).token == "theirs"


def test_hold_releases_on_exception_and_skips_when_disabled(tmp_path):
  with pytest.raises(KeyError):
    with run_lock.hold(str(tmp_path)):
      assert os.listdir(tmp_path) == [LOCK_FILE]
      raise KeyError("boom")
  assert os.listdir(tmp_path) == []
  with run_lock.hold(str(tmp_path), enabled=False):
    assert os.listdir(tmp_path) == []


def _config():
  return TrainConfig(model=TINY, dataset="digits", batch_size=16, max_steps=1,
                     save_every=1, summary_every=1, image_every=1, seed=3)


def test_trainer_refuses_a_live_holder_before_writing(tmp_path, sleeper):
  _write_lock(tmp_path, pid=sleeper.pid)
  before = tree_contents(tmp_path)
  with pytest.raises(run_lock.ModelDirLockedError, match=f"pid {sleeper.pid}"):
    Trainer(_config(), str(tmp_path))
  assert tree_contents(tmp_path) == before


def test_trainer_holds_the_lock_while_training_then_releases(tmp_path,
                                                             sleeper):
  seen = []

  class Look:
    def on_step_end(self, trainer, step, logs):
      seen.append(run_lock.read_holder(str(tmp_path / LOCK_FILE)).pid)

  trainer = Trainer(_config(), str(tmp_path), callbacks=[Look()])
  # Another job takes the model_dir between construction and train().
  path = _write_lock(tmp_path, pid=sleeper.pid)
  before = tree_contents(tmp_path)
  with pytest.raises(run_lock.ModelDirLockedError):
    trainer.train()
  assert tree_contents(tmp_path) == before
  os.remove(path)
  assert trainer.train().step == 1
  assert seen == [os.getpid()]
  assert LOCK_FILE not in os.listdir(tmp_path)


def test_train_binary_prints_the_refusal_and_exits(tmp_path, sleeper):
  _write_lock(tmp_path, pid=sleeper.pid)
  before = tree_contents(tmp_path)
  proc = subprocess.run(
      [sys.executable, "-m", "experiments.train", "--dataset=digits",
       "--image_size=8", "--channels=1", "--z_dim=8", "--gf=4", "--df=4",
       "--batch_size=16", "--max_steps=1", f"--model_dir={tmp_path}"],
      cwd=ROOT, capture_output=True, text=True, timeout=300,
      env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
  assert proc.returncode == EXIT_BAD_INPUT, proc.stderr[-2000:]
  assert (f"experiments.train: model_dir {tmp_path} is in use by another "
          f"train job: pid {sleeper.pid} on host") in proc.stderr
  assert "Traceback" not in proc.stderr
  assert tree_contents(tmp_path) == before
