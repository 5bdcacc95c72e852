"""Standard-library packages through a real build, checked against Python's own results."""

from __future__ import annotations

import math as pymath
import posixpath
import zlib
from types import ModuleType

import pytest

import goffi

SAMPLES = ["", "a", "héllo wörld", "ǅungla", "ß", "İstanbul", "a\x00b", "日本語テキスト", "  spaced\tout\n"]


@pytest.mark.parametrize("text", SAMPLES)
def test_strings_agree_with_python(strings: ModuleType, text: str) -> None:
    assert strings.Contains(text, "o") == ("o" in text)
    assert strings.HasPrefix(text, text[:2]) is True
    assert strings.Index(text.encode().decode(), "l") == text.encode().find(
        b"l"
    )  # Go indexes are byte offsets
    assert strings.Repeat(text, 3) == text * 3
    assert strings.Fields(text) == text.split()
    assert strings.TrimSpace(text) == text.strip(" \t\n\r\v\f")
    assert strings.Count(text, "") == len(text) + 1  # Go counts runes + 1 for the empty separator
    assert strings.Join(list(text), "-") == "-".join(text)


def test_strings_split_cut_replace(strings: ModuleType) -> None:
    assert strings.Split("a,b,c", ",") == ["a", "b", "c"]
    assert strings.Split("", ",") == [""]
    assert strings.SplitN("a,b,c", ",", 2) == ["a", "b,c"]
    assert strings.Cut("key=value", "=") == ("key", "value", True)
    assert strings.Cut("novalue", "=") == ("novalue", "", False)
    assert strings.ReplaceAll("aaaa", "a", "bb") == "aaaa".replace("a", "bb")
    assert strings.EqualFold("Go", "GO") is True
    assert strings.ToUpper("héllo") == "HÉLLO"
    assert strings.ToLower("ÀÉÎ") == "àéî"
    assert strings.Title is not None  # deprecated in Go, still bridged


@pytest.mark.parametrize("value", [0, 1, -1, 42, 2**31, -(2**63), 2**63 - 1])
def test_strconv_ints_round_trip(strconv: ModuleType, value: int) -> None:
    assert strconv.Itoa(value) == str(value)
    assert strconv.Atoi(str(value)) == value
    assert strconv.FormatInt(value, 16) == (format(value, "x") if value >= 0 else "-" + format(-value, "x"))
    assert strconv.ParseInt(str(value), 10, 64) == value


def test_strconv_errors_and_floats(strconv: ModuleType) -> None:
    with pytest.raises(goffi.GoError) as info:
        strconv.Atoi("x")
    assert str(info.value) == 'strconv.Atoi: parsing "x": invalid syntax'
    assert info.value.go_type == "*strconv.NumError"
    with pytest.raises(goffi.GoError, match="value out of range"):
        strconv.ParseInt("99999999999999999999", 10, 64)
    for f in (0.0, 1.5, -2.25, 1e300, 5e-324, 0.1):
        assert strconv.ParseFloat(strconv.FormatFloat(f, ord("g"), -1, 64), 64) == f
        assert float(strconv.FormatFloat(f, ord("g"), -1, 64)) == f
    assert strconv.Quote('a"b\n') == '"a\\"b\\n"'
    assert strconv.Unquote('"a\\tb"') == "a\tb"
    assert strconv.ParseBool("true") is True
    assert strconv.IntSize == 64


def test_utf8_agrees_with_python(go: dict[str, ModuleType]) -> None:
    utf8 = go["unicode/utf8"]
    for text in SAMPLES:
        raw = text.encode()
        assert utf8.RuneCountInString(text) == len(text)
        assert utf8.RuneCount(raw) == len(text)
        assert utf8.Valid(raw) is True
        assert utf8.ValidString(text) is True
    assert utf8.Valid(b"\xff") is False
    assert utf8.DecodeRuneInString("é!") == (ord("é"), 2)
    assert utf8.DecodeRune(b"\xff") == (utf8.RuneError, 1)
    assert utf8.RuneLen(ord("日")) == 3
    assert utf8.AppendRune(b"x", ord("é")) == "xé".encode()
    assert utf8.RuneError == 0xFFFD and utf8.UTFMax == 4 and utf8.MaxRune == 0x10FFFF


@pytest.mark.parametrize("p", ["", "/", "a/b/../c", "/a//b/./c/", "../x", "a/b/c.txt", "/usr/lib/"])
def test_path_agrees_with_posixpath(go: dict[str, ModuleType], p: str) -> None:
    path = go["path"]
    expected = posixpath.normpath(p) if p else "."
    if expected.startswith("//"):
        expected = expected[1:]  # POSIX keeps a leading "//"; Go's Clean does not
    assert path.Clean(p) == expected
    assert path.Base(p) == (posixpath.basename(p.rstrip("/")) or ("/" if p.startswith("/") else "."))
    assert path.Ext(p) == posixpath.splitext(p)[1]
    assert path.IsAbs(p) == p.startswith("/")
    assert path.Join("a", p, "b") == posixpath.normpath(posixpath.join("a", p.lstrip("/"), "b"))


def test_path_match_errors(go: dict[str, ModuleType]) -> None:
    path = go["path"]
    assert path.Match("*.go", "main.go") is True
    with pytest.raises(goffi.GoError, match="syntax error in pattern") as info:
        path.Match("[", "x")
    assert info.value.go_type == "*errors.errorString"


@pytest.mark.parametrize("x", [0.0, -0.0, 0.5, 1.0, 2.0, 10.0, 1e-300, 123.456, -7.25, float("inf")])
def test_math_agrees_with_python(go: dict[str, ModuleType], x: float) -> None:
    m = go["math"]
    assert m.Abs(x) == abs(x)
    assert m.Floor(x) == pymath.floor(x) if pymath.isfinite(x) else m.Floor(x) == x
    assert m.Sqrt(abs(x)) == pymath.sqrt(abs(x))
    assert m.Hypot(x, 3.0) == pytest.approx(pymath.hypot(x, 3.0))
    if x > 0:
        assert m.Log(x) == pytest.approx(pymath.log(x))
    assert m.Copysign(3.0, x) == pymath.copysign(3.0, x)
    assert m.Signbit(x) == (pymath.copysign(1.0, x) < 0)


def test_math_constants_and_specials(go: dict[str, ModuleType]) -> None:
    m = go["math"]
    assert m.Pi == pymath.pi and m.E == pymath.e
    assert m.MaxInt64 == 2**63 - 1 and m.MinInt64 == -(2**63) and m.MaxUint64 == 2**64 - 1
    assert m.MaxFloat64 == 1.7976931348623157e308
    assert m.SmallestNonzeroFloat64 == 5e-324
    assert pymath.isnan(m.NaN())
    assert m.IsNaN(float("nan")) is True
    assert m.Inf(1) == float("inf") and m.Inf(-1) == float("-inf")
    assert m.IsInf(float("-inf"), -1) is True
    assert m.Float64bits(1.0) == 0x3FF0000000000000
    assert m.Float64frombits(0x3FF0000000000000) == 1.0
    assert m.Frexp(8.0) == pymath.frexp(8.0)
    assert m.Modf(3.25) == (3.0, 0.25)


@pytest.mark.parametrize("data", [b"", b"a", b"hello world", bytes(range(256)) * 100])
def test_crc32_agrees_with_zlib(go: dict[str, ModuleType], data: bytes) -> None:
    crc32 = go["hash/crc32"]
    assert crc32.ChecksumIEEE(data) == zlib.crc32(data)
    assert crc32.ChecksumIEEE(bytearray(data)) == zlib.crc32(data)
    assert crc32.ChecksumIEEE(memoryview(data)) == zlib.crc32(data)
    assert crc32.IEEE == 0xEDB88320 and crc32.Size == 4
