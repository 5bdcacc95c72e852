/*
 * floor.c: the "floor" baseline of goffi's benchmark suite, a minimal hand-written
 * CPython module calling the plain C-ABI exports of cabi.go.
 *
 * Each function does the least a correct binding can: METH_FASTCALL, a fixed arity,
 * the cheapest conversions, no range checks beyond CPython's own, no arena, no panic
 * recovery. "_gil" variants hold the GIL across the Go call, the others release it
 * (as goffi does by default). floor.Counter is the handle floor: a C type holding a
 * cgo.Handle to a Go *Counter, with a METH_FASTCALL Inc. The module lives in the same shared library as goffi's
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

static PyMethodDef floor_methods[] = {
    {"add", (PyCFunction)(void (*)(void))floor_add, METH_FASTCALL, "Add, GIL released."},
    {"add_gil", (PyCFunction)(void (*)(void))floor_add_gil, METH_FASTCALL, "Add, GIL held."},
    {"noop", (PyCFunction)(void (*)(void))floor_noop, METH_FASTCALL, "Noop, GIL released."},
    {"noop_gil", (PyCFunction)(void (*)(void))floor_noop_gil, METH_FASTCALL, "Noop, GIL held."},
    {"upper", (PyCFunction)(void (*)(void))floor_upper, METH_FASTCALL, "Upper, GIL released."},
    {"sum_bytes", (PyCFunction)(void (*)(void))floor_sum_bytes, METH_FASTCALL, "SumBytes, GIL released."},
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
