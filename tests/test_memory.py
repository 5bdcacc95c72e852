"""Memory Go may keep (issue 11, item 0: no use after the call).

goffi lends some arguments' memory for the call only (a []byte view of a Python buffer,
or a copy in the call's arena). Go's own escape analysis (goffi.analysis) decides, per
parameter, whether Go may keep it after the call; where it may, Go gets a Go-allocated
copy. tests/gopkgs/keeptest plants functions that keep their argument in every way
escape analysis tells apart, and some that do not.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import GO_TEST_PACKAGES, inspect_report
from goffi.analysis import _parse_header, parse_diagnostics
from goffi.build import Progress, plan_specs
from goffi.inspect import report
from goffi.plan import BundlePlan
from goffi.toolchain import find_go
from goffi.workspace import parse_spec

KEEPTEST = GO_TEST_PACKAGES / "keeptest"

# Each planted function's []byte parameter: whether Go may keep it, and the compiler's words.
EXPECTED = {
    "KeepGlobal": (True, "leaking param: b"),  # stored in a package variable
    "NewHolder": (True, "leaking param: b"),  # stored in the struct it returns (a handle)
    "Reader": (True, "leaking param: b"),  # bytes.NewReader keeps it
    "FillKept": (True, "leaking param: b"),
    "ToInterface": (True, "leaking param: b"),  # an interface method: unknown code
    "WriteTo": (True, "leaking param: b"),  # io.Writer.Write, through an interface value
    "Holder.Set": (True, "leaking param: b"),  # a method storing it in its receiver
    "Joined": (True, "leaking param content: parts"),  # keeps one of the slices
    "Tail": (False, "leaking param: b to result ~r0 level=0, a result goffi copies"),  # a subslice
    "Sum": (False, "b does not escape"),
    "Fill": (False, "b does not escape"),
    "Holder.Count": (False, "b does not escape"),
    "Lens": (False, "parts does not escape"),
}


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> BundlePlan:
    work = tmp_path_factory.mktemp("keep-plan")
    return plan_specs([parse_spec(str(KEEPTEST))], work, find_go(), session_cache, Progress(False))


def test_each_planted_function_gets_the_compilers_verdict(plan: BundlePlan) -> None:
    (pkg,) = [r for r in report(plan) if r.path == "example.com/keeptest"]
    memory = {e.name: dict(e.memory) for e in pkg.entries if e.memory}
    for name, (kept, words) in EXPECTED.items():
        (verdict,) = memory[name].values()
        if kept:
            assert verdict == f"Go's own copy: Go may keep it ({words})", name
        else:
            assert verdict == f"lent for the call: Go does not keep it ({words})", name
    # An interface method has no body to analyse: Go may keep what it is given.
    assert memory["Taker.Take"] == {
        "b": "Go's own copy: Go may keep it (an interface method: the implementation is unknown)"
    }
    # Parameters that never share memory with Python (an int, a string) have no verdict.
    assert "Kept" not in memory and set(memory["Fill"]) == {"b"}


def test_documented_contracts_lend_and_unanalysed_packages_copy(plan: BundlePlan) -> None:
    """io.Writer.Write must not retain p (io's documented contract); bytes.Reader's
    methods are in a package the bundle did not ask for, so nothing is known: copied."""
    io = {e.name: dict(e.memory) for r in report(plan) if r.path == "io" for e in r.entries if e.memory}
    assert io["Writer.Write"] == {
        "p": "lent for the call: Go does not keep it (io's contract: implementations must not retain p)"
    }
    by = {e.name: dict(e.memory) for r in report(plan) if r.path == "bytes" for e in r.entries if e.memory}
    assert by["Reader.Read"] == {"b": "Go's own copy: Go may keep it (no escape analysis for this function)"}


def test_inspect_json_shows_the_verdict(session_cache: Path) -> None:
    pkg = inspect_report(session_cache, KEEPTEST, "example.com/keeptest")
    symbols = {s["name"]: s for s in pkg["symbols"]}
    assert symbols["KeepGlobal"]["memory"] == {"b": "Go's own copy: Go may keep it (leaking param: b)"}
    assert symbols["Sum"]["memory"] == {"b": "lent for the call: Go does not keep it (b does not escape)"}
    assert "memory" not in symbols["Kept"]


def test_header_positions_match_the_compilers() -> None:
    """Parameter names are found at the byte columns Go reports (tabs, comments, grouped
    names, multi-line lists, receivers and type parameters)."""
    src = (
        b"package p\n\n"
        b'func (h *T) M(a, b []byte, /* c */ c struct{ X int `json:"x,"` },\n'
        b"\td ...[]byte) {}\n"
        b"func G[T any](x []T, f func(int) (int, error)) {}\n"
        b"func U([]byte, io.Reader) {}\n"
    )
    starts = [0] + [i + 1 for i, c in enumerate(src) if c == 0x0A]
    assert _parse_header(src, starts, 3) == (
        ("h", (3, 7)),
        [("a", (3, 15)), ("b", (3, 18)), ("c", (3, 36)), ("d", (4, 2))],
    )
    assert _parse_header(src, starts, 5) == (None, [("x", (5, 15)), ("f", (5, 22))])
    assert _parse_header(src, starts, 6) == (None, [("", None), ("", None)])
    diags = parse_diagnostics("# example.com/p\nexample.com/p/p.go:3:15: a does not escape\nnoise\n")
    assert diags == {("example.com/p", "p.go", 3, 15): ["a does not escape"]}


def test_kept_bytes_outlive_the_call_under_cgocheck2(session_cache: Path) -> None:
    """The issue's test: a bytes.NewReader and a bytes.NewBuffer of Python memory read
    after the call, after Python dropped the buffer and after both collectors ran, under
    Go's strict cgo pointer checks; and gzip reads Python-made data through
    bytes.NewReader. Go's writes into a kept []byte still reach the caller's buffer."""
    code = f"""
        import gc, gzip
        import goffi
        kt, bytes_, io, gz, _ = goffi.load({str(KEEPTEST)!r}, "bytes", "io", "compress/gzip", "time")

        def collect():
            gc.collect()
            kt.CollectGarbage()
            return [bytes(4096) for _ in range(2000)]  # reuse freed memory

        data = bytes(range(256)) * 64
        b = bytes(bytearray(data))  # a fresh object, freed by the del below
        reader = bytes_.NewReader(b)
        ba = bytearray(data)
        buffer = bytes_.NewBuffer(ba)
        del b, ba
        junk = collect()
        assert io.ReadAll(reader) == data
        assert io.ReadAll(buffer) == data

        payload = b"goffi gzip round trip " * 1000
        packed = gzip.compress(payload)
        unpacker = gz.NewReader(bytes_.NewReader(packed))
        del packed
        junk = collect()
        assert io.ReadAll(unpacker) == payload

        held = bytearray(b"hello")
        kt.KeepGlobal(held)
        held[:] = b"HELLO"  # Go kept its own copy
        junk = collect()
        assert kt.Kept() == b"hello"
        target = bytearray(4)
        kt.FillKept(target, 7)  # kept and written: the writes come back
        assert target == bytearray([7] * 4) and kt.Kept() == bytes([7] * 4)
        frozen = bytes(4)
        kt.FillKept(frozen, 9)  # a bytes object never changes
        assert frozen == bytes(4) and kt.Kept() == bytes([9] * 4)
        lent = bytearray(3)
        kt.Fill(lent, 2)  # not kept: a view
        assert lent == bytearray([2] * 3) and kt.Tail(b"abc") == b"bc"
        print("ok")
        """
    env = dict(os.environ, GOFFI_CACHE_DIR=str(session_cache), GOEXPERIMENT="cgocheck2")
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == "ok\n"


def test_writes_into_slices_come_back(session_cache: Path) -> None:
    """Issue 9, item 2: Go's writes into a slice argument reach a list (items Go left
    alone keep their identity) or a writable buffer of the items' format; a tuple and a
    read-only buffer stay as they were. Go's own sort.*AreSorted is the oracle."""
    code = """
        import array
        import goffi
        sort = goffi.load("sort")
        ints = [3, 1, 2, 10**30 // 10**12, -5]
        first = ints[3]
        sort.Ints(ints)
        assert sort.IntsAreSorted(ints) and ints == sorted(ints), ints
        floats = [2.5, -1.0, 0.0, 1e300]
        sort.Float64s(floats)
        assert sort.Float64sAreSorted(floats) and floats == [-1.0, 0.0, 2.5, 1e300]
        words = ["pear", "apple", "fig", "été", "Zoo"]
        sort.Strings(words)
        assert sort.StringsAreSorted(words) and words == ["Zoo", "apple", "fig", "pear", "été"]
        same = ["a", "b"]
        kept = same[1]
        sort.Strings(same)
        assert same[1] is kept  # unchanged items are not replaced
        buf = array.array("q", [5, 4, 3])
        sort.Ints(buf)
        assert buf.tolist() == [3, 4, 5]
        frozen = (3, 2, 1)
        sort.Ints(frozen)
        assert frozen == (3, 2, 1)
        readonly = memoryview(array.array("d", [2.0, 1.0])).toreadonly()
        sort.Float64s(readonly)
        assert readonly.tolist() == [2.0, 1.0]
        print("ok")
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=dict(os.environ, GOFFI_CACHE_DIR=str(session_cache)),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == "ok\n"


def test_inspect_says_which_slices_are_written_back(plan: BundlePlan) -> None:
    (pkg,) = [r for r in report(plan) if r.path == "example.com/keeptest"]
    memory = {e.name: dict(e.memory) for e in pkg.entries if e.memory}
    assert memory["SortInts"]["xs"].startswith("Go's own copy, written back")


def test_zero_copy_never_views_a_slice_go_keeps(tmp_path: Path, session_cache: Path) -> None:
    """zero_copy= lends a function's numeric slices only where Go does not keep them: a
    kept one stays copied, and inspect says why (its result is still lent)."""
    zero_plan = plan_specs(
        [parse_spec(str(KEEPTEST))],
        tmp_path,
        find_go(),
        session_cache,
        Progress(False),
        zero_copy=["example.com/keeptest.KeepAndScale"],
    )
    (pkg,) = [r for r in report(zero_plan) if r.path == "example.com/keeptest"]
    entry = {e.name: e for e in pkg.entries}["KeepAndScale"]
    assert entry.python == "KeepAndScale(xs: Sequence[float], k: float) -> memoryview"
    assert dict(entry.memory) == {
        "xs": "Go's own copy, not a view: Go may keep it (leaking param: xs), written back: after the call a "
        "list gets Go's values where they differ, and a writable buffer of the items' format is written over",
    }
