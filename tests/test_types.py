"""Every row of goffi's type table, proved through a real build of tests/gopkgs/typestest.

The package is part of the session bundle (see conftest.py): each test calls Go with
edge values in both directions (parameters and results) and checks what Go received,
what came back, and that every wrong argument is refused with a message naming the
function, the parameter and its Go type. The last tests check what the build produces
around the calls: signatures, docstrings, stubs, deterministic and gofmt-clean sources,
and a warm cache that runs no Go at all.
"""

from __future__ import annotations

import array
import ast
import cmath
import inspect
import math
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import goffi
from conftest import SESSION_SPECS, ZERO_COPY, mypy_errors
from goffi.build import Progress, plan_specs
from goffi.cache import goffi_source_hash
from goffi.plan import BundlePlan
from goffi.render import render_bundle
from goffi.render.go_wrapper import render_go_wrapper
from goffi.toolchain import find_go
from goffi.workspace import parse_spec

SPECS = SESSION_SPECS
MB10 = 10 * 1024 * 1024


def f32(x: float) -> float:
    """x rounded to float32, as Go's float32(x) does."""
    return float(struct.unpack("<f", struct.pack("<f", x))[0])


# ---------------------------------------------------------------------------- bool


def test_bool(typestest: ModuleType) -> None:
    assert typestest.Not(True) is False
    assert typestest.Not(False) is True
    assert typestest.Flip(False) is True  # named bool
    for bad in (0, 1, None, "true", 1.0):
        with pytest.raises(TypeError, match=r"typestest\.Not\(\) argument 'b' \(Go bool\) must be bool"):
            typestest.Not(bad)


# ---------------------------------------------------------------------------- integers

SIGNED = [("EchoInt8", "int8", 8), ("EchoInt16", "int16", 16), ("EchoInt32", "int32", 32)]
SIGNED += [("EchoInt64", "int64", 64), ("EchoInt", "int", 64)]
UNSIGNED = [("EchoUint8", "uint8", 8), ("EchoUint16", "uint16", 16), ("EchoUint32", "uint32", 32)]
UNSIGNED += [("EchoUint64", "uint64", 64), ("EchoUint", "uint", 64), ("EchoUintptr", "uintptr", 64)]


@pytest.mark.parametrize(("func", "go_type", "bits"), SIGNED)
def test_signed_ints(typestest: ModuleType, func: str, go_type: str, bits: int) -> None:
    echo = getattr(typestest, func)
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    for v in (0, 1, -1, lo, hi, lo + 1, hi - 1):
        assert echo(v) == v
        assert type(echo(v)) is int
    for v in (hi + 1, lo - 1, 2**64, -(2**64), 10**30):
        with pytest.raises(OverflowError) as err:
            echo(v)
        assert f"typestest.{func}() argument 'v' (Go {go_type})" in str(err.value)
        assert f"{v} is out of range ({lo}..{hi})" in str(err.value)


@pytest.mark.parametrize(("func", "go_type", "bits"), UNSIGNED)
def test_unsigned_ints(typestest: ModuleType, func: str, go_type: str, bits: int) -> None:
    echo = getattr(typestest, func)
    hi = 2**bits - 1
    for v in (0, 1, hi, hi - 1, 2 ** (bits - 1)):
        assert echo(v) == v
    for v in (-1, hi + 1, -(2**63), 2**64):
        with pytest.raises(OverflowError) as err:
            echo(v)
        assert f"typestest.{func}() argument 'v' (Go {go_type}): {v} is out of range (0..{hi})" in str(
            err.value
        )


def test_ints_either_side_of_the_inline_fast_path(typestest: ModuleType) -> None:
    # Ints CPython stores in one 30-bit digit are read inline by the glue; the rest, and
    # int subclasses, go through the general conversion. Both must give Go the same value.
    class Sub(int):
        pass

    for v in (2**30 - 1, 2**30, 2**30 + 1, 2**31 - 1):
        assert typestest.EchoInt64(v) == v
        assert typestest.EchoInt64(-v) == -v
        assert typestest.EchoUint32(v) == v
        assert typestest.EchoInt32(v) == v
    for v in (0, 5, -5, 2**30 - 1, 2**40):
        assert typestest.EchoInt64(Sub(v)) == v
    assert typestest.EchoUint8(Sub(255)) == 255
    with pytest.raises(OverflowError, match=r"\(Go int32\): 2147483648 is out of range"):
        typestest.EchoInt32(2**31)
    with pytest.raises(OverflowError, match=r"\(Go uint32\): -1073741824 is out of range"):
        typestest.EchoUint32(-(2**30))
    with pytest.raises(OverflowError, match=r"\(Go uint8\): 256 is out of range"):
        typestest.EchoUint8(Sub(256))


def test_int_limits_from_go(typestest: ModuleType) -> None:
    limits = typestest.IntLimits()
    assert limits[:6] == (-128, 127, -32768, 32767, -(2**31), 2**31 - 1)
    assert limits[6:] == (-(2**63), 2**63 - 1, -(2**63), 2**63 - 1)
    assert typestest.UintLimits() == (255, 65535, 2**32 - 1, 2**64 - 1, 2**64 - 1, 2**64 - 1)
    # What Go received, printed by Go: nothing was truncated on the way in.
    assert typestest.FormatInt64(-(2**63)) == str(-(2**63))
    assert typestest.FormatUint64(2**64 - 1) == str(2**64 - 1)
    assert typestest.EchoRune(0x1F389) == 0x1F389
    assert typestest.EchoByte(255) == 255


def test_int_wrong_types(typestest: ModuleType) -> None:
    for bad, name in (("1", "str"), (True, "bool"), (False, "bool"), (1.0, "float"), (None, "NoneType")):
        with pytest.raises(TypeError) as err:
            typestest.EchoInt(bad)
        assert str(err.value) == f"typestest.EchoInt() argument 'v' (Go int) must be int, not {name}"
    with pytest.raises(TypeError, match=r"argument 'v' \(Go uint8\) must be int, not bool"):
        typestest.EchoUint8(True)


def test_int_accepts_index_objects(typestest: ModuleType) -> None:
    class Index:
        def __index__(self) -> int:
            return 7

    assert typestest.EchoInt8(Index()) == 7
    assert typestest.EchoUint64(Index()) == 7


def test_huge_ints_are_described_not_printed(typestest: ModuleType) -> None:
    # str() of a 5000-digit int raises ValueError (sys.get_int_max_str_digits): the
    # message must still be the OverflowError that names the parameter.
    with pytest.raises(
        OverflowError, match=r"argument 'v' \(Go int8\): an int of 16610 bits is out of range"
    ):
        typestest.EchoInt8(10**5000)
    with pytest.raises(OverflowError, match=r"a negative int of 16610 bits is out of range \(0\.\."):
        typestest.EchoUint(-(10**5000))
    with pytest.raises(OverflowError, match=r"\(Go float64\): an int of 1329 bits is out of range"):
        typestest.EchoFloat64(10**400)
    with pytest.raises(OverflowError, match=r"\(Go complex128\): an int of 1329 bits is out of range"):
        typestest.EchoComplex128(10**400)


# ---------------------------------------------------------------------------- floats, complex


def test_float64(typestest: ModuleType) -> None:
    for v in (0.0, -0.0, 1.5, -1e308, 5e-324, 1.7976931348623157e308, math.inf, -math.inf):
        out = typestest.EchoFloat64(v)
        assert out == v and type(out) is float
        assert math.copysign(1, out) == math.copysign(1, v)
    assert math.isnan(typestest.EchoFloat64(math.nan))
    assert typestest.IsNaN(math.nan) is True
    assert typestest.EchoFloat64(3) == 3.0 and type(typestest.EchoFloat64(3)) is float  # int accepted
    assert typestest.EchoFloat64(2**53 + 1) == float(2**53 + 1)
    inf, ninf, nan, tiny, max32 = typestest.FloatSpecials()
    assert (inf, ninf, tiny) == (math.inf, -math.inf, 5e-324) and math.isnan(nan)
    assert max32 == 3.4028234663852886e38
    for bad, name in ((True, "bool"), ("1.0", "str"), (None, "NoneType"), (1j, "complex")):
        with pytest.raises(TypeError) as err:
            typestest.EchoFloat64(bad)
        assert (
            str(err.value) == f"typestest.EchoFloat64() argument 'v' (Go float64) must be float, not {name}"
        )


def test_float32_rounds_like_go(typestest: ModuleType) -> None:
    for v in (0.1, 1 / 3, 16777217.0, -2.5, 3.4028234663852886e38, 1e-45, 0.0):
        assert typestest.EchoFloat32(v) == f32(v)
        assert typestest.Float32Bits(v) == struct.unpack("<I", struct.pack("<f", v))[0]
    assert typestest.EchoFloat32(0.1) != 0.1
    assert typestest.EchoFloat32(math.inf) == math.inf
    assert math.isnan(typestest.EchoFloat32(math.nan))
    with pytest.raises(
        OverflowError, match=r"EchoFloat32\(\) argument 'v' \(Go float32\): 1e\+39 is out of range"
    ):
        typestest.EchoFloat32(1e39)
    with pytest.raises(OverflowError, match=r"\(at \[1\]\)"):
        typestest.EchoFloat32s([1.0, -1e39])
    assert typestest.EchoFloat32s([0.1, 2]) == [f32(0.1), 2.0]


def test_complex(typestest: ModuleType) -> None:
    assert typestest.EchoComplex128(1 + 2j) == 1 + 2j
    assert typestest.EchoComplex128(3) == 3 + 0j and type(typestest.EchoComplex128(3)) is complex
    assert typestest.EchoComplex128(2.5) == 2.5 + 0j
    z = typestest.EchoComplex128(complex(math.inf, math.nan))
    assert z.real == math.inf and cmath.isnan(z)
    assert typestest.EchoComplex64(0.1 + 0.2j) == complex(f32(0.1), f32(0.2))
    assert typestest.MakeComplex(1.0, -1.0) == 1 - 1j
    assert typestest.Parts(0.1 + 0.2j) == (f32(0.1), f32(0.2))
    assert typestest.EchoComplexes([1j, 2, 0.5]) == [1j, 2 + 0j, 0.5 + 0j]
    with pytest.raises(OverflowError, match=r"\(Go complex64\): \(1e\+39\+0j\) is out of range"):
        typestest.EchoComplex64(1e39 + 0j)
    for bad in ("1j", True, None):
        with pytest.raises(TypeError, match=r"argument 'v' \(Go complex128\) must be complex"):
            typestest.EchoComplex128(bad)


# ---------------------------------------------------------------------------- strings


def test_strings(typestest: ModuleType) -> None:
    assert typestest.EchoString("") == ""
    assert typestest.Empty() == ""
    assert typestest.WithNUL() == "a\x00b\x00"
    assert typestest.NonASCII() == "héllo, 世界 🎉"
    for s in ("a\x00b", "héllo, 世界 🎉", "\U0010ffff", "x" * 1000):
        assert typestest.EchoString(s) == s
        assert typestest.StringLen(s) == len(s.encode())
        assert typestest.HexOf(s) == s.encode().hex()
    assert typestest.Quote('a"\x00é') == '"a\\"\\x00é"'
    with pytest.raises(TypeError, match=r"EchoString\(\) argument 's' \(Go string\) must be str, not int"):
        typestest.EchoString(1)
    with pytest.raises(TypeError, match=r"must be str, not bytes"):
        typestest.EchoString(b"abc")


def test_invalid_utf8_round_trips_byte_exactly(typestest: ModuleType) -> None:
    s = typestest.InvalidUTF8()
    assert s == "\udcff\udcfe"  # surrogateescape, as os.fsdecode
    assert s == b"\xff\xfe".decode("utf-8", "surrogateescape")
    assert typestest.IsInvalidUTF8(s) is True  # back in Go, the very same bytes
    assert typestest.HexOf(s) == "fffe"
    mixed = typestest.Mixed()
    assert mixed.encode("utf-8", "surrogateescape") == b"ok\xff\xc3\xa9\x80"
    assert typestest.HexOf(mixed) == b"ok\xff\xc3\xa9\x80".hex()
    assert typestest.EchoString(mixed) == mixed
    assert typestest.StringLen(mixed) == 6


def test_lone_surrogate_is_refused_with_context(typestest: ModuleType) -> None:
    # U+D800 is not an escaped byte (U+DC80..U+DCFF): no Go string holds it.
    with pytest.raises(ValueError) as err:
        typestest.HexOf("ab\ud800")
    message = str(err.value)
    assert "typestest.HexOf() argument 's' (Go string)" in message
    assert "lone surrogate U+D800 at index 2" in message
    assert isinstance(err.value.__cause__, UnicodeEncodeError)


def test_huge_strings(typestest: ModuleType) -> None:
    big = typestest.Repeat("ab", MB10 // 2)
    assert len(big) == MB10 and big[:4] == "abab" and big[-2:] == "ab"
    assert typestest.StringLen("é" * (MB10 // 2)) == MB10
    assert typestest.EchoString(big) == big


# ---------------------------------------------------------------------------- []byte, [N]byte


def test_bytes_in(typestest: ModuleType) -> None:
    data = bytes(range(256))
    for buf in (data, bytearray(data), memoryview(data), memoryview(bytearray(data))):
        assert typestest.SumBytes(buf) == sum(data)
        assert typestest.LenBytes(buf) == 256
    assert typestest.SumBytes(memoryview(b"abc")[1:]) == ord("b") + ord("c")
    assert typestest.LenBytes(b"") == 0
    # None is Go's nil; an empty buffer is an empty, non-nil slice.
    assert typestest.IsNilBytes(None) is True
    assert typestest.IsNilBytes(b"") is False
    assert typestest.IsNilBytes(bytearray()) is False
    assert typestest.LenBytes(b"x" * MB10) == MB10
    for bad, name in (("abc", "str"), ([1, 2], "list"), (1, "int")):
        with pytest.raises(TypeError) as err:
            typestest.SumBytes(bad)
        assert str(err.value).startswith("typestest.SumBytes() argument 'b' (Go []byte) must be a bytes-like")
        assert str(err.value).endswith(f"not {name}")
    with pytest.raises(TypeError, match="C-contiguous"):
        typestest.SumBytes(memoryview(b"abcdef")[::2])


def test_go_writes_into_writable_buffers_only(typestest: ModuleType) -> None:
    buf = bytearray(5)
    typestest.Fill(buf, 7)
    assert buf == b"\x07" * 5
    backing = bytearray(6)
    typestest.Fill(memoryview(backing)[2:4], 9)
    assert backing == b"\x00\x00\x09\x09\x00\x00"
    blob = bytearray(3)
    typestest.FillBlob(blob, 1)  # named []byte
    assert blob == b"\x01\x01\x01"
    # bytes are immutable (and shared: b"a" is a singleton): Go gets a copy.
    frozen = b"abc"
    typestest.Fill(frozen, 1)
    assert frozen == b"abc"
    single = bytes([97])
    typestest.Fill(single, 0)
    assert b"a" == bytes([97]) and single == b"a"
    with pytest.raises(
        TypeError, match=r"argument 'v' \(Go byte\) must be int or a one-character str, not float"
    ):
        typestest.Fill(buf, 256.0)
    with pytest.raises(OverflowError, match=r"argument 'v' \(Go byte\): 256 is out of range \(0\.\.255\)"):
        typestest.Fill(buf, 256)


def test_bytes_out(typestest: ModuleType) -> None:
    assert typestest.NilBytes() == b"" and type(typestest.NilBytes()) is bytes
    assert typestest.EmptyBytes() == b""
    assert typestest.BytesOf("héllo\x00") == "héllo\x00".encode()
    assert typestest.Reverse(b"abc") == b"cba"
    assert typestest.Reverse(None) == b""
    assert typestest.MakeBlob(4) == b"zzzz"  # named []byte
    assert typestest.BlobLen(bytearray(b"xy")) == 2
    assert typestest.Concat(b"a", bytearray(b"b"), None, memoryview(b"cd")) == b"abcd"
    assert typestest.ByteSlices([b"a", None, b""]) == [b"a", b"", b""]


def test_byte_arrays(typestest: ModuleType) -> None:
    assert typestest.Flip4(b"abcd") == b"dcba"
    assert typestest.Flip4(bytearray(b"wxyz")) == b"zyxw"
    assert typestest.Flip4(memoryview(b"..1234")[2:]) == b"4321"
    digest = typestest.Sha256(b"")
    assert type(digest) is bytes and len(digest) == 32
    assert digest.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert typestest.Hex32(bytes(range(32))) == bytes(range(32)).hex()
    assert typestest.DigestOf("abcdef") == b"abcd"  # named [4]byte
    assert typestest.DigestOf("") == b"\x00" * 4
    assert typestest.Digests([b"abcd", b"1234"]) == [b"dcba", b"4321"]
    with pytest.raises(ValueError) as err:
        typestest.Flip4(b"abc")
    assert str(err.value) == "typestest.Flip4() argument 'b' (Go [4]byte) must be exactly 4 bytes long, not 3"
    with pytest.raises(
        TypeError, match=r"Flip4\(\) argument 'b' \(Go \[4\]byte\) must be a bytes-like object"
    ):
        typestest.Flip4(None)  # an array has no nil
    with pytest.raises(ValueError, match=r"must be exactly 32 bytes long, not 33"):
        typestest.Hex32(bytes(33))
    with pytest.raises(ValueError, match=r"\(at \[1\]\)"):
        typestest.Digests([b"abcd", b"12345"])


# ---------------------------------------------------------------------------- slices, arrays


def test_slices_in(typestest: ModuleType) -> None:
    assert typestest.SumInts([1, 2, 3]) == 6
    assert typestest.SumInts((1, 2)) == 3
    assert typestest.SumInts(range(5)) == 10
    assert typestest.SumInts(x for x in (4, 5)) == 9
    assert typestest.SumInts([]) == 0
    assert typestest.SumInts(None) == 0
    assert typestest.IsNilInts(None) is True
    assert typestest.IsNilInts([]) is False
    assert typestest.SumFloats([1, 2.5]) == 3.5
    assert typestest.NotAll([True, False]) == [False, True]
    assert typestest.UpperAll(["a", "é", ""]) == ["A", "É", ""]
    assert typestest.EchoInt8s([1, -128, 127]) == [1, -128, 127]
    assert typestest.EchoUint16s([0, 65535]) == [0, 65535]
    assert typestest.EchoUint64s([2**64 - 1, 0]) == [2**64 - 1, 0]
    assert typestest.EchoRunes("hé🎉") == [ord("h"), ord("é"), ord("🎉")]
    assert typestest.FromRunes([104, 233]) == "hé"
    big = list(range(100_000))
    assert typestest.DoubleInts(big) == [2 * x for x in big]


def test_a_list_that_changes_while_it_converts(typestest: ModuleType) -> None:
    """A list of scalars is read in place; an item whose __index__ changes the list is
    read again safely, and a change of size stops the call with a clear error."""
    xs: list[object] = []

    class Shrinks:
        def __index__(self) -> int:
            xs.clear()  # frees every other item while goffi is converting
            return 1

    class Replaces:
        def __index__(self) -> int:
            xs[1] = 40  # same size: the new item is the one converted
            return 2

    xs.extend([Replaces(), 7, Shrinks(), 5])
    with pytest.raises(
        RuntimeError, match=r"typestest.SumInts\(\) argument 'xs' \(Go \[\]int\): the list changed size"
    ):
        typestest.SumInts(xs)
    assert xs == []
    xs.extend([Replaces(), 7, 1])
    assert typestest.SumInts(xs) == 2 + 40 + 1
    assert typestest.SumFloats(array.array("d", [0.5, 0.25])) == 0.75  # a buffer, copied in bulk


def test_slice_errors_say_where(typestest: ModuleType) -> None:
    with pytest.raises(TypeError) as err:
        typestest.SumInts([1, "x"])
    assert str(err.value) == "typestest.SumInts() argument 'xs' (Go []int) must be int, not str (at [1])"
    with pytest.raises(
        OverflowError, match=r"\(Go \[\]int8\): 200 is out of range \(-128\.\.127\) \(at \[2\]\)$"
    ):
        typestest.EchoInt8s([1, 2, 200])
    with pytest.raises(TypeError, match=r"must be bool, not int \(at \[0\]\)$"):
        typestest.NotAll([1])
    with pytest.raises(TypeError, match=r"\(Go \[\]\[\]string\) must be str, not int \(at \[1\]\[0\]\)$"):
        typestest.Nested([["a"], [1]])
    for bad in ("abc", b"abc", {"a": 1}, 5):
        with pytest.raises(TypeError, match=r"argument 'xs' \(Go \[\]int\) must be a sequence"):
            typestest.SumInts(bad)


def test_nested_and_nil_slices(typestest: ModuleType) -> None:
    assert typestest.Nested([["a", "b"], ["c"], []]) == [[], ["c"], ["b", "a"]]
    assert typestest.NestedInfo(None) == "nil"
    assert typestest.NestedInfo([None, [], ["x", "y"]]) == "nil,0,2"
    assert typestest.NestedInfo([]) == ""
    for nil in (typestest.NilInts(), typestest.EmptyInts(), typestest.NilStrings()):
        assert nil == [] and type(nil) is list


def test_arrays(typestest: ModuleType) -> None:
    assert typestest.Arr3([1, 2, 3]) == [3, 2, 1]
    assert typestest.Arr3((-(2**63), 0, 2**63 - 1)) == [2**63 - 1, 0, -(2**63)]
    assert typestest.Grid() == [["a", "b", "c"], ["d", "e", "f"]]
    with pytest.raises(ValueError) as err:
        typestest.Arr3([1, 2])
    assert str(err.value) == "typestest.Arr3() argument 'a' (Go [3]int) must have exactly 3 elements, not 2"
    with pytest.raises(
        TypeError, match=r"\(Go \[3\]int\) must be a sequence \(list, tuple\) of exactly 3 elements"
    ):
        typestest.Arr3(None)


# ---------------------------------------------------------------------------- maps


def test_maps(typestest: ModuleType) -> None:
    assert typestest.IncAll({"a": 1, "é": -1}) == {"a": 2, "é": 0}
    assert typestest.IncAll({}) == {}
    # Keys come back sorted, whatever order Go's map iterates in.
    out = typestest.EchoIntString({3: "c", -5: "z", 1: "a"})
    assert out == {-5: "z", 1: "a", 3: "c"} and list(out) == [-5, 1, 3]
    assert typestest.EchoStringSlices({"k": ["a", "b"], "e": [], "n": None}) == {
        "e": [],
        "k": ["a", "b"],
        "n": [],
    }
    assert typestest.EchoBoolKeys({True: 1, False: 2}) == {False: 2, True: 1}
    assert list(typestest.EchoFloatKeys({1.5: "a", -1: "b"})) == [-1.0, 1.5]
    assert typestest.EchoArrayKeys({b"ab": 1, memoryview(b"aa"): 2}) == {b"aa": 2, b"ab": 1}
    assert typestest.EchoNestedMap({"a": {"x": 1}, "b": {}}) == {"a": {"x": 1}, "b": {}}
    assert list(typestest.EchoComplexKeys({1 + 1j: 2, 1 - 1j: 1, -1j: 0}).items()) == [
        (-1j, 0),
        (1 - 1j, 1),
        (1 + 1j, 2),
    ]
    assert typestest.EchoNamedKeys({True: -1, False: 127}) == {False: 127, True: -1}
    nan_key, one = typestest.NaNKeys().items()  # a NaN key keeps its value
    assert math.isnan(nan_key[0]) and nan_key[1] == "nan" and one == (1.0, "one")
    many = {str(i): i for i in range(10_000)}
    assert typestest.IncAll(many) == {k: v + 1 for k, v in many.items()}
    assert typestest.MapLen(many) == 10_000


def test_nil_and_empty_maps(typestest: ModuleType) -> None:
    assert typestest.IsNilMap(None) is True
    assert typestest.IsNilMap({}) is False
    assert typestest.NilMap() == {} and type(typestest.NilMap()) is dict
    assert typestest.EmptyMap() == {}
    assert typestest.IncAll(None) == {}


def test_map_errors_say_where(typestest: ModuleType) -> None:
    with pytest.raises(TypeError) as err:
        typestest.IncAll({"a": "x"})
    assert (
        str(err.value)
        == "typestest.IncAll() argument 'm' (Go map[string]int) must be int, not str (at ['a'])"
    )
    with pytest.raises(TypeError, match=r"must be str, not int \(at key 1\)$"):
        typestest.IncAll({1: 1})
    with pytest.raises(TypeError, match=r"must be str, not int \(at \['k'\]\[1\]\)$"):
        typestest.EchoStringSlices({"k": ["a", 2]})
    with pytest.raises(TypeError, match=r"must be str, not int \(at \['a'\] key 5\)$"):
        typestest.EchoNestedMap({"a": {5: 1}})
    with pytest.raises(OverflowError, match=r"\(Go map\[string\]int\): 9223372036854775808 is out of range"):
        typestest.IncAll({"a": 2**63})
    for bad in ([("a", 1)], "a", 1):
        with pytest.raises(
            TypeError, match=r"IncAll\(\) argument 'm' \(Go map\[string\]int\) must be a dict"
        ):
            typestest.IncAll(bad)


# ---------------------------------------------------------------------------- named types


def test_named_types_cross_as_their_underlying(typestest: ModuleType) -> None:
    assert typestest.ToFahrenheit(100) == 212.0  # Celsius (float64)
    # A named type's values are instances of its class, a subclass of the underlying's
    # Python type (tests/test_named.py covers value classes in depth).
    assert typestest.BoilingPoint() == 100.0 and type(typestest.BoilingPoint()) is typestest.Celsius
    assert isinstance(typestest.BoilingPoint(), float)
    assert typestest.SortNames(["b", "a"]) == ["a", "b"]  # Names ([]string)
    assert typestest.SortNames(None) == []
    assert typestest.BagTotal({"a": 1, "b": 2}) == 3  # Bag (map[string]int)
    assert typestest.NewBag() == {"apples": 2, "pears": 3}
    assert typestest.NewID(3) == "id-3"  # ID (string)
    assert typestest.IDLen("abc") == 3
    assert typestest.NextLevel(-128) == -127  # Level (int8)
    assert typestest.NextLevel(127) == -128  # Go's wrap-around, in Go
    assert typestest.Temps() == [-40.0, 0.0, 100.0]
    assert typestest.ByID({"x": 1.5, "a": -2}) == {"a": -2.0, "x": 1.5}
    # time.Duration is a timedelta (issue 3's time mapping), from a package outside the bundle.
    assert typestest.Wait(timedelta(milliseconds=5)) == timedelta(milliseconds=10)
    assert typestest.Durations() == [timedelta(seconds=1), timedelta(milliseconds=1)]
    with pytest.raises(
        OverflowError, match=r"NextLevel\(\) argument 'l' \(Go example\.com/typestest\.Level\)"
    ):
        typestest.NextLevel(128)
    with pytest.raises(TypeError, match=r"argument 'c' \(Go example\.com/typestest\.Celsius\) must be float"):
        typestest.ToFahrenheit("hot")


# ---------------------------------------------------------------------------- results


def test_multiple_results(typestest: ModuleType) -> None:
    assert typestest.DivMod(7, 2) == (3, 1)
    assert typestest.DivMod(-7, 2) == (-3, -1)  # Go truncates, Python floors: Go's answer
    assert typestest.Many() == ("x", [1, 2], {"t": True}, False)
    assert typestest.Nop() is None
    assert typestest.TwoAndError(False) == (1, "one")


def test_errors(typestest: ModuleType) -> None:
    assert typestest.Parse("12") == 12
    assert typestest.Check(True) is None
    assert typestest.Custom(0) == "fine"
    with pytest.raises(goffi.GoError) as err:
        typestest.Parse("x")
    assert str(err.value) == 'strconv.Atoi: parsing "x": invalid syntax'
    assert err.value.go_type == "*strconv.NumError"
    with pytest.raises(goffi.GoError) as err:
        typestest.Check(False)
    assert (str(err.value), err.value.go_type) == ("check failed", "*errors.errorString")
    with pytest.raises(goffi.GoError) as err:
        typestest.Custom(5)
    assert (err.value.message, err.value.go_type) == ("my error 5", "*typestest.MyErr")
    with pytest.raises(goffi.GoError) as err:
        typestest.Wrapped()
    assert (str(err.value), err.value.go_type) == ("context: my error 7", "*fmt.wrapError")
    with pytest.raises(goffi.GoError) as err:
        typestest.TwoAndError(True)
    assert str(err.value) == "failed: \udcff"  # error text is a Go string too
    assert isinstance(err.value, Exception) and not isinstance(err.value, goffi.GoPanic)
    assert "go_type='*errors.errorString'" in repr(err.value)


PANICS = [
    ("PanicString", "boom", "string"),
    ("PanicError", "bad thing", "*errors.errorString"),
    ("PanicCustom", "my error 3", "*typestest.MyErr"),
    ("PanicInt", "42", "int"),
    ("PanicNilMap", "assignment to entry in nil map", "runtime.Error"),
    ("PanicAfterResult", "with format", "string"),
]


@pytest.mark.parametrize(("func", "value", "go_type"), PANICS)
def test_panics(typestest: ModuleType, func: str, value: str, go_type: str) -> None:
    with pytest.raises(goffi.GoPanic) as err:
        getattr(typestest, func)()
    assert err.value.value == value
    assert err.value.go_type == go_type
    assert str(err.value) == f"Go panic: {value}"
    # The stack starts where Go panicked: goffi's recovery frames are trimmed.
    stack = err.value.go_stack
    assert stack.startswith("goroutine ")
    assert f"typestest.{func}" in stack.splitlines()[1]
    assert "rt.PanicInfo" not in stack and "\npanic(" not in stack
    assert typestest.EchoInt(5) == 5  # the next call works


def test_runtime_panic_then_success(typestest: ModuleType) -> None:
    with pytest.raises(goffi.GoPanic) as err:
        typestest.PanicIndex(5)
    assert err.value.value == "runtime error: index out of range [5] with length 3"
    assert err.value.go_type == "runtime.Error"
    assert "typestest.go:" in err.value.go_stack
    assert typestest.PanicIndex(1) == 2
    for _ in range(100):  # recovered panics leave nothing behind
        with pytest.raises(goffi.GoPanic):
            typestest.PanicIndex(-1)
    assert typestest.PanicIndex(2) == 3


# ---------------------------------------------------------------------------- calls


def test_variadic(typestest: ModuleType) -> None:
    assert typestest.Sum() == 0
    assert typestest.Sum(1, 2, 3) == 6
    assert typestest.Sum(*range(1000)) == sum(range(1000))
    assert typestest.Join(",") == ""
    assert typestest.Join(", ", "a", "b") == "a, b"
    # Like a Go call with no variadic arguments, the slice is nil.
    assert typestest.CountArgs("p") == "p:0:true"
    assert typestest.CountArgs("p", 1, 2.5) == "p:2:false"
    with pytest.raises(TypeError) as err:
        typestest.Sum(1, "x")
    assert str(err.value) == "typestest.Sum() argument '*xs' (Go ...int) must be int, not str (at [1])"
    with pytest.raises(
        TypeError, match=r"typestest\.Join\(\) takes at least 1 positional argument \(0 given\)"
    ):
        typestest.Join()


def test_argument_count_and_keywords(typestest: ModuleType) -> None:
    with pytest.raises(TypeError, match=r"^typestest\.EchoInt\(\) takes 1 positional argument \(0 given\)$"):
        typestest.EchoInt()
    with pytest.raises(TypeError, match=r"^typestest\.EchoInt\(\) takes 1 positional argument \(2 given\)$"):
        typestest.EchoInt(1, 2)
    with pytest.raises(TypeError, match=r"^typestest\.Nop\(\) takes 0 positional arguments \(1 given\)$"):
        typestest.Nop(1)
    # Keyword arguments by Go parameter name (issue 9), with Python's own wording for misuse.
    assert typestest.EchoInt(v=7) == 7
    assert typestest.Keywords(5, lambda_=3, arg2="", def_=True) == 8
    assert typestest.Keywords(def_=True, arg2="", lambda_=3, from_=5) == 8
    assert typestest.Join("-", "a", "b") == "a-b"
    assert typestest.Join(sep="-") == ""
    with pytest.raises(TypeError, match=r"^typestest\.EchoInt\(\) got an unexpected keyword argument 'x'$"):
        typestest.EchoInt(x=1)
    with pytest.raises(TypeError, match=r"^typestest\.EchoInt\(\) got multiple values for argument 'v'$"):
        typestest.EchoInt(1, v=1)
    with pytest.raises(TypeError, match=r"^typestest\.Nop\(\) got an unexpected keyword argument 'v'$"):
        typestest.Nop(v=1)
    with pytest.raises(
        TypeError, match=r"^typestest\.Keywords\(\) missing 2 required arguments: 'arg2' and 'def_'$"
    ):
        typestest.Keywords(5, lambda_=3)
    with pytest.raises(TypeError, match=r"^typestest\.Keywords\(\) missing 1 required argument: 'from_'$"):
        typestest.Keywords(lambda_=3, arg2="", def_=True)
    with pytest.raises(TypeError, match=r"^typestest\.Join\(\) got an unexpected keyword argument 'parts'$"):
        typestest.Join("-", parts=["a"])  # ...T is positional only (*args)
    with pytest.raises(TypeError, match=r"^typestest\.Join\(\) got multiple values for argument 'sep'$"):
        typestest.Join("-", "a", sep="+")
    with pytest.raises(
        TypeError, match=r"^typestest\.Keywords\(\) got an unexpected keyword argument 'from'$"
    ):
        typestest.Keywords(**{"from": 5, "lambda_": 3, "arg2": "", "def_": True})


def test_python_keywords_are_renamed(typestest: ModuleType) -> None:
    assert typestest.None_() == 0
    assert not hasattr(typestest, "None")
    assert typestest.Keywords(5, 3, "", True) == 8
    assert typestest.Unnamed(1, "x") == 1
    assert str(inspect.signature(typestest.Keywords)) == "(from_, lambda_, arg2, def_)"
    assert str(inspect.signature(typestest.Unnamed)) == "(arg0, arg1)"


def test_calls_from_many_threads(typestest: ModuleType) -> None:
    # Each call has its own arena and the GIL is released only around Go: threads mix
    # conversions, errors and panics without seeing each other's values.
    def work(n: int) -> None:
        for i in range(300):
            assert typestest.Join("-", str(n), str(i)) == f"{n}-{i}"
            assert typestest.IncAll({str(n): i}) == {str(n): i + 1}
            assert typestest.Reverse(bytes([n, i % 256])) == bytes([i % 256, n])
            with pytest.raises(goffi.GoError, match=f'"{n}x"'):
                typestest.Parse(f"{n}x")
            with pytest.raises(goffi.GoPanic):
                typestest.PanicIndex(n + 3)

    with ThreadPoolExecutor(8) as pool:
        for future in [pool.submit(work, n) for n in range(8)]:
            future.result()


# ---------------------------------------------------------------------------- constants


def test_constants(typestest: ModuleType) -> None:
    t = typestest
    expected: dict[str, Any] = {
        "Answer": 42,
        "Big": 1 << 100,
        "NegBig": -(1 << 70),
        "TypedInt": -7,
        "MaxU64": 2**64 - 1,
        "MinI64": -(2**63),
        "Pi": math.pi,
        "Third": 1 / 3,
        "F32": f32(0.1),  # a typed float32 constant has float32's value
        "HugeFloat": math.inf,  # beyond float64
        "Greeting": "héllo, 世界",
        "InvalidStr": "\udcff\udcfe",
        "NULStr": "a\x00b",
        "EmptyStr": "",
        "Yes": True,
        "No": False,
        "Cplx": 1 + 2j,
        "Cplx64": 0.5j,
        "Letter": ord("é"),  # a rune is an int
        "Boiling": 100.0,
        "Freezing": 0.5,
        "DefaultID": "id-0",
        "Lvl": -3,
        "Timeout": timedelta(seconds=3),
        "WholeFloat": 2.0,
        "Final": "final",
    }
    for name, value in expected.items():
        got = getattr(t, name)
        assert got == value, name
        if type(got) is not type(value):  # a typed constant: an instance of its type's value class
            assert isinstance(got, type(value)) and type(got).__go_type__, name
        else:
            assert not hasattr(got, "__go_type__"), name
    assert isinstance(t.Big, int) and isinstance(t.Boiling, float) and isinstance(t.Cplx, complex)
    assert isinstance(t.Yes, bool) and isinstance(t.Greeting, str)
    assert t.IsInvalidUTF8(t.InvalidStr) is True  # a constant's bytes are Go's bytes
    assert t.ToFahrenheit(t.Boiling) == 212.0


# ---------------------------------------------------------------------------- variables


def test_variables_read_and_write_go(typestest: ModuleType) -> None:
    t = typestest
    assert t.Counter == t.GetCounter()
    t.Counter = 5
    assert t.Counter == 5 and t.GetCounter() == 5
    t.Counter = -(2**63)
    assert t.GetCounter() == -(2**63)
    t.Name = "héllo \udcff"
    assert t.GetName() == "héllo \udcff" and t.HexOf(t.Name) == "68c3a96c6c6f20ff"
    t.Tags = ["z", "y"]
    assert t.Tags == ["z", "y"] and t.GetTags() == ["z", "y"] and t.TagsIsNil() is False
    t.Tags = None
    assert t.TagsIsNil() is True and t.Tags == []
    t.Tags = []
    assert t.TagsIsNil() is False
    t.Ratio = 2
    assert t.GetRatio() == 2.0 and type(t.Ratio) is float
    t.Weights = {"y": 2}
    assert t.GetWeights() == {"y": 2.0}
    t.Enabled = True
    assert t.GetEnabled() is True
    t.Temp = -3.5
    assert t.GetTemp() == -3.5
    t.Key = b"wxyz"
    assert t.GetKey() == b"wxyz" and t.Key == b"wxyz"
    t.Small = -128
    assert t.GetSmall() == -128


def test_variables_keep_their_own_bytes(typestest: ModuleType) -> None:
    # Go keeps a variable after the setter returns: it must not point into Python's buffer.
    t = typestest
    buf = bytearray(b"abc")
    t.Data = buf
    buf[:] = b"xyz"
    del buf
    assert t.GetData() == b"abc" and t.Data == b"abc"
    t.Data = None
    assert t.Data == b""
    chunk = bytearray(b"one")
    t.Chunks = [chunk, b"two", None]
    chunk[0] = ord("X")
    assert t.GetChunks() == [b"one", b"two", b""]
    value = bytearray(b"v")
    t.Blobs = {"k": value}
    value[0] = ord("W")
    assert t.GetBlobs() == {"k": b"v"}


def test_variable_errors(typestest: ModuleType) -> None:
    t = typestest
    before = t.Small
    with pytest.raises(OverflowError) as err:
        t.Small = 300
    assert str(err.value) == "typestest.Small (Go int8): 300 is out of range (-128..127)"
    assert t.Small == before
    with pytest.raises(TypeError, match=r"^typestest\.Counter \(Go int\) must be int, not str$"):
        t.Counter = "x"
    with pytest.raises(
        TypeError, match=r"^typestest\.Tags \(Go \[\]string\) must be str, not int \(at \[0\]\)$"
    ):
        t.Tags = [1]
    with pytest.raises(ValueError, match=r"typestest\.Key \(Go \[4\]byte\) must be exactly 4 bytes long"):
        t.Key = b"abc"
    with pytest.raises(AttributeError):
        del t.Counter


# ---------------------------------------------------------------------------- what is not bridged


def test_unsupported_symbols_are_skipped(typestest: ModuleType) -> None:
    # Generic functions are instantiated (issue 12); channels and funcs cross since the
    # goroutine bridge (issue 4).
    assert typestest.Identity([1, "a"]) == [1, "a"] and "Identity" in typestest.__all__
    assert typestest.Apply(lambda x: x + 1) == 2 and typestest.Handle(lambda x: x * 5) == 5
    ch = typestest.MakeChan()
    assert isinstance(ch, goffi.Channel) and ch.cap == 0


def test_pointers_to_copyable_values_are_optional(typestest: ModuleType) -> None:
    assert typestest.Ptr(41) == 41
    with pytest.raises(goffi.GoPanic, match="nil pointer dereference"):
        typestest.Ptr(None)  # Go dereferences nil: a recovered panic, not a crash
    assert typestest.PtrSlice() == []


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory, session_cache: Path) -> BundlePlan:
    """The session bundle's plan, computed again (extraction only, no build)."""
    specs = [parse_spec(s) for s in SPECS]
    work = tmp_path_factory.mktemp("plan-work")
    return plan_specs(specs, work, find_go(), session_cache, Progress(False), zero_copy=ZERO_COPY)


def test_plan_says_why_symbols_are_skipped(plan: BundlePlan) -> None:
    pkg = next(p for p in plan.packages if p.path == "example.com/typestest")
    skipped = {(s.kind, s.go_name): (s.category, s.reason) for s in pkg.skipped}
    # A generic function is instantiated (issue 12: T any is any); a generic type is a class
    # only per instantiation a signature uses, so its declaration is listed as skipped.
    assert ("func", "Identity") not in skipped
    (identity,) = [g for g in pkg.generics if g.go_name == "Identity"]
    assert [i.go_type_args for i in identity.instances] == ["[any]"]
    assert skipped[("type", "List")][0] == "generic"
    bridged = {f.go_name for f in pkg.funcs}
    assert not bridged & {name for kind, name in skipped if kind == "func"}
    # Named non-struct types are value classes (a class per type), but a bool has none.
    assert {c.go_name for c in pkg.classes if c.kind == "value"} >= {
        "Celsius",
        "Names",
        "Bag",
        "ID",
        "Blob",
        "Digest",
        "Level",
    }
    assert {t.go_name for t in pkg.types} >= {"Flag"}


# ---------------------------------------------------------------------------- signatures, docs, stubs


def test_signatures_and_docstrings(typestest: ModuleType) -> None:
    assert str(inspect.signature(typestest.Join)) == "(sep, *parts)"
    assert str(inspect.signature(typestest.EchoInt8)) == "(v)"
    assert str(inspect.signature(typestest.Nop)) == "()"
    doc = typestest.Join.__doc__
    assert "Join(sep: str, *parts: str) -> str" in doc
    assert "Go: func Join(sep string, parts ...string) string" in doc
    assert "Join is strings.Join with variadic parts." in doc
    assert "A non-nil error is raised as goffi.GoError." in typestest.Parse.__doc__
    assert "Go: func Flip4(b [4]byte) [4]byte" in typestest.Flip4.__doc__
    assert typestest.__doc__.startswith("Package typestest exercises every mapping")
    assert 'Go package "example.com/typestest", bridged by goffi.' in typestest.__doc__
    assert re.fullmatch(r"gopkgs_[0-9a-f]{12}\.typestest", typestest.__name__), typestest.__name__


def _stub(typestest: ModuleType) -> ast.Module:
    return ast.parse(Path(typestest.__file__).with_suffix(".pyi").read_text())


def test_stub_files(typestest: ModuleType) -> None:
    package = Path(typestest.__file__).parent
    assert (package / "py.typed").is_file()
    for module in ("typestest", "strings", "strconv", "utf8", "path", "math", "crc32"):
        assert (package / f"{module}.pyi").is_file(), module
        ast.parse((package / f"{module}.pyi").read_text())
        ast.parse((package / f"{module}.py").read_text())
    tree = _stub(typestest)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    annotated = {
        n.target.id: ast.unparse(n.annotation)
        for n in tree.body
        if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
    }

    def sig(name: str) -> str:
        fn = defs[name]
        return f"({ast.unparse(fn.args)}) -> {ast.unparse(fn.returns) if fn.returns else ''}"

    assert sig("Join") == "(sep: str, *parts: str) -> str"
    assert sig("IncAll") == "(m: Mapping[str, int]) -> dict[str, int]"
    assert sig("Flip4") == "(b: bytes | bytearray | memoryview) -> bytes"  # no nil for an array
    assert sig("SumBytes") == "(b: bytes | bytearray | memoryview | None) -> int"
    assert sig("Many") == "() -> tuple[str, list[int], dict[str, bool], bool]"
    assert sig("Nested") == "(xss: _Sequence[_Sequence[str]]) -> list[list[str]]"
    assert sig("ToFahrenheit") == "(c: float) -> float"
    assert sig("Parse") == "(s: str) -> int"
    assert sig("Nop") == "() -> None"
    assert sig("Keywords") == "(from_: int, lambda_: int, arg2: str, def_: bool) -> int"
    assert "Raises goffi.GoError" in (ast.get_docstring(defs["Parse"]) or "")
    # Go doc text survives any quoting: backslashes, triple quotes, a closing quote.
    quote_doc = 'Quote returns s in Go\'s double-quoted form: a \\ doubles, and """ stays """,\nlike "this"'
    assert (ast.get_docstring(defs["Quote"]) or "").endswith(quote_doc)
    assert typestest.Quote.__doc__.endswith(quote_doc)
    assert annotated["Big"] == "_Final[int]" and annotated["Boiling"] == "_Final[Celsius]"
    assert annotated["Tags"] == "list[str]" and annotated["Key"] == "bytes"
    assert sig("Ptr") == "(p: int | None) -> int"
    assert "MakeChan" in defs
    assert sig("Identity") == "(v: Any) -> Any"  # a generic function, instantiated with any
    # Go names that clash with what the stub imports (func Sequence, const Final).
    assert sig("Sequence") == "(xs: _Sequence[int]) -> list[int]"
    assert annotated["Final"] == "_Final[str]" and annotated["Answer"] == "_Final[int]"


def test_stub_type_checks_with_mypy(typestest: ModuleType, tmp_path: Path) -> None:
    if shutil.which("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    snippet = tmp_path / "use_bundle.py"
    snippet.write_text(
        textwrap.dedent(
            """\
            from gopkgs import typestest

            total: int = typestest.SumInts([1, 2]) + typestest.Sum(1, 2, 3)
            joined: str = typestest.Join(",", "a", "b")
            digest: bytes = typestest.Sha256(bytearray(b"x"))
            q, r = typestest.DivMod(7, 2)
            pi: float = typestest.Pi
            same: list[int] = typestest.Sequence((1, 2))
            typestest.EchoInt("not an int")
            """
        ).replace("from gopkgs import", f"from {typestest.__name__.rpartition('.')[0]} import")
    )
    errors, output = mypy_errors(snippet, typestest, tmp_path)
    assert len(errors) == 1, output
    assert "use_bundle.py:9:" in errors[0] and '"EchoInt" has incompatible type "str"' in errors[0]


# ---------------------------------------------------------------------------- generated sources


def test_rendering_is_deterministic_and_gofmt_clean(plan: BundlePlan, tmp_path: Path) -> None:
    first = render_bundle(plan, "key")
    second = render_bundle(plan, "key")
    assert first.digest() == second.digest()
    assert first.go_files == second.go_files and first.python_files == second.python_files
    assert render_bundle(plan, "other-key").digest() != first.digest()
    # The renderer writes gofmt style itself: gofmt has nothing to change.
    toolchain = find_go()
    gofmt = toolchain.goroot / "bin" / "gofmt"
    wrapper = tmp_path / "wrapper.go"
    wrapper.write_text(render_go_wrapper(plan))
    done = subprocess.run([str(gofmt), "-l", str(wrapper)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr
    assert (
        render_bundle(plan, "key", gofmt).go_files["wrapper/wrapper.go"]
        == first.go_files["wrapper/wrapper.go"]
    )


def test_second_process_loads_the_bundle_without_building(
    go: dict[str, ModuleType], session_cache: Path, tmp_path: Path
) -> None:
    bundle = go["typestest"].__name__.rpartition(".")[0]  # gopkgs_<hash>, as goffi.load names it
    bundle_key = sys.modules[bundle].BUNDLE_KEY
    toolchain = find_go()
    log = tmp_path / "go-calls.log"
    wrapper = tmp_path / "go"
    wrapper.write_text(
        f'#!/bin/sh\necho "$*" >> {shlex.quote(str(log))}\nexec {shlex.quote(str(toolchain.go))} "$@"\n'
    )
    wrapper.chmod(0o755)
    code = f"""
import goffi
from goffi.build import build_bundle
from goffi.workspace import parse_spec

specs = {list(SPECS)!r}
built = build_bundle([parse_spec(s) for s in specs], {bundle!r}, zero_copy={ZERO_COPY!r})
print(built.built_now, built.key)
typestest = goffi.load(*specs, zero_copy={ZERO_COPY!r})[0]
print(typestest.Sum(1, 2, 3), typestest.Join("-", "a", "b"))
"""
    env = dict(os.environ, GOFFI_CACHE_DIR=str(session_cache), GOFFI_GO=str(wrapper), GOFFI_VERBOSE="0")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    if goffi_source_hash.__wrapped__() != goffi_source_hash():
        pytest.skip("goffi's own sources changed during this session, so the bundle key did too")
    assert done.stdout.splitlines() == [f"False {bundle_key}", "6 a-b"]
    calls = log.read_text().splitlines() if log.exists() else []
    # At most the one-time probe of the new go binary (`go env`); never list, build or get.
    assert all(call.startswith("env ") for call in calls), calls
