"""Drawing concrete float64 cases of the op-test table (tests/ops/op_table.py) for the transform tests."""
import numpy as np
from hypothesis import HealthCheck, settings

import ndgrad
from _draw import Draw
from _harness import build, flat, leaves
from op_table import TABLE

SETTINGS = settings(max_examples=3, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
ENTRIES = [e for e in TABLE if "float64" in e.dtypes]


def case(entry, data):
    """``(args, tensors)``: drawn float64 args (NumPy arrays for tensors) and the built ndgrad args."""
    d = Draw(data, empty=False)
    args = entry.gen(d, "float64")
    return args, build(ndgrad, args, False)


def float_leaves(built):
    return [x for x in leaves(built) if x.dtype.is_floating_point]


def replace(built, old, new):
    """``built`` with tensors ``old[i]`` replaced by ``new[i]`` (also inside lists)."""
    m = {id(o): n for o, n in zip(old, new)}

    def r(a):
        if isinstance(a, list):
            return [m.get(id(x), x) for x in a]
        return m.get(id(a), a)
    return [r(a) for a in built]


def outputs(res):
    return [o for o in flat(res) if isinstance(o, ndgrad.Tensor) and o.dtype.is_floating_point]


def rand_like(rng, t):
    return ndgrad.from_numpy(rng.standard_normal(tuple(t.shape)))


def inner(a, b):
    return float(np.sum(a.detach().numpy() * b.detach().numpy()))
