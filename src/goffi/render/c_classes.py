"""The C glue's classes: the type object of each class (methods, fields, boxing) and the
conversion of records crossing as any.
"""

from __future__ import annotations

from goffi.plan.model import ClassPlan, FieldPlan
from goffi.render.c_functions import FunctionRenderer
from goffi.render.c_text import c_doc, c_string, class_docstring, function_docstring
from goffi.typemap.decisions import default_class_name


class ClassRenderer(FunctionRenderer):
    """Renders each class's type spec, methods and fields."""

    def class_code(self, cls: ClassPlan) -> str:
        """A class: its methods, field properties, constructor, and PyType_Spec.

        A record class is Python code (see python_pkg); here it only gets its methods, as
        module functions taking the record first.
        """
        ident = cls.ident
        parts = []
        rows = []
        if cls.python_defined:
            box = self._box(cls) if cls.has_box else ""
            return box + "".join(self.func(fn, f"goffi_py_m_{ident}_{fn.go_name}") for fn in cls.methods)
        for fn in cls.methods:
            cname = f"goffi_py_m_{ident}_{fn.go_name}"
            parts.append(self.func(fn, cname))
            doc_name = f"goffi_doc_m_{ident}_{fn.go_name}"
            parts.append(f"PyDoc_STRVAR({doc_name},\n    {c_doc(function_docstring(fn))});\n\n")
            rows.append(
                f'    {{"{fn.py_name}", (PyCFunction)(void (*)(void)){cname}, METH_FASTCALL | METH_KEYWORDS, {doc_name}}},\n'
            )
        if cls.close_method is not None:
            rows.append('    {"__enter__", goffi_object_enter, METH_NOARGS, NULL},\n')
            rows.append(
                '    {"__exit__", (PyCFunction)(void (*)(void))goffi_object_exit, METH_FASTCALL, NULL},\n'
            )
        elif cls.locker:
            rows.append('    {"__enter__", goffi_locker_enter, METH_NOARGS, NULL},\n')
            rows.append(
                '    {"__exit__", (PyCFunction)(void (*)(void))goffi_locker_exit, METH_FASTCALL, NULL},\n'
            )
        getset = []
        for f in cls.fields:
            parts.append(self._field(cls, f))
            doc = c_string(
                f"Go field {f.go_name} {f.type.go_name} (read and assigned through Go)"
                + (f"\n\n{f.doc.strip()}" if f.doc.strip() else "")
            )
            getset.append(
                f'    {{"{f.py_name}", goffi_fget_py_{ident}_{f.go_name}, goffi_fset_py_{ident}_{f.go_name}, {doc}, NULL}},\n'
            )
        parts.append(
            f"static PyMethodDef goffi_methods_{ident}[] = {{\n"
            + "".join(rows)
            + "    {NULL, NULL, 0, NULL},\n};\n\n"
        )
        parts.append(
            f"static PyGetSetDef goffi_getset_{ident}[] = {{\n"
            + "".join(getset)
            + "    {NULL, NULL, NULL, NULL, NULL},\n};\n\n"
        )
        slots = [
            f"    {{Py_tp_doc, (void *){c_doc(class_docstring(cls))}}},\n",
            f"    {{Py_tp_methods, goffi_methods_{ident}}},\n",
            f"    {{Py_tp_getset, goffi_getset_{ident}}},\n",
            "    {Py_tp_dealloc, goffi_object_dealloc},\n",
        ]
        if cls.kind == "handle":
            parts.append(
                f"static PyObject *\ngoffi_tpnew_{ident}(PyTypeObject *type, PyObject *args, PyObject *kwargs)\n"
                f"{{\n    return goffi_object_construct(type, args, kwargs, {cls.new_symbol});\n}}\n\n"
            )
            slots.append(f"    {{Py_tp_new, goffi_tpnew_{ident}}},\n")
        else:
            slots.append("    {Py_tp_new, goffi_object_no_new},\n")
        if cls.string_method is not None:
            slots.append("    {Py_tp_str, goffi_object_str},\n")
        if cls.len_method is not None:
            slots.append("    {Py_mp_length, goffi_object_len},\n")
        module = next(p.py_module for p in self.plan.packages if p.path == cls.pkg_path)
        parts.append(
            f"static PyType_Slot goffi_slots_{ident}[] = {{\n" + "".join(slots) + "    {0, NULL},\n};\n\n"
            f"static PyType_Spec goffi_spec_{ident} = {{\n"
            f'    "{self.plan.name}.{module}.{cls.py_name}",\n'
            "    sizeof(goffi_object),\n    0,\n    Py_TPFLAGS_DEFAULT,\n"
            f"    goffi_slots_{ident},\n}};\n\n"
        )
        return "".join(parts)

    def _box(self, cls: ClassPlan) -> str:
        """_box_<Class>(value): a value-class object as a Go object holding its Go value."""
        m = cls.record
        assert m is not None
        where = c_string(f"{default_class_name(cls.key)} value (Go {m.go_name})")
        return f"""\
/* {cls.key}: a value as a Go object (a GoValue holding the {m.go_name}), for interfaces. */
static PyObject *
goffi_py_box_{cls.ident}(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{{
    {m.c_type} a0;
    goffi_handle dst;
    goffi_err err;
    PyObject *result = NULL;
    GOFFI_ARENA(arena);
    (void)self;
    err.kind = GOFFI_OK;
    if (goffi_check_nargs("{default_class_name(cls.key)}.__goffi_box__", nargs, 1, 1) < 0) {{
        return NULL;
    }}
    if (goffi_in_{m.cid}(args[0], &a0, &arena, {where}) < 0) {{
{self.abandon}        goto done;
    }}
    {cls.box_symbol}(a0, &dst, &err, &arena);
    if (err.kind != GOFFI_OK) {{
        goffi_raise(&err);
        goto done;
    }}
    result = goffi_handle_object(&dst);
done:
    goffi_arena_free(&arena);
    return result;
}}

"""

    def _field(self, cls: ClassPlan, f: FieldPlan) -> str:
        ident = cls.ident
        where = c_string(f"{default_class_name(cls.key)}.{f.go_name} (Go {f.type.go_name})")
        return f"""\
/* The field {cls.key}.{f.go_name}, read through Go. */
static PyObject *
goffi_fget_py_{ident}_{f.go_name}(PyObject *self, void *closure)
{{
    {f.type.c_type} r0;
    goffi_err err = {{0}};
    PyObject *result = NULL;
    GOFFI_ARENA(arena);
    (void)closure;
    if (goffi_check_nargs("{default_class_name(cls.key)}.{f.go_name}", 0, 0, 0) < 0) {{
        return NULL;
    }}
    Py_BEGIN_ALLOW_THREADS
    {f.get_symbol}(((goffi_object *)self)->handle, &r0, &err, &arena);
    Py_END_ALLOW_THREADS
    if (err.kind != GOFFI_OK) {{
        goffi_raise(&err);
        goto done;
    }}
    result = goffi_out_{f.type.cid}(&r0);
done:
    goffi_arena_free(&arena);
    return result;
}}

/* The field {cls.key}.{f.go_name}, assigned through Go. */
static int
goffi_fset_py_{ident}_{f.go_name}(PyObject *self, PyObject *value, void *closure)
{{
    {f.type.c_type} a0;
    goffi_err err = {{0}};
    int result = -1;
    GOFFI_ARENA(arena);
    (void)closure;
    if (value == NULL) {{
        PyErr_SetString(PyExc_AttributeError, "cannot delete the Go field {f.go_name}");
        return -1;
    }}
    if (goffi_check_nargs("{default_class_name(cls.key)}.{f.go_name}", 0, 0, 0) < 0) {{
        return -1;
    }}
    if (goffi_in_{f.type.cid}(value, &a0, &arena, {where}) < 0) {{
{self.abandon}        goto done;
    }}
    Py_BEGIN_ALLOW_THREADS
    {f.set_symbol}(((goffi_object *)self)->handle, a0, &err, &arena);
    Py_END_ALLOW_THREADS
    if (err.kind != GOFFI_OK) {{
        goffi_raise(&err);
        goto done;
    }}
    result = 0;
done:
    goffi_arena_free(&arena);
    return result;
}}

"""

    def record_any(self) -> str:
        """goffi_any_record_in/out: records crossing as any (the runtime calls these)."""
        ins, outs = [], []
        for cls in self.plan.classes():
            if cls.any_value:  # a value of a value class's type, from Go (goffiRecordOut)
                m = self.plan.record_mapping(cls.key)
                outs.append(
                    f"    case {cls.index}:\n        return goffi_out_{m.cid}((const {m.c_type} *)v->items);\n"
                )
            if cls.kind != "record":
                continue
            m = self.plan.record_mapping(cls.key)
            ins.append(
                f"    cls = goffi_class_type({cls.index});\n"
                "    if (cls != NULL && PyObject_TypeCheck(o, (PyTypeObject *)cls)) {\n"
                f"        {m.c_type} *p = goffi_arena_alloc(a, sizeof({m.c_type}));\n"
                f"        if (p == NULL || goffi_in_{m.cid}(o, p, a, where) < 0) {{\n            return -1;\n        }}\n"
                f"        out->tag = GOFFI_ANY_RECORD;\n        out->cls = {cls.index};\n"
                "        out->items = (goffi_any *)p;\n        return 1;\n    }\n"
            )
            outs.append(
                f"    case {cls.index}:\n        return goffi_out_{m.cid}((const {m.c_type} *)v->items);\n"
            )
        return (
            "int goffi_any_record_in(PyObject *o, goffi_any *out, goffi_arena *a, const char *where)\n{\n"
            + (
                "    PyObject *cls;\n" + "".join(ins)
                if ins
                else "    (void)o;\n    (void)out;\n    (void)a;\n    (void)where;\n"
            )
            + "    return 0;\n}\n\n"
            "PyObject *goffi_any_record_out(const goffi_any *v)\n{\n"
            + ("    switch (v->cls) {\n" + "".join(outs) + "    }\n" if outs else "")
            + '    PyErr_Format(PyExc_SystemError, "goffi: class %d is not a record", (int)v->cls);\n    return NULL;\n}\n\n'
        )
