"""``python -m ndgrad``: run PyTorch scripts on ndgrad, the demo, and the viz tools.

    python -m ndgrad run script.py [args...]   # `import torch` resolves to ndgrad
    python -m ndgrad demo [-o demo.png] [--steps N]
    python -m ndgrad plot "sin(x)" --range -6.28 6.28 --order 2 -o out.png
    python -m ndgrad graph "x**3 - 1/x" --at 1 -o graph.svg
    python -m ndgrad grad "3*x0**2 + 5*exp(x1)" --at 1,2
"""
import importlib
import importlib.abc
import importlib.util
import os
import sys

USAGE = __doc__


class TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Maps ``torch`` to ``ndgrad`` and ``torch.X.Y`` to ``ndgrad.X.Y``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == "torch" or fullname.startswith("torch."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        target = "ndgrad" + spec.name[len("torch"):]
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError as e:
            if e.name and (e.name == target or target.startswith(e.name + ".")):
                err = ModuleNotFoundError(
                    f"No module named '{spec.name}': ndgrad has no '{target}' (it implements torch, "
                    "torch.nn, torch.nn.functional, torch.optim, torch.autograd, torch.func, torch.utils.data "
                    "and torch.linalg on NumPy)", name=spec.name)
                raise err from None
            raise
        self._orig = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        if getattr(self, "_orig", None) is not None:
            module.__spec__ = self._orig


def install_alias():
    """Makes ``import torch`` (and submodules) import ndgrad from now on."""
    if not any(isinstance(f, TorchAlias) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchAlias())


def run(argv):
    if not argv:
        print("usage: python -m ndgrad run script.py [args...]", file=sys.stderr)
        return 2
    import runpy
    script = argv[0]
    if not os.path.exists(script):
        print(f"ndgrad run: no such file: {script}", file=sys.stderr)
        return 2
    install_alias()
    sys.argv = list(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    try:
        runpy.run_path(script, run_name="__main__")
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as e:
        # the traceback starts at the user's script, as `python script.py` would show it
        import traceback
        tb = e.__traceback__
        target = os.path.abspath(script)
        while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != target:
            tb = tb.tb_next
        traceback.print_exception(type(e), e, tb if tb is not None else e.__traceback__)
        return 1
    return 0


def demo(argv):
    """Fits y = a + b x + c x^2 + d x^3 to sin(x) with autograd and plain gradient descent."""
    import argparse
    import math
    p = argparse.ArgumentParser(prog="python -m ndgrad demo", description=demo.__doc__)
    p.add_argument("-o", "--output", default="ndgrad_demo.png", help="where to save the picture (matplotlib)")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    import ndgrad as torch
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float64)
    y = torch.sin(x)
    torch.manual_seed(args.seed)
    a, b, c, d = (torch.randn((), dtype=torch.float64, requires_grad=True) for _ in range(4))
    lr = 1e-6
    print("Fitting y = a + b x + c x^2 + d x^3 to sin(x) on 2000 points (autograd + gradient descent)")
    for t in range(args.steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % 200 == 199 or t == 0:
            print(f"  step {t + 1:5d}  loss {loss.item():12.4f}")
        loss.backward()
        with torch.no_grad():
            for w in (a, b, c, d):
                w -= lr * w.grad
                w.grad = None
    print(f"Result: y = {a.item():.6f} + {b.item():.6f} x + {c.item():.6f} x^2 + {d.item():.6f} x^3")
    # the derivative of sin by autograd, on the same grid
    xs = x.detach().clone().requires_grad_(True)
    torch.sin(xs).sum().backward()
    err = (xs.grad - torch.cos(x)).abs().max().item()
    print(f"autograd d/dx sin(x) vs cos(x): max abs difference {err:.2e}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(install matplotlib, e.g. pip install 'ndgrad[plot]', to get the picture)")
        return 0
    fig, ax = plt.subplots(figsize=(7, 4))
    xn = x.numpy()
    ax.plot(xn, y.numpy(), label="sin(x)")
    ax.plot(xn, xs.grad.numpy(), "--", label="d/dx sin(x) by autograd")
    with torch.no_grad():
        fit = a + b * x + c * x ** 2 + d * x ** 3
    ax.plot(xn, fit.numpy(), ":", label="cubic fit")
    ax.legend()
    ax.grid(True)
    ax.set_xlabel("x")
    fig.tight_layout()
    fig.savefig(args.output, dpi=100)
    print(f"picture saved: {os.path.abspath(args.output)}")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE.strip())
        return 0 if argv else 2
    cmd, rest = argv[0], argv[1:]
    if cmd == "run":
        return run(rest)
    if cmd == "demo":
        return demo(rest)
    if cmd in ("plot", "graph", "grad"):
        from .viz import _cli
        return getattr(_cli, "main_" + cmd)(rest)
    print(f"ndgrad: unknown command '{cmd}'\n\n{USAGE.strip()}", file=sys.stderr)
    return 2
