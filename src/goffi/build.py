"""The build stage: package specs in, an importable bundle directory out, cached by content.

A bundle is built once per content hash (goffi's own sources, the Go version, the
Python ABI, the packages and their sources, the options) and installed atomically
into ``<cache>/bundles/<key>/<name>/``. A warm build only computes the key and finds
the directory: no Go process runs.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from goffi import store
from goffi._version import __version__
from goffi.cache import (
    bundle_key,
    cache_root,
    fingerprint_local_module,
    goffi_source_hash,
    locked,
    python_abi_tag,
)
from goffi.errors import BuildError, ExtractionError, GoffiError, SpecError
from goffi.toolchain import (
    GoToolchain,
    check_host_target,
    find_c_compiler,
    find_go,
    merged_goflags,
    python_include_dir,
    user_build_tags,
)
from goffi.workspace import BUNDLE_MODULE, PackageSpec, create_workspace, real_paths, resolve_versions

if TYPE_CHECKING:
    from goffi.analysis import MemoryAnalysis
    from goffi.decoding import DecodeAnalysis
    from goffi.lock import Lock
    from goffi.mutation import MutationAnalysis
    from goffi.plan.model import BundlePlan
    from goffi.surface.model import Surface

# The planner, renderers and API extractor are imported by the functions that build: a
# warm goffi.load only computes the key and finds the cached bundle, and must stay light.

MANIFEST = store.MANIFEST


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


def names_option(option: str, value: object) -> tuple[str, ...]:
    """A list-of-names option (``nonblocking=``, ``zero_copy=``, ``instantiate=``) as a tuple, checked."""
    if isinstance(value, (str, bytes)):
        raise TypeError(
            f"{option}= takes a list of names, not a single {type(value).__name__}: write "
            f"{option}=[{value!r}] (a bare string would be read as one name per character)"
        )
    if not isinstance(value, Iterable):
        raise TypeError(
            f"{option}= takes a list of names such as ['strings.ToUpper'], not {type(value).__name__}"
        )
    names: tuple[object, ...] = tuple(value)
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"{option}= takes names as str, not {type(n).__name__}: {n!r}")
    return tuple(str(n) for n in names)


def compute_key(
    specs: Sequence[PackageSpec],
    name: str,
    toolchain: GoToolchain,
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
    instantiate: Sequence[str] = (),
    lock: Lock | None = None,
) -> str:
    parts = {
        "nonblocking": ",".join(sorted(set(nonblocking))),
        "zero_copy": ",".join(sorted(set(zero_copy))),
        "instantiate": ";".join(sorted(set(instantiate))),
        "goffi": __version__,
        "goffi_source": goffi_source_hash(),
        "go": toolchain.version,
        "python": python_abi_tag(),
        "name": name,
        # Everything of the user's environment that changes what Go and cgo build.
        **{var.lower(): os.environ.get(var, "") for var in _KEY_ENVIRONMENT},
    }
    if lock is not None:  # a locked build starts from the recorded go.mod and go.sum
        parts["lock"] = lock.digest()
    for spec in sorted(specs, key=canonical_spec):
        source = ""
        if spec.kind == "local":
            assert spec.module_root is not None
            source = fingerprint_local_module(spec.module_root)
        parts["pkg:" + canonical_spec(spec)] = source
    return bundle_key(parts)


# The environment variables whose values change a build (so they are in the cache key):
# the target, the C toolchain and its flags, and the user's Go flags (build tags included).
_KEY_ENVIRONMENT = (
    "CC",
    "CXX",
    "CGO_ENABLED",
    "CGO_CFLAGS",
    "CGO_CPPFLAGS",
    "CGO_CXXFLAGS",
    "CGO_LDFLAGS",
    "GOEXPERIMENT",  # e.g. cgocheck2 builds differ
    "GOFLAGS",
    "GOOS",
    "GOARCH",
    "GOAMD64",
    "GOARM64",
    "GO386",
    "GOARM",
)


def check_bundle_name(name: str) -> None:
    """A bundle's name is its Python import name: ``gopkgs``, or dotted when nested (``mylib._go``)."""
    if not isinstance(name, str) or not name or not all(p.isidentifier() for p in name.split(".")):
        raise BuildError(
            f"bundle name {name!r} is not a Python package name: use an identifier such as 'gopkgs', "
            "or a dotted path such as 'mylib._go' for a bundle inside a package"
        )


def folder_of(name: str) -> str:
    """The folder a bundle named ``name`` lives in: the last part of a dotted name."""
    return name.rpartition(".")[2]


def _bundle_dir(root: Path, key: str) -> Path:
    return root / "bundles" / key


def _open_cached(
    bundle_dir: Path, name: str, key: str, specs: Sequence[PackageSpec]
) -> tuple[dict[str, str] | None, str | None]:
    """The modules of the intact cache entry ``bundle_dir``; else (None, what is wrong).

    (None, None) when there is no entry at all.
    """
    manifest, problem = store.check_entry(bundle_dir, folder_of(name), {"key": key, "name": name})
    if manifest is None:
        return None, problem
    modules = manifest.get("modules")
    if not isinstance(modules, dict) or not all(isinstance(v, str) for v in modules.values()):
        return None, "its manifest has no module table"
    missing = [canonical_spec(s) for s in specs if canonical_spec(s) not in modules]
    if missing:
        return None, f"its manifest's module table lacks {', '.join(missing)}"
    return modules, None


def _check_importable(specs: Sequence[PackageSpec]) -> None:
    """Refuse, with Go's reason, packages no other module can import."""
    for spec in specs:
        parts = spec.import_path.split("/")
        if "internal" in parts:
            parent = "/".join(parts[: parts.index("internal")]) or "the standard library"
            raise SpecError(
                f"{spec.spec!r} ({spec.import_path}) is an internal package: Go lets only the packages "
                f"inside {parent} import it, and goffi's bundle is a module of its own outside that tree. "
                "Import the public package that uses it instead (or move the code out of internal/)."
            )


def _std_packages(src: Path) -> list[str]:
    """The import paths of the standard library under ``src`` (GOROOT/src) a module can import."""
    found = []
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames[:] = [d for d in dirnames if d not in ("testdata", "internal", "vendor", "cmd")]
        if dirpath != str(src) and any(f.endswith(".go") and not f.endswith("_test.go") for f in filenames):
            found.append(Path(dirpath).relative_to(src).as_posix())
    return found


def _check_std(specs: Sequence[PackageSpec], toolchain: GoToolchain) -> None:
    """Refuse a path that looks like the standard library's (no dot in its first element) but
    names none of its packages: a misspelling, or a module path without its host."""
    import difflib

    src = toolchain.goroot / "src"
    for spec in specs:
        if spec.kind != "std" or not src.is_dir() or (src / spec.import_path).is_dir():
            continue
        close = difflib.get_close_matches(spec.import_path, _std_packages(src), n=3, cutoff=0.7)
        maybe = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        raise SpecError(
            f"{spec.spec!r} is not a package of Go's standard library ({toolchain.version}, {src}){maybe}. "
            "Check the spelling. A package from a module is named with its module path and a version "
            "(github.com/google/uuid@v1.6.0), and a local folder as ./folder or /abs/path."
        )


def _check_not_main(surface: Surface, specs: Sequence[PackageSpec]) -> None:
    requested = {s.import_path: s for s in specs}
    for pkg in surface.packages:
        if pkg.path in requested and pkg.name == "main":
            spec = requested[pkg.path]
            raise SpecError(
                f"{spec.spec!r} ({pkg.path}) is package main, a program: Go cannot import a program, so "
                "neither can goffi. Move the functions you want into a library package (any name but "
                "main) and load that."
            )


def prepare_surface(
    specs: Sequence[PackageSpec],
    workdir: Path,
    toolchain: GoToolchain,
    cache: Path,
    progress: Progress,
    lock: Lock | None = None,
) -> Surface:
    """Create the private Go module for ``specs`` in ``workdir`` (from ``lock``'s recorded
    requirements and go.sum, when given) and extract their API."""
    from goffi.plan.bundle import IMPLICIT_PACKAGES
    from goffi.surface import extract

    _check_importable(specs)
    _check_std(specs, toolchain)
    names = ", ".join(s.spec for s in specs)
    with progress.step(f"resolving {names}"):
        if lock is None:
            create_workspace(specs, workdir, toolchain)
        else:
            create_workspace(specs, workdir, toolchain, lock.requires(), lock.go_sum)
    requested = [s.import_path for s in specs]
    # The implicit packages come along for their sentinel errors and error types (io.EOF).
    paths = list(dict.fromkeys([*requested, *IMPLICIT_PACKAGES]))
    with progress.step(f"reading the exported API of {names}"):
        try:
            surface = extract(paths, workdir, toolchain, cache, env=_extract_env(toolchain))
        except ExtractionError as e:  # Go's file:line in a local package: the user's file
            shown = real_paths(workdir, str(e))
            if shown == str(e):
                raise
            raise ExtractionError(shown) from e
    _check_not_main(surface, specs)
    return dataclasses.replace(surface, requested=tuple(requested))


def _extract_env(toolchain: GoToolchain) -> dict[str, str]:
    """The environment of the surface extractor's ``go list -export``, which compiles every
    package it reads: compiled as the bundle's build compiles them (c-shared code, -trimpath,
    the bundle's C compiler and flags), so that build finds them in Go's build cache instead
    of compiling the whole dependency tree a second time (a cold build's largest cost).
    Without a C compiler (``goffi inspect`` still works) they are compiled the plain way."""
    tags = ",".join(user_build_tags())
    tag_flags = [f"-tags={tags}"] if tags else []
    try:
        env = build_env(toolchain, find_c_compiler(), python_include_dir())
    except GoffiError:
        return {"GOFLAGS": merged_goflags("-mod=mod", *tag_flags)}
    shared = {var: env[var] for var in ("CC", "CGO_CFLAGS", "CGO_LDFLAGS")}
    return {**shared, "GOFLAGS": merged_goflags("-mod=mod", *tag_flags, "-buildmode=c-shared", *BUILD_FLAGS)}


def build_env(toolchain: GoToolchain, cc: str, include: Path | str) -> dict[str, str]:
    """The environment of every go build of a bundle (the memory analysis's too, so both
    share the compiled dependencies in Go's build cache)."""
    return toolchain.env(
        # The user's GOFLAGS stay (goffi adds what it needs); their -tags go on the command line.
        GOFLAGS=merged_goflags("-mod=mod"),
        GOWORK="off",
        CC=cc,
        # Machine-specific flags go through the environment, so the sources stay identical.
        # No -g (Go's default): the library is stripped (-ldflags=-s), so the C debug info
        # would only be written to be thrown away, and every C file of a build (runtime/cgo's
        # too, which c-shared builds compile every time) compiles faster without it.
        # -ffile-prefix-map: the assert()s of Python's inline functions name their header,
        # and no path of this machine goes into the library.
        CGO_CFLAGS=f"-I{include} {python_prefix_map(include)} -O2 {os.environ.get('CGO_CFLAGS', '')}".strip(),
        # Python's symbols are resolved by the interpreter that loads the extension;
        # linking libpython would load a second Python into a static interpreter.
        CGO_LDFLAGS=f"-Wl,--unresolved-symbols=ignore-all {os.environ.get('CGO_LDFLAGS', '')}".strip(),
    )


def python_prefix_map(include: Path | str) -> str:
    """The C compiler flag that writes Python's include folder as ``/_/python`` in a library
    (as -trimpath does for Go's paths)."""
    return f"-ffile-prefix-map={include}=/_/python"


#: Flags of every go build of a bundle.
BUILD_FLAGS = ("-trimpath",)


def analyse_surface(
    surface: Surface, workdir: Path, toolchain: GoToolchain, progress: Progress
) -> MemoryAnalysis:
    """Go's escape analysis of the requested packages (goffi.analysis), built as the bundle is."""
    from goffi.analysis import MemoryAnalysis, analyse_memory

    try:
        env = build_env(toolchain, find_c_compiler(), python_include_dir())
    except GoffiError as e:  # no C compiler, say: inspect still works, and everything is copied
        return MemoryAnalysis(problem=str(e).splitlines()[0])
    with progress.step("reading which arguments Go keeps (escape analysis)"):
        tags = ",".join(user_build_tags())
        return analyse_memory(
            surface, workdir, toolchain, env, (*BUILD_FLAGS, *(["-tags", tags] if tags else []))
        )


def scan_decodes(
    surface: Surface, workdir: Path, toolchain: GoToolchain, cache: Path, progress: Progress
) -> DecodeAnalysis:
    """Which any parameters Go decodes into (goffi.decoding)."""
    from goffi.decoding import analyse_decodes

    with progress.step("reading which arguments Go decodes into"):
        return analyse_decodes(surface, workdir, toolchain, cache, {"GOFLAGS": "-mod=mod"})


def analyse_writes(
    surface: Surface, workdir: Path, toolchain: GoToolchain, cache: Path, progress: Progress
) -> MutationAnalysis:
    """Which slice parameters Go may write into (goffi.mutation)."""
    from goffi.mutation import analyse_mutation

    with progress.step("reading which arguments Go writes into (mutation analysis)"):
        tags = ",".join(user_build_tags())
        flags = merged_goflags("-mod=mod", *([f"-tags={tags}"] if tags else []))
        return analyse_mutation(surface, workdir, toolchain, cache, {"GOFLAGS": flags, "GOWORK": "off"})


def plan_specs(
    specs: Sequence[PackageSpec],
    workdir: Path,
    toolchain: GoToolchain,
    cache: Path,
    progress: Progress,
    name: str = "gopkgs",
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
    instantiate: Sequence[str] = (),
    lock: Lock | None = None,
) -> BundlePlan:
    """The bundle plan of ``specs``: workspace, surface, memory analysis, plan."""
    from goffi.plan import plan_bundle

    surface = prepare_surface(specs, workdir, toolchain, cache, progress, lock)
    memory = analyse_surface(surface, workdir, toolchain, progress)
    decodes = scan_decodes(surface, workdir, toolchain, cache, progress)
    mutation = analyse_writes(surface, workdir, toolchain, cache, progress)
    return plan_bundle(
        surface,
        name,
        nonblocking=nonblocking,
        zero_copy=zero_copy,
        memory=memory,
        decodes=decodes,
        mutation=mutation,
        instantiate=instantiate,
    )


def build_bundle(
    specs: Sequence[PackageSpec],
    name: str = "gopkgs",
    *,
    cache: Path | None = None,
    progress: Progress | None = None,
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
    instantiate: Sequence[str] = (),
    lock: Lock | None = None,
) -> BuiltBundle:
    """Build (or find in the cache) the bundle holding ``specs``.

    ``nonblocking`` names functions to call with the GIL held, ``zero_copy`` those whose
    numeric slices cross as views (see plan_bundle). With ``lock`` (goffi.lock: ``goffi
    build --locked``) remote packages take the versions an earlier build recorded, with
    no module proxy query, and the build fails if it would need any other version.
    """
    nonblocking = names_option("nonblocking", nonblocking)
    zero_copy = names_option("zero_copy", zero_copy)
    instantiate = names_option("instantiate", instantiate)
    if not specs:
        raise BuildError("no Go packages given: name at least one, e.g. goffi.load('strings')")
    check_bundle_name(name)
    cache = cache or cache_root()
    progress = progress or Progress()
    toolchain = find_go()
    check_host_target(toolchain)
    if lock is None:
        specs = resolve_versions(specs, toolchain)  # @latest, branches: the version they name now
    else:
        from goffi.lock import locked_versions

        specs = locked_versions(specs, lock)
    key = compute_key(specs, name, toolchain, nonblocking, zero_copy, instantiate, lock)
    bundle_dir = _bundle_dir(cache, key)
    modules, _ = _open_cached(bundle_dir, name, key, specs)
    if modules is not None:
        store.touch_last_use(bundle_dir)
        return BuiltBundle(name, key, bundle_dir / folder_of(name), modules, built_now=False)
    # Missing or damaged: build under the key's lock, so concurrent loads build once.
    with locked(store.lock_path(cache, key)):
        modules, problem = _open_cached(bundle_dir, name, key, specs)  # another process may have built it
        if modules is not None:
            store.touch_last_use(bundle_dir)
            return BuiltBundle(name, key, bundle_dir / folder_of(name), modules, built_now=False)
        if problem is not None:
            store.discard_damaged(bundle_dir, "cached bundle", problem, stacklevel=3)
        store.remove_stale_staging(cache, holding=key)
        modules = _build(
            specs,
            name,
            key,
            toolchain,
            cache,
            bundle_dir,
            progress,
            nonblocking,
            zero_copy,
            instantiate,
            lock,
        )
        store.touch_last_use(bundle_dir)
    store.prune_after_build(cache, key)
    return BuiltBundle(name, key, bundle_dir / folder_of(name), modules, built_now=True)


def evict(bundle: BuiltBundle) -> None:
    """Remove ``bundle``'s cache entry (it failed to load), so the next load builds it anew."""
    entry = bundle.package_dir.parent  # <cache>/bundles/<key>
    with locked(store.lock_path(entry.parent.parent, bundle.key)):
        store.remove_entry(entry)


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
    instantiate: Sequence[str] = (),
    lock: Lock | None = None,
) -> dict[str, str]:
    from goffi.render import render_bundle

    cc = find_c_compiler()
    include = python_include_dir()
    workdir = cache / "work" / key
    shutil.rmtree(workdir, ignore_errors=True)
    plan = plan_specs(
        specs, workdir, toolchain, cache, progress, name, nonblocking, zero_copy, instantiate, lock
    )
    gofmt_bin = toolchain.goroot / "bin" / "gofmt"
    rendered = render_bundle(plan, key, gofmt_bin)
    with store.no_space_hint(f"writing the generated sources into {workdir}"):
        write_workspace(rendered.go_files, workdir, cc, include, cache, progress)
        bundle_dir.parent.mkdir(parents=True, exist_ok=True)
        # Staged next to its final place, so the final os.replace is atomic (same file system).
        staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=bundle_dir.parent))
    try:
        package_dir = staging / folder_of(name)
        package_dir.mkdir()
        ext = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        library = package_dir / f"_bundle{ext}"
        env = build_env(toolchain, cc, include)
        tags = [*user_build_tags(), *(["goffi_bridge"] if plan.bridge else [])]
        command = [
            str(toolchain.go),
            "build",
            "-buildmode=c-shared",
            # Reproducible and small: no absolute paths of this machine (BUILD_FLAGS), no
            # symbol table or DWARF (Go panics still print file:line from the pclntab). The
            # user's -ldflags in GOFLAGS would be overridden by this one, so they are folded in.
            *BUILD_FLAGS,
            f"-ldflags={_ldflags()}",
            *(["-tags", ",".join(dict.fromkeys(tags))] if tags else []),
            "-o",
            str(library),
            ".",
        ]
        with progress.step(
            f"compiling bundle {name!r} ({len(plan.packages)} Go packages) with {toolchain.version}"
        ):
            done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise BuildError(_go_build_failure(name, workdir, done.returncode, done.stderr or done.stdout))
        if lock is not None:
            from goffi.lock import check_honoured

            check_honoured((workdir / "go.mod").read_text(), lock)
        undefined = _undefined_goffi_symbols(library)
        if undefined:
            raise BuildError(
                f"the bundle {name!r} built, but its library refers to C symbols the generated code "
                f"never defines: {', '.join(undefined[:5])}{' ...' if len(undefined) > 5 else ''}. "
                "This is a goffi bug (please report it, with the generated sources kept in "
                f"{workdir}); nothing was cached, so the next load builds again."
            )
        with store.no_space_hint(f"installing the bundle into {bundle_dir.parent}"):
            library.with_suffix(".h").unlink(missing_ok=True)  # c-shared's C header: not needed
            for rel, content in rendered.python_files.items():
                (package_dir / rel).write_bytes(content)
            modules = {canonical_spec(s): _module_for(plan, s.import_path) for s in specs}
            go_sum = workdir / "go.sum"
            store.write_manifest(
                package_dir,
                {
                    "key": key,
                    "name": name,
                    "go": toolchain.version,
                    "modules": modules,
                    # What the build used, for audits: every module version (go.mod's requires,
                    # @latest resolved) and their checksums.
                    "go_mod": (workdir / "go.mod").read_text(),
                    "go_sum": go_sum.read_text() if go_sum.exists() else "",
                },
            )
            store.mark_verified(staging, package_dir, store.describe_files(package_dir))
            store.remove_entry(bundle_dir)
            os.replace(staging, bundle_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(workdir, ignore_errors=True)
    return modules


def write_workspace(
    go_files: Mapping[str, bytes],
    workdir: Path,
    cc: str,
    include: Path | str,
    cache: Path,
    progress: Progress | None = None,
) -> None:
    """Write a bundle's rendered Go workspace files into ``workdir``, with a copy of goffi's
    C runtime archive (goffi.crt: compiled now if this compiler, flags and Python have none
    cached yet), which the workspace's goffi_crt.go links."""
    from goffi import crt
    from goffi.render import WRAPPER_DIR

    for rel, content in go_files.items():
        path = workdir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    with (progress or Progress(False)).step("finding goffi's compiled C runtime"):
        archive = crt.runtime_archive(cc, include, cache)
    shutil.copyfile(archive, workdir / WRAPPER_DIR / crt.ARCHIVE)


def _ldflags() -> str:
    """``-s -w`` (strip) plus the -ldflags of the user's GOFLAGS, which the command line's would replace."""
    user = [
        f.partition("=")[2]
        for f in os.environ.get("GOFLAGS", "").split()
        if f.startswith(("-ldflags=", "--ldflags="))
    ]
    return " ".join(["-s", "-w", *user])


def _go_build_failure(name: str, workdir: Path, code: int, output: str) -> str:
    """The message for a failed ``go build`` of a bundle, by what actually failed."""
    output = output.strip()
    if store.is_no_space(output):
        return store.disk_full_message(f"Go was building bundle {name!r}", output)
    # Go heads each package's compile errors with "# <import path>"; the generated
    # packages are goffi.local/bundle and those under it (the wrapper, goffi's runtime),
    # anything else is one of the packages being bridged.
    missing_lib = re.search(r"cannot find -l([^\s:]+)", output)
    if missing_lib is not None:
        return (
            f"go build of bundle {name!r} failed (exit {code}): the C library {missing_lib.group(1)!r} "
            f"that a package links (its #cgo LDFLAGS) is not installed:\n{output}\n"
            "This is not a goffi bug: install the library (its -dev package), or point CGO_LDFLAGS "
            "at it, and load again. Nothing was cached."
        )
    headers = [line[2:].strip() for line in output.splitlines() if line.startswith("# ")]
    others = [h for h in headers if not _generated(h.split()[0])] if headers else []
    if others:
        return (
            f"go build of bundle {name!r} failed (exit {code}): Go cannot compile "
            f"{', '.join(dict.fromkeys(others))}:\n{output}\n"
            "This is not a goffi bug: the package does not build on its own (try `go build` in its "
            "folder) or with this Go version and C compiler; fix that and load it again."
        )
    return (
        f"go build of bundle {name!r} failed (exit {code}) in {workdir}:\n{output}\n"
        "This is a goffi bug if the Go packages build on their own; the generated sources are "
        f"kept in {workdir} for a report. Nothing was cached: the next load builds again."
    )


def _generated(import_path: str) -> bool:
    """Whether a package of the bundle's module is goffi's: its main, wrapper or runtime."""
    return import_path == BUNDLE_MODULE or import_path.startswith(BUNDLE_MODULE + "/")


def _undefined_goffi_symbols(library: Path) -> list[str]:
    """goffi's own C symbols the built library uses but does not define (a rendering bug).

    ``--unresolved-symbols=ignore-all`` lets the link succeed (Python's symbols come from
    the interpreter), so only loading would show them; binutils' ``nm`` shows them now.
    An ELF library is read in-process (goffi.elfsyms: no process to start on every
    rebuild); another one is asked of ``nm``. Empty when ``nm`` is not installed.
    """
    from goffi.elfsyms import undefined_dynamic_symbols

    names = undefined_dynamic_symbols(library)
    if names is not None:
        return sorted(s for s in names if s.startswith("goffi_"))
    nm = shutil.which("nm")
    if nm is None:
        return []
    try:
        done = subprocess.run(
            [nm, "-D", "--undefined-only", str(library)], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if done.returncode != 0:
        return []
    symbols = [line.split()[-1] for line in done.stdout.splitlines() if line.strip()]
    return sorted(s for s in symbols if s.startswith("goffi_"))


def _module_for(plan: BundlePlan, import_path: str) -> str:
    for pkg in plan.packages:
        if pkg.path == import_path:
            return pkg.py_module
    raise BuildError(f"package {import_path} is missing from the built bundle (a goffi bug)")
