"""Names of the figures: the one place that turns a metric into a column name and back.

Coverage figures are columns of the buurt and wijk tables:

``[<prefix>_]dekking_<d>m``
    share of residents (percent) within ``d`` metres of the selection;
``inwoners_binnen_<d>m`` / ``<prefix>_binnen_<d>m``
    the residents within reach (the count behind the share);
``oppervlak_binnen_<d>m_ha``
    the area within reach, when a buurt has no residents to count.

The prefix says which selection a figure is about: none for the welcoming places
(ontmoetingsplekken), an ABCD category code (``cultuur``), a lens (``senioren``) or
an opening time (``open_zondag_middag``). A :class:`CoverageSpec` describes one such
analysis as data; every module that writes or reads these columns uses the
functions below instead of formatting or parsing names itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: What a coverage spec is about.
KIND_WELCOMING = "ontmoetingsplekken"
KIND_CATEGORY = "categorie"
KIND_LENS = "lens"
KIND_OPEN = "open"

_COVERAGE = re.compile(r"^(?:(?P<prefix>[a-z0-9_]+?)_)?dekking_(?P<dist>[0-9]+(?:\.[0-9]+)?)m$")
_WITHIN = re.compile(r"^(?:(?P<prefix>[a-z0-9_]+?)_)?binnen_(?P<dist>[0-9]+(?:\.[0-9]+)?)m$")


def distance_text(distance: float) -> str:
    """A walking distance as it appears in names and labels: ``500.0`` -> ``'500'``."""
    return f"{float(distance):g}"


def coverage_column(distance: float, prefix: str = "") -> str:
    """``dekking_500m``, or ``cultuur_dekking_500m`` with a prefix."""
    return f"{prefix + '_' if prefix else ''}dekking_{distance_text(distance)}m"


def within_column(distance: float, prefix: str = "") -> str:
    """Residents within reach: ``inwoners_binnen_500m`` or ``<prefix>_binnen_500m``."""
    return f"{prefix}_binnen_{distance_text(distance)}m" if prefix else f"inwoners_binnen_{distance_text(distance)}m"


def residents_column(prefix: str = "") -> str:
    """Residents a share is taken of: ``inwoners``, or for a lens ``<lens>_inwoners``."""
    return f"{prefix}_inwoners" if prefix else "inwoners"


#: Area (ha) a share is taken of when a table has no residents at all.
AREA_TOTAL_COLUMN = "oppervlak_ha"


def area_within_column(distance: float) -> str:
    """Area within reach (ha) for buurten without residents: ``oppervlak_binnen_500m_ha``."""
    return f"oppervlak_binnen_{distance_text(distance)}m_ha"


#: Residents a buurt's or wijk's figures rest on: those estimated to live inside the data.
RESIDENTS_WITH_DATA_COLUMN = "inwoners_met_gegevens"
#: Share (percent) of a buurt's or wijk's residents estimated to live inside the data.
DATA_SHARE_COLUMN = "gegevens_pct"
#: Number of the team's own assets (persons not counted) in a buurt: known everywhere,
#: also where OpenStreetMap has no data.
OWN_LIST_COUNT_COLUMN = "aantal_eigen_lijst"

#: Columns that count people or things: written as whole numbers (empty when unknown).
COUNT_COLUMNS = ("inwoners", "huishoudens", "personen_aantal", "rang", "inwoners_met_gegevens", "kleine_plekken")


def is_count_column(column: object) -> bool:
    """True for counts (``inwoners``, ``aantal_*``, ``personen_aantal`` ...), written without decimals."""
    name = str(column)
    return name in COUNT_COLUMNS or name.startswith("aantal_")


_DIFFERENCE = re.compile(r"^verschil_cbs_(?P<code>[a-z_]+)_km$")


def difference_column(facility: str) -> str:
    """Our distance minus CBS's to the nearest ``facility`` (km): ``verschil_cbs_huisarts_km``."""
    return f"verschil_cbs_{facility}_km"


def parse_difference_column(column: object) -> str | None:
    """``'verschil_cbs_huisarts_km'`` -> ``'huisarts'``; None for other columns."""
    match = _DIFFERENCE.match(str(column))
    return match.group("code") if match else None


def map_metric_columns(columns: Iterable[object]) -> list[str]:
    """The columns the map can colour buurten by: coverage shares, then differences with CBS."""
    cols = [str(c) for c in columns]
    return coverage_columns(cols) + [c for c in cols if parse_difference_column(c)]


def parse_coverage_column(column: object) -> tuple[str, float] | None:
    """``'senioren_dekking_300m'`` -> ``('senioren', 300.0)``; None for other columns."""
    match = _COVERAGE.match(str(column))
    if not match:
        return None
    return match.group("prefix") or "", float(match.group("dist"))


def parse_within_column(column: object) -> tuple[str, float] | None:
    """``'senioren_binnen_300m'`` -> ``('senioren', 300.0)``, ``'inwoners_binnen_500m'`` -> ``('', 500.0)``.

    None for other columns (also for a bare ``binnen_<d>m`` and ``oppervlak_binnen_<d>m_ha``).
    """
    match = _WITHIN.match(str(column))
    if not match or not match.group("prefix"):
        return None
    prefix = match.group("prefix")
    return ("" if prefix == "inwoners" else prefix), float(match.group("dist"))


def with_prefix(column: object, prefix: str) -> str | None:
    """The name of an unprefixed figure for a selection ``prefix``; None for any other column.

    ``dekking_500m`` -> ``<prefix>_dekking_500m`` and ``inwoners_binnen_500m`` ->
    ``<prefix>_binnen_500m``; columns that already have a prefix, area figures
    (``oppervlak_binnen_500m_ha``) and everything else give None.
    """
    for parse, name in ((parse_coverage_column, coverage_column), (parse_within_column, within_column)):
        parsed = parse(column)
        if parsed is not None and not parsed[0]:
            return name(parsed[1], prefix)
    return None


def is_coverage_column(column: object) -> bool:
    """True for ``[<prefix>_]dekking_<d>m``."""
    return parse_coverage_column(column) is not None


def is_within_column(column: object) -> bool:
    """True for the counts behind a share: ``inwoners_binnen_<d>m``, ``<prefix>_binnen_<d>m``."""
    return bool(_WITHIN.match(str(column))) or str(column).startswith("oppervlak_binnen_")


def coverage_columns(columns: Iterable[object]) -> list[str]:
    """The coverage columns among ``columns``, in their order."""
    return [str(c) for c in columns if is_coverage_column(c)]


def open_prefix(day: str, part_of_day: str | None = None) -> str:
    """Prefix of coverage of places open at a time: ``open_zondag`` or ``open_zondag_middag``."""
    return "_".join(["open", _key(day)] + ([_key(part_of_day)] if part_of_day else []))


def parse_open_prefix(prefix: object) -> tuple[str, str | None] | None:
    """``'open_zondag_middag'`` -> ``('zondag', 'middag')``; ``'open_zondag'`` -> ``('zondag', None)``.

    The inverse of :func:`open_prefix`; None for a prefix that is not about an opening time.
    """
    text = str(prefix)
    if not text.startswith("open_"):
        return None
    day, _, part = text[len("open_"):].partition("_")
    return day, part or None


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).strip().lower()).strip("_")


@dataclass(frozen=True)
class CoverageSpec:
    """One coverage analysis described as data: which assets, at which distances, under which name.

    Parameters
    ----------
    prefix
        Column prefix ("" for the welcoming places).
    kind
        One of ``KIND_WELCOMING``, ``KIND_CATEGORY``, ``KIND_LENS``, ``KIND_OPEN``.
    distances
        Walking distances (m).
    selection
        Column -> value(s) that select the assets (e.g. ``{"categorie": "cultuur"}``).
    lens
        Lens code for ``KIND_LENS`` (residents weighted by the lens' age groups).
    day, part_of_day
        For ``KIND_OPEN``: the weekday (``zondag`` or 0-6) and optional part of the
        day (``middag``) at which the selected places must be open.
    """

    prefix: str
    kind: str
    distances: tuple[float, ...]
    selection: Mapping[str, object] = field(default_factory=dict)
    lens: str | None = None
    day: str | int | None = None
    part_of_day: str | None = None

    def column(self, distance: float) -> str:
        """The coverage column of this spec at ``distance``."""
        return coverage_column(distance, self.prefix)

    def columns(self) -> list[str]:
        """The coverage columns of this spec, one per distance."""
        return [self.column(d) for d in self.distances]


def main_distance(distances: Iterable[float] | None) -> float | None:
    """The main walking distance of a run: the middle one of its distances (None when there are none).

    Examples
    --------
    >>> main_distance([300, 500, 800])
    500.0
    >>> main_distance([]) is None
    True
    """
    known = [float(d) for d in (distances or []) if d is not None]
    return known[len(known) // 2] if known else None
