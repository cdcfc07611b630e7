"""Minimal pytrees (tuples, lists, dicts, namedtuples of tensors) for the transforms."""


def tree_flatten(x):
    """``(leaves, spec)``; leaves are the non-container values in order."""
    if isinstance(x, (tuple, list)):
        leaves, specs = [], []
        for el in x:
            lv, sp = tree_flatten(el)
            leaves += lv
            specs.append((len(lv), sp))
        kind = type(x) if hasattr(x, "_fields") else (tuple if isinstance(x, tuple) else list)
        return leaves, (kind, None, specs)
    if isinstance(x, dict):
        keys = list(x)
        leaves, specs = [], []
        for k in keys:
            lv, sp = tree_flatten(x[k])
            leaves += lv
            specs.append((len(lv), sp))
        return leaves, (dict, keys, specs)
    return [x], None


def tree_unflatten(leaves, spec):
    """Inverse of ``tree_flatten``."""
    leaves = list(leaves)
    if spec is None:
        return leaves[0]
    kind, keys, specs = spec
    out, i = [], 0
    for n, sp in specs:
        out.append(tree_unflatten(leaves[i:i + n], sp))
        i += n
    if kind is dict:
        return dict(zip(keys, out))
    if kind is list:
        return out
    if kind is tuple:
        return tuple(out)
    return kind(*out)


def tree_map(fn, x):
    leaves, spec = tree_flatten(x)
    return tree_unflatten([fn(v) for v in leaves], spec)
