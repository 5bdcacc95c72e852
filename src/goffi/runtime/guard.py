"""One Go runtime per process: the check every bundle passes before its library loads.

Each goffi bundle is a c-shared library with a Go runtime of its own, and two Go
runtimes in one process are unsupported (golang/go#18976, #65050). Two *different*
bundles are refused by :func:`goffi.runtime.claim_bundle` by their build key; this
module refuses what that check cannot see, by keying on the Go runtime itself, that is
on the shared library file that carries it (the loader maps one file once, however
many times it is opened):

* two copies of the same bundle (the same key) in two folders: two files, two runtimes;
* a bundle imported by a second copy of goffi's own runtime module (another install,
  or a reload), which has its own Python-level record;
* a subinterpreter: bundles hold process-wide state (one Go runtime, one table of Go
  handles, one set of callbacks) that belongs to the main interpreter, so importing a
  bundle anywhere else is refused with :class:`SubinterpreterError`.

The record is process-wide: the environment variable ``GOFFI_GO_RUNTIME`` holds the
process ID and the library's file identity. Child processes inherit the variable but
not the runtime; the process ID tells them it is not theirs.

Everything here is in :func:`claim_go_runtime`, so that a later policy (several
runtimes on Linux, say) replaces one function.
"""

from __future__ import annotations

import importlib.util
import os
import threading

__all__ = ["ENV_VAR", "BundleConflictError", "SubinterpreterError", "claim_go_runtime", "in_subinterpreter"]

#: The process-wide record of the loaded Go runtime: "pid:device:inode:path".
ENV_VAR = "GOFFI_GO_RUNTIME"

_lock = threading.Lock()
_claimed: tuple[int, int, str] | None = None  # (device, inode, path) of this process's library


class SubinterpreterError(ImportError):
    """A bundle was imported in a subinterpreter: goffi supports the main interpreter only."""


class BundleConflictError(ImportError):
    """A second Go runtime was about to be loaded into this process: another bundle, or a
    second copy of the same one."""


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


def library_of(package: str) -> str | None:
    """The path of a bundle package's native library (its ``_bundle`` extension)."""
    try:
        spec = importlib.util.find_spec(package + "._bundle")
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.origin and os.path.exists(spec.origin) else None


def claim_go_runtime(package: str, library: str | None = None) -> None:
    """Refuse to load bundle ``package`` unless its library is this process's Go runtime.

    Call it before the library is loaded (refusing later is too late: the runtime
    starts when the library loads). The first library claimed wins; loading it again
    (the same file) is fine. ``library`` defaults to the package's ``_bundle`` extension.
    """
    global _claimed
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
        other = _claimed or _recorded()
        if other is not None and not _still_loaded(other[2]):
            other = None  # its load failed before the runtime started: the claim lapsed
        if other is None:
            _claimed = mine
            os.environ[ENV_VAR] = f"{os.getpid()}:{mine[0]}:{mine[1]}:{mine[2]}"
            return
        if other[:2] == mine[:2]:
            _claimed = other
            return
    raise BundleConflictError(
        f"cannot load goffi bundle {package!r} from {mine[2]}: this process already runs the Go runtime of "
        f"{other[2]}, and one process can hold only one Go runtime (two copies of the same bundle are two "
        "runtimes too). Import every bundle package from one place, or load the packages you need with one "
        "goffi.load(...) call."
    )


def _still_loaded(path: str) -> bool:
    """Whether the library at ``path`` is mapped into this process. A claim is made before
    the library loads; if the loader then refused it (a damaged build, which the cache
    replaces), no Go runtime started and the claim must not block the rebuilt library.
    Where the process's mappings cannot be read, a claim is taken to hold."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            return any(line.rstrip("\n").endswith((path, path + " (deleted)")) for line in maps)
    except OSError:
        return True


def _recorded() -> tuple[int, int, str] | None:
    """The library recorded in the environment by this process (not by a parent)."""
    value = os.environ.get(ENV_VAR, "")
    parts = value.split(":", 3)
    if len(parts) != 4 or parts[0] != str(os.getpid()):
        return None
    try:
        return int(parts[1]), int(parts[2]), parts[3]
    except ValueError:
        return None
