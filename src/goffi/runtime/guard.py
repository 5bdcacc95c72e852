"""How many Go runtimes a process may hold: the check every bundle passes before its library loads.

Each goffi bundle is a c-shared library with a Go runtime of its own. On Linux with
glibc, several runtimes in one process work (measured: see the README's "Several bundles
in one process"), so independently built bundles load side by side. Elsewhere (macOS,
Windows, musl; golang/go#18976, #65050, #36628), when ``$GOFFI_SINGLE_RUNTIME`` is set,
or when what several runtimes need cannot be set up, a process holds one Go runtime and a
second is refused with :class:`BundleConflictError`.

This module keys on the Go runtime itself, that is on the shared library file that
carries it (the loader maps one file once, however many times it is opened): loading the
same file again is always fine; a second file (another bundle, or a second copy of the
same bundle in another folder) is a second runtime. It also refuses subinterpreters:
bundles hold process-wide state (a Go runtime, a table of Go handles, callbacks) that
belongs to the main interpreter, so importing a bundle anywhere else raises
:class:`SubinterpreterError`.

The record is process-wide: the environment variable ``GOFFI_GO_RUNTIME`` holds the
process ID and each loaded library's file identity (one per line), so that a second copy
of goffi's runtime module (another install, or a reload) sees them too. Child processes
inherit the variable but not the runtimes; the process ID tells them it is not theirs.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading

# Nothing else at run time (a bundle imports this module when it loads).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ENV_VAR",
    "SINGLE_RUNTIME_VAR",
    "BundleConflictError",
    "SubinterpreterError",
    "claim_go_runtime",
    "in_subinterpreter",
    "single_runtime_reason",
]

#: The process-wide record of the loaded Go runtimes: "pid:device:inode:path" lines.
ENV_VAR = "GOFFI_GO_RUNTIME"
#: Set (to anything but "" or "0") to allow one Go runtime per process on Linux too.
SINGLE_RUNTIME_VAR = "GOFFI_SINGLE_RUNTIME"

_lock = threading.Lock()
# (device, inode, path) of the libraries this process loaded, in load order.
_claimed: list[tuple[int, int, str]] = []


class SubinterpreterError(ImportError):
    """A bundle was imported in a subinterpreter: goffi supports the main interpreter only."""


class BundleConflictError(ImportError):
    """A bundle cannot be loaded next to the ones this process holds: a second Go runtime
    where only one is allowed, a bundle name already taken, or Go sources that changed
    since this process loaded them."""


def in_subinterpreter() -> bool:
    """Whether this code runs in a subinterpreter (not the process's main interpreter)."""
    for name in ("_interpreters", "_xxsubinterpreters"):  # 3.13+, then 3.8-3.12
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        try:
            return bool(module.get_current() != module.get_main())
        except Exception:  # an API of another shape: cannot tell
            return False
    return False


def _glibc() -> bool:
    """Whether this process runs on glibc (musl has no CS_GNU_LIBC_VERSION)."""
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (AttributeError, ValueError, OSError):
        return False


#: Checks that can refuse several runtimes besides the platform and the switch (the C
#: runtime's preemption chain registers one when it cannot be installed): each returns
#: why only one runtime is possible, or None.
extra_checks: list[Callable[[], str | None]] = []


def single_runtime_reason() -> str | None:
    """Why this process may hold only one Go runtime, or None if it may hold several."""
    if os.environ.get(SINGLE_RUNTIME_VAR, "").strip() not in ("", "0"):
        return f"${SINGLE_RUNTIME_VAR} is set"
    if not sys.platform.startswith("linux"):
        return (
            f"several Go runtimes in one process work only on Linux with glibc, and this is {sys.platform} "
            "(golang/go#18976, #65050, #36628)"
        )
    if not _glibc():
        return "several Go runtimes in one process work only on Linux with glibc, and this C library is not glibc"
    for check in extra_checks:
        reason = check()
        if reason:
            return str(reason)
    return None


# States a bundle's native module reports (_sigurg(), goffi_sigurg.c) when its Go runtime
# could not join goffi's SIGURG chain.
_CHAIN_FAILED = ("the SIGURG handler in place is not this runtime's", "the chain is full")


def _sigurg_chain_reason() -> str | None:
    """Several runtimes keep asynchronous preemption only through goffi's SIGURG chain:
    refuse more of them once a loaded bundle's runtime could not join it."""
    for name, module in list(sys.modules.items()):
        if name.endswith("._bundle") and hasattr(module, "_sigurg"):
            state = module._sigurg().get("state")
            if state in _CHAIN_FAILED:
                return (
                    f"the Go runtime of bundle {name[: -len('._bundle')]!r} could not join goffi's SIGURG chain "
                    f"({state}), without which only the Go runtime loaded last can preempt goroutines"
                )
    return None


extra_checks.append(_sigurg_chain_reason)


def library_of(package: str) -> str | None:
    """The path of a bundle package's native library (its ``_bundle`` extension)."""
    try:
        spec = importlib.util.find_spec(package + "._bundle")
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.origin and os.path.exists(spec.origin) else None


def claim_go_runtime(package: str, library: str | None = None) -> None:
    """Refuse to load bundle ``package`` if its library would be a Go runtime this process may not hold.

    Call it before the library is loaded (refusing later is too late: the runtime
    starts when the library loads). Loading a library again (the same file) is always
    fine; a new one is fine unless :func:`single_runtime_reason` gives a reason and
    another is loaded. ``library`` defaults to the package's ``_bundle`` extension.
    """
    if in_subinterpreter():
        raise SubinterpreterError(
            f"cannot import goffi bundle {package!r} in a subinterpreter: goffi supports only the main "
            "interpreter (a bundle's Go runtime, handles and callbacks are process-wide). Import it in the "
            "main interpreter, or use a subprocess."
        )
    path = library or library_of(package)
    if path is None:
        return  # nothing to load: the import fails on its own, with its own message
    st = os.stat(path)
    mine = (st.st_dev, st.st_ino, os.path.realpath(path))
    with _lock:
        for entry in _recorded():
            if entry[:2] not in [c[:2] for c in _claimed]:
                _claimed.append(entry)
        # A claim whose load failed before its runtime started (a damaged build, which the
        # cache replaces) lapsed: it must not block the rebuilt library.
        if any(c[:2] != mine[:2] for c in _claimed):
            mapped = _mapped()
            _claimed[:] = [
                c for c in _claimed if c[:2] == mine[:2] or mapped is None or _in_maps(c[2], mapped)
            ]
        if any(c[:2] == mine[:2] for c in _claimed):
            return
        reason = single_runtime_reason() if _claimed else None
        if reason is None:
            _claimed.append(mine)
            os.environ[ENV_VAR] = "\n".join(f"{os.getpid()}:{d}:{i}:{p}" for d, i, p in _claimed)
            return
        other = _claimed[0][2]
    raise BundleConflictError(
        f"cannot load goffi bundle {package!r} from {mine[2]}: this process already runs the Go runtime of "
        f"{other}, and it can hold only one Go runtime ({reason}; two copies of the same bundle are two "
        "runtimes too). Import every bundle package from one place, or load the packages you need with one "
        "goffi.load(...) call."
    )


def _mapped() -> list[str] | None:
    """The lines of this process's memory map, or None where it cannot be read (then
    every claim is taken to hold)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            return [line.rstrip("\n") for line in maps]
    except OSError:
        return None


def _in_maps(path: str, lines: list[str]) -> bool:
    """Whether the library at ``path`` is mapped into this process. A claim is made before
    the library loads; if the loader then refused it (a damaged build, which the cache
    replaces), no Go runtime started and the claim must not block the rebuilt library."""
    return any(line.endswith((path, path + " (deleted)")) for line in lines)


def _recorded() -> list[tuple[int, int, str]]:
    """The libraries recorded in the environment by this process (not by a parent)."""
    found = []
    for line in os.environ.get(ENV_VAR, "").split("\n"):
        parts = line.split(":", 3)
        if len(parts) != 4 or parts[0] != str(os.getpid()):
            continue
        try:
            found.append((int(parts[1]), int(parts[2]), parts[3]))
        except ValueError:
            continue
    return found
