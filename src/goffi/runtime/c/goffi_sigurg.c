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
 * Worse, a lost SIGURG is never resent: Go sends one to a thread only while none is
 * pending (m.signalPending), and only its own handler, run on that thread, clears the
 * flag. One SIGURG dropped by another runtime's handler leaves that thread without
 * asynchronous preemption for good, even once signals reach the right handler again.
 *
 * The fix: one process-wide chain. Its handler (the dispatcher) passes each SIGURG to
 * the handler of every runtime in the chain. That is safe because a Go handler given a
 * SIGURG for a thread it does not run ignores it (it finds no goroutine of its own in
 * its thread-local g, or finds one of its extra Ms sitting in C), and the one runtime
 * that owns the thread preempts it as if the signal had come straight to it.
 *
 * Process-wide across copies. Each bundle carries its own copy of this file, and Go
 * links a c-shared library -Bsymbolic, so every copy has its own globals. The chain
 * used is the goffi_sigurg_chain_v1 of the *earliest loaded* library that defines it
 * (found with dl_iterate_phdr, which lists objects in load order, and dlsym on each):
 * every copy finds the same one, whatever the order in which bundles load or join,
 * and it can never go away, because a Go library is never unloaded (Go marks it
 * NODELETE, and CPython never unloads extension modules). A copy uses the owner's
 * chain only through the owner's own function (join), so only the owner's code ever
 * reads or writes it; the struct's layout and join's signature are the protocol, and
 * the _v1 suffix must change if they ever do.
 *
 * When. A runtime's handler is captured first thing in its bundle's PyInit
 * (goffi_sigurg_init): its library's constructor installed it a moment before, with
 * the GIL held all along (so no other bundle loads in between), and it is checked to
 * lie in this very library. A process with a single runtime needs no chain: the first
 * bundle only records its handler and changes nothing. From the second bundle on, each
 * join puts the dispatcher back in front of the handler the new library installed, at
 * once: the new runtime is usually still initialising then, so this closes the window
 * in which its handler, in front and ready, would drop the others' signals (waiting
 * for it to start, as a first version did, left that window open for the length of
 * its initialisation). A handler in front that is not a registered runtime's (a
 * program's own SIGURG handler, or a library loading on another thread, whose bundle
 * joins next) is left alone. After each join, every thread of the process gets one
 * SIGURG: each runtime's handler then runs on each of its own threads and clears the
 * pending flag of any signal dropped before the dispatcher was back in front (Go
 * treats a SIGURG it did not ask for as harmless: SIGURG also reports socket
 * out-of-band data). Interrupted system calls restart (SA_RESTART), or fail with EINTR
 * where the kernel never restarts them, as they do for Go's own preemption signals.
 *
 * A runtime still initialising forwards every signal to the handler it found when it
 * loaded, which may be the dispatcher: the dispatcher, calling it, would be called
 * back, and the two would call each other until the signal stack overflowed ("fatal:
 * morestack on gsignal"). Hence the re-entry guard: the dispatcher refuses to run
 * twice on one thread; the forwarded call returns at once, and the first one goes on
 * to the other runtimes. The threads inside it are kept in a small table keyed by
 * thread ID (no thread-local storage: that would take static TLS, which bounds how many
 * runtimes a process can hold). Signals are blocked while it runs, so only such a
 * forward can re-enter it.
 *
 * A thread that has no alternate signal stack gets no handler at all. Every Go runtime
 * gives a thread one before it runs a goroutine there (minit: its own, or the one in
 * place, say another runtime's), and takes its own away only when its M leaves the
 * thread: in mexit, when a goroutine locked to a thread the runtime made ends (the
 * thread ends with it), and in dropm, when a thread that called into Go ends. With one
 * runtime, signals stay blocked from then on, and a SIGURG that runtime sent just before
 * stays pending until the thread is gone. With two, the thread can run the other
 * runtime's dropm after that (a pthread key destructor, when the thread had called into
 * it), and dropm reopens the signal mask it saved when it first came to the thread: the
 * pending SIGURG arrives. The exited runtime still has its goroutine in its
 * thread-local g, whose M has no gsignal any more (mexit freed it), and its handler
 * dereferences that nil gsignal (adjustSignalStack): SIGSEGV, exit -11, with no
 * message. No runtime can preempt anything on such a thread, so the dispatcher
 * returns. (Without the chain the same crash happens whenever the handler in front is
 * the exited runtime's: tests/test_multibundle.py builds the case, both ways.)
 *
 * GOFFI_SIGURG_CHAIN=0 in the environment turns the chain off (for measurements).
 */
#include "goffi_py.h"

#if defined(__linux__) && defined(__GLIBC__)

#include <dirent.h>
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

#define GOFFI_SIGURG_MAGIC 0x676f5552u /* "goUR" */
#define GOFFI_SIGURG_VERSION 1u
#define GOFFI_SIGURG_RUNTIMES 512 /* far more than static TLS allows (~70-100 runtimes) */
#define GOFFI_SIGURG_GUARDS 64    /* threads inside the dispatcher at once */

typedef void (*goffi_sighandler)(int, siginfo_t *, void *);

typedef struct goffi_sigurg_runtime {
    goffi_sighandler handler; /* the runtime's own SIGURG handler */
    const void *base;         /* its library's load address: which runtime it is */
} goffi_sigurg_runtime;

typedef struct goffi_sigurg_chain goffi_sigurg_chain;
struct goffi_sigurg_chain {
    uint32_t magic;
    uint32_t version;
    /* Add a runtime (its handler and library; the same library again is a no-op) and,
     * once there are two, put the dispatcher in front and signal every thread. Returns
     * the runtime's index, or -1 when the chain is full. Call it with the GIL held. */
    int (*join)(goffi_sigurg_chain *c, goffi_sighandler handler, const void *base);
    goffi_sighandler dispatch;
    pthread_mutex_t lock; /* join; never taken by the dispatcher */
    _Atomic int count;    /* runtimes[0..count) are filled in */
    goffi_sigurg_runtime runtimes[GOFFI_SIGURG_RUNTIMES];
    _Atomic int guard[GOFFI_SIGURG_GUARDS]; /* IDs of the threads inside the dispatcher */
    _Atomic uint64_t dispatched;            /* SIGURGs the dispatcher passed on */
    _Atomic uint64_t reentered;             /* ... and refused, re-entered on one thread */
    _Atomic uint64_t broadcasts;            /* signals sent to every thread after a join */
};

static int goffi_sigurg_join(goffi_sigurg_chain *c, goffi_sighandler handler, const void *base);
static void goffi_sigurg_dispatch(int sig, siginfo_t *info, void *context);

/* This copy's chain: the process's chain if this library is the earliest loaded one. */
__attribute__((visibility("default"))) goffi_sigurg_chain goffi_sigurg_chain_v1 = {
    .magic = GOFFI_SIGURG_MAGIC,
    .version = GOFFI_SIGURG_VERSION,
    .join = goffi_sigurg_join,
    .dispatch = goffi_sigurg_dispatch,
    .lock = PTHREAD_MUTEX_INITIALIZER,
};

static void goffi_sigurg_dispatch(int sig, siginfo_t *info, void *context) {
    /* The dispatcher installed is always the owner's, so this is the process's chain. */
    goffi_sigurg_chain *c = &goffi_sigurg_chain_v1;
    int saved_errno = errno;
    stack_t altstack;
    if (sigaltstack(NULL, &altstack) == 0 && (altstack.ss_flags & SS_DISABLE)) {
        errno = saved_errno; /* a thread no goroutine can run on: see the top of this file */
        return;
    }
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
        c->runtimes[i].handler(sig, info, context);
    }
    atomic_fetch_add_explicit(&c->dispatched, 1, memory_order_relaxed);
    if (slot < GOFFI_SIGURG_GUARDS) {
        atomic_store(&c->guard[slot], 0);
    }
    errno = saved_errno;
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

/* Put the dispatcher in front if a registered runtime's handler is there. Caller holds
 * the lock. */
static void goffi_sigurg_install(goffi_sigurg_chain *c) {
    struct sigaction current, mine, replaced;
    if (sigaction(SIGURG, NULL, &current) != 0 || !(current.sa_flags & SA_SIGINFO) ||
        current.sa_sigaction == c->dispatch || !goffi_sigurg_known(c, current.sa_sigaction)) {
        return; /* already there, or someone else's handler, or a library still loading */
    }
    memset(&mine, 0, sizeof mine);
    mine.sa_sigaction = c->dispatch;
    mine.sa_flags = SA_SIGINFO | SA_ONSTACK | (current.sa_flags & SA_RESTART); /* as Go's own */
    sigfillset(&mine.sa_mask);
    if (sigaction(SIGURG, &mine, &replaced) == 0 &&
        !((replaced.sa_flags & SA_SIGINFO) && replaced.sa_sigaction == current.sa_sigaction)) {
        /* A library loaded on another thread between the look and the swap: put its
         * handler back; its bundle joins next and puts the dispatcher in front. */
        sigaction(SIGURG, &replaced, NULL);
    }
}

/* One SIGURG to every thread of the process (see the top of this file). */
static void goffi_sigurg_broadcast(goffi_sigurg_chain *c) {
    DIR *tasks = opendir("/proc/self/task");
    struct dirent *e;
    pid_t pid = getpid();
    if (tasks == NULL) {
        return;
    }
    while ((e = readdir(tasks)) != NULL) {
        long tid = strtol(e->d_name, NULL, 10);
        if (tid > 0 && syscall(SYS_tgkill, pid, (pid_t)tid, SIGURG) == 0) {
            atomic_fetch_add_explicit(&c->broadcasts, 1, memory_order_relaxed);
        }
    }
    closedir(tasks);
}

static int goffi_sigurg_join(goffi_sigurg_chain *c, goffi_sighandler handler, const void *base) {
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
        c->runtimes[n].handler = handler;
        c->runtimes[n].base = base;
        atomic_store_explicit(&c->count, n + 1, memory_order_release); /* after the entry */
        index = n++;
    }
    if (index >= 0 && n >= 2) {
        goffi_sigurg_install(c);
        struct sigaction current;
        if (sigaction(SIGURG, NULL, &current) == 0 && (current.sa_flags & SA_SIGINFO) &&
            current.sa_sigaction == c->dispatch) {
            goffi_sigurg_broadcast(c);
        }
    }
    pthread_mutex_unlock(&c->lock);
    return index;
}

/* The process's chain: the goffi_sigurg_chain_v1 of the earliest loaded library that has
 * one (goffi_owner.c); this library's own if none is found. */
static int goffi_sigurg_accept(const void *found) {
    const goffi_sigurg_chain *c = found;
    return c->magic == GOFFI_SIGURG_MAGIC && c->version == GOFFI_SIGURG_VERSION;
}

static goffi_sigurg_chain *goffi_sigurg_find(void) {
    /* The chain's lock and table are written through this pointer: the definition is not const. */
    goffi_sigurg_chain *found =
        (goffi_sigurg_chain *)goffi_first_definition("goffi_sigurg_chain_v1", goffi_sigurg_accept);
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
    goffi_sigurg_index = goffi_sigurg_owner->join(goffi_sigurg_owner, current.sa_sigaction, my_lib.dli_fbase);
    goffi_sigurg_why = goffi_sigurg_index < 0 ? "the chain is full" : "joined";
    return 0;
}

PyObject *goffi_sigurg_state_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    goffi_sigurg_chain *c = goffi_sigurg_owner;
    struct sigaction current;
    int in_front = c != NULL && sigaction(SIGURG, NULL, &current) == 0 && (current.sa_flags & SA_SIGINFO) &&
                   current.sa_sigaction == c->dispatch;
    int n = c != NULL ? atomic_load(&c->count) : 0, i;
    const char *state = goffi_sigurg_why;
    if (goffi_sigurg_index >= 0) { /* it joined: say where the chain is now */
        state = in_front ? "chained" : n == 1 ? "the only runtime" : "a foreign SIGURG handler is in front";
    }
    PyObject *libs = PyList_New(0);
    for (i = 0; libs != NULL && i < n; i++) {
        Dl_info where;
        PyObject *path = PyUnicode_DecodeFSDefault(
            dladdr((void *)c->runtimes[i].handler, &where) != 0 && where.dli_fname ? where.dli_fname : "?");
        if (path == NULL || PyList_Append(libs, path) < 0) {
            Py_XDECREF(path);
            Py_CLEAR(libs);
            break;
        }
        Py_DECREF(path);
    }
    if (libs == NULL) {
        return NULL;
    }
    return Py_BuildValue("{s:s,s:i,s:i,s:O,s:K,s:K,s:K,s:N}", "state", state, "index", goffi_sigurg_index,
                         "runtimes", n, "dispatcher", in_front ? Py_True : Py_False, "dispatched",
                         (unsigned long long)(c != NULL ? atomic_load(&c->dispatched) : 0), "reentered",
                         (unsigned long long)(c != NULL ? atomic_load(&c->reentered) : 0), "broadcasts",
                         (unsigned long long)(c != NULL ? atomic_load(&c->broadcasts) : 0), "libraries", libs);
}

#else /* not Linux with glibc: no chain (several runtimes are refused there) */

int goffi_sigurg_init(void) { return 0; }

PyObject *goffi_sigurg_state_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return Py_BuildValue("{s:s,s:i,s:i,s:O,s:K,s:K,s:K,s:[]}", "state", "unsupported platform", "index", -1,
                         "runtimes", 0, "dispatcher", Py_False, "dispatched", 0ULL, "reentered", 0ULL, "broadcasts",
                         0ULL, "libraries");
}

#endif
