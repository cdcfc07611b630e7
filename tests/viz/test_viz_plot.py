import math

import numpy as np
import pytest

from ndgrad import viz


def _cube(lib):
    return lambda x: x ** 3 - 1 / x


@pytest.mark.parametrize("name", ["sin", "exp", "cube"])
def test_derivatives_are_analytic(lib, name):
    f, d1, d2, rng = {
        "sin": (lib.sin, np.cos, lambda x: -np.sin(x), (-2 * math.pi, 2 * math.pi)),
        "exp": (lib.exp, np.exp, np.exp, (-3.0, 3.0)),
        "cube": (_cube(lib), lambda x: 3 * x ** 2 + 1 / x ** 2, lambda x: 6 * x - 2 / x ** 3, (0.2, 4.0)),
    }[name]
    r = viz.plot_derivatives(f, rng, order=2, n=301, plot=False)
    assert r.x.dtype == np.float64 and r.x.shape == (301,)
    np.testing.assert_allclose(r[1], d1(r.x), rtol=1e-6)
    np.testing.assert_allclose(r[2], d2(r.x), rtol=1e-6, atol=1e-12)
    assert r.figure is None


def test_numerical_tangent_and_third_order(lib):
    r = viz.plot_derivatives(lib.sin, (-3.0, 3.0), order=3, numerical=True, tangent=1.0, plot=False)
    np.testing.assert_allclose(r[3], -np.cos(r.x), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(r.numerical[1], np.cos(r.x), atol=1e-8)
    np.testing.assert_allclose(r.numerical[2], -np.sin(r.x), atol=1e-5)
    x0, y0, s = r.tangent
    assert (x0, y0) == (1.0, pytest.approx(math.sin(1.0))) and s == pytest.approx(math.cos(1.0))


def test_linear_f_and_tensor_points(lib):
    pts = lib.linspace(0.0, 1.0, 5, dtype=lib.float64, requires_grad=True)
    r = viz.plot_derivatives(lambda x: 2 * x + 1, pts, order=2, plot=False)
    np.testing.assert_array_equal(r[1], 2.0)
    np.testing.assert_array_equal(r[2], 0.0)


def test_non_elementwise_is_refused(lib):
    with pytest.raises(ValueError, match="elementwise"):
        viz.plot_derivatives(lambda x: x.sum(), (0.0, 1.0), plot=False)


def test_figure(lib):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    r = viz.plot_derivatives(lib.sin, (-2 * math.pi, 2 * math.pi), numerical=True, tangent=1)
    labels = [t.get_text() for t in r.ax.get_legend().get_texts()]
    assert labels[:3] == ["sin(x)", "d/dx sin(x) (autograd)", "d²/dx² sin(x) (autograd)"]
    r2 = viz.plot_derivatives(lambda x: x * x, (0, 1), order=1)
    assert [t.get_text() for t in r2.ax.get_legend().get_texts()] == ["f(x)", "f'(x) (autograd)"]
    assert "π" in "".join(t.get_text() for t in r.ax.get_xticklabels())
    fig, ax = plt.subplots()
    assert viz.plot_derivatives(lib.exp, (0, 1), ax=ax).ax is ax
    plt.close("all")


def test_compare_gradients_agrees(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    res = viz.compare_gradients(lambda v: 3 * v[0] ** 2 + 5 * lib.exp(v[1]), x)
    assert res.ok and bool(res)
    np.testing.assert_allclose(res.autograd, [6.0, 5 * math.exp(2)])
    assert res.rel_error.max() < 1e-8
    assert "all 2 elements agree" in str(res)
    assert "x is float32; the check runs in float64" in str(res)
    assert "<table>" in res._repr_html_()


def test_compare_gradients_finds_a_wrong_backward(lib):
    class BadSquare(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x * (x > 0)   # should be 2x

    res = viz.compare_gradients(lambda v: BadSquare.apply(v).sum(),
                                lib.tensor([-1.0, 0.0, 2.0], dtype=lib.float64))
    assert list(res.mismatch) == [True, False, True] and not res.ok
    assert str(res).count("<-- MISMATCH") == 2 and "2 of 3 elements MISMATCH" in str(res)
    assert "background:#ffd6d6" in res._repr_html_()


def test_compare_gradients_float32_inside_f(lib):
    res = viz.compare_gradients(lambda v: (v.float() ** 2).sum(), [0.3, 1.0])
    assert res.ok and res.rtol == 1e-2
    assert "f computes in float32" in str(res)
