"""The in-process cases: goffi and its baselines calling the same Go functions.

Each case builds its contenders, measures them together (:meth:`Bench.timed`) and
returns a :class:`Row` with the target from issue 5; adding a case is one function
here and one line in :mod:`goffi.bench.suite`.
"""

from __future__ import annotations

import array
import gc
import io
from collections.abc import Callable
from functools import partial
from itertools import repeat
from typing import Any

import goffi
from goffi.bench.context import Bench
from goffi.bench.model import Check, Row
from goffi.bench.timing import Contender, Runner, call_loop, inc_loop

FLOOR = "floor (GIL released)"
FLOOR_GIL = "floor (GIL held)"
CTYPES = "ctypes"

UPPER_16 = "abcdefghijklmnop"  # ASCII: its UTF-8 form is the str's own data, for goffi and the floor alike
UPPER_4K = "abcdefghijklmnop" * 256


def add(b: Bench) -> Row:
    go, floor, lib = b.subjects.go, b.subjects.floor, b.subjects.lib
    r = b.timed(
        [
            Contender("goffi", call_loop(go.Add, 1, 2)),
            Contender(FLOOR, call_loop(floor.add, 1, 2)),
            Contender(FLOOR_GIL, call_loop(floor.add_gil, 1, 2)),
            Contender(CTYPES, call_loop(lib.gobench_Add, 1, 2)),
        ]
    )
    return Row(
        case="add",
        title="Add(int64, int64) int64, default policy",
        goffi=r["goffi"],
        baselines=[r[FLOOR], r[FLOOR_GIL], r[CTYPES], b.gopy.get("add")],
        target_of=FLOOR,
        target=1.3,
        target_text="<= 1.3x floor",
        notes=[
            "floor: floor.c's METH_FASTCALL add, the minimal binding: two PyLong_AsLongLong, the GIL "
            "released around the plain C-ABI export gobench_Add(a, b int64) int64 (no arena, error or "
            "panic recovery), PyLong_FromLongLong",
            "profiled (callgrind, per call with the Python loop, 100,000 calls against 200,000): goffi "
            "1,481 instructions to the floor's 1,399 (1.06x); of the 82 more, ~39 are the Go export's "
            "panic guard (its deferred closure with recover() and the returned flag: 55 instructions in "
            "Go to the floor's 16), ~9 cgo's C stub passing the result, error and arena pointers, ~8 the "
            "glue (its arena, fork, keyword, error and pending-exception checks and call tracking, less "
            "its inlined int conversion, cheaper than two PyLong_AsLongLong), ~20 CPython dispatching a "
            "METH_FASTCALL|METH_KEYWORDS function instead of a METH_FASTCALL one; the GIL release and "
            "reacquire and the cgo crossing (~1,000) are the same for both",
        ],
    )


def add_nonblocking(b: Bench) -> Row:
    go, floor = b.subjects.go, b.subjects.floor
    r = b.timed(
        [
            Contender("goffi", call_loop(go.AddNB, 1, 2)),
            Contender(FLOOR_GIL, call_loop(floor.add_gil, 1, 2)),
            Contender("goffi Add (default policy)", call_loop(go.Add, 1, 2)),
        ]
    )
    return Row(
        case="add_nonblocking",
        title="Add, opt-in 'does not block' policy (nonblocking=)",
        goffi=r["goffi"],
        baselines=[r[FLOOR_GIL], r["goffi Add (default policy)"]],
        target_of=FLOOR_GIL,
        target=1.3,
        target_text="<= 1.3x floor (GIL held)",
        notes=[
            "profiled (callgrind, per call with the Python loop): goffi 1,203 instructions to the floor's "
            "1,137 (1.06x); of the 66 more, ~41 are the Go export's deferred panic guard, ~9 cgo passing "
            "the err and arena pointers, ~10 the glue's arena, call tracking and callback-exception check"
        ],
    )


def noop(b: Bench) -> Row:
    go, floor, lib = b.subjects.go, b.subjects.floor, b.subjects.lib
    r = b.timed(
        [
            Contender("goffi", call_loop(go.Noop)),
            Contender(FLOOR, call_loop(floor.noop)),
            Contender(FLOOR_GIL, call_loop(floor.noop_gil)),
            Contender(CTYPES, call_loop(lib.gobench_Noop)),
        ]
    )
    return Row(
        case="noop",
        title="Noop(): no argument, no result",
        goffi=r["goffi"],
        baselines=[r[FLOOR], r[FLOOR_GIL], r[CTYPES], b.gopy.get("noop")],
        target_of=FLOOR,
        target=1.3,
        target_text="<= 1.3x floor",
    )


def _upper(b: Bench, case: str, text: str) -> Row:
    go, floor = b.subjects.go, b.subjects.floor
    r = b.timed(
        [Contender("goffi", call_loop(go.Upper, text)), Contender(FLOOR, call_loop(floor.upper, text))]
    )
    return Row(
        case=case,
        title=f"Upper(string) string, {len(text.encode()):,} B",
        goffi=r["goffi"],
        baselines=[r[FLOOR], b.gopy.get(case)],
        target_of=FLOOR,
        target=1.5,
        target_text="<= 1.5x floor",
        notes=(
            ["floor does goffi's conversions: UTF-8 view in, Go string copy, copy out, decode"]
            if case == "upper_16"
            else []
        ),
    )


def upper_16(b: Bench) -> Row:
    return _upper(b, "upper_16", UPPER_16)


def upper_4k(b: Bench) -> Row:
    return _upper(b, "upper_4k", UPPER_4K)


def _inc_gil_loop(counter: Any) -> Runner:
    def run(n: int) -> None:
        c = counter
        for _ in repeat(None, n):
            c.Inc_gil()

    return run


def handle_method(b: Bench) -> Row:
    go, floor, lib = b.subjects.go, b.subjects.floor, b.subjects.lib
    counter, floor_counter = go.NewCounter(), floor.Counter()
    raw = lib.gobench_NewCounter()  # a cgo.Handle, for ctypes
    try:
        assert counter.Inc() == floor_counter.Inc() == lib.gobench_CounterInc(raw) == 1
        r = b.timed(
            [
                Contender("goffi", inc_loop(counter)),
                Contender(FLOOR, inc_loop(floor_counter)),
                Contender(FLOOR_GIL, _inc_gil_loop(floor_counter)),
                Contender(CTYPES, call_loop(lib.gobench_CounterInc, raw)),
            ]
        )
    finally:
        lib.gobench_FreeCounter(raw)
    return Row(
        case="handle_method",
        title="(*Counter).Inc() int64 on a handle object",
        goffi=r["goffi"],
        baselines=[r[FLOOR], r[FLOOR_GIL], r[CTYPES], b.gopy.get("handle_method")],
        target_of=FLOOR,
        target=1.5,
        target_text="<= 1.5x floor + one handle lookup",
        notes=[
            "floor: a minimal C type holding a cgo.Handle; its METH_FASTCALL Inc resolves the handle "
            "in Go (sync.Map load + type assertion), the one lookup any binding of a Go pointer needs; "
            "ctypes calls the same export with the raw handle"
        ],
    )


def error_nil(b: Bench) -> Row:
    go = b.subjects.go
    same = "goffi Add (no error)"
    r = b.timed([Contender("goffi", call_loop(go.AddErr, 1, 2)), Contender(same, call_loop(go.Add, 1, 2))])
    return Row(
        case="error_nil",
        title="AddErr -> (int64, error), nil error",
        goffi=r["goffi"],
        baselines=[r[same], b.gopy.get("error_nil")],
        target_of=same,
        target=1.3,
        target_text="<= 1.3x without error",
    )


def _peak_rss_growth(fn: Callable[[], object]) -> tuple[int, str] | None:
    """How many bytes the peak RSS grew by while ``fn`` ran, and how that was measured.

    Linux lets a process reset its own peak (writing 5 to /proc/self/clear_refs), so
    VmHWM afterwards is the peak during ``fn`` alone; without that it would be hidden
    by whatever earlier case used more memory.
    """
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before = _status_kib("VmRSS")
        fn()
        after = _status_kib("VmHWM")
    except OSError:
        return None
    return (after - before) * 1024, "VmHWM after resetting it"


def _status_kib(key: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise OSError(f"{key} is missing from /proc/self/status")


def _sum_bytes(b: Bench, case: str, data: bytes | bytearray) -> Row:
    go, floor, lib = b.subjects.go, b.subjects.floor, b.subjects.lib
    size = len(data)
    want = sum(range(256)) * (size // 256)
    assert go.SumBytes(data) == floor.sum_bytes(data) == want
    growth = {
        "goffi": _peak_rss_growth(partial(go.SumBytes, data)),
        "floor": _peak_rss_growth(partial(floor.sum_bytes, data)),
    }
    contenders = [
        Contender("goffi", call_loop(go.SumBytes, data)),
        Contender(FLOOR, call_loop(floor.sum_bytes, data)),
    ]
    if isinstance(data, bytes):  # ctypes' c_char_p takes bytes only
        contenders.append(Contender(CTYPES, call_loop(lib.gobench_SumBytes, data, size)))
    r = b.timed(contenders, per_call=False)
    amount = f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"
    checks = _rss_checks(growth, size)
    notes = []
    if isinstance(data, bytes):
        notes.append(
            "SumBytes only reads its slice (goffi's mutation analysis: goffi inspect says 'writes to b: "
            "read-only'), so a bytes object crosses as a pointer to its own buffer, held for the call"
        )
    return Row(
        case=case,
        title=f"SumBytes([]byte), {amount} {type(data).__name__}",
        unit="MB/s",
        work=size,
        goffi=r["goffi"],
        baselines=[r[c.label] for c in contenders[1:]],
        target_of=FLOOR,
        target=1.1,
        target_text="<= 1.1x floor, no copy",
        checks=checks,
        notes=notes,
    )


def bytes_sum(b: Bench) -> Row:
    """A read-only buffer (bytes), the usual way to hand data over."""
    size = b.settings.bytes_size
    return _sum_bytes(b, "bytes_64m", bytes(range(256)) * (size // 256))


def bytes_sum_1m(b: Bench) -> Row:
    """A 1 MiB bytes object: the per-call costs of a read-only buffer show more than at 64 MiB."""
    size = min(b.settings.bytes_size, 1 << 20)
    return _sum_bytes(b, "bytes_1m", bytes(range(256)) * (size // 256))


def _hash_row(
    b: Bench, case: str, title: str, goffi_fn: Runner, python: tuple[str, Runner], go: Runner
) -> Row:
    size = b.settings.bytes_size
    go_alone = "Go alone (C ABI via ctypes, in place)"
    r = b.timed(
        [Contender("goffi", goffi_fn), Contender(python[0], python[1]), Contender(go_alone, go)],
        per_call=False,
    )
    amount = f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"
    return Row(
        case=case,
        title=f"{title}, {amount} bytes",
        unit="MB/s",
        work=size,
        goffi=r["goffi"],
        baselines=[r[go_alone], r[python[0]]],
        target_of=go_alone,
        target=1.1,
        target_text="<= 1.1x Go alone: no copy of the bytes",
        notes=[
            f"{go_alone}: a plain C-ABI export hashing the bytes object's buffer through ctypes; "
            f"{python[0]} is Python's own C implementation on the same bytes; goffi calls the standard "
            "library function itself (its parameter is read-only and not kept: goffi inspect)"
        ],
    )


def crc32_64m(b: Bench) -> Row:
    """crc32.ChecksumIEEE through goffi on a bytes object, against zlib.crc32."""
    import zlib

    crc = b.subjects.stdlib["hash/crc32"].ChecksumIEEE
    lib = b.subjects.lib
    size = b.settings.bytes_size
    data = bytes(range(256)) * (size // 256)
    assert crc(data) == zlib.crc32(data) == lib.gobench_CRC32(data, size)
    return _hash_row(
        b,
        "crc32_64m",
        "crc32.ChecksumIEEE([]byte)",
        call_loop(crc, data),
        ("zlib.crc32", call_loop(zlib.crc32, data)),
        call_loop(lib.gobench_CRC32, data, size),
    )


def sha256_64m(b: Bench) -> Row:
    """sha256.Sum256 through goffi on a bytes object, against hashlib.sha256."""
    import ctypes
    import hashlib

    s256 = b.subjects.stdlib["crypto/sha256"].Sum256
    lib = b.subjects.lib
    size = b.settings.bytes_size
    data = bytes(range(256)) * (size // 256)
    out = ctypes.create_string_buffer(32)
    lib.gobench_SHA256(data, size, out)
    assert s256(data) == hashlib.sha256(data).digest() == out.raw

    def python(n: int) -> None:
        for _ in repeat(None, n):
            hashlib.sha256(data).digest()

    return _hash_row(
        b,
        "sha256_64m",
        "sha256.Sum256([]byte)",
        call_loop(s256, data),
        ("hashlib.sha256", python),
        call_loop(lib.gobench_SHA256, data, size, out),
    )


def bytearray_sum(b: Bench) -> Row:
    """A writable buffer (bytearray), which Go may write into, so no copy is ever needed."""
    size = b.settings.bytes_size
    return _sum_bytes(b, "bytearray_64m", bytearray(range(256)) * (size // 256))


def _rss_checks(growth: dict[str, tuple[int, str] | None], size: int) -> list[Check]:
    goffi, floor = growth["goffi"], growth["floor"]
    if goffi is None:
        return [Check("peak RSS", True, "peak RSS not measurable here (/proc/self/clear_refs refused)")]
    limit = max(size // 10, 1 << 20)  # a copy would add the whole size; page-level noise stays far below
    floor_text = f", floor {floor[0] / 2**20:+.1f} MiB" if floor else ""
    return [
        Check(
            "peak RSS",
            goffi[0] < limit,
            f"peak RSS during one goffi call on {size / 2**20:.2f} MiB: {goffi[0] / 2**20:+.1f} MiB "
            f"({goffi[1]}{floor_text}); limit {limit / 2**20:.1f} MiB",
        )
    ]


def _list_through_array(xs: list[float]) -> list[float]:
    """Python's own list -> doubles -> list: the same boxing work as goffi's in-and-out."""
    return array.array("d", xs).tolist()


def floats(b: Bench) -> Row:
    go = b.subjects.go
    n = b.settings.floats_n
    xs = [float(i) for i in range(n)]
    packed = array.array("d", xs)
    assert go.ScaleFloats(xs, 2.0)[-1] == xs[-1] * 2
    from_list = "array('d', list) copy"
    from_array = "array('d', array) copy"
    round_trip = "array('d', list).tolist()"
    r = b.timed(
        [
            Contender("goffi", call_loop(go.ScaleFloats, xs, 2.0)),
            Contender(from_list, call_loop(array.array, "d", xs)),
            Contender(from_array, call_loop(array.array, "d", packed)),
            Contender(round_trip, call_loop(_list_through_array, xs)),
        ],
        per_call=False,
    )
    return Row(
        case="floats_1m",
        title=f"ScaleFloats([]float64) in and out, {n:,}",
        unit="items/s",
        work=n,
        goffi=r["goffi"],
        baselines=[r[from_list], r[from_array], r[round_trip]],
        target_of=from_list,
        target=2.0,
        target_text="<= 2x array.array copy",
        notes=[
            "goffi takes and returns a list; the array('d', ...) baselines copy the same data once, "
            ".tolist() adds Python's own way back to a list; the zero-copy path is the floats_zero_copy row"
        ],
    )


def floats_zero_copy(b: Bench) -> Row:
    """ScaleFloats with the zero_copy= policy: a buffer in as a view, Go's array out as a memoryview."""
    go, floor = b.subjects.go, b.subjects.floor
    n = b.settings.floats_n
    packed = array.array("d", (float(i) for i in range(n)))
    lent = go.ScaleFloatsView(packed, 2.0)
    assert isinstance(lent, memoryview) and lent[-1] == floor.scale_floats(packed, 2.0) == packed[-1] * 2
    del lent
    one_copy = "array('d', array) copy"
    r = b.timed(
        [
            Contender("goffi", call_loop(go.ScaleFloatsView, packed, 2.0)),
            Contender(FLOOR, call_loop(floor.scale_floats, packed, 2.0)),
            Contender(one_copy, call_loop(array.array, "d", packed)),
        ],
        per_call=False,
    )
    return Row(
        case="floats_zero_copy",
        title=f"ScaleFloatsView([]float64) zero-copy: buffer in, memoryview out, {n:,}",
        unit="items/s",
        work=n,
        goffi=r["goffi"],
        baselines=[r[FLOOR], r[one_copy]],
        target_of=FLOOR,
        target=1.1,
        target_text="<= 1.1x floor: no per-element work",
        checks=[
            *_zero_copy_checks(go, packed, n),
            *_lent_array_checks(go),
        ],
        notes=[
            "floor: floor.c hands the buffer's doubles to the same Go ScaleFloats (GIL released) and returns "
            "one float, leaving Go's result in Go: the Go work alone, with nothing converted either way; goffi "
            "also pins Go's result and wraps it in a memoryview",
            "the list path is the floats_1m row, not timed here: in the same rounds its churn of Go's heap "
            "made the next 8 MB results land on fresh pages (100-450 page faults per call, measured with "
            "getrusage), which hit goffi's loaned result more than the floor's (dead inside Go) and moved "
            "this ratio between 0.86x and 1.33x; alone, both run at 0 faults per call",
        ],
    )


def _zero_copy_checks(go: Any, packed: array.array[float], n: int) -> list[Check]:
    growth = _peak_rss_growth(partial(go.ScaleFloatsView, packed, 2.0))
    if growth is None:
        return [Check("peak RSS", True, "peak RSS not measurable here (/proc/self/clear_refs refused)")]
    size = n * 8
    limit = size + size // 2  # Go's new result is one size; a copy of the input or output would add another
    return [
        Check(
            "peak RSS",
            growth[0] <= limit,
            f"peak RSS during one goffi call on {size / 2**20:.1f} MiB: {growth[0] / 2**20:+.1f} MiB ({growth[1]}); "
            f"limit {limit / 2**20:.1f} MiB (Go's own result is {size / 2**20:.1f} MiB; a copy would add as much)",
        )
    ]


def _lent_array_checks(go: Any) -> list[Check]:
    """The memoryview keeps Go's array: Go's GC neither frees nor reuses it while Python holds it."""
    before = goffi.live_handles()
    view = go.ScaleFloatsView(array.array("d", range(1000)), 3.0)
    during = goffi.live_handles()
    for _ in range(3):
        go.ScaleFloats([1.0] * 100_000, -1.0)  # garbage for Go's heap to reuse, were the array freed
        goffi.collect_go()
    intact = view.tolist() == [3.0 * i for i in range(1000)]
    del view
    gc.collect()
    after = goffi.live_handles()
    return [
        Check(
            "lent array",
            intact and during == before + 1 and after == before,
            f"a memoryview of Go's result survived 3 Go GCs intact: {intact}; live handles {before} -> "
            f"{during} while held -> {after} after release",
        )
    ]


def ctypes_add(b: Bench) -> Row:
    go, lib = b.subjects.go, b.subjects.lib
    r = b.timed(
        [Contender("goffi", call_loop(go.Add, 1, 2)), Contender(CTYPES, call_loop(lib.gobench_Add, 1, 2))]
    )
    return Row(
        case="ctypes_add",
        title="Add vs ctypes (reference)",
        goffi=r["goffi"],
        baselines=[r[CTYPES]],
        target_of=CTYPES,
        target=1.0,
        target_text="well below 1x ctypes",
    )


def io_copy(b: Bench) -> Row:
    """io.Copy of a Python BytesIO into a Go hash.Hash (issue 13), against Go reading the
    same bytes from a bytes.Reader: the proxy's cost is one callback per 32 KiB read."""
    go = b.subjects.go
    size = b.settings.bytes_size
    data = bytes(range(256)) * (size // 256)
    go.Hold(data)
    assert go.HashCopy(io.BytesIO(data)) == go.HashHeld()

    def from_python(n: int) -> None:
        for _ in repeat(None, n):
            go.HashCopy(io.BytesIO(data))  # shares data's buffer: no copy

    go_reader = "Go bytes.Reader"
    r = b.timed(
        [Contender("goffi", from_python), Contender(go_reader, call_loop(go.HashHeld))], per_call=False
    )
    amount = f"{size >> 20} MiB" if size >= 1 << 20 else f"{size >> 10} KiB"
    return Row(
        case="io_copy_64m",
        title=f"io.Copy(sha256, BytesIO), {amount}",
        unit="MB/s",
        work=size,
        goffi=r["goffi"],
        baselines=[r[go_reader]],
        target_of=go_reader,
        target=2.0,
        target_text=">= 0.5x the speed of Go reading a bytes.Reader",
    )
