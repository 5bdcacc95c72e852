"""The C glue's half of the goroutine bridge: trampolines (Go calling a Python callable), the
class of each func type, and making channels.
"""

from __future__ import annotations

from goffi.plan.model import NIL_APART_SHAPES, PLAIN_SHAPES, FuncTypePlan
from goffi.render.c_functions import FunctionRenderer
from goffi.render.c_text import c_string

# Result shapes whose converted C value does not point into the Python result: plain
# values, strings (copied into the arena: goffi_cb_own_str) and byte buffers (a bytes
# object is copied; a view of another buffer holds it by itself).
_OWN_RESULT_SHAPES = PLAIN_SHAPES | {"string", "bytes"}


class CallbackRenderer(FunctionRenderer):
    """Renders trampolines, func types' classes and make_chan."""

    def trampoline(self, f: FuncTypePlan) -> str:
        """The C function a Go closure calls to run its Python callable, on any thread.

        It returns the status and the converted results by value (goffi_cbr_*, declared
        in wrapper.go's preamble). Only a func type that needs an arena gets one (from the
        closure, which frees it after copying the results); plain values need none.
        """
        sig = f.mapping.sig
        assert sig is not None
        error_only = sig.returns_error and not sig.results
        n = len(sig.params)
        lines = [
            f"/* Go calls this to run a Python callable as a {f.mapping.go_name}, from any goroutine. */\n",
            f"{f.trampoline_signature}\n{{\n",
            f"    goffi_cbr_{f.ident} ret;\n",
            "    memset(&ret, 0, sizeof ret);\n",
            "    if (!goffi_cb_available()) {\n        ret.status = GOFFI_CB_GONE;\n        return ret;\n    }\n",
        ]
        if not f.needs_arena:
            lines.append("    goffi_arena *arena = NULL; /* plain values: the converters take no memory */\n")
        lines += [
            "    PyGILState_STATE gil = goffi_cb_enter();\n",
            f"    PyObject *args[{max(n, 1)}] = {{NULL}};\n",
            "    PyObject *result = NULL;\n    (void)arena;\n",
        ]
        for i, p in enumerate(sig.params):
            # A nil []byte, slice or map (n < 0, set by the Go closure) is None, kept apart
            # from an empty one, as a callable's None result is nil. A proxied method's
            # []byte is Go's buffer itself, writable, for the call only (goffi.proxies).
            value = (
                f"goffi_cb_lend(&a{i})"
                if f.proxy and p.shape == "bytes"
                else f"a{i}.n < 0 ? Py_NewRef(Py_None) : goffi_out_{p.cid}(&a{i})"
                if p.shape in NIL_APART_SHAPES
                else f"goffi_out_{p.cid}(&a{i})"
            )
            lines.append(
                f"    args[{i}] = {value};\n    if (args[{i}] == NULL) {{\n        goto failed;\n    }}\n"
            )
        if f.proxy and sig.returns_error:
            # The exception becomes the method's Go error where it maps to one (goffi.proxies).
            lines.append(f"    ret.status = goffi_proxy_call(id, args, {n}, &result, &ret.re, arena);\n")
        else:
            lines.append(f"    ret.status = goffi_callback_call(id, args, {n}, &result);\n")
        lent = [i for i, p in enumerate(sig.params) if f.proxy and p.shape == "bytes"]
        for i in lent:
            lines.append(f"    goffi_cb_unlend(args[{i}]);\n")
        lines.append("    if (ret.status != GOFFI_CB_OK) {\n        goto done;\n    }\n")
        results = sig.results
        where = c_string(f"the result of a Python callback for Go {f.mapping.go_name}")
        items = (
            ["result"]
            if len(results) == 1
            else [f"PyTuple_GET_ITEM(result, {i})" for i in range(len(results))]
        )
        if len(results) > 1:
            lines.append(
                f"    if (!PyTuple_Check(result) || PyTuple_GET_SIZE(result) != {len(results)}) {{\n"
                f'        PyErr_Format(PyExc_TypeError, "%s must be a tuple of {len(results)} values", {where});\n'
                "        goto failed;\n    }\n"
            )
        for i, (r, item) in enumerate(zip(results, items, strict=True)):
            convert = f"goffi_in_{r.cid}({item}, &ret.r{i}, arena, {where}) < 0"
            if r.shape == "string":
                # A str converts to a view of its UTF-8 form: a copy in the arena lets the
                # result object go now, instead of Go taking the GIL again to drop it.
                convert += f" || goffi_cb_own_str(&ret.r{i}, arena) < 0"
            lines.append(f"    if ({convert}) {{\n        goto failed;\n    }}\n")
        if error_only:
            lines.append(
                f"    if (goffi_in_err(result, &ret.re, arena, {where}) < 0) {{\n        goto failed;\n    }}\n"
            )
        if error_only or any(r.shape not in _OWN_RESULT_SHAPES for r in results):
            # The converted results point into the result object: Go copies them before
            # goffi_cb_finish drops it.
            lines.append(
                "    if (goffi_arena_keep(arena, result) < 0) {\n        goto failed;\n    }\n    result = NULL;\n"
            )
        # Callables made of the results are Go's only once it has them: given up on failure
        # (only a func type with an arena can have any: plain values take none).
        abandon = "    goffi_arena_abandon(arena);\n" if f.needs_arena else ""
        lines.append(f"    goto done;\nfailed:\n{abandon}    ret.status = goffi_callback_fail(id);\ndone:\n")
        lines.append(f"    for (int i = 0; i < {n}; i++) {{\n        Py_XDECREF(args[i]);\n    }}\n")
        lines.append("    Py_XDECREF(result);\n    goffi_cb_leave(gil);\n    return ret;\n}\n\n")
        return "".join(lines)

    def func_class(self, f: FuncTypePlan) -> str:
        """The class of Go funcs of one type: calling the object calls Go."""
        cname = f"goffi_py_fcall_{f.ident}"
        doc = c_string(f"A Go {f.mapping.go_name}: call it like a Python function.")
        return (
            self.func(f.call, cname)
            + f"static PyObject *\ngoffi_tpcall_{f.ident}(PyObject *self, PyObject *args, PyObject *kwargs)\n{{\n"
            "    if (kwargs != NULL && PyDict_GET_SIZE(kwargs) != 0) {\n"
            '        PyErr_SetString(PyExc_TypeError, "Go funcs take no keyword arguments");\n        return NULL;\n    }\n'
            f"    return {cname}(self, &PyTuple_GET_ITEM(args, 0), PyTuple_GET_SIZE(args), NULL);\n}}\n\n"
            f"static PyType_Slot goffi_slots_fn_{f.ident}[] = {{\n"
            f"    {{Py_tp_doc, (void *){doc}}},\n    {{Py_tp_call, goffi_tpcall_{f.ident}}},\n"
            "    {Py_tp_dealloc, goffi_object_dealloc},\n    {Py_tp_new, goffi_object_no_new},\n    {0, NULL},\n};\n\n"
            f"static PyType_Spec goffi_spec_fn_{f.ident} = {{\n"
            f'    "{self.plan.name}.GoFunc",\n    sizeof(goffi_object),\n    0,\n    Py_TPFLAGS_DEFAULT,\n'
            f"    goffi_slots_fn_{f.ident},\n}};\n\n"
        )

    def make_chan_py(self) -> str:
        """_make_chan(name, buffer) -> (handle, element type): make_chan's native half."""
        return """\
static PyObject *
goffi_make_chan_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    goffi_str name;
    int64_t buffer;
    goffi_handle h = {0, -1};
    goffi_str canonical = {NULL, 0};
    goffi_err err = {0};
    PyObject *result = NULL;
    GOFFI_ARENA(arena);
    (void)self;
    if (goffi_check_nargs("make_chan", nargs, 2, 2) < 0) {
        return NULL;
    }
    if (goffi_in_str(args[0], &name, &arena, "make_chan() element type") < 0 ||
        goffi_in_i64(args[1], &buffer, &arena, "make_chan() buffer") < 0) {
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    goffi_make_chan(name, buffer, &h, &canonical, &err, &arena);
    Py_END_ALLOW_THREADS
    if (err.kind != GOFFI_OK) {
        goffi_raise(&err);
        goto done;
    }
    {
        PyObject *obj = goffi_handle_object(&h);
        PyObject *elem = obj ? goffi_out_str(&canonical) : NULL;
        result = elem ? Py_BuildValue("(NN)", obj, elem) : NULL;
        if (result == NULL) {
            Py_XDECREF(obj);
        }
    }
done:
    goffi_arena_free(&arena);
    return result;
}

"""
