"""`graph(tensor)`: the backward graph behind a tensor, as SVG, DOT, text or PNG."""
import os
import shutil
import subprocess
import sys

from ._common import (fmt_value, is_tensor, leaf_variable, named_tensors, node_label_maps, node_title,
                      shape_str, walk)
from ._layout import Box, Layout, to_png_matplotlib, to_svg

FILL = {"root": "#c8f0c8", "leaf": "#cfe3ff", "op": "#eeeeee", "tensor": "#f6f6f6"}


class GNode:
    """One box of the picture: an autograd node (or a root tensor without grad_fn)."""
    __slots__ = ("id", "node", "title", "kind", "what", "saved", "grad", "inputs")

    def __init__(self, id, node, title, kind, what="", saved=(), grad=None):
        self.id, self.node, self.title, self.kind = id, node, title, kind
        self.what, self.saved, self.grad = what, list(saved), grad
        self.inputs = []   # ids of next_functions, in order (repeats kept: x * x)

    def details(self):
        d = [self.what] if self.what else []
        d += [f"{k} = {v}" for k, v in self.saved]
        if self.grad is not None:
            d.append(f"grad {self.grad}")
        return d


def _saved(node, tensor_names):
    """(name, description) of what a node saved for backward, as far as the public
    API shows it (`_saved_*` attributes, `saved_tensors` of custom Functions)."""
    out = []
    first = {"_saved_self": 0, "_saved_other": 1}
    attrs = sorted((a for a in dir(node) if a.startswith("_saved_")), key=lambda a: (first.get(a, 2), a))
    if not attrs and hasattr(node, "saved_tensors"):
        attrs = ["saved_tensors"]
    for a in attrs:
        try:
            v = getattr(node, a)
        except Exception:   # freed by backward, or not exposed
            return [("saved", "freed by backward (use retain_graph=True)")]
        vals = list(v) if isinstance(v, (tuple, list)) else [v]
        if not any(is_tensor(t) for t in vals):
            desc = [] if v is None else [repr(v) if len(repr(v)) <= 30 else repr(v)[:27] + "..."]
        else:
            desc = [f"{tensor_names[id(t)]} {shape_str(t)}" if id(t) in tensor_names else
                    f"tensor {shape_str(t)}" for t in vals if t is not None]
        if desc:
            out.append((a[len("_saved_"):] if a.startswith("_saved_") else "saved", ", ".join(desc)))
    return out


def _recorded_trace(nodes):
    from ._trace import last_trace
    t = last_trace()
    if t is not None and any(t.incoming(n) is not None for n in nodes):
        return t
    return None


def build(tensors, names=None, saved=False, grads=True, trace=None, frame=None):
    roots = list(tensors) if isinstance(tensors, (list, tuple)) else [tensors]
    named = named_tensors(frame, names)
    by_node_name, by_tensor_name, keep = node_label_maps(named)
    node_tensor = {id(t.grad_fn): t for _, t in named if t.grad_fn is not None}
    root_fns = [t.grad_fn for t in roots]
    for t in roots:
        if t.grad_fn is not None:
            node_tensor.setdefault(id(t.grad_fn), t)
    nodes = walk(root_fns)
    keep += nodes
    if grads and trace is None:
        trace = _recorded_trace(nodes)
    ids = {id(n): f"n{i}" for i, n in enumerate(nodes)}
    root_ids = {id(n) for n in root_fns if n is not None}
    gnodes = []
    k = len(nodes)
    for t in roots:
        if t.grad_fn is None:   # a leaf or a constant asked for directly
            name = by_tensor_name.get(id(t), "")
            kind = "leaf" if t.requires_grad else "tensor"
            g = GNode(f"n{k}", None, "leaf tensor" if kind == "leaf" else "tensor (no grad_fn)", kind,
                      f"{name} {shape_str(t)}".strip(),
                      grad=fmt_value(t.grad) if grads and t.requires_grad and t.grad is not None else None)
            gnodes.append(g)
            k += 1
    for n in nodes:
        var = leaf_variable(n)
        if var is not None:
            nm = by_tensor_name.get(id(var), "")
            g = GNode(ids[id(n)], n, node_title(n), "leaf", f"{nm} {shape_str(var)}".strip())
            if grads:
                g.grad = fmt_value(var.grad) if var.grad is not None else (
                    fmt_value(trace.incoming(n)) if trace is not None and trace.incoming(n) is not None else None)
        else:
            t = node_tensor.get(id(n))
            nm = by_node_name.get(id(n), "")
            what = (f"{nm} {shape_str(t)}" if nm else shape_str(t)) if t is not None else nm
            g = GNode(ids[id(n)], n, node_title(n), "root" if id(n) in root_ids else "op", what.strip())
            if saved:
                g.saved = _saved(n, by_tensor_name)
            if grads and trace is not None and trace.incoming(n) is not None:
                g.grad = fmt_value(trace.incoming(n))
        g.inputs = [ids[id(m)] for m, _ in n.next_functions if m is not None]
        gnodes.append(g)
    return Graph(gnodes, [i for i, n in enumerate(gnodes) if n.node is None or id(n.node) in root_ids])


class Graph:
    """A backward graph ready to draw. `str(g)` / `g.text()` is a tree for the
    terminal, `g.to_dot()` Graphviz text, `g.svg()` a picture, `g.save(path)`
    writes .svg, .dot, .txt or .png; Jupyter shows it inline."""

    def __init__(self, nodes, root_positions, layout="auto"):
        self.nodes = nodes
        self._by_id = {g.id: g for g in nodes}
        self._roots = [nodes[i].id for i in root_positions]
        self.layout = layout

    # -- text ---------------------------------------------------------------
    def _line(self, g):
        return "  ".join([g.title] + g.details())

    def text(self):
        out, expanded = [], set()
        stack = [(r, "", "") for r in reversed(self._roots)]
        while stack:
            gid, lead, child_lead = stack.pop()
            g = self._by_id[gid]
            again = gid in expanded and g.inputs
            out.append(lead + self._line(g) + ("  (same node as above)" if gid in expanded else ""))
            if again:
                continue
            expanded.add(gid)
            m = len(g.inputs)
            for i in reversed(range(m)):
                last = i == m - 1
                stack.append((g.inputs[i], child_lead + ("└── " if last else "├── "),
                              child_lead + ("    " if last else "│   ")))
        return "\n".join(out)

    __str__ = text

    def __repr__(self):
        return f"<ndgrad.viz.Graph: {len(self.nodes)} nodes>\n{self.text()}"

    # -- DOT ----------------------------------------------------------------
    def to_dot(self):
        def q(s):
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
        out = ["digraph backward {",
               '  graph [rankdir=TB, nodesep=0.25, ranksep=0.4];',
               '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=11];',
               '  edge [color="#555555", arrowsize=0.7];']
        for g in self.nodes:
            label = "\\n".join(q(s)[1:-1] for s in [g.title] + g.details())
            out.append(f'  {g.id} [label="{label}", fillcolor="{FILL[g.kind]}"];')
        for g in self.nodes:
            for src in g.inputs:
                out.append(f"  {src} -> {g.id};")
        out.append("}")
        return "\n".join(out) + "\n"

    # -- pictures -----------------------------------------------------------
    def _layout(self):
        boxes = []
        for g in self.nodes:
            lines = [g.title] + g.details()
            emph = {len(lines) - 1} if g.grad is not None else ()
            boxes.append(Box(g.id, lines, FILL[g.kind], emph))
        return Layout(boxes, [(s, g.id) for g in self.nodes for s in g.inputs])

    def svg(self, layout=None):
        """SVG text. layout: "auto" (Graphviz's `dot` when on PATH, else ours),
        "dot" or "ndgrad"."""
        layout = layout or self.layout
        if layout in ("auto", "dot") and shutil.which("dot"):
            try:
                r = subprocess.run(["dot", "-Tsvg"], input=self.to_dot(), capture_output=True,
                                   text=True, timeout=60)
                if r.returncode == 0:
                    return r.stdout
            except (OSError, subprocess.SubprocessError):
                pass
        return to_svg(self._layout(), title="backward graph")

    def _repr_svg_(self):
        return self.svg()

    def _repr_html_(self):
        return f'<div style="overflow:auto">{self.svg()}</div>'

    def save(self, path, layout=None):
        """Write `path` by its extension: .svg, .dot/.gv, .txt, .png."""
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower()
        if ext in (".svg", ".dot", ".gv", ".txt"):
            body = {".svg": lambda: self.svg(layout), ".txt": lambda: self.text() + "\n"}.get(ext, self.to_dot)()
            with open(path, "w", encoding="utf-8") as f:
                f.write(body)
        elif ext == ".png":
            self._save_png(path, layout)
        else:
            raise ValueError(f"graph.save: unknown extension {ext!r} (use .svg, .dot, .txt or .png)")
        return path

    def _save_png(self, path, layout):
        try:
            import cairosvg
        except ImportError:
            cairosvg = None
        if cairosvg is not None:
            cairosvg.svg2png(bytestring=self.svg(layout).encode(), write_to=path, scale=2.0)
        elif (layout or self.layout) in ("auto", "dot") and shutil.which("dot"):
            subprocess.run(["dot", "-Tpng", "-Gdpi=150", "-o", path], input=self.to_dot(), text=True,
                           check=True, timeout=60)
        else:
            try:
                to_png_matplotlib(self._layout(), path)
            except ImportError as e:
                e.add_note("PNG needs matplotlib (pip install ndgrad[plot]) or cairosvg; "
                           "or save as .svg")
                raise


def graph(tensors, *, names=None, saved=False, grads=True, trace=None, layout="auto"):
    """The backward graph reachable from a tensor (or a list of tensors).

    Boxes are autograd nodes named like PyTorch's (`MulBackward0`); leaves show
    their shape; names come from your variables (or `names={"x": x}`).
    saved=True lists what each node saved for backward (while the graph still
    holds it). After backward, leaves show `.grad`, and every node shows its
    incoming gradient when `trace` (or the latest `ndgrad.viz.trace()`) recorded it.
    layout: "auto" (Graphviz's dot when installed), "ndgrad" or "dot".
    """
    frame = sys._getframe(1)
    try:
        g = build(tensors, names=names, saved=saved, grads=grads, trace=trace, frame=frame)
    finally:
        del frame
    g.layout = layout
    return g


__all__ = ["graph", "Graph"]
