/* pdf._group_texts in C: pdf._cell_text of each group of glyphs, with pdf._group_lines (its sorted
 * path, in_order=False), pdf._join_line, the _CJK_SPACE substitution and the soft-wrap join.
 *
 * group_texts(groups) -> [str]: groups is a sequence of sequences of glyphs (str, x0, x1, y0, y1).
 * Nothing of the input is modified (the Python sorts copies too).
 *
 * Floats: every step is the Python's own in double, in the same order (-(y0 + y1), (y0 + y1) / 2,
 * abs(centre - cy) <= (y1 - y0) * 0.5, x0 - prev.x1 > 0.45 * (prev.y1 - prev.y0)). An int coordinate
 * is taken when |v| <= 2**52, where its sums and differences are exact in double and every comparison
 * comes out as Python's exact int/float ones; a larger int is refused (ValueError).
 *
 * Sorts: sorted(chars, key=-(y0 + y1)) and each row's sort by x0 are stable merge sorts with `<` on
 * the keys; without NaN that is a strict weak order, so any stable sort gives timsort's result. With
 * a NaN among the keys of one sort the result depends on the algorithm, so that sort is done by
 * CPython's own list.sort on float keys of the same values (the same comparisons, so the same order).
 *
 * _CJK_SPACE, " +(?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) +", with re.sub removes exactly the maximal runs
 * of U+0020 whose left neighbour or right neighbour (in the string before substitution) is above
 * U+007F; a run at the start or the end of the string has only one neighbour. (re tries each
 * position from the left: at the first space of a run both branches match the whole run or neither
 * does; inside a kept run the left neighbour is a space and the right one is the run's, so nothing
 * matches there either; after a removed run the scan resumes past it.)
 *
 * Soft wraps: out += " " + line when out[-1:] and line[:1] both match [A-Za-z0-9] and neither
 * isdigit() (Py_UNICODE_ISDIGIT; on ASCII that is 0-9), else out += line.
 */
#include "pdfgeom.h"

#include <math.h>
#include <string.h>

#define EXACT_INT (4503599627370496LL) /* 2**52 */

/* Scratch arrays of one call, grown as needed, reused for every group. */
typedef struct {
    Py_ssize_t cap;  /* glyphs the arrays below hold */
    PyObject **str;  /* the current group's glyph texts (owned references) */
    double *key, *x0, *x1, *y0, *y1;
    Py_ssize_t *order, *tmp;
    Py_ssize_t bcap; /* code points in buf */
    Py_UCS4 *buf;
} Scratch;

static void scratch_free(Scratch *sc) {
    PyMem_Free(sc->str);
    PyMem_Free(sc->key);
    PyMem_Free(sc->x0);
    PyMem_Free(sc->x1);
    PyMem_Free(sc->y0);
    PyMem_Free(sc->y1);
    PyMem_Free(sc->order);
    PyMem_Free(sc->tmp);
    PyMem_Free(sc->buf);
}

static int grow(void **p, size_t size) {
    void *q = PyMem_Realloc(*p, size);
    if (q == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *p = q;
    return 0;
}

/* A capacity for n items where cap are held: n, at least `least` and at least twice cap (amortized). */
static Py_ssize_t new_cap(Py_ssize_t n, Py_ssize_t cap, Py_ssize_t least) {
    Py_ssize_t c = n < least ? least : n;
    return c < 2 * cap ? 2 * cap : c;
}

static int scratch_glyphs(Scratch *sc, Py_ssize_t n) {
    if (n <= sc->cap)
        return 0;
    Py_ssize_t cap = new_cap(n, sc->cap, 16);
    size_t d = (size_t)cap * sizeof(double), z = (size_t)cap * sizeof(Py_ssize_t);
    if (grow((void **)&sc->str, (size_t)cap * sizeof(PyObject *)) < 0 || grow((void **)&sc->key, d) < 0 ||
        grow((void **)&sc->x0, d) < 0 || grow((void **)&sc->x1, d) < 0 || grow((void **)&sc->y0, d) < 0 ||
        grow((void **)&sc->y1, d) < 0 || grow((void **)&sc->order, z) < 0 || grow((void **)&sc->tmp, z) < 0)
        return -1;
    sc->cap = cap;
    return 0;
}

static int scratch_buf(Scratch *sc, Py_ssize_t n) {
    if (n <= sc->bcap)
        return 0;
    Py_ssize_t cap = new_cap(n, sc->bcap, 256);
    if ((size_t)cap > PY_SSIZE_T_MAX / sizeof(Py_UCS4)) {
        PyErr_NoMemory();
        return -1;
    }
    if (grow((void **)&sc->buf, (size_t)cap * sizeof(Py_UCS4)) < 0)
        return -1;
    sc->bcap = cap;
    return 0;
}

/* ------------------------------------------------------------------ sorts */

/* a[0..n) sorted by k[a[i]] as list.sort(key=...) sorts it: CPython's own sort on float keys of the
 * same values (for keys with NaN, where the order depends on the algorithm). tmp holds n. */
static int cpython_sort(Py_ssize_t *a, Py_ssize_t *tmp, Py_ssize_t n, const double *k) {
    PyObject *keys = PyList_New(n);
    if (keys == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *f = PyFloat_FromDouble(k[a[i]]);
        if (f == NULL) {
            Py_DECREF(keys);
            return -1;
        }
        PyList_SET_ITEM(keys, i, f);
    }
    int rc = pg_cpython_argsort(keys, tmp);
    Py_DECREF(keys);
    if (rc < 0)
        return -1;
    for (Py_ssize_t i = 0; i < n; i++) /* tmp: positions in a, then what stands there */
        tmp[i] = a[tmp[i]];
    memcpy(a, tmp, (size_t)n * sizeof(Py_ssize_t));
    return 0;
}

/* a[0..n) stably sorted by k[a[i]], as the Python's sort with that key. */
static int sort_by(Py_ssize_t *a, Py_ssize_t *tmp, Py_ssize_t n, const double *k) {
    if (n < 2)
        return 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (isnan(k[a[i]]))
            return cpython_sort(a, tmp, n, k);
    pg_msort(a, tmp, n, pg_less_double, k);
    return 0;
}

/* ------------------------------------------------------------------ text */

/* _CJK_SPACE.sub("", s[0..n)) in place; the new length. */
static Py_ssize_t cjk_space(Py_UCS4 *s, Py_ssize_t n) {
    Py_ssize_t w = 0, i = 0;
    Py_UCS4 prev = 0; /* the original character before i; none (start) counts as ASCII */
    while (i < n) {
        Py_UCS4 ch = s[i];
        if (ch != ' ') {
            s[w++] = ch;
            prev = ch;
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < n && s[j] == ' ')
            j++;
        if (prev > 0x7f || (j < n && s[j] > 0x7f)) {
            i = j; /* the whole run goes */
        } else {
            for (; i < j; i++)
                s[w++] = ' ';
        }
        prev = ' ';
    }
    return w;
}

/* Copy str s into dst; its length. */
static Py_ssize_t put(Py_UCS4 *dst, PyObject *s) {
    Py_ssize_t len = PyUnicode_GET_LENGTH(s);
    const void *data = PyUnicode_DATA(s);
    switch (PyUnicode_KIND(s)) {
    case PyUnicode_1BYTE_KIND:
        for (Py_ssize_t i = 0; i < len; i++)
            dst[i] = ((const Py_UCS1 *)data)[i];
        break;
    case PyUnicode_2BYTE_KIND:
        for (Py_ssize_t i = 0; i < len; i++)
            dst[i] = ((const Py_UCS2 *)data)[i];
        break;
    default:
        memcpy(dst, data, (size_t)len * sizeof(Py_UCS4));
    }
    return len;
}

static inline int ascii_word(Py_UCS4 c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A glyph coordinate as a double (float, or an int small enough to be exact in every step). */
static int coord(PyObject *o, double *out) {
    if (PyFloat_Check(o)) {
        *out = PyFloat_AS_DOUBLE(o);
        return 0;
    }
    if (PyLong_Check(o)) {
        int overflow = 0;
        long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (overflow || v > EXACT_INT || v < -EXACT_INT) {
            PyErr_SetString(PyExc_ValueError, "group_texts: an int coordinate beyond 2**52");
            return -1;
        }
        *out = (double)v;
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "group_texts: a glyph coordinate must be a float, not %.100s",
                 Py_TYPE(o)->tp_name);
    return -1;
}

/* _cell_text of a one-glyph group: its text, spaces beside CJK dropped. */
static PyObject *one_word(PyObject *glyph, Scratch *sc) {
    PyObject *word;
    if (PyTuple_Check(glyph) && PyTuple_GET_SIZE(glyph) > 0) {
        word = PyTuple_GET_ITEM(glyph, 0);
        Py_INCREF(word);
    } else {
        word = PySequence_GetItem(glyph, 0);
        if (word == NULL)
            return NULL;
    }
    if (!PyUnicode_Check(word)) {
        PyErr_Format(PyExc_TypeError, "group_texts: a glyph's text must be a str, not %.100s",
                     Py_TYPE(word)->tp_name);
        Py_DECREF(word);
        return NULL;
    }
    if (PyUnicode_READY(word) < 0) {
        Py_DECREF(word);
        return NULL;
    }
    Py_ssize_t len = PyUnicode_GET_LENGTH(word);
    /* no space, or nothing but ASCII: nothing to drop */
    if (PyUnicode_MAX_CHAR_VALUE(word) < 0x80)
        return word;
    Py_ssize_t at = PyUnicode_FindChar(word, ' ', 0, len, 1);
    if (at == -1)
        return word;
    if (at == -2 || scratch_buf(sc, len) < 0) {
        Py_DECREF(word);
        return NULL;
    }
    put(sc->buf, word);
    Py_ssize_t m = cjk_space(sc->buf, len);
    if (m == len)
        return word;
    Py_DECREF(word);
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, sc->buf, m);
}

/* _cell_text(chars) */
static PyObject *cell_text(PyObject *group, Scratch *sc) {
    PyObject *fast = PySequence_Fast(group, "group_texts: a group must be a sequence of glyphs");
    if (fast == NULL)
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast), got = 0;
    if (n == 0) {
        result = PyUnicode_New(0, 0);
        goto done;
    }
    if (n == 1) {
        PyObject *g = PySequence_Fast_GET_ITEM(fast, 0);
        Py_INCREF(g);
        result = one_word(g, sc);
        Py_DECREF(g);
        goto done;
    }
    if (scratch_glyphs(sc, n) < 0)
        goto done;

    /* the glyphs */
    Py_ssize_t total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i >= PySequence_Fast_GET_SIZE(fast)) {
            PyErr_SetString(PyExc_RuntimeError, "group_texts: a group changed size");
            goto done;
        }
        PyObject *g = PySequence_Fast_GET_ITEM(fast, i), *t;
        if (PyTuple_Check(g)) {
            t = g;
            Py_INCREF(t);
        } else {
            Py_INCREF(g);
            t = PySequence_Tuple(g);
            Py_DECREF(g);
            if (t == NULL)
                goto done;
        }
        if (PyTuple_GET_SIZE(t) < 5) {
            PyErr_Format(PyExc_ValueError, "group_texts: a glyph must be (text, x0, x1, y0, y1), not %zd values",
                         PyTuple_GET_SIZE(t));
            Py_DECREF(t);
            goto done;
        }
        PyObject *s = PyTuple_GET_ITEM(t, 0);
        if (!PyUnicode_Check(s)) {
            PyErr_Format(PyExc_TypeError, "group_texts: a glyph's text must be a str, not %.100s",
                         Py_TYPE(s)->tp_name);
            Py_DECREF(t);
            goto done;
        }
        if (PyUnicode_READY(s) < 0 || coord(PyTuple_GET_ITEM(t, 1), &sc->x0[i]) < 0 ||
            coord(PyTuple_GET_ITEM(t, 2), &sc->x1[i]) < 0 || coord(PyTuple_GET_ITEM(t, 3), &sc->y0[i]) < 0 ||
            coord(PyTuple_GET_ITEM(t, 4), &sc->y1[i]) < 0) {
            Py_DECREF(t);
            goto done;
        }
        Py_INCREF(s);
        sc->str[got++] = s;
        Py_DECREF(t);
        total += PyUnicode_GET_LENGTH(s);
    }

    /* _group_lines: sorted by -(y0 + y1), top line first */
    Py_ssize_t *order = sc->order;
    const double *x0 = sc->x0, *x1 = sc->x1, *y0 = sc->y0, *y1 = sc->y1;
    for (Py_ssize_t i = 0; i < n; i++) {
        sc->key[i] = -(y0[i] + y1[i]);
        order[i] = i;
    }
    if (sort_by(order, sc->tmp, n, sc->key) < 0)
        goto done;
    /* room for the texts, a space between any two glyphs and one between any two lines */
    if (total > PY_SSIZE_T_MAX - 2 * n - 1) {
        PyErr_NoMemory();
        goto done;
    }
    if (scratch_buf(sc, total + 2 * n + 1) < 0)
        goto done;
    Py_UCS4 *buf = sc->buf;
    Py_ssize_t outlen = 0, a = 0;
    double centre = 0.0;
    for (Py_ssize_t k = 1; k <= n; k++) {
        /* A row is a run of `order`: glyph k joins the row of k - 1, or a row [a, k) is done. */
        if (k < n) {
            Py_ssize_t i = order[k];
            double cy = (y0[i] + y1[i]) / 2;
            if (k == 1) /* the first row's centre */
                centre = (y0[order[0]] + y1[order[0]]) / 2;
            if (fabs(centre - cy) <= (y1[i] - y0[i]) * 0.5)
                continue;
            centre = cy; /* glyph k starts the next row */
        }
        /* _join_line(row): by x0, a space where the gap exceeds 0.45 x the previous glyph's height */
        Py_ssize_t *row = order + a, len = k - a;
        a = k;
        if (sort_by(row, sc->tmp, len, x0) < 0)
            goto done;
        Py_UCS4 *line = buf + outlen;
        Py_UCS4 maxch = PyUnicode_MAX_CHAR_VALUE(sc->str[row[0]]);
        Py_ssize_t m = put(line, sc->str[row[0]]);
        Py_ssize_t prev = row[0];
        for (Py_ssize_t j = 1; j < len; j++) {
            Py_ssize_t c = row[j];
            if (x0[c] - x1[prev] > 0.45 * (y1[prev] - y0[prev]))
                line[m++] = ' ';
            m += put(line + m, sc->str[c]);
            if (PyUnicode_MAX_CHAR_VALUE(sc->str[c]) > maxch)
                maxch = PyUnicode_MAX_CHAR_VALUE(sc->str[c]);
            prev = c;
        }
        if (maxch > 0x7f)
            m = cjk_space(line, m);
        /* soft wrap: a space only between two ASCII letters */
        if (outlen > 0 && m > 0) {
            Py_UCS4 last = buf[outlen - 1], first = line[0];
            if (ascii_word(last) && ascii_word(first) && !(Py_UNICODE_ISDIGIT(last) || Py_UNICODE_ISDIGIT(first))) {
                memmove(line + 1, line, (size_t)m * sizeof(Py_UCS4));
                line[0] = ' ';
                m++;
            }
        }
        outlen += m;
    }
    result = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, outlen);

done:
    for (Py_ssize_t i = 0; i < got; i++)
        Py_DECREF(sc->str[i]);
    Py_DECREF(fast);
    return result;
}

PyObject *pg_group_texts(PyObject *self, PyObject *args) {
    PyObject *groups_obj;
    if (!PyArg_ParseTuple(args, "O:group_texts", &groups_obj))
        return NULL;
    PyObject *groups = PySequence_Fast(groups_obj, "group_texts: groups must be a sequence of lists of glyphs");
    if (groups == NULL)
        return NULL;
    Scratch sc = {0};
    Py_ssize_t n = PySequence_Fast_GET_SIZE(groups);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i >= PySequence_Fast_GET_SIZE(groups)) {
            PyErr_SetString(PyExc_RuntimeError, "group_texts: groups changed size");
            goto fail;
        }
        PyObject *g = PySequence_Fast_GET_ITEM(groups, i);
        Py_INCREF(g);
        PyObject *text = cell_text(g, &sc);
        Py_DECREF(g);
        if (text == NULL)
            goto fail;
        PyList_SET_ITEM(out, i, text);
    }
    scratch_free(&sc);
    Py_DECREF(groups);
    return out;
fail:
    scratch_free(&sc);
    Py_XDECREF(out);
    Py_DECREF(groups);
    return NULL;
}
