"""The Go wrapper's part of the goroutine bridge: the C prototypes of the callback
trampolines the closures call, goffi_make_chan (make_chan) and the typed batch receives
of channels of basic element types (goffiChanSlots)."""

from __future__ import annotations

from goffi.render.go_converters import ConverterRenderer
from goffi.render.go_text import EXPORT, go_string
from goffi.typemap import default_class_name

# Channel element shapes received typed (goffiChanSlots): their C slot kind and the
# goffi_bridge.go function that makes a value's slot.
_SLOT_OF_SHAPE = {
    "int": ("GOFFI_SLOT_INT", "goffiSlotInt"),
    "uint": ("GOFFI_SLOT_UINT", "goffiSlotUint"),
    "float": ("GOFFI_SLOT_FLOAT", "goffiSlotFloat"),
    "bool": ("GOFFI_SLOT_BOOL", "goffiSlotBool"),
}


class CallbackRenderer(ConverterRenderer):
    """Renders the trampolines' prototypes, make_chan and the channel slots."""

    def trampolines(self) -> str:
        """C prototypes of the callback trampolines (defined in glue.c) the closures call.

        A trampoline returns how the callable ended and its converted results in one
        struct, by value (goffi_cbr_*), so the closure passes no pointer to Go memory.
        """
        out = []
        proxied = [m.trampoline for p in self.plan.proxies for m in p.methods]
        for f in (*self.plan.func_types, *proxied):
            sig = f.mapping.sig
            assert sig is not None
            fields = ["int status;", *(f"{r.c_type} r{i};" for i, r in enumerate(sig.results))]
            fields += ["goffi_err re;"] if sig.returns_error and (f.proxy or not sig.results) else []
            out.append(
                f"typedef struct {{ {' '.join(fields)} }} goffi_cbr_{f.ident};\n{f.trampoline_signature};\n"
            )
        return "".join(out)

    def make_chan(self) -> str:
        """goffi_make_chan: the channel shims, one case per element type of the bundle's channels."""
        cases = []
        for e in self.plan.chan_elems():
            names = sorted({e.go_name, default_class_name(e.go_name) if e.ref.kind == "named" else e.go_name})
            t = self.speller.type(e.ref)
            cases.append(
                f"\tcase {', '.join(go_string(n) for n in names)}:\n"
                # Go aborts the process for a buffer it cannot allocate: check first.
                f'\t\trt.CheckBuffer("make_chan() buffer", int64(buffer), unsafe.Sizeof(*new({t})))\n'
                f"\t\tgoffiPutChan(dst, make(chan {t}, int(buffer)), false)\n"
                f"\t\tgoffiSetString(canonical, arena, {go_string(e.go_name)})\n"
            )
        known = ", ".join(e.go_name for e in self.plan.chan_elems()) or "none"
        self.std.add("goffi.local/bundle/rt")
        if cases:
            self.std.add("unsafe")
        body = "\tswitch goffiString(name) {\n" + "".join(cases) + "\tdefault:\n" if cases else ""
        indent = "\t\t" if cases else "\t"  # inside the switch's default, or the body itself
        fail = (
            f'{indent}panic(rt.NewTypeErrorText("make_chan: " + goffiString(name) + " is not the element type of a '
            f'channel in this bundle; it has: {known}"))\n'
        )
        return (
            EXPORT.format(
                comment="goffi_make_chan makes a channel for Python (make_chan), by element type.",
                symbol="goffi_make_chan",
                params="name C.goffi_str, buffer C.int64_t, dst *C.goffi_handle, canonical *C.goffi_str, "
                "e *C.goffi_err, arena *C.goffi_arena",
                body=body + fail + ("\t}\n" if cases else ""),
            )
            + "\n"
        )

    def chan_slots(self) -> str:
        """goffiChanSlots: typed batch receives for the bundle's basic channel element types.

        Iterating a channel of integers, floats or bools is the hot path of channels, so
        those element types skip reflect and `any`: one instance of goffiRecvSlots
        (goffi_bridge.go) per element type and direction receives straight into C memory.
        """
        cases = []
        for e in self.plan.chan_elems():
            slot = _SLOT_OF_SHAPE.get(e.shape) if e.ref.kind == "basic" else None
            if slot is None:
                continue
            kind, func = slot
            t = self.speller.type(e.ref)
            convert = "goffiSlotBool" if func == "goffiSlotBool" else f"{func}[{t}]"
            for chan in (f"chan {t}", f"<-chan {t}"):
                cases.append(
                    f"\tcase {chan}:\n"
                    f"\t\tn, status = goffiRecvSlots[{t}](c, out, timeoutNs, try, {convert})\n"
                    f"\t\treturn C.{kind}, n, status\n"
                )
        body = "\tswitch c := ch.(type) {\n" + "".join(cases) + "\t}\n" if cases else ""
        return (
            "// goffiChanSlots receives for goffi_chan_recv_batch from a channel of one of the\n"
            "// bundle's basic element types, typed: no reflect, no any, values straight into\n"
            "// out's 64-bit slots (read as kind says). Other channels report GOFFI_SLOT_NONE.\n"
            "func goffiChanSlots(ch any, out []uint64, timeoutNs int64, try bool) (kind C.int32_t, n int, status C.int32_t) {\n"
            + body
            + "\treturn C.GOFFI_SLOT_NONE, 0, 0\n}\n"
        )
