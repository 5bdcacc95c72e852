/*
 * goffi_view.c: slices that cross without a copy.
 *
 * In: a Python buffer whose items have a Go slice's element format (array('d') for a
 * []float64) crosses as a pointer to its items. For ordinary functions Go copies from
 * it in one memmove instead of one conversion per element; for zero_copy= functions
 * Go views it directly (see goffi_view.go).
 *
 * Out (zero_copy= results): a memoryview of the Go array itself. The memoryview's
 * exporter is a GoArray object holding the loan Go made of the array (pinned); the
 * loan is returned, and the array unpinned, when the last memoryview of it and the
 * GoArray are gone.
 */
#include "goffi_py.h"
#include "goffi_exports.h" /* goffi_return_loan */

#include <string.h>

/* Where an empty buffer's items "are": Go tells a nil slice (None) by a NULL pointer. */
static const double goffi_no_items;

/* Struct-module format characters that mean the same item as `want` on this platform
 * (LP64, little-endian: 'l' is 'q', and '<' or '=' prefixed standard sizes are native). */
static int goffi_same_item(const char *format, Py_ssize_t itemsize, char want, Py_ssize_t want_size) {
    static const char *signed_ints = "bhilqn", *unsigned_ints = "BHILQN";
    if (format == NULL) {
        format = "B";
    }
    if (format[0] == '@' || format[0] == '=' || format[0] == '<') {
        format++;
    }
    char f = format[0];
    if (f == '\0' || format[1] != '\0' || itemsize != want_size) {
        return 0;
    }
    if (f == want) {
        return 1;
    }
    return (strchr(signed_ints, f) && strchr(signed_ints, want)) ||
           (strchr(unsigned_ints, f) && strchr(unsigned_ints, want));
}

int goffi_in_buffer(PyObject *o, goffi_view *out, goffi_arena *a, char format, Py_ssize_t itemsize, int go_writes) {
    if (!PyObject_CheckBuffer(o)) {
        return 0;
    }
    Py_buffer *view = goffi_arena_buffer(a);
    if (view == NULL) {
        return -1;
    }
    const int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT;
    int readonly = 0;
    /* Go writes into a view (zero_copy=): share writable memory, so the writes land there. */
    if (!go_writes || PyObject_GetBuffer(o, view, flags | PyBUF_WRITABLE) < 0) {
        PyErr_Clear();
        if (PyObject_GetBuffer(o, view, flags) < 0) {
            /* Not contiguous, say: the sequence path converts it item by item. */
            PyErr_Clear();
            view->obj = NULL;
            return 0;
        }
        readonly = 1;
    }
    if (view->ndim != 1 || !goffi_same_item(view->format, view->itemsize, format, itemsize)) {
        PyBuffer_Release(view); /* leaves view->obj NULL: the arena skips it */
        return 0;
    }
    out->p = view->len > 0 ? view->buf : (void *)&goffi_no_items;
    out->n = view->len / itemsize;
    out->loan = 0;
    if (readonly && go_writes && view->len > 0) {
        /* Go may write into its view, and this buffer must not change (bytes, a read-only
         * numpy array): Go gets a copy in the arena instead. */
        out->p = goffi_arena_copy(a, view->buf, (size_t)view->len);
        if (out->p == NULL) {
            return -1;
        }
    }
    return 1;
}

/* ---- GoArray: the exporter behind a memoryview of a Go array ---------------------- */

typedef struct {
    PyObject_HEAD
    void *p;             /* the Go array (pinned), or NULL when empty */
    Py_ssize_t n;        /* items */
    Py_ssize_t itemsize; /* bytes per item */
    char format[2];      /* struct-module format of one item */
    uint64_t loan;       /* Go's loan ID, 0 when nothing was lent */
} goffi_go_array;

static int goffi_go_array_getbuffer(PyObject *self, Py_buffer *view, int flags) {
    goffi_go_array *arr = (goffi_go_array *)self;
    view->obj = Py_NewRef(self);
    view->buf = arr->p != NULL ? arr->p : (void *)&arr->loan; /* never NULL, even when empty */
    view->len = arr->n * arr->itemsize;
    view->readonly = 0; /* Go's array is ordinary memory: Python may write into it */
    view->itemsize = arr->itemsize;
    view->format = (flags & PyBUF_FORMAT) ? arr->format : NULL;
    view->ndim = 1;
    view->shape = (flags & PyBUF_ND) == PyBUF_ND ? &arr->n : NULL;
    view->strides = (flags & PyBUF_STRIDES) == PyBUF_STRIDES ? &arr->itemsize : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    return 0;
}

static void goffi_go_array_dealloc(PyObject *self) {
    goffi_go_array *arr = (goffi_go_array *)self;
    PyTypeObject *type = Py_TYPE(self);
    /* A forked child must not call Go (it has none of Go's threads); its copy of the
     * array stays where it is. */
    if (arr->loan != 0 && !goffi_forked) {
        goffi_return_loan(arr->loan);
    }
    type->tp_free(self);
    Py_DECREF(type);
}

static PyObject *goffi_go_array_repr(PyObject *self) {
    goffi_go_array *arr = (goffi_go_array *)self;
    return PyUnicode_FromFormat("<goffi.GoArray of %zd '%s' items, lent by Go>", arr->n, arr->format);
}

static PyType_Slot goffi_go_array_slots[] = {
    {Py_bf_getbuffer, goffi_go_array_getbuffer},
    {Py_tp_dealloc, goffi_go_array_dealloc},
    {Py_tp_repr, goffi_go_array_repr},
    {Py_tp_doc, "A Go array lent to Python without a copy: the object behind the memoryviews that "
                "zero_copy= functions return. Go keeps the array pinned until every memoryview of it "
                "is released."},
    {0, NULL},
};

static PyType_Spec goffi_go_array_spec = {
    "goffi.GoArray", sizeof(goffi_go_array), 0, Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    goffi_go_array_slots,
};

static PyObject *goffi_go_array_type;

PyObject *goffi_out_view(const goffi_view *v, const char *format, Py_ssize_t itemsize) {
    if (goffi_go_array_type == NULL) {
        goffi_go_array_type = PyType_FromSpec(&goffi_go_array_spec);
        if (goffi_go_array_type == NULL) {
            goto fail;
        }
    }
    goffi_go_array *arr = PyObject_New(goffi_go_array, (PyTypeObject *)goffi_go_array_type);
    if (arr == NULL) {
        goto fail;
    }
    Py_INCREF(goffi_go_array_type); /* heap type instances own a reference to their type */
    arr->p = v->p;
    arr->n = (Py_ssize_t)v->n;
    arr->itemsize = itemsize;
    arr->format[0] = format[0];
    arr->format[1] = '\0';
    arr->loan = v->loan; /* from here on, dealloc returns the loan */
    PyObject *view = PyMemoryView_FromObject((PyObject *)arr);
    Py_DECREF(arr);
    return view;
fail:
    if (v->loan != 0) {
        goffi_return_loan(v->loan);
    }
    return NULL;
}
