"""Training loops against PyTorch: same initial weights and batches give the same losses step by step."""
import numpy as np
import pytest

import ndgrad
from _torch import needs_torch, torch
from nn_helpers import copy_weights

pytestmark = needs_torch


def _models(lib):
    nn = lib.nn
    return {
        "cnn": nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(4, 4, 3), nn.GELU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)),
        "mlp": nn.Sequential(nn.Linear(12, 16), nn.LayerNorm(16), nn.SiLU(), nn.Linear(16, 3)),
    }


@pytest.mark.parametrize("kind", ["cnn", "mlp"])
@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_training_matches_pytorch(kind, opt):
    if not hasattr(ndgrad, "optim"):
        pytest.skip("ndgrad.optim not available")
    rng = np.random.default_rng(11)
    shape = (8, 1, 6, 6) if kind == "cnn" else (8, 12)
    batches = [(rng.standard_normal(shape), rng.integers(0, 3, 8)) for _ in range(6)]
    losses = []
    models = {torch: _models(torch)[kind].double(), ndgrad: _models(ndgrad)[kind].double()}
    copy_weights(models[torch], models[ndgrad])
    for lib in (torch, ndgrad):
        model = models[lib]
        o = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9) if opt == "SGD" else \
            lib.optim.Adam(model.parameters(), lr=0.01)
        loss_fn = lib.nn.CrossEntropyLoss(label_smoothing=0.05)
        run = []
        for x, y in batches:
            o.zero_grad()
            loss = loss_fn(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            o.step()
            run.append(loss.item())
        model.eval()
        run.append(float(model(lib.tensor(batches[0][0])).sum().item()))
        losses.append(run)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-9)
