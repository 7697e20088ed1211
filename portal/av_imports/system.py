"""The audio-video import approval's declaration: what the shared mechanism needs to know."""

from datetime import timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from filings.numbering import next_number
from filings.registry import Column, Stage, System
from portal.accounts.validators import validate_phone
from portal.reference.models import AuthorityKind, Module
from workflows import rules
from workflows.spreadsheets import SpreadsheetRows

from .forms import HEADER_FIELDS, GoodsLineForm, HeaderForm
from .models import AvGoodsLine, AvImportApplication, AvImportStatus

S = AvImportStatus


class AttachmentListRow(forms.Form):
    """One row of the attachment list (附件信息), the seed's Excel template."""

    document_name = forms.CharField(label=_("Document name"), max_length=200)
    document_number = forms.CharField(label=_("Document number"), max_length=100)
    issuer = forms.CharField(label=_("Issued by"), max_length=200)
    issue_date = forms.DateField(label=_("Date of issue"))


REQUIRED_HEADER = (
    ("approval_number", _("Enter the approval number.")),
    ("authority", _("Choose the approving office.")),
    ("entry_port", _("Choose the entry port.")),
    ("contact_name", _("Enter the importer's contact person.")),
    ("contact_phone", _("Enter the importer's contact phone.")),
)

HEADER_RULES = (
    rules.AuthorityAccepting(),
    rules.Passes("contact_phone", validate_phone),
)

LINE_RULES = (
    rules.Positive("quantity", _("The quantity must be more than zero.")),
    rules.Positive("unit_price", _("The unit price must be more than zero.")),
    rules.ProductOf(
        "total", "quantity", "unit_price", _("The total must be the quantity × the unit price.")
    ),
)

SUBMIT_RULES = (
    *(rules.Required(field, message) for field, message in REQUIRED_HEADER),
    *HEADER_RULES,
    rules.AtLeastOneLine(),
    rules.Satisfies(
        lambda f: f.attachments.exists(),
        _("Upload the attachment list (the Excel template, filled in)."),
    ),
)

ATTACHMENT_RULES = (
    rules.Satisfies(
        lambda f: f.goods_lines.exists(),
        _("Add the goods lines first; the attachments come last."),
    ),
    SpreadsheetRows(AttachmentListRow),
)


class AvImport(System):
    key = Module.AV_IMPORT
    label = _("Audio-video product import approval")
    model = AvImportApplication
    line_model = AvGoodsLine
    lines_relation = "goods_lines"
    line_parent = "application"
    statuses = AvImportStatus
    editable_states = (S.DRAFT,)
    deletable_states = (S.DRAFT,)
    stages = (Stage(1, S.PENDING, _("Review")),)
    authority_kinds = (AuthorityKind.AV_IMPORT_OFFICE,)
    slug = "av-imports"
    url_namespace = "av_imports"
    admin_slug = "av-import"

    header_form = HeaderForm
    line_form = GoodsLineForm
    header_fields = HEADER_FIELDS
    # Seed 003: the importer's contact from the enterprise, editable (name and USCC are
    # back-filled grey by the form).
    prefill = {"contact_name": "contact_name", "contact_phone": "contact_phone"}
    copy_excludes = ("approval_number",)
    header_rules = HEADER_RULES
    line_rules = LINE_RULES
    submit_rules = SUBMIT_RULES
    attachment_rules = ATTACHMENT_RULES
    attachment_max_bytes = 2 * 1024 * 1024  # the attachment list (.xlsx)
    filer_date_field = "submitted_at"
    search_numbers = ("approval_number",)

    lines_from_excel = True
    line_example = {
        "title_zh": "贝多芬第九交响曲",
        "title_original": "Symphony No. 9 in D minor, Op. 125",
        "carrier": "CD 激光唱盘（CD）",
        "language": "德语",
        "country": "DE 德国",
        "copyright_holder": "Deutsche Grammophon GmbH",
        "quantity": 500,
        "unit": "张",
        "unit_price": 8.5,
        "currency": "EUR 欧元",
        "total": 4250,
    }
    attachment_accept = ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    attachment_help = _(
        "Download the attachment-list template, list each document (name, number, issuer, "
        "date), save it and upload it here as .xlsx."
    )
    attachment_sheet_form = AttachmentListRow
    attachment_sheet_example = {
        "document_name": "版权授权书",
        "document_number": "DG-2026-0117",
        "issuer": "Deutsche Grammophon GmbH",
        "issue_date": "2026-10-08",
    }

    issues_certificate = True
    settings_fields = {
        "validity_days": forms.IntegerField(
            label=_("approval document validity (days)"),
            min_value=1,
            max_value=3650,
            initial=365,
        ),
    }
    templates = {"certificate": "av_imports/documents/certificate.html"}

    list_columns = (
        Column(_("Approval number"), "approval_number"),
        Column(_("Entry port"), "entry_port.localized_name"),
        Column(
            _("Submitted"),
            lambda f: (
                f.submitted_at and timezone.localtime(f.submitted_at).strftime("%Y-%m-%d %H:%M")
            ),
        ),
    )
    staff_columns = (Column(_("Approval number"), "approval_number"),)
    summary_columns = (
        Column("批准单编号", "approval_number"),
        Column("入境口岸", "entry_port.name_zh"),
    )

    # Excel: headers and titles in the exporter's language (Chinese as the seed has them).
    export_title = pgettext_lazy("spreadsheet", "Approval documents")
    export_columns = (
        Column(pgettext_lazy("spreadsheet", "Application number"), "number", 18),
        Column(pgettext_lazy("spreadsheet", "Approval number"), "approval_number", 18),
        Column(pgettext_lazy("spreadsheet", "Status"), "status_label", 10),
        Column(pgettext_lazy("spreadsheet", "Importing enterprise"), "enterprise.name_zh", 30),
        Column(pgettext_lazy("spreadsheet", "Unified social credit code"), "enterprise.uscc", 21),
        Column(pgettext_lazy("spreadsheet", "Entry port"), "entry_port.localized_name", 16),
        Column(
            pgettext_lazy("spreadsheet", "Submitted"),
            lambda f: f.submitted_at and timezone.localtime(f.submitted_at).replace(tzinfo=None),
            18,
        ),
    )

    certificate_export_title = pgettext_lazy("spreadsheet", "Approval document statistics")
    certificate_export_columns = (
        (pgettext_lazy("spreadsheet", "Approval number"), 18, "certificate__number"),
        (pgettext_lazy("spreadsheet", "Application number"), 18, "certificate__filing__number"),
        (pgettext_lazy("spreadsheet", "Status"), 10, "certificate__status"),
        (pgettext_lazy("spreadsheet", "Importing enterprise"), 30, "certificate__holder_name"),
        (
            pgettext_lazy("spreadsheet", "Unified social credit code"),
            21,
            "certificate__holder_uscc",
        ),
        (pgettext_lazy("spreadsheet", "No."), 6, "line_number"),
        (pgettext_lazy("spreadsheet", "Programme title"), 26, "name"),
        (pgettext_lazy("spreadsheet", "Original title"), 26, "details.title_original"),
        (pgettext_lazy("spreadsheet", "Carrier"), 12, "details.carrier"),
        (pgettext_lazy("spreadsheet", "Quantity"), 10, "quantity"),
        (pgettext_lazy("spreadsheet", "Unit"), 8, "unit"),
        (pgettext_lazy("spreadsheet", "Total price"), 14, "details.total"),
        (pgettext_lazy("spreadsheet", "Currency"), 8, "details.currency"),
        (pgettext_lazy("spreadsheet", "Issue date"), 12, "certificate__issue_date"),
        (pgettext_lazy("spreadsheet", "Valid until"), 12, "certificate__valid_until"),
    )
    certificate_columns = (
        Column(_("Importer"), "holder_name"),
        Column(_("Entry port"), "ports"),
        Column(_("Issue date"), "issue_date"),
        Column(_("Valid until"), "valid_until"),
    )
    certificate_line_columns = (
        Column(_("Programme title (Chinese)"), "name"),
        Column(_("Original title"), lambda line: line.details.get("title_original", "")),
        Column(_("Carrier"), lambda line: line.details.get("carrier", "")),
        Column(_("Quantity"), lambda line: f"{line.quantity:f}".rstrip("0").rstrip(".")),
        Column(_("Unit"), "unit"),
        Column(
            _("Total"),
            lambda line: f"{line.details.get('total', '')} {line.details.get('currency', '')}",
        ),
    )
    correctable_fields = {"valid_until": _("valid until"), "ports": _("entry port")}

    def list_filters(self) -> dict:
        # The seed's query: both numbers exact (精确查询).
        return {
            "number": django_filters.CharFilter(label=_("Application number (exact)")),
            "approval_number": django_filters.CharFilter(
                lookup_expr="iexact", label=_("Approval number (exact)")
            ),
        }

    def new_number(self, filing) -> str:
        return next_number(f"AV{timezone.localdate().year}", width=6)

    def certificate_number(self, filing) -> str:
        return filing.approval_number

    def title(self, obj) -> str:
        return "音像制品（成品）进口批准单"

    def certificate_content(self, filing) -> dict:
        enterprise = filing.enterprise
        lines = filing.goods_lines.select_related("carrier", "country", "currency")
        return {
            "holder_name": enterprise.name_zh,
            "holder_uscc": enterprise.uscc,
            "holder_address": enterprise.address,
            "ports": filing.entry_port.name_zh if filing.entry_port else "",
            "content": {"application": filing.number},
            "lines": [
                {
                    "line_number": line.line_number,
                    "hs_code": "",
                    "name": line.title_zh,
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "details": {
                        "title_original": line.title_original,
                        "carrier": line.carrier.name_zh,
                        "language": line.language,
                        "country": line.country.name_zh,
                        "copyright_holder": line.copyright_holder,
                        "unit_price": str(line.unit_price),
                        "currency": line.currency.code,
                        "total": str(line.total),
                    },
                }
                for line in lines
            ],
        }

    def certificate_validity(self, filing, *, issue_date, settings):
        days = int((settings.options if settings else {}).get("validity_days") or 0)
        return issue_date + timedelta(days=days or self.settings_fields["validity_days"].initial)

    def load_demo(self, *, owner) -> None:
        from .demo import load

        load(self, owner=owner)


AV_IMPORT = AvImport()
