"""``default_collate``: a list of samples -> one batch (tensors stacked along a new first dimension)."""
import collections.abc
import re

import numpy as np

from ... import _creation as C
from ... import _dtype as D
from ..._tensor import Tensor

__all__ = ["default_collate", "default_convert"]

_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}")
_NP_STR = re.compile(r"[SaUO]")


def _same_type(elem, values):
    """A mapping or sequence of ``elem``'s type holding ``values`` (falls back to dict/list)."""
    try:
        if isinstance(elem, collections.abc.MutableMapping) and not isinstance(values, list):
            out = elem.copy() if hasattr(elem, "copy") else type(elem)()
            out.update(values)
            return out
        return type(elem)(values)
    except TypeError:
        return values


def default_collate(batch):
    """Stacks tensors/arrays, turns numbers into tensors, recurses into dicts, tuples and lists.

    >>> default_collate([(ndgrad.tensor([1., 2.]), 0), (ndgrad.tensor([3., 4.]), 1)])
    [tensor([[1., 2.],
            [3., 4.]]), tensor([0, 1])]
    """
    from ..._ops import stack
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(batch, 0)
    if type(elem).__module__ == "numpy" and not isinstance(elem, (np.str_, np.bytes_)):
        if isinstance(elem, np.ndarray) or isinstance(elem, np.generic) and elem.shape == ():
            if _NP_STR.search(elem.dtype.str) is not None:
                raise TypeError(_ERR.format(elem.dtype))
            if isinstance(elem, np.ndarray):
                return default_collate([C.as_tensor(b) for b in batch])
            return C.as_tensor(np.array(batch))
    if isinstance(elem, bool):
        return C.tensor(batch)
    if isinstance(elem, float):
        return C.tensor(batch, dtype=D.float64)
    if isinstance(elem, int):
        return C.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _same_type(elem, {k: default_collate([d[k] for d in batch]) for k in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        n = len(elem)
        if not all(len(e) == n for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(s) for s in transposed]
        return _same_type(elem, [default_collate(s) for s in transposed])
    raise TypeError(_ERR.format(type(elem)))


def default_convert(data):
    """NumPy arrays inside ``data`` become tensors (used when automatic batching is off)."""
    if isinstance(data, Tensor):
        return data
    if type(data).__module__ == "numpy" and not isinstance(data, (np.str_, np.bytes_)):
        if isinstance(data, np.ndarray) and _NP_STR.search(data.dtype.str) is not None:
            return data
        return C.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _same_type(data, {k: default_convert(v) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _same_type(data, [default_convert(d) for d in data])
    return data
