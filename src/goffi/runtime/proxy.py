"""Python objects Go sees as Go interfaces: the methods a proxy calls (goffi.proxies).

The bundle's native module calls :func:`_methods` when a Python object that is not a
Go object is passed where Go expects an interface: it returns the object's identity
getter and one callable per method of the interface, in the interface's method order,
or raises TypeError naming the methods the object lacks.

A method is found under its Go name (``Read``, ``Write``, ``Len``...). For the io
interfaces (io.Reader, io.Writer, io.ReadWriter, io.Closer, io.Seeker, io.ReaderAt and
their combinations), a Python file object or stream serves without a class: ``Read`` is its
``readinto`` (straight into Go's buffer) or, for a text stream, ``read`` encoded as
UTF-8; ``Write`` its ``write`` (binary: Go's bytes as a memoryview valid for the call;
text: decoded as UTF-8, a character split across two writes is written whole with the
second); ``Close`` its ``close``; ``Seek`` its ``seek``; ``ReadAt`` (io.ReaderAt) reads
a seekable binary stream at an offset without moving its position (see _read_at). Go
closes a Python file only by calling ``Close``.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
import threading
import weakref

from goffi.runtime import GoError

# typing is not imported at run time (a bundle imports this module when it loads).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["GoError"]

_FILE_METHODS = frozenset({"Read", "Write", "Close", "Seek", "WriteString", "ReadAt"})


def _methods(obj: object, iface: str, names: str, where: str) -> tuple[Callable[..., Any], ...]:
    wanted = names.split()
    file_like = iface.startswith("io.") and all(n in _FILE_METHODS for n in wanted)
    found: list[Callable[..., Any]] = []
    missing: list[str] = []
    for name in wanted:
        method = getattr(obj, name, None)
        if method is None and file_like:
            method = _file_method(obj, name)
        if method is None or not callable(method):
            missing.append(name)
        else:
            found.append(method)
    if missing:
        hint = "; a Python file or stream also works (read/readinto, write, close, seek)" if file_like else ""
        if file_like and "ReadAt" in missing:
            hint = "; a seekable binary Python file or stream also works (ReadAt reads at an offset)"
        raise TypeError(
            f"{where} must be a Go object or a Python object with method{'s' if len(wanted) > 1 else ''} "
            f"{', '.join(wanted)} (named as the Go interface's); this {type(obj).__name__} object has no "
            f"method{'s' if len(missing) > 1 else ''} {', '.join(missing)}{hint}"
        )
    return (lambda: obj, *found)


def _is_text(f: object) -> bool:
    return isinstance(f, io.TextIOBase) or (
        not hasattr(f, "readinto") and hasattr(f, "encoding") and hasattr(f, "read")
    )


# The UTF-8 state of each text stream Go reads or writes (bytes of a character split
# across two Go calls), shared by every Go value made of the stream.
_text_readers: weakref.WeakKeyDictionary[Any, _TextReader] = weakref.WeakKeyDictionary()
_text_writers: weakref.WeakKeyDictionary[Any, _TextWriter] = weakref.WeakKeyDictionary()
_text_lock = threading.Lock()


def _text_state(f: Any, table: weakref.WeakKeyDictionary[Any, Any], make: Callable[[], Any]) -> Any:
    with _text_lock:
        try:
            state = table.get(f)
            if state is None:
                state = table[f] = make()
        except TypeError:  # a stream without weak references: state per Go value
            state = make()
        return state


def _file_method(f: object, name: str) -> Callable[..., Any] | None:
    if name == "Read":
        if _is_text(f) and hasattr(f, "read"):
            reader: _TextReader = _text_state(f, _text_readers, lambda: _TextReader(f))
            return reader.Read
        readinto = getattr(f, "readinto", None)
        if readinto is not None:
            return _binary_read(readinto)
        read = getattr(f, "read", None)
        return _copying_read(read) if read is not None else None
    if name in ("Write", "WriteString"):
        write = getattr(f, "write", None)
        if write is None:
            return None
        if name == "WriteString":
            return _text_write(write) if _is_text(f) else _string_to_binary(write)
        if _is_text(f):
            writer: _TextWriter = _text_state(f, _text_writers, lambda: _TextWriter(f))
            return writer.Write
        return _binary_write(write)
    if name == "Close":
        close = getattr(f, "close", None)
        return None if close is None else _close(close)
    if name == "Seek":
        seek = getattr(f, "seek", None)
        return seek  # seek(offset, whence) -> the new position, as Go's Seek
    if name == "ReadAt":
        return _read_at(f)
    return None


# ReadAt (io.ReaderAt). Go may call it from several goroutines at once, and it must not
# move the stream's position: a BytesIO is read from its buffer, a file with a real
# descriptor with os.preadv (straight into Go's buffer; the descriptor is asked for on
# every call, so a closed file raises instead of reading a reused descriptor), and any
# other seekable binary stream by seek + readinto + seek back, under a lock per stream
# (the position moves for the call: Python threads using the stream meanwhile see it).
# Fewer bytes than len(p) means the end of the data: Go gets io.EOF with them.

_read_at_locks: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()


def _read_at(f: Any) -> Callable[[memoryview, int], int] | None:
    if _is_text(f):
        return None  # a text stream's positions are not byte offsets
    try:
        if not f.seekable():
            return None
    except (AttributeError, OSError, ValueError):
        return None
    if isinstance(f, io.BytesIO):
        return _bytes_io_read_at(f)
    if _regular_fd(f) is not None and hasattr(os, "preadv"):
        return _pread_at(f)
    if all(hasattr(f, m) for m in ("readinto", "seek", "tell")):
        return _seek_read_at(f, _text_state(f, _read_at_locks, threading.Lock))
    return None


def _regular_fd(f: Any) -> int | None:
    """The descriptor of a file object on a regular file (or block device), else None."""
    try:
        fd = f.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return None
    return fd if stat.S_ISREG(mode) or stat.S_ISBLK(mode) else None


def _check_offset(off: int) -> None:
    if off < 0:
        raise ValueError(f"ReadAt: negative offset {off}")


def _bytes_io_read_at(f: io.BytesIO) -> Callable[[memoryview, int], int]:
    def ReadAt(p: memoryview, off: int) -> int:
        _check_offset(off)
        with f.getbuffer() as buf:
            n = max(0, min(len(p), len(buf) - off))
            if n:
                p[:n] = buf[off : off + n]
        return n

    return ReadAt


def _pread_at(f: Any) -> Callable[[memoryview, int], int]:
    def ReadAt(p: memoryview, off: int) -> int:
        _check_offset(off)
        if f.writable():
            f.flush()  # Python's buffered writes first, so Go reads what Python wrote
        fd = f.fileno()
        total = 0
        while total < len(p):
            n = os.preadv(fd, [p[total:] if total else p], off + total)
            if n == 0:
                break
            total += n
        return total

    return ReadAt


def _seek_read_at(f: Any, lock: threading.Lock) -> Callable[[memoryview, int], int]:
    def ReadAt(p: memoryview, off: int) -> int:
        _check_offset(off)
        total = 0
        with lock:
            pos = f.tell()
            try:
                f.seek(off)
                while total < len(p):
                    n = f.readinto(p[total:] if total else p)
                    if not n:
                        break
                    total += n
            finally:
                f.seek(pos)
        return total

    return ReadAt


def _binary_read(readinto: Callable[[memoryview], int | None]) -> Callable[[memoryview], int]:
    def Read(p: memoryview) -> int:
        if len(p) == 0:
            return 0
        n = readinto(p)
        if n is None:  # a non-blocking stream with nothing yet
            return 0
        if n == 0:
            raise EOFError
        return n

    return Read


def _copying_read(read: Callable[[int], bytes]) -> Callable[[memoryview], int]:
    def Read(p: memoryview) -> int:
        if len(p) == 0:
            return 0
        data = read(len(p))
        if not data:
            raise EOFError
        p[: len(data)] = data
        return len(data)

    return Read


class _TextReader:
    """Read of a text stream: its characters as UTF-8; bytes of a character that do not
    fit in Go's buffer are kept for the next Read."""

    def __init__(self, f: Any) -> None:
        # Weakly: this state is the value of a WeakKeyDictionary keyed by f (a proxy keeps
        # f alive through its identity getter while Go uses it).
        self.f = _weak(f)
        self.pending = b""
        self.lock = threading.Lock()

    def Read(self, p: memoryview) -> int:
        if len(p) == 0:
            return 0
        with self.lock:
            if not self.pending:
                text = self.f().read(max(1, len(p) // 4) if len(p) >= 4 else 1)
                if not text:
                    raise EOFError
                self.pending = text.encode("utf-8", "surrogateescape")
            n = min(len(p), len(self.pending))
            p[:n] = self.pending[:n]
            self.pending = self.pending[n:]
            return n


def _weak(f: Any) -> Callable[[], Any]:
    try:
        return weakref.ref(f)
    except TypeError:
        return lambda: f


def _binary_write(write: Callable[[memoryview], Any]) -> Callable[[memoryview], int]:
    def Write(p: memoryview) -> int:
        total = 0
        while total < len(p):
            n = write(p[total:] if total else p)
            if n is None:  # a buffered stream that took everything (or a non-blocking one)
                return len(p)
            if n <= 0:
                raise BlockingIOError("the Python stream took no bytes")
            total += n
        return total

    return Write


class _TextWriter:
    """Write to a text stream: Go's bytes decoded as UTF-8 (invalid bytes become U+FFFD);
    a character split across two Writes is written whole with the second."""

    def __init__(self, f: Any) -> None:
        self.f = _weak(f)  # weakly, as _TextReader's
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.lock = threading.Lock()

    def Write(self, p: memoryview) -> int:
        with self.lock:
            text = self.decoder.decode(p)
            if text:
                self.f().write(text)
        return len(p)


def _text_write(write: Callable[[str], Any]) -> Callable[[str], int]:
    def WriteString(s: str) -> int:
        write(s)
        return len(s.encode("utf-8", "surrogateescape"))

    return WriteString


def _string_to_binary(write: Callable[[memoryview], Any]) -> Callable[[str], int]:
    def WriteString(s: str) -> int:
        data = s.encode("utf-8", "surrogateescape")
        _binary_write(write)(memoryview(data))
        return len(data)

    return WriteString


def _close(close: Callable[[], Any]) -> Callable[[], None]:
    def Close() -> None:
        close()

    return Close
