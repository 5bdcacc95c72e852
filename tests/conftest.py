"""Shared fixtures. goffi allows one Go bundle per process, so every test that calls Go
in this interpreter uses the one session bundle below; tests that need another bundle
run it in a subprocess."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import goffi

TESTS = Path(__file__).resolve().parent
GO_TEST_PACKAGES = TESTS / "gopkgs"

# The standard-library packages the session bundle holds, spot-checked by test_stdlib.py.
STDLIB = ("strings", "strconv", "unicode/utf8", "path", "math", "hash/crc32")


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
    specs = [str(GO_TEST_PACKAGES / "typestest"), *STDLIB]
    modules = goffi.load(*specs)
    assert isinstance(modules, tuple)
    return {("typestest" if spec.startswith("/") else spec): m for spec, m in zip(specs, modules)}


@pytest.fixture(scope="session")
def typestest(go: dict[str, ModuleType]) -> ModuleType:
    """tests/gopkgs/typestest, the package that exercises every row of the type table."""
    return go["typestest"]
