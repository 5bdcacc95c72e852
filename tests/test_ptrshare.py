"""Pointers that share and records that implement interfaces (issue 10, items 3 and 4).

A struct Go takes or hands out by pointer (``*T`` anywhere in the API, or a method on
``*T``) is Go's memory: its objects are handles, the same pointer is the same object,
and field writes reach Go. A struct Go only copies stays a record; a record passes where
Go expects an interface its value methods implement. Go's own results are the oracle.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

import goffi

TESTS = Path(__file__).parent
PTRTEST = TESTS / "gopkgs" / "ptrtest"


# ---- identity and shared memory -------------------------------------------------


def test_same_pointer_is_the_same_object(ptrtest: ModuleType) -> None:
    t = ptrtest.NewTree("root")
    a, b = t.Root(), t.Root()
    assert a is b
    assert isinstance(a, ptrtest.Node)
    assert ptrtest.Same(a, b)  # Go sees one pointer
    child = t.Add("kid")
    assert child is t.At(1) and child is not a


def test_field_writes_reach_go(ptrtest: ModuleType) -> None:
    t = ptrtest.NewTree("root")
    t.Root().Label = "x"
    t.Root().Count = 7
    assert t.Labels() == "x:7"  # Go's own view
    t.At(0).Bump()
    assert t.Root().Count == 8


def test_node_made_in_python_is_shared_with_go(ptrtest: ModuleType) -> None:
    t = ptrtest.NewTree("root")
    n = ptrtest.Node(Label="py")
    ptrtest.Rename(n, "renamed")  # Go writes through the pointer
    assert n.Label == "renamed"
    t.Adopt(n)  # Go keeps the pointer: it is n's memory
    n.Count = 3
    assert t.Labels() == "root:0,renamed:3"
    assert t.At(1) is n


def test_value_results_are_copies(ptrtest: ModuleType) -> None:
    t = ptrtest.NewTree("root")
    c = ptrtest.CopyOf(t.Root())
    assert isinstance(c, ptrtest.Node) and c is not t.Root()
    c.Label = "copy"
    assert t.Labels() == "root:0"
    assert ptrtest.Describe(c) == "copy:0"
    assert c == ptrtest.Node(Label="copy") and c != ptrtest.Node(Label="other")
    assert repr(c) == "Node(Label='copy', Count=0)"


def test_pointer_receiver_method_updates_python_made_object(ptrtest: ModuleType) -> None:
    p = ptrtest.Point(X=3, Y=4)
    p.Scale(2)
    assert (p.X, p.Y) == (6.0, 8.0)
    assert p.Norm() == 10.0


def test_interface_holding_pointer_comes_back_as_the_class(ptrtest: ModuleType) -> None:
    t = ptrtest.NewTree("root")
    s = ptrtest.NodeStringer(t.Root())
    assert s is t.Root()
    assert ptrtest.AsAny(t.Root()) is t.Root()
    assert str(s) == "node root"


def test_shared_fields_are_checked_on_assignment(ptrtest: ModuleType) -> None:
    n = ptrtest.NewTree("r").Root()
    with pytest.raises(TypeError, match=r"Node\.Count \(Go int32\)"):
        n.Count = "x"
    with pytest.raises(OverflowError, match=r"Node\.Count"):
        n.Count = 1 << 40
    with pytest.raises(TypeError, match=r"Node\.Label"):
        n.Label = 5
    assert n.Count == 0 and n.Label == "r"


def test_interface_by_pointer_method_set(ptrtest: ModuleType) -> None:
    c = ptrtest.Counter(N=1)
    ptrtest.IncTwice(c)  # *Counter implements Incer: Go increments c itself
    assert c.N == 3


# ---- records ----------------------------------------------------------------------


def test_records_stay_copied_records(ptrtest: ModuleType) -> None:
    assert isinstance(ptrtest.Square(Side=1), goffi.runtime.Record)
    assert not isinstance(ptrtest.Node(), goffi.runtime.Record)


def test_record_fields_are_checked_on_assignment(ptrtest: ModuleType) -> None:
    s = ptrtest.Square(Side=2)
    with pytest.raises(TypeError, match=r"Square\.Side \(Go float64\) must be float or int, not str"):
        s.Side = "x"
    with pytest.raises(TypeError, match=r"Square\.Side"):
        ptrtest.Square(Side="x")
    s.Side = 3
    assert s.Side == 3


def test_record_int_field_range(ptrtest: ModuleType) -> None:
    s = ptrtest.Size(W=2, H=3)
    assert ptrtest.Area(s) == 6
    with pytest.raises(OverflowError, match=r"Size\.W \(Go uint8\): 256 is out of range"):
        s.W = 256
    with pytest.raises(OverflowError, match=r"Size\.H"):
        ptrtest.Size(H=-1)
    with pytest.raises(TypeError, match=r"Size\.W \(Go uint8\) must be int, not bool"):
        s.W = True
    assert (s.W, s.H) == (2, 3)


def test_records_implement_interfaces(ptrtest: ModuleType) -> None:
    assert ptrtest.Largest(ptrtest.Square(Side=1), ptrtest.Circle(R=1)) == "circle"
    assert ptrtest.Largest(ptrtest.Square(Side=2), ptrtest.Circle(R=1)) == "square"
    assert ptrtest.Kind(ptrtest.Square(Side=1)) == "ptrtest.Square"  # Go gets the value T
    with pytest.raises(TypeError):
        ptrtest.Largest(ptrtest.Point(), ptrtest.Circle(R=1))  # no Area/Name


def test_record_implements_another_packages_interface(ptrtest: ModuleType, objtest: ModuleType) -> None:
    # Go's interfaces are structural: ptrtest.Square has objtest.Shape's methods.
    assert objtest.Describe(ptrtest.Square(Side=3)) == "square with area 9.00"


# ---- the standard library -----------------------------------------------------------


def test_url_is_shared(go: dict[str, ModuleType]) -> None:
    url = go["net/url"]
    u = url.Parse("https://example.com/a?q=1")
    u.Path = "/x"
    assert u.String() == "https://example.com/x?q=1"  # Go's own String() sees the write
    r = u.ResolveReference(url.Parse("y"))
    assert r.String() == "https://example.com/y"


def test_inspect_shows_the_decisions(session_cache: Path) -> None:
    env = {**os.environ, "GOFFI_CACHE_DIR": str(session_cache)}
    done = subprocess.run(
        [sys.executable, "-m", "goffi", "inspect", str(PTRTEST)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "class ptrtest.Node: handle class (Go's memory, compared by fields)" in out
    assert "why: Go shares it by pointer (method (*ptrtest.Point).Scale)" in out
    assert "class ptrtest.Square: record class (copied)" in out
    assert "passes as ptrtest.Shape (Go gets a copy of its value)" in out


@pytest.mark.slow
def test_stdlib_nodes_keep_identity(session_cache: Path) -> None:
    """go/ast and text/template/parse nodes: the same pointer is the same object."""
    script = textwrap.dedent(
        """
        import goffi
        parser, ast, token, parse = goffi.load("go/parser", "go/ast", "go/token", "text/template/parse")
        fset = token.NewFileSet()
        f = parser.ParseFile(fset, "x.go", "package p\\nvar A = 1\\n", 0)
        assert f.Name is f.Name, "ast.Ident identity"
        f.Name.Name = "q"
        assert f.Name.Name == "q"
        trees = parse.Parse("t", "{{.X}} hi", "{{", "}}")
        t = trees["t"]
        assert t.Root is t.Root, "parse.ListNode identity"
        assert t.Root.Nodes[1] is t.Root.Nodes[1], "parse.TextNode identity through the Node interface"
        assert isinstance(t.Root.Nodes[1], parse.TextNode)
        print("ok")
        """
    )
    env = {**os.environ, "GOFFI_CACHE_DIR": str(session_cache)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=1200, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("ok")
