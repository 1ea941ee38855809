"""Reads a TorchScript / torch.save zip archive with NumPy only (no torch).

Such an archive is a zip with one top folder holding
  data.pkl         a pickle of the module tree (or of a state dict),
  data/<key>       the raw bytes of each storage (little-endian unless a
                   `byteorder` file says otherwise),
  code/...         for TorchScript, the Python-like source of each class.

The pickle names torch callables (`torch._utils._rebuild_tensor_v2`, storage
classes such as `torch.FloatStorage`, `torch.jit._pickle.build_intlist`) and,
for TorchScript, the scripted classes (`__torch__.<module>.<Class>`). The
unpickler below maps exactly those to NumPy: a tensor becomes an ndarray cut
from its storage with the recorded offset, shape and strides (a copy, C
order); a scripted module becomes a `ScriptObject` holding its attributes.
Any other global is refused, so reading an archive never runs its code.
"""

from __future__ import annotations

import collections
import io
import pickle
import zipfile
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple

import numpy as np

__all__ = ["ScriptObject", "TorchArchive", "read_torch_archive",
           "STORAGE_DTYPES"]

# torch storage class name -> NumPy dtype of one element (little-endian).
STORAGE_DTYPES: Dict[str, str] = {
    "DoubleStorage": "<f8", "FloatStorage": "<f4", "HalfStorage": "<f2",
    "LongStorage": "<i8", "IntStorage": "<i4", "ShortStorage": "<i2",
    "CharStorage": "i1", "ByteStorage": "u1", "BoolStorage": "?",
}

# Module attributes every scripted module carries that are not children.
_BOOKKEEPING = ("training", "_is_full_backward_hook")


class ScriptObject:
  """A scripted module read from an archive: its class name and attributes.

  `qualname` is TorchScript's qualified class name, e.g.
  `__torch__.inceptionv3.Conv2dLayer`; `attrs` keeps the pickled attribute
  order (for `nn.Sequential` that is the order of its layers).
  """
  qualname = "__torch__.object"

  def __new__(cls, *args):
    # Unpickling calls __new__ (NEWOBJ), then __setstate__ (BUILD).
    if args:
      raise pickle.UnpicklingError(
          f"{cls.qualname} was pickled with constructor arguments {args!r}.")
    obj = super().__new__(cls)
    obj.attrs = {}
    return obj

  def __setstate__(self, state):
    if not isinstance(state, Mapping):
      raise pickle.UnpicklingError(
          f"{self.qualname}: expected a dict of attributes, got "
          f"{type(state).__name__}.")
    self.attrs = dict(state)

  @property
  def kind(self) -> str:
    """The class name without its module path (`Conv2dLayer`)."""
    return self.qualname.rsplit(".", 1)[-1]

  def children(self) -> Iterator[Tuple[str, "ScriptObject"]]:
    """(name, submodule) pairs in attribute order."""
    for name, value in self.attrs.items():
      if isinstance(value, ScriptObject):
        yield name, value

  def __getitem__(self, name: str) -> Any:
    try:
      return self.attrs[name]
    except KeyError:
      raise KeyError(f"{self.qualname} has no attribute {name!r} (has "
                     f"{[k for k in self.attrs if k not in _BOOKKEEPING]}).")

  def __repr__(self) -> str:
    return f"ScriptObject({self.qualname})"


class _StorageType:
  """Stands for a torch storage class in a persistent id."""

  def __init__(self, name: str):
    if name not in STORAGE_DTYPES:
      raise pickle.UnpicklingError(f"Unsupported storage type torch.{name}.")
    self.name = name
    self.dtype = np.dtype(STORAGE_DTYPES[name])


def _rebuild_tensor(storage: np.ndarray, storage_offset: int, size, stride,
                    requires_grad=False, backward_hooks=None,
                    metadata=None) -> np.ndarray:
  """torch._utils._rebuild_tensor_v2 in NumPy: a strided view, copied."""
  del requires_grad, backward_hooks, metadata
  size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
  if len(size) != len(stride):
    raise pickle.UnpicklingError(f"Tensor size {size} and stride {stride} "
                                 f"differ in rank.")
  if any(s < 0 for s in stride) or storage_offset < 0:
    raise pickle.UnpicklingError("Negative strides or offsets are not valid "
                                 "in a saved tensor.")
  if 0 in size:
    return np.zeros(size, storage.dtype)
  last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride))
  if last >= storage.size:
    raise pickle.UnpicklingError(
        f"Tensor (offset {storage_offset}, size {size}, stride {stride}) "
        f"reaches element {last} of a storage of {storage.size}.")
  item = storage.dtype.itemsize
  view = np.lib.stride_tricks.as_strided(
      storage[storage_offset:], shape=size,
      strides=tuple(s * item for s in stride), writeable=False)
  return np.array(view, order="C")


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
  del requires_grad, backward_hooks
  return data


def _as_list(values):
  return list(values)


_FUNCTIONS = {
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    ("torch.jit._pickle", "build_intlist"): _as_list,
    ("torch.jit._pickle", "build_doublelist"): _as_list,
    ("torch.jit._pickle", "build_boollist"): _as_list,
    ("torch.jit._pickle", "build_tensorlist"): _as_list,
    ("collections", "OrderedDict"): collections.OrderedDict,
}


class _ArchiveUnpickler(pickle.Unpickler):
  """Unpickles data.pkl, resolving only the names listed above."""

  def __init__(self, data: bytes, load_storage):
    super().__init__(io.BytesIO(data))
    self._load_storage = load_storage
    self._classes: Dict[str, type] = {}

  def find_class(self, module: str, name: str):
    if (module, name) in _FUNCTIONS:
      return _FUNCTIONS[(module, name)]
    if module == "torch" and name.endswith("Storage"):
      return _StorageType(name)
    if module == "__torch__" or module.startswith("__torch__."):
      qualname = f"{module}.{name}"
      if qualname not in self._classes:
        self._classes[qualname] = type(name, (ScriptObject,),
                                       {"qualname": qualname})
      return self._classes[qualname]
    raise pickle.UnpicklingError(
        f"Refusing to load {module}.{name}: not a tensor, storage or "
        f"scripted-module name.")

  def persistent_load(self, pid):
    if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
      raise pickle.UnpicklingError(f"Unknown persistent id {pid!r}.")
    _, storage_type, key, _location, numel = pid
    if not isinstance(storage_type, _StorageType):
      raise pickle.UnpicklingError(f"Unexpected storage type {storage_type!r}.")
    return self._load_storage(str(key), storage_type.dtype, int(numel))


class TorchArchive:
  """What `read_torch_archive` returns.

  Attributes:
    root: the unpickled data.pkl (a ScriptObject for TorchScript files).
    code: {path under code/: source text} (TorchScript only).
    prefix: the archive's top folder name.
  """

  def __init__(self, root: Any, code: Dict[str, str], prefix: str):
    self.root = root
    self.code = code
    self.prefix = prefix

  def class_source(self, qualname: str) -> Optional[str]:
    """The TorchScript source of one class, or None when not in the archive.

    `__torch__.a.b.C` lives in code/__torch__/a/b.py (a module file holding
    several classes); the text from `class C(` to the next top-level class.
    """
    module, _, name = qualname.rpartition(".")
    text = self.code.get(module.replace(".", "/") + ".py")
    if text is None:
      return None
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines)
                  if line.startswith(f"class {name}(")), None)
    if start is None:
      return None
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith("class ")), len(lines))
    return "\n".join(lines[start:end])


def _open_zip(source) -> zipfile.ZipFile:
  if isinstance(source, (bytes, bytearray)):
    return zipfile.ZipFile(io.BytesIO(source))
  return zipfile.ZipFile(source)


def read_torch_archive(source) -> TorchArchive:
  """Reads a torch zip archive (a path, a file object or its bytes)."""
  with _open_zip(source) as archive:
    names = archive.namelist()
    pickles = [n for n in names if n.endswith("/data.pkl")
               and n.count("/") == 1]
    if len(pickles) != 1:
      raise ValueError(f"Not a torch zip archive: expected one "
                       f"<folder>/data.pkl, found {pickles or 'none'}.")
    prefix = pickles[0].split("/", 1)[0]
    byteorder = "little"
    if f"{prefix}/byteorder" in names:
      byteorder = archive.read(f"{prefix}/byteorder").decode().strip()
    if byteorder not in ("little", "big"):
      raise ValueError(f"Unknown byteorder {byteorder!r} in the archive.")
    storages: Dict[str, np.ndarray] = {}

    def load_storage(key: str, dtype: np.dtype, numel: int) -> np.ndarray:
      if key not in storages:
        member = f"{prefix}/data/{key}"
        if member not in names:
          raise pickle.UnpicklingError(f"Storage {member} is missing.")
        raw = archive.read(member)
        if byteorder == "big":
          dtype = dtype.newbyteorder(">")
        if len(raw) < numel * dtype.itemsize:
          raise pickle.UnpicklingError(
              f"Storage {member} has {len(raw)} bytes, {numel} elements of "
              f"{dtype} need {numel * dtype.itemsize}.")
        array = np.frombuffer(raw, dtype=dtype, count=numel)
        storages[key] = array.astype(dtype.newbyteorder("="), copy=False)
      return storages[key]

    root = _ArchiveUnpickler(archive.read(pickles[0]), load_storage).load()
    code_dir = f"{prefix}/code/"
    code = {n[len(code_dir):]: archive.read(n).decode("utf8")
            for n in names if n.startswith(code_dir) and n.endswith(".py")}
  return TorchArchive(root, code, prefix)
