"""A printable document as data: blocks of text, tables and figures, rendered to PDF and HTML.

The wijkprofiel (:mod:`abcd_map.report`) builds a :class:`Document`;
:mod:`abcd_map.render.report_pdf` and :mod:`abcd_map.render.report_html` render the
same blocks, so the PDF and the HTML say the same. :func:`dutch_number` is the one
formatter of every figure in a report.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: What an unknown value prints as (never 0).
UNKNOWN = "onbekend"
#: What a table or figure without any values says.
NO_DATA = "geen gegevens"


def is_missing(value: object) -> bool:
    """True for None, NaN, NA and empty text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def dutch_number(value: object, decimals: int = 0, unit: str = "") -> str:
    """A number the Dutch way: thousands dot, decimal comma; "onbekend" when missing.

    Examples
    --------
    >>> dutch_number(12345.678, 1)
    '12.345,7'
    >>> dutch_number(float("nan"))
    'onbekend'
    >>> dutch_number(31.0, 1, "%")
    '31,0%'
    """
    if is_missing(value):
        return UNKNOWN
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{number:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    if text.startswith("-") and not any(ch in text for ch in "123456789"):
        text = text[1:]  # no "-0,0"
    return text + unit


@dataclass
class Block:
    """One piece of a document.

    kind
        ``title`` (the big heading), ``h2`` (section), ``p`` (paragraph), ``note``
        (small grey text), ``table`` (``table`` holds strings), ``figure`` (``draw``
        draws on a matplotlib Axes of ``height`` inches) or ``pagebreak``.
    """

    kind: str
    text: str = ""
    table: pd.DataFrame | None = None
    draw: Callable[[Any], None] | None = None
    height: float = 0.0
    align: tuple[str, ...] = ()  # per table column: "l" or "r"


@dataclass
class Document:
    """A whole report: title, marks for every page, the blocks and an appendix."""

    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)
    appendix: list[Block] = field(default_factory=list)
    team_mark: str = ""  #: printed in the header and footer of every page when set
    fictional: bool = False
    footer: str = ""

    def add(self, kind: str, text: str = "", **kwargs: Any) -> Block:
        """Append a block to the main part and return it."""
        block = Block(kind, text, **kwargs)
        self.blocks.append(block)
        return block


def text_table(frame: pd.DataFrame, align: tuple[str, ...] | None = None) -> Block:
    """A table block (cells as text); right-aligned where a column's cells look like numbers."""
    cells = frame.astype(object).map(lambda v: v if isinstance(v, str) else UNKNOWN if is_missing(v) else str(v))
    if align is None:
        align = tuple("r" if _numeric_column(cells[c]) else "l" for c in cells.columns)
    return Block("table", table=cells, align=align)


def _numeric_column(values: pd.Series) -> bool:
    digits = [v for v in values if v not in (UNKNOWN, NO_DATA, "")]
    return bool(digits) and all(v.replace(".", "").replace(",", "").replace("%", "").replace("-", "")
                                .replace(" ", "").replace("km", "").isdigit() for v in digits)
