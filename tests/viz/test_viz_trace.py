from ndgrad import viz


def test_x_times_x_shows_both_paths(lib):
    x = lib.tensor(3.0, requires_grad=True)
    y = x * x
    with viz.trace() as t:
        y.backward()
    assert float(x.grad) == 6.0
    assert [s.title for s in t.steps] == ["MulBackward0", "AccumulateGrad"]
    out = str(t)
    assert "#1  MulBackward0 (y)" in out and "1.  (seed)" in out
    assert "∂/∂self: other = 3." in out and "∂/∂other: self = 3." in out
    assert "6.  = sum of:" in out
    assert "3.  from #1 input 0" in out and "3.  from #1 input 1" in out
    assert "x.grad: None -> 6." in out
    assert ("Accumulation: x is reached along 2 paths (#1 input 0, #1 input 1); "
            "autograd adds them: 3. + 3. = 6. (") in out
    assert "product rule" in out
    assert "Seed: y is a scalar, so backward starts from dy/dy = 1." in out
    leaf = t.steps[1]
    assert [c[:2] for c in leaf.contributions] == [(0, 0), (0, 1)]


def test_nonscalar_seed_is_explained(lib):
    x = lib.tensor([[0.0, 0.0], [1.0, 2.0]], requires_grad=True)
    y = x * x - 2 * x + 1
    gradient = lib.tensor([[1.0, 1.0], [1.0, 1.0]])
    with viz.trace() as t:
        y.backward(gradient=gradient)
    notes = "\n".join(t.notes())
    assert "Seed: y has shape (2, 2)" in notes and "vector-Jacobian product" in notes
    assert t.steps[0].seed is not None


def test_hooks_and_patches_removed(lib):
    before = (lib.Tensor.backward, lib.autograd.backward, lib.autograd.grad)
    x = lib.tensor(2.0, requires_grad=True)
    y = x * x
    with viz.trace() as t:
        y.backward(retain_graph=True)
    assert (lib.Tensor.backward, lib.autograd.backward, lib.autograd.grad) == before
    n = len(t.steps)
    y.backward()
    assert len(t.steps) == n and float(x.grad) == 8.0


def test_explicit_root_and_accumulation_across_calls(lib):
    x = lib.tensor(1.0, requires_grad=True)
    (x * 2).backward()
    y = x * 5
    with viz.trace(y) as t:
        y.backward()
    out = str(t)
    assert "x.grad: 2. -> 7." in out and "Accumulation across backward calls" in out


def test_autograd_grad_is_traced(lib):
    x = lib.tensor(2.0, requires_grad=True)
    y = x ** 3
    with viz.trace() as t:
        (g,) = lib.autograd.grad(y, x, create_graph=True)
    assert float(g.detach()) == 12.0 and x.grad is None
    assert t.steps[0].title == "PowBackward0"
    assert "autograd.grad returned 12." in str(t)


def test_graph_shows_traced_gradients(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    out = h.sum()
    with viz.trace() as t:
        out.backward()
    text = viz.graph(out).text()
    assert "MulBackward0  h (2,)  grad [1., 1.]" in text
    assert "AccumulateGrad  x (2,)  grad [3., 3.]" in text
    assert "grad [1., 1.]" in t.graph(out).text()


def test_empty_trace(lib):
    with viz.trace() as t:
        pass
    assert "no backward pass" in str(t)
