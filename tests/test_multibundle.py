"""Several bundles in one process (issue 15): independently built bundles, each with its own
Go runtime, imported side by side on Linux with glibc.

Each scenario runs in a fresh interpreter (a test process holds only the session bundle)
that loads two ``goffi.load`` bundles of tests/gopkgs/multia and multib, and a third bundle
made by ``goffi build strconv``. The builds are shared through the session cache.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import GO_TEST_PACKAGES
from goffi.loader import bundle_name
from goffi.runtime import guard

MULTIA = str(GO_TEST_PACKAGES / "multia")
MULTIB = str(GO_TEST_PACKAGES / "multib")
ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    guard.single_runtime_reason() is not None,
    reason=f"several Go runtimes per process are off here: {guard.single_runtime_reason()}",
)


def run(
    code: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=dict(os.environ, GOFFI_VERBOSE="0", PYTHONPATH=str(ROOT / "src"), **(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def check(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def third(session_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding bundle ``third`` (``goffi build strconv``); the two goffi.load
    bundles are built into the session cache on the way."""
    out = tmp_path_factory.mktemp("multibundle")
    check(run(f"import goffi; goffi.load({MULTIA!r}); goffi.load({MULTIB!r})"))
    done = subprocess.run(
        [sys.executable, "-m", "goffi", "build", "strconv", "-o", str(out / "third")],
        env=dict(os.environ, GOFFI_VERBOSE="0", PYTHONPATH=str(ROOT / "src")),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return out


def prelude(third: Path) -> str:
    return f"""
        import gc, sys, threading
        import goffi
        from goffi import runtime
        a = goffi.load({MULTIA!r})
        b = goffi.load({MULTIB!r})
        sys.path.insert(0, {str(third)!r})
        from third import strconv
        A, B = a.__name__.rpartition(".")[0], b.__name__.rpartition(".")[0]
        MULTIA, MULTIB = {MULTIA!r}, {MULTIB!r}
        """


def test_three_bundles_load_and_each_raises_its_own_errors(third: Path) -> None:
    out = check(
        run(
            prelude(third)
            + """
        assert A != B and A.startswith("gopkgs_") and B.startswith("gopkgs_"), (A, B)
        assert [x.name for x in runtime.loaded_bundles()] == [A, B, "third"]
        print(a.NewBoxA(2).Value() + b.NewBoxB(3).Value(), strconv.Itoa(45))
        # A second load of a loaded bundle's packages is that bundle.
        assert goffi.load(MULTIA) is a and goffi.load(MULTIB) is b
        try:
            a.FailA("one")
        except b.ErrB:
            raise SystemExit("bundle B's ErrB caught bundle A's error")
        except a.ErrA as e:
            assert type(e).__module__ == A + ".multia" and not isinstance(e, b.ErrB), type(e).__mro__
            print("A:", e)
        try:
            b.FailB("two")
        except a.ErrA:
            raise SystemExit("bundle A's ErrA caught bundle B's error")
        except b.ErrB as e:
            assert type(e).__module__ == B + ".multib", type(e)
            print("B:", e)
        try:
            strconv.Atoi("x")
        except (a.ErrA, b.ErrB):
            raise SystemExit("a goffi.load bundle's class caught the third bundle's error")
        except strconv.NumError as e:
            assert isinstance(e, strconv.ErrSyntax) and e.Func == "Atoi", e
            print("third:", type(e).__name__, e.Func)
        # goffi.GoError is every bundle's base.
        for fail in (lambda: a.FailA("x"), lambda: b.FailB("y"), lambda: strconv.ParseBool("z")):
            try:
                fail()
            except goffi.GoError:
                pass
        # An error raised by B inside A's callback reaches the caller as B's class.
        try:
            a.EachA(1, lambda i: b.FailB("inner"))
        except b.ErrB as e:
            print("through A:", e)
        # native_module per bundle (the first bundle's without an argument).
        assert runtime.native_module(a).__name__ == A + "._bundle"
        assert runtime.native_module(B).__name__ == B + "._bundle"
        assert runtime.native_module(strconv).__name__ == "third._bundle"
        assert runtime.native_module() is runtime.native_module(a)
        """
        )
    )
    assert out.splitlines() == [
        "5 45",
        "A: one: multia failed",
        "B: two: multib failed",
        "third: NumError Atoi",
        "through A: inner: multib failed",
    ], out


def test_go_objects_of_one_bundle_are_refused_by_another(third: Path) -> None:
    out = check(
        run(
            prelude(third)
            + """
        box = a.NewBoxA(1)
        try:
            a.FailA("e")
        except a.ErrA as e:
            err = e
        try:
            strconv.Atoi("x")
        except strconv.NumError as e:
            third_err = e
        cases = {
            "handle": lambda: b.UnboxB(box),
            "any": lambda: b.DescribeB(box),
            "error": lambda: b.WrapB(err),
            "channel": lambda: b.SumB(a.CountA(3)),
            "reverse": lambda: a.UnboxA(b.NewBoxB(2)),
            "third": lambda: a.WrapA(third_err),
        }
        for what, call in cases.items():
            try:
                call()
            except TypeError as e:
                print(what, "|", e)
            else:
                raise SystemExit(what + ": not refused")
        # The same values work in their own bundle, and plain values cross freely.
        print(a.UnboxA(box), a.DescribeA(box), a.SumA(a.CountA(3)), b.DescribeB(a.NewBoxA(7).Value()))
        """
        )
    )
    *refused, works = out.splitlines()
    assert works == "1 *multia.BoxA 3 int", out
    lines = dict(line.split(" | ", 1) for line in refused)
    assert set(lines) == {"handle", "any", "error", "channel", "reverse", "third"}, out
    for message in lines.values():
        assert "is a Go object of bundle '" in message, message
        assert "and the function belongs to bundle 'gopkgs_" in message, message
        assert "each bundle runs its own Go runtime" in message, message
    assert lines["handle"].startswith("multib.UnboxB() argument 'b' (Go *example.com/multib.BoxB): this ")
    assert lines["any"].startswith("multib.DescribeB() argument 'v' (Go any): this ")
    assert "this ErrA is a Go object" in lines["error"]
    assert "this Channel is a Go object" in lines["channel"]
    assert lines["reverse"].startswith("multia.UnboxA() argument 'b' (Go *example.com/multia.BoxA): this ")
    assert "this NumError is a Go object of bundle 'third'" in lines["third"]
    assert lines["handle"].count("'gopkgs_") == 2, lines["handle"]  # both bundles named


def test_live_handles_per_bundle_and_in_total(third: Path) -> None:
    out = check(
        run(
            prelude(third)
            + """
        gc.collect()
        base = (runtime.live_handles(a), runtime.live_handles(B), runtime.live_handles("third"))
        total = runtime.live_handles()
        assert total == sum(base), (total, base)
        boxes = [a.NewBoxA(i) for i in range(5)] + [b.NewBoxB(i) for i in range(3)]
        grown = (runtime.live_handles(a) - base[0], runtime.live_handles(b) - base[1])
        print(grown, runtime.live_handles() - total, runtime.live_handles("third") - base[2])
        del boxes
        gc.collect()
        print(runtime.live_handles() - total)
        try:
            runtime.live_handles("nonesuch")
        except ValueError as e:
            print(e)
        """
        )
    )
    assert out.splitlines() == [
        "(5, 3) 8 0",
        "0",
        "goffi.live_handles: no goffi bundle 'nonesuch' is loaded in this process",
    ], out


def test_channels_of_two_runtimes_are_refused_by_one_select(third: Path) -> None:
    out = check(
        run(
            prelude(third)
            + """
        ca, cb = a.make_chan("int64"), b.make_chan("int64")
        ca.send(1)
        cb.send(2)
        try:
            goffi.select(ca, cb, timeout=1)
        except TypeError as e:
            print("select |", e)
        try:
            goffi.select(a.CountA(2), (cb, 5), default=True)
        except TypeError as e:
            print("select send |", e)
        try:
            goffi.make_chan("int64")
        except RuntimeError as e:
            print("make_chan |", e)
        # One runtime's channels select as before; each module's make_chan is its bundle's.
        # (An empty channel of the same bundle beside it: with two ready cases Go picks at random.)
        assert goffi.select(ca, a.make_chan("int64"), timeout=5) == (0, 1)
        assert goffi.select(cb, timeout=5) == (0, 2)
        assert (a.SumA(a.CountA(4)), b.SumB(b.CountB(5))) == (6, 10)
        ca.send(3)
        ca.close()
        assert a.SumA(ca) == 3
        goffi.collect_go()  # runs in every runtime
        """
        )
    )
    lines = dict(line.split(" | ", 1) for line in out.splitlines())
    assert lines["select"].startswith("goffi.select: case 0 is a channel of bundle 'gopkgs_"), out
    assert "and case 1 one of bundle 'gopkgs_" in lines["select"]
    assert "one select can wait only on channels of one runtime" in lines["select"]
    assert "and case 1 one of bundle" in lines["select send"]
    assert "several bundles with channels" in lines["make_chan"] and "module.make_chan" in lines["make_chan"]


def test_callbacks_from_goroutines_of_both_runtimes_from_several_threads(third: Path) -> None:
    """Python threads call each runtime; its goroutines (on new OS threads) call back into
    Python, which calls the other runtime, whose goroutines call back again."""
    out = check(
        run(
            prelude(third)
            + """
        errors = []
        results = []

        def work(k):
            try:
                for _ in range(10):
                    # EachB(4, j -> i*j + 1) = 6i + 4, summed over i < 8: 200 (and the reverse).
                    x = a.EachA(8, lambda i: b.EachB(4, lambda j: i * j + 1))
                    y = b.EachB(8, lambda i: a.EachA(4, lambda j: i * j + 1))
                    z = strconv.Atoi(strconv.Itoa(k))
                    results.append((x, y, z == k))
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
        print(len(results), set(results))
        """
        )
    )
    assert out.splitlines() == ["60 {(200, 200, True)}"], out


@pytest.mark.parametrize("exiting", ["a", "b"])
def test_a_thread_of_one_runtime_ends_after_calling_the_other_with_a_sigurg_pending(
    third: Path, exiting: str
) -> None:
    """A goroutine locked to a thread its runtime made ends (so the thread ends), after a
    callback on that thread called the other runtime, with a SIGURG pending (made certain
    here; in test_callbacks_from_goroutines_of_both_runtimes_from_several_threads it was a
    preemption signal, now and then). Go blocks signals in mexit; the other runtime's dropm
    at thread exit unblocks them, and the SIGURG reached the exited runtime's handler, which
    dereferenced the nil gsignal of its dead M: exit -11, every time (goffi_sigurg.c)."""
    out = check(
        run(
            prelude(third)
            + f"""
        import signal
        exiting = {exiting!r}
        mine, other = (a.EachA, b.EachB) if exiting == "a" else (b.EachB, a.EachA)

        def on_a_thread_that_ends(i):
            r = other(1, lambda j: j + 1)  # the other runtime binds an M to this thread
            signal.pthread_sigmask(signal.SIG_BLOCK, {{signal.SIGURG}})
            signal.pthread_kill(threading.get_ident(), signal.SIGURG)
            return r

        print([mine(4, on_a_thread_that_ends) for _ in range(3)])
        """
        )
    )
    assert out.splitlines() == ["[4, 4, 4]"], out


def test_ctrl_c_interrupts_calls_of_every_bundle_after_overlapping_calls(third: Path) -> None:
    """Interruptible calls (a context.Context first) of two bundles that end out of order
    leave Python's SIGINT handler in place, and Ctrl-C still interrupts each bundle's calls
    (with a SIGINT state per copy of the C runtime, the signal bounced between two copies
    and the process hung)."""
    out = check(
        run(
            prelude(third)
            + """
        import os, signal, time
        original = signal.getsignal(signal.SIGINT)
        for order in range(4):
            ta = threading.Thread(target=a.WaitA, args=(None, 300 if order % 2 else 100))
            tb = threading.Thread(target=b.WaitB, args=(None, 100 if order % 2 else 300))
            ta.start()
            time.sleep(0.02)
            tb.start()
            ta.join()
            tb.join()
        for wait in (a.WaitA, b.WaitB, a.WaitA, b.WaitB):
            threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT)).start()
            try:
                wait(None, 60000)
            except KeyboardInterrupt:
                print("interrupted")
            else:
                print("not interrupted")
        print(signal.getsignal(signal.SIGINT) is original)
        """,
            timeout=120,
        )
    )
    assert out.splitlines() == ["interrupted"] * 4 + ["True"], out


def test_single_runtime_switch_refuses_the_second_bundle(third: Path) -> None:
    out = check(
        run(
            f"""
            import sys, goffi
            a = goffi.load({MULTIA!r})
            try:
                goffi.load({MULTIB!r})
            except goffi.BundleConflictError as e:
                print("load |", e)
            sys.path.insert(0, {str(third)!r})
            try:
                import third
            except goffi.BundleConflictError as e:
                print("import |", e)
            assert goffi.load({MULTIA!r}) is a
            print("still |", a.NewBoxA(4).Value())
            """,
            env={"GOFFI_SINGLE_RUNTIME": "1"},
        )
    )
    lines = dict(line.split(" | ", 1) for line in out.splitlines())
    assert (
        lines["load"].startswith(f"goffi.load({MULTIB!r}): ./") or "is not in the Go bundle" in lines["load"]
    )
    assert "($GOFFI_SINGLE_RUNTIME is set)" in lines["load"], out
    assert "goffi.load(" in lines["load"]  # what to load together
    assert lines["import"].startswith(
        "cannot load goffi bundle 'third' (strconv): this process already loaded"
    )
    assert "($GOFFI_SINGLE_RUNTIME is set)" in lines["import"]
    assert lines["still"] == "4"


def test_a_changed_local_package_still_raises_in_a_new_bundle_too(
    tmp_path: Path, session_cache: Path
) -> None:
    """With several runtimes allowed, edited Go code is still never loaded next to the old."""
    module = tmp_path / "edited"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/edited\n\ngo 1.24\n")
    source = module / "edited.go"
    source.write_text("package edited\n\nfunc Version() int { return 1 }\n")
    out = check(
        run(
            f"""
            import goffi, pathlib
            edited = goffi.load({str(module)!r})
            source = pathlib.Path({str(source)!r})
            source.write_text(source.read_text().replace("return 1", "return 2"))
            for packages in [({str(module)!r},), ({str(module)!r}, "path")]:
                try:
                    goffi.load(*packages)
                except goffi.BundleConflictError as e:
                    print("refused:", "changed since this process loaded them" in str(e))
            print(edited.Version())
            """
        )
    )
    assert out.splitlines() == ["refused: True", "refused: True", "1"], out


# ---------------------------------------------------------------------------- no Go needed


def test_load_bundle_names_differ_by_content_and_are_deterministic() -> None:
    one = bundle_name(["strings", "math"])
    assert one == bundle_name(["math", "strings"]) == bundle_name(["math", "strings", "math"])
    assert one.startswith("gopkgs_") and one.isidentifier()
    others = {
        bundle_name(["strings"]),
        bundle_name(["strings", "math@v1"]),
        bundle_name(["strings", "math"], nonblocking=["strings.ToUpper"]),
        bundle_name(["strings", "math"], zero_copy=["math.Abs"]),
        bundle_name(["strings", "math"], instantiate=["slices.Max[int32]"]),
    }
    assert one not in others and len(others) == 5


def test_single_runtime_reasons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(guard.SINGLE_RUNTIME_VAR, raising=False)
    assert guard.single_runtime_reason() is None  # this Linux with glibc (else the module is skipped)
    monkeypatch.setenv(guard.SINGLE_RUNTIME_VAR, "0")
    assert guard.single_runtime_reason() is None
    monkeypatch.setenv(guard.SINGLE_RUNTIME_VAR, "1")
    assert guard.single_runtime_reason() == "$GOFFI_SINGLE_RUNTIME is set"
    monkeypatch.delenv(guard.SINGLE_RUNTIME_VAR)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert "only on Linux with glibc, and this is darwin" in (guard.single_runtime_reason() or "")
    monkeypatch.undo()

    def musl(name: str) -> str:
        raise ValueError("unrecognized configuration name")

    monkeypatch.delenv(guard.SINGLE_RUNTIME_VAR, raising=False)
    monkeypatch.setattr(os, "confstr", musl)
    assert "this C library is not glibc" in (guard.single_runtime_reason() or "")
    monkeypatch.undo()
    monkeypatch.delenv(guard.SINGLE_RUNTIME_VAR, raising=False)
    monkeypatch.setattr(guard, "extra_checks", [lambda: "the SIGURG chain could not be installed"])
    assert guard.single_runtime_reason() == "the SIGURG chain could not be installed"
