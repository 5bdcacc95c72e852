"""The automatic instantiations: the types each type parameter is instantiated with (by its
constraint), their combinations, and where the dispatcher looks to choose one.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from goffi.generics.iterators import is_seq
from goffi.generics.plans import MAX_INSTANCES, Candidate, Instantiation, Probe, TypeParamDecision
from goffi.generics.substitution import substitute
from goffi.surface.model import Constraint, Param, TypeRef

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
