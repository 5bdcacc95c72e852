"""Which slices Go writes into (issue 16, item 1: the mutation analysis).

goffi.mutation follows every slice parameter through the Go program (SSA, with
golang.org/x/tools/go/ssa) and says whether Go may write into its memory during the call
or keep it. tests/gopkgs/mutationtest plants functions that write in every way the
analysis must see (directly, via copy, through a helper, a closure, a goroutine, a
generic body, a method, append in place, unsafe, an unknown func or interface), keep the
slice in a global, or only read it. A read-only []byte takes `bytes` without a copy: Go's
own address of its slice (DataPtr) is the oracle for that.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import GO_TEST_PACKAGES
from goffi.build import Progress, plan_specs
from goffi.inspect import report
from goffi.mutation import (
    MODFILES,
    TOOL_DIR,
    MutationAnalysis,
    analyse_mutation,
    has_slice_params,
    modfile_for,
    parse_mutation,
)
from goffi.plan import BundlePlan, FuncPlan, plan_bundle
from goffi.surface.model import Field, Func, Method, NamedType, Package, Param, Surface, TypeRef
from goffi.toolchain import GoToolchain, find_go, parse_go_version
from goffi.workspace import parse_spec

MUTATIONTEST = GO_TEST_PACKAGES / "mutationtest"

# Planted function -> (parameter, whether Go may write into it, a word of the evidence).
WRITERS = {
    "WriteDirect": ("b", "written in example.com/mutationtest.WriteDirect"),
    "WriteCopy": ("b", "copy's destination"),
    "WriteHelper": ("b", "passed to example.com/mutationtest.fill"),
    "WriteClosure": ("b", "captured by a closure"),
    "WriteGoroutine": ("b", "captured by a closure"),
    "KeepGlobal": ("b", "stored in the global retained"),
    "WriteSink": ("b", "interface method example.com/mutationtest.Sink.Write"),
    "WriteFunc": ("b", "passed to a func value"),
    "WriteAppend": ("b", "appended to"),
    "WriteUnsafe": ("b", "written in example.com/mutationtest.WriteUnsafe"),
    "WriteGeneric": ("b", "example.com/mutationtest.zero"),
    "WriteMethod": ("b", "Fill"),
    "Filler.Fill": ("b", "example.com/mutationtest.fill"),
    "SortInts": ("xs", "slices.Sort"),
    "WritePtr": ("b", "written in"),
}
READERS = {
    "SumBytes": ("b",),
    "Len": ("b",),
    "Equal": ("a", "b"),
    "Digest": ("b",),  # hash.Hash.Write: io.Writer's contract
    "CRC": ("b",),  # crc32.ChecksumIEEE, through its func variable and assembly
    "WriteTo": ("b",),  # io.Writer.Write
    "SumInts": ("xs",),
    "DataPtr": ("b",),
    "Counter.Add": ("b",),
}
# Whether Go may keep the slice past the call (both analyses: either proving "not kept"
# is enough).
KEPT = {
    "KeepGlobal": True,
    "WriteGoroutine": True,
    "WriteFunc": True,
    "WriteSink": True,
    "WriteDirect": False,
}
KEPT.update({name: False for name in READERS if name != "WriteTo"})


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> BundlePlan:
    work = tmp_path_factory.mktemp("mutation-plan")
    specs = [parse_spec(s) for s in (str(MUTATIONTEST), "hash/crc32", "crypto/sha256", "bytes", "sort")]
    return plan_specs(specs, work, find_go(), session_cache, Progress(False))


def _funcs(plan: BundlePlan, path: str) -> dict[str, FuncPlan]:
    (pkg,) = [p for p in plan.packages if p.path == path]
    out = {f.go_name: f for f in pkg.funcs}
    out.update({f"{c.key.rsplit('.', 1)[1]}.{m.go_name}": m for c in pkg.classes for m in c.methods})
    return out


def test_every_planted_verdict(plan: BundlePlan) -> None:
    funcs = _funcs(plan, "example.com/mutationtest")
    for name, (param, evidence) in WRITERS.items():
        (p,) = [p for p in funcs[name].params if p.go_name == param]
        assert p.writes, (name, p.writes_why)
        assert evidence in p.writes_why, (name, p.writes_why)
    for name, params in READERS.items():
        for param in params:
            (p,) = [p for p in funcs[name].params if p.go_name == param]
            assert not p.writes, (name, p.writes_why)
    for name, kept in KEPT.items():
        for p in funcs[name].params:
            if p.type.shape in ("bytes", "slice"):
                assert p.kept == kept, (name, p.kept_why)
    # The compiler cannot see through crc32's func variable; the SSA analysis can.
    (crc,) = funcs["CRC"].params
    assert crc.kept_why.startswith("not kept: the SSA analysis followed every use"), crc.kept_why
    # A read-only slice is not copied back; a written one is.
    assert not funcs["SumInts"].params[0].writes_back and funcs["SortInts"].params[0].writes_back


def test_method_verdict_is_the_methods_own(plan: BundlePlan) -> None:
    """A value method is in both T's and *T's method set: its verdict is the method's own
    (the same in every run), not that of the (*T) wrapper Go generates, and functions are
    named as Go names them."""
    (p,) = _funcs(plan, "example.com/mutationtest")["Filler.Fill"].params
    assert p.writes_why == (
        "passed to example.com/mutationtest.fill in (example.com/mutationtest.Filler).Fill "
        "(mutationtest.go:105), which writes it: written in example.com/mutationtest.fill "
        "(mutationtest.go:36)"
    )


def test_stdlib_verdicts(plan: BundlePlan) -> None:
    """Real packages: hashes and searches only read; sort and hex.Encode's dst write."""
    crc, sha, by, srt = (_funcs(plan, p) for p in ("hash/crc32", "crypto/sha256", "bytes", "sort"))
    read_only = [
        crc["ChecksumIEEE"].params[0],
        sha["Sum256"].params[0],
        *by["Equal"].params,
        *by["Index"].params,
        *by["Contains"].params,
        by["ToUpper"].params[0],  # returns a new slice: its input is only read
        *by["HasPrefix"].params,
        by["Buffer.Write"].params[0],
        srt["IntsAreSorted"].params[0],
    ]
    for p in read_only:
        assert not p.writes, p.writes_why
    assert not crc["ChecksumIEEE"].params[0].kept and not sha["Sum256"].params[0].kept
    for p in (srt["Ints"].params[0], srt["Float64s"].params[0], by["Reader.Read"].params[0]):
        assert p.writes, p.writes_why
    assert not srt["IntsAreSorted"].params[0].writes_back and srt["Ints"].params[0].writes_back


def test_inspect_shows_the_verdicts(plan: BundlePlan) -> None:
    (pkg,) = [r for r in report(plan) if r.path == "example.com/mutationtest"]
    entries = {e.name: e for e in pkg.entries}
    assert dict(entries["SumBytes"].mutation) == {"b": "read-only: Go does not write into it (read only)"}
    assert dict(entries["WriteCopy"].mutation)["b"].startswith("Go may write into it (copy's destination in ")
    assert entries["SumBytes"].to_json()["mutation"] == {
        "b": "read-only: Go does not write into it (read only)"
    }


def test_read_only_bytes_cross_without_a_copy(session_cache: Path) -> None:
    """A read-only []byte Go does not keep is the bytes object's own memory (Go's address
    of its slice is the bytes object's buffer); one Go writes into is a copy, and the
    bytes object never changes; writable buffers get Go's writes as before."""
    code = f"""
        import array, ctypes, gc, hashlib, zlib
        import goffi
        zero_copy = ["example.com/mutationtest.FloatsPtr", "example.com/mutationtest.ScaleInPlace"]
        m = goffi.load({str(MUTATIONTEST)!r}, zero_copy=zero_copy)
        b = bytes(range(256)) * 64
        addr = ctypes.cast(ctypes.c_char_p(b), ctypes.c_void_p).value
        assert m.DataPtr(b) == addr
        assert m.DataPtr(memoryview(b)) == addr            # any read-only buffer
        assert m.DataPtr(memoryview(b)[16:]) == addr + 16
        assert m.WritePtr(b) != addr and b[0] == 0         # a writer gets a copy
        for name in ("WriteDirect", "WriteCopy", "WriteHelper", "WriteClosure", "WriteGoroutine",
                     "WriteAppend", "WriteUnsafe", "WriteGeneric", "WriteMethod"):
            frozen, target = b"abcdef", bytearray(b"abcdef")
            getattr(m, name)(frozen)
            getattr(m, name)(target)
            assert frozen == b"abcdef", name
            assert target != bytearray(b"abcdef"), name    # Go's writes land in the bytearray
        assert m.SumBytes(b) == sum(b) and m.Len(b) == len(b) and m.Equal(b, bytes(b))
        assert m.CRC(b) == zlib.crc32(b) and m.Digest(b) == hashlib.sha256(b).digest()
        m.KeepGlobal(bytes(b"kept"))                       # kept: Go's own copy
        gc.collect()
        assert m.Retained() == b"kept"
        xs = [3, 1, 2]
        m.SortInts(xs)
        assert xs == [1, 2, 3]
        assert m.SumInts(array.array("q", [1, 2, 3])) == 6
        assert m.Counter().Add(b"\\x01\\x02") == 3
        # zero_copy= numeric slices: a read-only buffer is viewed where Go only reads.
        xs = array.array("d", [1.0, 2.0])
        ro = memoryview(xs).toreadonly()
        xs_addr = xs.buffer_info()[0]
        assert m.FloatsPtr(ro) == xs_addr
        assert m.ScaleInPlace(ro) != xs_addr and xs.tolist() == [1.0, 2.0]
        assert m.ScaleInPlace(xs) == xs_addr and xs.tolist() == [2.0, 4.0]
        print("ok")
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=dict(os.environ, GOFFI_CACHE_DIR=str(session_cache), GOEXPERIMENT="cgocheck2"),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == "ok\n"


def test_without_the_analysis_every_slice_may_be_written() -> None:
    """The tool's own problem (packages that do not load) leaves every verdict unknown."""
    a = parse_mutation('{"funcs": {}, "problem": "no such package"}')
    assert a.problem.endswith("no such package") and a.param("p.F", 0) is None
    b = parse_mutation('{"funcs": {"p.F": [null, {"writes": false, "why": "read only", "kept": false}]}}')
    assert b.param("p.F", 0) is None
    v = b.param("p.F", 1)
    assert v is not None and not v.writes and not v.kept and v.returned  # unknown: returned


def _surface(*funcs: Func, named: tuple[NamedType, ...] = ()) -> Surface:
    pkg = Package(path="example.com/s", name="s", funcs=funcs, types=tuple(n.key for n in named))
    return Surface(go_version="go1.26", packages=(pkg,), named={n.key: n for n in named})


def test_no_slice_parameter_no_analysis(tmp_path: Path) -> None:
    """Without a slice parameter (the only kind the plan reads verdicts of), the analysis
    is not run (it costs seconds of a rebuild) and the plan is the same as with any verdicts."""
    i64 = TypeRef("basic", name="int64")
    point = NamedType(
        "example.com/s",
        "Point",
        TypeRef("struct", fields=(Field("X", i64, True),)),
        methods=(Method("Scale", (Param("k", i64),), (Param("", i64),)),),
    )
    add = Func("Add", (Param("a", i64), Param("b", i64)), (Param("", i64),))
    surface = _surface(add, named=(point,))
    assert not has_slice_params(surface)
    # Not run: the workdir does not exist, which the tool could not have run in.
    missing = tmp_path / "missing"
    assert analyse_mutation(surface, missing, find_go(), tmp_path, {}) == MutationAnalysis()
    plans = [
        plan_bundle(surface, "s", mutation=m)
        for m in (MutationAnalysis(), MutationAnalysis(problem="not run"), parse_mutation('{"funcs": {}}'))
    ]
    assert plans[0] == plans[1] == plans[2]


@pytest.mark.parametrize(
    "param",
    [
        TypeRef("slice", elem=TypeRef("basic", name="uint8", alias="byte")),
        TypeRef("named", pkg="example.com/s", name="Bytes"),  # type Bytes []byte
        TypeRef("named", pkg="other.com/x", name="Unknown"),  # not in the surface: counts
        TypeRef("typeparam", name="T"),  # may be instantiated with a slice
    ],
    ids=["slice", "named-slice", "unknown-named", "typeparam"],
)
def test_a_slice_parameter_is_analysed(param: TypeRef) -> None:
    u8 = TypeRef("basic", name="uint8", alias="byte")
    byts = NamedType("example.com/s", "Bytes", TypeRef("slice", elem=u8))
    assert has_slice_params(_surface(Func("F", (Param("p", param),), ()), named=(byts,)))
    # ... in a method too
    holder = NamedType(
        "example.com/s", "H", TypeRef("struct"), methods=(Method("M", (Param("p", param),), ()),)
    )
    assert has_slice_params(_surface(named=(byts, holder)))


def test_promoted_and_implicit_methods() -> None:
    """Only what the tool gives verdicts on counts: a slice in a method of an implicit
    package's type (io.Reader's Read) does not; one promoted through an embedded field does."""
    u8 = TypeRef("basic", name="uint8", alias="byte")
    reader = NamedType(
        "io",
        "Buf",
        TypeRef("struct"),
        methods=(Method("Read", (Param("p", TypeRef("slice", elem=u8)),), ()),),
    )
    plain = NamedType("example.com/s", "Plain", TypeRef("struct"))
    surface = Surface(
        go_version="go1.26",
        packages=(
            Package(path="example.com/s", name="s", types=("example.com/s.Plain",)),
            Package(path="io", name="io", types=("io.Buf",)),
        ),
        named={"example.com/s.Plain": plain, "io.Buf": reader},
        requested=("example.com/s",),
    )
    assert not has_slice_params(surface)
    embeds = NamedType(
        "example.com/s",
        "Plain",
        TypeRef(
            "struct",
            fields=(
                Field(
                    "Buf",
                    TypeRef("pointer", elem=TypeRef("named", pkg="io", name="Buf")),
                    True,
                    embedded=True,
                ),
            ),
        ),
    )
    assert has_slice_params(
        dataclasses.replace(surface, named={**surface.named, "example.com/s.Plain": embeds})
    )


@pytest.mark.parametrize(
    ("version", "modfile"),
    [
        ("go1.24.0", "go1.24.mod"),
        ("go1.24.11", "go1.24.mod"),
        ("go1.25.5", "go1.24.mod"),
        ("go1.26rc1", "go.mod"),
        ("go1.26.8", "go.mod"),
        ("go1.27.3", "go.mod"),
        ("devel go1.27-abcdef Tue Jan 1", "go.mod"),
        ("devel +abcdef", "go.mod"),  # tip, naming no release
    ],
)
def test_tool_go_mod_per_go_release(version: str, modfile: str) -> None:
    tc = GoToolchain(go=Path("/nowhere/go"), version=version, goroot=Path("/nowhere"))
    assert modfile_for(tc) == modfile


def test_each_tool_go_mod_builds_with_the_oldest_go_it_is_for() -> None:
    """Every go.mod variant asks for no newer Go than the oldest toolchain that builds with
    it (goffi runs Go with GOTOOLCHAIN=local, so a newer `go` line fails the build), pins
    golang.org/x/tools, and has its go.sum; the oldest covers the oldest Go goffi accepts."""
    from goffi.toolchain import MIN_GO

    assert MODFILES[-1][0] == MIN_GO
    assert [v for v, _ in MODFILES] == sorted((v for v, _ in MODFILES), reverse=True)
    for oldest, name in MODFILES:
        text = (TOOL_DIR / name).read_text()
        (go_line,) = [line for line in text.splitlines() if line.startswith("go ")]
        assert parse_go_version("go" + go_line.split()[1]) <= oldest, (name, go_line)
        assert "golang.org/x/tools v0." in text, name
        tools = text.split("golang.org/x/tools ")[1].split()[0]
        go_sum = (TOOL_DIR / name).with_suffix(".sum").read_text()
        assert f"golang.org/x/tools {tools} h1:" in go_sum, name
