"""Multi-replica training matches one device; strategy errors are clear."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from tfgan_ext.train.strategies import StrategyUnavailableError, make_strategy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# One variant (one trace per strategy): aw with the multi-hinge aux head
# exercises every cross-replica reduction the plain hinge step has (the
# batch-mean losses, G's batch-norm moments) plus aw's global means and the
# aux head's.
VARIANTS = {
    "aw_with_multi_hinge_aux": ["objective.aw=true",
                                'objective.aux="multi_hinge"'],
}


def _run(strategies, cpu_devices, base_dir, steps, variants):
  proc = subprocess.run(
      [sys.executable, "-m", "tests.dist_worker", ",".join(strategies),
       str(cpu_devices), str(base_dir), str(steps), json.dumps(variants)],
      cwd=ROOT, capture_output=True, text=True, timeout=800,
      env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
  assert proc.returncode == 0, proc.stderr[-3000:]
  return json.loads(proc.stdout.strip().splitlines()[-1])


def test_mirrored_two_replicas_matches_default(tmp_path):
  # One process (TensorFlow starts once): the default strategy on the first
  # of the two logical CPUs, then the mirrored one on both.
  runs = _run(["default", "mirrored"], 2, tmp_path, 4,
              list(VARIANTS.values()))
  single, mirrored = runs["default"], runs["mirrored"]
  # Same global batch and noise; replicas differ only in reduction order.
  for name, a, b in zip(VARIANTS, single["losses"], mirrored["losses"]):
    assert len(a) == 4, name
    np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5, err_msg=name)
  # G's batch-norm averages are updated from the all-reduced moments: both
  # replicas' copies are always equal, and after step 1 (moments of the
  # initial G) they equal the single device's. Later, Adam's sign-like first
  # steps turn ~1e-7 gradient differences into ~lr weight differences, so
  # the averages agree to ~1e-4 (measured max 1.0e-4 after 4 steps).
  for name, a, b in zip(VARIANTS, single["moving"], mirrored["moving"]):
    for (first_a, first_b), atol in zip(zip(a, b), (1e-6, 1e-3)):
      assert sorted(first_a) == sorted(first_b) and len(first_a) == 9, name
      for path, (value,) in first_a.items():
        copies = first_b[path]
        assert len(copies) == 2 and copies[0] == copies[1], (name, path)
        np.testing.assert_allclose(copies[0], value, rtol=1e-5, atol=atol,
                                   err_msg=f"{name} {path}")
    assert a[1]["generator/final_bn/moving_updates"] == [4.0], name


def test_tpu_without_name_or_device_fails_clearly():
  with pytest.raises(StrategyUnavailableError, match="needs --tpu"):
    make_strategy("tpu")
  with pytest.raises(StrategyUnavailableError, match="No TPU reachable"):
    make_strategy("tpu", tpu="local")


def test_multi_worker_without_tf_config_fails_clearly(monkeypatch):
  monkeypatch.delenv("TF_CONFIG", raising=False)
  with pytest.raises(StrategyUnavailableError, match="TF_CONFIG"):
    make_strategy("multi_worker")


def test_unknown_strategy():
  with pytest.raises(ValueError, match="Unknown strategy"):
    make_strategy("horovod")


def _free_port():
  import socket
  with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    return s.getsockname()[1]


def test_multi_worker_two_processes_leave_one_consistent_checkpoint(tmp_path):
  import tensorflow as tf
  ports = [_free_port(), _free_port()]
  cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
  procs = []
  try:
    for index in range(2):
      tf_config = json.dumps({"cluster": cluster,
                              "task": {"type": "worker", "index": index}})
      procs.append(subprocess.Popen(
          [sys.executable, "-m", "tests.dist_worker", "multi_worker", "1",
           str(tmp_path / "run"), "4", "[[]]"], cwd=ROOT, text=True,
          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2",
               "TF_CONFIG": tf_config}))
    outputs = [p.communicate(timeout=300) for p in procs]
  finally:
    for p in procs:  # Clean up by PID whatever happened.
      if p.poll() is None:
        p.kill()
        p.wait()
  for p, (out, err) in zip(procs, outputs):
    assert p.returncode == 0, err[-3000:]
  chief, other = (
      json.loads(out.strip().splitlines()[-1])["multi_worker"]["losses"][0]
      for out, _ in outputs)
  assert len(chief) == 4 and np.all(np.isfinite(chief))
  np.testing.assert_allclose(other, chief, rtol=1e-6)  # One synchronous run.
  run = tmp_path / "run" / "multi_worker" / "0"
  state = tf.train.get_checkpoint_state(str(run))
  assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == [
      "ckpt-4"]
  reader = tf.train.load_checkpoint(state.model_checkpoint_path)
  assert int(reader.get_tensor("step/.ATTRIBUTES/VARIABLE_VALUE")) == 4
  assert (run / "TRAINING_DONE").exists()
