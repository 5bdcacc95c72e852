"""Generic functions and range-over-func iterators: which instantiations a bundle makes, and why.

Part of the planning stage (used by :mod:`goffi.plan`). A generic Go function cannot be
called without type arguments, so goffi instantiates it with types its type table
carries, and Python picks the instantiation by its arguments:

- a type parameter constrained by ``any`` or ``comparable`` (no type-set terms) is
  instantiated with ``any``: values cross by their dynamic type. When ``any`` cannot
  carry it (a map key), a ``comparable`` one falls back to representatives;
- a type parameter whose constraint has a type set of basic types (``cmp.Ordered``,
  ``~int | ~float64``, ``constraints.Integer``) is instantiated for one representative
  of each kind of Python value the set allows: ``int64`` (else the widest allowed
  integer), ``float64``, ``string``, ``complex128``, ``bool``;
- a type parameter whose constraint is a single term (``S ~[]E``, ``M ~map[K]V``) is
  *derived*: it is instantiated with that term's type, once the others are chosen;
- anything else (a constraint with methods, a union of composite types) is not
  instantiated, and ``goffi inspect`` says why.

Each instantiation is planned like an ordinary function (a :class:`~goffi.plan.FuncPlan`
whose ``type_args`` the Go wrapper spells: ``slices.Max[[]int64, int64]``). Python calls
a dispatcher (:mod:`goffi.runtime.generic`) that looks at the arguments bound to each
type parameter with several instantiations (ints -> int64, any float -> float64, str ->
string) and calls the matching one.

``iter.Seq[V]`` and ``iter.Seq2[K, V]`` (as a function's own parameter or result) cross
as func types the existing callback machinery carries: a parameter is ``func() []V``
(Go pulls one item per call from a Python iterable; an empty list ends it) and a result
is ``func(int) ([]V, bool)`` (Python pulls one item per call from a goroutine running it; 0
stops the sequence, -1 takes every remaining item at once: rt.PullSeq). The Python module wraps both (:mod:`goffi.runtime.generic`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from goffi.surface.model import Constraint, Method, Param, Surface, Term, TypeRef
from goffi.typemap.decisions import Mapping, MapResult, Skip
from goffi.typemap.mapper import TypeMapper

if TYPE_CHECKING:
    from goffi.plan.model import FuncPlan

#: Kinds of Python values a type parameter can be dispatched on, each with the Go types
#: that represent it, most preferred first.
_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "int",
        ("int64", "int", "int32", "int16", "int8", "uint64", "uint", "uint32", "uint16", "uint8", "uintptr"),
    ),
    ("float", ("float64", "float32")),
    ("string", ("string",)),
    ("complex", ("complex128", "complex64")),
    ("bool", ("bool",)),
)
#: Representatives of comparable when ``any`` cannot carry the parameter (a map key).
_COMPARABLE_FALLBACK = ("string", "int64", "float64")
#: At most this many instantiations of one function (the product of its parameters' choices).
MAX_INSTANCES = 12

Probe = Literal["value", "elems", "keys", "values", "varargs", "iter", "iterkeys", "itervalues"]


@dataclass(frozen=True)
class Candidate:
    """One type a type parameter may be instantiated with, and the kind of Python value it serves."""

    type: TypeRef
    group: str  # "any", "int", "float", "string", "complex", "bool"


@dataclass(frozen=True)
class TypeParamDecision:
    """How one type parameter is instantiated (shown by goffi inspect)."""

    name: str
    constraint: str  # Go's spelling
    kind: Literal["any", "basic", "derived", "none"]
    candidates: tuple[Candidate, ...]  # kind any/basic
    derived: TypeRef | None  # kind derived: the core type, in terms of the other parameters
    reason: str  # why these candidates, or why none
    # Where the dispatcher looks to choose among several candidates: (argument index, what).
    probe: tuple[int, Probe] | None = None
    comparable: bool = False  # kind any from comparable: may fall back to representatives

    @property
    def falls_back(self) -> bool:
        """Whether ``any`` was chosen for a comparable parameter (a map key needs representatives)."""
        return self.kind == "any" and self.comparable


@dataclass(frozen=True)
class Instantiation:
    """One instantiation: type arguments for every type parameter, and the kind it serves."""

    type_args: tuple[TypeRef, ...]  # one per type parameter, in order
    groups: tuple[str, ...]  # the chosen group of each type parameter ("" for derived ones)


@dataclass(frozen=True)
class InstancePlan:
    """One instantiation of a generic function, planned like any function."""

    instantiation: Instantiation
    func: FuncPlan  # its type_args set; py_name private when the function has several
    # Asked for by goffi.load(instantiate=...) (the request as written), "" if automatic:
    # called by its type arguments only (f["int32"]), never chosen by the dispatcher.
    requested: str = ""

    @property
    def go_type_args(self) -> str:
        """Go's spelling of the type arguments: "[[]int64, int64]"."""
        return "[" + ", ".join(a.go_spelling() for a in self.instantiation.type_args) + "]"


@dataclass(frozen=True)
class GenericPlan:
    """A generic Go function: the instantiations made (and why), or none and why not."""

    go_name: str
    py_name: str
    go_signature: str
    doc: str
    pos: str
    type_params: tuple[TypeParamDecision, ...]
    instances: tuple[InstancePlan, ...]
    # Instantiations planned but dropped (a type the table cannot carry): (type args, reason).
    dropped: tuple[tuple[str, str], ...] = ()

    @property
    def automatic(self) -> tuple[InstancePlan, ...]:
        """The instantiations the dispatcher chooses among (not the requested ones)."""
        return tuple(i for i in self.instances if not i.requested)

    @property
    def dispatched(self) -> tuple[int, ...]:
        """Indexes of the type parameters the dispatcher chooses (more than one candidate left)."""
        out = []
        for i in range(len(self.type_params)):
            groups = {inst.instantiation.groups[i] for inst in self.automatic}
            if len(groups) > 1:
                out.append(i)
        return tuple(out)


def substitute(ref: TypeRef, env: dict[str, TypeRef]) -> TypeRef:
    """``ref`` with type parameters replaced by ``env``'s types."""
    if ref.kind == "typeparam":
        return env.get(ref.name, ref)
    changes: dict[str, object] = {}
    if ref.elem is not None:
        changes["elem"] = substitute(ref.elem, env)
    if ref.key is not None:
        changes["key"] = substitute(ref.key, env)
    if ref.params:
        changes["params"] = tuple(Param(p.name, substitute(p.type, env)) for p in ref.params)
    if ref.results:
        changes["results"] = tuple(Param(p.name, substitute(p.type, env)) for p in ref.results)
    if ref.type_args:
        changes["type_args"] = tuple(substitute(a, env) for a in ref.type_args)
    if ref.fields:
        changes["fields"] = tuple(replace(f, type=substitute(f.type, env)) for f in ref.fields)
    if ref.methods:
        changes["methods"] = tuple(_substitute_method(m, env) for m in ref.methods)
    return replace(ref, **changes) if changes else ref  # type: ignore[arg-type]


def _substitute_method(m: Method, env: dict[str, TypeRef]) -> Method:
    return replace(
        m,
        params=tuple(Param(p.name, substitute(p.type, env)) for p in m.params),
        results=tuple(Param(p.name, substitute(p.type, env)) for p in m.results),
    )


def instantiate_named(surface: Surface, ref: TypeRef) -> TypeRef | str:
    """A generic type's instantiation (``lo.Tuple2[any, any]``) as a named type of its own.

    The instance is added to ``surface.named`` under the key "pkg.Name[args]" (the type
    arguments spelled as :meth:`TypeRef.go_spelling` spells them, with full import paths),
    with the type arguments substituted into its underlying type and its methods, so the
    type table decides it like any named type (a record, a handle class). The instance's
    reference keeps the type arguments, so generated Go spells it ``alias.Name[args]`` with
    each argument spelled through the wrapper's own package aliases
    (:func:`instance_base`). A type argument may be a basic type, any, an exported named type
    of an importable package (``time.Duration``, a record of the bundle, another instance), or
    slices, arrays, maps and pointers of those. Returns the instance's reference, or why it
    cannot be made.
    """
    if "[" in ref.name:  # already an instance
        return ref
    named = surface.named.get(ref.named_key)
    if named is None:
        return f"type {ref.named_key} was not extracted"
    if len(named.type_params) != len(ref.type_args):
        return f"{ref.go_spelling()} does not give every type parameter of {ref.named_key}"
    args: list[TypeRef] = []
    for a in ref.type_args:
        why = _unspellable(surface, a)
        if why:
            return (
                f"{ref.go_spelling()}: type argument {a.go_spelling()} {why}; generic types are "
                "instantiated with basic types, any, exported named types of importable packages, "
                "and slices, arrays, maps and pointers of those (request an instantiation with "
                "such a type instead)"
            )
        args.append(a)
    spelled = [a.go_spelling() for a in args]
    name = f"{named.name}[{', '.join(spelled)}]"
    key = f"{named.pkg}.{name}"
    if key not in surface.named:
        env = dict(zip(named.type_params, args, strict=False))
        surface.named[key] = replace(
            named,
            name=name,
            underlying=substitute(named.underlying, env),
            methods=tuple(_substitute_method(m, env) for m in named.methods),
            type_params=(),
            type_args=tuple(args),
        )
    return TypeRef(kind="named", pkg=named.pkg, name=name, type_args=tuple(args))


def instance_base(ref: TypeRef) -> str:
    """The generic type's own name of an instance reference ("Pair" of "Pair[int, string]")."""
    return ref.name.split("[", 1)[0]


def _unspellable(surface: Surface, ref: TypeRef) -> str:
    """Why generated Go code cannot spell ``ref`` as a type argument, or ""."""
    if ref.kind == "basic":
        return ""
    if ref.kind == "interface":
        return "is an interface literal with methods" if ref.methods or ref.embeds_non_methods else ""
    if ref.kind == "named":
        if not ref.pkg:  # error, comparable
            return ""
        base = instance_base(ref)
        if not base[:1].isupper():
            return "is unexported: code outside its package cannot name it"
        parts = ref.pkg.split("/")
        if "internal" in parts or parts[0] == "vendor":
            return "is declared in an internal or vendored package, which the wrapper cannot import"
        if f"{ref.pkg}.{base}" not in surface.named:
            return "was not extracted"
        for a in ref.type_args:
            why = _unspellable(surface, a)
            if why:
                return why
        return ""
    if ref.kind not in ("slice", "array", "map", "pointer"):
        return f"is a {ref.kind} type"
    for c in (ref.elem, ref.key):
        why = "" if c is None else _unspellable(surface, c)
        if why:
            return why
    return ""


def mentions(ref: TypeRef, names: set[str]) -> bool:
    """Whether ``ref`` mentions one of the type parameters ``names``."""
    if ref.kind == "typeparam":
        return ref.name in names
    children = [ref.elem, ref.key, *(p.type for p in (*ref.params, *ref.results)), *ref.type_args]
    children += [f.type for f in ref.fields]
    return any(c is not None and mentions(c, names) for c in children)


def decide_type_param(name: str, c: Constraint, names: set[str]) -> TypeParamDecision:
    """The candidates for one type parameter, from its constraint alone."""
    any_ref = TypeRef(kind="interface")
    if c.methods:
        return TypeParamDecision(
            name,
            c.spelling,
            "none",
            (),
            None,
            f"constraint {c.spelling} requires methods ({', '.join(c.methods)}), so no type is chosen "
            "automatically: request an instantiation with a type of the bundle that has them "
            "(goffi.load(..., instantiate=['pkg.Func[pkg.Type]']))",
        )
    if not c.restricted:
        why = (
            "comparable: instantiated with any (values cross by dynamic type)"
            if c.comparable
            else ("any: instantiated with any (values cross by dynamic type)")
        )
        return TypeParamDecision(
            name, c.spelling, "any", (Candidate(any_ref, "any"),), None, why, comparable=c.comparable
        )
    terms = c.terms
    if not terms:
        return TypeParamDecision(
            name, c.spelling, "none", (), None, f"constraint {c.spelling} has an empty type set"
        )
    if all(t.type.kind == "basic" for t in terms):
        allowed = {t.type.name for t in terms}
        candidates = []
        for group, reps in _GROUPS:
            for rep in reps:
                if rep in allowed:
                    candidates.append(Candidate(TypeRef(kind="basic", name=rep), group))
                    break
        if not candidates:
            return TypeParamDecision(
                name, c.spelling, "none", (), None, f"constraint {c.spelling} allows no type goffi carries"
            )
        chosen = ", ".join(x.type.name for x in candidates)
        return TypeParamDecision(
            name,
            c.spelling,
            "basic",
            tuple(candidates),
            None,
            f"{c.spelling}: one instantiation per kind of Python value it allows ({chosen})",
        )
    if len(terms) == 1:
        core = terms[0].type
        return TypeParamDecision(
            name,
            c.spelling,
            "derived",
            (),
            core,
            f"{c.spelling}: instantiated with its core type {core.go_spelling()}"
            + (" in terms of the other type parameters" if mentions(core, names) else ""),
        )
    spelled = " | ".join(("~" if t.tilde else "") + t.type.go_spelling() for t in terms)
    return TypeParamDecision(
        name, c.spelling, "none", (), None, f"constraint {c.spelling} ({spelled}) has no single core type"
    )


def with_comparable_fallback(d: TypeParamDecision) -> TypeParamDecision:
    """A comparable/any parameter's representatives, for when ``any`` cannot carry it."""
    candidates = tuple(
        Candidate(TypeRef(kind="basic", name=rep), group)
        for rep, group in zip(_COMPARABLE_FALLBACK, ("string", "int", "float"), strict=False)
    )
    return replace(
        d,
        kind="basic",
        candidates=candidates,
        reason=d.reason.split(":")[0]
        + ": any cannot carry it here (a map key), so one instantiation per representative "
        + "(string, int64, float64)",
    )


def instantiations(decisions: tuple[TypeParamDecision, ...]) -> list[Instantiation] | str:
    """Every combination of the parameters' candidates (derived ones resolved), or why none."""
    for d in decisions:
        if d.kind == "none":
            return f"type parameter {d.name}: {d.reason}"
    free = [d for d in decisions if d.kind in ("any", "basic")]
    out: list[Instantiation] = []
    for combo in itertools.product(*(d.candidates for d in free)):
        env = {d.name: c.type for d, c in zip(free, combo, strict=False)}
        groups = dict(zip((d.name for d in free), (c.group for c in combo), strict=False))
        derived = {d.name: d.derived for d in decisions if d.derived is not None}
        for _ in range(len(derived) + 1):  # a derived type may mention another derived one
            for name, core in derived.items():
                env[name] = substitute(core, env)
        names = {d.name for d in decisions}
        if any(mentions(t, names) for t in env.values()):
            return "the type parameters' constraints refer to each other in a cycle"
        out.append(
            Instantiation(
                tuple(env[d.name] for d in decisions), tuple(groups.get(d.name, "") for d in decisions)
            )
        )
        if len(out) > MAX_INSTANCES:
            return f"more than {MAX_INSTANCES} instantiations would be needed"
    return out


def find_probe(name: str, params: tuple[Param, ...], variadic: bool) -> tuple[int, Probe] | None:
    """Where a call's arguments show which candidate of type parameter ``name`` to use."""
    for i, p in enumerate(params):
        t = p.type
        if variadic and i == len(params) - 1 and t.elem is not None and _is(t.elem, name):
            return (i, "varargs")
        if _is(t, name):
            return (i, "value")
        if t.kind in ("slice", "array") and t.elem is not None and _is(t.elem, name):
            return (i, "elems")
        if t.kind == "map" and t.key is not None and _is(t.key, name):
            return (i, "keys")
        if t.kind == "map" and t.elem is not None and _is(t.elem, name):
            return (i, "values")
        if is_seq(t) and t.name == "Seq" and _is(t.type_args[0], name):
            return (i, "iter")
        if is_seq(t) and t.name == "Seq2" and len(t.type_args) == 2:
            if _is(t.type_args[0], name):
                return (i, "iterkeys")
            if _is(t.type_args[1], name):
                return (i, "itervalues")
    return None


def _is(ref: TypeRef, name: str) -> bool:
    return ref.kind == "typeparam" and ref.name == name


# ---- iterators ---------------------------------------------------------------------


def is_seq(ref: TypeRef) -> bool:
    """Whether ``ref`` is iter.Seq[V] or iter.Seq2[K, V]."""
    return ref.kind == "named" and ref.pkg == "iter" and ref.name in ("Seq", "Seq2") and bool(ref.type_args)


def map_seq(mapper: TypeMapper, ref: TypeRef, position: Literal["in", "out"]) -> MapResult | None:
    """How an iter.Seq/iter.Seq2 parameter (in) or result (out) crosses, or None for other types.

    A parameter is a ``func() []V`` (``func() ([]K, []V)``) the Python module makes of an
    iterable: Go calls it for each item, and an empty list ends the sequence. A result is
    a ``func(int) ([]V, bool)`` (``([]K, []V, bool)``) made by ``rt.PullSeq`` in Go: Python
    calls it with 1 for the next item, 0 to stop the sequence, -1 for every remaining item.
    """
    if not is_seq(ref):
        return None
    args = ref.type_args
    kind = "seq" if ref.name == "Seq" else "seq2"
    for a in args:
        if a.kind == "typeparam":
            return Skip(f"{ref.go_spelling()} has an uninstantiated type parameter", "generic")
    if position == "in":
        results = tuple(Param("", TypeRef(kind="slice", elem=a)) for a in args)
        fn = TypeRef(kind="func", results=results)
    else:
        flag = TypeRef(kind="basic", name="bool")
        count = TypeRef(kind="basic", name="int")
        fn = TypeRef(
            kind="func",
            params=(Param("", count),),
            results=(*(Param("", TypeRef(kind="slice", elem=a)) for a in args), Param("", flag)),
        )
    mapped = mapper.map(fn)
    if isinstance(mapped, Skip):
        return Skip(f"{ref.go_spelling()}: {mapped.reason}", mapped.category)
    note = (
        "any Python iterable (a generator too), pulled by Go one item at a time"
        if position == "in"
        else "a lazy Python iterator: Go produces each item when Python asks (a goroutine that hands over one "
        "item per request); leaving the loop early stops Go's sequence; list(), tuple() and other consumers "
        "that take every item get them all in one call"
    )
    if kind == "seq2":
        note += "; items are (key, value) pairs" + (
            " (a mapping gives its items)" if position == "in" else ""
        )
    return Mapping(fn, mapped.shape, mapped.crossing, sig=mapped.sig, iterator=kind, note=note)


# ---- explicit instantiation (goffi.load(instantiate=...)) ---------------------------

#: Go's predeclared types a type argument may name, by their spelling.
_PREDECLARED = frozenset(
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
_ALIASES = {"byte": "uint8", "rune": "int32"}

HOW_TO_REQUEST = (
    "list it in goffi.load(..., instantiate=[{example!r}]) (or in [tool.goffi] instantiate = [...] "
    "of pyproject.toml, or with goffi build --instantiate {example!r})"
)


@dataclass(frozen=True)
class Request:
    """One instantiation the user asked for, spelled as Go spells it: "slices.Max[[]int32]"."""

    text: str  # as written
    func: str  # the generic function by import path + name: "slices.Max"
    args: tuple[str, ...]  # the type arguments as written: ("[]int32",)


def parse_request(text: str) -> Request | str:
    """``text`` ("github.com/samber/lo.Map[string, int]") as a request, or why it is not one."""
    text = text.strip()
    open_ = text.find("[")
    if open_ <= 0 or not text.endswith("]"):
        return (
            f"{text!r} is not an instantiation: spell it as Go does, import path + function name and the "
            "type arguments in brackets, e.g. 'slices.Max[[]int32]' or 'github.com/samber/lo.Map[string, int]'"
        )
    func = text[:open_].strip()
    args = split_type_list(text[open_ + 1 : -1])
    if isinstance(args, str):
        return f"{text!r}: {args}"
    if "." not in func or not args:
        return f"{text!r}: name the function by import path + name and give its type arguments: 'slices.Max[[]int32]'"
    return Request(text, func, tuple(args))


def split_type_list(text: str) -> list[str] | str:
    """Type arguments separated by top-level commas, or why they do not parse."""
    out: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(text):
        if ch in "[({":
            depth += 1
        elif ch in "])}":
            depth -= 1
            if depth < 0:
                return "unbalanced brackets"
        elif ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    if depth:
        return "unbalanced brackets"
    out.append(text[start:].strip())
    if any(not a for a in out):
        return "an empty type argument"
    return out


class TypeResolver:
    """Reads Go's spelling of a type ("[]time.Duration", "map[string]lo.Tuple2[string, int]")
    into a :class:`TypeRef`, naming the bundle's types: a package by its import path or, when
    no other package of the bundle shares it, its Go name; an unqualified name is a type of
    ``home`` (the generic function's package) when it is not predeclared."""

    def __init__(self, surface: Surface, home: str) -> None:
        self.surface = surface
        self.home = home
        self.paths = {p.path for p in surface.packages} | {n.pkg for n in surface.named.values() if n.pkg}
        by_name: dict[str, list[str]] = {}
        for p in surface.packages:
            by_name.setdefault(p.name, []).append(p.path)
        self.by_name = by_name

    def parse(self, text: str) -> TypeRef:
        """The type ``text`` spells; ValueError saying what is wrong otherwise."""
        ref, rest = self._type(text.strip())
        if rest.strip():
            raise ValueError(f"unexpected {rest.strip()!r} after the type in {text!r}")
        return ref

    def _type(self, s: str) -> tuple[TypeRef, str]:
        s = s.lstrip()
        if s.startswith("[]"):
            elem, rest = self._type(s[2:])
            return TypeRef(kind="slice", elem=elem), rest
        if s.startswith("["):
            close = s.find("]")
            length = s[1:close].strip()
            if close < 0 or not length.isdigit():
                raise ValueError(f"cannot read the array length in {s!r}")
            elem, rest = self._type(s[close + 1 :])
            return TypeRef(kind="array", elem=elem, length=int(length)), rest
        if s.startswith("*"):
            elem, rest = self._type(s[1:])
            return TypeRef(kind="pointer", elem=elem), rest
        if s.startswith("map["):
            key, rest = self._type(s[4:])
            rest = rest.lstrip()
            if not rest.startswith("]"):
                raise ValueError(f"expected ']' after the map key in {s!r}")
            elem, rest = self._type(rest[1:])
            return TypeRef(kind="map", key=key, elem=elem), rest
        if s.startswith("interface{}"):
            return TypeRef(kind="interface"), s[len("interface{}") :]
        m = re.match(r"[\w./~-]+", s)
        if m is None or s.startswith(("func(", "func ", "chan ", "struct{", "interface{")):
            raise ValueError(
                f"cannot read a type at {s!r}: type arguments are predeclared types, any, named types of the "
                "bundle, and slices, arrays, maps and pointers of them"
            )
        word, rest = m.group(0), s[m.end() :]
        if word == "any":
            return TypeRef(kind="interface"), rest
        if word in _ALIASES:
            return TypeRef(kind="basic", name=_ALIASES[word], alias=word), rest
        if word in _PREDECLARED:
            return TypeRef(kind="basic", name=word), rest
        if word == "error":
            return TypeRef(kind="named", name="error"), rest
        qualifier, _, tname = word.rpartition(".")
        path = self._package(qualifier, word) if qualifier else self.home
        named_key = f"{path}.{tname}"
        named = self.surface.named.get(named_key)
        if named is None:
            raise ValueError(
                f"{word}: the bundle has no type {tname} in package {path} (goffi inspect lists its types)"
            )
        args: tuple[TypeRef, ...] = ()
        if rest.lstrip().startswith("[") and named.type_params:
            rest = rest.lstrip()
            close = _matching(rest)
            parts = split_type_list(rest[1:close])
            if close < 0 or isinstance(parts, str):
                raise ValueError(f"{word}{rest}: unbalanced brackets")
            args = tuple(self.parse(p) for p in parts)
            rest = rest[close + 1 :]
        if len(args) != len(named.type_params):
            raise ValueError(
                f"{word} is generic: give its {len(named.type_params)} type argument(s) "
                f"({', '.join(named.type_params)}) in brackets"
            )
        return TypeRef(kind="named", pkg=path, name=tname, type_args=args), rest

    def _package(self, qualifier: str, word: str) -> str:
        if qualifier in self.paths:
            return qualifier
        paths = self.by_name.get(qualifier, [])
        if len(paths) == 1:
            return paths[0]
        if paths:
            raise ValueError(
                f"{word}: several packages of the bundle are named {qualifier} ({', '.join(paths)}): "
                "spell the type with its import path"
            )
        raise ValueError(
            f"{word}: package {qualifier} is not in this bundle: load it too, or spell the type with the import "
            "path of a package that is"
        )


def _strip_aliases(ref: TypeRef) -> TypeRef:
    if ref.kind == "basic":
        return replace(ref, alias="")
    changes: dict[str, object] = {}
    if ref.elem is not None:
        changes["elem"] = _strip_aliases(ref.elem)
    if ref.key is not None:
        changes["key"] = _strip_aliases(ref.key)
    if ref.type_args:
        changes["type_args"] = tuple(_strip_aliases(a) for a in ref.type_args)
    return replace(ref, **changes) if changes else ref  # type: ignore[arg-type]


def _matching(text: str) -> int:
    """The index of the bracket closing ``text``'s first one (-1 if none)."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "["
        depth -= ch == "]"
        if depth == 0:
            return i
    return -1


def identical(a: TypeRef, b: TypeRef) -> bool:
    """Whether two types are the same Go type."""
    return _strip_aliases(a) == _strip_aliases(b)


def underlying(surface: Surface, ref: TypeRef) -> TypeRef:
    """The underlying type of ``ref`` (itself when it is not named)."""
    if ref.kind != "named":
        return ref
    named = surface.named.get(ref.named_key)
    if named is None:
        return ref
    if named.type_params and ref.type_args:
        return substitute(named.underlying, dict(zip(named.type_params, ref.type_args, strict=False)))
    return named.underlying


def unify(pattern: TypeRef, actual: TypeRef, env: dict[str, TypeRef]) -> bool:
    """Binds the type parameters of ``pattern`` so that it is ``actual``; False if it cannot be."""
    if pattern.kind == "typeparam":
        bound = env.get(pattern.name)
        if bound is None:
            env[pattern.name] = actual
            return True
        return identical(bound, actual)
    if pattern.kind != actual.kind:
        return False
    if pattern.kind in ("slice", "array", "pointer", "chan", "map"):
        if pattern.kind == "array" and pattern.length != actual.length:
            return False
        if pattern.key is not None and (actual.key is None or not unify(pattern.key, actual.key, env)):
            return False
        return pattern.elem is not None and actual.elem is not None and unify(pattern.elem, actual.elem, env)
    if pattern.kind == "named":
        if pattern.named_key != actual.named_key or len(pattern.type_args) != len(actual.type_args):
            return False
        return all(unify(p, a, env) for p, a in zip(pattern.type_args, actual.type_args, strict=False))
    return identical(pattern, actual)


def method_set(surface: Surface, ref: TypeRef) -> set[str]:
    """Names of the methods a value of type ``ref`` has (Go's method set)."""
    if ref.kind == "interface":
        return {m.name for m in ref.methods}
    pointer = ref.kind == "pointer"
    base = ref.elem if pointer and ref.elem is not None else ref
    if base.kind != "named":
        return set()
    named = surface.named.get(base.named_key)
    if named is None:
        return set()
    if named.underlying.kind == "interface" and not pointer:
        return {m.name for m in named.underlying.methods}
    return {m.name for m in named.methods if pointer or not m.pointer_receiver}


def _comparable(surface: Surface, ref: TypeRef, depth: int = 0) -> bool:
    u = underlying(surface, ref)
    if u.kind in ("slice", "map", "func") or depth > 20:
        return False
    if u.kind == "array" and u.elem is not None:
        return _comparable(surface, u.elem, depth + 1)
    if u.kind == "struct":
        return all(_comparable(surface, f.type, depth + 1) for f in u.fields)
    return True


def satisfies(surface: Surface, arg: TypeRef, c: Constraint, env: dict[str, TypeRef]) -> str | None:
    """Why ``arg`` does not satisfy constraint ``c`` (None: it does), the other type
    parameters bound by ``env``. Checked: the type set's terms (``~T`` by the underlying
    type), comparability, and the method names the constraint requires."""
    if c.restricted:
        if not c.terms:
            return f"{c.spelling} has an empty type set"
        ok = False
        for t in c.terms:
            term = substitute(t.type, env)
            have = underlying(surface, arg) if t.tilde else arg
            if unify(term, have, dict(env)):
                ok = True
                break
        if not ok:
            return f"{arg.go_spelling()} is not in the type set of {c.spelling}"
    if c.comparable and not _comparable(surface, arg):
        return f"{arg.go_spelling()} is not comparable"
    missing = [m for m in c.methods if m not in method_set(surface, arg)]
    if missing:
        return f"{arg.go_spelling()} lacks the method(s) {', '.join(missing)} that {c.spelling} requires"
    return None


def resolve_request(
    surface: Surface,
    fn_params: tuple[str, ...],
    constraints: tuple[Constraint, ...],
    home: str,
    args: tuple[str, ...],
) -> tuple[TypeRef, ...] | str:
    """The type arguments of every type parameter for the requested ``args``, or why not.

    ``args`` gives the first type parameters in order, as Go does (the rest inferred from
    core types: ``slices.Sort[[]time.Duration]`` binds E to time.Duration), or, when that
    does not fit, only the parameters not fixed by a core type (``slices.Max[int32]``, the
    form ``f["int32"]`` takes in Python)."""
    resolver = TypeResolver(surface, home)
    try:
        given = [resolver.parse(a) for a in args]
    except ValueError as e:
        return str(e)
    if len(given) > len(fn_params):
        return f"{len(given)} type arguments given for {len(fn_params)} type parameter(s) ({', '.join(fn_params)})"
    cores = {
        n: c.terms[0]
        for n, c in zip(fn_params, constraints, strict=False)
        if c.restricted and len(c.terms) == 1
    }
    names = set(fn_params)
    attempts = [dict(zip(fn_params, given, strict=False))]
    free = [n for n in fn_params if not (n in cores and mentions(cores[n].type, names))]
    if len(given) == len(free) and free != list(fn_params[: len(free)]):
        attempts.append(dict(zip(free, given, strict=False)))
    errors = []
    for env in attempts:
        found = _complete(surface, fn_params, constraints, cores, env)
        if not isinstance(found, str):
            return found
        errors.append(found)
    # The form that got further says more ("bool is not in cmp.Ordered" over "bool is not ~[]E").
    return next((e for e in errors if not e.startswith("type argument ")), errors[0])


def _complete(
    surface: Surface,
    fn_params: tuple[str, ...],
    constraints: tuple[Constraint, ...],
    cores: dict[str, Term],
    env: dict[str, TypeRef],
) -> tuple[TypeRef, ...] | str:
    env = dict(env)
    names = set(fn_params)
    for _ in range(len(fn_params) + 1):
        for n, term in cores.items():
            if n in env:
                have = underlying(surface, env[n]) if term.tilde else env[n]
                if not unify(term.type, have, env):
                    spelled = ("~" if term.tilde else "") + term.type.go_spelling()
                    return (
                        f"type argument {env[n].go_spelling()} for {n} does not fit its constraint {spelled}"
                    )
            elif not mentions(substitute(term.type, env), names):
                env[n] = substitute(term.type, env)
    missing = [n for n in fn_params if n not in env]
    if missing:
        return f"cannot infer {', '.join(missing)}: give every type argument ({', '.join(fn_params)})"
    for n, c in zip(fn_params, constraints, strict=False):
        why = satisfies(surface, env[n], c, env)
        if why:
            return f"type parameter {n}: {why}"
    return tuple(env[n] for n in fn_params)
