"""The run-time half of goffi (issue 14): what importing a built bundle loads, the runtime
ABI check, bundles nested inside another package, and the honest-build rules (the
user's GOFLAGS kept, the target and flags in the cache key, cross-compiling refused).

Bundles other than the session one run in subprocesses; the session bundle's folder is
copied, so no test here builds Go code.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

import goffi
from goffi import runtime
from goffi.build import compute_key
from goffi.errors import ToolchainError
from goffi.toolchain import check_host_target, find_go, merged_goflags, user_build_tags
from goffi.workspace import parse_spec

SRC = Path(goffi.__file__).resolve().parent.parent

# What a bundle must never import at run time: the build pipeline, and the heavy
# standard modules it uses (asyncio only loads for `async for` over a channel).
FORBIDDEN = (
    "goffi.build",
    "goffi.loader",
    "goffi.plan",
    "goffi.render",
    "goffi.typemap",
    "goffi.surface",
    "goffi.workspace",
    "goffi.toolchain",
    "goffi.store",
    "goffi.cache",
    "goffi.errors",
    "asyncio",
    "subprocess",
    "concurrent.futures",
    "dataclasses",
    "json",
)


def _bundle_dir(go: dict[str, ModuleType]) -> Path:
    loaded = runtime.loaded_bundle()
    assert loaded is not None
    return Path(sys.modules[loaded.name].__file__ or "").parent


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, env=env, capture_output=True, text=True
    )


def _copy_bundle(go: dict[str, ModuleType], dest: Path) -> Path:
    shutil.copytree(_bundle_dir(go), dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_importing_a_bundle_loads_only_the_runtime(go: dict[str, ModuleType], tmp_path: Path) -> None:
    # The session bundle has channels and funcs, so the bridge loads too, and strings has
    # iter.Seq functions, so the iterator wrappers do (goffi.runtime.generic), and functions
    # taking io.Writer, so the Python-object proxies do (goffi.runtime.proxy); nothing else.
    bundle = _copy_bundle(go, tmp_path / "gopkgs")
    done = _run(
        f"""
        import sys
        sys.path.insert(0, {str(bundle.parent)!r})
        import gopkgs.strings, gopkgs.strconv, gopkgs.chantest
        assert gopkgs.strings.ToUpper("go") == "GO"
        print(sorted(m for m in sys.modules if m.startswith("goffi")))
        print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    goffi_modules, forbidden = done.stdout.splitlines()
    assert goffi_modules == (
        "['goffi', 'goffi._version', 'goffi.runtime', 'goffi.runtime.bridge', 'goffi.runtime.generic', "
        "'goffi.runtime.guard', 'goffi.runtime.proxy']"
    )
    assert forbidden == "[]"


def test_goffi_names_still_resolve_lazily(tmp_path: Path) -> None:
    done = _run(
        """
        import sys, goffi
        assert "goffi.loader" not in sys.modules and "asyncio" not in sys.modules
        assert goffi.load.__module__ == "goffi.loader" and goffi.CLOSED is goffi.runtime.bridge.CLOSED
        assert issubclass(goffi.SpecError, goffi.GoffiError) and goffi.CacheWarning.__module__ == "goffi.store"
        assert set(goffi.__all__) <= set(dir(goffi))
        try:
            goffi.nope
        except AttributeError as e:
            print(e)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "module 'goffi' has no attribute 'nope'\n"


def test_a_bundle_of_another_runtime_abi_is_refused(go: dict[str, ModuleType], tmp_path: Path) -> None:
    bundle = _copy_bundle(go, tmp_path / "gopkgs")
    init = bundle / "__init__.py"
    text = init.read_text()
    assert f"RUNTIME_ABI = {runtime.ABI_VERSION}\n" in text
    init.write_text(text.replace(f"RUNTIME_ABI = {runtime.ABI_VERSION}\n", "RUNTIME_ABI = 999\n"))
    done = _run(
        f"""
        import sys
        sys.path.insert(0, {str(bundle.parent)!r})
        try:
            import gopkgs.strings
        except ImportError as e:
            print(e)
        print("gopkgs._bundle" in sys.modules)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    message, native_loaded = done.stdout.splitlines()
    assert f"was built by goffi {goffi.__version__} for runtime ABI 999" in message
    assert f"has runtime ABI {runtime.ABI_VERSION}" in message
    assert f"pip install 'goffi=={goffi.__version__}'" in message
    assert native_loaded == "False"  # refused before the Go runtime started


def test_a_nested_bundle_raises_its_error_classes(go: dict[str, ModuleType], tmp_path: Path) -> None:
    """A bundle inside another package (mylib._go) raises Go errors as its own classes."""
    (tmp_path / "mylib").mkdir()
    (tmp_path / "mylib" / "__init__.py").write_text("")
    _copy_bundle(go, tmp_path / "mylib" / "_go")
    done = _run(
        """
        import sys
        from mylib._go import strconv
        try:
            strconv.Atoi("x")
        except strconv.ErrSyntax as e:
            assert isinstance(e, strconv.NumError) and e.Func == "Atoi", e
            print(type(e).__module__, type(e).__name__)
        try:
            strconv.ParseInt("99999999999999999999", 10, 64)
        except strconv.ErrRange:
            print("range ok")
        print(sys.modules["goffi.runtime"].loaded_bundle().name)
        print("_go" in sys.modules, "gopkgs" in sys.modules)
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["mylib._go.strconv NumError", "range ok", "mylib._go", "False False"]


def test_the_users_goflags_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOFLAGS", "-mod=vendor -modcacherw -tags=netgo,osusergo -buildvcs=false")
    assert merged_goflags("-mod=mod") == "-modcacherw -buildvcs=false -mod=mod"
    assert user_build_tags() == ["netgo", "osusergo"]
    monkeypatch.delenv("GOFLAGS")
    assert merged_goflags("-mod=mod") == "-mod=mod"
    assert user_build_tags() == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [("GOARCH", "arm64"), ("GOFLAGS", "-tags=x"), ("CGO_CFLAGS", "-O3"), ("CC", "clang"), ("GOAMD64", "v3")],
)
def test_the_target_and_flags_are_in_the_cache_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str
) -> None:
    toolchain = find_go()
    specs = [parse_spec("strings", tmp_path)]
    monkeypatch.delenv(variable, raising=False)
    before = compute_key(specs, "gopkgs", toolchain)
    monkeypatch.setenv(variable, value)
    assert compute_key(specs, "gopkgs", toolchain) != before


def test_cross_compiling_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    toolchain = find_go()
    check_host_target(toolchain)  # nothing set: fine
    other = "arm64" if os.uname().machine in ("x86_64", "amd64") else "amd64"
    monkeypatch.setenv("GOARCH", other)
    with pytest.raises(ToolchainError, match=f"GOARCH={other} is set, but goffi cannot cross-compile"):
        check_host_target(toolchain)
    monkeypatch.delenv("GOARCH")
    monkeypatch.setenv("CGO_ENABLED", "0")
    with pytest.raises(ToolchainError, match="CGO_ENABLED=0 is set"):
        check_host_target(toolchain)


def test_a_native_goarch_is_not_cross_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    toolchain = find_go()
    native = {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine)
    if native is None:
        pytest.skip(f"no Go name known for {os.uname().machine}")
    monkeypatch.setenv("GOARCH", native)
    check_host_target(toolchain)


def test_a_changed_local_package_is_not_returned_stale(session_cache: Path, tmp_path: Path) -> None:
    """A second goffi.load after an edit raises: one process cannot reload Go code."""
    module = tmp_path / "edited"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/edited\n\ngo 1.24\n")
    source = module / "edited.go"
    source.write_text("package edited\n\nfunc Version() int { return 1 }\n")
    done = _run(
        f"""
        import goffi, pathlib
        edited = goffi.load({str(module)!r})
        print(edited.Version())
        assert goffi.load({str(module)!r}) is edited  # unchanged: the loaded module
        source = pathlib.Path({str(source)!r})
        source.write_text(source.read_text().replace("return 1", "return 2"))
        try:
            goffi.load({str(module)!r})
        except goffi.BundleConflictError as e:
            print(e)
        print(edited.Version())
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    first, message, still = done.stdout.splitlines()
    assert (first, still) == ("1", "1")
    assert f"the Go sources of {module} changed since this process loaded them" in message
    assert "restart Python" in message


@pytest.mark.network
def test_floating_versions_are_resolved_each_build(tmp_path: Path) -> None:
    from goffi.workspace import is_floating, resolve_versions

    toolchain = find_go()
    exact = parse_spec("github.com/google/uuid@v1.6.0", tmp_path)
    latest = parse_spec("github.com/google/uuid@latest", tmp_path)
    nested = parse_spec("golang.org/x/text/language@latest", tmp_path)  # a package inside a module
    assert not is_floating(exact) and is_floating(latest) and not is_floating(parse_spec("strings", tmp_path))
    resolved = resolve_versions([exact, latest, nested], toolchain)
    assert resolved[0] == exact
    for spec in resolved[1:]:
        assert spec.version is not None and re.fullmatch(r"v\d+\.\d+\.\d+", spec.version), spec
        assert not is_floating(spec)
    assert resolved[2].import_path == "golang.org/x/text/language"
    # The cache key follows the resolved version, never the word "latest".
    assert compute_key([resolved[1]], "gopkgs", toolchain) != compute_key([latest], "gopkgs", toolchain)


def test_the_manifest_records_the_modules_used(go: dict[str, ModuleType]) -> None:
    """The bundle's manifest keeps the go.mod (resolved versions) and go.sum it was built with."""
    manifest = json.loads((_bundle_dir(go) / "goffi-manifest.json").read_text())
    assert manifest["go_mod"].startswith("module goffi.local/bundle\n")
    assert "example.com/typestest" in manifest["go_mod"]
    assert isinstance(manifest["go_sum"], str)
