"""The goroutine bridge (issue 4): Go channels and Python callables across the boundary,
from any Python thread and any goroutine, proved through a real build of
tests/gopkgs/chantest and the standard library (time, strings, path/filepath, io/fs).

The packages are part of the session bundle (see conftest.py). Sections follow the
issue's parts: channels (producers, consumers, pipelines, fan-in/fan-out, element types,
Python-made channels, bad input, select, async), Ctrl-C, callbacks (sync, later,
concurrent, every argument type, results, exceptions, lifetime), the standard library,
threads, the owner thread, determinism and ``goffi inspect``. Scenarios that could wedge
the interpreter (Ctrl-C, thousands of threaded calls) run in a subprocess with a timeout.

Go may release a callback only when its collector finds the Go func value unreachable,
so the live-handle check here runs Go's collector (chantest.GC) and waits for the count
to settle, instead of counting right after ``gc.collect()`` as test_objects.py does.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import os
import struct
import subprocess
import sys
import textwrap
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import goffi
from conftest import _CALL_FAILED, GO_TEST_PACKAGES, SESSION_SPECS, ZERO_COPY, inspect_report
from goffi.build import Progress, plan_specs
from goffi.plan import BundlePlan
from goffi.render import render_bundle
from goffi.toolchain import find_go
from goffi.workspace import parse_spec

UTC = timezone.utc


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def gotime(go: dict[str, ModuleType]) -> ModuleType:
    return go["time"]


def collect(chantest: ModuleType) -> int:
    """live_handles() after Python's collector, then Go's (whose finalizers release callbacks)."""
    gc.collect()
    chantest.GC()
    time.sleep(0.005)  # Go's finalizer goroutine may need the GIL to drop a Python reference
    gc.collect()
    return goffi.live_handles()


def settled_handles(chantest: ModuleType, deadline: float = 30.0) -> int:
    """live_handles() once it holds still over three rounds of collection."""
    end = time.monotonic() + deadline
    last, stable = collect(chantest), 0
    while stable < 2 and time.monotonic() < end:
        now = collect(chantest)
        stable = stable + 1 if now == last else 0
        last = now
    return last


def wait_for(condition: Callable[[], bool], chantest: ModuleType, deadline: float = 30.0) -> bool:
    """Collects (Python and Go) until condition() holds or the deadline passes."""
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            return False
        collect(chantest)
    return True


@pytest.fixture(autouse=True)
def no_handle_leaks(chantest: ModuleType, request: pytest.FixtureRequest) -> Iterator[None]:
    """Asserts the test leaves as many live handles as it found, once Go has collected.

    Like conftest's fixture of that name (skipped when the test failed, since pytest then
    keeps the test's frames), but it also runs Go's collector and waits up to 5 s for
    callbacks that Go dropped to be released."""
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            delattr(sys, name)
    before = settled_handles(chantest)
    yield
    if request.node.stash.get(_CALL_FAILED, False):
        return
    wait_for(lambda: goffi.live_handles() == before, chantest)
    assert goffi.live_handles() == before, "the test leaked Go handles"


@pytest.fixture(scope="module", autouse=True)
def leave_no_pending_releases(chantest: ModuleType) -> Iterator[None]:
    """Lets Go release what this module's tests dropped before the next module counts handles."""
    yield
    settled_handles(chantest)


SUBPROCESS_PRELUDE = """\
import goffi
from pathlib import Path
SPECS = {specs!r}
MODS = dict(
    zip([Path(s).name if s.startswith("/") else s for s in SPECS], goffi.load(*SPECS, zero_copy={zero_copy!r}))
)
chantest = MODS["chantest"]
"""


def run_session_python(session_cache: Path, code: str, timeout: float) -> str:
    """Runs code in a fresh interpreter that loads the session bundle (warm: no Go runs)
    as `chantest` and `MODS`; returns its stdout, failing the test on a non-zero exit."""
    source = SUBPROCESS_PRELUDE.format(specs=list(SESSION_SPECS), zero_copy=ZERO_COPY) + textwrap.dedent(code)
    env = dict(os.environ, GOFFI_CACHE_DIR=str(session_cache), GOFFI_VERBOSE="0")
    done = subprocess.run(
        [sys.executable, "-c", source], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout


def in_thread(target: Callable[[], Any], timeout: float = 60.0) -> Any:
    """target() in a daemon thread, failing (not hanging) when it takes longer than timeout."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = target()
        except BaseException as e:  # re-raised in the test's thread
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), f"still running after {timeout} s"
    if "error" in box:
        raise box["error"]
    return box["value"]


# ---------------------------------------------------------------------------- producers


def test_go_channels_are_goffi_channels(chantest: ModuleType) -> None:
    ch = chantest.Count(3)
    assert isinstance(ch, goffi.Channel)
    assert list(ch) == [0, 1, 2]


def test_iteration_ends_when_closed_and_drained(chantest: ModuleType) -> None:
    assert list(chantest.Count(5)) == [0, 1, 2, 3, 4]
    assert list(chantest.Count(0)) == []
    assert list(chantest.Words("go  and\tpython ")) == ["go", "and", "python"]
    ch = chantest.Count(2)
    assert list(ch) == [0, 1]
    assert list(ch) == []  # still closed and drained


def test_recv_then_iterate_the_rest(chantest: ModuleType) -> None:
    ch = chantest.Count(4)
    assert ch.recv() == 0
    assert ch.recv(timeout=5) == 1
    assert type(ch.recv()) is int
    assert next(iter(ch)) == 3


def test_numbers_len_and_cap(chantest: ModuleType) -> None:
    ch = chantest.Numbers(3, 5)
    assert (len(ch), ch.cap) == (3, 5)
    assert ch.recv() == 0
    assert len(ch) == 2
    assert list(ch) == [1, 2]
    assert len(ch) == 0
    assert chantest.Count(1).cap == 0  # unbuffered
    assert list(chantest.Numbers(6, 2)) == [0, 1, 2, 3, 4, 5]  # a goroutine sends the rest


def test_element_types_out_of_go(chantest: ModuleType) -> None:
    assert list(chantest.Bools()) == [True, False]
    blobs = list(chantest.Blobs())
    assert blobs == [b"\x00\x01\xff", b""] and all(type(b) is bytes for b in blobs)
    assert list(chantest.Points(3)) == [chantest.Point(X=i, Y=-i) for i in range(3)]
    first, second = list(chantest.Failures())
    assert isinstance(first, goffi.GoError) and str(first) == "first"
    assert second is None
    assert list(chantest.Anything()) == [1, "two", None, 1.5]
    assert list(chantest.Tables()) == [{"a": 1, "b": -2}]


def test_basic_element_types_received_typed(chantest: ModuleType) -> None:
    """Channels of integers, floats and bools skip reflect: same values and Python types."""
    (float32_tenth,) = struct.unpack("f", struct.pack("f", 0.1))
    cases: list[tuple[Any, list[object], type]] = [
        (chantest.Int8s(), [-128, 127, -1], int),
        (chantest.Ints(), [-(2**63), 2**63 - 1], int),
        (chantest.Runes(), [ord("é"), 2**31 - 1], int),
        (chantest.Bytes(), [0, 255], int),
        (chantest.Uint64s(), [0, 2**63, 2**64 - 1], int),
        (chantest.Uintptrs(), [2**64 - 1], int),
        (chantest.Float32s(), [float32_tenth, -3.4028234663852886e38, math.inf], float),
        (chantest.Bools(), [True, False], bool),
    ]
    for ch, want, kind in cases:
        got = list(ch)
        assert got == want and all(type(v) is kind for v in got), (ch, got)
    tiny, negative_zero, nan = list(chantest.Float64s())
    assert tiny == 5e-324 and math.copysign(1, negative_zero) == -1 and math.isnan(nan)
    ch = chantest.make_chan("int64", buffer=3)  # one value at a time: recv and try_recv too
    for v in (-(2**63), 7):
        ch.send(v)
    assert ch.try_recv() == (-(2**63), True)
    assert ch.recv() == 7
    assert ch.try_recv() == (None, False)


def test_breaking_out_of_a_loop_loses_nothing(chantest: ModuleType) -> None:
    """A batch took the ready values early: the Channel keeps them for its next receive."""
    ch = chantest.Numbers(10, 10)  # 0..9 ready in the channel, which is closed
    seen = []
    for v in ch:
        seen.append(v)
        break
    assert seen == [0]
    assert len(ch) == 9  # in the Channel now (Go's channel is empty), still counted
    assert ch.recv() == 1
    assert ch.try_recv() == (2, True)
    assert goffi.select(ch, timeout=5) == (0, 3)
    assert next(iter(ch)) == 4
    assert next(ch) == 5
    assert list(ch) == [6, 7, 8, 9]
    with pytest.raises(goffi.ChannelClosed):
        ch.recv()
    strings = chantest.Words("a b c")  # the reflect path (a chan string) keeps them the same way
    assert next(iter(strings)) == "a"
    assert strings.recv(timeout=5) == "b"
    assert list(strings) == ["c"]


def test_a_batch_takes_at_most_256_ready_values(chantest: ModuleType) -> None:
    ch = chantest.Numbers(300, 300)  # 300 ready values, then closed
    assert next(iter(ch)) == 0
    assert len(ch) == 299
    # The batch took 0..255; Go receives the rest, which never reached Python.
    assert chantest.Sum(ch) == sum(range(256, 300))
    assert list(ch) == list(range(1, 256))


def test_a_batch_never_waits_for_values_not_yet_sent(chantest: ModuleType) -> None:
    """Each value is yielded as soon as it is there: a ping-pong would hang otherwise."""
    inp, out = chantest.Doubler()

    def ping_pong() -> list[int]:
        got = []
        it = iter(out)
        for v in range(1, 4):
            inp.send(v, timeout=5)
            got.append(next(it))  # Doubler sends no more until it gets the next value
        inp.close()
        return got + list(it)

    assert in_thread(ping_pong) == [2, 4, 6]


def test_a_receiving_thread_does_not_block_try_recv_or_timeouts(chantest: ModuleType) -> None:
    ch = chantest.Never()
    got: list[int] = []
    t = threading.Thread(target=lambda: got.append(ch.recv(timeout=10)), daemon=True)
    t.start()
    time.sleep(0.1)  # t waits in recv
    assert ch.try_recv() == (None, False)
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        ch.recv(timeout=0.2)
    assert time.monotonic() - start < 30  # Never() would wait forever: the timeout ended it
    ch.send(7, timeout=5)
    t.join(10)
    assert got == [7]


def test_threads_iterating_one_buffered_channel(chantest: ModuleType) -> None:
    """Full batches shared by 4 threads: each value once, each thread's values in order."""
    ch = chantest.Numbers(20000, 1000)
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(lambda _: list(ch), range(4)))
    assert sorted(v for part in parts for v in part) == list(range(20000))
    assert all(part == sorted(part) for part in parts)


def test_several_python_threads_share_one_go_channel(chantest: ModuleType) -> None:
    ch = chantest.Count(400)
    with ThreadPoolExecutor(4) as pool:
        parts = list(pool.map(lambda _: list(ch), range(4)))
    assert sorted(v for part in parts for v in part) == list(range(400))
    assert all(part == sorted(part) for part in parts)  # each thread got its values in order


# ---------------------------------------------------------------------------- consumers and Python-made channels


def test_make_chan_default_and_explicit_buffer(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64")
    assert isinstance(ch, goffi.Channel)
    assert (len(ch), ch.cap) == (0, 1)  # the default buffer is 1
    assert chantest.make_chan("int64", buffer=4).cap == 4
    assert chantest.make_chan("string", buffer=0).cap == 0


def test_make_chan_is_on_every_bundle_module(go: dict[str, ModuleType]) -> None:
    ch = go["strings"].make_chan("int64", buffer=2)  # int64 occurs in chantest's channels
    ch.send(1)
    ch.close()
    assert go["chantest"].Sum(ch) == 1


def test_make_chan_refuses_types_no_channel_has(chantest: ModuleType) -> None:
    with pytest.raises((TypeError, ValueError), match="complex128"):
        chantest.make_chan("complex128")


def test_python_sends_and_closes_then_go_sums(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64", buffer=5)
    for v in (1, 2, 3):
        ch.send(v)
    assert len(ch) == 3
    ch.close()
    assert chantest.Sum(ch) == 6


def test_python_thread_feeds_go_consumer(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64")

    def feed() -> None:
        for v in range(1, 101):
            ch.send(v, timeout=10)
        ch.close()

    t = threading.Thread(target=feed)
    t.start()
    assert chantest.Sum(ch) == 5050  # Go blocks on the channel without holding the GIL
    t.join(10)
    assert not t.is_alive()


def test_go_fills_a_channel_a_python_thread_drains(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64")
    got: list[int] = []
    t = threading.Thread(target=lambda: got.extend(ch))
    t.start()
    chantest.Fill(ch, 100)  # blocks while ch (capacity 1) is full
    t.join(10)
    assert got == list(range(100))


def test_drain_strings(chantest: ModuleType) -> None:
    ch = chantest.make_chan("string", buffer=3)
    ch.send("a")
    ch.send("héllo\x00")
    ch.close()
    assert chantest.Drain(ch) == ["a", "héllo\x00"]
    empty = chantest.make_chan("string")
    empty.close()
    assert chantest.Drain(empty) == []


def test_bidirectional_channel_passes_as_receive_only(chantest: ModuleType) -> None:
    assert chantest.Sum(chantest.Numbers(4, 4)) == 6
    assert chantest.Sum(chantest.Count(5)) == 10


def test_send_only_and_receive_only_pair(chantest: ModuleType) -> None:
    inp, out = chantest.Doubler()
    inp.send(4)
    assert out.recv(timeout=5) == 8
    inp.send(5, timeout=5)
    assert out.recv(timeout=5) == 10
    with pytest.raises(TypeError):
        inp.recv(timeout=0.01)  # chan<- int64: receiving is refused
    with pytest.raises(TypeError):
        inp.try_recv()
    with pytest.raises(TypeError):
        out.send(1)  # <-chan int64: sending is refused
    inp.close()
    assert list(out) == []  # Go closed out after in


@pytest.mark.parametrize(
    ("go_type", "value", "back"),
    [
        ("int64", -(2**63), -(2**63)),
        ("int64", 2**63 - 1, 2**63 - 1),
        ("string", "héllo, 世界\x00", "héllo, 世界\x00"),
        ("bool", True, True),
        ("[]byte", b"\x00\xff", b"\x00\xff"),
        ("map[string]int64", {"b": 2, "a": 1}, {"a": 1, "b": 2}),
        ("any", [1, "x", None], [1, "x", None]),
        ("any", None, None),
        ("error", None, None),
        (
            "time.Time",
            datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
            datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        ),
    ],
)
def test_python_channel_round_trips_each_element_type(
    chantest: ModuleType, go_type: str, value: object, back: object
) -> None:
    ch = chantest.make_chan(go_type)
    ch.send(value)
    got = ch.recv(timeout=5)
    assert got == back
    assert isinstance(got, type(back))  # a time.Time comes back as goffi.GoTime, a datetime


def test_error_element_keeps_the_exception(chantest: ModuleType, errors_: ModuleType) -> None:
    e = errors_.New("kept")
    ch = chantest.make_chan("error")
    ch.send(e)
    assert ch.recv() is e  # the same Go value is the same exception object
    with pytest.raises(TypeError):
        ch.send(ValueError("a Python exception has no Go value"))


def test_sent_buffer_is_copied(chantest: ModuleType) -> None:
    ch = chantest.make_chan("[]byte")
    data = bytearray(b"ab")
    ch.send(data)
    data[0] = ord("z")
    assert ch.recv() == b"ab"


# ---------------------------------------------------------------------------- pipelines, fan-in, fan-out


def test_square_pipeline(chantest: ModuleType) -> None:
    assert list(chantest.Square(chantest.Count(4))) == [0, 1, 4, 9]
    assert chantest.Sum(chantest.Square(chantest.Count(4))) == 14


def test_square_of_a_python_channel(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64", buffer=3)
    for v in (1, 2, 3):
        ch.send(v)
    ch.close()
    assert list(chantest.Square(ch)) == [1, 4, 9]


def test_merge_fans_in(chantest: ModuleType) -> None:
    merged = list(chantest.Merge(chantest.Count(3), chantest.Count(3)))
    assert sorted(merged) == [0, 0, 1, 1, 2, 2]
    assert sorted(chantest.Merge(chantest.Count(0), chantest.Count(2))) == [0, 1]


def test_split_fans_out(chantest: ModuleType) -> None:
    if not hasattr(chantest, "Split"):
        pytest.skip("slices of channels ([]<-chan int64) are not bridged")
    outs = chantest.Split(chantest.Count(20), 3)
    assert isinstance(outs, list) and len(outs) == 3
    assert all(isinstance(o, goffi.Channel) for o in outs)
    parts = [list(o) for o in outs]  # drained one after the other
    assert sorted(v for p in parts for v in p) == list(range(20))
    assert all(p == sorted(p) for p in parts)


# ---------------------------------------------------------------------------- try_send, try_recv, timeouts


def test_try_send_and_try_recv(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64", buffer=1)
    _, ok = ch.try_recv()
    assert ok is False  # empty
    assert ch.try_send(7) is True
    assert ch.try_send(8) is False  # full
    assert ch.try_recv() == (7, True)
    assert chantest.Never().try_send(1) is False  # unbuffered, no receiver


def test_try_recv_on_a_ready_go_channel(chantest: ModuleType) -> None:
    ch = chantest.Numbers(2, 2)
    assert ch.try_recv() == (0, True)
    assert ch.try_recv() == (1, True)


def test_recv_timeout(chantest: ModuleType) -> None:
    never = chantest.Never()
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        never.recv(timeout=0.05)
    elapsed = time.monotonic() - start
    assert 0.04 <= elapsed < 30  # the upper bound only tells a fired timeout from a hang


def test_send_timeout(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64", buffer=1)
    ch.send(1)
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        ch.send(2, timeout=0.05)
    assert 0.04 <= time.monotonic() - start < 30
    assert ch.recv() == 1
    assert len(ch) == 0  # the timed-out value was not sent


def test_blocked_recv_releases_the_gil(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64", buffer=0)
    timer = threading.Timer(0.05, ch.send, (7,))
    timer.start()
    assert ch.recv(timeout=10) == 7  # the timer's thread needed the GIL to send
    timer.join()


def test_blocked_send_is_taken_by_another_thread(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64", buffer=0)
    got: list[int] = []
    timer = threading.Timer(0.05, lambda: got.append(ch.recv(timeout=10)))
    timer.start()
    ch.send(9, timeout=10)
    timer.join(10)
    assert got == [9]


def test_close_wakes_a_blocked_recv(chantest: ModuleType) -> None:
    ch = chantest.Never()
    timer = threading.Timer(0.05, ch.close)
    timer.start()
    with pytest.raises(goffi.ChannelClosed):
        ch.recv(timeout=10)
    timer.join()


# ---------------------------------------------------------------------------- bad input


def test_send_on_receive_only_channel_is_a_type_error(chantest: ModuleType) -> None:
    ch = chantest.Count(1)
    with pytest.raises(TypeError):
        ch.send(1)
    with pytest.raises(TypeError):
        ch.try_send(1)
    with pytest.raises(TypeError):
        ch.close()  # Go cannot close a receive-only channel either
    assert list(ch) == [0]


def test_send_and_close_on_closed_channel_raise_channel_closed(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64")
    ch.close()
    for op in (lambda: ch.send(1), lambda: ch.send(1, timeout=0.01), lambda: ch.try_send(1), ch.close):
        with pytest.raises(goffi.ChannelClosed) as info:
            op()
        assert not isinstance(info.value, goffi.GoPanic)
    closed = chantest.Closed()
    with pytest.raises(goffi.ChannelClosed):
        closed.send(1)
    with pytest.raises(goffi.ChannelClosed):
        closed.close()


def test_recv_on_closed_drained_channel_raises_channel_closed(chantest: ModuleType) -> None:
    with pytest.raises(goffi.ChannelClosed):
        chantest.Closed().recv()
    with pytest.raises(goffi.ChannelClosed):
        chantest.Closed().recv(timeout=1)
    ch = chantest.Numbers(1, 1)
    assert ch.recv() == 0
    with pytest.raises(goffi.ChannelClosed):
        ch.recv(timeout=5)
    assert list(chantest.Closed()) == []  # iteration just ends


def test_buffered_values_survive_close(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64", buffer=2)
    ch.send(1)
    ch.send(2)
    ch.close()
    assert ch.recv() == 1
    assert list(ch) == [2]


def test_wrong_element_type_on_send(chantest: ModuleType) -> None:
    ints = chantest.make_chan("int64", buffer=4)
    with pytest.raises(TypeError, match="int64"):
        ints.send("1")
    with pytest.raises(TypeError, match="int64"):
        ints.send(True)  # bool is not an int here either
    with pytest.raises(OverflowError, match="int64"):
        ints.send(2**63)
    with pytest.raises(TypeError, match="int64"):
        ints.try_send(1.5)
    with pytest.raises(TypeError, match="string"):
        chantest.make_chan("string").send(b"bytes")
    assert len(ints) == 0  # nothing half-sent


def test_wrong_channel_argument(chantest: ModuleType) -> None:
    with pytest.raises(TypeError, match="chan int64"):
        chantest.Sum([1, 2, 3])
    with pytest.raises(TypeError, match="chan int64"):
        chantest.Sum(chantest.make_chan("string"))
    with pytest.raises(TypeError, match="chan string"):
        chantest.Drain(chantest.Words("a b"))  # a <-chan string is not a chan string
    with pytest.raises(TypeError):
        chantest.Fill(chantest.Count(1), 1)  # nor is it a chan<- int64


# ---------------------------------------------------------------------------- select


def test_select_receives_from_the_ready_channel(chantest: ModuleType) -> None:
    never = chantest.Never()
    assert goffi.select(never, chantest.Numbers(1, 1)) == (1, 0)
    assert goffi.select(chantest.Words("hi"), never, timeout=5) == (0, "hi")


def test_select_sends(chantest: ModuleType) -> None:
    ch = chantest.make_chan("int64", buffer=1)
    assert goffi.select(chantest.Never(), (ch, 5)) == (1, None)
    assert ch.recv() == 5


def test_select_default_when_nothing_is_ready(chantest: ModuleType) -> None:
    full = chantest.make_chan("int64", buffer=1)
    full.send(1)
    assert goffi.select(chantest.Never(), (full, 2), default=True) is None
    assert len(full) == 1 and full.recv() == 1


def test_select_timeout(chantest: ModuleType) -> None:
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        goffi.select(chantest.Never(), chantest.Never(), timeout=0.05)
    assert 0.04 <= time.monotonic() - start < 30


def test_select_wakes_when_another_thread_sends(chantest: ModuleType) -> None:
    ch = chantest.make_chan("string", buffer=0)
    timer = threading.Timer(0.05, ch.send, ("late",))
    timer.start()
    assert goffi.select(chantest.Never(), ch, timeout=10) == (1, "late")
    timer.join()


def test_select_refuses_bad_cases(chantest: ModuleType) -> None:
    with pytest.raises(TypeError):
        goffi.select((chantest.Count(1), 1), default=True)  # send on a receive-only channel
    with pytest.raises(TypeError, match="int64"):
        goffi.select((chantest.make_chan("int64"), "x"), default=True)
    with pytest.raises(TypeError):
        goffi.select([1, 2], default=True)


# ---------------------------------------------------------------------------- async for


def test_async_for_over_a_go_channel(chantest: ModuleType) -> None:
    async def main() -> list[int]:
        return [v async for v in chantest.Count(5)]

    assert in_thread(lambda: asyncio.run(main())) == [0, 1, 2, 3, 4]


def test_async_for_does_not_block_the_event_loop(chantest: ModuleType) -> None:
    """The only producer is another task on the same loop: a blocked loop would never end."""
    ch = chantest.make_chan("int64", buffer=0)

    async def produce() -> None:
        for v in range(3):
            while not ch.try_send(v):
                await asyncio.sleep(0.001)
        ch.close()

    async def main() -> list[int]:
        producer = asyncio.create_task(produce())
        got = [v async for v in ch]
        await producer
        return got

    try:
        assert in_thread(lambda: asyncio.run(main())) == [0, 1, 2]
    finally:
        with contextlib.suppress(Exception):  # ChannelClosed once the test passed
            ch.close()  # unblocks the loop's thread if the test failed


def test_other_tasks_run_while_async_for_waits(chantest: ModuleType) -> None:
    async def main() -> tuple[list[int], int]:
        ticks = 0
        stop = False

        async def tick() -> None:
            nonlocal ticks
            while not stop:
                ticks += 1
                await asyncio.sleep(0.001)

        ticker = asyncio.create_task(tick())
        got = [v async for v in chantest.Slowly(3, timedelta(milliseconds=20))]
        stop = True
        await ticker
        return got, ticks

    got, ticks = in_thread(lambda: asyncio.run(main()))
    assert got == [0, 1, 2]
    assert ticks >= 3  # ~60 ms of waiting; a blocked loop would tick at most once


# ---------------------------------------------------------------------------- Ctrl-C

INTERRUPT = """
import _thread, signal, threading, time
main = threading.get_ident()
sent = []
def fire():
    time.sleep(0.2)
    sent.append(time.monotonic())
    {sender}
threading.Thread(target=fire, daemon=True).start()
def slow(x):
    for _ in range(2000):  # 20 s, in steps Python can interrupt
        time.sleep(0.01)
    return x
try:
    {blocking}
except KeyboardInterrupt:
    print("interrupted", time.monotonic() - sent[0])
else:
    print("returned")
print("usable", chantest.Add(2, 3), chantest.Apply(lambda x: x + 1, 1), list(chantest.Count(2)))
"""

PTHREAD_KILL = "signal.pthread_kill(main, signal.SIGINT)"


@pytest.mark.parametrize(
    ("sender", "blocking"),
    [
        (PTHREAD_KILL, "chantest.Never().recv()"),
        ("_thread.interrupt_main()", "chantest.Never().recv()"),
        (PTHREAD_KILL, "chantest.Never().recv(timeout=60)"),
        (PTHREAD_KILL, "chantest.Never().send(1)"),
        (PTHREAD_KILL, "list(chantest.Never())"),
        (  # waiting for the Channel's receive lock, which another thread holds
            PTHREAD_KILL,
            "ch = chantest.Never(); threading.Thread(target=ch.recv, daemon=True).start(); "
            "time.sleep(0.05); list(ch)",
        ),
        (PTHREAD_KILL, "goffi.select(chantest.Never(), chantest.Never())"),
        (PTHREAD_KILL, "chantest.Apply(slow, 1)"),  # a long Go call that calls back
    ],
    ids=[
        "recv",
        "recv-interrupt_main",
        "recv-timeout",
        "send",
        "iterate",
        "iterate-behind-a-receiving-thread",
        "select",
        "callback",
    ],
)
def test_ctrl_c_interrupts_blocking_operations(
    go: dict[str, ModuleType], session_cache: Path, sender: str, blocking: str
) -> None:
    out = run_session_python(session_cache, INTERRUPT.format(sender=sender, blocking=blocking), timeout=300)
    lines = out.splitlines()
    assert lines[0].startswith("interrupted "), out
    # The blocking operations wait forever (the callback 20 s): well under that is an
    # interrupt, whatever the machine's load adds to the signal's delivery.
    assert float(lines[0].split()[1]) < 10.0, out
    assert lines[1] == "usable 5 2 [0, 1]", out


def test_forked_child_cannot_receive_but_keeps_values_already_taken(
    go: dict[str, ModuleType], session_cache: Path
) -> None:
    code = """
    import os
    ch = chantest.Numbers(3, 3)
    assert next(iter(ch)) == 0  # the batch took 1 and 2 too: they are in the Channel
    pid = os.fork()
    if pid == 0:
        got = [ch.recv(), ch.recv()]  # no Go needed
        try:
            ch.recv()
        except RuntimeError as e:
            print("child:", got, e, flush=True)
            os._exit(0)
        os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
    print("parent:", list(ch))
    """
    out = run_session_python(session_cache, code, timeout=300)
    assert "child: [1, 2] Channel receive: cannot call Go in a process forked" in out, out
    assert "parent: [1, 2]" in out, out


# ---------------------------------------------------------------------------- callbacks: synchronous


def test_apply_calls_python_synchronously(chantest: ModuleType) -> None:
    threads: list[int] = []

    def double(x: int) -> int:
        threads.append(threading.get_native_id())
        return x * 2

    assert chantest.Apply(double, 21) == 42
    assert threads == [threading.get_native_id()]  # called on the caller's own thread
    assert chantest.Apply(lambda x: x * 2, 21) == 42


def test_apply_all_and_twice(chantest: ModuleType) -> None:
    assert chantest.ApplyAll(str.upper, ["a", "héllo"]) == ["A", "HÉLLO"]
    assert chantest.ApplyAll(str.upper, []) == []
    assert chantest.Twice(lambda x: x + 1, lambda x: x * 10, 4) == 50  # g(f(x))


def test_string_callbacks_of_every_size_reuse_their_arenas(chantest: ModuleType) -> None:
    """Strings cross a callback through a pooled C arena in both directions: empty ones,
    ones that overflow its first block (4 KiB) into more blocks, non-ASCII text, bytes
    that are not UTF-8 (lone surrogates), and callbacks nested inside callbacks, each
    holding an arena of its own while the outer one waits."""
    raw = b"\xff\xfeok".decode("utf-8", "surrogateescape")
    words = ["", "a", "héllo, 世界", raw, "x" * 5000, "é" * 100_000]
    for _ in range(3):  # later rounds take arenas a former call gave back
        assert chantest.ApplyAll(lambda s: s + "!", words) == [w + "!" for w in words]
        assert chantest.ApplyAll(lambda s: s[::-1] * 2, words) == [w[::-1] * 2 for w in words]
    nested = chantest.ApplyAll(
        lambda s: "|".join(chantest.ApplyAll(str.upper, [s, s + "y"])), ["ab", "é" * 3000]
    )
    assert nested == ["AB|ABY", "É" * 3000 + "|" + "É" * 3000 + "Y"]


def test_any_callable_passes(chantest: ModuleType) -> None:
    class Scale:
        def __init__(self, k: int) -> None:
            self.k = k

        def __call__(self, x: int) -> int:
            return self.k * x

        def method(self, x: int) -> int:
            return self.k + x

    assert chantest.Apply(Scale(3), 5) == 15
    assert chantest.Apply(Scale(3).method, 5) == 8
    assert chantest.Apply(abs, -4) == 4


def test_variadic_funcs_and_func_result(chantest: ModuleType) -> None:
    inc_then_double = chantest.Compose(lambda x: x + 1, lambda x: x * 2)
    assert inc_then_double(5) == 12
    assert chantest.Compose()(5) == 5


def test_callback_with_several_results(chantest: ModuleType) -> None:
    assert chantest.Lookup(lambda k: (len(k), True), "abc") == 3
    assert chantest.Lookup(lambda k: (99, False), "abc") == -1


def test_callback_receives_every_basic_type(chantest: ModuleType) -> None:
    got: list[tuple[Any, ...]] = []

    def f(*args: Any) -> str:
        got.append(args)
        return "seen"

    assert chantest.Everything(f) == "seen"
    ((b, i, u, x, s, bs, xs, m),) = got
    assert b is True
    assert i == -(2**63) and type(i) is int
    assert u == 255
    assert x == 0.1 and type(x) is float
    assert s == "héllo, 世界\x00!"
    assert bs == b"\x00\x01\xff" and type(bs) is bytes
    assert xs == ["a", ""]
    assert m == {"minus": -1, "one": 1}


def test_callback_receives_objects_time_errors_and_any(chantest: ModuleType) -> None:
    got: list[tuple[Any, ...]] = []
    assert chantest.Objects(lambda *args: got.append(args) or "ok") == "ok"
    ((p, box, d, t, err, v),) = got
    assert p == chantest.Point(X=1, Y=2)
    assert isinstance(box, chantest.Box) and box.Name == "box"
    assert d == timedelta(seconds=1.5)
    assert t == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert isinstance(err, goffi.GoError) and str(err) == "boom"
    assert v == 7


def test_callback_receives_a_channel(chantest: ModuleType) -> None:
    kinds: list[bool] = []

    def total(ch: Any) -> int:
        kinds.append(isinstance(ch, goffi.Channel))
        return sum(ch)

    assert chantest.Feed(total, 4) == 6
    assert kinds == [True]


def test_callback_receives_a_go_func(chantest: ModuleType) -> None:
    assert chantest.Higher(lambda times10: times10(4)) == 40


def test_go_func_result_is_a_python_callable(chantest: ModuleType) -> None:
    add3 = chantest.MakeAdder(3)
    assert callable(add3)
    assert add3(4) == 7
    assert add3(-3) == 0
    assert chantest.Apply(add3, 4) == 7  # and passes back to Go
    with pytest.raises(TypeError, match="int64"):
        add3("4")
    with pytest.raises(OverflowError):
        add3(2**63)


def test_struct_func_field(chantest: ModuleType) -> None:
    seen: list[str] = []
    hooks = chantest.Hooks(OnEvent=seen.append)
    chantest.Fire(hooks, "a")
    assert seen == ["a"]
    hooks.OnEvent = lambda s: seen.append(s.upper())
    chantest.Fire(hooks, "b")
    assert seen == ["a", "B"]
    hooks.OnEvent("c")  # the field reads back as a callable
    assert seen == ["a", "B", "C"]
    chantest.Fire(chantest.Hooks(), "nobody listens")
    assert seen == ["a", "B", "C"]


def test_callback_result_of_the_wrong_type(chantest: ModuleType) -> None:
    with pytest.raises(TypeError, match="int64"):
        chantest.Apply(lambda x: "not an int", 1)
    with pytest.raises(OverflowError, match="int64"):
        chantest.Apply(lambda x: 2**63, 1)
    with pytest.raises(TypeError, match="string"):
        chantest.ApplyAll(lambda s: 1, ["x"])
    with pytest.raises(TypeError):
        chantest.Lookup(lambda k: 5, "x")  # two results need a tuple


def test_non_callable_is_refused(chantest: ModuleType) -> None:
    with pytest.raises(TypeError, match="func"):
        chantest.Apply(5, 1)
    with pytest.raises(TypeError):
        chantest.Hooks(OnEvent="not callable")


# ---------------------------------------------------------------------------- callbacks: later, concurrent, nested


def test_later_calls_from_a_goroutine_after_returning(chantest: ModuleType) -> None:
    done = threading.Event()
    calls: list[tuple[int, int]] = []

    def f(x: int) -> None:
        calls.append((x, threading.get_native_id()))
        done.set()

    assert chantest.Later(f, 7) is None
    assert done.wait(5)
    ((x, thread),) = calls
    assert x == 7
    assert thread != threading.get_native_id()


def test_concurrent_callbacks_from_eight_goroutines(chantest: ModuleType) -> None:
    seen: list[int] = []
    lock = threading.Lock()

    def square(i: int) -> int:
        with lock:
            seen.append(i)
        return i * i

    assert chantest.Concurrent(square, 8) == 140
    assert sorted(seen) == list(range(8))


def test_callbacks_really_run_at_the_same_time(chantest: ModuleType) -> None:
    """All eight calls must be inside Python at once to pass the barrier."""
    barrier = threading.Barrier(8, timeout=10)

    def meet(i: int) -> int:
        barrier.wait()
        return i

    assert chantest.Concurrent(meet, 8) == 28


def test_callback_from_a_goroutine_calls_go(chantest: ModuleType) -> None:
    assert chantest.Concurrent(lambda i: chantest.Add(i, 1), 8) == 36
    assert chantest.Apply(lambda x: chantest.Apply(lambda y: y * 3, x) + 1, 2) == 7


def test_locked_goroutine_keeps_one_python_thread_state(chantest: ModuleType) -> None:
    """Calls from one locked OS thread share a thread state: threading.local persists."""
    local = threading.local()
    seen: list[tuple[int, int, object]] = []

    def f(i: int) -> None:
        if i == 0:
            local.mark = "first call"
        seen.append((i, threading.get_native_id(), getattr(local, "mark", None)))

    chantest.Locked(f, 5)
    assert [i for i, _, _ in seen] == [0, 1, 2, 3, 4]
    assert len({t for _, t, _ in seen}) == 1
    assert seen[0][1] != threading.get_native_id()
    assert [m for _, _, m in seen] == ["first call"] * 5
    assert getattr(local, "mark", None) is None  # the caller's thread has its own


# ---------------------------------------------------------------------------- callbacks: exceptions


def test_exception_in_callback_is_reraised_as_itself(chantest: ModuleType) -> None:
    boom = ValueError("boom")

    def f(x: int) -> int:
        raise boom

    with pytest.raises(ValueError) as info:
        chantest.Apply(f, 1)
    assert info.value is boom
    assert not isinstance(info.value, goffi.GoPanic)
    assert chantest.Apply(lambda x: x, 3) == 3  # Go and Python stay usable


def test_exception_stops_the_go_loop(chantest: ModuleType) -> None:
    calls: list[str] = []

    def f(s: str) -> str:
        calls.append(s)
        if s == "b":
            raise KeyError(s)
        return s

    with pytest.raises(KeyError) as info:
        chantest.ApplyAll(f, ["a", "b", "c"])
    assert info.value.args == ("b",)
    assert calls == ["a", "b"]


def test_exception_in_second_func_parameter(chantest: ModuleType) -> None:
    class Custom(Exception):
        pass

    err = Custom("from g")
    calls: list[int] = []

    def f(x: int) -> int:
        calls.append(x)
        return x + 1

    def g(x: int) -> int:
        raise err

    with pytest.raises(Custom) as info:
        chantest.Twice(f, g, 1)
    assert info.value is err
    assert calls == [1]


def test_exception_through_nested_calls(chantest: ModuleType) -> None:
    boom = RuntimeError("deep")

    def inner(x: int) -> int:
        raise boom

    with pytest.raises(RuntimeError) as info:
        chantest.Apply(lambda x: chantest.Apply(inner, x), 1)
    assert info.value is boom


# These raise a fresh exception each time and remember it, rather than raising one the
# test holds: an exception in a local whose traceback holds the test's frame, which holds a
# Go func, which holds (through Go) the callable, which holds the exception, is a cycle
# through Go that neither collector can see (README: "Cycles through Go").


def test_exception_in_error_returning_callback(chantest: ModuleType) -> None:
    raised: list[BaseException] = []

    def f(s: str) -> None:
        raised.append(OSError("disk on fire"))
        raise raised[-1]

    with pytest.raises(OSError) as info:
        chantest.WithError(f, "x")
    assert info.value is raised[0]  # the original object, not a copy or a GoError
    raised.clear()


def test_error_returning_callback_returns_none_or_a_go_error(
    chantest: ModuleType, errors_: ModuleType
) -> None:
    assert chantest.WithError(lambda s: None, "x") is None
    nope = errors_.New("nope")
    with pytest.raises(goffi.GoError) as info:
        chantest.WithError(lambda s: nope, "x")
    assert info.value is nope


def test_exception_in_callback_from_python_made_go_func(chantest: ModuleType) -> None:
    raised: list[BaseException] = []

    def bad(x: int) -> int:
        raised.append(ZeroDivisionError("in compose"))
        raise raised[-1]

    composed = chantest.Compose(lambda x: x + 1, bad)
    with pytest.raises(ZeroDivisionError) as info:
        composed(1)
    assert info.value is raised[0]
    raised.clear()


# ---------------------------------------------------------------------------- callbacks: lifetime


def test_go_keeps_the_callable_after_the_call_returned(chantest: ModuleType) -> None:
    def make() -> Callable[[], int]:
        return lambda: 99

    f = make()
    ref = weakref.ref(f)
    chantest.Keep(f)
    del f
    collect(chantest)
    assert ref() is not None  # Go still holds it
    assert chantest.CallKept() == 99
    assert chantest.CallKept() == 99
    chantest.ReleaseKept()
    assert wait_for(lambda: ref() is None, chantest), "the callable outlived Go's last reference"
    assert chantest.CallKept() == -1


def test_callable_is_released_once_go_drops_it(chantest: ModuleType) -> None:
    class Doubler:
        def __call__(self, x: int) -> int:
            return 2 * x

    f = Doubler()
    ref = weakref.ref(f)
    assert chantest.Apply(f, 2) == 4
    del f
    assert wait_for(lambda: ref() is None, chantest), "Go's copy of the func kept the callable alive"


def test_callable_is_released_when_a_later_argument_fails(chantest: ModuleType) -> None:
    """Go never got the callable, so no Go collection is needed to release it."""

    class Doubler:
        def __call__(self, x: int) -> int:
            return 2 * x

    f = Doubler()
    ref = weakref.ref(f)
    with pytest.raises(TypeError, match=r"chantest.Apply\(\) argument 'x' \(Go int64\) must be int, not str"):
        chantest.Apply(f, "two")
    del f
    gc.collect()
    assert ref() is None, "the callable stayed registered though Go never received it"


def test_go_func_result_releases_its_handle(chantest: ModuleType) -> None:
    before = settled_handles(chantest)
    adders = [chantest.MakeAdder(n) for n in range(10)]
    assert [a(1) for a in adders] == list(range(1, 11))
    del adders
    assert wait_for(lambda: goffi.live_handles() == before, chantest)


def test_channels_release_their_handles(chantest: ModuleType) -> None:
    before = settled_handles(chantest)
    chans = [chantest.make_chan("int64") for _ in range(50)] + [chantest.Numbers(1, 1) for _ in range(50)]
    assert goffi.live_handles() >= before + 100
    del chans
    assert wait_for(lambda: goffi.live_handles() == before, chantest)


def test_handle_pool_is_bounded(chantest: ModuleType) -> None:
    """The pool caps live channel and callback handles (default 4096) with a clear error."""
    made: list[Any] = [chantest.make_chan("int64")]
    with pytest.raises(Exception) as info:  # the issue names no class, only a clear error
        for _ in range(10_000):
            made.append(chantest.make_chan("int64"))
    assert len(made) <= 4096
    assert "4096" in str(info.value), info.value
    del made
    gc.collect()
    assert chantest.make_chan("int64").cap == 1  # usable again once handles are released


# ---------------------------------------------------------------------------- standard library


def test_strings_map_and_fields_func(strings: ModuleType) -> None:
    assert strings.Map(lambda r: r + 1, "HAL") == "IBM"
    assert strings.Map(lambda r: -1 if chr(r) == "x" else r, "axbxc") == "abc"  # -1 drops the rune
    assert strings.FieldsFunc("a1b2c", lambda r: chr(r).isdigit()) == ["a", "b", "c"]
    assert strings.ContainsFunc("héllo", lambda r: r > 127) is True
    assert strings.IndexFunc("abc1", lambda r: chr(r).isdigit()) == 3


def test_time_after_func(gotime: ModuleType) -> None:
    done = threading.Event()
    timer = gotime.AfterFunc(timedelta(milliseconds=5), done.set)
    assert done.wait(1)
    assert timer.Stop() is False  # already fired


def test_time_after_func_stopped_never_fires(gotime: ModuleType) -> None:
    fired = threading.Event()
    timer = gotime.AfterFunc(timedelta(hours=1), fired.set)
    assert timer.Stop() is True
    assert not fired.is_set()


def test_time_after(gotime: ModuleType) -> None:
    before = datetime.now(UTC)
    ch = gotime.After(timedelta(milliseconds=1))
    assert isinstance(ch, goffi.Channel)
    t = ch.recv(timeout=1)
    assert isinstance(t, datetime) and t.tzinfo is not None
    assert t >= before - timedelta(seconds=1)
    t2 = next(iter(gotime.After(timedelta(milliseconds=1))))
    assert isinstance(t2, datetime) and t2 >= t
    with pytest.raises(TypeError):
        ch.send(t)  # <-chan time.Time


def test_time_ticker_channel_field(gotime: ModuleType) -> None:
    ticker = gotime.NewTicker(timedelta(milliseconds=2))
    try:
        c = ticker.C
        assert isinstance(c, goffi.Channel)
        ticks = [c.recv(timeout=1) for _ in range(3)]
    finally:
        ticker.Stop()
    assert all(isinstance(t, datetime) for t in ticks)
    assert ticks[0] < ticks[1] < ticks[2]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.txt").write_text("b")
    (tmp_path / "c.txt").write_text("c")
    return tmp_path


def test_filepath_walkdir(filepath: ModuleType, fs: ModuleType, tree: Path) -> None:
    seen: list[tuple[str, str, bool, object]] = []

    def visit(path: str, d: Any, err: Any) -> None:
        assert isinstance(d, fs.DirEntry)
        seen.append((path, d.Name(), d.IsDir(), err))

    assert filepath.WalkDir(str(tree), visit) is None
    root = str(tree)
    assert seen == [
        (root, tree.name, True, None),
        (os.path.join(root, "a"), "a", True, None),
        (os.path.join(root, "a", "b.txt"), "b.txt", False, None),
        (os.path.join(root, "c.txt"), "c.txt", False, None),
    ]


def test_filepath_walkdir_raising_stops_and_reraises(filepath: ModuleType, tree: Path) -> None:
    seen: list[str] = []
    raised: list[BaseException] = []

    def visit(path: str, d: Any, err: Any) -> None:
        seen.append(os.path.basename(path))
        if path.endswith("b.txt"):
            raised.append(LookupError("stop here"))
            raise raised[-1]

    with pytest.raises(LookupError) as info:
        filepath.WalkDir(str(tree), visit)
    assert info.value is raised[0]
    raised.clear()
    assert seen == [tree.name, "a", "b.txt"]  # c.txt was never visited


def test_filepath_walkdir_passes_the_error_in(filepath: ModuleType, tree: Path) -> None:
    missing = str(tree / "missing")
    seen: list[tuple[str, object, object]] = []

    def visit(path: str, d: Any, err: Any) -> Any:
        seen.append((path, d, err))
        return err

    with pytest.raises(FileNotFoundError) as info:
        filepath.WalkDir(missing, visit)
    ((path, d, err),) = seen
    assert path == missing
    assert d is None
    assert isinstance(err, FileNotFoundError) and isinstance(err, goffi.GoError)
    assert info.value is err  # returned to Go, which returned it: the same Go value


# ---------------------------------------------------------------------------- threads


def test_many_python_threads_call_go(chantest: ModuleType) -> None:
    def work(k: int) -> int:
        total = 0
        for i in range(1000):
            total = chantest.Add(total, i)
        return total + chantest.Concurrent(lambda j: j + k, 4)

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(work, range(16)))
    assert results == [sum(range(1000)) + 6 + 4 * k for k in range(16)]


STRESS = """
import gc, threading, time
from concurrent.futures import ThreadPoolExecutor
import goffi

def settle():
    for _ in range(3):
        gc.collect(); chantest.GC(); time.sleep(0.01)
    return goffi.live_handles()

before = settle()
add = chantest.Add

def work(k):
    total = 0
    for i in range(10_000):
        total = add(total, i)
        if i % 2_500 == 0:  # goroutines call back into Python, and from there into Go
            total += chantest.Concurrent(lambda j: add(j, k), 4)
        if i % 5_000 == 0:
            total += sum(chantest.Count(3)) + chantest.Sum(chantest.Square(chantest.Count(3)))
    return total

with ThreadPoolExecutor(16) as pool:
    results = list(pool.map(work, range(16)))
expected = [sum(range(10_000)) + 4 * (6 + 4 * k) + 2 * (3 + 5) for k in range(16)]
print("results ok" if results == expected else f"results wrong {results} != {expected}")
end = time.monotonic() + 30
while settle() != before and time.monotonic() < end:
    pass
print("handles", before, goffi.live_handles())
"""


def test_sixteen_threads_times_ten_thousand_calls_with_callbacks(
    go: dict[str, ModuleType], session_cache: Path
) -> None:
    out = run_session_python(session_cache, STRESS, timeout=600)
    lines = out.splitlines()
    assert lines[0] == "results ok", out
    _, before, after = lines[1].split()
    assert before == after, out


# ---------------------------------------------------------------------------- owner thread


def test_owner_thread_runs_every_call_on_one_os_thread(chantest: ModuleType) -> None:
    with goffi.OwnerThread() as owner:
        ids = [owner.call(threading.get_native_id) for _ in range(5)]
        assert len(set(ids)) == 1
        owner_id = ids[0]
        assert owner_id != threading.get_native_id()
        assert owner.call(chantest.ThreadID) == owner_id  # Go runs on the same OS thread
        assert owner.call(chantest.Add, 2, 3) == 5
        assert owner.call(chantest.Apply, lambda x: threading.get_native_id(), 0) == owner_id
        with ThreadPoolExecutor(4) as pool:
            assert set(pool.map(lambda _: owner.call(chantest.ThreadID), range(20))) == {owner_id}
        with pytest.raises(ValueError, match="invalid literal"):
            owner.call(int, "x")
        assert owner.call(chantest.ThreadID) == owner_id  # still the same after an exception


def test_two_owner_threads_are_different_threads(chantest: ModuleType) -> None:
    with goffi.OwnerThread() as a, goffi.OwnerThread() as b:
        assert a.call(threading.get_native_id) != b.call(threading.get_native_id)
        assert a.call(chantest.ThreadID) != b.call(chantest.ThreadID)


# ---------------------------------------------------------------------------- determinism


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> BundlePlan:
    """The session bundle's plan, computed again (extraction only, no build)."""
    specs = [parse_spec(s) for s in SESSION_SPECS]
    work = tmp_path_factory.mktemp("plan-work")
    return plan_specs(specs, work, find_go(), session_cache, Progress(False), zero_copy=ZERO_COPY)


def test_rendering_with_channels_and_callbacks_is_byte_identical(plan: BundlePlan) -> None:
    renders = [render_bundle(plan, "key") for _ in range(10)]
    assert len({r.digest() for r in renders}) == 1
    first = renders[0]
    assert all(r.go_files == first.go_files and r.python_files == first.python_files for r in renders[1:])
    go_sources = b"\n".join(first.go_files.values())
    for call in (b".Square(", b".Concurrent(", b".Keep(", b".WalkDir("):  # the shims are in what was hashed
        assert call in go_sources, call


# ---------------------------------------------------------------------------- goffi inspect


@pytest.fixture(scope="module")
def chantest_report(session_cache: Path) -> dict[str, Any]:
    """`goffi inspect --json` of tests/gopkgs/chantest: its one package's report."""
    return inspect_report(session_cache, GO_TEST_PACKAGES / "chantest", "example.com/chantest")


def _entry(report: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    (entry,) = [s for s in report["symbols"] if s["kind"] == kind and s["name"] == name]
    return entry


def test_inspect_bridges_channels_and_callbacks(chantest_report: dict[str, Any]) -> None:
    skipped = [
        (s["kind"], s["name"], s.get("reason"))
        for s in chantest_report["symbols"]
        if s["status"] == "skipped" and s["name"] != "Split"  # slices of channels may stay out
    ]
    assert skipped == []


def test_inspect_shows_channel_and_callable_signatures(chantest_report: dict[str, Any]) -> None:
    count = _entry(chantest_report, "func", "Count")
    assert count["status"] == "bridged"
    assert "Channel" in count["python"], count
    apply = _entry(chantest_report, "func", "Apply")
    assert apply["status"] == "bridged"
    assert "Callable" in apply["python"], apply
    assert _entry(chantest_report, "type", "Hooks")["status"] == "bridged"
