"""Coverage per opening time for the map's time filter, the metric a map opens on, and class contrast."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from abcd_map import metrics, privacy
from abcd_map.analyse import coverage
from abcd_map.render import _data
from abcd_map.render._style import ASSETS_DIR, COVERAGE_CLASSES, COVERAGE_FILL_OPACITY, MAP_BACKGROUND


# --------------------------------------------------------------------------- contrast (WCAG 2.x)
def _luminance(hex_colour: str) -> float:
    """Relative luminance of a ``#rrggbb`` colour (WCAG 2.x)."""
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _over(colour: str, background: str, opacity: float) -> str:
    """``colour`` drawn at ``opacity`` over ``background``, as the browser shows it."""
    mix = [round(opacity * int(colour[i:i + 2], 16) + (1 - opacity) * int(background[i:i + 2], 16)) for i in (1, 3, 5)]
    return "#" + "".join(f"{v:02x}" for v in mix)


def test_contrast_ratio_matches_wcag_examples():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffcc", "#eef0ec") < 1.2  # the old lowest class: looked like empty map


def test_map_background_is_the_one_in_map_css():
    css = (ASSETS_DIR / "map.css").read_text(encoding="utf-8")
    rule = re.search(r"\.leaflet-container \{[^}]*background: (#[0-9a-fA-F]{6})", css)
    assert rule and rule.group(1).lower() == MAP_BACKGROUND.lower()


def test_lowest_class_stands_out_from_the_map_background():
    """0-25% has at least 3:1 against the background, as drawn (at the map's fill opacity)."""
    lowest = COVERAGE_CLASSES[0]["colour"]
    assert contrast_ratio(lowest, MAP_BACKGROUND) >= 3.0
    assert contrast_ratio(_over(lowest, MAP_BACKGROUND, COVERAGE_FILL_OPACITY), MAP_BACKGROUND) >= 3.0
    # where it touches its neighbours it is told apart by more than colour: a dark outline
    assert contrast_ratio(COVERAGE_CLASSES[0]["outline"], MAP_BACKGROUND) >= 3.0
    assert all("outline" not in c for c in COVERAGE_CLASSES[1:])


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB
_SIMULATION = {
    "protanopie": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopie": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopie": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}


def _simulated_luminance(hex_colour: str, matrix: np.ndarray) -> float:
    channels = np.array([int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    lin = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    sim = np.clip(matrix @ lin, 0, 1)
    return float(0.2126 * sim[0] + 0.7152 * sim[1] + 0.0722 * sim[2])


@pytest.mark.parametrize("kind", sorted(_SIMULATION))
def test_neighbouring_classes_differ_in_lightness_for_colour_blind_readers(kind):
    """Colour-blind safe: neighbouring classes differ in lightness, not only in hue."""
    lum = [_simulated_luminance(c["colour"], _SIMULATION[kind]) for c in COVERAGE_CLASSES]
    for a, b in zip(lum, lum[1:]):
        ratio = (max(a, b) + 0.05) / (min(a, b) + 0.05)
        assert ratio >= 1.3, (kind, lum)


# --------------------------------------------------------------------------- the metric a map opens on
def _metric_list(*keys: str) -> list[dict]:
    return [{"key": k} for k in keys]


def test_lens_and_opening_time_come_first():
    keys = _metric_list("dekking_500m", "cultuur_dekking_500m", "senioren_dekking_300m",
                        "open_zondag_middag_dekking_500m")
    lens = _data.first_metric(keys, {"lens": "senioren", "opties": {"lens": "senioren"}})
    assert [m["key"] for m in lens][:2] == ["senioren_dekking_300m", "dekking_500m"]
    day = _data.first_metric(keys, {"opties": {"dag": "zondag", "dagdeel": "middag"}})
    assert day[0]["key"] == "open_zondag_middag_dekking_500m"
    assert [m["key"] for m in day][1:] == ["dekking_500m", "cultuur_dekking_500m", "senioren_dekking_300m"]
    assert _data.first_metric(keys, {}) == keys
    assert _data.first_metric(keys, None) == keys
    # asked for, but not on the map (e.g. no column): the order stays
    assert _data.first_metric(keys, {"opties": {"dag": "maandag"}}) == keys


# --------------------------------------------------------------------------- page data
def test_open_coverage_page_data_structure():
    codes = ["BU1", "BU2", "BU3"]
    columns = {coverage.open_time_key(d, p): [10.0 * d, np.nan, 100.0]
               for d in range(7) for p in coverage.OPEN_TIME_PARTS}
    columns |= {coverage.open_time_key(coverage.ANY_DAY, p): [5.0, np.nan, 100.0] for p in coverage.OPEN_TIME_PARTS[1:]}
    table = pd.DataFrame(columns, index=pd.Index(codes, name="buurtcode"))
    buurten = pd.DataFrame({"buurtcode": ["BU3", "BU1", "BU9"]})
    data = _data.open_coverage_data(table, buurten, {"afstanden": [300, 500, 800]})
    assert data["afstand"] == "500 m"
    assert data["parts"] == ["", "ochtend", "middag", "avond"] == ["", *(p["code"] for p in _data.day_parts())]
    assert list(data["days"]) == ["0", "1", "2", "3", "4", "5", "6", "*"]
    assert all(len(parts) == 4 for parts in data["days"].values())
    assert data["days"]["6"][2] == {"BU3": 100.0, "BU1": 60.0}  # zondagmiddag; BU2 is not on the map, BU9 unknown
    assert data["days"]["*"][0] == {}  # "some day, whole day" is no filter
    assert data["days"]["*"][3] == {"BU3": 100.0, "BU1": 5.0}
    assert _data.open_coverage_data(None, buurten) is None
    # never a metric of the dropdown, never a column of buurten.csv
    assert metrics.coverage_columns(table.columns) == []


@pytest.fixture(scope="module")
def demo_run(demo_build):
    return demo_build.result


@pytest.mark.slow
def test_open_coverage_equals_one_spec_per_time(demo_run):
    """The one-pass figures are those of an ``open`` coverage spec for that day and part of the day."""
    analysis = demo_run.analysis
    options = analysis.options
    located = privacy.location_assets(analysis.assets, options.mode)
    located = located[~coverage.small_places(located)]
    table = analysis.open_coverage
    assert table.shape[1] == 7 * 4 + 3
    from abcd_map.stages import load_inputs

    inputs = load_inputs(options)
    for day, part in [(6, "middag"), (2, None), (0, "avond"), (5, "ochtend")]:
        spec = metrics.CoverageSpec(metrics.open_prefix(str(day), part), metrics.KIND_OPEN, (options.main_distance,),
                                    day=day, part_of_day=part)
        ref = coverage.coverage_for_spec(inputs.areas, located, inputs.network, spec, extent=inputs.extent,
                                         points=analysis.points)[spec.column(options.main_distance)]
        got = table[coverage.open_time_key(day, part)].reindex(ref.index)
        pd.testing.assert_series_equal(got, ref.round(1), check_names=False)
    # "some afternoon" covers at least what any one afternoon does
    some = table[coverage.open_time_key(coverage.ANY_DAY, "middag")]
    for day in range(7):
        assert (some.fillna(0) >= table[coverage.open_time_key(day, "middag")].fillna(0)).all()


@pytest.mark.slow
def test_open_coverage_reaches_the_page_but_not_the_tables(demo_build):
    pub = demo_build.result.publication
    assert pub.open_coverage is not None
    html = (demo_build.out / "kaart.html").read_text(encoding="utf-8")
    assert '"open_coverage": {"afstand": "500 m"' in html or '"open_coverage":{"afstand":"500 m"' in html
    header = (demo_build.out / "buurten.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "|" not in header and "open_" not in header
