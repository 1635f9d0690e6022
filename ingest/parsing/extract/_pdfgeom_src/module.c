/* ingest.parsing.extract._pdfgeom: see pdfgeom.h. */
#include "pdfgeom.h"

static PyMethodDef methods[] = {
    {"rulings", pg_rulings, METH_VARARGS,
     "rulings(page, count_objects, get_object, get_type, get_bounds, count_segments, get_draw_mode, "
     "get_matrix, get_path_segment, segment_type, segment_point, path_type, lineto, moveto) -> (h, v): "
     "pdf._rulings_py on function addresses."},
    {"table_parts", pg_table_parts, METH_VARARGS,
     "table_parts(h, v) -> [(h, v, xs, ys, left, right, top, bottom)]: pdf._table_parts."},
    {"place_words", pg_place_words, METH_VARARGS,
     "place_words(textpage, loose_box, text, words, grids) -> (placed, prose): pdf._place_words."},
    {"part_grid", pg_part_grid, METH_VARARGS,
     "part_grid(v, h, xs, ys, left, right, chars, base) -> (flat, members): the core of pdf._part_grid."},
    {"group_texts", pg_group_texts, METH_VARARGS,
     "group_texts(groups) -> [str]: pdf._group_texts, the text of each list of glyphs."},
    {"split_lines", pg_split_lines, METH_VARARGS,
     "split_lines(text, spans, f, boxes) -> (plain, words): pdf._split_lines."},
    {"line_spans", pg_line_spans, METH_VARARGS,
     "line_spans(textpage, loose_box, text) -> (spans, f, n_chars): pdf._line_spans."},
    {"wide_lines", pg_wide_lines, METH_VARARGS,
     "wide_lines(textpage, loose_box, text, spans) -> set: pdf._wide_lines."},
    {"grid_rows", pg_grid_rows, METH_VARARGS,
     "grid_rows(ids, texts, cell_type) -> [tuple]: pdf._grid_rows."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_pdfgeom", "C versions of the hot loops of the PDF extractor.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__pdfgeom(void) { return PyModule_Create(&module); }
