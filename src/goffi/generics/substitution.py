"""Type arguments put in place of type parameters, and generic types instantiated
(``Pair[time.Duration, int]``) with their fields and methods.
"""

from __future__ import annotations

from dataclasses import replace

from goffi.surface.model import Method, Param, Surface, TypeRef


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
