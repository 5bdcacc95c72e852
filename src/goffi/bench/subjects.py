"""What the in-process cases call: the gobench package through goffi, the floor, ctypes.

All three live in ONE shared library, goffi's bundle of ``gobench/`` (one process can
hold only one Go runtime): goffi's generated exports, the plain C-ABI exports of
cabi.go and the hand-written CPython module of floor.c are all linked into it.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import goffi
from goffi.toolchain import python_include_dir

#: The Go package the suite builds: ordinary Go functions plus the baselines.
GOBENCH_DIR = Path(__file__).resolve().parent / "gobench"
#: The bundle's Python package name; its own name keeps it apart from a user's "gopkgs".
BUNDLE_NAME = "goffi_bench"
#: Standard-library packages bridged beside gobench: the hash rows call them directly.
STDLIB = ("hash/crc32", "crypto/sha256")


@dataclass(frozen=True)
class Subjects:
    go: ModuleType  # gobench as goffi bridges it
    floor: ModuleType  # floor.c's hand-written module
    lib: ctypes.CDLL  # the same library through ctypes
    library: Path  # the bundle's shared library
    # Standard-library packages in the same bundle, by import path (the hash rows').
    stdlib: dict[str, ModuleType]


@contextmanager
def _python_headers_for_cgo() -> Iterator[None]:
    """Let every cgo compile of the build find Python.h, including goffi's API extraction.

    floor.c includes <Python.h>. goffi's build adds -I<python include> for its own
    compile, but reading the package's API (`go list -export`) compiles gobench's cgo
    files with the environment's CGO_CFLAGS only. The flags are restored afterwards so
    child processes see the caller's environment (they are part of goffi's cache key).
    """
    old = os.environ.get("CGO_CFLAGS")
    os.environ["CGO_CFLAGS"] = f"-I{python_include_dir()} {old or ''}".strip()
    try:
        yield
    finally:
        if old is None:
            del os.environ["CGO_CFLAGS"]
        else:
            os.environ["CGO_CFLAGS"] = old


def _floor_module(library: Path) -> ModuleType:
    """Create floor.c's module once, through ctypes; its functions are then plain builtins."""
    create = ctypes.PyDLL(str(library)).gobench_floor_module
    create.argtypes = []
    create.restype = ctypes.py_object
    module = create()
    assert isinstance(module, ModuleType)
    return module


def _ctypes_lib(library: Path) -> ctypes.CDLL:
    """The plain exports with argtypes/restype (dlopen of a loaded library: same handle, same Go)."""
    lib = ctypes.CDLL(str(library))
    lib.gobench_Add.argtypes = [ctypes.c_int64, ctypes.c_int64]
    lib.gobench_Add.restype = ctypes.c_int64
    lib.gobench_Noop.argtypes = []
    lib.gobench_Noop.restype = None
    lib.gobench_SumBytes.argtypes = [ctypes.c_char_p, ctypes.c_int64]
    lib.gobench_SumBytes.restype = ctypes.c_uint64
    lib.gobench_NewCounter.argtypes = []
    lib.gobench_NewCounter.restype = ctypes.c_size_t
    lib.gobench_CounterInc.argtypes = [ctypes.c_size_t]
    lib.gobench_CounterInc.restype = ctypes.c_int64
    lib.gobench_FreeCounter.argtypes = [ctypes.c_size_t]
    lib.gobench_FreeCounter.restype = None
    lib.gobench_CallN.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int]
    lib.gobench_CallN.restype = ctypes.c_int64
    lib.gobench_CountOpen.argtypes = [ctypes.c_int64, ctypes.c_int64]
    lib.gobench_CountOpen.restype = ctypes.c_size_t
    lib.gobench_ChanRecv.argtypes = [ctypes.c_size_t, ctypes.POINTER(ctypes.c_int64)]
    lib.gobench_ChanRecv.restype = ctypes.c_int32
    lib.gobench_ChanFree.argtypes = [ctypes.c_size_t]
    lib.gobench_ChanFree.restype = None
    lib.gobench_CountDrain.argtypes = [ctypes.c_int64, ctypes.c_int64]
    lib.gobench_CountDrain.restype = ctypes.c_int64
    lib.gobench_CRC32.argtypes = [ctypes.c_char_p, ctypes.c_int64]
    lib.gobench_CRC32.restype = ctypes.c_uint32
    lib.gobench_SHA256.argtypes = [ctypes.c_char_p, ctypes.c_int64, ctypes.c_char_p]
    lib.gobench_SHA256.restype = None
    return lib


def load_subjects() -> Subjects:
    """Build (or find in goffi's cache) and load the bench bundle, then its baselines."""
    with _python_headers_for_cgo():
        # AddNB: the "does not block" policy's case (called with the GIL held);
        # ScaleFloatsView: the zero-copy policy's.
        loaded = goffi.load(
            str(GOBENCH_DIR),
            *STDLIB,
            name=BUNDLE_NAME,
            nonblocking=["goffi.local/gobench.AddNB"],
            zero_copy=["goffi.local/gobench.ScaleFloatsView"],
        )
    assert isinstance(loaded, tuple)
    go, *std = loaded
    library = Path(sys.modules[BUNDLE_NAME]._bundle.__file__)
    return Subjects(
        go=go,
        floor=_floor_module(library),
        lib=_ctypes_lib(library),
        library=library,
        stdlib=dict(zip(STDLIB, std, strict=True)),
    )
