"""User-facing errors and notes, in Dutch.

An :class:`InputProblem` names the file, the row as the user sees it (in Excel:
the header is row 1, the first data row is row 2), the column, the value found
and what was expected. An :class:`InputError` carries one or more problems; the
CLI prints them and exits with code 2. Nothing in here is a crash: crashes are
ordinary exceptions.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InputProblem:
    """One problem in an input file."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None

    def __str__(self) -> str:
        where = [Path(self.file).name if self.file else "invoer"]
        if self.row is not None:
            where.append(f"rij {self.row}")
        if self.column:
            where.append(f"kolom '{self.column}'")
        text = ", ".join(where) + ": " + self.message
        if self.value is not None and str(self.value) != "":
            text += f" (gevonden: '{_short(self.value)}')"
        if self.expected:
            text += f"; verwacht: {self.expected}"
        return text


def _short(value: object, limit: int = 60) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AbcdError(Exception):
    """Base class of the errors abcd-map raises on purpose."""


class InputError(AbcdError):
    """A user's input is wrong; ``problems`` lists every problem found."""

    def __init__(self, problems: list[InputProblem] | InputProblem | str, file: str | None = None):
        if isinstance(problems, str):
            problems = [InputProblem(file=file or "", message=problems)]
        elif isinstance(problems, InputProblem):
            problems = [problems]
        self.problems: list[InputProblem] = list(problems)
        super().__init__(self.message())

    def message(self) -> str:
        """All problems as Dutch text, one per line."""
        n = len(self.problems)
        head = "Er is 1 probleem in de invoer:" if n == 1 else f"Er zijn {n} problemen in de invoer:"
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class OfflineError(AbcdError):
    """A download was needed but the network is not reachable (or not allowed)."""


class AbcdWarning(UserWarning):
    """A note for the user (Dutch text): data dropped, repaired, merged or assumed."""


def note(message: str) -> None:
    """Emit a Dutch note to the user; the CLI prints it, Jupyter shows it."""
    warnings.warn(message, AbcdWarning, stacklevel=2)


class collect_notes:
    """Context manager that records every :class:`AbcdWarning` into a list."""

    def __enter__(self) -> list[str]:
        self._ctx = warnings.catch_warnings(record=True)
        self._records = self._ctx.__enter__()
        warnings.simplefilter("always", AbcdWarning)
        self.messages: list[str] = []
        return self.messages

    def __exit__(self, *exc) -> bool:
        self._ctx.__exit__(*exc)  # stop recording first: re-emitting below must not feed the list
        for rec in self._records:
            if issubclass(rec.category, AbcdWarning):
                msg = str(rec.message)
                if msg not in self.messages:
                    self.messages.append(msg)
            else:
                # foreign warnings (numpy, pyogrio ...) go on to the caller's own filters
                warnings.warn_explicit(rec.message, rec.category, rec.filename, rec.lineno)
        return False
