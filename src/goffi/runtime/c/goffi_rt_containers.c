/*
 * goffi_rt_containers.c: sequences and mappings coming in (a tuple of their items the
 * generated converters read), and the path, inside a container argument, to the item
 * whose conversion failed ("... (at ['k'][0])").
 */
#include "goffi_rt.h"

/* ---- containers in ------------------------------------------------------------ */

PyObject *goffi_in_sequence(PyObject *o, goffi_arena *a, int64_t exact_len, int *is_nil, const char *where) {
    *is_nil = 0;
    if (o == Py_None && exact_len < 0) {
        *is_nil = 1;
        return Py_None;
    }
    if (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o) || PyDict_Check(o) ||
        !(PySequence_Check(o) || PyIter_Check(o) || PyAnySet_Check(o))) {
        if (exact_len < 0) {
            goffi_type_error(o, "a sequence (list, tuple) or None", where);
        } else {
            PyErr_Format(PyExc_TypeError, "%s must be a sequence (list, tuple) of exactly %lld elements, not %.200s",
                         where, (long long)exact_len, Py_TYPE(o)->tp_name);
        }
        return NULL;
    }
    /* A tuple cannot change while the GIL is released, so element pointers stay valid. */
    PyObject *t = PySequence_Tuple(o);
    if (t == NULL || goffi_arena_keep(a, t) < 0) {
        return NULL;
    }
    if (exact_len >= 0 && PyTuple_GET_SIZE(t) != exact_len) {
        PyErr_Format(PyExc_ValueError, "%s must have exactly %lld elements, not %zd", where, (long long)exact_len,
                     PyTuple_GET_SIZE(t));
        return NULL;
    }
    return t;
}

int goffi_list_changed(const char *where) {
    PyErr_Format(PyExc_RuntimeError, "%s: the list changed size while goffi converted its items", where);
    return -1;
}

/* Whether o is a mapping: a registered collections.abc.Mapping (a class of Python code
 * that defines __getitem__ is a sequence too, by the C API's test, so that test alone
 * refuses them), or a C mapping that is no sequence. 0 with an exception on failure. */
static int goffi_is_mapping(PyObject *o) {
    static PyObject *abc_mapping;
    if (abc_mapping == NULL) {
        PyObject *abc = PyImport_ImportModule("collections.abc");
        if (abc == NULL) {
            return 0;
        }
        abc_mapping = PyObject_GetAttrString(abc, "Mapping");
        Py_DECREF(abc);
        if (abc_mapping == NULL) {
            return 0;
        }
    }
    int r = PyObject_IsInstance(o, abc_mapping);
    if (r != 0) {
        return r > 0;
    }
    return PyMapping_Check(o) && !PySequence_Check(o);
}

PyObject *goffi_in_mapping(PyObject *o, goffi_arena *a, int *is_nil, const char *where) {
    *is_nil = 0;
    if (o == Py_None) {
        *is_nil = 1;
        return Py_None;
    }
    if (!PyDict_Check(o) && !goffi_is_mapping(o)) {
        if (!PyErr_Occurred()) {
            goffi_type_error(o, "a dict", where);
        }
        return NULL;
    }
    PyObject *items = PyMapping_Items(o);
    if (items == NULL) {
        return NULL;
    }
    PyObject *t = PySequence_Tuple(items);
    Py_DECREF(items);
    if (t == NULL || goffi_arena_keep(a, t) < 0) {
        return NULL;
    }
    return t;
}

/*
 * Add where, inside a container argument, a conversion failed: "... (at [2])",
 * "... (at ['k'][0])", "... (at key 1)". Converters annotate innermost first, so an
 * outer container inserts its step at the front of the path already there.
 * Only goffi's own TypeError/ValueError/OverflowError are rewritten; any other
 * exception (raised by a user's __index__, say) is left exactly as it was.
 */
static void goffi_annotate(PyObject *step) {
    PyObject *type, *value, *tb;
    if (step == NULL) {
        return;
    }
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value == NULL || !(type == PyExc_TypeError || type == PyExc_ValueError || type == PyExc_OverflowError)) {
        Py_DECREF(step);
        PyErr_Restore(type, value, tb);
        return;
    }
    PyObject *text = PyObject_Str(value);
    PyObject *msg = NULL;
    if (text != NULL) {
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        PyObject *marker = PyUnicode_FromString(" (at ");
        /* The first marker is goffi's: the message before it is `where` and the problem. */
        Py_ssize_t at = marker != NULL ? PyUnicode_Find(text, marker, 0, n, 1) : -2;
        Py_XDECREF(marker);
        if (at >= 0 && PyUnicode_ReadChar(text, n - 1) == ')') {
            PyObject *head = PyUnicode_Substring(text, 0, at + 5);
            PyObject *tail = PyUnicode_Substring(text, at + 5, n);
            if (head != NULL && tail != NULL) {
                int keyed = PyUnicode_GET_LENGTH(tail) > 0 && PyUnicode_ReadChar(tail, 0) == 'k';
                msg = PyUnicode_FromFormat("%U%U%s%U", head, step, keyed ? " " : "", tail);
            }
            Py_XDECREF(head);
            Py_XDECREF(tail);
        } else if (at == -1) {
            msg = PyUnicode_FromFormat("%U (at %U)", text, step);
        }
    }
    PyObject *annotated = msg != NULL ? PyObject_CallOneArg(type, msg) : NULL;
    if (annotated != NULL) {
        Py_DECREF(value);
        value = annotated;
    }
    PyErr_Clear();  /* a failure here only costs the annotation, never the original error */
    Py_XDECREF(text);
    Py_XDECREF(msg);
    Py_DECREF(step);
    PyErr_Restore(type, value, tb);
}

/* Build the path step with the pending exception set aside: a key's repr may raise,
 * and must not replace the error being annotated. */
#define GOFFI_ANNOTATE_WITH(...)                            \
    do {                                                     \
        PyObject *t_, *v_, *tb_;                             \
        PyErr_Fetch(&t_, &v_, &tb_);                         \
        PyObject *step_ = PyUnicode_FromFormat(__VA_ARGS__); \
        PyErr_Clear();                                       \
        PyErr_Restore(t_, v_, tb_);                          \
        goffi_annotate(step_);                               \
    } while (0)

void goffi_annotate_index(Py_ssize_t i) { GOFFI_ANNOTATE_WITH("[%zd]", i); }

void goffi_annotate_key(PyObject *key) { GOFFI_ANNOTATE_WITH("[%R]", key); }

void goffi_annotate_map_key(PyObject *key) { GOFFI_ANNOTATE_WITH("key %R", key); }

void goffi_annotate_attr(const char *name) { GOFFI_ANNOTATE_WITH(".%s", name); }
