"""The op table's machinery: ``defop`` declares a primitive once, ``record``
attaches its backward node to a result.

A primitive is: a NumPy kernel, the name of its backward node (PyTorch's,
e.g. ``MulBackward0``), what it saves for backward, its VJP rule and its JVP
rule. Rules are module-level functions written in ndgrad ops, so they are
themselves differentiable (``create_graph=True`` needs nothing more).

Save specs: a tuple of items, each an input index, ``"out"`` (output 0) or
``(item, i)`` meaning "only when input ``i`` needs a gradient". A rule reads
them from ``ctx.saved`` in the same order (``None`` where not saved).

Array rules: when backward builds no graph (no ``create_graph``), the engine
runs a node's rule on NumPy arrays instead of tensors, skipping a tensor
wrapper and an op dispatch per term. ``avjp=True`` says the VJP itself is
valid on arrays (it uses only arithmetic operators, comparisons and
``ctx``); ``avjp=f`` gives the same formula spelled in NumPy where the VJP
calls ndgrad functions (``cos``, ``where``...). Ops without one fall back to
the tensor rule. ``tests/ops/test_array_rules.py`` holds each to its VJP.
"""
import operator
import weakref

import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.graph import AccumulateGrad, Node, SavedVar, _anomaly, _saved_hooks, _seq, _VC
from ..autograd._engine import execute as _engine_execute
from ..autograd._source import _getframe, _internal, _is_internal, tracking as _track

_state = grad_mode._state
_new = object.__new__
OPS = {}
_EXECUTE = _engine_execute.__code__


class _FwState:
    """Forward-mode AD switch: ``on`` while a dual level is active (and no JVP
    rule is running); ``level`` is the active level's id. Read once per op."""
    __slots__ = ("on", "level")


_fw = _FwState()
_fw.on = False
_fw.level = -1


class Op:
    __slots__ = ("name", "kernel", "node_cls", "save", "vjp", "jvp", "nout", "doc", "avjp", "par", "sop", "plan")

    def __repr__(self):
        return f"<op {self.name}>"


class OpNode(Node):
    """Backward node of a table op."""

    # what record() sets on every node, in slots: no instance dict to build, fill and free per op
    # (hooks and metadata, rare, still go to the dict Node instances have)
    __slots__ = ("next_functions", "_meta", "_needs", "_params", "_seq", "_saved", "_src", "_sver")


# NumPy's scalar operators are 5-10x faster than its ufuncs on 0-d arrays (and bit-identical for
# float32/float64): binary() runs these on 0-d operands
_SCALAR_OPS = {np.multiply: operator.mul, np.add: operator.add, np.subtract: operator.sub,
               np.true_divide: operator.truediv}


def defop(name, kernel, vjp=None, *, node=None, save=(), jvp=None, nout=1, doc=None, avjp=None, par=None,
          sop=None):
    """Declares a primitive op. Returns the ``Op``.

    ``par``: the ufunc the kernel amounts to when called without params (found by itself for ufunc
    kernels and ``_quiet(ufunc)``); big inputs then run on several cores (see ndgrad/_parallel.py).
    ``sop``: the kernel spelled with Python operators, for 0-d float operands (found by itself for
    ufunc kernels that have an operator); ``binary`` runs it on NumPy scalars.
    """
    op = Op()
    if sop is None:
        sop = _SCALAR_OPS.get(kernel if isinstance(kernel, np.ufunc) else getattr(kernel, "_ufunc", None))
    op.sop = sop
    if par is None:
        par = kernel if isinstance(kernel, np.ufunc) else getattr(kernel, "_ufunc", None)
    if par is not None and par.signature is None:  # elementwise only (np.matmul is a generalized ufunc)
        from .._parallel import parallel
        quiet = getattr(kernel, "_quiet", None)
        par = parallel(par) if quiet is None else quiet(parallel(par))
    else:
        par = None
    op.par = par
    op.avjp = vjp if avjp is True else avjp
    op.name = name
    op.kernel = kernel
    op.vjp = vjp
    op.jvp = jvp
    op.nout = nout
    op.doc = doc
    norm = []
    for item in save:
        if type(item) is tuple:
            norm.append(item)
        else:
            norm.append((item, None))
    op.save = tuple(norm)
    # the save spec as record() reads it: (input index or -1 for the output, input index or -1 for always)
    op.plan = tuple((-1 if item == "out" else item, -1 if cond is None else cond) for item, cond in norm)
    if node is None:
        node = "".join(p.capitalize() for p in name.split("_")) + "Backward0"
    if vjp is not None:
        op.node_cls = type(node, (OpNode,), {"_rule": staticmethod(vjp), "_nout": nout, "_op": op,
                                             "_arule": None if op.avjp is None else staticmethod(op.avjp),
                                             "__module__": "ndgrad.autograd.graph"})
    else:
        op.node_cls = None
    OPS[name] = op
    return op


def _stale(t, fn):  # replaced by _inplace.stale when the op table loads
    return False


_regen_view = None


def accumulator(t):
    """The (cached) AccumulateGrad node of a leaf that requires grad."""
    ref = t._acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._acc = weakref.ref(acc)
    return acc


def edge(t):
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    return (accumulator(t), 0)


def needs_grad(*xs):
    """True when grad mode is on and some tensor input requires grad."""
    if not _state.enabled:
        return _fw.on and _fw_any(xs)
    for x in xs:
        if isinstance(x, Tensor) and x._requires_grad:
            return True
    return _fw.on and _fw_any(xs)


def mark_no_grad(t, *inputs):
    """Notes on ``t`` that it was computed under no_grad from tensors that require grad (for explain)."""
    for x in inputs:
        if isinstance(x, Tensor) and x._requires_grad:
            t.__dict__["_why"] = "no_grad"
            return


def _fw_any(xs):
    from ._jvp import has_tangent
    return has_tangent(xs)


_T1 = (True,)
_T2 = (True, True)


def _edge(x):
    """The edge to a tensor that requires grad: its grad_fn, or its leaf's AccumulateGrad."""
    fn = x._grad_fn
    if fn is None:
        ref = x._acc
        acc = ref() if ref is not None else None
        return (acc if acc is not None else accumulator(x), 0)
    if x._base is not None and x._vc is not None and _stale(x, fn):
        fn = _regen_view(x)  # a view made before an in-place op on its base (see _inplace)
    return (fn, x._output_nr)


def connect(node, inputs):
    """Sets a node's edges (next_functions), input shapes/dtypes and needs_input_grad."""
    nexts = []
    meta = []
    needs = []
    for x in inputs:
        if isinstance(x, Tensor):
            meta.append((x._data.shape, x._data.dtype))
            if x._requires_grad:
                nexts.append(_edge(x))
                needs.append(True)
                continue
        else:
            meta.append(None)
        nexts.append(_NOEDGE)
        needs.append(False)
    node.next_functions = tuple(nexts)
    node._meta = tuple(meta)
    node._needs = tuple(needs)


_NOEDGE = (None, 0)
_TF = (True, False)


def record(op, outs, inputs, params=(), depth=2):
    """Makes ``op``'s node the grad_fn of ``outs`` (a Tensor or tuple of them).

    Call only when ``needs_grad(*inputs)``. Outputs listed in the op as
    non-differentiable are the caller's business (it passes only the others).
    While a dual level is active, also computes the outputs' tangents.
    ``depth``: the first frame (0: record's) that may be the user's; callers that are
    never called by user code themselves (binary, unary) pass 3: one frame fewer to materialize.
    """
    if _fw.on:
        from ._jvp import fw_record
        return fw_record(op, outs, inputs, params)
    cls = op.node_cls
    if cls is None:
        raise RuntimeError(f"the derivative for '{op.name}' is not implemented.")
    node = _new(cls)
    # edges, input metadata and needs_input_grad (connect()), inline for one or two inputs of which the
    # first requires grad: most recorded ops
    a = inputs[0]
    n = len(inputs)
    b = inputs[1] if n == 2 else None
    if n <= 2 and type(a) is Tensor and a._requires_grad and (type(b) is Tensor or not isinstance(b, Tensor)):
        fn = a._grad_fn
        ea = (fn, a._output_nr) if fn is not None and a._base is None else _edge(a)
        d = a._data
        if n == 1:
            node.next_functions = (ea,)
            node._needs = _T1
            node._meta = ((d.shape, d.dtype),)
        elif type(b) is not Tensor:  # a Python number
            node.next_functions = (ea, _NOEDGE)
            node._needs = _TF
            node._meta = ((d.shape, d.dtype), None)
        else:
            e = b._data
            node._meta = ((d.shape, d.dtype), (e.shape, e.dtype))
            if b._requires_grad:
                fn = b._grad_fn
                node.next_functions = (ea, (fn, b._output_nr) if fn is not None and b._base is None else _edge(b))
                node._needs = _T2
            else:
                node.next_functions = (ea, _NOEDGE)
                node._needs = _TF
    else:
        connect(node, inputs)
    node._params = params
    if cls._nout < 0:  # ops with a variable number of outputs (split, unbind)
        node._nout = len(outs)
    node._seq = next(_seq)
    if _track.on:
        # Frame 1 is always ndgrad's (whoever called record), so start at 2 (or deeper): fewer frame objects.
        try:
            locate(node, _getframe(depth))
        except ValueError:
            pass
    plan = op.plan
    node._sver = None
    if not plan:
        node._saved = ()
    else:
        # a saved input is kept as the tensor itself (no SavedVar object per save); its version at save
        # time goes to node._sver only when nonzero (rare: the tensor was modified in place before)
        saved = []
        hooks = _saved_hooks.stack
        needs = node._needs
        for item, cond in plan:
            if cond >= 0 and not needs[cond]:
                saved.append(None)
            elif item < 0:
                saved.append(SavedVar(outs if type(outs) is not tuple else outs[0], True))
            else:
                v = inputs[item]
                if type(v) is Tensor and not hooks:
                    vc = v._vc
                    if vc is not None and vc.v:
                        if node._sver is None:
                            node._sver = [0] * len(plan)
                        node._sver[len(saved)] = vc.v
                    saved.append(v)
                else:
                    saved.append(SavedVar(v) if isinstance(v, Tensor) else v)
        node._saved = saved
    if type(outs) is tuple:
        for i, o in enumerate(outs):
            if o is not None:
                o._grad_fn = node
                o._requires_grad = True
                o._output_nr = i
    else:
        outs._grad_fn = node
        outs._requires_grad = True
    if _anomaly.enabled:
        _anomaly.on_record(node)
    return node


def locate(node, f):
    """Sets ``node._src`` to the user's line: the first frame from ``f`` outward that is not ndgrad's
    (for autograd errors; see autograd/_source.py)."""
    while f is not None:
        co = f.f_code
        if co is _EXECUTE:  # a rule run by a create_graph backward: the rest of the walk is known
            node._src = _track.caller
            return
        try:
            r = _internal[co.co_filename]
        except KeyError:
            r = _is_internal(co.co_filename)
        if not r:
            node._src = (co, f.f_lasti)
            return
        f = f.f_back
