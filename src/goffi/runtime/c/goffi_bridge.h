/*
 * goffi_bridge.h: what the goroutine bridge's C files (goffi_bridge*.c) share among
 * themselves. Declared hidden: like the static names they were in one file, they are
 * not exported from the bundle's library.
 *
 *   goffi_bridge.c            shutdown, threads taking the GIL, goffi_bridge_init
 *   goffi_bridge_callables.c  the Python callables Go holds, and calling them
 *   goffi_bridge_chan.c       channels: crossing, send, close, len, select
 *   goffi_bridge_reader.c     a channel's receiving half (iteration in C)
 *   goffi_chanring.c          channel pumps: a loop's ring a goroutine fills (goffi_chanring.h)
 *   goffi_bridge_proxy.c      Python objects as Go interfaces (goffi.proxies)
 */
#ifndef GOFFI_BRIDGE_H
#define GOFFI_BRIDGE_H

#include "goffi_py.h"
#include "goffi_exports.h"

#define GOFFI_HIDDEN __attribute__((visibility("hidden")))

/* ---- goffi_bridge.c: set by goffi_bridge_init ---- */

GOFFI_HIDDEN extern PyObject *goffi_channel_factory; /* goffi.runtime.bridge._channel */
GOFFI_HIDDEN extern PyObject *goffi_proxy_methods;   /* goffi.runtime.proxy._methods */
GOFFI_HIDDEN extern PyObject *goffi_proxy_GoError;   /* goffi.runtime.GoError */
GOFFI_HIDDEN extern PyTypeObject *goffi_reader_type; /* goffi.ChannelIterator (goffi_bridge_reader.c) */
GOFFI_HIDDEN extern PyObject *goffi_ChannelClosed;
GOFFI_HIDDEN extern PyObject *goffi_CLOSED;

/* ---- goffi_bridge_callables.c ---- */

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

GOFFI_HIDDEN extern goffi_callable_slot *goffi_callables;
GOFFI_HIDDEN extern uint32_t goffi_callables_used; /* slots handed out at least once */

/* The entry of a live callable (borrowed), or NULL if the ID was released. */
static inline PyObject *goffi_callable_entry(uint64_t id) {
    uint32_t i = (uint32_t)id - 1; /* wraps for a low half of 0: out of range */
    if (i >= goffi_callables_used || goffi_callables[i].gen != (uint32_t)(id >> 32)) {
        return NULL;
    }
    return goffi_callables[i].entry;
}

/* Release the callable with that ID (goffi_callable_release_hook). */
void goffi_callable_release(uint64_t id);
/* Releases every live callable (at exit: see goffi_shutdown_py). The GIL is held. */
GOFFI_HIDDEN void goffi_callables_drop_all(void);

/* ---- goffi_bridge_chan.c ---- */

/* The slices a blocking wait is cut into, so signals are checked between them. */
#define GOFFI_SLICE_NS 50000000LL /* 50 ms */

/* One blocking channel operation, in slices: op(slice) until it is not a timeout, the
 * timeout passes, or a signal handler raises (Ctrl-C). */
typedef int32_t (*goffi_chan_op)(void *ctx, int64_t slice_ns, goffi_err *err, goffi_arena *a);

GOFFI_HIDDEN int32_t goffi_chan_wait(goffi_chan_op op, void *ctx, int64_t timeout_ns, goffi_arena *a);
/* The handle of a Channel's handle object (its _h), or 0 with TypeError. */
GOFFI_HIDDEN uint64_t goffi_chan_id(PyObject *h);
/* timeout (seconds, or None: forever) -> nanoseconds, or -1 for forever. */
GOFFI_HIDDEN int goffi_timeout_ns(PyObject *timeout, int64_t *out);
/* TimeoutError and goffi.ChannelClosed for `what`: NULL, raised. */
GOFFI_HIDDEN PyObject *goffi_timeout_error(const char *what);
GOFFI_HIDDEN PyObject *goffi_closed_error(const char *what);

/* ---- goffi_bridge_reader.c ---- */

GOFFI_HIDDEN extern PyType_Spec goffi_reader_spec;

/* ---- goffi_bridge_proxy.c ---- */

/* A Python object passed as Go any (goffi_any_proxy). */
GOFFI_HIDDEN int goffi_any_proxy_in(PyObject *o, goffi_any *out, goffi_arena *a, const char *where);

#endif
