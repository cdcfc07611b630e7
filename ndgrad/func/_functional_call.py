"""``functional_call``: run a module with the given parameters and buffers in place of its own."""
import contextlib


def _owner(module, name):
    """``(submodule, attribute)`` for a dotted name such as ``"0.weight"``."""
    *path, attr = name.split(".")
    mod = module
    for p in path:
        mod = getattr(mod, p)
    return mod, attr


@contextlib.contextmanager
def _swapped(module, tensors, strict):
    params = dict(module.named_parameters(remove_duplicate=False)) if strict else None
    buffers = dict(module.named_buffers(remove_duplicate=False)) if strict else None
    if strict:
        missing = [k for k in list(params) + list(buffers) if k not in tensors]
        unexpected = [k for k in tensors if k not in params and k not in buffers]
        if missing or unexpected:
            parts = []
            if unexpected:
                parts.append("Unexpected key(s): " + ", ".join(f"'{k}'" for k in unexpected) + ".")
            if missing:
                parts.append("Missing key(s): " + ", ".join(f"'{k}'" for k in missing) + ".")
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
                type(module).__name__, "\n\t".join(parts)))
    saved = []
    try:
        for name, t in tensors.items():
            mod, attr = _owner(module, name)
            for store in ("_parameters", "_buffers"):
                d = mod.__dict__.get(store)
                if d is not None and attr in d:
                    saved.append((d, attr, d[attr]))
                    d[attr] = t
                    break
            else:
                saved.append((mod.__dict__, attr, mod.__dict__.get(attr, _MISSING)))
                mod.__dict__[attr] = t
        yield
    finally:
        for d, attr, old in reversed(saved):
            if old is _MISSING:
                d.pop(attr, None)
            else:
                d[attr] = old


_MISSING = object()


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Calls ``module(*args, **kwargs)`` with its parameters/buffers replaced by the given tensors.

    >>> lin = ndgrad.nn.Linear(2, 1)
    >>> params = {k: v.detach() for k, v in lin.named_parameters()}
    >>> ndgrad.func.functional_call(lin, params, (ndgrad.ones(2),)).shape
    torch.Size([1])
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        tensors = parameter_and_buffer_dicts
    else:
        tensors = {}
        for d in parameter_and_buffer_dicts:
            for k, v in d.items():
                if k in tensors:
                    raise ValueError(f"{k} appeared in multiple dictionaries; behavior of functional call is "
                                     "ambiguous")
                tensors[k] = v
    if tie_weights:
        # names sharing one tensor in the module get the given value together
        by_id = {}
        for k, p in list(module.named_parameters(remove_duplicate=False)) + list(
                module.named_buffers(remove_duplicate=False)):
            by_id.setdefault(id(p), []).append(k)
        extra = {}
        for names in by_id.values():
            given = [n for n in names if n in tensors]
            if given:
                for n in names:
                    if n not in tensors:
                        extra[n] = tensors[given[0]]
        tensors = {**tensors, **extra}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, tensors, strict):
        return module(*args, **(kwargs or {}))
