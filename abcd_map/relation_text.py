"""The text of the ``relaties`` column: one parser and one writer.

A cell holds items separated by ``;`` (or a new line); an item is
``soort relatie:doel-id``, and one type may name several ids separated by
commas::

    "verwijst naar:A12; partner van:A03, A04"     (as a user types it)
    "verwijst_naar:A12; partner_van:A03; partner_van:A04"   (as the loader writes it)

Types are the ``relatie`` codes or labels of ``data/vocabulary.csv``.

Every module that reads this column uses :func:`parse_relation_text`: the asset
loader (:mod:`abcd_map.load.assets`), the relation table and network
(:mod:`abcd_map.relations`) and the privacy filter (:mod:`abcd_map.privacy`,
which drops items that point at hidden assets). It lives in this small module,
which imports only :mod:`abcd_map.schema`, so that the loader and privacy can use
it without importing :mod:`abcd_map.relations` (which itself imports privacy).
"""

from __future__ import annotations

import re
from typing import Iterable, NamedTuple

from . import schema


class RelationItem(NamedTuple):
    """One item of a ``relaties`` cell."""

    #: Type as typed ('verwijst naar'); '' when the item has no 'type:' part.
    kind: str
    #: Vocabulary code of the type ('verwijst_naar'); '' when empty or unknown.
    code: str
    #: Target ids as typed, in order, without empty ones (may be empty).
    targets: tuple[str, ...]
    #: The whole item, stripped ('partner van: A03, A04').
    text: str


def parse_relation_text(text: object) -> list[RelationItem]:
    """Split a ``relaties`` cell into its items.

    Parameters
    ----------
    text
        The cell: ``"verwijst naar:A12; partner van:A03, A04"``; None or NaN is empty.

    Returns
    -------
    list of RelationItem
        One per non-empty item, in order. The type is everything before the
        first ``:``; an item without ``:`` has kind '' and its whole text as
        targets. Unknown types keep their text with code ''.

    Notes
    -----
    The loader (``load.assets._relations``) and :mod:`abcd_map.relations` read the
    column only through this function, and so does :mod:`abcd_map.privacy`
    (``drop_hidden_relations`` keeps ``item.text`` of the items whose ``targets``
    are all shown).

    Examples
    --------
    >>> [(i.code, i.targets) for i in parse_relation_text("verwijst naar:A12; partner van:A03, A04")]
    [('verwijst_naar', ('A12',)), ('partner_van', ('A03', 'A04'))]
    """
    if not isinstance(text, str):
        return []
    items = []
    for part in re.split(r"[;\n]", text):
        part = part.strip()
        if not part:
            continue
        kind, sep, targets = part.partition(":")
        if not sep:
            kind, targets = "", part
        kind = kind.strip()
        code = (schema.parse_value("relatie", kind) or "") if kind else ""
        ids = tuple(t.strip() for t in targets.split(",") if t.strip())
        items.append(RelationItem(kind, code, ids, part))
    return items


def format_relation_text(pairs: Iterable[tuple[str, str]]) -> str:
    """The loader's form of a cell: ``"verwijst_naar:A12; partner_van:A03"``.

    Parameters
    ----------
    pairs
        (relation code, target id) pairs, in order.
    """
    return "; ".join(f"{code}:{target}" for code, target in pairs)
