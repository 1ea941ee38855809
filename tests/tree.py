"""Test helper: the contents of a directory tree, to check nothing was written."""

import os


def tree_contents(path: str) -> dict[str, bytes]:
  """{relative path: contents} of every file under `path`."""
  out = {}
  for root, _, files in os.walk(path):
    for name in files:
      full = os.path.join(root, name)
      with open(full, "rb") as f:
        out[os.path.relpath(full, path)] = f.read()
  return out
