"""The Python half of the goroutine bridge: channels, select, and the owner thread.

Channel operations run in the bundle's native module (goffi_bridge*.c), which moves
values through Go's reflect (receives from channels of integers, floats and bools go
typed), so one Channel class serves every element type. A blocking operation waits in
short slices with the GIL released and checks for signals between them: Ctrl-C
interrupts it.

Receiving goes through the Channel's reader (``_r``, a goffi.ChannelIterator in C);
``iter(channel)`` is a loop over it (a goffi.ChannelLoop, whose ``__next__`` runs in C; past
its first batch a pump goroutine may feed it: goffi_chanring.c). Iteration takes values
from Go in batches, and
stays exact: a batch waits for its first value only and takes the others only if they
are already in the channel; values it took that Python has not had yet stay in the
reader, in order, and the next recv/try_recv/next/select on that Channel gets them first
(``len()`` counts them). Breaking out of a loop loses nothing. Such values are gone from
the Go channel, though: a goroutine receiving from it meanwhile sees only later ones.
"""

from __future__ import annotations

import threading
import weakref

# Run-time imports stay minimal (a bundle with channels or funcs imports this module when
# it loads): asyncio, concurrent.futures (it loads logging), collections and typing are
# imported where used or only for type checkers (annotations are strings here).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import collections
    import concurrent.futures
    from collections.abc import Callable, Iterator
    from typing import Any, Literal

    Direction = Literal["both", "send", "recv"]

__all__ = ["CLOSED", "Channel", "ChannelClosed", "OwnerThread", "collect_go", "make_chan", "select"]

# async iteration waits in the default executor in slices this long, so that an
# executor thread is never stuck on a channel nobody sends to.
_ASYNC_SLICE = 0.25


class ChannelClosed(Exception):
    """Sending on, closing, or receiving from (once drained) a closed Go channel."""


class _Closed:
    """goffi.CLOSED: what a select's receive case gives when its channel is closed."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "goffi.CLOSED"


CLOSED = _Closed()
# What a reader's _pop gives when it holds no value.
_NOTHING = object()


def _native_of(handle: object) -> Any:
    """The native module of the bundle whose Go runtime made channel handle ``handle``."""
    from goffi.runtime import _owner_of

    bundle = _owner_of(type(handle))
    module = bundle.native_module() if bundle is not None else None
    if module is None or not hasattr(module, "_chan_reader"):
        raise TypeError(f"goffi: {handle!r} is not a Go channel of a loaded bundle")
    return module


def _bundle_name(native: Any) -> str:
    """The bundle name of native module ``native`` (for messages)."""
    return str(getattr(native, "__name__", "?")).rpartition(".")[0] or "?"


def _channel_bundles() -> list[Any]:
    """The native modules of the loaded bundles that have channels, in load order (at least one)."""
    from goffi.runtime import loaded_bundles

    found = []
    for bundle in loaded_bundles():
        module = bundle.native_module()
        if module is not None and hasattr(module, "_chan_reader"):
            found.append(module)
    if not found:
        raise RuntimeError(
            "goffi: no loaded bundle has channel support (none of its Go packages has a channel or func "
            "in its API); load one that does"
        )
    return found


class Channel:
    """A Go channel: send and receive values of its element type, from any thread.

    ``recv``/``send`` block (releasing the GIL) until the other side is ready, a timeout
    passes (``TimeoutError``), or a signal arrives (Ctrl-C). Iterating receives until the
    channel is closed and drained, in batches of ready values (see the module docstring:
    values a batch took stay here for the next receive). ``async for`` waits without
    blocking the event loop.
    """

    __slots__ = ("__weakref__", "_h", "_m", "_r", "dir", "elem")

    def __init__(
        self, handle: object, direction: Direction, elem: str, reader: Any = None, native: Any = None
    ) -> None:
        self._h = handle  # the handle object (its class is the bundle's channel class)
        # The native module of the bundle whose Go runtime holds the channel: every
        # operation goes there.
        self._m: Any = native if native is not None else _native_of(handle)
        self.dir: Direction = direction
        self.elem = elem  # the element type, as Go spells it
        # Receives, and the values iteration took early (goffi_bridge_reader.c).
        self._r: Any = reader if reader is not None else self._m._chan_reader(handle)

    def __repr__(self) -> str:
        kind = {"both": "chan", "send": "chan<-", "recv": "<-chan"}[self.dir]
        return f"<goffi.Channel {kind} {self.elem}>"

    def _check(self, op: str, needs: Direction) -> None:
        if self.dir not in ("both", needs):
            kind = {"send": "chan<-", "recv": "<-chan"}[self.dir]
            raise TypeError(
                f"Channel.{op}: this is a {kind} {self.elem} (it only {self.dir}s), as Go typed it"
            )

    def recv(self, timeout: float | None = None) -> Any:
        """The next value; ChannelClosed once the channel is closed and drained."""
        self._check("recv", "recv")
        return self._r._recv(timeout)

    def send(self, value: object, timeout: float | None = None) -> None:
        """Send ``value``, converted to the element type (TypeError/OverflowError if it does not fit)."""
        self._check("send", "send")
        self._m._chan_send(self._h, value, timeout)

    def try_recv(self) -> tuple[Any, bool]:
        """``(value, True)`` if a value was ready, ``(None, False)`` if not."""
        self._check("try_recv", "recv")
        result: tuple[Any, bool] = self._r._try_recv()
        return result

    def try_send(self, value: object) -> bool:
        """Send only if that does not block; whether it was sent."""
        self._check("try_send", "send")
        return bool(self._m._chan_try_send(self._h, value))

    def close(self) -> None:
        """Close the channel (Go's close): receivers drain it, then see it closed."""
        self._check("close", "send")
        self._m._chan_close(self._h)

    def __len__(self) -> int:
        length, _ = self._m._chan_len(self._h)
        return int(length) + len(self._r)

    @property
    def cap(self) -> int:
        """The channel's buffer size (0 for an unbuffered channel)."""
        _, capacity = self._m._chan_len(self._h)
        return int(capacity)

    def __iter__(self) -> Iterator[Any]:
        """A loop over the reader (goffi.ChannelLoop): its ``__next__`` runs in C, with no
        Python-level call per value, and while it lives a pump goroutine may feed it."""
        self._check("iteration", "recv")
        it: Iterator[Any] = self._r._loop()
        return it

    def __next__(self) -> Any:
        self._check("iteration", "recv")
        return next(self._r)

    def __aiter__(self) -> Channel:
        self._check("async iteration", "recv")
        return self

    async def __anext__(self) -> Any:
        import asyncio  # already loaded: an event loop is running

        loop = asyncio.get_running_loop()
        reader = self._r
        while True:
            value = reader._pop(_NOTHING)
            if value is not _NOTHING:
                return value
            try:
                # Waits in an executor thread; the batch stays in the reader for _pop.
                more = await loop.run_in_executor(None, reader._fill, _ASYNC_SLICE)
            except TimeoutError:
                continue
            if not more:
                raise StopAsyncIteration


# One Channel per Go channel handle object while it lives.
_channels: weakref.WeakValueDictionary[object, Channel] = weakref.WeakValueDictionary()


def _channel(handle: object, direction: Direction, elem: str) -> Channel:
    """The Channel of a channel handle Go returned (the native module calls this)."""
    found = _channels.get(handle)
    if found is not None and found.dir == direction:
        return found
    # Another direction of the same channel shares its reader (and the values it holds).
    if found is not None:
        ch = Channel(handle, direction, elem, found._r, found._m)
    else:
        ch = Channel(handle, direction, elem)
    _channels[handle] = ch
    return ch


def chan_maker(native: Any) -> Callable[..., Channel]:
    """The ``make_chan`` of a bundle's modules: channels of that bundle's Go runtime."""

    def make_chan(elem: str, buffer: int = 1) -> Channel:
        if buffer < 0:
            raise ValueError(f"make_chan: buffer must be >= 0, not {buffer}")
        handle, canonical = native._make_chan(elem, buffer)
        found = _channels.get(handle)
        ch = found if found is not None else Channel(handle, "both", canonical, native=native)
        _channels[handle] = ch
        return ch

    make_chan.__doc__ = _MAKE_CHAN_DOC
    return make_chan


_MAKE_CHAN_DOC = """A new Go channel of element type ``elem`` (its Go spelling, e.g. "int64", "time.Time").

The element type must occur in a channel in the bundle's API. The default buffer is 1
(not Go's 0) so that a Python send does not wait for a Go receiver's scheduling.
"""


def make_chan(elem: str, buffer: int = 1) -> Channel:
    """A new Go channel of element type ``elem`` (its Go spelling, e.g. "int64", "time.Time").

    The element type must occur in a channel in the bundle's API. The default buffer is 1
    (not Go's 0) so that a Python send does not wait for a Go receiver's scheduling.
    With several bundles loaded, use the ``make_chan`` of a module of the bundle the
    channel is for (each bundle's channels live in its own Go runtime).
    """
    bundles = _channel_bundles()
    if len(bundles) > 1:
        raise RuntimeError(
            f"goffi.make_chan: this process loaded several bundles with channels "
            f"({', '.join(repr(_bundle_name(b)) for b in bundles)}), each with its own Go runtime: make the "
            "channel with the make_chan of a module of the bundle it is for (module.make_chan(...))"
        )
    return chan_maker(bundles[0])(elem, buffer)


def select(
    *cases: Channel | tuple[Channel, object], timeout: float | None = None, default: bool = False
) -> Any:
    """Go's select: wait for the first ready case and run it.

    A case is a Channel (receive) or a ``(channel, value)`` pair (send). Returns
    ``(index, value)`` for the case that ran (``value`` is None for a send, and
    ``goffi.CLOSED`` for a receive from a closed channel); ``None`` if ``default`` and
    nothing is ready; raises TimeoutError when ``timeout`` passes.
    """
    if not cases:
        raise TypeError("goffi.select needs at least one case")
    handles: list[object] = []
    channels: list[Channel] = []
    sends: list[bool] = []
    values: list[object] = []
    for i, case in enumerate(cases):
        if isinstance(case, Channel):
            case._check("select (receive)", "recv")
            value = case._r._pop(_NOTHING)
            if value is not _NOTHING:  # iteration already took this value from Go
                return i, value
            handles.append(case._h)
            channels.append(case)
            sends.append(False)
            values.append(None)
        elif isinstance(case, tuple) and len(case) == 2 and isinstance(case[0], Channel):
            case[0]._check("select (send)", "send")
            handles.append(case[0]._h)
            channels.append(case[0])
            sends.append(True)
            values.append(case[1])
        else:
            raise TypeError(
                f"goffi.select case {i} must be a Channel or a (Channel, value) pair, not {case!r}"
            )
    native = channels[0]._m
    for i, ch in enumerate(channels):
        if ch._m is not native:
            raise TypeError(
                f"goffi.select: case 0 is a channel of bundle {_bundle_name(native)!r} and case {i} one of "
                f"bundle {_bundle_name(ch._m)!r}: each bundle runs its own Go runtime, and one select can wait "
                "only on channels of one runtime. Select on each bundle's channels separately (or forward one "
                "into the other from a thread)."
            )
    return native._chan_select(tuple(handles), tuple(sends), tuple(values), timeout, default)


def collect_go() -> None:
    """Run Go's garbage collector in every loaded bundle's Go runtime, so that Python
    callables Go no longer holds are released."""
    for native in _channel_bundles():
        native._collect_go()


class OwnerThread:
    """Runs calls on one dedicated OS thread, for Go or C code with thread affinity.

    Every Go call made from ``fn`` runs on that thread (a Go export runs on the thread
    that calls it), so a library that must be called from the thread that created its
    state gets it::

        with goffi.OwnerThread() as owner:
            owner.call(lib.Init)
            owner.call(lib.Draw, frame)
    """

    def __init__(self, name: str = "goffi-owner") -> None:
        import collections

        self._jobs: collections.deque[tuple[concurrent.futures.Future[Any], Callable[[], Any]] | None] = (
            collections.deque()
        )
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._closed = False
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._jobs:
                    self._ready.wait()
                job = self._jobs.popleft()
            if job is None:
                return
            future, fn = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn())
                except BaseException as e:  # delivered to the caller, who re-raises it
                    future.set_exception(e)

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        """Queue ``fn(*args, **kwargs)`` on the owner thread; a Future of its result."""
        if self._closed:
            raise RuntimeError("OwnerThread is closed")
        import concurrent.futures

        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._ready:
            self._jobs.append((future, lambda: fn(*args, **kwargs)))
            self._ready.notify()
        return future

    def call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` on the owner thread and return its result (or raise)."""
        if threading.current_thread() is self._thread:
            return fn(*args, **kwargs)  # already there: queueing would deadlock
        return self.submit(fn, *args, **kwargs).result()

    @property
    def native_id(self) -> int | None:
        """The OS thread ID of the owner thread."""
        return self._thread.native_id

    def close(self) -> None:
        """Finish the queued calls and stop the thread."""
        if not self._closed:
            self._closed = True
            with self._ready:
                self._jobs.append(None)
                self._ready.notify()
            if threading.current_thread() is not self._thread:
                self._thread.join()

    def __enter__(self) -> OwnerThread:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
