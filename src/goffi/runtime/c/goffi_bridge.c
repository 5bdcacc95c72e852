//go:build goffi_bridge

/*
 * goffi_bridge.c: the C half of the goroutine bridge (channels and callbacks), built
 * only into bundles whose API needs it (go build -tags goffi_bridge).
 *
 * Callbacks: goroutines call Python on threads Python never saw. Each such OS thread
 * gets one Python thread state that it keeps while it lives (pinned with a
 * PyGILState_Ensure released by a thread-exit destructor), so a callback costs a GIL
 * acquisition, not a new thread state.
 *
 * Channels: blocking operations wait in short slices with the GIL released and check
 * for signals between slices, so Ctrl-C interrupts them.
 *
 * This file holds shutdown, the threads' GIL and goffi_bridge_init; the rest of the
 * bridge is in goffi_bridge_*.c (goffi_bridge.h lists them).
 */
#include "goffi_bridge.h"
#include "goffi_chanring.h"

#include <pthread.h>

/* ---- shutdown and threads -------------------------------------------------------- */

/* Set at the main interpreter's exit: later callbacks from goroutines do not touch
 * Python. A subinterpreter's exit must not set it (goffi refuses to load in one, but
 * this stays process-wide state of the main interpreter either way). */
static volatile int goffi_shutting_down = 0;

PyObject *goffi_shutdown_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    if (PyInterpreterState_Get() != PyInterpreterState_Main()) {
        Py_RETURN_NONE;
    }
    goffi_shutting_down = 1;
    /* No callback runs from now on, so the callables Go still holds (Go's collector
     * releases them only when it finalizes their func values, maybe never before exit)
     * are dropped here. Keeping them would keep whatever they reference alive through
     * Python's finalization: a lambda keeps its module's globals, and with them, say, a
     * subinterpreter that Python would otherwise destroy before it deletes the main one
     * (and aborts with "remaining subinterpreters" if it cannot). */
    goffi_callables_drop_all();
    Py_RETURN_NONE;
}

static __thread int goffi_thread_pinned = 0;

/* A thread that pinned a thread state gives it back when it exits: the destructor of
 * this key runs on the exiting thread (Go ends a thread when a goroutine locked to it
 * exits; C code ends its own threads). Without it every such thread would leave its
 * Python thread state (~4 KB, and a slot in the interpreter's list) behind forever. */
static pthread_key_t goffi_pin_key;
static pthread_once_t goffi_pin_once = PTHREAD_ONCE_INIT;
static int goffi_pin_key_ok = 0;

static void goffi_unpin_thread(void *state) {
    /* Not while Python shuts down (the process is ending: nothing to reclaim, and the
     * GIL may never come back). By now the C library has already cleared Python's own
     * per-thread record of this state, so the state comes from the key's value. */
    if (!goffi_cb_available()) {
        return;
    }
    PyThreadState *tstate = state;
    PyEval_RestoreThread(tstate); /* the GIL, as this thread's own state */
    PyThreadState_Clear(tstate);
    PyThreadState_DeleteCurrent(); /* and drops the GIL */
}

static void goffi_pin_key_create(void) { goffi_pin_key_ok = pthread_key_create(&goffi_pin_key, goffi_unpin_thread) == 0; }

/* Take the GIL on any thread; a thread Python never saw keeps its thread state until
 * it exits. */
PyGILState_STATE goffi_cb_enter(void) {
    if (goffi_thread_pinned) {
        return PyGILState_Ensure();
    }
    int foreign = PyGILState_GetThisThreadState() == NULL; /* a thread Python never saw */
    PyGILState_STATE state = PyGILState_Ensure();
    PyGILState_Ensure(); /* never released: this thread's state stays for later callbacks */
    goffi_thread_pinned = 1;
    if (foreign) {
        /* Python started no such thread, so it never deletes the state: do it at exit.
         * (A thread Python started deletes its own state when it ends.) */
        pthread_once(&goffi_pin_once, goffi_pin_key_create);
        if (goffi_pin_key_ok) {
            pthread_setspecific(goffi_pin_key, PyThreadState_Get());
        }
    }
    return state;
}

void goffi_cb_leave(PyGILState_STATE state) { PyGILState_Release(state); }

int goffi_cb_available(void) { return !goffi_shutting_down && !goffi_forked && Py_IsInitialized(); }

/* ---- the bridge's Python objects (goffi_bridge.h), set by goffi_bridge_init ------ */

PyObject *goffi_channel_factory;
PyObject *goffi_proxy_methods;
PyObject *goffi_proxy_GoError;
PyTypeObject *goffi_reader_type;
PyObject *goffi_ChannelClosed;
PyObject *goffi_CLOSED;

int goffi_bridge_init(void) {
    PyObject *rt = PyImport_ImportModule("goffi.runtime.bridge");
    if (rt == NULL) {
        return -1;
    }
    goffi_channel_factory = PyObject_GetAttrString(rt, "_channel");
    goffi_ChannelClosed = PyObject_GetAttrString(rt, "ChannelClosed");
    goffi_CLOSED = PyObject_GetAttrString(rt, "CLOSED");
    Py_DECREF(rt);
    PyObject *px = PyImport_ImportModule("goffi.runtime.proxy");
    if (px == NULL) {
        return -1;
    }
    goffi_proxy_methods = PyObject_GetAttrString(px, "_methods");
    goffi_proxy_GoError = PyObject_GetAttrString(px, "GoError");
    Py_DECREF(px);
    if (goffi_proxy_methods == NULL || goffi_proxy_GoError == NULL) {
        return -1;
    }
    goffi_any_proxy = goffi_any_proxy_in;
    goffi_any_proxy_out = goffi_out_proxy;
    goffi_callable_release_hook = goffi_callable_release;
    goffi_reader_type = (PyTypeObject *)PyType_FromSpec(&goffi_reader_spec);
    if (goffi_chanring_init() < 0) {
        return -1;
    }
    return goffi_channel_factory && goffi_ChannelClosed && goffi_CLOSED && goffi_reader_type ? 0 : -1;
}
