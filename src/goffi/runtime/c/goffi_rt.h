/*
 * goffi_rt.h: what the C runtime's files (goffi_rt*.c) share among themselves. Declared
 * hidden: like the static names they were in one file, they are not exported from the
 * bundle's library. What the generated glue calls is in goffi_py.h.
 *
 *   goffi_rt.c             set-up (the objects of goffi.runtime it uses), fork guard, argument counts
 *   goffi_rt_arena.c       the per-call arena: memory, and the references and buffers a call holds
 *   goffi_rt_errors.c      Go errors and panics as Python exceptions, and Go errors back to Go
 *   goffi_rt_scalars.c     scalars in and out: bool, integers, floats, complex, str, bytes
 *   goffi_rt_containers.c  sequences and mappings in, and where inside one a conversion failed
 *   goffi_rt_handles.c     Go objects: the class registry, handle objects, several bundles, records
 *   goffi_rt_any.c         Go any, and time.Time and time.Duration (datetime's C API)
 */
#ifndef GOFFI_RT_H
#define GOFFI_RT_H

#include "goffi_py.h"
#include "goffi_exports.h" /* goffi_release, goffi_live_handles */

#ifndef GOFFI_HIDDEN
#define GOFFI_HIDDEN __attribute__((visibility("hidden")))
#endif

/* ---- goffi_rt.c: set by goffi_runtime_init ---- */

GOFFI_HIDDEN extern PyObject *goffi_GoError;
GOFFI_HIDDEN extern PyObject *goffi_GoPanic;
GOFFI_HIDDEN extern PyObject *goffi_GoObject;   /* goffi.runtime.GoObject, the base of every handle class */
GOFFI_HIDDEN extern PyObject *goffi_make_error; /* builds the exception of a Go error: the bundle's own, once bound */
GOFFI_HIDDEN extern PyObject *goffi_bundle_name; /* the bundle's Python name, once bound (_bundle._bind) */
GOFFI_HIDDEN extern PyObject *goffi_time_from_go; /* goffi.runtime._time_from_go and _time_to_go */
GOFFI_HIDDEN extern PyObject *goffi_time_to_go;
GOFFI_HIDDEN extern PyObject *goffi_instances;  /* handle ID -> address of its live Python object */

/* ---- goffi_rt_arena.c ---- */

/* A cleanup record: a Python reference to drop or a buffer view to release. */
typedef struct goffi_cleanup {
    struct goffi_cleanup *next;
    PyObject *obj;      /* dropped with Py_DECREF when view.obj == NULL */
    Py_buffer view;     /* released with PyBuffer_Release when view.obj != NULL */
    int detach;         /* obj is a callable's registry entry: forget this call first */
    uint64_t id;        /* ... and its ID, to give it up if Go never got it (goffi_arena_abandon) */
} goffi_cleanup;

/* A new cleanup record of the arena, zeroed (NULL with MemoryError set when out of memory). */
GOFFI_HIDDEN goffi_cleanup *goffi_new_cleanup(goffi_arena *a);

/* ---- goffi_rt_errors.c ---- */

/* Whether o is a GoError class (io.EOF, fs.SkipDir): where Go takes an error, a sentinel's
 * class stands for its Go value. */
GOFFI_HIDDEN int goffi_is_error_class(PyObject *o);

/* ---- goffi_rt_scalars.c ---- */

/* TypeError: `where` must be `expected`, not o's type. Returns -1. */
GOFFI_HIDDEN int goffi_type_error(PyObject *o, const char *expected, const char *where);

/* ---- goffi_rt_handles.c ---- */

/* Whether o is a Go object of this runtime (goffi_to_handle takes it). */
static inline int goffi_is_object(PyObject *o) { return Py_TYPE(o)->tp_dealloc == goffi_object_dealloc; }

/* ---- goffi_rt_any.c ---- */

/* Sets datetime's C API for the time converters (PyDateTimeAPI is a static of each file
 * that includes datetime.h): 0, or -1 with an exception. */
GOFFI_HIDDEN int goffi_datetime_import(void);

#endif
