"""Regenerate docs/img: python docs/render_viz_images.py [ndgrad|torch] (torch: the oracle, for comparison)."""
import math, sys
import matplotlib; matplotlib.use("Agg")
lib = __import__(sys.argv[1] if len(sys.argv) > 1 else "ndgrad")
import ndgrad.viz._common as C
C._default_library = lambda: lib
from ndgrad import viz
torch = lib

class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)
    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
a = torch.full((), 0.0, requires_grad=True)
b = torch.full((), -1.0, requires_grad=True)
c = torch.full((), 0.0, requires_grad=True)
d = torch.full((), 0.3, requires_grad=True)
y_pred = a + b * LegendrePolynomial3.apply(c + d * x)
loss = (y_pred - y).pow(2).sum()
with viz.trace() as t:
    loss.backward()
g = viz.graph(loss, layout="ndgrad")
g.save("docs/img/legendre_graph.png"); g.save("docs/img/legendre_graph.svg")
open("docs/img/legendre_trace.txt", "w").write(str(t) + "\n")
r = viz.plot_derivatives(torch.sin, (-2 * math.pi, 2 * math.pi), order=2, numerical=True, tangent=1)
r.figure.savefig("docs/img/sin_derivatives.png", dpi=110)
