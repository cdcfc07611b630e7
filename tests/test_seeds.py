"""The seed examples (../shared/seeds) run on ndgrad and print what PyTorch printed."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECK = os.path.join(ROOT, "..", "shared", "seeds", "check.py")


@pytest.mark.skipif(not os.path.exists(CHECK), reason="../shared/seeds/check.py not present beside the checkout")
def test_seed_examples_match_pytorch_output():
    pytest.importorskip("matplotlib", reason="the seed examples draw figures with matplotlib")
    r = subprocess.run([sys.executable, CHECK, "--lib", "ndgrad", "-j", "2", "--timeout", "120"],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    last = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else ""
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert last.endswith(" 0 failed"), last
