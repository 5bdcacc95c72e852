"""Python objects as Go interfaces (issue 13): duck-typed implementations, and Python
files and streams as io.Reader/io.Writer. Go's own results are the oracles."""

from __future__ import annotations

import gc
import io
import threading
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
    assert len(c.threads) > 1  # they ran on Go's threads, not only the caller's


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
