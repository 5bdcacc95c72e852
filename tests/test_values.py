"""Values keep their Go type both ways, and keyword arguments (issue 9, items 3 and 4).

Through the session bundle: tests/gopkgs/valuetest (which reports what Go received, as
``%T`` prints it) and Go's own bufio, log/slog, context, encoding/csv, strconv and fmt,
whose results are the oracle.
"""

from __future__ import annotations

import gc
import inspect
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import goffi
from conftest import _CALL_FAILED


def _collected() -> int:
    """live_handles() after Python's collector, then Go's (whose finalizers release callbacks)."""
    gc.collect()
    goffi.collect_go()
    gc.collect()
    return goffi.live_handles()


@pytest.fixture(autouse=True)
def no_handle_leaks(go: dict[str, ModuleType], request: pytest.FixtureRequest) -> Iterator[None]:
    """conftest's fixture of that name, but callbacks Go dropped are released only once Go
    collects them: so it runs Go's collector too, waiting up to 5 s for the count."""
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            delattr(sys, name)
    before = _collected()
    yield
    if request.node.stash.get(_CALL_FAILED, False):
        return
    end = time.monotonic() + 30  # Go's finalizers run when its scheduler gets to them
    while _collected() != before and time.monotonic() < end:
        time.sleep(0.01)
    assert goffi.live_handles() == before, "the test leaked Go handles"


@pytest.fixture(scope="module")
def vt(go: dict[str, ModuleType]) -> ModuleType:
    return go["valuetest"]


@pytest.fixture(scope="module")
def bufio(go: dict[str, ModuleType]) -> ModuleType:
    return go["bufio"]


@pytest.fixture(scope="module")
def slog(go: dict[str, ModuleType]) -> ModuleType:
    return go["log/slog"]


@pytest.fixture(scope="module")
def context(go: dict[str, ModuleType]) -> ModuleType:
    return go["context"]


@pytest.fixture(scope="module")
def csv(go: dict[str, ModuleType]) -> ModuleType:
    return go["encoding/csv"]


# ------------------------------------------------------------- ints in any


def test_python_int_in_any_is_go_int(vt: ModuleType, fmt: ModuleType) -> None:
    assert vt.TypeOf(5) == "int"
    assert vt.IsInt(5) and vt.IsInt(-(2**63)) and vt.IsInt(2**63 - 1)
    assert vt.TypesOf(1, True, 1.5, "s") == ["int", "bool", "float64", "string"]
    assert vt.TypeOf(2**63) == "*big.Int"  # beyond int: a *big.Int
    assert vt.TypeOf(-(2**63) - 1) == "*big.Int"
    assert vt.TypeOf([1, 2]) == "[]interface {}"
    assert fmt.Sprintf("%T %T", 5, {"a": 5}) == "int map[string]interface {}"


def test_ints_in_any_come_back_as_python_ints(vt: ModuleType) -> None:
    for n in (0, 7, -(2**63), 2**63 - 1, 2**63, 2**100, -(2**100)):
        back = vt.Echo(n)
        assert back == n and type(back) is int
    assert vt.Echo([1, {"k": 2}]) == [1, {"k": 2}]


# ------------------------------------------------ objects returned by value, in any


def test_values_go_back_into_any_as_their_go_type(vt: ModuleType) -> None:
    point, tally, ptr = vt.NewPoint(1, 2), vt.NewTally("a", 1), vt.NewTallyPtr("b", 2)
    assert vt.TypesOf(point, tally, ptr) == ["valuetest.Point", "valuetest.Tally", "*valuetest.Tally"]
    assert vt.Describe(tally) == "Tally a=1"
    assert vt.Describe(ptr) == "*Tally b=2"
    # Values Go put in an `any` come back as what they were.
    assert [vt.Describe(x) for x in vt.Anything()] == ["Tally v=1", "*Tally p=2", "Point 3,4"]
    assert vt.TypesOf(*vt.Anything()) == ["valuetest.Tally", "*valuetest.Tally", "valuetest.Point"]
    # The object of a value is its own copy: pointer methods change it, and the value
    # that goes back into `any` is the changed one.
    tally.Bump()
    assert tally.Count() == 2
    assert vt.Describe(tally) == "Tally a=2"
    tally.Name = "z"
    assert vt.Describe(tally) == "Tally z=2"
    # As a *T parameter or receiver the object is still the pointer it was boxed into.
    assert vt.Describe(vt.Echo(tally)) == "Tally z=2"


def test_values_go_back_into_interfaces_as_their_go_type(vt: ModuleType) -> None:
    assert vt.CounterType(vt.NewTally("a", 1)) == "valuetest.Tally"
    assert vt.CounterType(vt.NewTallyPtr("b", 2)) == "*valuetest.Tally"
    c = vt.AsCounter("c", 3)
    assert c.Count() == 3
    assert vt.CounterType(c) == "valuetest.Tally"


def test_slog_attr_value_passes_through_any(slog: ModuleType, bytes_: ModuleType) -> None:
    buf = bytes_.Buffer()
    logger = slog.New(slog.NewTextHandler(buf, None))
    logger.Info("m", slog.Int("count", 5), slog.String("who", "x"))
    logger.Info("n", "k", 7, slog.Group("g", slog.Bool("b", True)))
    # Each line starts with time=...: drop it, and compare the rest with what Go logs.
    lines = [line.split(" ", 1)[1] for line in str(buf).splitlines()]
    assert lines == ["level=INFO msg=m count=5 who=x", "level=INFO msg=n k=7 g.b=true"]


# -------------------------------------------------------- Go funcs passed back to Go


def test_go_function_passed_as_go_func_is_itself(vt: ModuleType) -> None:
    # Words returns a nil token for "  ": the Go function itself keeps it nil ...
    assert vt.SameFunc(vt.Words) == "nil"
    assert vt.Split(b"a  ", vt.Words, 100) == ["a"]
    assert vt.Split(b"x yy  zzz", vt.Words, 100) == ["x", "yy", "zzz"]
    # ... while a Python callable is called as one (and gives Go what it returns).
    assert vt.SameFunc(lambda data, eof: (len(data), b"")) == "empty=true"
    assert vt.SameFunc(lambda data, eof: (len(data), None)) == "nil"


def test_bufio_scanner_split_with_scan_words_ends(bufio: ModuleType, strings: ModuleType) -> None:
    sc = bufio.NewScanner(strings.NewReader("one two  three \n four"))
    sc.Split(bufio.ScanWords)
    words = []
    while sc.Scan() and len(words) < 100:
        words.append(sc.Text())
    assert words == ["one", "two", "three", "four"]
    sc = bufio.NewScanner(strings.NewReader("a\nbb\n"))
    sc.Split(bufio.ScanLines)
    lines = []
    while sc.Scan() and len(lines) < 100:
        lines.append(sc.Text())
    assert lines == ["a", "bb"]


def test_callback_results_keep_nil_apart_from_empty(vt: ModuleType) -> None:
    assert vt.BytesResult(lambda: None) == "nil"
    assert vt.BytesResult(lambda: b"") == "len 0"
    assert vt.BytesResult(lambda: bytearray(b"ab")) == "len 2"
    assert vt.SliceResult(lambda: None) == "nil"
    assert vt.SliceResult(lambda: []) == "len 0"
    assert vt.MapResult(lambda: None) == "nil"
    assert vt.MapResult(lambda: {}) == "len 0"


def test_callback_arguments_keep_nil_apart_from_empty(vt: ModuleType) -> None:
    # Go calls f(nil, []byte{}, nil, []string{}, nil, map[string]int{}).
    assert vt.BytesArgs(lambda *args: repr(args)) == "(None, b'', None, [], None, {})"


def test_python_wrapping_go_keeps_nil(vt: ModuleType) -> None:
    # A Python callable that returns what a Go function gave it: a nil token is None
    # only where Go passed it to Python as an argument; Go results keep the type table's
    # bytes (b""), so the wrapper sees an empty token here.
    assert vt.Split(b"a  ", lambda d, e: vt.Words(d, e), 100) == ["a", ""]


# ------------------------------------------------------------------- rune and byte


def test_rune_and_byte_parameters_take_one_character_str(vt: ModuleType, strconv: ModuleType) -> None:
    assert vt.RuneInfo(";") == "';' 59"
    assert vt.RuneInfo("é") == "'é' 233"
    assert vt.RuneInfo("😀") == "'😀' 128512"
    assert vt.RuneInfo(59) == "';' 59"  # ints still work
    assert vt.ByteInfo("\n") == "'\\n' 10"
    assert vt.ByteInfo("ÿ") == "'ÿ' 255"
    assert vt.ByteInfo(65) == "'A' 65"
    assert strconv.FormatFloat(3.14159, "f", 2, 64) == "3.14"
    assert strconv.QuoteRune("☺") == "'☺'"
    with pytest.raises(
        OverflowError, match=r"valuetest\.ByteInfo\(\) argument 'b' \(Go byte\).*does not fit Go byte"
    ):
        vt.ByteInfo("ā")
    with pytest.raises(
        TypeError, match=r"argument 'r' \(Go rune\): a str passed as Go rune must be one character, not 2"
    ):
        vt.RuneInfo("ab")
    with pytest.raises(TypeError, match="one character, not 0"):
        vt.ByteInfo("")
    with pytest.raises(OverflowError):
        vt.ByteInfo(256)


def test_rune_and_byte_fields_and_variables_take_a_character(
    vt: ModuleType, csv: ModuleType, strings: ModuleType
) -> None:
    sep = vt.Separator()
    sep.Comma = ";"
    assert sep.Comma == 59  # comes back as an int, as Go has it
    sep.Quote = "'"
    assert sep.Quote == 39
    assert sep.Join("a", "b") == "a;b"
    assert vt.DescribeRunes(vt.Runes(R="x", B="y")) == "'x' 'y'"
    assert vt.DescribeRunes(vt.Runes(R=120, B=121)) == "'x' 'y'"
    old = vt.Delim
    try:
        vt.Delim = "|"
        assert vt.Delim == ord("|")
    finally:
        vt.Delim = old
    r = csv.NewReader(strings.NewReader("a;b\nc;d\n"))
    r.Comma = ";"
    assert r.ReadAll() == [["a", "b"], ["c", "d"]]
    with pytest.raises(TypeError, match="one character"):
        sep.Comma = "ab"


def test_bufio_read_string_takes_a_character(bufio: ModuleType, strings: ModuleType) -> None:
    br = bufio.NewReader(strings.NewReader("x\ny\n"))
    assert br.ReadString("\n") == "x\n"
    assert br.ReadString(ord("\n")) == "y\n"


def test_rune_and_byte_stubs_say_int_or_str(go: dict[str, ModuleType]) -> None:
    stub = (Path(go["valuetest"].__file__).with_suffix(".pyi")).read_text()
    assert "def RuneInfo(r: int | str) -> str:" in stub
    assert "def ByteInfo(b: int | str) -> str:" in stub
    sig = inspect.signature(go["strconv"].FormatFloat)
    assert list(sig.parameters) == ["f", "fmt", "prec", "bitSize"]


# ------------------------------------------------------------------ chan struct{}


def test_context_done_is_a_channel_of_none(context: ModuleType) -> None:
    ctx, cancel = context.WithCancel(context.Background())
    done = ctx.Done()
    assert isinstance(done, goffi.Channel)
    assert done.try_recv() == (None, False)
    assert goffi.select(done, default=True) is None
    cancel()
    assert goffi.select(done, timeout=1) == (0, goffi.CLOSED)
    assert list(done) == []
    with pytest.raises(goffi.ChannelClosed):
        done.recv(timeout=1)
    assert str(ctx.Err()) == "context canceled"


def test_chan_struct_values_are_none(vt: ModuleType) -> None:
    assert list(vt.Signals(3)) == [None, None, None]
    assert list(vt.Done()) == []
    ch = vt.make_chan("struct{}", buffer=2)
    ch.send(None)
    ch.send(None)
    assert vt.Wait(ch, 2) == 2
    ch.send(None)
    assert ch.recv() is None
    with pytest.raises(TypeError):
        ch.send(1)


# ---------------------------------------------------------------- keyword arguments


def test_keyword_arguments_by_go_parameter_name(
    vt: ModuleType, strings: ModuleType, strconv: ModuleType
) -> None:
    assert vt.Pad("7", width=3, fill="0") == "007"
    assert vt.Pad(fill="-", s="ab", width=4) == "--ab"
    assert strings.Repeat(s="ab", count=2) == "abab"
    assert strconv.FormatFloat(3.14159, "f", prec=2, bitSize=64) == "3.14"
    assert vt.Sum(1, 2, 3) == 6
    assert vt.Sum(base=1) == 1


def test_keyword_arguments_of_methods(vt: ModuleType, strings: ModuleType) -> None:
    t = vt.NewTallyPtr("n", 0)
    assert t.Rename(suffix=">", prefix="<") == "<n>"
    assert vt.NewPoint(x=1, y=2).Scale(offset=1, factor=10) == vt.Point(X=11, Y=21)
    b = strings.Builder()
    b.WriteString(s="hi")
    assert str(b) == "hi"
    with pytest.raises(
        TypeError, match=r"^valuetest\.Tally\.Rename\(\) got an unexpected keyword argument 'x'$"
    ):
        t.Rename("a", x="b")


def test_keyword_argument_errors(vt: ModuleType, strings: ModuleType) -> None:
    with pytest.raises(TypeError, match=r"^strings\.ToUpper\(\) got an unexpected keyword argument 'x'$"):
        strings.ToUpper(x="a")
    with pytest.raises(TypeError, match=r"^valuetest\.Pad\(\) got multiple values for argument 's'$"):
        vt.Pad("a", 3, "0", s="b")
    with pytest.raises(TypeError, match=r"^valuetest\.Pad\(\) missing 1 required argument: 'fill'$"):
        vt.Pad("a", width=3)
    with pytest.raises(
        TypeError, match=r"^valuetest\.Pad\(\) missing 2 required arguments: 's' and 'width'$"
    ):
        vt.Pad(fill="0")
    with pytest.raises(TypeError, match=r"^valuetest\.Pad\(\) takes 3 positional arguments \(0 given\)$"):
        vt.Pad(**{})  # no keywords at all: the arity check speaks
    with pytest.raises(TypeError, match=r"^valuetest\.Sum\(\) got an unexpected keyword argument 'xs'$"):
        vt.Sum(1, xs=[2])
    with pytest.raises(TypeError, match=r"^valuetest\.Sum\(\) got multiple values for argument 'base'$"):
        vt.Sum(1, 2, base=3)
    with pytest.raises(TypeError, match=r"argument 'width' \(Go int\) must be int, not str"):
        vt.Pad("a", fill="0", width="3")


def test_signatures_and_stubs_have_no_positional_only_marker(go: dict[str, ModuleType]) -> None:
    vt = go["valuetest"]
    assert str(inspect.signature(vt.Pad)) == "(s, width, fill)"
    assert str(inspect.signature(vt.Sum)) == "(base, *xs)"
    stub = (Path(vt.__file__).with_suffix(".pyi")).read_text()
    assert "def Pad(s: str, width: int, fill: int | str) -> str:" in stub
    assert "def Sum(base: int, *xs: int) -> int:" in stub
    assert ", /" not in stub
