/* pdf._group_rulings in C, with pdf._connected (its keep/meets) and pdf._snap.
 *
 * table_parts(h, v) takes h as (y, x0, x1) and v as (x, y0, y1) tuples of three floats and returns,
 * like the Python, [(hh, vv, xs, ys, left, right, top, bottom)]: hh/vv lists holding the input's own
 * tuple objects, xs/ys lists of new floats (snapped positions), the four extents the very float objects
 * min()/max() pick (the first of equal values, which only tells 0.0 from -0.0).
 *
 * Sorts: the Python's three sorts (sorted(others) on 3-tuples, the indices of h by y, sorted(values) in
 * _snap) are stable merge sorts here with the same comparisons. With a NaN anywhere in the input the
 * comparisons are no longer an order and the result depends on the algorithm (timsort), so then these
 * sorts are done by CPython's own list.sort on the same objects, which gives the same result by
 * construction. Everything else (bisect, the scans, the union-find) does the same comparisons in the
 * same order as the Python, NaN or not.
 */
#include "pdfgeom.h"

#include <math.h>

#define TOL (PG_THIN + 0.5) /* _connected's tol */

typedef struct {
    PyObject *t; /* the input's tuple (borrowed: the fast sequences hold it) */
    double a, b, c;
} Seg;

/* ------------------------------------------------------------------ sorts */

/* idx = 0..n-1 stably sorted by less; 0 with MemoryError on failure. */
static int argsort(Py_ssize_t *idx, Py_ssize_t n, pg_less_fn less, const void *ctx) {
    for (Py_ssize_t i = 0; i < n; i++)
        idx[i] = i;
    if (n < 2)
        return 1;
    Py_ssize_t *tmp = PyMem_Malloc((size_t)(n / 2 + 1) * sizeof(Py_ssize_t));
    if (tmp == NULL) {
        PyErr_NoMemory();
        return 0;
    }
    pg_msort(idx, tmp, n, less, ctx);
    PyMem_Free(tmp);
    return 1;
}

/* Tuple order of two NaN-free 3-tuples of floats. */
static int seg_less(const void *ctx, Py_ssize_t p, Py_ssize_t q) {
    const Seg *s = ctx;
    const Seg *x = &s[p], *y = &s[q];
    if (x->a != y->a)
        return x->a < y->a;
    if (x->b != y->b)
        return x->b < y->b;
    return x->c < y->c;
}

/* Seg by its first value (h's y: the key of `hs`). */
static int seg_a_less(const void *ctx, Py_ssize_t p, Py_ssize_t q) {
    const Seg *s = ctx;
    return s[p].a < s[q].a;
}

/* ------------------------------------------------------------------ CPython's sort (NaN present) */

/* A new list of item k of each segment's tuple (k < 0: the tuples themselves). */
static PyObject *items_list(const Seg *s, Py_ssize_t n, int k) {
    PyObject *list = PyList_New(n);
    if (list == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = k < 0 ? s[i].t : PyTuple_GET_ITEM(s[i].t, k);
        Py_INCREF(o);
        PyList_SET_ITEM(list, i, o);
    }
    return list;
}

static void seg_set(Seg *s, PyObject *t) {
    s->t = t;
    s->a = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(t, 0));
    s->b = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(t, 1));
    s->c = PyFloat_AS_DOUBLE(PyTuple_GET_ITEM(t, 2));
}

/* out = sorted(segs) */
static int sort_segs(const Seg *segs, Py_ssize_t n, int nan, Seg *out) {
    if (!nan) {
        Py_ssize_t *idx = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
        if (idx == NULL) {
            PyErr_NoMemory();
            return 0;
        }
        if (!argsort(idx, n, seg_less, segs)) {
            PyMem_Free(idx);
            return 0;
        }
        for (Py_ssize_t i = 0; i < n; i++)
            out[i] = segs[idx[i]];
        PyMem_Free(idx);
        return 1;
    }
    PyObject *list = items_list(segs, n, -1);
    if (list == NULL)
        return 0;
    if (PyList_Sort(list) < 0) {
        Py_DECREF(list);
        return 0;
    }
    /* the list holds a reference to each tuple, and so do the input sequences: borrowed stays valid */
    for (Py_ssize_t i = 0; i < n; i++)
        seg_set(&out[i], PyList_GET_ITEM(list, i));
    Py_DECREF(list);
    return 1;
}

/* idx = sorted(range(n), key=lambda i: segs[i].a) */
static int argsort_a(const Seg *segs, Py_ssize_t n, int nan, Py_ssize_t *idx) {
    if (!nan)
        return argsort(idx, n, seg_a_less, segs);
    PyObject *keys = items_list(segs, n, 0);
    if (keys == NULL)
        return 0;
    int rc = pg_cpython_argsort(keys, idx);
    Py_DECREF(keys);
    return rc == 0;
}

/* ------------------------------------------------------------------ _connected */

/* keep's meets over the sorted others and their keys */
static int meets(const Seg *so, const double *keys, Py_ssize_t n, double pos, double at) {
    Py_ssize_t lo = pg_bisect_right(keys, n, pos - TOL - 0.001);
    for (Py_ssize_t k = lo; k < n; k++) {
        const Seg *o = &so[k];
        if (o->a > pos + TOL)
            return 0;
        if (o->b - TOL <= at && at <= o->c + TOL)
            return 1;
    }
    return 0;
}

/* _connected's keep(segs, others): the kept segments into out, in order; their count, -1 on error. */
static Py_ssize_t keep(const Seg *segs, Py_ssize_t ns, const Seg *others, Py_ssize_t no, int nan, Seg *out) {
    if (no == 0)
        return 0;
    Seg *so = PyMem_Malloc((size_t)no * sizeof(Seg));
    double *keys = PyMem_Malloc((size_t)no * sizeof(double));
    Py_ssize_t count = -1;
    if (so == NULL || keys == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    if (!sort_segs(others, no, nan, so))
        goto done;
    for (Py_ssize_t k = 0; k < no; k++)
        keys[k] = so[k].a;
    count = 0;
    for (Py_ssize_t i = 0; i < ns; i++) {
        const Seg *s = &segs[i];
        if (meets(so, keys, no, s->b, s->a) && meets(so, keys, no, s->c, s->a))
            out[count++] = *s;
    }
done:
    PyMem_Free(so);
    PyMem_Free(keys);
    return count;
}

/* ------------------------------------------------------------------ _snap */

/* out.append(sum / cnt): the mean of one snapped group. */
static int append_mean(PyObject *out, double sum, Py_ssize_t cnt) {
    return pg_append_new(out, PyFloat_FromDouble(sum / (double)cnt));
}

/* _snap([s[0] for s in segs]) as a new list of floats. */
static PyObject *snap(const Seg *segs, Py_ssize_t n, int nan) {
    double *vals = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
    Py_ssize_t *idx = NULL;
    PyObject *out = NULL, *list = NULL;
    if (vals == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    if (!nan) {
        double *raw = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(double));
        idx = PyMem_Malloc((size_t)(n ? n : 1) * sizeof(Py_ssize_t));
        if (raw == NULL || idx == NULL) {
            PyMem_Free(raw);
            PyErr_NoMemory();
            goto done;
        }
        for (Py_ssize_t i = 0; i < n; i++)
            raw[i] = segs[i].a;
        if (!argsort(idx, n, pg_less_double, raw)) {
            PyMem_Free(raw);
            goto done;
        }
        for (Py_ssize_t i = 0; i < n; i++)
            vals[i] = raw[idx[i]];
        PyMem_Free(raw);
    } else {
        if ((list = items_list(segs, n, 0)) == NULL || PyList_Sort(list) < 0)
            goto done;
        for (Py_ssize_t i = 0; i < n; i++)
            vals[i] = PyFloat_AS_DOUBLE(PyList_GET_ITEM(list, i));
    }
    if ((out = PyList_New(0)) == NULL)
        goto done;
    /* pdf._mean: 0.0 + the first value, then each next one added in turn (plain, left to right) */
    double sum = 0.0, last = 0.0;
    Py_ssize_t cnt = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double x = vals[i];
        if (cnt && x - last > PG_SNAP) {
            if (append_mean(out, sum, cnt) < 0) {
                Py_CLEAR(out);
                goto done;
            }
            sum = 0.0;
            cnt = 0;
        }
        sum += x;
        cnt++;
        last = x;
    }
    if (cnt && append_mean(out, sum, cnt) < 0)
        Py_CLEAR(out);
done:
    PyMem_Free(vals);
    PyMem_Free(idx);
    Py_XDECREF(list);
    return out;
}

/* ------------------------------------------------------------------ _group_rulings */

/* The segments of a fast sequence: tuples of exactly three floats. 0 with TypeError otherwise. */
static int load(PyObject *fast, Seg *out, int *nan, const char *what) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    PyObject **items = PySequence_Fast_ITEMS(fast);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = items[i];
        if (!PyTuple_Check(t) || PyTuple_GET_SIZE(t) != 3 || !PyFloat_CheckExact(PyTuple_GET_ITEM(t, 0)) ||
            !PyFloat_CheckExact(PyTuple_GET_ITEM(t, 1)) || !PyFloat_CheckExact(PyTuple_GET_ITEM(t, 2))) {
            PyErr_Format(PyExc_TypeError, "table_parts: %s[%zd] is not a tuple of three floats", what, i);
            return 0;
        }
        seg_set(&out[i], t);
        if (isnan(out[i].a) || isnan(out[i].b) || isnan(out[i].c))
            *nan = 1;
    }
    return 1;
}

/* min (less = 1) or max (less = 0) of item k of the segments' tuples: the first of the extreme values. */
static PyObject *extreme(const Seg *s, Py_ssize_t n, int k, int less) {
    PyObject *best = PyTuple_GET_ITEM(s[0].t, k);
    double bv = PyFloat_AS_DOUBLE(best);
    for (Py_ssize_t i = 1; i < n; i++) {
        PyObject *o = PyTuple_GET_ITEM(s[i].t, k);
        double x = PyFloat_AS_DOUBLE(o);
        if (less ? x < bv : x > bv) {
            best = o;
            bv = x;
        }
    }
    Py_INCREF(best);
    return best;
}

/* A new list of the segments' tuples. */
static PyObject *seg_list(const Seg *s, Py_ssize_t n) { return items_list(s, n, -1); }

PyObject *pg_table_parts(PyObject *self, PyObject *args) {
    PyObject *h_in, *v_in;
    if (!PyArg_ParseTuple(args, "OO:table_parts", &h_in, &v_in))
        return NULL;
    PyObject *hf = NULL, *vf = NULL, *result = NULL;
    Seg *h0 = NULL, *v0 = NULL, *h = NULL, *v = NULL, *gseg = NULL;
    Py_ssize_t *parent = NULL, *hs = NULL, *gid = NULL, *ghn = NULL, *gvn = NULL, *gstart = NULL, *gpos = NULL;
    double *hy = NULL;
    int nan = 0;

    if ((hf = PySequence_Fast(h_in, "table_parts: h must be a sequence")) == NULL ||
        (vf = PySequence_Fast(v_in, "table_parts: v must be a sequence")) == NULL)
        goto fail;
    Py_ssize_t nh0 = PySequence_Fast_GET_SIZE(hf), nv0 = PySequence_Fast_GET_SIZE(vf);
    if (nh0 < 2 || nv0 < 2)
        goto empty;
    h0 = PyMem_Malloc((size_t)nh0 * sizeof(Seg));
    v0 = PyMem_Malloc((size_t)nv0 * sizeof(Seg));
    h = PyMem_Malloc((size_t)nh0 * sizeof(Seg));
    v = PyMem_Malloc((size_t)nv0 * sizeof(Seg));
    if (h0 == NULL || v0 == NULL || h == NULL || v == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    if (!load(hf, h0, &nan, "h") || !load(vf, v0, &nan, "v"))
        goto fail;

    /* h, v = _connected(h, v) */
    Py_ssize_t nh = keep(h0, nh0, v0, nv0, nan, h);
    if (nh < 0)
        goto fail;
    Py_ssize_t nv = keep(v0, nv0, h, nh, nan, v);
    if (nv < 0)
        goto fail;
    if (nh < 2 || nv < 2)
        goto empty;

    Py_ssize_t n = nh + nv;
    parent = PyMem_Malloc((size_t)n * sizeof(Py_ssize_t));
    hs = PyMem_Malloc((size_t)nh * sizeof(Py_ssize_t));
    hy = PyMem_Malloc((size_t)nh * sizeof(double));
    gid = PyMem_Malloc((size_t)n * sizeof(Py_ssize_t));
    if (parent == NULL || hs == NULL || hy == NULL || gid == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        parent[i] = i;
    if (!argsort_a(h, nh, nan, hs))
        goto fail;
    for (Py_ssize_t k = 0; k < nh; k++)
        hy[k] = h[hs[k]].a;
    for (Py_ssize_t j = 0; j < nv; j++) {
        double x = v[j].a, y0 = v[j].b, y1 = v[j].c;
        Py_ssize_t lo = pg_bisect_right(hy, nh, y0 - PG_SNAP - 0.001);
        Py_ssize_t hi = pg_bisect_right(hy, nh, y1 + PG_SNAP);
        Py_ssize_t rb = -1;
        for (Py_ssize_t k = lo; k < hi; k++) {
            Py_ssize_t i = hs[k];
            double x0 = h[i].b, x1 = h[i].c;
            if (x0 - PG_SNAP <= x && x <= x1 + PG_SNAP) {
                if (parent[i] == rb)
                    continue;
                Py_ssize_t ra = pg_uf_find(parent, i);
                if (rb < 0)
                    rb = pg_uf_find(parent, nh + j);
                if (ra != rb) {
                    parent[rb] = ra;
                    rb = ra;
                }
            }
        }
    }

    /* groups in the insertion order of find(i) over h, then v; gid[x] first holds x's root's group */
    Py_ssize_t ng = 0;
    Py_ssize_t *rootg = PyMem_Malloc((size_t)n * sizeof(Py_ssize_t)); /* group of a root, -1 none yet */
    if (rootg == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        rootg[i] = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t r = pg_uf_find(parent, i);
        if (rootg[r] < 0)
            rootg[r] = ng++;
        gid[i] = rootg[r];
    }
    PyMem_Free(rootg);
    ghn = PyMem_Calloc((size_t)ng, sizeof(Py_ssize_t));
    gvn = PyMem_Calloc((size_t)ng, sizeof(Py_ssize_t));
    gstart = PyMem_Malloc((size_t)ng * sizeof(Py_ssize_t));
    gpos = PyMem_Malloc((size_t)ng * sizeof(Py_ssize_t));
    gseg = PyMem_Malloc((size_t)n * sizeof(Seg));
    if (ghn == NULL || gvn == NULL || gstart == NULL || gpos == NULL || gseg == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    for (Py_ssize_t i = 0; i < nh; i++)
        ghn[gid[i]]++;
    for (Py_ssize_t j = 0; j < nv; j++)
        gvn[gid[nh + j]]++;
    /* gseg: per group its h segments then its v segments, each in input order */
    Py_ssize_t at = 0;
    for (Py_ssize_t g = 0; g < ng; g++) {
        gstart[g] = gpos[g] = at;
        at += ghn[g] + gvn[g];
    }
    for (Py_ssize_t i = 0; i < nh; i++)
        gseg[gpos[gid[i]]++] = h[i];
    for (Py_ssize_t g = 0; g < ng; g++)
        gpos[g] = gstart[g] + ghn[g];
    for (Py_ssize_t j = 0; j < nv; j++)
        gseg[gpos[gid[nh + j]]++] = v[j];

    if ((result = PyList_New(0)) == NULL)
        goto fail;
    for (Py_ssize_t g = 0; g < ng; g++) {
        const Seg *gh = &gseg[gstart[g]], *gv = gh + ghn[g];
        Py_ssize_t a = ghn[g], b = gvn[g];
        PyObject *xs = snap(gv, b, nan);
        if (xs == NULL)
            goto fail;
        PyObject *ys = snap(gh, a, nan);
        if (ys == NULL) {
            Py_DECREF(xs);
            goto fail;
        }
        if (PyList_GET_SIZE(xs) < 2 || PyList_GET_SIZE(ys) < 2) {
            Py_DECREF(xs);
            Py_DECREF(ys);
            continue;
        }
        /* both non-empty here: a group with no h has no ys */
        PyObject *hh = seg_list(gh, a), *vv = seg_list(gv, b);
        PyObject *part = NULL;
        PyObject *left = extreme(gh, a, 1, 1), *right = extreme(gh, a, 2, 0);
        PyObject *top = extreme(gv, b, 2, 0), *bottom = extreme(gv, b, 1, 1);
        if (hh != NULL && vv != NULL)
            part = PyTuple_Pack(8, hh, vv, xs, ys, left, right, top, bottom);
        Py_XDECREF(hh);
        Py_XDECREF(vv);
        Py_DECREF(xs);
        Py_DECREF(ys);
        Py_DECREF(left);
        Py_DECREF(right);
        Py_DECREF(top);
        Py_DECREF(bottom);
        if (pg_append_new(result, part) < 0)
            goto fail;
    }
    goto done;

empty:
    result = PyList_New(0);
    goto done;
fail:
    Py_CLEAR(result);
done:
    Py_XDECREF(hf);
    Py_XDECREF(vf);
    PyMem_Free(h0);
    PyMem_Free(v0);
    PyMem_Free(h);
    PyMem_Free(v);
    PyMem_Free(gseg);
    PyMem_Free(parent);
    PyMem_Free(hs);
    PyMem_Free(hy);
    PyMem_Free(gid);
    PyMem_Free(ghn);
    PyMem_Free(gvn);
    PyMem_Free(gstart);
    PyMem_Free(gpos);
    return result;
}
