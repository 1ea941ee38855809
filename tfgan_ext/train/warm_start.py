"""Starting a run from another run's checkpoint (`TrainConfig.init_from`).

Variables are matched by their attribute path from the checkpoint's root
objects "generator", "discriminator" and "objective" (e.g.
"discriminator/linear/kernel"), on both sides, and restored by TF's object
matching from those roots. The networks must match exactly (same paths and
shapes), since a fine-tune changes the objective, not the architecture;
objective variables (e.g. a new auxiliary head) may be new, and then keep
their fresh initialization, and so may batch-norm moving statistics (a
checkpoint written before they existed): they start afresh. Optimizer slots
and the step counter are not taken over: the fine-tune starts at step 0 with
fresh optimizers.
"""

from __future__ import annotations

import collections
import dataclasses
import os
from typing import Mapping

import keras
import tensorflow as tf
from tensorflow.core.protobuf import trackable_object_graph_pb2

from tfgan_ext.nn.normalization import MOVING_VARIABLES

STRICT_ROOTS = ("generator", "discriminator")


def _breadth_first(root, children_fn, is_leaf, identity=id
                   ) -> dict[str, object]:
  """{path: leaf} for the leaves below `root`, each at its first path."""
  seen = {identity(root)}
  queue = collections.deque([(root, "")])
  found = {}
  while queue:
    obj, path = queue.popleft()
    for name, child in children_fn(obj).items():
      if identity(child) in seen:
        continue
      seen.add(identity(child))
      key = f"{path}/{name}" if path else name
      if is_leaf(child):
        found[key] = child
      else:
        queue.append((child, key))
  return found


def checkpoint_variables(roots: Mapping[str, object]) -> dict[str, object]:
  """{attribute path: variable} for every variable reachable from `roots`."""
  root = tf.train.Checkpoint(**roots)  # The view only keeps a weak ref.
  view = tf.train.TrackableView(root)
  return _breadth_first(
      root, view.children,
      lambda obj: isinstance(obj, (tf.Variable, keras.Variable)))


def saved_variables(prefix: str, roots) -> dict[str, tuple[int, ...]]:
  """{attribute path: shape} of the saved variables reachable from the
  checkpoint's root children named in `roots`."""
  reader = tf.train.load_checkpoint(prefix)
  graph = trackable_object_graph_pb2.TrackableObjectGraph()
  graph.ParseFromString(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
  shapes = reader.get_variable_to_shape_map()
  nodes = graph.nodes

  def children(node_id):
    ids = {c.local_name: c.node_id for c in nodes[node_id].children}
    if node_id == 0:
      ids = {k: v for k, v in ids.items() if k in roots}
    return ids

  def value_key(node_id):
    for attribute in nodes[node_id].attributes:
      if attribute.name == "VARIABLE_VALUE":
        return attribute.checkpoint_key
    return None

  found = _breadth_first(0, children, lambda i: value_key(i) is not None,
                         identity=int)
  return {path: tuple(shapes[value_key(i)]) for path, i in found.items()}


def resolve_checkpoint(path: str) -> str:
  """A checkpoint prefix for `path` (a prefix, or a run directory's latest)."""
  prefix = tf.train.latest_checkpoint(path) if os.path.isdir(path) else path
  if prefix is None or not tf.io.gfile.exists(prefix + ".index"):
    raise FileNotFoundError(
        f"--init_from {path!r}: no checkpoint found (expected a run directory "
        "with a 'checkpoint' file, or a prefix such as <model_dir>/ckpt-1000 "
        "with its .index file). Check the path.")
  return prefix


@dataclasses.dataclass
class WarmStart:
  """What `init_from` will restore, computed (and checked) before training."""
  path: str
  restored: list[str]
  new: list[str]
  unused: list[str]

  def summary(self) -> str:
    by_root = collections.Counter(k.split("/")[0] for k in self.restored)
    parts = ", ".join(f"{root}: {n}" for root, n in sorted(by_root.items()))
    lines = [f"init_from {self.path}: restored {len(self.restored)} variables "
             f"({parts})."]
    if self.new:
      lines.append(f"Initialized {len(self.new)} new variables: "
                   f"{', '.join(self.new)}.")
    if self.unused:
      lines.append(f"Ignored {len(self.unused)} checkpoint variables this run "
                   f"does not have: {', '.join(self.unused[:20])}.")
    return " ".join(lines)


def plan(path: str, roots: Mapping[str, object]) -> WarmStart:
  """Checks that `path` fits `roots`; raises ValueError listing mismatches."""
  prefix = resolve_checkpoint(path)
  saved = saved_variables(prefix, roots)
  current = {k: tuple(v.shape) for k, v in checkpoint_variables(roots).items()}
  problems = [f"{k}: checkpoint {saved[k]}, this run {shape}"
              for k, shape in current.items()
              if k in saved and saved[k] != shape]
  for key in sorted(set(saved) ^ set(current)):
    if key not in saved and key.rsplit("/", 1)[-1] in MOVING_VARIABLES:
      continue  # A checkpoint from before batch norms kept moving averages.
    if key.split("/")[0] in STRICT_ROOTS:
      where = "only in the checkpoint" if key in saved else "only in this run"
      problems.append(f"{key}: {where}")
  if problems:
    raise ValueError(
        f"--init_from {prefix} does not match this run's networks "
        f"({len(problems)} differences, e.g. {'; '.join(problems[:5])}). Start "
        "from a checkpoint of a run with the same architecture, image_size, "
        "channels, num_classes, z_dim, gf and df.")
  return WarmStart(prefix, sorted(set(current) & set(saved)),
                   sorted(set(current) - set(saved)),
                   sorted(set(saved) - set(current)))


def restore(warm_start: WarmStart, roots: Mapping[str, object]) -> None:
  """Restores the planned variables (the rest keep their initial values)."""
  tf.train.Checkpoint(**roots).restore(warm_start.path).expect_partial()
