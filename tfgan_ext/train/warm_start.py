"""Starting a run from another run's checkpoint (`TrainConfig.init_from`).

Variables are matched by their attribute path from the checkpoint's root
objects "generator", "discriminator" and "objective" (e.g.
"discriminator/linear/kernel"), on both sides, and restored by TF's object
matching from those roots. The networks must match exactly (same paths and
shapes), since a fine-tune changes the objective, not the architecture;
objective variables (e.g. a new auxiliary head) may be new, and then keep
their fresh initialization, and so may batch-norm moving statistics (a
checkpoint written before they existed): they start afresh.

By default optimizer slots and the step counter are not taken over: the
fine-tune starts at step 0 with fresh optimizers. `plan_continuation` also
takes over both optimizers (slots and iteration counts) and the step
counter, so the run carries on the source run's training. Keras optimizers
keep their slots in lists by position in the variable list they were built
with, so it refuses unless each saved optimizer updated the very same
variables (by path, in the same order) with the same kinds and shapes of
slots as this run's: e.g. a new MHGAN head adds D variables, and D's slots
would no longer line up.
"""

from __future__ import annotations

import collections
import dataclasses
import os
from typing import Mapping, Optional, Sequence

import keras
import numpy as np
import tensorflow as tf
from tensorflow.core.protobuf import trackable_object_graph_pb2

from tfgan_ext import workspace
from tfgan_ext.errors import InputError, MissingInputError
from tfgan_ext.nn.normalization import MOVING_VARIABLES
from tfgan_ext.tensor_utils import NonFiniteWeightsError

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


class _SavedGraph:
  """The object graph of a checkpoint: children, values and shapes."""

  def __init__(self, prefix: str):
    self.reader = tf.train.load_checkpoint(prefix)
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    graph.ParseFromString(
        self.reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    self.nodes = graph.nodes
    self.shapes = self.reader.get_variable_to_shape_map()

  def children(self, node_id: int) -> dict[str, int]:
    return {c.local_name: c.node_id for c in self.nodes[node_id].children}

  def value_key(self, node_id: int):
    for attribute in self.nodes[node_id].attributes:
      if attribute.name == "VARIABLE_VALUE":
        return attribute.checkpoint_key
    return None

  def shape(self, node_id: int) -> tuple[int, ...]:
    return tuple(self.shapes[self.value_key(node_id)])

  def variables(self, roots) -> dict[str, int]:
    """{attribute path: node id} of the variables below the root children
    named in `roots`."""
    def children(node_id):
      ids = self.children(node_id)
      if node_id == 0:
        ids = {k: v for k, v in ids.items() if k in roots}
      return ids

    return _breadth_first(0, children,
                          lambda i: self.value_key(i) is not None,
                          identity=int)


def saved_variables(prefix: str, roots) -> dict[str, tuple[int, ...]]:
  """{attribute path: shape} of the saved variables reachable from the
  checkpoint's root children named in `roots`."""
  graph = _SavedGraph(prefix)
  return {path: graph.shape(i) for path, i in graph.variables(roots).items()}


def resolve_checkpoint(path: str) -> str:
  """A checkpoint prefix for `path` (a prefix, or a run directory's latest)."""
  prefix = workspace.latest_checkpoint(path) if os.path.isdir(path) else path
  if prefix is None or not tf.io.gfile.exists(prefix + ".index"):
    raise MissingInputError(
        f"--init_from {path!r}: no checkpoint found (expected a run directory "
        "with a 'checkpoint' file, or a prefix such as <model_dir>/ckpt-1000 "
        "with its .index file). Check the path.")
  return prefix


@dataclasses.dataclass
class WarmStart:
  """What `init_from` will restore, computed (and checked) before training.

  `start_step` is None for weights only; with `plan_continuation` it is the
  source's step counter, and the optimizers and step are restored too.
  """
  path: str
  restored: list[str]
  new: list[str]
  unused: list[str]
  start_step: Optional[int] = None

  @property
  def continues(self) -> bool:
    return self.start_step is not None

  def summary(self) -> str:
    by_root = collections.Counter(k.split("/")[0] for k in self.restored)
    parts = ", ".join(f"{root}: {n}" for root, n in sorted(by_root.items()))
    lines = [f"init_from {self.path}: restored {len(self.restored)} variables "
             f"({parts})."]
    if self.continues:
      lines.append(f"Continued its training: both optimizers' slots and "
                   f"iteration counts and the step counter ({self.start_step})"
                   " were restored; the data stream continues from there.")
    if self.new:
      lines.append(f"Initialized {len(self.new)} new variables: "
                   f"{', '.join(self.new)}.")
    if self.unused:
      lines.append(f"Ignored {len(self.unused)} checkpoint variables this run "
                   f"does not have: {', '.join(self.unused[:20])}.")
    return " ".join(lines)


def non_finite_saved_weights(prefix: str,
                             roots: Sequence[str] = STRICT_ROOTS
                             ) -> list[str]:
  """Checkpoint keys under `roots` (e.g. "generator/...") of the
  floating-point tensors in checkpoint `prefix` that hold NaN or Inf;
  read-only (tf.train.load_checkpoint)."""
  reader = tf.train.load_checkpoint(prefix)
  bad = []
  for key, dtype in sorted(reader.get_variable_to_dtype_map().items()):
    if (key.split("/")[0] in roots and dtype.is_floating
        and not np.all(np.isfinite(reader.get_tensor(key)))):
      bad.append(key)
  return bad


def plan(path: str, roots: Mapping[str, object]) -> WarmStart:
  """Checks that `path` fits `roots` (InputError listing mismatches) and
  that its networks' weights are finite (NonFiniteWeightsError): read only,
  before anything is written."""
  prefix = resolve_checkpoint(path)
  bad = non_finite_saved_weights(prefix)
  if bad:
    shown = ", ".join(bad[:3]) + (", ..." if len(bad) > 3 else "")
    raise NonFiniteWeightsError(
        f"--init_from {prefix}: {len(bad)} weights of its networks hold NaN "
        f"or infinite values ({shown}); that run diverged. Start from an "
        "earlier checkpoint of it (e.g. --init_from=<its model_dir>/ckpt-N).")
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
    raise InputError(
        f"--init_from {prefix} does not match this run's networks "
        f"({len(problems)} differences, e.g. {'; '.join(problems[:5])}). Start "
        "from a checkpoint of a run with the same architecture, image_size, "
        "channels, num_classes, z_dim, gf and df.")
  return WarmStart(prefix, sorted(set(current) & set(saved)),
                   sorted(set(current) - set(saved)),
                   sorted(set(saved) - set(current)))


# Optimizer children that are not slot lists: the learning rate follows
# this run's config (a variable only for a constant rate), and "_variables"
# lists every optimizer variable at once.
_NOT_SLOTS = ("_learning_rate", "_variables")
# The optimizer's list of the variables it updates, by slot position.
_UPDATED = "_trainable_variables"


def _list_order(item: tuple[str, object]) -> tuple[int, str]:
  """Sort key of (local name, child): list indices numerically."""
  name = item[0]
  return (int(name), "") if name.isdigit() else (-1, name)


def _live_slots(optimizer) -> dict[str, list[tuple[int, ...]]]:
  """{child name: shapes of its variables in order} of a built optimizer."""
  view = tf.train.TrackableView(optimizer)
  out = {}
  for name, child in view.children(optimizer).items():
    if name in _NOT_SLOTS:
      continue
    if isinstance(child, (tf.Variable, keras.Variable)):
      out[name] = [tuple(child.shape)]
    else:
      items = sorted(view.children(child).items(), key=_list_order)
      out[name] = [tuple(v.shape) for _, v in items
                   if isinstance(v, (tf.Variable, keras.Variable))]
  return out


def _saved_slots(graph: _SavedGraph, node_id: int
                 ) -> dict[str, list[tuple[int, ...]]]:
  out = {}
  for name, child in graph.children(node_id).items():
    if name in _NOT_SLOTS:
      continue
    if graph.value_key(child) is not None:
      out[name] = [graph.shape(child)]
    else:
      items = sorted(graph.children(child).items(), key=_list_order)
      out[name] = [graph.shape(i) for _, i in items
                   if graph.value_key(i) is not None]
  return out


def _ordered_children(children: Mapping[str, object]) -> list:
  """The children of a tracked list, in list order."""
  return [v for _, v in sorted(children.items(), key=_list_order)]


def plan_continuation(warm_start: WarmStart, roots: Mapping[str, object],
                      optimizers: Mapping[str, object]) -> WarmStart:
  """`warm_start` extended to also restore `optimizers` (root name ->
  built Keras optimizer, e.g. "g_optimizer") and the step counter "step".

  Raises ValueError, saying why, when the checkpoint has no step counter or
  optimizer of that name, or when a saved optimizer's slots cannot be
  matched to this run's by position: it updated other variables (paths from
  `roots`, in order), or it has other slot kinds or shapes (another
  optimizer class, or options such as amsgrad).
  """
  graph = _SavedGraph(warm_start.path)
  top = graph.children(0)
  where = f"--init_from {warm_start.path}"
  if "step" not in top or graph.value_key(top["step"]) is None:
    raise InputError(
        f"{where} has no step counter, so its training cannot be continued "
        "(it was not written by the train job). Drop --init_from_continue "
        "to take over only the networks.")
  saved_paths = {i: p for p, i in graph.variables(roots).items()}
  live_paths = {id(v): p for p, v in checkpoint_variables(roots).items()}
  problems = []
  for name, optimizer in optimizers.items():
    if name not in top:
      problems.append(f"{name}: not in the checkpoint")
      continue
    node = top[name]
    saved_list = graph.children(node).get(_UPDATED)
    saved_updated = [] if saved_list is None else [
        saved_paths.get(i, f"<variable {i}>")
        for i in _ordered_children(graph.children(saved_list))]
    view = tf.train.TrackableView(optimizer)
    live_list = view.children(optimizer).get(_UPDATED)
    live_updated = [] if live_list is None else [
        live_paths.get(id(v), "<unnamed variable>")
        for v in _ordered_children(view.children(live_list))]
    if saved_updated != live_updated:
      extra = [p for p in live_updated if p not in saved_updated]
      gone = [p for p in saved_updated if p not in live_updated]
      detail = (f"this run also updates {', '.join(extra[:5])}" if extra else
                f"the checkpoint also updated {', '.join(gone[:5])}" if gone
                else "the same variables in another order")
      problems.append(f"{name} updates {len(live_updated)} variables, the "
                      f"saved one {len(saved_updated)} ({detail})")
      continue
    saved_slots, live_slots = _saved_slots(graph, node), _live_slots(optimizer)
    if saved_slots != live_slots:
      problems.append(f"{name} has slots {sorted(live_slots)}, the saved one "
                      f"{sorted(saved_slots)} (or their shapes differ): "
                      "another optimizer class or option")
  if problems:
    raise InputError(
        f"{where}: cannot continue its optimizers, whose slots are stored by "
        f"position ({'; '.join(problems)}). Continue only from a run with the "
        "same networks, D-side objective variables (e.g. an aux head) and "
        "--optimizer, or drop --init_from_continue to start fresh optimizers "
        "at step 0.")
  step = int(graph.reader.get_tensor(graph.value_key(top["step"])))
  return dataclasses.replace(warm_start, start_step=step)


def restore(warm_start: WarmStart, roots: Mapping[str, object]) -> None:
  """Restores the planned variables (the rest keep their initial values);
  `roots` must hold the optimizers and "step" when `warm_start.continues`."""
  tf.train.Checkpoint(**roots).restore(warm_start.path).expect_partial()
