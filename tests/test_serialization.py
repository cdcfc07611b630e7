"""ndgrad.save / ndgrad.load: round trips, and refusals that never run code from the file."""
import collections
import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import ndgrad
from _torch import needs_torch, torch


class _Evil:
    """Unpickling this would create the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('pwned')",))


@pytest.fixture
def marker(tmp_path):
    path = str(tmp_path / "ran")
    yield path
    assert not os.path.exists(path), "loading ran code from the file"


def _roundtrip(obj):
    buf = io.BytesIO()
    ndgrad.save(obj, buf)
    buf.seek(0)
    return ndgrad.load(buf)


def test_tensors_and_plain_values(tmp_path):
    w = ndgrad.randn(3, 2, requires_grad=True)
    obj = {"w": w, "again": w, "i": ndgrad.arange(4), "h": ndgrad.ones(2, dtype=ndgrad.float16),
           "s": ndgrad.tensor(2.5, dtype=ndgrad.float64), "m": ndgrad.tensor([True, False]),
           "x": [1, 2.5, "s", None, True, (3, float("inf"))], 7: {"nested": b"bytes"}, "big": 2 ** 80,
           "od": collections.OrderedDict(b=1, a=2), "dt": ndgrad.int32, "size": ndgrad.Size([2, 3]), "dev": ndgrad.device("cpu"),
           "np": np.arange(3.0), "npf": np.float32(1.5)}
    path = tmp_path / "obj.pt"
    ndgrad.save(obj, path)
    r = ndgrad.load(path, map_location="cpu", weights_only=True)
    assert r.keys() == obj.keys()
    for k in ("w", "i", "h", "s", "m"):
        assert r[k].dtype == obj[k].dtype and r[k].shape == obj[k].shape
        np.testing.assert_array_equal(r[k].detach().numpy(), obj[k].detach().numpy())
    assert r["w"].requires_grad and r["w"].is_leaf and r["again"] is r["w"]
    assert r["x"] == obj["x"] and r[7] == obj[7] and r["big"] == obj["big"]
    assert type(r["od"]) is collections.OrderedDict and list(r["od"]) == ["b", "a"]
    assert r["dt"] is ndgrad.int32 and r["size"] == ndgrad.Size([2, 3]) and r["dev"] == ndgrad.device("cpu")
    np.testing.assert_array_equal(r["np"], obj["np"])
    assert r["npf"] == np.float32(1.5) and r["npf"].dtype == np.float32


def test_loaded_tensors_do_not_alias_the_saved_ones():
    t = ndgrad.zeros(3)
    r = _roundtrip(t)
    r.add_(1)
    assert t.sum().item() == 0


def test_optimizer_state_roundtrip_through_save_load():
    w = ndgrad.tensor([1.0, -2.0], requires_grad=True)
    opt = ndgrad.optim.Adam([w], lr=0.1, amsgrad=True)
    for _ in range(3):
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
    sd = _roundtrip(opt.state_dict())
    w2 = ndgrad.tensor([1.0, -2.0], requires_grad=True)
    opt2 = ndgrad.optim.Adam([w2], lr=0.5)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == 0.1 and opt2.param_groups[0]["amsgrad"] is True
    for k, v in opt.state[w].items():
        np.testing.assert_array_equal(opt2.state[w2][k].numpy(), v.numpy())


@pytest.mark.parametrize("obj", [object(), {"f": lambda x: x}, [ndgrad.optim], {1, 2}])
def test_save_refuses_what_needs_pickle(obj):
    with pytest.raises(TypeError, match="ndgrad.save can't store"):
        _roundtrip(obj)


def test_nesting_limit():
    deep = []
    for _ in range(150):
        deep = [deep]
    assert _roundtrip(deep) == deep
    for _ in range(100):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 200 levels deep"):
        _roundtrip(deep)


def test_save_refuses_cycles():
    a = []
    a.append(a)
    with pytest.raises(ValueError, match="cycle"):
        _roundtrip(a)


def _saved_bytes():
    buf = io.BytesIO()
    ndgrad.save({"w": ndgrad.ones(100), "b": ndgrad.zeros(3)}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("cut", [0, 4, 100, 0.5, -30, -1])
def test_truncated_files_are_refused(cut, tmp_path):
    data = _saved_bytes()
    n = int(len(data) * cut) if isinstance(cut, float) else cut
    path = tmp_path / "cut.pt"
    path.write_bytes(data[:n] if n else b"")
    with pytest.raises(RuntimeError, match="damaged or truncated"):
        ndgrad.load(path)


def test_flipped_bytes_are_refused(tmp_path):
    data = bytearray(_saved_bytes())
    i = data.find(b"\x93NUMPY") + 200
    data[i] ^= 0xFF
    path = tmp_path / "flip.pt"
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="damaged or truncated"):
        ndgrad.load(path)


def _zip(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    buf.seek(0)
    return buf


@pytest.mark.parametrize("manifest,msg", [
    (b"{not json", "unreadable manifest"),
    (json.dumps({"format": "other"}), "not an ndgrad.save manifest"),
    (json.dumps({"format": "ndgrad.save", "version": 99, "root": {"t": "none"}, "arrays": []}), "version 99"),
    (json.dumps({"format": "ndgrad.save", "version": 1, "root": {"t": "evil"}, "arrays": []}), "unknown entry"),
    (json.dumps({"format": "ndgrad.save", "version": 1, "arrays": [],
                 "root": {"t": "tensor", "a": 0, "dtype": "float32"}}), "out of range"),
    (json.dumps({"format": "ndgrad.save", "version": 1, "arrays": [["<f4", [2]]],
                 "root": {"t": "tensor", "a": 0, "dtype": "float32"}}), "missing entry"),
    (json.dumps({"format": "ndgrad.save", "version": 1, "arrays": [],
                 "root": {"t": "list", "v": [{"t": "int"}]}}), "malformed manifest"),
    ('{"format": "ndgrad.save", "version": 1, "arrays": [], "root": ' + "[" * 100000 + "]" * 100000 + "}",
     "ndgrad file"),
])
def test_malformed_manifests_are_refused(manifest, msg):
    with pytest.raises(RuntimeError, match=msg):
        ndgrad.load(_zip({"ndgrad_manifest.json": manifest}))


def test_compressed_entries_are_refused():
    """A decompression bomb never gets inflated: ndgrad.save stores entries uncompressed."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("ndgrad_manifest.json", json.dumps({"format": "ndgrad.save", "version": 1, "arrays": [],
                                                       "root": {"t": "none"}}))
        z.writestr("arrays/0.npy", b"\0" * 10_000_000)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="is compressed"):
        ndgrad.load(buf)


def test_pickled_numpy_entry_is_refused(marker):
    arr = np.empty(1, dtype=object)
    arr[0] = _Evil(marker)
    npy = io.BytesIO()
    np.save(npy, arr, allow_pickle=True)
    manifest = json.dumps({"format": "ndgrad.save", "version": 1, "arrays": [["|O", [1]]],
                           "root": {"t": "ndarray", "a": 0}})
    with pytest.raises(RuntimeError, match="unreadable"):
        ndgrad.load(_zip({"ndgrad_manifest.json": manifest, "arrays/0.npy": npy.getvalue()}))


def test_malicious_pickle_is_refused(marker, tmp_path):
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(_Evil(marker)))
    with pytest.raises(pickle.UnpicklingError, match="never unpickles"):
        ndgrad.load(path)
    with pytest.raises(pickle.UnpicklingError, match="never unpickles"):
        ndgrad.load(path, weights_only=False)


def test_malicious_pickle_in_a_torch_style_zip_is_refused(marker):
    with pytest.raises(pickle.UnpicklingError, match="torch.save"):
        ndgrad.load(_zip({"archive/data.pkl": pickle.dumps(_Evil(marker)), "archive/version": b"3"}))


@needs_torch
def test_torch_save_files_are_refused(tmp_path):
    for kw in ({}, {"_use_new_zipfile_serialization": False}):
        path = tmp_path / "torch.pt"
        torch.save({"w": torch.ones(2)}, path, **kw)
        with pytest.raises(pickle.UnpicklingError, match="never unpickles"):
            ndgrad.load(path)


def test_wrong_types(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("hello world")
    with pytest.raises(pickle.UnpicklingError, match="invalid load key, 'h'"):
        ndgrad.load(path)
    with pytest.raises(TypeError, match="path or a binary file"):
        ndgrad.load(12)
    with open(path) as fh, pytest.raises(TypeError, match="binary mode"):
        ndgrad.load(fh)
    with pytest.raises(RuntimeError, match="no ndgrad_manifest.json"):
        ndgrad.load(_zip({"other.txt": b"x"}))


def test_parameters_and_module_state_dicts():
    nn = pytest.importorskip("ndgrad.nn")
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    r = _roundtrip({"sd": model.state_dict(), "p": model[0].weight})
    assert isinstance(r["p"], nn.Parameter) and r["p"].requires_grad
    assert list(r["sd"]) == list(model.state_dict())
    model.load_state_dict(r["sd"])
    with pytest.raises(TypeError, match="save a module's or optimizer's state_dict"):
        _roundtrip(model)
