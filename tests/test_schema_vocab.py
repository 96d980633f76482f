"""Vocabulary that meets people halfway: synonyms, plurals, suggestions, defaults, capaciteit."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from abcd_map import schema


# --------------------------------------------------------------------------- data files


def test_vocabulary_data_files_are_consistent():
    assert schema.vocabulary_problems() == []


def test_a_synonym_pointing_at_a_missing_code_is_reported(monkeypatch):
    table = pd.concat([schema.synonyms(), pd.DataFrame([{
        "field": "categorie", "synonym": "sportclubs", "code": "sport", "note_nl": ""}])])
    schema.reload_vocabulary()
    monkeypatch.setattr(schema, "synonyms", lambda: table)
    try:
        problems = schema.vocabulary_problems()
    finally:
        monkeypatch.undo()
        schema.reload_vocabulary()
    assert len(problems) == 1 and "onbekende code 'sport'" in problems[0]


def test_synonyms_file_has_the_documented_columns():
    table = schema.synonyms()
    assert list(table.columns) == ["field", "synonym", "code", "note_nl"]
    assert not table.duplicated(["field", "synonym"]).any()
    assert (table["synonym"].str.strip() != "").all()


@pytest.mark.parametrize("row", schema.synonyms().to_dict("records"),
                         ids=lambda r: f"{r['field']}:{r['synonym']}")
def test_every_synonym_round_trips(row):
    assert schema.parse_value(row["field"], row["synonym"]) == row["code"]
    assert schema.parse_value(row["field"], row["synonym"].upper()) == row["code"]


@pytest.mark.parametrize("field", sorted(schema.field_policies().index))
def test_codes_and_labels_still_parse(field):
    for code in schema.codes(field):
        for text in (code, code.replace("_", " "), schema.label(field, code),
                     schema.label(field, code, "en"), schema.label(field, code).upper()):
            assert schema.parse_value(field, text) == code, text


# --------------------------------------------------------------------------- measured cases


@pytest.mark.parametrize("field,text,code", [
    ("categorie", "fysiek", "fysieke_ruimte"),
    ("categorie", "instelling", "instellingen"),
    ("categorie", "associatie", "verenigingen"),
    ("categorie", "vereniging", "verenigingen"),
    ("categorie", "Cultuur & verhalen", "cultuur"),
    ("categorie", "talenten", "individuen"),
    ("soort", "Organisaties", "organisatie"),
    ("soort", "Vereniging", "initiatief"),
    ("soort", "Buurthuis", "plek"),
    ("doelgroep", "jongeren", "jeugd"),
    ("doelgroep", "statushouders", "nieuwkomers"),
])
def test_measured_rejections_now_parse(field, text, code):
    assert schema.parse_value(field, text) == code


@pytest.mark.parametrize("field,text,code", [
    # plural and singular, Dutch and English
    ("categorie", "Fysieke ruimtes", "fysieke_ruimte"),
    ("categorie", "Associaties", "verenigingen"),
    ("categorie", "institutie", "instellingen"),
    ("categorie", "talent", "individuen"),
    ("categorie", "Culture & stories", "cultuur"),
    ("categorie", "cultuur en verhalen", "cultuur"),
    ("categorie", "Cultuur/verhalen", "cultuur"),
    ("categorie", "Verenigingen & initiatieven", "verenigingen"),
    ("categorie", "economy", "economie"),
    ("soort", "personen", "persoon"),
    ("soort", "plekken", "plek"),
    ("soort", "buurthuizen", "plek"),
    ("soort", "Initiatieven", "initiatief"),
    ("soort", "Openbare ruimtes", "openbare_ruimte"),
    ("soort", "places", "plek"),
    ("soort", "organisations", "organisatie"),
    ("doelgroep", "senior", "senioren"),
    ("doelgroep", "Seniors", "senioren"),
    ("doelgroep", "jongere", "jeugd"),
    ("doelgroep", "statushouder", "nieuwkomers"),
    ("doelgroep", "kind", "kinderen"),
    ("doelgroep", "mantelzorger", "mantelzorgers"),
    ("doelgroep", "eenzame", "eenzamen"),
    ("doelgroep", "65+", "senioren"),
    ("fase", "in-gesprek", "in_gesprek"),
    ("fase", "Welcoming", "ontvangend"),
    ("relatie", "partner", "partner_van"),
    ("relatie", "refers to", "verwijst_naar"),
])
def test_plurals_english_and_punctuation(field, text, code):
    assert schema.parse_value(field, text) == code


def test_ouderen_are_seniors_and_ouders_are_parents():
    assert schema.parse_value("doelgroep", "ouderen") == "senioren"
    assert schema.parse_value("doelgroep", "oudere") == "senioren"
    assert schema.parse_value("doelgroep", "ouders") == "ouders"
    assert schema.parse_value("doelgroep", "ouder") == "ouders"


@pytest.mark.parametrize("field,text", [
    ("categorie", "sport"), ("soort", "katten"), ("doelgroep", "katten"), ("fase", "half"),
    ("relatie", "is verliefd op"), ("categorie", ""),
])
def test_unknown_values_stay_unknown(field, text):
    assert schema.parse_value(field, text) is None


def test_modus_stays_exact():
    # the privacy mode is chosen on purpose: no synonyms, no plural rule
    assert schema.parse_value("modus", "team") == "team"
    assert schema.parse_value("modus", "Publiek") == "publiek"
    assert schema.parse_value("modus", "teams") is None
    assert not schema.synonyms().query("field == 'modus'").shape[0]


# --------------------------------------------------------------------------- suggestions


@pytest.mark.parametrize("field,text,hint", [
    ("categorie", "fysike ruimte", "fysieke ruimte"),
    ("categorie", "vereenigingen", "verenigingen en initiatieven"),
    ("soort", "organsatie", "organisatie"),
    ("doelgroep", "senoiren", "senioren"),
    ("fase", "ontvangnd", "ontvangend"),
])
def test_suggest_near_misses(field, text, hint):
    assert schema.suggest(field, text) == hint
    assert schema.did_you_mean(field, text) == f"bedoelde je '{hint}'?"


@pytest.mark.parametrize("field,text", [("categorie", "sport"), ("doelgroep", "katten"),
                                        ("soort", "xyz"), ("fase", "")])
def test_no_suggestion_when_nothing_is_near(field, text):
    assert schema.suggest(field, text) is None
    assert schema.did_you_mean(field, text) == ""


def test_display_label_keeps_acronyms():
    assert schema.display_label("categorie", "fysieke_ruimte") == "fysieke ruimte"
    assert schema.display_label("doelgroep", "ggz").endswith("(GGZ)")


# --------------------------------------------------------------------------- defaults


def test_required_and_optional_fields():
    assert schema.is_required("soort")
    assert schema.is_required("modus")
    for field in ("categorie", "fase", "doelgroep", "relatie"):
        assert not schema.is_required(field)
    assert schema.DEFAULTS == {"categorie": "", "fase": "onbekend", "doelgroep": "", "relatie": ""}


def test_parse_or_default_known_and_empty_values_have_no_note():
    assert schema.parse_or_default("categorie", "Cultuur & verhalen") == ("cultuur", None)
    assert schema.parse_or_default("fase", "") == ("onbekend", None)
    assert schema.parse_or_default("fase", None) == ("onbekend", None)
    assert schema.parse_or_default("fase", float("nan")) == ("onbekend", None)
    assert schema.parse_or_default("fase", "?") == ("onbekend", None)
    assert schema.parse_or_default("categorie", "", default="instellingen") == ("instellingen", None)


def test_parse_or_default_unknown_value_falls_back_with_a_note():
    code, note = schema.parse_or_default("fase", "halverwege")
    assert code == "onbekend"
    assert note == "onbekende waarde 'halverwege' in kolom 'fase'; gebruikt: 'onbekend'"


def test_parse_or_default_names_the_suggestion():
    code, note = schema.parse_or_default("categorie", "fysike ruimt", default="instellingen")
    assert code == "instellingen"
    assert note == ("onbekende waarde 'fysike ruimt' in kolom 'categorie'; gebruikt: 'instellingen' "
                    "(bedoelde je 'fysieke ruimte'?)")


def test_parse_or_default_without_row_default_uses_the_soort_rule():
    code, note = schema.parse_or_default("categorie", "sport")
    assert code == ""
    assert note == ("onbekende waarde 'sport' in kolom 'categorie'; "
                    "gebruikt: de categorie die bij de soort hoort")


def test_parse_or_default_drops_unknown_target_group():
    code, note = schema.parse_or_default("doelgroep", "senoiren", column="voor wie")
    assert code == ""
    assert note.startswith("onbekende waarde 'senoiren' in kolom 'voor wie'; weggelaten")
    assert note.endswith("(bedoelde je 'senioren'?)")
    assert "kolom 'doelgroepen'" in schema.parse_or_default("doelgroep", "katten")[1]


def test_parse_or_default_refuses_required_fields():
    with pytest.raises(ValueError):
        schema.parse_or_default("soort", "kat")


# --------------------------------------------------------------------------- capaciteit


@pytest.mark.parametrize("value,expected", [
    ("15", 15), ("ca. 15", 15), ("Ca 15", 15), ("circa 15", 15), ("± 15", 15), ("~15", 15),
    ("ongeveer 15", 15), ("rond de 15", 15), ("zo'n 15", 15), ("max. 15", 15), ("15+", 15),
    ("15-20", 15), ("15 - 20", 15), ("15–20", 15), ("15 tot 20", 15), ("15 à 20", 15),
    ("15 t/m 20", 15), ("15 tot en met 20", 15),
    ("15 personen", 15), ("15 pers.", 15), ("ca. 15 mensen", 15), ("15\u00a0deelnemers", 15),
    ("12,5", 12.5), ("1.250,5", 1250.5), ("1.000", 1000), ("1 000", 1000), ("1.5", 1.5),
    ("-5", -5), (15, 15), (12.5, 12.5), (np.int64(3), 3),
])
def test_capacity_reads_what_people_write(value, expected):
    assert schema.parse_capacity(value) == expected


@pytest.mark.parametrize("value", ["", "  ", "onbekend", "Onbekend", "?", "-", "n.v.t.", "nvt",
                                   None, float("nan"), np.nan, pd.NA])
def test_capacity_unknown_is_none(value):
    assert schema.parse_capacity(value) is None


@pytest.mark.parametrize("value,reason", [
    ("veel", "geen getal"), ("15 katten", "geen getal"), ("20-15", "bereik loopt terug"),
    ("15-", "geen getal"), (True, "geen getal"), (date(2024, 1, 5), "geen getal"),
    (float("inf"), "geen getal"),
])
def test_capacity_rejects_with_a_reason(value, reason):
    with pytest.raises(ValueError, match=reason):
        schema.parse_capacity(value)


def test_parse_capacities_is_a_drop_in_for_the_loader():
    values, bad = schema.parse_capacities(pd.Series(["ca. 15", "15-20", "onbekend", "veel", None, 40]))
    assert values[:2].tolist() == [15, 15] and values[5] == 40
    assert all(math.isnan(v) for v in values[2:5])
    assert bad.tolist() == [False, False, False, True, False, False]


# --------------------------------------------------------------------------- template


def test_template_uitleg_lists_the_accepted_words(tmp_path):
    from openpyxl import load_workbook

    from abcd_map.template import write_template

    xlsx = write_template(tmp_path)[0]
    rows = list(load_workbook(xlsx)["Uitleg"].iter_rows(values_only=True))
    assert rows[3] == ("kolom", "uitleg", "toegestane waarden", "ook goed")
    table = {r[0]: r for r in rows[4:]}
    categorie = table["categorie"][3]
    assert "Fysieke ruimte: fysiek," in categorie and "Cultuur en verhalen: verhalen," in categorie
    assert "Onbekende waarde: gebruikt: de categorie die bij de soort hoort." in categorie
    assert "Jeugd: jongeren," in table["doelgroepen"][3]
    assert "Plek: buurthuis," in table["soort"][3]
    assert "'15-20'" in table["capaciteit"][3] and "ondergrens" in table["capaciteit"][3]
    assert table["naam"][3] is None
    for row in schema.synonyms().itertuples():
        column = schema.field_policies().at[row.field, "column"]
        assert row.synonym in table[column][3]
