"""The Python half of goffi's runtime: what every built bundle calls at import and run time.

Generated bundles import this package and nothing else of goffi: ``goffi.runtime``
(this module: the base classes, Go errors as exceptions, time conversion, the
registry of loaded bundles and the ABI check), ``goffi.runtime.guard`` (how many Go
runtimes a process may hold) and, for bundles with channels or funcs, ``goffi.runtime.bridge``. Neither imports the build pipeline (``goffi.build``,
``plan``, ``render``, ``typemap``, ``surface``, ``workspace``, ``toolchain``), nor
``asyncio`` or ``subprocess`` (``asyncio`` loads on the first ``async for`` over a
channel); ``goffi/__init__.py`` loads ``goffi.load`` and the build errors lazily, so
importing a warm bundle stays within a few milliseconds of bare Python. Test
``tests/test_runtime_split.py`` keeps it that way.
"""

from __future__ import annotations

import datetime
import importlib
import os
import sys
import threading
import weakref

from goffi.runtime.guard import BundleConflictError, SubinterpreterError, claim_go_runtime

# Nothing else at run time: typing and collections alone cost more than this module (a
# bundle's import is measured against bare Python). Annotations are strings here.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType
    from typing import Any, ClassVar

#: The version of the interface between generated bundles and this runtime (the Python
#: names bundles call, and what the bundle's C half expects of them). Every bundle bakes
#: in the version it was generated for, and its ``__init__`` refuses to load against a
#: runtime of another version (see :func:`check_abi`). Bump it whenever generated code
#: or the C runtime would no longer work with the previous runtime, or the reverse.
ABI_VERSION = 2

__all__ = [
    "ABI_VERSION",
    "BundleConflictError",
    "GoError",
    "GoObject",
    "GoPanic",
    "GoTime",
    "Record",
    "SubinterpreterError",
    "check_abi",
    "claim_bundle",
    "live_handles",
    "loaded_bundle",
    "loaded_bundles",
    "register_errors",
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


def _fields_eq(self: GoObject, other: object) -> bool:
    if type(other) is not type(self):
        return NotImplemented  # type: ignore[no-any-return]
    fields: tuple[str, ...] = type(self).__goffi_fields__  # type: ignore[attr-defined]
    return all(bool(getattr(self, f) == getattr(other, f)) for f in fields)


def _fields_repr(self: GoObject) -> str:
    fields: tuple[str, ...] = type(self).__goffi_fields__  # type: ignore[attr-defined]
    return f"{type(self).__name__}({', '.join(f'{f}={getattr(self, f)!r}' for f in fields)})"


def shared_record(cls: type[GoObject], fields: tuple[str, ...]) -> None:
    """Called by a bundle module for a handle class of a struct Go shares by pointer whose
    fields all copy (issue 10): its objects are Go's memory, but compare with ``==`` and
    print by their fields as records do (and, being mutable, are not hashable)."""
    cls.__goffi_fields__ = fields  # type: ignore[attr-defined]
    cls.__eq__ = _fields_eq  # type: ignore[method-assign,assignment]
    cls.__hash__ = None  # type: ignore[method-assign,assignment]
    cls.__repr__ = _fields_repr  # type: ignore[method-assign]


class Record:
    """The base class of Go records: structs whose fields all copy (``type Point struct{X, Y int}``).

    A record crosses by value: Go gets a copy of the fields, and what Go returns is a
    new record. Subclasses are generated with ``__slots__`` naming the Go fields.
    """

    __slots__ = ()
    __go_type__ = ""
    # Field name -> (accepted Python types, lowest, highest or None, where): assignments are
    # checked as Go's conversion would check them (issue 10), so a wrong value fails where
    # it is written, not at the next Go call. Set by generated subclasses.
    __goffi_checks__: ClassVar[dict[str, tuple[tuple[type, ...], float | None, float | None, str]]] = {}

    def __setattr__(self, name: str, value: object) -> None:
        check = type(self).__goffi_checks__.get(name)
        if check is not None:
            types, lo, hi, where = check
            checked(value, types, where)
            out = (
                lo is not None and hi is not None and isinstance(value, int | float) and not lo <= value <= hi
            )
            # NaN and infinities convert to float32 as they are.
            if out and (not isinstance(value, float) or (value == value and abs(value) != float("inf"))):
                raise OverflowError(f"{where}: {value!r} is out of range ({lo} to {hi})")
        object.__setattr__(self, name, value)

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


# ---- errors as exceptions -------------------------------------------------------------

# Combined exception classes (one per set of classes an error matches), for every bundle.
_combined: dict[tuple[type[GoError], ...], type[GoError]] = {}
# One exception per Go error value while it lives: errors.Unwrap(w) is e.
_by_value: weakref.WeakValueDictionary[object, GoError] = weakref.WeakValueDictionary()


def register_errors(sentinels: Sequence[tuple[str, str]], error_types: Sequence[tuple[str, str]]) -> None:
    """Where the exception classes of the first loaded bundle live (bundles call
    :meth:`LoadedBundle.register_errors` on their own record instead)."""
    first = loaded_bundle()
    if first is not None:
        first.register_errors(sentinels, error_types)


def _bundle_module(module: str, package: str | None = None) -> str:
    """The absolute name of a bundle module named relative to its bundle (".errors").

    ``package`` is the bundle (or a module of it) the name is relative to; without it,
    the first loaded bundle (what bundles of earlier goffi versions meant).
    """
    if not module.startswith("."):
        return module
    if package is None:
        first = loaded_bundle()
        if first is None:
            return module
        package = first.name
    bundle = _bundle_named(package)
    return (bundle.name if bundle is not None else package.partition(".")[0]) + module


def _combine(classes: list[type[GoError]]) -> type[GoError]:
    """One class that is a subclass of every class the error matches."""
    unique = tuple(dict.fromkeys(classes))
    if not unique:
        return GoError
    if len(unique) == 1:
        return unique[0]
    found = _combined.get(unique)
    if found is None:
        bases = list(unique)
        while True:
            try:
                found = type(bases[0].__name__, tuple(bases), {"__module__": bases[0].__module__})
                break
            except TypeError:  # bases whose builtin parents cannot mix: keep the first ones
                bases.pop()
        _combined[unique] = found
    return found


def _go_error(
    message: str,
    go_type: str,
    value: object,
    sentinels: tuple[int, ...],
    types: tuple[tuple[int, object], ...],
    cause: BaseException | None,
) -> GoError:
    """The exception of a Go error, for a bundle that did not bind its own maker: the
    bundle is found by the class of the Go error value."""
    bundle = _owner_of(type(value)) if value is not None else None
    if bundle is None:
        bundle = loaded_bundle()
    if bundle is None:
        return GoError(message, go_type)
    return bundle._go_error(message, go_type, value, sentinels, types, cause)


def _owner_of(cls: type) -> LoadedBundle | None:
    """The loaded bundle whose native module made class ``cls`` (a Go object's class)."""
    name = getattr(cls, "__goffi_bundle__", None)
    if isinstance(name, str) and name in _bundles:
        return _bundles[name]
    module = getattr(cls, "__module__", "") or ""
    for bundle in _bundles.values():
        if module == bundle.name or module.startswith(bundle.name + "."):
            return bundle
    return None


# ---- time ----------------------------------------------------------------------------

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


class GoTime(datetime.datetime):
    """A datetime from Go that keeps Go's nanoseconds (datetime holds microseconds).

    Returned when a time.Time has a sub-microsecond part; passing it back to Go restores
    the exact instant. Arithmetic on it gives a plain datetime (microseconds).
    """

    nanosecond: int = 0  # 0..999_999_999, the full fraction of the second


def _time_from_go(sec: int, nsec: int, offset: int, zone: str) -> datetime.datetime:
    """A Go time.Time (Unix seconds, nanoseconds, zone) as an aware datetime."""
    if offset == 0 and zone in ("UTC", ""):
        tz = datetime.timezone.utc
    else:
        delta = datetime.timedelta(seconds=offset)
        tz = datetime.timezone(delta, zone) if zone else datetime.timezone(delta)
    try:
        instant = _EPOCH + datetime.timedelta(seconds=sec, microseconds=nsec // 1000)
        value = instant.astimezone(tz)
    except OverflowError:
        raise OverflowError(
            f"Go time {sec}s after 1970 is outside the years datetime can hold (1 to 9999)"
        ) from None
    if nsec % 1000 == 0:
        return value
    exact = GoTime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        value.tzinfo,
    )
    exact.nanosecond = nsec
    return exact


def _time_to_go(value: datetime.datetime) -> tuple[int, int, int, str]:
    """A datetime as Go time.Time parts. A naive datetime is local time, as in Python."""
    aware = value if value.tzinfo is not None and value.utcoffset() is not None else value.astimezone()
    delta = aware - _EPOCH
    sec = delta.days * 86400 + delta.seconds
    nsec = delta.microseconds * 1000
    if isinstance(value, GoTime) and value.nanosecond // 1000 == value.microsecond:
        nsec = value.nanosecond  # still the instant Go gave (replace() would not keep it)
    offset = aware.utcoffset() or datetime.timedelta(0)
    return sec, nsec, int(offset.total_seconds()), aware.tzname() or ""


def zero_time() -> datetime.datetime:
    """Go's zero time.Time (January 1, year 1, UTC), the default of record fields."""
    return datetime.datetime(1, 1, 1, tzinfo=datetime.timezone.utc)


def checked(value: object, types: tuple[type, ...], where: str) -> object:
    """A record field's value, if its type fits the Go field (generated constructors call this).

    Checking at construction reports a wrong field where it was written, not at the
    later Go call. bool is not accepted for numbers, as in goffi's calls.
    """
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        names = " or ".join(t.__name__ for t in types)
        raise TypeError(f"{where} must be {names}, not {type(value).__name__}")
    return value


def record_class(module: str, name: str, package: str | None = None) -> type[Record]:
    """A record class by module and name (generated code uses it for nested records' zero
    values); a relative ``module`` is relative to bundle ``package`` (the caller's)."""
    cls: type[Record] = getattr(importlib.import_module(_bundle_module(module, package)), name)
    return cls


def native_module(bundle: str | ModuleType | None = None) -> Any:
    """A loaded bundle's native module (its _bundle extension), or None if it is not loaded.

    ``bundle`` is a bundle's name or one of its modules; without it, the first bundle
    this process loaded.
    """
    found = loaded_bundle() if bundle is None else _bundle_named(bundle)
    return found.native_module() if found is not None else None


def live_handles(bundle: str | ModuleType | None = None) -> int:
    """The number of Go values Python objects hold right now: in every loaded bundle, or
    in ``bundle`` (a bundle's name or one of its modules). 0 before a bundle is loaded."""
    if bundle is None:
        return sum(b.live_handles() for b in loaded_bundles())
    found = _bundle_named(bundle)
    if found is None:
        raise ValueError(f"goffi.live_handles: no goffi bundle {_spelled(bundle)} is loaded in this process")
    return found.live_handles()


def _spelled(bundle: str | ModuleType) -> str:
    return repr(bundle if isinstance(bundle, str) else getattr(bundle, "__name__", bundle))


class _SentinelValue:
    """``GoError.go_value`` where no Go error set it: the Go value of a sentinel error's
    class (``io.EOF``, ``fs.SkipDir``), else None. So the class itself passes where Go
    takes an error as the sentinel: ``errors.Is(err, io.EOF)``, a ``WalkDirFunc`` that
    returns ``filepath.SkipDir``. Each read asks the bundle for the value anew (a new
    handle, which the Go call using it keeps): a class holds no Go handle. An exception
    holds its own value (set on the instance, which takes precedence over this non-data
    descriptor): Go's, or the sentinel's for one made in Python (``raise fs.SkipDir``)."""

    def __get__(self, obj: object, cls: type | None = None) -> object:
        exc = _sentinel_exception(type(obj) if obj is not None else cls)
        return exc.__dict__.get("go_value") if exc is not None else None


def _sentinel_exception(cls: type | None) -> GoError | None:
    """The exception of the Go value of the first sentinel error class in ``cls``'s MRO
    (made by its bundle, as if Go returned it), or None."""
    for klass in getattr(cls, "__mro__", ()):
        if klass is GoError or not issubclass(klass, GoError):
            break
        found = klass.__dict__.get("_goffi_sentinel")
        if found is None:
            found = ()
            bundle = _owner_of(klass)
            if bundle is not None:
                # Registered relative to the bundle (".io"), or absolute by earlier versions.
                entries = [
                    ("." + klass.__module__[len(bundle.name) + 1 :], klass.__name__),
                    (klass.__module__, klass.__name__),
                ]
                index = next((bundle._sentinels.index(e) for e in entries if e in bundle._sentinels), -1)
                if index >= 0:
                    found = (bundle, index)
            klass._goffi_sentinel = found
        if found:
            bundle, index = found
            maker = getattr(bundle.native_module(), "_sentinel_error", None)  # not in earlier bundles
            exc = maker(index) if maker is not None else None
            return exc if isinstance(exc, GoError) else None
    return None


class GoError(Exception):
    """A Go function returned a non-nil ``error``.

    ``str(e)`` is Go's ``err.Error()``; :attr:`go_type` is the error's dynamic Go type
    as ``fmt``'s ``%T`` prints it (``*strconv.NumError``, ``*errors.errorString``).

    A sentinel error's class (``io.EOF``) holds the sentinel's Go value: it passes where
    Go takes an error, and ``io.EOF()`` (or ``raise io.EOF``) is an exception of it.
    """

    #: The Go error value itself (an object), so the exception can be passed back to Go.
    go_value: object = _SentinelValue()
    #: Objects of the bundle's error types found in the error's chain (errors.As), then
    #: go_value: attributes the exception lacks are read from these (e.Path, e.Func).
    _go_values: tuple[object, ...] = ()
    message: str
    go_type: str

    def __init__(self, message: str | None = None, go_type: str = "") -> None:
        if message is None:
            sentinel = _sentinel_exception(type(self))
            if sentinel is None:
                raise TypeError(
                    f"{type(self).__name__}() needs a message: only a sentinel error's class "
                    "(io.EOF, fs.SkipDir) makes an exception of Go's value without one"
                )
            message, go_type = str(sentinel), str(sentinel.__dict__.get("go_type", ""))
            self.go_value = sentinel.__dict__.get("go_value")
        super().__init__(message)
        self.message = message
        self.go_type = go_type

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, go_type={self.go_type!r})"

    def __getattr__(self, name: str) -> object:
        # Only called for attributes the exception itself lacks: Go fields and methods.
        if not name.startswith("_"):
            for value in self.__dict__.get("_go_values", ()):
                try:
                    return getattr(value, name)
                except AttributeError:
                    continue
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


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


class LoadedBundle:
    """A bundle this process loaded: its name, build key and Go packages, and the Python
    state that belongs to its Go runtime (where its exception classes live)."""

    __slots__ = ("_error_types", "_sentinels", "key", "name", "packages")

    def __init__(self, name: str, key: str, packages: tuple[str, ...]) -> None:
        self.name = name  # Python package name, as imported (mylib._go for a nested bundle)
        self.key = key  # the content hash it was built under
        self.packages = packages  # Go import paths (with @version where given), sorted
        # Its sentinel and error-type exception classes, by index, as (module, name):
        # resolved (imported) on first use.
        self._sentinels: list[tuple[str, str]] = []
        self._error_types: list[tuple[str, str]] = []

    def __repr__(self) -> str:
        return f"<goffi bundle {self.name!r}: {', '.join(self.packages)}>"

    def register_errors(
        self, sentinels: Sequence[tuple[str, str]], error_types: Sequence[tuple[str, str]]
    ) -> None:
        """Called by the bundle's __init__: where its exception classes live.

        Modules are named relative to the bundle package (``".errors"``), so a bundle
        works wherever it is imported from, nested (``mylib._go``) or not; absolute names
        (from bundles of earlier goffi versions) are taken as they are.
        """
        self._sentinels[:] = sentinels
        self._error_types[:] = error_types

    def native_module(self) -> Any:
        """The bundle's native module (its _bundle extension), or None before it loads."""
        return sys.modules.get(f"{self.name}._bundle")

    def live_handles(self) -> int:
        """The number of this bundle's Go values Python objects hold right now."""
        module = self.native_module()
        return int(module._live_handles()) if module is not None else 0

    def _resolve(self, entry: tuple[str, str]) -> type[GoError]:
        module, name = entry
        absolute = self.name + module if module.startswith(".") else module
        cls: type[GoError] = getattr(importlib.import_module(absolute), name)
        return cls

    def _go_error(
        self,
        message: str,
        go_type: str,
        value: object,
        sentinels: tuple[int, ...],
        types: tuple[tuple[int, object], ...],
        cause: BaseException | None,
    ) -> GoError:
        """The exception of a Go error of this bundle (its native module calls this)."""
        if value is not None:
            existing = _by_value.get(value)
            if existing is not None:
                return existing
        # Error types first: the class is named after the most specific fact (NumError, then ErrSyntax).
        classes = [self._resolve(self._error_types[i]) for i, _ in types]
        classes += [self._resolve(self._sentinels[i]) for i in sentinels]
        errno = _errno_of(message, go_type, cause)
        if errno:
            # Python's class for it too (IsADirectoryError): a system error is an OSError.
            classes = [*(classes or [GoError]), type(OSError(errno, ""))]  # type: ignore[list-item]
        cls = _combine(classes)
        # __new__ alone: OSError's __init__ would read (message, go_type) as (errno, strerror).
        exc = cls.__new__(cls, message)
        exc.message = message
        exc.go_type = go_type
        exc.go_value = value
        exc._go_values = tuple(v for _, v in types if v is not None) + ((value,) if value is not None else ())
        if cause is not None:
            exc.__cause__ = cause
        if errno and isinstance(exc, OSError):
            _set_os_fields(exc, errno)
        if value is not None:
            _by_value[value] = exc
        return exc


# ---- Go's system errors as Python's OSError ---------------------------------------------

# syscall.Errno's messages (Go's table, lowercase) -> the errno, from the C library's own.
_errnos: dict[str, int] = {}


def _errno_of(message: str, go_type: str, cause: BaseException | None) -> int:
    """The errno of a syscall.Errno that is this error or the first in its chain, else 0."""
    if not _errnos:
        for number in range(1, 134):
            _errnos.setdefault(os.strerror(number).lower(), number)
    error: BaseException | None = None
    text, kind = message, go_type
    for _ in range(100):
        if kind == "syscall.Errno":
            return _errnos.get(text.lower(), 0)
        error = cause if error is None else error.__cause__
        if not isinstance(error, GoError):
            return 0
        text, kind = error.message, error.go_type
    return 0


def _set_os_fields(exc: OSError, errno: int) -> None:
    """``errno``, ``strerror`` and ``filename`` (and ``filename2``) as Python's OSError has
    them, from the syscall.Errno and the path of an ``*fs.PathError`` (``*os.LinkError``'s
    Old and New, ``*os.SyscallError`` has none) in the chain."""
    exc.errno = errno
    exc.strerror = os.strerror(errno)
    for first, second in (("Path", ""), ("Old", "New")):
        try:
            name = getattr(exc, first)
        except AttributeError:
            continue
        if isinstance(name, str):
            exc.filename = name
            other = getattr(exc, second, None) if second else None
            if isinstance(other, str):
                exc.filename2 = other
            return


_lock = threading.Lock()
# The bundles this process loaded, by Python name, in load order.
_bundles: dict[str, LoadedBundle] = {}


def loaded_bundle() -> LoadedBundle | None:
    """The first goffi bundle this process loaded, if any (see :func:`loaded_bundles`)."""
    return next(iter(_bundles.values()), None)


def loaded_bundles() -> tuple[LoadedBundle, ...]:
    """Every goffi bundle this process loaded, in load order."""
    return tuple(_bundles.values())


def _bundle_named(bundle: str | ModuleType) -> LoadedBundle | None:
    """The loaded bundle called ``bundle``, or holding module ``bundle`` (or named so)."""
    name = bundle if isinstance(bundle, str) else getattr(bundle, "__name__", "")
    found = _bundles.get(name)
    if found is not None:
        return found
    for candidate in _bundles.values():
        if name.startswith(candidate.name + "."):
            return candidate
    return None


def claim_bundle(name: str, key: str, packages: Sequence[str]) -> LoadedBundle:
    """Record that this process loads bundle ``name`` built under ``key``; its record.

    Every bundle carries its own Go runtime. On Linux with glibc any number of them
    work side by side; elsewhere, or with ``$GOFFI_SINGLE_RUNTIME`` set, the first
    bundle wins (see :mod:`goffi.runtime.guard`). The bundle's ``__init__`` calls this
    *before* its shared library is loaded, when refusing is still safe. A bundle is also
    refused in a subinterpreter, and when another bundle already has its name.
    """
    with _lock:
        found = _bundles.get(name)
        if found is not None and found.key != key and found.native_module() is not None:
            raise BundleConflictError(
                f"cannot load goffi bundle {name!r} ({', '.join(sorted(packages))}): this process already "
                f"loaded another bundle of that name ({', '.join(found.packages)}), and one Python name "
                "holds one bundle. Build one of them under another name (goffi.load(..., name=...), or "
                "`goffi build -o DIR` with another folder name)."
            )
        others = [b for b in _bundles.values() if b.key != key]
        if others:
            from goffi.runtime.guard import single_runtime_reason

            reason = single_runtime_reason()
            if reason is not None:
                first = others[0]
                raise BundleConflictError(
                    f"cannot load goffi bundle {name!r} ({', '.join(sorted(packages))}): this process "
                    f"already loaded bundle {first.name!r} ({', '.join(first.packages)}), and it can hold "
                    f"only one Go runtime ({reason}). Build all the Go packages you need into one bundle: "
                    "goffi.load(" + ", ".join(repr(p) for p in sorted({*first.packages, *packages})) + ")"
                    " or `goffi build` with all of them."
                )
        # The same build may still be a second copy (another folder, so another Go
        # runtime): the guard keyed by the runtime's library file decides.
        claim_go_runtime(name)
        if found is None or found.key != key:
            found = LoadedBundle(name, key, tuple(sorted(packages)))
            _bundles[name] = found
        return found


def check_abi(bundle: str, abi: int, built_by: str) -> None:
    """Refuse a bundle generated for another runtime ABI (its ``__init__`` calls this first).

    ``built_by`` is the goffi version that generated it, named in the message.
    """
    if abi != ABI_VERSION:
        from goffi._version import __version__

        raise ImportError(
            f"goffi bundle {bundle!r} was built by goffi {built_by} for runtime ABI {abi}, but the "
            f"installed goffi {__version__} has runtime ABI {ABI_VERSION}: they cannot work together. "
            f"Install the goffi the bundle was built with (pip install 'goffi=={built_by}'), or rebuild "
            "the bundle (or the wheel holding it) with the installed goffi.",
            name=bundle,
        )


# The goroutine bridge (channels, select, the owner thread) loads when first used: most
# bundles never need it, and a bundle that does imports goffi.runtime.bridge itself.
_BRIDGE_NAMES = frozenset(
    {"CLOSED", "Channel", "ChannelClosed", "OwnerThread", "collect_go", "make_chan", "select"}
)
__all__ += sorted(_BRIDGE_NAMES)


def __getattr__(name: str) -> Any:
    if name in _BRIDGE_NAMES:
        from goffi.runtime import bridge

        return getattr(bridge, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
