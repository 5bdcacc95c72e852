/*
 * floor.c: the "floor" baseline of goffi's benchmark suite, a minimal hand-written
 * CPython module calling the plain C-ABI exports of cabi.go.
 *
 * Each function does the least a correct binding can: METH_FASTCALL, a fixed arity,
 * the cheapest conversions, no range checks beyond CPython's own, no arena, no panic
 * recovery. "_gil" variants hold the GIL across the Go call, the others release it
 * (as goffi does by default). floor.Counter is the handle floor: a C type holding a
 * cgo.Handle to a Go *Counter, with a METH_FASTCALL Inc. The callback floors are C
 * trampolines Go calls per invocation (call_n, call_n_parallel, call_n_fresh; see
 * "the callback floors" below). The module lives in the same shared library as goffi's
 * bundle (one Go runtime per process); Python gets it once through
 * ctypes.PyDLL(...).gobench_floor_module, after which calls involve no ctypes at all.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>

#include "_cgo_export.h"

#define FLOOR_STACK 512 /* the size of goffi's on-stack arena block, for the same copies */

static int floor_nargs(Py_ssize_t nargs, Py_ssize_t want) {
    if (nargs != want) {
        PyErr_Format(PyExc_TypeError, "expected %zd arguments, got %zd", want, nargs);
        return -1;
    }
    return 0;
}

static PyObject *floor_add(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (floor_nargs(nargs, 2) < 0) return NULL;
    long long a = PyLong_AsLongLong(args[0]);
    if (a == -1 && PyErr_Occurred()) return NULL;
    long long b = PyLong_AsLongLong(args[1]);
    if (b == -1 && PyErr_Occurred()) return NULL;
    int64_t r;
    Py_BEGIN_ALLOW_THREADS
    r = gobench_Add(a, b);
    Py_END_ALLOW_THREADS
    return PyLong_FromLongLong(r);
}

static PyObject *floor_add_gil(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (floor_nargs(nargs, 2) < 0) return NULL;
    long long a = PyLong_AsLongLong(args[0]);
    if (a == -1 && PyErr_Occurred()) return NULL;
    long long b = PyLong_AsLongLong(args[1]);
    if (b == -1 && PyErr_Occurred()) return NULL;
    return PyLong_FromLongLong(gobench_Add(a, b));
}

static PyObject *floor_noop(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    (void)args;
    if (floor_nargs(nargs, 0) < 0) return NULL;
    Py_BEGIN_ALLOW_THREADS
    gobench_Noop();
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *floor_noop_gil(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    (void)args;
    if (floor_nargs(nargs, 0) < 0) return NULL;
    gobench_Noop();
    Py_RETURN_NONE;
}

/* str -> UTF-8 view -> Go (copies into a Go string) -> result copied into C memory
 * (on the stack when it fits, as goffi's arena does) -> str, surrogateescape'd. */
static PyObject *floor_upper(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (floor_nargs(nargs, 1) < 0) return NULL;
    Py_ssize_t n;
    const char *p = PyUnicode_AsUTF8AndSize(args[0], &n);
    if (p == NULL) return NULL;
    char buf[FLOOR_STACK];
    char *out;
    int64_t len;
    Py_BEGIN_ALLOW_THREADS
    len = gobench_Upper((char *)p, n, buf, FLOOR_STACK, &out);
    Py_END_ALLOW_THREADS
    PyObject *r = PyUnicode_DecodeUTF8(out, (Py_ssize_t)len, "surrogateescape");
    if (out != buf) free(out);
    return r;
}

/* Any buffer, viewed in place for the call (no copy), summed by Go. */
static PyObject *floor_sum_bytes(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (floor_nargs(nargs, 1) < 0) return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0) return NULL;
    uint64_t r;
    Py_BEGIN_ALLOW_THREADS
    r = gobench_SumBytes((char *)view.buf, view.len);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyLong_FromUnsignedLongLong(r);
}

static PyObject *floor_scale_floats(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (floor_nargs(nargs, 2) < 0) return NULL;
    double k = PyFloat_AsDouble(args[1]);
    if (k == -1.0 && PyErr_Occurred()) return NULL;
    Py_buffer view;
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0) return NULL;
    double last;
    Py_BEGIN_ALLOW_THREADS
    last = gobench_ScaleFloats((double *)view.buf, view.len / (Py_ssize_t)sizeof(double), k);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&view);
    return PyFloat_FromDouble(last);
}

/* ---- the handle floor: floor.Counter ------------------------------------------
 * The least a handle object can be: a Python object holding a cgo.Handle to a Go
 * *Counter (cabi.go). Each method call resolves the handle once in Go, as any binding
 * of a Go pointer must; deleting the object deletes the handle. */

typedef struct {
    PyObject_HEAD
    uintptr_t handle;
} floor_counter;

static PyObject *floor_counter_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    (void)args;
    (void)kwargs;
    floor_counter *self = (floor_counter *)type->tp_alloc(type, 0);
    if (self == NULL) return NULL;
    self->handle = gobench_NewCounter();
    return (PyObject *)self;
}

static void floor_counter_dealloc(PyObject *self) {
    PyTypeObject *type = Py_TYPE(self);
    uintptr_t h = ((floor_counter *)self)->handle;
    if (h != 0) gobench_FreeCounter(h);
    type->tp_free(self);
    Py_DECREF(type);
}

static PyObject *floor_counter_inc(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)args;
    if (floor_nargs(nargs, 0) < 0) return NULL;
    uintptr_t h = ((floor_counter *)self)->handle;
    int64_t r;
    Py_BEGIN_ALLOW_THREADS
    r = gobench_CounterInc(h);
    Py_END_ALLOW_THREADS
    return PyLong_FromLongLong(r);
}

static PyObject *floor_counter_inc_gil(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)args;
    if (floor_nargs(nargs, 0) < 0) return NULL;
    return PyLong_FromLongLong(gobench_CounterInc(((floor_counter *)self)->handle));
}

static PyMethodDef floor_counter_methods[] = {
    {"Inc", (PyCFunction)(void (*)(void))floor_counter_inc, METH_FASTCALL, "Inc, GIL released."},
    {"Inc_gil", (PyCFunction)(void (*)(void))floor_counter_inc_gil, METH_FASTCALL, "Inc, GIL held."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot floor_counter_slots[] = {
    {Py_tp_new, floor_counter_new},
    {Py_tp_dealloc, floor_counter_dealloc},
    {Py_tp_methods, floor_counter_methods},
    {Py_tp_doc, "A Go *Counter behind a cgo.Handle (the handle floor)."},
    {0, NULL},
};

static PyType_Spec floor_counter_spec = {
    "goffi_bench_floor.Counter",
    sizeof(floor_counter),
    0,
    Py_TPFLAGS_DEFAULT,
    floor_counter_slots,
};

/* ---- the callback floors -------------------------------------------------------
 * Go calls one of these C trampolines per invocation (cabi_bridge.go's closures, passed
 * to the same CallN / CallNParallel goffi's rows call). Each takes the GIL, boxes the
 * argument, calls the Python callable (vectorcall), unboxes the result and gives the
 * GIL back, in one of these ways:
 *   restore: PyEval_RestoreThread/SaveThread with the calling thread's saved state,
 *            the cheapest correct way on the thread that called Go (floor.call_n only);
 *   ensure:  PyGILState_Ensure/Release, the documented way on any thread;
 *   pinned:  PyGILState_Ensure/Release with each thread's state pinned on its first
 *            call (what goffi does), so later calls only take the GIL;
 *   fresh:   PyGILState_Ensure/Release on a thread that has no Python state: each call
 *            creates a thread state and destroys it (cabi_bridge.go's locked workers).
 * A call that raises records its exception (the first one) and gives Go 0; the floor
 * function raises it once Go returns. */

enum { FLOOR_CB_RESTORE = 0, FLOOR_CB_ENSURE = 1, FLOOR_CB_PINNED = 2 };

typedef struct {
    PyObject *fn;
    PyThreadState *ts; /* restore: the caller's state while Go runs */
    PyObject *etype, *evalue, *etb; /* the first exception a call raised */
} floor_cb_ctx;

static long long floor_fresh_with_state = 0; /* fresh calls that found a thread state (must stay 0) */

static void floor_cb_failed(floor_cb_ctx *c) {
    if (c->etype == NULL) {
        PyErr_Fetch(&c->etype, &c->evalue, &c->etb);
    } else {
        PyErr_Clear();
    }
}

static int64_t floor_cb_invoke(floor_cb_ctx *c, int64_t x) {
    PyObject *arg = PyLong_FromLongLong(x);
    if (arg == NULL) {
        floor_cb_failed(c);
        return 0;
    }
    PyObject *r = PyObject_Vectorcall(c->fn, &arg, 1, NULL);
    Py_DECREF(arg);
    if (r == NULL) {
        floor_cb_failed(c);
        return 0;
    }
    long long v = PyLong_AsLongLong(r);
    Py_DECREF(r);
    if (v == -1 && PyErr_Occurred()) {
        floor_cb_failed(c);
        return 0;
    }
    return v;
}

int64_t floor_cb_restore(void *ctx, int64_t x) {
    floor_cb_ctx *c = ctx;
    PyEval_RestoreThread(c->ts);
    int64_t v = floor_cb_invoke(c, x);
    c->ts = PyEval_SaveThread();
    return v;
}

int64_t floor_cb_ensure(void *ctx, int64_t x) {
    PyGILState_STATE s = PyGILState_Ensure();
    int64_t v = floor_cb_invoke(ctx, x);
    PyGILState_Release(s);
    return v;
}

static __thread int floor_thread_pinned = 0;

int64_t floor_cb_pinned(void *ctx, int64_t x) {
    PyGILState_STATE s = PyGILState_Ensure();
    if (!floor_thread_pinned) {
        PyGILState_Ensure(); /* never released: the thread keeps its state */
        floor_thread_pinned = 1;
    }
    int64_t v = floor_cb_invoke(ctx, x);
    PyGILState_Release(s);
    return v;
}

int64_t floor_cb_fresh(void *ctx, int64_t x) {
    int had_state = PyGILState_GetThisThreadState() != NULL;
    PyGILState_STATE s = PyGILState_Ensure(); /* no state here: creates one */
    floor_fresh_with_state += had_state;
    int64_t v = floor_cb_invoke(ctx, x);
    PyGILState_Release(s); /* the last release: clears and deletes the state */
    return v;
}

/* A plain C function pointer (a ctypes CFUNCTYPE) as the callback. */
int64_t floor_cb_fnptr(void *fn, int64_t x) { return ((int64_t (*)(int64_t))fn)(x); }

int floor_thread_has_state(void) { return PyGILState_GetThisThreadState() != NULL; }

static PyObject *floor_cb_result(floor_cb_ctx *c, int64_t r) {
    if (c->etype != NULL) {
        PyErr_Restore(c->etype, c->evalue, c->etb);
        return NULL;
    }
    return PyLong_FromLongLong(r);
}

static int floor_cb_args(PyObject *const *args, Py_ssize_t nargs, Py_ssize_t want, long long *out) {
    if (floor_nargs(nargs, want) < 0) return -1;
    if (!PyCallable_Check(args[0])) {
        PyErr_SetString(PyExc_TypeError, "the first argument must be callable");
        return -1;
    }
    for (Py_ssize_t i = 1; i < want; i++) {
        out[i - 1] = PyLong_AsLongLong(args[i]);
        if (out[i - 1] == -1 && PyErr_Occurred()) return -1;
    }
    return 0;
}

/* call_n(f, n, kind): CallN(f, n) through the trampoline of that kind, on this thread. */
static PyObject *floor_call_n(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    long long a[2];
    if (floor_cb_args(args, nargs, 3, a) < 0) return NULL;
    floor_cb_ctx c = {args[0], NULL, NULL, NULL, NULL};
    c.ts = PyEval_SaveThread();
    int64_t r = gobench_CallN(&c, a[0], (int)a[1]);
    PyEval_RestoreThread(c.ts);
    return floor_cb_result(&c, r);
}

/* call_n_parallel(f, n, g, kind): CallNParallel(f, n, g) through the ensure or pinned trampoline. */
static PyObject *floor_call_n_parallel(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    long long a[3];
    if (floor_cb_args(args, nargs, 4, a) < 0) return NULL;
    if (a[2] == FLOOR_CB_RESTORE) {
        PyErr_SetString(PyExc_ValueError, "the restore trampoline works on the calling thread only");
        return NULL;
    }
    floor_cb_ctx c = {args[0], NULL, NULL, NULL, NULL};
    int64_t r;
    Py_BEGIN_ALLOW_THREADS
    r = gobench_CallNParallel(&c, a[0], a[1], (int)a[2]);
    Py_END_ALLOW_THREADS
    return floor_cb_result(&c, r);
}

/* call_n_fresh(f, n, g): n calls from g threads without a Python state, a new state per call. */
static PyObject *floor_call_n_fresh(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    long long a[2];
    if (floor_cb_args(args, nargs, 3, a) < 0) return NULL;
    floor_cb_ctx c = {args[0], NULL, NULL, NULL, NULL};
    int64_t r;
    Py_BEGIN_ALLOW_THREADS
    r = gobench_CallNFresh(&c, a[0], a[1]);
    Py_END_ALLOW_THREADS
    return floor_cb_result(&c, r);
}

/* fresh_stats() -> (threads discarded for carrying a state, fresh calls that found a state) */
static PyObject *floor_fresh_stats(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    (void)args;
    if (floor_nargs(nargs, 0) < 0) return NULL;
    return Py_BuildValue("(LL)", (long long)gobench_FreshDiscarded(), floor_fresh_with_state);
}

static PyMethodDef floor_methods[] = {
    {"add", (PyCFunction)(void (*)(void))floor_add, METH_FASTCALL, "Add, GIL released."},
    {"add_gil", (PyCFunction)(void (*)(void))floor_add_gil, METH_FASTCALL, "Add, GIL held."},
    {"noop", (PyCFunction)(void (*)(void))floor_noop, METH_FASTCALL, "Noop, GIL released."},
    {"noop_gil", (PyCFunction)(void (*)(void))floor_noop_gil, METH_FASTCALL, "Noop, GIL held."},
    {"upper", (PyCFunction)(void (*)(void))floor_upper, METH_FASTCALL, "Upper, GIL released."},
    {"sum_bytes", (PyCFunction)(void (*)(void))floor_sum_bytes, METH_FASTCALL, "SumBytes, GIL released."},
    {"scale_floats", (PyCFunction)(void (*)(void))floor_scale_floats, METH_FASTCALL,
     "ScaleFloats on a buffer's doubles in place, GIL released; Go's result stays in Go."},
    {"call_n", (PyCFunction)(void (*)(void))floor_call_n, METH_FASTCALL, "CallN(f, n) via a C trampoline."},
    {"call_n_parallel", (PyCFunction)(void (*)(void))floor_call_n_parallel, METH_FASTCALL,
     "CallNParallel(f, n, g) via a C trampoline."},
    {"call_n_fresh", (PyCFunction)(void (*)(void))floor_call_n_fresh, METH_FASTCALL,
     "n calls from g threads, a new thread state per call."},
    {"fresh_stats", (PyCFunction)(void (*)(void))floor_fresh_stats, METH_FASTCALL,
     "(threads discarded, fresh calls that found a state)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef floor_module = {
    PyModuleDef_HEAD_INIT,
    "goffi_bench_floor",
    "The floor baseline of goffi's benchmark suite (see floor.c).",
    -1,
    floor_methods,
};

/* Called once from Python through ctypes.PyDLL (which holds the GIL). */
PyObject *gobench_floor_module(void) {
    PyObject *module = PyModule_Create(&floor_module);
    if (module == NULL) return NULL;
    PyObject *counter = PyType_FromSpec(&floor_counter_spec);
    if (counter == NULL || PyModule_AddObject(module, "Counter", counter) < 0) {
        Py_XDECREF(counter);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
