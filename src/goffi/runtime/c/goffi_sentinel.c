/*
 * goffi_sentinel.c: the Go value of a sentinel error's Python class.
 *
 * Each sentinel error of a bundle (var ErrX = errors.New(...), io.EOF, fs.SkipDir) is an
 * exception class. goffi.runtime asks for its Go value once, the first time the class
 * is used where Go takes an error (errors.Is(err, io.EOF), a WalkDirFunc returning
 * filepath.SkipDir, raise fs.SkipDir in a proxied method): this builds the exception Go's
 * value would raise, whose go_value is that value.
 */
#include "goffi_exports.h"
#include "goffi_py.h"

PyObject *goffi_sentinel_error_py(PyObject *self, PyObject *arg) {
    (void)self;
    if (GOFFI_UNLIKELY(goffi_forked)) {
        return goffi_raise_forked("a Go sentinel error");
    }
    long long index = PyLong_AsLongLong(arg);
    if (index == -1 && PyErr_Occurred()) {
        return NULL;
    }
    goffi_err err;
    GOFFI_ARENA(arena);
    goffi_sentinel_error((int64_t)index, &err, &arena);
    PyObject *exc = err.kind == GOFFI_ERROR ? goffi_error_object(&err) : Py_NewRef(Py_None);
    goffi_arena_free(&arena);
    return exc;
}
