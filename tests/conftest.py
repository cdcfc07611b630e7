import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def _restore_defaults():
    """Tests may change the default dtype or print options; put them back."""
    import ndgrad
    yield
    ndgrad.set_default_dtype(ndgrad.float32)
    try:
        ndgrad.set_printoptions(profile="default")
    except Exception:
        pass
