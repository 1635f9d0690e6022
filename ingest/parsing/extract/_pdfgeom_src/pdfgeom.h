/* C versions of the hot loops of ingest/parsing/extract/pdf.py.
 *
 * Each function here mirrors one Python function of pdf.py and must give exactly what it gives
 * (same floats, same order, same objects' types): pdf.py uses this module when it was built and
 * falls back on its own Python otherwise, and tests/parsing/test_pdfgeom.py requires both to agree.
 * PDFium is not linked: the addresses of its functions come from pypdfium2 as integers.
 */
#ifndef PDFGEOM_H
#define PDFGEOM_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define PG_THIN 2.5 /* pdf._THIN */
#define PG_SNAP 2.0 /* pdf._SNAP */

/* rulings.c: pdf._rulings */
PyObject *pg_rulings(PyObject *self, PyObject *args);
/* parts.c: pdf._table_parts (with _connected and _snap) */
PyObject *pg_table_parts(PyObject *self, PyObject *args);
/* words.c: pdf._place_words */
PyObject *pg_place_words(PyObject *self, PyObject *args);
/* grid.c: the geometric core of pdf._part_grid */
PyObject *pg_part_grid(PyObject *self, PyObject *args);
/* texts.c: pdf._group_texts (pdf._cell_text per group) */
PyObject *pg_group_texts(PyObject *self, PyObject *args);
/* lines.c: pdf._split_lines */
PyObject *pg_split_lines(PyObject *self, PyObject *args);
/* spans.c: pdf._line_spans and pdf._wide_lines */
PyObject *pg_line_spans(PyObject *self, PyObject *args);
PyObject *pg_wide_lines(PyObject *self, PyObject *args);
/* rows.c: pdf._grid_rows */
PyObject *pg_grid_rows(PyObject *self, PyObject *args);

/* ------------------------------------------------------------------ shared by the files above */

/* bisect.bisect_right / bisect.bisect_left on an ascending array of doubles: CPython's midpoints and
 * comparisons (x < a[mid], a[mid] < x), so ties and NaN go the same way. Branch-free: the same probes,
 * without mispredictions. */
static inline Py_ssize_t pg_bisect_right(const double *a, Py_ssize_t n, double x) {
    size_t lo = 0, hi = (size_t)n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int lt = x < a[mid];
        hi = lt ? mid : hi;
        lo = lt ? lo : mid + 1;
    }
    return (Py_ssize_t)lo;
}

static inline Py_ssize_t pg_bisect_left(const double *a, Py_ssize_t n, double x) {
    size_t lo = 0, hi = (size_t)n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int lt = a[mid] < x;
        lo = lt ? mid + 1 : lo;
        hi = lt ? hi : mid;
    }
    return (Py_ssize_t)lo;
}

/* A float or an int as a double: 0, or -1 with an exception (TypeError for anything else).
 * Nothing else is taken: converting another object runs its __float__, Python code that could change
 * the very list being read while the caller holds pointers into it. The extractor passes floats only. */
static inline int pg_as_double(PyObject *o, double *out) {
    if (PyFloat_Check(o)) {
        *out = PyFloat_AS_DOUBLE(o);
        return 0;
    }
    if (!PyLong_Check(o)) {
        PyErr_Format(PyExc_TypeError, "_pdfgeom: a number was expected, not %.100s", Py_TYPE(o)->tp_name);
        return -1;
    }
    double d = PyLong_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred())
        return -1;
    *out = d;
    return 0;
}

/* list.append(o) for o a new reference, released here (o NULL: the error of making it is passed on):
 * 0, or -1 with an exception. */
static inline int pg_append_new(PyObject *list, PyObject *o) {
    if (o == NULL)
        return -1;
    int rc = PyList_Append(list, o);
    Py_DECREF(o);
    return rc;
}

/* The root of a in a union-find forest, halving the path on the way (the root found is the same
 * however the path is compressed). */
static inline Py_ssize_t pg_uf_find(Py_ssize_t *parent, Py_ssize_t a) {
    while (parent[a] != a) {
        parent[a] = parent[parent[a]];
        a = parent[a];
    }
    return a;
}

/* Sorting. A stable sort gives what timsort gives whenever `less` is a strict weak order (no NaN
 * among float keys); with NaN the order depends on the algorithm, so callers then sort with CPython's
 * own list.sort (pg_cpython_argsort). */
typedef int (*pg_less_fn)(const void *ctx, Py_ssize_t p, Py_ssize_t q);

/* a[0..n) stably sorted by less(ctx, ., .): merge sort, tmp holding n / 2 + 1. Inline here rather than
 * in common.c so that a file calling it with one comparison only (texts.c) gets it compiled for that
 * comparison, called directly (through the function pointer, texts.c took ~20% longer on cells of
 * hundreds of glyphs). */
static inline void pg_msort(Py_ssize_t *a, Py_ssize_t *tmp, Py_ssize_t n, pg_less_fn less, const void *ctx) {
    if (n <= 16) { /* insertion sort: an element moves left only past strictly greater ones (stable) */
        for (Py_ssize_t i = 1; i < n; i++) {
            Py_ssize_t x = a[i], j = i;
            while (j > 0 && less(ctx, x, a[j - 1])) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    Py_ssize_t m = n / 2;
    pg_msort(a, tmp, m, less, ctx);
    pg_msort(a + m, tmp, n - m, less, ctx);
    if (!less(ctx, a[m], a[m - 1]))
        return; /* already in order */
    memcpy(tmp, a, (size_t)m * sizeof(Py_ssize_t));
    Py_ssize_t i = 0, j = m, k = 0;
    while (i < m && j < n) {
        if (less(ctx, a[j], tmp[i])) /* the right one only when strictly less: stable */
            a[k++] = a[j++];
        else
            a[k++] = tmp[i++];
    }
    while (i < m)
        a[k++] = tmp[i++];
}

/* less for indices into the array of doubles ctx: ctx[p] < ctx[q]. */
static inline int pg_less_double(const void *ctx, Py_ssize_t p, Py_ssize_t q) {
    const double *d = ctx;
    return d[p] < d[q];
}

/* common.c: order = sorted(range(len(keys)), key=keys.__getitem__) by list.sort, keys a list; 0, or
 * -1 with an exception. */
int pg_cpython_argsort(PyObject *keys, Py_ssize_t *order);

/* common.c: a sequence of numbers as a fresh PyMem array of doubles (*out NULL when empty); a
 * sequence of 3-sequences of numbers (as `for a, b, c in segs`) as 3 doubles each. what is the
 * TypeError message for a non-sequence. 0, or -1 with an exception. */
int pg_read_doubles(PyObject *seq, const char *what, double **out, Py_ssize_t *n);
int pg_read_triples(PyObject *seq, const char *what, double **out, Py_ssize_t *n);

/* FPDFText_GetLooseCharBox(FPDF_TEXTPAGE, int, FS_RECTF *): FS_RECTF is left, top, right, bottom. */
typedef struct {
    float left, top, right, bottom;
} pg_rectf;
typedef int (*pg_loose_box_fn)(void *text_page, int index, pg_rectf *rect);

/* common.c: an int address (nonnull: a PDFium function, never 0); who names the caller in messages.
 * 0, or -1 with an exception. */
int pg_as_addr(PyObject *o, const char *who, int nonnull, void **out);
/* common.c: the text page (may be 0) and the loose-box function from their int addresses. */
int pg_box_api(PyObject *tpa_obj, PyObject *fn_obj, const char *who, void **tpa, pg_loose_box_fn *box);

#endif
