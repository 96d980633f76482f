#!/usr/bin/env python
"""Generate the FICTIONAL demo town Lindewaarde (GM9999) that ships with abcd-map.

Lindewaarde does not exist. It lies in the Markermeer (open water, so nothing
real is under it), centred at RD New x=140000, y=500000, about 4 x 3.5 km.
Writes, into OUT_DIR (default: this script's folder):

- ``buurten.geojson`` / ``wijken.geojson``: EPSG:28992, CBS 2015 column names;
- ``demo.osm``: OSM XML 0.6 with a walking network, non-walkable ways and places;
- ``assets.csv``: hand-collected assets with the Dutch headers of data/columns.csv.

Deterministic: a fixed seed, no clock, coordinates rounded before writing.
Usage: ``python data/demo/make_demo.py [OUT_DIR]``.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, MultiPoint, Point, Polygon

SEED = 20261101
CX, CY = 140000.0, 500000.0  # local (0, 0) in RD New
HERE = Path(__file__).resolve().parent
NOTE = "Fictieve demo-gemeente Lindewaarde; bestaat niet"
GM_CODE, GM_NAAM = "GM9999", "Lindewaarde (fictief)"
SENTINEL = -99999999
TO_WGS84 = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)

WIJKEN = {"01": "Oude Kern", "02": "Havenkwartier", "03": "Lindehof", "04": "Polderrand"}
# wijk, naam, seed (local m), inwoners, persons per household, age shares 0-14 .. 65+ (%)
BUURTEN = [
    ("01", "Marktplein", (0, 0), 1450, 1.55, (8, 14, 36, 24, 18)),
    ("01", "Kerkbuurt", (-450, 250), 2100, 1.8, (10, 12, 33, 26, 19)),
    ("01", "Lindegracht", (350, 300), 2350, 1.7, (12, 11, 31, 27, 19)),
    ("01", "Molenwijk", (-150, -420), 1900, 1.75, (9, 10, 28, 28, 25)),
    ("02", "Havenfront", (1050, 400), 1800, 1.6, (11, 16, 40, 21, 12)),
    ("02", "Kadebuurt", (1000, -450), 2000, 2.0, (14, 12, 35, 25, 14)),
    ("02", "Bedrijventerrein De Wetering", (1700, -350), 0, 1.0, (0, 0, 0, 0, 0)),
    ("02", "Werfeiland", (1600, 750), 1700, 2.7, (27, 9, 41, 17, 6)),
    ("03", "Lindehof-Noord", (-650, -850), 2300, 2.1, (15, 11, 27, 27, 20)),
    ("03", "Lindehof-Zuid", (-350, -1450), 2100, 2.2, (17, 12, 26, 26, 19)),
    ("03", "Zonnehof", (400, -1150), 1600, 1.5, (6, 6, 15, 25, 48)),
    ("03", "Vogelbuurt", (-1250, -1100), 2000, 2.2, (16, 12, 28, 24, SENTINEL)),
    ("04", "Polderzoom", (-1500, -200), 1500, 2.4, (18, 12, 27, 28, 15)),
    ("04", "Rietlanden", (-1350, 850), 1200, 2.3, (15, 11, 24, 30, 20)),
    ("04", "Buitenhof", (-350, 1150), 1300, 2.6, (26, 10, 40, 19, 5)),
    ("04", "Noorderpolder", (650, 1350), 900, 2.3, (14, 10, 26, 31, 19)),
]
BEDRIJVEN = "Bedrijventerrein De Wetering"
# White spots: no welcoming place is put inside these circles (x, y, radius).
WHITE_SPOTS = {"Rietlanden": (-1450, 950, 560), "Lindehof-Zuid": (-300, -1560, 450)}
# Grid per wijk: spacing of long streets, of cross streets (m), share of cross-street blocks dropped.
GRID = {"01": (80, 95, 0.2), "02": (130, 150, 0.3), "03": (125, 135, 0.3), "04": (95, 380, 0.15),
        BEDRIJVEN: (230, 260, 0.4)}
STEMS = {
    "01": ("Kerk Molen Bakkers Brouwers Smids Vissers Wevers Toren Markt School Koe Kapel Poort "
           "Waag Gasthuis Klooster Hooi Zout", ("straat", "steeg", "gracht", "dwarsstraat")),
    "02": ("Anker Zeilmakers Touwslagers Botter Logger Schoener Kotter Aak Haring Kompas Roer "
           "Mast Kiel Boei Sloep Kaap", ("straat", "kade", "pad", "plein")),
    "03": ("Merel Lijster Spreeuw Vink Mees Zwaluw Roodborst Specht Wielewaal Nachtegaal Roos "
           "Tulp Narcis Lelie Krokus Iris Dahlia Anjer", ("straat", "laan", "hof", "pad")),
    "04": ("Riet Bies Kroos Zegge Akker Weide Vlier Dotter Lis Kievit Grutto Tureluur Scholekster "
           "Wilgen Hoeve Sloot", ("weg", "pad", "laan", "hof", "kamp")),
    BEDRIJVEN: ("Industrie Ambachts Nijverheids Handels Transport Energie", ("weg", "straat")),
}
TREES = ("Linde Kastanje Beuken Eiken Esdoorn Iepen Wilgen Populieren Berken Elzen Platanen "
         "Essen Acacia Lijsterbes Meidoorn Hazelaar Taxus Hulst Kersen Appel").split()
MAIN_ROADS = [
    ("primary", "Havenweg", [(-40, -10), (450, 60), (900, 200), (1350, 130), (1800, -60), (2300, -120)]),
    ("secondary", "Polderweg", [(-400, 420), (-850, 760), (-1300, 880), (-1750, 1150), (-2300, 1400)]),
    ("tertiary", "Dorpsstraat", [(-60, -700), (-20, -300), (0, 0), (-80, 350), (-120, 700)]),
    ("tertiary", "Noorderweg", [(-120, 700), (-150, 1100), (-260, 1500), (-320, 2100)]),
    ("tertiary", "Zuiderlaan", [(-60, -700), (-220, -1050), (-260, -1400), (-180, -2100)]),
]
# name, centre, radii, rotation (degrees)
PARKS = [("Lindepark", (-780, -780), (220, 150), 20), ("Havenpark", (1150, -150), (170, 110), -15),
         ("Polderbos", (-1450, -450), (320, 220), 35), ("Kerkhofplantsoen", (-430, 330), (70, 50), 0)]
HARBOUR = ((1500, 520), (260, 110), 10)
CANAL = [(1300, 470), (900, 420), (550, 330), (250, 180), (60, 80)]
WALK_HIGHWAYS = {"primary", "secondary", "tertiary", "unclassified", "residential", "living_street",
                 "pedestrian", "service", "footway", "path", "cycleway"}


def ellipse(centre, radii, rot=0.0, n=40, wobble=0.0, rng=None) -> Polygon:
    """A (wobbly) ellipse polygon."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = 1 + (wobble * rng.uniform(-1, 1, n) if rng is not None else 0)
    x, y = radii[0] * r * np.cos(t), radii[1] * r * np.sin(t)
    a = np.radians(rot)
    return Polygon(np.c_[centre[0] + x * np.cos(a) - y * np.sin(a), centre[1] + x * np.sin(a) + y * np.cos(a)])


def chaikin(pts, n: int = 3, closed: bool = False) -> np.ndarray:
    """Smooth a polyline (corner cutting)."""
    p = np.asarray(pts, float)
    for _ in range(n):
        q = np.vstack([p, p[:1]]) if closed else p
        a, b = 0.75 * q[:-1] + 0.25 * q[1:], 0.25 * q[:-1] + 0.75 * q[1:]
        mid = np.empty((2 * len(a), 2))
        mid[0::2], mid[1::2] = a, b
        p = mid if closed else np.vstack([p[:1], mid, p[-1:]])
    return np.vstack([p, p[:1]]) if closed else p


def warp(xy: np.ndarray) -> np.ndarray:
    """Smooth displacement field that bends straight grids into curving streets."""
    x, y = xy[:, 0], xy[:, 1]
    dx = 18 * np.sin(y / 170 + 0.8) + 9 * np.sin((x + y) / 95 + 2.0)
    dy = 18 * np.sin(x / 210 + 1.7) + 9 * np.sin((x - y) / 120 + 0.3)
    return np.c_[x + dx, y + dy]


def parts(geom) -> list[LineString]:
    """Line parts of a clipped geometry, longer than 20 m."""
    out = [g for g in shapely.get_parts(shapely.line_merge(geom) if geom.geom_type.startswith("Multi") else geom)
           if g.geom_type == "LineString" and g.length >= 20]
    return out


def make_areas(rng):
    """Town outline, buurt polygons and wijk polygons (local metres)."""
    t = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    r = 1 + 0.06 * np.sin(3 * t + 0.7) + 0.04 * np.sin(5 * t + 2.1) + rng.uniform(-0.015, 0.015, t.size)
    outline = shapely.set_precision(Polygon(np.c_[2000 * r * np.cos(t), 1750 * r * np.sin(t)]), 0.01)
    seeds = np.array([b[2] for b in BUURTEN], float) + rng.uniform(-60, 60, (len(BUURTEN), 2))
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=outline.buffer(3000), ordered=True)
    buurten = [shapely.set_precision(c.intersection(outline), 0.01) for c in cells.geoms]
    wijken = {}
    for code in WIJKEN:
        wijken[code] = shapely.coverage_union_all([p for p, b in zip(buurten, BUURTEN) if b[0] == code])
    assert all(g.geom_type == "Polygon" for g in [*buurten, *wijken.values()]), "niet aaneengesloten"
    return outline, buurten, wijken


def grid_streets(poly, area, key, rng) -> list[tuple[np.ndarray, str]]:
    """A warped, gappy street grid clipped to ``area`` (long streets 'A', cross streets 'B')."""
    sa, sb, drop = GRID[key]
    c, half = np.array(poly.centroid.coords[0]), np.hypot(*np.ptp(np.array(poly.exterior.coords), 0)) / 2 + sa
    us = np.arange(-half, half, sa) + rng.uniform(0, sa)
    vs = np.arange(-half, half, sb) + rng.uniform(0, sb)
    a = rng.uniform(0, np.pi)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) @ [[1, rng.uniform(-0.3, 0.3)], [0, 1]]
    raw = []
    vv = np.union1d(np.arange(-half, half, 70.0), vs)
    for u in us:  # long streets; a quarter of them end in a cul-de-sac
        cut = rng.choice(vs) if rng.random() < 0.25 else None
        part = vv if cut is None else (vv[vv <= cut] if rng.random() < 0.5 else vv[vv >= cut])
        raw.append(("A", np.c_[np.full(part.size, u), part]))
    for v in vs:
        keep = rng.random(us.size - 1) >= drop
        k = 0
        while k < keep.size:
            if not keep[k]:
                k += 1
                continue
            k0 = k
            while k < keep.size and keep[k]:
                k += 1
            uu = np.union1d(us[k0:k + 1], np.arange(us[k0], us[k], 70.0))
            raw.append(("B", np.c_[uu, np.full(uu.size, v)]))
    out = []
    for fam, uv in raw:
        if len(uv) < 2:
            continue
        xy = warp(uv @ rot.T + c)
        out += [(np.asarray(p.coords), fam) for p in parts(LineString(xy).intersection(area))]
    return out


def street_name(pool, i) -> str:
    stems, suffixes = pool
    stems = stems.split()
    return stems[i % len(stems)] + suffixes[(i // len(stems)) % len(suffixes)]


def make_network(rng, outline, buurten):
    """Walkable and non-walkable line ways (local metres) with their tags."""
    parks = [shapely.set_precision(ellipse(c, r, rot, 36, 0.08, rng), 0.01) for _, c, r, rot in PARKS]
    harbour = shapely.set_precision(ellipse(*HARBOUR, n=28), 0.01)
    no_streets = shapely.union_all([*parks, harbour])
    lines: list[tuple[np.ndarray, dict]] = []
    major = []
    for hw, name, ctrl in MAIN_ROADS:
        for p in parts(shapely.segmentize(LineString(chaikin(ctrl)), 40).intersection(outline)):
            lines.append((np.asarray(p.coords), {"highway": hw, "name": name}))
            major.append(p)
    t = np.linspace(0, 2 * np.pi, 14, endpoint=False)
    ring = np.c_[760 * np.cos(t), 700 * np.sin(t) - 50] * (1 + rng.uniform(-0.08, 0.08, (t.size, 1)))
    ring = shapely.segmentize(LineString(chaikin(ring, closed=True)), 40)
    lines.append((np.asarray(ring.coords), {"highway": "secondary", "name": "Lindeweg"}))
    dijk = shapely.segmentize(outline.exterior, 40)
    lines.append((np.asarray(dijk.coords), {"highway": "tertiary", "name": "Zeedijk"}))
    major += [ring, dijk]
    # Streets along buurt boundaries (tertiary between wijken, residential inside a wijk).
    k = 0
    for i in range(len(buurten)):
        for j in range(i + 1, len(buurten)):
            shared = buurten[i].boundary.intersection(buurten[j].boundary)
            if shared.length < 20:
                continue
            hw = "tertiary" if BUURTEN[i][0] != BUURTEN[j][0] else "residential"
            for p in parts(shared.difference(no_streets)):
                name = TREES[k % len(TREES)] + ("laan", "weg", "singel")[k // len(TREES)]
                lines.append((np.asarray(p.coords), {"highway": hw, "name": name}))
                major.append(p)
                k += 1
    major_zone = shapely.union_all(major).buffer(20)
    # Residential grids per buurt.
    used = dict.fromkeys(STEMS, 0)
    for b, poly in zip(BUURTEN, buurten):
        key = BEDRIJVEN if b[1] == BEDRIJVEN else b[0]
        area = poly.difference(no_streets)
        for xy, fam in grid_streets(poly, area, key, rng):
            geom = LineString(xy)
            if geom.intersection(major_zone).length > 0.4 * geom.length:
                continue  # would run alongside a main road
            tags = {"highway": "residential", "name": street_name(STEMS[key], used[key])}
            used[key] += 1
            mid = geom.interpolate(0.5, normalized=True)
            if key == BEDRIJVEN:
                tags["highway"] = "unclassified" if fam == "A" else "service"
            elif b[1] == "Marktplein" and mid.distance(Point(0, 0)) < 200:
                tags["highway"] = "pedestrian" if fam == "B" else "living_street"
            elif b[0] == "01" and rng.random() < 0.12:
                tags["highway"] = "living_street"
            lines.append((xy, tags))
    # Park paths: a perimeter footway and a few curving paths across.
    for (name, *_), park in zip(PARKS, parks):
        lines.append((np.asarray(park.exterior.coords), {"highway": "footway"}))
        c = np.array(park.centroid.coords[0])
        for m in range(3 if park.area > 30000 else 1):
            ang = rng.uniform(0, 2 * np.pi) + np.array([0, np.pi + rng.uniform(-0.6, 0.6)])
            ends = c + 600 * np.c_[np.cos(ang), np.sin(ang)]
            mid = c + rng.uniform(-0.3, 0.3, 2) * np.ptp(np.array(park.exterior.coords), 0)
            path = shapely.segmentize(LineString(chaikin([ends[0], mid, ends[1]], 2)), 30)
            hw = [{"highway": "footway"}, {"highway": "cycleway", "name": f"Fietspad {name}"},
                  {"highway": "path", "foot": "designated", "bicycle": "designated"}][m]
            lines += [(np.asarray(p.coords), hw) for p in parts(path.intersection(park))]
    motorway = chaikin([(-2600, -2250), (0, -2150), (2600, -1950)], 2)
    lines.append((shapely.segmentize(LineString(motorway), 200).coords,
                  {"highway": "motorway", "ref": "A99", "name": "Rijksweg 99 (fictief)", "foot": "no",
                   "oneway": "yes"}))
    return [(np.asarray(xy), t) for xy, t in lines], parks, harbour


def node_lines(lines):
    """Insert shared nodes where lines cross or where one line ends on another."""
    geoms = np.array([LineString(xy) for xy, _ in lines])
    tree = shapely.STRtree(geoms)
    extra: list[list] = [[] for _ in lines]
    i, j = tree.query(geoms, predicate="intersects")
    i, j = i[i < j], j[i < j]
    pts, idx = shapely.get_coordinates(shapely.intersection(geoms[i], geoms[j]), return_index=True)
    for p, k in zip(pts, idx):
        extra[i[k]].append(p)
        extra[j[k]].append(p)
    ends = np.array([xy[[0, -1]] for xy, _ in lines]).reshape(-1, 2)
    pi, lj = tree.query(shapely.points(ends), predicate="dwithin", distance=0.5)
    for a, b in zip(pi, lj):
        if a // 2 != b:
            extra[b].append(ends[a])
    out = []
    for (xy, tags), geom, ex in zip(lines, geoms, extra):
        s = np.r_[0, np.cumsum(np.hypot(*np.diff(xy, axis=0).T))]
        if ex:
            ex = np.array(ex)
            xy = np.vstack([xy, ex])
            s = np.r_[s, shapely.line_locate_point(geom, shapely.points(ex))]
        xy = xy[np.argsort(s, kind="stable")]
        out.append((xy, tags))
    return out


class OsmWriter:
    """Collects nodes (keyed on 0.1 m RD positions) and ways, writes OSM XML."""

    def __init__(self):
        self.keys: dict[tuple[int, int], int] = {}
        self.nodes: list[tuple[float, float, dict]] = []
        self.ways: list[tuple[list[int], dict]] = []

    def node(self, x: float, y: float, tags: dict | None = None) -> int:
        if tags is not None:  # a place: always its own node
            self.nodes.append((round(x, 1), round(y, 1), tags))
            return len(self.nodes)
        key = (int(round(x * 10)), int(round(y * 10)))
        if key not in self.keys:
            self.nodes.append((key[0] / 10, key[1] / 10, {}))
            self.keys[key] = len(self.nodes)
        return self.keys[key]

    def way(self, xy, tags: dict) -> None:
        refs = [self.node(x, y) for x, y in xy]
        refs = [r for n, r in enumerate(refs) if n == 0 or r != refs[n - 1]]
        if len(set(refs)) >= 2:
            self.ways.append((refs, tags))

    def write(self, path: Path) -> None:
        xy = np.array([(x, y) for x, y, _ in self.nodes]) + (CX, CY)
        lon, lat = TO_WGS84.transform(xy[:, 0], xy[:, 1])
        out = ["<?xml version='1.0' encoding='UTF-8'?>",
               f"<!-- {NOTE}. Gemaakt met data/demo/make_demo.py; geen echte OpenStreetMap-gegevens. -->",
               '<osm version="0.6" generator="abcd-map make_demo.py (fictief)">',
               f"  <note>{escape(NOTE)} (fictief). Verzonnen gegevens voor de demo van abcd-map.</note>",
               f'  <bounds minlat="{lat.min():.7f}" minlon="{lon.min():.7f}" maxlat="{lat.max():.7f}" '
               f'maxlon="{lon.max():.7f}"/>']
        tag = "    <tag k={} v={}/>".format
        for n, (a, b, (_, _, tags)) in enumerate(zip(lat, lon, self.nodes), start=1):
            head = f'  <node id="{n}" version="1" lat="{a:.7f}" lon="{b:.7f}"'
            out += [head + ">", *[tag(quoteattr(k), quoteattr(v)) for k, v in tags.items()], "  </node>"] \
                if tags else [head + "/>"]
        for n, (refs, tags) in enumerate(self.ways, start=1):
            out += [f'  <way id="{n}" version="1">', *[f'    <nd ref="{r}"/>' for r in refs],
                    *[tag(quoteattr(k), quoteattr(v)) for k, v in tags.items()], "  </way>"]
        path.write_text("\n".join([*out, "</osm>", ""]), encoding="utf-8")


def slug(name: str) -> str:
    return "".join(ch for ch in name.lower().replace(" ", "-") if ch.isalnum() or ch == "-")


def place_groups():
    """Catalogue of OSM places: (tags, where, [(name, fixed buurt or None, extra tags)])."""
    def g(tags, names, where="street", n=0):
        items = [(x, None, {}) if isinstance(x, str) else (x[0], x[1], x[2] if len(x) > 2 else {}) for x in names]
        return tags, where, items + [(None, None, {})] * n
    ppl = {"wheelchair": "yes"}
    return [
        g({"amenity": "community_centre"}, [("Buurthuis De Linde", "Kerkbuurt", {
            "opening_hours": "Mo-Fr 09:00-17:00; Sa 10:00-14:00", "wheelchair": "yes",
            "website": "https://lindewaarde.voorbeeld.nl/buurthuis-de-linde"}),
            ("Wijkcentrum Havenkwartier", "Havenfront", {"opening_hours": "Mo-Th 09:00-21:00"}),
            ("Buurtkamer De Vogel", "Vogelbuurt", {"opening_hours": "We 10:00-12:00"}),
            ("Dorpshuis Polderzoom", "Polderzoom")]),
        g({"amenity": "library"}, [("Bibliotheek Lindewaarde", "Marktplein", {
            "opening_hours": "Tu-Fr 10:00-18:00; Sa 10:00-16:00", "wheelchair": "yes"}),
            ("Bibliotheekpunt Lindehof", "Lindehof-Noord", {"opening_hours": "We,Sa 10:00-13:00"})]),
        g({"amenity": "cafe"}, ["Café De Waag", "Koffiehuis 't Pleintje", "Lunchroom Het Lindeblad",
                                "Grand Café De Haven", "Koffie & Zo", "Theehuis Het Park", "Café De Molen",
                                "Koffiebar Werfeiland", "Café Het Anker", "Koffiehoek De Zonnewijzer"]),
        g({"amenity": "restaurant"}, ["Restaurant De Gouden Linde", "Pizzeria Bella Lindewaarde",
                                      "Eethuis Anatolië", "Wokrestaurant Lotus", "Visrestaurant De Aak",
                                      "Brasserie Het Pakhuis", "Eethuis Smaak van Suriname", "Bistro De Kade"]),
        g({"amenity": "fast_food"}, ["Cafetaria De Frietboot", "Snackbar 't Hoekje", "Shoarma Lindeplein",
                                     "Friettent Polderzoom", "Döner De Kade"]),
        g({"amenity": "pub"}, ["Café De Ouwe Linde", "Kroeg Het Wapen van Lindewaarde", "Bar De Sluis"]),
        g({"amenity": "ice_cream"}, ["IJssalon Venetië aan de Gracht", "IJscuypje De Haven"]),
        g({"amenity": "place_of_worship"}, [
            ("Dorpskerk", "Kerkbuurt", {"religion": "christian", "denomination": "protestant"}),
            ("Sint-Jozefkerk", "Lindegracht", {"religion": "christian", "denomination": "roman_catholic"}),
            ("Moskee Al-Amal", "Kadebuurt", {"religion": "muslim"}),
            ("Evangelische Gemeente De Rank", "Vogelbuurt", {"religion": "christian", "denomination": "evangelical"})]),
        g({"amenity": "social_facility"}, [
            ("Zorgcentrum Lindestaete", "Zonnehof", {"social_facility": "nursing_home", "wheelchair": "yes"}),
            ("Dagbesteding De Werkplaats", "Kadebuurt", {"social_facility": "outreach"}),
            ("Voedselbank Lindewaarde", "Molenwijk", {"social_facility": "food_bank", "opening_hours": "Fr 13:00-16:00"})]),
        g({"amenity": "school"}, ["Basisschool De Regenboog", "OBS Het Kompas", "CBS De Wegwijzer"]),
        g({"amenity": "kindergarten"}, ["Kinderopvang Het Kikkertje", "Peuterspeelzaal De Boefjes",
                                        "KDV Zonnestraal", "BSO De Havenmeeuw"]),
        g({"amenity": "doctors"}, [("Huisartsenpraktijk Oude Kern", "Marktplein", ppl),
                                   ("Gezondheidscentrum Lindehof", "Lindehof-Noord", ppl), "Huisarts Havenkwartier"]),
        g({"amenity": "pharmacy"}, ["Apotheek De Linde", "Apotheek Lindehof"]),
        g({"amenity": "arts_centre"}, [("Cultuurhuis De Kade", "Havenfront", {"opening_hours": "Th-Su 12:00-17:00"})]),
        g({"amenity": "townhall"}, [("Gemeentehuis Lindewaarde (fictief)", "Marktplein")]),
        g({"amenity": "public_bookcase"}, ["Minibieb Kerkplein", "Minibieb Merelhof", "Minibieb Werfeiland",
                                           "Minibieb De Kade"], "park"),
        g({"amenity": "bench"}, [], "park", 26),
        g({"amenity": "picnic_table"}, [], "park", 6),
        g({"amenity": "parking"}, [], "street", 8),
        g({"amenity": "waste_basket"}, [], "park", 14),
        g({"leisure": "playground"}, [("Speeltuin Het Klimrek", "Lindegracht", {"wheelchair": "limited"}),
                                      "Speeltuin De Wipwap", "Speelplek Merelhof", "Speeltuin Piratenschip",
                                      "Speelplein Zonnehof", "Speeltuin De Dikkertjes"], "park", 13),
        g({"leisure": "sports_centre"}, ["Fitnesscentrum Kracht & Balans"]),
        g({"leisure": "pitch", "sport": "basketball"}, ["Basketbalveld Werfeiland"], "street", 2),
        g({"leisure": "fitness_station"}, [], "park", 3),
        g({"leisure": "garden", "garden:type": "community"}, ["Moestuin Lindehof", "Pluktuin De Zaaier"]),
        g({"shop": "supermarket"}, ["Supermarkt Lindehof", "Buurtsuper De Kade", "Supermarkt Oude Kern",
                                    "Supermarkt Polderzoom"]),
        g({"shop": "bakery"}, ["Bakkerij Het Korenschoofje", "Warme Bakker Van Dijk", "Bakkerij De Molen",
                               "Turkse Bakkerij Ekmek"]),
        g({"shop": "convenience"}, ["Avondwinkel 't Hoekje", "Buurtwinkel Vogelbuurt", "Toko Sari",
                                    "Dagwinkel Werfeiland"]),
        g({"shop": "hairdresser"}, ["Kapsalon Bij Sanne", "Barbershop De Kade", "Haarstudio Linde",
                                    "Kapper Ahmet", "Salon Knip & Krul", "Kapsalon De Spiegel", "Haarmode Zonnehof"]),
        g({"shop": "clothes"}, ["Modehuis De Waag", "Boetiek Lief", "Kinderkleding Het Hummeltje", "Jeansshop Haven"]),
        g({"shop": "second_hand"}, ["Kringloopwinkel De Tweede Ronde"]),
        g({"shop": "greengrocer"}, ["Groente en Fruit De Akker", "Groenteman Kerkbuurt"]),
        g({"shop": "florist"}, ["Bloemenhuis De Tulp", "Bloemist Het Boeketje"]),
        g({"shop": "bicycle"}, ["Fietsenmaker De Spaak"]),
        g({"shop": "butcher"}, ["Slagerij Lindewaarde"]),
        g({"shop": "books"}, ["Boekhandel De Leesbril"]),
        g({"shop": "optician"}, ["Opticien Helder Zicht"]),
        g({"amenity": "veterinary"}, ["Dierenkliniek De Polder"]),
        g({"amenity": "post_office"}, ["Postpunt Lindehof"]),
        g({"amenity": "dentist"}, ["Tandarts Werfeiland"]),
        g({"club": "sport"}, ["Voetbalvereniging LVV Lindewaarde", "Tennisclub De Lob"]),
        g({"club": "music"}, ["Harmonie Sint-Caecilia Lindewaarde"]),
        g({"club": "scouting"}, ["Scouting De Zeearenden"]),
        g({"club": "social"}, ["Ouderensoos De Zilvervloot"]),
        g({"club": "chess"}, ["Schaakclub De Lindetoren"]),
        g({"office": "association"}, ["Bewonersvereniging Oude Kern", "Huurdersvereniging Lindehof",
                                      "Ondernemersvereniging Lindewaarde", "Historische Vereniging Lindewaarde"]),
        g({"office": "ngo"}, ["Stichting Welzijn Lindewaarde", "Steunpunt Mantelzorg Lindewaarde",
                              "Stichting Nieuw Thuis"]),
        g({"healthcare": "physiotherapist"}, ["Fysiotherapie De Kade"]),
        g({"healthcare": "dentist", "amenity": "dentist"}, ["Tandartspraktijk Lindegracht"]),
        g({"healthcare": "psychotherapist"}, ["Praktijk voor psychotherapie Lindehof"]),
        g({"healthcare": "counselling"}, [("GGZ-inloophuis De Luwte", "Molenwijk", {"opening_hours": "Tu,Th 13:00-16:00"})]),
    ]


WIJK_WEIGHTS = {"01": 0.45, "02": 0.25, "03": 0.2, "04": 0.1}
NOISE = {"bench", "waste_basket", "parking"}
HOURS = ["Mo-Sa 08:00-18:00", "Mo-Fr 09:00-17:00; Sa 10:00-14:00", "Tu-Su 11:00-22:00",
         "Mo-Fr 08:30-17:30", "We 10:00-12:00", "Mo-Sa 09:00-20:00; Su 12:00-18:00"]


def make_places(rng, writer: OsmWriter, anchors, parks, harbour, buurten, wijken):
    """Place nodes and polygon ways; returns {name: (x, y)} of named places."""
    names = np.array([b[1] for b in BUURTEN])
    wijk_of = np.array([b[0] for b in BUURTEN])
    ax, ay, ab, in_park = anchors["x"], anchors["y"], anchors["buurt"], anchors["park"]
    in_spot = np.zeros(ax.size, bool)
    for x, y, r in WHITE_SPOTS.values():
        in_spot |= np.hypot(ax - x, ay - y) < r
    positions = {}

    def pick(buurt, wijk, park, noise):
        ok = (in_park == park) & (noise | ~in_spot)
        ok &= (names[ab] == buurt) if buurt else (wijk_of[ab] == wijk)
        if not ok.any():
            ok = (noise | ~in_spot) & ((wijk_of[ab] == wijk) if wijk else True)
        k = rng.choice(np.flatnonzero(ok))
        d = rng.uniform(8, 20) * np.exp(1j * rng.uniform(0, 2 * np.pi))
        return ax[k] + d.real, ay[k] + d.imag

    for tags, where, items in place_groups():
        for name, buurt, extra in items:
            wijk = None if buurt else rng.choice(list(WIJK_WEIGHTS), p=list(WIJK_WEIGHTS.values()))
            park = where == "park" and rng.random() < 0.7
            x, y = pick(buurt, wijk, park, tags.get("amenity") in NOISE)
            t = dict(tags)
            if name:
                t["name"] = name
                if "opening_hours" not in extra and rng.random() < 0.35:
                    t["opening_hours"] = HOURS[rng.integers(len(HOURS))]
                if rng.random() < 0.3:
                    t["wheelchair"] = ("yes", "limited", "no")[rng.integers(3)]
                if rng.random() < 0.2:
                    t["website"] = f"https://lindewaarde.voorbeeld.nl/{slug(name)}"
                positions[name] = (x, y)
            t.update(extra)
            writer.node(x, y, t)
    # Polygons: parks, school buildings, a sports hall, pitches, a community garden, a few buildings.
    for (name, *_), park in zip(PARKS, parks):
        writer.way(park.exterior.coords, {"leisure": "park", "name": name})
        positions[name] = park.centroid.coords[0]
    rects = [("Lindewaarde College", "Havenfront", (90, 50), {"amenity": "school", "building": "school"}),
             ("Basisschool De Polderpiraat", "Polderzoom", (60, 35), {"amenity": "school", "building": "school"}),
             ("Sporthal De Wetering", "Kadebuurt", (60, 40), {"leisure": "sports_centre", "building": "yes"}),
             ("Sportpark Polderzoom veld 1", "Polderzoom", (100, 64), {"leisure": "pitch", "sport": "soccer"}),
             ("Sportpark Polderzoom veld 2", "Polderzoom", (100, 64), {"leisure": "pitch", "sport": "soccer"}),
             ("Buurttuin De Groene Vingers", "Lindehof-Noord", (40, 30),
              {"leisure": "garden", "garden:type": "community", "opening_hours": "Sa 10:00-13:00"}),
             ("Supermarkt Havenkwartier", "Kadebuurt", (45, 35), {"shop": "supermarket", "building": "retail"})]
    rects += [(None, "Marktplein" if k % 2 else "Kerkbuurt", (12, 9), {"building": "yes"}) for k in range(12)]
    for name, buurt, (w, h), tags in rects:
        x, y = pick(buurt, None, False, False)
        a = np.radians(rng.uniform(0, 90))
        corners = np.array([(-w, -h), (w, -h), (w, h), (-w, h), (-w, -h)]) / 2
        xy = corners @ np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]]) + (x, y)
        writer.way(xy, {**tags, "name": name} if name else tags)
        if name:
            positions[name] = (x, y)
    bedrijf = buurten[names.tolist().index(BEDRIJVEN)]
    writer.way(bedrijf.exterior.coords, {"landuse": "industrial", "name": BEDRIJVEN})
    writer.way(wijken["03"].exterior.coords, {"landuse": "residential", "name": "Lindehof"})
    writer.way(chaikin(CANAL), {"waterway": "canal", "name": "Lindegracht"})
    writer.way(harbour.exterior.coords, {"natural": "water", "water": "harbour", "name": "Oude Haven"})
    return positions


def A(naam, soort, categorie, loc, **kw) -> dict:
    """One hand-collected asset row; ``loc`` is 'b:BUURT', 'spot:BUURT' or 'osm:NAME:METRES'."""
    return {"naam": naam, "soort": soort, "categorie": categorie, "_loc": loc, **kw}


PERSON = "persoon"
ASSETS = [
    A("Truus Voorbeeld", PERSON, "individuen", "b:Kerkbuurt", omschrijving="sleutelfiguur; kent iedereen in de Kerkbuurt",
      doelgroepen="senioren; eenzamen", toestemming="ja", openbaar="ja", laatste_contact="2026-09-14", relaties="verwijst naar:A13"),
    A("Bram Fictief", PERSON, "individuen", "b:Kadebuurt", omschrijving="kookt voor de buurt (donderdag)",
      toestemming="ja", openbaar="nee", laatste_contact="3-10-2026", relaties="partner van:A16"),
    A("Chantal Verzonnen", PERSON, "Individuen", "b:Molenwijk", omschrijving="ervaringsdeskundige GGZ; loopt mee in de inloop",
      doelgroepen="ggz", toestemming="nee", openbaar="nee", relaties="partner van:A27; brengt mensen naar:A21"),
    A("Dirk Denkbeeld", PERSON, "individuen", "spot:Rietlanden", omschrijving="repareert fietsen voor buurtkinderen",
      doelgroepen="jeugd", toestemming="ja", openbaar="ja", laatste_contact="2026-06-30"),
    A("Esra Voorbeeld", PERSON, "individuen", "b:Vogelbuurt", omschrijving="sleutelfiguur Turkse gemeenschap; vrijwilliger taalcafé",
      doelgroepen="nieuwkomers; ouders", toestemming="ja", relaties="verwijst naar:A15"),
    A("Fenna Proef", PERSON, "individuen", "b:Lindehof-Noord", omschrijving="vrijwilliger taalmaatje",
      doelgroepen="nieuwkomers", toestemming="nee", openbaar="ja", laatste_contact="2025-02-11"),
    A("Gerrit Schets", PERSON, "cultuur", "b:Havenfront", omschrijving="vertelt verhalen over de oude haven"),
    A("Hatice Model", PERSON, "individuen", "spot:Lindehof-Zuid", omschrijving="naait en verstelt kleding voor buren",
      toestemming="ja", openbaar="nee", laatste_contact="20-8-2026"),
    A("Ivo Nepnaam", PERSON, "individuen", "b:Werfeiland", omschrijving="organiseert het straatfeest",
      doelgroepen="kinderen; ouders", toestemming="ja", openbaar="ja", laatste_contact="2026-05-01"),
    A("Joke Testman", PERSON, "cultuur", "b:Zonnehof", omschrijving="speelt accordeon in het zorgcentrum",
      doelgroepen="senioren", toestemming="nee", openbaar="nee", laatste_contact="2024-12-02"),
    A("Kofi Bedacht", PERSON, "individuen", "b:Polderzoom", omschrijving="helpt buren met formulieren en DigiD",
      toestemming="ja", openbaar="nee"),
    A("Lotte Naamloos", PERSON, "individuen", "b:Buitenhof", omschrijving="mantelzorger; kent de weg in de zorg",
      doelgroepen="mantelzorgers", toestemming="nee", _rd=True),
    A("Koffieochtend Kerkbuurt", "initiatief", "verenigingen", "osm:Buurthuis De Linde:6", omschrijving="koffie en een praatje",
      doelgroepen="senioren; eenzamen", inloop="ja", wanneer="elke woensdag 10:00-12:00", beheerder="Buurthuis De Linde",
      contactpersoon="Truus Voorbeeld", fase="ontvangend", laatste_contact="2026-10-08", relaties="partner van:A33; verwijst naar:A25"),
    A("Repair Café Lindewaarde", "Initiatief", "verenigingen", "b:Lindegracht", omschrijving="samen spullen repareren",
      doelgroepen="iedereen", inloop="ja", wanneer="zaterdag 10-13", fase="getraind", laatste_contact="2025-09-27"),
    A("Taalcafé De Linde", "initiatief", "verenigingen", "b:Kerkbuurt", omschrijving="Nederlands oefenen in een gesprek",
      doelgroepen="nieuwkomers", inloop="ja", wanneer="elke dinsdag 19:00-21:00", fase="in gesprek",
      relaties="partner van:A05; verwijst naar:A25"),
    A("Buurtmaaltijd Havenkwartier", "initiatief", "verenigingen", "b:Kadebuurt", omschrijving="samen eten voor 5 euro",
      doelgroepen="eenzamen; senioren", inloop="nee", wanneer="elke donderdag 17:30-19:30", contactpersoon="Bram Fictief",
      capaciteit="30", fase="ontvangend", relaties="partner van:A02"),
    A("Bewonersoverleg Lindehof", "initiatief", "verenigingen", "b:Lindehof-Noord",
      wanneer="1e maandag van de maand 19:30-21:30", inloop="nee", fase="benaderd", laatste_contact="2024-06-17"),
    A("Moestuinclub Polderzoom", "initiatief", "verenigingen", "b:Polderzoom", omschrijving="samen tuinieren",
      doelgroepen="iedereen", inloop="ja", wanneer="als het mooi weer is", fase="onbekend"),
    A("Wandelgroep Rondje Polder", "initiatief", "verenigingen", "b:Noorderpolder", doelgroepen="senioren",
      inloop="ja", wanneer="elke vrijdag 10:00-11:30", laatste_contact="1-9-2026"),
    A("Verhalencafé Oude Haven", "initiatief", "cultuur", "b:Havenfront", omschrijving="bewoners vertellen over vroeger",
      wanneer="2e dinsdag van de maand 14:00-16:00", fase="in gesprek", laatste_contact="2025-03-04"),
    A("Open Tafel Kwartiermaken", "initiatief", "verenigingen", "b:Marktplein", omschrijving="lunch waar iedereen welkom is",
      doelgroepen="ggz; eenzamen", inloop="ja", wanneer="elke zondag 12:30-14:00", fase="getraind",
      relaties="partner van:A27; verwijst naar:A03"),
    A("Mantelzorgcafé", "initiatief", "verenigingen", "b:Molenwijk", doelgroepen="mantelzorgers",
      wanneer="laatste vrijdag van de maand 14:00-16:00", relaties="verwijst naar:A25"),
    A("Weggeefkast Vogelbuurt", "initiatief", "economie", "b:Vogelbuurt", omschrijving="geven en nemen",
      inloop="ja", wanneer="dagelijks 8:00-20:00", fase="onbekend"),
    A("Huiswerkklas Werfeiland", "initiatief", "verenigingen", "b:Werfeiland", doelgroepen="jeugd; kinderen",
      wanneer="maandag en woensdag 15:30-17:30", capaciteit="12", fase="benaderd", laatste_contact="2025-10-15"),
    A("Wijkteam Lindewaarde", "organisatie", "instellingen", "b:Marktplein", omschrijving="hulp bij zorg, geld en wonen",
      wanneer="ma t/m vr 9-17", openingstijden="Mo-Fr 09:00-17:00", contactpersoon="Sanne Verzonnen (wijkcoach)",
      telefoon="012-0000100", email="wijkteam@voorbeeld.nl", website="https://lindewaarde.voorbeeld.nl/wijkteam",
      fase="getraind", laatste_contact="2026-10-20", relaties="verwijst naar:A28; partner van:A27"),
    A("Woningcorporatie Thuis aan de Linde", "organisatie", "Instellingen", "b:Lindehof-Noord",
      telefoon="012-0000200", email="info@voorbeeld.nl", fase="benaderd", laatste_contact="5-1-2025", _rd=True),
    A("GGZ-team Lindewaarde", "organisatie", "instellingen", "b:Molenwijk", doelgroepen="ggz", inloop="nee",
      telefoon="012-0000300", fase="in gesprek", laatste_contact="2026-08-12", relaties="partner van:A21"),
    A("Schuldhulp Lindewaarde", "organisatie", "instellingen", "b:Kadebuurt", omschrijving="hulp bij geldzorgen",
      openingstijden="Tu 09:00-12:00", fase="onbekend"),
    A("Winkeliersvereniging Oude Kern", "organisatie", "economie", "b:Marktplein", contactpersoon="Piet Proefpersoon",
      email="winkeliers@voorbeeld.nl", fase="benaderd", laatste_contact="2025-04-22"),
    A("Muziekschool De Toonladder", "organisatie", "cultuur", "b:Lindegracht", doelgroepen="jeugd; kinderen",
      website="https://lindewaarde.voorbeeld.nl/toonladder", _rd=True),
    A("Sportvereniging LSV Polderrand", "organisatie", "verenigingen", "b:Polderzoom", doelgroepen="jeugd",
      fase="in gesprek", laatste_contact="2026-02-02"),
    A("Jongerenwerk Lindewaarde", "organisatie", "instellingen", "b:Havenfront", doelgroepen="jeugd",
      telefoon="012-0000400", fase="ontvangend", laatste_contact="2026-10-29"),
    A("Bh. de Linde", "plek", "fysieke ruimte", "osm:Buurthuis De Linde:14", omschrijving="buurthuis met huiskamer",
      doelgroepen="iedereen", inloop="ja", openingstijden="Mo-Fr 09:00-17:00", fase="ontvangend", ontmoetingsplek="ja",
      capaciteit="60", laatste_contact="2026-10-02", relaties="partner van:A13"),
    A("Bibliotheek Lindewaarde - Oude Kern", "plek", "instellingen", "osm:Bibliotheek Lindewaarde:18",
      inloop="ja", fase="getraind", ontmoetingsplek="ja", capaciteit="80", laatste_contact="12-6-2025"),
    A("Speeltuin 't Klimrek", "plek", "fysieke ruimte", "osm:Speeltuin Het Klimrek:11", doelgroepen="kinderen; ouders",
      inloop="ja", fase="onbekend", ontmoetingsplek="ja"),
    A("Huiskamer van de Buurt Lindehof", "plek", "fysieke ruimte", "b:Lindehof-Noord", doelgroepen="eenzamen; ggz",
      inloop="ja", wanneer="di en do 10:00-15:00", fase="In gesprek", ontmoetingsplek="ja", capaciteit="25",
      laatste_contact="2026-07-07", relaties="signaleert aan:A25"),
    A("Buurtkamer Werfeiland", "plek", "fysieke ruimte", "b:Werfeiland", fase="benaderd", ontmoetingsplek="ja",
      capaciteit="20", laatste_contact="2025-08-19", _rd=True),
    A("Kerkzaal Vogelbuurt", "plek", "fysieke ruimte", "b:Vogelbuurt", fase="benaderd", ontmoetingsplek="ja",
      capaciteit="120", laatste_contact="2024-11-20"),
    A("Oudheidkamer Lindewaarde", "plek", "cultuur", "b:Kerkbuurt", omschrijving="oude foto's en verhalen",
      wanneer="zaterdag 13-16", fase="onbekend", capaciteit="15"),
    A("Wasserette De Schone Was", "plek", "economie", "b:Kadebuurt", fase="in gesprek", ontmoetingsplek="ja",
      laatste_contact="2026-03-18"),
    A("Kapsalon Knipoog", "plek", "economie", "b:Zonnehof", fase="benaderd", ontmoetingsplek="nee"),
    A("Kantine LSV Polderrand", "plek", "fysieke ruimte", "b:Polderzoom", fase="getraind", ontmoetingsplek="ja",
      capaciteit="40", relaties="partner van:A31"),
    A("Jongerencentrum De Loods", "plek", "fysieke ruimte", "b:Havenfront", doelgroepen="jeugd", inloop="ja",
      wanneer="wo en vr 15:00-21:00", fase="ontvangend", ontmoetingsplek="ja", capaciteit="50",
      relaties="partner van:A32", _rd=True),
    A("Boerderijwinkel De Polderhoeve", "plek", "economie", "b:Noorderpolder", fase="onbekend", _rd=True),
    A("Atelier De Kwast", "plek", "cultuur", "b:Lindegracht", inloop="nee", fase="getraind", laatste_contact="2026-01-09"),
    A("Ontmoetingsruimte De Zonnewijzer", "plek", "fysieke ruimte", "b:Zonnehof", doelgroepen="senioren",
      inloop="ja", fase="ontvangend", ontmoetingsplek="ja", capaciteit="30", laatste_contact="2026-09-30"),
    A("Bankje bij de Molenvijver", "openbare ruimte", "fysieke ruimte", "b:Molenwijk", ontmoetingsplek="ja"),
    A("Pleintje Merelhof", "openbare ruimte", "fysieke ruimte", "b:Lindehof-Noord", ontmoetingsplek="ja", _rd=True),
    A("Jeu-de-boulesbaan Zonnehof", "openbare ruimte", "fysieke ruimte", "b:Zonnehof", doelgroepen="senioren",
      ontmoetingsplek="ja", relaties="verwijst naar:A45"),
    A("Hondenuitlaatveld Polderzoom", "openbare ruimte", "fysieke ruimte", "b:Polderzoom", ontmoetingsplek="nee", _rd=True),
    A("Grasveld aan de Kade", "openbare ruimte", "fysieke ruimte", "b:Kadebuurt", doelgroepen="kinderen"),
    A("Kade bij de Oude Haven", "openbare ruimte", "fysieke ruimte", "b:Havenfront", ontmoetingsplek="ja"),
]
POSTCODE_LETTERS = "ABCEGHJKLMNPRTVWXZ"  # letters Dutch postcodes use
BRONNEN = ["Demo (fictief): wijkrondgang opbouwwerk", "Demo (fictief): gesprek met bewoner",
           "Demo (fictief): wijkteam", "Demo (fictief)"]


def make_assets(rng, anchors, positions) -> tuple[list[str], list[dict]]:
    """Rows of assets.csv as users type them; header from data/columns.csv."""
    with open(HERE.parent / "columns.csv", encoding="utf-8", newline="") as f:
        header = [r["column"] for r in csv.DictReader(f) if r["table"] == "assets"]
    names = np.array([b[1] for b in BUURTEN])
    spot_of = np.full(anchors["x"].size, "", dtype=object)
    for buurt, (x, y, r) in WHITE_SPOTS.items():
        spot_of[np.hypot(anchors["x"] - x, anchors["y"] - y) < r] = buurt
    rows = []
    for n, spec in enumerate(ASSETS, start=1):
        row = {k: v for k, v in spec.items() if not k.startswith("_")}
        kind, where = spec["_loc"].split(":", 1)
        if kind == "osm":
            name, dist = where.rsplit(":", 1)
            ang = rng.uniform(0, 2 * np.pi)
            x, y = np.add(positions[name], float(dist) * np.array([np.cos(ang), np.sin(ang)]))
            street, ab = "", 0
        else:
            ok = (names[anchors["buurt"]] == where) & ~anchors["park"]
            ok &= (spot_of == where) if kind == "spot" else (spot_of == "")
            k = rng.choice(np.flatnonzero(ok))
            x, y = anchors["x"][k] + rng.uniform(-6, 6), anchors["y"][k] + rng.uniform(-6, 6)
            street = anchors["street"][k]
            ab = anchors["buurt"][k]
        if street and row["soort"] not in ("openbare ruimte",):
            row["adres"] = f"{street} {rng.integers(1, 120)}"
            row["postcode"] = f"9999 {POSTCODE_LETTERS[ab]}{POSTCODE_LETTERS[rng.integers(len(POSTCODE_LETTERS))]}"
            row["plaats"] = "Lindewaarde"
        if row["soort"] == PERSON:
            first, last = row["naam"].lower().split(" ", 1)
            row["telefoon"] = f"06-00000{100 + n:03d}"
            row["email"] = f"{first}.{last.replace(' ', '')}@voorbeeld.nl"
        if spec.get("_rd"):
            row["x"], row["y"] = f"{x + CX:.0f}", f"{y + CY:.0f}"
        else:
            lon, lat = TO_WGS84.transform(x + CX, y + CY)
            row["lat"], row["lon"] = f"{lat:.6f}", f"{lon:.6f}"
        row["id"] = f"A{n:02d}"
        row["bron"] = BRONNEN[n % len(BRONNEN)]
        rows.append({h: row.get(h, "") for h in header})
    return header, rows


def geom_json(g) -> dict:
    """GeoJSON geometry with RD coordinates rounded to centimetres (exterior rings counter-clockwise)."""
    g = shapely.orient_polygons(g)
    polys = [g] if g.geom_type == "Polygon" else list(g.geoms)
    rings = [[[[round(x + CX, 2), round(y + CY, 2)] for x, y in r.coords] for r in (p.exterior, *p.interiors)]
             for p in polys]
    return {"type": "Polygon", "coordinates": rings[0]} if len(rings) == 1 else \
        {"type": "MultiPolygon", "coordinates": rings}


def write_geojson(path: Path, name: str, features: list[tuple[dict, object]]) -> None:
    head = {"type": "FeatureCollection", "name": name,
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ',\n"features": [']
    feats = [json.dumps({"type": "Feature", "properties": p, "geometry": geom_json(g)}, ensure_ascii=False)
             for p, g in features]
    path.write_text("\n".join(lines) + "\n" + ",\n".join(feats) + "\n]\n}\n", encoding="utf-8")


def area_features(buurten, wijken):
    """CBS 2015 style properties of buurten and wijken."""
    out, totals = [], dict.fromkeys(WIJKEN, 0)
    for n, ((wk, naam, _, inw, hh, ages), poly) in enumerate(zip(BUURTEN, buurten)):
        nr = sum(1 for b in BUURTEN[:n] if b[0] == wk) + 1
        props = {"BU_CODE": f"BU9999{wk}{nr:02d}", "BU_NAAM": naam, "WK_CODE": f"WK9999{wk}", "WK_NAAM": WIJKEN[wk],
                 "GM_CODE": GM_CODE, "GM_NAAM": GM_NAAM, "AANT_INW": inw, "AANTAL_HH": int(round(inw / hh, -1)),
                 "OPP_LAND": int(round(poly.area / 1e4))}
        props.update(zip(["P_00_14_JR", "P_15_24_JR", "P_25_44_JR", "P_45_64_JR", "P_65_EO_JR"], ages))
        props["opmerking"] = NOTE
        out.append((props, poly))
        totals[wk] += inw
    wk = [({"WK_CODE": f"WK9999{c}", "WK_NAAM": n, "GM_CODE": GM_CODE, "GM_NAAM": GM_NAAM, "AANT_INW": totals[c],
            "opmerking": NOTE}, wijken[c]) for c, n in WIJKEN.items()]
    return out, wk


def main(argv: list[str] | None = None) -> Path:
    """Write the four demo files into ``argv[0]`` (default: this folder); returns the folder."""
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else HERE
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    outline, buurten, wijken = make_areas(rng)
    lines, parks, harbour = make_network(rng, outline, buurten)
    writer = OsmWriter()
    for xy, tags in node_lines(lines):
        writer.way(xy, tags)
    # Anchors for places and assets: vertices of walkable ways inside the town.
    pts, park, street = [], [], []
    for refs, tags in writer.ways:
        if tags.get("highway") in WALK_HIGHWAYS:
            pts += [writer.nodes[r - 1][:2] for r in refs]
            park += [tags["highway"] in ("footway", "path", "cycleway")] * len(refs)
            street += [tags.get("name", "")] * len(refs)
    pts = np.array(pts)
    buurt = np.full(len(pts), -1)
    for k, poly in enumerate(buurten):
        buurt[shapely.contains_xy(poly.buffer(-1), pts[:, 0], pts[:, 1])] = k
    inside = buurt >= 0
    anchors = {"x": pts[inside, 0], "y": pts[inside, 1], "buurt": buurt[inside], "park": np.array(park)[inside],
               "street": np.array(street, dtype=object)[inside]}
    positions = make_places(rng, writer, anchors, parks, harbour, buurten, wijken)
    writer.write(out / "demo.osm")
    bu, wk = area_features(buurten, wijken)
    write_geojson(out / "buurten.geojson", "buurten", bu)
    write_geojson(out / "wijken.geojson", "wijken", wk)
    header, rows = make_assets(rng, anchors, positions)
    with open(out / "assets.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, header, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return out


if __name__ == "__main__":
    print(f"Demo-bestanden (fictief) geschreven in {main()}")
