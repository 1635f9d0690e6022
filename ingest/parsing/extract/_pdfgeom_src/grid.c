/* pdf._grid_core in C: the group id of every fine grid position of one table part (union-find, the
 * smaller root winning, plus base) and the glyphs of each group, by the centre of each glyph.
 *
 * Every float step is the Python's own, in double and in the same order; bisect_left/bisect_right
 * are CPython's (same midpoints, same comparisons), so ties and NaN go the same way. The Python's
 * row_at cache only saves bisections; a row found by bisection is the same for equal sums, so a
 * one-entry cache of the previous glyph's sum is used here instead. Positions of one group share
 * one int object in flat (the Python makes one per position; only values and types can be seen).
 */
#include "pdfgeom.h"

/* ch[i] of a glyph (a tuple, as the extractor makes them, or a list) as a double. Other sequences are
 * refused: their __getitem__ is Python code that could change the list of glyphs being read. */
static inline int glyph_value(PyObject *ch, Py_ssize_t i, double *out) {
    if (PyTuple_Check(ch) && i < PyTuple_GET_SIZE(ch))
        return pg_as_double(PyTuple_GET_ITEM(ch, i), out);
    if (PyList_Check(ch) && i < PyList_GET_SIZE(ch))
        return pg_as_double(PyList_GET_ITEM(ch, i), out);
    if (PyTuple_Check(ch) || PyList_Check(ch))
        PyErr_SetString(PyExc_ValueError, "part_grid: a glyph is (text, x0, x1, y0, y1)");
    else
        PyErr_Format(PyExc_TypeError, "part_grid: a glyph must be a tuple, not %.100s", Py_TYPE(ch)->tp_name);
    return -1;
}

/* pdf._nearest: the line of grid[0..n) within PG_SNAP of x nearest to it (the first of two as near),
 * or -1; k is where bisection puts x (grid ascending, or its negation when grid descends). The
 * Python writes it out in both loops of _grid_core to save calls; here the compiler inlines it. */
static inline Py_ssize_t nearest(const double *grid, Py_ssize_t n, Py_ssize_t k, double x) {
    Py_ssize_t best = -1;
    double dist = PG_SNAP + 0.001;
    if (k > 0 && fabs(grid[k - 1] - x) < dist) {
        best = k - 1;
        dist = fabs(grid[k - 1] - x);
    }
    if (k < n && fabs(grid[k] - x) < dist)
        best = k;
    return best;
}

static inline void uf_union(Py_ssize_t *parent, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t ra = pg_uf_find(parent, a), rb = pg_uf_find(parent, b);
    if (ra != rb) {
        if (ra < rb)
            parent[rb] = ra;
        else
            parent[ra] = rb;
    }
}

PyObject *pg_part_grid(PyObject *self, PyObject *args) {
    PyObject *v_obj, *h_obj, *xs_obj, *ys_obj, *left_obj, *right_obj, *chars_obj, *base_obj;
    if (!PyArg_ParseTuple(args, "OOOOOOOO:part_grid", &v_obj, &h_obj, &xs_obj, &ys_obj, &left_obj,
                          &right_obj, &chars_obj, &base_obj))
        return NULL;

    PyObject *result = NULL, *flat = NULL, *members = NULL, *chars = NULL;
    double *v = NULL, *h = NULL, *xs = NULL, *ys = NULL, *neg_ys = NULL, *neg_mid = NULL,
           *col_mid = NULL;
    char *vb = NULL, *hb = NULL, *outside = NULL;
    Py_ssize_t *parent = NULL, *groot = NULL, *count = NULL;
    PyObject **slot = NULL;
    Py_ssize_t nv, nh, nx, ny;
    double left, right;

    if (pg_read_triples(v_obj, "part_grid: v must be a sequence of (x, y0, y1)", &v, &nv) < 0)
        goto done;
    if (pg_read_triples(h_obj, "part_grid: h must be a sequence of (y, x0, x1)", &h, &nh) < 0)
        goto done;
    if (pg_read_doubles(xs_obj, "part_grid: xs must be a sequence of floats", &xs, &nx) < 0)
        goto done;
    if (pg_read_doubles(ys_obj, "part_grid: ys must be a sequence of floats", &ys, &ny) < 0)
        goto done;
    if (pg_as_double(left_obj, &left) < 0 || pg_as_double(right_obj, &right) < 0)
        goto done;
    int base_true = PyObject_IsTrue(base_obj);
    if (base_true < 0)
        goto done;
    long long base_ll = 0;
    int base_fast = 0; /* base is an int that fits a long long */
    if (base_true && PyLong_Check(base_obj)) {
        int overflow = 0;
        base_ll = PyLong_AsLongLongAndOverflow(base_obj, &overflow);
        if (base_ll == -1 && PyErr_Occurred())
            goto done;
        base_fast = !overflow;
    }
    chars = PySequence_Fast(chars_obj, "part_grid: chars must be a sequence of glyphs");
    if (chars == NULL)
        goto done;

    /* ys = part_ys[::-1]: top first */
    for (Py_ssize_t i = 0, j = ny - 1; i < j; i++, j--) {
        double t = ys[i];
        ys[i] = ys[j];
        ys[j] = t;
    }
    const Py_ssize_t nr = ny - 1, nc = nx - 1; /* may be -1 */
    const Py_ssize_t nr0 = nr > 0 ? nr : 0, nc0 = nc > 0 ? nc : 0;
    /* list(range(nr * nc)): (-1) * (-1) is one position */
    const Py_ssize_t npos = nr * nc > 0 ? nr * nc : 0;

    neg_ys = PyMem_Malloc((size_t)(ny + 1) * sizeof(double));
    neg_mid = PyMem_Malloc((size_t)(nr0 + 1) * sizeof(double));
    col_mid = PyMem_Malloc((size_t)(nc0 + 1) * sizeof(double));
    vb = PyMem_Calloc((size_t)nx * (size_t)nr0 + 1, 1); /* nx lines of nr0 */
    hb = PyMem_Calloc((size_t)ny * (size_t)nc0 + 1, 1); /* ny lines of nc0 */
    outside = PyMem_Malloc((size_t)nx + 1);
    parent = PyMem_Malloc((size_t)(npos + 1) * sizeof(Py_ssize_t));
    slot = PyMem_Calloc((size_t)npos + 1, sizeof(PyObject *));
    if (!neg_ys || !neg_mid || !col_mid || !vb || !hb || !outside || !parent || !slot) {
        PyErr_NoMemory();
        goto done;
    }

    for (Py_ssize_t r = 0; r < nr0; r++)
        neg_mid[r] = -(ys[r] + ys[r + 1]) / 2;
    for (Py_ssize_t c = 0; c < nc0; c++)
        col_mid[c] = (xs[c] + xs[c + 1]) / 2;
    for (Py_ssize_t j = 0; j < ny; j++)
        neg_ys[j] = -ys[j];

    for (Py_ssize_t s = 0; s < nv; s++) {
        double sx = v[3 * s], y0 = v[3 * s + 1], y1 = v[3 * s + 2];
        Py_ssize_t i = nearest(xs, nx, pg_bisect_right(xs, nx, sx), sx);
        if (i >= 0) {
            Py_ssize_t lo = pg_bisect_left(neg_mid, nr0, -(y1 + PG_SNAP));
            Py_ssize_t hi = pg_bisect_right(neg_mid, nr0, -(y0 - PG_SNAP));
            if (hi > lo)
                memset(vb + i * nr0 + lo, 1, (size_t)(hi - lo));
        }
    }
    for (Py_ssize_t s = 0; s < nh; s++) {
        double sy = h[3 * s], x0 = h[3 * s + 1], x1 = h[3 * s + 2];
        Py_ssize_t j = nearest(ys, ny, pg_bisect_right(neg_ys, ny, -sy), sy);
        if (j >= 0) {
            Py_ssize_t lo = pg_bisect_left(col_mid, nc0, x0 - PG_SNAP);
            Py_ssize_t hi = pg_bisect_right(col_mid, nc0, x1 + PG_SNAP);
            if (hi > lo)
                memset(hb + j * nc0 + lo, 1, (size_t)(hi - lo));
        }
    }

    for (Py_ssize_t a = 0; a < npos; a++)
        parent[a] = a;
    {
        const double lpad = left + PG_SNAP, rpad = right - PG_SNAP;
        for (Py_ssize_t c = 0; c < nx; c++)
            outside[c] = xs[c] <= lpad || xs[c] >= rpad;
    }
    for (Py_ssize_t c = 0; c < nc - 1; c++) {
        const char *line = vb + (c + 1) * nr0;
        const int all = outside[c + 1];
        for (Py_ssize_t r = 0; r < nr0; r++)
            if (all || !line[r])
                uf_union(parent, r * nc + c, r * nc + c + 1);
    }
    for (Py_ssize_t r = 0; r < nr - 1; r++) {
        const char *line = hb + (r + 1) * nc0;
        const Py_ssize_t base_r = r * nc;
        for (Py_ssize_t c = 0; c < nc0; c++)
            if (!line[c])
                uf_union(parent, base_r + c, base_r + nc + c);
    }
    /* Every parent lies before its child: one pass in order turns each parent into its root (a
     * no-op when nothing was joined). */
    for (Py_ssize_t a = 0; a < npos; a++) {
        Py_ssize_t p = parent[a];
        if (p != a)
            parent[a] = parent[p];
    }

    /* flat: [a + base for a in parent] if base else parent */
    flat = PyList_New(npos);
    if (flat == NULL)
        goto done;
    for (Py_ssize_t a = 0; a < npos; a++) {
        PyObject *g;
        Py_ssize_t p = parent[a];
        if (p != a) { /* the same id as its root, made before it (p < a) */
            g = PyList_GET_ITEM(flat, p);
            Py_INCREF(g);
        } else if (!base_true) {
            g = PyLong_FromSsize_t(p);
        } else if (base_fast && !((base_ll > 0 && (long long)p > LLONG_MAX - base_ll) ||
                                  (base_ll < 0 && (long long)p < LLONG_MIN - base_ll))) {
            g = PyLong_FromLongLong((long long)p + base_ll);
        } else {
            PyObject *pa = PyLong_FromSsize_t(p);
            if (pa == NULL)
                goto done;
            g = PyNumber_Add(pa, base_obj);
            Py_DECREF(pa);
        }
        if (g == NULL)
            goto done;
        PyList_SET_ITEM(flat, a, g);
    }

    members = PyDict_New();
    if (members == NULL)
        goto done;
    {
        /* First the group of every glyph and the size of every group, then each group's list made
         * at its first glyph (dict order = order of first glyphs) at its final size. */
        Py_ssize_t nch = PySequence_Fast_GET_SIZE(chars);
        PyObject **items = PySequence_Fast_ITEMS(chars);
        if (nch > 0 && npos > 0) {
            groot = PyMem_Malloc((size_t)nch * sizeof(Py_ssize_t));
            count = PyMem_Calloc((size_t)npos, sizeof(Py_ssize_t));
            if (groot == NULL || count == NULL) {
                PyErr_NoMemory();
                goto done;
            }
        }
        int have_row = 0;
        double last_s = 0.0;
        Py_ssize_t last_row = 0, placed = 0;
        for (Py_ssize_t n = 0; n < nch; n++) {
            PyObject *ch = items[n];
            double x0, x1, y0, y1;
            /* A short glyph: ValueError where the Python gives IndexError (malformed either way). */
            Py_ssize_t len = PyTuple_Check(ch) ? PyTuple_GET_SIZE(ch) : PySequence_Size(ch);
            if (len < 0)
                goto done;
            if (len < 5) {
                PyErr_Format(PyExc_ValueError, "part_grid: a glyph must be (text, x0, x1, y0, y1), not %zd values",
                             len);
                goto done;
            }
            if (glyph_value(ch, 1, &x0) < 0 || glyph_value(ch, 2, &x1) < 0)
                goto done;
            Py_ssize_t c = pg_bisect_right(xs, nx, (x0 + x1) / 2) - 1;
            if (glyph_value(ch, 3, &y0) < 0 || glyph_value(ch, 4, &y1) < 0)
                goto done;
            double s = y0 + y1;
            Py_ssize_t r;
            if (have_row && s == last_s) { /* equal sums bisect alike (the Python's row_at) */
                r = last_row;
            } else {
                r = pg_bisect_right(neg_ys, ny, -s / 2) - 1;
                last_s = s;
                last_row = r;
                have_row = 1;
            }
            if (0 <= r && r < nr && 0 <= c && c < nc) {
                Py_ssize_t root = parent[r * nc + c];
                groot[n] = root;
                count[root]++;
                placed++;
            } else if (groot != NULL) {
                groot[n] = -1;
            }
        }
        for (Py_ssize_t n = 0; placed > 0 && n < nch; n++) {
            Py_ssize_t root = groot[n];
            if (root < 0)
                continue;
            PyObject *ch = items[n], *group = slot[root];
            if (group == NULL) {
                group = PyList_New(count[root]);
                if (group == NULL)
                    goto done;
                /* flat[root] is the group's id (a root is its own position) */
                int rc = PyDict_SetItem(members, PyList_GET_ITEM(flat, root), group);
                Py_DECREF(group); /* the dict holds it */
                if (rc < 0)
                    goto done;
                slot[root] = group;
                count[root] = 0; /* from here: how many are in */
            }
            Py_INCREF(ch);
            PyList_SET_ITEM(group, count[root]++, ch);
        }
    }
    result = PyTuple_Pack(2, flat, members);

done:
    Py_XDECREF(flat);
    Py_XDECREF(members);
    Py_XDECREF(chars);
    PyMem_Free(v);
    PyMem_Free(h);
    PyMem_Free(xs);
    PyMem_Free(ys);
    PyMem_Free(neg_ys);
    PyMem_Free(neg_mid);
    PyMem_Free(col_mid);
    PyMem_Free(vb);
    PyMem_Free(hb);
    PyMem_Free(outside);
    PyMem_Free(parent);
    PyMem_Free(slot);
    PyMem_Free(groot);
    PyMem_Free(count);
    return result;
}
