"""Where did this tensor come from? Cheap source locations for autograd errors.

While tracking is on (the default), ``record`` stores on every node the code
object and instruction offset of the first frame outside ndgrad (the user's
line): two attribute reads per frame and a dict lookup keyed by file name, no
string formatting. The line number is computed only when an error needs it.

``set_source_tracking(False)`` turns it off; ``is_source_tracking_enabled()``
reads it. Errors then lose the "created at file:line" part of their notes.
"""
import os
import sys

__all__ = ["set_source_tracking", "is_source_tracking_enabled", "where", "location", "describe"]

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_getframe = sys._getframe


class _Tracking:
    # caller: while a create_graph backward runs, the location of its caller (the user's backward()/grad()
    # line), which the nodes its rules record take without walking the frames up to it
    __slots__ = ("on", "caller")


tracking = _Tracking()
tracking.on = True
tracking.caller = None

# file name -> True when the file belongs to ndgrad (its frames are skipped)
_internal = {}


def _is_internal(fn):
    r = _internal.get(fn)
    if r is None:
        r = _internal[fn] = fn.startswith(_PKG) or fn.startswith("<frozen ") or fn.endswith("contextlib.py")
    return r


def where(depth=1):
    """(code, lasti) of the innermost frame outside ndgrad, or None."""
    f = _getframe(depth)
    internal = _internal
    while f is not None:
        co = f.f_code
        r = internal.get(co.co_filename)
        if r is None:
            r = _is_internal(co.co_filename)
        if not r:
            return (co, f.f_lasti)
        f = f.f_back
    return None


class set_source_tracking:
    """Turns recording of source locations on nodes on or off (function or context manager).

    >>> ndgrad.autograd.set_source_tracking(False)  # autograd errors no longer name file:line
    """

    def __init__(self, mode=True):
        self.prev = tracking.on
        tracking.on = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        tracking.on = self.prev


def is_source_tracking_enabled():
    return tracking.on


def _line(code, lasti):
    line = code.co_firstlineno
    for start, end, ln in code.co_lines():
        if start <= lasti < end:
            return ln if ln is not None else line
    return line


def src_text(src):
    """'file.py:12 (`y.add_(1)`)' for a stored (code, lasti)."""
    import linecache
    code, lasti = src
    line = _line(code, lasti)
    text = linecache.getline(code.co_filename, line).strip()
    return f"{_short(code.co_filename)}:{line}" + (f" (`{text}`)" if text else "")


def _short(fn):
    try:
        rel = os.path.relpath(fn)
        if not rel.startswith(".."):
            return rel
    except ValueError:
        pass
    return fn


def location(node):
    """'file.py:12' for a node recorded with tracking on, else None."""
    if node is None:
        return None
    src = getattr(node, "_src", None)
    if src is None:
        return None
    code, lasti = src
    return f"{_short(code.co_filename)}:{_line(code, lasti)}"


def source_line(node):
    """The text of the line where ``node`` was recorded, stripped, or None."""
    src = getattr(node, "_src", None)
    if src is None:
        return None
    import linecache
    code, lasti = src
    text = linecache.getline(code.co_filename, _line(code, lasti)).strip()
    return text or None


def op_name(node):
    """The op a node stands for, in the user's words: 'MulBackward0' -> 'mul'."""
    import re
    n = type(node).__name__
    if n == "AccumulateGrad":
        return "a leaf"
    m = re.match(r"(.*?)Backward\d*$", n)
    base = m.group(1) if m else n
    return re.sub(r"(?<!^)(?=[A-Z])", "_", base).lower() if base else n


def describe(node):
    """'MulBackward0 (the mul at demo.py:12: `y = x * 2`)' or 'MulBackward0' without tracking."""
    if node is None:
        return "no grad_fn"
    name = node.name() if hasattr(node, "name") else type(node).__name__
    loc = location(node)
    if loc is None:
        return name
    text = source_line(node)
    return f"{name} (created at {loc}" + (f": `{text}`)" if text else ")")


def note(exc, *lines):
    """Adds ``ndgrad:``-prefixed notes to an exception (str(exc) is untouched)."""
    for ln in lines:
        if ln:
            exc.add_note("ndgrad: " + ln)
    return exc
