"""Seeing derivatives: graph pictures, backward traces, f/f'/f'' plots and
numerical-vs-autograd checks.

    import ndgrad as torch
    from ndgrad import viz
    viz.graph(loss)                       # SVG in Jupyter, str() for a text tree
    with viz.trace() as t: loss.backward()
    print(t)                              # the backward pass, node by node
    viz.plot_derivatives(torch.sin, (-6.28, 6.28), order=2)
    print(viz.compare_gradients(f, x))    # autograd vs central differences

Nothing optional (matplotlib, cairosvg) is imported until a function needs it.
"""
from ._graph import Graph, graph
from ._trace import trace
from ._plot import Derivatives, GradientCheck, compare_gradients, plot_derivatives

__all__ = ["graph", "Graph", "trace", "plot_derivatives", "Derivatives", "compare_gradients",
           "GradientCheck"]
