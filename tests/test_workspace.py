"""Package spec parsing and the bundle's private Go module, built with real Go."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from goffi.errors import BuildError, GoffiError, SpecError
from goffi.toolchain import GoToolchain, find_go, parse_go_version
from goffi.workspace import BUNDLE_MODULE, PackageSpec, create_workspace, parse_spec, tidy


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOFFI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("GOFFI_GO", raising=False)


@pytest.fixture
def tc() -> GoToolchain:
    return find_go()


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def go_build_and_run(tc: GoToolchain, ws: Path, main_go: str) -> str:
    """Write main.go into the workspace, build it the way goffi's builder will, run it."""
    (ws / "main.go").write_text(main_go)
    env = tc.env(GOFLAGS="-mod=mod", GOWORK="off")
    build = subprocess.run(
        [str(tc.go), "build", "-o", "prog", "."], cwd=ws, env=env, capture_output=True, text=True
    )
    assert build.returncode == 0, build.stderr
    return subprocess.run([str(ws / "prog")], capture_output=True, text=True, check=True).stdout


# -------------------------------------------------------------------------- parse_spec


@pytest.mark.parametrize("spec", ["strings", "net/url", "encoding/json", "crypto/sha256"])
def test_std_specs(spec: str) -> None:
    assert parse_spec(spec) == PackageSpec(spec=spec, kind="std", import_path=spec)


@pytest.mark.parametrize(
    ("spec", "import_path", "version"),
    [
        ("github.com/google/uuid", "github.com/google/uuid", "latest"),
        ("github.com/google/uuid@v1.6.0", "github.com/google/uuid", "v1.6.0"),
        ("golang.org/x/text/language@latest", "golang.org/x/text/language", "latest"),
        ("example.com/m/v2/pkg@master", "example.com/m/v2/pkg", "master"),
        ("gopkg.in/yaml.v3@v3.0.1", "gopkg.in/yaml.v3", "v3.0.1"),
    ],
)
def test_remote_specs(spec: str, import_path: str, version: str) -> None:
    parsed = parse_spec(spec)
    assert parsed.kind == "remote"
    assert parsed.import_path == import_path
    assert parsed.version == version
    assert parsed.spec == spec
    assert parsed.local_dir is None and parsed.module_root is None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty package spec"),
        ("github.com/google/uuid v1.6.0", "whitespace"),
        (" strings", "whitespace"),
        ("./greet ", "whitespace"),
        ("github.com/google/uuid@", "no version after it"),
        ("@v1.0.0", "before '@' is empty"),
        ("strings@v1.0.0", "standard library"),
        ("github.com//uuid", "empty, '.' or '..'"),
        ("github.com/google/uuid/", "ends with '/'"),
        ("github.com\\google\\uuid", "not '\\\\'"),
        ("github.com/google/...", "'...' patterns"),
        ("github.com/a/b@v1@v2", "invalid version"),
        ("github.com/a/b;rm", "characters not allowed"),
    ],
)
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as info:
        parse_spec(spec)
    # SpecError is both goffi's error and a ValueError (a bad argument).
    assert isinstance(info.value, GoffiError) and isinstance(info.value, ValueError)


@pytest.fixture
def user_module(tmp_path: Path) -> Path:
    return write(
        tmp_path / "proj",
        {
            "go.mod": 'module "example.com/proj" // the user\'s module\n\ngo 1.24\n',
            "proj.go": 'package proj\n\nfunc Name() string { return "proj" }\n',
            "greet/greet.go": 'package greet\n\nfunc Hello(n string) string { return "hello, " + n }\n',
            "greet/deep/deep.go": "package deep\n\nconst Answer = 42\n",
        },
    )


def test_local_spec_relative(user_module: Path) -> None:
    spec = parse_spec("./greet", cwd=user_module)
    assert spec == PackageSpec(
        spec="./greet",
        kind="local",
        import_path="example.com/proj/greet",
        local_dir=user_module.resolve() / "greet",
        module_root=user_module.resolve(),
        module_path="example.com/proj",
    )


@pytest.mark.parametrize(
    ("spec", "cwd_rel", "import_path"),
    [
        (".", "", "example.com/proj"),
        (".", "greet/deep", "example.com/proj/greet/deep"),
        ("..", "greet/deep", "example.com/proj/greet"),
        ("../greet/deep", "greet", "example.com/proj/greet/deep"),
        ("./proj/greet", "..", "example.com/proj/greet"),
    ],
)
def test_local_spec_forms(user_module: Path, spec: str, cwd_rel: str, import_path: str) -> None:
    parsed = parse_spec(spec, cwd=user_module / cwd_rel)
    assert parsed.kind == "local"
    assert parsed.import_path == import_path


def test_local_spec_absolute_and_home(user_module: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_spec(str(user_module / "greet")).import_path == "example.com/proj/greet"
    monkeypatch.setenv("HOME", str(user_module))
    assert parse_spec("~/greet/deep").import_path == "example.com/proj/greet/deep"


def test_local_spec_default_cwd(user_module: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(user_module / "greet")
    assert parse_spec(".").import_path == "example.com/proj/greet"


def test_local_spec_missing_dir(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"does not exist \(relative specs are resolved against"):
        parse_spec("./nope", cwd=tmp_path)


def test_local_spec_not_a_dir(user_module: Path) -> None:
    with pytest.raises(SpecError, match="is not a directory"):
        parse_spec("./proj.go", cwd=user_module)


def test_local_spec_without_go_mod(tmp_path: Path) -> None:
    write(tmp_path / "loose", {"x.go": "package loose\n"})
    with pytest.raises(SpecError) as info:
        parse_spec("./loose", cwd=tmp_path)
    assert "has no go.mod" in str(info.value)
    assert "go mod init example.com/loose" in str(info.value)


def test_local_spec_go_mod_without_module_line(tmp_path: Path) -> None:
    write(tmp_path / "m", {"go.mod": "go 1.24\n", "m.go": "package m\n"})
    with pytest.raises(SpecError, match="no `module` line"):
        parse_spec("./m", cwd=tmp_path)


@pytest.mark.parametrize("where", ["testdata/pkg", "_private", ".hidden/pkg", "vendor/example.com/x"])
def test_local_spec_in_ignored_dir(user_module: Path, where: str) -> None:
    write(user_module, {f"{where}/x.go": "package x\n"})
    with pytest.raises(SpecError, match="Move the package"):
        parse_spec(f"./{where}", cwd=user_module)


def test_local_spec_nested_module_wins(user_module: Path) -> None:
    write(user_module, {"tools/go.mod": "module example.com/tools\n", "tools/t.go": "package tools\n"})
    spec = parse_spec("./tools", cwd=user_module)
    assert spec.module_path == "example.com/tools"
    assert spec.import_path == "example.com/tools"


# -------------------------------------------------------------------- create_workspace


def test_local_workspace_builds(tc: GoToolchain, user_module: Path, tmp_path: Path) -> None:
    # A second local module with a dotless path (as `go mod init mylib` makes).
    lib = write(
        tmp_path / "lib",
        {
            "go.mod": "module mylib\n\ngo 1.24\n",
            "util/util.go": "package util\n\nfunc Twice(x int) int { return 2 * x }\n",
        },
    )
    gomod_before = (user_module / "go.mod").read_bytes()
    specs = [
        parse_spec("./greet", cwd=user_module),
        parse_spec("./greet/deep", cwd=user_module),  # same module: one require/replace
        parse_spec(".", cwd=user_module),
        parse_spec(str(lib / "util")),
        parse_spec("strings"),
    ]
    ws = create_workspace(specs, tmp_path / "ws", tc)
    assert ws == tmp_path / "ws"

    gomod = (ws / "go.mod").read_text()
    major, minor, _ = parse_go_version(tc.version)
    assert f"module {BUNDLE_MODULE}\n" in gomod
    assert f"\ngo {major}.{minor}\n" in gomod
    assert gomod.count("example.com/proj v0.0.0") == 1
    # Replaced by links inside the workspace: no absolute path for Go to record in a library.
    assert gomod.count("replace example.com/proj => ./_local/example.com_proj") == 1
    assert "replace mylib => ./_local/mylib" in gomod
    assert (ws / "_local" / "example.com_proj").resolve() == user_module.resolve()
    assert (ws / "_local" / "mylib").resolve() == lib.resolve()
    assert str(tmp_path) not in gomod

    out = go_build_and_run(
        tc,
        ws,
        """package main

import (
	"fmt"
	"strings"

	"example.com/proj"
	"example.com/proj/greet"
	"example.com/proj/greet/deep"
	"mylib/util"
)

func main() {
	fmt.Println(strings.ToUpper(greet.Hello(proj.Name())), deep.Answer, util.Twice(21))
}
""",
    )
    assert out == "HELLO, PROJ 42 42\n"
    tidy(ws, tc)
    assert go_build_and_run(tc, ws, (ws / "main.go").read_text()) == out

    # The user's module is only referenced, never modified.
    assert (user_module / "go.mod").read_bytes() == gomod_before
    assert not (user_module / "go.sum").exists()


def test_workspace_dir_with_spaces(tc: GoToolchain, tmp_path: Path) -> None:
    mod = write(
        tmp_path / "my module",
        {"go.mod": "module example.com/spaced\n", "s.go": 'package spaced\n\nconst S = "ok"\n'},
    )
    ws = create_workspace([parse_spec(str(mod))], tmp_path / "ws dir", tc)
    out = go_build_and_run(
        tc,
        ws,
        'package main\n\nimport (\n\t"fmt"\n\t"example.com/spaced"\n)\n\n'
        "func main() { fmt.Println(spaced.S) }\n",
    )
    assert out == "ok\n"


def test_conflicting_local_modules(tc: GoToolchain, tmp_path: Path) -> None:
    for name in ("a", "b"):
        write(tmp_path / name, {"go.mod": "module example.com/same\n", "x.go": "package same\n"})
    specs = [parse_spec(str(tmp_path / "a")), parse_spec(str(tmp_path / "b"))]
    with pytest.raises(SpecError, match=r"same module path 'example\.com/same'"):
        create_workspace(specs, tmp_path / "ws", tc)


def test_go_failure_is_a_build_error(
    tc: GoToolchain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GOPROXY=off: Go refuses to download, so this fails fast and offline.
    monkeypatch.setenv("GOPROXY", "off")
    monkeypatch.setenv("GOFLAGS", "")
    with pytest.raises(BuildError) as info:
        create_workspace([parse_spec("example.com/not/there@v1.0.0")], tmp_path / "ws", tc)
    msg = str(info.value)
    assert "go get example.com/not/there@v1.0.0" in msg  # the command
    assert "module lookup disabled by GOPROXY=off" in msg  # Go's stderr
    assert "check the module path and version" in msg.lower()  # what to do


@pytest.mark.network
def test_remote_workspace_builds(tc: GoToolchain, tmp_path: Path) -> None:
    ws = create_workspace(
        [parse_spec("github.com/google/uuid@v1.6.0"), parse_spec("fmt")], tmp_path / "ws", tc
    )
    assert "github.com/google/uuid v1.6.0" in (ws / "go.mod").read_text()
    out = go_build_and_run(
        tc,
        ws,
        'package main\n\nimport (\n\t"fmt"\n\t"github.com/google/uuid"\n)\n\n'
        "func main() { fmt.Println(len(uuid.NewString())) }\n",
    )
    assert out == "36\n"


@pytest.mark.network
def test_local_module_with_its_own_requirements(tc: GoToolchain, tmp_path: Path) -> None:
    # The local module needs uuid; the bundle's build (GOFLAGS=-mod=mod) resolves it.
    mod = write(
        tmp_path / "ids",
        {
            "go.mod": "module example.com/ids\n\ngo 1.24\n\nrequire github.com/google/uuid v1.6.0\n",
            "ids.go": 'package ids\n\nimport "github.com/google/uuid"\n\n'
            "func New() string { return uuid.NewString() }\n",
        },
    )
    ws = create_workspace([parse_spec(str(mod))], tmp_path / "ws", tc)
    out = go_build_and_run(
        tc,
        ws,
        'package main\n\nimport (\n\t"fmt"\n\t"example.com/ids"\n)\n\n'
        "func main() { fmt.Println(len(ids.New())) }\n",
    )
    assert out == "36\n"
    assert not (mod / "go.sum").exists()  # the user's module is untouched


@pytest.mark.network
def test_remote_bad_version(tc: GoToolchain, tmp_path: Path) -> None:
    with pytest.raises(BuildError) as info:
        create_workspace([parse_spec("github.com/google/uuid@v99.99.99")], tmp_path / "ws", tc)
    msg = str(info.value)
    assert "github.com/google/uuid@v99.99.99" in msg
    assert "module proxy" in msg
