"""Pytest configuration: quiet TensorFlow, fixed hash seed, CPU only; the
`no_network` fixture for tests of offline code paths."""

import os
import socket

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


@pytest.fixture
def no_network(monkeypatch):
  """Makes any socket connection fail."""
  def refuse(*args, **kwargs):
    raise RuntimeError("network access attempted in a test")
  monkeypatch.setattr(socket.socket, "connect", refuse)
  monkeypatch.setattr(socket, "create_connection", refuse)
