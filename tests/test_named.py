"""Named non-struct types are first-class (issue 10, items 1-2): value classes carrying
Go's methods, enum-like typed constants, time.Time/time.Duration with Go's methods, and
``goffi inspect`` accounting for every function and method go/types declares.

The local package is tests/gopkgs/namedtest (in the session bundle); the standard
library ones (time, os, io/fs, net/url) too. Results are Go's own: Go's String()
methods and Go's arithmetic are the oracle.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import goffi
from conftest import GO_TEST_PACKAGES, TESTS, inspect_report, mypy_errors
from goffi.runtime import named as runtime_named

# ---------------------------------------------------------------------------- enums


def test_typed_constants_are_members_of_their_class(namedtest: ModuleType) -> None:
    Level = namedtest.Level
    assert isinstance(namedtest.LevelDebug, Level) and isinstance(namedtest.LevelDebug, int)
    assert namedtest.LevelDebug == -1 and namedtest.LevelError == 2
    assert Level.LevelWarn is namedtest.LevelWarn  # the constants are members of the class
    assert repr(namedtest.LevelDebug) == "<Level.LevelDebug: -1>"
    # Go's String() is __str__ (and so format()).
    assert str(namedtest.LevelWarn) == "WARN" and f"{namedtest.LevelError}" == "ERROR"
    # LevelDefault = LevelInfo: one member, reached by both names, named by the first.
    assert namedtest.LevelDefault is namedtest.LevelInfo
    assert repr(namedtest.LevelDefault) == "<Level.LevelInfo: 0>"
    assert runtime_named.members(Level) == {
        "LevelDebug": namedtest.LevelDebug,
        "LevelInfo": namedtest.LevelInfo,
        "LevelWarn": namedtest.LevelWarn,
        "LevelError": namedtest.LevelError,
    }


def test_values_go_returns_are_members_or_plain_instances(namedtest: ModuleType) -> None:
    levels = namedtest.Levels()
    assert levels[0] is namedtest.LevelWarn and levels[1] is namedtest.LevelDebug
    # Go allows any value of the type: 7 is a Level, not a member, and Go's String says so.
    other = levels[2]
    assert type(other) is namedtest.Level and other == 7
    assert repr(other) == "Level(7)" and str(other) == "LEVEL(7)"
    # A plain int passes where a Level is expected; the result is a Level.
    assert namedtest.Next(5) == 6 and type(namedtest.Next(5)) is namedtest.Level
    assert namedtest.Next(namedtest.LevelInfo) is namedtest.LevelWarn
    assert namedtest.LevelWarn.Above(namedtest.LevelInfo) is True
    assert namedtest.Level(1) is namedtest.LevelWarn  # the class maps values to members


def test_a_value_class_passes_where_go_expects_an_interface(namedtest: ModuleType) -> None:
    # Level implements Leveler through its methods: Go gets the Level value.
    assert namedtest.Threshold(namedtest.LevelWarn) is namedtest.LevelWarn
    assert namedtest.Threshold(namedtest.Level(9)) == 9
    assert namedtest.Threshold(None) is namedtest.LevelInfo
    options = namedtest.Options(Name="x", Level=namedtest.LevelError)  # as slog.HandlerOptions
    assert namedtest.OptionsLevel(options) is namedtest.LevelError
    assert options.Level.Level() is namedtest.LevelError
    # A plain int has no Go type that could implement Leveler.
    with pytest.raises(
        TypeError, match=r"namedtest\.Threshold\(\) argument 'l' .*Leveler.*must be a Go object"
    ):
        namedtest.Threshold(3)


def test_a_pointer_method_on_an_immutable_value_runs_on_a_copy(namedtest: ModuleType) -> None:
    level = namedtest.LevelInfo
    assert level.Set("WARN") is None  # Go sets its copy: a Python int cannot change
    assert level is namedtest.LevelInfo and level == 0
    with pytest.raises(goffi.GoError, match='unknown level "LOUD"'):
        level.Set("LOUD")


# ---------------------------------------------------------------------------- other underlying types


def test_float_str_and_byte_array_value_classes(namedtest: ModuleType) -> None:
    frozen = namedtest.Freeze()
    assert type(frozen) is namedtest.Celsius and isinstance(frozen, float) and frozen == 0.0
    assert frozen.Fahrenheit() == 32.0 and namedtest.Boiling.Fahrenheit() == 212.0
    assert repr(namedtest.Boiling) == "<Celsius.Boiling: 100.0>"
    assert namedtest.Celsius(37.5).Fahrenheit() == 99.5
    name = namedtest.Name("bob").Upper()
    assert type(name) is namedtest.Name and name == "BOB"
    assert namedtest.Greet(name) == "hello BOB" and namedtest.Greet("plain str") == "hello plain str"
    ident = namedtest.MakeID(1, 2, 0xAB, 255)
    assert type(ident) is namedtest.ID and isinstance(ident, bytes) and ident == b"\x01\x02\xab\xff"
    assert str(ident) == "0102abff" and ident.String() == "0102abff"  # Go's %x


def test_slice_value_class_methods_change_the_list_as_go_would(namedtest: ModuleType) -> None:
    tags = namedtest.Split("b,c,a")
    assert type(tags) is namedtest.Tags and isinstance(tags, list) and tags == ["b", "c", "a"]
    assert tags.Len() == 3 and len(tags) == 3 and tags.Join("-") == "b-c-a"
    tags.Sort()  # a value receiver sharing the elements: Go sorts them in place
    assert tags == ["a", "b", "c"]
    tags.Add("d")  # a pointer receiver: Go appends, and the list grows
    assert tags == ["a", "b", "c", "d"] and type(tags) is namedtest.Tags
    # A plain list is accepted as the receiver, and gets Go's changes as a Tags would.
    plain = ["y", "x"]
    assert namedtest.Tags.Join(plain, "+") == "y+x"
    namedtest.Tags.Sort(plain)
    assert plain == ["x", "y"]
    assert namedtest.Tags.Join(("a", "b"), "+") == "a+b"  # a tuple is converted, never changed


def test_map_value_class_methods_write_through(namedtest: ModuleType) -> None:
    attrs = namedtest.Parse("a=1 b=2")
    assert type(attrs) is namedtest.Attrs and attrs == {"a": "1", "b": "2"}
    assert attrs.Get("a") == "1" and attrs.Get("zz") == ""
    attrs.Set("c", "3")  # Go's map is shared with the receiver
    assert attrs == {"a": "1", "b": "2", "c": "3"}


def test_named_bool_and_func_types_have_no_class(namedtest: ModuleType) -> None:
    assert not hasattr(namedtest, "Flag") and not hasattr(namedtest, "Handler")


# ---------------------------------------------------------------------------- opaque values


def test_a_type_the_table_cannot_carry_crosses_as_an_opaque_go_value(namedtest: ModuleType) -> None:
    # Option is a func over an unexported type: Python holds Go's value and passes it back.
    name = namedtest.WithName("x")
    assert type(name) is namedtest.Option and repr(name) == "<example.com/namedtest.Option object>"
    assert namedtest.Build() == "default/1"
    assert namedtest.Build(name, namedtest.WithSize(5)) == "x/5"  # applied by Go, in order
    assert namedtest.Build(namedtest.WithSize(3), name) == "x/3"
    assert name.Apply("y") == "x/0"  # its methods are Go's
    assert namedtest.Option().Apply("zero") == "zero/0"  # Option() is Go's zero value (nil)
    with pytest.raises(
        TypeError, match=r"namedtest\.Build\(\) argument '\*opts' .* must be a Go object, not str"
    ):
        namedtest.Build("x")


def test_inspect_says_which_values_are_opaque(session_cache: Path) -> None:
    report = inspect_report(session_cache, GO_TEST_PACKAGES / "namedtest", "example.com/namedtest")
    by_name = {(s["kind"], s["name"]): s for s in report["symbols"]}
    build = by_name[("func", "Build")]
    assert build["status"] == "bridged" and build["python"] == "Build(*opts: namedtest.Option) -> str"
    assert any("an opaque Go value" in n and "config is unexported" in n for n in build["notes"])
    assert by_name[("type", "Option")]["python"].startswith("class namedtest.Option: opaque class")


@pytest.mark.slow
def test_unexported_values_come_back_as_an_interface_they_implement(session_cache: Path) -> None:
    out = _run(
        """
        import goffi
        binary = goffi.load("encoding/binary")
        be = binary.BigEndian  # a binary.bigEndian: seen as a binary.ByteOrder
        assert type(be) is binary.ByteOrder and str(be) == "BigEndian"
        assert be.Uint32(b"\\x00\\x00\\x01\\x02") == 258
        assert binary.LittleEndian.Uint16(b"\\x01\\x02") == 0x0201
        assert binary.NativeEndian.Uint16(b"\\x01\\x00") in (1, 256)  # promoted methods count
        buf = bytearray(4)
        be.PutUint32(buf, 0x01020304)
        assert buf == bytearray(b"\\x01\\x02\\x03\\x04")
        try:
            binary.BigEndian = binary.LittleEndian
        except AttributeError:
            print("ok")
        """,
        session_cache,
    )
    assert out.strip() == "ok"


# ---------------------------------------------------------------------------- the standard library


def test_file_mode_is_an_int_with_gos_methods(go: dict[str, ModuleType], tmp_path: Path) -> None:
    os_, fs = go["os"], go["io/fs"]
    path = tmp_path / "f.txt"
    path.write_text("x")
    path.chmod(0o640)
    mode = os_.Stat(str(path)).Mode()
    assert type(mode) is fs.FileMode and mode == 0o640 and mode.Perm() == 0o640
    assert mode.IsDir() is False and mode.IsRegular() is True
    assert str(mode) == "-rw-r-----"  # Go's FileMode.String
    folder = os_.Stat(str(tmp_path)).Mode()
    assert folder.IsDir() is True and str(folder).startswith("d")
    # os.ModeDir is an fs.FileMode (a typed constant of another package's type).
    assert type(os_.ModeDir) is fs.FileMode and fs.ModeDir is fs.FileMode.ModeDir
    assert str(fs.FileMode(os_.ModeDir | 0o755)) == "drwxr-xr-x"
    os_.Chmod(str(path), fs.FileMode(0o600))  # the class passes where Go expects FileMode
    assert os_.Stat(str(path)).Mode().Perm() == 0o600
    os_.Chmod(str(path), 0o644)  # and so does a plain int
    assert str(os_.Stat(str(path)).Mode()) == "-rw-r--r--"


def test_url_values_is_a_dict_with_gos_methods(go: dict[str, ModuleType]) -> None:
    url = go["net/url"]
    values = url.ParseQuery("b=2&a=1&a=3")
    assert type(values) is url.Values and values == {"a": ["1", "3"], "b": ["2"]}
    assert values.Get("a") == "1" and values.Has("b") and not values.Has("c")
    assert values.Encode() == "a=1&a=3&b=2"  # Go's encoding, sorted by key
    values.Set("c", "x y")
    values.Add("a", "4")
    values.Del("b")
    assert values == {"a": ["1", "3", "4"], "c": ["x y"]}
    assert values.Encode() == "a=1&a=3&a=4&c=x+y"
    query = url.Parse("https://h/p?q=1&q=2").Query()
    assert type(query) is url.Values and query.Get("q") == "1"
    assert url.Values({"k": ["v"]}).Encode() == "k=v"


def test_time_values_carry_gos_methods(go: dict[str, ModuleType]) -> None:
    time_ = go["time"]
    t = time_.Date(2024, time_.March, 5, 14, 30, 15, 123456789, time_.UTC)
    assert isinstance(t, time_.Time) and isinstance(t, goffi.GoTime) and isinstance(t, datetime.datetime)
    assert t.Format("2006-01-02 15:04:05.000") == "2024-03-05 14:30:15.123"
    assert t.Unix() == 1709649015 and t.UnixNano() == 1709649015123456789 and t.Nanosecond() == 123456789
    assert str(t) == "2024-03-05 14:30:15.123456789 +0000 UTC"  # Go's String
    assert t.Month() is time_.March and str(t.Month()) == "March" and repr(t.Month()) == "<Month.March: 3>"
    assert t.Weekday() is time_.Tuesday
    # Still a datetime: Python's own attributes and arithmetic.
    assert (t.year, t.month, t.microsecond) == (2024, 3, 123456)
    assert t.nanosecond == 123456789
    later = t.Add(datetime.timedelta(hours=1))
    assert later.Hour() == 15 and later.Sub(t) == datetime.timedelta(hours=1)
    # A plain datetime passes as today.
    plain = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    assert time_.Time.Format(plain, time_.RFC3339) == "2020-01-02T03:04:05Z"
    assert t.After(plain) and plain < t
    assert time_.Unix(0, 0).UTC().Year() == 1970


def test_duration_values_carry_gos_methods(go: dict[str, ModuleType]) -> None:
    time_ = go["time"]
    d = time_.ParseDuration("1h30m45s")
    assert type(d) is time_.Duration and isinstance(d, datetime.timedelta)
    assert d == datetime.timedelta(hours=1, minutes=30, seconds=45)
    assert d.Hours() == 1.5125 and d.Minutes() == 90.75 and str(d) == "1h30m45s"
    assert d.Round(time_.Hour) == datetime.timedelta(hours=2) and str(d.Truncate(time_.Minute)) == "1h30m0s"
    assert type(time_.Second) is time_.Duration and str(time_.Second) == "1s"
    assert repr(time_.Millisecond) == "Duration(microseconds=1000)"
    assert time_.Duration(seconds=90).String() == "1m30s"  # timedelta's constructor still works
    assert time_.Duration.String(datetime.timedelta(minutes=2)) == "2m0s"  # and a plain timedelta passes


# ---------------------------------------------------------------------------- stubs


def test_value_class_stubs_type_check(namedtest: ModuleType, tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    stub = (Path(namedtest.__file__).parent / "namedtest.pyi").read_text()
    assert "class Level(int):" in stub and "LevelDebug: ClassVar[Level]" in stub
    assert "class Tags(list[str]):" in stub and "class Attrs(dict[str, str]):" in stub
    assert "def Threshold(l: Leveler | Level | None) -> Level:" in stub
    snippet = tmp_path / "use_named.py"
    snippet.write_text(
        textwrap.dedent(
            """\
            from gopkgs import namedtest

            level: namedtest.Level = namedtest.Next(namedtest.LevelDebug)
            n: int = level + 1
            name: str = str(namedtest.Level.LevelWarn)
            tags = namedtest.Split("a,b")
            tags.Sort()
            attrs = namedtest.Parse("a=1")
            got: str = attrs.Get("a") + attrs["a"] + tags[0]
            ident: bytes = namedtest.MakeID(1, 2, 3, 4)
            f: float = namedtest.Boiling.Fahrenheit()
            namedtest.Threshold(namedtest.LevelWarn)
            namedtest.Greet(namedtest.Name("x").Upper())
            bad: str = namedtest.Next(1)
            """
        ).replace("from gopkgs import", f"from {namedtest.__name__.rpartition('.')[0]} import")
    )
    errors, output = mypy_errors(snippet, namedtest, tmp_path)
    assert len(errors) == 1, output
    assert "use_named.py:14:" in errors[0], errors[0]


# ---------------------------------------------------------------------------- goffi inspect


def test_inspect_shows_value_classes(session_cache: Path) -> None:
    report = inspect_report(session_cache, GO_TEST_PACKAGES / "namedtest", "example.com/namedtest")
    by_name = {(s["kind"], s["name"]): s for s in report["symbols"]}
    level = by_name[("type", "Level")]
    assert level["python"] == "class namedtest.Level: value class, an int subclass (copied)"
    assert "members: LevelDebug, LevelInfo, LevelWarn, LevelError, LevelDefault" in level["notes"]
    assert by_name[("const", "LevelWarn")]["python"] == "LevelWarn: namedtest.Level = namedtest.Level(1)"
    assert any("runs it on a copy" in n for n in by_name[("method", "Level.Set")]["notes"])
    assert any("copied back into the object" in n for n in by_name[("method", "Tags.Sort")]["notes"])
    flag = by_name[("method", "Flag.Not")]
    assert flag["status"] == "skipped" and "bool cannot be subclassed" in flag["reason"]
    assert by_name[("method", "Handler.Call")]["status"] == "skipped"


# Standard-library packages whose inspect report is checked against go/types.
COUNTED = (
    "bufio",
    "bytes",
    "container/list",
    "encoding/binary",
    "encoding/hex",
    "encoding/json",
    "errors",
    "fmt",
    "go/ast",
    "io",
    "io/fs",
    "log/slog",
    "math/big",
    "net",
    "net/netip",
    "net/url",
    "os",
    "reflect",
    "regexp",
    "sort",
    "strconv",
    "strings",
    "sync",
    "time",
    "unicode/utf8",
)


def _declared(packages: tuple[str, ...]) -> dict[str, set[tuple[str, str]]]:
    """go/types' exported functions and methods (tests/tools/countapi.go), per package."""
    done = subprocess.run(
        ["go", "run", str(TESTS / "tools" / "countapi.go"), *packages],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=TESTS / "tools",
    )
    assert done.returncode == 0, done.stderr
    out: dict[str, set[tuple[str, str]]] = {}
    for line in done.stdout.splitlines():
        path, kind, name = line.split("\t")
        out.setdefault(path, set()).add((kind, name))
    return out


@pytest.mark.slow
def test_inspect_counts_every_function_and_method(session_cache: Path) -> None:
    """For every package, bridged plus skipped functions and methods are exactly the
    exported ones go/types declares (methods promoted through embedding included),
    each listed once: nothing vanishes from the report."""
    declared = _declared(COUNTED)
    done = subprocess.run(
        [sys.executable, "-m", "goffi", "inspect", "--json", *COUNTED],
        env=dict(os.environ, GOFFI_CACHE_DIR=str(session_cache)),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    reports: dict[str, Any] = {p["path"]: p for p in json.loads(done.stdout)["packages"]}
    assert set(COUNTED) <= set(reports)
    for path in COUNTED:
        listed = [(s["kind"], s["name"]) for s in reports[path]["symbols"] if s["kind"] in ("func", "method")]
        assert len(listed) == len(set(listed)), f"{path}: listed twice: {sorted(listed)}"
        want = declared[path]
        assert set(listed) == want, (
            f"{path}: not in goffi's report: {sorted(want - set(listed))[:10]}; "
            f"not declared by go/types: {sorted(set(listed) - want)[:10]}"
        )
        bridged = sum(
            1
            for s in reports[path]["symbols"]
            if s["kind"] in ("func", "method") and s["status"] == "bridged"
        )
        assert 0 < bridged <= len(want), path


# ---------------------------------------------------------------------------- other bundles (subprocesses)


def _run(code: str, cache: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=dict(os.environ, GOFFI_CACHE_DIR=str(cache), GOFFI_VERBOSE="0"),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_slog_levels_and_sort_int_slice(session_cache: Path) -> None:
    out = _run(
        """
        import goffi
        slog, sort, os = goffi.load("log/slog", "sort", "os")
        assert type(slog.LevelDebug) is slog.Level and repr(slog.LevelDebug) == "<Level.LevelDebug: -4>"
        assert str(slog.LevelWarn) == "WARN" and slog.Level(-4) is slog.LevelDebug
        assert str(slog.Level(2)) == "INFO+2"  # Go's String for a value that is no member
        # Level implements Leveler through its methods: it passes as one.
        opts = slog.HandlerOptions(Level=slog.LevelDebug)
        assert opts.Level.Level() is slog.LevelDebug
        handler = slog.NewTextHandler(os.Stdout, opts)
        assert handler.Enabled(None, slog.LevelDebug) is True
        assert slog.NewTextHandler(os.Stdout, None).Enabled(None, slog.LevelDebug) is False
        ints = sort.IntSlice([3, 1, 2])
        ints.Sort()  # Go sorts the elements it shares with the receiver: the list changes
        assert ints == [1, 2, 3] and ints.Search(2) == 1 and ints.Len() == 3
        sort.Sort(ints)  # sort.Interface is implemented by IntSlice's value methods
        print("ok")
        """,
        session_cache,
    )
    assert out.strip().endswith("ok")


@pytest.mark.slow
@pytest.mark.network
def test_uuid_is_bytes_with_gos_methods(session_cache: Path) -> None:
    out = _run(
        """
        import goffi
        uuid = goffi.load("github.com/google/uuid@v1.6.0")
        u = uuid.New()
        assert type(u) is uuid.UUID and isinstance(u, bytes) and len(u) == 16
        assert str(u) == u.String() and len(str(u)) == 36 and str(u.Version()) == "VERSION_4"
        p = uuid.MustParse("f47ac10b-58cc-4372-a567-0e02b2c3d479")
        assert bytes(p) == bytes.fromhex("f47ac10b58cc4372a5670e02b2c3d479")
        assert str(p) == "f47ac10b-58cc-4372-a567-0e02b2c3d479" and str(p.Variant()) == "RFC4122"
        assert uuid.UUID.String(bytes(16)) == "00000000-0000-0000-0000-000000000000"  # plain bytes pass
        assert p.URN() == "urn:uuid:f47ac10b-58cc-4372-a567-0e02b2c3d479"
        print("ok")
        """,
        session_cache,
    )
    assert out.strip().endswith("ok")


@pytest.mark.slow
def test_readme_value_class_example_runs_verbatim(session_cache: Path) -> None:
    """README's value-class example, exactly as written, with its commented results checked."""
    text = (TESTS.parent / "README.md").read_text()
    block = next(b for b in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "ParseQuery" in b)
    checks = """
mode_ = os_.Stat("README.md").Mode()
assert (mode.IsDir(), str(mode)) == (False, str(mode_)) and str(mode_)[0] == "-", str(mode)
assert q == {"a": ["1"], "b": ["2"], "c": ["3"]} and q.Encode() == "a=1&b=2&c=3"
assert (d.Hours(), str(d)) == (1.5, "1h30m0s")
import datetime
assert time_.Now().Format("2006-01-02") == datetime.datetime.now(datetime.timezone.utc).astimezone().strftime("%Y-%m-%d")
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", block + checks],
        env=dict(os.environ, GOFFI_CACHE_DIR=str(session_cache), GOFFI_VERBOSE="0"),
        cwd=TESTS.parent,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"


@pytest.mark.slow
def test_stubs_of_many_stdlib_packages_pass_mypy(session_cache: Path, tmp_path: Path) -> None:
    """The stubs of a bundle of many standard-library packages (value classes, enums,
    opaque values, names that clash: slog.Any, reflect.String, net.OpError.Addr) are
    accepted by mypy as they are generated (rendered from the plan: no build needed)."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install -e '.[dev]')")
    from goffi.build import Progress, prepare_surface
    from goffi.plan import plan_bundle
    from goffi.render.python_pkg import render_python_package
    from goffi.toolchain import find_go
    from goffi.workspace import parse_spec

    specs = [parse_spec(p) for p in (*COUNTED, "net/http", "syscall", "text/template", "encoding/xml")]
    surface = prepare_surface(specs, tmp_path / "work", find_go(), session_cache, Progress(False))
    package = tmp_path / "stubs" / "gopkgs"
    package.mkdir(parents=True)
    for name, text in render_python_package(plan_bundle(surface), "key").items():
        if name.endswith(".pyi") or name == "py.typed":
            (package / name).write_text(text)
    (package / "__init__.py").write_text("")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--no-error-summary",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            *sorted(map(str, package.glob("*.pyi"))),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path / "stubs",
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_value_class_objects_keep_their_go_type_in_any(go: dict[str, ModuleType]) -> None:
    # Issue 9: a named value goes back into `any` as its Go type, not as the underlying int.
    fmt, slog = go["fmt"], go["log/slog"]
    assert fmt.Sprintf("%T %v", slog.LevelDebug, slog.LevelWarn) == "slog.Level WARN"
    assert fmt.Sprint(slog.Level(-4)) == "DEBUG"  # Go's String() ran: Go got a slog.Level
    assert fmt.Sprintf("%T", 7) == "int"  # a plain int stays Go's int
