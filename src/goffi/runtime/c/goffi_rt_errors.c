/*
 * goffi_rt_errors.c: a Go error or panic as a Python exception (goffi.GoError, GoPanic, the
 * bundle's own error classes), and a goffi.GoError back to Go as its Go error.
 */
#include "goffi_rt.h"

#include <string.h>

/* ---- errors and panics -------------------------------------------------------- */

PyObject *goffi_raise(const goffi_err *err) {
    if (err->kind == GOFFI_ABORTED) {
        /* A callback of an enclosing call raised; that call re-raises the exception. */
        PyErr_SetString(PyExc_RuntimeError, "goffi: a Python callback of an enclosing Go call raised");
        return NULL;
    }
    PyObject *message = goffi_out_str(&err->message);
    PyObject *go_type = goffi_out_str(&err->go_type);
    PyObject *exc = NULL;
    if (message != NULL && go_type != NULL) {
        if (err->kind == GOFFI_PANIC) {
            PyObject *stack = goffi_out_str(&err->stack);
            if (stack != NULL) {
                exc = PyObject_CallFunctionObjArgs(goffi_GoPanic, message, go_type, stack, NULL);
                Py_DECREF(stack);
            }
        } else if (err->kind == GOFFI_TYPE_ERROR) {
            exc = PyObject_CallOneArg(PyExc_TypeError, message);
        } else if (err->kind == GOFFI_OVERFLOW) {
            exc = PyObject_CallOneArg(PyExc_OverflowError, message);
        } else if (err->kind == GOFFI_MEMORY) {
            exc = PyObject_CallOneArg(PyExc_MemoryError, message);
        } else {
            exc = goffi_error_object(err);
        }
    }
    Py_XDECREF(message);
    Py_XDECREF(go_type);
    if (exc != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
        Py_DECREF(exc);
    }
    return NULL;
}

/* ---- errors as exceptions ------------------------------------------------------ */

PyObject *goffi_error_object(const goffi_err *err) {
    if (err->kind == GOFFI_OK) {
        Py_RETURN_NONE;
    }
    /* Every handle Go handed out becomes an object first, so none is left unreleased. */
    PyObject *value = goffi_handle_object(&err->value);
    PyObject *types = PyTuple_New((Py_ssize_t)err->ntypes);
    for (Py_ssize_t i = 0; i < (Py_ssize_t)err->ntypes; i++) {
        PyObject *obj = goffi_out_any(&err->type_values[i]);
        PyObject *pair = obj ? Py_BuildValue("(iN)", (int)err->types[i], obj) : NULL;
        if (pair == NULL || types == NULL) {
            Py_XDECREF(pair);
            Py_CLEAR(types);
            continue;
        }
        PyTuple_SET_ITEM(types, i, pair);
    }
    PyObject *sentinels = PyTuple_New((Py_ssize_t)err->nsentinels);
    for (Py_ssize_t i = 0; sentinels != NULL && i < (Py_ssize_t)err->nsentinels; i++) {
        PyObject *index = PyLong_FromLong(err->sentinels[i]);
        if (index == NULL) {
            Py_CLEAR(sentinels);
            break;
        }
        PyTuple_SET_ITEM(sentinels, i, index);
    }
    PyObject *cause = err->cause != NULL ? goffi_error_object(err->cause) : Py_NewRef(Py_None);
    PyObject *message = goffi_out_str(&err->message);
    PyObject *go_type = goffi_out_str(&err->go_type);
    PyObject *exc = NULL;
    if (value && types && sentinels && cause && message && go_type) {
        exc = PyObject_CallFunctionObjArgs(goffi_make_error, message, go_type, value, sentinels, types, cause, NULL);
    }
    Py_XDECREF(value);
    Py_XDECREF(types);
    Py_XDECREF(sentinels);
    Py_XDECREF(cause);
    Py_XDECREF(message);
    Py_XDECREF(go_type);
    return exc;
}

/* Where no call keeps a sentinel class's Go value: an instance (io.EOF()) holds its own. */
static int goffi_class_needs_call(PyObject *o, const char *where) {
    PyErr_Format(PyExc_TypeError, "%s: pass %.200s() here, not the class", where, ((PyTypeObject *)o)->tp_name);
    return -1;
}

/* A GoError class (io.EOF, fs.SkipDir): where Go takes an error, a sentinel's class is its Go value. */
int goffi_is_error_class(PyObject *o) {
    return PyType_Check(o) && PyType_IsSubtype((PyTypeObject *)o, (PyTypeObject *)goffi_GoError);
}

int goffi_in_error(PyObject *o, goffi_err *out, goffi_arena *a, const char *where) {
    memset(out, 0, sizeof(*out));
    if (o == Py_None) {
        return 0; /* nil */
    }
    if (!goffi_is_error_class(o) && !PyObject_IsInstance(o, goffi_GoError)) {
        if (PyErr_Occurred()) {
            return -1;
        }
        PyErr_Format(PyExc_TypeError, "%s must be a Go error (a goffi.GoError that Go raised or returned) or None, not %.200s",
                     where, Py_TYPE(o)->tp_name);
        return -1;
    }
    PyObject *value = PyObject_GetAttrString(o, "go_value");
    if (value == NULL) {
        PyErr_Clear();
    }
    if (value != NULL && goffi_refuse_foreign(value, o, where) < 0) {
        Py_DECREF(value);
        return -1;
    }
    if (value == NULL || !goffi_is_object(value)) {
        Py_XDECREF(value);
        PyErr_Format(PyExc_TypeError,
                     "%s: this %.200s was made in Python and holds no Go error; make Go errors in Go "
                     "(errors.New, fmt.Errorf)",
                     where, PyType_Check(o) ? ((PyTypeObject *)o)->tp_name : Py_TYPE(o)->tp_name);
        return -1;
    }
    out->kind = GOFFI_ERROR;
    out->value.id = ((goffi_object *)value)->handle;
    out->value.cls = ((goffi_object *)value)->cls;
    if (PyType_Check(o)) {
        /* A sentinel's class: its Go value is fetched anew, the call keeps it. */
        return a != NULL ? goffi_arena_keep(a, value) : (Py_DECREF(value), goffi_class_needs_call(o, where));
    }
    Py_DECREF(value); /* the exception keeps it alive */
    return 0;
}

PyObject *goffi_out_error(const goffi_err *v) { return goffi_error_object(v); }
