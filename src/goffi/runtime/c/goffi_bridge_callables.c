//go:build goffi_bridge

/*
 * goffi_bridge_callables.c: the Python callables Go holds (a table of IDs), calling them from
 * goroutines, and the arenas of those callbacks.
 */
#include "goffi_bridge.h"

#include <stdlib.h>
#include <string.h>

goffi_callable_slot *goffi_callables;
uint32_t goffi_callables_used; /* slots handed out at least once */
static uint32_t goffi_callables_cap;
static uint32_t goffi_callables_free; /* index + 1 of the first free slot, 0: none */
static Py_ssize_t goffi_callables_live;

/* A slot for a new callable's entry (stolen); its ID, or 0 with an exception. */
static uint64_t goffi_callable_add(PyObject *entry) {
    uint32_t i;
    if (goffi_callables_free != 0) {
        i = goffi_callables_free - 1;
        goffi_callables_free = goffi_callables[i].next_free;
    } else {
        if (goffi_callables_used == goffi_callables_cap) {
            uint32_t cap = goffi_callables_cap ? goffi_callables_cap * 2 : 64;
            goffi_callable_slot *grown =
                cap > goffi_callables_cap ? PyMem_RawRealloc(goffi_callables, (size_t)cap * sizeof *grown) : NULL;
            if (grown == NULL) {
                Py_DECREF(entry);
                PyErr_NoMemory();
                return 0;
            }
            goffi_callables = grown;
            goffi_callables_cap = cap;
        }
        i = goffi_callables_used++;
        goffi_callables[i].gen = 1;
    }
    goffi_callables[i].entry = entry;
    goffi_callables[i].next_free = 0;
    goffi_callables_live++;
    return ((uint64_t)goffi_callables[i].gen << 32) | ((uint64_t)i + 1);
}

int goffi_in_callable(PyObject *o, goffi_handle *out, goffi_arena *a, const char *where) {
    if (o == Py_None) {
        out->id = 0;
        out->cls = -1;
        return 0;
    }
    if (Py_TYPE(o)->tp_dealloc == goffi_object_dealloc) {
        /* A Go func that came to Python goes back as itself. */
        return goffi_to_handle(o, out, -1, 1, where);
    }
    if (!PyCallable_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be callable, not %.200s", where, Py_TYPE(o)->tp_name);
        return -1;
    }
    PyObject *entry = Py_BuildValue("[OKk]", o, (unsigned long long)(uintptr_t)a,
                                    (unsigned long)PyThread_get_thread_ident());
    if (entry == NULL) {
        return -1;
    }
    uint64_t id = goffi_callable_add(entry); /* steals entry */
    if (id == 0) {
        return -1;
    }
    if (goffi_arena_detach(a, entry, id) < 0) {
        goffi_callable_release(id);
        return -1;
    }
    out->id = id;
    out->cls = GOFFI_CLS_CALLABLE;
    return 0;
}

void goffi_callable_abandon(const goffi_handle *h) {
    if (h->cls == GOFFI_CLS_CALLABLE) {
        goffi_callable_release(h->id);
    } else if (h->cls == GOFFI_CLS_PROXY) {
        const uint64_t *ids = (const uint64_t *)(uintptr_t)h->id;
        for (uint64_t i = 1; i <= ids[0]; i++) {
            goffi_callable_release(ids[i]);
        }
    }
}

void goffi_callable_release(uint64_t id) {
    if (!goffi_cb_available()) {
        return;
    }
    PyGILState_STATE gil = goffi_cb_enter();
    if (goffi_callable_entry(id) != NULL) {
        goffi_callable_slot *slot = &goffi_callables[(uint32_t)id - 1];
        PyObject *entry = slot->entry;
        slot->entry = NULL;
        slot->gen++;
        slot->next_free = goffi_callables_free;
        goffi_callables_free = (uint32_t)id;
        goffi_callables_live--;
        Py_DECREF(entry); /* last: dropping the callable may run Python code */
    }
    goffi_cb_leave(gil);
}

/* Releases every live callable (at exit: see goffi_shutdown_py). The GIL is held. */
void goffi_callables_drop_all(void) {
    for (uint32_t i = 0; i < goffi_callables_used; i++) {
        goffi_callable_slot *slot = &goffi_callables[i];
        PyObject *entry = slot->entry;
        if (entry == NULL) {
            continue;
        }
        slot->entry = NULL;
        slot->gen++;
        slot->next_free = goffi_callables_free;
        goffi_callables_free = i + 1;
        goffi_callables_live--;
        Py_DECREF(entry); /* last: may run Python code */
    }
}

PyObject *goffi_live_callables_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromSsize_t(goffi_callables_live);
}

int goffi_callback_call(uint64_t id, PyObject *const *args, Py_ssize_t nargs, PyObject **result) {
    *result = NULL;
    PyObject *entry = goffi_callable_entry(id);
    if (entry == NULL) {
        return GOFFI_CB_GONE;
    }
    Py_INCREF(entry); /* the callable may release itself (a Go func it dropped, collected) */
    *result = PyObject_Vectorcall(PyList_GET_ITEM(entry, 0), args, (size_t)nargs, NULL);
    int status = *result != NULL ? GOFFI_CB_OK : goffi_callback_raised(entry);
    Py_DECREF(entry);
    return status;
}

int goffi_callback_raised(PyObject *entry) {
    /* On a thread inside a Python->Go call, the callback runs on that call's goroutine
     * (a Go export runs on its caller's thread): the exception is that call's, and
     * unwinding (a recovered panic) ends the call at once. Elsewhere (another goroutine)
     * it goes to the call that passed the callable, if that call still runs. */
    int here = goffi_current_call != NULL;
    goffi_arena *call = here ? goffi_current_call
                             : (goffi_arena *)(uintptr_t)PyLong_AsUnsignedLongLong(PyList_GET_ITEM(entry, 1));
    if (call == NULL || PyErr_Occurred() == NULL) {
        /* The Go call that received this callable is over: nobody is waiting for its
         * exception, so report it like an exception in a thread. */
        PyErr_WriteUnraisable(PyList_GET_ITEM(entry, 0));
        return GOFFI_CB_RAISED;
    }
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(type);
    Py_XDECREF(tb);
    if (call->pending == NULL) {
        call->pending = value; /* the first exception wins, as the outer call's */
    } else {
        Py_XDECREF(value);
    }
    PyErr_Clear();
    return here ? GOFFI_CB_ABORT : GOFFI_CB_RAISED;
}

void goffi_cb_finish(goffi_arena *a) {
    if (a->cleanups != NULL && goffi_cb_available()) {
        PyGILState_STATE gil = goffi_cb_enter();
        goffi_arena_free(a);
        goffi_cb_leave(gil);
        return;
    }
    a->cleanups = NULL;
    goffi_arena_free_blocks(a);
}

int goffi_cb_own_str(goffi_str *s, goffi_arena *a) {
    if (s->n == 0) {
        return 0;
    }
    s->p = goffi_arena_copy(a, s->p, (size_t)s->n);
    return s->p != NULL ? 0 : -1;
}

goffi_arena *goffi_cb_arena_new(void) {
    goffi_arena *a = aligned_alloc(16, GOFFI_CB_ARENA_SIZE);
    if (a != NULL) {
        memset(a, 0, sizeof *a);
        a->cur = (char *)a + GOFFI_CB_ARENA_HEAD;
        a->end = (char *)a + GOFFI_CB_ARENA_SIZE;
    }
    return a;
}

void goffi_cb_arena_drop(goffi_arena *a) { free(a); }

PyObject *goffi_collect_go_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    Py_BEGIN_ALLOW_THREADS
    goffi_go_gc();
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}
int goffi_callback_fail(uint64_t id) {
    PyObject *entry = goffi_callable_entry(id);
    if (entry == NULL) {
        PyErr_WriteUnraisable(NULL);
        return GOFFI_CB_RAISED;
    }
    Py_INCREF(entry);
    int status = goffi_callback_raised(entry);
    Py_DECREF(entry);
    return status;
}
