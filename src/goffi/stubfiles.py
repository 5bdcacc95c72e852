"""Where a loaded bundle's ``.pyi`` stubs go, so that mypy and pyright find them.

``goffi.load`` imports a bundle from goffi's cache, a hash-named folder no type checker
looks in; its stubs are copied to a stubs folder, as ``<stubs dir>/<bundle>/*.pyi`` (a
stub-only package: ``goffi.load(..., name="webgo")`` then ``from webgo import strings`` is typed):

- ``goffi.load(..., stubs_dir=PATH)`` writes them under ``PATH`` (made if missing);
- by default (``stubs_dir=None``) under ``$GOFFI_STUBS_DIR`` when that is set, else under
  the project's ``typings/`` folder when it exists: the folder pyright reads stubs from
  by default (its ``stubPath``), found in the current directory or the nearest one above
  it that holds a ``pyproject.toml``. mypy reads it with ``mypy_path = "typings"``;
- ``stubs_dir=False`` writes nothing.

Files are written only when their content changed (type checkers' caches stay valid), and
stubs goffi wrote earlier for the same bundle that it no longer has are removed; nothing
else in the folder is touched.
"""

from __future__ import annotations

import os
from pathlib import Path

# typing is not imported at run time: a warm goffi.load imports this module.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

    StubsDir: TypeAlias = "str | os.PathLike[str] | Literal[False] | None"

# The folder pyright reads stubs from by default (its "stubPath" setting).
DEFAULT_FOLDER = "typings"
# The list of the files goffi wrote into a bundle's stub folder (to remove stale ones).
MARKER = ".goffi-stubs"


def resolve_stubs_dir(stubs_dir: StubsDir, cwd: Path | None = None) -> Path | None:
    """The folder to write stubs under, or None for none (see the module docstring)."""
    if stubs_dir is False:
        return None
    if stubs_dir is True:  # type: ignore[comparison-overlap]  # not in the type, but passed all the same
        raise TypeError(
            "goffi.load(stubs_dir=True): give a folder (stubs_dir='typings'), None for the default "
            "($GOFFI_STUBS_DIR, else the project's typings/ folder when it exists) or False for none"
        )
    if stubs_dir is not None:
        if not isinstance(stubs_dir, str | os.PathLike):
            raise TypeError(f"goffi.load(stubs_dir=...) takes a folder path, not {type(stubs_dir).__name__}")
        return Path(stubs_dir).absolute()
    env = os.environ.get("GOFFI_STUBS_DIR")
    if env:
        return Path(env).absolute()
    here = (cwd or Path.cwd()).absolute()
    for folder in (here, *here.parents):
        if (folder / DEFAULT_FOLDER).is_dir():
            return folder / DEFAULT_FOLDER
        if (folder / "pyproject.toml").is_file():
            return None  # the project's root, which has no typings/ folder
    return None


def write_stubs(package_dir: Path, bundle: str, stubs_dir: Path) -> Path:
    """Copy the ``.pyi`` files of the bundle package at ``package_dir`` to ``stubs_dir/<bundle>/``.

    ``bundle`` may be dotted (a bundle nested in another package): its folders are made."""
    dest = stubs_dir.joinpath(*bundle.split("."))
    try:
        dest.mkdir(parents=True, exist_ok=True)
        wanted = {p.name: p.read_bytes() for p in sorted(package_dir.glob("*.pyi"))}
        marker = dest / MARKER
        before = set(marker.read_text().split()) if marker.is_file() else set()
        for name in sorted(before - set(wanted)):
            (dest / name).unlink(missing_ok=True)
        for name, data in wanted.items():
            target = dest / name
            if target.is_file() and target.read_bytes() == data:
                continue
            staging = dest / f".{name}.{os.getpid()}.tmp"
            staging.write_bytes(data)
            staging.replace(target)
        marker.write_text("".join(f"{n}\n" for n in sorted(wanted)))
    except OSError as e:
        raise OSError(
            f"goffi.load: cannot write the stubs of bundle {bundle!r} to {dest}: {e}. Pass another "
            "folder as stubs_dir=..., or stubs_dir=False to write none"
        ) from e
    return dest
