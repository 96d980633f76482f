"""The interactive HTML map: one self-contained file that opens offline.

Built on ``offlinefolium`` (folium 0.20 with its JavaScript/CSS inlined). Only
Leaflet, the grouped layer control and the vendored clustering index (supercluster,
``assets/vendor``) are included; no jQuery, Bootstrap or icon fonts. The data travel as one JSON object
(``<script type="application/json" id="abcd-data">``, made by
:func:`abcd_map.render.escape.to_js`); our own
script (``assets/map.js``) draws popups, tooltips, the legend, the metric
switch, search and filters from it with ``textContent``, so no text from an
input file is ever interpreted as HTML or JavaScript.

This module holds the entry points (one map, one map per wijk, saving); the page's
data are built in :mod:`._data`, its folium pieces in :mod:`._elements`, and the
colours and labels it shares with the static overviews in :mod:`._style`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import geopandas as gpd
import numpy as np
import offlinefolium
import pandas as pd
import shapely
from offlinefolium.plugins import GroupedLayerControl

from .. import settings
from ..export import write_atomic
from ..publication import TEAM_MARK, Publication, publish_frames, require_publication
from ..metrics import main_distance
from ._data import (DAY_PARTS, GAP_LAYERS, MODE_TEXT, OTHER_GROUP, SMALL_GROUP, day_names, day_parts, group_counts,
                    opening_masks, page_data, simplify_areas, with_geometry)
from ._elements import AbcdMap, Call, JsLayer, layer_name, unindent_page
from ._style import ASSETS_DIR, COVERAGE_CLASSES, NODATA_COLOUR, metric_label
from ._style import asset_text as _asset_text  # noqa: F401  (tests read map.js through it)
from .escape import escape_html

__all__ = [
    "ASSETS_DIR", "BACKGROUND_ATTRIBUTION", "BACKGROUND_LABEL", "BACKGROUND_TILES", "COVERAGE_CLASSES", "DAY_PARTS",
    "GAP_LAYERS", "MODE_TEXT", "NODATA_COLOUR", "AbcdMap", "day_names", "day_parts", "file_slug", "map_html",
    "metric_label", "opening_masks", "render_map", "render_per_wijk", "save_map", "simplify_areas",
]

#: Optional background map (only drawn when switched on, and then only with internet).
BACKGROUND_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
BACKGROUND_ATTRIBUTION = "&copy; OpenStreetMap-bijdragers"
BACKGROUND_LABEL = "Achtergrondkaart OpenStreetMap (alleen met internet)"
SMALL_LAYER_LABEL = "Kleine plekken (bankjes, picknicktafels …)"
OTHER_LAYER_LABEL = "Overige plekken (kantoren, kunst, banken …)"
#: The page per-wijk maps link back to.
INDEX_FILE = "index.html"


# --------------------------------------------------------------------------- one map
def draw_map(buurten: gpd.GeoDataFrame | None, wijken: gpd.GeoDataFrame | None,
             assets: gpd.GeoDataFrame | None, *, online_background: bool = True, **layers: Any) -> offlinefolium.Map:
    """Draw the interactive, offline HTML map of exactly the tables given (no privacy filtering).

    Used on the tables of a :class:`~abcd_map.publication.Publication` (see
    :func:`publication_map`); callers with their own GeoDataFrames use :func:`render_map`,
    which passes them through the privacy gate first. ``layers`` are the keyword arguments
    of :func:`abcd_map.render._data.page_data` (metrics, gaps, relations, welcoming, meta, mode).

    online_background
        Offer an OpenStreetMap background layer, off by default; the map never loads
        a tile unless the user switches it on (and then needs internet).

    Returns
    -------
    offlinefolium.Map
        Save it with :func:`save_map`.
    """
    data = page_data(buurten, wijken, assets, **layers)
    m = AbcdMap(data, data["meta"]["title"], location=_centre(data["bounds"]), zoom_start=13,
                zoom_control="bottomleft", control_scale=False, **{"maxZoom": 19, "minZoom": 7, "zoomSnap": 0.5})
    m.add_child(Call("start"))  # also adds the scale bar: metric only (folium's has feet and miles)
    _add_layer_control(m, _add_layers(m, data, online_background))
    m.add_child(Call("finish"))
    return m


def _centre(bounds: list | None) -> list[float]:
    """The middle of ``[[south, west], [north, east]]``; the middle of the Netherlands without bounds."""
    if bounds is None:
        return [52.1, 5.1]
    (south, west), (north, east) = bounds
    return [(south + north) / 2, (west + east) / 2]


def _add_layers(m: offlinefolium.Map, data: dict, online_background: bool) -> dict[str, list]:
    """Add every layer the data have to ``m``; returns them by layer-control group (Dutch title)."""
    areas = _area_layers(m, data)
    assets = _asset_layers(m, data)
    gaps = [JsLayer("gapLayer", key, layer_name(g["label"], swatch=g["style"]),
                    show=GAP_LAYERS.get(key, {}).get("show", True)).add_to(m)
            for key, g in data["gaps"].items()]
    relations = [JsLayer("relationLayer", None, layer_name("Relaties tussen plekken en mensen"),
                         show=False).add_to(m)] if data["relations"] else []
    stages = [JsLayer("stageLayer", None, layer_name(
        "Gastvrijheid (kwartiermaken)", count=len(data["welcoming"]["table"]["rows"])), show=False).add_to(m)] \
        if data["welcoming"] else []
    background = [_background_layer(m)] if online_background else []
    return {
        "Gebieden": areas,
        "Plekken en mensen (ABCD)": assets,
        "Witte vlekken en kennisgaten": gaps,
        "Kwartiermaken": stages,
        "Verbindingen": relations,
        "Achtergrond": background,
    }


def _area_layers(m: offlinefolium.Map, data: dict) -> list:
    layers = []
    if data["buurten"]["geo"]["features"]:
        layers.append(JsLayer("buurtLayer", None, layer_name("Buurten (kleur: dekking)")).add_to(m))
    if data["wijken"]["geo"]["features"]:
        layers.append(JsLayer("wijkLayer", None, layer_name("Wijkgrenzen en wijknamen")).add_to(m))
    return layers


def _asset_layers(m: offlinefolium.Map, data: dict) -> list:
    """One layer switch per category with assets (on), then the other and the small places (off).

    The switches share one clustering index in map.js (``ABCD.assetLayer``): switching one
    off takes its points out of the index, so clusters never stack per category.
    """
    counts = group_counts(data["assets"])
    layers = []
    for cat in data["categories"]:
        group = f"cat:{cat['code']}"
        if group in counts:
            layers.append(_asset_layer(m, cat["label"], cat["colour"], counts[group], True, group, cat["code"]))
    for group, label in ((OTHER_GROUP, OTHER_LAYER_LABEL), (SMALL_GROUP, SMALL_LAYER_LABEL)):
        if group in counts:
            layers.append(_asset_layer(m, label, "#777777", counts[group], False, group, None))
    return layers


def _asset_layer(m: offlinefolium.Map, label: str, colour: str, count: int, show: bool, group: str,
                 categorie: str | None) -> Any:
    return JsLayer("assetLayer", {"group": group, "categorie": categorie}, layer_name(label, colour, int(count)),
                   show=show).add_to(m)


def _background_layer(m: offlinefolium.Map) -> offlinefolium.TileLayer:
    # off by default: the map draws without it; switched on, it needs internet
    return offlinefolium.TileLayer(
        tiles=BACKGROUND_TILES, attr=BACKGROUND_ATTRIBUTION, name=layer_name(BACKGROUND_LABEL),
        overlay=True, show=False, max_zoom=19, max_native_zoom=19).add_to(m)


def _add_layer_control(m: offlinefolium.Map, groups: dict[str, list]) -> None:
    """The grouped layer control (it is the legend of the layers); empty groups are left out."""
    groups = {escape_html(k): v for k, v in groups.items() if v}
    if groups:
        GroupedLayerControl(groups, exclusive_groups=False, collapsed=False, position="topright").add_to(m)


def map_html(m: offlinefolium.Map) -> str:
    """The complete HTML page of a map (unindented: a smaller file)."""
    return unindent_page(m.get_root().render())


def save_map(m: offlinefolium.Map, path: str | os.PathLike) -> Path:
    """Write the map as one self-contained HTML file, atomically.

    The page is written to a temporary file in the same folder and then moved
    into place with ``os.replace``, so a reader never sees half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, map_html(m))
    return path


# --------------------------------------------------------------------------- through the privacy gate
def _layer_kwargs(publication: Publication) -> dict:
    """The keyword arguments every map of a publication shares (whole area and per wijk)."""
    layers = publication.layers
    return {"gaps": {k: v for k, v in layers.items() if k not in ("relaties", "gastvrijheid")},
            "relations": layers.get("relaties"), "welcoming": layers.get("gastvrijheid"),
            "meta": dict(publication.meta), "mode": publication.mode, "open_coverage": publication.open_coverage}


def publication_map(publication: Publication, *, metrics: Sequence[str] | Mapping[str, str] | None = None,
                    online_background: bool = True) -> offlinefolium.Map:
    """The interactive map of a publication (shows itself in Jupyter; save it with :func:`save_map`)."""
    pub = require_publication(publication)
    return draw_map(pub.buurten, pub.wijken, pub.assets, metrics=metrics, online_background=online_background,
                    **_layer_kwargs(pub))


def publication_per_wijk(publication: Publication, out_dir: str | os.PathLike, *, overviews: bool = False,
                         metrics: Sequence[str] | Mapping[str, str] | None = None,
                         streets: gpd.GeoSeries | gpd.GeoDataFrame | None = None) -> list[Path]:
    """A map per wijk (and with ``overviews`` a PNG/PDF overview) of a publication, with an index page.

    ``streets``: lines of the walking network for the overviews' background
    (:func:`abcd_map.render.streets.street_lines`); default the publication's ``streets``
    when it has them; no street background without them.
    """
    pub = require_publication(publication)
    if streets is None:
        streets = getattr(pub, "streets", None)
    return draw_per_wijk(pub.buurten, pub.wijken, pub.assets, out_dir, metrics=metrics, overviews=overviews,
                         distance=pub.main_distance, streets=streets, **_layer_kwargs(pub))


def _gate(buurten, wijken, assets, gaps, relations, welcoming, meta, mode) -> Publication:
    layers = {**(gaps or {}), "relaties": relations, "gastvrijheid": welcoming}
    return publish_frames(buurten, wijken, assets, mode=mode, meta=meta,
                          layers={k: v for k, v in layers.items() if v is not None})


def render_map(buurten: gpd.GeoDataFrame | None, wijken: gpd.GeoDataFrame | None,
               assets: gpd.GeoDataFrame | None, *, gaps: Mapping[str, gpd.GeoDataFrame] | None = None,
               relations: gpd.GeoDataFrame | None = None, welcoming: gpd.GeoDataFrame | None = None,
               meta: Mapping[str, Any] | None = None, mode: str = "publiek", **options: Any) -> offlinefolium.Map:
    """The interactive, offline HTML map of your own tables, after the privacy gate for ``mode``.

    The tables pass :func:`abcd_map.publication.publish_frames` first (in publiek: persons
    only with consent and only their public fields, no team working data, relations only
    between non-persons, welcoming stages only ``ontvangend``), then :func:`draw_map` draws
    them. Arguments as for :func:`draw_map` (``metrics``, ``online_background`` in ``options``).
    """
    pub = _gate(buurten, wijken, assets, gaps, relations, welcoming, meta, mode)
    return publication_map(pub, **options)


def render_per_wijk(buurten: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame, assets: gpd.GeoDataFrame | None,
                    out_dir: str | os.PathLike, *, gaps: Mapping[str, gpd.GeoDataFrame] | None = None,
                    relations: gpd.GeoDataFrame | None = None, welcoming: gpd.GeoDataFrame | None = None,
                    meta: Mapping[str, Any] | None = None, mode: str = "publiek", **options: Any) -> list[Path]:
    """One map per wijk plus an index of your own tables, after the privacy gate for ``mode``.

    Arguments as for :func:`draw_per_wijk` (``metrics``, ``margin``, ``overviews``, ``distance``
    in ``options``).
    """
    pub = _gate(buurten, wijken, assets, gaps, relations, welcoming, meta, mode)
    return draw_per_wijk(pub.buurten, pub.wijken, pub.assets, out_dir, **options, **_layer_kwargs(pub))


# --------------------------------------------------------------------------- one map per wijk
def file_slug(code: object) -> str:
    """A safe file-name part for a wijk code (the same in maps and overviews)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", str(code)).strip("_") or "wijk"


def draw_per_wijk(buurten: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame, assets: gpd.GeoDataFrame | None,
                  out_dir: str | os.PathLike, *, margin: float | None = None, overviews: bool = False,
                  distance: float | None = None, streets: gpd.GeoSeries | gpd.GeoDataFrame | None = None,
                  **layers: Any) -> list[Path]:
    """One map per wijk plus an ``index.html`` linking them.

    Each map shows the wijk's buurten, its own gaps (clipped to the wijk), and the assets,
    relations and welcoming stages within walking distance of the wijk, so places just
    across the border stay visible; its title box links back to the index. Files are
    written atomically.

    With ``overviews``, each wijk also gets a static overview sheet for handouts and slides
    (``overzicht-<wijkcode>.png`` and ``.pdf``, all the same size), linked from the index.

    Parameters
    ----------
    margin
        Metres around each wijk; default the run's main walking distance (see ``distance``).
    distance
        The run's main walking distance (m); default the middle one of ``meta["afstanden"]``
        (:func:`abcd_map.metrics.main_distance`), else ``settings.default_distance``.
    streets
        Lines of the walking network, the overviews' street background; none when not given.

    Returns
    -------
    list of Path
        ``index.html`` first, then per wijk ``wijk-<wijkcode>.html`` (and its overviews).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    meta = dict(layers.get("meta") or {})
    margin = _wijk_margin(meta, margin, distance)
    buurten = with_geometry(buurten)
    wijken = with_geometry(wijken)
    mode, metrics, open_coverage = layers.get("mode", "publiek"), layers.get("metrics"), layers.get("open_coverage")
    meta.setdefault("modus", mode)
    layers = {"assets": with_geometry(assets), "relations": with_geometry(layers.get("relations")),
              "welcoming": with_geometry(layers.get("welcoming")),
              "gaps": {k: with_geometry(v) for k, v in (layers.get("gaps") or {}).items() if v is not None and len(v)}}
    base_title = str(meta.get("title") or "ABCD-kaart")
    written: list[Path] = []
    entries: list[tuple[str, str, Any, str]] = []
    for _, wijk in wijken.iterrows():
        code = wijk["wijkcode"]
        wb = buurten[buurten["wijkcode"] == code]
        if wb.empty:
            continue
        name = str(wijk.get("wijknaam") or code)
        near = _near(layers, shapely.buffer(wijk.geometry, margin), wijk.geometry)
        m = draw_map(wb, wijken[wijken["wijkcode"] == code], near["assets"], metrics=metrics, gaps=near["gaps"],
                     relations=near["relations"], welcoming=near["welcoming"],
                     meta=meta | {"title": f"{base_title} — {name}", "gebied": name, "terug": INDEX_FILE}, mode=mode,
                     open_coverage=open_coverage)
        fname = f"wijk-{file_slug(code)}.html"
        written.append(save_map(m, out_dir / fname))
        if overviews:
            written += _wijk_overview(buurten, wijken, layers["assets"], code, out_dir, meta,
                                      gaps=near["gaps"], streets=streets)
        entries.append((fname, name, wijk.get("inwoners"), str(code)))
    index = out_dir / INDEX_FILE
    write_atomic(index, _index_html(base_title, meta, entries, overviews))
    return [index, *written]


def _wijk_margin(meta: Mapping[str, Any] | None = None, margin: float | None = None,
                distance: float | None = None) -> float:
    """Metres shown around a wijk on its own map: ``margin``, else the run's main walking distance.

    The main distance is ``distance`` when given, else the middle one of ``meta["afstanden"]``;
    ``settings.default_distance`` only when neither is known.
    """
    if margin is not None:
        return float(margin)
    if distance is None:
        distance = main_distance((meta or {}).get("afstanden"))
    return settings.default_distance if distance is None else float(distance)


def _near(layers: dict, area: Any, wijk: Any = None) -> dict:
    """The parts of each layer (a table, or a dict of tables) that touch ``area``.

    With ``wijk``, the gap layers (``layers["gaps"]``) keep only their polygons' parts inside
    the wijk itself: a wijk's map shows its own white spots and knowledge gaps, not those of
    its neighbours floating without their buurten.
    """
    def near(g: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
        return g[g.geometry.intersects(area)] if g is not None and len(g) else g

    out = {k: ({n: near(g) for n, g in v.items()} if isinstance(v, dict) else near(v)) for k, v in layers.items()}
    if wijk is not None and isinstance(out.get("gaps"), dict):
        out["gaps"] = {n: _clip_polygons(g, wijk) for n, g in out["gaps"].items()}
    return out


def _clip_polygons(g: gpd.GeoDataFrame | None, area: Any) -> gpd.GeoDataFrame | None:
    """Polygon rows cut to ``area`` (rows left with no surface dropped); other rows as they are."""
    if g is None or not len(g):
        return g
    geoms = g.geometry.values
    polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))  # Polygon, MultiPolygon
    cut = geoms.copy()
    cut[polygonal] = shapely.intersection(geoms[polygonal], area)
    keep = ~polygonal | (shapely.area(cut) > 0.01)
    return g.set_geometry(gpd.GeoSeries(cut, index=g.index, crs=g.crs))[keep]


def _wijk_overview(buurten: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame, assets: gpd.GeoDataFrame | None,
                   code: Any, out_dir: Path, meta: Mapping[str, Any], *,
                   gaps: Mapping[str, gpd.GeoDataFrame] | None = None,
                   streets: gpd.GeoSeries | gpd.GeoDataFrame | None = None) -> list[Path]:
    """``overzicht-<wijkcode>.png`` and ``.pdf`` (matplotlib is loaded only when asked for)."""
    from .static import static_overview

    stem = out_dir / f"overzicht-{file_slug(code)}"
    return static_overview(buurten, wijken, assets, wijkcode=code, path_png=stem.with_suffix(".png"),
                           path_pdf=stem.with_suffix(".pdf"), meta=meta, gaps=gaps, streets=streets)


def _index_html(title: str, meta: Mapping[str, Any], entries: list[tuple[str, str, Any, str]],
                overviews: bool = False) -> str:
    """The index page: a link per wijk (and its overviews), the FICTIEF and TEAM marks, the sources."""
    rows = []
    for fname, name, inwoners, code in sorted(entries, key=lambda e: e[1].lower()):
        n = "" if inwoners is None or pd.isna(inwoners) else f"{int(inwoners):,}".replace(",", ".") + " inwoners"
        stem = fname.replace("wijk-", "overzicht-", 1).removesuffix(".html")
        prints = "".join(f' · <a href="{escape_html(stem)}.{ext}">{ext.upper()}</a>' for ext in ("png", "pdf")
                         if overviews)
        rows.append(f'<li><a href="{escape_html(fname)}">{escape_html(name)}</a>{prints} '
                    f'<span class="code">{escape_html(code)}</span> <span class="n">{escape_html(n)}</span></li>')
    fictief = '<p class="fictief">FICTIEF: alle namen en plekken zijn verzonnen.</p>' if meta.get("fictief") else ""
    if meta.get("modus") == "team":
        fictief = (f'<p class="fictief team">{escape_html(TEAM_MARK)}: werkgegevens van het team, '
                   'alleen voor eigen gebruik.</p>') + fictief
    sources = "; ".join(str(s) for s in (meta.get("bronnen") or []))
    return (
        "<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
        f"<title>{escape_html(title)}: kaarten per wijk</title>"
        "<style>body{font:17px/1.5 system-ui,sans-serif;max-width:50em;margin:2em auto;padding:0 1em;color:#1a1a1a}"
        "li{margin:.3em 0}.code,.n{color:#666;font-size:.85em}.fictief{color:#fff;background:#b2182b;"
        "display:inline-block;padding:.2em .6em;border-radius:4px;font-weight:700}</style></head><body>"
        f"{fictief}<h1>{escape_html(title)}</h1><p>Kies een wijk:</p><ul>{''.join(rows)}</ul>"
        f"<p class=\"n\">Bronnen: {escape_html(sources)}</p></body></html>\n"
    )
