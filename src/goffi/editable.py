"""Editable installs (``pip install -e .`` of a project built by goffi.build_backend).

The editable wheel holds one ``.pth`` file that imports a small hook module at start-up,
which calls :func:`install`: the project's Python sources are put on ``sys.path``, and a
finder answers the import of the bundle (``mylib._go``) by building it with goffi, from
goffi's cache while the Go sources are unchanged, so an edit to a Go file shows on the
next import in a new process. It needs Go and the build pipeline, as any build does; a
regular wheel never imports this module.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType


class BundleFinder(importlib.abc.MetaPathFinder):
    """Finds one bundle (by its import name) by building it from the project's Go sources."""

    def __init__(
        self,
        root: str,
        bundle: str,
        packages: Sequence[str],
        nonblocking: Sequence[str],
        zero_copy: Sequence[str],
        instantiate: Sequence[str] = (),
    ) -> None:
        self.root = Path(root)
        self.bundle = bundle
        self.packages = tuple(packages)
        self.nonblocking = tuple(nonblocking)
        self.zero_copy = tuple(zero_copy)
        self.instantiate = tuple(instantiate)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.bundle:
            return None
        from goffi.build import Progress, build_bundle
        from goffi.workspace import parse_spec

        specs = [parse_spec(p, self.root) for p in self.packages]
        built = build_bundle(
            specs,
            self.bundle,
            progress=Progress(),
            nonblocking=self.nonblocking,
            zero_copy=self.zero_copy,
            instantiate=self.instantiate,
        )
        return importlib.util.spec_from_file_location(
            fullname, built.package_dir / "__init__.py", submodule_search_locations=[str(built.package_dir)]
        )


def install(
    root: str,
    python_root: str,
    bundle: str,
    packages: Sequence[str],
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
    instantiate: Sequence[str] = (),
) -> None:
    """Make the project at ``root`` importable from its sources, its bundle built on import."""
    if python_root not in sys.path:
        sys.path.append(python_root)
    if not any(isinstance(f, BundleFinder) and f.bundle == bundle for f in sys.meta_path):
        sys.meta_path.insert(0, BundleFinder(root, bundle, packages, nonblocking, zero_copy, instantiate))
