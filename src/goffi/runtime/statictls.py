"""A bundle that cannot load because glibc's static TLS is full: a clear ImportError.

Every Go c-shared library, so every goffi bundle, is built with the initial-exec TLS
model (``DF_STATIC_TLS``: Go's thread-local ``g`` and goffi's thread-locals). glibc
places such a library's thread-locals in a reserve set aside when the program started,
which it cannot grow later; once it is used up (at about 70-80 Go runtimes in one process,
fewer when other libraries use it too), ``dlopen`` fails with "cannot allocate memory in
static TLS block" and CPython raises a bare ``ImportError`` with that text. A bundle's
``__init__`` hands such an error to :func:`explain_load_failure`, which says how many Go
runtimes the process already holds and what to do.

Imported only when a bundle's library fails to load, so it costs an import nothing.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["STATIC_TLS_MESSAGE", "explain_load_failure", "loaded_go_runtimes"]

#: What glibc's dlopen says when the static TLS reserve is used up.
STATIC_TLS_MESSAGE = "cannot allocate memory in static TLS block"

# Every Go c-shared library defines this (cgo's runtime support): one per Go runtime.
_GO_RUNTIME_SYMBOL = "_cgo_wait_runtime_init_done"


def loaded_go_runtimes() -> list[str]:
    """The shared libraries mapped into this process that carry a Go runtime (goffi bundles
    and any other Go c-shared library), in the order of the process's memory map."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = [line.split(None, 5)[5].strip() for line in maps if len(line.split(None, 5)) == 6]
    except OSError:
        return []
    found: list[str] = []
    for path in dict.fromkeys(p for p in paths if p.startswith("/") and ".so" in os.path.basename(p)):
        try:
            # RTLD_NOLOAD: only a library already loaded; nothing new starts.
            lib = ctypes.CDLL(path, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        except OSError:
            continue
        if hasattr(lib, _GO_RUNTIME_SYMBOL):
            found.append(path)
    return found


def explain_load_failure(package: str, error: ImportError) -> ImportError | None:
    """The ImportError to raise instead of ``error`` (the bundle ``package``'s library failed
    to load), or None when goffi has nothing to add to it."""
    if STATIC_TLS_MESSAGE not in str(error):
        return None
    runtimes = loaded_go_runtimes()
    return ImportError(
        f"cannot load goffi bundle {package!r}: glibc has no static TLS left for another Go runtime "
        f"(this process already holds {len(runtimes)} Go runtime{'' if len(runtimes) == 1 else 's'}: "
        "each goffi bundle, and each other Go shared library, is one, and glibc's reserve for them "
        "cannot grow after start-up; it fits about 70). Load fewer Go runtimes: where you control it, "
        "build the Go packages you need into one bundle (one goffi.load(...) or `goffi build` with all "
        "of them); or enlarge the reserve before Python starts, e.g. "
        "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384 python ... "
        f"(glibc said: {error})",
        name=package,
    )
