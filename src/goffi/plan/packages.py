"""One package planned: its functions, generic functions, constants, variables and types."""

from __future__ import annotations

from goffi.generics.plans import GenericPlan
from goffi.generics.requested import Request
from goffi.plan.callables import plan_callable
from goffi.plan.instances import plan_generic, plan_requested
from goffi.plan.method_sets import method_set
from goffi.plan.model import ConstPlan, FuncPlan, PackagePlan, SkipPlan, TypePlan, VarPlan
from goffi.plan.naming import const_literal, python_identifier
from goffi.surface.model import NamedType, Package, Surface, TypeRef, signature_spelling
from goffi.typemap.decisions import Mapping, Skip
from goffi.typemap.mapper import TypeMapper


def plan_package(
    pkg: Package, index: int, mapper: TypeMapper, requests: dict[str, list[Request]] | None = None
) -> PackagePlan:
    funcs: list[FuncPlan] = []
    skipped: list[SkipPlan] = []
    generics: list[GenericPlan] = []
    for fn in pkg.funcs:
        go_sig = f"func {fn.name}{signature_spelling(fn.params, fn.results, fn.variadic)}"
        if fn.type_params:
            generic = plan_generic(mapper, pkg, index, fn, go_sig)
            asked = (requests or {}).get(f"{pkg.path}.{fn.name}")
            if asked:
                generic = plan_requested(mapper, pkg, index, fn, go_sig, generic, asked)
            if generic.instances:
                generics.append(generic)
            else:
                reason = generic.dropped[0][1] if generic.dropped else "no instantiation"
                skipped.append(SkipPlan(fn.name, "func", go_sig, reason, "generic"))
            continue
        planned = plan_callable(
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
        literal = const_literal(c)
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


def _method_skips(named: NamedType, surface: Surface, reason: str, category: str) -> list[SkipPlan]:
    """Every method of a type that has no class, skipped with ``reason`` (so inspect counts them)."""
    out = []
    for m in method_set(named, surface):
        go_sig = f"func ({'*' if m.pointer_receiver else ''}{named.name}) {m.name}"
        go_sig += signature_spelling(m.params, m.results, m.variadic)
        out.append(SkipPlan(f"{named.name}.{m.name}", "method", go_sig, reason, category))
    return out
