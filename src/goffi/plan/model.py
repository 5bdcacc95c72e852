"""The bundle plan's model: frozen dataclasses for every decided symbol, which the renderers
and ``goffi inspect`` read (and nothing else decides).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from goffi.generics.plans import GenericPlan
from goffi.surface.model import TypeRef
from goffi.typemap.decisions import IMPLEMENTERS, ClassNamer, Mapping, default_class_name, identifier

if TYPE_CHECKING:
    from goffi.proxies import ProxyPlan


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
    # T | None, in stubs and signatures (apply_nil); the glue still turns a nil into None.
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

    @property
    def nil_default(self) -> bool:
        """Whether its last parameter, a Go ``error`` after one of another type, may be left
        out (None: nil).

        A ``(T, error)`` result reaches Python as ``T``, its error raised, so Go's
        ``template.Must(t.Parse(text))`` reads ``template.Must(t.Parse(text))`` in Python
        too: ``Must(t, err error)`` takes ``err=None`` by default. Errors alone
        (``errors.Is(err, target error)``, ``Wrap(err error)``) stay required: leaving
        one out is a mistake, not the idiom.
        """
        params = self.params
        return (
            len(params) >= 2
            and not params[-1].variadic
            and params[-1].type.shape == "error"
            and params[-2].type.shape != "error"
        )

    def py_signature(self, namer: ClassNamer | None = None) -> str:
        """The Python signature (for docstrings, stubs and goffi inspect)."""
        parts = ["self"] if self.receiver is not None else []
        parts += [f"{p.py_name}: {p.type.py_type('in', namer)}" for p in self.params if not p.variadic]
        if self.nil_default:
            parts[-1] += " = None"
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
        from goffi.typemap.decisions import VALUE_BASES

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

    @property
    def locker(self) -> bool:
        """Lock() and Unlock(), without results (sync.Locker: sync.Mutex, sync.RWMutex) and
        no Close(): ``with mu:`` locks for the block, as a Python lock does."""
        lock, unlock = self.method("Lock", 0, ()), self.method("Unlock", 0, ())
        return (
            self.close_method is None
            and lock is not None
            and unlock is not None
            and not lock.results
            and not unlock.results
            and not lock.returns_error
            and not unlock.returns_error
        )


@dataclass(frozen=True)
class SentinelPlan:
    """An exported `var ErrX = errors.New(...)`, or a constant of a string type with an
    Error method (`const ErrX strErr = "..."`): an exception class matched with errors.Is."""

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
