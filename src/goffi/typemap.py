"""The type table: how every Go type crosses into Python, decided in one place.

This is the second pipeline stage. It takes :class:`~goffi.surface.model.TypeRef`
trees (Go facts) and returns a :class:`Mapping` (a decision) or a :class:`Skip`
(a reason). Every renderer (Go wrapper, C glue, Python modules, stubs) and
``goffi inspect`` read these decisions; none of them decides anything about types
on its own. The table is closed: a type not listed here is skipped with a reason.

| Go                        | Python in            | Python out | crossing |
|---------------------------|----------------------|------------|----------|
| bool                      | bool                 | bool       | copy     |
| int, int8..64, uint..64,  | int (range-checked,  | int        | copy     |
| uintptr                   | bool rejected)       |            |          |
| float32, float64          | float or int         | float      | copy     |
| complex64, complex128     | complex, float, int  | complex    | copy     |
| string                    | str (surrogateescape)| str        | copy     |
| []byte                    | any buffer or None   | bytes      | view in  |
| [N]byte                   | buffer of N bytes    | bytes      | copy     |
| []T, [N]T                 | sequence             | list       | copy     |
| []T of fixed-size numbers | sequence, or buffer  | list       | copy     |
|   (zero_copy= functions)  | view of a buffer     | memoryview | view     |
| map[K]V                   | dict                 | dict       | copy     |
| named type T (underlying  | T's class, or the    | T's class  | as the   |
| maps: a value class)      | underlying's value   | (subclass) | underl.  |
| named type T (nameable,   | an object of T's     | the object | handle   |
| underlying does not map)  | class (opaque)       |            |          |
| struct T, all fields      | a T object (record)  | a new T    | copy     |
| exported and copying      |                      |            |          |
| *T, struct T (and T of a  | a T object           | the same   | handle   |
| struct Go shares by ptr)  |                      | object     |          |

A []byte parameter is a view for the duration of the call of a *writable* buffer
(bytearray, writable memoryview), so Go's writes land in it; a read-only buffer (bytes)
is copied first, because Go may write into any []byte and Python's bytes are immutable.
A slice of fixed-size numbers ([]float64, []int32, ...) also takes a buffer whose items
have its format (array('d'), a numpy array): one bulk copy instead of one per element.
Functions declared zero-copy (zero_copy=) go further, see :func:`zero_copy_form`.
A package variable's setter always copies: Go keeps that value after the call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from goffi.surface.model import NamedType, Surface, TypeRef

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

# Go basic type -> (shape, bits). int/uint/uintptr are 64-bit: goffi supports 64-bit platforms only.
_BASIC: dict[str, tuple[Shape, int]] = {
    "bool": ("bool", 8),
    "int": ("int", 64),
    "int8": ("int", 8),
    "int16": ("int", 16),
    "int32": ("int", 32),
    "int64": ("int", 64),
    "uint": ("uint", 64),
    "uint8": ("uint", 8),
    "uint16": ("uint", 16),
    "uint32": ("uint", 32),
    "uint64": ("uint", 64),
    "uintptr": ("uint", 64),
    "float32": ("float", 32),
    "float64": ("float", 64),
    "complex64": ("complex", 64),
    "complex128": ("complex", 128),
    "string": ("string", 0),
}

# The struct-module format character of each fixed-size element a buffer can carry.
# (Not bool: a buffer byte other than 0 or 1 would be an invalid Go bool.)
_FORMATS: dict[tuple[str, int], str] = {
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

# Key shapes whose Python value is hashable (a dict key) and whose Go type is comparable.
# An any key is comparable in Go; its Python value is hashable when it is a basic value (a
# generic map instantiated with any, issue 12: a key of another kind raises TypeError).
_HASHABLE_SHAPES = frozenset({"bool", "int", "uint", "float", "complex", "string", "bytearray", "any"})


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
            return "GoError | None"
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
        return _FORMATS.get((self.elem.shape, self.elem.bits), "")

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

# One sentence per unsupported kind: the reason goffi inspect prints.
_NOT_YET = {
    "struct": ("struct", "unnamed struct types have no class to cross as"),
    "interface": ("interface", "unnamed interface types with methods have no class to cross as"),
}


class TypeMapper:
    """Maps TypeRefs of one surface. Results are memoized by Go spelling."""

    def __init__(self, surface: Surface, bundle_paths: frozenset[str]) -> None:
        self.surface = surface
        self.bundle_paths = bundle_paths
        self._memo: dict[str, MapResult] = {}
        # Every named type some mapping made a class of, in the order first met.
        self.classes: dict[str, ClassDecision] = {}
        # Structs Go shares by pointer somewhere in the surface, and where first seen: their
        # objects are Go's memory (handles), never copied records (see shared_structs).
        self.shared = shared_structs(surface)

    def map(self, ref: TypeRef) -> MapResult:
        key = ref.go_spelling()
        if key not in self._memo:
            self._memo[key] = self._map(ref, ())
        return self._memo[key]

    def _map(self, ref: TypeRef, visiting: tuple[str, ...]) -> MapResult:
        k = ref.kind
        if k == "basic":
            if ref.name in _BASIC:
                shape, bits = _BASIC[ref.name]
                note = ""
                if ref.name == "uintptr":
                    note = "uintptr is carried as a plain integer; goffi never follows it as a pointer"
                char = ref.alias in ("rune", "byte")
                if char:
                    note = (
                        f"a {ref.alias} takes an int or a one-character str"
                        + (" (below U+0100)" if ref.alias == "byte" else "")
                        + "; it comes back as an int"
                    )
                return Mapping(ref, shape, "copy", bits=bits, note=note, char=char)
            if ref.name == "unsafe.Pointer":
                return Skip("unsafe.Pointer has no safe meaning in Python", "unsafe")
            return Skip(f"basic type {ref.name} is not supported", "unsupported")
        if k == "named":
            return self._map_named(ref, visiting)
        if k == "typeparam":
            return Skip(
                "generic code needs type arguments, and goffi bridges only non-generic API", "generic"
            )
        if k == "slice":
            assert ref.elem is not None
            if _is_byte(ref.elem):
                return Mapping(
                    ref,
                    "bytes",
                    "view",
                    note="[]byte parameters take any buffer (bytes, bytearray, memoryview) or None (nil): "
                    "Go's writes during the call land in a writable buffer, and bytes and other read-only "
                    "buffers are copied first unless Go does not write into the slice (see 'writes to'); a "
                    "buffer is a zero-copy view where Go does not keep the slice after the call, else Go "
                    "gets its own copy (see 'memory'); results are copied into bytes",
                )
            elem = self._map(ref.elem, visiting)
            if isinstance(elem, Skip):
                return _wrap_skip(elem, "slice element")
            if (elem.shape, elem.bits) in _FORMATS:
                note = (
                    "copied into a list; a buffer of its items' format (array('"
                    + _FORMATS[(elem.shape, elem.bits)]
                    + "'), numpy) is copied in bulk; zero_copy= makes it a view"
                )
            else:
                note = "copied element by element into a list"
            return Mapping(ref, "slice", "copy", elem=elem, note=note)
        if k == "array":
            assert ref.elem is not None
            if _is_byte(ref.elem):
                return Mapping(
                    ref, "bytearray", "copy", length=ref.length, note=f"[{ref.length}]byte <-> bytes"
                )
            elem = self._map(ref.elem, visiting)
            if isinstance(elem, Skip):
                return _wrap_skip(elem, "array element")
            return Mapping(ref, "array", "copy", elem=elem, length=ref.length)
        if k == "map":
            assert ref.key is not None and ref.elem is not None
            key = self._map(ref.key, visiting)
            if isinstance(key, Skip):
                return _wrap_skip(key, "map key")
            if key.shape not in _HASHABLE_SHAPES:
                return Skip(f"map key {ref.key.go_spelling()} has no hashable Python value", "map key")
            val = self._map(ref.elem, visiting)
            if isinstance(val, Skip):
                return _wrap_skip(val, "map value")
            return Mapping(
                ref, "map", "copy", key=key, elem=val, note="copied into a dict; keys come back sorted"
            )
        if k == "pointer":
            return self._map_pointer(ref, visiting)
        if k == "chan":
            return self._map_chan(ref, visiting)
        if k == "func":
            return self._map_func(ref, visiting)
        if k == "interface" and not ref.methods and not ref.embeds_non_methods:
            return _any_mapping(ref)
        if k in _NOT_YET:
            category, reason = _NOT_YET[k]
            return Skip(reason, category)
        return Skip(f"{k} types are not supported", "unsupported")

    def _map_chan(self, ref: TypeRef, visiting: tuple[str, ...]) -> MapResult:
        assert ref.elem is not None
        if ref.elem.kind == "struct" and not ref.elem.fields:
            # chan struct{} signals (ctx.Done()): its values carry nothing, so they are None.
            empty = Mapping(ref.elem, "empty", "copy", note="struct{} values are None")
            return Mapping(
                ref,
                "chan",
                "handle",
                elem=empty,
                note="a goffi.Channel of struct{} signals: its values are None (send None)",
            )
        elem = self._map(ref.elem, visiting)
        if isinstance(elem, Skip):
            return _wrap_skip(elem, "channel element")
        return Mapping(
            ref,
            "chan",
            "handle",
            elem=elem,
            note="a goffi.Channel (send/recv/iterate/select, from any thread); its values cross as any "
            "values do",
        )

    def _map_func(self, ref: TypeRef, visiting: tuple[str, ...], named: TypeRef | None = None) -> MapResult:
        if ref.variadic:
            return Skip("variadic func types are not bridged", "func")
        params: list[Mapping] = []
        for i, p in enumerate(ref.params):
            mapped = self._map(p.type, visiting)
            if isinstance(mapped, Skip):
                return _wrap_skip(mapped, f"func parameter {p.name or i}")
            params.append(mapped)
        results = list(ref.results)
        returns_error = (
            bool(results) and results[-1].type.kind == "named" and results[-1].type.named_key == "error"
        )
        if returns_error:
            results.pop()
        mapped_results: list[Mapping] = []
        for i, r in enumerate(results):
            mapped = self._map(r.type, visiting)
            if isinstance(mapped, Skip):
                return _wrap_skip(mapped, f"func result {r.name or i}")
            mapped_results.append(mapped)
        return Mapping(
            named or ref,
            "func",
            "handle",
            sig=FuncSig(tuple(params), tuple(mapped_results), returns_error),
            note="a Python callable (Go may call it from any goroutine, now or later; an exception it "
            "raises is re-raised to the Python call that passed it"
            + (", and Go sees an error" if returns_error else "")
            + "); a Go func comes back as a callable object",
        )

    def _map_pointer(self, ref: TypeRef, visiting: tuple[str, ...]) -> MapResult:
        assert ref.elem is not None
        elem = ref.elem
        if elem.kind == "named" and not elem.type_args:
            named = self.surface.named.get(elem.named_key)
            if named is not None and named.underlying.kind == "struct" and not named.type_params:
                target = self._map_named(elem, visiting)
                if isinstance(target, Skip):
                    return target
                if target.shape == "record":
                    return Mapping(
                        ref,
                        "optional",
                        "copy",
                        elem=target,
                        note=f"a pointer to a {elem.go_spelling()} record: None is nil, else a copy",
                    )
                return Mapping(
                    ref,
                    "handle",
                    "handle",
                    cls=target.cls,
                    via="pointer",
                    nilable=True,
                    note=f"a {elem.go_spelling()} object; nil is None; the same pointer gives the same object",
                )
        inner = self._map(elem, visiting)
        if isinstance(inner, Skip):
            return _wrap_skip(inner, "pointer target")
        if inner.shape in ("handle", "optional"):
            return Skip(f"pointers to {elem.go_spelling()} are not bridged", "pointer")
        return Mapping(
            ref,
            "optional",
            "copy",
            elem=inner,
            note=f"a pointer to a copied value: None is nil, anything else is a new {elem.go_spelling()}",
        )

    def _map_named(self, ref: TypeRef, visiting: tuple[str, ...]) -> MapResult:
        key = ref.named_key
        if key == "error":
            return Mapping(
                ref,
                "error",
                "handle",
                note="an error value is an exception instance (a goffi.GoError, matching its sentinels "
                "and error types), not raised; None is nil; an exception that came from Go passes back",
            )
        if key == "time.Duration":
            return Mapping(
                ref,
                "duration",
                "copy",
                note="time.Duration <-> datetime.timedelta; Go's nanoseconds below a microsecond are "
                "truncated toward zero; a timedelta beyond about 292 years raises OverflowError; "
                "values Go returns are time.Duration objects (a timedelta subclass with Go's methods)",
                named=self._value_class(key, "a datetime.timedelta subclass carrying Go's methods"),
            )
        if key == "time.Time":
            return Mapping(
                ref,
                "time",
                "copy",
                note="time.Time <-> a timezone-aware datetime.datetime (a naive one is local time); Go's "
                "zone becomes a fixed-offset timezone; values Go returns are time.Time objects (a "
                "goffi.GoTime subclass carrying Go's methods, keeping Go's nanoseconds)",
                named=self._value_class(key, "a goffi.GoTime (datetime) subclass carrying Go's methods"),
            )
        if key in visiting:
            return Skip(f"recursive type {key}", "recursive")
        if ref.type_args and "[" not in ref.name:  # a generic type, not yet its instance
            if key in ("iter.Seq", "iter.Seq2"):
                return Skip(
                    f"{ref.go_spelling()} crosses only as a function's own parameter or result", "iterator"
                )
            from goffi.generics import instantiate_named

            instance = instantiate_named(self.surface, ref)
            if isinstance(instance, str):
                return Skip(instance, "generic")
            return self._map_named(instance, visiting)
        named = self.surface.named.get(key)
        if named is None:
            return Skip(f"type {key} was not extracted", "unsupported")
        if named.type_params:
            return Skip("generic types are not bridged", "generic")
        unnameable = self.unnameable(named)
        if unnameable:
            return Skip(unnameable, "unexported")
        found = self._map_nameable(ref, named, visiting)
        if isinstance(found, Skip) and found.category not in ("generic", "recursive"):
            return self._opaque(ref, found)
        return found

    def _opaque(self, ref: TypeRef, why: Skip) -> Mapping:
        """A named type the table cannot carry, as an opaque Go value: an object of its
        class that Go's value lives in, received, stored and passed back as it is (a
        functional option over an unexported type: goldmark.Option, gojq.CompilerOption)."""
        key = ref.named_key
        self.classes.setdefault(key, ClassDecision(key, "handle", f"opaque: {why.reason}"))
        return Mapping(
            ref,
            "handle",
            "handle",
            cls=key,
            via="value",
            note=f"an opaque Go value (an object of class {default_class_name(key)}): it is received, "
            f"stored and passed back to Go as it is, but its contents are out of reach, since {why.reason}",
        )

    def _map_nameable(self, ref: TypeRef, named: NamedType, visiting: tuple[str, ...]) -> MapResult:
        """How a named type that generated code can spell crosses (Skip if the table has no row)."""
        key = named.key
        u = named.underlying
        if u.kind == "struct":
            record = self._record_fields(named, (*visiting, key))
            if not isinstance(record, str) and key in self.shared:
                why = (
                    f"Go shares it by pointer ({self.shared[key]}), so its objects are Go's memory: "
                    "the same pointer is the same object, field writes reach Go, and one made in Python "
                    "is a new Go value"
                )
                self.classes.setdefault(key, ClassDecision(key, "handle", why, shared=True))
                record = why
            elif isinstance(record, str):
                holds = self._holds_shared(named, (*visiting, key))
                if holds:
                    why = (
                        f"field {holds} is a struct Go shares by pointer, so it is Go's memory, and so is "
                        "this struct: its objects compare and print by their fields"
                    )
                    self.classes.setdefault(key, ClassDecision(key, "handle", why, shared=True))
                    record = why
            if not isinstance(record, str):
                self.classes.setdefault(
                    key, ClassDecision(key, "record", "every field is exported and copies")
                )
                return Mapping(
                    ref,
                    "record",
                    "copy",
                    cls=key,
                    fields=record,
                    note=f"a {key} record: copied field by field into a {default_class_name(key)} object",
                )
            self.classes.setdefault(key, ClassDecision(key, "handle", record))
            return Mapping(
                ref,
                "handle",
                "handle",
                cls=key,
                via="value",
                note=f"a {key} value, copied into a new object of class {default_class_name(key)}",
            )
        if u.kind == "interface" and not u.methods and not u.embeds_non_methods:
            return _any_mapping(ref)
        if u.kind == "interface" and (u.methods or u.embeds_non_methods):
            if u.embeds_non_methods:
                return Skip(f"{key} is a type constraint, not a type values can have", "generic")
            self.classes.setdefault(key, ClassDecision(key, "interface", "interface"))
            return Mapping(
                ref,
                "handle",
                "handle",
                cls=key,
                via="interface",
                nilable=True,
                note=f"a {key} value: an object of its dynamic type's class when that type is bridged, "
                "else a generic object with the interface's methods; nil is None",
            )
        if u.kind == "func":
            return self._map_func(u, (*visiting, key), named=ref)
        if u.kind == "chan":
            return Skip(f"named channel types ({key}) are not bridged; Go code rarely needs them", "channel")
        under = self._map(named.underlying, (*visiting, key))
        if isinstance(under, Skip):
            return under
        base = VALUE_BASES.get(under.shape)
        if base is None:
            note = f"{ref.go_spelling()} crosses as its underlying {named.underlying.go_spelling()}"
            if under.shape == "bool":
                note += " (Python's bool cannot be subclassed, so it has no class of its own)"
        else:
            a = "an" if base[0] in "aeiou" else "a"
            self._value_class(key, f"{a} {base} subclass carrying Go's methods")
            note = (
                f"{ref.go_spelling()} is {a} {base} subclass with Go's methods (its underlying "
                f"{named.underlying.go_spelling()} crosses as {a} {base}; a plain {base} passes too)"
            )
        return Mapping(
            ref,
            under.shape,
            under.crossing,
            bits=under.bits,
            elem=under.elem,
            key=under.key,
            length=under.length,
            note=note,
            char=under.char,
            named=key if base is not None else "",
        )

    def _value_class(self, key: str, reason: str) -> str:
        """Make ``key`` (extracted, non-generic) a value class; its key, or "" if it has none."""
        named = self.surface.named.get(key)
        if named is None or named.type_params or self.unnameable(named):
            return ""
        self.classes.setdefault(key, ClassDecision(key, "value", reason))
        return key

    def _holds_shared(self, named: NamedType, visiting: tuple[str, ...]) -> str:
        """The first field of a struct whose fields are all exported, and copy or are structs
        Go shares by pointer (held by value), that is such a struct; "" when there is none
        or another field neither copies nor is one."""
        first = ""
        for f in named.underlying.fields:
            if not f.exported or (f.type.kind == "named" and f.type.named_key in visiting):
                return ""
            mapped = self._map(f.type, visiting)
            if isinstance(mapped, Skip):
                return ""
            if mapped.shape == "handle" and mapped.via == "value":
                decision = self.classes.get(mapped.cls)
                if decision is None or not decision.shared:
                    return ""
                first = first or f.name
            elif not _copies(mapped):
                return ""
        return first

    def _record_fields(
        self, named: NamedType, visiting: tuple[str, ...]
    ) -> tuple[tuple[str, Mapping], ...] | str:
        """The fields of a struct that copies as a record, or why it is a handle instead."""
        out: list[tuple[str, Mapping]] = []
        for f in named.underlying.fields:
            if not f.exported:
                return f"field {f.name} is unexported, so Python cannot copy the value"
            if f.type.kind == "named" and f.type.named_key in visiting:
                return f"field {f.name} refers back to {named.key}"
            mapped = self._map(f.type, visiting)
            if isinstance(mapped, Skip):
                return f"field {f.name} does not copy: {mapped.reason}"
            if not _copies(mapped):
                return f"field {f.name} ({f.type.go_spelling()}) is shared with Go, not copied"
            out.append((f.name, mapped))
        return tuple(out)

    def exported_view(self, ref: TypeRef) -> Mapping | None:
        """An unexported type Go hands out (a result, a variable), seen through the exported
        interface of its package it implements with the most methods, or None.

        ``binary.BigEndian`` is a ``binary.bigEndian``, which no generated code can spell:
        it comes back as a ``binary.ByteOrder`` object, whose methods call Go's. Only for
        values going out: Go would not accept the interface back where the unexported type
        is expected.
        """
        pointer = ref.kind == "pointer" and ref.elem is not None and ref.elem.kind == "named"
        target = ref.elem if pointer and ref.elem is not None else ref
        if target.kind != "named" or target.type_args:
            return None
        named = self.surface.named.get(target.named_key)
        if named is None or named.type_params or named.name[:1].isupper():
            return None
        parts = named.pkg.split("/")
        if "internal" in parts or parts[0] == "vendor":
            return None
        from goffi.plan.method_sets import method_set  # the plan builds on this module

        # A value in an interface has its value methods; a pointer all of them (promoted
        # ones included: binary.NativeEndian's come from an embedded littleEndian).
        own = {m.name for m in method_set(named, self.surface) if pointer or not m.pointer_receiver}
        best: tuple[int, str] | None = None
        for key, other in self.surface.named.items():
            u = other.underlying
            if other.pkg != named.pkg or not other.name[:1].isupper() or other.type_params:
                continue
            if u.kind != "interface" or not u.methods or u.embeds_non_methods:
                continue
            names = {m.name for m in u.methods}
            if names <= own and (best is None or (len(names), key) > best):
                best = (len(names), key)
        if best is None:
            return None
        key = best[1]
        view = self.map(
            TypeRef(kind="named", pkg=self.surface.named[key].pkg, name=self.surface.named[key].name)
        )
        if isinstance(view, Skip):
            return None
        return replace(
            view,
            ref=ref,
            note=f"{ref.go_spelling()} is unexported: it comes back as a {default_class_name(key)} object "
            "(an interface it implements), whose methods call Go's",
        )

    def unnameable(self, named: NamedType) -> str:
        """Why generated Go code could not spell this type, or ""."""
        if not named.name[:1].isupper():
            return f"type {named.key} is unexported: code outside its package cannot name it"
        parts = named.pkg.split("/")
        if "internal" in parts:
            # The wrapper is a module of its own, so Go lets it import no internal package.
            return f"type {named.key} is declared in an internal package, which the wrapper cannot import"
        if parts[0] == "vendor":
            return f"type {named.key} is in the standard library's vendored code"
        return ""


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
    fmt = _FORMATS[(elem.shape, elem.bits)]
    return Mapping(
        m.ref,
        "buffer",
        "view",
        elem=elem,
        note=f"zero-copy (zero_copy=): a writable buffer of '{fmt}' items in is viewed for the call, other "
        f"input is copied into C memory; the result is a memoryview of Go's array (format '{fmt}'), "
        "pinned until released",
    )


def shared_structs(surface: Surface) -> dict[str, str]:
    """The named struct types Go takes or hands out by pointer, each with where it was first
    seen: a ``*T`` in a signature, field or variable, or a method declared on ``*T``.

    Such a struct is a handle class even when every field is exported and copies: a
    pointer means shared memory, so copying it into a Python record would lose identity
    and Go's writes (issue 10). The scan is deterministic: packages in order, then named
    types by key.
    """
    found: dict[str, str] = {}

    def note(key: str, where: str) -> None:
        named = surface.named.get(key)
        if named is not None and named.underlying.kind == "struct" and not named.type_params:
            found.setdefault(key, where)

    def walk(ref: TypeRef | None, where: str) -> None:
        if ref is None:
            return
        if (
            ref.kind == "pointer"
            and ref.elem is not None
            and ref.elem.kind == "named"
            and not ref.elem.type_args
        ):
            note(ref.elem.named_key, where)
        for sub in (ref.elem, ref.key, *ref.type_args):
            walk(sub, where)
        for p in (*ref.params, *ref.results):
            walk(p.type, where)
        for f in ref.fields:
            walk(f.type, where)
        for m in ref.methods:
            for p in (*m.params, *m.results):
                walk(p.type, where)

    for pkg in surface.packages:
        for fn in pkg.funcs:
            for p in (*fn.params, *fn.results):
                walk(p.type, f"func {pkg.name}.{fn.name}")
        for v in pkg.vars:
            walk(v.type, f"var {pkg.name}.{v.name}")
    for key in sorted(surface.named):
        named = surface.named[key]
        if named.type_params:
            continue
        shown = default_class_name(key)
        for m in named.methods:
            if m.pointer_receiver:
                note(key, f"method (*{shown}).{m.name}")
            for p in (*m.params, *m.results):
                walk(p.type, f"method {shown}.{m.name}")
        walk(named.underlying, f"type {shown}")
    return found


def _any_mapping(ref: TypeRef) -> Mapping:
    return Mapping(
        ref,
        "any",
        "copy",
        note="converted by dynamic type: None, bool, int (big ints as *big.Int), float, complex, str, "
        "bytes, list, tuple and dict (str keys) go to Go; Go's basic values, slices and maps come back "
        "as Python ones, bridged types as objects of their class, anything else as a GoValue object",
    )


def _copies(m: Mapping) -> bool:
    """Whether a mapping copies all the way down (no handle, channel or func inside)."""
    return all(sub.shape not in ("handle", "chan", "func") for sub in m.walk())


def _is_byte(ref: TypeRef) -> bool:
    return ref.kind == "basic" and ref.name == "uint8"


def _wrap_skip(inner: Skip, where: str) -> Skip:
    return Skip(f"{where}: {inner.reason}", inner.category)
