"""Excel renderer: columns and an iterator of rows in, an .xlsx file out (openpyxl).

Write-only mode streams rows to a temporary file, so memory stays flat
whatever the number of rows.  Values keep their types: dates are written as
dates, quantities as numbers.  Headers and the sheet's title may be lazy
translations: they are written in the language active while writing.
"""

import re
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Column:
    header: str  # or a lazy translation
    width: int = 14


def sheet_title(title) -> str:
    """A title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:31] or "Sheet"


def _literal(sheet, row):
    """Text that Excel would run as a formula (``=HYPERLINK(…)`` typed into an opinion)
    written as the text it is; a row without such text is passed on as it is."""
    if not any(value.__class__ is str and value[:1] == "=" for value in row):
        return row
    cells = []
    for value in row:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            value = cell
        cells.append(value)
    return cells


def _add_sheet(workbook, title, columns, rows, progress=None, every: int = 5000) -> int:
    sheet = workbook.create_sheet(sheet_title(title))
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    append = sheet.append
    for count, row in enumerate(rows, start=1):
        append(_literal(sheet, row))
        if progress and count % every == 0:
            progress(count)
    return count


def write_workbook(target, *, title: str, columns, rows, progress=None, every: int = 5000) -> int:
    """Write ``rows`` under a bold header row into ``target`` (path or file); returns the count."""
    workbook = Workbook(write_only=True)
    count = _add_sheet(workbook, title, columns, rows, progress, every)  # text never a formula
    workbook.save(target)
    if progress:
        progress(count)
    return count


@dataclass(frozen=True)
class Sheet:
    title: str  # or a lazy translation
    columns: tuple
    rows: object  # an iterable of rows


def write_sheets(target, sheets) -> list[int]:
    """Several sheets in one workbook, in order, each under its bold header row (as
    ``write_workbook`` writes one); returns how many rows each sheet got.  As there, text
    is never a formula: these sheets hold what users typed."""
    workbook = Workbook(write_only=True)
    counts = [_add_sheet(workbook, s.title, s.columns, s.rows) for s in sheets]
    workbook.save(target)
    return counts
