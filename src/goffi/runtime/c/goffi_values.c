/*
 * goffi_values.c: values that keep Go's meaning (issue 9): keyword arguments by Go
 * parameter name, and rune and byte parameters that also take a one-character str.
 */
#include "goffi_py.h"

Py_ssize_t goffi_kwargs(const char *func, PyObject *const *args, Py_ssize_t n, PyObject *kwnames,
                        const char *const *names, Py_ssize_t first, Py_ssize_t nslots, Py_ssize_t nrequired,
                        PyObject **buf) {
    Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames);
    for (Py_ssize_t i = 0; i < nslots; i++) {
        buf[i] = i < n ? args[i] : NULL;
    }
    for (Py_ssize_t k = 0; k < nkw; k++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, k);
        const char *name = PyUnicode_AsUTF8(key);
        if (name == NULL) {
            return -1;
        }
        Py_ssize_t slot = -1;
        for (Py_ssize_t j = first; j < nslots; j++) {
            if (strcmp(names[j - first], name) == 0) {
                slot = j;
                break;
            }
        }
        if (slot < 0) {
            PyErr_Format(PyExc_TypeError, "%s() got an unexpected keyword argument '%s'", func, name);
            return -1;
        }
        if (slot < n || buf[slot] != NULL) {
            PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%s'", func, name);
            return -1;
        }
        buf[slot] = args[n + k];
    }
    if (n > nslots) {
        /* Extra positional arguments (a variadic ...T) with keywords: every keyword named a
         * fixed parameter, which the positional arguments had already filled. */
        PyErr_Format(PyExc_TypeError, "%s() got multiple values for argument '%U'", func,
                     PyTuple_GET_ITEM(kwnames, 0));
        return -1;
    }
    Py_ssize_t missing = 0;
    for (Py_ssize_t i = n; i < nrequired; i++) {
        missing += buf[i] == NULL;
    }
    if (missing > 0) {
        /* As Python says it: "f() missing 2 required arguments: 'a' and 'b'". */
        PyObject *list = PyUnicode_FromString("");
        Py_ssize_t seen = 0;
        for (Py_ssize_t i = n; list != NULL && i < nrequired; i++) {
            if (buf[i] != NULL) {
                continue;
            }
            const char *sep = seen == 0 ? "" : seen == missing - 1 ? (missing > 2 ? ", and " : " and ") : ", ";
            PyObject *more = PyUnicode_FromFormat("%U%s'%s'", list, sep, names[i - first]);
            Py_SETREF(list, more);
            seen++;
        }
        if (list != NULL) {
            PyErr_Format(PyExc_TypeError, "%s() missing %zd required argument%s: %U", func, missing,
                         missing == 1 ? "" : "s", list);
            Py_DECREF(list);
        }
        return -1;
    }
    return nslots;
}

/* A one-character str as a character code (at most max), for a rune or a byte. */
static int goffi_to_char(PyObject *o, int64_t *out, int64_t max, const char *go_type, const char *where) {
    if (PyUnicode_GET_LENGTH(o) != 1) {
        PyErr_Format(PyExc_TypeError,
                     "%s: a str passed as Go %s must be one character, not %zd; pass one character or an int",
                     where, go_type, PyUnicode_GET_LENGTH(o));
        return -1;
    }
    Py_UCS4 c = PyUnicode_READ_CHAR(o, 0);
    if ((int64_t)c > max) {
        char detail[96]; /* PyErr_Format has no %04X */
        snprintf(detail, sizeof detail, "(U+%04X) does not fit Go %s (0..%lld); pass a character below U+%04X",
                 (unsigned)c, go_type, (long long)max, (unsigned)max + 1);
        PyErr_Format(PyExc_OverflowError, "%s: %R %s or an int", where, o, detail);
        return -1;
    }
    *out = (int64_t)c;
    return 0;
}

/* Neither an int nor a str: say both are taken. */
static int goffi_not_char(PyObject *o, const char *where) {
    PyErr_Format(PyExc_TypeError, "%s must be int or a one-character str, not %.200s", where, Py_TYPE(o)->tp_name);
    return -1;
}

int goffi_in_rune(PyObject *o, int32_t *out, goffi_arena *a, const char *where) {
    if (PyUnicode_Check(o)) {
        int64_t v;
        if (goffi_to_char(o, &v, 0x10FFFF, "rune", where) < 0) {
            return -1;
        }
        *out = (int32_t)v;
        return 0;
    }
    if (!PyIndex_Check(o) || PyBool_Check(o)) {
        return goffi_not_char(o, where);
    }
    return goffi_in_i32(o, out, a, where);
}

int goffi_in_byte(PyObject *o, uint8_t *out, goffi_arena *a, const char *where) {
    if (PyUnicode_Check(o)) {
        int64_t v;
        if (goffi_to_char(o, &v, 0xFF, "byte", where) < 0) {
            return -1;
        }
        *out = (uint8_t)v;
        return 0;
    }
    if (!PyIndex_Check(o) || PyBool_Check(o)) {
        return goffi_not_char(o, where);
    }
    return goffi_in_u8(o, out, a, where);
}
