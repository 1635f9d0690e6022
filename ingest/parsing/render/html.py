"""HTML with the official merged-cell tables (rowspan/colspan)."""

from __future__ import annotations

from html import escape

from .layout import Layout, TableLayout


def _table(t: TableLayout) -> str:
    rows = []
    for row in t.rows:
        cells = []
        for s in row:
            attrs = ""
            if s.colspan > 1:
                attrs += f' colspan="{s.colspan}"'
            if s.rowspan > 1:
                attrs += f' rowspan="{s.rowspan}"'
            if s.value:
                attrs += ' align="center"'
            cells.append(f"<td{attrs}>{escape(s.text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table border="1" cellspacing="0" cellpadding="2">\n' + "\n".join(rows) + "\n</table>"


def write(layout: Layout) -> bytes:
    head = f'<meta charset="utf-8"><title>{escape(layout.title)}</title>'
    if layout.date:
        head += f'<meta name="PubDate" content="{escape(layout.date)}">'
    body = [f"<h1>{escape(layout.title)}</h1>"]
    body += [f"<p>{escape(p)}</p>" for p in layout.preamble]
    for section in layout.sections:
        body.append(f"<h2>{escape(section.heading)}</h2>")
        body += [f"<p>{escape(p)}</p>" for p in section.paragraphs]
        if section.table is not None:
            body.append(_table(section.table))
    html = f"<!DOCTYPE html>\n<html lang=\"zh-CN\"><head>{head}</head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    return html.encode("utf-8")
