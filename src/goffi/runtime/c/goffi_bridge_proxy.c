//go:build goffi_bridge

/*
 * goffi_bridge_proxy.c: Python objects as Go interfaces (goffi.proxies): registering them,
 * and calling their methods from Go.
 */
#include "goffi_bridge.h"

int goffi_in_proxy(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where, const char *iface,
                   const char *names) {
    /* (identity getter, method callables...) in the interface's method order, or TypeError */
    PyObject *t = PyObject_CallFunction(goffi_proxy_methods, "Osss", o, iface, names, where);
    if (t == NULL) {
        return -1;
    }
    if (!PyTuple_Check(t)) {
        PyErr_SetString(PyExc_SystemError, "goffi: goffi.runtime.proxy._methods returned no tuple");
        Py_DECREF(t);
        return -1;
    }
    if (goffi_arena_keep(a, t) < 0) {
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(t);
    uint64_t *ids = goffi_arena_alloc(a, (size_t)(n + 1) * sizeof *ids);
    if (ids == NULL) {
        return -1;
    }
    ids[0] = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        goffi_handle h;
        if (goffi_in_callable(PyTuple_GET_ITEM(t, i), &h, a, where) < 0) {
            goffi_handle done = {(uint64_t)(uintptr_t)ids, GOFFI_CLS_PROXY};
            goffi_callable_abandon(&done);
            return -1;
        }
        ids[i + 1] = h.id;
        ids[0] = (uint64_t)(i + 1);
    }
    out->id = (uint64_t)(uintptr_t)ids;
    out->cls = GOFFI_CLS_PROXY;
    return 0;
}

PyObject *goffi_out_proxy(const goffi_handle *h) {
    if (h->cls != GOFFI_CLS_PROXY) {
        return goffi_handle_object(h);
    }
    /* h->id is the ID of the object's identity getter (a zero-argument callable). */
    PyObject *entry = goffi_callable_entry(h->id);
    if (entry == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "goffi: a Python object Go returned was released before Python got it back");
        return NULL;
    }
    return PyObject_CallNoArgs(PyList_GET_ITEM(entry, 0));
}

PyObject *goffi_cb_lend(const goffi_str *b) {
    static char empty[1];
    return PyMemoryView_FromMemory(b->n > 0 ? (char *)b->p : empty, (Py_ssize_t)b->n, PyBUF_WRITE);
}

void goffi_cb_unlend(PyObject *view) {
    if (view == NULL) {
        return;
    }
    /* Go's memory is valid for the call only: a view Python kept is unusable after it. */
    PyObject *r = PyObject_CallMethod(view, "release", NULL);
    if (r == NULL) {
        PyErr_WriteUnraisable(view); /* an export of the view (BufferError) outlives the call */
    }
    Py_XDECREF(r);
}

int goffi_cb_map_error(goffi_err *err, goffi_arena *a) {
    if (PyErr_Occurred() == NULL) {
        return -1;
    }
    PyObject *type, *exc, *tb;
    PyErr_Fetch(&type, &exc, &tb);
    PyErr_NormalizeException(&type, &exc, &tb);
    if (exc != NULL && PyObject_IsInstance(exc, goffi_proxy_GoError) == 1) {
        PyObject *value = PyObject_GetAttrString(exc, "go_value");
        if (value != NULL && value != Py_None && Py_TYPE(value)->tp_dealloc == goffi_object_dealloc) {
            memset(err, 0, sizeof *err);
            err->kind = GOFFI_ERROR;
            err->value.id = ((goffi_object *)value)->handle;
            err->value.cls = ((goffi_object *)value)->cls;
            Py_DECREF(value);
            Py_XDECREF(type);
            Py_XDECREF(tb);
            /* the arena keeps the exception, which keeps the value, until Go has the error */
            return goffi_arena_keep(a, exc) == 0 ? GOFFI_CB_GOERR : -1;
        }
        Py_XDECREF(value);
        PyErr_Clear();
    } else if (exc != NULL && PyErr_GivenExceptionMatches(exc, PyExc_EOFError)) {
        Py_XDECREF(type);
        Py_XDECREF(exc);
        Py_XDECREF(tb);
        return GOFFI_CB_EOF;
    }
    PyErr_Restore(type, exc, tb);
    return -1;
}

int goffi_proxy_call(uint64_t id, PyObject *const *args, Py_ssize_t nargs, PyObject **result, goffi_err *err,
                     goffi_arena *a) {
    *result = NULL;
    PyObject *entry = goffi_callable_entry(id);
    if (entry == NULL) {
        return GOFFI_CB_GONE;
    }
    Py_INCREF(entry);
    *result = PyObject_Vectorcall(PyList_GET_ITEM(entry, 0), args, (size_t)nargs, NULL);
    int status = GOFFI_CB_OK;
    if (*result == NULL) {
        status = goffi_cb_map_error(err, a);
        if (status < 0) {
            status = goffi_callback_raised(entry);
        }
    }
    Py_DECREF(entry);
    return status;
}

/* A Python object passed as Go any: one with an Error method is a Go error, one with a
 * String method a fmt.Stringer (so fmt prints it with it); 1 for neither. */
int goffi_any_proxy_in(PyObject *o, goffi_any *out, goffi_arena *a, const char *where) {
    const char *names[] = {"Error", "String"};
    for (int i = 0; i < 2; i++) {
        PyObject *m = PyObject_GetAttrString(o, names[i]);
        if (m == NULL) {
            PyErr_Clear();
            continue;
        }
        int ok = PyCallable_Check(m);
        Py_DECREF(m);
        if (!ok) {
            continue;
        }
        goffi_handle h;
        if (goffi_in_proxy(o, &h, a, where, i == 0 ? "error" : "fmt.Stringer", names[i]) < 0) {
            return -1;
        }
        out->tag = GOFFI_ANY_HANDLE;
        out->i = (int64_t)h.id;
        out->cls = i == 0 ? GOFFI_CLS_PROXY_ERROR : GOFFI_CLS_PROXY;
        return 0;
    }
    return 1;
}

goffi_cbr_text goffi_cb_proxy_text(uint64_t id, goffi_arena *arena) {
    goffi_cbr_text ret;
    memset(&ret, 0, sizeof ret);
    if (!goffi_cb_available()) {
        ret.status = GOFFI_CB_GONE;
        return ret;
    }
    PyGILState_STATE gil = goffi_cb_enter();
    PyObject *result = NULL;
    ret.status = goffi_callback_call(id, NULL, 0, &result);
    if (ret.status == GOFFI_CB_OK) {
        Py_ssize_t n = 0;
        const char *text = NULL;
        if (!PyUnicode_Check(result)) {
            PyErr_Format(PyExc_TypeError, "a Python String() or Error() method for Go must return str, not %.200s",
                         Py_TYPE(result)->tp_name);
        } else {
            text = PyUnicode_AsUTF8AndSize(result, &n);
        }
        char *copy = text != NULL ? goffi_arena_alloc(arena, (size_t)n + 1) : NULL;
        if (copy == NULL) {
            ret.status = goffi_callback_fail(id);
        } else {
            memcpy(copy, text, (size_t)n);
            ret.r0.p = copy;
            ret.r0.n = n;
        }
    }
    Py_XDECREF(result);
    goffi_cb_leave(gil);
    return ret;
}
