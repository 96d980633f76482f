"""Static overview maps (PNG and PDF) for print and slides, with matplotlib.

Every sheet has the same size (:data:`FIGURE_SIZE` at :data:`FIGURE_DPI`: 1600 x 1000
pixels), so overviews of different wijken line up in a slide deck. A sheet shows the
buurten coloured by coverage with the same classes as the HTML map, white spots and
knowledge gaps, a light street background (when the walking network is given), asset
points by ABCD category with a white edge (visible on every class), numbered buurten
with their names in the side legend, a metric scale bar, a title, a source line, a
'FICTIEF' mark for made-up data and "TEAM — niet delen" in team mode. Image metadata
hold only the title (no personal data).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import matplotlib
import numpy as np
import shapely

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from .. import schema, settings  # noqa: E402
from ..export import write_atomic  # noqa: E402
from ..publication import TEAM_MARK  # noqa: E402
from ._style import (COVERAGE_CLASSES, NODATA_COLOUR, NODATA_LABEL, class_colour, default_metric,  # noqa: E402
                     has_no_data, metric_label, shown_by_default)

#: Size of every sheet in inches, and its resolution: 1600 x 1000 pixels, the same for every wijk.
FIGURE_SIZE = (16.0, 10.0)
FIGURE_DPI = 100
#: Where the map sits on the sheet (left, bottom, width, height as fractions); the legend is right of it.
MAP_BOX = (0.012, 0.06, 0.66, 0.84)
LEGEND_BOX = (0.685, 0.06, 0.305, 0.84)
#: Round lengths a scale bar may have (metres).
SCALE_LENGTHS = (50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000)
#: How the gap layers look on a sheet (as on the HTML map): fill, edge, line style, Dutch label.
GAP_STYLES = {
    "witte_vlekken": {"facecolor": "white", "alpha": 0.75, "edgecolor": "#b2182b", "linestyle": "--",
                      "label": "Witte vlek: niets binnen loopafstand"},
    # dotted, not filled: a whole buurt can be a knowledge gap, and its coverage colour must stay readable
    "kennisgaten": {"facecolor": "none", "hatch": "..", "edgecolor": "#542788", "linestyle": ":",
                    "label": "Kennisgat: hier weten we (nog) niets"},
}

_EDGE = "#4d4d4d"
_NODATA_EDGE = "#8c8c8c"
_INK = "#1a1a1a"
_CONTEXT = "#eeeeee"
_STREET = "#4d4d4d"
_MARK_RED = "#b2182b"


def static_overview(
    buurten: gpd.GeoDataFrame,
    wijken: gpd.GeoDataFrame | None,
    assets: gpd.GeoDataFrame | None,
    wijkcode: str | None = None,
    path_png: str | os.PathLike | None = None,
    path_pdf: str | os.PathLike | None = None,
    *,
    metric: str | None = None,
    meta: Mapping[str, Any] | None = None,
    gaps: Mapping[str, gpd.GeoDataFrame] | None = None,
    streets: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
) -> list[Path]:
    """Draw one overview sheet (whole area, or one wijk) to PNG and/or PDF.

    Parameters
    ----------
    buurten, wijken, assets
        Tables in EPSG:28992 as for :func:`abcd_map.render.map.render_map`.
    wijkcode
        Only this wijk (its buurten numbered, and assets inside them; the other buurten
        in grey around it); default everything.
    path_png, path_pdf
        Where to write; at least one. Written atomically.
    metric
        Coverage column to colour by; default the first coverage column
        (:func:`abcd_map.metrics.coverage_columns`).
    meta
        title, bronnen, fictief, datum, modus (``"team"`` puts "TEAM — niet delen" on the sheet).
    gaps
        Gap layers by name; ``witte_vlekken`` and ``kennisgaten`` are drawn, clipped to the
        buurten shown.
    streets
        Lines of the walking network (see :func:`abcd_map.render.streets.street_lines`), drawn lightly under the
        assets; skipped when None.

    Returns
    -------
    list of Path
        The files written.
    """
    if path_png is None and path_pdf is None:
        raise ValueError("geef path_png en/of path_pdf")
    meta = dict(meta or {})
    all_buurten = _drawable(buurten)
    b, w, title = _select(all_buurten, wijken, wijkcode, str(meta.get("title") or "ABCD-kaart"))
    if metric is None:
        metric = default_metric(b.columns)
    fig = plt.figure(figsize=FIGURE_SIZE, dpi=FIGURE_DPI)
    ax = fig.add_axes(MAP_BOX)
    ax.set_axis_off()
    view = _set_view(ax, b if len(b) else all_buurten)
    if wijkcode is not None:
        _draw_context(ax, all_buurten[all_buurten["wijkcode"] != wijkcode], view)
    handles, legend_title = _draw_buurten(ax, b, metric)
    _draw_streets(ax, streets, view)
    handles += _draw_gaps(ax, gaps, b)
    if w is not None and len(w):
        w.boundary.plot(ax=ax, color=_INK, linewidth=1.8, zorder=5)
    handles += _draw_assets(ax, assets, b)
    names = _draw_buurt_numbers(ax, b) if wijkcode is not None else []
    _draw_scale_bar(ax, view)
    _legend(fig, handles, legend_title, names)
    _header(fig, title, meta, metric)
    written = _save(fig, title, png=path_png, pdf=path_pdf)
    plt.close(fig)
    return written


# --------------------------------------------------------------------------- what is drawn
def _drawable(gdf: gpd.GeoDataFrame | gpd.GeoSeries | None) -> Any:
    """Rows with a geometry in ``settings.crs`` (a table without CRS is taken to be in it); None stays None."""
    if gdf is None or not len(gdf):
        return gdf
    geom = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    out = gdf[(geom.notna() & ~geom.is_empty).to_numpy()]
    if out.crs is None:
        out = out.set_crs(settings.crs)
    return out.to_crs(settings.crs)


def _select(buurten: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame | None, wijkcode: str | None,
            title: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, str]:
    """Buurten and wijken in ``settings.crs``, only ``wijkcode``'s when given; the title."""
    w = _drawable(wijken) if wijken is not None and len(wijken) else None
    if wijkcode is None:
        return buurten, w, title
    b = buurten[buurten["wijkcode"] == wijkcode]
    if w is not None:
        w = w[w["wijkcode"] == wijkcode]
        if len(w) and "wijknaam" in w.columns:
            title = f"{title} — {w.iloc[0]['wijknaam']}"
    return b, w, title


def _set_view(ax: Any, areas: gpd.GeoDataFrame) -> Any:
    """Fit ``areas`` in the map box with a small margin, at equal scale; returns the view as a box."""
    box_w = MAP_BOX[2] * FIGURE_SIZE[0]
    box_h = MAP_BOX[3] * FIGURE_SIZE[1]
    if areas is None or not len(areas):
        x0, y0, x1, y1 = 0.0, 0.0, 1000.0, 1000.0
    else:
        x0, y0, x1, y1 = areas.total_bounds
    pad = 0.04 * max(x1 - x0, y1 - y0, 100.0)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    width, height = x1 - x0, y1 - y0
    if width / height < box_w / box_h:  # too tall: widen
        grow = (height * box_w / box_h - width) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = (width * box_h / box_w - height) / 2
        y0, y1 = y0 - grow, y1 + grow
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="datalim")
    return shapely.box(x0, y0, x1, y1)


def _draw_context(ax: Any, others: gpd.GeoDataFrame, view: Any) -> None:
    """The buurten around the wijk, in grey, for orientation."""
    others = others[others.geometry.intersects(view)] if len(others) else others
    if len(others):
        others.plot(ax=ax, color=_CONTEXT, edgecolor="white", linewidth=0.8, zorder=1)


def _draw_buurten(ax: Any, b: gpd.GeoDataFrame, metric: str | None) -> tuple[list[Any], str | None]:
    """Buurten coloured by ``metric`` in the map's classes (hatched without data); legend entries and title."""
    if not len(b):
        return [], None
    if not (metric and metric in b.columns):
        b.plot(ax=ax, color="#f4f4f4", edgecolor=_EDGE, linewidth=0.5, zorder=2)
        return [], None
    values = b[metric].astype(float)
    nodata = values.isna()
    if "gegevens" in b.columns:
        nodata |= has_no_data(b["gegevens"])
    colours = values.map(class_colour)
    if (~nodata).any():
        b[~nodata].plot(ax=ax, color=colours[~nodata].tolist(), edgecolor=_EDGE, linewidth=0.5, zorder=2)
    if nodata.any():
        b[nodata].plot(ax=ax, color=NODATA_COLOUR, edgecolor=_NODATA_EDGE, hatch="///", linewidth=0.5, zorder=2)
    handles = [Patch(facecolor=c["colour"], edgecolor=_EDGE, label=c["label"]) for c in COVERAGE_CLASSES]
    handles.append(Patch(facecolor=NODATA_COLOUR, edgecolor=_NODATA_EDGE, hatch="///", label=NODATA_LABEL))
    return handles, metric_label(metric)["label"]


def _draw_streets(ax: Any, streets: gpd.GeoSeries | gpd.GeoDataFrame | None, view: Any) -> None:
    """A light street background (only the part in view); nothing without streets."""
    streets = _drawable(streets)
    if streets is None or not len(streets):
        return
    geoms = streets.geometry.values
    geoms = geoms[shapely.intersects(geoms, view)]
    if len(geoms):
        gpd.GeoSeries(geoms, crs=settings.crs).plot(ax=ax, color=_STREET, linewidth=0.45, alpha=0.35, zorder=3)


def _draw_gaps(ax: Any, gaps: Mapping[str, gpd.GeoDataFrame] | None, b: gpd.GeoDataFrame) -> list[Any]:
    """White spots and knowledge gaps inside the buurten shown; legend entries for those drawn."""
    if not gaps or not len(b):
        return []
    inside = b.union_all()
    handles = []
    for name, style in GAP_STYLES.items():
        layer = _drawable(gaps.get(name))
        if layer is None or not len(layer):
            continue
        geoms = layer.geometry.values
        geoms = shapely.intersection(geoms[shapely.intersects(geoms, inside)], inside)
        geoms = geoms[~shapely.is_empty(geoms) & np.isin(shapely.get_type_id(geoms), (3, 6, 7))]
        if not len(geoms):
            continue
        kw = {k: v for k, v in style.items() if k != "label"}
        gpd.GeoSeries(geoms, crs=settings.crs).plot(ax=ax, linewidth=1.3, zorder=4, **kw)
        handles.append(Patch(label=style["label"], **kw))
    return handles


def _draw_assets(ax: Any, assets: gpd.GeoDataFrame | None, b: gpd.GeoDataFrame) -> list[Any]:
    """Assets shown by default (within the buurten drawn) as dots per ABCD category; legend entries.

    Every dot has a white edge in a dark ring, so it stands out on the darkest and the
    lightest coverage class alike.
    """
    a = _drawable(assets)
    if a is None or not len(a) or "categorie" not in a.columns:
        return []
    if "standaard_zichtbaar" in a.columns:
        a = a[shown_by_default(a["standaard_zichtbaar"])]
    if len(b):
        a = a[a.geometry.within(b.union_all().buffer(1))]
    handles = []
    for cat in schema.codes("categorie"):
        sub = a[a["categorie"] == cat]
        if len(sub):
            colour = schema.colour("categorie", cat)
            sub.plot(ax=ax, color=_INK, markersize=150, linewidth=0, zorder=6)
            sub.plot(ax=ax, color=colour, markersize=80, edgecolor="white", linewidth=1.6, zorder=7)
            handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=colour,
                                  markeredgecolor="white", markeredgewidth=1.4, markersize=10,
                                  label=f"{schema.label('categorie', cat)} ({len(sub)})"))
    return handles


# --------------------------------------------------------------------------- labels and scale
def _label_points(b: gpd.GeoDataFrame, min_gap: float) -> list[tuple[float, float]]:
    """A point inside each buurt for its number, nudged so that no two are closer than ``min_gap``.

    Starts at the representative point; a point too close to one already placed moves to the
    first of a ring of candidates around it that is free and still inside the buurt.
    """
    placed: list[tuple[float, float]] = []
    angles = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    for geom in b.geometry:
        p = geom.representative_point()
        best = (p.x, p.y)
        if _too_close(best, placed, min_gap):
            for r in (min_gap, 1.6 * min_gap, 2.4 * min_gap):
                free = [(p.x + r * np.cos(a), p.y + r * np.sin(a)) for a in angles]
                free = [c for c in free if not _too_close(c, placed, min_gap)
                        and geom.contains(shapely.Point(c))]
                if free:
                    best = free[0]
                    break
        placed.append(best)
    return placed


def _too_close(point: tuple[float, float], placed: list[tuple[float, float]], gap: float) -> bool:
    return any((point[0] - x) ** 2 + (point[1] - y) ** 2 < gap * gap for x, y in placed)


def _draw_buurt_numbers(ax: Any, b: gpd.GeoDataFrame) -> list[str]:
    """Number the buurten (alphabetically) in white circles; returns "1  Naam" lines for the legend.

    Numbers instead of names keep labels from overlapping however small a buurt is; the
    names are listed next to the map.
    """
    if not len(b) or "buurtnaam" not in b.columns:
        return []
    b = b.assign(_name=b["buurtnaam"].astype(str)).sort_values("_name", key=lambda s: s.str.lower())
    x0, x1 = ax.get_xlim()
    points = _label_points(b, min_gap=0.035 * (x1 - x0))
    lines = []
    for i, ((x, y), name) in enumerate(zip(points, b["_name"]), start=1):
        ax.annotate(str(i), (x, y), ha="center", va="center", fontsize=11, fontweight="bold", color=_INK,
                    zorder=9, bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": _INK,
                                    "linewidth": 0.8, "alpha": 0.9})
        lines.append(f"{i}  {name}")
    return lines


def scale_length(width_m: float) -> int:
    """A round scale-bar length (m) of at most a fifth of ``width_m``, from :data:`SCALE_LENGTHS`."""
    fits = [n for n in SCALE_LENGTHS if n <= width_m / 5]
    return fits[-1] if fits else SCALE_LENGTHS[0]


def _draw_scale_bar(ax: Any, view: Any) -> None:
    """A metric scale bar (two halves, black and white) in the lower left corner of the map."""
    x0, y0, x1, y1 = view.bounds
    length = scale_length(x1 - x0)
    h = 0.012 * (y1 - y0)
    x, y = x0 + 0.03 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    ax.add_patch(Rectangle((x - 0.01 * (x1 - x0), y - 1.2 * h), length + 0.02 * (x1 - x0), 5.5 * h,
                           facecolor="white", edgecolor="none", alpha=0.8, zorder=10))
    for i, colour in enumerate((_INK, "white")):
        ax.add_patch(Rectangle((x + i * length / 2, y), length / 2, h, facecolor=colour, edgecolor=_INK,
                               linewidth=0.8, zorder=11))
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length} m"
    ax.text(x, y + 1.6 * h, "0", fontsize=10, ha="center", va="bottom", color=_INK, zorder=11)
    ax.text(x + length, y + 1.6 * h, text, fontsize=10, ha="center", va="bottom", color=_INK, zorder=11)


# --------------------------------------------------------------------------- legend, header, files
def _legend(fig: Any, handles: list[Any], title: str | None, names: list[str]) -> None:
    """The legend (classes, gaps, categories) at the top of the side panel; the buurt names below it."""
    side = fig.add_axes(LEGEND_BOX)
    side.set_axis_off()
    if handles:
        leg = side.legend(handles=handles, loc="upper left", frameon=False, fontsize=11, title=title,
                          title_fontsize=12, alignment="left", borderaxespad=0)
        side.add_artist(leg)
    if names:
        blank = [Line2D([], [], linestyle="", marker="") for _ in names]
        side.legend(blank, names, loc="lower left", frameon=False, fontsize=10 if len(names) <= 16 else 8,
                    title="Buurten", title_fontsize=12, alignment="left", borderaxespad=0,
                    ncol=1 if len(names) <= 14 else 2, handlelength=0, handletextpad=0)


def _header(fig: Any, title: str, meta: Mapping[str, Any], metric: str | None) -> None:
    """Title and subtitle, the FICTIEF and TEAM marks top right, sources and date at the foot."""
    team = str(meta.get("modus") or "") == "team"
    if team:  # the mark has its own red box; the title need not start with it too
        title = title.removeprefix(TEAM_MARK).lstrip(" ·")
    fig.text(0.012, 0.955, title, fontsize=20, fontweight="bold", color=_INK, va="center")
    fig.text(0.012, 0.915, _subtitle(meta, metric), fontsize=12, color="#444444", va="center")
    _marks(fig, [text for text, on in ((TEAM_MARK, team), ("FICTIEF", meta.get("fictief"))) if on])
    sources = "; ".join(str(s) for s in (meta.get("bronnen") or []))
    foot = [TEAM_MARK if team else "", f"Bronnen: {sources}" if sources else "", str(meta.get("datum") or "")]
    fig.text(0.012, 0.02, " · ".join(x for x in foot if x), fontsize=9, color="#444444", va="bottom")


def _subtitle(meta: Mapping[str, Any], metric: str | None) -> str:
    """Area, what the colours show, and the walking distance."""
    parts = [str(meta.get("gebied") or ""), metric_label(metric)["label"] if metric else "",
             f"loopafstand {_distance_text(meta.get('afstand'))}" if meta.get("afstand") else ""]
    return " · ".join(p for p in parts if p)


def _distance_text(value: Any) -> str:
    """A walking distance as the sheet shows it: ``500`` -> ``'500 m'``; a text stays as it is."""
    return f"{value:g} m" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _marks(fig: Any, texts: list[str]) -> None:
    """White-on-red marks in the top right corner, the first one rightmost."""
    x = 0.988
    renderer = fig.canvas.get_renderer()
    for text in texts:
        t = fig.text(x, 0.955, text, fontsize=18, color="white", ha="right", va="center", fontweight="bold",
                     bbox={"facecolor": _MARK_RED, "edgecolor": "none", "boxstyle": "round,pad=0.35"})
        x = t.get_window_extent(renderer).transformed(fig.transFigure.inverted()).x0 - 0.025


def _save(fig: Any, title: str, **paths: str | os.PathLike | None) -> list[Path]:
    """Write the figure once per format given (``png=``, ``pdf=``), atomically, always at the same size.

    No ``bbox_inches="tight"``: that would make the size depend on the content. PDF text is
    embedded as TrueType, so the marks can be found (and read aloud) in the PDF. Metadata:
    only the title.
    """
    written = []
    for fmt, path in paths.items():
        if path is None:
            continue
        buf = io.BytesIO()
        with plt.rc_context({"pdf.fonttype": 42}):
            fig.savefig(buf, format=fmt, dpi=FIGURE_DPI, metadata={"Title": title})
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, buf.getvalue())
        written.append(path)
    return written
