"""Dutch opening-time phrases -> OSM syntax, and open/closed evaluation."""

import pandas as pd
import pytest

from abcd_map import hours
from abcd_map.errors import InputError


@pytest.mark.parametrize("text, expected", [
    ("elke woensdag 10:00-12:00", "We 10:00-12:00"),
    ("ma t/m vr 9-17", "Mo-Fr 09:00-17:00"),
    ("maandag en donderdag 14.00 - 16.00", "Mo,Th 14:00-16:00"),
    ("zaterdag 10-13", "Sa 10:00-13:00"),
    ("1e maandag van de maand 19:30-21:30", "Mo[1] 19:30-21:30"),
    ("laatste vrijdag van de maand", "Fr[-1]"),
    ("dagelijks 8-20", "Mo-Su 08:00-20:00"),
    ("elke dag", "Mo-Su"),
    ("ma-vr 9:00-12:00 en 13:00-17:00", "Mo-Fr 09:00-12:00,13:00-17:00"),
    ("za en zo gesloten", "Sa,Su off"),
    ("zondag gesloten", "Su off"),
    ("24/7", "24/7"),
    ("altijd open", "24/7"),
    ("Ma t/m Vr 09.00 – 17.00 uur", "Mo-Fr 09:00-17:00"),
    ("maandag en woensdag van 9 tot 12 uur", "Mo,We 09:00-12:00"),
    ("1e en 3e dinsdag 19-21", "Tu[1,3] 19:00-21:00"),
    ("ma-vr 9-17, zondag gesloten", "Mo-Fr 09:00-17:00; Su off"),
    ("ma-vr 9-17 behalve feestdagen", "Mo-Fr 09:00-17:00; PH off"),
    ("woensdagmiddag", "We 12:00-18:00"),
    ("elke dinsdag 's avonds", "Tu 18:00-24:00"),
    ("werkdagen 8.30-17.00", "Mo-Fr 08:30-17:00"),
    ("Ma, Di, Wo: 9-12", "Mo,Tu,We 09:00-12:00"),
    ("We 10:00-12:00", "We 10:00-12:00"),  # already OSM
])
def test_phrase_translated(text, expected):
    assert hours.parse_dutch_hours(text) == (expected, None)


def test_appointment_has_reason():
    osm, reason = hours.parse_dutch_hours("op afspraak")
    assert osm is None
    assert reason == "op afspraak: geen vaste tijden"


@pytest.mark.parametrize("text, fragment", [
    ("1 mei 10-12", "'mei' niet herkend"),
    ("ma 9", "alleen een begintijd"),
    ("ma-vr 9-25", "'25' is geen geldige tijd"),
    ("om de week op dinsdag", "om de week"),
])
def test_unparseable_gives_dutch_reason(text, fragment):
    osm, reason = hours.parse_dutch_hours(text)
    assert osm is None and fragment in reason


def test_empty_is_no_problem():
    assert hours.parse_dutch_hours("") == (None, None)
    assert hours.parse_dutch_hours(None) == (None, None)
    assert hours.parse_dutch_hours(float("nan")) == (None, None)


def test_to_opening_hours_prefers_osm_column():
    row = {"openingstijden": "Mo 09:00-10:00", "wanneer": "elke woensdag 10-12"}
    assert hours.to_opening_hours(row) == ("Mo 09:00-10:00", None)
    row = {"openingstijden": "", "wanneer": "elke woensdag 10-12"}
    assert hours.to_opening_hours(row) == ("We 10:00-12:00", None)
    row = {"openingstijden": "woensdag 10-12", "wanneer": None}  # Dutch in the OSM column
    assert hours.to_opening_hours(row) == ("We 10:00-12:00", None)
    osm, reason = hours.to_opening_hours({"openingstijden": "onzin", "wanneer": None})
    assert osm is None and "geen geldige OSM-notatie" in reason


@pytest.mark.parametrize("oh, day, part, expected", [
    ("We 10:00-12:00", "woensdag", "ochtend", True),
    ("We 10:00-12:00", "wo", "middag", False),
    ("We 10:00-12:00", 2, None, True),
    ("We 10:00-12:00", "Th", None, False),
    (None, "woensdag", "ochtend", None),
    ("", 6, None, None),
    ("Mo-Fr 09:00-17:00 unknown", "ma", None, None),
    ("Su 12:00-18:00", "zondag", "middag", True),
    ("Su 12:00-18:00", "zo", "avond", False),
    ("Mo-Su 08:00-20:00", "za", "avond", True),   # 18-20 lies in the evening
    ("24/7", "zo", "nacht", True),
    ("Sa,Su off", "za", None, False),
    # month-position rules: open on some such weekday of the reference month
    ("Mo[1] 19:30-21:30", "maandag", "avond", True),
    ("Mo[1] 19:30-21:30", "maandag", "ochtend", False),
    ("Mo[1] 19:30-21:30", "dinsdag", "avond", False),
    ("Fr[-1]", "vrijdag", None, True),
    ("Fr[-1]", "donderdag", None, False),
    ("Mo-Fr 09:00-17:00; PH off", "ma", "ochtend", True),  # reference month has no holidays
])
def test_is_open(oh, day, part, expected):
    assert hours.is_open(oh, day, part) is expected


def test_weekday_and_part_names():
    assert [hours.weekday_number(d) for d in ("zondag", "zo", "Su", 6, "Zo.")] == [6] * 5
    assert hours.weekday_number("maandag") == 0
    with pytest.raises(InputError, match="onbekende dag"):
        hours.weekday_number("blauwdag")
    with pytest.raises(InputError, match="deel van de dag"):
        hours.is_open("24/7", "ma", "lunch")
    assert hours.part_window("ochtend") == (360, 720)
    assert hours.part_window("avonds") == (1080, 1440)


def test_open_filter_keeps_unknown_rows():
    assets = pd.DataFrame({
        "openingstijden": ["We 10:00-12:00", None, "kapot!!", None, None],
        "wanneer": [None, "elke woensdag 13-15", "zondag 12-14", "op afspraak", None],
    }, index=[10, 11, 12, 13, 14])
    got = hours.open_filter(assets, "woensdag", "middag")
    assert list(got.index) == [10, 11, 12, 13, 14]
    assert got.tolist() == ["gesloten", "open", "gesloten", "onbekend", "onbekend"]
    assert hours.open_filter(assets, "wo", "ochtend").tolist()[:2] == ["open", "gesloten"]


def test_hours_problems_skips_appointments():
    assets = pd.DataFrame({"wanneer": ["elke woensdag 10-12", "op afspraak", "soms wel soms niet"]})
    problems = hours.hours_problems(assets, "assets.csv")
    assert len(problems) == 1
    p = problems[0]
    assert p.row == 4 and p.column == "wanneer" and "niet begrepen" in p.message


def test_vocabulary_file_has_days_and_parts():
    voc = hours.vocabulary()
    days = voc.query("soort == 'dag'")
    assert set(days["waarde"]) == set(hours.OSM_DAYS)
    assert set(hours.parts_of_day()) >= {"ochtend", "middag", "avond"}


def test_tidy_osm_slips():
    assert hours.tidy_osm("Mo - Fr 08:00-17:00; PH off") == "Mo-Fr 08:00-17:00; PH off"
    assert hours.to_opening_hours({"openingstijden": "Mo-Fr 8.30 - 17.00"}) == ("Mo-Fr 08:30-17:00", None)


def test_real_osm_opening_hours(shared_data):
    """Every opening_hours tag of the Delft extract is read; Sunday afternoon is evaluated."""
    osmium = pytest.importorskip("osmium")

    class Tags(osmium.SimpleHandler):
        def __init__(self):
            super().__init__()
            self.values = []

        def node(self, n):
            if "opening_hours" in n.tags:
                self.values.append(n.tags["opening_hours"])

        def way(self, w):
            if "opening_hours" in w.tags:
                self.values.append(w.tags["opening_hours"])

    handler = Tags()
    handler.apply_file(str(shared_data / "osm" / "delft-tudelft.osm.bz2"))
    assets = pd.DataFrame({"openingstijden": handler.values})
    assert len(assets) > 50
    resolved = hours.resolve_hours(assets)
    assert resolved["oh"].notna().all()  # including one with "Mo - Fr" spacing, repaired
    sunday = hours.open_filter(assets, "zondag", "middag")
    assert set(sunday) <= {"open", "gesloten", "onbekend"}
    assert (sunday == "open").sum() > 10 and (sunday == "gesloten").sum() > 10
    # a place open Mo-Fr only is closed on Sunday afternoon
    weekdays_only = resolved["oh"].str.fullmatch(r"Mo-Fr \d\d:\d\d-\d\d:\d\d")
    assert (sunday[weekdays_only] == "gesloten").all()


@pytest.mark.parametrize("text, expected", [
    ("dinsdag- en donderdagmiddag", "Tu,Th 12:00-18:00"),
    ("ma- en wo 9-12", "Mo,We 09:00-12:00"),
    ("maandag - woensdag 9-12", "Mo-We 09:00-12:00"),
])
def test_hyphen_before_en_is_not_a_range(text, expected):
    assert hours.parse_dutch_hours(text) == (expected, None)
