/*
 * goffi_locker.c: a Go object with Lock() and Unlock() (a sync.Locker: sync.Mutex,
 * sync.RWMutex) is a context manager, as Python's locks are: `with mu:` calls Lock, and
 * Unlock when the block ends, however it ends (ClassPlan.locker).
 */
#include "goffi_py.h"

PyObject *goffi_locker_enter(PyObject *self, PyObject *unused) {
    (void)unused;
    PyObject *r = PyObject_CallMethod(self, "Lock", NULL);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    return Py_NewRef(self);
}

PyObject *goffi_locker_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)args;
    (void)nargs;
    PyObject *r = PyObject_CallMethod(self, "Unlock", NULL);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_FALSE; /* never swallow the with block's exception */
}
