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

/* The cell at one position: texts[g], and whether g is seen here first (then added to seen). A new
 * reference, or NULL with an exception. Strong references are held across cell_type(), which is
 * Python code. */
static PyObject *cell_at(PyObject *g, PyObject *texts, PyObject *seen, PyObject *made, PyObject *cell_type) {
    PyObject *text = PyDict_GetItemWithError(texts, g); /* borrowed */
    if (text == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetObject(PyExc_KeyError, g);
        return NULL;
    }
    Py_INCREF(text);
    PyObject *cell = NULL;
    int was_seen = PySet_Contains(seen, g);
    if (was_seen >= 0)
        cell = cell_of(made, cell_type, text, !was_seen);
    Py_DECREF(text);
    if (cell != NULL && PySet_Add(seen, g) < 0)
        Py_CLEAR(cell);
    return cell;
}

PyObject *pg_grid_rows(PyObject *self, PyObject *args) {
    PyObject *ids, *texts, *cell_type;
    if (!PyArg_ParseTuple(args, "O!O!O:grid_rows", &PyList_Type, &ids, &PyDict_Type, &texts, &cell_type))
        return NULL;
    PyObject *rows = PyList_New(0), *seen = PySet_New(NULL), *made = PyDict_New();
    if (rows == NULL || seen == NULL || made == NULL)
        goto fail;
    /* cell_type() is Python code that could change ids or a row: each is held by a strong reference
     * and its size read again on every step (a row that shrinks is an error). */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(ids); i++) {
        PyObject *row = PyList_GET_ITEM(ids, i);
        if (!PyList_Check(row)) {
            PyErr_SetString(PyExc_TypeError, "grid_rows: ids must be a list of lists");
            goto fail;
        }
        Py_INCREF(row);
        Py_ssize_t n = PyList_GET_SIZE(row);
        PyObject *out = PyTuple_New(n);
        int ok = out != NULL;
        for (Py_ssize_t j = 0; ok && j < n; j++) {
            if (j >= PyList_GET_SIZE(row)) {
                PyErr_SetString(PyExc_RuntimeError, "grid_rows: a row of ids changed during the call");
                ok = 0;
                break;
            }
            PyObject *g = PyList_GET_ITEM(row, j);
            Py_INCREF(g);
            PyObject *cell = cell_at(g, texts, seen, made, cell_type);
            Py_DECREF(g);
            if (cell == NULL)
                ok = 0;
            else
                PyTuple_SET_ITEM(out, j, cell); /* steals the reference */
        }
        Py_DECREF(row);
        if (!ok || PyList_Append(rows, out) < 0) {
            Py_XDECREF(out);
            goto fail;
        }
        Py_DECREF(out);
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
