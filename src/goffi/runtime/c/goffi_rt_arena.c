/*
 * goffi_rt_arena.c: the per-call arena: C memory a call's conversions allocate (its first
 * block on the C stack, GOFFI_ARENA), and the Python references, buffer views and
 * callables the call holds until it is over.
 */
#include "goffi_rt.h"

#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------------ */

typedef struct goffi_block { struct goffi_block *next; } goffi_block;

#define GOFFI_ALIGN(n) (((n) + 15) & ~(size_t)15)
#define GOFFI_BLOCK_MIN 4096

void *goffi_arena_grow(goffi_arena *a, size_t n) {
    size_t header = GOFFI_ALIGN(sizeof(goffi_block));
    size_t size = n + header > GOFFI_BLOCK_MIN ? n + header : GOFFI_BLOCK_MIN;
    goffi_block *b = aligned_alloc(16, GOFFI_ALIGN(size));
    if (b == NULL) {
        return NULL;
    }
    b->next = (goffi_block *)a->blocks;
    a->blocks = b;
    char *start = (char *)b + header;
    a->cur = start + GOFFI_ALIGN(n);
    a->end = (char *)b + GOFFI_ALIGN(size);
    return start;
}

void *goffi_arena_alloc(goffi_arena *a, size_t n) {
    size_t need = GOFFI_ALIGN(n);
    if ((size_t)(a->end - a->cur) >= need) {
        void *p = a->cur;
        a->cur += need;
        return p;
    }
    void *p = goffi_arena_grow(a, n);
    if (p == NULL) {
        PyErr_NoMemory();
    }
    return p;
}

void *goffi_arena_copy(goffi_arena *a, const void *p, size_t n) {
    void *copy = goffi_arena_alloc(a, n);
    if (copy != NULL) {
        memcpy(copy, p, n);
    }
    return copy;
}

goffi_cleanup *goffi_new_cleanup(goffi_arena *a) {
    goffi_cleanup *c = goffi_arena_alloc(a, sizeof(goffi_cleanup));
    if (c == NULL) {
        return NULL;
    }
    memset(c, 0, sizeof(*c));
    c->next = (goffi_cleanup *)a->cleanups;
    a->cleanups = c;
    return c;
}

Py_buffer *goffi_arena_buffer(goffi_arena *a) {
    goffi_cleanup *c = goffi_new_cleanup(a);
    return c != NULL ? &c->view : NULL;
}

int goffi_arena_detach(goffi_arena *a, PyObject *entry, uint64_t id) {
    goffi_cleanup *c = goffi_new_cleanup(a);
    if (c == NULL) {
        return -1;
    }
    c->obj = Py_NewRef(entry);
    c->detach = 1;
    c->id = id;
    return 0;
}

void (*goffi_callable_release_hook)(uint64_t id);

void goffi_arena_abandon(goffi_arena *a) {
    if (a == NULL || goffi_callable_release_hook == NULL) {
        return; /* no arena (a callback of plain values), or no bridge: no callable was registered */
    }
    for (goffi_cleanup *c = (goffi_cleanup *)a->cleanups; c != NULL; c = c->next) {
        if (c->detach && c->id != 0) {
            uint64_t id = c->id;
            c->id = 0;
            goffi_callable_release_hook(id); /* may run Python code (the callable's last reference) */
        }
    }
}

int goffi_raise_pending(goffi_arena *a) {
    PyObject *exc = (PyObject *)a->pending;
    if (exc == NULL) {
        return 0;
    }
    a->pending = NULL;
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return 1;
}

int goffi_arena_keep(goffi_arena *a, PyObject *o) {
    goffi_cleanup *c = goffi_new_cleanup(a);
    if (c == NULL) {
        Py_DECREF(o);
        return -1;
    }
    c->obj = o;
    return 0;
}

void goffi_arena_release(goffi_arena *a) {
    for (goffi_cleanup *c = (goffi_cleanup *)a->cleanups; c != NULL; c = c->next) {
        if (c->view.obj != NULL) {
            PyBuffer_Release(&c->view);
        } else {
            if (c->detach) {
                /* The call is over: later exceptions of this callable are unraisable. */
                PyObject *zero = PyLong_FromLong(0);
                if (zero == NULL || PyList_SetItem(c->obj, 1, zero) < 0) {
                    PyErr_Clear();
                }
            }
            Py_XDECREF(c->obj);
        }
    }
    Py_CLEAR(*(PyObject **)&a->pending);
    a->cleanups = NULL;
    goffi_arena_free_blocks(a);
}

void goffi_arena_free_blocks(goffi_arena *a) {
    goffi_block *b = (goffi_block *)a->blocks;
    while (b != NULL) {
        goffi_block *next = b->next;
        free(b);
        b = next;
    }
    a->blocks = NULL;
}
