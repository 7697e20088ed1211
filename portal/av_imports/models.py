"""音像制品（成品）进口批准单: seed 003.

One level of review at the audio-video import office.  The filer keys in the
approval number the document will carry; a pending application may be taken
back to draft without review; a rejected one is final (the filer copies it).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey

from documents.models import NoticeKind
from filings.models import Filing
from filings.transitions import decision, filer_action, system_step


class AvImportStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    PENDING = "PENDING", _("Pending review")
    APPROVED = "APPROVED", _("Approved")
    REJECTED = "REJECTED", _("Rejected")
    VOID = "VOID", _("Void")


S = AvImportStatus


class AvImportApplication(Filing):
    """One application for an import approval document (批准单)."""

    # Empty is NULL, so only numbers given are unique (a copy carries none).
    approval_number = models.CharField(
        _("approval number"),
        max_length=30,
        null=True,
        blank=True,
        unique=True,
        error_messages={"unique": _("This approval number is already used.")},
    )
    entry_port = models.ForeignKey(
        "reference.Port",
        verbose_name=_("entry port"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_name = models.CharField(_("importer contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("importer contact phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("audio-video import application")
        verbose_name_plural = _("audio-video import applications")

    @filer_action(
        source=S.DRAFT,
        target=S.PENDING,
        label=_("Submit"),
        done=pgettext_lazy("history", "Submitted"),
    )
    def submit(self):
        """申报: the filer sends a complete application to the office."""

    @filer_action(
        source=S.PENDING,
        target=S.DRAFT,
        label=_("Withdraw"),
        done=_("Withdrawn to draft"),
        withdrawal=True,
    )
    def withdraw(self):
        """撤回: straight back to draft, no review (seed 003, 批准单撤回)."""
        self.submitted_at = None

    @decision(
        source=S.PENDING,
        target=S.APPROVED,
        label=_("Approve: issue the approval document"),
        done=_("Approved"),
        issues_certificate=True,
        opinion_required=False,
    )
    def approve(self):
        """The office approves; the approval document (批准单) is issued."""

    @decision(
        source=S.PENDING,
        target=S.REJECTED,
        label=_("Reject (give the reason)"),
        done=_("Rejected"),
        notice=NoticeKind.REFUSAL,
    )
    def reject(self):
        """The office rejects with a reason; final (the filer copies it to file again)."""

    @system_step(source=S.APPROVED, target=S.VOID, done=_("Approval document voided"))
    def void(self):
        """The approval document was voided."""


class AvGoodsLine(models.Model):
    """One programme imported; every field is required."""

    application = ParentalKey(
        AvImportApplication, on_delete=models.CASCADE, related_name="goods_lines"
    )
    line_number = models.PositiveIntegerField(_("line"))
    title_zh = models.CharField(_("programme title (Chinese)"), max_length=200)
    title_original = models.CharField(_("programme title (original language)"), max_length=200)
    carrier = models.ForeignKey(
        "reference.Carrier", verbose_name=_("carrier"), on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(_("language"), max_length=50)
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country or region of origin"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    copyright_holder = models.CharField(_("copyright holder or publisher"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=20)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    currency = models.ForeignKey(
        "reference.Currency", verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "line_number"], name="one_av_line_number"
            )
        ]

    def __str__(self):
        return f"{self.application} #{self.line_number}"
