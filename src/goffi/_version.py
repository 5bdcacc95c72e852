"""goffi's version, and the Python it needs (imported first by ``import goffi``)."""

import sys

__version__ = "0.1.0"

MIN_PYTHON = (3, 10)  # pyproject.toml's requires-python

# pip refuses to install goffi on an older Python; this catches a checkout on sys.path,
# before a newer syntax fails somewhere less clear.
if sys.version_info < MIN_PYTHON:
    raise ImportError(
        f"goffi needs Python >= {MIN_PYTHON[0]}.{MIN_PYTHON[1]}; this is Python "
        f"{sys.version.split()[0]} ({sys.executable}). Run goffi with a newer Python."
    )
