"""kill -9 at random points: resume from the last checkpoint, exact result."""

import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STEPS = 36
KILLS = 3
FLAGS = [
    "--dataset=digits", "--architecture=sagan", "--image_size=8",
    "--channels=1", "--num_classes=-1", "--z_dim=8", "--gf=4", "--df=4",
    "--batch_size=16", f"--max_steps={STEPS}", "--save_every=3",
    "--summary_every=3", "--image_every=1000", "--seed=5",
    "--deterministic", "--keep_checkpoints=3",
]


def _command(model_dir):
  return [sys.executable, "-m", "experiments.train", *FLAGS,
          f"--model_dir={model_dir}"]


def _env():
  return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}


def _weights(model_dir):
  reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(str(model_dir)))
  names = sorted(n for n in reader.get_variable_to_shape_map()
                 if n.startswith(("generator/", "discriminator/"))
                 and "OPTIMIZER_SLOT" not in n)
  return {n: reader.get_tensor(n) for n in names}


def _latest_step(model_dir):
  path = tf.train.latest_checkpoint(str(model_dir))
  return int(path.rsplit("-", 1)[1]) if path else 0


def _all_checkpoints_readable(model_dir):
  """Every checkpoint on disk reads back, and so does the newest one.

  (TF's CheckpointManager deletes an old checkpoint before rewriting its
  index, so a kill in between can leave a stale name in the index for files
  already deleted; that is not an unreadable checkpoint and restore skips it.)
  """
  state = tf.train.get_checkpoint_state(str(model_dir))
  if state is None:
    return 0
  tf.train.load_checkpoint(state.model_checkpoint_path)
  on_disk = [p for p in state.all_model_checkpoint_paths
             if os.path.exists(p + ".index")]
  for path in on_disk:
    tf.train.load_checkpoint(path).get_variable_to_shape_map()
  return len(on_disk)


def test_kill_nine_three_times_then_finish_equals_uninterrupted(tmp_path):
  # The uninterrupted reference trains in the background meanwhile (its own
  # model_dir; nothing in it depends on the interrupted run).
  reference = tmp_path / "reference"
  log = tmp_path / "reference.log"
  with open(log, "w") as stderr:
    reference_proc = subprocess.Popen(_command(reference), cwd=ROOT,
                                      env=_env(), stdout=subprocess.DEVNULL,
                                      stderr=stderr)
  try:
    _kill_then_finish(tmp_path / "interrupted")
    reference_proc.wait(timeout=300)
  finally:
    if reference_proc.poll() is None:  # Clean up by PID whatever happened.
      reference_proc.kill()
      reference_proc.wait()
  assert reference_proc.returncode == 0, log.read_text()[-3000:]
  expected, got = _weights(reference), _weights(tmp_path / "interrupted")
  assert expected.keys() == got.keys() and len(expected) > 10
  for name in expected:
    np.testing.assert_array_equal(got[name], expected[name], err_msg=name)


def _kill_then_finish(interrupted):
  rng = random.Random(1234)
  kills, deadline = 0, time.time() + 900  # A safety stop only.
  while kills < KILLS and time.time() < deadline:
    proc = subprocess.Popen(_command(interrupted), cwd=ROOT, env=_env(),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    # Wait for progress past the last kill, then kill at a random moment
    # (between, or in the middle of, checkpoint writes).
    start_step = _latest_step(interrupted)
    while (_latest_step(interrupted) <= start_step and proc.poll() is None
           and time.time() < deadline):
      time.sleep(0.05)
    time.sleep(rng.uniform(0.0, 0.6))
    if proc.poll() is not None:
      break  # Finished before we could kill it.
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    kills += 1
    _all_checkpoints_readable(interrupted)  # Raises if one is unreadable.
  assert kills >= KILLS, f"only {kills} kills landed before the run finished"
  # The killed job's lock is left behind; the restart takes it over.
  assert (interrupted / "TRAINING_LOCK").exists()
  final = subprocess.run(_command(interrupted), cwd=ROOT, env=_env(),
                         check=True, capture_output=True, text=True,
                         timeout=300)
  assert "Taking over" in final.stderr
  assert not (interrupted / "TRAINING_LOCK").exists()
  assert tf.train.latest_checkpoint(str(interrupted)).endswith(f"ckpt-{STEPS}")
