"""The ``goffi`` command: ``goffi inspect PKG...`` and ``goffi build PKG... -o DIR``."""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from goffi._version import __version__
from goffi.build import Progress, build_bundle, plan_specs
from goffi.cache import cache_root
from goffi.errors import GoffiError
from goffi.inspect import to_json, to_text
from goffi.plan import BundlePlan
from goffi.toolchain import find_go
from goffi.workspace import parse_spec


def plan_for(
    packages: Sequence[str],
    name: str = "gopkgs",
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
) -> BundlePlan:
    """Extract and plan ``packages`` without building them (what ``goffi inspect`` shows)."""
    specs = [parse_spec(p, Path.cwd()) for p in packages]
    toolchain = find_go()
    cache = cache_root()
    digest = hashlib.sha256("\0".join(sorted(s.spec for s in specs)).encode()).hexdigest()[:16]
    workdir = cache / "work" / f"inspect-{digest}"
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        return plan_specs(specs, workdir, toolchain, cache, Progress(), name, nonblocking, zero_copy)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _inspect(args: argparse.Namespace) -> int:
    plan = plan_for(args.packages, nonblocking=args.nonblocking, zero_copy=args.zero_copy)
    sys.stdout.write(to_json(plan) if args.json else to_text(plan))
    return 0


def _build(args: argparse.Namespace) -> int:
    out = Path(args.output)
    name = out.name
    if not name.isidentifier():
        raise GoffiError(
            f"-o {args.output}: the bundle is a Python package named after the folder, and {name!r} "
            "is not a valid Python identifier; choose a name like build/gopkgs"
        )
    specs = [parse_spec(p, Path.cwd()) for p in args.packages]
    bundle = build_bundle(
        specs,
        name,
        progress=Progress(True if args.verbose else None),
        nonblocking=args.nonblocking,
        zero_copy=args.zero_copy,
    )
    if out.exists():
        shutil.rmtree(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(bundle.package_dir, out)
    modules = ", ".join(sorted(bundle.modules.values()))
    print(f"built {out} ({'new build' if bundle.built_now else 'from cache'}): modules {modules}")
    first = sorted(bundle.modules.values())[0]
    print(f"use it: sys.path.insert(0, {str(out.parent)!r}); from {name} import {first}")
    return 0


def _policy_options(parser: argparse.ArgumentParser) -> None:
    """The per-function call policies (goffi.load's nonblocking= and zero_copy=)."""
    parser.add_argument(
        "--nonblocking",
        action="append",
        default=[],
        metavar="NAME",
        help="a function that neither blocks nor calls back (e.g. strings.ToUpper): call it with the GIL held",
    )
    parser.add_argument(
        "--zero-copy",
        action="append",
        default=[],
        metavar="NAME",
        help="a function (e.g. example.com/m.Scale) whose numeric slices cross as buffer views in (those "
        "Go does not keep, by Go's escape analysis) and memoryviews of Go memory out",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="goffi", description="Import Go packages into Python.")
    parser.add_argument("--version", action="version", version=f"goffi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p_inspect = sub.add_parser("inspect", help="show what each exported Go symbol becomes in Python, and why")
    p_inspect.add_argument(
        "packages", nargs="+", metavar="PKG", help="import path, ./folder, or path@version"
    )
    p_inspect.add_argument("--json", action="store_true", help="machine-readable output")
    _policy_options(p_inspect)
    p_inspect.set_defaults(run=_inspect)

    p_build = sub.add_parser("build", help="build Go packages into one importable Python package (a bundle)")
    p_build.add_argument("packages", nargs="+", metavar="PKG", help="import path, ./folder, or path@version")
    p_build.add_argument(
        "-o", "--output", required=True, metavar="DIR", help="the bundle's folder, e.g. build/gopkgs"
    )
    p_build.add_argument("-v", "--verbose", action="store_true", help="report build steps on stderr")
    _policy_options(p_build)
    p_build.set_defaults(run=_build)

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except GoffiError as e:
        print(f"goffi {args.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
