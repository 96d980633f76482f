"""The ``abcd-map`` command: a thin Typer shell over :mod:`abcd_map.pipeline`.

Exit codes: 0 success, 2 input error (a clear Dutch message, nothing written),
1 anything else. ``--debug`` shows the Python traceback.
"""

from __future__ import annotations

import re
import signal
import sys
import traceback
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from . import settings

app = typer.Typer(
    name="abcd-map",
    help="Kaarten en tabellen van wat een buurt heeft (Asset-Based Community Development).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
console = Console(stderr=False, highlight=False)
err = Console(stderr=True, highlight=False)

EXIT_INPUT = 2
EXIT_FAILURE = 1
#: Stopped by Ctrl-C or SIGTERM (the shell's convention: 128 + SIGINT).
EXIT_INTERRUPTED = 130


def _version(value: bool) -> None:
    if value:
        from . import __version__

        console.print(f"abcd-map {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Toon het versienummer.")] = False,
) -> None:
    """Kaarten en tabellen van wat een buurt heeft (Asset-Based Community Development)."""


def _fail(exc: BaseException, debug: bool) -> None:
    """Print an error the way a user can act on it, then exit with the right code."""
    from .errors import AbcdError, InputError, OfflineError

    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, InputError):
        err.print(f"[bold red]Fout in de invoer.[/] Er is niets geschreven.\n{exc.message()}", markup=True)
        raise typer.Exit(EXIT_INPUT)
    if isinstance(exc, OfflineError):
        err.print(f"[bold red]Geen verbinding.[/] {exc}", markup=True)
        raise typer.Exit(EXIT_FAILURE)
    if isinstance(exc, AbcdError):
        err.print(f"[bold red]Fout:[/] {exc}", markup=True)
        raise typer.Exit(EXIT_FAILURE)
    err.print(f"[bold red]Onverwachte fout:[/] {type(exc).__name__}: {exc}\n"
              "Draai opnieuw met --debug voor details, en meld het als het blijft gebeuren.", markup=True)
    raise typer.Exit(EXIT_FAILURE)


def _parse_distances(text: Optional[str]) -> list[float] | None:
    from .errors import InputError, InputProblem

    if text is None:
        return None
    try:
        return [float(part.strip().replace(",", ".")) for part in text.replace(";", " ").replace(",", " ").split()]
    except ValueError:
        raise InputError(InputProblem(file="--afstand", message="geen getal", value=text,
                                      expected="meters, bijv. 500 of \"300 500 800\" of 300,500,800")) from None


def _kerncijfers(value: Optional[str]) -> Path | bool | None:
    """``--cbs-kerncijfers``: a file, or 'online' to fetch them from CBS StatLine."""
    if value is None:
        return None
    return True if value.strip().lower() == "online" else Path(value)


@app.command()
def build(
    buurten: Annotated[Optional[Path], typer.Option("--buurten", metavar="BESTAND", show_default=False, help="CBS Wijk- en Buurtkaart (GeoJSON, GeoPackage of Shapefile).")] = None,
    osm: Annotated[Optional[Path], typer.Option("--osm", metavar="BESTAND", show_default=False, help="OpenStreetMap-bestand (.osm, .osm.bz2 of .osm.pbf).")] = None,
    osm_gebied: Annotated[Optional[str], typer.Option("--osm-gebied", metavar="BESTAND|KADER", show_default=False, help="Waar het OSM-bestand gegevens heeft: vlakkenbestand of kader minlon,minlat,maxlon,maxlat. Standaard uit het bestand zelf.")] = None,
    assets: Annotated[Optional[Path], typer.Option("--assets", metavar="BESTAND", show_default=False, help="Eigen lijst met assets (CSV, Excel .xlsx, GeoJSON of GeoPackage); maak er een met 'abcd-map init'.")] = None,
    gemeente: Annotated[Optional[list[str]], typer.Option("--gemeente", metavar="NAAM|CODE", show_default=False, help="Alleen deze gemeente: naam (bijv. Delft, Den Haag) of code (GM0503); mag vaker of met komma's (\"Delft,Rijswijk\"): samen één kaart. \"alle\": elke gemeente in het bestand.")] = None,
    wijk: Annotated[Optional[list[str]], typer.Option("--wijk", metavar="CODE|NAAM", show_default=False, help="Alleen deze wijk (code zoals WK050301 of naam); mag vaker of met komma's.")] = None,
    afstand: Annotated[Optional[str], typer.Option("--afstand", metavar="METERS", show_default=False, help=f"Loopafstand in meters; meerdere mag: 300,500,800. Standaard {settings.default_distance:.0f}.")] = None,
    modus: Annotated[str, typer.Option("--modus", metavar="publiek|team", show_default=False, help="publiek (standaard, veilig om te delen) of team (alleen voor eigen gebruik: toont personen en contactgegevens).")] = settings.default_mode,
    online: Annotated[bool, typer.Option("--online", help="Gegevens downloaden mag (PDOK, Overpass, adressen opzoeken). Standaard uit.")] = False,
    out: Annotated[Path, typer.Option("--out", metavar="MAP", show_default=False, help=f"Map voor de uitvoer (standaard {settings.default_out_dir}).")] = Path(settings.default_out_dir),
    wijkgrenzen: Annotated[Optional[Path], typer.Option("--wijkgrenzen", metavar="BESTAND", show_default=False, help="Bestand met wijkgrenzen; zonder dit worden wijken uit de buurten samengesteld.")] = None,
    gebieden: Annotated[Optional[Path], typer.Option("--gebieden", metavar="BESTAND", show_default=False, help="Eigen gebieden (vlakken met een naamkolom) in plaats van CBS-buurten.")] = None,
    lens: Annotated[Optional[str], typer.Option("--lens", metavar="DOELGROEP", show_default=False, help="Bekijk de wijk door de ogen van een doelgroep: senioren, jeugd, kinderen, ouders ...")] = None,
    dag: Annotated[Optional[str], typer.Option("--dag", metavar="DAG", show_default=False, help="Bereik van ontmoetingsplekken die op deze dag open zijn: maandag ... zondag.")] = None,
    dagdeel: Annotated[Optional[str], typer.Option("--dagdeel", metavar="DAGDEEL", show_default=False, help="Met --dag: ochtend, middag of avond.")] = None,
    behoefte: Annotated[Optional[Path], typer.Option("--behoefte", metavar="BESTAND", show_default=False, help="CSV met behoefte-indicatoren per buurtcode; zonder dit telt het aandeel 65+.")] = None,
    cbs_kerncijfers: Annotated[Optional[str], typer.Option("--cbs-kerncijfers", metavar="BESTAND|online", show_default=False, help="CBS Kerncijfers wijken en buurten (CSV of Excel van StatLine): CBS' afstanden tot huisarts, supermarkt, kinderopvang en basisschool naast de onze. 'online' (met --online en --gemeente) haalt ze bij CBS.")] = None,
    drempel: Annotated[Optional[int], typer.Option("--drempel", metavar="GETAL", show_default=False, help=f"Publiek: aantallen personen onder dit getal tonen als '< N' (standaard {settings.suppression_threshold}).")] = None,
    per_wijk: Annotated[bool, typer.Option("--per-wijk", help="Schrijf ook een kaart per wijk met een overzichtspagina.")] = False,
    vergelijk: Annotated[Optional[Path], typer.Option("--vergelijk", metavar="VORIGE_MAP", show_default=False, help="Vergelijk met een eerdere uitvoermap: assets erbij, weg en veranderd, dekking per buurt toen en nu.")] = None,
    rapport: Annotated[bool, typer.Option("--rapport", help="Schrijf ook per wijk een wijkprofiel (rapport-<wijkcode>.pdf en .html, A4) en één voor het hele gebied.")] = False,
    per_gemeente: Annotated[bool, typer.Option("--per-gemeente", help="Reken elke gemeente apart (parallel met dask) en schrijf een map per gemeente plus de samengevoegde tabellen, GeoPackage en GeoParquet. Met --gemeente alle, een lijst, of zonder --gemeente: elke gemeente in het bestand.")] = False,
    dask: Annotated[Optional[str], typer.Option("--dask", metavar="ADRES", show_default=False, help="Met --per-gemeente: gebruik dit dask-cluster (bijv. tcp://10.0.0.5:8786) in plaats van een cluster op deze computer.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Toon technische details (traceback) bij een fout.")] = False,
) -> None:
    """Maak de kaart en de tabellen. Zonder invoerbestanden: de fictieve demo-gemeente Lindewaarde."""
    from .options import BuildOptions
    from .pipeline import run

    try:
        options = BuildOptions.create(
            buurten, osm, assets, wijken_file=wijkgrenzen, gebieden=gebieden, gemeente=gemeente, wijken=wijk,
            afstand=_parse_distances(afstand), modus=modus, lens=lens, dag=dag, dagdeel=dagdeel, behoefte=behoefte,
            cbs_kerncijfers=_kerncijfers(cbs_kerncijfers), drempel=drempel, online=online, out=out, per_wijk=per_wijk,
            vergelijk=vergelijk, osm_gebied=osm_gebied, rapport=rapport)
        if per_gemeente or dask:
            _build_per_gemeente(options, dask, per_gemeente)
            return
        with console.status("Bezig ...") as status:
            result = run(options, progress=lambda msg: status.update(f"{msg} ..."))
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - every failure gets a user-facing message
        _fail(exc, debug)
        return
    _print_summary(result)
    for msg in result.notes:
        console.print(f"[yellow]Let op:[/] {msg}", markup=True)
    console.print(f"\nGeschreven in [bold]{out}[/]: " + ", ".join(p.name for p in result.files), markup=True)


def _build_per_gemeente(options, address: Optional[str], asked: bool) -> None:
    """``--per-gemeente``: a task per gemeente on dask with a progress bar; failed gemeenten are listed (exit 1)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .errors import InputError, InputProblem
    from .per_gemeente import build_per_gemeente

    if not asked:
        raise InputError(InputProblem(file="--dask", message="--dask werkt alleen met --per-gemeente",
                                      value=address, expected="ook --per-gemeente"))
    import logging

    import distributed  # noqa: F401  (its import sets up its loggers; quiet them after it)

    logging.getLogger("distributed").setLevel(logging.ERROR)  # the cluster's start/stop chatter is not for users
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("Gemeenten klaar", total=None)

        def step(done: int, total: int, code: str, name: str, status: str) -> None:
            bar.update(task, completed=done, total=total or None,
                       description=f"Gemeenten klaar (laatste: {name}{', uit de cache' if status == 'cache' else ''})")

        result = build_per_gemeente(options, address=address, progress=step)
    for msg in result.combined.notes:
        console.print(f"[yellow]Let op:[/] {msg}", markup=True)
    console.print(f"{len(result.results)} gemeenten klaar ({len(result.cached)} uit de cache); geschreven in "
                  f"[bold]{options.out}[/]: een map per gemeente en de samengevoegde tabellen.", markup=True)
    if result.failed:
        err.print("[bold red]Niet gelukt:[/] " + "; ".join(
            f"{result.names[c]} ({c}): {m}" for c, m in result.failed.items()), markup=True)
        raise typer.Exit(EXIT_FAILURE)


def _known(value) -> bool:
    return value is not None and value == value


def _share_text(cov, known, residents) -> str:
    """'62%', 'geen gegevens', or '40% (van 800 inw.)' when the share rests on part of the wijk."""
    if not _known(cov):
        return "geen gegevens"
    text = f"{cov:.0f}%"
    if _known(known) and _known(residents) and residents and known < settings.osm_extent_full_share * residents:
        text += f" (van {int(round(known)):,} inw.)".replace(",", ".")
    return text


def _count_text(value) -> str:
    """A count, or 'geen gegevens' when it is unknown (no OSM data there)."""
    return f"{int(value)}" if _known(value) else "geen gegevens"


_BARE_WIJK = re.compile(r"^\s*wijk\s*\d+\s*$", re.IGNORECASE)


def _wijk_label(r: dict, gemeente_column: bool) -> str:
    """The wijk's name; a bare 'Wijk 00' gets its gemeente beside it when no gemeente column says it."""
    name = str(r.get("wijknaam") or r.get("wijkcode"))
    gemeente = str(r.get("gemeentenaam") or "")
    if not gemeente_column and gemeente and _BARE_WIJK.match(name):
        return f"{name} ({gemeente})"
    return name


def _print_summary(result) -> None:
    """One row per wijk; a gemeente column when the run has several; coverage only when places were given."""
    from .metrics import coverage_column, distance_text

    meta, options, wijken = result.meta, result.options, result.wijken
    table = Table(title=f"{meta['title']} — modus {meta['modus']}")
    d = options.main_distance
    cov_col = coverage_column(d)
    gemeenten = wijken["gemeentenaam"].replace("", pd.NA).dropna().unique() if "gemeentenaam" in wijken else []
    several = len(gemeenten) > 1
    has_places = options.osm is not None or options.assets is not None or options.online
    if several:
        table.add_column("Gemeente")
    for name in ("Wijk", "Inwoners", "Assets"):
        table.add_column(name, justify="left" if name == "Wijk" else "right")
    if has_places:
        table.add_column(f"Inwoners ≤ {distance_text(d)} m van ontmoetingsplek", justify="right")
    else:
        table.caption = "Geen plekken gegeven (geen --osm of --assets): geen dekking berekend."
    for row in wijken.itertuples(index=False):
        r = row._asdict()
        inw = r.get("inwoners")
        cells = [str(r.get("gemeentenaam") or "")] if several else []
        cells += [_wijk_label(r, several),
                  "onbekend" if inw is None or inw != inw else f"{int(inw):,}".replace(",", "."),
                  _count_text(r.get("aantal_assets", 0))]
        if has_places:
            cells.append(_share_text(r.get(cov_col), r.get("inwoners_met_gegevens"), inw))
        table.add_row(*cells)
    console.print(table)


@app.command()
def init(
    map_: Annotated[Path, typer.Argument(metavar="MAP", help="Map waarin het sjabloon komt.")] = Path("."),
    overschrijven: Annotated[bool, typer.Option("--overschrijven", help="Bestaande sjablonen overschrijven.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Toon technische details bij een fout.")] = False,
) -> None:
    """Schrijf een invulsjabloon voor assets (Excel met uitleg en keuzelijsten, en CSV)."""
    from .template import write_template

    try:
        files = write_template(map_, overwrite=overschrijven)
    except Exception as exc:  # noqa: BLE001
        _fail(exc, debug)
        return
    for f in files:
        console.print(f"Geschreven: {f}")


@app.command()
def validate(
    bestand: Annotated[Path, typer.Argument(metavar="BESTAND", help="Het assetbestand om te controleren.")],
    debug: Annotated[bool, typer.Option("--debug", help="Toon technische details bij een fout.")] = False,
) -> None:
    """Controleer een assetbestand en noem elk probleem tegelijk (bestand, rij, kolom, wat verwacht werd)."""
    from .errors import InputError, collect_notes
    from .load.assets import validate_assets

    try:
        with collect_notes() as notes:
            problems = validate_assets(bestand)
    except Exception as exc:  # noqa: BLE001
        _fail(exc, debug)
        return
    for msg in notes:
        console.print(f"[yellow]Let op:[/] {msg}", markup=True)
    if problems:
        err.print(InputError(problems).message())
        raise typer.Exit(EXIT_INPUT)
    console.print(f"[green]Geen problemen gevonden in {bestand.name}.[/]", markup=True)


# --------------------------------------------------------------------------- Dutch usage messages

HEADINGS = {"Options": "Opties", "Arguments": "Argumenten", "Commands": "Commando's"}
HELP_TEXT = "Toon deze hulp en stop."


def _translations() -> list[tuple[re.Pattern, str]]:
    """English usage messages of the command-line parser -> Dutch (``data/cli_nl.csv``)."""
    table = pd.read_csv(settings.data_path("cli_nl.csv"), dtype=str, keep_default_na=False)
    return [(re.compile(p), d) for p, d in zip(table["pattern"], table["dutch"])]


def dutch_message(text: str) -> str:
    """A usage error of the parser in Dutch (patterns in ``data/cli_nl.csv``); unknown text stays."""
    for pattern, dutch in _translations():
        text = pattern.sub(dutch, text)
    return text


def _dutch_command():
    """The click command of the app with Dutch help texts, headings and usage prefix."""
    from typer._click.core import Context
    from typer._click.formatting import HelpFormatter

    class DutchFormatter(HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args.replace("[OPTIONS]", "[OPTIES]").replace("COMMAND", "COMMANDO")
                                .replace("[ARGS]", "[ARGUMENTEN]"), prefix or "Gebruik: ")

        def write_heading(self, heading: str) -> None:
            super().write_heading(HEADINGS.get(heading, heading))

    Context.formatter_class = DutchFormatter
    command = typer.main.get_command(app)
    todo = [command]
    while todo:
        cmd = todo.pop()
        todo += list(getattr(cmd, "commands", {}).values())
        option = cmd.get_help_option(Context(cmd, info_name=cmd.name))  # made once and cached by the command
        if option is not None:
            option.help = HELP_TEXT
    return command


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def run_cli(args: list[str] | None = None) -> int:
    """Run the command line with Dutch usage errors; returns the exit code (2 for a usage error)."""
    from typer._click.exceptions import UsageError

    command = _dutch_command()
    signal.signal(signal.SIGTERM, _interrupt)  # a stopped run cleans up its temporary folder, as Ctrl-C does
    try:
        code = command.main(args=args, prog_name="abcd-map", standalone_mode=False)
    except UsageError as exc:
        usage = exc.ctx.get_usage() if exc.ctx is not None else "Gebruik: abcd-map [OPTIES] COMMANDO"
        path = exc.ctx.command_path if exc.ctx is not None else "abcd-map"
        err.print(f"{usage}\nProbeer '{path} --help' voor hulp.\n", markup=False, highlight=False)
        err.print(f"Fout: {dutch_message(exc.format_message())}", markup=False, highlight=False)
        return EXIT_INPUT
    except (typer.Abort, KeyboardInterrupt):
        err.print("Afgebroken; er is niets geschreven (de uitvoermap is niet aangeraakt).")
        return EXIT_INTERRUPTED
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    return code if isinstance(code, int) else 0


def main() -> None:
    """Console entry point."""
    sys.exit(run_cli())


if __name__ == "__main__":
    sys.exit(main())
