"""One function or method planned: its parameters and results mapped (or why it is skipped),
and a class's methods and fields.
"""

from __future__ import annotations

from goffi.generics.iterators import map_seq
from goffi.plan.method_sets import field_set, method_set
from goffi.plan.model import FieldPlan, FuncPlan, FuncTypePlan, ParamPlan, ReceiverPlan, SkipPlan
from goffi.plan.naming import param_name, python_identifier
from goffi.surface.model import Param, Surface, TypeRef, signature_spelling
from goffi.typemap.decisions import ClassDecision, Mapping, Skip, identifier
from goffi.typemap.mapper import TypeMapper


def plan_callable(
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
        py_name = param_name(p, i, used)
        variadic = variadic_in and i == len(params_in) - 1
        if variadic and mapped.shape == "bytes":
            return skip(
                "a variadic ...byte parameter is not bridged; pass bytes to a []byte function", "variadic"
            )
        params.append(ParamPlan(py_name, p.name, mapped, variadic))
    results = list(results_in)
    returns_error = bool(results) and is_error(results[-1].type)
    if returns_error and len(results) == 1 and returns_error_value(name, params_in, receiver is not None):
        returns_error = False  # errors.New, fmt.Errorf, Unwrap, errors.Wrap: the error *is* the result
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


def plan_func_type(m: Mapping, index: int) -> FuncTypePlan:
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


def returns_error_value(name: str, params: tuple[Param, ...] = (), method: bool = False) -> bool:
    """Whether a function whose only result is an error returns it as a value.

    Go cannot tell "fails with" from "makes" an error; by convention constructors
    (errors.New, NewSyntaxError), fmt.Errorf, errors.Join, Unwrap and Err methods make or
    report one, and so does a package function whose first parameter is an error: it makes
    an error from an error (github.com/pkg/errors' Wrap, Wrapf, WithStack, WithMessage;
    multierr.Combine). Those return the exception instance (or None) instead of raising it.
    A method taking an error (io.PipeWriter.CloseWithError) acts on its receiver: it raises.
    """
    if name in ("Errorf", "Join", "Unwrap", "Cause", "Err") or name.startswith("New"):
        return True
    if method or not params:
        return False
    first = params[0].type
    if first.kind == "slice" and first.elem is not None:
        first = first.elem  # ...error
    return is_error(first)


def is_error(ref: TypeRef) -> bool:
    return ref.kind == "named" and ref.named_key == "error"


def plan_class_members(
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
        planned = plan_callable(
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
