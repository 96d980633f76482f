"""A :class:`~abcd_map.render.report_doc.Document` as one self-contained HTML page.

Inline CSS, figures as inline PNG data URIs: the page opens offline and prints on A4.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..export import write_atomic  # noqa: E402
from .escape import escape_html  # noqa: E402
from .report_doc import Block, Document  # noqa: E402
from .report_pdf import WIDTH  # noqa: E402

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:11pt;color:#1a1a1a;max-width:48em;margin:1.5em auto;
padding:0 1em;line-height:1.4}
h1{font-size:1.6em;margin:.4em 0}h2{font-size:1.2em;margin:1.4em 0 .4em;border-bottom:1px solid #ccc}
.sub{color:#555;font-size:.9em}.note{color:#555;font-size:.85em}
.mark{background:#b2182b;color:#fff;font-weight:bold;padding:.15em .5em;border-radius:.3em;display:inline-block}
table{border-collapse:collapse;font-size:.8em;margin:.4em 0 1em;width:100%}
th{background:#e8eef4;text-align:left;padding:.2em .4em;vertical-align:bottom}
td{padding:.15em .4em;border-bottom:1px solid #eee}td.r,th.r{text-align:right}
img{max-width:100%;height:auto}
@media print{@page{size:A4;margin:15mm}.pb{page-break-before:always}}
"""


def figure_png(block: Block, dpi: int = 150) -> bytes:
    """The figure of a block drawn alone, as PNG bytes."""
    fig = plt.figure(figsize=(WIDTH, block.height))
    ax = fig.add_axes((0, 0, 1, 1))
    block.draw(ax)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": "abcd-map"})
    plt.close(fig)
    return buf.getvalue()


def _block_html(block: Block) -> str:
    if block.kind == "title":
        return f"<h1>{escape_html(block.text)}</h1>"
    if block.kind == "h2":
        return f"<h2>{escape_html(block.text)}</h2>"
    if block.kind == "pagebreak":
        return '<div class="pb"></div>'
    if block.kind == "figure":
        data = base64.b64encode(figure_png(block)).decode("ascii")
        return f'<p><img alt="{escape_html(block.text)}" src="data:image/png;base64,{data}"></p>'
    if block.kind == "table":
        return _table_html(block)
    cls = ' class="note"' if block.kind == "note" else ""
    return f"<p{cls}>" + "<br>".join(escape_html(line) for line in block.text.split("\n")) + "</p>"


def _table_html(block: Block) -> str:
    cells = block.table
    align = list(block.align) + ["l"] * len(cells.columns)
    head = "".join(f'<th class="{align[i]}">{escape_html(c)}</th>' for i, c in enumerate(cells.columns))
    rows = "".join("<tr>" + "".join(f'<td class="{align[i]}">{escape_html(v)}</td>' for i, v in enumerate(row))
                   + "</tr>" for row in cells.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def render_html(doc: Document, path: str | Path) -> Path:
    """Write ``doc`` as one self-contained HTML page (atomically)."""
    marks = [m for m in (doc.team_mark, "FICTIEF" if doc.fictional else "") if m]
    mark = f'<p><span class="mark">{escape_html(" · ".join(marks))}</span></p>' if marks else ""
    parts = [mark, f'<p class="sub">{escape_html(doc.subtitle)}</p>']
    parts += [_block_html(b) for b in doc.blocks]
    if doc.appendix:
        parts += ['<div class="pb"></div>'] + [_block_html(b) for b in doc.appendix]
    parts += [f'<p class="note">{escape_html(doc.footer)}</p>', mark]
    title = f"{doc.team_mark} · {doc.title}" if doc.team_mark else doc.title
    html = (f'<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8"><title>{escape_html(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>'
            f"<body>{''.join(parts)}</body></html>\n")
    return write_atomic(Path(path), html)
