"""The Go wrapper's classes: each class's exports (constructor, boxing, methods, field
accessors), and the tables of dynamic types: the class of a Go value crossing as an
interface, records crossing as any, the bundle's sentinel errors and error types."""

from __future__ import annotations

from goffi.plan import ClassPlan
from goffi.render.go_exports import ExportRenderer
from goffi.render.go_text import EXPORT, c_type, converter_ident, go_string
from goffi.surface.model import TypeRef
from goffi.typemap import default_class_name


class ClassRenderer(ExportRenderer):
    """Renders each class's exports and the dynamic-type tables."""

    def class_exports(self, cls: ClassPlan) -> list[str]:
        t = self.speller.type(cls.ref)
        out = []
        if cls.kind == "handle":
            out.append(
                EXPORT.format(
                    comment=f"{cls.new_symbol} makes a new zero {cls.key} for Python ({cls.py_name}()).",
                    symbol=cls.new_symbol,
                    params="dst *C.goffi_handle, e *C.goffi_err, arena *C.goffi_arena",
                    # A struct Go shares by pointer, made in Python, is a value (T{...} in Go)
                    # boxed into its pointer: in an any it is that T, where Go takes *T the pointer.
                    body=f"\tgoffiPutBoxed(dst, new({t}), {cls.index})\n"
                    if cls.shared
                    else f"\tgoffiPutPtr(dst, new({t}), {cls.index})\n",
                )
            )
        if cls.record is not None and cls.has_box:
            value = self.go_in(cls.record, "a0", owned=True)
            out.append(
                EXPORT.format(
                    comment=f"{cls.box_symbol} boxes a {cls.key} from Python for an interface argument.",
                    symbol=cls.box_symbol,
                    params=f"a0 {c_type(cls.record)}, dst *C.goffi_handle, e *C.goffi_err, arena *C.goffi_arena",
                    body=f"\tgoffiPut(dst, {value}, nil, goffiAnyClass)\n",
                )
            )
        for m in cls.methods:
            out.append(self.func_export(m))
        # A record's fields are plain Python attributes; only handle classes read Go's.
        for f in cls.fields if cls.kind == "handle" else ():
            what = go_string(f"{default_class_name(cls.key)}.{f.go_name}")
            recv = f"\trecv := goffiRecv[*{t}](self, {what})\n"
            value = f"&recv.{f.go_name}" if f.by_address else f"recv.{f.go_name}"
            out.append(
                EXPORT.format(
                    comment=f"{f.get_symbol} reads the field {cls.key}.{f.go_name}.",
                    symbol=f.get_symbol,
                    params=f"self C.uint64_t, r0 *{c_type(f.type)}, e *C.goffi_err, arena *C.goffi_arena",
                    body=recv + f"\tv0 := {value}\n\t{self.go_out(f.type, 'r0', 'v0')}\n",
                )
            )
            assigned = self.go_in(f.type, "a0", owned=True, what=f"{default_class_name(cls.key)}.{f.go_name}")
            if f.by_address:
                assigned = "*" + assigned
            out.append(
                EXPORT.format(
                    comment=f"{f.set_symbol} assigns the field {cls.key}.{f.go_name}.",
                    symbol=f.set_symbol,
                    params=f"self C.uint64_t, a0 {c_type(f.type)}, e *C.goffi_err, arena *C.goffi_arena",
                    # Go keeps the value after this call: it must not alias the caller's buffers.
                    body=recv + f"\trecv.{f.go_name} = {assigned}\n",
                )
            )
        return out

    def record_any(self) -> str:
        """goffiRecordIn/Out: records crossing as any keep their Go type."""
        ins, outs = [], []
        for cls in self.plan.classes():
            if cls.any_value:
                # A value of a named type with a value class (slog.Level) comes back as its class.
                m = self.plan.record_mapping(cls.key)
                t = self.speller.type(m.ref)
                outs.append(
                    f"\tcase {t}:\n\t\tp := (*C.{m.c_type})(goffiAlloc(a, C.sizeof_{m.c_type}))\n"
                    f"\t\tarena := a\n\t\t{self.go_out(m, 'p', 'x')}\n\t\t_ = arena\n"
                    f"\t\treturn unsafe.Pointer(p), {cls.index}\n"
                )
            if cls.kind != "record":
                continue
            m = self.plan.record_mapping(cls.key)
            ident = converter_ident(m.ref)
            t = self.speller.type(m.ref)
            ins.append(f"\tcase {cls.index}:\n\t\treturn goffiIn_{ident}(*(*C.{m.c_type})(p))\n")
            outs.append(
                f"\tcase {t}:\n\t\tp := (*C.{m.c_type})(goffiAlloc(a, C.sizeof_{m.c_type}))\n"
                f"\t\tgoffiOut_{ident}(p, a, x)\n\t\treturn unsafe.Pointer(p), {cls.index}\n"
            )
        self.std.add("unsafe")
        in_body = "\tswitch cls {\n" + "".join(ins) + "\t}\n" if ins else "\t_ = p\n"
        out_body = "\tswitch x := v.(type) {\n" + "".join(outs) + "\t}\n" if outs else "\t_, _ = a, v\n"
        return (
            "// goffiRecordIn builds the Go value of a record that crossed as any.\n"
            "func goffiRecordIn(cls int, p unsafe.Pointer) any {\n"
            + in_body
            + '\tpanic(fmt.Sprintf("goffi: class %d is not a record", cls))\n}\n\n'
            "// goffiRecordOut copies a record value crossing as any into the arena (nil if v is no record).\n"
            "func goffiRecordOut(a *C.goffi_arena, v any) (unsafe.Pointer, int) {\n"
            + out_body
            + "\treturn nil, -1\n}\n\n"
        )

    def errors_code(self) -> str:
        """The bundle's sentinels and error types, in the order of their Python classes."""
        self.std.add("goffi.local/bundle/rt")
        sentinels = "".join(
            f"\t\t{self.speller.alias(x.pkg_path)}.{x.go_name},\n" for x in self.plan.sentinels()
        )
        # rt.As is errors.As with a bound and a loop check: an error that wraps itself
        # must not hang the call that returned it.
        probes = []
        for x in self.plan.error_types():
            t = self.speller.type(TypeRef(kind="named", pkg=x.pkg_path, name=x.go_name))
            if x.pointer:
                # A record's value crosses as the record; a handle's as the pointer itself.
                value = "*t" if x.value_kind == "record" else "t"
                probes.append(
                    f"\tif t, ok := rt.As[*{t}](err); ok && t != nil {{\n\t\tvisit({x.index}, {value})\n\t}}\n"
                )
            else:
                probes.append(
                    f"\tif t, ok := rt.As[{t}](err); ok {{\n\t\tvisit({x.index}, t)\n"
                    f"\t}} else if p, ok := rt.As[*{t}](err); ok && p != nil {{\n\t\tvisit({x.index}, *p)\n\t}}\n"
                )
        body = "".join(probes) or "\t_, _ = err, visit\n"
        return (
            "// goffiSentinels lists the bundle's sentinel errors (read at each call: they are\n"
            "// variables), in the order of their Python exception classes.\n"
            "func goffiSentinels() []error {\n\treturn []error{\n" + sentinels + "\t}\n}\n\n"
            "// goffiErrorTypes reports each of the bundle's error types found in err's chain\n"
            "// (errors.As, bounded: rt.As) with its value, in the order of their Python exception classes.\n"
            "func goffiErrorTypes(err error, visit func(index int, value any)) {\n" + body + "}\n\n"
        )

    def class_of(self) -> str:
        """goffiClassOf: the class of a dynamic Go value, for interface results."""
        cases = []
        for cls in self.plan.classes():
            if cls.kind != "handle":
                continue
            t = self.speller.type(cls.ref)
            cases.append(f"\tcase *{t}:\n\t\treturn x, x, {cls.index}\n")
            cases.append(f"\tcase {t}:\n\t\tp := &x\n\t\treturn p, p, {cls.index}\n")
        self.std.add("goffi.local/bundle/rt")
        body = "\tswitch x := v.(type) {\n" + "".join(cases) + "\t}\n" if cases else ""
        # Always there, so the wrapper compiles with and without the goffi_bridge tag.
        chan_class = (
            "// goffiChanClass is the class of channel handles (used by goffi_bridge.go).\n"
            f"const goffiChanClass = {self.plan.chan_class}\n\n"
        )
        return chan_class + (
            "// goffiAnyClass is the class of Go values that cross as `any` and have no class of\n"
            "// their own (Python's GoValue).\n"
            f"const goffiAnyClass = {self.plan.any_class}\n\n"
            "// goffiClassOf finds the Python class of a dynamic Go value: the class of its type when\n"
            "// the bundle has one (a struct value is boxed into a pointer, so its object can call\n"
            "// pointer methods), else static, the class of the interface it was returned as.\n"
            "func goffiClassOf(v any, static int) (stored, key any, cls int) {\n"
            + body
            + "\treturn v, rt.IdentityKey(v), static\n}\n\n"
        )
