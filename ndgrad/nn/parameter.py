"""``Parameter`` (a Tensor that a Module registers as learnable) and ``Buffer``.

>>> import ndgrad as torch
>>> p = torch.nn.Parameter(torch.zeros(2))
>>> p.requires_grad, p.is_leaf
(True, True)
"""
from collections import OrderedDict

from .._tensor import Tensor, _new

__all__ = ["Parameter", "Buffer", "is_lazy"]


def _make(cls, data, requires_grad):
    """A ``cls`` instance sharing ``data``'s array and version counter, as a leaf."""
    from .._creation import empty
    if data is None:
        data = empty(0)
    t = _new(cls)
    t._data = data._data
    t._grad_fn = None
    t._requires_grad = False
    if data._vc is None:
        from ..autograd.graph import _VC
        data._vc = _VC()
    t._vc = data._vc
    if requires_grad:
        t.requires_grad_(True)
    return t


class Parameter(Tensor):
    """A tensor that is a module parameter: assigning one to a Module attribute registers it.

    >>> import ndgrad as torch
    >>> lin = torch.nn.Linear(2, 1)
    >>> lin.bias = torch.nn.Parameter(torch.zeros(1))
    >>> [n for n, _ in lin.named_parameters()]
    ['weight', 'bias']
    """

    def __new__(cls, data=None, requires_grad=True):
        return _make(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        from .._tensor import _wrap
        import numpy as np
        return (_rebuild_parameter, (_wrap(np.array(self._data)), self._requires_grad, OrderedDict()))


def _rebuild_parameter(data, requires_grad, hooks):
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """Marks a tensor as a buffer when assigned to a Module attribute (``persistent`` decides state_dict).

    >>> import ndgrad as torch
    >>> m = torch.nn.Module()
    >>> m.steps = torch.nn.Buffer(torch.zeros(1))
    >>> list(m.state_dict())
    ['steps']
    """

    def __new__(cls, data=None, *, persistent=True):
        t = _make(cls, data, False)
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent=True):
        pass


def is_lazy(param):
    return False
