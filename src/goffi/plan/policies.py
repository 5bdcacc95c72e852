"""The user's per-function policies applied to the plan: ``nonblocking=`` (call with the GIL
held) and ``zero_copy=`` (numeric slices cross as views).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from goffi.generics.plans import GenericPlan
from goffi.plan.model import BundlePlan, FuncPlan, ParamPlan
from goffi.typemap.decisions import zero_copy_form


def callable_names(plan: BundlePlan) -> dict[str, FuncPlan]:
    """Every bridged function and method by the name nonblocking= and zero_copy= use for it."""
    names = {f"{f.pkg_path}.{f.go_name}": f for p in plan.packages for f in p.funcs}
    # A generic function by its own name (the policy applies to each instantiation it can).
    names.update({f"{p.path}.{g.go_name}": g.instances[0].func for p in plan.packages for g in p.generics})
    for c in plan.classes():
        names.update({f"{c.key}.{m.go_name}": m for m in c.methods})
    return names


def hold_gil(f: FuncPlan, name: str) -> FuncPlan:
    return replace(f, holds_gil=True)


def lend_slices(f: FuncPlan, name: str) -> FuncPlan:
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


def apply_policy(
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
