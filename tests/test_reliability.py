"""The reliability matrix (issue 11): hostile Go code, hostile Python input, concurrency,
lifetimes and processes, each case in its own interpreter with a time bound.

Every case loads tests/gopkgs/hostile (Go that misbehaves on purpose) in a fresh
process sharing the session cache, and asserts the exit status and what the process
printed: the exception goffi raised, or, for the hazards Go itself makes fatal (a
panic in a goroutine goffi did not start, runtime.Goexit, a send on a channel Python
closed), that the process ends loudly with Go's own report rather than silently.
The README's "Reliability" section states the promise each category checks.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HOSTILE = Path(__file__).resolve().parent / "gopkgs" / "hostile"

# Every case starts with the bundle loaded as `h`.
PRELUDE = f"""\
import datetime, gc, os, sys, time, goffi
h = goffi.load({str(HOSTILE)!r})
"""

# A case's time bound: generous on a loaded machine, far below "hangs forever".
TIMEOUT = 120


@dataclass(frozen=True)
class Case:
    code: str
    out: tuple[str, ...] = ()  # substrings of stdout
    err: tuple[str, ...] = ()  # substrings of stderr
    status: int = 0  # expected exit status (negative: killed by that signal)
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()  # interpreter options
    slow: bool = False


def run_case(case: Case, cache: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, GOFFI_CACHE_DIR=str(cache), GOFFI_VERBOSE="0", **case.env)
    return subprocess.run(
        [sys.executable, *case.args, "-c", PRELUDE + textwrap.dedent(case.code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def check_case(case: Case, done: subprocess.CompletedProcess[str]) -> None:
    report = f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr[-4000:]}"
    assert done.returncode == case.status, report
    for text in case.out:
        assert text in done.stdout, f"{text!r} not in stdout\n{report}"
    for text in case.err:
        assert text in done.stderr, f"{text!r} not in stderr\n{report}"


CASES: dict[str, Case] = {
    # ---- hostile Go values: every one raises a Python exception -----------------------
    "panic value whose Error() panics": Case(
        """
        try:
            h.PanicBadError()
        except goffi.GoPanic as e:
            print("GoPanic:", e.value, "|", e.go_type)
        print(h.Add(1, 2))
        """,
        out=(
            "GoPanic: (hostile.BadError: its Error/String method panicked: Error() panicked) | hostile.BadError",
            "3",
        ),
    ),
    "panic value whose String() panics": Case(
        """
        try:
            h.PanicBadStringer()
        except goffi.GoPanic as e:
            print("GoPanic:", e.value)
        """,
        out=("GoPanic: (hostile.BadStringer: its Error/String method panicked: String() panicked)",),
    ),
    "panic(nil) under GODEBUG=panicnil=1": Case(
        """
        try:
            print("returned", h.PanicNil())
        except goffi.GoPanic as e:
            print("GoPanic:", e.value)
        print(h.Add(2, 3))
        """,
        env={"GODEBUG": "panicnil=1"},
        out=("GoPanic: the Go function neither returned nor panicked with a value: panic(nil)", "5"),
    ),
    "panic(nil) by default": Case(
        """
        try:
            print("returned", h.PanicNil())
        except goffi.GoPanic as e:
            print("GoPanic:", e.go_type, "|", e.value)
        """,
        out=("GoPanic: runtime.Error | runtime error: panic called with nil argument",),
    ),
    "an error whose Unwrap returns itself": Case(
        """
        try:
            h.SelfWrapped()
        except goffi.GoError as e:
            print("GoError:", e, "| cause:", e.__cause__)
        """,
        out=("GoError: i wrap myself | cause: None",),
    ),
    "two errors that wrap each other": Case(
        """
        try:
            h.MutualWrapped()
        except goffi.GoError as e:
            print("GoError:", e, isinstance(e, h.LoopA), isinstance(e, h.LoopB))
        """,
        out=("GoError: loop a True True",),
    ),
    # ---- hostile Python input ---------------------------------------------------------
    "a channel buffer larger than memory": Case(
        """
        for n in (2**40, 2**62):
            try:
                goffi.make_chan("int64", buffer=n)
            except MemoryError as e:
                print("MemoryError:", e)
        print(goffi.make_chan("int64", buffer=4).cap)
        """,
        out=("MemoryError: make_chan() buffer: 1099511627776 elements of 8 bytes need 8.0 TiB", "4"),
    ),
    "a collections.abc.Mapping for a Go map": Case(
        """
        from collections.abc import Mapping

        class Frozen(Mapping):
            def __init__(self, d): self.d = d
            def __getitem__(self, k): return self.d[k]
            def __iter__(self): return iter(self.d)
            def __len__(self): return len(self.d)

        print("count", h.Count(Frozen({"a": 1, "b": 2})))
        try:
            h.Count([("a", 1)])
        except TypeError as e:
            print("TypeError:", e)
        """,
        out=(
            "count 2",
            "TypeError: hostile.Count() argument 'm' (Go map[string]int64) must be a dict, not list",
        ),
    ),
    "an unclosed object dropped with warnings as errors": Case(
        """
        r = h.NewResource()
        del r
        gc.collect()
        print("alive", h.Add(1, 1))
        """,
        args=("-W", "error::ResourceWarning"),
        out=("alive 2",),
        err=("Exception ignored in: <class 'gopkgs_", ".hostile.Resource'>", "ResourceWarning: unclosed"),
    ),
    "an unclosed object dropped by Go's finalizer with warnings as errors": Case(
        """
        def keep(r=h.NewResource()):
            pass
        h.CallLater(datetime.timedelta(0), keep)
        del keep
        time.sleep(0.2)
        for _ in range(5):
            goffi.collect_go()
        print("alive", h.Add(1, 1))
        """,
        env={"PYTHONWARNINGS": "error"},
        out=("alive 2",),
        # Reported once, naming the class: the dying object is never touched again.
        err=("Exception ignored in: <class 'gopkgs_", ".hostile.Resource'>"),
    ),
    # ---- concurrency ------------------------------------------------------------------
    "callbacks from many goroutines": Case(
        """
        print("sum", h.CallFromGoroutines(64, lambda i: i * 2))
        """,
        out=(f"sum {sum(i * 2 for i in range(64))}",),
    ),
    # ---- lifetimes --------------------------------------------------------------------
    "thread states of exited threads are released": Case(
        """
        import ctypes
        api = ctypes.pythonapi
        api.PyInterpreterState_Main.restype = ctypes.c_void_p
        api.PyInterpreterState_ThreadHead.restype = ctypes.c_void_p
        api.PyInterpreterState_ThreadHead.argtypes = [ctypes.c_void_p]
        api.PyThreadState_Next.restype = ctypes.c_void_p
        api.PyThreadState_Next.argtypes = [ctypes.c_void_p]

        def states():
            t, n = api.PyInterpreterState_ThreadHead(api.PyInterpreterState_Main()), 0
            while t:
                n, t = n + 1, api.PyThreadState_Next(t)
            return n

        before = states()
        print("sum", h.CallOnExitingThreads(300, lambda: 1))
        for _ in range(50):  # the last threads may still be exiting
            if states() <= before + 4:
                break
            time.sleep(0.1)
        print("grew", states() - before <= 4, before, states())
        """,
        out=("sum 300", "grew True"),
    ),
    # ---- processes --------------------------------------------------------------------
    "a subinterpreter is refused, and the main interpreter's callbacks go on": Case(
        f"""
        import _xxsubinterpreters as interpreters
        sub = interpreters.create()
        try:
            interpreters.run_string(sub, "import sys; sys.path[:] = {sys.path!r}; import goffi; goffi.load({str(HOSTILE)!r})")
        except Exception as e:
            print("refused:", type(e).__name__, e)
        interpreters.destroy(sub)
        print("sum", h.CallFromGoroutines(8, lambda i: 1))
        """,
        out=(
            "refused: RunFailedError",
            "SubinterpreterError'>: cannot import goffi bundle 'gopkgs_",
            "' in a subinterpreter: goffi supports only the main interpreter",
            "sum 8",
        ),
    ),
    "exit with a live subinterpreter after goroutine callbacks": Case(
        """
        import _xxsubinterpreters as interpreters
        print("sum", h.CallFromGoroutines(8, lambda i: 1))
        sub = interpreters.create()
        interpreters.run_string(sub, "x = 1")
        print("leaving")
        """,
        out=("sum 8", "leaving"),
    ),
    # ---- Ctrl-C -----------------------------------------------------------------------
    "Ctrl-C cancels the context of a call that waits for it": Case(
        """
        import signal, threading
        for ctx in (None, h.Background()):
            threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
            try:
                h.WaitDone(ctx)
            except KeyboardInterrupt:
                print("KeyboardInterrupt")
        try:
            h.WaitDone(h.WithTimeout(datetime.timedelta(milliseconds=20)))
        except TimeoutError as e:
            print("TimeoutError:", e)
        print("handler restored", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
        """,
        out=(
            "KeyboardInterrupt\nKeyboardInterrupt\n",
            "TimeoutError: context deadline exceeded",
            "handler restored True",
        ),
    ),
    "Ctrl-C during a call without a context arrives when it returns": Case(
        """
        import signal, threading
        threading.Timer(0.1, os.kill, (os.getpid(), signal.SIGINT)).start()
        start = time.monotonic()
        try:
            h.Sleep(datetime.timedelta(seconds=3))
        except KeyboardInterrupt:
            # Raised once the call is over (a lower bound: the sleep ran to its end). The
            # 3 s leave the 0.1 s timer room to fire during the call on a loaded machine.
            print("KeyboardInterrupt after the call:", time.monotonic() - start >= 2.95)
        """,
        out=("KeyboardInterrupt after the call: True",),
    ),
    # ---- hazards Go makes fatal: the process ends loudly, with Go's own report --------
    "runtime.Goexit in a bridged function": Case(
        """
        h.Exit()
        print("not reached")
        """,
        status=-signal.SIGABRT,
        err=(
            "goffi: a Go function called from Python ended with runtime.Goexit()",
            "runtime.Goexit called in a thread that was not created by the Go runtime",
        ),
    ),
    "a panic in a goroutine the Go function started": Case(
        """
        h.PanicInGoroutine()
        print("not reached")
        """,
        status=-signal.SIGABRT,
        err=("panic: panic in a goroutine", "goroutine "),
    ),
    "Go sends on a channel Python closed": Case(
        """
        ch = goffi.make_chan("int64", buffer=1)
        h.SendLater(ch, 1, datetime.timedelta(seconds=0.1))
        ch.close()
        time.sleep(60)  # Go's send 0.1 s later ends the process long before this
        print("not reached")
        """,
        status=-signal.SIGABRT,
        err=("panic: send on closed channel",),
    ),
}


@pytest.fixture(scope="module")
def hostile_cache(session_cache: Path) -> Path:
    """The session cache, with the hostile bundle built in it (once, by a subprocess)."""
    done = run_case(Case("print(h.Add(1, 2))"), session_cache)
    assert done.returncode == 0 and done.stdout == "3\n", done.stderr
    return session_cache


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if c.slow else n for n, c in CASES.items()]
)
def test_reliability_case(name: str, hostile_cache: Path) -> None:
    case = CASES[name]
    check_case(case, run_case(case, hostile_cache))


def test_two_copies_of_one_bundle_are_two_runtimes_and_refused(hostile_cache: Path, tmp_path: Path) -> None:
    """With one Go runtime per process ($GOFFI_SINGLE_RUNTIME), a copy of the loaded bundle is refused."""
    env = dict(os.environ, GOFFI_CACHE_DIR=str(hostile_cache), GOFFI_VERBOSE="0", GOFFI_SINGLE_RUNTIME="1")
    done = subprocess.run(
        [sys.executable, "-m", "goffi", "build", str(HOSTILE), "-o", str(tmp_path / "one" / "hostile_a")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    shutil.copytree(tmp_path / "one" / "hostile_a", tmp_path / "two" / "hostile_b")
    code = f"""
        import os, sys, goffi
        sys.path[:0] = [{str(tmp_path / "one")!r}, {str(tmp_path / "two")!r}]
        from hostile_a import hostile as a
        try:
            from hostile_b import hostile as b
        except goffi.BundleConflictError as e:
            print("refused:", e)
        # A child inherits the record ($GOFFI_GO_RUNTIME) but not the runtime: it may load either copy.
        import subprocess
        child = subprocess.run(
            [sys.executable, "-c", "from hostile_b import hostile as b; print('child', b.Add(2, 2))"],
            env=dict(os.environ, PYTHONPATH=os.pathsep.join([{str(tmp_path / "two")!r}, *sys.path])),
            capture_output=True, text=True,
        )
        print(child.stdout.strip(), child.stderr.strip()[-500:])
        print(a.Add(1, 2))
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    assert "refused: cannot load goffi bundle 'hostile_b' from " in done.stdout, done.stdout
    assert "this process already runs the Go runtime of " in done.stdout
    assert "child 4" in done.stdout
    assert done.stdout.endswith("3\n")


@pytest.mark.slow
def test_a_failing_init_ends_the_process_with_gos_report(session_cache: Path) -> None:
    folder = HOSTILE.parent / "badinit"
    code = f"import goffi\nm = goffi.load({str(folder)!r})\nprint(m.Hello())\n"
    env = dict(os.environ, GOFFI_CACHE_DIR=str(session_cache), GOFFI_VERBOSE="0")
    ok = subprocess.run(
        [sys.executable, "-c", code],
        env=dict(env, BADINIT_OK="1"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ok.returncode == 0 and ok.stdout == "hello\n", ok.stderr
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.returncode == -signal.SIGABRT, done.stderr
    assert "panic: badinit: init failed" in done.stderr
    assert "hello" not in done.stdout


def test_inspect_shows_which_calls_ctrl_c_cancels(hostile_cache: Path) -> None:
    env = dict(os.environ, GOFFI_CACHE_DIR=str(hostile_cache), GOFFI_VERBOSE="0")
    done = subprocess.run(
        [sys.executable, "-m", "goffi", "inspect", str(HOSTILE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    note = "context.Context first: Ctrl-C cancels the context it gets and raises KeyboardInterrupt"
    entries = done.stdout.split("bridged  ")
    (wait,) = [e for e in entries if e.startswith("WaitDone(")]
    (sleep,) = [e for e in entries if e.startswith("Sleep(")]
    assert note in wait
    assert note not in sleep
