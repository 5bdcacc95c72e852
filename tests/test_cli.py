"""goffi inspect: every exported symbol with its Python signature or the reason it is skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="module")
def inspect_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    cache = tmp_path_factory.mktemp("inspect-cache")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, GOFFI_CACHE_DIR=str(cache))
        return subprocess.run(
            [sys.executable, "-m", "goffi", "inspect", *args], env=env, capture_output=True, text=True
        )

    return run


def test_inspect_text_shows_signatures_and_reasons(inspect_run: Any) -> None:
    done = inspect_run("strings", "unicode/utf8")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert 'package strings ("strings") -> Python module gopkgs.strings' in out
    assert "    bridged  ToUpper(s: str) -> str" in out
    assert "    bridged  Cut(s: str, sep: str) -> tuple[str, str, bool]" in out
    assert "    bridged  ContainsFunc(s: str, f: Callable[[int], bool] | None) -> bool" in out
    assert "    skipped  func FieldsSeq(s string) iter.Seq[string]" in out
    assert "why: result 0: instantiated generic types are not bridged" in out
    assert "    bridged  ValidString(s: str) -> bool" in out
    assert "    bridged  RuneError: int = 65533" in out
    assert "note: []byte: []byte parameters take any buffer" in out


def test_inspect_json_matches_text_and_is_deterministic(inspect_run: Any) -> None:
    first = inspect_run("--json", "strings", "unicode/utf8")
    second = inspect_run("--json", "unicode/utf8", "strings")  # order of arguments does not matter
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    doc = json.loads(first.stdout)
    requested = [p for p in doc["packages"] if p["requested"]]
    assert [p["path"] for p in requested] == ["strings", "unicode/utf8"]
    # Packages that only declare types the API uses (io.Reader for strings) follow.
    assert {p["path"] for p in doc["packages"] if not p["requested"]} >= {"io"}
    for pkg in doc["packages"]:
        symbols = pkg["symbols"]
        summary = pkg["summary"]
        bridged = [s for s in symbols if s["status"] == "bridged"]
        skipped = [s for s in symbols if s["status"] == "skipped"]
        assert summary["bridged"] == len(bridged) > 0
        assert summary["skipped"] == len(skipped)
        assert sum(summary["skipped_by_reason"].values()) == len(skipped)
        assert all(s["reason"] and s["category"] for s in skipped)
        assert all(s["python"] for s in bridged)
    strings = {s["name"]: s for s in doc["packages"][0]["symbols"]}
    assert strings["Repeat"]["python"] == "Repeat(s: str, count: int) -> str"
    assert strings["NewReader"]["python"] == "NewReader(s: str) -> strings.Reader | None"
    assert strings["Builder"]["python"] == "class strings.Builder: handle class"
    assert strings["Builder.WriteString"]["python"] == "Builder.WriteString(self, s: str) -> int"
    assert strings["FieldsSeq"]["category"] == "generic"
    assert strings["ContainsFunc"]["status"] == "bridged"
    utf8 = {s["name"]: s for s in requested[1]["symbols"]}
    assert (
        utf8["DecodeRune"]["python"]
        == "DecodeRune(p: bytes | bytearray | memoryview | None) -> tuple[int, int]"
    )


def test_inspect_unknown_package_says_so(inspect_run: Any) -> None:
    done = inspect_run("no/such/pkg")
    assert done.returncode == 1
    assert "goffi inspect:" in done.stderr
    assert "no/such/pkg" in done.stderr


def test_inspect_local_package(inspect_run: Any, tmp_path: Path) -> None:
    mod = tmp_path / "mygo"
    mod.mkdir()
    (mod / "go.mod").write_text("module example.com/mygo\n\ngo 1.24\n")
    (mod / "mygo.go").write_text(
        "// Package mygo is a test.\npackage mygo\n\n// Celsius is a temperature.\ntype Celsius float64\n\n"
        "// Boil is hot.\nconst Boil Celsius = 100\n\n// Warm adds d.\nfunc Warm(c Celsius, d float64) Celsius { return c + Celsius(d) }\n"
    )
    env = dict(os.environ)
    done = subprocess.run(
        [sys.executable, "-m", "goffi", "inspect", "./mygo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "bridged  Warm(c: float, d: float) -> float" in done.stdout
    assert (
        "note: example.com/mygo.Celsius: example.com/mygo.Celsius crosses as its underlying float64"
        in done.stdout
    )
    assert "bridged  Boil: float = 100.0" in done.stdout
    assert "bridged  Celsius: values cross as float" in done.stdout


def test_inspect_shows_the_call_policies(inspect_run: Any) -> None:
    done = inspect_run(
        "encoding/hex",
        "--zero-copy",
        "encoding/hex.DecodeString",
        "--nonblocking",
        "encoding/hex.EncodeToString",
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "    bridged  DecodeString(s: str) -> memoryview" in out
    assert "declared zero-copy: it must keep no slice argument after it returns" in out
    assert "the result is a memoryview of Go's array (format 'B')" in out
    assert "declared non-blocking: called with the GIL held" in out
    bad = inspect_run("encoding/hex", "--zero-copy", "encoding/hex.EncodedLen")
    assert bad.returncode == 1
    assert "zero_copy: encoding/hex.EncodedLen has no slice of fixed-size numbers" in bad.stderr
