"""Shared fixtures. goffi allows one Go bundle per process, so every test that calls Go
in this interpreter uses the one session bundle below; tests that need another bundle
run it in a subprocess."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import goffi

TESTS = Path(__file__).resolve().parent
GO_TEST_PACKAGES = TESTS / "gopkgs"

# The standard-library packages the session bundle holds, spot-checked by test_stdlib.py.
STDLIB = ("strings", "strconv", "unicode/utf8", "path", "math", "hash/crc32")

# The standard-library packages Go objects (issue 3) are tested with, by test_stdlib_objects.py.
OBJECT_STDLIB = (
    "regexp",
    "net/url",
    "bytes",
    "os",
    "io",
    "encoding/hex",
    "encoding/json",
    "errors",
    "fmt",
    "time",
    "math/big",
)

# The standard-library packages the goroutine bridge (issue 4) is tested with, besides
# "time" and "strings" above, by test_goroutines.py.
GOROUTINE_STDLIB = ("path/filepath", "io/fs")

# The standard-library packages generics and iterators (issue 12) are tested with, besides
# "strings" above, by test_generics.py.
GENERIC_STDLIB = ("slices", "maps")

# The standard-library packages values keeping their Go type (issue 9) are tested with,
# by test_values.py.
VALUE_STDLIB = ("bufio", "log/slog", "context", "encoding/csv")

# The standard-library packages Python objects as Go interfaces (issue 13) are tested
# with, besides io, fmt, bufio and encoding/json above, by test_proxies.py.
PROXY_STDLIB = ("sort", "compress/gzip", "archive/zip")

# Everything in the session bundle: the local test packages (keyed by folder name) first.
SESSION_SPECS = (
    str(GO_TEST_PACKAGES / "typestest"),
    str(GO_TEST_PACKAGES / "objtest"),
    str(GO_TEST_PACKAGES / "chantest"),
    str(GO_TEST_PACKAGES / "zerocopy"),
    str(GO_TEST_PACKAGES / "generictest"),
    str(GO_TEST_PACKAGES / "valuetest"),
    str(GO_TEST_PACKAGES / "namedtest"),
    str(GO_TEST_PACKAGES / "ifacetest"),
    str(GO_TEST_PACKAGES / "ptrtest"),
    *STDLIB,
    *OBJECT_STDLIB,
    *GOROUTINE_STDLIB,
    *VALUE_STDLIB,
    *PROXY_STDLIB,
    *GENERIC_STDLIB,
)


# The session bundle's zero-copy functions (goffi.load(zero_copy=...)), tested by
# test_zero_copy.py. Every process that loads the session bundle passes the same list,
# so that it finds the one build in the cache.
ZERO_COPY = tuple(
    f"example.com/zerocopy.{name}"
    for name in (
        "ScaleView",
        "SumView",
        "IsNilView",
        "RampView",
        "BytesView",
        "SameView",
        "TrimView",
        "SamplesView",
        "Buffer.Data",
    )
)


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One goffi cache for the session: bundles built once are reused by later processes."""
    cache = tmp_path_factory.mktemp("goffi-cache")
    old = os.environ.get("GOFFI_CACHE_DIR")
    os.environ["GOFFI_CACHE_DIR"] = str(cache)
    yield cache
    if old is None:
        os.environ.pop("GOFFI_CACHE_DIR", None)
    else:
        os.environ["GOFFI_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def go(session_cache: Path) -> dict[str, ModuleType]:
    """The session bundle: Go import path (or local folder name) -> Python module."""
    modules = goffi.load(*SESSION_SPECS, zero_copy=ZERO_COPY)
    assert isinstance(modules, tuple)
    return {
        (Path(spec).name if spec.startswith("/") else spec): m
        for spec, m in zip(SESSION_SPECS, modules, strict=True)
    }


# Standard-library packages of the session bundle that several test files use.


@pytest.fixture(scope="session")
def strings(go: dict[str, ModuleType]) -> ModuleType:
    return go["strings"]


@pytest.fixture(scope="session")
def strconv(go: dict[str, ModuleType]) -> ModuleType:
    return go["strconv"]


@pytest.fixture(scope="session")
def fmt(go: dict[str, ModuleType]) -> ModuleType:
    return go["fmt"]


@pytest.fixture(scope="session")
def errors_(go: dict[str, ModuleType]) -> ModuleType:
    return go["errors"]


@pytest.fixture(scope="session")
def time_(go: dict[str, ModuleType]) -> ModuleType:
    return go["time"]


@pytest.fixture(scope="session")
def os_(go: dict[str, ModuleType]) -> ModuleType:
    return go["os"]


@pytest.fixture(scope="session")
def io_(go: dict[str, ModuleType]) -> ModuleType:
    return go["io"]


@pytest.fixture(scope="session")
def fs(go: dict[str, ModuleType]) -> ModuleType:
    return go["io/fs"]


@pytest.fixture(scope="session")
def filepath(go: dict[str, ModuleType]) -> ModuleType:
    return go["path/filepath"]


@pytest.fixture(scope="session")
def bytes_(go: dict[str, ModuleType]) -> ModuleType:
    return go["bytes"]


@pytest.fixture(scope="session")
def typestest(go: dict[str, ModuleType]) -> ModuleType:
    """tests/gopkgs/typestest, the package that exercises every row of the type table."""
    return go["typestest"]


@pytest.fixture(scope="session")
def objtest(go: dict[str, ModuleType]) -> ModuleType:
    """tests/gopkgs/objtest, the package that exercises Go objects (structs, interfaces, errors)."""
    return go["objtest"]


@pytest.fixture(scope="session")
def ptrtest(go: dict[str, ModuleType]) -> ModuleType:
    """tests/gopkgs/ptrtest, the package that exercises pointers that share (issue 10)."""
    return go["ptrtest"]


@pytest.fixture(scope="session")
def chantest(go: dict[str, ModuleType]) -> ModuleType:
    """tests/gopkgs/chantest, the package that exercises channels and callbacks (issue 4)."""
    return go["chantest"]


@pytest.fixture(scope="session")
def generictest(go: dict[str, ModuleType]) -> ModuleType:
    """tests/gopkgs/generictest, the package that exercises generics and iterators (issue 12)."""
    return go["generictest"]


@pytest.fixture(scope="session")
def namedtest(go: dict[str, ModuleType]) -> ModuleType:
    """tests/gopkgs/namedtest, the package that exercises named non-struct types (value classes)."""
    return go["namedtest"]


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Remembers whether the test body failed, for no_handle_leaks."""
    outcome: Any = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed


@pytest.fixture
def no_handle_leaks(go: dict[str, ModuleType], request: pytest.FixtureRequest) -> Iterator[None]:
    """Asserts the test leaves as many live Go handles as it found (use it with usefixtures).

    Not checked when the test itself failed: pytest then keeps its frames (and so the Go
    objects in them) alive for the report, and the failure is already reported. For the
    same reason the previous failure's frames, which pytest keeps in sys.last_value for
    post-mortem debugging, are dropped before counting."""
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            delattr(sys, name)
    before = settled_live_handles()
    yield
    if request.node.stash.get(_CALL_FAILED, False):
        return
    assert settled_live_handles() == before, "the test leaked Go handles"


def settled_live_handles(deadline: float = 30.0) -> int:
    """goffi.live_handles() once it holds still over three rounds of collection.

    Go's finalizers release handles on their own goroutine, whenever Go's scheduler gets to
    them: a count read right after gc.collect() can still move (an earlier test's objects
    released during this one), so both ends of a test wait for Python's and Go's collectors
    to settle."""
    end = time.monotonic() + deadline
    last, stable = -1, 0
    while stable < 2 and time.monotonic() < end:
        gc.collect()
        goffi.collect_go()
        time.sleep(0.005)  # Go's finalizers may need the GIL to drop a Python reference
        gc.collect()
        now = goffi.live_handles()
        stable, last = (stable + 1 if now == last else 0), now
    return last


def inspect_report(cache: Path, folder: Path, import_path: str) -> dict[str, Any]:
    """`goffi inspect --json FOLDER` (in a subprocess): the report of its package."""
    env = dict(os.environ, GOFFI_CACHE_DIR=str(cache))
    done = subprocess.run(
        [sys.executable, "-m", "goffi", "inspect", "--json", str(folder)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    packages: list[dict[str, Any]] = json.loads(done.stdout)["packages"]
    (pkg,) = [p for p in packages if p["path"] == import_path]
    return pkg


def mypy_errors(
    snippet: Path, bundle_module: ModuleType | Path, tmp_path: Path, *options: str
) -> tuple[list[str], str]:
    """mypy over ``snippet`` (run in ``tmp_path``, so a pyproject.toml there configures it),
    with the stubs of ``bundle_module``'s bundle (or the stubs folder given) on MYPYPATH:
    the ": error:" lines, and mypy's whole output (for assertion messages). ``options``
    are more mypy options ("--strict")."""
    stubs = (
        bundle_module if isinstance(bundle_module, Path) else Path(str(bundle_module.__file__)).parent.parent
    )
    env = dict(os.environ, MYPYPATH=str(stubs))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            "--python-version",
            f"{sys.version_info[0]}.{sys.version_info[1]}",
            *options,
            str(snippet),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    output = done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if ": error:" in line], output
