"""Stubs that check (issue 10, item 6): mypy --strict and pyright accept a realistic script
through the stubs goffi.load writes, report exactly the planted mistakes of a second copy,
and stubtest finds the stubs true to the modules at run time.

The bundle (strings, net/url, regexp, os, time and tests/gopkgs/typedapp) is built by the
script itself, run in a subprocess in a project folder with a typings/ folder (where
goffi.load writes the stubs by default), so the whole user path is what is tested."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import GO_TEST_PACKAGES, TESTS, inspect_report, mypy_errors
from goffi import stubfiles

SCRIPTS = TESTS / "typecheck"
SPECS = ("strings", "net/url", "regexp", "os", "time", "./typedapp")
# The planted mistakes: "# expect: mypy[code] pyright[rule]" on the line before each.
EXPECT = re.compile(r"#\s*expect:\s*mypy\[([\w-]+)\]\s+pyright\[(\w+)\]")


@dataclass(frozen=True)
class Project:
    root: Path  # holds pyproject.toml, typings/, typedapp/ and the scripts
    stubs: Path  # typings/gopkgs, written by goffi.load
    bundle_parent: Path  # the folder holding the cached bundle package gopkgs/
    output: str  # what the realistic script printed


def _env(cache: Path) -> dict[str, str]:
    env = dict(os.environ, GOFFI_CACHE_DIR=str(cache))
    env.pop("GOFFI_STUBS_DIR", None)
    return env


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> Project:
    root = tmp_path_factory.mktemp("shop")
    (root / "typings").mkdir()
    shutil.copytree(GO_TEST_PACKAGES / "typedapp", root / "typedapp")
    shutil.copy(SCRIPTS / "inventory.py", root / "inventory.py")
    shutil.copy(SCRIPTS / "inventory_mistakes.py", root / "inventory_mistakes.py")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "0"\n\n'
        '[tool.mypy]\nmypy_path = "typings"\n\n'
        # pyright's own default mode (basedpyright defaults to a stricter one of its own).
        '[tool.basedpyright]\ntypeCheckingMode = "standard"\n'
    )
    done = subprocess.run(
        [sys.executable, "inventory.py", str(root / "data.txt")],
        cwd=root,
        env=_env(session_cache),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, done.stderr
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, goffi; goffi.load(*sys.argv[1:], name='gopkgs', stubs_dir=False); print(sys.modules['gopkgs'].__file__)",
            *SPECS,
        ],
        cwd=root,
        env=_env(session_cache),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert where.returncode == 0, where.stderr
    bundle_parent = Path(where.stdout.strip()).parent.parent
    return Project(root, root / "typings" / "gopkgs", bundle_parent, done.stdout)


def test_the_realistic_script_runs_and_load_wrote_its_stubs_to_typings(project: Project) -> None:
    # The stubs claim what Go does: these are the values the checked script really gets.
    assert project.output.splitlines() == [
        "pear,apple,plum | PEAR | 5 | b4n4n4 tr33 | 2 go",
        "example.com | pear | item=pear&n=3 | https://example.com/cart | a+b",
        "gopher@golang.com,gopher,golang | True | <me>",
        "data.txt | 10 | False | inventory",
        "1.5 | 5400 | 2024-03-05 | 2024-03-05T13:30:00+00:00",
        "pear | 4 | True | bob | high <Level.Medium: 1> bob | stock 1<5 | "
        "sentinel typedapp: item not found | pear | fig,pear | 6.00",
    ]
    written = sorted(p.name for p in project.stubs.iterdir())
    assert {"__init__.pyi", "typedapp.pyi", "strings.pyi", "url.pyi", "os.pyi", "time.pyi"} <= set(written)
    # The same files as the bundle's, byte for byte.
    for name in written:
        if name.endswith(".pyi"):
            assert (project.stubs / name).read_bytes() == (
                project.bundle_parent / "gopkgs" / name
            ).read_bytes()


def test_results_are_optional_only_where_go_may_return_nil(project: Project) -> None:
    stub = {m: (project.stubs / f"{m}.pyi").read_text() for m in ("strings", "url", "regexp", "typedapp")}
    for module, signature in [
        ("url", "def Parse(rawURL: str) -> URL:"),  # (T, error)
        ("regexp", "def MustCompile(str: str) -> Regexp:"),  # the scan: x, err := ...; panic
        ("regexp", "def Compile(expr: str) -> Regexp:"),
        ("strings", "def NewReader(s: str) -> Reader:"),  # the scan: return &Reader{...}
        ("typedapp", "def NewStore(owner: str) -> Store:"),
        ("typedapp", "def Open(owner: str) -> Store:"),
        ("typedapp", "def Lookup(owner: str) -> Store | None:"),  # may be nil
        ("typedapp", "def Stream(self) -> goffi.Channel:"),  # the scan: make(chan string)
    ]:
        assert signature in stub[module], (module, signature)


def test_bytes_new_buffer_is_never_none(session_cache: Path) -> None:
    report = inspect_report(session_cache, Path("bytes"), "bytes")
    entries = {e["name"]: e for e in report["symbols"]}
    assert (
        entries["NewBuffer"]["python"]
        == "NewBuffer(buf: bytes | bytearray | memoryview | None) -> bytes.Buffer"
    )
    assert any("never None: every return statement of NewBuffer" in n for n in entries["NewBuffer"]["notes"])


def test_inspect_shows_each_never_nil_decision(session_cache: Path) -> None:
    report = inspect_report(session_cache, GO_TEST_PACKAGES / "typedapp", "example.com/typedapp")
    entries = {e["name"]: e for e in report["symbols"]}
    assert entries["Open"]["python"] == "Open(owner: str) -> typedapp.Store"
    assert (
        "result 0 (*example.com/typedapp.Store): never None: Go returns it with a nil error, "
        "and a nil error means a valid value" in entries["Open"]["notes"]
    )
    assert any(
        n.startswith("result 0 (*example.com/typedapp.Store): never None: every return statement of NewStore")
        for n in entries["NewStore"]["notes"]
    )
    assert entries["Lookup"]["python"] == "Lookup(owner: str) -> typedapp.Store | None"
    assert not any("never None" in n for n in entries["Lookup"]["notes"])


def test_mypy_strict_accepts_the_realistic_script(project: Project) -> None:
    errors, output = mypy_errors(
        project.root / "inventory.py", project.root / "typings", project.root, "--strict"
    )
    assert errors == [], output


def test_mypy_strict_reports_exactly_the_planted_mistakes(project: Project) -> None:
    script = project.root / "inventory_mistakes.py"
    errors, output = mypy_errors(script, project.root / "typings", project.root, "--strict")
    found = sorted(
        (int(m.group(1)), m.group(2))
        for line in errors
        if (m := re.match(r".*?:(\d+): error: .*\[([\w-]+)\]$", line)) is not None
    )
    assert len(found) == len(errors), output
    assert found == _expected(script, "mypy"), output


def _expected(script: Path, tool: str) -> list[tuple[int, str]]:
    out = []
    for n, line in enumerate(script.read_text().splitlines(), 1):
        m = EXPECT.search(line)
        if m is not None:  # the error is on the next line
            out.append((n + 1, m.group(1) if tool == "mypy" else m.group(2)))
    assert len(out) >= 10
    return sorted(out)


def pyright_errors(script: Path, cwd: Path) -> tuple[list[tuple[int, str]], str]:
    """basedpyright (pyright with its own Node.js, from the dev extra) over ``script`` in
    ``cwd``: the (line, rule) of each error, and the whole output."""
    done = subprocess.run(
        [sys.executable, "-m", "basedpyright", "--outputjson", str(script)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: errors were found
    report = json.loads(done.stdout)
    errors = sorted(
        (d["range"]["start"]["line"] + 1, d.get("rule", ""))
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    )
    return errors, done.stdout


def test_pyright_accepts_the_realistic_script(project: Project) -> None:
    errors, output = pyright_errors(project.root / "inventory.py", project.root)
    assert errors == [], output
    # It read the stubs from typings/ (pyright's default stub path): no import is unresolved.
    assert "reportMissingImports" not in output


def test_pyright_reports_exactly_the_planted_mistakes(project: Project) -> None:
    script = project.root / "inventory_mistakes.py"
    errors, output = pyright_errors(script, project.root)
    assert errors == _expected(script, "pyright"), output


def test_stubtest_finds_the_stubs_true_to_the_modules(project: Project) -> None:
    """mypy's stubtest imports the bundle's modules and compares them with their stubs."""
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(project.bundle_parent), os.environ.get("PYTHONPATH", "")])
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "gopkgs"],
        cwd=project.bundle_parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Success: no issues found in \d+ modules", done.stdout), done.stdout


LOAD_SNIPPET = """\
import types

import goffi

strings, strconv = goffi.load("strings", "strconv")
one = goffi.load("strings")
a, b, c = goffi.load("strings", "strconv", "./mygo")
module: types.ModuleType = one
pair: tuple[types.ModuleType, types.ModuleType] = (strings, strconv)
many = goffi.load(*["strings"] * 9, name="gopkgs", nonblocking=["strings.ToUpper"], stubs_dir="typings")
print(module, pair, a, b, c, many)
"""


def test_load_unpacks_for_plain_mypy_and_pyright(tmp_path: Path) -> None:
    """goffi.load's overloads by arity: a tuple of as many modules, one module for one."""
    snippet = tmp_path / "snippet.py"
    snippet.write_text(LOAD_SNIPPET)
    errors, output = mypy_errors(snippet, tmp_path, tmp_path)
    assert errors == [], output
    errors_strict, output = mypy_errors(snippet, tmp_path, tmp_path, "--strict")
    assert errors_strict == [], output
    found, output = pyright_errors(snippet, tmp_path)
    assert found == [], output
    bad = tmp_path / "bad.py"
    bad.write_text("import goffi\n\nx, y = goffi.load('strings', 'strconv', 'os')\ngoffi.load()\n")
    errors, output = mypy_errors(bad, tmp_path, tmp_path)
    assert [e.split(": error: ")[0].rsplit(":", 1)[1] for e in errors] == ["3", "4"], output
    found, output = pyright_errors(bad, tmp_path)
    assert [line for line, _ in found] == [3, 4], output


def test_stubs_dir_default_is_the_projects_typings_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOFFI_STUBS_DIR", raising=False)
    project = tmp_path / "p"
    (project / "src" / "app").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    # No typings/ folder: nothing is written unless asked.
    assert stubfiles.resolve_stubs_dir(None, project / "src" / "app") is None
    (project / "typings").mkdir()
    assert stubfiles.resolve_stubs_dir(None, project / "src" / "app") == project / "typings"
    assert stubfiles.resolve_stubs_dir(False, project) is None
    assert stubfiles.resolve_stubs_dir("out", project) == Path("out").absolute()
    monkeypatch.setenv("GOFFI_STUBS_DIR", str(tmp_path / "env"))
    assert stubfiles.resolve_stubs_dir(None, project) == tmp_path / "env"
    with pytest.raises(TypeError, match="stubs_dir=True"):
        stubfiles.resolve_stubs_dir(True, project)  # type: ignore[arg-type]


def test_write_stubs_replaces_only_what_it_wrote(tmp_path: Path) -> None:
    bundle = tmp_path / "cache" / "gopkgs"
    bundle.mkdir(parents=True)
    for name in ("__init__.pyi", "strings.pyi", "old.pyi"):
        (bundle / name).write_text(f"# {name}\n")
    (bundle / "strings.py").write_text("# not a stub\n")
    stubs = tmp_path / "typings"
    dest = stubfiles.write_stubs(bundle, "gopkgs", stubs)
    assert dest == stubs / "gopkgs"
    assert sorted(p.name for p in dest.glob("*.pyi")) == ["__init__.pyi", "old.pyi", "strings.pyi"]
    (dest / "mine.pyi").write_text("# the user's\n")
    unchanged = (dest / "strings.pyi").stat().st_mtime_ns
    (bundle / "old.pyi").unlink()
    (bundle / "__init__.pyi").write_text("# new\n")
    stubfiles.write_stubs(bundle, "gopkgs", stubs)
    assert sorted(p.name for p in dest.glob("*.pyi")) == ["__init__.pyi", "mine.pyi", "strings.pyi"]
    assert (dest / "__init__.pyi").read_text() == "# new\n"
    assert (dest / "strings.pyi").stat().st_mtime_ns == unchanged  # not rewritten: checkers' caches hold
    nested = stubfiles.write_stubs(bundle, "mylib._go", stubs)
    assert nested == stubs / "mylib" / "_go"


def test_goffi_build_output_is_a_typed_package(project: Project) -> None:
    """The bundle folder (what goffi build writes) has py.typed and a stub for every module."""
    bundle = project.bundle_parent / "gopkgs"
    assert (bundle / "py.typed").is_file()
    modules = {p.stem for p in bundle.glob("*.py")}
    assert modules <= {p.stem for p in bundle.glob("*.pyi")}
    init = (bundle / "__init__.pyi").read_text()
    assert "from . import typedapp as typedapp\n" in init
    assert (
        textwrap.dedent("""\
        RUNTIME_ABI: int
        GOFFI_VERSION: str
        BUNDLE_KEY: str
        PACKAGES: dict[str, str]
    """)
        in init
    )


def test_readme_typing_block_runs_and_checks_verbatim(session_cache: Path, tmp_path: Path) -> None:
    """The README's "Type checking" example, exactly as written: it runs, writes the stubs
    to typings/, and mypy --strict and pyright accept it through them."""
    text = (TESTS.parent / "README.md").read_text()
    block = next(
        b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if 'stubs_dir="typings"' in b
    )
    script = tmp_path / "example.py"
    script.write_text(block)
    done = subprocess.run(
        [sys.executable, script.name], cwd=tmp_path, env=_env(session_cache), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "GO.DEV\n"
    assert (tmp_path / "typings" / "webgo" / "url.pyi").is_file()
    errors, output = mypy_errors(script, tmp_path / "typings", tmp_path, "--strict")
    assert errors == [], output
    (tmp_path / "pyproject.toml").write_text('[tool.basedpyright]\ntypeCheckingMode = "standard"\n')
    found, output = pyright_errors(script, tmp_path)
    assert found == [], output
