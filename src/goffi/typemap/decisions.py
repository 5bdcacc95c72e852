"""What the type table decides: a :class:`Mapping` (how a Go type crosses, with its C, Go and
Python spellings) or a :class:`Skip` (why it cannot), and the classes types become.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from goffi.surface.model import TypeRef

Shape = Literal[
    "bool",
    "int",
    "uint",
    "float",
    "complex",
    "string",
    "bytes",
    "bytearray",
    "slice",
    "array",
    "map",
    "handle",  # a Go value held in the bundle's handle table, seen as an object of a class
    "optional",  # a pointer to a copyable value: None <-> nil
    "record",  # a struct copied field by field into an object of a Python class
    "any",  # an empty interface: converted by its dynamic type
    "error",  # an error value: an exception instance (not raised), None for nil
    "duration",  # time.Duration <-> datetime.timedelta
    "time",  # time.Time <-> an aware datetime.datetime
    "chan",  # a channel: a goffi.Channel
    "func",  # a func: a Python callable in, a callable Go func object out
    "buffer",  # a zero_copy= slice of fixed-size numbers: a buffer view in, a memoryview of Go memory out
    "empty",  # struct{}, as a channel's element: None both ways (ctx.Done())
]


Crossing = Literal["copy", "view", "handle"]


# How a handle's Go value relates to the Go type: a *T, a T (boxed into a *T), or an interface.
Via = Literal["", "pointer", "value", "interface"]


# The struct-module format character of each fixed-size element a buffer can carry.
# (Not bool: a buffer byte other than 0 or 1 would be an invalid Go bool.)
BUFFER_FORMATS: dict[tuple[str, int], str] = {
    ("int", 8): "b",
    ("int", 16): "h",
    ("int", 32): "i",
    ("int", 64): "q",
    ("uint", 8): "B",
    ("uint", 16): "H",
    ("uint", 32): "I",
    ("uint", 64): "Q",
    ("float", 32): "f",
    ("float", 64): "d",
}


# The Python base class of a named non-struct type's class ("value class"), by the shape
# of its underlying type. bool has none (Python's bool cannot be subclassed), nor do
# pointers, interfaces and funcs (their own rules apply).
VALUE_BASES: dict[str, str] = {
    "int": "int",
    "uint": "int",
    "float": "float",
    "complex": "complex",
    "string": "str",
    "bytes": "bytes",
    "bytearray": "bytes",
    "slice": "list",
    "array": "list",
    "map": "dict",
    "duration": "datetime.timedelta",
    "time": "datetime.datetime",
}


@dataclass(frozen=True)
class Mapping:
    """How one Go type crosses the boundary.

    ``cid`` names the C representation's *shape* (two Go types with the same cid share
    C converters: ``int64`` and ``time.Duration`` are both ``i64``); ``ref`` is the exact
    Go type, which the Go renderer needs for conversions.
    """

    ref: TypeRef
    shape: Shape
    crossing: Crossing
    bits: int = 0  # int/uint/float/complex width
    elem: Mapping | None = None  # slice, array
    key: Mapping | None = None  # map
    length: int = 0  # array, bytearray
    note: str = ""  # why, when the choice is not obvious (shown by goffi inspect)
    cls: str = ""  # handle, record: the key of the class's named type ("regexp.Regexp")
    fields: tuple[tuple[str, Mapping], ...] = ()  # record: (Go field name, mapping), in order
    via: Via = ""  # handle: pointer, value or interface
    nilable: bool = False  # handle: None is Go's nil
    sig: FuncSig | None = None  # func: the signature, mapped
    # func: "seq" or "seq2" when this func stands for an iter.Seq/iter.Seq2 (goffi.generics):
    # a parameter is a Python iterable pulled by Go, a result a lazy Python iterator.
    iterator: str = ""
    char: bool = False  # int/uint: Go's rune or byte, which also takes a one-character str
    # A named non-struct type with a Python class of its own (a "value class": an int,
    # str, list, ... subclass carrying Go's methods): its key. The value crosses as its
    # underlying shape; values Go returns are instances of the class.
    named: str = ""

    @property
    def cid(self) -> str:
        """Identifier of the C representation, used to name C converters."""
        if self.named:  # its own converters: the underlying's, and out an instance of its class
            return f"{self.base.cid}_n_{identifier(self.named)}"
        s = self.shape
        if s == "bool":
            return "bool"
        if s == "int":
            return "rune" if self.char else f"i{self.bits}"
        if s == "uint":
            return "byte" if self.char else f"u{self.bits}"
        if s == "float":
            return f"f{self.bits}"
        if s == "complex":
            return f"c{self.bits}"
        if s == "string":
            return "str"
        if s == "bytes":
            return "bytes"
        if s == "bytearray":
            return f"bytes{self.length}"
        if s == "slice":
            assert self.elem is not None
            return f"sl_{self.elem.cid}"
        if s == "array":
            assert self.elem is not None
            return f"ar{self.length}_{self.elem.cid}"
        if s == "buffer":
            assert self.elem is not None
            return f"buf_{self.elem.cid}"
        if s == "handle":
            return "h_" + identifier(self.cls) + ("_n" if self.nilable else "")
        if s == "record":
            return "rec_" + identifier(self.cls)
        if s == "any":
            return "any"
        if s == "empty":
            return "empty"
        if s == "error":
            return "err"
        if s == "duration":
            return "dur"
        if s == "time":
            return "time"
        if s == "chan":
            assert self.elem is not None
            return f"chan_{self.ref_chan.dir}_{self.elem.cid}"
        if s == "func":
            return "fn_" + identifier(self.ref.go_spelling())
        if s == "optional":
            assert self.elem is not None
            return f"opt_{self.elem.cid}"
        assert self.key is not None and self.elem is not None
        return f"map_{self.key.cid}_{self.elem.cid}"

    @property
    def c_type(self) -> str:
        """The C type that carries a value of this shape across the boundary."""
        s = self.shape
        if s == "bool":
            return "uint8_t"
        if s == "int":
            return f"int{self.bits}_t"
        if s == "uint":
            return f"uint{self.bits}_t"
        if s == "float":
            return "float" if self.bits == 32 else "double"
        if s == "complex":
            return "goffi_complex"
        if s in ("string", "bytes", "bytearray"):
            return "goffi_str"
        if s in ("slice", "array"):
            return "goffi_slice"
        if s == "buffer":
            return "goffi_view"
        if s == "handle":
            return "goffi_handle"
        if s == "record":
            return "goffi_rec_" + identifier(self.cls)
        if s == "any":
            return "goffi_any"
        if s == "empty":
            return "uint8_t"  # never carried: channel values cross as any
        if s == "error":
            return "goffi_err"
        if s == "duration":
            return "int64_t"
        if s == "time":
            return "goffi_time"
        if s in ("chan", "func"):
            return "goffi_handle"
        if s == "optional":
            return "void *"
        return "goffi_map"

    @property
    def base(self) -> Mapping:
        """A value class's mapping without its class: how the underlying value crosses."""
        return replace(self, named="") if self.named else self

    def py_type(self, position: Literal["in", "out"], namer: ClassNamer | None = None) -> str:
        """The Python annotation (stubs and signatures).

        ``namer`` spells a class given its key; by default "pkgname.Type", as Go code would.
        A value class is its class out; in, a plain value of its underlying type also passes.
        """
        if self.named and position == "out":
            return (namer or default_class_name)(self.named)
        s = self.shape
        if self.iterator and self.sig is not None:
            # in: func() []V (or ([]K, []V)); out: func(int) ([]V, bool) (or ([]K, []V, bool)).
            items = [r.elem for r in self.sig.results if r.elem is not None]
            spelled = [i.py_type(position, namer) for i in items]
            item = spelled[0] if len(spelled) == 1 else f"tuple[{', '.join(spelled)}]"
            return f"Iterable[{item}]" if position == "in" else f"Iterator[{item}]"
        if s == "handle":
            name = (namer or default_class_name)(self.cls)
            if position == "in" and self.via == "interface" and namer is not None:
                # Value classes implementing the interface pass too (slog.Level as a Leveler).
                also = namer(IMPLEMENTERS + self.cls)
                name = f"{name} | {also}" if also else name
            return f"{name} | None" if self.nilable else name
        if s == "record":
            return (namer or default_class_name)(self.cls)
        if s == "any":
            return "Any"
        if s == "empty":
            return "None"
        if s == "error":
            # In, a sentinel's class is its Go value too (errors.Is(err, io.EOF)).
            return "GoError | type[GoError] | None" if position == "in" else "GoError | None"
        if s == "duration":
            return "datetime.timedelta"
        if s == "time":
            return "datetime.datetime"
        if s == "chan":
            return "goffi.Channel | None"
        if s == "func":
            assert self.sig is not None
            # What Python passes (in) is called by Go with Go's arguments (out), and back.
            # Go's nil []byte, slice or map reaches a Python callable as None.
            args = ", ".join(
                p.py_type("out" if position == "in" else "in", namer)
                + (" | None" if position == "in" and p.shape in ("bytes", "slice", "map") else "")
                for p in self.sig.params
            )
            rets = [r.py_type("in" if position == "in" else "out", namer) for r in self.sig.results]
            ret = "None" if not rets else rets[0] if len(rets) == 1 else f"tuple[{', '.join(rets)}]"
            return f"Callable[[{args}], {ret}] | None"
        if s == "optional":
            assert self.elem is not None
            return f"{self.elem.py_type(position, namer)} | None"
        if s == "bool":
            return "bool"
        if s in ("int", "uint"):
            return "int | str" if self.char and position == "in" else "int"
        if s == "float":
            return "float"
        if s == "complex":
            return "complex"
        if s == "string":
            return "str"
        if s == "bytes":
            return "bytes | bytearray | memoryview | None" if position == "in" else "bytes"
        if s == "bytearray":  # [N]byte has no nil
            return "bytes | bytearray | memoryview" if position == "in" else "bytes"
        if s == "buffer":
            assert self.elem is not None
            return (
                f"Sequence[{self.elem.py_type(position, namer)}] | memoryview"
                if position == "in"
                else "memoryview"
            )
        if s in ("slice", "array"):
            assert self.elem is not None
            container = "Sequence" if position == "in" else "list"
            return f"{container}[{self.elem.py_type(position, namer)}]"
        assert self.key is not None and self.elem is not None
        container = "Mapping" if position == "in" else "dict"
        return f"{container}[{self.key.py_type(position, namer)}, {self.elem.py_type(position, namer)}]"

    @property
    def go_name(self) -> str:
        return self.ref.go_spelling()

    @property
    def buffer_format(self) -> str:
        """For a slice of fixed-size numbers: its items' struct-module format ("d"), else ""."""
        if self.shape not in ("slice", "buffer") or self.elem is None:
            return ""
        return BUFFER_FORMATS.get((self.elem.shape, self.elem.bits), "")

    @property
    def ref_chan(self) -> TypeRef:
        """A chan mapping's channel type (its direction), named or not."""
        return self.ref

    def walk(self) -> list[Mapping]:
        """This mapping and every mapping nested in it, innermost first."""
        out: list[Mapping] = []
        sig = (*self.sig.params, *self.sig.results) if self.sig is not None else ()
        for child in (self.key, self.elem, *(m for _, m in self.fields), *sig):
            if child is not None:
                out.extend(child.walk())
        out.append(self)
        return out


ClassNamer = Callable[[str], str]


#: A ClassNamer asked for IMPLEMENTERS + an interface's key spells the union of the value
#: classes whose values pass as that interface ("" when none): parameter annotations.
IMPLEMENTERS = "implementers of "


@dataclass(frozen=True)
class FuncSig:
    """A func type's signature, mapped: how Go calls a Python callable, and Python a Go func."""

    params: tuple[Mapping, ...]
    results: tuple[Mapping, ...]  # without a trailing error
    returns_error: bool  # a Python exception in the callable becomes this error


def default_class_name(key: str) -> str:
    """ "net/url.URL" -> "url.URL": how Go code names a type (a generic type's instance
    "example.com/p.Box[example.com/p.Item]" -> "p.Box[p.Item]")."""
    head, bracket, args = key.partition("[")
    path, _, name = head.rpartition(".")
    args = re.sub(r"(?:[\w.\-~]+/)+(?=[\w.\-~]+\.\w)", "", args)
    return (f"{path.rsplit('/', 1)[-1]}.{name}" if path else name) + bracket + args


def identifier(text: str) -> str:
    """A C/Go identifier made of ``text`` (net/url.URL -> net_url_URL)."""
    return re.sub(r"\W", "_", text)


@dataclass(frozen=True)
class ClassDecision:
    """A named type that crosses as objects of a Python class, and why that kind."""

    key: str
    kind: Literal["handle", "interface", "record", "value"]
    reason: str  # why this kind (a handle rather than a record), for goffi inspect
    # A handle class of a struct whose fields all copy, made a handle because Go shares it
    # by pointer: its objects compare and print by their fields, like records.
    shared: bool = False


@dataclass(frozen=True)
class Skip:
    """Why a type does not cross. ``reason`` is a full sentence for goffi inspect."""

    reason: str
    category: str  # short key used for summary counts, e.g. "pointer", "generic"


MapResult = Mapping | Skip


def zero_copy_form(m: Mapping) -> Mapping | None:
    """How ``m`` crosses for a function declared zero-copy (zero_copy=), or None if as usual.

    A slice of fixed-size numbers (and a []byte result) becomes a "buffer": a parameter
    is a view of the caller's writable buffer of the same format (Go reads and writes
    Python's memory for the duration of the call; other input is copied into C memory
    Go views), and a result is a writable memoryview of Go's own array, pinned until
    the memoryview is released. The contract the user declares: the function keeps no
    slice argument after it returns.
    """
    if m.shape == "bytes":  # parameters are views already; a result becomes a memoryview
        elem = Mapping(TypeRef(kind="basic", name="uint8"), "uint", "copy", bits=8)
    elif m.shape == "slice" and m.elem is not None and m.buffer_format:
        elem = m.elem
    else:
        return None
    fmt = BUFFER_FORMATS[(elem.shape, elem.bits)]
    return Mapping(
        m.ref,
        "buffer",
        "view",
        elem=elem,
        note=f"zero-copy (zero_copy=): a writable buffer of '{fmt}' items in is viewed for the call, other "
        f"input is copied into C memory; the result is a memoryview of Go's array (format '{fmt}'), "
        "pinned until released",
    )
