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
from goffi.runtime import (
    CLOSED,
    BundleConflictError,
    Channel,
    ChannelClosed,
    GoError,
    GoObject,
    GoPanic,
    GoTime,
    OwnerThread,
    Record,
    collect_go,
    live_handles,
    make_chan,
    select,
)
from goffi.store import CacheWarning

__all__ = [
    "CLOSED",
    "BuildError",
    "BundleConflictError",
    "CacheWarning",
    "Channel",
    "ChannelClosed",
    "ExtractionError",
    "GoError",
    "GoObject",
    "GoPanic",
    "GoTime",
    "GoffiError",
    "OwnerThread",
    "Record",
    "SpecError",
    "ToolchainError",
    "__version__",
    "collect_go",
    "live_handles",
    "load",
    "make_chan",
    "select",
]
