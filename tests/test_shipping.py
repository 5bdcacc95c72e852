"""Shipping Go code in a Python package (issue 14): the example project in examples/greeter
built by goffi.build_backend into a wheel and an sdist, installed into a fresh venv with no
Go on PATH and imported from another folder; and an editable install that rebuilds the
bundle when a Go source changes.

Slow (several builds, two venvs, pip): run with ``python -m pytest -m slow``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

import goffi
from goffi import build_backend

pytestmark = pytest.mark.slow

SRC = Path(goffi.__file__).resolve().parent.parent
ROOT = SRC.parent
EXAMPLE = ROOT / "examples" / "greeter"


def _pip(*args: str, python: str = sys.executable, env: dict[str, str] | None = None) -> str:
    if env is None and python != sys.executable:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the venv's own packages only
    done = subprocess.run(
        [python, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=1200,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _build_env(cache: Path) -> dict[str, str]:
    # The backend runs in pip's subprocess without build isolation: goffi comes from this checkout.
    return dict(os.environ, PYTHONPATH=str(SRC), GOFFI_CACHE_DIR=str(cache))


def _no_go_env(venv: Path, home: Path) -> dict[str, str]:
    """A clean environment whose PATH has the venv and the system, but no Go."""
    path = [str(venv / "bin"), "/usr/bin", "/bin"]
    for folder in path[1:]:
        assert not (Path(folder) / "go").exists(), f"{folder} has a go binary: cannot test 'no Go on PATH'"
    return {"PATH": os.pathsep.join(path), "HOME": str(home), "LANG": "C.UTF-8"}


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """goffi's wheel, and the example's wheel and sdist."""
    out = tmp_path_factory.mktemp("dist")
    cache = tmp_path_factory.mktemp("goffi-cache")
    project = tmp_path_factory.mktemp("project") / "greeter"
    shutil.copytree(EXAMPLE, project)
    env = _build_env(cache)
    _pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(project), env=env)
    # The sdist through the backend's own hook (pip has no sdist command).
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from goffi import build_backend; print(build_backend.build_sdist({str(out)!r}))",
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    # goffi itself, the wheel's run-time requirement.
    _pip("wheel", "--no-deps", "-w", str(out), str(ROOT))
    wheels = {p.name.split("-")[0]: p for p in out.glob("*.whl")}
    return {"greeter": wheels["greeter"], "goffi": wheels["goffi"], "sdist": out / done.stdout.strip()}


def test_the_wheel_is_tagged_and_holds_the_bundle(dists: dict[str, Path]) -> None:
    wheel = dists["greeter"]
    assert wheel.name == f"greeter-1.0.0-{build_backend.wheel_tag()}.whl"
    py = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    assert wheel.name.startswith(f"greeter-1.0.0-{py}-{py}-linux_")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        metadata = z.read("greeter-1.0.0.dist-info/METADATA").decode()
        library = next(n for n in names if n.startswith("greeter/_go/_bundle.") and n.endswith(".so"))
        so = z.read(library)
        record = z.read("greeter-1.0.0.dist-info/RECORD").decode()
    assert {
        "greeter/__init__.py",
        "greeter/py.typed",
        "greeter/_go/__init__.py",
        "greeter/_go/greeter.py",
        "greeter/_go/greeter.pyi",
        "greeter/_go/__init__.pyi",
        "greeter/_go/py.typed",
        "greeter-1.0.0.dist-info/WHEEL",
    } <= names
    assert not [n for n in names if n.endswith((".h", ".c", ".go", ".pyc", "goffi-manifest.json"))]
    assert f"Requires-Dist: goffi=={goffi.__version__}\n" in metadata
    assert all(n in record for n in names)
    # -trimpath and stripped: no source path of the goffi checkout, no symbol table.
    assert str(SRC).encode() not in so
    assert b".symtab" not in so


def test_the_sdist_holds_the_go_sources(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as tar:
        names = set(tar.getnames())
    base = "greeter-1.0.0/"
    assert {
        base + "pyproject.toml",
        base + "PKG-INFO",
        base + "go/go.mod",
        base + "go/greeter.go",
        base + "src/greeter/__init__.py",
    } <= names


def test_the_wheel_runs_without_go(dists: dict[str, Path], tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Without its runtime (installed with --no-deps), the bundle says what to install.
    _pip("install", "--no-deps", str(dists["greeter"]), python=python)
    missing = subprocess.run(
        [python, "-c", "import greeter"],
        cwd=elsewhere,
        env=_no_go_env(venv, tmp_path),
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1
    assert (
        f"ImportError: goffi bundle 'greeter._go' needs the runtime of goffi {goffi.__version__}, "
        "and this environment has no goffi" in missing.stderr
    )
    assert f"pip install 'goffi=={goffi.__version__}'" in missing.stderr
    # --no-index: pip resolves greeter's goffi==X requirement from the wheels built here.
    _pip("install", "--no-index", "--find-links", str(dists["goffi"].parent), "greeter", python=python)
    code = """
        import shutil, sys
        assert shutil.which("go") is None
        import greeter
        print(greeter.shout("gopher"), greeter.Add(2, 3))
        try:
            greeter.Greet("  ")
        except greeter.ErrNoName as e:
            print(type(e).__module__, e)
        print(sorted(m for m in sys.modules if m.startswith("goffi")))
        print([m for m in ("asyncio", "subprocess", "goffi.build") if m in sys.modules])
    """
    done = subprocess.run(
        [python, "-c", textwrap.dedent(code)],
        cwd=elsewhere,
        env=_no_go_env(venv, tmp_path),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "HELLO, GOPHER! 5",
        "greeter._go.greeter greeter: no name given",
        "['goffi', 'goffi._version', 'goffi.runtime', 'goffi.runtime.guard']",
        "[]",
    ]
    # Type checkers find the installed bundle's stubs (its py.typed and .pyi files).
    (elsewhere / "pyproject.toml").write_text('[tool.basedpyright]\ntypeCheckingMode = "standard"\n')
    snippet = elsewhere / "typed.py"
    snippet.write_text(
        "from greeter._go import greeter as g\n\ngreeting: str = g.Greet('x')\ncount: str = g.Add(2, 3)\n"
    )
    checked = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-error-summary"),
            *("--python-executable", python, "--cache-dir", str(tmp_path / "mypy-cache"), snippet.name),
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    assert [line.split(": error:")[0] for line in checked.stdout.splitlines()] == ["typed.py:4"], (
        checked.stdout
    )
    checked = subprocess.run(
        [sys.executable, "-m", "basedpyright", "--pythonpath", python, "--outputjson", snippet.name],
        cwd=elsewhere,
        capture_output=True,
        text=True,
    )
    errors = [
        (d["range"]["start"]["line"] + 1, d.get("rule"))
        for d in json.loads(checked.stdout)["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert errors == [(4, "reportAssignmentType")], checked.stdout
    auditwheel = shutil.which("auditwheel")
    if auditwheel is not None:
        shown = subprocess.run([auditwheel, "show", str(dists["greeter"])], capture_output=True, text=True)
        assert shown.returncode == 0, shown.stderr
        assert re.search(r'"manylinux_\d+_\d+_x86_64"', shown.stdout), shown.stdout


def test_an_editable_install_rebuilds_when_go_changes(dists: dict[str, Path], tmp_path: Path) -> None:
    project = tmp_path / "greeter"
    shutil.copytree(EXAMPLE, project)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    _pip("install", "--no-index", str(dists["goffi"]), python=python)
    env = dict(os.environ, GOFFI_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("PYTHONPATH", None)
    _pip("install", "--no-build-isolation", "--no-index", "-e", str(project), python=python, env=env)
    code = "import greeter; print(greeter.Greet('x'))"
    run = [python, "-c", code]
    first = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "Hello, x!\n"
    source = project / "go" / "greeter.go"
    source.write_text(source.read_text().replace('"Hello, "', '"Howdy, "'))
    second = subprocess.run(run, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert second.stdout == "Howdy, x!\n"


def test_readme_shipping_section_runs_verbatim(dists: dict[str, Path], tmp_path: Path) -> None:
    """The README's shell block of "Shipping Go code in a Python package", exactly as written,
    in a fresh venv holding goffi (from its wheel), from a copy of the repository's examples."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Shipping Go code in a Python package", 1)[1].split("\n## ", 1)[0]
    (shell,) = re.findall(r"```sh\n(.*?)```", section, flags=re.S)
    toml = re.findall(r"```toml\n(.*?)```", section, flags=re.S)[0]
    example = (EXAMPLE / "pyproject.toml").read_text()
    for line in toml.splitlines():  # the README's pyproject.toml is the example's (comments aside)
        setting = line.split("#")[0].strip()
        assert setting in example, setting
    shutil.copytree(EXAMPLE, tmp_path / "examples" / "greeter")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    _pip("install", "--no-index", str(dists["goffi"]), python=str(venv / "bin" / "python"))
    env = dict(os.environ, GOFFI_CACHE_DIR=str(tmp_path / "cache"), PIP_NO_INDEX="1")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", shell], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    counts = [int(line) for line in lines if line.isdigit()]  # the bundle's files in the wheel
    assert counts and counts[0] >= 5, done.stdout
    assert lines[-1] == "HELLO, GOPHER!"
