/*
 * goffi_decode.c: Go's decoding written back into Python objects.
 *
 * An any parameter Go decodes into (json.Unmarshal's v; see goffi/decoding.py) gets a
 * pointer to the converted copy of a dict, list or record (goffi_decode.go). After the
 * call, Go describes the value behind that pointer, and goffi_decode_back makes the
 * Python object equal to it, in place: a dict gets Go's keys (others deleted), a list
 * Go's items, a record Go's field values. A tuple (immutable) is left as it was.
 */
#include "goffi_py.h"

/* Make dict d's contents equal to dict now's: keys Go removed are deleted, the others
 * set (a value equal to the one there is left alone, keeping its identity). */
int goffi_dict_become(PyObject *d, PyObject *now) {
    PyObject *keys = PyDict_Keys(d);
    if (keys == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(keys); i++) {
        PyObject *k = PyList_GET_ITEM(keys, i);
        int has = PyDict_Contains(now, k);
        if (has < 0 || (has == 0 && PyDict_DelItem(d, k) < 0)) {
            Py_DECREF(keys);
            return -1;
        }
    }
    Py_DECREF(keys);
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(now, &pos, &k, &v)) {
        PyObject *old = PyDict_GetItemWithError(d, k); /* borrowed */
        if (old == NULL && PyErr_Occurred()) {
            return -1;
        }
        if (old != NULL && Py_TYPE(old) == Py_TYPE(v)) {
            Py_INCREF(old);
            int equal = PyObject_RichCompareBool(old, v, Py_EQ);
            Py_DECREF(old);
            if (equal < 0) {
                return -1;
            }
            if (equal) {
                continue;
            }
        }
        if (PyDict_SetItem(d, k, v) < 0) {
            return -1;
        }
    }
    return 0;
}

/* Set record target's fields (its class's __slots__) to those of now, a record of the
 * same class. */
static int goffi_record_become(PyObject *target, PyObject *now) {
    PyObject *slots = PyObject_GetAttrString((PyObject *)Py_TYPE(target), "__slots__");
    PyObject *names = slots ? PySequence_Tuple(slots) : NULL;
    Py_XDECREF(slots);
    if (names == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(names); i++) {
        PyObject *name = PyTuple_GET_ITEM(names, i);
        PyObject *v = PyObject_GetAttr(now, name);
        if (v == NULL || PyObject_SetAttr(target, name, v) < 0) {
            Py_XDECREF(v);
            Py_DECREF(names);
            return -1;
        }
        Py_DECREF(v);
    }
    Py_DECREF(names);
    return 0;
}

int goffi_decode_back(PyObject *target, const goffi_any *d) {
    if (d->tag == GOFFI_ANY_NIL) {
        return 0; /* Go got the value itself: nothing to write */
    }
    PyObject *now = goffi_out_any(d);
    if (now == NULL) {
        return -1;
    }
    int rc = 0;
    if (PyDict_Check(target) && PyDict_Check(now)) {
        rc = goffi_dict_become(target, now);
    } else if (PyList_Check(target) && PyList_Check(now)) {
        rc = PyList_SetSlice(target, 0, PyList_GET_SIZE(target), now);
    } else if (Py_TYPE(target) == Py_TYPE(now) && !PyTuple_Check(target)) {
        rc = goffi_record_become(target, now);
    }
    Py_DECREF(now);
    return rc;
}
