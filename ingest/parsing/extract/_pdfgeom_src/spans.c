/* pdf._line_spans and pdf._wide_lines in C: PDFium's lines with the boxes of their end glyphs, and
 * the lines with a space as wide as a cell gap.
 *
 * line_spans(textpage, loose_box, text) -> (spans, f, n_chars)
 *   A line is what pdf._LINE (\S(?:[^\r\n]*\S)?) matches: from a non-space character to the last
 *   non-space one before the next \r or \n (whitespace as re's \s: Py_UNICODE_ISSPACE). f holds the
 *   loose boxes of each line's first and last glyph (left, top, right, bottom), as pdf._boxes gives
 *   them: C floats widened to double, zeros where PDFium fails; a span shares f's float objects.
 * wide_lines(textpage, loose_box, text, spans) -> set of the first index of each wide line
 *   One rectangle buffer, zeroed once and reused: a failed box call leaves the previous values,
 *   as in the Python.
 */
#include "pdfgeom.h"

static inline int is_break(Py_UCS4 c) { return c == '\r' || c == '\n'; }

PyObject *pg_line_spans(PyObject *self, PyObject *args) {
    PyObject *tpa_obj, *fn_obj, *text;
    if (!PyArg_ParseTuple(args, "OOU:line_spans", &tpa_obj, &fn_obj, &text))
        return NULL;
    void *tpa;
    pg_loose_box_fn box;
    if (pg_box_api(tpa_obj, fn_obj, "line_spans", &tpa, &box) < 0)
        return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);

    /* The lines: [first, last] index pairs, at most one per two characters plus one. */
    Py_ssize_t cap = n / 2 + 1, n_lines = 0, n_chars = 0;
    Py_ssize_t *ends = PyMem_Malloc(sizeof(Py_ssize_t) * 2 * (size_t)cap);
    if (ends == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n;) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (Py_UNICODE_ISSPACE(c)) {
            i++;
            continue;
        }
        Py_ssize_t last = i;
        for (Py_ssize_t k = i + 1; k < n; k++) {
            Py_UCS4 ck = PyUnicode_READ(kind, data, k);
            if (is_break(ck))
                break;
            if (!Py_UNICODE_ISSPACE(ck))
                last = k;
        }
        ends[2 * n_lines] = i;
        ends[2 * n_lines + 1] = last;
        n_lines++;
        n_chars += last - i + 1;
        i = last + 1;
    }

    PyObject *spans = NULL, *f = NULL, *result = NULL;
    pg_rectf *boxes = PyMem_Calloc((size_t)(2 * n_lines) + 1, sizeof(pg_rectf));
    if (boxes == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < 2 * n_lines; k++) /* return codes not needed: a failure leaves zeros */
        (void)box(tpa, (int)ends[k], &boxes[k]);
    f = PyList_New(8 * n_lines);
    spans = PyList_New(n_lines);
    if (f == NULL || spans == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < 2 * n_lines; k++) {
        const float v[4] = {boxes[k].left, boxes[k].top, boxes[k].right, boxes[k].bottom};
        for (int j = 0; j < 4; j++) {
            PyObject *x = PyFloat_FromDouble((double)v[j]);
            if (x == NULL)
                goto done;
            PyList_SET_ITEM(f, 4 * k + j, x);
        }
    }
    for (Py_ssize_t k = 0; k < n_lines; k++) {
        Py_ssize_t first = ends[2 * k], last = ends[2 * k + 1];
        PyObject *stripped = PyUnicode_Substring(text, first, last + 1);
        if (stripped == NULL)
            goto done;
        PyObject **fk = &PyList_GET_ITEM(f, 8 * k);
        /* (first, last, stripped, x0 of the first glyph, x1 of the last, top and bottom of the
         * first, top and bottom of the last): f[8k], f[8k+6], f[8k+1], f[8k+3], f[8k+5], f[8k+7] */
        PyObject *span = Py_BuildValue("(nnNOOOOOO)", first, last, stripped, fk[0], fk[6], fk[1], fk[3], fk[5],
                                       fk[7]);
        if (span == NULL)
            goto done;
        PyList_SET_ITEM(spans, k, span);
    }
    result = Py_BuildValue("(OOn)", spans, f, n_chars);
done:
    PyMem_Free(ends);
    PyMem_Free(boxes);
    Py_XDECREF(spans);
    Py_XDECREF(f);
    return result;
}

/* An index field of a span as a Py_ssize_t; 0 with an exception if it is not an int. */
static int span_index(PyObject *span, Py_ssize_t k, Py_ssize_t *out) {
    PyObject *o = PyTuple_GET_ITEM(span, k);
    if (!PyLong_Check(o)) {
        PyErr_SetString(PyExc_TypeError, "wide_lines: a span's glyph indices must be ints");
        return 0;
    }
    *out = PyLong_AsSsize_t(o);
    return !(*out == -1 && PyErr_Occurred());
}

/* A span's fields: first and last (ints), stripped (str), top0 and bot0 (numbers); 0 with an
 * exception if not. */
static int span_fields(PyObject *span, Py_ssize_t *first, Py_ssize_t *last, PyObject **stripped, double *top0,
                       double *bot0) {
    if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 9) {
        PyErr_SetString(PyExc_TypeError, "wide_lines: a span is a tuple of 9");
        return 0;
    }
    if (!span_index(span, 0, first) || !span_index(span, 1, last))
        return 0;
    *stripped = PyTuple_GET_ITEM(span, 2);
    if (!PyUnicode_Check(*stripped)) {
        PyErr_SetString(PyExc_TypeError, "wide_lines: a span's text must be a str");
        return 0;
    }
    return pg_as_double(PyTuple_GET_ITEM(span, 5), top0) == 0 && pg_as_double(PyTuple_GET_ITEM(span, 6), bot0) == 0;
}

/* str.find(" ", start, end) on text (start and end already within [0, n]). */
static Py_ssize_t find_space(int kind, const void *data, Py_ssize_t start, Py_ssize_t end) {
    for (Py_ssize_t i = start; i < end; i++)
        if (PyUnicode_READ(kind, data, i) == ' ')
            return i;
    return -1;
}

PyObject *pg_wide_lines(PyObject *self, PyObject *args) {
    PyObject *tpa_obj, *fn_obj, *text, *spans;
    if (!PyArg_ParseTuple(args, "OOUO!:wide_lines", &tpa_obj, &fn_obj, &text, &PyList_Type, &spans))
        return NULL;
    void *tpa;
    pg_loose_box_fn box;
    if (pg_box_api(tpa_obj, fn_obj, "wide_lines", &tpa, &box) < 0)
        return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    PyObject *out = PySet_New(NULL);
    if (out == NULL)
        return NULL;
    pg_rectf rect = {0.0f, 0.0f, 0.0f, 0.0f}; /* zeroed once, reused */
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(spans); k++) {
        PyObject *span = PyList_GET_ITEM(spans, k);
        Py_ssize_t first, last;
        PyObject *stripped;
        double top0, bot0;
        if (!span_fields(span, &first, &last, &stripped, &top0, &bot0))
            goto fail;
        int has_space = PyUnicode_FindChar(stripped, ' ', 0, PyUnicode_GET_LENGTH(stripped), 1) >= 0;
        if (!has_space)
            continue;
        /* The extractor's own spans lie inside text with a non-space at both ends; anything else is
         * refused rather than read out of bounds. */
        if (first < 0 || last >= n || first > last) {
            PyErr_SetString(PyExc_ValueError, "wide_lines: a span outside its text");
            goto fail;
        }
        double h = top0 - bot0;
        Py_ssize_t i = find_space(kind, data, first, last);
        while (i != -1) {
            (void)box(tpa, (int)(i - 1), &rect);
            double left = rect.right;
            Py_ssize_t j = i;
            while (j < n && PyUnicode_READ(kind, data, j) == ' ')
                j++;
            (void)box(tpa, (int)j, &rect);
            if ((double)rect.left - left >= 0.5 * h) {
                PyObject *key = PyTuple_GET_ITEM(span, 0);
                if (PySet_Add(out, key) < 0)
                    goto fail;
                break;
            }
            i = find_space(kind, data, j, last);
        }
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}
