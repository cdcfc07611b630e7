"""python -m ndgrad run / demo."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(args, cwd, **kw):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "ndgrad", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=300, **kw)


def test_run_maps_torch_to_ndgrad(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import sys\nimport torch\nimport torch.autograd as ag\n"
                      "x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
                      "(x ** 3).sum().backward()\nprint(x.grad, torch.__name__, ag.__name__, sys.argv[1:])\n")
    r = _run(["run", str(script), "a", "b"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "tensor([ 3., 12.]) ndgrad ndgrad.autograd ['a', 'b']"


def test_run_names_missing_submodule(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import torch.distributed\n")
    r = _run(["run", str(script)], tmp_path)
    assert r.returncode != 0
    assert "No module named 'torch.distributed'" in r.stderr and "ndgrad.distributed" in r.stderr


def test_demo_fits_and_saves(tmp_path):
    out = tmp_path / "demo.png"
    r = _run(["demo", "--steps", "300", "-o", str(out)], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Result: y = " in r.stdout
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    assert out.exists() and f"picture saved: {out}" in r.stdout


def test_unknown_command(tmp_path):
    r = _run(["frobnicate"], tmp_path)
    assert r.returncode == 2 and "unknown command" in r.stderr
