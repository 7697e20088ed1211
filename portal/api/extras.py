"""The filer's system-specific operations, over the same services and forms as the pages.

Generated from the declaration where it can be:

- ``lines_from_excel``: the goods-line template, and an import read through
  ``workflows.services.stage_line_import`` (every row cleaned by the line form's fields
  and checked by the line rules, nothing added) then added by ``confirm_line_import``;
- ``attachment_sheet_form``: the attachment-list template (the list itself is uploaded
  as an attachment; the system's attachment rules read it).

- ``precheck_form``: the check a filer may run before creating (the licence's pre-check);
- ``filer_tables`` (``registry.FilerTable``): the tables a filer keeps on pages of their
  own, per application or per enterprise (the licence's contract table 合同信息表, its
  iron-ore table 铁矿石合同信息表 with rows, the key agricultural filing 重农信息备案):
  read and saved through the page's form and the system's service.

Every operation on an application finds it with ``filing_for_filer``: another
enterprise's number is a 404.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Schema, Status, UploadedFile
from pydantic import Field, create_model

from filings.models import StagedImport
from portal import files
from portal.spreadsheets import XLSX_TYPE
from workflows import services
from workflows import spreadsheets as sheets

from . import schemas
from .errors import BODY_ERRORS, COMMON_ERRORS, ApiError, Messages, form_error

ZH, EN = "zh-hans", "en"
REJECTED = _("Some rows have problems: nothing was added. Correct the file and import it again.")

XLSX_RESPONSE = {
    "responses": {
        "200": {
            "description": "The workbook (.xlsx)",
            "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


class _Both:
    """A text already rendered in each language, shown in the active one (for ``in_both``)."""

    def __init__(self, zh: str, en: str):
        self.zh, self.en = zh, en

    def __str__(self):
        return self.en if (translation.get_language() or "").startswith("en") else self.zh


def _both(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def _in_each(call) -> dict:
    """``call()`` once in Chinese, once in English: {"zh": …, "en": …}."""
    found = {}
    for short, language in (("zh", ZH), ("en", EN)):
        with translation.override(language):
            found[short] = call()
    return found


def _filings():
    # filings.py imports this module at its top: its helpers are looked up when called.
    from . import filings

    return filings


def _module(request, system):
    """The page's ``system_module``: the module granted, the system's entry condition met."""
    return _filings()._may_file(request, system)


def _template_language(language: str) -> str:
    return EN if language == "en" else ZH


class LanguageQuery(Schema):
    language: str = Field(
        default="zh",
        pattern="^(zh|en)$",
        description="The headers' and notes' language (zh or en); either is read back.",
    )


def add_routes(router, system, op) -> None:
    if system.lines_from_excel and system.line_form is not None:
        _line_import_routes(router, system, op)
    if system.attachment_sheet_form is not None:
        _attachment_sheet_routes(router, system, op)
    if system.precheck_form is not None:
        _precheck_routes(router, system, op)
    for table in system.filer_tables:
        _table_routes(router, system, op, table)


# --- goods lines from Excel --------------------------------------------------------------


class RowProblem(Schema):
    row: int
    column: schemas.Label
    reason: schemas.Label


class StagedOut(Schema):
    id: int = Field(description="The staged import: confirm it, or delete it to add nothing.")
    file_name: str
    rows: int = Field(description="Data rows read (the template's example row left out).")
    accepted: int = Field(description="Rows that would become goods lines.")
    rejected_rows: int = Field(description="Rows with at least one problem.")
    rejected: list[RowProblem]
    confirm: str = Field(description="Where to POST to add the accepted rows.")


class ImportedOut(Schema):
    added: int
    lines: str = Field(description="The application's goods lines.")


def _line_import_routes(router, system, op):
    base = f"/api/v1/{system.slug}/applications"

    @router.get(
        "lines/template",
        response=COMMON_ERRORS,
        operation_id=f"{op}_line_template",
        summary="The goods-line template (.xlsx): headers, an example row, drop-down lists",
        openapi_extra=XLSX_RESPONSE,
    )
    def line_template(request, query: Query[LanguageQuery]):
        _module(request, system)
        with translation.override(_template_language(query.language)):
            content, name = sheets.line_template(system)
        return files.download(content, name, content_type=XLSX_TYPE)

    def stage(request, filing, file):
        """The service in English, then in Chinese (the one kept): its row messages and
        column names in both languages.  A file refused whole stages nothing."""
        results, refused = {}, {}
        for short, language in (("en", EN), ("zh", ZH)):
            file.seek(0)
            with translation.override(language):
                try:
                    results[short] = services.stage_line_import(
                        filing=filing, actor=request.user, uploaded_file=file
                    )
                except ValidationError as error:
                    refused[short] = (
                        error.message_dict
                        if hasattr(error, "error_dict")
                        else {"__all__": error.messages}
                    )
        if refused:
            StagedImport.objects.filter(filing=filing, created_by=request.user).delete()
            # The same file read twice is refused twice; were it not, one language serves.
            en = refused.get("en") or refused["zh"]
            zh = refused.get("zh") or en
            both = {
                name: [_Both(z, e) for z, e in zip(zh[name], en.get(name, []), strict=False)]
                for name in zh
            }
            general = both.pop("__all__", None) or [_("Check the values marked.")]
            raise ApiError(422, "validation_error", *general, fields=both or None)
        return results["zh"], results["en"]

    def staged_body(filing, zh, en) -> dict:
        problems = [
            {"row": row, "column": _both(z_col, e_col), "reason": _both(z_why, e_why)}
            for (row, z_col, z_why), (_r, e_col, e_why) in zip(
                zh.rejected, en.rejected, strict=False
            )
        ]
        return {
            "id": zh.pk,
            "file_name": zh.file_name,
            "rows": zh.rows,
            "accepted": len(zh.accepted),
            "rejected_rows": len({row for row, _c, _w in zh.rejected}),
            "rejected": problems,
            "confirm": f"{base}/{filing.number}/line-imports/{zh.pk}/confirm",
        }

    def refuse_rejected(problems):
        def each(problem):
            def text():
                short = "en" if translation.get_language() == EN else "zh"
                return gettext("Row %(row)s, %(column)s: %(reason)s") % {
                    "row": problem["row"],
                    "column": problem["column"][short],
                    "reason": problem["reason"][short],
                }

            both = _in_each(text)
            return _Both(both["zh"], both["en"])

        raise ApiError(422, "import_rejected", REJECTED, *(each(p) for p in problems))

    def confirm_staged(request, filing, staged) -> dict:
        try:
            added = _filings()._run(
                lambda: services.confirm_line_import(
                    filing=filing, actor=request.user, staged=staged
                )
            )
        finally:
            # Refused (e.g. too many lines now): nothing was added, and nothing stays staged.
            StagedImport.objects.filter(pk=staged.pk).delete()
        return {"added": added, "lines": f"{base}/{filing.number}/lines"}

    @router.post(
        "applications/{number}/line-imports",
        response={200: StagedOut, 201: ImportedOut, **BODY_ERRORS},
        operation_id=f"{op}_line_import",
        summary="Goods lines from Excel: read a filled-in template (multipart: file)",
        description=(
            "Every row is cleaned by the goods-line form's fields and checked by the line "
            "rules, as on the page.  Without `confirm` nothing is added: the answer (200) "
            "lists the rows accepted and each rejected row's problems in both languages, "
            "and a staged import to confirm.  With `confirm=true` the rows are added at "
            "once (201) when every row is accepted; a file with any rejected row adds "
            "nothing (422 `import_rejected`, each row's problem in both languages).  A file "
            "that is no .xlsx, lacks a required column or has no rows is a 422 on `file`."
        ),
    )
    def line_import(
        request,
        number: str,
        file: File[UploadedFile],
        confirm: Form[bool] = False,
    ):
        filing = _filings()._filing(request, system, number)
        zh, en = stage(request, filing, file)
        body = staged_body(filing, zh, en)
        if not confirm:
            return Status(200, body)
        if zh.rejected:
            zh.delete()
            refuse_rejected(body["rejected"])
        return Status(201, confirm_staged(request, filing, zh))

    def staged_of(request, filing, staged_id):
        return get_object_or_404(
            StagedImport.objects.filter(filing=filing, created_by=request.user), pk=staged_id
        )

    @router.post(
        "applications/{number}/line-imports/{staged_id}/confirm",
        response={201: ImportedOut, **COMMON_ERRORS},
        operation_id=f"{op}_line_import_confirm",
        summary="Add the rows of a staged import (refused when any row was rejected)",
    )
    def line_import_confirm(request, number: str, staged_id: int):
        filing = _filings()._filing(request, system, number)
        staged = staged_of(request, filing, staged_id)
        if staged.rejected:
            raise ApiError(422, "import_rejected", REJECTED)
        return Status(201, confirm_staged(request, filing, staged))

    @router.delete(
        "applications/{number}/line-imports/{staged_id}",
        response={204: None, **COMMON_ERRORS},
        operation_id=f"{op}_line_import_cancel",
        summary="Cancel a staged import: add nothing",
    )
    def line_import_cancel(request, number: str, staged_id: int):
        filing = _filings()._filing(request, system, number)
        staged_of(request, filing, staged_id).delete()
        return Status(204, None)


# --- the attachment list -----------------------------------------------------------------


def _attachment_sheet_routes(router, system, op):
    @router.get(
        "attachments/template",
        response=COMMON_ERRORS,
        operation_id=f"{op}_attachment_template",
        summary="The attachment-list template (.xlsx); upload it filled in as an attachment",
        openapi_extra=XLSX_RESPONSE,
    )
    def attachment_template(request, query: Query[LanguageQuery]):
        _module(request, system)
        with translation.override(_template_language(query.language)):
            content, name = sheets.attachment_list_template(system)
        return files.download(content, name, content_type=XLSX_TYPE)


# --- a check before creating, and the tables a filer keeps on pages of their own ---------


def _values_out(model, obj_or_values, names) -> dict:
    """A saved table's values, or the values it starts from (a dict of form initial data)."""
    out = {}
    for name in names:
        field = model._meta.get_field(name)
        if isinstance(obj_or_values, dict):
            value = obj_or_values.get(name)
            if value is not None and field.is_relation and not hasattr(value, "pk"):
                value = field.related_model.objects.filter(pk=value).first()
        else:
            value = getattr(obj_or_values, name)
        out[name] = schemas.value_out(field, value)
    return out


def _bound(form_class, values: dict, **kwargs):
    """``form_class`` posted as its page would be: the form's current values, with
    ``values`` (API codes) in their place."""
    blank = form_class(**kwargs)
    posted = _filings()._posted(form_class._meta.model, blank, values)
    return form_class(posted, instance=kwargs.get("instance"))


def _schema_name(system, *parts) -> str:
    words = [*system.key.lower().split("_"), *(p for part in parts for p in part.split("-"))]
    return "".join(w.title() for w in words)


def _precheck_routes(router, system, op):
    form_class = system.precheck_form
    names = list(form_class._meta.fields)
    PrecheckIn = create_model(
        _schema_name(system, "precheck-in"),
        __base__=schemas.BodyIn,
        **schemas._fields(form_class._meta.model, names),
    )
    PrecheckOut = create_model(
        _schema_name(system, "precheck"),
        __base__=Schema,
        eligible=(bool, ...),
        problems=(Messages, Field(description="Why not, in both languages (empty: eligible).")),
        create=(dict, Field(description="The checked answers as the create operation takes them.")),
    )

    @router.post(
        "precheck",
        response={200: PrecheckOut, **BODY_ERRORS},
        operation_id=f"{op}_precheck",
        summary="The check before creating (the page's pre-check); nothing is saved",
        description="The page's form and the same answer: eligible, or why not in both "
        "languages; create the application with the values under `create`.",
    )
    def precheck(request, payload: PrecheckIn):
        _module(request, system)
        form = _bound(form_class, payload.model_dump(exclude_unset=True, mode="json"))
        if not form.is_valid():
            raise form_error(form)
        problems = _in_each(form.problems)
        create = {}
        for name, value in form.query().items():
            field = form_class._meta.model._meta.get_field(name)
            create[name] = (
                value in ("1", 1, True) if isinstance(field, models.BooleanField) else value
            )
        return {"eligible": not problems["zh"], "problems": problems, "create": create}


def _table_routes(router, system, op, table):
    """GET and PUT of one declared table (``registry.FilerTable``): its form and its
    service, as its page; per filing under ``applications/{number}/<slug>``, per
    enterprise under ``<slug>``."""
    form_class, model = table.form, table.model
    names = list(form_class._meta.fields)
    Values = create_model(
        _schema_name(system, table.slug), __base__=Schema, **schemas._fields(model, names)
    )
    inputs = dict(schemas._fields(model, names))
    outputs = {
        "saved": (bool, Field(description="False: not saved yet; the values are the prefill.")),
        "editable": (bool, ...),
        "values": (Values, ...),
    }
    if table.required is not None:
        outputs["required"] = (bool, Field(description="Submitting needs this table."))
    if table.shown is not None:
        outputs["shown"] = (dict, Field(description="Values shown beside it, never typed."))
    row_names = []
    if table.row_form is not None:
        row_model = table.row_form._meta.model
        row_names = list(table.row_form._meta.fields)
        Row = create_model(
            _schema_name(system, table.slug, "row"),
            __base__=Schema,
            **schemas._fields(row_model, row_names),
        )
        RowIn = create_model(
            _schema_name(system, table.slug, "row-in"),
            __base__=schemas.BodyIn,
            **schemas._fields(row_model, row_names),
        )
        inputs["rows"] = (
            list[RowIn],
            Field(description="Every row of the table (they replace the saved ones)."),
        )
        outputs["rows"] = (list[Row], ...)
    TableIn = create_model(
        _schema_name(system, table.slug, "in"), __base__=schemas.BodyIn, **inputs
    )
    TableOut = create_model(_schema_name(system, table.slug, "table"), __base__=Schema, **outputs)

    def body(owner, filing) -> dict:
        existing = table.get(owner)
        out = {
            "saved": existing is not None,
            "editable": filing.is_editable if filing is not None else True,
            "values": _values_out(model, existing or table.initial(owner), names),
        }
        if table.required is not None:
            out["required"] = bool(table.required(filing))
        if table.shown is not None:
            out["shown"] = table.shown(owner)
        if table.row_form is not None:
            rows = table.rows(existing) if existing is not None else []
            out["rows"] = [_values_out(row_model, row, row_names) for row in rows]
        return out

    def save(request, owner, payload):
        values = payload.model_dump(exclude_unset=True, mode="json")
        rows_in = values.pop("rows", None) or []
        existing = table.get(owner)
        form = _bound(
            form_class,
            values,
            instance=existing,
            initial=None if existing else table.initial(owner),
        )
        problems = {} if form.is_valid() else dict(form.errors.as_data())
        rows = []
        for index, row in enumerate(rows_in):
            row_form = _bound(table.row_form, row)
            if row_form.is_valid():
                rows.append({k: row_form.cleaned_data[k] for k in row_names})
                continue
            for field, errors in row_form.errors.as_data().items():
                key = f"rows.{index}" if field == "__all__" else f"rows.{index}.{field}"
                problems[key] = errors
        if problems:
            raise form_error(_Errors(problems))
        cleaned = {name: form.cleaned_data[name] for name in names}
        _filings()._run(
            lambda: table.save(owner=owner, actor=request.user, values=cleaned, rows=rows)
        )

    label = str(table.label)
    if table.per == "enterprise":

        @router.get(
            table.slug,
            response={200: TableOut, **COMMON_ERRORS},
            operation_id=f"{op}_{table.slug.replace('-', '_')}",
            summary=f"{label} (your enterprise's)",
        )
        def enterprise_table(request):
            return body(_module(request, system), None)

        @router.put(
            table.slug,
            response={200: TableOut, **BODY_ERRORS},
            operation_id=f"{op}_{table.slug.replace('-', '_')}_save",
            summary=f"Save {label} (fields left out keep their value)",
            description="The page's form and service: the same checks and messages.",
        )
        def enterprise_table_save(request, payload: TableIn):
            membership = _module(request, system)
            save(request, membership, payload)
            return body(membership, None)

        return

    @router.get(
        f"applications/{{number}}/{table.slug}",
        response={200: TableOut, **COMMON_ERRORS},
        operation_id=f"{op}_{table.slug.replace('-', '_')}",
        summary=label,
    )
    def filing_table(request, number: str):
        filing = _filings()._filing(request, system, number)
        return body(filing, filing)

    @router.put(
        f"applications/{{number}}/{table.slug}",
        response={200: TableOut, **BODY_ERRORS},
        operation_id=f"{op}_{table.slug.replace('-', '_')}_save",
        summary=f"Save {label} (fields left out keep their value"
        + ("; the rows given replace the saved ones)" if table.row_form else ")"),
        description="The page's form and service: the same checks and messages; a row's "
        "problem is keyed `rows.<index>.<field>`.",
    )
    def filing_table_save(request, number: str, payload: TableIn):
        filing = _filings()._filing(request, system, number)
        save(request, filing, payload)
        filing.refresh_from_db()
        return body(filing, filing)


class _Errors:
    """Errors of several forms, read as one form's by ``form_error``."""

    def __init__(self, errors: dict):
        self.errors = _AsData(errors)


class _AsData(dict):
    def as_data(self):
        return dict(self)
