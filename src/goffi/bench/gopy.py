"""The gopy baseline: gobench's plain-Go functions (api.go) bound by gopy, timed elsewhere.

gopy's extension carries its own Go runtime, so it is built and timed in separate
processes (``python -m goffi.bench.gopy worker``), never next to goffi's bundle. Its
numbers therefore come from other rounds than goffi's and are less comparable than the
in-run baselines; the table says so. Any failure (no network, gopy not building with
this Go) becomes the one-line reason every gopy cell shows.

Tools go into goffi's cache (``<cache>/bench/gopy``): gopy and goimports built by Go,
pybindgen pip-installed into a private directory (never into the running environment).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from goffi.bench.context import GopyOutcome, Settings, measure_results
from goffi.bench.model import Result
from goffi.bench.timing import Contender, call_loop, inc_loop

GOPY = "github.com/go-python/gopy"
#: Used when `go install gopy@latest` fails (e.g. a proxy that refuses version lists).
GOPY_PIN = "v0.4.10"
#: gopy v0.4.10 requires x/tools v0.16, which does not compile with Go >= 1.26.
XTOOLS_PIN = "v0.38.0"
BUILD_TIMEOUT = 900


class GopyFailed(Exception):
    """A gopy step failed; the message is the reason shown in the table (one line)."""


@dataclass(frozen=True)
class Tools:
    gopy: Path
    goimports: Path
    pylib: Path  # holds pybindgen
    version: str  # the gopy version to require in projects ("latest" or the pin)
    pinned: bool
    why_pinned: str  # why @latest was not used


def _run(argv: Sequence[str], cwd: Path, env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(
            list(argv), cwd=cwd, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise GopyFailed(f"{what}: {e}") from None
    if done.returncode != 0:
        lines = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()
        raise GopyFailed(f"{what} failed: {lines[-1].strip()}")
    return done.stdout


def _go_env(go: Path, pylib: Path | None = None, tools: Path | None = None) -> dict[str, str]:
    path = os.pathsep.join(str(p) for p in (tools, go.parent) if p is not None)
    env = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=mod", GOWORK="off", CGO_ENABLED="1")
    env["PATH"] = path + os.pathsep + env.get("PATH", "")
    if pylib is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pylib), env.get("PYTHONPATH", "")]))
    return env


def install_tools(root: Path, go: Path) -> Tools:
    """gopy, goimports and pybindgen under ``root``, installed once and then reused."""
    bin_dir, pylib = root / "bin", root / "pylib"
    marker = root / "installed.json"
    if marker.is_file() and (pylib / "pybindgen").is_dir():
        info = json.loads(marker.read_text())
        return Tools(
            bin_dir / "gopy", bin_dir / "goimports", pylib, info["version"], info["pinned"], info["why"]
        )
    bin_dir.mkdir(parents=True, exist_ok=True)
    env = dict(_go_env(go), GOBIN=str(bin_dir), GOFLAGS="")
    try:
        _run([str(go), "install", f"{GOPY}@latest"], root, env, f"go install {GOPY}@latest")
        _run(
            [str(go), "install", "golang.org/x/tools/cmd/goimports@latest"], root, env, "go install goimports"
        )
        version, pinned, why = "latest", False, ""
    except GopyFailed as e:
        why = str(e)
        try:
            _build_pinned(root / "tools-module", bin_dir, go)
        except GopyFailed as pin_failed:
            raise GopyFailed(f"{why}; and pinned {GOPY_PIN}: {pin_failed}") from None
        version, pinned = GOPY_PIN, True
    _run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(pylib), "pybindgen"],
        root,
        dict(os.environ),
        "pip install pybindgen",
    )
    marker.write_text(json.dumps({"version": version, "pinned": pinned, "why": why}))
    return Tools(bin_dir / "gopy", bin_dir / "goimports", pylib, version, pinned, why)


def _require_gopy(module_dir: Path, go: Path, version: str, pinned: bool) -> None:
    env = _go_env(go)
    wanted = [f"{GOPY}@{version}"] + ([f"golang.org/x/tools@{XTOOLS_PIN}"] if pinned else [])
    _run([str(go), "get", *wanted], module_dir, env, f"go get {' '.join(wanted)}")


def _build_pinned(module_dir: Path, bin_dir: Path, go: Path) -> None:
    """Build gopy at the pinned version, with an x/tools new enough for this Go."""
    shutil.rmtree(module_dir, ignore_errors=True)
    module_dir.mkdir(parents=True)
    (module_dir / "go.mod").write_text("module goffi.local/gopytools\n\ngo 1.24\n")
    _require_gopy(module_dir, go, GOPY_PIN, pinned=True)
    env = _go_env(go)
    for out, pkg in (("gopy", GOPY), ("goimports", "golang.org/x/tools/cmd/goimports")):
        _run([str(go), "build", "-o", str(bin_dir / out), pkg], module_dir, env, f"go build {pkg}@pinned")


def build_project(tools: Tools, project: Path, api_go: Path, go: Path) -> int:
    """Bind gobench (api.go) and the std ``strings`` with gopy; returns the ``strings`` build time (ns)."""
    shutil.rmtree(project, ignore_errors=True)
    (project / "gobench").mkdir(parents=True)
    (project / "go.mod").write_text("module goffi.local/gobenchgopy\n\ngo 1.24\n")
    shutil.copy(api_go, project / "gobench" / "api.go")
    _require_gopy(project, go, tools.version, tools.pinned)
    env = _go_env(go, tools.pylib, tools.gopy.parent)
    gopy = [str(tools.gopy), "build", f"-vm={sys.executable}"]
    _run([*gopy, "-output=gopy_gobench", "-name=gobench", "./gobench"], project, env, "gopy build gobench")
    start = time.perf_counter_ns()
    _run([*gopy, "-output=gopy_strings", "-name=gostrings", "strings"], project, env, "gopy build strings")
    return time.perf_counter_ns() - start


def measure_gopy(settings: Settings, root: Path, project: Path, api_go: Path, go: Path) -> GopyOutcome:
    """Install, build and time gopy; never raises for gopy's own failures."""
    try:
        tools = install_tools(root, go)
        build_ns = build_project(tools, project, api_go, go)
        argv = [sys.executable, "-m", "goffi.bench.gopy", "worker", str(project), str(settings.reps)]
        out = _run(argv + (["--quick"] if settings.quick else []), project, dict(os.environ), "gopy worker")
    except GopyFailed as e:
        return GopyOutcome(reason=str(e))
    results = {case: Result(**data) for case, data in json.loads(out).items()}
    results["cold_build"] = Result("gopy", ns=float(build_ns), samples=[float(build_ns)], per_rep=1)
    for case, r in results.items():
        r.label, r.group = "gopy", f"gopy-{case}"  # its own rounds: never paired with goffi's
    note = f"gopy {tools.version} from {tools.gopy.parent}"
    if tools.pinned:
        note = f"gopy {GOPY_PIN} (pinned, with x/tools {XTOOLS_PIN}; {tools.why_pinned})"
    return GopyOutcome(results=results, reason="", note=note)


# ------------------------------------------------------------------------------ worker


def worker(project: Path, reps: int, quick: bool) -> dict[str, Result]:
    """Time gopy's binding of gobench in this process (which holds gopy's Go runtime only)."""
    sys.path.insert(0, str(project))
    from gopy_gobench import gobench  # type: ignore[import-not-found]

    settings = Settings.make(quick=quick, gopy=False, reps=reps)
    cases = {
        "add": call_loop(gobench.Add, 1, 2),
        "noop": call_loop(gobench.Noop),
        "upper_16": call_loop(gobench.Upper, "abcdefghijklmnop"),
        "upper_4k": call_loop(gobench.Upper, "abcdefghijklmnop" * 256),
        "error_nil": call_loop(gobench.AddErr, 1, 2),
        "handle_method": inc_loop(gobench.NewCounter()),
    }
    out = {}
    for case, run in cases.items():
        results, _ = measure_results([Contender("gopy", run)], settings, per_call=True)
        out[case] = results["gopy"]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m goffi.bench.gopy")
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("worker", help="time gopy's gobench binding (run by the suite)")
    w.add_argument("project", type=Path)
    w.add_argument("reps", type=int)
    w.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    results = worker(args.project, args.reps, args.quick)
    print(json.dumps({case: r.__dict__ for case, r in results.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
