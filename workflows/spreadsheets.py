"""Spreadsheets through a system's own form: goods lines from Excel, attachment lists.

The columns are the fields of a form the system already declares (its goods
line form, or its attachment-list form): the header is the field's label (in
Chinese or English, either is read back), a reference field offers its live
items as a drop-down ("code name"), and every cell is cleaned by the form
field itself, so a value the web form refuses the spreadsheet refuses too,
with the same message.  The declared rules then run on each row as on a line
typed on the page.  Nothing here saves anything: the services do.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from portal.spreadsheets import (
    Limits,
    TemplateColumn,
    UnreadableWorkbook,
    read_rows,
    write_template,
)

from . import rules as rules_module

DEFAULT_LIMITS = Limits()
# A list of documents: small, a few hundred rows at most.
LIST_LIMITS = Limits(max_bytes=2 * 1024 * 1024, max_rows=500)


def _normal(text) -> str:
    return "".join(str(text).replace("*", "").split()).casefold()


@dataclass
class SheetColumn:
    name: str
    field: forms.Field
    labels: tuple[str, ...]  # the header in each language, as written and as read back
    lookup: dict | None = None  # typed text -> object, for reference fields
    choices: tuple = ()

    @property
    def header(self) -> str:
        return self.labels[0] + ("*" if self.field.required else "")


def choice_text(obj) -> str:
    """A reference item as a drop-down offers it: "code name", the name in the active
    language."""
    code = getattr(obj, "code", None)
    name = getattr(obj, "localized_name", None) or getattr(obj, "name_zh", None) or str(obj)
    return f"{code} {name}" if code else name


def columns_of(form) -> list[SheetColumn]:
    """One column per field of ``form`` the filer types (disabled and hidden ones left out)."""
    columns = []
    for name, field in form.fields.items():
        if field.disabled or field.widget.is_hidden:
            continue
        labels = []
        for language in (translation.get_language() or "zh-hans", "zh-hans", "en"):
            with translation.override(language):
                label = str(field.label or name)
                label = label[:1].upper() + label[1:]
            if label not in labels:
                labels.append(label)
        column = SheetColumn(name, field, tuple(labels))
        if isinstance(field, forms.ModelChoiceField):
            column.lookup = {}
            texts = []
            for obj in field.queryset:
                text = choice_text(obj)
                texts.append(text)
                code = getattr(obj, "code", "")
                name_zh, name_en = getattr(obj, "name_zh", ""), getattr(obj, "name_en", "")
                # A template downloaded in either language is read back in the other.
                for key in (
                    text,
                    code,
                    name_zh,
                    name_en,
                    f"{code} {name_zh}" if code and name_zh else "",
                    f"{code} {name_en}" if code and name_en else "",
                ):
                    if key:
                        column.lookup.setdefault(_normal(key), obj)
            column.choices = tuple(texts)
        elif isinstance(field, forms.ChoiceField):
            column.lookup = {}
            texts = []
            for value, label in field.choices:
                if value in ("", None):
                    continue
                texts.append(str(label))
                column.lookup[_normal(value)] = value
                column.lookup[_normal(label)] = value
            column.choices = tuple(texts)
        columns.append(column)
    return columns


def shown(columns, rows) -> list:
    """Staged rows as a preview shows them: reference items as "code name", decimals to
    their field's places."""
    names = {}
    for column in columns:
        if column.lookup is not None and hasattr(column.field, "queryset"):
            ids = {values.get(column.name) for _row, values in rows}
            names[column.name] = {
                obj.pk: choice_text(obj) for obj in column.field.queryset.filter(pk__in=ids)
            }

    def text(column, value):
        if column.name in names:
            return names[column.name].get(value, value)
        places = getattr(column.field, "decimal_places", None)
        if places is not None and value not in (None, ""):
            return f"{Decimal(value):,.{places}f}"
        return value

    return [(row, [text(c, values.get(c.name, "")) for c in columns]) for row, values in rows]


def template(form, *, title: str, example: dict, notes=()) -> bytes:
    """The workbook a filer downloads, fills in and imports."""
    columns = columns_of(form)
    return write_template(
        title=title,
        columns=[
            TemplateColumn(
                header=c.header,
                width=max(12, min(40, len(c.header) * 2 + 4)),
                example=example.get(c.name, ""),
                choices=c.choices,
            )
            for c in columns
        ],
        notes=[
            _("Fill one row per item below the header. Columns marked * are required."),
            _("Row 2 is an example: overwrite it or delete it (left unchanged, it is skipped)."),
            _("Reference columns offer a drop-down list; a code or a name alone is accepted too."),
            *notes,
        ],
    )


def line_template(system) -> tuple[bytes, str]:
    """The system's goods-line template and its file name (in the active language)."""
    content = template(system.line_form(), title=_("Goods"), example=system.line_example)
    return content, f"{system.slug}-goods-template.xlsx"


def attachment_list_template(system) -> tuple[bytes, str]:
    """The system's attachment-list template and its file name (in the active language)."""
    content = template(
        system.attachment_sheet_form(),
        title=_("Attachments"),
        example=system.attachment_sheet_example,
    )
    return content, f"{system.slug}-attachments-template.xlsx"


def _cell(value):
    """A cell as the form field expects it (numbers as text, so decimals stay exact)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, datetime):
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, (int, Decimal, date)):
        return value
    return str(value).strip()


def _jsonable(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass
class ReadResult:
    accepted: list  # (row number, {field: json value})
    rejected: list  # (row number, column label, reason)
    rows: int


def read(
    uploaded,
    form,
    *,
    build=None,
    row_rules=(),
    example=None,
    context=None,
    limits: Limits = DEFAULT_LIMITS,
) -> ReadResult:
    """Every row of ``uploaded`` cleaned by ``form``'s fields and checked by ``row_rules``.

    ``build(values)`` makes the object the rules check (e.g. an unsaved goods
    line); ``context`` is passed to them (``lines``: the filing's lines, to
    which each accepted row is added).  Raises UnreadableWorkbook (nothing read)
    when the file itself is refused or a required column is missing."""
    columns = columns_of(form)
    header, rows = read_rows(uploaded, limits)
    position = {}
    for index, text in enumerate(header):
        position.setdefault(_normal(text), index)
    where = {}
    missing = []
    for column in columns:
        found = next(
            (position[_normal(label)] for label in column.labels if _normal(label) in position),
            None,
        )
        if found is None:
            if column.field.required:
                missing.append(column.labels[0])
        else:
            where[column.name] = found
    if missing:
        raise UnreadableWorkbook(
            _("Columns missing from the header row: %(names)s. Download the template again.")
            % {"names": "、".join(missing)}
        )
    example_row = None
    if example:
        example_row = tuple(_normal(_cell(example.get(c.name, ""))) for c in columns)
    labels = {c.name: c.labels[0] for c in columns}
    context = dict(context or {})
    if "lines" in context:
        context["lines"] = list(context["lines"])
    first = None
    accepted, rejected, count = [], [], 0
    for number, raw in rows:
        count += 1
        cells = {name: _cell(raw[i]) if i < len(raw) else "" for name, i in where.items()}
        if (
            example_row is not None
            and tuple(_normal(cells.get(c.name, "")) for c in columns) == example_row
        ):
            count -= 1
            continue
        values, problems = {}, []
        for column in columns:
            value = cells.get(column.name, "")
            if column.lookup is not None and value != "":
                found = column.lookup.get(_normal(value))
                if found is None:
                    problems.append(
                        (column.labels[0], _("“%(value)s” is not in the list.") % {"value": value})
                    )
                    continue
                values[column.name] = found
                continue
            try:
                values[column.name] = column.field.clean(value)
            except ValidationError as error:
                problems.extend((column.labels[0], m) for m in error.messages)
        if not problems and build is not None:
            obj = build(values)
            for rule in row_rules:
                for field, message in rule.errors(obj, context):
                    problems.append((labels.get(field, ""), str(message)))
            if not problems and "lines" in context:
                # Rules that count lines see this one too; the first accepted row stands for
                # every later one (kept once, not 10,000 times).
                first = first or obj
                context["lines"].append(first)
        if problems:
            rejected.extend((number, label, str(message)) for label, message in problems)
        else:
            accepted.append((number, {k: _jsonable(v) for k, v in values.items()}))
    return ReadResult(accepted=accepted, rejected=rejected, rows=count)


class SpreadsheetRows(rules_module.Rule):
    """An uploaded list (e.g. of the documents attached) is an .xlsx whose every row
    passes ``form``'s fields; the first problems are reported by row and column."""

    field = "file"

    def __init__(
        self,
        form_class,
        *,
        limits: Limits = LIST_LIMITS,
        shown: int = 10,
    ):
        self.form_class, self.limits, self.shown = form_class, limits, shown

    def errors(self, obj, context):
        try:
            result = read(context["file"], self.form_class(), limits=self.limits)
        except UnreadableWorkbook as error:
            return [(self.field, str(error))]
        if not result.accepted and not result.rejected:
            return [(self.field, _("The list has no rows; fill in the template first."))]
        problems = [
            (
                self.field,
                _("Row %(row)s, %(column)s: %(reason)s")
                % {"row": row, "column": column, "reason": reason},
            )
            for row, column, reason in result.rejected[: self.shown]
        ]
        if len(result.rejected) > self.shown:
            problems.append(
                (
                    self.field,
                    _("…and %(n)s more problems.") % {"n": len(result.rejected) - self.shown},
                )
            )
        return problems
