"""A built bundle's library names no folder of the machine that built it (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from goffi.toolchain import find_go, python_include_dir

_SOURCE = """package honest

// Twice doubles.
func Twice(x int64) int64 { return 2 * x }
"""


def test_the_library_holds_no_absolute_path_of_the_checkout_or_caches(
    tmp_path: Path, session_cache: Path
) -> None:
    checkout = tmp_path / "checkout-f8e1c0de" / "gomod"
    checkout.mkdir(parents=True)
    (checkout / "go.mod").write_text("module example.com/honest\n\ngo 1.24\n")
    (checkout / "honest.go").write_text(_SOURCE)
    out = tmp_path / "out" / "honestpkgs"
    done = subprocess.run(
        [sys.executable, "-m", "goffi", "build", "-o", str(out), str(checkout)],
        env=dict(os.environ, GOFFI_CACHE_DIR=str(session_cache)),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    (library,) = out.glob("_bundle*.so")
    data = library.read_bytes()
    go = find_go()
    gocache = subprocess.run(
        [str(go.go), "env", "GOCACHE", "GOMODCACHE"], env=go.env(), capture_output=True, text=True
    ).stdout.split()
    forbidden = {
        "checkout": checkout,
        "temporary folder": tmp_path,
        "goffi cache": session_cache,
        "home": Path.home(),
        "Python headers": python_include_dir(),
        "GOROOT": go.goroot,
        **{f"go env {i}": Path(p) for i, p in enumerate(gocache)},
    }
    for what, path in forbidden.items():
        assert str(path).encode() not in data, f"the library holds the {what} path {path}"
    # What Go records of the build: the local module is replaced by a relative link.
    info = subprocess.run([str(go.go), "version", "-m", str(library)], capture_output=True, text=True)
    assert info.returncode == 0, info.stderr
    assert "example.com/honest" in info.stdout
    assert "=>\t./_local/example.com_honest" in info.stdout
    recorded = info.stdout.split("\n", 1)[1]  # the first line names the file given
    assert str(tmp_path) not in recorded
    # The library still works.
    check = (
        f"import sys; sys.path.insert(0, {str(out.parent)!r}); "
        "from honestpkgs.honest import Twice; print(Twice(21))"
    )
    ran = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "42"
