"""A corpus of broken asset files: every one names the exact row, column and problem.

Rows are numbered as in Excel: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd
import pytest

from abcd_map.errors import InputError, collect_notes
from abcd_map.load.assets import load_assets, validate_assets

HEADER = "id,naam,soort,lat,lon"
GOOD = ["A1,Buurthuis De Pauw,plek,52.0116,4.3571", "A2,Jan,persoon,52.0120,4.3580"]


def write(tmp_path, text: str, name: str = "assets.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def csv_file(tmp_path, header: str = HEADER, rows: list[str] | None = None):
    rows = GOOD if rows is None else rows
    return write(tmp_path, "\n".join([header, *rows]) + "\n")


def only(problems, row, column, phrase):
    """Assert there is exactly one problem and that it is the expected one."""
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    assert (p.row, p.column) == (row, column), str(p)
    assert phrase in p.message, str(p)
    return p


def checked(path):
    """(problems, notes) of validating ``path``."""
    with collect_notes() as notes:
        problems = validate_assets(path)
    return problems, notes


def only_note(path, text):
    """No problems and exactly this note (``validate`` prints it as 'Let op: ...' and exits 0)."""
    problems, notes = checked(path)
    assert problems == [], [str(p) for p in problems]
    assert notes == [text], notes


# ---------------------------------------------------------------- columns and rows


def test_missing_naam_column(tmp_path):
    path = csv_file(tmp_path, "id,soort,lat,lon", ["A1,plek,52.0116,4.3571"])
    only(validate_assets(path), None, "naam", "verplichte kolom ontbreekt")


def test_empty_naam(tmp_path):
    path = csv_file(tmp_path, rows=[GOOD[0], "A2,,persoon,52.0120,4.3580"])
    only(validate_assets(path), 3, "naam", "naam is leeg")


def test_unknown_soort(tmp_path):
    path = csv_file(tmp_path, rows=["A1,Buurthuis,kabouter,52.0116,4.3571"])
    p = only(validate_assets(path), 2, "soort", "onbekende soort")
    assert p.value == "kabouter"
    assert "openbare ruimte" in p.expected


def test_empty_soort(tmp_path):
    path = csv_file(tmp_path, rows=[GOOD[0], "A2,Jan,,52.0120,4.3580"])
    only(validate_assets(path), 3, "soort", "soort is leeg")


def test_unknown_categorie(tmp_path):
    path = csv_file(tmp_path, HEADER + ",categorie", ["A1,Buurthuis,plek,52.0116,4.3571,sport"])
    only_note(path, "assets.csv, rij 2: onbekende waarde 'sport' in kolom 'categorie'; "
                    "gebruikt: 'fysieke ruimte'.")
    assert load_assets(path)["categorie"].tolist() == ["fysieke_ruimte"]


def test_unknown_fase(tmp_path):
    path = csv_file(tmp_path, HEADER + ",fase", ["A1,Buurthuis,plek,52.0116,4.3571,verliefd"])
    only_note(path, "assets.csv, rij 2: onbekende waarde 'verliefd' in kolom 'fase'; gebruikt: 'onbekend'.")
    assert load_assets(path)["fase"].tolist() == ["onbekend"]


def test_unknown_doelgroep(tmp_path):
    path = csv_file(tmp_path, HEADER + ",doelgroepen", ['A1,Buurthuis,plek,52.0116,4.3571,"senioren; katten"'])
    only_note(path, "assets.csv, rij 2: onbekende waarde 'katten' in kolom 'doelgroepen'; "
                    "weggelaten; de andere doelgroepen blijven staan.")
    assert load_assets(path)["doelgroepen"].tolist() == ["senioren"]


def test_unknown_soort_suggests_the_nearest(tmp_path):
    path = csv_file(tmp_path, rows=["A1,Buurthuis,plekk,52.0116,4.3571"])
    p = only(validate_assets(path), 2, "soort", "onbekende soort (bedoelde je 'plek'?)")
    assert str(p).startswith("assets.csv, rij 2, kolom 'soort': onbekende soort (bedoelde je 'plek'?)")


@pytest.mark.parametrize("value, code", [
    ("fysiek", "fysieke_ruimte"), ("instelling", "instellingen"), ("associatie", "verenigingen"),
    ("vereniging", "verenigingen"), ("Cultuur & verhalen", "cultuur"), ("talenten", "individuen"),
])
def test_categorie_words_people_use(tmp_path, value, code):
    path = csv_file(tmp_path, HEADER + ",categorie", [f"A1,Buurthuis,plek,52.0116,4.3571,{value}"])
    assert checked(path) == ([], [])
    assert load_assets(path)["categorie"].tolist() == [code]


@pytest.mark.parametrize("value, code", [
    ("Organisaties", "organisatie"), ("Vereniging", "initiatief"), ("Buurthuis", "plek")])
def test_soort_words_people_use(tmp_path, value, code):
    path = csv_file(tmp_path, rows=[f"A1,De Pauw,{value},52.0116,4.3571"])
    assert checked(path) == ([], [])
    assert load_assets(path)["soort"].tolist() == [code]


def test_doelgroepen_split_on_en_ampersand_slash(tmp_path):
    path = csv_file(tmp_path, HEADER + ",doelgroepen",
                    ['A1,Buurthuis,plek,52.0116,4.3571,"jongeren en statushouders / ouders & senioren"'])
    assert checked(path) == ([], [])
    assert load_assets(path)["doelgroepen"].tolist() == ["jeugd; nieuwkomers; ouders; senioren"]


def test_capaciteit_as_people_write_it(tmp_path):
    path = csv_file(tmp_path, HEADER + ",capaciteit", [
        "A1,a,plek,52.0116,4.3571,ca. 15", "A2,b,plek,52.0116,4.3571,15-20",
        "A3,c,plek,52.0116,4.3571,onbekend", "A4,d,plek,52.0116,4.3571,12"])
    assert checked(path) == ([], [])
    assert load_assets(path)["capaciteit"].fillna(-1).tolist() == [15.0, 15.0, -1, 12.0]


def test_duplicate_id_names_both_rows(tmp_path):
    path = csv_file(tmp_path, rows=[*GOOD, "a1,Bibliotheek,organisatie,52.0125,4.3600"])
    p = only(validate_assets(path), 4, "id", "id komt dubbel voor")
    assert "rij 2" in p.message and "rij 4" in p.message


def test_empty_id(tmp_path):
    path = csv_file(tmp_path, rows=[GOOD[0], ",Jan,persoon,52.0120,4.3580"])
    only(validate_assets(path), 3, "id", "id is leeg")


# ---------------------------------------------------------------- values


def test_impossible_date(tmp_path):
    path = csv_file(tmp_path, HEADER + ",laatste contact", ["A1,Buurthuis,plek,52.0116,4.3571,31-02-2024"])
    p = only(validate_assets(path), 2, "laatste contact", "datum bestaat niet")
    assert p.value == "31-02-2024"


def test_unreadable_date(tmp_path):
    path = csv_file(tmp_path, HEADER + ",laatste_contact", ["A1,Buurthuis,plek,52.0116,4.3571,gisteren"])
    only(validate_assets(path), 2, "laatste_contact", "geen geldige datum")


def test_future_date(tmp_path):
    path = csv_file(tmp_path, HEADER + ",laatste_contact", ["A1,Buurthuis,plek,52.0116,4.3571,1-1-2099"])
    only(validate_assets(path), 2, "laatste_contact", "datum ligt in de toekomst")


def test_relation_to_missing_id(tmp_path):
    path = csv_file(tmp_path, HEADER + ",relaties",
                    ["A1,Buurthuis,plek,52.0116,4.3571,verwijst naar:A99", "A2,Jan,persoon,52.0120,4.3580,"])
    only(validate_assets(path), 2, "relaties", "relatie naar id 'A99' dat niet in het bestand staat")


def test_unknown_relation_type(tmp_path):
    path = csv_file(tmp_path, HEADER + ",relaties",
                    ["A1,Buurthuis,plek,52.0116,4.3571,is verliefd op:A2; partner van:A2",
                     "A2,Jan,persoon,52.0120,4.3580,"])
    only_note(path, "assets.csv, rij 2: onbekende waarde 'is verliefd op' in kolom 'relaties'; "
                    "weggelaten; de andere relaties blijven staan.")
    assert load_assets(path)["relaties"].tolist() == ["partner_van:A2", ""]


def test_unknown_relation_type_to_missing_id_is_still_an_error(tmp_path):
    path = csv_file(tmp_path, HEADER + ",relaties", ["A1,Buurthuis,plek,52.0116,4.3571,is verliefd op:A9"])
    only(validate_assets(path), 2, "relaties", "relatie naar id 'A9' dat niet in het bestand staat")


def test_unreadable_relation(tmp_path):
    path = csv_file(tmp_path, HEADER + ",relaties",
                    ["A1,Buurthuis,plek,52.0116,4.3571,A2", "A2,Jan,persoon,52.0120,4.3580,"])
    only(validate_assets(path), 2, "relaties", "relatie niet leesbaar")


def test_non_numeric_capaciteit(tmp_path):
    path = csv_file(tmp_path, HEADER + ",capaciteit", ["A1,Buurthuis,plek,52.0116,4.3571,veel"])
    p = only(validate_assets(path), 2, "capaciteit", "geen getal")
    assert p.expected == "een aantal, bijv. 25, ca. 25, 20-25 of onbekend"


def test_negative_capaciteit(tmp_path):
    path = csv_file(tmp_path, HEADER + ",capaciteit", ["A1,Buurthuis,plek,52.0116,4.3571,-5"])
    only(validate_assets(path), 2, "capaciteit", "capaciteit kan niet negatief zijn")


def test_bad_email(tmp_path):
    path = csv_file(tmp_path, HEADER + ",e-mail", ["A1,Buurthuis,plek,52.0116,4.3571,info at pauw.nl"])
    only(validate_assets(path), 2, "e-mail", "lijkt geen e-mailadres")


def test_bad_website(tmp_path):
    path = csv_file(tmp_path, HEADER + ",website", ["A1,Buurthuis,plek,52.0116,4.3571,zie folder"])
    only(validate_assets(path), 2, "website", "lijkt geen webadres")


def test_bad_boolean(tmp_path):
    path = csv_file(tmp_path, HEADER + ",toestemming", [GOOD[0] + ",", GOOD[1] + ",misschien"])
    p = only(validate_assets(path), 3, "toestemming", "geen ja/nee-waarde")
    assert p.value == "misschien"


# ---------------------------------------------------------------- locations


def test_swapped_lat_lon(tmp_path):
    path = csv_file(tmp_path, "id,naam,soort,Breedtegraad,Lengtegraad",
                    [GOOD[0], "A2,Jan,persoon,4.3580,52.0120"])
    p = only(validate_assets(path), 3, "Breedtegraad", "breedte- en lengtegraad lijken verwisseld")
    assert "'Breedtegraad' en 'Lengtegraad'" in p.message


def test_swapped_rd_x_y(tmp_path):
    path = csv_file(tmp_path, "id,naam,soort,x,y", ["A1,Buurthuis,plek,447000,85000"])
    only(validate_assets(path), 2, "y", "x en y lijken verwisseld")


def test_point_in_paris(tmp_path):
    path = csv_file(tmp_path, rows=[GOOD[0], "A2,Tour Eiffel,plek,48.8584,2.2945"])
    p = only(validate_assets(path), 3, "lat", "punt ligt buiten Nederland")
    assert p.value == "48.8584, 2.2945"


def test_lat_without_lon_in_a_row(tmp_path):
    path = csv_file(tmp_path, rows=[GOOD[0], "A2,Jan,persoon,52.0120,"])
    only(validate_assets(path), 3, "lon", "'lat' is ingevuld maar 'lon' is leeg")


def test_lat_column_without_lon_column(tmp_path):
    path = csv_file(tmp_path, "id,naam,soort,lat", ["A1,Buurthuis,plek,52.0116"])
    only(validate_assets(path), None, "lat", "kolom 'lon' ontbreekt")


def test_non_numeric_coordinate(tmp_path):
    path = csv_file(tmp_path, rows=["A1,Buurthuis,plek,52.0116,oost"])
    only(validate_assets(path), 2, "lon", "geen getal")


def test_no_location_columns(tmp_path):
    path = csv_file(tmp_path, "id,naam,soort", ["A1,Buurthuis,plek"])
    only(validate_assets(path), None, None, "geen kolommen voor de locatie")


def test_row_without_any_location(tmp_path):
    path = csv_file(tmp_path, rows=[GOOD[0], "A2,Jan,persoon,,"])
    only(validate_assets(path), 3, None, "geen locatie")


def test_address_without_coordinates(tmp_path):
    path = csv_file(tmp_path, HEADER + ",adres", [GOOD[0] + ",", "A2,Bibliotheek,organisatie,,,Markt 1 Delft"])
    p = only(validate_assets(path), 3, "adres", "adres zonder coördinaten")
    assert "--online" in p.message


def test_geojson_polygon_is_a_problem(tmp_path):
    features = [
        {"type": "Feature", "properties": {"id": "A1", "naam": "Park", "soort": "openbare ruimte"},
         "geometry": {"type": "Polygon", "coordinates": [[[4.35, 52.0], [4.36, 52.0], [4.36, 52.01], [4.35, 52.0]]]}},
        {"type": "Feature", "properties": {"id": "A2", "naam": "Bank", "soort": "plek"},
         "geometry": {"type": "Point", "coordinates": [4.3571, 52.0116]}},
    ]
    path = write(tmp_path, json.dumps({"type": "FeatureCollection", "features": features}), "a.geojson")
    only(validate_assets(path), 1, "geometry", "geometrie is geen punt maar Polygon")


def test_geojson_swapped_coordinates(tmp_path):
    features = [{"type": "Feature", "properties": {"naam": "Bank", "soort": "plek"},
                 "geometry": {"type": "Point", "coordinates": [52.0116, 4.3571]}}]
    path = write(tmp_path, json.dumps({"type": "FeatureCollection", "features": features}), "a.geojson")
    only(validate_assets(path), 1, "geometry", "breedte- en lengtegraad lijken verwisseld")


# ---------------------------------------------------------------- files


def test_empty_file(tmp_path):
    path = write(tmp_path, "")
    only(validate_assets(path), None, None, "het bestand is leeg")


def test_blank_lines_only(tmp_path):
    path = write(tmp_path, "\n\n  \n")
    only(validate_assets(path), None, None, "het bestand is leeg")


def test_header_only(tmp_path):
    path = write(tmp_path, HEADER + "\n")
    only(validate_assets(path), None, None, "alleen een kopregel")


def test_unknown_extension(tmp_path):
    path = write(tmp_path, "hallo", "assets.docx")
    p = only(validate_assets(path), None, None, "onbekend bestandstype '.docx'")
    assert ".xlsx" in p.expected


def test_missing_file(tmp_path):
    only(validate_assets(tmp_path / "bestaat-niet.csv"), None, None, "bestand niet gevonden")


def test_corrupt_xlsx(tmp_path):
    path = write(tmp_path, "dit is geen excel", "assets.xlsx")
    only(validate_assets(path), None, None, "kan het Excel-bestand niet openen")


def test_invalid_geojson(tmp_path):
    path = write(tmp_path, "{ niet af", "assets.geojson")
    only(validate_assets(path), None, None, "kan het bestand niet lezen")


def test_comma_csv_with_unquoted_decimal_comma(tmp_path):
    path = csv_file(tmp_path, rows=[GOOD[0], "A2,Jan,persoon,52,0120,4,3580"])
    problems = validate_assets(path)
    assert any(p.row == 3 and "meer waarden dan er kolommen" in p.message for p in problems)


def test_xlsx_with_bad_date_cell(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "naam", "soort", "lat", "lon", "laatste contact"])
    ws.append(["A1", "Buurthuis", "Plek", 52.0116, 4.3571, datetime(2024, 3, 1)])
    ws.append(["A2", "Jan", "Persoon", 52.0120, 4.3580, "31-02-2024"])
    path = tmp_path / "assets.xlsx"
    wb.save(path)
    only(validate_assets(path), 3, "laatste contact", "datum bestaat niet")


# ---------------------------------------------------------------- not broken


def test_cp1252_file_loads_with_accents(tmp_path):
    path = tmp_path / "assets.csv"
    path.write_bytes("id;naam;soort;lat;lon\nA1;Café Élan;plek;52,0116;4,3571\n".encode("cp1252"))
    assert validate_assets(path) == []
    assets = load_assets(path)
    assert assets["naam"].tolist() == ["Café Élan"]


def test_semicolon_with_decimal_comma_loads(tmp_path):
    path = write(tmp_path, "id;naam;soort;lat;lon;capaciteit\nA1;Buurthuis;plek;52,0116;4,3571;12,5\n")
    assets = load_assets(path)
    assert assets["capaciteit"].tolist() == [12.5]
    assert assets.to_crs(4326).geometry.y.round(4).tolist() == [52.0116]


# ---------------------------------------------------------------- all at once


def test_several_problems_reported_at_once(tmp_path):
    path = csv_file(tmp_path, HEADER + ",toestemming,laatste_contact,relaties", [
        "A1,Buurthuis,kabouter,52.0116,4.3571,,31-02-2024,",
        "A1,,persoon,4.3580,52.0120,misschien,,partner van:A9",
        "A3,Tour Eiffel,plek,48.8584,2.2945,,,",
    ])
    problems = validate_assets(path)
    found = {(p.row, p.column, p.message.split(" (")[0]) for p in problems}
    assert found == {
        (2, "soort", "onbekende soort"),
        (2, "laatste_contact", "deze datum bestaat niet"),
        (3, "id", "id komt dubbel voor"),
        (3, "naam", "naam is leeg"),
        (3, "toestemming", "geen ja/nee-waarde"),
        (3, "relaties", "relatie naar id 'A9' dat niet in het bestand staat"),
        (3, "lat", "breedte- en lengtegraad lijken verwisseld"),
        (4, "lat", "punt ligt buiten Nederland"),
    }
    # sorted by row
    assert [p.row for p in problems] == sorted(p.row for p in problems)
    with pytest.raises(InputError) as info:
        load_assets(path)
    assert info.value.problems == problems
    assert str(info.value).startswith("Er zijn 8 problemen in de invoer:")
    assert "assets.csv, rij 3, kolom 'naam': naam is leeg" in str(info.value)


def test_validate_and_load_agree_on_a_good_file(tmp_path):
    path = csv_file(tmp_path)
    assert validate_assets(path) == []
    assert len(load_assets(path)) == 2


def test_dates_in_all_accepted_forms(tmp_path):
    path = csv_file(tmp_path, HEADER + ",laatste_contact", [
        "A1,a,plek,52.0116,4.3571,2024-03-01", "A2,b,plek,52.0116,4.3571,1-3-2024",
        "A3,c,plek,52.0116,4.3571,01/03/2024", "A4,d,plek,52.0116,4.3571,"])
    dates = load_assets(path)["laatste_contact"]
    assert [d.date() if d == d else None for d in dates] == [date(2024, 3, 1)] * 3 + [None]


# ------------------------------------------------------------------ Excel's habits (found by QA)
def test_utf16_unicode_text_from_excel_loads(tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_text("id\tnaam\tsoort\tlat\tlon\nA1\tCafé Één\tplek\t52,0100\t4,3600\n", encoding="utf-16")
    assets = load_assets(path)
    assert assets["naam"].tolist() == ["Café Één"]


def test_sep_line_names_the_separator(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\nid;naam;soort;lat;lon\nA1;Buurthuis;plek;52,01;4,36\nA2;;plek;52,01;4,36\n",
                    encoding="utf-8")
    problems = validate_assets(path)
    assert len(problems) == 1 and problems[0].row == 4 and problems[0].column == "naam"


def test_title_row_above_the_header(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Assets wijk Voorhof"])
    ws.merge_cells("A1:E1")
    ws.append(["id", "naam", "soort", "lat", "lon"])
    ws.append(["A1", "Buurthuis", "plek", 52.01, 4.36])
    ws.append(["A2", "Moestuin", "tuin", 52.01, 4.36])
    path = tmp_path / "titel.xlsx"
    wb.save(path)
    problems = validate_assets(path)
    assert [(p.row, p.column) for p in problems] == [(4, "soort")]


def test_formula_without_stored_result(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "naam", "soort", "lat", "lon"])
    ws.append(["A1", "Buurthuis", "plek", 52.01, "=4+0.36"])
    path = tmp_path / "formule.xlsx"
    wb.save(path)
    problems = validate_assets(path)
    assert len(problems) == 1 and problems[0].row == 2 and problems[0].column == "kolom E (lon)"
    assert "formule zonder berekende waarde" in problems[0].message


def test_unreadable_opening_times_are_noted_by_row_not_rejected(tmp_path):
    import warnings

    path = tmp_path / "tijden.csv"
    path.write_text("id,naam,soort,wanneer,lat,lon\nA1,Soos,plek,elke woensdag 10-12,52.01,4.36\n"
                    "A2,Tuin,openbare ruimte,als het mooi weer is,52.01,4.36\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assets = load_assets(path)
    assert len(assets) == 2
    notes = [str(w.message) for w in caught if "openingstijden" in str(w.message)]
    assert len(notes) == 1 and "rij 3, kolom 'wanneer'" in notes[0] and "mooi weer" in notes[0]


def test_rd_with_thousands_dots_gets_a_hint(tmp_path):
    path = tmp_path / "rd.csv"
    path.write_text("id,naam,soort,x,y\nA1,Een,plek,84.600,447.100\nA2,Parijs,plek,2.35,48.85\n", encoding="utf-8")
    problems = validate_assets(path)
    assert [p.row for p in problems] == [2, 3]
    assert "duizendtallen" in problems[0].expected and "duizendtallen" not in problems[1].expected


# ------------------------------------------------------------------ Excel as people use it (issue 12)
def workbook(rows, title="assets"):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    return wb, ws


XLSX_HEADER = ["id", "naam", "soort", "lat", "lon"]


def test_hidden_row_is_not_read(tmp_path):
    wb, ws = workbook([XLSX_HEADER, ["A1", "Buurthuis", "plek", 52.0116, 4.3571],
                       ["A2", "Soos OPGEHEVEN", "plek", 52.0120, 4.3580],
                       ["A3", "Tuin", "openbare ruimte", 52.0125, 4.3590]])
    ws.row_dimensions[3].hidden = True
    path = tmp_path / "lijst.xlsx"
    wb.save(path)
    only_note(path, "lijst.xlsx: rij 3 is verborgen of weggefilterd en niet gelezen; maak ze zichtbaar "
                    "(of zet het filter uit) als ze mee moeten doen.")
    assets = load_assets(path)
    assert assets["naam"].tolist() == ["Buurthuis", "Tuin"]
    assert assets.attrs["source_rows"] == [2, 4]


def test_rows_filtered_out_by_an_autofilter_are_not_read(tmp_path):
    wb, ws = workbook([XLSX_HEADER] + [[f"A{i}", f"Plek {i}", "plek", 52.01, 4.36] for i in range(1, 9)])
    ws.auto_filter.ref = "A1:E9"
    ws.auto_filter.add_filter_column(1, ["Plek 1", "Plek 2", "Plek 3", "Plek 4", "Plek 5", "Plek 7"])
    for row in (7, 9):  # Excel stores the rows its filter hides as hidden rows
        ws.row_dimensions[row].hidden = True
    path = tmp_path / "lijst.xlsx"
    wb.save(path)
    problems, notes = checked(path)
    assert problems == []
    assert notes == ["lijst.xlsx: rij 7, 9 zijn verborgen of weggefilterd en niet gelezen; maak ze zichtbaar "
                     "(of zet het filter uit) als ze mee moeten doen."]
    assert len(load_assets(path)) == 6


def test_sheet_with_the_template_headers_is_read(tmp_path):
    wb, ws = workbook([["Notities van het team"], ["bellen met de soos"]], title="Blad1")
    data = wb.create_sheet("Mijn lijst")
    for row in [XLSX_HEADER, ["A1", "Buurthuis", "plek", 52.0116, 4.3571]]:
        data.append(row)
    wb.create_sheet("Uitleg").append(["wordt overgeslagen"])
    path = tmp_path / "lijst.xlsx"
    wb.save(path)
    only_note(path, "lijst.xlsx: blad 'Mijn lijst' is gelezen (daar staan de kolomnamen van het sjabloon); "
                    "blad 'Blad1' niet.")
    assert load_assets(path)["naam"].tolist() == ["Buurthuis"]


def test_duplicate_header_names_the_real_column(tmp_path):
    path = csv_file(tmp_path, "id,naam,soort,naam,lat,lon", ["A1,Buurthuis,plek,Soos,52.0116,4.3571"])
    only_note(path, "assets.csv: kolom 'naam' (kolom D) staat er dubbel naast kolom 'naam' (kolom B); "
                    "alleen kolom 'naam' (kolom B) is gelezen.")
    assert load_assets(path)["naam"].tolist() == ["Buurthuis"]


def test_unknown_column_is_named_with_its_letter(tmp_path):
    path = csv_file(tmp_path, "id,naam,soort,lat,lon,schoenmaat", ["A1,Buurthuis,plek,52.0116,4.3571,42"])
    only_note(path, "assets.csv: kolom(men) 'schoenmaat' (kolom F) onbekend en daarom niet gebruikt.")


def test_ods_says_save_as_xlsx_or_csv(tmp_path):
    path = write(tmp_path, "PK", "lijst.ods")
    p = only(validate_assets(path), None, None, "onbekend bestandstype '.ods'; sla op als .xlsx of .csv")
    assert str(p).startswith("lijst.ods: onbekend bestandstype '.ods'; sla op als .xlsx of .csv")


def test_excel_lock_file(tmp_path):
    path = tmp_path / "~$lijst.xlsx"
    path.write_bytes(b"\x06Ellen  " + b"\x00" * 150)
    p = only(validate_assets(path), None, None,
             "dit is een tijdelijk vergrendelbestand van Excel (~$lijst.xlsx); kies het echte bestand")
    assert p.expected == "het bestand zonder '~$' ervoor, bijv. 'lijst.xlsx'"


# ------------------------------------------------------------------ Dutch Excel ate the decimal point
def test_one_latitude_without_decimal_separator_is_an_error_of_its_cell(tmp_path):
    path = csv_file(tmp_path, rows=[*GOOD, "A3,Soos,plek,520062,4.3571"])
    p = only(validate_assets(path), 4, "lat", "520062 is geen breedtegraad; bedoelde je 52,0062? "
                                              "Controleer het decimaalteken")
    assert str(p).startswith("assets.csv, rij 4, kolom 'lat': 520062 is geen breedtegraad; "
                             "bedoelde je 52,0062? Controleer het decimaalteken")


def test_both_coordinates_without_decimal_separator(tmp_path):
    path = csv_file(tmp_path, "id,naam,soort,Breedtegraad,Lengtegraad", [*GOOD, "A3,Soos,plek,520062,43571"])
    problems = validate_assets(path)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (4, "Breedtegraad", "520062 is geen breedtegraad; bedoelde je 52,0062? Controleer het decimaalteken"),
        (4, "Lengtegraad", "43571 is geen lengtegraad; bedoelde je 4,3571? Controleer het decimaalteken"),
    ]


def test_longitude_without_decimal_separator(tmp_path):
    path = csv_file(tmp_path, rows=[*GOOD, "A3,Soos,plek,52.0062,43571"])
    only(validate_assets(path), 4, "lon", "43571 is geen lengtegraad; bedoelde je 4,3571? "
                                          "Controleer het decimaalteken")


def test_rd_file_with_one_degrees_row_still_reads_as_rd(tmp_path):
    path = csv_file(tmp_path, "id,naam,soort,x,y", ["A1,a,plek,84600,447100", "A2,b,plek,84700,447200",
                                                   "A3,c,plek,52.0116,4.3571"])
    problems, notes = checked(path)
    assert [(p.row, p.column) for p in problems] == [(4, "y")]  # swapped degrees in x/y: as before


# ------------------------------------------------------------------ dates
def test_ambiguous_slash_date_is_read_day_first_with_a_note(tmp_path):
    path = csv_file(tmp_path, HEADER + ",laatste_contact", ["A1,Buurthuis,plek,52.0116,4.3571,10/1/2026"])
    only_note(path, "assets.csv, rij 2: datum '10/1/2026' gelezen als 10 januari 2026 (dag/maand/jaar); "
                    "was het 1 oktober 2026, schrijf dan 2026-10-01 (kolom 'laatste_contact').")
    assert load_assets(path)["laatste_contact"].tolist() == [pd.Timestamp(2026, 1, 10)]


@pytest.mark.parametrize("text", ["10-1-2026", "13/1/2026", "1/1/2026", "2026-01-10"])
def test_unambiguous_dates_need_no_note(tmp_path, text):
    path = csv_file(tmp_path, HEADER + ",laatste_contact", [f"A1,Buurthuis,plek,52.0116,4.3571,{text}"])
    assert checked(path) == ([], [])


def test_laatste_contact_is_a_date_without_time(tmp_path):
    path = csv_file(tmp_path, HEADER + ",laatste_contact", ["A1,Buurthuis,plek,52.0116,4.3571,2024-03-01 14:30",
                                                           "A2,Jan,persoon,52.0120,4.3580,"])
    dates = load_assets(path)["laatste_contact"]
    assert str(dates.dtype) == "datetime64[ns]"
    assert dates.iloc[0] == pd.Timestamp(2024, 3, 1) and pd.isna(dates.iloc[1])


def test_every_coordinate_without_decimal_separator(tmp_path):
    """A whole file typed in a Dutch Excel: as RD these points lie in the North Sea."""
    path = csv_file(tmp_path, rows=["A1,Buurthuis,plek,520116,43571", "A2,Jan,persoon,52012,4358"])
    problems = validate_assets(path)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (2, "lat", "520116 is geen breedtegraad; bedoelde je 52,0116? Controleer het decimaalteken"),
        (2, "lon", "43571 is geen lengtegraad; bedoelde je 4,3571? Controleer het decimaalteken"),
        (3, "lat", "52012 is geen breedtegraad; bedoelde je 52,012? Controleer het decimaalteken"),
        (3, "lon", "4358 is geen lengtegraad; bedoelde je 4,358? Controleer het decimaalteken"),
    ]


def test_excel_numbers_without_decimal_separator(tmp_path):
    wb, _ = workbook([XLSX_HEADER, ["A1", "Buurthuis", "plek", 52.0116, 4.3571],
                      ["A2", "Tuin", "plek", 52.0120, 4.3580], ["A3", "Soos", "plek", 520062, 4.3571]])
    path = tmp_path / "lijst.xlsx"
    wb.save(path)
    only(validate_assets(path), 4, "lat", "520062 is geen breedtegraad; bedoelde je 52,0062?")


def test_same_note_on_many_rows_is_said_once(tmp_path):
    rows = [f"A{i},Plek {i},plek,52.0116,4.3571,sport" for i in range(1, 14)]
    path = csv_file(tmp_path, HEADER + ",categorie", rows)
    only_note(path, "assets.csv, rij 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 en nog 3 rijen: onbekende waarde 'sport' "
                    "in kolom 'categorie'; gebruikt: 'fysieke ruimte'.")
