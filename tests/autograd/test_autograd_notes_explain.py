"""Beyond PyTorch: autograd errors name the op and the user's file:line (in exception notes, str(e)
unchanged), and explain(t) says in plain words why t.grad is None / t does not require grad."""
import inspect

import pytest

import ndgrad as torch
from ndgrad.autograd import explain
from _agcommon import notes

HERE = "test_autograd_notes_explain.py"


def line_of(marker):
    """The line number in this file of the line containing ``marker``."""
    src, start = inspect.getsourcelines(inspect.getmodule(line_of))
    for i, ln in enumerate(src):
        if marker in ln and "line_of(" not in ln:
            return start + i if start else i + 1
    raise AssertionError(marker)


def raised(fn):
    with pytest.raises(RuntimeError) as info:
        fn()
    return info.value


def test_version_error_names_saver_and_inplace_line():
    a = torch.tensor([1.0, 3.0], requires_grad=True)
    b = a + 2
    loss = (b * b).mean()  # mark:saver
    b.add_(1)  # mark:inplace
    e = raised(loss.backward)
    assert str(e).startswith("one of the variables needed for gradient computation has been modified by an "
                             "inplace operation: [torch.FloatTensor [2]], which is output 0 of Add, is at version 1;")
    n = notes(e)
    assert f"{HERE}:{line_of('mark:saver')}" in n and f"{HERE}:{line_of('mark:inplace')}" in n
    assert "MulBackward0" in n and "fix:" in n


def test_backward_twice_names_node_line():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp()).sum()  # mark:twice
    y.backward()
    e = raised(y.backward)
    assert str(e).startswith("Trying to backward through the graph a second time")
    n = notes(e)
    assert "ExpBackward0" in n and f"{HERE}:{line_of('mark:twice')}" in n and "retain_graph=True" in n


def test_nonscalar_backward_note():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2  # mark:nonscalar
    e = raised(y.backward)
    assert str(e) == "grad can be implicitly created only for scalar outputs"
    n = notes(e)
    assert f"{HERE}:{line_of('mark:nonscalar')}" in n and "y.sum().backward()" in n and "[2]" in n


def test_no_grad_fn_note_explains():
    t = torch.ones(3)
    e = raised(lambda: t.sum().backward())
    assert str(e) == "element 0 of tensors does not require grad and does not have a grad_fn"
    assert "requires_grad" in notes(e) and "Fix" in notes(e)


def test_unused_note():
    x = torch.tensor([1.0], requires_grad=True)
    w = x * 3  # mark:unused
    e = raised(lambda: torch.autograd.grad((x * 2).sum(), [x, w]))
    assert str(e).startswith("The differentiated Tensor at index 1 appears to not have been used in the graph.")
    n = notes(e)
    assert f"{HERE}:{line_of('mark:unused')}" in n and "allow_unused=True" in n


def test_leaf_moved_into_graph_interior_note():
    a = torch.tensor([10.0, 5.0], requires_grad=True)
    loss = (a * 2).mean()
    a.requires_grad_(False)
    a.mul_(torch.tensor(2.0, requires_grad=True))  # mark:moved
    e = raised(loss.backward)
    assert str(e) == "leaf variable has been moved into the graph interior"
    n = notes(e)
    assert f"{HERE}:{line_of('mark:moved')}" in n and "no_grad" in n


@pytest.mark.parametrize("how", ["leaf", "view"])
def test_leaf_inplace_note(how):
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    e = raised(lambda: a.add_(1) if how == "leaf" else a[:1].add_(1))
    assert str(e).startswith("a leaf Variable" if how == "leaf" else "a view of a leaf Variable")
    assert "torch.no_grad()" in notes(e)


def test_source_tracking_switch():
    x = torch.tensor([1.0], requires_grad=True)
    with torch.autograd._source.set_source_tracking(False):
        assert not torch.autograd._source.is_source_tracking_enabled()
        y = (x * 2).sum()
    y.backward()
    e = raised(y.backward)
    assert ".py:" not in notes(e) and "MulBackward0" in notes(e)
    assert torch.autograd._source.is_source_tracking_enabled()


def test_notes_leave_message_alone():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    e = raised(y.backward)
    assert str(e) == "grad can be implicitly created only for scalar outputs"


# ---------------------------------------------------------------- explain
def reason(t, name=None):
    from ndgrad.autograd._explain import reason as r
    return r(t, name)


def test_explain_not_leaf():
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 2  # mark:explain
    y.sum().backward()
    k, text = reason(y, "y")
    assert k == "not_leaf" and "retain_grad()" in text and f"{HERE}:{line_of('mark:explain')}" in text
    assert str(explain(y)) == repr(explain(y))


def test_explain_no_grad():
    x = torch.tensor([1.0], requires_grad=True)
    with torch.no_grad():
        y = x * 2
        assert reason(y)[0] == "no_grad"
        v = x[:1]
    assert reason(v)[0] == "no_grad" and "no_grad" in reason(v)[1]


def test_explain_detach_data_integer_never_set():
    x = torch.tensor([1.0], requires_grad=True)
    assert reason(x.detach())[0] == "detach" and ".detach()" in reason(x.detach())[1]
    assert reason(x.data)[0] == "detach" and ".data" in reason(x.data)[1]
    assert reason(torch.tensor([1, 2]))[0] == "integer" and "torch.int64" in reason(torch.tensor([1, 2]))[1]
    assert reason(x.argmax())[0] == "integer"
    assert reason(torch.ones(2))[0] == "never_set" and "requires_grad=True" in reason(torch.ones(2))[1]


def test_explain_backward_not_run_or_not_reached():
    from ndgrad.autograd import _engine
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 2
    runs = _engine.RUNS
    _engine.RUNS = 0
    try:
        assert reason(x)[0] == "not_run"
    finally:
        _engine.RUNS = runs
    z = torch.tensor([2.0], requires_grad=True)
    (z * 3).sum().backward()
    assert reason(x)[0] == "not_reached" and "did not reach" in reason(x)[1]
    del y
    w = torch.tensor([1.0], requires_grad=True)
    assert reason(w)[0] in ("not_used", "not_run")
    x.grad = torch.ones(1)
    assert reason(x)[0] == "has_grad"


def test_leaf_updated_between_forward_and_backward_note():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()  # mark:leafsaver
    with torch.no_grad():
        w.add_(1)
    e = raised(loss.backward)
    assert "is at version 1; expected version 0 instead." in str(e)
    n = notes(e)
    assert f"{HERE}:{line_of('mark:leafsaver')}" in n and "optimizer.step() after" in n


def test_explain_no_grad_after_the_block_has_ended():
    import ndgrad
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with ndgrad.no_grad():
        made = [x * 2, x.sum(), x.exp(), x ** 2, x @ x, x.mean(), ndgrad.cat([x, x]), ndgrad.stack([x, x])]
    for t in made:
        assert "created under torch.no_grad()" in ndgrad.autograd.explain(t)
    assert "created under torch.no_grad()" not in ndgrad.autograd.explain(ndgrad.ones(2) * 2)
