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
/* rows.c: pdf._grid_rows */
PyObject *pg_grid_rows(PyObject *self, PyObject *args);

#endif
