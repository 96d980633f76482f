"""Several gemeenten and wijken in one run, titles of a selection, every gemeente of a CBS file."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

import abcd_map as am
from abcd_map.errors import AbcdWarning, InputError, collect_notes
from abcd_map.load.areas import load_buurten, region_from_file, selection_name, split_names
from abcd_map.options import BuildOptions


def _buurten_file(tmp_path: Path, rows: list[dict], name: str = "proef_buurt.geojson") -> Path:
    gdf = gpd.GeoDataFrame(rows, geometry=[r.pop("geometry") for r in rows], crs="EPSG:28992")
    path = tmp_path / name
    gdf.to_file(path, driver="GeoJSON")
    return path


def _row(code: str, gm: str, gm_name: str, geom, inw: float = 100, wijk: str | None = None) -> dict:
    return {"BU_CODE": code, "BU_NAAM": f"Buurt {code}", "WK_CODE": wijk or "WK" + code[2:8],
            "GM_CODE": gm, "GM_NAAM": gm_name, "AANT_INW": inw, "geometry": geom}


@pytest.fixture
def three_gemeenten(tmp_path: Path) -> Path:
    rows = [_row("BU09990101", "GM0999", "Proefstad", box(85000, 445000, 86000, 446000), 500),
            _row("BU09990102", "GM0999", "Proefstad", box(86000, 445000, 87000, 446000), 400),
            _row("BU09980101", "GM0998", "Den Proef", box(87000, 445000, 88000, 446000), 300),
            _row("BU09970101", "GM0997", "'s-Proefhage", box(88000, 445000, 89000, 446000), 50)]
    return _buurten_file(tmp_path, rows)


def test_split_names_commas_lists_and_quotes():
    assert split_names("Hoorn,Den Helder") == ("Hoorn", "Den Helder")
    assert split_names(["Hoorn", " Den Helder ", "Hoorn"]) == ("Hoorn", "Den Helder")
    assert split_names("'s-Gravenhage") == ("'s-Gravenhage",)
    assert split_names(None) == ()


def test_several_gemeenten_combined(three_gemeenten: Path):
    both = load_buurten(three_gemeenten, gemeente=["Proefstad", "Den Proef"])
    assert len(both) == 3 and set(both["gemeentenaam"]) == {"Proefstad", "Den Proef"}
    assert len(load_buurten(three_gemeenten, gemeente="Proefstad, 's-Proefhage")) == 3
    assert len(load_buurten(three_gemeenten, gemeente=["GM0999", "Den Proef"])) == 3


def test_unknown_gemeente_among_several_names_each(three_gemeenten: Path):
    with pytest.raises(InputError) as err:
        load_buurten(three_gemeenten, gemeente=["Proefstad", "Proefsatd", "Nergensdorp"])
    text = str(err.value)
    assert "Proefsatd" in text and "Nergensdorp" in text and "Proefstad" in text
    assert len(err.value.problems) == 2


def test_options_keep_gemeente_for_compatibility():
    options = BuildOptions.create(gemeente="Delft,Rijswijk", buurten="x.geojson")
    assert options.gemeenten == ("Delft", "Rijswijk") and options.gemeente == "Delft"
    assert BuildOptions.create(gemeente="Delft").gemeenten == ("Delft",)
    assert BuildOptions.create().gemeente is None
    assert BuildOptions.create(gemeente=["Delft", "Rijswijk"], buurten="x").describe()["gemeenten"] == [
        "Delft", "Rijswijk"]


def test_wijk_comma_list_and_wijknaam_with_comma(tmp_path: Path):
    rows = [_row("BU09990101", "GM0999", "Proefstad", box(85000, 445000, 86000, 446000), wijk="WK099901"),
            _row("BU09990201", "GM0999", "Proefstad", box(86000, 445000, 87000, 446000), wijk="WK099902"),
            _row("BU09990301", "GM0999", "Proefstad", box(87000, 445000, 88000, 446000), wijk="WK099903")]
    rows[0]["WK_NAAM"] = "Centrum (A, B)"
    rows[1]["WK_NAAM"] = "Noord"
    rows[2]["WK_NAAM"] = "Zuid"
    path = _buurten_file(tmp_path, rows)
    assert len(load_buurten(path, wijken="WK099902,WK099903")) == 2
    assert len(load_buurten(path, wijken=["Centrum (A, B)"])) == 1
    assert len(load_buurten(path, wijken=["Noord, Zuid"])) == 2
    with pytest.raises(InputError, match="wijk niet gevonden"):
        load_buurten(path, wijken="Noord,Westen")


def test_region_from_file_name():
    assert region_from_file("x/haaglanden_buurt.geojson") == "Haaglanden"
    assert region_from_file("amsterdam-amstelland_buurt.geojson") == "Amsterdam-Amstelland"
    assert region_from_file("buurt_2015.geojson") is None
    assert region_from_file("wijkenbuurten_2023_buurten.gpkg") is None
    assert region_from_file("WijkBuurtkaart_2023_v1.gpkg") is None
    assert region_from_file(None) is None


def test_selection_name(three_gemeenten: Path):
    b = load_buurten(three_gemeenten)
    assert selection_name(b.iloc[:2]) == "Proefstad"
    assert selection_name(b.iloc[:3]) == "Proefstad en Den Proef"
    assert selection_name(b) == "Proefstad, Den Proef en 's-Proefhage"
    many = b.assign(gemeentenaam=["A", "B", "C", "D"])
    assert selection_name(many, "haaglanden_buurt.geojson") == "4 gemeenten in Haaglanden"
    assert selection_name(many, "buurten.geojson") == "4 gemeenten"
    assert selection_name(b.assign(gemeentenaam="")) == "eigen gebied"


def test_notes_speak_only_of_the_selection(tmp_path: Path):
    from shapely.geometry import Point

    rows = [_row("BU09990101", "GM0999", "Proefstad", box(85000, 445000, 86000, 446000)),
            _row("BU09980101", "GM0998", "Elders", Point(87000, 445000))]
    rows[1]["AANT_INW"] = "veel"
    path = _buurten_file(tmp_path, rows)
    with collect_notes() as notes:
        load_buurten(path, gemeente="Proefstad")
    assert not any("Elders" in n or "BU09980101" in n or "zonder vlak" in n or "geen getal" in n for n in notes)
    with collect_notes() as notes:
        load_buurten(path, gemeente="Elders")
    assert any("zonder vlak" in n for n in notes)


@pytest.mark.realdata
@pytest.mark.slow
def test_delft_and_rijswijk_combined(shared_data: Path):
    path = shared_data / "cbs-wijkenbuurten-2015" / "haaglanden_buurt.geojson"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AbcdWarning)
        delft = load_buurten(path, gemeente="Delft")
        rijswijk = load_buurten(path, gemeente="Rijswijk")
        both = load_buurten(path, gemeente=["Delft", "Rijswijk"])
        assert len(both) == len(delft) + len(rijswijk)
        assert len(load_buurten(path, gemeente="Delft,Rijswijk")) == len(both)
        result = am.build(buurten=path, gemeente=["Delft", "Rijswijk"])
    assert len(result.buurten) == len(both)
    assert set(result.wijken["gemeentenaam"]) == {"Delft", "Rijswijk"}
    assert result.meta["title"] == "ABCD-kaart Delft en Rijswijk"


def test_online_several_gemeenten_one_pdok_request_each(monkeypatch, three_gemeenten: Path):
    import abcd_map.load.areas as areas_module
    from abcd_map import stages

    every = load_buurten(three_gemeenten)
    asked = []

    def fake_pdok(gemeente: str, *, cache: bool = True):
        asked.append(gemeente)
        part = areas_module.filter_gemeente(every, gemeente)
        return part, areas_module.load_wijken(None, part)

    monkeypatch.setattr(areas_module, "fetch_pdok_buurten", fake_pdok)
    options = BuildOptions.create(online=True, gemeente="Proefstad,Den Proef,GM0999")
    found, _ = stages.load_areas(options, [])
    assert asked == ["Proefstad", "Den Proef", "GM0999"]
    assert len(found) == 3 and found["buurtcode"].is_unique
