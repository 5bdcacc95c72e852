"""goffi's own Go programs (the surface extractor, the mutation analysis), built once per toolchain.

Each is a host tool: built with no cgo and none of the user's GOFLAGS/GOWORK/GOOS/GOARCH,
which are meant for their code and could only break this build or target another
machine. It is cached like a bundle (see :mod:`goffi.store`): ``<cache>/tools/<entry>/
<name>/<name>`` with a manifest of its size and SHA-256, checked before use; a damaged,
partial or foreign copy is rebuilt with a warning, and concurrent builders serialize on a
lock. The entry's name holds the Go version and the tool's source hash, so a new Go or a
changed tool is a new entry.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from goffi import store
from goffi.cache import locked
from goffi.toolchain import GoToolchain

# The tools this process checked already (their path: a new source or Go is a new path).
verified_tools: dict[Path, bool] = {}


def source_hash(source_dir: Path) -> str:
    """sha256 over a tool's Go sources and module files (go.mod, go.sum and any alternate
    ``*.mod``/``*.sum`` pair for older toolchains), so an edited tool is rebuilt."""
    h = hashlib.sha256()
    for p in sorted(source_dir.iterdir()):
        if p.suffix in (".go", ".mod", ".sum"):
            data = p.read_bytes()
            # Name and length framing: moving bytes between files changes the hash.
            h.update(f"{p.name}\0{len(data)}\0".encode())
            h.update(data)
    return h.hexdigest()


def host_tool(
    name: str,
    source_dir: Path,
    toolchain: GoToolchain,
    cache_dir: Path,
    *,
    label: str,
    error: type[Exception],
    goflags: str = "",
    modfile: str = "",
) -> Path:
    """The binary of the Go program in ``source_dir``, built with ``toolchain`` now if not
    cached yet. ``label`` names it in messages ("surface extractor"); a failed build
    raises ``error`` with Go's words (a full disk says so). ``modfile`` names an alternate
    go.mod in ``source_dir`` to build with (``go build -modfile``; its go.sum is the file
    of the same stem), for a tool whose dependencies depend on the Go version. Called by
    the tool's own accessor, whose caller a warning about a damaged copy points at."""
    what = f"goffi's {label}"
    entry_name = f"{name}-{toolchain.version.replace('.', '_')}-{source_hash(source_dir)[:12]}"
    tools = cache_dir / "tools"
    entry = tools / entry_name
    target = entry / name / name
    expect = {"name": entry_name}
    if verified_tools.get(target) or store.check_entry(entry, name, expect)[0] is not None:
        verified_tools[target] = True
        return target
    with store.no_space_hint(f"building {what} into {tools}"):
        tools.mkdir(parents=True, exist_ok=True)
        with locked(store.lock_path(cache_dir, entry_name)):
            manifest, problem = store.check_entry(entry, name, expect)
            if manifest is None:
                if problem is not None:
                    store.discard_damaged(entry, f"cached {label}", problem, stacklevel=3)
                store.remove_stale_staging(cache_dir, holding=entry_name)
                _build(name, source_dir, toolchain, tools, entry, entry_name, what, error, goflags, modfile)
    verified_tools[target] = True
    return target


def _build(
    name: str,
    source_dir: Path,
    toolchain: GoToolchain,
    tools: Path,
    entry: Path,
    entry_name: str,
    what: str,
    error: type[Exception],
    goflags: str,
    modfile: str,
) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{entry_name}.", dir=tools))
    try:
        folder = staging / name
        folder.mkdir()
        env = toolchain.env(CGO_ENABLED="0", GOFLAGS=goflags, GOWORK="off", GOOS="", GOARCH="")
        flags = [f"-modfile={modfile}"] if modfile and modfile != "go.mod" else []
        proc = subprocess.run(
            [
                str(toolchain.go),
                "build",
                *flags,
                "-trimpath",
                "-buildvcs=false",
                "-o",
                str(folder / name),
                ".",
            ],
            cwd=source_dir,
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            if store.is_no_space(proc.stderr):
                raise error(store.disk_full_message(f"Go was building {what}", proc.stderr))
            raise error(
                f"building {what} with {toolchain.go} ({toolchain.version}) failed:\n{proc.stderr.strip()}"
            )
        store.write_manifest(
            folder, {"name": entry_name, "go": toolchain.version, "modfile": modfile or "go.mod"}
        )
        store.mark_verified(staging, folder, {name: None})
        os.replace(staging, entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
