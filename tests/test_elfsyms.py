"""goffi.elfsyms reads a library's undefined dynamic symbols in-process, as binutils' ``nm
-D --undefined-only`` prints them (the oracle), so a build's check for goffi symbols the
generated code never defines starts no process."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import ModuleType

import pytest

from goffi.build import _undefined_goffi_symbols
from goffi.elfsyms import undefined_dynamic_symbols

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("nm") is None, reason="ELF and binutils' nm"
)


def _nm_undefined(library: Path) -> list[str]:
    done = subprocess.run(["nm", "-D", "--undefined-only", str(library)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # Newer binutils append the symbol version (free@GLIBC_2.2.5); the table's name has none.
    return sorted(line.split()[-1].split("@")[0] for line in done.stdout.splitlines() if line.strip())


def _libraries(go: dict[str, ModuleType]) -> list[Path]:
    ext = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    module_file = Path(next(iter(go.values())).__file__ or "")
    bundles = [p for d in (module_file.parent, *module_file.parents[:3]) for p in d.glob(f"_bundle{ext}")]
    assert bundles, module_file
    # and a library of the interpreter's own (an extension module), not built by Go
    json_ext = Path(sysconfig.get_path("platstdlib")) / "lib-dynload" / f"_json{ext}"
    return [bundles[0], *([json_ext] if json_ext.exists() else [])]


def test_the_same_symbols_as_nm(go: dict[str, ModuleType]) -> None:
    for library in _libraries(go):
        names = undefined_dynamic_symbols(library)
        assert names is not None, library
        assert sorted(names) == _nm_undefined(library), library
        assert names  # both import something (Python's API, libc): the comparison compares


def test_a_missing_goffi_symbol_is_found(tmp_path: Path) -> None:
    """A library that calls a goffi_ function nobody defines (a rendering bug) is caught."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    (tmp_path / "x.c").write_text(
        "extern int goffi_missing(int);\nextern int goffi_also(void);\nint goffi_here(int x) { return x; }\n"
        "int f(int x) { return goffi_missing(x) + goffi_also() + goffi_here(x); }\n"
    )
    library = tmp_path / "x.so"
    done = subprocess.run(
        [cc, "-shared", "-fPIC", "-o", str(library), str(tmp_path / "x.c")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert _undefined_goffi_symbols(library) == ["goffi_also", "goffi_missing"]
    assert sorted(undefined_dynamic_symbols(library) or []) == _nm_undefined(library)


def test_not_elf(tmp_path: Path) -> None:
    """Anything it cannot read is left to nm (None), not read as "nothing undefined"."""
    for content in (b"", b"\x7fELF", b"\x7fELF\x02\x01\x01" + b"\0" * 40, b"MZ" + b"\0" * 100):
        (tmp_path / "f.so").write_bytes(content)
        assert undefined_dynamic_symbols(tmp_path / "f.so") is None, content
    assert undefined_dynamic_symbols(tmp_path / "absent.so") is None
