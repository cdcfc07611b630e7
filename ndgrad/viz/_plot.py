"""f, f', f'' on a grid by autograd (`plot_derivatives`) and autograd against
central differences (`compare_gradients`). matplotlib is imported only to draw."""
import math

import numpy as np

from ._common import fmt_value, is_tensor, library, to_numpy

_EPS64 = np.finfo(np.float64).eps


def _tensor(lib, a, requires_grad=False):
    return lib.tensor(np.asarray(a, dtype=np.float64), dtype=lib.float64, requires_grad=requires_grad)


def _autograd_derivatives(f, x, order, lib):
    """[f(x), f'(x), ...] as arrays: one backward of the sum per order (f elementwise)."""
    y = f(x)
    if not is_tensor(y) or tuple(y.shape) != tuple(x.shape):
        got = tuple(y.shape) if hasattr(y, "shape") else type(y).__name__
        raise ValueError(f"plot_derivatives needs an elementwise f (f(x) of the same shape as x): "
                         f"x has shape {tuple(x.shape)}, f(x) gave {got}")
    vals, cur = [to_numpy(y)], y
    for k in range(1, order + 1):
        d = None
        if cur.requires_grad:
            (d,) = lib.autograd.grad(cur.sum(), x, create_graph=k < order, allow_unused=True)
        vals.append(np.zeros(tuple(x.shape)) if d is None else to_numpy(d))
        cur = d if d is not None else x.detach()
    return vals


def _central(f, pts, order, lib):
    """Central differences of order 1..3 in float64 with a step suited to each."""
    def F(p):
        with lib.no_grad():
            return to_numpy(f(_tensor(lib, p))).astype(np.float64)
    scale = np.maximum(1.0, np.abs(pts))
    out = [None]
    for k in range(1, order + 1):
        h = _EPS64 ** (1 / (k + 2)) * scale
        if k == 1:
            out.append((F(pts + h) - F(pts - h)) / (2 * h))
        elif k == 2:
            out.append((F(pts + h) - 2 * F(pts) + F(pts - h)) / h ** 2)
        else:
            out.append((F(pts + 2 * h) - 2 * F(pts + h) + 2 * F(pts - h) - F(pts - 2 * h)) / (2 * h ** 3))
    return out


class Derivatives:
    """What plot_derivatives computed: `x`, `values[k]` (the k-th derivative, `values[0]`
    is f), `numerical[k]` (central differences, when asked), `tangent` = (x0, f(x0),
    slope), and the matplotlib `figure` / `ax` (None with plot=False)."""

    def __init__(self, x, values, numerical, tangent, figure, ax):
        self.x, self.values, self.numerical, self.tangent = x, values, numerical, tangent
        self.figure, self.ax = figure, ax

    def __getitem__(self, k):
        return self.values[k]

    def __len__(self):
        return len(self.values)

    def __repr__(self):
        return (f"<Derivatives of order 0..{len(self.values) - 1} on {self.x.size} points "
                f"in [{self.x[0]:g}, {self.x[-1]:g}]>")


def _names(label, order):
    if label is not None and label.isidentifier():
        label = f"{label}(x)"
    if label in (None, "f(x)", "<lambda>"):
        return ["f(x)"] + ["f" + "'" * k + "(x)" for k in range(1, order + 1)]
    sup = {2: "²", 3: "³"}
    return [label] + [f"d{sup.get(k, '')}/dx{sup.get(k, '')} {label}" for k in range(1, order + 1)]


def _pi_ticks(ax, lo, hi):
    half = math.pi / 2
    if hi - lo >= math.pi and all(abs(v / half - round(v / half)) < 0.01 for v in (lo, hi)):
        ks = range(round(lo / half), round(hi / half) + 1)
        step = 1 if len(ks) <= 9 else 2
        ks = [k for k in ks if k % step == 0]
        names = {0: "0", 1: "π/2", -1: "-π/2", 2: "π", -2: "-π"}
        ax.set_xticks([k * half for k in ks],
                      [names.get(k, (f"{k // 2}π" if k % 2 == 0 else f"{k}π/2")) for k in ks])


def plot_derivatives(f, x_range=(-2 * math.pi, 2 * math.pi), order=2, numerical=False, tangent=None,
                     ax=None, n=400, label=None, plot=True):
    """Draw f and its derivatives up to `order`, computed by autograd on a grid.

    f: an elementwise function of a tensor (`ndgrad.sin`, `lambda x: x**3 - 1/x`).
    x_range: (lo, hi) for n points, or the points themselves (array or tensor;
    a tensor's library is used for the computation). Each derivative is one
    batched `autograd.grad` of the sum with create_graph: no Python loop.
    numerical=True adds central differences; tangent=x0 draws the tangent line
    at x0. Returns a `Derivatives` (arrays, and the figure unless plot=False).
    """
    if not 0 <= order <= 3:
        raise ValueError(f"order must be 0..3, got {order}")
    like = x_range if is_tensor(x_range) else None
    lib = library(like)
    if like is not None or (hasattr(x_range, "__len__") and len(x_range) != 2):
        pts = to_numpy(x_range).astype(np.float64).ravel()
    else:
        pts = np.linspace(float(x_range[0]), float(x_range[1]), int(n))
    values = _autograd_derivatives(f, _tensor(lib, pts, True), order, lib)
    num = _central(f, pts, order, lib) if numerical else None
    tan = None
    if tangent is not None:
        v = _autograd_derivatives(f, _tensor(lib, [float(tangent)], True), 1, lib)
        tan = (float(tangent), float(v[0][0]), float(v[1][0]))
    fig = None
    if plot:
        import matplotlib.pyplot as plt
        own = ax is None
        fig, ax = plt.subplots(figsize=(10, 4.5)) if own else (ax.figure, ax)
        names = _names(label or getattr(f, "__name__", None), order)
        styles = ["-", "--", "-.", ":"]
        for k, v in enumerate(values):
            ax.plot(pts, v, styles[k], color=f"C{k}", lw=2 if k == 0 else 1.6,
                    label=names[k] + (" (autograd)" if k else ""))
        if num is not None:
            every = max(1, len(pts) // 30)
            for k in range(1, order + 1):
                ax.plot(pts[::every], num[k][::every], "o", mfc="none", color=f"C{k}", ms=5,
                        label=f"{names[k]} (central difference)")
        if tan is not None:
            x0, y0, s = tan
            ax.plot(pts, y0 + s * (pts - x0), color="C7", lw=1.2,
                    label=f"tangent at x={x0:g}: y = {s:.4g}(x - {x0:g}) + {y0:.4g}")
            ax.plot([x0], [y0], "o", color="C3", zorder=5)
        finite = np.concatenate([v[np.isfinite(v)] for v in values])
        if finite.size:
            lo, hi = np.percentile(finite, [1, 99])
            pad = 0.15 * (hi - lo or 1.0)
            ax.set_ylim(lo - pad, hi + pad)
        ax.axhline(0, color="#999", lw=0.6)
        ax.set_xlabel("x")
        ax.grid(alpha=0.3)
        _pi_ticks(ax, pts[0], pts[-1])
        ax.set_title("derivatives by autograd, one batched backward per order", fontsize=10)
        if own:
            ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0))
            fig.tight_layout()
        else:
            ax.legend(fontsize=9, loc="best")
    return Derivatives(pts, values, num, tan, fig, ax)


class GradientCheck:
    """autograd vs central differences, element by element (see compare_gradients)."""

    def __init__(self, x, value, autograd, numerical, rtol, atol, h, notes):
        self.x, self.value, self.autograd, self.numerical = x, value, autograd, numerical
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            self.abs_error = np.abs(autograd - numerical)
            denom = np.maximum(np.abs(autograd), np.abs(numerical))
            self.rel_error = np.where(denom > 0, self.abs_error / np.where(denom > 0, denom, 1), 0.0)
            self.mismatch = ~(self.abs_error <= atol + rtol * np.abs(numerical))
        self.ok = not self.mismatch.any()
        self.rtol, self.atol, self.h, self.notes = rtol, atol, h, notes

    def __bool__(self):
        return self.ok

    def _rows(self, max_rows=20):
        idx = list(np.ndindex(self.x.shape)) or [()]
        bad = [i for i in idx if self.mismatch[i]]
        show = idx if len(idx) <= max_rows else sorted(set(idx[:max_rows // 2] + bad[:max_rows]))
        return [(("[" + ", ".join(map(str, i)) + "]") if i else "[]", i) for i in show], len(idx) - len(show)

    def table(self, labels=None):
        """The printed table; `labels` name the elements (else their index)."""
        rows, hidden = self._rows()
        head = ["index" if labels is None else "", "x", "autograd", "central diff.", "rel. error", ""]
        if labels is not None:
            rows = [(labels[int(np.ravel_multi_index(i, self.x.shape)) if i else 0], i) for _, i in rows]
        body = [[s, f"{self.x[i]:.6g}", f"{self.autograd[i]:.10g}", f"{self.numerical[i]:.10g}",
                 f"{self.rel_error[i]:.1e}", "<-- MISMATCH" if self.mismatch[i] else ""] for s, i in rows]
        w = [max(len(r[c]) for r in [head] + body) for c in range(6)]
        out = [f"f(x) = {fmt_value(self.value)}   autograd vs central differences in float64, "
               f"h = {self.h}"]
        out += ["  ".join(c.ljust(k) for c, k in zip(r, w)).rstrip() for r in [head] + body]
        if hidden:
            out.append(f"... {hidden} more elements agree")
        n_bad = int(self.mismatch.sum())
        out.append(f"{n_bad} of {self.mismatch.size} elements MISMATCH" if n_bad else
                   f"all {self.mismatch.size} elements agree (max rel. error "
                   f"{self.rel_error.max():.1e}; tolerance rtol={self.rtol:g}, atol={self.atol:g})")
        return "\n".join(out + self.notes)

    __str__ = table

    def __repr__(self):
        return str(self)

    def _repr_html_(self):
        from html import escape
        rows, hidden = self._rows()
        cells = "".join(
            f'<tr style="{"background:#ffd6d6" if self.mismatch[i] else ""}"><td>{s}</td>'
            f"<td>{self.x[i]:.6g}</td><td>{self.autograd[i]:.10g}</td><td>{self.numerical[i]:.10g}</td>"
            f"<td>{self.rel_error[i]:.1e}</td></tr>" for s, i in rows)
        lines = str(self).split("\n")
        return (f"<p>{escape(lines[0])}</p><table><tr><th>index</th><th>x</th><th>autograd</th>"
                f"<th>central diff.</th><th>rel. error</th></tr>{cells}</table>"
                + "".join(f"<p>{escape(s)}</p>" for s in lines[len(rows) + 2:]))


def compare_gradients(f, x, eps=None, rtol=1e-5, atol=1e-6):
    """Check autograd's gradient of f at x against central differences.

    f maps a tensor to a scalar (a non-scalar result is summed, and a note says
    so). Both sides are computed in float64 whatever x's dtype: float32 central
    differences are only good to about 1e-3, which would make the check
    meaningless. eps: the step (default eps64**(1/3) * max(1, |x_i|), about 6e-6).
    Returns a GradientCheck: arrays autograd, numerical, rel_error, mismatch,
    `ok`, and a table when printed (mismatches highlighted).
    """
    lib = library(x if is_tensor(x) else None)
    x0 = to_numpy(x)
    notes = []
    if x0.dtype == np.float32 or x0.dtype == np.float16:
        notes.append(f"note: x is {x0.dtype}; the check runs in float64 (central differences in "
                     f"{x0.dtype} are only good to about 1e-3, too coarse to judge a gradient).")
    x0 = x0.astype(np.float64)
    xt = _tensor(lib, x0, True)
    y = f(xt)
    if y.dim() != 0:
        notes.append(f"note: f returned shape {tuple(y.shape)}; the gradient of its sum is compared.")
    ysum = y.sum() if y.dim() != 0 else y
    step_eps = _EPS64
    if to_numpy(ysum).dtype != np.float64:
        rtol, step_eps = max(rtol, 1e-2), float(np.finfo(to_numpy(ysum).dtype).eps)
        notes.append(f"note: f computes in {to_numpy(ysum).dtype} even for float64 input, so central "
                     f"differences are only good to about 1e-3 here: tolerance raised to rtol={rtol:g}.")
    (g,) = lib.autograd.grad(ysum, xt, allow_unused=True) if ysum.requires_grad else (None,)
    ga = np.zeros_like(x0) if g is None else to_numpy(g).astype(np.float64)
    h = np.full(x0.shape, eps, dtype=np.float64) if eps is not None else \
        step_eps ** (1 / 3) * np.maximum(1.0, np.abs(x0))
    gn = np.empty_like(x0)
    with lib.no_grad():
        for i in np.ndindex(x0.shape):
            xp, xm = x0.copy(), x0.copy()
            xp[i] += h[i]
            xm[i] -= h[i]
            fp = float(to_numpy(f(_tensor(lib, xp))).sum())
            fm = float(to_numpy(f(_tensor(lib, xm))).sum())
            gn[i] = (fp - fm) / (2 * h[i])
    hs = f"{eps:g}" if eps is not None else f"{step_eps ** (1 / 3):.2g} * max(1, |x_i|)"
    return GradientCheck(x0, to_numpy(ysum), ga, gn, rtol, atol, hs, notes)
