"""Bad input rows of README's table not covered elsewhere (each fails before
any state is written)."""

import os
import subprocess
import sys

import pytest

from tfgan_ext.train.strategies import replica_batch_size

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class _TwoReplicas:
  num_replicas_in_sync = 2


def test_batch_not_divisible_by_replicas():
  assert replica_batch_size(16, _TwoReplicas()) == 8
  with pytest.raises(ValueError, match="not divisible by the 2 replicas"):
    replica_batch_size(15, _TwoReplicas())


def test_flagfile_with_unknown_flag_fails_before_writing(tmp_path):
  flagfile = tmp_path / "bad.cfg"
  flagfile.write_text("--dataset=digits\n--learning_rat=0.1\n")
  model_dir = tmp_path / "run"
  proc = subprocess.run(
      [sys.executable, "-m", "experiments.train", f"--flagfile={flagfile}",
       f"--model_dir={model_dir}"], cwd=ROOT, capture_output=True, text=True,
      timeout=120, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
  assert proc.returncode != 0
  assert "learning_rat" in proc.stderr
  assert not model_dir.exists()
