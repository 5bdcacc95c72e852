"""The type table's rules: :class:`TypeMapper` walks a Go type and decides how it crosses
(or why it cannot), and which structs Go shares by pointer.
"""

from __future__ import annotations

from dataclasses import replace

from goffi.surface.model import NamedType, Surface, TypeRef
from goffi.typemap.decisions import (
    BUFFER_FORMATS,
    VALUE_BASES,
    ClassDecision,
    FuncSig,
    Mapping,
    MapResult,
    Shape,
    Skip,
    default_class_name,
)

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


# Key shapes whose Python value is hashable (a dict key) and whose Go type is comparable.
# An any key is comparable in Go; its Python value is hashable when it is a basic value (a
# generic map instantiated with any, issue 12: a key of another kind raises TypeError).
_HASHABLE_SHAPES = frozenset({"bool", "int", "uint", "float", "complex", "string", "bytearray", "any"})


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
            if (elem.shape, elem.bits) in BUFFER_FORMATS:
                note = (
                    "copied into a list; a buffer of its items' format (array('"
                    + BUFFER_FORMATS[(elem.shape, elem.bits)]
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
                "and error types), not raised; None is nil; an exception that came from Go, or a "
                "sentinel's class (io.EOF), passes back as its Go value",
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
            from goffi.generics.substitution import instantiate_named

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
