"""The entries of goffi's cache: their integrity, last use, listing and pruning.

An *entry* is a directory installed atomically (staged in a sibling ``.<key>.<random>``
folder, then renamed into place) holding one folder of files and a manifest,
``goffi-manifest.json``, that records the size and SHA-256 of every file in it. Bundles
live in ``<cache>/bundles/<key>/<name>/``; goffi's surface extractor in
``<cache>/tools/<name>/extractor/``.

Before an entry is used its files are checked against the manifest: sizes always (a
``stat`` each), contents (SHA-256) only when a file's (size, mtime, inode) differ from
those recorded by the last full check, in ``<entry>/.verified``. So the first process
after a build or a change hashes, and later ones only stat. A damaged, partial or foreign
entry is removed and rebuilt by the caller, with a one-line :class:`CacheWarning`.

Policy: after each build, staging folders whose build is no longer running are removed,
and when the bundles take more than ``$GOFFI_CACHE_MAX_SIZE`` (default 2G; ``0`` turns
automatic pruning off) the least recently used ones are removed until they fit, sparing
any used in the last hour. ``goffi cache`` lists and prunes by hand.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "goffi-manifest.json"
VERIFIED = ".verified"  # in the entry dir: the (size, mtime_ns, inode) of each file last hashed OK
LAST_USE = ".last-use"  # in the entry dir: its mtime is the entry's last use

# A staging folder older than this is removed even if its build's lock cannot be checked
# (no build runs that long); one whose key lock is free is removed at once.
STALE_STAGING_SECONDS = 3600
# Automatic pruning never removes an entry used more recently than this: a process that
# loaded it may still import its Python modules.
RECENT_USE_SECONDS = 3600
DEFAULT_MAX_SIZE = 2 * 1024**3
_SKIPPED_DIRS = frozenset({"__pycache__"})


class CacheWarning(UserWarning):
    """A cache entry was damaged, partial or foreign, and goffi is rebuilding it."""


# ------------------------------------------------------------------------ file records


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def describe_files(folder: Path) -> dict[str, dict[str, int | str]]:
    """{relative path: {"size", "sha256"}} for every file under ``folder`` but the manifest."""
    out: dict[str, dict[str, int | str]] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS)
        for fname in sorted(filenames):
            path = Path(dirpath) / fname
            rel = path.relative_to(folder).as_posix()
            if rel == MANIFEST:
                continue
            out[rel] = {"size": path.stat().st_size, "sha256": file_sha256(path)}
    return out


def write_manifest(folder: Path, fields: Mapping[str, object]) -> None:
    """Write ``folder``'s manifest: ``fields`` plus the size and SHA-256 of each file."""
    manifest = {**fields, "files": describe_files(folder)}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _stat_signature(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.{os.urandom(4).hex()}.tmp")
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        # Best effort: a read-only or full cache still works, it just hashes again next time.


def mark_verified(entry: Path, folder: Path, files: Mapping[str, object]) -> None:
    """Record that ``files`` under ``folder`` were just checked (or written) whole."""
    try:
        stats = {rel: _stat_signature(folder / rel) for rel in files}
    except OSError:
        return
    _atomic_write(entry / VERIFIED, json.dumps(stats, sort_keys=True))


def check_entry(
    entry: Path, folder_name: str, expect: Mapping[str, str]
) -> tuple[dict[str, object] | None, str | None]:
    """Check the cache entry ``entry`` (holding ``entry/folder_name``) before it is used.

    Returns ``(manifest, None)`` when it is intact, ``(None, None)`` when there is no
    entry, and ``(None, problem)`` when it is damaged, partial or foreign, ``problem``
    saying what is wrong. ``expect`` are manifest fields that must have exactly these
    values (the key and name: anything else is a foreign entry).
    """
    if not entry.exists():
        return None, None
    folder = entry / folder_name
    try:
        text = (folder / MANIFEST).read_text()
    except FileNotFoundError:
        return None, f"its manifest {MANIFEST} is missing (an unfinished or partly deleted entry)"
    except (OSError, UnicodeDecodeError) as e:
        return None, f"its manifest {MANIFEST} cannot be read ({e})"
    try:
        manifest = json.loads(text)
    except ValueError:
        what = "empty" if not text.strip() else "not valid JSON"
        return None, f"its manifest {MANIFEST} is {what}"
    if not isinstance(manifest, dict):
        return None, f"its manifest {MANIFEST} is not a JSON object"
    for field, value in expect.items():
        if manifest.get(field) != value:
            return None, f"its manifest says {field} {manifest.get(field)!r}, not {value!r} (a foreign entry)"
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        return None, f"its manifest {MANIFEST} lists no files with sizes and SHA-256"
    signatures: dict[str, list[int]] = {}
    for rel, record in files.items():
        if (
            not isinstance(record, dict)
            or not isinstance(record.get("size"), int)
            or not isinstance(record.get("sha256"), str)
        ):
            return None, f"its manifest's record of {rel} is malformed"
        try:
            signature = _stat_signature(folder / rel)
        except FileNotFoundError:
            return None, f"{rel} is missing"
        except OSError as e:
            return None, f"{rel} cannot be read ({e})"
        if signature[0] != record["size"]:
            return None, f"{rel} has {signature[0]} bytes, its manifest says {record['size']}"
        signatures[rel] = signature
    try:
        verified = json.loads((entry / VERIFIED).read_text())
    except (OSError, ValueError):
        verified = None
    if verified != signatures:
        for rel, record in files.items():
            try:
                digest = file_sha256(folder / rel)
            except OSError as e:
                return None, f"{rel} cannot be read ({e})"
            if digest != record["sha256"]:
                return None, f"{rel} does not match the SHA-256 in its manifest (its content changed)"
        _atomic_write(entry / VERIFIED, json.dumps(signatures, sort_keys=True))
    return manifest, None


# ------------------------------------------------------------------------------ last use


def touch_last_use(entry: Path) -> None:
    """Record that ``entry`` was used now (best effort: a read-only cache is fine)."""
    marker = entry / LAST_USE
    try:
        os.utime(marker)
    except FileNotFoundError:
        with contextlib.suppress(OSError):
            marker.touch()
    except OSError:
        pass


def last_use(entry: Path) -> float:
    for candidate in (entry / LAST_USE, entry):
        try:
            return candidate.stat().st_mtime
        except OSError:
            continue
    return 0.0


# -------------------------------------------------------------------------- locking


def lock_path(cache: Path, key: str) -> Path:
    return cache / "locks" / f"{key}.lock"


def lock_is_free(path: Path) -> bool:
    """Whether no process holds the lock file ``path`` now (then no build of it runs)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------- removal


def discard_damaged(entry: Path, what: str, problem: str, stacklevel: int) -> None:
    """Remove a damaged cache entry, then warn that ``what`` (e.g. "cached bundle") is being
    rebuilt. Removed first: even where warnings are errors, the next load starts clean.
    ``stacklevel`` counts from the caller, as for warnings.warn."""
    remove_entry(entry)
    warnings.warn(
        f"goffi: the {what} {entry} is damaged ({problem}); rebuilding it",
        CacheWarning,
        stacklevel=stacklevel + 1,
    )


def remove_entry(entry: Path) -> None:
    """Remove ``entry``: first renamed aside (so nobody sees half of it), then deleted."""
    aside = entry.with_name(f".{entry.name}.removing-{os.urandom(4).hex()}")
    try:
        os.replace(entry, aside)
    except FileNotFoundError:
        return
    except OSError:
        aside = entry
    shutil.rmtree(aside, ignore_errors=True)


_STAGING_RE = re.compile(r"^\.(?P<key>[^.]+)\.")


def remove_stale_staging(cache: Path, holding: str | None = None, now: float | None = None) -> list[Path]:
    """Remove staging folders (``.<key>.<random>``) left by builds that were killed.

    One is stale when its key's build lock is free (no build of it runs), when it
    belongs to ``holding`` (the key whose lock the caller holds, so its own build is
    not running yet), or when it is older than STALE_STAGING_SECONDS.
    """
    now = time.time() if now is None else now
    removed: list[Path] = []
    for area in ("bundles", "tools"):
        try:
            children = list((cache / area).iterdir())
        except OSError:
            continue
        for child in children:
            m = _STAGING_RE.match(child.name)
            if m is None:
                continue
            key = m.group("key")
            try:
                age = now - child.lstat().st_mtime
            except OSError:
                continue
            stale = age > STALE_STAGING_SECONDS or key == holding or lock_is_free(lock_path(cache, key))
            if stale:
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        child.unlink()
                removed.append(child)
    return removed


# --------------------------------------------------------------------- listing, pruning

# A failed build keeps its generated sources in <cache>/work/<key> for a bug report; pruning
# removes them after this long (clear removes them at once).
WORK_KEEP_SECONDS = 86400


def remove_old_work(cache: Path, keep_seconds: float, now: float) -> None:
    """Remove build folders under ``<cache>/work`` older than ``keep_seconds`` and not in use."""
    try:
        children = list((cache / "work").iterdir())
    except OSError:
        return
    for child in children:
        try:
            age = now - child.lstat().st_mtime
        except OSError:
            continue
        # `goffi inspect` folders take no lock: only an old one is surely not in use.
        unlocked = child.name.startswith("inspect-")
        if unlocked and age < STALE_STAGING_SECONDS:
            continue
        if age >= keep_seconds and (unlocked or lock_is_free(lock_path(cache, child.name))):
            shutil.rmtree(child, ignore_errors=True)


@dataclass(frozen=True)
class Entry:
    key: str
    path: Path
    name: str  # the bundle's Python package name ("" when unreadable)
    packages: tuple[str, ...]
    size: int  # bytes on disk, everything under the entry
    last_use: float  # seconds since the epoch
    problem: str | None  # why it is damaged, or None (sizes checked, not hashes)


def _tree_size(path: Path) -> int:
    total = 0
    for dirpath, _dirnames, filenames in os.walk(path):
        for fname in filenames:
            with contextlib.suppress(OSError):
                total += (Path(dirpath) / fname).lstat().st_size
    return total


def list_entries(cache: Path) -> list[Entry]:
    """The bundle entries of ``cache``, least recently used first."""
    out: list[Entry] = []
    try:
        children = sorted((cache / "bundles").iterdir())
    except OSError:
        return out
    for child in children:
        if child.name.startswith(".") or not child.is_dir():
            continue
        folders = [p for p in child.iterdir() if p.is_dir() and not p.name.startswith(".")]
        name = folders[0].name if len(folders) == 1 else ""
        packages: tuple[str, ...] = ()
        problem: str | None = None
        manifest: dict[str, object] | None = None
        if not name:
            problem = "it does not hold exactly one bundle folder"
        else:
            try:
                loaded = json.loads((child / name / MANIFEST).read_text())
                manifest = loaded if isinstance(loaded, dict) else None
            except (OSError, ValueError):
                manifest = None
            if manifest is None:
                problem = f"its manifest {MANIFEST} is missing or unreadable"
            else:
                modules = manifest.get("modules")
                packages = tuple(sorted(modules)) if isinstance(modules, dict) else ()
                files = manifest.get("files")
                if not isinstance(files, dict):
                    problem = "its manifest lists no files"
                else:
                    for rel, record in files.items():
                        try:
                            size = (child / name / rel).stat().st_size
                        except OSError:
                            problem = f"{rel} is missing"
                            break
                        if not isinstance(record, dict) or size != record.get("size"):
                            problem = f"{rel} has the wrong size"
                            break
        out.append(Entry(child.name, child, name, packages, _tree_size(child), last_use(child), problem))
    out.sort(key=lambda e: e.last_use)
    return out


def prune(
    cache: Path,
    *,
    older_than: float | None = None,
    max_size: int | None = None,
    keep: frozenset[str] = frozenset(),
    spare_recent: bool = False,
    now: float | None = None,
) -> list[Entry]:
    """Remove bundle entries unused for ``older_than`` seconds, then the least recently
    used ones until the rest take at most ``max_size`` bytes. Damaged entries always go.

    Never removes an entry in ``keep``, one being built (its lock is held) or, with
    ``spare_recent``, one used in the last RECENT_USE_SECONDS. Also removes stale staging
    folders. Returns the entries removed.
    """
    now = time.time() if now is None else now
    remove_stale_staging(cache, now=now)
    remove_old_work(cache, 0.0 if older_than is not None and older_than < 0 else WORK_KEEP_SECONDS, now)
    entries = list_entries(cache)
    removed: list[Entry] = []

    def removable(e: Entry) -> bool:
        if e.key in keep or not lock_is_free(lock_path(cache, e.key)):
            return False
        # A damaged entry is of no use to anyone, however recent.
        return e.problem is not None or not (spare_recent and now - e.last_use < RECENT_USE_SECONDS)

    kept: list[Entry] = []
    for e in entries:
        expired = older_than is not None and now - e.last_use > older_than
        if (expired or e.problem is not None) and removable(e):
            remove_entry(e.path)
            removed.append(e)
        else:
            kept.append(e)
    if max_size is not None:
        total = sum(e.size for e in kept)
        for e in list(kept):  # least recently used first
            if total <= max_size:
                break
            if removable(e):
                remove_entry(e.path)
                removed.append(e)
                total -= e.size
    return removed


def clear(cache: Path) -> list[Entry]:
    """Remove every bundle entry not being built, stale staging folders and build folders."""
    return prune(cache, older_than=-1.0)


def default_max_size() -> int | None:
    """``$GOFFI_CACHE_MAX_SIZE`` (e.g. ``2G``), default 2 GiB; ``0`` means no limit."""
    raw = os.environ.get("GOFFI_CACHE_MAX_SIZE", "").strip()
    if not raw:
        return DEFAULT_MAX_SIZE
    try:
        size = parse_size(raw)
    except ValueError:
        return DEFAULT_MAX_SIZE
    return size or None


def prune_after_build(cache: Path, built: str) -> None:
    """The automatic policy, run after each build (see the module docstring)."""
    limit = default_max_size()
    try:
        if limit is None:
            remove_stale_staging(cache)
        else:
            prune(cache, max_size=limit, keep=frozenset({built}), spare_recent=True)
    except OSError:
        pass  # pruning is housekeeping: never fail a load over it


# ---------------------------------------------------------------------------- parsing

_SIZE_UNITS = {"": 1, "B": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_size(text: str) -> int:
    """``2G``, ``500M``, ``1.5G``, ``100K``, ``4096`` (binary units; a trailing B or iB is fine)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*", text, flags=re.I)
    if m is None:
        raise ValueError(f"{text!r} is not a size; write e.g. 2G, 500M, 100K or a number of bytes")
    return int(float(m.group(1)) * _SIZE_UNITS[m.group(2).upper()])


def parse_duration(text: str) -> float:
    """``30d``, ``12h``, ``90m``, ``45s``, ``2w``."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", text)
    if m is None:
        raise ValueError(f"{text!r} is not a duration; write e.g. 30d, 12h, 90m, 45s or 2w")
    return float(m.group(1)) * _DURATION_UNITS[m.group(2)]


def format_size(n: int) -> str:
    if n < 1024:
        return f"{n}B"
    value = float(n)
    for unit in ("K", "M", "G", "T"):
        value /= 1024
        if value < 1024 or unit == "T":
            break
    return f"{value:.1f}{unit}"


def is_no_space(e: BaseException | str) -> bool:
    """Whether an OSError, or a tool's error output, says the disk (or quota) is full."""
    if isinstance(e, OSError):
        return e.errno in (errno.ENOSPC, errno.EDQUOT)
    text = str(e).lower()
    return "no space left on device" in text or "disk quota exceeded" in text


@contextlib.contextmanager
def no_space_hint(where: str) -> Iterator[None]:
    """Turn a full disk while writing into goffi's cache into a clear error."""
    from goffi.errors import BuildError

    try:
        yield
    except OSError as e:
        if is_no_space(e):
            raise BuildError(disk_full_message(where, str(e))) from None
        raise


def disk_full_message(where: str, detail: str) -> str:
    return (
        f"out of disk space while {where}: {detail.strip()}\n"
        "This is not a goffi bug: free some space, or point goffi's cache elsewhere with "
        "GOFFI_CACHE_DIR (and Go's with GOCACHE, temporary files with TMPDIR); "
        "`goffi cache prune` removes old bundles."
    )
