"""``python -m goffi.bench``: run the benchmark suite (see goffi.bench.cli)."""

from __future__ import annotations

import sys

from goffi.bench.cli import main

sys.exit(main())
