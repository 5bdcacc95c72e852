"""Cache location, content fingerprints, bundle keys and the cross-process build lock."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import goffi
from goffi import store
from goffi.cache import (
    bundle_key,
    cache_root,
    fingerprint_local_module,
    goffi_source_hash,
    locked,
    python_abi_tag,
)
from goffi.errors import BuildError, ExtractionError, SpecError
from goffi.loader import bundle_name

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


def test_goffi_source_hash_is_kept_across_processes_and_sees_every_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm load stats goffi's sources instead of hashing them (a memo in the cache), and
    still sees a change that keeps a file's size and mtime (its ctime moves)."""
    import goffi.cache

    pkg = tmp_path / "goffi"
    (pkg / "runtime" / "c").mkdir(parents=True)
    (pkg / "render.py").write_text("A = 1\n")
    (pkg / "runtime" / "c" / "rt.c").write_text("int x;\n")
    (pkg / "bench").mkdir()
    (pkg / "bench" / "case.py").write_text("B = 1\n")  # never shapes a bundle
    monkeypatch.setattr(goffi.cache, "__file__", str(pkg / "cache.py"))
    monkeypatch.setenv("GOFFI_CACHE_DIR", str(tmp_path / "cache"))
    compute = goffi_source_hash.__wrapped__  # type: ignore[attr-defined]
    first = compute()
    memo = tmp_path / "cache" / "tools" / "goffi-source-hash.json"
    assert json.loads(memo.read_text())["hash"] == first
    assert compute() == first
    (pkg / "bench" / "case.py").write_text("B = 2\n")
    assert compute() == first
    # Same size, same mtime, other content: hashed again.
    source = pkg / "runtime" / "c" / "rt.c"
    st = source.stat()
    time.sleep(0.01)
    source.write_text("int y;\n")
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns))
    changed = compute()
    assert changed != first
    assert json.loads(memo.read_text())["hash"] == changed
    # A new file counts; a garbled memo is recomputed, not trusted.
    (pkg / "runtime" / "c" / "more.h").write_text("")
    assert compute() not in (first, changed)
    memo.write_text("{not json")
    assert compute() == compute()


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


# ------------------------------------------------------------- entries: integrity (no Go)


def make_entry(cache: Path, key: str, files: dict[str, bytes], name: str = "gopkgs") -> Path:
    """A bundle entry laid out as goffi installs one, with a real manifest."""
    entry = cache / "bundles" / key
    folder = entry / name
    folder.mkdir(parents=True)
    for rel, data in files.items():
        (folder / rel).write_bytes(data)
    store.write_manifest(folder, {"key": key, "name": name, "modules": {"strings": "strings"}})
    return entry


ENTRY_FILES = {"__init__.py": b"# init\n", "_bundle.so": bytes(range(256)) * 64, "strings.py": b"x = 1\n"}


def test_intact_entry_passes_and_is_hashed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = make_entry(tmp_path, "k1", ENTRY_FILES)
    manifest, problem = store.check_entry(entry, "gopkgs", {"key": "k1", "name": "gopkgs"})
    assert problem is None and manifest is not None
    assert set(manifest["files"]) == set(ENTRY_FILES)  # type: ignore[arg-type]
    assert (entry / store.VERIFIED).is_file()

    # Later checks only stat: with hashing made impossible, the entry still passes...
    def no_hashing(path: Path) -> str:
        raise AssertionError(f"hashed {path} though its stat did not change")

    monkeypatch.setattr(store, "file_sha256", no_hashing)
    assert store.check_entry(entry, "gopkgs", {"key": "k1"})[1] is None
    # ...and a changed stat (here a rewrite with the same size) makes it hash again.
    (entry / "gopkgs" / "strings.py").write_bytes(b"x = 2\n")
    with pytest.raises(AssertionError, match="hashed"):
        store.check_entry(entry, "gopkgs", {"key": "k1"})


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda f: (f / "_bundle.so").write_bytes(b""), "_bundle.so has 0 bytes, its manifest says 16384"),
        (
            lambda f: (f / "_bundle.so").write_bytes(os.urandom(16384)),
            "_bundle.so does not match the SHA-256",
        ),
        (lambda f: os.truncate(f / "_bundle.so", 100), "_bundle.so has 100 bytes"),
        (lambda f: (f / "strings.py").unlink(), "strings.py is missing"),
        (lambda f: (f / store.MANIFEST).write_text(""), "goffi-manifest.json is empty"),
        (lambda f: (f / store.MANIFEST).write_text("{"), "goffi-manifest.json is not valid JSON"),
        (lambda f: (f / store.MANIFEST).unlink(), "goffi-manifest.json is missing"),
        (lambda f: (f / store.MANIFEST).write_text('{"key": "k1", "name": "gopkgs"}'), "lists no files"),
        (lambda f: (f / store.MANIFEST).write_text('{"key": "other", "name": "gopkgs"}'), "foreign entry"),
    ],
    ids=[
        "zero",
        "random",
        "truncated",
        "deleted",
        "empty-manifest",
        "bad-manifest",
        "no-manifest",
        "old-manifest",
        "foreign",
    ],
)
def test_damaged_entry_is_reported(tmp_path: Path, damage: Any, problem: str) -> None:
    entry = make_entry(tmp_path, "k1", ENTRY_FILES)
    assert store.check_entry(entry, "gopkgs", {"key": "k1"})[1] is None  # verified once: marker written
    damage(entry / "gopkgs")
    manifest, found = store.check_entry(entry, "gopkgs", {"key": "k1", "name": "gopkgs"})
    assert manifest is None
    assert found is not None and problem in found


def test_missing_entry_is_not_damaged(tmp_path: Path) -> None:
    assert store.check_entry(tmp_path / "bundles" / "nope", "gopkgs", {}) == (None, None)


# ---------------------------------------------------------- staging leftovers and pruning


def hold_lock(lock: Path) -> subprocess.Popen[str]:
    """Another process holding `lock` until its stdin closes."""
    code = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from goffi.cache import locked
        with locked(Path({str(lock)!r})):
            print("held", flush=True)
            sys.stdin.read()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    return proc


def test_stale_staging_is_removed_and_live_staging_kept(tmp_path: Path) -> None:
    bundles = tmp_path / "bundles"
    dead = bundles / ".deadkey.abc123"
    live = bundles / ".livekey.def456"
    for d in (dead, live):
        (d / "gopkgs").mkdir(parents=True)
    holder = hold_lock(store.lock_path(tmp_path, "livekey"))
    try:
        removed = store.remove_stale_staging(tmp_path)
        assert removed == [dead] and not dead.exists() and live.is_dir()
        # Older than any build can take: removed even while its lock is held.
        old = time.time() - store.STALE_STAGING_SECONDS - 60
        os.utime(live, (old, old))
        assert store.remove_stale_staging(tmp_path) == [live]
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)


def test_prune_by_age_and_size_least_recently_used_first(tmp_path: Path) -> None:
    now = time.time()
    for i, key in enumerate(["a", "b", "c", "d"]):  # a used longest ago
        entry = make_entry(tmp_path, key, {"_bundle.so": b"x" * 100_000})
        store.touch_last_use(entry)
        t = now - (4 - i) * 86400
        os.utime(entry / store.LAST_USE, (t, t))
    assert [e.key for e in store.list_entries(tmp_path)] == ["a", "b", "c", "d"]
    removed = store.prune(tmp_path, older_than=3.5 * 86400)
    assert [e.key for e in removed] == ["a"]
    size = store.list_entries(tmp_path)[0].size
    removed = store.prune(tmp_path, max_size=2 * size)
    assert [e.key for e in removed] == ["b"]
    assert [e.key for e in store.list_entries(tmp_path)] == ["c", "d"]
    # An entry being built (its lock held) is never removed; `keep` spares one too.
    holder = hold_lock(store.lock_path(tmp_path, "c"))
    try:
        assert store.prune(tmp_path, max_size=0, keep=frozenset({"d"})) == []
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    assert [e.key for e in store.clear(tmp_path)] == ["c", "d"]
    assert store.list_entries(tmp_path) == []


def test_prune_removes_damaged_entries_and_spares_recent_ones(tmp_path: Path) -> None:
    broken = make_entry(tmp_path, "broken", ENTRY_FILES)
    (broken / "gopkgs" / "strings.py").unlink()
    fresh = make_entry(tmp_path, "fresh", ENTRY_FILES)
    store.touch_last_use(fresh)
    assert store.list_entries(tmp_path)[0].problem == "strings.py is missing"
    assert [e.key for e in store.prune(tmp_path, max_size=0, spare_recent=True)] == ["broken"]
    assert [e.key for e in store.list_entries(tmp_path)] == ["fresh"]


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("2G", 2 * 1024**3),
        ("500M", 500 * 1024**2),
        ("1.5K", 1536),
        ("4096", 4096),
        ("2GiB", 2 * 1024**3),
        ("0", 0),
    ],
)
def test_parse_size(text: str, size: int) -> None:
    assert store.parse_size(text) == size


@pytest.mark.parametrize(
    ("text", "seconds"), [("30d", 30 * 86400), ("12h", 43200), ("90m", 5400), ("2w", 14 * 86400)]
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert store.parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["2X", "", "-1G", "d30"])
def test_parse_rejects_junk(bad: str) -> None:
    with pytest.raises(ValueError, match=r"write e\.g\."):
        store.parse_size(bad)
    with pytest.raises(ValueError, match=r"write e\.g\."):
        store.parse_duration(bad)


def test_default_max_size(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOFFI_CACHE_MAX_SIZE", raising=False)
    assert store.default_max_size() == 2 * 1024**3
    monkeypatch.setenv("GOFFI_CACHE_MAX_SIZE", "300M")
    assert store.default_max_size() == 300 * 1024**2
    monkeypatch.setenv("GOFFI_CACHE_MAX_SIZE", "0")
    assert store.default_max_size() is None


# ------------------------------------------------- real bundles: faults, each in a process

LOAD_STRINGS = "import goffi; print(goffi.load('strings').ToUpper('ok'))"


def go_wrapper(path: Path, log: Path) -> Path:
    """A GOFFI_GO that logs each go command, and stalls c-shared builds when GOFFI_TEST_STALL is set."""
    from goffi.toolchain import find_go

    real = find_go().go
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{log}"\n'
        'case "$*" in *-buildmode=c-shared*) [ -n "$GOFFI_TEST_STALL" ] && sleep 600;; esac\n'
        f'exec "{real}" "$@"\n'
    )
    path.chmod(0o755)
    return path


def c_shared_builds(log: Path) -> int:
    return sum("-buildmode=c-shared" in line for line in log.read_text().splitlines()) if log.exists() else 0


def run_in(cache: Path, code: str, go: Path | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GOFFI_CACHE_DIR=str(cache), GOFFI_VERBOSE="0", **extra)
    if go is not None:
        env["GOFFI_GO"] = str(go)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache holding the extractor and a `strings` bundle, to copy for each fault."""
    cache = tmp_path_factory.mktemp("pristine-cache")
    done = run_in(cache, LOAD_STRINGS)
    assert done.returncode == 0 and done.stdout == "OK\n", done.stderr
    return cache


def copy_cache(pristine: Path, dest: Path) -> tuple[Path, Path]:
    """A copy of the pristine cache, and its `strings` bundle folder."""
    shutil.copytree(pristine, dest, symlinks=True)
    (entry,) = store.list_entries(dest)
    (folder,) = [p for p in entry.path.iterdir() if p.is_dir() and p.name.startswith("gopkgs_")]
    return dest, folder


def _flip(path: Path) -> None:
    with open(path, "r+b") as f:
        f.seek(path.stat().st_size // 2)
        data = f.read(64)
        f.seek(-len(data), os.SEEK_CUR)
        f.write(bytes(b ^ 0xFF for b in data))


def _drop_modules(folder: Path) -> None:
    manifest = json.loads((folder / store.MANIFEST).read_text())
    manifest["modules"] = {}  # was a bare KeyError at load
    (folder / store.MANIFEST).write_text(json.dumps(manifest))


def _so(folder: Path) -> Path:
    (so,) = folder.glob("_bundle*.so")
    return so


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (
            lambda f: os.truncate(_so(f), _so(f).stat().st_size // 3),
            r"_bundle\..*\.so has \d+ bytes, its manifest says",
        ),
        (lambda f: _flip(_so(f)), r"_bundle\..*\.so does not match the SHA-256 in its manifest"),
        (lambda f: _so(f).write_bytes(b""), r"_bundle\..*\.so has 0 bytes"),
        (lambda f: _so(f).write_bytes(os.urandom(_so(f).stat().st_size)), "does not match the SHA-256"),
        (lambda f: (f / "__init__.py").unlink(), "__init__.py is missing"),
        (lambda f: (f / "strings.py").unlink(), "strings.py is missing"),
        (lambda f: (f / store.MANIFEST).write_text(""), "goffi-manifest.json is empty"),
        (lambda f: (f / store.MANIFEST).unlink(), "goffi-manifest.json is missing"),
        (_drop_modules, "its manifest's module table lacks strings"),
    ],
    ids=[
        "truncated",
        "flipped",
        "zero-bytes",
        "random",
        "no-init",
        "no-module",
        "empty-manifest",
        "no-manifest",
        "no-modules",
    ],
)
def test_damaged_bundle_is_rebuilt_with_a_warning(
    pristine: Path, tmp_path: Path, damage: Any, problem: str
) -> None:
    """Issue 11: a damaged .so crashed every later load (SIGBUS/SIGSEGV), other damage gave
    bare ImportError/KeyError; now each is found before loading, and rebuilt."""
    cache, folder = copy_cache(pristine, tmp_path / "cache")
    damage(folder)
    log = tmp_path / "go.log"
    go = go_wrapper(tmp_path / "bin" / "go", log)
    done = run_in(cache, LOAD_STRINGS, go)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "OK\n"
    warnings = [line for line in done.stderr.splitlines() if "CacheWarning" in line]
    assert len(warnings) == 1, done.stderr
    assert re.search(
        rf"goffi: the cached bundle {re.escape(str(folder.parent))} is damaged \(.*{problem}", warnings[0]
    )
    assert warnings[0].endswith("; rebuilding it")
    assert c_shared_builds(log) == 1
    again = run_in(cache, LOAD_STRINGS, go)  # healed: no warning, no build
    assert (again.returncode, again.stdout, again.stderr) == (0, "OK\n", "")
    assert c_shared_builds(log) == 1


def test_foreign_entry_is_rebuilt(pristine: Path, tmp_path: Path) -> None:
    cache, folder = copy_cache(pristine, tmp_path / "cache")
    manifest = json.loads((folder / store.MANIFEST).read_text())
    manifest["key"] = "0" * 20  # say, copied in from another key
    (folder / store.MANIFEST).write_text(json.dumps(manifest))
    done = run_in(cache, LOAD_STRINGS)
    assert done.returncode == 0 and done.stdout == "OK\n", done.stderr
    assert (
        "says key '00000000000000000000', not" in done.stderr
        and "(a foreign entry)); rebuilding it" in done.stderr
    )


def test_killed_build_leaves_staging_that_the_next_build_removes(pristine: Path, tmp_path: Path) -> None:
    """Issue 11 leak (8): `bundles/.<key>.<random>` of a killed build stayed forever."""
    cache = tmp_path / "cache"
    shutil.copytree(pristine / "tools", cache / "tools")  # the extractor, but no bundle
    go = go_wrapper(tmp_path / "bin" / "go", tmp_path / "go.log")
    env = dict(
        os.environ, GOFFI_CACHE_DIR=str(cache), GOFFI_VERBOSE="0", GOFFI_GO=str(go), GOFFI_TEST_STALL="1"
    )
    proc = subprocess.Popen([sys.executable, "-c", LOAD_STRINGS], env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not list((cache / "bundles").glob(".*")) and time.monotonic() < deadline:
            assert proc.poll() is None, "the stalled build ended by itself"
            time.sleep(0.2)
        (staging,) = (cache / "bundles").glob(".*")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert staging.is_dir()  # what the kill left behind
    done = run_in(cache, LOAD_STRINGS, go)
    assert done.returncode == 0 and done.stdout == "OK\n", done.stderr
    assert not staging.exists()
    assert [p.name for p in (cache / "bundles").iterdir()] == [store.list_entries(cache)[0].key]


def test_concurrent_cold_loads_build_once(pristine: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(pristine / "tools", cache / "tools")
    log = tmp_path / "go.log"
    go = go_wrapper(tmp_path / "bin" / "go", log)
    env = dict(os.environ, GOFFI_CACHE_DIR=str(cache), GOFFI_VERBOSE="1", GOFFI_GO=str(go))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LOAD_STRINGS],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    assert [out for out, _ in results] == ["OK\n"] * 3
    compiled = [
        line
        for _, err in results
        for line in err.splitlines()
        if "compiling bundle" in line and "done" in line
    ]
    assert len(compiled) == 1, results
    assert c_shared_builds(log) == 1


# ---------------------------------------------------- build failures: true, never cached


def write_module(root: Path, files: dict[str, str]) -> Path:
    return make_module(root, {"go.mod": "module example.com/ct\n\ngo 1.24\n", **files})


def build_in(cache: Path, spec: str) -> Any:
    from goffi.build import Progress, build_bundle
    from goffi.workspace import parse_spec

    return build_bundle([parse_spec(spec)], cache=cache, progress=Progress(False))


def test_package_main_says_it_is_a_program(pristine: Path, tmp_path: Path) -> None:
    mod = write_module(
        tmp_path / "m",
        {"prog/main.go": 'package main\n\nfunc Hello() string { return "hi" }\n\nfunc main() {}\n'},
    )
    with pytest.raises(
        SpecError, match=r"\(example\.com/ct/prog\) is package main, a program: Go cannot import"
    ) as e:
        build_in(tmp_path / "cache", str(mod / "prog"))
    assert "goffi bug" not in str(e.value)


@pytest.mark.parametrize(
    ("spec", "parent"), [("internal/bytealg", "the standard library"), ("LOCAL", "example.com/ct/lib")]
)
def test_internal_package_says_why(tmp_path: Path, spec: str, parent: str) -> None:
    mod = write_module(
        tmp_path / "m", {"lib/internal/secret/s.go": "package secret\n\nfunc S() int { return 1 }\n"}
    )
    if spec == "LOCAL":
        spec = str(mod / "lib" / "internal" / "secret")
    with pytest.raises(
        SpecError, match=rf"is an internal package: Go lets only the packages inside {parent} import it"
    ):
        build_in(tmp_path / "cache", spec)


@pytest.mark.parametrize(
    ("spec", "guess"), [("strngs", "'strings'"), ("net/htpp", "'net/http'"), ("nosuchpkg", None)]
)
def test_a_misspelt_standard_package_says_so(tmp_path: Path, spec: str, guess: str | None) -> None:
    """Go's own message was `extractor: package strngs: package strngs is not in std`, after
    a workspace and with goffi's implicit packages listed as if the user had asked for them."""
    with pytest.raises(SpecError) as e:
        build_in(tmp_path / "cache", spec)
    msg = str(e.value)
    assert msg.startswith(f"{spec!r} is not a package of Go's standard library (go1.")
    assert (f"(did you mean {guess}" in msg) == (guess is not None), msg
    assert "Check the spelling. A package from a module is named with its module path and a version" in msg
    assert "context" not in msg


def test_package_that_does_not_compile_says_so(pristine: Path, tmp_path: Path) -> None:
    mod = write_module(tmp_path / "m", {"bad/bad.go": 'package bad\n\nfunc F() int { return "x" }\n'})
    cache, _ = copy_cache(pristine, tmp_path / "cache")
    with pytest.raises(ExtractionError) as e:
        build_in(cache, str(mod / "bad"))
    msg = str(e.value)
    assert msg.startswith("Go cannot compile example.com/ct/bad, so goffi cannot read its API:\n")
    # At the user's own file, not at goffi's link to its module inside the private workspace.
    where = (mod / "bad" / "bad.go").resolve()
    assert f'\n{where}:3:23: cannot use "x" (untyped string constant) as int value in return statement' in msg
    assert "This is not a goffi bug" in msg


def test_missing_c_library_says_so_and_is_not_cached(pristine: Path, tmp_path: Path) -> None:
    mod = write_module(
        tmp_path / "m",
        {
            "cgolib/l.go": 'package cgolib\n\n// #cgo LDFLAGS: -lgoffi_no_such_library\n// int abs(int);\nimport "C"\n\n'
            "// Abs calls C.\nfunc Abs(x int) int { return int(C.abs(C.int(x))) }\n"
        },
    )
    cache, _ = copy_cache(pristine, tmp_path / "cache")
    before = {e.key for e in store.list_entries(cache)}
    with pytest.raises(
        BuildError, match=r"the C library 'goffi_no_such_library' that a package links .* is not installed"
    ) as e:
        build_in(cache, str(mod / "cgolib"))
    assert "This is not a goffi bug" in str(e.value)
    assert {e.key for e in store.list_entries(cache)} == before
    assert not list((cache / "bundles").glob(".*"))  # no staging left either


def test_library_that_fails_to_load_is_evicted_and_retried(pristine: Path, tmp_path: Path) -> None:
    """Issue 9: a built library the dynamic loader refuses stayed cached, failing every load."""
    mod = write_module(
        tmp_path / "m",
        {
            "cgoundef/u.go": 'package cgoundef\n\n// int ct_nowhere(int);\nimport "C"\n\n'
            "// Twice calls a C function nothing defines.\nfunc Twice(x int) int { return int(C.ct_nowhere(C.int(x))) }\n"
        },
    )
    cache, _ = copy_cache(pristine, tmp_path / "cache")
    before = {e.key for e in store.list_entries(cache)}
    log = tmp_path / "go.log"
    go = go_wrapper(tmp_path / "bin" / "go", log)
    code = f"import goffi\ntry:\n    goffi.load({str(mod / 'cgoundef')!r})\nexcept ImportError as e:\n    print(e)\n"
    for attempt in (1, 2):
        done = run_in(cache, code, go)
        assert done.returncode == 0, done.stderr
        assert "failed to load from a fresh build:" in done.stdout
        assert (
            "undefined symbol: ct_nowhere. goffi removed it from its cache, so the next load builds it again"
            in done.stdout
        )
        assert "a package refers to the C symbol ct_nowhere, which nothing linked defines" in done.stdout
        assert {e.key for e in store.list_entries(cache)} == before
        assert c_shared_builds(log) == attempt


@pytest.mark.parametrize("step", ["extractor", "bundle"])
def test_full_disk_says_so(pristine: Path, tmp_path: Path, step: str) -> None:
    """Issue 9/11: a full disk ended in "This is a goffi bug". The cache is a small tmpfs:
    empty, the extractor's build fills it; holding the extractor and 1M more, the bundle's."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs as a full disk")
    mnt = tmp_path / "small"
    mnt.mkdir()
    tools = pristine / "tools"
    size = 1024**2 + (
        sum(p.stat().st_size for p in tools.rglob("*") if p.is_file()) if step == "bundle" else 0
    )
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr!r}")
    try:
        if step == "bundle":
            shutil.copytree(tools, mnt / "tools")
        code = "import goffi\ntry:\n    goffi.load('strings')\nexcept goffi.GoffiError as e:\n    print(e)\n"
        done = run_in(mnt, code)
        assert done.returncode == 0, done.stderr
        what = "goffi's surface extractor" if step == "extractor" else f"bundle {bundle_name(['strings'])!r}"
        assert done.stdout.startswith(f"out of disk space while Go was building {what}: "), done.stdout
        assert "no space left on device" in done.stdout.lower()
        assert (
            "This is not a goffi bug: free some space, or point goffi's cache elsewhere with GOFFI_CACHE_DIR"
            in done.stdout
        )
        assert "This is a goffi bug" not in done.stdout
        staging = [
            p for area in ("bundles", "tools") if (mnt / area).is_dir() for p in (mnt / area).glob(".*")
        ]
        assert staging == []  # the failed build's staging folder is gone
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_damaged_extractor_is_rebuilt(pristine: Path, tmp_path: Path) -> None:
    from goffi.surface import _verified_extractors, extractor_binary
    from goffi.toolchain import find_go

    cache = tmp_path / "cache"
    shutil.copytree(pristine / "tools", cache / "tools")
    (entry,) = [p for p in (cache / "tools").iterdir() if p.name.startswith("extractor-")]
    binary = entry / "extractor" / "extractor"
    _flip(binary)
    _verified_extractors.clear()
    with pytest.warns(
        goffi.CacheWarning,
        match=r"the cached surface extractor .* is damaged \(extractor does not match the SHA-256",
    ):
        assert extractor_binary(find_go(), cache) == binary
    assert store.check_entry(entry, "extractor", {})[1] is None
    assert subprocess.run([str(binary), "strings"], capture_output=True, cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("option", ["nonblocking", "zero_copy"])
def test_list_options_reject_a_bare_string(option: str) -> None:
    with pytest.raises(
        TypeError,
        match=rf"{option}= takes a list of names, not a single str: write {option}=\['strings.ToUpper'\]",
    ):
        goffi.load("strings", **{option: "strings.ToUpper"})
    with pytest.raises(TypeError, match=rf"{option}= takes names as str, not int"):
        goffi.load("strings", **{option: [1]})


def test_prune_removes_old_build_folders(tmp_path: Path) -> None:
    """A failed build keeps its sources in work/<key> for a report; pruning removes them later."""
    work = tmp_path / "work"
    for name in ("oldkey", "newkey", "inspect-old"):
        (work / name).mkdir(parents=True)
        (work / name / "wrapper.go").write_text("package main\n")
    old = time.time() - store.WORK_KEEP_SECONDS - 60
    for name in ("oldkey", "inspect-old"):
        os.utime(work / name, (old, old))
    store.prune(tmp_path)
    assert sorted(p.name for p in work.iterdir()) == ["newkey"]
    store.clear(tmp_path)
    assert list(work.iterdir()) == []


def test_damage_under_warnings_as_errors_heals_on_the_next_load(pristine: Path, tmp_path: Path) -> None:
    """With -W error the CacheWarning is raised, but the damaged entry is already gone."""
    cache, folder = copy_cache(pristine, tmp_path / "cache")
    os.truncate(_so(folder), 4096)
    first = run_in(cache, LOAD_STRINGS, PYTHONWARNINGS="error")
    assert first.returncode == 1
    assert "goffi.store.CacheWarning: goffi: the cached bundle" in first.stderr
    assert not folder.exists()
    second = run_in(cache, LOAD_STRINGS, PYTHONWARNINGS="error")
    assert (second.returncode, second.stdout, second.stderr) == (0, "OK\n", "")
