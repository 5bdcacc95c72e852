"""Analyses a package does not need are not run (issue 14, item 3: the edit loop).

goffi.signatures decides whether a package's signatures ask the escape analysis (a
parameter that may share memory) or the decode scan (an any or map parameter, a result
that may be nil) anything. A package whose every parameter and result is plain (bools,
numbers, strings, named types of them) asks neither, and its rendered bundle must be
byte-identical with and without them: the test runs both analyses for real (Go's
compiler, the extractor's scan) and compares the rendered sources.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from goffi.analysis import MemoryAnalysis, analyse_memory
from goffi.build import BUILD_FLAGS, Progress, build_env, prepare_surface
from goffi.decoding import DecodeAnalysis, analyse_decodes
from goffi.plan import plan_bundle
from goffi.render import render_bundle
from goffi.signatures import plain_params, plain_signatures
from goffi.surface.model import Field, Func, Method, NamedType, Package, Param, Surface, TypeRef
from goffi.toolchain import find_c_compiler, find_go, python_include_dir
from goffi.workspace import parse_spec

_PLAIN = """package edit

import "strings"

// Celsius is a temperature.
type Celsius float64

// F is it in Fahrenheit.
func (c Celsius) F() Celsius { return c*9/5 + 32 }

// Point is a record.
type Point struct{ X, Y int64 }

// Greet says hello.
func Greet(name string, loud bool) string {
	if loud {
		return "HELLO, " + strings.ToUpper(name)
	}
	return "hello, " + name
}

// Add adds.
func Add(a, b int64) int64 { return a + b + 0 }

// Warm warms.
func Warm(c Celsius, by float32) Celsius { return c + Celsius(by) }

// Norm1 is |X| + |Y|.
func (p Point) Norm1() int64 { return abs(p.X) + abs(p.Y) }

// Scale scales.
func (p *Point) Scale(k int64) { p.X *= k; p.Y *= k }

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
"""

# Each asks something: a []byte Go keeps, an any Go decodes into, a result never nil.
_ASKING = {
    "bytes": "var kept []byte\n\n// Keep keeps b.\nfunc Keep(b []byte) { kept = b }\n",
    "any": (
        'import "reflect"\n\n// Fill fills v.\nfunc Fill(v any) bool {\n\tif reflect.ValueOf(v).Kind() != '
        "reflect.Pointer {\n\t\treturn false\n\t}\n\treturn true\n}\n"
    ),
    "pointer-result": "// T is a type.\ntype T struct{ n int }\n\n// New makes one.\nfunc New() *T { return &T{} }\n",
}


def _surface_of(tmp_path: Path, source: str, cache: Path) -> tuple[Surface, Path]:
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "go.mod").write_text("module example.com/edit\n\ngo 1.24\n")
    (mod / "edit.go").write_text(source)
    work = tmp_path / "work"
    surface = prepare_surface([parse_spec(str(mod))], work, find_go(), cache, Progress(False))
    return surface, work


def test_plain_package_skips_the_analyses_and_renders_the_same(
    tmp_path: Path, session_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toolchain = find_go()
    surface, work = _surface_of(tmp_path, _PLAIN, session_cache)
    assert plain_params(surface) and plain_signatures(surface)
    env = build_env(toolchain, find_c_compiler(), python_include_dir())
    # Skipped: no Go runs (the workdir given does not exist, where Go could not have run).
    missing = tmp_path / "missing"
    assert analyse_memory(surface, missing, toolchain, env, BUILD_FLAGS) == MemoryAnalysis()
    assert analyse_decodes(surface, missing, toolchain, session_cache, {}) == DecodeAnalysis()
    skipped = render_bundle(
        plan_bundle(surface, "edit", memory=MemoryAnalysis(), decodes=DecodeAnalysis()), "k"
    )
    # Run for real, as if the package asked.
    monkeypatch.setattr("goffi.analysis.plain_params", lambda s: False)
    monkeypatch.setattr("goffi.decoding.plain_signatures", lambda s: False)
    memory = analyse_memory(surface, work, toolchain, env, BUILD_FLAGS)
    decodes = analyse_decodes(surface, work, toolchain, session_cache, {"GOFLAGS": "-mod=mod"})
    assert not memory.problem and not decodes.problem
    # The compiler did report on these parameters (so the comparison compares something).
    assert memory.param("example.com/edit.Greet", 0) is not None
    assert memory.param("example.com/edit.Greet", 0).analysed  # type: ignore[union-attr]
    ran = render_bundle(plan_bundle(surface, "edit", memory=memory, decodes=decodes), "k")
    assert ran.go_files == skipped.go_files
    assert ran.python_files == skipped.python_files


@pytest.mark.parametrize("kind", list(_ASKING))
def test_a_package_that_asks_is_analysed(tmp_path: Path, session_cache: Path, kind: str) -> None:
    """An edit that adds one asking signature to the plain package brings the analyses back."""
    toolchain = find_go()
    source = _ASKING[kind]
    if source.startswith("import"):
        head, _, rest = source.partition("\n\n")
        text = _PLAIN.replace('import "strings"', f'import "strings"\n{head}') + "\n" + rest
    else:
        text = _PLAIN + "\n" + source
    surface, work = _surface_of(tmp_path, text, session_cache)
    env = build_env(toolchain, find_c_compiler(), python_include_dir())
    memory = analyse_memory(surface, work, toolchain, env, BUILD_FLAGS)
    decodes = analyse_decodes(surface, work, toolchain, session_cache, {"GOFLAGS": "-mod=mod"})
    assert not memory.problem and not decodes.problem
    if kind == "bytes":
        assert not plain_params(surface)
        fact = memory.param("example.com/edit.Keep", 0)
        assert fact is not None and fact.to_heap, memory
        plan = plan_bundle(surface, "edit", memory=memory, decodes=decodes)
        (keep,) = [f for p in plan.packages for f in p.funcs if f.go_name == "Keep"]
        assert keep.params[0].kept and "leaking param" in keep.params[0].kept_why
    elif kind == "any":
        assert not plain_params(surface) and not plain_signatures(surface)
        assert decodes.why("example.com/edit.Fill", 0), decodes
    else:
        assert plain_params(surface) and not plain_signatures(surface)
        assert memory == MemoryAnalysis()  # its parameters are all plain
        assert decodes.never_nil("example.com/edit.New", 0), decodes


def _surface(*funcs: Func, named: tuple[NamedType, ...] = ()) -> Surface:
    pkg = Package(path="example.com/s", name="s", funcs=funcs, types=tuple(n.key for n in named))
    return Surface(go_version="go1.26", packages=(pkg,), named={n.key: n for n in named})


I64 = TypeRef("basic", name="int64")


@pytest.mark.parametrize(
    "ref",
    [
        TypeRef("basic", name="unsafe.Pointer"),
        TypeRef("slice", elem=TypeRef("basic", name="string")),  # ...string too
        TypeRef("named", pkg="context", name="Context"),  # not in the surface
        TypeRef("named", pkg="example.com/s", name="Bytes"),  # type Bytes []byte
        TypeRef("typeparam", name="T"),
        TypeRef("interface"),
        TypeRef("pointer", elem=I64),
        TypeRef("map", key=I64, elem=I64),
    ],
    ids=["unsafe", "slice", "unknown-named", "named-slice", "typeparam", "any", "pointer", "map"],
)
def test_what_is_not_plain(ref: TypeRef) -> None:
    byts = NamedType("example.com/s", "Bytes", TypeRef("slice", elem=TypeRef("basic", name="uint8")))
    param = _surface(Func("F", (Param("p", ref),), ()), named=(byts,))
    assert not plain_params(param) and not plain_signatures(param)
    result = _surface(Func("F", (), (Param("", ref),)), named=(byts,))
    assert plain_params(result) and not plain_signatures(result)
    # ... in a method, and in a method promoted through an embedded field
    holder = NamedType(
        "example.com/s", "H", TypeRef("struct"), methods=(Method("M", (Param("p", ref),), ()),)
    )
    assert not plain_params(_surface(named=(byts, holder)))
    outer = NamedType(
        "example.com/s",
        "O",
        TypeRef("struct", fields=(Field("H", TypeRef("named", pkg="example.com/s", name="H"), True, True),)),
    )
    surface = _surface(named=(byts, outer))
    assert not plain_params(surface)  # H is not among the package's types: unknown counts
    surface = Surface(
        go_version="go1.26",
        packages=(
            Package(path="example.com/s", name="s", types=("example.com/s.O",)),
            Package(path="other", name="other", types=("example.com/s.H",)),
        ),
        named={n.key: n for n in (byts, outer, holder)},
        requested=("example.com/s",),
    )
    assert not plain_params(surface)
