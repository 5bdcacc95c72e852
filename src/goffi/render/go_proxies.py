"""Go proxy types: Python objects that Go sees as Go interfaces (goffi.proxies).

For each interface in ``BundlePlan.proxies`` the wrapper gets a type ``goffiProxy_<I>``
holding the IDs of a Python object's identity getter and methods, one Go method per
interface method calling its C trampoline (like a func argument's closure: plain values
and C memory only, an arena from the pool when the signature needs one), and a converter
``goffiProxyIn_<I>`` that builds one from a GOFFI_CLS_PROXY handle (any other handle is
a Go value, checked as before). Each ID is held by a goffiCallback, whose finalizer
releases the Python method once Go no longer reaches the proxy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from goffi.proxies import ProxyPlan
from goffi.render.go_text import c_type, go_string

if TYPE_CHECKING:
    from goffi.render.go_wrapper import GoRenderer


def render_proxies(r: GoRenderer) -> str:
    return "".join(_proxy(r, p) for p in r.plan.proxies)


def _proxy(r: GoRenderer, p: ProxyPlan) -> str:
    r.std.add("runtime")
    t = _iface_type(r, p)
    name = f"goffiProxy_{p.ident}"
    out = [
        f"// {name} is a Python object Go sees as a {p.key}: its methods call the object's.\n",
        f"type {name} struct {{\n\tself *goffiCallback\n\tm    [{len(p.methods)}]*goffiCallback\n}}\n\n",
        f"func (x *{name}) GoffiSelf() *goffiCallback {{ return x.self }}\n\n",
    ]
    for i, m in enumerate(p.methods):
        f = m.trampoline
        sig = f.mapping.sig
        assert sig is not None
        params = ", ".join(f"p{j} {r.speller.type(q.ref)}" for j, q in enumerate(sig.params))
        rtypes = [r.speller.type(x.ref) for x in sig.results] + (["error"] if sig.returns_error else [])
        rspec = "" if not rtypes else f" {rtypes[0]}" if len(rtypes) == 1 else f" ({', '.join(rtypes)})"
        body = ["\tarena := goffiCbArena()\n\tdefer goffiCbArenaDone(arena)\n"]
        args = [f"C.uint64_t(x.m[{i}].GoffiID())"]
        for j, q in enumerate(sig.params):
            if q.shape == "bytes":
                body.append(f"\ta{j} := goffiBytesArg([]byte(p{j}))\n")
            else:
                body.append(f"\tvar a{j} {c_type(q)}\n\t{r.go_out(q, f'&a{j}', f'p{j}')}\n")
            args.append(f"a{j}")
        args.append("arena")
        body.append(f"\tret := C.goffi_cb_{f.ident}({', '.join(args)})\n\truntime.KeepAlive(x)\n")
        for j, q in enumerate(sig.params):
            if q.shape == "bytes":
                body.append(f"\truntime.KeepAlive(p{j})\n")
        zeros = [f"z{k}" for k in range(len(sig.results))]
        zero_decl = "".join(f"\t\tvar z{k} {r.speller.type(x.ref)}\n" for k, x in enumerate(sig.results))
        if sig.returns_error:
            failed = ", ".join([*zeros, "goffiProxyError(ret.status, ret.re)"])
            body.append(f"\tif ret.status != C.GOFFI_CB_OK {{\n{zero_decl}\t\treturn {failed}\n\t}}\n")
        else:
            body.append(
                f"\tif ret.status != C.GOFFI_CB_OK {{\n\t\tgoffiCallbackDone(ret.status)\n{zero_decl}"
                f"\t\treturn{' ' + ', '.join(zeros) if zeros else ''}\n\t}}\n"
            )
        values = [r.go_in(x, f"ret.r{k}", owned=True) for k, x in enumerate(sig.results)]
        if sig.returns_error and not sig.results:
            values.append(f"goffiErrorIn(ret.re, {go_string('the error a Python method returned')})")
        elif sig.returns_error:
            values.append("nil")
        if m.short_read_eof:
            # io.ReaderAt: fewer bytes than asked is the end of the data (proxies.ProxyMethod).
            r.std.add("io")
            body.append(
                f"\tn := {values[0]}\n\tif n < len(p0) {{\n\t\treturn n, io.EOF\n\t}}\n\treturn n, nil\n"
            )
        elif values:
            body.append(f"\treturn {', '.join(values)}\n")
        out.append(f"func (x *{name}) {m.go_name}({params}){rspec} {{\n" + "".join(body) + "}\n\n")
    n = len(p.methods)
    out.append(
        f"// goffiProxyIn_{p.ident} is a {p.key} argument: a Go value, or a Python object as a {name}.\n"
        f"func goffiProxyIn_{p.ident}(h C.goffi_handle, what string) {t} {{\n"
        f"\tif h.cls != C.GOFFI_CLS_PROXY {{\n\t\treturn goffiArgDynamic[{t}](h, what)\n\t}}\n"
        "\tids := goffiProxyIDs(h)\n"
        f"\tif len(ids) != {n + 1} {{\n"
        f'\t\tpanic("goffi: a proxy for {p.key} needs {n + 1} callables")\n\t}}\n'
        f"\tx := &{name}{{self: goffiNewCallback(ids[0])}}\n"
        f"\tfor i := range x.m {{\n\t\tx.m[i] = goffiNewCallback(ids[i+1])\n\t}}\n"
        "\treturn x\n}\n\n"
    )
    return "".join(out)


def _iface_type(r: GoRenderer, p: ProxyPlan) -> str:
    found = [m for m in r.plan.mappings() if m.shape == "handle" and m.via == "interface" and m.cls == p.key]
    # An unexported type Go hands out, shown as this interface (TypeMapper.exported_view:
    # jwt.SigningMethodNone is a *jwt.signingMethodNone), has the interface's class but its
    # own Go type, which the proxy is not: take the interface's own mapping.
    for m in found:
        if m.ref.kind == "named" and m.ref.named_key == p.key.partition("[")[0]:
            return r.speller.type(m.ref)
    if found:
        return r.speller.type(found[0].ref)
    raise KeyError(p.key)
