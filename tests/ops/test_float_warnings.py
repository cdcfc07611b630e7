"""Float overflow, division by zero and invalid values give inf/nan silently, as in PyTorch.

NumPy warns on them; ndgrad ignores those warnings where ndgrad's code raised them (a filter set at import),
so they stay silent even under ``python -W error``, while the user's own NumPy code keeps warning.
Run in a fresh interpreter: pytest installs its own warning filters around each test.
"""
import json
import subprocess
import sys

import pytest

from _torch import torch

CASES = {
    "mul_0d": "x = t.tensor(3e38); r = x * 10.0",
    "mul_1d": "x = t.tensor([3e38, 1.0]); r = x * 10.0",
    "add_0d": "x = t.tensor(3e38); r = x + x",
    "sub_1d": "x = t.tensor([3e38]); r = x - (-x)",
    "div_by_zero": "x = t.tensor([1.0, 0.0, -1.0]); r = x / 0.0",
    "div_0d_tiny": "x = t.tensor(3e38); r = x / 1e-30",
    "pow_0d": "x = t.tensor(3e38); r = x ** 3",
    "exp": "x = t.tensor([100.0]); r = x.exp()",
    "log_negative": "x = t.tensor([-1.0, 0.0]); r = x.log()",
    "sqrt_negative": "x = t.tensor(-1.0); r = x.sqrt()",
    "backward_overflow": "x = t.tensor([3e38], requires_grad=True); (x * x).sum().backward(); r = x.grad",
    "backward_0d_overflow": "x = t.tensor(3e38, requires_grad=True); (x * x).backward(); r = x.grad",
    # reductions whose kernels go through NumPy's Python wrappers (their warnings would escape the filter)
    "mean": "r = t.tensor([3e38, 3e38]).mean()",
    "mean_dim": "r = t.tensor([[3e38, 3e38]]).mean(1)",
    "mean_empty": "r = t.zeros(2, 0).mean(1)",
    "sum_dim": "r = t.tensor([[3e38, 3e38]]).sum(1)",
    "nansum": "r = t.tensor([3e38, 3e38]).nansum()",
    "prod": "r = t.tensor([3e38, 3e38]).prod()",
    "cumsum": "r = t.tensor([3e38, 3e38]).cumsum(0)",
    "cumprod": "r = t.tensor([3e38, 3e38]).cumprod(0)",
    "var": "r = t.tensor([3e38, -3e38]).var()",
    "std_mean": "r = t.std_mean(t.tensor([3e38, -3e38]))[0]",
}

SCRIPT = """
import json, sys, warnings
import numpy as np
import {lib} as t
out = {{}}
for name, code in json.loads(sys.argv[1]).items():
    env = {{"t": t}}
    exec(code, env)
    out[name] = env["r"].detach().reshape(-1).tolist()
try:
    np.float32(3e38) * np.float32(10)
    out["user_numpy_warns"] = False
except RuntimeWarning:
    out["user_numpy_warns"] = True
print(json.dumps(out))
"""


def _run(lib):
    p = subprocess.run([sys.executable, "-W", "error", "-c", SCRIPT.format(lib=lib), json.dumps(CASES)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout)


@pytest.fixture(scope="module")
def ndgrad_out():
    return _run("ndgrad")


@pytest.mark.parametrize("name", sorted(CASES))
def test_silent_inf_nan(ndgrad_out, name):
    vals = ndgrad_out[name]
    assert any(v != v or abs(v) == float("inf") for v in vals)
    if torch is not None:
        assert str(vals) == str(_torch_out()[name])


def test_user_numpy_keeps_its_warnings(ndgrad_out):
    assert ndgrad_out["user_numpy_warns"] is True


_cache = {}


def _torch_out():
    if "torch" not in _cache:
        _cache["torch"] = _run("torch")
    return _cache["torch"]
