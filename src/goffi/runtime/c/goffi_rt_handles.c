/*
 * goffi_rt_handles.c: Go objects in Python: the class registry, the one Python object per
 * live Go handle (released to Go when it goes), construction, the dunder methods, the
 * refusal of another bundle's objects, and the registry of record classes.
 */
#include "goffi_rt.h"

/* ---- handle objects ------------------------------------------------------------ */

/* The class registry: index -> class, and whether its objects should be closed. */
static PyObject **goffi_class_types;
static uint8_t *goffi_class_closes;
static Py_ssize_t goffi_class_count;

PyObject *goffi_object_base(void) { return goffi_GoObject; }

int goffi_classes_init(Py_ssize_t n) {
    goffi_class_types = PyMem_Calloc(n > 0 ? (size_t)n : 1, sizeof(PyObject *));
    goffi_class_closes = PyMem_Calloc(n > 0 ? (size_t)n : 1, 1);
    if (goffi_class_types == NULL || goffi_class_closes == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    goffi_class_count = n;
    return 0;
}

int goffi_class_set(int32_t cls, PyObject *type, int closes) {
    if (cls < 0 || cls >= goffi_class_count) {
        PyErr_Format(PyExc_SystemError, "goffi: class index %d out of range", (int)cls);
        return -1;
    }
    Py_INCREF(type);
    goffi_class_types[cls] = type;
    goffi_class_closes[cls] = (uint8_t)(closes != 0);
    return 0;
}

PyObject *goffi_class_type(int32_t cls) {
    return cls >= 0 && cls < goffi_class_count ? goffi_class_types[cls] : NULL;
}

/* goffi_instances' most entries since it was last made (goffi_rt.c makes it). */
static Py_ssize_t goffi_instances_peak;

int goffi_to_handle(PyObject *o, goffi_handle *out, int32_t expected, int nilable, const char *where) {
    if (o == Py_None) {
        if (!nilable) {
            PyErr_Format(PyExc_TypeError, "%s must not be None", where);
            return -1;
        }
        out->id = 0;
        out->cls = -1;
        return 0;
    }
    if (!goffi_is_object(o)) {
        if (goffi_refuse_foreign(o, NULL, where) < 0) {
            return -1;
        }
        PyErr_Format(PyExc_TypeError, "%s must be a Go object, not %.200s", where, Py_TYPE(o)->tp_name);
        return -1;
    }
    if (expected >= 0 && !PyObject_TypeCheck(o, (PyTypeObject *)goffi_class_types[expected])) {
        PyErr_Format(PyExc_TypeError, "%s must be %.200s, not %.200s", where,
                     ((PyTypeObject *)goffi_class_types[expected])->tp_name, Py_TYPE(o)->tp_name);
        return -1;
    }
    out->id = ((goffi_object *)o)->handle;
    out->cls = ((goffi_object *)o)->cls;
    return 0;
}

PyObject *goffi_handle_object(const goffi_handle *h) {
    if (h->id == 0) {
        Py_RETURN_NONE;
    }
    PyObject *key = PyLong_FromUnsignedLongLong(h->id);
    if (key == NULL) {
        return NULL;
    }
    PyObject *address = PyDict_GetItemWithError(goffi_instances, key);
    if (address != NULL) {
        /* Go handed out this ID again (the same pointer): the same object, one more
         * reference for it to give back when it goes. */
        goffi_object *found = PyLong_AsVoidPtr(address);
        Py_DECREF(key);
        found->refs++;
        return Py_NewRef((PyObject *)found);
    }
    if (PyErr_Occurred()) {
        Py_DECREF(key);
        return NULL;
    }
    if (h->cls < 0 || h->cls >= goffi_class_count || goffi_class_types[h->cls] == NULL) {
        Py_DECREF(key);
        goffi_release(h->id, 1);
        PyErr_Format(PyExc_SystemError, "goffi: Go returned an object of unknown class %d", (int)h->cls);
        return NULL;
    }
    PyTypeObject *type = (PyTypeObject *)goffi_class_types[h->cls];
    goffi_object *obj = (goffi_object *)type->tp_alloc(type, 0);
    PyObject *where = obj ? PyLong_FromVoidPtr(obj) : NULL;
    if (where == NULL || PyDict_SetItem(goffi_instances, key, where) < 0) {
        Py_XDECREF(where);
        Py_DECREF(key);
        if (obj != NULL) {
            obj->handle = 0; /* nothing to release twice */
            Py_DECREF(obj);
        }
        goffi_release(h->id, 1);
        return NULL;
    }
    Py_DECREF(where);
    Py_DECREF(key);
    if (PyDict_GET_SIZE(goffi_instances) > goffi_instances_peak) {
        goffi_instances_peak = PyDict_GET_SIZE(goffi_instances);
    }
    /* The base class (a Python class) makes the type GC-aware, but these objects hold no
     * Python references: keep them out of the collector's lists. */
    PyObject_GC_UnTrack(obj);
    obj->handle = h->id;
    obj->refs = 1;
    obj->cls = h->cls;
    obj->flags = 0;
    return (PyObject *)obj;
}

/* A dict keeps its table when entries are deleted: after a million objects go, the
 * table would stay at its peak size. Once the live entries fall to 1/8 of a peak of at
 * least 4096, they move to a new dict sized for them (amortized O(1) per deletion; the
 * same rule as rt.Handles in Go). */
static void goffi_instances_shrink(void) {
    Py_ssize_t live = PyDict_GET_SIZE(goffi_instances);
    if (goffi_instances_peak < 4096 || live > goffi_instances_peak / 8) {
        return;
    }
    PyObject *smaller = PyDict_Copy(goffi_instances);
    if (smaller == NULL) {
        PyErr_Clear(); /* keep the big one: correct, only larger */
        return;
    }
    Py_SETREF(goffi_instances, smaller);
    goffi_instances_peak = live;
}

void goffi_object_dealloc(PyObject *self) {
    goffi_object *me = (goffi_object *)self;
    PyTypeObject *type = Py_TYPE(self);
    /* Before anything here can run Python code (the ResourceWarning), so the collector
     * never sees an object being deallocated. No-op when already untracked. */
    PyObject_GC_UnTrack(self);
    if (me->handle != 0) {
        PyObject *exc_type, *exc_value, *exc_tb;
        PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
        if (me->cls >= 0 && me->cls < goffi_class_count && goffi_class_closes[me->cls] &&
            !(me->flags & GOFFI_FLAG_CLOSED)) {
            /* Like an unclosed Python file: say so. The Go value is not closed here,
             * because goffi cannot know that closing it from this thread is safe; Go's
             * own finalizers (os.File has one) still run when Go collects it. */
            if (PyErr_WarnFormat(PyExc_ResourceWarning, 1, "unclosed %.200s: call Close() or use it in a with block",
                                 type->tp_name) < 0) {
                /* The warning was made an error (-W error, PYTHONWARNINGS=error): report it
                 * like any exception in a destructor, naming the class, never self. self's
                 * count is 0: the hook would take and drop a reference to it (repr), which
                 * deallocates it again, and again, until the stack overflows. */
                PyErr_WriteUnraisable((PyObject *)type);
            }
        }
        PyObject *key = PyLong_FromUnsignedLongLong(me->handle);
        if (key == NULL || PyDict_DelItem(goffi_instances, key) < 0) {
            PyErr_Clear();
        }
        Py_XDECREF(key);
        goffi_instances_shrink();
        if (!goffi_forked) {
            goffi_release(me->handle, me->refs);
        }
        PyErr_Restore(exc_type, exc_value, exc_tb);
    }
    type->tp_free(self);
    Py_DECREF(type);
}

PyObject *goffi_object_construct(PyTypeObject *type, PyObject *args, PyObject *kwargs,
                                 void (*make)(goffi_handle *, goffi_err *, goffi_arena *)) {
    if (PyTuple_GET_SIZE(args) != 0) {
        PyErr_Format(PyExc_TypeError,
                     "%.200s() takes no positional arguments: it makes Go's zero value; "
                     "set exported fields with keywords",
                     type->tp_name);
        return NULL;
    }
    if (GOFFI_UNLIKELY(goffi_forked)) {
        return goffi_raise_forked(type->tp_name);
    }
    if (kwargs != NULL) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kwargs, &pos, &key, &value)) {
            PyObject *attr = PyObject_GetAttr((PyObject *)type, key);
            int is_field = attr != NULL && Py_IS_TYPE(attr, &PyGetSetDescr_Type);
            Py_XDECREF(attr);
            PyErr_Clear();
            if (!is_field) {
                PyErr_Format(PyExc_TypeError, "%.200s() got an unexpected keyword argument %R: not an exported field",
                             type->tp_name, key);
                return NULL;
            }
        }
    }
    goffi_handle h = {0, -1};
    goffi_err err = {0};
    GOFFI_ARENA(arena);
    Py_BEGIN_ALLOW_THREADS
    make(&h, &err, &arena);
    Py_END_ALLOW_THREADS
    if (err.kind != GOFFI_OK) {
        goffi_raise(&err);
        goffi_arena_free(&arena);
        return NULL;
    }
    goffi_arena_free(&arena);
    PyObject *obj = goffi_handle_object(&h);
    if (obj != NULL && kwargs != NULL) {
        PyObject *key, *value;
        Py_ssize_t pos = 0;
        while (PyDict_Next(kwargs, &pos, &key, &value)) {
            if (PyObject_SetAttr(obj, key, value) < 0) {
                Py_DECREF(obj);
                return NULL;
            }
        }
    }
    return obj;
}

PyObject *goffi_object_str(PyObject *self) {
    PyObject *method = PyObject_GetAttrString(self, "String");
    if (method == NULL) {
        PyErr_Clear();
        method = PyObject_GetAttrString(self, "Error");
    }
    if (method == NULL) {
        return NULL;
    }
    PyObject *text = PyObject_CallNoArgs(method);
    Py_DECREF(method);
    return text;
}

Py_ssize_t goffi_object_len(PyObject *self) {
    PyObject *n = PyObject_CallMethod(self, "Len", NULL);
    if (n == NULL) {
        return -1;
    }
    Py_ssize_t len = PyLong_AsSsize_t(n);
    Py_DECREF(n);
    if (len < 0 && !PyErr_Occurred()) {
        PyErr_SetString(PyExc_ValueError, "Go's Len() returned a negative length");
    }
    return len;
}

PyObject *goffi_object_enter(PyObject *self, PyObject *unused) {
    (void)unused;
    return Py_NewRef(self);
}

PyObject *goffi_object_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)args;
    (void)nargs;
    PyObject *r = PyObject_CallMethod(self, "Close", NULL);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    Py_RETURN_FALSE; /* never swallow the with block's exception */
}

PyObject *goffi_live_handles_py(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    if (GOFFI_UNLIKELY(goffi_forked)) {
        return goffi_raise_forked("goffi.live_handles");
    }
    return PyLong_FromLongLong(goffi_live_handles());
}

PyObject *goffi_object_no_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    (void)args;
    (void)kwargs;
    PyErr_Format(PyExc_TypeError,
                 "cannot create %.200s objects: they are Go interface values, which come from Go functions",
                 type->tp_name);
    return NULL;
}

int goffi_class_register(int32_t cls, PyObject *type, int closes, const char *go_type) {
    PyObject *name = PyUnicode_FromString(go_type);
    if (name == NULL) {
        return -1;
    }
    int failed = PyObject_SetAttrString(type, "__go_type__", name);
    Py_DECREF(name);
    return failed ? -1 : goffi_class_set(cls, type, closes);
}

/* ---- several bundles in one process ---------------------------------------------- */

/* _bundle._bind(record): the bundle's __init__ hands this library its record in goffi.runtime
 * (a LoadedBundle) right after loading it. From then on Go errors become exceptions through
 * the bundle's own tables, and each of its Go object classes is tagged __goffi_bundle__, so
 * that another bundle handed one of its objects can name both bundles. */
PyObject *goffi_bind_py(PyObject *self, PyObject *record) {
    (void)self;
    PyObject *maker = PyObject_GetAttrString(record, "_go_error");
    PyObject *name = PyObject_GetAttrString(record, "name");
    if (maker == NULL || name == NULL || !PyUnicode_Check(name)) {
        Py_XDECREF(maker);
        Py_XDECREF(name);
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_TypeError, "_bind(record): generated code only");
        }
        return NULL;
    }
    Py_XSETREF(goffi_make_error, maker);
    Py_XSETREF(goffi_bundle_name, name);
    for (Py_ssize_t i = 0; i < goffi_class_count; i++) {
        PyObject *t = goffi_class_types[i];
        if (t != NULL && PyType_IsSubtype((PyTypeObject *)t, (PyTypeObject *)goffi_GoObject) &&
            PyObject_SetAttrString(t, "__goffi_bundle__", name) < 0) {
            return NULL;
        }
    }
    Py_RETURN_NONE;
}

int goffi_refuse_foreign(PyObject *o, PyObject *shown, const char *where) {
    if (goffi_is_object(o) || goffi_GoObject == NULL || !PyObject_TypeCheck(o, (PyTypeObject *)goffi_GoObject)) {
        return 0;
    }
    PyObject *theirs = PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__goffi_bundle__");
    if (theirs == NULL) {
        PyErr_Clear();
        theirs = PyUnicode_FromString("another bundle");
        if (theirs == NULL) {
            return -1;
        }
    }
    PyErr_Format(PyExc_TypeError,
                 "%s: this %.200s is a Go object of bundle %R, and the function belongs to bundle %R: each "
                 "bundle runs its own Go runtime, so Go objects cannot pass from one to another. Pass plain "
                 "Python values (numbers, strings, records) instead, or build both Go packages into one bundle.",
                 where, Py_TYPE(shown != NULL ? shown : o)->tp_name, theirs,
                 goffi_bundle_name ? goffi_bundle_name : Py_None);
    Py_DECREF(theirs);
    return -1;
}

/* ---- records ------------------------------------------------------------------- */

PyObject *goffi_record_class(int32_t cls, const char *module) {
    if (cls < 0 || cls >= goffi_class_count) {
        PyErr_Format(PyExc_SystemError, "goffi: record class index %d out of range", (int)cls);
        return NULL;
    }
    if (goffi_class_types[cls] == NULL) {
        /* Record classes are defined by their Python module, which registers them on
         * import; a record can come back from another package's function first. */
        PyObject *m = PyImport_ImportModule(module);
        if (m == NULL) {
            return NULL;
        }
        Py_DECREF(m);
        if (goffi_class_types[cls] == NULL) {
            PyErr_Format(PyExc_SystemError, "goffi: module %s did not register record class %d", module, (int)cls);
            return NULL;
        }
    }
    return goffi_class_types[cls];
}

PyObject *goffi_register_class_py(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    (void)self;
    if (nargs != 2 || !PyLong_Check(args[0]) || !PyType_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "_register_class(index, cls): generated code only");
        return NULL;
    }
    long cls = PyLong_AsLong(args[0]);
    if (cls == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (goffi_class_set((int32_t)cls, args[1], 0) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}
