"""Zero-copy slices (issue 5): buffers in without a copy, Go arrays out as memoryviews.

The session bundle declares the zerocopy package's *View functions and Buffer.Data
zero_copy= (conftest.ZERO_COPY); the package's other functions are ordinary ones,
which take a buffer of their element format in one bulk copy.
"""

from __future__ import annotations

import array
import gc
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

import goffi
from conftest import GO_TEST_PACKAGES, ZERO_COPY
from goffi.analysis import MemoryAnalysis
from goffi.build import Progress, analyse_surface, prepare_surface
from goffi.errors import SpecError
from goffi.inspect import report
from goffi.plan import BundlePlan, plan_bundle
from goffi.surface.model import Surface
from goffi.toolchain import find_go
from goffi.workspace import parse_spec


@pytest.fixture(scope="module")
def zc(go: dict[str, ModuleType]) -> ModuleType:
    """The zerocopy package, once Go has released what earlier modules dropped.

    zc.Churn() runs Go's collector, which finalizes Go funcs and callables earlier test
    modules let go; settling first keeps those releases out of this module's counts."""
    counts = [-1]
    for _ in range(50):
        gc.collect()
        goffi.collect_go()
        counts.append(goffi.live_handles())
        if counts[-1] == counts[-2]:
            break
    return go["zerocopy"]


pytestmark = pytest.mark.usefixtures("zc", "no_handle_leaks")


# ---------------------------------------------------------------- parameters: views


def test_a_writable_buffer_is_viewed_so_go_writes_land_in_it(zc: ModuleType) -> None:
    xs = array.array("d", [1.0, 2.0, 3.0])
    assert zc.ScaleView(xs, 2.5) is None
    assert xs.tolist() == [2.5, 5.0, 7.5]
    raw = bytearray(16)
    zc.ScaleView(memoryview(raw).cast("d"), 2.0)  # a writable memoryview of another object
    assert raw == bytearray(16)
    view = memoryview(raw).cast("d")
    view[1] = 4.0
    zc.ScaleView(view, -0.5)
    assert view.tolist() == [0.0, -2.0]


def test_a_read_only_buffer_is_copied_never_written(zc: ModuleType) -> None:
    frozen = array.array("d", [1.0, 2.0]).tobytes()
    view = memoryview(frozen).cast("d")
    assert view.readonly
    zc.ScaleView(view, 10.0)
    assert view.tolist() == [1.0, 2.0]
    assert zc.SumView(memoryview(array.array("q", [5, 6]).tobytes()).cast("q")) == 11


def test_sequences_and_other_formats_still_convert_item_by_item(zc: ModuleType) -> None:
    values = [1.0, 2.0]
    zc.ScaleView(values, 3.0)  # Go scaled a C copy of the items, not the list
    assert values == [1.0, 2.0]
    assert zc.SumView([1, 2, 3]) == 6
    assert zc.SumView(array.array("i", [7, 8])) == 15  # 'i' is not int64's 'q': converted
    assert zc.SumView(array.array("l", [1, 2])) == 3  # 'l' is int64 on this platform: viewed
    strided = memoryview(array.array("q", [1, 10, 2, 20, 3, 30]))[::2]  # not contiguous
    assert zc.SumView(strided) == 6
    with pytest.raises(
        TypeError,
        match=r"zerocopy.SumView\(\) argument 'xs' \(Go \[\]int64\) must be int, not float \(at \[0\]\)",
    ):
        zc.SumView(array.array("d", [1.0, 1.5]))  # floats are no Go int64s
    with pytest.raises(TypeError, match="sequence"):
        zc.SumView(42)


def test_none_is_nil_and_an_empty_buffer_is_an_empty_slice(zc: ModuleType) -> None:
    assert zc.IsNilView(None) is True
    assert zc.IsNilView(array.array("f")) is False
    assert zc.IsNilView([]) is False
    assert zc.IsNil(None) is True
    assert zc.IsNil(array.array("H")) is False


def test_ordinary_functions_copy_a_buffer_in_bulk_and_may_keep_it(zc: ModuleType) -> None:
    assert zc.Sum(array.array("d", [1.5, 2.5])) == 4.0
    assert zc.Sum(memoryview(bytes(array.array("d", [0.25, 0.5]))).cast("d")) == 0.75
    assert zc.Sum(array.array("f", [1.5])) == 1.5  # float32 items: converted one by one
    kept = array.array("i", [1, 2, 3])
    zc.Keep(kept)
    kept[0] = 100  # Go kept its own copy
    del kept
    gc.collect()
    assert zc.KeptSum() == 6
    zc.Keep(None)


# ---------------------------------------------------------------- results: Go arrays lent


def test_a_result_is_a_writable_memoryview_of_the_go_array(zc: ModuleType) -> None:
    before = goffi.live_handles()
    ramp = zc.RampView(5)
    assert isinstance(ramp, memoryview)
    assert (ramp.format, ramp.itemsize, ramp.readonly, ramp.shape) == ("d", 8, False, (5,))
    assert ramp.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert type(ramp.obj).__name__ == "GoArray" and "5 'd' items" in repr(ramp.obj)
    assert goffi.live_handles() == before + 1  # the loan Go made
    ramp[0] = 9.5
    assert ramp[0] == 9.5
    assert array.array("d", ramp.tobytes()).tolist() == [9.5, 1.0, 2.0, 3.0, 4.0]
    ramp.release()
    gc.collect()
    assert goffi.live_handles() == before


def test_every_element_format_and_a_named_slice_type(zc: ModuleType) -> None:
    data = zc.BytesView(300)
    assert data.format == "B" and data.tobytes() == bytes(i % 256 for i in range(300))
    samples = zc.SamplesView(3)  # type Samples []uint16
    assert (samples.format, samples.tolist()) == ("H", [3, 2, 1])
    empty = zc.RampView(0)
    assert (len(empty), empty.format, empty.tolist(), empty.tobytes()) == (0, "d", [], b"")


def test_the_lent_array_outlives_go_garbage_collections(zc: ModuleType) -> None:
    """Pinned and kept by the loan: Go's GC neither frees nor moves it while Python holds
    a memoryview, even one slice of it after the first view is gone."""
    n = 200_000
    ramp = zc.RampView(n)
    tail = ramp[n - 10 :]  # a memoryview of a memoryview keeps the same exporter
    del ramp
    gc.collect()
    zc.Churn()  # allocates ~8 MiB of -1.0 floats and runs Go's GC four times
    assert tail.tolist() == [float(i) for i in range(n - 10, n)]
    before = goffi.live_handles()
    del tail
    gc.collect()
    assert goffi.live_handles() == before - 1


def test_python_writes_land_in_the_go_array_of_a_handle(zc: ModuleType) -> None:
    buf = zc.NewBuffer(4)
    data = buf.Data()
    data[0], data[3] = 7, 5
    assert buf.Total() == 12
    again = buf.Data()  # a second loan of the same array: both see every write
    again[1] = 30
    assert data[1] == 30 and buf.Total() == 42
    del buf, again
    gc.collect()
    zc.Churn()
    assert data.tolist() == [7, 30, 0, 5]  # the Buffer object is gone, its array is not
    del data


def test_a_result_sharing_an_arguments_memory_is_copied_not_lent(zc: ModuleType) -> None:
    """Go returning (part of) its argument returns Python's memory, or the call's arena:
    neither is Go's to lend, so that result is copied into a new Go array."""
    src = array.array("i", [1, 2, 3, 4])
    tail = zc.SameView(src, 1)
    src[1] = 99
    assert tail.tolist() == [2, 3, 4]
    del src
    gc.collect()
    assert tail.tolist() == [2, 3, 4]
    assert zc.SameView([5, 6, 7], 2).tolist() == [7]  # the arena is freed after the call
    word = bytearray(b"hello")
    trimmed = zc.TrimView(word)
    word[1:] = b"JELLO"
    assert trimmed.tobytes() == b"ello"
    del tail, trimmed


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
# Python >= 3.12 warns that forking a multi-threaded process (Go's threads) may deadlock: the
# fork is the point of the test.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_forked_child_drops_a_lent_array_without_calling_go(zc: ModuleType) -> None:
    ramp = zc.RampView(3)
    pid = os.fork()
    if pid == 0:  # the child: dropping the view must neither call Go (it would hang) nor crash
        try:
            ok = ramp.tolist() == [0.0, 1.0, 2.0]
            ramp.release()
            gc.collect()
        finally:
            os._exit(0 if ok else 3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert ramp.tolist() == [0.0, 1.0, 2.0]  # the parent's loan is untouched
    del ramp


# ---------------------------------------------------------------- the plan and its reporting


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> tuple[Surface, MemoryAnalysis]:
    specs = [parse_spec(str(GO_TEST_PACKAGES / "zerocopy"))]
    work = tmp_path_factory.mktemp("zc-plan")
    toolchain = find_go()
    surface = prepare_surface(specs, work, toolchain, session_cache, Progress(False))
    return surface, analyse_surface(surface, work, toolchain, Progress(False))


def plan_zero_copy(planned: tuple[Surface, MemoryAnalysis], zero_copy: list[str] | None = None) -> BundlePlan:
    return plan_bundle(planned[0], zero_copy=zero_copy or [], memory=planned[1])


def test_zero_copy_names_must_be_bridged_functions_with_slices(
    planned: tuple[Surface, MemoryAnalysis],
) -> None:
    with pytest.raises(SpecError, match=r"zero_copy: example.com/zerocopy.NoSuch is not a bridged function"):
        plan_zero_copy(planned, ["example.com/zerocopy.NoSuch"])
    with pytest.raises(
        SpecError, match=r"zero_copy: example.com/zerocopy.Nothing has no slice of fixed-size"
    ):
        plan_zero_copy(planned, ["example.com/zerocopy.Nothing"])
    with pytest.raises(SpecError, match=r"zero_copy: example.com/zerocopy.KeptSum has no slice"):
        plan_zero_copy(planned, ["example.com/zerocopy.KeptSum"])
    # Keep stores its slice in a package variable: Go's escape analysis says so, and a
    # view of Python's buffer would then outlive the call.
    with pytest.raises(
        SpecError,
        match=r"zero_copy: example.com/zerocopy.Keep may keep its slice parameter\(s\) xs .*leaking param: xs",
    ):
        plan_zero_copy(planned, ["example.com/zerocopy.Keep"])


def test_inspect_and_signatures_tell_the_zero_copy_decision(planned: tuple[Surface, MemoryAnalysis]) -> None:
    plan: BundlePlan = plan_zero_copy(planned, ZERO_COPY)
    pkg = next(r for r in report(plan) if r.path == "example.com/zerocopy")
    entries = {e.name: e for e in pkg.entries}
    ramp = entries["RampView"]
    assert ramp.python == "RampView(n: int) -> memoryview"
    assert "declared zero-copy: its slices that Go does not keep are views (see memory)" in ramp.notes
    assert any("result is a memoryview of Go's array (format 'd')" in n for n in ramp.notes)
    assert entries["ScaleView"].python == "ScaleView(xs: Sequence[float] | memoryview, k: float) -> None"
    assert entries["Sum"].python == "Sum(xs: Sequence[float]) -> float"
    assert any(
        "a buffer of its items' format (array('d'), numpy) is copied in bulk" in n
        for n in entries["Sum"].notes
    )
    assert entries["Buffer.Data"].python == "Buffer.Data(self) -> memoryview"
    ordinary = plan_zero_copy(planned)
    plain = next(r for r in report(ordinary) if r.path == "example.com/zerocopy")
    assert {e.name: e.python for e in plain.entries}["RampView"] == "RampView(n: int) -> list[float]"


def test_stubs_say_memoryview(go: dict[str, ModuleType]) -> None:
    module = go["zerocopy"]
    stub = Path(sys.modules[module.__name__].__file__ or "").with_suffix(".pyi").read_text()
    assert "def RampView(n: int) -> memoryview:" in stub
    assert "def Sum(xs: Sequence[float]) -> float:" in stub
