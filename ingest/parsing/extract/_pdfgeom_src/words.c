/* pdf._place_words_py in C: put the glyphs of table lines into the table parts, the rest is prose.
 *
 * place_words(textpage, loose_box, text, words, grids) -> (placed, prose)
 *   textpage   the FPDF_TEXTPAGE's address (int)
 *   loose_box  the address (int) of FPDFText_GetLooseCharBox(FPDF_TEXTPAGE, int, FS_RECTF *)
 *   text       the page's text (str), indexed like PDFium's characters
 *   words      [(first, last, known)]: a word's first and last glyph index, and None or the 8 floats
 *              (left, top, right, bottom) of its first and of its last glyph
 *   grids      [(left, right, bottom, top, xs, ys)] per table part
 * placed: one list per grid of the glyphs (str, x0, x1, y0, y1) placed there; prose: the others.
 *
 * As the Python: whole words are placed in word order first; the glyphs of words straddling a
 * border ("split") are placed after all words, in index order. Boxes are fetched as they are needed
 * (the Python fetches them up front; the calls are pure, so the numbers are the same). A failed call
 * leaves the zeroed box, as the Python's zeroed buffer. A value of ``known`` goes into a glyph
 * tuple as the object it is (an int stays an int); fetched values are C floats widened to double.
 */
#include "pdfgeom.h"

typedef struct {
    double l, r, b, t;
    double *xs, *ys;
    Py_ssize_t nx, ny;
    PyObject *out; /* borrowed: the list in `placed` */
} pg_grid;

/* The first grid whose box holds (x, y), or -1. */
static Py_ssize_t find_grid(const pg_grid *g, Py_ssize_t ng, double x, double y) {
    for (Py_ssize_t m = 0; m < ng; m++)
        if (g[m].l <= x && x <= g[m].r && g[m].b <= y && y <= g[m].t)
            return m;
    return -1;
}

/* Place glyph tuple c (a new reference, stolen) whose centre is (x, y): append it to the first
 * grid holding the centre, else to prose. */
static int place(PyObject *c, double x, double y, const pg_grid *g, Py_ssize_t ng, PyObject *prose) {
    Py_ssize_t m = find_grid(g, ng, x, y);
    return pg_append_new(m >= 0 ? g[m].out : prose, c);
}

/* text[i], as Python indexes it. */
static PyObject *char_at(PyObject *text, Py_ssize_t i) { return PySequence_GetItem(text, i); }

/* text[first:last + 1], as Python slices it. */
static PyObject *substring(PyObject *text, Py_ssize_t first, Py_ssize_t last) {
    Py_ssize_t len = PyUnicode_GET_LENGTH(text);
    if (first >= 0 && first <= last && last < len)
        return PyUnicode_Substring(text, first, last + 1);
    if (last == PY_SSIZE_T_MAX) {
        PyErr_SetString(PyExc_OverflowError, "place_words: glyph index too large");
        return NULL;
    }
    return PySequence_GetSlice(text, first, last + 1);
}

static int index_of(PyObject *o, Py_ssize_t *out) {
    if (!PyLong_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "place_words: a word's glyph indices must be ints");
        return -1;
    }
    *out = PyLong_AsSsize_t(o);
    if (*out == -1 && PyErr_Occurred())
        return -1;
    return 0;
}

/* A value of a glyph tuple: the object given in `known` if any, else a new float. */
static PyObject *value(PyObject *const *vo, const double *v, int k) {
    if (vo != NULL) {
        Py_INCREF(vo[k]);
        return vo[k];
    }
    return PyFloat_FromDouble(v[k]);
}

/* The items of o, a tuple or list of exactly k items; NULL with TypeError (another type) or ValueError
 * (another length), both saying msg. */
static PyObject **fields(PyObject *o, Py_ssize_t k, const char *msg) {
    if (!PyTuple_Check(o) && !PyList_Check(o)) {
        PyErr_SetString(PyExc_TypeError, msg);
        return NULL;
    }
    if (PySequence_Fast_GET_SIZE(o) != k) {
        PyErr_SetString(PyExc_ValueError, msg);
        return NULL;
    }
    return PySequence_Fast_ITEMS(o);
}

static PyObject *glyph(PyObject *s, PyObject *a, PyObject *b, PyObject *c, PyObject *d) {
    PyObject *t = NULL;
    if (s != NULL && a != NULL && b != NULL && c != NULL && d != NULL)
        t = PyTuple_Pack(5, s, a, b, c, d);
    Py_XDECREF(s);
    Py_XDECREF(a);
    Py_XDECREF(b);
    Py_XDECREF(c);
    Py_XDECREF(d);
    return t;
}

PyObject *pg_place_words(PyObject *self, PyObject *args) {
    PyObject *tpa_obj, *fn_obj, *text, *words_obj, *grids_obj;
    if (!PyArg_ParseTuple(args, "OOUOO:place_words", &tpa_obj, &fn_obj, &text, &words_obj, &grids_obj))
        return NULL;
    void *tpa;
    pg_loose_box_fn loose_box;
    if (pg_box_api(tpa_obj, fn_obj, "place_words", &tpa, &loose_box) < 0)
        return NULL;

    PyObject *words = NULL, *grids = NULL, *placed = NULL, *prose = NULL, *result = NULL;
    pg_grid *g = NULL;
    Py_ssize_t ng = 0, ng_ok = 0;
    Py_ssize_t *split = NULL, nsplit = 0, capsplit = 0;

    words = PySequence_Fast(words_obj, "place_words: words must be a sequence");
    if (words == NULL)
        goto done;
    grids = PySequence_Fast(grids_obj, "place_words: grids must be a sequence");
    if (grids == NULL)
        goto done;
    ng = PySequence_Fast_GET_SIZE(grids);
    placed = PyList_New(ng);
    if (placed == NULL)
        goto done;
    for (Py_ssize_t m = 0; m < ng; m++) {
        PyObject *lst = PyList_New(0);
        if (lst == NULL)
            goto done;
        PyList_SET_ITEM(placed, m, lst);
    }
    prose = PyList_New(0);
    if (prose == NULL)
        goto done;
    if (ng > 0) {
        g = PyMem_Calloc((size_t)ng, sizeof(pg_grid));
        if (g == NULL) {
            PyErr_NoMemory();
            goto done;
        }
    }
    for (Py_ssize_t m = 0; m < ng; m++) {
        PyObject **it = fields(PySequence_Fast_GET_ITEM(grids, m), 6,
                               "place_words: a grid must be (left, right, bottom, top, xs, ys)");
        if (it == NULL)
            goto done;
        double box[4];
        for (int k = 0; k < 4; k++) {
            if (pg_as_double(it[k], &box[k]) < 0)
                goto done;
        }
        g[m].l = box[0];
        g[m].r = box[1];
        g[m].b = box[2];
        g[m].t = box[3];
        g[m].out = PyList_GET_ITEM(placed, m);
        ng_ok = m + 1; /* from here g[m]'s arrays are freed at the end */
        if (pg_read_doubles(it[4], "place_words: a grid's xs must be a sequence", &g[m].xs, &g[m].nx) < 0)
            goto done;
        if (pg_read_doubles(it[5], "place_words: a grid's ys must be a sequence", &g[m].ys, &g[m].ny) < 0)
            goto done;
    }

    /* Phase 1: whole words, in word order; the glyphs of straddling words are set aside. */
    Py_ssize_t nw = PySequence_Fast_GET_SIZE(words);
    for (Py_ssize_t w = 0; w < nw; w++) {
        PyObject **wit = fields(PySequence_Fast_GET_ITEM(words, w), 3,
                                "place_words: a word must be (first, last, known)");
        if (wit == NULL)
            goto done;
        Py_ssize_t first, last;
        if (index_of(wit[0], &first) < 0 || index_of(wit[1], &last) < 0)
            goto done;
        PyObject *known = wit[2];
        int one = first == last;
        int nv = one ? 4 : 8;
        double v[8];
        PyObject *const *vo = NULL;
        PyObject *kfast = NULL;
        if (known == Py_None) {
            pg_rectf rc;
            memset(&rc, 0, sizeof rc);
            loose_box(tpa, (int)first, &rc);
            v[0] = rc.left, v[1] = rc.top, v[2] = rc.right, v[3] = rc.bottom;
            if (!one) {
                memset(&rc, 0, sizeof rc);
                loose_box(tpa, (int)last, &rc);
                v[4] = rc.left, v[5] = rc.top, v[6] = rc.right, v[7] = rc.bottom;
            }
        } else {
            kfast = PySequence_Fast(known, "place_words: a word's known boxes must be None or 8 floats");
            if (kfast == NULL)
                goto done;
            if (PySequence_Fast_GET_SIZE(kfast) != 8) {
                Py_DECREF(kfast);
                PyErr_SetString(PyExc_ValueError, "place_words: a word's known boxes must be None or 8 floats");
                goto done;
            }
            vo = PySequence_Fast_ITEMS(kfast);
            for (int k = 0; k < nv; k++) {
                if (pg_as_double(vo[k], &v[k]) < 0) {
                    Py_DECREF(kfast);
                    goto done;
                }
            }
        }
        /* v: l0, t0, r0, b0, l1, t1, r1, b1 */
        PyObject *c;
        double x, y;
        if (one) {
            c = glyph(char_at(text, first), value(vo, v, 0), value(vo, v, 2), value(vo, v, 3), value(vo, v, 1));
            x = (v[0] + v[2]) / 2;
            y = (v[3] + v[1]) / 2;
        } else {
            /* The cell of the first glyph's centre. */
            x = (v[0] + v[2]) / 2;
            y = (v[1] + v[3]) / 2;
            Py_ssize_t n = find_grid(g, ng, x, y), col = 0, row = 0;
            if (n >= 0) {
                col = pg_bisect_right(g[n].xs, g[n].nx, x);
                row = pg_bisect_right(g[n].ys, g[n].ny, y);
            }
            int whole = 0;
            if (v[0] <= v[4] && n >= 0) {
                x = (v[4] + v[6]) / 2;
                y = (v[5] + v[7]) / 2;
                Py_ssize_t m = find_grid(g, ng, x, y);
                if (m >= 0)
                    whole = m == n && pg_bisect_right(g[m].xs, g[m].nx, x) == col &&
                            pg_bisect_right(g[m].ys, g[m].ny, y) == row &&
                            fabs((v[1] + v[3]) - (v[5] + v[7])) < (v[1] - v[3]);
            }
            if (!whole) {
                Py_XDECREF(kfast);
                for (Py_ssize_t i = first; i <= last; i++) {
                    if (nsplit == capsplit) {
                        Py_ssize_t cap = capsplit ? capsplit * 2 : 64;
                        Py_ssize_t *ns = PyMem_Realloc(split, (size_t)cap * sizeof(Py_ssize_t));
                        if (ns == NULL) {
                            PyErr_NoMemory();
                            goto done;
                        }
                        split = ns;
                        capsplit = cap;
                    }
                    split[nsplit++] = i;
                    if (i == PY_SSIZE_T_MAX)
                        break;
                }
                continue;
            }
            /* min(b0, b1), max(t0, t1): the first unless the second is strictly smaller / larger. */
            int kb = v[7] < v[3] ? 7 : 3;
            int kt = v[5] > v[1] ? 5 : 1;
            c = glyph(substring(text, first, last), value(vo, v, 0), value(vo, v, 6), value(vo, v, kb),
                      value(vo, v, kt));
            x = (v[0] + v[6]) / 2;
            y = (v[kb] + v[kt]) / 2;
        }
        Py_XDECREF(kfast);
        if (place(c, x, y, g, ng, prose) < 0)
            goto done;
    }

    /* Phase 2: the glyphs of straddling words, in index order. */
    for (Py_ssize_t j = 0; j < nsplit; j++) {
        pg_rectf rc;
        memset(&rc, 0, sizeof rc);
        loose_box(tpa, (int)split[j], &rc);
        double l = rc.left, t = rc.top, r = rc.right, b = rc.bottom;
        PyObject *c = glyph(char_at(text, split[j]), PyFloat_FromDouble(l), PyFloat_FromDouble(r),
                            PyFloat_FromDouble(b), PyFloat_FromDouble(t));
        if (place(c, (l + r) / 2, (b + t) / 2, g, ng, prose) < 0)
            goto done;
    }

    result = PyTuple_Pack(2, placed, prose);

done:
    for (Py_ssize_t m = 0; m < ng_ok; m++) {
        PyMem_Free(g[m].xs);
        PyMem_Free(g[m].ys);
    }
    PyMem_Free(g);
    PyMem_Free(split);
    Py_XDECREF(words);
    Py_XDECREF(grids);
    Py_XDECREF(placed);
    Py_XDECREF(prose);
    return result;
}
