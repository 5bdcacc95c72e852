"""goffi inspect: every exported symbol with its Python signature or the reason it is skipped."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
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
    # An iter.Seq result is a lazy Python iterator (issue 12).
    assert "    bridged  FieldsSeq(s: str) -> Iterator[str]" in out
    assert "a lazy Python iterator: Go produces each item when Python asks" in out
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
    assert strings["NewReader"]["python"] == "NewReader(s: str) -> strings.Reader"  # never nil: &Reader{...}
    assert strings["Builder"]["python"] == "class strings.Builder: handle class"
    assert strings["Builder.WriteString"]["python"] == "Builder.WriteString(self, s: str) -> int"
    assert strings["FieldsSeq"]["python"] == "FieldsSeq(s: str) -> Iterator[str]"
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
    assert "bridged  Warm(c: float, d: float) -> mygo.Celsius" in done.stdout
    assert (
        "note: example.com/mygo.Celsius: example.com/mygo.Celsius is a float subclass with Go's methods"
        in done.stdout
    )
    assert "bridged  Boil: mygo.Celsius = mygo.Celsius(100.0)" in done.stdout
    assert "bridged  class mygo.Celsius: value class, a float subclass (copied)" in done.stdout


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
    assert "declared zero-copy: its slices that Go does not keep are views (see memory)" in out
    assert "the result is a memoryview of Go's array (format 'B')" in out
    assert "declared non-blocking: called with the GIL held" in out
    bad = inspect_run("encoding/hex", "--zero-copy", "encoding/hex.EncodedLen")
    assert bad.returncode == 1
    assert "zero_copy: encoding/hex.EncodedLen has no slice of fixed-size numbers" in bad.stderr


# ------------------------------------------------------------ goffi build -o: user files


@pytest.fixture(scope="module")
def goffi_run(tmp_path_factory: pytest.TempPathFactory) -> Any:
    cache = tmp_path_factory.mktemp("cli-cache")

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        full = {**os.environ, "GOFFI_CACHE_DIR": str(cache), "GOFFI_VERBOSE": "0", **env}
        return subprocess.run(
            [sys.executable, "-m", "goffi", *args], env=full, capture_output=True, text=True, timeout=600
        )

    run.cache = cache  # type: ignore[attr-defined]
    return run


def test_build_never_deletes_a_folder_goffi_did_not_make(goffi_run: Any, tmp_path: Path) -> None:
    """Issue 9: `goffi build -o DIR` deleted an existing DIR with the user's files in it."""
    out = tmp_path / "gopkgs"
    (out / "sub").mkdir(parents=True)
    (out / "notes.txt").write_text("precious")
    (out / "sub" / "data.bin").write_bytes(b"\x00\x01")
    for extra in ((), ("--force",)):
        done = goffi_run("build", "strings", "-o", str(out), *extra)
        assert done.returncode == 1
        assert (
            f"goffi build: -o {out}: {out} is not empty and goffi did not make it (it has no goffi-manifest.json), "
            "so goffi will not delete what is in it, with or without --force." in done.stderr
        )
        assert (out / "notes.txt").read_text() == "precious"
        assert (out / "sub" / "data.bin").read_bytes() == b"\x00\x01"
    (tmp_path / "file").write_text("x")
    done = goffi_run("build", "strings", "-o", str(tmp_path / "file"))
    assert done.returncode == 1 and "exists and is not a folder" in done.stderr
    assert (tmp_path / "file").read_text() == "x"


def test_build_fills_an_empty_folder_and_replaces_its_own(goffi_run: Any, tmp_path: Path) -> None:
    out = tmp_path / "gopkgs"
    out.mkdir()
    assert goffi_run("build", "strings", "-o", str(out)).returncode == 0
    assert (out / "goffi-manifest.json").is_file() and (out / "strings.py").is_file()
    # Its own output, untouched by the user, is simply rebuilt.
    done = goffi_run("build", "strings", "strconv", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert (out / "strconv.py").is_file()
    # Once the user put a file in it, only --force replaces it.
    (out / "mine.txt").write_text("mine")
    done = goffi_run("build", "strings", "-o", str(out))
    assert done.returncode == 1
    assert (
        "is a bundle goffi built, but it also holds files goffi did not write (mine.txt); pass --force"
        in done.stderr
    )
    assert (out / "mine.txt").read_text() == "mine" and (out / "strconv.py").is_file()
    done = goffi_run("build", "strings", "-o", str(out), "--force")
    assert done.returncode == 0, done.stderr
    assert not (out / "mine.txt").exists() and not (out / "strconv.py").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gopkgs"]  # no temporary folders left


# ---------------------------------------------------------------------------- goffi cache


def _fake_entry(cache: Path, key: str, days_unused: float, size: int = 50_000) -> None:
    from goffi import store

    folder = cache / "bundles" / key / "gopkgs"
    folder.mkdir(parents=True)
    (folder / "_bundle.so").write_bytes(b"x" * size)
    store.write_manifest(folder, {"key": key, "name": "gopkgs", "modules": {f"example.com/{key}": key}})
    t = time.time() - days_unused * 86400
    (folder.parent / store.LAST_USE).touch()
    os.utime(folder.parent / store.LAST_USE, (t, t))


def test_cache_lists_prunes_and_clears(goffi_run: Any, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(goffi_run.cache / "tools", cache / "tools")  # the extractor, no bundles
    env = {"GOFFI_CACHE_DIR": str(cache)}
    assert goffi_run("build", "strings", "-o", str(tmp_path / "gopkgs"), **env).returncode == 0
    _fake_entry(cache, "old40days", 40)
    _fake_entry(cache, "old10days", 10)
    (cache / "bundles" / "broken" / "gopkgs").mkdir(parents=True)  # no manifest

    done = goffi_run("cache", **env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert re.fullmatch(
        rf"{re.escape(str(cache))}: \d bundles, [\d.]+M \(limit 2\.0G, GOFFI_CACHE_MAX_SIZE\)", lines[0]
    )
    assert lines[1].split() == ["KEY", "SIZE", "LAST", "USE", "PACKAGES"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert {"old40days", "old10days", "broken"} <= set(rows)
    assert rows["old40days"].rstrip().endswith("example.com/old40days")
    assert re.search(r"\s4\d\.\dK\s", rows["old40days"])  # 50,000 bytes and a manifest
    assert (
        "[damaged: its manifest goffi-manifest.json is missing or unreadable; the next load rebuilds it]"
        in rows["broken"]
    )
    assert any(row.rstrip().endswith("  strings") for row in rows.values())
    doc = json.loads(goffi_run("cache", "list", "--json", **env).stdout)
    assert doc["cache"] == str(cache) and doc["total_size"] == sum(b["size"] for b in doc["bundles"])
    assert {b["key"] for b in doc["bundles"]} == set(rows)

    done = goffi_run("cache", "prune", "--older-than", "30d", **env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("removed 2 bundles")  # the old one and the damaged one
    assert {line.split()[0] for line in done.stdout.splitlines()[1:]} == {"old40days", "broken"}
    # Least recently used first: the strings bundle, made unused for 20 days, goes first,
    # and then the rest (old10days, 49K) fits in 100K.
    (strings_key,) = {b["key"] for b in doc["bundles"]} - {"old40days", "old10days", "broken"}
    t = time.time() - 20 * 86400
    os.utime(cache / "bundles" / strings_key / ".last-use", (t, t))
    done = goffi_run("cache", "prune", "--max-size", "100K", **env)
    assert done.returncode == 0
    assert [line.split()[0] for line in done.stdout.splitlines()[1:]] == [strings_key]
    keys = {b["key"] for b in json.loads(goffi_run("cache", "list", "--json", **env).stdout)["bundles"]}
    assert keys == {"old10days"}
    done = goffi_run("cache", "prune", "--older-than", "30x", **env)
    assert done.returncode == 1 and "'30x' is not a duration; write e.g. 30d" in done.stderr
    done = goffi_run("cache", "clear", **env)
    assert done.returncode == 0 and re.match(r"removed 1 bundle \(4\d\.\dK\)", done.stdout)
    assert json.loads(goffi_run("cache", "list", "--json", **env).stdout)["bundles"] == []


def test_cache_is_pruned_after_each_build_beyond_the_limit(goffi_run: Any, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(goffi_run.cache / "tools", cache / "tools")
    _fake_entry(cache, "unused2days", 2, size=600_000)
    _fake_entry(cache, "unused1day", 1, size=600_000)
    _fake_entry(cache, "usednow", 0, size=600_000)  # in the last hour: spared
    env = {"GOFFI_CACHE_DIR": str(cache), "GOFFI_CACHE_MAX_SIZE": "1M"}
    done = goffi_run("build", "path", "-o", str(tmp_path / "gopkgs"), **env)
    assert done.returncode == 0, done.stderr
    keys = {b["key"] for b in json.loads(goffi_run("cache", "list", "--json", **env).stdout)["bundles"]}
    assert "unused2days" not in keys and "unused1day" not in keys
    assert "usednow" in keys and len(keys) == 2  # and the bundle just built
