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
from .map import COVERAGE_CLASSES, NODATA_COLOUR, metric_label  # noqa: E402


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
        Coverage column to colour by; default the first ``dekking_*`` column.
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
    b = buurten[buurten.geometry.notna() & ~buurten.geometry.is_empty].to_crs(settings.crs)
    w = wijken.to_crs(settings.crs) if wijken is not None and len(wijken) else None
    title = str(meta.get("title") or "ABCD-kaart")
    if wijkcode is not None:
        b = b[b["wijkcode"] == wijkcode]
        if w is not None:
            w = w[w["wijkcode"] == wijkcode]
            if len(w) and "wijknaam" in w.columns:
                title = f"{title} — {w.iloc[0]['wijknaam']}"
    if metric is None:
        metric = next((c for c in b.columns if "dekking" in c), None)

    fig, ax = plt.subplots(figsize=(11.69, 8.27), dpi=150)  # A4 landscape
    ax.set_axis_off()
    ax.set_aspect("equal")
    handles: list[Any] = []
    legend_title = None
    if len(b):
        if metric and metric in b.columns:
            values = b[metric].astype(float)
            nodata = values.isna()
            if "gegevens" in b.columns:
                nodata |= b["gegevens"].astype(str).str.lower().str.startswith("geen")
            colours = values.map(_class_colour)
            b[~nodata].plot(ax=ax, color=colours[~nodata].tolist(), edgecolor="#4d4d4d", linewidth=0.5)
            if nodata.any():
                b[nodata].plot(ax=ax, color=NODATA_COLOUR, edgecolor="#8c8c8c", hatch="///", linewidth=0.5)
            legend_title = metric_label(metric)["label"]
            handles += [Patch(facecolor=c["colour"], edgecolor="#4d4d4d", label=c["label"]) for c in COVERAGE_CLASSES]
            handles.append(Patch(facecolor=NODATA_COLOUR, edgecolor="#8c8c8c", hatch="///", label="geen gegevens"))
        else:
            b.plot(ax=ax, color="#f4f4f4", edgecolor="#4d4d4d", linewidth=0.5)
    if w is not None and len(w):
        w.boundary.plot(ax=ax, color="#1a1a1a", linewidth=1.6)
    if wijkcode is not None and len(b) and "buurtnaam" in b.columns:
        # buurt names, so a printed handout can be discussed buurt by buurt
        for point, name in zip(b.geometry.representative_point(), b["buurtnaam"].astype(str)):
            ax.annotate(name, (point.x, point.y), ha="center", va="center", fontsize=9, color="#1a1a1a",
                        zorder=6, bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.5})
    if assets is not None and len(assets):
        a = assets[assets.geometry.notna()].to_crs(settings.crs)
        if "standaard_zichtbaar" in a.columns:
            a = a[a["standaard_zichtbaar"].astype(object).map(lambda v: schema.parse_bool(v) is not False)]
        if len(b):
            a = a[a.geometry.within(b.union_all().buffer(1))]
        for cat in schema.codes("categorie"):
            sub = a[a["categorie"] == cat] if "categorie" in a.columns else a.iloc[0:0]
            if len(sub):
                colour = schema.colour("categorie", cat)
                sub.plot(ax=ax, color=colour, markersize=70, edgecolor="white", linewidth=0.9, zorder=5)
                handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor=colour,
                                      markeredgecolor="white", markersize=8,
                                      label=f"{schema.label('categorie', cat)} ({len(sub)})"))
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
    written = []
    for path, fmt, md in ((path_png, "png", {"Title": title}), (path_pdf, "pdf", {"Title": title})):
        if path is None:
            continue
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, metadata=md, bbox_inches="tight", pad_inches=0.2)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, buf.getvalue())
        written.append(path)
    plt.close(fig)
    return written


def _class_colour(value: float) -> str:
    if value != value:  # NaN
        return NODATA_COLOUR
    for c in COVERAGE_CLASSES:
        if value <= c["max"]:
            return c["colour"]
    return COVERAGE_CLASSES[-1]["colour"]


