/*
 * goffi.h: the C ABI between goffi's generated CPython glue and its Go wrapper.
 *
 * Included by both sides (the cgo preamble of the Go wrapper and the C glue), so it
 * holds only plain C types: nothing here may mention Python.
 *
 * Memory rule: every pointer in these structs points to C memory (or into a Python
 * object kept alive by the caller for the whole call); never to Go memory, which cgo
 * forbids C to keep, except a goffi_view result, whose Go array is pinned. Memory that
 * Go fills with results comes from the call's arena.
 */
#ifndef GOFFI_H
#define GOFFI_H

#include <stddef.h>
#include <stdint.h>

/* A string or byte buffer: p[0..n), not NUL-terminated, may hold NULs. */
typedef struct { const char *p; int64_t n; } goffi_str;

/* A slice or array: p points to n elements, each in its element's C representation. */
typedef struct { void *p; int64_t n; } goffi_slice;

/* A slice that crosses without a copy (zero_copy= functions): p points to n elements.
 * In, p is a Python buffer or arena memory Go views for the call. Out, p points into a
 * Go array that Go pinned and lent to Python under ID `loan` (0: nothing lent); the
 * only Go pointer C may keep, because it is pinned until goffi_return_loan(loan). */
typedef struct { void *p; int64_t n; uint64_t loan; } goffi_view;

/* A map as two parallel arrays of n keys and n values. */
typedef struct { void *keys; void *vals; int64_t n; } goffi_map;

/* complex64 and complex128 both cross as two doubles. */
typedef struct { double re; double im; } goffi_complex;

/* What a call reports besides its results. */
/* A time.Time: Unix seconds and nanoseconds, and its zone (name, seconds east of UTC). */
typedef struct { int64_t sec; int32_t nsec; int32_t offset; goffi_str zone; } goffi_time;

/* A Go value held in the bundle's handle table: its ID (0 is nil) and the index of the
 * Python class of its dynamic type in the bundle's class registry. */
typedef struct { uint64_t id; int32_t cls; } goffi_handle;

/* A Go `any` value, by its dynamic type. */
enum {
    GOFFI_ANY_NIL = 0,
    GOFFI_ANY_BOOL,    /* i: 0 or 1 */
    GOFFI_ANY_INT,     /* i: an int64 (any signed Go integer) */
    GOFFI_ANY_UINT,    /* i: the bits of a uint64 (any unsigned Go integer) */
    GOFFI_ANY_BIGINT,  /* s: decimal text (a Python int beyond 64 bits; Go *big.Int) */
    GOFFI_ANY_FLOAT,   /* f */
    GOFFI_ANY_COMPLEX, /* f + f2 i */
    GOFFI_ANY_STRING,  /* s */
    GOFFI_ANY_BYTES,   /* s */
    GOFFI_ANY_LIST,    /* items[0..n) */
    GOFFI_ANY_MAP,     /* items[0..2n): key, value, key, value, ... */
    GOFFI_ANY_HANDLE,  /* i: handle ID, cls: its class */
    GOFFI_ANY_RECORD,  /* items: the record's C struct (goffi_rec_*), cls: its class */
    GOFFI_ANY_TIME,     /* i: Unix seconds, n: nanoseconds, cls: zone offset (s), s: zone name */
    GOFFI_ANY_DURATION, /* i: nanoseconds */
    GOFFI_ANY_ERROR,    /* items: a goffi_err describing an error value */
    GOFFI_ANY_KEPT,     /* written back ([]any): Go left the caller's item in place */
    GOFFI_ANY_MOVED     /* written back ([]any): i: the index of the caller's item Go moved here */
};
typedef struct goffi_any {
    int32_t tag;
    int32_t cls;
    int64_t i;
    double f;
    double f2;
    goffi_str s;
    struct goffi_any *items;
    int64_t n;
} goffi_any;

/* GOFFI_TYPE_ERROR: an argument had the wrong dynamic Go type (it does not implement an
 * interface); raised as TypeError, with the message Go wrote. */
/* GOFFI_ABORTED: a Python callback raised; the exception waits in the arena's pending. */
/* GOFFI_OVERFLOW: a value does not fit its Go type; raised as OverflowError. */
/* GOFFI_MEMORY: a request for more memory than the process can have; raised as MemoryError. */
enum {
    GOFFI_OK = 0,
    GOFFI_ERROR = 1,
    GOFFI_PANIC = 2,
    GOFFI_TYPE_ERROR = 3,
    GOFFI_ABORTED = 4,
    GOFFI_OVERFLOW = 5,
    GOFFI_MEMORY = 6
};

/* Callback trampolines report how a Python callable ended. */
enum {
    GOFFI_CB_OK = 0,
    GOFFI_CB_ABORT = 1,   /* it raised, on the thread of the Go call that passed it: unwind (panic) */
    GOFFI_CB_RAISED = 2,  /* it raised elsewhere: return zero values (or an error) and go on */
    GOFFI_CB_GONE = 3,    /* the callable was released */
    GOFFI_CB_EOF = 4,     /* a proxied method raised EOFError: Go sees io.EOF */
    GOFFI_CB_GOERR = 5    /* a proxied method raised an exception from Go: Go sees its error (re) */
};

/* A goffi_handle whose id is a Python callable's (a func argument), not a Go value's. */
#define GOFFI_CLS_CALLABLE (-2)
/* A goffi_handle whose id (from 1) picks one of the bundle's package functions that has
 * the func type's signature (FuncTypePlan.go_funcs): Go gets that function itself. */
#define GOFFI_CLS_GOFUNC (-3)
/* A goffi_handle whose id is the address of a uint64_t array in the call's arena: the
 * count n, then the IDs of a Python object's identity getter and its n-1 methods (a
 * Python object Go sees as an interface: goffi.proxies). */
#define GOFFI_CLS_PROXY (-4)
/* The same for a Python object passed as Go any with an Error method: a Go error. (One
 * with a String method passed as any is a GOFFI_CLS_PROXY fmt.Stringer.) */
#define GOFFI_CLS_PROXY_ERROR (-5)
/* What goffi_cb_proxy_text returns: a proxied String() or Error() result, in the arena. */
typedef struct { int status; goffi_str r0; } goffi_cbr_text;

/* Status of a channel operation. */
enum { GOFFI_CHAN_OK = 0, GOFFI_CHAN_TIMEOUT = 1, GOFFI_CHAN_CLOSED = 2, GOFFI_CHAN_EMPTY = 3 };

/* How the 64-bit slots of a typed channel receive hold their values (goffi_chan_recv_batch):
 * GOFFI_SLOT_NONE is every element type that is not a basic one (those cross as any). */
enum {
    GOFFI_SLOT_NONE = 0,
    GOFFI_SLOT_INT = 1,   /* an int64 (any signed Go integer) */
    GOFFI_SLOT_UINT = 2,  /* a uint64 (any unsigned Go integer) */
    GOFFI_SLOT_FLOAT = 3, /* the bits of a double (float32 or float64) */
    GOFFI_SLOT_BOOL = 4   /* 0 or 1 */
};

/*
 * A channel pump's ring (goffi_chanring.c, goffi_chanpump.go): a goroutine (the pump)
 * receives from a Go channel of a basic element type into these 64-bit slots while a
 * Python loop iterates it, and the loop reads them with no call into Go. One producer
 * (the pump) and consumers that hold the GIL (so, one at a time). head and tail count
 * slots from the start (slot i is slots[i & mask]); each side writes its own cache line.
 */
enum { GOFFI_PUMP_IDLE = 0, GOFFI_PUMP_RUNNING = 1, GOFFI_PUMP_STOPPING = 2 };
typedef struct goffi_ring {
    /* consumers' line (Python threads, GIL held) */
    uint64_t head;      /* the next slot to yield */
    uint64_t seen;      /* tail as the consumers last read it */
    int64_t batch_ns;   /* how long a consumer finding the ring empty sleeps for a batch */
    char pad0[40];
    /* the pump's line */
    uint64_t tail;      /* slots below it are filled (published with a release store) */
    uint64_t wake_at;   /* the pump waits for room: wake it once head reaches this (else ~0) */
    char pad1[48];
    uint32_t seq;       /* futex word of waiting consumers: moves on every wake-up */
    int32_t waiting;    /* consumers waiting (or about to) for slots */
    int32_t deep;       /* ... of which waiting for the next slot, not for a batch */
    int32_t state;      /* GOFFI_PUMP_*: set RUNNING and STOPPING by C, IDLE by the pump */
    int32_t closed;     /* the pump saw the channel closed: tail is final */
    int32_t kind;       /* GOFFI_SLOT_* of the slots; GOFFI_SLOT_NONE: no pump for this channel */
    int32_t refs;       /* the reader's, and a running pump's */
    uint64_t mask;      /* capacity - 1 (a power of two) */
    uint64_t *slots;
} goffi_ring;

/* goffi_chanring.c, for the pump: wake the consumers waiting for slots; drop the pump's
 * reference to a ring (the last one frees it). */
void goffi_ring_wake(goffi_ring *g);
void goffi_ring_release(goffi_ring *g);

/*
 * What a call reports besides its results, and how a Go error value crosses.
 *
 * For a Go error, Go also fills what Python needs to build a real exception: the error
 * value itself (so it can go back to Go), the bundle's sentinel errors it matches
 * (errors.Is), the bundle's error types found in its chain with their values
 * (errors.As), and the error it wraps (errors.Unwrap, or the first of errors.Join).
 */
typedef struct goffi_err {
    int32_t kind;       /* GOFFI_OK (nil), GOFFI_ERROR, GOFFI_PANIC, GOFFI_TYPE_ERROR */
    goffi_str message;  /* err.Error(), or the panic value formatted with fmt.Sprint */
    goffi_str go_type;  /* the dynamic Go type, as fmt's %T prints it */
    goffi_str stack;    /* panics only: the goroutine's stack */
    goffi_handle value; /* errors: the error value */
    int32_t *sentinels; /* errors: indices of the sentinels it matches */
    int64_t nsentinels;
    int32_t *types;              /* errors: indices of the error types in its chain */
    goffi_any *type_values;      /* ... and their values (converted like any) */
    int64_t ntypes;
    struct goffi_err *cause; /* errors: what it wraps, or NULL */
} goffi_err;

/*
 * A per-call bump allocator. The C glue starts it on a stack buffer; both sides
 * allocate from it (Go bumps `cur` itself and calls goffi_arena_grow only when the
 * current block is full), and the glue frees everything once the results are Python
 * objects. `cleanups` is private to the C side (buffer releases, references).
 */
typedef struct goffi_arena {
    char *cur;
    char *end;
    void *blocks;    /* malloc'd blocks, freed with the arena */
    void *cleanups;  /* C side only */
    void *pending;   /* C side only: the first exception a callback of this call raised */
    void *outer;     /* C side only: the call this one is nested in, on this thread */
} goffi_arena;

/* A callback's arena (goffi_bridge.go's goffiCbArena): the header and its first block
 * in one C allocation of GOFFI_CB_ARENA_SIZE bytes, the block from GOFFI_CB_ARENA_HEAD. */
#define GOFFI_CB_ARENA_SIZE 4096
#define GOFFI_CB_ARENA_HEAD ((sizeof(goffi_arena) + 15) & ~(size_t)15)

/* Slow path of arena allocation: a new block of at least n bytes (16-byte aligned). */
void *goffi_arena_grow(goffi_arena *a, size_t n);

/* Ctrl-C during calls whose first parameter is a context.Context (goffi_signal.c): begin
 * counts SIGINTs while the call runs and returns the count so far; Go polls the count
 * and cancels the call's context when it moves; end reports whether it moved. */
uint64_t goffi_sigint_begin(void);
uint64_t goffi_sigint_count(void);
int goffi_sigint_end(uint64_t begun);

/* goffi_owner.c: the earliest loaded library's definition of symbol that accept()
 * takes (its protocol's magic and version), or NULL: how the copies of goffi's C runtime
 * in several bundles find the one that owns process-wide state. */
const void *goffi_first_definition(const char *symbol, int (*accept)(const void *));

#endif
