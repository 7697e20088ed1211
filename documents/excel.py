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


def write_workbook(target, *, title: str, columns, rows, progress=None, every: int = 5000) -> int:
    """Write ``rows`` under a bold header row into ``target`` (path or file); returns the count."""
    workbook = Workbook(write_only=True)
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
        append(row)
        if progress and count % every == 0:
            progress(count)
    workbook.save(target)
    if progress:
        progress(count)
    return count
