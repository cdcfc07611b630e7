"""A small MLP classifier on two interleaved spirals: nn, optim, a scheduler, DataLoader, progress bar,
save/load, and a loss plot.

Run ``python examples/mlp_classifier.py`` (``--epochs N``; ``--lib torch`` runs the same code on PyTorch,
for comparison). The loss curve goes to a PNG in a temporary folder when matplotlib is installed.
"""
import math
import os
import sys
import tempfile

if "--lib" in sys.argv:   # compare with the oracle: same code, another library
    torch = __import__(sys.argv[sys.argv.index("--lib") + 1])
else:
    import ndgrad as torch
nn = torch.nn
DataLoader, TensorDataset, random_split = (torch.utils.data.DataLoader, torch.utils.data.TensorDataset,
                                           torch.utils.data.random_split)

try:
    from ndgrad.utils.progress import progress
except ImportError:  # running on PyTorch without ndgrad around: no bar
    def progress(iterable, **kwargs):
        return iterable

EPOCHS = int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv else 30
torch.manual_seed(0)


def two_spirals(n_per_class=300, noise=0.15):
    """Points on two interleaved spirals, labels 0 and 1."""
    t = torch.linspace(0.25, 3 * math.pi, n_per_class)
    xs, ys = [], []
    for label, phase in ((0, 0.0), (1, math.pi)):
        pts = torch.stack([t * torch.cos(t + phase), t * torch.sin(t + phase)], 1) / 3
        xs.append(pts + noise * torch.randn(n_per_class, 2))
        ys.append(torch.full((n_per_class,), label, dtype=torch.int64))
    return torch.cat(xs), torch.cat(ys)


x, y = two_spirals()
train_set, test_set = random_split(TensorDataset(x, y), [0.8, 0.2], generator=torch.Generator().manual_seed(0))
train_loader = DataLoader(train_set, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(1))
test_loader = DataLoader(test_set, batch_size=256)

model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)


def accuracy(loader):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
            total += len(yb)
    model.train()
    return correct / total


losses = []
bar = progress(range(EPOCHS), desc="training", unit="epoch")
for epoch in bar:
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(yb)
    scheduler.step()
    losses.append(running / len(train_set))
    if hasattr(bar, "set_postfix"):
        bar.set_postfix(loss=losses[-1], lr=scheduler.get_last_lr()[0])

print(f"final train loss {losses[-1]:.4f}, test accuracy {accuracy(test_loader):.3f}")

# checkpoint and restore (ndgrad.save writes no pickle; ndgrad.load runs no code from the file)
out_dir = tempfile.mkdtemp(prefix="mlp_classifier_")
ckpt = os.path.join(out_dir, "checkpoint.pt")
torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": EPOCHS}, ckpt)
state = torch.load(ckpt)
model.load_state_dict(state["model"])
optimizer.load_state_dict(state["optimizer"])
print(f"restored epoch {state['epoch']} from {ckpt}: test accuracy {accuracy(test_loader):.3f}")

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no loss plot")
else:
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot(range(1, EPOCHS + 1), losses)
    ax.set(xlabel="epoch", ylabel="cross-entropy", title="two spirals, MLP 2-64-64-2", yscale="log")
    fig.tight_layout()
    path = os.path.join(out_dir, "loss.png")
    fig.savefig(path, dpi=100)
    print(f"loss curve: {path}")
