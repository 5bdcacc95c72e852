"""Generic functions and types instantiated: the automatic instantiations, and those the user
asked for (``instantiate=``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from goffi.generics.choice import decide_type_param, find_probe, instantiations, with_comparable_fallback
from goffi.generics.plans import GenericPlan, InstancePlan, Instantiation, TypeParamDecision
from goffi.generics.requested import Request, TypeResolver, parse_request, resolve_request
from goffi.generics.substitution import substitute
from goffi.plan.callables import plan_callable
from goffi.plan.model import SkipPlan
from goffi.plan.naming import python_identifier, safe_identifier
from goffi.surface.model import Func, Package, Param, Surface, TypeRef
from goffi.typemap.decisions import Skip
from goffi.typemap.mapper import TypeMapper


def instantiation_requests(
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
        if req.func in types:  # a generic type: plan_requested_types
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


def plan_requested_types(
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


def plan_generic(mapper: TypeMapper, pkg: Package, index: int, fn: Func, go_sig: str) -> GenericPlan:
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


def plan_requested(
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
        suffix = f"x{n}_" + safe_identifier("_".join(a.go_spelling() for a in found))
        planned = plan_callable(
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
        suffix = "_".join(safe_identifier(g) for g in inst.groups if g) if len(found) > 1 else "g"
        planned = plan_callable(
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
