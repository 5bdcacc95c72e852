/*
 * goffi_py.h: the Python half of goffi's C runtime, used by the generated glue.
 *
 * All of these run with the GIL held. Converters return 0 on success and -1 with a
 * Python exception set; `where` names the Go function, the parameter and its Go type,
 * so every error message says exactly which argument was wrong.
 */
#ifndef GOFFI_PY_H
#define GOFFI_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "goffi.h"
#include "goffi_exports.h" /* the Go exports the runtime calls */

#if defined(__GNUC__)
#define GOFFI_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* Generated converters come in pairs (in, out); a bundle often uses only one of them. */
#define GOFFI_MAYBE_UNUSED __attribute__((unused))
#else
#define GOFFI_UNLIKELY(x) (x)
#define GOFFI_MAYBE_UNUSED
#endif

/* Declare an arena whose first block lives on the C stack. */
#define GOFFI_ARENA_STACK 512
#define GOFFI_ARENA(name)                                                   \
    _Alignas(16) char name##_stack[GOFFI_ARENA_STACK];                      \
    goffi_arena name = {name##_stack, name##_stack + GOFFI_ARENA_STACK, NULL, NULL, NULL, NULL}

/* The innermost Python->Go call running on this thread (its arena), or NULL: where an
 * exception of a callback Go runs on this thread goes. Generated calls push and pop it.
 * initial-exec: one %fs-relative load instead of a __tls_get_addr call per access. The
 * library needs static TLS anyway (Go's c-shared runtime uses this model for its own
 * thread-local g), so this adds 8 bytes to a block the loader reserves already. */
#if defined(__GNUC__)
#define GOFFI_TLS __thread __attribute__((tls_model("initial-exec")))
#else
#define GOFFI_TLS __thread
#endif
extern GOFFI_TLS goffi_arena *goffi_current_call;
#define GOFFI_CALL_ENTER(a) ((a)->outer = goffi_current_call, goffi_current_call = (a))
#define GOFFI_CALL_LEAVE(a) (goffi_current_call = (goffi_arena *)(a)->outer)

void *goffi_arena_alloc(goffi_arena *a, size_t n);
/* A copy of p[0..n) in the arena (NULL with MemoryError set when out of memory). */
void *goffi_arena_copy(goffi_arena *a, const void *p, size_t n);
/* Release buffers and references the call held, and an unraised callback exception,
 * then free the arena's blocks. */
void goffi_arena_release(goffi_arena *a);
/* The same, inline for the common call: one that used only the stack block and kept
 * nothing alive has nothing to free. */
static inline void goffi_arena_free(goffi_arena *a) {
    if (GOFFI_UNLIKELY(a->blocks != NULL || a->cleanups != NULL || a->pending != NULL)) {
        goffi_arena_release(a);
    }
}
/* A callable registered for this call (its entry and ID): detach it from the call when the
 * arena is freed. */
int goffi_arena_detach(goffi_arena *a, PyObject *entry, uint64_t id);
/* A conversion failed before the Go call: release every callable (funcs, proxies' methods,
 * at any depth of any argument) registered for this call, since Go never got them. */
void goffi_arena_abandon(goffi_arena *a);
/* Set by the bridge: releases a callable by ID (goffi_callable_release). */
extern void (*goffi_callable_release_hook)(uint64_t id);
/* Raise the exception a callback of this call left pending; 1 if there was one. */
int goffi_raise_pending(goffi_arena *a);
/* Keep `o` (a new reference, stolen) alive until the arena is freed. */
int goffi_arena_keep(goffi_arena *a, PyObject *o);

/* Set by a pthread_atfork child handler: Go cannot run in a forked child. */
extern int goffi_forked;
PyObject *goffi_raise_forked(const char *func);

/* Module set-up: fetch goffi's exception classes, install the fork guard. */
int goffi_runtime_init(void);

/* Arity check (and the fork guard). max < 0 means variadic (no upper bound). */
int goffi_check_nargs(const char *func, Py_ssize_t nargs, Py_ssize_t min, Py_ssize_t max);

/* Keyword arguments (goffi_values.c), for a METH_FASTCALL|METH_KEYWORDS function whose
 * positional slots first..nslots are named names[0..nslots-first): merges args[0..n) and
 * the (at least one) keywords in kwnames into buf (nslots entries) and returns nslots, or
 * -1 with a TypeError, worded as Python's own, for an unknown, duplicate or missing
 * argument. Slots from nrequired on may be left out (FuncPlan.nil_default): NULL in buf.
 * Out of line, so a call without keywords keeps args and nargs in registers. */
Py_ssize_t goffi_kwargs(const char *func, PyObject *const *args, Py_ssize_t n, PyObject *kwnames,
                        const char *const *names, Py_ssize_t first, Py_ssize_t nslots, Py_ssize_t nrequired,
                        PyObject **buf);

/* Raise the Python exception for a Go error or panic reported in *err. Always returns NULL. */
PyObject *goffi_raise(const goffi_err *err);

/* Base scalar conversions. Integer ranges are checked: out of range raises
 * OverflowError, never wraps. */
int goffi_to_bool(PyObject *o, uint8_t *out, const char *where);
int goffi_to_int(PyObject *o, int64_t *out, int64_t min, int64_t max, const char *where);
int goffi_to_uint(PyObject *o, uint64_t *out, uint64_t max, const char *where);
int goffi_to_f64(PyObject *o, double *out, const char *where);
int goffi_to_f32(PyObject *o, float *out, const char *where);
int goffi_to_complex(PyObject *o, goffi_complex *out, int bits, const char *where);
/* Any buffer -> a view for the call (zero-copy for a writable buffer, so Go's writes land in
 * it; a copy of a read-only one such as bytes); None -> nil. exact_len >= 0 ([N]byte)
 * demands that length, refuses None and never copies (Go copies the N bytes itself). */
int goffi_to_bytes(PyObject *o, goffi_str *out, goffi_arena *a, int64_t exact_len, const char *where);
/* str -> its UTF-8 bytes without copying (lone surrogates from surrogateescape become raw bytes). */
int goffi_in_str(PyObject *o, goffi_str *out, goffi_arena *a, const char *where);

PyObject *goffi_out_str(const goffi_str *s);
PyObject *goffi_out_bytes(const goffi_str *s);
PyObject *goffi_out_complex(const goffi_complex *c);

/*
 * Containers in: `o` as a tuple the arena keeps alive (so element pointers stay valid
 * while the GIL is released), or NULL with an exception. str/bytes/dict are refused:
 * a string is not a list of its characters. None gives *is_nil = 1 (Go's nil).
 */
PyObject *goffi_in_sequence(PyObject *o, goffi_arena *a, int64_t exact_len, int *is_nil, const char *where);
/* A mapping as a tuple of (key, value) pairs kept alive by the arena. */
PyObject *goffi_in_mapping(PyObject *o, goffi_arena *a, int *is_nil, const char *where);
/* Say where in a container argument the exception being raised happened: " (at [i])"
 * for a sequence element, " (at [k])" for a mapping's value, " (at key k)" for the key
 * itself; nested containers extend the path, " (at ['k'][2])". */
void goffi_annotate_index(Py_ssize_t i);
void goffi_annotate_key(PyObject *key);
void goffi_annotate_map_key(PyObject *key);
/* Name the record field that failed: "(at .X)". */
void goffi_annotate_attr(const char *name);

/*
 * Uniform converters, one pair per C shape (the `cid` of goffi's type table):
 *   int goffi_in_<cid>(PyObject *o, <c type> *out, goffi_arena *a, const char *where);
 *   PyObject *goffi_out_<cid>(const <c type> *v);
 * Generated code composes these for slices, arrays and maps without special cases.
 */
static inline int goffi_in_bool(PyObject *o, uint8_t *out, goffi_arena *a, const char *where) {
    (void)a;
    return goffi_to_bool(o, out, where);
}
static inline PyObject *goffi_out_bool(const uint8_t *v) { return PyBool_FromLong(*v); }
/*
 * Integers take an inline fast path for the ints most calls pass: an exact int that
 * CPython stores in one digit (|v| < 2**30) is read straight from the object, with no
 * call. Anything else (bigger ints, bools to refuse, __index__ objects, out-of-range
 * values to report) goes through goffi_to_int / goffi_to_uint, which check everything.
 */
#if PY_VERSION_HEX < 0x030B0000
#include <longintrepr.h> /* 3.9, 3.10: Python.h leaves the int layout out */
#endif
static inline int goffi_small_int(PyObject *o, int64_t *v) {
    if (!PyLong_CheckExact(o)) {
        return 0;
    }
#if PY_VERSION_HEX >= 0x030C0000
    if (!PyUnstable_Long_IsCompact((PyLongObject *)o)) {
        return 0;
    }
    *v = (int64_t)PyUnstable_Long_CompactValue((PyLongObject *)o);
#else
    /* Up to 3.11 the sign of ob_size is the int's sign and |ob_size| its digit count. */
    Py_ssize_t size = Py_SIZE(o);
    if (size < -1 || size > 1) {
        return 0;
    }
    *v = (int64_t)size * (int64_t)((PyLongObject *)o)->ob_digit[0];
#endif
    return 1;
}
static inline int goffi_int_in(PyObject *o, int64_t *v, int64_t min, int64_t max, const char *where) {
    if (goffi_small_int(o, v) && *v >= min && *v <= max) {
        return 0;
    }
    return goffi_to_int(o, v, min, max, where);
}
static inline int goffi_uint_in(PyObject *o, uint64_t *v, uint64_t max, const char *where) {
    int64_t s;
    if (goffi_small_int(o, &s) && s >= 0 && (uint64_t)s <= max) {
        *v = (uint64_t)s;
        return 0;
    }
    return goffi_to_uint(o, v, max, where);
}
static inline int goffi_in_i8(PyObject *o, int8_t *out, goffi_arena *a, const char *where) {
    int64_t v;
    (void)a;
    if (goffi_int_in(o, &v, INT8_MIN, INT8_MAX, where) < 0) return -1;
    *out = (int8_t)v;
    return 0;
}
static inline PyObject *goffi_out_i8(const int8_t *v) { return PyLong_FromLongLong(*v); }
static inline int goffi_in_i16(PyObject *o, int16_t *out, goffi_arena *a, const char *where) {
    int64_t v;
    (void)a;
    if (goffi_int_in(o, &v, INT16_MIN, INT16_MAX, where) < 0) return -1;
    *out = (int16_t)v;
    return 0;
}
static inline PyObject *goffi_out_i16(const int16_t *v) { return PyLong_FromLongLong(*v); }
static inline int goffi_in_i32(PyObject *o, int32_t *out, goffi_arena *a, const char *where) {
    int64_t v;
    (void)a;
    if (goffi_int_in(o, &v, INT32_MIN, INT32_MAX, where) < 0) return -1;
    *out = (int32_t)v;
    return 0;
}
static inline PyObject *goffi_out_i32(const int32_t *v) { return PyLong_FromLongLong(*v); }
static inline int goffi_in_i64(PyObject *o, int64_t *out, goffi_arena *a, const char *where) {
    int64_t v;
    (void)a;
    if (goffi_int_in(o, &v, INT64_MIN, INT64_MAX, where) < 0) return -1;
    *out = (int64_t)v;
    return 0;
}
static inline PyObject *goffi_out_i64(const int64_t *v) { return PyLong_FromLongLong(*v); }
static inline int goffi_in_u8(PyObject *o, uint8_t *out, goffi_arena *a, const char *where) {
    uint64_t v;
    (void)a;
    if (goffi_uint_in(o, &v, UINT8_MAX, where) < 0) return -1;
    *out = (uint8_t)v;
    return 0;
}
static inline PyObject *goffi_out_u8(const uint8_t *v) { return PyLong_FromUnsignedLongLong(*v); }
static inline int goffi_in_u16(PyObject *o, uint16_t *out, goffi_arena *a, const char *where) {
    uint64_t v;
    (void)a;
    if (goffi_uint_in(o, &v, UINT16_MAX, where) < 0) return -1;
    *out = (uint16_t)v;
    return 0;
}
static inline PyObject *goffi_out_u16(const uint16_t *v) { return PyLong_FromUnsignedLongLong(*v); }
static inline int goffi_in_u32(PyObject *o, uint32_t *out, goffi_arena *a, const char *where) {
    uint64_t v;
    (void)a;
    if (goffi_uint_in(o, &v, UINT32_MAX, where) < 0) return -1;
    *out = (uint32_t)v;
    return 0;
}
static inline PyObject *goffi_out_u32(const uint32_t *v) { return PyLong_FromUnsignedLongLong(*v); }
static inline int goffi_in_u64(PyObject *o, uint64_t *out, goffi_arena *a, const char *where) {
    uint64_t v;
    (void)a;
    if (goffi_uint_in(o, &v, UINT64_MAX, where) < 0) return -1;
    *out = (uint64_t)v;
    return 0;
}
static inline PyObject *goffi_out_u64(const uint64_t *v) { return PyLong_FromUnsignedLongLong(*v); }
/* Go's rune and byte (goffi_values.c): an int, or a one-character str (for a byte, below
 * U+0100); they come back as ints. */
int goffi_in_rune(PyObject *o, int32_t *out, goffi_arena *a, const char *where);
static inline PyObject *goffi_out_rune(const int32_t *v) { return PyLong_FromLongLong(*v); }
int goffi_in_byte(PyObject *o, uint8_t *out, goffi_arena *a, const char *where);
static inline PyObject *goffi_out_byte(const uint8_t *v) { return PyLong_FromUnsignedLongLong(*v); }
static inline int goffi_in_f64(PyObject *o, double *out, goffi_arena *a, const char *where) {
    (void)a;
    if (PyFloat_CheckExact(o)) { /* inline; anything else through goffi_to_f64's checks */
        *out = PyFloat_AS_DOUBLE(o);
        return 0;
    }
    return goffi_to_f64(o, out, where);
}
static inline PyObject *goffi_out_f64(const double *v) { return PyFloat_FromDouble(*v); }
static inline int goffi_in_f32(PyObject *o, float *out, goffi_arena *a, const char *where) {
    (void)a;
    return goffi_to_f32(o, out, where);
}
static inline PyObject *goffi_out_f32(const float *v) { return PyFloat_FromDouble((double)*v); }
static inline int goffi_in_c128(PyObject *o, goffi_complex *out, goffi_arena *a, const char *where) {
    (void)a;
    return goffi_to_complex(o, out, 128, where);
}
static inline int goffi_in_c64(PyObject *o, goffi_complex *out, goffi_arena *a, const char *where) {
    (void)a;
    return goffi_to_complex(o, out, 64, where);
}
static inline PyObject *goffi_out_c128(const goffi_complex *v) { return goffi_out_complex(v); }
static inline PyObject *goffi_out_c64(const goffi_complex *v) { return goffi_out_complex(v); }
/* Write-back checks (goffi_back_ in the glue): whether an exact int equals a value, and
 * whether a str has exactly these UTF-8 bytes; 0 when unsure (the caller then compares
 * the objects). Never leave an exception set. */
static inline int goffi_float_is(PyObject *o, const double *v) {
    /* Bit for bit, so -0.0 and NaN payloads count as changes. PyFloat_AS_DOUBLE is no
     * lvalue from Python 3.12 on (an inline function), hence the copy. */
    double x = PyFloat_AS_DOUBLE(o);
    return memcmp(&x, v, sizeof x) == 0;
}
static inline int goffi_long_is(PyObject *o, long long v) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (x == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return !overflow && x == v;
}
static inline int goffi_ulong_is(PyObject *o, unsigned long long v) {
    int overflow = 0;
    long long x = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (x == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    return !overflow && x >= 0 && (unsigned long long)x == v;
}
static inline int goffi_str_is(PyObject *o, const goffi_str *s) {
    if (!PyUnicode_CheckExact(o)) {
        return 0;
    }
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(o, &n);
    if (u == NULL) {
        PyErr_Clear(); /* lone surrogates: compared as objects */
        return 0;
    }
    return (int64_t)n == s->n && (n == 0 || u == s->p || memcmp(u, s->p, (size_t)n) == 0);
}
static inline int goffi_in_bytes(PyObject *o, goffi_str *out, goffi_arena *a, const char *where) {
    return goffi_to_bytes(o, out, a, -1, where);
}
/* A []byte Go does not write into (goffi.mutation): a read-only buffer is lent as is,
 * held (its Py_buffer, or the argument's reference) until the call's arena is freed. */
static inline int goffi_in_bytes_ro(PyObject *o, goffi_str *out, goffi_arena *a, const char *where) {
    return goffi_to_bytes(o, out, a, -2, where);
}

/* `any`: a Python value by its type; Go values by their dynamic type (see goffi.h). */
int goffi_in_any(PyObject *o, goffi_any *out, goffi_arena *a, const char *where);
PyObject *goffi_out_any(const goffi_any *v);
/* After a call that decoded into an any argument: Go's value into the Python object (goffi_decode.c). */
int goffi_decode_back(PyObject *target, const goffi_any *d);
/* Make dict d's contents equal to dict now's, in place (goffi_decode.c). */
int goffi_dict_become(PyObject *d, PyObject *now);
/* Records as any, by class (generated in every bundle's glue): 1 if o is a record and was
 * converted, 0 if it is no record, -1 on error. */
int goffi_any_record_in(PyObject *o, goffi_any *out, goffi_arena *a, const char *where);
PyObject *goffi_any_record_out(const goffi_any *v);
/* The registry's class at an index, or NULL (borrowed). */
PyObject *goffi_class_type(int32_t cls);

/* time.Duration <-> datetime.timedelta (nanoseconds; sub-microsecond parts truncate). */
int goffi_in_dur(PyObject *o, int64_t *out, goffi_arena *a, const char *where);
PyObject *goffi_out_dur(const int64_t *v);
/* time.Time <-> an aware datetime.datetime (goffi.runtime.GoTime when nanoseconds matter). */
int goffi_in_time(PyObject *o, goffi_time *out, goffi_arena *a, const char *where);
PyObject *goffi_out_time(const goffi_time *v);

/* A Go error value: the exception Python sees (None for nil), made by goffi.runtime. */
PyObject *goffi_error_object(const goffi_err *err);
/* An error parameter: None (nil), or an exception holding a Go error (its go_value). */
int goffi_in_error(PyObject *o, goffi_err *out, goffi_arena *a, const char *where);
PyObject *goffi_out_error(const goffi_err *v);
static inline int goffi_in_err(PyObject *o, goffi_err *out, goffi_arena *a, const char *where) {
    return goffi_in_error(o, out, a, where);
}
static inline PyObject *goffi_out_err(const goffi_err *v) { return goffi_out_error(v); }

/* ---- handle objects ------------------------------------------------------------ */

/* Every object of a handle class: a reference to one Go value in the handle table. */
typedef struct {
    PyObject_HEAD
    uint64_t handle; /* the ID, released when the object is collected */
    int64_t refs;    /* how many times Go handed this ID out: all given back at once */
    int32_t cls;     /* its class index */
    int32_t flags;
} goffi_object;
#define GOFFI_FLAG_CLOSED 1 /* Close() was called: no ResourceWarning */

PyObject *goffi_object_base(void);
int goffi_classes_init(Py_ssize_t n);
int goffi_class_set(int32_t cls, PyObject *type, int closes);
/* A Python object -> its handle. expected < 0 accepts any Go object (an interface
 * parameter: Go checks the method set); nilable accepts None as nil. */
int goffi_to_handle(PyObject *o, goffi_handle *out, int32_t expected, int nilable, const char *where);
/* A handle from Go -> its object: the live one for that ID, or a new one (None for nil). */
PyObject *goffi_handle_object(const goffi_handle *h);
void goffi_object_dealloc(PyObject *self);
PyObject *goffi_object_construct(PyTypeObject *type, PyObject *args, PyObject *kwargs,
                                 void (*make)(goffi_handle *, goffi_err *, goffi_arena *));
PyObject *goffi_object_str(PyObject *self);
Py_ssize_t goffi_object_len(PyObject *self);
PyObject *goffi_object_enter(PyObject *self, PyObject *unused);
PyObject *goffi_object_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *goffi_live_handles_py(PyObject *self, PyObject *unused);
/* goffi_sentinel.c: _sentinel_error(index), the exception of a sentinel error's Go value. */
PyObject *goffi_sentinel_error_py(PyObject *self, PyObject *arg);
/* goffi_locker.c: with on an object with Lock() and Unlock() (sync.Mutex): Lock, then Unlock. */
PyObject *goffi_locker_enter(PyObject *self, PyObject *unused);
PyObject *goffi_locker_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
/* tp_new of interface classes: their objects only come from Go. */
PyObject *goffi_object_no_new(PyTypeObject *type, PyObject *args, PyObject *kwargs);
/* A record's Python class (borrowed), importing its module the first time. */
PyObject *goffi_record_class(int32_t cls, const char *module);
/* _bundle._register_class(index, cls): a module registers its record classes. */
PyObject *goffi_register_class_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
/* _bundle._bind(record): the bundle's record in goffi.runtime (its errors, its name). */
PyObject *goffi_bind_py(PyObject *self, PyObject *record);
/* -1 with a TypeError naming both bundles if o is a Go object of another bundle, else 0.
 * The message names the type of shown (what the caller passed), or of o if it is NULL. */
int goffi_refuse_foreign(PyObject *o, PyObject *shown, const char *where);
/* Record a class in the registry and give it __go_type__. */
int goffi_class_register(int32_t cls, PyObject *type, int closes, const char *go_type);

/* ---- the goroutine bridge (goffi_bridge.c: only in bundles that need it) ---------- */

/* Take the GIL from any thread (a thread Python never saw keeps its thread state). */
PyGILState_STATE goffi_cb_enter(void);
void goffi_cb_leave(PyGILState_STATE state);
/* 0 once Python is shutting down (or in a forked child): callbacks do nothing. */
int goffi_cb_available(void);
/* A func argument: a Python callable (registered for this call), a Go func, or None. */
int goffi_in_callable(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where);
/* A later argument failed to convert: release the callable h registered (not a Go func). */
void goffi_callable_abandon(const goffi_handle *h);
/* A Python object where Go expects interface `iface` (its methods' Go names, space-
 * separated): registered as a proxy (GOFFI_CLS_PROXY), or TypeError naming what it lacks. */
int goffi_in_proxy(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where, const char *iface,
                   const char *names);
/* Set by the bridge: a Python object with a String or Error method passed as Go any
 * becomes a proxy (0), or 1 when it has neither; -1 with an exception. */
extern int (*goffi_any_proxy)(PyObject *o, goffi_any *out, goffi_arena *a, const char *where);
goffi_cbr_text goffi_cb_proxy_text(uint64_t id, goffi_arena *arena);
/* Set by the bridge: a proxied Python object Go returned inside an any is itself again. */
extern PyObject *(*goffi_any_proxy_out)(const goffi_handle *h);
/* A Go interface value to Python: a proxied Python object is itself again. */
PyObject *goffi_out_proxy(const goffi_handle *h);
/* A writable memoryview of Go's bytes for one callback (a proxied method's []byte), and
 * its release once the callback returned. */
PyObject *goffi_cb_lend(const goffi_str *b);
void goffi_cb_unlend(PyObject *view);
/* For a proxied method returning an error, the pending exception that maps to a Go
 * error: GOFFI_CB_EOF (EOFError), GOFFI_CB_GOERR (*err: an exception Go raised), else -1
 * with the exception still pending. */
int goffi_cb_map_error(goffi_err *err, goffi_arena *a);
/* goffi_callback_call for a proxied method returning an error: an exception that maps to
 * a Go error (goffi_cb_map_error) is that error, not the call's exception. */
int goffi_proxy_call(uint64_t id, PyObject *const *args, Py_ssize_t nargs, PyObject **result, goffi_err *err,
                     goffi_arena *a);
/* Call the callable with that ID: GOFFI_CB_OK with *result, or how it failed. */
int goffi_callback_call(uint64_t id, PyObject *const *args, Py_ssize_t nargs, PyObject **result);
/* The current exception of a callback: hand it to its Go call, or report it. */
int goffi_callback_raised(PyObject *entry);
/* The current exception arose converting for callable `id`: treat it as the callable's. */
int goffi_callback_fail(uint64_t id);
/* Free a callback's arena (the GIL is taken only when Python references need it). */
void goffi_cb_finish(goffi_arena *a);
/* Copy a converted string result into the arena, so that it no longer points into the
 * Python result object (which the trampoline can then drop itself). */
int goffi_cb_own_str(goffi_str *s, goffi_arena *a);
/* A callback's arena in C memory (GOFFI_CB_ARENA_SIZE), pooled by Go, and its freeing. */
goffi_arena *goffi_cb_arena_new(void);
void goffi_cb_arena_drop(goffi_arena *a);
int goffi_bridge_init(void);
PyObject *goffi_out_channel(const goffi_handle *h, const char *dir, const char *elem);
int goffi_in_channel(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where);
/* _chan_reader(handle): a Channel's receiving half, iterated in C (goffi.ChannelIterator). */
PyObject *goffi_chan_reader_py(PyObject *self, PyObject *h);
PyObject *goffi_chan_send_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *goffi_chan_try_send_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *goffi_chan_close_py(PyObject *self, PyObject *h);
PyObject *goffi_chan_len_py(PyObject *self, PyObject *h);
PyObject *goffi_chan_select_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs);
PyObject *goffi_shutdown_py(PyObject *self, PyObject *unused);
PyObject *goffi_collect_go_py(PyObject *self, PyObject *unused);
PyObject *goffi_live_callables_py(PyObject *self, PyObject *unused);

/* A list changed size while its items converted (Python code an item ran): -1, raised. */
int goffi_list_changed(const char *where);

/* ---- zero-copy slices (goffi_view.c) ------------------------------------------------ */

/* A Py_buffer the arena releases when it is freed (after the call). */
Py_buffer *goffi_arena_buffer(goffi_arena *a);
/* If o is a 1-D C-contiguous buffer of `format` items (itemsize bytes each), point
 * *out at them and return 1 (exported until the arena is freed); 0 if it is not (no
 * exception set: the caller tries the sequence path); -1 on error. go_writes: Go views
 * the items and may write, so a read-only buffer is copied into the arena. */
int goffi_in_buffer(PyObject *o, goffi_view *out, goffi_arena *a, char format, Py_ssize_t itemsize, int go_writes);
/* A memoryview of the Go array Go lent (v->loan), returning the loan when released. */
PyObject *goffi_out_view(const goffi_view *v, const char *format, Py_ssize_t itemsize);

/* Free an arena's malloc'd blocks only (no Python references: no GIL needed). */
void goffi_arena_free_blocks(goffi_arena *a);

/* The process-wide SIGURG chain (goffi_sigurg.c): join it, first thing in PyInit while
 * this runtime's handler is the one in place; and its state, as the bundle's _sigurg(). */
int goffi_sigurg_init(void);
PyObject *goffi_sigurg_state_py(PyObject *self, PyObject *unused);

#endif
