/*
 * goffi_rt.c: the C runtime every goffi bundle links. It converts between Python
 * objects and the C ABI of goffi.h, manages the per-call arena, and turns Go errors
 * and panics into Python exceptions. Generated glue calls these; nothing here is
 * specific to one bundle.
 */
#include "goffi_py.h"
#include <datetime.h>
#include "goffi_exports.h" /* goffi_release, goffi_live_handles */

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------------ */

typedef struct goffi_block { struct goffi_block *next; } goffi_block;

/* A cleanup record: a Python reference to drop or a buffer view to release. */
typedef struct goffi_cleanup {
    struct goffi_cleanup *next;
    PyObject *obj;      /* dropped with Py_DECREF when view.obj == NULL */
    Py_buffer view;     /* released with PyBuffer_Release when view.obj != NULL */
    int detach;         /* obj is a callable's registry entry: forget this call first */
    uint64_t id;        /* ... and its ID, to give it up if Go never got it (goffi_arena_abandon) */
} goffi_cleanup;

#define GOFFI_ALIGN(n) (((n) + 15) & ~(size_t)15)
#define GOFFI_BLOCK_MIN 4096

void *goffi_arena_grow(goffi_arena *a, size_t n) {
    size_t header = GOFFI_ALIGN(sizeof(goffi_block));
    size_t size = n + header > GOFFI_BLOCK_MIN ? n + header : GOFFI_BLOCK_MIN;
    goffi_block *b = aligned_alloc(16, GOFFI_ALIGN(size));
    if (b == NULL) {
        return NULL;
    }
    b->next = (goffi_block *)a->blocks;
    a->blocks = b;
    char *start = (char *)b + header;
    a->cur = start + GOFFI_ALIGN(n);
    a->end = (char *)b + GOFFI_ALIGN(size);
    return start;
}

void *goffi_arena_alloc(goffi_arena *a, size_t n) {
    size_t need = GOFFI_ALIGN(n);
    if ((size_t)(a->end - a->cur) >= need) {
        void *p = a->cur;
        a->cur += need;
        return p;
    }
    void *p = goffi_arena_grow(a, n);
    if (p == NULL) {
        PyErr_NoMemory();
    }
    return p;
}

void *goffi_arena_copy(goffi_arena *a, const void *p, size_t n) {
    void *copy = goffi_arena_alloc(a, n);
    if (copy != NULL) {
        memcpy(copy, p, n);
    }
    return copy;
}

static goffi_cleanup *goffi_new_cleanup(goffi_arena *a) {
    goffi_cleanup *c = goffi_arena_alloc(a, sizeof(goffi_cleanup));
    if (c == NULL) {
        return NULL;
    }
    memset(c, 0, sizeof(*c));
    c->next = (goffi_cleanup *)a->cleanups;
    a->cleanups = c;
    return c;
}

Py_buffer *goffi_arena_buffer(goffi_arena *a) {
    goffi_cleanup *c = goffi_new_cleanup(a);
    return c != NULL ? &c->view : NULL;
}

int goffi_arena_detach(goffi_arena *a, PyObject *entry, uint64_t id) {
    goffi_cleanup *c = goffi_new_cleanup(a);
    if (c == NULL) {
        return -1;
    }
    c->obj = Py_NewRef(entry);
    c->detach = 1;
    c->id = id;
    return 0;
}

void (*goffi_callable_release_hook)(uint64_t id);

void goffi_arena_abandon(goffi_arena *a) {
    if (a == NULL || goffi_callable_release_hook == NULL) {
        return; /* no arena (a callback of plain values), or no bridge: no callable was registered */
    }
    for (goffi_cleanup *c = (goffi_cleanup *)a->cleanups; c != NULL; c = c->next) {
        if (c->detach && c->id != 0) {
            uint64_t id = c->id;
            c->id = 0;
            goffi_callable_release_hook(id); /* may run Python code (the callable's last reference) */
        }
    }
}

int goffi_raise_pending(goffi_arena *a) {
    PyObject *exc = (PyObject *)a->pending;
    if (exc == NULL) {
        return 0;
    }
    a->pending = NULL;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return 1;
}

int goffi_arena_keep(goffi_arena *a, PyObject *o) {
    goffi_cleanup *c = goffi_new_cleanup(a);
    if (c == NULL) {
        Py_DECREF(o);
        return -1;
    }
    c->obj = o;
    return 0;
}

void goffi_arena_release(goffi_arena *a) {
    for (goffi_cleanup *c = (goffi_cleanup *)a->cleanups; c != NULL; c = c->next) {
        if (c->view.obj != NULL) {
            PyBuffer_Release(&c->view);
        } else {
            if (c->detach) {
                /* The call is over: later exceptions of this callable are unraisable. */
                PyObject *zero = PyLong_FromLong(0);
                if (zero == NULL || PyList_SetItem(c->obj, 1, zero) < 0) {
                    PyErr_Clear();
                }
            }
            Py_XDECREF(c->obj);
        }
    }
    Py_CLEAR(*(PyObject **)&a->pending);
    a->cleanups = NULL;
    goffi_arena_free_blocks(a);
}

void goffi_arena_free_blocks(goffi_arena *a) {
    goffi_block *b = (goffi_block *)a->blocks;
    while (b != NULL) {
        goffi_block *next = b->next;
        free(b);
        b = next;
    }
    a->blocks = NULL;
}

/* ---- runtime set-up, fork guard ---------------------------------------------- */

static PyObject *goffi_GoError;
static int goffi_is_error_class(PyObject *o);
static PyObject *goffi_GoPanic;
static PyObject *goffi_GoObject;   /* goffi.runtime.GoObject, the base of every handle class */
static PyObject *goffi_make_error; /* builds the exception of a Go error: the bundle's own, once bound */
static PyObject *goffi_bundle_name; /* the bundle's Python name, once bound (_bundle._bind) */
static PyObject *goffi_time_from_go; /* goffi.runtime._time_from_go and _time_to_go */
static PyObject *goffi_time_to_go;
static PyObject *goffi_instances;  /* handle ID -> address of its live Python object */
static Py_ssize_t goffi_instances_peak; /* its most entries since it was last made */
int goffi_forked = 0;
GOFFI_TLS goffi_arena *goffi_current_call = NULL;

static void goffi_after_fork_child(void) { goffi_forked = 1; }

int goffi_runtime_init(void) {
    /* goffi.runtime.guard refuses subinterpreters before the library loads; this is the
     * same rule for a bundle loaded some other way. */
    if (PyInterpreterState_Get() != PyInterpreterState_Main()) {
        PyErr_SetString(PyExc_ImportError, "goffi bundles can be imported only in the main interpreter, "
                                           "not in a subinterpreter (their Go runtime is process-wide)");
        return -1;
    }
    if (goffi_GoError != NULL) {
        return 0;
    }
    PyObject *rt = PyImport_ImportModule("goffi.runtime");
    if (rt == NULL) {
        return -1;
    }
    goffi_GoError = PyObject_GetAttrString(rt, "GoError");
    goffi_GoPanic = PyObject_GetAttrString(rt, "GoPanic");
    goffi_GoObject = PyObject_GetAttrString(rt, "GoObject");
    goffi_make_error = PyObject_GetAttrString(rt, "_go_error");
    goffi_time_from_go = PyObject_GetAttrString(rt, "_time_from_go");
    goffi_time_to_go = PyObject_GetAttrString(rt, "_time_to_go");
    PyDateTime_IMPORT;
    Py_DECREF(rt);
    goffi_instances = PyDict_New();
    if (goffi_GoError == NULL || goffi_GoPanic == NULL || goffi_GoObject == NULL || goffi_instances == NULL ||
        goffi_make_error == NULL || goffi_time_from_go == NULL || goffi_time_to_go == NULL || PyDateTimeAPI == NULL) {
        return -1;
    }
    /* A child forked after the Go runtime started has none of its threads: any Go
     * call could hang forever (golang/go#15538). Refuse instead. */
    pthread_atfork(NULL, NULL, goffi_after_fork_child);
    return 0;
}

PyObject *goffi_raise_forked(const char *func) {
    PyErr_Format(PyExc_RuntimeError,
                 "%s: cannot call Go in a process forked after the Go runtime started "
                 "(the child has none of Go's threads, golang/go#15538). Start worker "
                 "processes with multiprocessing.set_start_method('spawn') or 'forkserver'.",
                 func);
    return NULL;
}

int goffi_check_nargs(const char *func, Py_ssize_t nargs, Py_ssize_t min, Py_ssize_t max) {
    if (GOFFI_UNLIKELY(goffi_forked)) {
        goffi_raise_forked(func);
        return -1;
    }
    if (nargs >= min && (max < 0 || nargs <= max)) {
        return 0;
    }
    if (max < 0) {
        PyErr_Format(PyExc_TypeError, "%s() takes at least %zd positional argument%s (%zd given)", func, min,
                     min == 1 ? "" : "s", nargs);
    } else if (min == max) {
        PyErr_Format(PyExc_TypeError, "%s() takes %zd positional argument%s (%zd given)", func, min,
                     min == 1 ? "" : "s", nargs);
    } else {
        PyErr_Format(PyExc_TypeError, "%s() takes from %zd to %zd positional arguments (%zd given)", func, min,
                     max, nargs);
    }
    return -1;
}

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

/* ---- scalars in ---------------------------------------------------------------- */

static int goffi_type_error(PyObject *o, const char *expected, const char *where) {
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

/* ---- containers in ------------------------------------------------------------ */

PyObject *goffi_in_sequence(PyObject *o, goffi_arena *a, int64_t exact_len, int *is_nil, const char *where) {
    *is_nil = 0;
    if (o == Py_None && exact_len < 0) {
        *is_nil = 1;
        return Py_None;
    }
    if (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o) || PyDict_Check(o) ||
        !(PySequence_Check(o) || PyIter_Check(o) || PyAnySet_Check(o))) {
        if (exact_len < 0) {
            goffi_type_error(o, "a sequence (list, tuple) or None", where);
        } else {
            PyErr_Format(PyExc_TypeError, "%s must be a sequence (list, tuple) of exactly %lld elements, not %.200s",
                         where, (long long)exact_len, Py_TYPE(o)->tp_name);
        }
        return NULL;
    }
    /* A tuple cannot change while the GIL is released, so element pointers stay valid. */
    PyObject *t = PySequence_Tuple(o);
    if (t == NULL || goffi_arena_keep(a, t) < 0) {
        return NULL;
    }
    if (exact_len >= 0 && PyTuple_GET_SIZE(t) != exact_len) {
        PyErr_Format(PyExc_ValueError, "%s must have exactly %lld elements, not %zd", where, (long long)exact_len,
                     PyTuple_GET_SIZE(t));
        return NULL;
    }
    return t;
}

int goffi_list_changed(const char *where) {
    PyErr_Format(PyExc_RuntimeError, "%s: the list changed size while goffi converted its items", where);
    return -1;
}

/* Whether o is a mapping: a registered collections.abc.Mapping (a class of Python code
 * that defines __getitem__ is a sequence too, by the C API's test, so that test alone
 * refuses them), or a C mapping that is no sequence. 0 with an exception on failure. */
static int goffi_is_mapping(PyObject *o) {
    static PyObject *abc_mapping;
    if (abc_mapping == NULL) {
        PyObject *abc = PyImport_ImportModule("collections.abc");
        if (abc == NULL) {
            return 0;
        }
        abc_mapping = PyObject_GetAttrString(abc, "Mapping");
        Py_DECREF(abc);
        if (abc_mapping == NULL) {
            return 0;
        }
    }
    int r = PyObject_IsInstance(o, abc_mapping);
    if (r != 0) {
        return r > 0;
    }
    return PyMapping_Check(o) && !PySequence_Check(o);
}

PyObject *goffi_in_mapping(PyObject *o, goffi_arena *a, int *is_nil, const char *where) {
    *is_nil = 0;
    if (o == Py_None) {
        *is_nil = 1;
        return Py_None;
    }
    if (!PyDict_Check(o) && !goffi_is_mapping(o)) {
        if (!PyErr_Occurred()) {
            goffi_type_error(o, "a dict", where);
        }
        return NULL;
    }
    PyObject *items = PyMapping_Items(o);
    if (items == NULL) {
        return NULL;
    }
    PyObject *t = PySequence_Tuple(items);
    Py_DECREF(items);
    if (t == NULL || goffi_arena_keep(a, t) < 0) {
        return NULL;
    }
    return t;
}

/*
 * Add where, inside a container argument, a conversion failed: "... (at [2])",
 * "... (at ['k'][0])", "... (at key 1)". Converters annotate innermost first, so an
 * outer container inserts its step at the front of the path already there.
 * Only goffi's own TypeError/ValueError/OverflowError are rewritten; any other
 * exception (raised by a user's __index__, say) is left exactly as it was.
 */
static void goffi_annotate(PyObject *step) {
    PyObject *type, *value, *tb;
    if (step == NULL) {
        return;
    }
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value == NULL || !(type == PyExc_TypeError || type == PyExc_ValueError || type == PyExc_OverflowError)) {
        Py_DECREF(step);
        PyErr_Restore(type, value, tb);
        return;
    }
    PyObject *text = PyObject_Str(value);
    PyObject *msg = NULL;
    if (text != NULL) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        PyObject *marker = PyUnicode_FromString(" (at ");
        /* The first marker is goffi's: the message before it is `where` and the problem. */
        Py_ssize_t at = marker != NULL ? PyUnicode_Find(text, marker, 0, n, 1) : -2;
        Py_XDECREF(marker);
        if (at >= 0 && PyUnicode_ReadChar(text, n - 1) == ')') {
            PyObject *head = PyUnicode_Substring(text, 0, at + 5);
            PyObject *tail = PyUnicode_Substring(text, at + 5, n);
            if (head != NULL && tail != NULL) {
                int keyed = PyUnicode_GET_LENGTH(tail) > 0 && PyUnicode_ReadChar(tail, 0) == 'k';
                msg = PyUnicode_FromFormat("%U%U%s%U", head, step, keyed ? " " : "", tail);
            }
            Py_XDECREF(head);
            Py_XDECREF(tail);
        } else if (at == -1) {
            msg = PyUnicode_FromFormat("%U (at %U)", text, step);
        }
    }
    PyObject *annotated = msg != NULL ? PyObject_CallOneArg(type, msg) : NULL;
    if (annotated != NULL) {
        Py_DECREF(value);
        value = annotated;
    }
    PyErr_Clear();  /* a failure here only costs the annotation, never the original error */
    Py_XDECREF(text);
    Py_XDECREF(msg);
    Py_DECREF(step);
    PyErr_Restore(type, value, tb);
}

/* Build the path step with the pending exception set aside: a key's repr may raise,
 * and must not replace the error being annotated. */
#define GOFFI_ANNOTATE_WITH(...)                            \
    do {                                                     \
        PyObject *t_, *v_, *tb_;                             \
        PyErr_Fetch(&t_, &v_, &tb_);                         \
        PyObject *step_ = PyUnicode_FromFormat(__VA_ARGS__); \
        PyErr_Clear();                                       \
        PyErr_Restore(t_, v_, tb_);                          \
        goffi_annotate(step_);                               \
    } while (0)

void goffi_annotate_index(Py_ssize_t i) { GOFFI_ANNOTATE_WITH("[%zd]", i); }

void goffi_annotate_key(PyObject *key) { GOFFI_ANNOTATE_WITH("[%R]", key); }

void goffi_annotate_map_key(PyObject *key) { GOFFI_ANNOTATE_WITH("key %R", key); }

/* ---- handle objects ------------------------------------------------------------ */

/* The class registry: index -> class, and whether its objects should be closed. */
static PyObject **goffi_class_types;
static uint8_t *goffi_class_closes;
static Py_ssize_t goffi_class_count;

PyObject *goffi_object_base(void) { return goffi_GoObject; }

int goffi_classes_init(Py_ssize_t n) {
    goffi_class_types = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof(PyObject *));
    goffi_class_closes = PyMem_Calloc(n > 0 ? (size_t)n : 1, 1);
    if (goffi_class_types == NULL || goffi_class_closes == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    goffi_class_count = n;
    return 0;
}

int goffi_class_set(int32_t cls, PyObject *type, int closes) {
    if (cls < 0 || cls >= goffi_class_count) {
        PyErr_Format(PyExc_SystemError, "goffi: class index %d out of range", (int)cls);
        return -1;
    }
    Py_INCREF(type);
    goffi_class_types[cls] = type;
    goffi_class_closes[cls] = (uint8_t)(closes != 0);
    return 0;
}

static int goffi_is_object(PyObject *o) { return Py_TYPE(o)->tp_dealloc == goffi_object_dealloc; }

/* ---- several bundles in one process ---------------------------------------------- */

/* _bundle._bind(record): the bundle's __init__ hands this library its record in goffi.runtime
 * (a LoadedBundle) right after loading it. From then on Go errors become exceptions through
 * the bundle's own tables, and each of its Go object classes is tagged __goffi_bundle__, so
 * that another bundle handed one of its objects can name both bundles. */
PyObject *goffi_bind_py(PyObject *self, PyObject *record) {
    (void)self;
    PyObject *maker = PyObject_GetAttrString(record, "_go_error");
    PyObject *name = PyObject_GetAttrString(record, "name");
    if (maker == NULL || name == NULL || !PyUnicode_Check(name)) {
        Py_XDECREF(maker);
        Py_XDECREF(name);
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "_bind(record): generated code only");
        }
        return NULL;
    }
    Py_XSETREF(goffi_make_error, maker);
    Py_XSETREF(goffi_bundle_name, name);
    for (Py_ssize_t i = 0; i < goffi_class_count; i++) {
        PyObject *t = goffi_class_types[i];
        if (t != NULL && PyType_IsSubtype((PyTypeObject *)t, (PyTypeObject *)goffi_GoObject) &&
            PyObject_SetAttrString(t, "__goffi_bundle__", name) < 0) {
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

int goffi_refuse_foreign(PyObject *o, PyObject *shown, const char *where) {
    if (goffi_is_object(o) || goffi_GoObject == NULL || !PyObject_TypeCheck(o, (PyTypeObject *)goffi_GoObject)) {
        return 0;
    }
    PyObject *theirs = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__goffi_bundle__");
    if (theirs == NULL) {
        PyErr_Clear();
        theirs = PyUnicode_FromString("another bundle");
        if (theirs == NULL) {
            return -1;
        }
    }
    PyErr_Format(PyExc_TypeError,
                 "%s: this %.200s is a Go object of bundle %R, and the function belongs to bundle %R: each "
                 "bundle runs its own Go runtime, so Go objects cannot pass from one to another. Pass plain "
                 "Python values (numbers, strings, records) instead, or build both Go packages into one bundle.",
                 where, Py_TYPE(shown != NULL ? shown : o)->tp_name, theirs,
                 goffi_bundle_name ? goffi_bundle_name : Py_None);
    Py_DECREF(theirs);
    return -1;
}

int goffi_to_handle(PyObject *o, goffi_handle *out, int32_t expected, int nilable, const char *where) {
    if (o == Py_None) {
        if (!nilable) {
            PyErr_Format(PyExc_TypeError, "%s must not be None", where);
            return -1;
        }
        out->id = 0;
        out->cls = -1;
        return 0;
    }
    if (!goffi_is_object(o)) {
        if (goffi_refuse_foreign(o, NULL, where) < 0) {
            return -1;
        }
        PyErr_Format(PyExc_TypeError, "%s must be a Go object, not %.200s", where, Py_TYPE(o)->tp_name);
        return -1;
    }
    if (expected >= 0 && !PyObject_TypeCheck(o, (PyTypeObject *)goffi_class_types[expected])) {
        PyErr_Format(PyExc_TypeError, "%s must be %.200s, not %.200s", where,
                     ((PyTypeObject *)goffi_class_types[expected])->tp_name, Py_TYPE(o)->tp_name);
        return -1;
    }
    out->id = ((goffi_object *)o)->handle;
    out->cls = ((goffi_object *)o)->cls;
    return 0;
}

PyObject *goffi_handle_object(const goffi_handle *h) {
    if (h->id == 0) {
        Py_RETURN_NONE;
    }
    PyObject *key = PyLong_FromUnsignedLongLong(h->id);
    if (key == NULL) {
        return NULL;
    }
    PyObject *address = PyDict_GetItemWithError(goffi_instances, key);
    if (address != NULL) {
        /* Go handed out this ID again (the same pointer): the same object, one more
         * reference for it to give back when it goes. */
        goffi_object *found = PyLong_AsVoidPtr(address);
        Py_DECREF(key);
        found->refs++;
        return Py_NewRef((PyObject *)found);
    }
    if (PyErr_Occurred()) {
        Py_DECREF(key);
        return NULL;
    }
    if (h->cls < 0 || h->cls >= goffi_class_count || goffi_class_types[h->cls] == NULL) {
        Py_DECREF(key);
        goffi_release(h->id, 1);
        PyErr_Format(PyExc_SystemError, "goffi: Go returned an object of unknown class %d", (int)h->cls);
        return NULL;
    }
    PyTypeObject *type = (PyTypeObject *)goffi_class_types[h->cls];
    goffi_object *obj = (goffi_object *)type->tp_alloc(type, 0);
    PyObject *where = obj ? PyLong_FromVoidPtr(obj) : NULL;
    if (where == NULL || PyDict_SetItem(goffi_instances, key, where) < 0) {
        Py_XDECREF(where);
        Py_DECREF(key);
        if (obj != NULL) {
            obj->handle = 0; /* nothing to release twice */
            Py_DECREF(obj);
        }
        goffi_release(h->id, 1);
        return NULL;
    }
    Py_DECREF(where);
    Py_DECREF(key);
    if (PyDict_GET_SIZE(goffi_instances) > goffi_instances_peak) {
        goffi_instances_peak = PyDict_GET_SIZE(goffi_instances);
    }
    /* The base class (a Python class) makes the type GC-aware, but these objects hold no
     * Python references: keep them out of the collector's lists. */
    PyObject_GC_UnTrack(obj);
    obj->handle = h->id;
    obj->refs = 1;
    obj->cls = h->cls;
    obj->flags = 0;
    return (PyObject *)obj;
}

/* A dict keeps its table when entries are deleted: after a million objects go, the
 * table would stay at its peak size. Once the live entries fall to 1/8 of a peak of at
 * least 4096, they move to a new dict sized for them (amortized O(1) per deletion; the
 * same rule as rt.Handles in Go). */
static void goffi_instances_shrink(void) {
    Py_ssize_t live = PyDict_GET_SIZE(goffi_instances);
    if (goffi_instances_peak < 4096 || live > goffi_instances_peak / 8) {
        return;
    }
    PyObject *smaller = PyDict_Copy(goffi_instances);
    if (smaller == NULL) {
        PyErr_Clear(); /* keep the big one: correct, only larger */
        return;
    }
    Py_SETREF(goffi_instances, smaller);
    goffi_instances_peak = live;
}

void goffi_object_dealloc(PyObject *self) {
    goffi_object *me = (goffi_object *)self;
    PyTypeObject *type = Py_TYPE(self);
    /* Before anything here can run Python code (the ResourceWarning), so the collector
     * never sees an object being deallocated. No-op when already untracked. */
    PyObject_GC_UnTrack(self);
    if (me->handle != 0) {
        PyObject *exc_type, *exc_value, *exc_tb;
        PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
        if (me->cls >= 0 && me->cls < goffi_class_count && goffi_class_closes[me->cls] &&
            !(me->flags & GOFFI_FLAG_CLOSED)) {
            /* Like an unclosed Python file: say so. The Go value is not closed here,
             * because goffi cannot know that closing it from this thread is safe; Go's
             * own finalizers (os.File has one) still run when Go collects it. */
            if (PyErr_WarnFormat(PyExc_ResourceWarning, 1, "unclosed %.200s: call Close() or use it in a with block",
                                 type->tp_name) < 0) {
                /* The warning was made an error (-W error, PYTHONWARNINGS=error): report it
                 * like any exception in a destructor, naming the class, never self. self's
                 * count is 0: the hook would take and drop a reference to it (repr), which
                 * deallocates it again, and again, until the stack overflows. */
                PyErr_WriteUnraisable((PyObject *)type);
            }
        }
        PyObject *key = PyLong_FromUnsignedLongLong(me->handle);
        if (key == NULL || PyDict_DelItem(goffi_instances, key) < 0) {
            PyErr_Clear();
        }
        Py_XDECREF(key);
        goffi_instances_shrink();
        if (!goffi_forked) {
            goffi_release(me->handle, me->refs);
        }
        PyErr_Restore(exc_type, exc_value, exc_tb);
    }
    type->tp_free(self);
    Py_DECREF(type);
}

PyObject *goffi_object_construct(PyTypeObject *type, PyObject *args, PyObject *kwargs,
                                 void (*make)(goffi_handle *, goffi_err *, goffi_arena *)) {
    if (PyTuple_GET_SIZE(args) != 0) {
        PyErr_Format(PyExc_TypeError,
                     "%.200s() takes no positional arguments: it makes Go's zero value; "
                     "set exported fields with keywords",
                     type->tp_name);
        return NULL;
    }
    if (GOFFI_UNLIKELY(goffi_forked)) {
        return goffi_raise_forked(type->tp_name);
    }
    if (kwargs != NULL) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kwargs, &pos, &key, &value)) {
            PyObject *attr = PyObject_GetAttr((PyObject *)type, key);
            int is_field = attr != NULL && Py_IS_TYPE(attr, &PyGetSetDescr_Type);
            Py_XDECREF(attr);
            PyErr_Clear();
            if (!is_field) {
                PyErr_Format(PyExc_TypeError, "%.200s() got an unexpected keyword argument %R: not an exported field",
                             type->tp_name, key);
                return NULL;
            }
        }
    }
    goffi_handle h = {0, -1};
    goffi_err err = {0};
    GOFFI_ARENA(arena);
    Py_BEGIN_ALLOW_THREADS
    make(&h, &err, &arena);
    Py_END_ALLOW_THREADS
    if (err.kind != GOFFI_OK) {
        goffi_raise(&err);
        goffi_arena_free(&arena);
        return NULL;
    }
    goffi_arena_free(&arena);
    PyObject *obj = goffi_handle_object(&h);
    if (obj != NULL && kwargs != NULL) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kwargs, &pos, &key, &value)) {
            if (PyObject_SetAttr(obj, key, value) < 0) {
                Py_DECREF(obj);
                return NULL;
            }
        }
    }
    return obj;
}

PyObject *goffi_object_str(PyObject *self) {
    PyObject *method = PyObject_GetAttrString(self, "String");
    if (method == NULL) {
        PyErr_Clear();
        method = PyObject_GetAttrString(self, "Error");
    }
    if (method == NULL) {
        return NULL;
    }
    PyObject *text = PyObject_CallNoArgs(method);
    Py_DECREF(method);
    return text;
}

Py_ssize_t goffi_object_len(PyObject *self) {
    PyObject *n = PyObject_CallMethod(self, "Len", NULL);
    if (n == NULL) {
        return -1;
    }
    Py_ssize_t len = PyLong_AsSsize_t(n);
    Py_DECREF(n);
    if (len < 0 && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "Go's Len() returned a negative length");
    }
    return len;
}

PyObject *goffi_object_enter(PyObject *self, PyObject *unused) {
    (void)unused;
    return Py_NewRef(self);
}

PyObject *goffi_object_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)args;
    (void)nargs;
    PyObject *r = PyObject_CallMethod(self, "Close", NULL);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_FALSE; /* never swallow the with block's exception */
}

PyObject *goffi_live_handles_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    if (GOFFI_UNLIKELY(goffi_forked)) {
        return goffi_raise_forked("goffi.live_handles");
    }
    return PyLong_FromLongLong(goffi_live_handles());
}

PyObject *goffi_object_no_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    (void)args;
    (void)kwargs;
    PyErr_Format(PyExc_TypeError,
                 "cannot create %.200s objects: they are Go interface values, which come from Go functions",
                 type->tp_name);
    return NULL;
}

int goffi_class_register(int32_t cls, PyObject *type, int closes, const char *go_type) {
    PyObject *name = PyUnicode_FromString(go_type);
    if (name == NULL) {
        return -1;
    }
    int failed = PyObject_SetAttrString(type, "__go_type__", name);
    Py_DECREF(name);
    return failed ? -1 : goffi_class_set(cls, type, closes);
}

void goffi_annotate_attr(const char *name) { GOFFI_ANNOTATE_WITH(".%s", name); }

/* ---- records ------------------------------------------------------------------- */

PyObject *goffi_record_class(int32_t cls, const char *module) {
    if (cls < 0 || cls >= goffi_class_count) {
        PyErr_Format(PyExc_SystemError, "goffi: record class index %d out of range", (int)cls);
        return NULL;
    }
    if (goffi_class_types[cls] == NULL) {
        /* Record classes are defined by their Python module, which registers them on
         * import; a record can come back from another package's function first. */
        PyObject *m = PyImport_ImportModule(module);
        if (m == NULL) {
            return NULL;
        }
        Py_DECREF(m);
        if (goffi_class_types[cls] == NULL) {
            PyErr_Format(PyExc_SystemError, "goffi: module %s did not register record class %d", module, (int)cls);
            return NULL;
        }
    }
    return goffi_class_types[cls];
}

PyObject *goffi_register_class_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 2 || !PyLong_Check(args[0]) || !PyType_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "_register_class(index, cls): generated code only");
        return NULL;
    }
    long cls = PyLong_AsLong(args[0]);
    if (cls == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (goffi_class_set((int32_t)cls, args[1], 0) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

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

PyObject *goffi_class_type(int32_t cls) {
    return cls >= 0 && cls < goffi_class_count ? goffi_class_types[cls] : NULL;
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
static int goffi_is_error_class(PyObject *o) {
    return PyType_Check(o) && PyType_IsSubtype((PyTypeObject *)o, (PyTypeObject *)goffi_GoError);
}

int goffi_in_error(PyObject *o, goffi_err *out, goffi_arena *a, const char *where) {
    (void)a;
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
