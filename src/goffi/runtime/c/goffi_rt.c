/*
 * goffi_rt.c: the C runtime every goffi bundle links. It converts between Python
 * objects and the C ABI of goffi.h, manages the per-call arena, and turns Go errors
 * and panics into Python exceptions. Generated glue calls these; nothing here is
 * specific to one bundle. Its files are listed in goffi_rt.h; this one sets the runtime
 * up (the objects of goffi.runtime it uses), guards against calls after a fork and
 * checks argument counts.
 */
#include "goffi_rt.h"

#include <pthread.h>

/* ---- runtime set-up, fork guard ---------------------------------------------- */

PyObject *goffi_GoError;
PyObject *goffi_GoPanic;
PyObject *goffi_GoObject;   /* goffi.runtime.GoObject, the base of every handle class */
PyObject *goffi_make_error; /* builds the exception of a Go error: the bundle's own, once bound */
PyObject *goffi_bundle_name; /* the bundle's Python name, once bound (_bundle._bind) */
PyObject *goffi_time_from_go; /* goffi.runtime._time_from_go and _time_to_go */
PyObject *goffi_time_to_go;
PyObject *goffi_instances;  /* handle ID -> address of its live Python object */
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
    int datetime = goffi_datetime_import(); /* goffi_rt_any.c */
    Py_DECREF(rt);
    goffi_instances = PyDict_New();
    if (goffi_GoError == NULL || goffi_GoPanic == NULL || goffi_GoObject == NULL || goffi_instances == NULL ||
        goffi_make_error == NULL || goffi_time_from_go == NULL || goffi_time_to_go == NULL || datetime < 0) {
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
