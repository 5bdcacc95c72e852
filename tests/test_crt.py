"""goffi's C runtime compiled once into a cached static archive (goffi.crt), not per bundle."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from goffi import crt, store
from goffi.render import _RUNTIME_FILES, RUNTIME_DIR
from goffi.toolchain import find_c_compiler, python_include_dir


@pytest.fixture(scope="module")
def archive_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("crt-cache")


def _archive(cache: Path) -> Path:
    crt._verified.clear()  # as a new process would: check the entry on disk
    return crt.runtime_archive(find_c_compiler(), python_include_dir(), cache)


def _members(archive: Path) -> list[str]:
    done = subprocess.run(["ar", "t", str(archive)], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_the_archive_holds_every_runtime_c_file(archive_cache: Path) -> None:
    archive = _archive(archive_cache)
    expected = sorted(p.with_suffix(".o").name for p in (RUNTIME_DIR / "c").glob("*.c"))
    assert sorted(_members(archive)) == expected
    assert "goffi_rt.o" in expected and "goffi_bridge.o" in expected


def test_the_archive_is_compiled_once_and_reused(archive_cache: Path) -> None:
    first = _archive(archive_cache)
    before = first.stat()
    again = _archive(archive_cache)
    assert again == first
    after = again.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)  # not compiled again
    entries = [p.name for p in (archive_cache / "tools").iterdir() if p.name.startswith("crt-")]
    assert entries == [first.parent.parent.name]


def test_other_c_flags_make_another_archive(archive_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    default = _archive(archive_cache)
    monkeypatch.setenv("CGO_CFLAGS", "-DGOFFI_TEST_FLAG=1")
    other = _archive(archive_cache)
    assert other != default and other.is_file()
    assert "-DGOFFI_TEST_FLAG=1" in crt.compile_flags(python_include_dir())


def test_a_damaged_archive_is_rebuilt_with_a_warning(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other content: only the SHA-256 check sees it
    archive.write_bytes(bytes(data))
    with pytest.warns(store.CacheWarning, match="cached C runtime .* does not match the SHA-256"):
        rebuilt = _archive(tmp_path)
    assert rebuilt == archive
    assert "goffi_rt.o" in _members(rebuilt)
    assert rebuilt.read_bytes() != bytes(data)
    shutil.rmtree(tmp_path / "tools")


def test_the_archive_holds_no_path_of_this_machine(archive_cache: Path) -> None:
    archive = _archive(archive_cache)
    data = archive.read_bytes()
    for path in (archive_cache, RUNTIME_DIR, Path.cwd(), python_include_dir()):
        assert str(path).encode() not in data, path


def test_bundles_carry_no_runtime_c_source() -> None:
    """Each bundle links the archive: no runtime .c file is copied into its workspace, and the
    runtime's C files declare the Go exports they call (no cgo-generated _cgo_export.h)."""
    destinations = [dest for _, dest in _RUNTIME_FILES]
    assert not [d for d in destinations if d.endswith(".c")]
    assert "wrapper/goffi_crt.go" in destinations and "rtcgo/goffi_exports.h" in destinations
    for c_file in (RUNTIME_DIR / "c").glob("*.c"):
        assert "_cgo_export.h" not in c_file.read_text(), c_file.name
