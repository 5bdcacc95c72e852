"""The Python half of goffi's runtime: what every built bundle calls at import and run time.

Generated bundles import this module (never the build pipeline), so it stays small
and imports nothing heavy. It holds the exception classes Go errors and panics become,
and the one-bundle-per-process guard.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "BundleConflictError",
    "GoError",
    "GoObject",
    "GoPanic",
    "Record",
    "claim_bundle",
    "live_handles",
    "loaded_bundle",
]


class GoObject:
    """The base class of every Go object: a Python reference to one Go value.

    Each bridged Go type has a class deriving from this one (created by the bundle's
    native module). An object holds a handle into the bundle's handle table; while the
    object lives, Go keeps the value alive, and the same Go pointer is the same object.
    When the object is collected the handle is released.
    """

    __slots__ = ()
    __go_type__ = ""

    def __repr__(self) -> str:
        cls = type(self)
        name = cls.__go_type__ or cls.__qualname__
        method = getattr(self, "String", None) or getattr(self, "Error", None)
        if callable(method):
            try:
                return f"<{name} {method()!r}>"
            except Exception:  # a String() that panics must not break repr
                pass
        return f"<{name} object>"


class Record:
    """The base class of Go records: structs whose fields all copy (``type Point struct{X, Y int}``).

    A record crosses by value: Go gets a copy of the fields, and what Go returns is a
    new record. Subclasses are generated with ``__slots__`` naming the Go fields.
    """

    __slots__ = ()
    __go_type__ = ""

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        fields: tuple[str, ...] = type(self).__slots__
        return all(getattr(self, f) == getattr(other, f) for f in fields)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a dataclass

    def __repr__(self) -> str:
        names: tuple[str, ...] = type(self).__slots__
        fields = ", ".join(f"{f}={getattr(self, f)!r}" for f in names)
        return f"{type(self).__name__}({fields})"


def record_class(module: str, name: str) -> type[Record]:
    """A record class by module and name (generated code uses it for nested records' zero values)."""
    cls: type[Record] = getattr(importlib.import_module(module), name)
    return cls


def live_handles() -> int:
    """The number of Go values Python objects hold right now (0 before a bundle is loaded)."""
    bundle = _loaded
    module = sys.modules.get(f"{bundle.name}._bundle") if bundle is not None else None
    return int(module._live_handles()) if module is not None else 0


class GoError(Exception):
    """A Go function returned a non-nil ``error``.

    ``str(e)`` is Go's ``err.Error()``; :attr:`go_type` is the error's dynamic Go type
    as ``fmt``'s ``%T`` prints it (``*strconv.NumError``, ``*errors.errorString``).
    """

    def __init__(self, message: str, go_type: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.go_type = go_type

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, go_type={self.go_type!r})"


class GoPanic(Exception):
    """Go code panicked; goffi recovered the panic, so the interpreter and Go are fine.

    :attr:`value` is the panic value as text (``err.Error()`` for an error value),
    :attr:`go_type` its Go type (``runtime.Error`` for runtime faults such as an index
    out of range), :attr:`go_stack` the panicking goroutine's stack, which is also
    attached as a note so tracebacks show it.
    """

    def __init__(self, value: str, go_type: str = "", go_stack: str = "") -> None:
        super().__init__(value)
        self.value = value
        self.go_type = go_type
        self.go_stack = go_stack
        if go_stack and hasattr(self, "add_note"):
            self.add_note("Go stack of the panicking goroutine:\n" + go_stack.rstrip())

    def __str__(self) -> str:
        return f"Go panic: {self.value}"


class BundleConflictError(ImportError):
    """A second, separately built Go bundle was about to be loaded into this process."""


@dataclass(frozen=True)
class LoadedBundle:
    name: str  # Python package name
    key: str  # the content hash it was built under
    packages: tuple[str, ...]  # Go import paths (with @version where given), sorted


_lock = threading.Lock()
_loaded: LoadedBundle | None = None


def loaded_bundle() -> LoadedBundle | None:
    """The goffi bundle this process loaded, if any."""
    return _loaded


def claim_bundle(name: str, key: str, packages: Sequence[str]) -> None:
    """Record that this process loads bundle ``key``; refuse a different one.

    Every bundle carries its own Go runtime, and two Go runtimes in one process are
    unsupported (golang/go#18976, #65050): they crash on some platforms and only happen
    to work on others. So the first bundle wins, and the bundle's ``__init__`` calls this
    *before* its shared library is loaded, when refusing is still safe.
    """
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = LoadedBundle(name, key, tuple(sorted(packages)))
            return
        if _loaded.key == key:
            return
        raise BundleConflictError(
            f"cannot load goffi bundle {name!r} ({', '.join(sorted(packages))}): this process already "
            f"loaded bundle {_loaded.name!r} ({', '.join(_loaded.packages)}), and one process can hold "
            "only one Go runtime. Build all the Go packages you need into one bundle: "
            "goffi.load(" + ", ".join(repr(p) for p in sorted({*_loaded.packages, *packages})) + ")"
            " or `goffi build` with all of them."
        )
