"""A PEP 517 build backend: Python packages that ship Go code, built into wheels.

A project names it in its ``pyproject.toml`` and says what to bridge under
``[tool.goffi]``::

    [build-system]
    requires = ["goffi==0.1.0"]
    build-backend = "goffi.build_backend"

    [project]
    name = "greeter"
    version = "1.0.0"

    [tool.goffi]
    bundle = "greeter._go"                 # where the bundle goes: a package inside yours
    packages = ["./go"]                   # local folders, stdlib paths, path@version
    nonblocking = ["example.com/greeter.Add"]
    zero_copy = []
    instantiate = []                      # generic functions: extra instantiations, Go-spelled

``pip wheel .``, ``pip install .`` and ``python -m build`` then give a wheel tagged for
this platform and CPython ABI (``cp311-cp311-linux_x86_64``) holding the project's
Python packages, the bundle (its stripped, ``-trimpath`` extension, modules, ``.pyi``
stubs and ``py.typed``), and a requirement on the exact goffi that built it (the bundle's
run-time half, ``goffi.runtime``; see the README's "Shipping Go code in a Python
package"). The sdist holds the project's files, Go sources with go.mod and go.sum
included. ``pip install -e .`` installs a finder that builds the bundle on import, from
goffi's cache while the Go sources are unchanged.

This module only runs at build time (pip imports it in the build environment); a
wheel's run time never imports it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import sys
import sysconfig
import tarfile
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from goffi._version import __version__
from goffi.errors import GoffiError
from goffi.store import MANIFEST

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]

# Never copied into an sdist or a wheel.
_SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", "build", "dist", ".mypy_cache"}
)
_SKIP_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".egg-info")


class ConfigError(GoffiError):
    """``[tool.goffi]`` or ``[project]`` of a pyproject.toml is missing or wrong."""


@dataclass(frozen=True)
class Project:
    """What a pyproject.toml says about a goffi project."""

    root: Path
    name: str  # the distribution name, as written
    version: str
    bundle: str  # the bundle's import name, e.g. greeter._go
    packages: tuple[str, ...]  # Go package specs, local ones relative to root
    nonblocking: tuple[str, ...]
    zero_copy: tuple[str, ...]
    instantiate: tuple[str, ...]
    python_root: Path  # the folder holding the project's top-level Python package (src/ or root)
    project: Mapping[str, Any]  # the whole [project] table

    @property
    def top_package(self) -> str:
        return self.bundle.split(".")[0]

    @property
    def dist_name(self) -> str:
        """The name as file names spell it (PEP 427/625): runs of -_. as one underscore."""
        return re.sub(r"[-_.]+", "_", self.name).lower()


def _load_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python < 3.11
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]  # a dependency below 3.11
    with path.open("rb") as f:
        data: dict[str, Any] = tomllib.load(f)
    return data


def _names(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where}: {key} must be a list of strings, e.g. {key} = ["strings"]')
    return tuple(value)


def read_project(root: Path) -> Project:
    """The goffi project at ``root`` (its pyproject.toml), checked."""
    root = root.resolve()
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        raise ConfigError(f"{root}: no pyproject.toml; goffi.build_backend builds projects described by one")
    data = _load_toml(pyproject)
    project = data.get("project")
    if not isinstance(project, dict) or not isinstance(project.get("name"), str):
        raise ConfigError(f"{pyproject}: a [project] table with a name is required")
    version = project.get("version")
    if not isinstance(version, str):
        raise ConfigError(
            f"{pyproject}: [project] version must be a string (goffi.build_backend does not compute "
            "dynamic versions)"
        )
    tool = data.get("tool", {}).get("goffi")
    where = f"{pyproject} [tool.goffi]"
    if not isinstance(tool, dict):
        raise ConfigError(
            f"{pyproject}: no [tool.goffi] table: add one naming the Go packages and where their bundle "
            'goes, e.g.\n[tool.goffi]\nbundle = "mylib._go"\npackages = ["./go"]'
        )
    # First: a misspelt setting (package = [...]) would otherwise read as a missing one.
    unknown = sorted(set(tool) - {"bundle", "packages", "nonblocking", "zero_copy", "instantiate"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting(s) {', '.join(unknown)} (known: bundle, packages, nonblocking, zero_copy, "
            "instantiate)"
        )
    bundle = tool.get("bundle")
    if not isinstance(bundle, str) or not all(p.isidentifier() for p in bundle.split(".")):
        raise ConfigError(
            f'{where}: bundle must be the Python import name the bundle gets, such as "mylib._go" '
            f"(a package inside your own), not {bundle!r}"
        )
    packages = _names(tool, "packages", where)
    if not packages:
        raise ConfigError(f'{where}: packages is empty: name the Go packages to bridge, e.g. ["./go"]')
    top = bundle.split(".")[0]
    python_root = next((d for d in (root / "src", root) if (d / top).is_dir()), None)
    if python_root is None and "." in bundle:
        raise ConfigError(
            f"{where}: bundle {bundle!r} goes inside the Python package {top!r}, but neither "
            f"{root / 'src' / top} nor {root / top} exists"
        )
    return Project(
        root=root,
        name=project["name"],
        version=version,
        bundle=bundle,
        packages=packages,
        nonblocking=_names(tool, "nonblocking", where),
        zero_copy=_names(tool, "zero_copy", where),
        instantiate=_names(tool, "instantiate", where),
        python_root=python_root or root,
        project=project,
    )


# ---- metadata -------------------------------------------------------------------------


def _requirement_names(requirements: Sequence[str]) -> set[str]:
    return {
        re.split(r"[\s\[<>=!~;(@]", r.strip(), maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    }


def runtime_requirement() -> str:
    """What a wheel requires to run its bundle: exactly the goffi that built it.

    The bundle's C half and generated modules are made for this goffi's runtime (its
    ``goffi.runtime.ABI_VERSION``); the bundle checks that at import, and pinning the
    version makes pip install the right one.
    """
    return f"goffi=={__version__}"


def metadata(project: Project) -> str:
    """The wheel's METADATA (core metadata 2.1) from [project]."""
    p = project.project
    lines = ["Metadata-Version: 2.1", f"Name: {project.name}", f"Version: {project.version}"]
    if isinstance(p.get("description"), str):
        lines.append(f"Summary: {p['description']}")
    if isinstance(p.get("requires-python"), str):
        lines.append(f"Requires-Python: {p['requires-python']}")
    license_ = p.get("license")
    if isinstance(license_, dict) and isinstance(license_.get("text"), str):
        lines.append(f"License: {license_['text']}")
    for c in p.get("classifiers", []):
        lines.append(f"Classifier: {c}")
    for author in p.get("authors", []):
        if isinstance(author, dict) and "name" in author:
            lines.append(f"Author: {author['name']}")
    for label, url in (p.get("urls") or {}).items():
        lines.append(f"Project-URL: {label}, {url}")
    requires = list(p.get("dependencies", []))
    if "goffi" not in _requirement_names(requires):
        requires.append(runtime_requirement())
    lines += [f"Requires-Dist: {r}" for r in requires]
    for extra, reqs in (p.get("optional-dependencies") or {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines += [
            f'Requires-Dist: {r}; extra == "{extra}"' if ";" not in r else f"Requires-Dist: {r}" for r in reqs
        ]
    body = ""
    readme = p.get("readme")
    if isinstance(readme, str) and (project.root / readme).is_file():
        kind = "text/markdown" if readme.lower().endswith(".md") else "text/plain"
        lines.append(f"Description-Content-Type: {kind}")
        body = "\n" + (project.root / readme).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n" + body


def _entry_points(project: Project) -> str:
    sections = []
    scripts = project.project.get("scripts") or {}
    if scripts:
        sections.append("[console_scripts]\n" + "".join(f"{k} = {v}\n" for k, v in scripts.items()))
    for group, entries in (project.project.get("entry-points") or {}).items():
        sections.append(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in entries.items()))
    return "\n".join(sections)


def wheel_tag() -> str:
    """This interpreter's wheel tag: ``cp311-cp311-linux_x86_64``.

    Not abi3: goffi's C glue uses CPython's full API (vectorcall, direct tuple, list,
    float and unicode access) for its call speed, so a bundle is built for one
    CPython version. The platform tag is the plain one; ``auditwheel repair`` turns it
    into a manylinux tag (a bundle links nothing but libc).
    """
    impl = f"cp{sys.version_info[0]}{sys.version_info[1]}"
    soabi = sysconfig.get_config_var("SOABI") or ""
    found = re.match(r"cpython-(\d+)([a-z]*)", soabi)
    abi = f"cp{found.group(1)}{found.group(2)}" if found else impl
    platform = re.sub(r"[-.]", "_", sysconfig.get_platform())
    return f"{impl}-{abi}-{platform}"


# ---- files ---------------------------------------------------------------------------


def _walk(folder: Path, skip_files: re.Pattern[str] | None = None) -> Iterator[Path]:
    """The files under ``folder`` worth shipping, sorted (no caches, builds, VCS or compiled
    files, no virtual environment whatever its name, and no file whose name ``skip_files``
    matches)."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in _SKIP_DIRS
            and not d.endswith(".egg-info")
            and not d.startswith(".")
            and not Path(dirpath, d, "pyvenv.cfg").is_file()
        )
        for f in sorted(filenames):
            if not f.endswith(_SKIP_SUFFIXES) and not (skip_files and skip_files.fullmatch(f)):
                yield Path(dirpath, f)


class _Wheel:
    """A wheel being written: files go in with their RECORD lines, at a fixed date."""

    # Reproducible: every entry dated 1980-01-01 unless SOURCE_DATE_EPOCH says otherwise.
    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self.records: list[str] = []
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        stamp = time.gmtime(max(int(epoch), 315532800)) if epoch and epoch.isdigit() else None
        self.date = tuple(stamp[:6]) if stamp else (1980, 1, 1, 0, 0, 0)

    def add(self, name: str, data: bytes, executable: bool = False) -> None:
        info = zipfile.ZipInfo(name, self.date)  # type: ignore[arg-type]
        info.external_attr = (0o755 if executable else 0o644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        self.zip.writestr(info, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        self.records.append(f"{name},sha256={digest},{len(data)}")

    def close(self, record: str) -> None:
        self.records.append(f"{record},,")
        info = zipfile.ZipInfo(record, self.date)  # type: ignore[arg-type]
        info.external_attr = 0o644 << 16
        self.zip.writestr(info, "\n".join(self.records) + "\n")
        self.zip.close()


def _dist_info(project: Project, wheel: _Wheel, tag: str) -> None:
    info = f"{project.dist_name}-{project.version}.dist-info"
    wheel.add(f"{info}/METADATA", metadata(project).encode())
    wheel.add(
        f"{info}/WHEEL",
        f"Wheel-Version: 1.0\nGenerator: goffi {__version__}\nRoot-Is-Purelib: false\nTag: {tag}\n".encode(),
    )
    entry_points = _entry_points(project)
    if entry_points:
        wheel.add(f"{info}/entry_points.txt", entry_points.encode())
    wheel.close(f"{info}/RECORD")


def _build_bundle(project: Project) -> Path:
    """Build (or find in goffi's cache) the project's bundle; its package folder."""
    from goffi.build import build_bundle
    from goffi.errors import ToolchainError
    from goffi.toolchain import find_go
    from goffi.workspace import parse_spec

    try:
        find_go()
    except ToolchainError as e:
        # `pip install "goffi[go]"` in the user's environment does not reach pip's isolated
        # build environment; a build requirement does.
        raise ToolchainError(
            f"{e}\n  - or, for builds in an isolated environment (pip wheel ., pip install ., python -m "
            f"build), have pip install Go from PyPI into it: in {project.root / 'pyproject.toml'}, "
            f'[build-system] requires = ["goffi[go]=={__version__}"]'
        ) from e
    specs = [parse_spec(p, project.root) for p in project.packages]
    built = build_bundle(
        specs,
        project.bundle,
        nonblocking=project.nonblocking,
        zero_copy=project.zero_copy,
        instantiate=project.instantiate,
    )
    return built.package_dir


def _python_files(project: Project) -> Iterator[tuple[str, Path]]:
    """The project's own Python files (arcname, path), without the bundle's folder: all of
    ``src/`` in a src layout (every package and module there, as an editable install sees
    them), else the bundle's top-level package in the project root."""
    src = project.root / "src"
    top = src if project.python_root == src else project.python_root / project.top_package
    bundle_rel = Path(*project.bundle.split("."))
    if top.is_dir():
        for path in _walk(top):
            rel = path.relative_to(project.python_root)
            if bundle_rel in rel.parents and len(bundle_rel.parts) > 1:
                continue  # a bundle left by `goffi build -o`: the fresh build replaces it
            yield rel.as_posix(), path


# ---- PEP 517 hooks ---------------------------------------------------------------------


def get_requires_for_build_wheel(config_settings: Mapping[str, Any] | None = None) -> list[str]:
    return [] if sys.version_info >= (3, 11) else ["tomli>=1.1"]


get_requires_for_build_sdist = get_requires_for_build_wheel
get_requires_for_build_editable = get_requires_for_build_wheel


def build_wheel(
    wheel_directory: str,
    config_settings: Mapping[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    project = read_project(Path.cwd())
    package_dir = _build_bundle(project)
    tag = wheel_tag()
    name = f"{project.dist_name}-{project.version}-{tag}.whl"
    wheel = _Wheel(Path(wheel_directory) / name)
    for arcname, path in _python_files(project):
        wheel.add(arcname, path.read_bytes())
    bundle_rel = "/".join(project.bundle.split("."))
    for path in sorted(package_dir.iterdir()):
        # goffi's cache manifest stays behind: it describes the cache entry (and holds the
        # build machine's paths in its go.mod), not the installed package.
        if path.is_file() and path.name != MANIFEST:
            wheel.add(f"{bundle_rel}/{path.name}", path.read_bytes(), executable=path.suffix == ".so")
    _dist_info(project, wheel, tag)
    return name


def _check_go_inside(project: Project) -> None:
    """Refuse an sdist that would not hold the Go modules of its local packages."""
    from goffi.workspace import parse_spec

    for written in project.packages:
        spec = parse_spec(written, project.root)
        root = spec.module_root
        if spec.kind == "local" and root is not None and not root.is_relative_to(project.root):
            raise ConfigError(
                f"{project.root / 'pyproject.toml'} [tool.goffi]: the Go package {written!r} is in the module "
                f"{spec.module_path} at {root}, outside the project folder {project.root}. An sdist holds only "
                "the project folder, so a wheel built from it would have no Go sources. Move that Go module "
                "(its go.mod and packages) inside the project, or build wheels straight from this checkout "
                "(pip wheel ., python -m build --wheel)."
            )


def build_sdist(sdist_directory: str, config_settings: Mapping[str, Any] | None = None) -> str:
    """The project's files (Go sources, go.mod and go.sum included) and PKG-INFO, as a .tar.gz."""
    project = read_project(Path.cwd())
    _check_go_inside(project)
    base = f"{project.dist_name}-{project.version}"
    name = f"{base}.tar.gz"
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)

    def add(tar: tarfile.TarFile, arcname: str, data: bytes) -> None:
        info = tarfile.TarInfo(f"{base}/{arcname}")
        info.size, info.mtime, info.mode = len(data), epoch, 0o644
        tar.addfile(info, io.BytesIO(data))

    with (
        open(Path(sdist_directory) / name, "wb") as raw,
        tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as tar,
    ):
        # Not the project's built distributions, wherever they lie (`python -m build -o out`
        # writes this very sdist inside the project): wheels, and sdists of this project.
        built = re.compile(rf"[^/]+\.whl|{re.escape(project.dist_name)}-[^/]+\.tar\.gz", flags=re.I)
        for path in _walk(project.root, skip_files=built):
            add(tar, path.relative_to(project.root).as_posix(), path.read_bytes())
        add(tar, "PKG-INFO", metadata(project).encode())
    return name


def _prepare_metadata(metadata_directory: str) -> str:
    project = read_project(Path.cwd())
    info = Path(metadata_directory) / f"{project.dist_name}-{project.version}.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(metadata(project))
    (info / "WHEEL").write_text(
        f"Wheel-Version: 1.0\nGenerator: goffi {__version__}\nRoot-Is-Purelib: false\nTag: {wheel_tag()}\n"
    )
    entry_points = _entry_points(project)
    if entry_points:
        (info / "entry_points.txt").write_text(entry_points)
    return info.name


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: Mapping[str, Any] | None = None
) -> str:
    return _prepare_metadata(metadata_directory)


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


# ---- editable installs ---------------------------------------------------------------------

_EDITABLE_HOOK = '''\
"""goffi editable install of {name}: its Python sources from the project, its Go bundle
{bundle} built on import (from goffi's cache while the Go sources are unchanged)."""

from goffi.editable import install

install({root!r}, {python_root!r}, {bundle!r}, {packages!r}, {nonblocking!r}, {zero_copy!r}, {instantiate!r})
'''


def build_editable(
    wheel_directory: str,
    config_settings: Mapping[str, Any] | None = None,
    metadata_directory: str | None = None,
) -> str:
    """A wheel that points at the project: its Python sources stay where they are, and
    its bundle is built when first imported (rebuilt when the Go sources changed)."""
    project = read_project(Path.cwd())
    _build_bundle(project)  # fail now, at install, if the Go code does not build
    tag = wheel_tag()
    name = f"{project.dist_name}-{project.version}-{tag}.whl"
    wheel = _Wheel(Path(wheel_directory) / name)
    hook = f"_goffi_editable_{project.dist_name}"
    wheel.add(
        f"{hook}.py",
        _EDITABLE_HOOK.format(
            name=project.name,
            root=str(project.root),
            python_root=str(project.python_root),
            bundle=project.bundle,
            packages=project.packages,
            nonblocking=project.nonblocking,
            zero_copy=project.zero_copy,
            instantiate=project.instantiate,
        ).encode(),
    )
    wheel.add(f"{hook}.pth", f"import {hook}\n".encode())
    _dist_info(project, wheel, tag)
    return name
