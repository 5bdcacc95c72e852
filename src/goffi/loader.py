"""``goffi.load``: Go packages in, Python modules out (built once, cached, then imported).

A load in a new process whose packages, options and inputs are those of an earlier load
finds its bundle through :mod:`goffi.warm` (a few stats, none of the build pipeline);
any other load goes the whole way: the pipeline (:mod:`goffi.build`) is imported then.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

from goffi import warm
from goffi.runtime import BundleConflictError, loaded_bundles
from goffi.stubfiles import resolve_stubs_dir, write_stubs

# typing and the build pipeline are not imported here: a warm load needs neither.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType
    from typing import overload

    from goffi.build import BuiltBundle
    from goffi.runtime import LoadedBundle
    from goffi.stubfiles import StubsDir
    from goffi.workspace import PackageSpec

#: The start of every ``goffi.load`` bundle's name: ``gopkgs_`` and a hash of what it holds.
DEFAULT_BUNDLE = "gopkgs"

# The sources of the local Go modules of the bundles this process loaded, as they were
# when they were loaded: module root -> (fingerprint, bundle name). A later load checks
# them, because a process cannot reload a Go runtime and must not hand out the old code
# silently.
_loaded_sources: dict[Path, tuple[str, str]] = {}


def bundle_name(
    wanted: Sequence[str],
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
    instantiate: Sequence[str] = (),
) -> str:
    """The name of the ``goffi.load`` bundle of packages ``wanted`` (canonical specs) and options.

    Deterministic (a new process finds the same build in the cache) and different for
    different package sets, so that several bundles can live in one process.
    """
    import hashlib
    import json

    options = [sorted(set(o)) for o in (nonblocking, zero_copy, instantiate)]
    content = json.dumps(
        [sorted(set(wanted)), *options] if instantiate else [sorted(set(wanted)), *options[:2]]
    )
    return f"{DEFAULT_BUNDLE}_{hashlib.sha256(content.encode()).hexdigest()[:12]}"


def _check_unchanged(specs: Sequence[PackageSpec]) -> None:
    """Refuse a load of local packages whose Go sources changed since this process loaded them."""
    from goffi.cache import fingerprint_local_module

    for spec in specs:
        root = spec.module_root
        if spec.kind != "local" or root is None or root not in _loaded_sources:
            continue
        fingerprint, bundle = _loaded_sources[root]
        if fingerprint_local_module(root) != fingerprint:
            raise BundleConflictError(
                f"goffi.load({spec.spec!r}): the Go sources of {root} changed since this process loaded "
                f"them (in bundle {bundle!r}), and a process cannot reload Go code (a Go runtime is never "
                "unloaded). The loaded module still runs the old code: restart Python to load the new one "
                "(the next goffi.load in a new process builds it)."
            )


# The signatures of load for type checkers (typing is not imported at run time).
if TYPE_CHECKING:

    @overload
    def load(
        first: str,
        /,
        *,
        name: str | None = None,
        nonblocking: Sequence[str] = (),
        zero_copy: Sequence[str] = (),
        instantiate: Sequence[str] = (),
        stubs_dir: StubsDir = None,
    ) -> ModuleType: ...

    @overload
    def load(
        first: str,
        second: str,
        /,
        *,
        name: str | None = None,
        nonblocking: Sequence[str] = (),
        zero_copy: Sequence[str] = (),
        instantiate: Sequence[str] = (),
        stubs_dir: StubsDir = None,
    ) -> tuple[ModuleType, ModuleType]: ...

    @overload
    def load(
        first: str,
        second: str,
        third: str,
        /,
        *,
        name: str | None = None,
        nonblocking: Sequence[str] = (),
        zero_copy: Sequence[str] = (),
        instantiate: Sequence[str] = (),
        stubs_dir: StubsDir = None,
    ) -> tuple[ModuleType, ModuleType, ModuleType]: ...

    @overload
    def load(
        first: str,
        second: str,
        third: str,
        fourth: str,
        /,
        *,
        name: str | None = None,
        nonblocking: Sequence[str] = (),
        zero_copy: Sequence[str] = (),
        instantiate: Sequence[str] = (),
        stubs_dir: StubsDir = None,
    ) -> tuple[ModuleType, ModuleType, ModuleType, ModuleType]: ...

    @overload
    def load(
        first: str,
        second: str,
        third: str,
        fourth: str,
        fifth: str,
        /,
        *,
        name: str | None = None,
        nonblocking: Sequence[str] = (),
        zero_copy: Sequence[str] = (),
        instantiate: Sequence[str] = (),
        stubs_dir: StubsDir = None,
    ) -> tuple[ModuleType, ModuleType, ModuleType, ModuleType, ModuleType]: ...

    @overload
    def load(
        first: str,
        second: str,
        third: str,
        fourth: str,
        fifth: str,
        sixth: str,
        /,
        *,
        name: str | None = None,
        nonblocking: Sequence[str] = (),
        zero_copy: Sequence[str] = (),
        instantiate: Sequence[str] = (),
        stubs_dir: StubsDir = None,
    ) -> tuple[ModuleType, ModuleType, ModuleType, ModuleType, ModuleType, ModuleType]: ...

    @overload
    def load(
        first: str,
        second: str,
        third: str,
        fourth: str,
        fifth: str,
        sixth: str,
        seventh: str,
        /,
        *,
        name: str | None = None,
        nonblocking: Sequence[str] = (),
        zero_copy: Sequence[str] = (),
        instantiate: Sequence[str] = (),
        stubs_dir: StubsDir = None,
    ) -> tuple[ModuleType, ModuleType, ModuleType, ModuleType, ModuleType, ModuleType, ModuleType]: ...

    @overload
    def load(
        first: str,
        second: str,
        third: str,
        fourth: str,
        fifth: str,
        sixth: str,
        seventh: str,
        eighth: str,
        /,
        *,
        name: str | None = None,
        nonblocking: Sequence[str] = (),
        zero_copy: Sequence[str] = (),
        instantiate: Sequence[str] = (),
        stubs_dir: StubsDir = None,
    ) -> tuple[
        ModuleType, ModuleType, ModuleType, ModuleType, ModuleType, ModuleType, ModuleType, ModuleType
    ]: ...

    @overload
    def load(
        first: str,
        /,
        *more: str,
        name: str | None = None,
        nonblocking: Sequence[str] = (),
        zero_copy: Sequence[str] = (),
        instantiate: Sequence[str] = (),
        stubs_dir: StubsDir = None,
    ) -> ModuleType | tuple[ModuleType, ...]: ...


def load(
    *packages: str,
    name: str | None = None,
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
    instantiate: Sequence[str] = (),
    stubs_dir: StubsDir = None,
) -> ModuleType | tuple[ModuleType, ...]:
    """Import Go packages as Python modules.

    ``packages`` are import paths ("strings", "net/url"), local folders inside a Go
    module ("./mygo", "/abs/dir"), or ``path@version`` from the Go module proxy. They are
    built together into one bundle (one Go runtime) the first time, then loaded from
    goffi's cache. Returns one module for one package, else a tuple in the order asked.

    ``name`` is the bundle's Python package name; by default ``gopkgs_`` and a hash of
    the packages and options, so that different loads are different bundles.

    ``nonblocking`` names functions and methods ("strings.ToUpper",
    "example.com/p.Counter.Inc") that neither block nor call back into Python: they are
    called with the GIL held, which saves about 100 ns a call.

    ``zero_copy`` names functions and methods whose slices of fixed-size numbers
    ([]float64, []int32, ...) take a writable buffer of the same format (array.array,
    numpy) as a view, with no copy, where Go does not keep them (Go's escape analysis
    decides; goffi inspect shows it), and whose
    numeric slice and []byte results come back as memoryviews of Go's memory.

    ``instantiate`` lists instantiations of generic functions to build besides the
    automatic ones, spelled as Go spells them: "slices.Max[int32]",
    "github.com/samber/lo.Map[string, int]", "slices.Sort[[]time.Duration]" (types of the
    bundle's packages by Go package name or import path). Python calls them by their
    type arguments: ``slices.Max["int32"]``.

    ``stubs_dir`` is where the bundle's ``.pyi`` stubs are copied for type checkers, as
    ``<stubs_dir>/<bundle name>/``: give the bundle a ``name`` (``name="webgo"``) and
    ``from webgo import strings`` is typed. By default ``$GOFFI_STUBS_DIR``, else the
    project's ``typings/`` folder when it exists (pyright's default stub path; mypy needs
    ``mypy_path = "typings"``); ``False`` writes none.

    A ``load`` of packages that are all in a bundle this process loaded returns them from
    it. Other packages make another bundle, with a Go runtime of its own: on Linux with
    glibc that works; elsewhere (or with ``$GOFFI_SINGLE_RUNTIME`` set) it raises
    :class:`goffi.BundleConflictError`, because they must be built together.
    """
    if not packages:
        raise TypeError("goffi.load() needs at least one Go package, e.g. goffi.load('strings')")
    for p in packages:
        if not isinstance(p, str):
            raise TypeError(f"goffi.load() takes package names as str, not {type(p).__name__}: {p!r}")
    stubs = resolve_stubs_dir(stubs_dir)
    loaded = [b for b in loaded_bundles() if b.name in sys.modules]
    request = warm.request(packages, name, nonblocking, zero_copy, instantiate)
    if not loaded:
        hit = warm.find(request)
        if hit is not None:
            _import_bundle(hit)
            for root, fingerprint in hit.sources.items():
                _loaded_sources.setdefault(Path(root), (fingerprint, hit.name))
            if stubs is not None:
                write_stubs(Path(hit.package_dir), hit.name, stubs)
            return _result([importlib.import_module(f"{hit.name}.{hit.modules[w]}") for w in hit.wanted])
    return _load(packages, name, nonblocking, zero_copy, instantiate, stubs, loaded, request)


def _load(
    packages: Sequence[str],
    name: str | None,
    nonblocking: Sequence[str],
    zero_copy: Sequence[str],
    instantiate: Sequence[str],
    stubs: Path | None,
    loaded: list[LoadedBundle],
    request: str | None,
) -> ModuleType | tuple[ModuleType, ...]:
    """A load the whole way: the build pipeline computes the key, finds or builds the bundle."""
    from goffi.build import _KEY_ENVIRONMENT, build_bundle, canonical_spec, check_bundle_name, names_option
    from goffi.cache import fingerprint_local_module
    from goffi.runtime.guard import single_runtime_reason
    from goffi.toolchain import find_go
    from goffi.workspace import is_floating, parse_spec, resolve_versions

    if name is not None:
        check_bundle_name(name)
    nonblocking = names_option("nonblocking", nonblocking)
    zero_copy = names_option("zero_copy", zero_copy)
    instantiate = names_option("instantiate", instantiate)
    specs = [parse_spec(p, Path.cwd()) for p in packages]
    candidates = [b for b in loaded if name is None or b.name == name]
    problems: list[str] = []
    for candidate in candidates:
        # A package already loaded is that package, whatever version "latest" is today.
        problems = _not_in(specs, candidate)
        if not problems:
            _check_unchanged(specs)
            if stubs is not None:
                write_stubs(Path(str(sys.modules[candidate.name].__file__)).parent, candidate.name, stubs)
            return _from_loaded(specs, candidate)
    _check_unchanged(specs)
    reason = single_runtime_reason() if loaded else None
    if reason is not None:
        raise _conflict(packages, specs, loaded[0], _not_in(specs, loaded[0]), reason)
    if name is not None and candidates:
        raise _conflict(packages, specs, candidates[0], problems, "a bundle name holds one bundle")
    if any(is_floating(s) for s in specs):
        request = None  # @latest is today's latest, not a cached one: no memo
        specs = resolve_versions(specs, find_go())
    wanted = [canonical_spec(s) for s in specs]
    # The warm memo's evidence, and the fingerprints, are taken before the build, so an
    # edit during the build counts as a change.
    roots = sorted({str(s.module_root) for s in specs if s.module_root})
    evidence = warm.snapshot(roots) if request is not None else None
    sources = {s.module_root: fingerprint_local_module(s.module_root) for s in specs if s.module_root}
    name = name or bundle_name(wanted, nonblocking, zero_copy, instantiate)
    built = build_bundle(specs, name, nonblocking=nonblocking, zero_copy=zero_copy, instantiate=instantiate)
    _import_bundle(built)
    for root, fingerprint in sources.items():
        _loaded_sources.setdefault(root, (fingerprint, built.name))
    if stubs is not None:
        write_stubs(built.package_dir, built.name, stubs)
    modules = _result([importlib.import_module(f"{built.name}.{built.modules[w]}") for w in wanted])
    warm.record(
        request,
        evidence,
        find_go(),
        _KEY_ENVIRONMENT,
        name=built.name,
        key=built.key,
        package_dir=str(built.package_dir),
        modules=built.modules,
        wanted=wanted,
        sources={str(root): fingerprint for root, fingerprint in sources.items()},
        local_dirs={s.spec: str(s.local_dir) for s in specs if s.local_dir is not None},
    )
    return modules


def _not_in(specs: Sequence[PackageSpec], bundle: LoadedBundle) -> list[str]:
    """The packages of ``specs`` that loaded bundle ``bundle`` does not hold, however they are spelled.

    The loaded bundle knows its packages by import path, so a spec matches by its import
    path: "./mygo" and "/abs/mygo", or "example.com/m" and "example.com/m@v1.2.3", are the
    same package. Only an exact version other than the one the bundle was built with is
    a different package.
    """
    from goffi.build import canonical_spec

    versions = _built_versions(sys.modules[bundle.name])
    missing = [canonical_spec(s) for s in specs if s.import_path not in bundle.packages]
    other = [
        f"{s.import_path}@{s.version} (the loaded bundle has @{versions[s.import_path]})"
        for s in specs
        if s.import_path in bundle.packages
        and s.version is not None
        and _exact(s.version)
        and _exact(versions.get(s.import_path, ""))
        and versions[s.import_path] != s.version
    ]
    return [*missing, *other]


def _conflict(
    asked: Sequence[str], specs: Sequence[PackageSpec], bundle: LoadedBundle, problems: list[str], why: str
) -> BundleConflictError:
    """The error of a load that needs a new bundle where none may be added."""
    from goffi.build import canonical_spec

    versions = _built_versions(sys.modules[bundle.name])
    wanted = [canonical_spec(s) for s in specs]
    loaded = bundle.packages
    return BundleConflictError(
        f"goffi.load({', '.join(map(repr, asked))}): {', '.join(problems)} "
        f"{'is' if len(problems) == 1 else 'are'} not in the Go bundle this process already loaded "
        f"({', '.join(sorted(_spelled(p, versions) for p in loaded))}), and this process can hold only "
        f"that one ({why}). Load every Go package you need in one call: goffi.load("
        + ", ".join(repr(p) for p in sorted({*(_spelled(p, versions) for p in loaded), *wanted}))
        + ")"
    )


def _from_loaded(specs: Sequence[PackageSpec], bundle: LoadedBundle) -> ModuleType | tuple[ModuleType, ...]:
    """The modules of ``specs`` from loaded bundle ``bundle``, which holds them all."""
    index: dict[str, str] = getattr(sys.modules[bundle.name], "PACKAGES", {})
    return _result([importlib.import_module(f"{bundle.name}.{index[s.import_path]}") for s in specs])


def _exact(version: str) -> bool:
    """Whether ``version`` names exactly one module version (not a query such as "latest" or "v1")."""
    import re

    return re.fullmatch(r"v\d+\.\d+\.\d+([-+].*)?", version) is not None


def _built_versions(module: ModuleType) -> dict[str, str]:
    """Import path -> the version a remote package of the loaded bundle was asked at."""
    import json

    from goffi.store import MANIFEST

    try:
        manifest = json.loads((Path(module.__file__ or "").parent / MANIFEST).read_text())
        modules = manifest["modules"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    versions = {}
    for spec in modules if isinstance(modules, dict) else ():
        path, at, version = str(spec).partition("@")
        if at:
            versions[path] = version
    return versions


def _spelled(path: str, versions: dict[str, str]) -> str:
    return f"{path}@{versions[path]}" if path in versions else path


def _import_bundle(bundle: BuiltBundle | warm.WarmHit) -> ModuleType:
    """Import the bundle package from its cache directory, without touching sys.path."""
    existing = sys.modules.get(bundle.name)
    if existing is not None and getattr(existing, "BUNDLE_KEY", None) == bundle.key:
        return existing
    package_dir = Path(bundle.package_dir)
    init = package_dir / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        bundle.name, init, submodule_search_locations=[str(package_dir)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[bundle.name] = module
    try:
        spec.loader.exec_module(module)
    except ImportError as e:
        del sys.modules[bundle.name]
        library = getattr(e, "path", None)
        if isinstance(e, BundleConflictError) or not library or Path(library).parent != package_dir:
            raise
        # The dynamic loader refused the library itself (the Go runtime never started):
        # a broken build must not stay cached, or every later load would fail the same way.
        import re

        from goffi.build import BuiltBundle, evict

        built_now = isinstance(bundle, BuiltBundle) and bundle.built_now
        evict(BuiltBundle(bundle.name, bundle.key, package_dir, dict(bundle.modules), built_now))
        symbol = re.search(r"undefined symbol: (\S+)", str(e))
        if symbol is not None and not symbol.group(1).startswith(("goffi_", "Py", "_Py")):
            why = (
                f"a package refers to the C symbol {symbol.group(1)}, which nothing linked defines: "
                "if it uses cgo, check its #cgo LDFLAGS name the library that defines it"
            )
        else:
            why = "if the next load fails the same way, it is a goffi bug (please report it)"
        raise ImportError(
            f"goffi: the bundle {bundle.name!r} ({', '.join(bundle.modules)}) failed to load from "
            f"{'a fresh build' if built_now else 'the cache'}: {e}. goffi removed it from its "
            f"cache, so the next load builds it again; {why}.",
            name=e.name,
            path=library,
        ) from e
    except BaseException:
        del sys.modules[bundle.name]
        raise
    return module


def _result(modules: list[ModuleType]) -> ModuleType | tuple[ModuleType, ...]:
    return modules[0] if len(modules) == 1 else tuple(modules)
