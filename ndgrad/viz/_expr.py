"""Safe math expressions for the command line: `3*x0**2 + 5*exp(x1)`.

The text is parsed with `ast` and only a whitelist is accepted: numbers, the
variables x and x0, x1, ..., the constants pi and e, + - * / ** and unary
minus, and calls of the functions in FUNCTIONS. Evaluation walks the tree
itself: nothing is ever passed to eval().
"""
import ast
import math
import re

FUNCTIONS = ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "log",
             "log2", "log10", "log1p", "expm1", "sqrt", "abs", "sigmoid", "relu")
CONSTANTS = {"pi": math.pi, "e": math.e}
_VAR = re.compile(r"x(\d{1,3})?\Z")
_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}
_UNARY = {ast.USub: lambda a: -a, ast.UAdd: lambda a: +a}


class ExprError(ValueError):
    """The expression is not one the CLI accepts."""


def _refuse(node, what):
    col = getattr(node, "col_offset", None)
    where = f" (at column {col + 1})" if col is not None else ""
    raise ExprError(f"{what}{where} is not allowed; expressions may use numbers, x or x0, x1, ..., "
                    f"pi, e, + - * / ** and the functions {', '.join(FUNCTIONS)}")


class Expr:
    """A parsed expression; `expr(lib, env)` computes it with `lib`'s functions."""

    def __init__(self, text):
        self.text = text
        if len(text) > 2000:
            raise ExprError("expression too long (2000 characters at most)")
        try:
            tree = ast.parse(text.strip(), mode="eval")
        except SyntaxError as e:
            raise ExprError(f"not a valid expression: {e.msg} in {text!r}") from None
        self.variables = set()
        self._check(tree.body)
        self._tree = tree.body
        if "x" in self.variables and len(self.variables) > 1:
            raise ExprError("use either x or x0, x1, ... in one expression, not both")

    def _check(self, node):
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                _refuse(node, f"the constant {node.value!r}")
        elif isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                return
            if not _VAR.match(node.id):
                _refuse(node, f"the name {node.id!r}")
            self.variables.add(node.id)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                _refuse(node, f"the operator {type(node.op).__name__}")
            self._check(node.left)
            self._check(node.right)
        elif isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                _refuse(node, f"the operator {type(node.op).__name__}")
            self._check(node.operand)
        elif isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in FUNCTIONS:
                _refuse(node, f"calling {name!r}" if name else "this kind of call")
            if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                _refuse(node, f"{name}() with other than one plain argument")
            self._check(node.args[0])
        else:
            _refuse(node, f"{type(node).__name__} syntax")

    def __call__(self, lib, env):
        stack = [(self._tree, False)]
        vals = []
        while stack:   # iterative post-order walk
            node, ready = stack.pop()
            if isinstance(node, ast.Constant):
                vals.append(float(node.value))
            elif isinstance(node, ast.Name):
                vals.append(CONSTANTS[node.id] if node.id in CONSTANTS else env[node.id])
            elif not ready:
                stack.append((node, True))
                kids = {ast.BinOp: lambda n: [n.left, n.right], ast.UnaryOp: lambda n: [n.operand],
                        ast.Call: lambda n: n.args}[type(node)](node)
                stack.extend((k, False) for k in reversed(kids))
            elif isinstance(node, ast.BinOp):
                b, a = vals.pop(), vals.pop()
                vals.append(_BINOPS[type(node.op)](a, b))
            elif isinstance(node, ast.UnaryOp):
                vals.append(_UNARY[type(node.op)](vals.pop()))
            else:
                a = vals.pop()
                f = getattr(lib, node.func.id, None) or getattr(lib.nn.functional, node.func.id)
                vals.append(f(a) if hasattr(a, "grad_fn") else f(lib.tensor(a, dtype=lib.float64)))
        return vals[0]

    def ordered_variables(self):
        """x, or x0, x1, ... up to the highest index used."""
        if self.variables <= {"x"}:
            return ["x"]
        top = max(int(v[1:]) for v in self.variables)
        return [f"x{i}" for i in range(top + 1)]
