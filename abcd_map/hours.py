"""Opening times: Dutch phrases to OSM ``opening_hours`` and "is it open then?".

People write times in Excel in plain Dutch ("elke woensdag 10:00-12:00",
"ma t/m vr 9-17", "1e maandag van de maand 19:30-21:30"). :func:`parse_dutch_hours`
translates such a phrase into the OpenStreetMap ``opening_hours`` syntax
("We 10:00-12:00", "Mo-Fr 09:00-17:00", "Mo[1] 19:30-21:30"), or says in Dutch
why it could not. The words it knows (day names and abbreviations, parts of the
day, ordinals, "gesloten", "op afspraak", ...) live in ``data/dutch_hours.csv``.

OSM strings are evaluated with ``opening-hours-py`` with the Dutch public holidays
(country ``NL``). "Open on Sunday afternoon" (:func:`is_open`) means: open at some
moment of that part of the day on at least one such weekday of a fixed reference
month (September 2025: no public holidays, and every weekday occurs both as first
and as last of the month). So "Mo[1] 19:30-21:30" counts as open on Monday
evening, and the answer does not depend on today's date.

Rows with unknown hours are never dropped by :func:`open_filter`: they are
``'onbekend'``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import opening_hours as ohlib
import pandas as pd

from . import settings
from .errors import InputError, InputProblem

#: Country whose public holidays (PH) apply.
COUNTRY = "NL"
#: First day (a Monday) of the reference period used by :func:`is_open`.
REFERENCE_START = dt.date(2025, 9, 1)
#: Number of days in the reference period (the whole of September 2025).
REFERENCE_DAYS = 30
#: OSM weekday abbreviations, Monday first (index = Python weekday()).
OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_ENGLISH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# "Open" in these tables means the value shown to users in open_filter().
OPEN, CLOSED, UNKNOWN = "open", "gesloten", "onbekend"


# --------------------------------------------------------------------------- vocabulary


def _fold(text: object) -> str:
    """Lower case, no accents, straight dashes, no apostrophes."""
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", str(text))
    s = re.sub(r"['`\u2018\u2019]", "", s)
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode().lower()


@lru_cache(maxsize=None)
def vocabulary() -> pd.DataFrame:
    """The words of ``data/dutch_hours.csv`` (soort, tekst, waarde, toelichting)."""
    table = pd.read_csv(settings.data_path("dutch_hours.csv"), dtype=str, keep_default_na=False)
    table["tekst"] = table["tekst"].map(_fold)
    return table


@lru_cache(maxsize=None)
def _words(kind: str) -> dict[str, str]:
    rows = vocabulary().query("soort == @kind")
    values = rows["toelichting"] if kind in ("geen_vaste_tijden", "niet_ondersteund") else rows["waarde"]
    return dict(zip(rows["tekst"], values))


@lru_cache(maxsize=None)
def parts_of_day() -> dict[str, tuple[int, int]]:
    """Part of day -> (start minute, end minute), e.g. ``'middag': (720, 1080)``."""
    out = {}
    for name, span in _words("deel_van_dag").items():
        start, end = span.split("-")
        out[name] = (_minutes(start), _minutes(end))
    return out


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


@lru_cache(maxsize=None)
def _full_day_names() -> dict[str, str]:
    days = _words("dag")
    return {word: code for word, code in days.items() if word.endswith("dag")}


@lru_cache(maxsize=None)
def _tokenizer() -> re.Pattern:
    phrases = [t for kind in ("altijd", "geen_vaste_tijden", "niet_ondersteund", "behalve", "gesloten",
                              "dagdeel_zin")
               for t in _words(kind) if not re.fullmatch(r"[a-z]+", t)]
    phrases += ["tot en met", "t/m", "t.e.m."]
    phrases.sort(key=len, reverse=True)
    phrase_re = "|".join(r"(?<![a-z0-9])" + re.escape(p) + r"(?![a-z0-9])" for p in phrases)
    return re.compile(
        rf"(?P<phrase>{phrase_re})"
        r"|(?P<ordinal>\d)\s*(?:ste|de|e)(?![a-z])"
        r"|(?P<time>\d{1,2}(?:[:.]\d{2})?)(?![\d])"
        r"|(?P<other>\d+(?:[:.]\d+)?)"
        r"|(?P<word>[a-z]+)"
        r"|(?P<dash>-)"
        r"|(?P<rulesep>[;\n|])"
        r"|(?P<listsep>[,&+/:])"
        r"|(?P<space>[\s.()]+)"
        r"|(?P<other2>.)"
    )


# --------------------------------------------------------------------------- parsing


@dataclass
class _Rule:
    days: list[str] = field(default_factory=list)   # OSM day items: "Mo", "Mo-Fr", "Mo[1]"
    spans: list[tuple[_Time, _Time]] = field(default_factory=list)  # times as written
    parts: list[str] = field(default_factory=list)  # parts of the day: "middag", "na schooltijd"
    closed: bool = False
    unknown: bool = False  # "za op afspraak": on these days, no fixed times

    def empty(self) -> bool:
        return not (self.days or self.spans or self.parts or self.closed or self.unknown)

    def has_times(self) -> bool:
        return bool(self.spans or self.parts)

    def text(self) -> str:
        parts = []
        if self.days:
            parts.append(",".join(dict.fromkeys(self.days)))
        times = _rule_times(self)
        if times:
            parts.append(",".join(dict.fromkeys(times)))
        if self.closed:
            parts.append("off")
        elif self.unknown:
            parts.append("unknown")
        return " ".join(parts)


class _ParseFailure(Exception):
    """Why a phrase could not be read; ``hint`` adds an example of what works."""

    def __init__(self, message: str, hint: bool = True):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class _Time:
    """A time as written: minutes after midnight, and whether it may mean the afternoon.

    ``bare`` is a clock hour 1-12 written without a leading zero ("9", "5", "half 1", "9:30"):
    a Dutch reader takes "9-5" as 09:00-17:00. "09:00" or "17" are not bare.
    """

    minute: int
    bare: bool


def _time_text(token: str, half: bool = False) -> _Time:
    m = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?", token)
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise _ParseFailure(f"'{token}' is geen geldige tijd")
    if half:
        if m.group(2) or not 1 <= hour <= 12:
            raise _ParseFailure(f"'half {token}' is geen geldige tijd (bijv. half 10 = 9:30)")
        return _Time((hour - 1) * 60 + 30, True)
    return _Time(hour * 60 + minute, 1 <= hour <= 12 and not token.startswith("0"))


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


#: Minutes in half a day: what a bare clock hour may be off by.
_HALF_DAY = 12 * 60


def _window(parts: list[str]) -> tuple[int, int] | None:
    """The hours a rule's parts of the day cover together ('middag' -> 12:00-18:00); None without parts."""
    if not parts:
        return None
    spans = [_part_span(p) for p in parts]
    return min(a for a, _ in spans), max(b for _, b in spans)


def _read_span(start: _Time, end: _Time, window: tuple[int, int] | None) -> tuple[int, int]:
    """(start, end) minutes of a span as a Dutch reader means it.

    A bare start hour moves to the afternoon when a part of the day says so ("'s avonds 7-9"),
    or without one when it is 1-6 and the end is before noon ("van 2 tot 4" = 14:00-16:00).
    A bare end hour at or before the start is +12 h when that gives a daytime span ("9-5",
    "van 10 tot half 1"). An end before the start is kept only from 18:00 on (past midnight).
    """
    s, e = start.minute, end.minute
    if start.bare and window is not None and not window[0] <= s < window[1] \
            and window[0] <= s + _HALF_DAY < window[1]:
        s += _HALF_DAY
    elif start.bare and window is None and 60 <= s < 7 * 60 and e < _HALF_DAY:
        s += _HALF_DAY
    if e <= s and end.bare and s < e + _HALF_DAY <= 24 * 60:
        e += _HALF_DAY
    if e == s:
        raise _ParseFailure(f"begin- en eindtijd zijn gelijk ({_hhmm(s)})")
    if e < s and s < 18 * 60:
        raise _ParseFailure(f"eindtijd {_hhmm(e)} ligt voor begintijd {_hhmm(s)}; "
                            f"schrijf bijv. {_hhmm(s)}-{_hhmm(min(s + 120, 24 * 60))}", hint=False)
    return s, e


def _rule_times(rule: _Rule) -> list[str]:
    """The OSM times of a rule: its spans read in the light of its parts of the day, else the parts."""
    window = _window(rule.parts)
    if rule.spans:
        return [f"{_hhmm(s)}-{_hhmm(e)}" for s, e in (_read_span(a, b, window) for a, b in rule.spans)]
    return [f"{_hhmm(a)}-{_hhmm(b)}" for a, b in (_part_span(p) for p in rule.parts)]


def _part_span(part: str) -> tuple[int, int]:
    phrases = _words("dagdeel_zin")
    if part in phrases:
        start, end = phrases[part].split("-")
        return _minutes(start), _minutes(end)
    return parts_of_day()[part]


def _day_word(word: str) -> tuple[str | None, str | None]:
    """(OSM day or day range, part of day) of a word such as 'woensdagmiddag'; (None, None)."""
    days = _words("dag")
    if word in days:
        return days[word], None
    for name, code in _full_day_names().items():
        if word.startswith(name):
            rest = word[len(name):]
            if rest in ("", "s", "en"):
                return code, None
            part = _part(rest)
            if part:
                return code, part
    return None, None


def _part(word: str) -> str | None:
    parts = parts_of_day()
    for candidate in (word, re.sub(r"(s|en)$", "", word)):
        if candidate in parts:
            return candidate
    return None


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _tokenizer().finditer(text):
        kind = m.lastgroup
        if kind == "space":
            continue
        out.append((kind, m.group(kind)))
    return out


_RANGE_WORDS = ("tot", "tm", "totenmet")


class _Translator:
    """Reads the tokens of one folded Dutch phrase into OSM rules, one token at a time.

    Each token kind has its own method (see ``_HANDLERS``); the state they share
    lives on the object: the rules so far, ordinals waiting for their day, a start
    time waiting for its end, whether a range word or dash was just read, and the
    kind of the last thing added ("day", "time" or "state").
    """

    def __init__(self) -> None:
        self.always = _words("altijd")
        self.no_fixed = _words("geen_vaste_tijden")
        self.unsupported = _words("niet_ondersteund")
        self.closed_words = _words("gesloten")
        self.except_words = _words("behalve")
        self.groups = _words("dagen")
        self.ordinals = _words("rangtelwoord")
        self.fillers = set(_words("vulwoord"))
        self.part_phrases = _words("dagdeel_zin")
        self.rules: list[_Rule] = [_Rule()]
        self.pending_ordinals: list[str] = []
        self.start_time: _Time | None = None
        self.after_range = False
        self.half = False         # "half" was read: the next hour is half an hour earlier
        self.times_first = False  # times came before their days ("9:00-17:00 ma t/m vr")
        self.last_kind = ""  # "day", "time", "state"
        self.reasons: list[str] = []

    # ------------------------------------------------------------------ rule building

    @property
    def rule(self) -> _Rule:
        return self.rules[-1]

    def new_rule_for_days(self) -> None:
        r = self.rule
        if r.has_times() and not r.days and not r.closed:
            self.times_first = True  # days written after times bind to those times
            return
        if self.last_kind == "day" and r.days:
            return  # a list of days goes on ("9-12 ma en wo")
        if r.has_times() or (r.closed and r.days):
            self.rules.append(_Rule())

    def _new_rule_for_times(self) -> None:
        """With times written before their days, times after a rule's days start the next rule."""
        r = self.rule
        if self.times_first and r.days and self.last_kind == "day":
            self.rules.append(_Rule())

    def add_day(self, code: str) -> None:
        if self.after_range and self.last_kind == "day" and self.rule.days:
            first = self.rule.days.pop()
            if "[" in first or "-" in first or "-" in code:
                raise _ParseFailure("een reeks dagen moet van één dag tot één dag lopen (ma t/m vr)")
            self.rule.days.append(f"{first}-{code}")
        else:
            self.new_rule_for_days()
            if self.pending_ordinals:
                if "-" in code or code == "PH":
                    raise _ParseFailure("'eerste/laatste' kan alleen bij één dag staan (1e maandag)")
                code = f"{code}[{','.join(self.pending_ordinals)}]"
                self.pending_ordinals = []
            self.rule.days.append(code)
        self.after_range = False

    def add_span(self, start: _Time, end: _Time) -> None:
        self._new_rule_for_times()
        if self.rule.closed:
            raise _ParseFailure("tijden na 'gesloten' zijn onduidelijk")
        self.rule.spans.append((start, end))

    def add_part(self, part: str, joined: bool = False) -> None:
        """A part of the day ('middag', 'na schooltijd'); ``joined`` when written in one word with a day."""
        if not joined:
            self._new_rule_for_times()
        if self.rule.closed:
            raise _ParseFailure("tijden na 'gesloten' zijn onduidelijk")
        self.rule.parts.append(part)

    def state_word(self, value: str) -> bool:
        """Handle 24/7, 'op afspraak', unsupported, 'gesloten' and 'behalve' (one word or phrase)."""
        if value in self.unsupported:
            raise _ParseFailure(self.unsupported[value], hint=False)
        if value in self.no_fixed:
            self.reasons.append(self.no_fixed[value])
            if self.rule.days and not self.rule.has_times() and not self.rule.closed:
                self.rule.unknown = True  # "za op afspraak": Saturday has no fixed times, it is not open all day
            return True
        if value in self.always:
            self.new_rule_for_days()
            self.rule.days.append("24/7")
        elif value in self.closed_words:
            self.rule.closed = True
        elif value in self.except_words:
            self.rules.append(_Rule(closed=True))
        else:
            return False
        self.last_kind = "state"
        return True

    # ------------------------------------------------------------------ one method per token kind

    def on_phrase(self, value: str) -> None:
        if value in self.part_phrases:
            self.add_part(value)
            self.last_kind = "time"
        elif not self.state_word(value):
            self.after_range = True  # "t/m", "tot en met"

    def on_ordinal(self, value: str) -> None:
        self.pending_ordinals.append(value)

    def on_time(self, value: str) -> None:
        time = _time_text(value, self.half)
        self.half = False
        if self.after_range and self.start_time is not None:
            self.add_span(self.start_time, time)
            self.start_time = None
            self.last_kind = "time"
        else:
            self._check_no_start_time()
            self.start_time = time
        self.after_range = False

    def on_dash(self, value: str) -> None:
        self.after_range = True

    def on_rulesep(self, value: str) -> None:
        if not self.rule.empty():
            self.rules.append(_Rule())
        self.after_range = False

    def on_listsep(self, value: str) -> None:
        self.after_range = False

    def on_other(self, value: str) -> None:
        raise _ParseFailure(f"teken '{value}' niet herkend")

    def on_word(self, word: str) -> None:
        if word in _RANGE_WORDS:
            self.after_range = True
        elif word == "half":
            self.half = True
        elif self.state_word(word):
            pass
        elif word in self.ordinals:
            self.pending_ordinals.append(self.ordinals[word])
        elif not (self._day_or_part(word) or self._filler(word)):
            raise _ParseFailure(f"'{word}' niet herkend")

    def _day_or_part(self, word: str) -> bool:
        """A day ('woensdag', 'weekend', 'woensdagmiddag') or a part of day ('middag')."""
        code, part = _day_word(word)
        if code is None:
            code = self.groups.get(word)
        if code is not None:
            self.add_day(code)
        else:
            part = _part(word) or (word if word in self.part_phrases else None)
        if part:
            self.add_part(part, joined=code is not None)
        self.last_kind = "time" if part else "day" if code is not None else self.last_kind
        return code is not None or part is not None

    def _filler(self, word: str) -> bool:
        if word not in self.fillers:
            return False
        if word == "en":
            # "dinsdag- en donderdagmiddag": the hyphen elides a word, it is no range
            self.after_range = False
        return True

    # ------------------------------------------------------------------ the end

    def _check_no_start_time(self) -> None:
        if self.half:
            raise _ParseFailure("'half' zonder uur erna (bijv. half 10 = 9:30)")
        if self.start_time is not None:
            raise _ParseFailure(f"alleen een begintijd gevonden ({_hhmm(self.start_time.minute)}); "
                                f"geef begin en eind, bijv. 10:00-12:00")

    def result(self) -> tuple[str | None, str | None]:
        """(OSM text, None), or (None, reason) when no days or times were found."""
        self._check_no_start_time()
        if self.pending_ordinals:
            raise _ParseFailure("'eerste/laatste' zonder dag (bijv. 1e maandag van de maand)")
        rules = [r for r in self.rules if not r.empty()]
        if all(r.unknown for r in rules):
            rules = []  # only days without fixed times ("woensdag op afspraak")
        if not rules:
            return None, (self.reasons[0] if self.reasons else "geen dagen of tijden gevonden")
        return "; ".join(_rule_text(r) for r in rules), None


def _rule_text(rule: _Rule) -> str:
    if rule.days == ["24/7"] and not rule.has_times():
        return "24/7" + (" off" if rule.closed else "")
    if "24/7" in rule.days:
        raise _ParseFailure("'altijd open' samen met dagen of tijden is onduidelijk")
    return rule.text()


_HANDLERS = {
    "phrase": _Translator.on_phrase,
    "ordinal": _Translator.on_ordinal,
    "time": _Translator.on_time,
    "dash": _Translator.on_dash,
    "rulesep": _Translator.on_rulesep,
    "listsep": _Translator.on_listsep,
    "other": _Translator.on_other,
    "other2": _Translator.on_other,
    "word": _Translator.on_word,
}


def _translate(text: str) -> tuple[str | None, str | None]:
    translator = _Translator()
    for kind, value in _tokens(_fold(text).strip()):
        _HANDLERS[kind](translator, value)
    return translator.result()


def parse_dutch_hours(text: object) -> tuple[str | None, str | None]:
    """Translate a Dutch phrase into OSM ``opening_hours`` syntax.

    Parameters
    ----------
    text : str
        What someone typed, e.g. "ma t/m vr 9-17" or "1e maandag van de maand 19:30-21:30".

    Returns
    -------
    tuple
        ``(osm, None)`` when understood, ``(None, reason)`` with a Dutch reason when not
        (``"op afspraak"`` gives reason ``"op afspraak: geen vaste tijden"``), and
        ``(None, None)`` for an empty cell.
    """
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None, None
    raw = str(text).strip()
    if not raw:
        return None, None
    return _parse_cached(raw)


def _reads_back_to_front(osm: str) -> bool:
    """True when an OSM-looking span ends before it starts, before the evening ('9:00-5:00')."""
    for h1, m1, h2, m2 in re.findall(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", osm):
        start, end = int(h1) * 60 + int(m1), int(h2) * 60 + int(m2)
        if end < start < 18 * 60:
            return True
    return False


@lru_cache(maxsize=4096)
def _parse_cached(raw: str) -> tuple[str | None, str | None]:
    if ohlib.validate(raw) and not re.fullmatch(r"[a-z ]+", raw.lower()) and not _reads_back_to_front(raw):
        return raw, None  # already OSM syntax
    try:
        osm, reason = _translate(raw)
    except _ParseFailure as exc:
        hint = "; schrijf bijv. 'elke woensdag 10:00-12:00' of 'ma t/m vr 9-17'" if exc.hint else ""
        return None, f"tijden '{raw}' niet begrepen: {exc}{hint}"
    if osm is None:
        if reason and reason.startswith("geen dagen"):
            return None, f"tijden '{raw}' niet begrepen: {reason}; schrijf bijv. 'elke woensdag 10:00-12:00'"
        return None, reason
    if not ohlib.validate(osm):
        return None, f"tijden '{raw}' niet begrepen (vertaling '{osm}' is geen geldige OSM-notatie)"
    return osm, None


#: Dutch abbreviations of the OSM weekdays, Monday first.
DUTCH_DAYS = ("ma", "di", "wo", "do", "vr", "za", "zo")
_NTH = {"-1": "laatste", "-2": "voorlaatste"}


def _dutch_nth(m: re.Match) -> str:
    nths = [_NTH.get(n, f"{n}e") for n in m.group(2).split(",")]
    nth_text = " en ".join([", ".join(nths[:-1]), nths[-1]]) if len(nths) > 1 else nths[0]
    return f"{nth_text} {DUTCH_DAYS[OSM_DAYS.index(m.group(1))]} van de maand"


def _dutch_rule(rule: str) -> str:
    rule = rule.strip()
    if rule.startswith("24/7"):
        return "altijd open" + (" (gesloten)" if rule.endswith("off") else "")
    text = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\[([-\d,]+)\]", _dutch_nth, rule)
    text = re.sub(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b", lambda m: DUTCH_DAYS[OSM_DAYS.index(m.group(1))], text)
    text = re.sub(r"\bPH\b", "feestdagen", text)
    text = re.sub(r"\boff\b", "gesloten", text)
    text = re.sub(r",(?=\S)", ", ", text)
    if re.match(r"\d\d:\d\d", text):
        text = "ma-zo " + text  # times without days: every day
    return text


def osm_in_dutch(osm: str) -> str:
    """OSM ``opening_hours`` as a Dutch reader checks it: 'Mo-Fr 09:00-17:00' -> 'ma-vr 09:00-17:00'."""
    return "; ".join(_dutch_rule(r) for r in str(osm).split(";") if r.strip())


def explain(phrase: object) -> str:
    """How a phrase was read, in Dutch, so that the user can check it.

    ``explain("van 9 tot 5")`` -> "'van 9 tot 5' gelezen als: ma-zo 09:00-17:00"; a phrase
    that cannot be read gives the Dutch reason; an empty cell gives ''.
    """
    osm, reason = parse_dutch_hours(phrase)
    if osm is None:
        if reason is None:
            return ""
        return reason if reason.startswith("tijden '") else f"'{str(phrase).strip()}' gelezen als: {reason}"
    return f"'{str(phrase).strip()}' gelezen als: {osm_in_dutch(osm)}"


def _row_numbers(assets: pd.DataFrame, column: str) -> dict[str, list[int]]:
    """Distinct non-empty texts of a column -> the Excel row numbers (``rij``, else index + 2) they are on."""
    rows: dict[str, list[int]] = {}
    for idx, value in assets[column].items():
        if _blank(value):
            continue
        row = assets.at[idx, "rij"] if "rij" in assets else (idx + 2 if isinstance(idx, (int, np.integer)) else None)
        rows.setdefault(str(value).strip(), []).append(row)
    return rows


def translation_notes(assets: pd.DataFrame, file: str = "") -> list[str]:
    """One Dutch line per distinct opening-time text that was translated (for ``validate``).

    "assets.csv: 'van 9 tot 5' gelezen als: ma-zo 09:00-17:00 (rij 2, 7)", for the columns
    ``wanneer`` (Dutch phrases) and ``openingstijden`` (OSM syntax; repaired slips and Dutch
    text read there are shown too). Rows are numbered as in Excel: from a column ``rij`` if
    present, else index + 2. Text that is already OSM syntax, and text that cannot be read
    (see :func:`hours_problems`), is left out.
    """
    prefix = f"{Path(file).name}: " if file else ""
    out = []
    for column in ("openingstijden", "wanneer"):
        if column not in assets:
            continue
        for text, numbers in _row_numbers(assets, column).items():
            osm = (_resolve(text, None) if column == "openingstijden" else parse_dutch_hours(text))[0]
            if osm is None or osm == text:
                continue
            shown = [str(n) for n in numbers[:10] if n is not None]
            where = f" (rij {', '.join(shown)}{' ...' if len(numbers) > 10 else ''})" if shown else ""
            out.append(f"{prefix}'{text}' gelezen als: {osm_in_dutch(osm)}{where}")
    return out


def _blank(value: object) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == ""


def to_opening_hours(row) -> tuple[str | None, str | None]:
    """OSM opening hours of one asset row, and a Dutch reason when there are none.

    ``openingstijden`` (OSM syntax) is preferred; if it is not valid OSM syntax it is
    read as a Dutch phrase. Otherwise ``wanneer`` (a Dutch phrase) is translated.
    """
    oh_text = row.get("openingstijden") if hasattr(row, "get") else None
    when = row.get("wanneer") if hasattr(row, "get") else None
    return _resolve(None if _blank(oh_text) else str(oh_text).strip(),
                    None if _blank(when) else str(when).strip())


_OSM_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su|PH|SH)"


def tidy_osm(text: str) -> str:
    """Repair common slips in OSM syntax: spaces around '-', '.' in times, 'h' for hours."""
    s = re.sub(rf"\b({_OSM_DAY})\s*[-\u2013]\s*({_OSM_DAY})\b", r"\1-\2", text.strip())
    s = re.sub(r"\b(\d{1,2})[.h](\d{2})\b", r"\1:\2", s)
    s = re.sub(r"\b(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\b", r"\1-\2", s)
    s = re.sub(r"\b(\d):(\d{2})\b", r"0\1:\2", s)
    return s


@lru_cache(maxsize=4096)
def _resolve(oh_text: str | None, when: str | None) -> tuple[str | None, str | None]:
    if oh_text is not None:
        if ohlib.validate(oh_text):
            return oh_text, None
        tidied = tidy_osm(oh_text)
        if tidied != oh_text and ohlib.validate(tidied):
            return tidied, None
        osm, reason = parse_dutch_hours(oh_text)
        if osm is not None:
            return osm, None
        if when is None:
            return None, f"openingstijden '{oh_text}' is geen geldige OSM-notatie (bijv. 'Mo-Fr 09:00-17:00') " \
                         f"en ook niet als gewone tekst te lezen" + (f" ({reason})" if reason else "")
    if when is not None:
        return parse_dutch_hours(when)
    return None, None


def resolve_hours(assets: pd.DataFrame) -> pd.DataFrame:
    """Per asset row: ``oh`` (OSM string or None) and ``reden`` (Dutch reason or None).

    Evaluated once per distinct (openingstijden, wanneer) pair.
    """
    def column(name: str) -> pd.Series:
        if name not in assets:
            return pd.Series([None] * len(assets), index=assets.index, dtype=object)
        return pd.Series([None if _blank(v) else str(v).strip() for v in assets[name].astype(object)],
                         index=assets.index, dtype=object)

    pairs = pd.DataFrame({"o": column("openingstijden"), "w": column("wanneer")}, index=assets.index)
    keys = list(zip(pairs["o"], pairs["w"]))
    cache = {k: _resolve(*k) for k in set(keys)}
    return pd.DataFrame({"oh": [cache[k][0] for k in keys], "reden": [cache[k][1] for k in keys]},
                        index=assets.index, dtype=object)


def hours_problems(assets: pd.DataFrame, file: str = "") -> list[InputProblem]:
    """Dutch problems for rows whose times could not be read (for the asset validator).

    Rows are numbered as in Excel (header row 1): from a column ``rij`` if present,
    else index + 2. Rows "op afspraak" are not problems.
    """
    resolved = resolve_hours(assets)
    problems = []
    bad = resolved["oh"].isna() & resolved["reden"].notna()
    no_fixed = set(_words("geen_vaste_tijden").values())
    for idx in resolved.index[bad]:
        reason = resolved.at[idx, "reden"]
        if reason in no_fixed:
            continue
        row = assets.at[idx, "rij"] if "rij" in assets else (idx + 2 if isinstance(idx, (int, np.integer)) else None)
        has_oh = "openingstijden" in assets and not _blank(assets.at[idx, "openingstijden"])
        col = "openingstijden" if has_oh else "wanneer"
        problems.append(InputProblem(file=file, message=reason, row=int(row) if row is not None else None,
                                     column=col))
    return problems


# --------------------------------------------------------------------------- evaluation


@lru_cache(maxsize=None)
def _weekday_lookup() -> dict[str, int]:
    out: dict[str, int] = {}
    for i, code in enumerate(OSM_DAYS):
        out[code.lower()] = i
        out[_ENGLISH_DAYS[i]] = i
        out[_ENGLISH_DAYS[i][:3]] = i
    for word, code in _words("dag").items():
        out[word] = OSM_DAYS.index(code)
    return out


def weekday_number(weekday: int | str) -> int:
    """0 (Monday) .. 6 (Sunday) from 6, 'zondag', 'zo', 'Su' or 'sunday'."""
    if isinstance(weekday, bool):
        raise InputError(f"onbekende dag '{weekday}'; gebruik maandag t/m zondag of 0-6")
    if isinstance(weekday, int) and 0 <= weekday <= 6:
        return weekday
    key = _fold(weekday).strip().rstrip(".")
    if key.isdigit() and 0 <= int(key) <= 6:
        return int(key)
    if key in _weekday_lookup():
        return _weekday_lookup()[key]
    raise InputError(
        f"onbekende dag '{weekday}'; gebruik maandag, dinsdag, ..., zondag (of ma, di, ..., zo, of 0-6 met 0 = maandag)")


def day_name(weekday: int | str) -> str:
    """The Dutch name ('zondag') of a weekday given in any form :func:`weekday_number` takes."""
    code = OSM_DAYS[weekday_number(weekday)]
    return next(word for word, c in _full_day_names().items() if c == code)


def part_window(part_of_day: str | None) -> tuple[int, int]:
    """(start, end) minutes of a part of the day; the whole day for None."""
    if part_of_day is None or (isinstance(part_of_day, str) and not part_of_day.strip()):
        return 0, 24 * 60
    key = _part(_fold(part_of_day).strip())
    if key is None:
        names = ", ".join(dict.fromkeys(parts_of_day()))
        raise InputError(f"onbekend deel van de dag '{part_of_day}'; kies uit {names}")
    return parts_of_day()[key]


@lru_cache(maxsize=None)
def _compiled(oh_string: str):
    try:
        return ohlib.OpeningHours(oh_string, country=COUNTRY, auto_country=False, auto_timezone=False)
    except Exception:  # noqa: BLE001 - the library raises its own ParserError / SyntaxError
        return None


@lru_cache(maxsize=65536)
def _state(oh_string: str, day: int, start: int, end: int) -> bool | None:
    oh = _compiled(oh_string)
    if oh is None:
        return None
    unknown = False
    first = REFERENCE_START + dt.timedelta(days=day)
    for offset in range(0, REFERENCE_DAYS - day, 7):
        date = first + dt.timedelta(days=offset)
        t0 = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=start)
        t1 = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=end)
        for _a, _b, state, _comment in oh.intervals(t0, t1):
            if state == ohlib.State.OPEN:
                return True
            if state == ohlib.State.UNKNOWN:
                unknown = True
    return None if unknown else False


def is_open(oh_string: str | None, weekday: int | str, part_of_day: str | None = None) -> bool | None:
    """Whether a place with these OSM hours is open on a weekday (in a part of the day).

    Parameters
    ----------
    oh_string : str or None
        OSM ``opening_hours``; None or invalid means unknown.
    weekday : int or str
        0 = Monday .. 6 = Sunday, or 'zondag', 'zo', 'Su'.
    part_of_day : str, optional
        'ochtend' (06-12), 'middag' (12-18), 'avond' (18-24), 'nacht' (00-06)
        (``data/dutch_hours.csv``); None = any time of the day.

    Returns
    -------
    bool or None
        True if open at some moment of that window on at least one such weekday of the
        reference month (September 2025), False if closed throughout, None if unknown.
    """
    day = weekday_number(weekday)
    start, end = part_window(part_of_day)
    if _blank(oh_string):
        return None
    return _state(str(oh_string).strip(), day, start, end)


def open_filter(assets: pd.DataFrame, weekday: int | str, part_of_day: str | None = None) -> pd.Series:
    """Per asset: 'open', 'gesloten' or 'onbekend' on that weekday (and part of the day).

    Hours come from :func:`resolve_hours` (``openingstijden`` before ``wanneer``).
    Unknown hours give 'onbekend'; no row is dropped.
    """
    day = weekday_number(weekday)
    start, end = part_window(part_of_day)
    oh = resolve_hours(assets)["oh"]
    states = {s: _state(s, day, start, end) for s in oh.dropna().unique()}
    labels = oh.map(lambda s: UNKNOWN if s is None else
                    {True: OPEN, False: CLOSED, None: UNKNOWN}[states[s]])
    return pd.Series(labels.astype(object).to_numpy(), index=assets.index, name="open", dtype=object)
