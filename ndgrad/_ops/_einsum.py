"""einsum: NumPy's kernel; the VJP of each operand is again an einsum."""
import numpy as np

from .._tensor import _wrap
from ._core import defop, needs_grad, record


def _parse(eq, n):
    eq = eq.replace(" ", "")
    if "->" in eq:
        ins, out = eq.split("->")
    else:
        ins = eq
        letters = ins.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    subs = ins.split(",")
    if len(subs) != n:
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(subs) < n else
                           "einsum(): fewer operands were provided than specified in the equation")
    return subs, out


def _einsum_vjp(ctx, g):
    subs, out = ctx._params
    xs = ctx.saved
    grads = []
    for i, n in enumerate(ctx._needs):
        if not n:
            grads.append(None)
            continue
        others = [x for j, x in enumerate(xs) if j != i]
        osubs = [s for j, s in enumerate(subs) if j != i]
        target = subs[i]
        # letters of the operand absent from output and other operands are summed: broadcast back
        avail = set(out).union(*osubs) if osubs else set(out)
        kept = "".join(c for c in target if c in avail)
        if len(set(target)) != len(target):
            raise RuntimeError("einsum backward with repeated indices in one operand is not supported")
        r = einsum(",".join([out] + osubs) + "->" + kept, g, *others)
        if kept != target:
            shape = ctx._meta[i][0]
            r = r.reshape([shape[k] if c in kept else 1 for k, c in enumerate(target)]).expand(shape)
        grads.append(r)
    return tuple(grads)


EINSUM = defop("einsum", None, _einsum_vjp, node="EinsumBackward0", save=tuple(range(8)))


_BY_ARITY = {8: EINSUM}


def _einsum_op(n):
    """EINSUM for ``n`` operands: a save spec may only name inputs that exist (record indexes them)."""
    op = _BY_ARITY.get(n)
    if op is None:
        op = _BY_ARITY[n] = defop(f"einsum_{n}", None, _einsum_vjp, node="EinsumBackward0", save=tuple(range(n)),
                                  jvp=EINSUM.jvp)
    return op


def einsum(equation, *operands):
    if "..." in equation:
        arr = np.einsum(equation, *[o._data for o in operands])
        if needs_grad(*operands):
            raise RuntimeError("einsum with '...' is not differentiable in ndgrad yet; spell out the dims")
        return _wrap(np.asarray(arr))
    subs, out = _parse(equation, len(operands))
    arr = np.asarray(np.einsum(",".join(subs) + "->" + out, *[o._data for o in operands]))
    t = _wrap(arr)
    if needs_grad(*operands):
        if len(operands) > 8:
            raise RuntimeError("einsum: at most 8 operands are differentiable")
        record(_einsum_op(len(operands)), t, tuple(operands), (subs, out))
    return t
