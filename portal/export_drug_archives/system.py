"""The export drug archive's declaration (seed 002).  No authority decides it: the
enterprise submits, regulators of its jurisdiction read; submitted records change by
versions (``versioned``), never in place."""

import re

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from filings.numbering import next_number
from filings.registry import Column, System
from portal.reference.models import DosageForm, Module
from workflows import rules

from .forms import HEADER_FIELDS, REQUIRED_TO_SUBMIT, ArchiveForm
from .models import ArchiveStatus, ExportDrugArchive

S = ArchiveStatus

# 药品批准文号: 国药准字 + a letter for the kind (H chemical, Z traditional Chinese,
# S biological, J imported packaged, B health, F excipient) + eight digits.
APPROVAL_NUMBER = re.compile(r"^国药准字[HZSJBF]\d{8}$")
# Pharmaceutical products and organic chemicals (APIs): HS chapters 29 and 30.
DRUG_CHAPTERS = ("29", "30")

MESSAGES = {
    "generic_name_zh": _("Enter the generic name in Chinese."),
    "generic_name_en": _("Enter the generic name in English."),
    "approval_number": _("Enter the drug approval number."),
    "dosage_form": _("Choose the dosage form."),
    "specification": _("Enter the specification."),
    "packaging": _("Enter the packaging."),
    "mah_name": _("Enter the marketing authorisation holder."),
    "manufacturer_name": _("Enter the manufacturer."),
    "production_address": _("Enter the production address."),
    "hs_code": _("Choose the HS code."),
}


def _countries(filing) -> list:
    return list(filing.export_countries.all())


def _duplicate(filing) -> bool:
    """Another record of the same enterprise already holds this approval number."""
    if not filing.approval_number:
        return False
    return (
        ExportDrugArchive.objects.filter(
            enterprise_id=filing.enterprise_id, approval_number=filing.approval_number
        )
        .exclude(pk=filing.pk)
        .exists()
    )


HEADER_RULES = (
    rules.Satisfies(
        lambda f: not f.approval_number or APPROVAL_NUMBER.match(f.approval_number),
        _("A drug approval number reads 国药准字, a letter (H, Z, S, J, B or F) and 8 digits."),
        field="approval_number",
    ),
    rules.Satisfies(
        lambda f: not _duplicate(f),
        _("Your enterprise already keeps a record for this approval number: change that one."),
        field="approval_number",
    ),
    rules.Satisfies(
        lambda f: f.hs_code is None or f.hs_code.code[:2] in DRUG_CHAPTERS,
        _("Choose a pharmaceutical HS code (chapter 29 or 30)."),
        field="hs_code",
    ),
)

SUBMIT_RULES = (
    *(
        rules.Required(name, MESSAGES[name])
        for name in sorted(REQUIRED_TO_SUBMIT)
        if name in MESSAGES
    ),
    rules.Satisfies(
        lambda f: bool(_countries(f)),
        _("Choose at least one export country or region."),
        field="export_countries",
    ),
    *HEADER_RULES,
)


def _country_names(filing) -> str:
    separator = ", " if (get_language() or "").startswith("en") else "、"
    return separator.join(
        c.localized_name for c in sorted(_countries(filing), key=lambda c: c.code)
    )


def _reference(name):
    def value(filing):
        item = getattr(filing, name)
        return f"{item.code} {item.localized_name}" if item is not None else ""

    return value


HEADER_COLUMNS = (
    Column(_("Generic name (Chinese)"), "generic_name_zh", 24),
    Column(_("Generic name (English)"), "generic_name_en", 24),
    Column(_("Trade name (Chinese)"), "trade_name_zh", 20),
    Column(_("Trade name (English)"), "trade_name_en", 20),
    Column(_("Drug approval number"), "approval_number", 20),
    Column(_("Dosage form"), _reference("dosage_form"), 12),
    Column(_("Specification"), "specification", 16),
    Column(_("Packaging"), "packaging", 16),
    Column(_("Marketing authorisation holder"), "mah_name", 28),
    Column(_("Manufacturer"), "manufacturer_name", 28),
    Column(_("Production address"), "production_address", 36),
    Column(_("HS code"), _reference("hs_code"), 28),
    Column(_("Export countries or regions"), _country_names, 30),
    Column(_("Remarks"), "remarks", 30),
)


def _by_generic_name(queryset, name, value):
    return queryset.filter(
        Q(generic_name_zh__icontains=value) | Q(generic_name_en__icontains=value)
    )


def _when(value):
    return value and timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class ExportDrugArchiveSystem(System):
    key = Module.EXPORT_DRUG_ARCHIVE
    label = _("Export drug archive")
    model = ExportDrugArchive
    statuses = ArchiveStatus
    editable_states = (S.DRAFT, S.CHANGING)
    deletable_states = (S.DRAFT,)
    stages = ()
    authority_kinds = ()
    slug = "export-drug-archives"
    url_namespace = "export_drug_archives"
    admin_slug = "export-drug-archive"

    versioned = True
    regulator_reads = True
    attachments = False
    search_numbers = ("approval_number",)

    header_form = ArchiveForm
    header_fields = HEADER_FIELDS
    # The holder, manufacturer and production address from the enterprise, editable (a
    # contract manufacturer's holder may be another enterprise).
    prefill = {
        "mah_name": "name_zh",
        "manufacturer_name": "name_zh",
        "production_address": "production_address",
    }
    copy_excludes = ("approval_number",)
    header_rules = HEADER_RULES
    submit_rules = SUBMIT_RULES
    filer_date_field = "submitted_at"
    templates = {"detail": "export_drug_archives/detail.html"}

    header_columns = HEADER_COLUMNS
    list_columns = (
        Column(_("Generic name"), "generic_name_zh"),
        Column(_("Drug approval number"), "approval_number"),
        Column(_("Specification"), "specification"),
        Column(_("Last submitted"), lambda f: _when(f.last_published_at)),
    )
    staff_columns = list_columns
    export_title = _("Export drug archive")
    export_columns = (
        Column(_("Record number"), "number", 16),
        Column(_("Enterprise"), "enterprise.name_zh", 30),
        Column(_("Unified social credit code"), "enterprise.uscc", 21),
        *HEADER_COLUMNS,
        Column(_("Last submitted"), lambda f: _when(f.last_published_at), 18),
    )

    def regulator_filters(self) -> dict:
        return {
            "generic_name": django_filters.CharFilter(
                method=_by_generic_name, label=_("Generic name")
            ),
            "approval_number": django_filters.CharFilter(
                lookup_expr="iexact", label=_("Drug approval number")
            ),
            "dosage_form": django_filters.ModelChoiceFilter(
                queryset=DosageForm.objects.live().order_by("code"),
                empty_label=_("All"),
                label=_("Dosage form"),
            ),
        }

    def entry_block(self, membership) -> str | None:
        """The seed: 需补充企业信息后方可办理具体业务."""
        enterprise = membership.enterprise
        needed = ("legal_representative", "drug_manufacturing_licence", "production_address")
        if any(not getattr(enterprise, name, "") for name in needed):
            return "export_drug_archives/complete_enterprise.html"
        return None

    def new_number(self, filing) -> str:
        return next_number(f"EA{timezone.localdate().year}", width=6)

    def title(self, obj) -> str:
        return "出口药品档案"

    def load_demo(self, *, owner) -> None:
        from .demo import load

        load(self, owner=owner)


EXPORT_DRUG_ARCHIVE = ExportDrugArchiveSystem()
