/* pdf._grid_rows in C: rows of group ids to rows of cells.
 *
 * grid_rows(ids, texts, cell_type) -> list of tuples. Each position becomes cell_type(text, origin)
 * with text = texts[id] and origin true at the id's first position (row by row, left to right);
 * equal (text, origin) pairs share one cell object, made when first needed, as the Python does.
 */
#include "pdfgeom.h"

/* made[(text, first)], made by cell_type(text, first) and kept there when it is not there yet: a new
 * reference, or NULL with an exception. */
static PyObject *cell_of(PyObject *made, PyObject *cell_type, PyObject *text, int first) {
    PyObject *key = PyTuple_Pack(2, text, first ? Py_True : Py_False);
    if (key == NULL)
        return NULL;
    PyObject *cell = PyDict_GetItemWithError(made, key); /* borrowed */
    if (cell != NULL) {
        Py_INCREF(cell);
    } else if (!PyErr_Occurred()) {
        cell = PyObject_Call(cell_type, key, NULL);
        if (cell != NULL && PyDict_SetItem(made, key, cell) < 0)
            Py_CLEAR(cell);
    }
    Py_DECREF(key);
    return cell;
}

PyObject *pg_grid_rows(PyObject *self, PyObject *args) {
    PyObject *ids, *texts, *cell_type;
    if (!PyArg_ParseTuple(args, "O!O!O:grid_rows", &PyList_Type, &ids, &PyDict_Type, &texts, &cell_type))
        return NULL;
    PyObject *rows = PyList_New(0);
    PyObject *seen = PySet_New(NULL);
    PyObject *made = PyDict_New();
    if (rows == NULL || seen == NULL || made == NULL)
        goto fail;
    Py_ssize_t n_rows = PyList_GET_SIZE(ids);
    for (Py_ssize_t i = 0; i < n_rows; i++) {
        PyObject *row = PyList_GET_ITEM(ids, i);
        if (!PyList_Check(row)) {
            PyErr_SetString(PyExc_TypeError, "grid_rows: ids must be a list of lists");
            goto fail;
        }
        Py_ssize_t n = PyList_GET_SIZE(row);
        PyObject *out = PyTuple_New(n);
        if (out == NULL)
            goto fail;
        /* The row may not change under us: nothing below runs Python code that could reach it,
         * except cell_type(), so the row's length is checked again after each call. */
        for (Py_ssize_t j = 0; j < n && j < PyList_GET_SIZE(row); j++) {
            PyObject *g = PyList_GET_ITEM(row, j);
            Py_INCREF(g);
            PyObject *text = PyDict_GetItemWithError(texts, g); /* borrowed */
            if (text == NULL) {
                if (!PyErr_Occurred())
                    PyErr_SetObject(PyExc_KeyError, g);
                Py_DECREF(g);
                Py_DECREF(out);
                goto fail;
            }
            int was_seen = PySet_Contains(seen, g);
            if (was_seen < 0) {
                Py_DECREF(g);
                Py_DECREF(out);
                goto fail;
            }
            PyObject *cell = cell_of(made, cell_type, text, !was_seen);
            if (cell == NULL) {
                Py_DECREF(g);
                Py_DECREF(out);
                goto fail;
            }
            PyTuple_SET_ITEM(out, j, cell); /* steals the reference */
            int added = PySet_Add(seen, g);
            Py_DECREF(g);
            if (added < 0) {
                Py_DECREF(out);
                goto fail;
            }
        }
        if (PyList_GET_SIZE(row) != n) {
            PyErr_SetString(PyExc_RuntimeError, "grid_rows: a row of ids changed during the call");
            Py_DECREF(out);
            goto fail;
        }
        if (pg_append_new(rows, out) < 0)
            goto fail;
    }
    Py_DECREF(seen);
    Py_DECREF(made);
    return rows;
fail:
    Py_XDECREF(rows);
    Py_XDECREF(seen);
    Py_XDECREF(made);
    return NULL;
}
