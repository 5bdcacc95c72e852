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
 */
#include "goffi_py.h"
#include "goffi_exports.h"
#include "goffi_chanring.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- shutdown and threads -------------------------------------------------------- */

/* Set at the main interpreter's exit: later callbacks from goroutines do not touch
 * Python. A subinterpreter's exit must not set it (goffi refuses to load in one, but
 * this stays process-wide state of the main interpreter either way). */
static volatile int goffi_shutting_down = 0;

static void goffi_callables_drop_all(void);

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

/* ---- callables ------------------------------------------------------------------ */

/* The Python callables Go was given, in a table indexed by ID so that an invocation
 * finds its callable without building a key object. Each slot holds an entry, the list
 * [callable, address of the arena of the Go call it was passed to (0 once that call is
 * over), identity of the thread that made that call]. An ID is the slot's index + 1 in
 * its low 32 bits and the slot's generation in its high 32; releasing a slot moves its
 * generation on, so a released ID never finds the callable that reuses the slot. The
 * table grows to the most callables live at once (Go bounds those: goffiNewCallback)
 * and reuses released slots. Only touched with the GIL held. */
typedef struct {
    PyObject *entry;    /* NULL while free */
    uint32_t gen;       /* the high half of the IDs of this slot's current callable */
    uint32_t next_free; /* free slots form a list: index + 1 of the next one, 0 ends it */
} goffi_callable_slot;

static goffi_callable_slot *goffi_callables;
static uint32_t goffi_callables_used; /* slots handed out at least once */
static uint32_t goffi_callables_cap;
static uint32_t goffi_callables_free; /* index + 1 of the first free slot, 0: none */
static Py_ssize_t goffi_callables_live;

/* The entry of a live callable (borrowed), or NULL if the ID was released. */
static inline PyObject *goffi_callable_entry(uint64_t id) {
    uint32_t i = (uint32_t)id - 1; /* wraps for a low half of 0: out of range */
    if (i >= goffi_callables_used || goffi_callables[i].gen != (uint32_t)(id >> 32)) {
        return NULL;
    }
    return goffi_callables[i].entry;
}

/* A slot for a new callable's entry (stolen); its ID, or 0 with an exception. */
static uint64_t goffi_callable_add(PyObject *entry) {
    uint32_t i;
    if (goffi_callables_free != 0) {
        i = goffi_callables_free - 1;
        goffi_callables_free = goffi_callables[i].next_free;
    } else {
        if (goffi_callables_used == goffi_callables_cap) {
            uint32_t cap = goffi_callables_cap ? goffi_callables_cap * 2 : 64;
            goffi_callable_slot *grown =
                cap > goffi_callables_cap ? PyMem_RawRealloc(goffi_callables, (size_t)cap * sizeof *grown) : NULL;
            if (grown == NULL) {
                Py_DECREF(entry);
                PyErr_NoMemory();
                return 0;
            }
            goffi_callables = grown;
            goffi_callables_cap = cap;
        }
        i = goffi_callables_used++;
        goffi_callables[i].gen = 1;
    }
    goffi_callables[i].entry = entry;
    goffi_callables[i].next_free = 0;
    goffi_callables_live++;
    return ((uint64_t)goffi_callables[i].gen << 32) | ((uint64_t)i + 1);
}

int goffi_in_callable(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where) {
    if (o == Py_None) {
        out->id = 0;
        out->cls = -1;
        return 0;
    }
    if (Py_TYPE(o)->tp_dealloc == goffi_object_dealloc) {
        /* A Go func that came to Python goes back as itself. */
        return goffi_to_handle(o, out, -1, 1, where);
    }
    if (!PyCallable_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be callable, not %.200s", where, Py_TYPE(o)->tp_name);
        return -1;
    }
    PyObject *entry = Py_BuildValue("[OKk]", o, (unsigned long long)(uintptr_t)a,
                                    (unsigned long)PyThread_get_thread_ident());
    if (entry == NULL) {
        return -1;
    }
    uint64_t id = goffi_callable_add(entry); /* steals entry */
    if (id == 0) {
        return -1;
    }
    if (goffi_arena_detach(a, entry, id) < 0) {
        goffi_callable_release(id);
        return -1;
    }
    out->id = id;
    out->cls = GOFFI_CLS_CALLABLE;
    return 0;
}

void goffi_callable_abandon(const goffi_handle *h) {
    if (h->cls == GOFFI_CLS_CALLABLE) {
        goffi_callable_release(h->id);
    } else if (h->cls == GOFFI_CLS_PROXY) {
        const uint64_t *ids = (const uint64_t *)(uintptr_t)h->id;
        for (uint64_t i = 1; i <= ids[0]; i++) {
            goffi_callable_release(ids[i]);
        }
    }
}

void goffi_callable_release(uint64_t id) {
    if (!goffi_cb_available()) {
        return;
    }
    PyGILState_STATE gil = goffi_cb_enter();
    if (goffi_callable_entry(id) != NULL) {
        goffi_callable_slot *slot = &goffi_callables[(uint32_t)id - 1];
        PyObject *entry = slot->entry;
        slot->entry = NULL;
        slot->gen++;
        slot->next_free = goffi_callables_free;
        goffi_callables_free = (uint32_t)id;
        goffi_callables_live--;
        Py_DECREF(entry); /* last: dropping the callable may run Python code */
    }
    goffi_cb_leave(gil);
}

/* Releases every live callable (at exit: see goffi_shutdown_py). The GIL is held. */
static void goffi_callables_drop_all(void) {
    for (uint32_t i = 0; i < goffi_callables_used; i++) {
        goffi_callable_slot *slot = &goffi_callables[i];
        PyObject *entry = slot->entry;
        if (entry == NULL) {
            continue;
        }
        slot->entry = NULL;
        slot->gen++;
        slot->next_free = goffi_callables_free;
        goffi_callables_free = i + 1;
        goffi_callables_live--;
        Py_DECREF(entry); /* last: may run Python code */
    }
}

PyObject *goffi_live_callables_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromSsize_t(goffi_callables_live);
}

int goffi_callback_call(uint64_t id, PyObject *const *args, Py_ssize_t nargs, PyObject **result) {
    *result = NULL;
    PyObject *entry = goffi_callable_entry(id);
    if (entry == NULL) {
        return GOFFI_CB_GONE;
    }
    Py_INCREF(entry); /* the callable may release itself (a Go func it dropped, collected) */
    *result = PyObject_Vectorcall(PyList_GET_ITEM(entry, 0), args, (size_t)nargs, NULL);
    int status = *result != NULL ? GOFFI_CB_OK : goffi_callback_raised(entry);
    Py_DECREF(entry);
    return status;
}

int goffi_callback_raised(PyObject *entry) {
    /* On a thread inside a Python->Go call, the callback runs on that call's goroutine
     * (a Go export runs on its caller's thread): the exception is that call's, and
     * unwinding (a recovered panic) ends the call at once. Elsewhere (another goroutine)
     * it goes to the call that passed the callable, if that call still runs. */
    int here = goffi_current_call != NULL;
    goffi_arena *call = here ? goffi_current_call
                             : (goffi_arena *)(uintptr_t)PyLong_AsUnsignedLongLong(PyList_GET_ITEM(entry, 1));
    if (call == NULL || PyErr_Occurred() == NULL) {
        /* The Go call that received this callable is over: nobody is waiting for its
         * exception, so report it like an exception in a thread. */
        PyErr_WriteUnraisable(PyList_GET_ITEM(entry, 0));
        return GOFFI_CB_RAISED;
    }
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    if (call->pending == NULL) {
        call->pending = value; /* the first exception wins, as the outer call's */
    } else {
        Py_XDECREF(value);
    }
    PyErr_Clear();
    return here ? GOFFI_CB_ABORT : GOFFI_CB_RAISED;
}

void goffi_cb_finish(goffi_arena *a) {
    if (a->cleanups != NULL && goffi_cb_available()) {
        PyGILState_STATE gil = goffi_cb_enter();
        goffi_arena_free(a);
        goffi_cb_leave(gil);
        return;
    }
    a->cleanups = NULL;
    goffi_arena_free_blocks(a);
}

int goffi_cb_own_str(goffi_str *s, goffi_arena *a) {
    if (s->n == 0) {
        return 0;
    }
    s->p = goffi_arena_copy(a, s->p, (size_t)s->n);
    return s->p != NULL ? 0 : -1;
}

goffi_arena *goffi_cb_arena_new(void) {
    goffi_arena *a = aligned_alloc(16, GOFFI_CB_ARENA_SIZE);
    if (a != NULL) {
        memset(a, 0, sizeof *a);
        a->cur = (char *)a + GOFFI_CB_ARENA_HEAD;
        a->end = (char *)a + GOFFI_CB_ARENA_SIZE;
    }
    return a;
}

void goffi_cb_arena_drop(goffi_arena *a) { free(a); }

PyObject *goffi_collect_go_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    Py_BEGIN_ALLOW_THREADS
    goffi_go_gc();
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

/* ---- channels ------------------------------------------------------------------- */

static PyObject *goffi_channel_factory; /* goffi.runtime.bridge._channel */
static PyObject *goffi_proxy_methods;   /* goffi.runtime.proxy._methods */
static PyObject *goffi_proxy_GoError;   /* goffi.runtime.GoError */
static PyTypeObject *goffi_reader_type;  /* goffi.ChannelIterator: see "channel readers" */
static PyType_Spec goffi_reader_spec;
static PyObject *goffi_ChannelClosed;
static PyObject *goffi_CLOSED;

static int goffi_any_proxy_in(PyObject *o, goffi_any *out, goffi_arena *a, const char *where);

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

PyObject *goffi_out_channel(const goffi_handle *h, const char *dir, const char *elem) {
    PyObject *obj = goffi_handle_object(h);
    if (obj == NULL || obj == Py_None) {
        return obj;
    }
    PyObject *ch = PyObject_CallFunction(goffi_channel_factory, "Oss", obj, dir, elem);
    Py_DECREF(obj);
    return ch;
}

int goffi_in_channel(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where) {
    (void)a;
    if (o == Py_None) {
        out->id = 0;
        out->cls = -1;
        return 0;
    }
    PyObject *h = PyObject_GetAttrString(o, "_h");
    if (h != NULL && goffi_refuse_foreign(h, o, where) < 0) {
        Py_DECREF(h);
        return -1;
    }
    if (h == NULL || Py_TYPE(h)->tp_dealloc != goffi_object_dealloc) {
        PyErr_Clear();
        Py_XDECREF(h);
        PyErr_Format(PyExc_TypeError, "%s must be a goffi.Channel, not %.200s", where, Py_TYPE(o)->tp_name);
        return -1;
    }
    int ok = goffi_to_handle(h, out, -1, 0, where);
    Py_DECREF(h); /* the Channel keeps it alive */
    return ok;
}

/* The handle of a Channel's handle object (its _h), or 0 with TypeError. */
static uint64_t goffi_chan_id(PyObject *h) {
    if (Py_TYPE(h)->tp_dealloc != goffi_object_dealloc) {
        PyErr_SetString(PyExc_TypeError, "not a Go channel handle");
        return 0;
    }
    return ((goffi_object *)h)->handle;
}

/* The slices a blocking wait is cut into, so signals are checked between them. */
#define GOFFI_SLICE_NS 50000000LL /* 50 ms */

/* timeout (seconds, or None: forever) -> nanoseconds, or -1 for forever. */
static int goffi_timeout_ns(PyObject *timeout, int64_t *out) {
    if (timeout == Py_None) {
        *out = -1;
        return 0;
    }
    double seconds = PyFloat_AsDouble(timeout);
    if (seconds == -1.0 && PyErr_Occurred()) {
        return -1;
    }
    if (seconds < 0 || seconds != seconds) {
        PyErr_SetString(PyExc_ValueError, "timeout must be None or a number of seconds >= 0");
        return -1;
    }
    *out = seconds > 9e9 ? INT64_MAX : (int64_t)(seconds * 1e9);
    return 0;
}

static PyObject *goffi_timeout_error(const char *what) {
    PyErr_Format(PyExc_TimeoutError, "%s: the timeout passed", what);
    return NULL;
}

static PyObject *goffi_closed_error(const char *what) {
    PyErr_Format(goffi_ChannelClosed, "%s: the channel is closed", what);
    return NULL;
}

/* One blocking channel operation, in slices: op(slice) until it is not a timeout, the
 * timeout passes, or a signal handler raises (Ctrl-C). */
typedef int32_t (*goffi_chan_op)(void *ctx, int64_t slice_ns, goffi_err *err, goffi_arena *a);

static int32_t goffi_chan_wait(goffi_chan_op op, void *ctx, int64_t timeout_ns, goffi_arena *a) {
    int64_t waited = 0;
    for (;;) {
        int64_t slice = GOFFI_SLICE_NS;
        if (timeout_ns >= 0 && timeout_ns - waited < slice) {
            slice = timeout_ns - waited;
        }
        goffi_err err = {0};
        int32_t status;
        Py_BEGIN_ALLOW_THREADS
        status = op(ctx, slice, &err, a);
        Py_END_ALLOW_THREADS
        if (err.kind != GOFFI_OK) {
            goffi_raise(&err);
            return -1;
        }
        if (status != GOFFI_CHAN_TIMEOUT) {
            return status;
        }
        waited += slice;
        if (timeout_ns >= 0 && waited >= timeout_ns) {
            return GOFFI_CHAN_TIMEOUT;
        }
        if (PyErr_CheckSignals() < 0) {
            return -1; /* KeyboardInterrupt, or whatever the handler raised */
        }
    }
}

typedef struct { uint64_t id; goffi_any value; } goffi_chan_ctx;

static int32_t goffi_send_op(void *p, int64_t slice, goffi_err *err, goffi_arena *a) {
    goffi_chan_ctx *c = p;
    int32_t status = 0;
    goffi_chan_send(c->id, &c->value, slice, 0, &status, err, a);
    return status;
}

/* _chan_send(h, value, timeout) */
PyObject *goffi_chan_send_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (goffi_check_nargs("Channel.send", nargs, 3, 3) < 0) {
        return NULL;
    }
    goffi_chan_ctx c = {0};
    int64_t timeout;
    GOFFI_ARENA(arena);
    PyObject *result = NULL;
    if ((c.id = goffi_chan_id(args[0])) == 0 || goffi_timeout_ns(args[2], &timeout) < 0 ||
        goffi_in_any(args[1], &c.value, &arena, "Channel.send() value") < 0) {
        goffi_arena_free(&arena);
        return NULL;
    }
    int32_t status = goffi_chan_wait(goffi_send_op, &c, timeout, &arena);
    if (status == GOFFI_CHAN_OK) {
        result = Py_NewRef(Py_None);
    } else if (status == GOFFI_CHAN_CLOSED) {
        goffi_closed_error("Channel.send");
    } else if (status == GOFFI_CHAN_TIMEOUT) {
        goffi_timeout_error("Channel.send");
    }
    goffi_arena_free(&arena);
    return result;
}

/* _chan_try_send(h, value) -> bool */
PyObject *goffi_chan_try_send_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (goffi_check_nargs("Channel.try_send", nargs, 2, 2) < 0) {
        return NULL;
    }
    uint64_t id = goffi_chan_id(args[0]);
    GOFFI_ARENA(arena);
    goffi_any value;
    PyObject *result = NULL;
    if (id == 0 || goffi_in_any(args[1], &value, &arena, "Channel.try_send() value") < 0) {
        goffi_arena_free(&arena);
        return NULL;
    }
    goffi_err err = {0};
    int32_t status = 0;
    Py_BEGIN_ALLOW_THREADS
    goffi_chan_send(id, &value, 0, 1, &status, &err, &arena);
    Py_END_ALLOW_THREADS
    if (err.kind != GOFFI_OK) {
        goffi_raise(&err);
    } else if (status == GOFFI_CHAN_CLOSED) {
        goffi_closed_error("Channel.try_send");
    } else {
        result = PyBool_FromLong(status == GOFFI_CHAN_OK);
    }
    goffi_arena_free(&arena);
    return result;
}

/* _chan_close(h) */
PyObject *goffi_chan_close_py(PyObject *self, PyObject *h) {
    (void)self;
    uint64_t id = goffi_chan_id(h);
    if (id == 0 || goffi_check_nargs("Channel.close", 0, 0, 0) < 0) {
        return NULL;
    }
    GOFFI_ARENA(arena);
    goffi_err err = {0};
    int32_t status = 0;
    PyObject *result = NULL;
    Py_BEGIN_ALLOW_THREADS
    goffi_chan_close(id, &status, &err, &arena);
    Py_END_ALLOW_THREADS
    if (err.kind != GOFFI_OK) {
        goffi_raise(&err);
    } else if (status == GOFFI_CHAN_CLOSED) {
        goffi_closed_error("Channel.close");
    } else {
        result = Py_NewRef(Py_None);
    }
    goffi_arena_free(&arena);
    return result;
}

/* _chan_len(h) -> (len, cap) */
PyObject *goffi_chan_len_py(PyObject *self, PyObject *h) {
    (void)self;
    uint64_t id = goffi_chan_id(h);
    if (id == 0 || goffi_check_nargs("Channel.__len__", 0, 0, 0) < 0) {
        return NULL;
    }
    int64_t length = 0, capacity = 0;
    goffi_chan_len(id, &length, &capacity);
    return Py_BuildValue("(LL)", (long long)length, (long long)capacity);
}

/* ---- channel readers: receiving, and iteration in C ------------------------------- */

/*
 * A reader is the receiving half of a goffi.Channel (its _r): recv, try_recv, next and
 * async iteration of that Channel all go through it, and iter(channel) is a loop over it
 * (goffi_chanring.c), so `for v in channel` costs no Python-level call per value; a loop
 * past its first batch may get a pump, whose values come after the reader's own.
 *
 * Iteration receives in batches, so that a value does not pay a crossing into Go. The
 * rule that keeps it exact:
 *   - a batch waits for its first value only; the others join only if they are already
 *     in the channel (ready), so a batch never waits for, nor holds back, a value that
 *     was not there yet, and it never takes more than GOFFI_BATCH;
 *   - values a batch took and Python has not had yet stay in the reader, in order, and
 *     the next recv, try_recv, next, async next or select receive case on that Channel
 *     gets them first (len(channel) counts them);
 *   - receiving from Go for a reader (a batch, or recv/try_recv's single value) happens
 *     under the reader's lock and only when the reader holds nothing, so values arrive
 *     in the channel's order and each exactly once, even with several Python threads
 *     on one Channel (each thread sees its values in order);
 *   - a blocking wait is cut into slices (Ctrl-C interrupts it between them); a wait
 *     that ends without a value (a signal, a timeout) took nothing;
 *   - try_recv never waits, not even for the lock: while another thread receives for the
 *     same Channel it reports nothing ready. select (several channels at once) does not
 *     take the lock: a select racing another thread's batch on the same Channel can get
 *     a value that comes after the ones that batch is bringing.
 * Values a batch took early are gone from the Go channel: a Go goroutine receiving
 * from the same channel meanwhile does not see them (it sees the later ones). recv and
 * try_recv take one value at a time, exactly as Go's receive does.
 *
 * Channels of basic element types (integers, floats, bool) are received typed into
 * 64-bit slots in C memory and become Python objects only as they are yielded; other
 * element types arrive as a list converted like any.
 */
/* GOFFI_BATCH and goffi_reader are in goffi_chanring.h. */

PyObject *goffi_slot_object(int32_t kind, uint64_t slot) {
    switch (kind) {
    case GOFFI_SLOT_INT:
        return PyLong_FromLongLong((long long)(int64_t)slot);
    case GOFFI_SLOT_UINT:
        return PyLong_FromUnsignedLongLong((unsigned long long)slot);
    case GOFFI_SLOT_FLOAT: {
        double d;
        memcpy(&d, &slot, sizeof d);
        return PyFloat_FromDouble(d);
    }
    case GOFFI_SLOT_BOOL:
        return PyBool_FromLong(slot != 0);
    }
    PyErr_Format(PyExc_SystemError, "goffi: unknown channel slot kind %d", (int)kind);
    return NULL;
}

/* The next value the reader holds (r->count > 0). */
static PyObject *goffi_reader_pop(goffi_reader *r) {
    PyObject *v;
    if (r->items != NULL) {
        v = Py_NewRef(PyList_GET_ITEM(r->items, r->head));
    } else if ((v = goffi_slot_object(r->kind, r->slots[r->head])) == NULL) {
        return NULL; /* the value stays for the next try */
    }
    r->head++;
    if (--r->count == 0) {
        Py_CLEAR(r->items);
    }
    return v;
}

/* Take r's lock: 1 once taken, 0 if *timeout_ns (< 0: none) passed first, -1 with an
 * exception (a signal handler raised); *timeout_ns loses the whole slices waited. Another
 * thread holds the lock only while it receives for this reader; waiting releases the
 * GIL, in slices with signal checks between. */
static int goffi_reader_lock(goffi_reader *r, int64_t *timeout_ns) {
    if (PyThread_acquire_lock(r->lock, NOWAIT_LOCK)) {
        return 1;
    }
    for (;;) {
        int64_t slice = GOFFI_SLICE_NS;
        if (*timeout_ns >= 0 && *timeout_ns < slice) {
            slice = *timeout_ns;
        }
        if (slice <= 0) {
            return 0;
        }
        PyLockStatus got;
        Py_BEGIN_ALLOW_THREADS
        got = PyThread_acquire_lock_timed(r->lock, (PY_TIMEOUT_T)(slice / 1000), 0);
        Py_END_ALLOW_THREADS
        if (got == PY_LOCK_ACQUIRED) {
            return 1;
        }
        if (*timeout_ns >= 0) {
            *timeout_ns -= slice;
        }
        if (PyErr_CheckSignals() < 0) {
            return -1;
        }
    }
}

typedef struct {
    uint64_t id;
    int64_t max;
    uint8_t try_;
    uint64_t *slots;
    int32_t kind;
    goffi_any out;
    int64_t n;
} goffi_fill_ctx;

static int32_t goffi_fill_op(void *p, int64_t slice, goffi_err *err, goffi_arena *a) {
    goffi_fill_ctx *c = p;
    int32_t status = 0;
    goffi_chan_recv_batch(c->id, c->max, slice, c->try_, c->slots, &c->kind, &c->out, &c->n, &status, err, a);
    return status;
}

/* Receive up to max values from Go into r (which holds none; its lock is held): the
 * first waiting at most timeout_ns (< 0: forever; try_: not at all). The status, or -1
 * with an exception. */
static int32_t goffi_reader_fill(goffi_reader *r, int64_t max, int64_t timeout_ns, int try_) {
    if (GOFFI_UNLIKELY(goffi_forked)) {
        goffi_raise_forked("Channel receive"); /* Go does not survive fork */
        return -1;
    }
    if (r->kind != GOFFI_SLOT_NONE && r->slots == NULL &&
        (r->slots = PyMem_Malloc(GOFFI_BATCH * sizeof(uint64_t))) == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    goffi_fill_ctx c;
    memset(&c, 0, sizeof c);
    c.id = r->id;
    c.max = max < GOFFI_BATCH ? max : GOFFI_BATCH;
    c.try_ = (uint8_t)try_;
    c.slots = r->slots;
    GOFFI_ARENA(arena);
    int32_t status;
    if (try_) {
        goffi_err err = {0};
        Py_BEGIN_ALLOW_THREADS
        status = goffi_fill_op(&c, 0, &err, &arena);
        Py_END_ALLOW_THREADS
        if (err.kind != GOFFI_OK) {
            goffi_raise(&err);
            status = -1;
        }
    } else {
        status = goffi_chan_wait(goffi_fill_op, &c, timeout_ns, &arena);
    }
    if (status >= 0 && c.kind == GOFFI_SLOT_NONE && r->kind != GOFFI_SLOT_NONE) {
        r->kind = GOFFI_SLOT_NONE; /* an element type Go receives through reflect */
        PyMem_Free(r->slots);
        r->slots = NULL;
    }
    if (status == GOFFI_CHAN_OK) {
        r->head = 0;
        if (c.kind != GOFFI_SLOT_NONE) {
            r->kind = c.kind;
            r->count = (Py_ssize_t)c.n;
        } else if ((r->items = goffi_out_any(&c.out)) == NULL) {
            status = -1;
        } else {
            r->count = PyList_GET_SIZE(r->items);
        }
        if (status == GOFFI_CHAN_OK && r->count == 0) {
            Py_CLEAR(r->items);
            PyErr_SetString(PyExc_SystemError, "goffi: a channel receive reported no value");
            status = -1;
        }
    }
    goffi_arena_free(&arena);
    return status;
}

/* The reader's next value: one it holds, else from Go (up to max at once, see
 * goffi_reader_fill). NULL with *status CLOSED, TIMEOUT or EMPTY (try_, or another
 * thread is receiving for this reader) and no exception; or NULL, -1, an exception. */
PyObject *goffi_reader_take(goffi_reader *r, int64_t max, int64_t timeout_ns, int try_, int32_t *status, int pump) {
    *status = GOFFI_CHAN_OK;
again:
    if (r->count > 0) {
        return goffi_reader_pop(r);
    }
    if (r->ring != NULL) { /* goffi_chanring.c: a pump's values come next; none from Go while it runs */
        PyObject *v = goffi_ring_take(r, try_ ? GOFFI_RING_TRY : GOFFI_RING_WAIT, &timeout_ns, status);
        if (*status != GOFFI_RING_GO) {
            return v;
        }
        *status = GOFFI_CHAN_OK;
    }
    if (try_) {
        timeout_ns = 0;
    }
    int locked = goffi_reader_lock(r, &timeout_ns);
    if (locked <= 0) {
        *status = locked < 0 ? -1 : try_ ? GOFFI_CHAN_EMPTY : GOFFI_CHAN_TIMEOUT;
        return NULL;
    }
    PyObject *v = NULL;
    if (r->count > 0 || goffi_ring_busy(r)) { /* another thread received while this one waited */
        PyThread_release_lock(r->lock);
        goto again;
    }
    if (pump && !try_) { /* a loop past its first batch: a pump receives for it */
        int started = goffi_ring_start(r);
        if (started != 0) {
            PyThread_release_lock(r->lock);
            if (started < 0) {
                *status = -1;
                return NULL;
            }
            goto again;
        }
    }
    *status = goffi_reader_fill(r, max, timeout_ns, try_);
    if (*status == GOFFI_CHAN_OK) {
        v = goffi_reader_pop(r);
        if (v == NULL) {
            *status = -1;
        }
    }
    PyThread_release_lock(r->lock);
    return v;
}

static PyObject *goffi_reader_iternext(PyObject *self) {
    goffi_reader *r = (goffi_reader *)self;
    if (r->count > 0 && r->kind == GOFFI_SLOT_INT) {
        /* The hot path (a channel of integers): one int per value, nothing else. */
        PyObject *v = PyLong_FromLongLong((long long)(int64_t)r->slots[r->head]);
        if (v != NULL) {
            r->head++;
            r->count--;
        }
        return v;
    }
    int32_t status;
    /* Closed and drained: NULL with no exception is StopIteration. */
    return goffi_reader_take(r, GOFFI_BATCH, -1, 0, &status, 0);
}

/* _recv(timeout=None) -> the next value (Channel.recv) */
static PyObject *goffi_reader_recv(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    int64_t timeout = -1;
    if (nargs > 1) { /* not goffi_check_nargs: values already taken need no Go, even after fork */
        PyErr_Format(PyExc_TypeError, "Channel.recv() takes at most 1 argument (%zd given)", nargs);
        return NULL;
    }
    if (nargs == 1 && goffi_timeout_ns(args[0], &timeout) < 0) {
        return NULL;
    }
    int32_t status;
    PyObject *v = goffi_reader_take((goffi_reader *)self, 1, timeout, 0, &status, 0);
    if (status == GOFFI_CHAN_CLOSED) {
        return goffi_closed_error("Channel.recv");
    }
    if (status == GOFFI_CHAN_TIMEOUT) {
        return goffi_timeout_error("Channel.recv");
    }
    return v;
}

/* _try_recv() -> (value, True), or (None, False) when no value is ready (Channel.try_recv) */
static PyObject *goffi_reader_try_recv(PyObject *self, PyObject *unused) {
    (void)unused;
    int32_t status;
    PyObject *v = goffi_reader_take((goffi_reader *)self, 1, 0, 1, &status, 0);
    if (v != NULL) {
        return Py_BuildValue("(NO)", v, Py_True);
    }
    if (status == GOFFI_CHAN_CLOSED) {
        return goffi_closed_error("Channel.try_recv");
    }
    if (status == GOFFI_CHAN_EMPTY) {
        return Py_BuildValue("(OO)", Py_None, Py_False);
    }
    return NULL;
}

/* _fill(timeout) -> True once the reader holds values, False if the channel is closed
 * and drained; TimeoutError if timeout passed first (async iteration waits with it in
 * an executor thread, then takes the values with _pop). */
static PyObject *goffi_reader_fill_py(PyObject *self, PyObject *timeout_arg) {
    goffi_reader *r = (goffi_reader *)self;
    int64_t timeout;
    if (goffi_timeout_ns(timeout_arg, &timeout) < 0) {
        return NULL;
    }
again:
    if (r->count > 0) {
        Py_RETURN_TRUE;
    }
    int32_t status;
    if (r->ring != NULL) { /* goffi_chanring.c: a running pump's values, or none from Go while it runs */
        PyObject *held = goffi_ring_take(r, GOFFI_RING_PEEK, &timeout, &status);
        if (status == GOFFI_CHAN_OK || status == -1) {
            return held;
        }
        if (status == GOFFI_CHAN_TIMEOUT) {
            return goffi_timeout_error("Channel iteration");
        }
        if (status == GOFFI_CHAN_CLOSED) {
            Py_RETURN_FALSE;
        }
    }
    int locked = goffi_reader_lock(r, &timeout);
    if (locked <= 0) {
        return locked < 0 ? NULL : goffi_timeout_error("Channel iteration");
    }
    if (r->count == 0 && goffi_ring_busy(r)) {
        PyThread_release_lock(r->lock);
        goto again;
    }
    status = r->count > 0 ? GOFFI_CHAN_OK : goffi_reader_fill(r, GOFFI_BATCH, timeout, 0);
    PyThread_release_lock(r->lock);
    switch (status) {
    case GOFFI_CHAN_OK:
        Py_RETURN_TRUE;
    case GOFFI_CHAN_CLOSED:
        Py_RETURN_FALSE;
    case GOFFI_CHAN_TIMEOUT:
        return goffi_timeout_error("Channel iteration");
    }
    return NULL;
}

/* _pop(default) -> the next value the reader already holds, else default (no waiting
 * for values; a running pump is stopped first, see goffi_chanring.c) */
static PyObject *goffi_reader_pop_py(PyObject *self, PyObject *dflt) {
    goffi_reader *r = (goffi_reader *)self;
    if (r->count > 0) {
        return goffi_reader_pop(r);
    }
    if (r->ring != NULL) {
        int64_t forever = -1;
        int32_t status;
        PyObject *v = goffi_ring_take(r, GOFFI_RING_PAUSE, &forever, &status);
        if (v != NULL || status == -1) {
            return v;
        }
    }
    return Py_NewRef(dflt);
}

/* len(reader): how many values it holds (taken from Go, not yet yielded). */
static Py_ssize_t goffi_reader_len(PyObject *self) {
    return ((goffi_reader *)self)->count + goffi_ring_count((goffi_reader *)self);
}

static int goffi_reader_traverse(PyObject *self, visitproc visit, void *arg) {
    goffi_reader *r = (goffi_reader *)self;
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(r->handle);
    Py_VISIT(r->items);
    return 0;
}

static int goffi_reader_clear(PyObject *self) {
    goffi_reader *r = (goffi_reader *)self;
    goffi_ring_drop(r);
    r->count = 0;
    Py_CLEAR(r->items);
    Py_CLEAR(r->handle);
    return 0;
}

static void goffi_reader_dealloc(PyObject *self) {
    goffi_reader *r = (goffi_reader *)self;
    PyTypeObject *type = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    goffi_reader_clear(self);
    PyMem_Free(r->slots);
    if (r->lock != NULL) {
        PyThread_free_lock(r->lock);
    }
    type->tp_free(self);
    Py_DECREF(type);
}

static PyMethodDef goffi_reader_methods[] = {
    {"_recv", (PyCFunction)(void (*)(void))goffi_reader_recv, METH_FASTCALL, NULL},
    {"_try_recv", goffi_reader_try_recv, METH_NOARGS, NULL},
    {"_fill", goffi_reader_fill_py, METH_O, NULL},
    {"_pop", goffi_reader_pop_py, METH_O, NULL},
    {"_loop", goffi_reader_loop_py, METH_NOARGS, NULL},
    {"_pumped", goffi_reader_pumped_py, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot goffi_reader_slots[] = {
    {Py_tp_doc, (void *)"Iterates a goffi.Channel: iter(channel) is its reader (see goffi_bridge.c)."},
    {Py_tp_dealloc, goffi_reader_dealloc},
    {Py_tp_traverse, goffi_reader_traverse},
    {Py_tp_clear, goffi_reader_clear},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, goffi_reader_iternext},
    {Py_tp_methods, goffi_reader_methods},
    {Py_sq_length, goffi_reader_len},
    {0, NULL},
};

static PyType_Spec goffi_reader_spec = {
    "goffi.ChannelIterator",
    sizeof(goffi_reader),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    goffi_reader_slots,
};

/* _chan_reader(handle) -> the reader of a channel handle (one per goffi.Channel) */
PyObject *goffi_chan_reader_py(PyObject *self, PyObject *h) {
    (void)self;
    uint64_t id = goffi_chan_id(h);
    if (id == 0) {
        return NULL;
    }
    goffi_reader *r = PyObject_GC_New(goffi_reader, goffi_reader_type);
    if (r == NULL) {
        return NULL;
    }
    r->handle = Py_NewRef(h);
    r->id = id;
    r->kind = -1;
    r->slots = NULL;
    r->items = NULL;
    r->head = r->count = 0;
    r->ring = NULL;
    r->loops = 0;
    if ((r->lock = PyThread_allocate_lock()) == NULL) {
        Py_DECREF(r);
        return PyErr_NoMemory();
    }
    PyObject_GC_Track((PyObject *)r);
    return (PyObject *)r;
}

typedef struct {
    uint64_t *ids;
    uint8_t *sends;
    goffi_any *values;
    int64_t n;
    uint8_t dflt;
    int64_t chosen;
    uint8_t closed;
    goffi_any out;
} goffi_select_ctx;

static int32_t goffi_select_op(void *p, int64_t slice, goffi_err *err, goffi_arena *a) {
    goffi_select_ctx *c = p;
    c->closed = 0;
    goffi_chan_select(c->ids, c->sends, c->values, c->n, slice, c->dflt, &c->chosen, &c->closed, &c->out, err, a);
    return c->chosen == -1 ? GOFFI_CHAN_TIMEOUT : GOFFI_CHAN_OK;
}

/* _chan_select(handles, sends, values, timeout, default) -> (index, value) or None */
PyObject *goffi_chan_select_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (goffi_check_nargs("goffi.select", nargs, 5, 5) < 0) {
        return NULL;
    }
    PyObject *handles = args[0], *sends = args[1], *values = args[2];
    if (!PyTuple_Check(handles) || !PyTuple_Check(sends) || !PyTuple_Check(values)) {
        PyErr_SetString(PyExc_TypeError, "goffi.select: internal arguments must be tuples");
        return NULL;
    }
    goffi_select_ctx c;
    memset(&c, 0, sizeof c);
    c.n = PyTuple_GET_SIZE(handles);
    c.dflt = (uint8_t)PyObject_IsTrue(args[4]);
    int64_t timeout;
    if (goffi_timeout_ns(args[3], &timeout) < 0) {
        return NULL;
    }
    GOFFI_ARENA(arena);
    PyObject *result = NULL;
    c.ids = goffi_arena_alloc(&arena, (size_t)(c.n + 1) * sizeof(uint64_t));
    c.sends = goffi_arena_alloc(&arena, (size_t)(c.n + 1));
    c.values = goffi_arena_alloc(&arena, (size_t)(c.n + 1) * sizeof(goffi_any));
    if (c.ids == NULL || c.sends == NULL || c.values == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 0; i < c.n; i++) {
        c.ids[i] = goffi_chan_id(PyTuple_GET_ITEM(handles, i));
        c.sends[i] = (uint8_t)PyObject_IsTrue(PyTuple_GET_ITEM(sends, i));
        memset(&c.values[i], 0, sizeof(goffi_any));
        if (c.ids[i] == 0 ||
            (c.sends[i] && goffi_in_any(PyTuple_GET_ITEM(values, i), &c.values[i], &arena, "goffi.select() value") < 0)) {
            goto done;
        }
    }
    int32_t status = goffi_chan_wait(goffi_select_op, &c, c.dflt ? 0 : timeout, &arena);
    if (status < 0) {
        goto done;
    }
    if (status == GOFFI_CHAN_TIMEOUT) {
        goffi_timeout_error("goffi.select");
    } else if (c.chosen == -2) {
        result = Py_NewRef(Py_None);
    } else if (c.closed && c.sends[c.chosen]) {
        goffi_closed_error("goffi.select (send)");
    } else if (c.closed) {
        result = Py_BuildValue("(LO)", (long long)c.chosen, goffi_CLOSED);
    } else if (c.sends[c.chosen]) {
        result = Py_BuildValue("(LO)", (long long)c.chosen, Py_None);
    } else {
        PyObject *value = goffi_out_any(&c.out);
        result = value ? Py_BuildValue("(LN)", (long long)c.chosen, value) : NULL;
    }
done:
    goffi_arena_free(&arena);
    return result;
}

int goffi_callback_fail(uint64_t id) {
    PyObject *entry = goffi_callable_entry(id);
    if (entry == NULL) {
        PyErr_WriteUnraisable(NULL);
        return GOFFI_CB_RAISED;
    }
    Py_INCREF(entry);
    int status = goffi_callback_raised(entry);
    Py_DECREF(entry);
    return status;
}

/* ---- Python objects as Go interfaces (goffi.proxies) ---- */

int goffi_in_proxy(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where, const char *iface,
                   const char *names) {
    /* (identity getter, method callables...) in the interface's method order, or TypeError */
    PyObject *t = PyObject_CallFunction(goffi_proxy_methods, "Osss", o, iface, names, where);
    if (t == NULL) {
        return -1;
    }
    if (!PyTuple_Check(t)) {
        PyErr_SetString(PyExc_SystemError, "goffi: goffi.runtime.proxy._methods returned no tuple");
        Py_DECREF(t);
        return -1;
    }
    if (goffi_arena_keep(a, t) < 0) {
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(t);
    uint64_t *ids = goffi_arena_alloc(a, (size_t)(n + 1) * sizeof *ids);
    if (ids == NULL) {
        return -1;
    }
    ids[0] = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        goffi_handle h;
        if (goffi_in_callable(PyTuple_GET_ITEM(t, i), &h, a, where) < 0) {
            goffi_handle done = {(uint64_t)(uintptr_t)ids, GOFFI_CLS_PROXY};
            goffi_callable_abandon(&done);
            return -1;
        }
        ids[i + 1] = h.id;
        ids[0] = (uint64_t)(i + 1);
    }
    out->id = (uint64_t)(uintptr_t)ids;
    out->cls = GOFFI_CLS_PROXY;
    return 0;
}

PyObject *goffi_out_proxy(const goffi_handle *h) {
    if (h->cls != GOFFI_CLS_PROXY) {
        return goffi_handle_object(h);
    }
    /* h->id is the ID of the object's identity getter (a zero-argument callable). */
    PyObject *entry = goffi_callable_entry(h->id);
    if (entry == NULL) {
        PyErr_SetString(PyExc_RuntimeError,
                        "goffi: a Python object Go returned was released before Python got it back");
        return NULL;
    }
    return PyObject_CallNoArgs(PyList_GET_ITEM(entry, 0));
}

PyObject *goffi_cb_lend(const goffi_str *b) {
    static char empty[1];
    return PyMemoryView_FromMemory(b->n > 0 ? (char *)b->p : empty, (Py_ssize_t)b->n, PyBUF_WRITE);
}

void goffi_cb_unlend(PyObject *view) {
    if (view == NULL) {
        return;
    }
    /* Go's memory is valid for the call only: a view Python kept is unusable after it. */
    PyObject *r = PyObject_CallMethod(view, "release", NULL);
    if (r == NULL) {
        PyErr_WriteUnraisable(view); /* an export of the view (BufferError) outlives the call */
    }
    Py_XDECREF(r);
}

int goffi_cb_map_error(goffi_err *err, goffi_arena *a) {
    if (PyErr_Occurred() == NULL) {
        return -1;
    }
    PyObject *type, *exc, *tb;
    PyErr_Fetch(&type, &exc, &tb);
    PyErr_NormalizeException(&type, &exc, &tb);
    if (exc != NULL && PyObject_IsInstance(exc, goffi_proxy_GoError) == 1) {
        PyObject *value = PyObject_GetAttrString(exc, "go_value");
        if (value != NULL && value != Py_None && Py_TYPE(value)->tp_dealloc == goffi_object_dealloc) {
            memset(err, 0, sizeof *err);
            err->kind = GOFFI_ERROR;
            err->value.id = ((goffi_object *)value)->handle;
            err->value.cls = ((goffi_object *)value)->cls;
            Py_DECREF(value);
            Py_XDECREF(type);
            Py_XDECREF(tb);
            /* the arena keeps the exception, which keeps the value, until Go has the error */
            return goffi_arena_keep(a, exc) == 0 ? GOFFI_CB_GOERR : -1;
        }
        Py_XDECREF(value);
        PyErr_Clear();
    } else if (exc != NULL && PyErr_GivenExceptionMatches(exc, PyExc_EOFError)) {
        Py_XDECREF(type);
        Py_XDECREF(exc);
        Py_XDECREF(tb);
        return GOFFI_CB_EOF;
    }
    PyErr_Restore(type, exc, tb);
    return -1;
}

int goffi_proxy_call(uint64_t id, PyObject *const *args, Py_ssize_t nargs, PyObject **result, goffi_err *err,
                     goffi_arena *a) {
    *result = NULL;
    PyObject *entry = goffi_callable_entry(id);
    if (entry == NULL) {
        return GOFFI_CB_GONE;
    }
    Py_INCREF(entry);
    *result = PyObject_Vectorcall(PyList_GET_ITEM(entry, 0), args, (size_t)nargs, NULL);
    int status = GOFFI_CB_OK;
    if (*result == NULL) {
        status = goffi_cb_map_error(err, a);
        if (status < 0) {
            status = goffi_callback_raised(entry);
        }
    }
    Py_DECREF(entry);
    return status;
}

/* A Python object passed as Go any: one with an Error method is a Go error, one with a
 * String method a fmt.Stringer (so fmt prints it with it); 1 for neither. */
static int goffi_any_proxy_in(PyObject *o, goffi_any *out, goffi_arena *a, const char *where) {
    const char *names[] = {"Error", "String"};
    for (int i = 0; i < 2; i++) {
        PyObject *m = PyObject_GetAttrString(o, names[i]);
        if (m == NULL) {
            PyErr_Clear();
            continue;
        }
        int ok = PyCallable_Check(m);
        Py_DECREF(m);
        if (!ok) {
            continue;
        }
        goffi_handle h;
        if (goffi_in_proxy(o, &h, a, where, i == 0 ? "error" : "fmt.Stringer", names[i]) < 0) {
            return -1;
        }
        out->tag = GOFFI_ANY_HANDLE;
        out->i = (int64_t)h.id;
        out->cls = i == 0 ? GOFFI_CLS_PROXY_ERROR : GOFFI_CLS_PROXY;
        return 0;
    }
    return 1;
}

goffi_cbr_text goffi_cb_proxy_text(uint64_t id, goffi_arena *arena) {
    goffi_cbr_text ret;
    memset(&ret, 0, sizeof ret);
    if (!goffi_cb_available()) {
        ret.status = GOFFI_CB_GONE;
        return ret;
    }
    PyGILState_STATE gil = goffi_cb_enter();
    PyObject *result = NULL;
    ret.status = goffi_callback_call(id, NULL, 0, &result);
    if (ret.status == GOFFI_CB_OK) {
        Py_ssize_t n = 0;
        const char *text = NULL;
        if (!PyUnicode_Check(result)) {
            PyErr_Format(PyExc_TypeError, "a Python String() or Error() method for Go must return str, not %.200s",
                         Py_TYPE(result)->tp_name);
        } else {
            text = PyUnicode_AsUTF8AndSize(result, &n);
        }
        char *copy = text != NULL ? goffi_arena_alloc(arena, (size_t)n + 1) : NULL;
        if (copy == NULL) {
            ret.status = goffi_callback_fail(id);
        } else {
            memcpy(copy, text, (size_t)n);
            ret.r0.p = copy;
            ret.r0.n = n;
        }
    }
    Py_XDECREF(result);
    goffi_cb_leave(gil);
    return ret;
}
