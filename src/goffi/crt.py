"""The C half of goffi's runtime, compiled once into a static archive and linked into each bundle.

goffi's runtime C files (``runtime/c/*.c``, ~190 KB) do not depend on a bundle's API:
compiling them into every bundle made a rebuild after a one-line Go change cost several
times a hand-written cgo build. They are compiled once per C compiler, flags and Python
(headers and version) into ``libgoffi_rt.a``, cached like the surface extractor
(:mod:`goffi.store`: ``<cache>/tools/crt-<hash>/crt/``, a manifest with each file's size
and SHA-256, checked before use, rebuilt with a :class:`~goffi.store.CacheWarning` when
damaged), and linked into each bundle by a ``#cgo LDFLAGS`` line in the workspace's
``goffi_crt.go`` (see :data:`ARCHIVE`).

The runtime calls Go through the exports it declares itself (``goffi_exports.h``), so it
compiles without the bundle's cgo-generated ``_cgo_export.h``; every bundle's wrapper
includes it in its cgo preamble, so cgo's ``_cgo_export.c`` sees both declarations and a
prototype that drifted from its Go export fails the build.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from goffi import store
from goffi.cache import locked, python_abi_tag
from goffi.errors import BuildError

#: The archive's file name, in its cache entry and in a bundle's Go workspace.
ARCHIVE = "libgoffi_rt.a"

RUNTIME_C_DIR = Path(__file__).resolve().parent / "runtime" / "c"

# What cgo passes to the C compiler on this platform besides the user's flags (go env
# GOGCCFLAGS, without its per-build temporary paths): position-independent code for a
# shared library, and threads.
_CGO_FLAGS = ("-fPIC", "-pthread", "-fmessage-length=0", "-gno-record-gcc-switches")


def compile_flags(include: Path | str) -> list[str]:
    """The flags the runtime's C files are compiled with: cgo's own, then the bundle's
    ``CGO_CFLAGS`` (goffi.build.build_env: Python's headers, -O2), then the user's."""
    arch = ["-m64"] if platform.machine() in ("x86_64", "AMD64") else []
    user = shlex.split(os.environ.get("CGO_CPPFLAGS", "")) + shlex.split(os.environ.get("CGO_CFLAGS", ""))
    return [*_CGO_FLAGS, *arch, f"-I{include}", f"-ffile-prefix-map={include}=/_/python", "-O2", *user]


def _compiler_identity(cc: str) -> str:
    """What the C compiler is (its version line and target): a new compiler, a new archive."""
    words = shlex.split(cc)
    parts = []
    for flag in ("--version", "-dumpmachine"):
        try:
            done = subprocess.run([*words, flag], capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise BuildError(
                f"cannot run the C compiler {cc!r} ({e}); cgo needs a working one: set CC to a C "
                "compiler (e.g. CC=gcc) or install gcc"
            ) from None
        parts.append((done.stdout.strip().splitlines() or [""])[0])
    return "\n".join(parts)


def _sources() -> list[Path]:
    return sorted(p for p in RUNTIME_C_DIR.iterdir() if p.suffix in (".c", ".h"))


def archive_key(cc: str, include: Path | str) -> str:
    """sha256 over everything the archive is made of: the runtime's C sources and headers,
    the compiler, the flags, and the Python whose headers it compiles against."""
    h = hashlib.sha256()
    for p in _sources():
        data = p.read_bytes()
        h.update(f"{p.name}\0{len(data)}\0".encode())
        h.update(data)
    pyconfig = Path(include) / "pyconfig.h"
    for field in (
        cc,
        _compiler_identity(cc),
        "\0".join(compile_flags(include)),
        str(include),
        python_abi_tag(),
        sys.version,
        pyconfig.read_text(errors="replace") if pyconfig.is_file() else "",
    ):
        h.update(f"{len(field)}\0{field}\0".encode())
    return h.hexdigest()


# The archives this process checked already (a new source, compiler or flag is a new path).
_verified: dict[Path, bool] = {}


def runtime_archive(cc: str, include: Path | str, cache_dir: Path) -> Path:
    """The C runtime compiled with ``cc`` against the headers in ``include``, compiled now
    if not cached yet. Concurrent builders serialize on a lock; a damaged entry is removed
    (with a warning) and compiled again."""
    entry_name = f"crt-{archive_key(cc, include)[:20]}"
    tools = cache_dir / "tools"
    entry = tools / entry_name
    target = entry / "crt" / ARCHIVE
    expect = {"name": entry_name}
    if _verified.get(target) or store.check_entry(entry, "crt", expect)[0] is not None:
        _verified[target] = True
        return target
    with store.no_space_hint(f"compiling goffi's C runtime into {tools}"):
        tools.mkdir(parents=True, exist_ok=True)
        with locked(store.lock_path(cache_dir, entry_name)):
            manifest, problem = store.check_entry(entry, "crt", expect)
            if manifest is None:
                if problem is not None:
                    store.discard_damaged(entry, "cached C runtime", problem, stacklevel=3)
                store.remove_stale_staging(cache_dir, holding=entry_name)
                _compile(cc, include, tools, entry, entry_name)
    _verified[target] = True
    return target


def _compile(cc: str, include: Path | str, tools: Path, entry: Path, entry_name: str) -> None:
    ar = shutil.which("ar") or shutil.which("gcc-ar") or shutil.which("llvm-ar")
    if ar is None:
        raise BuildError(
            "goffi links its C runtime into each bundle as a static archive, which needs `ar` "
            "(binutils), but it is not on PATH: install binutils (it comes with gcc)"
        )
    staging = Path(tempfile.mkdtemp(prefix=f".{entry_name}.", dir=tools))
    try:
        folder = staging / "crt"
        objects = staging / "obj"
        folder.mkdir()
        objects.mkdir()
        # Sources copied next to the objects, and their folder mapped to a fixed name: no
        # absolute path of this machine ends up in the objects (as -trimpath does for Go).
        src = staging / "src"
        shutil.copytree(RUNTIME_C_DIR, src)
        flags = [*compile_flags(include), f"-ffile-prefix-map={staging}=/_/goffi/runtime", f"-I{src}"]
        sources = sorted(p for p in src.iterdir() if p.suffix == ".c")

        def one(c_file: Path) -> subprocess.CompletedProcess[str]:
            out = objects / c_file.with_suffix(".o").name
            return subprocess.run(
                [*shlex.split(cc), *flags, "-c", str(c_file), "-o", str(out)],
                capture_output=True,
                text=True,
                cwd=staging,
            )

        # Imported here: a build that finds the archive cached (every rebuild) does not pay
        # for concurrent.futures and the logging it imports.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, min(len(sources), os.cpu_count() or 1))) as pool:
            results = list(pool.map(one, sources))
        for c_file, done in zip(sources, results, strict=True):
            if done.returncode != 0:
                output = done.stderr.strip() or done.stdout.strip()
                if store.is_no_space(output):
                    raise BuildError(store.disk_full_message("compiling goffi's C runtime", output))
                raise BuildError(
                    f"compiling goffi's C runtime ({c_file.name}) with {cc!r} failed:\n{output}\n"
                    "If the compiler works for other C code, this is a goffi bug (please report it "
                    "with this message); check CC, CGO_CFLAGS and CGO_CPPFLAGS otherwise."
                )
        archive = folder / ARCHIVE
        names = sorted(p.name for p in objects.iterdir())
        # D: deterministic (no timestamps, uids); the same objects give the same archive.
        done = subprocess.run([ar, "rcsD", str(archive), *names], cwd=objects, capture_output=True, text=True)
        if done.returncode != 0:
            raise BuildError(f"`ar` could not make goffi's C runtime archive:\n{done.stderr.strip()}")
        shutil.rmtree(objects)
        shutil.rmtree(src)
        store.write_manifest(folder, {"name": entry_name, "cc": cc})
        store.mark_verified(staging, folder, {ARCHIVE: None})
        os.replace(staging, entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
