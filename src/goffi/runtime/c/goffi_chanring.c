//go:build goffi_bridge

/*
 * goffi_chanring.c: channel pumps, the fast path of `for v in channel`.
 *
 * A Python thread cannot run goroutines: when a loop receives from Go in batches, every
 * batch that finds the channel empty costs a futex wake-up of an OS thread to run the
 * parked producer and one of the loop's thread. So a loop that has taken one batch
 * (goffi_bridge_reader.c) and goes on gets a pump: a goroutine
 * (goffi_chanpump.go) that receives from the channel into this ring, handed values by the
 * producer goroutine to goroutine as a Go consumer is, while the loop reads the ring with
 * no call into Go. The loop's thread waits (GIL released) only on an empty ring: a short
 * spin, then a futex; the pump waits only on a full ring, woken when half of it is free.
 *
 * Exactness (the rules of goffi_bridge_reader.c's batches hold):
 *   - a pump runs only while a loop (goffi.ChannelLoop: iter(channel), one per for loop)
 *     over the channel lives: the last one to end asks it to stop, so a channel no Python
 *     loop reads is left to Go's other receivers; a pump holds at most GOFFI_RING_SLOTS
 *     values it took (the ring), which stay with the Channel, in order, for its next
 *     receive of any kind, after those a batch took (reader->count) and before any
 *     receive from Go: nothing receives from Go for a reader while its ring holds values
 *     or its pump runs;
 *   - values reach Python in the channel's order, each once (the consumers hold the GIL);
 *   - recv waits for a running pump's values (with its timeout, Ctrl-C between slices);
 *     try_recv reports nothing ready while the ring is empty and a pump runs (it moves
 *     every ready value); select and async iteration first stop a running pump (the next
 *     value of a loop restarts it), so they never get a value before one the pump took;
 *   - a closed channel ends the pump once every value is in the ring; after fork the
 *     ring's values are still received (no pump runs in the child).
 */
#include "goffi_chanring.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* The ring's slots (a power of two): the most values a pump takes ahead of the loop. */
#define GOFFI_RING_SLOTS 16384
/* How long a loop finding the ring empty polls it before it sleeps on the futex. None:
 * polling spends a CPU that, on a loaded machine, is taken from the producer and the
 * pump (measured: polling for 3-20 us cost more CPU per value than it saved). */
#define GOFFI_RING_SPIN_NS 0
/* A loop that finds the ring empty first sleeps for a batch: until the pump has
 * published goffiPumpWakeAfter values (goffi_chanpump.go) or for g->batch_ns, whichever
 * comes first; a producer refilling a small buffer adds values meanwhile, with no
 * wake-up per buffer. If the ring is still empty then, the loop sleeps until the pump
 * publishes its next value. The batch adapts to the stream: it doubles (up to the
 * longest) while each one ends with at least GOFFI_RING_DENSE values waiting (a fast
 * stream: fewer wake-ups), and halves (down to the shortest) when fewer came (a slow
 * stream, or one value at a time in reply to the loop: less waiting for it). */
#define GOFFI_RING_BATCH_MIN_NS 50000
#define GOFFI_RING_BATCH_MAX_NS 400000
#define GOFFI_RING_DENSE 256
/* Blocking waits are cut into slices for signal checks (as goffi_bridge_chan.c's). */
#define GOFFI_RING_SLICE_NS 50000000LL

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

static int64_t goffi_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void goffi_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* ---- the pump's side ------------------------------------------------------------- */

void goffi_ring_wake(goffi_ring *g) {
    __atomic_add_fetch(&g->seq, 1, __ATOMIC_SEQ_CST);
#ifdef __linux__
    syscall(SYS_futex, &g->seq, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
#endif
}

void goffi_ring_release(goffi_ring *g) {
    if (__atomic_sub_fetch(&g->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        free(g->slots);
        free(g);
    }
}

/* ---- the consumers' side (GIL held unless said) ---------------------------------- */

/* Wake the pump if it waits for room that the loop has made (head reached wake_at). */
static void goffi_ring_room(goffi_ring *g, uint64_t head) {
    uint64_t at = __atomic_load_n(&g->wake_at, __ATOMIC_SEQ_CST);
    if (head >= at && !goffi_forked &&
        __atomic_compare_exchange_n(&g->wake_at, &at, ~(uint64_t)0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        goffi_chanpump_room(g);
    }
}

/* The next value in g (one is there): a Python object, or NULL (the value stays). */
static PyObject *goffi_ring_pop(goffi_ring *g) {
    uint64_t h = g->head;
    uint64_t slot = g->slots[h & g->mask];
    PyObject *v = g->kind == GOFFI_SLOT_INT ? PyLong_FromLongLong((long long)(int64_t)slot)
                                            : goffi_slot_object(g->kind, slot);
    if (v != NULL) {
        STORE(&g->head, h + 1);
        if (GOFFI_UNLIKELY(h + 1 >= *(volatile uint64_t *)&g->wake_at)) {
            goffi_ring_room(g, h + 1);
        }
    }
    return v;
}

/* 1 if g holds a value (refreshing the consumers' view of tail). */
static inline int goffi_ring_ready(goffi_ring *g) {
    return g->head != g->seen || g->head != (g->seen = LOAD(&g->tail));
}

/* GIL released: wait until g's tail moves past head or its pump's state is no longer
 * state, at most until deadline (< 0: none), a slice at most; for a batch (at most
 * g->batch_ns, the pump does not wake it for one value) unless deep. */
static void goffi_ring_wait(goffi_ring *g, uint64_t head, int32_t state, int64_t deadline, int deep) {
    /* The loop emptied the ring: a pump waiting for room gets it now. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    goffi_ring_room(g, head);
    int64_t start = GOFFI_RING_SPIN_NS > 0 ? goffi_now_ns() : 0;
    for (unsigned i = 1; GOFFI_RING_SPIN_NS > 0; i++) {
        if (LOAD(&g->tail) != head || LOAD(&g->state) != state) {
            return;
        }
        goffi_cpu_relax();
        if ((i & 7) == 0 && goffi_now_ns() - start > GOFFI_RING_SPIN_NS) {
            break;
        }
    }
    int64_t slice = deep ? GOFFI_RING_SLICE_NS : g->batch_ns;
    if (deadline >= 0) {
        int64_t left = deadline - goffi_now_ns();
        if (left <= 0) {
            return;
        }
        if (left < slice) {
            slice = left;
        }
    }
    uint32_t seq = __atomic_load_n(&g->seq, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&g->waiting, 1, __ATOMIC_SEQ_CST);
    if (deep) {
        __atomic_add_fetch(&g->deep, 1, __ATOMIC_SEQ_CST);
    }
    if (__atomic_load_n(&g->tail, __ATOMIC_SEQ_CST) == head && __atomic_load_n(&g->state, __ATOMIC_SEQ_CST) == state) {
#ifdef __linux__
        struct timespec ts = {(time_t)(slice / 1000000000LL), (long)(slice % 1000000000LL)};
        syscall(SYS_futex, &g->seq, FUTEX_WAIT_PRIVATE, seq, &ts, NULL, 0);
#else
        (void)seq;
        struct timespec ts = {0, 50000}; /* no futex: poll */
        nanosleep(&ts, NULL);
#endif
    }
    if (deep) {
        __atomic_sub_fetch(&g->deep, 1, __ATOMIC_SEQ_CST);
    }
    __atomic_sub_fetch(&g->waiting, 1, __ATOMIC_SEQ_CST);
}

/* Ask g's pump to stop (it publishes what it took, then goes IDLE). */
static void goffi_ring_stop(goffi_ring *g) {
    int32_t running = GOFFI_PUMP_RUNNING;
    if (!goffi_forked && __atomic_compare_exchange_n(&g->state, &running, GOFFI_PUMP_STOPPING, 0, __ATOMIC_SEQ_CST,
                                                     __ATOMIC_SEQ_CST)) {
        goffi_chanpump_stop(g);
    }
}

PyObject *goffi_ring_take(goffi_reader *r, int mode, int64_t *timeout_ns, int32_t *status) {
    goffi_ring *g = r->ring;
    int64_t deadline = *timeout_ns < 0 ? -1 : goffi_now_ns() + *timeout_ns;
    *status = GOFFI_CHAN_OK;
    for (int waits = 0;; waits++) {
        if (goffi_ring_ready(g)) {
            if (mode == GOFFI_RING_PEEK) {
                Py_RETURN_TRUE;
            }
            PyObject *v = goffi_ring_pop(g);
            if (v == NULL) {
                *status = -1;
            }
            return v;
        }
        /* In a forked child no pump runs: the ring's values were all there is. */
        int32_t state = goffi_forked ? GOFFI_PUMP_IDLE : LOAD(&g->state);
        if (state == GOFFI_PUMP_IDLE) {
            if (goffi_ring_ready(g)) {
                continue; /* the pump's last values */
            }
            *status = LOAD(&g->closed) ? GOFFI_CHAN_CLOSED : GOFFI_RING_GO;
            return NULL;
        }
        if (mode == GOFFI_RING_TRY) {
            *status = GOFFI_CHAN_EMPTY; /* the pump moves every value that is ready */
            return NULL;
        }
        if (mode == GOFFI_RING_PAUSE) {
            goffi_ring_stop(g);
            state = GOFFI_PUMP_STOPPING;
        }
        if (deadline >= 0 && goffi_now_ns() >= deadline) {
            *status = GOFFI_CHAN_TIMEOUT;
            *timeout_ns = 0;
            return NULL;
        }
        uint64_t head = g->head;
        Py_BEGIN_ALLOW_THREADS
        goffi_ring_wait(g, head, state, deadline, waits > 0);
        Py_END_ALLOW_THREADS
        if (waits == 0) { /* a batch: how many came decides the next one's length */
            if (LOAD(&g->tail) - head >= GOFFI_RING_DENSE) {
                g->batch_ns = g->batch_ns * 2 < GOFFI_RING_BATCH_MAX_NS ? g->batch_ns * 2 : GOFFI_RING_BATCH_MAX_NS;
            } else {
                g->batch_ns = g->batch_ns / 2 > GOFFI_RING_BATCH_MIN_NS ? g->batch_ns / 2 : GOFFI_RING_BATCH_MIN_NS;
            }
        }
        if (PyErr_CheckSignals() < 0) {
            *status = -1;
            return NULL;
        }
        if (deadline >= 0) {
            int64_t left = deadline - goffi_now_ns();
            *timeout_ns = left > 0 ? left : 0;
        }
    }
}

/* _pumped() -> how many values pumps have moved into the reader's ring (for tests). */
PyObject *goffi_reader_pumped_py(PyObject *self, PyObject *unused) {
    (void)unused;
    goffi_ring *g = ((goffi_reader *)self)->ring;
    return PyLong_FromUnsignedLongLong(g == NULL ? 0 : (unsigned long long)LOAD(&g->tail));
}

int goffi_ring_busy(goffi_reader *r) {
    goffi_ring *g = r->ring;
    return g != NULL && (goffi_ring_ready(g) || (!goffi_forked && LOAD(&g->state) != GOFFI_PUMP_IDLE));
}

Py_ssize_t goffi_ring_count(goffi_reader *r) {
    goffi_ring *g = r->ring;
    return g == NULL ? 0 : (Py_ssize_t)(LOAD(&g->tail) - g->head);
}

int goffi_ring_start(goffi_reader *r) {
    if (goffi_forked || r->kind == GOFFI_SLOT_NONE) {
        return 0;
    }
    goffi_ring *g = r->ring;
    if (g == NULL) {
        if ((g = calloc(1, sizeof *g)) == NULL || (g->slots = malloc(GOFFI_RING_SLOTS * sizeof(uint64_t))) == NULL) {
            free(g);
            PyErr_NoMemory();
            return -1;
        }
        g->mask = GOFFI_RING_SLOTS - 1;
        g->batch_ns = GOFFI_RING_BATCH_MIN_NS * 2;
        g->wake_at = ~(uint64_t)0;
        g->kind = -1;
        g->refs = 1; /* the reader's */
        r->ring = g;
    }
    if (g->kind == GOFFI_SLOT_NONE || g->closed || g->state != GOFFI_PUMP_IDLE) {
        return 0;
    }
    __atomic_add_fetch(&g->refs, 1, __ATOMIC_SEQ_CST); /* the pump's */
    __atomic_store_n(&g->state, GOFFI_PUMP_RUNNING, __ATOMIC_SEQ_CST);
    /* With the GIL held (starting a goroutine does not block): no other thread reads
     * the ring before its kind is known. */
    int32_t kind = goffi_chanpump_start(r->id, g);
    if (kind == GOFFI_SLOT_NONE) {
        __atomic_store_n(&g->state, GOFFI_PUMP_IDLE, __ATOMIC_SEQ_CST);
        __atomic_sub_fetch(&g->refs, 1, __ATOMIC_SEQ_CST);
        g->kind = GOFFI_SLOT_NONE; /* not again */
        return 0;
    }
    g->kind = kind;
    return 1;
}

void goffi_ring_drop(goffi_reader *r) {
    goffi_ring *g = r->ring;
    if (g != NULL) {
        r->ring = NULL;
        goffi_ring_stop(g);
        goffi_ring_release(g);
    }
}

/* ---- loops: iter(channel) -------------------------------------------------------- */

/* One Python loop over a channel (iter(channel)): its reader's values, through the
 * reader's ring once a pump runs. While any loop over a reader lives, its pump may run. */
typedef struct {
    PyObject_HEAD
    goffi_reader *reader;
    Py_ssize_t slow; /* calls that found nothing held: the first takes a batch, later ones pump */
    PyObject *spare[2]; /* ints this loop made, kept for reuse (goffi_loop_int) */
    unsigned turn;      /* which spare the next int may reuse */
} goffi_loop;

/*
 * The int a loop yields for a value of a channel of integers. A `for v in channel` loop
 * drops each int when the next one is bound to v, so the int yielded two values ago is
 * referenced only by the loop's spare (refcount 1) by the time the next value is asked
 * for: the loop then writes the new value into that int object instead of freeing one
 * and allocating another (the int object was most of the loop's own work per value).
 * Only when no one else can see the change: an exact int this loop made, nobody else
 * holding it, with one digit and the same sign before and after (so only its digit
 * changes); small ints (CPython's shared -5..256) and everything else come from
 * PyLong_FromLongLong as usual. Not on free-threaded builds (no exact refcount there).
 */
#if PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED) && PYLONG_BITS_IN_DIGIT == 30
#define GOFFI_INT_REUSE 1
static inline digit *goffi_int_digits(PyObject *o) {
#if PY_VERSION_HEX >= 0x030C0000
    return ((PyLongObject *)o)->long_value.ob_digit;
#else
    return ((PyLongObject *)o)->ob_digit;
#endif
}
/* The sign of o if it is an int of exactly one digit, else 0. */
static inline int goffi_int_onedigit(PyObject *o) {
#if PY_VERSION_HEX >= 0x030C0000
    if (!PyUnstable_Long_IsCompact((PyLongObject *)o)) {
        return 0;
    }
    Py_ssize_t v = PyUnstable_Long_CompactValue((PyLongObject *)o);
    return v >= (Py_ssize_t)PyLong_BASE || v <= -(Py_ssize_t)PyLong_BASE || v == 0 ? 0 : v > 0 ? 1 : -1;
#else
    Py_ssize_t size = Py_SIZE(o);
    return size == 1 || size == -1 ? (int)size : 0;
#endif
}
#endif

static inline PyObject *goffi_loop_int(goffi_loop *s, int64_t x) {
#ifdef GOFFI_INT_REUSE
    if ((x > 256 && x < (int64_t)PyLong_BASE) || (x < -5 && x > -(int64_t)PyLong_BASE)) {
        unsigned t = s->turn;
        s->turn = t ^ 1;
        PyObject *o = s->spare[t];
        int sign = x > 0 ? 1 : -1;
        if (o != NULL && Py_REFCNT(o) == 1 && goffi_int_onedigit(o) == sign) {
            goffi_int_digits(o)[0] = (digit)(x > 0 ? x : -x);
            return Py_NewRef(o);
        }
        PyObject *v = PyLong_FromLongLong((long long)x);
        if (v != NULL && goffi_int_onedigit(v) == sign) {
            Py_XSETREF(s->spare[t], Py_NewRef(v));
        }
        return v;
    }
#else
    (void)s;
#endif
    return PyLong_FromLongLong((long long)x);
}

static PyTypeObject *goffi_loop_type;

static PyObject *goffi_loop_next(PyObject *self) {
    goffi_loop *s = (goffi_loop *)self;
    goffi_reader *r = s->reader;
    if (r->count > 0) {
        if (r->kind == GOFFI_SLOT_INT) { /* the batch a loop starts with */
            PyObject *v = goffi_loop_int(s, (int64_t)r->slots[r->head]);
            if (v != NULL) {
                r->head++;
                r->count--;
            }
            return v;
        }
    } else {
        goffi_ring *g = r->ring;
        if (g != NULL && g->kind == GOFFI_SLOT_INT && goffi_ring_ready(g)) { /* the hot path */
            uint64_t h = g->head;
            PyObject *v = goffi_loop_int(s, (int64_t)g->slots[h & g->mask]);
            if (v != NULL) {
                STORE(&g->head, h + 1);
                if (GOFFI_UNLIKELY(h + 1 >= *(volatile uint64_t *)&g->wake_at)) {
                    goffi_ring_room(g, h + 1);
                }
            }
            return v;
        }
    }
    int32_t status;
    int pump = s->slow++ > 0;
    /* Closed and drained: NULL with no exception is StopIteration. */
    return goffi_reader_take(r, GOFFI_BATCH, -1, 0, &status, pump);
}

static int goffi_loop_traverse(PyObject *self, visitproc visit, void *arg) {
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(((goffi_loop *)self)->reader);
    return 0;
}

static void goffi_loop_dealloc(PyObject *self) {
    goffi_loop *s = (goffi_loop *)self;
    PyTypeObject *type = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    Py_CLEAR(s->spare[0]);
    Py_CLEAR(s->spare[1]);
    goffi_reader *r = s->reader;
    if (r != NULL) {
        s->reader = NULL;
        goffi_ring *g = r->ring;
        if (--r->loops == 0 && g != NULL && !goffi_forked && LOAD(&g->state) != GOFFI_PUMP_IDLE) {
            /* No loop left: the pump stops taking values before the loop is gone, so
             * what follows the loop (a Go receiver of the channel, say) gets the rest. */
            goffi_ring_stop(g);
            while (LOAD(&g->state) != GOFFI_PUMP_IDLE) {
                uint64_t head = g->head;
                Py_BEGIN_ALLOW_THREADS
                goffi_ring_wait(g, head, GOFFI_PUMP_STOPPING, -1, 1);
                Py_END_ALLOW_THREADS
            }
        }
        Py_DECREF(r);
    }
    type->tp_free(self);
    Py_DECREF(type);
}

static PyType_Slot goffi_loop_slots[] = {
    {Py_tp_doc, (void *)"A loop over a goffi.Channel: iter(channel) (see goffi_chanring.c)."},
    {Py_tp_dealloc, goffi_loop_dealloc},
    {Py_tp_traverse, goffi_loop_traverse},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, goffi_loop_next},
    {0, NULL},
};

static PyType_Spec goffi_loop_spec = {
    "goffi.ChannelLoop",
    sizeof(goffi_loop),
    0,
    Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    goffi_loop_slots,
};

int goffi_chanring_init(void) {
    goffi_loop_type = (PyTypeObject *)PyType_FromSpec(&goffi_loop_spec);
    return goffi_loop_type != NULL ? 0 : -1;
}

PyObject *goffi_reader_loop_py(PyObject *self, PyObject *unused) {
    (void)unused;
    goffi_loop *s = PyObject_GC_New(goffi_loop, goffi_loop_type);
    if (s == NULL) {
        return NULL;
    }
    s->reader = (goffi_reader *)Py_NewRef(self);
    s->slow = 0;
    s->spare[0] = s->spare[1] = NULL;
    s->turn = 0;
    s->reader->loops++;
    PyObject_GC_Track((PyObject *)s);
    return (PyObject *)s;
}
