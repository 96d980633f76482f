"""A :class:`~abcd_map.render.report_doc.Document` as an A4 PDF, with matplotlib's PDF backend only.

Blocks flow down the page; a block that does not fit starts a new page (tables
continue on the next page with their header repeated). Every page has a header and
footer with the title, the page number, "FICTIEF" for made-up data and, for team
outputs, the team mark.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from ..export import write_atomic  # noqa: E402
from .report_doc import Block, Document  # noqa: E402

PAGE_W, PAGE_H = 8.27, 11.69  # A4 portrait, inches
LEFT, RIGHT, TOP, BOTTOM = 0.65, 0.65, 0.85, 0.75
WIDTH = PAGE_W - LEFT - RIGHT
_INK, _GREY, _RED = "#1a1a1a", "#555555", "#b2182b"
#: Font size (pt), line height (in) and characters per line of each text block kind.
_TEXT = {"title": (17, 0.34, 55), "h2": (12, 0.30, 80), "p": (9, 0.155, 108), "note": (7.5, 0.13, 130)}
_TABLE_FONT, _ROW_H = 7.2, 0.155
_CHAR_W = _TABLE_FONT * 0.56 / 72  # inches per character in a table cell (DejaVu Sans, generous)
_BOLD = 1.2  # bold header characters are this much wider


@dataclass
class _Page:
    fig: Any
    y: float  # inches from the bottom where the next block starts


class _Pager:
    """Places blocks on pages of one PdfPages file."""

    def __init__(self, pdf: PdfPages, doc: Document) -> None:
        self.pdf, self.doc = pdf, doc
        self.page: _Page | None = None
        self.count = 0

    def new_page(self) -> _Page:
        self.close_page()
        fig = plt.figure(figsize=(PAGE_W, PAGE_H))
        self.count += 1
        _decorate(fig, self.doc, self.count)
        self.page = _Page(fig, PAGE_H - TOP)
        return self.page

    def close_page(self) -> None:
        if self.page is not None:
            self.pdf.savefig(self.page.fig)
            plt.close(self.page.fig)
            self.page = None

    def room(self, height: float) -> _Page:
        """The current page if ``height`` inches fit on it, else a new page."""
        page = self.page or self.new_page()
        if page.y - height < BOTTOM and page.y < PAGE_H - TOP - 0.01:
            page = self.new_page()
        return page

    def place(self, block: Block) -> None:
        if block.kind == "pagebreak":
            if self.page is not None and self.page.y < PAGE_H - TOP - 0.01:
                self.new_page()
        elif block.kind == "table":
            self.table(block)
        elif block.kind == "figure":
            self.figure(block)
        else:
            self.text(block)

    def text(self, block: Block) -> None:
        size, line_h, chars = _TEXT.get(block.kind, _TEXT["p"])
        lines = wrap(block.text, chars)
        gap = {"title": 0.1, "h2": 0.08}.get(block.kind, 0.06)
        keep = 1.2 if block.kind == "h2" else 0.0  # a heading stays with what follows
        page = self.room(line_h * len(lines) + gap + keep)
        if block.kind == "h2" and page.y < PAGE_H - TOP - 0.01:
            page.y -= 0.08
        weight = "bold" if block.kind in ("title", "h2") else "normal"
        colour = _GREY if block.kind == "note" else _INK
        page.fig.text(LEFT / PAGE_W, page.y / PAGE_H, "\n".join(lines), fontsize=size, va="top", ha="left",
                      color=colour, fontweight=weight, linespacing=1.35)
        page.y -= line_h * len(lines) + gap

    def figure(self, block: Block) -> None:
        page = self.room(block.height + 0.1)
        ax = page.fig.add_axes((LEFT / PAGE_W, (page.y - block.height) / PAGE_H, WIDTH / PAGE_W,
                                block.height / PAGE_H))
        block.draw(ax)
        page.y -= block.height + 0.12

    def table(self, block: Block) -> None:
        cells = block.table
        widths, header = column_layout(cells)
        header_h = _ROW_H * max(len(h) for h in header) if header else _ROW_H
        rows = list(cells.itertuples(index=False))
        start = 0
        while start < len(rows) or start == 0:
            page = self.room(header_h + _ROW_H * min(len(rows), 3) + 0.1)
            fit = max(1, int((page.y - BOTTOM - header_h - 0.1) / _ROW_H))
            chunk = rows[start:start + fit]
            _draw_table(page, header, chunk, widths, block.align, header_h)
            page.y -= header_h + _ROW_H * len(chunk) + 0.14
            start += len(chunk)
            if start >= len(rows):
                break


def wrap(text: str, chars: int) -> list[str]:
    """Lines of at most ``chars`` characters (paragraph breaks kept)."""
    out: list[str] = []
    for para in str(text).split("\n"):
        out += textwrap.wrap(para, chars) or [""]
    return out


def column_layout(cells: Any) -> tuple[list[float], list[list[str]]]:
    """Column widths (inches, together at most the text width) and wrapped header lines."""
    need, floor = [], []
    for col in cells.columns:
        body = max((len(str(v)) for v in cells[col]), default=0)
        longest = max((len(w) for w in str(col).split()), default=0)
        floor.append(int(min(longest, 22) * _BOLD) + 2)  # the header's longest word, in bold
        need.append(max(body + 2, floor[-1], 5))
    budget = int(WIDTH / _CHAR_W)
    while sum(need) > budget:  # shrink the widest column (cells get an ellipsis), headers last
        above = [n if n > f else 0 for n, f in zip(need, floor)]
        i = above.index(max(above)) if any(above) else need.index(max(need))
        need[i] -= 1
    widths = [n * _CHAR_W for n in need]
    widths = [w * WIDTH / sum(widths) for w in widths] if sum(widths) > WIDTH else widths
    header = [textwrap.wrap(str(col), max(int(w / (_CHAR_W * _BOLD)) - 1, 3), break_long_words=False) or [""]
              for col, w in zip(cells.columns, widths)]
    return widths, [h[:3] for h in header]


def fit_text(text: str, width: float) -> str:
    """``text`` shortened with an ellipsis so it fits ``width`` inches of a table cell."""
    chars = max(int(width / _CHAR_W) - 1, 2)
    return text if len(text) <= chars else text[:chars - 1] + "…"


def _draw_table(page: _Page, header: list[list[str]], rows: list[tuple], widths: list[float],
                align: tuple[str, ...], header_h: float) -> None:
    fig, top = page.fig, page.y
    total = sum(widths)
    fig.patches.append(Rectangle(
        (LEFT / PAGE_W, (top - header_h) / PAGE_H), total / PAGE_W, header_h / PAGE_H,
        transform=fig.transFigure, facecolor="#e8eef4", edgecolor="none"))
    for r in range(1, len(rows) + 1, 2):
        y = top - header_h - _ROW_H * (r + 1)
        fig.patches.append(Rectangle(
            (LEFT / PAGE_W, y / PAGE_H), total / PAGE_W, _ROW_H / PAGE_H, transform=fig.transFigure,
            facecolor="#f5f5f5", edgecolor="none"))
    x = LEFT
    for i, width in enumerate(widths):
        right = (align[i] if i < len(align) else "l") == "r"
        tx = (x + width - 0.05) if right else (x + 0.03)
        ha = "right" if right else "left"
        fig.text(tx / PAGE_W, (top - 0.03) / PAGE_H, "\n".join(header[i]), fontsize=_TABLE_FONT, va="top", ha=ha,
                 fontweight="bold", color=_INK, linespacing=1.15)
        if rows:  # one text per column (much faster than one per cell); a line is exactly one row high
            body = "\n".join(fit_text(str(row[i]), width) for row in rows)
            line = _TABLE_FONT / 72
            fig.text(tx / PAGE_W, (top - header_h - (_ROW_H - line) / 2 + 0.01) / PAGE_H, body, fontsize=_TABLE_FONT,
                     va="top", ha=ha, multialignment=ha, color=_INK, linespacing=_ROW_H / line)
        x += width


def _decorate(fig: Any, doc: Document, number: int) -> None:
    """Header and footer of one page: title, page number, FICTIEF and the team mark."""
    fig.text(LEFT / PAGE_W, (PAGE_H - 0.45) / PAGE_H, doc.subtitle, fontsize=8, color=_GREY, va="bottom")
    fig.text((PAGE_W - RIGHT) / PAGE_W, 0.35 / PAGE_H, f"pagina {number}", fontsize=8, color=_GREY, ha="right")
    fig.text(LEFT / PAGE_W, 0.35 / PAGE_H, doc.footer, fontsize=7, color=_GREY, ha="left")
    fig.lines.append(Line2D([LEFT / PAGE_W, (PAGE_W - RIGHT) / PAGE_W],
                                             [(PAGE_H - 0.52) / PAGE_H] * 2, color="#cccccc", linewidth=0.6,
                                             transform=fig.transFigure))
    marks = [m for m in (doc.team_mark, "FICTIEF" if doc.fictional else "") if m]
    if marks:
        kwargs = dict(fontsize=10, color="white", fontweight="bold",
                      bbox={"facecolor": _RED, "edgecolor": "none", "boxstyle": "round,pad=0.25"})
        fig.text((PAGE_W - RIGHT) / PAGE_W, (PAGE_H - 0.45) / PAGE_H, " · ".join(marks), ha="right", va="bottom",
                 **kwargs)
    if doc.team_mark:
        fig.text(0.5, 0.52 / PAGE_H, doc.team_mark, fontsize=9, color=_RED, ha="center", fontweight="bold")


def render_pdf(doc: Document, path: str | Path) -> tuple[Path, int, int]:
    """Write ``doc`` as an A4 PDF (atomically).

    Returns
    -------
    tuple
        The path, the number of pages before the appendix, and the total number of pages.
    """
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Title": doc.title, "Creator": "abcd-map"}) as pdf:
        pager = _Pager(pdf, doc)
        pager.new_page()
        for block in doc.blocks:
            pager.place(block)
        main = pager.count
        if doc.appendix:
            pager.new_page()
            for block in doc.appendix:
                pager.place(block)
        pager.close_page()
        total = pager.count
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, buf.getvalue())
    return path, main, total
