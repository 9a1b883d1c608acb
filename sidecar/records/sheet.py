"""A spreadsheet saved as CSV, read for an import. Pure: text in, rows and problems out.

Row 1 names the columns (any case; spaces or hyphens for underscores); every later row that
is not blank is one person. Rows keep the number a spreadsheet shows for them, so a problem
says "row 5, callback_phone: ..." and the admin finds the cell. A byte order mark, Windows
line ends, blank rows and spaces around a cell are all fine.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sidecar.infra.validation import message

M = TypeVar("M", bound=BaseModel)
MAX_ROWS = 5000
BOM = "\ufeff"


class _TooMany(Exception):
    pass


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    cells: Mapping[str, str]  # known column -> its trimmed text

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Sheet:
    columns: frozenset[str]  # the known columns the file has
    rows: list[Row]
    errors: list[str]  # about the file as a whole or its header


def _failed(error: str) -> Sheet:
    return Sheet(frozenset(), [], [error])


def column_name(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().casefold())


def letter(index: int) -> str:
    """A spreadsheet's name for the column at ``index`` (0 is A, 26 is AA)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _table(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text.removeprefix(BOM), newline=""),
                        skipinitialspace=True)
    table: list[list[str]] = []
    people = 0
    try:
        for cells in reader:
            table.append(cells)
            people += bool(table[1:] and any(c.strip() for c in cells))
            if people > MAX_ROWS:
                raise _TooMany
    except csv.Error as exc:
        raise csv.Error(f"line {reader.line_num}: {exc}") from exc
    while table and not any(c.strip() for c in table[-1]):
        table.pop()
    return table


def _hint(name: str, known: Sequence[str]) -> str:
    near = difflib.get_close_matches(name, known, n=1) or [
        k for k in known if k.endswith("_" + name)][:1]
    return f"; did you mean '{near[0]}'?" if near else ""


def _header_problems(header: Sequence[str], known: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    errors = []
    for i, raw in enumerate(header):
        name = column_name(raw)
        if name in seen:
            errors.append(f"column '{raw.strip()}' is there twice (columns {seen[name]} "
                          f"and {letter(i)})")
        elif name and name not in known:
            errors.append(f"column '{raw.strip()}' is not one we know{_hint(name, known)}")
        seen.setdefault(name, letter(i))
    return errors


def _row(number: int, names: Sequence[str], cells: Sequence[str],
         known: Sequence[str]) -> tuple[Row, list[str]]:
    mine: dict[str, str] = {}
    errors = []
    for i, cell in enumerate(cells):
        name = names[i] if i < len(names) else ""
        if not name and cell.strip():
            errors.append(f"row {number}, column {letter(i)}: has text, but row 1 gives "
                          "this column no name")
        elif name in known:
            mine.setdefault(name, cell.strip())
    return Row(number, mine), errors


def read(text: str, known: Sequence[str],
         required: Callable[[frozenset[str]], Sequence[str]]) -> Sheet:
    """The rows of ``text``; ``required`` gives the columns a file with these columns
    must have. A file whose header lacks one is not read further."""
    try:
        table = _table(text)
    except _TooMany:
        return _failed(f"the file has more than {MAX_ROWS:,} people; split it into files "
                       f"of at most {MAX_ROWS:,} rows each")
    except csv.Error as exc:
        return _failed(f"the file cannot be read as CSV ({exc})")
    if not table:
        return _failed("the file is empty: its first row names the columns, and each row "
                       "after it is one person")
    names = [column_name(c) for c in table[0]]
    if not any(names):
        return _failed("row 1 should name the columns")
    columns = frozenset(n for n in names if n in known)
    errors = _header_problems(table[0], known)
    missing = [f"column '{c}' is missing" for c in required(columns) if c not in columns]
    if missing:
        return Sheet(columns, [], errors + missing)
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        if any(c.strip() for c in cells):
            row, problems = _row(number, names, cells, known)
            rows.append(row)
            errors += problems
    if not rows:
        errors.append("the file has no one in it: only row 1, which names the columns")
    return Sheet(columns, rows, errors)


# ---- the cells ------------------------------------------------------------------------

def values(cell: str) -> list[str]:
    """Several values in one cell, separated by ";" (each once, in order)."""
    return list(dict.fromkeys(v.strip() for v in cell.split(";") if v.strip()))


def plain(words: str) -> str:
    """Words as a lookup compares them: any case, ``_``/``-``/spaces alike, no end stop."""
    return re.sub(r"[\s_-]+", " ", words.casefold()).strip().rstrip(".").strip()


_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def yes_no(cell: str, default: bool) -> bool | None:
    """None when the cell is neither yes nor no."""
    word = plain(cell)
    if not word:
        return default
    return True if word in _YES else False if word in _NO else None


def phone(cell: str) -> str:
    """E.164 as typed (spaces, dots, dashes and brackets dropped), or a US number such as
    (312) 555-0142, 312-555-0142 or 1 312 555 0142 as +13125550142. Anything else is left
    as it is, for the model to refuse."""
    text = cell.strip()
    digits = re.sub(r"[\s().-]", "", text)
    if not re.fullmatch(r"\+?[0-9]+", digits):
        return text
    if digits.startswith("+"):
        return digits
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return "+1" + digits if re.fullmatch(r"[2-9][0-9]{9}", digits) else text


# ---- problems, one sentence each ---------------------------------------------------------

_SAY = {  # (column, kind of problem) -> what it means there, in words
    ("id", "string_pattern_mismatch"): "letters, digits, '.', '_' and '-' only, no spaces",
    ("email", "string_pattern_mismatch"): "an e-mail address, like casey@example.org",
    ("country", "string_too_short"): "a two-letter country code, like US",
    ("country", "string_too_long"): "a two-letter country code, like US",
}


@dataclass
class Problems:
    """What is wrong with one row: one problem per cell, in the order of ``order``."""

    number: int
    order: Sequence[str]
    found: dict[str, str] = field(default_factory=dict)

    def add(self, column: str, problem: str) -> None:
        self.found.setdefault(column, problem)

    def model(self, exc: ValidationError, column: Callable[[ErrorDetails], str]) -> None:
        for e in exc.errors():
            name = column(e)
            self.add(name, _SAY.get((name, e["type"])) or message(e))

    def sentences(self) -> list[str]:
        rank = {c: i for i, c in enumerate(self.order)}
        return [f"row {self.number}, {c}: {p}" if c else f"row {self.number}: {p}"
                for c, p in sorted(self.found.items(), key=lambda cp: rank.get(cp[0], -1))]

    def __bool__(self) -> bool:
        return bool(self.found)


def validated(model: type[M], fields: Mapping[str, Any], problems: Problems,
              column: Callable[[ErrorDetails], str]) -> M | None:
    """``fields`` as ``model``, or None with each problem added under its column."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        problems.model(exc, column)
        return None
