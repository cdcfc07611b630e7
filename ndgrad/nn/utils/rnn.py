"""Sequence helpers: pad_sequence (and unpad_sequence)."""
from ..._creation import full
from ..._ops._join import stack

__all__ = ["pad_sequence", "unpad_sequence"]


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Pads a list of (L_i, *) tensors to (L_max, B, *) (or (B, L_max, *) with ``batch_first``).

    >>> import ndgrad as torch
    >>> from ndgrad.nn.utils.rnn import pad_sequence
    >>> pad_sequence([torch.ones(2), torch.ones(3)], batch_first=True)
    tensor([[1., 1., 0.],
            [1., 1., 1.]])
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    n = max(s.shape[0] for s in sequences)
    rows = []
    for s in sequences:
        k = n - s.shape[0]
        if k:
            pad = full((k,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
            from ..._ops._join import cat
            s = cat([s, pad] if padding_side == "right" else [pad, s])
        rows.append(s)
    return stack(rows, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(n)] for seq, n in zip(padded_sequences, lengths)]
