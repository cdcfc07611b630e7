"""Fast paths shared by every op: PyTorch's dtype promotion for a call,
running a kernel, wrapping its result, recording the node."""
import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from .._parallel import THRESHOLD
from ..autograd.graph import _VC
from ._core import _fw, _state, record

_FROM_NUM = D._FROM_NP_NUM
_BIG = THRESHOLD  # elements from which a ufunc kernel runs on several cores
_pcache = {}
_EXACT = 2 ** 53
_F4 = np.dtype(np.float32)
_F8 = np.dtype(np.float64)


def _skey(x):
    t = type(x)
    if t is float:
        return "f"
    if t is int:
        return "i"
    if t is bool:
        return "b"
    if isinstance(x, np.generic):
        k = x.dtype.kind
        return "b" if k == "b" else "i" if k in "iu" else "f"
    if isinstance(x, (float, int)):
        return "f" if isinstance(x, float) else "i"
    raise TypeError(f"unsupported operand type {t.__name__}")


def _key(x):
    if isinstance(x, Tensor):
        d = x._data
        return (d.dtype.num, d.ndim == 0)
    return _skey(x)


def result_dtype(*xs):
    """PyTorch's result dtype (our dtype object) for tensors and Python scalars."""
    key = tuple(_key(x) for x in xs) + (D._defaults.float,)
    r = _pcache.get(key)
    if r is None:
        dims, zeros, scal = [], [], []
        for k in key[:-1]:
            if type(k) is tuple:
                (zeros if k[1] else dims).append(_FROM_NUM[k[0]])
            else:
                scal.append({"f": D._defaults.float, "i": D.int64, "b": D.bool_}[k])
        r = _pcache[key] = D.result_type_of(dims, zeros, scal)
    return r


def pyscalar(x):
    """A NumPy scalar as a Python one (so NumPy treats it as a weak scalar)."""
    if isinstance(x, np.generic):
        return x.item()
    return x


def operands(a, b, floating=False):
    """Kernel operands for a binary op and the result dtype.

    Tensors are cast to the result dtype; Python scalars stay Python scalars
    (NumPy 2 keeps them weak, as PyTorch does).
    """
    if isinstance(a, Tensor):
        xa = a._data
        if isinstance(b, Tensor):
            xb = b._data
            if xa.dtype is xb.dtype and (not floating or xa.dtype.kind == "f"):
                return xa, xb, xa.dtype
            rt = result_dtype(a, b)
        else:
            xb = b if type(b) is float else pyscalar(b)
            tb = type(xb)
            if (tb is float or tb is int) and xa.dtype.kind == "f":
                return xa, (xb if tb is float else float(xb)), xa.dtype
            rt = result_dtype(a, xb)
    else:
        xa = pyscalar(a)
        xb = b._data
        if type(xa) is float and xb.dtype.kind == "f":
            return xa, xb, xb.dtype
        rt = result_dtype(xa, b)
    if floating and not rt.is_floating_point:
        rt = D._defaults.float
    npd = rt.np
    if isinstance(xa, np.ndarray):
        if xa.dtype != npd:
            xa = xa.astype(npd)
    elif npd.kind == "f":
        xa = float(xa)
    elif npd.kind == "u":
        xa = _wrap_unsigned(xa, npd)
    if isinstance(xb, np.ndarray):
        if xb.dtype != npd:
            xb = xb.astype(npd)
    elif npd.kind == "f":
        xb = float(xb)
    elif npd.kind == "u":
        xb = _wrap_unsigned(xb, npd)
    return xa, xb, npd


def _wrap_unsigned(v, npd):
    """A Python int outside an unsigned dtype's range wraps around as in PyTorch (NumPy 2 raises)."""
    if type(v) is int and not 0 <= v <= np.iinfo(npd).max:
        return int(np.array(v, dtype=np.int64).astype(npd))
    return v


def out_array(r, npd=None):
    if type(r) is not np.ndarray:
        r = np.asarray(r) if npd is None else np.asarray(r, dtype=npd)
    elif npd is not None and r.dtype != npd:
        r = r.astype(npd)
    return r


def broadcast_message(sa, sb):
    """PyTorch's message for shapes that do not broadcast (rightmost clash first)."""
    n = max(len(sa), len(sb))
    for i in range(n - 1, -1, -1):
        da = sa[i - n + len(sa)] if i - n + len(sa) >= 0 else 1
        db = sb[i - n + len(sb)] if i - n + len(sb) >= 0 else 1
        if da != db and da != 1 and db != 1:
            return (f"The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton "
                    f"dimension {i}")
    return f"shapes {list(sa)} and {list(sb)} cannot be broadcast"


def binary(op, a, b, params=(), floating=False):
    # the two commonest cases inline (tensor op same-dtype tensor, float tensor op Python float)
    r = None
    if type(a) is Tensor:
        xa = a._data
        npd = xa.dtype
        if type(b) is Tensor and b._data.dtype is npd and (not floating or npd.kind == "f"):
            xb = b._data
            if xa.ndim == 0 and xb.ndim == 0 and (npd is _F4 or npd is _F8) and op.sop is not None and not params:
                r = np.asarray(op.sop(xa[()], xb[()]))  # NumPy scalars: no ufunc machinery
        elif (type(b) is float or (type(b) is int and -_EXACT < b < _EXACT)) and npd.kind == "f":
            xb = b = float(b)  # an int exactly representable as a float: the same weak scalar to NumPy
            if xa.ndim == 0 and (npd is _F4 or npd is _F8) and op.sop is not None and not params:
                r = np.asarray(op.sop(xa[()], b))
        else:
            xa, xb, npd = operands(a, b, floating)
    else:
        xa, xb, npd = operands(a, b, floating)
    if r is None:
        try:
            if op.par is not None and not params and (
                    (type(xa) is np.ndarray and xa.size >= _BIG) or (type(xb) is np.ndarray and xb.size >= _BIG)):
                r = op.par(xa, xb)
            else:
                r = op.kernel(xa, xb, *params)
        except ValueError:
            raise RuntimeError(broadcast_message(np.shape(xa), np.shape(xb))) from None
    if type(r) is not np.ndarray or r.dtype != npd:
        r = out_array(r, npd)
    t = _wrap(r)
    if (isinstance(a, Tensor) and a._requires_grad) or (isinstance(b, Tensor) and b._requires_grad):
        if _state.enabled:
            record(op, t, (a, b), params, 3)
            return t
        t.__dict__["_why"] = "no_grad"  # for autograd.explain
    if _fw.on:
        record(op, t, (a, b), params, 3)
    return t


def compare(kernel, a, b):
    """Comparison ops: computed in the promoted dtype, result bool, never recorded."""
    xa, xb, _ = operands(a, b)
    try:
        return _wrap(out_array(kernel(xa, xb)))
    except ValueError:
        raise RuntimeError(broadcast_message(np.shape(xa), np.shape(xb))) from None


def unary(op, x, params=(), floating=False):
    """Elementwise op of one tensor; ``floating`` ops turn integer input into the default float."""
    d = x._data
    if floating and d.dtype.kind != "f":
        d = d.astype(D._defaults.float.np)
    if d.ndim == 0 and op.par is not None and not params and (d.dtype is _F4 or d.dtype is _F8):
        r = np.asarray(op.kernel(d[()]))  # a ufunc on a NumPy scalar: half the cost of a 0-d array
    elif d.size >= _BIG and op.par is not None and not params:
        r = op.par(d)
    else:
        r = op.kernel(d, *params)
    if type(r) is not np.ndarray:
        r = np.asarray(r, dtype=d.dtype)
    t = _wrap(r)
    if x._requires_grad:
        if _state.enabled:
            record(op, t, (x,), params, 3)
            return t
        t.__dict__["_why"] = "no_grad"  # for autograd.explain
    if _fw.on:
        record(op, t, (x,), params, 3)
    return t


def apply(op, inputs, arrays, params=(), nondiff=()):
    """Generic: kernel(*arrays, *params) -> array or tuple; records if needed.

    ``nondiff``: indices of outputs that never require grad (argmax indices...).
    """
    r = op.kernel(*arrays, *params)
    if type(r) is tuple:
        outs = tuple(_wrap(out_array(x)) for x in r)
    else:
        outs = _wrap(out_array(r))
    if _state.enabled:
        for x in inputs:
            if isinstance(x, Tensor) and x._requires_grad:
                if type(outs) is tuple and nondiff:
                    rec = tuple(None if i in nondiff else o for i, o in enumerate(outs))
                    record(op, rec, inputs, params, 3)
                else:
                    record(op, outs, inputs, params, 3)
                return outs
    else:
        for x in inputs:
            if isinstance(x, Tensor) and x._requires_grad:
                for o in (outs if type(outs) is tuple else (outs,)):
                    o.__dict__["_why"] = "no_grad"  # for autograd.explain
                break
    if _fw.on:
        record(op, tuple(None if i in nondiff else o for i, o in enumerate(outs)) if nondiff else outs,
               inputs, params)
    return outs


def either(x, tensor_fn, array_fn, *args):
    """``tensor_fn(x, *args)`` on a tensor, ``array_fn(x, *args)`` on a NumPy array: one rule, both modes."""
    return tensor_fn(x, *args) if type(x) is Tensor else array_fn(x, *args)


_BITS = {2: np.int16, 4: np.int32, 8: np.int64}


def masked(m, g):
    """``np.where(m, g, 0.0)`` for an array rule: ``g`` where the bool array ``m`` is set, +0.0 elsewhere
    (PyTorch's masked gradients: an inf or nan of ``g`` does not leak through, unlike ``g * m``). For a
    float array of ``m``'s shape, ``g``'s bits times the mask's 0 or 1 as integers, written into a new
    float array: 5x faster than np.where on an irregular mask, the same bits."""
    if isinstance(g, np.ndarray) and g.dtype.kind == "f" and g.shape == m.shape:
        g = np.asarray(g)  # (a big gradient's Big view: plain arithmetic here)
        it = _BITS[g.dtype.itemsize]
        out = np.empty(g.shape, g.dtype)  # a float array of its own (the engine may adopt it as a .grad)
        np.multiply(g.view(it), np.asarray(m).view(np.int8), out=out.view(it))
        return out
    return np.where(m, g, 0.0)


def where_for(g):
    """The ``where`` a rule uses: ndgrad's on tensors, NumPy's on arrays (array rules)."""
    if type(g) is Tensor:
        return _tensor_where()
    return np.where


def _tensor_where():
    global _where
    if _where is None:
        from ._index import where as _where
    return _where


_where = None


def apply_to(op, g, params):
    """A rule's "run op on the gradient": recorded on a tensor, the kernel alone on an array (array rules)."""
    if type(g) is Tensor:
        return apply(op, (g,), (g._data,), params)
    return op.kernel(g, *params)


def view_of(base, arr, op, params, record_inputs=None):
    """A result that shares ``base``'s memory (a view): same version counter, ``_base`` set."""
    t = _wrap(arr)
    vc = base._vc
    if vc is None:
        vc = base._vc = _VC()
    t._vc = vc
    t._base = base._base if base._base is not None else base
    if (_state.enabled and base._requires_grad) or _fw.on:
        record(op, t, record_inputs or (base,), params)
    return t


def as_tensor_arg(x, like=None):
    """A Python number or array-like as a tensor (for ops that need tensors)."""
    if isinstance(x, Tensor):
        return x
    from .._tensor import _as_array
    if like is not None and isinstance(x, (int, float, bool)):
        return _wrap(np.asarray(x, dtype=result_dtype(like, x).np))
    return _wrap(_as_array(x))


def _to_out(r, out):
    """Writes a result into ``out=`` (resizing it as PyTorch does)."""
    if out._data.shape != r._data.shape:
        out._data = np.empty(r._data.shape, dtype=out._data.dtype)
    np.copyto(out._data, r._data, casting="unsafe")
    out._bump()
    return out
