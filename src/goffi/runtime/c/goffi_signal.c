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

uint64_t goffi_sigint_begin(void) {
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

uint64_t goffi_sigint_count(void) { return atomic_load(&goffi_sig_count); }

int goffi_sigint_end(uint64_t begun) {
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
