"""vmap of every op of the table equals the loop over the batch; ops without a batching rule are listed."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import ndgrad
from ndgrad.func import vmap
from _harness import flat
from _table import ENTRIES, SETTINGS, case, float_leaves, replace

B = 3
FALLBACK = set()


def _tensors(res):
    return [o for o in flat(res) if isinstance(o, ndgrad.Tensor)]


@pytest.mark.parametrize("entry", ENTRIES, ids=repr)
@SETTINGS
@given(data=st.data())
def test_vmap_matches_loop(entry, data):
    args, built = case(entry, data)
    xs = float_leaves(built)
    if not xs:
        return
    try:
        entry.fn(ndgrad, *built)
    except Exception:  # noqa: BLE001 - an invalid draw: PyTorch raises too
        return
    batch = [ndgrad.stack([x * (1 + 0.05 * i) for i in range(B)]) for x in xs]
    per = [entry.fn(ndgrad, *replace(built, xs, [b[i] for b in batch])) for i in range(B)]
    outs = [_tensors(r) for r in per]
    if len(flat(per[0])) != len(outs[0]) or any(
            [o.shape for o in r] != [o.shape for o in outs[0]] for r in outs):
        return   # non-tensor or data-dependent output shapes: vmap refuses these in PyTorch too
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = vmap(lambda *ys: entry.fn(ndgrad, *replace(built, xs, list(ys))))(*batch)
    if any("performance drop" in str(x.message) for x in w):
        FALLBACK.add(entry.name)
    got = _tensors(got)
    assert len(got) == len(outs[0])
    for i, g in enumerate(got):
        want = np.stack([r[i].numpy() for r in outs])
        np.testing.assert_allclose(g.numpy(), want, rtol=1e-6, atol=1e-9, err_msg=entry.name)


def test_report_fallbacks():
    """Ops that looped over the batch (no batching rule): reported, not failed."""
    print("vmap fallbacks:", sorted(FALLBACK))
