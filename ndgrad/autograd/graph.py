"""Graph nodes (what ``grad_fn`` returns) and saved tensors.

Every recorded operation creates one ``Node``; its class is named like
PyTorch's (``MulBackward0``) and carries the op's derivative rule. A node
holds ``next_functions`` (one edge per input: ``(node, output_nr)`` or
``(None, 0)``), the input shapes/dtypes the engine reduces gradients to, and
the tensors the rule needs (``SavedVar``), version-checked when unpacked.
"""
import itertools

__all__ = ["Node", "AccumulateGrad", "SavedVar", "RemovableHandle", "saved_tensors_hooks", "save_on_cpu",
           "disable_saved_tensors_hooks"]

_seq = itertools.count()

from .. import _tensor as _T  # noqa: E402  (partially initialised here: _T._wrap is read at call time)
from .grad_mode import _state as _gm_state  # noqa: E402
from .._parallel import THRESHOLD as _BIG, Big as _Big  # noqa: E402

BACKWARD_TWICE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward.")

_HINT = ("Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
         "with torch.autograd.set_detect_anomaly(True, check_nan=False).")


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook."""

    _ids = itertools.count()

    def __init__(self, hooks_dict):
        self._hooks_dict = hooks_dict
        self.id = next(RemovableHandle._ids)

    def remove(self):
        self._hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_hook(table, hook, prepend=False):
    """Registers ``hook`` in an ordered dict of hooks; returns the handle that removes it."""
    h = RemovableHandle(table)
    table[h.id] = hook
    if prepend:
        table.move_to_end(h.id, last=False)
    return h


class Node:
    """Base of all backward nodes. Subclasses set ``_rule`` and ``_nout``."""

    _nout = 1
    _arule = None          # the rule on NumPy arrays, when the op has one (see _ops/_core.py)
    _saved = ()
    _params = ()
    _meta = ()
    _needs = ()
    _pre_hooks = None      # {id: fn(grad_outputs) -> grad_outputs | None}
    _hooks = None          # {id: fn(grad_inputs, grad_outputs) -> grad_inputs | None}
    _tensor_pre_hooks = None  # {output_nr: {id: fn(grad) -> grad | None}}
    _retain_hooks = None   # {output_nr: fn(grad)} (retain_grad, runs last)
    _any_hooks = False     # set once any of the four above is: the engine checks this one flag per node
    _source = None         # where the op ran (set by anomaly/source tracking)
    next_functions = ()

    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def metadata(self):
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self.__dict__["_metadata"] = {}
        return d

    @property
    def needs_input_grad(self):
        return self._needs

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after the node; it may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
        self._any_hooks = True
        h = RemovableHandle(self._hooks)
        self._hooks[h.id] = fn
        return h

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before the node; it may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        self._any_hooks = True
        h = RemovableHandle(self._pre_hooks)
        self._pre_hooks[h.id] = fn
        return h

    def _register_tensor_hook(self, output_nr, fn):
        if type(self) is AccumulateGrad:
            # a leaf's hooks live as long as the leaf (its accumulator is otherwise only weakly cached)
            self.variable.__dict__["_acc_keep"] = self
        if self._tensor_pre_hooks is None:
            self._tensor_pre_hooks = {}
        self._any_hooks = True
        d = self._tensor_pre_hooks.setdefault(output_nr, {})
        h = RemovableHandle(d)
        d[h.id] = fn
        return h

    # --- saved tensors -------------------------------------------------
    @property
    def saved(self):
        """The saved values for the rule, version-checked."""
        s = self._saved
        if s is None:
            raise freed_error(self)
        # an array rule is running: hand out the data (version-checked all the same); 2: the gradient is
        # big, so are big saved arrays (their elementwise arithmetic then runs on several cores)
        arrays = _gm_state.arrays
        out = []
        for v in s:
            tv = type(v)
            if tv is _T.Tensor:  # a saved input (see _ops/_core.record): check its version
                vc = v._vc
                if vc is not None and vc.v != (self._sver[len(out)] if self._sver is not None else 0):
                    _saved_var(self, v, len(out)).unpack(self)  # raises the version error
                if not arrays:
                    out.append(v)
                    continue
                d = v._data
            elif tv is SavedVar:
                t = v.tensor
                if t is not None and (0 if t._vc is None else t._vc.v) == v.version:  # an input, no hooks
                    if not arrays:
                        out.append(t)
                        continue
                    d = t._data
                elif arrays and t is None and v.unpack_hook is None and v.vc.v == v.version:  # an output
                    d = v.data
                else:
                    v = v.unpack(self)
                    if not arrays:
                        out.append(v)
                        continue
                    d = v._data
            else:
                out.append(v)
                continue
            if not d.ndim:
                d = d[()]  # 0-d as a NumPy scalar: its operators are 5-10x faster
            elif arrays == 2 and d.size >= _BIG:
                d = d.view(_Big)
            out.append(d)
        return tuple(out)

    def __init_subclass__(cls, **kwargs):
        # PyTorch exposes saved values as ``node._saved_<name>`` (raw: ``_raw_saved_<name>``). Class
        # attributes, not a ``__getattr__``: a class with one gets no specialized attribute access from
        # the interpreter, and the engine and record() read node attributes a dozen times per node.
        super().__init_subclass__(**kwargs)
        for i, n in enumerate(saved_names(cls)):
            setattr(cls, "_saved_" + n, _SavedAttr(i, False))
            setattr(cls, "_raw_saved_" + n, _SavedAttr(i, True))

    def _release(self):
        self._saved = None

    def _apply(self, grads):
        g = grads[0] if self._nout == 1 else tuple(grads)
        out = self._rule(self, g)
        if type(out) is not tuple:
            out = (out,)
        n = len(self.next_functions)
        if len(out) < n:
            # trailing inputs that are not tensors (scalar exponents, indices) get no gradient
            out = out + (None,) * (n - len(out))
        return out

    def __call__(self, *grads):
        return self._apply(list(grads))


class SavedVar:
    """A tensor saved for backward, with the version it had when saved."""

    __slots__ = ("tensor", "version", "data", "vc", "is_output", "packed", "unpack_hook", "fwd")

    def __init__(self, t, is_output=False):
        vc = t._vc
        self.version = vc.v if vc is not None else 0
        self.is_output = is_output
        self.fwd = None  # forward-mode tangent of a saved output (set by ndgrad._ops._jvp)
        self.packed = None
        self.unpack_hook = None
        if is_output:
            # keep the data, not the tensor: the tensor points at the node (a cycle)
            if vc is None:
                vc = t._vc = _VC()
            self.tensor = None
            self.data = t._data
            self.vc = vc
        else:
            self.tensor = t
            self.data = None
            self.vc = None
        hooks = _saved_hooks.stack
        if hooks:
            pack, unpack = hooks[-1]
            t_for_hook = t
            self.packed = pack(t_for_hook)
            self.unpack_hook = unpack
            self.tensor = None
            self.data = None

    def unpack(self, node):
        if self.unpack_hook is not None:
            return self.unpack_hook(self.packed)
        if self.is_output:
            cur = self.vc.v
            t = _T._wrap(self.data)
            t._vc = self.vc
            if cur != self.version:
                _version_error(t, node, 0, cur, self.version, node, self.vc)
            if _gm_state.enabled:
                t._grad_fn = node
                t._requires_grad = True
            if self.fwd is not None:
                t._fwd = self.fwd
            return t
        t = self.tensor
        vc = t._vc
        cur = vc.v if vc is not None else 0
        if cur != self.version:
            _version_error(t, t._grad_fn, t._output_nr, cur, self.version, node)
        return t


def _saved_var(node, t, i):
    """The ``SavedVar`` of a saved input kept as the tensor itself (``node._saved[i]``, see _ops/_core.record)."""
    sv = SavedVar(t)
    sv.version = node._sver[i] if node._sver is not None else 0
    return sv


def _version_error(t, fn, output_nr, cur, expected, user=None, vc=None):
    import re
    where = ""
    if fn is not None:
        name = fn.name()
        name = re.sub(r"Backward\d*$", "", name)
        where = f", which is output {output_nr} of {name},"
    e = RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{t.dtype._legacy} [{', '.join(str(d) for d in t.shape)}]]{where} is at "
        f"version {cur}; expected version {expected} instead. {_HINT}")
    from ._source import describe, note, src_text
    vc = vc or t._vc
    saver = describe(user) if user is not None else "a backward node"
    if fn is not None and user is not None and fn is not user and fn._seq > user._seq:
        by = f"by {describe(fn)}"
    elif vc is not None and vc.src is not None:
        by = f"at {src_text(vc.src)}"
    else:
        by = "outside autograd's view (under no_grad, through .data or a detached alias)"
    lines = [f"{saver} saved this tensor at version {expected} for its backward; it was then modified in "
             f"place (now version {cur}) {by}."]
    if fn is None:  # a leaf (a parameter): updated between forward and backward
        lines.append("fix: run backward() before updating the leaf in place (optimizer.step() after "
                     "loss.backward()), or recompute the forward pass after the update.")
    else:
        lines.append("fix: use the out-of-place form (y = y + 1 instead of y += 1 / y.add_(1); "
                     "y = y.clone(); y[i] = v) or do the in-place change before the tensor is used.")
    raise note(e, *lines)


# PyTorch's names of saved values (``node._saved_<name>``), in the order of the op's save spec;
# nodes not listed use self/other for inputs 0/1 and result for the output.
SAVED_NAMES = {
    "PowBackward0": ("self", "exponent"), "PowBackward1": ("self", "exponent", "result"),
    "PowBackward2": ("exponent", "self", "result"), "MmBackward0": ("self", "mat2"),
    "BmmBackward0": ("self", "mat2"), "MvBackward0": ("self", "vec"), "DotBackward0": ("self", "tensor"),
    "MatmulBackward0": ("self", "other"), "WhereBackward0": ("condition",),
    "Atan2Backward0": ("self", "other"), "AddcmulBackward0": ("self", "tensor1", "tensor2"),
    "AddcdivBackward0": ("self", "tensor1", "tensor2"),
}


class _SavedAttr:
    """``node._saved_<name>`` (the saved value, version-checked) or ``node._raw_saved_<name>`` (its SavedVar)."""

    __slots__ = ("i", "raw")

    def __init__(self, i, raw):
        self.i = i
        self.raw = raw

    def __get__(self, node, cls=None):
        if node is None:
            return self
        s = node._saved
        if s is None:
            raise freed_error(node)
        i = self.i
        v = s[i] if i < len(s) else None
        if type(v) is _T.Tensor:
            v = _saved_var(node, v, i)
        if type(v) is SavedVar:
            return v if self.raw else v.unpack(node)
        return v


def saved_names(node):
    """PyTorch's names of what a node class (or a node's class) saves."""
    cls = node if isinstance(node, type) else type(node)
    names = cls.__dict__.get("_snames")
    if names is None:
        names = SAVED_NAMES.get(cls.__name__)
        if names is None:
            op = getattr(cls, "_op", None)
            spec = getattr(op, "save", ()) if op is not None else ()
            names = tuple("result" if item == "out" else ("self", "other", "input2", "input3")[item]
                          if type(item) is int and item < 4 else f"arg{item}" for item, _ in spec)
            if cls.__name__.endswith("Backward") and not spec:  # custom Function: none exposed
                names = ()
        cls._snames = names
    return names


def freed_error(node):
    """PyTorch's 'backward through the graph a second time' error, with a note naming the node."""
    from ._source import describe, note
    return note(RuntimeError(BACKWARD_TWICE),
                f"{describe(node)} already ran in an earlier backward() that freed its saved tensors.",
                "fix: pass retain_graph=True to the first backward()/autograd.grad() call, or recompute the "
                "forward pass before each backward().")


class _VC:
    """Version counter, shared by a tensor and its views."""

    # gen: _seq of the last node an in-place op gave this memory's history (views made before it
    # regenerate their grad_fn); src: (code, lasti) of the last recorded in-place op, for error notes
    __slots__ = ("v", "gen", "src")

    def __init__(self, v=0):
        self.v = v
        self.gen = -1
        self.src = None


class AccumulateGrad(Node):
    """The node of a leaf tensor: adds the incoming gradient into ``.grad``."""

    _nout = 1

    def __init__(self, variable):
        self.variable = variable
        self._seq = float("inf")  # leaves run last among ready nodes

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def _apply(self, grads):
        _engine_mod.accumulate_grad(self.variable, grads[0])
        return ()


from . import _engine as _engine_mod  # noqa: E402  (partially initialised when graph loads first)


class _SavedHooks:
    def __init__(self):
        self.stack = []
        self.disabled = []


_saved_hooks = _SavedHooks()


class saved_tensors_hooks:
    """Pack/unpack hooks for tensors saved for backward (``torch.autograd.graph``)."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _saved_hooks.disabled:
            raise RuntimeError(_saved_hooks.disabled[-1])
        _saved_hooks.stack.append((self.pack_hook, self.unpack_hook))

    def __exit__(self, *exc):
        _saved_hooks.stack.pop()


class save_on_cpu(saved_tensors_hooks):
    """``torch.autograd.graph.save_on_cpu``: saved tensors are packed as copies in host memory.

    ndgrad is CPU-only, so this keeps a private copy of each saved tensor (what the CPU path of
    PyTorch's hook amounts to) and hands it back at unpack time.
    """

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(t):
            from .._tensor import _wrap
            import numpy as np
            return _wrap(np.array(t._data, copy=True))

        def unpack(p):
            return p
        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Raises ``RuntimeError(error_message)`` when saved-tensor hooks are registered inside it."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        _saved_hooks.disabled.append(self.error_message)

    def __exit__(self, *exc):
        _saved_hooks.disabled.pop()


class _Anomaly:
    """Switch for anomaly mode / source tracking (see autograd.anomaly_mode)."""

    __slots__ = ("enabled", "on_record", "check_nan")

    def __init__(self):
        self.enabled = False
        self.on_record = None
        self.check_nan = True


_anomaly = _Anomaly()
