//go:build goffi_bridge

/*
 * goffi_bridge.c: the C half of the goroutine bridge (channels and callbacks), built
 * only into bundles whose API needs it (go build -tags goffi_bridge).
 *
 * Callbacks: goroutines call Python on threads Python never saw. Each such OS thread
 * gets one Python thread state that it keeps (pinned with a PyGILState_Ensure never
 * released), so a callback costs a GIL acquisition, not a new thread state.
 *
 * Channels: blocking operations wait in short slices with the GIL released and check
 * for signals between slices, so Ctrl-C interrupts them.
 */
#include "goffi_py.h"
#include "_cgo_export.h"

#include <stdlib.h>
#include <string.h>

/* ---- shutdown and threads -------------------------------------------------------- */

/* Set at interpreter exit: later callbacks from goroutines do not touch Python. */
static volatile int goffi_shutting_down = 0;

PyObject *goffi_shutdown_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    goffi_shutting_down = 1;
    Py_RETURN_NONE;
}

static __thread int goffi_thread_pinned = 0;

/* Take the GIL on any thread; a thread Python never saw keeps its thread state. */
PyGILState_STATE goffi_cb_enter(void) {
    PyGILState_STATE state = PyGILState_Ensure();
    if (!goffi_thread_pinned) {
        PyGILState_Ensure(); /* never released: this thread's state stays for later callbacks */
        goffi_thread_pinned = 1;
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
    if (entry == NULL || goffi_arena_detach(a, entry) < 0) {
        Py_XDECREF(entry);
        return -1;
    }
    uint64_t id = goffi_callable_add(entry);
    if (id == 0) {
        return -1;
    }
    out->id = id;
    out->cls = GOFFI_CLS_CALLABLE;
    return 0;
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
    char *copy = goffi_arena_alloc(a, (size_t)s->n);
    if (copy == NULL) {
        return -1;
    }
    memcpy(copy, s->p, (size_t)s->n);
    s->p = copy;
    return 0;
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
static PyObject *goffi_ChannelClosed;
static PyObject *goffi_CLOSED;

int goffi_bridge_init(void) {
    PyObject *rt = PyImport_ImportModule("goffi.runtime.bridge");
    if (rt == NULL) {
        return -1;
    }
    goffi_channel_factory = PyObject_GetAttrString(rt, "_channel");
    goffi_ChannelClosed = PyObject_GetAttrString(rt, "ChannelClosed");
    goffi_CLOSED = PyObject_GetAttrString(rt, "CLOSED");
    Py_DECREF(rt);
    return goffi_channel_factory && goffi_ChannelClosed && goffi_CLOSED ? 0 : -1;
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

typedef struct { uint64_t id; goffi_any value; int64_t max; goffi_any out; } goffi_chan_ctx;

static int32_t goffi_recv_op(void *p, int64_t slice, goffi_err *err, goffi_arena *a) {
    goffi_chan_ctx *c = p;
    int32_t status = 0;
    goffi_chan_recv(c->id, slice, 0, &c->out, &status, err, a);
    return status;
}

static int32_t goffi_recv_batch_op(void *p, int64_t slice, goffi_err *err, goffi_arena *a) {
    goffi_chan_ctx *c = p;
    int32_t status = 0;
    goffi_chan_recv_batch(c->id, c->max, slice, &c->out, &status, err, a);
    return status;
}

static int32_t goffi_send_op(void *p, int64_t slice, goffi_err *err, goffi_arena *a) {
    goffi_chan_ctx *c = p;
    int32_t status = 0;
    goffi_chan_send(c->id, &c->value, slice, 0, &status, err, a);
    return status;
}

/* _chan_recv(h, timeout) -> value */
PyObject *goffi_chan_recv_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (goffi_check_nargs("Channel.recv", nargs, 2, 2) < 0) {
        return NULL;
    }
    goffi_chan_ctx c = {0};
    int64_t timeout;
    if ((c.id = goffi_chan_id(args[0])) == 0 || goffi_timeout_ns(args[1], &timeout) < 0) {
        return NULL;
    }
    GOFFI_ARENA(arena);
    PyObject *result = NULL;
    int32_t status = goffi_chan_wait(goffi_recv_op, &c, timeout, &arena);
    if (status == GOFFI_CHAN_OK) {
        result = goffi_out_any(&c.out);
    } else if (status == GOFFI_CHAN_CLOSED) {
        goffi_closed_error("Channel.recv");
    } else if (status == GOFFI_CHAN_TIMEOUT) {
        goffi_timeout_error("Channel.recv");
    }
    goffi_arena_free(&arena);
    return result;
}

/* _chan_recv_batch(h, max, timeout) -> list, or None once closed and drained */
PyObject *goffi_chan_recv_batch_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (goffi_check_nargs("Channel.__next__", nargs, 3, 3) < 0) {
        return NULL;
    }
    goffi_chan_ctx c = {0};
    int64_t timeout;
    if ((c.id = goffi_chan_id(args[0])) == 0 || goffi_timeout_ns(args[2], &timeout) < 0) {
        return NULL;
    }
    c.max = PyLong_AsLongLong(args[1]);
    if (c.max == -1 && PyErr_Occurred()) {
        return NULL;
    }
    GOFFI_ARENA(arena);
    PyObject *result = NULL;
    int32_t status = goffi_chan_wait(goffi_recv_batch_op, &c, timeout, &arena);
    if (status == GOFFI_CHAN_OK) {
        result = goffi_out_any(&c.out);
    } else if (status == GOFFI_CHAN_CLOSED) {
        result = Py_NewRef(Py_None);
    } else if (status == GOFFI_CHAN_TIMEOUT) {
        goffi_timeout_error("Channel iteration");
    }
    goffi_arena_free(&arena);
    return result;
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

/* _chan_try_recv(h) -> (value, ok) */
PyObject *goffi_chan_try_recv_py(PyObject *self, PyObject *h) {
    (void)self;
    uint64_t id = goffi_chan_id(h);
    if (id == 0 || goffi_check_nargs("Channel.try_recv", 0, 0, 0) < 0) {
        return NULL;
    }
    GOFFI_ARENA(arena);
    goffi_err err = {0};
    goffi_any out;
    memset(&out, 0, sizeof out);
    int32_t status = 0;
    PyObject *result = NULL;
    Py_BEGIN_ALLOW_THREADS
    goffi_chan_recv(id, 0, 1, &out, &status, &err, &arena);
    Py_END_ALLOW_THREADS
    if (err.kind != GOFFI_OK) {
        goffi_raise(&err);
    } else if (status == GOFFI_CHAN_CLOSED) {
        goffi_closed_error("Channel.try_recv");
    } else if (status == GOFFI_CHAN_EMPTY) {
        result = Py_BuildValue("(OO)", Py_None, Py_False);
    } else {
        PyObject *value = goffi_out_any(&out);
        result = value ? Py_BuildValue("(NO)", value, Py_True) : NULL;
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
