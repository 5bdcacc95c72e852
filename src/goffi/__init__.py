"""goffi: import Go packages into Python at native-call speed.

>>> import goffi
>>> strings, strconv = goffi.load("strings", "strconv")
>>> strings.ToUpper("héllo")
'HÉLLO'

Go errors raise :class:`GoError`, Go panics :class:`GoPanic`; see the README for the
type table and ``goffi inspect PKG`` for what each package's symbols become.
"""

from goffi._version import __version__
from goffi.errors import BuildError, ExtractionError, GoffiError, SpecError, ToolchainError
from goffi.loader import load
from goffi.runtime import BundleConflictError, GoError, GoObject, GoPanic, Record, live_handles

__all__ = [
    "BuildError",
    "BundleConflictError",
    "ExtractionError",
    "GoError",
    "GoObject",
    "GoPanic",
    "GoffiError",
    "Record",
    "SpecError",
    "ToolchainError",
    "__version__",
    "live_handles",
    "load",
]
