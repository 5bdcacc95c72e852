/*
 * goffi_rt.c: the C runtime every goffi bundle links. It converts between Python
 * objects and the C ABI of goffi.h, manages the per-call arena, and turns Go errors
 * and panics into Python exceptions. Generated glue calls these; nothing here is
 * specific to one bundle.
 */
#include "goffi_py.h"

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

int goffi_arena_keep(goffi_arena *a, PyObject *o) {
    goffi_cleanup *c = goffi_new_cleanup(a);
    if (c == NULL) {
        Py_DECREF(o);
        return -1;
    }
    c->obj = o;
    return 0;
}

void goffi_arena_free(goffi_arena *a) {
    for (goffi_cleanup *c = (goffi_cleanup *)a->cleanups; c != NULL; c = c->next) {
        if (c->view.obj != NULL) {
            PyBuffer_Release(&c->view);
        } else {
            Py_XDECREF(c->obj);
        }
    }
    a->cleanups = NULL;
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
static PyObject *goffi_GoPanic;
int goffi_forked = 0;

static void goffi_after_fork_child(void) { goffi_forked = 1; }

int goffi_runtime_init(void) {
    if (goffi_GoError != NULL) {
        return 0;
    }
    PyObject *rt = PyImport_ImportModule("goffi.runtime");
    if (rt == NULL) {
        return -1;
    }
    goffi_GoError = PyObject_GetAttrString(rt, "GoError");
    goffi_GoPanic = PyObject_GetAttrString(rt, "GoPanic");
    Py_DECREF(rt);
    if (goffi_GoError == NULL || goffi_GoPanic == NULL) {
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
        } else {
            exc = PyObject_CallFunctionObjArgs(goffi_GoError, message, go_type, NULL);
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

int goffi_to_bytes(PyObject *o, goffi_str *out, goffi_arena *a, int64_t exact_len, const char *where) {
    int readonly = 0;
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
    if (readonly && out->n > 0) {
        /* Go may write into any []byte it is given (io.ReadFull, hex.Encode's dst), and
         * bytes objects are immutable, cached and shared (b"a" is a singleton): a write
         * there would corrupt every holder. So read-only buffers cross as a copy; pass a
         * bytearray or writable memoryview to share memory with Go, writes included. */
        char *copy = goffi_arena_alloc(a, (size_t)out->n);
        if (copy == NULL) {
            return -1;
        }
        memcpy(copy, out->p, (size_t)out->n);
        out->p = copy;
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

PyObject *goffi_in_mapping(PyObject *o, goffi_arena *a, int *is_nil, const char *where) {
    *is_nil = 0;
    if (o == Py_None) {
        *is_nil = 1;
        return Py_None;
    }
    if (!PyMapping_Check(o) || PySequence_Check(o)) {
        goffi_type_error(o, "a dict", where);
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
