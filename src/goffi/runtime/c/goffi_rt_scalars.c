/*
 * goffi_rt_scalars.c: scalars between Python and Go: bool, integers (range-checked), floats,
 * complex numbers, str (surrogateescape both ways) and bytes-like objects.
 */
#include "goffi_rt.h"

#include <float.h>
#include <math.h>

/* ---- scalars in ---------------------------------------------------------------- */

int goffi_type_error(PyObject *o, const char *expected, const char *where) {
    PyErr_Format(PyExc_TypeError, "%s must be %s, not %.200s", where, expected, Py_TYPE(o)->tp_name);
    return -1;
}

int goffi_to_bool(PyObject *o, uint8_t *out, const char *where) {
    if (o == Py_True) {
        *out = 1;
        return 0;
    }
    if (o == Py_False) {
        *out = 0;
        return 0;
    }
    return goffi_type_error(o, "bool", where);
}

/* An int (or an object with __index__, like numpy integers), never a bool: Go has no
 * implicit bool -> int conversion, so a bool here is almost certainly a mistake. */
static PyObject *goffi_as_index(PyObject *o, const char *where) {
    if (PyBool_Check(o) || !PyIndex_Check(o)) {
        goffi_type_error(o, "int", where);
        return NULL;
    }
    return PyNumber_Index(o);
}

/* A short description of a value for messages: its repr, or for an int too long to
 * print nicely (or at all: str() of an int over sys.get_int_max_str_digits() digits
 * raises), its size in bits. */
static PyObject *goffi_describe(PyObject *value) {
    if (PyLong_Check(value)) {
        PyObject *bits = PyObject_CallMethod(value, "bit_length", NULL);
        long long n = bits != NULL ? PyLong_AsLongLong(bits) : -1;
        Py_XDECREF(bits);
        PyErr_Clear();
        if (n > 128) {
            PyObject *zero = PyLong_FromLong(0);
            int negative = zero != NULL ? PyObject_RichCompareBool(value, zero, Py_LT) : 0;
            Py_XDECREF(zero);
            PyErr_Clear();
            return PyUnicode_FromFormat("%s int of %lld bits", negative > 0 ? "a negative" : "an", n);
        }
    }
    PyObject *r = PyObject_Repr(value);
    if (r == NULL) {
        PyErr_Clear();
        return PyUnicode_FromFormat("a %.200s", Py_TYPE(value)->tp_name);
    }
    return r;
}

static int goffi_overflow(PyObject *value, const char *range, const char *where) {
    PyErr_Clear();
    PyObject *desc = goffi_describe(value);
    if (desc == NULL) {
        return -1;
    }
    PyErr_Format(PyExc_OverflowError, "%s: %U is out of range (%s)", where, desc, range);
    Py_DECREF(desc);
    return -1;
}

int goffi_to_int(PyObject *o, int64_t *out, int64_t min, int64_t max, const char *where) {
    if (PyLong_CheckExact(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (!overflow && v >= min && v <= max) {
            *out = v;
            return 0;
        }
        if (v == -1 && PyErr_Occurred()) {
            return -1;
        }
    }
    PyObject *i = goffi_as_index(o, where);
    if (i == NULL) {
        return -1;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(i, &overflow);
    if (overflow || v < min || v > max) {
        char range[96];
        snprintf(range, sizeof range, "%lld..%lld", (long long)min, (long long)max);
        goffi_overflow(i, range, where);
        Py_DECREF(i);
        return -1;
    }
    Py_DECREF(i);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    *out = v;
    return 0;
}

int goffi_to_uint(PyObject *o, uint64_t *out, uint64_t max, const char *where) {
    PyObject *i = goffi_as_index(o, where);
    if (i == NULL) {
        return -1;
    }
    unsigned long long v = PyLong_AsUnsignedLongLong(i);
    if ((v == (unsigned long long)-1 && PyErr_Occurred()) || v > max) {
        if (PyErr_Occurred() && !PyErr_ExceptionMatches(PyExc_OverflowError)) {
            Py_DECREF(i);
            return -1;
        }
        char range[96];
        snprintf(range, sizeof range, "0..%llu", (unsigned long long)max);
        goffi_overflow(i, range, where);
        Py_DECREF(i);
        return -1;
    }
    Py_DECREF(i);
    *out = v;
    return 0;
}

int goffi_to_f64(PyObject *o, double *out, const char *where) {
    if (PyFloat_CheckExact(o)) {
        *out = PyFloat_AS_DOUBLE(o);
        return 0;
    }
    if (PyBool_Check(o) || !(PyFloat_Check(o) || PyIndex_Check(o) ||
                             (Py_TYPE(o)->tp_as_number != NULL && Py_TYPE(o)->tp_as_number->nb_float))) {
        return goffi_type_error(o, "float", where);
    }
    double v = PyFloat_AsDouble(o);
    if (v == -1.0 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            return goffi_overflow(o, "it does not fit a Go float64", where);
        }
        return -1;
    }
    *out = v;
    return 0;
}

/* float32: a finite value beyond float32's range raises OverflowError rather than
 * silently becoming infinity; inf and nan pass through; precision is rounded. */
static int goffi_f32_range(double v, PyObject *o, const char *where) {
    if (isfinite(v) && (v > FLT_MAX || v < -FLT_MAX)) {
        return goffi_overflow(o, "beyond Go float32's range", where);
    }
    return 0;
}

int goffi_to_f32(PyObject *o, float *out, const char *where) {
    double v;
    if (goffi_to_f64(o, &v, where) < 0 || goffi_f32_range(v, o, where) < 0) {
        return -1;
    }
    *out = (float)v;
    return 0;
}

int goffi_to_complex(PyObject *o, goffi_complex *out, int bits, const char *where) {
    if (PyBool_Check(o) || !(PyComplex_Check(o) || PyFloat_Check(o) || PyIndex_Check(o))) {
        return goffi_type_error(o, "complex", where);
    }
    Py_complex c = PyComplex_AsCComplex(o);
    if (c.real == -1.0 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            return goffi_overflow(o, bits == 64 ? "it does not fit a Go complex64" : "it does not fit a Go complex128",
                                  where);
        }
        return -1;
    }
    if (bits == 64 && (goffi_f32_range(c.real, o, where) < 0 || goffi_f32_range(c.imag, o, where) < 0)) {
        return -1;
    }
    out->re = c.real;
    out->im = c.imag;
    return 0;
}

int goffi_in_str(PyObject *o, goffi_str *out, goffi_arena *a, const char *where) {
    if (!PyUnicode_Check(o)) {
        return goffi_type_error(o, "str", where);
    }
    Py_ssize_t n;
    const char *p = PyUnicode_AsUTF8AndSize(o, &n);
    if (p == NULL) {
        /* Lone surrogates: the surrogateescape'd form of bytes that are not UTF-8 (the
         * rule goffi uses for Go strings coming back). Encode them back to those bytes. */
        if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
            return -1;
        }
        PyErr_Clear();
        PyObject *raw = PyUnicode_AsEncodedString(o, "utf-8", "surrogateescape");
        if (raw == NULL) {
            /* A surrogate outside U+DC80..U+DCFF: no Go string has it, so no bytes to send. */
            if (PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) {
                PyObject *type, *value, *tb;
                PyErr_Fetch(&type, &value, &tb);
                PyErr_NormalizeException(&type, &value, &tb);
                Py_ssize_t pos = 0;
                PyObject *detail = value ? PyObject_Str(value) : NULL;
                if (value == NULL || PyUnicodeEncodeError_GetStart(value, &pos) < 0) {
                    PyErr_Clear();
                }
                char code[16];
                snprintf(code, sizeof code, "U+%04X", (unsigned)PyUnicode_ReadChar(o, pos));
                PyErr_Format(PyExc_ValueError,
                             "%s: the str holds a lone surrogate %s at index %zd, which is neither text nor "
                             "a byte escaped by surrogateescape (U+DC80..U+DCFF), so it has no bytes to give "
                             "Go (%S)",
                             where, code, pos, detail ? detail : Py_None);
                Py_XDECREF(detail);
                if (value != NULL) {
                    PyObject *exc, *exc_type, *exc_tb;
                    PyErr_Fetch(&exc_type, &exc, &exc_tb);
                    PyErr_NormalizeException(&exc_type, &exc, &exc_tb);
                    PyException_SetCause(exc, Py_NewRef(value));
                    PyException_SetContext(exc, Py_NewRef(value));
                    PyErr_Restore(exc_type, exc, exc_tb);
                }
                Py_XDECREF(type);
                Py_XDECREF(value);
                Py_XDECREF(tb);
            }
            return -1;
        }
        p = PyBytes_AS_STRING(raw);
        n = PyBytes_GET_SIZE(raw);
        if (goffi_arena_keep(a, raw) < 0) {
            return -1;
        }
    }
    out->p = p;
    out->n = n;
    return 0;
}

/* exact_len: N for a [N]byte, -1 for a []byte, -2 for a []byte Go does not write into
 * (goffi.mutation's verdict): then a read-only buffer is lent without a copy. */
int goffi_to_bytes(PyObject *o, goffi_str *out, goffi_arena *a, int64_t exact_len, const char *where) {
    int readonly = 0;
    int go_writes = exact_len != -2;
    if (exact_len == -2) {
        exact_len = -1;
    }
    if (o == Py_None && exact_len < 0) {
        out->p = NULL;
        out->n = 0;
        return 0;
    }
    if (PyBytes_CheckExact(o)) {
        /* Immutable, and the caller keeps it alive for the call. */
        out->p = PyBytes_AS_STRING(o);
        out->n = PyBytes_GET_SIZE(o);
        readonly = 1;
    } else {
        if (!PyObject_CheckBuffer(o)) {
            return goffi_type_error(o, "a bytes-like object (bytes, bytearray, memoryview)", where);
        }
        goffi_cleanup *c = goffi_new_cleanup(a);
        if (c == NULL) {
            return -1;
        }
        /* Writable when possible, so Go's writes (io.ReadFull(r, buf)) land in the buffer. */
        if (PyObject_GetBuffer(o, &c->view, PyBUF_WRITABLE) < 0) {
            PyErr_Clear();
            if (PyObject_GetBuffer(o, &c->view, PyBUF_SIMPLE) < 0) {
                PyErr_Clear();
                c->view.obj = NULL;
                return goffi_type_error(o, "a C-contiguous bytes-like object", where);
            }
            readonly = 1;
        }
        out->p = c->view.buf;
        out->n = c->view.len;
    }
    if (exact_len >= 0) {
        /* [N]byte: Go copies the N bytes into its array at once, so a view is safe. */
        if (out->n != exact_len) {
            PyErr_Format(PyExc_ValueError, "%s must be exactly %lld bytes long, not %lld", where,
                         (long long)exact_len, (long long)out->n);
            return -1;
        }
        return 0;
    }
    if (readonly && go_writes && out->n > 0) {
        /* Go may write into any []byte it is given (io.ReadFull, hex.Encode's dst), and
         * bytes objects are immutable, cached and shared (b"a" is a singleton): a write
         * there would corrupt every holder. So read-only buffers cross as a copy; pass a
         * bytearray or writable memoryview to share memory with Go, writes included. */
        out->p = goffi_arena_copy(a, out->p, (size_t)out->n);
        if (out->p == NULL) {
            return -1;
        }
    }
    return 0;
}

/* ---- scalars out --------------------------------------------------------------- */

/* Go strings are byte strings that are usually UTF-8. Bytes that are not valid UTF-8
 * decode to lone surrogates (U+DC80..U+DCFF), as os.fsdecode does; passing such a str
 * back to Go restores the exact bytes. */
PyObject *goffi_out_str(const goffi_str *s) {
    if (s->n == 0) {
        return PyUnicode_New(0, 0);
    }
    return PyUnicode_DecodeUTF8(s->p, (Py_ssize_t)s->n, "surrogateescape");
}

PyObject *goffi_out_bytes(const goffi_str *s) {
    return PyBytes_FromStringAndSize(s->n ? s->p : "", (Py_ssize_t)s->n);
}

PyObject *goffi_out_complex(const goffi_complex *c) { return PyComplex_FromDoubles(c->re, c->im); }
