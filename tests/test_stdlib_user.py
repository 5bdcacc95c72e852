"""The standard library used the way a Python user writes it (helper userstd's findings):
sentinel errors' classes where Go takes an error, time.Duration arithmetic that stays a
Duration, and Go's Must(f(...)) idiom with the error left out. Go is the oracle."""

from __future__ import annotations

import datetime
import errno
import inspect
from pathlib import Path
from types import ModuleType

import pytest

import goffi
from conftest import GO_TEST_PACKAGES

pytestmark = pytest.mark.usefixtures("no_handle_leaks")


# ---- sentinel errors' classes are Go's values -------------------------------------------


def test_errors_is_takes_a_sentinel_class(errors_: ModuleType, io_: ModuleType, strings: ModuleType) -> None:
    with pytest.raises(io_.EOF) as info:
        strings.NewReader("").ReadByte()
    assert errors_.Is(info.value, io_.EOF) is True  # Go: errors.Is(err, io.EOF)
    assert errors_.Is(io_.EOF, io_.EOF) is True
    assert errors_.Is(info.value, io_.ErrUnexpectedEOF) is False


def test_errors_is_with_an_os_error(
    errors_: ModuleType, os_: ModuleType, fs: ModuleType, tmp_path: Path
) -> None:
    with pytest.raises(fs.PathError) as info:
        os_.Open(str(tmp_path / "missing"))
    assert errors_.Is(info.value, fs.ErrNotExist) is True
    assert errors_.Is(info.value, os_.ErrNotExist) is True  # os.ErrNotExist is fs.ErrNotExist in Go
    assert errors_.Is(info.value, fs.ErrExist) is False


def test_a_sentinel_class_wraps_as_its_go_value(
    errors_: ModuleType, fmt: ModuleType, io_: ModuleType
) -> None:
    wrapped = fmt.Errorf("reading: %w", io_.EOF)
    assert str(wrapped) == "reading: EOF"
    assert errors_.Is(wrapped, io_.EOF) is True
    assert isinstance(wrapped, io_.EOF)  # the raised form matches the sentinel too
    assert fmt.Sprint(io_.EOF) == "EOF"  # as any, the class is Go's io.EOF


def test_a_sentinel_made_in_python_is_go_s_value(
    io_: ModuleType, fs: ModuleType, errors_: ModuleType
) -> None:
    eof = io_.EOF()
    assert str(eof) == "EOF"
    assert eof.go_type == "*errors.errorString"
    assert isinstance(eof, EOFError)
    assert errors_.Is(eof, io_.EOF) is True
    missing = fs.ErrNotExist()
    assert isinstance(missing, FileNotFoundError)
    assert str(missing) == "file does not exist"


def test_other_go_error_classes_still_need_a_go_error(errors_: ModuleType, fs: ModuleType) -> None:
    with pytest.raises(TypeError, match="needs a message"):
        fs.PathError()
    with pytest.raises(TypeError, match=r"errors.Is\(\) argument 'target'.*PathError was made in Python"):
        errors_.Is(None, fs.PathError)


def _walk(filepath: ModuleType, root: Path, answer: object) -> list[str]:
    seen: list[str] = []

    def visit(path: str, entry: object, err: object) -> object:
        seen.append(path)
        return answer if path != str(root) else None

    filepath.WalkDir(str(root), visit)
    return seen


def test_walkdir_callback_returns_skipdir(filepath: ModuleType) -> None:
    root = GO_TEST_PACKAGES
    # Go: every entry of root, in lexical order, none of the folders entered.
    want = [str(root)] + [str(root / name) for name in sorted(p.name for p in root.iterdir())]
    assert _walk(filepath, root, filepath.SkipDir) == want
    seen: list[str] = []
    filepath.WalkDir(str(root), lambda path, entry, err: seen.append(path) or filepath.SkipAll)
    assert seen == [str(root)]


def test_a_proxied_method_raises_the_sentinel_class(io_: ModuleType) -> None:
    class Once:
        def __init__(self) -> None:
            self.done = False

        def Read(self, p: memoryview) -> int:
            if self.done:
                raise io_.EOF  # Go: return 0, io.EOF
            self.done = True
            p[:2] = b"hi"
            return 2

    assert io_.ReadAll(Once()) == b"hi"


# ---- Go's system errors are Python's OSErrors -------------------------------------------


def test_os_errors_carry_errno_and_filename(os_: ModuleType, fs: ModuleType, tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError) as info:
        os_.ReadFile(str(missing))
    e = info.value
    assert (e.errno, e.strerror, e.filename) == (errno.ENOENT, "No such file or directory", str(missing))
    assert str(e) == f"open {missing}: no such file or directory"  # Go's message
    assert isinstance(e, fs.PathError) and isinstance(e, fs.ErrNotExist)
    # A system error Go has no sentinel for is still Python's class for its errno.
    with pytest.raises(IsADirectoryError) as info:
        os_.ReadFile(str(tmp_path))
    assert (info.value.errno, info.value.filename) == (errno.EISDIR, str(tmp_path))
    assert isinstance(info.value, fs.PathError)
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError):
        os_.ReadDir(str(tmp_path / "file"))
    with pytest.raises(FileNotFoundError) as info:
        os_.Rename(str(missing), str(tmp_path / "other"))
    assert (info.value.filename, info.value.filename2) == (str(missing), str(tmp_path / "other"))


def test_errors_without_a_system_error_are_no_oserror(strconv: ModuleType) -> None:
    with pytest.raises(strconv.NumError) as info:
        strconv.Atoi("x")
    assert not isinstance(info.value, OSError)


# ---- time.Duration keeps its class through arithmetic ------------------------------------


def test_duration_arithmetic_stays_a_duration(time_: ModuleType) -> None:
    d = time_.Second * 90
    assert type(d) is time_.Duration
    assert str(d) == "1m30s"  # Go's String(), not timedelta's 0:01:30
    assert d.Minutes() == 1.5
    for value, want in [
        (3 * time_.Second, "3s"),
        (time_.Second + time_.Millisecond, "1.001s"),
        (time_.Second - time_.Millisecond * 1500, "-500ms"),
        (-time_.Minute, "-1m0s"),
        (abs(-time_.Minute), "1m0s"),
        (time_.Hour // 3, "20m0s"),
        (time_.Hour / 4, "15m0s"),
        (time_.Hour % (time_.Minute * 7), "4m0s"),
        (datetime.timedelta(seconds=1) + time_.Second, "2s"),
    ]:
        assert type(value) is time_.Duration, value
        assert str(value) == want
    assert time_.Hour / time_.Minute == 60.0  # a ratio stays a number
    assert time_.Hour // time_.Minute == 60
    q, r = divmod(time_.Hour, time_.Minute * 7)
    assert q == 8 and type(r) is time_.Duration and str(r) == "4m0s"
    assert time_.Duration(time_.Second) is not None
    when = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) + time_.Hour
    assert type(when) is not time_.Duration and when.hour == 1


def test_duration_of_an_int_counts_nanoseconds(time_: ModuleType) -> None:
    # Go: time.Duration(n) is n nanoseconds; below a microsecond truncates toward zero.
    assert str(time_.Duration(5_000_000_000)) == "5s"
    assert time_.Duration(1_500) == datetime.timedelta(microseconds=1)
    assert time_.Duration(-1_500) == datetime.timedelta(microseconds=-1)
    biggest = (2**63 - 1) // 1000 * 1000  # the longest Duration a timedelta holds exactly
    assert time_.Duration(2**63 - 1).Nanoseconds() == biggest
    with pytest.raises(OverflowError, match="int64"):
        time_.Duration(2**63)
    assert time_.Duration(seconds=90).String() == "1m30s"  # timedelta's keywords still work
    assert time_.Duration(datetime.timedelta(days=1)).Hours() == 24.0


# ---- Must(f(...)): a last error parameter defaults to nil ------------------------------


def test_must_takes_the_value_alone(objtest: ModuleType) -> None:
    assert objtest.MustFind(objtest.Find("a")) == "found alpha"
    assert objtest.MustFind(value="b") == "found b"
    assert objtest.MustFind("c", None) == "found c"
    with pytest.raises(goffi.GoPanic, match="objtest: not found"):
        objtest.MustFind("x", objtest.ErrNotFound)
    with pytest.raises(TypeError, match=r"missing 1 required argument: 'value'"):
        objtest.MustFind(err=None)
    with pytest.raises(TypeError, match=r"takes from 1 to 2 positional arguments \(0 given\)"):
        objtest.MustFind()


def test_must_signature_shows_the_default(objtest: ModuleType) -> None:
    assert str(inspect.signature(objtest.MustFind)) == "(value, err=None)"
    assert "err: GoError | type[GoError] | None = None" in objtest.MustFind.__doc__


# ---- a sync.Locker is a context manager ---------------------------------------------------


def test_a_locker_locks_for_the_with_block(objtest: ModuleType) -> None:
    tally = objtest.Tally()
    with tally as same:
        assert same is tally
        assert tally.Locked() is True  # Go's TryLock fails inside the block
    assert tally.Locked() is False
    with pytest.raises(ZeroDivisionError), tally:
        1 / 0  # noqa: B018
    assert tally.Locked() is False  # unlocked however the block ends


def test_errors_alone_stay_required(errors_: ModuleType, io_: ModuleType) -> None:
    with pytest.raises(TypeError, match=r"errors\.Is\(\) takes 2 positional arguments \(1 given\)"):
        errors_.Is(io_.EOF)
