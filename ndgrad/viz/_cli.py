"""`python -m ndgrad plot|graph|grad ...`: the viz tools from the shell.

Each handler takes argv (without the sub-command) and returns the exit status:
0 done, 1 the computation failed, 2 bad usage or an expression that is refused.
"""
import argparse
import math
import sys

from ._common import fmt_value, library
from ._expr import FUNCTIONS, Expr, ExprError

_EXPR_HELP = ("an expression in x (or x0, x1, ...): numbers, + - * / **, pi, e and "
              + ", ".join(FUNCTIONS))


def _parser(prog, description):
    return argparse.ArgumentParser(prog=f"python -m ndgrad {prog}", description=description)


def _parse(parser, argv):
    """Parsed args, or the exit status argparse wanted (2 for errors, 0 for --help)."""
    try:
        return parser.parse_args(argv), None
    except SystemExit as e:
        return None, int(e.code or 0)


def _fail(prog, msg, code=2):
    print(f"python -m ndgrad {prog}: error: {msg}", file=sys.stderr)
    return code


def _points(text):
    """'1,2' or '1 2' -> [1.0, 2.0]."""
    return [float(v) for v in text.replace(",", " ").split()]


def _compile(prog, text, one_variable=False):
    expr = Expr(text)
    if one_variable and not expr.variables <= {"x"}:
        raise ExprError(f"{prog} takes a function of one variable named x, got "
                        f"{', '.join(sorted(expr.variables))}")
    return expr


def main_plot(argv):
    p = _parser("plot", "Plot f(x) and its derivatives computed by autograd.")
    p.add_argument("expr", help=_EXPR_HELP)
    p.add_argument("--range", nargs=2, type=float, default=(-2 * math.pi, 2 * math.pi),
                   metavar=("LO", "HI"), help="the x interval (default -2π 2π)")
    p.add_argument("--order", type=int, default=2, choices=range(4), help="highest derivative (default 2)")
    p.add_argument("--tangent", type=float, metavar="X0", help="draw the tangent line at X0")
    p.add_argument("--numerical", action="store_true", help="add central differences")
    p.add_argument("-n", type=int, default=400, help="grid points (default 400)")
    p.add_argument("-o", "--output", default="derivatives.png", help="image file (default derivatives.png)")
    args, code = _parse(p, argv)
    if args is None:
        return code
    try:
        expr = _compile("plot", args.expr, one_variable=True)
    except ExprError as e:
        return _fail("plot", e)
    try:
        import matplotlib
    except ImportError:
        return _fail("plot", "plotting needs matplotlib: pip install ndgrad[plot]", 1)
    matplotlib.use("Agg")
    from ._plot import plot_derivatives
    lib = library()
    try:
        r = plot_derivatives(lambda x: expr(lib, {"x": x}), tuple(args.range), order=args.order,
                             numerical=args.numerical, tangent=args.tangent, n=args.n, label=args.expr)
        r.figure.savefig(args.output, dpi=120)
    except (ArithmeticError, ValueError, RuntimeError) as e:
        return _fail("plot", f"{type(e).__name__}: {e}", 1)
    print(f"wrote {args.output}: {args.expr} and {args.order} derivative(s) on {args.n} points "
          f"in [{args.range[0]:g}, {args.range[1]:g}]")
    if r.tangent:
        x0, y0, s = r.tangent
        print(f"tangent at x = {x0:g}: y = {s:.6g} * (x - {x0:g}) + {y0:.6g}")
    return 0


def _leaves(lib, expr, at):
    names = expr.ordered_variables()
    if len(at) != len(names):
        raise ExprError(f"--at gives {len(at)} value(s) but the expression uses {', '.join(names)}")
    return {n: lib.tensor(v, dtype=lib.float64, requires_grad=True) for n, v in zip(names, at)}


def main_graph(argv):
    p = _parser("graph", "Draw the backward graph of an expression evaluated at a point.")
    p.add_argument("expr", help=_EXPR_HELP)
    p.add_argument("--at", required=True, type=_points, help="the point: 1 or 1,2 for x0, x1")
    p.add_argument("--saved", action="store_true", help="show what each node saves for backward")
    p.add_argument("--no-backward", action="store_true", help="draw before running backward")
    p.add_argument("-o", "--output", help=".svg, .dot, .txt or .png (default: print the tree)")
    args, code = _parse(p, argv)
    if args is None:
        return code
    try:
        expr = _compile("graph", args.expr)
        lib = library()
        env = _leaves(lib, expr, args.at)
    except ExprError as e:
        return _fail("graph", e)
    from ._graph import build
    from ._trace import trace
    try:
        f = expr(lib, env)
        if not hasattr(f, "grad_fn") or f.grad_fn is None:
            return _fail("graph", f"{args.expr} does not depend on its variables: no graph", 1)
        tr = None
        if not args.no_backward:
            with trace(f, names={**env, "f": f}) as tr:
                f.backward(retain_graph=args.saved)
        g = build(f, names={"f": f, **env}, saved=args.saved, trace=tr)
        print(g.text())
        if args.output:
            g.save(args.output)
            print(f"wrote {args.output}")
    except (ArithmeticError, ValueError, RuntimeError, ImportError) as e:
        return _fail("graph", f"{type(e).__name__}: {e}", 1)
    return 0


def main_grad(argv):
    p = _parser("grad", "Gradient of an expression at a point, by autograd and by central differences.")
    p.add_argument("expr", help=_EXPR_HELP)
    p.add_argument("--at", required=True, type=_points, help="the point: 1 or 1,2 for x0, x1")
    p.add_argument("--eps", type=float, help="finite-difference step (default about 6e-6 * max(1, |x|))")
    args, code = _parse(p, argv)
    if args is None:
        return code
    try:
        expr = _compile("grad", args.expr)
        names = expr.ordered_variables()
        if len(args.at) != len(names):
            raise ExprError(f"--at gives {len(args.at)} value(s) but the expression uses {', '.join(names)}")
    except ExprError as e:
        return _fail("grad", e)
    from ._plot import compare_gradients
    lib = library()

    def f(v):
        return expr(lib, {n: v[i] for i, n in enumerate(names)})
    try:
        res = compare_gradients(f, lib.tensor(args.at, dtype=lib.float64), eps=args.eps)
    except (ArithmeticError, ValueError, RuntimeError) as e:
        return _fail("grad", f"{type(e).__name__}: {e}", 1)
    print(f"f({', '.join(names)}) = {args.expr}")
    print(f"at {', '.join(f'{n} = {v:g}' for n, v in zip(names, args.at))}: f = {fmt_value(res.value, precision=10)}")
    print("gradient: " + ", ".join(f"df/d{n} = {g:.10g}" for n, g in zip(names, res.autograd.ravel())))
    print(res.table(names).split("\n", 1)[1])
    return 0
