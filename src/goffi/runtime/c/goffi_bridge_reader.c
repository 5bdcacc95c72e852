//go:build goffi_bridge

/*
 * goffi_bridge_reader.c: a channel's receiving half (goffi.ChannelIterator): recv, try_recv,
 * and iteration in C, in batches.
 */
#include "goffi_bridge.h"
#include "goffi_chanring.h"

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
    {Py_tp_doc, (void *)"Receives from a goffi.Channel (its _r): recv, try_recv, next; iter(channel) is a loop over it (see goffi_bridge_reader.c, goffi_chanring.c)."},
    {Py_tp_dealloc, goffi_reader_dealloc},
    {Py_tp_traverse, goffi_reader_traverse},
    {Py_tp_clear, goffi_reader_clear},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, goffi_reader_iternext},
    {Py_tp_methods, goffi_reader_methods},
    {Py_sq_length, goffi_reader_len},
    {0, NULL},
};

PyType_Spec goffi_reader_spec = {
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
