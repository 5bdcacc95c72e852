"""Python objects as Go interfaces (issue 13): duck-typed implementations, and Python
files and streams as io.Reader/io.Writer. Go's own results are the oracles."""

from __future__ import annotations

import gc
import io
import threading
import time
import weakref
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import goffi
from conftest import GO_TEST_PACKAGES, inspect_report


@pytest.fixture(scope="module")
def g(go: dict[str, ModuleType]) -> dict[str, ModuleType]:
    return go


class Counter:
    """A Python implementation of ifacetest.Counter (Add, Name, Check)."""

    def __init__(self) -> None:
        self.n = 0
        self.names = 0
        self.lock = threading.Lock()
        self.threads: set[int] = set()

    def Add(self, n: int) -> int:
        with self.lock:
            self.n += n
            self.threads.add(threading.get_ident())
            return self.n

    def Name(self) -> str:
        with self.lock:
            self.names += 1
        return "counter"

    def Check(self, n: int) -> None:
        return None


class Writer:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def Write(self, p: memoryview) -> int:
        self.chunks.append(bytes(p))
        return len(p)


def test_io_copy_into_a_python_writer(g: dict[str, ModuleType]) -> None:
    text = "hello, proxies " * 5000
    w = Writer()
    n = g["io"].Copy(w, g["strings"].NewReader(text))
    assert n == g["strings"].NewReader(text).Len()
    # Go's own copy of the same reader is the oracle.
    buf = g["bytes"].NewBufferString("")
    assert g["io"].Copy(buf, g["strings"].NewReader(text)) == n
    assert b"".join(w.chunks).decode() == buf.String()


def test_json_encoder_into_a_string_io(g: dict[str, ModuleType]) -> None:
    value = {"name": "gopher", "n": [1, 2, 3], "ok": True, "s": "é"}
    out = io.StringIO()
    g["encoding/json"].NewEncoder(out).Encode(value)
    assert out.getvalue() == g["encoding/json"].Marshal(value).decode() + "\n"


def test_bufio_scanner_reads_a_binary_file_line_by_line(g: dict[str, ModuleType], tmp_path: Path) -> None:
    text = "".join(f"line {i} {'x' * (i % 97)}\n" for i in range(3000))
    path = tmp_path / "lines.txt"
    path.write_text(text)
    with open(path, "rb") as f:
        scanner = g["bufio"].NewScanner(f)
        lines = []
        while scanner.Scan():
            lines.append(scanner.Text())
        assert scanner.Err() is None
        assert not f.closed  # Go never closes a Python file unless it calls Close
    assert lines == g["strings"].Split(text.rstrip("\n"), "\n")


def test_gzip_round_trip_through_bytes_io(g: dict[str, ModuleType]) -> None:
    gzip = g["compress/gzip"]
    data = b"".join(i.to_bytes(4, "little") for i in range(50000))
    packed = io.BytesIO()
    w = gzip.NewWriter(packed)
    assert w.Write(data) == len(data)
    w.Close()
    assert not packed.closed
    r = gzip.NewReader(io.BytesIO(packed.getvalue()))
    assert g["io"].ReadAll(r) == data


def test_io_copy_between_python_streams(g: dict[str, ModuleType]) -> None:
    data = bytes(range(256)) * 4000
    out = io.BytesIO()
    assert g["io"].Copy(out, io.BytesIO(data)) == len(data)
    assert out.getvalue() == data


def test_a_read_method_writes_into_go_s_buffer(g: dict[str, ModuleType]) -> None:
    class Reader:
        def __init__(self, data: bytes) -> None:
            self.data = data
            self.views: list[memoryview] = []

        def Read(self, p: memoryview) -> int:
            self.views.append(p)
            if not self.data:
                raise EOFError
            n = min(len(p), len(self.data), 1000)
            p[:n] = self.data[:n]
            self.data = self.data[n:]
            return n

    data = b"abcdefghij" * 1234
    r = Reader(data)
    assert g["io"].ReadAll(r) == data
    # The views were Go's memory for the call only: released afterwards.
    with pytest.raises(ValueError, match="released"):
        len(r.views[0])


def test_text_streams_are_utf8_and_split_characters_stay_whole(g: dict[str, ModuleType]) -> None:
    strings, goio = g["strings"], g["io"]
    out = io.StringIO()
    src = strings.NewReader("aé€z")
    # Byte by byte: é and € arrive split across Writes, and are written whole.
    for _ in range(len("aé€z".encode())):
        assert goio.CopyN(out, src, 1) == 1
    assert out.getvalue() == "aé€z"
    # Reading a text stream gives its UTF-8 bytes.
    assert goio.ReadAll(io.StringIO("naïve ✓" * 1000)) == ("naïve ✓" * 1000).encode()


def test_sort_sort_a_python_object(g: dict[str, ModuleType]) -> None:
    class Items:
        def __init__(self, xs: list[int]) -> None:
            self.xs = xs

        def Len(self) -> int:
            return len(self.xs)

        def Less(self, i: int, j: int) -> bool:
            return self.xs[i] < self.xs[j]

        def Swap(self, i: int, j: int) -> None:
            self.xs[i], self.xs[j] = self.xs[j], self.xs[i]

    items = Items([(i * 7919) % 1009 for i in range(500)])
    assert not g["sort"].IsSorted(items)
    g["sort"].Sort(items)
    assert g["sort"].IsSorted(items)  # Go's verdict
    assert items.xs == sorted(items.xs)


def test_fmt_prints_a_python_object_with_string(g: dict[str, ModuleType]) -> None:
    class Point:
        def String(self) -> str:
            return "(1, 2)"

    assert g["fmt"].Sprint(Point()) == "(1, 2)"
    assert g["fmt"].Sprintf("at %v and %s", Point(), Point()) == "at (1, 2) and (1, 2)"


def test_methods_called_from_8_goroutines_at_once(g: dict[str, ModuleType]) -> None:
    c = Counter()
    total = g["ifacetest"].Hammer(c, 8, 200)  # Check's errors: None
    assert c.n == 1600 and c.names == 1600
    assert total == 1600 * 1601 // 2  # each Add returned a distinct running count
    # They ran on Go's threads: the caller's thread waits in wg.Wait (a goroutine locked to it
    # by the cgo call). How many threads Go used is its scheduler's choice (one is legitimate
    # on a loaded 2-core machine), so only the caller's absence is asserted.
    assert c.threads and threading.get_ident() not in c.threads


def test_a_missing_method_raises_type_error_at_the_call(g: dict[str, ModuleType]) -> None:
    class Partial:
        def Add(self, n: int) -> int:
            return n

    with pytest.raises(TypeError, match=r"Hammer\(\).*ifacetest.Counter.*no methods Check, Name"):
        g["ifacetest"].Hammer(Partial(), 1, 1)
    with pytest.raises(TypeError, match=r"io.Writer.*no method Write"):
        g["io"].Copy(object(), g["strings"].NewReader("x"))


def test_an_exception_in_a_method_propagates_to_the_caller(g: dict[str, ModuleType]) -> None:
    class Failing(Counter):
        def Check(self, n: int) -> None:
            raise ValueError(f"bad {n}")

        def Name(self) -> str:
            raise KeyError("no name")

    with pytest.raises(ValueError, match="bad 3"):
        g["ifacetest"].CheckIs(Failing(), 3)
    with pytest.raises(KeyError, match="no name"):
        g["ifacetest"].NameOf(Failing())
    # From 8 goroutines, the first exception (Name's, called before Check) is raised.
    with pytest.raises(KeyError, match="no name"):
        g["ifacetest"].Hammer(Failing(), 8, 10)


def test_eof_error_is_io_eof_and_go_errors_pass_back(g: dict[str, ModuleType]) -> None:
    class AtEnd(Counter):
        def Check(self, n: int) -> None:
            raise EOFError

    assert g["ifacetest"].CheckIs(AtEnd(), 1) == (True, "EOF")  # errors.Is(err, io.EOF) in Go

    class FromGo(Counter):
        def Check(self, n: int) -> None:
            g["strconv"].Atoi("x")  # raises strconv's *NumError

    # Go got strconv's error itself (Python does not re-raise it: Go handled it).
    assert g["ifacetest"].CheckIs(FromGo(), 1) == (False, 'strconv.Atoi: parsing "x": invalid syntax')


def test_a_python_object_comes_back_as_itself(g: dict[str, ModuleType]) -> None:
    c = Counter()
    assert g["ifacetest"].Keep(c) is c
    assert g["ifacetest"].NameOf(c) == "counter"


def test_proxies_release_the_python_object(g: dict[str, ModuleType]) -> None:
    c: Any = Counter()
    ref = weakref.ref(c)
    g["ifacetest"].NameOf(c)
    del c
    for _ in range(5):
        goffi.collect_go()
        gc.collect()
        if ref() is None:
            break
    assert ref() is None


def test_inspect_names_the_methods_python_objects_need(session_cache: Path) -> None:
    pkg = inspect_report(session_cache, GO_TEST_PACKAGES / "ifacetest", "example.com/ifacetest")
    symbols = {s["name"]: s for s in pkg["symbols"]}
    notes = symbols["Hammer"]["notes"]
    (note,) = [n for n in notes if n.startswith("parameter c (example.com/ifacetest.Counter)")]
    assert "a Python object with methods Add, Check, Name is accepted" in note
    assert "EOFError is io.EOF" in note
    assert not any(n.startswith("parameter goroutines") for n in notes)


# ---- io.ReaderAt: Python files and streams read at an offset ----


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


ZIP_FILES = {f"dir/file{i}.txt": (f"content {i} " * (i * 50 + 1)).encode() for i in range(12)}


def _listing(g: dict[str, ModuleType], r: Any) -> list[tuple[str, bytes]]:
    return [(f.Name, g["io"].ReadAll(f.Open())) for f in r.File]


def test_zip_reader_reads_a_bytes_io(g: dict[str, ModuleType]) -> None:
    data = _zip_bytes(ZIP_FILES)
    src = io.BytesIO(data)
    src.seek(7)
    got = _listing(g, g["archive/zip"].NewReader(src, len(data)))
    # Go reading the same bytes from its own bytes.Reader is the oracle.
    assert got == _listing(g, g["archive/zip"].NewReader(g["bytes"].NewReader(data), len(data)))
    assert got == list(ZIP_FILES.items())
    assert src.tell() == 7  # ReadAt never moved Python's position


def test_zip_reader_reads_a_binary_file_with_pread(g: dict[str, ModuleType], tmp_path: Path) -> None:
    data = _zip_bytes(ZIP_FILES)
    path = tmp_path / "a.zip"
    path.write_bytes(data)
    with open(path, "rb") as f:
        f.read(3)
        got = _listing(g, g["archive/zip"].NewReader(f, len(data)))
        assert f.tell() == 3 and not f.closed
    assert got == list(ZIP_FILES.items())


def test_a_file_python_wrote_is_flushed_before_go_reads_at(g: dict[str, ModuleType], tmp_path: Path) -> None:
    with open(tmp_path / "w.bin", "w+b") as f:
        f.write(b"0123456789")  # still in Python's buffer
        assert g["ifacetest"].ReadAtEnd(f, 4, 3) == (b"3456", 4, False, "")


def test_section_reader_over_streams_without_a_descriptor(g: dict[str, ModuleType]) -> None:
    data = bytes(range(256)) * 40
    goio = g["io"]
    oracle = goio.ReadAll(goio.NewSectionReader(g["bytes"].NewReader(data), 1000, 3000))
    assert oracle == data[1000:4000]
    # A BytesIO, and a buffered stream over one (seek + readinto + seek back).
    for src in (io.BytesIO(data), io.BufferedReader(io.BytesIO(data))):
        src.seek(5)
        assert goio.ReadAll(goio.NewSectionReader(src, 1000, 3000)) == oracle
        assert src.tell() == 5


def test_read_at_the_end_is_io_eof_with_the_bytes(g: dict[str, ModuleType], tmp_path: Path) -> None:
    data = b"abcdefghij"
    path = tmp_path / "d.bin"
    path.write_bytes(data)
    read_at_end = g["ifacetest"].ReadAtEnd
    oracle = read_at_end(g["bytes"].NewReader(data), 8, 6)  # Go's own: (b"ghij", 4, True, "EOF")
    assert oracle == (b"ghij", 4, True, "EOF")
    with open(path, "rb") as f:
        for src in (io.BytesIO(data), f, io.BufferedReader(io.BytesIO(data))):
            assert read_at_end(src, 8, 6) == oracle
            assert read_at_end(src, 4, 2) == (b"cdef", 4, False, "")
            assert read_at_end(src, 4, 20)[1:3] == (0, True)

    class Custom:  # a user's ReadAt: fewer bytes than asked is the end
        def ReadAt(self, p: memoryview, off: int) -> int:
            chunk = data[off : off + len(p)]
            p[: len(chunk)] = chunk
            return len(chunk)

    assert read_at_end(Custom(), 8, 6) == oracle


def test_read_at_from_many_goroutines_at_once(g: dict[str, ModuleType], tmp_path: Path) -> None:
    data = bytes((i * 7919) % 251 for i in range(200_000))
    path = tmp_path / "p.bin"
    path.write_bytes(data)
    with open(path, "rb") as f:
        for src in (io.BytesIO(data), f, io.BufferedReader(io.BytesIO(data))):
            assert g["ifacetest"].ReadAtParallel(src, len(data), 4096) == data


def test_read_at_needs_a_seekable_binary_stream(g: dict[str, ModuleType]) -> None:
    with pytest.raises(TypeError, match=r"io.ReaderAt.*no method ReadAt; a seekable binary"):
        g["io"].NewSectionReader(io.StringIO("text"), 0, 2)


# ---- identity inside any, and no leak when a later argument fails ----


def test_a_python_object_inside_any_comes_back_as_itself(g: dict[str, ModuleType]) -> None:
    ifacetest = g["ifacetest"]

    class Named:
        def String(self) -> str:
            return "named"

    class Failure:
        def Error(self) -> str:
            return "failure"

    c, n, e = Counter(), Named(), Failure()
    assert ifacetest.Echo(n) is n  # a fmt.Stringer proxy
    assert ifacetest.Echo(e) is e  # an error proxy: the object itself, not a GoError
    items, by_name = ifacetest.Collect(c, n)
    assert items[0] is c and items[1] is n
    assert by_name["c"] is c and by_name["v"] is n
    assert ifacetest.Echo([n, {"k": e}, 1]) == [n, {"k": e}, 1]
    back = ifacetest.Echo([n, {"k": e}])
    assert back[0] is n and back[1]["k"] is e
    assert g["fmt"].Sprint(n) == "named"  # Go still sees a fmt.Stringer


def _live_callables() -> int:
    module = goffi.runtime.native_module()
    assert module is not None
    return int(module._live_callables())


def _settle() -> None:
    """Collects (Python, then Go, whose finalizers release callables on their own
    goroutine) until the live counts hold still over three rounds, or 30 s pass."""
    last, stable = (-1, -1), 0
    end = time.monotonic() + 30
    while stable < 2 and time.monotonic() < end:
        gc.collect()
        goffi.collect_go()
        time.sleep(0.005)  # Go's finalizers may need the GIL to drop a Python reference
        gc.collect()
        now = (_live_callables(), goffi.live_handles())
        stable, last = (stable + 1 if now == last else 0), now


def test_no_leak_when_a_later_argument_fails(g: dict[str, ModuleType]) -> None:
    ifacetest, fmt = g["ifacetest"], g["fmt"]

    class Named:
        def String(self) -> str:
            return "named"

    def attempt() -> None:
        with pytest.raises(TypeError, match="goroutines"):
            ifacetest.Hammer(Counter(), "x", 1)  # the proxy (4 callables) made for c
        with pytest.raises(TypeError, match="sep"):
            ifacetest.Names([Counter(), Counter()], 5)  # proxies inside a list
        with pytest.raises(TypeError, match="cs"):
            ifacetest.Names([Counter(), Counter(), 5], "-")  # inside the failing argument itself
        with pytest.raises(TypeError):
            fmt.Sprint(Named(), [Named()], object())  # Stringer proxies in ...any, nested too
        with pytest.raises(TypeError):
            g["strings"].Map(lambda r: r, 5)  # a callable, then a bad string

    attempt()  # warm-up: caches, first proxies
    _settle()
    before, handles = _live_callables(), goffi.live_handles()
    objects = []
    for _ in range(20):
        c = Counter()
        objects.append(weakref.ref(c))
        with pytest.raises(TypeError):
            ifacetest.Hammer(c, 1, "x")
        del c
        attempt()
    _settle()
    assert _live_callables() == before
    assert goffi.live_handles() == handles
    assert all(ref() is None for ref in objects)  # and the Python objects are freed
    # The same calls with good arguments still work.
    assert ifacetest.Names([Counter(), Counter()], "-") == "counter-counter"
