"""The Go wrapper's converters: Go expressions and statements converting each mapping
between its C representation and Go (go_in, go_out), and the converter functions of the
bundle's containers, optionals, records, channel arguments and func arguments (Go closures
calling a Python callable through its trampoline)."""

from __future__ import annotations

from goffi.plan import NIL_APART_SHAPES, BundlePlan, FuncPlan
from goffi.render.go_text import GoSpeller, c_sizeof, c_type, converter_ident, go_string, holds_view
from goffi.typemap import Mapping, identifier


class ConverterRenderer:
    """The shared state of the wrapper's renderers, and the conversions of values."""

    def __init__(self, plan: BundlePlan) -> None:
        self.plan = plan
        self.speller = GoSpeller(plan.imported_packages())
        self.std: set[str] = set()  # standard library packages the rendered code uses
        self.bundle_header = ""  # goffi_bundle.h, once render() ran
        # Containers holding []byte, converted for values Go keeps after the call (package
        # variables, fields, records, optionals): those must own their bytes (see go_in's
        # ``owned``), so each gets a copying converter besides the viewing one.
        self.owned: set[str] = {
            m.go_name for m in plan.mappings() if m.shape in ("slice", "array", "map") and holds_view(m)
        }

        # Slices whose Go writes come back after the call (ParamPlan.writes_back).
        self.written_back: set[str] = {
            p.type.go_name for fn in _all_funcs(plan) for p in fn.params if p.writes_back
        }

    # ---- expressions ----------------------------------------------------------

    def go_in(self, m: Mapping, c: str, owned: bool = False, what: str = "") -> str:
        """A Go expression converting C value ``c`` to a Go value of type ``m.ref``.

        A []byte parameter is a view of the caller's buffer, valid for the call only.
        ``owned`` converts to Go memory instead, for values Go keeps after the call
        returns (package variables).
        """
        t = self.speller.type(m.ref)
        named = m.ref.kind == "named"
        s = m.shape
        if s == "bool":
            return f"{t}({c} != 0)" if named else f"{c} != 0"
        if s in ("int", "uint", "float"):
            return f"{t}({c})"
        if s == "complex":
            part = "float32" if m.bits == 64 else "float64"
            return f"{t}(complex({part}({c}.re), {part}({c}.im)))"
        if s == "string":
            return f"{t}(goffiString({c}))" if named else f"goffiString({c})"
        if s == "bytes":
            conv = "goffiBytesCopy" if owned else "goffiBytesView"
            return f"{t}({conv}({c}))" if named else f"{conv}({c})"
        if s == "buffer":
            return f"goffiView[{t}]({c})"  # zero_copy=, and Go does not keep it (plan)
        if s == "bytearray":
            self.std.add("unsafe")
            # The C glue checked the length, so the buffer holds exactly N bytes.
            return f"{t}(*(*[{m.length}]byte)(unsafe.Pointer({c}.p)))"
        if s == "error":
            return f"goffiErrorIn({c}, {go_string(what or 'an error')})"
        if s == "func" and m.iterator:
            self.std.add("goffi.local/bundle/rt")
            pull = f"goffiIn_{converter_ident(m.ref)}({c}, {go_string(what or 'an iterable')})"
            return f"rt.PushSeq{'2' if m.iterator == 'seq2' else ''}({pull})"
        if s in ("chan", "func"):
            return f"goffiIn_{converter_ident(m.ref)}({c}, {go_string(what or 'a ' + m.go_name)})"
        if s == "duration":
            return f"{t}({c})"
        if s == "time":
            return f"goffiTimeIn({c})"
        if s == "any":
            conv = f"goffiAnyIn(&{c})"
            return f"{t}({conv})" if named else conv
        if s == "handle":
            what = what or f"a {m.go_name}"
            if m.via == "interface" and self.plan.proxy(m.cls) is not None:
                return f"goffiProxyIn_{identifier(m.cls)}({c}, {go_string(what)})"
            if m.via == "value":
                return f"*goffiArg[*{t}]({c}, {go_string(what)})"
            if m.via == "interface":
                return f"goffiArgDynamic[{t}]({c}, {go_string(what)})"
            return f"goffiArg[{t}]({c}, {go_string(what)})"
        if owned and m.go_name in self.owned:
            return f"goffiInOwned_{converter_ident(m.ref)}({c})"
        return f"goffiIn_{converter_ident(m.ref)}({c})"

    def go_out(self, m: Mapping, dst: str, v: str) -> str:
        """A Go statement storing Go value ``v`` (addressable) into C destination ``*dst``."""
        s = m.shape
        target = dst[1:] if dst.startswith("&") else "*" + dst  # *&x[i] is x[i]
        if s == "bool":
            return f"{target} = goffiBool(bool({v}))"
        if s in ("int", "uint", "float"):
            return f"{target} = {c_type(m)}({v})"
        if s == "complex":
            return f"{target} = C.goffi_complex{{re: C.double(real({v})), im: C.double(imag({v}))}}"
        if s == "string":
            return f"goffiSetString({dst}, arena, string({v}))"
        if s == "bytes":
            return f"goffiSetBytes({dst}, arena, []byte({v}))"
        if s == "bytearray":
            return f"goffiSetBytes({dst}, arena, {v}[:])"
        if s == "buffer":
            return f"goffiLend({dst}, {v})"
        if s == "any":
            return f"goffiAnyOut({dst}, arena, {v})"
        if s == "error":
            return f"goffiDescribeError({dst}, arena, {v}, 0)"
        if s == "chan":
            return f"goffiPutChan({dst}, {v}, {v} == nil)"
        if s == "func" and m.iterator:
            self.std.add("goffi.local/bundle/rt")
            pull = f"rt.PullSeq{'2' if m.iterator == 'seq2' else ''}({v})"
            return f"goffiPutFunc({dst}, {pull}, {v} == nil, {self.plan.func_type(m.go_name).index})"
        if s == "func":
            return f"goffiPutFunc({dst}, {v}, {v} == nil, {self.plan.func_type(m.go_name).index})"
        if s == "duration":
            return f"{target} = C.int64_t({v})"
        if s == "time":
            return f"goffiTimeOut({dst}, arena, {v})"
        if s == "handle":
            cls = self.plan.class_by_key(m.cls).index
            if m.via == "pointer":
                return f"goffiPutPtr({dst}, {v}, {cls})"
            if m.via == "value":
                return f"goffiPutValue({dst}, {v}, {cls})"
            if self.plan.proxy(m.cls) is not None:  # a proxied Python object goes back as itself
                return f"goffiPutProxy({dst}, {v}, {cls})"
            return f"goffiPutDynamic({dst}, {v}, {cls})"
        return f"goffiOut_{converter_ident(m.ref)}({dst}, arena, {v})"

    # ---- converters for containers ----------------------------------------------

    def converters(self) -> str:
        out = []
        # Go converters are per Go type; two mappings of one Go type (differing only in
        # their C side, e.g. whether None is nil) share them.
        done: set[str] = set()
        for m in self.plan.mappings():
            if m.shape == "buffer" or converter_ident(m.ref) in done:
                continue
            done.add(converter_ident(m.ref))
            if m.shape in ("slice", "array"):
                out.append(self._seq_in(m, owned=False) + self._seq_out(m))
                if m.go_name in self.written_back:
                    out.append(self._seq_back(m))
                if m.go_name in self.owned:
                    out.append(self._seq_in(m, owned=True))
            elif m.shape == "optional":
                out.append(self._optional(m))
            elif m.shape == "record":
                out.append(self._record(m))
            elif m.shape == "chan":
                out.append(self._chan_arg(m))
            elif m.shape == "func":
                out.append(self._func_in(m))
            elif m.shape == "map":
                out.append(self._map_in(m, owned=False) + self._map_out(m))
                if m.go_name in self.owned:
                    out.append(self._map_in(m, owned=True))
        return "".join(out)

    def _chan_arg(self, m: Mapping) -> str:
        """A channel argument: the Go channel a Channel holds, if its direction fits."""
        self.std.update({"reflect", "goffi.local/bundle/rt"})
        assert m.elem is not None
        t = self.speller.type(m.ref)
        e = self.speller.type(m.elem.ref)
        kinds = {
            "both": [f"chan {e}"],
            "recv": [f"chan {e}", f"<-chan {e}"],
            "send": [f"chan {e}", f"chan<- {e}"],
        }
        cases = "".join(f"\tcase {k}:\n\t\treturn c\n" for k in kinds[m.ref.dir])
        ident = converter_ident(m.ref)
        return (
            f"// goffiIn_{ident} is the Go channel a goffi.Channel holds, as a {m.go_name}.\n"
            f"func goffiIn_{ident}(h C.goffi_handle, what string) {t} {{\n"
            "\tif h.id == 0 {\n\t\treturn nil\n\t}\n"
            "\tv, ok := goffiResolve(uint64(h.id))\n"
            '\tif !ok {\n\t\tpanic("goffi: channel handle is not live")\n\t}\n'
            f"\tswitch c := v.(type) {{\n{cases}\t}}\n"
            f"\tpanic(rt.NewTypeError(what, v, reflect.TypeFor[{t}]()))\n}}\n\n"
        )

    def _func_in(self, m: Mapping) -> str:
        """A func argument: a Go closure calling the Python callable through its trampoline.

        The closure hands the trampoline only plain values and C memory, and gets its
        results back by value: nothing it passes lives in Go's heap, so an invocation
        allocates nothing in Go and cgo's pointer check has no Go memory to scan. A func
        type whose values need memory (strings, containers) takes an arena from a pool of
        C arenas (goffiCbArena) and gives it back once its results are copied to Go.
        """
        self.std.add("runtime")
        assert m.sig is not None
        sig = m.sig
        ft = self.plan.func_type(m.go_name)
        ident = converter_ident(m.ref)
        t = self.speller.type(m.ref)
        params = ", ".join(f"p{i} {self.speller.type(p.ref)}" for i, p in enumerate(sig.params))
        rtypes = [self.speller.type(r.ref) for r in sig.results] + (["error"] if sig.returns_error else [])
        rspec = "" if not rtypes else f" {rtypes[0]}" if len(rtypes) == 1 else f" ({', '.join(rtypes)})"
        body = []
        args = ["C.uint64_t(cb.GoffiID())"]
        if ft.needs_arena:
            body.append("\t\tarena := goffiCbArena()\n\t\tdefer goffiCbArenaDone(arena)\n")
        for i, p in enumerate(sig.params):
            # By value, even a struct holding pointers: cgo checks only pointer arguments,
            # and these point to C memory anyway (the arena).
            body.append(f"\t\tvar a{i} {c_type(p)}\n\t\t{self.go_out(p, f'&a{i}', f'p{i}')}\n")
            if p.shape in NIL_APART_SHAPES:
                body.append(f"\t\tif p{i} == nil {{\n\t\t\ta{i}.n = -1 // nil: None, not empty\n\t\t}}\n")
            args.append(f"a{i}")
        if ft.needs_arena:
            args.append("arena")
        body.append(f"\t\tret := C.goffi_cb_{identifier(m.go_name)}({', '.join(args)})\n")
        body.append("\t\truntime.KeepAlive(cb)\n")
        zeros = [f"z{i}" for i in range(len(sig.results))]
        zero_decl = "".join(f"\t\t\tvar z{i} {self.speller.type(r.ref)}\n" for i, r in enumerate(sig.results))
        if sig.returns_error:
            failed = ", ".join(
                [*zeros, 'goffiCallbackFailed("goffi: the Python callback raised (Python re-raises it)")']
            )
            body.append(f"\t\tif ret.status != C.GOFFI_CB_OK {{\n{zero_decl}\t\t\treturn {failed}\n\t\t}}\n")
        else:
            body.append(
                f"\t\tif ret.status != C.GOFFI_CB_OK {{\n\t\t\tgoffiCallbackDone(ret.status)\n{zero_decl}"
                f"\t\t\treturn{' ' + ', '.join(zeros) if zeros else ''}\n\t\t}}\n"
            )
        values = [self.go_in(r, f"ret.r{i}", owned=True) for i, r in enumerate(sig.results)]
        if sig.returns_error and not sig.results:  # the callable returned the error itself
            values.append(f"goffiErrorIn(ret.re, {go_string('the error a Python callback returned')})")
        elif sig.returns_error:
            values.append("nil")
        if values:
            body.append(f"\t\treturn {', '.join(values)}\n")
        direct = ""
        if ft.go_funcs:
            cases = "".join(
                f"\t\tcase {i + 1}:\n\t\t\treturn ({t})({self.speller.alias(fn.pkg_path)}.{fn.go_name})\n"
                for i, (_, fn) in enumerate(ft.go_funcs)
            )
            direct = (
                "\tif h.cls == C.GOFFI_CLS_GOFUNC {\n\t\t// One of the bundle's functions, passed as itself.\n"
                f"\t\tswitch h.id {{\n{cases}\t\t}}\n"
                '\t\tpanic("goffi: unknown Go function ID (a goffi bug)")\n\t}\n'
            )
        return (
            f"// goffiIn_{ident} makes a Go {m.go_name} of a Python callable (or takes back a Go func).\n"
            f"func goffiIn_{ident}(h C.goffi_handle, what string) {t} {{\n"
            "\tif h.id == 0 {\n\t\treturn nil\n\t}\n"
            + direct
            + f"\tif h.cls != C.GOFFI_CLS_CALLABLE {{\n\t\treturn goffiArg[{t}](h, what)\n\t}}\n"
            "\tcb := goffiNewCallback(h.id)\n"
            f"\treturn func({params}){rspec} {{\n" + "".join(body) + "\t}\n}\n\n"
        )

    def record_typedefs(self) -> str:
        """C structs for records, innermost first; in the preamble so the C glue sees them too."""
        out = []
        done: set[str] = set()
        for top in self.plan.mappings():
            for m in top.walk():
                if m.shape != "record" or m.c_type in done:
                    continue
                done.add(m.c_type)
                fields = (
                    "".join(f"    {f.c_type} f_{name};\n" for name, f in m.fields) or "    char unused;\n"
                )
                out.append(f"// {m.cls}, a record\ntypedef struct {{\n{fields}}} {m.c_type};\n")
        return "".join(out)

    def _record(self, m: Mapping) -> str:
        ident = converter_ident(m.ref)
        t = self.speller.type(m.ref)
        # Go may keep a record it was given, so its byte slices are copied, never views.
        fields_in = "".join(
            f"\tout.{name} = {self.go_in(f, f'c.f_{name}', owned=True)}\n" for name, f in m.fields
        )
        fields_out = "".join(f"\t{self.go_out(f, f'&dst.f_{name}', f'v.{name}')}\n" for name, f in m.fields)
        return (
            f"// goffiIn_{ident} copies a C record into a Go {m.cls}.\n"
            f"func goffiIn_{ident}(c C.{m.c_type}) {t} {{\n"
            + ("\t_ = c\n" if not m.fields else "")
            + f"\tvar out {t}\n{fields_in}\treturn out\n}}\n\n"
            f"// goffiOut_{ident} copies a Go {m.cls} into the arena, field by field.\n"
            f"func goffiOut_{ident}(dst *C.{m.c_type}, arena *C.goffi_arena, v {t}) {{\n"
            + (fields_out or "\t_, _, _ = dst, arena, v\n")
            + "}\n\n"
        )

    def _optional(self, m: Mapping) -> str:
        """A pointer to a copied value: NULL is nil, else the value lives in C memory."""
        self.std.add("unsafe")
        assert m.elem is not None
        ident = converter_ident(m.ref)
        t = self.speller.type(m.ref)
        ce = c_type(m.elem)
        elem_in = self.go_in(m.elem, f"*(*{ce})(c)", owned=True)
        return (
            f"// goffiIn_{ident} copies an optional C value into a new Go {m.ref.go_spelling()} (NULL is nil).\n"
            f"func goffiIn_{ident}(c unsafe.Pointer) {t} {{\n"
            "\tif c == nil {\n\t\treturn nil\n\t}\n"
            f"\tv := {elem_in}\n"
            "\treturn &v\n}\n\n"
            f"// goffiOut_{ident} copies what a Go {m.ref.go_spelling()} points to into the arena (nil is NULL).\n"
            f"func goffiOut_{ident}(dst *unsafe.Pointer, arena *C.goffi_arena, v {t}) {{\n"
            "\t*dst = nil\n"
            "\tif v == nil {\n\t\treturn\n\t}\n"
            f"\tp := (*{ce})(goffiAlloc(arena, {c_sizeof(m.elem)}))\n"
            "\tval := *v\n"
            f"\t{self.go_out(m.elem, 'p', 'val')}\n"
            "\t*dst = unsafe.Pointer(p)\n}\n\n"
        )

    def _bulk(self, elem: Mapping) -> bool:
        """Whether Go and C lay this element out identically, so a memmove converts it."""
        return elem.shape in ("bool", "int", "uint", "float")

    def _seq_in(self, m: Mapping, owned: bool) -> str:
        self.std.add("unsafe")
        assert m.elem is not None
        ident = converter_ident(m.ref)
        t = self.speller.type(m.ref)
        et = self.speller.type(m.elem.ref)
        ce = c_type(m.elem)
        array = m.shape == "array"
        name = f"goffiInOwned_{ident}" if owned else f"goffiIn_{ident}"
        what = ", with its own copy of every byte slice" if owned else ""
        lines = [f"// {name} copies a C array into a Go {m.ref.go_spelling()}{what}.\n"]
        lines.append(f"func {name}(c C.goffi_slice) {t} {{\n")
        if array:
            lines.append(f"\tvar out {t}\n")
        else:
            lines.append("\tif c.p == nil {\n\t\treturn nil\n\t}\n")
            lines.append(f"\tout := make({t}, int(c.n))\n")
        if self._bulk(m.elem):
            lines.append(f"\tcopy(out[:], unsafe.Slice((*{et})(c.p), int(c.n)))\n")
        else:
            lines.append(f"\tsrc := unsafe.Slice((*{ce})(c.p), int(c.n))\n")
            lines.append("\tfor i := range src {\n")
            lines.append(f"\t\tout[i] = {self.go_in(m.elem, 'src[i]', owned)}\n")
            lines.append("\t}\n")
        lines.append("\treturn out\n}\n\n")
        return "".join(lines)

    def _seq_back(self, m: Mapping) -> str:
        """goffiBack_: after the call, Go's values over the C array the argument came in
        (the arena, or a writable buffer viewed), where they differ."""
        assert m.elem is not None
        ident = converter_ident(m.ref)
        t = self.speller.type(m.ref)
        et = self.speller.type(m.elem.ref)
        ce = c_type(m.elem)
        if m.elem.shape == "any":
            self.std.add("unsafe")
            return (
                f"// goffiBack_{ident} writes a {m.ref.go_spelling()} argument back over its C array after the\n"
                "// call: an item Go left in place is marked kept, one Go moved says where from (so the\n"
                "// caller's list keeps its objects), and only a value Go wrote is converted.\n"
                f"func goffiBack_{ident}(c C.goffi_slice, arena *C.goffi_arena, v, before {t}) {{\n"
                "\tif c.p == nil || int(c.n) != len(v) || len(before) != len(v) {\n\t\treturn\n\t}\n"
                "\tword := func(x any) [2]unsafe.Pointer { return *(*[2]unsafe.Pointer)(unsafe.Pointer(&x)) }\n"
                "\tdst := unsafe.Slice((*C.goffi_any)(c.p), len(v))\n"
                "\tvar from map[[2]unsafe.Pointer]int\n"
                "\tfor i := range v {\n"
                "\t\tif word(v[i]) == word(before[i]) {\n\t\t\tdst[i].tag = C.GOFFI_ANY_KEPT\n\t\t\tcontinue\n\t\t}\n"
                "\t\tif from == nil {\n\t\t\tfrom = make(map[[2]unsafe.Pointer]int, len(before))\n"
                "\t\t\tfor j := len(before) - 1; j >= 0; j-- {\n\t\t\t\tfrom[word(before[j])] = j\n\t\t\t}\n\t\t}\n"
                "\t\tif j, ok := from[word(v[i])]; ok {\n"
                "\t\t\tdst[i] = C.goffi_any{tag: C.GOFFI_ANY_MOVED, i: C.int64_t(j)}\n\t\t\tcontinue\n\t\t}\n"
                "\t\tgoffiAnyOut(&dst[i], arena, v[i])\n"
                "\t}\n}\n\n"
            )
        lines = [
            f"// goffiBack_{ident} writes a {m.ref.go_spelling()} argument back over its C array after the\n",
            "// call, so that the caller sees Go's writes into it.\n",
            f"func goffiBack_{ident}(c C.goffi_slice, arena *C.goffi_arena, v {t}) {{\n",
            "\tif c.p == nil || int(c.n) != len(v) {\n\t\treturn\n\t}\n",
        ]
        if self._bulk(m.elem):
            lines.append(f"\tcopy(unsafe.Slice((*{et})(c.p), len(v)), v)\n")
        elif m.elem.shape == "string":
            lines.append(f"\tdst := unsafe.Slice((*{ce})(c.p), len(v))\n")
            lines.append("\tfor i := range v {\n")
            lines.append("\t\tif goffiStringView(dst[i]) != string(v[i]) {\n")
            lines.append(f"\t\t\t{self.go_out(m.elem, '&dst[i]', 'v[i]')}\n")
            lines.append("\t\t}\n\t}\n")
        else:
            lines.append(f"\tdst := unsafe.Slice((*{ce})(c.p), len(v))\n")
            lines.append("\tfor i := range v {\n")
            lines.append(f"\t\t{self.go_out(m.elem, '&dst[i]', 'v[i]')}\n")
            lines.append("\t}\n")
        if m.elem.shape != "string":
            lines.append("\t_ = arena\n")
        lines.append("}\n\n")
        return "".join(lines)

    def _seq_out(self, m: Mapping) -> str:
        assert m.elem is not None
        ident = converter_ident(m.ref)
        t = self.speller.type(m.ref)
        et = self.speller.type(m.elem.ref)
        ce = c_type(m.elem)
        lines = [f"// goffiOut_{ident} copies a Go {m.ref.go_spelling()} into the arena.\n"]
        lines.append(f"func goffiOut_{ident}(dst *C.goffi_slice, arena *C.goffi_arena, v {t}) {{\n")
        lines.append("\tdst.n = C.int64_t(len(v))\n\tdst.p = nil\n")
        lines.append("\tif len(v) == 0 {\n\t\treturn\n\t}\n")
        lines.append(f"\tp := goffiAlloc(arena, uintptr(len(v))*{c_sizeof(m.elem)})\n")
        if self._bulk(m.elem):
            lines.append(f"\tcopy(unsafe.Slice((*{et})(p), len(v)), v[:])\n")
        else:
            lines.append(f"\tout := unsafe.Slice((*{ce})(p), len(v))\n")
            lines.append("\tfor i := range v {\n")
            lines.append(f"\t\t{self.go_out(m.elem, '&out[i]', 'v[i]')}\n")
            lines.append("\t}\n")
        lines.append("\tdst.p = p\n}\n\n")
        return "".join(lines)

    def _map_in(self, m: Mapping, owned: bool) -> str:
        self.std.add("unsafe")
        assert m.key is not None and m.elem is not None
        ident = converter_ident(m.ref)
        t = self.speller.type(m.ref)
        ck, cv = c_type(m.key), c_type(m.elem)
        name = f"goffiInOwned_{ident}" if owned else f"goffiIn_{ident}"
        what = ", with its own copy of every byte slice" if owned else ""
        return (
            f"// {name} builds a Go {m.ref.go_spelling()} from C key and value arrays{what}.\n"
            f"func {name}(c C.goffi_map) {t} {{\n"
            "\tif c.keys == nil {\n\t\treturn nil\n\t}\n"
            f"\tks := unsafe.Slice((*{ck})(c.keys), int(c.n))\n"
            f"\tvs := unsafe.Slice((*{cv})(c.vals), int(c.n))\n"
            f"\tout := make({t}, len(ks))\n"
            "\tfor i := range ks {\n"
            f"\t\tout[{self.go_in(m.key, 'ks[i]', owned)}] = {self.go_in(m.elem, 'vs[i]', owned)}\n"
            "\t}\n\treturn out\n}\n\n"
        )

    def _map_out(self, m: Mapping) -> str:
        self.std.add("unsafe")
        assert m.key is not None and m.elem is not None
        ident = converter_ident(m.ref)
        t = self.speller.type(m.ref)
        kt = self.speller.type(m.key.ref)
        ck, cv = c_type(m.key), c_type(m.elem)
        return (
            f"// goffiOut_{ident} copies a Go {m.ref.go_spelling()} into the arena, keys sorted so\n"
            "// Python sees the same order every time.\n"
            f"func goffiOut_{ident}(dst *C.goffi_map, arena *C.goffi_arena, v {t}) {{\n"
            "\tdst.n = C.int64_t(len(v))\n\tdst.keys, dst.vals = nil, nil\n"
            "\tif len(v) == 0 {\n\t\treturn\n\t}\n"
            f"\tentries := goffiSortedEntries(v, {self._compare(m.key, kt)})\n"
            f"\tks := unsafe.Slice((*{ck})(goffiAlloc(arena, uintptr(len(v))*{c_sizeof(m.key)})), len(v))\n"
            f"\tvs := unsafe.Slice((*{cv})(goffiAlloc(arena, uintptr(len(v))*{c_sizeof(m.elem)})), len(v))\n"
            "\tfor i := range entries {\n"
            f"\t\t{self.go_out(m.key, '&ks[i]', 'entries[i].k')}\n"
            f"\t\t{self.go_out(m.elem, '&vs[i]', 'entries[i].v')}\n"
            "\t}\n"
            "\tdst.keys, dst.vals = unsafe.Pointer(&ks[0]), unsafe.Pointer(&vs[0])\n}\n\n"
        )

    def _compare(self, key: Mapping, kt: str) -> str:
        """A Go func(a, b K) int ordering map keys (an argument of goffiSortedEntries)."""
        if key.shape in ("int", "uint", "float", "string"):
            self.std.add("cmp")
            return f"cmp.Compare[{kt}]"
        if key.shape == "bool":
            self.std.add("cmp")
            expr = "cmp.Compare(goffiBool(bool(a)), goffiBool(bool(b)))"
        elif key.shape == "complex":
            self.std.add("cmp")
            expr = "cmp.Or(cmp.Compare(real(a), real(b)), cmp.Compare(imag(a), imag(b)))"
        elif key.shape == "bytearray":
            self.std.add("slices")
            expr = "slices.Compare(a[:], b[:])"
        elif key.shape == "any":
            self.std.add("goffi.local/bundle/rt")
            return (
                "rt.CompareAny"
                if kt == "any"
                else f"func(a, b {kt}) int {{\n\t\treturn rt.CompareAny(a, b)\n\t}}"
            )
        else:
            raise AssertionError(f"map key {key.go_name} has no ordering (the type table allows no such key)")
        # On three lines: gofmt splits a one-line literal this long, and the output must be gofmt's.
        return f"func(a, b {kt}) int {{\n\t\treturn {expr}\n\t}}"


def _all_funcs(plan: BundlePlan) -> list[FuncPlan]:
    """Every bridged function and method of the bundle."""
    return [f for p in plan.packages for f in p.all_funcs] + [m for c in plan.classes() for m in c.methods]
