"""Property: every phrase of data/dutch_hours.csv, and the phrases people were measured to write,
translates to a rule that is open exactly when the phrase says.

For each expected (days, intervals) group the translated rule, evaluated by ``opening_hours``
with the Dutch holidays, must be open at the midpoint of every interval on every stated day,
closed in the gaps between intervals, closed at 03:00 (unless stated), and closed all day on
the days the phrase does not name. Days are dates in September 2025 (Monday 1 September, no
holidays); holidays are checked on Christmas Day 2025 (a Thursday).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import opening_hours as ohlib
import pandas as pd
import pytest

from abcd_map import hours, settings

MONDAY = dt.date(2025, 9, 1)
CHRISTMAS = dt.date(2025, 12, 25)  # a Thursday and a public holiday (PH)
DAYS = {code: i for i, code in enumerate(hours.OSM_DAYS)}
ALL_WEEK = [MONDAY + dt.timedelta(days=i) for i in range(7)]


def week(spec: str) -> list[dt.date]:
    """Dates of the first week of September 2025 for 'Mo-Fr', 'Sa,Su', 'We'."""
    out: list[dt.date] = []
    for item in spec.split(","):
        a, _, b = item.partition("-")
        first, last = DAYS[a], DAYS[b or a]
        out += [MONDAY + dt.timedelta(days=i) for i in range(first, last + 1)]
    return out


def nth(code: str, k: int) -> dt.date:
    """The k-th (or, negative, k-th last) such weekday of September 2025."""
    month = [MONDAY + dt.timedelta(days=i) for i in range(30)]
    dates = [d for d in month if d.weekday() == DAYS[code]]
    return dates[k - 1] if k > 0 else dates[k]


@dataclass
class Expect:
    """Open during ``intervals`` (minutes) on ``dates``; ``closed`` dates are shut all day."""

    groups: list[tuple[list[dt.date], list[tuple[int, int]]]]
    closed: list[dt.date] | None = None  # default: the days of the first week no group names
    at_night: bool = False               # open at 03:00 on its days (nacht, 24/7)


def hm(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def span(text: str) -> tuple[int, int]:
    a, b = text.split("-")
    return hm(a), hm(b)


def _csv() -> pd.DataFrame:
    return pd.read_csv(settings.data_path("dutch_hours.csv"), dtype=str, keep_default_na=False)


def _ten_to_twelve(dates: list[dt.date]) -> Expect:
    return Expect([(dates, [(600, 720)])])


def _days_for(code: str) -> list[dt.date]:
    return [CHRISTMAS] if code == "PH" else week(code)


def vocabulary_cases() -> list[tuple[str, Expect | None]]:
    """One or more phrases per row of data/dutch_hours.csv; None = must be refused with a reason."""
    cases: list[tuple[str, Expect | None]] = []
    for kind, word, value in _csv()[["soort", "tekst", "waarde"]].itertuples(index=False):
        cases += _cases_for(kind, word, value)
    return cases


def _cases_for(kind: str, word: str, value: str) -> list[tuple[str, Expect | None]]:
    wednesday = week("We")
    if kind == "dag":
        return [(f"elke {word} 10:00-12:00", _ten_to_twelve(week(value)))]
    if kind == "dagen":
        dates = _days_for(value)
        closed = [MONDAY + dt.timedelta(days=2)] if value == "PH" else None
        return [(f"{word} 10:00-12:00", Expect([(dates, [(600, 720)])], closed=closed))]
    if kind in ("deel_van_dag", "dagdeel_zin"):
        expect = Expect([(wednesday, [span(value)])], at_night=span(value)[0] <= 180)
        out = [(f"elke woensdag {word}", expect)]
        if kind == "deel_van_dag":
            out += [(f"woensdag{word}", expect), (f"woensdag 's {word}s", expect)]
        return out
    if kind == "rangtelwoord":
        k = int(value)
        return [(f"{word} maandag van de maand 19:30-21:30",
                 Expect([([nth("Mo", k)], [(1170, 1290)])], closed=[nth("Mo", 2 if k != 2 else 3)] + week("Tu-Su")))]
    if kind == "altijd":
        return [(word, Expect([(ALL_WEEK + [CHRISTMAS], [(0, 1440)])], closed=[], at_night=True))]
    if kind == "gesloten":
        return [(f"ma t/m vr 9-17, zondag {word}", Expect([(week("Mo-Fr"), [(540, 1020)])]))]
    if kind == "behalve":
        return [(f"ma t/m vr 9-17 {word} feestdagen", Expect([(week("Mo-Fr"), [(540, 1020)])],
                                                              closed=week("Sa-Su") + [CHRISTMAS]))]
    if kind in ("geen_vaste_tijden", "niet_ondersteund"):
        return [(f"woensdag {word}", None), (word, None)]
    if kind == "vulwoord":
        return [(f"{word} woensdag 10:00-12:00", _ten_to_twelve(wednesday))]
    raise AssertionError(f"soort {kind} van data/dutch_hours.csv heeft geen eigenschapstest")


#: Phrases measured in teams' lists, with what a Dutch reader takes them to mean.
MEASURED: list[tuple[str, Expect]] = [
    ("van 9 tot 5", Expect([(ALL_WEEK, [(540, 1020)])], closed=[])),
    ("9-5", Expect([(ALL_WEEK, [(540, 1020)])], closed=[])),
    ("9:00-5:00", Expect([(ALL_WEEK, [(540, 1020)])], closed=[])),
    ("9:00 - 17:00 ma t/m vr", Expect([(week("Mo-Fr"), [(540, 1020)])])),
    ("ma t/m vr 9:00 - 17:00", Expect([(week("Mo-Fr"), [(540, 1020)])])),
    ("'s middags", Expect([(ALL_WEEK, [(720, 1080)])], closed=[])),
    ("'s ochtends", Expect([(ALL_WEEK, [(360, 720)])], closed=[])),
    ("na schooltijd", Expect([(ALL_WEEK, [(900, 1080)])], closed=[])),
    ("elke woensdag na schooltijd", Expect([(week("We"), [(900, 1080)])])),
    ("van 10 tot half 1", Expect([(ALL_WEEK, [(600, 750)])], closed=[])),
    ("van half 10 tot 12", Expect([(ALL_WEEK, [(570, 720)])], closed=[])),
    ("'s avonds 7-9", Expect([(ALL_WEEK, [(1140, 1260)])], closed=[])),
    ("donderdag 's avonds van 7 tot half 10", Expect([(week("Th"), [(1140, 1290)])])),
    ("woensdagmiddag van 2 tot 4", Expect([(week("We"), [(840, 960)])])),
    ("woensdagmiddag", Expect([(week("We"), [(720, 1080)])])),
    ("van 2 tot 4", Expect([(ALL_WEEK, [(840, 960)])], closed=[])),
    ("ma t/m vr 1-5", Expect([(week("Mo-Fr"), [(780, 1020)])])),
    ("9-12 ma, 13-15 di", Expect([(week("Mo"), [(540, 720)]), (week("Tu"), [(780, 900)])])),
    ("10-12 ma en wo", Expect([(week("Mo,We"), [(600, 720)])])),
    ("ma-vr 9:00-12:00 en 13:00-17:00", Expect([(week("Mo-Fr"), [(540, 720), (780, 1020)])])),
    ("maandagochtend en woensdagmiddag", Expect([(week("Mo"), [(360, 720)]), (week("We"), [(720, 1080)])])),
    ("dinsdag- en donderdagmiddag", Expect([(week("Tu,Th"), [(720, 1080)])])),
    ("1e en 3e dinsdag 19-21", Expect([([nth("Tu", 1), nth("Tu", 3)], [(1140, 1260)])],
                                      closed=[nth("Tu", 2)] + week("We-Su") + week("Mo"))),
    ("laatste vrijdag van de maand 14-16", Expect([([nth("Fr", -1)], [(840, 960)])], closed=[nth("Fr", 1)])),
    ("zaterdag 10-13", Expect([(week("Sa"), [(600, 780)])])),
    ("werkdagen 8.30-17.00", Expect([(week("Mo-Fr"), [(510, 1020)])])),
    ("dinsdag tussen de middag", Expect([(week("Tu"), [(720, 810)])])),
    ("vrijdag 20-2", Expect([(week("Fr"), [(1200, 1440)])], closed=week("Mo-Th") + week("Su"))),
]

REFUSED = ["09:00-05:00", "ma 9 tot half", "10:00-08:00", "woensdag op afspraak", "soms wel soms niet",
           "op afspraak", "om de week op dinsdag"]


def _open(oh: ohlib.OpeningHours, date: dt.date, minute: int) -> bool:
    return oh.is_open(dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minute))


def _check(phrase: str, expect: Expect) -> None:
    osm, reason = hours.parse_dutch_hours(phrase)
    assert osm is not None, f"{phrase!r} niet vertaald: {reason}"
    oh = ohlib.OpeningHours(osm, country=hours.COUNTRY, auto_country=False, auto_timezone=False)
    named: set[dt.date] = set()
    for dates, intervals in expect.groups:
        named.update(dates)
        ordered = sorted(intervals)
        for date in dates:
            for a, b in ordered:
                assert _open(oh, date, (a + b) // 2), f"{phrase!r} -> {osm!r}: dicht op {date} {hm_text((a + b) // 2)}"
            for (_a, b), (c, _d) in zip(ordered, ordered[1:]):
                assert not _open(oh, date, (b + c) // 2), f"{phrase!r} -> {osm!r}: open tussen de tijden op {date}"
            if not expect.at_night and all(not (a <= 180 < b) for a, b in ordered):
                assert not _open(oh, date, 180), f"{phrase!r} -> {osm!r}: open om 03:00 op {date}"
    closed = expect.closed if expect.closed is not None else [d for d in ALL_WEEK if d not in named]
    for date in closed:
        assert not any(_open(oh, date, m) for m in range(0, 1440, 30)), f"{phrase!r} -> {osm!r}: open op {date}"


def hm_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@pytest.mark.parametrize("phrase, expect", vocabulary_cases(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_vocabulary_phrase_is_open_exactly_when_it_says(phrase: str, expect: Expect | None):
    if expect is None:
        osm, reason = hours.parse_dutch_hours(phrase)
        assert osm is None and reason, phrase
    else:
        _check(phrase, expect)


@pytest.mark.parametrize("phrase, expect", MEASURED, ids=[p for p, _ in MEASURED])
def test_measured_phrases_are_open_exactly_when_they_say(phrase: str, expect: Expect):
    _check(phrase, expect)


@pytest.mark.parametrize("phrase", REFUSED)
def test_unclear_phrases_are_refused_in_dutch(phrase: str):
    osm, reason = hours.parse_dutch_hours(phrase)
    assert osm is None and reason and any(w in reason for w in ("niet", "geen", "onbekend", "om de week"))


@pytest.mark.parametrize("phrase, shown", [
    ("van 9 tot 5", "'van 9 tot 5' gelezen als: ma-zo 09:00-17:00"),
    ("9:00 - 17:00 ma t/m vr", "'9:00 - 17:00 ma t/m vr' gelezen als: ma-vr 09:00-17:00"),
    ("1e en 3e dinsdag 19-21", "'1e en 3e dinsdag 19-21' gelezen als: 1e en 3e di van de maand 19:00-21:00"),
    ("ma-vr 9-17 behalve feestdagen", "'ma-vr 9-17 behalve feestdagen' gelezen als: ma-vr 09:00-17:00; "
                                      "feestdagen gesloten"),
    ("24/7", "'24/7' gelezen als: altijd open"),
    ("op afspraak", "'op afspraak' gelezen als: op afspraak: geen vaste tijden"),
])
def test_explain_shows_the_translation(phrase: str, shown: str):
    assert hours.explain(phrase) == shown


def test_days_by_appointment_are_unknown_not_open():
    osm, _ = hours.parse_dutch_hours("ma-vr 9-17, za op afspraak")
    assert osm == "Mo-Fr 09:00-17:00; Sa unknown"
    assert hours.is_open(osm, "zaterdag") is None and hours.is_open(osm, "maandag") is True


def test_explain_refusal_and_empty():
    assert "eindtijd 05:00 ligt voor begintijd 09:00" in hours.explain("09:00-05:00")
    assert hours.explain("") == "" and hours.explain(None) == ""


def test_translation_notes_list_each_phrase_once_with_rows():
    assets = pd.DataFrame({"wanneer": ["van 9 tot 5", "We 10:00-12:00", None, "van 9 tot 5", "soms"],
                           "openingstijden": ["Mo - Fr 8.30-17.00", None, "", "We 10:00-12:00", "ma 9-12"]})
    assert hours.translation_notes(assets, "lijst/assets.csv") == [
        "assets.csv: 'Mo - Fr 8.30-17.00' gelezen als: ma-vr 08:30-17:00 (rij 2)",
        "assets.csv: 'ma 9-12' gelezen als: ma 09:00-12:00 (rij 6)",
        "assets.csv: 'van 9 tot 5' gelezen als: ma-zo 09:00-17:00 (rij 2, 5)"]
