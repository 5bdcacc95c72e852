"""Generics and iterators (issue 12): generic functions instantiated and dispatched by the
arguments, iter.Seq/iter.Seq2 as lazy Python iterators and as parameters taking any
iterable, generic types as a class per instantiation. Results are checked against Go's
own (the test package's own bookkeeping) or Python's equivalents (sorted, max, bisect)."""

from __future__ import annotations

import bisect
import gc
import importlib.util
import itertools
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import goffi
from conftest import GO_TEST_PACKAGES, inspect_report, mypy_errors
from goffi.generics import decide_type_param, instantiations
from goffi.surface.model import Constraint, Term, TypeRef

# Every test gives back the handles it made: its Go objects, Go funcs and the callables
# Go pulled Python iterables through (released once Go collects them).
pytestmark = pytest.mark.usefixtures("no_handle_leaks")


@pytest.fixture(scope="module")
def slices(go: dict[str, ModuleType]) -> ModuleType:
    return go["slices"]


@pytest.fixture(scope="module")
def maps(go: dict[str, ModuleType]) -> ModuleType:
    return go["maps"]


# ---- iterators: results -------------------------------------------------------------


def test_strings_lines_is_a_lazy_iterator(strings: ModuleType) -> None:
    text = "one\ntwo\n\nthree"
    lines = strings.Lines(text)
    assert isinstance(lines, Iterator)
    assert list(lines) == text.splitlines(keepends=True)
    assert [line for line in strings.Lines("")] == []


def test_strings_split_seq_matches_split(strings: ModuleType) -> None:
    for text, sep in [("a,b,,c", ","), ("", ","), ("abc", "")]:
        assert list(strings.SplitSeq(text, sep)) == strings.Split(text, sep)
    assert list(strings.FieldsSeq("  a b  c ")) == strings.Fields("  a b  c ")


def test_breaking_out_stops_gos_sequence(generictest: ModuleType) -> None:
    before_stops, before_goroutines = generictest.Stops(), generictest.Goroutines()
    seen = []
    for x in generictest.Count(-1):  # infinite: only laziness ends this loop
        seen.append(x)
        if x == 3:
            break
    gc.collect()
    assert seen == [0, 1, 2, 3]
    assert generictest.Stops() == before_stops + 1  # Go's loop returned: its defer ran
    assert generictest.Goroutines() == before_goroutines


def test_exhausted_and_abandoned_iterators_stop(generictest: ModuleType) -> None:
    before_stops, before_goroutines = generictest.Stops(), generictest.Goroutines()
    assert list(generictest.Count(5)) == [0, 1, 2, 3, 4]
    it = generictest.Count(-1)
    assert next(it) == 0
    del it  # collected half-way
    gc.collect()
    assert generictest.Stops() == before_stops + 2
    assert generictest.Goroutines() == before_goroutines


def test_exception_in_loop_body_stops_and_propagates(generictest: ModuleType) -> None:
    before = generictest.Stops()
    with pytest.raises(ValueError, match="body"):
        for x in generictest.Count(-1):
            if x == 2:
                raise ValueError("body")
    gc.collect()
    assert generictest.Stops() == before + 1


def test_go_panic_inside_sequence_propagates(generictest: ModuleType) -> None:
    before_goroutines = generictest.Goroutines()
    got = []
    with pytest.raises(goffi.GoPanic, match="sequence panicked at 2"):
        for x in generictest.PanicAt(2):
            got.append(x)
    assert got == [0, 1]
    gc.collect()
    assert generictest.Goroutines() == before_goroutines


def test_seq2_results_are_pairs(generictest: ModuleType, maps: ModuleType, slices: ModuleType) -> None:
    assert list(generictest.Pairs(["a", "b"])) == [(0, "a"), (1, "b")]
    m = {"x": 1, "y": [2, 3]}
    assert dict(maps.All(m)) == m
    assert sorted(maps.Keys(m)) == ["x", "y"]
    assert list(slices.All(["p", "q"])) == [(0, "p"), (1, "q")]
    assert list(slices.Backward([1, 2, 3])) == [(2, 3), (1, 2), (0, 1)]


# ---- iterators: parameters ----------------------------------------------------------


def test_seq_parameter_takes_any_iterable(generictest: ModuleType, slices: ModuleType) -> None:
    def gen() -> Iterator[str]:
        yield "a"
        yield "b"

    assert generictest.Join(gen(), -1) == "ab"
    assert generictest.Join(["x", "y", "z"], -1) == "xyz"
    assert generictest.Join(iter("pq"), -1) == "pq"
    assert slices.Collect(x * 2 for x in range(4)) == [0, 2, 4, 6]
    assert slices.Collect(generictest.Count(3)) == [0, 1, 2]  # a Go sequence passed back in


def test_seq_parameter_is_pulled_lazily(generictest: ModuleType) -> None:
    pulled = []

    def forever() -> Iterator[str]:
        for i in itertools.count():
            pulled.append(i)
            yield str(i)

    assert generictest.Join(forever(), 3) == "012"
    assert pulled == [0, 1, 2, 3]  # Go's range asked for a 4th item, then broke out


def test_exception_in_python_iterable_propagates(generictest: ModuleType) -> None:
    def bad() -> Iterator[str]:
        yield "a"
        raise KeyError("from the generator")

    with pytest.raises(KeyError, match="from the generator"):
        generictest.Join(bad(), -1)
    with pytest.raises(TypeError, match="iterable"):
        generictest.Join(5, -1)


def test_seq2_parameter_takes_pairs_or_a_mapping(generictest: ModuleType, maps: ModuleType) -> None:
    assert generictest.SumPairs({2: 1.5, 3: 2.0}) == 9.0
    assert generictest.SumPairs([(2, 1.5), (3, 2.0)]) == 9.0
    assert maps.Collect({"a": 1, "b": 2}) == {"a": 1, "b": 2}
    assert maps.Collect(iter([(1, "x"), (2, "y")])) == {1: "x", 2: "y"}
    with pytest.raises(TypeError, match="pairs"):
        generictest.SumPairs([1, 2])


# ---- generic functions --------------------------------------------------------------


@pytest.mark.parametrize("xs", [[3, 1, 2], [1.5, -2.0, 7.25], [2, 7.5], ["b", "a", "c"], [-(2**63)]])
def test_slices_max_min_match_python(slices: ModuleType, xs: list[object]) -> None:
    assert slices.Max(xs) == max(xs)  # type: ignore[type-var]
    assert slices.Min(xs) == min(xs)  # type: ignore[type-var]
    assert type(slices.Max(xs)) is type(max(xs)) or isinstance(max(xs), int)  # type: ignore[type-var]


def test_ints_dispatch_to_int64_and_floats_to_float64(slices: ModuleType) -> None:
    assert type(slices.Max([1, 2])) is int
    assert type(slices.Max([1, 2.0])) is float  # any float -> float64
    with pytest.raises(OverflowError):
        slices.Max([2**63])  # int64, range-checked


def test_no_instantiation_is_a_clear_type_error(slices: ModuleType) -> None:
    with pytest.raises(TypeError, match=r"slices.Max\(\) has no instantiation") as info:
        slices.Max([1, "a"])
    assert "slices.Max[[]int64, int64]" in str(info.value)
    assert "slices.Max[[]string, string]" in str(info.value)
    with pytest.raises(TypeError, match="no instantiation"):
        slices.Max([object()])


def test_empty_list_goes_to_the_first_instantiation(slices: ModuleType) -> None:
    with pytest.raises(goffi.GoPanic, match="empty list"):
        slices.Max([])


def test_any_constrained_functions_take_mixed_values(slices: ModuleType) -> None:
    xs = [1, "two", 3.0, None, [4]]
    assert slices.Contains(xs, "two") and not slices.Contains(xs, "three")
    assert slices.Index(xs, 3.0) == xs.index(3.0)
    assert slices.Index(xs, "nope") == -1
    assert slices.Reverse is not None
    assert slices.Repeat([1, "a"], 2) == [1, "a", 1, "a"]
    assert slices.IndexFunc([5, 6, 7], lambda x: x > 5) == 1


def test_binary_search_and_sorted_match_python(slices: ModuleType) -> None:
    xs = [1, 3, 3, 5, 9]
    for target in (0, 3, 4, 9, 10):
        i, found = slices.BinarySearch(xs, target)
        assert i == bisect.bisect_left(xs, target) and found == (target in xs)
    words = ["pear", "apple", "fig"]
    assert slices.Sorted(iter(words)) == sorted(words)
    assert slices.Sorted(x / 2 for x in [3, 1, 2]) == sorted(x / 2 for x in [3, 1, 2])


def test_custom_union_constraint(generictest: ModuleType) -> None:
    # ~int | ~float64 has no int64: ints go to int, floats to float64.
    assert generictest.Total(1, 2, 3) == 6 and type(generictest.Total(1, 2)) is int
    assert generictest.Total(1.5, 2) == 3.5
    assert generictest.Total() == 0
    with pytest.raises(TypeError, match="accepted forms"):
        generictest.Total("a")
    assert generictest.Largest("b", "a") == "b"
    assert generictest.Largest(2, 7) == 7 and generictest.Largest(2.5, 1) == 2.5


def test_any_type_parameter_crosses_by_dynamic_type(generictest: ModuleType) -> None:
    assert generictest.TypeName("x") == "string"
    assert generictest.TypeName(1.5) == "float64"
    assert generictest.TypeName(None) == "<nil>"


def test_comparable_map_keys_fall_back_to_representatives(generictest: ModuleType) -> None:
    assert generictest.Keys({"a": 1, "b": [2]}) == 2
    assert generictest.Keys({1: "x"}) == 1
    assert generictest.Keys({}) == 0


def test_comparable_keys_cross_as_any(generictest: ModuleType) -> None:
    groups = generictest.Group([1, 2, 3, 4, "x"], lambda v: v % 2 if isinstance(v, int) else v)
    assert groups == {0: [2, 4], 1: [1, 3], "x": ["x"]}
    assert list(groups) == [0, 1, "x"]  # a map[any]V's keys come back in Go's order: numbers, strings
    with pytest.raises(goffi.GoPanic, match="unhashable"):
        generictest.Group([1], lambda v: [v])  # a list key: Go's map cannot hold a slice


def test_named_values_inside_any_come_back_as_their_class(
    slices: ModuleType, go: dict[str, ModuleType]
) -> None:
    """A Go value of a named type with a value class, returned inside an any (slog.Level in
    slog.Value.Any, a []any element), is an object of that class, not its underlying int."""
    slog = go["log/slog"]
    warn = slog.AnyValue(slog.LevelWarn).Any()
    assert type(warn) is slog.Level and warn == 4 and str(warn) == "WARN"  # Go's Level.String
    back = slices.Clone([slog.LevelError, 7])
    assert type(back[0]) is slog.Level and str(back[0]) == "ERROR" and type(back[1]) is int


def test_explicit_instantiation(slices: ModuleType) -> None:
    as_float = slices.Max["float64"]
    assert as_float([1, 2]) == 2.0 and type(as_float([1, 2])) is float
    assert slices.Max["[]string", "string"](["a", "b"]) == "b"
    with pytest.raises(TypeError, match=r"slices.Max\[int32\] was not instantiated"):
        slices.Max["int32"]


def test_generic_type_is_a_record_per_instantiation(generictest: ModuleType) -> None:
    p = generictest.MakePair(1, "a")
    assert (p.First, p.Second) == (1, "a")
    assert type(p).__name__ == "Pair_any_any"
    q = generictest.Swap(p)
    assert (q.First, q.Second) == ("a", 1)
    assert generictest.Swap(generictest.Pair_any_any(First=[1], Second=None)).Second == [1]


def test_generic_type_with_a_named_type_argument(generictest: ModuleType) -> None:
    """Pair[time.Duration, string] in a plain signature is a record class of its own whose
    time.Duration field crosses as time.Duration does; Go's own %v is the oracle."""
    import datetime

    p = generictest.Timed(datetime.timedelta(milliseconds=1500))
    assert type(p).__name__ == "Pair_Duration_string"
    assert p.First == datetime.timedelta(milliseconds=1500) and isinstance(p.First, datetime.timedelta)
    assert p.Second == "1.5s"  # Go's Duration.String
    assert generictest.ShowTimed(p) == "{1.5s 1.5s}"
    made = generictest.Pair_Duration_string(First=datetime.timedelta(minutes=2), Second="x")
    assert generictest.ShowTimed(made) == "{2m0s x}"
    with pytest.raises(TypeError) as info:
        generictest.ShowTimed(generictest.Pair_Duration_string(First="not a duration", Second="x"))
    assert "ShowTimed" in str(info.value) and "Duration" in str(info.value), str(info.value)


# ---- the plan: decisions, and what inspect shows --------------------------------------


def test_instance_type_arguments_must_be_spellable() -> None:
    """A generic type's instance names its type arguments in generated Go: one the wrapper
    cannot spell is refused with why and what to do; a spellable one keeps its arguments."""
    from goffi.generics import instantiate_named
    from goffi.plan import instance_py_name
    from goffi.surface.model import Field, NamedType, Surface

    def named(pkg: str, name: str) -> TypeRef:
        return TypeRef(kind="named", pkg=pkg, name=name)

    box = NamedType(
        "example.com/p",
        "Box",
        TypeRef(kind="struct", fields=(Field("Value", TypeRef(kind="typeparam", name="T"), True),)),
        type_params=("T",),
    )
    surface = Surface("go1.26", (), {"example.com/p.Box": box})
    surface.named["example.com/p.item"] = NamedType(
        "example.com/p", "item", TypeRef(kind="basic", name="int")
    )
    surface.named["example.com/internal/q.T"] = NamedType(
        "example.com/internal/q", "T", TypeRef(kind="basic", name="int")
    )
    surface.named["time.Duration"] = NamedType("time", "Duration", TypeRef(kind="basic", name="int64"))
    for arg, why in [
        (named("example.com/p", "item"), "is unexported"),
        (TypeRef(kind="slice", elem=named("example.com/internal/q", "T")), "internal or vendored package"),
        (TypeRef(kind="func"), "is a func type"),
    ]:
        found = instantiate_named(
            surface, TypeRef(kind="named", pkg="example.com/p", name="Box", type_args=(arg,))
        )
        assert isinstance(found, str) and why in found and "request an instantiation" in found, found
    arg = TypeRef(kind="slice", elem=named("time", "Duration"))
    found = instantiate_named(
        surface, TypeRef(kind="named", pkg="example.com/p", name="Box", type_args=(arg,))
    )
    assert found == TypeRef(kind="named", pkg="example.com/p", name="Box[[]time.Duration]", type_args=(arg,))
    assert found.go_spelling() == "example.com/p.Box[[]time.Duration]"
    instance = surface.named["example.com/p.Box[[]time.Duration]"]
    assert instance.underlying.fields[0].type == arg and instance.type_args == (arg,)
    assert instance_py_name(instance) == "Box_slice_Duration"


def test_constraint_decisions() -> None:
    names = {"S", "E"}
    ordered = Constraint(
        "cmp.Ordered",
        restricted=True,
        terms=tuple(
            Term(TypeRef(kind="basic", name=n), tilde=True) for n in ("int", "int64", "float64", "string")
        ),
    )
    d = decide_type_param("E", ordered, names)
    assert [c.type.name for c in d.candidates] == ["int64", "float64", "string"]
    slice_e = Constraint(
        "~[]E",
        restricted=True,
        terms=(Term(TypeRef(kind="slice", elem=TypeRef(kind="typeparam", name="E")), True),),
    )
    s = decide_type_param("S", slice_e, names)
    assert s.kind == "derived"
    found = instantiations((s, d))
    assert not isinstance(found, str)
    assert [[a.go_spelling() for a in i.type_args] for i in found] == [
        ["[]int64", "int64"],
        ["[]float64", "float64"],
        ["[]string", "string"],
    ]
    methods = decide_type_param("T", Constraint("fmt.Stringer", methods=("String",)), {"T"})
    assert methods.kind == "none" and "String" in methods.reason
    assert decide_type_param("T", Constraint("any"), {"T"}).candidates[0].type.go_spelling() == "any"


def test_inspect_lists_instantiations_and_reasons(session_cache: Path) -> None:
    report = inspect_report(session_cache, GO_TEST_PACKAGES / "generictest", "example.com/generictest")
    symbols = {s["name"]: s for s in report["symbols"]}
    total = symbols["Total"]
    assert total["status"] == "bridged"
    notes = "\n".join(total["notes"])
    assert (
        "instantiated generictest.Total[int]" in notes and "instantiated generictest.Total[float64]" in notes
    )
    assert "Python picks the instantiation by its arguments" in notes
    describe = symbols["Describe"]
    assert describe["status"] == "skipped" and describe["category"] == "generic"
    assert "requires methods (String)" in describe["reason"]
    assert "comparable" in "\n".join(symbols["Keys"]["notes"])


# ---- explicit instantiation (goffi.load(instantiate=...)) ----------------------------

# Each spelled as Go spells it; the test package's own TypeName (fmt's %T) and Describe
# (the values' String methods) say in Go's words what was built.
INSTANTIATE = [
    "slices.Max[int32]",  # only the type parameter the dispatcher would choose (E)
    "slices.Sort[[]time.Duration]",  # Go's form: E inferred from S's core type
    "example.com/generictest.TypeName[time.Duration]",
    "example.com/generictest.TypeName[int32]",
    "example.com/generictest.Describe[time.Duration]",  # T fmt.Stringer: time.Duration has String
    "example.com/generictest.Swap[string, int]",  # a generic type per instantiation: Pair[string, int]
    "errors.AsType[*fs.PathError]",  # E error (Go 1.26): a pointer type with the Error method
    # generic types requested with named type arguments: a class each
    "example.com/generictest.Pair[time.Duration, int]",
    "example.com/generictest.Box[Item]",
    "example.com/generictest.Boxed[[]time.Duration]",  # Box[[]time.Duration] by its function
    "example.com/generictest.Show[Box[Item]]",
]


def test_explicit_instantiation_from_the_build_configuration(session_cache: Path) -> None:
    """Requested instantiations are built, called by their type arguments, checked against
    Go's own results; a missing one names how to request it. In its own process (its own bundle)."""
    code = textwrap.dedent(
        f"""
        import datetime, goffi
        slices, time, errors, os, fs, gt = goffi.load(
            "slices", "time", "errors", "os", "io/fs", {str(GO_TEST_PACKAGES / "generictest")!r},
            instantiate={INSTANTIATE!r},
        )
        # slices.Max[[]int32]: a separate instantiation, Go's int32 (a value past it overflows).
        m = slices.Max["int32"]
        assert m([3, -7, 5]) == 5 and slices.Max["[]int32", "int32"] is m
        try:
            m([2**31])
        except OverflowError:
            pass
        else:
            raise AssertionError("int32 instantiation took 2**31")
        assert slices.Max([2**40, 1]) == 2**40  # the automatic int64 one still dispatches
        # slices.Sort[[]time.Duration] sorts the list in place, Go's order.
        ds = [datetime.timedelta(seconds=3), datetime.timedelta(milliseconds=5), datetime.timedelta(0)]
        slices.Sort["[]time.Duration"](ds)
        assert ds == sorted(ds), ds
        assert isinstance(ds[0], datetime.timedelta)
        # TypeName reports Go's %T of its argument: the requested instantiations by name.
        assert gt.TypeName["time.Duration"](datetime.timedelta(seconds=1)) == "time.Duration"
        assert gt.TypeName["int32"](7) == "int32"
        assert gt.TypeName(7) == "int"  # the automatic any one: a Python int is Go's int inside any
        # Describe[T fmt.Stringer] is not made automatically; requested with time.Duration, Go
        # calls Duration.String on each, and it is the one a call goes to.
        want = [time.Duration(datetime.timedelta(seconds=1.5)).String(), "0s"]
        assert gt.Describe([datetime.timedelta(seconds=1.5), datetime.timedelta(0)]) == want == ["1.5s", "0s"]
        assert gt.Describe["time.Duration"] is not None
        # Swap[string, int]: Pair[string, int] in, Pair[int, string] out, each a record class.
        p = gt.Swap["string", "int"](gt.Pair_string_int(First="a", Second=1))
        assert (p.First, p.Second) == (1, "a") and type(p).__name__ == "Pair_int_string"
        # errors.AsType[*fs.PathError] (Go 1.26): finds the *fs.PathError in os.Open's error.
        try:
            os.Open("/nonexistent/goffi")
        except goffi.GoError as e:
            err = e
        pe, ok = errors.AsType["*fs.PathError"](err)
        assert ok and pe.Path == "/nonexistent/goffi" and pe.Op == "open", (pe, ok)
        none, ok = errors.AsType["*fs.PathError"](errors.New("plain"))
        assert not ok and none is None
        # Generic types with named type arguments, each its class; Go's %v is the oracle.
        p = gt.Pair_Duration_int(First=datetime.timedelta(seconds=90), Second=3)
        assert isinstance(p.First, datetime.timedelta) and p.Second == 3
        box = gt.Box_Item(Value=gt.Item(Name="a", Count=2), Label="l")
        assert box.Format() == "{{{{a 2}} l}}" == gt.Show["Box[Item]"](box)
        assert box.Get() == gt.Item(Name="a", Count=2) and type(box.Get()).__name__ == "Item"
        b = gt.Boxed["[]time.Duration"]([datetime.timedelta(seconds=1), datetime.timedelta(0)], "ds")
        assert type(b).__name__ == "Box_slice_Duration" and b.Format() == "{{[1s 0s] ds}}"
        assert b.Get() == [datetime.timedelta(seconds=1), datetime.timedelta(0)]
        # A missing instantiation: the message says what was built and how to request it.
        try:
            slices.Max["uint16"]
        except TypeError as e:
            msg = str(e)
        assert "slices.Max[uint16] was not instantiated" in msg, msg
        assert "[[]int32, int32]" in msg and "instantiate=['slices.Max[uint16]']" in msg and "--instantiate" in msg, msg
        print("ok")
        """
    )
    env = dict(os.environ, GOFFI_CACHE_DIR=str(session_cache))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


@pytest.mark.parametrize(
    ("request_text", "message"),
    [
        ("slices.Max[bool]", "bool is not in the type set of cmp.Ordered"),
        ("slices.Max[int33]", "no type int33 in package slices"),
        ("slices.Maxx[int]", "slices.Maxx (in 'slices.Maxx[int]') is not a generic function"),
        ("slices.Max[nosuch.T]", "package nosuch is not in this bundle"),
        ("slices.Max", "is not an instantiation"),
        (
            "example.com/generictest.Describe[int64]",
            "int64 lacks the method(s) String that fmt.Stringer requires",
        ),
        ("example.com/generictest.Keys[[]int, int]", "[]int is not comparable"),
        # generic types
        ("example.com/generictest.Box[int33]", "no type int33 in package example.com/generictest"),
        ("example.com/generictest.Box[func()]", "cannot read a type at 'func()'"),
        ("example.com/generictest.Box[Pair]", "Pair is generic: give its 2 type argument(s) (A, B)"),
        ("example.com/generictest.Pair[int]", "does not give every type parameter of"),
    ],
)
def test_bad_instantiation_requests_say_why(session_cache: Path, request_text: str, message: str) -> None:
    """A request that cannot be built fails the plan with a SpecError naming it and why."""
    from goffi.build import Progress, plan_specs
    from goffi.errors import SpecError
    from goffi.toolchain import find_go
    from goffi.workspace import parse_spec

    specs = [parse_spec(s) for s in ("slices", str(GO_TEST_PACKAGES / "generictest"))]
    work = session_cache / "work" / "bad-instantiate"
    with pytest.raises(SpecError, match=re.escape(message)) as info:
        plan_specs(specs, work, find_go(), session_cache, Progress(False), instantiate=[request_text])
    assert request_text in str(info.value) or "not an instantiation" in str(info.value), str(info.value)


# ---- a real module from the proxy -----------------------------------------------------


@pytest.mark.network
@pytest.mark.slow
def test_samber_lo(session_cache: Path) -> None:
    """lo (github.com/samber/lo@v1.53.0) with slices and maps, in its own process."""
    code = textwrap.dedent(
        """
        import goffi
        slices, maps, lo = goffi.load(
            "slices",
            "maps",
            "github.com/samber/lo@v1.53.0",
            instantiate=["github.com/samber/lo.Map[string, int]", "github.com/samber/lo.T2[string, int]"],
        )
        assert lo.Map([1, 2, 3], lambda x, i: x * 2) == [2, 4, 6]
        assert lo.Uniq([1, 2, 2, "a", "a"]) == [1, 2, "a"]
        assert lo.GroupBy([1, 2, 3, 4], lambda x: x % 2) == {1: [1, 3], 0: [2, 4]}
        assert sorted(lo.Keys({"a": 1, "b": 2})) == ["a", "b"]
        assert lo.Sum([1, 2, 3]) == 6 and lo.Sum([1.5, 2]) == 3.5
        assert lo.Filter([1, 2, 3, 4], lambda x, i: x % 2 == 0) == [2, 4]
        assert lo.Max([3, 1, 2]) == 3 and lo.Min(["b", "a"]) == "a"
        t = lo.T2(1, "a")
        assert (t.A, t.B) == (1, "a")
        assert slices.Max([3, 1, 2]) == 3
        # Requested: lo.Map[string, int] (Go converts each result to int) and lo.T2[string, int],
        # a lo.Tuple2[string, int] record of its own.
        assert lo.Map["string", "int"](["a", "bb"], lambda s, i: len(s) + i) == [1, 3]
        t = lo.T2["string", "int"]("x", 2)
        assert (t.A, t.B) == ("x", 2) and type(t).__name__ == "Tuple2_string_int"
        try:
            lo.Map["int", "string"]
        except TypeError as e:
            assert "instantiate=['github.com/samber/lo.Map[int, string]']" in str(e), e
        print("ok")
        """
    )
    env = dict(os.environ, GOFFI_CACHE_DIR=str(session_cache))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")


def test_stubs_type_check_with_mypy(generictest: ModuleType, tmp_path: Path) -> None:
    """Overloads per instantiation, Iterator results and Iterable parameters, checked by mypy.
    ParseAs[T int64 | float64](s string) T has one signature: instantiations with the same
    parameters were overloads mypy rejects in the stub (overload-cannot-match), and a plain
    call goes to the first (int64) one."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    snippet = tmp_path / "use_generics.py"
    snippet.write_text(
        textwrap.dedent(
            """\
            from collections.abc import Iterator
            from gopkgs import generictest, slices, strings

            a: int = slices.Max([1, 2])
            b: float = slices.Max([1.5])
            lines: Iterator[str] = strings.Lines("a")
            joined: str = generictest.Join(iter(["a"]), 1)
            wrong: int = slices.Max(["a"])
            parsed: int = generictest.ParseAs("3")
            """
        ).replace("from gopkgs import", f"from {generictest.__name__.rpartition('.')[0]} import")
    )
    errors, output = mypy_errors(snippet, generictest, tmp_path)
    assert len(errors) == 1, output
    assert "use_generics.py:8:" in errors[0] and 'has type "str", variable has type "int"' in errors[0]
    assert generictest.ParseAs("3.5") == 3 and generictest.ParseAs["float64"]("3.5") == 3.5


def test_readme_generics_example(go: dict[str, ModuleType], capsys: pytest.CaptureFixture[str]) -> None:
    """The README's generics block, verbatim (its packages are in the session bundle), prints
    what its comments say."""
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    block = next(
        b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "slices.Max([3, 1, 2])" in b
    )
    exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    expected = [
        line.split("#", 1)[1].split("(")[0].strip() for line in block.splitlines() if "print(" in line
    ]
    assert printed == expected


def test_slices_sort_sorts_the_list_in_place(slices: ModuleType) -> None:
    """Write-back of slices (issue 9) reaches the instantiations: Go's sort lands in the list."""
    for xs in ([3, 1, 2], [2.5, -1.0, 0.0], ["pear", "fig", "apple"]):
        got = list(xs)
        assert slices.Sort(got) is None
        assert got == sorted(xs)


def test_any_slices_of_generic_functions_are_written_back(
    slices: ModuleType, go: dict[str, ModuleType]
) -> None:
    """A []any instantiation's writes come back to the list (item 5 of the fidelity issue):
    items Go moved are the caller's own objects again; values Go wrote are converted."""
    import functools

    regexp = go["regexp"]
    r = regexp.MustCompile("a+")
    words: list[object] = ["b", 2, None, r, 3.5]
    original = list(words)
    slices.Reverse(words)
    assert words == original[::-1] and words[1] is r  # the same Go object, not a new wrapper
    mixed: list[object] = [3, "x", 1, 2.5]

    def key(v: object) -> tuple[int, str]:
        return (1, str(v)) if isinstance(v, str) else (0, f"{float(v):020.6f}")  # type: ignore[arg-type]

    def compare(a: object, b: object) -> int:
        return (key(a) > key(b)) - (key(a) < key(b))

    slices.SortFunc(mixed, compare)
    assert mixed == sorted([3, "x", 1, 2.5], key=functools.cmp_to_key(compare))
    unchanged = [1, "a", r]
    assert slices.Contains(unchanged, "a") and unchanged[2] is r
    # Go 1.22's Delete zeroes the tail it vacates: Go's own writes, nil is None.
    xs: list[object] = [1, 2, 3, "four"]
    assert slices.Delete(xs, 1, 3) == [1, "four"]
    assert xs == [1, "four", None, None]


def test_slices_sort_writes_over_a_buffer(slices: ModuleType) -> None:
    import array

    xs = array.array("q", [5, -1, 3])
    slices.Sort(xs)
    assert xs.tolist() == [-1, 3, 5]
    ys = array.array("d", [2.5, 1.5])
    slices.Sort(ys)
    assert ys.tolist() == [1.5, 2.5]


def test_keyword_arguments_reach_generic_and_iterator_functions(
    slices: ModuleType, strings: ModuleType
) -> None:
    # Go's parameter names, as for every other function (issue 9): slices.Index(s S, v E).
    assert slices.Index(s=[5, 6, 7], v=7) == 2
    assert slices.Index([5, 6, 7], v=6) == 1
    assert slices.Max(x=[3, 1, 2]) == 3
    assert list(strings.SplitSeq(s="a,b", sep=",")) == ["a", "b"]
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        slices.Max(nope=[1])
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        slices.Max([1], x=[2])
