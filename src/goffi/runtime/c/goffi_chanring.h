/*
 * goffi_chanring.h: a channel's reader (goffi_bridge_reader.c) and the ring its pump
 * fills while Python loops iterate it (goffi_chanring.c). Part of the goroutine bridge:
 * hidden, like goffi_bridge.h's names.
 */
#ifndef GOFFI_CHANRING_H
#define GOFFI_CHANRING_H

#include "goffi_bridge.h"

#define GOFFI_BATCH 256

typedef struct {
    PyObject_HEAD
    PyObject *handle;        /* the channel's handle object (keeps the Go channel alive) */
    uint64_t id;
    int32_t kind;            /* GOFFI_SLOT_*: how slots hold values; -1 until Go told */
    PyThread_type_lock lock; /* held while receiving from Go for this reader */
    uint64_t *slots;         /* typed values: slots[head .. head+count) not yet yielded */
    PyObject *items;         /* or, for other element types, items[head .. head+count) */
    Py_ssize_t head, count;
    goffi_ring *ring;        /* goffi_chanring.c: what a pump took (after the above), or NULL */
    Py_ssize_t loops;        /* live loops (goffi.ChannelLoop) over this reader */
} goffi_reader;

/* goffi_bridge_reader.c */
GOFFI_HIDDEN PyObject *goffi_slot_object(int32_t kind, uint64_t slot);
/* The reader's next value: one it holds, else from Go (up to max at once); with pump,
 * a pump may start to receive for it (goffi_ring_start). NULL with *status CLOSED,
 * TIMEOUT or EMPTY and no exception, or NULL, -1 and an exception. */
GOFFI_HIDDEN PyObject *goffi_reader_take(goffi_reader *r, int64_t max, int64_t timeout_ns, int try_, int32_t *status, int pump);

/* goffi_chanring.c */
GOFFI_HIDDEN int goffi_chanring_init(void);
/* How goffi_ring_take waits: for values (recv, iteration), not at all (try_recv: a
 * running pump means nothing is ready), for a running pump to stop (before select
 * receives from Go), or for values without taking one (async iteration's _fill). */
enum { GOFFI_RING_WAIT = 0, GOFFI_RING_TRY = 1, GOFFI_RING_PAUSE = 2, GOFFI_RING_PEEK = 3 };
/* *status when the ring holds nothing and no pump runs: the caller receives from Go. */
#define GOFFI_RING_GO (-2)
/* The next value of r's ring (r->ring != NULL, r->count == 0): see goffi_chanring.c. */
GOFFI_HIDDEN PyObject *goffi_ring_take(goffi_reader *r, int mode, int64_t *timeout_ns, int32_t *status);
/* 1 while r's ring holds values or a pump runs for it (no receiving from Go then). */
GOFFI_HIDDEN int goffi_ring_busy(goffi_reader *r);
/* Start a pump for r (its lock held, nothing held, no pump running): 1 if started, 0 if
 * not (an element type it does not pump), -1 with an exception. */
GOFFI_HIDDEN int goffi_ring_start(goffi_reader *r);
/* Values r's ring holds. */
GOFFI_HIDDEN Py_ssize_t goffi_ring_count(goffi_reader *r);
/* The reader is going: stop its pump, drop its reference to the ring. */
GOFFI_HIDDEN void goffi_ring_drop(goffi_reader *r);
/* _loop() -> a new goffi.ChannelLoop over the reader (what iter(channel) returns). */
GOFFI_HIDDEN PyObject *goffi_reader_loop_py(PyObject *self, PyObject *unused);
/* _pumped() -> how many values pumps have moved into the reader's ring (for tests). */
GOFFI_HIDDEN PyObject *goffi_reader_pumped_py(PyObject *self, PyObject *unused);

#endif
