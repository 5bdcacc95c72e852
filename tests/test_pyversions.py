"""goffi on every CPython it supports (pyproject's requires-python and classifiers).

The suite itself runs on one interpreter. This smoke test takes each *other* supported
CPython the machine has (pyenv's versions, else ``python3.X`` on PATH), makes a fresh venv
with it, installs goffi there from a wheel of this checkout (no editable install, no
PYTHONPATH: the installed package data must be complete), and in that interpreter builds
and loads ``strings`` and tests/gopkgs/smoke, calling one thing of each kind: a record, a
handle, a callback from a goroutine, a channel, a slice Go writes into, an error and a
panic. The same bundle holds the other local test packages, so that the C glue of every
row of the type table compiles against that version's headers (one call each). Each version is one
test, named by its minor version; one the machine lacks is skipped, saying where it was
looked for. The bundles (one per Python ABI) share the session's goffi cache, so the Go
extractor is built once.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import GO_TEST_PACKAGES

pytestmark = pytest.mark.slow

ROOT = GO_TEST_PACKAGES.parent.parent  # the checkout: pyproject.toml, README.md, src/
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")  # keep in step with pyproject.toml's classifiers
LOCAL_PACKAGES = ("smoke", "typestest", "objtest", "chantest", "zerocopy", "keeptest")  # in tests/gopkgs
RUNNING = f"{sys.version_info[0]}.{sys.version_info[1]}"

# Runs in the other interpreter; argv[1] is the smoke package's folder. Prints one JSON line.
SMOKE = textwrap.dedent(
    """
    import json, platform, sys
    import goffi

    strings, smoke, typestest, objtest, chantest, zerocopy, keeptest = goffi.load("strings", *sys.argv[1:])
    assert strings.Split("a,b,c", ",") == ["a", "b", "c"]
    assert strings.ToUpper("héllo wörld 𝄞") == "HÉLLO WÖRLD 𝄞"

    # A record, copied both ways.
    p = smoke.Scale(smoke.Point(X=2, Y=-3, Label="pt"), 5)
    assert (p.X, p.Y, p.Label) == (10, -15, "PT"), p
    assert p == smoke.Point(X=10, Y=-15, Label="PT")

    # Ints of every size CPython stores differently (one digit, several, negative, bool).
    assert smoke.Sum(1, -1, 2**30, -(2**30), 2**62, 7, 0) == 2**62 + 7
    assert smoke.Sum(2**63 - 1, -(2**63)) == -1
    for bad, error in ((2**63, OverflowError), (True, TypeError), (1.5, TypeError)):
        try:
            smoke.Sum(bad)
        except error as e:
            assert "Sum" in str(e), e
        else:
            raise AssertionError(f"Sum({bad!r}) did not raise {error.__name__}")

    # A slice Go writes into: the writes come back into the list.
    xs = [1.0, 3.0, -5.0]
    smoke.Halve(xs)
    assert xs == [0.5, 1.5, -2.5], xs

    # The other test packages' generated code (every row of the type table, objects,
    # channels, views) compiled for this Python too: one call each.
    assert typestest.Sum(1, 2, 3) == 6
    assert objtest.NewCounter("c").Inc() == 1
    assert chantest.Add(2, 3) == 5
    assert zerocopy.Sum([1.0, 2.0]) == 3.0
    assert keeptest.Sum(b"\\x01\\x02") == 3

    # A handle: Go keeps the value between calls.
    c = smoke.NewCounter(40)
    assert c.Add(2) == 42
    assert c.Add(-50) == -8

    # A callback, called from a goroutine on a thread Python has never seen.
    assert smoke.Apply(lambda x: x * 3, 14) == 42

    # A channel, fed by a goroutine and closed.
    assert list(smoke.Squares(4)) == [1, 4, 9, 16]

    # An error and a panic become exceptions; Go and the interpreter carry on.
    assert smoke.Check("x") is None
    try:
        smoke.Check("")
    except goffi.GoError as e:
        assert "smoke: empty string" in str(e), e
    else:
        raise AssertionError("Check('') did not raise")
    try:
        smoke.Boom("bang")
    except goffi.GoPanic as e:
        assert e.value == "bang" and "smoke.Boom" in e.go_stack, (e.value, e.go_stack)
    else:
        raise AssertionError("Boom did not raise")
    assert smoke.NewCounter(1).Add(1) == 2

    print(json.dumps({"python": platform.python_version(), "goffi": goffi.__file__}))
    """
)


def find_cpython(minor: str) -> tuple[Path | None, str]:
    """The newest interpreter of CPython `minor` (e.g. "3.12") on this machine, and where
    it was looked for: pyenv's versions (exact x.y.z names, so no free-threaded or dev
    builds), then ``python3.Y`` on PATH."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    pattern = re.compile(rf"^{re.escape(minor)}\.(\d+)$")
    found = []
    if pyenv.is_dir():
        for d in pyenv.iterdir():
            m = pattern.match(d.name)
            if m and (d / "bin" / "python").is_file():
                found.append((int(m.group(1)), d / "bin" / "python"))
    where = f"{pyenv}/{minor}.*, python{minor} on PATH"
    if found:
        return max(found)[1], where
    on_path = shutil.which(f"python{minor}")
    return (Path(on_path) if on_path else None), where


@pytest.fixture(scope="module")
def goffi_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of this checkout, built once, from a copy (so no build/ or egg-info lands
    in the checkout)."""
    tmp = tmp_path_factory.mktemp("goffi-wheel")
    src = tmp / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.egg-info")
    shutil.copytree(ROOT / "src", src / "src", ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    # Offline with this interpreter's setuptools (before setuptools 70.1 bdist_wheel is the
    # `wheel` package's), else in pip's isolated build environment, from PyPI.
    local = all(importlib.util.find_spec(m) is not None for m in ("setuptools", "wheel"))
    offline = ["--no-build-isolation", "--no-index"] if local else []
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check"]
    done = subprocess.run(
        [*command, *offline, "-w", str(tmp / "dist"), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (tmp / "dist").glob("goffi-*.whl")
    return wheel


@pytest.mark.parametrize("minor", SUPPORTED)
def test_smoke(
    minor: str,
    goffi_wheel: Path,
    session_cache: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if minor == RUNNING:
        pytest.skip(f"CPython {minor} is the interpreter running this suite: every other test covers it")
    python, where = find_cpython(minor)
    if python is None:
        pytest.skip(f"CPython {minor} not found (looked in {where})")
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import sys, sysconfig, os, ensurepip, venv; "
            "print(sys.version.split()[0]); "
            "print(os.path.isfile(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        pytest.skip(f"CPython {minor} at {python} cannot make a venv: {probe.stderr.strip()}")
    version, has_headers = probe.stdout.split()
    assert version.startswith(minor + "."), f"{python} is Python {version}, not {minor}"
    if has_headers != "True":
        pytest.skip(f"CPython {version} at {python} has no headers (Python.h), which goffi compiles against")
    with capsys.disabled():
        print(f"\n[test_pyversions] CPython {minor}: found {version} at {python}")

    # No PYTHONPATH: pip would take a goffi checkout there for installed and skip the wheel.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    env["GOFFI_CACHE_DIR"] = str(session_cache)
    venv = tmp_path / f"venv{minor}"
    subprocess.run([str(python), "-m", "venv", str(venv)], env=env, check=True, timeout=300)
    venv_python = venv / "bin" / "python"
    pip = [str(venv_python), "-m", "pip", "install", "--no-index", "--no-deps", "--disable-pip-version-check"]
    done = subprocess.run([*pip, str(goffi_wheel)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    run = subprocess.run(
        [str(venv_python), "-c", SMOKE, *(str(GO_TEST_PACKAGES / p) for p in LOCAL_PACKAGES)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert run.returncode == 0, f"on CPython {version}:\n{run.stdout}\n{run.stderr}"
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["python"] == version
    assert Path(result["goffi"]).is_relative_to(venv), (
        f"goffi was imported from {result['goffi']}, not the venv"
    )
    with capsys.disabled():
        print(
            f"[test_pyversions] CPython {version}: goffi installed in a venv, strings and tests/gopkgs loaded, all calls ok"
        )


def test_older_python_refused(goffi_wheel: Path, tmp_path: Path) -> None:
    """The newest CPython below the floor (3.9): pip refuses the wheel, and a checkout on
    its sys.path says which Python goffi needs instead of failing on newer syntax."""
    python, where = find_cpython("3.9")
    if python is None:
        pytest.skip(f"CPython 3.9 not found (looked in {where})")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONSTARTUP")}
    env["PYTHONPATH"] = str(ROOT / "src")
    done = subprocess.run(
        [str(python), "-c", "import goffi"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "ImportError: goffi needs Python >= 3.10; this is Python 3.9." in done.stderr, done.stderr

    venv = tmp_path / "venv3.9"
    subprocess.run([str(python), "-m", "venv", str(venv)], check=True, timeout=300)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--no-index",
        "--no-deps",
        "--disable-pip-version-check",
    ]
    done = subprocess.run([*pip, str(goffi_wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode != 0
    assert "requires a different Python" in done.stdout + done.stderr, done.stdout + done.stderr
