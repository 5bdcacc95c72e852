"""The Go half of goffi's runtime (package rt) passes its own tests, with the race detector."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import goffi.render
from goffi.toolchain import find_go


def test_go_runtime_package(tmp_path: Path) -> None:
    toolchain = find_go()
    # rt is imported by bundles as goffi.local/bundle/rt; test it in a module of that name.
    (tmp_path / "go.mod").write_text("module goffi.local/bundle\n\ngo 1.24\n")
    shutil.copytree(goffi.render.RUNTIME_DIR / "go" / "rt", tmp_path / "rt")
    env = toolchain.env(GOFLAGS="", GOWORK="off")
    done = subprocess.run(
        [str(toolchain.go), "test", "-race", "-count=1", "./rt"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok  \tgoffi.local/bundle/rt" in done.stdout
    assert os.path.exists(tmp_path / "rt" / "handles_test.go")
