//go:build goffi_bridge

/*
 * goffi_bridge_chan.c: channels: crossing as goffi.Channel, and send, close, len and select,
 * whose blocking waits are cut into slices so that Ctrl-C interrupts them.
 */
#include "goffi_bridge.h"

#include <string.h>

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
uint64_t goffi_chan_id(PyObject *h) {
    if (Py_TYPE(h)->tp_dealloc != goffi_object_dealloc) {
        PyErr_SetString(PyExc_TypeError, "not a Go channel handle");
        return 0;
    }
    return ((goffi_object *)h)->handle;
}

/* timeout (seconds, or None: forever) -> nanoseconds, or -1 for forever. */
int goffi_timeout_ns(PyObject *timeout, int64_t *out) {
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

PyObject *goffi_timeout_error(const char *what) {
    PyErr_Format(PyExc_TimeoutError, "%s: the timeout passed", what);
    return NULL;
}

PyObject *goffi_closed_error(const char *what) {
    PyErr_Format(goffi_ChannelClosed, "%s: the channel is closed", what);
    return NULL;
}

int32_t goffi_chan_wait(goffi_chan_op op, void *ctx, int64_t timeout_ns, goffi_arena *a) {
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
