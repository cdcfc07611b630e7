import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from ndgrad.viz import _cli

BAD = ["__import__('os')", "__import__('os').system('true')", "x.__class__", "open('f')",
       "(lambda: 1)()", "[x for x in ()]", "sin(x, 2)", "exp(x=1)", "'a' * 3", "y + 1",
       "x if x else 1", "x < 1", "globals()", "x; 1", "eval('1')", "sin", "x[0]"]


@pytest.mark.parametrize("expr", BAD)
@pytest.mark.parametrize("main", [_cli.main_plot, _cli.main_graph, _cli.main_grad])
def test_refuses_unsafe_input(main, expr, capsys):
    argv = [expr] if main is _cli.main_plot else [expr, "--at", "1"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "not allowed" in err or "not a valid expression" in err


def test_grad(lib, capsys):
    assert _cli.main_grad(["3*x0**2 + 5*exp(x1)", "--at", "1,2"]) == 0
    out = capsys.readouterr().out
    assert "df/dx0 = 6, df/dx1 = 36.94528049" in out
    assert "x1  2  36.94528049" in out and "all 2 elements agree" in out
    assert _cli.main_grad(["x0*x1", "--at", "1"]) == 2


def test_graph(lib, capsys, tmp_path):
    assert _cli.main_graph(["x**3 - 1/x", "--at", "1", "-o", str(tmp_path / "g.svg")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("SubBackward0  f ()  grad 1.")
    assert "AccumulateGrad  x ()  grad 4." in out
    ET.parse(tmp_path / "g.svg")
    assert _cli.main_graph(["x0*sin(x1)", "--at", "2,0", "--saved", "-o", str(tmp_path / "g.dot")]) == 0
    assert "x0 ()" in (tmp_path / "g.dot").read_text()
    assert _cli.main_graph(["2 + 3", "--at", "1"]) == 1


def test_plot(lib, capsys, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "p.png"
    assert _cli.main_plot(["sin(x)", "--range", "-6.28", "6.28", "--order", "2", "--tangent", "1",
                           "-o", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert "tangent at x = 1: y = 0.540302" in capsys.readouterr().out
    assert _cli.main_plot(["x0 + x1"]) == 2


def test_usage_errors_return_status(capsys):
    assert _cli.main_grad([]) == 2
    assert _cli.main_plot(["--help"]) == 0
    assert "python -m ndgrad plot" in capsys.readouterr().out


def test_viz_imports_nothing_optional():
    code = ("import sys, ndgrad.viz; bad = [m for m in ('matplotlib', 'cairosvg', 'torch') "
            "if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
