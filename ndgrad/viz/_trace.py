"""`trace()`: record a backward pass node by node and print it as a table.

    with ndgrad.viz.trace() as t:
        loss.backward()
    print(t)

How it hooks in, with the public API only: while the `with` block runs, the
entry points `Tensor.backward`, `autograd.backward` and `autograd.grad` of the
libraries in play are wrapped; when one is called, a pre-hook and a hook
(`Node.register_prehook` / `Node.register_hook`) are put on every node
reachable from the outputs, and removed when the block ends. `trace(loss)`
instead hooks the graph of `loss` at once and wraps nothing.
"""
import functools
import sys
import weakref

from ._common import (fmt_value, is_tensor, leaf_variable, library, named_tensors,
                      node_label_maps, node_title, shape_str, to_numpy, walk)

_LAST = None

# d(output)/d(input k) of common nodes, by PyTorch's node name: (input name, formula)
FORMULAS = {
    "MulBackward0": [("self", "other"), ("other", "self")],
    "DivBackward0": [("self", "1/other"), ("other", "-self/other²")],
    "AddBackward0": [("self", "1"), ("other", "alpha")],
    "SubBackward0": [("self", "1"), ("other", "-alpha")],
    "NegBackward0": [("self", "-1")],
    "PowBackward0": [("self", "exponent·self^(exponent-1)")],
    "PowBackward1": [("self", "exponent·self^(exponent-1)"), ("exponent", "result·ln(self)")],
    "SinBackward0": [("self", "cos(self)")], "CosBackward0": [("self", "-sin(self)")],
    "TanBackward0": [("self", "1 + result²")], "ExpBackward0": [("self", "result")],
    "LogBackward0": [("self", "1/self")], "SqrtBackward0": [("self", "1/(2·result)")],
    "TanhBackward0": [("self", "1 - result²")], "SigmoidBackward0": [("self", "result·(1-result)")],
    "ReluBackward0": [("self", "1 where result > 0")], "AbsBackward0": [("self", "sign(self)")],
    "SumBackward0": [("self", "1 (gradient copied to every element)")],
    "MeanBackward0": [("self", "1/numel")], "DotBackward0": [("self", "tensor"), ("tensor", "self")],
}


def last_trace():
    """The most recent trace() that recorded a backward pass (while it is alive)."""
    return _LAST() if _LAST is not None else None


class Step:
    """One node run by the engine: what came in, what it passed on."""
    __slots__ = ("index", "node", "title", "name", "incoming", "contributions", "passed",
                 "grad_before", "seed")

    def __init__(self, index, node, name):
        self.index, self.node, self.title, self.name = index, node, node_title(node), name
        self.incoming, self.contributions, self.passed = (), [], []
        self.grad_before, self.seed = None, None

    @property
    def label(self):
        return f"{self.title} ({self.name})" if self.name else self.title


class trace:
    """Context manager recording each backward pass run inside it (see module doc)."""

    def __init__(self, *roots, names=None):
        self._roots, self._extra = roots, dict(names or {})
        self.steps, self.seeds = [], []
        self._pending, self._step_of, self._hooked = {}, {}, {}
        self._handles, self._patches, self._names, self._keep = [], [], {}, []
        self._depth = 0

    # -- installing ---------------------------------------------------------
    def __enter__(self):
        frame = sys._getframe(1)
        self._learn_names(frame)
        if self._roots:
            self._start(self._roots, None, frame, "given")
        else:
            libs = {id(m): m for m in (library(t) for _, t in named_tensors(frame) if is_tensor(t))}
            nd = sys.modules.get("ndgrad")
            if nd is not None and hasattr(nd, "Tensor"):
                libs[id(nd)] = nd
            for lib in libs.values():
                self._patch(lib.Tensor, "backward", 0, 1)
                self._patch(lib.autograd, "backward", 0, 1)
                self._patch(lib.autograd, "grad", 0, 2)
        del frame
        return self

    def __exit__(self, *exc):
        global _LAST
        for owner, attr, orig, had in reversed(self._patches):
            if had:
                setattr(owner, attr, orig)
            else:
                delattr(owner, attr)
        for h in self._handles:
            h.remove()
        self._patches, self._handles = [], []
        if self.steps:
            _LAST = weakref.ref(self)
        return False

    def _patch(self, owner, attr, out_pos, grad_pos):
        orig = getattr(owner, attr)
        kw_name = {"backward": ("gradient", "grad_tensors"), "grad": ("grad_outputs",)}[attr]

        @functools.wraps(orig)
        def wrapper(*args, **kwargs):
            if self._depth == 0:
                outs = args[out_pos] if len(args) > out_pos else kwargs.get("tensors", kwargs.get("outputs"))
                g = args[grad_pos] if len(args) > grad_pos else next(
                    (kwargs[k] for k in kw_name if k in kwargs), None)
                how = "autograd.grad" if attr == "grad" else "backward"
                self._start(outs, g, sys._getframe(1), how)
            self._depth += 1
            try:
                return orig(*args, **kwargs)
            finally:
                self._depth -= 1

        self._patches.append((owner, attr, owner.__dict__.get(attr, orig), attr in owner.__dict__))
        setattr(owner, attr, wrapper)

    def _learn_names(self, frame):
        by_node, by_tensor, keep = node_label_maps(named_tensors(frame, self._extra))
        self._keep += keep
        for k, v in by_node.items():
            self._names.setdefault(k, v)
        self._tensor_names = {**by_tensor, **getattr(self, "_tensor_names", {})}

    def _name_of(self, node):
        var = leaf_variable(node)
        if var is not None:
            return self._tensor_names.get(id(var), "")
        return self._names.get(id(node), "")

    def _start(self, outputs, grads, frame, how):
        self._learn_names(frame)
        outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        gs = list(grads) if isinstance(grads, (list, tuple)) else [grads] * len(outs)
        for t, g in zip(outs, gs):
            if not is_tensor(t) or t.grad_fn is None:
                continue
            self._names.setdefault(id(t.grad_fn), self._tensor_names.get(id(t), ""))
            self._keep.append(t.grad_fn)
            self.seeds.append((t.grad_fn, self._tensor_names.get(id(t), ""), shape_str(t),
                               to_numpy(g) if g is not None else None, how))
        for n in walk([t.grad_fn for t in outs if is_tensor(t)]):
            if id(n) not in self._hooked:
                self._hooked[id(n)] = n
                self._handles.append(n.register_prehook(functools.partial(self._pre, n)))
                self._handles.append(n.register_hook(functools.partial(self._post, n)))

    # -- recording ----------------------------------------------------------
    def _pre(self, node, grad_outputs):
        s = Step(len(self.steps), node, self._name_of(node))
        s.incoming = tuple(to_numpy(g) for g in grad_outputs)
        s.contributions = self._pending.pop(id(node), [])
        if not s.contributions:
            s.seed = next((sd for sd in reversed(self.seeds) if sd[0] is node), None)
        var = leaf_variable(node)
        if var is not None and var.grad is not None:
            s.grad_before = to_numpy(var.grad)
        self._step_of[id(node)] = s
        self.steps.append(s)

    def _post(self, node, grad_inputs, grad_outputs):
        s = self._step_of.get(id(node))
        if s is None:
            return
        for i, ((nxt, _), g) in enumerate(zip(node.next_functions, grad_inputs)):
            arr = to_numpy(g)
            s.passed.append((i, nxt, arr))
            if nxt is not None and arr is not None:
                self._pending.setdefault(id(nxt), []).append((s.index, i, arr))

    def incoming(self, node):
        """The (summed) gradient that reached `node`, as a NumPy array, or None."""
        s = self._step_of.get(id(node))
        if s is not None:
            return s.incoming[0] if s.incoming else None
        parts = self._pending.get(id(node))   # captured by autograd.grad: never ran
        return sum(p[2] for p in parts) if parts else None

    def graph(self, tensors, **kw):
        """`ndgrad.viz.graph(tensors)` annotated with this trace's gradients."""
        from ._graph import build
        return build(tensors, trace=self, frame=sys._getframe(1), **kw)

    # -- printing -----------------------------------------------------------
    def _local(self, s, i, g):
        f = FORMULAS.get(s.title)
        name, formula = f[i] if f and i < len(f) else (f"input {i}", "")
        g0 = s.incoming[0] if s.incoming else None
        ratio = ""
        if g is not None and g0 is not None and (g0.shape == g.shape or g0.size == 1) and (g0 != 0).all():
            ratio = fmt_value(g / g0)
        text = " = ".join(p for p in (formula, ratio) if p)
        return f"∂/∂{name}: {text}" if text else f"∂/∂{name}"

    def rows(self):
        """The table as rows of 5 cells (#, node, incoming, local derivative, passed on)."""
        out = []
        for s in self.steps:
            inc = fmt_value(s.incoming[0]) if s.incoming else ""
            extra = []
            if s.seed is not None:
                inc += "  (seed)"
            elif len(s.contributions) > 1:
                inc += "  = sum of:"
                extra = [f"  {fmt_value(a)}  from #{k + 1} input {i}" for k, i, a in s.contributions]
            right = []
            var = leaf_variable(s.node)
            if var is not None:
                before = "None" if s.grad_before is None else fmt_value(s.grad_before)
                after = s.incoming[0] if s.grad_before is None else s.grad_before + s.incoming[0]
                right.append(("", f"{s.name or 'leaf'}.grad: {before} -> {fmt_value(after)}"))
            for i, nxt, g in s.passed:
                if nxt is None:
                    continue
                nm = self._name_of(nxt)
                tgt = f"{node_title(nxt)} ({nm})" if nm else node_title(nxt)
                right.append((self._local(s, i, g), f"{fmt_value(g)} -> {tgt}"))
            n = max(1 + len(extra), len(right), 1)
            for r in range(n):
                out.append([f"#{s.index + 1}" if r == 0 else "", s.label if r == 0 else "",
                            inc if r == 0 else (extra[r - 1] if r - 1 < len(extra) else ""),
                            right[r][0] if r < len(right) else "", right[r][1] if r < len(right) else ""])
        return out

    def notes(self):
        """Plain-language explanations: seeds, accumulation, captured gradients."""
        out = []
        for node, name, shape, g, how in self.seeds:
            who = name or f"the output ({node_title(node)})"
            if g is None and shape == "()":
                d = name or "out"
                out.append(f"Seed: {who} is a scalar, so {how} starts from d{d}/d{d} = 1.")
            elif g is None:
                out.append(f"Seed: {who} has shape {shape}; {how} needs a gradient of that shape "
                           f"for a non-scalar output (or call {who}.sum().backward()).")
            else:
                out.append(f"Seed: {who} has shape {shape} and {how} starts from the given gradient "
                           f"v = {fmt_value(g)}: the result is the gradient of ({who} * v).sum(), "
                           "a vector-Jacobian product; v = ones gives the gradient of "
                           f"{who}.sum().")
        for s in self.steps:
            if len(s.contributions) > 1:
                srcs = ", ".join(f"#{k + 1} input {i}" for k, i, _ in s.contributions)
                srcs_k = {k for k, _, _ in s.contributions}
                why = (" (one node used it twice: the product rule, d(x*x)/dx = x + x)"
                       if len(srcs_k) == 1 and self.steps[min(srcs_k)].title == "MulBackward0" else "")
                out.append(f"Accumulation: {s.name or s.title} is reached along {len(s.contributions)} "
                           f"paths ({srcs}); autograd adds them: "
                           f"{' + '.join(fmt_value(a) for _, _, a in s.contributions)} = "
                           f"{fmt_value(s.incoming[0])}{why}")
            if s.grad_before is not None:
                out.append(f"Accumulation across backward calls: {s.name}.grad already held "
                           f"{fmt_value(s.grad_before)}, and the new gradient was added to it; "
                           f"clear it between steps ({s.name}.grad = None or .zero_()).")
        for nid, parts in self._pending.items():
            node = self._hooked.get(nid)
            if node is not None and leaf_variable(node) is not None:
                out.append(f"{self._name_of(node) or 'a leaf'}: autograd.grad returned "
                           f"{fmt_value(sum(p[2] for p in parts))} without storing it in .grad.")
        return out

    def __str__(self):
        if not self.steps:
            return "trace: no backward pass ran inside the trace"
        head = ["#", "node", "incoming gradient", "local derivative", "gradient passed on"]
        rows = [head] + self.rows()
        w = [max(len(r[c]) for r in rows) for c in range(5)]
        lines = ["  ".join(c.ljust(k) for c, k in zip(r, w)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * k for k in w))
        return "\n".join(lines + [""] + self.notes())

    def __repr__(self):
        return f"<ndgrad.viz.trace: {len(self.steps)} steps>\n{self}"
