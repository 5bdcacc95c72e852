"""The cases in the order the table shows them (issue 5's order), with their ids.

Adding a case: write a function ``(Bench) -> Row`` (cases.py, goroutines.py, procs.py, memory.py) and list it
here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from goffi.bench import cases, goroutines, memory, procs, rebuild
from goffi.bench.context import Bench
from goffi.bench.model import Row


@dataclass(frozen=True)
class Case:
    id: str
    run: Callable[[Bench], Row]
    uses_gopy: bool = False  # gopy has a result for it (so --gopy work is only done when needed)


CASES: tuple[Case, ...] = (
    Case("add", cases.add, uses_gopy=True),
    Case("add_nonblocking", cases.add_nonblocking),
    Case("noop", cases.noop, uses_gopy=True),
    Case("upper_16", cases.upper_16, uses_gopy=True),
    Case("upper_4k", cases.upper_4k, uses_gopy=True),
    Case("handle_method", cases.handle_method, uses_gopy=True),
    Case("error_nil", cases.error_nil, uses_gopy=True),
    Case("bytes_64m", cases.bytes_sum),
    Case("bytes_1m", cases.bytes_sum_1m),
    Case("crc32_64m", cases.crc32_64m),
    Case("sha256_64m", cases.sha256_64m),
    Case("bytearray_64m", cases.bytearray_sum),
    Case("io_copy_64m", cases.io_copy),
    Case("floats_1m", cases.floats),
    Case("floats_zero_copy", cases.floats_zero_copy),
    Case("ctypes_add", cases.ctypes_add),
    Case("callback_same_thread", goroutines.callback_same_thread),
    Case("callback_1_goroutine", goroutines.callback_1_goroutine),
    Case("callback_8_goroutines", goroutines.callback_8_goroutines),
    Case("chan_iter", goroutines.chan_iter),
    Case("chan_floor_0", goroutines.chan_floor_0),
    Case("chan_floor_1", goroutines.chan_floor_1),
    Case("chan_floor_64", goroutines.chan_floor_64),
    Case("chan_floor_1024", goroutines.chan_floor_1024),
    Case("seq_iter", goroutines.seq_iter),
    Case("warm_load", procs.warm_load),
    Case("bundle_import", procs.bundle_import),
    Case("cold_build", procs.cold_build, uses_gopy=True),
    Case("rebuild", rebuild.rebuild),
    Case("cold_build_cpu", rebuild.cold_build_cpu),
    Case("generic_build", procs.generic_build),
    Case("handles_1m", memory.handles_1m),
)
