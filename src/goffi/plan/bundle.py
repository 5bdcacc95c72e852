"""The whole bundle decided: packages, classes, sentinel errors and error types, module names,
func types and proxies, before any analysis verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from goffi.plan.callables import is_error, plan_class_members, plan_func_type
from goffi.plan.instances import generic_types, instantiation_requests, plan_requested_types
from goffi.plan.method_sets import method_set
from goffi.plan.model import (
    BundlePlan,
    ClassPlan,
    ErrorTypePlan,
    FieldPlan,
    FuncPlan,
    PackagePlan,
    SentinelPlan,
    SkipPlan,
)
from goffi.plan.naming import (
    const_literal,
    instance_py_name,
    python_identifier,
    python_module_names,
    unique_module_name,
)
from goffi.plan.packages import plan_package
from goffi.surface.model import Const, Method, NamedType, Package, Param, Surface, TypeRef, Var
from goffi.typemap.decisions import Mapping
from goffi.typemap.mapper import TypeMapper

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


def decide_bundle(
    surface: Surface, name: str, requested: Sequence[str] | None, instantiate: Sequence[str] = ()
) -> BundlePlan:
    if requested is None:
        requested = surface.requested or [p.path for p in surface.packages]
    wanted = set(requested)
    packages = sorted((p for p in surface.packages if p.path in wanted), key=lambda p: p.path)
    implicit = {p.path: p for p in surface.packages if p.path not in wanted}
    mapper = TypeMapper(surface, frozenset(p.path for p in packages))
    requests = instantiation_requests(packages, instantiate, generic_types(surface, packages))
    requested_types = plan_requested_types(mapper, packages, instantiate)
    partial = [plan_package(pkg, i, mapper, requests) for i, pkg in enumerate(packages)]
    sentinel_vars: list[tuple[Package, Var | Const]] = []
    for pkg in sorted([*packages, *implicit.values()], key=lambda p: p.path):
        sentinel_vars += [(pkg, v) for v in pkg.vars if is_error(v.type)]
        sentinel_vars += [(pkg, c) for c in pkg.consts if _constant_error(c, surface)]
    sentinel_names = {(pkg.path, v.name) for pkg, v in sentinel_vars}
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
                class_members[key] = plan_class_members(decision, surface, mapper)
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
        names[path] = unique_module_name(path, taken)
        taken.add(names[path])
    plans: list[PackagePlan] = []
    for pkg, plan in zip(packages, partial, strict=True):
        classes = tuple(sorted(by_pkg.get(pkg.path, []), key=lambda c: c.go_name))
        # An error variable is a sentinel class, not a variable; so is a constant error.
        variables = tuple(v for v in plan.vars if v.type.shape != "error")
        consts = tuple(c for c in plan.consts if (pkg.path, c.go_name) not in sentinel_names)
        plans.append(
            replace(
                plan,
                py_module=names[pkg.path],
                classes=classes,
                vars=variables,
                consts=consts,
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
        replace(plan_func_type(m, first + i), go_funcs=_same_signature(bundle, m))
        for i, m in enumerate(funcs)
    )
    # A channel or func can also come from a type outside the requested packages.
    bridged = any(m.shape in ("chan", "func") for m in bundle.mappings())
    from goffi.proxies import plan_proxies  # goffi.proxies builds on goffi.plan

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
            out.setdefault(key, []).append((python_identifier(c.name), const_literal(c)))
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


def _constant_error(c: Const, surface: Surface) -> bool:
    """Whether a constant is a sentinel error: a constant of a string type with a value
    Error() string method (the "constant error" pattern, github.com/rs/xid's
    `const ErrInvalidID strErr = "xid: invalid ID"`), which Go code matches with errors.Is.

    Its value as a plain str would lose what it is for. Integer error codes (syscall.Errno)
    stay numbers: their value is what code compares and passes.
    """
    if c.type.kind != "named" or c.kind != "string":
        return False
    named = surface.named.get(c.type.named_key)
    if named is None or named.type_params or named.underlying.kind != "basic":
        return False
    return any(
        m.name == "Error"
        and not m.pointer_receiver
        and not m.params
        and len(m.results) == 1
        and m.results[0].type.kind == "basic"
        and m.results[0].type.name == "string"
        for m in named.methods
    )


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
