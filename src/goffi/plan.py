"""The bundle plan: every exported Go symbol, decided (bridged, with how) or skipped (with why).

Third stage of the pipeline: :func:`plan_bundle` turns a :class:`Surface` and the type
table's decisions into a :class:`BundlePlan`. The renderers and ``goffi inspect`` only
read this model. Symbols get stable, deterministic names here (export symbols, Python
identifiers), so that every renderer agrees on them without recomputing anything.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from goffi.proxies import ProxyPlan

from goffi.analysis import FuncEscapes, MemoryAnalysis, ParamEscape
from goffi.decoding import DecodeAnalysis
from goffi.generics import (
    GenericPlan,
    InstancePlan,
    Instantiation,
    Request,
    TypeParamDecision,
    TypeResolver,
    decide_type_param,
    find_probe,
    instantiations,
    map_seq,
    parse_request,
    resolve_request,
    substitute,
    with_comparable_fallback,
)
from goffi.mutation import MutationAnalysis
from goffi.surface.model import (
    Const,
    Field,
    Func,
    Method,
    NamedType,
    Package,
    Param,
    Surface,
    TypeRef,
    signature_spelling,
)
from goffi.typemap import (
    IMPLEMENTERS,
    ClassDecision,
    ClassNamer,
    Mapping,
    Skip,
    TypeMapper,
    default_class_name,
    identifier,
    zero_copy_form,
)

#: Shapes whose C representation is a plain value: converting one either way takes no
#: memory beyond the value itself and keeps no Python object alive.
PLAIN_SHAPES = frozenset({"bool", "int", "uint", "float", "complex", "duration"})

# Shapes whose nil a callback's arguments keep apart from empty: Go's nil is None, an
# empty one b"", [] or {} (as a callable's None result is nil, and an empty one empty).
NIL_APART_SHAPES = frozenset({"bytes", "slice", "map"})


@dataclass(frozen=True)
class ParamPlan:
    py_name: str  # a valid, unique Python identifier
    go_name: str
    type: Mapping
    variadic: bool = False  # the Go ...T parameter: Python *args, type is the []T mapping
    # Whether Go may keep this argument's memory after the call returns (goffi.analysis:
    # Go's escape analysis; True when unknown). A parameter goffi would lend (a []byte
    # view, a zero-copy slice, byte slices in a container) is lent only when this is
    # False; otherwise Go gets its own copy (see lends).
    kept: bool = True
    kept_why: str = "not analysed"
    # A slice of numbers, bools or strings whose Go writes come back (issue 9): after the
    # call, Go's values are written over the C array, and a list argument gets those that
    # differ from its items (a writable buffer of the items' format is written directly).
    writes_back: bool = False
    # An any parameter Go decodes into (goffi.decoding: json.Unmarshal's v): a dict, list
    # or record argument reaches Go as a pointer to its converted copy, and Go's result is
    # written back into the Python object after the call. The scan's evidence, or "".
    decodes: str = ""
    # A map parameter Go writes into (goffi.decoding: m[k] = v, delete, clear, or a call
    # that does): after the call a dict argument gets Go's map's contents. The evidence.
    map_writes: str = ""
    # Whether Go may write into this slice parameter's memory during the call
    # (goffi.mutation: an SSA analysis of the Go code; True when unknown), and why. A
    # []byte Go does not write takes a read-only buffer (bytes) without a copy, and a
    # slice Go does not write is not copied back (writes_back).
    writes: bool = True
    writes_why: str = "not analysed"

    @property
    def mutation(self) -> str:
        """The write verdict goffi inspect shows: "" for a parameter that is no slice."""
        if self.variadic or self.type.shape not in ("bytes", "slice", "buffer"):
            return ""
        if self.writes:
            return f"Go may write into it ({self.writes_why})"
        return f"read-only: Go does not write into it ({self.writes_why})"

    @property
    def lends(self) -> bool:
        """Whether Go sees memory that is valid for the call only (a view, or the arena)."""
        return not self.kept and any(sub.shape in ("bytes", "buffer") for sub in self.type.walk())

    @property
    def memory(self) -> str:
        """The memory verdict goffi inspect shows: "" for a parameter that never shares
        memory, else whether Go gets a view or its own copy, and why."""
        if not any(sub.shape in ("bytes", "buffer") for sub in self.type.walk()):
            return ""
        if self.lends:
            return f"lent for the call: Go does not keep it ({self.kept_why})"
        return f"Go's own copy: Go may keep it ({self.kept_why})"


@dataclass(frozen=True)
class ReceiverPlan:
    """The receiver of a bridged method: the handle object the method is called on."""

    cls: str  # class key ("regexp.Regexp")
    # "pointer" (the handle holds a *T), "interface" (it holds an I), or "record" (the
    # receiver is a copied record, passed like a first argument)
    via: str
    record: Mapping | None = None  # via == "record": the record's mapping
    # A value class whose Python value is mutable (a list or dict subclass): Go's receiver
    # after the call is copied back into the Python object, as Go's caller would see it
    # (a slice's elements and a map are shared with a value receiver; a pointer receiver
    # may change all of it). An immutable one (int, str, bytes) cannot be updated.
    write_back: bool = False


@dataclass(frozen=True)
class FuncPlan:
    """One bridged Go function or method."""

    pkg_path: str
    pkg_name: str  # Go package name, used in messages: "url" for net/url
    go_name: str
    py_name: str
    symbol: str  # the //export name (C and Go), e.g. goffi_f_0_ToUpper
    params: tuple[ParamPlan, ...]
    results: tuple[Mapping, ...]  # without the trailing error
    returns_error: bool
    go_signature: str  # "func ToUpper(s string) string"
    doc: str
    pos: str
    receiver: ReceiverPlan | None = None  # methods only
    # Declared non-blocking (goffi.load(nonblocking=...)): called with the GIL held, which
    # saves the release/reacquire; only for functions that neither block nor call back.
    holds_gil: bool = False
    # Declared zero-copy (goffi.load(zero_copy=...)): its slices of fixed-size numbers
    # cross as views (typemap.zero_copy_form), those Go does not keep (ParamPlan.kept).
    zero_copy: bool = False
    # An instantiation of a generic function (goffi.generics): its type arguments, in order.
    type_args: tuple[TypeRef, ...] = ()
    instance: str = ""  # a suffix naming the instantiation in C ("int64"), "" if not generic
    # Per result: why Go never gives nil there ("" when it may, or the result cannot be
    # nil at all). A pointer or interface result that is never nil is typed T, not
    # T | None, in stubs and signatures (_apply_nil); the glue still turns a nil into None.
    never_nil: tuple[str, ...] = ()

    @property
    def local_name(self) -> str:
        """The function's name in generated C, unique in its package ("Max__int64")."""
        return f"{self.go_name}__{self.instance}" if self.instance else self.go_name

    @property
    def iterators(self) -> bool:
        """Whether a parameter or result is an iter.Seq/iter.Seq2 (the Python module wraps it)."""
        return any(m.iterator for m in (*(p.type for p in self.params), *self.results))

    @property
    def qualified(self) -> str:
        """Go spelling used in error messages: "url.Parse", "regexp.Regexp.FindString"."""
        if self.receiver is not None and self.receiver.via == "func":
            return f"Go {self.receiver.cls}"
        if self.receiver is not None:
            return f"{default_class_name(self.receiver.cls)}.{self.go_name}"
        return f"{self.pkg_name}.{self.go_name}"

    @property
    def variadic(self) -> bool:
        return bool(self.params) and self.params[-1].variadic

    @property
    def interruptible(self) -> bool:
        """Its first parameter is a context.Context: the call gets a context derived from the
        caller's (None: context.Background()) that Ctrl-C cancels, so the call can return."""
        return (
            bool(self.params)
            and not self.params[0].variadic
            and self.params[0].type.go_name == "context.Context"
        )

    def py_signature(self, namer: ClassNamer | None = None) -> str:
        """The Python signature (for docstrings, stubs and goffi inspect)."""
        parts = ["self"] if self.receiver is not None else []
        parts += [f"{p.py_name}: {p.type.py_type('in', namer)}" for p in self.params if not p.variadic]
        if self.variadic:
            last = self.params[-1]
            assert last.type.elem is not None
            parts.append(f"*{last.py_name}: {last.type.elem.py_type('in', namer)}")
        return f"{self.py_name}({', '.join(parts)}) -> {self.py_return(namer)}"

    def py_return(self, namer: ClassNamer | None = None) -> str:
        if not self.results:
            return "None"
        spelled = [self.py_result(i, namer) for i in range(len(self.results))]
        return spelled[0] if len(spelled) == 1 else "tuple[" + ", ".join(spelled) + "]"

    def py_result(self, i: int, namer: ClassNamer | None = None) -> str:
        """Result i's annotation: without "| None" where Go never gives nil (never_nil)."""
        spelled = self.results[i].py_type("out", namer)
        if i < len(self.never_nil) and self.never_nil[i] and spelled.endswith(" | None"):
            return spelled[: -len(" | None")]
        return spelled


@dataclass(frozen=True)
class ConstPlan:
    go_name: str
    py_name: str
    py_literal: str  # Python source for the value
    py_type: str
    go_type: str
    doc: str
    pos: str
    named: str = ""  # a typed constant of a value class: the class's key (the value is an instance)


@dataclass(frozen=True)
class VarPlan:
    go_name: str
    py_name: str
    type: Mapping
    get_symbol: str
    set_symbol: str
    doc: str
    pos: str
    # Its type is unexported and it is seen through an interface (TypeMapper.exported_view):
    # Python reads it, but cannot assign it
    read_only: bool = False


@dataclass(frozen=True)
class TypePlan:
    """A named type whose values cross as plain Python values (``type Celsius float64``)."""

    go_name: str
    type: Mapping
    doc: str
    pos: str


@dataclass(frozen=True)
class SkipPlan:
    """An exported symbol goffi does not bridge, and why."""

    go_name: str
    kind: str  # "func", "const", "var", "type", "method", "field"
    go_signature: str
    reason: str
    category: str


@dataclass(frozen=True)
class FieldPlan:
    """An exported struct field, a property of its handle class (read and written through Go)."""

    go_name: str
    py_name: str
    type: Mapping
    get_symbol: str
    set_symbol: str
    doc: str
    # A struct-valued field is returned as a pointer into its parent (&v.F), so that
    # obj.F.X = 1 changes obj, as in Go.
    by_address: bool = False


@dataclass(frozen=True)
class ClassPlan:
    """A named Go type whose values are Python objects of one class."""

    key: str  # "regexp.Regexp"
    pkg_path: str
    go_name: str
    py_name: str
    index: int  # position in the bundle's class registry
    # "handle" (a struct, held by pointer), "interface", "record" (a struct, copied), or
    # "value" (a named non-struct type: a subclass of its underlying Python type)
    kind: str
    reason: str  # why this kind (goffi inspect)
    doc: str
    pos: str
    methods: tuple[FuncPlan, ...]
    fields: tuple[FieldPlan, ...]
    skipped: tuple[SkipPlan, ...]
    record: Mapping | None = None  # kind "record" or "value": how its values copy
    # kind "value": the exported typed constants of this type, (Python name, literal), in
    # declaration order: the members of an enum-like class
    members: tuple[tuple[str, str], ...] = ()
    # kind "value" or "record": the bundle's interface classes whose methods its value
    # method set has (by name): Go accepts its values there (boxed), and so do the stubs
    implements: tuple[str, ...] = ()
    # kind "handle": a struct whose fields all copy, held by Go because Go shares it by
    # pointer (typemap.shared_structs); its objects compare and print by their fields
    shared: bool = False
    # an instance of a generic type ("Pair[time.Duration, int]"): its type arguments
    type_args: tuple[TypeRef, ...] = ()

    @property
    def ref(self) -> TypeRef:
        """The Go type of this class's values, as generated Go spells it (GoSpeller)."""
        return TypeRef(kind="named", pkg=self.pkg_path, name=self.go_name, type_args=self.type_args)

    @property
    def has_box(self) -> bool:
        """Whether Python can box its values into Go objects: a value class, or a record that
        implements an interface of the bundle (passed there as a copy of its value)."""
        return self.kind == "value" or (self.kind == "record" and bool(self.implements))

    @property
    def box_symbol(self) -> str:
        """The Go export boxing a value-class value into a handle (for interface arguments)."""
        return f"goffi_box_{self.ident}"

    @property
    def python_defined(self) -> bool:
        """Whether the class is Python code of its module (records and value classes)."""
        return self.kind in ("record", "value")

    @property
    def any_value(self) -> bool:
        """Whether a Go value of this value class's type inside an any (slog.Level returned as
        any) comes back as the class, copied like a record; time.Duration and time.Time have
        any tags of their own."""
        return (
            self.kind == "value"
            and self.record is not None
            and self.record.shape in _ANY_VALUE_SHAPES
            and self.key not in ("time.Duration", "time.Time")
        )

    @property
    def value_base(self) -> str:
        """A value class's Python base type ("int", "list", "datetime.datetime"), else ""."""
        from goffi.typemap import VALUE_BASES

        return VALUE_BASES[self.record.shape] if self.kind == "value" and self.record is not None else ""

    @property
    def ident(self) -> str:
        return identifier(self.key)

    @property
    def new_symbol(self) -> str:
        """The Go export creating a zero value (handle classes only)."""
        return f"goffi_new_{self.ident}"

    def method(self, name: str, params: int, results: tuple[str, ...]) -> FuncPlan | None:
        """The bridged method ``name`` with that many parameters and these result shapes."""
        for m in self.methods:
            shapes = tuple(r.shape for r in m.results)
            if m.go_name == name and len(m.params) == params and not m.variadic and shapes == results:
                return m
        return None

    @property
    def string_method(self) -> FuncPlan | None:
        """String() string or Error() string: the object's __str__."""
        return self.method("String", 0, ("string",)) or self.method("Error", 0, ("string",))

    @property
    def len_method(self) -> FuncPlan | None:
        found = self.method("Len", 0, ("int",))
        return found if found is not None and not found.returns_error else None

    @property
    def close_method(self) -> FuncPlan | None:
        """Close() or Close() error: makes the object a context manager."""
        return self.method("Close", 0, ())


@dataclass(frozen=True)
class SentinelPlan:
    """An exported `var ErrX = errors.New(...)`: an exception class matched with errors.Is."""

    pkg_path: str
    go_name: str
    py_name: str
    index: int  # position in the bundle's sentinel table
    builtin: str  # a Python builtin exception it also subclasses ("EOFError"), or ""
    doc: str


@dataclass(frozen=True)
class ErrorTypePlan:
    """A named type implementing error: an exception class matched with errors.As."""

    key: str
    pkg_path: str
    go_name: str
    py_name: str
    index: int  # position in the bundle's error-type table
    pointer: bool  # Error() has a pointer receiver: errors.As looks for a *T
    value_kind: str  # the kind of T's own class ("handle", "record") or "" when it has none
    doc: str


@dataclass(frozen=True)
class PackagePlan:
    path: str
    go_name: str  # the package clause name
    py_module: str  # the module's name inside the bundle: "strings", "crypto_rand"
    index: int  # position in the bundle (sorted by path); used in symbol names
    doc: str
    funcs: tuple[FuncPlan, ...]
    consts: tuple[ConstPlan, ...]
    vars: tuple[VarPlan, ...]
    types: tuple[TypePlan, ...]
    skipped: tuple[SkipPlan, ...]
    classes: tuple[ClassPlan, ...] = ()
    # False for a package that only declares types the bundle's API uses (io for io.Reader).
    requested: bool = True
    sentinels: tuple[SentinelPlan, ...] = ()
    error_types: tuple[ErrorTypePlan, ...] = ()
    generics: tuple[GenericPlan, ...] = ()  # generic functions (goffi.generics)

    @property
    def all_funcs(self) -> tuple[FuncPlan, ...]:
        """The package's functions and every instantiation of its generic functions."""
        return self.funcs + tuple(i.func for g in self.generics for i in g.instances)


@dataclass(frozen=True)
class FuncTypePlan:
    """A Go func type crossing the boundary: its callback shim, and the class of its Go values."""

    mapping: Mapping  # shape "func"
    index: int  # the class index of Go funcs of this type seen from Python
    call: FuncPlan  # how Python calls a Go func of this type
    # The bundle's package functions of exactly this signature, with their package's
    # index: passed where Go wants this type (sc.Split(bufio.ScanWords)), Go gets the
    # function itself, not a Python callback calling it.
    go_funcs: tuple[tuple[int, FuncPlan], ...] = ()
    # A method of a Python object proxied as a Go interface (goffi.proxies): its []byte
    # parameters are lent as writable memoryviews, and its error is made from the exception.
    proxy: bool = False

    @property
    def ident(self) -> str:
        return identifier(self.mapping.go_name)

    @property
    def needs_arena(self) -> bool:
        """Whether a callback of this type needs an arena: C memory for what its arguments
        or results point to (strings, containers), or references kept until Go copied
        its results. Plain C values need none, so their callbacks allocate nothing."""
        sig = self.mapping.sig
        assert sig is not None
        error_only = sig.returns_error and not sig.results
        return (
            self.proxy or error_only or any(m.shape not in PLAIN_SHAPES for m in (*sig.params, *sig.results))
        )

    @property
    def trampoline_signature(self) -> str:
        """The C signature of this type's callback trampoline (defined in glue.c, declared
        in wrapper.go): the callable's ID and its arguments by value, then the arena if it
        needs one; it returns the status and the results by value (goffi_cbr_*)."""
        sig = self.mapping.sig
        assert sig is not None
        params = ["uint64_t id", *(f"{p.c_type} a{i}" for i, p in enumerate(sig.params))]
        params += ["goffi_arena *arena"] if self.needs_arena else []
        return f"goffi_cbr_{self.ident} goffi_cb_{self.ident}({', '.join(params)})"


@dataclass(frozen=True)
class BundlePlan:
    name: str  # the Python package name of the bundle, e.g. "gopkgs"
    go_version: str
    packages: tuple[PackagePlan, ...]  # requested ones sorted by import path, then type-only ones
    # Whether the bundle carries the goroutine bridge (channels, callbacks): needs_runtime.
    bridge: bool = False
    func_types: tuple[FuncTypePlan, ...] = ()
    # Interfaces Python objects can implement (goffi.proxies), by key.
    proxies: tuple[ProxyPlan, ...] = ()

    def proxy(self, key: str) -> ProxyPlan | None:
        """The proxy of interface ``key``, if Python objects can implement it."""
        return next((p for p in self.proxies if p.key == key), None)

    def classes(self) -> tuple[ClassPlan, ...]:
        """Every class of the bundle, in registry order."""
        return tuple(sorted((c for p in self.packages for c in p.classes), key=lambda c: c.index))

    @property
    def any_class(self) -> int:
        """Registry index of GoValue, the class of `any` values with no class of their own."""
        return len(self.classes())

    @property
    def chan_class(self) -> int:
        """Registry index of the class of channel handles (wrapped by goffi.Channel)."""
        return self.any_class + 1

    @property
    def class_count(self) -> int:
        return self.any_class + 2 + len(self.func_types)

    def chan_elems(self) -> tuple[Mapping, ...]:
        """The element types of the bundle's channels (what make_chan accepts), by Go spelling."""
        found = {m.elem.go_name: m.elem for m in self.mappings() if m.shape == "chan" and m.elem is not None}
        return tuple(found[k] for k in sorted(found))

    def func_type(self, go_name: str) -> FuncTypePlan:
        for f in self.func_types:
            if f.mapping.go_name == go_name:
                return f
        raise KeyError(go_name)

    def record_mapping(self, key: str) -> Mapping:
        """The mapping of a record class."""
        record = self.class_by_key(key).record
        assert record is not None, key
        return record

    def sentinels(self) -> tuple[SentinelPlan, ...]:
        return tuple(sorted((x for p in self.packages for x in p.sentinels), key=lambda x: x.index))

    def error_types(self) -> tuple[ErrorTypePlan, ...]:
        return tuple(sorted((x for p in self.packages for x in p.error_types), key=lambda x: x.index))

    def package(self, path: str) -> PackagePlan:
        for p in self.packages:
            if p.path == path:
                return p
        raise KeyError(path)

    def class_by_key(self, key: str) -> ClassPlan:
        for c in self.classes():
            if c.key == key:
                return c
        raise KeyError(key)

    def class_namer(self) -> ClassNamer:
        """Spells a class as "<module>.<Class>" for signatures shown to users."""
        names = {c.key: f"{p.py_module}.{c.py_name}" for p in self.packages for c in p.classes}
        for c in self.classes():
            for interface in c.implements:
                known = names.get(IMPLEMENTERS + interface)
                names[IMPLEMENTERS + interface] = f"{known} | {names[c.key]}" if known else names[c.key]
        return lambda key: names.get(key, "" if key.startswith(IMPLEMENTERS) else default_class_name(key))

    def callables(self) -> tuple[FuncPlan, ...]:
        return tuple(f for p in self.packages for f in p.all_funcs) + tuple(
            m for c in self.classes() for m in c.methods
        )

    def mappings(self) -> tuple[Mapping, ...]:
        """Every distinct mapping the bundle uses (nested ones included), sorted by Go spelling."""
        # Keyed by C representation too: a zero-copy slice (shape "buffer") is distinct from
        # the same Go type copied, and a struct field's address (*T, never nil) from a *T
        # parameter (None is nil); each needs its own C converters.
        seen: dict[tuple[str, str], Mapping] = {}
        tops = [p.type for f in self.callables() for p in f.params]
        tops += [r for f in self.callables() for r in f.results]
        tops += [v.type for pkg in self.packages for v in pkg.vars]
        tops += [f.type for c in self.classes() for f in c.fields]
        tops += [c.record for c in self.classes() if c.record is not None]
        for top in tops:
            for m in top.walk():
                seen.setdefault((m.go_name, m.cid), m)
        return tuple(seen[k] for k in sorted(seen))

    def imported_packages(self) -> tuple[str, ...]:
        """Import paths the Go wrapper must import: the bundle's, and those naming types it spells."""
        paths = {p.path for p in self.packages}
        for m in self.mappings():
            _collect_named_pkgs(m.ref, paths)
        for p in self.packages:  # the type arguments of generic functions' instantiations
            for g in p.generics:
                for inst in g.instances:
                    for arg in inst.instantiation.type_args:
                        _collect_named_pkgs(arg, paths)
        for p in self.packages:  # the type arguments of generic types' instances
            for c in p.classes:
                for arg in c.type_args:
                    _collect_named_pkgs(arg, paths)
        return tuple(sorted(paths))


def _collect_named_pkgs(ref: TypeRef, into: set[str]) -> None:
    if ref.kind == "named" and ref.pkg:
        into.add(ref.pkg)
    for child in (ref.elem, ref.key, *ref.type_args):
        if child is not None:
            _collect_named_pkgs(child, into)


# Shapes of value classes whose values come back as their class from an any (ClassPlan.any_value).
_ANY_VALUE_SHAPES = frozenset(
    {"bool", "int", "uint", "float", "complex", "string", "bytes", "slice", "map", "array"}
)

# Packages always extracted with a bundle for their sentinel errors and error types, so that
# io.EOF is EOFError and a *fs.PathError shows its Path, whatever the bundle holds.
IMPLICIT_PACKAGES = ("context", "io", "io/fs")

# Sentinels that also subclass a Python builtin exception.
BUILTIN_SENTINELS = {
    ("io", "EOF"): "EOFError",
    ("io/fs", "ErrNotExist"): "FileNotFoundError",
    ("io/fs", "ErrExist"): "FileExistsError",
    ("io/fs", "ErrPermission"): "PermissionError",
    ("os", "ErrNotExist"): "FileNotFoundError",
    ("os", "ErrExist"): "FileExistsError",
    ("os", "ErrPermission"): "PermissionError",
    ("os", "ErrDeadlineExceeded"): "TimeoutError",
    ("context", "DeadlineExceeded"): "TimeoutError",
}


def plan_bundle(
    surface: Surface,
    name: str = "gopkgs",
    requested: Sequence[str] | None = None,
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
    memory: MemoryAnalysis | None = None,
    decodes: DecodeAnalysis | None = None,
    mutation: MutationAnalysis | None = None,
    instantiate: Sequence[str] = (),
) -> BundlePlan:
    """Decide every exported symbol of every requested package in ``surface``.

    Packages of the surface that were not requested (IMPLICIT_PACKAGES) contribute only
    their sentinel errors and error types. ``nonblocking`` names functions and methods
    ("strings.ToUpper", "example.com/p.Counter.Inc") to call with the GIL held;
    ``zero_copy`` names those whose numeric slices cross as views (zero_copy_form).
    ``memory`` (goffi.analysis) says which parameters Go may keep after the call; without
    it every parameter counts as kept, so Go gets its own copy of everything.
    ``decodes`` (goffi.decoding) says which any parameters Go decodes into; without it,
    none does. ``mutation`` (goffi.mutation) says which slice parameters Go may write
    into; without it, every one may be written. ``instantiate`` lists instantiations of
    generic functions to make besides the automatic ones, spelled as Go spells them
    ("slices.Max[[]int32]", goffi.generics.Request); a SpecError says why one cannot be made.
    """
    plan = _plan_bundle(surface, name, requested, instantiate)
    plan = _apply_memory(plan, memory or MemoryAnalysis(problem="not analysed"))
    plan = _apply_nil(plan, decodes or DecodeAnalysis())
    plan = _apply_mutation(plan, mutation or MutationAnalysis(problem="not analysed"))
    if decodes is not None and (decodes.funcs or decodes.map_writes):
        plan = _apply_decodes(plan, decodes)
    if nonblocking:
        plan = _apply_policy(plan, "nonblocking", nonblocking, _hold_gil)
    if zero_copy:
        plan = _apply_policy(plan, "zero_copy", zero_copy, _lend_slices)
    return plan


def callable_names(plan: BundlePlan) -> dict[str, FuncPlan]:
    """Every bridged function and method by the name nonblocking= and zero_copy= use for it."""
    names = {f"{f.pkg_path}.{f.go_name}": f for p in plan.packages for f in p.funcs}
    # A generic function by its own name (the policy applies to each instantiation it can).
    names.update({f"{p.path}.{g.go_name}": g.instances[0].func for p in plan.packages for g in p.generics})
    for c in plan.classes():
        names.update({f"{c.key}.{m.go_name}": m for m in c.methods})
    return names


def _hold_gil(f: FuncPlan, name: str) -> FuncPlan:
    return replace(f, holds_gil=True)


def _lend_slices(f: FuncPlan, name: str) -> FuncPlan:
    from goffi.errors import SpecError

    def lend(p: ParamPlan) -> ParamPlan:
        # A []byte parameter is a view already; *args are Python's own tuple; a slice Go
        # may keep after the call is never a view (it stays copied: goffi inspect says so).
        form = None if p.variadic or p.type.shape == "bytes" or p.kept else zero_copy_form(p.type)
        return p if form is None else replace(p, type=form, writes_back=False)

    params = tuple(lend(p) for p in f.params)
    results = tuple(zero_copy_form(r) or r for r in f.results)
    if params == f.params and results == f.results:
        kept = [p.go_name for p in f.params if not p.variadic and p.kept and zero_copy_form(p.type)]
        if kept:
            raise SpecError(
                f"zero_copy: {name} may keep its slice parameter(s) {', '.join(kept)} after it returns "
                f"(Go's escape analysis: {'; '.join(p.kept_why for p in f.params if p.go_name in kept)}), "
                "so they cannot be views of Python's buffers, and it returns no slice to share; "
                "remove it from zero_copy"
            )
        raise SpecError(
            f"zero_copy: {name} has no slice of fixed-size numbers ([]float64, []int32, ...) among its "
            "parameters and no such slice or []byte among its results, so there is nothing to share; "
            "remove it from zero_copy"
        )
    return replace(f, zero_copy=True, params=params, results=results)


# Interface methods whose documentation forbids keeping the slice ("Implementations must
# not retain p"): io.Reader.Read, io.Writer.Write, io.ReaderAt.ReadAt, io.WriterAt.WriteAt,
# and so every interface of io and hash that has them (hash.Hash embeds io.Writer).
_NO_RETAIN_CONTRACT = frozenset({"Read", "Write", "ReadAt", "WriteAt"})
_CONTRACT_PACKAGES = frozenset({"io", "hash"})


# Interface methods whose documentation forbids modifying the slice ("Write must not
# modify the slice data, even temporarily"): io.Writer.Write and io.WriterAt.WriteAt, and
# so every interface that embeds them (hash.Hash, io.ReadWriter, ...). The Go analysis
# (mutation_tool/main.go, allowedInterface) trusts the same list.
_NO_MODIFY_CONTRACT = frozenset({"Write", "WriteAt"})


def _apply_mutation(plan: BundlePlan, mutation: MutationAnalysis) -> BundlePlan:
    """Each slice parameter's write verdict (ParamPlan.writes) from goffi.mutation, after
    _apply_memory: a read-only slice is not copied back, and one the SSA analysis proves
    not kept is not kept whatever Go's escape analysis could not prove."""

    def one(f: FuncPlan, key: str, i: int, p: ParamPlan, interface: str) -> ParamPlan:
        if p.variadic or p.type.shape not in ("bytes", "slice", "buffer"):
            return p
        if interface:
            if interface in ("io", "hash") and f.go_name in _NO_MODIFY_CONTRACT and p.type.shape == "bytes":
                return replace(
                    p, writes=False, writes_why=f"{interface}'s contract: {f.go_name} must not modify p"
                )
            return replace(p, writes_why="an interface method: the implementation is unknown")
        if mutation.problem:
            return replace(p, writes_why=f"mutation analysis unavailable: {mutation.problem}")
        v = mutation.param(key, i)
        if v is None:
            return replace(p, writes_why="the mutation analysis said nothing on it")
        p = replace(p, writes=v.writes, writes_why=v.why)
        if not v.writes:
            p = replace(p, writes_back=False)  # nothing to copy back
        if p.kept and not v.kept and not v.returned:
            # Two conservative analyses: either one proving it is not kept is enough (the
            # compiler's cannot see through a func variable, crc32's updateIEEE; nor into
            # generic bodies).
            p = replace(
                p, kept=False, kept_why=f"not kept: the SSA analysis followed every use ({p.kept_why})"
            )
        return p

    def decide(f: FuncPlan, key: str, interface: str, generic: bool) -> FuncPlan:
        return replace(f, params=tuple(one(f, key, i, p, interface) for i, p in enumerate(f.params)))

    return _map_callables(plan, decide)


def _apply_memory(plan: BundlePlan, memory: MemoryAnalysis) -> BundlePlan:
    """Each parameter's memory verdict (ParamPlan.kept) from Go's escape analysis."""

    def decide(f: FuncPlan, key: str, interface: str, generic: bool) -> FuncPlan:
        facts = memory.funcs.get(key)
        params = tuple(_param_verdict(f, i, p, facts, memory, interface) for i, p in enumerate(f.params))
        # A generic function's instantiations share its parameters' facts (one Go body).
        params = tuple(replace(p, writes_back=True) if _writes_back(p, generic) else p for p in params)
        return replace(f, params=params)

    return _map_callables(plan, decide)


def _map_callables(plan: BundlePlan, decide: Callable[[FuncPlan, str, str, bool], FuncPlan]) -> BundlePlan:
    """The plan with ``decide(f, key, interface, generic)`` applied to every function, method
    and generic instantiation: ``key`` is its analysis name ("strings.ToUpper",
    "example.com/p.Counter.Inc"), ``interface`` the package of an interface's method ("" for
    others), ``generic`` True for an instantiation (keyed by its generic function)."""
    packages = []
    for p in plan.packages:
        funcs = tuple(decide(f, f"{f.pkg_path}.{f.go_name}", "", False) for f in p.funcs)
        classes = tuple(
            replace(
                c,
                methods=tuple(
                    decide(m, f"{c.key}.{m.go_name}", c.pkg_path if c.kind == "interface" else "", False)
                    for m in c.methods
                ),
            )
            for c in p.classes
        )
        generics = tuple(
            replace(
                g,
                instances=tuple(
                    replace(i, func=decide(i.func, f"{i.func.pkg_path}.{i.func.go_name}", "", True))
                    for i in g.instances
                ),
            )
            for g in p.generics
        )
        packages.append(replace(p, funcs=funcs, classes=classes, generics=generics))
    return replace(plan, packages=tuple(packages))


def _apply_decodes(plan: BundlePlan, decodes: DecodeAnalysis) -> BundlePlan:
    """ParamPlan.decodes for the any parameters the decode scan found."""

    def one(key: str, i: int, p: ParamPlan) -> ParamPlan:
        if p.variadic:
            return p
        if p.type.shape == "any":
            return replace(p, decodes=decodes.why(key, i))
        if p.type.shape == "map":
            return replace(p, map_writes=decodes.writes(key, i))
        return p

    def decide(f: FuncPlan, key: str, interface: str, generic: bool) -> FuncPlan:
        # The scan reads Go bodies: an interface's methods and generic bodies have none here.
        if interface or generic or (key not in decodes.funcs and key not in decodes.map_writes):
            return f
        return replace(f, params=tuple(one(key, i, p) for i, p in enumerate(f.params)))

    return _map_callables(plan, decide)


def may_be_nil(m: Mapping) -> bool:
    """Whether a result's Python value is None when Go gives nil: a pointer (a handle, or
    an optional value), an interface (not error or any, which are typed apart), a channel
    or a func."""
    if m.ref.kind == "pointer" or m.shape in ("chan", "func"):
        return True
    return m.shape == "handle" and m.nilable


# The rule, as goffi inspect words it, for a result of a function that returns an error.
NIL_ERROR_RULE = "never None: Go returns it with a nil error, and a nil error means a valid value"


def _apply_nil(plan: BundlePlan, decodes: DecodeAnalysis) -> BundlePlan:
    """FuncPlan.never_nil: the pointer and interface results that are never nil.

    Two rules, either suffices: the function also returns an error (Go's convention: a
    nil error means the other results are valid: url.Parse, os.Open), or the source scan
    (extractor/nonnil.go) proves every return statement gives a non-nil value
    (strings.NewReader, regexp.MustCompile). Where Go breaks the convention (a (nil, nil)
    return) the value is still None at run time: only the annotation is wrong.
    """

    def decide(f: FuncPlan, key: str, interface: str, generic: bool) -> FuncPlan:
        verdicts = []
        for i, r in enumerate(f.results):
            if not may_be_nil(r):
                verdicts.append("")
            elif f.returns_error:
                verdicts.append(NIL_ERROR_RULE)
            else:
                why = decodes.never_nil(key, i)
                verdicts.append(f"never None: {why}" if why else "")
        never = tuple(verdicts) if any(verdicts) else ()
        return f if never == f.never_nil else replace(f, never_nil=never)

    return _map_callables(plan, decide)


def _param_verdict(
    f: FuncPlan, i: int, p: ParamPlan, facts: FuncEscapes | None, memory: MemoryAnalysis, interface: str
) -> ParamPlan:
    if interface in _CONTRACT_PACKAGES and f.go_name in _NO_RETAIN_CONTRACT and p.type.shape == "bytes":
        return replace(p, kept=False, kept_why=f"{interface}'s contract: implementations must not retain p")
    if interface:
        return replace(p, kept=True, kept_why="an interface method: the implementation is unknown")
    if memory.problem:
        return replace(p, kept=True, kept_why=f"escape analysis unavailable: {memory.problem}")
    fact: ParamEscape | None = facts.params[i] if facts is not None and i < len(facts.params) else None
    if fact is None:
        return replace(p, kept=True, kept_why="no escape analysis for this function")
    if not fact.analysed:
        return replace(p, kept=True, kept_why="the compiler reported nothing on it")
    if fact.to_heap:
        return replace(p, kept=True, kept_why=fact.words)
    for r in fact.to_results:
        # A result goffi copies to Python lets go of the argument; one Go keeps (a handle,
        # an error, an any or func value) keeps it.
        result = f.results[r] if r < len(f.results) else None
        if result is None or any(s.shape in _GO_HELD_SHAPES for s in result.walk()):
            return replace(p, kept=True, kept_why=f"{fact.words}, a result Go keeps")
    if fact.to_results:
        return replace(p, kept=False, kept_why=f"{fact.words}, a result goffi copies")
    return replace(p, kept=False, kept_why=fact.words)


#: Element shapes of slices whose Go writes come back to a list (ParamPlan.writes_back).
WRITE_BACK_ELEMS = frozenset({"bool", "int", "uint", "float", "complex", "duration", "string"})


def _writes_back(p: ParamPlan, generic: bool = False) -> bool:
    """Whether Go's writes into slice parameter ``p`` come back to a list argument. In a
    generic function's instantiation, a []any does too (slices.Reverse, slices.SortFunc on
    lists of anything): Go reports which items it left in place or moved, so an item keeps
    its identity (goffiBack_ in the Go wrapper, goffi_back_ in the C glue)."""
    m = p.type
    if not p.writes or p.variadic or m.shape != "slice" or m.elem is None:
        return False
    return m.elem.shape in WRITE_BACK_ELEMS or (
        generic and m.elem.shape == "any" and m.elem.ref.kind == "interface"
    )


# Shapes of results whose Go value lives on after the call (held by a Python object).
_GO_HELD_SHAPES = frozenset({"handle", "any", "error", "func", "chan"})


def _apply_policy(
    plan: BundlePlan, policy: str, names: Sequence[str], apply: Callable[[FuncPlan, str], FuncPlan]
) -> BundlePlan:
    """``apply`` to the functions and methods ``names`` lists (a SpecError for unknown names)."""
    from goffi.errors import SpecError

    known = callable_names(plan)
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise SpecError(
            f"{policy}: {', '.join(unknown)} is not a bridged function or method of this bundle; name "
            f"them as import path + name, e.g. {next(iter(sorted(known)), 'strings.ToUpper')!r} "
            "(goffi inspect lists them)"
        )
    chosen = set(names)

    def mark(f: FuncPlan, name: str) -> FuncPlan:
        return apply(f, name) if name in chosen else f

    packages = []
    for p in plan.packages:
        funcs = tuple(mark(f, f"{f.pkg_path}.{f.go_name}") for f in p.funcs)
        classes = tuple(
            replace(c, methods=tuple(mark(m, f"{c.key}.{m.go_name}") for m in c.methods)) for c in p.classes
        )
        generics = tuple(_mark_generic(g, f"{p.path}.{g.go_name}", chosen, apply) for g in p.generics)
        packages.append(replace(p, funcs=funcs, classes=classes, generics=generics))
    return replace(plan, packages=tuple(packages))


def _mark_generic(
    g: GenericPlan, name: str, chosen: set[str], apply: Callable[[FuncPlan, str], FuncPlan]
) -> GenericPlan:
    """A policy applied to every instantiation it fits (zero_copy= fits only numeric slices);
    an error only when it fits none of them."""
    from goffi.errors import SpecError

    if name not in chosen:
        return g
    instances = []
    errors = []
    for inst in g.instances:
        try:
            instances.append(replace(inst, func=apply(inst.func, name)))
        except SpecError as e:
            errors.append(e)
            instances.append(inst)
    if len(errors) == len(g.instances):
        raise errors[0]
    return replace(g, instances=tuple(instances))


def _plan_bundle(
    surface: Surface, name: str, requested: Sequence[str] | None, instantiate: Sequence[str] = ()
) -> BundlePlan:
    if requested is None:
        requested = surface.requested or [p.path for p in surface.packages]
    wanted = set(requested)
    packages = sorted((p for p in surface.packages if p.path in wanted), key=lambda p: p.path)
    implicit = {p.path: p for p in surface.packages if p.path not in wanted}
    mapper = TypeMapper(surface, frozenset(p.path for p in packages))
    requests = _requests(packages, instantiate, generic_types(surface, packages))
    requested_types = _plan_requested_types(mapper, packages, instantiate)
    partial = [_plan_package(pkg, i, mapper, requests) for i, pkg in enumerate(packages)]
    sentinel_vars = [
        (pkg, v)
        for pkg in sorted([*packages, *implicit.values()], key=lambda p: p.path)
        for v in pkg.vars
        if _is_error(v.type)
    ]
    error_keys = sorted(key for key, t in surface.named.items() if _error_receiver(t, mapper) is not None)
    for key in error_keys:  # their values need classes too (for e.Path, e.Func)
        mapper.map(TypeRef(kind="named", pkg=surface.named[key].pkg, name=surface.named[key].name))
    # Planning a class's methods and fields can make classes of more types: plan to a fixed point.
    class_members: dict[
        str, tuple[tuple[FuncPlan, ...], tuple[FieldPlan, ...], tuple[SkipPlan, ...], Mapping | None]
    ] = {}
    while len(class_members) < len(mapper.classes):
        for key, decision in list(mapper.classes.items()):
            if key not in class_members:
                class_members[key] = _plan_class_members(decision, surface, mapper)
    index = {key: i for i, key in enumerate(sorted(class_members))}
    members = _value_members(surface, mapper)
    implements = _value_interfaces(surface, mapper)
    by_pkg: dict[str, list[ClassPlan]] = {}
    for key, (methods, fields, skipped, record) in class_members.items():
        named = surface.named[key]
        decision = mapper.classes[key]
        by_pkg.setdefault(named.pkg, []).append(
            ClassPlan(
                key=key,
                pkg_path=named.pkg,
                go_name=named.name,
                # An error type's name is its exception class; the class of its values is NameValue.
                # A generic type's instance ("Tuple2[any, any]") is named Tuple2_any_any.
                # A generic type's instance is named by its type arguments (instance_py_name).
                py_name=python_identifier(instance_py_name(named) if named.type_args else named.name)
                + ("Value" if key in error_keys else ""),
                index=index[key],
                kind=decision.kind,
                reason=decision.reason
                + (f"; requested by instantiate {requested_types[key]!r}" if key in requested_types else ""),
                doc=named.doc,
                pos=named.pos,
                methods=methods,
                fields=fields,
                skipped=skipped,
                record=record,
                members=members.get(key, ()),
                implements=implements.get(key, ()),
                # An error type's values key the exceptions (by identity): they stay hashable.
                shared=decision.shared and key not in error_keys,
                type_args=named.type_args,
            )
        )
    sentinels_by_pkg: dict[str, list[SentinelPlan]] = {}
    for i, (pkg, v) in enumerate(sentinel_vars):
        builtin = BUILTIN_SENTINELS.get((pkg.path, v.name), "")
        sentinels_by_pkg.setdefault(pkg.path, []).append(
            SentinelPlan(pkg.path, v.name, python_identifier(v.name), i, builtin, v.doc)
        )
    kinds = {key: decision.kind for key, decision in mapper.classes.items()}
    errors_by_pkg: dict[str, list[ErrorTypePlan]] = {}
    for i, key in enumerate(error_keys):
        named = surface.named[key]
        errors_by_pkg.setdefault(named.pkg, []).append(
            ErrorTypePlan(
                key,
                named.pkg,
                named.name,
                python_identifier(named.name),
                i,
                pointer=bool(_error_receiver(named, mapper)),
                value_kind=kinds.get(key, ""),
                doc=named.doc,
            )
        )
    requested_paths = [p.path for p in packages]
    names = python_module_names(requested_paths, [p.name for p in packages])
    extra_paths = sorted((set(by_pkg) | set(sentinels_by_pkg) | set(errors_by_pkg)) - set(requested_paths))
    taken = set(names.values())
    for path in extra_paths:
        names[path] = _unique_module_name(path, taken)
        taken.add(names[path])
    plans: list[PackagePlan] = []
    for pkg, plan in zip(packages, partial, strict=True):
        classes = tuple(sorted(by_pkg.get(pkg.path, []), key=lambda c: c.go_name))
        # An error variable is a sentinel class, not a variable.
        variables = tuple(v for v in plan.vars if v.type.shape != "error")
        plans.append(
            replace(
                plan,
                py_module=names[pkg.path],
                classes=classes,
                vars=variables,
                sentinels=tuple(sentinels_by_pkg.get(pkg.path, [])),
                error_types=tuple(errors_by_pkg.get(pkg.path, [])),
            )
        )
    for i, path in enumerate(extra_paths, start=len(packages)):
        classes = tuple(sorted(by_pkg.get(path, []), key=lambda c: c.go_name))
        go_name = implicit[path].name if path in implicit else path.rsplit("/", 1)[-1]
        plans.append(
            PackagePlan(
                path,
                go_name,
                names[path],
                i,
                implicit[path].doc if path in implicit else "",
                (),
                (),
                (),
                (),
                (),
                classes=classes,
                requested=False,
                sentinels=tuple(sentinels_by_pkg.get(path, [])),
                error_types=tuple(errors_by_pkg.get(path, [])),
            )
        )
    bundle = BundlePlan(name=name, go_version=surface.go_version, packages=tuple(plans))
    funcs = list({m.go_name: m for m in bundle.mappings() if m.shape == "func"}.values())
    first = bundle.any_class + 2
    func_types = tuple(
        replace(_plan_func_type(m, first + i), go_funcs=_same_signature(bundle, m))
        for i, m in enumerate(funcs)
    )
    # A channel or func can also come from a type outside the requested packages.
    bridged = any(m.shape in ("chan", "func") for m in bundle.mappings())
    from goffi.proxies import plan_proxies  # goffi.proxies builds on this module

    # An interface with an unexported method (text/template/parse.Node's tree()) can only be
    # implemented inside its own package: no proxy can satisfy it.
    sealed = frozenset(
        key
        for key, named in surface.named.items()
        if named.underlying.kind == "interface"
        and any(not m.name[:1].isupper() for m in named.underlying.methods)
    )
    proxies = plan_proxies(bundle, sealed)
    bridged = bridged or bool(proxies)
    return replace(bundle, func_types=func_types, proxies=proxies, bridge=needs_runtime(surface) or bridged)


def _same_signature(bundle: BundlePlan, m: Mapping) -> tuple[tuple[int, FuncPlan], ...]:
    """The bundle's package functions whose Go signature is the func type ``m``'s (types
    compared by their Go spelling, so only identical types match)."""
    assert m.sig is not None
    want = (
        tuple(p.ref.go_spelling() for p in m.sig.params),
        tuple(r.ref.go_spelling() for r in m.sig.results),
        m.sig.returns_error,
    )
    return tuple(
        (pkg.index, fn)
        for pkg in bundle.packages
        for fn in pkg.funcs
        if not fn.variadic
        and (
            tuple(p.type.ref.go_spelling() for p in fn.params),
            tuple(r.ref.go_spelling() for r in fn.results),
            fn.returns_error,
        )
        == want
    )


def _plan_func_type(m: Mapping, index: int) -> FuncTypePlan:
    assert m.sig is not None
    params = tuple(ParamPlan(f"arg{i}", "", p) for i, p in enumerate(m.sig.params))
    call = FuncPlan(
        pkg_path="",
        pkg_name="",
        go_name="call",
        py_name="__call__",
        symbol=f"goffi_fcall_{identifier(m.go_name)}",
        params=params,
        results=m.sig.results,
        returns_error=m.sig.returns_error,
        go_signature=m.go_name,
        doc="",
        pos="",
        receiver=ReceiverPlan(m.go_name, "func"),
    )
    return FuncTypePlan(m, index, call)


def needs_runtime(surface: Surface | None) -> bool:
    """Whether a bundle needs the goroutine bridge: a channel or func in any exported
    function, method, field or interface method, at any depth of its type expression.

    A surface that could not be read (None) counts as needing it: leaving the bridge out
    of a bundle that uses it would fail to build with an obscure link error.
    """
    if surface is None:
        return True
    wanted = set(surface.requested) or {p.path for p in surface.packages}

    def has(ref: TypeRef | None) -> bool:
        if ref is None:
            return False
        if ref.kind in ("chan", "func"):
            return True
        if ref.kind == "named":
            named = surface.named.get(ref.named_key)
            return named is not None and named.underlying.kind in ("chan", "func")
        if ref.kind == "interface":
            return any(signature_has(m.params, m.results) for m in ref.methods)
        if ref.kind == "struct":
            return any(has(f.type) for f in ref.fields if f.exported)
        return has(ref.elem) or has(ref.key)

    def signature_has(params: tuple[Param, ...], results: tuple[Param, ...]) -> bool:
        return any(has(p.type) for p in (*params, *results))

    for pkg in surface.packages:
        if pkg.path not in wanted:
            continue
        if any(signature_has(f.params, f.results) for f in pkg.funcs):
            return True
        if any(has(v.type) for v in pkg.vars):
            return True
        for key in pkg.types:
            named = surface.named[key]
            if any(signature_has(m.params, m.results) for m in named.methods) or has(named.underlying):
                return True
    return False


def _unique_module_name(path: str, taken: set[str]) -> str:
    elems = [e for e in path.split("/") if e]
    name = python_identifier(elems[-1])
    if name in taken:
        name = python_identifier("_".join(_identifier(e) for e in elems[-2:]))
    base, n = name, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    return name


def python_module_names(paths: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    """The Python module name of each Go package inside a bundle.

    A package is known by its Go package name ("url" for net/url); when two packages of
    one bundle share a name (math/rand, crypto/rand), every one of them is prefixed with
    its parent path element ("math_rand", "crypto_rand") so neither silently wins.
    """
    counts: dict[str, int] = {}
    for n in names:
        counts[n] = counts.get(n, 0) + 1
    out: dict[str, str] = {}
    for path, n in zip(paths, names, strict=True):
        if counts[n] > 1:
            elems = [e for e in path.split("/") if e]
            n = "_".join(_identifier(e) for e in elems[-2:])
        out[path] = python_identifier(n)
    return out


def python_identifier(name: str) -> str:
    """A Go identifier made safe for Python: keywords get a trailing underscore (None -> None_)."""
    name = _identifier(name)
    return name + "_" if keyword.iskeyword(name) or keyword.issoftkeyword(name) else name


def instance_py_name(named: NamedType) -> str:
    """The Python class name of a generic type's instance: the type's name and its type
    arguments', a named type by its own name (``Pair[time.Duration, int]`` ->
    ``Pair_Duration_int``, ``Tuple2[any, any]`` -> ``Tuple2_any_any``, ``Box[[]*T]`` ->
    ``Box_slice_ptr_T``)."""
    return "_".join([named.name.split("[", 1)[0], *(_arg_py_name(a) for a in named.type_args)])


def _arg_py_name(ref: TypeRef) -> str:
    k = ref.kind
    if k == "named":
        return "_".join([ref.name.split("[", 1)[0], *(_arg_py_name(a) for a in ref.type_args)])
    if k == "basic":
        return ref.alias or ref.name
    if k == "pointer" and ref.elem is not None:
        return "ptr_" + _arg_py_name(ref.elem)
    if k == "slice" and ref.elem is not None:
        return "slice_" + _arg_py_name(ref.elem)
    if k == "array" and ref.elem is not None:
        return f"array{ref.length}_" + _arg_py_name(ref.elem)
    if k == "map" and ref.elem is not None and ref.key is not None:
        return f"map_{_arg_py_name(ref.key)}_{_arg_py_name(ref.elem)}"
    return "any" if k == "interface" else _identifier(ref.go_spelling())


def _identifier(text: str) -> str:
    out = re.sub(r"\W", "_", text)
    return "_" + out if out[:1].isdigit() else out


def _requests(
    packages: Sequence[Package], instantiate: Sequence[str], types: Collection[str] = ()
) -> dict[str, list[Request]]:
    """The requested instantiations (goffi.load(instantiate=...)) by generic function, checked."""
    from goffi.errors import SpecError

    generic = {f"{p.path}.{f.name}": f for p in packages for f in p.funcs if f.type_params}
    out: dict[str, list[Request]] = {}
    for text in sorted(set(instantiate)):
        req = parse_request(text)
        if isinstance(req, str):
            raise SpecError(f"instantiate: {req}")
        if req.func in types:  # a generic type: _plan_requested_types
            continue
        if req.func not in generic:
            known = ", ".join(sorted(generic)[:5]) or "none"
            raise SpecError(
                f"instantiate: {req.func} (in {text!r}) is not a generic function of the bundle's packages; name "
                f"it as import path + name (generic functions here include: {known}; goffi inspect lists them), or "
                "name a generic type of them the same way ('example.com/pkg.Pair[time.Duration, int]')"
            )
        out.setdefault(req.func, []).append(req)
    return out


def generic_types(surface: Surface, packages: Sequence[Package]) -> set[str]:
    """The generic types of ``packages``, by import path + name."""
    return {k for p in packages for k in p.types if k in surface.named and surface.named[k].type_params}


def _plan_requested_types(
    mapper: TypeMapper, packages: Sequence[Package], instantiate: Sequence[str]
) -> dict[str, str]:
    """Instantiates the generic types the user asked for ("example.com/pkg.Pair[time.Duration,
    int]"): each becomes a class (a SpecError for one that cannot). Returns the request that
    made each instance, by its class key (goffi inspect says so)."""
    from goffi.errors import SpecError

    types = generic_types(mapper.surface, packages)
    out: dict[str, str] = {}
    for text in sorted(set(instantiate)):
        req = parse_request(text)
        if isinstance(req, str) or req.func not in types:
            continue
        home, _, name = req.func.rpartition(".")
        resolver = TypeResolver(mapper.surface, home)
        try:
            args = tuple(resolver.parse(a) for a in req.args)
        except ValueError as e:
            raise SpecError(f"instantiate: {text}: {e}") from None
        found = mapper.map(TypeRef(kind="named", pkg=home, name=name, type_args=args))
        if isinstance(found, Skip):
            raise SpecError(f"instantiate: {text}: cannot cross: {found.reason}")
        if found.cls is None or "[" not in found.cls:
            raise SpecError(
                f"instantiate: {text}: maps to a {found.shape} value, not a class of its own "
                "(request a generic function that takes or returns it instead)"
            )
        out.setdefault(found.cls, text)
    return out


def _plan_package(
    pkg: Package, index: int, mapper: TypeMapper, requests: dict[str, list[Request]] | None = None
) -> PackagePlan:
    funcs: list[FuncPlan] = []
    skipped: list[SkipPlan] = []
    generics: list[GenericPlan] = []
    for fn in pkg.funcs:
        go_sig = f"func {fn.name}{signature_spelling(fn.params, fn.results, fn.variadic)}"
        if fn.type_params:
            generic = _plan_generic(mapper, pkg, index, fn, go_sig)
            asked = (requests or {}).get(f"{pkg.path}.{fn.name}")
            if asked:
                generic = _plan_requested(mapper, pkg, index, fn, go_sig, generic, asked)
            if generic.instances:
                generics.append(generic)
            else:
                reason = generic.dropped[0][1] if generic.dropped else "no instantiation"
                skipped.append(SkipPlan(fn.name, "func", go_sig, reason, "generic"))
            continue
        planned = _plan_callable(
            mapper,
            pkg.path,
            pkg.name,
            fn.name,
            fn.params,
            fn.results,
            fn.variadic,
            f"goffi_f_{index}_{fn.name}",
            go_sig,
            fn.doc,
            fn.pos,
            kind="func",
        )
        (funcs if isinstance(planned, FuncPlan) else skipped).append(planned)  # type: ignore[arg-type]
    consts: list[ConstPlan] = []
    for c in pkg.consts:
        literal = _const_literal(c)
        py_type = {"bool": "bool", "string": "str", "int": "int", "float": "float", "complex": "complex"}[
            c.kind
        ]
        if c.type.kind == "named" and c.type.named_key == "time.Duration" and c.kind == "int":
            # time.Hour is a timedelta, like every Duration (nanoseconds below a microsecond truncate).
            literal = f"_datetime.timedelta(microseconds={int(int(c.value) / 1000)})"
            py_type = "datetime.timedelta"
        of_class = ""  # a typed constant of a value class: the class's key
        if c.type.kind == "named":
            typed = mapper.map(c.type)
            if isinstance(typed, Mapping) and typed.named:
                of_class = typed.named
        consts.append(
            ConstPlan(
                c.name,
                python_identifier(c.name),
                literal,
                py_type,
                c.type.go_spelling(),
                c.doc,
                c.pos,
                of_class,
            )
        )
    variables: list[VarPlan] = []
    for v in pkg.vars:
        mapped = mapper.map(v.type)
        read_only = False
        if isinstance(mapped, Skip) and mapped.category == "unexported":
            view = mapper.exported_view(v.type)
            mapped, read_only = (view, True) if view is not None else (mapped, False)
        if isinstance(mapped, Skip):
            skipped.append(
                SkipPlan(
                    v.name, "var", f"var {v.name} {v.type.go_spelling()}", mapped.reason, mapped.category
                )
            )
            continue
        variables.append(
            VarPlan(
                v.name,
                python_identifier(v.name),
                mapped,
                f"goffi_get_{index}_{v.name}",
                f"goffi_set_{index}_{v.name}",
                v.doc,
                v.pos,
                read_only,
            )
        )
    types: list[TypePlan] = []
    for key in pkg.types:
        named = mapper.surface.named[key]
        mapped = mapper.map(TypeRef(kind="named", pkg=named.pkg, name=named.name))
        if isinstance(mapped, Mapping):
            # Class types (handles, records, value classes) are described by their ClassPlan.
            if mapped.shape not in ("handle", "record") and mapped.named != key:
                types.append(TypePlan(named.name, mapped, named.doc, named.pos))
                # Its values are plain Python values, with nowhere to carry methods.
                why = (
                    f"{named.name} crosses as a plain {mapped.py_type('out')}, which has no class to "
                    "carry methods"
                )
                if mapped.shape == "bool":
                    why += " (Python's bool cannot be subclassed)"
                elif mapped.shape == "func":
                    why = f"{named.name} crosses as a Python callable, which has no class to carry methods"
                skipped += _method_skips(named, mapper.surface, why, "no class")
        else:
            kind = named.underlying.kind
            shown = f"{kind}{{...}}" if kind in ("struct", "interface") else named.underlying.go_spelling()
            go_sig = f"type {named.name} {shown}"
            skipped.append(SkipPlan(named.name, "type", go_sig, mapped.reason, mapped.category))
            why = f"its type {named.name} is not bridged: {mapped.reason}"
            skipped += _method_skips(named, mapper.surface, why, mapped.category)
    skipped.sort(key=lambda s: (s.kind, s.go_name))
    return PackagePlan(
        generics=tuple(generics),
        path=pkg.path,
        go_name=pkg.name,
        py_module="",  # named once every package (and class) is known
        index=index,
        doc=pkg.doc,
        funcs=tuple(funcs),
        consts=tuple(consts),
        vars=tuple(variables),
        types=tuple(types),
        skipped=tuple(skipped),
    )


def _plan_generic(mapper: TypeMapper, pkg: Package, index: int, fn: Func, go_sig: str) -> GenericPlan:
    """A generic function's instantiations (goffi.generics decides the candidates)."""
    names = set(fn.type_params)
    constraints = fn.constraints or ()
    if len(constraints) != len(fn.type_params):
        reason = "the surface has no constraints for its type parameters (an older extractor)"
        return GenericPlan(
            fn.name, python_identifier(fn.name), go_sig, fn.doc, fn.pos, (), (), (("", reason),)
        )
    decisions = tuple(
        decide_type_param(n, c, names) for n, c in zip(fn.type_params, constraints, strict=False)
    )
    planned = _instances(mapper, pkg, index, fn, go_sig, decisions)
    if not planned[0] and any(d.falls_back for d in decisions):
        # any cannot carry a comparable parameter everywhere (a map key): representatives.
        fallback = tuple(with_comparable_fallback(d) if d.falls_back else d for d in decisions)
        retry = _instances(mapper, pkg, index, fn, go_sig, fallback)
        if retry[0]:
            decisions, planned = fallback, retry
    instances, dropped = planned
    # Where the dispatcher looks for each type parameter (in the signature before instantiation,
    # with the derived parameters replaced by their core types).
    derived = {d.name: d.derived for d in decisions if d.derived is not None}
    env: dict[str, TypeRef] = {}
    for _ in range(len(derived) + 1):
        for n, core in derived.items():
            env[n] = substitute(core, env)
    params = tuple(Param(p.name, substitute(p.type, env)) for p in fn.params)
    decisions = tuple(
        replace(d, probe=find_probe(d.name, params, fn.variadic)) if d.kind == "basic" else d
        for d in decisions
    )
    py_name = python_identifier(fn.name)
    if len(instances) == 1:  # one instantiation: the builtin is the function itself
        instances = [replace(instances[0], func=replace(instances[0].func, py_name=py_name))]
    return GenericPlan(fn.name, py_name, go_sig, fn.doc, fn.pos, decisions, tuple(instances), tuple(dropped))


def _plan_requested(
    mapper: TypeMapper,
    pkg: Package,
    index: int,
    fn: Func,
    go_sig: str,
    generic: GenericPlan,
    asked: list[Request],
) -> GenericPlan:
    """``generic`` with the instantiations the user asked for (a SpecError for one that cannot be)."""
    from goffi.errors import SpecError

    made = {i.go_type_args: i for i in generic.instances}
    instances = list(generic.instances)
    for n, req in enumerate(asked):
        found = resolve_request(mapper.surface, fn.type_params, fn.constraints or (), pkg.path, req.args)
        if isinstance(found, str):
            raise SpecError(f"instantiate: {req.text}: {found}")
        spelled = "[" + ", ".join(a.go_spelling() for a in found) + "]"
        if spelled in made:  # made anyway: mark it as asked for, so inspect says so
            continue
        env = dict(zip(fn.type_params, found, strict=False))
        suffix = f"x{n}_" + _identifier("_".join(a.go_spelling() for a in found))
        planned = _plan_callable(
            mapper,
            pkg.path,
            pkg.name,
            fn.name,
            tuple(Param(p.name, substitute(p.type, env)) for p in fn.params),
            tuple(Param(p.name, substitute(p.type, env)) for p in fn.results),
            fn.variadic,
            f"goffi_f_{index}_{fn.name}__{suffix}",
            go_sig,
            fn.doc,
            fn.pos,
            kind="func",
        )
        if isinstance(planned, SkipPlan):
            raise SpecError(f"instantiate: {req.text}: {fn.name}{spelled} cannot cross: {planned.reason}")
        func = replace(planned, type_args=found, instance=suffix, py_name=f"_{fn.name}__{suffix}")
        inst = InstancePlan(Instantiation(found, ("",) * len(found)), func, requested=req.text)
        made[spelled] = inst
        instances.append(inst)
    if len(generic.instances) == 1:  # no longer the only one: a private builtin name
        first = generic.instances[0]
        instances[0] = replace(first, func=replace(first.func, py_name=f"_{fn.name}__{first.func.instance}"))
    return replace(generic, instances=tuple(instances))


def _instances(
    mapper: TypeMapper,
    pkg: Package,
    index: int,
    fn: Func,
    go_sig: str,
    decisions: tuple[TypeParamDecision, ...],
) -> tuple[list[InstancePlan], list[tuple[str, str]]]:
    found = instantiations(decisions)
    if isinstance(found, str):
        return [], [("", found)]
    instances: list[InstancePlan] = []
    dropped: list[tuple[str, str]] = []
    for inst in found:
        env = dict(zip(fn.type_params, inst.type_args, strict=False))
        params = tuple(Param(p.name, substitute(p.type, env)) for p in fn.params)
        results = tuple(Param(p.name, substitute(p.type, env)) for p in fn.results)
        suffix = "_".join(_identifier(g) for g in inst.groups if g) if len(found) > 1 else "g"
        planned = _plan_callable(
            mapper,
            pkg.path,
            pkg.name,
            fn.name,
            params,
            results,
            fn.variadic,
            f"goffi_f_{index}_{fn.name}__{suffix}",
            go_sig,
            fn.doc,
            fn.pos,
            kind="func",
        )
        spelled = "[" + ", ".join(a.go_spelling() for a in inst.type_args) + "]"
        if isinstance(planned, SkipPlan):
            dropped.append((spelled, planned.reason))
            continue
        func = replace(planned, type_args=inst.type_args, instance=suffix, py_name=f"_{fn.name}__{suffix}")
        instances.append(InstancePlan(inst, func))
    return instances, dropped


def _plan_callable(
    mapper: TypeMapper,
    pkg_path: str,
    pkg_name: str,
    name: str,
    params_in: tuple[Param, ...],
    results_in: tuple[Param, ...],
    variadic_in: bool,
    symbol: str,
    go_sig: str,
    doc: str,
    pos: str,
    kind: str,
    receiver: ReceiverPlan | None = None,
) -> FuncPlan | SkipPlan:
    def skip(reason: str, category: str) -> SkipPlan:
        return SkipPlan(name, kind, go_sig, reason, category)

    params: list[ParamPlan] = []
    used: set[str] = {"self"} if receiver is not None else set()
    for i, p in enumerate(params_in):
        mapped = map_seq(mapper, p.type, "in") or mapper.map(p.type)
        if receiver is not None and isinstance(mapped, Mapping) and mapped.iterator:
            return skip(f"parameter {p.name or i}: iter.Seq crosses only for package functions", "iterator")
        if isinstance(mapped, Skip):
            return skip(f"parameter {p.name or i}: {mapped.reason}", mapped.category)
        py_name = _param_name(p, i, used)
        variadic = variadic_in and i == len(params_in) - 1
        if variadic and mapped.shape == "bytes":
            return skip(
                "a variadic ...byte parameter is not bridged; pass bytes to a []byte function", "variadic"
            )
        params.append(ParamPlan(py_name, p.name, mapped, variadic))
    results = list(results_in)
    returns_error = bool(results) and _is_error(results[-1].type)
    if returns_error and len(results) == 1 and returns_error_value(name):
        returns_error = False  # errors.New, fmt.Errorf, Unwrap: the error *is* the result
    if returns_error:
        results.pop()
    mapped_results: list[Mapping] = []
    for i, r in enumerate(results):
        mapped = map_seq(mapper, r.type, "out") or mapper.map(r.type)
        if isinstance(mapped, Skip) and mapped.category == "unexported":
            mapped = mapper.exported_view(r.type) or mapped
        if receiver is not None and isinstance(mapped, Mapping) and mapped.iterator:
            return skip(f"result {r.name or i}: iter.Seq crosses only for package functions", "iterator")
        if isinstance(mapped, Skip):
            return skip(f"result {r.name or i}: {mapped.reason}", mapped.category)
        mapped_results.append(mapped)
    return FuncPlan(
        pkg_path=pkg_path,
        pkg_name=pkg_name,
        go_name=name,
        py_name=python_identifier(name),
        symbol=symbol,
        params=tuple(params),
        results=tuple(mapped_results),
        returns_error=returns_error,
        go_signature=go_sig,
        doc=doc,
        pos=pos,
        receiver=receiver,
    )


def _plan_class_members(
    decision: ClassDecision, surface: Surface, mapper: TypeMapper
) -> tuple[tuple[FuncPlan, ...], tuple[FieldPlan, ...], tuple[SkipPlan, ...], Mapping | None]:
    named = surface.named[decision.key]
    ident = identifier(decision.key)
    pkg_name = named.pkg.rsplit("/", 1)[-1]
    for p in surface.packages:
        if p.path == named.pkg:
            pkg_name = p.name
    # A value class's receiver is its value, passed like a record's: first argument.
    via = {"interface": "interface", "record": "record", "value": "record"}.get(decision.kind, "pointer")
    record = mapper.map(TypeRef(kind="named", pkg=named.pkg, name=named.name)) if via == "record" else None
    assert not isinstance(record, Skip)
    receiver = ReceiverPlan(decision.key, via, record)
    methods: list[FuncPlan] = []
    skipped: list[SkipPlan] = []
    for m in method_set(named, surface):
        if decision.kind == "value" and record is not None:
            shares = record.shape in ("slice", "map") or (record.shape == "array" and m.pointer_receiver)
            receiver = ReceiverPlan(decision.key, via, record, write_back=shares)
        go_sig = f"func ({'*' if m.pointer_receiver else ''}{named.name}) {m.name}"
        go_sig += signature_spelling(m.params, m.results, m.variadic)
        planned = _plan_callable(
            mapper,
            named.pkg,
            pkg_name,
            m.name,
            m.params,
            m.results,
            m.variadic,
            f"goffi_m_{ident}_{m.name}",
            go_sig,
            m.doc,
            m.pos,
            kind="method",
            receiver=receiver,
        )
        (methods if isinstance(planned, FuncPlan) else skipped).append(planned)  # type: ignore[arg-type]
    fields: list[FieldPlan] = []
    if record is not None and decision.kind == "record":
        docs = {f.name: f.doc for f in named.underlying.fields}
        fields = [
            FieldPlan(name, python_identifier(name), m, "", "", docs.get(name, ""))
            for name, m in record.fields
        ]
    if decision.kind == "handle":
        # A method hides a promoted field of the same name at a deeper level (Go's selector
        # rule): text/template.Template's Name() hides its embedded parse.Tree's Name field.
        method_depths: dict[str, int] = {}
        method_set(named, surface, method_depths)
        field_depths: dict[str, int] = {}
        fields_found = field_set(named, surface, field_depths)
        for f in fields_found:
            if method_depths.get(f.name, 1 << 30) < field_depths[f.name]:
                continue
            mapped = mapper.map(f.type)
            if isinstance(mapped, Skip):
                skipped.append(
                    SkipPlan(
                        f.name, "field", f"{f.name} {f.type.go_spelling()}", mapped.reason, mapped.category
                    )
                )
                continue
            by_address = mapped.shape == "handle" and mapped.via == "value"
            if by_address:
                mapped = Mapping(
                    TypeRef(kind="pointer", elem=f.type), "handle", "handle", cls=mapped.cls, via="pointer"
                )
            fields.append(
                FieldPlan(
                    f.name,
                    python_identifier(f.name),
                    mapped,
                    f"goffi_fget_{ident}_{f.name}",
                    f"goffi_fset_{ident}_{f.name}",
                    f.doc,
                    by_address,
                )
            )
    if decision.shared:  # printed like a record: fields in declaration order
        order = {f.name: i for i, f in enumerate(named.underlying.fields)}
        fields.sort(key=lambda f: order.get(f.go_name, len(order)))
    skipped.sort(key=lambda s: (s.kind, s.go_name))
    return tuple(methods), tuple(fields), tuple(skipped), record


def _value_members(surface: Surface, mapper: TypeMapper) -> dict[str, tuple[tuple[str, str], ...]]:
    """The typed constants of each value class (its enum-like members), by class key.

    time.Time and time.Duration keep their Python forms and have no members.
    """
    out: dict[str, list[tuple[str, str]]] = {}
    for pkg in surface.packages:
        # In declaration order: the first name of a value names its member.
        for c in sorted(pkg.consts, key=_position_key):
            key = c.type.named_key if c.type.kind == "named" else ""
            decision = mapper.classes.get(key)
            if decision is None or decision.kind != "value" or key in ("time.Duration", "time.Time"):
                continue
            if named_pkg(key) != pkg.path:
                continue  # a re-export (os.ModeDir is an fs.FileMode): the declaring package names them
            out.setdefault(key, []).append((python_identifier(c.name), _const_literal(c)))
    return {k: tuple(v) for k, v in out.items()}


def _value_interfaces(surface: Surface, mapper: TypeMapper) -> dict[str, tuple[str, ...]]:
    """For each value class and record, the interface classes it implements, matched by method name.

    A value crosses boxed as itself (not a pointer), so only value-receiver methods count,
    and a method matches only with Go's identical signature (slog.Level's Level() returns a
    slog.Level, so it is no Leveler whose Level() returns another package's Level).
    """
    interfaces = {
        key: {_method_shape(m) for m in method_set(surface.named[key], surface)}
        for key, d in mapper.classes.items()
        if d.kind == "interface"
    }
    out: dict[str, tuple[str, ...]] = {}
    for key, d in mapper.classes.items():
        if d.kind not in ("value", "record"):  # a record crosses boxed as its value too (issue 10)
            continue
        own = {_method_shape(m) for m in surface.named[key].methods if not m.pointer_receiver}
        found = tuple(sorted(i for i, names in interfaces.items() if names and names <= own))
        if found:
            out[key] = found
    return out


def _method_shape(m: Method) -> tuple[str, tuple[str, ...], tuple[str, ...], bool]:
    """A method's name and Go signature without parameter names: what interface
    satisfaction compares."""
    return (
        m.name,
        tuple(p.type.go_spelling() for p in m.params),
        tuple(r.type.go_spelling() for r in m.results),
        m.variadic,
    )


def implementers(plan: BundlePlan, interface: str) -> tuple[str, ...]:
    """The value classes of ``plan`` whose values pass as the interface ``interface``."""
    return tuple(c.key for c in plan.classes() if interface in c.implements)


def _position_key(c: Const) -> tuple[str, int, int]:
    """A constant's position ("file.go:12:3") as a sort key: file, line, column."""
    file, _, rest = c.pos.partition(":")
    line, _, col = rest.partition(":")
    return file, int(line) if line.isdigit() else 0, int(col) if col.isdigit() else 0


def named_pkg(key: str) -> str:
    """The import path of a named type's key ("net/url.Values" -> "net/url")."""
    return key.rpartition(".")[0]


def _method_skips(named: NamedType, surface: Surface, reason: str, category: str) -> list[SkipPlan]:
    """Every method of a type that has no class, skipped with ``reason`` (so inspect counts them)."""
    out = []
    for m in method_set(named, surface):
        go_sig = f"func ({'*' if m.pointer_receiver else ''}{named.name}) {m.name}"
        go_sig += signature_spelling(m.params, m.results, m.variadic)
        out.append(SkipPlan(f"{named.name}.{m.name}", "method", go_sig, reason, category))
    return out


def method_set(named: NamedType, surface: Surface, depths: dict[str, int] | None = None) -> list[Method]:
    """The exported methods callable on a *T (or on an interface value), promoted ones included.

    Promotion follows Go's selector rule (see :func:`selectors`): a field or method at a
    shallower embedding depth hides deeper ones, and two at the same depth make the name
    ambiguous (not selectable), so it is dropped.
    ``depths``, if given, receives each returned method's embedding depth.
    """
    if named.underlying.kind == "interface":
        return [m for m in named.underlying.methods if m.name[:1].isupper()]
    found = selectors(named, surface, depths)
    return [m for _, m in sorted(found.items()) if isinstance(m, Method)]


def field_set(named: NamedType, surface: Surface, depths: dict[str, int] | None = None) -> list[Field]:
    """The exported fields of a struct, promoted ones included, by Go's selector rule.

    ``depths``, if given, receives each returned field's embedding depth."""
    found = selectors(named, surface, depths)
    return [f for _, f in sorted(found.items()) if isinstance(f, Field)]


def selectors(
    named: NamedType, surface: Surface, depths: dict[str, int] | None = None
) -> dict[str, Field | Method]:
    """What each exported name selects on a *T: a field or a method, by Go's selector rule.

    As go/types looks a selector up: breadth first over the embedding depth; the
    shallowest depth holding the name wins, fields and methods alike (a method Name
    hides a promoted field Name, and the reverse); a name found more than once at that
    depth (two embedded types, or one type embedded twice) is ambiguous and selects
    nothing. A type already visited at a shallower depth is not visited again. An
    embedded type the surface does not describe could hide or collide with any name
    below it, so names first found at or below its members' depth are left out.
    ``depths``, if given, receives the embedding depth of each name selected.
    """
    found: dict[str, Field | Method | None] = {}
    seen: set[str] = set()
    current: list[NamedType] = [named]
    depth = 0
    unknown_depth: int | None = None
    while current and (unknown_depth is None or depth < unknown_depth):
        hits: dict[str, list[Field | Method]] = {}
        following: list[NamedType] = []
        counts: dict[str, int] = {}
        for t in current:
            counts[t.key] = counts.get(t.key, 0) + 1
        for t in current:
            if t.key in seen:
                continue  # embedded twice at this depth (counted above), or hidden above
            seen.add(t.key)
            members: list[Field | Method] = []
            if t.underlying.kind == "interface":
                members += t.underlying.methods
            else:
                members += t.methods
            if t.underlying.kind == "struct":
                for f in t.underlying.fields:
                    members.append(f)
                    if f.embedded:
                        inner = _embedded_named(f, surface)
                        if inner is not None:
                            following.append(inner)
                        elif _embeds_named(f) and unknown_depth is None:
                            unknown_depth = depth + 1
            for member in members:
                if member.name[:1].isupper():
                    hits.setdefault(member.name, []).extend([member] * counts[t.key])
        for name, at_depth in hits.items():
            if name not in found:
                found[name] = at_depth[0] if len(at_depth) == 1 else None
                if depths is not None and found[name] is not None:
                    depths[name] = depth
        current = following
        depth += 1
    return {name: x for name, x in found.items() if x is not None}


def _embeds_named(f: Field) -> bool:
    t = f.type.elem if f.type.kind == "pointer" else f.type
    return t is not None and t.kind == "named"


def _embedded_named(f: Field, surface: Surface) -> NamedType | None:
    t = f.type.elem if f.type.kind == "pointer" else f.type
    if t is None or t.kind != "named":
        return None
    return surface.named.get(t.named_key)


def returns_error_value(name: str) -> bool:
    """Whether a function whose only result is an error returns it as a value.

    Go cannot tell "fails with" from "makes" an error; by convention constructors
    (errors.New, NewSyntaxError), fmt.Errorf, errors.Join, Unwrap and Err methods make or
    report one. Those return the exception instance (or None) instead of raising it.
    """
    return name in ("Errorf", "Join", "Unwrap", "Cause", "Err") or name.startswith("New")


def _error_receiver(named: NamedType, mapper: TypeMapper) -> bool | None:
    """For a type implementing error: whether Error() has a pointer receiver; else None."""
    if named.type_params or named.underlying.kind == "interface" or named.name == "error":
        return None
    if mapper.unnameable(named):
        return None  # unexported, internal: generated code cannot name it
    for m in named.methods:
        if m.name == "Error" and not m.params and len(m.results) == 1:
            r = m.results[0].type
            if r.kind == "basic" and r.name == "string":
                return m.pointer_receiver
    return None


def _is_error(ref: TypeRef) -> bool:
    return ref.kind == "named" and ref.named_key == "error"


def _param_name(p: Param, i: int, used: set[str]) -> str:
    name = python_identifier(p.name) if p.name and p.name != "_" else f"arg{i}"
    while name in used:
        name = f"{name}_{i}"
    used.add(name)
    return name


def _const_literal(c: Const) -> str:
    """Python source for a constant's exact value."""
    if c.kind == "bool":
        return "True" if c.value == "true" else "False"
    if c.kind == "int":
        return str(int(c.value))
    if c.kind == "float":
        return _float_literal(c.value)
    if c.kind == "complex":
        re_, im = c.value.split(",")
        return f"complex({_float_literal(re_)}, {_float_literal(im)})"
    text = c.string_value.decode("utf-8", "surrogateescape")
    return repr(text)


def _float_literal(text: str) -> str:
    value = float(text.replace("+Inf", "inf").replace("-Inf", "-inf"))
    if math.isinf(value):
        return "float('inf')" if value > 0 else "float('-inf')"
    return repr(value)
