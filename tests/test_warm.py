"""A warm goffi.load (goffi.warm, issue 14 item 2): an earlier load's bundle found in a few
stats, without the build pipeline, and never when an input of the cache key changed.

The end-to-end test loads a small local package in new processes and watches which way
each load went: a warm load imports none of the pipeline (``goffi.build``), a load the
whole way does. The unit tests check the memo's evidence in-process, with no Go.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import goffi
import goffi.cache
from goffi import warm
from goffi.toolchain import GoToolchain, find_go

SRC = Path(goffi.__file__).resolve().parent.parent

# What a warm load must not import: the build pipeline and the heavy modules it uses.
PIPELINE = (
    "goffi.build",
    "goffi.workspace",
    "goffi.toolchain",
    "goffi.store",
    "goffi.plan",
    "goffi.render",
    "goffi.surface",
    "subprocess",
    "dataclasses",
    "hashlib",
    "asyncio",
    "typing",
)

PROBE = f"""
import sys
before = set(sys.modules)
import goffi
m = goffi.load(sys.argv[1])
new = set(sys.modules) - before
print(m.Version(), "whole way" if "goffi.build" in new else "warm", sorted(new & set({PIPELINE!r})))
"""


def _wait_past_racy(*paths: Path) -> None:
    """Wait until every file in ``paths`` is older than warm.RACY_SECONDS, so that a load
    may record its memo (a memo never trusts inputs changed in that window)."""
    newest = max(max(p.stat().st_mtime, p.stat().st_ctime) for p in paths)
    delay = newest + warm.RACY_SECONDS + 0.1 - time.time()
    if delay > 0:
        time.sleep(delay)


def _go_wrapper(path: Path, real: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'#!/bin/sh\nexec "{real}" "$@"\n')
    path.chmod(0o755)
    return path


def test_warm_load_is_light_and_sees_every_change(session_cache: Path, tmp_path: Path) -> None:
    module = tmp_path / "warmpkg"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/warmpkg\n\ngo 1.24\n")
    source = module / "warmpkg.go"
    source.write_text("package warmpkg\n\nfunc Version() int { return 1 }\n")
    real_go = find_go().go
    wrapper = _go_wrapper(tmp_path / "bin" / "go", real_go)
    env = dict(os.environ, PYTHONPATH=str(SRC), GOFFI_CACHE_DIR=str(session_cache), GOFFI_VERBOSE="0")
    env.pop("GOFFI_GO", None)

    def load(**extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(module)],
            env={**env, **extra},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip()

    _wait_past_racy(source, module / "go.mod", wrapper)
    assert load().startswith("1 whole way")
    assert load() == "1 warm []"  # none of the pipeline, no subprocess, no hashing

    # An edited package: built again, never the old bundle.
    source.write_text(source.read_text().replace("return 1", "return 2"))
    assert load().startswith("2 whole way")
    _wait_past_racy(source)
    assert load().startswith("2 whole way")  # the first load after the edit records no memo
    assert load() == "2 warm []"

    # The user's GOFLAGS are in the key: a load with other GOFLAGS goes the whole way (and
    # here Go refuses the flag, so the cached bundle is not returned).
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(module)],
        env={**env, "GOFLAGS": "-goffi-no-such-flag"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode != 0 and "-goffi-no-such-flag" in done.stderr, done.stderr[-3000:]

    # Another Go (another binary, even of the same version; a go earlier on PATH; a Go
    # changed in place) is a load the whole way. Same version: the same bundle.
    assert load(GOFFI_GO=str(wrapper)).startswith("2 whole way")
    assert load(GOFFI_GO=str(wrapper)) == "2 warm []"
    wrapper.write_text(wrapper.read_text())  # the same bytes, but a new file change
    assert load(GOFFI_GO=str(wrapper)).startswith("2 whole way")
    assert load(PATH=f"{wrapper.parent}{os.pathsep}{env['PATH']}").startswith("2 whole way")
    assert load().startswith("2 whole way")  # back to the Go on PATH: the memo held the wrapper


# ---------------------------------------------------------------- the memo's evidence, no Go


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """goffi's sources, a bundle folder, a local module and a go binary, all in tmp_path,
    already older than the racy window (RACY_SECONDS patched to 0)."""
    pkg = tmp_path / "goffi"
    (pkg / "render").mkdir(parents=True)
    (pkg / "cache.py").write_text("")
    (pkg / "render" / "glue.py").write_text("A = 1\n")
    monkeypatch.setattr(goffi.cache, "__file__", str(pkg / "cache.py"))
    monkeypatch.setenv("GOFFI_CACHE_DIR", str(tmp_path / "cache"))
    bundle = tmp_path / "cache" / "bundles" / ("k" * 20) / "gopkgs_x"
    bundle.mkdir(parents=True)
    (bundle / "__init__.py").write_text("")
    (bundle / "strings.py").write_text("")
    module = tmp_path / "mod"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/mod\n")
    (module / "mod.go").write_text("package mod\n")
    go = tmp_path / "goroot" / "bin" / "go"
    go.parent.mkdir(parents=True)
    go.write_text("#!/bin/sh\n")
    go.chmod(0o755)
    monkeypatch.setenv("GOFFI_GO", str(go))
    # An hour old: a later write moves the mtime whatever the timestamps' granularity.
    past = time.time() - 3600
    for path in tmp_path.rglob("*"):
        os.utime(path, (past, past))
    monkeypatch.setattr(warm, "RACY_SECONDS", 0.0)
    monkeypatch.chdir(tmp_path)  # where "./mod" is
    return {"pkg": pkg, "bundle": bundle, "module": module, "go": go}


def _record(fake: dict[str, Path], req: str) -> None:
    evidence = warm.snapshot([str(fake["module"])])
    toolchain = GoToolchain(go=fake["go"], version="go1.26.8", goroot=fake["go"].parent.parent)
    warm.record(
        req,
        evidence,
        toolchain,
        ("GOFLAGS", "CC"),
        name="gopkgs_x",
        key="k" * 20,
        package_dir=str(fake["bundle"]),
        modules={"strings": "strings"},
        wanted=["strings"],
        sources={str(fake["module"]): "f" * 64},
        local_dirs={"./mod": str(fake["module"])},
    )


def _request() -> str:
    req = warm.request(["strings", "./mod"], None, [], [], [])
    assert req is not None
    return req


def test_memo_finds_the_bundle_while_nothing_changed(fake: dict[str, Path]) -> None:
    req = _request()
    assert warm.find(req) is None  # nothing recorded yet
    _record(fake, req)
    hit = warm.find(req)
    assert hit is not None
    assert (hit.name, hit.key, hit.package_dir, hit.modules, hit.wanted) == (
        "gopkgs_x",
        "k" * 20,
        str(fake["bundle"]),
        {"strings": "strings"},
        ["strings"],
    )
    assert hit.sources == {str(fake["module"]): "f" * 64}
    # Another request (other options, another folder for a ./ spec) has no memo.
    assert warm.find(warm.request(["strings", "./mod"], None, ["strings.ToUpper"], [], [])) is None
    assert warm.request(["strings"], None, "strings.ToUpper", [], []) is None  # a bare string: the whole way


def _touch(path: Path) -> None:
    path.write_bytes(path.read_bytes())  # the same bytes, written again


@pytest.mark.parametrize(
    "change",
    [
        "goffi source",
        "goffi new file",
        "local source",
        "local new file",
        "bundle file",
        "bundle new file",
        "go binary",
        "GOFLAGS",
        "CC",
        "other GO variable",
        "GOFFI_GO",
        "PATH",
        "folder spec elsewhere",
    ],
)
def test_memo_misses_after_any_change(
    fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, change: str
) -> None:
    req = _request()
    _record(fake, req)
    assert warm.find(req) is not None
    if change == "goffi source":
        _touch(fake["pkg"] / "render" / "glue.py")
    elif change == "goffi new file":
        (fake["pkg"] / "render" / "more.go").write_text("package x\n")
    elif change == "local source":
        _touch(fake["module"] / "mod.go")
    elif change == "local new file":
        (fake["module"] / "extra.c").write_text("")
    elif change == "bundle file":
        _touch(fake["bundle"] / "strings.py")
    elif change == "bundle new file":
        (fake["bundle"] / "extra.py").write_text("")
    elif change == "go binary":
        _touch(fake["go"])
    elif change == "GOFLAGS":
        monkeypatch.setenv("GOFLAGS", "-tags=x")
    elif change == "CC":
        monkeypatch.setenv("CC", "clang")
    elif change == "other GO variable":
        monkeypatch.setenv("GOAMD64", "v3")
    elif change == "GOFFI_GO":
        other = _go_wrapper(tmp_path / "other" / "go", fake["go"])
        monkeypatch.setenv("GOFFI_GO", str(other))
    elif change == "PATH":
        monkeypatch.setenv("PATH", f"{tmp_path / 'elsewhere'}{os.pathsep}{os.environ['PATH']}")
    elif change == "folder spec elsewhere":
        # "./mod" was a folder; now a symbolic link to another module with the same files.
        (tmp_path / "mod").rename(tmp_path / "mod-old")
        (tmp_path / "mod").symlink_to(tmp_path / "mod-old")
    assert warm.find(req) is None


def test_memo_ignores_what_changes_no_build(fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    req = _request()
    _record(fake, req)
    monkeypatch.setenv("GOFFI_GO_RUNTIME", "1:2:3:/x")  # a parent's loaded runtimes
    monkeypatch.setenv("GOFFI_VERBOSE", "1")
    (fake["bundle"] / "__pycache__").mkdir()
    (fake["bundle"] / "__pycache__" / "strings.cpython-311.pyc").write_bytes(b"")
    assert warm.find(req) is not None


def test_memo_is_not_recorded_for_inputs_changed_just_now(
    fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file changed within RACY_SECONDS of the evidence could change again within the
    file system's timestamp granularity and keep its stats: no memo then."""
    monkeypatch.setattr(warm, "RACY_SECONDS", 3600.0)
    req = _request()
    _record(fake, req)
    assert warm.find(req) is None


def test_a_memo_names_a_bundle_in_its_own_cache(
    fake: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A copied cache (a damaged-bundle test, a backup) has its own bundle copies: its memo
    names those, whose new files then miss, never the original cache's bundle."""
    import shutil

    req = _request()
    _record(fake, req)
    shutil.copytree(tmp_path / "cache", tmp_path / "copy")
    monkeypatch.setenv("GOFFI_CACHE_DIR", str(tmp_path / "copy"))
    assert warm.find(req) is None
    monkeypatch.setenv("GOFFI_CACHE_DIR", str(tmp_path / "cache"))
    assert warm.find(req) is not None


def test_a_damaged_memo_is_a_miss(fake: dict[str, Path]) -> None:
    req = _request()
    _record(fake, req)
    (memo,) = (goffi.cache.cache_root() / "warm").iterdir()
    data = json.loads(memo.read_text())
    for damaged in (
        "{not json",
        json.dumps({**data, "request": "other"}),
        json.dumps({"request": req}),
        "[]",
    ):
        memo.write_text(damaged)
        assert warm.find(req) is None


def test_a_go_find_go_did_not_start_from_is_not_recorded(fake: dict[str, Path]) -> None:
    """GOFFI_GO names one Go; a memo of a load that used another (impossible through
    goffi.load, but record must not trust it) is not kept."""
    req = _request()
    evidence = warm.snapshot([])
    other = GoToolchain(go=Path(sys.executable), version="go1.26.8", goroot=Path(sys.prefix))
    warm.record(
        req,
        evidence,
        other,
        (),
        name="gopkgs_x",
        key="k" * 20,
        package_dir=str(fake["bundle"]),
        modules={},
        wanted=[],
        sources={},
        local_dirs={},
    )
    assert warm.find(req) is None


def test_the_memo_identity_of_a_request() -> None:
    here = warm.request(["./pkg"], None, [], [], [])
    std = warm.request(["strings"], None, [], [], [])
    assert here is not None and std is not None
    assert json.loads(here)["cwd"] == os.getcwd() and json.loads(std)["cwd"] is None
    # Options are sets of names; the order of packages is the order of the result.
    assert warm.request(["a", "b"], None, ["x", "y"], [], []) == warm.request(
        ["a", "b"], None, ["y", "x", "x"], [], []
    )
    assert warm.request(["a", "b"], None, [], [], []) != warm.request(["b", "a"], None, [], [], [])
    assert warm.request(["a"], "mine", [], [], []) != warm.request(["a"], None, [], [], [])
    assert warm.request(["a"], None, ("x",), [], []) is not None
    assert warm.request(["a"], None, [1], [], []) is None
