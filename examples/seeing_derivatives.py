"""Seeing derivatives: the seed exercises (d2l 2.4/2.5, "20 days of PyTorch") with ndgrad.viz.

Run it as a script (`python examples/seeing_derivatives.py`) or cell by cell in
Jupyter (each `# %%` is a cell; graphs then show inline as SVG). Pictures go to
a temporary folder. `python examples/seeing_derivatives.py --lib torch` runs the
same walk-through on PyTorch tensors, for comparison.
"""
# %%
import math
import os
import sys
import tempfile

import matplotlib
matplotlib.use("Agg")

if "--lib" in sys.argv:   # compare with the oracle: same code, PyTorch tensors
    torch = __import__(sys.argv[sys.argv.index("--lib") + 1])
    import ndgrad.viz._common
    ndgrad.viz._common._default_library = lambda: torch
else:
    import ndgrad as torch
from ndgrad import viz

out_dir = tempfile.mkdtemp(prefix="seeing_derivatives_")

# %% [1] What did autograd record? (seed 01: f(x) = a*x**2 + b*x + c)
x = torch.tensor(0.0, requires_grad=True)
a, b, c = torch.tensor(1.0), torch.tensor(-2.0), torch.tensor(1.0)
y = a * torch.pow(x, 2) + b * x + c
print(viz.graph(y))            # the backward graph, names from our variables
# Only x requires grad, so a, b and c are not nodes: their values are saved
# inside MulBackward0 (ask with saved=True).
print(viz.graph(y, saved=True))

# %% [2] Watch backward run, node by node
with viz.trace() as t:
    y.backward()
print(t)                       # f'(0) = 2*a*0 + b = -2

# %% [3] Two paths into one leaf (seed 07: y = x * x)
x = torch.arange(4.0, requires_grad=True)
y = x * x
with viz.trace() as t:
    y.sum().backward()
print(t)                       # x gets x from each input of MulBackward0: 2x in all
print(viz.graph(y))            # after backward: every node shows its gradient
# Without zero_(), a second backward adds to x.grad; the trace says so.
with viz.trace() as t:
    (x * x).sum().backward()
print("\n".join(t.notes()))
x.grad = None

# %% [4] Why backward() needs .sum() or a gradient (seeds 02, 03, 14)
x = torch.tensor([[0.0, 0.0], [1.0, 2.0]], requires_grad=True)
y = x * x - 2 * x + 1
with viz.trace() as t:
    y.backward(gradient=torch.ones_like(y))
print("\n".join(t.notes()))    # the seed: a vector-Jacobian product with ones

# %% [5] sin and its derivatives without writing cos (seeds 15-22, d2l 2.5 ex. 5)
# No detach().numpy(): f, f' and f'' come back as arrays from one batched call.
r = viz.plot_derivatives(torch.sin, (-2 * math.pi, 2 * math.pi), order=2, numerical=True)
print(r, "max |f' - cos| =", abs(r[1] - [math.cos(v) for v in r.x]).max())
r.figure.savefig(os.path.join(out_dir, "sin.png"))

# %% [6] The tangent line of x**3 - 1/x at x = 1 (seed 24, d2l 2.4 ex. 1)
r = viz.plot_derivatives(lambda x: x ** 3 - 1 / x, (0.2, 2.0), order=1, tangent=1.0,
                         label="x**3 - 1/x")
print("tangent at 1: (x0, f(x0), slope) =", r.tangent)   # slope 3 + 1 = 4 exactly
r.figure.savefig(os.path.join(out_dir, "tangent.png"))

# %% [7] The numerical gradient, done right (seeds 25, 26, d2l 2.4 ex. 2-3)
print(viz.compare_gradients(lambda v: 3 * v[0] ** 2 + 5 * torch.exp(v[1]), torch.tensor([1.0, 2.0])))
print(viz.compare_gradients(lambda v: v.norm(), torch.tensor([1.0, 1.0, 3.0], dtype=torch.float64)))

# %% [8] Catch a wrong backward() in a custom Function (seed 31's pattern)
class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


class Buggy(LegendrePolynomial3):
    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2)      # forgot the -1


xs = torch.tensor([-0.5, 0.0, 0.7], dtype=torch.float64)
print(viz.compare_gradients(lambda v: LegendrePolynomial3.apply(v).sum(), xs))
print(viz.compare_gradients(lambda v: Buggy.apply(v).sum(), xs))   # every row flagged

# %% [9] The whole Legendre fit (seed 31): graph, trace, picture
xg = torch.linspace(-math.pi, math.pi, 2000)
a = torch.full((), 0.0, requires_grad=True)
b = torch.full((), -1.0, requires_grad=True)
c = torch.full((), 0.0, requires_grad=True)
d = torch.full((), 0.3, requires_grad=True)
y_pred = a + b * LegendrePolynomial3.apply(c + d * xg)
loss = (y_pred - torch.sin(xg)).pow(2).sum()
with viz.trace() as t:
    loss.backward()
g = viz.graph(loss)
print(g)
g.save(os.path.join(out_dir, "legendre.svg"))
print(f"pictures in {out_dir}")

# %% [10] The chain rule link by link (seed 27): autograd.grad on intermediates
x = torch.tensor(1.2)
a1 = torch.tensor(2.3, requires_grad=True)
y1 = x * a1 + 1.3
y2 = y1 * 2.2 + 1.4
y3 = y2 * 1.1 + 2.2
with viz.trace() as t:
    (d3,) = torch.autograd.grad(y3, [a1], retain_graph=True)
print(t)          # each row multiplies in one local derivative: 1.1, 2.2, x = 1.2
print("dy3/da1 =", d3, "= 1.1 * 2.2 * 1.2")
