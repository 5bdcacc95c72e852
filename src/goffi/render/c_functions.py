"""The C glue's functions: a ``METH_FASTCALL`` function per bridged Go function and method
(arguments converted with the GIL held, released only around the call into Go), package
variables' accessors and each package's method table.
"""

from __future__ import annotations

from goffi.plan.model import FuncPlan, PackagePlan, VarPlan
from goffi.render.c_converters import ConverterRenderer
from goffi.render.c_text import c_doc, c_string, function_docstring
from goffi.typemap.decisions import Mapping

_FUNC = """\
/* {qualified}: {go_signature} */
static PyObject *
{cname}(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{{
{decls}    goffi_err err;
    PyObject *result = NULL;
    GOFFI_ARENA(arena);
    (void)self;
    (void)args;
    err.kind = GOFFI_OK; /* Go fills the rest, on the error path only */
    if (GOFFI_UNLIKELY(goffi_forked || kwnames != NULL || {bad_arity})) {{
{kwargs}        if (goffi_check_nargs("{qualified}", nargs, {min_args}, {max_args}) < 0) {{
            return NULL;
        }}
    }}
{conversions}{interrupt_begin}    GOFFI_CALL_ENTER(&arena);
    {release}
    {symbol}({call_args});
    {reacquire}
    GOFFI_CALL_LEAVE(&arena);
{after_call}    if (GOFFI_UNLIKELY(err.kind != GOFFI_OK)) {{
        goffi_raise(&err);
        goto pending;
    }}
{results}pending:
    if (GOFFI_UNLIKELY(arena.pending != NULL)) {{
        /* A Python callback raised: that exception, the original object, is the outcome.
         * What Go returned was still converted above, so its handles are released. */
        Py_CLEAR(result);
        PyErr_Clear();
        goffi_raise_pending(&arena);
    }}
{interrupt_end}done:
    goffi_arena_free(&arena);
    return result;
}}

"""


# The end of a call whose context Ctrl-C cancels (FuncPlan.interruptible): a SIGINT
# during the call makes Python's handler's exception (KeyboardInterrupt) the outcome.
_INTERRUPT_END = """\
    if (GOFFI_UNLIKELY(goffi_sigint_end(interrupts))) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        if (PyErr_CheckSignals() < 0) {
            Py_CLEAR(result); /* what Go returned (context.Canceled, mostly) gives way to Ctrl-C */
            Py_XDECREF(type);
            Py_XDECREF(value);
            Py_XDECREF(tb);
        } else {
            PyErr_Restore(type, value, tb);
        }
    }
"""


class FunctionRenderer(ConverterRenderer):
    """Renders functions, methods, variable accessors and method tables."""

    def func(self, fn: FuncPlan, cname: str) -> str:
        decls = []
        conversions = []
        call_args = []
        after_call = ""
        back: list[str] = []
        first = 0  # index of the first Go parameter in args
        abandon = self.abandon
        if fn.receiver is not None and fn.receiver.record is not None:
            # A record method is a module function taking the record first.
            rec = fn.receiver.record
            decls.append(f"    {rec.c_type} self_rec;\n")
            where = c_string(f"{fn.qualified}() receiver (Go {rec.go_name})")
            conversions.append(
                f"    if (goffi_in_{rec.cid}(args[0], &self_rec, &arena, {where}) < 0) {{\n{abandon}        goto done;\n    }}\n"
            )
            call_args.append("self_rec")
            first = 1
        elif fn.receiver is not None:
            call_args.append("((goffi_object *)self)->handle")
            if fn.go_name == "Close" and not fn.params:
                # Closed, even if Close returned an error: no "unclosed" warning later.
                after_call = "    ((goffi_object *)self)->flags |= GOFFI_FLAG_CLOSED;\n"
        nfixed = len(fn.params) - (1 if fn.variadic else 0)
        for i, p in enumerate(fn.params):
            decls.append(f"    {p.type.c_type} a{i};\n")
            go_type = p.type.go_name
            if p.variadic:
                assert p.type.elem is not None
                where = c_string(f"{fn.qualified}() argument '*{p.py_name}' (Go ...{p.type.elem.go_name})")
                j = i + first
                conversions.append(
                    f"    if (goffi_items_{p.type.cid}(args + {j}, nargs - {j}, &a{i}, &arena, {where}) < 0) {{\n"
                    f"{abandon}        goto done;\n    }}\n"
                    f"    if (nargs == {j}) {{\n"
                    "        /* No variadic arguments: Go passes a nil slice, and so does goffi. */\n"
                    f"        a{i}.p = NULL;\n    }}\n"
                )
            else:
                where = c_string(f"{fn.qualified}() argument '{p.py_name}' (Go {go_type})")
                conv = f"goffi_in_w_{p.type.cid}" if p.writes_back else f"goffi_in_{p.type.cid}"
                if p.type.shape == "bytes" and not p.writes:
                    # Go does not write into it (ParamPlan.writes): a read-only buffer
                    # (bytes) is lent as it is, not copied.
                    conv = "goffi_in_bytes_ro"
                elif p.type.shape == "buffer" and not p.writes:
                    conv = f"goffi_in_ro_{p.type.cid}"  # a zero-copy slice, the same way
                arg = f"args[{i + first}]"
                if fn.nil_default and i == len(fn.params) - 1:
                    # Left out (FuncPlan.nil_default): None, Go's nil.
                    arg = f"(nargs > {i + first} && {arg} != NULL ? {arg} : Py_None)"
                conversions.append(
                    f"    if ({conv}({arg}, &a{i}, &arena, {where}) < 0) {{\n"
                    f"{abandon}        goto done;\n    }}\n"
                )
                if p.writes_back:
                    # Go's writes come back (a failure here is a MemoryError; Go's own error wins).
                    back.append(
                        f"    if (goffi_back_{p.type.cid}(args[{i + first}], &a{i}) < 0 && err.kind == GOFFI_OK) {{\n"
                        "        goto pending;\n    }\n"
                    )
            call_args.append(f"a{i}")
        for i, p in enumerate(fn.params):
            if p.decodes:
                # Go decodes into it (ParamPlan.decodes): its result goes into the object.
                decls.append(f"    goffi_any d{i} = {{0}};\n")
                call_args.append(f"&d{i}")
                back.append(
                    f"    if (goffi_decode_back(args[{i + first}], &d{i}) < 0 && err.kind == GOFFI_OK) {{\n"
                    "        goto pending;\n    }\n"
                )
            if p.map_writes:
                # Go writes into the map (ParamPlan.map_writes): a dict gets its contents.
                # n stays -1 unless Go described its map (it returned, with or without error).
                decls.append(f"    goffi_map m{i} = {{NULL, NULL, -1}};\n")
                call_args.append(f"&m{i}")
                back.append(
                    f"    if (m{i}.n >= 0 && PyDict_Check(args[{i + first}])) {{\n"
                    f"        PyObject *now = goffi_out_{p.type.cid}(&m{i});\n"
                    f"        int rc = now == NULL ? -1 : goffi_dict_become(args[{i + first}], now);\n"
                    "        Py_XDECREF(now);\n"
                    "        if (rc < 0 && err.kind == GOFFI_OK) {\n            goto pending;\n        }\n"
                    "    }\n"
                )
        for i, r in enumerate(fn.results):
            decls.append(f"    {r.c_type} r{i};\n")
            call_args.append(f"&r{i}")
        results = self._results(fn.results)
        if fn.receiver is not None and fn.receiver.write_back and fn.receiver.record is not None:
            rec = fn.receiver.record
            decls.append(f"    {rec.c_type} self_out;\n")
            call_args.append("&self_out")
            results += (
                "    if (result != NULL) {\n"
                "        /* The receiver as Go left it, copied into the Python list or dict. */\n"
                f"        PyObject *now = goffi_out_{rec.base.cid}(&self_out);\n"
                "        if (now == NULL || goffi_write_back(args[0], now) < 0) {\n"
                "            Py_CLEAR(result);\n        }\n"
                "        Py_XDECREF(now);\n    }\n"
            )
        call_args += ["&err", "&arena"]
        # Keyword arguments by Go parameter name (the fixed ones; ...T stays positional),
        # merged into positions only when a call passes some: the positional path is as
        # before, plus one test of kwnames.
        names = [c_string(p.py_name) for p in fn.params if not p.variadic]
        nslots = first + len(names)
        kwargs = (
            f"        static const char *const kwlist[] = {{{', '.join([*names, 'NULL'])}}};\n"
            "        if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0) {\n"
            f'            nargs = goffi_kwargs("{fn.qualified}", args, nargs, kwnames, kwlist, {first}, {nslots}, '
            f"{nslots - (1 if fn.nil_default else 0)}, kwbuf);\n"
            "            if (nargs < 0) {\n                return NULL;\n            }\n"
            "            args = kwbuf;\n        }\n"
        )
        decls.append(
            f"    PyObject *kwbuf[{max(nslots, 1)}]; /* the arguments, when keywords are passed */\n"
        )
        max_args = nfixed + first
        min_args = max_args - (1 if fn.nil_default else 0)
        return _FUNC.format(
            kwargs=kwargs,
            # One comparison where the count is fixed (the common case: a single branch).
            bad_arity=f"nargs < {min_args}" if fn.variadic else f"nargs != {max_args}",
            qualified=fn.qualified,
            go_signature=fn.go_signature,
            cname=cname,
            after_call="".join(back) + after_call,
            release="/* declared non-blocking: the GIL stays held */"
            if fn.holds_gil
            else "Py_BEGIN_ALLOW_THREADS",
            reacquire="" if fn.holds_gil else "Py_END_ALLOW_THREADS",
            decls="".join(decls),
            min_args=min_args,
            max_args=-1 if fn.variadic else max_args,
            conversions="".join(conversions),
            symbol=fn.symbol,
            call_args=", ".join(call_args),
            results=results,
            interrupt_begin="    uint64_t interrupts = goffi_sigint_begin();\n" if fn.interruptible else "",
            interrupt_end=_INTERRUPT_END if fn.interruptible else "",
        )

    def _results(self, results: tuple[Mapping, ...]) -> str:
        if not results:
            return "    result = Py_NewRef(Py_None);\n"
        if len(results) == 1:
            return f"    result = goffi_out_{results[0].cid}(&r0);\n"
        n = len(results)
        lines = [f"    result = PyTuple_New({n});\n", "    if (result != NULL) {\n"]
        for i, r in enumerate(results):
            lines.append(f"        PyObject *o{i} = goffi_out_{r.cid}(&r{i});\n")
            lines.append(
                f"        if (o{i} == NULL) {{\n            Py_CLEAR(result);\n            goto pending;\n        }}\n"
            )
            lines.append(f"        PyTuple_SET_ITEM(result, {i}, o{i});\n")
        lines.append("    }\n")
        return "".join(lines)

    def var_accessors(self, pkg: PackagePlan, var: VarPlan) -> str:
        qualified = f"{pkg.go_name}.{var.go_name}"
        where = c_string(f"{qualified} (Go {var.type.go_name})")
        base = f"goffi_py_{pkg.index}_{var.go_name}"
        return f"""\
/* Read the package variable {qualified} (a property getter: the argument is the module). */
static PyObject *
{base}_get(PyObject *self, PyObject *module)
{{
    {var.type.c_type} r0;
    goffi_err err = {{0}};
    PyObject *result = NULL;
    GOFFI_ARENA(arena);
    (void)self;
    (void)module;
    if (goffi_check_nargs("{qualified}", 0, 0, 0) < 0) {{
        return NULL;
    }}
    Py_BEGIN_ALLOW_THREADS
    {var.get_symbol}(&r0, &err, &arena);
    Py_END_ALLOW_THREADS
    if (err.kind != GOFFI_OK) {{
        goffi_raise(&err);
        goto done;
    }}
    result = goffi_out_{var.type.cid}(&r0);
done:
    goffi_arena_free(&arena);
    return result;
}}

/* Assign the package variable {qualified} (a property setter: arguments are module, value). */
static PyObject *
{base}_set(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{{
    {var.type.c_type} a0;
    goffi_err err = {{0}};
    PyObject *result = NULL;
    GOFFI_ARENA(arena);
    (void)self;
    if (goffi_check_nargs("{qualified}", nargs, 2, 2) < 0) {{
        return NULL;
    }}
    if (goffi_in_{var.type.cid}(args[1], &a0, &arena, {where}) < 0) {{
{self.abandon}        goto done;
    }}
    Py_BEGIN_ALLOW_THREADS
    {var.set_symbol}(a0, &err, &arena);
    Py_END_ALLOW_THREADS
    if (err.kind != GOFFI_OK) {{
        goffi_raise(&err);
        goto done;
    }}
    result = Py_NewRef(Py_None);
done:
    goffi_arena_free(&arena);
    return result;
}}

"""

    def method_table(self, pkg: PackagePlan) -> str:
        rows = []
        docs = []
        for fn in pkg.all_funcs:
            cname = f"goffi_py_{pkg.index}_{fn.local_name}"
            doc_name = f"goffi_doc_{pkg.index}_{fn.local_name}"
            docs.append(f"PyDoc_STRVAR({doc_name},\n    {c_doc(function_docstring(fn))});\n")
            rows.append(
                f'    {{"{fn.py_name}", (PyCFunction)(void (*)(void)){cname}, METH_FASTCALL | METH_KEYWORDS, {doc_name}}},\n'
            )
        for cls in pkg.classes:
            if not cls.python_defined:
                continue
            if cls.has_box:
                rows.append(
                    f'    {{"_box_{cls.py_name}", (PyCFunction)(void (*)(void))goffi_py_box_{cls.ident}, METH_FASTCALL, NULL}},\n'
                )
            for fn in cls.methods:
                cname = f"goffi_py_m_{cls.ident}_{fn.go_name}"
                rows.append(
                    f'    {{"_{cls.py_name}_{fn.py_name}", (PyCFunction)(void (*)(void)){cname}, METH_FASTCALL | METH_KEYWORDS, NULL}},\n'
                )
        for var in pkg.vars:
            base = f"goffi_py_{pkg.index}_{var.go_name}"
            rows.append(f'    {{"_get_{var.py_name}", (PyCFunction){base}_get, METH_O, NULL}},\n')
            rows.append(
                f'    {{"_set_{var.py_name}", (PyCFunction)(void (*)(void)){base}_set, METH_FASTCALL, NULL}},\n'
            )
        return (
            "".join(docs)
            + ("\n" if docs else "")
            + f"static PyMethodDef goffi_methods_{pkg.index}[] = {{\n"
            + "".join(rows)
            + "    {NULL, NULL, 0, NULL},\n};\n\n"
        )
