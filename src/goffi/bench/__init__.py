"""goffi's benchmark suite: ``python -m goffi.bench``.

It builds what it needs (the Go package in ``gobench/`` as a goffi bundle, which also
links a hand-written CPython "floor" module and plain C exports for ctypes), runs every
case against its baselines in interleaved rounds, prints the table with issue 5's
targets and writes it as JSON. Cases that start processes (a cold build, a warm load,
the memory of a million handles) run their contenders in new interpreters. ``--quick`` runs each case once with tiny sizes: the
smoke test uses it so the suite never rots; its numbers mean nothing.
"""

from __future__ import annotations

from goffi.bench.cli import main

__all__ = ["main"]
