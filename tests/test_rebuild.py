"""The edit loop's build structure (issue 14, item 3): after a change to a function body
of a bridged package, Go rebuilds the bundle's wrapper package and nothing that does not
depend on it. goffi's Go runtime is a package of its own (rtcgo), and the C glue too
(glue); the bundle's main package uses no cgo, so `go build -buildmode=c-shared` writes
no C header, for which it would run cgo and the C compiler again on every cgo package
main imports: the runtime, the glue and runtime/cgo come from Go's build cache. Go's own
account of what it ran (`go build -x`) is the oracle.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from goffi.build import BUILD_FLAGS, Progress, build_env, plan_specs, write_workspace
from goffi.render import GLUE_DIR, RTCGO_DIR, WRAPPER_DIR, render_bundle
from goffi.render.go_wrapper import BUNDLE_HEADER, export_prototypes
from goffi.toolchain import find_c_compiler, find_go, python_include_dir
from goffi.workspace import parse_spec

_SOURCE = """package edit

// Point is a record.
type Point struct{ X, Y int64 }

// Add adds.
func Add(a, b int64) int64 { return a + b + 0 }

// Norm1 is |X| + |Y|.
func (p Point) Norm1() int64 { return p.X + p.Y }
"""


def test_a_body_edit_rebuilds_the_wrapper_only(tmp_path: Path, session_cache: Path) -> None:
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "go.mod").write_text("module example.com/edit\n\ngo 1.24\n")
    (mod / "edit.go").write_text(_SOURCE)
    work = tmp_path / "work"
    toolchain = find_go()
    cc, include = find_c_compiler(), python_include_dir()
    plan = plan_specs([parse_spec(str(mod))], work, toolchain, session_cache, Progress(False))
    rendered = render_bundle(plan, "rebuild")
    assert b"import" in rendered.go_files["main.go"] and b'"C"' not in rendered.go_files["main.go"]
    assert f"{RTCGO_DIR}/goffi_cgo.go" in rendered.go_files  # the runtime's own package
    write_workspace(rendered.go_files, work, cc, include, session_cache)
    env = build_env(toolchain, cc, include)
    command = [str(toolchain.go), "build", "-buildmode=c-shared", *BUILD_FLAGS, "-o", str(work / "b.so"), "."]

    def build(*flags: str) -> str:
        done = subprocess.run(
            [*command[:2], *flags, *command[2:]], cwd=work, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stderr

    build()
    assert not (work / "b.h").exists()  # no C header written (it made cgo run again)
    (mod / "edit.go").write_text(_SOURCE.replace("a + b + 0", "a + b + 1"))
    log = build("-x")
    assert "-importpath goffi.local/bundle/wrapper" in log  # the wrapper's cgo ran: it calls edit
    assert "glue.c" not in log and "-importpath goffi.local/bundle/glue" not in log, log[-3000:]
    assert "gcc_libinit" not in log and "-importpath runtime/cgo" not in log, log[-3000:]
    assert "-importpath goffi.local/bundle/rtcgo" not in log and "goffi_cgo.go" not in log, log[-3000:]
    # The glue and the wrapper share one header, which declares every wrapper export.
    header = rendered.go_files[f"{GLUE_DIR}/{BUNDLE_HEADER}"]
    assert header == rendered.go_files[f"{WRAPPER_DIR}/{BUNDLE_HEADER}"]
    assert b"extern void goffi_f_0_Add(int64_t a0, int64_t a1, int64_t* r0, goffi_err* e" in header
    assert os.environ.get("GOFFI_CACHE_DIR") == str(session_cache)


def test_export_prototypes_spell_cgo_types() -> None:
    go = (
        "//export goffi_f\nfunc goffi_f(a, b C.int64_t, s C.goffi_str, p *C.uchar, q unsafe.Pointer, "
        "r **C.struct_x, u C.ulonglong) {\n\treturned := false\n}\n"
        "//export goffi_g\nfunc goffi_g() {\n}\n"
    )
    assert export_prototypes(go) == (
        "extern void goffi_f(int64_t a, int64_t b, goffi_str s, unsigned char* p, void* q, "
        "struct x** r, unsigned long long u);\nextern void goffi_g(void);\n"
    )
    with pytest.raises(AssertionError, match="returns int"):
        export_prototypes("//export goffi_h\nfunc goffi_h() int {\n")
