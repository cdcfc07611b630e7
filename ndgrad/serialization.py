"""``ndgrad.save`` / ``ndgrad.load`` without pickle: loading never runs code.

A file is a zip archive (like NumPy's ``.npz``): ``ndgrad_manifest.json``
describes the object (dicts, lists, tuples, numbers, strings, tensors with
their dtype, ``requires_grad`` and Parameter-ness) and each tensor's values
are one ``.npy`` entry read with ``allow_pickle=False``. Anything else (a
damaged or truncated file, a pickle, a file written by ``torch.save``) is
refused with an error that says what was wrong.

>>> import ndgrad as torch
>>> torch.save({"w": torch.ones(2), "step": 3}, "ckpt.pt")
>>> torch.load("ckpt.pt")
{'w': tensor([1., 1.]), 'step': 3}
"""
import io
import json
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np

from . import _dtype as D
from ._size import Size
from ._tensor import Tensor, _wrap, device

__all__ = ["save", "load"]

MANIFEST = "ndgrad_manifest.json"
FORMAT = "ndgrad.save"
VERSION = 1
_MAX_DEPTH = 200
_FLOAT_DTYPES = {d.np.name: d for d in D.ALL}


# ---------------------------------------------------------------------- save
class _Writer:
    def __init__(self):
        self.arrays = []
        self.memo = {}      # id(tensor or array) -> index, so shared tensors stay shared
        self.stack = set()  # ids of containers being encoded (cycle check)

    def array(self, obj, arr):
        key = id(obj)
        if key not in self.memo:
            self.memo[key] = len(self.arrays)
            self.arrays.append(arr)
        return self.memo[key]

    def encode(self, obj, depth=0):
        if depth > _MAX_DEPTH:
            raise ValueError(f"ndgrad.save: object nested more than {_MAX_DEPTH} levels deep")
        if obj is None:
            return {"t": "none"}
        if isinstance(obj, bool):
            return {"t": "bool", "v": obj}
        if isinstance(obj, int) and type(obj) is int:
            return {"t": "int", "v": str(obj)}
        if type(obj) is float:
            return {"t": "float", "v": repr(obj)}
        if type(obj) is complex:
            return {"t": "complex", "v": [repr(obj.real), repr(obj.imag)]}
        if type(obj) is str:
            return {"t": "str", "v": obj}
        if type(obj) is bytes:
            return {"t": "bytes", "a": self.array(obj, np.frombuffer(obj, dtype=np.uint8))}
        if isinstance(obj, Tensor):
            return self.tensor(obj)
        if isinstance(obj, D.dtype):
            return {"t": "dtype", "v": obj.np.name}
        if isinstance(obj, device):
            return {"t": "device", "v": str(obj)}
        if isinstance(obj, np.ndarray):
            self._check_array(obj)
            return {"t": "ndarray", "a": self.array(obj, obj)}
        if isinstance(obj, np.generic):
            arr = np.asarray(obj)
            self._check_array(arr)
            return {"t": "npscalar", "a": self.array(obj, arr)}
        if isinstance(obj, (dict, list, tuple)):
            return self.container(obj, depth)
        raise TypeError(f"ndgrad.save can't store an object of type {type(obj).__module__}.{type(obj).__qualname__}: "
                        "it stores tensors, NumPy arrays, numbers, strings, bytes, None and dicts/lists/tuples of "
                        "them, without pickle (save a module's or optimizer's state_dict() rather than the object)")

    @staticmethod
    def _check_array(arr):
        if arr.dtype.hasobject or arr.dtype.fields is not None:
            raise TypeError(f"ndgrad.save can't store a NumPy array of dtype {arr.dtype} without pickle")

    def tensor(self, t):
        node = {"t": "tensor", "a": self.array(t, t._data), "dtype": t._data.dtype.name,
                "requires_grad": bool(t.requires_grad)}
        if _is_parameter(t):
            node["param"] = True
        return node

    def container(self, obj, depth):
        if id(obj) in self.stack:
            raise ValueError("ndgrad.save: the object contains a reference cycle")
        self.stack.add(id(obj))
        try:
            if isinstance(obj, dict):
                kind = "odict" if isinstance(obj, OrderedDict) else "dict"
                node = {"t": kind, "items": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                                             for k, v in obj.items()]}
                meta = getattr(obj, "_metadata", None)
                if meta is not None:
                    node["metadata"] = self.encode(meta, depth + 1)
                return node
            kind = "size" if isinstance(obj, Size) else "list" if isinstance(obj, list) else "tuple"
            if type(obj) not in (list, tuple, Size):
                raise TypeError(f"ndgrad.save can't store an object of type {type(obj).__qualname__} "
                                "(a list or tuple subclass) without pickle")
            return {"t": kind, "v": [self.encode(v, depth + 1) for v in obj]}
        finally:
            self.stack.discard(id(obj))


def _is_parameter(t):
    return type(t).__name__ == "Parameter" and type(t).__module__.startswith("ndgrad.nn")


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves ``obj`` (tensors, state_dicts, optimizer states, nested containers) to a path or binary file.

    >>> torch.save(model.state_dict(), "model.pt")
    """
    w = _Writer()
    root = w.encode(obj)
    manifest = {"format": FORMAT, "version": VERSION, "root": root,
                "arrays": [[a.dtype.str, list(a.shape)] for a in w.arrays]}
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            _write(fh, manifest, w.arrays)
    else:
        _write(f, manifest, w.arrays)


def _write(fh, manifest, arrays):
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr(MANIFEST, json.dumps(manifest))
        for i, a in enumerate(arrays):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, a, allow_pickle=False)
            z.writestr(f"arrays/{i}.npy", buf.getvalue())


# ---------------------------------------------------------------------- load
def _refuse_pickle(what):
    return pickle.UnpicklingError(
        f"ndgrad.load refuses to read {what}: unpickling can run arbitrary code, and ndgrad never unpickles. "
        "ndgrad.load reads only files written by ndgrad.save (a zip of .npy arrays and a JSON manifest). To move "
        "weights over from PyTorch, load them there with torch.load(..., weights_only=True), convert the tensors "
        "with .numpy(), and save them with ndgrad.save.")


def _damaged(name, why):
    return RuntimeError(f"ndgrad.load: {name} is not a valid ndgrad file ({why}); it may be damaged or truncated")


def _open(f):
    """Bytes of the file and a name for messages."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return fh.read(), os.fspath(f)
    if not hasattr(f, "read"):
        raise TypeError(f"ndgrad.load expected a path or a binary file object, but got {type(f).__name__}")
    data = f.read()
    if isinstance(data, str):
        raise TypeError("ndgrad.load needs a file opened in binary mode ('rb'), but got a text file")
    return bytes(data), getattr(f, "name", "the file")


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Loads what ``ndgrad.save`` wrote. Never unpickles, so never runs code from the file.

    >>> sd = torch.load("model.pt", map_location="cpu")
    """
    _check_map_location(map_location)
    data, name = _open(f)
    if data[:1] == b"\x80":
        raise _refuse_pickle(f"{name}, which is a pickle (for example a legacy torch.save file)")
    if not data.startswith(b"PK"):
        head = data[:1].decode("latin-1") if data else ""
        if not data:
            raise _damaged(name, "the file is empty")
        raise pickle.UnpicklingError(f"invalid load key, {head!r}. ndgrad.load: {name} is neither an ndgrad.save "
                                     "file nor a zip archive")
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise _damaged(name, f"failed reading zip archive: {e}") from None
    if MANIFEST not in names:
        if any(n.endswith("data.pkl") for n in names):
            raise _refuse_pickle(f"{name}, which was written by torch.save (a pickle inside a zip archive)")
        raise _damaged(name, f"no {MANIFEST} in the archive")
    packed = [i.filename for i in z.infolist() if i.compress_type != zipfile.ZIP_STORED]
    if packed:  # ndgrad.save stores entries uncompressed: refusing others rules out decompression bombs
        raise _damaged(name, f"entry {packed[0]} is compressed, which ndgrad.save never does")
    try:
        manifest = json.loads(z.read(MANIFEST).decode("utf-8"))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RecursionError, UnicodeDecodeError) as e:
        raise _damaged(name, f"unreadable manifest: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _damaged(name, "the manifest is not an ndgrad.save manifest")
    if manifest.get("version") != VERSION:
        raise RuntimeError(f"ndgrad.load: {name} has format version {manifest.get('version')!r}; this ndgrad reads "
                           f"version {VERSION}")
    reader = _Reader(z, name, manifest.get("arrays"))
    try:
        return reader.decode(manifest.get("root"), 0)
    except RecursionError:
        raise _damaged(name, "the object is nested too deeply") from None
    except RuntimeError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise _damaged(name, f"malformed manifest: {type(e).__name__}: {e}") from None


def _check_map_location(loc):
    """Only the CPU exists here: accept None, 'cpu', a cpu device, dicts and callables."""
    if loc is None or callable(loc) or isinstance(loc, dict):
        return
    from ._tensor import check_device
    check_device(loc)


class _Reader:
    def __init__(self, z, name, specs):
        if not isinstance(specs, list):
            raise _damaged(name, "the manifest has no array list")
        self.z, self.name, self.specs = z, name, specs
        self.cache = {}
        self.tensors = {}  # array index -> tensor, so tensors shared when saved are shared when loaded

    def array(self, i):
        if type(i) is not int or not 0 <= i < len(self.specs):
            raise _damaged(self.name, f"array index {i!r} out of range")
        if i in self.cache:
            return self.cache[i]
        entry = f"arrays/{i}.npy"
        try:
            raw = self.z.read(entry)
            arr = np.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)
        except KeyError:
            raise _damaged(self.name, f"missing entry {entry}") from None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise _damaged(self.name, f"entry {entry} is unreadable: {e}") from None
        dstr, shape = self.specs[i]
        if arr.dtype.str != dstr or list(arr.shape) != list(shape):
            raise _damaged(self.name, f"entry {entry} has dtype {arr.dtype.str} and shape {list(arr.shape)}, "
                                      f"but the manifest says {dstr} and {shape}")
        self.cache[i] = arr
        return arr

    def decode(self, node, depth):
        if depth > _MAX_DEPTH:
            raise _damaged(self.name, "the object is nested too deeply")
        if not isinstance(node, dict):
            raise _damaged(self.name, f"unexpected manifest entry {node!r:.60}")
        t = node["t"]
        if t == "none":
            return None
        if t == "bool":
            return bool(node["v"])
        if t == "int":
            return int(node["v"])
        if t == "float":
            return float(node["v"])
        if t == "complex":
            return complex(float(node["v"][0]), float(node["v"][1]))
        if t == "str":
            return str(node["v"])
        if t == "bytes":
            return self.array(node["a"]).tobytes()
        if t in ("dict", "odict"):
            out = (OrderedDict if t == "odict" else dict)()
            for k, v in node["items"]:
                out[self.decode(k, depth + 1)] = self.decode(v, depth + 1)
            if "metadata" in node:
                out._metadata = self.decode(node["metadata"], depth + 1)
            return out
        if t in ("list", "tuple", "size"):
            items = [self.decode(v, depth + 1) for v in node["v"]]
            return items if t == "list" else Size(items) if t == "size" else tuple(items)
        if t == "tensor":
            return self.tensor(node)
        if t == "dtype":
            return D.from_numpy_dtype(np.dtype(_dtype_name(self.name, node["v"])))
        if t == "device":
            return device(str(node["v"]))
        if t == "ndarray":
            return self.array(node["a"]).copy()
        if t == "npscalar":
            return self.array(node["a"])[()]
        raise _damaged(self.name, f"unknown entry type {t!r:.40}")

    def tensor(self, node):
        key = node["a"]
        if self.tensors.get(key) is None:
            self.tensors[key] = self._tensor(node)
        return self.tensors[key]

    def _tensor(self, node):
        arr = self.array(node["a"])
        if arr.dtype.name != _dtype_name(self.name, node["dtype"]):
            raise _damaged(self.name, f"tensor dtype {node['dtype']!r} does not match its array ({arr.dtype})")
        t = _wrap(np.array(arr, copy=True))
        rg = bool(node.get("requires_grad", False))
        if node.get("param"):
            try:
                from .nn import Parameter
            except ImportError:
                Parameter = None
            if Parameter is not None:
                return Parameter(t, requires_grad=rg)
        if rg:
            t.requires_grad_(True)
        return t


def _dtype_name(fname, name):
    if name not in _FLOAT_DTYPES:
        raise _damaged(fname, f"unsupported dtype {name!r:.40}")
    return name

