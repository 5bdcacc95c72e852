"""goffi build --locked: exactly the module versions and go.sum an earlier build recorded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from goffi.errors import BuildError, SpecError
from goffi.lock import Lock, check_honoured, locked_versions, parse_go_mod
from goffi.workspace import parse_spec

_GO_MOD = """module goffi.local/bundle

go 1.27

require (
	example.com/local v0.0.0
	github.com/google/uuid v1.6.0
	golang.org/x/text v0.14.0 // indirect
)

require "github.com/quoted/mod" v1.0.0

replace example.com/local => ./_local/example.com_local
"""


def _lock(go_mod: str = _GO_MOD) -> Lock:
    return Lock(source=Path("/x/goffi-manifest.json"), go_mod=go_mod, go_sum="")


def test_a_go_mod_is_read_with_blocks_comments_quotes_and_replaces() -> None:
    required, replaced = parse_go_mod(_GO_MOD)
    assert required == {
        "example.com/local": "v0.0.0",
        "github.com/google/uuid": "v1.6.0",
        "golang.org/x/text": "v0.14.0",
        "github.com/quoted/mod": "v1.0.0",
    }
    assert replaced == {"example.com/local"}
    # Local (replaced) modules are not locked versions.
    assert _lock().requires() == {
        "github.com/google/uuid": "v1.6.0",
        "golang.org/x/text": "v0.14.0",
        "github.com/quoted/mod": "v1.0.0",
    }


def test_locked_versions_pin_latest_and_branches_to_the_recorded_ones() -> None:
    specs = [
        parse_spec("github.com/google/uuid@latest"),
        parse_spec("golang.org/x/text/unicode/norm@master"),  # a package inside a module
        parse_spec("github.com/google/uuid@v1.6.0"),
        parse_spec("strings"),
    ]
    got = locked_versions(specs, _lock())
    assert [s.version for s in got] == ["v1.6.0", "v0.14.0", "v1.6.0", None]
    assert got[3] == specs[3]


def test_locked_versions_refuse_what_the_lock_cannot_honour() -> None:
    with pytest.raises(SpecError, match=r"--locked: 'github.com/other/mod' is not in the versions recorded"):
        locked_versions([parse_spec("github.com/other/mod")], _lock())
    with pytest.raises(
        SpecError,
        match=r"asks for github.com/google/uuid@v1.5.0, but .* records github.com/google/uuid@v1.6.0",
    ):
        locked_versions([parse_spec("github.com/google/uuid@v1.5.0")], _lock())


def test_a_build_that_needed_other_versions_fails() -> None:
    check_honoured(_GO_MOD, _lock())  # the same versions: fine
    moved = _GO_MOD.replace("golang.org/x/text v0.14.0", "golang.org/x/text v0.15.0")
    with pytest.raises(
        BuildError, match=r"golang.org/x/text@v0.15.0 \(locked: v0.14.0\).*Nothing was installed"
    ):
        check_honoured(moved, _lock())
    added = _GO_MOD + "\nrequire example.com/new v1.2.3\n"
    with pytest.raises(BuildError, match=r"example.com/new@v1.2.3 \(locked: not recorded\)"):
        check_honoured(added, _lock())


def _goffi_build(*args: str, cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "goffi", "build", *args],
        env=dict(os.environ, GOFFI_CACHE_DIR=str(cache), **env),
        capture_output=True,
        text=True,
    )


def test_locked_builds_reuse_the_recorded_versions_without_the_module_proxy(
    tmp_path: Path, session_cache: Path
) -> None:
    out = tmp_path / "uuidpkgs"
    first = _goffi_build("-o", str(out), "github.com/google/uuid@latest", cache=session_cache)
    assert first.returncode == 0, first.stderr
    manifest = json.loads((out / "goffi-manifest.json").read_text())
    (module,) = manifest["modules"]
    version = module.rpartition("@")[2]
    assert f"require github.com/google/uuid {version}" in manifest["go_mod"]
    assert f"github.com/google/uuid {version} h1:" in manifest["go_sum"]

    # With the module proxy off, @latest cannot be resolved ...
    offline = _goffi_build(
        "-o", str(out), "github.com/google/uuid@latest", cache=session_cache, GOPROXY="off"
    )
    assert offline.returncode != 0
    assert "cannot resolve @latest" in offline.stderr
    # ... but --locked needs no resolution: the recorded version, from Go's module cache.
    locked = _goffi_build(
        "-o", str(out), "--locked", "github.com/google/uuid@latest", cache=session_cache, GOPROXY="off"
    )
    assert locked.returncode == 0, locked.stderr
    again = json.loads((out / "goffi-manifest.json").read_text())
    assert again["modules"] == manifest["modules"]
    assert again["go_sum"] == manifest["go_sum"]

    # A recorded checksum that does not match the module fails the build (Go checks go.sum).
    manifest["go_sum"] = manifest["go_sum"].replace(" h1:", " h1:AAAA", 1)
    (out / "goffi-manifest.json").write_text(json.dumps(manifest))
    tampered = _goffi_build(
        "-o", str(out), "--locked", "github.com/google/uuid@latest", cache=session_cache, GOPROXY="off"
    )
    assert tampered.returncode != 0
    assert "checksum mismatch" in tampered.stderr or "SECURITY ERROR" in tampered.stderr

    missing = _goffi_build("-o", str(tmp_path / "none"), "--locked", "strings", cache=session_cache)
    assert missing.returncode != 0
    assert "holds no bundle goffi built" in missing.stderr
