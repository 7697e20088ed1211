"""The drug permit's declaration: what the shared mechanism needs to know about it."""

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.conf import settings
from django.db.models import FilteredRelation, OuterRef, Q, Subquery, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from filings.numbering import next_number
from filings.registry import Column, Stage, System
from filings.selectors import attachments_of
from portal.reference.models import AuthorityKind, Module, PurposeAttachment
from workflows import rules

from .forms import LOCKED_AFTER_FIRST, GoodsLineForm, HeaderForm
from .models import (
    CollectionMethod,
    Direction,
    DrugPermitApplication,
    DrugPermitGoodsLine,
    DrugPermitStatus,
)

S = DrugPermitStatus
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


def _importing(filing) -> bool:
    return filing.direction == Direction.IMPORT


def _required_types(filing):
    return filing.purpose.attachment_types.all() if filing.purpose_id else []


# Exports to a country without an import licensing regime (seed 000 §4.3.1, seed 001
# §4.2.3): conditional attachment types (reference data, by key) the filing gains then.
NO_LICENCE_PROOF = "drug_permit.no_import_licence_proof"
AUTHORITY_CONSENT = "drug_permit.importing_authority_consent"
IMPORTER_QUALIFICATION = "drug_permit.importer_qualification"
LAWFUL_USE_PROOF = "drug_permit.lawful_use_proof"
NO_LICENSING_TYPES = (NO_LICENCE_PROOF, AUTHORITY_CONSENT, IMPORTER_QUALIFICATION, LAWFUL_USE_PROOF)


def _to_unlicensed_country(filing) -> bool:
    return bool(filing.countries_without_licensing())


def _no_licensing_title(filing) -> str:
    names = filing.countries_without_licensing_names()
    return _("No import licensing regime in %(countries)s") % {"countries": names}


def _attachment_types(filing):
    """The purpose's checklist, plus the conditional types while the condition holds (upload
    allows exactly these)."""
    types = list(_required_types(filing))
    if _to_unlicensed_country(filing):
        types += PurposeAttachment.objects.conditional(*NO_LICENSING_TYPES)
    return types


def _listed_types(filing):
    """What the filer's checklist shows: the above, and any conditional type already
    holding a file (so a file attached before the destination changed can be deleted)."""
    types = _attachment_types(filing)
    if not _to_unlicensed_country(filing) and filing.pk is not None:
        held = set(
            attachments_of(filing)
            .filter(attachment_type__key__in=NO_LICENSING_TYPES)
            .values_list("attachment_type__key", flat=True)
        )
        types += PurposeAttachment.objects.conditional(
            *[k for k in NO_LICENSING_TYPES if k in held]
        )
    return types


def _designated(port) -> bool:
    return port is None or (port.live and port.is_designated_drug_port)


def _yes_no(value) -> str:
    return str(_("Yes") if value else _("No"))


def _quantity(value) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value or "")


HEADER_RULES = (
    rules.AuthorityAccepting(),
    rules.Satisfies(
        lambda f: f.purpose.module == Module.DRUG_PERMIT,
        _("Choose a purpose of the drug permit."),
        field="purpose",
        when=lambda f: f.purpose_id,
    ),
    rules.Required(
        "principal_uscc",
        _("Filing as an agent needs the principal's USCC."),
        when=lambda f: f.is_agent,
    ),
    rules.ValidUscc("principal_uscc"),
    rules.Required(
        "principal_name",
        _("Filing as an agent needs the principal's name."),
        when=lambda f: f.is_agent,
    ),
    rules.Required(
        "mail_address",
        _("Collection by mail needs a mailing address."),
        when=lambda f: f.collection_method == CollectionMethod.MAIL,
    ),
    rules.Required("import_port_1", _("Choose import port 1."), when=_importing),
    rules.Required("export_port_1", _("Enter export port 1."), when=lambda f: not _importing(f)),
    rules.Satisfies(
        lambda f: _designated(f.import_port_1) and _designated(f.import_port_2),
        _("Drugs may only be imported through a designated drug import port."),
        field="import_port_1",
        when=_importing,
    ),
    rules.Different("import_port_1", "import_port_2", _("Port 2 must differ from port 1.")),
    rules.Different("export_port_1", "export_port_2", _("Port 2 must differ from port 1.")),
)

LINE_RULES = (
    rules.MaxLines(4),
    rules.SameAsFirstLine(*LOCKED_AFTER_FIRST),
    rules.Positive("quantity", _("The quantity must be more than zero.")),
)

NO_LICENSING_RULES = (
    rules.HasAttachment(
        NO_LICENCE_PROOF,
        _("Attach the proof that no import licence is needed."),
        when=_to_unlicensed_country,
        label=_("proof"),
        title=_no_licensing_title,
    ),
    rules.OneOf(
        alternatives=[
            rules.Alternative(
                _("importing authority's consent"), rules.HasAttachment(AUTHORITY_CONSENT)
            ),
            rules.Alternative(
                _("importer's qualification and proof of lawful use"),
                rules.HasAttachment(IMPORTER_QUALIFICATION),
                rules.HasAttachment(LAWFUL_USE_PROOF),
            ),
        ],
        message=_(
            "Attach either the importing authority's consent, or the importer's "
            "qualification and the proof of lawful use."
        ),
        when=_to_unlicensed_country,
        title=_no_licensing_title,
    ),
)

SUBMIT_RULES = (
    *HEADER_RULES,
    rules.AtLeastOneLine(),
    rules.RequiredAttachments(_required_types),
    *NO_LICENSING_RULES,
)

ATTACHMENT_RULES = (
    rules.PdfOnly(),
    rules.AttachmentTypeOf(_attachment_types),
    rules.OnePerType(),
)


def _district(port) -> str:
    return str(port.customs_district) if port else ""


def _export_rows(applications):
    """One typed row per application for the Excel export, in one streamed query, in the
    active language (reference items by their name in it, when they have one)."""
    statuses = {value: str(label) for value, label in S.choices}
    directions = {value: str(label) for value, label in Direction.choices}
    english = (translation.get_language() or "").startswith("en")

    def name(zh, en):
        return (english and en) or zh

    zone = ZoneInfo(settings.TIME_ZONE)
    totals = (
        DrugPermitGoodsLine.objects.filter(application=OuterRef("pk"))
        .values("application")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    rows = (
        applications.annotate(
            first=FilteredRelation("goods_lines", condition=Q(goods_lines__line_number=1)),
            total=Subquery(totals),
        )
        .order_by("-submitted_at", "-pk")
        .values_list(
            "number",
            "direction",
            "status",
            "enterprise__name_zh",
            "enterprise__uscc",
            "authority__name_zh",
            "purpose__name_zh",
            "first__drug_name_zh",
            "first__hs_code__code",
            "first__dosage_form__name_zh",
            "total",
            "first__unit",
            "import_port_1__name_zh",
            "export_port_1",
            "submitted_at",
            "certificate__number",
            "authority__name_en",
            "purpose__name_en",
            "first__dosage_form__name_en",
            "import_port_1__name_en",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        submitted = row[14].astimezone(zone).replace(tzinfo=None) if row[14] else None
        yield (
            row[0],
            directions.get(row[1], row[1]),
            statuses.get(row[2], row[2]),
            row[3],
            row[4],
            name(row[5], row[16]),
            name(row[6], row[17]),
            row[7],
            row[8],
            name(row[9], row[18]),
            row[10],
            row[11],
            name(row[12], row[19]) or row[13],
            submitted,
            row[15],
        )


class DrugPermit(System):
    key = Module.DRUG_PERMIT
    label = _("Drug import/export permit")
    model = DrugPermitApplication
    line_model = DrugPermitGoodsLine
    lines_relation = "goods_lines"
    line_parent = "application"
    max_lines = 4
    submit_needs_second_factor = True  # seed 001 §2.3.1: the card key
    statuses = DrugPermitStatus
    editable_states = (S.DRAFT, S.SUPPLEMENT_REQUIRED)
    deletable_states = (S.DRAFT,)
    stages = (
        Stage(1, S.PENDING_ACCEPTANCE, _("Acceptance")),
        Stage(2, S.FIRST_REVIEW, _("First review"), optional=True),
        Stage(3, S.SECOND_REVIEW, _("Second review"), optional=True),
        Stage(4, S.FINAL_DECISION, _("Final decision")),
    )
    authority_kinds = (AuthorityKind.DRUG_ADMINISTRATION,)
    slug = "drug-permits"
    url_namespace = "drug_permits"
    admin_slug = "drug-permit"

    header_form = HeaderForm
    line_form = GoodsLineForm
    header_fields = ("direction", *HeaderForm.Meta.fields)
    # Seed 001: the English name and address from the foreign-trade registration, editable.
    prefill = {"applicant_name_en": "name_en", "applicant_address_en": "address_en"}
    create_only_fields = ("direction",)
    header_rules = HEADER_RULES
    line_rules = LINE_RULES
    submit_rules = SUBMIT_RULES
    attachment_rules = ATTACHMENT_RULES
    attachment_max_bytes = MAX_ATTACHMENT_BYTES

    issues_certificate = True
    sends_to_customs = True
    imports_certificates = True
    # 老版录入 (seed 000 §4): earlier paper permits keyed in and sent to customs.
    enters_legacy_certificates = True
    legacy_content_fields = {
        "direction": forms.ChoiceField(label=_("Import or export"), choices=Direction.choices),
        "purpose": forms.CharField(label=_("Purpose"), max_length=100),
    }
    legacy_line_fields = {
        "drug_name_en": forms.CharField(
            label=_("Drug name (English)"), max_length=200, required=False
        ),
        "dosage_form": forms.CharField(label=_("Dosage form"), max_length=50),
        "specification": forms.CharField(label=_("Specification"), max_length=100),
        "manufacturer": forms.CharField(label=_("Manufacturer"), max_length=200),
        "country": forms.CharField(label=_("Country or region"), max_length=100),
    }
    settings_fields = {
        "import_validity_days": forms.IntegerField(
            label=_("import permit validity (days)"), min_value=1, max_value=3650, initial=365
        ),
        "export_validity_days": forms.IntegerField(
            label=_("export permit validity (days)"), min_value=1, max_value=3650, initial=90
        ),
    }
    templates = {
        "create": "drug_permits/create.html",
        "list": "drug_permits/list.html",
        "detail": "drug_permits/detail.html",
        "application_form": "drug_permits/documents/application_form.html",
        "certificate": "drug_permits/documents/certificate.html",
    }

    list_columns = (
        Column(_("Import or export"), "get_direction_display"),
        Column(_("Approving authority"), "authority.localized_name"),
    )
    staff_columns = (Column(_("Import or export"), "get_direction_display"),)
    header_columns = (
        Column(_("Import or export"), "get_direction_display"),
        Column(_("Approving authority"), "authority.localized_name"),
        Column(_("Applicant name (English)"), "applicant_name_en"),
        Column(_("Applicant address (English)"), "applicant_address_en"),
        Column(_("Filed as an agent"), lambda f: _yes_no(f.is_agent)),
        Column(
            _("Principal"),
            lambda f: f"{f.principal_name}（{f.principal_uscc}）" if f.is_agent else "",
            shown=lambda f: f.is_agent,
        ),
        Column(_("Purpose"), "purpose.localized_name"),
        Column(_("Collection method"), "get_collection_method_display"),
        Column(
            _("Mailing address"),
            "mail_address",
            shown=lambda f: f.collection_method == CollectionMethod.MAIL,
        ),
        Column(_("Import port 1"), "import_port_1.localized_name", shown=_importing),
        Column(_("Customs district 1"), lambda f: _district(f.import_port_1), shown=_importing),
        Column(_("Import port 2"), "import_port_2.localized_name", shown=_importing),
        Column(_("Customs district 2"), lambda f: _district(f.import_port_2), shown=_importing),
        Column(_("Export port 1"), "export_port_1", shown=lambda f: not _importing(f)),
        Column(_("Export port 2"), "export_port_2", shown=lambda f: not _importing(f)),
        Column(_("Remarks"), "remarks"),
    )
    line_columns = (
        Column(_("HS code"), "hs_code.code"),
        Column(_("Drug name (Chinese)"), "drug_name_zh"),
        Column(_("Drug name (English)"), "drug_name_en"),
        Column(_("Dosage form"), "dosage_form.localized_name"),
        Column(_("Specification"), "specification"),
        Column(_("Quantity"), lambda line: _quantity(line.quantity)),
        Column(_("Unit"), "unit"),
        Column(_("Manufacturer"), "manufacturer"),
        Column(_("Country or region"), "country.localized_name"),
    )
    # The sign-off sheet's summary of the filing (documents are always Chinese).
    summary_columns = (
        Column("药品名称", lambda f: getattr(f.goods_lines.first(), "drug_name_zh", "")),
        Column("用途", "purpose.name_zh"),
    )

    # Excel: headers and titles in the exporter's language (Chinese as the seed has them).
    export_title = pgettext_lazy("spreadsheet", "Applications")
    export_columns = (
        Column(pgettext_lazy("spreadsheet", "Application number"), "", 18),
        Column(pgettext_lazy("spreadsheet", "Import or export"), "", 8),
        Column(pgettext_lazy("spreadsheet", "Status"), "", 16),
        Column(pgettext_lazy("spreadsheet", "Applicant"), "", 30),
        Column(pgettext_lazy("spreadsheet", "Unified social credit code"), "", 21),
        Column(pgettext_lazy("spreadsheet", "Approving authority"), "", 24),
        Column(pgettext_lazy("spreadsheet", "Purpose"), "", 14),
        Column(pgettext_lazy("spreadsheet", "Drug name"), "", 22),
        Column(pgettext_lazy("spreadsheet", "HS code"), "", 12),
        Column(pgettext_lazy("spreadsheet", "Dosage form"), "", 10),
        Column(pgettext_lazy("spreadsheet", "Total quantity"), "", 12),
        Column(pgettext_lazy("spreadsheet", "Unit"), "", 8),
        Column(pgettext_lazy("spreadsheet", "Port"), "", 20),
        Column(pgettext_lazy("spreadsheet", "Submitted"), "", 18),
        Column(pgettext_lazy("spreadsheet", "Permit number"), "", 16),
    )

    # --- certificates -------------------------------------------------------------------
    certificate_export_title = pgettext_lazy("spreadsheet", "Permit statistics")
    # (header, width, value key of the certificate line: a field, certificate__…, details.…)
    certificate_export_columns = (
        (pgettext_lazy("spreadsheet", "Permit number"), 16, "certificate__number"),
        (pgettext_lazy("spreadsheet", "Application number"), 18, "certificate__filing__number"),
        (
            pgettext_lazy("spreadsheet", "Import or export"),
            8,
            "content.direction",
            lambda value: _direction_label(value),
        ),
        (pgettext_lazy("spreadsheet", "Certificate status"), 10, "certificate__status"),
        (pgettext_lazy("spreadsheet", "Enterprise name"), 30, "certificate__holder_name"),
        (
            pgettext_lazy("spreadsheet", "Unified social credit code"),
            21,
            "certificate__holder_uscc",
        ),
        (pgettext_lazy("spreadsheet", "No."), 6, "line_number"),
        (pgettext_lazy("spreadsheet", "Drug name"), 22, "name"),
        (pgettext_lazy("spreadsheet", "English name"), 26, "details.drug_name_en"),
        (pgettext_lazy("spreadsheet", "HS code"), 12, "hs_code"),
        (pgettext_lazy("spreadsheet", "Dosage form"), 10, "details.dosage_form"),
        (pgettext_lazy("spreadsheet", "Specification"), 14, "details.specification"),
        (pgettext_lazy("spreadsheet", "Quantity"), 12, "quantity"),
        (pgettext_lazy("spreadsheet", "Unit"), 8, "unit"),
        (pgettext_lazy("spreadsheet", "Manufacturer"), 26, "details.manufacturer"),
        (pgettext_lazy("spreadsheet", "Country (region)"), 12, "details.country"),
        (pgettext_lazy("spreadsheet", "Issue date"), 12, "certificate__issue_date"),
        (pgettext_lazy("spreadsheet", "Valid until"), 12, "certificate__valid_until"),
        (
            pgettext_lazy("spreadsheet", "Issuing authority"),
            24,
            "certificate__authority__name_zh",
        ),
    )
    certificate_columns = (
        Column(_("Holder"), "holder_name"),
        Column(_("Address"), "holder_address"),
        Column(_("Import or export"), lambda c: _direction_label(c.content.get("direction"))),
        Column(_("Purpose"), lambda c: c.content.get("purpose", "")),
        Column(_("Ports"), "ports"),
        Column(_("Issue date"), "issue_date"),
        Column(_("Valid until"), "valid_until"),
        Column(_("Remarks"), "remarks"),
    )
    certificate_line_columns = (
        Column(_("HS code"), "hs_code"),
        Column(_("Drug name"), "name"),
        Column(_("Dosage form"), lambda line: line.details.get("dosage_form", "")),
        Column(_("Specification"), lambda line: line.details.get("specification", "")),
        Column(_("Licensed quantity"), lambda line: _quantity(line.quantity)),
        Column(_("Unit"), "unit"),
        Column(_("Manufacturer"), lambda line: line.details.get("manufacturer", "")),
        Column(_("Country or region"), lambda line: line.details.get("country", "")),
    )
    # What 改错 may change: certificate fields, then line fields (details.… in the line's JSON).
    correctable_fields = {
        "valid_until": _("valid until"),
        "ports": _("ports"),
        "remarks": _("remarks"),
    }
    correctable_line_fields = {
        "details.specification": _("specification"),
        "quantity": _("licensed quantity"),
        "details.manufacturer": _("manufacturer"),
    }
    # 套打: field -> (label, x mm, y mm, font size pt, width mm, height mm) on A4.
    certificate_layout = {
        "certificate_number": (_("Certificate number"), 140, 42, 12, 55, 8),
        "enterprise_name": (_("Importer or exporter"), 52, 62, 11, 140, 9),
        "enterprise_address": (_("Address"), 52, 72, 10, 140, 9),
        "drug_name": (_("Drug name"), 52, 84, 11, 92, 9),
        "hs_code": (_("HS code"), 150, 84, 10, 45, 8),
        "dosage_form": (_("Dosage form"), 52, 94, 10, 140, 8),
        "goods": (
            _("Specification, quantity and manufacturer (one line per goods line)"),
            52,
            106,
            10,
            140,
            32,
        ),
        "country": (_("Country or region"), 52, 142, 10, 140, 8),
        "ports": (_("Ports"), 52, 152, 10, 140, 8),
        "purpose": (_("Purpose"), 52, 162, 10, 140, 8),
        "valid_until": (_("Valid until"), 52, 174, 11, 80, 8),
        "remarks": (_("Remarks"), 52, 186, 9, 140, 30),
        "authority": (_("Issuing authority"), 120, 236, 11, 80, 8),
        "issue_date": (_("Issue date"), 120, 246, 11, 80, 8),
        "verification": (_("Verification code and QR"), 20, 240, 8, 60, 30),
    }

    def list_filters(self) -> dict:
        return {
            "direction": django_filters.ChoiceFilter(
                choices=Direction.choices, label=_("Import or export"), empty_label=_("All")
            )
        }

    def load_demo(self, *, owner) -> None:
        from .demo import load

        load(self, owner=owner)

    def entry_block(self, membership) -> str | None:
        if not membership.enterprise.has_trade_registration:
            return "drug_permits/no_trade_registration.html"
        return None

    def attachment_types(self, filing):
        return _listed_types(filing)

    def new_number(self, filing) -> str:
        year = timezone.localdate().year
        return next_number(f"DP{year}{filing.authority.province[:2]}", width=6)

    def certificate_number(self, filing) -> str:
        year = timezone.localdate().year
        return next_number(f"ZZ{year}{filing.authority.province[:2]}", width=5)

    def title(self, obj) -> str:
        direction = getattr(obj, "direction", None) or getattr(obj, "content", {}).get("direction")
        return f"蛋白同化制剂、肽类激素{'进口' if direction == Direction.IMPORT else '出口'}准许证"

    def certificate_content(self, filing) -> dict:
        enterprise = filing.enterprise
        lines = filing.goods_lines.select_related("hs_code", "dosage_form", "country")
        return {
            "holder_name": enterprise.name_zh,
            "holder_uscc": enterprise.uscc,
            "holder_address": enterprise.address,
            "ports": filing.ports_display,
            "remarks": filing.remarks,
            "content": {"direction": filing.direction, "purpose": filing.purpose.name_zh},
            "lines": [
                {
                    "line_number": line.line_number,
                    "hs_code": line.hs_code.code,
                    "name": line.drug_name_zh,
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "details": {
                        "drug_name_en": line.drug_name_en,
                        "dosage_form": line.dosage_form.name_zh,
                        "specification": line.specification,
                        "manufacturer": line.manufacturer,
                        "country": line.country.name_zh,
                        "country_code": line.country.code,
                    },
                }
                for line in lines
            ],
        }

    def certificate_validity(self, filing, *, issue_date, settings):
        key = (
            "import_validity_days"
            if filing.direction == Direction.IMPORT
            else ("export_validity_days")
        )
        days = int((settings.options if settings else {}).get(key) or 0) or int(
            self.settings_fields[key].initial
        )
        return issue_date + timedelta(days=days)

    def certificate_values(self, certificate, lines) -> dict:
        """Every value printed on the certificate, by layout field name."""
        first = lines[0] if lines else None
        details = first.details if first else {}
        countries = list(dict.fromkeys(line.details.get("country", "") for line in lines))
        drug = first.name if first else ""
        if details.get("drug_name_en"):
            drug = f"{drug}（{details['drug_name_en']}）"
        return {
            "drug_name": drug,
            "hs_code": first.hs_code if first else "",
            "dosage_form": details.get("dosage_form", ""),
            "goods": [
                f"{line.details.get('specification', '')}　{_quantity(line.quantity)} "
                f"{line.unit}　{line.details.get('manufacturer', '')}"
                for line in lines
            ],
            "country": "、".join(c for c in countries if c),
            "purpose": certificate.content.get("purpose", ""),
        }

    def check_imported(self, data: dict) -> list:
        """Extra checks of a certificate imported from an authority's own system or entered
        from paper (the number of lines is checked against ``max_lines`` by the mechanism)."""
        problems = []
        if data["content"].get("direction") not in Direction.values:
            problems.append(("direction", str(_("Direction must be IMPORT or EXPORT."))))
        if not data["content"].get("purpose"):
            problems.append(("purpose", str(_("Give the purpose."))))
        return problems

    export_rows = staticmethod(_export_rows)


def _direction_label(value) -> str:
    try:
        return str(Direction(value).label)
    except ValueError:
        return value or ""


DRUG_PERMIT = DrugPermit()
