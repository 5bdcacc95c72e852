/*
 * goffi_rt_any.c: Go's any (a Python value of any type, converted by its type, and back),
 * and time.Time and time.Duration as datetime objects. Together because both use
 * datetime's C API, which is a static of each file that includes datetime.h.
 */
#include "goffi_rt.h"
#include <datetime.h>

#include <string.h>

/* ---- any ----------------------------------------------------------------------- */

#define GOFFI_ANY_MAX_DEPTH 200

static int goffi_in_any_depth(PyObject *o, goffi_any *out, goffi_arena *a, const char *where, int depth);
int (*goffi_any_proxy)(PyObject *o, goffi_any *out, goffi_arena *a, const char *where);
PyObject *(*goffi_any_proxy_out)(const goffi_handle *h);

static int goffi_any_items(PyObject *seq, goffi_any *out, goffi_arena *a, const char *where, int depth) {
    Py_ssize_t n = PyTuple_GET_SIZE(seq);
    goffi_any *items = goffi_arena_alloc(a, (n > 0 ? (size_t)n : 1) * sizeof(goffi_any));
    if (items == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (goffi_in_any_depth(PyTuple_GET_ITEM(seq, i), &items[i], a, where, depth + 1) < 0) {
            goffi_annotate_index(i);
            return -1;
        }
    }
    out->tag = GOFFI_ANY_LIST;
    out->items = items;
    out->n = n;
    return 0;
}

static int goffi_in_any_depth(PyObject *o, goffi_any *out, goffi_arena *a, const char *where, int depth) {
    memset(out, 0, sizeof(*out));
    if (depth > GOFFI_ANY_MAX_DEPTH) {
        PyErr_Format(PyExc_ValueError, "%s is nested more than %d levels deep (a cycle?)", where,
                     GOFFI_ANY_MAX_DEPTH);
        return -1;
    }
    if (o == Py_None) {
        out->tag = GOFFI_ANY_NIL;
        return 0;
    }
    if (!PyLong_CheckExact(o) && !PyUnicode_CheckExact(o) && !PyFloat_CheckExact(o) && !PyBool_Check(o) &&
        !goffi_is_object(o)) {
        /* A value-class object (slog.Level, url.Values, uuid.UUID: a subclass of a Python
         * builtin made for a Go named type) keeps its Go type in an any, as Go code switching
         * on the dynamic type expects: Go gets the value of that named type, boxed by the
         * class's __goffi_box__ and kept alive by the call's arena. */
        PyObject *box = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__goffi_box__");
        if (box == NULL) {
            PyErr_Clear();
        } else {
            PyObject *boxed = PyObject_CallOneArg(box, o);
            Py_DECREF(box);
            if (boxed == NULL || goffi_arena_keep(a, boxed) < 0) {
                return -1;
            }
            if (goffi_is_object(boxed)) {
                out->tag = GOFFI_ANY_HANDLE;
                out->i = (int64_t)((goffi_object *)boxed)->handle;
                out->cls = ((goffi_object *)boxed)->cls;
                return 0;
            }
            if (!PyObject_TypeCheck(boxed, (PyTypeObject *)goffi_GoObject)) {
                o = boxed; /* not a Go object after all: convert what the box gave */
            }
            /* else a value class of another bundle: its Go type lives in the other Go
             * runtime, so the value crosses as the Python value it is (an int, a str...) */
        }
    }
    if (PyBool_Check(o)) {
        out->tag = GOFFI_ANY_BOOL;
        out->i = o == Py_True;
        return 0;
    }
    if (PyLong_Check(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (v == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (!overflow) {
            out->tag = GOFFI_ANY_INT;
            out->i = v;
            return 0;
        }
        /* Beyond int64: Go gets a *big.Int, from the decimal text. */
        PyObject *text = PyNumber_ToBase(o, 10);
        if (text == NULL || goffi_arena_keep(a, text) < 0) {
            return -1;
        }
        out->tag = GOFFI_ANY_BIGINT;
        return goffi_in_str(text, &out->s, a, where);
    }
    if (PyFloat_Check(o)) {
        out->tag = GOFFI_ANY_FLOAT;
        out->f = PyFloat_AS_DOUBLE(o);
        return 0;
    }
    if (PyComplex_Check(o)) {
        out->tag = GOFFI_ANY_COMPLEX;
        out->f = PyComplex_RealAsDouble(o);
        out->f2 = PyComplex_ImagAsDouble(o);
        return 0;
    }
    if (PyUnicode_Check(o)) {
        out->tag = GOFFI_ANY_STRING;
        return goffi_in_str(o, &out->s, a, where);
    }
    if (PyDelta_Check(o)) {
        out->tag = GOFFI_ANY_DURATION;
        return goffi_in_dur(o, &out->i, a, where);
    }
    if (PyDateTime_Check(o)) {
        goffi_time t;
        if (goffi_in_time(o, &t, a, where) < 0) {
            return -1;
        }
        out->tag = GOFFI_ANY_TIME;
        out->i = t.sec;
        out->n = t.nsec;
        out->cls = t.offset;
        out->s = t.zone;
        return 0;
    }
    if (PyBytes_Check(o) || PyByteArray_Check(o) || PyMemoryView_Check(o)) {
        out->tag = GOFFI_ANY_BYTES;
        return goffi_to_bytes(o, &out->s, a, -1, where);
    }
    if (goffi_is_object(o)) {
        out->tag = GOFFI_ANY_HANDLE;
        out->i = (int64_t)((goffi_object *)o)->handle;
        out->cls = ((goffi_object *)o)->cls;
        return 0;
    }
    if (goffi_refuse_foreign(o, NULL, where) < 0) {
        return -1;
    }
    if (PyObject_IsInstance(o, goffi_GoError) == 1 || goffi_is_error_class(o)) {
        /* An exception that came from Go passes its Go error (fmt.Errorf("%w", e)), and a
         * sentinel's class its Go value (goffi.runtime's GoError.go_value). */
        goffi_err err;
        if (goffi_in_error(o, &err, a, where) < 0) {
            return -1;
        }
        out->tag = GOFFI_ANY_HANDLE;
        out->i = (int64_t)err.value.id;
        out->cls = err.value.cls;
        return 0;
    }
    int record = goffi_any_record_in(o, out, a, where);
    if (record != 0) {
        return record < 0 ? -1 : 0;
    }
    if (PyList_Check(o) || PyTuple_Check(o)) {
        PyObject *t = PySequence_Tuple(o);
        if (t == NULL || goffi_arena_keep(a, t) < 0) {
            return -1;
        }
        return goffi_any_items(t, out, a, where, depth);
    }
    if (PyDict_Check(o)) {
        PyObject *items = PyMapping_Items(o);
        PyObject *pairs = items ? PySequence_Tuple(items) : NULL;
        Py_XDECREF(items);
        if (pairs == NULL || goffi_arena_keep(a, pairs) < 0) {
            return -1;
        }
        Py_ssize_t n = PyTuple_GET_SIZE(pairs);
        goffi_any *kv = goffi_arena_alloc(a, (n > 0 ? (size_t)n : 1) * 2 * sizeof(goffi_any));
        if (kv == NULL) {
            return -1;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *key = PyTuple_GET_ITEM(PyTuple_GET_ITEM(pairs, i), 0);
            if (!PyUnicode_Check(key)) {
                PyErr_Format(PyExc_TypeError, "%s: a dict passed as Go any needs str keys (map[string]any), not %.200s",
                             where, Py_TYPE(key)->tp_name);
                return -1;
            }
            if (goffi_in_any_depth(key, &kv[2 * i], a, where, depth + 1) < 0 ||
                goffi_in_any_depth(PyTuple_GET_ITEM(PyTuple_GET_ITEM(pairs, i), 1), &kv[2 * i + 1], a, where,
                                   depth + 1) < 0) {
                goffi_annotate_key(key);
                return -1;
            }
        }
        out->tag = GOFFI_ANY_MAP;
        out->items = kv;
        out->n = n;
        return 0;
    }
    if (goffi_any_proxy != NULL) { /* a Python object with a String or Error method (goffi.proxies) */
        int proxied = goffi_any_proxy(o, out, a, where);
        if (proxied <= 0) {
            return proxied;
        }
    }
    PyErr_Format(PyExc_TypeError,
                 "%s: a %.200s cannot become a Go value; pass None, bool, int, float, complex, str, bytes, "
                 "list, tuple, dict with str keys, or a Go object",
                 where, Py_TYPE(o)->tp_name);
    return -1;
}

int goffi_in_any(PyObject *o, goffi_any *out, goffi_arena *a, const char *where) {
    return goffi_in_any_depth(o, out, a, where, 0);
}

PyObject *goffi_out_any(const goffi_any *v) {
    switch (v->tag) {
    case GOFFI_ANY_NIL:
        Py_RETURN_NONE;
    case GOFFI_ANY_BOOL:
        return PyBool_FromLong((long)v->i);
    case GOFFI_ANY_INT:
        return PyLong_FromLongLong(v->i);
    case GOFFI_ANY_UINT:
        return PyLong_FromUnsignedLongLong((unsigned long long)v->i);
    case GOFFI_ANY_BIGINT: {
        PyObject *text = goffi_out_str(&v->s);
        PyObject *n = text ? PyLong_FromUnicodeObject(text, 10) : NULL;
        Py_XDECREF(text);
        return n;
    }
    case GOFFI_ANY_FLOAT:
        return PyFloat_FromDouble(v->f);
    case GOFFI_ANY_COMPLEX:
        return PyComplex_FromDoubles(v->f, v->f2);
    case GOFFI_ANY_STRING:
        return goffi_out_str(&v->s);
    case GOFFI_ANY_BYTES:
        return goffi_out_bytes(&v->s);
    case GOFFI_ANY_LIST: {
        PyObject *list = PyList_New((Py_ssize_t)v->n);
        for (Py_ssize_t i = 0; list != NULL && i < (Py_ssize_t)v->n; i++) {
            PyObject *item = goffi_out_any(&v->items[i]);
            if (item == NULL) {
                Py_CLEAR(list);
                break;
            }
            PyList_SET_ITEM(list, i, item);
        }
        return list;
    }
    case GOFFI_ANY_MAP: {
        PyObject *dict = PyDict_New();
        for (Py_ssize_t i = 0; dict != NULL && i < (Py_ssize_t)v->n; i++) {
            PyObject *key = goffi_out_any(&v->items[2 * i]);
            PyObject *val = key ? goffi_out_any(&v->items[2 * i + 1]) : NULL;
            if (val == NULL || PyDict_SetItem(dict, key, val) < 0) {
                Py_CLEAR(dict);
            }
            Py_XDECREF(key);
            Py_XDECREF(val);
        }
        return dict;
    }
    case GOFFI_ANY_HANDLE: {
        goffi_handle h = {(uint64_t)v->i, v->cls};
        if (h.cls == GOFFI_CLS_PROXY && goffi_any_proxy_out != NULL) {
            return goffi_any_proxy_out(&h); /* a proxied Python object: itself again */
        }
        return goffi_handle_object(&h);
    }
    case GOFFI_ANY_RECORD:
        return goffi_any_record_out(v);
    case GOFFI_ANY_TIME: {
        goffi_time t = {v->i, (int32_t)v->n, v->cls, v->s};
        return goffi_out_time(&t);
    }
    case GOFFI_ANY_DURATION:
        return goffi_out_dur(&v->i);
    case GOFFI_ANY_ERROR:
        return goffi_error_object((const goffi_err *)v->items);
    }
    PyErr_Format(PyExc_SystemError, "goffi: unknown any tag %d", (int)v->tag);
    return NULL;
}

/* ---- time ---------------------------------------------------------------------- */

int goffi_in_dur(PyObject *o, int64_t *out, goffi_arena *a, const char *where) {
    (void)a;
    if (!PyDelta_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be a datetime.timedelta, not %.200s", where, Py_TYPE(o)->tp_name);
        return -1;
    }
    /* days * 86400e9 + seconds * 1e9 + microseconds * 1000, without overflowing int64. */
    __int128 ns = (__int128)PyDateTime_DELTA_GET_DAYS(o) * 86400 * 1000000000 +
                  (__int128)PyDateTime_DELTA_GET_SECONDS(o) * 1000000000 +
                  (__int128)PyDateTime_DELTA_GET_MICROSECONDS(o) * 1000;
    if (ns > INT64_MAX || ns < INT64_MIN) {
        PyErr_Format(PyExc_OverflowError, "%s: %R is beyond a Go time.Duration (about 292 years either way)", where,
                     o);
        return -1;
    }
    *out = (int64_t)ns;
    return 0;
}

PyObject *goffi_out_dur(const int64_t *v) {
    /* timedelta counts microseconds: truncate the nanoseconds toward zero. */
    int64_t us = *v / 1000;
    int64_t days = us / (86400LL * 1000000);
    int64_t rest = us % (86400LL * 1000000);
    return PyDelta_FromDSU((int)days, (int)(rest / 1000000), (int)(rest % 1000000));
}

int goffi_in_time(PyObject *o, goffi_time *out, goffi_arena *a, const char *where) {
    if (!PyDateTime_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be a datetime.datetime, not %.200s", where, Py_TYPE(o)->tp_name);
        return -1;
    }
    PyObject *parts = PyObject_CallOneArg(goffi_time_to_go, o);
    if (parts == NULL || goffi_arena_keep(a, parts) < 0) {
        return -1;
    }
    long long sec;
    int nsec, offset;
    PyObject *zone;
    if (!PyArg_ParseTuple(parts, "LiiU", &sec, &nsec, &offset, &zone)) {
        return -1;
    }
    out->sec = sec;
    out->nsec = nsec;
    out->offset = offset;
    return goffi_in_str(zone, &out->zone, a, where);
}

PyObject *goffi_out_time(const goffi_time *v) {
    PyObject *zone = goffi_out_str(&v->zone);
    if (zone == NULL) {
        return NULL;
    }
    PyObject *t = PyObject_CallFunction(goffi_time_from_go, "LiiN", (long long)v->sec, (int)v->nsec, (int)v->offset,
                                        zone);
    return t;
}

int goffi_datetime_import(void) {
    PyDateTime_IMPORT;
    return PyDateTimeAPI != NULL ? 0 : -1;
}
