"""``iter.Seq`` and ``iter.Seq2`` crossing as func types the callback machinery carries."""

from __future__ import annotations

from typing import Literal

from goffi.surface.model import Param, TypeRef
from goffi.typemap.decisions import Mapping, MapResult, Skip
from goffi.typemap.mapper import TypeMapper


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
