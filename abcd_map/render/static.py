"""Static overview maps (PNG and PDF) for print and slides, with matplotlib.

Buurten are coloured by coverage with the same classes as the HTML map, asset
points by ABCD category; a title, legend, source line and a 'FICTIEF' mark when
the data are made up. Image metadata hold only the title (no personal data).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, Mapping

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .. import schema, settings  # noqa: E402
from ..export import write_atomic  # noqa: E402
from ._style import (COVERAGE_CLASSES, NODATA_COLOUR, NODATA_LABEL, class_colour, default_metric,  # noqa: E402
                     has_no_data, metric_label, shown_by_default)

_EDGE = "#4d4d4d"
_NODATA_EDGE = "#8c8c8c"
_INK = "#1a1a1a"


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
) -> list[Path]:
    """Draw one overview map (whole area, or one wijk) to PNG and/or PDF.

    Parameters
    ----------
    buurten, wijken, assets
        Tables in EPSG:28992 as for :func:`abcd_map.render.map.render_map`.
    wijkcode
        Only this wijk (its buurten, and assets inside them); default everything.
    path_png, path_pdf
        Where to write; at least one. Written atomically.
    metric
        Coverage column to colour by; default the first coverage column
        (:func:`abcd_map.metrics.coverage_columns`).
    meta
        title, bronnen, fictief, datum (as for the HTML map).

    Returns
    -------
    list of Path
        The files written.
    """
    if path_png is None and path_pdf is None:
        raise ValueError("geef path_png en/of path_pdf")
    meta = dict(meta or {})
    b, w, title = _select(buurten, wijken, wijkcode, str(meta.get("title") or "ABCD-kaart"))
    if metric is None:
        metric = default_metric(b.columns)

    fig, ax = plt.subplots(figsize=(11.69, 8.27), dpi=150)  # A4 landscape
    ax.set_axis_off()
    ax.set_aspect("equal")
    handles, legend_title = _draw_buurten(ax, b, metric)
    if w is not None and len(w):
        w.boundary.plot(ax=ax, color=_INK, linewidth=1.6)
    if wijkcode is not None:
        _draw_buurt_names(ax, b)
    handles += _draw_assets(ax, assets, b)
    _decorate(fig, ax, title, handles, legend_title, meta)
    written = _save(fig, title, png=path_png, pdf=path_pdf)
    plt.close(fig)
    return written


def _select(buurten: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame | None, wijkcode: str | None,
            title: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None, str]:
    """Buurten with geometry and wijken in ``settings.crs``, only ``wijkcode``'s when given; the title."""
    b = buurten[buurten.geometry.notna() & ~buurten.geometry.is_empty].to_crs(settings.crs)
    w = wijken.to_crs(settings.crs) if wijken is not None and len(wijken) else None
    if wijkcode is None:
        return b, w, title
    b = b[b["wijkcode"] == wijkcode]
    if w is not None:
        w = w[w["wijkcode"] == wijkcode]
        if len(w) and "wijknaam" in w.columns:
            title = f"{title} — {w.iloc[0]['wijknaam']}"
    return b, w, title


def _draw_buurten(ax: Any, b: gpd.GeoDataFrame, metric: str | None) -> tuple[list[Any], str | None]:
    """Buurten coloured by ``metric`` in the map's classes (hatched without data); legend entries and title."""
    if not len(b):
        return [], None
    if not (metric and metric in b.columns):
        b.plot(ax=ax, color="#f4f4f4", edgecolor=_EDGE, linewidth=0.5)
        return [], None
    values = b[metric].astype(float)
    nodata = values.isna()
    if "gegevens" in b.columns:
        nodata |= has_no_data(b["gegevens"])
    colours = values.map(class_colour)
    b[~nodata].plot(ax=ax, color=colours[~nodata].tolist(), edgecolor=_EDGE, linewidth=0.5)
    if nodata.any():
        b[nodata].plot(ax=ax, color=NODATA_COLOUR, edgecolor=_NODATA_EDGE, hatch="///", linewidth=0.5)
    handles = [Patch(facecolor=c["colour"], edgecolor=_EDGE, label=c["label"]) for c in COVERAGE_CLASSES]
    handles.append(Patch(facecolor=NODATA_COLOUR, edgecolor=_NODATA_EDGE, hatch="///", label=NODATA_LABEL))
    return handles, metric_label(metric)["label"]


def _draw_buurt_names(ax: Any, b: gpd.GeoDataFrame) -> None:
    """Buurt names, so a printed handout can be discussed buurt by buurt."""
    if not len(b) or "buurtnaam" not in b.columns:
        return
    for point, name in zip(b.geometry.representative_point(), b["buurtnaam"].astype(str)):
        ax.annotate(name, (point.x, point.y), ha="center", va="center", fontsize=9, color=_INK,
                    zorder=6, bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.5})


def _draw_assets(ax: Any, assets: gpd.GeoDataFrame | None, b: gpd.GeoDataFrame) -> list[Any]:
    """Assets shown by default (within the buurten drawn) as dots per ABCD category; legend entries."""
    if assets is None or not len(assets):
        return []
    a = assets[assets.geometry.notna()].to_crs(settings.crs)
    if "standaard_zichtbaar" in a.columns:
        a = a[shown_by_default(a["standaard_zichtbaar"])]
    if len(b):
        a = a[a.geometry.within(b.union_all().buffer(1))]
    if "categorie" not in a.columns:
        return []
    handles = []
    for cat in schema.codes("categorie"):
        sub = a[a["categorie"] == cat]
        if len(sub):
            colour = schema.colour("categorie", cat)
            sub.plot(ax=ax, color=colour, markersize=70, edgecolor="white", linewidth=0.9, zorder=5)
            handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=colour,
                                  markeredgecolor="white", markersize=8,
                                  label=f"{schema.label('categorie', cat)} ({len(sub)})"))
    return handles


def _decorate(fig: Any, ax: Any, title: str, handles: list[Any], legend_title: str | None,
              meta: Mapping[str, Any]) -> None:
    """Title, legend, source line and the FICTIEF mark."""
    ax.set_title(title, fontsize=16, loc="left", fontweight="bold")
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 0.9), frameon=False, fontsize=10,
                  title=legend_title, title_fontsize=10, alignment="left")
    sources = "; ".join(str(s) for s in (meta.get("bronnen") or []))
    foot = " · ".join(x for x in [f"Bronnen: {sources}" if sources else "", str(meta.get("datum") or "")] if x)
    fig.text(0.01, 0.01, foot, fontsize=8, color="#444444")
    if meta.get("fictief"):
        fig.text(0.99, 0.97, "FICTIEF", fontsize=20, color="white", ha="right", va="top", fontweight="bold",
                 bbox={"facecolor": "#b2182b", "edgecolor": "none", "boxstyle": "round,pad=0.3"})
    fig.tight_layout(rect=(0, 0.03, 1, 1))


def _save(fig: Any, title: str, **paths: str | os.PathLike | None) -> list[Path]:
    """Write the figure once per format given (``png=``, ``pdf=``), atomically; metadata only the title."""
    written = []
    for fmt, path in paths.items():
        if path is None:
            continue
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, metadata={"Title": title}, bbox_inches="tight", pad_inches=0.2)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, buf.getvalue())
        written.append(path)
    return written
