"""The pre-check (申请页面): the one page of this system the shared mechanism has no
equivalent for.  It asks the bureau's rules and answers in a dialog."""

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from documents.excel import Column, write_workbook
from filings.selectors import filing_for_filer
from portal import files
from portal.spreadsheets import XLSX_TYPE
from workflows.views import _to_form, system_module

from . import services
from .forms import (
    ContractForm,
    IronOreForm,
    IronOreRowForm,
    IronOreRows,
    KeyAgriculturalForm,
    PrecheckForm,
    StatisticsForm,
)
from .models import ContractInfo, IronOreContract, KeyAgriculturalFiling


@system_module
def precheck(request, *, system):
    form = PrecheckForm(request.POST or None)
    answer = None
    if request.method == "POST" and form.is_valid():
        problems = form.problems()
        answer = {
            "eligible": not problems,
            "problems": problems,
            "next": f"{reverse(f'{system.url_namespace}:create')}?{urlencode(form.query())}",
        }
    return render(
        request,
        "auto_licences/precheck.html",
        {"system": system, "ns": system.url_namespace, "form": form, "answer": answer},
    )


def _table_page(request, filing, system, template, context):
    return render(
        request,
        template,
        {"system": system, "ns": system.url_namespace, "application": filing, **context},
    )


@system_module
def contract(request, number: str, *, system):
    """合同信息表: its applicant block back-filled; saved before submitting."""
    filing = filing_for_filer(request.user, system.key, number)
    existing = ContractInfo.objects.filter(application=filing).first()
    editable = filing.is_editable
    form = ContractForm(
        request.POST if request.method == "POST" and editable else None,
        instance=existing,
        initial=None if existing else services.contract_initial(filing),
    )
    if not editable:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and editable and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.save_contract(filing=filing, actor=request.user, values=values)
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("Contract information table saved."))
            return redirect(reverse(f"{system.url_namespace}:detail", args=[number]) + "#tables")
    return _table_page(
        request, filing, system, "auto_licences/contract.html", {"form": form, "editable": editable}
    )


@system_module
def iron_ore(request, number: str, *, system):
    """铁矿石合同信息表 with its goods rows (kind, name, grade, kilotonnes, price, amount)."""
    filing = filing_for_filer(request.user, system.key, number)
    existing = IronOreContract.objects.filter(application=filing).first()
    editable = filing.is_editable
    posted = request.POST if request.method == "POST" and editable else None
    initial = services.iron_ore_initial(filing) if existing is None else None
    form = IronOreForm(posted, instance=existing, initial=initial)
    rows = IronOreRows(posted, instance=existing or IronOreContract(), prefix="rows")
    if not editable:  # read-only once submitted, as the contract table
        for each in (form, *rows.forms):
            for field in each.fields.values():
                field.disabled = True
    if posted is not None and form.is_valid() and rows.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        kept_forms = [
            row for row in rows.forms if row.cleaned_data and not row.cleaned_data.get("DELETE")
        ]
        kept = [
            {k: v for k, v in row.cleaned_data.items() if k in IronOreRowForm.Meta.fields}
            for row in kept_forms
        ]
        try:
            services.save_iron_ore(filing=filing, actor=request.user, values=values, rows=kept)
        except ValidationError as error:
            _to_forms(form, kept_forms, error)
        else:
            messages.success(request, _("Iron-ore contract table saved."))
            return redirect(reverse(f"{system.url_namespace}:detail", args=[number]) + "#tables")
    return _table_page(
        request,
        filing,
        system,
        "auto_licences/iron_ore.html",
        {"form": form, "rows": rows, "editable": editable},
    )


def _to_forms(form, row_forms, error: ValidationError) -> None:
    """The service's problems beside their fields: "rows.<i>.<field>" on the i-th row."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, messages_ in error.message_dict.items():
        if key.startswith("rows."):
            _rows, index, field = key.split(".", 2)
            row = row_forms[int(index)]
            row.add_error(field if field in row.fields else None, messages_)
        else:
            form.add_error(key if key in form.fields else None, messages_)


@system_module
def key_agricultural(request, *, system):
    """重农信息备案: the enterprise's details for key agricultural goods, saved and reported."""
    membership = request.membership
    existing = KeyAgriculturalFiling.objects.filter(enterprise=membership.enterprise).first()
    initial = None
    if existing is None:
        initial = services.key_agricultural_initial(membership.enterprise)
    form = KeyAgriculturalForm(request.POST or None, instance=existing, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.report_key_agricultural(
                membership=membership, actor=request.user, values=values
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("Saved and reported to the licence bureau."))
            return redirect(f"{system.url_namespace}:key-agricultural")
    return render(
        request,
        "auto_licences/key_agricultural.html",
        {
            "system": system,
            "ns": system.url_namespace,
            "form": form,
            "filing": existing,
            "code": services.key_agricultural_code(membership.enterprise),
        },
    )


# The monthly statistics workbook, in the exporter's language (Chinese as the seed has it).
STATISTICS_TITLE = pgettext_lazy("spreadsheet", "Monthly statistics")
STATISTICS_COLUMNS = (
    (pgettext_lazy("spreadsheet", "Commodity code"), 12, "hs_code__code"),
    (pgettext_lazy("spreadsheet", "Commodity name"), 30, "goods"),
    (pgettext_lazy("spreadsheet", "Unit"), 8, "unit"),
    (pgettext_lazy("spreadsheet", "Quantity this month"), 14, "month_quantity"),
    (pgettext_lazy("spreadsheet", "Amount this month (USD)"), 16, "month_usd"),
    (pgettext_lazy("spreadsheet", "Licences this month"), 10, "month_count"),
    (pgettext_lazy("spreadsheet", "Quantity this year"), 14, "year_quantity"),
    (pgettext_lazy("spreadsheet", "Amount this year (USD)"), 18, "year_usd"),
    (pgettext_lazy("spreadsheet", "Licences this year"), 12, "year_count"),
)


def _goods_name(row) -> str:
    """The commodity in the reader's language (Chinese when no English name is kept)."""
    english = translation.get_language().startswith("en")
    return (english and row.get("hs_code__name_en")) or row["hs_code__name_zh"]


@system_module
def statistics(request, *, system):
    """月度统计: per commodity, this month and the year to date (passed second review)."""
    form = StatisticsForm(request.GET or None)
    rows, problems = [], []
    if form.is_valid():
        data = form.cleaned_data
        rows = system.statistics(user=request.user, **form.filters())
        for row in rows:
            row["goods"] = _goods_name(row)
        if request.GET.get("format") == "xlsx":
            out = io.BytesIO()
            write_workbook(
                out,
                title=STATISTICS_TITLE,
                columns=[Column(header, width) for header, width, _key in STATISTICS_COLUMNS],
                rows=([row[key] for _h, _w, key in STATISTICS_COLUMNS] for row in rows),
            )
            name = f"statistics-{data['year']}-{data['month']:02d}.xlsx"
            return files.download(out.getvalue(), name, content_type=XLSX_TYPE)
    else:
        problems = [e for errors in form.errors.values() for e in errors]
    chart = {
        "labels": [f"{r['hs_code__code']} {r['goods']}" for r in rows],
        "month": [float(r["month_usd"]) for r in rows],
        "year": [float(r["year_usd"]) for r in rows],
        "month_label": str(_("This month (USD)")),
        "year_label": str(_("Year to date (USD)")),
    }
    return render(
        request,
        "auto_licences/statistics.html",
        {
            "system": system,
            "ns": system.url_namespace,
            "form": form,
            "rows": rows,
            "problems": problems,
            "chart": chart,
            "query": request.GET.urlencode(),
        },
    )
