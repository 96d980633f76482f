"""Charts of the wijkprofiel, each drawn on a matplotlib Axes it is given (for PDF and HTML alike).

The map colours buurten by coverage in the classes of the HTML map and numbers them
(the numbers are explained in a table beside it, so names never overlap); white
spots, knowledge gaps and welcoming places on top; a metric scale bar, legend and
source line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import settings
from ._style import COVERAGE_CLASSES, NODATA_COLOUR, NODATA_LABEL, class_colour, has_no_data

_EDGE, _INK = "#4d4d4d", "#1a1a1a"
_SPOT, _GAP, _PLACE = "#b2182b", "#6a51a3", "#1b7837"


def nice_length(span: float) -> float:
    """A round scale-bar length (m) of about a fifth of ``span`` metres."""
    target = max(span / 5, 1.0)
    steps = [s * 10 ** e for e in range(0, 6) for s in (1, 2, 2.5, 5)]
    return max([s for s in steps if s <= target], default=1.0)


def scale_bar(ax: Any, bounds: Sequence[float]) -> None:
    """A metric scale bar in the lower left corner of a map in metres (EPSG:28992)."""
    x0, y0, x1, y1 = bounds
    length = nice_length(x1 - x0)
    x, y = x0 + (x1 - x0) * 0.03, y0 + (y1 - y0) * 0.04
    ax.plot([x, x + length], [y, y], color=_INK, linewidth=3, solid_capstyle="butt", zorder=8)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x + length / 2, y + (y1 - y0) * 0.015, label, ha="center", va="bottom", fontsize=7, zorder=8,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})


def draw_area_map(ax: Any, areas: gpd.GeoDataFrame, metric: str | None, *, outline: gpd.GeoDataFrame | None = None,
                  spots: gpd.GeoDataFrame | None = None, gaps: gpd.GeoDataFrame | None = None,
                  places: gpd.GeoDataFrame | None = None, numbers: Sequence[str] = (),
                  metric_title: str = "", source: str = "") -> None:
    """A map of ``areas`` coloured by ``metric`` with white spots, gaps, places, numbers and a scale bar."""
    inset(ax, 0.0, 0.0, 0.70, 1.0)
    ax.set_axis_off()
    areas = areas.to_crs(settings.crs)
    handles = _coloured_areas(ax, areas, metric)
    if outline is not None and len(outline):
        outline.to_crs(settings.crs).boundary.plot(ax=ax, color=_INK, linewidth=1.4, zorder=4)
    clip = areas.union_all() if len(areas) else None
    handles += _overlay(ax, spots, clip, dict(facecolor="none", edgecolor=_SPOT, hatch="xxx", linewidth=0.4),
                        Patch(facecolor="none", edgecolor=_SPOT, hatch="xxx", label="witte vlek"))
    handles += _overlay(ax, gaps, clip, dict(facecolor="none", edgecolor=_GAP, hatch="...", linewidth=0.8,
                                             linestyle="--"),
                        Patch(facecolor="none", edgecolor=_GAP, hatch="...", linestyle="--", label="kennisgat"))
    if places is not None and len(places):
        pts = places.to_crs(settings.crs)
        if clip is not None:
            pts = pts[pts.geometry.within(clip.buffer(1))]
        if len(pts):
            ax.scatter(pts.geometry.x, pts.geometry.y, marker="*", s=70, color=_PLACE, edgecolor="white",
                       linewidth=0.5, zorder=7)
            handles.append(Line2D([], [], marker="*", linestyle="", markerfacecolor=_PLACE, markeredgecolor="white",
                                  markersize=10, label=f"ontmoetingsplek ({len(pts)})"))
    for point, label in zip(areas.geometry.representative_point(), numbers):
        ax.text(point.x, point.y, label, ha="center", va="center", fontsize=7, fontweight="bold", zorder=9,
                bbox={"boxstyle": "circle,pad=0.2", "facecolor": "white", "edgecolor": _EDGE, "linewidth": 0.5})
    if len(areas):
        x0, y0, x1, y1 = areas.total_bounds
        pad = max(x1 - x0, y1 - y0) * 0.04
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect("equal", adjustable="box")
        ax.set_anchor("NW")
        scale_bar(ax, (x0 - pad, y0 - pad, x1 + pad, y1 + pad))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7,
              title=metric_title or None, title_fontsize=7.5, alignment="left")
    if source:
        ax.text(1.02, 0.0, source, transform=ax.transAxes, fontsize=6, color="#555555", ha="left", va="bottom")


def _coloured_areas(ax: Any, areas: gpd.GeoDataFrame, metric: str | None) -> list[Any]:
    if not len(areas):
        return []
    if not metric or metric not in areas:
        areas.plot(ax=ax, color="#f4f4f4", edgecolor=_EDGE, linewidth=0.5)
        return []
    values = areas[metric].astype(float)
    nodata = values.isna()
    if "gegevens" in areas:
        nodata |= has_no_data(areas["gegevens"]).to_numpy()
    if (~nodata).any():
        areas[~nodata].plot(ax=ax, color=values[~nodata].map(class_colour).tolist(), edgecolor=_EDGE, linewidth=0.5)
    if nodata.any():
        areas[nodata].plot(ax=ax, color=NODATA_COLOUR, edgecolor="#8c8c8c", hatch="///", linewidth=0.5)
    handles = [Patch(facecolor=c["colour"], edgecolor=_EDGE, label=c["label"]) for c in COVERAGE_CLASSES]
    return handles + [Patch(facecolor=NODATA_COLOUR, edgecolor="#8c8c8c", hatch="///", label=NODATA_LABEL)]


def _overlay(ax: Any, layer: gpd.GeoDataFrame | None, clip: Any, style: dict, handle: Any) -> list[Any]:
    if layer is None or not len(layer) or clip is None:
        return []
    shapes = layer.to_crs(settings.crs)
    shapes = shapes[shapes.geometry.intersects(clip)]
    if not len(shapes):
        return []
    gpd.clip(shapes, clip).plot(ax=ax, zorder=5, **style)
    return [handle]


def draw_stacked_bars(ax: Any, labels: Sequence[str], parts: dict[str, Sequence[float]], colours: dict[str, str],
                      reference: float | None = None, reference_label: str = "", xlabel: str = "") -> None:
    """Horizontal stacked bars (one per label, one segment per part), with a dashed reference line."""
    y = np.arange(len(labels))[::-1]
    left = np.zeros(len(labels))
    for name, values in parts.items():
        vals = np.asarray(values, dtype=float)
        vals = np.where(np.isfinite(vals), vals, 0.0)
        ax.barh(y, vals, left=left, color=colours.get(name, "#999999"), label=name, height=0.65, edgecolor="white",
                linewidth=0.4)
        left += vals
    if reference is not None and np.isfinite(reference):
        ax.axvline(reference, color=_INK, linestyle="--", linewidth=1, label=reference_label)
    _bar_axes(ax, y, labels, xlabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7)


def draw_bars(ax: Any, labels: Sequence[str], values: Sequence[float], reference: float | None = None,
              reference_label: str = "", xlabel: str = "", xmax: float | None = None) -> None:
    """Horizontal bars coloured in the coverage classes; missing values say "geen gegevens"."""
    y = np.arange(len(labels))[::-1]
    vals = np.asarray(values, dtype=float)
    known = np.isfinite(vals)
    ax.barh(y[known], vals[known], color=[class_colour(v) for v in vals[known]], height=0.65, edgecolor=_EDGE,
            linewidth=0.4)
    for yy in y[~known]:
        ax.text(0, yy, " geen gegevens", va="center", ha="left", fontsize=7, color="#555555")
    if reference is not None and np.isfinite(reference):
        ax.axvline(reference, color=_INK, linestyle="--", linewidth=1, label=reference_label)
    if xmax:
        ax.set_xlim(0, xmax)
    _bar_axes(ax, y, labels, xlabel)
    if reference is not None and np.isfinite(reference):
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7)


def inset(ax: Any, left: float, bottom: float, right: float, top: float) -> None:
    """Shrink ``ax`` to a part of the box it was given (fractions), leaving room for labels and legend."""
    pos = ax.get_position()
    ax.set_position((pos.x0 + pos.width * left, pos.y0 + pos.height * bottom, pos.width * (right - left),
                     pos.height * (top - bottom)))


def _bar_axes(ax: Any, y: Any, labels: Sequence[str], xlabel: str) -> None:
    inset(ax, 0.27, 0.16, 0.80, 0.97)
    ax.set_yticks(y)
    ax.set_yticklabels([_short(label, 28) for label in labels], fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel(xlabel, fontsize=7.5)
    ax.set_ylim(-0.6, len(labels) + 0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"
