"""needs_runtime (the reference design's NeedsRuntime) and the build-tag gate of the bridge.

A bundle carries the goroutine bridge only when its API has a channel or a func in it;
the bridge's runtime files are gated by the goffi_bridge build tag, and a pure-sync
bundle compiles with and without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from goffi.build import Progress, prepare_surface, write_workspace
from goffi.plan import needs_runtime, plan_bundle
from goffi.render import render_bundle
from goffi.surface.model import Field, Func, Method, NamedType, Package, Param, Surface, TypeRef
from goffi.toolchain import find_c_compiler, find_go, python_include_dir
from goffi.workspace import parse_spec

INT = TypeRef(kind="basic", name="int64")
STR = TypeRef(kind="basic", name="string")
CHAN = TypeRef(kind="chan", elem=INT)
FUNC = TypeRef(kind="func", params=(Param("x", INT),), results=(Param("", INT),))


def surface(funcs: tuple[Func, ...] = (), named: dict[str, NamedType] | None = None) -> Surface:
    named = named or {}
    types = tuple(k for k in named if k.startswith("example.com/p."))
    pkg = Package(path="example.com/p", name="p", funcs=funcs, types=types)
    return Surface(go_version="go1.26", packages=(pkg,), named=named)


def fn(params: tuple[TypeRef, ...] = (), results: tuple[TypeRef, ...] = ()) -> Func:
    return Func(
        name="F",
        params=tuple(Param(f"a{i}", t) for i, t in enumerate(params)),
        results=tuple(Param("", t) for t in results),
    )


def test_channel_in_func_param() -> None:
    assert needs_runtime(surface((fn(params=(CHAN,)),)))


def test_channel_in_func_result() -> None:
    assert needs_runtime(surface((fn(results=(CHAN,)),)))


def test_callback_param() -> None:
    assert needs_runtime(surface((fn(params=(FUNC,)),)))


def test_channel_nested_in_slice() -> None:
    assert needs_runtime(surface((fn(params=(TypeRef(kind="slice", elem=CHAN),)),)))


def test_callback_in_map_value() -> None:
    assert needs_runtime(surface((fn(results=(TypeRef(kind="map", key=STR, elem=FUNC),)),)))


def test_pure_sync_is_false() -> None:
    slice_of_maps = TypeRef(kind="slice", elem=TypeRef(kind="map", key=STR, elem=INT))
    assert not needs_runtime(surface((fn(params=(INT, STR, slice_of_maps), results=(STR,)),)))


def test_unreadable_surface_counts_as_true() -> None:
    assert needs_runtime(None)


def test_channel_in_method() -> None:
    method = Method(name="Events", params=(), results=(Param("", CHAN),), pointer_receiver=True)
    t = NamedType(pkg="example.com/p", name="T", underlying=TypeRef(kind="struct"), methods=(method,))
    assert needs_runtime(surface(named={"example.com/p.T": t}))


def test_callback_in_interface_method() -> None:
    method = Method(name="On", params=(Param("f", FUNC),), results=())
    iface = NamedType(pkg="example.com/p", name="I", underlying=TypeRef(kind="interface", methods=(method,)))
    assert needs_runtime(surface(named={"example.com/p.I": iface}))


def test_callback_in_exported_struct_field() -> None:
    hooks = TypeRef(kind="struct", fields=(Field("OnEvent", FUNC, exported=True),))
    t = NamedType(pkg="example.com/p", name="Hooks", underlying=hooks)
    assert needs_runtime(surface(named={"example.com/p.Hooks": t}))
    hidden = TypeRef(kind="struct", fields=(Field("onEvent", FUNC, exported=False),))
    quiet = NamedType(pkg="example.com/p", name="Hooks", underlying=hidden)
    assert not needs_runtime(surface(named={"example.com/p.Hooks": quiet}))


@pytest.mark.parametrize("tags", [[], ["-tags", "goffi_bridge"]], ids=["without-tag", "with-tag"])
def test_pure_sync_wrapper_compiles_with_and_without_the_bridge_tag(
    tags: list[str], tmp_path_factory: pytest.TempPathFactory, session_cache: Path
) -> None:
    work = tmp_path_factory.mktemp("gate")
    toolchain = find_go()
    s = prepare_surface([parse_spec("path")], work, toolchain, session_cache, Progress(False))
    plan = plan_bundle(s)
    assert not plan.bridge  # path has no channel or func: no bridge
    rendered = render_bundle(plan, "gate")
    assert "rtcgo/goffi_bridge.go" in rendered.go_files  # its C half is in the runtime archive
    write_workspace(rendered.go_files, work, find_c_compiler(), python_include_dir(), session_cache)
    env = toolchain.env(
        GOFLAGS="-mod=mod",
        GOWORK="off",
        CGO_CFLAGS=f"-I{python_include_dir()}",
        CGO_LDFLAGS="-Wl,--unresolved-symbols=ignore-all",
    )
    done = subprocess.run(
        [str(toolchain.go), "build", "-buildmode=c-shared", *tags, "-o", str(work / "out.so"), "."],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (work / "out.so").stat().st_size > 0
    shutil.rmtree(work, ignore_errors=True)
    assert os.environ.get("GOFFI_CACHE_DIR") == str(session_cache)
