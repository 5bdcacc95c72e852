"""The C glue's converters: for every container, value class, handle, record, channel and
func shape the bundle uses, the C functions converting it between Python and Go (composed
from the runtime's scalar converters in goffi_py.h).
"""

from __future__ import annotations

from goffi.plan.model import BundlePlan
from goffi.render.c_text import c_string, const_ptr
from goffi.typemap.decisions import Mapping, default_class_name

# A method of a list or dict value class copies Go's receiver back into the object.
_WRITE_BACK = """\
/* Replace the items of a list or dict value-class object with those Go left in its receiver. */
GOFFI_MAYBE_UNUSED static int goffi_write_back(PyObject *self, PyObject *now)
{
    if (PyList_Check(self) && PyList_Check(now)) {
        return PyList_SetSlice(self, 0, PY_SSIZE_T_MAX, now);
    }
    if (PyDict_Check(self) && PyDict_Check(now)) {
        PyDict_Clear(self);
        return PyDict_Update(self, now);
    }
    return 0; /* a plain sequence or mapping passed as the receiver: nothing to update */
}

/* A value-class object passed where Go expects an interface: its Go value, boxed (the
 * class's __goffi_box__), kept alive by the call's arena. Anything else is returned as is. */
GOFFI_MAYBE_UNUSED static PyObject *goffi_boxed(PyObject *o, goffi_arena *a)
{
    if (o == Py_None || Py_TYPE(o)->tp_dealloc == goffi_object_dealloc) {
        return o;
    }
    PyObject *box = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__goffi_box__");
    if (box == NULL) {
        /* A record implementing the interface: a copy of its Go value (issue 10). */
        PyErr_Clear();
        box = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__goffi_iface__");
    }
    if (box == NULL) {
        PyErr_Clear();
        return o;
    }
    PyObject *boxed = PyObject_CallOneArg(box, o);
    Py_DECREF(box);
    if (boxed == NULL || goffi_arena_keep(a, boxed) < 0) {
        return NULL;
    }
    return boxed;
}

"""


# Element shapes whose C form is a copy of the value, borrowing nothing from the item.
_SELF_CONTAINED = frozenset({"bool", "int", "uint", "float", "complex", "duration"})


def _copied_slice(m: Mapping) -> Mapping:
    """The ordinary (copied) slice of a zero-copy "buffer" mapping's type."""
    assert m.shape == "buffer" and m.elem is not None
    return Mapping(m.ref, "slice", "copy", elem=m.elem)


class ConverterRenderer:
    """Renders the converters; the root of the C glue's renderers, holding what they share."""

    def __init__(self, plan: BundlePlan) -> None:
        self.plan = plan
        # C shapes of slices whose Go writes come back (ParamPlan.writes_back).
        self.written_back = {
            p.type.cid
            for fn in [f for pkg in plan.packages for f in pkg.all_funcs]
            + [m for c in plan.classes() for m in c.methods]
            for p in fn.params
            if p.writes_back
        }
        # On a conversion's failure, before Go is called: callables converted so far (funcs,
        # proxies' methods, at any depth of any argument, the failing one's included) are
        # registered for Go to hold, and Go never gets them, so they are given up (bundles
        # without the bridge register none).
        self.abandon = "        goffi_arena_abandon(&arena);\n" if plan.bridge else ""

    def converters(self) -> str:
        """Converters for every container shape used, innermost first (C needs definitions first)."""
        done: set[str] = set()
        out = [_WRITE_BACK]
        for top in self.plan.mappings():
            for m in top.walk():
                if m.cid in done:
                    continue
                done.add(m.cid)
                if m.named:
                    # A value class: the underlying's converters first, then its own.
                    if m.base.cid not in done:
                        done.add(m.base.cid)
                        out.append(self._converter(m.base, done))
                    out.append(self._value(m))
                    if m.shape in ("slice", "array") and m.cid in self.written_back:
                        out.append(self._seq_back(m))
                    continue
                out.append(self._converter(m, done))
        return "".join(out)

    def _converter(self, m: Mapping, done: set[str]) -> str:
        """The converters of one mapping (its nested ones are already out)."""
        out = []
        if m.shape in ("slice", "array"):
            out.append(self._seq(m))
            if m.cid in self.written_back:
                out.append(self._seq_back(m))
        elif m.shape == "buffer":
            # Its fallback is the copied slice's converter: that one first.
            copied = _copied_slice(m)
            if copied.cid not in done:
                done.add(copied.cid)
                out.append(self._seq(copied))
                if copied.cid in self.written_back:
                    out.append(self._seq_back(copied))
            out.append(self._buffer(m))
        elif m.shape == "map":
            out.append(self._map(m))
        elif m.shape == "bytearray":
            out.append(self._bytearray(m))
        elif m.shape == "handle":
            out.append(self._handle(m))
        elif m.shape == "optional":
            out.append(self._optional(m))
        elif m.shape == "record":
            out.append(self._record(m))
        elif m.shape == "chan":
            out.append(self._chan(m))
        elif m.shape == "func":
            out.append(self._func_conv(m))
        return "".join(out)

    def _value(self, m: Mapping) -> str:
        """A value class: the underlying value in; out, an instance of the type's class."""
        cls = self.plan.class_by_key(m.named)
        module = f"{self.plan.name}.{self.plan.package(cls.pkg_path).py_module}"
        base = m.base
        return (
            f"/* {m.go_name}: a {cls.value_base} subclass; its underlying value in, an instance of its class out. */\n"
            f"GOFFI_MAYBE_UNUSED static inline int goffi_in_{m.cid}(PyObject *o, {m.c_type} *out, goffi_arena *a, const char *where)\n"
            f"{{\n    return goffi_in_{base.cid}(o, out, a, where);\n}}\n"
            f"GOFFI_MAYBE_UNUSED static PyObject *goffi_out_{m.cid}(const {m.c_type} *v)\n"
            f"{{\n    PyObject *plain = goffi_out_{base.cid}(v);\n"
            "    if (plain == NULL) {\n        return NULL;\n    }\n"
            f'    PyObject *cls = goffi_record_class({cls.index}, "{module}");\n'
            "    PyObject *result = cls == NULL ? NULL : PyObject_CallOneArg(cls, plain);\n"
            "    Py_DECREF(plain);\n    return result;\n}\n\n"
        )

    def _chan(self, m: Mapping) -> str:
        assert m.elem is not None
        return (
            f"/* {m.go_name}: a goffi.Channel or None. */\n"
            f"static inline int goffi_in_{m.cid}(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where)\n"
            "{\n    return goffi_in_channel(o, out, a, where);\n}\n"
            f"static inline PyObject *goffi_out_{m.cid}(const goffi_handle *v)\n"
            f"{{\n    return goffi_out_channel(v, {c_string(m.ref.dir)}, {c_string(m.elem.go_name)});\n}}\n\n"
        )

    def _func_conv(self, m: Mapping) -> str:
        # One of the bundle's package functions of this very signature is passed as the Go
        # function itself (sc.Split(bufio.ScanWords)): no Python round trip, nothing lost.
        go_funcs = self.plan.func_type(m.go_name).go_funcs
        names = [f"goffi_py_{pkg}_{fn.go_name}" for pkg, fn in go_funcs]
        decls = "".join(
            f"static PyObject *{n}(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames);\n"
            for n in names
        )
        checks = "".join(
            f"        if (f == (PyCFunction)(void (*)(void)){n}) {{\n"
            f"            out->id = {i + 1};\n            out->cls = GOFFI_CLS_GOFUNC;\n            return 0;\n        }}\n"
            for i, n in enumerate(names)
        )
        direct = (
            "    if (PyCFunction_Check(o)) {\n        PyCFunction f = PyCFunction_GET_FUNCTION(o);\n"
            + checks
            + "    }\n"
            if names
            else ""
        )
        return (
            decls
            + f"/* {m.go_name}: a Python callable (or a Go func) in, a callable Go func object out. */\n"
            f"static inline int goffi_in_{m.cid}(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where)\n"
            "{\n" + direct + "    return goffi_in_callable(o, out, a, where);\n}\n"
            f"static inline PyObject *goffi_out_{m.cid}(const goffi_handle *v) {{ return goffi_handle_object(v); }}\n\n"
        )

    def _record(self, m: Mapping) -> str:
        cls = self.plan.class_by_key(m.cls)
        module = f"{self.plan.name}.{self.plan.package(cls.pkg_path).py_module}"
        shown = default_class_name(m.cls)
        names = {f.go_name: f.py_name for f in cls.fields}
        ins = []
        outs = []
        for i, (name, f) in enumerate(m.fields):
            attr = names[name]
            ins.append(
                f'    v = PyObject_GetAttrString(o, "{attr}");\n'
                f"    if (v == NULL || goffi_arena_keep(a, v) < 0 || goffi_in_{f.cid}(v, &out->f_{name}, a, where) < 0) {{\n"
                f'        goffi_annotate_attr("{attr}");\n        return -1;\n    }}\n'
            )
            outs.append(
                f"    args[{i}] = goffi_out_{f.cid}(&v->f_{name});\n"
                f"    if (args[{i}] == NULL) {{\n        goto done;\n    }}\n"
            )
        n = len(m.fields)
        return f"""\
/* {m.cls}: a record, copied field by field to and from a {shown} object. */
GOFFI_MAYBE_UNUSED static int goffi_in_{m.cid}(PyObject *o, {m.c_type} *out, goffi_arena *a, const char *where)
{{
    PyObject *v = NULL;
    PyObject *cls = goffi_record_class({cls.index}, "{module}");
    if (cls == NULL) {{
        return -1;
    }}
    if (!PyObject_TypeCheck(o, (PyTypeObject *)cls)) {{
        PyErr_Format(PyExc_TypeError, "%s must be {shown}, not %.200s", where, Py_TYPE(o)->tp_name);
        return -1;
    }}
{"".join(ins)}    (void)v;
    return 0;
}}

GOFFI_MAYBE_UNUSED static PyObject *goffi_out_{m.cid}(const {m.c_type} *v)
{{
    PyObject *args[{max(n, 1)}] = {{NULL}};
    PyObject *result = NULL;
    PyObject *cls = goffi_record_class({cls.index}, "{module}");
    (void)v;
    if (cls == NULL) {{
        return NULL;
    }}
{"".join(outs)}    result = PyObject_Vectorcall(cls, args, {n}, NULL);
{"done:" if n else ""}
    for (int i = 0; i < {n}; i++) {{
        Py_XDECREF(args[i]);
    }}
    return result;
}}

"""

    def _handle(self, m: Mapping) -> str:
        # An interface parameter takes any Go object (Go checks its method set); others
        # take objects of their class.
        expected = -1 if m.via == "interface" else self.plan.class_by_key(m.cls).index
        proxy = self.plan.proxy(m.cls) if m.via == "interface" else None
        if proxy is not None:  # a Python object with the interface's methods: goffi.proxies
            names = c_string(" ".join(x.go_name for x in proxy.methods))
            return (
                f"/* {m.go_name}: a Go object, a value-class object, None, or a Python object with its "
                "methods (a proxy). */\n"
                f"static inline int goffi_in_{m.cid}(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where)\n"
                "{\n    PyObject *b = goffi_boxed(o, a);\n    if (b == NULL) {\n        return -1;\n    }\n"
                "    if (b == Py_None || Py_TYPE(b)->tp_dealloc == goffi_object_dealloc) {\n"
                f"        return goffi_to_handle(b, out, -1, {int(m.nilable)}, where);\n    }}\n"
                f"    return goffi_in_proxy(o, out, a, where, {c_string(m.cls)}, {names});\n}}\n"
                f"static inline PyObject *goffi_out_{m.cid}(const goffi_handle *v) {{ return goffi_out_proxy(v); }}\n\n"
            )
        # An interface also takes a value-class object (slog.Level for slog.Leveler): Go gets
        # the value of its named type, boxed into a handle for the call.
        arg = "goffi_boxed(o, a)" if m.via == "interface" else "o"
        return (
            f"/* {m.go_name}: a Go object{' or None' if m.nilable else ''}. */\n"
            f"static inline int goffi_in_{m.cid}(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where)\n"
            f"{{\n    (void)a;\n    o = {arg};\n    if (o == NULL) {{\n        return -1;\n    }}\n"
            f"    return goffi_to_handle(o, out, {expected}, {int(m.nilable)}, where);\n}}\n"
            f"static inline PyObject *goffi_out_{m.cid}(const goffi_handle *v) {{ return goffi_handle_object(v); }}\n\n"
        )

    def _optional(self, m: Mapping) -> str:
        assert m.elem is not None
        e = m.elem
        return f"""\
/* {m.go_name}: None is nil, anything else a new value (kept in the call's arena). */
GOFFI_MAYBE_UNUSED static int goffi_in_{m.cid}(PyObject *o, void **out, goffi_arena *a, const char *where)
{{
    if (o == Py_None) {{
        *out = NULL;
        return 0;
    }}
    {e.c_type} *p = goffi_arena_alloc(a, sizeof({e.c_type}));
    if (p == NULL || goffi_in_{e.cid}(o, p, a, where) < 0) {{
        return -1;
    }}
    *out = p;
    return 0;
}}

GOFFI_MAYBE_UNUSED static PyObject *goffi_out_{m.cid}(void *const *v)
{{
    if (*v == NULL) {{
        Py_RETURN_NONE;
    }}
    return goffi_out_{e.cid}((const {e.c_type} *)*v);
}}

"""

    def _bytearray(self, m: Mapping) -> str:
        return (
            f"/* [{m.length}]byte: exactly {m.length} bytes in, bytes out. */\n"
            f"static inline int goffi_in_{m.cid}(PyObject *o, goffi_str *out, goffi_arena *a, const char *where)\n"
            f"{{\n    return goffi_to_bytes(o, out, a, {m.length}, where);\n}}\n"
            f"static inline PyObject *goffi_out_{m.cid}(const goffi_str *v) {{ return goffi_out_bytes(v); }}\n\n"
        )

    def _buffer(self, m: Mapping) -> str:
        """A zero_copy= slice: a buffer viewed (or a sequence converted) in, a memoryview out."""
        assert m.elem is not None
        e, fmt = m.elem, m.buffer_format
        return f"""\
/* {m.go_name}, zero-copy: Go views a buffer of '{fmt}' items (a read-only one is copied
 * first, unless Go does not write into it: goffi_in_ro_), or the items of any other sequence, converted into the arena as for a copied
 * slice; out, a memoryview of the Go array itself. */
GOFFI_MAYBE_UNUSED static int goffi_in_{m.cid}_as(PyObject *o, goffi_view *out, goffi_arena *a, const char *where,
                                                  int go_writes)
{{
    int found = goffi_in_buffer(o, out, a, '{fmt}', sizeof({e.c_type}), go_writes);
    if (found != 0) {{
        return found < 0 ? -1 : 0;
    }}
    goffi_slice items;
    if (goffi_in_{_copied_slice(m).cid}(o, &items, a, where) < 0) {{
        return -1;
    }}
    out->p = items.p;
    out->n = items.n;
    out->loan = 0;
    return 0;
}}

GOFFI_MAYBE_UNUSED static int goffi_in_{m.cid}(PyObject *o, goffi_view *out, goffi_arena *a, const char *where)
{{
    return goffi_in_{m.cid}_as(o, out, a, where, 1);
}}

/* The same for a parameter Go does not write into (ParamPlan.writes): a read-only
 * buffer is viewed as well, not copied. */
GOFFI_MAYBE_UNUSED static int goffi_in_ro_{m.cid}(PyObject *o, goffi_view *out, goffi_arena *a, const char *where)
{{
    return goffi_in_{m.cid}_as(o, out, a, where, 0);
}}

GOFFI_MAYBE_UNUSED static PyObject *goffi_out_{m.cid}(const goffi_view *v)
{{
    return goffi_out_view(v, "{fmt}", sizeof({e.c_type}));
}}

"""

    def _any_back(self, m: Mapping) -> str:
        """goffi_in_w_/goffi_back_ of a []any written back: Go marks each item kept, moved
        (from which index) or written; a list argument gets moved items' own objects back."""
        return f"""/* {m.go_name}, written back (a generic function's []any): converted in as goffi_in_. */
GOFFI_MAYBE_UNUSED static int goffi_in_w_{m.cid}(PyObject *o, goffi_slice *out, goffi_arena *a, const char *where)
{{
    return goffi_in_{m.cid}(o, out, a, where);
}}

/* After the call: a list argument gets the items Go moved (its own objects) and the values
 * Go wrote (converted); items Go left in place stay. -1 with an exception set on failure. */
GOFFI_MAYBE_UNUSED static int goffi_back_{m.cid}(PyObject *o, const goffi_slice *v)
{{
    Py_ssize_t n = (Py_ssize_t)v->n;
    if (!PyList_CheckExact(o) || v->p == NULL || PyList_GET_SIZE(o) != n) {{
        return 0;
    }}
    const goffi_any *p = v->p;
    Py_ssize_t i = 0;
    while (i < n && p[i].tag == GOFFI_ANY_KEPT) {{
        i++;
    }}
    if (i == n) {{
        return 0; /* Go wrote nothing */
    }}
    PyObject *before = PyList_GetSlice(o, 0, n);
    if (before == NULL) {{
        return -1;
    }}
    for (; i < n && PyList_GET_SIZE(o) == n; i++) {{
        PyObject *now;
        if (p[i].tag == GOFFI_ANY_KEPT) {{
            continue;
        }}
        if (p[i].tag == GOFFI_ANY_MOVED && p[i].i >= 0 && p[i].i < n) {{
            now = PyList_GET_ITEM(before, (Py_ssize_t)p[i].i);
            Py_INCREF(now);
        }} else if ((now = goffi_out_any(&p[i])) == NULL) {{
            Py_DECREF(before);
            return -1;
        }}
        PyList_SetItem(o, i, now);
    }}
    Py_DECREF(before);
    return 0;
}}

"""

    def _seq_back(self, m: Mapping) -> str:
        """For a slice whose Go writes come back: goffi_in_w_ (as goffi_in_, but a buffer
        is shared only when writable, since Go writes its values back over the array) and
        goffi_back_ (after the call, a list gets Go's values where they differ)."""
        assert m.elem is not None
        e = m.elem
        if e.shape == "any":
            return self._any_back(m)
        fmt = m.buffer_format
        bulk = (
            f"""    goffi_view items;
    int found = goffi_in_buffer(o, &items, a, '{fmt}', sizeof({e.c_type}), 1);
    if (found != 0) {{
        out->p = items.p;
        out->n = items.n;
        return found < 0 ? -1 : 0;
    }}
"""
            if fmt
            else ""
        )
        if e.shape == "float" and e.bits == 64:
            same = "PyFloat_CheckExact(item) && goffi_float_is(item, &p[i])"
        elif e.shape == "int" or e.shape == "duration":
            same = "PyLong_CheckExact(item) && goffi_long_is(item, (long long)p[i])"
        elif e.shape == "uint":
            same = "PyLong_CheckExact(item) && goffi_ulong_is(item, (unsigned long long)p[i])"
        elif e.shape == "bool":
            same = "item == (p[i] ? Py_True : Py_False)"
        elif e.shape == "string":
            same = "goffi_str_is(item, &p[i])"
        else:
            same = "0"
        # A Go object is the same object for the same Go value: compared by identity (two
        # objects equal by their fields are still two Go values).
        compare = "item == now" if e.shape == "handle" else "PyObject_RichCompareBool(item, now, Py_EQ)"
        return f"""/* {m.go_name}, written back: a writable buffer of '{fmt or "-"}' items is shared (Go writes its
 * values over it after the call), a read-only one is copied; other sequences as goffi_in_. */
GOFFI_MAYBE_UNUSED static int goffi_in_w_{m.cid}(PyObject *o, goffi_slice *out, goffi_arena *a, const char *where)
{{
{bulk}    return goffi_in_{m.cid}(o, out, a, where);
}}

/* After the call: a list argument gets Go's values where they differ from its items
 * (unchanged items keep their identity). -1 with an exception set on failure. */
GOFFI_MAYBE_UNUSED static int goffi_back_{m.cid}(PyObject *o, const goffi_slice *v)
{{
    if (!PyList_CheckExact(o) || v->p == NULL) {{
        return 0;
    }}
    const {e.c_type} *p = v->p;
    for (Py_ssize_t i = 0; i < (Py_ssize_t)v->n && PyList_GET_SIZE(o) == (Py_ssize_t)v->n; i++) {{
        PyObject *item = PyList_GET_ITEM(o, i);
        if ({same}) {{
            continue;
        }}
        PyObject *now = goffi_out_{e.cid}(&p[i]);
        if (now == NULL) {{
            return -1;
        }}
        Py_INCREF(item);
        int equal = {compare};
        Py_DECREF(item);
        if (equal < 0) {{
            Py_DECREF(now);
            return -1;
        }}
        if (equal || PyList_GET_SIZE(o) != (Py_ssize_t)v->n) {{
            Py_DECREF(now);
            continue;
        }}
        PyList_SetItem(o, i, now); /* steals now */
    }}
    return 0;
}}

"""

    def _seq(self, m: Mapping) -> str:
        assert m.elem is not None
        e = m.elem
        exact = m.length if m.shape == "array" else -1
        fmt = m.buffer_format
        # A slice of fixed-size numbers also takes a buffer of its items' format: Go copies
        # from the buffer in one memmove (goffiIn_), so even a read-only one is passed as is.
        bulk = (
            f"""\
    goffi_view items;
    int found = goffi_in_buffer(o, &items, a, '{fmt}', sizeof({e.c_type}), 0);
    if (found != 0) {{
        out->p = items.p;
        out->n = items.n;
        return found < 0 ? -1 : 0;
    }}
"""
            if fmt
            else ""
        )
        if m.shape == "slice" and e.shape in _SELF_CONTAINED:
            # A list of scalars is read in place, without the tuple copy that keeps other
            # items (whose C form may point into them) alive for the call. An item's
            # conversion may run Python code (__index__) that changes the list, so every
            # item is read again and held while it converts, and a change of size stops.
            bulk += f"""\
    if (PyList_CheckExact(o)) {{
        Py_ssize_t n = PyList_GET_SIZE(o);
        {e.c_type} *p = goffi_arena_alloc(a, (n > 0 ? (size_t)n : 1) * sizeof({e.c_type}));
        if (p == NULL) {{
            return -1;
        }}
        for (Py_ssize_t i = 0; i < n; i++) {{
            if (PyList_GET_SIZE(o) != n) {{
                return goffi_list_changed(where);
            }}
            PyObject *item = Py_NewRef(PyList_GET_ITEM(o, i));
            int failed = goffi_in_{e.cid}(item, &p[i], a, where) < 0;
            Py_DECREF(item);
            if (failed) {{
                goffi_annotate_index(i);
                return -1;
            }}
        }}
        out->p = p;
        out->n = n;
        return 0;
    }}
"""
        return f"""\
/* {m.go_name}: a sequence{" (or a buffer of '" + fmt + "' items)" if fmt else ""} in, a list out. */
GOFFI_MAYBE_UNUSED static int goffi_items_{m.cid}(PyObject *const *items, Py_ssize_t n, goffi_slice *out,
                                                 goffi_arena *a, const char *where)
{{
    {e.c_type} *p = goffi_arena_alloc(a, (n > 0 ? (size_t)n : 1) * sizeof({e.c_type}));
    if (p == NULL) {{
        return -1;
    }}
    for (Py_ssize_t i = 0; i < n; i++) {{
        if (goffi_in_{e.cid}(items[i], &p[i], a, where) < 0) {{
            goffi_annotate_index(i);
            return -1;
        }}
    }}
    out->p = p;
    out->n = n;
    return 0;
}}

GOFFI_MAYBE_UNUSED static int goffi_in_{m.cid}(PyObject *o, goffi_slice *out, goffi_arena *a, const char *where)
{{
{bulk}    int is_nil;
    PyObject *t = goffi_in_sequence(o, a, {exact}, &is_nil, where);
    if (t == NULL) {{
        return -1;
    }}
    if (is_nil) {{
        out->p = NULL;
        out->n = 0;
        return 0;
    }}
    return goffi_items_{m.cid}(&PyTuple_GET_ITEM(t, 0), PyTuple_GET_SIZE(t), out, a, where);
}}

GOFFI_MAYBE_UNUSED static PyObject *goffi_out_{m.cid}(const goffi_slice *v)
{{
    {const_ptr(e.c_type)}p = v->p;
    PyObject *list = PyList_New((Py_ssize_t)v->n);
    if (list == NULL) {{
        return NULL;
    }}
    for (Py_ssize_t i = 0; i < (Py_ssize_t)v->n; i++) {{
        PyObject *item = goffi_out_{e.cid}(&p[i]);
        if (item == NULL) {{
            Py_DECREF(list);
            return NULL;
        }}
        PyList_SET_ITEM(list, i, item);
    }}
    return list;
}}

"""

    def _map(self, m: Mapping) -> str:
        assert m.key is not None and m.elem is not None
        k, v = m.key, m.elem
        return f"""\
/* {m.go_name}: a mapping in, a dict out. */
GOFFI_MAYBE_UNUSED static int goffi_in_{m.cid}(PyObject *o, goffi_map *out, goffi_arena *a, const char *where)
{{
    int is_nil;
    PyObject *items = goffi_in_mapping(o, a, &is_nil, where);
    if (items == NULL) {{
        return -1;
    }}
    if (is_nil) {{
        out->keys = out->vals = NULL;
        out->n = 0;
        return 0;
    }}
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    {k.c_type} *keys = goffi_arena_alloc(a, (n > 0 ? (size_t)n : 1) * sizeof({k.c_type}));
    {v.c_type} *vals = goffi_arena_alloc(a, (n > 0 ? (size_t)n : 1) * sizeof({v.c_type}));
    if (keys == NULL || vals == NULL) {{
        return -1;
    }}
    for (Py_ssize_t i = 0; i < n; i++) {{
        PyObject *pair = PyTuple_GET_ITEM(items, i);
        if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {{
            PyErr_Format(PyExc_TypeError, "%s: items() must give (key, value) pairs", where);
            return -1;
        }}
        if (goffi_in_{k.cid}(PyTuple_GET_ITEM(pair, 0), &keys[i], a, where) < 0) {{
            goffi_annotate_map_key(PyTuple_GET_ITEM(pair, 0));
            return -1;
        }}
        if (goffi_in_{v.cid}(PyTuple_GET_ITEM(pair, 1), &vals[i], a, where) < 0) {{
            goffi_annotate_key(PyTuple_GET_ITEM(pair, 0));
            return -1;
        }}
    }}
    out->keys = keys;
    out->vals = vals;
    out->n = n;
    return 0;
}}

GOFFI_MAYBE_UNUSED static PyObject *goffi_out_{m.cid}(const goffi_map *v)
{{
    {const_ptr(k.c_type)}keys = v->keys;
    {const_ptr(v.c_type)}vals = v->vals;
    PyObject *dict = PyDict_New();
    if (dict == NULL) {{
        return NULL;
    }}
    for (Py_ssize_t i = 0; i < (Py_ssize_t)v->n; i++) {{
        PyObject *key = goffi_out_{k.cid}(&keys[i]);
        PyObject *val = key ? goffi_out_{v.cid}(&vals[i]) : NULL;
        if (val == NULL || PyDict_SetItem(dict, key, val) < 0) {{
            Py_XDECREF(key);
            Py_XDECREF(val);
            Py_DECREF(dict);
            return NULL;
        }}
        Py_DECREF(key);
        Py_DECREF(val);
    }}
    return dict;
}}

"""
