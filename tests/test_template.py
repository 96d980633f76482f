"""The asset template that `abcd-map init` writes: it loads back and guides the user."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from abcd_map import schema
from abcd_map.errors import InputError, collect_notes
from abcd_map.load.assets import load_assets, validate_assets
from abcd_map.template import TEMPLATE_CSV, TEMPLATE_XLSX, template_columns, write_template


@pytest.fixture()
def written(tmp_path):
    return write_template(tmp_path)


def test_writes_both_files(written, tmp_path):
    assert written == [tmp_path / TEMPLATE_XLSX, tmp_path / TEMPLATE_CSV]
    assert all(p.is_file() for p in written)
    assert not list(tmp_path.glob("*.tmp"))


def test_columns_are_canonical_minus_internal_ones():
    columns = template_columns()
    assert columns[:3] == ["id", "naam", "soort"]
    for internal in ("label", "osm_id", "herkomst", "standaard_zichtbaar", "kleine_plek"):
        assert internal not in columns
    assert set(schema.ASSET_COLUMNS) - {"label", "osm_id", "herkomst", "standaard_zichtbaar",
                                        "kleine_plek"} <= set(columns)
    assert {"lat", "lon", "x", "y"} <= set(columns)


@pytest.mark.parametrize("which", [0, 1], ids=["xlsx", "csv"])
def test_round_trip_without_problems(written, which):
    path = written[which]
    assert validate_assets(path) == []
    with collect_notes() as notes:
        assets = load_assets(path)
    # every column is known and ids are given; the only note says the example rows are still there
    assert len(notes) == 1 and "rij 2, 3, 4, 5, 6 zijn voorbeeldrijen" in notes[0]
    assert len(assets) == 5
    assert sorted(assets["soort"]) == sorted(schema.codes("soort"))
    person = assets[assets["soort"] == "persoon"].iloc[0]
    assert not person["toestemming"] and not person["openbaar"] and person["adres"] == ""
    assert assets["laatste_contact"].iloc[0] == pd.Timestamp("2024-03-01")
    assert assets["relaties"].iloc[0] == "partner_van:A03"


def test_csv_is_semicolon_with_bom_for_dutch_excel(written):
    raw = written[1].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].split(b"\r\n")[0].decode()
    assert header.split(";") == template_columns()
    assert ";52,0116;4,3571;" in raw.decode("utf-8-sig")


def test_refuses_to_overwrite(written, tmp_path):
    with pytest.raises(InputError) as info:
        write_template(tmp_path)
    assert len(info.value.problems) == 2
    assert "bestaat al" in str(info.value)
    assert write_template(tmp_path, overwrite=True) == written


def test_uitleg_sheet_explains_every_column(written):
    wb = load_workbook(written[0])
    assert wb.sheetnames == ["assets", "Uitleg"]
    rows = list(wb["Uitleg"].iter_rows(values_only=True))
    table = {r[0]: r for r in rows[4:]}
    assert list(table) == template_columns()
    descriptions = schema.column_table().query("table == 'assets'").set_index("column")["description_nl"]
    for column in template_columns():
        assert table[column][1] == descriptions[column]
    assert table["soort"][2] == "Persoon, Initiatief, Organisatie, Plek, Openbare ruimte"
    assert "In gesprek" in table["fase"][2]
    assert "Senioren" in table["doelgroepen"][2]
    assert "Verwijst naar" in table["relaties"][2]
    assert table["inloop"][2] == "ja, nee"


def test_drop_down_lists_on_the_right_columns(written):
    ws = load_workbook(written[0])["assets"]
    letter = {get_column_letter(j): name for j, name in enumerate(template_columns(), start=1)}
    found = {}
    for validation in ws.data_validations.dataValidation:
        assert validation.type == "list"
        for cell_range in validation.sqref.ranges:
            col = get_column_letter(cell_range.min_col)
            assert cell_range.min_col == cell_range.max_col and cell_range.min_row == 2
            found[letter[col]] = validation.formula1
    assert set(found) == {"soort", "categorie", "fase", "inloop", "toestemming", "openbaar", "ontmoetingsplek"}
    assert found["soort"] == '"Persoon,Initiatief,Organisatie,Plek,Openbare ruimte"'
    assert "Fysieke ruimte" in found["categorie"] and "Ontvangend" in found["fase"]
    assert found["toestemming"] == '"ja,nee"'


def test_date_format_on_laatste_contact(written):
    ws = load_workbook(written[0])["assets"]
    col = template_columns().index("laatste_contact") + 1
    assert ws.cell(row=2, column=col).number_format == "d-m-yyyy"
    assert ws.cell(row=2, column=col).is_date


def test_filled_in_by_a_user_validates(written):
    wb = load_workbook(written[0])
    ws = wb["assets"]
    typed = {"id": "A06", "naam": "Repair Café De Schroevendraaier", "soort": "Initiatief",
             "categorie": "Economie", "doelgroepen": "Iedereen, Senioren", "inloop": "Ja",
             "wanneer": "elke eerste zaterdag van de maand", "laatste_contact": "12-3-2024",
             "fase": "In gesprek", "lat": "52,0140", "lon": "4,3560", "capaciteit": "20",
             "relaties": "Partner van:A01; verwijst naar:A04", "email": "repair@voorbeeld.example"}
    ws.append([typed.get(c) for c in template_columns()])
    wb.save(written[0])
    assert validate_assets(written[0]) == []
    assets = load_assets(written[0])
    assert assets.attrs["source_rows"] == [2, 3, 4, 5, 6, 7]
    row = assets.iloc[-1]
    assert (row["soort"], row["categorie"], row["fase"]) == ("initiatief", "economie", "in_gesprek")
    assert row["laatste_contact"] == pd.Timestamp("2024-03-12")
    assert row["doelgroepen"] == "iedereen; senioren" and row["inloop"]
    assert row["relaties"] == "partner_van:A01; verwijst_naar:A04"


def test_xlsx_header_row_is_frozen_and_columns_fit(written):
    from abcd_map.template import EXAMPLES, MAX_WIDTH

    ws = load_workbook(written[0])["assets"]
    assert ws.freeze_panes == "C2"  # header row (and id, naam) stay in view while scrolling
    for j, column in enumerate(template_columns(), start=1):
        width = ws.column_dimensions[get_column_letter(j)].width
        longest = max([len(str(row.get(column, ""))) for row in EXAMPLES if column != "laatste_contact"] + [0])
        assert width >= len(column) + 2, column
        assert width >= min(MAX_WIDTH, longest), column
        assert width <= MAX_WIDTH
