"""Instantiations the user asks for (``instantiate=``): parsed, their Go type arguments
resolved, and checked against the type parameters' constraints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from goffi.generics.choice import mentions
from goffi.generics.substitution import substitute
from goffi.surface.model import BASIC_VALUE_TYPES, Constraint, Surface, Term, TypeRef

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
        if word in BASIC_VALUE_TYPES:  # a type argument may name any of them
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
