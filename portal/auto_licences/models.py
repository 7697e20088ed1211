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

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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

    BANK = "1", _("Bought from a bank (银行购汇)")
    FOREIGN_INVESTMENT = "2", _("Foreign investment (外资)")
    OTHER = "3", _("Other (其他)")


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
    bureau_number = models.CharField(_("bureau application number"), max_length=24, blank=True)
    handler = models.CharField(_("applicant's handling person"), max_length=50, blank=True)
    import_user_name = models.CharField(_("import user"), max_length=200, blank=True)
    import_user_code = models.CharField(_("import user code"), max_length=18, blank=True)
    importer_name = models.CharField(_("importer"), max_length=200, blank=True)
    importer_code = models.CharField(_("importer code"), max_length=18, blank=True)
    trade_mode = models.ForeignKey(
        "reference.TradeMode",
        verbose_name=_("trade mode"),
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

    @property
    def expected_total(self):
        if self.quantity is None or self.unit_price is None:
            return None
        return (self.quantity * self.unit_price).quantize(MONEY, rounding=ROUND_HALF_UP)

    def clean(self):
        currency = self.application.price_currency if self.application_id else None
        rate = getattr(currency, "usd_rate", None)
        if rate and self.total is not None:
            self.total_usd = (self.total * rate).quantize(MONEY, rounding=ROUND_HALF_UP)
