"""Where goffi keeps built bundles, and how it decides a cached bundle is still valid.

A bundle is reused only when every input that could change the built extension is
the same: goffi's own sources, the Go toolchain, the Python ABI, the requested
packages (and the contents of local ones) and the build options. All of that is
folded into one key by `bundle_key`.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import importlib.machinery
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

# hashlib is imported by the functions that hash: a warm goffi.load (goffi.warm) uses this
# module's file lists and stats, and hashes nothing.

# goffi's own files that shape a bundle: the Python renderer, and the Go/C sources and
# templates it copies or fills in, and its Go tools' module files (go.mod, go.sum, and the
# mutation tool's go1.24.mod/.sum for older toolchains). Anything else in the package dir
# (bytecode, py.typed) cannot change a build.
_GOFFI_SOURCE_SUFFIXES = frozenset({".py", ".go", ".c", ".h", ".tmpl", ".mod", ".sum"})

# Files `go build` reads for a package. Beyond the usual .go/.c/.h/.s this includes the
# other sources cgo compiles (C++, Objective-C, preprocessed assembly) and .syso objects
# the linker picks up, since a change to any of them changes the built extension.
_MODULE_INPUT_SUFFIXES = frozenset(
    {".go", ".c", ".h", ".s", ".S", ".sx", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx", ".m", ".syso"}
)
_MODULE_INPUT_NAMES = frozenset({"go.mod", "go.sum"})


def cache_root() -> Path:
    """The directory goffi caches into, created if missing.

    `$GOFFI_CACHE_DIR`, else `$XDG_CACHE_HOME/goffi`, else `~/.cache/goffi`.
    """
    explicit = os.environ.get("GOFFI_CACHE_DIR")
    if explicit:
        root = Path(explicit).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        # The XDG spec says relative values are invalid and must be ignored.
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
        root = base / "goffi"
    # Absolute, so the path stays valid if the process later changes directory.
    root = root.absolute()
    root.mkdir(parents=True, exist_ok=True)
    return root


def _hash_files(files: Sequence[tuple[str, str | Path]]) -> str:
    """sha256 over (relative path, content) pairs, in sorted path order."""
    import hashlib

    h = hashlib.sha256()
    for rel, path in sorted(files):
        # Length-prefix both fields so that no two different (path, content) sequences
        # can produce the same byte stream.
        with open(path, "rb") as f:
            data = f.read()
        name = rel.encode("utf-8", "surrogateescape")
        h.update(len(name).to_bytes(8, "little"))
        h.update(name)
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def goffi_dir() -> str:
    """The folder of goffi's package (its sources)."""
    return os.path.dirname(os.path.abspath(__file__))


def goffi_source_files() -> list[tuple[str, str]]:
    """(relative path, path) of each of goffi's own files that shape a bundle, sorted."""
    # The benchmark suite does not shape any bundle; bytecode is not a source.
    return walk_files(
        goffi_dir(),
        lambda rel, path, name: name != "__pycache__" and rel != "bench",
        lambda name: os.path.splitext(name)[1] in _GOFFI_SOURCE_SUFFIXES,
    )


def walk_files(
    top: str,
    keep_dir: Callable[[str, str, str], bool],
    keep_file: Callable[[str], bool],
) -> list[tuple[str, str]]:
    """(relative path with '/', path) of the files under ``top`` whose name ``keep_file``
    accepts, in the folders ``keep_dir(relative path, path, name)`` accepts, sorted; as
    os.walk finds them (symbolic links to folders are not followed, unreadable folders
    are skipped), with fewer path operations: a warm goffi.load walks goffi's sources and
    the bundle on every load."""
    files: list[tuple[str, str]] = []
    folders = [("", top)]
    while folders:
        prefix, folder = folders.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not entry.is_symlink() and keep_dir(rel, entry.path, entry.name):
                    folders.append((rel + "/", entry.path))
            elif keep_file(entry.name):
                files.append((rel, entry.path))
    files.sort()
    return files


@functools.cache
def goffi_source_hash() -> str:
    """sha256 of goffi's own package files, so a changed renderer never reuses a stale bundle.

    Memoized: the installed sources do not change under a running process (and if they
    did, the process would still be running the old Python code anyway). Across processes
    the hash is kept in ``<cache>/tools/goffi-source-hash.json`` with the (size, mtime,
    ctime, inode) of every file it covers, so a warm ``goffi.load`` only stats them: any
    change to a file (which always moves its ctime) or a file added or removed hashes again.
    """
    files = goffi_source_files()
    try:
        signature = json.dumps([goffi_dir(), stat_signature(files)])
    except OSError:
        return _hash_files(files)
    memo = cache_root() / "tools" / "goffi-source-hash.json"
    try:
        known = json.loads(memo.read_text())
        if (
            isinstance(known, dict)
            and known.get("signature") == signature
            and isinstance(known.get("hash"), str)
        ):
            return str(known["hash"])
    except (OSError, ValueError):
        pass
    digest = _hash_files(files)
    _write_memo(memo, {"signature": signature, "hash": digest})
    return digest


def stat_signature(files: Sequence[tuple[str, str | Path]]) -> list[list[object]]:
    """[relative path, size, mtime, ctime, inode] of each file: any change to a file's
    content moves its ctime (which no program can set back), so an equal signature means
    equal files. Raises OSError for a file that cannot be stat'ed."""
    out: list[list[object]] = []
    for rel, path in files:
        st = os.stat(path)
        out.append([rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino])
    return out


def _write_memo(path: Path, data: Mapping[str, str]) -> None:
    """Best effort: a read-only or full cache only means hashing again next time."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(dict(data)))
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _skipped_dir(name: str) -> bool:
    # The same directories the go tool ignores when matching packages. vendor/ is kept:
    # a module built with -mod=vendor compiles from it.
    return name == "testdata" or name.startswith((".", "_"))


def fingerprint_local_module(module_root: Path) -> str:
    """sha256 of a local Go module's build inputs (relative path + content).

    Covers go.mod, go.sum and the source files of every package in the module; skips
    tests (*_test.go), testdata/, names starting with "." or "_" (the go tool ignores
    those too) and nested modules (a subdirectory with its own go.mod is a different
    module, and may be large).

    Files pulled in with //go:embed are not covered unless they have a source suffix.
    """
    return _hash_files(local_module_files(module_root))


def local_module_files(module_root: str | Path) -> list[tuple[str, str]]:
    """(relative path, path) of each build input of a local Go module, sorted (the files
    :func:`fingerprint_local_module` hashes)."""
    root = os.fspath(module_root)
    if not os.path.isfile(os.path.join(root, "go.mod")):
        # Caller bug rather than user error: local specs always carry a module root.
        raise ValueError(f"{root} is not a Go module root (no go.mod in it)")
    return walk_files(
        root,
        # A subfolder with its own go.mod is another module.
        lambda rel, path, name: not _skipped_dir(name) and not os.path.exists(os.path.join(path, "go.mod")),
        lambda name: (
            not name.startswith((".", "_"))
            and not name.endswith("_test.go")
            and (name in _MODULE_INPUT_NAMES or os.path.splitext(name)[1] in _MODULE_INPUT_SUFFIXES)
        ),
    )


def python_abi_tag() -> str:
    """Identifies the Python ABI a built extension is bound to (e.g. 3.11 vs 3.13t)."""
    impl = sys.implementation
    cache_tag = impl.cache_tag or f"{impl.name}-{sys.version_info[0]}{sys.version_info[1]}"
    # EXTENSION_SUFFIXES[0] is sysconfig's EXT_SUFFIX, without loading sysconfig's data
    # module (~10 ms of a warm goffi.load).
    ext_suffix = importlib.machinery.EXTENSION_SUFFIXES[0] if importlib.machinery.EXTENSION_SUFFIXES else ""
    return f"{cache_tag}{ext_suffix}"


def bundle_key(parts: Mapping[str, str]) -> str:
    """A short, stable cache key (20 hex chars of sha256) for the given build inputs.

    The JSON is canonical (sorted keys, fixed separators) so that the same inputs
    always give the same key, whatever order the caller built the mapping in.
    """
    import hashlib

    canonical = json.dumps(dict(parts), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the lock file `path` (created if missing) for the block.

    Serializes concurrent builds of the same key across processes: the second waits,
    then finds the bundle the first one built. The lock goes away with the process,
    so a crashed build never leaves a stale lock behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
