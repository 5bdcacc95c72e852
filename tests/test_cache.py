"""Cache location, content fingerprints, bundle keys and the cross-process build lock."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from goffi.cache import (
    bundle_key,
    cache_root,
    fingerprint_local_module,
    goffi_source_hash,
    locked,
    python_abi_tag,
)

# ----------------------------------------------------------------------------- cache_root


def test_cache_root_explicit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOFFI_CACHE_DIR", str(tmp_path / "a" / "b"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "a" / "b"
    assert (tmp_path / "a" / "b").is_dir()


def test_cache_root_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GOFFI_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "goffi"
    assert cache_root().is_dir()


def test_cache_root_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GOFFI_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_root() == tmp_path / ".cache" / "goffi"
    assert cache_root().is_dir()


# ------------------------------------------------------------------------ source hashing


def test_goffi_source_hash_is_stable_sha256() -> None:
    h = goffi_source_hash()
    assert len(h) == 64 and int(h, 16) >= 0
    assert goffi_source_hash() == h
    goffi_source_hash.cache_clear()  # recomputing over the same files gives the same hash
    assert goffi_source_hash() == h


def make_module(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


@pytest.fixture
def module(tmp_path: Path) -> Path:
    return make_module(
        tmp_path / "mod",
        {
            "go.mod": "module example.com/mod\n\ngo 1.24\n",
            "go.sum": "",
            "mod.go": "package mod\n\nfunc A() int { return 1 }\n",
            "mod_test.go": "package mod\n",
            "sub/sub.go": "package sub\n",
            "sub/helper.c": "int helper(void) { return 1; }\n",
        },
    )


def test_fingerprint_is_stable(module: Path) -> None:
    assert fingerprint_local_module(module) == fingerprint_local_module(module)
    assert len(fingerprint_local_module(module)) == 64


@pytest.mark.parametrize(
    ("rel", "content"),
    [
        ("mod.go", "package mod\n\nfunc A() int { return 2 }\n"),  # edited source
        ("sub/helper.c", "int helper(void) { return 2; }\n"),  # edited C
        ("sub/new.h", "#define X 1\n"),  # new header
        ("asm.s", "// asm\n"),
        ("go.mod", "module example.com/mod\n\ngo 1.25\n"),
        ("go.sum", "example.com/x v1.0.0 h1:abc=\n"),
        ("vendor/example.com/x/x.go", "package x\n"),  # vendor is kept
        ("other/other.go", "package other\n"),  # new package
    ],
)
def test_fingerprint_changes_with_build_inputs(module: Path, rel: str, content: str) -> None:
    before = fingerprint_local_module(module)
    make_module(module, {rel: content})
    assert fingerprint_local_module(module) != before


@pytest.mark.parametrize(
    "files",
    [
        {"mod_test.go": "package mod\n\nfunc TestX() {}\n"},  # tests never reach the bundle
        {"sub/sub_test.go": "package sub\n"},
        {"testdata/x.go": "package x\n"},
        {".git/HEAD": "ref: refs/heads/main\n"},
        {".hidden/x.go": "package x\n"},
        {"_scratch/x.go": "package x\n"},
        {"_ignored.go": "package mod\n"},
        {"README.md": "docs\n"},
        # A subdirectory with its own go.mod is a different module.
        {"nested/go.mod": "module example.com/nested\n", "nested/n.go": "package nested\n"},
    ],
)
def test_fingerprint_ignores_non_inputs(module: Path, files: dict[str, str]) -> None:
    before = fingerprint_local_module(module)
    make_module(module, files)
    assert fingerprint_local_module(module) == before


def test_fingerprint_sees_renames(module: Path) -> None:
    before = fingerprint_local_module(module)
    (module / "mod.go").rename(module / "mod2.go")
    assert fingerprint_local_module(module) != before


def test_fingerprint_requires_module_root(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no go\.mod"):
        fingerprint_local_module(tmp_path)


def test_fingerprint_is_fast_for_small_modules(module: Path) -> None:
    import time

    start = time.perf_counter()
    for _ in range(50):
        fingerprint_local_module(module)
    assert (time.perf_counter() - start) / 50 < 0.02


# ---------------------------------------------------------------------- keys and tags


def test_bundle_key_is_canonical() -> None:
    a = bundle_key({"go": "go1.26.8", "abi": "cpython-311", "pkgs": "strings"})
    b = bundle_key({"pkgs": "strings", "abi": "cpython-311", "go": "go1.26.8"})
    assert a == b
    assert len(a) == 20 and int(a, 16) >= 0
    assert bundle_key({"go": "go1.26.9", "abi": "cpython-311", "pkgs": "strings"}) != a
    # Keys and values are not confusable by concatenation.
    assert bundle_key({"ab": "c"}) != bundle_key({"a": "bc"})


def test_python_abi_tag() -> None:
    tag = python_abi_tag()
    assert sys.implementation.cache_tag is not None
    assert sys.implementation.cache_tag in tag
    assert sysconfig.get_config_var("EXT_SUFFIX") in tag


# ------------------------------------------------------------------------------ locking


def test_locked_excludes_other_holders(tmp_path: Path) -> None:
    lock = tmp_path / "deep" / "key.lock"

    def try_lock() -> bool:
        # A separate open file description conflicts just like another process would.
        fd = os.open(lock, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        finally:
            os.close(fd)
        return True

    with locked(lock):
        assert lock.exists()
        assert not try_lock()
    assert try_lock()


def test_locked_serializes_processes(tmp_path: Path) -> None:
    counter = tmp_path / "counter"
    counter.write_text("0")
    # Read-sleep-write is a lost-update race unless the lock serializes the workers.
    worker = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from goffi.cache import locked
        counter = Path({str(counter)!r})
        with locked(Path({str(tmp_path / "key.lock")!r})):
            n = int(counter.read_text())
            time.sleep(0.05)
            counter.write_text(str(n + 1))
        """
    )
    procs = [subprocess.Popen([sys.executable, "-c", worker]) for _ in range(5)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 5
    assert counter.read_text() == "5"


def test_locked_releases_on_error(tmp_path: Path) -> None:
    lock = tmp_path / "key.lock"
    with pytest.raises(RuntimeError), locked(lock):
        raise RuntimeError("build failed")
    with locked(lock):  # would deadlock if the first lock were still held
        pass
