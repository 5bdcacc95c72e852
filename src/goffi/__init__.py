"""goffi: import Go packages into Python at native-call speed.

>>> import goffi
>>> strings, strconv = goffi.load("strings", "strconv")
>>> strings.ToUpper("héllo")
'HÉLLO'

Go errors raise :class:`GoError`, Go panics :class:`GoPanic`; see the README for the
type table and ``goffi inspect PKG`` for what each package's symbols become.

This package's ``__init__`` stays light: built bundles import ``goffi.runtime`` (which
imports this first), so ``goffi.load`` and the build pipeline behind it, the build
errors and :class:`CacheWarning` load on first use (PEP 562), not at import.
"""

from goffi._version import __version__
from goffi.runtime import (
    BundleConflictError,
    GoError,
    GoObject,
    GoPanic,
    GoTime,
    Record,
    SubinterpreterError,
    live_handles,
)

# typing is not imported at run time (bundles import this package; see goffi.runtime).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from goffi.errors import BuildError, ExtractionError, GoffiError, SpecError, ToolchainError
    from goffi.loader import load
    from goffi.runtime.bridge import (
        CLOSED,
        Channel,
        ChannelClosed,
        OwnerThread,
        collect_go,
        make_chan,
        select,
    )
    from goffi.store import CacheWarning

# Names loaded on first use, by the module that defines them.
_LAZY = {
    "BuildError": "goffi.errors",
    "ExtractionError": "goffi.errors",
    "GoffiError": "goffi.errors",
    "SpecError": "goffi.errors",
    "ToolchainError": "goffi.errors",
    "load": "goffi.loader",
    "CacheWarning": "goffi.store",
    **dict.fromkeys(
        ("CLOSED", "Channel", "ChannelClosed", "OwnerThread", "collect_go", "make_chan", "select"),
        "goffi.runtime.bridge",
    ),
}

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
    "SubinterpreterError",
    "ToolchainError",
    "__version__",
    "collect_go",
    "live_handles",
    "load",
    "make_chan",
    "select",
]


def __getattr__(name: str) -> "Any":
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'goffi' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
