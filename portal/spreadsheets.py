"""Excel files that users send us: opened only once they are known to be harmless.

An .xlsx is a zip archive.  Before openpyxl reads one, its size, its archive
directory and its members' declared sizes are checked, so a renamed file, a
truncated file or a zip bomb (a small file that inflates to gigabytes) is
refused with a message in the user's language and nothing is read.  Python's
``zipfile`` never inflates a member past its declared size (it stops and
reports a bad CRC), so the declared sizes bound the work.  Then openpyxl
reads in read-only mode, row by row, and stops at a row limit.

Also here: templates users download, filled in and sent back (headers, an
example row and drop-down lists from the reference data).
"""

import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Limits:
    """What an uploaded workbook may be; the defaults suit a filing's goods list."""

    max_bytes: int = 10 * 1024 * 1024  # the file as uploaded
    max_unpacked: int = 200 * 1024 * 1024  # every member inflated, together
    max_ratio: int = 200  # inflated / compressed, per member (bombs reach thousands)
    max_members: int = 500
    max_rows: int = 20_000  # data rows, below the header


DEFAULT_LIMITS = Limits()
NESTED_ARCHIVES = (".zip", ".xlsx", ".xlsm", ".xls", ".docx", ".bin", ".gz", ".7z", ".rar")


class UnreadableWorkbook(ValueError):
    """The file is not a workbook we will read; ``str()`` is the user's message."""


def _check_archive(data, limits: Limits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(data)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableWorkbook(
            _("This file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        ) from None
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise UnreadableWorkbook(_("This workbook has too many parts to be read safely."))
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnreadableWorkbook(
            _("This file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        )
    for member in members:
        name = member.filename.lower()
        # Links to other workbooks make a reader fetch them; an archive inside the
        # archive would be a second bomb the ratio check never sees.
        if name.startswith("xl/externallinks/") or name.endswith(NESTED_ARCHIVES):
            raise UnreadableWorkbook(
                _(
                    "This workbook links to other files or holds embedded archives; "
                    "remove them, save it as .xlsx and try again."
                )
            )
    unpacked = 0
    for member in members:
        unpacked += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > limits.max_ratio:
            raise UnreadableWorkbook(
                _(
                    "This workbook inflates to far more than its size (a zip bomb?); "
                    "nothing was read."
                )
            )
    if unpacked > limits.max_unpacked:
        raise UnreadableWorkbook(
            _("This workbook unpacks to more than %(mb)s MB; split it into smaller files.")
            % {"mb": limits.max_unpacked // (1024 * 1024)}
        )
    return archive


def open_workbook(uploaded, limits: Limits = DEFAULT_LIMITS):
    """The first worksheet of an uploaded .xlsx, read-only, or UnreadableWorkbook."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > limits.max_bytes:
        raise UnreadableWorkbook(
            _("The file is larger than %(mb)s MB.") % {"mb": f"{limits.max_bytes / 1048576:g}"}
        )
    uploaded.seek(0)
    data = io.BytesIO(uploaded.read(limits.max_bytes + 1))
    if len(data.getvalue()) > limits.max_bytes:
        raise UnreadableWorkbook(
            _("The file is larger than %(mb)s MB.") % {"mb": f"{limits.max_bytes / 1048576:g}"}
        )
    _check_archive(data, limits)
    data.seek(0)
    try:
        workbook = load_workbook(data, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise UnreadableWorkbook(
            _("This workbook is damaged and cannot be read. Save it again as .xlsx.")
        ) from None
    if not workbook.worksheets:
        raise UnreadableWorkbook(_("This workbook has no worksheet."))
    return workbook, workbook.worksheets[0]


def read_rows(uploaded, limits: Limits = DEFAULT_LIMITS):
    """(header cells, iterator of (row number, values)) of the first sheet.

    Blank rows are skipped; more than ``limits.max_rows`` data rows is refused
    before any is used (the count stops one past the limit)."""
    workbook, sheet = open_workbook(uploaded, limits)
    rows = sheet.iter_rows(values_only=True)
    try:
        header = next(rows)
    except StopIteration:
        workbook.close()
        raise UnreadableWorkbook(_("The worksheet is empty.")) from None
    except Exception:
        workbook.close()
        raise UnreadableWorkbook(
            _("This workbook is damaged and cannot be read. Save it again as .xlsx.")
        ) from None

    def data_rows():
        count = 0
        try:
            for number, values in enumerate(rows, start=2):
                if values is None or all(v is None or str(v).strip() == "" for v in values):
                    continue
                count += 1
                if count > limits.max_rows:
                    raise UnreadableWorkbook(
                        _("The file has more than %(n)s rows; split it into smaller files.")
                        % {"n": f"{limits.max_rows:,}"}
                    )
                yield number, values
        except UnreadableWorkbook:
            raise
        except Exception:
            raise UnreadableWorkbook(
                _("This workbook is damaged and cannot be read. Save it again as .xlsx.")
            ) from None
        finally:
            workbook.close()

    return [("" if h is None else str(h).strip()) for h in header], data_rows()


@dataclass(frozen=True)
class TemplateColumn:
    header: str
    width: int = 16
    example: object = ""
    choices: tuple = ()  # offered as a drop-down list
    note: str = ""


def write_template(*, title: str, columns, notes=(), data_rows: int = 10_000) -> bytes:
    """A workbook to fill in: bold headers, one example row, drop-downs, and a notes sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    lists = workbook.create_sheet("lists")
    lists.sheet_state = "hidden"
    bold, example = Font(bold=True), Font(italic=True, color="666666")
    fill = PatternFill("solid", fgColor="FFF2CC")
    list_column = 0
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font, cell.fill = bold, fill
        sample = sheet.cell(row=2, column=index, value=column.example)
        sample.font = example
        if column.choices:
            list_column += 1
            list_letter = get_column_letter(list_column)
            for row, choice in enumerate(column.choices, start=1):
                lists.cell(row=row, column=list_column, value=choice)
            validation = DataValidation(
                type="list",
                formula1=f"{quote_sheetname('lists')}!${list_letter}$1:"
                f"${list_letter}${len(column.choices)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=column.header,
                error=_("Choose a value from the list."),
            )
            validation.add(f"{letter}2:{letter}{data_rows + 1}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    if notes:
        help_sheet = workbook.create_sheet(_("Instructions")[:31])
        help_sheet.column_dimensions["A"].width = 100
        for row, text in enumerate(notes, start=1):
            help_sheet.cell(row=row, column=1, value=str(text))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
