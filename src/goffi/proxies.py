"""Python objects as Go interfaces: the plan of each interface's proxy type (issue 13).

Where Go expects a named interface ``I`` whose methods all cross, a Python object that
is not a Go object is accepted if it has methods named as ``I``'s (Go names verbatim:
``Read``, ``Write``, ``String``, ``Len``...). Go gets a value of a generated type
(``goffiProxy_<I>``) implementing ``I``: each of its methods calls the Python object's
method through a callback trampoline, as a Python callable passed as a Go func is
called (from any goroutine; an exception goes to the Python call that passed the
object). The object comes back to Python as itself.

These decisions are made here, before rendering: which interfaces get a proxy, the
trampoline of each method (a :class:`~goffi.plan.FuncTypePlan` of its signature whose
``[]byte`` parameters are lent to Python as writable memoryviews for the call, and
whose ``error`` result is made from the exception: see :data:`ERROR_MAPPING`).
"""

from __future__ import annotations

from dataclasses import dataclass

from goffi.plan.callables import plan_func_type
from goffi.plan.model import BundlePlan, FuncTypePlan
from goffi.surface.model import TypeRef
from goffi.typemap.decisions import FuncSig, Mapping, identifier

#: How a Python exception raised by a proxied method becomes the Go ``error`` it returns
#: (shown by goffi inspect and the README).
ERROR_MAPPING = (
    "a method's exception is its Go error: EOFError is io.EOF, an exception from Go its Go error, "
    "others are re-raised to the Python caller"
)

# io interfaces whose methods a Python file object or stream provides under its own
# names (read/readinto, write, close, seek): no class needed.
FILE_METHODS = frozenset({"Read", "Write", "Close", "Seek", "WriteString", "ReadAt"})

# Interfaces never proxied: Go calls context.Context's methods in ways (Done channels,
# Value lookups by unexported keys) a Python object cannot serve meaningfully.
_EXCLUDED = frozenset({"context.Context"})


@dataclass(frozen=True)
class ProxyMethod:
    """One method of a proxied interface, and the trampoline Go calls it through."""

    go_name: str
    trampoline: FuncTypePlan
    # A ReadAt(p []byte, off int64) (n int, err error): io.ReaderAt's contract says an n
    # below len(p) comes with a non-nil error, so a Python ReadAt returning fewer bytes (the
    # end of its data) gives Go io.EOF with them.
    short_read_eof: bool = False


@dataclass(frozen=True)
class ProxyPlan:
    """The proxy type of one interface: what a Python object needs to be accepted as it."""

    key: str  # "io.Reader"
    methods: tuple[ProxyMethod, ...]

    @property
    def ident(self) -> str:
        return identifier(self.key)

    @property
    def file_like(self) -> bool:
        """Whether a Python file object or stream provides its methods (an io interface
        whose methods are all read/write/close/seek ones)."""
        return self.key.startswith("io.") and all(m.go_name in FILE_METHODS for m in self.methods)

    @property
    def needs(self) -> str:
        """What a Python object needs to be accepted (goffi inspect)."""
        names = ", ".join(m.go_name for m in self.methods)
        s = "s" if len(self.methods) > 1 else ""
        text = f"a Python object with method{s} {names} is accepted (Go gets a proxy)"
        if self.file_like and any(m.go_name == "ReadAt" for m in self.methods):
            text += ", and so is a seekable binary Python file or stream (ReadAt reads at an offset)"
        elif self.file_like:
            text += ", and so is a Python file or stream (binary, or text as UTF-8)"
        return text


def method_mapping(iface: str, go_name: str, sig: FuncSig) -> Mapping:
    """A func mapping standing for one interface method's signature: its trampoline's
    identity ("io.Reader.Read method" -> goffi_cb_io_Reader_Read_method)."""
    return Mapping(TypeRef("named", name=f"{iface}.{go_name} method"), "func", "handle", sig=sig)


def _is_read_at(go_name: str, sig: FuncSig) -> bool:
    """Whether a method is io.ReaderAt's ReadAt(p []byte, off int64) (n int, err error)."""
    params = [(m.shape, m.ref.name) for m in sig.params]
    results = [(m.shape, m.ref.name) for m in sig.results]
    return (
        go_name == "ReadAt"
        and sig.returns_error
        and len(params) == 2
        and params[0][0] == "bytes"
        and params[1] == ("int", "int64")
        and results == [("int", "int")]
    )


def proxiable(key: str) -> bool:
    return key not in _EXCLUDED


def plan_proxies(bundle: BundlePlan, sealed: frozenset[str] = frozenset()) -> tuple[ProxyPlan, ...]:
    """A proxy for every interface the bundle's API takes (at any depth of a parameter,
    field or callback result) whose methods all cross and none is variadic. ``sealed``
    interfaces (with an unexported method: only their own package can implement them) get
    none."""
    wanted: list[str] = []
    tops = [p.type for f in bundle.callables() for p in f.params]
    tops += [v.type for pkg in bundle.packages for v in pkg.vars]
    tops += [f.type for c in bundle.classes() for f in c.fields]
    for m in tops:
        for sub in m.walk():
            if sub.shape == "handle" and sub.via == "interface" and sub.cls not in wanted:
                wanted.append(sub.cls)
    out = []
    for key in sorted(wanted):
        if not proxiable(key) or key in sealed:
            continue
        try:
            cls = bundle.class_by_key(key)
        except KeyError:
            continue
        if cls.skipped or not cls.methods or any(fn.variadic for fn in cls.methods):
            continue
        methods = []
        for fn in sorted(cls.methods, key=lambda f: f.go_name):
            sig = FuncSig(tuple(p.type for p in fn.params), fn.results, fn.returns_error)
            tramp = plan_func_type(method_mapping(key, fn.go_name, sig), -1)
            plan = FuncTypePlan(tramp.mapping, -1, tramp.call, proxy=True)
            methods.append(ProxyMethod(fn.go_name, plan, short_read_eof=_is_read_at(fn.go_name, sig)))
        out.append(ProxyPlan(key, tuple(methods)))
    return tuple(out)
