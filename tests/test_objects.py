"""Go objects in Python (issue 3), proved through a real build of tests/gopkgs/objtest.

The package is part of the session bundle (see conftest.py). Sections follow the issue's
parts: records, handle classes, embedded structs, identity, resources, pointers,
interfaces, ``any``, errors as exceptions, time, then what the build says about them
(stubs, docstrings, ``goffi inspect``). Every test checks that the number of live Go
handles is back where it started when the test ends.
"""

from __future__ import annotations

import ast
import gc
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import textwrap
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import goffi
from conftest import GO_TEST_PACKAGES, SESSION_SPECS, ZERO_COPY, inspect_report, mypy_errors

pytestmark = pytest.mark.usefixtures("no_handle_leaks")

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def unix_nanos(dt: datetime) -> int:
    """dt (aware) in nanoseconds since the Unix epoch, exactly."""
    return (dt - EPOCH) // timedelta(microseconds=1) * 1000


# ---------------------------------------------------------------------------- records


def test_record_keyword_constructor_and_zero_defaults(objtest: ModuleType) -> None:
    p = objtest.Point(X=1, Y=2)
    assert (p.X, p.Y) == (1, 2)
    assert objtest.Point() == objtest.Point(X=0, Y=0)
    assert objtest.Point(Y=5) == objtest.Point(X=0, Y=5)


def test_record_eq_and_repr(objtest: ModuleType) -> None:
    assert objtest.Point(X=1, Y=2) == objtest.Point(X=1, Y=2)
    assert objtest.Point(X=1, Y=2) != objtest.Point(X=2, Y=1)
    assert objtest.Point(X=1, Y=2) != (1, 2)
    assert repr(objtest.Point(X=1, Y=2)) == "Point(X=1, Y=2)"


def test_record_constructor_refuses_unknown_fields_and_wrong_types(objtest: ModuleType) -> None:
    with pytest.raises(TypeError):
        objtest.Point(Z=1)
    with pytest.raises(TypeError):
        objtest.Point(X="1")


def test_records_hold_no_handles(ptrtest: ModuleType) -> None:
    # A struct Go only copies is a record: Python memory. (objtest.Point is Go's memory
    # since issue 10: Go shares it by pointer, in MaybePoint.)
    gc.collect()
    before = goffi.live_handles()
    kept = [ptrtest.Square(Side=1), ptrtest.Double(ptrtest.Square(Side=2)), ptrtest.Size(W=1)]
    assert goffi.live_handles() == before
    assert kept[1] == ptrtest.Square(Side=4)


def test_returned_record_is_a_copy(objtest: ModuleType) -> None:
    home = objtest.Home()
    home.X = 100
    assert home == objtest.Point(X=100, Y=2)
    assert objtest.Home() == objtest.Point(X=1, Y=2)


def test_passed_record_is_a_copy(objtest: ModuleType) -> None:
    p = objtest.Point(X=1, Y=1)
    assert objtest.Bump(p) == objtest.Point(X=2, Y=1)
    assert p == objtest.Point(X=1, Y=1)


def test_record_value_methods(objtest: ModuleType) -> None:
    assert objtest.Point(X=1, Y=2).Add(objtest.Point(X=10, Y=20)) == objtest.Point(X=11, Y=22)
    assert str(objtest.Point(X=1, Y=2)) == "(1,2)"  # Go's String()


def test_nested_record_with_slice_field(objtest: ModuleType) -> None:
    s = objtest.Segment(From=objtest.Point(X=0, Y=0), To=objtest.Point(X=3, Y=4), Tags=["a"])
    assert s.Length() == 7
    assert repr(s) == "Segment(From=Point(X=0, Y=0), To=Point(X=3, Y=4), Tags=['a'])"
    moved = objtest.Shift(s, objtest.Point(X=1, Y=1))
    assert moved == objtest.Segment(
        From=objtest.Point(X=1, Y=1), To=objtest.Point(X=4, Y=5), Tags=["a", "shifted"]
    )
    assert s.Tags == ["a"]


# ---------------------------------------------------------------------------- handle classes


def test_handle_zero_value(objtest: ModuleType) -> None:
    c = objtest.Counter()
    assert type(c) is objtest.Counter
    assert isinstance(c, goffi.GoObject)
    assert c.Name == ""
    assert c.Value() == 0


def test_handle_keyword_init_of_exported_fields(objtest: ModuleType) -> None:
    c = objtest.Counter(Name="x")
    assert c.Name == "x"
    assert str(c) == "x=0"
    with pytest.raises(TypeError):
        objtest.Counter(n=5)  # unexported


def test_unexported_fields_are_not_exposed(objtest: ModuleType) -> None:
    c = objtest.NewCounter("a")
    assert not hasattr(c, "mu")
    assert not hasattr(c, "n")


def test_fields_read_and_write_go(objtest: ModuleType) -> None:
    c = objtest.NewCounter("a")
    assert c.Name == "a"
    c.Name = "b"
    assert objtest.CounterName(c) == "b"  # Go sees the new value
    assert str(c) == "b=0"
    with pytest.raises(TypeError):
        c.Name = 5


def test_pointer_methods(objtest: ModuleType) -> None:
    c = objtest.NewCounter("a")
    assert c.Inc() == 1
    assert c.Inc() == 2
    assert c.Value() == 2


def test_special_methods_from_go_methods(objtest: ModuleType) -> None:
    c = objtest.NewCounter("a")
    c.Inc()
    c.Inc()
    c.Inc()
    assert len(c) == 3  # Len()
    assert str(c) == "a=3"  # String()


def test_each_handle_object_holds_one_handle(objtest: ModuleType) -> None:
    gc.collect()
    before = goffi.live_handles()
    c = objtest.NewCounter("x")
    assert goffi.live_handles() == before + 1
    assert c.Self() is c
    assert goffi.live_handles() == before + 1
    del c
    gc.collect()
    assert goffi.live_handles() == before


def test_handles_from_many_threads(objtest: ModuleType) -> None:
    shared = objtest.NewCounter("shared")

    def work(_: int) -> int:
        total = 0
        for i in range(100):
            c = objtest.NewCounter(f"c{i}")
            total += c.Inc()
            shared.Inc()
        return total

    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(work, range(8))) == [100] * 8
    assert shared.Value() == 800


# ---------------------------------------------------------------------------- embedded structs


def test_embedded_fields_and_methods_are_promoted(objtest: ModuleType) -> None:
    d = objtest.Derived()
    assert d.ID == 0
    d.ID = 7
    assert d.Describe() == "base 7"
    assert d.Extra == ""
    assert not hasattr(d, "private")


def test_embedded_struct_from_a_constructor(objtest: ModuleType) -> None:
    d = objtest.NewDerived(3, "x")
    assert (d.ID, d.Extra, d.Secret()) == (3, "x", 30)
    assert d.Describe() == "base 3"
    assert d.Base == objtest.Base(ID=3)  # the embedded field itself, under its type's name


def test_embedded_struct_keyword_init(objtest: ModuleType) -> None:
    d = objtest.Derived(Base=objtest.Base(ID=4), Extra="y")
    assert d.Describe() == "base 4"
    assert d.Extra == "y"


# ---------------------------------------------------------------------------- identity and nil


def test_same_pointer_gives_same_object(objtest: ModuleType) -> None:
    c = objtest.NewCounter("a")
    assert c.Self() is c
    assert c.Self().Self() is c
    sq = objtest.NewSquare(2)
    assert objtest.Biggest(sq) is sq


def test_nil_pointers_are_none(objtest: ModuleType) -> None:
    assert objtest.NoCounter() is None
    assert objtest.CounterName(None) == "<nil>"
    assert objtest.CounterName(objtest.NewCounter("z")) == "z"


def test_wrong_object_for_a_pointer_parameter(objtest: ModuleType) -> None:
    with pytest.raises(TypeError):
        objtest.CounterName(objtest.NewSquare(1))
    with pytest.raises(TypeError):
        objtest.CounterName("z")


# ---------------------------------------------------------------------------- resources


def test_close_gives_a_context_manager(objtest: ModuleType) -> None:
    before = objtest.OpenResources()
    with objtest.Open("a") as r:
        assert type(r) is objtest.Resource
        assert r.Read() == "data from a"
        assert objtest.OpenResources() == before + 1
    assert objtest.OpenResources() == before


def test_context_manager_closes_on_exception(objtest: ModuleType) -> None:
    before = objtest.OpenResources()
    with pytest.raises(ValueError, match="inside"), objtest.Open("b"):
        raise ValueError("inside")
    assert objtest.OpenResources() == before


def test_method_after_close_raises_go_error(objtest: ModuleType) -> None:
    r = objtest.Open("c")
    assert r.Close() is None
    with pytest.raises(objtest.ErrClosed) as info:
        r.Read()
    assert isinstance(info.value, goffi.GoError)
    assert str(info.value) == "read c: objtest: resource closed"
    assert r.Name() == "c"  # the object itself stays usable


def test_closing_twice_raises_go_error(objtest: ModuleType) -> None:
    r = objtest.Open("d")
    r.Close()
    with pytest.raises(objtest.ErrClosed) as info:
        r.Close()
    assert str(info.value) == "objtest: resource closed"


def test_unclosed_resource_warns_when_collected(objtest: ModuleType) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = objtest.Open("leaked")
        del r
        gc.collect()
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert len(leaks) == 1, [str(w.message) for w in caught]
    assert "Resource" in str(leaks[0].message)


def test_closed_resource_does_not_warn(objtest: ModuleType) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with objtest.Open("fine"):
            pass
        r = objtest.Open("fine too")
        r.Close()
        del r
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


# ---------------------------------------------------------------------------- optional pointers


def test_pointer_to_int_is_an_optional_value(objtest: ModuleType) -> None:
    assert objtest.Maybe(None) is None
    assert objtest.Maybe(41) == 42
    assert objtest.Maybe(-1) == 0
    with pytest.raises(TypeError):
        objtest.Maybe("41")


def test_pointer_to_record_is_an_optional_value(objtest: ModuleType) -> None:
    assert objtest.MaybePoint(None) is None
    p = objtest.Point(X=1, Y=1)
    assert objtest.MaybePoint(p) == objtest.Point(X=2, Y=2)
    assert type(objtest.MaybePoint(p)) is objtest.Point
    assert p == objtest.Point(X=1, Y=1)


# ---------------------------------------------------------------------------- interfaces


def test_interface_results_have_the_dynamic_type_class(objtest: ModuleType) -> None:
    shapes = objtest.Shapes()
    assert [type(s) for s in shapes] == [objtest.Square, objtest.Circle]
    assert shapes[0].Side == 2.0
    assert shapes[1].R == 1.0
    assert shapes[0].Area() == 4.0
    assert shapes[1].Name() == "circle"


def test_bridged_objects_pass_as_interfaces(objtest: ModuleType) -> None:
    sq, ci = objtest.NewSquare(3), objtest.NewCircle(1)
    assert objtest.Describe(sq) == "square with area 9.00"
    assert objtest.TotalArea([sq, ci]) == 9 + math.pi
    assert objtest.Biggest(sq, ci) is sq
    assert sq.Calls() == 3  # Go called the very object we hold


def test_python_constructed_object_passes_as_interface(objtest: ModuleType) -> None:
    assert objtest.Describe(objtest.Square(Side=2)) == "square with area 4.00"


def test_nil_interface_is_none(objtest: ModuleType) -> None:
    assert objtest.Biggest() is None
    assert objtest.Describe(None) == "no shape"


def test_unbridged_dynamic_type_gives_a_generic_object(objtest: ModuleType) -> None:
    b = objtest.Blob()
    assert isinstance(b, goffi.GoObject)
    assert type(b) not in (objtest.Square, objtest.Circle)
    assert b.Area() == 0.5
    assert b.Name() == "blob"
    assert objtest.Describe(b) == "blob with area 0.50"  # and it passes back as the interface
    assert objtest.TypeName(b) == "objtest.blob"


def test_unexported_variable_seen_as_a_proxied_interface(objtest: ModuleType) -> None:
    """A variable of an unexported type shown as an interface that Python objects also
    implement (jwt.SigningMethodNone): the interface's proxy is the interface's own type
    (it was spelled as the unexported pointer, and the bundle failed to build)."""
    assert isinstance(objtest.UnitShape, objtest.Shape)
    assert objtest.Describe(objtest.UnitShape) == "unit with area 1.00"

    class Tri:
        def Area(self) -> float:
            return 0.25

        def Name(self) -> str:
            return "tri"

    assert objtest.Describe(Tri()) == "tri with area 0.25"


def test_object_not_implementing_the_interface_is_refused(objtest: ModuleType) -> None:
    with pytest.raises(TypeError, match="Area"):
        objtest.Describe(objtest.NewCounter("x"))
    with pytest.raises(TypeError, match="Area"):
        objtest.TotalArea([objtest.NewSquare(1), objtest.NewCounter("x")])
    with pytest.raises(TypeError):
        objtest.Describe("square")


# ---------------------------------------------------------------------------- any

ECHOED = [
    None,
    True,
    False,
    5,
    -7,
    2**100,
    -(2**100),
    1.5,
    "s",
    b"b",
    [1, "a"],
    {"k": [1]},
    {"k": {"z": [None, 2.5]}},
]


@pytest.mark.parametrize("value", ECHOED, ids=repr)
def test_any_round_trips(objtest: ModuleType, value: Any) -> None:
    back = objtest.Echo(value)
    assert back == value
    assert type(back) is type(value)


def test_any_tuple_comes_back_as_list(objtest: ModuleType) -> None:
    assert objtest.Echo((1, 2)) == [1, 2]


TYPE_NAMES = [
    (None, "<nil>"),
    (True, "bool"),
    (5, "int"),
    (2**63 - 1, "int"),
    (-(2**63), "int"),
    (2**63, "*big.Int"),
    (2**100, "*big.Int"),
    (1.5, "float64"),
    ("s", "string"),
    (b"b", "[]uint8"),
    ([1, "a"], "[]interface {}"),
    ((1, 2), "[]interface {}"),
    ({"a": 1}, "map[string]interface {}"),
]


@pytest.mark.parametrize(("value", "go_type"), TYPE_NAMES, ids=[t for _, t in TYPE_NAMES])
def test_any_go_types(objtest: ModuleType, value: Any, go_type: str) -> None:
    assert objtest.TypeName(value) == go_type


def test_any_passes_goffi_objects_as_their_go_value(objtest: ModuleType) -> None:
    c = objtest.NewCounter("x")
    assert objtest.TypeName(c) == "*objtest.Counter"
    assert objtest.Echo(c) is c
    assert objtest.TypeName(objtest.NewSquare(1)) == "*objtest.Square"


def test_any_passes_records_by_value(objtest: ModuleType) -> None:
    assert objtest.TypeName(objtest.Point(X=1, Y=2)) == "objtest.Point"
    assert objtest.Echo(objtest.Point(X=1, Y=2)) == objtest.Point(X=1, Y=2)


def test_any_refuses_what_has_no_go_value(objtest: ModuleType) -> None:
    with pytest.raises(TypeError):
        objtest.Echo(object())
    with pytest.raises(TypeError):
        objtest.Echo({1: "non-str key"})


# ---------------------------------------------------------------------------- errors


def test_error_classes_are_go_errors(objtest: ModuleType) -> None:
    for cls in (objtest.ErrNotFound, objtest.ErrBusy, objtest.ErrClosed, objtest.ValidationError):
        assert issubclass(cls, goffi.GoError), cls


def test_sentinel_is_caught_by_its_class(objtest: ModuleType) -> None:
    assert objtest.Find("a") == "alpha"
    with pytest.raises(objtest.ErrNotFound) as info:
        objtest.Find("zz")
    assert str(info.value) == "objtest: not found"
    assert info.value.go_type == "*errors.errorString"
    assert not isinstance(info.value, objtest.ErrBusy)


def test_wrapped_sentinel_keeps_the_chain(objtest: ModuleType) -> None:
    with pytest.raises(objtest.ErrNotFound) as info:
        objtest.Wrapped()
    e = info.value
    assert str(e) == "ctx: objtest: not found"
    assert e.go_type == "*fmt.wrapError"
    assert isinstance(e.__cause__, objtest.ErrNotFound)
    assert str(e.__cause__) == "objtest: not found"
    assert e.__cause__.__cause__ is None


def test_joined_error_matches_every_sentinel(objtest: ModuleType) -> None:
    with pytest.raises(goffi.GoError) as info:
        objtest.Joined()
    e = info.value
    assert isinstance(e, objtest.ErrNotFound)
    assert isinstance(e, objtest.ErrBusy)
    assert str(e) == "objtest: not found\nobjtest: busy"
    assert e.go_type == "*errors.joinError"


def test_error_type_fields_on_the_exception(objtest: ModuleType) -> None:
    assert objtest.Validate("ok") is None
    with pytest.raises(objtest.ValidationError) as info:
        objtest.Validate("")
    e = info.value
    assert (e.Field, e.Reason) == ("s", "empty")
    assert e.Err is None
    assert e.go_type == "*objtest.ValidationError"
    assert str(e) == "objtest: invalid s: empty"  # Error()


def test_error_type_wrapping_a_sentinel(objtest: ModuleType) -> None:
    with pytest.raises(objtest.ValidationError) as info:
        objtest.Both()
    e = info.value
    assert isinstance(e, objtest.ErrBusy)
    assert not isinstance(e, objtest.ErrNotFound)
    assert str(e) == "both: objtest: invalid name: taken"
    assert e.go_type == "*fmt.wrapError"
    assert e.Field == "name"  # errors.As finds the *ValidationError in the chain
    cause = e.__cause__
    assert isinstance(cause, objtest.ValidationError)
    assert cause.go_type == "*objtest.ValidationError"
    assert isinstance(cause.__cause__, objtest.ErrBusy)
    assert str(cause.__cause__) == "objtest: busy"


def test_constant_sentinel_is_an_exception_class(objtest: ModuleType) -> None:
    """`const ErrX strErr = "..."` (github.com/rs/xid's ErrInvalidID) is a sentinel as a
    `var` is: its class catches what errors.Is matches; it was a plain str, which no
    `except` can name."""
    assert issubclass(objtest.ErrConstant, goffi.GoError)
    with pytest.raises(objtest.ErrConstant) as info:
        objtest.FailConstant(False)
    assert str(info.value) == "ctx: objtest: constant sentinel"
    assert not isinstance(info.value, objtest.ErrCodeGone)
    assert isinstance(info.value.__cause__, objtest.ErrConstant)
    # A constant of an exported error type: its sentinel and its error type both match.
    with pytest.raises(objtest.ErrCodeGone) as gone:
        objtest.FailConstant(True)
    assert isinstance(gone.value, objtest.Code) and not isinstance(gone.value, objtest.ErrConstant)
    assert str(gone.value) == "objtest: code gone" and gone.value.go_type == "objtest.Code"


def test_error_made_from_an_error_is_returned_not_raised(objtest: ModuleType) -> None:
    """A package function whose first parameter is an error and whose only result is an
    error makes an error (github.com/pkg/errors' Wrap, WithStack, WithMessage): Python
    gets it back, as from errors.New, instead of an exception raised at the call."""
    with pytest.raises(objtest.ErrNotFound) as info:
        objtest.Find("zz")
    wrapped = objtest.Annotate(info.value, "lookup")
    assert isinstance(wrapped, objtest.ErrNotFound)
    assert str(wrapped) == "lookup: objtest: not found"
    assert objtest.Annotate(None, "nothing") is None
    # Methods acting on their receiver still raise (objtest.Resource.Close after Close).


def test_go_writes_into_slices_of_records_arrays_and_objects_come_back(objtest: ModuleType) -> None:
    """Go sorting a []Point, a []Tag ([2]byte) or a []*Counter in place (blang/semver's
    Sort, xid.Sort): the list gets Go's order, as a list of ints does (it stayed as it was)."""
    P = objtest.Point
    points = [P(X=3, Y=0), P(X=1, Y=5), P(X=1, Y=2)]
    objtest.SortPoints(points)
    assert points == [P(X=1, Y=2), P(X=1, Y=5), P(X=3, Y=0)]
    tags = [b"zz", objtest.Tag(b"ab"), b"mm"]
    objtest.SortTags(tags)
    assert tags == [b"ab", b"mm", b"zz"] and all(isinstance(t, objtest.Tag) for t in tags)
    a, b, c = objtest.NewCounter("a"), objtest.NewCounter("b"), objtest.NewCounter("c")
    counters = [a, b, c]
    objtest.ReverseCounters(counters)
    assert counters[0] is c and counters[1] is b and counters[2] is a  # the same Go pointers
    bases = [objtest.Base(ID=2), objtest.Base(ID=-1), objtest.Base(ID=0)]
    objtest.SortBases(bases)
    assert bases == [objtest.Base(ID=-1), objtest.Base(ID=0), objtest.Base(ID=2)]
    frozen = (b"zz", b"ab")
    objtest.SortTags(frozen)
    assert frozen == (b"zz", b"ab")  # a tuple stays as it was


# ---------------------------------------------------------------------------- time


def test_duration_is_timedelta(objtest: ModuleType) -> None:
    assert objtest.Nanoseconds(timedelta(hours=1)) == 3600 * 10**9
    assert objtest.Nanoseconds(timedelta(microseconds=-1)) == -1000
    assert objtest.Since2000(datetime(2000, 1, 2, tzinfo=UTC)) == timedelta(days=1)
    assert objtest.Since2000(datetime(1999, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)) == timedelta(
        microseconds=-500000
    )


def test_duration_out_of_range_overflows(objtest: ModuleType) -> None:
    with pytest.raises(OverflowError):
        objtest.Nanoseconds(timedelta(days=300 * 366))  # a Duration holds about 292 years


def test_time_is_aware_datetime(objtest: ModuleType) -> None:
    dt = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    assert objtest.UnixNano(dt) == unix_nanos(dt)
    later = objtest.AddDuration(dt, timedelta(hours=1))
    assert later == dt + timedelta(hours=1)
    assert later.tzinfo is not None
    epoch = objtest.At(0, 0)
    assert epoch == EPOCH
    assert epoch.utcoffset() == timedelta(0)


def test_time_keeps_the_utc_offset(objtest: ModuleType) -> None:
    plus2 = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert objtest.Offset(plus2) == 7200
    assert objtest.AddDuration(plus2, timedelta(minutes=30)).utcoffset() == timedelta(hours=2)
    summer = datetime(2024, 7, 1, 12, tzinfo=ZoneInfo("America/New_York"))
    assert objtest.Offset(summer) == -4 * 3600
    assert objtest.UnixNano(summer) == unix_nanos(summer)


def test_naive_datetime_is_local_time(objtest: ModuleType) -> None:
    naive = datetime(2000, 1, 1)
    assert objtest.UnixNano(naive) == round(naive.timestamp()) * 10**9


def test_naive_datetime_is_local_time_in_another_zone(session_cache: Path) -> None:
    """In a process whose local zone is not UTC (Tokyo, +9, no DST), naive means local."""
    code = textwrap.dedent(
        f"""
        from datetime import datetime
        import goffi
        specs = {list(SESSION_SPECS)!r}
        objtest = goffi.load(*specs, zero_copy={ZERO_COPY!r})[1]
        naive = datetime(2000, 1, 1)
        print(objtest.UnixNano(naive), objtest.Offset(naive), round(naive.timestamp()))
        back = objtest.AddDuration(naive, naive - naive)
        print(back.utcoffset().total_seconds(), back.replace(tzinfo=None) == naive)
        """
    )
    env = dict(os.environ, TZ="Asia/Tokyo", GOFFI_CACHE_DIR=str(session_cache), GOFFI_VERBOSE="0")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    tokyo_2000 = 946684800 - 9 * 3600
    assert done.stdout.splitlines() == [f"{tokyo_2000 * 10**9} 32400 {tokyo_2000}", "32400.0 True"]


# ---------------------------------------------------------------------------- stubs and docs


def _stub(objtest: ModuleType) -> ast.Module:
    return ast.parse(Path(objtest.__file__).with_suffix(".pyi").read_text())


def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}


def _sig(fn: ast.FunctionDef) -> str:
    return f"({ast.unparse(fn.args)}) -> {ast.unparse(fn.returns) if fn.returns else ''}"


def _methods(cls: ast.ClassDef) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in cls.body if isinstance(n, ast.FunctionDef)}


def _member_names(cls: ast.ClassDef) -> set[str]:
    """Methods, properties and annotated attributes declared in a stub class."""
    names = set(_methods(cls))
    names |= {
        n.target.id for n in cls.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }
    return names


def test_stub_declares_classes(objtest: ModuleType) -> None:
    classes = _classes(_stub(objtest))
    for name in ("Point", "Segment", "Base", "Counter", "Derived", "Resource", "Square", "Circle", "Shape"):
        assert name in classes, name


def test_stub_declares_exception_classes(objtest: ModuleType) -> None:
    classes = _classes(_stub(objtest))
    for name in ("ErrNotFound", "ErrBusy", "ErrClosed", "ValidationError"):
        bases = [ast.unparse(b) for b in classes[name].bases]
        assert any("GoError" in b for b in bases), (name, bases)


def test_stub_types_methods_and_fields(objtest: ModuleType) -> None:
    classes = _classes(_stub(objtest))
    assert _sig(_methods(classes["Point"])["Add"]) == "(self, q: Point) -> Point"
    inc = _methods(classes["Counter"])["Inc"]
    assert [a.arg for a in inc.args.posonlyargs + inc.args.args] == ["self"]
    assert inc.returns is not None and ast.unparse(inc.returns) == "int"
    counter = _member_names(classes["Counter"])
    assert "Name" in counter  # a property or an annotated attribute
    assert "mu" not in counter and "n" not in counter
    derived = _member_names(classes["Derived"])
    assert {"ID", "Describe", "Extra", "Secret"} <= derived  # ID and Describe promoted from Base


def test_stub_types_functions(objtest: ModuleType) -> None:
    tree = _stub(objtest)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    # A Go pointer result may be nil, but every return of NewCounter is &Counter{...}.
    assert _sig(defs["NewCounter"]) == "(name: str) -> Counter"
    assert _sig(defs["CounterName"]) == "(c: Counter | None) -> str"
    assert _sig(defs["Find"]) == "(key: str) -> str"
    assert _sig(defs["Maybe"]) == "(n: int | None) -> int | None"
    assert _sig(defs["MaybePoint"]) == "(p: Point | None) -> Point | None"
    # ptrtest's Square and Circle records have Shape's methods: Go accepts them (issue 10).
    assert _sig(defs["Describe"]) == "(s: Shape | _m_ptrtest.Circle | _m_ptrtest.Square | None) -> str"
    add = _sig(defs["AddDuration"])
    # A time.Time result is time.Time's value class (a datetime subclass); any datetime passes in.
    assert "t: datetime.datetime, d: datetime.timedelta" in add and add.endswith("-> _m_time.Time"), add


def test_docstrings_carry_go_docs(objtest: ModuleType) -> None:
    assert "Counter is a named, goroutine-safe counter." in objtest.Counter.__doc__
    assert "Inc adds one and returns the new value." in objtest.Counter.Inc.__doc__
    assert "Point is a position on a grid." in objtest.Point.__doc__
    assert "ErrNotFound is returned by Find for unknown keys." in objtest.ErrNotFound.__doc__


def test_stub_type_checks_with_mypy(objtest: ModuleType, tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    snippet = tmp_path / "use_objects.py"
    snippet.write_text(
        textwrap.dedent(
            """\
            from gopkgs import objtest

            c: objtest.Counter = objtest.Counter(Name="x")
            n: int = c.Inc() + len(c)
            name: str = c.Name
            p: objtest.Point = objtest.Point(X=1, Y=2).Add(objtest.Point())
            objtest.NewCounter(5)
            """
        ).replace("from gopkgs import", f"from {objtest.__name__.rpartition('.')[0]} import")
    )
    errors, output = mypy_errors(snippet, objtest, tmp_path)
    assert len(errors) == 1, output
    assert "use_objects.py:7:" in errors[0], errors[0]


# ---------------------------------------------------------------------------- goffi inspect


@pytest.fixture(scope="module")
def objtest_report(session_cache: Path) -> dict[str, Any]:
    """`goffi inspect --json` of tests/gopkgs/objtest: its one package's report."""
    return inspect_report(session_cache, GO_TEST_PACKAGES / "objtest", "example.com/objtest")


def _entry(report: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    (entry,) = [s for s in report["symbols"] if s["kind"] == kind and s["name"] == name]
    return entry


def test_inspect_bridges_all_of_objtest(objtest_report: dict[str, Any]) -> None:
    skipped = [
        (s["kind"], s["name"], s.get("reason")) for s in objtest_report["symbols"] if s["status"] == "skipped"
    ]
    assert skipped == []
    assert objtest_report["summary"]["skipped"] == 0


def test_inspect_says_record(objtest_report: dict[str, Any]) -> None:
    item = _entry(objtest_report, "type", "Base")
    assert item["status"] == "bridged"
    assert "record" in json.dumps(item)
    # Point's fields all copy, but Go shares it by pointer (issue 10): Go's memory.
    point = json.dumps(_entry(objtest_report, "type", "Point"))
    assert "Go shares it by pointer" in point and "func objtest.MaybePoint" in point, point


def test_inspect_says_handle_and_names_the_field(objtest_report: dict[str, Any]) -> None:
    counter = json.dumps(_entry(objtest_report, "type", "Counter"))
    assert "handle" in counter
    assert re.search(r"\bmu\b", counter), counter
    derived = json.dumps(_entry(objtest_report, "type", "Derived"))
    assert "handle" in derived
    assert re.search(r"\bprivate\b", derived), derived


def test_inspect_shows_time_as_datetime(objtest_report: dict[str, Any]) -> None:
    add = _entry(objtest_report, "func", "AddDuration")
    assert add["status"] == "bridged"
    assert "timedelta" in add["python"] and "datetime" in add["python"]
