"""The surface model: what a Go package exports, as goffi's extractor read it.

This is the output of the first pipeline stage (surface extraction) and the input
of the second (type mapping). It records *Go facts only*: no decision about how
anything crosses into Python is made here. Every class is a frozen dataclass so
later stages cannot mutate what they were given, and every collection is a tuple
sorted by name so that the same Go source always gives the same model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

TypeKind = Literal[
    "basic",  # bool, string, int..uint64, uintptr, float32/64, complex64/128, unsafe.Pointer
    "named",  # a defined (named) type, looked up in Surface.named by its key
    "pointer",
    "slice",
    "array",
    "map",
    "chan",
    "func",
    "interface",  # an unnamed interface literal (interface{...}, any)
    "struct",  # an unnamed struct literal
    "typeparam",  # a type parameter of a generic function or type
]

ChanDir = Literal["both", "send", "recv"]

#: Go's predeclared basic types that are values (every basic kind but unsafe.Pointer): they
#: cross as a Python bool, int, float, complex or str, and a type argument may name them.
BASIC_VALUE_TYPES = frozenset(
    {
        "bool",
        "string",
        "int",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "uintptr",
        "float32",
        "float64",
        "complex64",
        "complex128",
    }
)


@dataclass(frozen=True)
class TypeRef:
    """A Go type expression, as a tree.

    Only the fields that belong to ``kind`` are set; the others keep their defaults.
    A named type is a *reference* (``pkg`` + ``name``): its underlying type and
    methods live once in :attr:`Surface.named`, under :attr:`key`.
    """

    kind: TypeKind
    name: str = ""  # basic: "int64", "string", ...; named: "Duration"; typeparam: "T"
    alias: str = ""  # basic: "byte" or "rune" when the source spells uint8 or int32 so
    pkg: str = ""  # named: import path of the declaring package ("" for error, comparable)
    elem: TypeRef | None = None  # pointer, slice, array, chan, map (value)
    key: TypeRef | None = None  # map
    length: int = 0  # array
    dir: ChanDir = "both"  # chan
    params: tuple[Param, ...] = ()  # func
    results: tuple[Param, ...] = ()  # func
    variadic: bool = False  # func: the last param is ...T (its type is []T)
    methods: tuple[Method, ...] = ()  # interface literal: its full method set, sorted
    embeds_non_methods: bool = False  # interface literal: has type-set terms (a constraint)
    fields: tuple[Field, ...] = ()  # struct literal, in declaration order
    type_args: tuple[TypeRef, ...] = ()  # named: instantiation arguments of a generic type

    @property
    def named_key(self) -> str:
        """The key of a named type in :attr:`Surface.named` ("time.Duration", "error")."""
        return f"{self.pkg}.{self.name}" if self.pkg else self.name

    def element_spelling(self) -> str:
        """Spelling as a slice or array element: Go code says []byte, not []uint8."""
        return "byte" if self.kind == "basic" and self.name == "uint8" else self.go_spelling()

    def go_spelling(self) -> str:
        """Go source spelling with full import paths (for messages, not for code)."""
        k = self.kind
        if k == "basic":
            return self.alias or self.name
        if k == "typeparam":
            return self.name
        if k == "named":
            base = f"{self.pkg}.{self.name}" if self.pkg else self.name
            if self.type_args and "[" not in self.name:  # not an instance (goffi.generics)
                base += "[" + ", ".join(a.go_spelling() for a in self.type_args) + "]"
            return base
        assert self.elem is not None or k in ("func", "interface", "struct")
        if k == "pointer":
            return "*" + self.elem.go_spelling()  # type: ignore[union-attr]
        if k == "slice":
            return "[]" + self.elem.element_spelling()  # type: ignore[union-attr]
        if k == "array":
            return f"[{self.length}]" + self.elem.element_spelling()  # type: ignore[union-attr]
        if k == "map":
            return f"map[{self.key.go_spelling()}]{self.elem.go_spelling()}"  # type: ignore[union-attr]
        if k == "chan":
            prefix = {"both": "chan ", "send": "chan<- ", "recv": "<-chan "}[self.dir]
            return prefix + self.elem.go_spelling()  # type: ignore[union-attr]
        if k == "func":
            return "func" + signature_spelling(self.params, self.results, self.variadic)
        if k == "interface":
            if not self.methods and not self.embeds_non_methods:
                return "any"
            return (
                "interface{"
                + "; ".join(
                    m.name + signature_spelling(m.params, m.results, m.variadic) for m in self.methods
                )
                + "}"
            )
        return "struct{" + "; ".join(f"{f.name} {f.type.go_spelling()}" for f in self.fields) + "}"


def signature_spelling(params: tuple[Param, ...], results: tuple[Param, ...], variadic: bool) -> str:
    """Go spelling of a signature's parameter and result lists."""
    ps = []
    for i, p in enumerate(params):
        t = p.type.go_spelling()
        if variadic and i == len(params) - 1:
            assert p.type.elem is not None
            t = "..." + p.type.elem.go_spelling()
        ps.append(f"{p.name} {t}".strip())
    rs = [f"{r.name} {r.type.go_spelling()}".strip() for r in results]
    out = "(" + ", ".join(ps) + ")"
    if len(rs) == 1 and not results[0].name:
        out += " " + rs[0]
    elif rs:
        out += " (" + ", ".join(rs) + ")"
    return out


@dataclass(frozen=True)
class Param:
    """A parameter or result. ``name`` is "" when Go leaves it unnamed."""

    name: str
    type: TypeRef


@dataclass(frozen=True)
class Field:
    """A struct field (exported or not: unexported ones matter for copy decisions)."""

    name: str
    type: TypeRef
    exported: bool
    embedded: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Method:
    """A method of a named type, or of an interface."""

    name: str
    params: tuple[Param, ...]
    results: tuple[Param, ...]
    variadic: bool = False
    pointer_receiver: bool = False  # declared on *T (only in T's pointer method set)
    doc: str = ""
    pos: str = ""  # "file.go:LINE", the file relative to the package directory


@dataclass(frozen=True)
class NamedType:
    """A defined type: ``type Celsius float64``, ``type Reader struct{...}``, ``error``."""

    pkg: str  # import path ("" for the universe's error/comparable)
    name: str
    underlying: TypeRef  # never kind == "named"
    methods: tuple[Method, ...] = ()  # declared methods (value and pointer receivers), sorted
    type_params: tuple[str, ...] = ()  # non-empty for a generic type
    doc: str = ""
    pos: str = ""
    is_alias: bool = False  # never True today: aliases are resolved to what they name
    # an instance of a generic type made by goffi.generics ("Pair[time.Duration, int]"):
    # its type arguments, by which generated Go spells it
    type_args: tuple[TypeRef, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.pkg}.{self.name}" if self.pkg else self.name


@dataclass(frozen=True)
class Term:
    """One term of a constraint's type set: ``T``, or ``~T`` (``tilde``)."""

    type: TypeRef
    tilde: bool = False


@dataclass(frozen=True)
class Constraint:
    """A type parameter's constraint, as Go's type checker sees it.

    ``restricted`` is True when the constraint limits the type set to ``terms`` (a union,
    flattened through embedded interfaces: ``constraints.Integer`` is ~int | ~int8 | ...);
    terms may mention other type parameters (``S ~[]E``). ``methods`` are the methods
    every type argument must have; ``comparable`` that it must be comparable.
    """

    spelling: str  # Go's spelling: "any", "comparable", "cmp.Ordered", "~[]E"
    comparable: bool = False
    methods: tuple[str, ...] = ()
    restricted: bool = False
    terms: tuple[Term, ...] = ()


@dataclass(frozen=True)
class Func:
    """A package-level exported function."""

    name: str
    params: tuple[Param, ...]
    results: tuple[Param, ...]
    variadic: bool = False
    type_params: tuple[str, ...] = ()  # non-empty for a generic function
    doc: str = ""
    pos: str = ""
    constraints: tuple[Constraint, ...] = ()  # one per type parameter, in order


ConstKind = Literal["bool", "string", "int", "float", "complex"]


@dataclass(frozen=True)
class Const:
    """An exported constant with its exact value.

    ``value`` is a string whose meaning depends on ``kind``:
    bool: "true"/"false"; int: exact decimal (any size); float: the nearest float64 in
    Go's shortest round-trip form ('g', -1) or "+Inf"/"-Inf" when it does not fit;
    complex: "RE,IM" (each like float); string: the Go string as hex bytes (strings may
    hold invalid UTF-8, so they are carried losslessly).
    """

    name: str
    type: TypeRef  # basic "untyped int"/"untyped float"/"untyped rune"/... or the declared type
    kind: ConstKind
    value: str
    doc: str = ""
    pos: str = ""

    @property
    def string_value(self) -> bytes:
        assert self.kind == "string"
        return bytes.fromhex(self.value)


@dataclass(frozen=True)
class Var:
    """An exported package-level variable."""

    name: str
    type: TypeRef
    doc: str = ""
    pos: str = ""


@dataclass(frozen=True)
class Module:
    path: str
    version: str = ""  # "" for the main module or a replaced local one


@dataclass(frozen=True)
class Package:
    """One Go package the user asked for."""

    path: str  # import path, e.g. "strings", "example.com/mygo"
    name: str  # package clause name, e.g. "strings"
    doc: str = ""  # package doc comment
    standard: bool = False
    module: Module | None = None  # None for the standard library
    funcs: tuple[Func, ...] = ()
    types: tuple[str, ...] = ()  # keys into Surface.named of the exported types it declares
    consts: tuple[Const, ...] = ()
    vars: tuple[Var, ...] = ()


@dataclass(frozen=True)
class Surface:
    """Everything extracted for one bundle.

    ``named`` holds every named type reachable from the packages' exported API (through
    signatures, underlying types, fields and the signatures of exported methods), each
    once, including types declared in packages that are not in the bundle (io.Reader)
    and the universe's ``error``.
    """

    go_version: str  # e.g. "go1.26.8"
    packages: tuple[Package, ...]  # in the order requested
    named: dict[str, NamedType] = field(default_factory=dict)  # key -> type, keys sorted
    # Import paths the user asked for; the other packages were extracted for their errors
    # (goffi.plan.IMPLICIT_PACKAGES). Empty means all of them.
    requested: tuple[str, ...] = ()

    def lookup(self, ref: TypeRef) -> NamedType:
        assert ref.kind == "named", ref
        return self.named[ref.named_key]
