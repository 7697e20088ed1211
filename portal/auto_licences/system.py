"""The automatic import licence's declaration: what the shared mechanism needs to know."""

import django_filters
from django.db.models import Min, Sum
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from documents.models import CustomsStatus
from filings.numbering import next_number
from filings.registry import Column, FilerTable, Stage, System, columns_of
from portal.reference.models import AuthorityKind, Module, TradeMode
from workflows import rules

from . import services as tables
from .forms import (
    ENTRY_FIELDS,
    PRECHECK_FIELDS,
    ContractForm,
    GoodsLineForm,
    HeaderForm,
    IronOreForm,
    IronOreRowForm,
    KeyAgriculturalForm,
    PrecheckForm,
    StatisticsForm,
)
from .models import (
    AutoLicenceApplication,
    AutoLicenceLine,
    AutoLicenceStatus,
    ContractInfo,
    IronOreContract,
    IronOreRow,
    KeyAgriculturalFiling,
    validity_end,
)
from .services import needs_iron_ore

S = AutoLicenceStatus


def precheck_problems(codes, *, ports=()) -> list[str]:
    """The licence bureau's answer to the pre-check: why no electronic licence (empty: yes).

    Goods must be under this licence (the HS-code reference data editors keep says
    so) and eligible for an electronic one; paper licences no longer exist (seed: 2019).
    """
    codes = [c for c in codes if c is not None]
    problems = []
    if not codes:
        problems.append(gettext("Enter at least one HS code."))
    seen = set()
    for code in codes:
        if code.pk in seen:
            problems.append(gettext("HS code %(code)s is entered twice.") % {"code": code.code})
        seen.add(code.pk)
        if not code.auto_import_licence:
            problems.append(
                gettext(
                    "%(code)s %(name)s is not under the automatic import licence "
                    "(non-mechanical/electrical)."
                )
                % {"code": code.code, "name": code.localized_name}
            )
        elif not code.electronic_licence_eligible:
            problems.append(
                gettext(
                    "%(code)s %(name)s is not eligible for an electronic licence; paper "
                    "licences are no longer issued, so it cannot be applied for here."
                )
                % {"code": code.code, "name": code.localized_name}
            )
    ports = [p for p in ports if p is not None]
    if len(ports) == 2 and ports[0] == ports[1]:
        problems.append(gettext("Declaration port 2 must differ from port 1."))
    return problems


class PrecheckPasses(rules.Rule):
    """The goods passed the pre-check (run on every save, whichever path the data took)."""

    field = "hs_code_1"

    def errors(self, obj, context):
        codes = [obj.hs_code_1, obj.hs_code_2, obj.hs_code_3, obj.hs_code_4]
        return [
            (self.field, message)
            for message in precheck_problems(codes, ports=(obj.port_1, obj.port_2))
        ]


def _this_or_next_year(filing) -> bool:
    year = timezone.localdate().year
    return filing.year in (year, year + 1)


HEADER_RULES = (
    rules.AuthorityAccepting(),
    rules.Required("hs_code_1", _("Enter at least one HS code.")),
    rules.Required("port_1", _("Choose declaration port 1.")),
    rules.Satisfies(
        _this_or_next_year, _("The licence year is this year or the next."), field="year"
    ),
    PrecheckPasses(),
)

REQUIRED_TO_SUBMIT = (
    ("authority", _("Choose the licence bureau.")),
    ("handler", _("Enter the applicant's handling person (field 3).")),
    ("import_user_name", _("Enter the import user (field 5).")),
    ("import_user_code", _("Enter the import user's code (field 5).")),
    ("importer_name", _("Enter the importer (field 6).")),
    ("importer_code", _("Enter the importer's code (field 6).")),
    ("trade_mode", _("Choose the trade mode (field 7).")),
    ("trade_country", _("Choose the trading country or region (field 8).")),
    ("currency_source", _("Choose the currency source (field 9).")),
    ("origin_country", _("Choose the country or region of origin (field 10).")),
    ("purpose", _("Choose the purpose of the goods (field 12).")),
    ("expected_arrival", _("Enter the expected arrival date (field 13).")),
    ("price_currency", _("Choose the price currency (field 19).")),
)

SUBMIT_RULES = (
    *(rules.Required(field, message) for field, message in REQUIRED_TO_SUBMIT),
    *HEADER_RULES,
    rules.Satisfies(
        lambda f: f.price_currency is None or f.price_currency.usd_rate,
        _("The price currency has no US dollar rate; choose another or ask the editors."),
        field="price_currency",
    ),
    rules.AtLeastOneLine(),
    rules.Satisfies(
        lambda f: set(f.goods_lines.values_list("hs_code", flat=True)) <= set(f.hs_code_ids),
        _("Every goods line must be one of the pre-checked HS codes."),
    ),
    rules.Satisfies(
        lambda f: ContractInfo.objects.filter(application=f).exists(),
        _("Fill in and save the contract information table."),
    ),
    rules.Satisfies(
        lambda f: IronOreContract.objects.filter(application=f, rows__isnull=False).exists(),
        _("The goods include iron ore: fill in and save the iron-ore contract table."),
        when=needs_iron_ore,
    ),
)

LINE_RULES = (
    rules.Satisfies(
        lambda line: line.hs_code_id in line.application.hs_code_ids,
        _("Choose one of the HS codes of the pre-check."),
        field="hs_code",
        when=lambda line: line.hs_code_id,
    ),
    rules.Positive("quantity", _("The quantity must be more than zero.")),
    rules.Positive("unit_price", _("The unit price must be more than zero.")),
    rules.ProductOf(
        "total",
        "quantity",
        "unit_price",
        _("The total value must be the quantity × the unit price."),
    ),
)


CONTRACT_COLUMNS = columns_of(ContractInfo, ContractForm._meta.fields)


def contract_groups(contract) -> list[tuple]:
    """The contract table's facts in the seed's four blocks (applicant, foreign contract,
    domestic agency contract, other information)."""
    starts = [first for _title, first in ContractForm.BLOCKS]
    groups, current = [], None
    for column, name in zip(CONTRACT_COLUMNS, ContractForm._meta.fields, strict=True):
        if current is None or name in starts[1:]:
            title = ContractForm.BLOCKS[len(groups)][0]
            current = (title, [])
            groups.append(current)
        current[1].append((column.label, column.of(contract)))
    return groups


IRON_ORE_COLUMNS = columns_of(IronOreContract, IronOreForm._meta.fields)
IRON_ORE_ROW_COLUMNS = columns_of(IronOreRow, IronOreRowForm._meta.fields)


class AutoLicence(System):
    key = Module.AUTO_IMPORT_LICENCE
    submit_needs_second_factor = True  # seed 004: licence submission by card key
    label = _("Automatic import licence (non-mechanical/electrical)")
    model = AutoLicenceApplication
    line_model = AutoLicenceLine
    lines_relation = "goods_lines"
    line_parent = "application"
    statuses = AutoLicenceStatus
    editable_states = (S.DRAFT, S.REVOKED)
    deletable_states = (S.DRAFT, S.REVOKED, S.FIRST_REJECTED)
    stages = (
        Stage(1, S.FIRST_REVIEW, _("First review")),
        Stage(2, S.SECOND_REVIEW, _("Second review")),
    )
    authority_kinds = (AuthorityKind.LICENCE_BUREAU,)
    slug = "auto-licences"
    url_namespace = "auto_licences"
    admin_slug = "auto-licence"

    header_form = HeaderForm
    line_form = GoodsLineForm
    header_fields = (*PRECHECK_FIELDS, *ENTRY_FIELDS)
    # Seed 004: importer and user blocks from the enterprise, editable (the contract
    # table's applicant block prefers the enterprise's previous table: services).
    prefill = {
        "importer_name": "name_zh",
        "importer_code": "uscc",
        "import_user_name": "name_zh",
        "import_user_code": "uscc",
    }
    header_columns = columns_of(
        AutoLicenceApplication, ("bureau_number", *PRECHECK_FIELDS, *ENTRY_FIELDS)
    )
    create_only_fields = PRECHECK_FIELDS
    copy_excludes = ("bureau_number",)
    header_rules = HEADER_RULES
    line_rules = LINE_RULES
    submit_rules = SUBMIT_RULES
    attachment_rules = (rules.FileOfType("PDF", "JPEG", "PNG"),)
    attachment_max_bytes = 1024 * 1024  # seed 004: at most 1 MB each
    attachment_accept = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
    attachment_help = _("Optional for an electronic licence: PDF, JPEG or PNG, at most 1 MB each.")
    copies_max = 99
    filer_date_field = "submitted_at"  # 申请日期: a draft has none
    search_numbers = ("bureau_number",)  # the licence number is the certificate's

    issues_certificate = True
    certificate_noun = _("Licence")
    certificate_number_label = _("Licence number")
    sends_to_customs = True
    # The seed's names (海关状态查询): sent but not yet answered is "not yet at customs".
    customs_status_labels = {
        CustomsStatus.SENT: _("Not yet at customs"),
        CustomsStatus.SEND_FAILED: _("Sending to customs failed"),
        CustomsStatus.ACCEPTED: _("Stored by customs"),
        CustomsStatus.REJECTED: _("Not stored by customs"),
    }
    templates = {
        "list": "auto_licences/list.html",
        "detail": "auto_licences/detail.html",
        "application_form": "auto_licences/documents/application_form.html",
    }

    # The seed's query list (申请单查询): numbers, goods, their quantity and US dollars.
    list_columns = (
        Column(_("Bureau application number"), "bureau_number"),
        Column(
            _("Licence number"),
            lambda f: f.certificate.number if getattr(f, "certificate", None) else "",
        ),
        Column(_("Goods"), lambda f: f.hs_code_1.localized_name if f.hs_code_1_id else ""),
        Column(_("Quantity"), lambda f: f.lines_quantity.normalize() if f.lines_quantity else ""),
        Column(_("Unit"), "lines_unit"),
        Column(_("US dollars"), lambda f: "" if f.lines_usd is None else f"{f.lines_usd:.2f}"),
        Column(_("Year"), "year"),
        Column(
            _("Submitted"),
            lambda f: (
                timezone.localtime(f.submitted_at).strftime("%Y-%m-%d") if f.submitted_at else ""
            ),
        ),
    )
    staff_columns = (
        Column(_("Bureau application number"), "bureau_number"),
        Column(_("Goods"), lambda f: f.hs_code_1.localized_name if f.hs_code_1_id else ""),
    )
    summary_columns = (
        Column("申请表号", "bureau_number"),
        Column("商品名称", lambda f: f.hs_code_1.name_zh if f.hs_code_1_id else ""),
    )
    # Excel: headers and titles in the exporter's language (Chinese as the seed has them).
    export_title = pgettext_lazy("spreadsheet", "Licence applications")
    export_columns = (
        Column(pgettext_lazy("spreadsheet", "Application serial number"), "number", 20),
        Column(pgettext_lazy("spreadsheet", "Bureau application number"), "bureau_number", 24),
        Column(pgettext_lazy("spreadsheet", "Status"), "status_label", 14),
        Column(pgettext_lazy("spreadsheet", "Importer"), "importer_name", 30),
        Column(pgettext_lazy("spreadsheet", "Year"), "year", 8),
        Column(
            pgettext_lazy("spreadsheet", "Commodity code"),
            lambda f: f.hs_code_1.code if f.hs_code_1_id else "",
            12,
        ),
        Column(
            pgettext_lazy("spreadsheet", "Commodity name"),
            lambda f: f.hs_code_1.localized_name if f.hs_code_1_id else "",
            24,
        ),
    )
    certificate_columns = (
        Column(_("Importer"), "holder_name"),
        Column(_("Declaration ports"), "ports"),
        Column(_("Issue date"), "issue_date"),
        Column(_("Valid until"), "valid_until"),
    )
    certificate_line_columns = (
        Column(_("HS code"), "hs_code"),
        Column(_("Goods"), "name"),
        Column(_("Specification"), lambda line: line.details.get("specification", "")),
        Column(_("Quantity"), "quantity"),
        Column(_("Unit"), "unit"),
        Column(_("Total value in US dollars"), lambda line: line.details.get("total_usd", "")),
    )
    certificate_export_title = pgettext_lazy("spreadsheet", "Automatic import licences")
    certificate_export_columns = (
        (pgettext_lazy("spreadsheet", "Licence number"), 16, "certificate__number"),
        (
            pgettext_lazy("spreadsheet", "Application serial number"),
            20,
            "certificate__filing__number",
        ),
        (pgettext_lazy("spreadsheet", "Certificate status"), 10, "certificate__status"),
        (pgettext_lazy("spreadsheet", "Importer"), 30, "certificate__holder_name"),
        (pgettext_lazy("spreadsheet", "Commodity code"), 12, "hs_code"),
        (pgettext_lazy("spreadsheet", "Commodity name"), 22, "name"),
        (pgettext_lazy("spreadsheet", "Specification"), 14, "details.specification"),
        (pgettext_lazy("spreadsheet", "Quantity"), 12, "quantity"),
        (pgettext_lazy("spreadsheet", "Unit"), 8, "unit"),
        (pgettext_lazy("spreadsheet", "Total value in US dollars"), 14, "details.total_usd"),
        (pgettext_lazy("spreadsheet", "Issue date"), 12, "certificate__issue_date"),
        (pgettext_lazy("spreadsheet", "Expiry date"), 12, "certificate__valid_until"),
    )
    correctable_fields = {"ports": _("declaration ports"), "remarks": _("remarks")}
    statistics_form = StatisticsForm
    precheck_form = PrecheckForm
    filer_tables = (
        FilerTable(
            slug="contract",
            label=_("Contract information table"),
            form=ContractForm,
            get=lambda filing: ContractInfo.objects.filter(application=filing).first(),
            initial=tables.contract_initial,
            save=lambda *, owner, actor, values, rows=None: tables.save_contract(
                filing=owner, actor=actor, values=values
            ),
        ),
        FilerTable(
            slug="iron-ore",
            label=_("Iron-ore contract table"),
            form=IronOreForm,
            get=lambda filing: IronOreContract.objects.filter(application=filing).first(),
            initial=tables.iron_ore_initial,
            save=lambda *, owner, actor, values, rows=None: tables.save_iron_ore(
                filing=owner, actor=actor, values=values, rows=rows or []
            ),
            row_form=IronOreRowForm,
            rows=lambda table: table.rows.all(),
            required=needs_iron_ore,
        ),
        FilerTable(
            slug="key-agricultural",
            label=_("Key agricultural enterprise filing"),
            form=KeyAgriculturalForm,
            per="enterprise",
            get=lambda membership: KeyAgriculturalFiling.objects.filter(
                enterprise=membership.enterprise
            ).first(),
            initial=lambda membership: tables.key_agricultural_initial(membership.enterprise),
            save=lambda *, owner, actor, values, rows=None: tables.report_key_agricultural(
                membership=owner, actor=actor, values=values
            ),
            shown=lambda membership: {
                "enterprise_code": tables.key_agricultural_code(membership.enterprise)
            },
        ),
    )

    def statistics(self, *, user, **filters) -> list[dict]:
        from .selectors import monthly_statistics

        return monthly_statistics(user=user, **filters)

    def urls(self) -> list:
        from . import views

        kw = {"system": self}
        return [
            path("new/check/", views.precheck, kw, name="precheck"),
            path("key-agricultural/", views.key_agricultural, kw, name="key-agricultural"),
            path("statistics/", views.statistics, kw, name="statistics"),
            path("<str:number>/contract/", views.contract, kw, name="contract"),
            path("<str:number>/iron-ore/", views.iron_ore, kw, name="iron-ore"),
        ]

    def list_queryset(self, filings):
        return filings.select_related("hs_code_1").annotate(
            lines_quantity=Sum("goods_lines__quantity"),
            lines_unit=Min("goods_lines__unit"),
            lines_usd=Sum("goods_lines__total_usd"),
        )

    def list_filters(self) -> dict:
        """The seed's query (申请单查询): numbers, user, trade mode, year."""
        return {
            "bureau_number": django_filters.CharFilter(
                lookup_expr="icontains", label=_("Bureau application number")
            ),
            "licence_number": django_filters.CharFilter(
                field_name="certificate__number", lookup_expr="iexact", label=_("Licence number")
            ),
            "import_user_code": django_filters.CharFilter(
                lookup_expr="icontains", label=_("Import user's code")
            ),
            "import_user_name": django_filters.CharFilter(
                lookup_expr="icontains", label=_("Import user")
            ),
            "trade_mode": django_filters.ModelChoiceFilter(
                queryset=TradeMode.objects.order_by("code"),
                to_field_name="code",
                empty_label=_("All"),
                label=pgettext_lazy("licence field 7", "Trade mode"),
            ),
            "year": django_filters.NumberFilter(label=_("Year")),
        }

    def new_number(self, filing) -> str:
        """申请表序号: "NA", the two-digit year and thirteen digits (seed: NA1900000000000817)."""
        return next_number(f"NA{filing.year % 100:02d}", width=13)

    def certificate_number(self, filing) -> str:
        return next_number(f"{filing.year % 100:02d}-JK-", width=6)

    def title(self, obj) -> str:
        return "中华人民共和国自动进口许可证"

    def certificate_validity(self, filing, *, issue_date, settings):
        return validity_end(issued=issue_date, year=filing.year)

    def certificate_content(self, filing) -> dict:
        lines = filing.goods_lines.select_related("hs_code")
        currency = filing.price_currency.code if filing.price_currency_id else ""
        return {
            "holder_name": filing.importer_name or filing.enterprise.name_zh,
            "holder_uscc": filing.importer_code or filing.enterprise.uscc,
            "holder_address": filing.enterprise.address,
            "ports": filing.ports_display,
            "remarks": filing.remarks,
            "content": {
                "year": filing.year,
                "one_batch": filing.one_batch,
                "bureau_number": filing.bureau_number,
                "trade_mode": getattr(filing.trade_mode, "code", ""),
                "origin": getattr(filing.origin_country, "code", ""),
            },
            "lines": [
                {
                    "line_number": line.line_number,
                    "hs_code": line.hs_code.code,
                    "name": line.hs_code.name_zh,
                    "quantity": line.quantity,
                    "unit": line.unit,
                    "details": {
                        "specification": line.specification,
                        "unit_price": str(line.unit_price),
                        "currency": currency,
                        "total": str(line.total),
                        "total_usd": str(line.total_usd or ""),
                    },
                }
                for line in lines
            ],
        }

    def copy_extras(self, source, copy) -> None:
        """The contract and iron-ore tables come along, to be checked before submitting."""
        from .services import copy_tables

        copy_tables(source, copy)

    def detail_sections(self, filing) -> list[dict]:
        """The contract information table and (for iron ore) the iron-ore table, read-only."""
        contract = ContractInfo.objects.filter(application=filing).first()
        sections = [
            {
                "id": "contract-table",
                "title": _("Contract information table"),
                "groups": contract_groups(contract) if contract else [],
                "missing": "" if contract else _("Not filled in yet."),
            }
        ]
        ore = IronOreContract.objects.filter(application=filing).first()
        if ore or needs_iron_ore(filing):
            rows = list(ore.rows.all()) if ore else []
            sections.append(
                {
                    "id": "iron-ore-table",
                    "title": _("Iron-ore contract table"),
                    "facts": [(c.label, c.of(ore)) for c in IRON_ORE_COLUMNS] if ore else [],
                    "table": {
                        "labels": [c.label for c in IRON_ORE_ROW_COLUMNS],
                        "rows": [[c.of(row) for c in IRON_ORE_ROW_COLUMNS] for row in rows],
                    }
                    if ore
                    else None,
                    "missing": "" if ore else _("Not filled in yet."),
                }
            )
        return sections

    def max_declarations(self, certificate) -> int | None:
        """A one-batch licence (一批一证) is declared once; any other at most six times."""
        return 1 if certificate.content.get("one_batch") else 6

    def application_form_context(self, filing) -> dict:
        """The numbered form's goods: grouped by HS code (fields 14-15 over 16-21), totals."""
        groups = {}
        lines = list(filing.goods_lines.select_related("hs_code"))
        for line in lines:
            group = groups.setdefault(
                line.hs_code_id,
                {"code": line.hs_code.code, "name": line.hs_code.name_zh, "lines": []},
            )
            group["lines"].append(line)
        return {
            "groups": list(groups.values()),
            "currency": filing.price_currency.code if filing.price_currency_id else "",
            "certificate": getattr(filing, "certificate", None),
            "totals": {
                "quantity": sum((g.quantity for g in lines), 0),
                "total": sum((g.total for g in lines), 0),
                "usd": sum((g.total_usd or 0 for g in lines), 0),
            },
        }

    def load_demo(self, *, owner) -> None:
        from .demo import load

        load(self, owner=owner)


AUTO_LICENCE = AutoLicence()
