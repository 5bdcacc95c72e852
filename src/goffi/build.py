"""The build stage: package specs in, an importable bundle directory out, cached by content.

A bundle is built once per content hash (goffi's own sources, the Go version, the
Python ABI, the packages and their sources, the options) and installed atomically
into ``<cache>/bundles/<key>/<name>/``. A warm build only computes the key and finds
the directory: no Go process runs.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from goffi._version import __version__
from goffi.cache import (
    bundle_key,
    cache_root,
    fingerprint_local_module,
    goffi_source_hash,
    locked,
    python_abi_tag,
)
from goffi.errors import BuildError
from goffi.plan import IMPLICIT_PACKAGES, BundlePlan, plan_bundle
from goffi.render import render_bundle
from goffi.surface import extract
from goffi.surface.model import Surface
from goffi.toolchain import GoToolchain, find_c_compiler, find_go, python_include_dir
from goffi.workspace import PackageSpec, create_workspace

MANIFEST = "goffi-manifest.json"


def canonical_spec(spec: PackageSpec) -> str:
    """How a package is identified across loads: its import path, plus @version when remote."""
    return f"{spec.import_path}@{spec.version}" if spec.kind == "remote" else spec.import_path


@dataclass(frozen=True)
class BuiltBundle:
    name: str
    key: str
    package_dir: Path  # the directory holding the bundle's __init__.py
    modules: dict[str, str]  # canonical spec -> Python module name inside the bundle
    built_now: bool  # False when it came from the cache


class Progress:
    """Reports build steps on stderr, when stderr is a terminal or GOFFI_VERBOSE=1."""

    def __init__(self, enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = os.environ.get("GOFFI_VERBOSE", "") not in ("", "0") or sys.stderr.isatty()
        self.enabled = enabled

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        start = time.monotonic()
        if self.enabled:
            print(f"goffi: {what} ...", file=sys.stderr, flush=True)
        yield
        if self.enabled:
            print(f"goffi: {what}: done in {time.monotonic() - start:.1f}s", file=sys.stderr, flush=True)


def compute_key(
    specs: Sequence[PackageSpec],
    name: str,
    toolchain: GoToolchain,
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
) -> str:
    parts = {
        "nonblocking": ",".join(sorted(set(nonblocking))),
        "zero_copy": ",".join(sorted(set(zero_copy))),
        "goffi": __version__,
        "goffi_source": goffi_source_hash(),
        "go": toolchain.version,
        "python": python_abi_tag(),
        "name": name,
        "cc": os.environ.get("CC", ""),
        "cgo_cflags": os.environ.get("CGO_CFLAGS", ""),
        "cgo_ldflags": os.environ.get("CGO_LDFLAGS", ""),
        "goexperiment": os.environ.get("GOEXPERIMENT", ""),  # e.g. cgocheck2 builds differ
    }
    for spec in sorted(specs, key=canonical_spec):
        source = ""
        if spec.kind == "local":
            assert spec.module_root is not None
            source = fingerprint_local_module(spec.module_root)
        parts["pkg:" + canonical_spec(spec)] = source
    return bundle_key(parts)


def _bundle_dir(root: Path, key: str) -> Path:
    return root / "bundles" / key


def _read_manifest(bundle_dir: Path, name: str) -> dict[str, str] | None:
    try:
        data = json.loads((bundle_dir / name / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    modules = data.get("modules")
    return modules if isinstance(modules, dict) else None


def prepare_surface(
    specs: Sequence[PackageSpec], workdir: Path, toolchain: GoToolchain, cache: Path, progress: Progress
) -> Surface:
    """Create the private Go module for ``specs`` in ``workdir`` and extract their API."""
    names = ", ".join(s.spec for s in specs)
    with progress.step(f"resolving {names}"):
        create_workspace(specs, workdir, toolchain)
    requested = [s.import_path for s in specs]
    # The implicit packages come along for their sentinel errors and error types (io.EOF).
    paths = list(dict.fromkeys([*requested, *IMPLICIT_PACKAGES]))
    with progress.step(f"reading the exported API of {names}"):
        surface = extract(paths, workdir, toolchain, cache, env={"GOFLAGS": "-mod=mod"})
    return dataclasses.replace(surface, requested=tuple(requested))


def build_bundle(
    specs: Sequence[PackageSpec],
    name: str = "gopkgs",
    *,
    cache: Path | None = None,
    progress: Progress | None = None,
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
) -> BuiltBundle:
    """Build (or find in the cache) the bundle holding ``specs``.

    ``nonblocking`` names functions to call with the GIL held, ``zero_copy`` those whose
    numeric slices cross as views (see plan_bundle).
    """
    if not specs:
        raise BuildError("no Go packages given: name at least one, e.g. goffi.load('strings')")
    cache = cache or cache_root()
    progress = progress or Progress()
    toolchain = find_go()
    key = compute_key(specs, name, toolchain, nonblocking, zero_copy)
    bundle_dir = _bundle_dir(cache, key)
    modules = _read_manifest(bundle_dir, name)
    if modules is not None:
        return BuiltBundle(name, key, bundle_dir / name, modules, built_now=False)
    with locked(cache / "locks" / f"{key}.lock"):
        modules = _read_manifest(bundle_dir, name)  # another process may have built it meanwhile
        if modules is not None:
            return BuiltBundle(name, key, bundle_dir / name, modules, built_now=False)
        modules = _build(specs, name, key, toolchain, cache, bundle_dir, progress, nonblocking, zero_copy)
    return BuiltBundle(name, key, bundle_dir / name, modules, built_now=True)


def _build(
    specs: Sequence[PackageSpec],
    name: str,
    key: str,
    toolchain: GoToolchain,
    cache: Path,
    bundle_dir: Path,
    progress: Progress,
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
) -> dict[str, str]:
    cc = find_c_compiler()
    include = python_include_dir()
    workdir = cache / "work" / key
    shutil.rmtree(workdir, ignore_errors=True)
    surface = prepare_surface(specs, workdir, toolchain, cache, progress)
    plan = plan_bundle(surface, name, nonblocking=nonblocking, zero_copy=zero_copy)
    gofmt_bin = toolchain.goroot / "bin" / "gofmt"
    rendered = render_bundle(plan, key, gofmt_bin)
    for rel, content in rendered.go_files.items():
        path = workdir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    bundle_dir.parent.mkdir(parents=True, exist_ok=True)
    # Staged next to its final place, so the final os.replace is atomic (same file system).
    staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=bundle_dir.parent))
    try:
        package_dir = staging / name
        package_dir.mkdir()
        ext = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        library = package_dir / f"_bundle{ext}"
        env = toolchain.env(
            GOFLAGS="-mod=mod",
            GOWORK="off",
            CC=cc,
            # Machine-specific flags go through the environment, so the sources stay identical.
            # -Werror=implicit-function-declaration: a call to a C function the glue does not
            # define fails the build, instead of the import (an undefined symbol).
            CGO_CFLAGS=f"-I{include} -O2 -g -Werror=implicit-function-declaration "
            f"{os.environ.get('CGO_CFLAGS', '')}".strip(),
            # Python's symbols are resolved by the interpreter that loads the extension;
            # linking libpython would load a second Python into a static interpreter.
            CGO_LDFLAGS=f"-Wl,--unresolved-symbols=ignore-all {os.environ.get('CGO_LDFLAGS', '')}".strip(),
        )
        tags = ["-tags", "goffi_bridge"] if plan.bridge else []
        command = [
            str(toolchain.go),
            "build",
            "-buildmode=c-shared",
            "-trimpath",
            *tags,
            "-o",
            str(library),
            ".",
        ]
        with progress.step(
            f"compiling bundle {name!r} ({len(plan.packages)} Go packages) with {toolchain.version}"
        ):
            done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BuildError(
                f"go build of bundle {name!r} failed (exit {done.returncode}) in {workdir}:\n"
                f"{done.stderr.strip() or done.stdout.strip()}\n"
                "This is a goffi bug if the Go packages build on their own; the generated sources are "
                f"kept in {workdir} for a report."
            )
        (package_dir / "_bundle.h").unlink(missing_ok=True)  # c-shared's C header: not needed
        for rel, content in rendered.python_files.items():
            (package_dir / rel).write_bytes(content)
        modules = {canonical_spec(s): _module_for(plan, s.import_path) for s in specs}
        manifest = {"key": key, "name": name, "go": toolchain.version, "modules": modules}
        (package_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        shutil.rmtree(bundle_dir, ignore_errors=True)
        os.replace(staging, bundle_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(workdir, ignore_errors=True)
    return modules


def _module_for(plan: BundlePlan, import_path: str) -> str:
    for pkg in plan.packages:
        if pkg.path == import_path:
            return pkg.py_module
    raise BuildError(f"package {import_path} is missing from the built bundle (a goffi bug)")
