"""Datasets, samplers, collation and the DataLoader (against PyTorch where the result is RNG-free)."""
import collections
import warnings

import numpy as np
import pytest

import ndgrad
from ndgrad.utils.data import (BatchSampler, ConcatDataset, DataLoader, Dataset, IterableDataset, RandomSampler,
                               SequentialSampler, Subset, SubsetRandomSampler, TensorDataset,
                               WeightedRandomSampler, default_collate, random_split)
from _torch import needs_torch, torch


def _ds(n=10):
    return TensorDataset(ndgrad.arange(2.0 * n).view(n, 2), ndgrad.arange(n))


def _order(loader):
    return [y.tolist() for _, y in loader]


def test_seeded_shuffle_is_deterministic_and_a_permutation():
    a = _order(DataLoader(_ds(), batch_size=3, shuffle=True, generator=ndgrad.Generator().manual_seed(7)))
    b = _order(DataLoader(_ds(), batch_size=3, shuffle=True, generator=ndgrad.Generator().manual_seed(7)))
    c = _order(DataLoader(_ds(), batch_size=3, shuffle=True, generator=ndgrad.Generator().manual_seed(8)))
    assert a == b and a != c
    assert sorted(sum(a, [])) == list(range(10)) and [len(x) for x in a] == [3, 3, 3, 1]
    ndgrad.manual_seed(3)
    d = _order(DataLoader(_ds(), batch_size=3, shuffle=True))
    ndgrad.manual_seed(3)
    assert _order(DataLoader(_ds(), batch_size=3, shuffle=True)) == d


def test_epochs_differ_but_replay_from_the_same_seed():
    loader = DataLoader(_ds(), batch_size=4, shuffle=True, generator=ndgrad.Generator().manual_seed(0))
    e1, e2 = _order(loader), _order(loader)
    assert e1 != e2
    loader.generator.manual_seed(0)
    assert _order(loader) == e1


@needs_torch
@pytest.mark.parametrize("kw", [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None),
                                dict(batch_size=4, sampler=[9, 1, 4, 4, 0])])
def test_unshuffled_batches_match_pytorch(kw):
    ours = list(DataLoader(_ds(), **kw))
    theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(
        torch.arange(20.0).view(10, 2), torch.arange(10)), **kw))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert type(a) is type(b)
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x.numpy(), y.numpy())
            assert str(x.dtype) == str(y.dtype)


@needs_torch
@pytest.mark.parametrize("batch", [
    [(1, 2.5, True), (3, 4.5, False)],
    [{"a": np.ones(3, dtype=np.float32), "b": "x"}, {"a": np.zeros(3, dtype=np.float32), "b": "y"}],
    [[np.float64(1.0), np.int32(2)], [np.float64(3.0), np.int32(4)]],
    [collections.OrderedDict(z=[1, 2], y=(3.0,)), collections.OrderedDict(z=[5, 6], y=(7.0,))],
])
def test_default_collate_matches_pytorch(batch):
    ours = default_collate(batch)
    theirs = torch.utils.data.default_collate(batch)

    def same(a, b):
        assert type(a).__name__ == type(b).__name__
        if isinstance(b, torch.Tensor):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
            assert str(a.dtype) == str(b.dtype)
        elif isinstance(b, dict):
            assert list(a) == list(b)
            for k in b:
                same(a[k], b[k])
        elif isinstance(b, (list, tuple)):
            assert len(a) == len(b)
            for x, y in zip(a, b):
                same(x, y)
        else:
            assert a == b
    same(ours, theirs)


def test_default_collate_errors():
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        default_collate([object(), object()])


def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    g = ndgrad.Generator().manual_seed(1)
    assert sorted(RandomSampler(range(6), generator=g)) == list(range(6))
    draws = list(RandomSampler(range(3), replacement=True, num_samples=50, generator=g))
    assert len(draws) == 50 and set(draws) <= {0, 1, 2}
    assert sorted(SubsetRandomSampler([5, 7, 9], generator=g)) == [5, 7, 9]
    assert set(WeightedRandomSampler([0.0, 1.0, 0.0], 20, generator=g)) == {1}
    assert list(BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(range(5), 2, True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        BatchSampler(range(5), 0, False)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value"):
        RandomSampler(range(3), num_samples=0)


def test_batch_sampler_and_argument_errors():
    loader = DataLoader(_ds(), batch_sampler=[[0, 1], [5]])
    assert _order(loader) == [[0, 1], [5]]
    for kw, msg in [(dict(sampler=[0], shuffle=True), "sampler option is mutually exclusive with shuffle"),
                    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
                    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
                    (dict(num_workers=-1), "num_workers option should be non-negative"),
                    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
                    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0")]:
        with pytest.raises(ValueError, match=msg):
            DataLoader(_ds(), **kw)
    with pytest.warns(UserWarning, match="num_workers=2 is treated as num_workers=0"):
        loader = DataLoader(_ds(), batch_size=5, num_workers=2)
    assert _order(loader) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]


class _Stream(IterableDataset):
    def __iter__(self):
        return iter(range(7))

    def __len__(self):
        return 7


def test_iterable_dataset():
    assert [b.tolist() for b in DataLoader(_Stream(), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(DataLoader(_Stream(), batch_size=3)) == 3
    assert [b.tolist() for b in DataLoader(_Stream(), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
        DataLoader(_Stream(), shuffle=True)


def test_datasets_and_random_split():
    class Squares(Dataset):
        def __getitem__(self, i):
            return i * i

        def __len__(self):
            return 5
    cat = Squares() + ConcatDataset([range(3)])
    assert len(cat) == 8 and cat[5] == 0 and cat[-1] == 2 and cat[4] == 16
    assert Subset(range(10), [2, 4])[1] == 4
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(ndgrad.zeros(3), ndgrad.zeros(4))
    parts = random_split(range(10), [0.7, 0.3], generator=ndgrad.Generator().manual_seed(0))
    again = random_split(range(10), [7, 3], generator=ndgrad.Generator().manual_seed(0))
    assert [list(p) for p in parts] == [list(p) for p in again]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(10), [3, 3])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        random_split(range(2), [0.9, 0.05, 0.05])
    assert any("is 0. This might result in an empty dataset" in str(x.message) for x in w)


def test_iterating_prints_nothing(capsys):
    for _ in DataLoader(_ds(), batch_size=2, shuffle=True):
        pass
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
