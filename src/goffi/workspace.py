"""Package specs (what the user asked to import) and the private Go module a bundle builds in.

A bundle is built in a Go module of its own, `goffi.local/bundle`, never in the user's
module: local packages are brought in with `require` + `replace` directives pointing at
their module's directory, and remote ones with `go get`. The user's go.mod and go.sum
are only ever read.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from goffi.errors import BuildError, SpecError
from goffi.toolchain import GoToolchain, merged_goflags, parse_go_version

SpecKind = Literal["std", "local", "remote"]

BUNDLE_MODULE = "goffi.local/bundle"

_SPEC_EXAMPLES = "e.g. 'strings', 'github.com/google/uuid@v1.6.0' or './mypkg'"

# Characters Go accepts in import paths (golang.org/x/mod/module.CheckImportPath allows
# ASCII letters, digits and these punctuation marks); anything else is surely a typo.
_IMPORT_PATH_RE = re.compile(r"[A-Za-z0-9._~+\-/]+")
# Versions are semver, a branch, tag or commit, or a query like "latest" or ">=v1.2".
_VERSION_RE = re.compile(r"[A-Za-z0-9._~+\-/<>=]+")
# Module-file tokens that can be written without quotes.
_BARE_MODFILE_TOKEN_RE = re.compile(r"[A-Za-z0-9._~+\-/@:]+")


@dataclass(frozen=True)
class PackageSpec:
    """One Go package to import, as parsed from what the user wrote."""

    spec: str  # as written by the user
    kind: SpecKind
    import_path: str  # the Go import path of the package
    local_dir: Path | None = None  # local: the package's directory (resolved)
    module_root: Path | None = None  # local: the directory holding its go.mod
    module_path: str | None = None  # local: the `module` path in that go.mod
    version: str | None = None  # remote: version or query for `go get` ("latest", "v1.6.0")


# ------------------------------------------------------------------------------ parsing


def _is_local(spec: str) -> bool:
    return spec in (".", "..") or spec.startswith(("./", "../", "/", "~"))


def parse_spec(spec: str, cwd: Path | None = None) -> PackageSpec:
    """Parse a package spec: a local directory, `importpath@version`, or a bare import path.

    Local specs ("./x", "../x", "/abs/x", "~/x", ".") are resolved against `cwd`
    (default: the process's current directory) and must lie inside a Go module.
    A bare path whose first element has no dot ("strings", "net/url") is standard
    library; any other bare path is remote at version "latest".
    """
    if not spec:
        raise SpecError(f"empty package spec; name a Go package, {_SPEC_EXAMPLES}")
    # Directory names may contain spaces, import paths never do; surrounding whitespace is
    # always a typo.
    if spec != spec.strip() or (not _is_local(spec) and any(ch.isspace() for ch in spec)):
        raise SpecError(
            f"package spec {spec!r} contains whitespace; a spec is one import path or directory, "
            f"{_SPEC_EXAMPLES} (pass several packages as separate specs)"
        )
    if _is_local(spec):
        return _parse_local(spec, Path.cwd() if cwd is None else Path(cwd))

    path, at, version = spec.partition("@")
    if at and not version:
        raise SpecError(
            f"package spec {spec!r} has '@' but no version after it; "
            f"write e.g. '{path}@latest' or '{path}@v1.2.3', or drop the '@'"
        )
    if at and not _VERSION_RE.fullmatch(version):
        raise SpecError(
            f"package spec {spec!r} has an invalid version {version!r}; "
            "use a version ('v1.2.3'), a branch, tag or commit, or 'latest'"
        )
    _check_import_path(path, spec)
    if "." not in path.split("/", 1)[0]:
        if at:
            raise SpecError(
                f"package spec {spec!r}: {path!r} is a standard library package (its first path "
                "element has no dot), which comes with the Go toolchain and cannot take a version; "
                f"write just {path!r}"
            )
        return PackageSpec(spec=spec, kind="std", import_path=path)
    return PackageSpec(spec=spec, kind="remote", import_path=path, version=version or "latest")


def _check_import_path(path: str, spec: str) -> None:
    problem: str | None = None
    if not path:
        problem = "the import path before '@' is empty"
    elif "\\" in path:
        problem = "import paths use '/', not '\\'"
    elif "..." in path:
        problem = "'...' patterns are not supported; name each package separately"
    elif not _IMPORT_PATH_RE.fullmatch(path):
        bad = sorted({ch for ch in path if not _IMPORT_PATH_RE.fullmatch(ch)})
        problem = f"it contains characters not allowed in Go import paths: {''.join(bad)!r}"
    elif path.endswith("/"):
        problem = f"it ends with '/'; write {path.rstrip('/')!r}"
    elif any(elem in ("", ".", "..") for elem in path.split("/")):
        problem = "it has an empty, '.' or '..' path element (for a local directory, start with './')"
    if problem is not None:
        raise SpecError(f"invalid package spec {spec!r}: {problem}. Expected a Go package, {_SPEC_EXAMPLES}")


def _parse_local(spec: str, cwd: Path) -> PackageSpec:
    raw = Path(spec).expanduser()
    where = raw if raw.is_absolute() else cwd / raw
    if not where.exists():
        hint = "" if raw.is_absolute() else f" (relative specs are resolved against {cwd})"
        raise SpecError(f"local package {spec!r}: directory {where} does not exist{hint}")
    if not where.is_dir():
        raise SpecError(
            f"local package {spec!r}: {where} is not a directory; "
            "name the directory holding the package's .go files"
        )
    pkg_dir = where.resolve()

    module_root = next((d for d in (pkg_dir, *pkg_dir.parents) if (d / "go.mod").is_file()), None)
    if module_root is None:
        raise SpecError(
            f"local package {spec!r}: {pkg_dir} has no go.mod (nor does any directory above it), "
            f"so it is not part of a Go module; run `go mod init example.com/{pkg_dir.name}` in it"
        )
    module_path = _read_module_path(module_root / "go.mod")

    rel = pkg_dir.relative_to(module_root)
    for part in rel.parts:
        # The go tool skips these directories when matching packages, and so does goffi's
        # change detection (cache.fingerprint_local_module): a package in one would never
        # be rebuilt after an edit.
        if part in ("testdata", "vendor") or part.startswith((".", "_")):
            raise SpecError(
                f"local package {spec!r}: {pkg_dir} lies under {part!r} in module {module_path} "
                f"({module_root}); goffi cannot import packages from testdata, vendor, or "
                "directories starting with '.' or '_'. Move the package to an ordinary directory."
            )
    import_path = module_path if not rel.parts else f"{module_path}/{rel.as_posix()}"
    return PackageSpec(
        spec=spec,
        kind="local",
        import_path=import_path,
        local_dir=pkg_dir,
        module_root=module_root,
        module_path=module_path,
    )


def _read_module_path(gomod: Path) -> str:
    try:
        text = gomod.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SpecError(f"cannot read {gomod}: {e}; fix the file's permissions or contents") from None
    for line in text.splitlines():
        line = line.split("//", 1)[0].strip()
        words = line.split(None, 1)
        if len(words) == 2 and words[0] == "module":
            value = words[1].strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in '"`':
                value = value[1:-1]
            if value:
                return value
    raise SpecError(
        f"{gomod} has no `module` line, so its packages have no import path; "
        f"add one, e.g. `module example.com/{gomod.parent.name}`"
    )


# ---------------------------------------------------------------------------- workspace


def _modfile_token(value: str) -> str:
    """`value` written as a go.mod token: bare when possible, else a quoted Go string."""
    if _BARE_MODFILE_TOKEN_RE.fullmatch(value) and "//" not in value and "/*" not in value:
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _go_env(toolchain: GoToolchain) -> dict[str, str]:
    # -mod=mod lets Go add whatever the local modules require to the bundle's go.mod;
    # GOWORK=off keeps a go.work the user has around (or in $GOWORK) out of the bundle.
    # The user's other GOFLAGS (-modcacherw, -buildvcs, ...) stay: goffi adds, never drops.
    return toolchain.env(GOFLAGS=merged_goflags("-mod=mod"), GOWORK="off")


def _run_go(toolchain: GoToolchain, args: Sequence[str], cwd: Path, hint: str) -> None:
    cmd = [str(toolchain.go), *args]
    # Written so it can be pasted into a shell to reproduce the failure.
    shown = f"cd {shlex.quote(str(cwd))} && GOFLAGS={shlex.quote(merged_goflags('-mod=mod'))} GOWORK=off GOTOOLCHAIN=local {shlex.join(cmd)}"
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=_go_env(toolchain), capture_output=True, text=True, check=False
        )
    except OSError as e:
        raise BuildError(
            f"could not run Go: `{shown}` failed to start: {e}.\n"
            f"Check that {toolchain.go} still exists and is executable (or set GOFFI_GO)."
        ) from None
    if proc.returncode != 0:
        output = proc.stderr.strip() or proc.stdout.strip() or "(no output)"
        if "no space left on device" in output.lower() or "disk quota exceeded" in output.lower():
            raise BuildError(
                f"out of disk space while running `{shown}`:\n{output}\nThis is not a goffi bug: free "
                "some space, or point goffi's cache elsewhere with GOFFI_CACHE_DIR (and Go's with "
                "GOCACHE and GOMODCACHE, temporary files with TMPDIR)."
            )
        raise BuildError(f"`{shown}` failed (exit {proc.returncode}):\n{output}\n{hint}")


def create_workspace(
    specs: Sequence[PackageSpec],
    dir: Path,
    toolchain: GoToolchain,
    locked_requires: Mapping[str, str] | None = None,
    locked_go_sum: str | None = None,
) -> Path:
    """Write the bundle's private Go module into `dir` (created if missing) and return it.

    Local packages are required at v0.0.0 and replaced by their module's directory (one
    pair per module); remote packages are added with `go get`, which needs the network
    unless the module cache already has them. Standard library packages need nothing.

    ``locked_requires`` and ``locked_go_sum`` (goffi.lock, ``goffi build --locked``) start
    the module from an earlier build's requirements and checksums.
    """
    dir = Path(dir).absolute()
    dir.mkdir(parents=True, exist_ok=True)

    local_modules: dict[str, Path] = {}
    for spec in specs:
        if spec.kind != "local":
            continue
        if spec.module_path is None or spec.module_root is None:
            raise SpecError(
                f"local package spec {spec.spec!r} has no module path or module root; "
                "create it with goffi.workspace.parse_spec"
            )
        if spec.module_path == BUNDLE_MODULE:
            raise SpecError(
                f"local package {spec.spec!r}: its module path {BUNDLE_MODULE!r} ({spec.module_root}) "
                "is reserved for goffi's own build module; rename the module in its go.mod"
            )
        seen = local_modules.setdefault(spec.module_path, spec.module_root)
        if seen != spec.module_root:
            raise SpecError(
                f"two local directories declare the same module path {spec.module_path!r}: "
                f"{seen} and {spec.module_root}; Go can use only one of them in a build. "
                "Rename one of the modules in its go.mod, or import packages from only one."
            )

    links = _link_local_modules(dir, local_modules)
    major, minor, _ = parse_go_version(toolchain.version)
    lines = [f"module {BUNDLE_MODULE}", "", f"go {major}.{minor}", ""]
    requires = {mp: "v0.0.0" for mp in local_modules}
    for mp, version in (locked_requires or {}).items():
        requires.setdefault(mp, version)
    if requires:
        lines.append("require (")
        lines += [f"\t{_modfile_token(mp)} {_modfile_token(requires[mp])}" for mp in sorted(requires)]
        lines += [")", ""]
    if local_modules:
        lines += [f"replace {_modfile_token(mp)} => {_modfile_token(link)}" for mp, link in links.items()]
        lines.append("")
    (dir / "go.mod").write_text("\n".join(lines), encoding="utf-8")
    if locked_go_sum is not None:
        (dir / "go.sum").write_text(locked_go_sum, encoding="utf-8")

    remote = sorted({f"{s.import_path}@{s.version or 'latest'}" for s in specs if s.kind == "remote"})
    if remote:
        _run_go(
            toolchain,
            ["get", *remote],
            dir,
            hint=(
                "Check the module path and version of each remote package (is the package path "
                "spelled right, and does that version exist?). goffi needs network access to the "
                "module proxy (GOPROXY, default https://proxy.golang.org) for remote packages; "
                "for private modules set GOPRIVATE."
            ),
        )
    return dir


#: The workspace folder holding a symbolic link to each local module (see create_workspace).
LOCAL_MODULES_DIR = "_local"


def _link_local_modules(dir: Path, local_modules: dict[str, Path]) -> dict[str, str]:
    """{module path: relative replace path}: each local module is replaced by a link in the
    workspace (``./_local/<module path>``) to its folder, not by the folder's absolute path,
    which Go would record in the library's build information (`go version -m`); -trimpath
    does not cover replace paths. Go reads the sources through the link."""
    links: dict[str, str] = {}
    base = dir / LOCAL_MODULES_DIR
    shutil.rmtree(base, ignore_errors=True)
    if local_modules:
        base.mkdir()
    for mp in sorted(local_modules):
        name = re.sub(r"[^A-Za-z0-9._-]", "_", mp)
        while (base / name).is_symlink():  # two paths that differ only in punctuation
            name += "_"
        (base / name).symlink_to(local_modules[mp], target_is_directory=True)
        links[mp] = f"./{LOCAL_MODULES_DIR}/{name}"
    return links


def real_paths(dir: Path, text: str) -> str:
    """``text`` (Go's messages about the workspace ``dir``) with each local module's link
    (``_local/<module>/file.go``, as -trimpath shows it) replaced by the module's own folder,
    so that a compile error points at the user's file."""
    base = dir / LOCAL_MODULES_DIR
    if not base.is_dir():
        return text
    for link in sorted(base.iterdir(), key=lambda p: -len(p.name)):
        if link.is_symlink():
            target = str(link.readlink()).replace("\\", "\\\\")  # a replacement string
            pattern = rf"(?<![\w./-])(?:\./)?{re.escape(f'{LOCAL_MODULES_DIR}/{link.name}')}(?=/)"
            text = re.sub(pattern, target, text)
    return text


def tidy(dir: Path, toolchain: GoToolchain) -> None:
    """Run `go mod tidy` in the workspace `dir`, after the caller wrote its Go sources."""
    _run_go(
        toolchain,
        ["mod", "tidy"],
        Path(dir).absolute(),
        hint=(
            "Check the imports of the generated sources and the requirements of the local "
            "modules (does `go build ./...` work in them?). Fetching missing modules needs "
            "network access to the module proxy (GOPROXY)."
        ),
    )


__all__ = [
    "BUNDLE_MODULE",
    "PackageSpec",
    "SpecKind",
    "create_workspace",
    "parse_spec",
    "real_paths",
    "tidy",
]


# ------------------------------------------------------------------------------ floating versions

# A version that names one module version for good: vX.Y.Z, a pre-release, or a
# pseudo-version (vX.Y.Z-yyyymmddhhmmss-abcdefabcdef). Anything else (latest, a branch,
# a tag prefix, a commit hash, a query like <v2) can mean another version tomorrow.
_EXACT_VERSION_RE = re.compile(r"v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")


def is_floating(spec: PackageSpec) -> bool:
    """Whether a remote spec's version is a query (latest, a branch) rather than one version."""
    return spec.kind == "remote" and not _EXACT_VERSION_RE.fullmatch(spec.version or "latest")


def resolve_versions(specs: Sequence[PackageSpec], toolchain: GoToolchain) -> list[PackageSpec]:
    """``specs`` with every floating version (``@latest``, a branch) resolved to the version it
    names now, asking the module proxy (``go list -m``), so the cache never serves an old
    ``latest``. Exact versions, local and standard packages are returned as they are.

    A package path is not a module path: the module is found by trying the path, then its
    parents. Raises SpecError when no prefix resolves (offline, or a wrong path).
    """
    out = []
    for spec in specs:
        if not is_floating(spec):
            out.append(spec)
            continue
        query = spec.version or "latest"
        parts = spec.import_path.split("/")
        errors = []
        resolved = None
        for n in range(len(parts), 0, -1):
            module = "/".join(parts[:n])
            cmd = [str(toolchain.go), "list", "-m", "-f", "{{.Version}}", f"{module}@{query}"]
            env = toolchain.env(GOFLAGS=merged_goflags(), GOWORK="off", GO111MODULE="on")
            try:
                done = subprocess.run(
                    cmd, env=env, cwd=tempfile.gettempdir(), capture_output=True, text=True, timeout=120
                )
            except (OSError, subprocess.TimeoutExpired) as e:
                errors.append(str(e))
                break
            if done.returncode == 0 and done.stdout.strip():
                resolved = done.stdout.strip()
                break
            errors.append(done.stderr.strip())
        if resolved is None:
            raise SpecError(
                f"{spec.spec!r}: cannot resolve @{query} to a module version with the Go module proxy: "
                f"{errors[0] if errors else 'no answer'}. Check the path and your network (GOPROXY), or "
                "name an exact version (path@v1.2.3), which goffi's cache serves offline."
            )
        out.append(dataclasses.replace(spec, version=resolved))
    return out
