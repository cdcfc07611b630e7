"""A small progress bar for training loops: tqdm when installed, else a one-line bar on stderr.

Silent when stderr is not a terminal (logs, CI, pipes) unless ``force=True``.

>>> from ndgrad.utils.progress import progress
>>> for x, y in progress(loader, desc="epoch 1"):
...     ...
>>> bar = progress(total=100, desc="train")
>>> bar.update(10); bar.set_postfix(loss=0.25); bar.close()
"""
import sys
import time

__all__ = ["progress", "ProgressBar"]


def _fmt_time(s):
    s = int(s)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class ProgressBar:
    """Our own bar: ``desc: 45%|#####     | 45/100 [00:02<00:03, 20.1it/s, loss=0.123]``."""

    def __init__(self, iterable=None, total=None, desc=None, file=None, disable=False, leave=True, unit="it",
                 mininterval=0.1, width=24):
        if total is None and iterable is not None:
            try:
                total = len(iterable)
            except (TypeError, AttributeError):
                total = None
        self.iterable, self.total, self.desc, self.unit = iterable, total, desc, unit
        self.file = file if file is not None else sys.stderr
        self.disable, self.leave, self.mininterval, self.width = disable, leave, mininterval, width
        self.n = 0
        self.postfix = ""
        self.start = self._last = time.monotonic()
        self._closed = False

    def __iter__(self):
        if self.iterable is None:
            raise TypeError("this progress bar has no iterable; call update() instead")
        try:
            for item in self.iterable:
                yield item
                self.update(1)
        finally:
            self.close()

    def __len__(self):
        return self.total or 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def update(self, n=1):
        """Advances the count by ``n`` and redraws (at most every ``mininterval`` seconds)."""
        self.n += n
        now = time.monotonic()
        if now - self._last >= self.mininterval or (self.total is not None and self.n >= self.total):
            self._last = now
            self._draw()

    def set_postfix(self, ordered_dict=None, refresh=True, **kwargs):
        """Values shown after the rate, e.g. ``set_postfix(loss=0.25)``."""
        items = dict(ordered_dict or {}, **kwargs)
        self.postfix = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in items.items())
        if refresh:
            self._draw()

    def set_description(self, desc=None, refresh=True):
        self.desc = desc
        if refresh:
            self._draw()

    def format(self):
        """The bar's current line (without the carriage return)."""
        elapsed = time.monotonic() - self.start
        rate = self.n / elapsed if elapsed > 0 else 0.0
        head = f"{self.desc}: " if self.desc else ""
        tail = f", {self.postfix}" if self.postfix else ""
        speed = f"{rate:.2f}{self.unit}/s" if rate else f"?{self.unit}/s"
        if self.total:
            frac = min(self.n / self.total, 1.0)
            fill = int(frac * self.width)
            left = (self.total - self.n) / rate if rate else 0.0
            return (f"{head}{frac * 100:3.0f}%|{'#' * fill}{' ' * (self.width - fill)}| {self.n}/{self.total} "
                    f"[{_fmt_time(elapsed)}<{_fmt_time(left)}, {speed}{tail}]")
        return f"{head}{self.n}{self.unit} [{_fmt_time(elapsed)}, {speed}{tail}]"

    def _draw(self):
        if self.disable or self._closed:
            return
        self.file.write("\r" + self.format())
        self.file.flush()

    def close(self):
        if self._closed:
            return
        if not self.disable:
            self._draw()
            self.file.write("\n" if self.leave else "\r")
            self.file.flush()
        self._closed = True


def _is_tty(file):
    try:
        return file.isatty()
    except (AttributeError, ValueError):
        return False


def progress(iterable=None, total=None, desc=None, *, file=None, force=False, disable=None, leave=True, unit="it",
             use_tqdm=True, **kwargs):
    """A progress bar over ``iterable`` (or a manual one with ``total``): tqdm's when installed.

    Shown only when ``file`` (stderr) is a terminal, or with ``force=True``; ``disable=True`` hides it.

    >>> for batch in progress(loader, desc="train"):
    ...     ...
    """
    out = file if file is not None else sys.stderr
    if disable is None:
        disable = not (force or _is_tty(out))
    if use_tqdm:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            return tqdm(iterable, total=total, desc=desc, file=out, disable=disable, leave=leave, unit=unit,
                        **kwargs)
    return ProgressBar(iterable, total=total, desc=desc, file=out, disable=disable, leave=leave, unit=unit,
                       **kwargs)
