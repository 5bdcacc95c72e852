"""Base classes of value classes: Go named non-struct types as subclasses of Python values.

A Go named type whose underlying type copies (``type Level int``, ``type Values
map[string][]string``, ``type UUID [16]byte``) is a class deriving from the Python type
its values cross as (``int``, ``dict``, ``bytes``, ...) and from :class:`GoNamed`; the
bundle's module for its package defines the class with Go's methods (each calls Go with
the value converted back). Values Go returns are instances of the class; a plain value
of the underlying type passes wherever the named type is expected.

The typed constants of such a type are its *members* (``Level.LevelDebug``): a value Go
returns that equals a member is that member object, any other value a plain instance
(Go allows any value of the type), so the class is enum-like but not a closed
:class:`enum.Enum`.

``time.Time`` and ``time.Duration`` keep their Python forms: :class:`GoTimeValue`
derives from :class:`goffi.GoTime` (a ``datetime``), :class:`GoDurationValue` from
``timedelta``; their bundle classes add Go's methods (Go's names are capitalized, so
none collides with datetime's or timedelta's own attributes).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from goffi.runtime import GoTime


class GoNamed:
    """Mixin of every value class: its Go type, its members, and a repr naming both."""

    __slots__ = ()
    __go_type__: ClassVar[str] = ""
    # value -> member object (the type's typed constants), set by set_members
    __goffi_members__: ClassVar[dict[Any, Any]] = {}

    def __repr__(self) -> str:
        name = _member_name(self)
        base = _plain_repr(self)
        if name:
            return f"<{type(self).__name__}.{name}: {base}>"
        return f"{type(self).__name__}({base})"


def _member_name(obj: object) -> str:
    return str(getattr(obj, "_goffi_name_", ""))


def _plain_repr(obj: object) -> str:
    for base in type(obj).__mro__:
        if base in _PLAIN:
            return str(base.__repr__(obj))  # type: ignore[call-arg]
    return object.__repr__(obj)


def _member(cls: type, value: Any) -> Any:
    """The member of ``cls`` equal to ``value``, or None."""
    members = cls.__dict__.get("__goffi_members__")
    if not members:
        return None
    try:
        return members.get(value)
    except TypeError:  # an unhashable value is no member
        return None


class GoInt(GoNamed, int):
    """A Go named integer type (``type Level int``, ``fs.FileMode``, ``time.Month``)."""

    def __new__(cls, value: Any = 0) -> GoInt:
        if type(value) is cls:
            return value
        found = _member(cls, value)
        if found is not None:
            return found  # type: ignore[no-any-return]
        return int.__new__(cls, value)


class GoFloat(GoNamed, float):
    """A Go named float type."""

    def __new__(cls, value: Any = 0.0) -> GoFloat:
        if type(value) is cls:
            return value
        found = _member(cls, value)
        if found is not None:
            return found  # type: ignore[no-any-return]
        return float.__new__(cls, value)


class GoComplex(GoNamed, complex):
    """A Go named complex type."""

    def __new__(cls, value: Any = 0j) -> GoComplex:
        if type(value) is cls:
            return value
        return complex.__new__(cls, value)


class GoStr(GoNamed, str):
    """A Go named string type."""

    def __new__(cls, value: Any = "") -> GoStr:
        if type(value) is cls:
            return value
        found = _member(cls, value)
        if found is not None:
            return found  # type: ignore[no-any-return]
        return str.__new__(cls, value)


class GoBytes(GoNamed, bytes):
    """A Go named byte slice or byte array (``net.IP``, ``uuid.UUID``)."""

    def __new__(cls, value: Any = b"") -> GoBytes:
        if type(value) is cls:
            return value
        return bytes.__new__(cls, value)


class GoList(GoNamed, list):  # type: ignore[type-arg]
    """A Go named slice or array type (``sort.IntSlice``): a list, copied to and from Go."""


class GoDict(GoNamed, dict):  # type: ignore[type-arg]
    """A Go named map type (``url.Values``): a dict, copied to and from Go."""


class GoTimeValue(GoNamed, GoTime):
    """``time.Time``: an aware datetime that keeps Go's nanoseconds and carries Go's methods."""

    def __new__(cls, *args: Any, **kwargs: Any) -> GoTimeValue:
        if len(args) == 1 and not kwargs and isinstance(args[0], datetime.datetime):
            d = args[0]
            if type(d) is cls:
                return d
            made = GoTime.__new__(
                cls, d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, d.tzinfo, fold=d.fold
            )
            nanosecond = getattr(d, "nanosecond", 0) or d.microsecond * 1000
            made.nanosecond = nanosecond
            return made
        made = GoTime.__new__(cls, *args, **kwargs)
        made.nanosecond = made.microsecond * 1000
        return made

    # datetime's repr already names the class: Time(2024, 1, 2, 3, 4, 5, tzinfo=...).
    __repr__ = datetime.datetime.__repr__


def _keeping_duration(op: Callable[..., Any]) -> Callable[..., Any]:
    """timedelta's operator ``op`` for GoDurationValue: a timedelta result comes back as
    the Duration class (``time.Second * 3``); NotImplemented and numbers pass through."""

    def method(self: GoDurationValue, *other: Any) -> Any:
        return self._keep(op(self, *other))

    method.__name__ = op.__name__
    method.__qualname__ = f"GoDurationValue.{op.__name__}"
    return method


class GoDurationValue(GoNamed, datetime.timedelta):
    """``time.Duration``: a timedelta carrying Go's methods (below a microsecond truncates).

    As Go's conversion does, one integer is a count of nanoseconds (``Duration(1500)`` is
    1.5 µs, truncated to 1 µs; ``Duration(5 * 10**9)`` five seconds), and a timedelta is
    itself; keywords are timedelta's (``Duration(seconds=90)``). Arithmetic keeps the
    class, as Go's does (``time.Second * 3``, ``d + time.Millisecond``, ``-d``, ``d // 2``
    are Durations with Go's ``String()``); a ratio of two durations stays a number.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> GoDurationValue:
        if len(args) == 1 and not kwargs and isinstance(args[0], datetime.timedelta):
            d = args[0]
            if type(d) is cls:
                return d
            return datetime.timedelta.__new__(
                cls, days=d.days, seconds=d.seconds, microseconds=d.microseconds
            )
        if len(args) == 1 and not kwargs and isinstance(args[0], int) and not isinstance(args[0], bool):
            nanoseconds = int(args[0])
            if not -(2**63) <= nanoseconds < 2**63:
                raise OverflowError(
                    f"{cls.__name__}({nanoseconds}): a Go time.Duration counts nanoseconds in an int64 "
                    f"(-{2**63}..{2**63 - 1}, about 292 years either way)"
                )
            # Toward zero, as goffi truncates every Duration from Go to timedelta's microseconds.
            micro = abs(nanoseconds) // 1000
            return datetime.timedelta.__new__(cls, microseconds=-micro if nanoseconds < 0 else micro)
        return datetime.timedelta.__new__(cls, *args, **kwargs)

    # timedelta's repr already names the class: Duration(seconds=90).
    __repr__ = datetime.timedelta.__repr__

    def _keep(self, result: Any) -> Any:
        if type(result) is datetime.timedelta:
            return type(self)(result)
        return result

    # Go's arithmetic on Durations gives Durations: each of timedelta's operators, its
    # timedelta result made a Duration again (numbers, a ratio of two, stay numbers).
    __add__ = _keeping_duration(datetime.timedelta.__add__)
    __radd__ = _keeping_duration(datetime.timedelta.__radd__)
    __sub__ = _keeping_duration(datetime.timedelta.__sub__)
    __rsub__ = _keeping_duration(datetime.timedelta.__rsub__)
    __mul__ = _keeping_duration(datetime.timedelta.__mul__)
    __rmul__ = _keeping_duration(datetime.timedelta.__rmul__)
    __truediv__ = _keeping_duration(datetime.timedelta.__truediv__)
    __floordiv__ = _keeping_duration(datetime.timedelta.__floordiv__)
    __mod__ = _keeping_duration(datetime.timedelta.__mod__)
    __neg__ = _keeping_duration(datetime.timedelta.__neg__)
    __pos__ = _keeping_duration(datetime.timedelta.__pos__)
    __abs__ = _keeping_duration(datetime.timedelta.__abs__)

    def __divmod__(self, other: Any) -> Any:
        result = datetime.timedelta.__divmod__(self, other)
        if result is NotImplemented:
            return result
        return result[0], self._keep(result[1])


_PLAIN: tuple[type, ...] = (int, float, complex, str, bytes, list, dict)


def set_members(cls: type, members: Iterable[tuple[str, Any]]) -> None:
    """Make the typed constants of ``cls``'s Go type its members (``Level.LevelDebug``).

    The first constant of a value names it (Go allows aliases: ``LevelInfo`` and a later
    ``LevelDefault = LevelInfo`` are one member, reached by both names).
    """
    table: dict[Any, Any] = {}
    for name, value in members:
        member = table.get(value)
        if member is None:
            base = next(b for b in cls.__mro__ if b in _PLAIN)
            member = base.__new__(cls, value)
            member._goffi_name_ = name  # type: ignore[attr-defined]
            table[value] = member
        if name not in cls.__dict__ and not any(name in vars(b) for b in cls.__mro__[1:]):
            setattr(cls, name, member)
    cls.__goffi_members__ = table  # type: ignore[attr-defined]


def members(cls: type) -> dict[str, Any]:
    """The members of a value class by constant name (what ``set_members`` made)."""
    return {m._goffi_name_: m for m in cls.__dict__.get("__goffi_members__", {}).values()}


def value_of(module: str, name: str, value: Any, package: str | None = None) -> Any:
    """``value`` as an instance of the value class ``name`` of bundle module ``module``.

    Generated code uses it for a typed constant whose type another package declares
    (``os.ModeDir`` is an ``fs.FileMode``). A relative ``module`` is relative to bundle
    ``package`` (the caller's).
    """
    from goffi.runtime import record_class  # resolves a module relative to the bundle

    return record_class(module, name, package)(value)  # type: ignore[call-arg]
