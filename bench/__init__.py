"""Benchmark suite: ndgrad against PyTorch eager and a NumPy floor (issue 5).

Run ``python -m bench`` (or ``python bench/run.py``) from the repository root;
``python -m bench --help`` lists the options. Kept import-free so a worker's
import-time measurement sees a clean interpreter.
"""
