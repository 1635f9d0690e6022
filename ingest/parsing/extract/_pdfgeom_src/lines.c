/* pdf._split_lines in C: tell the lines touching a table part from the others.
 *
 * split_lines(text, spans, f, boxes) -> (plain, words)
 *   text    the page's text (str), indexed like PDFium's characters
 *   spans   [(first, last, stripped, x0, x1, top0, bot0, top1, bot1)] per line
 *   f       the loose boxes of each line's first and last glyph, 8 floats per line
 *   boxes   [(left, right, bottom, top)] per table part
 * plain: the indices of the lines touching no box; words: (first, last, known) per word of the
 * touching lines, known being f[8 * k: 8 * k + 8] (a slice, as short as the Python's when f is) for
 * a line without whitespace, else None for each run of non-whitespace of text[first:last + 1].
 *
 * As the Python, down to its failures: exact floats are compared in double (NaN compares false);
 * any other number goes through the Python number protocol and rich comparisons, as the Python's
 * own operators do. \s is Py_UNICODE_ISSPACE (re's category for str patterns); finditer(text, first,
 * last + 1) converts its bounds as re does (__index__, OverflowError outside Py_ssize_t) and clamps
 * them to [0, len(text)] (a reversed range has no match). A malformed box or span, a non-str
 * stripped or text, or a bad f raise when the Python would reach them and with the same exception
 * type; a span or box must be a tuple or list (the Python unpacks any iterable) and boxes a list or
 * tuple (the Python re-iterates any iterable once per line; here boxes are read once, at the first
 * line, so a list mutated meanwhile by a number's __le__ is not seen).
 */
#include "pdfgeom.h"

typedef struct {
    PyObject *o[4]; /* strong: left, right, bottom, top */
    double d[4];
    int fast; /* all four exact floats: d holds them */
} lbox;

/* xa, ya, xb, yb of one line: doubles when its six numbers are exact floats, else objects. */
typedef struct {
    double d[4];
    PyObject *o[4]; /* strong or NULL */
    int fast;
} lpts;

static void pts_clear(lpts *p) {
    for (int i = 0; i < 4; i++)
        Py_CLEAR(p->o[i]);
}

/* The objects of p (made from its doubles if it is fast). */
static int pts_objects(lpts *p) {
    if (p->o[0] != NULL)
        return 0;
    for (int i = 0; i < 4; i++) {
        p->o[i] = PyFloat_FromDouble(p->d[i]);
        if (p->o[i] == NULL)
            return -1;
    }
    return 0;
}

/* (a + b) / 2 by the number protocol, as the Python's operators do it. */
static PyObject *mean2(PyObject *a, PyObject *b, PyObject *two) {
    PyObject *s = PyNumber_Add(a, b);
    if (s == NULL)
        return NULL;
    PyObject *m = PyNumber_TrueDivide(s, two);
    Py_DECREF(s);
    return m;
}

/* xa, ya, xb, yb = x0 + 0.5, (top0 + bot0) / 2, x1 - 0.5, (top1 + bot1) / 2 for it = span[3:9]. */
static int pts_of(PyObject *const *it, lpts *p) {
    p->o[0] = p->o[1] = p->o[2] = p->o[3] = NULL;
    p->fast = 1;
    for (int i = 0; i < 6; i++)
        if (!PyFloat_CheckExact(it[i]))
            p->fast = 0;
    if (p->fast) {
        double x0 = PyFloat_AS_DOUBLE(it[0]), x1 = PyFloat_AS_DOUBLE(it[1]);
        double top0 = PyFloat_AS_DOUBLE(it[2]), bot0 = PyFloat_AS_DOUBLE(it[3]);
        double top1 = PyFloat_AS_DOUBLE(it[4]), bot1 = PyFloat_AS_DOUBLE(it[5]);
        p->d[0] = x0 + 0.5;
        p->d[1] = (top0 + bot0) / 2;
        p->d[2] = x1 - 0.5;
        p->d[3] = (top1 + bot1) / 2;
        return 0;
    }
    PyObject *half = PyFloat_FromDouble(0.5), *two = PyLong_FromLong(2);
    if (half == NULL || two == NULL)
        goto fail;
    if ((p->o[0] = PyNumber_Add(it[0], half)) == NULL || (p->o[1] = mean2(it[2], it[3], two)) == NULL ||
        (p->o[2] = PyNumber_Subtract(it[1], half)) == NULL || (p->o[3] = mean2(it[4], it[5], two)) == NULL)
        goto fail;
    Py_DECREF(half);
    Py_DECREF(two);
    return 0;
fail:
    Py_XDECREF(half);
    Py_XDECREF(two);
    pts_clear(p);
    return -1;
}

/* (bx0 <= xa <= bx1 and by0 <= ya <= by1) or (bx0 <= xb <= bx1 and by0 <= yb <= by1): 1, 0 or -1. */
static int hit(const lbox *b, lpts *p) {
    if (b->fast && p->fast) {
        const double *d = b->d, *v = p->d;
        return (d[0] <= v[0] && v[0] <= d[1] && d[2] <= v[1] && v[1] <= d[3]) ||
               (d[0] <= v[2] && v[2] <= d[1] && d[2] <= v[3] && v[3] <= d[3]);
    }
    if (pts_objects(p) < 0)
        return -1;
    for (int g = 0; g < 2; g++) {
        PyObject *x = p->o[2 * g], *y = p->o[2 * g + 1];
        PyObject *l[4] = {b->o[0], x, b->o[2], y}, *r[4] = {x, b->o[1], y, b->o[3]};
        int all = 1;
        for (int i = 0; i < 4 && all; i++) {
            int c = PyObject_RichCompareBool(l[i], r[i], Py_LE);
            if (c < 0)
                return -1;
            all = c;
        }
        if (all)
            return 1;
    }
    return 0;
}

/* As re's getstring/state_init for a str pattern: 0 if o is a str, else -1 with re's TypeError. */
static int check_str(PyObject *o) {
    if (PyUnicode_Check(o))
        return 0;
    Py_buffer view;
    if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) != 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError, "expected string or bytes-like object, got '%.200s'", Py_TYPE(o)->tp_name);
        return -1;
    }
    PyBuffer_Release(&view);
    PyErr_SetString(PyExc_TypeError, "cannot use a string pattern on a bytes-like object");
    return -1;
}

/* An argument of finditer converted as its Py_ssize_t parameters are. */
static int ssize_arg(PyObject *o, Py_ssize_t *out) {
    PyObject *i = PyNumber_Index(o);
    if (i == NULL)
        return -1;
    *out = PyLong_AsSsize_t(i);
    Py_DECREF(i);
    if (*out == -1 && PyErr_Occurred())
        return -1;
    return 0;
}

/* words += [(a, b - 1, None) for a, b in map(_SPAN, _WORD.finditer(text, first, last + 1))] */
static int add_runs(PyObject *words, PyObject *text, PyObject *first, PyObject *last) {
    PyObject *one = PyLong_FromLong(1);
    if (one == NULL)
        return -1;
    PyObject *end_obj = PyNumber_Add(last, one);
    Py_DECREF(one);
    if (end_obj == NULL)
        return -1;
    Py_ssize_t pos, endpos;
    int rc = ssize_arg(first, &pos);
    if (rc == 0)
        rc = ssize_arg(end_obj, &endpos);
    Py_DECREF(end_obj);
    if (rc < 0 || check_str(text) < 0)
        return -1;
    if (PyUnicode_READY(text) < 0)
        return -1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    pos = pos < 0 ? 0 : pos > n ? n : pos;
    endpos = endpos < 0 ? 0 : endpos > n ? n : endpos;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t i = pos;
    while (i < endpos) {
        while (i < endpos && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            i++;
        if (i >= endpos)
            break;
        Py_ssize_t j = i + 1;
        while (j < endpos && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, j)))
            j++;
        PyObject *a = PyLong_FromSsize_t(i), *b = PyLong_FromSsize_t(j - 1), *t = NULL;
        if (a != NULL && b != NULL)
            t = PyTuple_Pack(3, a, b, Py_None);
        Py_XDECREF(a);
        Py_XDECREF(b);
        if (pg_append_new(words, t) < 0)
            return -1;
        i = j;
    }
    return 0;
}

/* f[8 * k: 8 * k + 8] */
static PyObject *known_of(PyObject *f, Py_ssize_t k) {
    if (PyList_CheckExact(f))
        return PyList_GetSlice(f, 8 * k, 8 * k + 8);
    PyObject *lo = PyLong_FromSsize_t(8 * k), *hi = PyLong_FromSsize_t(8 * k + 8), *sl = NULL, *r = NULL;
    if (lo != NULL && hi != NULL)
        sl = PySlice_New(lo, hi, NULL);
    if (sl != NULL)
        r = PyObject_GetItem(f, sl);
    Py_XDECREF(lo);
    Py_XDECREF(hi);
    Py_XDECREF(sl);
    return r;
}

static int has_space(PyObject *s) {
    if (PyUnicode_READY(s) < 0)
        return -1;
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    for (Py_ssize_t i = 0; i < n; i++)
        if (Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i)))
            return 1;
    return 0;
}

PyObject *pg_split_lines(PyObject *self, PyObject *args) {
    PyObject *text, *spans_obj, *f, *boxes_obj;
    if (!PyArg_ParseTuple(args, "OOOO:split_lines", &text, &spans_obj, &f, &boxes_obj))
        return NULL;

    PyObject *spans = NULL, *boxes = NULL, *plain = NULL, *words = NULL, *result = NULL, *span = NULL;
    lbox *bx = NULL;
    Py_ssize_t nb = 0, nb_ok = 0; /* boxes; the leading well-formed ones, with strong references */
    int boxes_ready = 0, bad_len = 0; /* the first malformed box is a tuple or list of another length */
    lpts p = {{0}, {NULL, NULL, NULL, NULL}, 1};

    plain = PyList_New(0);
    if (plain == NULL)
        goto done;
    words = PyList_New(0);
    if (words == NULL)
        goto done;
    spans = PySequence_Fast(spans_obj, "split_lines: spans must be iterable");
    if (spans == NULL)
        goto done;

    /* The size is read again at every step, as a list iterator does. */
    for (Py_ssize_t k = 0; k < PySequence_Fast_GET_SIZE(spans); k++) {
        PyObject *sp = PySequence_Fast_GET_ITEM(spans, k);
        if (PyTuple_CheckExact(sp)) {
            Py_INCREF(sp);
            span = sp;
        } else if (PyTuple_Check(sp) || PyList_Check(sp)) { /* unpacked as the Python does, by iteration */
            span = PySequence_Tuple(sp);
            if (span == NULL)
                goto done;
        } else {
            PyErr_SetString(PyExc_TypeError,
                            "split_lines: a span must be (first, last, stripped, x0, x1, top0, bot0, top1, bot1)");
            goto done;
        }
        if (PyTuple_GET_SIZE(span) != 9) {
            PyErr_SetString(PyExc_ValueError,
                            "split_lines: a span must be (first, last, stripped, x0, x1, top0, bot0, top1, bot1)");
            goto done;
        }
        PyObject *const *it = &PyTuple_GET_ITEM(span, 0);
        if (pts_of(it + 3, &p) < 0)
            goto done;

        if (!boxes_ready) {
            if (!PyList_Check(boxes_obj) && !PyTuple_Check(boxes_obj)) {
                PyErr_SetString(PyExc_TypeError, "split_lines: boxes must be a list or tuple");
                goto done;
            }
            boxes = PySequence_Fast(boxes_obj, "split_lines: boxes must be a list or tuple");
            if (boxes == NULL)
                goto done;
            nb = PySequence_Fast_GET_SIZE(boxes);
            if (nb > 0) {
                bx = PyMem_Calloc((size_t)nb, sizeof(lbox));
                if (bx == NULL) {
                    PyErr_NoMemory();
                    goto done;
                }
            }
            /* Strong references to the numbers of each box: the boxes are read once here. */
            for (nb_ok = 0; nb_ok < nb; nb_ok++) {
                PyObject *b = PySequence_Fast_GET_ITEM(boxes, nb_ok);
                if (!PyTuple_Check(b) && !PyList_Check(b))
                    break;
                PyObject *bt = PySequence_Tuple(b);
                if (bt == NULL)
                    goto done;
                if (PyTuple_GET_SIZE(bt) != 4) {
                    Py_DECREF(bt);
                    bad_len = 1;
                    break;
                }
                bx[nb_ok].fast = 1;
                for (int i = 0; i < 4; i++) {
                    PyObject *v = PyTuple_GET_ITEM(bt, i);
                    Py_INCREF(v);
                    bx[nb_ok].o[i] = v;
                    if (PyFloat_CheckExact(v))
                        bx[nb_ok].d[i] = PyFloat_AS_DOUBLE(v);
                    else
                        bx[nb_ok].fast = 0;
                }
                Py_DECREF(bt);
            }
            Py_CLEAR(boxes);
            boxes_ready = 1;
        }

        int touched = 0;
        for (Py_ssize_t m = 0; m < nb_ok && !touched; m++) {
            touched = hit(&bx[m], &p);
            if (touched < 0)
                goto done;
        }
        if (!touched && nb_ok < nb) { /* the Python unpacks the malformed box and fails */
            PyErr_SetString(bad_len ? PyExc_ValueError : PyExc_TypeError,
                            "split_lines: a box must be (left, right, bottom, top)");
            goto done;
        }
        pts_clear(&p);

        if (!touched) {
            if (pg_append_new(plain, PyLong_FromSsize_t(k)) < 0)
                goto done;
        } else {
            PyObject *stripped = it[2];
            if (check_str(stripped) < 0)
                goto done;
            int ws = has_space(stripped);
            if (ws < 0)
                goto done;
            if (!ws) {
                PyObject *known = known_of(f, k);
                if (known == NULL)
                    goto done;
                PyObject *t = PyTuple_Pack(3, it[0], it[1], known);
                Py_DECREF(known);
                if (pg_append_new(words, t) < 0)
                    goto done;
            } else if (add_runs(words, text, it[0], it[1]) < 0) {
                goto done;
            }
        }
        Py_CLEAR(span);
    }

    result = PyTuple_Pack(2, plain, words);

done:
    pts_clear(&p);
    for (Py_ssize_t m = 0; m < nb_ok; m++)
        for (int i = 0; i < 4; i++)
            Py_DECREF(bx[m].o[i]);
    PyMem_Free(bx);
    Py_XDECREF(span);
    Py_XDECREF(spans);
    Py_XDECREF(boxes);
    Py_XDECREF(plain);
    Py_XDECREF(words);
    return result;
}
