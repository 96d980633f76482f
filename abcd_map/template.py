"""Blank asset lists for users to fill in: ``abcd-map init`` writes them.

The template has the canonical (Dutch) asset columns of ``data/columns.csv``,
one fictional example row per soort, an 'Uitleg' sheet describing every column
and its allowed values (``data/vocabulary.csv``), and drop-down lists in Excel.
Both files load back with :func:`abcd_map.load.assets.load_assets`.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from . import schema
from .errors import InputError, InputProblem
from .export import write_atomic
from .load.assets import vocabulary_labels

if TYPE_CHECKING:
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

#: File names written by :func:`write_template`.
TEMPLATE_XLSX = "abcd-assets-sjabloon.xlsx"
TEMPLATE_CSV = "abcd-assets-sjabloon.csv"
#: Asset columns that abcd-map fills itself; not in the template.
INTERNAL_COLUMNS = ("label", "osm_id", "herkomst", "standaard_zichtbaar", "kleine_plek")
#: Sheet names (the loader reads 'assets' and skips 'Uitleg').
DATA_SHEET = "assets"
HELP_SHEET = "Uitleg"
#: Columns with a drop-down list: column -> vocabulary field ('' for ja/nee).
DROPDOWNS = {"soort": "soort", "categorie": "categorie", "fase": "fase",
             "inloop": "", "toestemming": "", "openbaar": "", "ontmoetingsplek": ""}
#: Vocabulary field of the allowed values named in the 'Uitleg' sheet.
VALUE_FIELDS = {**DROPDOWNS, "doelgroepen": "doelgroep", "relaties": "relatie"}
#: Number of rows that get drop-down lists and the date format.
FORM_ROWS = 1000
DATE_FORMAT = "d-m-yyyy"

# One fictional example per soort (Delft-like coordinates, invented names and contacts).
EXAMPLES: list[dict[str, object]] = [
    {"id": "A01", "naam": "Buurthuis De Linde (voorbeeld)", "soort": "plek", "categorie": "fysieke_ruimte",
     "omschrijving": "Huiskamer van de buurt: koffie, krant en een luisterend oor",
     "doelgroepen": "iedereen; senioren", "inloop": "ja", "wanneer": "maandag t/m vrijdag 10:00-16:00",
     "openingstijden": "Mo-Fr 10:00-16:00", "beheerder": "Stichting Welzijn Voorbeeld",
     "contactpersoon": "Sanne de Vries", "telefoon": "015 000 0001", "email": "info@delinde.example",
     "website": "www.delinde.example", "adres": "Voorbeeldstraat 1", "postcode": "2611 AA",
     "plaats": "Delft", "lat": 52.0116, "lon": 4.3571, "laatste_contact": date(2024, 3, 1),
     "bron": "wijkteam", "fase": "ontvangend", "ontmoetingsplek": "ja", "capaciteit": 40,
     "relaties": "partner van:A03"},
    {"id": "A02", "naam": "Fatima (voorbeeld)", "soort": "persoon", "categorie": "individuen",
     "omschrijving": "Kookt graag voor grote groepen", "doelgroepen": "nieuwkomers",
     "inloop": "nee", "bron": "gesprek op straat", "lat": 52.0102, "lon": 4.3590,
     "laatste_contact": date(2024, 2, 12), "fase": "in_gesprek", "toestemming": "nee",
     "openbaar": "nee", "ontmoetingsplek": "nee", "relaties": "brengt mensen naar:A01"},
    {"id": "A03", "naam": "Moestuin De Groene Hoek (voorbeeld)", "soort": "initiatief",
     "categorie": "verenigingen", "omschrijving": "Bewoners tuinieren samen en delen de oogst",
     "doelgroepen": "iedereen; kinderen", "inloop": "ja", "wanneer": "elke zaterdag 10:00-12:00",
     "beheerder": "Bewonersgroep De Groene Hoek", "email": "groenehoek@voorbeeld.example",
     "lat": 52.0131, "lon": 4.3552, "laatste_contact": date(2023, 11, 20), "bron": "buurtavond",
     "fase": "benaderd", "ontmoetingsplek": "ja", "capaciteit": 15},
    {"id": "A04", "naam": "Bibliotheek De Boekenkast (voorbeeld)", "soort": "organisatie", "categorie": "instellingen",
     "omschrijving": "Taalcafé en digitaal spreekuur", "doelgroepen": "nieuwkomers; senioren",
     "inloop": "ja", "wanneer": "dinsdag 14:00-16:00 taalcafé", "openingstijden": "Tu-Sa 10:00-17:00",
     "beheerder": "Bibliotheek Voorbeeld", "telefoon": "015 000 0004",
     "website": "https://bibliotheek.example", "adres": "Voorbeeldplein 4", "plaats": "Delft",
     "lat": 52.0125, "lon": 4.3600, "bron": "website", "fase": "getraind", "ontmoetingsplek": "ja",
     "capaciteit": 60, "relaties": "verwijst naar:A01"},
    {"id": "A05", "naam": "Speeltuin Het Klimrek (voorbeeld)", "soort": "openbare_ruimte",
     "categorie": "fysieke_ruimte", "omschrijving": "Speeltuin met bankjes in de schaduw",
     "doelgroepen": "kinderen; ouders", "inloop": "ja", "openingstijden": "24/7",
     "lat": 52.0109, "lon": 4.3545, "bron": "eigen waarneming", "fase": "onbekend",
     "ontmoetingsplek": "ja"},
]


def template_columns() -> list[str]:
    """Columns of the template, in the order of ``data/columns.csv``."""
    table = schema.column_table().query("table == 'assets'")
    return [c for c in table["column"] if c not in INTERNAL_COLUMNS]


def write_template(folder: str | Path, *, overwrite: bool = False) -> list[Path]:
    """Write ``abcd-assets-sjabloon.xlsx`` and ``abcd-assets-sjabloon.csv`` to ``folder``.

    Parameters
    ----------
    folder
        Target folder (created when missing).
    overwrite
        Replace existing files; without it an existing file is an InputError.

    Returns
    -------
    list of Path
        The files written (xlsx, csv).
    """
    folder = Path(folder)
    targets = [folder / TEMPLATE_XLSX, folder / TEMPLATE_CSV]
    existing = [t for t in targets if t.exists()]
    if existing and not overwrite:
        raise InputError([
            InputProblem(str(t), "bestaat al; het sjabloon overschrijft geen bestaande bestanden",
                         expected="abcd-map init --overschrijven om het te vervangen (overwrite=True in Python), "
                                  "een andere map, of verwijder of hernoem het bestand")
            for t in existing])
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(targets[0], _xlsx_bytes())
    write_atomic(targets[1], _csv_bytes())
    return targets


def _display(column: str, value: object) -> object:
    """An example value as a user types it: Dutch labels instead of codes."""
    field = VALUE_FIELDS.get(column)
    if column in ("soort", "categorie", "fase") and value:
        return vocabulary_labels(field)[str(value)]
    return value


#: Frozen panes of the 'assets' sheet: the header row and the columns id and naam stay in view.
FREEZE_PANES = "C2"
#: Narrowest and widest column of the 'assets' sheet (Excel character widths).
MIN_WIDTH, MAX_WIDTH = 8, 45


def column_width(header: str, examples: list[object]) -> float:
    """Width that shows the header and the example values (dates as d-m-yyyy), within bounds.

    The header is bold and has a filter-like margin: two characters extra.
    """
    def shown(value: object) -> int:
        if isinstance(value, date):
            return len(f"{value.day}-{value.month}-{value.year}")
        return len("" if value is None else str(value))

    widest = max([len(header) + 2] + [shown(v) + 1 for v in examples])
    return float(max(MIN_WIDTH, min(MAX_WIDTH, widest)))


def _example_rows() -> list[list[object]]:
    columns = template_columns()
    return [[_display(c, row.get(c, "")) for c in columns] for row in EXAMPLES]


def _allowed_values(column: str) -> str:
    field = VALUE_FIELDS.get(column)
    if field is None:
        return ""
    if field == "":
        return "ja, nee"
    return ", ".join(vocabulary_labels(field).values())


#: What the 'ook goed' column of the 'Uitleg' sheet says about capaciteit (``schema.parse_capacity``).
CAPACITY_HELP = ("Ook goed: 'ca. 15', '15 personen' en 'max. 15' tellen als 15; een bereik als "
                 "'15-20' of '15 tot 20' telt als 15 (de ondergrens); 'onbekend' of '?' blijft leeg.")


def _also_accepted(column: str) -> str:
    """Other words the loader accepts in a column, per value (``data/synoniemen.csv``)."""
    if column == "capaciteit":
        return CAPACITY_HELP
    field = VALUE_FIELDS.get(column)
    if not field or field not in schema.field_policies().index:
        return ""
    table = schema.synonyms().query("field == @field")
    lines = ["Enkelvoud of meervoud, hoofdletters, '&' voor 'en' en Engels mogen ook."]
    for code, label in vocabulary_labels(field).items():
        words = table.loc[table["code"] == code, "synonym"].tolist()
        if words:
            lines.append(f"{label}: {', '.join(words)}")
    lines.append(f"Onbekende waarde: {schema.field_policies().at[field, 'when_unknown_nl']}.")
    return "\n".join(lines)


def _write_help_sheet(help_ws: Worksheet, columns: list[str], header_fill: PatternFill) -> None:
    """The 'Uitleg' sheet: what to fill in, and per column its meaning, allowed values and
    the other words the loader also accepts."""
    from openpyxl.styles import Alignment, Font

    help_ws.append(["Vul op het blad 'assets' per rij één asset in: een persoon, initiatief, "
                    "organisatie, plek of openbare ruimte. De voorbeeldrijen mag je overschrijven. "
                    "Gewone woorden mogen ook: zie de kolom 'ook goed'."])
    help_ws.append(["Geef een locatie met lat en lon (WGS84), of x en y (RD New), of een adres "
                    "(adressen worden alleen opgezocht met --online). Adressen van personen komen "
                    "nooit in een uitvoer."])
    help_ws.append([])
    help_ws.append(["kolom", "uitleg", "toegestane waarden", "ook goed"])
    for cell in help_ws[4]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    descriptions = schema.column_table().query("table == 'assets'").set_index("column")["description_nl"]
    for column in columns:
        help_ws.append([column, descriptions.get(column, ""), _allowed_values(column),
                        _also_accepted(column) or None])
    help_ws.column_dimensions["A"].width = 18
    for letter in "BCD":
        help_ws.column_dimensions[letter].width = 70
    for row in help_ws.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _xlsx_bytes() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = template_columns()
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(columns)
    for row in _example_rows():
        ws.append([None if v == "" else v for v in row])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    ws.freeze_panes = FREEZE_PANES
    examples = _example_rows()
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = column_width(column, [row[j - 1] for row in examples])
        cells = f"{letter}2:{letter}{FORM_ROWS + 1}"
        if column in DROPDOWNS:
            field = DROPDOWNS[column]
            options = ["ja", "nee"] if field == "" else list(vocabulary_labels(field).values())
            validation = DataValidation(
                type="list", formula1='"' + ",".join(options) + '"', allow_blank=True,
                showErrorMessage=True, errorStyle="warning", errorTitle="Onbekende waarde",
                error=("Dit staat niet in de lijst. Veel andere woorden worden ook herkend: "
                       "zie het blad 'Uitleg', kolom 'ook goed'."),
                promptTitle=column, prompt="Kies uit de lijst", showInputMessage=True)
            validation.add(cells)
            ws.add_data_validation(validation)
        if column == "laatste_contact":
            ws.column_dimensions[letter].number_format = DATE_FORMAT
            for (cell,) in ws.iter_rows(min_row=2, max_row=len(EXAMPLES) + 1, min_col=j, max_col=j):
                cell.number_format = DATE_FORMAT

    _write_help_sheet(wb.create_sheet(HELP_SHEET), columns, header_fill)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _csv_bytes() -> bytes:
    """Semicolon CSV with decimal commas and d-m-yyyy dates, as Dutch Excel reads it."""
    def cell(value: object) -> str:
        if isinstance(value, date):
            return f"{value.day}-{value.month}-{value.year}"
        if isinstance(value, float):
            return str(value).replace(".", ",")
        return "" if value is None else str(value)

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(template_columns())
    for row in _example_rows():
        writer.writerow([cell(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


