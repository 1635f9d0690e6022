/* pdf._rulings_py in C: thin path objects as horizontal (y, x0, x1) and vertical (x, y0, y1) segments.
 *
 * rulings(page, count_objects, get_object, get_type, get_bounds, count_segments, get_draw_mode,
 *         get_matrix, get_path_segment, segment_type, segment_point, path_type, lineto, moveto)
 * takes the page handle and the addresses of the PDFium functions below as ints (pdf._RULING_FUNCTIONS),
 * then FPDF_PAGEOBJ_PATH, FPDF_SEGMENT_LINETO and FPDF_SEGMENT_MOVETO. Like the Python: the bounds
 * buffer is zeroed once and reused, so a failed GetBounds leaves the previous path's values; a failed
 * GetDrawMode leaves the previous stroke flag. A rectangle candidate must be upright (pdf._upright_box).
 */
#include "pdfgeom.h"


typedef int (*count_objects_fn)(void *page);
typedef void *(*get_object_fn)(void *page, int index);
typedef int (*get_type_fn)(void *obj);
typedef int (*get_bounds_fn)(void *obj, float *left, float *bottom, float *right, float *top);
typedef int (*count_segments_fn)(void *path);
typedef int (*get_draw_mode_fn)(void *path, int *fillmode, int *stroke);
typedef struct {
    float a, b, c, d, e, f;
} fs_matrix;
typedef int (*get_matrix_fn)(void *obj, fs_matrix *matrix);
typedef void *(*get_path_segment_fn)(void *path, int index);
typedef int (*segment_type_fn)(void *segment);
typedef int (*segment_point_fn)(void *segment, float *x, float *y);

#define N_FUNCTIONS 10 /* after the page: six for the scan, four for the shape of a rectangle */
#define SKEW 1e-6  /* pdf._SKEW */
#define SQUARE 0.5 /* pdf._SQUARE */

typedef struct {
    get_matrix_fn get_matrix;
    get_path_segment_fn get_path_segment;
    segment_type_fn segment_type;
    segment_point_fn segment_point;
    int lineto, moveto;
} shape_api;

/* pdf._upright_box: straight segments only, each along an axis (cyclically), and no rotation. */
static int upright_box(void *obj, int n_segments, const shape_api *api) {
    if (n_segments > 5)
        return 0; /* the caller passes 4 or 5 */
    fs_matrix m = {0, 0, 0, 0, 0, 0};
    if (api->get_matrix(obj, &m) && (fabs((double)m.b) > SKEW || fabs((double)m.c) > SKEW))
        return 0;
    double px[5], py[5];
    float x = 0.0f, y = 0.0f; /* reused, as the Python's c_floats */
    for (int i = 0; i < n_segments; i++) {
        void *segment = api->get_path_segment(obj, i);
        if (segment == NULL)
            return 0;
        int type = api->segment_type(segment);
        if (type != api->lineto && type != api->moveto)
            return 0;
        if (!api->segment_point(segment, &x, &y))
            return 0;
        px[i] = x;
        py[i] = y;
    }
    for (int i = 0; i < n_segments; i++) {
        int j = (i + 1) % n_segments;
        double dx = fabs(px[j] - px[i]), dy = fabs(py[j] - py[i]);
        double least = dy < dx ? dy : dx; /* Python's min(): the first unless the second is smaller */
        if (!(least < SQUARE))
            return 0;
    }
    return 1;
}

/* Append the tuple (a, b, c) of floats to list; 0 with an exception set on failure. */
static int append3(PyObject *list, double a, double b, double c) {
    return pg_append_new(list, Py_BuildValue("(ddd)", a, b, c)) == 0;
}

PyObject *pg_rulings(PyObject *self, PyObject *args) {
    PyObject *a[N_FUNCTIONS + 1];
    void *p[N_FUNCTIONS + 1];
    int path_type;
    shape_api api;
    if (!PyArg_ParseTuple(args, "OOOOOOOOOOOiii:rulings", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5], &a[6],
                          &a[7], &a[8], &a[9], &a[10], &path_type, &api.lineto, &api.moveto))
        return NULL;
    for (int i = 0; i < N_FUNCTIONS + 1; i++) /* the page may be NULL (PDFium answers -1 objects) */
        if (pg_as_addr(a[i], "rulings", i > 0, &p[i]) < 0)
            return NULL;
    void *page = p[0];
    count_objects_fn count_objects = (count_objects_fn)(uintptr_t)p[1];
    get_object_fn get_object = (get_object_fn)(uintptr_t)p[2];
    get_type_fn get_type = (get_type_fn)(uintptr_t)p[3];
    get_bounds_fn get_bounds = (get_bounds_fn)(uintptr_t)p[4];
    count_segments_fn count_segments = (count_segments_fn)(uintptr_t)p[5];
    get_draw_mode_fn get_draw_mode = (get_draw_mode_fn)(uintptr_t)p[6];
    api.get_matrix = (get_matrix_fn)(uintptr_t)p[7];
    api.get_path_segment = (get_path_segment_fn)(uintptr_t)p[8];
    api.segment_type = (segment_type_fn)(uintptr_t)p[9];
    api.segment_point = (segment_point_fn)(uintptr_t)p[10];

    PyObject *h = PyList_New(0), *v = PyList_New(0);
    if (h == NULL || v == NULL)
        goto fail;

    float bounds[4] = {0.0f, 0.0f, 0.0f, 0.0f}; /* left, bottom, right, top: zeroed once, reused */
    int fill_mode = 0, stroke = 0;              /* reused across calls, as the Python's c_ints */
    int n = count_objects(page);
    for (int i = 0; i < n; i++) {
        void *o = get_object(page, i);
        if (get_type(o) != path_type)
            continue;
        (void)get_bounds(o, &bounds[0], &bounds[1], &bounds[2], &bounds[3]); /* failure ignored */
        double left = bounds[0], b = bounds[1], r = bounds[2], t = bounds[3];
        double w = r - left, ht = t - b;
        if (ht <= PG_THIN && w > PG_THIN) {
            if (!append3(h, (b + t) / 2, left, r))
                goto fail;
        } else if (w <= PG_THIN && ht > PG_THIN) {
            if (!append3(v, (left + r) / 2, b, t))
                goto fail;
        } else if (w > PG_THIN && ht > PG_THIN) {
            int segs = count_segments(o);
            if (segs != 4 && segs != 5)
                continue;
            (void)get_draw_mode(o, &fill_mode, &stroke); /* failure ignored: stroke keeps its value */
            if (!stroke || !upright_box(o, segs, &api))
                continue;
            if (!append3(h, t, left, r) || !append3(h, b, left, r) || !append3(v, left, b, t) ||
                !append3(v, r, b, t))
                goto fail;
        }
    }
    PyObject *res = PyTuple_Pack(2, h, v);
    Py_DECREF(h);
    Py_DECREF(v);
    return res;

fail:
    Py_XDECREF(h);
    Py_XDECREF(v);
    return NULL;
}
