/*
 * goffi_sigurg.c: asynchronous preemption for every Go runtime in the process.
 *
 * The problem. Every goffi bundle is a c-shared library with a Go runtime of its own.
 * Go preempts a goroutine that runs a loop without function calls by sending SIGURG to
 * its thread (preemptM) and rewriting the interrupted context in the handler. The
 * handler is process-wide and each runtime installs its own when its library loads,
 * saving the previous one; but Go forwards only synchronous signals (and SIGPIPE) to a
 * saved handler, and drops a SIGURG that lands on a thread none of its goroutines runs
 * on (runtime/signal_unix.go, sigfwdgo and sigtrampgo). So only the runtime loaded last
 * gets its preemption signals; the others lose them: a spinning goroutine never yields,
 * runtime.GC waits for it, and a goroutine spinning on a flag another one sets can hang.
 *
 * The fix: one process-wide chain. Its handler (the dispatcher) passes each SIGURG to
 * the handler of every runtime that has started. That is safe because a Go handler
 * given a SIGURG for a thread it does not run ignores it (it finds no goroutine of its
 * own in its thread-local g, or finds one of its extra Ms sitting in C), and the one
 * runtime that owns the thread preempts it as if the signal had come straight to it.
 *
 * Process-wide across copies. Each bundle carries its own copy of this file, and Go
 * links a c-shared library -Bsymbolic, so every copy has its own globals. The chain
 * used is the goffi_sigurg_chain_v1 of the *earliest loaded* library that defines it
 * (found with dl_iterate_phdr, which lists objects in load order, and dlsym on each):
 * every copy finds the same one, whatever the order in which bundles load or join,
 * and it can never go away, because a Go library is never unloaded (Go marks it
 * NODELETE, and CPython never unloads extension modules). A copy uses the owner's
 * chain only through the owner's own functions (add, start), so only the owner's code
 * ever reads or writes it; the struct's layout and those two signatures are the
 * protocol, and the _v1 suffix must change if they ever do.
 *
 * When. A runtime's handler is captured in its bundle's PyInit (goffi_sigurg_init):
 * its library's constructor installed it a moment before, with the GIL held all along
 * (so no other bundle can load in between), and it is checked to lie in this very
 * library. The dispatcher calls a handler only once that runtime has *started*: a
 * runtime still initialising forwards every signal to the handler it saved, which may
 * be the dispatcher, and the two would call each other until the signal stack
 * overflowed ("fatal: morestack on gsignal"). Started means that a call into it
 * (goffiSigurgReady, an empty Go export, which waits for the runtime's
 * initialisation) has returned. A process with a single runtime needs no chain: the
 * first bundle only records its handler, costs no wait and changes no signal handler.
 * The second bundle to join waits for both runtimes (the GIL released) and installs
 * the dispatcher; every later one waits for its own and puts the dispatcher back in
 * front of the handler its library installed. A handler in front that is not a
 * registered runtime's (a program's own SIGURG handler, or a bundle still loading,
 * which will join next) is left alone.
 *
 * Re-entry guard. The dispatcher refuses to run twice on one thread (a handler that
 * forwards SIGURG back to it): the threads inside it are kept in a small table keyed by
 * thread ID (no thread-local storage: that would take static TLS, which bounds how many
 * runtimes a process can hold). Signals are blocked while it runs, so only such a
 * forward can re-enter it; it is then dropped, as Go itself would drop it.
 *
 * GOFFI_SIGURG_CHAIN=0 in the environment turns the chain off (for measurements).
 */
#include "goffi_py.h"

#if defined(__linux__) && defined(__GLIBC__)

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* An empty Go export (goffi_sigurg.go): it returns once the runtime has started. */
extern void goffiSigurgReady(void);

#define GOFFI_SIGURG_MAGIC 0x676f5552u /* "goUR" */
#define GOFFI_SIGURG_VERSION 1u
#define GOFFI_SIGURG_RUNTIMES 512 /* far more than static TLS allows (~70-80 runtimes) */
#define GOFFI_SIGURG_GUARDS 64    /* threads inside the dispatcher at once */

typedef void (*goffi_sighandler)(int, siginfo_t *, void *);

typedef struct goffi_sigurg_runtime {
    goffi_sighandler handler; /* the runtime's own SIGURG handler */
    void (*ready)(void);      /* returns once the runtime has started */
    const void *base;         /* its library's load address: which runtime it is */
    _Atomic int started;      /* ready() has returned: the dispatcher may call handler */
} goffi_sigurg_runtime;

typedef struct goffi_sigurg_chain goffi_sigurg_chain;
struct goffi_sigurg_chain {
    uint32_t magic;
    uint32_t version;
    /* Record a runtime (its handler, ready function and library); returns its index,
     * or -1 when the chain is full. Quick: call it with the GIL held. */
    int (*add)(goffi_sigurg_chain *c, goffi_sighandler handler, void (*ready)(void), const void *base);
    /* Wait for runtime `index` and, once two have started, put the dispatcher in front:
     * returns 1 if it is, 0 if not needed yet, -1 when a foreign handler is in front.
     * May wait for Go runtimes to start: call it with the GIL released. */
    int (*start)(goffi_sigurg_chain *c, int index);
    goffi_sighandler dispatch;
    pthread_mutex_t lock; /* add and start; never taken by the dispatcher */
    _Atomic int count;    /* runtimes[0..count) are filled in */
    goffi_sigurg_runtime runtimes[GOFFI_SIGURG_RUNTIMES];
    _Atomic int guard[GOFFI_SIGURG_GUARDS]; /* IDs of the threads inside the dispatcher */
    _Atomic uint64_t dispatched;            /* SIGURGs the dispatcher passed on */
    _Atomic uint64_t reentered;             /* ... and refused, re-entered on one thread */
};

static int goffi_sigurg_add(goffi_sigurg_chain *c, goffi_sighandler handler, void (*ready)(void),
                            const void *base);
static int goffi_sigurg_start(goffi_sigurg_chain *c, int index);
static void goffi_sigurg_dispatch(int sig, siginfo_t *info, void *context);

/* This copy's chain: the process's chain if this library is the earliest loaded one. */
__attribute__((visibility("default"))) goffi_sigurg_chain goffi_sigurg_chain_v1 = {
    .magic = GOFFI_SIGURG_MAGIC,
    .version = GOFFI_SIGURG_VERSION,
    .add = goffi_sigurg_add,
    .start = goffi_sigurg_start,
    .dispatch = goffi_sigurg_dispatch,
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

static void goffi_sigurg_dispatch(int sig, siginfo_t *info, void *context) {
    /* The dispatcher installed is always the owner's, so this is the process's chain. */
    goffi_sigurg_chain *c = &goffi_sigurg_chain_v1;
    int saved_errno = errno;
    int tid = (int)syscall(SYS_gettid);
    int slot = GOFFI_SIGURG_GUARDS, i;
    for (i = 0; i < GOFFI_SIGURG_GUARDS; i++) {
        if (atomic_load_explicit(&c->guard[i], memory_order_relaxed) == tid) {
            atomic_fetch_add_explicit(&c->reentered, 1, memory_order_relaxed);
            errno = saved_errno;
            return;
        }
    }
    for (i = 0; i < GOFFI_SIGURG_GUARDS; i++) {
        int free_slot = 0;
        if (atomic_compare_exchange_strong(&c->guard[i], &free_slot, tid)) {
            slot = i;
            break;
        }
    }
    /* (No free slot: 64 threads are in here at once; go on without the guard.) */
    int n = atomic_load_explicit(&c->count, memory_order_acquire);
    for (i = 0; i < n; i++) {
        goffi_sigurg_runtime *r = &c->runtimes[i];
        if (atomic_load_explicit(&r->started, memory_order_acquire)) {
            r->handler(sig, info, context);
        }
    }
    atomic_fetch_add_explicit(&c->dispatched, 1, memory_order_relaxed);
    if (slot < GOFFI_SIGURG_GUARDS) {
        atomic_store(&c->guard[slot], 0);
    }
    errno = saved_errno;
}

static int goffi_sigurg_add(goffi_sigurg_chain *c, goffi_sighandler handler, void (*ready)(void),
                            const void *base) {
    int index = -1, n, i;
    pthread_mutex_lock(&c->lock);
    n = atomic_load(&c->count);
    for (i = 0; i < n; i++) {
        if (c->runtimes[i].base == base) {
            index = i; /* the same library again */
            break;
        }
    }
    if (index < 0 && n < GOFFI_SIGURG_RUNTIMES) {
        goffi_sigurg_runtime *r = &c->runtimes[n];
        r->handler = handler;
        r->ready = ready;
        r->base = base;
        atomic_store(&r->started, 0);
        atomic_store_explicit(&c->count, n + 1, memory_order_release);
        index = n;
    }
    pthread_mutex_unlock(&c->lock);
    return index;
}

/* Whether h is the handler of a runtime in the chain. Caller holds the lock. */
static int goffi_sigurg_known(goffi_sigurg_chain *c, goffi_sighandler h) {
    int n = atomic_load(&c->count), i;
    for (i = 0; i < n; i++) {
        if (c->runtimes[i].handler == h) {
            return 1;
        }
    }
    return 0;
}

static int goffi_sigurg_start(goffi_sigurg_chain *c, int index) {
    int n = atomic_load(&c->count), i;
    if (index < 0 || index >= n) {
        return -1;
    }
    if (n < 2) {
        return 0; /* one runtime: Go's own handler is all it needs */
    }
    /* Wait for every runtime not known to have started (this one, and the first,
     * which did not wait when it was alone). Outside the lock: it can take a while. */
    for (i = 0; i < n; i++) {
        goffi_sigurg_runtime *r = &c->runtimes[i];
        if (!atomic_load(&r->started)) {
            r->ready();
            atomic_store_explicit(&r->started, 1, memory_order_release);
        }
    }
    int result = 0;
    pthread_mutex_lock(&c->lock);
    struct sigaction current;
    if (sigaction(SIGURG, NULL, &current) != 0) {
        result = -1;
    } else if ((current.sa_flags & SA_SIGINFO) && current.sa_sigaction == c->dispatch) {
        result = 1; /* already in front */
    } else if ((current.sa_flags & SA_SIGINFO) && goffi_sigurg_known(c, current.sa_sigaction)) {
        /* A registered runtime's handler is in front (the latest loaded): put the
         * dispatcher there instead, with the flags and mask Go gave its own. */
        struct sigaction mine;
        memset(&mine, 0, sizeof mine);
        mine.sa_sigaction = c->dispatch;
        mine.sa_flags = SA_SIGINFO | SA_ONSTACK | (current.sa_flags & SA_RESTART);
        sigfillset(&mine.sa_mask);
        struct sigaction replaced;
        result = sigaction(SIGURG, &mine, &replaced) == 0 ? 1 : -1;
        if (result > 0 && !((replaced.sa_flags & SA_SIGINFO) && replaced.sa_sigaction == current.sa_sigaction)) {
            /* A library loaded on another thread between the look and the swap: put its
             * handler back; its bundle joins next and puts the dispatcher in front. */
            sigaction(SIGURG, &replaced, NULL);
            result = -1;
        }
    } else {
        result = -1; /* someone else's handler, or a bundle still loading: leave it */
    }
    pthread_mutex_unlock(&c->lock);
    return result;
}

/* The process's chain: the goffi_sigurg_chain_v1 of the earliest loaded library that has
 * one. dl_iterate_phdr lists the loaded objects in load order; their names are copied
 * out and looked up afterwards, since dlopen must not run inside the iteration. */
typedef struct {
    char **names;
    size_t n, cap;
} goffi_sigurg_objects;

static int goffi_sigurg_collect(struct dl_phdr_info *info, size_t size, void *data) {
    goffi_sigurg_objects *o = data;
    (void)size;
    if (info->dlpi_name == NULL || info->dlpi_name[0] == '\0') {
        return 0; /* the program itself */
    }
    if (o->n == o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 64;
        char **names = realloc(o->names, cap * sizeof *names);
        if (names == NULL) {
            return 1;
        }
        o->names = names;
        o->cap = cap;
    }
    if ((o->names[o->n] = strdup(info->dlpi_name)) != NULL) {
        o->n++;
    }
    return 0;
}

static goffi_sigurg_chain *goffi_sigurg_find(void) {
    goffi_sigurg_chain *found = NULL;
    goffi_sigurg_objects o = {NULL, 0, 0};
    size_t i;
    dl_iterate_phdr(goffi_sigurg_collect, &o);
    for (i = 0; i < o.n && found == NULL; i++) {
        void *lib = dlopen(o.names[i], RTLD_NOLOAD | RTLD_LAZY | RTLD_LOCAL);
        if (lib == NULL) {
            continue;
        }
        goffi_sigurg_chain *c = dlsym(lib, "goffi_sigurg_chain_v1");
        Dl_info where;
        /* Defined by this object itself (dlsym also searches its dependencies), and a
         * chain of this protocol. */
        if (c != NULL && dladdr(c, &where) != 0 && where.dli_fname != NULL &&
            strcmp(where.dli_fname, o.names[i]) == 0 && c->magic == GOFFI_SIGURG_MAGIC &&
            c->version == GOFFI_SIGURG_VERSION) {
            found = c;
        }
        dlclose(lib);
    }
    for (i = 0; i < o.n; i++) {
        free(o.names[i]);
    }
    free(o.names);
    return found != NULL ? found : &goffi_sigurg_chain_v1;
}

/* What this bundle's runtime did about the chain, for _sigurg() and the tests. */
static goffi_sigurg_chain *goffi_sigurg_owner;
static int goffi_sigurg_index = -1;
static const char *goffi_sigurg_why = "not initialised";

int goffi_sigurg_init(void) {
    const char *env = getenv("GOFFI_SIGURG_CHAIN");
    if (env != NULL && strcmp(env, "0") == 0) {
        goffi_sigurg_why = "turned off by GOFFI_SIGURG_CHAIN=0";
        return 0;
    }
    if (goffi_sigurg_index >= 0) {
        return 0;
    }
    /* This runtime's handler: the one its library's constructor just installed. */
    struct sigaction current;
    Dl_info handler_lib, my_lib;
    if (sigaction(SIGURG, NULL, &current) != 0 || !(current.sa_flags & SA_SIGINFO) ||
        dladdr((void *)current.sa_sigaction, &handler_lib) == 0 ||
        dladdr((void *)goffi_sigurg_init, &my_lib) == 0 || handler_lib.dli_fbase != my_lib.dli_fbase) {
        goffi_sigurg_why = "the SIGURG handler in place is not this runtime's";
        return 0;
    }
    goffi_sigurg_owner = goffi_sigurg_find();
    goffi_sigurg_index =
        goffi_sigurg_owner->add(goffi_sigurg_owner, current.sa_sigaction, goffiSigurgReady, my_lib.dli_fbase);
    if (goffi_sigurg_index < 0) {
        goffi_sigurg_why = "the chain is full";
        return 0;
    }
    int result;
    Py_BEGIN_ALLOW_THREADS
    result = goffi_sigurg_owner->start(goffi_sigurg_owner, goffi_sigurg_index);
    Py_END_ALLOW_THREADS
    (void)result; /* _sigurg() reports the state as it is when asked */
    goffi_sigurg_why = "joined";
    return 0;
}

PyObject *goffi_sigurg_state_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    goffi_sigurg_chain *c = goffi_sigurg_owner;
    struct sigaction current;
    int in_front = c != NULL && sigaction(SIGURG, NULL, &current) == 0 && (current.sa_flags & SA_SIGINFO) &&
                   current.sa_sigaction == c->dispatch;
    int started = 0, n = c != NULL ? atomic_load(&c->count) : 0, i;
    for (i = 0; i < n; i++) {
        started += atomic_load(&c->runtimes[i].started);
    }
    const char *state = goffi_sigurg_why;
    if (goffi_sigurg_index >= 0) { /* it joined: say where the chain is now */
        state = in_front && atomic_load(&c->runtimes[goffi_sigurg_index].started) ? "chained"
                : n == 1                                                          ? "the only runtime"
                                                                                  : "a foreign SIGURG handler is in front";
    }
    return Py_BuildValue("{s:s,s:i,s:i,s:i,s:O,s:K,s:K}", "state", state, "index",
                         goffi_sigurg_index, "runtimes", n, "started", started, "dispatcher",
                         in_front ? Py_True : Py_False, "dispatched",
                         (unsigned long long)(c != NULL ? atomic_load(&c->dispatched) : 0), "reentered",
                         (unsigned long long)(c != NULL ? atomic_load(&c->reentered) : 0));
}

#else /* not Linux with glibc: no chain (several runtimes are refused there) */

int goffi_sigurg_init(void) { return 0; }

PyObject *goffi_sigurg_state_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return Py_BuildValue("{s:s,s:i,s:i,s:i,s:O,s:K,s:K}", "state", "unsupported platform", "index", -1,
                         "runtimes", 0, "started", 0, "dispatcher", Py_False, "dispatched", 0ULL, "reentered",
                         0ULL);
}

#endif
