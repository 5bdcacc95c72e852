"""Go's selector rule: the methods and fields a named type has, promoted ones included."""

from __future__ import annotations

from goffi.surface.model import Field, Method, NamedType, Surface


def method_set(named: NamedType, surface: Surface, depths: dict[str, int] | None = None) -> list[Method]:
    """The exported methods callable on a *T (or on an interface value), promoted ones included.

    Promotion follows Go's selector rule (see :func:`selectors`): a field or method at a
    shallower embedding depth hides deeper ones, and two at the same depth make the name
    ambiguous (not selectable), so it is dropped.
    ``depths``, if given, receives each returned method's embedding depth.
    """
    if named.underlying.kind == "interface":
        return [m for m in named.underlying.methods if m.name[:1].isupper()]
    found = selectors(named, surface, depths)
    return [m for _, m in sorted(found.items()) if isinstance(m, Method)]


def field_set(named: NamedType, surface: Surface, depths: dict[str, int] | None = None) -> list[Field]:
    """The exported fields of a struct, promoted ones included, by Go's selector rule.

    ``depths``, if given, receives each returned field's embedding depth."""
    found = selectors(named, surface, depths)
    return [f for _, f in sorted(found.items()) if isinstance(f, Field)]


def selectors(
    named: NamedType, surface: Surface, depths: dict[str, int] | None = None
) -> dict[str, Field | Method]:
    """What each exported name selects on a *T: a field or a method, by Go's selector rule.

    As go/types looks a selector up: breadth first over the embedding depth; the
    shallowest depth holding the name wins, fields and methods alike (a method Name
    hides a promoted field Name, and the reverse); a name found more than once at that
    depth (two embedded types, or one type embedded twice) is ambiguous and selects
    nothing. A type already visited at a shallower depth is not visited again. An
    embedded type the surface does not describe could hide or collide with any name
    below it, so names first found at or below its members' depth are left out.
    ``depths``, if given, receives the embedding depth of each name selected.
    """
    found: dict[str, Field | Method | None] = {}
    seen: set[str] = set()
    current: list[NamedType] = [named]
    depth = 0
    unknown_depth: int | None = None
    while current and (unknown_depth is None or depth < unknown_depth):
        hits: dict[str, list[Field | Method]] = {}
        following: list[NamedType] = []
        counts: dict[str, int] = {}
        for t in current:
            counts[t.key] = counts.get(t.key, 0) + 1
        for t in current:
            if t.key in seen:
                continue  # embedded twice at this depth (counted above), or hidden above
            seen.add(t.key)
            members: list[Field | Method] = []
            if t.underlying.kind == "interface":
                members += t.underlying.methods
            else:
                members += t.methods
            if t.underlying.kind == "struct":
                for f in t.underlying.fields:
                    members.append(f)
                    if f.embedded:
                        inner = _embedded_named(f, surface)
                        if inner is not None:
                            following.append(inner)
                        elif _embeds_named(f) and unknown_depth is None:
                            unknown_depth = depth + 1
            for member in members:
                if member.name[:1].isupper():
                    hits.setdefault(member.name, []).extend([member] * counts[t.key])
        for name, at_depth in hits.items():
            if name not in found:
                found[name] = at_depth[0] if len(at_depth) == 1 else None
                if depths is not None and found[name] is not None:
                    depths[name] = depth
        current = following
        depth += 1
    return {name: x for name, x in found.items() if x is not None}


def _embeds_named(f: Field) -> bool:
    t = f.type.elem if f.type.kind == "pointer" else f.type
    return t is not None and t.kind == "named"


def _embedded_named(f: Field, surface: Surface) -> NamedType | None:
    t = f.type.elem if f.type.kind == "pointer" else f.type
    if t is None or t.kind != "named":
        return None
    return surface.named.get(t.named_key)
