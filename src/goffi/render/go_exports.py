"""The Go wrapper's exports: one ``//export`` function per bridged Go function or method
(its C arguments converted to Go, the call, its results converted into the call's arena,
an error or panic reported) and a getter and setter per package variable."""

from __future__ import annotations

from goffi.plan import FuncPlan, PackagePlan, VarPlan
from goffi.render.go_converters import ConverterRenderer
from goffi.render.go_text import EXPORT, argument_description, c_type, converter_ident, go_string, holds_view
from goffi.surface.model import TypeRef


class ExportRenderer(ConverterRenderer):
    """Renders the exports of functions, methods and package variables."""

    def func_export(self, fn: FuncPlan) -> str:
        params = [f"a{i} {c_type(p.type)}" for i, p in enumerate(fn.params)]
        # Where Go decodes into an any parameter, what it decoded goes back to C in d<i>.
        params += [f"d{i} *C.goffi_any" for i, p in enumerate(fn.params) if p.decodes]
        # Where Go writes into a map parameter, its map after the call goes back in m<i>.
        params += [f"m{i} *C.goffi_map" for i, p in enumerate(fn.params) if p.map_writes]
        params += [f"r{i} *{c_type(r)}" for i, r in enumerate(fn.results)]
        params += ["e *C.goffi_err", "arena *C.goffi_arena"]
        body = []
        if fn.receiver is not None and fn.receiver.via == "func":
            params.insert(0, "self C.uint64_t")
            t = self.speller.type(self.plan.func_type(fn.receiver.cls).mapping.ref)
            body.append(f"\trecv := goffiRecv[{t}](self, {go_string(fn.qualified)})\n")
            target = "recv"
        elif fn.receiver is not None and fn.receiver.record is not None:
            params.insert(0, f"self C.{fn.receiver.record.c_type}")
            body.append(f"\trecv := {self.go_in(fn.receiver.record, 'self', owned=True)}\n")
            target = "recv"
        elif fn.receiver is not None:
            params.insert(0, "self C.uint64_t")
            recv_type = self.speller.type(
                TypeRef(kind="named", pkg=_pkg_of(fn.receiver.cls), name=_name_of(fn.receiver.cls))
            )
            if fn.receiver.via == "pointer":
                recv_type = "*" + recv_type
            body.append(
                f"\trecv := goffiRecv[{recv_type}](self, {go_string(fn.qualified + '() receiver')})\n"
            )
            target = "recv"
        else:
            target = self.speller.alias(fn.pkg_path)
        args = []
        copied_back = []
        for i, p in enumerate(fn.params):
            # Memory Go may keep after the call is its own (plan: ParamPlan.kept), never a view.
            arg = self.go_in(p.type, f"a{i}", owned=p.kept, what=argument_description(fn, p))
            if p.decodes:
                # Go decodes into it (plan: ParamPlan.decodes): a pointer to the copy of a
                # dict, list or record, and afterwards what Go decoded, for the C glue.
                body.append(f"\targ{i}, back{i} := goffiDecodeTarget(&a{i}, {arg})\n")
                copied_back.append(f"\tgoffiDecodeBack(d{i}, arena, arg{i}, back{i})\n")
                arg = f"arg{i}"
            elif p.map_writes:
                # Go writes into the map (plan: ParamPlan.map_writes): its contents after
                # the call, for the C glue to put into a dict argument.
                body.append(f"\targ{i} := {arg}\n")
                copied_back.append(f"\t{self.go_out(p.type, f'm{i}', f'arg{i}')}\n")
                arg = f"arg{i}"
            elif p.writes_back:
                # Go's writes into its slice go back over the C array after the call (and
                # from there to a list argument: the C glue's goffi_back_).
                body.append(f"\targ{i} := {arg}\n")
                if p.type.elem is not None and p.type.elem.shape == "any":
                    # What Go got, to tell the items Go left or moved from those it wrote.
                    body.append(f"\tbefore{i} := append([]any(nil), arg{i}...)\n")
                    copied_back.append(
                        f"\tgoffiBack_{converter_ident(p.type.ref)}(a{i}, arena, arg{i}, before{i})\n"
                    )
                else:
                    copied_back.append(f"\tgoffiBack_{converter_ident(p.type.ref)}(a{i}, arena, arg{i})\n")
                arg = f"arg{i}"
            elif p.kept and p.writes and p.type.shape == "bytes" and not p.variadic:
                # Go's own copy of a []byte: its writes during the call go back to the
                # caller's buffer afterwards, as they would land in a view (not for a
                # []byte Go does not write into: ParamPlan.writes).
                body.append(f"\targ{i} := {arg}\n")
                copied_back.append(f"\tgoffiBytesBack(a{i}, []byte(arg{i}))\n")
                arg = f"arg{i}"
            args.append(arg + "..." if p.variadic else arg)
        if fn.interruptible:
            # Ctrl-C cancels the context the function gets (goffiInterruptible, goffi_cgo.go).
            # A context Go may keep (context.WithCancel(parent) stores it) outlives the call,
            # so the return must not cancel it; one that does not escape is released then.
            kept = "true" if fn.params[0].kept else "false"
            body.append(
                f"\tctx, stopInterrupts := goffiInterruptible({args[0]}, {kept})\n\tdefer stopInterrupts()\n"
            )
            args[0] = "ctx"
        callee = target if fn.receiver is not None and fn.receiver.via == "func" else f"{target}.{fn.go_name}"
        if fn.type_args:  # an instantiation of a generic function (goffi.generics)
            callee += "[" + ", ".join(self.speller.type(a) for a in fn.type_args) + "]"
        call = f"{callee}({', '.join(args)})"
        results = [f"v{i}" for i in range(len(fn.results))] + (["err"] if fn.returns_error else [])
        if results:
            body.append(f"\t{', '.join(results)} := {call}\n")
        else:
            body.append(f"\t{call}\n")
        body.extend(copied_back)
        if fn.returns_error:
            body.append("\tif err != nil {\n\t\tgoffiSetError(e, arena, err)\n\t\treturn\n\t}\n")
        if fn.receiver is not None and fn.receiver.write_back and fn.receiver.record is not None:
            # The receiver as Go left it, copied back into the Python list or dict.
            params.insert(len(params) - 2, f"self_out *{c_type(fn.receiver.record)}")
            body.append(f"\t{self.go_out(fn.receiver.record, 'self_out', 'recv')}\n")
        for i, r in enumerate(fn.results):
            if r.shape == "buffer":
                # Lent to Python, unless it shares memory with a viewed argument.
                body.append(f"\tgoffiLend({', '.join([f'r{i}', f'v{i}', *self._viewed_spans(fn)])})\n")
            else:
                body.append(f"\t{self.go_out(r, f'r{i}', f'v{i}')}\n")
        comment = f"{fn.symbol} calls {fn.qualified}: {fn.go_signature}"
        return EXPORT.format(comment=comment, symbol=fn.symbol, params=", ".join(params), body="".join(body))

    def _viewed_spans(self, fn: FuncPlan) -> list[str]:
        """Go expressions for the memory of each argument that Go sees as a view."""
        spans = []
        for i, p in enumerate(fn.params):
            if p.type.shape == "buffer" and p.type.elem is not None:
                spans.append(f"goffiViewSpan[{self.speller.type(p.type.elem.ref)}](a{i})")
            elif p.type.shape == "bytes" and not p.variadic:
                spans.append(f"goffiBytesSpan(a{i})")
            elif holds_view(p.type):
                spans.append("goffiAnywhere")
        return spans

    def var_exports(self, pkg: PackagePlan, var: VarPlan) -> str:
        alias = self.speller.alias(pkg.path)
        target = f"{alias}.{var.go_name}"
        qualified = f"{pkg.go_name}.{var.go_name}"
        getter = EXPORT.format(
            comment=f"{var.get_symbol} reads the package variable {qualified}.",
            symbol=var.get_symbol,
            params=f"r0 *{c_type(var.type)}, e *C.goffi_err, arena *C.goffi_arena",
            body=f"\tv0 := {target}\n\t{self.go_out(var.type, 'r0', 'v0')}\n",
        )
        setter = EXPORT.format(
            comment=f"{var.set_symbol} assigns the package variable {qualified}.",
            symbol=var.set_symbol,
            params=f"a0 {c_type(var.type)}, e *C.goffi_err, arena *C.goffi_arena",
            # Go keeps the value after this call: it must not alias the caller's buffers.
            body=f"\t{target} = {self.go_in(var.type, 'a0', owned=True)}\n",
        )
        if var.read_only:  # an unexported type: Go cannot take it from Python (Python has no setter)
            setter = EXPORT.format(
                comment=f"{var.set_symbol}: the package variable {qualified} is read-only from Python.",
                symbol=var.set_symbol,
                params=f"a0 {c_type(var.type)}, e *C.goffi_err, arena *C.goffi_arena",
                body=f"\t_ = a0\n\tpanic({go_string(qualified + ' has an unexported type: it cannot be assigned')})\n",
            )
        return getter + "\n" + setter


def _pkg_of(key: str) -> str:
    return key.rpartition(".")[0]


def _name_of(key: str) -> str:
    return key.rpartition(".")[2]
