import os
import xml.etree.ElementTree as ET

import pytest

from ndgrad import viz


def _legendre(lib):
    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            input, = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)
    return LegendrePolynomial3


def _fit(lib):
    x = lib.linspace(-3.0, 3.0, 50)
    y = lib.sin(x)
    a = lib.full((), 0.0, requires_grad=True)
    b = lib.full((), -1.0, requires_grad=True)
    c = lib.full((), 0.0, requires_grad=True)
    d = lib.full((), 0.3, requires_grad=True)
    y_pred = a + b * _legendre(lib).apply(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    return loss, dict(a=a, b=b, c=c, d=d, y_pred=y_pred, loss=loss)


def test_text_tree_and_names(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = lib.tensor(2.0, requires_grad=True)
    y = (x * w).sum()
    assert str(viz.graph(y)) == (
        "SumBackward0  y ()\n"
        "└── MulBackward0\n"
        "    ├── AccumulateGrad  x (3,)\n"
        "    └── AccumulateGrad  w ()")
    y.backward()
    assert viz.graph(y).text() == (
        "SumBackward0  y ()\n"
        "└── MulBackward0\n"
        "    ├── AccumulateGrad  x (3,)  grad [2., 2., 2.]\n"
        "    └── AccumulateGrad  w ()  grad 6.")


def test_dot_of_x_times_x(lib):
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    assert viz.graph(y).to_dot() == (
        'digraph backward {\n'
        '  graph [rankdir=TB, nodesep=0.25, ranksep=0.4];\n'
        '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=11];\n'
        '  edge [color="#555555", arrowsize=0.7];\n'
        '  n0 [label="MulBackward0\\ny (3,)", fillcolor="#c8f0c8"];\n'
        '  n1 [label="AccumulateGrad\\nx (3,)", fillcolor="#cfe3ff"];\n'
        '  n1 -> n0;\n'
        '  n1 -> n0;\n'
        '}\n')
    assert viz.graph(y).text().endswith("AccumulateGrad  x (3,)  (same node as above)")


def test_svg_is_xml_with_every_node(lib):
    loss, names = _fit(lib)
    g = viz.graph(loss, saved=True, layout="ndgrad", names=names)
    root = ET.fromstring(g.svg())
    ns = "{http://www.w3.org/2000/svg}"
    groups = [e for e in root.iter(ns + "g") if e.get("class") == "node"]
    assert len(groups) == len(g.nodes) == 12
    titles = sorted(e.find(ns + "title").text for e in groups)
    assert titles.count("AccumulateGrad") == 4
    assert "LegendrePolynomial3Backward" in titles and "SumBackward0" in titles
    edges = [e for e in root.iter(ns + "path") if e.get("class") == "edge"]
    assert len(edges) == sum(len(n.inputs) for n in g.nodes) == 11
    text = " ".join(t.text or "" for t in root.iter(ns + "text"))
    for name in "abcd":
        assert f"{name} ()" in text
    assert "y_pred (50,)" in text and "loss ()" in text
    assert g._repr_svg_().startswith("<svg") and "<svg" in g._repr_html_()


def test_saved_tensors_and_after_backward(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    assert "self = x (2,)" in viz.graph(y, saved=True).text()
    y.backward()
    viz.graph(y, saved=True).text()   # freed saved tensors must not raise


def test_names_argument_and_leaf_root(lib):
    t = lib.tensor([1.0], requires_grad=True)
    assert "leaf tensor  t (1,)" in viz.graph(t).text()
    assert "AccumulateGrad  p (1,)" in viz.graph(t * 2, names={"p": t}).text()
    two = viz.graph([t * 2, t + 1])
    assert "MulBackward0" in two.text() and "AddBackward0" in two.text()


def test_save_formats(lib, tmp_path):
    loss, names = _fit(lib)
    g = viz.graph(loss, layout="ndgrad", names=names)
    for ext in ("svg", "dot", "txt"):
        p = g.save(tmp_path / f"g.{ext}")
        assert os.path.getsize(p) > 100
    assert (tmp_path / "g.txt").read_text(encoding="utf-8").startswith("SumBackward0  loss ()")
    ET.parse(tmp_path / "g.svg")
    with pytest.raises(ValueError, match="unknown extension"):
        g.save(tmp_path / "g.bmp")


def test_png(lib, tmp_path):
    pytest.importorskip("matplotlib")
    loss, _ = _fit(lib)
    g = viz.graph(loss, layout="ndgrad")
    p = g.save(tmp_path / "g.png")
    assert open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    from ndgrad.viz._layout import to_png_matplotlib
    to_png_matplotlib(g._layout(), tmp_path / "m.png")
    assert (tmp_path / "m.png").stat().st_size > 1000


def test_layout_keeps_boxes_apart(lib):
    loss, _ = _fit(lib)
    lay = viz.graph(loss)._layout()
    boxes = list(lay.boxes.values())
    for i, p in enumerate(boxes):
        assert 0 <= p.x - p.w / 2 and p.x + p.w / 2 <= lay.width + 1e-6
        for q in boxes[i + 1:]:
            assert abs(p.x - q.x) >= (p.w + q.w) / 2 or abs(p.y - q.y) >= (p.h + q.h) / 2


def test_deep_chain_no_recursion(lib):
    x = lib.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    g = viz.graph(y)
    assert len(g.nodes) == 3001 and g.text().count("MulBackward0") == 3000
