/* What several files of _pdfgeom need alike (see pdfgeom.h): CPython's own sort for keys with NaN,
 * and sequences of numbers read into arrays of doubles. The bisections, the float reading, the
 * union-find root and the merge sort are static inline in pdfgeom.h.
 */
#include "pdfgeom.h"

/* ------------------------------------------------------------------ sorts */

/* The key function is keys.__getitem__ over a list of the indices, so list.sort compares the very
 * key objects, in its own order: the result is the Python's by construction, NaN or not. */
int pg_cpython_argsort(PyObject *keys, Py_ssize_t *order) {
    int ok = -1;
    Py_ssize_t n = PyList_GET_SIZE(keys);
    PyObject *idx = NULL, *getitem = NULL, *kw = NULL, *empty = NULL, *sort = NULL, *r = NULL;
    if ((idx = PyList_New(n)) == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = PyLong_FromSsize_t(i);
        if (o == NULL)
            goto done;
        PyList_SET_ITEM(idx, i, o);
    }
    if ((getitem = PyObject_GetAttrString(keys, "__getitem__")) == NULL || (kw = PyDict_New()) == NULL ||
        PyDict_SetItemString(kw, "key", getitem) < 0 || (empty = PyTuple_New(0)) == NULL ||
        (sort = PyObject_GetAttrString(idx, "sort")) == NULL || (r = PyObject_Call(sort, empty, kw)) == NULL)
        goto done;
    if (PyList_GET_SIZE(idx) != n) { /* cannot happen (nothing else sees idx); read only what is there */
        PyErr_SetString(PyExc_RuntimeError, "_pdfgeom: list.sort lost items");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        order[i] = PyLong_AsSsize_t(PyList_GET_ITEM(idx, i));
        if (order[i] == -1 && PyErr_Occurred())
            goto done;
    }
    ok = 0;
done:
    Py_XDECREF(idx);
    Py_XDECREF(getitem);
    Py_XDECREF(kw);
    Py_XDECREF(empty);
    Py_XDECREF(sort);
    Py_XDECREF(r);
    return ok;
}

/* ------------------------------------------------------------------ sequences of numbers */

/* One item of a sequence read as doubles into out; 0, or -1 with an exception. */
typedef int (*read_item_fn)(PyObject *item, const char *what, double *out);

static int read_number(PyObject *item, const char *what, double *out) { return pg_as_double(item, out); }

static int read_triple(PyObject *item, const char *what, double *out) {
    PyObject *t = PySequence_Fast(item, what);
    if (t == NULL)
        return -1;
    int rc = -1;
    PyObject **ti = PySequence_Fast_ITEMS(t);
    if (PySequence_Fast_GET_SIZE(t) != 3)
        PyErr_Format(PyExc_ValueError, "%s: a segment must have 3 values, not %zd", what,
                     PySequence_Fast_GET_SIZE(t));
    else if (pg_as_double(ti[0], &out[0]) == 0 && pg_as_double(ti[1], &out[1]) == 0 &&
             pg_as_double(ti[2], &out[2]) == 0)
        rc = 0;
    Py_DECREF(t);
    return rc;
}

/* The items of seq, each read by `read` as `width` doubles, into a fresh array. */
static int read_items(PyObject *seq, const char *what, Py_ssize_t width, read_item_fn read, double **out,
                      Py_ssize_t *n) {
    *out = NULL;
    *n = 0;
    PyObject *fast = PySequence_Fast(seq, what);
    if (fast == NULL)
        return -1;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(fast);
    PyObject **items = PySequence_Fast_ITEMS(fast);
    double *a = NULL;
    if (len > 0) {
        a = PyMem_Malloc((size_t)len * (size_t)width * sizeof(double));
        if (a == NULL) {
            Py_DECREF(fast);
            PyErr_NoMemory();
            return -1;
        }
        for (Py_ssize_t i = 0; i < len; i++) {
            if (read(items[i], what, a + width * i) < 0) {
                PyMem_Free(a);
                Py_DECREF(fast);
                return -1;
            }
        }
    }
    Py_DECREF(fast);
    *out = a;
    *n = len;
    return 0;
}

int pg_read_doubles(PyObject *seq, const char *what, double **out, Py_ssize_t *n) {
    return read_items(seq, what, 1, read_number, out, n);
}

int pg_read_triples(PyObject *seq, const char *what, double **out, Py_ssize_t *n) {
    return read_items(seq, what, 3, read_triple, out, n);
}

int pg_as_addr(PyObject *o, const char *who, int nonnull, void **out) {
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s: addresses must be ints", who);
        return -1;
    }
    *out = PyLong_AsVoidPtr(o);
    if (*out == NULL && PyErr_Occurred())
        return -1;
    if (*out == NULL && nonnull) {
        PyErr_Format(PyExc_ValueError, "%s: a PDFium function address is 0", who);
        return -1;
    }
    return 0;
}

int pg_box_api(PyObject *tpa_obj, PyObject *fn_obj, const char *who, void **tpa, pg_loose_box_fn *box) {
    void *fn;
    if (pg_as_addr(tpa_obj, who, 0, tpa) < 0 || pg_as_addr(fn_obj, who, 1, &fn) < 0)
        return -1;
    *box = (pg_loose_box_fn)(uintptr_t)fn;
    return 0;
}
