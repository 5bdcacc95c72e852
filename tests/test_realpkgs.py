"""Real packages load, alone and together (issue 9, item 1), each in a fresh interpreter.

Every package of the list is built and loaded alone, then all of them in one bundle, and
each is called once where Go has an easy known result (checked against Python's own
implementation of the same thing where there is one: zlib, hashlib, base64, ...). These are
slow (minutes: net/http alone compiles for two), so they are marked ``slow``; the bugs they
found each have a quick regression test here that runs by default, on a small local package
(tests/gopkgs/selectors).

A build failure of generated code says "This is a goffi bug": that must never happen.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SELECTORS = Path(__file__).resolve().parent / "gopkgs" / "selectors"
GOFFI_BUG = "This is a goffi bug"

# Each package with one meaningful call, `m` being its module. Where Go's answer is
# Python's too, Python computes the expected value.
STDLIB_CHECKS: dict[str, str] = {
    "strings": "assert m.ToUpper('héllo') == 'HÉLLO'",
    "strconv": "assert m.FormatInt(255, 16) == 'ff' and m.Quote('a\\n') == '\"a\\\\n\"'",
    "bytes": "assert m.ToUpper(b'abc') == b'ABC'",
    "fmt": "assert m.Sprintf('%d-%s-%v', 5, 'x', True) == '5-x-true'",
    "errors": "e = m.New('boom')\nassert str(e) == 'boom' and m.Is(e, e)",
    "io": "assert m.SeekEnd == 2 and issubclass(m.EOF, EOFError)",
    "bufio": "assert m.MaxScanTokenSize == 64 * 1024",
    "os": "import os\nassert m.Getpid() == os.getpid() and m.Getenv('HOME') == os.environ.get('HOME', '')",
    "path": "assert m.Join('a', 'b/../c') == 'a/c'",
    "path/filepath": "assert m.Ext('x/y.tar.gz') == '.gz' and m.Base('/a/b') == 'b'",
    "time": (
        "import datetime\n"
        "assert m.Unix(86400, 0) == datetime.datetime(1970, 1, 2, tzinfo=datetime.timezone.utc)\n"
        "assert m.Second == datetime.timedelta(seconds=1)"
    ),
    "math": "import math\nassert m.Sqrt(2) == math.sqrt(2) and m.MaxInt64 == 2**63 - 1",
    "math/big": "assert m.NewInt(12345).String() == '12345'",
    "math/rand/v2": "assert all(0 <= m.IntN(10) < 10 for _ in range(100))",
    "sort": "assert m.SearchInts([1, 3, 5, 7], 5) == 2",
    "slices": "",  # generic functions only: nothing to call
    "maps": "",  # generic functions only: nothing to call
    "unicode": "assert m.IsUpper(ord('A')) and not m.IsUpper(ord('a'))",
    "unicode/utf8": "assert m.RuneCountInString('héllo') == 5",
    "regexp": "assert m.MustCompile('a(b+)c').FindStringSubmatch('xabbbcx') == ['abbbc', 'bbb']",
    "encoding/json": "assert m.Marshal({'b': [1, 2], 'a': 'x'}) == b'{\"a\":\"x\",\"b\":[1,2]}' and m.Valid(b'[1]')",
    "encoding/base64": "import base64\nassert m.StdEncoding.EncodeToString(b'hello?') == base64.b64encode(b'hello?').decode()",
    "encoding/hex": "assert m.EncodeToString(b'\\x01\\xff') == '01ff'",
    "encoding/csv": "assert issubclass(m.ErrFieldCount, Exception)",
    "encoding/binary": "assert m.AppendUvarint(None, 300) == bytes([0xAC, 0x02])",
    "hash/crc32": "import zlib\nassert m.ChecksumIEEE(b'hello') == zlib.crc32(b'hello')",
    "crypto/sha256": "import hashlib\nassert m.Sum256(b'abc') == hashlib.sha256(b'abc').digest()",
    "crypto/md5": "import hashlib\nassert m.Sum(b'abc') == hashlib.md5(b'abc').digest()",
    "crypto/hmac": "assert m.Equal(b'ab', b'ab') and not m.Equal(b'ab', b'ac')",
    "compress/gzip": "assert m.BestCompression == 9",
    "net/url": (
        "u = m.Parse('https://user@example.com:8080/p?q=1')\n"
        "assert (u.Scheme, u.Host, u.Path, u.Port(), u.Query()['q']) == "
        "('https', 'example.com:8080', '/p', '8080', ['1'])"
    ),
    "net/netip": (
        "a = m.ParseAddr('192.168.1.1')\n"
        "assert a.Is4() and a.String() == '192.168.1.1'\n"
        "assert m.MustParsePrefix('192.168.0.0/16').Contains(a)"
    ),
    "net/http": "assert m.StatusText(404) == 'Not Found' and m.CanonicalHeaderKey('content-type') == 'Content-Type'",
    "text/template": "assert m.New('page').Name() == 'page' and m.HTMLEscapeString('<a>') == '&lt;a&gt;'",
    "html": "import html\nassert m.EscapeString('<a&b>') == html.escape('<a&b>', quote=False)",
    "mime": "assert m.TypeByExtension('.html').startswith('text/html')",
    "archive/zip": (
        "import os, tempfile, zipfile\n"
        "path = os.path.join(tempfile.mkdtemp(), 'x.zip')\n"
        "with zipfile.ZipFile(path, 'w') as z:\n"
        "    z.writestr('a.txt', 'hello')\n"
        "    z.comment = b'made by Python'\n"
        "rc = m.OpenReader(path)\n"
        "assert [f.Name for f in rc.File] == ['a.txt'] and rc.Reader.Comment == 'made by Python'\n"
        "assert rc.File[0].UncompressedSize64 == 5\n"
        "rc.Close()"
    ),
    "log/slog": "assert m.IntValue(5).Int64() == 5 and m.LevelWarn == 4",
    "sync": "mu = m.Mutex()\nmu.Lock()\nassert not mu.TryLock()\nmu.Unlock()\nassert mu.TryLock()",
    "context": (
        "ctx, cancel = m.WithCancel(m.Background())\n"
        "assert ctx.Err() is None\n"
        "cancel()\n"
        "assert str(ctx.Err()) == 'context canceled'"
    ),
}
STDLIB = tuple(STDLIB_CHECKS)

# Popular modules from the Go module proxy, each with one call.
MODULE_CHECKS: dict[str, str] = {
    "github.com/expr-lang/expr": "assert m.Eval('1 + 2 * 3', None) == 7",
    "github.com/google/uuid@v1.6.0": (
        "assert m.Parse('f47ac10b-58cc-4372-a567-0e02b2c3d479') == bytes.fromhex('f47ac10b58cc4372a5670e02b2c3d479')"
    ),
    "gopkg.in/yaml.v3": "assert m.Marshal({'a': 1}) == b'a: 1\\n'",
    "github.com/BurntSushi/toml": "assert m.Marshal({'a': 1}) == b'a = 1\\n'",
    "github.com/itchyny/gojq": "assert m.Parse('.a | length').String() == '.a | length'",
    # goldmark.New and go-version's NewVersion take options of an unexported type: skipped.
    "github.com/yuin/goldmark": "assert m.DefaultParser() is not None and m.DefaultRenderer() is not None",
    # Errors made from errors come back (Wrap does not raise); Cause is the error itself.
    "github.com/pkg/errors@v0.9.1": (
        "e = m.New('boom')\nw = m.Wrap(e, 'ctx')\nassert str(w) == 'ctx: boom' and m.Cause(w) is e\n"
        "assert str(m.WithMessage(e, 'm')) == 'm: boom' and m.Wrap(None, 'x') is None"
    ),
    # ErrInvalidID is a constant of an unexported error type: a sentinel class all the same.
    # Sort sorts the list of IDs ([12]byte values) in place.
    "github.com/rs/xid@v1.6.0": (
        "try:\n    m.FromString('bad')\nexcept m.ErrInvalidID as e:\n    assert str(e) == 'xid: invalid ID'\n"
        "else:\n    raise AssertionError('no ErrInvalidID')\n"
        "ids = [m.FromString('dc6lu4hksdufuiijhc0g'), m.FromString('9m4e2mr0ui3e8a215n4g')]\n"
        "m.Sort(ids)\nassert [str(i) for i in ids] == ['9m4e2mr0ui3e8a215n4g', 'dc6lu4hksdufuiijhc0g']"
    ),
    # SigningMethodNone (a *signingMethodNone shown as a SigningMethod) failed the build;
    # Python's hmac is the oracle of the HS256 signature.
    "github.com/golang-jwt/jwt/v5@v5.3.1": (
        "import base64, hashlib, hmac\n"
        "s = m.NewWithClaims(m.SigningMethodHS256, m.MapClaims({'sub': 'x'})).SignedString(b'k')\n"
        "head, _, sig = s.rpartition('.')\n"
        "mac = hmac.new(b'k', head.encode(), hashlib.sha256).digest()\n"
        "assert base64.urlsafe_b64encode(mac).rstrip(b'=').decode() == sig\n"
        "assert m.Parse(s, lambda t: b'k').Claims.GetSubject() == 'x'\n"
        "try:\n    m.Parse(s, lambda t: b'wrong')\nexcept m.ErrTokenSignatureInvalid:\n    pass\n"
        "else:\n    raise AssertionError('no ErrTokenSignatureInvalid')\n"
        "assert m.SigningMethodNone.Alg() == 'none'"
    ),
    # Sort sorts a list of Version records in place.
    "github.com/blang/semver/v4@v4.0.0": (
        "vs = [m.MustParse('1.10.0'), m.MustParse('1.2.0')]\nm.Sort(vs)\n"
        "assert [str(v) for v in vs] == ['1.2.0', '1.10.0'] and m.MustParse('1.2.3').Minor == 2"
    ),
    "github.com/hashicorp/go-version": (
        "v = m.NewSemver('1.2.3')\nassert v.String() == '1.2.3' and v.Segments() == [1, 2, 3]\n"
        "assert v.LessThan(m.NewSemver('1.10.0'))"
    ),
}


@pytest.fixture(scope="session")
def realpkgs_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One goffi cache for every real-package process of the session."""
    return tmp_path_factory.mktemp("realpkgs-cache")


def run_python(
    code: str, cache: Path, timeout: float = 1200, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GOFFI_CACHE_DIR=str(cache), GOFFI_VERBOSE="0", **(env or {}))
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def check(done: subprocess.CompletedProcess[str]) -> str:
    # A build failure of generated code is the one outcome that is goffi's fault alone.
    assert GOFFI_BUG not in done.stderr, done.stderr
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout


def load_and_call(spec: str, call: str) -> str:
    return f"import goffi\nm = goffi.load({spec!r})\n{call}\nprint('ok', {spec!r})\n"


@pytest.mark.slow
@pytest.mark.parametrize("pkg", STDLIB)
def test_stdlib_package_loads_alone(pkg: str, realpkgs_cache: Path) -> None:
    assert check(run_python(load_and_call(pkg, STDLIB_CHECKS[pkg]), realpkgs_cache)) == f"ok {pkg}\n"


@pytest.mark.slow
def test_stdlib_packages_load_together(realpkgs_cache: Path) -> None:
    """All of them in one bundle: each package's call, then a few that need several packages."""
    calls = "".join(
        f"m = mods[{i}]\n{STDLIB_CHECKS[pkg]}\n" for i, pkg in enumerate(STDLIB) if STDLIB_CHECKS[pkg]
    )
    code = (
        "import goffi\n"
        f"mods = goffi.load(*{STDLIB!r})\n"
        f"assert len(mods) == {len(STDLIB)}\n"
        + calls
        + textwrap.dedent(
            """
            strings, bytes_, io, fmt, gzip, csv, template = (
                goffi.load(p) for p in ("strings", "bytes", "io", "fmt", "compress/gzip", "encoding/csv", "text/template")
            )
            assert io.ReadAll(strings.NewReader("through io.Reader")) == b"through io.Reader"
            buf = bytes_.Buffer()
            fmt.Fprintf(buf, "%s=%d", "n", 42)
            assert buf.String() == "n=42"
            zipped = bytes_.Buffer()
            w = gzip.NewWriter(zipped)
            w.Write(b"squeeze me " * 10)
            w.Close()
            import gzip as pygzip
            assert pygzip.decompress(zipped.Bytes()) == b"squeeze me " * 10
            assert csv.NewReader(strings.NewReader("a,b\\n1,2\\n")).ReadAll() == [["a", "b"], ["1", "2"]]
            out = bytes_.Buffer()
            template.New("t").Parse("Hello {{.}}!").Execute(out, "world")
            assert out.String() == "Hello world!"
            print("together ok")
            """
        )
    )
    assert check(run_python(code, realpkgs_cache, timeout=2400)).endswith("together ok\n")


@pytest.mark.slow
@pytest.mark.network
@pytest.mark.parametrize("spec", tuple(MODULE_CHECKS))
def test_proxy_module_loads_alone(spec: str, realpkgs_cache: Path) -> None:
    assert check(run_python(load_and_call(spec, MODULE_CHECKS[spec]), realpkgs_cache)) == f"ok {spec}\n"


# ---- quick regression tests (default suite) for the bugs the real packages found ----------


def test_selector_rule_embedded_values_and_imports(tmp_path: Path) -> None:
    """Go's selector rule on promoted fields and methods (text/template), a struct embedded
    by value (archive/zip), and a wrapper that converts a time.Time without spelling package
    time (os): each made the generated code fail to build."""
    code = textwrap.dedent(
        f"""
        import datetime, goffi
        sel = goffi.load({str(SELECTORS)!r})
        t = sel.New("main", "root")
        # Template.Name (a method) hides Tree.Name (a field one level down), Template.Label
        # (a field) hides Tree.Label (a method), Template.Depth (a field) hides Tree.Depth.
        assert t.Name() == "main" and t.Label == "own label" and t.Depth == "own", (t.Label, t.Depth)
        # Not hidden: promoted from *Tree, and from an unexported embedded type.
        assert (t.Root, t.Copy(), t.Hello(), t.Shared) == ("root", "tree:root", "hello from common", 0)
        assert t.Tree.Name == "tree main" and t.Tree.Label() == "tree label" and t.Tree.Depth == 7
        # Ambiguous at one depth: neither Left's nor Right's Both or Twin is selectable.
        p = sel.Pair()
        assert [n for n in ("Both", "Twin", "OnlyLeft") if hasattr(p, n)] == ["OnlyLeft"]
        assert p.Left.Both() == "left" and p.Right.Both() == "right"
        # ReadCloser embeds Reader by value: the field is the address of that value.
        rc = sel.Open("a", "b")
        assert rc.Count() == 2 and rc.Reader.Files == ["a", "b"] and rc.Reader.Count() == 2
        rc.Reader.Files = ["x"]
        assert rc.Count() == 1 and rc.Files == ["x"]
        try:
            rc.Reader = None
        except TypeError as e:
            print("refused:", e)
        assert sel.NewReader("q").Count() == 1
        utc = datetime.timezone.utc
        assert sel.Stamp(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=utc)) == "2024-01-02T03:04:05Z"
        print("ok")
        """
    )
    out = check(run_python(code, tmp_path / "cache", timeout=600))
    assert out.startswith("refused: ") and "ReadCloser.Reader" in out and out.endswith("ok\n"), out


def test_second_load_of_a_remote_spec_returns_the_loaded_module(tmp_path: Path) -> None:
    """A `path@version` already in the loaded bundle comes back, however it is spelled."""
    proxy = tmp_path / "proxy"
    module, version = "example.com/hello", "v1.0.0"
    source = 'package hello\n\n// Hi greets.\nfunc Hi(name string) string { return "hi " + name }\n'
    files = {"go.mod": f"module {module}\n\ngo 1.24\n", "hello.go": source}
    versions = proxy / module / "@v"
    versions.mkdir(parents=True)
    (versions / "list").write_text(version + "\n")
    (versions / f"{version}.info").write_text(f'{{"Version": "{version}"}}\n')
    (versions / f"{version}.mod").write_text(files["go.mod"])
    with zipfile.ZipFile(versions / f"{version}.zip", "w") as z:
        for name, text in files.items():
            z.writestr(f"{module}@{version}/{name}", text)
    code = textwrap.dedent(
        f"""
        import goffi
        hello = goffi.load("{module}@{version}")
        assert hello.Hi("go") == "hi go"
        assert goffi.load("{module}@{version}") is hello
        assert goffi.load("{module}") is hello
        strings_hello = goffi.load("{module}@{version}", "{module}")
        assert strings_hello == (hello, hello), strings_hello
        try:
            goffi.load("{module}@v1.0.1")
        except goffi.BundleConflictError as e:
            print("refused:", e)
        print("ok")
        """
    )
    # One Go runtime per process: another version of a loaded package is refused, not a second bundle.
    env = {"GOPROXY": proxy.as_uri(), "GOSUMDB": "off", "GOFLAGS": "-mod=mod", "GOFFI_SINGLE_RUNTIME": "1"}
    out = check(run_python(code, tmp_path / "cache", timeout=600, env=env))
    assert (
        f"refused: goffi.load('{module}@v1.0.1'): {module}@v1.0.1 (the loaded bundle has @{version}) "
        "is not in the Go bundle this process already loaded" in out
    ), out
    assert out.endswith("ok\n")
