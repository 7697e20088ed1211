"""自动进口许可证（非机电产品）: seed 004.

A pre-check asks whether the bureau can issue an electronic licence for the
goods (HS codes) before anything is typed; the application then carries the
seed's numbered fields 1-24, goods lines per HS code, and goes through the
licence bureau's first and second review to an electronic licence sent to
customs.
"""

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey

from filings.models import Filing
from filings.numbering import next_number
from filings.transitions import decision, filer_action, system_step


class AutoLicenceStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    FIRST_REVIEW = "FIRST_REVIEW", _("Pending first review")
    FIRST_REJECTED = "FIRST_REJECTED", _("First review: rejected")
    SECOND_REVIEW = "SECOND_REVIEW", _("Pending second review")
    SECOND_REJECTED = "SECOND_REJECTED", _("Second review: rejected")
    ISSUED = "ISSUED", _("Electronic licence issued")
    REVOKED = "REVOKED", _("Revoked")
    VOID = "VOID", _("Void")


S = AutoLicenceStatus


class CurrencySource(models.TextChoices):
    """外汇来源 (field 9)."""

    BANK = "1", _("Bought from a bank")
    FOREIGN_INVESTMENT = "2", _("Foreign investment")
    OTHER = "3", _("Other")


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def validity_end(*, issued: date, year: int) -> date:
    """Six months from the date of issue, never past 31 December of the licence's year."""
    return min(add_months(issued, 6), date(year, 12, 31))


class AutoLicenceApplication(Filing):
    """One application for an automatic import licence (申请表)."""

    # --- the pre-check (申请页面), fixed once the application exists ---
    year = models.PositiveSmallIntegerField(_("year"))
    one_batch = models.BooleanField(_("one batch, one licence"), default=True)
    hs_code_1 = models.ForeignKey(
        "reference.HSCode",
        verbose_name=_("HS code 1"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hs_code_2 = models.ForeignKey(
        "reference.HSCode",
        verbose_name=_("HS code 2"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hs_code_3 = models.ForeignKey(
        "reference.HSCode",
        verbose_name=_("HS code 3"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hs_code_4 = models.ForeignKey(
        "reference.HSCode",
        verbose_name=_("HS code 4"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    port_1 = models.ForeignKey(
        "reference.Port",
        verbose_name=_("declaration port 1"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    port_2 = models.ForeignKey(
        "reference.Port",
        verbose_name=_("declaration port 2"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # --- the application form's numbered fields ---
    bureau_number = models.CharField(
        _("bureau application number"), max_length=24, blank=True, db_index=True
    )
    handler = models.CharField(_("applicant's handling person"), max_length=50, blank=True)
    import_user_name = models.CharField(_("import user"), max_length=200, blank=True)
    import_user_code = models.CharField(_("import user code"), max_length=18, blank=True)
    importer_name = models.CharField(_("importer"), max_length=200, blank=True)
    importer_code = models.CharField(_("importer code"), max_length=18, blank=True)
    trade_mode = models.ForeignKey(
        "reference.TradeMode",
        verbose_name=pgettext_lazy("licence field 7", "trade mode"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    trade_country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("trading country or region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    currency_source = models.CharField(
        _("currency source"),
        max_length=2,
        choices=CurrencySource.choices,
        default=CurrencySource.BANK,
    )
    origin_country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country or region of origin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    purpose = models.ForeignKey(
        "reference.Purpose",
        verbose_name=_("purpose of the goods"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    expected_arrival = models.DateField(_("expected arrival"), null=True, blank=True)
    price_currency = models.ForeignKey(
        "reference.Currency",
        verbose_name=_("price currency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    remarks = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("automatic import licence application")
        verbose_name_plural = _("automatic import licence applications")

    @property
    def hs_codes(self) -> list:
        return [c for c in (self.hs_code_1, self.hs_code_2, self.hs_code_3, self.hs_code_4) if c]

    @property
    def hs_code_ids(self) -> list[int]:
        ids = (self.hs_code_1_id, self.hs_code_2_id, self.hs_code_3_id, self.hs_code_4_id)
        return [i for i in ids if i]

    @property
    def expected_validity_end(self) -> date:
        """Shown at entry: as if issued today (fixed at issue)."""
        return validity_end(issued=timezone.localdate(), year=self.year)

    @property
    def ports_display(self) -> str:
        return "、".join(p.name_zh for p in (self.port_1, self.port_2) if p)

    def assign_bureau_number(self) -> None:
        """申请表号: two-digit year, the enterprise code (region + organisation code from
        the USCC) and a sequence, e.g. 26 1100 776367555 600014."""
        if self.bureau_number:
            return
        uscc = self.enterprise.uscc
        prefix = f"{self.year % 100:02d}{uscc[2:6]}{uscc[8:17]}"
        self.bureau_number = next_number(prefix, width=6)

    # --- the enterprise ---
    @filer_action(
        source=[S.DRAFT, S.REVOKED],
        target=S.FIRST_REVIEW,
        label=_("Submit"),
        done=_("Submitted to the licence bureau"),
    )
    def submit(self):
        """上报: to first review; the bureau's application number is assigned."""
        self.assign_bureau_number()

    @filer_action(
        source=S.FIRST_REVIEW,
        target=S.REVOKED,
        label=_("Revoke"),
        done=_("Revoked"),
        withdrawal=True,
    )
    def revoke(self):
        """撤销: a pending application is taken back before first review."""

    # --- the licence bureau ---
    @decision(
        source=S.FIRST_REVIEW,
        target=S.SECOND_REVIEW,
        label=_("First review: pass"),
        done=_("First review passed"),
        opinion_required=False,
    )
    def first_pass(self):
        """初审通过: on to second review."""

    @decision(
        source=S.FIRST_REVIEW,
        target=S.FIRST_REJECTED,
        label=_("First review: reject"),
        done=_("First review rejected"),
        opinion_required=True,
    )
    def first_reject(self):
        """初审不通过, with the reason."""

    @decision(
        source=S.SECOND_REVIEW,
        target=S.ISSUED,
        label=_("Second review: pass and issue the electronic licence"),
        done=_("Second review passed; electronic licence issued"),
        issues_certificate=True,
        opinion_required=False,
    )
    def second_pass(self):
        """复审通过: the electronic licence is issued (已生成电子许可证)."""

    @decision(
        source=S.SECOND_REVIEW,
        target=S.SECOND_REJECTED,
        label=_("Second review: reject"),
        done=_("Second review rejected"),
        opinion_required=True,
    )
    def second_reject(self):
        """复审不通过, with the reason."""

    @system_step(source=S.ISSUED, target=S.VOID, done=_("Licence voided"))
    def void(self):
        """The licence was voided."""


MONEY = Decimal("0.01")


class AutoLicenceLine(models.Model):
    """One specification line of the goods (fields 14-21): its HS code is one of the
    pre-checked codes; the US dollar value follows from the price currency's rate."""

    application = ParentalKey(
        AutoLicenceApplication, on_delete=models.CASCADE, related_name="goods_lines"
    )
    line_number = models.PositiveIntegerField(_("line"))
    hs_code = models.ForeignKey(
        "reference.HSCode", verbose_name=_("HS code"), on_delete=models.PROTECT, related_name="+"
    )
    specification = models.CharField(_("specification"), max_length=200)
    unit = models.CharField(_("unit"), max_length=20)
    quantity = models.DecimalField(_("quantity"), max_digits=16, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=16, decimal_places=4)
    total = models.DecimalField(_("total value"), max_digits=18, decimal_places=2)
    total_usd = models.DecimalField(
        _("total value in US dollars"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )

    class Meta:
        ordering = ["line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "line_number"], name="one_auto_licence_line_number"
            )
        ]

    def __str__(self):
        return f"{self.application} #{self.line_number}"

    def clean(self):
        currency = self.application.price_currency if self.application_id else None
        rate = getattr(currency, "usd_rate", None)
        if rate and self.total is not None:
            self.total_usd = (self.total * rate).quantize(MONEY, rounding=ROUND_HALF_UP)


class ExpectedChange(models.TextChoices):
    """本商品预计今年全年完成进口量与去年同比增减."""

    DOWN_30 = "DOWN_30", _("Down by more than 30%")
    DOWN_10_30 = "DOWN_10_30", _("Down by 10% to 30%")
    FLAT = "FLAT", _("About the same (within 10%)")
    UP_10_30 = "UP_10_30", _("Up by 10% to 30%")
    UP_30 = "UP_30", _("Up by more than 30%")


class ContractInfo(models.Model):
    """合同信息表: saved before submitting.  Its applicant block is back-filled from the
    enterprise's previous table, or else from its profile."""

    application = models.OneToOneField(
        AutoLicenceApplication, on_delete=models.CASCADE, related_name="contract"
    )
    # 申领企业信息
    enterprise_code = models.CharField(_("enterprise code"), max_length=9)
    enterprise_name = models.CharField(_("enterprise name"), max_length=200)
    established_on = models.DateField(_("date established"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (10,000 yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    uscc = models.CharField(_("unified social credit code"), max_length=18)
    address = models.CharField(_("enterprise address"), max_length=300)
    contact = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    contact_mobile = models.CharField(_("contact mobile"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    fax = models.CharField(_("fax"), max_length=30, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    trade_registration_number = models.CharField(
        _("foreign-trade operator record number"), max_length=30, blank=True
    )
    fie_approval_number = models.CharField(
        _("foreign-invested enterprise approval certificate number"), max_length=50, blank=True
    )
    business_licence_number = models.CharField(
        _("business licence registration number"), max_length=50, blank=True
    )
    # 对外成交合同/协议信息
    contract_number = models.CharField(_("contract number"), max_length=50)
    seller_name_zh = models.CharField(_("foreign party's Chinese name"), max_length=200)
    seller_name_en = models.CharField(_("foreign party's English name"), max_length=200, blank=True)
    importer_signatory = models.CharField(_("importer's signatory"), max_length=50, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    goods_description = models.CharField(
        _("goods name and specification"), max_length=300, blank=True
    )
    signed_on = models.DateField(_("contract signing date"))
    contract_valid_until = models.DateField(_("contract valid until"))
    total_quantity = models.DecimalField(
        _("contract total quantity"), max_digits=16, decimal_places=3
    )
    total_amount = models.DecimalField(_("contract total amount"), max_digits=18, decimal_places=2)
    settlement_currency = models.ForeignKey(
        "reference.Currency",
        verbose_name=_("settlement currency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    payment_terms = models.CharField(_("payment terms"), max_length=100)
    loading_port = models.CharField(_("port of loading"), max_length=100, blank=True)
    destination_port = models.CharField(_("port of destination"), max_length=100, blank=True)
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    arrival_date = models.DateField(_("expected arrival date"), null=True, blank=True)
    freight_basis = models.CharField(_("freight basis"), max_length=50, blank=True)
    freight_total = models.DecimalField(
        _("freight total (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # 国内贸易(代理)合同/协议信息
    principal_name = models.CharField(_("principal"), max_length=200, blank=True)
    agent_name = models.CharField(_("agent"), max_length=200, blank=True)
    agency_contract_number = models.CharField(
        _("agency contract number"), max_length=50, blank=True
    )
    agency_signed_on = models.DateField(_("agency contract signing date"), null=True, blank=True)
    agency_valid_until = models.DateField(_("agency contract valid until"), null=True, blank=True)
    consignee_name = models.CharField(_("consignee"), max_length=200, blank=True)
    consignee_contact = models.CharField(_("consignee's contact"), max_length=50, blank=True)
    consignee_address = models.CharField(_("consignee's address"), max_length=300, blank=True)
    consignee_phone = models.CharField(_("consignee's phone"), max_length=30, blank=True)
    domestic_transport = models.CharField(_("domestic transport"), max_length=50, blank=True)
    domestic_waybill = models.CharField(_("domestic waybill number"), max_length=50, blank=True)
    # 其他信息
    end_user_name = models.CharField(_("end user"), max_length=200)
    end_user_address = models.CharField(_("end user's address"), max_length=300, blank=True)
    end_user_phone = models.CharField(_("end user's phone"), max_length=30, blank=True)
    end_user_fax = models.CharField(_("end user's fax"), max_length=30, blank=True)
    detailed_use = models.CharField(_("detailed use of the goods"), max_length=300)
    expected_change = models.CharField(
        _("expected imports this year against last year"),
        max_length=12,
        choices=ExpectedChange.choices,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contract information table")

    def __str__(self):
        return f"{self.application} · {self.contract_number}"


class ContractType(models.TextChoices):
    SPOT = "SPOT", _("Spot contract")
    LONG_TERM = "LONG_TERM", _("Long-term contract")


class EnterpriseNature(models.TextChoices):
    PRODUCER = "PRODUCER", _("Producer")
    TRADER = "TRADER", _("Trading enterprise")


class OreKind(models.TextChoices):
    FINES = "FINES", _("Fines")
    LUMP = "LUMP", _("Lump")
    CONCENTRATE = "CONCENTRATE", _("Concentrate")
    PELLETS = "PELLETS", _("Pellets")


class IronOreContract(models.Model):
    """铁矿石合同信息表: required before submitting when any good is iron ore."""

    application = models.OneToOneField(
        AutoLicenceApplication, on_delete=models.CASCADE, related_name="iron_ore"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    importer_code = models.CharField(_("importer code"), max_length=18)
    importer_name = models.CharField(_("importer name"), max_length=200)
    origin = models.ForeignKey(
        "reference.Country",
        verbose_name=_("origin (country or region)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    trade_country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("trading country or region"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    contract_number = models.CharField(_("import contract number"), max_length=50)
    contract_type = models.CharField(
        _("contract type"), max_length=10, choices=ContractType.choices
    )
    signed_on = models.DateField(_("contract signing date"))
    period_from = models.DateField(_("contract period from"))
    period_to = models.DateField(_("contract period to"))
    enterprise_nature = models.CharField(
        _("enterprise nature"), max_length=10, choices=EnterpriseNature.choices
    )
    seller_name_zh = models.CharField(_("seller's Chinese name"), max_length=200)
    seller_name_en = models.CharField(_("seller's English name"), max_length=200)
    unloading_port_1 = models.CharField(_("unloading port 1"), max_length=100)
    unloading_port_2 = models.CharField(_("unloading port 2"), max_length=100, blank=True)
    fob_freight = models.DecimalField(
        _("FOB: sea freight (USD per kilotonne)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    cfr_freight = models.DecimalField(
        _("CFR: sea freight (USD per kilotonne)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    cif_freight = models.DecimalField(
        _("CIF: sea freight (USD per kilotonne)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    other_price_terms = models.CharField(_("other price terms"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("iron-ore contract table")

    def __str__(self):
        return f"{self.application} · {self.contract_number}"


class IronOreRow(models.Model):
    contract = models.ForeignKey(IronOreContract, on_delete=models.CASCADE, related_name="rows")
    kind = models.CharField(_("kind"), max_length=12, choices=OreKind.choices)
    name = models.CharField(_("goods name"), max_length=100)
    grade = models.DecimalField(_("grade (% Fe)"), max_digits=5, decimal_places=2)
    quantity_kt = models.DecimalField(_("quantity (kilotonnes)"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(
        _("unit price (USD per kilotonne)"), max_digits=14, decimal_places=2
    )
    amount = models.DecimalField(_("amount (USD)"), max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class KeyAgriculturalFiling(models.Model):
    """重农信息备案: an enterprise importing key agricultural goods reports its details to
    the bureau once (and again when they change); "save and report" (保存并上报)."""

    class Status(models.TextChoices):
        REPORTED = "REPORTED", _("Reported")

    enterprise = models.OneToOneField(
        "accounts.Enterprise", on_delete=models.CASCADE, related_name="key_agricultural_filing"
    )
    enterprise_code = models.CharField(_("enterprise code"), max_length=13)
    enterprise_name = models.CharField(_("enterprise name"), max_length=200)
    customs_number = models.CharField(_("customs registration number"), max_length=10)
    business_number = models.CharField(_("business registration number"), max_length=50)
    registered_capital = models.DecimalField(
        _("registered capital (10,000 yuan)"), max_digits=14, decimal_places=2
    )
    business_address = models.CharField(_("business address"), max_length=300)
    contact = models.CharField(_("contact person"), max_length=50)
    phone = models.CharField(_("contact phone"), max_length=30)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REPORTED
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    reported_at = models.DateTimeField(_("reported"), auto_now=True)

    class Meta:
        verbose_name = _("key agricultural enterprise filing")

    def __str__(self):
        return f"{self.enterprise_name} · {self.get_status_display()}"
