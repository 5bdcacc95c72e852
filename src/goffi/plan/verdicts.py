"""The analyses' verdicts put on the plan: which arguments Go keeps, writes into or decodes
into, and which results are never nil.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from goffi.analysis import FuncEscapes, MemoryAnalysis, ParamEscape
from goffi.decoding import DecodeAnalysis
from goffi.mutation import MutationAnalysis
from goffi.plan.model import BundlePlan, FuncPlan, ParamPlan
from goffi.typemap.decisions import Mapping

# Interface methods whose documentation forbids keeping the slice ("Implementations must
# not retain p"): io.Reader.Read, io.Writer.Write, io.ReaderAt.ReadAt, io.WriterAt.WriteAt,
# and so every interface of io and hash that has them (hash.Hash embeds io.Writer).
_NO_RETAIN_CONTRACT = frozenset({"Read", "Write", "ReadAt", "WriteAt"})


_CONTRACT_PACKAGES = frozenset({"io", "hash"})


# Interface methods whose documentation forbids modifying the slice ("Write must not
# modify the slice data, even temporarily"): io.Writer.Write and io.WriterAt.WriteAt, and
# so every interface that embeds them (hash.Hash, io.ReadWriter, ...). The Go analysis
# (mutation_tool/main.go, allowedInterface) trusts the same list.
_NO_MODIFY_CONTRACT = frozenset({"Write", "WriteAt"})


def apply_mutation(plan: BundlePlan, mutation: MutationAnalysis) -> BundlePlan:
    """Each slice parameter's write verdict (ParamPlan.writes) from goffi.mutation, after
    apply_memory: a read-only slice is not copied back, and one the SSA analysis proves
    not kept is not kept whatever Go's escape analysis could not prove."""

    def one(f: FuncPlan, key: str, i: int, p: ParamPlan, interface: str) -> ParamPlan:
        if p.variadic or p.type.shape not in ("bytes", "slice", "buffer"):
            return p
        if interface:
            if interface in ("io", "hash") and f.go_name in _NO_MODIFY_CONTRACT and p.type.shape == "bytes":
                return replace(
                    p, writes=False, writes_why=f"{interface}'s contract: {f.go_name} must not modify p"
                )
            return replace(p, writes_why="an interface method: the implementation is unknown")
        if mutation.problem:
            return replace(p, writes_why=f"mutation analysis unavailable: {mutation.problem}")
        v = mutation.param(key, i)
        if v is None:
            return replace(p, writes_why="the mutation analysis said nothing on it")
        p = replace(p, writes=v.writes, writes_why=v.why)
        if not v.writes:
            p = replace(p, writes_back=False)  # nothing to copy back
        if p.kept and not v.kept and not v.returned:
            # Two conservative analyses: either one proving it is not kept is enough (the
            # compiler's cannot see through a func variable, crc32's updateIEEE; nor into
            # generic bodies).
            p = replace(
                p, kept=False, kept_why=f"not kept: the SSA analysis followed every use ({p.kept_why})"
            )
        return p

    def decide(f: FuncPlan, key: str, interface: str, generic: bool) -> FuncPlan:
        return replace(f, params=tuple(one(f, key, i, p, interface) for i, p in enumerate(f.params)))

    return _map_callables(plan, decide)


def apply_memory(plan: BundlePlan, memory: MemoryAnalysis) -> BundlePlan:
    """Each parameter's memory verdict (ParamPlan.kept) from Go's escape analysis."""

    def decide(f: FuncPlan, key: str, interface: str, generic: bool) -> FuncPlan:
        facts = memory.funcs.get(key)
        params = tuple(_param_verdict(f, i, p, facts, memory, interface) for i, p in enumerate(f.params))
        # A generic function's instantiations share its parameters' facts (one Go body).
        params = tuple(replace(p, writes_back=True) if _writes_back(p, generic) else p for p in params)
        return replace(f, params=params)

    return _map_callables(plan, decide)


def _map_callables(plan: BundlePlan, decide: Callable[[FuncPlan, str, str, bool], FuncPlan]) -> BundlePlan:
    """The plan with ``decide(f, key, interface, generic)`` applied to every function, method
    and generic instantiation: ``key`` is its analysis name ("strings.ToUpper",
    "example.com/p.Counter.Inc"), ``interface`` the package of an interface's method ("" for
    others), ``generic`` True for an instantiation (keyed by its generic function)."""
    packages = []
    for p in plan.packages:
        funcs = tuple(decide(f, f"{f.pkg_path}.{f.go_name}", "", False) for f in p.funcs)
        classes = tuple(
            replace(
                c,
                methods=tuple(
                    decide(m, f"{c.key}.{m.go_name}", c.pkg_path if c.kind == "interface" else "", False)
                    for m in c.methods
                ),
            )
            for c in p.classes
        )
        generics = tuple(
            replace(
                g,
                instances=tuple(
                    replace(i, func=decide(i.func, f"{i.func.pkg_path}.{i.func.go_name}", "", True))
                    for i in g.instances
                ),
            )
            for g in p.generics
        )
        packages.append(replace(p, funcs=funcs, classes=classes, generics=generics))
    return replace(plan, packages=tuple(packages))


def apply_decodes(plan: BundlePlan, decodes: DecodeAnalysis) -> BundlePlan:
    """ParamPlan.decodes for the any parameters the decode scan found."""

    def one(key: str, i: int, p: ParamPlan) -> ParamPlan:
        if p.variadic:
            return p
        if p.type.shape == "any":
            return replace(p, decodes=decodes.why(key, i))
        if p.type.shape == "map":
            return replace(p, map_writes=decodes.writes(key, i))
        return p

    def decide(f: FuncPlan, key: str, interface: str, generic: bool) -> FuncPlan:
        # The scan reads Go bodies: an interface's methods and generic bodies have none here.
        if interface or generic or (key not in decodes.funcs and key not in decodes.map_writes):
            return f
        return replace(f, params=tuple(one(key, i, p) for i, p in enumerate(f.params)))

    return _map_callables(plan, decide)


def may_be_nil(m: Mapping) -> bool:
    """Whether a result's Python value is None when Go gives nil: a pointer (a handle, or
    an optional value), an interface (not error or any, which are typed apart), a channel
    or a func."""
    if m.ref.kind == "pointer" or m.shape in ("chan", "func"):
        return True
    return m.shape == "handle" and m.nilable


# The rule, as goffi inspect words it, for a result of a function that returns an error.
NIL_ERROR_RULE = "never None: Go returns it with a nil error, and a nil error means a valid value"


def apply_nil(plan: BundlePlan, decodes: DecodeAnalysis) -> BundlePlan:
    """FuncPlan.never_nil: the pointer and interface results that are never nil.

    Two rules, either suffices: the function also returns an error (Go's convention: a
    nil error means the other results are valid: url.Parse, os.Open), or the source scan
    (extractor/nonnil.go) proves every return statement gives a non-nil value
    (strings.NewReader, regexp.MustCompile). Where Go breaks the convention (a (nil, nil)
    return) the value is still None at run time: only the annotation is wrong.
    """

    def decide(f: FuncPlan, key: str, interface: str, generic: bool) -> FuncPlan:
        verdicts = []
        for i, r in enumerate(f.results):
            if not may_be_nil(r):
                verdicts.append("")
            elif f.returns_error:
                verdicts.append(NIL_ERROR_RULE)
            else:
                why = decodes.never_nil(key, i)
                verdicts.append(f"never None: {why}" if why else "")
        never = tuple(verdicts) if any(verdicts) else ()
        return f if never == f.never_nil else replace(f, never_nil=never)

    return _map_callables(plan, decide)


def _param_verdict(
    f: FuncPlan, i: int, p: ParamPlan, facts: FuncEscapes | None, memory: MemoryAnalysis, interface: str
) -> ParamPlan:
    if interface in _CONTRACT_PACKAGES and f.go_name in _NO_RETAIN_CONTRACT and p.type.shape == "bytes":
        return replace(p, kept=False, kept_why=f"{interface}'s contract: implementations must not retain p")
    if interface:
        return replace(p, kept=True, kept_why="an interface method: the implementation is unknown")
    if memory.problem:
        return replace(p, kept=True, kept_why=f"escape analysis unavailable: {memory.problem}")
    fact: ParamEscape | None = facts.params[i] if facts is not None and i < len(facts.params) else None
    if fact is None:
        return replace(p, kept=True, kept_why="no escape analysis for this function")
    if not fact.analysed:
        return replace(p, kept=True, kept_why="the compiler reported nothing on it")
    if fact.to_heap:
        return replace(p, kept=True, kept_why=fact.words)
    for r in fact.to_results:
        # A result goffi copies to Python lets go of the argument; one Go keeps (a handle,
        # an error, an any or func value) keeps it.
        result = f.results[r] if r < len(f.results) else None
        if result is None or any(s.shape in _GO_HELD_SHAPES for s in result.walk()):
            return replace(p, kept=True, kept_why=f"{fact.words}, a result Go keeps")
    if fact.to_results:
        return replace(p, kept=False, kept_why=f"{fact.words}, a result goffi copies")
    return replace(p, kept=False, kept_why=fact.words)


#: Element shapes of slices whose Go writes come back to a list (ParamPlan.writes_back):
#: numbers, bools, strings and value classes of them, fixed-size byte arrays (xid.Sort of
#: []xid.ID), records (blang/semver's Sort of a []Version) and Go objects (a handle Go
#: moved is the same Python object: the same pointer).
WRITE_BACK_ELEMS = frozenset(
    {"bool", "int", "uint", "float", "complex", "duration", "string", "bytearray", "record", "handle"}
)


def _writes_back(p: ParamPlan, generic: bool = False) -> bool:
    """Whether Go's writes into slice parameter ``p`` come back to a list argument. In a
    generic function's instantiation, a []any does too (slices.Reverse, slices.SortFunc on
    lists of anything): Go reports which items it left in place or moved, so an item keeps
    its identity (goffiBack_ in the Go wrapper, goffi_back_ in the C glue)."""
    m = p.type
    if not p.writes or p.variadic or m.shape != "slice" or m.elem is None:
        return False
    return m.elem.shape in WRITE_BACK_ELEMS or (
        generic and m.elem.shape == "any" and m.elem.ref.kind == "interface"
    )


# Shapes of results whose Go value lives on after the call (held by a Python object).
_GO_HELD_SHAPES = frozenset({"handle", "any", "error", "func", "chan"})
