"""A small layered ("Sugiyama") layout and its two renderers: SVG text and a
matplotlib figure (for PNG without cairosvg or Graphviz).

Input: boxes (id, text lines, fill colour) and edges (source -> consumer).
Sources sit above their consumers, so leaves are at the top and the output at
the bottom, as in the forward computation; gradients flow upward.
"""
from xml.sax.saxutils import escape

import numpy as np

CHAR_W, LINE_H, PAD_X, PAD_Y = 7.2, 15.0, 10.0, 7.0   # 12px monospace
GAP_X, GAP_Y, MARGIN = 24.0, 46.0, 12.0
FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"


class Box:
    __slots__ = ("id", "lines", "fill", "x", "y", "w", "h", "emph")

    def __init__(self, id, lines, fill="#eeeeee", emph=()):
        self.id, self.lines, self.fill, self.emph = id, list(lines), fill, set(emph)
        self.w = max(len(s) for s in self.lines) * CHAR_W + 2 * PAD_X
        self.h = len(self.lines) * LINE_H + 2 * PAD_Y
        self.x = self.y = 0.0   # centre


def _isotonic(t):
    """Least-squares nondecreasing fit (pool adjacent violators)."""
    blocks = []   # [mean, count]
    for v in t:
        blocks.append([v, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    return [m for m, c in blocks for _ in range(c)]


class Layout:
    """Positions of boxes and edge polylines; `width`, `height` in pixels."""

    def __init__(self, boxes, edges):
        self.boxes = {b.id: b for b in boxes}
        order = {b.id: i for i, b in enumerate(boxes)}
        consumers = {b.id: [] for b in boxes}
        for s, d in edges:
            consumers[s].append(d)
        # rank = longest path to an output; layer counts from the top
        rank, pending = {}, {b: len(c) for b, c in consumers.items()}
        inputs = {b.id: [] for b in boxes}
        for s, d in edges:
            inputs[d].append(s)
        ready = [b for b, n in pending.items() if n == 0]
        while ready:
            v = ready.pop()
            rank[v] = max((rank[c] + 1 for c in consumers[v]), default=0)
            for s in inputs[v]:
                pending[s] -= 1
                if pending[s] == 0:
                    ready.append(s)
        top = max(rank.values(), default=0)
        layer_of = {v: top - r for v, r in rank.items()}
        # chains of dummy vertices for edges that skip layers
        width = {v: self.boxes[v].w for v in rank}
        layers = [[] for _ in range(top + 1)]
        for v in sorted(rank, key=order.get):
            layers[layer_of[v]].append(v)
        up, down, self._chains = {v: [] for v in rank}, {v: [] for v in rank}, []
        for k, (s, d) in enumerate(edges):
            chain = [s]
            for L in range(layer_of[s] + 1, layer_of[d]):
                dv = ("dummy", k, L)
                width[dv], up[dv], down[dv], layer_of[dv] = 0.0, [], [], L
                layers[L].append(dv)
                chain.append(dv)
            chain.append(d)
            for a, b in zip(chain, chain[1:]):
                down[a].append(b)
                up[b].append(a)
            self._chains.append(chain)
        # order within layers: barycentre sweeps
        pos = {}
        for layer in layers:
            pos.update((v, i) for i, v in enumerate(layer))
        for it in range(8):
            sweep = range(1, len(layers)) if it % 2 == 0 else range(len(layers) - 2, -1, -1)
            nbrs = up if it % 2 == 0 else down
            for L in sweep:
                key = {v: (np.mean([pos[u] for u in nbrs[v]]) if nbrs[v] else pos[v]) for v in layers[L]}
                layers[L].sort(key=lambda v: (key[v], pos[v]))
                pos.update((v, i) for i, v in enumerate(layers[L]))
        # x: pull each vertex toward its neighbours, keeping order and spacing
        x = {}
        for layer in layers:
            cur = 0.0
            for v in layer:
                x[v] = cur + width[v] / 2
                cur += width[v] + GAP_X
        for it in range(12):
            sweep = range(len(layers)) if it % 2 == 0 else range(len(layers) - 1, -1, -1)
            for L in sweep:
                layer = layers[L]
                nb = [up[v] + down[v] for v in layer]
                d = [np.mean([x[u] for u in n]) if n else x[v] for v, n in zip(layer, nb)]
                seps = np.cumsum([0.0] + [(width[a] + width[b]) / 2 + (GAP_X if width[a] and width[b] else GAP_X / 2)
                                          for a, b in zip(layer, layer[1:])])
                z = _isotonic([di - si for di, si in zip(d, seps)])
                for v, zi, si in zip(layer, z, seps):
                    x[v] = zi + si
        left = min((x[v] - width[v] / 2 for v in x), default=0.0)
        right = max((x[v] + width[v] / 2 for v in x), default=0.0)
        y, ys = MARGIN, []
        for layer in layers:
            h = max((self.boxes[v].h for v in layer if v in self.boxes), default=LINE_H)
            ys.append(y + h / 2)
            y += h + GAP_Y
        for v in x:
            x[v] += MARGIN - left
        for b in self.boxes.values():
            b.x, b.y = x[b.id], ys[layer_of[b.id]]
        self.width = right - left + 2 * MARGIN
        self.height = y - GAP_Y + MARGIN
        self.paths = self._route(x, ys, layer_of)

    def _route(self, x, ys, layer_of):
        """Edge polylines from the source's bottom to the consumer's top, with
        ports spread along each box so parallel edges (x * x) stay apart."""
        outs, ins = {}, {}
        for k, ch in enumerate(self._chains):
            outs.setdefault(ch[0], []).append(k)
            ins.setdefault(ch[-1], []).append(k)
        port = {}
        for table, end, nxt in ((outs, 0, 1), (ins, -1, -2)):
            for v, ks in table.items():
                ks.sort(key=lambda k: (x[self._chains[k][nxt]], k))
                b, m = self.boxes[v], len(ks)
                step = min(16.0, b.w / (m + 1))
                for i, k in enumerate(ks):
                    port[(k, end)] = b.x + (i - (m - 1) / 2) * step
        paths = []
        for k, ch in enumerate(self._chains):
            s, d = self.boxes[ch[0]], self.boxes[ch[-1]]
            pts = [(port[(k, 0)], s.y + s.h / 2)]
            pts += [(x[v], ys[layer_of[v]]) for v in ch[1:-1]]
            pts.append((port[(k, -1)], d.y - d.h / 2))
            paths.append(pts)
        return paths


def _bezier(pts):
    """Smooth path through `pts` with vertical tangents: list of cubic segments."""
    segs = []
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        dy = (y1 - y0) / 2
        segs.append(((x0, y0), (x0, y0 + dy), (x1, y1 - dy), (x1, y1)))
    return segs


def to_svg(lay, title=""):
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width:.0f}" height="{lay.height:.0f}" '
           f'viewBox="0 0 {lay.width:.1f} {lay.height:.1f}" font-family="{FONT}" font-size="12">',
           f"<title>{escape(title)}</title>" if title else "",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
           'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
           f'<rect width="100%" height="100%" fill="white"/>']
    for pts in lay.paths:
        segs = _bezier(pts)
        d = f"M{segs[0][0][0]:.1f},{segs[0][0][1]:.1f} " + " ".join(
            f"C{a[0]:.1f},{a[1]:.1f} {b[0]:.1f},{b[1]:.1f} {c[0]:.1f},{c[1]:.1f}" for _, a, b, c in segs)
        out.append(f'<path class="edge" d="{d}" fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#arrow)"/>')
    for b in lay.boxes.values():
        out.append(f'<g class="node" id="{escape(b.id)}"><title>{escape(b.lines[0])}</title>'
                   f'<rect x="{b.x - b.w / 2:.1f}" y="{b.y - b.h / 2:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" '
                   f'rx="6" fill="{b.fill}" stroke="#444"/>')
        y0 = b.y - b.h / 2 + PAD_Y + LINE_H * 0.75
        for i, line in enumerate(b.lines):
            style = ' font-weight="bold"' if i == 0 else (' fill="#b00020"' if i in b.emph else ' fill="#333"')
            out.append(f'<text x="{b.x:.1f}" y="{y0 + i * LINE_H:.1f}" text-anchor="middle"{style} '
                       f'xml:space="preserve">{escape(line)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(s for s in out if s) + "\n"


def to_png_matplotlib(lay, path, dpi=150):
    """Draw the layout with matplotlib (the PNG route when cairosvg is absent)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch, FancyArrowPatch
    from matplotlib.path import Path
    fig = Figure(figsize=(lay.width / 100, lay.height / 100), dpi=dpi)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, lay.width)
    ax.set_ylim(lay.height, 0)
    ax.axis("off")
    for pts in lay.paths:
        segs = _bezier(pts)
        verts, codes = [segs[0][0]], [Path.MOVETO]
        for _, a, b, c in segs:
            verts += [a, b, c]
            codes += [Path.CURVE4] * 3
        ax.add_patch(FancyArrowPatch(path=Path(verts, codes), arrowstyle="-|>", mutation_scale=10,
                                     color="#555", lw=1.0))
    pt = 72 / 100   # pixels of the layout -> points
    for b in lay.boxes.values():
        ax.add_patch(FancyBboxPatch((b.x - b.w / 2, b.y - b.h / 2), b.w, b.h,
                                    boxstyle="round,pad=0,rounding_size=6", fc=b.fill, ec="#444"))
        y0 = b.y - b.h / 2 + PAD_Y + LINE_H * 0.5
        for i, line in enumerate(b.lines):
            ax.text(b.x, y0 + i * LINE_H, line, ha="center", va="center", family="monospace",
                    fontsize=12 * pt, weight="bold" if i == 0 else "normal",
                    color="#b00020" if i in b.emph else "#222")
    fig.savefig(path, dpi=dpi, facecolor="white")
