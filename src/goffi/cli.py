"""The ``goffi`` command: ``goffi inspect PKG...``, ``goffi build PKG... -o DIR`` and ``goffi cache``."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from goffi import store
from goffi._version import __version__
from goffi.build import Progress, build_bundle, names_option, plan_specs
from goffi.cache import cache_root
from goffi.errors import GoffiError
from goffi.inspect import to_json, to_text
from goffi.plan.model import BundlePlan
from goffi.toolchain import find_go
from goffi.workspace import parse_spec


def plan_for(
    packages: Sequence[str],
    name: str = "gopkgs",
    nonblocking: Sequence[str] = (),
    zero_copy: Sequence[str] = (),
    instantiate: Sequence[str] = (),
) -> BundlePlan:
    """Extract and plan ``packages`` without building them (what ``goffi inspect`` shows)."""
    nonblocking = names_option("nonblocking", nonblocking)
    zero_copy = names_option("zero_copy", zero_copy)
    instantiate = names_option("instantiate", instantiate)
    specs = [parse_spec(p, Path.cwd()) for p in packages]
    toolchain = find_go()
    cache = cache_root()
    digest = hashlib.sha256("\0".join(sorted(s.spec for s in specs)).encode()).hexdigest()[:16]
    workdir = cache / "work" / f"inspect-{digest}"
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        return plan_specs(
            specs, workdir, toolchain, cache, Progress(), name, nonblocking, zero_copy, instantiate
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _inspect(args: argparse.Namespace) -> int:
    plan = plan_for(
        args.packages, nonblocking=args.nonblocking, zero_copy=args.zero_copy, instantiate=args.instantiate
    )
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
    _check_output(out, args.output, force=args.force)  # before the build: fail fast
    specs = [parse_spec(p, Path.cwd()) for p in args.packages]
    lock = None
    if args.locked:
        from goffi.lock import read_lock

        lock = read_lock(out)
    bundle = build_bundle(
        specs,
        name,
        progress=Progress(True if args.verbose else None),
        nonblocking=args.nonblocking,
        zero_copy=args.zero_copy,
        instantiate=args.instantiate,
        lock=lock,
    )
    replace = _check_output(out, args.output, force=args.force)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Copied next to its place first, then swapped in, so a failed copy leaves the old one.
    fresh = out.with_name(f".{name}.goffi-new-{uuid.uuid4().hex[:8]}")
    try:
        shutil.copytree(bundle.package_dir, fresh, ignore=shutil.ignore_patterns("__pycache__"))
        if replace:
            store.remove_entry(out)
        elif out.exists():
            out.rmdir()  # empty, checked above
        os.replace(fresh, out)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    modules = ", ".join(sorted(bundle.modules.values()))
    print(f"built {out} ({'new build' if bundle.built_now else 'from cache'}): modules {modules}")
    first = sorted(bundle.modules.values())[0]
    print(f"use it: sys.path.insert(0, {str(out.parent)!r}); from {name} import {first}")
    return 0


def _goffi_made(folder: Path) -> dict[str, object] | None:
    """The manifest of ``folder`` when goffi built it (``goffi build -o``), else None."""
    try:
        manifest = json.loads((folder / store.MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if isinstance(manifest, dict) and {"key", "name", "modules", "files"} <= manifest.keys():
        return manifest
    return None


def _check_output(out: Path, shown: str, force: bool) -> bool:
    """Whether ``out`` holds an old bundle to replace; raises if it holds anything else.

    goffi never deletes a folder it did not make: one is goffi's when it holds goffi's
    manifest. A goffi-made folder holding only goffi's files is replaced; one the user
    added files to only with --force.
    """
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise GoffiError(f"-o {shown}: {out} exists and is not a folder; goffi will not replace it")
    if not out.exists():
        return False
    contents = [p for p in out.iterdir()]
    if not contents:
        return False
    manifest = _goffi_made(out)
    if manifest is None:
        raise GoffiError(
            f"-o {shown}: {out} is not empty and goffi did not make it (it has no {store.MANIFEST}), so "
            "goffi will not delete what is in it, with or without --force. Choose a new or empty folder, "
            "or remove this one yourself."
        )
    files = manifest["files"]
    written = files if isinstance(files, dict) else {}
    ours = {store.MANIFEST, "__pycache__"} | {str(rel).split("/")[0] for rel in written}
    extra = sorted(p.name for p in contents if p.name not in ours)
    if extra and not force:
        raise GoffiError(
            f"-o {shown}: {out} is a bundle goffi built, but it also holds files goffi did not write "
            f"({', '.join(extra[:5])}{' ...' if len(extra) > 5 else ''}); pass --force to replace the "
            "folder with them, or move them out first."
        )
    return True


def _cache(args: argparse.Namespace) -> int:
    cache = cache_root()
    action = args.action or "list"
    if action == "list":
        return _cache_list(cache, as_json=args.json)
    if action == "clear":
        removed = store.clear(cache)
    else:
        try:
            older = store.parse_duration(args.older_than) if args.older_than else None
            limit = store.parse_size(args.max_size) if args.max_size else None
        except ValueError as e:
            raise GoffiError(str(e)) from None
        if older is None and limit is None:
            limit = store.default_max_size()
        removed = store.prune(cache, older_than=older, max_size=limit)
    freed = store.format_size(sum(e.size for e in removed))
    print(f"removed {len(removed)} bundle{'s' if len(removed) != 1 else ''} ({freed}) from {cache}")
    for entry in removed:
        print(f"  {entry.key}  {', '.join(entry.packages) or '?'}")
    return 0


def _cache_list(cache: Path, as_json: bool) -> int:
    entries = store.list_entries(cache)
    entries.sort(key=lambda e: e.last_use, reverse=True)
    total = sum(e.size for e in entries)
    limit = store.default_max_size()
    if as_json:
        doc = {
            "cache": str(cache),
            "total_size": total,
            "max_size": limit,
            "bundles": [
                {
                    "key": e.key,
                    "name": e.name,
                    "packages": list(e.packages),
                    "size": e.size,
                    "last_use": e.last_use,
                    "problem": e.problem,
                }
                for e in entries
            ],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return 0
    shown_limit = "no limit" if limit is None else f"limit {store.format_size(limit)}"
    print(
        f"{cache}: {len(entries)} bundle{'s' if len(entries) != 1 else ''}, {store.format_size(total)} "
        f"({shown_limit}, GOFFI_CACHE_MAX_SIZE)"
    )
    if entries:
        print(f"  {'KEY':<20}  {'SIZE':>7}  {'LAST USE':<16}  PACKAGES")
    for e in entries:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.last_use))
        line = f"  {e.key:<20}  {store.format_size(e.size):>7}  {when:<16}  {', '.join(e.packages) or '?'}"
        if e.problem:
            line += f"  [damaged: {e.problem}; the next load rebuilds it]"
        print(line)
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
    parser.add_argument(
        "--instantiate",
        action="append",
        default=[],
        metavar="INSTANCE",
        help="an instantiation of a generic function or type to build besides the automatic ones, "
        "spelled as Go spells it: 'slices.Max[int32]', 'github.com/samber/lo.Map[string, int]', "
        "'github.com/samber/lo.Tuple2[time.Duration, string]'",
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
    p_build.add_argument(
        "--force",
        action="store_true",
        help="replace DIR even if files were added to it, when goffi built it (never a folder goffi did not make)",
    )
    p_build.add_argument(
        "--locked",
        action="store_true",
        help="reuse exactly the module versions and go.sum recorded by the bundle already in DIR "
        "(no module proxy query for @latest or branches); fail if they cannot be honoured",
    )
    p_build.add_argument("-v", "--verbose", action="store_true", help="report build steps on stderr")
    _policy_options(p_build)
    p_build.set_defaults(run=_build)

    p_cache = sub.add_parser("cache", help="list, size and prune goffi's cache of built bundles")
    p_cache.set_defaults(run=_cache, action=None, json=False)
    cache_sub = p_cache.add_subparsers(dest="action")
    p_list = cache_sub.add_parser("list", help="each bundle: key, packages, size, last use (the default)")
    p_list.add_argument("--json", action="store_true", help="machine-readable output")
    p_prune = cache_sub.add_parser(
        "prune", help="remove bundles unused for a while, or the least recently used beyond a size"
    )
    p_prune.add_argument("--older-than", metavar="AGE", help="remove bundles unused for AGE (30d, 12h, 90m)")
    p_prune.add_argument(
        "--max-size",
        metavar="SIZE",
        help="then remove least recently used bundles until the rest fit (2G, 500M)",
    )
    cache_sub.add_parser("clear", help="remove every bundle (those being built excepted)")

    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except GoffiError as e:
        print(f"goffi {args.command}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
