"""``repr``/``str`` of tensors and the print options, byte for byte as PyTorch's.

This follows ``torch/_tensor_str.py`` (real dtypes, strided CPU tensors only):

* A formatter looks at the (summarised) values once: for floating dtypes it
  decides *int mode* (every nonzero finite value is integral: ``1.`` style) and
  *sci mode* (``max/min > 1000``, ``max > 1e8`` or ``min < 1e-4`` over the
  absolute nonzero finite values, unless ``sci_mode`` is forced).  Values are
  formatted as Python floats (float16/float32 upcast exactly to double, as
  ``Tensor.item()`` does in PyTorch).  The column width is the widest
  *nonzero finite* value (zeros, nan and inf do not widen it).
* Above ``threshold`` elements, each dimension longer than ``2 * edgeitems``
  shows ``edgeitems`` items at both ends around ``...``.
* 1-D rows wrap at ``linewidth`` with PyTorch's nested indentation; the
  suffixes (``size=``, ``dtype=``, ``grad_fn=``/``requires_grad=``) wrap too.

Unlike PyTorch we format each shown value once and take the width from those
strings (the same strings PyTorch pads), which keeps small reprs cheap.
"""
import math

import numpy as np

from . import _dtype

__all__ = ["PRINT_OPTS", "set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]


class __PrinterOptions:  # named like PyTorch's dataclass, so repr(PRINT_OPTS) matches
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self, precision=4, threshold=1000, edgeitems=3, linewidth=80, sci_mode=None):
        self.precision = precision
        self.threshold = threshold
        self.edgeitems = edgeitems
        self.linewidth = linewidth
        self.sci_mode = sci_mode

    def __repr__(self):
        return (f"__PrinterOptions(precision={self.precision!r}, threshold={self.threshold!r}, "
                f"edgeitems={self.edgeitems!r}, linewidth={self.linewidth!r}, "
                f"sci_mode={self.sci_mode!r})")

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    __hash__ = None


PRINT_OPTS = __PrinterOptions()

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set options for printing (``torch.set_printoptions``).

    ``profile`` ("default", "short" or "full") sets precision, threshold,
    edgeitems and linewidth first; the other arguments then override it.  As in
    PyTorch, ``sci_mode`` is always assigned, so leaving it out resets it to
    automatic (``None``).
    """
    if profile is not None and profile in _PROFILES:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold,
         PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current options as a dict that ``set_printoptions(**d)`` accepts."""
    return {k: getattr(PRINT_OPTS, k) for k in PRINT_OPTS.__slots__}


class printoptions:
    """Context manager that changes the print options temporarily
    (``torch._tensor_str.printoptions``)."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs

    def __enter__(self):
        self._old = get_printoptions()
        set_printoptions(**self._kwargs)

    def __exit__(self, *exc):
        set_printoptions(**self._old)
        return False


def _summarize(a, e):
    """Keep the first and last ``e`` items of every axis longer than ``2e``;
    also returns which axes were cut (where ``...`` goes)."""
    cut = tuple(n > 2 * e for n in a.shape)
    for ax, c in enumerate(cut):
        if c:
            n = a.shape[ax]
            a = a.take(np.r_[0:e, n - e:n], axis=ax)
    return a, cut


def _format_values(flat, floating):
    """The shown strings of a 1-D array, padded to PyTorch's column width."""
    vals = flat.tolist()
    if not floating:
        strs = [str(v) for v in vals]
        width = max(1, max(map(len, strs)))
    else:
        # Python floats are the exact doubles PyTorch's formatter works on;
        # ``v - v == 0`` is False for nan and inf only
        nz = [v for v in vals if v and v - v == 0]
        int_mode, sci = True, False
        if nz:
            int_mode = all(v.is_integer() for v in nz)
            hi = max(nz, key=abs)
            lo = min(nz, key=abs)
            hi, lo = abs(hi), abs(lo)
            sci = PRINT_OPTS.sci_mode
            if sci is None:
                sci = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        if sci:
            spec = f".{PRINT_OPTS.precision}e"
            strs = [format(v, spec) for v in vals]
        elif int_mode:
            # a trailing '.' marks the floating dtype; not after nan/inf
            strs = [f"{v:.0f}." if v - v == 0 else f"{v:.0f}" for v in vals]
        else:
            spec = f".{PRINT_OPTS.precision}f"
            strs = [format(v, spec) for v in vals]
        # the widest nonzero finite value sets the column width
        width = 1
        if len(nz) == len(strs):
            width = max(1, max(map(len, strs)))
        elif nz:
            width = max(1, max(len(s) for s, v in zip(strs, vals) if v and v - v == 0))
    if any(len(s) < width for s in strs):
        strs = [s.rjust(width) for s in strs]
    return strs, width


def _nest(strs, shape, cut, indent, width):
    """Brackets, commas, ``...`` and line breaks around the flat strings."""
    e = PRINT_OPTS.edgeitems
    if len(shape) == 1:
        items = strs[:e] + [" ..."] + strs[e:] if cut[0] else strs
        per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / (width + 2)))
        if len(items) <= per_line:
            return "[" + ", ".join(items) + "]"
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    n = shape[0]
    step = len(strs) // n if n else 0
    sub, subcut = shape[1:], cut[1:]
    parts = [_nest(strs[i * step:(i + 1) * step], sub, subcut, indent + 1, width)
             for i in range(n)]
    if cut[0]:
        parts.insert(e, "...")
    return "[" + ("," + "\n" * (len(shape) - 1) + " " * (indent + 1)).join(parts) + "]"


def _tensor_str(a, indent, floating):
    """The bracketed values of a nonempty array (PyTorch's ``_tensor_str``)."""
    summarize = a.size > PRINT_OPTS.threshold
    cut = (False,) * a.ndim
    if summarize and a.ndim:
        if not PRINT_OPTS.edgeitems:
            return "[...]"
        a, cut = _summarize(a, PRINT_OPTS.edgeitems)
    strs, width = _format_values(a.reshape(-1), floating)
    if a.ndim == 0:
        return strs[0]
    return _nest(strs, a.shape, cut, indent, width)


def _add_suffixes(s, suffixes, indent):
    out = [s]
    last_line_len = len(s) - s.rfind("\n") + 1  # PyTorch's count, off by design
    linewidth = PRINT_OPTS.linewidth
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > linewidth:
            out.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_line_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def tensor_repr(t, tensor_contents=None):
    """``repr(t)`` and ``str(t)`` exactly as PyTorch prints them.

    Reads only ``t._data``, ``t.dtype``, ``t.requires_grad`` and ``t.grad_fn``.
    ``tensor_contents``, when given, replaces the bracketed values (as in
    ``torch.Tensor.__repr__``).
    """
    a = t._data
    d = t.dtype
    default = _dtype.get_default_dtype()
    prefix = "tensor("
    indent = 7
    suffixes = []
    if a.size == 0:
        # NumPy's habit: the shape is shown unless it is (0,)
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(a.shape)))
        # nothing to infer the dtype from, so only the default float is implied
        if d is not default:
            suffixes.append("dtype=torch." + d.name)
        body = "[]" if tensor_contents is None else tensor_contents
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(a.shape)))
        if not (d is default or d is _dtype.int64 or d is _dtype.bool_):
            suffixes.append("dtype=torch." + d.name)
        if tensor_contents is None:
            body = _tensor_str(a, indent, d.is_floating_point)
        else:
            body = tensor_contents
    grad_fn = t.grad_fn
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    if not suffixes:
        return prefix + body + ")"
    return _add_suffixes(prefix + body, suffixes, indent)
