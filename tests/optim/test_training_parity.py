"""An MLP trained with nn + optim + DataLoader follows PyTorch's loss curve step for step
(same initial weights, same batches, float64)."""
import numpy as np
import pytest

import ndgrad
from _torch import needs_torch, torch

nn = pytest.importorskip("ndgrad.nn")


def _train(lib, weights, x, y, opt_name, **kw):
    model = lib.nn.Sequential(lib.nn.Linear(20, 32), lib.nn.ReLU(), lib.nn.Linear(32, 32), lib.nn.Tanh(),
                              lib.nn.Linear(32, 5)).double()
    with lib.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(lib.tensor(w))
    opt = getattr(lib.optim, opt_name)(model.parameters(), **kw)
    sched = lib.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(lib.tensor(x), lib.tensor(y)), batch_size=16)
    loss_fn = lib.nn.CrossEntropyLoss()
    losses = []
    for epoch in range(4):
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sched.step()
    return losses, [p.detach().numpy() for p in model.parameters()]


@needs_torch
@pytest.mark.parametrize("opt_name,kw", [("Adam", dict(lr=1e-2)), ("SGD", dict(lr=0.1, momentum=0.9)),
                                         ("AdamW", dict(lr=1e-2, amsgrad=True))])
def test_mlp_loss_curve_matches_pytorch(opt_name, kw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((80, 20))
    y = rng.integers(0, 5, 80)
    ref = torch.nn.Sequential(torch.nn.Linear(20, 32), torch.nn.ReLU(), torch.nn.Linear(32, 32), torch.nn.Tanh(),
                              torch.nn.Linear(32, 5)).double()
    weights = [p.detach().numpy().copy() for p in ref.parameters()]
    ours, our_w = _train(ndgrad, weights, x, y, opt_name, **kw)
    theirs, their_w = _train(torch, weights, x, y, opt_name, **kw)
    assert len(ours) == len(theirs) == 20
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    for a, b in zip(our_w, their_w):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-10)
