"""Surface extraction against real Go: a small test module and a few stdlib packages."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from goffi.errors import ExtractionError
from goffi.surface import extract, extractor_binary, surface_from_json, surface_to_json
from goffi.surface.model import Const, Func, Package, Param, Surface, TypeRef
from goffi.toolchain import GoToolchain

MOD = "example.com/surfacetest"
DEMO = f"{MOD}/demo"

DEMO_SRC = r"""// Package demo exercises goffi's surface extractor.
package demo

import (
	"io"
	"sync"
)

// Celsius is a temperature.
type Celsius float64

// Fahrenheit converts c.
func (c Celsius) Fahrenheit() float64 { return float64(c)*9/5 + 32 }

// Counter counts things.
type Counter struct {
	// Name labels the counter.
	Name  string
	count int
	io.Reader
	mu    sync.Mutex
}

// Inc adds one.
func (c *Counter) Inc() { c.count++ }

func (c *Counter) reset() { c.count = 0 }

// Value reports the count.
func (c Counter) Value() int { return c.count }

// Shape has an area.
type Shape interface {
	// Area in square units.
	Area() float64
	Scale(f float64) Shape
}

type impl struct{}

// Do does it.
func (impl) Do() {}

func (impl) do() {}

// NewImpl returns an unexported type.
func NewImpl() *impl { return &impl{} }

// Divmod divides.
func Divmod(a, b int) (q, r int, err error) { return a / b, a % b, nil }

// Sum adds xs to base.
func Sum(base int, xs ...int) int {
	for _, x := range xs {
		base += x
	}
	return base
}

// Map applies f to each element.
func Map[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, 0, len(xs))
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// Pair is generic.
type Pair[K comparable, V any] struct {
	Key   K
	Value V
}

// Get returns both halves; its receiver renames the type parameters.
func (p Pair[A, B]) Get() (A, B) { return p.Key, p.Value }

// First makes a pair.
func First() Pair[string, int] { return Pair[string, int]{} }

// Temperature is an alias, which the surface resolves.
type Temperature = Celsius

// Constants of every kind.
const (
	Body    Celsius = 36.6 // Body is typed.
	Answer          = 42
	Huge            = 1 << 100
	Third           = 1.0 / 3
	TooBig          = 1e400
	Raw             = "\xffok"
	Letter          = 'x'
	Cplx            = 1 + 2i
	Yes             = true
	Two     float64 = 2
)

// Default is a package-level var.
var Default Counter

var (
	Ch    <-chan int
	Table map[string][]*Counter
	Bytes [3]byte
	Check func(Shape) error
	Whatever any
	Room  Temperature
)
"""

CGO_SRC = r"""// Package cg uses cgo.
package cg

// #include <stdlib.h>
// static int twice(int x) { return 2 * x; }
import "C"

// T is declared in a cgo file.
type T struct {
	// X is documented.
	X int
}

// Twice doubles x in C.
func Twice(x int) int { return int(C.twice(C.int(x))) }
"""

BAD_SRC = """package bad

func F() int { return "not an int" }
"""


@pytest.fixture(scope="session")
def toolchain() -> GoToolchain:
    go = shutil.which("go")
    if go is None:
        pytest.skip("no go on PATH")

    def goenv(name: str) -> str:
        return subprocess.run([go, "env", name], check=True, capture_output=True, text=True).stdout.strip()

    return GoToolchain(go=Path(go), version=goenv("GOVERSION"), goroot=Path(goenv("GOROOT")))


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("goffi-cache")


@pytest.fixture(scope="session")
def binary(toolchain: GoToolchain, cache_dir: Path) -> Path:
    return extractor_binary(toolchain, cache_dir)


@pytest.fixture(scope="session")
def module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gomod")
    (root / "go.mod").write_text(f"module {MOD}\n\ngo 1.24\n")
    (root / "demo").mkdir()
    (root / "demo" / "demo.go").write_text(DEMO_SRC)
    (root / "cg").mkdir()
    (root / "cg" / "cg.go").write_text(CGO_SRC)
    (root / "bad").mkdir()
    (root / "bad" / "bad.go").write_text(BAD_SRC)
    return root


@pytest.fixture(scope="session")
def surface(module: Path, toolchain: GoToolchain, cache_dir: Path, binary: Path) -> Surface:
    return extract([DEMO, "strings", "strconv", "io"], module, toolchain, cache_dir)


def _pkg(s: Surface, path: str) -> Package:
    return next(p for p in s.packages if p.path == path)


def _func(p: Package, name: str) -> Func:
    return next(f for f in p.funcs if f.name == name)


def _const(p: Package, name: str) -> Const:
    return next(c for c in p.consts if c.name == name)


def _line(needle: str) -> str:
    """The "demo.go:LINE" of the first source line containing needle."""
    for i, line in enumerate(DEMO_SRC.splitlines(), start=1):
        if needle in line:
            return f"demo.go:{i}"
    raise AssertionError(needle)


def _basic(name: str) -> TypeRef:
    return TypeRef(kind="basic", name=name)


def _named(pkg: str, name: str) -> TypeRef:
    return TypeRef(kind="named", pkg=pkg, name=name)


def _param(t: TypeRef) -> Param:
    return Param(name="", type=t)


# ---- the extractor binary ----


def test_binary_is_cached(binary: Path, toolchain: GoToolchain, cache_dir: Path) -> None:
    entry = binary.parent.parent
    assert entry.parent == cache_dir / "tools"
    assert entry.name.startswith(f"extractor-{toolchain.version.replace('.', '_')}-")
    assert (binary.parent / "goffi-manifest.json").is_file()  # its size and SHA-256, checked before use
    mtime = binary.stat().st_mtime_ns
    assert extractor_binary(toolchain, cache_dir) == binary
    assert binary.stat().st_mtime_ns == mtime  # reused, not rebuilt


# ---- the test package ----


def test_package_facts(surface: Surface) -> None:
    assert [p.path for p in surface.packages] == [DEMO, "strings", "strconv", "io"]  # request order
    demo = _pkg(surface, DEMO)
    assert demo.name == "demo"
    assert demo.doc == "Package demo exercises goffi's surface extractor.\n"
    assert not demo.standard
    assert demo.module is not None and demo.module.path == MOD and demo.module.version == ""
    # Exported names only, sorted.
    assert [f.name for f in demo.funcs] == ["Divmod", "First", "Map", "NewImpl", "Sum"]
    # The alias Temperature is resolved, not listed as a type of its own.
    assert demo.types == (f"{DEMO}.Celsius", f"{DEMO}.Counter", f"{DEMO}.Pair", f"{DEMO}.Shape")
    assert [v.name for v in demo.vars] == sorted(v.name for v in demo.vars)
    assert surface.go_version.startswith("go1.")


def test_funcs(surface: Surface) -> None:
    demo = _pkg(surface, DEMO)
    divmod_ = _func(demo, "Divmod")
    assert [(p.name, p.type) for p in divmod_.params] == [("a", _basic("int")), ("b", _basic("int"))]
    assert [(r.name, r.type) for r in divmod_.results] == [
        ("q", _basic("int")),
        ("r", _basic("int")),
        ("err", _named("", "error")),
    ]
    assert divmod_.doc == "Divmod divides.\n"
    assert divmod_.pos == _line("func Divmod")
    assert not divmod_.variadic

    sum_ = _func(demo, "Sum")
    assert sum_.variadic
    assert sum_.params[-1].type == TypeRef(kind="slice", elem=_basic("int"))

    map_ = _func(demo, "Map")
    assert map_.type_params == ("T", "U")
    t = TypeRef(kind="typeparam", name="T")
    u = TypeRef(kind="typeparam", name="U")
    assert map_.params[0].type == TypeRef(kind="slice", elem=t)
    assert map_.params[1].type == TypeRef(kind="func", params=(_param(t),), results=(_param(u),))
    assert map_.results[0].type == TypeRef(kind="slice", elem=u)

    first = _func(demo, "First")
    assert first.results[0].type == TypeRef(
        kind="named", pkg=DEMO, name="Pair", type_args=(_basic("string"), _basic("int"))
    )
    pair = surface.named[f"{DEMO}.Pair"]
    assert pair.type_params == ("K", "V")
    assert [(f.name, f.type.kind) for f in pair.underlying.fields] == [
        ("Key", "typeparam"),
        ("Value", "typeparam"),
    ]
    # The method's receiver calls them A and B; the surface uses the type's own names.
    (get,) = pair.methods
    assert [r.type for r in get.results] == [TypeRef(kind="typeparam", name=n) for n in ("K", "V")]


def test_named_types(surface: Surface) -> None:
    celsius = surface.named[f"{DEMO}.Celsius"]
    assert celsius.underlying == _basic("float64")
    assert celsius.doc == "Celsius is a temperature.\n"
    assert celsius.pos == _line("type Celsius")
    assert [(m.name, m.pointer_receiver) for m in celsius.methods] == [("Fahrenheit", False)]
    assert celsius.methods[0].doc == "Fahrenheit converts c.\n"

    counter = surface.named[f"{DEMO}.Counter"]
    # Exported methods only, sorted, with their receiver kind.
    assert [(m.name, m.pointer_receiver) for m in counter.methods] == [("Inc", True), ("Value", False)]
    assert counter.methods[0].pos == _line("func (c *Counter) Inc")
    fields = counter.underlying.fields
    assert [(f.name, f.exported, f.embedded) for f in fields] == [
        ("Name", True, False),
        ("count", False, False),
        ("Reader", True, True),
        ("mu", False, False),
    ]
    assert fields[0].doc == "Name labels the counter.\n"
    assert fields[2].type == _named("io", "Reader")
    assert fields[3].type == _named("sync", "Mutex")
    # Reached through the exported embedded field; sync.Mutex only through an unexported one.
    assert "io.Reader" in surface.named
    assert "sync.Mutex" not in surface.named

    shape = surface.named[f"{DEMO}.Shape"]
    assert shape.methods == ()  # an interface's methods live in its underlying type
    assert shape.underlying.kind == "interface" and not shape.underlying.embeds_non_methods
    area, scale = shape.underlying.methods
    assert area.name == "Area" and area.doc == "Area in square units.\n" and area.pos == _line("Area()")
    assert scale.results[0].type == _named(DEMO, "Shape")

    # An unexported type reached from an exported func, with its exported methods only.
    impl = surface.named[f"{DEMO}.impl"]
    assert [m.name for m in impl.methods] == ["Do"]
    assert impl.methods[0].doc == "Do does it.\n"


def test_consts(surface: Surface) -> None:
    demo = _pkg(surface, DEMO)
    expected = {
        "Body": (_named(DEMO, "Celsius"), "float", "36.6"),
        "Answer": (_basic("untyped int"), "int", "42"),
        "Huge": (_basic("untyped int"), "int", str(1 << 100)),
        "Third": (_basic("untyped float"), "float", repr(1 / 3)),
        "TooBig": (_basic("untyped float"), "float", "+Inf"),
        "Raw": (_basic("untyped string"), "string", "ff6f6b"),
        "Letter": (_basic("untyped rune"), "int", str(ord("x"))),
        "Cplx": (_basic("untyped complex"), "complex", "1,2"),
        "Yes": (_basic("untyped bool"), "bool", "true"),
        "Two": (_basic("float64"), "float", "2"),
    }
    got = {c.name: (c.type, c.kind, c.value) for c in demo.consts}
    assert got == expected
    assert _const(demo, "Raw").string_value == b"\xffok"
    assert float(_const(demo, "Third").value) == 1 / 3
    # A const's own comment wins; the others get the group's.
    assert _const(demo, "Body").doc == "Body is typed.\n"
    assert _const(demo, "Answer").doc == "Constants of every kind.\n"
    assert _const(demo, "Huge").pos == _line("Huge ")


def test_vars(surface: Surface) -> None:
    demo = _pkg(surface, DEMO)
    vs = {v.name: v for v in demo.vars}
    assert vs["Default"].type == _named(DEMO, "Counter")
    assert vs["Default"].doc == "Default is a package-level var.\n"
    assert vs["Ch"].type == TypeRef(kind="chan", dir="recv", elem=_basic("int"))
    assert vs["Table"].type.go_spelling() == f"map[string][]*{DEMO}.Counter"
    # byte is uint8, and the extractor says the source spelled it byte (a character type)
    assert vs["Bytes"].type == TypeRef(
        kind="array", length=3, elem=TypeRef(kind="basic", name="uint8", alias="byte")
    )
    assert vs["Bytes"].type.go_spelling() == "[3]byte"
    assert vs["Check"].type.go_spelling() == f"func({DEMO}.Shape) error"
    assert vs["Whatever"].type == TypeRef(kind="interface")  # any is an empty interface
    assert vs["Room"].type == _named(DEMO, "Celsius")  # the alias resolves


def test_cgo_positions(module: Path, toolchain: GoToolchain, cache_dir: Path) -> None:
    """Export data of a cgo file carries cgo's line numbers; the surface has the source's."""
    cc = subprocess.run([str(toolchain.go), "env", "CC"], capture_output=True, text=True).stdout.split()
    if not cc or shutil.which(cc[0]) is None:
        pytest.skip("no C compiler")
    s = extract([f"{MOD}/cg"], module, toolchain, cache_dir)
    lines = CGO_SRC.splitlines()
    (twice,) = s.packages[0].funcs
    assert twice.pos == f"cg.go:{lines.index('func Twice(x int) int { return int(C.twice(C.int(x))) }') + 1}"
    t = s.named[f"{MOD}/cg.T"]
    assert t.pos == f"cg.go:{lines.index('type T struct {') + 1}"
    assert t.underlying.fields[0].doc == "X is documented.\n"


# ---- the standard library ----


def test_stdlib(surface: Surface) -> None:
    strings = _pkg(surface, "strings")
    assert strings.standard and strings.module is None
    to_upper = _func(strings, "ToUpper")
    assert to_upper.params[0].type == _basic("string")
    assert [r.type for r in to_upper.results] == [_basic("string")]
    assert to_upper.doc.startswith("ToUpper returns s with all Unicode letters mapped")
    assert to_upper.pos.startswith("strings.go:")

    int_size = _const(_pkg(surface, "strconv"), "IntSize")
    assert (
        int_size.kind == "int" and int_size.type == _basic("untyped int") and int_size.value in ("32", "64")
    )

    reader = surface.named["io.Reader"]
    (read,) = reader.underlying.methods
    assert read.name == "Read"
    assert read.params[0].type == TypeRef(
        kind="slice", elem=TypeRef(kind="basic", name="uint8", alias="byte")
    )
    assert [r.type for r in read.results] == [_basic("int"), _named("", "error")]
    assert reader.doc.startswith("Reader is the interface that wraps the basic Read method.")

    error = surface.named["error"]
    assert error.pkg == "" and error.underlying.methods[0].name == "Error"

    # Every named reference anywhere in the surface is either described in `named`
    # or sits under an unexported struct field (which does not pull types in).
    assert list(surface.named) == sorted(surface.named)
    for key, nt in surface.named.items():
        assert nt.key == key
        assert nt.underlying.kind != "named"


# ---- JSON ----


def test_round_trip(surface: Surface) -> None:
    text = surface_to_json(surface)
    assert surface_from_json(text) == surface
    assert surface_to_json(surface_from_json(text.encode())) == text


def test_deterministic(module: Path, toolchain: GoToolchain, cache_dir: Path, surface: Surface) -> None:
    again = extract([DEMO, "strings", "strconv", "io"], module, toolchain, cache_dir)
    assert surface_to_json(again) == surface_to_json(surface)
    # A directory argument names the same package.
    by_dir = extract(["./demo"], module, toolchain, cache_dir)
    assert by_dir.packages[0] == _pkg(surface, DEMO)


def test_malformed_json() -> None:
    with pytest.raises(ValueError):
        surface_from_json('{"go_version": "go1.26", "packages": [{"path": 1}]}')
    with pytest.raises(ValueError):
        surface_from_json("[]")


# ---- failures ----


def test_missing_package(module: Path, toolchain: GoToolchain, cache_dir: Path) -> None:
    with pytest.raises(ExtractionError, match=f"{MOD}/nope"):
        extract([f"{MOD}/nope"], module, toolchain, cache_dir)


def test_compile_error(module: Path, toolchain: GoToolchain, cache_dir: Path) -> None:
    with pytest.raises(ExtractionError, match=r"bad\.go:3.*not an int") as info:
        extract([f"{MOD}/bad"], module, toolchain, cache_dir)
    assert f"{MOD}/bad" in str(info.value)
