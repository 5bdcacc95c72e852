"""Rendering: a :class:`~goffi.plan.BundlePlan` becomes source files, byte for byte the same every time.

The Go wrapper and C glue go into a private Go module (the build workspace) together
with goffi's static runtime files; the Python files become the bundle's package.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from goffi.plan import BundlePlan
from goffi.render.c_glue import render_c_glue
from goffi.render.go_wrapper import render_go_wrapper
from goffi.render.python_pkg import render_python_package

RUNTIME_DIR = Path(__file__).resolve().parent.parent / "runtime"

# Static runtime files copied into every workspace: (source under runtime/, destination).
# The runtime's C files are not among them: they are compiled once into a static archive
# (goffi.crt) that goffi_crt.go links in; only their headers come along for the glue.
_RUNTIME_FILES = (
    ("c/goffi.h", "goffi.h"),
    ("c/goffi_py.h", "goffi_py.h"),
    ("c/goffi_exports.h", "goffi_exports.h"),
    # Links goffi.crt.ARCHIVE, which the build puts next to it.
    ("go/goffi_crt.go", "goffi_crt.go"),
    ("go/goffi_cgo.go", "goffi_cgo.go"),
    # Zero-copy slices (zero_copy=): views of Python buffers, Go arrays lent as memoryviews.
    ("go/goffi_view.go", "goffi_view.go"),
    # The goroutine bridge: built only with -tags goffi_bridge (BundlePlan.bridge).
    ("go/goffi_bridge.go", "goffi_bridge.go"),
    # Its channel pumps (the fast path of a Python loop over a channel), same tag.
    ("go/goffi_chanpump.go", "goffi_chanpump.go"),
    # Decoding into Python objects (ParamPlan.decodes): json.Unmarshal(data, a_dict).
    ("go/goffi_decode.go", "goffi_decode.go"),
    # Asynchronous preemption in every Go runtime of the process: the SIGURG chain (its C half,
    # runtime/c/goffi_sigurg.c, is in the compiled C runtime like every runtime C file).
    ("go/goffi_sigurg.go", "goffi_sigurg.go"),
)


def _runtime_package_files() -> dict[str, bytes]:
    """The Go runtime package rt (its tests stay behind), as it goes into the workspace."""
    rt = RUNTIME_DIR / "go" / "rt"
    return {
        f"rt/{p.name}": p.read_bytes() for p in sorted(rt.glob("*.go")) if not p.name.endswith("_test.go")
    }


@dataclass(frozen=True)
class RenderedBundle:
    go_files: dict[str, bytes]  # relative path in the Go workspace -> content
    python_files: dict[str, bytes]  # relative path in the bundle's Python package -> content

    def digest(self) -> str:
        """SHA-256 over every file, in path order: equal digests mean byte-identical output."""
        h = hashlib.sha256()
        for group in (self.go_files, self.python_files):
            for path in sorted(group):
                h.update(path.encode() + b"\0" + group[path] + b"\0")
        return h.hexdigest()


def gofmt(source: str, gofmt_binary: Path | None) -> str:
    """Format Go source with gofmt when available (renderers already emit gofmt style)."""
    if gofmt_binary is None or not gofmt_binary.exists():
        return source
    done = subprocess.run([str(gofmt_binary)], input=source.encode(), capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"gofmt rejected the generated wrapper (a goffi bug):\n{done.stderr.decode()}")
    return done.stdout.decode()


def render_bundle(plan: BundlePlan, key: str, gofmt_binary: Path | None = None) -> RenderedBundle:
    go_files = {dest: (RUNTIME_DIR / src).read_bytes() for src, dest in _RUNTIME_FILES}
    go_files.update(_runtime_package_files())
    go_files["wrapper.go"] = gofmt(render_go_wrapper(plan), gofmt_binary).encode()
    go_files["glue.c"] = render_c_glue(plan).encode()
    python_files = {path: text.encode() for path, text in render_python_package(plan, key).items()}
    return RenderedBundle(go_files=go_files, python_files=python_files)
