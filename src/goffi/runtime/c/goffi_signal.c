/*
 * goffi_signal.c: Ctrl-C for Go calls whose first parameter is a context.Context.
 *
 * A Go call runs with the GIL released, and Python runs its SIGINT handler (raising
 * KeyboardInterrupt) only when the main thread runs bytecode again: after the call.
 * A call that takes a context can do better: while such calls run, a C handler of our
 * own sits in front of Python's. It counts the signal and passes it on to Python's
 * handler (which only records it), and the Go side (goffiInterruptible) polls the
 * count and cancels the call's context when it moves. The call returns, and the C glue
 * lets Python's handler raise KeyboardInterrupt. When the last such call ends,
 * Python's handler is put back. Nothing is installed when SIGINT is not Python's (the
 * default action, ignored, or a handler of the embedding program's that changed since).
 *
 * Several bundles in one process (Linux with glibc). Each bundle carries its own copy of
 * this file, with its own globals (Go links c-shared libraries -Bsymbolic). Were each to
 * keep its own handler and saved "previous" handler, calls of two bundles that end out of
 * order would put back a handler that is no longer Python's, and two copies could end up
 * saving each other's handler: a SIGINT would then bounce between them until the signal
 * stack overflowed. So the process has one SIGINT state: that of the earliest loaded
 * library that has one (goffi_sigint_owner_v1, found by goffi_owner.c in load order).
 * Every copy calls the owner's functions through the owner's table, so only the owner's code touches its state; the table's
 * layout is the protocol, and the _v1 suffix must change if it ever does. The owner can
 * never go away: a Go library is never unloaded (Go marks it NODELETE).
 */
#include "goffi.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>

static pthread_mutex_t goffi_sig_lock = PTHREAD_MUTEX_INITIALIZER;
static int goffi_sig_users;     /* interruptible calls running */
static int goffi_sig_installed; /* our handler is in front of goffi_sig_prev */
static struct sigaction goffi_sig_prev;
static _Atomic uint64_t goffi_sig_count;

static void goffi_sig_handler(int sig, siginfo_t *info, void *context) {
    atomic_fetch_add(&goffi_sig_count, 1);
    if (goffi_sig_prev.sa_flags & SA_SIGINFO) {
        goffi_sig_prev.sa_sigaction(sig, info, context);
    } else if (goffi_sig_prev.sa_handler != SIG_DFL && goffi_sig_prev.sa_handler != SIG_IGN) {
        goffi_sig_prev.sa_handler(sig);
    }
}

static int goffi_is_handler(const struct sigaction *sa) {
    return (sa->sa_flags & SA_SIGINFO) ? sa->sa_sigaction != NULL
                                       : (sa->sa_handler != SIG_DFL && sa->sa_handler != SIG_IGN);
}

static uint64_t goffi_sig_begin_here(void) {
    pthread_mutex_lock(&goffi_sig_lock);
    if (goffi_sig_users++ == 0) {
        struct sigaction current;
        if (sigaction(SIGINT, NULL, &current) == 0 && goffi_is_handler(&current)) {
            struct sigaction mine;
            memset(&mine, 0, sizeof mine);
            mine.sa_sigaction = goffi_sig_handler;
            /* SA_ONSTACK: the signal may land on a Go thread (Go's os/signal rules for
             * handlers of non-Go code); the mask and restart flag are Python's. */
            mine.sa_flags = SA_SIGINFO | SA_ONSTACK | (current.sa_flags & SA_RESTART);
            mine.sa_mask = current.sa_mask;
            goffi_sig_prev = current;
            goffi_sig_installed = sigaction(SIGINT, &mine, NULL) == 0;
        }
    }
    uint64_t now = atomic_load(&goffi_sig_count);
    pthread_mutex_unlock(&goffi_sig_lock);
    return now;
}

static uint64_t goffi_sig_count_here(void) { return atomic_load(&goffi_sig_count); }

static int goffi_sig_end_here(uint64_t begun) {
    pthread_mutex_lock(&goffi_sig_lock);
    if (--goffi_sig_users == 0 && goffi_sig_installed) {
        struct sigaction current;
        /* Put Python's back, unless someone replaced ours meanwhile (signal.signal in a
         * callback): theirs stays. */
        if (sigaction(SIGINT, NULL, &current) == 0 && (current.sa_flags & SA_SIGINFO) &&
            current.sa_sigaction == goffi_sig_handler) {
            sigaction(SIGINT, &goffi_sig_prev, NULL);
        }
        goffi_sig_installed = 0;
    }
    int moved = atomic_load(&goffi_sig_count) != begun;
    pthread_mutex_unlock(&goffi_sig_lock);
    return moved;
}

/* ---- one SIGINT state per process ------------------------------------------------ */

#define GOFFI_SIGINT_MAGIC 0x676f494eu /* "goIN" */
#define GOFFI_SIGINT_VERSION 1u

typedef struct {
    uint32_t magic;
    uint32_t version;
    uint64_t (*begin)(void);
    uint64_t (*count)(void);
    int (*end)(uint64_t);
} goffi_sigint_table;

__attribute__((visibility("default"))) const goffi_sigint_table goffi_sigint_owner_v1 = {
    GOFFI_SIGINT_MAGIC, GOFFI_SIGINT_VERSION, goffi_sig_begin_here, goffi_sig_count_here, goffi_sig_end_here,
};

static const goffi_sigint_table *goffi_sigint_owner; /* the process's, once found */
static pthread_once_t goffi_sigint_once = PTHREAD_ONCE_INIT;

/* The owner: the goffi_sigint_owner_v1 of the earliest loaded library that has one
 * (goffi_owner.c); this library's own elsewhere, or if none is found. */
static int goffi_sigint_accept(const void *found) {
    const goffi_sigint_table *t = found;
    return t->magic == GOFFI_SIGINT_MAGIC && t->version == GOFFI_SIGINT_VERSION;
}

static void goffi_sigint_find(void) {
    const goffi_sigint_table *found = goffi_first_definition("goffi_sigint_owner_v1", goffi_sigint_accept);
    goffi_sigint_owner = found != NULL ? found : &goffi_sigint_owner_v1;
}

/* Called with the GIL held, before the call's Go code runs; count and end come later. */
uint64_t goffi_sigint_begin(void) {
    pthread_once(&goffi_sigint_once, goffi_sigint_find);
    return goffi_sigint_owner->begin();
}

uint64_t goffi_sigint_count(void) { return goffi_sigint_owner->count(); }

int goffi_sigint_end(uint64_t begun) { return goffi_sigint_owner->end(begun); }
