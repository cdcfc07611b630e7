"""The progress bar: silent off a terminal, drawn when forced, tqdm-compatible calls."""
import io

from ndgrad.utils.progress import ProgressBar, progress


def test_silent_when_not_a_tty():
    out = io.StringIO()
    assert list(progress(range(5), file=out, use_tqdm=False)) == list(range(5))
    assert out.getvalue() == ""


def test_forced_bar_draws_counts_and_postfix():
    out = io.StringIO()
    bar = progress(range(4), desc="train", file=out, force=True, use_tqdm=False, mininterval=0)
    for i in bar:
        bar.set_postfix(loss=0.5 / (i + 1))
    text = out.getvalue()
    assert "train: 100%|" in text and "4/4" in text and "loss=0.125" in text and text.endswith("\n")


def test_manual_bar_without_total():
    out = io.StringIO()
    with ProgressBar(total=None, file=out, unit="batch", mininterval=0) as bar:
        bar.update(3)
    assert "3batch" in out.getvalue()
